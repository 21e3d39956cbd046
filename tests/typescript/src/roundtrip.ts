// The generated typescript/host client on @wapc/host runs every round-trip guest (Rust,
// AssemblyScript, standard Go), each built once by the matrix test: every WIDL type crosses
// the boundary unchanged, the guest calls the host through the generated hostCall, and errors
// travel both ways. The checks mirror those of the Rust host (tests/roundtrip/host) and the Go
// host (tests/go/host/roundtrip_test.go); the encodings are checked against
// tests/roundtrip/vectors.txt.
//
// Usage: node build/roundtrip.js <vectors.txt> <name>=<module.wasm>...

import { encode as encodeMessagePack } from "@msgpack/msgpack";
import { readFileSync } from "node:fs";

import {
  Color,
  type Everything,
  type HostHandlers,
  type Point,
  type Shape,
  decodeEverything,
  encodeColor,
  encodeDescribeArgs,
  encodeEverything,
  encodeLogArgs,
  encodePoint,
  encodeShape,
  hostCall,
  instantiate,
} from "./generated.js";

// Serves the Logger role as the Rust and Go hosts do; its error holds non-ASCII text, which
// @wapc/host alone would cut short.
const handlers: HostHandlers = {
  Logger: {
    log(level, message) {
      if (level > 5) {
        throw new Error(`no such level: ${level} (niveau inconnu ✗)`);
      }
      return `logged ${JSON.stringify(message)} at level ${level}`;
    },
  },
};

// @ts-expect-error: an async handler's Promise would reach the module as empty bytes.
const asyncHandlers: HostHandlers = { Logger: { async log() { return "late"; } } };

function point(x: number, y: number): Point {
  return { x, y };
}

function everything(): Everything {
  const p = point(-1.5, 2.25);
  return {
    i8: -0x80,
    i16: -0x8000,
    i32: -0x80000000,
    i64: -(2n ** 63n),
    u8: 0xff,
    u16: 0xffff,
    u32: 0xffffffff,
    u64: 2n ** 64n - 1n,
    f32: 3.4028234663852886e38,
    f64: -2.2250738585072014e-308,
    bool: true,
    string: 'héllo, wörld: 日本語 🦀 \u0000 "quoted"',
    datetime: "2026-11-25T12:00:00.123456789Z",
    bytes: new Uint8Array([0, 1, 2, 254, 255]),
    // A raw value is its encoding, made here by @msgpack/msgpack.
    raw: encodeMessagePack([1, "two", null]),
    color: Color.BLUE,
    shape: { kind: "Circle", value: { center: p, radius: 3.5 } },
    label: "a label",
    tags: ["a", "", "ç"],
    optionalString: undefined,
    optionalPoint: p,
    optionalBytes: new Uint8Array(0),
    list: [2n ** 63n - 1n, 0n, -1n],
    nestedList: [[], ["x", "y"]],
    map: new Map([["minus", -1n]]),
    nestedMap: new Map([["outer", new Map([["inner", [p, p]]])]]),
    colorMap: new Map([[Color.GREEN, "g"]]),
    listOfMaps: [new Map([["k", new Uint8Array([9, 8, 7])]])],
    type: "keyword",
    match: 42,
  };
}

