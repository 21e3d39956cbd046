// A guest written against the old generator (@wapc/widl-codegen 0.0.7), the way real
// projects use it: plain-return handlers, builders, Value<T> optionals and the Host class.
// Nothing here may need changing after regenerating module.ts with wapc
// (tests/compat_assemblyscript.rs compiles it). echoBytes alone uses wapc's Result form.

import { handleCall, handleAbort, Result } from "@wapc/as-guest";
import { Decoder, Encoder, Sizer, Value } from "@wapc/as-msgpack";
import { Handlers, Host, Request, RequestBuilder, Response } from "./module";

export function wapc_init(): void {
  Handlers.registerHandle(handle);
  Handlers.registerEchoBytes(echoBytes);
  Handlers.registerPing(ping);
}

let pings: i64 = 0;

function handle(request: Request): Response {
  const kv = new Host("kv");
  if (request.method == "GET") {
    const body = kv.get(request.headers.get("key"));
    return Response.newBuilder().withStatusCode(200).withBody(body).build();
  }
  const maybe = request.maybe;
  const body = maybe === null ? request.body : maybe;
  let expires: u32 = 0;
  const count = request.count;
  if (count) {
    expires = <u32>count.value;
  }
  const answer = kv.set(request.tags.join("/"), body, expires);
  const response = new Response();
  response.statusCode = answer == "stored" ? 201 : 500;
  response.body = String.UTF8.encode(answer);
  return response;
}

// wapc's form: a handler that can report an error.
function echoBytes(data: ArrayBuffer, n: u32): Result<ArrayBuffer> {
  if (<u32>data.byteLength < n) {
    return Result.error<ArrayBuffer>(new Error("too short"));
  }
  return Result.ok(data.slice(0, n));
}

function ping(): void {
  pings++;
  new Host().ping();
}

// The codecs the old module exported, used directly.
export function roundTrip(buffer: ArrayBuffer): ArrayBuffer {
  const request = Request.decodeNullable(new Decoder(buffer));
  if (request === null) {
    return new ArrayBuffer(0);
  }
  const copy: Request = new RequestBuilder()
    .withMethod(request.method)
    .withBody(request.body)
    .withHeaders(request.headers)
    .withMaybe(request.maybe)
    .withCount(new Value<i64>(pings))
    .withTags(request.tags)
    .withColor(request.color)
    .build();
  const sizer = new Sizer();
  copy.encode(sizer);
  const out = new ArrayBuffer(sizer.length);
  copy.encode(new Encoder(out));
  const again = Request.decode(new Decoder(out));
  return again.toBuffer();
}

// Boilerplate code for waPC.  Do not remove.

export function __guest_call(operation_size: usize, payload_size: usize): bool {
  return handleCall(operation_size, payload_size);
}

// Abort function
function abort(
  message: string | null,
  fileName: string | null,
  lineNumber: u32,
  columnNumber: u32
): void {
  handleAbort(message, fileName, lineNumber, columnNumber);
}
