//! The validation rules. Every rule of the reference validator is here, with these changes:
//! union members, `implements` names, stream types and default values are checked too; an
//! annotation's `require` is met only at the locations it names (the reference fell through
//! to every later location); numbers are range-checked; and alias cycles are reported.

mod annotations;
mod definitions;
mod graph;
mod scope;
mod types;
mod values;

use std::collections::HashMap;
use std::sync::Arc;

use super::ScopedDefinition;
use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile, Span};
use crate::parser::ast::*;
use graph::{AliasFacts, containment};

pub(crate) use graph::cyclic;

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
        self.file.position(span.start()).line
    }

    /// An error at `span`, which repeats what `first` holds; a label points at `first`.
    fn repeated(&mut self, span: Span, first: Span, message: String, first_label: &str) {
        let error = Diagnostic::at(self.file, span, message);
        self.errors
            .push(error.with_secondary(self.file, first, first_label));
    }

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
}

fn site<'a>(location: &'static str, annotations: &'a [Annotation]) -> Site<'a> {
    Site {
        location,
        annotations,
    }
}
