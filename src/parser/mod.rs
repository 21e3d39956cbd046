//! WIDL text → [`ast::Document`]. Knows nothing of imports or validation (that is `model`).

pub mod ast;
mod build;
mod syntax_error;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use pest::Parser as _;

use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile, Span};
use crate::limits::MAX_SCHEMA_NESTING;

pub use ast::Document;
pub use syntax_error::DEFINITION_KEYWORDS;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/widl.pest"]
pub(crate) struct WidlParser;

/// Parses one WIDL file. All errors found are returned together.
pub fn parse(file: &Arc<SourceFile>) -> Result<Document, Diagnostics> {
    let len = file.text.len();
    let chunk_len = if len >= SPLIT_AT_LEAST {
        (len / 8).clamp(*CHUNK_LEN.start(), *CHUNK_LEN.end())
    } else {
        usize::MAX
    };
    parse_chunked(file, chunk_len)
}

/// Files at least this long are parsed in chunks, by two threads at once.
const SPLIT_AT_LEAST: usize = 64 * 1024;

/// The bounds on a chunk's length: pest's token queue for a chunk is some 30 times its
/// length, so chunks keep the queues small, while enough chunks keep both threads busy.
const CHUNK_LEN: std::ops::RangeInclusive<usize> = 16 * 1024..=256 * 1024;

/// Parses `file` in chunks of at least `chunk_len` bytes that end where definitions do.
fn parse_chunked(file: &Arc<SourceFile>, chunk_len: usize) -> Result<Document, Diagnostics> {
    let boundaries = check_lexical(file)?;
    let starts = chunk_starts(&file.text, &boundaries, chunk_len);
    if starts.len() > 1
        && let Some(document) = parse_chunks(file, &starts)
    {
        return Ok(document);
    }
    parse_text(file, &file.text, 0)
}

/// Where each chunk of `text` starts: 0, then the first safe boundary at least `chunk_len`
/// past the start of the chunk before.
fn chunk_starts(text: &str, boundaries: &[usize], chunk_len: usize) -> Vec<usize> {
    let mut starts = vec![0];
    for &at in boundaries {
        if at - starts[starts.len() - 1] >= chunk_len && starts_definition(text, at) {
            starts.push(at);
        }
    }
    starts
}

/// Parses the chunks of `file` that start at `starts`, two threads taking them in order;
/// `None` if any chunk has an error, which a parse of the whole file then reports as it should.
/// Each chunk's token queue is dropped once its definitions are built, so at most two are alive.
fn parse_chunks(file: &Arc<SourceFile>, starts: &[usize]) -> Option<Document> {
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let work = || {
        let mut parsed = Vec::new();
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            if index >= starts.len() || failed.load(Ordering::Relaxed) {
                return parsed;
            }
            let start = starts[index];
            let end = starts.get(index + 1).copied().unwrap_or(file.text.len());
            match parse_valid(file, &file.text[start..end], start) {
                Some(Ok(document)) => parsed.push((index, document)),
                None | Some(Err(_)) => {
                    failed.store(true, Ordering::Relaxed);
                    return parsed;
                }
            }
        }
    };
    let (mut parsed, other) = std::thread::scope(|scope| {
        let other = std::thread::Builder::new()
            .stack_size(PARSE_STACK)
            .spawn_scoped(scope, work)
            .ok()?;
        let parsed = work();
        Some((parsed, other.join().ok()?))
    })?;
    if failed.into_inner() {
        return None;
    }
    parsed.extend(other);
    parsed.sort_unstable_by_key(|&(index, _)| index);
    let definitions = parsed
        .into_iter()
        .flat_map(|(_, chunk)| chunk.definitions)
        .collect();
    Some(Document { definitions })
}

/// The stack of the thread that parses chunks beside the main one: as much as the main thread
/// has, for the recursion that nesting allows.
const PARSE_STACK: usize = 8 << 20;

/// Parses `text`, the part of `file`'s text that starts at offset `base`.
fn parse_text(file: &Arc<SourceFile>, text: &str, base: usize) -> Result<Document, Diagnostics> {
    if let Some(built) = parse_valid(file, text, base) {
        return built;
    }
    // Parse again collecting what was expected where it failed, to say it in words. The
    // detail costs time, so valid input never pays for it; it stays on once set so that
    // concurrent parses cannot switch it off under this one.
    pest::set_error_detail(true);
    match WidlParser::parse(Rule::document, &file.text) {
        Err(error) => Err(syntax_error::describe(file, &error).into()),
        Ok(_) => Err(Diagnostic::at(
            file,
            Span::default(),
            "internal error: the schema parsed only on the second try",
        )
        .into()),
    }
}

/// The document of `text`, the part of `file`'s text at offset `base`, with the errors of
/// building it; `None` when it does not parse, without the cost of saying why.
fn parse_valid(
    file: &Arc<SourceFile>,
    text: &str,
    base: usize,
) -> Option<Result<Document, Diagnostics>> {
    let mut pairs = WidlParser::parse(Rule::document, text).ok()?;
    Some(match pairs.next() {
        Some(document) => build::document(file, document, base),
        None => Err(Diagnostic::at(file, Span::default(), "the schema is empty").into()),
    })
}

/// Whether a definition starts at `at`, a boundary just past a `}` that closes a top-level
/// block: a description or a definition keyword follows. Nothing that follows such a `}` in
/// one definition can start that way, so the chunks split there parse as the whole does.
fn starts_definition(text: &str, at: usize) -> bool {
    let next = &text[syntax_error::skip_trivia(text, at)..];
    next.starts_with('"')
        || syntax_error::DEFINITION_KEYWORDS.iter().any(|keyword| {
            next.strip_prefix(keyword).is_some_and(|rest| {
                !rest.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
            })
        })
}

/// Rejects input nested more deeply than [`MAX_SCHEMA_NESTING`] before the recursive parser sees it,
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
                if open.len() > MAX_SCHEMA_NESTING {
                    return Err(Diagnostic::at(
                        file,
                        Span::new(i, i + 1),
                        format!("brackets nest more than {MAX_SCHEMA_NESTING} levels deep"),
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

    use super::{SourceFile, chunk_starts, parse_chunked};

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
    fn chunks_parse_as_the_whole_file_does() {
        let mut split = 0;
        for file in schemas() {
            let boundaries = super::check_lexical(&file).unwrap_or_default();
            // Chunks as small as they come: one definition each, where the text allows.
            split += usize::from(chunk_starts(&file.text, &boundaries, 1).len() > 1);
            let chunks = format!("{:?}", parse_chunked(&file, 1));
            let whole = format!("{:?}", parse_chunked(&file, usize::MAX));
            assert!(chunks == whole, "{}", file.name);
        }
        assert!(split > 10, "only {split} schemas were split");
    }

    #[test]
    fn a_broken_chunk_is_reported_as_the_whole_file_reports_it() {
        let text = "type A { a: string }\n\"doc\"\ntype B { b: [string }\ntype C { c: u8 }\n";
        let file = Arc::new(SourceFile::new("broken.widl", text.to_string()));
        let chunks = parse_chunked(&file, 1).unwrap_err();
        let whole = parse_chunked(&file, usize::MAX).unwrap_err();
        assert_eq!(format!("{chunks:?}"), format!("{whole:?}"));
    }
}
