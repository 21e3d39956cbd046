//! The validation rules. Every rule of the reference validator is here, with these changes:
//! union members, `implements` names, stream types and default values are checked too; an
//! annotation's `require` is met only at the locations it names (the reference fell through
//! to every later location); numbers are range-checked; and alias cycles are reported.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

use super::{PRIMITIVES, ScopedDefinition, visit_named};
use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile, Span, did_you_mean};
use crate::parser::ast::*;

/// The places a directive may be used, as written after `on`.
pub const DIRECTIVE_LOCATIONS: [&str; 11] = [
    "NAMESPACE",
    "INTERFACE",
    "ROLE",
    "OPERATION",
    "PARAMETER",
    "TYPE",
    "FIELD",
    "ENUM",
    "ENUM_VALUE",
    "UNION",
    "ALIAS",
];

/// In a `require`: the annotated node itself.
const SELF: &str = "SELF";

/// How many aliases may name one another in a row, and how many parts an alias's type may
/// have once every alias in it is replaced by what it names. Real schemas stay far below
/// both; the limits keep validation and code generation fast on any input.
pub const MAX_ALIAS_DEPTH: usize = 64;
pub const MAX_ALIAS_SIZE: usize = 4096;

/// How many parts the uses of aliases may add to one file's types in all, counting each use
/// as the parts of what it names beyond the one part of its name. Generated code spells an
/// alias out at every use (context, helpers, inline codecs), so the work of rendering grows
/// with this sum: without a bound, a few lines that use a large alias many times take seconds
/// per template (found with the fuzz regression inputs). Real schemas add a few parts per use.
pub const MAX_ALIAS_EXPANSION: usize = 4096;

/// Validates one file's definitions; `imported` is what its imports brought into scope.
pub(super) fn file(
    file: &Arc<SourceFile>,
    document: &Document,
    imported: &[ScopedDefinition],
) -> Diagnostics {
    let mut v = Validator {
        file,
        errors: Diagnostics::default(),
        types: HashMap::new(),
        directives: HashMap::new(),
        namespace: None,
        aliases: AliasFacts::default(),
        containment: Default::default(),
        expansion: 0,
    };
    v.collect_scope(document, imported);
    v.aliases = AliasFacts::of(&v.types);
    v.containment = containment(&v);
    v.document_shape(document);
    for definition in &document.definitions {
        v.definition(definition);
    }
    v.errors
}

/// A named thing in scope, and where it came from (for messages).
struct Defined<'a> {
    definition: &'a Definition,
    /// The file that defines it, when that is not the file being validated.
    imported_from: Option<&'a str>,
}

struct Validator<'a> {
    file: &'a Arc<SourceFile>,
    errors: Diagnostics,
    /// Types, enums, unions, aliases and roles by name: they share one namespace.
    types: HashMap<&'a str, Defined<'a>>,
    directives: HashMap<&'a str, Defined<'a>>,
    namespace: Option<&'a NamespaceDefinition>,
    aliases: AliasFacts<'a>,
    /// Types that hold themselves through plain fields (not optional, list or map), which no
    /// finite value can satisfy; each with the edges to show the path.
    containment: (Edges<'a>, Cycles<'a>),
    /// The parts that the uses of aliases so far add (see [`MAX_ALIAS_EXPANSION`]).
    expansion: usize,
}

/// A graph of names, and the names on its cycles with their cycle's first name and length.
type Edges<'a> = HashMap<&'a str, Vec<&'a str>>;
type Cycles<'a> = HashMap<&'a str, (&'a str, usize)>;

/// The node an annotation is on, and the nodes around it, for checking directive locations.
#[derive(Clone, Copy)]
struct Site<'a> {
    location: &'static str,
    annotations: &'a [Annotation],
}

impl<'a> Validator<'a> {
    fn error(&mut self, span: Span, message: impl Into<String>) {
        self.errors.push(Diagnostic::at(self.file, span, message));
    }

    fn line_of(&self, span: Span) -> usize {
        self.file.position(span.start).line
    }

    // ---- scope and names --------------------------------------------------------------------

    fn collect_scope(&mut self, document: &'a Document, imported: &'a [ScopedDefinition]) {
        for scoped in imported {
            self.declare(&scoped.definition, Some(&scoped.file));
        }
        for definition in &document.definitions {
            self.declare(definition, None);
        }
    }

    fn declare(&mut self, definition: &'a Definition, imported_from: Option<&'a str>) {
        let (table, name) = match definition {
            Definition::Directive(d) => (&mut self.directives, &d.name),
            Definition::Type(_)
            | Definition::Enum(_)
            | Definition::Union(_)
            | Definition::Alias(_)
            | Definition::Role(_) => match definition.name() {
                Some(name) => (&mut self.types, name),
                None => return,
            },
            _ => return,
        };
        let what = if matches!(definition, Definition::Directive(_)) {
            format!("directive `@{}`", name.value)
        } else {
            format!("`{}`", name.value)
        };
        match table.get(name.value.as_str()) {
            None => {
                table.insert(
                    &name.value,
                    Defined {
                        definition,
                        imported_from,
                    },
                );
            }
            // The same definition reached through two imports is one definition.
            Some(existing) if existing.definition == definition => {}
            Some(existing) => {
                let note = match existing.imported_from {
                    Some(file) => format!("the other definition is imported from `{file}`"),
                    None => format!(
                        "first defined on line {}",
                        self.file.position(existing.definition.span().start).line
                    ),
                };
                if imported_from.is_none() {
                    let message = format!("{what} is defined more than once");
                    self.errors
                        .push(Diagnostic::at(self.file, name.span, message).with_note(note));
                } else {
                    // Two imports that clash: only the importing file can be pointed at.
                    let message =
                        format!("{what} is imported more than once, from different definitions");
                    self.errors.push(
                        Diagnostic::error(message).with_note(format!("in {}", self.file.name)),
                    );
                }
            }
        }
    }

