//! Turns pest's parse tree into the typed AST. The grammar guarantees the shape of each pair,
//! so a shape mismatch here is a bug in this file, reported as an error rather than a panic.

use std::sync::Arc;

use pest::iterators::{Pair, Pairs};

use super::Rule;
use super::ast::*;
use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile, Span};

type Built<T> = Result<T, Diagnostic>;

pub(super) fn document(
    file: &Arc<SourceFile>,
    pair: Pair<'_, Rule>,
    base: usize,
) -> Result<Document, Diagnostics> {
    let mut builder = Builder {
        file,
        base,
        errors: Diagnostics::default(),
    };
    let mut definitions = Vec::new();
    // A definition's description comes before it, as a pair of its own.
    let mut description = None;
    for pair in pair.into_inner() {
        match pair.as_rule() {
            Rule::EOI => continue,
            Rule::string | Rule::block_string => {
                description = Some(pair);
                continue;
            }
            _ => {}
        }
        match builder.definition(description.take(), pair) {
            Ok(definition) => definitions.push(definition),
            Err(error) => builder.errors.push(error),
        }
    }
    if builder.errors.is_empty() {
        Ok(Document { definitions })
    } else {
        Err(builder.errors)
    }
}

struct Builder<'f> {
    file: &'f Arc<SourceFile>,
    /// The offset in the file of the text that was parsed, added to every span.
    base: usize,
    /// Errors in literals (bad escapes, numbers out of range); the build goes on past them.
    errors: Diagnostics,
}

/// The children of one pair, taken in grammar order.
struct Children<'i> {
    inner: std::iter::Peekable<Pairs<'i, Rule>>,
    parent: Span,
}

impl<'i> Children<'i> {
    fn of(pair: Pair<'i, Rule>, parent: Span) -> Self {
        Children {
            inner: pair.into_inner().peekable(),
            parent,
        }
    }

    /// The next child if it is `rule`.
    fn take(&mut self, rule: Rule) -> Option<Pair<'i, Rule>> {
        self.inner.next_if(|p| p.as_rule() == rule)
    }

    /// The next child, whatever its rule.
    fn next(&mut self, file: &Arc<SourceFile>) -> Built<Pair<'i, Rule>> {
        self.inner.next().ok_or_else(|| internal(file, self.parent))
    }

    fn expect(&mut self, file: &Arc<SourceFile>, rule: Rule) -> Built<Pair<'i, Rule>> {
        self.take(rule).ok_or_else(|| internal(file, self.parent))
    }

    /// All remaining children that are `rule`.
    fn all(&mut self, rule: Rule) -> Vec<Pair<'i, Rule>> {
        std::iter::from_fn(|| self.take(rule)).collect()
    }
}

/// What comes before a definition's keyword: its description, and the span of the whole.
struct Head {
    description: Option<StringLiteral>,
    span: Span,
}

fn internal(file: &Arc<SourceFile>, span: Span) -> Diagnostic {
    Diagnostic::at(file, span, "internal error: unexpected parse tree")
        .with_note("this is a bug in wapc; please report it with this schema")
}

/// The span of a pair, ending at its last token. Pest counts the whitespace and comments after
/// that token as part of the rule when an optional part that could follow is absent (`@a`
/// then a newline, a field with no annotations), which would stretch carets over them.
fn local_span(pair: &Pair<'_, Rule>) -> Span {
    let s = pair.as_span();
    let len = match pair.as_rule() {
        // The text of a string is all content, spaces included.
        // Atomic rules hold no trailing whitespace, and a string's text is all content.
        Rule::name | Rule::string | Rule::block_string | Rule::int | Rule::float => {
            s.as_str().len()
        }
        _ => significant_len(s.as_str()),
    };
    Span::new(s.start(), s.start() + len)
}

