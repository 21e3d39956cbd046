//! wapc against the old generator (@wapc/widl-codegen 0.0.7 and its parser @wapc/widl 0.0.6,
//! run by `tests/refgen/old.cjs`, one node process per corpus): every schema shape the old
//! parser accepts, wapc accepts and reads the same way.
//!
//! The old generator is installed outside the repository, in `$REFGEN_DIR` (default
//! /tmp/refgen): `npm ci` with `tests/refgen/package*.json` there (as `.ci/run` does), or
//! `../shared/refgen/setup.sh`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use serde_json::{Value as Json, json};
use wapc_codegen::diagnostic::SourceFile;
use wapc_codegen::parser::ast::*;

use crate::support::{old_shapes, random_schema, toolchain};

/// Random schemas in the old syntax, beside the enumerated shapes.
const RANDOM_SCHEMAS: u64 = 200;

/// The folder the old generator is installed in, or `None` (the test then skips, or fails
/// under `WAPC_REQUIRE_TOOLCHAINS=1`).
pub fn old_generator(test: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(std::env::var("REFGEN_DIR").unwrap_or_else(|_| "/tmp/refgen".into()));
    if !toolchain::available(toolchain::runs("node"), test, "node is not installed") {
        return None;
    }
    let installed = dir
        .join("node_modules/@wapc/widl-codegen/package.json")
        .is_file();
    let reason = format!(
        "the old generator is not installed in {} (REFGEN_DIR): npm ci there with tests/refgen/package*.json",
        dir.display()
    );
    toolchain::available(installed, test, &reason).then_some(dir)
}

