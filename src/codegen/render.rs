//! The template set: built-in templates embedded at build time, overridden or extended by a
//! user's folder. Templates are handlebars, in strict mode, with the helpers below; the direct
//! renderer (`direct.rs`) runs them, and handlebars-rust runs what it leaves.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use handlebars::{
    BlockContext, BlockParamHolder, Context as HbContext, Handlebars, Helper, HelperDef,
    HelperResult, Output, RenderContext, RenderError, RenderErrorReason, Renderable, Template,
};
use serde_json::Value as Json;

use super::context::{Context, Ty};
use super::lang::LANGUAGES;
use super::names::{Case, case};
use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile, Span};
use crate::input::{self, Scope};
use crate::limits::{MAX_INCLUDE_DEPTH, MAX_TEMPLATE_NESTING, MAX_TEMPLATE_SIZE};

/// Every file under `templates/`, by name (its path without `.hbs`).
const BUILT_IN: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/templates.rs"));

/// An error in the template `source`, read from `path`, at a 1-based line and column when
/// handlebars gives them: there, the report quotes the line and underlines the `{{...}}` that
/// starts at the column.
pub(crate) fn template_error(
    path: &Path,
    source: &str,
    at: Option<At>,
    message: String,
) -> Diagnostic {
    let Some((line, column)) = at else {
        return Diagnostic::in_file(path.display().to_string(), message);
    };
    let file = Arc::new(SourceFile::new(path, source.to_string()));
    let start = file.offset(line, column);
    let rest = file.text[start..].lines().next().unwrap_or("");
    let len = match rest.find("}}") {
        Some(end) if rest.starts_with("{{") => end + 2,
        _ => 0,
    };
    Diagnostic::at(&file, Span::new(start, start + len), message)
}

impl Entry {
    /// An error in this template, `name`, at a 1-based line and column when known.
    fn error(&self, name: &str, at: Option<At>, message: String) -> Diagnostic {
        let path = match &self.origin {
            Origin::BuiltIn => PathBuf::from(format!("templates/{name}.hbs")),
            Origin::User(path) => path.clone(),
        };
        let diagnostic = template_error(&path, &self.source, at, message);
        match self.origin {
            Origin::BuiltIn => diagnostic.with_note(format!("`{name}` is built into wapc")),
            Origin::User(_) => diagnostic,
        }
    }
}

/// Where a template comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    BuiltIn,
    User(PathBuf),
}

pub struct Templates {
    templates: BTreeMap<String, Entry>,
    /// handlebars-rust, set up on first use: the direct renderer runs most templates without it.
    handlebars: OnceLock<Handlebars<'static>>,
}

struct Entry {
    source: Cow<'static, str>,
    origin: Origin,
    /// Parsed on first use; a user's templates are parsed on loading, to report errors early.
    compiled: OnceLock<Result<Template, Diagnostic>>,
}

impl Templates {
    /// The built-in templates, then those of `user_dir` (which replace built-ins of the same
    /// name). A template there may be a symbolic link to a file inside `user_dir`.
    pub fn load(user_dir: Option<&Path>) -> Result<Self, Diagnostics> {
        let scope = Scope::new(user_dir, false);
        Self::load_within(user_dir, &scope)
    }

    /// [`load`](Self::load), where a template that is a symbolic link may lead anywhere in
    /// `scope` (the project, as a schema's import may).
    pub fn load_within(user_dir: Option<&Path>, scope: &Scope) -> Result<Self, Diagnostics> {
        let mut templates = Templates {
            templates: BTreeMap::new(),
            handlebars: OnceLock::new(),
        };
        for (name, source) in BUILT_IN {
            templates.add(name, Cow::Borrowed(source), Origin::BuiltIn);
        }
        let mut errors = Diagnostics::default();
        if let Some(dir) = user_dir {
            for (name, path) in user_templates(dir)? {
                let read = input::admitted(&path, scope)
                    .and_then(|_| input::read(&path, MAX_TEMPLATE_SIZE, "a template"))
                    .map_err(|refused| refused.0)
                    .and_then(|bytes| {
                        String::from_utf8(bytes).map_err(|_| "it is not UTF-8 text".to_string())
                    });
                let source = match read {
                    Ok(source) => source,
                    Err(reason) => {
                        let shown = path.display().to_string();
                        let message = format!("cannot read the template `{shown}`: {reason}");
                        errors.push(Diagnostic::in_file(shown, message));
                        continue;
                    }
                };
                templates.add(&name, Cow::Owned(source), Origin::User(path));
                if let Some(Err(error)) = templates.compiled(&name) {
                    errors.push(error.clone());
                }
            }
        }
        if user_dir.is_some()
            && errors.is_empty()
            && let Err(error) = templates.check_partials()
        {
            errors.push(error);
        }
        if errors.is_empty() {
            Ok(templates)
        } else {
            Err(errors)
        }
    }

