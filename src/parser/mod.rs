//! WIDL text → [`ast::Document`]. Knows nothing of imports or validation (that is `model`).

pub mod ast;
mod build;
mod syntax_error;

use std::sync::Arc;

use pest::Parser as _;

use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile, Span};

pub use ast::Document;

/// How deeply brackets may nest. Real schemas use a handful of levels; the limit keeps every
/// recursive pass (parse, validate, render) far from the end of the stack on any input.
pub const MAX_NESTING: usize = 64;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/widl.pest"]
pub(crate) struct WidlParser;

/// Parses one WIDL file. All errors found are returned together.
pub fn parse(file: &Arc<SourceFile>) -> Result<Document, Diagnostics> {
    parse_split(file, SPLIT_AT_LEAST)
}

/// Files at least this long are parsed in two halves at once, on two threads.
const SPLIT_AT_LEAST: usize = 64 * 1024;

fn parse_split(file: &Arc<SourceFile>, split_at_least: usize) -> Result<Document, Diagnostics> {
    let boundaries = check_lexical(file)?;
    if file.text.len() >= split_at_least
        && let Some(at) = split_point(&file.text, &boundaries)
        && let Some(document) = parse_halves(file, at)
    {
        return Ok(document);
    }
    parse_text(file, &file.text)
}

/// Parses `file` as two documents split at `at`, a boundary between definitions; `None` if
/// either half has an error, which a parse of the whole file then reports as it should.
fn parse_halves(file: &Arc<SourceFile>, at: usize) -> Option<Document> {
    // Spaces in place of the first half keep the second half's offsets those of the file.
    let mut second_text = " ".repeat(at);
    second_text.push_str(&file.text[at..]);
    let (first, second) = std::thread::scope(|scope| {
        let second = std::thread::Builder::new()
            .stack_size(PARSE_STACK)
            .spawn_scoped(scope, || parse_text(file, &second_text))
            .ok()?;
        let first = parse_text(file, &file.text[..at]);
        Some((first, second.join().ok()?))
    })?;
    let mut document = first.ok()?;
    document.definitions.extend(second.ok()?.definitions);
    Some(document)
}

/// The stack of the thread that parses a second half: as much as the main thread has, for
/// the recursion that nesting allows.
const PARSE_STACK: usize = 8 << 20;

/// Parses `text`, which is `file`'s text or a part of it at the same offsets.
fn parse_text(file: &Arc<SourceFile>, text: &str) -> Result<Document, Diagnostics> {
    let mut pairs = match WidlParser::parse(Rule::document, text) {
        Ok(pairs) => pairs,
        Err(_) => {
            // Parse again collecting what was expected where it failed, to say it in words.
            // The detail costs time, so valid input never pays for it; it stays on once set
            // so that concurrent parses cannot switch it off under this one.
            pest::set_error_detail(true);
            let error = match WidlParser::parse(Rule::document, &file.text) {
                Err(error) => error,
                Ok(_) => {
                    return Err(Diagnostic::at(
                        file,
                        Span::default(),
                        "internal error: the schema parsed only on the second try",
                    )
                    .into());
                }
            };
            return Err(syntax_error::describe(file, &error).into());
        }
    };
    let document = pairs.next().ok_or_else(|| {
        Diagnostics::from(Diagnostic::at(file, Span::default(), "the schema is empty"))
    })?;
    build::document(file, document)
}

/// The boundary in `boundaries` nearest the middle of `text` where a definition starts: a
/// `}` that closes a top-level block, followed by a description or a definition keyword.
/// Nothing that follows such a `}` in one definition can start that way, so the two halves
/// parse as the whole does.
fn split_point(text: &str, boundaries: &[usize]) -> Option<usize> {
    let middle = text.len() / 2;
    let nearest = boundaries.partition_point(|&b| b < middle);
    let around = boundaries[nearest.saturating_sub(4)..(nearest + 4).min(boundaries.len())].iter();
    let mut candidates: Vec<usize> = around.copied().collect();
    candidates.sort_by_key(|&b| b.abs_diff(middle));
    candidates.into_iter().find(|&at| {
        let next = &text[syntax_error::skip_trivia(text, at)..];
        next.starts_with('"')
            || syntax_error::DEFINITION_KEYWORDS.iter().any(|keyword| {
                next.strip_prefix(keyword).is_some_and(|rest| {
                    !rest.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
                })
            })
    })
}