    fn document_shape(&mut self, document: &'a Document) {
        let first_other = document
            .definitions
            .iter()
            .position(|d| !matches!(d, Definition::Namespace(_) | Definition::Import(_)));
        let mut first_interface: Option<Span> = None;
        for (index, definition) in document.definitions.iter().enumerate() {
            match definition {
                Definition::Namespace(ns) => {
                    if let Some(first) = self.namespace {
                        let line = self.line_of(first.span);
                        self.errors.push(
                            Diagnostic::at(
                                self.file,
                                ns.name.span,
                                "only one namespace may be defined",
                            )
                            .with_note(format!("the namespace is already defined on line {line}")),
                        );
                        continue;
                    }
                    self.namespace = Some(ns);
                    if first_other.is_some_and(|other| other < index) {
                        self.error(
                            ns.name.span,
                            "the namespace must be defined before any other definition",
                        );
                    }
                }
                Definition::Interface(interface) => match first_interface {
                    Some(first) => {
                        let line = self.line_of(first);
                        let keyword = Span::new(interface.span.start, interface.span.start);
                        let at =
                            self.keyword_span(interface.description.as_ref(), keyword, "interface");
                        self.errors.push(
                            Diagnostic::at(self.file, at, "only one interface may be defined")
                                .with_note(format!(
                                    "the interface is already defined on line {line}"
                                )),
                        );
                    }
                    None => first_interface = Some(interface.span),
                },
                _ => {}
            }
        }
    }

    /// The span of a definition's keyword, past its description.
    fn keyword_span(
        &self,
        description: Option<&StringLiteral>,
        start: Span,
        keyword: &str,
    ) -> Span {
        let from = description.map_or(start.start, |d| d.span.end);
        let at = self.file.text[from..]
            .find(keyword)
            .map_or(from, |i| from + i);
        Span::new(at, at + keyword.len())
    }

    // ---- definitions ------------------------------------------------------------------------

    fn definition(&mut self, definition: &'a Definition) {
        match definition {
            Definition::Namespace(ns) => {
                self.annotations(&ns.annotations, &[site("NAMESPACE", &ns.annotations)])
            }
            Definition::Import(import) => self.annotation_arguments(&import.annotations),
            Definition::Type(t) => self.type_def(t),
            Definition::Interface(i) => {
                let outer = [site("INTERFACE", &i.annotations)];
                self.annotations(&i.annotations, &outer);
                self.operations(&i.operations, None, &outer);
            }
            Definition::Role(r) => {
                let outer = [site("ROLE", &r.annotations)];
                self.annotations(&r.annotations, &outer);
                self.operations(&r.operations, Some(&r.name.value), &outer);
            }
            Definition::Union(u) => {
                self.pascal_case("union", &u.name);
                self.annotations(&u.annotations, &[site("UNION", &u.annotations)]);
                let what = format!("union `{}`", u.name.value);
                for member in &u.types {
                    self.type_ref(member, &what);
                }
            }
            Definition::Enum(e) => self.enum_def(e),
            Definition::Alias(a) => {
                self.pascal_case("alias", &a.name);
                self.annotations(&a.annotations, &[site("ALIAS", &a.annotations)]);
                self.type_ref(&a.ty, &format!("alias `{}`", a.name.value));
                self.alias_limits(a);
            }
            Definition::Directive(d) => self.directive(d),
        }
    }

    fn pascal_case(&mut self, kind: &str, name: &Name) {
        if !name.value.starts_with(|c: char| c.is_ascii_uppercase()) {
            let mut suggestion = name.value.trim_start_matches('_').to_string();
            if let Some(first) = suggestion.get_mut(..1) {
                first.make_ascii_uppercase();
            }
            self.error(
                name.span,
                format!(
                    "{kind} name `{}` should be PascalCase, like `{suggestion}`",
                    name.value
                ),
            );
        }
    }

