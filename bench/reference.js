// Runs the reference generator (@wapc/widl-codegen) the way the old CLI did, in one process:
// read the schema, parse it, then for each target visit and write the output file.
// Run with NODE_PATH=<install dir>/node_modules.
// Usage: node reference.js <schema> <lang>:<VisitorClass>:<out> ...
const fs = require("fs");
const widl = require("@wapc/widl");
const ast = require("@wapc/widl/ast");
const [schemaPath, ...targets] = process.argv.slice(2);
const doc = widl.parse(fs.readFileSync(schemaPath, "utf8"));
for (const target of targets) {
  const [lang, visitorClass, outPath] = target.split(":");
  const language = require("@wapc/widl-codegen/" + lang);
  const writer = new ast.Writer();
  doc.accept(new ast.Context({}), new language[visitorClass](writer));
  fs.writeFileSync(outPath, writer.string());
}