/// The length of `text` without the whitespace, commas and comments that end it. `text` is
/// the text of a whole rule, so it never starts inside a string or a comment.
fn significant_len(text: &str) -> usize {
    let trimmed = text.trim_end_matches([' ', '\t', ',', '\r', '\n', '\u{FEFF}']);
    // Comments do not span lines: with no `#` on its last line, `trimmed` ends with no
    // comment, so only whitespace was cut. Otherwise scan from the start, minding strings.
    let last_line = trimmed.rsplit('\n').next().unwrap_or("");
    if !last_line.contains('#') {
        return trimmed.len();
    }
    let bytes = text.as_bytes();
    let mut end = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b' ' | b'\t' | b',' | b'\r' | b'\n' => i += 1,
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            _ if bytes[i..].starts_with("\u{FEFF}".as_bytes()) => i += 3,
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    i += if bytes[i..].starts_with(b"\\\"\"\"") {
                        4
                    } else {
                        1
                    };
                }
                i = (i + 3).min(bytes.len());
                end = i;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i = (i + 1).min(bytes.len());
                end = i;
            }
            _ => {
                i += 1;
                end = i;
            }
        }
    }
    end
}

impl Builder<'_> {
    fn definition(
        &mut self,
        description: Option<Pair<'_, Rule>>,
        pair: Pair<'_, Rule>,
    ) -> Built<Definition> {
        let mut span = self.span_of(&pair);
        let description = match description {
            Some(described) => {
                span = Span::new(self.base + described.as_span().start(), span.end());
                Some(self.string_literal(described)?)
            }
            None => None,
        };
        let head = Head { description, span };
        Ok(match pair.as_rule() {
            Rule::namespace_def => Definition::Namespace(self.namespace(head, pair)?),
            Rule::import_def => Definition::Import(self.import(head, pair)?),
            Rule::type_def => Definition::Type(self.type_def(head, pair)?),
            Rule::interface_def => Definition::Interface(self.interface(head, pair)?),
            Rule::role_def => Definition::Role(self.role(head, pair)?),
            Rule::union_def => Definition::Union(self.union(head, pair)?),
            Rule::enum_def => Definition::Enum(self.enum_def(head, pair)?),
            Rule::alias_def => Definition::Alias(self.alias(head, pair)?),
            Rule::directive_def => Definition::Directive(self.directive(head, pair)?),
            _ => return Err(internal(self.file, span)),
        })
    }

    fn description(&mut self, children: &mut Children<'_>) -> Built<Option<StringLiteral>> {
        // Whatever opens an item with a string (not a name) is its description.
        match children
            .take(Rule::string)
            .or_else(|| children.take(Rule::block_string))
        {
            Some(literal) => Ok(Some(self.string_literal(literal)?)),
            None => Ok(None),
        }
    }

    fn namespace(&mut self, head: Head, pair: Pair<'_, Rule>) -> Built<NamespaceDefinition> {
        let Head { description, span } = head;
        let mut c = self.children(pair);
        c.expect(self.file, Rule::kw_namespace)?;
        let name = self.name_or_string(c.next(self.file)?)?;
        let annotations = self.annotations(&mut c)?;
        Ok(NamespaceDefinition {
            description,
            name,
            annotations,
            span,
        })
    }

    fn import(&mut self, head: Head, pair: Pair<'_, Rule>) -> Built<ImportDefinition> {
        let Head { description, span } = head;
        let mut c = self.children(pair);
        c.expect(self.file, Rule::kw_import)?;
        let all = c.take(Rule::import_all).is_some();
        let mut names = Vec::new();
        if let Some(list) = c.take(Rule::import_names) {
            for item in list.into_inner() {
                let item_span = self.span_of(&item);
                let mut parts = self.children(item);
                let name = self.name(parts.expect(self.file, Rule::name)?);
                let alias = match parts.take(Rule::kw_as) {
                    Some(_) => Some(self.name(parts.expect(self.file, Rule::name)?)),
                    None => None,
                };
                names.push(ImportName {
                    name,
                    alias,
                    span: item_span,
                });
            }
        }
        c.expect(self.file, Rule::kw_from)?;
        // `from "x"`, or a bare name as the old parser also took.
        let Name {
            value,
            span: from_span,
        } = self.name_or_string(c.next(self.file)?)?;
        let from = StringLiteral {
            value: value.to_string(),
            span: from_span,
        };
        let annotations = self.annotations(&mut c)?;
        Ok(ImportDefinition {
            description,
            all,
            names,
            from,
            annotations,
            span,
        })
    }

    fn type_def(&mut self, head: Head, pair: Pair<'_, Rule>) -> Built<TypeDefinition> {
        let Head { description, span } = head;
        let mut c = self.children(pair);
        c.expect(self.file, Rule::kw_type)?;
        let name = self.name(c.expect(self.file, Rule::name)?);
        let interfaces = match c.take(Rule::implements) {
            Some(list) => list
                .into_inner()
                .filter(|p| p.as_rule() == Rule::name)
                .map(|p| self.name(p))
                .collect(),
            None => Vec::new(),
        };
        let annotations = self.annotations(&mut c)?;
        // Collected with the exact capacity: collecting `Built` items cannot know the count,
        // and the doubling would leave a quarter of a large type's fields unused.
        let field_pairs = c.all(Rule::field);
        let mut fields = Vec::with_capacity(field_pairs.len());
        for pair in field_pairs {
            fields.push(self.field(pair)?);
        }
        Ok(TypeDefinition {
            description,
            name,
            interfaces,
            annotations,
            fields,
            span,
        })
    }

    fn field(&mut self, pair: Pair<'_, Rule>) -> Built<FieldDefinition> {
        let span = self.span_of(&pair);
        let mut c = self.children(pair);
        let description = self.description(&mut c)?;
        let name = self.name(c.expect(self.file, Rule::name)?);
        let ty = self.type_ref(c.expect(self.file, Rule::type_ref)?)?;
        let default = self.default_value(&mut c)?;
        let annotations = self.annotations(&mut c)?;
        Ok(FieldDefinition {
            description: description.map(Box::new),
            name,
            ty,
            default: default.map(Box::new),
            annotations,
            span,
        })
    }

    fn default_value(&mut self, c: &mut Children<'_>) -> Built<Option<Value>> {
        match c.take(Rule::default_value) {
            Some(pair) => {
                let mut inner = self.children(pair);
                Ok(Some(self.value(inner.next(self.file)?)?))
            }
            None => Ok(None),
        }
    }

    fn interface(&mut self, head: Head, pair: Pair<'_, Rule>) -> Built<InterfaceDefinition> {
        let Head { description, span } = head;
        let mut c = self.children(pair);
        c.expect(self.file, Rule::kw_interface)?;
        let annotations = self.annotations(&mut c)?;
        let operations = self.operations(&mut c)?;
        Ok(InterfaceDefinition {
            description,
            annotations,
            operations,
            span,
        })
    }

    fn role(&mut self, head: Head, pair: Pair<'_, Rule>) -> Built<RoleDefinition> {
        let Head { description, span } = head;
        let mut c = self.children(pair);
        c.expect(self.file, Rule::kw_role)?;
        let name = self.name(c.expect(self.file, Rule::name)?);
        let annotations = self.annotations(&mut c)?;
        let operations = self.operations(&mut c)?;
        Ok(RoleDefinition {
            description,
            name,
            annotations,
            operations,
            span,
        })
    }

    fn operations(&mut self, c: &mut Children<'_>) -> Built<Vec<OperationDefinition>> {
        c.all(Rule::operation)
            .into_iter()
            .map(|op| self.operation(op))
            .collect()
    }

    fn operation(&mut self, pair: Pair<'_, Rule>) -> Built<OperationDefinition> {
        let span = self.span_of(&pair);
        let mut c = self.children(pair);
        let description = self.description(&mut c)?;
        let name = self.name(c.expect(self.file, Rule::name)?);
        let params = c.next(self.file)?;
        let unary = params.as_rule() == Rule::unary_parameter;
        let parameters = params
            .into_inner()
            .map(|p| self.parameter(p))
            .collect::<Built<_>>()?;
        let returns = match c.take(Rule::return_type) {
            Some(pair) => self.return_type(pair)?,
            None => None,
        };
        let annotations = self.annotations(&mut c)?;
        Ok(OperationDefinition {
            description,
            name,
            parameters,
            unary,
            returns,
            annotations,
            span,
        })
    }

    /// `: void` means the same as no return type at all.
    fn return_type(&mut self, pair: Pair<'_, Rule>) -> Built<Option<TypeRef>> {
        let span = self.span_of(&pair);
        let mut c = self.children(pair);
        let stream = c.take(Rule::stream).is_some();
        let ty = self.type_ref(c.expect(self.file, Rule::type_ref)?)?;
        Ok(match ty {
            TypeRef::Named { name } if name.value == "void" && !stream => None,
            ty if stream => Some(TypeRef::Stream {
                inner: Box::new(ty),
                span,
            }),
            ty => Some(ty),
        })
    }

    fn parameter(&mut self, pair: Pair<'_, Rule>) -> Built<ParameterDefinition> {
        let span = self.span_of(&pair);
        let mut c = self.children(pair);
        let description = self.description(&mut c)?;
        let name = self.name(c.expect(self.file, Rule::name)?);
        let stream = c.take(Rule::stream).map(|s| self.span_of(&s));
        let mut ty = self.type_ref(c.expect(self.file, Rule::type_ref)?)?;
        if let Some(stream) = stream {
            ty = TypeRef::Stream {
                span: Span::new(stream.start(), ty.span().end()),
                inner: Box::new(ty),
            };
        }
        let default = self.default_value(&mut c)?;
        let annotations = self.annotations(&mut c)?;
        Ok(ParameterDefinition {
            description,
            name,
            ty,
            default,
            annotations,
            span,
        })
    }

    fn union(&mut self, head: Head, pair: Pair<'_, Rule>) -> Built<UnionDefinition> {
        let Head { description, span } = head;
        let mut c = self.children(pair);
        c.expect(self.file, Rule::kw_union)?;
        let name = self.name(c.expect(self.file, Rule::name)?);
        let annotations = self.annotations(&mut c)?;
        let types = c
            .all(Rule::type_ref)
            .into_iter()
            .map(|t| self.type_ref(t))
            .collect::<Built<_>>()?;
        Ok(UnionDefinition {
            description,
            name,
            annotations,
            types,
            span,
        })
    }

    fn enum_def(&mut self, head: Head, pair: Pair<'_, Rule>) -> Built<EnumDefinition> {
        let Head { description, span } = head;
        let mut c = self.children(pair);
        c.expect(self.file, Rule::kw_enum)?;
        let name = self.name(c.expect(self.file, Rule::name)?);
        let annotations = self.annotations(&mut c)?;
        let values = c
            .all(Rule::enum_value)
            .into_iter()
            .map(|v| self.enum_value(v))
            .collect::<Built<_>>()?;
        Ok(EnumDefinition {
            description,
            name,
            annotations,
            values,
            span,
        })
    }

    fn enum_value(&mut self, pair: Pair<'_, Rule>) -> Built<EnumValueDefinition> {
        let span = self.span_of(&pair);
        let mut c = self.children(pair);
        let description = self.description(&mut c)?;
        let name = self.name(c.expect(self.file, Rule::name)?);
        // `= 1 as "One"`, or 0.0.6's `= 1 "One"` (an `enum_index`), or a bare `= 1`.
        let (index_pair, display) = match c.take(Rule::enum_index) {
            Some(pair) => {
                let mut inner = self.children(pair);
                let index = inner.expect(self.file, Rule::int)?;
                let display = match inner.take(Rule::string) {
                    Some(display) => Some(self.string_literal(display)?),
                    None => None,
                };
                (index, display)
            }
            None => {
                let index = c.expect(self.file, Rule::int)?;
                c.expect(self.file, Rule::kw_as)?;
                let display = self.string_literal(c.expect(self.file, Rule::string)?)?;
                (index, Some(display))
            }
        };
        let index = IntLiteral {
            value: self.int(&index_pair),
            span: self.span_of(&index_pair),
        };
        let annotations = self.annotations(&mut c)?;
        Ok(EnumValueDefinition {
            description,
            name,
            index,
            display,
            annotations,
            span,
        })
    }

    fn alias(&mut self, head: Head, pair: Pair<'_, Rule>) -> Built<AliasDefinition> {
        let Head { description, span } = head;
        let mut c = self.children(pair);
        c.expect(self.file, Rule::kw_alias)?;
        let name = self.name_or_string(c.next(self.file)?)?;
        let ty = self.type_ref(c.expect(self.file, Rule::type_ref)?)?;
        let annotations = self.annotations(&mut c)?;
        Ok(AliasDefinition {
            description,
            name,
            ty,
            annotations,
            span,
        })
    }

    fn directive(&mut self, head: Head, pair: Pair<'_, Rule>) -> Built<DirectiveDefinition> {
        let Head { description, span } = head;
        let mut c = self.children(pair);
        c.expect(self.file, Rule::kw_directive)?;
        let name = self.name(c.expect(self.file, Rule::name)?);
        let parameters = match c.take(Rule::parameters) {
            Some(list) => list
                .into_inner()
                .map(|p| self.parameter(p))
                .collect::<Built<_>>()?,
            None => Vec::new(),
        };
        c.expect(self.file, Rule::kw_on)?;
        let locations = self.locations(c.expect(self.file, Rule::locations)?);
        c.take(Rule::kw_require);
        let mut requires = Vec::new();
        for pair in c.all(Rule::directive_require) {
            let span = self.span_of(&pair);
            let mut r = self.children(pair);
            let directive = self.name(r.expect(self.file, Rule::name)?);
            r.expect(self.file, Rule::kw_on)?;
            let locations = self.locations(r.expect(self.file, Rule::locations)?);
            requires.push(DirectiveRequire {
                directive,
                locations,
                span,
            });
        }
        Ok(DirectiveDefinition {
            description,
            name,
            parameters,
            locations,
            requires,
            span,
        })
    }

    fn annotations(&mut self, c: &mut Children<'_>) -> Built<Annotations> {
        let annotations: Vec<Annotation> = (c.all(Rule::annotation).into_iter())
            .map(|a| self.annotation(a))
            .collect::<Built<_>>()?;
        Ok(annotations.into())
    }

    fn annotation(&mut self, pair: Pair<'_, Rule>) -> Built<Annotation> {
        let span = self.span_of(&pair);
        let mut c = self.children(pair);
        let name = self.name(c.expect(self.file, Rule::name)?);
        let mut arguments = Vec::new();
        if let Some(list) = c.take(Rule::arguments) {
            for argument in list.into_inner() {
                arguments.push(self.argument(argument)?);
            }
        }
        Ok(Annotation {
            name,
            arguments,
            span,
        })
    }

    fn argument(&mut self, pair: Pair<'_, Rule>) -> Built<Argument> {
        let span = self.span_of(&pair);
        let mut c = self.children(pair);
        let inner = c.next(self.file)?;
        if inner.as_rule() == Rule::named_argument {
            let mut parts = self.children(inner);
            let name = self.name(parts.expect(self.file, Rule::name)?);
            let value = self.value(parts.next(self.file)?)?;
            return Ok(Argument { name, value, span });
        }
        let value = self.value(inner)?;
        Ok(Argument {
            name: Name {
                value: DEFAULT_ARGUMENT.into(),
                span: value.span(),
            },
            value,
            span,
        })
    }

    fn type_ref(&mut self, pair: Pair<'_, Rule>) -> Built<TypeRef> {
        let span = self.span_of(&pair);
        let mut c = self.children(pair);
        let base = c.next(self.file)?;
        let base_span = self.span_of(&base);
        let ty = match base.as_rule() {
            Rule::name => TypeRef::Named {
                name: self.name(base),
            },
            Rule::list_type => {
                let item = self.children(base).expect(self.file, Rule::type_ref)?;
                TypeRef::List {
                    item: Box::new(self.type_ref(item)?),
                    span: base_span,
                }
            }
            Rule::map_type => {
                let mut kv = self.children(base);
                let key = self.type_ref(kv.expect(self.file, Rule::type_ref)?)?;
                let value = self.type_ref(kv.expect(self.file, Rule::type_ref)?)?;
                TypeRef::Map {
                    key: Box::new(key),
                    value: Box::new(value),
                    span: base_span,
                }
            }
            _ => return Err(internal(self.file, base_span)),
        };
        Ok(match c.take(Rule::optional) {
            Some(_) => TypeRef::Optional {
                inner: Box::new(ty),
                span,
            },
            None => ty,
        })
    }

    fn value(&mut self, pair: Pair<'_, Rule>) -> Built<Value> {
        let span = self.span_of(&pair);
        Ok(match pair.as_rule() {
            Rule::string | Rule::block_string => {
                let literal = self.string_literal(pair)?;
                Value::String {
                    value: literal.value,
                    span,
                }
            }
            Rule::int => Value::Int {
                value: self.int(&pair),
                span,
            },
            Rule::float => Value::Float {
                value: self.float(&pair),
                span,
            },
            Rule::boolean => Value::Bool {
                value: pair.as_str() == "true",
                span,
            },
            Rule::null => Value::Null { span },
            Rule::enum_ref => Value::Enum {
                value: pair.as_str().to_string(),
                span,
            },
            Rule::list_value => Value::List {
                values: pair
                    .into_inner()
                    .map(|v| self.value(v))
                    .collect::<Built<_>>()?,
                span,
            },
            Rule::object_value => {
                let mut fields = Vec::new();
                for field in pair.into_inner() {
                    let field_span = self.span_of(&field);
                    let mut c = self.children(field);
                    let name = self.name_or_string(c.next(self.file)?)?;
                    let value = self.value(c.next(self.file)?)?;
                    fields.push(ObjectField {
                        name,
                        value,
                        span: field_span,
                    });
                }
                Value::Object { fields, span }
            }
            _ => return Err(internal(self.file, span)),
        })
    }

    fn int(&mut self, pair: &Pair<'_, Rule>) -> i64 {
        pair.as_str().parse().unwrap_or_else(|_| {
            self.errors.push(Diagnostic::at(
                self.file,
                self.span_of(pair),
                "integer is out of range (it must fit in 64 bits)",
            ));
            0
        })
    }

    fn float(&mut self, pair: &Pair<'_, Rule>) -> f64 {
        match pair.as_str().parse::<f64>() {
            Ok(value) if value.is_finite() => value,
            _ => {
                self.errors.push(Diagnostic::at(
                    self.file,
                    self.span_of(pair),
                    "number is out of range for a 64-bit float",
                ));
                0.0
            }
        }
    }

    fn name_or_string(&mut self, pair: Pair<'_, Rule>) -> Built<Name> {
        match pair.as_rule() {
            Rule::name => Ok(self.name(pair)),
            Rule::string => {
                let literal = self.string_literal(pair)?;
                Ok(Name {
                    value: literal.value.into(),
                    span: literal.span,
                })
            }
            _ => Err(internal(self.file, self.span_of(&pair))),
        }
    }

    fn string_literal(&mut self, pair: Pair<'_, Rule>) -> Built<StringLiteral> {
        let span = self.span_of(&pair);
        let quotes = if pair.as_rule() == Rule::block_string {
            3
        } else {
            1
        };
        let text = pair.as_str();
        let content = text
            .get(quotes..text.len().saturating_sub(quotes))
            .ok_or_else(|| internal(self.file, span))?;
        let value = if quotes == 3 {
            block_string_value(content)
        } else {
            let content_start = span.start() + quotes;
            unescape(content).unwrap_or_else(|(offset, len, message)| {
                let at = content_start + offset;
                self.errors
                    .push(Diagnostic::at(self.file, Span::new(at, at + len), message));
                String::new()
            })
        };
        Ok(StringLiteral { value, span })
    }

    /// The span of `pair` in the file.
    fn span_of(&self, pair: &Pair<'_, Rule>) -> Span {
        let local = local_span(pair);
        Span::new(self.base + local.start(), self.base + local.end())
    }

    fn children<'i>(&self, pair: Pair<'i, Rule>) -> Children<'i> {
        let parent = self.span_of(&pair);
        Children::of(pair, parent)
    }

    fn name(&self, pair: Pair<'_, Rule>) -> Name {
        Name {
            value: pair.as_str().into(),
            span: self.span_of(&pair),
        }
    }

    fn locations(&self, pair: Pair<'_, Rule>) -> Vec<Name> {
        pair.into_inner().map(|p| self.name(p)).collect()
    }
}

