//! wapc against the old generator (@wapc/widl-codegen 0.0.7 and its parser @wapc/widl 0.0.6,
//! run by `tests/refgen/old.cjs`, one node process per corpus): every schema shape the old
//! parser accepts, wapc accepts and reads the same way.
//!
//! The old generator is installed outside the repository, in `$REFGEN_DIR` (default
//! /tmp/refgen): `npm ci` with `tests/refgen/package*.json` there (as `.ci/run` does), or
//! `../shared/refgen/setup.sh`.

use std::collections::{BTreeMap, HashMap, HashSet};
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
    let installed = ["@wapc/widl-codegen", "typescript"].iter().all(|package| {
        dir.join("node_modules")
            .join(package)
            .join("package.json")
            .is_file()
    });
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

// ---- the API of the generated code ---------------------------------------------------------

/// Random schemas the API test takes besides the enumerated shapes (each is generated for 4
/// templates under 2 configs, in the old and the new form).
const API_RANDOM_SCHEMAS: u64 = 30;

/// How a declaration file is read.
#[derive(Clone, Copy, PartialEq)]
enum Reader {
    Rust,
    Go,
    AssemblyScript,
}

/// A built-in template and the old visitor it stands in for.
struct Target {
    /// The old generator's language (`@wapc/widl-codegen/<old>`).
    old: &'static str,
    template: &'static str,
    file: &'static str,
    reader: Reader,
}

const TARGETS: [Target; 4] = [
    Target {
        old: "rust",
        template: "rust/module",
        file: "module.rs",
        reader: Reader::Rust,
    },
    Target {
        old: "tinygo",
        template: "tinygo/module",
        file: "tinygo.go",
        reader: Reader::Go,
    },
    Target {
        old: "go",
        template: "go/host",
        file: "host.go",
        reader: Reader::Go,
    },
    Target {
        old: "assemblyscript",
        template: "assemblyscript/module",
        file: "module.ts",
        reader: Reader::AssemblyScript,
    },
];

/// The ways a codegen.yaml names a target: the old CLI's two, and wapc's. `module:` and
/// `package:` differ only in the Rust guest gate (only `module: '@wapc/widl-codegen/rust'` is
/// 0.0.7's gated generator), so `package:` is tried for Rust alone.
const FORMS: [&str; 3] = ["module", "package", "template"];

fn forms(target: &Target) -> impl Iterator<Item = &'static str> {
    FORMS
        .into_iter()
        .filter(move |form| *form != "package" || target.reader == Reader::Rust)
}

fn target_yaml(target: &Target, form: &str) -> String {
    match form {
        "module" => format!(
            "{{module: '@wapc/widl-codegen/{}', visitorClass: ModuleVisitor}}",
            target.old
        ),
        "package" => format!(
            "{{package: 'widl-codegen/language/{}', visitorClass: ModuleVisitor}}",
            target.old
        ),
        _ => format!("{{template: {}}}", target.template),
    }
}

/// The config shapes for a schema with these roles: none; each role called on the host;
/// each served; both, without the interface.
fn config_shapes(roles: &[String]) -> Vec<(&'static str, Json)> {
    let mut shapes = vec![("defaults", json!({}))];
    if !roles.is_empty() {
        shapes.push(("hostRoles", json!({"hostRoles": roles})));
        shapes.push(("handlerRoles", json!({"handlerRoles": roles})));
    }
    shapes.push((
        "skipInterface",
        json!({"hostRoles": roles, "handlerRoles": roles, "skipInterface": true}),
    ));
    shapes
}

/// One schema under one config: where its files go.
struct Case {
    name: String,
    enums_and_unions: Vec<String>,
    schema: String,
    config: Json,
    dir: String,
}

