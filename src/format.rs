//! `wapc fmt`: WIDL text in one canonical style, losing nothing but layout.
//!
//! The syntax tree says what to print and in which order; every token is copied from the
//! source as written (names, numbers, strings and block strings keep their spelling), and
//! the text between two tokens, which the grammar makes all trivia (whitespace, commas,
//! comments), is where comments and blank lines are read from. So comments survive wherever
//! they were, and the tree of the output is the tree of the input, spans aside.
//!
//! The style: two-space indentation; one definition, field, enum value or operation a line;
//! a single space around `=`, `|`, `&` and after `:` and `,`; commas only between the items
//! of a list on one line; at most one blank line where the source had one or more (none at
//! the start or end of a block); a comment that followed code on its line stays there, one
//! on its own line stays on its own line; LF line ends; one newline at the end.

use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile, Span};
use crate::parser::{self, ast::*};

/// `file`'s text in the canonical style, or its syntax errors.
pub fn format(file: &Arc<SourceFile>) -> Result<String, Diagnostics> {
    let document = parser::parse(file)?;
    let mut formatter = Formatter {
        file,
        text: &file.text,
        at: 0,
        out: String::with_capacity(file.text.len() + file.text.len() / 8),
        indent: 0,
        pending: Break::None,
        opened: false,
    };
    formatter.document(&document).map_err(Diagnostics::from)?;
    Ok(formatter.out)
}

const INDENT: &str = "  ";

/// What separates the last token written from the next one, decided before it is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Break {
    None,
    Space,
    Newline,
    /// A newline and an empty line.
    Blank,
}

struct Formatter<'a> {
    file: &'a Arc<SourceFile>,
    text: &'a str,
    /// How far the source is consumed: just past the last token written.
    at: usize,
    out: String,
    indent: usize,
    pending: Break,
    /// Nothing written since a block's `{`: no blank line goes here, and `}` closes on the line.
    opened: bool,
}

type Step = Result<(), Diagnostic>;

