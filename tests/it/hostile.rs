//! Hostile input: runaway schemas and a hostile file system get a clear error and exit 1,
//! never a panic, a hang, a half-written file or a lost edit.

use crate::support::toolchain;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

fn scratch(test: &str) -> PathBuf {
    toolchain::scratch("hostile", test)
}

fn wapc(dir: &Path, args: &[&str]) -> (i32, String, String) {
    toolchain::run_wapc(dir, args, &[])
}

fn check_fails_with(dir: &Path, name: &str, schema: &str, expected: &str) {
    std::fs::write(dir.join(name), schema).unwrap();
    let (code, _, stderr) = wapc(dir, &["check", name]);
    assert_eq!(code, 1, "{name}: {stderr}");
    assert!(
        stderr.contains(expected),
        "{name}: expected {expected:?} in\n{stderr}"
    );
}

#[test]
fn long_alias_chains_loops_and_expansions_are_errors() {
    let dir = scratch("aliases");
    let mut chain = String::from("namespace \"a\"\n");
    for i in 0..10_000 {
        chain.push_str(&format!("alias A{i} = A{}\n", i + 1));
    }
    chain.push_str("alias A10000 = string\n");
    check_fails_with(
        &dir,
        "chain.widl",
        &chain,
        "alias `A9936` begins a chain of more than 64 aliases, each naming the next",
    );

    let mut ring = String::from("namespace \"a\"\n");
    for i in 0..10_000 {
        ring.push_str(&format!("alias A{i} = A{}\n", (i + 1) % 10_000));
    }
    check_fails_with(
        &dir,
        "ring.widl",
        &ring,
        "alias `A0` refers to itself through a loop of 10000 aliases",
    );
    let (_, _, stderr) = wapc(&dir, &["check", "ring.widl"]);
    assert_eq!(
        stderr.matches("error:").count(),
        1,
        "a long loop is reported once"
    );

    // Each alias names the next twice: expanded, the first would have 2^40 parts.
    let mut doubling = String::from("namespace \"a\"\n");
    for i in 0..40 {
        doubling.push_str(&format!("alias A{i} = {{A{n}: A{n}}}\n", n = i + 1));
    }
    doubling.push_str("alias A40 = string\n");
    check_fails_with(
        &dir,
        "doubling.widl",
        &doubling,
        "stands for a type of more than 4096 parts",
    );
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let dir = scratch("nesting");
    let deep_list = format!(
        "namespace \"a\"\ntype T {{ f: {}string{} }}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    check_fails_with(
        &dir,
        "lists.widl",
        &deep_list,
        "brackets nest more than 64 levels deep",
    );
    let deep_map = format!(
        "namespace \"a\"\ntype T {{ f: {}string{} }}\n",
        "{string: ".repeat(10_000),
        "}".repeat(10_000)
    );
    check_fails_with(
        &dir,
        "maps.widl",
        &deep_map,
        "brackets nest more than 64 levels deep",
    );
    let deep_value = format!(
        "namespace \"a\"\ntype T {{ f: [i32] = {}1{} }}\n",
        "[".repeat(5_000),
        "]".repeat(5_000)
    );
    check_fails_with(
        &dir,
        "values.widl",
        &deep_value,
        "brackets nest more than 64 levels deep",
    );
}

