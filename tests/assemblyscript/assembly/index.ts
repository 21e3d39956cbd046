// A waPC guest built on the generated `assemblyscript/module` code: it echoes values back,
// calls the host, and fails on request, so that the Rust host (tests/roundtrip/host) can
// check every type crossing the boundary. It mirrors tests/roundtrip/guest/src/lib.rs.

import { handleAbort, handleCall, Result } from "@wapc/as-guest";
import {
  Color,
  Everything,
  Handlers,
  HostResults,
  Nullable,
  Point,
  Shape,
  Tags,
} from "./module";

let calls: u64 = 0;

export function wapc_init(): void {
  Handlers.registerEcho(echo);
  Handlers.registerEchoString(echoString);
  Handlers.registerEchoBytes(echoBytes);
  Handlers.registerEchoShape(echoShape);
  Handlers.registerEchoColor(echoColor);
  Handlers.registerEchoOptional(echoOptional);
  Handlers.registerEchoMap(echoMap);
  Handlers.registerDescribe(describe);
  Handlers.registerPing(ping);
  Handlers.registerCount(count);
  Handlers.registerFail(fail);
  Handlers.registerRelay(relay);
}

function echo(value: Everything): Result<Everything> {
  return Result.ok(value);
}

function echoString(value: string): Result<string> {
  return Result.ok(value);
}

function echoBytes(value: ArrayBuffer): Result<ArrayBuffer> {
  return Result.ok(value);
}

function echoShape(value: Shape): Result<Shape> {
  return Result.ok(value);
}

function echoColor(value: Color): Result<Color> {
  return Result.ok(value);
}

function echoOptional(value: Nullable<i64> | null): Result<Nullable<i64> | null> {
  return Result.ok(value);
}

function echoMap(value: Map<string, Array<i64>>): Result<Map<string, Array<i64>>> {
  return Result.ok(value);
}

// Rust's `{}` of an f64: no ".0" on whole numbers.
function formatFloat(value: f64): string {
  const text = value.toString();
  return text.endsWith(".0") ? text.slice(0, text.length - 2) : text;
}

function describe(name: string, count: u32, point: Point | null, tags: Tags): Result<string> {
  const at = point === null ? "none" : "(" + formatFloat(point.x) + ", " + formatFloat(point.y) + ")";
  return Result.ok(name + " x" + count.toString() + " at " + at + " [" + tags.join(", ") + "]");
}

function ping(): Error | null {
  calls++;
  return null;
}

function count(): Result<u64> {
  return Result.ok(calls);
}

function fail(message: string): Result<string> {
  return Result.error<string>(new Error(message));
}

function relay(level: u8, message: string): Result<string> {
  const answer = new HostResults().log(level, message);
  if (!answer.isOk) {
    return Result.error<string>(answer.error()!);
  }
  return Result.ok("host said: " + answer.get());
}

// The waPC entry point: the host calls it for every operation.
export function __guest_call(operation_size: usize, payload_size: usize): bool {
  return handleCall(operation_size, payload_size);
}

// Reports an abort to the host as the call's error (built with `--use abort=assembly/index/abort`).
function abort(
  message: string | null,
  fileName: string | null,
  lineNumber: u32,
  columnNumber: u32
): void {
  handleAbort(message, fileName, lineNumber, columnNumber);
}
