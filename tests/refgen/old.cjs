// The old generator, for the differential tests (tests/it/differential.rs): @wapc/widl-codegen
// 0.0.7 with its own parser, @wapc/widl 0.0.6, installed outside the repository in $REFGEN_DIR
// (npm ci with this folder's package.json and package-lock.json, as .ci/run does, or
// ../shared/refgen/setup.sh).
//
//   node old.cjs parse JOBS.json         JOBS: [widl text, ...]
//   node old.cjs generate JOBS.json      JOBS: [{schema, language, visitor, config}, ...]
//   node old.cjs declarations JOBS.json  JOBS: [AssemblyScript source, ...]
//
// One process for a whole corpus. Prints a JSON array with one entry per job, in order:
// {"ok": ...} or {"error": "message"}. `parse` gives each syntax tree in the common form that
// the test also builds from wapc's; `generate` gives the source text; `declarations` the
// exported API of an AssemblyScript file (TypeScript's parser reads it), one line each.
"use strict";
const fs = require("fs");
const path = require("path");

const base = path.join(process.env.REFGEN_DIR || "/tmp/refgen", "node_modules/@wapc/widl-codegen");
const nested = path.join(base, "node_modules/@wapc/widl/dist/cjs");
const widl = fs.existsSync(nested) ? nested : path.join(base, "../widl/dist/cjs");
const { parse } = require(path.join(widl, "index.js"));
const { Context, Writer } = require(path.join(widl, "ast/index.js"));

const [command, jobsPath] = process.argv.slice(2);
const jobs = JSON.parse(fs.readFileSync(jobsPath, "utf8"));

function attempt(run) {
  try {
    return { ok: run() };
  } catch (e) {
    return { error: String((e && e.message) || e) };
  }
}

// ---- the common form of a syntax tree ----------------------------------------------------
// Only what a schema says: no locations. Optional parts are present only when given.

function text(node) {
  return node === undefined || node === null ? undefined : node.value;
}

function withDescription(out, node) {
  const description = text(node.description);
  if (description !== undefined) out.description = description;
  return out;
}

function type(node) {
  switch (node.getKind()) {
    case "Named":
      return { named: node.name.value };
    case "ListType":
      return { list: type(node.type) };
    case "MapType":
      return { map: [type(node.keyType), type(node.valueType)] };
    case "Optional":
      return { optional: type(node.type) };
  }
  throw new Error(`unknown type node ${node.getKind()}`);
}

function value(node) {
  switch (node.getKind()) {
    case "IntValue":
      return { int: node.value };
    case "FloatValue":
      return { float: node.value };
    case "StringValue":
      return { string: node.value };
    case "BooleanValue":
      return { bool: node.value };
    // 0.0.6 has no null literal: `null` is the enum value of that name.
    case "EnumValue":
      return node.value === "null" ? { null: true } : { enum: node.value };
    case "ListValue":
      return { list: node.value.map(value) };
    case "ObjectValue":
      return { object: node.fields.map((f) => [f.name.value, value(f.value)]) };
  }
  throw new Error(`unknown value node ${node.getKind()}`);
}

function annotations(list) {
  return (list || []).map((a) => ({
    name: a.name.value,
    arguments: a.arguments.map((arg) => ({ name: arg.name.value, value: value(arg.value) })),
  }));
}

function valued(node) {
  const out = withDescription({}, node);
  out.name = node.name.value;
  out.type = type(node.type);
  if (node.default !== undefined) out.default = value(node.default);
  out.annotations = annotations(node.annotations);
  return out;
}

function operation(node) {
  const out = withDescription({}, node);
  out.name = node.name.value;
  out.parameters = node.parameters.map(valued);
  out.unary = Boolean(node.unary);
  // Without `: T`, 0.0.6 records the return type `void`, as does `: void`.
  const returns = node.type.getKind() === "Named" && node.type.name.value === "void" ? null : type(node.type);
  out.returns = returns;
  out.annotations = annotations(node.annotations);
  return out;
}

function definition(node) {
  const kind = node.getKind().replace(/Definition$/, "");
  const out = withDescription({ kind }, node);
  switch (kind) {
    case "Namespace":
      out.name = node.name.value;
      break;
    case "Import":
      out.all = node.all;
      out.names = node.names.map((n) => (n.alias ? { name: n.name.value, alias: n.alias.value } : { name: n.name.value }));
      out.from = node.from.value;
      break;
    case "Type":
      out.name = node.name.value;
      out.interfaces = node.interfaces.map((i) => i.name.value);
      out.fields = node.fields.map(valued);
      break;
    case "Interface":
      out.operations = node.operations.map(operation);
      break;
    case "Role":
      out.name = node.name.value;
      out.operations = node.operations.map(operation);
      break;
    case "Union":
      out.name = node.name.value;
      out.types = node.types.map(type);
      break;
    case "Enum":
      out.name = node.name.value;
      out.values = node.values.map((v) => {
        const value = withDescription({}, v);
        value.name = v.name.value;
        value.index = v.index.value;
        const display = text(v.display);
        if (display !== undefined) value.display = display;
        value.annotations = annotations(v.annotations);
        return value;
      });
      break;
    case "Directive":
      out.name = node.name.value;
      out.parameters = node.parameters.map(valued);
      out.locations = node.locations.map((l) => l.value);
      out.requires = node.requires.map((r) => ({ directive: r.directive.value, locations: r.locations.map((l) => l.value) }));
      return out;
    default:
      throw new Error(`unknown definition ${node.getKind()}`);
  }
  out.annotations = annotations(node.annotations);
  return out;
}

