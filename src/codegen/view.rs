//! The template context as both engines read it. Each view of `context.rs` declares its keys
//! once, with [`view_keys!`]; that one list gives handlebars its JSON (`Serialize`) and the
//! direct renderer its lookups ([`View::get`]), so a key cannot be known to one engine and
//! not the other.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Map, Value as Json};

use super::ty::{Kind, Ty};
use crate::parser::ast::Primitive;

/// A value as a template sees it: a borrowed part of the context, a template literal, or what
/// a helper made. Its JSON form (`Serialize`) is what handlebars reads.
#[derive(Clone)]
pub enum Value<'a> {
    /// No such key: strict mode rejects it when written.
    Missing,
    Null,
    Bool(bool),
    Int(i64),
    Str(&'a str),
    Text(String),
    /// A JSON scalar: from the config, an annotation or a template literal.
    Json(&'a Json),
    /// A view of the context, a type, or a JSON object.
    Obj(&'a dyn View),
    List(&'a dyn Items),
}

/// Something with keys, as a JSON object has.
pub trait View {
    /// Calls `visit` with each key of the JSON form and its value, in order.
    fn each<'a>(&'a self, visit: &mut dyn FnMut(&'a str, Value<'a>));

    /// The value under `key`; [`Value::Missing`] when the JSON form has no such key.
    fn get(&self, key: &str) -> Value<'_> {
        let mut found = Value::Missing;
        self.each(&mut |name, value| {
            if name == key {
                found = value;
            }
        });
        found
    }

    /// How many keys the JSON form has.
    fn len(&self) -> usize {
        let mut count = 0;
        self.each(&mut |_, _| count += 1);
        count
    }

    /// Whether `key` is one of its keys, there or not this time. A view always has each key it
    /// declares; a type declares the keys of every kind; a JSON object any key.
    fn declares(&self, key: &str) -> bool {
        !matches!(self.get(key), Value::Missing)
    }

    /// The type this is, for the helpers that take one.
    fn as_ty(&self) -> Option<&Ty> {
        None
    }
}

/// A list, as a JSON array is.
pub trait Items {
    fn len(&self) -> usize;
    fn get(&self, index: usize) -> Value<'_>;
}

/// What a field of a view is to templates.
pub trait AsValue {
    fn as_value(&self) -> Value<'_>;
}

/// Declares the template keys of view structs: each field, under its own name or under
/// `as "key"`. The struct's `View` and `Serialize` both come from this list, and a field left
/// out of it does not compile (rustc says the pattern "requires `..`").
macro_rules! view_keys {
    ($($view:ident { $($field:ident $(as $key:literal)?),* $(,)? })*) => {$(
        impl $crate::codegen::view::View for $view {
            fn each<'a>(
                &'a self,
                visit: &mut dyn FnMut(&'a str, $crate::codegen::view::Value<'a>),
            ) {
                let $view { $($field),* } = self;
                $(visit(
                    view_keys!(@key $field $($key)?),
                    $crate::codegen::view::AsValue::as_value($field),
                );)*
            }

            fn get(&self, key: &str) -> $crate::codegen::view::Value<'_> {
                let $view { $($field),* } = self;
                $(if key == view_keys!(@key $field $($key)?) {
                    return $crate::codegen::view::AsValue::as_value($field);
                })*
                $crate::codegen::view::Value::Missing
            }

            fn len(&self) -> usize {
                [$(stringify!($field)),*].len()
            }
        }

        impl $crate::codegen::view::AsValue for $view {
            fn as_value(&self) -> $crate::codegen::view::Value<'_> {
                $crate::codegen::view::Value::Obj(self)
            }
        }

        impl serde::Serialize for $view {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                $crate::codegen::view::Value::Obj(self).serialize(serializer)
            }
        }
    )*};
    (@key $field:ident) => { stringify!($field) };
    (@key $field:ident $key:literal) => { $key };
}
pub(crate) use view_keys;

