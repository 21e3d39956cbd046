//! Turns a pest error into a message in the user's words: what was expected, what was found.

use std::collections::BTreeSet;
use std::sync::Arc;

use pest::error::{Error, InputLocation};

use super::Rule;
use crate::diagnostic::{Diagnostic, SourceFile, Span};

/// Definitions that may start at the top level, listed once instead of keyword by keyword.
const DEFINITION_KEYWORDS: [Rule; 9] = [
    Rule::kw_namespace,
    Rule::kw_import,
    Rule::kw_type,
    Rule::kw_interface,
    Rule::kw_role,
    Rule::kw_union,
    Rule::kw_enum,
    Rule::kw_alias,
    Rule::kw_directive,
];

/// The punctuation worth naming in a message.
const STRUCTURAL_TOKENS: [&str; 13] = [
    "{", "}", "(", ")", "[", "]", ":", "=", "@", "|", "&", "*", "?",
];

pub(super) fn describe(file: &Arc<SourceFile>, error: &Error<Rule>) -> Diagnostic {
    let position = match (error.parse_attempts(), &error.location) {
        (Some(attempts), _) => attempts.max_position,
        (None, InputLocation::Pos(p)) => *p,
        (None, InputLocation::Span((start, _))) => *start,
    };
    let after_name = file.text[..position.min(file.text.len())]
        .ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_');
    let position = skip_trivia(&file.text, position);
    let (found, found_len) = found_at(&file.text, position);
    let span = Span::new(position, position + found_len.max(1));

    if let Some((at, len, message)) = bad_string(&file.text, position) {
        return Diagnostic::at(file, Span::new(at, at + len), message);
    }
    let mut expected = expected(error);
    if after_name {
        // Right after a name, "more of the name" is never what the user meant.
        expected.retain(|word| word != "a name");
    }
    let message = match expected.as_slice() {
        [] => format!("unexpected {found}"),
        _ => format!("expected {}, found {found}", join_or(&expected)),
    };
    Diagnostic::at(file, span, message)
}

/// The things pest tried at the failure point, in words, each once.
fn expected(error: &Error<Rule>) -> Vec<String> {
    let Some(attempts) = error.parse_attempts() else {
        return Vec::new();
    };
    let mut rules: BTreeSet<Rule> = BTreeSet::new();
    let mut words: Vec<String> = Vec::new();
    for stack in attempts.call_stacks() {
        // A failed literal token is reported by its rule unless it is punctuation (below).
        if let Some(rule) = stack.deepest.get_rule().copied().or(stack.parent) {
            rules.insert(rule);
        }
    }
    let mut push = |word: String| {
        if !words.contains(&word) {
            words.push(word);
        }
    };
    if DEFINITION_KEYWORDS.iter().all(|k| rules.contains(k)) {
        push("a definition (`namespace`, `import`, `type`, `interface`, `role`, `enum`, `union`, `alias` or `directive`)".to_string());
        rules.retain(|r| !DEFINITION_KEYWORDS.contains(r) && *r != Rule::description);
    }
    for rule in &rules {
        if let Some(word) = rule_in_words(*rule) {
            push(word.to_string());
        }
    }
    for token in attempts.expected_tokens() {
        // Keywords and quotes are reported through their rules, and whitespace never matters.
        let token = token.to_string();
        if STRUCTURAL_TOKENS.contains(&token.as_str()) {
            push(format!("`{token}`"));
        }
    }
    words
}

