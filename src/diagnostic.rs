//! Source files, spans and compiler-style error reports.
//!
//! Every error the tool reports about a user's file goes through [`Diagnostic`], so that all of
//! them look alike: `error: message`, then `--> file:line:col`, the source line and a caret.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

/// A byte range in one source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
}

/// The text of one input file, with a line index for turning offsets into positions.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the user should see it in messages.
    pub name: String,
    /// The path used to read the file (and to resolve relative imports).
    pub path: PathBuf,
    pub text: String,
    line_starts: Vec<usize>,
    /// Whether messages may quote the file's lines (see [`is_text`]).
    quotable: bool,
}

/// A 1-based line and column; the column counts characters, not bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl SourceFile {
    /// A leading byte-order mark is dropped: it is no part of the text, and would count as a
    /// column on the first line.
    pub fn new(path: impl Into<PathBuf>, text: String) -> Self {
        let path = path.into();
        let text = match text.strip_prefix('\u{FEFF}') {
            Some(rest) => rest.to_string(),
            None => text,
        };
        let name = display_path(&path);
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceFile {
            name,
            path,
            quotable: is_text(&text),
            text,
            line_starts,
        }
    }

    /// The position of a byte offset (clamped to the text, and to a character boundary).
    pub fn position(&self, offset: usize) -> Position {
        let offset = self.floor_char_boundary(offset.min(self.text.len()));
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let column = self.text[self.line_starts[line]..offset].chars().count() + 1;
        Position {
            line: line + 1,
            column,
        }
    }

    /// The text of a 1-based line, without its line ending.
    pub fn line(&self, line: usize) -> &str {
        let start = self.line_starts[line - 1];
        let end = self
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }

    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or("")
    }

    fn floor_char_boundary(&self, mut offset: usize) -> usize {
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }
}

/// Whether a file reads as text, whose lines a message may quote: no control character but
/// tab, line feed and carriage return, and no U+FFFD (what bytes that are not UTF-8 read as).
/// Anything else may be a secret that a hostile import or symlink pointed at (a key, a
/// database), so messages give its `file:line:col` only.
fn is_text(text: &str) -> bool {
    !text
        .chars()
        .any(|c| (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{FFFD}')
}

/// Paths in messages are shown relative to the working directory when they are inside it.
fn display_path(path: &Path) -> String {
    let shown = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf());
    shown.display().to_string()
}

/// One error, optionally located in a source file.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub message: String,
    pub location: Option<(Arc<SourceFile>, Span)>,
    pub notes: Vec<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Self {
        Diagnostic {
            message: message.into(),
            location: None,
            notes: Vec::new(),
        }
    }

    pub fn at(file: &Arc<SourceFile>, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            message: message.into(),
            location: Some((Arc::clone(file), span)),
            notes: Vec::new(),
        }
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// The `file:line:col` this error points at, if it has one.
    pub fn position(&self) -> Option<(String, Position)> {
        self.location
            .as_ref()
            .map(|(file, span)| (file.name.clone(), file.position(span.start)))
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "error: {}", self.message)?;
        // Notes line up with the `|` of the source excerpt.
        let mut gutter = " ".to_string();
        if let Some((file, span)) = &self.location {
            let start = file.position(span.start);
            gutter = " ".repeat(start.line.to_string().len());
            writeln!(
                f,
                "{gutter}--> {}:{}:{}",
                file.name, start.line, start.column
            )?;
            if !file.quotable {
                writeln!(
                    f,
                    "{gutter} = note: the line is not shown: the file is not text"
                )?;
                return self.notes(f, &gutter);
            }
            let line = file.line(start.line);
            writeln!(f, "{gutter} |")?;
            writeln!(f, "{} | {}", start.line, line)?;
            // Keep tabs from the source line so that the caret lines up in any terminal.
            let pad: String = line
                .chars()
                .take(start.column - 1)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            let end = file.position(span.end.max(span.start));
            let width = if end.line == start.line {
                (end.column - start.column).max(1)
            } else {
                (line.chars().count() + 1 - start.column).max(1)
            };
            writeln!(f, "{gutter} | {pad}{}", "^".repeat(width))?;
        }
        self.notes(f, &gutter)
    }
}

