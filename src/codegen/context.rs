//! The data every template renders: a view of the [`Resolved`] schema as plain,
//! language-neutral values, with the target's config.
//!
//! Templates never see spans or source files. Types are [`Ty`] trees that the per-language
//! helpers turn into type names and codec calls. The schema's views ([`SchemaViews`]) are the
//! same for every config: a document builds them once, taking names and texts out of the
//! syntax tree and freeing each definition as it goes, and its targets' contexts share them.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use serde_json::{Map, Value as Json};
use smol_str::SmolStr;

pub use super::ty::{Kind, Ty};
use super::view::{AsValue, Value, View, view_keys};
use crate::diagnostic::Diagnostic;
use crate::model::Schema;
use crate::model::resolve::{Def, Operation, Operations, Resolved, TypeUse, UseId, resolve};
use crate::parser::ast::{self, Definition, Primitive};

/// What a target's templates render: the schema's views and the target's config.
pub struct Context {
    pub schema: Arc<SchemaViews>,
    /// The merged config of the target (`codegen.yaml`'s `config`, then the target's own).
    pub config: Map<String, Json>,
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

/// The schema as templates see it, whatever the config.
#[derive(Default)]
pub struct SchemaViews {
    pub namespace: String,
    pub types: Vec<TypeView>,
    pub enums: Vec<EnumView>,
    pub unions: Vec<UnionView>,
    pub aliases: Vec<AliasView>,
    pub roles: Vec<RoleView>,
    /// The interface's operations: what the module serves.
    pub operations: Vec<OperationView>,
}

#[derive(Clone)]
pub struct TypeView {
    pub name: SmolStr,
    pub description: Option<String>,
    pub annotations: Vec<AnnotationView>,
    pub fields: Vec<FieldView>,
    /// Whether a field is `raw` itself (or an alias of it): a value with no default in some
    /// languages.
    pub holds_raw: bool,
}

/// A field or parameter. A schema may have a million fields, and most have no description,
/// annotation or default: those are boxed, and there only when there is one. Fields of the
/// same type share it.
#[derive(Clone)]
pub struct FieldView {
    pub name: SmolStr,
    pub ty: Arc<Ty>,
    more: Option<Box<FieldMore>>,
}

#[derive(Clone)]
struct FieldMore {
    description: Option<String>,
    annotations: Vec<AnnotationView>,
    default: Option<Json>,
}

/// The keys a field had as a plain struct, in that order: `name`, `description`,
/// `annotations`, `type`, `default`.
impl View for FieldView {
    fn each<'a>(&'a self, visit: &mut dyn FnMut(&'a str, Value<'a>)) {
        static NO_ANNOTATIONS: Vec<AnnotationView> = Vec::new();
        let more = self.more.as_deref();
        visit("name", self.name.as_value());
        visit(
            "description",
            more.map_or(Value::Null, |m| m.description.as_value()),
        );
        visit(
            "annotations",
            more.map_or(&NO_ANNOTATIONS, |m| &m.annotations).as_value(),
        );
        visit("type", self.ty.as_value());
        visit(
            "default",
            more.map_or(Value::Null, |m| m.default.as_value()),
        );
    }
}

impl AsValue for FieldView {
    fn as_value(&self) -> Value<'_> {
        Value::Obj(self)
    }
}

impl serde::Serialize for FieldView {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Value::Obj(self).serialize(serializer)
    }
}

/// The keys the context had as one struct, in that order: the schema's, then the config's.
impl View for Context {
    fn each<'a>(&'a self, visit: &mut dyn FnMut(&'a str, Value<'a>)) {
        let schema = &*self.schema;
        visit("namespace", schema.namespace.as_value());
        visit("config", self.config.as_value());
        visit("types", schema.types.as_value());
        visit("enums", schema.enums.as_value());
        visit("unions", schema.unions.as_value());
        visit("aliases", schema.aliases.as_value());
        visit("roles", schema.roles.as_value());
        visit("operations", schema.operations.as_value());
        visit("handlers", self.handlers.as_value());
        visit("host_calls", self.host_calls.as_value());
        visit("unserved_host_calls", self.unserved_host_calls.as_value());
        visit("host_roles", self.host_roles.as_value());
        visit("host_class", self.host_class.as_value());
        visit("handlers_class", self.handlers_class.as_value());
        visit("args", self.args.as_value());
        visit("uses_bytes", self.uses_bytes.as_value());
    }
}

