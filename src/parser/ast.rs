//! The WIDL syntax tree: plain data, serializable, every node with its source span.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use smol_str::SmolStr;

use crate::diagnostic::Span;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Document {
    pub definitions: Vec<Definition>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind")]
pub enum Definition {
    Namespace(NamespaceDefinition),
    Import(ImportDefinition),
    Type(TypeDefinition),
    Interface(InterfaceDefinition),
    Role(RoleDefinition),
    Union(UnionDefinition),
    Enum(EnumDefinition),
    Alias(AliasDefinition),
    Directive(DirectiveDefinition),
}

impl Definition {
    /// The definition's name, for those that have one.
    pub fn name(&self) -> Option<&Name> {
        match self {
            Definition::Namespace(d) => Some(&d.name),
            Definition::Type(d) => Some(&d.name),
            Definition::Role(d) => Some(&d.name),
            Definition::Union(d) => Some(&d.name),
            Definition::Enum(d) => Some(&d.name),
            Definition::Alias(d) => Some(&d.name),
            Definition::Directive(d) => Some(&d.name),
            Definition::Import(_) | Definition::Interface(_) => None,
        }
    }

    pub fn span(&self) -> Span {
        match self {
            Definition::Namespace(d) => d.span,
            Definition::Import(d) => d.span,
            Definition::Type(d) => d.span,
            Definition::Interface(d) => d.span,
            Definition::Role(d) => d.span,
            Definition::Union(d) => d.span,
            Definition::Enum(d) => d.span,
            Definition::Alias(d) => d.span,
            Definition::Directive(d) => d.span,
        }
    }

    /// The keyword that introduces the definition, as users write it.
    pub fn keyword(&self) -> &'static str {
        match self {
            Definition::Namespace(_) => "namespace",
            Definition::Import(_) => "import",
            Definition::Type(_) => "type",
            Definition::Interface(_) => "interface",
            Definition::Role(_) => "role",
            Definition::Union(_) => "union",
            Definition::Enum(_) => "enum",
            Definition::Alias(_) => "alias",
            Definition::Directive(_) => "directive",
        }
    }

    /// Whether the definition names a type that fields and parameters can refer to.
    pub fn is_type(&self) -> bool {
        matches!(
            self,
            Definition::Type(_) | Definition::Union(_) | Definition::Enum(_) | Definition::Alias(_)
        )
    }
}

/// An identifier, or a quoted name where WIDL allows one (namespace, alias). Held inline when
/// short, as almost every name is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Name {
    pub value: SmolStr,
    pub span: Span,
}

