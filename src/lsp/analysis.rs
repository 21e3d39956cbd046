//! What the language server knows of a document: every name in it and what it refers to,
//! what the definitions look like, and what may be typed at a place.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostic::{SourceFile, Span};
use crate::limits::MAX_IMPORT_DEPTH;
use crate::parser::ast::*;

/// A file's text and its syntax tree.
#[derive(Debug)]
pub struct Parsed {
    pub file: Arc<SourceFile>,
    pub document: Document,
}

/// A definition somewhere: which file, and which of its definitions.
#[derive(Clone, Debug)]
pub struct Target {
    pub parsed: Arc<Parsed>,
    pub index: usize,
}

impl Target {
    pub fn definition(&self) -> &Definition {
        &self.parsed.document.definitions[self.index]
    }

    /// The span of the definition's name (of its keyword, for an interface).
    pub fn name_span(&self) -> Span {
        let definition = self.definition();
        definition
            .name()
            .map_or(definition.span(), |name| name.span)
    }

    pub fn same(&self, other: &Target) -> bool {
        self.index == other.index && self.parsed.file.path == other.parsed.file.path
    }
}

/// The two namespaces of a document: type names, and directive names (used after `@`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Space {
    Type,
    Directive,
}

/// One name written in a document, and what it is.
#[derive(Clone, Debug)]
pub struct Occurrence {
    pub span: Span,
    pub kind: Kind,
}

#[derive(Clone, Debug)]
pub enum Kind {
    /// The name of the document's own definition `index`.
    Defines(usize),
    /// A use of a type (or, with `Space::Directive`, of a directive).
    Uses(Space),
    /// A name in `import { … }` that the imported file defines: import `import`, name `name`.
    Imports { import: usize, name: usize },
    /// The name of a field, parameter, enum value or operation.
    Member { definition: usize },
}

/// Every name of `document` with its span, in order.
pub fn occurrences(document: &Document) -> Vec<Occurrence> {
    let mut found = Vec::new();
    let mut push = |span: Span, kind: Kind| found.push(Occurrence { span, kind });
    for (index, definition) in document.definitions.iter().enumerate() {
        let member = || Kind::Member { definition: index };
        match definition {
            Definition::Namespace(d) => annotations(&mut push, &d.annotations),
            Definition::Import(d) => {
                for (name, imported) in d.names.iter().enumerate() {
                    let kind = Kind::Imports {
                        import: index,
                        name,
                    };
                    push(imported.name.span, kind.clone());
                    if let Some(alias) = &imported.alias {
                        push(alias.span, kind);
                    }
                }
                annotations(&mut push, &d.annotations);
            }
            Definition::Type(d) => {
                push(d.name.span, Kind::Defines(index));
                for interface in &d.interfaces {
                    push(interface.span, Kind::Uses(Space::Type));
                }
                annotations(&mut push, &d.annotations);
                for field in &d.fields {
                    push(field.name.span, member());
                    type_uses(&mut push, &field.ty);
                    annotations(&mut push, &field.annotations);
                }
            }
            Definition::Interface(d) => {
                annotations(&mut push, &d.annotations);
                operations(&mut push, &d.operations, index);
            }
            Definition::Role(d) => {
                push(d.name.span, Kind::Defines(index));
                annotations(&mut push, &d.annotations);
                operations(&mut push, &d.operations, index);
            }
            Definition::Union(d) => {
                push(d.name.span, Kind::Defines(index));
                annotations(&mut push, &d.annotations);
                for ty in &d.types {
                    type_uses(&mut push, ty);
                }
            }
            Definition::Enum(d) => {
                push(d.name.span, Kind::Defines(index));
                annotations(&mut push, &d.annotations);
                for value in &d.values {
                    push(value.name.span, member());
                    annotations(&mut push, &value.annotations);
                }
            }
            Definition::Alias(d) => {
                push(d.name.span, Kind::Defines(index));
                type_uses(&mut push, &d.ty);
                annotations(&mut push, &d.annotations);
            }
            Definition::Directive(d) => {
                push(d.name.span, Kind::Defines(index));
                parameters(&mut push, &d.parameters, index);
                for require in &d.requires {
                    push(require.directive.span, Kind::Uses(Space::Directive));
                }
            }
        }
    }
    found
}

