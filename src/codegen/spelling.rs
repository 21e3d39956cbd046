//! Whose spelling of generated names a target gets: wapc's, or the old generator's.
//!
//! wapc spells names as each language's own tools do (Go's `URL` and `HTTPRequest`,
//! AssemblyScript classes in PascalCase). The old generator (`@wapc/widl-codegen` 0.0.x) kept
//! names nearly as written (`Url`, `HttpRequest`, `HTTPResponse`), and the code users wrote
//! against it names them so. A struct field or a class cannot carry both spellings, so each
//! target gets one: `config.spelling`, which an old-form target (`module:` or `package:` with
//! `visitorClass`) sets to the old generator's unless it says otherwise.

use std::cell::Cell;

use serde_json::{Map, Value as Json};

/// The config key that chooses a target's spelling.
pub(crate) const KEY: &str = "spelling";

/// `config.spelling` for wapc's own spelling.
const WAPC: &str = "wapc";

/// `config.spelling` for the old generator's spelling.
const WIDL_CODEGEN: &str = "widl-codegen";

/// The values `config.spelling` takes.
pub(crate) const VALUES: [&str; 2] = [WAPC, WIDL_CODEGEN];

/// How the language helpers spell names while a target renders.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Spelling {
    /// Each language's conventions.
    #[default]
    Wapc,
    /// The old generator's guests (TinyGo, AssemblyScript): types and operations capitalised
    /// as written, Go fields in its PascalCase (`Url`, `HttpUrl`, `UserID`).
    WidlCodegen,
    /// The old generator's Go host, whose fields were only capitalised (`HttpURL`,
    /// `User_name`).
    WidlCodegenGoHost,
}

thread_local! {
    static CURRENT: Cell<Spelling> = const { Cell::new(Spelling::Wapc) };
}

impl Spelling {
    /// The spelling of `template` under `config` (a target's, already checked).
    pub(crate) fn of(config: &Map<String, Json>, template: &str) -> Spelling {
        match config.get(KEY).and_then(Json::as_str) {
            Some(WIDL_CODEGEN) if template.starts_with("go/") => Spelling::WidlCodegenGoHost,
            Some(WIDL_CODEGEN) => Spelling::WidlCodegen,
            _ => Spelling::Wapc,
        }
    }

    /// Sets `config.spelling` to the old generator's for a target named the old way, unless
    /// the config chose one.
    pub(crate) fn default_for(config: &mut Map<String, Json>, old_form: bool) {
        if old_form && !config.contains_key(KEY) {
            config.insert(KEY.to_string(), Json::String(WIDL_CODEGEN.to_string()));
        }
    }

    /// Runs `render` with names spelled `self`. The helpers are plain functions of a name,
    /// shared by both template engines and the name checks, so they read the spelling of the
    /// target rendering on this thread rather than take it with every name.
    pub(crate) fn apply<T>(self, render: impl FnOnce() -> T) -> T {
        struct Restore(Spelling);
        impl Drop for Restore {
            fn drop(&mut self) {
                CURRENT.set(self.0);
            }
        }
        let _restore = Restore(CURRENT.replace(self));
        render()
    }

    /// The spelling of the target rendering on this thread.
    pub(crate) fn current() -> Spelling {
        CURRENT.get()
    }

    /// Whether this is one of the old generator's spellings.
    pub(crate) fn is_old(self) -> bool {
        self != Spelling::Wapc
    }
}

/// `name` with its first letter in capitals, the rest as written (`getURL` → `GetURL`).
pub(crate) fn capitalized(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The words of `name` as the old generator split them (change-case's `noCase`, which it
/// carried): before a capital that follows a small letter or digit, before the last capital
/// of a run followed by a small letter, and at every run of other characters.
fn old_words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    // Each split rule is one left-to-right pass that does not look back at what it matched.
    let mut split = Vec::with_capacity(chars.len() + 4);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        split.push(c);
        if (c.is_ascii_lowercase() || c.is_ascii_digit())
            && chars.get(i + 1).is_some_and(char::is_ascii_uppercase)
        {
            split.extend(['\0', chars[i + 1]]);
            i += 1;
        }
        i += 1;
    }
    let mut words = Vec::with_capacity(split.len() + 4);
    let mut i = 0;
    while i < split.len() {
        let c = split[i];
        words.push(c);
        if c.is_ascii_uppercase()
            && split.get(i + 1).is_some_and(char::is_ascii_uppercase)
            && split.get(i + 2).is_some_and(char::is_ascii_lowercase)
        {
            words.extend(['\0', split[i + 1], split[i + 2]]);
            i += 2;
        }
        i += 1;
    }
    words
        .split(|c: &char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| word.iter().collect())
        .collect()
}

