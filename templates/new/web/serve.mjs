// Serves public/ over HTTP on localhost, `.wasm` as application/wasm (which
// WebAssembly.instantiateStreaming requires): `node serve.mjs [port]` (8080; 0 picks a free
// one). Prints the page's address once it listens.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";

const root = join(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "public");
const types = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
};

const server = createServer(async (request, response) => {
  const path = decodeURIComponent(new URL(request.url ?? "/", "http://localhost").pathname);
  const file = normalize(join(root, path.endsWith("/") ? `${path}index.html` : path));
  try {
    if (!file.startsWith(root)) {
      throw new Error("outside public/");
    }
    const body = await readFile(file);
    response.writeHead(200, { "Content-Type": types[extname(file)] ?? "application/octet-stream" });
    response.end(body);
  } catch {
    response.writeHead(404, { "Content-Type": "text/plain" });
    response.end(`${path}: not found\n`);
  }
});

server.listen(Number(process.argv[2] ?? 8080), "127.0.0.1", () => {
  console.log(`serving public/ on http://127.0.0.1:${server.address().port}/`);
});