fn operations(
    push: &mut impl FnMut(Span, Kind),
    operations: &[OperationDefinition],
    definition: usize,
) {
    for op in operations {
        push(op.name.span, Kind::Member { definition });
        parameters(push, &op.parameters, definition);
        if let Some(returns) = &op.returns {
            type_uses(push, returns);
        }
        annotations(push, &op.annotations);
    }
}

fn parameters(
    push: &mut impl FnMut(Span, Kind),
    parameters: &[ParameterDefinition],
    definition: usize,
) {
    for parameter in parameters {
        push(parameter.name.span, Kind::Member { definition });
        type_uses(push, &parameter.ty);
        annotations(push, &parameter.annotations);
    }
}

fn annotations(push: &mut impl FnMut(Span, Kind), annotations: &[Annotation]) {
    for annotation in annotations {
        push(annotation.name.span, Kind::Uses(Space::Directive));
    }
}

fn type_uses(push: &mut impl FnMut(Span, Kind), ty: &TypeRef) {
    match ty {
        TypeRef::Named { name } => push(name.span, Kind::Uses(Space::Type)),
        TypeRef::List { item, .. } => type_uses(push, item),
        TypeRef::Map { key, value, .. } => {
            type_uses(push, key);
            type_uses(push, value);
        }
        TypeRef::Optional { inner, .. } | TypeRef::Stream { inner, .. } => type_uses(push, inner),
    }
}

/// The occurrence under `offset` (a cursor just after a name is on it too).
pub fn occurrence_at(occurrences: &[Occurrence], offset: usize) -> Option<&Occurrence> {
    occurrences
        .iter()
        .find(|o| o.span.start() <= offset && offset <= o.span.end())
}

/// The names a document can refer to: its own definitions and what its imports bring in.
#[derive(Debug, Default)]
pub struct Scope {
    pub types: HashMap<String, Target>,
    pub directives: HashMap<String, Target>,
}

impl Scope {
    pub fn space(&self, space: Space) -> &HashMap<String, Target> {
        match space {
            Space::Type => &self.types,
            Space::Directive => &self.directives,
        }
    }

    fn add(&mut self, name: String, target: Target) {
        let space = match target.definition() {
            Definition::Directive(_) => &mut self.directives,
            Definition::Namespace(_) | Definition::Import(_) | Definition::Interface(_) => return,
            _ => &mut self.types,
        };
        space.entry(name).or_insert(target);
    }
}

/// Finds the files that imports name, as `wapc check` does, and reads them.
pub trait Files {
    /// The file `location` names, imported from `importer`.
    fn resolve(&self, importer: &Path, location: &str) -> Option<PathBuf>;
    /// The parsed file at `path` (an open document's text, or the file on disk).
    fn parsed(&self, path: &Path) -> Option<Arc<Parsed>>;
}

/// The scope of `parsed`: its definitions, then what each import brings in.
pub fn scope(parsed: &Arc<Parsed>, files: &impl Files) -> Scope {
    let mut scope = Scope::default();
    let mut loading = vec![parsed.file.path.clone()];
    for (name, target) in exports(parsed, files, &mut loading) {
        scope.add(name, target);
    }
    scope
}

/// The named definitions of `parsed` and of what it imports, by the name each takes there;
/// `loading` is the chain of files being read (a cycle or a deep chain stops there).
fn exports(
    parsed: &Arc<Parsed>,
    files: &impl Files,
    loading: &mut Vec<PathBuf>,
) -> Vec<(String, Target)> {
    let mut found = Vec::new();
    for (index, definition) in parsed.document.definitions.iter().enumerate() {
        if let Some(name) = definition.name() {
            let target = Target {
                parsed: Arc::clone(parsed),
                index,
            };
            found.push((name.value.to_string(), target));
        }
    }
    for definition in &parsed.document.definitions {
        let Definition::Import(import) = definition else {
            continue;
        };
        let Some(brought) = imported(parsed, import, files, loading) else {
            continue;
        };
        if import.all {
            found.extend(brought);
            continue;
        }
        for name in &import.names {
            if let Some((_, target)) = brought.iter().find(|(n, _)| *n == name.name.value) {
                found.push((name.local_name().value.to_string(), target.clone()));
            }
        }
    }
    found
}

