// Calls every operation through the generated Host class, so that compiling this file
// type-checks every kind of host method (AssemblyScript compiles only the code it reaches).
// tests/roundtrip_assemblyscript.rs compiles it beside the generated scaffold; it is not run.

import { Color, Everything, Host, Shape } from "./module";

export function callEveryHostOperation(): bool {
  const host = new Host("binding");
  let ok = true;
  ok = ok && host.echo(new Everything()).isOk;
  ok = ok && host.echoString("").isOk;
  ok = ok && host.echoBytes(new ArrayBuffer(0)).isOk;
  ok = ok && host.echoShape(Shape.fromString("s")).isOk;
  ok = ok && host.echoColor(Color.BLUE).isOk;
  ok = ok && host.echoOptional(null).isOk;
  ok = ok && host.echoMap(new Map<string, Array<i64>>()).isOk;
  ok = ok && host.describe("", 0, null, []).isOk;
  ok = ok && host.ping() === null;
  ok = ok && host.count().isOk;
  ok = ok && host.fail("").isOk;
  ok = ok && host.relay(0, "").isOk;
  ok = ok && host.log(0, "").isOk;
  return ok;
}
