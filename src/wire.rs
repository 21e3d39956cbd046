//! JSON to MessagePack and back, typed by a resolved schema, exactly as the generated code
//! encodes each WIDL type (tests/roundtrip/vectors.txt is the reference every language
//! checks against): a type is a map keyed by its WIDL field names in schema order, an enum its
//! number, a union a one-entry map keyed by the member as written in WIDL, `f32` a float32,
//! `bytes` a binary, `datetime` its RFC 3339 text, integers always integers in their shortest
//! form. Used by `wapc call`; a value that does not fit its type is an error naming where.

use std::fmt;

use base64::Engine as _;
use rmpv::Value as Mp;
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Value as Json;

use crate::diagnostic::did_you_mean;
use crate::model::resolve::{DefSyntax, OperationSyntax, TypeUse, UseId, WithSyntax};
use crate::parser::ast::Primitive;

/// The largest integer a JSON number holds exactly in most readers (JavaScript's, jq's).
const EXACT_IN_JSON: u64 = (1 << 53) - 1;

/// A value that does not fit its type, and where: `point.x`, `tags[2]`, `map["key"]`.
#[derive(Debug, Clone, PartialEq)]
pub struct WireError {
    pub path: String,
    pub message: String,
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "at `{}`: {}", self.path, self.message)
        }
    }
}

/// How JSON is read and written.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Skip object keys that are not fields of the type instead of failing.
    pub allow_unknown_fields: bool,
    /// Write 64-bit integers beyond 2^53 as JSON numbers rather than strings.
    pub large_integers_as_numbers: bool,
}

/// JSON with object keys in the order they were made (a type's fields in schema order), as
/// `serde_json::Value` cannot keep them without changing its map for the whole crate.
#[derive(Debug, Clone, PartialEq)]
pub enum OrderedJson {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<OrderedJson>),
    Object(Vec<(String, OrderedJson)>),
}

impl Serialize for OrderedJson {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            OrderedJson::Null => serializer.serialize_unit(),
            OrderedJson::Bool(b) => serializer.serialize_bool(*b),
            OrderedJson::Number(n) => n.serialize(serializer),
            OrderedJson::String(s) => serializer.serialize_str(s),
            OrderedJson::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            OrderedJson::Object(entries) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (key, value) in entries {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }
    }
}

/// Converts values of one schema.
pub struct Wire<'r, 's> {
    schema: &'r WithSyntax<'s>,
    options: Options,
}

/// The path of the value being converted, grown and shrunk as the conversion descends.
struct At(String);

impl At {
    fn error(&self, message: impl Into<String>) -> WireError {
        WireError {
            path: self.0.clone(),
            message: message.into(),
        }
    }

    /// Runs `f` with `step` appended to the path (`.name`, `[3]`, `["key"]`).
    fn with<T>(&mut self, step: fmt::Arguments, f: impl FnOnce(&mut At) -> T) -> T {
        let len = self.0.len();
        fmt::Write::write_fmt(&mut self.0, step).expect("writing to a String");
        let result = f(self);
        self.0.truncate(len);
        result
    }

    fn field<T>(&mut self, name: &str, f: impl FnOnce(&mut At) -> T) -> T {
        if self.0.is_empty() {
            self.with(format_args!("{name}"), f)
        } else {
            self.with(format_args!(".{name}"), f)
        }
    }
}

impl<'r, 's> Wire<'r, 's> {
    pub fn new(schema: &'r WithSyntax<'s>, options: Options) -> Self {
        Wire { schema, options }
    }

    /// A type as written in WIDL: `[Point]`, `{string: i64}`, `Label?`; a union member's
    /// name on the wire.
    pub fn widl(&self, ty: UseId) -> String {
        match self.schema.resolved.type_use(ty) {
            TypeUse::Primitive(p) => p.name().to_string(),
            TypeUse::Defined { id, .. } => self.schema.resolved.named(id).0.to_string(),
            TypeUse::List(item) => format!("[{}]", self.widl(item)),
            TypeUse::Map(key, value) => format!("{{{}: {}}}", self.widl(key), self.widl(value)),
            TypeUse::Optional(inner) => format!("{}?", self.widl(inner)),
            TypeUse::Stream(inner) => format!("stream {}", self.widl(inner)),
        }
    }

    /// An operation as written in WIDL: `describe(name: string, count: u32): string`.
    pub fn signature(&self, op: &OperationSyntax) -> String {
        let parameters: Vec<String> = (op.ast.parameters.iter().zip(op.parameters))
            .map(|(p, ty)| format!("{}: {}", p.name.value, self.widl(*ty)))
            .collect();
        let (open, close) = if op.ast.unary { ("{", "}") } else { ("(", ")") };
        let returns = op
            .returns
            .map_or(String::new(), |r| format!(": {}", self.widl(r)));
        format!(
            "{}{open}{}{close}{returns}",
            op.ast.name.value,
            parameters.join(", ")
        )
    }

    /// The payload of a call to `op` as generated code sends it: nothing without parameters,
    /// the value itself for `op{x: T}`, else a map of the parameters by name in order (an
    /// absent optional one as nil). `input` is that value, or the object of parameters.
    pub fn request(&self, op: &OperationSyntax, input: &Json) -> Result<Vec<u8>, WireError> {
        let mut at = At(String::new());
        let value = match (op.ast.unary, op.parameters) {
            (_, []) => match input {
                Json::Null => return Ok(Vec::new()),
                Json::Object(map) if map.is_empty() => return Ok(Vec::new()),
                other => {
                    return Err(at.error(format!(
                        "`{}` takes no parameters, but {} was given",
                        op.ast.name.value,
                        found(other)
                    )));
                }
            },
            (true, [ty]) => at.field(&op.ast.parameters[0].name.value, |at| {
                self.encode(*ty, input, at)
            })?,
            _ => {
                let fields = op.ast.parameters.iter().map(|p| p.name.value.as_str());
                self.encode_fields(
                    &format!("the parameters of `{}`", op.ast.name.value),
                    fields.zip(op.parameters.iter().copied()),
                    input,
                    &mut at,
                )?
            }
        };
        Ok(to_bytes(&value))
    }

