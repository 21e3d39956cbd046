//! Source files, spans and compiler-style error reports.
//!
//! Every error the tool reports, about a schema, a codegen file, a template or a file it reads
//! or writes, is a [`Diagnostic`], rendered by annotate-snippets (rustc's renderer) so that all
//! of them look alike: `error: message`, then `--> file:line:col`, the source line and a caret.

use std::borrow::Cow;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use annotate_snippets::{
    Annotation, AnnotationKind, Element, Group, Level, Origin, Renderer, Snippet,
};
use serde::Serialize;

/// A byte range in one source file. Offsets are 32 bits: every node of the syntax tree has a
/// span, and no input comes near 4 GiB (`limits::MAX_SCHEMAS_SIZE`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Span {
    start: u32,
    end: u32,
}

impl Span {
    /// The range `start..end`; an offset past 4 GiB, which no input reaches, is taken as the
    /// last one.
    pub fn new(start: usize, end: usize) -> Self {
        let offset = |at: usize| u32::try_from(at).unwrap_or(u32::MAX);
        Span {
            start: offset(start),
            end: offset(end),
        }
    }

    pub fn start(self) -> usize {
        self.start as usize
    }

    pub fn end(self) -> usize {
        self.end as usize
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

    /// The byte offset of a 1-based line and column (in characters), clamped to the text.
    pub fn offset(&self, line: usize, column: usize) -> usize {
        let Some(&start) = self.line_starts.get(line.max(1) - 1) else {
            return self.text.len();
        };
        let line = self.line(line.max(1));
        let within = line
            .char_indices()
            .nth(column.max(1) - 1)
            .map_or(line.len(), |(i, _)| i);
        start + within
    }

    /// The span of the YAML token (a key or a scalar) that starts at a 1-based line and
    /// column, in characters as serde_yaml counts them.
    pub fn yaml_token(&self, line: usize, column: usize) -> Span {
        let start = self.offset(line, column);
        let rest = &self.text[start..];
        // A token ends at a space, at flow punctuation, or at a `:` that ends a key.
        let len = rest
            .char_indices()
            .find(|&(i, c)| {
                c.is_whitespace()
                    || matches!(c, ',' | '[' | ']' | '{' | '}')
                    || (c == ':' && rest[i + 1..].chars().next().is_none_or(char::is_whitespace))
            })
            .map_or(rest.len(), |(i, _)| i);
        Span::new(start, start + len)
    }

    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.start()..span.end()).unwrap_or("")
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

/// How bad a diagnostic is: an error stops the run; a warning is reported and the run goes on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// Where a diagnostic points.
#[derive(Clone, Debug)]
pub enum Location {
    /// A span of a file whose text is at hand: the report quotes its line.
    Span(Arc<SourceFile>, Span),
    /// A file with no place in it to show: one that could not be read, or written, or that
    /// lies outside the project.
    File(String),
}

/// What a label on the quoted source marks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabelKind {
    /// The diagnostic's own span (its location).
    Primary,
    /// Another place that explains it ("first defined here").
    Secondary,
}

/// Words under a span of the quoted source.
#[derive(Clone, Debug)]
pub struct Label {
    pub kind: LabelKind,
    pub file: Arc<SourceFile>,
    pub span: Span,
    pub message: String,
}

/// What a line after the source says: a fact, or advice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FootnoteKind {
    Note,
    Help,
}

/// One located diagnostic: every error the tool reports, about a schema, a codegen file, a
/// template or a file it reads or writes, is one of these, and [`Diagnostic::render`] prints
/// them all alike.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    pub location: Option<Location>,
    /// Words under the primary span's caret, and under other places.
    pub labels: Vec<Label>,
    /// Notes and help, in order, after the source.
    pub footnotes: Vec<(FootnoteKind, String)>,
}

impl Diagnostic {
    fn new(severity: Severity, message: impl Into<String>, location: Option<Location>) -> Self {
        Diagnostic {
            severity,
            message: message.into(),
            location,
            labels: Vec::new(),
            footnotes: Vec::new(),
        }
    }

    /// An error that points at no file.
    pub fn error(message: impl Into<String>) -> Self {
        Self::new(Severity::Error, message, None)
    }