/// A string literal after escapes (and, for block strings, indentation) are processed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StringLiteral {
    pub value: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NamespaceDefinition {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<StringLiteral>,
    pub name: Name,
    pub annotations: Annotations,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ImportDefinition {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<StringLiteral>,
    /// `import * from ...`
    pub all: bool,
    pub names: Vec<ImportName>,
    pub from: StringLiteral,
    pub annotations: Annotations,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ImportName {
    pub name: Name,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alias: Option<Name>,
    pub span: Span,
}

impl ImportName {
    /// The name the definition takes in the importing document.
    pub fn local_name(&self) -> &Name {
        self.alias.as_ref().unwrap_or(&self.name)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TypeDefinition {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<StringLiteral>,
    pub name: Name,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub interfaces: Vec<Name>,
    pub annotations: Annotations,
    pub fields: Vec<FieldDefinition>,
    pub span: Span,
}

/// Description and default are boxed: most fields have neither, and schemas have many fields.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FieldDefinition {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<Box<StringLiteral>>,
    pub name: Name,
    #[serde(rename = "type")]
    pub ty: TypeRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<Box<Value>>,
    pub annotations: Annotations,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InterfaceDefinition {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<StringLiteral>,
    pub annotations: Annotations,
    pub operations: Vec<OperationDefinition>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RoleDefinition {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<StringLiteral>,
    pub name: Name,
    pub annotations: Annotations,
    pub operations: Vec<OperationDefinition>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OperationDefinition {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<StringLiteral>,
    pub name: Name,
    pub parameters: Vec<ParameterDefinition>,
    /// Written `op{arg: T}`: the single argument is sent as itself, not wrapped in a map.
    pub unary: bool,
    /// `None` when the operation returns nothing (no `:` type, or `: void`).
    #[serde(rename = "returns", skip_serializing_if = "Option::is_none")]
    pub returns: Option<TypeRef>,
    pub annotations: Annotations,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ParameterDefinition {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<StringLiteral>,
    pub name: Name,
    #[serde(rename = "type")]
    pub ty: TypeRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
    pub annotations: Annotations,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UnionDefinition {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<StringLiteral>,
    pub name: Name,
    pub annotations: Annotations,
    pub types: Vec<TypeRef>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EnumDefinition {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<StringLiteral>,
    pub name: Name,
    pub annotations: Annotations,
    pub values: Vec<EnumValueDefinition>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EnumValueDefinition {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<StringLiteral>,
    pub name: Name,
    pub index: IntLiteral,
    /// The text after `as`, shown to people instead of the name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display: Option<StringLiteral>,
    pub annotations: Annotations,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IntLiteral {
    pub value: i64,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AliasDefinition {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<StringLiteral>,
    pub name: Name,
    #[serde(rename = "type")]
    pub ty: TypeRef,
    pub annotations: Annotations,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DirectiveDefinition {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<StringLiteral>,
    pub name: Name,
    pub parameters: Vec<ParameterDefinition>,
    pub locations: Vec<Name>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub requires: Vec<DirectiveRequire>,
    pub span: Span,
}

/// `require @other on LOCATION | ...`: where this directive is used, `@other` must be too.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DirectiveRequire {
    pub directive: Name,
    pub locations: Vec<Name>,
    pub span: Span,
}

/// A node's annotations, one pointer wide: most fields have none, and a schema may have a
/// million fields. Reads as a slice; serializes as a list.
#[derive(Clone, Debug, Default, PartialEq)]
// A boxed Vec is one pointer, where a Vec or a boxed slice is two or three words.
#[allow(clippy::box_collection)]
pub struct Annotations(Option<Box<Vec<Annotation>>>);

impl From<Vec<Annotation>> for Annotations {
    fn from(annotations: Vec<Annotation>) -> Self {
        Annotations((!annotations.is_empty()).then(|| Box::new(annotations)))
    }
}

impl std::ops::Deref for Annotations {
    type Target = [Annotation];

    fn deref(&self) -> &[Annotation] {
        self.0.as_deref().map_or(&[], Vec::as_slice)
    }
}

impl Serialize for Annotations {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(serializer)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Annotation {
    pub name: Name,
    pub arguments: Vec<Argument>,
    pub span: Span,
}

impl Annotation {
    pub fn argument(&self, name: &str) -> Option<&Argument> {
        self.arguments.iter().find(|a| a.name.value == name)
    }
}

/// An annotation argument; an unnamed one (`@n(1)`) is named `value`, as in the reference.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Argument {
    pub name: Name,
    pub value: Value,
    pub span: Span,
}

/// The name an unnamed annotation argument takes.
pub const DEFAULT_ARGUMENT: &str = "value";

/// A built-in type of WIDL (`void` aside, which only an operation may return). Languages
/// match on it exhaustively, so that a new one is a compile error in every target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Primitive {
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
    F32,
    F64,
    Bool,
    String,
    Datetime,
    Bytes,
    Raw,
}

impl Primitive {
    /// Every primitive, in the order messages list them.
    pub const ALL: [Primitive; 15] = [
        Primitive::I8,
        Primitive::I16,
        Primitive::I32,
        Primitive::I64,
        Primitive::U8,
        Primitive::U16,
        Primitive::U32,
        Primitive::U64,
        Primitive::F32,
        Primitive::F64,
        Primitive::Bool,
        Primitive::String,
        Primitive::Datetime,
        Primitive::Bytes,
        Primitive::Raw,
    ];

    /// The name as written in WIDL: the one place it is spelled.
    pub const fn name(self) -> &'static str {
        match self {
            Primitive::I8 => "i8",
            Primitive::I16 => "i16",
            Primitive::I32 => "i32",
            Primitive::I64 => "i64",
            Primitive::U8 => "u8",
            Primitive::U16 => "u16",
            Primitive::U32 => "u32",
            Primitive::U64 => "u64",
            Primitive::F32 => "f32",
            Primitive::F64 => "f64",
            Primitive::Bool => "bool",
            Primitive::String => "string",
            Primitive::Datetime => "datetime",
            Primitive::Bytes => "bytes",
            Primitive::Raw => "raw",
        }
    }

    /// The primitive a WIDL name stands for, if it is one.
    pub fn from_name(name: &str) -> Option<Primitive> {
        Primitive::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// As its WIDL name, so that templates see the same text as before the enum.
impl Serialize for Primitive {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Primitive {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Primitive::from_name(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("`{name}` is not a built-in type")))
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind")]
pub enum TypeRef {
    /// A primitive (`string`, `i32`, ...) or a type defined in the schema.
    Named {
        name: Name,
    },
    List {
        item: Box<TypeRef>,
        span: Span,
    },
    Map {
        key: Box<TypeRef>,
        value: Box<TypeRef>,
        span: Span,
    },
    Optional {
        inner: Box<TypeRef>,
        span: Span,
    },
    Stream {
        inner: Box<TypeRef>,
        span: Span,
    },
}

impl TypeRef {
    pub fn span(&self) -> Span {
        match self {
            TypeRef::Named { name } => name.span,
            TypeRef::List { span, .. }
            | TypeRef::Map { span, .. }
            | TypeRef::Optional { span, .. }
            | TypeRef::Stream { span, .. } => *span,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind")]
pub enum Value {
    String {
        value: String,
        span: Span,
    },
    Int {
        value: i64,
        span: Span,
    },
    Float {
        value: f64,
        span: Span,
    },
    Bool {
        value: bool,
        span: Span,
    },
    Null {
        span: Span,
    },
    Enum {
        value: String,
        span: Span,
    },
    List {
        values: Vec<Value>,
        span: Span,
    },
    Object {
        fields: Vec<ObjectField>,
        span: Span,
    },
}

impl Value {
    pub fn span(&self) -> Span {
        match self {
            Value::String { span, .. }
            | Value::Int { span, .. }
            | Value::Float { span, .. }
            | Value::Bool { span, .. }
            | Value::Null { span }
            | Value::Enum { span, .. }
            | Value::List { span, .. }
            | Value::Object { span, .. } => *span,
        }
    }

    /// What kind of literal this is, in words for messages.
    pub fn describe(&self) -> &'static str {
        match self {
            Value::String { .. } => "a string",
            Value::Int { .. } => "an integer",
            Value::Float { .. } => "a float",
            Value::Bool { .. } => "a boolean",
            Value::Null { .. } => "null",
            Value::Enum { .. } => "an enum value",
            Value::List { .. } => "a list",
            Value::Object { .. } => "an object",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ObjectField {
    pub name: Name,
    pub value: Value,
    pub span: Span,
}
