//! Names that are legal in WIDL but reserved or clashing in a target language: they compile
//! (escaped) or are a clear error naming both WIDL names.

use crate::support::toolchain;

use std::path::{Path, PathBuf};
use std::process::Command;

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn scratch(test: &str) -> PathBuf {
    toolchain::scratch("names", test)
}

#[test]
fn names_that_collide_in_a_language_are_an_error_naming_both() {
    let dir = scratch("collide");
    std::fs::write(
        dir.join("schema.widl"),
        "namespace \"c\"\ntype A { fooBar: string, foo_bar: string }\n\
         type HTTPRequest { a: string }\ntype HttpRequest { a: string }\n\
         interface { getItem(itemId: string, item_id: string) }\n",
    )
    .unwrap();
    let cases = [
        (
            "rust/module",
            "out.rs",
            "in the schema, the types `HTTPRequest` and `HttpRequest` are both `HttpRequest` in Rust",
        ),
        (
            "tinygo/module",
            "out.go",
            "in the schema, the types `HTTPRequest` and `HttpRequest` are both `HTTPRequest` in Go",
        ),
    ];
    for (template, out, expected) in cases {
        std::fs::write(
            dir.join("codegen.yaml"),
            format!("schema: schema.widl\ngenerates:\n  {out}: {{template: {template}}}\n"),
        )
        .unwrap();
        let output = Command::new(env!("CARGO_BIN_EXE_wapc"))
            .current_dir(&dir)
            .arg("generate")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{template}: {stderr}");
        assert!(
            stderr.contains(expected),
            "{template}: expected {expected:?} in\n{stderr}"
        );
        assert!(!dir.join(out).exists());
    }
    // Fields and parameters, once the types are apart.
    let schema = std::fs::read_to_string(dir.join("schema.widl")).unwrap();
    std::fs::write(
        dir.join("schema.widl"),
        schema.replace("type HTTPRequest", "type HttpReq"),
    )
    .unwrap();
    std::fs::write(
        dir.join("codegen.yaml"),
        "schema: schema.widl\ngenerates:\n  out.rs: {template: rust/module}\n",
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_wapc"))
        .current_dir(&dir)
        .arg("generate")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "in type `A`, the fields `fooBar` and `foo_bar` are both `foo_bar` in Rust: rename one"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("in operation `getItem`, the parameters `itemId` and `item_id` are both `item_id` in Rust"),
        "{stderr}"
    );
}

/// The output file's extension, not the template's name, says which language's names must
/// not clash: a user's own template writing `.rs` is checked as Rust, and one writing a file
/// of no language is not checked.
#[test]
fn a_user_template_is_checked_in_the_language_of_its_output_file() {
    let dir = scratch("user_template");
    std::fs::write(
        dir.join("schema.widl"),
        "namespace \"c\"\ntype A { fooBar: string, foo_bar: string }\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("templates/mine")).unwrap();
    std::fs::write(
        dir.join("templates/mine/module.hbs"),
        "{{#each types}}pub struct {{rust_type_name name}};\n{{/each}}",
    )
    .unwrap();
    let generate = |out: &str| {
        std::fs::write(
            dir.join("codegen.yaml"),
            format!(
                "schema: schema.widl\ntemplates: templates\n\
                 generates:\n  {out}: {{template: mine/module}}\n"
            ),
        )
        .unwrap();
        Command::new(env!("CARGO_BIN_EXE_wapc"))
            .current_dir(&dir)
            .args(["generate", "--no-format"])
            .output()
            .unwrap()
    };
    for (out, language, spelled) in [("out.rs", "Rust", "foo_bar"), ("out.go", "Go", "FooBar")] {
        let output = generate(out);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{out}: {stderr}");
        let expected = format!(
            "error: `{out}`: in type `A`, the fields `fooBar` and `foo_bar` are both `{spelled}` in {language}: rename one\n --> codegen.yaml:4:3"
        );
        assert!(
            stderr.contains(&expected),
            "{out}: expected {expected:?} in\n{stderr}"
        );
        assert!(!dir.join(out).exists());
    }
    let output = generate("out.txt");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("out.txt")).unwrap(),
        "pub struct A;\n"
    );
}

