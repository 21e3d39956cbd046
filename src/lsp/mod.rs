//! `wapc lsp`: a Language Server Protocol server for WIDL on stdin and stdout.
//!
//! One thread answers one message at a time, in order: every request is a lookup in a
//! document parsed when it last changed. The messages are lsp-server's; the framing is read
//! here, so that a malformed message is answered with an error (lsp-server's reader would end
//! the connection).

mod analysis;
mod text;

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, Read as _, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use lsp_server::{ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{self as notify, Notification as _};
use lsp_types::request::{self as req, Request as _};
use lsp_types::*;
use serde::de::DeserializeOwned;
use serde_json::Value as Json;

use crate::diagnostic::{self as diag, Diagnostics, FootnoteKind, LabelKind, SourceFile, Span};
use crate::limits::MAX_SCHEMA_SIZE;
use crate::model::{self, ImportPaths, PRIMITIVES};
use crate::parser::{self, DEFINITION_KEYWORDS};
use analysis::{Expected, Files, Kind, Occurrence, Parsed, Scope, Space, Target};
pub use text::Encoding;
use text::{Lines, path_of, uri_of};

/// Serves one client on stdin and stdout until `exit`: 0 after `shutdown`, 1 without it
/// (as the protocol says), and 1 when stdin ends first.
pub fn serve(imports: ImportPaths) -> std::io::Result<u8> {
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let stdout = std::io::stdout();
    let mut server = Server::new(imports);
    loop {
        let replies = match read_message(&mut input)? {
            None => return Ok(1),
            Some(Err(error)) => vec![Reply::Error(Json::Null, ErrorCode::ParseError, error)],
            Some(Ok(json)) => match serde_json::from_value::<Message>(json.clone()) {
                Ok(message) => server.handle(message),
                Err(error) => vec![Reply::Error(
                    json.get("id").cloned().unwrap_or(Json::Null),
                    ErrorCode::InvalidRequest,
                    format!("not a JSON-RPC request, response or notification: {error}"),
                )],
            },
        };
        let mut output = stdout.lock();
        for reply in replies {
            match reply {
                Reply::Message(message) => message.write(&mut output)?,
                Reply::Error(id, code, message) => {
                    let error = serde_json::json!({
                        "jsonrpc": "2.0",
                        "id": id,
                        "error": {"code": code as i32, "message": message},
                    });
                    write_frame(&mut output, &error.to_string())?;
                }
                Reply::Exit(code) => return Ok(code),
            }
        }
        output.flush()?;
    }
}

/// What handling one message produces.
#[derive(Debug)]
pub enum Reply {
    Message(Message),
    /// An error answering a message that is not a request lsp-server can read (its id, if
    /// any, as written).
    Error(Json, ErrorCode, String),
    /// `exit`: end with this status.
    Exit(u8),
}

/// One message's JSON, `Err` with why when the frame or the JSON is malformed; `None` at the
/// end of the input.
fn read_message(input: &mut impl BufRead) -> std::io::Result<Option<Result<Json, String>>> {
    let mut length = None;
    let mut line = String::new();
    loop {
        line.clear();
        if input.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let header = line.trim_end_matches(['\r', '\n']);
        if header.is_empty() {
            if length.is_some() {
                break;
            }
            continue;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse::<u64>().ok();
            if length.is_none() {
                return Ok(Some(Err(format!("bad Content-Length header `{header}`"))));
            }
        }
    }
    let length = length.unwrap_or(0);
    if length > MAX_MESSAGE {
        std::io::copy(&mut input.take(length), &mut std::io::sink())?;
        return Ok(Some(Err(format!(
            "a message of {length} bytes is longer than the {MAX_MESSAGE} allowed"
        ))));
    }
    let mut body = Vec::new();
    input.take(length).read_to_end(&mut body)?;
    Ok(Some(
        serde_json::from_slice(&body).map_err(|error| format!("malformed JSON: {error}")),
    ))
}

/// The largest message read: a document at the size limit, escaped, and then some.
const MAX_MESSAGE: u64 = 8 * MAX_SCHEMA_SIZE;

fn write_frame(output: &mut impl Write, json: &str) -> std::io::Result<()> {
    write!(output, "Content-Length: {}\r\n\r\n{json}", json.len())
}

/// An open document.
struct Open {
    uri: Uri,
    version: i32,
    file: Arc<SourceFile>,
    lines: Lines,
    /// `None` while it does not parse.
    parsed: Option<Arc<Parsed>>,
    occurrences: Vec<Occurrence>,
    scope: Scope,
}

/// Files read from disk, by path: when each was modified, and its parse (`None`: it does not
/// parse, or cannot be read).
type DiskFiles = HashMap<PathBuf, (Option<SystemTime>, Option<Arc<Parsed>>)>;

/// A position in an open document that parses: the document, its parse, the byte offset.
type At<'a> = Option<(&'a Open, &'a Arc<Parsed>, usize)>;

/// The server's state: the open documents, and files read for their imports.
pub struct Server {
    imports: ImportPaths,
    encoding: Encoding,
    initialized: bool,
    shut_down: bool,
    open: HashMap<PathBuf, Open>,
    /// Files read from disk for imports, with their modification time.
    disk: Mutex<DiskFiles>,
    /// For each open document, the other files its last diagnostics went to.
    published: HashMap<PathBuf, HashSet<PathBuf>>,
}

/// A failed request: the error code and message the client gets.
type Failure = (ErrorCode, String);

/// A request's result as JSON.
fn json<T: serde::Serialize>(value: Result<T, Failure>) -> Result<Json, Failure> {
    value.and_then(|v| {
        serde_json::to_value(v).map_err(|e| (ErrorCode::InternalError, e.to_string()))
    })
}

impl Server {
    pub fn new(imports: ImportPaths) -> Self {
        Server {
            imports,
            encoding: Encoding::Utf16,
            initialized: false,
            shut_down: false,
            open: HashMap::new(),
            disk: Mutex::new(HashMap::new()),
            published: HashMap::new(),
        }
    }

    /// Handles one message; the messages to send back, in order.
    pub fn handle(&mut self, message: Message) -> Vec<Reply> {
        match message {
            Message::Request(request) => {
                let id = request.id.clone();
                let result = if !self.initialized && request.method != req::Initialize::METHOD {
                    Err((
                        ErrorCode::ServerNotInitialized,
                        "the first request must be `initialize`".to_string(),
                    ))
                } else if self.shut_down {
                    Err((
                        ErrorCode::InvalidRequest,
                        "the server is shut down; only `exit` is accepted".to_string(),
                    ))
                } else {
                    self.request(request)
                };
                let response = match result {
                    Ok(value) => Response {
                        id,
                        response_result: Ok(value),
                    },
                    Err((code, message)) => Response::new_err(id, code as i32, message),
                };
                vec![Reply::Message(Message::Response(response))]
            }
            Message::Notification(notification) => {
                if notification.method == notify::Exit::METHOD {
                    return vec![Reply::Exit(if self.shut_down { 0 } else { 1 })];
                }
                if !self.initialized || self.shut_down {
                    return Vec::new();
                }
                self.notification(notification)
            }
            // The server sends no requests, so it expects no responses.
            Message::Response(_) => Vec::new(),
        }
    }

    fn request(&mut self, request: Request) -> Result<Json, Failure> {
        let Request { method, params, .. } = request;
        match method.as_str() {
            req::Initialize::METHOD => {
                let params: InitializeParams = parse(params)?;
                self.initialized = true;
                json(Ok(self.initialize(&params)))
            }
            req::Shutdown::METHOD => {
                self.shut_down = true;
                Ok(Json::Null)
            }
            req::HoverRequest::METHOD => json(self.hover(parse(params)?)),
            req::GotoDefinition::METHOD => json(self.definition(parse(params)?)),
            req::References::METHOD => json(self.references(parse(params)?)),
            req::DocumentSymbolRequest::METHOD => json(self.symbols(parse(params)?)),
            req::Completion::METHOD => json(self.completion(parse(params)?)),
            req::Formatting::METHOD => json(self.formatting(parse(params)?)),
            req::PrepareRenameRequest::METHOD => json(self.prepare_rename(parse(params)?)),
            req::Rename::METHOD => json(self.rename(parse(params)?)),
            _ => Err((
                ErrorCode::MethodNotFound,
                format!("`{method}` is not supported"),
            )),
        }
    }

    fn notification(&mut self, notification: Notification) -> Vec<Reply> {
        let Notification { method, params } = notification;
        match method.as_str() {
            notify::DidOpenTextDocument::METHOD => {
                match serde_json::from_value::<DidOpenTextDocumentParams>(params) {
                    Ok(p) => self.update(
                        p.text_document.uri,
                        p.text_document.version,
                        p.text_document.text,
                    ),
                    Err(error) => vec![log_error(format!("bad didOpen: {error}"))],
                }
            }
            notify::DidChangeTextDocument::METHOD => {
                match serde_json::from_value::<DidChangeTextDocumentParams>(params) {
                    Ok(mut p) => match p.content_changes.pop() {
                        // Full sync: the last change holds the whole text.
                        Some(change) if change.range.is_none() => {
                            self.update(p.text_document.uri, p.text_document.version, change.text)
                        }
                        _ => vec![log_error("didChange without the whole text".to_string())],
                    },
                    Err(error) => vec![log_error(format!("bad didChange: {error}"))],
                }
            }
            notify::DidCloseTextDocument::METHOD => {
                match serde_json::from_value::<DidCloseTextDocumentParams>(params) {
                    Ok(p) => self.close(&p.text_document.uri),
                    Err(error) => vec![log_error(format!("bad didClose: {error}"))],
                }
            }
            // `initialized`, `didSave`, `$/cancelRequest` and the rest need nothing.
            _ => Vec::new(),
        }
    }

    fn initialize(&mut self, params: &InitializeParams) -> InitializeResult {
        let offered = params
            .capabilities
            .general
            .as_ref()
            .and_then(|general| general.position_encodings.as_ref());
        self.encoding = match offered {
            Some(kinds) if kinds.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
            _ => Encoding::Utf16,
        };
        let encoding = match self.encoding {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        };
        InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(encoding),
                text_document_sync: Some(TextDocumentSyncCapability::Kind(
                    TextDocumentSyncKind::FULL,
                )),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                definition_provider: Some(OneOf::Left(true)),
                references_provider: Some(OneOf::Left(true)),
                document_symbol_provider: Some(OneOf::Left(true)),
                completion_provider: Some(CompletionOptions {
                    trigger_characters: Some(vec!["@".to_string(), ":".to_string()]),
                    ..CompletionOptions::default()
                }),
                document_formatting_provider: Some(OneOf::Left(true)),
                rename_provider: Some(OneOf::Right(RenameOptions {
                    prepare_provider: Some(true),
                    work_done_progress_options: WorkDoneProgressOptions::default(),
                })),
                ..ServerCapabilities::default()
            },
            server_info: Some(ServerInfo {
                name: "wapc".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
        }
    }

    // ---- documents -----------------------------------------------------------------------

    fn update(&mut self, uri: Uri, version: i32, text: String) -> Vec<Reply> {
        let Some(path) = path_of(&uri) else {
            return vec![log_error(format!(
                "{} is not a file: URI; wapc resolves imports from a file's folder",
                uri.as_str()
            ))];
        };
        let file = Arc::new(SourceFile::new(&path, text));
        let parsed = parser::parse(&file).ok().map(|document| {
            Arc::new(Parsed {
                file: Arc::clone(&file),
                document,
            })
        });
        // The scope reads imports through `self`: an open document's text, or the disk. While
        // the text does not parse (as while typing), completion offers the last good one's.
        let scope = match &parsed {
            Some(parsed) => analysis::scope(parsed, &*self),
            None => self
                .open
                .remove(&path)
                .map(|previous| previous.scope)
                .unwrap_or_default(),
        };
        let open = Open {
            uri,
            version,
            lines: Lines::new(&file.text),
            file: Arc::clone(&file),
            occurrences: parsed
                .as_ref()
                .map_or_else(Vec::new, |p| analysis::occurrences(&p.document)),
            parsed,
            scope,
        };
        let replies = self.diagnose(&path, &open);
        self.open.insert(path.clone(), open);
        // Documents that import this one see its new text.
        let rescoped: Vec<(PathBuf, Scope)> = self
            .open
            .iter()
            .filter(|(other, _)| **other != path)
            .filter_map(|(other, open)| {
                let parsed = open.parsed.as_ref()?;
                Some((other.clone(), analysis::scope(parsed, &*self)))
            })
            .collect();
        for (other, scope) in rescoped {
            if let Some(open) = self.open.get_mut(&other) {
                open.scope = scope;
            }
        }
        replies
    }

    fn close(&mut self, uri: &Uri) -> Vec<Reply> {
        let Some(path) = path_of(uri) else {
            return Vec::new();
        };
        self.open.remove(&path);
        // Clear what was shown for it and for its imports.
        let mut cleared = self.published.remove(&path).unwrap_or_default();
        cleared.insert(path);
        cleared
            .into_iter()
            .filter(|p| !self.open.contains_key(p))
            .filter_map(|p| uri_of(&p))
            .map(|uri| publish(uri, Vec::new(), None))
            .collect()
    }

    /// Checks `open` as `wapc check` checks the file (imports read from disk as it reads them)
    /// and publishes the errors to the files they are in.
    fn diagnose(&mut self, path: &Path, open: &Open) -> Vec<Reply> {
        let errors = match model::load_text(Arc::clone(&open.file), &self.imports) {
            Ok(_) => Diagnostics::default(),
            Err(errors) => errors,
        };
        let mut by_file: HashMap<PathBuf, Vec<Diagnostic>> = HashMap::new();
        by_file.insert(path.to_path_buf(), Vec::new());
        for error in &errors.0 {
            let (file, range) = match &error.location {
                Some(diag::Location::Span(file, span)) => {
                    let lines = Lines::new(&file.text);
                    (
                        file.path.clone(),
                        lines.range(&file.text, *span, self.encoding),
                    )
                }
                _ => (path.to_path_buf(), Range::default()),
            };
            let diagnostic = self.diagnostic(error, range);
            by_file.entry(file).or_default().push(diagnostic);
        }
        let others: HashSet<PathBuf> = by_file.keys().filter(|p| *p != path).cloned().collect();
        let stale = self.published.insert(path.to_path_buf(), others.clone());
        let mut replies = Vec::new();
        for gone in stale.unwrap_or_default().difference(&others) {
            if let Some(uri) = uri_of(gone) {
                replies.push(publish(uri, Vec::new(), None));
            }
        }
        // The document's own first, then its imports', in a fixed order.
        let mut by_file: Vec<(PathBuf, Vec<Diagnostic>)> = by_file.into_iter().collect();
        by_file.sort_by_key(|(file, _)| (file != path, file.clone()));
        for (file, diagnostics) in by_file {
            let (uri, version) = if file == path {
                (open.uri.clone(), Some(open.version))
            } else {
                match uri_of(&file) {
                    Some(uri) => (uri, None),
                    None => continue,
                }
            };
            replies.push(publish(uri, diagnostics, version));
        }
        replies
    }

    /// An error as `wapc check` prints it: the message, and its notes and help after it.
    fn diagnostic(&self, error: &diag::Diagnostic, range: Range) -> Diagnostic {
        let mut message = error.message.clone();
        for label in error.labels.iter().filter(|l| l.kind == LabelKind::Primary) {
            message.push_str(&format!("\n{}", label.message));
        }
        for (kind, text) in &error.footnotes {
            let kind = match kind {
                FootnoteKind::Note => "note",
                FootnoteKind::Help => "help",
            };
            message.push_str(&format!("\n{kind}: {text}"));
        }
        let related: Vec<DiagnosticRelatedInformation> = error
            .labels
            .iter()
            .filter(|l| l.kind == LabelKind::Secondary)
            .filter_map(|label| {
                let lines = Lines::new(&label.file.text);
                Some(DiagnosticRelatedInformation {
                    location: Location::new(
                        uri_of(&label.file.path)?,
                        lines.range(&label.file.text, label.span, self.encoding),
                    ),
                    message: label.message.clone(),
                })
            })
            .collect();
        Diagnostic {
            range,
            severity: Some(match error.severity {
                diag::Severity::Error => DiagnosticSeverity::ERROR,
                diag::Severity::Warning => DiagnosticSeverity::WARNING,
            }),
            source: Some("wapc".to_string()),
            message,
            related_information: (!related.is_empty()).then_some(related),
            ..Diagnostic::default()
        }
    }

    // ---- requests ------------------------------------------------------------------------

    fn document(&self, uri: &Uri) -> Result<&Open, Failure> {
        path_of(uri)
            .and_then(|path| self.open.get(&path))
            .ok_or_else(|| {
                (
                    ErrorCode::InvalidParams,
                    format!("{} is not an open document", uri.as_str()),
                )
            })
    }

    /// The open document, its parse, and the byte offset of `position` in it.
    fn at(&self, at: &TextDocumentPositionParams) -> Result<At<'_>, Failure> {
        let open = self.document(&at.text_document.uri)?;
        let offset = open
            .lines
            .offset(&open.file.text, at.position, self.encoding);
        Ok(open.parsed.as_ref().map(|parsed| (open, parsed, offset)))
    }

    /// What the name at a position refers to.
    fn target_at(&self, at: &TextDocumentPositionParams) -> Result<Option<Target>, Failure> {
        let Some((open, parsed, offset)) = self.at(at)? else {
            return Ok(None);
        };
        Ok(analysis::occurrence_at(&open.occurrences, offset)
            .and_then(|o| analysis::resolve(parsed, &open.scope, o, self)))
    }

    fn location(&self, target: &Target, span: Span) -> Option<Location> {
        let file = &target.parsed.file;
        let read;
        let lines = match self.open.get(&file.path) {
            Some(open) if Arc::ptr_eq(&open.file, file) => &open.lines,
            _ => {
                read = Lines::new(&file.text);
                &read
            }
        };
        Some(Location::new(
            uri_of(&file.path)?,
            lines.range(&file.text, span, self.encoding),
        ))
    }

    fn hover(&self, params: HoverParams) -> Result<Option<Hover>, Failure> {
        let at = &params.text_document_position_params;
        let Some((open, parsed, offset)) = self.at(at)? else {
            return Ok(None);
        };
        let Some(occurrence) = analysis::occurrence_at(&open.occurrences, offset) else {
            return Ok(None);
        };
        let name = parsed.file.slice(occurrence.span);
        let text = match occurrence.kind {
            Kind::Member { definition } => {
                analysis::describe_member(parsed, definition, occurrence.span)
            }
            Kind::Uses(Space::Type) if PRIMITIVES.contains(&name) => {
                Some(format!("```widl\n{name}\n```\n\nA built-in type of WIDL."))
            }
            _ => analysis::resolve(parsed, &open.scope, occurrence, self)
                .map(|target| analysis::describe(&target)),
        };
        Ok(text.map(|value| Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value,
            }),
            range: Some(
                open.lines
                    .range(&open.file.text, occurrence.span, self.encoding),
            ),
        }))
    }

    fn definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>, Failure> {
        let target = self.target_at(&params.text_document_position_params)?;
        Ok(target
            .and_then(|t| self.location(&t, t.name_span()))
            .map(GotoDefinitionResponse::Scalar))
    }

    /// Every place in the open documents where a name refers to `target`, with the
    /// occurrence's span and document; only those spelled `spelled`, if given.
    fn uses(&self, target: &Target, spelled: Option<&str>) -> Vec<(&Open, Span)> {
        let mut found = Vec::new();
        let mut paths: Vec<&PathBuf> = self.open.keys().collect();
        paths.sort();
        for path in paths {
            let open = &self.open[path];
            let Some(parsed) = &open.parsed else { continue };
            for occurrence in &open.occurrences {
                if matches!(occurrence.kind, Kind::Member { .. }) {
                    continue;
                }
                let name = parsed.file.slice(occurrence.span);
                if spelled.is_some_and(|s| s != name) {
                    continue;
                }
                if analysis::resolve(parsed, &open.scope, occurrence, self)
                    .is_some_and(|t| t.same(target))
                {
                    found.push((open, occurrence.span));
                }
            }
        }
        found
    }

    fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>, Failure> {
        let Some(target) = self.target_at(&params.text_document_position)? else {
            return Ok(None);
        };
        let declaration = (target.name_span(), &target.parsed.file.path);
        let mut locations: Vec<Location> = self
            .uses(&target, None)
            .into_iter()
            .filter(|(open, span)| {
                params.context.include_declaration || (*span, &open.file.path) != declaration
            })
            .map(|(open, span)| {
                Location::new(
                    open.uri.clone(),
                    open.lines.range(&open.file.text, span, self.encoding),
                )
            })
            .collect();
        // The declaration, when it is in a file that is not open.
        if params.context.include_declaration && !self.open.contains_key(declaration.1) {
            locations.extend(self.location(&target, target.name_span()));
        }
        Ok(Some(locations))
    }

    fn symbols(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>, Failure> {
        let open = self.document(&params.text_document.uri)?;
        let Some(parsed) = &open.parsed else {
            return Ok(None);
        };
        let range = |span: Span| open.lines.range(&open.file.text, span, self.encoding);
        #[allow(deprecated)] // `deprecated` is a field every literal must name.
        let symbol =
            |name: &str, kind, span: Span, name_span: Span, children: Vec<DocumentSymbol>| {
                DocumentSymbol {
                    name: name.to_string(),
                    detail: None,
                    kind,
                    tags: None,
                    deprecated: None,
                    range: range(span),
                    selection_range: range(name_span),
                    children: (!children.is_empty()).then_some(children),
                }
            };
        let operations = |ops: &[parser::ast::OperationDefinition]| {
            ops.iter()
                .map(|op| {
                    symbol(
                        &op.name.value,
                        SymbolKind::METHOD,
                        op.span,
                        op.name.span,
                        Vec::new(),
                    )
                })
                .collect::<Vec<_>>()
        };
        use parser::ast::Definition as D;
        let mut symbols = Vec::new();
        for definition in &parsed.document.definitions {
            let span = definition.span();
            let found = match definition {
                D::Namespace(d) => symbol(
                    &d.name.value,
                    SymbolKind::NAMESPACE,
                    span,
                    d.name.span,
                    Vec::new(),
                ),
                D::Type(d) => {
                    let fields = d
                        .fields
                        .iter()
                        .map(|f| {
                            symbol(
                                &f.name.value,
                                SymbolKind::FIELD,
                                f.span,
                                f.name.span,
                                Vec::new(),
                            )
                        })
                        .collect();
                    symbol(&d.name.value, SymbolKind::STRUCT, span, d.name.span, fields)
                }
                D::Enum(d) => {
                    let values = d
                        .values
                        .iter()
                        .map(|v| {
                            symbol(
                                &v.name.value,
                                SymbolKind::ENUM_MEMBER,
                                v.span,
                                v.name.span,
                                Vec::new(),
                            )
                        })
                        .collect();
                    symbol(&d.name.value, SymbolKind::ENUM, span, d.name.span, values)
                }
                D::Union(d) => symbol(
                    &d.name.value,
                    SymbolKind::ENUM,
                    span,
                    d.name.span,
                    Vec::new(),
                ),
                D::Alias(d) => symbol(
                    &d.name.value,
                    SymbolKind::TYPE_PARAMETER,
                    span,
                    d.name.span,
                    Vec::new(),
                ),
                D::Interface(d) => symbol(
                    "interface",
                    SymbolKind::INTERFACE,
                    span,
                    span,
                    operations(&d.operations),
                ),
                D::Role(d) => symbol(
                    &d.name.value,
                    SymbolKind::INTERFACE,
                    span,
                    d.name.span,
                    operations(&d.operations),
                ),
                D::Directive(d) => symbol(
                    &format!("@{}", d.name.value),
                    SymbolKind::OPERATOR,
                    span,
                    d.name.span,
                    Vec::new(),
                ),
                D::Import(_) => continue,
            };
            symbols.push(found);
        }
        Ok(Some(DocumentSymbolResponse::Nested(symbols)))
    }

    fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>, Failure> {
        let at = &params.text_document_position;
        let open = self.document(&at.text_document.uri)?;
        let offset = open
            .lines
            .offset(&open.file.text, at.position, self.encoding);
        let item = |label: &str, kind, detail: &str| CompletionItem {
            label: label.to_string(),
            kind: Some(kind),
            detail: Some(detail.to_string()),
            ..CompletionItem::default()
        };
        let mut items = Vec::new();
        match analysis::expected_at(&open.file.text, offset) {
            Expected::Type => {
                for primitive in PRIMITIVES {
                    items.push(item(
                        primitive,
                        CompletionItemKind::KEYWORD,
                        "built-in type",
                    ));
                }
                for (name, target) in &open.scope.types {
                    let kind = match target.definition() {
                        parser::ast::Definition::Enum(_) => CompletionItemKind::ENUM,
                        parser::ast::Definition::Union(_) => CompletionItemKind::ENUM,
                        _ => CompletionItemKind::STRUCT,
                    };
                    let keyword = target.definition().keyword();
                    items.push(item(name, kind, &self.origin(open, target, keyword)));
                }
            }
            Expected::Directive => {
                for (name, target) in &open.scope.directives {
                    let detail = self.origin(open, target, "directive");
                    items.push(item(name, CompletionItemKind::FUNCTION, &detail));
                }
            }
            Expected::Keyword => {
                for keyword in DEFINITION_KEYWORDS {
                    items.push(item(keyword, CompletionItemKind::KEYWORD, "definition"));
                }
            }
            Expected::Nothing => {}
        }
        items.sort_by(|a, b| a.label.cmp(&b.label));
        Ok(Some(CompletionResponse::Array(items)))
    }

    /// `keyword`, and the file it comes from when that is not `open`.
    fn origin(&self, open: &Open, target: &Target, keyword: &str) -> String {
        if Arc::ptr_eq(&target.parsed.file, &open.file) {
            keyword.to_string()
        } else {
            format!("{keyword} from {}", target.parsed.file.name)
        }
    }

    fn formatting(
        &self,
        params: DocumentFormattingParams,
    ) -> Result<Option<Vec<TextEdit>>, Failure> {
        let open = self.document(&params.text_document.uri)?;
        let formatted = crate::format::format(&open.file).map_err(|errors| {
            (
                ErrorCode::RequestFailed,
                format!("the schema does not parse:\n{errors}"),
            )
        })?;
        if formatted == open.file.text {
            return Ok(Some(Vec::new()));
        }
        let whole = Span::new(0, open.file.text.len());
        Ok(Some(vec![TextEdit::new(
            open.lines.range(&open.file.text, whole, self.encoding),
            formatted,
        )]))
    }

    /// The type whose name is at a position, for a rename.
    fn renamed(&self, at: &TextDocumentPositionParams) -> Result<(Target, Span), Failure> {
        let refuse = |why: &str| (ErrorCode::RequestFailed, why.to_string());
        let (open, parsed, offset) = self
            .at(at)?
            .ok_or_else(|| refuse("the schema does not parse"))?;
        let occurrence = analysis::occurrence_at(&open.occurrences, offset)
            .ok_or_else(|| refuse("there is no type name here"))?;
        let target = analysis::resolve(parsed, &open.scope, occurrence, self)
            .filter(|t| t.definition().is_type())
            .ok_or_else(|| refuse("only a type defined in a schema can be renamed"))?;
        Ok((target, occurrence.span))
    }

    fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>, Failure> {
        let (_, span) = self.renamed(&params)?;
        let open = self.document(&params.text_document.uri)?;
        Ok(Some(PrepareRenameResponse::Range(open.lines.range(
            &open.file.text,
            span,
            self.encoding,
        ))))
    }

    fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>, Failure> {
        let (target, _) = self.renamed(&params.text_document_position)?;
        let new_name = params.new_name;
        let valid = new_name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && new_name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid
            || PRIMITIVES.contains(&new_name.as_str())
            || DEFINITION_KEYWORDS.contains(&new_name.as_str())
        {
            return Err((
                ErrorCode::InvalidParams,
                format!("`{new_name}` cannot name a type"),
            ));
        }
        let old = target
            .definition()
            .name()
            .map(|n| n.value.clone())
            .unwrap_or_default();
        // lsp-types keys a workspace edit by `Uri`, whose parsed parts are cached in cells.
        #[allow(clippy::mutable_key_type)]
        let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
        for (open, span) in self.uses(&target, Some(&old)) {
            changes
                .entry(open.uri.clone())
                .or_default()
                .push(TextEdit::new(
                    open.lines.range(&open.file.text, span, self.encoding),
                    new_name.clone(),
                ));
        }
        Ok(Some(WorkspaceEdit::new(changes)))
    }
}

