//! The data every template renders: a view of the [`Resolved`] schema as plain,
//! language-neutral values, with the target's config.
//!
//! Templates never see spans or source files. Types are [`Ty`] trees that the per-language
//! helpers turn into type names and codec calls.

use std::collections::BTreeSet;

use serde_json::{Map, Value as Json};

pub use super::ty::{Kind, Ty};
use super::view::{AsValue, Value, View, view_keys};
use crate::model::resolve::{Def, Operation, Resolved, TypeUse, UseId};
use crate::parser::ast::{self, Primitive};

pub struct Context {
    pub namespace: String,
    /// The merged config of the target (`codegen.yaml`'s `config`, then the target's own).
    pub config: Map<String, Json>,
    pub types: Vec<TypeView>,
    pub enums: Vec<EnumView>,
    pub unions: Vec<UnionView>,
    pub aliases: Vec<AliasView>,
    pub roles: Vec<RoleView>,
    /// The interface's operations: what the module serves.
    pub operations: Vec<OperationView>,
    /// Operations the module serves: the interface's, and those of the roles in `handlerRoles`.
    pub handlers: Vec<OperationView>,
    /// Operations the module calls on its host: the interface's, and those of the roles in
    /// `hostRoles`.
    pub host_calls: Vec<OperationView>,
    /// The host calls that the module does not serve (by name): the old Go host's client had a
    /// method for every host call, where wapc's has one for every operation served.
    pub unserved_host_calls: Vec<OperationView>,
    /// The roles of `hostRoles`: those whose operations the module calls on its host.
    pub host_roles: Vec<RoleView>,
    /// The name of the generated host client (`hostClassName`, else `Host`).
    pub host_class: String,
    /// The name of the generated handler registry (`handlersClassName`, else `Handlers`).
    pub handlers_class: String,
    /// Every operation with parameters (not unary) once, of the interface and of every role,
    /// for args types: those of `handlers` and `host_calls` first.
    pub args: Vec<OperationView>,
    /// Whether `bytes` appears in a type, union, alias, handler or host call.
    pub uses_bytes: bool,
}

#[derive(Clone)]
pub struct TypeView {
    pub name: String,
    pub description: Option<String>,
    pub annotations: Vec<AnnotationView>,
    pub fields: Vec<FieldView>,
    /// Whether a field is `raw` itself (or an alias of it): a value with no default in some
    /// languages.
    pub holds_raw: bool,
}

#[derive(Clone)]
pub struct FieldView {
    pub name: String,
    pub description: Option<String>,
    pub annotations: Vec<AnnotationView>,
    pub ty: Ty,
    pub default: Option<Json>,
}

#[derive(Clone)]
pub struct EnumView {
    pub name: String,
    pub description: Option<String>,
    pub annotations: Vec<AnnotationView>,
    pub values: Vec<EnumValueView>,
}

#[derive(Clone)]
pub struct EnumValueView {
    pub name: String,
    pub description: Option<String>,
    pub index: i64,
    /// The `as "..."` text, else the name.
    pub display: String,
}

#[derive(Clone)]
pub struct UnionView {
    pub name: String,
    pub description: Option<String>,
    pub annotations: Vec<AnnotationView>,
    pub members: Vec<UnionMember>,
    /// The first member that does not hold the union itself inline: the one a default value
    /// takes, so that building it ends.
    pub default_member: Ty,
}

#[derive(Clone)]
pub struct UnionMember {
    /// The member type as written in WIDL: the key of the union's one-entry map on the wire.
    pub tag: String,
    pub ty: Ty,
}

#[derive(Clone)]
pub struct AliasView {
    pub name: String,
    pub description: Option<String>,
    pub annotations: Vec<AnnotationView>,
    pub ty: Ty,
}

#[derive(Clone)]
pub struct RoleView {
    pub name: String,
    pub description: Option<String>,
    pub annotations: Vec<AnnotationView>,
    pub operations: Vec<OperationView>,
}

#[derive(Clone)]
pub struct OperationView {
    pub name: String,
    pub description: Option<String>,
    pub annotations: Vec<AnnotationView>,
    /// `op{arg: T}`: the one argument goes on the wire as itself.
    pub unary: bool,
    pub parameters: Vec<FieldView>,
    /// `None` for an operation that returns nothing.
    pub returns: Option<Ty>,
    /// The role the operation belongs to; `None` for the interface.
    pub role: Option<String>,
    /// As a type's: whether a parameter is `raw` itself (or an alias of it).
    pub holds_raw: bool,
}