impl serde::Serialize for Context {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Value::Obj(self).serialize(serializer)
    }
}

#[derive(Clone)]
pub struct EnumView {
    pub name: SmolStr,
    pub description: Option<String>,
    pub annotations: Vec<AnnotationView>,
    pub values: Vec<EnumValueView>,
}

#[derive(Clone)]
pub struct EnumValueView {
    pub name: SmolStr,
    pub description: Option<String>,
    pub index: i64,
    /// The `as "..."` text, else the name.
    pub display: String,
}

#[derive(Clone)]
pub struct UnionView {
    pub name: SmolStr,
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
    pub name: SmolStr,
    pub description: Option<String>,
    pub annotations: Vec<AnnotationView>,
    pub ty: Ty,
}

#[derive(Clone)]
pub struct RoleView {
    pub name: SmolStr,
    pub description: Option<String>,
    pub annotations: Vec<AnnotationView>,
    pub operations: Vec<OperationView>,
}

#[derive(Clone)]
pub struct OperationView {
    pub name: SmolStr,
    pub description: Option<String>,
    pub annotations: Vec<AnnotationView>,
    /// `op{arg: T}`: the one argument goes on the wire as itself.
    pub unary: bool,
    pub parameters: Vec<FieldView>,
    /// `None` for an operation that returns nothing.
    pub returns: Option<Ty>,
    /// The role the operation belongs to; `None` for the interface.
    pub role: Option<SmolStr>,
    /// As a type's: whether a parameter is `raw` itself (or an alias of it).
    pub holds_raw: bool,
}

#[derive(Clone)]
pub struct AnnotationView {
    pub name: SmolStr,
    pub arguments: Map<String, Json>,
}