/// `.ts` is AssemblyScript unless the template is in a `typescript/` folder (built-in or the
/// user's): `w` and `w_` are apart in AssemblyScript and both `w_` in TypeScript, where `w` is
/// the generated code's writer.
#[test]
fn a_ts_file_is_typescript_when_its_template_is_in_a_typescript_folder() {
    let dir = scratch("typescript");
    std::fs::write(
        dir.join("schema.widl"),
        "namespace \"c\"\ninterface { op(w: string, w_: string) }\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("templates/typescript")).unwrap();
    std::fs::create_dir_all(dir.join("templates/mine")).unwrap();
    for folder in ["typescript", "mine"] {
        std::fs::write(
            dir.join(format!("templates/{folder}/names.hbs")),
            "// names\n",
        )
        .unwrap();
    }
    let clash = "in operation `op`, the parameters `w` and `w_` are both `w_` in TypeScript";
    for (template, clashes) in [
        ("typescript/host", true),
        ("typescript/names", true),
        ("assemblyscript/module", false),
        ("mine/names", false),
    ] {
        std::fs::write(
            dir.join("codegen.yaml"),
            format!(
                "schema: schema.widl\ntemplates: templates\n\
                 generates:\n  out.ts: {{template: {template}}}\n"
            ),
        )
        .unwrap();
        let output = Command::new(env!("CARGO_BIN_EXE_wapc"))
            .current_dir(&dir)
            .args(["generate", "--no-format", "--dry-run"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.success(), !clashes, "{template}: {stderr}");
        assert_eq!(stderr.contains(clash), clashes, "{template}: {stderr}");
    }
}

/// Copies the round-trip crate at `fixture` (its manifest and lock) to `dir`, with `main`
/// as its only hand-written source, and generates `src/generated.rs` from names.widl.
fn crate_with_generated(fixture: &str, dir: &Path, template: &str, main: (&str, &str)) {
    let from = manifest_dir().join("tests/roundtrip").join(fixture);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    // A package of its own name: the build folders are shared with the round-trip crates,
    // whose artifacts this must not replace.
    for file in ["Cargo.toml", "Cargo.lock"] {
        let text = std::fs::read_to_string(from.join(file)).unwrap();
        let renamed = text.replace(
            &format!("\"roundtrip-{fixture}\""),
            &format!("\"names-{fixture}\""),
        );
        std::fs::write(dir.join(file), renamed).unwrap();
    }
    std::fs::write(dir.join("src").join(main.0), main.1).unwrap();
    std::fs::copy(
        manifest_dir().join("tests/go/names.widl"),
        dir.join("names.widl"),
    )
    .unwrap();
    std::fs::write(
        dir.join("codegen.yaml"),
        format!(
            "schema: names.widl\nconfig: {{hostRoles: [], handlerRoles: []}}\n\
             generates:\n  src/generated.rs: {{template: {template}}}\n"
        ),
    )
    .unwrap();
    toolchain::wapc(dir, &["generate"]);
}

fn cargo(dir: &Path, args: &[&str], target_dir: &Path) {
    let output = Command::new("cargo")
        .current_dir(dir)
        .args(args)
        .env("CARGO_TARGET_DIR", target_dir)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "cargo {args:?} failed in {}:\n{}",
        dir.display(),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn reserved_names_compile_in_the_generated_rust() {
    // The host check builds on wasmtime: reuse the round-trip host's build folder.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .to_path_buf();
    let dir = scratch("rust");
    crate_with_generated(
        "guest",
        &dir.join("guest"),
        "rust/module",
        ("lib.rs", "mod generated;\npub use generated::*;\n"),
    );
    cargo(
        &dir.join("guest"),
        &["check", "--locked", "--quiet"],
        &target.join("names-check"),
    );
    crate_with_generated(
        "host",
        &dir.join("host"),
        "rust/host",
        ("main.rs", "mod generated;\nfn main() {}\n"),
    );
    cargo(
        &dir.join("host"),
        &["build", "--release", "--locked", "--quiet"],
        &target.join("roundtrip-host"),
    );
    let module = std::fs::read_to_string(dir.join("guest/src/generated.rs")).unwrap();
    for escaped in [
        "pub r#type: String",
        "pub r#fn: String",
        "pub self_: String",
        "pub crate_: u8",
        "pub struct Host_",
    ] {
        assert!(
            module.contains(escaped),
            "no `{escaped}` in the generated module"
        );
    }
}
