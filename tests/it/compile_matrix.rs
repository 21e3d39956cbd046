//! The compile matrix (issue 13): `wapc check` accepting a schema promises that every built-in
//! template turns it into code that compiles. Every valid schema of the project, and a batch
//! of seeded random ones, goes through every built-in template under every config shape of
//! [`SHAPES`], and the result is compiled by the real compiler against the real packages:
//! `cargo check` (one crate, a module per case), `go vet` (one Go module, packages per case),
//! `asc --noEmit` (one run, an entry per case) and `tsc --strict` (one run over every case's
//! file, with tests/typescript's tsconfig.json and packages). Each language's batch prints its time.

use crate::support::random_schema;
use crate::support::toolchain;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use serde_json::{Map, Value as Json, json};
use wapc_codegen::codegen::Templates;
use wapc_codegen::codegen::context::{Context, SchemaViews};

/// A config shape that changes what the templates write, given the schema's role names.
/// Add compatibility options (feature gates and the like) here: every case gets each shape.
struct Shape {
    name: &'static str,
    config: fn(&[String]) -> Json,
}

const SHAPES: &[Shape] = &[
    Shape {
        name: "defaults",
        config: |_| json!({}),
    },
    Shape {
        name: "handler_roles",
        config: |roles| json!({ "handlerRoles": roles }),
    },
    Shape {
        name: "host_roles",
        config: |roles| json!({ "hostRoles": roles }),
    },
    Shape {
        name: "skip_interface",
        config: |_| json!({ "skipInterface": true }),
    },
    // The Rust guest's `wapc-guest` code behind a feature that the check leaves off: what
    // native code that needs only the types compiles.
    Shape {
        name: "guest_feature_off",
        config: |roles| json!({ "guestFeature": "guest", "hostRoles": roles }),
    },
];

/// One generated file of a case: `{case}` in `path` and `config` stands for the case's name.
struct Target {
    template: &'static str,
    path: &'static str,
    config: &'static str,
}

/// A language's templates and where each case's files go in its batch; `harness` are the
/// matrix's own templates (in tests/matrix/<name>/) that a batch needs besides.
struct Language {
    name: &'static str,
    targets: &'static [Target],
    harness: &'static [Target],
    /// A definition of `pwned`, appended to every generated file: should schema text leave
    /// its comment or string and define it (tests/schemas/hostile_texts.widl tries), the
    /// batch fails to compile with a second definition.
    pwned: &'static str,
}

/// A guest crate module per case: the scaffold (a lib.rs) as its `mod.rs` over the module's
/// `generated.rs`; and the same for the host side (the host scaffold is a main.rs).
const RUST: Language = Language {
    name: "rust",
    targets: &[
        Target {
            template: "rust/module",
            path: "src/{case}/guest/generated.rs",
            config: "{}",
        },
        Target {
            template: "rust/scaffold",
            path: "src/{case}/guest/mod.rs",
            config: "{}",
        },
        Target {
            template: "rust/host",
            path: "src/{case}/host/generated.rs",
            config: "{}",
        },
        Target {
            template: "rust/host-scaffold",
            path: "src/{case}/host/mod.rs",
            config: "{}",
        },
    ],
    harness: &[],
    pwned: "\npub fn pwned() {}\n",
};

const GO: Language = Language {
    name: "go",
    targets: &[
        Target {
            template: "tinygo/module",
            path: "{case}/guest/module.go",
            config: r#"{"package": "guest"}"#,
        },
        Target {
            template: "tinygo/scaffold",
            path: "{case}/scaffold/main.go",
            config: r#"{"package": "guest", "import": "example.com/matrix/{case}/guest"}"#,
        },
        Target {
            template: "go/host",
            path: "{case}/host/host.go",
            config: r#"{"package": "host"}"#,
        },
        // The engine and the waPC package do not depend on the schema; each is a package of
        // its own here, since every file gets its own `pwned` (the two waPC files are never
        // built together).
        Target {
            template: "go/wazero",
            path: "{case}/engine/wazero.go",
            config: r#"{"package": "engine"}"#,
        },
        Target {
            template: "go/wapc",
            path: "{case}/wapc/wapc.go",
            config: "{}",
        },
        Target {
            template: "go/wapc_native",
            path: "{case}/wapc/wapc_native.go",
            config: "{}",
        },
    ],
    harness: &[],
    pwned: "\nfunc pwned() {}\n",
};

