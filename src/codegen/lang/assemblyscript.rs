//! The AssemblyScript target: how WIDL names and types are spelled in AssemblyScript, and the
//! MessagePack code (on `@wapc/as-msgpack`) that reads and writes each type.
//!
//! Codec code is built here rather than in templates because it nests: a `{string: [Point]}`
//! becomes a loop inside a loop. The statements come back as lines indented relative to the
//! first one; templates place them with the `assemblyscript/_code` partial, which indents
//! every line to where the partial is called.

use std::sync::LazyLock;

use crate::codegen::language::{Formatter, Language, LanguageHelpers, TemplateFolder};
use crate::codegen::names::{Case, NameSet, case};
use crate::codegen::spelling::{self, Spelling};
use crate::codegen::ty::{Kind, Ty};
use crate::parser::ast::Primitive;

/// AssemblyScript: `.ts` files, the `assemblyscript/` templates, prettier.
pub(crate) const LANGUAGE: Language = Language {
    name: "AssemblyScript",
    extensions: &["ts"],
    template_folders: &[TemplateFolder {
        name: "assemblyscript",
        visitors: &[("ModuleVisitor", "module"), ("ScaffoldVisitor", "scaffold")],
    }],
    helpers: HELPERS,
    type_name,
    member_name: value_name,
    formatter: Some(Formatter {
        program: "prettier",
        args: &["--parser", "typescript"],
    }),
};

const HELPERS: LanguageHelpers = LanguageHelpers {
    strings: &[
        ("as_name", value_name),
        ("as_method", method_name),
        ("as_register", register_method),
        ("as_with", builder_method),
        ("as_type_name", type_name),
        ("as_str", string_literal),
        ("as_this", field_of_this),
    ],
    types: &[
        ("as_type", type_of),
        ("as_default", default_of),
        ("as_member", member_name),
        ("as_member_type", member_type),
    ],
    type_exprs: &[
        ("as_encode", encode),
        ("as_decode", decode),
        ("as_decode_const", decode_const),
        ("as_unwrap", unwrap),
        ("as_box", boxed),
        ("as_present", present),
    ],
};

/// Words that cannot name a variable or a parameter in AssemblyScript (or are confusing as one:
/// its type names), and the names of the generated code's own locals.
const RESERVED_NAMES: [&str; 96] = [
    // JavaScript and TypeScript keywords, strict-mode and contextual ones included.
    "abstract",
    "any",
    "as",
    "async",
    "await",
    "boolean",
    "break",
    "case",
    "catch",
    "class",
    "const",
    "constructor",
    "continue",
    "debugger",
    "declare",
    "default",
    "delete",
    "do",
    "else",
    "enum",
    "export",
    "extends",
    "false",
    "finally",
    "for",
    "from",
    "function",
    "get",
    "if",
    "implements",
    "import",
    "in",
    "instanceof",
    "interface",
    "is",
    "keyof",
    "let",
    "module",
    "namespace",
    "never",
    "new",
    "null",
    "number",
    "of",
    "package",
    "private",
    "protected",
    "public",
    "readonly",
    "require",
    "return",
    "set",
    "static",
    "super",
    "switch",
    "symbol",
    "this",
    "throw",
    "true",
    "try",
    "type",
    "typeof",
    "undefined",
    "unique",
    "unknown",
    "var",
    "void",
    "while",
    "with",
    "yield",
    // AssemblyScript's value types.
    "bool",
    "f32",
    "f64",
    "i16",
    "i32",
    "i64",
    "i8",
    "isize",
    "string",
    "u16",
    "u32",
    "u64",
    "u8",
    "usize",
    "v128",
    // Members of the generated classes (codecs and the host client), which fields and
    // operations must not shadow.
    "binding",
    "decode",
    "encode",
    "toBuffer",
    // Locals of the generated host methods, where parameters are in scope too.
    "args",
    "decoder",
    "failure",
    "output",
    "request",
    "response",
    "writer",
];

