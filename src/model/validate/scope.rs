//! Scope and names: what each file defines and imports, clashes, the document's shape.

use super::{Defined, Validator};
use crate::diagnostic::{Diagnostic, Span};
use crate::model::ScopedDefinition;
use crate::parser::ast::*;

impl<'a> Validator<'a> {
    pub(super) fn collect_scope(
        &mut self,
        document: &'a Document,
        imported: &'a [ScopedDefinition],
    ) {
        for scoped in imported {
            self.declare(&scoped.definition, Some(&scoped.file));
        }
        for definition in &document.definitions {
            self.declare(definition, None);
        }
    }

    pub(super) fn declare(&mut self, definition: &'a Definition, imported_from: Option<&'a str>) {
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
                if imported_from.is_none() {
                    let message = format!("{what} is defined more than once");
                    let error = Diagnostic::at(self.file, name.span, message);
                    self.errors.push(match existing.imported_from {
                        Some(file) => error
                            .with_note(format!("the other definition is imported from `{file}`")),
                        None => {
                            let first = existing.definition.name().map(|name| name.span);
                            let first = first.unwrap_or(existing.definition.span());
                            error.with_secondary(self.file, first, "first defined here")
                        }
                    });
                } else {
                    // Two imports that clash: only the importing file can be pointed at.
                    let message =
                        format!("{what} is imported more than once, from different definitions");
                    self.errors
                        .push(Diagnostic::in_file(self.file.name.clone(), message));
                }
            }
        }
    }

    pub(super) fn document_shape(&mut self, document: &'a Document) {
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
                        let keyword = Span::new(interface.span.start(), interface.span.start());
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
    pub(super) fn keyword_span(
        &self,
        description: Option<&StringLiteral>,
        start: Span,
        keyword: &str,
    ) -> Span {
        let from = description.map_or(start.start(), |d| d.span.end());
        let at = self.file.text[from..]
            .find(keyword)
            .map_or(from, |i| from + i);
        Span::new(at, at + keyword.len())
    }

    pub(super) fn pascal_case(&mut self, kind: &str, name: &Name) {
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
}
