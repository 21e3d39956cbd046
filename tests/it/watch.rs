//! `wapc generate --watch` over real file changes: the schema, an import and a template.

#![cfg(unix)]

use std::io::Read as _;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Polls `done` for up to 10 s; panics with `what` and `stderr` when it never holds.
fn wait_for(what: &str, stderr: &Mutex<String>, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        if start.elapsed() > Duration::from_secs(10) {
            let stderr = stderr.lock().map(|s| s.clone()).unwrap_or_default();
            panic!("timed out waiting for {what}; stderr:\n{stderr}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Starts `wapc generate --watch` in `root`: the process, its stderr as it comes, and the
/// thread collecting it (done when the process ends).
pub(crate) fn start_watching(
    root: &Path,
) -> (Child, Arc<Mutex<String>>, std::thread::JoinHandle<()>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wapc"))
        .args(["generate", "--watch"])
        .current_dir(root)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start wapc");
    let stderr = Arc::new(Mutex::new(String::new()));
    let mut pipe = child.stderr.take().expect("stderr");
    let collected = Arc::clone(&stderr);
    let reader = std::thread::spawn(move || {
        let mut buffer = [0; 4096];
        while let Ok(n @ 1..) = pipe.read(&mut buffer) {
            if let Ok(mut text) = collected.lock() {
                text.push_str(&String::from_utf8_lossy(&buffer[..n]));
            }
        }
    });
    (child, stderr, reader)
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).expect("write a test file");
}

#[test]
fn regenerates_on_changes_survives_errors_and_stops_on_ctrl_c() {
    let dir = tempfile::tempdir().expect("scratch folder");
    let root = dir.path();
    std::fs::create_dir(root.join("templates")).expect("templates folder");
    write(
        &root.join("codegen.yaml"),
        "schema: schema.widl\ntemplates: templates\ngenerates:\n  out.txt:\n    template: names\n",
    );
    let template = root.join("templates/names.hbs");
    write(&template, "{{#each types}}{{name}} {{/each}}\n");
    let schema = root.join("schema.widl");
    let shared = root.join("shared.widl");
    write(&schema, "import * from \"shared\"\ntype A { x: string }\n");
    write(&shared, "type S { x: string }\n");

    let (mut child, stderr, reader) = start_watching(root);
    let output = root.join("out.txt");
    let holds = |text: &str| std::fs::read_to_string(&output).is_ok_and(|o| o.contains(text));

    wait_for("the first run", &stderr, || holds("S A "));
    write(
        &schema,
        "import * from \"shared\"\ntype A { x: string }\ntype B { x: string }\n",
    );
    wait_for("the schema's change", &stderr, || holds("S A B "));
    write(&shared, "type S { x: string }\ntype T { x: string }\n");
    wait_for("the import's change", &stderr, || holds("S T A B "));
    write(&template, "v2: {{#each types}}{{name}} {{/each}}\n");
    wait_for("the template's change", &stderr, || holds("v2: S T A B "));

    write(&schema, "type A {\n");
    wait_for("the error", &stderr, || {
        stderr.lock().is_ok_and(|s| s.contains("error"))
    });
    assert!(
        child.try_wait().expect("child status").is_none(),
        "wapc --watch ended after an error"
    );
    assert!(holds("v2: S T A B "), "a failed run changed the output");
    write(&schema, "type C { x: string }\n");
    wait_for("the fixed schema", &stderr, || holds("v2: C "));

    let interrupted = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(interrupted.success());
    let mut status = None;
    wait_for("the exit after Ctrl-C", &stderr, || {
        status = child.try_wait().expect("child status");
        status.is_some()
    });
    assert_eq!(status.and_then(|s| s.code()), Some(0));
    reader.join().expect("stderr reader");
}