/// The declarations of each of `files` (all under `root`), by path.
fn read_declarations(
    refgen: &Path,
    reader: Reader,
    root: &Path,
    files: &[PathBuf],
) -> HashMap<PathBuf, Vec<String>> {
    let mut api = HashMap::new();
    match reader {
        Reader::Rust => {
            for path in files {
                let text = std::fs::read_to_string(path).expect("generated file");
                let declarations = crate::support::rust_api::declarations(&text)
                    .unwrap_or_else(|e| vec![format!("error {e}")]);
                api.insert(path.clone(), declarations);
            }
        }
        Reader::AssemblyScript => {
            let texts: Vec<String> = files
                .iter()
                .map(|p| std::fs::read_to_string(p).expect("generated file"))
                .collect();
            for (path, result) in files
                .iter()
                .zip(run_old(refgen, "declarations", &json!(texts)))
            {
                let declarations = match result {
                    Ok(list) => serde_json::from_value(list).expect("a list of lines"),
                    Err(e) => vec![format!("error {e}")],
                };
                api.insert(path.clone(), declarations);
            }
        }
        Reader::Go => {
            // One `go run` for every Go file under `root`.
            let dumper = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/refgen/goapi");
            let output = Command::new("go")
                .current_dir(&dumper)
                .args(["run", "."])
                .arg(root)
                .output()
                .expect("go runs");
            assert!(
                output.status.success(),
                "goapi failed:\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
            let all: HashMap<PathBuf, Vec<String>> =
                serde_json::from_slice(&output.stdout).expect("goapi prints JSON");
            for path in files {
                api.insert(path.clone(), all.get(path).cloned().unwrap_or_default());
            }
        }
    }
    api
}

/// The names of the schema's definitions that `pick` keeps.
fn definition_names(schema: &str, pick: fn(&Definition) -> bool) -> Vec<String> {
    let file = Arc::new(SourceFile::new("shape.widl", schema.to_string()));
    let document = wapc_codegen::parser::parse(&file).expect("the corpus parses");
    (document.definitions.iter())
        .filter(|d| pick(d))
        .filter_map(|d| d.name().map(|n| n.value.to_string()))
        .collect()
}

fn enums_and_unions(schema: &str) -> Vec<String> {
    definition_names(schema, |d| {
        matches!(d, Definition::Enum(_) | Definition::Union(_))
    })
}

fn role_names(schema: &str) -> Vec<String> {
    definition_names(schema, |d| matches!(d, Definition::Role(_)))
}

#[test]
fn wapc_declares_every_name_the_old_generator_declared() {
    let test = "wapc_declares_every_name_the_old_generator_declared";
    let Some(refgen) = old_generator(test) else {
        return;
    };
    let go = Command::new("go").arg("version").output();
    if !toolchain::available(
        go.is_ok_and(|o| o.status.success()),
        test,
        "Go is not installed",
    ) {
        return;
    }
    let dir = toolchain::scratch("differential", "api");
    let mut schemas = old_shapes::corpus_for_api();
    schemas.extend((0..API_RANDOM_SCHEMAS).map(|seed| {
        (
            format!("random seed {seed}"),
            random_schema::old_schema(seed, seed % 2 == 0),
        )
    }));

    // Every case into one codegen.yaml (a document each), generated by one wapc run.
    let mut cases = Vec::new();
    let mut codegen = String::new();
    for (i, (name, schema)) in schemas.iter().enumerate() {
        let schema_file = format!("schemas/{i}.widl");
        std::fs::create_dir_all(dir.join("schemas")).expect("writable scratch folder");
        std::fs::write(dir.join(&schema_file), schema).expect("writable scratch folder");
        // Every config shape for the enumerated shapes; for the random schemas, the defaults
        // and one other shape in turn.
        let shapes = config_shapes(&role_names(schema));
        let rotation = 1 + i % (shapes.len() - 1).max(1);
        let chosen = shapes
            .into_iter()
            .enumerate()
            .filter(|(k, _)| !name.starts_with("random") || *k == 0 || *k == rotation);
        for (_, (shape, config)) in chosen {
            let case_dir = format!("cases/{i}-{shape}");
            codegen.push_str(&format!(
                "---\nschema: {schema_file}\nconfig: {config}\ngenerates:\n"
            ));
            for target in &TARGETS {
                for form in forms(target) {
                    codegen.push_str(&format!(
                        "  {case_dir}/{form}/{}: {}\n",
                        target.file,
                        target_yaml(target, form)
                    ));
                }
            }
            cases.push(Case {
                name: format!("{name}, {shape}"),
                enums_and_unions: enums_and_unions(schema),
                schema: schema.to_string(),
                config,
                dir: case_dir,
            });
        }
    }
    std::fs::write(dir.join("codegen.yaml"), codegen).expect("writable scratch folder");
    toolchain::wapc(&dir, &["generate", "--no-format", "--quiet"]);

    // The old generator's output for every case and target, from one node process.
    let jobs: Vec<Json> = cases
        .iter()
        .flat_map(|case| {
            TARGETS.iter().map(|target| {
                json!({"schema": case.schema, "language": target.old, "visitor": "ModuleVisitor", "config": case.config})
            })
        })
        .collect();
    let mut old_results = run_old(&refgen, "generate", &json!(jobs)).into_iter();
    let mut old_failures = 0;
    let mut files: HashMap<usize, Vec<PathBuf>> = HashMap::new();
    for case in &cases {
        for (t, target) in TARGETS.iter().enumerate() {
            let path = dir.join(&case.dir).join("old").join(target.file);
            match old_results.next().expect("one result per job") {
                Ok(text) => {
                    std::fs::create_dir_all(path.parent().expect("a folder")).expect("writable");
                    std::fs::write(&path, text.as_str().unwrap_or_default()).expect("writable");
                    files.entry(t).or_default().push(path);
                }
                // What the old generator could not generate, nobody's code was written against.
                Err(_) => old_failures += 1,
            }
            for form in forms(target) {
                files
                    .entry(t)
                    .or_default()
                    .push(dir.join(&case.dir).join(form).join(target.file));
            }
        }
    }

    // Every file's declarations: syn for Rust, one `go run` for Go, one node for TypeScript.
    let mut api = HashMap::new();
    for reader in [Reader::Rust, Reader::Go, Reader::AssemblyScript] {
        let list: Vec<PathBuf> = (TARGETS.iter().enumerate())
            .filter(|(_, target)| target.reader == reader)
            .flat_map(|(t, _)| files.remove(&t).unwrap_or_default())
            .collect();
        api.extend(read_declarations(
            &refgen,
            reader,
            &dir.join("cases"),
            &list,
        ));
    }

    let mut missing: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut documented: BTreeMap<&str, usize> = BTreeMap::new();
    let mut compared = 0;
    for case in &cases {
        for target in &TARGETS {
            let Some(old) = api.get(&dir.join(&case.dir).join("old").join(target.file)) else {
                continue;
            };
            // Old output that does not even parse (keywords as names, say) never compiled.
            if old.iter().any(|d| d.starts_with("error ")) {
                old_failures += 1;
                continue;
            }
            for form in forms(target) {
                let new = &api[&dir.join(&case.dir).join(form).join(target.file)];
                compared += 1;
                if let Some(error) = new.iter().find(|d| d.starts_with("error ")) {
                    missing
                        .entry(format!(
                            "{} ({form}): wapc's output does not parse: {error}",
                            target.template
                        ))
                        .or_default()
                        .push(case.name.clone());
                    continue;
                }
                let aliases = aliases(target.reader, new);
                let new_set: HashSet<String> = new
                    .iter()
                    .map(|d| normalize(target.reader, d, &aliases))
                    .collect();
                for declaration in absent(target.reader, old, new, &case.enums_and_unions) {
                    if let Some(known) = DIFFERENCES.iter().find(|k| {
                        k.template == target.template
                            && k.forms.contains(&form)
                            && (k.covers)(&declaration, &new_set)
                    }) {
                        *documented.entry(known.readme).or_default() += 1;
                        continue;
                    }
                    missing
                        .entry(format!("{} ({form}): {declaration}", target.template))
                        .or_default()
                        .push(case.name.clone());
                }
            }
        }
    }
    eprintln!(
        "compared {compared} outputs with the old generator's ({old_failures} old outputs did not parse); documented differences: {documented:?}"
    );
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let migration = readme
        .split("## Coming from the old wapc CLI")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("the README's migration section");
    let words = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    let migration = words(migration);
    for known in &DIFFERENCES {
        assert!(
            migration.contains(known.readme),
            "the README's migration section does not give the reason for: {}",
            known.readme
        );
    }
    let report: Vec<String> = missing
        .iter()
        .map(|(what, cases)| format!("{what}\n    in {} cases, such as {}", cases.len(), cases[0]))
        .collect();
    assert!(
        report.is_empty(),
        "{} declarations of the old output are missing from wapc's:\n{}",
        report.len(),
        report.join("\n")
    );
}

/// A known difference: old declarations of one template that wapc's output does not have as
/// they were, for a reason the README's migration section gives (its text holds `readme`).
struct Difference {
    template: &'static str,
    /// The forms of a target (`FORMS`) it holds for.
    forms: &'static [&'static str],
    readme: &'static str,
    /// Whether this old declaration is of this kind, given wapc's declarations.
    covers: fn(&str, &HashSet<String>) -> bool,
}

