//! Names that are distinct in WIDL but the same in a target language (`fooBar` and
//! `foo_bar` are both `foo_bar` in Rust) would make code that does not compile; they are
//! reported before rendering, with both WIDL names.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use heck::{ToKebabCase, ToLowerCamelCase, ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};
use smol_str::SmolStr;

use super::context::{Context, FieldView};
use super::language::{Language, StrFn};

/// A way of writing words: `snake_case`, `kebab-case`, `SHOUTY_SNAKE`, `camelCase`,
/// `PascalCase`.
#[derive(Clone, Copy)]
pub(super) enum Case {
    Snake,
    Kebab,
    ShoutySnake,
    LowerCamel,
    UpperCamel,
}

/// A set of names, hashed fast: the helpers look a name up for every one they write, and the
/// names are short and the schema's own (no one to flood it), so SipHash's cost buys nothing.
pub(super) type NameSet = std::collections::HashSet<&'static str, BuildHasherDefault<Fnv>>;

/// FNV-1a, for [`NameSet`] and the case cache.
#[derive(Default)]
pub(super) struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for byte in bytes {
            hash = (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = hash;
    }
}

/// `name` written in `case`. A schema's names come back for every use (a type's name for each
/// field of that type, in several helpers) and heck's conversions cost more than the rest of
/// rendering, so each thread keeps what it converted.
pub(super) fn case(name: &str, case: Case) -> String {
    thread_local! {
        static CONVERTED: RefCell<HashMap<String, [Option<String>; 5], BuildHasherDefault<Fnv>>> =
            RefCell::default();
    }
    CONVERTED.with(|converted| {
        let mut converted = converted.borrow_mut();
        if let Some(Some(done)) = converted.get(name).map(|cases| &cases[case as usize]) {
            return done.clone();
        }
        let done = match case {
            Case::Snake => name.to_snake_case(),
            Case::Kebab => name.to_kebab_case(),
            Case::ShoutySnake => name.to_shouty_snake_case(),
            Case::LowerCamel => name.to_lower_camel_case(),
            Case::UpperCamel => name.to_upper_camel_case(),
        };
        converted.entry(name.to_string()).or_default()[case as usize] = Some(done.clone());
        done
    })
}

/// A type name in PascalCase (`http_request` → `HttpRequest`), with a trailing underscore
/// where the language or the generated code already uses it, and a leading `T` where it
/// would start with a digit.
pub(super) fn pascal_type_name(name: &str, reserved: &[&str]) -> String {
    usable_type_name(case(name, Case::UpperCamel), reserved)
}

/// `spelled` as a type name: with a trailing underscore where it is in `reserved`, and a
/// leading `T` where it would start with a digit.
pub(super) fn usable_type_name(spelled: String, reserved: &[&str]) -> String {
    if reserved.contains(&spelled.as_str()) {
        format!("{spelled}_")
    } else if spelled.is_empty() || spelled.starts_with(|c: char| c.is_ascii_digit()) {
        format!("T{spelled}")
    } else {
        spelled
    }
}

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