/// Rejects input nested more deeply than [`MAX_NESTING`] before the recursive parser sees it,
/// and strings that never close or hold a bad escape: those are plain to see by scanning, while
/// the parser would report them as whatever it expected after the last good token.
/// Returns the offsets just past each `}` that closes a top-level block.
fn check_lexical(file: &Arc<SourceFile>) -> Result<Vec<usize>, Diagnostic> {
    let text = file.text.as_bytes();
    let mut open = Vec::new();
    let mut boundaries = Vec::new();
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'#' => {
                while i < text.len() && text[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' if let Some((at, len, message)) = syntax_error::bad_string(&file.text, i) => {
                return Err(Diagnostic::at(file, Span::new(at, at + len), message));
            }
            b'"' if text[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < text.len() && !text[i..].starts_with(b"\"\"\"") {
                    i += if text[i..].starts_with(b"\\\"\"\"") {
                        4
                    } else {
                        1
                    };
                }
                i += 2;
            }
            b'"' => {
                i += 1;
                while i < text.len() && !matches!(text[i], b'"' | b'\n') {
                    i += if text[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'[' | b'{' | b'(' => {
                open.push(i);
                if open.len() > MAX_NESTING {
                    return Err(Diagnostic::at(
                        file,
                        Span::new(i, i + 1),
                        format!("brackets nest more than {MAX_NESTING} levels deep"),
                    ));
                }
            }
            b']' | b')' => {
                open.pop();
            }
            b'}' => {
                open.pop();
                if open.is_empty() {
                    boundaries.push(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    Ok(boundaries)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::{SourceFile, parse_split, split_point};

    /// Every schema the tests keep, valid or not, and a large one in the shape of the
    /// benchmark's (descriptions, comments, every definition keyword).
    fn schemas() -> Vec<Arc<SourceFile>> {
        let mut files: Vec<Arc<SourceFile>> = crate::test_schemas()
            .into_iter()
            .map(|path| {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                Arc::new(SourceFile::new(path, text))
            })
            .collect();
        let mut large = String::from("namespace \"big\"\n");
        for i in 0..300 {
            large.push_str(&format!(
                "# type {i}\n\"Type {i}.\"\ntype T{i} {{ a: string, b: [T{i}]? }}\n\
                 enum E{i} {{ A = 0 }}\nunion U{i} = T{i} | E{i}\nalias A{i} = {{string: T{i}}}\n\
                 role R{i} {{ op(a: T{i}): U{i} }}\n"
            ));
        }
        files.push(Arc::new(SourceFile::new("large.widl", large)));
        files
    }

    #[test]
    fn halves_parse_as_the_whole_file_does() {
        let mut split = 0;
        for file in schemas() {
            let boundaries = super::check_lexical(&file).unwrap_or_default();
            split += usize::from(split_point(&file.text, &boundaries).is_some());
            let halves = format!("{:?}", parse_split(&file, 0));
            let whole = format!("{:?}", parse_split(&file, usize::MAX));
            assert!(halves == whole, "{}", file.name);
        }
        assert!(split > 10, "only {split} schemas were split");
    }

    #[test]
    fn a_broken_half_is_reported_as_the_whole_file_reports_it() {
        let text = "type A { a: string }\n\"doc\"\ntype B { b: [string }\ntype C { c: u8 }\n";
        let file = Arc::new(SourceFile::new("broken.widl", text.to_string()));
        let halves = parse_split(&file, 0).unwrap_err();
        let whole = parse_split(&file, usize::MAX).unwrap_err();
        assert_eq!(format!("{halves:?}"), format!("{whole:?}"));
    }
}