#[derive(Clone)]
pub struct AnnotationView {
    pub name: String,
    pub arguments: Map<String, Json>,
}

// The keys templates see, for both engines: see `view.rs`.
view_keys! {
    Context {
        namespace, config, types, enums, unions, aliases, roles, operations, handlers,
        host_calls, unserved_host_calls, host_roles, host_class, handlers_class, args,
        uses_bytes,
    }
    TypeView { name, description, annotations, fields, holds_raw }
    FieldView { name, description, annotations, ty as "type", default }
    EnumView { name, description, annotations, values }
    EnumValueView { name, description, index, display }
    UnionView { name, description, annotations, members, default_member }
    UnionMember { tag, ty as "type" }
    AliasView { name, description, annotations, ty as "type" }
    RoleView { name, description, annotations, operations }
    OperationView { name, description, annotations, unary, parameters, returns, role, holds_raw }
    AnnotationView { name, arguments }
}

/// A type's keys: `kind`, then those of its kind; `boxed` only when true, `resolved` only
/// when there is one.
impl View for Ty {
    fn each<'a>(&'a self, visit: &mut dyn FnMut(&'a str, Value<'a>)) {
        match self {
            Ty::Primitive { name } => {
                visit("kind", Value::Str("primitive"));
                visit("name", name.as_value());
            }
            Ty::Named {
                name,
                of,
                boxed,
                resolved,
            } => {
                visit("kind", Value::Str("named"));
                visit("name", name.as_value());
                visit("of", of.as_value());
                if *boxed {
                    visit("boxed", Value::Bool(true));
                }
                if let Some(resolved) = resolved {
                    visit("resolved", resolved.as_value());
                }
            }
            Ty::List { item } => {
                visit("kind", Value::Str("list"));
                visit("item", item.as_value());
            }
            Ty::Map { key, value } => {
                visit("kind", Value::Str("map"));
                visit("key", key.as_value());
                visit("value", value.as_value());
            }
            Ty::Optional { inner } => {
                visit("kind", Value::Str("optional"));
                visit("inner", inner.as_value());
            }
            Ty::Stream { inner } => {
                visit("kind", Value::Str("stream"));
                visit("inner", inner.as_value());
            }
        }
    }

    /// Those of every kind: `{{#if type.resolved}}` asks of any type.
    fn declares(&self, key: &str) -> bool {
        const KEYS: [&str; 9] = [
            "kind", "name", "of", "boxed", "resolved", "item", "key", "value", "inner",
        ];
        KEYS.contains(&key)
    }

    fn as_ty(&self) -> Option<&Ty> {
        Some(self)
    }
}

impl serde::Serialize for Ty {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Value::Obj(self).serialize(serializer)
    }
}

