//! Names that are distinct in WIDL but the same in a target language (`fooBar` and
//! `foo_bar` are both `foo_bar` in Rust) would make code that does not compile; they are
//! reported before rendering (a check of the plan), with both WIDL names.

use std::collections::HashMap;

use smol_str::SmolStr;

use super::context::{Context, FieldView};
use super::language::{Language, StrFn};

/// Every two names of one scope that `language` spells the same, in words.
pub(super) fn check(language: &Language, context: &Context) -> Vec<String> {
    let mut clashes = Vec::new();
    let schema = &context.schema;
    let type_names = (schema.types.iter().map(|t| &t.name))
        .chain(schema.enums.iter().map(|e| &e.name))
        .chain(schema.unions.iter().map(|u| &u.name))
        .chain(schema.aliases.iter().map(|a| &a.name));
    distinct(
        language,
        "the schema",
        "types",
        type_names,
        language.type_name,
        &mut clashes,
    );
    for ty in &schema.types {
        let scope = format!("type `{}`", ty.name);
        distinct(
            language,
            &scope,
            "fields",
            names(&ty.fields),
            language.member_name,
            &mut clashes,
        );
    }
    let operations = context.handlers.iter().chain(&context.host_calls);
    for op in operations.clone() {
        let scope = format!("operation `{}`", op.name);
        distinct(
            language,
            &scope,
            "parameters",
            names(&op.parameters),
            language.member_name,
            &mut clashes,
        );
    }
    for group in [&context.handlers, &context.host_calls] {
        let operation_names = group.iter().map(|o| &o.name);
        distinct(
            language,
            "the schema",
            "operations",
            operation_names,
            language.member_name,
            &mut clashes,
        );
    }
    clashes.dedup();
    clashes
}

fn names(fields: &[FieldView]) -> impl Iterator<Item = &SmolStr> {
    fields.iter().map(|f| &f.name)
}

fn distinct<'a>(
    language: &Language,
    scope: &str,
    what: &str,
    names: impl Iterator<Item = &'a SmolStr>,
    spell: StrFn,
    clashes: &mut Vec<String>,
) {
    let mut seen: HashMap<String, &str> = HashMap::new();
    for name in names {
        let spelled = spell(name);
        match seen.get(&spelled) {
            Some(other) if *other != name.as_str() => {
                clashes.push(format!(
                    "in {scope}, the {what} `{other}` and `{name}` are both `{spelled}` in {}: rename one",
                    language.name
                ));
            }
            _ => {
                seen.insert(spelled, name);
            }
        }
    }
}