/// Decodes the escapes of a quoted string (the grammar has already checked their shape).
/// On error: the byte offset and length of the bad escape, and a message.
fn unescape(raw: &str) -> Result<String, (usize, usize, &'static str)> {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.char_indices();
    while let Some((at, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let escaped = chars.next().map(|(_, e)| e);
        out.push(match escaped {
            Some('n') => '\n',
            Some('r') => '\r',
            Some('t') => '\t',
            Some('b') => '\u{8}',
            Some('f') => '\u{c}',
            Some('u') => {
                let high = hex4(raw, at + 2);
                chars.nth(3);
                let code = match high {
                    // A UTF-16 surrogate pair, as JSON and GraphQL write characters past U+FFFF.
                    0xD800..=0xDBFF if raw[at + 6..].starts_with("\\u") => {
                        let low = hex4(raw, at + 8);
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return Err((at, 12, "invalid unicode escape: unpaired surrogate"));
                        }
                        chars.nth(5);
                        0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                    }
                    code => code,
                };
                char::from_u32(code).ok_or((at, 6, "invalid unicode escape: unpaired surrogate"))?
            }
            Some(other) => other,
            None => return Err((at, 1, "unterminated escape")),
        });
    }
    Ok(out)
}

fn hex4(raw: &str, at: usize) -> u32 {
    raw.get(at..at + 4)
        .and_then(|h| u32::from_str_radix(h, 16).ok())
        .unwrap_or(0)
}

