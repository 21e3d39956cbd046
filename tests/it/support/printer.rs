//! Prints a WIDL syntax tree back as WIDL text, for the round-trip property test.

use std::fmt::Write as _;

use wapc_codegen::parser::ast::*;

pub fn document(document: &Document) -> String {
    let mut out = String::new();
    for definition in &document.definitions {
        definition_text(&mut out, definition);
        out.push('\n');
    }
    out
}

fn definition_text(out: &mut String, definition: &Definition) {
    match definition {
        Definition::Namespace(d) => {
            description(out, d.description.as_ref(), "");
            let _ = writeln!(
                out,
                "namespace {}{}",
                quote(&d.name.value),
                annotations(&d.annotations)
            );
        }
        Definition::Import(d) => {
            description(out, d.description.as_ref(), "");
            let what = if d.all {
                "*".to_string()
            } else {
                let names: Vec<String> = d
                    .names
                    .iter()
                    .map(|n| match &n.alias {
                        Some(alias) => format!("{} as {}", n.name.value, alias.value),
                        None => n.name.value.to_string(),
                    })
                    .collect();
                format!("{{ {} }}", names.join(", "))
            };
            let _ = writeln!(
                out,
                "import {what} from {}{}",
                quote(&d.from.value),
                annotations(&d.annotations)
            );
        }
        Definition::Type(d) => {
            description(out, d.description.as_ref(), "");
            let implements = if d.interfaces.is_empty() {
                String::new()
            } else {
                let names: Vec<&str> = d.interfaces.iter().map(|n| n.value.as_str()).collect();
                format!(" implements {}", names.join(" & "))
            };
            let _ = writeln!(
                out,
                "type {}{implements}{} {{",
                d.name.value,
                annotations(&d.annotations)
            );
            for field in &d.fields {
                description(out, field.description.as_deref(), "  ");
                let _ = writeln!(
                    out,
                    "  {}: {}{}{}",
                    field.name.value,
                    type_ref(&field.ty),
                    default(field.default.as_deref()),
                    annotations(&field.annotations)
                );
            }
            out.push_str("}\n");
        }
        Definition::Interface(d) => {
            description(out, d.description.as_ref(), "");
            let _ = writeln!(out, "interface{} {{", annotations(&d.annotations));
            operations(out, &d.operations);
            out.push_str("}\n");
        }
        Definition::Role(d) => {
            description(out, d.description.as_ref(), "");
            let _ = writeln!(
                out,
                "role {}{} {{",
                d.name.value,
                annotations(&d.annotations)
            );
            operations(out, &d.operations);
            out.push_str("}\n");
        }
        Definition::Union(d) => {
            description(out, d.description.as_ref(), "");
            let members: Vec<String> = d.types.iter().map(type_ref).collect();
            let _ = writeln!(
                out,
                "union {}{} = {}",
                d.name.value,
                annotations(&d.annotations),
                members.join(" | ")
            );
        }
        Definition::Enum(d) => {
            description(out, d.description.as_ref(), "");
            let _ = writeln!(
                out,
                "enum {}{} {{",
                d.name.value,
                annotations(&d.annotations)
            );
            for value in &d.values {
                description(out, value.description.as_ref(), "  ");
                let display = match &value.display {
                    Some(display) => format!(" as {}", quote(&display.value)),
                    None => String::new(),
                };
                let _ = writeln!(
                    out,
                    "  {} = {}{display}{}",
                    value.name.value,
                    value.index.value,
                    annotations(&value.annotations)
                );
            }
            out.push_str("}\n");
        }
        Definition::Alias(d) => {
            description(out, d.description.as_ref(), "");
            let _ = writeln!(
                out,
                "alias {} = {}{}",
                quote_if_needed(&d.name.value),
                type_ref(&d.ty),
                annotations(&d.annotations)
            );
        }
        Definition::Directive(d) => {
            description(out, d.description.as_ref(), "");
            let parameters = if d.parameters.is_empty() {
                String::new()
            } else {
                format!("({})", parameters(&d.parameters))
            };
            let _ = write!(
                out,
                "directive @{}{parameters} on {}",
                d.name.value,
                locations(&d.locations)
            );
            if !d.requires.is_empty() {
                out.push_str(" require");
                for require in &d.requires {
                    let _ = write!(
                        out,
                        " @{} on {}",
                        require.directive.value,
                        locations(&require.locations)
                    );
                }
            }
            out.push('\n');
        }
    }
}

