//! The schema resolved for code generation, after validation: each definition once, the
//! types, enums, unions and aliases in an arena indexed by [`DefId`], every type reference
//! resolved to a built-in or one of them (in a second arena, indexed by [`UseId`]), and the
//! facts that code generation needs (which references close a cycle of types held inline and
//! must be boxed, which union member a default takes) worked out once, for every target and
//! config.

use std::collections::{BTreeSet, HashMap};

use serde::Deserialize;

use super::Schema;
use smol_str::SmolStr;

use crate::diagnostic::Diagnostic;
use crate::parser::ast::{self, Definition, Primitive, TypeRef};

/// A type, enum, union or alias: its place in [`Resolved::definitions`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DefId(u32);

/// A type use: its place in [`Resolved::uses`]. Ids are 32 bits, so that a use takes 12
/// bytes: the schema and its imports are far too small to hold more (`MAX_SCHEMAS_SIZE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct UseId(u32);

/// What a reference to a definition names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
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

/// A type as used in a field, parameter, result, union member or alias. Its parts are uses
/// too, in the same arena, rather than a tree of boxes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TypeUse {
    Primitive(Primitive),
    /// A type, enum, union or alias of the schema. `boxed`: the reference closes a cycle of
    /// types held inline (directly or optionally, not through a list or map), so languages
    /// that store values inline (Rust) must box it.
    Defined {
        id: DefId,
        boxed: bool,
    },
    List(UseId),
    Map(UseId, UseId),
    Optional(UseId),
    Stream(UseId),
}

/// A type, enum, union or alias with its references resolved. Its syntax (names,
/// descriptions, annotations, values) stays in the schema, at `schema.definitions[at]`, so
/// that code generation can take it from there, by value, and free it as it goes.
pub enum Def {
    Type {
        at: usize,
        /// The type of each field, in order.
        fields: Vec<UseId>,
    },
    Enum {
        at: usize,
    },
    Union {
        at: usize,
        members: Vec<UseId>,
        /// The first member that does not hold the union itself inline: the one a default
        /// value takes, so that building it ends.
        default_member: usize,
    },
    Alias {
        at: usize,
        ty: UseId,
    },
}

impl Def {
    /// Its place in `schema.definitions`.
    pub fn at(&self) -> usize {
        match self {
            Def::Type { at, .. }
            | Def::Enum { at }
            | Def::Union { at, .. }
            | Def::Alias { at, .. } => *at,
        }
    }
}

/// An interface or a role (at `schema.definitions[at]`) and the types of its operations, in
/// order.
pub struct Operations {
    pub at: usize,
    pub operations: Vec<Operation>,
}

pub struct Operation {
    /// The type of each parameter, in order.
    pub parameters: Vec<UseId>,
    pub returns: Option<UseId>,
}

/// A validated schema, resolved: see the module's documentation. Each list is in the
/// schema's order.
pub struct Resolved {
    /// The types, enums, unions and aliases; a definition imported along two paths appears
    /// once.
    pub definitions: Vec<Def>,
    /// The interfaces, whose operations the module serves.
    pub interfaces: Vec<Operations>,
    /// The roles, each once.
    pub roles: Vec<Operations>,
    /// Every type use, parts included.
    uses: Vec<TypeUse>,
    /// Each definition's name and kind, by [`DefId`].
    names: Vec<(SmolStr, Kind)>,
}

impl Resolved {
    pub fn get(&self, id: DefId) -> &Def {
        &self.definitions[id.0 as usize]
    }

    pub fn type_use(&self, id: UseId) -> TypeUse {
        self.uses[id.0 as usize]
    }

    /// The name of a type, enum, union or alias, and which of them it is.
    pub fn named(&self, id: DefId) -> (&str, Kind) {
        let (name, kind) = &self.names[id.0 as usize];
        (name, *kind)
    }
}

/// A resolved schema beside the syntax it was resolved from, each definition and operation
/// looked up once: for what reads names, values and types together many times (`wapc call`'s
/// wire). Code generation takes the syntax by value instead, freeing it as it goes.
pub struct WithSyntax<'a> {
    pub resolved: &'a Resolved,
    /// By [`DefId`].
    pub definitions: Vec<DefSyntax<'a>>,
    /// The interfaces' operations, then the roles', in the schema's order.
    pub operations: Vec<OperationSyntax<'a>>,
}

/// A [`Def`] with its syntax.
pub enum DefSyntax<'a> {
    Type {
        ast: &'a ast::TypeDefinition,
        fields: &'a [UseId],
    },
    Enum(&'a ast::EnumDefinition),
    Union {
        ast: &'a ast::UnionDefinition,
        members: &'a [UseId],
    },
    Alias {
        ast: &'a ast::AliasDefinition,
        ty: UseId,
    },
}