    /// A warning that points at no file.
    pub fn warning(message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, message, None)
    }

    /// An error at `span` of `file`.
    pub fn at(file: &Arc<SourceFile>, span: Span, message: impl Into<String>) -> Self {
        Self::new(
            Severity::Error,
            message,
            Some(Location::Span(Arc::clone(file), span)),
        )
    }

    /// An error about the file `name` as a whole (it cannot be read, say).
    pub fn in_file(name: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, message, Some(Location::File(name.into())))
    }

    /// This diagnostic as a warning: reported, and the run goes on.
    pub fn into_warning(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.footnotes.push((FootnoteKind::Note, note.into()));
        self
    }

    /// Advice: what to do about it.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.footnotes.push((FootnoteKind::Help, help.into()));
        self
    }

    /// What the caret under the primary span says (nothing without a span to quote).
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        if let Some(Location::Span(file, span)) = &self.location {
            self.labels.push(Label {
                kind: LabelKind::Primary,
                file: Arc::clone(file),
                span: *span,
                message: label.into(),
            });
        }
        self
    }

    /// Another place, in `file`, that explains this diagnostic.
    pub fn with_secondary(
        mut self,
        file: &Arc<SourceFile>,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        self.labels.push(Label {
            kind: LabelKind::Secondary,
            file: Arc::clone(file),
            span,
            message: message.into(),
        });
        self
    }

    /// A YAML file that serde_yaml refused, at the place it names.
    pub fn yaml(file: &Arc<SourceFile>, error: &serde_yaml::Error) -> Self {
        let message = error.to_string();
        // serde_yaml appends " at line L column C": the report shows the place instead.
        let message = message
            .rsplit_once(" at line ")
            .map_or(message.as_str(), |(head, _)| head);
        match error.location() {
            Some(at) => Self::at_yaml(file, at.line(), at.column(), message),
            None => Self::in_file(&file.name, message),
        }
    }

    /// An error at the YAML token that starts at a 1-based line and column (in characters, as
    /// serde_yaml counts them) of `file`.
    pub fn at_yaml(
        file: &Arc<SourceFile>,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Self {
        Self::at(file, file.yaml_token(line, column), message)
    }

    /// The `file:line:col` this diagnostic points at, if it points into a file's text.
    pub fn position(&self) -> Option<(String, Position)> {
        match &self.location {
            Some(Location::Span(file, span)) => {
                Some((file.name.clone(), file.position(span.start())))
            }
            _ => None,
        }
    }

    /// The report as it is printed, in colour when `styled`: `error: message`, then
    /// `--> file:line:col`, the source line with a caret under the span, and notes.
    pub fn render(&self, styled: bool) -> String {
        let renderer = if styled {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        let mut text = renderer.render(&[self.group()]);
        text.push('\n');
        text
    }

    fn group(&self) -> Group<'_> {
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let mut elements: Vec<Element> = Vec::new();
        let mut notes: Vec<Cow<str>> = Vec::new();
        match &self.location {
            Some(Location::Span(file, span)) if file.quotable => {
                elements.extend(self.snippets(file, *span));
            }
            Some(Location::Span(file, span)) => {
                let at = file.position(span.start());
                let origin = Origin::path(untrusted(&file.name))
                    .line(at.line)
                    .char_column(at.column);
                elements.push(origin.into());
                notes.push("the line is not shown: the file is not text".into());
            }
            Some(Location::File(name)) => elements.push(Origin::path(untrusted(name)).into()),
            None => {}
        }
        elements.extend(
            notes
                .into_iter()
                .map(|note| Level::NOTE.message(note).into()),
        );
        for (kind, text) in &self.footnotes {
            let level = match kind {
                FootnoteKind::Note => Level::NOTE,
                FootnoteKind::Help => Level::HELP,
            };
            elements.push(level.message(untrusted(text)).into());
        }
        level
            .primary_title(untrusted(&self.message))
            .elements(elements)
    }

    /// The quoted source: one snippet for the primary span's file, with the labels in that
    /// file, then one for each other file that a label points into.
    fn snippets<'a>(&'a self, file: &'a Arc<SourceFile>, span: Span) -> Vec<Element<'a>> {
        let mut excerpts = Vec::new();
        if !self.labels.iter().any(|l| l.kind == LabelKind::Primary) {
            excerpts.push(Excerpt::annotation(
                file,
                span,
                AnnotationKind::Primary,
                None,
            ));
        }
        let mut files: Vec<(&Arc<SourceFile>, Vec<Excerpt>)> = vec![(file, excerpts)];
        for label in self.labels.iter().filter(|l| l.file.quotable) {
            let kind = match label.kind {
                LabelKind::Primary => AnnotationKind::Primary,
                LabelKind::Secondary => AnnotationKind::Context,
            };
            let excerpt = Excerpt::annotation(&label.file, label.span, kind, Some(&label.message));
            match files.iter_mut().find(|(f, _)| Arc::ptr_eq(f, &label.file)) {
                Some((_, excerpts)) => excerpts.push(excerpt),
                None => files.push((&label.file, vec![excerpt])),
            }
        }
        files
            .into_iter()
            .map(|(file, excerpts)| Excerpt::snippet(file, excerpts).into())
            .collect()
    }
}

/// One annotation, with its span clamped to the text and to the line it starts on.
struct Excerpt<'a> {
    kind: AnnotationKind,
    start: usize,
    end: usize,
    label: Option<Cow<'a, str>>,
}

