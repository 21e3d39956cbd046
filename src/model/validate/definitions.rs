//! The rules of each kind of definition: types, operations, parameters, enums, directives.

use std::collections::HashMap;

use super::graph::cycle_path;
use super::{Site, Validator, site};
use crate::diagnostic::Span;
use crate::limits::MAX_ALIAS_DEPTH;
use crate::parser::ast::*;

impl<'a> Validator<'a> {
    pub(super) fn type_def(&mut self, t: &'a TypeDefinition) {
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
                self.repeated(
                    field.name.span,
                    first,
                    format!(
                        "field `{}` is defined more than once in type `{}`",
                        field.name.value, t.name.value
                    ),
                    "first defined here",
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

    pub(super) fn operations(
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
                self.repeated(
                    op.name.span,
                    first,
                    format!(
                        "operation `{}` is defined more than once in {container}",
                        op.name.value
                    ),
                    "first defined here",
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

    pub(super) fn parameters(&mut self, op: &'a OperationDefinition, outer: &[Site<'a>]) {
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for p in &op.parameters {
            if let Some(first) = seen.insert(&p.name.value, p.name.span) {
                self.repeated(
                    p.name.span,
                    first,
                    format!(
                        "parameter `{}` is defined more than once in operation `{}`",
                        p.name.value, op.name.value
                    ),
                    "first defined here",
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

    pub(super) fn enum_def(&mut self, e: &'a EnumDefinition) {
        self.pascal_case("enum", &e.name);
        let outer = [site("ENUM", &e.annotations)];
        self.annotations(&e.annotations, &outer);
        let mut names: HashMap<&str, Span> = HashMap::new();
        let mut indexes: HashMap<i64, Span> = HashMap::new();
        for value in &e.values {
            if let Some(first) = names.insert(&value.name.value, value.name.span) {
                self.repeated(
                    value.name.span,
                    first,
                    format!(
                        "value `{}` is defined more than once in enum `{}`",
                        value.name.value, e.name.value
                    ),
                    "first defined here",
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
                self.repeated(
                    value.index.span,
                    first,
                    format!(
                        "index {} is used more than once in enum `{}`",
                        value.index.value, e.name.value
                    ),
                    "first used here",
                );
            }
            let sites = [outer[0], site("ENUM_VALUE", &value.annotations)];
            self.annotations(&value.annotations, &sites);
        }
    }

    pub(super) fn directive(&mut self, d: &'a DirectiveDefinition) {
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
}