/// Names the generated module itself defines or imports, so schema types must not take them.
const RESERVED_TYPES: [&str; 24] = [
    "Array",
    "ArrayBuffer",
    "Codec",
    "DataReader",
    "Date",
    "Decoder",
    "Encoder",
    "Error",
    "Function",
    "Handlers",
    "Host",
    "HostError",
    "HostResults",
    "Map",
    "Math",
    "Nullable",
    "Object",
    "Result",
    "Set",
    "Sizer",
    "String",
    "StaticArray",
    "Value",
    "Writer",
];

/// A field, parameter, method or enum value name: kept as written, with a trailing underscore
/// where it is a reserved word (`type` → `type_`).
pub fn value_name(name: &str) -> String {
    let name = if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{name}")
    } else {
        name.to_string()
    };
    // A set: every name written asks, and the list runs to a hundred words.
    static RESERVED: LazyLock<NameSet> = LazyLock::new(|| RESERVED_NAMES.into_iter().collect());
    if RESERVED.contains(name.as_str()) {
        format!("{name}_")
    } else {
        name
    }
}

/// Words that cannot name a method of the generated host classes: AssemblyScript's member
/// modifiers, and the classes' own members. Other keywords can (`get`, `delete`), and keep the
/// operation's name there, as the old generator did.
const RESERVED_METHODS: [&str; 10] = [
    "abstract",
    "binding",
    "constructor",
    "declare",
    "override",
    "private",
    "protected",
    "public",
    "readonly",
    "static",
];

/// A host method's name: the operation's (in the old generator's spelling, its camelCase:
/// `getURL` → `getUrl`), with a trailing underscore where it is one of `RESERVED_METHODS`
/// (`static` → `static_`).
pub fn method_name(name: &str) -> String {
    let camel;
    let name = if Spelling::current().is_old() {
        camel = spelling::old_camel(name);
        camel.as_str()
    } else {
        name
    };
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        value_name(name)
    } else if RESERVED_METHODS.contains(&name) {
        format!("{name}_")
    } else {
        name.to_string()
    }
}

/// The `Handlers` method that registers the operation `name`: `registerGetUrl` for `getURL`
/// (in the old generator's spelling `registerGetURL`).
pub fn register_method(name: &str) -> String {
    if Spelling::current().is_old() {
        format!("register{}", spelling::capitalized(name))
    } else {
        format!("register{}", case(name, Case::UpperCamel))
    }
}

/// The builder method that sets the field `name`: `with` and the name with its first letter
/// in capitals, as the old generator wrote it (`statusCode` → `withStatusCode`).
pub fn builder_method(name: &str) -> String {
    format!("with{}", spelling::capitalized(name))
}

/// A class, enum or alias name: `http_request` → `HttpRequest` (in the old generator's
/// spelling capitalised as written: `HTTPResponse`).
pub fn type_name(name: &str) -> String {
    if Spelling::current().is_old() {
        crate::codegen::names::usable_type_name(spelling::capitalized(name), &RESERVED_TYPES)
    } else {
        crate::codegen::names::pascal_type_name(name, &RESERVED_TYPES)
    }
}

/// A string literal holding `text` (JSON's escapes are valid in AssemblyScript).
pub fn string_literal(text: &str) -> String {
    let json = serde_json::Value::String(text.to_string()).to_string();
    // JSON leaves line and paragraph separators (line terminators to some parsers) and
    // direction marks as they are.
    let mut literal = String::with_capacity(json.len());
    for c in json.chars() {
        if crate::codegen::text::misleading(c) {
            literal.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            literal.push(c);
        }
    }
    literal
}

/// The property of `this` that holds the field `name`.
pub fn field_of_this(name: &str) -> String {
    format!("this.{}", value_name(name))
}