const DIFFERENCES: [Difference; 8] = [
    Difference {
        template: "rust/module",
        forms: &FORMS,
        readme: "Inside lists, maps, unions and aliases `bytes` is `serde_bytes::ByteBuf`",
        covers: |old, new| new.contains(&nested_bytes_as_byte_buf(old)),
    },
    Difference {
        template: "go/host",
        forms: &FORMS,
        readme: "`New(instance *wapc.Instance)` of older wapc-go",
        covers: |old, _| old.starts_with("func New(*wapc.Instance)"),
    },
    Difference {
        template: "go/host",
        forms: &FORMS,
        readme: "has no `XArgs` struct for an operation without parameters",
        covers: |old, new| {
            old.strip_prefix("type ")
                .and_then(|d| d.strip_suffix("Args struct"))
                .is_some_and(|name| {
                    !new.iter()
                        .any(|d| d.starts_with(&format!("field {name}Args.")))
                })
        },
    },
    Difference {
        template: "go/host",
        forms: &["template"],
        readme: "A new-form target (`template:`) spells names with initialisms",
        covers: differs_in_spelling_only,
    },
    Difference {
        template: "tinygo/module",
        forms: &["template"],
        readme: "A new-form target (`template:`) spells names with initialisms",
        covers: |old, new| {
            differs_in_spelling_only(old, new)
                || differs_in_spelling_only(&old.replace("*msgpack.Decoder", "msgpack.Reader"), new)
        },
    },
    Difference {
        template: "assemblyscript/module",
        forms: &["template"],
        readme: "A new-form target (`template:`) spells class names",
        covers: differs_in_spelling_only,
    },
    Difference {
        template: "tinygo/module",
        forms: &FORMS,
        readme: "which `*msgpack.Decoder` implements",
        covers: |old, new| {
            old.ends_with(" Decode(*msgpack.Decoder) error")
                && new.contains(&old.replace("*msgpack.Decoder", "msgpack.Reader"))
        },
    },
    Difference {
        template: "assemblyscript/module",
        forms: &FORMS,
        readme: "takes a trailing `_`",
        covers: |old, new| {
            old.split_once(": ")
                .is_some_and(|(member, ty)| new.contains(&format!("{member}_: {ty}")))
        },
    },
];