    fn type_def(&mut self, t: &'a TypeDefinition) {
        self.pascal_case("type", &t.name);
        let (edges, cyclic) = &self.containment;
        if let Some(&(first, members)) = cyclic.get(t.name.value.as_str()) {
            // A long loop is reported once, not at each of its types.
            let path = if members > MAX_ALIAS_DEPTH {
                (first == t.name.value).then(|| format!("through {members} types"))
            } else {
                Some(cycle_path(edges, cyclic, &t.name.value).join(" → "))
            };
            if let Some(path) = path {
                self.error(
                    t.name.span,
                    format!(
                        "type `{}` contains itself ({path}) with no optional, list or map in between: no value of it is finite",
                        t.name.value
                    ),
                );
            }
        }
        let outer = [site("TYPE", &t.annotations)];
        self.annotations(&t.annotations, &outer);
        for interface in &t.interfaces {
            match self
                .types
                .get(interface.value.as_str())
                .map(|d| d.definition)
            {
                Some(Definition::Type(_)) => {}
                _ => self.error(
                    interface.span,
                    format!("`{}` in `implements` is not a type", interface.value),
                ),
            }
        }
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for field in &t.fields {
            if let Some(first) = seen.insert(&field.name.value, field.name.span) {
                let line = self.line_of(first);
                self.errors.push(
                    Diagnostic::at(
                        self.file,
                        field.name.span,
                        format!(
                            "field `{}` is defined more than once in type `{}`",
                            field.name.value, t.name.value
                        ),
                    )
                    .with_note(format!("first defined on line {line}")),
                );
            }
            let what = format!("field `{}` of type `{}`", field.name.value, t.name.value);
            self.type_ref(&field.ty, &what);
            if let Some(default) = &field.default {
                self.value(&field.ty, default, &format!("the default of {what}"));
            }
            let sites = [outer[0], site("FIELD", &field.annotations)];
            self.annotations(&field.annotations, &sites);
        }
    }

    fn operations(
        &mut self,
        operations: &'a [OperationDefinition],
        role: Option<&str>,
        outer: &[Site<'a>],
    ) {
        let container = match role {
            Some(role) => format!("role `{role}`"),
            None => "the interface".to_string(),
        };
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for op in operations {
            if let Some(first) = seen.insert(&op.name.value, op.name.span) {
                let line = self.line_of(first);
                self.errors.push(
                    Diagnostic::at(
                        self.file,
                        op.name.span,
                        format!(
                            "operation `{}` is defined more than once in {container}",
                            op.name.value
                        ),
                    )
                    .with_note(format!("first defined on line {line}")),
                );
            }
            let mut sites = outer.to_vec();
            sites.push(site("OPERATION", &op.annotations));
            self.annotations(&op.annotations, &sites);
            self.parameters(op, &sites);
            if let Some(returns) = &op.returns {
                self.type_ref(
                    returns,
                    &format!("the return type of operation `{}`", op.name.value),
                );
            }
        }
    }

    fn parameters(&mut self, op: &'a OperationDefinition, outer: &[Site<'a>]) {
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for p in &op.parameters {
            if let Some(first) = seen.insert(&p.name.value, p.name.span) {
                let line = self.line_of(first);
                self.errors.push(
                    Diagnostic::at(
                        self.file,
                        p.name.span,
                        format!(
                            "parameter `{}` is defined more than once in operation `{}`",
                            p.name.value, op.name.value
                        ),
                    )
                    .with_note(format!("first defined on line {line}")),
                );
            }
            let what = format!(
                "parameter `{}` of operation `{}`",
                p.name.value, op.name.value
            );
            self.type_ref(&p.ty, &what);
            if let Some(default) = &p.default {
                self.value(&p.ty, default, &format!("the default of {what}"));
            }
            let mut sites = outer.to_vec();
            sites.push(site("PARAMETER", &p.annotations));
            self.annotations(&p.annotations, &sites);
        }
    }

    fn enum_def(&mut self, e: &'a EnumDefinition) {
        self.pascal_case("enum", &e.name);
        let outer = [site("ENUM", &e.annotations)];
        self.annotations(&e.annotations, &outer);
        let mut names: HashMap<&str, Span> = HashMap::new();
        let mut indexes: HashMap<i64, Span> = HashMap::new();
        for value in &e.values {
            if let Some(first) = names.insert(&value.name.value, value.name.span) {
                let line = self.line_of(first);
                self.errors.push(
                    Diagnostic::at(
                        self.file,
                        value.name.span,
                        format!(
                            "value `{}` is defined more than once in enum `{}`",
                            value.name.value, e.name.value
                        ),
                    )
                    .with_note(format!("first defined on line {line}")),
                );
            }
            if value.index.value < 0 {
                self.error(
                    value.index.span,
                    format!(
                        "the index of value `{}` in enum `{}` must not be negative",
                        value.name.value, e.name.value
                    ),
                );
            } else if let Some(first) = indexes.insert(value.index.value, value.index.span) {
                let line = self.line_of(first);
                self.errors.push(
                    Diagnostic::at(
                        self.file,
                        value.index.span,
                        format!(
                            "index {} is used more than once in enum `{}`",
                            value.index.value, e.name.value
                        ),
                    )
                    .with_note(format!("first used on line {line}")),
                );
            }
            let sites = [outer[0], site("ENUM_VALUE", &value.annotations)];
            self.annotations(&value.annotations, &sites);
        }
    }