function tree(widlText) {
  return parse(widlText, undefined, { noLocation: true }).definitions.map(definition);
}

// ---- generation ----------------------------------------------------------------------------

const modules = {};
function generate(job) {
  const language = (modules[job.language] ||= require(path.join(base, "dist/cjs", job.language, "index.js")));
  const document = parse(job.schema, undefined, { noLocation: true });
  const writer = new Writer();
  document.accept(new Context(job.config || {}), new language[job.visitor](writer));
  return writer.string();
}

// ---- AssemblyScript declarations ---------------------------------------------------------
// `class X`, `field X.name: T`, `method X.name(T, U): R`, `static X.name(T): R`,
// `constructor X(T)`, `function name(T): R`, `const name: T`, `type X = T`, `enum X`,
// `enum member X.A`: exported top-level declarations and their public members, parameter
// names left out (callers do not see them), types as written with spaces dropped.

let ts;
function spelled(node) {
  return node ? node.getText().replace(/\s+/g, "") : "";
}

function hidden(member) {
  const flags = ts.getCombinedModifierFlags(member);
  return (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) !== 0 || (member.name && ts.isPrivateIdentifier(member.name));
}

// A parameter whose type is the function's own type parameter takes any type: `*`.
function signature(node) {
  const generic = new Set((node.typeParameters || []).map((t) => t.name.text));
  const parameters = node.parameters.map((p) => (generic.has(spelled(p.type)) ? "*" : spelled(p.type)) + (p.questionToken || p.initializer ? "?" : ""));
  return `(${parameters.join(", ")})` + (node.type ? `: ${spelled(node.type)}` : "");
}

function declarations(source) {
  ts ||= require(path.join(process.env.REFGEN_DIR || "/tmp/refgen", "node_modules/typescript"));
  const file = ts.createSourceFile("module.ts", source, ts.ScriptTarget.Latest, true);
  if (file.parseDiagnostics.length > 0) {
    const first = file.parseDiagnostics[0];
    throw new Error(`${first.start}: ${ts.flattenDiagnosticMessageText(first.messageText, " ")}`);
  }
  const out = [];
  for (const statement of file.statements) {
    const exported = (ts.getCombinedModifierFlags(statement) & ts.ModifierFlags.Export) !== 0;
    if (!exported) continue;
    if (ts.isClassDeclaration(statement)) {
      const name = statement.name.text;
      out.push(`class ${name}`);
      for (const member of statement.members) {
        if (hidden(member)) continue;
        const isStatic = (ts.getCombinedModifierFlags(member) & ts.ModifierFlags.Static) !== 0;
        if (ts.isPropertyDeclaration(member)) {
          out.push(`${isStatic ? "static field" : "field"} ${name}.${member.name.getText()}: ${spelled(member.type)}`);
        } else if (ts.isMethodDeclaration(member)) {
          out.push(`${isStatic ? "static" : "method"} ${name}.${member.name.getText()}${signature(member)}`);
        } else if (ts.isConstructorDeclaration(member)) {
          out.push(`constructor ${name}${signature(member)}`);
        }
      }
    } else if (ts.isFunctionDeclaration(statement)) {
      out.push(`function ${statement.name.text}${signature(statement)}`);
    } else if (ts.isVariableStatement(statement)) {
      for (const d of statement.declarationList.declarations) {
        out.push(`const ${d.name.getText()}: ${spelled(d.type)}`);
      }
    } else if (ts.isTypeAliasDeclaration(statement)) {
      out.push(`type ${statement.name.text} = ${spelled(statement.type)}`);
    } else if (ts.isEnumDeclaration(statement)) {
      out.push(`enum ${statement.name.text}`);
      for (const member of statement.members) out.push(`enum member ${statement.name.text}.${member.name.getText()}`);
    }
  }
  return out;
}

const run = { parse: tree, generate, declarations }[command];
if (!run) {
  console.error("usage: node old.cjs parse|generate|declarations JOBS.json");
  process.exit(2);
}
process.stdout.write(JSON.stringify(jobs.map((job) => attempt(() => run(job)))));