const ASSEMBLYSCRIPT: Language = Language {
    name: "assemblyscript",
    targets: &[
        Target {
            template: "assemblyscript/module",
            path: "{case}/module.ts",
            config: "{}",
        },
        Target {
            template: "assemblyscript/scaffold",
            path: "{case}/index.ts",
            config: "{}",
        },
    ],
    harness: &[Target {
        template: "reach",
        path: "{case}/reach.ts",
        config: "{}",
    }],
    pwned: "\nexport function pwned(): void {}\n",
};

const TYPESCRIPT: Language = Language {
    name: "typescript",
    targets: &[Target {
        template: "typescript/host",
        path: "{case}/host.ts",
        config: "{}",
    }],
    harness: &[],
    pwned: "\nexport function pwned(): void {}\n",
};

/// How many seeded random schemas (of tests/it/support/random_schema.rs) join the fixed ones.
const RANDOM_SCHEMAS: u64 = 12;

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every valid schema of the project as (name, path): the fixed ones, then the random ones,
/// written to `dir`.
fn schemas(dir: &Path) -> Vec<(String, PathBuf)> {
    let root = manifest_dir();
    let mut found = Vec::new();
    for (prefix, folder) in [
        ("", "tests/schemas"),
        ("real_world_", "tests/schemas/real-world"),
        ("matrix_", "tests/schemas/matrix"),
    ] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(root.join(folder))
            .expect("a schema folder")
            .map(|entry| entry.expect("a readable folder").path())
            .filter(|path| path.extension().is_some_and(|e| e == "widl"))
            .collect();
        files.sort();
        for path in files {
            let stem = path.file_stem().and_then(|s| s.to_str()).expect("a name");
            found.push((format!("{prefix}{stem}"), path));
        }
    }
    for (name, file) in [
        ("names", "tests/go/names.widl"),
        ("roundtrip", "tests/roundtrip/schema.widl"),
        ("greeter", "examples/greeter/schema.widl"),
    ] {
        found.push((name.to_string(), root.join(file)));
    }
    std::fs::create_dir_all(dir).expect("writable temporary folder");
    for seed in 0..RANDOM_SCHEMAS {
        let path = dir.join(format!("random_{seed}.widl"));
        std::fs::write(&path, random_schema::schema(seed, seed % 2 == 0)).expect("writable");
        found.push((format!("random_{seed}"), path));
    }
    found
}

/// One schema under one config shape.
struct Case {
    /// `<schema>_<shape>`: a Rust module, a Go folder, an AssemblyScript folder.
    name: String,
    /// Shared by the schema's cases.
    views: Arc<SchemaViews>,
    config: Map<String, Json>,
}

fn cases(dir: &Path) -> Vec<Case> {
    let mut cases = Vec::new();
    for (schema_name, path) in schemas(&dir.join("schemas")) {
        let text = std::fs::read_to_string(&path).expect("a readable schema");
        let schema = wapc_codegen::model::load_str(&path.display().to_string(), &text)
            .unwrap_or_else(|e| panic!("{}: not valid:\n{e}", path.display()));
        let views = Arc::new(SchemaViews::build(schema).expect("a valid schema resolves"));
        let roles: Vec<String> = (views.roles.iter())
            .map(|role| role.name.to_string())
            .collect();
        for shape in SHAPES {
            let Json::Object(config) = (shape.config)(&roles) else {
                panic!("the shape {} is not a map", shape.name)
            };
            cases.push(Case {
                name: format!("{schema_name}_{}", shape.name),
                views: Arc::clone(&views),
                config,
            });
        }
    }
    cases
}

