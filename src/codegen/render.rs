//! Rendering a template of the set: the direct engine (`direct.rs`) runs it over the typed
//! context, and handlebars-rust runs what that leaves, over the context's JSON. Both engines
//! take the helpers of `helpers.rs` and of the set's languages as data.

use std::sync::OnceLock;

use handlebars::{Context as HbContext, Handlebars};

use super::context::Context;
use super::{direct, helpers};
use crate::diagnostic::Diagnostic;
// The template set's public items, where callers found them before it had a module of its own.
pub use super::templates::{Origin, Templates, built_in_source, export};

impl Templates {
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
        match direct::render(self, name, context) {
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
            self.error(template, position, message)
        })
    }

    /// handlebars-rust in strict mode, with every template that parses and every helper.
    fn handlebars(&self) -> &Handlebars<'static> {
        self.handlebars.get_or_init(|| {
            let mut registry = Handlebars::new();
            registry.set_strict_mode(true);
            registry.register_escape_fn(handlebars::no_escape);
            helpers::register(&mut registry, self.languages());
            for (name, template) in self.all_compiled() {
                registry.register_template(name, template.clone());
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