impl<'a> Value<'a> {
    /// The key `key` of an object, or the item a list has at that index.
    pub fn get(&self, key: &str) -> Value<'a> {
        match self {
            Value::Obj(view) => view.get(key),
            Value::List(list) => key.parse().map_or(Value::Missing, |index| list.get(index)),
            _ => Value::Missing,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            Value::Text(s) => Some(s),
            Value::Json(Json::String(s)) => Some(s),
            _ => None,
        }
    }

    /// Handlebars' truthiness (without `includeZero`) of the JSON form.
    pub fn is_truthy(&self) -> bool {
        match self {
            Value::Missing | Value::Null => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Str(s) => !s.is_empty(),
            Value::Text(s) => !s.is_empty(),
            Value::Json(j) => handlebars::JsonTruthy::is_truthy(*j, false),
            Value::Obj(view) => view.len() > 0,
            Value::List(list) => list.len() > 0,
        }
    }

    /// Writes the value as handlebars writes its JSON form (`{{value}}`).
    pub fn write(&self, out: &mut String) {
        match self {
            Value::Missing | Value::Null => {}
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) => out.push_str(&i.to_string()),
            Value::Str(s) => out.push_str(s),
            Value::Text(s) => out.push_str(s),
            Value::Json(j) => out.push_str(&handlebars::JsonRender::render(*j)),
            Value::Obj(_) => out.push_str("[object]"),
            Value::List(list) => {
                out.push('[');
                for index in 0..list.len() {
                    if index > 0 {
                        out.push_str(", ");
                    }
                    list.get(index).write(out);
                }
                out.push(']');
            }
        }
    }
}

impl Serialize for Value<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Missing | Value::Null => serializer.serialize_unit(),
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::Int(i) => serializer.serialize_i64(*i),
            Value::Str(s) => serializer.serialize_str(s),
            Value::Text(s) => serializer.serialize_str(s),
            Value::Json(j) => j.serialize(serializer),
            Value::Obj(view) => {
                let mut map = serializer.serialize_map(Some(view.len()))?;
                let mut written = Ok(());
                view.each(&mut |key, value| {
                    if written.is_ok() {
                        written = map.serialize_entry(key, &value);
                    }
                });
                written?;
                map.end()
            }
            Value::List(list) => {
                let mut seq = serializer.serialize_seq(Some(list.len()))?;
                for index in 0..list.len() {
                    seq.serialize_element(&list.get(index))?;
                }
                seq.end()
            }
        }
    }
}

impl AsValue for String {
    fn as_value(&self) -> Value<'_> {
        Value::Str(self)
    }
}

impl AsValue for smol_str::SmolStr {
    fn as_value(&self) -> Value<'_> {
        Value::Str(self)
    }
}

impl AsValue for bool {
    fn as_value(&self) -> Value<'_> {
        Value::Bool(*self)
    }
}

impl AsValue for i64 {
    fn as_value(&self) -> Value<'_> {
        Value::Int(*self)
    }
}

impl<T: AsValue> AsValue for Option<T> {
    fn as_value(&self) -> Value<'_> {
        self.as_ref().map_or(Value::Null, AsValue::as_value)
    }
}

impl<T: AsValue> AsValue for Box<T> {
    fn as_value(&self) -> Value<'_> {
        (**self).as_value()
    }
}

impl<T: AsValue> AsValue for Vec<T> {
    fn as_value(&self) -> Value<'_> {
        Value::List(self)
    }
}

impl<T: AsValue> Items for Vec<T> {
    fn len(&self) -> usize {
        Vec::len(self)
    }

    fn get(&self, index: usize) -> Value<'_> {
        self.as_slice()
            .get(index)
            .map_or(Value::Missing, AsValue::as_value)
    }
}

impl AsValue for Json {
    fn as_value(&self) -> Value<'_> {
        match self {
            Json::Array(items) => Value::List(items),
            Json::Object(map) => Value::Obj(map),
            scalar => Value::Json(scalar),
        }
    }
}

impl AsValue for Map<String, Json> {
    fn as_value(&self) -> Value<'_> {
        Value::Obj(self)
    }
}

impl View for Map<String, Json> {
    fn each<'a>(&'a self, visit: &mut dyn FnMut(&'a str, Value<'a>)) {
        for (key, value) in self {
            visit(key, value.as_value());
        }
    }

    fn get(&self, key: &str) -> Value<'_> {
        Map::get(self, key).map_or(Value::Missing, AsValue::as_value)
    }

    fn len(&self) -> usize {
        Map::len(self)
    }

    fn declares(&self, _: &str) -> bool {
        true
    }
}

impl AsValue for Ty {
    fn as_value(&self) -> Value<'_> {
        Value::Obj(self)
    }
}

impl AsValue for Kind {
    fn as_value(&self) -> Value<'_> {
        Value::Str(self.keyword())
    }
}

impl AsValue for Primitive {
    fn as_value(&self) -> Value<'_> {
        Value::Str(self.name())
    }
}
