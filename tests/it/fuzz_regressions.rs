//! Hostile input: every file in tests/fuzz_regressions/ goes through the code paths of the
//! fuzz targets (fuzz/fuzz_targets/): the parser, the parser + validator (`load_str`), the
//! error messages, the `wapc ast` JSON, and for a valid schema the context and every built-in
//! template, with the default config and with every role in `hostRoles` / `handlerRoles`.
//!
//! A file's name says what it must do: `valid-*` must validate and render with every template;
//! `invalid-*` must be refused with located errors. Neither may panic, overflow the stack or
//! take long. `invalid-fuzz-*` / `valid-fuzz-*` are crashers found by `cargo fuzz` (minimised
//! with `cargo fuzz tmin`); the others are hand-picked inputs at and just past every limit.

use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Map, Value};
use wapc_codegen::codegen::Templates;
use wapc_codegen::codegen::context::{Context, SchemaViews};
use wapc_codegen::diagnostic::SourceFile;

/// What a file is expected to do, from its name.
#[derive(Debug, PartialEq)]
enum Expect {
    Valid,
    Invalid,
}

fn cases() -> Vec<(PathBuf, Expect)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let mut cases: Vec<(PathBuf, Expect)> = std::fs::read_dir(&dir)
        .expect("tests/fuzz_regressions exists")
        .map(|entry| entry.expect("a readable entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "widl"))
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let expect = if name.starts_with("valid-") {
                Expect::Valid
            } else if name.starts_with("invalid-") {
                Expect::Invalid
            } else {
                panic!("{name}: name it valid-* or invalid-*");
            };
            (path, expect)
        })
        .collect();
    cases.sort_by(|a, b| a.0.cmp(&b.0));
    cases
}

/// Runs one input through everything the fuzz targets run; `Ok` when it validated.
fn run(text: &str, templates: &Templates) -> Result<usize, String> {
    let file = Arc::new(SourceFile::new("fuzz.widl", text.to_string()));
    let parsed = wapc_codegen::parser::parse(&file);
    let schema = match wapc_codegen::model::load_str("fuzz.widl", text) {
        Ok(schema) => schema,
        Err(errors) => {
            assert!(!errors.is_empty(), "refused without an error");
            let shown = errors.to_string();
            assert!(
                errors.0.iter().all(|e| e.position().is_some()),
                "an error without a location:\n{shown}"
            );
            return Err(shown);
        }
    };
    assert!(parsed.is_ok(), "load_str accepted what parse refused");
    serde_json::to_string(&schema).expect("a valid schema serializes");
    let views = Arc::new(SchemaViews::build(schema).expect("a valid schema resolves"));
    let roles: Vec<Value> = (views.roles.iter())
        .map(|r| Value::String(r.name.to_string()))
        .collect();
    let mut with_roles = Map::new();
    with_roles.insert("hostRoles".into(), Value::Array(roles.clone()));
    with_roles.insert("handlerRoles".into(), Value::Array(roles));
    let mut rendered = 0;
    for config in [Map::new(), with_roles] {
        let context = Context::new(Arc::clone(&views), config);
        for (name, _) in templates.list() {
            templates
                .render(name, &context)
                .unwrap_or_else(|e| panic!("`{name}` failed on a valid schema: {e}"));
            rendered += 1;
        }
    }
    Ok(rendered)
}

#[test]
fn every_regression_input_behaves() {
    let templates = Templates::load(None).expect("the built-in templates load");
    let cases = cases();
    assert!(
        cases.iter().any(|(_, e)| *e == Expect::Valid)
            && cases.iter().any(|(_, e)| *e == Expect::Invalid),
        "tests/fuzz_regressions needs valid and invalid inputs"
    );
    for (path, expect) in cases {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8(bytes).unwrap_or_else(|_| panic!("{name}: not UTF-8"));
        let started = Instant::now();
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| run(&text, &templates)))
            .unwrap_or_else(|_| panic!("{name}: panicked"));
        let took = started.elapsed();
        // Generous for a debug build on a busy machine; a regression of the kind fuzzing
        // finds (exponential work) takes minutes.
        assert!(took < Duration::from_secs(20), "{name}: took {took:?}");
        match (expect, outcome) {
            (Expect::Valid, Ok(rendered)) => assert!(rendered > 0, "{name}: no templates"),
            (Expect::Valid, Err(errors)) => panic!("{name}: expected valid, got:\n{errors}"),
            (Expect::Invalid, Err(_)) => {}
            (Expect::Invalid, Ok(_)) => panic!("{name}: expected errors, but it validated"),
        }
    }
}

/// The limits the hand-picked inputs sit at are the ones the code enforces, and the errors
/// just past them say which limit.
#[test]
fn errors_past_the_limits_name_them() {
    let templates = Templates::load(None).unwrap();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let expected = [
        (
            "invalid-nesting-over-limit.widl",
            format!(
                "nest more than {} levels deep",
                wapc_codegen::limits::MAX_SCHEMA_NESTING
            ),
        ),
        (
            "invalid-alias-size-over-limit.widl",
            // MAX_ALIAS_SIZE in src/limits.rs.
            "stands for a type of more than 4096 parts".to_string(),
        ),
        (
            "invalid-alias-expansion-over-limit.widl",
            // MAX_ALIAS_EXPANSION in src/limits.rs.
            "stand for more than 4096 type parts in all".to_string(),
        ),
        (
            "invalid-huge-integers.widl",
            "integer is out of range".to_string(),
        ),
    ];
    for (name, message) in expected {
        let text = std::fs::read_to_string(dir.join(name)).unwrap();
        let errors = run(&text, &templates).expect_err(name);
        assert!(
            errors.contains(&message),
            "{name}: expected `{message}` in:\n{errors}"
        );
    }
}