/// Whether values of the type are not references (numbers, booleans, enums), so that an
/// optional one needs a `Value` box (as-msgpack's).
fn is_value_type(ty: &Ty) -> bool {
    match ty.resolved() {
        Ty::Primitive { name } => match name {
            Primitive::I8
            | Primitive::I16
            | Primitive::I32
            | Primitive::I64
            | Primitive::U8
            | Primitive::U16
            | Primitive::U32
            | Primitive::U64
            | Primitive::F32
            | Primitive::F64
            | Primitive::Bool => true,
            Primitive::String | Primitive::Datetime | Primitive::Bytes | Primitive::Raw => false,
        },
        Ty::Named { of: Kind::Enum, .. } => true,
        _ => false,
    }
}

/// The AssemblyScript type of a WIDL type.
pub fn type_of(ty: &Ty) -> String {
    match ty {
        Ty::Primitive { name } => match name {
            Primitive::String | Primitive::Datetime => "string".to_string(),
            // `raw` holds one encoded MessagePack value.
            Primitive::Bytes | Primitive::Raw => "ArrayBuffer".to_string(),
            // Spelled as in AssemblyScript.
            Primitive::I8
            | Primitive::I16
            | Primitive::I32
            | Primitive::I64
            | Primitive::U8
            | Primitive::U16
            | Primitive::U32
            | Primitive::U64
            | Primitive::F32
            | Primitive::F64
            | Primitive::Bool => name.name().to_string(),
        },
        Ty::Named { name, .. } => type_name(name),
        // A stream is delivered whole over waPC's request/response calls.
        Ty::List { item } | Ty::Stream { inner: item } => format!("Array<{}>", type_of(item)),
        Ty::Map { key, value } => format!("Map<{}, {}>", type_of(key), type_of(value)),
        Ty::Optional { inner } => match inner.as_ref() {
            Ty::Optional { .. } => type_of(inner),
            inner if is_value_type(inner) => format!("Value<{}> | null", type_of(inner)),
            inner => format!("{} | null", type_of(inner)),
        },
    }
}

/// The value a field of the type starts with.
pub fn default_of(ty: &Ty) -> String {
    match ty {
        Ty::Primitive { name } => match name {
            Primitive::Bool => "false".to_string(),
            Primitive::String | Primitive::Datetime => "\"\"".to_string(),
            Primitive::Bytes | Primitive::Raw => "new ArrayBuffer(0)".to_string(),
            Primitive::I8
            | Primitive::I16
            | Primitive::I32
            | Primitive::I64
            | Primitive::U8
            | Primitive::U16
            | Primitive::U32
            | Primitive::U64
            | Primitive::F32
            | Primitive::F64 => "0".to_string(),
        },
        Ty::Named {
            name, of, resolved, ..
        } => match (of, resolved) {
            (Kind::Enum, _) => format!("<{}>0", type_name(name)),
            (Kind::Alias, Some(target)) => default_of(target),
            _ => format!("new {}()", type_name(name)),
        },
        Ty::List { .. } | Ty::Stream { .. } | Ty::Map { .. } => format!("new {}()", type_of(ty)),
        Ty::Optional { .. } => "null".to_string(),
    }
}

/// The property of a union class that holds a member: `point`, `string_`, `listOfString`.
pub fn member_name(ty: &Ty) -> String {
    value_name(&case(&variant(ty), Case::LowerCamel))
}

/// The type of a union member's property: the member type, nullable.
pub fn member_type(ty: &Ty) -> String {
    type_of(&Ty::Optional {
        inner: Box::new(ty.clone()),
    })
}

fn variant(ty: &Ty) -> String {
    match ty {
        Ty::Primitive { name } => case(name.name(), Case::UpperCamel),
        Ty::Named { name, .. } => case(name, Case::UpperCamel),
        Ty::List { item } => format!("ListOf{}", variant(item)),
        Ty::Map { key, value } => format!("MapOf{}To{}", variant(key), variant(value)),
        Ty::Optional { inner } => format!("Optional{}", variant(inner)),
        Ty::Stream { inner } => format!("StreamOf{}", variant(inner)),
    }
}

