//! The helpers of every template besides the languages' ([`super::render::LanguageHelpers`]):
//! plain functions over template values, each defined once here. handlebars calls them
//! through [`register`] (in place of its own `eq`, `or` and `len`), the direct renderer
//! through [`named`].

use handlebars::{
    Context as HbContext, Handlebars, Helper, HelperDef, HelperResult, Output, RenderContext,
    RenderError, RenderErrorReason, Renderable, ScopedJson,
};

use super::render;
use super::view::{AsValue, Value};

/// A helper: its arguments (missing ones as [`Value::Missing`]) to its value.
pub(super) type ValueFn = for<'v> fn(&[Value<'v>]) -> Result<Value<'static>, ParamError>;

/// Why a helper refused its arguments.
pub(super) enum ParamError {
    /// Argument `n` (from 0) is missing.
    Missing(usize),
    /// Argument `n` is not text.
    NotText(usize),
}

const HELPERS: [(&str, ValueFn); 5] = [
    ("eq", eq),
    ("or", or),
    ("len", len),
    ("doc", doc),
    ("indent", indent),
];

/// The helper called `name`.
pub(super) fn named(name: &str) -> Option<ValueFn> {
    HELPERS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}

fn param<'p, 'v>(params: &'p [Value<'v>], index: usize) -> Result<&'p Value<'v>, ParamError> {
    match params.get(index) {
        None | Some(Value::Missing) => Err(ParamError::Missing(index)),
        Some(value) => Ok(value),
    }
}

fn text<'p>(params: &'p [Value<'_>], index: usize) -> Result<&'p str, ParamError> {
    param(params, index)?
        .as_str()
        .ok_or(ParamError::NotText(index))
}

/// `(eq a b)`: whether the JSON forms of `a` and `b` are equal.
fn eq(params: &[Value<'_>]) -> Result<Value<'static>, ParamError> {
    let (a, b) = (param(params, 0)?, param(params, 1)?);
    let equal = match (a.as_str(), b.as_str()) {
        (Some(a), Some(b)) => a == b,
        (Some(_), None) | (None, Some(_)) => false,
        // Rarely objects or lists: compared as JSON, as handlebars compares them.
        (None, None) => serde_json::to_value(a).ok() == serde_json::to_value(b).ok(),
    };
    Ok(Value::Bool(equal))
}

/// `(or a b ...)`: whether any argument is truthy (a missing one is not).
fn or(params: &[Value<'_>]) -> Result<Value<'static>, ParamError> {
    Ok(Value::Bool(params.iter().any(Value::is_truthy)))
}

/// `(len x)`: the items of a list, the keys of an object, the bytes of text; else 0.
fn len(params: &[Value<'_>]) -> Result<Value<'static>, ParamError> {
    let len = match param(params, 0)? {
        Value::List(list) => list.len(),
        Value::Obj(view) => view.len(),
        other => other.as_str().map_or(0, str::len),
    };
    // No list in memory is longer than i64::MAX.
    Ok(Value::Int(i64::try_from(len).unwrap_or(i64::MAX)))
}

/// `{{doc text "///" "    "}}`: see [`render::doc`]; nothing for null.
fn doc(params: &[Value<'_>]) -> Result<Value<'static>, ParamError> {
    let mut out = String::new();
    if let Some(text) = params.first().and_then(Value::as_str) {
        let indent = params.get(2).and_then(Value::as_str).unwrap_or("");
        render::doc(text, self::text(params, 1)?, indent, &mut out);
    }
    Ok(Value::Text(out))
}

/// `{{indent code "    "}}`: `code` with `indent` after each line break inside it, for
/// multi-line text written at an indented place (the template indents the first line).
fn indent(params: &[Value<'_>]) -> Result<Value<'static>, ParamError> {
    Ok(Value::Text(render::indent(
        text(params, 0)?,
        text(params, 1)?,
    )))
}

/// Registers every helper of [`HELPERS`] with handlebars.
pub(super) fn register(registry: &mut Handlebars<'static>) {
    for (name, call) in HELPERS {
        registry.register_helper(name, Box::new(Adapter { name, call }));
    }
}

/// A helper of [`HELPERS`] as handlebars calls it.
struct Adapter {
    name: &'static str,
    call: ValueFn,
}

impl Adapter {
    fn value(&self, h: &Helper<'_>) -> Result<Value<'static>, RenderError> {
        let params: Vec<Value<'_>> = h
            .params()
            .iter()
            .map(|p| match p.is_value_missing() {
                true => Value::Missing,
                false => p.value().as_value(),
            })
            .collect();
        (self.call)(&params).map_err(|error| {
            match error {
                ParamError::Missing(index) => {
                    RenderErrorReason::ParamNotFoundForIndex(self.name, index)
                }
                ParamError::NotText(index) => RenderErrorReason::ParamTypeMismatchForName(
                    self.name,
                    (index + 1).to_string(),
                    "string".to_string(),
                ),
            }
            .into()
        })
    }
}

impl HelperDef for Adapter {
    /// The value, as a subexpression's.
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc HbContext,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        let value = serde_json::to_value(self.value(h)?)
            .map_err(|error| RenderErrorReason::Other(error.to_string()))?;
        Ok(ScopedJson::Derived(value))
    }

    /// The value written; or, for a block of a yes-or-no helper (`{{#eq a b}}...{{else}}...`,
    /// as handlebars' own `eq` and `or` allow), the part it chooses.
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        registry: &'reg Handlebars<'reg>,
        context: &'rc HbContext,
        render_context: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        match self.value(h)? {
            Value::Bool(chosen) if h.is_block() => {
                let part = if chosen { h.template() } else { h.inverse() };
                match part {
                    Some(part) => part.render(registry, context, render_context, out),
                    None => Ok(()),
                }
            }
            value => {
                let mut text = String::new();
                value.write(&mut text);
                Ok(out.write(&text)?)
            }
        }
    }
}
