//! Renders templates straight from the typed [`Context`].
//!
//! handlebars-rust first copies the whole context into JSON, then finds every name by walking
//! string keys from the root; on a schema of a thousand types that was most of a run. This
//! interpreter runs the same templates, as handlebars parsed them, over the context as it is.
//! It covers what the built-in templates use: text, values, `if`/`unless`/`else`, `each`,
//! `@root`/`../`/`@index`/`@first`/`@last`, subexpressions, the wapc helpers and `eq`, `or`,
//! `len`. For anything else (a partial, a decorator, block parameters, another helper, a missing
//! value that strict mode rejects) it gives up before returning any output, and handlebars
//! renders the template instead: output and errors are always those of handlebars.

use std::cell::Cell;
use std::collections::HashMap;

use handlebars::template::{HelperTemplate, Parameter, Template, TemplateElement};
use handlebars::{Path, PathSeg};
use serde_json::{Map, Value as Json};

use super::context::{
    AliasView, AnnotationView, Context, EnumValueView, EnumView, FieldView, Kind, OperationView,
    RoleView, Ty, TypeView, UnionMember, UnionView,
};
use super::render::{self, LanguageHelper, Templates};

/// Renders `name`, or `None` when the template needs something this interpreter leaves to
/// handlebars.
pub(super) fn render(templates: &Templates, name: &str, context: &Context) -> Option<String> {
    let plans = Plans::compile(templates, name).ok()?;
    let mut out = String::with_capacity(64 * 1024);
    let mut scopes = vec![Scope::of(Value::Obj(Obj::Context(context)))];
    plans
        .run(plans.get(name).ok()?, &mut scopes, &mut out)
        .ok()?;
    Some(out)
}

/// Why the interpreter stopped: handlebars takes over.
struct GiveUp;

type Run<T> = Result<T, GiveUp>;

// ---- values ----------------------------------------------------------------------------