fn rule_in_words(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::EOI => "the end of the file",
        Rule::description => "a description",
        Rule::name | Rule::named_type => "a name",
        Rule::type_ref | Rule::list_type | Rule::map_type | Rule::return_type => "a type",
        Rule::field => "a field",
        Rule::operation => "an operation",
        Rule::parameter | Rule::unary_parameter => "a parameter",
        Rule::parameters => "`(`",
        Rule::enum_value => "an enum value",
        Rule::annotation | Rule::annotations => "an annotation",
        Rule::arguments => "`(`",
        Rule::argument | Rule::named_argument => "an argument",
        Rule::default_value => "`=`",
        Rule::optional => "`?`",
        Rule::implements | Rule::kw_implements => "`implements`",
        Rule::import_all => "`*`",
        Rule::import_names => "`{`",
        Rule::import_name => "a name to import",
        Rule::locations => "a directive location",
        Rule::directive_require => "`@`",
        Rule::int => "an integer",
        Rule::float
        | Rule::boolean
        | Rule::null
        | Rule::enum_ref
        | Rule::list_value
        | Rule::object_value => "a value",
        Rule::string | Rule::block_string => "a string",
        Rule::object_field => "a field name",
        Rule::stream | Rule::kw_stream => "`stream`",
        Rule::kw_namespace => "`namespace`",
        Rule::kw_import => "`import`",
        Rule::kw_from => "`from`",
        Rule::kw_as => "`as`",
        Rule::kw_type => "`type`",
        Rule::kw_interface => "`interface`",
        Rule::kw_role => "`role`",
        Rule::kw_union => "`union`",
        Rule::kw_enum => "`enum`",
        Rule::kw_alias => "`alias`",
        Rule::kw_directive => "`directive`",
        Rule::kw_on => "`on`",
        Rule::kw_require => "`require`",
        _ => return None,
    })
}

fn join_or(words: &[String]) -> String {
    match words {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// Moves past whitespace and comments, which the grammar skips too.
fn skip_trivia(text: &str, mut at: usize) -> usize {
    let bytes = text.as_bytes();
    while at < bytes.len() {
        match bytes[at] {
            b' ' | b'\t' | b',' | b'\r' | b'\n' => at += 1,
            b'#' => {
                while at < bytes.len() && bytes[at] != b'\n' {
                    at += 1;
                }
            }
            _ if text[at..].starts_with('\u{FEFF}') => at += '\u{FEFF}'.len_utf8(),
            _ => break,
        }
    }
    at
}

/// The token at `at`, in words, and its length in bytes.
fn found_at(text: &str, at: usize) -> (String, usize) {
    let rest = &text[at.min(text.len())..];
    let Some(first) = rest.chars().next() else {
        return ("the end of the file".to_string(), 0);
    };
    if first.is_ascii_alphanumeric() || first == '_' || first == '-' {
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-'))
            .unwrap_or(rest.len());
        return (format!("`{}`", &rest[..len]), len);
    }
    if first == '"' {
        return ("a string".to_string(), 1);
    }
    if first.is_control() {
        return (
            format!("the character U+{:04X}", first as u32),
            first.len_utf8(),
        );
    }
    (format!("`{first}`"), first.len_utf8())
}

/// A string literal at `at` that never closes, or holds an unknown escape, is the real error,
/// whatever pest expected around it. Returns the offset and length to point at, and a message.
fn bad_string(text: &str, at: usize) -> Option<(usize, usize, String)> {
    let rest = &text[at.min(text.len())..];
    if let Some(body) = rest.strip_prefix("\"\"\"") {
        return (!body.contains("\"\"\"")).then(|| {
            (
                at,
                3,
                "unterminated block string: `\"\"\"` is never closed".to_string(),
            )
        });
    }
    if !rest.starts_with('"') {
        return None;
    }
    let line_end = rest[1..].find(['\n', '\r']).map_or(rest.len(), |i| i + 1);
    let mut chars = rest[1..line_end].char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return None,
            '\\' => match chars.next() {
                Some((_, '"' | '\\' | '/' | 'b' | 'f' | 'n' | 'r' | 't')) => {}
                Some((_, 'u')) => {
                    let hex = rest.get(i + 3..i + 7).unwrap_or("");
                    if hex.len() != 4 || !hex.chars().all(|h| h.is_ascii_hexdigit()) {
                        return Some((
                            at + 1 + i,
                            2,
                            "invalid unicode escape: `\\u` takes four hex digits".to_string(),
                        ));
                    }
                    chars.nth(3);
                }
                Some((_, other)) => {
                    return Some((
                        at + 1 + i,
                        1 + other.len_utf8(),
                        format!(
                            "unknown escape `\\{other}` (the escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)"
                        ),
                    ));
                }
                None => break,
            },
            _ => {}
        }
    }
    Some((
        at,
        1,
        "unterminated string: a string must close on the line it opens".to_string(),
    ))
}