    /// The reply payload for a result of type `returns` (none: an empty payload).
    pub fn reply(&self, returns: Option<UseId>, input: &Json) -> Result<Vec<u8>, WireError> {
        match returns {
            None => Ok(Vec::new()),
            Some(ty) => Ok(to_bytes(&self.encode(ty, input, &mut At(String::new()))?)),
        }
    }

    /// Decodes a payload of type `ty` (none: the payload is ignored, as generated code does).
    pub fn decode_payload(
        &self,
        ty: Option<UseId>,
        bytes: &[u8],
    ) -> Result<OrderedJson, WireError> {
        let Some(ty) = ty else {
            return Ok(OrderedJson::Null);
        };
        let value = from_bytes(bytes)?;
        self.decode(ty, &value, &mut At(String::new()))
    }

    /// Decodes the request to `op` (what a guest sent the host), as [`Wire::request`] made it.
    pub fn decode_request(
        &self,
        op: &OperationSyntax,
        bytes: &[u8],
    ) -> Result<OrderedJson, WireError> {
        match (op.ast.unary, op.parameters) {
            (_, []) => Ok(OrderedJson::Object(Vec::new())),
            (true, [ty]) => self.decode_payload(Some(*ty), bytes),
            _ => {
                let fields = op.ast.parameters.iter().map(|p| p.name.value.as_str());
                let value = from_bytes(bytes)?;
                self.decode_fields(
                    fields.zip(op.parameters.iter().copied()),
                    &value,
                    &mut At(String::new()),
                )
            }
        }
    }

    /// A JSON value of `ty` to fill in: each field present, the first member or value chosen.
    pub fn template(&self, ty: UseId) -> OrderedJson {
        self.template_within(ty, &mut Vec::new())
    }

    /// The JSON input of `op`: its one value when unary, else an object of its parameters.
    pub fn request_template(&self, op: &OperationSyntax) -> OrderedJson {
        match (op.ast.unary, op.parameters) {
            (true, [ty]) => self.template(*ty),
            _ => OrderedJson::Object(
                (op.ast.parameters.iter().zip(op.parameters))
                    .map(|(p, ty)| (p.name.value.to_string(), self.template(*ty)))
                    .collect(),
            ),
        }
    }

    fn template_within(&self, ty: UseId, open: &mut Vec<UseId>) -> OrderedJson {
        use OrderedJson as J;
        let resolved = self.schema.resolved;
        match resolved.type_use(ty) {
            TypeUse::Primitive(p) => match p {
                Primitive::Bool => J::Bool(false),
                Primitive::String | Primitive::Bytes => J::String(String::new()),
                Primitive::Datetime => J::String("1970-01-01T00:00:00Z".to_string()),
                Primitive::F32 | Primitive::F64 => J::Number(serde_json::Number::from(0)),
                Primitive::Raw => J::Null,
                _ => J::Number(serde_json::Number::from(0)),
            },
            TypeUse::List(item) => J::Array(vec![self.template_within(item, open)]),
            TypeUse::Map(key, value) => {
                let key = match self.template_within(key, open) {
                    J::String(s) if s.is_empty() => "key".to_string(),
                    J::String(s) => s,
                    other => serde_json::to_string(&other).unwrap_or_default(),
                };
                J::Object(vec![(key, self.template_within(value, open))])
            }
            TypeUse::Optional(inner) | TypeUse::Stream(inner) => self.template_within(inner, open),
            TypeUse::Defined { id, .. } => {
                // A type that holds itself stops at null the second time round.
                let def_use = ty;
                if open.iter().any(|u| self.same_definition(*u, def_use)) {
                    return J::Null;
                }
                open.push(def_use);
                let template = match self.schema.get(id) {
                    DefSyntax::Type { ast, fields } => J::Object(
                        (ast.fields.iter().zip(*fields))
                            .map(|(f, ty)| {
                                (f.name.value.to_string(), self.template_within(*ty, open))
                            })
                            .collect(),
                    ),
                    DefSyntax::Enum(ast) => ast
                        .values
                        .first()
                        .map_or(J::Null, |v| J::String(v.name.value.to_string())),
                    DefSyntax::Union { members, .. } => members.first().map_or(J::Null, |m| {
                        J::Object(vec![(self.widl(*m), self.template_within(*m, open))])
                    }),
                    DefSyntax::Alias { ty, .. } => self.template_within(*ty, open),
                };
                open.pop();
                template
            }
        }
    }

    fn same_definition(&self, a: UseId, b: UseId) -> bool {
        match (
            self.schema.resolved.type_use(a),
            self.schema.resolved.type_use(b),
        ) {
            (TypeUse::Defined { id: x, .. }, TypeUse::Defined { id: y, .. }) => x == y,
            _ => false,
        }
    }

