// Loads public/module.wasm as it downloads and calls its `greet` through the generated client
// (src/module.ts), with `?name=...` from the page's address; the answer goes into #result.
import { instantiateStreaming } from "./module.js";

const result = document.getElementById("result")!;

async function main(): Promise<string> {
  // The module calls nothing on its host: no handlers.
  const client = await instantiateStreaming(fetch("module.wasm"), {});
  const name = new URLSearchParams(location.search).get("name") ?? "World";
  return client.greet({ name, excitement: 2 });
}

main().then(
  (answer) => {
    result.textContent = answer;
    result.dataset["status"] = "ok";
  },
  (error: unknown) => {
    result.textContent = String(error);
    result.dataset["status"] = "error";
  },
);
