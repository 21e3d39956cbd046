//! Property tests over random schemas (a small seeded generator, so a failure names its seed):
//! any schema printed back as WIDL parses to the same syntax tree, and the code generated for
//! random valid schemas compiles (a few per run, in Rust and Go).

#[path = "support/printer.rs"]
mod printer;
#[path = "support/toolchain.rs"]
mod toolchain;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use serde_json::Value as Json;
use wapc::diagnostic::SourceFile;

/// xorshift64*: enough randomness for test inputs, and reproducible from the seed.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Field and parameter names: keywords of the targets included, none two alike in any of them.
const NAMES: [&str; 20] = [
    "id", "name", "type", "match", "fn", "func", "range", "class", "default", "value", "count",
    "userId", "url", "items", "next", "map", "string", "data", "select", "import",
];
const PRIMITIVES: [&str; 15] = [
    "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f32", "f64", "bool", "string",
    "datetime", "bytes", "raw",
];
const TEXTS: [&str; 6] = [
    "plain",
    "with \"quotes\" and \\",
    "ünïcödé 🦀",
    "tab\tand\nnewline",
    "",
    "\u{1}",
];

/// A random schema that validates: every name it uses is defined, and once.
fn schema(rng: &mut Rng, annotations: bool) -> String {
    let types = 1 + rng.below(4);
    let enums = rng.below(3);
    let mut named: Vec<String> = (0..types).map(|i| format!("Type{i}")).collect();
    named.extend((0..enums).map(|i| format!("Enum{i}")));
    let unions = if types > 1 { rng.below(2) } else { 0 };
    let aliases = rng.below(3);
    let mut out = format!("namespace \"random.{}\"\n\n", rng.below(1000));
    if annotations {
        out.push_str("directive @note(text: string) on TYPE | FIELD | OPERATION | ENUM\n\n");
    }
    let annotation = |rng: &mut Rng| {
        if annotations && rng.chance(30) {
            format!(" @note(text: {})", printer::quote(rng.pick(&TEXTS)))
        } else {
            String::new()
        }
    };
    for e in 0..enums {
        out.push_str(&format!("enum Enum{e}{} {{\n", annotation(rng)));
        let mut index = 0;
        for v in 0..1 + rng.below(4) {
            index += rng.below(3);
            let display = if rng.chance(50) {
                format!(" as {}", printer::quote(rng.pick(&TEXTS)))
            } else {
                String::new()
            };
            out.push_str(&format!("  VALUE_{v} = {index}{display}\n"));
            index += 1;
        }
        out.push_str("}\n\n");
    }
    for t in 0..types {
        if rng.chance(40) {
            out.push_str(&format!("{}\n", printer::quote(rng.pick(&TEXTS))));
        }
        out.push_str(&format!("type Type{t}{} {{\n", annotation(rng)));
        let mut fields: Vec<&str> = NAMES.to_vec();
        for _ in 0..rng.below(6) {
            let name = fields.remove(rng.below(fields.len()));
            let (ty, default) = field_type(rng, &named, t);
            out.push_str(&format!("  {name}: {ty}{default}{}\n", annotation(rng)));
        }
        out.push_str("}\n\n");
    }
    for u in 0..unions {
        out.push_str(&format!("union Union{u} = Type0 | Type1 | string\n\n"));
    }
    for a in 0..aliases {
        let target = format!("[{}]", named[rng.below(named.len())]);
        out.push_str(&format!("alias Alias{a} = {target}\n\n"));
    }
    out.push_str("interface {\n");
    for o in 0..1 + rng.below(4) {
        let mut names: Vec<&str> = NAMES.to_vec();
        let returns = if rng.chance(70) {
            format!(": {}", random_type(rng, &named, 2))
        } else {
            String::new()
        };
        if rng.chance(40) {
            let ty = random_type(rng, &named, 2);
            out.push_str(&format!(
                "  op{o}{{value: {ty}}}{returns}{}\n",
                annotation(rng)
            ));
        } else {
            let parameters: Vec<String> = (0..rng.below(4))
                .map(|_| {
                    let name = names.remove(rng.below(names.len()));
                    format!("{name}: {}", random_type(rng, &named, 2))
                })
                .collect();
            out.push_str(&format!(
                "  op{o}({}){returns}{}\n",
                parameters.join(", "),
                annotation(rng)
            ));
        }
    }
    out.push_str("}\n\nrole Callbacks {\n  notify{value: string}\n  ask(question: string, count: u32): [string]\n}\n");
    out
}

fn random_type(rng: &mut Rng, named: &[String], depth: usize) -> String {
    match rng.below(if depth == 0 { 2 } else { 5 }) {
        0 => rng.pick(&PRIMITIVES).to_string(),
        1 => named[rng.below(named.len())].clone(),
        2 => format!("[{}]", random_type(rng, named, depth - 1)),
        3 => format!("{{string: {}}}", random_type(rng, named, depth - 1)),
        _ => format!("{}?", random_type(rng, named, 0)),
    }
}

/// A field's type, and sometimes a default value that fits it. A field of type `TypeN` may
/// only name itself through an optional, or the type would be infinite.
fn field_type(rng: &mut Rng, named: &[String], own: usize) -> (String, String) {
    if rng.chance(30) {
        let (ty, value) = match rng.below(4) {
            0 => ("i32", format!("{}", rng.below(1000) as i64 - 500)),
            1 => ("string", printer::quote(rng.pick(&TEXTS))),
            2 => ("bool", "true".to_string()),
            _ => ("f64", "1.5".to_string()),
        };
        return (ty.to_string(), format!(" = {value}"));
    }
    // A plain field may hold only a later type, so that no type holds itself without an
    // optional, list or map in between (which no finite value could satisfy).
    let ty = random_type(rng, named, 2);
    let earlier = ty
        .strip_prefix("Type")
        .and_then(|n| n.parse::<usize>().ok())
        .is_some_and(|n| n <= own);
    if earlier {
        return (format!("{ty}?"), String::new());
    }
    (ty, String::new())
}

/// The syntax tree without spans (which printing moves), as JSON.
fn without_spans(text: &str) -> Result<Json, String> {
    let file = Arc::new(SourceFile::new("random.widl", text.to_string()));
    let document = wapc::parser::parse(&file).map_err(|e| e.to_string())?;
    let mut json = serde_json::to_value(&document).map_err(|e| e.to_string())?;
    strip(&mut json);
    Ok(json)
}

fn strip(json: &mut Json) {
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
        let mut rng = Rng::new(seed);
        let text = schema(&mut rng, seed % 2 == 0);
        if let Err(errors) = wapc::model::load_str("random.widl", &text) {
            panic!("seed {seed}: the generator made an invalid schema:\n{errors}\n{text}");
        }
        let file = Arc::new(SourceFile::new("random.widl", text.clone()));
        let document = wapc::parser::parse(&file).expect("validated above");
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
            let printed = printer::document(&wapc::parser::parse(&file).expect("parsed above"));
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

fn schema_files(dir: &Path) -> Vec<PathBuf> {
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
        std::fs::write(dir.join("schema.widl"), schema(&mut Rng::new(seed), true)).unwrap();
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
        std::fs::write(dir.join("schema.widl"), schema(&mut Rng::new(seed), true)).unwrap();
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
