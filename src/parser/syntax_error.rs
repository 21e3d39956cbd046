//! Turns a pest error into a message in the user's words: what was expected, what was found.

use std::collections::BTreeSet;
use std::sync::Arc;

use pest::error::{Error, ErrorVariant, InputLocation};

use pest::Parser as _;

use super::{Rule, WidlParser};
use crate::diagnostic::{Diagnostic, SourceFile, Span};

/// The keywords that start a top-level definition, listed once instead of one by one.
pub const DEFINITION_KEYWORDS: [&str; 9] = [
    "namespace",
    "import",
    "type",
    "interface",
    "role",
    "union",
    "enum",
    "alias",
    "directive",
];

/// Keywords that are worth naming when they are all that may come next.
const OTHER_KEYWORDS: [&str; 6] = ["implements", "as", "from", "on", "require", "stream"];

/// The punctuation worth naming in a message, in the order it is listed.
const STRUCTURAL_TOKENS: [&str; 13] = [
    "=", ":", "?", "|", "&", "*", "@", "(", ")", "[", "]", "{", "}",
];

pub(super) fn describe(file: &Arc<SourceFile>, error: &Error<Rule>) -> Diagnostic {
    let (mut position, mut expected) = failure(&file.text, error);
    if expected.is_empty()
        && let Some(start) = token_start(&file.text, position)
    {
        // Pest failed inside a token, on a lookahead (`interfaces` is not `interface`, `5px`
        // is not `5`, `0.5` is not an integer), and says only what it did not want there.
        // Parse again with the token cut off to learn what may stand where it starts.
        let probe = format!("{}\u{0}", &file.text[..start]);
        if let Err(probe_error) = WidlParser::parse(Rule::document, &probe) {
            let (probe_position, probe_expected) = failure(&probe, &probe_error);
            if probe_position == start && !probe_expected.is_empty() {
                (position, expected) = (start, probe_expected);
            }
        }
    }
    let (found, found_len) = found_at(&file.text, position);
    let span = Span::new(position, position + found_len.max(1));
    let message = match expected.as_slice() {
        [] => format!("unexpected {found}"),
        _ => format!("expected {}, found {found}", join_or(&expected)),
    };
    let diagnostic = Diagnostic::at(file, span, message);
    let item_expected = expected.iter().any(|w| {
        w.starts_with("a definition")
            || [
                "a name",
                "a field",
                "an operation",
                "a parameter",
                "an enum value",
            ]
            .contains(&w.as_str())
    });
    if found == "`@`" && item_expected {
        return diagnostic
            .with_note("annotations follow what they annotate, as in `name: string @len(8)`");
    }
    diagnostic
}

/// Where the parse failed (past any whitespace and comments) and what was expected there.
fn failure(text: &str, error: &Error<Rule>) -> (usize, Vec<String>) {
    let position = match (error.parse_attempts(), &error.location) {
        (Some(attempts), _) => attempts.max_position,
        (None, InputLocation::Pos(p)) => *p,
        (None, InputLocation::Span((start, _))) => *start,
    };
    let word_before = last_word(&text[..position.min(text.len())]);
    let mut expected = expected(error);
    if word_before.is_some_and(|w| !is_keyword(w)) {
        // Right after a name, "more of the name" is never what the user meant.
        expected.retain(|word| word != "a name" && word != "an integer");
    }
    (skip_trivia(text, position), expected)
}

/// The start of the token that `at` lies inside (not at the start of), if any.
fn token_start(text: &str, at: usize) -> Option<usize> {
    let before = &text[..at.min(text.len())];
    let start = after_last(before, |c| {
        !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
    });
    (start < before.len()).then_some(start)
}