/// What the file that `import` names exports, if it can be read and parsed.
fn imported(
    parsed: &Parsed,
    import: &ImportDefinition,
    files: &impl Files,
    loading: &mut Vec<PathBuf>,
) -> Option<Vec<(String, Target)>> {
    let path = files.resolve(&parsed.file.path, &import.from.value)?;
    if loading.contains(&path) || loading.len() >= MAX_IMPORT_DEPTH {
        return None;
    }
    let file = files.parsed(&path)?;
    loading.push(path);
    let exported = exports(&file, files, loading)
        .into_iter()
        .filter(|(_, target)| {
            !matches!(
                target.definition(),
                Definition::Namespace(_) | Definition::Import(_) | Definition::Interface(_)
            )
        })
        .collect();
    loading.pop();
    Some(exported)
}

/// What an occurrence refers to, in `scope`; `None` for built-in types, members and names
/// that are not defined.
pub fn resolve(
    parsed: &Arc<Parsed>,
    scope: &Scope,
    occurrence: &Occurrence,
    files: &impl Files,
) -> Option<Target> {
    match occurrence.kind {
        Kind::Defines(index) => Some(Target {
            parsed: Arc::clone(parsed),
            index,
        }),
        Kind::Uses(space) => {
            let name = parsed.file.slice(occurrence.span);
            scope.space(space).get(name).cloned()
        }
        Kind::Imports { import, name } => {
            let Definition::Import(definition) = &parsed.document.definitions[import] else {
                return None;
            };
            let wanted = &definition.names[name].name.value;
            let mut loading = vec![parsed.file.path.clone()];
            imported(parsed, definition, files, &mut loading)?
                .into_iter()
                .find(|(n, _)| n == wanted)
                .map(|(_, target)| target)
        }
        Kind::Member { .. } => None,
    }
}

/// The text a hover shows for a definition: its declaration in the canonical style (without
/// its description), then its description.
pub fn describe(target: &Target) -> String {
    let definition = target.definition();
    let text = &target.parsed.file.text;
    let span = definition.span();
    let start = description_of(definition).map_or(span.start(), |d| d.span.end());
    let declaration = text.get(start..span.end()).unwrap_or("").trim_start();
    let file = Arc::new(SourceFile::new("hover.widl", declaration.to_string()));
    let shown = crate::format::format(&file).unwrap_or_else(|_| declaration.to_string());
    hover_text(
        shown.trim_end(),
        description_of(definition).map(|d| &d.value),
    )
}

/// The hover text for the field, parameter, enum value or operation whose name is at
/// `name` in definition `index` of `parsed`.
pub fn describe_member(parsed: &Parsed, index: usize, name: Span) -> Option<String> {
    let text = &parsed.file.text;
    let line = |span: Span| {
        let declaration = text.get(name.start()..span.end()).unwrap_or("");
        declaration.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    let parameter = |p: &ParameterDefinition| {
        (p.name.span == name)
            .then(|| hover_text(&line(p.span), p.description.as_ref().map(|d| &d.value)))
    };
    match &parsed.document.definitions[index] {
        Definition::Type(d) => d
            .fields
            .iter()
            .find(|f| f.name.span == name)
            .map(|f| hover_text(&line(f.span), f.description.as_ref().map(|d| &d.value))),
        Definition::Enum(d) => d
            .values
            .iter()
            .find(|v| v.name.span == name)
            .map(|v| hover_text(&line(v.span), v.description.as_ref().map(|d| &d.value))),
        Definition::Interface(InterfaceDefinition { operations, .. })
        | Definition::Role(RoleDefinition { operations, .. }) => operations.iter().find_map(|op| {
            if op.name.span == name {
                Some(hover_text(
                    &line(op.span),
                    op.description.as_ref().map(|d| &d.value),
                ))
            } else {
                op.parameters.iter().find_map(parameter)
            }
        }),
        Definition::Directive(d) => d.parameters.iter().find_map(parameter),
        _ => None,
    }
}

fn hover_text(declaration: &str, description: Option<&String>) -> String {
    let mut text = format!("```widl\n{declaration}\n```");
    if let Some(description) = description {
        text.push_str("\n\n");
        text.push_str(description);
    }
    text
}

pub fn description_of(definition: &Definition) -> Option<&StringLiteral> {
    match definition {
        Definition::Namespace(d) => d.description.as_ref(),
        Definition::Import(d) => d.description.as_ref(),
        Definition::Type(d) => d.description.as_ref(),
        Definition::Interface(d) => d.description.as_ref(),
        Definition::Role(d) => d.description.as_ref(),
        Definition::Union(d) => d.description.as_ref(),
        Definition::Enum(d) => d.description.as_ref(),
        Definition::Alias(d) => d.description.as_ref(),
        Definition::Directive(d) => d.description.as_ref(),
    }
}

/// What may be typed at a place in a document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expected {
    /// A type: built-in, declared or imported.
    Type,
    /// An annotation's (directive's) name, after `@`.
    Directive,
    /// A definition keyword, at the top level.
    Keyword,
    Nothing,
}

