//! Hostile input that tries to make wapc read what it should not: files without end (devices,
//! FIFOs, huge files), files outside the project, and secrets echoed back in messages; and
//! runaway configuration. Each is a clear error and exit 1, quickly.

use crate::support::toolchain;

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn scratch(test: &str) -> PathBuf {
    toolchain::scratch("hostile_reads", test)
}

/// Runs `wapc` in `dir`, killing it (and failing the test) after 20 s: a run that reads
/// without end, or waits on a FIFO, must not hang the suite. Exit code, stdout, stderr.
fn wapc(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wapc"))
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("wapc runs");
    // Drained on threads, so that a full pipe cannot stall the child.
    let drain = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    };
    let stdout = drain(Box::new(child.stdout.take().expect("piped stdout")));
    let stderr = drain(Box::new(child.stderr.take().expect("piped stderr")));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait works") {
            break status;
        }
        // A guard against hanging on what never ends (a FIFO, /dev/zero), not a speed target:
        // a debug build on a busy machine may take seconds over the largest inputs here.
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("wapc {args:?} ran for more than 120 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    (
        status.code().unwrap_or(-1),
        stdout.join().expect("stdout drained"),
        stderr.join().expect("stderr drained"),
    )
}

fn fails_with(dir: &Path, args: &[&str], expected: &str) -> String {
    let (code, _, stderr) = wapc(dir, args);
    assert_eq!(code, 1, "{args:?}: {stderr}");
    assert!(
        stderr.contains(expected),
        "{args:?}: expected {expected:?} in\n{stderr}"
    );
    stderr
}

/// Whether `stderr` reports an error whose message starts with `message`, at `place`
/// (`file:line:col`): the form every located error takes, `error: message`, then `--> place`.
fn reports_at(stderr: &str, place: &str, message: &str) -> bool {
    reports_at_level(stderr, "error", place, message)
}

/// [`reports_at`] for a report of `level` (`error`, `warning`).
fn reports_at_level(stderr: &str, level: &str, place: &str, message: &str) -> bool {
    let lines: Vec<&str> = stderr.lines().collect();
    lines.windows(2).any(|pair| {
        pair[0].starts_with(&format!("{level}: {message}"))
            && pair[1].trim_start() == format!("--> {place}")
    })
}

fn write(path: &Path, text: impl AsRef<[u8]>) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("writable folder");
    }
    std::fs::write(path, text).expect("writable file");
}

const SCHEMA: &str = "namespace \"x\"\ntype A { b: string }\n";

#[test]
fn devices_and_fifos_are_not_regular_files() {
    let dir = scratch("devices");
    for device in ["/dev/zero", "/dev/urandom"] {
        fails_with(
            &dir,
            &["check", device],
            &format!("cannot read `{device}`: it is not a regular file"),
        );
        fails_with(
            &dir,
            &["generate", device],
            &format!("cannot read `{device}`: it is not a regular file"),
        );
    }
    let made = Command::new("mkfifo")
        .arg(dir.join("pipe.widl"))
        .status()
        .is_ok_and(|s| s.success());
    assert!(made, "mkfifo works");
    fails_with(
        &dir,
        &["check", "pipe.widl"],
        "cannot read `pipe.widl`: it is not a regular file",
    );
    // A schema naming a FIFO, directly or through a symlink inside the project.
    std::os::unix::fs::symlink("pipe.widl", dir.join("link.widl")).expect("symlink");
    write(
        &dir.join("codegen.yaml"),
        "schema: link.widl\ngenerates:\n  a.rs: {template: rust/module}\n",
    );
    fails_with(&dir, &["generate"], "`link.widl`: it is not a regular file");
}

#[test]
fn a_huge_codegen_file_or_template_is_refused() {
    let dir = scratch("huge-config");
    write(&dir.join("schema.widl"), SCHEMA);
    let mut yaml = "schema: schema.widl\ngenerates:\n  a.rs: {template: rust/module}\n".to_string();
    yaml.push_str(&"# padding\n".repeat(200_000));
    write(&dir.join("codegen.yaml"), &yaml);
    fails_with(
        &dir,
        &["generate"],
        "cannot read `codegen.yaml`: it is 1.9 MiB; a codegen file may be at most 1 MiB",
    );
    write(
        &dir.join("codegen.yaml"),
        "schema: schema.widl\ntemplates: t\ngenerates:\n  a.txt: {template: big}\n",
    );
    write(&dir.join("t/big.hbs"), "x".repeat(17 << 20));
    fails_with(
        &dir,
        &["generate"],
        "big.hbs`: it is 17 MiB; a template may be at most 16 MiB",
    );
}