    fn encode(&self, ty: UseId, json: &Json, at: &mut At) -> Result<Mp, WireError> {
        match self.schema.resolved.type_use(ty) {
            TypeUse::Primitive(p) => encode_primitive(p, json, at),
            TypeUse::Optional(inner) => match json {
                Json::Null => Ok(Mp::Nil),
                _ => self.encode(inner, json, at),
            },
            TypeUse::List(item) => match json {
                Json::Array(items) => (items.iter().enumerate())
                    .map(|(i, v)| at.with(format_args!("[{i}]"), |at| self.encode(item, v, at)))
                    .collect::<Result<_, _>>()
                    .map(Mp::Array),
                other => Err(self.mismatch(ty, other, at)),
            },
            TypeUse::Map(key, value) => match json {
                Json::Object(map) => (map.iter())
                    .map(|(k, v)| {
                        at.with(format_args!("[{k:?}]"), |at| {
                            Ok((self.encode_key(key, k, at)?, self.encode(value, v, at)?))
                        })
                    })
                    .collect::<Result<_, _>>()
                    .map(Mp::Map),
                other => Err(self.mismatch(ty, other, at)),
            },
            TypeUse::Stream(_) => Err(at.error(format!(
                "`{}` is a stream, which `wapc call` cannot send",
                self.widl(ty)
            ))),
            TypeUse::Defined { id, .. } => match self.schema.get(id) {
                DefSyntax::Alias { ty, .. } => self.encode(*ty, json, at),
                DefSyntax::Type { ast, fields } => {
                    let names = ast.fields.iter().map(|f| f.name.value.as_str());
                    let what = format!("`{}`", ast.name.value);
                    self.encode_fields(&what, names.zip(fields.iter().copied()), json, at)
                }
                DefSyntax::Enum(ast) => {
                    let value = match json {
                        Json::String(text) => ast.values.iter().find(|v| {
                            v.name.value == *text
                                || v.display.as_ref().is_some_and(|d| d.value == *text)
                        }),
                        Json::Number(n) => {
                            let n = n.as_i64();
                            ast.values.iter().find(|v| Some(v.index.value) == n)
                        }
                        other => return Err(self.mismatch(ty, other, at)),
                    };
                    let names: Vec<String> = (ast.values.iter())
                        .map(|v| format!("{} ({})", v.name.value, v.index.value))
                        .collect();
                    let value = value.ok_or_else(|| {
                        at.error(format!(
                            "{} is not a value of enum `{}`; its values are {}",
                            found(json),
                            ast.name.value,
                            names.join(", ")
                        ))
                    })?;
                    Ok(Mp::from(value.index.value))
                }
                DefSyntax::Union { ast, members, .. } => {
                    let tags: Vec<String> = members.iter().map(|m| self.widl(*m)).collect();
                    let expected = || {
                        format!(
                            "union `{}` takes an object with one of its members as the only key: {}",
                            ast.name.value,
                            tags.join(", ")
                        )
                    };
                    let Json::Object(map) = json else {
                        return Err(at.error(format!("{}, not {}", expected(), found(json))));
                    };
                    let mut entries = map.iter();
                    let (Some((tag, value)), None) = (entries.next(), entries.next()) else {
                        return Err(at.error(format!("{}; found {} keys", expected(), map.len())));
                    };
                    let Some(index) = tags.iter().position(|t| t == tag) else {
                        return Err(at.with(format_args!(".{tag}"), |at| {
                            at.error(format!("`{tag}` is not a member: {}", expected()))
                        }));
                    };
                    let encoded = at.with(format_args!(".{tag}"), |at| {
                        self.encode(members[index], value, at)
                    })?;
                    Ok(Mp::Map(vec![(Mp::from(tag.as_str()), encoded)]))
                }
            },
        }
    }

    /// A map key: JSON keys are strings, so a key of another type is read from its text
    /// (`"7"` for an integer, `"GREEN"` or `"1"` for an enum).
    fn encode_key(&self, ty: UseId, key: &str, at: &mut At) -> Result<Mp, WireError> {
        let as_string = Json::String(key.to_string());
        match self.encode(ty, &as_string, at) {
            Ok(encoded) => Ok(encoded),
            Err(error) => match serde_json::from_str::<Json>(key) {
                Ok(parsed) if !parsed.is_string() => self.encode(ty, &parsed, at),
                _ => Err(error),
            },
        }
    }

    /// A type's fields, or an operation's parameters: a map keyed by name, in order.
    fn encode_fields<'n>(
        &self,
        what: &str,
        fields: impl Iterator<Item = (&'n str, UseId)> + Clone,
        json: &Json,
        at: &mut At,
    ) -> Result<Mp, WireError> {
        let Json::Object(map) = json else {
            return Err(at.error(format!("{what} is an object, not {}", found(json))));
        };
        if !self.options.allow_unknown_fields
            && let Some(unknown) = map.keys().find(|k| !fields.clone().any(|(n, _)| n == *k))
        {
            let names: Vec<&str> = fields.clone().map(|(n, _)| n).collect();
            let hint = did_you_mean(unknown, names.iter().copied())
                .unwrap_or_else(|| format!("expected one of: {}", names.join(", ")));
            return at.field(unknown, |at| {
                Err(at.error(format!(
                    "unknown field `{unknown}` in {what} ({hint}; --allow-unknown-fields skips it)"
                )))
            });
        }
        let mut entries = Vec::new();
        for (name, ty) in fields {
            let value = at.field(name, |at| match map.get(name) {
                None | Some(Json::Null) if self.is_optional(ty) => Ok(Mp::Nil),
                None => Err(at.error(format!(
                    "missing required field `{name}` ({}) in {what}",
                    self.widl(ty)
                ))),
                Some(value) => self.encode(ty, value, at),
            })?;
            entries.push((Mp::from(name), value));
        }
        Ok(Mp::Map(entries))
    }

