// The little of Node's API that the round-trip host uses (so that it needs no @types/node).
declare module "node:fs" {
  export function readFileSync(path: string): Uint8Array;
  export function readFileSync(path: string, encoding: "utf8"): string;
}

declare const process: { argv: string[]; exitCode: number | undefined };