/// The value inside an expression of the nullable form of `ty` that is known not to be null.
pub fn unwrap(ty: &Ty, expr: &str) -> String {
    if is_value_type(ty) {
        format!("{expr}!.value")
    } else {
        format!("{expr}!")
    }
}

/// `expr`, of type `ty`, as a value of its nullable form.
pub fn boxed(ty: &Ty, expr: &str) -> String {
    if is_value_type(ty) {
        format!("new Value<{}>({expr})", type_of(ty))
    } else {
        expr.to_string()
    }
}

/// The condition that `expr`, of the nullable form of `ty`, is not null. A `Value` is tested
/// by truth: it overloads `==` and `!` to compare what it holds, and `=== null` does not compile.
pub fn present(ty: &Ty, expr: &str) -> String {
    if is_value_type(ty) {
        expr.to_string()
    } else {
        format!("{expr} !== null")
    }
}

/// Statements that write `expr`, of type `ty`, to `writer`.
pub fn encode(ty: &Ty, expr: &str) -> String {
    let mut lines = Vec::new();
    encode_into(ty, expr, 0, "", &mut lines);
    lines.join("\n")
}

fn encode_into(ty: &Ty, expr: &str, depth: usize, indent: &str, out: &mut Vec<String>) {
    let line = |text: String| format!("{indent}{text}");
    let deeper = format!("{indent}  ");
    match ty {
        Ty::Primitive { name } => out.push(line(match name {
            // Not as-msgpack's writeInt*: rmp-serde writes a non-negative integer unsigned.
            Primitive::I8 | Primitive::I16 | Primitive::I32 | Primitive::I64 => {
                format!("writeInt(writer, <i64>{expr});")
            }
            Primitive::U8 => format!("writer.writeUInt8({expr});"),
            Primitive::U16 => format!("writer.writeUInt16({expr});"),
            Primitive::U32 => format!("writer.writeUInt32({expr});"),
            Primitive::U64 => format!("writer.writeUInt64({expr});"),
            Primitive::F32 => format!("writer.writeFloat32({expr});"),
            Primitive::F64 => format!("writer.writeFloat64({expr});"),
            Primitive::Bool => format!("writer.writeBool({expr});"),
            Primitive::Bytes => format!("writeBytes(writer, {expr});"),
            Primitive::Raw => format!("writeRaw(writer, {expr});"),
            Primitive::String | Primitive::Datetime => format!("writer.writeString({expr});"),
        })),
        Ty::Named {
            of: Kind::Enum,
            name,
            ..
        } => out.push(line(format!("encode{}(writer, {expr});", type_name(name)))),
        Ty::Named {
            of: Kind::Alias,
            resolved: Some(target),
            ..
        } => encode_into(target, expr, depth, indent, out),
        Ty::Named { .. } => out.push(line(format!("{expr}.encode(writer);"))),
        Ty::List { item } | Ty::Stream { inner: item } => {
            let (i, each) = (format!("i{depth}"), format!("item{depth}"));
            out.push(line(format!("writer.writeArraySize(<u32>{expr}.length);")));
            out.push(line(format!(
                "for (let {i} = 0; {i} < {expr}.length; {i}++) {{"
            )));
            out.push(format!("{deeper}const {each} = {expr}[{i}];"));
            encode_into(item, &each, depth + 1, &deeper, out);
            out.push(line("}".to_string()));
        }
        Ty::Map { key, value } => {
            let (i, keys, k, v) = (
                format!("i{depth}"),
                format!("keys{depth}"),
                format!("key{depth}"),
                format!("value{depth}"),
            );
            out.push(line(format!("writer.writeMapSize(<u32>{expr}.size);")));
            out.push(line(format!(
                "for (let {i} = 0, {keys} = {expr}.keys(); {i} < {keys}.length; {i}++) {{"
            )));
            out.push(format!("{deeper}const {k} = {keys}[{i}];"));
            out.push(format!("{deeper}const {v} = {expr}.get({k});"));
            encode_into(key, &k, depth + 1, &deeper, out);
            encode_into(value, &v, depth + 1, &deeper, out);
            out.push(line("}".to_string()));
        }
        Ty::Optional { inner } => {
            out.push(line(format!("if ({}) {{", present(inner, expr))));
            encode_into(inner, &unwrap(inner, expr), depth, &deeper, out);
            out.push(line("} else {".to_string()));
            out.push(format!("{deeper}writer.writeNil();"));
            out.push(line("}".to_string()));
        }
    }
}

