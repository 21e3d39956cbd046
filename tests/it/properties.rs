//! Property tests over random schemas (a small seeded generator, so a failure names its seed):
//! any schema printed back as WIDL parses to the same syntax tree, and the code generated for
//! random valid schemas compiles (a few per run, in Rust and Go).

use crate::support::printer;
use crate::support::random_schema;
use crate::support::toolchain;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use serde_json::Value as Json;
use wapc_codegen::diagnostic::SourceFile;

/// The syntax tree without spans (which printing moves), as JSON.
pub(crate) fn without_spans(text: &str) -> Result<Json, String> {
    let file = Arc::new(SourceFile::new("random.widl", text.to_string()));
    let document = wapc_codegen::parser::parse(&file).map_err(|e| e.to_string())?;
    let mut json = serde_json::to_value(&document).map_err(|e| e.to_string())?;
    strip(&mut json);
    Ok(json)
}

/// `json` without its `span` keys, at every depth.
pub(crate) fn strip(json: &mut Json) {
    match json {
        Json::Object(map) => {
            map.remove("span");
            map.values_mut().for_each(strip);
        }
        Json::Array(items) => items.iter_mut().for_each(strip),
        _ => {}
    }
}

#[test]
fn printed_schemas_parse_to_the_same_tree() {
    let mut checked = 0;
    for seed in 0..300 {
        let text = random_schema::schema(seed, seed % 2 == 0);
        if let Err(errors) = wapc_codegen::model::load_str("random.widl", &text) {
            panic!("seed {seed}: the generator made an invalid schema:\n{errors}\n{text}");
        }
        let file = Arc::new(SourceFile::new("random.widl", text.clone()));
        let document = wapc_codegen::parser::parse(&file).expect("validated above");
        let printed = printer::document(&document);
        let original = without_spans(&text).expect("parsed above");
        let reparsed = without_spans(&printed).unwrap_or_else(|e| {
            panic!("seed {seed}: the printed schema does not parse:\n{e}\n{printed}")
        });
        assert_eq!(
            original, reparsed,
            "seed {seed}: printing changed the tree:\n{printed}"
        );
        checked += 1;
    }
    // The fixed schemas of the other tests, which use every construct, round-trip too.
    for path in schema_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas")) {
        let text = std::fs::read_to_string(&path).unwrap();
        if let Ok(original) = without_spans(&text) {
            let file = Arc::new(SourceFile::new("x.widl", text));
            let printed =
                printer::document(&wapc_codegen::parser::parse(&file).expect("parsed above"));
            let reparsed = without_spans(&printed).unwrap_or_else(|e| {
                panic!(
                    "{}: the printed schema does not parse:\n{e}\n{printed}",
                    path.display()
                )
            });
            assert_eq!(
                original,
                reparsed,
                "{}: printing changed the tree:\n{printed}",
                path.display()
            );
            checked += 1;
        }
    }
    assert!(checked > 300, "only {checked} schemas checked");
}

pub(crate) fn schema_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(schema_files(&path));
        } else if path.extension().is_some_and(|e| e == "widl") {
            found.push(path);
        }
    }
    found.sort();
    found
}

/// Seeds for the compile checks: two fixed, one new each run (printed, to reproduce), or
/// the range in `WAPC_PROPERTY_SEEDS` (e.g. `3-40`).
fn compile_seeds() -> Vec<u64> {
    if let Ok(range) = std::env::var("WAPC_PROPERTY_SEEDS")
        && let Some((low, high)) = range.split_once('-')
        && let (Ok(low), Ok(high)) = (low.parse::<u64>(), high.parse::<u64>())
    {
        return (low..=high).collect();
    }
    let fresh = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(7, |d| d.as_secs());
    eprintln!("compile seeds: 1, 2, {fresh}");
    vec![1, 2, fresh]
}

fn run(command: &mut Command, what: &str) {
    let output = command.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        output.status.success(),
        "{what} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn generated_rust_for_random_schemas_compiles() {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .to_path_buf();
    let guest = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/roundtrip/guest");
    for seed in compile_seeds() {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("properties/rust");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("src")).unwrap();
        // A package of its own name, apart from the round-trip guest in shared build folders.
        for file in ["Cargo.toml", "Cargo.lock"] {
            let text = std::fs::read_to_string(guest.join(file)).unwrap();
            let renamed = text.replace("\"roundtrip-guest\"", "\"random-guest\"");
            std::fs::write(dir.join(file), renamed).unwrap();
        }
        std::fs::write(dir.join("schema.widl"), random_schema::schema(seed, true)).unwrap();
        std::fs::write(
            dir.join("codegen.yaml"),
            "schema: schema.widl\nconfig: {hostRoles: [Callbacks]}\ngenerates:\n  \
             src/lib.rs: {template: rust/module}\n",
        )
        .unwrap();
        toolchain::wapc(&dir, &["generate"]);
        run(
            Command::new("cargo")
                .current_dir(&dir)
                .args(["check", "--locked", "--quiet"])
                .env("CARGO_TARGET_DIR", target.join("names-check")),
            &format!("seed {seed}: cargo check of the generated Rust"),
        );
    }
}

#[test]
fn generated_go_for_random_schemas_vets() {
    if !toolchain::available(
        Command::new("go")
            .arg("version")
            .output()
            .is_ok_and(|o| o.status.success()),
        "generated_go_for_random_schemas_vets",
        "Go is not installed",
    ) {
        return;
    }
    let go_module = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/go");
    for seed in compile_seeds() {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("properties/go");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for file in ["go.mod", "go.sum"] {
            std::fs::copy(go_module.join(file), dir.join(file)).unwrap();
        }
        std::fs::write(dir.join("schema.widl"), random_schema::schema(seed, true)).unwrap();
        std::fs::write(
            dir.join("codegen.yaml"),
            "schema: schema.widl\nconfig: {hostRoles: [Callbacks], package: guest}\ngenerates:\n  \
             guest/module.go: {template: tinygo/module}\n  host/host.go: {template: go/host, config: {package: host}}\n",
        )
        .unwrap();
        toolchain::wapc(&dir, &["generate"]);
        run(
            Command::new("go").current_dir(&dir).args(["vet", "./..."]),
            &format!("seed {seed}: go vet of the generated Go"),
        );
    }
}