    fn is_optional(&self, ty: UseId) -> bool {
        match self.schema.resolved.type_use(ty) {
            TypeUse::Optional(_) => true,
            TypeUse::Defined { id, .. } => match self.schema.get(id) {
                DefSyntax::Alias { ty, .. } => self.is_optional(*ty),
                _ => false,
            },
            _ => false,
        }
    }

    fn mismatch(&self, ty: UseId, json: &Json, at: &At) -> WireError {
        at.error(format!("expected {}, found {}", self.widl(ty), found(json)))
    }

    fn decode(&self, ty: UseId, value: &Mp, at: &mut At) -> Result<OrderedJson, WireError> {
        let wrong = |at: &At| {
            at.error(format!(
                "expected {} on the wire, found {}",
                self.widl(ty),
                described(value)
            ))
        };
        match self.schema.resolved.type_use(ty) {
            TypeUse::Primitive(p) => {
                decode_primitive(p, value, self.options).ok_or_else(|| wrong(at))
            }
            TypeUse::Optional(inner) => match value {
                Mp::Nil => Ok(OrderedJson::Null),
                _ => self.decode(inner, value, at),
            },
            TypeUse::List(item) => match value {
                Mp::Array(items) => (items.iter().enumerate())
                    .map(|(i, v)| at.with(format_args!("[{i}]"), |at| self.decode(item, v, at)))
                    .collect::<Result<_, _>>()
                    .map(OrderedJson::Array),
                _ => Err(wrong(at)),
            },
            TypeUse::Map(key, item) => match value {
                Mp::Map(entries) => (entries.iter().enumerate())
                    .map(|(i, (k, v))| {
                        at.with(format_args!("[key {i}]"), |at| {
                            let key = match self.decode(key, k, at)? {
                                OrderedJson::String(s) => s,
                                other => serde_json::to_string(&other)
                                    .map_err(|e| at.error(e.to_string()))?,
                            };
                            Ok((key, self.decode(item, v, at)?))
                        })
                    })
                    .collect::<Result<_, _>>()
                    .map(OrderedJson::Object),
                _ => Err(wrong(at)),
            },
            TypeUse::Stream(_) => Err(wrong(at)),
            TypeUse::Defined { id, .. } => match self.schema.get(id) {
                DefSyntax::Alias { ty, .. } => self.decode(*ty, value, at),
                DefSyntax::Type { ast, fields } => {
                    let names = ast.fields.iter().map(|f| f.name.value.as_str());
                    self.decode_fields(names.zip(fields.iter().copied()), value, at)
                }
                DefSyntax::Enum(ast) => {
                    let number = match value {
                        Mp::Integer(n) => n.as_i64(),
                        _ => None,
                    };
                    (ast.values.iter())
                        .find(|v| Some(v.index.value) == number)
                        .map(|v| OrderedJson::String(v.name.value.to_string()))
                        .ok_or_else(|| wrong(at))
                }
                DefSyntax::Union { members, .. } => {
                    let Mp::Map(entries) = value else {
                        return Err(wrong(at));
                    };
                    let [(Mp::String(tag), member_value)] = entries.as_slice() else {
                        return Err(wrong(at));
                    };
                    let tag = tag.as_str().unwrap_or_default();
                    let member = members.iter().find(|m| self.widl(**m) == tag);
                    let member = member.ok_or_else(|| wrong(at))?;
                    let decoded = at.with(format_args!(".{tag}"), |at| {
                        self.decode(*member, member_value, at)
                    })?;
                    Ok(OrderedJson::Object(vec![(tag.to_string(), decoded)]))
                }
            },
        }
    }

    /// A map keyed by field name into an object in field order; a field missing from the
    /// wire is null when optional (as generated code's `default` reads it), else an error.
    fn decode_fields<'n>(
        &self,
        fields: impl Iterator<Item = (&'n str, UseId)>,
        value: &Mp,
        at: &mut At,
    ) -> Result<OrderedJson, WireError> {
        let Mp::Map(entries) = value else {
            return Err(at.error(format!(
                "expected a map of fields on the wire, found {}",
                described(value)
            )));
        };
        let mut object = Vec::new();
        for (name, ty) in fields {
            let on_wire = entries.iter().find(|(k, _)| k.as_str() == Some(name));
            let decoded = at.field(name, |at| match on_wire {
                Some((_, v)) => self.decode(ty, v, at),
                None if self.is_optional(ty) => Ok(OrderedJson::Null),
                None => Err(at.error(format!("the required field `{name}` is missing"))),
            })?;
            object.push((name.to_string(), decoded));
        }
        Ok(OrderedJson::Object(object))
    }
}

fn to_bytes(value: &Mp) -> Vec<u8> {
    let mut bytes = Vec::new();
    rmpv::encode::write_value(&mut bytes, value).expect("writing to a Vec cannot fail");
    bytes
}

fn from_bytes(bytes: &[u8]) -> Result<Mp, WireError> {
    let mut reader = bytes;
    let value = rmpv::decode::read_value(&mut reader).map_err(|error| WireError {
        path: String::new(),
        message: format!("the payload is not MessagePack: {error}"),
    })?;
    if !reader.is_empty() {
        return Err(WireError {
            path: String::new(),
            message: format!("{} bytes follow the payload's value", reader.len()),
        });
    }
    Ok(value)
}

/// What a JSON value is, for messages.
fn found(json: &Json) -> String {
    match json {
        Json::Null => "null".to_string(),
        Json::Bool(b) => format!("{b}"),
        Json::Number(n) => format!("the number {n}"),
        Json::String(s) if s.chars().count() > 40 => "a string".to_string(),
        Json::String(s) => format!("the string {s:?}"),
        Json::Array(_) => "an array".to_string(),
        Json::Object(_) => "an object".to_string(),
    }
}

