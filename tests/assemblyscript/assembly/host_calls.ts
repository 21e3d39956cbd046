// Calls every operation through the generated HostResults and Host classes, so that compiling
// this file type-checks every kind of host method (AssemblyScript compiles only the code it
// reaches).
// tests/roundtrip_assemblyscript.rs compiles it beside the generated scaffold; it is not run.

import { Color, Everything, Host, HostResults, Shape } from "./module";

export function callEveryHostOperation(): bool {
  const host = new HostResults("binding");
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
  // The old generator's form: results without Result.
  const plain = new Host("binding");
  ok = ok && plain.echo(new Everything()).list.length == 0;
  ok = ok && plain.echoString("") == "";
  ok = ok && plain.echoBytes(new ArrayBuffer(0)).byteLength == 0;
  ok = ok && plain.echoShape(Shape.fromString("s")).string_ !== null;
  ok = ok && plain.echoColor(Color.BLUE) == Color.BLUE;
  // A Value is tested by truth: it overloads `!` and `==` to compare what it holds.
  if (plain.echoOptional(null)) {
    ok = false;
  }
  ok = ok && plain.echoMap(new Map<string, Array<i64>>()).size == 0;
  ok = ok && plain.describe("", 0, null, []) == "";
  plain.ping();
  ok = ok && plain.count() == 0;
  ok = ok && plain.log(0, "") == "";
  return ok;
}