    fn directive(&mut self, d: &'a DirectiveDefinition) {
        self.locations(&d.locations, false, &d.name.value);
        for require in &d.requires {
            if !self
                .directives
                .contains_key(require.directive.value.as_str())
            {
                self.error(
                    require.directive.span,
                    format!(
                        "directive `@{}` requires `@{}`, which is not defined",
                        d.name.value, require.directive.value
                    ),
                );
            }
            self.locations(&require.locations, true, &d.name.value);
        }
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for p in &d.parameters {
            if seen.insert(&p.name.value, p.name.span).is_some() {
                self.error(
                    p.name.span,
                    format!(
                        "parameter `{}` is defined more than once in directive `@{}`",
                        p.name.value, d.name.value
                    ),
                );
            }
            let what = format!(
                "parameter `{}` of directive `@{}`",
                p.name.value, d.name.value
            );
            if let TypeRef::Stream { span, .. } = &p.ty {
                self.error(*span, format!("{what} cannot be a stream"));
                continue;
            }
            if self.type_ref(&p.ty, &what) {
                self.directive_parameter_type(&p.ty, &what);
            }
            if let Some(default) = &p.default {
                self.value(&p.ty, default, &format!("the default of {what}"));
            }
            self.annotation_arguments(&p.annotations);
        }
    }

    fn locations(&mut self, locations: &[Name], in_require: bool, directive: &str) {
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for location in locations {
            let value = location.value.as_str();
            let valid = DIRECTIVE_LOCATIONS.contains(&value) || (in_require && value == SELF);
            if !valid {
                let mut known = DIRECTIVE_LOCATIONS.join(", ");
                if in_require {
                    known.push_str(", SELF");
                }
                self.errors.push(
                    Diagnostic::at(
                        self.file,
                        location.span,
                        format!(
                            "`{value}` is not a directive location (in directive `@{directive}`)"
                        ),
                    )
                    .with_note(format!("the locations are {known}")),
                );
            } else if seen.insert(value, location.span).is_some() {
                self.error(
                    location.span,
                    format!(
                        "location `{value}` is listed more than once (in directive `@{directive}`)"
                    ),
                );
            }
        }
    }

    /// Directive parameters are data in annotations: built-in types, types, enums, and lists,
    /// maps and optionals of them. A union or a role cannot be written as a literal.
    fn directive_parameter_type(&mut self, ty: &TypeRef, what: &str) {
        let mut bad = Vec::new();
        visit_named(ty, &mut |name| {
            if let Some(Definition::Union(_) | Definition::Role(_)) =
                self.resolve_alias(&name.value)
            {
                bad.push(name.clone());
            }
        });
        for name in bad {
            self.error(
                name.span,
                format!("{what} has type `{}`: directive parameters may use only built-in types, types and enums", name.value),
            );
        }
    }

    // ---- types ------------------------------------------------------------------------------

    /// Checks that every type named in `ty` exists; `what` says whose type it is. Returns
    /// whether it does.
    fn type_ref(&mut self, ty: &TypeRef, what: &str) -> bool {
        let mut ok = true;
        let mut problems = Vec::new();
        let mut alias_uses = Vec::new();
        visit_named(ty, &mut |name| {
            let value = name.value.as_str();
            if PRIMITIVES.contains(&value) {
                return;
            }
            match self.types.get(value).map(|d| d.definition) {
                // An alias over its own size limit is reported where it is defined.
                Some(Definition::Alias(_)) if self.aliases.size(value) <= MAX_ALIAS_SIZE => {
                    alias_uses.push((name.span, self.aliases.size(value).saturating_sub(1)));
                }
                Some(Definition::Role(_)) => problems.push((
                    name.span,
                    format!("`{value}` is a role, not a type, in {what}"),
                    None,
                )),
                Some(_) => {}
                None if value == "void" => problems.push((
                    name.span,
                    format!("`void` in {what}: only an operation's whole return type can be void"),
                    None,
                )),
                None if value.starts_with(|c: char| c.is_ascii_lowercase()) => problems.push((
                    name.span,
                    format!("unknown built-in type `{value}` in {what}"),
                    Some(self.did_you_mean(value).unwrap_or_else(|| {
                        format!("the built-in types are {}", PRIMITIVES.join(", "))
                    })),
                )),
                None => problems.push((
                    name.span,
                    format!("unknown type `{value}` in {what}"),
                    self.did_you_mean(value),
                )),
            }
        });
        for (span, added) in alias_uses {
            let before = self.expansion;
            self.expansion = before.saturating_add(added);
            if before <= MAX_ALIAS_EXPANSION && self.expansion > MAX_ALIAS_EXPANSION {
                // Reported once, at the use that crosses the limit.
                problems.push((
                    span,
                    format!("the aliases used in this file stand for more than {MAX_ALIAS_EXPANSION} type parts in all"),
                    Some("each use of an alias counts the parts of the type it names; use fewer or smaller aliases, or a named type".to_string()),
                ));
            }
        }
        for (span, message, note) in problems {
            ok = false;
            let mut diagnostic = Diagnostic::at(self.file, span, message);
            if let Some(note) = note {
                diagnostic = diagnostic.with_note(note);
            }
            self.errors.push(diagnostic);
        }
        ok
    }