impl Formatter<'_> {
    fn document(&mut self, document: &Document) -> Step {
        for definition in &document.definitions {
            self.item();
            self.definition(definition)?;
        }
        self.gap();
        if !self.out.is_empty() {
            self.out.push('\n');
        }
        Ok(())
    }

    fn definition(&mut self, definition: &Definition) -> Step {
        match definition {
            Definition::Namespace(d) => {
                self.description(d.description.as_ref())?;
                self.token("namespace")?;
                self.space();
                self.span(d.name.span)?;
                self.annotations(&d.annotations)
            }
            Definition::Import(d) => {
                self.description(d.description.as_ref())?;
                self.token("import")?;
                self.space();
                if d.all {
                    self.token("*")?;
                } else {
                    self.token("{")?;
                    self.space();
                    for (i, name) in d.names.iter().enumerate() {
                        self.separator(i, ",");
                        self.span(name.name.span)?;
                        if let Some(alias) = &name.alias {
                            self.space();
                            self.token("as")?;
                            self.space();
                            self.span(alias.span)?;
                        }
                    }
                    self.space();
                    self.token("}")?;
                }
                self.space();
                self.token("from")?;
                self.space();
                self.span(d.from.span)?;
                self.annotations(&d.annotations)
            }
            Definition::Type(d) => {
                self.description(d.description.as_ref())?;
                self.token("type")?;
                self.space();
                self.span(d.name.span)?;
                if !d.interfaces.is_empty() {
                    self.space();
                    self.token("implements")?;
                    self.space();
                    self.skip("&")?;
                    for (i, interface) in d.interfaces.iter().enumerate() {
                        if i > 0 {
                            self.space();
                            self.token("&")?;
                            self.space();
                        }
                        self.span(interface.span)?;
                    }
                }
                self.annotations(&d.annotations)?;
                self.block(&d.fields, |f, field| {
                    f.description(field.description.as_deref())?;
                    f.span(field.name.span)?;
                    f.token(":")?;
                    f.space();
                    f.type_ref(&field.ty)?;
                    f.default(field.default.as_deref())?;
                    f.annotations(&field.annotations)
                })
            }
            Definition::Interface(d) => {
                self.description(d.description.as_ref())?;
                self.token("interface")?;
                self.annotations(&d.annotations)?;
                self.block(&d.operations, Self::operation)
            }
            Definition::Role(d) => {
                self.description(d.description.as_ref())?;
                self.token("role")?;
                self.space();
                self.span(d.name.span)?;
                self.annotations(&d.annotations)?;
                self.block(&d.operations, Self::operation)
            }
            Definition::Union(d) => {
                self.description(d.description.as_ref())?;
                self.token("union")?;
                self.space();
                self.span(d.name.span)?;
                self.annotations(&d.annotations)?;
                self.space();
                self.token("=")?;
                self.skip("|")?;
                for (i, ty) in d.types.iter().enumerate() {
                    self.space();
                    if i > 0 {
                        self.token("|")?;
                        self.space();
                    }
                    self.type_ref(ty)?;
                }
                Ok(())
            }
            Definition::Enum(d) => {
                self.description(d.description.as_ref())?;
                self.token("enum")?;
                self.space();
                self.span(d.name.span)?;
                self.annotations(&d.annotations)?;
                self.block(&d.values, |f, value| {
                    f.description(value.description.as_ref())?;
                    f.span(value.name.span)?;
                    f.space();
                    f.token("=")?;
                    f.space();
                    f.span(value.index.span)?;
                    if let Some(display) = &value.display {
                        // @wapc/widl 0.0.6 wrote no `as`; the canonical form has it.
                        f.space();
                        f.skip("as")?;
                        f.write("as");
                        f.space();
                        f.span(display.span)?;
                    }
                    f.annotations(&value.annotations)
                })
            }
            Definition::Alias(d) => {
                self.description(d.description.as_ref())?;
                self.token("alias")?;
                self.space();
                self.span(d.name.span)?;
                self.space();
                self.token("=")?;
                self.space();
                self.type_ref(&d.ty)?;
                self.annotations(&d.annotations)
            }
            Definition::Directive(d) => {
                self.description(d.description.as_ref())?;
                self.token("directive")?;
                self.space();
                self.token("@")?;
                self.span(d.name.span)?;
                if self.next_is("(") {
                    self.parameters(&d.parameters, "(", ")")?;
                }
                self.locations(&d.locations)?;
                if !d.requires.is_empty() {
                    self.space();
                    self.token("require")?;
                    for require in &d.requires {
                        self.space();
                        self.token("@")?;
                        self.span(require.directive.span)?;
                        self.locations(&require.locations)?;
                    }
                }
                Ok(())
            }
        }
    }

    fn operation(&mut self, op: &OperationDefinition) -> Step {
        self.description(op.description.as_ref())?;
        self.span(op.name.span)?;
        if op.unary {
            self.parameters(&op.parameters, "{", "}")?;
        } else {
            self.parameters(&op.parameters, "(", ")")?;
        }
        match &op.returns {
            Some(ty) => {
                self.token(":")?;
                self.space();
                self.type_ref(ty)?;
            }
            // `: void` is the same as no return type; it stays as written.
            None if self.next_is(":") => {
                self.token(":")?;
                self.space();
                self.token("void")?;
            }
            None => {}
        }
        self.annotations(&op.annotations)
    }

    fn parameters(&mut self, parameters: &[ParameterDefinition], open: &str, close: &str) -> Step {
        self.token(open)?;
        for (i, parameter) in parameters.iter().enumerate() {
            self.separator(i, ",");
            if let Some(description) = &parameter.description {
                self.span(description.span)?;
                self.space();
            }
            self.span(parameter.name.span)?;
            self.token(":")?;
            self.space();
            self.type_ref(&parameter.ty)?;
            self.default(parameter.default.as_ref())?;
            self.annotations(&parameter.annotations)?;
        }
        self.token(close)
    }

    fn locations(&mut self, locations: &[Name]) -> Step {
        self.space();
        self.token("on")?;
        self.skip("|")?;
        for (i, location) in locations.iter().enumerate() {
            self.space();
            if i > 0 {
                self.token("|")?;
                self.space();
            }
            self.span(location.span)?;
        }
        Ok(())
    }

    /// `{`, each item on its own line one level in, `}`; `{}` when there is nothing inside.
    fn block<T>(&mut self, items: &[T], mut each: impl FnMut(&mut Self, &T) -> Step) -> Step {
        self.space();
        self.token("{")?;
        self.opened = true;
        self.indent += 1;
        for item in items {
            self.item();
            each(self, item)?;
        }
        // Comments before the `}` belong inside the block.
        self.gap();
        self.indent -= 1;
        if !self.opened {
            self.request(Break::Newline);
        }
        self.token("}")
    }

    fn description(&mut self, description: Option<&StringLiteral>) -> Step {
        if let Some(description) = description {
            self.span(description.span)?;
            self.request(Break::Newline);
        }
        Ok(())
    }

    fn annotations(&mut self, annotations: &[Annotation]) -> Step {
        for annotation in annotations {
            self.space();
            self.token("@")?;
            self.span(annotation.name.span)?;
            if self.next_is("(") {
                self.token("(")?;
                for (i, argument) in annotation.arguments.iter().enumerate() {
                    self.separator(i, ",");
                    // An unnamed argument's name is `value`, spanning the value itself.
                    if argument.name.span != argument.value.span() {
                        self.span(argument.name.span)?;
                        self.token(":")?;
                        self.space();
                    }
                    self.value(&argument.value)?;
                }
                self.token(")")?;
            }
        }
        Ok(())
    }

    fn default(&mut self, default: Option<&Value>) -> Step {
        if let Some(value) = default {
            self.space();
            self.token("=")?;
            self.space();
            self.value(value)?;
        }
        Ok(())
    }

    fn type_ref(&mut self, ty: &TypeRef) -> Step {
        match ty {
            TypeRef::Named { name } => self.span(name.span),
            TypeRef::List { item, .. } => {
                self.token("[")?;
                self.type_ref(item)?;
                self.token("]")
            }
            TypeRef::Map { key, value, .. } => {
                self.token("{")?;
                self.type_ref(key)?;
                self.token(":")?;
                self.space();
                self.type_ref(value)?;
                self.token("}")
            }
            TypeRef::Optional { inner, .. } => {
                self.type_ref(inner)?;
                self.token("?")
            }
            TypeRef::Stream { inner, .. } => {
                self.token("stream")?;
                self.space();
                self.type_ref(inner)
            }
        }
    }

    fn value(&mut self, value: &Value) -> Step {
        match value {
            Value::List { values, .. } => {
                self.token("[")?;
                for (i, value) in values.iter().enumerate() {
                    self.separator(i, ",");
                    self.value(value)?;
                }
                self.token("]")
            }
            Value::Object { fields, .. } => {
                self.token("{")?;
                for (i, field) in fields.iter().enumerate() {
                    self.separator(i, ",");
                    self.span(field.name.span)?;
                    self.token(":")?;
                    self.space();
                    self.value(&field.value)?;
                }
                self.token("}")
            }
            Value::String { span, .. }
            | Value::Int { span, .. }
            | Value::Float { span, .. }
            | Value::Bool { span, .. }
            | Value::Null { span }
            | Value::Enum { span, .. } => self.span(*span),
        }
    }

    /// `sep ` before every item of a list but the first; after a comment, the line break
    /// alone separates them.
    fn separator(&mut self, index: usize, sep: &str) {
        if index > 0 {
            if self.pending < Break::Newline {
                self.write(sep);
            }
            self.space();
        }
    }

    // ---- the source cursor ---------------------------------------------------------------

    /// Starts a definition or a member on a line of its own, after an empty line when the
    /// source had one there.
    fn item(&mut self) {
        let blank = self.gap();
        self.request(if blank { Break::Blank } else { Break::Newline });
    }

    /// Writes the next token, which is `text` (punctuation or a keyword).
    fn token(&mut self, text: &str) -> Step {
        self.gap();
        if !self.text[self.at..].starts_with(text) {
            return Err(self.unexpected(text));
        }
        self.at += text.len();
        self.write(text);
        Ok(())
    }

    /// Consumes `text` if it comes next, writing nothing (a leading `|` or `&`).
    fn skip(&mut self, text: &str) -> Step {
        if self.next_is(text) {
            self.at += text.len();
        }
        Ok(())
    }

    /// Whether the next token starts with `text` (comments before it are written).
    fn next_is(&mut self, text: &str) -> bool {
        self.gap();
        self.text[self.at..].starts_with(text)
    }

    /// Writes the token at `span` as the source spells it.
    fn span(&mut self, span: Span) -> Step {
        self.gap();
        if self.at != span.start() || span.end() > self.text.len() || span.end() < span.start() {
            return Err(self.unexpected(self.text.get(span.start()..span.end()).unwrap_or("")));
        }
        let token = &self.text[span.start()..span.end()];
        self.at = span.end();
        if token.contains('\r') {
            // Only a block string spans lines; its value reads CR LF and CR as LF.
            let token = token.replace("\r\n", "\n").replace('\r', "\n");
            self.write(&token);
        } else {
            self.write(token);
        }
        Ok(())
    }

    fn unexpected(&self, expected: &str) -> Diagnostic {
        let end = self.text[self.at..]
            .char_indices()
            .nth(1)
            .map_or(self.text.len(), |(n, _)| self.at + n);
        Diagnostic::at(
            self.file,
            Span::new(self.at, end),
            format!("internal error: the formatter expected `{expected}` here"),
        )
        .with_note("this is a bug in wapc; please report it with this schema")
    }

    /// Passes the trivia before the next token, writing its comments; whether an empty line
    /// comes right before that token.
    fn gap(&mut self) -> bool {
        let bytes = self.text.as_bytes();
        let mut newlines = 0;
        let mut i = self.at;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => {
                    newlines += 1;
                    i += 1;
                }
                b' ' | b'\t' | b',' | b'\r' => i += 1,
                b'#' => {
                    let end = self.text[i..].find('\n').map_or(bytes.len(), |n| i + n);
                    let comment = self.text[i..end].trim_end();
                    self.comment(comment, newlines);
                    newlines = 0;
                    i = end;
                }
                _ if self.text[i..].starts_with('\u{FEFF}') => i += '\u{FEFF}'.len_utf8(),
                _ => break,
            }
        }
        self.at = i;
        newlines >= 2
    }

    /// A comment `newlines` line ends after the last token or comment.
    fn comment(&mut self, comment: &str, newlines: usize) {
        if newlines == 0 && !self.out.is_empty() {
            // It followed code on the same line: it stays at the end of that line.
            self.out.push(' ');
            self.out.push_str(comment);
            self.opened = false;
        } else {
            self.request(if newlines >= 2 {
                Break::Blank
            } else {
                Break::Newline
            });
            self.write(comment);
        }
        self.request(Break::Newline);
    }

    // ---- the output ----------------------------------------------------------------------

    fn space(&mut self) {
        self.request(Break::Space);
    }

    fn request(&mut self, wanted: Break) {
        self.pending = self.pending.max(wanted);
    }

    fn write(&mut self, text: &str) {
        match self.pending {
            Break::None => {}
            Break::Space => self.out.push(' '),
            Break::Newline | Break::Blank => {
                if !self.out.is_empty() {
                    self.out.push('\n');
                    if self.pending == Break::Blank && !self.opened {
                        self.out.push('\n');
                    }
                }
                for _ in 0..self.indent {
                    self.out.push_str(INDENT);
                }
            }
        }
        self.pending = Break::None;
        self.opened = false;
        self.out.push_str(text);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::format;
    use crate::diagnostic::SourceFile;

    fn formatted(text: &str) -> String {
        let file = Arc::new(SourceFile::new("t.widl", text.to_string()));
        match format(&file) {
            Ok(text) => text,
            Err(errors) => panic!("{errors}"),
        }
    }

    #[test]
    fn lays_out_every_construct_in_the_canonical_style() {
        let text = "namespace   \"a\"\n\n\n\n# about T\ntype T implements & A&B @x(1) { # T's\n\
                    \"doc\" a : [ string ]? = [1,2,] @n(min:1) # trailing\n\n\n  b:{string:u8}\n}\n\
                    union U=|A|[B]\nenum E{\nX=0 as \"x\"\nY = 1 \"y\"\n# last\n}\ninterface{ op(a:i32 b:stream bytes):void\n\
                    un{\"d\" x:u8}:stream string?}\ndirective @d(a: u8=1)on|FIELD|TYPE require @e on SELF\n\
                    type Empty {}\nalias \"S\"=string\nimport{A B as C}from\"x\"\nimport * from  other\n";
        let expected = "namespace \"a\"\n\n# about T\ntype T implements A & B @x(1) { # T's\n  \
                        \"doc\"\n  a: [string]? = [1, 2] @n(min: 1) # trailing\n\n  b: {string: u8}\n}\n\
                        union U = A | [B]\nenum E {\n  X = 0 as \"x\"\n  Y = 1 as \"y\"\n  # last\n}\ninterface {\n  \
                        op(a: i32, b: stream bytes): void\n  un{\"d\" x: u8}: stream string?\n}\n\
                        directive @d(a: u8 = 1) on FIELD | TYPE require @e on SELF\ntype Empty {}\n\
                        alias \"S\" = string\nimport { A, B as C } from \"x\"\nimport * from other\n";
        assert_eq!(formatted(text), expected);
        assert_eq!(formatted(expected), expected);
    }

    #[test]
    fn keeps_comments_only_and_empty_files() {
        assert_eq!(formatted(""), "");
        assert_eq!(formatted("  # one\n\n\n# two  \r\n"), "# one\n\n# two\n");
    }

    #[test]
    fn block_strings_keep_their_text_with_lf_line_ends() {
        let text = "\"\"\"\r\n  Two\r\n  lines\r\n\"\"\"\r\ntype A { a: u8 }\r\n";
        assert_eq!(
            formatted(text),
            "\"\"\"\n  Two\n  lines\n\"\"\"\ntype A {\n  a: u8\n}\n"
        );
    }
}
