//! Renders templates straight from the typed [`Context`].
//!
//! handlebars-rust first copies the whole context into JSON, then finds every name by walking
//! string keys from the root; on a schema of a thousand types that was most of a run. This
//! interpreter runs the same templates, as handlebars parsed them, over the context as it is:
//! the keys each view declares (`view.rs`), and the helpers both engines share (`helpers.rs`,
//! the languages'). It covers what the built-in templates use: text, values,
//! `if`/`unless`/`else`, `each`, `@root`/`../`/`@index`/`@first`/`@last`, subexpressions,
//! `include` and those helpers. For anything else (a partial, a decorator, block parameters,
//! another helper, a missing value that strict mode rejects) it gives up before returning any
//! output, and handlebars renders the template instead: output and errors are always those of
//! handlebars.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

use handlebars::template::{HelperTemplate, Parameter, Template, TemplateElement};
use handlebars::{Path, PathSeg};
use serde_json::Value as Json;

use super::context::Context;
use super::helpers::{self, Common, IncludeDepth, ParamError};
use super::language::{Language, LanguageHelper};
use super::templates::Templates;
use super::ty::Ty;
use super::view::{AsValue, Value};

/// Renders `name`, or `None` when the template needs something this interpreter leaves to
/// handlebars.
pub(super) fn render(templates: &Templates, name: &str, context: &Context) -> Option<String> {
    render_noting(templates, name, context).map(|(out, _)| out)
}

/// [`render`], with the keys the template asked of a view that does not declare them.
fn render_noting<'t>(
    templates: &'t Templates,
    name: &'t str,
    context: &'t Context,
) -> Option<(String, BTreeSet<&'t str>)> {
    let plans = Plans::compile(templates, name).ok()?;
    let mut out = String::with_capacity(64 * 1024);
    let mut scopes = vec![Scope::of(Value::Obj(context))];
    plans
        .run(plans.get(name).ok()?, &mut scopes, &mut out)
        .ok()?;
    Some((out, plans.undeclared.into_inner()))
}

/// Why the interpreter stopped: handlebars takes over.
struct GiveUp;

type Run<T> = Result<T, GiveUp>;

// ---- templates ---------------------------------------------------------------------------

/// One piece of a compiled template.
enum Node<'t> {
    Text(&'t str),
    Write(Expr<'t>),
    /// `{{#if}}` (or `{{#unless}}`, `negate`), with the `{{else}}` part (which holds an
    /// `{{else if}}` chain as a nested `If`).
    If {
        condition: Expr<'t>,
        negate: bool,
        then: Vec<Node<'t>>,
        otherwise: Vec<Node<'t>>,
    },
    Each {
        list: Expr<'t>,
        body: Vec<Node<'t>>,
        otherwise: Option<Vec<Node<'t>>>,
    },
}

enum Expr<'t> {
    Path(PathRef<'t>),
    Literal(&'t Json),
    Call(Box<Call<'t>>),
}

enum PathRef<'t> {
    /// `@index`, `../@first`: a variable of the block `up` levels out.
    Local { up: usize, name: &'t str },
    /// `name.kind`, `../name`, `@root.config`.
    Relative {
        root: bool,
        up: usize,
        keys: Vec<&'t str>,
    },
}

struct Call<'t> {
    helper: Helper<'t>,
    params: Vec<Expr<'t>>,
    hash: Vec<(&'t str, Expr<'t>)>,
}

#[derive(Clone, Copy)]
enum Helper<'t> {
    /// A case conversion or a language's names and types.
    Language(LanguageHelper),
    /// `eq`, `or`, `len`, `doc`, `indent`.
    Common(Common),
    Include(&'t str),
}

impl Helper<'_> {
    /// The helper called `name`: a case conversion, one of `languages`', or a common one.
    fn named(languages: &[&Language], name: &str) -> Option<Helper<'static>> {
        helpers::language_helper(languages, name)
            .map(Helper::Language)
            .or_else(|| helpers::named(name).map(Helper::Common))
    }
}

/// The compiled template asked for and every template it includes, by name.
struct Plans<'t> {
    templates: HashMap<&'t str, Vec<Node<'t>>>,
    /// Keys asked of a view that does not declare them. handlebars finds them missing too,
    /// which templates use to tell views apart (`{{#if parameters}}` of a type or an
    /// operation); the tests allow those alone, so that a key a view no longer declares shows.
    undeclared: RefCell<BTreeSet<&'t str>>,
}

