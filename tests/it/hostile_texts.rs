//! Hostile text in `wapc new` variable values: escaped in every file that holds it, refused
//! where no file could hold it. (Hostile schema text is compiled by the compile matrix.)

use crate::support::toolchain;

use std::path::Path;

fn new_project(test: &str, args: &[&str]) -> (std::path::PathBuf, i32, String) {
    let dir = toolchain::scratch("hostile-texts", test);
    let mut all = vec!["new"];
    all.extend_from_slice(args);
    let (code, _, stderr) = toolchain::run_wapc(&dir, &all, &[]);
    (dir, code, stderr)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn quotes_and_backslashes_stay_inside_cargo_toml_and_package_json() {
    let text = r#"Says "hi" \ bye = "x""#;
    let (dir, code, stderr) = new_project(
        "quotes",
        &[
            "rust",
            "p",
            &format!("description={text}"),
            &format!("author={text}"),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let manifest: toml::Table = toml::from_str(&read(&dir.join("p/Cargo.toml"))).expect("TOML");
    let package = manifest["package"].as_table().expect("[package]");
    assert_eq!(package["description"].as_str(), Some(text));
    assert_eq!(package["authors"][0].as_str(), Some(text));
    let keys: Vec<&str> = package.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "authors",
            "description",
            "edition",
            "name",
            "publish",
            "version"
        ],
        "nothing added to [package]"
    );

    let (dir, code, stderr) = new_project("json", &["as", "p", &format!("description={text}")]);
    assert_eq!(code, 0, "{stderr}");
    let package: serde_json::Value =
        serde_json::from_str(&read(&dir.join("p/package.json"))).expect("JSON");
    assert_eq!(package["description"].as_str(), Some(text));
}

#[test]
fn a_name_with_a_quote_stays_inside_the_schema_string() {
    let (dir, code, stderr) = new_project("name", &["rust", "p", r#"name=ab"c"#]);
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = toolchain::run_wapc(&dir.join("p"), &["check", "schema.widl"], &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(read(&dir.join("p/schema.widl")).contains(r#"namespace "ab\"c""#));
}

#[test]
fn line_breaks_bad_module_paths_and_unknown_variables_are_refused() {
    for (test, args, expected) in [
        (
            "newline",
            vec!["rust", "p", "description=a\nbuild = \"evil.rs\""],
            r#"`description=a\nbuild = \"evil.rs\"`: a value may not hold a line break"#,
        ),
        (
            "go-mod",
            vec!["tinygo", "p", "module=example.com/x\nreplace a => ../evil"],
            "a value may not hold a line break",
        ),
        (
            "module-path",
            vec!["tinygo", "p", "module=example.com/a b"],
            "a Go module path is parts of letters",
        ),
        (
            "package-name",
            vec!["rust", "p", "name=9lives"],
            "`9lives` is not a package name",
        ),
        (
            "unknown",
            vec!["tinygo", "p", "modul=example.com/x"],
            "the template `tinygo` has no variable `modul` (did you mean `module`?); its variables are: name, module, description",
        ),
    ] {
        let (dir, code, stderr) = new_project(test, &args);
        assert_eq!(code, 1, "{test}: {stderr}");
        assert!(stderr.contains(expected), "{test}: {stderr}");
        assert!(!dir.join("p").exists(), "{test}: wrote the project");
    }
}