/// The expression that reads a value of `ty`, where that takes no statements.
fn read_expr(ty: &Ty) -> Option<String> {
    Some(match ty {
        Ty::Primitive { name } => match name {
            // Not as-msgpack's readInt* / readUInt*: its Decoder misreads some 16-bit integers.
            Primitive::I8 | Primitive::I16 | Primitive::I32 | Primitive::I64 => {
                let n = name.name();
                format!("<{n}>readInt(decoder, {n}.MIN_VALUE, {n}.MAX_VALUE)")
            }
            Primitive::U8 | Primitive::U16 | Primitive::U32 | Primitive::U64 => {
                let n = name.name();
                format!("<{n}>readUint(decoder, {n}.MAX_VALUE)")
            }
            Primitive::F32 => "decoder.readFloat32()".to_string(),
            Primitive::F64 => "decoder.readFloat64()".to_string(),
            Primitive::Bool => "decoder.readBool()".to_string(),
            Primitive::Bytes => "decoder.readByteArray()".to_string(),
            Primitive::Raw => "readRaw(decoder)".to_string(),
            Primitive::String | Primitive::Datetime => "decoder.readString()".to_string(),
        },
        Ty::Named {
            of: Kind::Enum,
            name,
            ..
        } => format!("decode{}(decoder)", type_name(name)),
        Ty::Named {
            of: Kind::Alias,
            resolved: Some(target),
            ..
        } => return read_expr(target),
        Ty::Named { name, .. } => format!("{}.decode(decoder)", type_name(name)),
        _ => return None,
    })
}

/// Statements that read a value of type `ty` from `decoder` into `target`.
pub fn decode(ty: &Ty, target: &str) -> String {
    let mut lines = Vec::new();
    decode_into(ty, target, false, 0, "", &mut lines);
    lines.join("\n")
}

/// Statements that read a value of type `ty` from `decoder` into a new local `name`.
pub fn decode_const(ty: &Ty, name: &str) -> String {
    let mut lines = Vec::new();
    decode_into(ty, name, true, 0, "", &mut lines);
    lines.join("\n")
}