struct Compiler<'t> {
    /// Templates named by an `include` and not compiled yet.
    pending: Vec<&'t str>,
    /// The languages whose helpers the templates may call.
    languages: &'static [&'static Language],
}

impl<'t> Plans<'t> {
    fn compile(source: &'t Templates, name: &'t str) -> Run<Self> {
        let mut compiler = Compiler {
            pending: vec![name],
            languages: source.languages(),
        };
        let mut templates = HashMap::new();
        while let Some(next) = compiler.pending.pop() {
            if templates.contains_key(next) {
                continue;
            }
            let Some(Ok(template)) = source.compiled(next) else {
                return Err(GiveUp);
            };
            let nodes = compiler.template(template)?;
            templates.insert(next, nodes);
        }
        Ok(Plans {
            templates,
            undeclared: RefCell::default(),
        })
    }

    fn get(&self, name: &str) -> Run<&[Node<'t>]> {
        self.templates.get(name).map(Vec::as_slice).ok_or(GiveUp)
    }
}

impl<'t> Compiler<'t> {
    /// Whether `{{name}}` calls a helper rather than writing the value `name`.
    fn is_helper(&self, name: &str) -> bool {
        Helper::named(self.languages, name).is_some()
            || name == "include"
            || HANDLEBARS_HELPERS.contains(&name)
    }