    /// The built-in or defined type nearest a misspelt type name.
    fn did_you_mean(&self, name: &str) -> Option<String> {
        let defined = (self.types.iter())
            .filter(|(_, d)| d.definition.is_type())
            .map(|(name, _)| *name);
        did_you_mean(name, PRIMITIVES.into_iter().chain(defined))
    }

    /// Follows aliases to the definition they stand for (`None` for built-in types).
    fn resolve_alias(&self, name: &str) -> Option<&'a Definition> {
        let mut current = name;
        for _ in 0..=MAX_ALIAS_DEPTH {
            match self.types.get(current).map(|d| d.definition)? {
                Definition::Alias(AliasDefinition {
                    ty: TypeRef::Named { name },
                    ..
                }) => current = &name.value,
                other => return Some(other),
            }
        }
        None
    }

    /// An alias must not reach itself through other aliases (the result would be an infinite
    /// type), nor start too long a chain of aliases, nor expand to too large a type.
    fn alias_limits(&mut self, alias: &'a AliasDefinition) {
        let name = alias.name.value.as_str();
        let facts = &self.aliases;
        let message = if let Some(&(first, members)) = facts.cyclic.get(name) {
            if members > MAX_ALIAS_DEPTH {
                // A loop this long is reported once, not at each of its aliases.
                if name != first {
                    return;
                }
                format!("alias `{name}` refers to itself through a loop of {members} aliases")
            } else {
                let path = facts.cycle_path(name);
                if path.len() <= 2 {
                    format!("alias `{name}` refers to itself")
                } else {
                    format!("alias `{name}` refers to itself: {}", path.join(" → "))
                }
            }
        } else if facts.depth(name) > MAX_ALIAS_DEPTH
            && facts.edges[name]
                .iter()
                .all(|next| facts.depth(next) <= MAX_ALIAS_DEPTH)
        {
            // Reported once, where the chain crosses the limit, not at every alias before.
            format!(
                "alias `{name}` begins a chain of more than {MAX_ALIAS_DEPTH} aliases, each naming the next"
            )
        } else if facts.size(name) > MAX_ALIAS_SIZE
            && facts.depth(name) <= MAX_ALIAS_DEPTH
            && facts.edges[name]
                .iter()
                .all(|next| facts.size(next) <= MAX_ALIAS_SIZE)
        {
            format!(
                "alias `{name}` stands for a type of more than {MAX_ALIAS_SIZE} parts once the aliases in it are replaced by what they name"
            )
        } else {
            return;
        };
        self.error(alias.name.span, message);
    }

    // ---- values -----------------------------------------------------------------------------

    /// Checks that a literal fits a type; `what` names the place, for messages.
    fn value(&mut self, ty: &TypeRef, value: &Value, what: &str) {
        if let Err((span, message)) = self.fits(ty, value, 0) {
            self.error(span, format!("{message}, in {what}"));
        }
    }

    fn fits(&self, ty: &TypeRef, value: &Value, depth: usize) -> Result<(), (Span, String)> {
        let mismatch = |expected: &str| {
            Err((
                value.span(),
                format!("expected {expected}, found {}", value.describe()),
            ))
        };
        if depth > crate::parser::MAX_NESTING {
            return Ok(());
        }
        match ty {
            TypeRef::Optional { inner, .. } => match value {
                Value::Null { .. } => Ok(()),
                _ => self.fits(inner, value, depth + 1),
            },
            TypeRef::Stream { inner, .. } => self.fits(inner, value, depth + 1),
            TypeRef::List { item, .. } => match value {
                Value::List { values, .. } => values
                    .iter()
                    .try_for_each(|v| self.fits(item, v, depth + 1)),
                _ => mismatch("a list"),
            },
            TypeRef::Map { value: item, .. } => match value {
                Value::Object { fields, .. } => fields
                    .iter()
                    .try_for_each(|f| self.fits(item, &f.value, depth + 1)),
                _ => mismatch("a map (an object literal)"),
            },
            TypeRef::Named { name } => self.fits_named(&name.value, value, depth),
        }
    }

    fn fits_named(&self, name: &str, value: &Value, depth: usize) -> Result<(), (Span, String)> {
        let mismatch = |expected: &str| {
            Err((
                value.span(),
                format!("expected {expected}, found {}", value.describe()),
            ))
        };
        if let Some(range) = integer_range(name) {
            return match value {
                Value::Int { value: n, span } if !range.contains(&i128::from(*n)) => Err((
                    *span,
                    format!(
                        "{n} is out of range for `{name}` ({}..={})",
                        range.start(),
                        range.end()
                    ),
                )),
                Value::Int { .. } => Ok(()),
                _ => mismatch(&format!("an integer (`{name}`)")),
            };
        }
        match name {
            "f32" | "f64" => match value {
                Value::Float { .. } | Value::Int { .. } => Ok(()),
                _ => mismatch("a number"),
            },
            "bool" => match value {
                Value::Bool { .. } => Ok(()),
                _ => mismatch("a boolean"),
            },
            "string" | "datetime" | "bytes" => match value {
                Value::String { .. } => Ok(()),
                _ => mismatch("a string"),
            },
            "raw" => Ok(()),
            _ => match self.types.get(name).map(|d| d.definition) {
                Some(Definition::Enum(e)) => match value {
                    Value::Enum { value: v, span } => {
                        if e.values.iter().any(|ev| ev.name.value == *v) {
                            Ok(())
                        } else {
                            let known: Vec<&str> =
                                e.values.iter().map(|ev| ev.name.value.as_str()).collect();
                            Err((
                                *span,
                                format!(
                                    "`{v}` is not a value of enum `{name}` (its values are {})",
                                    known.join(", ")
                                ),
                            ))
                        }
                    }
                    _ => mismatch(&format!("a value of enum `{name}`")),
                },
                Some(Definition::Type(t)) => match value {
                    Value::Object { fields, span } => {
                        for field in fields {
                            let Some(def) =
                                t.fields.iter().find(|f| f.name.value == field.name.value)
                            else {
                                return Err((
                                    field.name.span,
                                    format!("type `{name}` has no field `{}`", field.name.value),
                                ));
                            };
                            self.fits(&def.ty, &field.value, depth + 1)?;
                        }
                        let missing = t.fields.iter().find(|f| {
                            !matches!(f.ty, TypeRef::Optional { .. })
                                && f.default.is_none()
                                && !fields.iter().any(|given| given.name.value == f.name.value)
                        });
                        match missing {
                            Some(f) => Err((
                                *span,
                                format!("field `{}` of type `{name}` is missing", f.name.value),
                            )),
                            None => Ok(()),
                        }
                    }
                    _ => mismatch(&format!("an object of type `{name}`")),
                },
                Some(Definition::Alias(a)) => self.fits(&a.ty, value, depth + 1),
                Some(Definition::Union(u)) => {
                    if u.types
                        .iter()
                        .any(|member| self.fits(member, value, depth + 1).is_ok())
                    {
                        Ok(())
                    } else {
                        mismatch(&format!("a value of union `{name}`"))
                    }
                }
                // Unknown types are reported where the type is named.
                _ => Ok(()),
            },
        }
    }

    // ---- annotations ------------------------------------------------------------------------

    /// Checks annotations against their directives; `sites` runs from the outermost enclosing
    /// node to the annotated node itself.
    fn annotations(&mut self, annotations: &'a [Annotation], sites: &[Site<'a>]) {
        self.annotation_arguments(annotations);
        let Some(here) = sites.last() else { return };
        for annotation in annotations {
            let Some(Defined {
                definition: Definition::Directive(directive),
                ..
            }) = self.directives.get(annotation.name.value.as_str())
            else {
                continue;
            };
            if !directive.locations.iter().any(|l| l.value == here.location) {
                let allowed: Vec<String> = directive
                    .locations
                    .iter()
                    .map(|l| describe_location(&l.value))
                    .collect();
                self.errors.push(
                    Diagnostic::at(
                        self.file,
                        annotation.span,
                        format!(
                            "`@{}` cannot be used on {}",
                            annotation.name.value,
                            describe_location(here.location)
                        ),
                    )
                    .with_note(format!(
                        "directive `@{}` is declared for {}",
                        directive.name.value,
                        allowed.join(", ")
                    )),
                );
                continue;
            }
            for require in &directive.requires {
                let met = require.locations.iter().any(|location| {
                    let found = if location.value == SELF {
                        Some(here.annotations)
                    } else if location.value == "NAMESPACE" {
                        self.namespace.map(|ns| ns.annotations.as_slice())
                    } else {
                        sites
                            .iter()
                            .rev()
                            .find(|s| s.location == location.value)
                            .map(|s| s.annotations)
                    };
                    found.is_some_and(|list| {
                        list.iter().any(|a| a.name.value == require.directive.value)
                    })
                });
                if !met {
                    let places: Vec<String> = require
                        .locations
                        .iter()
                        .map(|l| match l.value.as_str() {
                            SELF => format!(
                                "this {}",
                                describe_location(here.location)
                                    .trim_start_matches("a ")
                                    .trim_start_matches("an ")
                            ),
                            other => format!(
                                "the enclosing {}",
                                describe_location(other)
                                    .trim_start_matches("a ")
                                    .trim_start_matches("an ")
                            ),
                        })
                        .collect();
                    self.error(
                        annotation.span,
                        format!(
                            "`@{}` requires `@{}` on {}",
                            annotation.name.value,
                            require.directive.value,
                            places.join(" or ")
                        ),
                    );
                }
            }
        }
    }

    /// Checks the arguments of annotations whose name is a declared directive.
    fn annotation_arguments(&mut self, annotations: &'a [Annotation]) {
        for annotation in annotations {
            let Some(Defined {
                definition: Definition::Directive(directive),
                ..
            }) = self.directives.get(annotation.name.value.as_str())
            else {
                continue;
            };
            let directive: &DirectiveDefinition = directive;
            let mut seen: HashMap<&str, Span> = HashMap::new();
            for argument in &annotation.arguments {
                if seen
                    .insert(&argument.name.value, argument.name.span)
                    .is_some()
                {
                    self.error(
                        argument.name.span,
                        format!("argument `{}` is given more than once", argument.name.value),
                    );
                    continue;
                }
                match directive
                    .parameters
                    .iter()
                    .find(|p| p.name.value == argument.name.value)
                {
                    Some(parameter) => {
                        let what = format!(
                            "argument `{}` of `@{}`",
                            argument.name.value, annotation.name.value
                        );
                        self.value(&parameter.ty, &argument.value, &what);
                    }
                    None => {
                        let mut error = Diagnostic::at(
                            self.file,
                            argument.span,
                            format!(
                                "directive `@{}` has no parameter `{}`",
                                directive.name.value, argument.name.value
                            ),
                        );
                        if !directive.parameters.is_empty() {
                            let names: Vec<&str> = directive
                                .parameters
                                .iter()
                                .map(|p| p.name.value.as_str())
                                .collect();
                            error =
                                error.with_note(format!("its parameters are {}", names.join(", ")));
                        }
                        self.errors.push(error);
                    }
                }
            }
            for parameter in &directive.parameters {
                let required = !matches!(parameter.ty, TypeRef::Optional { .. })
                    && parameter.default.is_none();
                if required && !seen.contains_key(parameter.name.value.as_str()) {
                    self.error(
                        annotation.span,
                        format!(
                            "`@{}` is missing the argument `{}`",
                            annotation.name.value, parameter.name.value
                        ),
                    );
                }
            }
        }
    }
}