/// What a MessagePack value is, for messages.
fn described(value: &Mp) -> &'static str {
    match value {
        Mp::Nil => "nil",
        Mp::Boolean(_) => "a boolean",
        Mp::Integer(_) => "an integer",
        Mp::F32(_) => "a float32",
        Mp::F64(_) => "a float64",
        Mp::String(_) => "a string",
        Mp::Binary(_) => "binary",
        Mp::Array(_) => "an array",
        Mp::Map(_) => "a map",
        Mp::Ext(..) => "an extension value",
    }
}

fn encode_primitive(p: Primitive, json: &Json, at: &At) -> Result<Mp, WireError> {
    let mismatch = || at.error(format!("expected {}, found {}", p.name(), found(json)));
    let (min, max): (i128, i128) = match p {
        Primitive::I8 => (i8::MIN.into(), i8::MAX.into()),
        Primitive::I16 => (i16::MIN.into(), i16::MAX.into()),
        Primitive::I32 => (i32::MIN.into(), i32::MAX.into()),
        Primitive::I64 => (i64::MIN.into(), i64::MAX.into()),
        Primitive::U8 => (0, u8::MAX.into()),
        Primitive::U16 => (0, u16::MAX.into()),
        Primitive::U32 => (0, u32::MAX.into()),
        Primitive::U64 => (0, u64::MAX.into()),
        Primitive::F32 | Primitive::F64 => {
            let number = float(json).ok_or_else(mismatch)?;
            if p == Primitive::F64 {
                return Ok(Mp::F64(number));
            }
            // Anything that rounds to a finite f32 fits, f32::MAX's shortest text included.
            if number.is_finite() && (number as f32).is_infinite() {
                return Err(at.error(format!("{number} is out of range for f32")));
            }
            return Ok(Mp::F32(number as f32));
        }
        Primitive::Bool => return json.as_bool().map(Mp::Boolean).ok_or_else(mismatch),
        Primitive::String => return json.as_str().map(Mp::from).ok_or_else(mismatch),
        Primitive::Datetime => {
            let text = json.as_str().ok_or_else(mismatch)?;
            if !is_rfc3339(text) {
                return Err(at.error(format!(
                    "{text:?} is not an RFC 3339 date and time (like 2026-11-25T12:00:00Z)"
                )));
            }
            return Ok(Mp::from(text));
        }
        Primitive::Bytes => {
            let text = json.as_str().ok_or_else(mismatch)?;
            return base64::engine::general_purpose::STANDARD
                .decode(text)
                .map(Mp::Binary)
                .map_err(|error| at.error(format!("bytes are base64 text: {error}")));
        }
        Primitive::Raw => return Ok(raw_to_mp(json)),
    };
    // 64-bit integers may come as strings, as JSON readers lose them beyond 2^53.
    let wide = matches!(p, Primitive::I64 | Primitive::U64);
    let n: i128 = match json {
        Json::Number(n) => (n.as_i64().map(i128::from))
            .or_else(|| n.as_u64().map(i128::from))
            .ok_or_else(|| at.error(format!("{} is not an integer", n)))?,
        Json::String(s) if wide => s
            .parse()
            .map_err(|_| at.error(format!("{s:?} is not an integer")))?,
        _ => return Err(mismatch()),
    };
    if n < min || n > max {
        return Err(at.error(format!("{n} is out of range for {}", p.name())));
    }
    Ok(match u64::try_from(n) {
        Ok(unsigned) => Mp::from(unsigned),
        Err(_) => Mp::from(n as i64),
    })
}

/// A JSON number, or the names JSON has no numbers for.
fn float(json: &Json) -> Option<f64> {
    match json {
        Json::Number(n) => n.as_f64(),
        Json::String(s) => match s.as_str() {
            "NaN" => Some(f64::NAN),
            "Infinity" => Some(f64::INFINITY),
            "-Infinity" => Some(f64::NEG_INFINITY),
            _ => None,
        },
        _ => None,
    }
}

fn float_json(value: f64) -> OrderedJson {
    match serde_json::Number::from_f64(value) {
        Some(n) => OrderedJson::Number(n),
        None if value.is_nan() => OrderedJson::String("NaN".to_string()),
        None if value > 0.0 => OrderedJson::String("Infinity".to_string()),
        None => OrderedJson::String("-Infinity".to_string()),
    }
}

fn integer_json(n: &rmpv::Integer, options: Options) -> OrderedJson {
    let exact = n.as_u64().map_or_else(
        || {
            n.as_i64()
                .is_some_and(|v| v.unsigned_abs() <= EXACT_IN_JSON)
        },
        |v| v <= EXACT_IN_JSON,
    );
    // An rmpv integer is a u64 or, when negative, an i64.
    let number = n.as_u64().map_or_else(
        || serde_json::Number::from(n.as_i64().unwrap_or_default()),
        serde_json::Number::from,
    );
    if exact || options.large_integers_as_numbers {
        OrderedJson::Number(number)
    } else {
        OrderedJson::String(number.to_string())
    }
}

