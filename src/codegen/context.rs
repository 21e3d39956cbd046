//! The data every template renders: the schema as plain, language-neutral values.
//!
//! Templates never see spans or source files. Types are [`Ty`] trees that the per-language
//! helpers turn into type names and codec calls.

use std::collections::{BTreeSet, HashMap};

use serde::Deserialize;
use serde_json::{Map, Value as Json};

use super::view::{AsValue, Value, View, view_keys};

use crate::model::Schema;
use crate::parser::ast::{self, Definition, TypeRef};

/// A type as templates see it: its JSON form is its `View` below (read back from JSON, as a
/// helper's argument, by `Deserialize`).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Ty {
    /// A built-in: `string`, `i64`, `bytes`, ...
    Primitive {
        name: String,
    },
    /// A type defined in the schema; `of` says which kind of definition it is.
    Named {
        name: String,
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Type,
    Enum,
    Union,
    Alias,
}

impl Kind {
    /// The keyword that defines it, as templates see it.
    pub fn keyword(self) -> &'static str {
        match self {
            Kind::Type => "type",
            Kind::Enum => "enum",
            Kind::Union => "union",
            Kind::Alias => "alias",
        }
    }
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
            Ty::Primitive { name } | Ty::Named { name, .. } => name.clone(),
            Ty::List { item } => format!("[{}]", item.widl()),
            Ty::Map { key, value } => format!("{{{}: {}}}", key.widl(), value.widl()),
            Ty::Optional { inner } => format!("{}?", inner.widl()),
            Ty::Stream { inner } => format!("stream {}", inner.widl()),
        }
    }
}

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
    /// The name of the generated host client (`hostClassName`, else `Host`).
    pub host_class: String,
    /// The name of the generated handler registry (`handlersClassName`, else `Handlers`).
    pub handlers_class: String,
    /// Every multi-parameter operation of `handlers` and `host_calls` once, for args types.
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
        host_calls, host_class, handlers_class, args, uses_bytes,
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
pub fn build(schema: &Schema, config: Map<String, Json>) -> Context {
    let kinds: HashMap<&str, (Kind, Option<&TypeRef>)> = schema
        .definitions
        .iter()
        .filter_map(|d| match &d.definition {
            Definition::Type(t) => Some((t.name.value.as_str(), (Kind::Type, None))),
            Definition::Enum(e) => Some((e.name.value.as_str(), (Kind::Enum, None))),
            Definition::Union(u) => Some((u.name.value.as_str(), (Kind::Union, None))),
            Definition::Alias(a) => Some((a.name.value.as_str(), (Kind::Alias, Some(&a.ty)))),
            _ => None,
        })
        .collect();
    let converter = Converter { kinds: &kinds };

    let mut seen = BTreeSet::new();
    let mut context = Context {
        namespace: schema.namespace.clone().unwrap_or_default(),
        types: Vec::new(),
        enums: Vec::new(),
        unions: Vec::new(),
        aliases: Vec::new(),
        roles: Vec::new(),
        operations: Vec::new(),
        handlers: Vec::new(),
        host_calls: Vec::new(),
        args: Vec::new(),
        host_class: config_str(&config, "hostClassName", "Host"),
        handlers_class: config_str(&config, "handlersClassName", "Handlers"),
        uses_bytes: false,
        config,
    };
    for scoped in &schema.definitions {
        let definition = &scoped.definition;
        // A definition imported along two paths arrives twice; render it once.
        if let Some(name) = definition.name()
            && !seen.insert((definition.keyword(), name.value.clone()))
        {
            continue;
        }
        match definition {
            Definition::Type(t) => {
                let fields: Vec<FieldView> = t.fields.iter().map(|f| converter.field(f)).collect();
                context.types.push(TypeView {
                    name: t.name.value.clone(),
                    description: description(&t.description),
                    annotations: annotations(&t.annotations),
                    holds_raw: holds_raw(&fields),
                    fields,
                })
            }
            Definition::Enum(e) => context.enums.push(EnumView {
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
            Definition::Union(u) => {
                let members: Vec<UnionMember> = u
                    .types
                    .iter()
                    .map(|t| {
                        let ty = converter.ty(t);
                        UnionMember { tag: ty.widl(), ty }
                    })
                    .collect();
                context.unions.push(UnionView {
                    name: u.name.value.clone(),
                    description: description(&u.description),
                    annotations: annotations(&u.annotations),
                    // The grammar gives a union one member at least; cycles move it below.
                    default_member: members[0].ty.clone(),
                    members,
                })
            }
            Definition::Alias(a) => context.aliases.push(AliasView {
                name: a.name.value.clone(),
                description: description(&a.description),
                annotations: annotations(&a.annotations),
                ty: converter.ty(&a.ty),
            }),
            Definition::Interface(i) => context
                .operations
                .extend(i.operations.iter().map(|o| converter.operation(o, None))),
            Definition::Role(r) => context.roles.push(RoleView {
                name: r.name.value.clone(),
                description: description(&r.description),
                annotations: annotations(&r.annotations),
                operations: r
                    .operations
                    .iter()
                    .map(|o| converter.operation(o, Some(&r.name.value)))
                    .collect(),
            }),
            Definition::Namespace(_) | Definition::Import(_) | Definition::Directive(_) => {}
        }
    }

    box_inline_cycles(&mut context);
    for union in &mut context.unions {
        let held_inline = |m: &&UnionMember| !matches!(m.ty, Ty::Named { boxed: true, .. });
        if let Some(member) = union.members.iter().find(held_inline) {
            union.default_member = member.ty.clone();
        }
    }
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
        }
    }
    let mut args_seen = BTreeSet::new();
    context.args = context
        .handlers
        .iter()
        .chain(&context.host_calls)
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
            Ty::Primitive { name } => name == "bytes",
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
    kinds: &'a HashMap<&'a str, (Kind, Option<&'a TypeRef>)>,
}

impl Converter<'_> {
    fn ty(&self, ty: &TypeRef) -> Ty {
        match ty {
            TypeRef::Named { name } => {
                let name = name.value.clone();
                match self.kinds.get(name.as_str()) {
                    Some((of, target)) => Ty::Named {
                        resolved: target.map(|t| Box::new(self.ty(t).resolved().clone())),
                        name,
                        of: *of,
                        boxed: false,
                    },
                    // Validation let through only primitives besides defined types.
                    None => Ty::Primitive { name },
                }
            }
            TypeRef::List { item, .. } => Ty::List {
                item: Box::new(self.ty(item)),
            },
            TypeRef::Map { key, value, .. } => Ty::Map {
                key: Box::new(self.ty(key)),
                value: Box::new(self.ty(value)),
            },
            TypeRef::Optional { inner, .. } => Ty::Optional {
                inner: Box::new(self.ty(inner)),
            },
            TypeRef::Stream { inner, .. } => Ty::Stream {
                inner: Box::new(self.ty(inner)),
            },
        }
    }

    fn field(&self, field: &ast::FieldDefinition) -> FieldView {
        FieldView {
            name: field.name.value.clone(),
            description: description(&field.description),
            annotations: annotations(&field.annotations),
            ty: self.ty(&field.ty),
            default: field.default.as_ref().map(value),
        }
    }

    fn operation(&self, op: &ast::OperationDefinition, role: Option<&str>) -> OperationView {
        let parameters: Vec<FieldView> = op
            .parameters
            .iter()
            .map(|p| FieldView {
                name: p.name.value.clone(),
                description: description(&p.description),
                annotations: annotations(&p.annotations),
                ty: self.ty(&p.ty),
                default: p.default.as_ref().map(value),
            })
            .collect();
        OperationView {
            name: op.name.value.clone(),
            description: description(&op.description),
            annotations: annotations(&op.annotations),
            unary: op.unary,
            holds_raw: holds_raw(&parameters),
            parameters,
            returns: op.returns.as_ref().map(|t| self.ty(t)),
            role: role.map(str::to_string),
        }
    }
}

