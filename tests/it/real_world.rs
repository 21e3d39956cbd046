//! Schemas in the style of wasmCloud's actor interfaces (written for these tests, with their
//! own domains): string namespaces such as "wasmcloud:mailer", several roles to a file, unary
//! operations, `: void`, maps, lists, optionals, bytes, raw and datetime, block descriptions,
//! tab indentation, trailing whitespace and a missing final newline.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use wapc_codegen::model::{self, ImportPaths};
use wapc_codegen::parser::ast::{Definition, TypeRef};

fn folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/real-world")
}

fn schema_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder())
        .expect("read tests/schemas/real-world")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "widl"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_schema_loads_and_validates() {
    let files = schema_files();
    assert!((5..=8).contains(&files.len()), "{} schemas", files.len());
    for path in files {
        let schema = model::load(&path, &ImportPaths::only(Vec::new()))
            .unwrap_or_else(|errors| panic!("{} is invalid:\n{errors}", path.display()));
        let namespace = schema.namespace.as_deref().unwrap_or_default();
        assert!(!namespace.is_empty(), "{} has no namespace", path.display());
        assert!(
            schema
                .definitions
                .iter()
                .any(|d| matches!(d.definition, Definition::Role(_))),
            "{} has no role",
            path.display()
        );
    }
}

/// What the schemas hold, counted: a change to the parser that loses or adds anything shows
/// up here.
#[test]
fn schema_contents() {
    let mut summary = BTreeMap::new();
    for path in schema_files() {
        let schema = model::load(&path, &ImportPaths::only(Vec::new())).unwrap();
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for scoped in &schema.definitions {
            *counts.entry(scoped.definition.keyword()).or_default() += 1;
            if let Definition::Role(role) = &scoped.definition {
                for op in &role.operations {
                    *counts.entry("operations").or_default() += 1;
                    if op.unary {
                        *counts.entry("unary operations").or_default() += 1;
                    }
                    if op.returns.is_none() {
                        *counts.entry("void operations").or_default() += 1;
                    }
                }
            }
            if let Definition::Type(t) = &scoped.definition {
                for field in &t.fields {
                    *counts.entry("fields").or_default() += 1;
                    match &field.ty {
                        TypeRef::Optional { .. } => {
                            *counts.entry("optional fields").or_default() += 1
                        }
                        TypeRef::List { .. } => *counts.entry("list fields").or_default() += 1,
                        TypeRef::Map { .. } => *counts.entry("map fields").or_default() += 1,
                        TypeRef::Named { .. } | TypeRef::Stream { .. } => {}
                    }
                }
            }
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        summary.insert(name, (schema.namespace.clone().unwrap(), counts));
    }
    insta::assert_yaml_snapshot!(summary);
}

/// `wapc ast` of one schema, whole: the JSON that code generators read.
#[test]
fn ast_of_the_webhook_schema() {
    let output = Command::new(env!("CARGO_BIN_EXE_wapc"))
        .current_dir(folder())
        .env("WAPC_HOME", folder().join("no-wapc-home"))
        .args(["ast", "webhook.widl"])
        .output()
        .expect("run wapc");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    insta::assert_json_snapshot!(json);
}

#[test]
fn all_schemas_check_together_through_the_binary() {
    let files = schema_files();
    let output = Command::new(env!("CARGO_BIN_EXE_wapc"))
        .current_dir(folder())
        .env("WAPC_HOME", folder().join("no-wapc-home"))
        .arg("check")
        .args(files.iter().map(|f| f.file_name().unwrap()))
        .output()
        .expect("run wapc");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.stdout.is_empty() && output.stderr.is_empty());
}