/// What pest tried at the failure point, in words, each once.
///
/// Pest's rule stacks say little about where in the grammar it was, so the words come from
/// the set of tokens it would have accepted: a value starts with `true`, `null`, a digit, ...;
/// a type with a name, `[` or `{`; a definition with its keyword.
fn expected(error: &Error<Rule>) -> Vec<String> {
    let Some(attempts) = error.parse_attempts() else {
        return Vec::new();
    };
    let tokens: BTreeSet<String> = attempts
        .expected_tokens()
        .iter()
        .map(|token| match token.to_string().as_str() {
            "a..z" | "A..Z" => "name".to_string(),
            "0..9" => "digit".to_string(),
            other => other.to_string(),
        })
        .collect();
    let has = |token: &str| tokens.contains(token);
    let mut words = Vec::new();
    let mut shown: BTreeSet<&str> = BTreeSet::new();

    if DEFINITION_KEYWORDS.iter().all(|k| has(k)) {
        words.push("a definition (`namespace`, `import`, `type`, `interface`, `role`, `enum`, `union`, `alias` or `directive`)".to_string());
        shown.extend(["\"", "\"\"\""]);
    }
    if has("true") && has("null") {
        words.push("a value".to_string());
        shown.extend(["\"", "\"\"\"", "-", "[", "{", "digit", "name"]);
    } else if has("name") && has("[") && has("{") {
        words.push("a type".to_string());
        shown.extend(["[", "{", "name"]);
    }
    if has("name") && !shown.contains("name") {
        // The rules pest tried at the failure point name the item (the call stacks name only
        // the innermost token rules, such as `name`).
        let positives: &[Rule] = match &error.variant {
            ErrorVariant::ParsingError { positives, .. } => positives,
            ErrorVariant::CustomError { .. } => &[],
        };
        let item = positives.iter().find_map(|rule| match rule {
            Rule::field => Some("a field"),
            Rule::operation => Some("an operation"),
            Rule::parameter => Some("a parameter"),
            Rule::enum_value => Some("an enum value"),
            _ => None,
        });
        words.push(item.unwrap_or("a name").to_string());
        if item.is_some() {
            // A description may open any item; the item's word covers it.
            shown.extend(["\"", "\"\"\""]);
        }
    }
    if (has("\"") || has("\"\"\"")) && !shown.contains("\"") {
        words.push("a string".to_string());
    }
    if has("digit") && !shown.contains("digit") {
        words.push("an integer".to_string());
    }
    for keyword in OTHER_KEYWORDS {
        if has(keyword) {
            words.push(format!("`{keyword}`"));
        }
    }
    for token in STRUCTURAL_TOKENS {
        if has(token) && !shown.contains(token) {
            words.push(format!("`{token}`"));
        }
    }
    if words.is_empty()
        && attempts
            .call_stacks()
            .iter()
            .any(|s| s.deepest.get_rule() == Some(&Rule::EOI))
    {
        words.push("the end of the file".to_string());
    }
    words
}

fn is_keyword(word: &str) -> bool {
    DEFINITION_KEYWORDS.contains(&word) || OTHER_KEYWORDS.contains(&word)
}

/// The name that `text` ends with, if it ends inside one.
fn last_word(text: &str) -> Option<&str> {
    let start = after_last(text, |c| !(c.is_ascii_alphanumeric() || c == '_'));
    (start < text.len()).then(|| &text[start..])
}

/// The offset just past the last character of `text` that matches `stop` (0 if none). Past
/// the whole character: it may be more than one byte (`\u{FEFF}`, say), and an offset inside
/// it would panic when slicing (found by fuzzing).
fn after_last(text: &str, stop: impl Fn(char) -> bool) -> usize {
    text.char_indices()
        .rev()
        .find(|&(_, c)| stop(c))
        .map_or(0, |(i, c)| i + c.len_utf8())
}

fn join_or(words: &[String]) -> String {
    match words {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// Moves past whitespace and comments, which the grammar skips too.
pub(super) fn skip_trivia(text: &str, mut at: usize) -> usize {
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
pub(super) fn bad_string(text: &str, at: usize) -> Option<(usize, usize, String)> {
    let rest = &text[at.min(text.len())..];
    if let Some(body) = rest.strip_prefix("\"\"\"") {
        return (!closes_block_string(body)).then(|| {
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

/// Whether the text after a `"""` holds the `"""` that closes it (`\"""` does not).
fn closes_block_string(body: &str) -> bool {
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(b"\\\"\"\"") {
            i += 4;
        } else if bytes[i..].starts_with(b"\"\"\"") {
            return true;
        } else {
            i += 1;
        }
    }
    false
}