/// A value as a template sees it: a borrowed part of the context, a template literal, or text
/// a helper made. Mirrors the context's JSON form (the serde attributes in `context.rs`).
#[derive(Clone)]
enum Value<'a> {
    /// No such key: strict mode rejects it when written.
    Missing,
    Null,
    Bool(bool),
    Int(i64),
    Str(&'a str),
    Text(String),
    Json(&'a Json),
    Obj(Obj<'a>),
    List(List<'a>),
}

#[derive(Clone, Copy)]
enum Obj<'a> {
    Context(&'a Context),
    Map(&'a Map<String, Json>),
    Type(&'a TypeView),
    Field(&'a FieldView),
    Enum(&'a EnumView),
    EnumValue(&'a EnumValueView),
    Union(&'a UnionView),
    Member(&'a UnionMember),
    Alias(&'a AliasView),
    Role(&'a RoleView),
    Operation(&'a OperationView),
    Annotation(&'a AnnotationView),
    Ty(&'a Ty),
}

#[derive(Clone, Copy)]
enum List<'a> {
    Types(&'a [TypeView]),
    Fields(&'a [FieldView]),
    Enums(&'a [EnumView]),
    EnumValues(&'a [EnumValueView]),
    Unions(&'a [UnionView]),
    Members(&'a [UnionMember]),
    Aliases(&'a [AliasView]),
    Roles(&'a [RoleView]),
    Operations(&'a [OperationView]),
    Annotations(&'a [AnnotationView]),
    Json(&'a [Json]),
}

fn text<'a>(value: &'a Option<String>) -> Value<'a> {
    value.as_deref().map_or(Value::Null, Value::Str)
}

fn json(value: &Json) -> Value<'_> {
    match value {
        Json::Array(items) => Value::List(List::Json(items)),
        Json::Object(map) => Value::Obj(Obj::Map(map)),
        other => Value::Json(other),
    }
}

impl<'a> Obj<'a> {
    /// The value under `key`, as the context's JSON form has it.
    fn get(self, key: &str) -> Value<'a> {
        use Value::{Bool, Int, Missing, Str};
        match (self, key) {
            (Obj::Context(c), _) => match key {
                "namespace" => Str(&c.namespace),
                "config" => Value::Obj(Obj::Map(&c.config)),
                "types" => Value::List(List::Types(&c.types)),
                "enums" => Value::List(List::Enums(&c.enums)),
                "unions" => Value::List(List::Unions(&c.unions)),
                "aliases" => Value::List(List::Aliases(&c.aliases)),
                "roles" => Value::List(List::Roles(&c.roles)),
                "operations" => Value::List(List::Operations(&c.operations)),
                "handlers" => Value::List(List::Operations(&c.handlers)),
                "host_calls" => Value::List(List::Operations(&c.host_calls)),
                "host_class" => Str(&c.host_class),
                "handlers_class" => Str(&c.handlers_class),
                "args" => Value::List(List::Operations(&c.args)),
                "uses_bytes" => Bool(c.uses_bytes),
                _ => Missing,
            },
            (Obj::Map(map), _) => map.get(key).map_or(Missing, json),
            (Obj::Type(t), "name") => Str(&t.name),
            (Obj::Type(t), "description") => text(&t.description),
            (Obj::Type(t), "annotations") => Value::List(List::Annotations(&t.annotations)),
            (Obj::Type(t), "fields") => Value::List(List::Fields(&t.fields)),
            (Obj::Type(t), "holds_raw") => Bool(t.holds_raw),
            (Obj::Field(f), "name") => Str(&f.name),
            (Obj::Field(f), "description") => text(&f.description),
            (Obj::Field(f), "annotations") => Value::List(List::Annotations(&f.annotations)),
            (Obj::Field(f), "type") => Value::Obj(Obj::Ty(&f.ty)),
            (Obj::Field(f), "default") => f.default.as_ref().map_or(Value::Null, json),
            (Obj::Enum(e), "name") => Str(&e.name),
            (Obj::Enum(e), "description") => text(&e.description),
            (Obj::Enum(e), "annotations") => Value::List(List::Annotations(&e.annotations)),
            (Obj::Enum(e), "values") => Value::List(List::EnumValues(&e.values)),
            (Obj::EnumValue(v), "name") => Str(&v.name),
            (Obj::EnumValue(v), "description") => text(&v.description),
            (Obj::EnumValue(v), "index") => Int(v.index),
            (Obj::EnumValue(v), "display") => Str(&v.display),
            (Obj::Union(u), "name") => Str(&u.name),
            (Obj::Union(u), "description") => text(&u.description),
            (Obj::Union(u), "annotations") => Value::List(List::Annotations(&u.annotations)),
            (Obj::Union(u), "members") => Value::List(List::Members(&u.members)),
            (Obj::Union(u), "default_member") => Value::Obj(Obj::Ty(&u.default_member)),
            (Obj::Member(m), "tag") => Str(&m.tag),
            (Obj::Member(m), "type") => Value::Obj(Obj::Ty(&m.ty)),
            (Obj::Alias(a), "name") => Str(&a.name),
            (Obj::Alias(a), "description") => text(&a.description),
            (Obj::Alias(a), "annotations") => Value::List(List::Annotations(&a.annotations)),
            (Obj::Alias(a), "type") => Value::Obj(Obj::Ty(&a.ty)),
            (Obj::Role(r), "name") => Str(&r.name),
            (Obj::Role(r), "description") => text(&r.description),
            (Obj::Role(r), "annotations") => Value::List(List::Annotations(&r.annotations)),
            (Obj::Role(r), "operations") => Value::List(List::Operations(&r.operations)),
            (Obj::Operation(o), "name") => Str(&o.name),
            (Obj::Operation(o), "description") => text(&o.description),
            (Obj::Operation(o), "annotations") => Value::List(List::Annotations(&o.annotations)),
            (Obj::Operation(o), "unary") => Bool(o.unary),
            (Obj::Operation(o), "parameters") => Value::List(List::Fields(&o.parameters)),
            (Obj::Operation(o), "returns") => o
                .returns
                .as_ref()
                .map_or(Value::Null, |t| Value::Obj(Obj::Ty(t))),
            (Obj::Operation(o), "role") => text(&o.role),
            (Obj::Operation(o), "holds_raw") => Bool(o.holds_raw),
            (Obj::Annotation(a), "name") => Str(&a.name),
            (Obj::Annotation(a), "arguments") => Value::Obj(Obj::Map(&a.arguments)),
            (Obj::Ty(ty), _) => ty_field(ty, key),
            _ => Missing,
        }
    }
}

/// A key of a [`Ty`]'s JSON form: `kind`, then the fields of that kind.
fn ty_field<'a>(ty: &'a Ty, key: &str) -> Value<'a> {
    let ty_value = |t: &'a Ty| Value::Obj(Obj::Ty(t));
    match (ty, key) {
        (Ty::Primitive { .. }, "kind") => Value::Str("primitive"),
        (Ty::Named { .. }, "kind") => Value::Str("named"),
        (Ty::List { .. }, "kind") => Value::Str("list"),
        (Ty::Map { .. }, "kind") => Value::Str("map"),
        (Ty::Optional { .. }, "kind") => Value::Str("optional"),
        (Ty::Stream { .. }, "kind") => Value::Str("stream"),
        (Ty::Primitive { name }, "name") => Value::Str(name.name()),
        (Ty::Named { name, .. }, "name") => Value::Str(name),
        (Ty::Named { of, .. }, "of") => Value::Str(match of {
            Kind::Type => "type",
            Kind::Enum => "enum",
            Kind::Union => "union",
            Kind::Alias => "alias",
        }),
        // Left out of the JSON form when false / absent.
        (Ty::Named { boxed: true, .. }, "boxed") => Value::Bool(true),
        (
            Ty::Named {
                resolved: Some(target),
                ..
            },
            "resolved",
        ) => ty_value(target),
        (Ty::List { item }, "item") => ty_value(item),
        (Ty::Map { key, .. }, "key") => ty_value(key),
        (Ty::Map { value, .. }, "value") => ty_value(value),
        (Ty::Optional { inner } | Ty::Stream { inner }, "inner") => ty_value(inner),
        _ => Value::Missing,
    }
}

impl<'a> List<'a> {
    fn len(self) -> usize {
        match self {
            List::Types(items) => items.len(),
            List::Fields(items) => items.len(),
            List::Enums(items) => items.len(),
            List::EnumValues(items) => items.len(),
            List::Unions(items) => items.len(),
            List::Members(items) => items.len(),
            List::Aliases(items) => items.len(),
            List::Roles(items) => items.len(),
            List::Operations(items) => items.len(),
            List::Annotations(items) => items.len(),
            List::Json(items) => items.len(),
        }
    }

    fn get(self, index: usize) -> Value<'a> {
        let obj = |o: Option<Obj<'a>>| o.map_or(Value::Missing, Value::Obj);
        match self {
            List::Types(items) => obj(items.get(index).map(Obj::Type)),
            List::Fields(items) => obj(items.get(index).map(Obj::Field)),
            List::Enums(items) => obj(items.get(index).map(Obj::Enum)),
            List::EnumValues(items) => obj(items.get(index).map(Obj::EnumValue)),
            List::Unions(items) => obj(items.get(index).map(Obj::Union)),
            List::Members(items) => obj(items.get(index).map(Obj::Member)),
            List::Aliases(items) => obj(items.get(index).map(Obj::Alias)),
            List::Roles(items) => obj(items.get(index).map(Obj::Role)),
            List::Operations(items) => obj(items.get(index).map(Obj::Operation)),
            List::Annotations(items) => obj(items.get(index).map(Obj::Annotation)),
            List::Json(items) => items.get(index).map_or(Value::Missing, json),
        }
    }
}

impl<'a> Value<'a> {
    fn get(&self, key: &str) -> Value<'a> {
        match self {
            Value::Obj(obj) => obj.get(key),
            Value::List(list) => key.parse().map_or(Value::Missing, |index| list.get(index)),
            _ => Value::Missing,
        }
    }

    fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            Value::Text(s) => Some(s),
            Value::Json(Json::String(s)) => Some(s),
            _ => None,
        }
    }

    /// Handlebars' truthiness (without `includeZero`).
    fn is_truthy(&self) -> bool {
        match self {
            Value::Missing | Value::Null => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Str(s) => !s.is_empty(),
            Value::Text(s) => !s.is_empty(),
            Value::Json(j) => handlebars::JsonTruthy::is_truthy(*j, false),
            Value::Obj(Obj::Map(map)) => !map.is_empty(),
            // Every view and type has keys.
            Value::Obj(_) => true,
            Value::List(list) => list.len() > 0,
        }
    }

    /// Writes the value as `{{value}}` does; a missing value is a strict-mode error.
    fn write(&self, out: &mut String) -> Run<()> {
        match self {
            Value::Missing => return Err(GiveUp),
            Value::Null => {}
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) => out.push_str(&i.to_string()),
            Value::Str(s) => out.push_str(s),
            Value::Text(s) => out.push_str(s),
            Value::Json(j) => out.push_str(&handlebars::JsonRender::render(*j)),
            Value::Obj(_) => out.push_str("[object]"),
            Value::List(list) => {
                out.push('[');
                for index in 0..list.len() {
                    if index > 0 {
                        out.push_str(", ");
                    }
                    let item = list.get(index);
                    if matches!(item, Value::Null) {
                        continue;
                    }
                    item.write(out)?;
                }
                out.push(']');
            }
        }
        Ok(())
    }

    /// The value as JSON, for `eq`; only scalars are compared here.
    fn scalar(&self) -> Run<Json> {
        Ok(match self {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Int(i) => Json::from(*i),
            Value::Str(s) => Json::from(*s),
            Value::Text(s) => Json::from(s.as_str()),
            Value::Json(j) => (*j).clone(),
            Value::Missing | Value::Obj(_) | Value::List(_) => return Err(GiveUp),
        })
    }
}

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
    Doc,
    Indent,
    Include(&'t str),
    Eq,
    Or,
    Len,
}

impl Helper<'_> {
    fn named(name: &str) -> Option<Helper<'static>> {
        if let Some(helper) = render::language_helper(name) {
            return Some(Helper::Language(helper));
        }
        Some(match name {
            "doc" => Helper::Doc,
            "indent" => Helper::Indent,
            "eq" => Helper::Eq,
            "or" => Helper::Or,
            "len" => Helper::Len,
            _ => return None,
        })
    }
}

/// The compiled template asked for and every template it includes, by name.
struct Plans<'t> {
    templates: HashMap<&'t str, Vec<Node<'t>>>,
    /// How many `include`s deep the run is.
    include_depth: Cell<usize>,
}

struct Compiler<'t> {
    /// Templates named by an `include` and not compiled yet.
    pending: Vec<&'t str>,
}

impl<'t> Plans<'t> {
    fn compile(source: &'t Templates, name: &'t str) -> Run<Self> {
        let mut compiler = Compiler {
            pending: vec![name],
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
            include_depth: Cell::new(0),
        })
    }

    fn get(&self, name: &str) -> Run<&[Node<'t>]> {
        self.templates.get(name).map(Vec::as_slice).ok_or(GiveUp)
    }
}

impl<'t> Compiler<'t> {
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
        if h.params.is_empty() && h.hash.is_empty() && !is_helper(name) {
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
            Helper::named(name).ok_or(GiveUp)?
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

/// The helpers handlebars-rust registers itself; `{{name}}` calls a helper of that name
/// rather than writing the value.
const HANDLEBARS_HELPERS: [&str; 17] = [
    "if", "unless", "each", "with", "lookup", "raw", "log", "eq", "ne", "gt", "gte", "lt", "lte",
    "and", "or", "not", "len",
];

fn is_helper(name: &str) -> bool {
    Helper::named(name).is_some() || name == "include" || HANDLEBARS_HELPERS.contains(&name)
}

fn name_of(parameter: &Parameter) -> Run<&str> {
    match parameter {
        Parameter::Name(name) => Ok(name),
        Parameter::Path(Path::Relative((_, raw))) => Ok(raw),
        _ => Err(GiveUp),
    }
}

fn path_ref(path: &Path) -> Run<PathRef<'_>> {
    match path {
        Path::Local((up, name, _)) => Ok(PathRef::Local { up: *up, name }),
        Path::Relative((segments, _)) => {
            let (mut root, mut up, mut keys) = (false, 0, Vec::with_capacity(segments.len()));
            for segment in segments {
                match segment {
                    PathSeg::Named(key) => keys.push(key.as_str()),
                    // The grammar's rule type is private; its name says which it is.
                    PathSeg::Ruled(rule) => match format!("{rule:?}").as_str() {
                        "path_root" if keys.is_empty() && up == 0 => root = true,
                        "path_up" if keys.is_empty() && !root => up += 1,
                        _ => return Err(GiveUp),
                    },
                    _ => return Err(GiveUp),
                }
            }
            Ok(PathRef::Relative { root, up, keys })
        }
    }
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
                Node::Write(expr) => self.eval(expr, scopes)?.write(out)?,
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
                        _ => match otherwise {
                            Some(otherwise) => return self.run(otherwise, scopes, out),
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
            Expr::Literal(value) => Ok(json(value)),
            Expr::Path(path) => lookup(path, scopes),
            Expr::Call(call) => match self.value_of(call, scopes)? {
                Some(value) => Ok(value),
                // A helper that writes text: its text is the value.
                None => {
                    let mut text = String::new();
                    self.call(call, scopes, &mut text)?;
                    Ok(Value::Text(text))
                }
            },
        }
    }

    /// The value of a helper that returns one (`eq`, `or`, `len`); `None` for the others.
    fn value_of(&self, call: &Call<'t>, scopes: &mut Vec<Scope<'t>>) -> Run<Option<Value<'t>>> {
        Ok(Some(match call.helper {
            Helper::Eq => {
                let [a, b] = self.params::<2>(call, scopes)?;
                Value::Bool(a.scalar()? == b.scalar()?)
            }
            Helper::Or => {
                let mut any = false;
                for param in &call.params {
                    any |= self.eval(param, scopes)?.is_truthy();
                }
                Value::Bool(any)
            }
            Helper::Len => {
                let [value] = self.params::<1>(call, scopes)?;
                let len = match value {
                    Value::List(list) => list.len(),
                    Value::Obj(Obj::Map(map)) => map.len(),
                    Value::Missing | Value::Obj(_) => return Err(GiveUp),
                    other => other.as_str().map_or(0, str::len),
                };
                Value::Int(i64::try_from(len).map_err(|_| GiveUp)?)
            }
            _ => return Ok(None),
        }))
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
            Helper::Doc => {
                let [text, prefix] = self.params::<2>(call, scopes)?;
                let indent = match call.params.get(2) {
                    Some(param) => self.eval(param, scopes)?,
                    None => Value::Missing,
                };
                if let Some(text) = text.as_str() {
                    render::doc(text, string(&prefix)?, indent.as_str().unwrap_or(""), out);
                }
            }
            Helper::Indent => {
                let [text, indent] = self.params::<2>(call, scopes)?;
                out.push_str(&render::indent(string(&text)?, string(&indent)?));
            }
            Helper::Include(name) => {
                // Too deep: handlebars-rust says so, in its words.
                let depth = self.include_depth.get();
                if depth >= render::MAX_INCLUDE_DEPTH {
                    return Err(GiveUp);
                }
                self.include_depth.set(depth + 1);
                let included = self.include(name, call, scopes, out);
                self.include_depth.set(depth);
                included?;
            }
            Helper::Eq | Helper::Or | Helper::Len => {
                self.value_of(call, scopes)?.ok_or(GiveUp)?.write(out)?;
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
    match value {
        Value::Obj(Obj::Ty(ty)) => Ok(convert(ty)),
        Value::Obj(Obj::Map(map)) => serde_json::from_value(Json::Object((*map).clone()))
            .map(|ty: Ty| convert(&ty))
            .map_err(|_| GiveUp),
        _ => Err(GiveUp),
    }
}

/// Finds what `path` names, as handlebars does: named values of enclosing `include`s first
/// (innermost out), then the block `up` levels out, or the root.
fn lookup<'t>(path: &PathRef<'t>, scopes: &[Scope<'t>]) -> Run<Value<'t>> {
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
                value = value.get(key);
            }
            Ok(value)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::PathBuf;

    use serde_json::{Value as Json, json};

    use super::{Obj, Value};
    use crate::codegen::context::{self, Context};
    use crate::codegen::{Templates, render};
    use crate::model::resolve::resolve;
    use crate::model::{self, ImportPaths};

    /// Every valid schema the tests keep.
    fn schemas() -> Vec<PathBuf> {
        let valid = |path: &PathBuf| {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            !name.starts_with("invalid-")
        };
        crate::test_schemas().into_iter().filter(valid).collect()
    }

    /// Each schema's context under the default config, and under one that sets every option
    /// the built-in templates read and serves and calls every role.
    fn contexts() -> Vec<(String, Context)> {
        let mut contexts = Vec::new();
        for path in schemas() {
            let schema = model::load(&path, &ImportPaths::only(Vec::new()))
                .unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
            let roles: Vec<String> = context::build(&resolve(&schema).unwrap(), Default::default())
                .roles
                .iter()
                .map(|r| r.name.clone())
                .collect();
            let options = json!({
                "handlerRoles": roles, "hostRoles": roles, "skipInterface": true,
                "hostClassName": "Outside", "handlersClassName": "Served",
                "package": "pkg", "module": "example.com/m", "use": "generated", "import": "./m",
            });
            let Json::Object(options) = options else {
                unreachable!()
            };
            let name = path.display().to_string();
            contexts.push((
                name.clone(),
                context::build(&resolve(&schema).unwrap(), Default::default()),
            ));
            contexts.push((
                format!("{name} (options)"),
                context::build(&resolve(&schema).unwrap(), options),
            ));
        }
        contexts
    }

    #[test]
    fn built_in_templates_render_here_exactly_as_handlebars_renders_them() {
        let templates = Templates::load(None).unwrap();
        let names: Vec<&str> = templates.list().map(|(name, _)| name).collect();
        assert!(names.len() >= 9, "{names:?}");
        for (schema, context) in contexts() {
            for name in &names {
                let direct = super::render(&templates, name, &context)
                    .unwrap_or_else(|| panic!("{name} fell back to handlebars on {schema}"));
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
        let context = context::build(&resolve(&schema).unwrap(), config);
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
        assert_eq!(render::indent("a\nb\n\nc\n", "  "), "a\n  b\n  \n  c\n");
        assert_eq!(render::indent("a", "  "), "a");
    }

    /// The values the interpreter reads are those of the context's JSON form, which is what
    /// handlebars reads: every key, every absent key, every list and every scalar.
    #[test]
    fn values_mirror_the_json_form_of_the_context() {
        for (schema, context) in contexts() {
            let json = serde_json::to_value(&context).unwrap();
            let mut keys = BTreeSet::new();
            collect_keys(&json, &mut keys);
            compare(&Value::Obj(Obj::Context(&context)), &json, &keys, &schema);
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
                value.scalar().ok().as_ref() == Some(scalar),
                "{at}: differs from {scalar}"
            ),
        }
    }
}
