// Runs the integer vectors through assembly/index.ts compiled to wasm (with --exportRuntime):
//   node run.cjs module.wasm vectors.txt
// Each line of vectors.txt is a field number and a MessagePack message in hex; each line
// printed is what decodeField answered.
const fs = require("fs");
const [wasm, vectors] = process.argv.slice(2);
const instance = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(wasm)), {
  env: {
    abort() {
      throw new Error("abort");
    },
  },
});
const { memory, decodeField, __new, __pin, __unpin } = instance.exports;
const ARRAY_BUFFER_ID = 1; // AssemblyScript's class id of ArrayBuffer
for (const line of fs.readFileSync(vectors, "utf8").split("\n").filter(Boolean)) {
  const [field, hex] = line.split(" ");
  const bytes = Buffer.from(hex, "hex");
  const message = __pin(__new(bytes.length, ARRAY_BUFFER_ID));
  new Uint8Array(memory.buffer, message, bytes.length).set(bytes);
  const text = decodeField(message, Number(field));
  __unpin(message);
  // A string is UTF-16 code units, its length in bytes in the header word before it.
  const length = new Uint32Array(memory.buffer)[(text - 4) >>> 2];
  console.log(Buffer.from(memory.buffer, text, length).toString("utf16le"));
}
