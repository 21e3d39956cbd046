//! The second hostile pass (issue 22) over the surfaces added after the first: `generate
//! --watch`, the build.rs `Builder`, `wapc install` and `wapc new --spec`.

#![cfg(unix)]

use crate::support::toolchain;

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn scratch(test: &str) -> PathBuf {
    toolchain::scratch("hostile_surfaces", test)
}

fn write(path: &Path, text: impl AsRef<[u8]>) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("make a folder");
    }
    std::fs::write(path, text).expect("write a test file");
}

/// How many runs `--watch` has finished: each ends with this line on stderr.
fn runs(stderr: &Mutex<String>) -> usize {
    stderr
        .lock()
        .map(|s| s.matches("watching for changes").count())
        .unwrap_or_default()
}

/// Only a change starts a run: neither reading the inputs nor the run's own writing does,
/// and a hand edit of a generated file stays.
#[test]
fn watch_runs_once_per_change_and_then_idles() {
    let root = scratch("watch_idles");
    write(
        &root.join("templates/names.hbs"),
        "{{#each types}}{{name}} {{/each}}\n",
    );
    write(
        &root.join("codegen.yaml"),
        "schema: schema.widl\ntemplates: templates\ngenerates:\n  out.txt:\n    template: names\n",
    );
    let schema = root.join("schema.widl");
    write(&schema, "type A { x: string }\n");
    let mut child = Command::new(env!("CARGO_BIN_EXE_wapc"))
        .args(["generate", "--watch"])
        .current_dir(&root)
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
    let wait_for_runs = |count: usize| {
        let start = Instant::now();
        while runs(&stderr) < count && start.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    wait_for_runs(1);
    write(&schema, "type A { x: string }\ntype B { x: string }\n");
    wait_for_runs(2);
    // Read every input (and the output) for a few seconds, then edit the output by hand.
    let output = root.join("out.txt");
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(3) {
        for file in [
            &schema,
            &root.join("codegen.yaml"),
            &root.join("templates/names.hbs"),
        ] {
            std::fs::read(file).expect("readable input");
        }
        std::fs::read(&output).expect("readable output");
        std::thread::sleep(Duration::from_millis(100));
    }
    write(&output, "edited by hand\n");
    std::thread::sleep(Duration::from_secs(1));
    let counted = runs(&stderr);
    let _ = child.kill();
    let _ = child.wait();
    reader.join().expect("stderr reader");
    let log = stderr.lock().map(|s| s.clone()).unwrap_or_default();
    assert_eq!(counted, 2, "one run, one per change, expected:\n{log}");
    assert_eq!(
        std::fs::read_to_string(&output).expect("output"),
        "edited by hand\n",
        "the hand edit was undone:\n{log}"
    );
}

/// An imported file whose name holds a line break would print a directive of its own
/// (`cargo:rustc-cfg=pwned`) into the user's build: refused, and nothing written.
#[test]
fn builder_refuses_a_path_that_would_inject_a_cargo_directive() {
    let dir = scratch("builder_injection");
    let hostile = "t\ncargo:rustc-cfg=pwned\n";
    write(
        &dir.join(format!("{hostile}.widl")),
        "type T { x: string }\n",
    );
    write(
        &dir.join("schema.widl"),
        format!(
            "import * from \"{}\"\ntype A {{ t: T }}\n",
            hostile.escape_default()
        ),
    );
    let error = wapc_codegen::Builder::new(dir.join("schema.widl"))
        .out_dir(dir.join("out"))
        .format(false)
        .build()
        .expect_err("a path with a line break is refused")
        .to_string();
    assert!(
        error.contains("line break") && error.contains("t\\ncargo:rustc-cfg=pwned\\n.widl"),
        "{error}"
    );
    assert!(!dir.join("out/generated.rs").exists(), "written anyway");
}

/// A file that only looks like a temporary (`.wapc-notes.tmp`) is the user's: it stays,
/// however old; a stale temporary of the tool's own shape is cleaned up.
#[test]
fn stale_temporary_cleanup_removes_only_the_tools_own() {
    let dir = scratch("temporaries");
    write(
        &dir.join("schema.widl"),
        "namespace \"n\"\ntype A { x: string }\n",
    );
    write(
        &dir.join("codegen.yaml"),
        "schema: schema.widl\ngenerates:\n  gen/module.rs:\n    template: rust/module\n",
    );
    let two_hours_ago = std::time::SystemTime::now() - Duration::from_secs(7200);
    let aged = |name: &str| {
        let path = dir.join("gen").join(name);
        write(&path, "notes");
        let file = std::fs::File::options()
            .write(true)
            .open(&path)
            .expect("open");
        file.set_modified(two_hours_ago).expect("set the time");
        path
    };
    let notes = aged(".wapc-notes.tmp");
    let left_over = aged(".wapc-0123456789abcdef.tmp");
    let (code, _, stderr) = toolchain::run_wapc(&dir, &["generate"], &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(notes.exists(), "the user's own file was removed");
    assert!(!left_over.exists(), "a stale temporary was left");
}