    /// Refuses partials (`{{> name}}`) that include each other, or nest more than
    /// [`MAX_INCLUDE_DEPTH`] deep: handlebars-rust recurses without a limit, until the stack
    /// overflows. Checked over the templates as written, before anything renders.
    fn check_partials(&self) -> Result<(), Diagnostic> {
        let mut graph = PartialGraph::default();
        for name in self.templates.keys() {
            if let Some(Ok(template)) = self.compiled(name) {
                graph.scan(template, name);
            }
        }
        let mut depths = BTreeMap::new();
        let mut chain = Vec::new();
        for name in self.templates.keys() {
            if let Err((first, position, reason)) = graph.depth(name, &mut depths, &mut chain) {
                let message = format!("invalid template: {reason}");
                return Err(match self.templates.get(&first) {
                    Some(entry) => entry.error(&first, Some(position), message),
                    None => Diagnostic::error(message),
                });
            }
        }
        Ok(())
    }

    fn add(&mut self, name: &str, source: Cow<'static, str>, origin: Origin) {
        let entry = Entry {
            source,
            origin,
            compiled: OnceLock::new(),
        };
        self.templates.insert(name.to_string(), entry);
    }

    /// The template `name`, parsed; `None` if there is none.
    pub(super) fn compiled(&self, name: &str) -> Option<&Result<Template, Diagnostic>> {
        let entry = self.templates.get(name)?;
        Some(entry.compiled.get_or_init(|| {
            let invalid = |position: Option<At>, reason: String| {
                entry.error(name, position, format!("invalid template: {reason}"))
            };
            if let Some(offset) = too_deep(&entry.source) {
                let before = &entry.source[..offset];
                let line = before.matches('\n').count() + 1;
                let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                let reason =
                    format!("blocks or subexpressions nest more than {MAX_TEMPLATE_NESTING} deep");
                return Err(invalid(Some((line, column)), reason));
            }
            Template::compile_with_name(&entry.source, name.to_string())
                .map_err(|error| invalid(error.pos(), error.reason().to_string()))
        }))
    }

    /// The templates a target can name, with where each comes from. Partials (files whose
    /// name starts with `_`) are left out: they are pieces of other templates.
    pub fn list(&self) -> impl Iterator<Item = (&str, &Origin)> {
        self.templates
            .iter()
            .filter(|(name, _)| !is_partial(name))
            .map(|(name, entry)| (name.as_str(), &entry.origin))
    }

    /// Whether `name` is a built-in template (not one of the user's that replaces it).
    pub fn is_built_in(&self, name: &str) -> bool {
        self.templates
            .get(name)
            .is_some_and(|entry| entry.origin == Origin::BuiltIn)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.templates.contains_key(name) && !is_partial(name)
    }

    pub fn render(&self, name: &str, context: &Context) -> Result<String, Diagnostic> {
        self.render_sharing(name, context, &JsonContext::default())
    }

    /// [`Templates::render`], where `json` is the JSON form of `context` that every template
    /// rendered from it shares, made only if one falls back to handlebars.
    pub fn render_sharing(
        &self,
        name: &str,
        context: &Context,
        json: &JsonContext,
    ) -> Result<String, Diagnostic> {
        if let Some(Err(error)) = self.compiled(name) {
            return Err(error.clone());
        }
        match super::direct::render(self, name, context) {
            Some(text) => Ok(text),
            None => self.render_json(name, json.of(context)?),
        }
    }

    /// Renders with handlebars-rust alone: what [`Templates::render`] falls back to, and the
    /// reference its faster path is tested against.
    pub fn render_with_handlebars(
        &self,
        name: &str,
        context: &Context,
    ) -> Result<String, Diagnostic> {
        self.render_json(name, JsonContext::default().of(context)?)
    }

