//! The TypeScript target (`typescript/host`, for Node and browsers on `@wapc/host`): how WIDL
//! names and types are spelled in TypeScript, and the expressions that write and read each
//! type with the generated file's own MessagePack `Writer` and `Reader`.
//!
//! TypeScript shares `.ts` with AssemblyScript: a `.ts` target is TypeScript when its template
//! is in the `typescript/` folder (see `lang::of_target`).
//!
//! Codec code is one expression per type, however deep: a list, map or optional passes a
//! callback for what it holds (`w.list(v, (item0) => w.str(item0))`), so templates place it
//! anywhere an expression goes.

use std::sync::LazyLock;

use crate::codegen::language::{Formatter, Language, LanguageHelpers, TemplateFolder};
use crate::codegen::names::NameSet;
use crate::codegen::ty::Ty;
use crate::parser::ast::Primitive;

/// TypeScript: `.ts` files of the `typescript/` templates, prettier.
pub(crate) const LANGUAGE: Language = Language {
    name: "TypeScript",
    extensions: &["ts"],
    template_folders: &[TemplateFolder {
        name: "typescript",
        visitors: &[],
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
        ("ts_name", value_name),
        ("ts_method", method_name),
        ("ts_type_name", type_name),
        ("ts_key", property_key),
        ("ts_field", |name| format!("value.{name}")),
        ("ts_str", super::assemblyscript::string_literal),
    ],
    types: &[("ts_type", type_of), ("ts_read", read)],
    type_exprs: &[("ts_write", write)],
};

/// Words that cannot name a parameter in TypeScript (or would hide what the generated code
/// uses): keywords, strict-mode and contextual ones, the globals it calls, and its own
/// module-level names and locals.
const RESERVED_NAMES: [&str; 90] = [
    // Keywords, strict-mode reserved words and contextual keywords.
    "abstract",
    "any",
    "arguments",
    "as",
    "async",
    "await",
    "bigint",
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
    "eval",
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
    "infer",
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
    "object",
    "of",
    "package",
    "private",
    "protected",
    "public",
    "readonly",
    "require",
    "return",
    "satisfies",
    "set",
    "static",
    "string",
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
    "using",
    "var",
    "void",
    "while",
    "with",
    "yield",
    // Globals the generated code calls where parameters are in scope.
    "BigInt",
    "Error",
    "Infinity",
    "NaN",
    "Uint8Array",
    // Its own module-level names and the locals of client methods.
    "fromBytes",
    "r",
    "request",
    "response",
    "toBytes",
    "w",
    "Writer",
];

/// Names the generated file defines or uses as types, so schema types must not take them.
const RESERVED_TYPES: [&str; 26] = [
    "Array",
    "ArrayBuffer",
    "BigInt",
    "Boolean",
    "BufferSource",
    "Client",
    "DataView",
    "Error",
    "HostCall",
    "HostHandlers",
    "Map",
    "Number",
    "Object",
    "Options",
    "Partial",
    "Promise",
    "PromiseLike",
    "Reader",
    "Record",
    "Response",
    "String",
    "TextDecoder",
    "TextEncoder",
    "Uint8Array",
    "WapcHost",
    "Writer",
];

/// A parameter's name: kept as written, with a trailing underscore where it is reserved
/// (`type` → `type_`) or could hide one of the generated codecs (`encodePoint`).
pub fn value_name(name: &str) -> String {
    let name = if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{name}")
    } else {
        name.to_string()
    };
    // A set: every name written asks.
    static RESERVED: LazyLock<NameSet> = LazyLock::new(|| RESERVED_NAMES.into_iter().collect());
    let codec = ["encode", "decode", "write", "read"].iter().any(|prefix| {
        name.strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
    });
    if codec || RESERVED.contains(name.as_str()) {
        format!("{name}_")
    } else {
        name
    }
}