/// A primitive from the wire, as generated code reads it: integers within the type's range,
/// floats from either float width or an integer.
fn decode_primitive(p: Primitive, value: &Mp, options: Options) -> Option<OrderedJson> {
    let in_range = |n: &rmpv::Integer, min: i128, max: i128| {
        let v = n.as_i64().map(i128::from).or(n.as_u64().map(i128::from))?;
        (min..=max).contains(&v).then(|| integer_json(n, options))
    };
    match (p, value) {
        (Primitive::I8, Mp::Integer(n)) => in_range(n, i8::MIN.into(), i8::MAX.into()),
        (Primitive::I16, Mp::Integer(n)) => in_range(n, i16::MIN.into(), i16::MAX.into()),
        (Primitive::I32, Mp::Integer(n)) => in_range(n, i32::MIN.into(), i32::MAX.into()),
        (Primitive::I64, Mp::Integer(n)) => in_range(n, i64::MIN.into(), i64::MAX.into()),
        (Primitive::U8, Mp::Integer(n)) => in_range(n, 0, u8::MAX.into()),
        (Primitive::U16, Mp::Integer(n)) => in_range(n, 0, u16::MAX.into()),
        (Primitive::U32, Mp::Integer(n)) => in_range(n, 0, u32::MAX.into()),
        (Primitive::U64, Mp::Integer(n)) => in_range(n, 0, u64::MAX.into()),
        // The shortest text that reads back as the same f32, not its f64 widening.
        (Primitive::F32, Mp::F32(v)) => Some(float_json(format!("{v:e}").parse().ok()?)),
        (Primitive::F32 | Primitive::F64, Mp::F64(v)) => Some(float_json(*v)),
        (Primitive::F64, Mp::F32(v)) => Some(float_json(f64::from(*v))),
        (Primitive::F32 | Primitive::F64, Mp::Integer(n)) => n.as_f64().map(float_json),
        (Primitive::Bool, Mp::Boolean(b)) => Some(OrderedJson::Bool(*b)),
        (Primitive::String | Primitive::Datetime, Mp::String(s)) => {
            s.as_str().map(|s| OrderedJson::String(s.to_string()))
        }
        (Primitive::Bytes, Mp::Binary(b)) => Some(OrderedJson::String(
            base64::engine::general_purpose::STANDARD.encode(b),
        )),
        (Primitive::Bytes, Mp::String(s)) => Some(OrderedJson::String(
            base64::engine::general_purpose::STANDARD.encode(s.as_bytes()),
        )),
        (Primitive::Raw, value) => Some(raw_to_json(value, options)),
        _ => None,
    }
}

/// `raw`: any JSON as the MessagePack a serde value of it makes (integers as integers).
fn raw_to_mp(json: &Json) -> Mp {
    match json {
        Json::Null => Mp::Nil,
        Json::Bool(b) => Mp::Boolean(*b),
        Json::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(u), _, _) => Mp::from(u),
            (None, Some(i), _) => Mp::from(i),
            (None, None, f) => Mp::F64(f.unwrap_or(f64::NAN)),
        },
        Json::String(s) => Mp::from(s.as_str()),
        Json::Array(items) => Mp::Array(items.iter().map(raw_to_mp).collect()),
        Json::Object(map) => Mp::Map(
            map.iter()
                .map(|(k, v)| (Mp::from(k.as_str()), raw_to_mp(v)))
                .collect(),
        ),
    }
}

