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
    check_lexical(file)?;
    let mut pairs = match WidlParser::parse(Rule::document, &file.text) {
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

/// Rejects input nested more deeply than [`MAX_NESTING`] before the recursive parser sees it,
/// and strings that never close or hold a bad escape: those are plain to see by scanning, while
/// the parser would report them as whatever it expected after the last good token.
fn check_lexical(file: &Arc<SourceFile>) -> Result<(), Diagnostic> {
    let text = file.text.as_bytes();
    let mut open = Vec::new();
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
            b']' | b'}' | b')' => {
                open.pop();
            }
            _ => {}
        }
        i += 1;
    }
    Ok(())
}