// Whether `a` and `b` are the same value: maps, arrays and bytes entry by entry, numbers by
// Object.is (so -0 is not 0), objects by their own properties.
function same(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) {
    return true;
  }
  if (a instanceof Map && b instanceof Map) {
    return a.size === b.size && [...a].every(([key, value]) => b.has(key) && same(value, b.get(key)));
  }
  if ((a instanceof Uint8Array && b instanceof Uint8Array) || (Array.isArray(a) && Array.isArray(b))) {
    return a.length === b.length && Array.from(a).every((item, i) => same(item, b[i]));
  }
  if (typeof a === "object" && typeof b === "object" && a !== null && b !== null) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((key) => same((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
  }
  return false;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// The error `run` throws or rejects with, as text; "" when it succeeds.
async function failure(run: () => unknown): Promise<string> {
  try {
    await run();
    return "";
  } catch (error) {
    return String(error);
  }
}

function checkVectors(path: string): void {
  const vectors = new Map<string, string>();
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const [name, encoded] = line.trim().split(" ");
    if (name && encoded && !name.startsWith("#")) {
      vectors.set(name, encoded);
    }
  }
  const encodings: [string, Uint8Array][] = [
    ["point", encodePoint(point(1, -2.5))],
    ["color", encodeColor(Color.BLUE)],
    ["shape_circle", encodeShape({ kind: "Circle", value: { center: point(0, 0), radius: 1.5 } })],
    ["shape_string", encodeShape({ kind: "string", value: "s" })],
    ["everything", encodeEverything(everything())],
    ["describe_args", encodeDescribeArgs({ name: "n", count: 7, point: undefined, tags: ["t"] })],
  ];
  for (const [name, bytes] of encodings) {
    if (hex(bytes) !== vectors.get(name)) {
      throw new Error(`the encoding of \`${name}\` differs from vectors.txt: ${hex(bytes)}`);
    }
  }
  const decoded = decodeEverything(encodeEverything(everything()));
  if (!same(decoded, everything())) {
    throw new Error("the Rust target's bytes of every type do not decode back");
  }
  console.log(`vectors ok: ${encodings.length} encodings match`);
}

async function roundTrip(name: string, module: Uint8Array): Promise<void> {
  const client = await instantiate(module, handlers);
  let checks = 0;
  const check = (what: string, ok: boolean): void => {
    if (!ok) {
      throw new Error(`${name}: round trip failed: ${what}`);
    }
    checks++;
  };

  const value = everything();
  check("every type", same(await client.echo(value), value));
  // The guest re-encodes what it decoded: the host's bytes must come back exactly.
  const request = encodeEverything(value);
  check("every type, byte for byte", hex(await client.host.invoke("echo", request)) === hex(request));
  const unicode = "𝄞 – ünïcödé – \u{10FFFF}";
  check("string", (await client.echoString(unicode)) === unicode);
  check("empty string", (await client.echoString("")) === "");
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  check("bytes", same(await client.echoBytes(all), all));
  const shapes: Shape[] = [
    { kind: "Point", value: point(0, -0) },
    { kind: "string", value: "a string member" },
  ];
  for (const shape of shapes) {
    check("union", same(await client.echoShape(shape), shape));
  }
  for (const color of [Color.RED, Color.GREEN, Color.BLUE]) {
    check("enum", (await client.echoColor(color)) === color);
  }
  check("optional none", (await client.echoOptional(undefined)) === undefined);
  check("optional some", (await client.echoOptional(-(2n ** 63n))) === -(2n ** 63n));
  const lists = new Map([["a", [1n, 2n]], ["b", []]]);
  check("map", same(await client.echoMap(lists), lists));
  check("parameters", (await client.describe("widget", 3, point(1, 2), ["new", "blue"])) === "widget x3 at (1, 2) [new, blue]");
  check("absent optional parameter", (await client.describe("none", 0, undefined, [])) === "none x0 at none []");
  await client.ping();
  await client.ping();
  check("void operations", (await client.count()) === 2n);
  check("guest error", (await failure(() => client.fail("it broke"))).includes("it broke"));
  check("guest to host call", (await client.relay(2, "hi 👋")) === 'host said: logged "hi 👋" at level 2');
  // All of it: @wapc/host alone would cut the error short by its non-ASCII characters.
  check("host error", (await failure(() => client.relay(9, "too loud"))).includes("no such level: 9 (niveau inconnu ✗)"));
  check("unknown operation", (await failure(() => client.host.invoke("nosuch", new Uint8Array(0)))).includes("nosuch"));
  // The wire format is fixed: a type is a map keyed by the WIDL field names.
  check("wire format", hex(encodePoint(point(1, 2))) === "82a178cb3ff0000000000000a179cb4000000000000000");
  console.log(`${name}: round trip ok: ${checks} checks passed`);
}

// The host side alone: what the module gets for calls that the host cannot serve.
async function checkHostCall(): Promise<void> {
  const call = hostCall(handlers);
  const log = encodeLogArgs({ level: 1, message: "m" });
  const errors = [
    ["an unknown operation", await failure(() => call("", "roundtrip", "nosuch", new Uint8Array(0))), "no operation `nosuch`"],
    ["another namespace", await failure(() => call("", "elsewhere", "log", log)), "namespace `elsewhere`"],
    ["another binding", await failure(() => hostCall(handlers, "mine")("theirs", "roundtrip", "log", log)), "binding `theirs`"],
    ["an async handler", await failure(() => hostCall(asyncHandlers)("", "roundtrip", "log", log)), "returned a Promise"],
    ["arguments that do not decode", await failure(() => call("", "roundtrip", "log", new Uint8Array([0xc1]))), "cannot decode"],
  ];
  for (const [what, error, expected] of errors) {
    if (!error.includes(expected!)) {
      throw new Error(`hostCall on ${what}: ${JSON.stringify(error)} lacks ${JSON.stringify(expected)}`);
    }
  }
  console.log(`host calls ok: ${errors.length} refusals`);
}

const [vectors, ...guests] = process.argv.slice(2);
if (vectors === undefined) {
  throw new Error("usage: node build/roundtrip.js <vectors.txt> <name>=<module.wasm>...");
}
checkVectors(vectors);
await checkHostCall();
for (const guest of guests) {
  const [name, path] = guest.split("=", 2);
  if (!name || !path) {
    throw new Error(`${guest} is not name=module.wasm`);
  }
  await roundTrip(name, readFileSync(path));
}
