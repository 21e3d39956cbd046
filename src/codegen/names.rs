//! Writing names: case conversion (cached, as every helper asks for it), a name set that
//! hashes fast, and type names made usable. Below the languages, which spell with it.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use heck::{ToKebabCase, ToLowerCamelCase, ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};

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
