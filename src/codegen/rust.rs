//! The Rust target: how WIDL names and types are spelled in Rust.

use super::context::Ty;
use super::names::{Case, case};
use super::render::LanguageHelpers;

pub(super) const HELPERS: LanguageHelpers = LanguageHelpers {
    strings: &[
        ("rust_name", value_name),
        ("rust_method", method_name),
        ("rust_type_name", type_name),
        ("rust_const", const_name),
        ("rust_str", string_literal),
    ],
    types: &[("rust_type", type_of), ("rust_variant", variant_name)],
    type_exprs: &[],
};

/// Words Rust reserves; a WIDL name that is one becomes a raw identifier (`r#type`).
const KEYWORDS: [&str; 50] = [
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where",
];

/// Keywords that cannot be raw identifiers: they get a trailing underscore instead.
const NOT_RAW: [&str; 4] = ["crate", "self", "Self", "super"];

/// Names the generated code itself defines or relies on, so schema types must not take them.
const RESERVED_TYPES: [&str; 14] = [
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
];

fn escape(name: String) -> String {
    if NOT_RAW.contains(&name.as_str()) {
        format!("{name}_")
    } else if KEYWORDS.contains(&name.as_str()) || name == "while" || name == "yield" {
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
    super::names::pascal_type_name(name, &RESERVED_TYPES)
}

/// A constant or static name: `greetAll` → `GREET_ALL`.
pub fn const_name(name: &str) -> String {
    case(name, Case::ShoutySnake)
}

/// The Rust type of a WIDL type.
pub fn type_of(ty: &Ty) -> String {
    match ty {
        Ty::Primitive { name } => match name.as_str() {
            "string" | "datetime" => "String".to_string(),
            "bytes" => "ByteBuf".to_string(),
            "raw" => "rmpv::Value".to_string(),
            "void" => "()".to_string(),
            // i8..u64, f32, f64 and bool are spelled as in Rust.
            other => other.to_string(),
        },
        Ty::Named {
            name, boxed: true, ..
        } => format!("Box<{}>", type_name(name)),
        Ty::Named { name, .. } => type_name(name),
        Ty::List { item } => format!("Vec<{}>", type_of(item)),
        Ty::Map { key, value } => format!("HashMap<{}, {}>", type_of(key), type_of(value)),
        Ty::Optional { inner } => format!("Option<{}>", type_of(inner)),
        // A stream is delivered whole over waPC's request/response calls.
        Ty::Stream { inner } => format!("Vec<{}>", type_of(inner)),
    }
}

/// A Rust string literal holding `text`.
pub fn string_literal(text: &str) -> String {
    format!("{text:?}")
}

/// The variant of a union enum that holds a member type: `Person`, `String`, `ListOfString`.
pub fn variant_name(ty: &Ty) -> String {
    match ty {
        Ty::Primitive { name } | Ty::Named { name, .. } => case(name, Case::UpperCamel),
        Ty::List { item } => format!("ListOf{}", variant_name(item)),
        Ty::Map { key, value } => format!("MapOf{}To{}", variant_name(key), variant_name(value)),
        Ty::Optional { inner } => format!("Optional{}", variant_name(inner)),
        Ty::Stream { inner } => format!("StreamOf{}", variant_name(inner)),
    }
}
