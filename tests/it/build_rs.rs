//! Generating from a `build.rs` with `wapc_codegen::Builder`: what it writes, what it
//! refuses, and examples/build-rs, a crate whose build script generates its module.

use crate::support::toolchain;

use std::path::Path;
use std::process::Command;

use wapc_codegen::Builder;
use wapc_codegen::codegen::Outcome;

const SCHEMA: &str = "namespace \"n\"\nimport * from \"types\"\n\
    interface { get(id: string): Item }\nrole Console { print{line: string} }\n";
const TYPES: &str = "type Item { id: string }\n";

/// A schema importing another file, in a fresh folder with an empty `out` folder.
fn project(test: &str) -> std::path::PathBuf {
    let dir = toolchain::scratch("build_rs", test);
    std::fs::write(dir.join("schema.widl"), SCHEMA).expect("writable");
    std::fs::write(dir.join("types.widl"), TYPES).expect("writable");
    dir
}

#[test]
fn writes_the_module_once_and_then_leaves_it() {
    let dir = project("writes");
    let build = || {
        Builder::new(dir.join("schema.widl"))
            .config("hostRoles", ["Console"])
            .out_dir(dir.join("out"))
            .file_name("module.rs")
            .format(false)
            .build()
            .expect("builds")
    };
    let first = build();
    assert_eq!(first.outcome, Outcome::Written);
    assert_eq!(first.path, dir.join("out/module.rs"));
    let written = std::fs::read_to_string(&first.path).expect("written");
    assert!(written.contains("pub struct Item"), "{written}");
    assert!(
        written.contains("fn print("),
        "hostRoles was not used:\n{written}"
    );
    assert_eq!(build().outcome, Outcome::Unchanged);
}

#[test]
fn user_templates_replace_built_ins() {
    let dir = project("templates");
    std::fs::create_dir(dir.join("mine")).expect("writable");
    std::fs::write(
        dir.join("mine/names.hbs"),
        "{{#each types}}{{name}}\n{{/each}}",
    )
    .unwrap();
    let file = Builder::new(dir.join("schema.widl"))
        .templates(dir.join("mine"))
        .template("names")
        .out_dir(dir.join("out"))
        .file_name("names.txt")
        .build()
        .expect("builds");
    assert_eq!(std::fs::read_to_string(file.path).unwrap(), "Item\n");
}

#[test]
fn reports_what_codegen_yaml_would_and_writes_nothing() {
    let dir = project("errors");
    let errors = Builder::new(dir.join("schema.widl"))
        .config("hostRoles", ["Consol"])
        .out_dir(dir.join("out"))
        .build()
        .expect_err("an unknown role")
        .to_string();
    assert!(errors.contains("\n--> build.rs\n"), "{errors}");
    assert!(errors.contains("`Consol`"), "{errors}");
    let errors = Builder::new(dir.join("schema.widl"))
        .out_dir(dir.join("out"))
        .file_name("../escape.rs")
        .build()
        .expect_err("an output outside out_dir")
        .to_string();
    assert!(errors.contains("escape.rs"), "{errors}");
    assert!(!dir.join("out").exists() && !dir.join("escape.rs").exists());
}

#[test]
fn imports_come_from_the_include_folders() {
    let dir = project("includes");
    std::fs::create_dir(dir.join("shared")).expect("writable");
    std::fs::rename(dir.join("types.widl"), dir.join("shared/types.widl")).expect("movable");
    let build = |builder: Builder| builder.out_dir(dir.join("out")).format(false).build();
    let missing = build(Builder::new(dir.join("schema.widl"))).expect_err("no include");
    assert!(
        missing.to_string().contains("cannot find the import"),
        "{missing}"
    );
    build(Builder::new(dir.join("schema.widl")).include(dir.join("shared"))).expect("builds");
}

/// A build script's dependency on the library (`default-features = false`, as
/// examples/build-rs has it) compiles none of the `wapc` command's crates: neither those the
/// `cli` feature names nor what they pull in.
#[test]
fn the_library_alone_needs_none_of_the_commands_crates() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest: toml::Table = std::fs::read_to_string(root.join("Cargo.toml"))
        .expect("readable")
        .parse()
        .expect("Cargo.toml is TOML");
    let cli = manifest["features"]["cli"]
        .as_array()
        .expect("a `cli` feature");
    let mut commands_crates: Vec<&str> = cli
        .iter()
        .filter_map(|feature| feature.as_str()?.strip_prefix("dep:"))
        .collect();
    assert!(commands_crates.contains(&"clap"), "{commands_crates:?}");
    // What those bring along.
    commands_crates.extend(["clap_builder", "clap_derive", "notify", "anstyle-query"]);
    let tree = Command::new(env!("CARGO"))
        .current_dir(root)
        .args([
            "tree",
            "--locked",
            "-p",
            "wapc-codegen",
            "--no-default-features",
        ])
        .args(["-e", "normal", "--prefix", "none", "--format", "{p}"])
        .output()
        .expect("cargo runs");
    assert!(
        tree.status.success(),
        "{}",
        String::from_utf8_lossy(&tree.stderr)
    );
    let tree = String::from_utf8(tree.stdout).expect("UTF-8");
    let names: Vec<&str> = tree
        .lines()
        .filter_map(|line| line.split(' ').next())
        .collect();
    assert!(names.contains(&"handlebars"), "{tree}");
    let found: Vec<&&str> = names
        .iter()
        .filter(|name| commands_crates.contains(name))
        .collect();
    assert!(
        found.is_empty(),
        "the library depends on {found:?}:\n{tree}"
    );
}

/// The example's build script generates its module, `#[path]` brings it in, and the crate
/// compiles; cargo was told to rerun the script when the schema or its import changes.
#[test]
fn the_build_rs_example_compiles() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/build-rs");
    let target = toolchain::target_dir().join("build-rs-example");
    toolchain::succeed(
        Command::new("cargo")
            .current_dir(&example)
            .args(["check", "--locked", "--quiet"])
            .env("CARGO_TARGET_DIR", &target),
    );
    let outputs = walkdir::WalkDir::new(target.join("debug/build"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_name() == "output")
        .filter(|entry| entry.path().to_string_lossy().contains("build-rs-example-"));
    let printed: String = outputs
        .map(|entry| std::fs::read_to_string(entry.path()).expect("readable"))
        .collect();
    for file in ["schema.widl", "types.widl"] {
        let line = format!("cargo::rerun-if-changed={}", example.join(file).display());
        assert!(printed.contains(&line), "no `{line}` in:\n{printed}");
    }
}