impl Diagnostic {
    fn notes(&self, f: &mut fmt::Formatter<'_>, gutter: &str) -> fmt::Result {
        for note in &self.notes {
            writeln!(f, "{gutter} = note: {note}")?;
        }
        Ok(())
    }
}

/// Several errors, reported together.
#[derive(Debug, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(diagnostic: Diagnostic) -> Self {
        Diagnostics(vec![diagnostic])
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, diagnostic) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{diagnostic}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

/// Why a file could not be read, in a user's words.
pub fn io_reason(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::IsADirectory => "it is a directory".to_string(),
        std::io::ErrorKind::NotADirectory => "a part of the path is a file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => error.to_string(),
    }
}

/// "did you mean `X`?", X being the candidate nearest a misspelt `name`, when one is near
/// enough: an edit per three characters, at most two, case aside; so `T` suggests only `t`,
/// and `Strin` suggests `string`. Ties go to the alphabetically first, so that the answer does
/// not depend on the order of the candidates (a `HashMap`'s keys, say).
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let wanted = name.to_lowercase();
    let allowed = (wanted.chars().count() / 3).min(2);
    candidates
        .into_iter()
        .filter(|candidate| *candidate != name)
        .map(|candidate| {
            let distance = strsim::damerau_levenshtein(&wanted, &candidate.to_lowercase());
            (distance, candidate)
        })
        .filter(|(distance, _)| *distance <= allowed)
        .min()
        .map(|(_, nearest)| format!("did you mean `{nearest}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_you_mean_suggests_the_nearest_name_only_when_near() {
        let names = ["string", "String2", "Person", "Persons", "U"];
        assert_eq!(
            did_you_mean("Strin", names).as_deref(),
            Some("did you mean `string`?")
        );
        assert_eq!(
            did_you_mean("persn", names).as_deref(),
            Some("did you mean `Person`?")
        );
        assert_eq!(did_you_mean("T", names), None);
        assert_eq!(did_you_mean("Address", names), None);
        assert_eq!(did_you_mean("Person", ["Person"]), None);
    }

    #[test]
    fn positions_count_characters_and_lines() {
        let file = SourceFile::new("a.widl", "ab\nçd\r\nx".to_string());
        assert_eq!(file.position(0), Position { line: 1, column: 1 });
        assert_eq!(file.position(3), Position { line: 2, column: 1 });
        // 'd' sits after the two-byte 'ç'.
        assert_eq!(file.position(5), Position { line: 2, column: 2 });
        assert_eq!(file.line(2), "çd");
        assert_eq!(file.position(99), Position { line: 3, column: 2 });
    }

    #[test]
    fn lines_of_a_file_that_is_not_text_are_not_quoted() {
        for text in ["secret\0key\n", "type A {\u{1b}\n", "x\u{FFFD}y\n"] {
            let file = Arc::new(SourceFile::new("s.widl", text.to_string()));
            let d = Diagnostic::at(&file, Span::new(1, 2), "bad");
            assert_eq!(
                d.to_string(),
                "error: bad\n --> s.widl:1:2\n  = note: the line is not shown: the file is not text\n"
            );
        }
    }

    #[test]
    fn report_points_at_the_span() {
        let file = Arc::new(SourceFile::new(
            "s.widl",
            "type A {\n\tx: Foo\n}\n".to_string(),
        ));
        let d = Diagnostic::at(&file, Span::new(13, 16), "unknown type `Foo`");
        assert_eq!(
            d.to_string(),
            "error: unknown type `Foo`\n --> s.widl:2:5\n  |\n2 | \tx: Foo\n  | \t   ^^^\n"
        );
    }
}