/// Builds the context of one target.
pub fn build(resolved: &Resolved, config: Map<String, Json>) -> Context {
    let converter = Converter { resolved };
    let mut context = Context {
        namespace: resolved.namespace.unwrap_or_default().to_string(),
        types: Vec::new(),
        enums: Vec::new(),
        unions: Vec::new(),
        aliases: Vec::new(),
        roles: Vec::new(),
        operations: Vec::new(),
        handlers: Vec::new(),
        host_calls: Vec::new(),
        unserved_host_calls: Vec::new(),
        host_roles: Vec::new(),
        args: Vec::new(),
        host_class: config_str(&config, "hostClassName", "Host"),
        handlers_class: config_str(&config, "handlersClassName", "Handlers"),
        uses_bytes: false,
        config,
    };
    for definition in &resolved.definitions {
        match definition {
            Def::Type { ast: t, fields } => {
                let fields: Vec<FieldView> = (t.fields.iter().zip(fields))
                    .map(|(f, ty)| converter.field(f, *ty))
                    .collect();
                context.types.push(TypeView {
                    name: t.name.value.clone(),
                    description: description(&t.description),
                    annotations: annotations(&t.annotations),
                    holds_raw: holds_raw(&fields),
                    fields,
                })
            }
            Def::Enum(e) => context.enums.push(EnumView {
                name: e.name.value.clone(),
                description: description(&e.description),
                annotations: annotations(&e.annotations),
                values: e
                    .values
                    .iter()
                    .map(|v| EnumValueView {
                        name: v.name.value.clone(),
                        description: description(&v.description),
                        index: v.index.value,
                        display: v
                            .display
                            .as_ref()
                            .map_or_else(|| v.name.value.clone(), |d| d.value.clone()),
                    })
                    .collect(),
            }),
            Def::Union {
                ast: u,
                members,
                default_member,
            } => {
                let members: Vec<UnionMember> = members
                    .iter()
                    .map(|t| {
                        let ty = converter.ty(*t);
                        UnionMember { tag: ty.widl(), ty }
                    })
                    .collect();
                context.unions.push(UnionView {
                    name: u.name.value.clone(),
                    description: description(&u.description),
                    annotations: annotations(&u.annotations),
                    default_member: members[*default_member].ty.clone(),
                    members,
                })
            }
            Def::Alias { ast: a, ty } => context.aliases.push(AliasView {
                name: a.name.value.clone(),
                description: description(&a.description),
                annotations: annotations(&a.annotations),
                ty: converter.ty(*ty),
            }),
        }
    }
    context.operations = (resolved.operations.iter())
        .map(|o| converter.operation(o, None))
        .collect();
    context.roles = (resolved.roles.iter())
        .map(|r| RoleView {
            name: r.ast.name.value.clone(),
            description: description(&r.ast.description),
            annotations: annotations(&r.ast.annotations),
            operations: (r.operations.iter())
                .map(|o| converter.operation(o, Some(&r.ast.name.value)))
                .collect(),
        })
        .collect();

    // The old generator's meaning: the interface's operations are both served and callable
    // (unless `skipInterface`); a role's only where `handlerRoles` / `hostRoles` name it.
    let handler_roles = role_list(&context.config, "handlerRoles");
    let host_roles = role_list(&context.config, "hostRoles");
    if !matches!(context.config.get("skipInterface"), Some(Json::Bool(true))) {
        context.handlers = context.operations.clone();
        context.host_calls = context.operations.clone();
    }
    for role in &context.roles {
        if handler_roles.contains(&role.name) {
            context.handlers.extend(role.operations.iter().cloned());
        }
        if host_roles.contains(&role.name) {
            context.host_calls.extend(role.operations.iter().cloned());
            context.host_roles.push(role.clone());
        }
    }
    let served: BTreeSet<&str> = context.handlers.iter().map(|o| o.name.as_str()).collect();
    let mut unserved_seen = BTreeSet::new();
    context.unserved_host_calls = (context.host_calls.iter())
        .filter(|o| !served.contains(o.name.as_str()) && unserved_seen.insert(o.name.clone()))
        .cloned()
        .collect();
    // Every operation's args type, served, called or neither (the old generator declared them
    // all, and code uses them); those the module serves or calls first.
    let mut args_seen = BTreeSet::new();
    let every_operation =
        (context.operations.iter()).chain(context.roles.iter().flat_map(|r| &r.operations));
    context.args = (context.handlers.iter())
        .chain(&context.host_calls)
        .chain(every_operation)
        .filter(|o| !o.unary && !o.parameters.is_empty())
        .filter(|o| args_seen.insert(o.name.clone()))
        .cloned()
        .collect();
    context.uses_bytes = uses_bytes(&context);
    context
}

/// Whether `bytes` appears anywhere the templates render.
fn uses_bytes(context: &Context) -> bool {
    fn has_bytes(ty: &Ty) -> bool {
        match ty {
            Ty::Primitive { name } => *name == Primitive::Bytes,
            Ty::Named { resolved, .. } => resolved.as_deref().is_some_and(has_bytes),
            Ty::List { item: inner } | Ty::Optional { inner } | Ty::Stream { inner } => {
                has_bytes(inner)
            }
            Ty::Map { key, value } => has_bytes(key) || has_bytes(value),
        }
    }
    let operations = context.handlers.iter().chain(&context.host_calls);
    let fields = context.types.iter().flat_map(|t| &t.fields);
    fields
        .map(|f| &f.ty)
        .chain(
            context
                .unions
                .iter()
                .flat_map(|u| u.members.iter().map(|m| &m.ty)),
        )
        .chain(context.aliases.iter().map(|a| &a.ty))
        .chain(
            operations
                .clone()
                .flat_map(|o| o.parameters.iter().map(|p| &p.ty)),
        )
        .chain(operations.filter_map(|o| o.returns.as_ref()))
        .any(has_bytes)
}