/// One word as the old generator's PascalCase wrote it: a capital, then small letters; a
/// word after the first that starts with a digit behind `_`.
fn old_pascal_word(word: &str, index: usize) -> String {
    let mut chars = word.chars();
    let first = chars.next().unwrap_or_default();
    let rest = chars.as_str().to_ascii_lowercase();
    if index > 0 && first.is_ascii_digit() {
        format!("_{first}{rest}")
    } else {
        format!("{}{rest}", first.to_ascii_uppercase())
    }
}

/// The old generator's PascalCase (`httpURL` → `HttpUrl`, `user_name` → `UserName`).
pub(crate) fn old_pascal(name: &str) -> String {
    let words = old_words(name);
    words
        .iter()
        .enumerate()
        .map(|(i, word)| old_pascal_word(word, i))
        .collect()
}

/// The old generator's camelCase (`getURL` → `getUrl`, `get_user_name` → `getUserName`).
pub(crate) fn old_camel(name: &str) -> String {
    let words = old_words(name);
    words
        .iter()
        .enumerate()
        .map(|(i, word)| match i {
            0 => word.to_ascii_lowercase(),
            _ => old_pascal_word(word, i),
        })
        .collect()
}

/// A trailing `Id` as `ID`, as the old Go generators wrote field names (`UserId` → `UserID`).
pub(crate) fn id_in_capitals(mut name: String) -> String {
    if name.ends_with("Id") {
        name.replace_range(name.len() - 2.., "ID");
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_cases_split_words_as_the_old_generator_did() {
        for (name, pascal, camel) in [
            ("httpURL", "HttpUrl", "httpUrl"),
            ("getURL", "GetUrl", "getUrl"),
            ("HTTPResponse", "HttpResponse", "httpResponse"),
            ("user_name", "UserName", "userName"),
            ("userId", "UserId", "userId"),
            ("ID", "Id", "id"),
            ("v2Api", "V2Api", "v2Api"),
            ("item_2", "Item_2", "item_2"),
            ("aBC", "ABc", "aBc"),
            ("ABCdEFg", "AbCdEFg", "abCdEFg"),
            ("get2URLs", "Get2UrLs", "get2UrLs"),
            ("", "", ""),
        ] {
            assert_eq!(old_pascal(name), pascal, "PascalCase of {name}");
            assert_eq!(old_camel(name), camel, "camelCase of {name}");
        }
        assert_eq!(id_in_capitals(old_pascal("userId")), "UserID");
        assert_eq!(id_in_capitals(capitalized("user_name")), "User_name");
        assert_eq!(capitalized("get_user_name"), "Get_user_name");
    }

    #[test]
    fn a_target_renders_in_its_own_spelling_and_then_the_thread_forgets_it() {
        let old = Spelling::WidlCodegen;
        assert_eq!(old.apply(Spelling::current), old);
        assert_eq!(Spelling::current(), Spelling::Wapc);
        let mut config = Map::new();
        Spelling::default_for(&mut config, true);
        assert_eq!(
            Spelling::of(&config, "go/host"),
            Spelling::WidlCodegenGoHost
        );
        assert_eq!(Spelling::of(&config, "tinygo/module"), old);
        config.insert(KEY.to_string(), Json::String(WAPC.to_string()));
        Spelling::default_for(&mut config, true);
        assert_eq!(Spelling::of(&config, "tinygo/module"), Spelling::Wapc);
    }
}