/// Renders `language`'s files of every case into `dir`, as
/// `wapc generate --no-format` would (formatting does not change whether code compiles);
/// returns the cases.
fn generate(language: &Language, dir: &Path) -> Vec<Case> {
    // One set of templates for every case: each `wapc generate` would parse them anew.
    let harness = manifest_dir().join("tests/matrix").join(language.name);
    let user_templates = (!language.harness.is_empty()).then_some(harness.as_path());
    let templates = Templates::load(user_templates).expect("the templates load");
    let cases = cases(dir);
    for case in &cases {
        for target in language.targets.iter().chain(language.harness) {
            // The target's config over the shape's, as in codegen.yaml.
            let mut config = case.config.clone();
            let own = target.config.replace("{case}", &case.name);
            let Json::Object(own) = serde_json::from_str(&own).expect("a JSON target config")
            else {
                panic!("{}: the target config is not a map", target.template)
            };
            config.extend(own);
            let mut text = templates
                .render(
                    target.template,
                    &Context::new(Arc::clone(&case.views), config),
                )
                .unwrap_or_else(|e| panic!("{}: {} fails:\n{e}", case.name, target.template));
            // Only `\n` ends a line: other line terminators (U+2028 ends a `//` comment in
            // TypeScript, and prettier makes a lone CR a line break) stay in string escapes.
            let terminator = text.find(['\r', '\u{85}', '\u{2028}', '\u{2029}']);
            assert_eq!(terminator, None, "{}: {}", case.name, target.template);
            text.push_str(language.pwned);
            let path = dir.join(target.path.replace("{case}", &case.name));
            std::fs::create_dir_all(path.parent().expect("a folder")).expect("writable folder");
            std::fs::write(&path, text).expect("writable generated file");
        }
    }
    cases
}

/// A fresh folder for a language's batch.
fn batch_dir(language: &Language) -> PathBuf {
    toolchain::scratch("compile-matrix", language.name)
}

/// Runs `command` (a language's one compilation of its batch), prints how long it took, and
/// fails the test with the compiler's messages unless it succeeds.
fn compile(language: &Language, cases: usize, command: &mut Command) {
    let start = Instant::now();
    toolchain::succeed(command);
    // Past the test harness's capture: the figure is worth seeing on every run.
    let _ = writeln!(
        std::io::stderr(),
        "compile matrix, {}: {cases} cases in {:.1} s",
        language.name,
        start.elapsed().as_secs_f64()
    );
}

#[test]
fn the_matrix_covers_every_built_in_template() {
    let listed = toolchain::wapc(manifest_dir(), &["templates", "list"]);
    let listed: BTreeSet<&str> = listed
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    let covered: BTreeSet<&str> = [&RUST, &GO, &ASSEMBLYSCRIPT, &TYPESCRIPT]
        .iter()
        .flat_map(|language| language.targets.iter().map(|t| t.template))
        .collect();
    assert_eq!(
        listed, covered,
        "the matrix's templates are the built-in ones"
    );
}

#[test]
fn generated_rust_compiles_in_every_case() {
    let dir = batch_dir(&RUST);
    let cases = generate(&RUST, &dir);
    let fixture = manifest_dir().join("tests/matrix/rust");
    for file in ["Cargo.toml", "Cargo.lock"] {
        std::fs::copy(fixture.join(file), dir.join(file)).expect("copy the crate's manifest");
    }
    // Scaffold warnings (unused parameters, a `main` in a library) are not what this is about.
    let mut lib = String::from("#![allow(warnings)]\n");
    for case in &cases {
        let _ = writeln!(lib, "mod {} {{ mod guest; mod host; }}", case.name);
    }
    std::fs::write(dir.join("src/lib.rs"), lib).expect("writable lib.rs");
    compile(
        &RUST,
        cases.len(),
        Command::new("cargo")
            .current_dir(&dir)
            .args(["check", "--locked", "--quiet"])
            .env(
                "CARGO_TARGET_DIR",
                toolchain::target_dir().join("compile-matrix"),
            ),
    );
}