    fn template(&mut self, template: &'t Template) -> Run<Vec<Node<'t>>> {
        let mut nodes = Vec::with_capacity(template.elements.len());
        for element in &template.elements {
            match element {
                TemplateElement::RawString(text) => nodes.push(Node::Text(text)),
                TemplateElement::Comment(_) => {}
                // No escaping is registered, so `{{{x}}}` writes what `{{x}}` does.
                TemplateElement::Expression(h) | TemplateElement::HtmlExpression(h) => {
                    nodes.push(Node::Write(self.expression(h)?));
                }
                TemplateElement::HelperBlock(h) => nodes.push(self.block(h)?),
                _ => return Err(GiveUp),
            }
        }
        Ok(nodes)
    }

    fn optional(&mut self, template: Option<&'t Template>) -> Run<Option<Vec<Node<'t>>>> {
        template.map(|t| self.template(t)).transpose()
    }

    fn block(&mut self, h: &'t HelperTemplate) -> Run<Node<'t>> {
        if h.block_param.is_some() || !h.hash.is_empty() || h.params.len() != 1 {
            return Err(GiveUp);
        }
        let subject = self.parameter(&h.params[0])?;
        let body = self.optional(h.template.as_ref())?.unwrap_or_default();
        let otherwise = self.optional(h.inverse.as_ref())?;
        Ok(match name_of(&h.name)? {
            "if" | "unless" => Node::If {
                condition: subject,
                negate: name_of(&h.name)? == "unless",
                then: body,
                otherwise: otherwise.unwrap_or_default(),
            },
            "each" => Node::Each {
                list: subject,
                body,
                otherwise,
            },
            _ => return Err(GiveUp),
        })
    }

    /// `{{value}}` or `{{helper params...}}`.
    fn expression(&mut self, h: &'t HelperTemplate) -> Run<Expr<'t>> {
        let name = name_of(&h.name)?;
        if h.params.is_empty() && h.hash.is_empty() && !self.is_helper(name) {
            return self.parameter(&h.name);
        }
        self.call(h)
    }

    fn call(&mut self, h: &'t HelperTemplate) -> Run<Expr<'t>> {
        if h.block || h.block_param.is_some() {
            return Err(GiveUp);
        }
        let name = name_of(&h.name)?;
        let params = h
            .params
            .iter()
            .map(|p| self.parameter(p))
            .collect::<Run<Vec<_>>>()?;
        let helper = if name == "include" {
            // The template to include must be known here, to compile it.
            let Some(Parameter::Literal(Json::String(included))) = h.params.first() else {
                return Err(GiveUp);
            };
            self.pending.push(included);
            Helper::Include(included)
        } else {
            if !h.hash.is_empty() {
                return Err(GiveUp);
            }
            Helper::named(self.languages, name).ok_or(GiveUp)?
        };
        let mut hash = h
            .hash
            .iter()
            .map(|(key, p)| Ok((key.as_str(), self.parameter(p)?)))
            .collect::<Run<Vec<_>>>()?;
        hash.sort_by_key(|(key, _)| *key);
        Ok(Expr::Call(Box::new(Call {
            helper,
            params,
            hash,
        })))
    }

    fn parameter(&mut self, parameter: &'t Parameter) -> Run<Expr<'t>> {
        match parameter {
            Parameter::Path(path) => Ok(Expr::Path(path_ref(path)?)),
            Parameter::Literal(value) => Ok(Expr::Literal(value)),
            Parameter::Subexpression(sub) => match sub.as_element() {
                TemplateElement::Expression(h) => self.call(h),
                _ => Err(GiveUp),
            },
            _ => Err(GiveUp),
        }
    }
}

/// The helpers handlebars-rust registers itself (but `eq`, `or` and `len`, which are
/// wapc's); `{{name}}` calls a helper of that name rather than writing the value.
const HANDLEBARS_HELPERS: [&str; 14] = [
    "if", "unless", "each", "with", "lookup", "raw", "log", "ne", "gt", "gte", "lt", "lte", "and",
    "not",
];

fn name_of(parameter: &Parameter) -> Run<&str> {
    match parameter {
        Parameter::Name(name) => Ok(name),
        Parameter::Path(Path::Relative((_, raw)) | Path::Local((_, _, raw))) => Ok(raw),
        _ => Err(GiveUp),
    }
}

fn path_ref(path: &Path) -> Run<PathRef<'_>> {
    match path {
        Path::Local((up, name, _)) => Ok(PathRef::Local { up: *up, name }),
        Path::Relative((segments, _)) => {
            let (root_segment, up_segment) = ruled_segments().ok_or(GiveUp)?;
            let (mut root, mut up, mut keys) = (false, 0, Vec::with_capacity(segments.len()));
            for segment in segments {
                match segment {
                    PathSeg::Named(key) => keys.push(key.as_str()),
                    _ if segment == root_segment && keys.is_empty() && up == 0 => root = true,
                    _ if segment == up_segment && keys.is_empty() && !root => up += 1,
                    _ => return Err(GiveUp),
                }
            }
            Ok(PathRef::Relative { root, up, keys })
        }
    }
}

/// The segments handlebars makes of `@root` and of `../`. The rule type they hold is private
/// to its grammar, so they come from its own public parser; `None` (every path with such a
/// segment falls back, and a test fails) if it ever parses them otherwise.
fn ruled_segments() -> Option<(&'static PathSeg, &'static PathSeg)> {
    static SEGMENTS: OnceLock<Option<(PathSeg, PathSeg)>> = OnceLock::new();
    let first_of = |raw: &str| match Path::parse(raw).ok()? {
        Path::Relative((segments, _)) => match segments.as_slice() {
            [ruled, PathSeg::Named(key)] if key == "key" && !matches!(ruled, PathSeg::Named(_)) => {
                Some(ruled.clone())
            }
            _ => None,
        },
        Path::Local(_) => None,
    };
    let segments = SEGMENTS.get_or_init(|| Some((first_of("@root/key")?, first_of("../key")?)));
    segments.as_ref().map(|(root, up)| (root, up))
}

// ---- running -----------------------------------------------------------------------------

/// A handlebars block: the root, an `each` loop, or an `include` with named values.
struct Scope<'a> {
    this: Value<'a>,
    /// In a loop: the current index and the length.
    position: Option<(usize, usize)>,
    /// Named values of an `include`, seen by every name lookup inside it.
    names: Vec<(&'a str, Value<'a>)>,
}

impl<'a> Scope<'a> {
    fn of(this: Value<'a>) -> Self {
        Scope {
            this,
            position: None,
            names: Vec::new(),
        }
    }
}

impl<'t> Plans<'t> {
    fn run(&self, nodes: &[Node<'t>], scopes: &mut Vec<Scope<'t>>, out: &mut String) -> Run<()> {
        for node in nodes {
            match node {
                Node::Text(text) => out.push_str(text),
                Node::Write(Expr::Call(call)) => self.call(call, scopes, out)?,
                Node::Write(expr) => match self.eval(expr, scopes)? {
                    // Strict mode's error, in handlebars' words.
                    Value::Missing => return Err(GiveUp),
                    value => value.write(out),
                },
                Node::If {
                    condition,
                    negate,
                    then,
                    otherwise,
                } => {
                    let chosen = if self.eval(condition, scopes)?.is_truthy() != *negate {
                        then
                    } else {
                        otherwise
                    };
                    self.run(chosen, scopes, out)?;
                }
                Node::Each {
                    list,
                    body,
                    otherwise,
                } => {
                    let list = match self.eval(list, scopes)? {
                        Value::List(list) => list,
                        // handlebars walks an object's keys.
                        Value::Obj(_) => return Err(GiveUp),
                        _ => match otherwise {
                            Some(otherwise) => {
                                self.run(otherwise, scopes, out)?;
                                continue;
                            }
                            None => return Err(GiveUp),
                        },
                    };
                    let len = list.len();
                    if let (0, Some(otherwise)) = (len, otherwise) {
                        self.run(otherwise, scopes, out)?;
                        continue;
                    }
                    scopes.push(Scope::of(Value::Null));
                    for index in 0..len {
                        let scope = scopes.last_mut().ok_or(GiveUp)?;
                        scope.this = list.get(index);
                        scope.position = Some((index, len));
                        self.run(body, scopes, out)?;
                    }
                    scopes.pop();
                }
            }
        }
        Ok(())
    }

    /// `{{include "name" key=value}}`: the template `name` in the current scope, with `key`
    /// naming `value` inside it.
    fn include(
        &self,
        name: &str,
        call: &Call<'t>,
        scopes: &mut Vec<Scope<'t>>,
        out: &mut String,
    ) -> Run<()> {
        let nodes = self.get(name)?;
        if call.hash.is_empty() {
            return self.run(nodes, scopes, out);
        }
        let mut names = Vec::with_capacity(call.hash.len());
        for (key, expr) in &call.hash {
            names.push((*key, self.eval(expr, scopes)?));
        }
        let current = scopes.last().ok_or(GiveUp)?;
        scopes.push(Scope {
            this: current.this.clone(),
            position: current.position,
            names,
        });
        let result = self.run(nodes, scopes, out);
        scopes.pop();
        result
    }

    fn eval(&self, expr: &Expr<'t>, scopes: &mut Vec<Scope<'t>>) -> Run<Value<'t>> {
        match expr {
            Expr::Literal(value) => Ok(value.as_value()),
            Expr::Path(path) => lookup(path, scopes, &self.undeclared),
            Expr::Call(call) => match call.helper {
                Helper::Common(Common::Value(helper)) => {
                    self.with_params(call, scopes, |params| helper(params))
                }
                // A helper that writes text: its text is the value.
                _ => {
                    let mut text = String::new();
                    self.call(call, scopes, &mut text)?;
                    Ok(Value::Text(text))
                }
            },
        }
    }

    /// Runs `helper` on the values of the call's parameters (missing ones as such).
    fn with_params<T>(
        &self,
        call: &Call<'t>,
        scopes: &mut Vec<Scope<'t>>,
        helper: impl FnOnce(&[Value<'t>]) -> Result<T, ParamError>,
    ) -> Run<T> {
        // Helpers take a few parameters: they stay on the stack.
        const FEW: usize = 4;
        if call.params.len() > FEW {
            let mut params = Vec::with_capacity(call.params.len());
            for param in &call.params {
                params.push(self.eval(param, scopes)?);
            }
            return helper(&params).map_err(|_| GiveUp);
        }
        let mut params: [Value<'t>; FEW] = std::array::from_fn(|_| Value::Missing);
        for (value, param) in params.iter_mut().zip(&call.params) {
            *value = self.eval(param, scopes)?;
        }
        helper(&params[..call.params.len()]).map_err(|_| GiveUp)
    }

    /// Exactly `N` parameters, each present.
    fn params<const N: usize>(
        &self,
        call: &Call<'t>,
        scopes: &mut Vec<Scope<'t>>,
    ) -> Run<[Value<'t>; N]> {
        if call.params.len() < N {
            return Err(GiveUp);
        }
        let mut values: [Value<'t>; N] = std::array::from_fn(|_| Value::Missing);
        for (value, param) in values.iter_mut().zip(&call.params) {
            *value = self.eval(param, scopes)?;
            if matches!(value, Value::Missing) {
                return Err(GiveUp);
            }
        }
        Ok(values)
    }

    fn call(&self, call: &Call<'t>, scopes: &mut Vec<Scope<'t>>, out: &mut String) -> Run<()> {
        match call.helper {
            Helper::Language(LanguageHelper::Str(convert)) => {
                let [name] = self.params::<1>(call, scopes)?;
                out.push_str(&convert(string(&name)?));
            }
            Helper::Language(LanguageHelper::Ty(convert)) => {
                let [ty] = self.params::<1>(call, scopes)?;
                out.push_str(&with_ty(&ty, convert)?);
            }
            Helper::Language(LanguageHelper::TyExpr(convert)) => {
                let [ty, expr] = self.params::<2>(call, scopes)?;
                let expr = string(&expr)?;
                out.push_str(&with_ty(&ty, |t| convert(t, expr))?);
            }
            Helper::Common(Common::Value(helper)) => self
                .with_params(call, scopes, |params| helper(params))?
                .write(out),
            Helper::Common(Common::Text(helper)) => {
                self.with_params(call, scopes, |params| helper(params, out))?;
            }
            Helper::Include(name) => {
                // Too deep: handlebars-rust says so, in its words.
                let _deeper = IncludeDepth::enter().ok_or(GiveUp)?;
                self.include(name, call, scopes, out)?;
            }
        }
        Ok(())
    }
}

fn string<'v>(value: &'v Value) -> Run<&'v str> {
    value.as_str().ok_or(GiveUp)
}

/// Runs `convert` on a type parameter: a type of the context, or JSON of one (from config).
fn with_ty(value: &Value, convert: impl Fn(&Ty) -> String) -> Run<String> {
    let Value::Obj(view) = value else {
        return Err(GiveUp);
    };
    match view.as_ty() {
        Some(ty) => Ok(convert(ty)),
        None => serde_json::to_value(value)
            .and_then(serde_json::from_value)
            .map(|ty: Ty| convert(&ty))
            .map_err(|_| GiveUp),
    }
}

/// Finds what `path` names, as handlebars does: named values of enclosing `include`s first
/// (innermost out), then the block `up` levels out, or the root.
fn lookup<'t>(
    path: &PathRef<'t>,
    scopes: &[Scope<'t>],
    undeclared: &RefCell<BTreeSet<&'t str>>,
) -> Run<Value<'t>> {
    let level = |up: usize| {
        scopes
            .len()
            .checked_sub(up + 1)
            .and_then(|i| scopes.get(i))
            .ok_or(GiveUp)
    };
    match path {
        PathRef::Local { up, name } => {
            let Some((index, len)) = level(*up)?.position else {
                return Ok(Value::Missing);
            };
            Ok(match *name {
                "index" => Value::Int(i64::try_from(index).map_err(|_| GiveUp)?),
                "first" => Value::Bool(index == 0),
                "last" => Value::Bool(index + 1 == len),
                _ => Value::Missing,
            })
        }
        PathRef::Relative { root, up, keys } => {
            let (mut value, rest) = if *root {
                (scopes.first().ok_or(GiveUp)?.this.clone(), &keys[..])
            } else if let Some(named) = keys.first().and_then(|first| {
                scopes.iter().rev().find_map(|scope| {
                    scope
                        .names
                        .iter()
                        .find(|(key, _)| key == first)
                        .map(|(_, value)| value)
                })
            }) {
                (named.clone(), &keys[1..])
            } else {
                (level(*up)?.this.clone(), &keys[..])
            };
            for key in rest {
                value = match value {
                    Value::Obj(view) => match view.get(key) {
                        Value::Missing if !view.declares(key) => {
                            undeclared.borrow_mut().insert(key);
                            Value::Missing
                        }
                        found => found,
                    },
                    other => other.get(key),
                };
            }
            Ok(value)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::PathBuf;
    use std::sync::Arc;

    use serde_json::{Value as Json, json};

    use super::Value;
    use crate::codegen::context::{self, Context, SchemaViews, Ty};
    use crate::codegen::view::View;
    use crate::codegen::{Templates, text};
    use crate::model::{self, ImportPaths};

    /// Every valid schema the tests keep.
    fn schemas() -> Vec<PathBuf> {
        let valid = |path: &PathBuf| {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            !name.starts_with("invalid-")
        };
        crate::test_schemas().into_iter().filter(valid).collect()
    }

    /// Each schema's context under the default config, under one that sets every option the
    /// built-in templates read and serves and calls every role, and under roles given as text.
    fn contexts() -> Vec<(String, Context)> {
        let mut contexts = Vec::new();
        for path in schemas() {
            let schema = model::load(&path, &ImportPaths::only(Vec::new()))
                .unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
            let views = Arc::new(SchemaViews::build(schema).unwrap());
            let roles: Vec<String> = views.roles.iter().map(|r| r.name.to_string()).collect();
            let options = json!({
                "handlerRoles": roles, "hostRoles": roles, "skipInterface": true,
                "hostClassName": "Outside", "handlersClassName": "Served",
                "package": "pkg", "module": "example.com/m", "use": "generated", "import": "./m",
            });
            // Roles as the old comma-separated string, the host's only the first.
            let roles_text = json!({
                "handlerRoles": roles.join(","), "hostRoles": roles.first(), "guestFeature": "guest",
            });
            let name = path.display().to_string();
            contexts.push((
                name.clone(),
                Context::new(Arc::clone(&views), Default::default()),
            ));
            for (shape, config) in [("options", options), ("roles as text", roles_text)] {
                let Json::Object(config) = config else {
                    unreachable!()
                };
                contexts.push((
                    format!("{name} ({shape})"),
                    Context::new(Arc::clone(&views), config),
                ));
            }
        }
        contexts
    }

    /// A built-in template that falls back to handlebars runs ten times slower: every one must
    /// run here, on every schema and config shape, and write what handlebars writes.
    #[test]
    fn built_in_templates_never_fall_back_and_render_as_handlebars_does() {
        // What the built-in templates ask of views that lack it, to tell them apart: whether
        // a type (or an operation) has `parameters`.
        let asked_of_others = BTreeSet::from(["parameters"]);
        let templates = Templates::load(None).unwrap();
        let names: Vec<&str> = templates.list().map(|(name, _)| name).collect();
        assert!(names.len() >= 9, "{names:?}");
        for (schema, context) in contexts() {
            for name in &names {
                let (direct, undeclared) = super::render_noting(&templates, name, &context)
                    .unwrap_or_else(|| panic!("{name} fell back to handlebars on {schema}"));
                let unknown: Vec<_> = undeclared.difference(&asked_of_others).collect();
                assert!(
                    unknown.is_empty(),
                    "{name} asks for {unknown:?} on {schema}"
                );
                let reference = templates.render_with_handlebars(name, &context).unwrap();
                assert!(direct == reference, "{name} on {schema} differs");
            }
        }
    }

    /// What the interpreter leaves to handlebars still renders, through handlebars.
    #[test]
    fn templates_it_cannot_run_fall_back_to_handlebars() {
        let dir = std::env::temp_dir().join(format!("wapc-direct-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let cases = [
            ("partial", "{{#each types}}{{> part}}{{/each}}", "Person;"),
            (
                "with",
                "{{#with (lookup types 0)}}{{name}}{{/with}}",
                "Person",
            ),
            (
                "params",
                "{{#each types as |t|}}{{t.name}}{{/each}}",
                "Person",
            ),
            (
                "object",
                "{{#each config}}{{@key}}={{this}}{{/each}}",
                "a=1",
            ),
        ];
        std::fs::write(dir.join("part.hbs"), "{{name}};").unwrap();
        for (name, source, _) in &cases {
            std::fs::write(dir.join(format!("{name}.hbs")), source).unwrap();
        }
        let templates = Templates::load(Some(&dir)).unwrap();
        let schema = model::load_str("t.widl", "type Person { name: string }").unwrap();
        let config = json!({"a": 1}).as_object().cloned().unwrap();
        let context = context::build(schema, config).unwrap();
        for (name, _, expected) in cases {
            assert!(
                super::render(&templates, name, &context).is_none(),
                "{name}"
            );
            assert_eq!(
                templates.render(name, &context).unwrap(),
                expected,
                "{name}"
            );
        }
        // A missing value is strict mode's error, in handlebars' words.
        std::fs::write(dir.join("missing.hbs"), "{{#each types}}{{nope}}{{/each}}").unwrap();
        let templates = Templates::load(Some(&dir)).unwrap();
        let error = templates.render("missing", &context).unwrap_err();
        assert!(error.to_string().contains("nope"), "{error}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn indent_puts_the_indent_after_inner_line_breaks_only() {
        assert_eq!(text::indent("a\nb\n\nc\n", "  "), "a\n  b\n  \n  c\n");
        assert_eq!(text::indent("a", "  "), "a");
    }

    /// The values the interpreter reads are those of the context's JSON form, which is what
    /// handlebars reads: every key, every absent key, every list and every scalar.
    #[test]
    fn values_mirror_the_json_form_of_the_context() {
        for (schema, context) in contexts() {
            let json = serde_json::to_value(&context).unwrap();
            let mut keys = BTreeSet::new();
            collect_keys(&json, &mut keys);
            compare(&Value::Obj(&context), &json, &keys, &schema);
        }
    }

    fn collect_keys(json: &Json, keys: &mut BTreeSet<String>) {
        match json {
            Json::Object(map) => map.iter().for_each(|(key, value)| {
                keys.insert(key.clone());
                collect_keys(value, keys);
            }),
            Json::Array(items) => items.iter().for_each(|item| collect_keys(item, keys)),
            _ => {}
        }
    }

    fn compare(value: &Value, json: &Json, keys: &BTreeSet<String>, at: &str) {
        match json {
            Json::Object(map) => {
                assert!(matches!(value, Value::Obj(_)), "{at}: not an object");
                for key in keys {
                    let inner = value.get(key);
                    match map.get(key) {
                        Some(expected) => compare(&inner, expected, keys, &format!("{at}.{key}")),
                        None => assert!(matches!(inner, Value::Missing), "{at}.{key}: not missing"),
                    }
                }
            }
            Json::Array(items) => {
                let Value::List(list) = value else {
                    panic!("{at}: not a list");
                };
                assert_eq!(list.len(), items.len(), "{at}");
                for (index, item) in items.iter().enumerate() {
                    compare(&list.get(index), item, keys, &format!("{at}[{index}]"));
                }
            }
            scalar => assert!(
                serde_json::to_value(value).ok().as_ref() == Some(scalar),
                "{at}: differs from {scalar}"
            ),
        }
    }

    /// A type given back to a helper as JSON (what handlebars does) reads back as itself.
    #[test]
    fn types_read_back_from_their_json_form() {
        fn each_ty(value: &Value, out: &mut Vec<Ty>) {
            match value {
                Value::Obj(view) => {
                    if let Some(ty) = view.as_ty() {
                        out.push(ty.clone());
                    }
                    view.each(&mut |_, inner| each_ty(&inner, out));
                }
                Value::List(list) => (0..list.len()).for_each(|i| each_ty(&list.get(i), out)),
                _ => {}
            }
        }
        let mut tys = Vec::new();
        for (_, context) in contexts() {
            each_ty(&Value::Obj(&context), &mut tys);
        }
        assert!(
            tys.iter()
                .any(|t| matches!(t, Ty::Named { boxed: true, .. }))
        );
        assert!(tys.iter().any(|t| matches!(
            t,
            Ty::Named {
                resolved: Some(_),
                ..
            }
        )));
        for ty in tys {
            ty.each(&mut |key, _| assert!(ty.declares(key), "{key}"));
            let json = serde_json::to_value(&ty).unwrap();
            assert_eq!(
                serde_json::from_value::<Ty>(json.clone()).unwrap(),
                ty,
                "{json}"
            );
        }
    }

    /// `@root` and `../` are known by handlebars' own segments for them, not by its private
    /// names: if its parser changes them, this fails.
    #[test]
    fn root_and_parent_paths_run_here() {
        let (root, up) = super::ruled_segments().expect("handlebars parses `@root` and `../`");
        assert!(root != up);
        let dir = std::env::temp_dir().join(format!("wapc-paths-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let source = "{{#each types}}{{@root.namespace}}.{{name}}/{{../namespace}}{{#each fields}}\
                      [{{@../index}}{{@index}} {{../../namespace}}]{{/each}} {{/each}}\
                      {{#each namespace}}no{{else}}not a list{{/each}}, then on";
        std::fs::write(dir.join("paths.hbs"), source).unwrap();
        let templates = Templates::load(Some(&dir)).unwrap();
        let schema = model::load_str(
            "t.widl",
            "namespace \"ns\"\ntype A { a: string b: i64 }\ntype B { c: A }",
        )
        .unwrap();
        let context = context::build(schema, Default::default()).unwrap();
        let direct = super::render(&templates, "paths", &context).expect("runs here");
        assert_eq!(
            direct,
            templates.render_with_handlebars("paths", &context).unwrap()
        );
        assert_eq!(
            direct,
            "ns.A/ns[00 ns][01 ns] ns.B/ns[10 ns] not a list, then on"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