/// `declaration` with each `Vec<u8>` inside a list, map or other type as `ByteBuf`; not one
/// that is a whole type, or an optional, a result or a `HandlerResult` of one.
fn nested_bytes_as_byte_buf(declaration: &str) -> String {
    let opens_generic = |text: &str| text.ends_with('<') || text.ends_with(',');
    let mut out = String::new();
    let mut rest = declaration;
    while let Some(at) = rest.find("Vec<u8>") {
        out.push_str(&rest[..at]);
        let wrapper = ["Option<", "HandlerResult<", "Result<"]
            .iter()
            .find_map(|w| out.strip_suffix(w));
        let whole = match wrapper {
            Some(before) => !opens_generic(before),
            None => !opens_generic(&out),
        };
        out.push_str(if whole { "Vec<u8>" } else { "ByteBuf" });
        rest = &rest[at + "Vec<u8>".len()..];
    }
    out.push_str(rest);
    out
}

/// Whether wapc declares the same but for the letter case and underscores (`URL` for `Url`,
/// `GetUserName` for `Get_user_name`), or a generic form of it.
fn differs_in_spelling_only(old: &str, new: &HashSet<String>) -> bool {
    let loose = |d: &str| d.to_lowercase().replace('_', "");
    let new: HashSet<String> = new.iter().map(|d| loose(d)).collect();
    let old = loose(old);
    new.contains(&old) || matches_generic(&old, &new)
}

/// The old declarations that wapc's output lacks, both read alike first (`normalize`); in that
/// form.
fn absent(
    reader: Reader,
    old: &[String],
    new: &[String],
    enums_and_unions: &[String],
) -> Vec<String> {
    let new_aliases = aliases(reader, new);
    let new: HashSet<String> = new
        .iter()
        .map(|d| normalize(reader, d, &new_aliases))
        .collect();
    old.iter()
        .filter(|d| !mentions_undefined(reader, d, enums_and_unions))
        .map(|d| normalize(reader, d, &new_aliases))
        .filter(|d| !new.contains(d) && !matches_generic(d, &new))
        .collect()
}

/// Go and Rust type aliases that name a struct (`type Host = Client`, `pub type Item_2 =
/// Item2`): code that names either names the same type.
fn aliases(reader: Reader, declarations: &[String]) -> HashMap<String, String> {
    if reader == Reader::AssemblyScript {
        return HashMap::new();
    }
    declarations
        .iter()
        .filter_map(|d| d.strip_prefix("type ")?.split_once(" = "))
        .filter(|(_, target)| target.chars().all(|c| c.is_alphanumeric() || c == '_'))
        .map(|(alias, target)| (alias.to_string(), target.to_string()))
        .collect()
}