/// An [`Operation`] with its syntax, and its role's name (`None` for the interface's).
pub struct OperationSyntax<'a> {
    pub ast: &'a ast::OperationDefinition,
    pub role: Option<&'a str>,
    pub parameters: &'a [UseId],
    pub returns: Option<UseId>,
}

impl Resolved {
    /// This resolution beside `schema`'s syntax. An error means that `schema` is not the one
    /// it was resolved from: a bug, reported rather than a panic.
    pub fn with_syntax<'a>(&'a self, schema: &'a Schema) -> Result<WithSyntax<'a>, Diagnostic> {
        let mismatch = |at: usize| {
            Diagnostic::error(format!(
                "internal error: definition {at} of the schema is not the one resolved"
            ))
        };
        let syntax = |at: usize| schema.definitions.get(at).map(|s| &s.definition);
        let definitions = (self.definitions.iter())
            .map(|def| match (def, syntax(def.at())) {
                (Def::Type { fields, .. }, Some(Definition::Type(ast))) => {
                    Ok(DefSyntax::Type { ast, fields })
                }
                (Def::Enum { .. }, Some(Definition::Enum(ast))) => Ok(DefSyntax::Enum(ast)),
                (Def::Union { members, .. }, Some(Definition::Union(ast))) => {
                    Ok(DefSyntax::Union { ast, members })
                }
                (Def::Alias { ty, .. }, Some(Definition::Alias(ast))) => {
                    Ok(DefSyntax::Alias { ast, ty: *ty })
                }
                _ => Err(mismatch(def.at())),
            })
            .collect::<Result<_, _>>()?;
        let mut operations = Vec::new();
        for of in self.interfaces.iter().chain(&self.roles) {
            let (role, syntax) = match syntax(of.at) {
                Some(Definition::Interface(i)) => (None, &i.operations),
                Some(Definition::Role(r)) => (Some(r.name.value.as_str()), &r.operations),
                _ => return Err(mismatch(of.at)),
            };
            if syntax.len() != of.operations.len() {
                return Err(mismatch(of.at));
            }
            operations.extend((syntax.iter().zip(&of.operations)).map(|(ast, types)| {
                OperationSyntax {
                    ast,
                    role,
                    parameters: &types.parameters,
                    returns: types.returns,
                }
            }));
        }
        Ok(WithSyntax {
            resolved: self,
            definitions,
            operations,
        })
    }
}

impl<'a> WithSyntax<'a> {
    pub fn get(&self, id: DefId) -> &DefSyntax<'a> {
        &self.definitions[id.0 as usize]
    }

    /// The operation named `name`: the interface's first, then the roles'.
    pub fn operation(&self, name: &str) -> Option<&OperationSyntax<'a>> {
        self.operations.iter().find(|op| op.ast.name.value == name)
    }
}

/// What a name in a type reference stands for.
#[derive(Clone, Copy)]
enum Target {
    Defined(DefId),
    Primitive(Primitive),
}

/// Resolves a validated schema. An error means validation let through a reference to a name
/// that is neither defined nor built in: a bug, reported rather than a panic.
pub fn resolve(schema: &Schema) -> Result<Resolved, Diagnostic> {
    let mut seen = BTreeSet::new();
    let mut kept: Vec<(usize, &Definition)> = Vec::new();
    // One lookup per reference, for built-ins as for definitions.
    let mut names: HashMap<&str, Target> = (Primitive::ALL.into_iter())
        .map(|p| (p.name(), Target::Primitive(p)))
        .collect();
    let mut named: u32 = 0;
    for (at, scoped) in schema.definitions.iter().enumerate() {
        let definition = &scoped.definition;
        if matches!(
            definition,
            Definition::Namespace(_) | Definition::Import(_) | Definition::Directive(_)
        ) {
            continue;
        }
        // A definition imported along two paths arrives twice; keep it once.
        if let Some(name) = definition.name()
            && !seen.insert((definition.keyword(), name.value.as_str()))
        {
            continue;
        }
        if definition.is_type()
            && let Some(name) = definition.name()
        {
            names.insert(&name.value, Target::Defined(DefId(named)));
            named += 1;
        }
        kept.push((at, definition));
    }
    let mut resolver = Resolver {
        names: &names,
        uses: Vec::new(),
    };
    let mut definitions = Vec::with_capacity(named as usize);
    let mut names = Vec::with_capacity(named as usize);
    let mut interfaces = Vec::new();
    let mut roles = Vec::new();
    for (at, definition) in kept {
        let kind = match definition {
            Definition::Type(t) => {
                definitions.push(Def::Type {
                    at,
                    fields: resolver.all(t.fields.iter().map(|f| &f.ty))?,
                });
                Kind::Type
            }
            Definition::Enum(_) => {
                definitions.push(Def::Enum { at });
                Kind::Enum
            }
            Definition::Union(u) => {
                definitions.push(Def::Union {
                    at,
                    members: resolver.all(&u.types)?,
                    default_member: 0,
                });
                Kind::Union
            }
            Definition::Alias(a) => {
                definitions.push(Def::Alias {
                    at,
                    ty: resolver.ty(&a.ty)?,
                });
                Kind::Alias
            }
            Definition::Interface(i) => {
                let operations = resolver.operations(&i.operations)?;
                interfaces.push(Operations { at, operations });
                continue;
            }
            Definition::Role(r) => {
                let operations = resolver.operations(&r.operations)?;
                roles.push(Operations { at, operations });
                continue;
            }
            Definition::Namespace(_) | Definition::Import(_) | Definition::Directive(_) => {
                continue;
            }
        };
        let name = definition
            .name()
            .map_or_else(SmolStr::default, |n| n.value.clone());
        names.push((name, kind));
    }
    let mut resolved = Resolved {
        definitions,
        interfaces,
        roles,
        uses: resolver.uses,
        names,
    };
    box_inline_cycles(&mut resolved);
    choose_default_members(&mut resolved);
    Ok(resolved)
}