    fn render_json(&self, name: &str, data: &HbContext) -> Result<String, Diagnostic> {
        (self.handlebars().render_with_context(name, data)).map_err(|error| {
            let template = error.template_name.as_deref().unwrap_or(name);
            let message = format!("template `{template}`: {}", error.reason());
            let position = error.line_no.zip(error.column_no);
            match self.templates.get(template) {
                Some(entry) => entry.error(template, position, message),
                None => Diagnostic::error(message),
            }
        })
    }

    /// handlebars-rust in strict mode, with every template that parses and every helper.
    fn handlebars(&self) -> &Handlebars<'static> {
        self.handlebars.get_or_init(|| {
            let mut registry = Handlebars::new();
            registry.set_strict_mode(true);
            registry.register_escape_fn(handlebars::no_escape);
            register_helpers(&mut registry);
            for name in self.templates.keys() {
                if let Some(Ok(template)) = self.compiled(name) {
                    registry.register_template(name, template.clone());
                }
            }
            registry
        })
    }
}

/// A context's JSON form, which handlebars reads: made when a template first falls back to
/// handlebars, then shared by every template rendered from that context.
#[derive(Default)]
pub struct JsonContext(OnceLock<Result<HbContext, Diagnostic>>);

impl JsonContext {
    fn of(&self, context: &Context) -> Result<&HbContext, Diagnostic> {
        let made = self.0.get_or_init(|| {
            HbContext::wraps(context).map_err(|error| {
                Diagnostic::error(format!("cannot give the context to handlebars: {error}"))
            })
        });
        made.as_ref().map_err(Clone::clone)
    }
}

/// Which partials each template (or inline partial) renders, where.
#[derive(Default)]
struct PartialGraph {
    /// By template name: the partials it names, each with the line and column of the call.
    /// `@partial-block` stands for the bodies of every `{{#> partial}}...{{/partial}}`, and
    /// `*` for a partial named by an expression, which may be any template but the caller.
    calls: BTreeMap<String, Vec<(String, At)>>,
}

/// A line and column in a template.
type At = (usize, usize);

const PARTIAL_BLOCK: &str = "@partial-block";
const ANY_PARTIAL: &str = "*";

impl PartialGraph {
    /// Records the partials `template` renders as calls of `node`.
    fn scan(&mut self, template: &Template, node: &str) {
        use handlebars::template::{Parameter, TemplateElement as E};
        for (index, element) in template.elements.iter().enumerate() {
            let at = template
                .mapping
                .get(index)
                .map_or((1, 1), |mapping| (mapping.0, mapping.1));
            match element {
                E::PartialExpression(call) | E::PartialBlock(call) => {
                    let target = match &call.name {
                        Parameter::Literal(Json::String(name)) => name.as_str(),
                        name => name.as_name().unwrap_or(ANY_PARTIAL),
                    };
                    self.calls
                        .entry(node.to_string())
                        .or_default()
                        .push((target.to_string(), at));
                    if let Some(body) = &call.template {
                        self.scan(body, node);
                        // The body renders wherever the partial says `{{> @partial-block}}`.
                        self.scan(body, PARTIAL_BLOCK);
                    }
                }
                E::HelperBlock(block) => {
                    for body in block.template.iter().chain(&block.inverse) {
                        self.scan(body, node);
                    }
                }
                E::DecoratorBlock(decorator) => {
                    // `{{#*inline "name"}}` defines a partial: calls of `name` may run it.
                    let inline = match decorator.params.first() {
                        Some(Parameter::Literal(Json::String(name)))
                            if decorator.name.as_name() == Some("inline") =>
                        {
                            name.as_str()
                        }
                        _ => node,
                    };
                    if let Some(body) = &decorator.template {
                        self.scan(body, inline);
                    }
                }
                _ => {}
            }
        }
    }

    /// The partials `name` may render, with where it calls them.
    fn callees(&self, name: &str) -> Vec<(&str, At)> {
        let Some(calls) = self.calls.get(name) else {
            return Vec::new();
        };
        let mut callees = Vec::new();
        for (target, at) in calls {
            if target == ANY_PARTIAL {
                let others = self.calls.keys().filter(|other| *other != name);
                callees.extend(others.map(|other| (other.as_str(), *at)));
            } else {
                callees.push((target.as_str(), *at));
            }
        }
        callees
    }