/// A declaration in the form both sides are compared in: Go alias names replaced by the
/// types they stand for; in Rust, the standard library's paths as the old output spelled them
/// dropped (`std::collections::HashMap` is the `HashMap` wapc re-exports, `ByteBuf` too), a
/// derived trait the same as an implemented one, and `Option<Box<T>>` (wapc's recursive field)
/// as `Option<T>`;
/// in AssemblyScript, the old output's `MapType` as `Map` (it never imported a `MapType`).
fn normalize(reader: Reader, declaration: &str, aliases: &HashMap<String, String>) -> String {
    match reader {
        Reader::Go => {
            let mut out = declaration.to_string();
            for (alias, target) in aliases {
                out = replace_word(&out, alias, target);
            }
            out
        }
        Reader::Rust => {
            let mut out = declaration.to_string();
            for (alias, target) in aliases {
                out = replace_word(&out, alias, target);
            }
            let mut out = unbox(
                &out.replace("::std::result::Result", "Result")
                    .replace("std::collections::HashMap", "HashMap")
                    .replace("serde_bytes::ByteBuf", "ByteBuf"),
            );
            if let Some(rest) = out.strip_prefix("derive ")
                && let Some((name, t)) = rest.split_once(": ")
            {
                out = format!("impl {t} for {name}");
            }
            out
        }
        Reader::AssemblyScript => replace_word(declaration, "MapType", "Map"),
    }
}

/// `text` with `Box<T>` as `T` (but `Box<dyn ...>`, which is no recursive field).
fn unbox(text: &str) -> String {
    let mut out = text.to_string();
    while let Some(at) = out
        .find("Box<")
        .filter(|&at| !out[at..].starts_with("Box<dyn"))
    {
        let inner = at + "Box<".len();
        let mut depth = 1;
        let Some(close) = out[inner..].char_indices().find_map(|(i, c)| {
            depth += match c {
                '<' => 1,
                '>' => -1,
                _ => 0,
            };
            (depth == 0).then_some(inner + i)
        }) else {
            break;
        };
        out = format!("{}{}{}", &out[..at], &out[inner..close], &out[close + 1..]);
    }
    out
}

/// Whether an old declaration names a type that the old output never defined, so that code
/// using it did not compile: the WIDL types that the old generator wrote out as they were
/// (`datetime` and `raw`), the schema's enums and unions (it generated neither),
/// and in AssemblyScript a nullable number or boolean (`i32 | null`, which asc refuses).
fn mentions_undefined(reader: Reader, declaration: &str, enums_and_unions: &[String]) -> bool {
    let unmapped = ["datetime", "raw"];
    let scalars = [
        "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f32", "f64", "bool",
    ];
    let nullable_scalar = reader == Reader::AssemblyScript
        && scalars.iter().any(|s| {
            declaration.contains(&format!(":{s}|null"))
                || declaration.contains(&format!(" {s}|null"))
                || declaration.contains(&format!("({s}|null"))
                || declaration.contains(&format!("<{s}|null"))
                || declaration.contains(&format!(",{s}|null"))
        });
    nullable_scalar
        || declaration
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .any(|word| unmapped.contains(&word) || enums_and_unions.iter().any(|n| n == word))
}

/// Whether a declaration of wapc's with a type parameter (written `*`: a generic handler
/// parameter in AssemblyScript) takes `declaration`'s types.
fn matches_generic(declaration: &str, new: &HashSet<String>) -> bool {
    new.iter().filter(|n| n.contains('*')).any(|n| {
        let parts: Vec<&str> = n.split('*').collect();
        let (first, last) = (parts[0], parts[parts.len() - 1]);
        declaration.starts_with(first)
            && declaration[first.len()..].ends_with(last)
            && declaration.len() >= first.len() + last.len()
    })
}

/// `text` with every whole-word `from` replaced by `to`.
fn replace_word(text: &str, from: &str, to: &str) -> String {
    let mut out = String::new();
    let mut word = String::new();
    for c in text.chars().chain(std::iter::once('\0')) {
        if c.is_alphanumeric() || c == '_' {
            word.push(c);
            continue;
        }
        out.push_str(if word == from { to } else { &word });
        word.clear();
        if c != '\0' {
            out.push(c);
        }
    }
    out
}