fn operations(out: &mut String, operations: &[OperationDefinition]) {
    for op in operations {
        description(out, op.description.as_ref(), "  ");
        let parameters = if op.unary {
            format!("{{{}}}", parameters(&op.parameters))
        } else {
            format!("({})", parameters(&op.parameters))
        };
        let returns = match &op.returns {
            Some(ty) => format!(": {}", type_ref(ty)),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "  {}{parameters}{returns}{}",
            op.name.value,
            annotations(&op.annotations)
        );
    }
}

fn parameters(parameters: &[ParameterDefinition]) -> String {
    let printed: Vec<String> = parameters
        .iter()
        .map(|p| {
            let description = match &p.description {
                Some(d) => format!("{} ", quote(&d.value)),
                None => String::new(),
            };
            format!(
                "{description}{}: {}{}{}",
                p.name.value,
                type_ref(&p.ty),
                default(p.default.as_ref()),
                annotations(&p.annotations)
            )
        })
        .collect();
    printed.join(", ")
}

fn locations(locations: &[Name]) -> String {
    let names: Vec<&str> = locations.iter().map(|n| n.value.as_str()).collect();
    names.join(" | ")
}

fn description(out: &mut String, description: Option<&StringLiteral>, indent: &str) {
    if let Some(d) = description {
        let _ = writeln!(out, "{indent}{}", quote(&d.value));
    }
}

fn annotations(annotations: &[Annotation]) -> String {
    let mut out = String::new();
    for annotation in annotations {
        let _ = write!(out, " @{}", annotation.name.value);
        if !annotation.arguments.is_empty() {
            let arguments: Vec<String> = annotation
                .arguments
                .iter()
                .map(|a| format!("{}: {}", a.name.value, value(&a.value)))
                .collect();
            let _ = write!(out, "({})", arguments.join(", "));
        }
    }
    out
}

fn default(default: Option<&Value>) -> String {
    match default {
        Some(v) => format!(" = {}", value(v)),
        None => String::new(),
    }
}

pub fn type_ref(ty: &TypeRef) -> String {
    match ty {
        TypeRef::Named { name } => name.value.to_string(),
        TypeRef::List { item, .. } => format!("[{}]", type_ref(item)),
        TypeRef::Map { key, value, .. } => format!("{{{}: {}}}", type_ref(key), type_ref(value)),
        TypeRef::Optional { inner, .. } => format!("{}?", type_ref(inner)),
        TypeRef::Stream { inner, .. } => format!("stream {}", type_ref(inner)),
    }
}

fn value(value: &Value) -> String {
    match value {
        Value::String { value, .. } => quote(value),
        Value::Int { value, .. } => value.to_string(),
        Value::Float { value, .. } => {
            let text = format!("{value:?}");
            if text.contains(['.', 'e', 'E']) {
                text
            } else {
                format!("{text}.0")
            }
        }
        Value::Bool { value, .. } => value.to_string(),
        Value::Null { .. } => "null".to_string(),
        Value::Enum { value, .. } => value.clone(),
        Value::List { values, .. } => {
            let items: Vec<String> = values.iter().map(self::value).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object { fields, .. } => {
            let fields: Vec<String> = fields
                .iter()
                .map(|f| format!("{}: {}", quote(&f.name.value), self::value(&f.value)))
                .collect();
            format!("{{{}}}", fields.join(", "))
        }
    }
}

fn quote_if_needed(name: &str) -> String {
    let plain = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain { name.to_string() } else { quote(name) }
}

/// A WIDL string literal: JSON's escapes, which WIDL reads the same way.
pub fn quote(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