fn site<'a>(location: &'static str, annotations: &'a [Annotation]) -> Site<'a> {
    Site {
        location,
        annotations,
    }
}

/// `ENUM_VALUE` → `an enum value`.
fn describe_location(location: &str) -> String {
    let words = location.to_ascii_lowercase().replace('_', " ");
    // No location starts with a vowel sound spelled `u` ("a union").
    let article = if words.starts_with(['a', 'e', 'i', 'o']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {words}")
}

/// The values an integer type holds.
fn integer_range(name: &str) -> Option<std::ops::RangeInclusive<i128>> {
    Some(match name {
        "i8" => i8::MIN.into()..=i8::MAX.into(),
        "i16" => i16::MIN.into()..=i16::MAX.into(),
        "i32" => i32::MIN.into()..=i32::MAX.into(),
        "i64" => i64::MIN.into()..=i64::MAX.into(),
        "u8" => 0..=u8::MAX.into(),
        "u16" => 0..=u16::MAX.into(),
        "u32" => 0..=u32::MAX.into(),
        "u64" => 0..=u64::MAX.into(),
        _ => return None,
    })
}

/// What the aliases in scope refer to, worked out once per file so that each alias's checks
/// are cheap however the aliases chain, branch or loop.
#[derive(Default)]
struct AliasFacts<'a> {
    /// Each alias's references to aliases, once per mention.
    edges: HashMap<&'a str, Vec<&'a str>>,
    /// Aliases on a cycle, with their cycle's first name and length.
    cyclic: HashMap<&'a str, (&'a str, usize)>,
    /// For the other aliases: the longest chain of aliases from each (itself included), and
    /// the number of type parts once every alias in it is expanded; both capped past the limit.
    depths: HashMap<&'a str, usize>,
    sizes: HashMap<&'a str, usize>,
}