struct Resolver<'a> {
    names: &'a HashMap<&'a str, Target>,
    uses: Vec<TypeUse>,
}

impl Resolver<'_> {
    fn ty(&mut self, ty: &TypeRef) -> Result<UseId, Diagnostic> {
        let resolved = match ty {
            TypeRef::Named { name } => match self.names.get(name.value.as_str()) {
                Some(Target::Defined(id)) => TypeUse::Defined {
                    id: *id,
                    boxed: false,
                },
                Some(Target::Primitive(primitive)) => TypeUse::Primitive(*primitive),
                None => {
                    return Err(Diagnostic::error(format!(
                        "internal error: validation let through the unknown type `{}`",
                        name.value
                    )));
                }
            },
            TypeRef::List { item, .. } => TypeUse::List(self.ty(item)?),
            TypeRef::Map { key, value, .. } => TypeUse::Map(self.ty(key)?, self.ty(value)?),
            TypeRef::Optional { inner, .. } => TypeUse::Optional(self.ty(inner)?),
            TypeRef::Stream { inner, .. } => TypeUse::Stream(self.ty(inner)?),
        };
        let id = UseId(self.uses.len() as u32);
        self.uses.push(resolved);
        Ok(id)
    }

    fn all<'t>(
        &mut self,
        types: impl IntoIterator<Item = &'t TypeRef>,
    ) -> Result<Vec<UseId>, Diagnostic> {
        types.into_iter().map(|t| self.ty(t)).collect()
    }

    fn operations(
        &mut self,
        operations: &[ast::OperationDefinition],
    ) -> Result<Vec<Operation>, Diagnostic> {
        (operations.iter())
            .map(|op| {
                Ok(Operation {
                    parameters: self.all(op.parameters.iter().map(|p| &p.ty))?,
                    returns: op.returns.as_ref().map(|t| self.ty(t)).transpose()?,
                })
            })
            .collect()
    }
}

/// Marks the references that close a cycle of types held inline (`type Node { next: Node? }`,
/// or a union whose member holds the union): stored inline, such a type would be infinite.
fn box_inline_cycles(resolved: &mut Resolved) {
    let held: Vec<(&str, &[UseId])> = (resolved.definitions.iter().zip(&resolved.names))
        .filter_map(|(def, (name, _))| match def {
            Def::Type { fields, .. } => Some((name.as_str(), fields.as_slice())),
            Def::Union { members, .. } => Some((name.as_str(), members.as_slice())),
            Def::Enum { .. } | Def::Alias { .. } => None,
        })
        .collect();
    let mut edges: HashMap<&str, Vec<&str>> = HashMap::new();
    for (name, uses) in &held {
        let targets = edges.entry(name).or_default();
        uses.iter()
            .for_each(|u| inline_targets(resolved, *u, targets));
    }
    // Every node must have an entry for the cycle search.
    let nodes: Vec<&str> = edges.values().flatten().copied().collect();
    for node in nodes {
        edges.entry(node).or_default();
    }
    let cycles = super::cyclic(&edges);
    let mut boxed = Vec::new();
    for (name, uses) in &held {
        let Some(&(own, _)) = cycles.get(name) else {
            continue;
        };
        for &ty in uses.iter() {
            let ty = without_optionals(resolved, ty);
            let mut targets = Vec::new();
            inline_targets(resolved, ty, &mut targets);
            if targets
                .iter()
                .any(|t| cycles.get(t).map(|c| c.0) == Some(own))
            {
                boxed.push(ty);
            }
        }
    }
    for id in boxed {
        if let TypeUse::Defined { boxed, .. } = &mut resolved.uses[id.0 as usize] {
            *boxed = true;
        }
    }
}

