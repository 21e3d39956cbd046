//! `wapc new` variable values → the built-in projects. Each value either is refused, or ends
//! up exactly as given in Cargo.toml, package.json and schema.widl, and as the only `module`
//! line of go.mod: no value may add a line, a key or a directive to any file.
#![no_main]

use std::collections::BTreeMap;
use std::path::Path;

use libfuzzer_sys::fuzz_target;
use wapc_codegen::project::{self, NewProject};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Up to three values, split at the first two NULs: description, name, module.
    let mut parts = text.splitn(3, '\0');
    let description = parts.next().unwrap_or_default();
    let name = parts.next().filter(|n| !n.is_empty()).unwrap_or("p");
    let module = parts
        .next()
        .filter(|m| !m.is_empty())
        .unwrap_or("example.com/p");
    let scratch = tempfile::tempdir().expect("a temporary folder");
    for (template, extra) in [("rust", None), ("as", None), ("tinygo", Some(module))] {
        let dir = scratch.path().join(template);
        let mut values = BTreeMap::from([
            ("description".to_string(), description.to_string()),
            ("name".to_string(), name.to_string()),
        ]);
        if let Some(module) = extra {
            values.insert("module".to_string(), module.to_string());
        }
        let template = project::find(template).expect("a built-in template");
        let new = NewProject {
            dir: &dir,
            values,
            spec: None,
            force: false,
        };
        if project::create(&template, &new, &mut |_| None).is_err() {
            assert!(!dir.exists(), "a refused value left files behind");
            continue;
        }
        check(&dir, description, name, extra);
    }
});

fn read(path: &Path) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

fn check(dir: &Path, description: &str, name: &str, module: Option<&str>) {
    if let Some(text) = read(&dir.join("Cargo.toml")) {
        let manifest: toml::Table = toml::from_str(&text).expect("Cargo.toml is TOML");
        assert_eq!(
            manifest["package"]["description"].as_str(),
            Some(description)
        );
    }
    if let Some(text) = read(&dir.join("package.json")) {
        let package: serde_json::Value = serde_json::from_str(&text).expect("package.json is JSON");
        assert_eq!(package["description"].as_str(), Some(description));
    }
    if let Some(text) = read(&dir.join("go.mod")) {
        let modules: Vec<&str> = text.lines().filter(|l| l.starts_with("module ")).collect();
        assert_eq!(modules, [format!("module {}", module.unwrap_or_default())]);
        assert!(!text.contains("replace"), "a value added a directive");
    }
    let schema = read(&dir.join("schema.widl")).expect("a schema");
    let source =
        wapc_codegen::model::load_str("schema.widl", &schema).expect("the schema is valid");
    assert_eq!(source.namespace.as_deref(), Some(name));
}