impl<'a> Excerpt<'a> {
    fn annotation(
        file: &SourceFile,
        span: Span,
        kind: AnnotationKind,
        label: Option<&'a str>,
    ) -> Self {
        let start = file.floor_char_boundary(span.start().min(file.text.len()));
        let line = file.position(start).line;
        let line_end = file.line_starts[line - 1] + file.line(line).len();
        let end = file.floor_char_boundary(span.end().clamp(start, line_end));
        // An empty span points at the character there, if the line has one.
        let end = match (end == start, file.text[start..line_end].chars().next()) {
            (true, Some(c)) => start + c.len_utf8(),
            _ => end,
        };
        Excerpt {
            kind,
            start,
            end,
            label: label.map(untrusted),
        }
    }

    /// The lines from the first annotation's to the last's (the renderer folds long runs of
    /// lines without one), with the spans made relative to them.
    fn snippet(file: &'a SourceFile, excerpts: Vec<Excerpt<'a>>) -> Snippet<'a, Annotation<'a>> {
        let first = excerpts.iter().map(|e| e.start).min().unwrap_or(0);
        let last = excerpts.iter().map(|e| e.end).max().unwrap_or(0);
        let first_line = file.position(first).line;
        let last_line = file.position(last).line;
        let from = file.line_starts[first_line - 1];
        let to = file.line_starts[last_line - 1] + file.line(last_line).len();
        let annotations = excerpts.into_iter().map(|e| {
            let annotation = e.kind.span(e.start - from..e.end - from);
            match e.label {
                Some(label) => annotation.label(label),
                None => annotation,
            }
        });
        Snippet::source(&file.text[from..to])
            .line_start(first_line)
            .path(untrusted(&file.name))
            .annotations(annotations)
    }
}

/// Text from a user's files or from the file system, made safe to print: a control character
/// (but a line break or tab) or a bidirectional override is shown as its escape, so that no
/// such text can drive the terminal or hide what a line says.
fn untrusted(text: &str) -> Cow<'_, str> {
    let bad = |c: char| {
        (c.is_control() && !matches!(c, '\n' | '\t'))
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    };
    if !text.contains(bad) {
        return Cow::Borrowed(text);
    }
    let mut safe = String::with_capacity(text.len());
    for c in text.chars() {
        if bad(c) {
            safe.extend(c.escape_unicode());
        } else {
            safe.push(c);
        }
    }
    Cow::Owned(safe)
}

impl fmt::Display for Diagnostic {
    /// The report without colour.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
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