#[test]
fn ten_thousand_nested_imports_are_an_error() {
    let dir = scratch("imports");
    for i in 0..10_000 {
        std::fs::write(
            dir.join(format!("f{i}.widl")),
            format!("import * from \"f{}\"\ntype T{i} {{ a: string }}\n", i + 1),
        )
        .unwrap();
    }
    std::fs::write(dir.join("f10000.widl"), "type Last { a: string }\n").unwrap();
    let (code, _, stderr) = wapc(&dir, &["check", "f0.widl"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("imports nest more than 64 files deep"),
        "{stderr}"
    );
}

#[test]
fn a_huge_schema_is_refused_with_its_size() {
    let dir = scratch("huge");
    let line = "type T { a: string, b: [i64], c: {string: T?} }\n";
    let text = line.repeat(50_000_000 / line.len() + 1);
    check_fails_with(
        &dir,
        "huge.widl",
        &text,
        "it is 47.6 MiB; a schema may be at most 16 MiB",
    );
}

fn project(test: &str, generates: &str) -> PathBuf {
    let dir = scratch(test);
    std::fs::write(
        dir.join("schema.widl"),
        "namespace \"x\"\ntype A { b: string }\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("codegen.yaml"),
        format!("schema: schema.widl\ngenerates:\n{generates}"),
    )
    .unwrap();
    dir
}

/// A project whose codegen.yaml names a `templates` folder holding `templates` (name, text).
fn project_with_templates(test: &str, generates: &str, templates: &[(&str, String)]) -> PathBuf {
    let dir = project(test, generates);
    let folder = dir.join("templates");
    std::fs::create_dir_all(&folder).unwrap();
    for (name, text) in templates {
        std::fs::write(folder.join(format!("{name}.hbs")), text).unwrap();
    }
    let mut config = std::fs::read_to_string(dir.join("codegen.yaml")).unwrap();
    config.push_str("templates: templates\n");
    std::fs::write(dir.join("codegen.yaml"), config).unwrap();
    dir
}

#[test]
fn deeply_nested_templates_are_an_error_not_a_stack_overflow() {
    let deep = 100_000;
    let parens = format!(
        "{{{{snake {}name{}}}}}",
        "(snake ".repeat(deep),
        ")".repeat(deep)
    );
    let blocks = format!(
        "{}x{}",
        "{{#if types}}".repeat(deep),
        "{{/if}}".repeat(deep)
    );
    let chain = format!(
        "{{{{#if a}}}}{}{{{{/if}}}}",
        "{{else if types}}x".repeat(deep)
    );
    let fine = format!("{}x{}", "{{#if types}}".repeat(60), "{{/if}}".repeat(60));
    let dir = project_with_templates(
        "deep-templates",
        "  parens.txt: {template: parens}\n  blocks.txt: {template: blocks}\n  chain.txt: {template: chain}\n  fine.txt: {template: fine}\n",
        &[
            ("parens", parens),
            ("blocks", blocks),
            ("chain", chain),
            ("fine", fine),
        ],
    );
    let (code, _, stderr) = wapc(&dir, &["generate"]);
    assert_eq!(code, 1, "{stderr}");
    for (name, at) in [("parens", "1:1"), ("blocks", "1:833"), ("chain", "1:")] {
        let expected = format!("{name}.hbs:{at}");
        assert!(stderr.contains(&expected), "{expected} in {stderr}");
    }
    assert!(stderr.contains("nest more than 64 deep"), "{stderr}");
    assert!(!stderr.contains("fine.hbs"), "{stderr}");
    assert!(!dir.join("fine.txt").exists());
}

#[test]
fn a_template_that_includes_itself_is_an_error_not_a_stack_overflow() {
    let dir = project_with_templates(
        "self-include",
        "  a.txt: {template: loop}\n  b.txt: {template: ping}\n",
        &[
            ("loop", "x{{include \"loop\"}}".to_string()),
            // Through each other, and with named values (the other path through `include`).
            ("ping", "{{include \"pong\" n=1}}".to_string()),
            (
                "pong",
                "{{#each @root.types}}{{include \"ping\"}}{{/each}}".to_string(),
            ),
        ],
    );
    let (code, _, stderr) = wapc(&dir, &["generate"]);
    assert_eq!(code, 1, "{stderr}");
    for name in ["loop", "pong"] {
        let expected = format!("`{name}` is included more than 64 deep");
        assert!(stderr.contains(&expected), "{expected} in {stderr}");
    }
    assert!(!dir.join("a.txt").exists() && !dir.join("b.txt").exists());
}

#[test]
fn outputs_outside_the_project_need_allow_outside() {
    let dir = project("outside", "  ../escaped.rs: {template: rust/module}\n");
    let (code, _, stderr) = wapc(&dir, &["generate"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("pass --allow-outside"), "{stderr}");
    assert!(!dir.parent().unwrap().join("escaped.rs").exists());

    let absolute = dir.parent().unwrap().join("absolute.rs");
    std::fs::write(
        dir.join("codegen.yaml"),
        format!(
            "schema: schema.widl\ngenerates:\n  {}: {{template: rust/module}}\n",
            absolute.display()
        ),
    )
    .unwrap();
    assert_eq!(wapc(&dir, &["generate"]).0, 1);
    assert!(!absolute.exists());
    let (code, _, stderr) = wapc(&dir, &["generate", "--allow-outside"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(absolute.exists());
    std::fs::remove_file(absolute).unwrap();
}

#[test]
fn file_system_faults_are_clear_errors_and_write_nothing() {
    // A file where a folder must go: the first target is fine, the second cannot be written;
    // neither is, because every output is checked before any is written.
    let dir = project(
        "faults",
        "  a/good.rs: {template: rust/module}\n  blocked/x.rs: {template: rust/module}\n",
    );
    std::fs::write(dir.join("blocked"), "a file").unwrap();
    let (code, _, stderr) = wapc(&dir, &["generate"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("cannot write `blocked/x.rs`: a part of the path is a file"),
        "{stderr}"
    );
    assert!(
        !dir.join("a/good.rs").exists(),
        "a partial run wrote a file"
    );

    // A folder where the output file must go.
    std::fs::remove_file(dir.join("blocked")).unwrap();
    std::fs::create_dir_all(dir.join("blocked/x.rs")).unwrap();
    let (code, _, stderr) = wapc(&dir, &["generate"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("cannot write `blocked/x.rs`: it is a directory"),
        "{stderr}"
    );

    // A folder names its codegen.yaml, which is missing; the codegen file is missing; the
    // schema is missing.
    std::fs::create_dir_all(dir.join("folder.yaml")).unwrap();
    let (code, _, stderr) = wapc(&dir, &["generate", "folder.yaml"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("cannot read `folder.yaml/codegen.yaml`: no such file"),
        "{stderr}"
    );
    let (code, _, stderr) = wapc(&dir, &["generate", "nothing.yaml"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("cannot read `nothing.yaml`: no such file"),
        "{stderr}"
    );
    std::fs::remove_file(dir.join("schema.widl")).unwrap();
    let (code, _, stderr) = wapc(&dir, &["generate"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("schema.widl`: no such file"), "{stderr}");
}

#[test]
fn the_same_output_twice_is_an_error() {
    let dir = project("twice", "  a.rs: {template: rust/module}\n");
    let yaml = std::fs::read_to_string(dir.join("codegen.yaml")).unwrap();
    std::fs::write(dir.join("codegen.yaml"), format!("{yaml}---\n{yaml}")).unwrap();
    let (code, _, stderr) = wapc(&dir, &["generate"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("`a.rs` is generated twice"), "{stderr}");
    assert!(!dir.join("a.rs").exists());
}

#[test]
fn a_killed_run_leaves_each_file_old_or_new() {
    // A schema big enough that generating takes a while, so that kills land mid-run.
    let dir = scratch("killed");
    let mut schema = String::from("namespace \"k\"\ninterface {\n");
    for i in 0..1500 {
        schema.push_str(&format!("  op{i}(a: T{i}, b: [string]): T{i}\n"));
    }
    schema.push_str("}\n");
    for i in 0..1500 {
        schema.push_str(&format!(
            "type T{i} {{ a: string, b: {{string: [i64]}}, c: bytes? }}\n"
        ));
    }
    std::fs::write(dir.join("schema.widl"), &schema).unwrap();
    let outputs = ["a.rs", "b.go", "c.ts"];
    std::fs::write(
        dir.join("codegen.yaml"),
        "schema: schema.widl\ngenerates:\n  a.rs: {template: rust/module}\n  \
         b.go: {template: tinygo/module}\n  c.ts: {template: assemblyscript/module}\n",
    )
    .unwrap();
    // The complete output, once.
    assert_eq!(wapc(&dir, &["generate", "--no-format"]).0, 0);
    let complete: Vec<Vec<u8>> = outputs
        .iter()
        .map(|o| std::fs::read(dir.join(o)).unwrap())
        .collect();
    let old = b"// old content\n".to_vec();
    for delay_ms in [5, 20, 50, 100, 200, 400, 800] {
        for output in outputs {
            std::fs::write(dir.join(output), &old).unwrap();
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_wapc"))
            .current_dir(&dir)
            .args(["generate", "--no-format"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill(); // SIGKILL on Unix.
        let _ = child.wait();
        for (output, new) in outputs.iter().zip(&complete) {
            let now = std::fs::read(dir.join(output)).unwrap();
            assert!(
                now == old || now == *new,
                "{output} after a kill at {delay_ms} ms is neither old nor new ({} bytes)",
                now.len()
            );
        }
    }
}

#[test]
fn a_type_that_holds_itself_without_indirection_is_an_error() {
    let dir = scratch("containment");
    check_fails_with(
        &dir,
        "pair.widl",
        "namespace \"x\"\ntype A { b: B }\ntype B { a: Al }\nalias Al = A\n",
        "type `A` contains itself (A → B → A) with no optional, list or map in between",
    );
    let mut ring = String::from("namespace \"x\"\n");
    for i in 0..5_000 {
        ring.push_str(&format!("type T{i} {{ next: T{} }}\n", (i + 1) % 5_000));
    }
    check_fails_with(
        &dir,
        "ring.widl",
        &ring,
        "type `T0` contains itself (through 5000 types)",
    );
    let (_, _, stderr) = wapc(&dir, &["check", "ring.widl"]);
    assert_eq!(
        stderr.matches("error:").count(),
        1,
        "a long loop is reported once"
    );
    // Through an optional, a list or a map, a type may hold itself.
    std::fs::write(
        dir.join("fine.widl"),
        "namespace \"x\"\ntype Node { next: Node?, children: [Node], named: {string: Node} }\n",
    )
    .unwrap();
    assert_eq!(wapc(&dir, &["check", "fine.widl"]).0, 0);
}

#[test]
fn a_read_only_folder_is_a_clear_error() {
    use std::io::Write as _;
    use std::os::unix::fs::PermissionsExt as _;
    let dir = project("read_only", "  out/a.rs: {template: rust/module}\n");
    std::fs::create_dir_all(dir.join("out")).unwrap();
    std::fs::set_permissions(dir.join("out"), std::fs::Permissions::from_mode(0o555)).unwrap();
    // Root writes anywhere: the test means something only for other users.
    if std::fs::write(dir.join("out/probe"), "x").is_ok() {
        let _ = writeln!(
            std::io::stderr(),
            "skipped a_read_only_folder_is_a_clear_error: this user can write into read-only folders (root)"
        );
        return;
    }
    let (code, _, stderr) = wapc(&dir, &["generate"]);
    std::fs::set_permissions(dir.join("out"), std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(code, 1);
    assert!(
        stderr.contains("cannot write `out/a.rs`: permission denied"),
        "{stderr}"
    );
    assert!(!dir.join("out/a.rs").exists());
}