/// The use inside any optionals around `ty`.
fn without_optionals(resolved: &Resolved, mut ty: UseId) -> UseId {
    while let TypeUse::Optional(inner) = resolved.type_use(ty) {
        ty = inner;
    }
    ty
}

/// The types and unions that `ty` holds inline: itself, or through an optional or an alias.
fn inline_targets<'r>(resolved: &'r Resolved, ty: UseId, out: &mut Vec<&'r str>) {
    match resolved.type_use(ty) {
        TypeUse::Defined { id, .. } => match resolved.get(id) {
            Def::Type { .. } | Def::Union { .. } => out.push(resolved.named(id).0),
            Def::Alias { ty, .. } => inline_targets(resolved, *ty, out),
            Def::Enum { .. } => {}
        },
        TypeUse::Optional(inner) => inline_targets(resolved, inner, out),
        TypeUse::Primitive(_) | TypeUse::List(_) | TypeUse::Map(..) | TypeUse::Stream(_) => {}
    }
}

/// Each union's default member: the first not held through a box, else the first.
fn choose_default_members(resolved: &mut Resolved) {
    let uses = &resolved.uses;
    for def in &mut resolved.definitions {
        if let Def::Union {
            members,
            default_member,
            ..
        } = def
        {
            let held_inline =
                |m: &UseId| !matches!(uses[m.0 as usize], TypeUse::Defined { boxed: true, .. });
            *default_member = members.iter().position(held_inline).unwrap_or(0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The uses of the fields of `type_name`, each with the use inside its optionals.
    fn fields(text: &str, type_name: &str) -> Vec<(TypeUse, TypeUse)> {
        let schema = crate::model::load_str("test.widl", text).expect("a valid schema");
        let resolved = resolve(&schema).expect("resolvable");
        let fields = (resolved.definitions.iter())
            .zip(&resolved.names)
            .find_map(|(d, (name, _))| match d {
                Def::Type { fields, .. } if name == type_name => Some(fields),
                _ => None,
            })
            .expect("the type");
        (fields.iter())
            .map(|f| {
                let inner = without_optionals(&resolved, *f);
                (resolved.type_use(*f), resolved.type_use(inner))
            })
            .collect()
    }

    #[test]
    fn a_type_held_inline_by_itself_is_boxed_and_one_in_a_list_is_not() {
        let fields = fields(
            "type Node { next: Node?, children: [Node], value: i32, label: Label }\n\
             alias Label = string",
            "Node",
        );
        assert!(matches!(
            fields[0],
            (TypeUse::Optional(_), TypeUse::Defined { boxed: true, .. })
        ));
        assert!(matches!(fields[1].0, TypeUse::List(_)));
        assert_eq!(fields[2].0, TypeUse::Primitive(Primitive::I32));
        assert!(matches!(fields[3].0, TypeUse::Defined { boxed: false, .. }));
    }

    #[test]
    fn a_cycle_through_an_alias_is_boxed() {
        let fields = fields(
            "type A { b: MaybeB }\nalias MaybeB = B?\ntype B { a: A? }",
            "A",
        );
        assert!(matches!(fields[0].0, TypeUse::Defined { boxed: true, .. }));
    }

    #[test]
    fn a_union_defaults_to_its_first_member_held_inline() {
        let text = "union U = U2 | string\nunion U2 = U | i32";
        let schema = crate::model::load_str("test.widl", text).expect("a valid schema");
        let resolved = resolve(&schema).expect("resolvable");
        let defaults: Vec<usize> = (resolved.definitions.iter())
            .filter_map(|d| match d {
                Def::Union { default_member, .. } => Some(*default_member),
                _ => None,
            })
            .collect();
        assert_eq!(defaults, [1, 1]);
    }

    #[test]
    fn a_definition_imported_twice_is_kept_once() {
        let text = "type A { b: B }\ntype B { x: i32 }";
        let mut schema = crate::model::load_str("test.widl", text).expect("a valid schema");
        let again = schema.definitions[1].clone();
        schema.definitions.push(again);
        let resolved = resolve(&schema).expect("resolvable");
        assert_eq!(resolved.definitions.len(), 2);
    }
}