#[test]
fn a_schema_and_its_imports_are_limited_together() {
    let dir = scratch("total");
    // Four imports of 9 MiB each (comments: cheap to parse), each under the file limit.
    let padding = "# padding padding padding padding padding padding padding padding\n"
        .repeat((9 << 20) / 66);
    let mut main = String::from("namespace \"x\"\n");
    for i in 0..4 {
        main.push_str(&format!("import * from \"part{i}\"\n"));
        write(
            &dir.join(format!("part{i}.widl")),
            format!("{padding}type P{i} {{ a: string }}\n"),
        );
    }
    write(&dir.join("main.widl"), &main);
    let stderr = fails_with(
        &dir,
        &["check", "main.widl"],
        "cannot read `part3.widl`: with it, the schema and its imports are more than 32 MiB together",
    );
    assert!(stderr.contains("main.widl:5:15"), "{stderr}");
}

/// A project in `dir/project`, and a secret beside it in `dir/secret` that its files try to
/// read: a syntax error in the secret would quote its first line.
fn project_and_secret(test: &str) -> PathBuf {
    let dir = scratch(test);
    write(&dir.join("secret/x.widl"), "password hunter2\n");
    write(&dir.join("project/schema.widl"), SCHEMA);
    dir
}

#[test]
fn imports_outside_the_project_need_allow_outside() {
    let dir = project_and_secret("outside-imports");
    write(
        &dir.join("project/main.widl"),
        "import * from \"../secret/x\"\n",
    );
    let stderr = fails_with(
        &dir,
        &["check", "project/main.widl"],
        "it is outside the project folder and the include folders (pass --allow-outside to read it)",
    );
    assert!(stderr.contains("project/main.widl:1:15"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
    // With the flag, or with the folder included, the file is read (and its error shown).
    let stderr = fails_with(
        &dir,
        &["check", "--allow-outside", "project/main.widl"],
        "hunter2",
    );
    assert!(stderr.contains("secret/x.widl:1:1"), "{stderr}");
    fails_with(
        &dir,
        &["ast", "-I", "secret", "project/main.widl"],
        "hunter2",
    );

    // A symlink inside the project that points out of it.
    std::os::unix::fs::symlink("../secret/x.widl", dir.join("project/link.widl")).expect("symlink");
    write(&dir.join("project/main.widl"), "import * from \"link\"\n");
    let stderr = fails_with(
        &dir,
        &["check", "project/main.widl"],
        "cannot read `project/link.widl`: it is outside the project folder",
    );
    assert!(!stderr.contains("hunter2"), "{stderr}");
    let stderr = fails_with(
        &dir,
        &["check", "project/link.widl"],
        "cannot read `project/link.widl`: it is outside the project folder",
    );
    assert!(!stderr.contains("hunter2"), "{stderr}");
}

#[test]
fn a_codegen_file_reads_only_inside_its_folder() {
    let dir = project_and_secret("outside-codegen");
    write(
        &dir.join("project/codegen.yaml"),
        "schema: ../secret/x.widl\ngenerates:\n  a.rs: {template: rust/module}\n",
    );
    let stderr = fails_with(
        &dir.join("project"),
        &["generate"],
        "cannot read `../secret/x.widl`: it is outside the project folder",
    );
    assert!(!stderr.contains("hunter2"), "{stderr}");
    fails_with(
        &dir.join("project"),
        &["generate", "--allow-outside"],
        "hunter2",
    );

    write(&dir.join("secret/t/leak.hbs"), "{{! hunter2 }}");
    write(
        &dir.join("project/codegen.yaml"),
        "schema: schema.widl\ntemplates: ../secret/t\ngenerates:\n  a.txt: {template: leak}\n",
    );
    fails_with(
        &dir.join("project"),
        &["generate"],
        "cannot read the templates folder `../secret/t`: it is outside the project folder",
    );
    assert!(!dir.join("project/a.txt").exists());
}

#[test]
fn lines_of_a_file_that_is_not_text_are_not_quoted() {
    let dir = scratch("binary");
    write(&dir.join("nul.widl"), b"type A {\0 secret-one }\n");
    let stderr = fails_with(&dir, &["check", "nul.widl"], "nul.widl:1:");
    assert!(!stderr.contains("secret-one"), "{stderr}");
    write(&dir.join("latin1.widl"), b"type A { \xe9 secret-two }\n");
    let stderr = fails_with(&dir, &["check", "latin1.widl"], "latin1.widl:1:10");
    assert!(!stderr.contains("secret-two"), "{stderr}");
}

/// A project whose codegen.yaml is `yaml`, over a schema with one role, `Console`.
fn project_with_config(test: &str, yaml: &str) -> PathBuf {
    let dir = scratch(test);
    write(
        &dir.join("schema.widl"),
        "namespace \"x\"\nrole Console { log(m: string) }\ntype A { b: string }\n",
    );
    write(&dir.join("codegen.yaml"), yaml);
    dir
}

#[test]
fn deeply_nested_yaml_is_refused_before_parsing() {
    for (name, nesting) in [
        ("flow-maps", "{a: ".repeat(50_000)),
        ("flow-lists", "[".repeat(200_000)),
        ("block-lists", "- ".repeat(100_000)),
        ("keys", "? ".repeat(100_000)),
    ] {
        let dir = project_with_config(
            &format!("deep-yaml-{name}"),
            &format!(
                "schema: schema.widl\ngenerates:\n  a.rs: {{template: rust/module}}\nconfig:\n  x: {nesting}\n"
            ),
        );
        fails_with(&dir, &["generate"], " --> codegen.yaml:5:");
        let (_, _, stderr) = wapc(&dir, &["generate"]);
        assert!(
            stderr.contains("the YAML nests more than 64 levels deep"),
            "{stderr}"
        );
    }
    let mut indented =
        String::from("schema: schema.widl\ngenerates:\n  a.rs: {template: rust/module}\nconfig:\n");
    for depth in 1..100 {
        indented.push_str(&format!("{}a:\n", " ".repeat(depth)));
    }
    let dir = project_with_config("deep-yaml-indented", &indented);
    let stderr = fails_with(
        &dir,
        &["generate"],
        "the YAML nests more than 64 levels deep",
    );
    assert!(stderr.contains(" --> codegen.yaml:68:65\n"), "{stderr}");
}

#[test]
fn a_duplicated_key_is_a_located_error() {
    let dir = project_with_config(
        "duplicate-keys",
        "schema: schema.widl\ngenerates:\n  a.rs: {template: rust/module}\n  a.rs:\n    template: rust/scaffold\n",
    );
    let stderr = fails_with(&dir, &["generate"], "generates: `a.rs` is given twice");
    // At the second key, and at the first.
    assert_eq!(
        stderr,
        "error: generates: `a.rs` is given twice\n --> codegen.yaml:4:3\n  |\n3 |   a.rs: {template: rust/module}\n  |   ---- first given here\n4 |   a.rs:\n  |   ^^^^\n"
    );
    write(
        &dir.join("codegen.yaml"),
        "schema: schema.widl\nconfig: {hostRoles: [Console], hostRoles: []}\ngenerates:\n  a.rs: {template: rust/module}\n",
    );
    let stderr = fails_with(&dir, &["generate"], "config: `hostRoles` is given twice");
    assert!(stderr.contains(" --> codegen.yaml:2:32\n"), "{stderr}");
    assert!(
        stderr.contains("2 | config: {hostRoles: [Console], hostRoles: []}\n  |          ---------             ^^^^^^^^^\n"),
        "{stderr}"
    );
    // In a list, and in a mapping that is a key (which no path can name: no second label).
    write(
        &dir.join("codegen.yaml"),
        "schema: schema.widl\ngenerates:\n  a.rs:\n    template: rust/module\n    config: {list: [{a: 1}, {b: 2, b: 3}]}\n",
    );
    let stderr = fails_with(
        &dir,
        &["generate"],
        "generates.a.rs.config.list[1]: `b` is given twice",
    );
    assert!(
        stderr.contains("                              -     ^\n"),
        "{stderr}"
    );
    write(&dir.join("codegen.yaml"), "? {a: 1, a: 2}\n: x\n");
    let stderr = fails_with(&dir, &["generate"], "`a` is given twice");
    assert!(!stderr.contains("first given here"), "{stderr}");
    assert!(!dir.join("a.rs").exists());
}

/// A key that no built-in template reads is a located warning, as cargo warns of an unused
/// manifest key: the old tool ignored such keys, and real projects carry them
/// (wapc/rules-demo's `packageName`). `--deny-warnings` makes it an error, writing nothing.
/// Wrong types and unknown roles stay errors.
#[test]
fn config_that_the_templates_would_ignore_is_a_located_warning_and_wrong_config_an_error() {
    let dir = project_with_config(
        "config-keys",
        "schema: schema.widl\nconfig:\n  hostRole: [Console]\ngenerates:\n  a.rs: {template: rust/module}\n",
    );
    let warning = "unknown config key `hostRole` (did you mean `hostRoles`?)";
    let (code, _, stderr) = wapc(&dir, &["generate"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        reports_at_level(&stderr, "warning", "codegen.yaml:3:3", warning),
        "{stderr}"
    );
    assert!(dir.join("a.rs").exists());
    std::fs::remove_file(dir.join("a.rs")).expect("generated file");
    let stderr = fails_with(&dir, &["generate", "--deny-warnings"], warning);
    assert!(reports_at(&stderr, "codegen.yaml:3:3", warning), "{stderr}");
    assert!(
        stderr.contains("`--deny-warnings` makes every warning an error"),
        "{stderr}"
    );
    assert!(
        !dir.join("a.rs").exists(),
        "written despite --deny-warnings"
    );
    write(
        &dir.join("codegen.yaml"),
        "schema: schema.widl\ngenerates:\n  a.rs:\n    template: rust/module\n    config:\n      hostRoles: [Console, Consol]\n      handlerRoles: Console, Nope\n      skipInterface: 5\n",
    );
    let stderr = fails_with(
        &dir,
        &["generate"],
        "`hostRoles` names the role `Consol`, which the schema does not define (did you mean `Console`?); its roles are Console",
    );
    assert!(
        reports_at(
            &stderr,
            "codegen.yaml:6:28",
            "`hostRoles` names the role `Consol`, which the schema does not define (did you mean `Console`?); its roles are Console"
        ),
        "{stderr}"
    );
    assert!(
        reports_at(
            &stderr,
            "codegen.yaml:7:21",
            "`handlerRoles` names the role `Nope`"
        ),
        "{stderr}"
    );
    assert!(
        reports_at(
            &stderr,
            "codegen.yaml:8:22",
            "`skipInterface` is `true` or `false`, not `5`"
        ),
        "{stderr}"
    );
    write(
        &dir.join("codegen.yaml"),
        "schema: schema.widl\nconfig: {hostRoles: 5}\ngenerates:\n  a.rs: {template: rust/module}\n",
    );
    let stderr = fails_with(
        &dir,
        &["generate"],
        "`hostRoles` is a list of role names, not `5`",
    );
    assert!(
        reports_at(
            &stderr,
            "codegen.yaml:2:21",
            "`hostRoles` is a list of role names, not `5`"
        ),
        "{stderr}"
    );
    assert!(!dir.join("a.rs").exists());

    // A key for the user's own template is theirs to read; known keys are still checked.
    write(&dir.join("t/mine.hbs"), "{{config.flavour}}");
    write(
        &dir.join("codegen.yaml"),
        "schema: schema.widl\ntemplates: t\nconfig: {flavour: mint}\ngenerates:\n  a.txt: {template: mine}\n",
    );
    let (code, _, stderr) = wapc(&dir, &["generate"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.join("a.txt")).unwrap_or_default(),
        "mint"
    );
    write(
        &dir.join("codegen.yaml"),
        "schema: schema.widl\ntemplates: t\nconfig: {flavour: mint, hostRoles: [Nope]}\ngenerates:\n  a.txt: {template: mine}\n",
    );
    let stderr = fails_with(&dir, &["generate"], "`hostRoles` names the role `Nope`");
    assert!(
        reports_at(
            &stderr,
            "codegen.yaml:3:37",
            "`hostRoles` names the role `Nope`"
        ),
        "{stderr}"
    );
}

#[test]
fn partials_that_include_each_other_are_an_error_not_a_stack_overflow() {
    let dir = project_with_config(
        "partials",
        "schema: schema.widl\ntemplates: t\ngenerates:\n  a.txt: {template: a}\n",
    );
    write(&dir.join("t/a.hbs"), "x\n{{> b}}");
    write(&dir.join("t/b.hbs"), "{{#each types}}{{> a}}{{/each}}");
    let stderr = fails_with(
        &dir,
        &["generate"],
        "invalid template: partials include each other: a → b → a",
    );
    assert!(
        reports_at(
            &stderr,
            "t/a.hbs:2:1",
            "invalid template: partials include each other: a → b → a"
        ),
        "{stderr}"
    );
    // Through an inline partial, and through a partial block's body.
    write(
        &dir.join("t/a.hbs"),
        "{{#*inline \"c\"}}{{> b}}{{/inline}}{{> c}}",
    );
    fails_with(&dir, &["generate"], "partials include each other");
    write(&dir.join("t/a.hbs"), "{{#> b}}{{> a}}{{/b}}");
    write(&dir.join("t/b.hbs"), "{{> @partial-block}}");
    fails_with(&dir, &["generate"], "partials include each other");
    // A chain of distinct partials deeper than includes may go.
    for i in 0..100 {
        write(
            &dir.join(format!("t/p{i}.hbs")),
            format!("{{{{> p{}}}}}", i + 1),
        );
    }
    write(&dir.join("t/a.hbs"), "{{> p0}}");
    write(&dir.join("t/b.hbs"), "b");
    fails_with(&dir, &["generate"], "partials nest more than 64 deep");
    for i in 0..100 {
        std::fs::remove_file(dir.join(format!("t/p{i}.hbs"))).expect("removable");
    }
    write(&dir.join("t/a.hbs"), "{{> b}}{{> b}}");
    let (code, _, stderr) = wapc(&dir, &["generate"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.join("a.txt")).unwrap_or_default(),
        "bb"
    );
}

/// Runs `wapc` in `dir` with stdout (or stderr) on a pipe whose reading end is closed, or on
/// /dev/full; exit code and what reached the other stream.
fn wapc_writing_to(dir: &Path, args: &[&str], broken: &str, stream: &str) -> (i32, String) {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    let target: Stdio = match broken {
        "pipe" => {
            drop(reader);
            writer.into()
        }
        _ => std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full opens")
            .into(),
    };
    let mut command = Command::new(env!("CARGO_BIN_EXE_wapc"));
    command.current_dir(dir).args(args).stdin(Stdio::null());
    let output = if stream == "stdout" {
        command.stdout(target).stderr(Stdio::piped()).output()
    } else {
        command.stderr(target).stdout(Stdio::piped()).output()
    }
    .expect("wapc runs");
    let other = if stream == "stdout" {
        output.stderr
    } else {
        output.stdout
    };
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&other).into_owned(),
    )
}

#[test]
fn failed_writes_end_quietly_on_a_closed_pipe_and_with_an_error_otherwise() {
    let dir = project_with_config(
        "writes",
        "schema: schema.widl\ngenerates:\n  a.rs: {template: rust/module}\n",
    );
    write(&dir.join("bad.widl"), "type {\n");
    for args in [
        &["new", "--list"][..],
        &["templates", "export", "rust/module", "exported"],
        &["templates", "list"],
        &["ast", "schema.widl"],
        &["generate", "--no-format"],
    ] {
        let (code, stderr) = wapc_writing_to(&dir, args, "pipe", "stdout");
        assert_eq!(
            (code, stderr.as_str()),
            (0, ""),
            "{args:?} on a closed pipe"
        );
        // An export has files to list only once.
        let _ = std::fs::remove_dir_all(dir.join("exported"));
        let (code, stderr) = wapc_writing_to(&dir, args, "full", "stdout");
        assert_eq!(code, 1, "{args:?} on /dev/full: {stderr}");
        assert_eq!(
            stderr.lines().collect::<Vec<_>>(),
            ["error: cannot write the output: No space left on device (os error 28)"],
            "{args:?} on /dev/full"
        );
    }
    // Errors on a stderr that fails: the exit status alone says it.
    for broken in ["pipe", "full"] {
        let (code, _) = wapc_writing_to(&dir, &["check", "bad.widl"], broken, "stderr");
        assert_eq!(code, 1, "check with stderr on {broken}");
    }
}