// The keys templates see, for both engines: see `view.rs`.
view_keys! {
    TypeView { name, description, annotations, fields, holds_raw }
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

/// Builds the context of one target from a validated schema: [`SchemaViews::build`], then
/// [`Context::new`].
pub fn build(schema: Schema, config: Map<String, Json>) -> Result<Context, Diagnostic> {
    Ok(Context::new(Arc::new(SchemaViews::build(schema)?), config))
}

impl SchemaViews {
    /// Resolves a validated schema and builds its views, consuming it: each definition's
    /// names and texts move into its view, and the rest of it is freed then, so that a large
    /// schema is never held twice. An error is an internal one (see [`resolve`]).
    pub fn build(mut schema: Schema) -> Result<SchemaViews, Diagnostic> {
        // The source files are for messages, and views quote none: on a large schema their
        // text and line table are an eighth of the memory in use, freed before resolve adds
        // its own.
        schema.files = Vec::new();
        let resolved = resolve(&schema)?;
        let converter = Converter {
            resolved: &resolved,
            field_types: RefCell::default(),
        };
        let mut views = SchemaViews {
            namespace: schema.namespace.unwrap_or_default(),
            ..SchemaViews::default()
        };
        let mut definitions = resolved.definitions.iter().peekable();
        let mut interfaces = resolved.interfaces.iter().peekable();
        let mut roles = resolved.roles.iter().peekable();
        for (at, scoped) in schema.definitions.into_iter().enumerate() {
            // What resolve left out (imports, directives, a definition imported twice) goes.
            if let Some(def) = definitions.next_if(|d| d.at() == at) {
                converter.definition(scoped.definition, def, &mut views);
            } else if let Some(interface) = interfaces.next_if(|i| i.at == at)
                && let Definition::Interface(ast) = scoped.definition
            {
                let operations = converter.operation_views(ast.operations, interface, None);
                views.operations.extend(operations);
            } else if let Some(role) = roles.next_if(|r| r.at == at)
                && let Definition::Role(ast) = scoped.definition
            {
                let operations =
                    converter.operation_views(ast.operations, role, Some(&ast.name.value));
                views.roles.push(RoleView {
                    name: ast.name.value,
                    description: ast.description.map(|d| d.value),
                    annotations: annotations(&ast.annotations),
                    operations,
                });
            }
        }
        Ok(views)
    }
}

impl Context {
    /// The context of a target with `config`, over the schema's views.
    pub fn new(schema: Arc<SchemaViews>, config: Map<String, Json>) -> Context {
        // The old generator's meaning: the interface's operations are both served and callable
        // (unless `skipInterface`); a role's only where `handlerRoles` / `hostRoles` name it.
        let handler_role_names = role_list(&config, "handlerRoles");
        let host_role_names = role_list(&config, "hostRoles");
        let mut handlers = Vec::new();
        let mut host_calls = Vec::new();
        let mut host_roles = Vec::new();
        if !matches!(config.get("skipInterface"), Some(Json::Bool(true))) {
            handlers = schema.operations.clone();
            host_calls = schema.operations.clone();
        }
        for role in &schema.roles {
            if handler_role_names.iter().any(|r| *r == role.name) {
                handlers.extend(role.operations.iter().cloned());
            }
            if host_role_names.iter().any(|r| *r == role.name) {
                host_calls.extend(role.operations.iter().cloned());
                host_roles.push(role.clone());
            }
        }
        let served: BTreeSet<&str> = handlers.iter().map(|o| o.name.as_str()).collect();
        let mut unserved_seen = BTreeSet::new();
        let unserved_host_calls = (host_calls.iter())
            .filter(|o| !served.contains(o.name.as_str()) && unserved_seen.insert(o.name.clone()))
            .cloned()
            .collect();
        // Every operation's args type, served, called or neither (the old generator declared
        // them all, and code uses them); those the module serves or calls first.
        let mut args_seen = BTreeSet::new();
        let every_operation =
            (schema.operations.iter()).chain(schema.roles.iter().flat_map(|r| &r.operations));
        let args = (handlers.iter().chain(&host_calls).chain(every_operation))
            .filter(|o| !o.unary && !o.parameters.is_empty())
            .filter(|o| args_seen.insert(o.name.clone()))
            .cloned()
            .collect();
        let mut context = Context {
            host_class: config_str(&config, "hostClassName", "Host"),
            handlers_class: config_str(&config, "handlersClassName", "Handlers"),
            schema,
            config,
            handlers,
            host_calls,
            unserved_host_calls,
            host_roles,
            args,
            uses_bytes: false,
        };
        context.uses_bytes = uses_bytes(&context);
        context
    }
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
    let schema = &context.schema;
    let fields = schema.types.iter().flat_map(|t| &t.fields);
    fields
        .map(|f| &*f.ty)
        .chain(
            schema
                .unions
                .iter()
                .flat_map(|u| u.members.iter().map(|m| &m.ty)),
        )
        .chain(schema.aliases.iter().map(|a| &a.ty))
        .chain(
            operations
                .clone()
                .flat_map(|o| o.parameters.iter().map(|p| &*p.ty)),
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
    resolved: &'a Resolved,
    /// One of each field type, for the fields to share.
    field_types: RefCell<HashSet<Arc<Ty>>>,
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
                    name: name.into(),
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

    /// The type of a field, shared with the fields before it of the same type.
    fn field_ty(&self, ty: UseId) -> Arc<Ty> {
        let ty = self.ty(ty);
        let mut known = self.field_types.borrow_mut();
        if let Some(shared) = known.get(&ty) {
            return Arc::clone(shared);
        }
        let shared = Arc::new(ty);
        known.insert(Arc::clone(&shared));
        shared
    }

    /// Adds the view of a type, enum, union or alias to `views`.
    fn definition(&self, definition: Definition, def: &Def, views: &mut SchemaViews) {
        match (definition, def) {
            (Definition::Type(t), Def::Type { fields, .. }) => {
                // Collected into a vector of its own: one made in place in the syntax tree's
                // would keep its larger size.
                let mut views_of_fields = Vec::with_capacity(fields.len());
                views_of_fields.extend((t.fields.into_iter().zip(fields)).map(|(f, ty)| {
                    self.field(
                        f.name,
                        f.description.map(|d| d.value),
                        &f.annotations,
                        *ty,
                        f.default.as_deref(),
                    )
                }));
                let fields = views_of_fields;
                views.types.push(TypeView {
                    name: t.name.value,
                    description: t.description.map(|d| d.value),
                    annotations: annotations(&t.annotations),
                    holds_raw: holds_raw(&fields),
                    fields,
                })
            }
            (Definition::Enum(e), Def::Enum { .. }) => views.enums.push(EnumView {
                name: e.name.value,
                description: e.description.map(|d| d.value),
                annotations: annotations(&e.annotations),
                values: (e.values.into_iter())
                    .map(|v| EnumValueView {
                        display: v
                            .display
                            .map_or_else(|| v.name.value.to_string(), |d| d.value),
                        name: v.name.value,
                        description: v.description.map(|d| d.value),
                        index: v.index.value,
                    })
                    .collect(),
            }),
            (
                Definition::Union(u),
                Def::Union {
                    members,
                    default_member,
                    ..
                },
            ) => {
                let members: Vec<UnionMember> = (members.iter())
                    .map(|t| {
                        let ty = self.ty(*t);
                        UnionMember { tag: ty.widl(), ty }
                    })
                    .collect();
                views.unions.push(UnionView {
                    name: u.name.value,
                    description: u.description.map(|d| d.value),
                    annotations: annotations(&u.annotations),
                    default_member: members[*default_member].ty.clone(),
                    members,
                })
            }
            (Definition::Alias(a), Def::Alias { ty, .. }) => views.aliases.push(AliasView {
                name: a.name.value,
                description: a.description.map(|d| d.value),
                annotations: annotations(&a.annotations),
                ty: self.ty(*ty),
            }),
            // Resolve gives each definition a `Def` of its own kind.
            _ => {}
        }
    }

    fn operation_views(
        &self,
        operations: Vec<ast::OperationDefinition>,
        resolved: &Operations,
        role: Option<&SmolStr>,
    ) -> Vec<OperationView> {
        (operations.into_iter().zip(&resolved.operations))
            .map(|(op, types)| self.operation(op, types, role))
            .collect()
    }

    fn field(
        &self,
        name: ast::Name,
        description: Option<String>,
        annotations_of: &[ast::Annotation],
        ty: UseId,
        default: Option<&ast::Value>,
    ) -> FieldView {
        let more = FieldMore {
            description,
            annotations: annotations(annotations_of),
            default: default.map(value),
        };
        let has_more =
            more.description.is_some() || !more.annotations.is_empty() || more.default.is_some();
        FieldView {
            name: name.value,
            ty: self.field_ty(ty),
            more: has_more.then(|| Box::new(more)),
        }
    }

    fn operation(
        &self,
        op: ast::OperationDefinition,
        types: &Operation,
        role: Option<&SmolStr>,
    ) -> OperationView {
        let parameters: Vec<FieldView> = (op.parameters.into_iter().zip(&types.parameters))
            .map(|(p, ty)| {
                self.field(
                    p.name,
                    p.description.map(|d| d.value),
                    &p.annotations,
                    *ty,
                    p.default.as_ref(),
                )
            })
            .collect();
        OperationView {
            name: op.name.value,
            description: op.description.map(|d| d.value),
            annotations: annotations(&op.annotations),
            unary: op.unary,
            holds_raw: holds_raw(&parameters),
            parameters,
            returns: types.returns.map(|t| self.ty(t)),
            role: role.cloned(),
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

fn annotations(annotations: &[ast::Annotation]) -> Vec<AnnotationView> {
    annotations
        .iter()
        .map(|a| AnnotationView {
            name: a.name.value.clone(),
            arguments: a
                .arguments
                .iter()
                .map(|arg| (arg.name.value.to_string(), value(&arg.value)))
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
                .map(|f| (f.name.value.to_string(), self::value(&f.value)))
                .collect(),
        ),
    }
}