fn holds_raw(fields: &[FieldView]) -> bool {
    fields
        .iter()
        .any(|f| matches!(f.ty.resolved(), Ty::Primitive { name } if name == "raw"))
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

/// Marks the references that close a cycle of types held inline (`type Node { next: Node? }`,
/// or a union whose member holds the union): stored inline, such a type would be infinite.
fn box_inline_cycles(context: &mut Context) {
    let mut edges: HashMap<&str, Vec<&str>> = HashMap::new();
    for ty in &context.types {
        let targets = edges.entry(ty.name.as_str()).or_default();
        ty.fields
            .iter()
            .for_each(|f| inline_targets(&f.ty, targets));
    }
    for union in &context.unions {
        let targets = edges.entry(union.name.as_str()).or_default();
        union
            .members
            .iter()
            .for_each(|m| inline_targets(&m.ty, targets));
    }
    // Every node must have an entry for the cycle search.
    let nodes: Vec<&str> = edges.values().flatten().copied().collect();
    for node in nodes {
        edges.entry(node).or_default();
    }
    let cycles: HashMap<String, String> = crate::model::cyclic(&edges)
        .into_iter()
        .map(|(node, (first, _))| (node.to_string(), first.to_string()))
        .collect();
    if cycles.is_empty() {
        return;
    }
    let component = |name: &str| cycles.get(name).cloned();
    for ty in &mut context.types {
        let Some(own) = component(&ty.name) else {
            continue;
        };
        for field in &mut ty.fields {
            mark_boxed(&mut field.ty, &own, &component);
        }
    }
    for union in &mut context.unions {
        let Some(own) = component(&union.name) else {
            continue;
        };
        for member in &mut union.members {
            mark_boxed(&mut member.ty, &own, &component);
        }
    }
}

/// The types and unions that `ty` holds inline: itself, or through an optional or an alias.
fn inline_targets<'a>(ty: &'a Ty, out: &mut Vec<&'a str>) {
    match ty {
        Ty::Named {
            name,
            of: Kind::Type | Kind::Union,
            ..
        } => out.push(name),
        Ty::Named {
            of: Kind::Alias,
            resolved: Some(target),
            ..
        } => inline_targets(target, out),
        Ty::Optional { inner } => inline_targets(inner, out),
        _ => {}
    }
}

fn mark_boxed(ty: &mut Ty, own: &str, component: &dyn Fn(&str) -> Option<String>) {
    if let Ty::Optional { inner } = ty {
        return mark_boxed(inner, own, component);
    }
    let mut targets = Vec::new();
    inline_targets(ty, &mut targets);
    let same = targets.iter().any(|t| component(t).as_deref() == Some(own));
    if let Ty::Named { boxed, .. } = ty {
        *boxed = same;
    }
}