    /// How deeply partials nest below `name` (memoised in `depths`); `chain` holds the calls
    /// being followed. An error names the template and position where the chain starts.
    fn depth<'g>(
        &'g self,
        name: &'g str,
        depths: &mut BTreeMap<&'g str, usize>,
        chain: &mut Vec<(&'g str, At)>,
    ) -> Result<usize, (String, At, String)> {
        if let Some(depth) = depths.get(name) {
            return Ok(*depth);
        }
        let names = |chain: &[(&str, At)], last: &str| {
            let mut names: Vec<&str> = chain.iter().map(|(n, _)| *n).collect();
            names.push(last);
            names.join(" → ")
        };
        if let Some(at) = chain.iter().position(|(n, _)| *n == name) {
            let (first, position) = chain[at];
            let reason = format!("partials include each other: {}", names(&chain[at..], name));
            return Err((first.to_string(), position, reason));
        }
        if chain.len() >= MAX_INCLUDE_DEPTH {
            let (first, position) = chain[0];
            let reason = format!(
                "partials nest more than {MAX_INCLUDE_DEPTH} deep: {}",
                names(chain, name)
            );
            return Err((first.to_string(), position, reason));
        }
        let mut deepest = 0;
        for (callee, at) in self.callees(name) {
            chain.push((name, at));
            let depth = self.depth(callee, depths, chain);
            chain.pop();
            deepest = deepest.max(depth? + 1);
        }
        depths.insert(name, deepest);
        Ok(deepest)
    }
}

/// Where `source` first nests deeper than [`MAX_TEMPLATE_NESTING`], if it does. Counts `{{#`, each
/// `{{else ...}}` chained after it, and `(` inside tags; a count inside a comment or string
/// errs on the safe side.
fn too_deep(source: &str) -> Option<usize> {
    // Levels each open block adds: one, plus one per `{{else if}}` in its chain.
    let mut blocks: Vec<usize> = Vec::new();
    let mut rest = source;
    while let Some(start) = rest.find("{{") {
        let at = source.len() - rest.len() + start;
        let tag = rest[start + 2..].trim_start_matches(['~', ' ']);
        let end = tag.find("}}").unwrap_or(tag.len());
        let body = &tag[..end];
        let depth: usize = blocks.iter().sum();
        let mut parens = 0usize;
        for c in body.chars() {
            match c {
                '(' => parens += 1,
                ')' => parens = parens.saturating_sub(1),
                _ => {}
            }
            if depth + parens > MAX_TEMPLATE_NESTING {
                return Some(at);
            }
        }
        if body.starts_with('#') {
            blocks.push(1);
        } else if body.starts_with('/') {
            blocks.pop();
        } else if let Some(chained) = body.strip_prefix("else")
            && !chained.trim_matches(['~', ' ']).is_empty()
            && let Some(last) = blocks.last_mut()
        {
            *last += 1;
        }
        if blocks.iter().sum::<usize>() > MAX_TEMPLATE_NESTING {
            return Some(at);
        }
        rest = &tag[end..];
    }
    None
}

/// The source of a built-in template or partial, to copy out and customise.
pub fn built_in_source(name: &str) -> Option<&'static str> {
    BUILT_IN
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, source)| *source)
}

/// Copies the built-in template `name`, and the shared partials of its language, into `dir`
/// (which becomes a `templates:` folder). Existing files are left alone and not listed.
pub fn export(name: &str, dir: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    if is_partial(name) || built_in_source(name).is_none() {
        let known: Vec<&str> = BUILT_IN
            .iter()
            .map(|(n, _)| *n)
            .filter(|n| !is_partial(n))
            .collect();
        let near = crate::diagnostic::did_you_mean(name, known.iter().copied())
            .map(|near| format!(" ({near})"))
            .unwrap_or_default();
        return Err(Diagnostic::error(format!(
            "no built-in template `{name}`{near}; the templates are: {}",
            known.join(", ")
        )));
    }
    let language = name.rsplit_once('/').map_or("", |(language, _)| language);
    let mut exported = Vec::new();
    for (template, source) in BUILT_IN {
        let own_partial =
            is_partial(template) && template.rsplit_once('/').map_or("", |(l, _)| l) == language;
        let path = dir.join(format!("{template}.hbs"));
        // A file already there is the user's: it stays.
        if (*template == name || own_partial) && path.symlink_metadata().is_err() {
            exported.push((path, *source));
        }
    }
    let files: Vec<(&Path, &str)> = exported.iter().map(|(p, s)| (p.as_path(), *s)).collect();
    super::output::write_all(&files, false)?;
    Ok(exported.into_iter().map(|(path, _)| path).collect())
}

