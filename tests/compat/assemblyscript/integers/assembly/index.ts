// Decodes a one-field map of Integers with the generated decoders, for run.cjs.

import { Decoder } from "@wapc/as-msgpack";
import { decodeError, Integers } from "./module";

// The decoded value of the field numbered `field` (in the schema's order), as text, or
// "error: " and what went wrong.
export function decodeField(message: ArrayBuffer, field: i32): string {
  const decoder = new Decoder(message);
  const value = Integers.decode(decoder);
  const failure = decodeError(decoder);
  if (failure !== null) {
    return "error: " + failure.message;
  }
  switch (field) {
    case 0:
      return value.int8.toString();
    case 1:
      return value.int16.toString();
    case 2:
      return value.int32.toString();
    case 3:
      return value.int64.toString();
    case 4:
      return value.uint8.toString();
    case 5:
      return value.uint16.toString();
    case 6:
      return value.uint32.toString();
    case 7:
      return value.uint64.toString();
    case 8:
      return (<u64>value.level).toString();
  }
  const maybe = value.maybe;
  return maybe ? maybe.value.toString() : "null";
}
