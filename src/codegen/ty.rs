//! A type as templates see it, below everything that reads one: the views (`view.rs`), the
//! languages' helpers (`lang/`) and the engines.

use serde::Deserialize;
use smol_str::SmolStr;

pub use crate::model::resolve::Kind;
use crate::parser::ast::Primitive;

/// A type as templates see it: its JSON form is its `View` in `context.rs` (read back from
/// JSON, as a helper's argument, by `Deserialize`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Ty {
    /// A built-in: `string`, `i64`, `bytes`, ...
    Primitive {
        name: Primitive,
    },
    /// A type defined in the schema; `of` says which kind of definition it is.
    Named {
        name: SmolStr,
        of: Kind,
        /// Part of a cycle of types held inline (directly or optionally, not through a list
        /// or map): languages that store values inline (Rust) must box it.
        #[serde(default)]
        boxed: bool,
        /// For an alias, the type it stands for, with aliases resolved all the way.
        #[serde(default)]
        resolved: Option<Box<Ty>>,
    },
    List {
        item: Box<Ty>,
    },
    Map {
        key: Box<Ty>,
        value: Box<Ty>,
    },
    Optional {
        inner: Box<Ty>,
    },
    Stream {
        inner: Box<Ty>,
    },
}

impl Ty {
    /// The type with aliases replaced by what they stand for.
    pub fn resolved(&self) -> &Ty {
        match self {
            Ty::Named {
                resolved: Some(target),
                ..
            } => target,
            other => other,
        }
    }

    /// The type as written in WIDL, e.g. `[string]`, `{string: Person}`, `i64?`.
    pub fn widl(&self) -> String {
        match self {
            Ty::Primitive { name } => name.name().to_string(),
            Ty::Named { name, .. } => name.to_string(),
            Ty::List { item } => format!("[{}]", item.widl()),
            Ty::Map { key, value } => format!("{{{}: {}}}", key.widl(), value.widl()),
            Ty::Optional { inner } => format!("{}?", inner.widl()),
            Ty::Stream { inner } => format!("stream {}", inner.widl()),
        }
    }
}
