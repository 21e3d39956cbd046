//! The template set: built-in templates embedded at build time, overridden or extended by a
//! user's folder, rendered by handlebars in strict mode with the helpers below.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use handlebars::{
    Context as HbContext, Handlebars, Helper, HelperDef, HelperResult, Output, RenderContext,
    RenderError, RenderErrorReason, Renderable,
};
use heck::{ToKebabCase, ToLowerCamelCase, ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};
use serde_json::Value as Json;

use super::context::{Context, Ty};
use super::rust;
use crate::diagnostic::{Diagnostic, Diagnostics, io_reason};

/// Every file under `templates/`, by name (its path without `.hbs`).
const BUILT_IN: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/templates.rs"));

/// Where a template comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    BuiltIn,
    User(PathBuf),
}

pub struct Templates {
    registry: Handlebars<'static>,
    origins: BTreeMap<String, Origin>,
}

impl Templates {
    /// The built-in templates, then those of `user_dir` (which replace built-ins of the same
    /// name).
    pub fn load(user_dir: Option<&Path>) -> Result<Self, Diagnostics> {
        let mut registry = Handlebars::new();
        registry.set_strict_mode(true);
        registry.register_escape_fn(handlebars::no_escape);
        register_helpers(&mut registry);
        let mut templates = Templates {
            registry,
            origins: BTreeMap::new(),
        };
        let mut errors = Diagnostics::default();
        for (name, source) in BUILT_IN {
            if let Err(error) = templates.add(name, source, Origin::BuiltIn) {
                errors.push(error);
            }
        }
        if let Some(dir) = user_dir {
            for (name, path) in user_templates(dir)? {
                let added = std::fs::read_to_string(&path)
                    .map_err(|error| {
                        Diagnostic::error(format!(
                            "cannot read the template `{}`: {}",
                            path.display(),
                            io_reason(&error)
                        ))
                    })
                    .and_then(|source| templates.add(&name, &source, Origin::User(path)));
                if let Err(error) = added {
                    errors.push(error);
                }
            }
        }
        if errors.is_empty() {
            Ok(templates)
        } else {
            Err(errors)
        }
    }

    fn add(&mut self, name: &str, source: &str, origin: Origin) -> Result<(), Diagnostic> {
        self.registry
            .register_template_string(name, source)
            .map_err(|error| {
                let file = match &origin {
                    Origin::BuiltIn => format!("templates/{name}.hbs (built in)"),
                    Origin::User(path) => path.display().to_string(),
                };
                let position = error
                    .pos()
                    .map_or(String::new(), |(line, column)| format!(":{line}:{column}"));
                Diagnostic::error(format!(
                    "{file}{position}: invalid template: {}",
                    error.reason()
                ))
            })?;
        self.origins.insert(name.to_string(), origin);
        Ok(())
    }

    /// The templates a target can name, with where each comes from. Partials (files whose
    /// name starts with `_`) are left out: they are pieces of other templates.
    pub fn list(&self) -> impl Iterator<Item = (&str, &Origin)> {
        self.origins
            .iter()
            .filter(|(name, _)| !is_partial(name))
            .map(|(name, origin)| (name.as_str(), origin))
    }

    pub fn contains(&self, name: &str) -> bool {
        self.origins.contains_key(name) && !is_partial(name)
    }

    pub fn render(&self, name: &str, context: &Context) -> Result<String, Diagnostic> {
        self.registry.render(name, context).map_err(|error| {
            let template = error.template_name.as_deref().unwrap_or(name);
            let position = match (error.line_no, error.column_no) {
                (Some(line), Some(column)) => format!(":{line}:{column}"),
                _ => String::new(),
            };
            Diagnostic::error(format!(
                "template `{template}`{position}: {}",
                error.reason()
            ))
        })
    }
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
        return Err(Diagnostic::error(format!(
            "no built-in template `{name}`; the templates are: {}",
            known.join(", ")
        )));
    }
    let language = name.rsplit_once('/').map_or("", |(language, _)| language);
    let mut written = Vec::new();
    for (template, source) in BUILT_IN {
        let own_partial =
            is_partial(template) && template.rsplit_once('/').map_or("", |(l, _)| l) == language;
        if *template != name && !own_partial {
            continue;
        }
        let path = dir.join(format!("{template}.hbs"));
        if path.exists() {
            continue;
        }
        super::output::write_atomic(&path, source)?;
        written.push(path);
    }
    Ok(written)
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
        if let Some(name) = relative.strip_suffix(".hbs")
            && entry.file_type().is_file()
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

/// Every language's helpers; a new target adds its own here.
const LANGUAGES: [&LanguageHelpers; 3] = [
    &rust::HELPERS,
    &super::go::HELPERS,
    &super::assemblyscript::HELPERS,
];

/// Helpers of every language.
const COMMON: LanguageHelpers = LanguageHelpers {
    strings: &[
        ("snake", |s| s.to_snake_case()),
        ("camel", |s| s.to_lower_camel_case()),
        ("pascal", |s| s.to_upper_camel_case()),
        ("kebab", |s| s.to_kebab_case()),
        ("shouty", |s| s.to_shouty_snake_case()),
    ],
    types: &[("widl_type", |t| t.widl())],
    type_exprs: &[],
};

/// Registers every helper (case conversion, each language's spellings, `doc`, `include`).
pub(crate) fn register_helpers(registry: &mut Handlebars<'static>) {
    for language in std::iter::once(&COMMON).chain(LANGUAGES) {
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
    // `{{doc text "///" "    "}}`: each line of `text` behind the prefix, each followed by a
    // newline and the indent (which the template also puts before the helper); nothing for
    // null. Written in front of what it documents, on the same template line.
    registry.register_helper(
        "doc",
        Box::new(
            |h: &Helper,
             _: &Handlebars,
             _: &HbContext,
             _: &mut RenderContext,
             out: &mut dyn Output|
             -> HelperResult {
                let Some(text) = h.param(0).and_then(|p| p.value().as_str()) else {
                    return Ok(());
                };
                let prefix = str_param(h, 1)?;
                let indent = h.param(2).and_then(|p| p.value().as_str()).unwrap_or("");
                for line in text.lines() {
                    let line = format!("{prefix} {line}");
                    out.write(line.trim_end())?;
                    out.write("\n")?;
                    out.write(indent)?;
                }
                Ok(())
            },
        ),
    );
    registry.register_helper("include", Box::new(Include));
}

/// `{{include "rust/_types"}}`: renders another template in the current context. A partial
/// would do the same, but first deep-copies the context, which makes large schemas slow.
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
        template.render(registry, context, render_context, out)
    }
}