/// An open bracket, and what it holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Open {
    /// A definition's `{ … }`, with the definition's keyword.
    Block(&'static str),
    /// An operation's or directive's parameters, `( … )` or a unary `{ … }`.
    Parameters,
    /// A list `[T]` or map `{K: V}` type.
    TypeBracket,
    /// Anything else: an annotation's arguments, a value.
    Other,
}

/// A significant token before the cursor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token<'a> {
    Word(&'a str),
    Punct(u8),
    Text,
}

/// What may be typed at `offset` of `text`, which need not parse: the brackets open there and
/// the token before the word being typed decide it.
pub fn expected_at(text: &str, offset: usize) -> Expected {
    let bytes = &text.as_bytes()[..offset.min(text.len())];
    let mut open: Vec<Open> = Vec::new();
    let mut keyword: &'static str = "";
    let mut last: Option<Token> = None;
    let mut before_last: Option<Token> = None;
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let token = match bytes[i] {
            b' ' | b'\t' | b'\r' | b'\n' | b',' => {
                i += 1;
                continue;
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                if i == bytes.len() {
                    return Expected::Nothing; // in a comment
                }
                continue;
            }
            b'"' => match string_end(bytes, i) {
                Some(end) => {
                    i = end;
                    Token::Text
                }
                None => return Expected::Nothing, // in a string
            },
            b if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' => {
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                i = i.max(start + 1);
                Token::Word(text.get(start..i).unwrap_or(""))
            }
            b => {
                i += 1;
                Token::Punct(b)
            }
        };
        match token {
            Token::Word(word) if open.is_empty() => {
                if let Some(k) = crate::parser::DEFINITION_KEYWORDS
                    .iter()
                    .find(|k| **k == word)
                {
                    keyword = k;
                }
            }
            Token::Punct(b'{') => {
                let what = if open.is_empty() {
                    Open::Block(keyword)
                } else if types_expected(&open, keyword, last, before_last) {
                    Open::TypeBracket
                } else if matches!(open.last(), Some(Open::Block("interface" | "role")))
                    && matches!(last, Some(Token::Word(_)))
                {
                    Open::Parameters
                } else {
                    Open::Other
                };
                open.push(what);
            }
            Token::Punct(b'(') => {
                let annotation = matches!(before_last, Some(Token::Punct(b'@')));
                open.push(if annotation {
                    Open::Other
                } else {
                    Open::Parameters
                });
            }
            Token::Punct(b'[') => {
                open.push(if types_expected(&open, keyword, last, before_last) {
                    Open::TypeBracket
                } else {
                    Open::Other
                });
            }
            Token::Punct(b'}' | b')' | b']') => {
                open.pop();
            }
            _ => {}
        }
        // The word being typed at the cursor is not what comes before it.
        if i < bytes.len() || !matches!(token, Token::Word(_)) {
            before_last = last;
            last = Some(token);
        }
    }
    if last == Some(Token::Punct(b'@')) {
        return Expected::Directive;
    }
    if types_expected(&open, keyword, last, before_last) {
        return Expected::Type;
    }
    let complete = match last {
        None | Some(Token::Punct(b'}' | b')' | b']' | b'?')) | Some(Token::Text) => true,
        Some(Token::Word(word)) => {
            !crate::parser::DEFINITION_KEYWORDS.contains(&word)
                && !matches!(
                    word,
                    "as" | "from" | "implements" | "on" | "require" | "stream"
                )
        }
        Some(Token::Punct(_)) => false,
    };
    if open.is_empty() && complete {
        Expected::Keyword
    } else {
        Expected::Nothing
    }
}

