//! Text as generated files hold it: schema text written as comments, indented code, and the
//! characters that must not appear as they are (in a comment, a string literal or a file
//! name). Used by the helpers, the languages and the writer alike.

/// Each line of `text` behind `prefix`, each followed by a newline and `indent` (which the
/// template also puts before the helper): written in front of what it documents, on the same
/// template line.
pub(super) fn doc(text: &str, prefix: &str, indent: &str, out: &mut String) {
    // Every character some language ends a line comment at (a lone CR; U+2028 and U+2029 in
    // TypeScript) starts a comment line of its own: schema text must not become code.
    // As `str::lines`: no text has no lines, and a last line break ends the last line.
    if text.is_empty() {
        return;
    }
    let text = text.replace("\r\n", "\n");
    let text = text.strip_suffix('\n').unwrap_or(&text);
    for line in text.split(['\n', '\r', '\u{85}', '\u{2028}', '\u{2029}']) {
        out.push_str(prefix);
        let line = line.trim_end();
        if !line.is_empty() {
            out.push(' ');
            for c in line.chars() {
                match c {
                    '\t' => out.push(c),
                    // Controls, and the characters that reorder what an editor shows (rustc
                    // refuses them in comments), are written as escapes.
                    c if unprintable(c) => out.extend(c.escape_unicode()),
                    c => out.push(c),
                }
            }
        }
        out.push('\n');
        out.push_str(indent);
    }
}

/// A control character, or one that changes the direction of the text around it.
pub(super) fn unprintable(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// [`unprintable`], or a line or paragraph separator (a line break to some parsers): what a
/// file name or a string literal must not hold as it is.
pub(super) fn misleading(c: char) -> bool {
    unprintable(c) || matches!(c, '\u{2028}' | '\u{2029}')
}

/// `text` with `indent` after each line break that is not its last character.
pub(super) fn indent(text: &str, indent: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut lines = text.split_inclusive('\n').peekable();
    while let Some(line) = lines.next() {
        out.push_str(line);
        if line.ends_with('\n') && lines.peek().is_some() {
            out.push_str(indent);
        }
    }
    out
}