/// The value of a `"""` block string: common indentation and blank first and last lines
/// removed, as in GraphQL (and the reference parser).
fn block_string_value(raw: &str) -> String {
    let raw = raw.replace("\\\"\"\"", "\"\"\"");
    let lines: Vec<&str> = raw
        .split("\r\n")
        .flat_map(|l| l.split(['\n', '\r']))
        .collect();
    let indent_of = |line: &str| line.len() - line.trim_start_matches([' ', '\t']).len();
    let common = lines
        .iter()
        .skip(1)
        .filter(|l| indent_of(l) < l.len())
        .map(|l| indent_of(l))
        .min()
        .unwrap_or(0);
    let mut lines: Vec<&str> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| if i == 0 { l } else { &l[common.min(l.len())..] })
        .collect();
    let blank = |l: &&str| l.trim_matches([' ', '\t']).is_empty();
    while lines.first().is_some_and(blank) {
        lines.remove(0);
    }
    while lines.last().is_some_and(blank) {
        lines.pop();
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescape_handles_every_escape() {
        assert_eq!(
            unescape(r#"a\"b\\c\/d\n\r\t\b\f\u00e9\ud83d\ude00"#).unwrap(),
            "a\"b\\c/d\n\r\t\u{8}\u{c}é😀"
        );
        assert_eq!(
            unescape(r"\ud83d").unwrap_err().2,
            "invalid unicode escape: unpaired surrogate"
        );
    }

    #[test]
    fn block_strings_lose_common_indentation() {
        assert_eq!(
            block_string_value("\n    Hello,\n      world!\n    "),
            "Hello,\n  world!"
        );
        assert_eq!(block_string_value("one \\\"\"\" two"), "one \"\"\" two");
    }
}
