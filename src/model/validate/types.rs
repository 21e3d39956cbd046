//! Type references: every name a type uses is defined, and what aliases stand for.

use super::Validator;
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::limits::{MAX_ALIAS_DEPTH, MAX_ALIAS_EXPANSION, MAX_ALIAS_SIZE};
use crate::model::{PRIMITIVES, visit_named};
use crate::parser::ast::*;

impl<'a> Validator<'a> {
    /// Directive parameters are data in annotations: built-in types, types, enums, and lists,
    /// maps and optionals of them. A union or a role cannot be written as a literal.
    pub(super) fn directive_parameter_type(&mut self, ty: &TypeRef, what: &str) {
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

    /// Checks that every type named in `ty` exists; `what` says whose type it is. Returns
    /// whether it does.
    pub(super) fn type_ref(&mut self, ty: &TypeRef, what: &str) -> bool {
        let mut ok = true;
        let mut problems = Vec::new();
        let mut alias_uses = Vec::new();
        visit_named(ty, &mut |name| {
            let value = name.value.as_str();
            if Primitive::from_name(value).is_some() {
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
                // Lowercase as built-ins are, unless it is near a type of the schema's own
                // (`person` for `Person`): then it is that type misspelt.
                None if value.starts_with(|c: char| c.is_ascii_lowercase())
                    && !self.near_own_type(value) =>
                {
                    problems.push((
                        name.span,
                        format!("unknown built-in type `{value}` in {what}"),
                        Some(self.did_you_mean(value).unwrap_or_else(|| {
                            format!("the built-in types are {}", PRIMITIVES.join(", "))
                        })),
                    ))
                }
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
    /// Whether the name nearest `name` is a type the schema defines, not a built-in one.
    fn near_own_type(&self, name: &str) -> bool {
        let near = self.did_you_mean(name);
        near.is_some_and(|near| !PRIMITIVES.iter().any(|p| near.contains(&format!("`{p}`"))))
    }

    pub(super) fn did_you_mean(&self, name: &str) -> Option<String> {
        let defined = (self.types.iter())
            .filter(|(_, d)| d.definition.is_type())
            .map(|(name, _)| *name);
        did_you_mean(name, PRIMITIVES.into_iter().chain(defined))
    }

    /// Follows aliases to the definition they stand for (`None` for built-in types).
    pub(super) fn resolve_alias(&self, name: &str) -> Option<&'a Definition> {
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
}
