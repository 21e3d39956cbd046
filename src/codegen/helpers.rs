//! Every helper of the templates, defined once: those of values (`eq`, `or`, `len`, `doc`,
//! `indent`), the case conversions of every language, and `include`, with the depth limit
//! both engines keep. handlebars-rust calls them, and the helpers of the languages it is
//! given ([`LanguageHelpers`]), through [`register`]; the direct renderer through [`named`]
//! and [`language_helper`].

use handlebars::{
    BlockContext, BlockParamHolder, Context as HbContext, Handlebars, Helper, HelperDef,
    HelperResult, Output, RenderContext, RenderError, RenderErrorReason, Renderable, ScopedJson,
    Template,
};
use serde_json::Value as Json;

use super::language::{Language, LanguageHelper, LanguageHelpers};
use super::names::{Case, case};
use super::text;
use super::ty::Ty;
use super::view::{AsValue, Value};
use crate::limits::MAX_INCLUDE_DEPTH;

/// A helper of values: its arguments (missing ones as [`Value::Missing`]) to its value.
pub(super) type ValueFn = for<'v> fn(&[Value<'v>]) -> Result<Value<'static>, ParamError>;

/// A helper of text: writes what its arguments make.
pub(super) type TextFn = for<'v> fn(&[Value<'v>], &mut String) -> Result<(), ParamError>;

#[derive(Clone, Copy)]
pub(super) enum Common {
    Value(ValueFn),
    Text(TextFn),
}

/// Why a helper refused its arguments.
pub(super) enum ParamError {
    /// Argument `n` (from 0) is missing.
    Missing(usize),
    /// Argument `n` is not text.
    NotText(usize),
}

const HELPERS: [(&str, Common); 5] = [
    ("eq", Common::Value(eq)),
    ("or", Common::Value(or)),
    ("len", Common::Value(len)),
    ("doc", Common::Text(doc)),
    ("indent", Common::Text(indent)),
];

/// The helper called `name`.
pub(super) fn named(name: &str) -> Option<Common> {
    HELPERS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}

/// The case conversion, or the helper of one of `languages`, called `name`.
pub(super) fn language_helper(languages: &[&Language], name: &str) -> Option<LanguageHelper> {
    std::iter::once(&CASES)
        .chain(languages.iter().map(|language| &language.helpers))
        .find_map(|helpers| helpers.named(name))
}

/// Helpers of every language: case conversions, and a type as WIDL writes it.
const CASES: LanguageHelpers = LanguageHelpers {
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

/// `{{doc text "///" "    "}}`: see [`text::doc`]; nothing for null.
fn doc(params: &[Value<'_>], out: &mut String) -> Result<(), ParamError> {
    if let Some(text) = params.first().and_then(Value::as_str) {
        let indent = params.get(2).and_then(Value::as_str).unwrap_or("");
        text::doc(text, self::text(params, 1)?, indent, out);
    }
    Ok(())
}

/// `{{indent code "    "}}`: `code` with `indent` after each line break inside it, for
/// multi-line text written at an indented place (the template indents the first line).
fn indent(params: &[Value<'_>], out: &mut String) -> Result<(), ParamError> {
    out.push_str(&text::indent(text(params, 0)?, text(params, 1)?));
    Ok(())
}

/// Registers with handlebars every helper: the case conversions, those of each of
/// `languages`, those of [`HELPERS`], and `include`.
pub(crate) fn register(registry: &mut Handlebars<'static>, languages: &[&Language]) {
    let tables = std::iter::once(&CASES).chain(languages.iter().map(|language| &language.helpers));
    for helpers in tables {
        for &(name, convert) in helpers.strings {
            register_text(registry, name, move |h| Ok(convert(str_param(h, 0)?)));
        }
        for &(name, convert) in helpers.types {
            register_text(registry, name, move |h| Ok(convert(&ty_param(h, 0)?)));
        }
        for &(name, convert) in helpers.type_exprs {
            register_text(registry, name, move |h| {
                Ok(convert(&ty_param(h, 0)?, str_param(h, 1)?))
            });
        }
    }
    for (name, call) in HELPERS {
        registry.register_helper(name, Box::new(Adapter { name, call }));
    }
    registry.register_helper("include", Box::new(Include));
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

/// A helper of [`HELPERS`] as handlebars calls it.
struct Adapter {
    name: &'static str,
    call: Common,
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
        let value = match self.call {
            Common::Value(call) => call(&params),
            Common::Text(call) => {
                let mut text = String::new();
                call(&params, &mut text).map(|()| Value::Text(text))
            }
        };
        value.map_err(|error| {
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::codegen::{Templates, context, direct};
    use crate::model;

    /// `eq`, `or` and `len` replace handlebars' own: over values of every kind, as arguments
    /// and as blocks, both engines write what handlebars' own write.
    #[test]
    fn eq_or_and_len_do_what_handlebars_own_do() {
        let values = [
            "config.text",
            "config.empty",
            "config.zero",
            "config.five",
            "config.half",
            "config.list",
            "config.no_list",
            "config.object",
            "config.no_object",
            "config.yes",
            "config.no",
            "config.null",
            "namespace",
            "types",
            "types.[0]",
            "5",
            "5.0",
            "\"5\"",
            "\"text\"",
            "null",
            "true",
            "[5]",
        ];
        // `{{#eq a b}}` as a block, or `{{#if (eq a b)}}`.
        let source = |block: bool| {
            let mut source = String::new();
            for a in values {
                source.push_str(&format!("{{{{len {a}}}}} {{{{or {a} config.zero}}}} "));
                source.push_str(&format!("{{{{#if (or {a})}}}}y{{{{else}}}}n{{{{/if}}}}\n"));
                for b in values {
                    let (open, close) = match block {
                        true => (format!("#eq {a} {b}"), "eq"),
                        false => (format!("#if (eq {a} {b})"), "if"),
                    };
                    source.push_str(&format!(
                        "{{{{eq {a} {b}}}}} {{{{or {a} {b}}}}} {{{{{open}}}}}y{{{{else}}}}n{{{{/{close}}}}}\n"
                    ));
                }
            }
            source
        };
        let dir = std::env::temp_dir().join(format!("wapc-helpers-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("values.hbs"), source(true)).unwrap();
        let templates = Templates::load(Some(&dir)).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let config = json!({
            "text": "abc", "empty": "", "zero": 0, "five": 5, "half": 0.5, "list": [1, null, "x"],
            "no_list": [], "object": {"a": 1}, "no_object": {}, "yes": true, "no": false,
            "null": null,
        });
        let schema = model::load_str("t.widl", "namespace \"n\"\ntype A { a: string }").unwrap();
        let context = context::build(schema, config.as_object().cloned().unwrap()).unwrap();

        let mut own = handlebars::Handlebars::new();
        own.set_strict_mode(true);
        let expected = own.render_template(&source(true), &context).unwrap();
        assert_eq!(
            templates
                .render_with_handlebars("values", &context)
                .unwrap(),
            expected
        );
        // The direct renderer leaves `{{#eq}}` blocks to handlebars; the rest it runs.
        let inline = source(false);
        let expected = own.render_template(&inline, &context).unwrap();
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("values.hbs"), &inline).unwrap();
        let templates = Templates::load(Some(&dir)).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let direct = direct::render(&templates, "values", &context).expect("runs directly");
        assert_eq!(direct, expected);
    }
}