impl<'a> AliasFacts<'a> {
    fn of(types: &HashMap<&'a str, Defined<'a>>) -> Self {
        let aliases: HashMap<&'a str, &'a AliasDefinition> = types
            .iter()
            .filter_map(|(name, d)| match d.definition {
                Definition::Alias(a) => Some((*name, a)),
                _ => None,
            })
            .collect();
        let mut facts = AliasFacts::default();
        for (name, alias) in &aliases {
            let mut references = Vec::new();
            visit_named(&alias.ty, &mut |n| {
                if let Some((target, _)) = aliases.get_key_value(n.value.as_str()) {
                    references.push(*target);
                }
            });
            facts.edges.insert(name, references);
        }
        facts.cyclic = cyclic(&facts.edges);
        let mut order: Vec<&'a str> = aliases.keys().copied().collect();
        order.sort_unstable();
        for start in order {
            facts.measure(start, &aliases);
        }
        facts
    }

    fn depth(&self, name: &str) -> usize {
        self.depths.get(name).copied().unwrap_or(0)
    }

    fn size(&self, name: &str) -> usize {
        self.sizes.get(name).copied().unwrap_or(0)
    }

    /// Fills in depth and size for `start` and every alias it reaches, children first,
    /// without recursion (chains may be arbitrarily long).
    fn measure(&mut self, start: &'a str, aliases: &HashMap<&'a str, &'a AliasDefinition>) {
        let mut stack = vec![(start, false)];
        while let Some((name, children_done)) = stack.pop() {
            if self.depths.contains_key(name) || self.cyclic.contains_key(name) {
                continue;
            }
            if !children_done {
                stack.push((name, true));
                for next in &self.edges[name] {
                    stack.push((next, false));
                }
                continue;
            }
            let children = &self.edges[name];
            let depth = 1 + children.iter().map(|c| self.depth(c)).max().unwrap_or(0);
            // Each mention of an alias counts as the parts it expands to, the rest as one each.
            let own_parts = type_parts(&aliases[name].ty);
            let size = children
                .iter()
                .map(|c| self.size(c).max(1))
                .fold(own_parts, |total, parts| total.saturating_add(parts));
            self.depths.insert(name, depth.min(MAX_ALIAS_DEPTH + 1));
            self.sizes.insert(name, size.min(MAX_ALIAS_SIZE + 1));
        }
    }