impl Files for Server {
    fn resolve(&self, importer: &Path, location: &str) -> Option<PathBuf> {
        self.imports.resolve(importer, location)
    }

    fn parsed(&self, path: &Path) -> Option<Arc<Parsed>> {
        if let Some(open) = self.open.get(path) {
            return open.parsed.clone();
        }
        let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok();
        let mut disk = self
            .disk
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((when, parsed)) = disk.get(path)
            && *when == modified
        {
            return parsed.clone();
        }
        let parsed = model::read(path).ok().and_then(|file| {
            let file = Arc::new(file);
            let document = parser::parse(&file).ok()?;
            Some(Arc::new(Parsed { file, document }))
        });
        disk.insert(path.to_path_buf(), (modified, parsed.clone()));
        parsed
    }
}

fn parse<P: DeserializeOwned>(params: Json) -> Result<P, Failure> {
    serde_json::from_value(params).map_err(|error| (ErrorCode::InvalidParams, error.to_string()))
}

fn publish(uri: Uri, diagnostics: Vec<Diagnostic>, version: Option<i32>) -> Reply {
    let params = PublishDiagnosticsParams {
        uri,
        diagnostics,
        version,
    };
    Reply::Message(Message::Notification(Notification::new(
        notify::PublishDiagnostics::METHOD.to_string(),
        params,
    )))
}

/// A message for the client's log (a notification cannot be answered with an error).
fn log_error(message: String) -> Reply {
    Reply::Message(Message::Notification(Notification::new(
        notify::LogMessage::METHOD.to_string(),
        LogMessageParams {
            typ: MessageType::ERROR,
            message,
        },
    )))
}