fn is_partial(name: &str) -> bool {
    name.rsplit('/')
        .next()
        .is_some_and(|last| last.starts_with('_'))
}

/// The `.hbs` files under `dir`, by template name.
fn user_templates(dir: &Path) -> Result<Vec<(String, PathBuf)>, Diagnostics> {
    if !dir.is_dir() {
        return Err(Diagnostic::error(format!(
            "the templates folder `{}` does not exist",
            dir.display()
        ))
        .into());
    }
    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|error| {
            Diagnostic::error(format!("cannot read `{}`: {error}", dir.display()))
        })?;
        let path = entry.path();
        let Some(relative) = path.strip_prefix(dir).ok().and_then(Path::to_str) else {
            continue;
        };
        // A link counts as what it leads to: a template when that is a file (and, when it is
        // read, inside the scope).
        let is_file = entry.file_type().is_file() || (entry.path_is_symlink() && path.is_file());
        if let Some(name) = relative.strip_suffix(".hbs")
            && is_file
        {
            found.push((name.replace('\\', "/"), path.to_path_buf()));
        }
    }
    Ok(found)
}

/// Registers a helper that writes the text `text` makes of its arguments.
fn register_text(
    registry: &mut Handlebars<'static>,
    name: &str,
    text: impl Fn(&Helper) -> Result<String, RenderError> + Send + Sync + 'static,
) {
    registry.register_helper(
        name,
        Box::new(
            move |h: &Helper,
                  _: &Handlebars,
                  _: &HbContext,
                  _: &mut RenderContext,
                  out: &mut dyn Output|
                  -> HelperResult {
                out.write(&text(h)?)?;
                Ok(())
            },
        ),
    );
}

/// A helper's string argument number `index`.
fn str_param<'a>(h: &'a Helper, index: usize) -> Result<&'a str, RenderError> {
    h.param(index)
        .and_then(|p| p.value().as_str())
        .ok_or_else(|| {
            RenderErrorReason::ParamTypeMismatchForName(
                "helper",
                format!("{}", index + 1),
                "string".to_string(),
            )
            .into()
        })
}

/// A helper's type argument number `index`.
fn ty_param(h: &Helper, index: usize) -> Result<Ty, RenderError> {
    let value = h
        .param(index)
        .map(|p| p.value().clone())
        .unwrap_or(Json::Null);
    serde_json::from_value(value).map_err(|error| {
        RenderErrorReason::Other(format!(
            "`{}` expects a type as argument {}: {error}",
            h.name(),
            index + 1
        ))
        .into()
    })
}

pub(super) type StrFn = fn(&str) -> String;
pub(super) type TyFn = fn(&Ty) -> String;
pub(super) type TyExprFn = fn(&Ty, &str) -> String;

/// The helpers one target language adds: each takes a name (`{{rust_name name}}`), a type
/// (`{{rust_type type}}`), or a type and an expression (`{{go_encode type "o.Name"}}`).
pub(super) struct LanguageHelpers {
    pub strings: &'static [(&'static str, StrFn)],
    pub types: &'static [(&'static str, TyFn)],
    pub type_exprs: &'static [(&'static str, TyExprFn)],
}

/// One language helper, as the direct renderer calls it.
#[derive(Clone, Copy)]
pub(super) enum LanguageHelper {
    Str(StrFn),
    Ty(TyFn),
    TyExpr(TyExprFn),
}

/// The case-conversion or language helper called `name`.
pub(super) fn language_helper(name: &str) -> Option<LanguageHelper> {
    std::iter::once(&COMMON)
        .chain(LANGUAGES.map(|language| &language.helpers))
        .find_map(|language| {
            let named = |n: &&str| *n == name;
            let strings = language.strings.iter().find(|(n, _)| named(n));
            let types = language.types.iter().find(|(n, _)| named(n));
            let exprs = language.type_exprs.iter().find(|(n, _)| named(n));
            strings
                .map(|(_, f)| LanguageHelper::Str(*f))
                .or_else(|| types.map(|(_, f)| LanguageHelper::Ty(*f)))
                .or_else(|| exprs.map(|(_, f)| LanguageHelper::TyExpr(*f)))
        })
}

