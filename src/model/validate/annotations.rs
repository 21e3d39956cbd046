//! Annotations against their directives: locations, `require`, arguments.

use std::collections::HashMap;

use super::{DIRECTIVE_LOCATIONS, Defined, SELF, Site, Validator};
use crate::diagnostic::{Diagnostic, Span};
use crate::parser::ast::*;

impl<'a> Validator<'a> {
    pub(super) fn locations(&mut self, locations: &[Name], in_require: bool, directive: &str) {
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

    /// Checks annotations against their directives; `sites` runs from the outermost enclosing
    /// node to the annotated node itself.
    pub(super) fn annotations(&mut self, annotations: &'a [Annotation], sites: &[Site<'a>]) {
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
                        self.namespace.map(|ns| &*ns.annotations)
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
    pub(super) fn annotation_arguments(&mut self, annotations: &'a [Annotation]) {
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

/// `ENUM_VALUE` → `an enum value`.
pub(super) fn describe_location(location: &str) -> String {
    let words = location.to_ascii_lowercase().replace('_', " ");
    // No location starts with a vowel sound spelled `u` ("a union").
    let article = if words.starts_with(['a', 'e', 'i', 'o']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {words}")
}