/// A method's name (the client's, a host handler's): the operation's, but for the few that
/// a class cannot declare, that its own members take, or that would make a client a thenable
/// (`await` would call its `then`).
pub fn method_name(name: &str) -> String {
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        value_name(name)
    } else if ["constructor", "host", "then"].contains(&name) {
        format!("{name}_")
    } else {
        name.to_string()
    }
}

/// An interface, enum, union or alias name: `http_request` → `HttpRequest`.
pub fn type_name(name: &str) -> String {
    crate::codegen::names::pascal_type_name(name, &RESERVED_TYPES)
}

/// A property's key in an interface or object literal: the WIDL field name, which is the key
/// on the wire too. `__proto__` is written computed, which makes it an own property rather
/// than the object's prototype.
pub fn property_key(name: &str) -> String {
    if name == "__proto__" {
        "[\"__proto__\"]".to_string()
    } else {
        name.to_string()
    }
}

/// The TypeScript type of a WIDL type. 64-bit integers are `bigint` (a `number` holds 53
/// bits); `raw` is its encoded MessagePack value.
pub fn type_of(ty: &Ty) -> String {
    match ty {
        Ty::Primitive { name } => match name {
            Primitive::I64 | Primitive::U64 => "bigint",
            Primitive::I8
            | Primitive::I16
            | Primitive::I32
            | Primitive::U8
            | Primitive::U16
            | Primitive::U32
            | Primitive::F32
            | Primitive::F64 => "number",
            Primitive::Bool => "boolean",
            Primitive::String | Primitive::Datetime => "string",
            Primitive::Bytes | Primitive::Raw => "Uint8Array",
        }
        .to_string(),
        Ty::Named { name, .. } => type_name(name),
        // A stream is delivered whole over waPC's request/response calls.
        Ty::List { item } | Ty::Stream { inner: item } => format!("Array<{}>", type_of(item)),
        Ty::Map { key, value } => format!("Map<{}, {}>", type_of(key), type_of(value)),
        Ty::Optional { inner } => match inner.as_ref() {
            Ty::Optional { .. } => type_of(inner),
            inner => format!("{} | undefined", type_of(inner)),
        },
    }
}

/// The smallest and largest value of an integer type, as TypeScript literals.
fn bounds(name: Primitive) -> Option<(&'static str, &'static str)> {
    Some(match name {
        Primitive::I8 => ("-0x80", "0x7f"),
        Primitive::I16 => ("-0x8000", "0x7fff"),
        Primitive::I32 => ("-0x80000000", "0x7fffffff"),
        Primitive::I64 => ("-0x8000000000000000n", "0x7fffffffffffffffn"),
        Primitive::U8 => ("0", "0xff"),
        Primitive::U16 => ("0", "0xffff"),
        Primitive::U32 => ("0", "0xffffffff"),
        Primitive::U64 => ("0n", "0xffffffffffffffffn"),
        _ => return None,
    })
}

/// The expression that writes `expr`, of type `ty`, to the writer `w`.
pub fn write(ty: &Ty, expr: &str) -> String {
    write_at(ty, expr, 0)
}

fn write_at(ty: &Ty, expr: &str, depth: usize) -> String {
    match ty {
        Ty::Primitive { name } => match (name, bounds(*name)) {
            (Primitive::I64 | Primitive::U64, Some((min, max))) => {
                format!("w.bigint({expr}, {min}, {max})")
            }
            (_, Some((min, max))) => format!("w.int({expr}, {min}, {max})"),
            (Primitive::F32, _) => format!("w.f32({expr})"),
            (Primitive::F64, _) => format!("w.f64({expr})"),
            (Primitive::Bool, _) => format!("w.bool({expr})"),
            (Primitive::String | Primitive::Datetime, _) => format!("w.str({expr})"),
            (Primitive::Bytes, _) => format!("w.bin({expr})"),
            (Primitive::Raw, _) => format!("w.raw({expr})"),
            _ => unreachable!("every integer type has bounds"),
        },
        Ty::Named { name, .. } => format!("write{}(w, {expr})", type_name(name)),
        Ty::List { item } | Ty::Stream { inner: item } => {
            let each = format!("item{depth}");
            let inner = write_at(item, &each, depth + 1);
            format!("w.list({expr}, ({each}) => {inner})")
        }
        Ty::Map { key, value } => {
            let (k, v) = (format!("key{depth}"), format!("value{depth}"));
            let key = write_at(key, &k, depth + 1);
            let value = write_at(value, &v, depth + 1);
            format!("w.map({expr}, ({k}) => {key}, ({v}) => {value})")
        }
        Ty::Optional { inner } => {
            let some = format!("some{depth}");
            let inner = write_at(inner, &some, depth + 1);
            format!("w.optional({expr}, ({some}) => {inner})")
        }
    }
}