    /// How many are errors (not warnings).
    pub fn errors(&self) -> usize {
        (self.0.iter())
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    /// Moves the warnings out, leaving the errors.
    pub fn take_warnings(&mut self) -> Diagnostics {
        let (warnings, errors) = std::mem::take(&mut self.0)
            .into_iter()
            .partition(|d| d.severity == Severity::Warning);
        self.0 = errors;
        Diagnostics(warnings)
    }

    /// Every warning made an error, saying why (`--deny-warnings`).
    pub fn denied(self, why: &str) -> Diagnostics {
        Diagnostics(
            (self.0.into_iter())
                .map(|mut d| {
                    if d.severity == Severity::Warning {
                        d.severity = Severity::Error;
                        d = d.with_note(why);
                    }
                    d
                })
                .collect(),
        )
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    /// Every report, a blank line between two, in colour when `styled`.
    pub fn render(&self, styled: bool) -> String {
        let reports: Vec<String> = self.0.iter().map(|d| d.render(styled)).collect();
        reports.join("\n")
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(diagnostic: Diagnostic) -> Self {
        Diagnostics(vec![diagnostic])
    }
}

impl fmt::Display for Diagnostics {
    /// The reports without colour.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
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
        std::io::ErrorKind::StorageFull => "no space left on the device".to_string(),
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
    fn offsets_of_lines_and_columns_are_clamped_to_the_text() {
        let file = SourceFile::new("a.yaml", "ab\nçd: x\n".to_string());
        assert_eq!(file.offset(1, 1), 0);
        // Columns count characters: `d` follows the two-byte `ç`.
        assert_eq!(file.offset(2, 2), 5);
        assert_eq!(file.offset(2, 99), 9);
        assert_eq!(file.offset(0, 0), 0);
        assert_eq!(file.offset(99, 1), file.text.len());
    }

    #[test]
    fn a_yaml_error_underlines_the_key_or_value_it_is_at() {
        let file = Arc::new(SourceFile::new(
            "codegen.yaml",
            "generates:\n  a.rs: {template: x}\n".to_string(),
        ));
        let key = Diagnostic::at_yaml(&file, 2, 3, "bad key").to_string();
        assert!(
            key.contains("2 |   a.rs: {template: x}\n  |   ^^^^\n"),
            "{key}"
        );
        let value = Diagnostic::at_yaml(&file, 2, 20, "bad value").to_string();
        assert!(value.contains("x}\n  |                    ^\n"), "{value}");
        let past = Diagnostic::at_yaml(&file, 9, 9, "past the end").to_string();
        assert!(past.contains(" --> codegen.yaml:3:1\n"), "{past}");
    }

    #[test]
    fn lines_of_a_file_that_is_not_text_are_not_quoted() {
        for text in ["secret\0key\n", "type A {\u{1b}\n", "x\u{FFFD}y\n"] {
            let file = Arc::new(SourceFile::new("s.widl", text.to_string()));
            let d = Diagnostic::at(&file, Span::new(1, 2), "bad");
            assert_eq!(
                d.to_string(),
                "error: bad\n--> s.widl:1:2\n = note: the line is not shown: the file is not text\n"
            );
        }
    }

    #[test]
    fn report_points_at_the_span_and_its_secondary_labels() {
        let file = Arc::new(SourceFile::new(
            "s.widl",
            "type A {\n\tx: Foo\n}\ntype A {}\n".to_string(),
        ));
        let d = Diagnostic::at(&file, Span::new(13, 16), "unknown type `Foo`")
            .with_note("did you mean `foo`?");
        // The renderer shows a tab as four spaces, and moves the caret with it.
        assert_eq!(
            d.to_string(),
            "error: unknown type `Foo`\n --> s.widl:2:5\n  |\n2 |     x: Foo\n  |        ^^^\n  |\n  = note: did you mean `foo`?\n"
        );
        let d = Diagnostic::at(&file, Span::new(24, 25), "`A` is defined more than once")
            .with_label("again")
            .with_secondary(&file, Span::new(5, 6), "first defined here");
        assert_eq!(
            d.to_string(),
            "error: `A` is defined more than once\n --> s.widl:4:6\n  |\n1 | type A {\n  |      - first defined here\n...\n4 | type A {}\n  |      ^ again\n"
        );
    }

    #[test]
    fn any_span_is_clamped_to_the_text_and_to_its_first_line() {
        let file = Arc::new(SourceFile::new("s.widl", "ab\nçd".to_string()));
        let shown = |start, end| Diagnostic::at(&file, Span::new(start, end), "x").to_string();
        // Past the end: just after the last character.
        assert!(
            shown(99, 120).contains("2 | çd\n  |   ^\n"),
            "{}",
            shown(99, 120)
        );
        // Inside a character, and reversed: at that character.
        assert!(shown(4, 1).contains("2 | çd\n  | ^\n"), "{}", shown(4, 1));
        // Over two lines: to the end of the first.
        assert!(shown(0, 6).contains("1 | ab\n  | ^^\n"), "{}", shown(0, 6));
    }

    #[test]
    fn a_file_without_a_place_and_advice_without_a_file() {
        let d = Diagnostic::in_file("out/a.rs", "cannot write `out/a.rs`: permission denied");
        assert_eq!(
            d.to_string(),
            "error: cannot write `out/a.rs`: permission denied\n--> out/a.rs\n"
        );
        let d = Diagnostic::warning("no targets").with_help("add one under `generates:`");
        assert_eq!(
            d.to_string(),
            "warning: no targets\n |\n = help: add one under `generates:`\n"
        );
    }

    #[test]
    fn control_characters_and_bidi_overrides_are_escaped_everywhere() {
        let file = Arc::new(SourceFile::new("a\u{1b}[2J.widl", "x".to_string()));
        let d = Diagnostic::at(
            &file,
            Span::new(0, 1),
            "name `\u{1b}]0;pwned\u{7}` \u{202E}x",
        )
        .with_label("\u{9b}31m")
        .with_note("\u{1b}[31m");
        let shown = d.render(true);
        for bad in ['\u{7}', '\u{9b}', '\u{202E}'] {
            assert!(!shown.contains(bad), "{shown:?}");
        }
        // The only escapes left are the renderer's own colours.
        let plain = d.render(false);
        assert!(!plain.contains('\u{1b}'), "{plain:?}");
        assert!(plain.contains(r"a\u{1b}[2J.widl:1:1"), "{plain}");
        assert!(
            plain.contains(r"name `\u{1b}]0;pwned\u{7}` \u{202e}x"),
            "{plain}"
        );
    }

    #[test]
    fn colour_only_when_asked() {
        let d = Diagnostic::error("bad");
        assert_eq!(d.render(false), "error: bad\n");
        assert_eq!(
            d.render(true),
            "\u{1b}[1m\u{1b}[91merror\u{1b}[0m\u{1b}[1m: bad\u{1b}[0m\n"
        );
    }
}
