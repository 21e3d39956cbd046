//! The Rust target: how WIDL names and types are spelled in Rust.

use std::sync::LazyLock;

use crate::codegen::language::{Formatter, Language, LanguageHelpers, TemplateFolder};
use crate::codegen::names::{Case, NameSet, case};
use crate::codegen::spelling;
use crate::codegen::ty::Ty;
use crate::parser::ast::Primitive;

/// Rust: `.rs` files, the `rust/` templates, rustfmt.
pub(crate) const LANGUAGE: Language = Language {
    name: "Rust",
    extensions: &["rs"],
    template_folders: &[TemplateFolder {
        name: "rust",
        visitors: &[("ModuleVisitor", "module"), ("ScaffoldVisitor", "scaffold")],
    }],
    helpers: HELPERS,
    type_name,
    member_name: value_name,
    formatter: Some(Formatter {
        program: "rustfmt",
        args: &["--edition", "2021", "--emit", "stdout", "--quiet"],
    }),
};

const HELPERS: LanguageHelpers = LanguageHelpers {
    strings: &[
        ("rust_name", value_name),
        ("rust_method", method_name),
        ("rust_type_name", type_name),
        ("rust_defined_name", defined_name),
        ("rust_old_type_name", old_type_name),
        ("rust_old_args_name", old_args_name),
        ("rust_const", const_name),
        ("rust_str", string_literal),
    ],
    types: &[
        ("rust_type", type_of),
        ("rust_nested_type", nested_type_of),
        ("rust_variant", variant_name),
        ("rust_serde_with", serde_with),
        ("rust_wire_type", wire_type),
        ("rust_from_wire", from_wire),
        ("rust_default", default_of),
    ],
    type_exprs: &[("rust_to_wire", to_wire)],
};

/// Words Rust reserves; a WIDL name that is one becomes a raw identifier (`r#type`).
const KEYWORDS: [&str; 50] = [
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where",
];

/// [`KEYWORDS`] as a set: every name written asks.
static KEYWORD_SET: LazyLock<NameSet> = LazyLock::new(|| KEYWORDS.into_iter().collect());

/// Keywords that cannot be raw identifiers: they get a trailing underscore instead.
const NOT_RAW: [&str; 4] = ["crate", "self", "Self", "super"];

/// Names the generated code itself defines or relies on, so schema types must not take them.
const RESERVED_TYPES: [&str; 15] = [
    "Host",
    "Handlers",
    "HandlerResult",
    "Client",
    "Error",
    "Result",
    "Option",
    "Vec",
    "String",
    "Box",
    "HashMap",
    "ByteBuf",
    "Value",
    "Self",
    "InitializeExport",
];

fn escape(name: String) -> String {
    if NOT_RAW.contains(&name.as_str()) {
        format!("{name}_")
    } else if KEYWORD_SET.contains(name.as_str()) || name == "while" || name == "yield" {
        format!("r#{name}")
    } else {
        name
    }
}

/// A field, parameter, function or variable name: `queryString` → `query_string`.
pub fn value_name(name: &str) -> String {
    let snake = case(name, Case::Snake);
    // A name of digits and underscores only has no letters to case; keep it valid.
    let snake = if snake.is_empty() || snake.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{snake}")
    } else {
        snake
    };
    escape(snake)
}

/// A method of the generated `Host` and `Client`: a value name, but `new`, which their
/// constructors take, becomes `new_`.
pub fn method_name(name: &str) -> String {
    match value_name(name) {
        method if method == "new" => "new_".to_string(),
        method => method,
    }
}

/// A type, variant or trait name: `http_request` → `HttpRequest`.
pub fn type_name(name: &str) -> String {
    crate::codegen::names::pascal_type_name(name, &RESERVED_TYPES)
}

/// The name of a type the schema defines: as written when it is already a Rust type name
/// (`HTTPRequest`, as the old generator wrote it), else as [`type_name`] spells it.
pub fn defined_name(name: &str) -> String {
    let mut chars = name.chars();
    let as_written = chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_alphanumeric())
        && !RESERVED_TYPES.contains(&name);
    if as_written {
        name.to_string()
    } else {
        type_name(name)
    }
}

/// The old generator's name for a type the schema defines (as written: `Item_2`, `point`)
/// where wapc names it otherwise, for an alias beside wapc's; else nothing.
pub fn old_type_name(name: &str) -> String {
    let old = name.to_string();
    if old == type_name(name) {
        // The alias for wapc 0.1's spelling already declares it.
        return String::new();
    }
    alias_beside(old, &defined_name(name))
}

/// The old generator's name for an operation's arguments struct (`Get_user_nameArgs`,
/// `SendHTTPArgs`) where wapc names it otherwise, for an alias beside wapc's; else nothing.
pub fn old_args_name(name: &str) -> String {
    let old = format!("{}Args", spelling::capitalized(name));
    alias_beside(old, &format!("{}Args", type_name(name)))
}

/// `old`, where it differs from `wapc` and can name an alias; else nothing.
fn alias_beside(old: String, wapc: &str) -> String {
    let identifier = old.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && old.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if old == wapc
        || !identifier
        || KEYWORD_SET.contains(old.as_str())
        || RESERVED_TYPES.contains(&old.as_str())
    {
        String::new()
    } else {
        old
    }
}