/// The expression that reads a value of `ty` from the reader `r`.
pub fn read(ty: &Ty) -> String {
    match ty {
        Ty::Primitive { name } => match (name, bounds(*name)) {
            (Primitive::I64 | Primitive::U64, Some((min, max))) => {
                format!("r.bigint({min}, {max})")
            }
            (_, Some((min, max))) => format!("r.int({min}, {max})"),
            (Primitive::F32 | Primitive::F64, _) => "r.float()".to_string(),
            (Primitive::Bool, _) => "r.bool()".to_string(),
            (Primitive::String | Primitive::Datetime, _) => "r.str()".to_string(),
            (Primitive::Bytes, _) => "r.bin()".to_string(),
            (Primitive::Raw, _) => "r.raw()".to_string(),
            _ => unreachable!("every integer type has bounds"),
        },
        Ty::Named { name, .. } => format!("read{}(r)", type_name(name)),
        Ty::List { item } | Ty::Stream { inner: item } => format!("r.list(() => {})", read(item)),
        Ty::Map { key, value } => format!("r.map(() => {}, () => {})", read(key), read(value)),
        Ty::Optional { inner } => format!("r.optional(() => {})", read(inner)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn primitive(name: Primitive) -> Ty {
        Ty::Primitive { name }
    }

    #[test]
    fn reserved_words_and_codec_names_are_escaped() {
        assert_eq!(value_name("type"), "type_");
        assert_eq!(value_name("w"), "w_");
        assert_eq!(value_name("encodePoint"), "encodePoint_");
        assert_eq!(value_name("encoder"), "encoder");
        assert_eq!(value_name("match"), "match");
        assert_eq!(method_name("delete"), "delete");
        assert_eq!(method_name("constructor"), "constructor_");
        assert_eq!(method_name("then"), "then_");
        assert_eq!(type_name("Client"), "Client_");
        assert_eq!(type_name("http_request"), "HttpRequest");
        assert_eq!(property_key("__proto__"), "[\"__proto__\"]");
    }

    #[test]
    fn sixty_four_bit_integers_are_bigints_and_optionals_undefined() {
        let optional = |inner| Ty::Optional {
            inner: Box::new(inner),
        };
        assert_eq!(type_of(&primitive(Primitive::U64)), "bigint");
        assert_eq!(type_of(&primitive(Primitive::U32)), "number");
        assert_eq!(
            type_of(&optional(primitive(Primitive::Raw))),
            "Uint8Array | undefined"
        );
        assert_eq!(
            write(&primitive(Primitive::I64), "v"),
            "w.bigint(v, -0x8000000000000000n, 0x7fffffffffffffffn)"
        );
    }

    #[test]
    fn nested_types_are_one_expression() {
        let ty = Ty::Map {
            key: Box::new(primitive(Primitive::String)),
            value: Box::new(Ty::List {
                item: Box::new(Ty::Optional {
                    inner: Box::new(primitive(Primitive::U8)),
                }),
            }),
        };
        assert_eq!(
            write(&ty, "v.m"),
            "w.map(v.m, (key0) => w.str(key0), (value0) => w.list(value0, (item1) => \
             w.optional(item1, (some2) => w.int(some2, 0, 0xff))))"
        );
        assert_eq!(
            read(&ty),
            "r.map(() => r.str(), () => r.list(() => r.optional(() => r.int(0, 0xff))))"
        );
    }
}