fn config_str(config: &Map<String, Json>, key: &str, default: &str) -> String {
    config
        .get(key)
        .and_then(Json::as_str)
        .unwrap_or(default)
        .to_string()
}

/// A list of role names from the config: a YAML list or a comma-separated string.
fn role_list(config: &Map<String, Json>, key: &str) -> Vec<String> {
    match config.get(key) {
        Some(Json::Array(items)) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_string))
            .collect(),
        Some(Json::String(s)) => s
            .split(',')
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty())
            .collect(),
        _ => Vec::new(),
    }
}

struct Converter<'a> {
    resolved: &'a Resolved<'a>,
}

impl Converter<'_> {
    fn ty(&self, ty: UseId) -> Ty {
        match self.resolved.type_use(ty) {
            TypeUse::Primitive(primitive) => Ty::Primitive { name: primitive },
            TypeUse::Defined { id, boxed } => {
                let (name, of) = self.resolved.named(id);
                let resolved = match self.resolved.get(id) {
                    Def::Alias { ty: target, .. } => {
                        Some(Box::new(self.ty(*target).resolved().clone()))
                    }
                    _ => None,
                };
                Ty::Named {
                    name: name.to_string(),
                    of,
                    boxed,
                    resolved,
                }
            }
            TypeUse::List(item) => Ty::List {
                item: Box::new(self.ty(item)),
            },
            TypeUse::Map(key, value) => Ty::Map {
                key: Box::new(self.ty(key)),
                value: Box::new(self.ty(value)),
            },
            TypeUse::Optional(inner) => Ty::Optional {
                inner: Box::new(self.ty(inner)),
            },
            TypeUse::Stream(inner) => Ty::Stream {
                inner: Box::new(self.ty(inner)),
            },
        }
    }

    fn field(&self, field: &ast::FieldDefinition, ty: UseId) -> FieldView {
        FieldView {
            name: field.name.value.clone(),
            description: field.description.as_ref().map(|d| d.value.clone()),
            annotations: annotations(&field.annotations),
            ty: self.ty(ty),
            default: field.default.as_deref().map(value),
        }
    }

    fn operation(&self, op: &Operation, role: Option<&str>) -> OperationView {
        let parameters: Vec<FieldView> = (op.ast.parameters.iter().zip(&op.parameters))
            .map(|(p, ty)| FieldView {
                name: p.name.value.clone(),
                description: description(&p.description),
                annotations: annotations(&p.annotations),
                ty: self.ty(*ty),
                default: p.default.as_ref().map(value),
            })
            .collect();
        OperationView {
            name: op.ast.name.value.clone(),
            description: description(&op.ast.description),
            annotations: annotations(&op.ast.annotations),
            unary: op.ast.unary,
            holds_raw: holds_raw(&parameters),
            parameters,
            returns: op.returns.map(|t| self.ty(t)),
            role: role.map(str::to_string),
        }
    }
}

fn holds_raw(fields: &[FieldView]) -> bool {
    fields.iter().any(|f| {
        matches!(
            f.ty.resolved(),
            Ty::Primitive {
                name: Primitive::Raw
            }
        )
    })
}

fn description(literal: &Option<ast::StringLiteral>) -> Option<String> {
    literal.as_ref().map(|d| d.value.clone())
}

fn annotations(annotations: &[ast::Annotation]) -> Vec<AnnotationView> {
    annotations
        .iter()
        .map(|a| AnnotationView {
            name: a.name.value.clone(),
            arguments: a
                .arguments
                .iter()
                .map(|arg| (arg.name.value.clone(), value(&arg.value)))
                .collect(),
        })
        .collect()
}

/// A WIDL value as JSON; enum values become their names.
fn value(value: &ast::Value) -> Json {
    match value {
        ast::Value::String { value, .. } | ast::Value::Enum { value, .. } => {
            Json::String(value.clone())
        }
        ast::Value::Int { value, .. } => Json::from(*value),
        ast::Value::Float { value, .. } => Json::from(*value),
        ast::Value::Bool { value, .. } => Json::Bool(*value),
        ast::Value::Null { .. } => Json::Null,
        ast::Value::List { values, .. } => Json::Array(values.iter().map(self::value).collect()),
        ast::Value::Object { fields, .. } => Json::Object(
            fields
                .iter()
                .map(|f| (f.name.value.clone(), self::value(&f.value)))
                .collect(),
        ),
    }
}