/// Runs `tests/refgen/old.cjs COMMAND` over `jobs` in one node process; one result per job,
/// `Ok` with what the old generator made or `Err` with its error.
pub fn run_old(refgen: &Path, command: &str, jobs: &Json) -> Vec<Result<Json, String>> {
    let dir = toolchain::scratch("differential", command);
    let jobs_path = dir.join("jobs.json");
    std::fs::write(&jobs_path, jobs.to_string()).expect("writable scratch folder");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/refgen/old.cjs");
    let output = Command::new("node")
        .arg(script)
        .arg(command)
        .arg(&jobs_path)
        .env("REFGEN_DIR", refgen)
        .output()
        .expect("node runs");
    assert!(
        output.status.success(),
        "old.cjs {command} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let results: Vec<Json> =
        serde_json::from_slice(&output.stdout).expect("old.cjs prints a JSON array");
    results
        .into_iter()
        .map(|result| match (result.get("ok"), result.get("error")) {
            (Some(ok), _) => Ok(ok.clone()),
            (None, Some(error)) => Err(error.as_str().unwrap_or_default().to_string()),
            (None, None) => panic!("old.cjs printed {result}"),
        })
        .collect()
}

// ---- the common form of a syntax tree (see tests/refgen/old.cjs) ---------------------------

fn with_description(mut out: Json, description: Option<&StringLiteral>) -> Json {
    if let Some(description) = description {
        out["description"] = json!(description.value);
    }
    out
}

fn type_ref(ty: &TypeRef) -> Json {
    match ty {
        TypeRef::Named { name } => json!({"named": name.value}),
        TypeRef::List { item, .. } => json!({"list": type_ref(item)}),
        TypeRef::Map { key, value, .. } => json!({"map": [type_ref(key), type_ref(value)]}),
        TypeRef::Optional { inner, .. } => json!({"optional": type_ref(inner)}),
        // 0.0.6 has no `stream`; the corpus never writes it.
        TypeRef::Stream { inner, .. } => json!({"stream": type_ref(inner)}),
    }
}

fn value(value: &Value) -> Json {
    match value {
        Value::String { value, .. } => json!({"string": value}),
        Value::Int { value, .. } => json!({"int": value}),
        Value::Float { value, .. } => json!({"float": value}),
        Value::Bool { value, .. } => json!({"bool": value}),
        Value::Null { .. } => json!({"null": true}),
        Value::Enum { value, .. } => json!({"enum": value}),
        Value::List { values, .. } => {
            json!({"list": values.iter().map(self::value).collect::<Vec<_>>()})
        }
        Value::Object { fields, .. } => json!({"object": fields
            .iter()
            .map(|f| json!([f.name.value, self::value(&f.value)]))
            .collect::<Vec<_>>()}),
    }
}

fn annotations(annotations: &[Annotation]) -> Json {
    annotations
        .iter()
        .map(|a| {
            json!({"name": a.name.value, "arguments": a.arguments
                .iter()
                .map(|arg| json!({"name": arg.name.value, "value": value(&arg.value)}))
                .collect::<Vec<_>>()})
        })
        .collect()
}

fn valued(
    description: Option<&StringLiteral>,
    name: &Name,
    ty: &TypeRef,
    default: Option<&Value>,
    annotated: &[Annotation],
) -> Json {
    let mut out = with_description(json!({}), description);
    out["name"] = json!(name.value);
    out["type"] = type_ref(ty);
    if let Some(default) = default {
        out["default"] = value(default);
    }
    out["annotations"] = annotations(annotated);
    out
}

fn parameter(p: &ParameterDefinition) -> Json {
    valued(
        p.description.as_ref(),
        &p.name,
        &p.ty,
        p.default.as_ref(),
        &p.annotations,
    )
}

fn operation(op: &OperationDefinition) -> Json {
    let mut out = with_description(json!({}), op.description.as_ref());
    out["name"] = json!(op.name.value);
    out["parameters"] = op.parameters.iter().map(parameter).collect();
    out["unary"] = json!(op.unary);
    out["returns"] = op.returns.as_ref().map_or(Json::Null, type_ref);
    out["annotations"] = annotations(&op.annotations);
    out
}

fn names(names: &[Name]) -> Json {
    names.iter().map(|n| json!(n.value)).collect()
}

fn definition(definition: &Definition) -> Json {
    let (kind, description) = match definition {
        Definition::Namespace(d) => ("Namespace", d.description.as_ref()),
        Definition::Import(d) => ("Import", d.description.as_ref()),
        Definition::Type(d) => ("Type", d.description.as_ref()),
        Definition::Interface(d) => ("Interface", d.description.as_ref()),
        Definition::Role(d) => ("Role", d.description.as_ref()),
        Definition::Union(d) => ("Union", d.description.as_ref()),
        Definition::Enum(d) => ("Enum", d.description.as_ref()),
        Definition::Alias(d) => ("Alias", d.description.as_ref()),
        Definition::Directive(d) => ("Directive", d.description.as_ref()),
    };
    let mut out = with_description(json!({"kind": kind}), description);
    let annotated = match definition {
        Definition::Namespace(d) => {
            out["name"] = json!(d.name.value);
            &d.annotations
        }
        Definition::Import(d) => {
            out["all"] = json!(d.all);
            out["names"] = d
                .names
                .iter()
                .map(|n| match &n.alias {
                    Some(alias) => json!({"name": n.name.value, "alias": alias.value}),
                    None => json!({"name": n.name.value}),
                })
                .collect();
            out["from"] = json!(d.from.value);
            &d.annotations
        }
        Definition::Type(d) => {
            out["name"] = json!(d.name.value);
            out["interfaces"] = names(&d.interfaces);
            out["fields"] = d
                .fields
                .iter()
                .map(|f| {
                    valued(
                        f.description.as_deref(),
                        &f.name,
                        &f.ty,
                        f.default.as_deref(),
                        &f.annotations,
                    )
                })
                .collect();
            &d.annotations
        }
        Definition::Interface(d) => {
            out["operations"] = d.operations.iter().map(operation).collect();
            &d.annotations
        }
        Definition::Role(d) => {
            out["name"] = json!(d.name.value);
            out["operations"] = d.operations.iter().map(operation).collect();
            &d.annotations
        }
        Definition::Union(d) => {
            out["name"] = json!(d.name.value);
            out["types"] = d.types.iter().map(type_ref).collect();
            &d.annotations
        }
        Definition::Enum(d) => {
            out["name"] = json!(d.name.value);
            out["values"] = d
                .values
                .iter()
                .map(|v| {
                    let mut value = with_description(json!({}), v.description.as_ref());
                    value["name"] = json!(v.name.value);
                    value["index"] = json!(v.index.value);
                    if let Some(display) = &v.display {
                        value["display"] = json!(display.value);
                    }
                    value["annotations"] = annotations(&v.annotations);
                    value
                })
                .collect();
            &d.annotations
        }
        // 0.0.6 has no aliases; the corpus never writes one.
        Definition::Alias(d) => {
            out["name"] = json!(d.name.value);
            out["type"] = type_ref(&d.ty);
            &d.annotations
        }
        Definition::Directive(d) => {
            out["name"] = json!(d.name.value);
            out["parameters"] = d.parameters.iter().map(parameter).collect();
            out["locations"] = names(&d.locations);
            out["requires"] = d
                .requires
                .iter()
                .map(|r| json!({"directive": r.directive.value, "locations": names(&r.locations)}))
                .collect();
            return out;
        }
    };
    out["annotations"] = annotations(annotated);
    out
}

/// wapc's syntax tree of `text` in the common form, or its errors.
fn wapc_tree(text: &str) -> Result<Json, String> {
    let file = Arc::new(SourceFile::new("shape.widl", text.to_string()));
    let document = wapc_codegen::parser::parse(&file).map_err(|e| e.to_string())?;
    Ok(document.definitions.iter().map(definition).collect())
}

/// The differential corpus: the enumerated shapes and random schemas in the old syntax, each
/// valid (wapc must also accept it as a whole), and the import shapes, which only parse.
pub fn corpus() -> Vec<(String, String)> {
    let mut corpus = old_shapes::corpus();
    corpus.extend((0..RANDOM_SCHEMAS).map(|seed| {
        (
            format!("random seed {seed}"),
            random_schema::old_schema(seed, seed % 2 == 0),
        )
    }));
    corpus
}

/// JavaScript has one number type, so JSON gives a whole float as an integer (`200`, not
/// `200.0`); the common form holds floats as f64.
fn floats_as_f64(json: &mut Json) {
    match json {
        Json::Object(map) => {
            if let Some(float) = map.get_mut("float")
                && let Some(value) = float.as_f64()
            {
                *float = json!(value);
            }
            map.values_mut().for_each(floats_as_f64);
        }
        Json::Array(items) => items.iter_mut().for_each(floats_as_f64),
        _ => {}
    }
}

#[test]
fn the_old_parser_and_wapc_read_every_shape_alike() {
    let Some(refgen) = old_generator("the_old_parser_and_wapc_read_every_shape_alike") else {
        return;
    };
    let mut shapes = corpus();
    let valid = shapes.len();
    shapes.extend(
        old_shapes::imports()
            .into_iter()
            .enumerate()
            .map(|(i, text)| (format!("import {i}"), text)),
    );
    let texts: Vec<&str> = shapes.iter().map(|(_, text)| text.as_str()).collect();
    let old = run_old(&refgen, "parse", &json!(texts));
    assert_eq!(old.len(), shapes.len(), "one result per schema");
    let mut failures = Vec::new();
    for (i, ((name, text), old)) in shapes.iter().zip(old).enumerate() {
        let old = match old {
            Ok(mut tree) => {
                floats_as_f64(&mut tree);
                tree
            }
            Err(error) => {
                panic!("{name}: the corpus holds a schema 0.0.6 rejects ({error}):\n{text}")
            }
        };
        match wapc_tree(text) {
            Err(errors) => failures.push(format!("{name}: wapc rejects it:\n{errors}\n{text}")),
            Ok(tree) if tree != old => failures.push(format!(
                "{name}: wapc reads it otherwise:\n  0.0.6: {old}\n  wapc:  {tree}\n{text}"
            )),
            Ok(_) => {}
        }
        if i < valid
            && let Err(errors) = wapc_codegen::model::load_str("shape.widl", text)
        {
            failures.push(format!("{name}: wapc finds it invalid:\n{errors}\n{text}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} schemas differ:\n\n{}",
        failures.len(),
        shapes.len(),
        failures.join("\n\n")
    );
}