/// Whether a type goes after `last` (with `before_last` before it), inside `open`, in a
/// definition that `keyword` started.
fn types_expected(
    open: &[Open],
    keyword: &str,
    last: Option<Token>,
    before_last: Option<Token>,
) -> bool {
    let after = |p: u8| last == Some(Token::Punct(p));
    let after_word = |w: &str| last == Some(Token::Word(w));
    match open.last() {
        None => match keyword {
            "union" => after(b'=') || after(b'|'),
            "alias" => after(b'='),
            "type" => after_word("implements") || after(b'&'),
            _ => false,
        },
        Some(Open::Block("type")) | Some(Open::Parameters) => after(b':') || after_word("stream"),
        Some(Open::Block("interface" | "role")) => {
            // The return type, after the parameters' closing bracket and `:`.
            (after(b':') && matches!(before_last, Some(Token::Punct(b')' | b'}'))))
                || after_word("stream")
        }
        Some(Open::TypeBracket) => after(b'[') || after(b'{') || after(b':'),
        _ => false,
    }
}

/// Just past the string that starts at `at`; `None` when `bytes` end inside it.
fn string_end(bytes: &[u8], at: usize) -> Option<usize> {
    if bytes[at..].starts_with(b"\"\"\"") {
        let mut i = at + 3;
        while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
            i += if bytes[i..].starts_with(b"\\\"\"\"") {
                4
            } else {
                1
            };
        }
        return (i < bytes.len()).then_some(i + 3);
    }
    let mut i = at + 1;
    while i < bytes.len() && !matches!(bytes[i], b'"' | b'\n') {
        i += if bytes[i] == b'\\' { 2 } else { 1 };
    }
    (i < bytes.len()).then_some(i + 1)
}

#[cfg(test)]
mod tests {
    use super::{Expected, expected_at};

    /// What is expected where `§` is.
    fn at(marked: &str) -> Expected {
        let offset = marked.find('§').unwrap();
        let text = marked.replacen('§', "", 1);
        expected_at(&text, offset)
    }

    #[test]
    fn completion_knows_where_the_cursor_is() {
        assert_eq!(at("type A {\n  a: §\n}"), Expected::Type);
        assert_eq!(at("type A {\n  a: Str§\n}"), Expected::Type);
        assert_eq!(at("type A {\n  a: [§]\n}"), Expected::Type);
        assert_eq!(at("type A {\n  a: {string: §}\n}"), Expected::Type);
        assert_eq!(at("type A {\n  a: u8 = §\n}"), Expected::Nothing);
        assert_eq!(at("type A {\n  §\n}"), Expected::Nothing);
        assert_eq!(at("type A {\n  a: u8 @§\n}"), Expected::Directive);
        assert_eq!(at("type A {\n  a: u8 @dep§\n}"), Expected::Directive);
        assert_eq!(at("type A {\n  a: u8 @n(text: §)\n}"), Expected::Nothing);
        assert_eq!(at("interface {\n  op(a: §): u8\n}"), Expected::Type);
        assert_eq!(at("interface {\n  op{a: §}\n}"), Expected::Type);
        assert_eq!(at("interface {\n  op(a: u8): §\n}"), Expected::Type);
        assert_eq!(at("role R {\n  op(): stream §\n}"), Expected::Type);
        assert_eq!(at("union U = A | §"), Expected::Type);
        assert_eq!(at("alias X = §"), Expected::Type);
        assert_eq!(at("type A implements §"), Expected::Type);
        assert_eq!(at("type A {}\n§"), Expected::Keyword);
        assert_eq!(at("§"), Expected::Keyword);
        assert_eq!(at("namespace \"x\"\nty§"), Expected::Keyword);
        assert_eq!(at("type §"), Expected::Nothing);
        assert_eq!(at("\"a: § in a string\""), Expected::Nothing);
        assert_eq!(at("# a: §\n"), Expected::Nothing);
    }
}