#[test]
fn generated_go_vets_in_every_case() {
    let test = "generated_go_vets_in_every_case";
    if !toolchain::available(
        Command::new("go")
            .arg("version")
            .output()
            .is_ok_and(|o| o.status.success()),
        test,
        "Go is not installed (the test needs Go 1.23 or newer and the Go module proxy)",
    ) {
        return;
    }
    let dir = batch_dir(&GO);
    let cases = generate(&GO, &dir);
    // The modules pinned by tests/go (go.sum included), under a module path of our own.
    let go_module = manifest_dir().join("tests/go");
    let go_mod = std::fs::read_to_string(go_module.join("go.mod")).expect("tests/go/go.mod");
    let go_mod = go_mod.replace("module example.com/roundtrip", "module example.com/matrix");
    std::fs::write(dir.join("go.mod"), go_mod).expect("writable go.mod");
    std::fs::copy(go_module.join("go.sum"), dir.join("go.sum")).expect("copy go.sum");
    compile(
        &GO,
        cases.len(),
        Command::new("go").current_dir(&dir).args(["vet", "./..."]),
    );
}

#[test]
fn generated_assemblyscript_compiles_in_every_case() {
    let test = "generated_assemblyscript_compiles_in_every_case";
    let modules = manifest_dir().join("tests/assemblyscript/node_modules");
    let asc = modules.join("assemblyscript/bin/asc.js");
    if !(toolchain::available(toolchain::runs("node"), test, "node is not installed")
        && toolchain::available(
            asc.is_file(),
            test,
            "assemblyscript is not installed (npm ci --prefix tests/assemblyscript)",
        ))
    {
        return;
    }
    let dir = batch_dir(&ASSEMBLYSCRIPT);
    let cases = generate(&ASSEMBLYSCRIPT, &dir);
    std::os::unix::fs::symlink(&modules, dir.join("node_modules")).expect("link node_modules");
    let entries: Vec<String> = cases
        .iter()
        .flat_map(|case| ["index.ts", "reach.ts"].map(|file| format!("{}/{file}", case.name)))
        .filter(|entry| dir.join(entry).is_file())
        .collect();
    compile(
        &ASSEMBLYSCRIPT,
        cases.len(),
        Command::new("node")
            .current_dir(&dir)
            .arg(&asc)
            .args(&entries)
            .arg("--noEmit"),
    );
}

#[test]
fn generated_typescript_compiles_strictly_in_every_case() {
    let test = "generated_typescript_compiles_strictly_in_every_case";
    let Some(modules) = crate::roundtrip_typescript::node_modules(test) else {
        return;
    };
    let dir = batch_dir(&TYPESCRIPT);
    let cases = generate(&TYPESCRIPT, &dir);
    std::os::unix::fs::symlink(&modules, dir.join("node_modules")).expect("link node_modules");
    // tests/typescript's compiler options (strict), over every case's file.
    let fixture = manifest_dir().join("tests/typescript");
    let options: Json = serde_json::from_str(
        &std::fs::read_to_string(fixture.join("tsconfig.json"))
            .expect("tests/typescript/tsconfig.json"),
    )
    .expect("tsconfig.json is JSON");
    let tsconfig = json!({
        "compilerOptions": options["compilerOptions"],
        "include": ["*/host.ts"],
    });
    std::fs::write(dir.join("tsconfig.json"), tsconfig.to_string()).expect("writable tsconfig");
    std::fs::write(dir.join("package.json"), r#"{"type": "module"}"#)
        .expect("writable package.json");
    compile(
        &TYPESCRIPT,
        cases.len(),
        Command::new("node")
            .current_dir(&dir)
            .arg(modules.join("typescript/bin/tsc"))
            .args(["-p", ".", "--noEmit", "--rootDir", "."]),
    );
}