/// `raw` from the wire: binary as base64, an extension value as `{"ext": type, "data": …}`,
/// a map key that is not a string as its JSON text.
fn raw_to_json(value: &Mp, options: Options) -> OrderedJson {
    use OrderedJson as J;
    let base64 = |b: &[u8]| J::String(base64::engine::general_purpose::STANDARD.encode(b));
    match value {
        Mp::Nil => J::Null,
        Mp::Boolean(b) => J::Bool(*b),
        Mp::Integer(n) => integer_json(n, options),
        Mp::F32(v) => float_json(f64::from(*v)),
        Mp::F64(v) => float_json(*v),
        Mp::String(s) => match s.as_str() {
            Some(text) => J::String(text.to_string()),
            None => base64(s.as_bytes()),
        },
        Mp::Binary(b) => base64(b),
        Mp::Array(items) => J::Array(items.iter().map(|v| raw_to_json(v, options)).collect()),
        Mp::Map(entries) => J::Object(
            (entries.iter())
                .map(|(k, v)| {
                    let key = match raw_to_json(k, options) {
                        J::String(s) => s,
                        other => serde_json::to_string(&other).unwrap_or_default(),
                    };
                    (key, raw_to_json(v, options))
                })
                .collect(),
        ),
        Mp::Ext(kind, data) => J::Object(vec![
            ("ext".to_string(), J::Number((*kind).into())),
            ("data".to_string(), base64(data)),
        ]),
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, as RFC 3339 section 5.6 writes a date-time
/// (`t` and `z` in either case, a space for `T` as it allows).
fn is_rfc3339(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        b.get(range.clone())
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
            .then(|| range.fold(0, |n, i| n * 10 + u32::from(b[i] - b'0')))
    };
    let fixed = (|| {
        let (month, day) = (digits(5..7)?, digits(8..10)?);
        let (hour, minute, second) = (digits(11..13)?, digits(14..16)?, digits(17..19)?);
        digits(0..4)?;
        let separators = b[4] == b'-' && b[7] == b'-' && b[13] == b':' && b[16] == b':';
        let t = matches!(b[10], b'T' | b't' | b' ');
        Some(
            separators
                && t
                && (1..=12).contains(&month)
                && (1..=31).contains(&day)
                && hour < 24
                && minute < 60
                && second <= 60,
        )
    })();
    if fixed != Some(true) {
        return false;
    }
    let mut rest = &b[19..];
    if let Some(fraction) = rest.strip_prefix(b".") {
        let count = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if count == 0 {
            return false;
        }
        rest = &fraction[count..];
    }
    match rest {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            [h1, h2, m1, m2].iter().all(|d| d.is_ascii_digit())
                && (*h1 - b'0') * 10 + (*h2 - b'0') < 24
                && (*m1 - b'0') * 10 + (*m2 - b'0') < 60
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::resolve::resolve;

    const ROUNDTRIP: &str = include_str!("../tests/roundtrip/schema.widl");
    const VECTORS: &str = include_str!("../tests/roundtrip/vectors.txt");

    fn vector(name: &str) -> String {
        (VECTORS.lines())
            .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
            .unwrap_or_else(|| panic!("no vector `{name}`"))
            .to_string()
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Runs `f` over the round-trip schema resolved.
    fn with_schema(f: impl FnOnce(&WithSyntax, Wire)) {
        let schema = crate::model::load_str("schema.widl", ROUNDTRIP).expect("valid");
        let resolved = resolve(&schema).expect("resolvable");
        let syntax = resolved.with_syntax(&schema).expect("the schema resolved");
        f(&syntax, Wire::new(&syntax, Options::default()));
    }

    fn op<'r, 's>(schema: &'r WithSyntax<'s>, name: &str) -> &'r OperationSyntax<'s> {
        schema.operation(name).expect("the operation")
    }

    /// Every WIDL type in one value, as JSON (tests/roundtrip/everything.json): the Rust
    /// host's `everything()`, its 64-bit extremes one as a number, one as a string, the enum
    /// by its display name. The guest × host matrix sends it through `wapc call` too.
    fn everything() -> Json {
        serde_json::from_str(include_str!("../tests/roundtrip/everything.json")).expect("JSON")
    }

    #[test]
    fn every_type_encodes_as_the_wire_vectors_say() {
        with_schema(|schema, wire| {
            let cases = [
                ("echo", everything(), "everything"),
                ("echoColor", serde_json::json!("BLUE"), "color"),
                ("echoColor", serde_json::json!(7), "color"),
                (
                    "echoShape",
                    serde_json::json!({"Circle": {"center": {"x": 0, "y": 0.0}, "radius": 1.5}}),
                    "shape_circle",
                ),
                (
                    "echoShape",
                    serde_json::json!({"string": "s"}),
                    "shape_string",
                ),
                (
                    "describe",
                    serde_json::json!({"name": "n", "count": 7, "tags": ["t"]}),
                    "describe_args",
                ),
            ];
            for (name, json, vector_name) in cases {
                let bytes = wire.request(op(schema, name), &json).expect("fits");
                assert_eq!(hex(&bytes), vector(vector_name), "{name} {json}");
            }
            // `point` is no operation's input: encode it as Circle's `center` field.
            let circle = schema.definitions.iter().find_map(|d| match d {
                DefSyntax::Type { ast, fields } if ast.name.value == "Circle" => Some(fields[0]),
                _ => None,
            });
            let point = serde_json::json!({"x": 1, "y": -2.5});
            let bytes = wire.reply(circle, &point).expect("fits");
            assert_eq!(hex(&bytes), vector("point"));
        });
    }

    #[test]
    fn every_type_decodes_back_to_the_same_json() {
        with_schema(|schema, wire| {
            let echo = op(schema, "echo");
            let bytes = wire.request(echo, &everything()).expect("fits");
            let decoded = wire.decode_payload(echo.returns, &bytes).expect("decodes");
            let text = serde_json::to_string(&decoded).expect("prints");
            let mut expected = everything();
            // Printed as the Rust host's value reads: 64-bit extremes as strings, the enum by
            // name, an absent optional as null, f32 in its own shortest form.
            expected["i64"] = "-9223372036854775808".into();
            expected["u64"] = "18446744073709551615".into();
            expected["list"][0] = "9223372036854775807".into();
            expected["color"] = "BLUE".into();
            expected["optionalString"] = Json::Null;
            let back: Json = serde_json::from_str(&text).expect("JSON");
            assert_eq!(back["f32"], serde_json::json!(3.4028235e38));
            expected["f32"] = back["f32"].clone();
            assert_eq!(back, expected);
            // Fields print in schema order.
            assert!(text.starts_with(r#"{"i8":-128,"i16":-32768,"#), "{text}");
            // And the printed JSON encodes to the same bytes again.
            assert_eq!(wire.request(echo, &back).expect("fits"), bytes);
        });
    }

    #[test]
    fn large_integers_print_as_numbers_when_asked() {
        with_schema(|schema, _| {
            let options = Options {
                large_integers_as_numbers: true,
                ..Options::default()
            };
            let wire = Wire::new(schema, options);
            let count = op(schema, "count");
            let bytes = wire
                .reply(count.returns, &serde_json::json!(u64::MAX))
                .expect("fits");
            let decoded = wire.decode_payload(count.returns, &bytes).expect("decodes");
            assert_eq!(
                serde_json::to_string(&decoded).unwrap(),
                "18446744073709551615"
            );
            let small = wire.reply(count.returns, &serde_json::json!("9007199254740991"));
            let decoded = Wire::new(schema, Options::default())
                .decode_payload(count.returns, &small.expect("fits"))
                .expect("decodes");
            assert_eq!(serde_json::to_string(&decoded).unwrap(), "9007199254740991");
        });
    }

    #[test]
    fn input_that_does_not_fit_names_the_field_path() {
        with_schema(|schema, wire| {
            let echo = op(schema, "echo");
            let error = |path: &str, value: Json| {
                let mut input = everything();
                let (parent, last) = path.rsplit_once('/').unwrap_or(("", path));
                let target = if parent.is_empty() {
                    &mut input
                } else {
                    input.pointer_mut(parent).expect("a path of everything()")
                };
                match (value, target) {
                    (Json::Null, Json::Object(map)) => {
                        map.remove(last);
                    }
                    (value, target) => target[last] = value,
                }
                wire.request(echo, &input).expect_err("does not fit")
            };
            let cases: [(&str, Json, &str, &str); 12] = [
                (
                    "/i8",
                    (-129).into(),
                    "value.i8",
                    "-129 is out of range for i8",
                ),
                (
                    "/u64",
                    (-1).into(),
                    "value.u64",
                    "-1 is out of range for u64",
                ),
                ("/i32", 1.5.into(), "value.i32", "1.5 is not an integer"),
                (
                    "/i32",
                    "1".into(),
                    "value.i32",
                    "expected i32, found the string \"1\"",
                ),
                ("/f32", 1e39.into(), "value.f32", "out of range for f32"),
                (
                    "/bytes",
                    "%%".into(),
                    "value.bytes",
                    "bytes are base64 text",
                ),
                (
                    "/datetime",
                    "yesterday".into(),
                    "value.datetime",
                    "not an RFC 3339",
                ),
                (
                    "/color",
                    "PURPLE".into(),
                    "value.color",
                    "not a value of enum `Color`",
                ),
                (
                    "/shape",
                    serde_json::json!({"Square": {}}),
                    "value.shape.Square",
                    "not a member",
                ),
                (
                    "/shape/Circle/center",
                    Json::Null,
                    "value.shape.Circle.center",
                    "missing required field `center`",
                ),
                (
                    "/tags",
                    serde_json::json!(["a", 5]),
                    "value.tags[1]",
                    "expected string, found the number 5",
                ),
                (
                    "/colormap",
                    1.into(),
                    "value.colormap",
                    "unknown field `colormap` in `Everything` (did you mean `colorMap`?",
                ),
            ];
            for (pointer, value, path, message) in cases {
                let got = error(pointer, value);
                assert_eq!(got.path, path, "{got}");
                assert!(got.message.contains(message), "{pointer}: {got}");
            }
        });
    }

    #[test]
    fn unknown_fields_are_skipped_when_allowed_and_parameters_checked() {
        with_schema(|schema, wire| {
            let describe = op(schema, "describe");
            let input = serde_json::json!({"name": "n", "count": 7, "tags": ["t"], "extra": 1});
            let error = wire.request(describe, &input).expect_err("unknown field");
            assert_eq!(error.path, "extra");
            let lenient = Wire::new(
                schema,
                Options {
                    allow_unknown_fields: true,
                    ..Options::default()
                },
            );
            let bytes = lenient.request(describe, &input).expect("fits");
            assert_eq!(hex(&bytes), vector("describe_args"));
            let missing = wire.request(describe, &serde_json::json!({"name": "n"}));
            assert_eq!(missing.expect_err("missing").path, "count");
            let ping = op(schema, "ping");
            assert!(
                wire.request(ping, &serde_json::json!({}))
                    .expect("none")
                    .is_empty()
            );
            let error = wire
                .request(ping, &serde_json::json!([1]))
                .expect_err("takes none");
            assert!(error.message.contains("takes no parameters"), "{error}");
        });
    }

    #[test]
    fn maps_keyed_by_enums_and_optionals_and_templates() {
        with_schema(|schema, wire| {
            let optional = op(schema, "echoOptional");
            assert_eq!(wire.request(optional, &Json::Null).expect("nil"), [0xc0]);
            let decoded = wire.decode_payload(optional.returns, &[0xc0]).expect("nil");
            assert_eq!(decoded, OrderedJson::Null);
            let echo_map = op(schema, "echoMap");
            let map = serde_json::json!({"a": [1, 2], "b": []});
            let bytes = wire.request(echo_map, &map).expect("fits");
            let back = wire
                .decode_payload(echo_map.returns, &bytes)
                .expect("decodes");
            assert_eq!(serde_json::to_value(&back).unwrap(), map);
            assert_eq!(
                wire.signature(op(schema, "describe")),
                "describe(name: string, count: u32, point: Point?, tags: Tags): string"
            );
            // A template fills in and encodes as it is.
            let template =
                serde_json::to_value(wire.request_template(op(schema, "echo"))).expect("JSON");
            wire.request(op(schema, "echo"), &template)
                .expect("a template fits");
        });
    }

    #[test]
    fn replies_that_do_not_fit_the_result_type_are_errors() {
        with_schema(|schema, wire| {
            let count = op(schema, "count");
            let error = wire
                .decode_payload(count.returns, &[0xa1, b'x'])
                .expect_err("a string");
            assert!(
                error
                    .message
                    .contains("expected u64 on the wire, found a string")
            );
            let error = wire
                .decode_payload(count.returns, &[0x01, 0x02])
                .expect_err("trailing");
            assert!(error.message.contains("1 bytes follow"), "{error}");
            let error = wire
                .decode_payload(count.returns, &[0xa5, b'x'])
                .expect_err("cut short");
            assert!(error.message.contains("not MessagePack"), "{error}");
        });
    }

    #[test]
    fn rfc3339_forms() {
        for ok in [
            "2026-11-25T12:00:00Z",
            "2026-11-25t12:00:00.5+05:30",
            "1970-01-01 00:00:60z",
        ] {
            assert!(is_rfc3339(ok), "{ok}");
        }
        for bad in [
            "2026-11-25",
            "2026-13-01T00:00:00Z",
            "2026-11-25T12:00:00",
            "2026-11-25T12:00:00.Z",
            "2026-11-25T24:00:00Z",
            "2026-11-25T12:00:00+5:30",
        ] {
            assert!(!is_rfc3339(bad), "{bad}");
        }
    }
}