/// Reads into `target`, which the first statement declares as a local when `declare`.
fn decode_into(
    ty: &Ty,
    target: &str,
    declare: bool,
    depth: usize,
    indent: &str,
    out: &mut Vec<String>,
) {
    if let Ty::Named {
        of: Kind::Alias,
        resolved: Some(resolved),
        ..
    } = ty
    {
        return decode_into(resolved, target, declare, depth, indent, out);
    }
    let line = |text: String| format!("{indent}{text}");
    let assign = |value: String| {
        let keyword = if declare { "const " } else { "" };
        format!("{indent}{keyword}{target} = {value};")
    };
    let deeper = format!("{indent}  ");
    if let Some(read) = read_expr(ty) {
        out.push(assign(read));
        return;
    }
    match ty {
        Ty::List { item } | Ty::Stream { inner: item } => {
            let (i, count, each) = (
                format!("i{depth}"),
                format!("count{depth}"),
                format!("item{depth}"),
            );
            out.push(assign(default_of(ty)));
            out.push(line(format!(
                "for (let {i}: u32 = 0, {count} = decoder.readArraySize(); {i} < {count}; {i}++) {{"
            )));
            decode_into(item, &each, true, depth + 1, &deeper, out);
            out.push(format!("{deeper}{target}.push({each});"));
            out.push(line("}".to_string()));
        }
        Ty::Map { key, value } => {
            let (i, count, k, v) = (
                format!("i{depth}"),
                format!("count{depth}"),
                format!("key{depth}"),
                format!("value{depth}"),
            );
            out.push(assign(default_of(ty)));
            out.push(line(format!(
                "for (let {i}: u32 = 0, {count} = decoder.readMapSize(); {i} < {count}; {i}++) {{"
            )));
            decode_into(key, &k, true, depth + 1, &deeper, out);
            decode_into(value, &v, true, depth + 1, &deeper, out);
            out.push(format!("{deeper}{target}.set({k}, {v});"));
            out.push(line("}".to_string()));
        }
        Ty::Optional { inner } => {
            if declare {
                out.push(line(format!("let {target}: {} = null;", type_of(ty))));
                out.push(line("if (!decoder.isNextNil()) {".to_string()));
            } else {
                out.push(line("if (decoder.isNextNil()) {".to_string()));
                out.push(format!("{deeper}{target} = null;"));
                out.push(line("} else {".to_string()));
            }
            let value = match read_expr(inner) {
                Some(read) => read,
                None => {
                    let v = format!("value{depth}");
                    decode_into(inner, &v, true, depth + 1, &deeper, out);
                    v
                }
            };
            out.push(format!("{deeper}{target} = {};", boxed(inner, &value)));
            out.push(line("}".to_string()));
        }
        // Read by `read_expr` above.
        Ty::Primitive { .. } | Ty::Named { .. } => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn primitive(name: Primitive) -> Ty {
        Ty::Primitive { name }
    }

    #[test]
    fn reserved_words_are_escaped() {
        assert_eq!(value_name("type"), "type_");
        assert_eq!(value_name("match"), "match");
        assert_eq!(value_name("queryString"), "queryString");
        assert_eq!(method_name("get"), "get");
        assert_eq!(method_name("static"), "static_");
        assert_eq!(builder_method("status_code"), "withStatus_code");
        assert_eq!(type_name("Result"), "Result_");
        assert_eq!(type_name("http_request"), "HttpRequest");
    }

    #[test]
    fn optional_values_are_boxed_and_references_nullable() {
        let optional = |inner| Ty::Optional {
            inner: Box::new(inner),
        };
        assert_eq!(
            type_of(&optional(primitive(Primitive::I64))),
            "Value<i64> | null"
        );
        assert_eq!(
            type_of(&optional(primitive(Primitive::String))),
            "string | null"
        );
        assert_eq!(
            decode(&optional(primitive(Primitive::I64)), "this.x"),
            "if (decoder.isNextNil()) {\n  this.x = null;\n} else {\n  \
             this.x = new Value<i64>(<i64>readInt(decoder, i64.MIN_VALUE, i64.MAX_VALUE));\n}"
        );
    }

    #[test]
    fn nested_lists_get_a_loop_each() {
        let ty = Ty::List {
            item: Box::new(Ty::List {
                item: Box::new(primitive(Primitive::I8)),
            }),
        };
        assert_eq!(
            encode(&ty, "this.x"),
            "writer.writeArraySize(<u32>this.x.length);\n\
             for (let i0 = 0; i0 < this.x.length; i0++) {\n  \
             const item0 = this.x[i0];\n  \
             writer.writeArraySize(<u32>item0.length);\n  \
             for (let i1 = 0; i1 < item0.length; i1++) {\n    \
             const item1 = item0[i1];\n    \
             writeInt(writer, <i64>item1);\n  \
             }\n\
             }"
        );
    }
}