    fn cycle_path(&self, name: &'a str) -> Vec<&'a str> {
        cycle_path(&self.edges, &self.cyclic, name)
    }
}

/// The shortest way from `name` back to itself in `edges`, through nodes of `cyclic`, as
/// names (first and last `name`).
fn cycle_path<'a>(
    edges: &HashMap<&'a str, Vec<&'a str>>,
    cyclic: &HashMap<&'a str, (&'a str, usize)>,
    name: &'a str,
) -> Vec<&'a str> {
    let mut previous: HashMap<&'a str, &'a str> = HashMap::new();
    let mut queue = VecDeque::from([name]);
    while let Some(current) = queue.pop_front() {
        for &next in &edges[current] {
            if next == name {
                let mut path = vec![name];
                let mut at = current;
                while at != name {
                    path.push(at);
                    match previous.get(at) {
                        Some(&before) => at = before,
                        None => break,
                    }
                }
                path.push(name);
                path.reverse();
                return path;
            }
            if cyclic.contains_key(next) && !previous.contains_key(next) {
                previous.insert(next, current);
                queue.push_back(next);
            }
        }
    }
    vec![name, name]
}

/// The number of parts of a type as written: `{string: [Point]}` has four.
fn type_parts(ty: &TypeRef) -> usize {
    let mut parts = 0usize;
    let mut stack = vec![ty];
    while let Some(ty) = stack.pop() {
        parts += 1;
        match ty {
            TypeRef::Named { .. } => {}
            TypeRef::List { item: inner, .. }
            | TypeRef::Optional { inner, .. }
            | TypeRef::Stream { inner, .. } => stack.push(inner),
            TypeRef::Map { key, value, .. } => stack.extend([key.as_ref(), value.as_ref()]),
        }
    }
    parts
}

/// The nodes of `edges` that lie on a cycle (those in a strongly connected component of more
/// than one node, or with an edge to themselves), each with its component's first name and
/// size (Tarjan's algorithm, without recursion).
pub(crate) fn cyclic<'a>(
    edges: &HashMap<&'a str, Vec<&'a str>>,
) -> HashMap<&'a str, (&'a str, usize)> {
    let mut index: HashMap<&'a str, usize> = HashMap::new();
    let mut low: HashMap<&'a str, usize> = HashMap::new();
    let mut on_stack: HashSet<&'a str> = HashSet::new();
    let mut stack: Vec<&'a str> = Vec::new();
    let mut found = HashMap::new();
    let mut roots: Vec<&'a str> = edges.keys().copied().collect();
    roots.sort_unstable();
    for root in roots {
        if index.contains_key(root) {
            continue;
        }
        // Each frame: a node and how many of its edges have been followed.
        let mut frames: Vec<(&'a str, usize)> = vec![(root, 0)];
        while let Some(&mut (node, ref mut next_edge)) = frames.last_mut() {
            if *next_edge == 0 && !index.contains_key(node) {
                let n = index.len();
                index.insert(node, n);
                low.insert(node, n);
                stack.push(node);
                on_stack.insert(node);
            }
            let successors = &edges[node];
            if let Some(&next) = successors.get(*next_edge) {
                *next_edge += 1;
                if !index.contains_key(next) {
                    frames.push((next, 0));
                } else if on_stack.contains(next) {
                    let lowest = low[node].min(index[next]);
                    low.insert(node, lowest);
                }
                continue;
            }
            frames.pop();
            if let Some(&(parent, _)) = frames.last() {
                let lowest = low[parent].min(low[node]);
                low.insert(parent, lowest);
            }
            if low[node] == index[node] {
                let mut component = Vec::new();
                while let Some(member) = stack.pop() {
                    on_stack.remove(member);
                    component.push(member);
                    if member == node {
                        break;
                    }
                }
                if component.len() > 1 || successors.contains(&node) {
                    let first = component.iter().copied().min().unwrap_or(node);
                    let size = component.len();
                    found.extend(component.into_iter().map(|m| (m, (first, size))));
                }
            }
        }
    }
    found
}

/// Which types contain which through plain fields, and the types on a cycle of those.
fn containment<'a>(v: &Validator<'a>) -> (Edges<'a>, Cycles<'a>) {
    let mut edges: HashMap<&'a str, Vec<&'a str>> = HashMap::new();
    for (name, defined) in &v.types {
        let Definition::Type(t) = defined.definition else {
            continue;
        };
        let targets = t
            .fields
            .iter()
            .filter_map(|f| match &f.ty {
                TypeRef::Named { name } => match v.resolve_alias(&name.value)? {
                    Definition::Type(target) => Some(target.name.value.as_str()),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        edges.insert(name, targets);
    }
    // Every target must be a node of its own for the search.
    let known: HashSet<&'a str> = edges.keys().copied().collect();
    for targets in edges.values_mut() {
        targets.retain(|t| known.contains(t));
    }
    let cyclic = cyclic(&edges);
    (edges, cyclic)
}
