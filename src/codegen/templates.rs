//! The template set: built-in templates embedded at build time, overridden or extended by a
//! user's folder, each parsed once, with the languages whose helpers they may call. It knows
//! nothing of rendering: `render.rs` runs a template, with the direct engine (`direct.rs`)
//! and handlebars-rust for what that leaves.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use handlebars::{Handlebars, Template};
use serde_json::Value as Json;

use super::lang::LANGUAGES;
use super::language::Language;
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
    /// The languages whose helpers the templates may call, besides the common ones.
    languages: &'static [&'static Language],
    /// handlebars-rust, set up on first use (`render.rs`): the direct renderer runs most
    /// templates without it.
    pub(super) handlebars: OnceLock<Handlebars<'static>>,
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
            languages: &LANGUAGES,
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
        for (name, template) in self.all_compiled() {
            graph.scan(template, name);
        }
        let mut depths = BTreeMap::new();
        let mut chain = Vec::new();
        for name in self.templates.keys() {
            if let Err((first, position, reason)) = graph.depth(name, &mut depths, &mut chain) {
                let message = format!("invalid template: {reason}");
                return Err(self.error(&first, Some(position), message));
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

    /// Every template and partial by name, parsed, leaving out those that do not parse.
    pub(super) fn all_compiled(&self) -> impl Iterator<Item = (&str, &Template)> {
        (self.templates.keys()).filter_map(|name| match self.compiled(name) {
            Some(Ok(template)) => Some((name.as_str(), template)),
            _ => None,
        })
    }

    /// The languages whose helpers the templates may call.
    pub(super) fn languages(&self) -> &'static [&'static Language] {
        self.languages
    }

    /// An error in the template `name` (at a 1-based line and column when known), quoting it
    /// where it is one of this set.
    pub(super) fn error(&self, name: &str, at: Option<At>, message: String) -> Diagnostic {
        match self.templates.get(name) {
            Some(entry) => entry.error(name, at, message),
            None => Diagnostic::error(message),
        }
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