/// A constant or static name: `greetAll` → `GREET_ALL`.
pub fn const_name(name: &str) -> String {
    case(name, Case::ShoutySnake)
}

/// How a value of `bytes` is held where it stands.
#[derive(Clone, Copy, PartialEq)]
enum Bytes {
    /// `bytes` standing as itself: `Vec<u8>`, as the old generator wrote it and users' code
    /// holds it, put on the wire as MessagePack bin by `serde_bytes`.
    Plain,
    /// `bytes?` likewise: `Option<Vec<u8>>`.
    Optional,
}

/// Whether `ty`, where it stands as a field, parameter, result or union member, is `bytes`
/// (or `bytes?`) held as `Vec<u8>`. Inside lists, maps and aliases bytes are `ByteBuf`,
/// which carries the bin format itself.
fn direct_bytes(ty: &Ty) -> Option<Bytes> {
    let is_bytes = |ty: &Ty| {
        matches!(
            ty,
            Ty::Primitive {
                name: Primitive::Bytes
            }
        )
    };
    match ty {
        ty if is_bytes(ty) => Some(Bytes::Plain),
        Ty::Optional { inner } if is_bytes(inner) => Some(Bytes::Optional),
        _ => None,
    }
}

/// The Rust type of a WIDL type where it stands as a field, parameter, result or union member.
pub fn type_of(ty: &Ty) -> String {
    match direct_bytes(ty) {
        Some(Bytes::Plain) => "Vec<u8>".to_string(),
        Some(Bytes::Optional) => "Option<Vec<u8>>".to_string(),
        None => nested_type_of(ty),
    }
}

/// The Rust type of a WIDL type inside a list, map or optional, and of an alias.
pub fn nested_type_of(ty: &Ty) -> String {
    match ty {
        Ty::Primitive { name } => match name {
            Primitive::String | Primitive::Datetime => "String".to_string(),
            Primitive::Bytes => "serde_bytes::ByteBuf".to_string(),
            Primitive::Raw => "rmpv::Value".to_string(),
            // Spelled as in Rust.
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
        Ty::Named {
            name, boxed: true, ..
        } => format!("Box<{}>", defined_name(name)),
        Ty::Named { name, .. } => defined_name(name),
        Ty::List { item } => format!("Vec<{}>", nested_type_of(item)),
        Ty::Map { key, value } => format!(
            "HashMap<{}, {}>",
            nested_type_of(key),
            nested_type_of(value)
        ),
        Ty::Optional { inner } => format!("Option<{}>", nested_type_of(inner)),
        // A stream is delivered whole over waPC's request/response calls.
        Ty::Stream { inner } => format!("Vec<{}>", nested_type_of(inner)),
    }
}

/// The serde attribute part that puts a field or union member of `bytes` on the wire as bin.
pub fn serde_with(ty: &Ty) -> String {
    match direct_bytes(ty) {
        Some(_) => r#", with = "serde_bytes""#.to_string(),
        None => String::new(),
    }
}

/// The type a lone value (a unary argument or a result) is decoded as.
pub fn wire_type(ty: &Ty) -> String {
    match direct_bytes(ty) {
        Some(Bytes::Plain) => "serde_bytes::ByteBuf".to_string(),
        Some(Bytes::Optional) => "Option<serde_bytes::ByteBuf>".to_string(),
        None => type_of(ty),
    }
}

/// What turns a decoded [`wire_type`] `Result` into the value's own type.
pub fn from_wire(ty: &Ty) -> String {
    match direct_bytes(ty) {
        Some(Bytes::Plain) => ".map(serde_bytes::ByteBuf::into_vec)".to_string(),
        Some(Bytes::Optional) => {
            ".map(|bytes| bytes.map(serde_bytes::ByteBuf::into_vec))".to_string()
        }
        None => String::new(),
    }
}

/// A lone value `expr` (a unary argument or a result) as the value to encode.
pub fn to_wire(ty: &Ty, expr: &str) -> String {
    match direct_bytes(ty) {
        Some(Bytes::Plain) => format!("serde_bytes::Bytes::new(&{expr})"),
        Some(Bytes::Optional) => format!("{expr}.as_deref().map(serde_bytes::Bytes::new)"),
        None => expr.to_string(),
    }
}

/// The default value of a field or union member: `raw` (`rmpv::Value`) has no `Default`.
pub fn default_of(ty: &Ty) -> String {
    match ty.resolved() {
        Ty::Primitive {
            name: Primitive::Raw,
        } => "rmpv::Value::Nil".to_string(),
        _ => "Default::default()".to_string(),
    }
}

/// A Rust string literal holding `text`.
pub fn string_literal(text: &str) -> String {
    format!("{text:?}")
}

/// The variant of a union enum that holds a member type: `Person`, `String`, `ListOfString`.
pub fn variant_name(ty: &Ty) -> String {
    match ty {
        Ty::Primitive { name } => case(name.name(), Case::UpperCamel),
        Ty::Named { name, .. } => case(name, Case::UpperCamel),
        Ty::List { item } => format!("ListOf{}", variant_name(item)),
        Ty::Map { key, value } => format!("MapOf{}To{}", variant_name(key), variant_name(value)),
        Ty::Optional { inner } => format!("Optional{}", variant_name(inner)),
        Ty::Stream { inner } => format!("StreamOf{}", variant_name(inner)),
    }
}