/// Helpers of every language.
const COMMON: LanguageHelpers = LanguageHelpers {
    strings: &[
        ("snake", |s| case(s, Case::Snake)),
        ("camel", |s| case(s, Case::LowerCamel)),
        ("pascal", |s| case(s, Case::UpperCamel)),
        ("kebab", |s| case(s, Case::Kebab)),
        ("shouty", |s| case(s, Case::ShoutySnake)),
    ],
    types: &[("widl_type", |t| t.widl())],
    type_exprs: &[],
};

/// Registers every helper (case conversion, each language's spellings, those of `helpers.rs`,
/// `include`).
pub(crate) fn register_helpers(registry: &mut Handlebars<'static>) {
    for language in std::iter::once(&COMMON).chain(LANGUAGES.map(|language| &language.helpers)) {
        for &(name, convert) in language.strings {
            register_text(registry, name, move |h| Ok(convert(str_param(h, 0)?)));
        }
        for &(name, convert) in language.types {
            register_text(registry, name, move |h| Ok(convert(&ty_param(h, 0)?)));
        }
        for &(name, convert) in language.type_exprs {
            register_text(registry, name, move |h| {
                Ok(convert(&ty_param(h, 0)?, str_param(h, 1)?))
            });
        }
    }
    super::helpers::register(registry);
    registry.register_helper("include", Box::new(Include));
}

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

/// `{{include "rust/_types"}}`: renders another template in the current context. A partial
/// would do the same, but first deep-copies the context, which makes large schemas slow.
/// `{{include "as/_class" suffix="Args"}}` also names values that hide the context's own, in
/// the included template and in the blocks inside it (as a partial's hash arguments do).
struct Include;

impl HelperDef for Include {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        registry: &'reg Handlebars<'reg>,
        context: &'rc HbContext,
        render_context: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let name = str_param(h, 0)?;
        let template = registry
            .get_template(name)
            .ok_or_else(|| RenderErrorReason::PartialNotFound(name.to_string()))?;
        let _deeper = IncludeDepth::enter()
            .ok_or_else(|| RenderErrorReason::Other(too_deep_include(name)))?;
        include(h, template, registry, context, render_context, out)
    }
}

thread_local! {
    static INCLUDE_DEPTH: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// One level of `include` on this thread, whichever engine renders it; dropped on leaving.
pub(super) struct IncludeDepth(());

impl IncludeDepth {
    /// One level deeper; `None` past [`MAX_INCLUDE_DEPTH`].
    pub(super) fn enter() -> Option<IncludeDepth> {
        let depth = INCLUDE_DEPTH.get();
        if depth >= MAX_INCLUDE_DEPTH {
            return None;
        }
        INCLUDE_DEPTH.set(depth + 1);
        Some(IncludeDepth(()))
    }
}

impl Drop for IncludeDepth {
    fn drop(&mut self) {
        INCLUDE_DEPTH.set(INCLUDE_DEPTH.get() - 1);
    }
}

fn too_deep_include(name: &str) -> String {
    format!("`{name}` is included more than {MAX_INCLUDE_DEPTH} deep: does it include itself?")
}

/// Renders `template` for `{{include}}`, its named values hiding the context's own.
fn include<'reg: 'rc, 'rc>(
    h: &Helper<'rc>,
    template: &'reg Template,
    registry: &'reg Handlebars<'reg>,
    context: &'rc HbContext,
    render_context: &mut RenderContext<'reg, 'rc>,
    out: &mut dyn Output,
) -> HelperResult {
    if h.hash().is_empty() {
        return template.render(registry, context, render_context, out);
    }
    let mut block = BlockContext::new();
    if let Some(current) = render_context.block() {
        block.base_path_mut().clone_from(current.base_path());
        if let Some(value) = current.base_value() {
            block.set_base_value(value.clone());
        }
        block
            .local_variables_mut()
            .clone_from(current.local_variables());
    }
    for (key, value) in h.hash() {
        block.set_block_param(key, BlockParamHolder::Value(value.value().clone()));
    }
    render_context.push_block(block);
    let rendered = template.render(registry, context, render_context, out);
    render_context.pop_block();
    rendered
}
