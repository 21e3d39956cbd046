//! `wapc call` on tests/call/guest.wat, a hand-written guest with one operation per way a
//! call can end: results, guest errors, host calls answered or not, console output, traps,
//! an endless loop and endless memory growth; and on files that are no guest at all.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::common::scratch_dir;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/call")
        .join(name)
}

/// A scratch folder holding the schema and the guest compiled to `guest.wasm`.
fn guest_dir(name: &str) -> PathBuf {
    let dir = scratch_dir(name);
    let wasm = wat::parse_file(fixture("guest.wat")).expect("the test guest compiles");
    std::fs::write(dir.join("guest.wasm"), wasm).expect("write the guest");
    std::fs::copy(fixture("schema.widl"), dir.join("schema.widl")).expect("copy the schema");
    dir
}

/// Runs `wapc call -s schema.widl guest.wasm ARGS…` in `dir`, with `stdin` on its input.
fn call_with_stdin(dir: &Path, args: &[&str], stdin: &[u8]) -> Output {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_wapc"))
        .current_dir(dir)
        .args(["call", "-s", "schema.widl"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run wapc");
    let mut input = child.stdin.take().expect("piped");
    input.write_all(stdin).expect("write stdin");
    drop(input);
    child.wait_with_output().expect("wait for wapc")
}

fn call(dir: &Path, args: &[&str]) -> Output {
    call_with_stdin(dir, args, b"")
}

/// The exit status, stdout and stderr.
fn outcome(output: &Output) -> (i32, String, String) {
    (
        output.status.code().expect("an exit status"),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_call_prints_the_result_as_json_and_reads_input_each_way() {
    let dir = guest_dir("call-ok");
    let (code, out, err) = outcome(&call(&dir, &["guest.wasm", "echo", r#""héllo""#]));
    assert_eq!((code, out.as_str()), (0, "\"héllo\"\n"), "{err}");
    std::fs::write(dir.join("point.json"), r#"{"at": {"x": 1, "y": -2.5}}"#).unwrap();
    let (code, out, err) = outcome(&call(&dir, &["guest.wasm", "point", "-d", "@point.json"]));
    assert_eq!(code, 0, "{err}");
    let expected = "{\n  \"at\": {\n    \"x\": 1.0,\n    \"y\": -2.5\n  },\n  \"label\": null\n}\n";
    assert_eq!(out, expected);
    let output = call_with_stdin(&dir, &["guest.wasm", "echo", "-d", "@-"], br#""stdin""#);
    assert_eq!(outcome(&output).1, "\"stdin\"\n");
    let (code, out, _) = outcome(&call(&dir, &["guest.wasm", "echo", "-d", r#""inline""#]));
    assert_eq!((code, out.as_str()), (0, "\"inline\"\n"));
}

#[test]
fn verbose_shows_the_bytes_on_the_wire() {
    let dir = guest_dir("call-verbose");
    let (code, _, err) = outcome(&call(&dir, &["-v", "guest.wasm", "echo", r#""hi""#]));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("request    echo (3 bytes) a26869"), "{err}");
    assert!(err.contains("reply      (3 bytes) a26869"), "{err}");
}

#[test]
fn list_and_describe_need_no_module() {
    let dir = guest_dir("call-list");
    let (code, out, err) = outcome(&call(&dir, &["--list"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("echo{value: string}: string\n"), "{out}");
    assert!(
        out.contains("point(at: Point, label: string?): Placed\n"),
        "{out}"
    );
    assert!(
        out.contains("lookup{key: string}: string  (role Directory: the host's)"),
        "{out}"
    );
    let (code, out, err) = outcome(&call(&dir, &["--describe", "point"]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "point(at: Point, label: string?): Placed\n{\n  \"at\": {\n    \"x\": 0,\n    \"y\": 0\n  },\n  \"label\": \"\"\n}\n"
    );
}

#[test]
fn help_man_page_and_completions_document_the_command() {
    let dir = scratch_dir("call-help");
    let run = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_wapc"))
            .current_dir(&dir)
            .args(args)
            .output()
            .expect("run wapc");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let help = run(&["call", "--help"]);
    assert!(help.contains("3  the guest returned an error"), "{help}");
    assert!(help.contains("\"binding/namespace/operation\""), "{help}");
    assert!(run(&["man"]).contains(".SH \"WAPC CALL\""));
    assert!(run(&["completions", "bash"]).contains("--host-replies"));
}

#[test]
fn input_errors_name_the_field_and_exit_2_before_the_module_runs() {
    let dir = guest_dir("call-input");
    // The module is not even read: a missing one does not matter.
    let cases: [(&[&str], &str); 6] = [
        (
            &["missing.wasm", "point", r#"{"at": {"x": 1}}"#],
            "at `at.y`: missing required field `y` (f64) in `Point`",
        ),
        (
            &[
                "missing.wasm",
                "point",
                r#"{"at": {"x": 1, "y": 2, "z": 3}}"#,
            ],
            "at `at.z`: unknown field `z` in `Point`",
        ),
        (
            &["missing.wasm", "point", r#"{"at": {"x": "1", "y": 2}}"#],
            "at `at.x`: expected f64, found the string \"1\"",
        ),
        (
            &["missing.wasm", "echo", "{not json"],
            "the input is not valid JSON: key must be a string at line 1 column 2",
        ),
        (
            &["missing.wasm", "ech", "\"x\""],
            "the schema has no operation `ech`: did you mean `echo`?",
        ),
        (
            &["missing.wasm", "echo", "-d", "@nothing.json"],
            "cannot read nothing.json",
        ),
    ];
    for (args, message) in cases {
        let (code, out, err) = outcome(&call(&dir, args));
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(out.is_empty() && err.contains(message), "{args:?}: {err}");
    }
    let args = [
        "guest.wasm",
        "point",
        r#"{"at": {"x": 1, "y": 2, "z": 3}}"#,
        "--allow-unknown-fields",
    ];
    assert_eq!(outcome(&call(&dir, &args)).0, 0);
    let bad = scratch_dir("call-bad-schema");
    std::fs::write(bad.join("schema.widl"), "type {").unwrap();
    let (code, _, err) = outcome(&call(&bad, &["--list"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("schema.widl:1:"), "{err}");
}

#[test]
fn a_guest_error_exits_3_with_its_message_and_as_json_when_asked() {
    let dir = guest_dir("call-guest-error");
    let (code, out, err) = outcome(&call(&dir, &["guest.wasm", "fail"]));
    assert_eq!((code, out.as_str()), (3, ""));
    assert_eq!(err, "error: the guest returned an error: it failed\n");
    let (code, _, err) = outcome(&call(
        &dir,
        &["guest.wasm", "fail", "--error-format", "json"],
    ));
    assert_eq!(code, 3);
    let json: serde_json::Value = serde_json::from_str(&err).expect("one JSON object");
    assert_eq!(json["error"], "guest");
    assert_eq!(json["exit_code"], 3);
    assert_eq!(json["message"], "the guest returned an error: it failed");
    let args = [
        "guest.wasm",
        "point",
        r#"{"at": {}}"#,
        "--error-format",
        "json",
    ];
    let (code, _, err) = outcome(&call(&dir, &args));
    let json: serde_json::Value = serde_json::from_str(&err).expect("one JSON object");
    assert_eq!(
        (code, &json["error"], &json["path"]),
        (2, &"input".into(), &"at.x".into())
    );
}

#[test]
fn host_calls_are_answered_from_the_replies_file_or_fail_naming_the_call() {
    let dir = guest_dir("call-host");
    let (code, out, err) = outcome(&call(&dir, &["guest.wasm", "host", r#""k""#]));
    assert_eq!((code, out.as_str()), (1, ""));
    assert!(
        err.contains("the guest called `default/test/lookup` on the host, and --host-replies has no reply for it"),
        "{err}"
    );
    std::fs::write(
        dir.join("replies.json"),
        r#"{"default/test/lookup": "the value"}"#,
    )
    .unwrap();
    let args = [
        "-v",
        "guest.wasm",
        "host",
        r#""k""#,
        "--host-replies",
        "replies.json",
    ];
    let (code, out, err) = outcome(&call(&dir, &args));
    assert_eq!((code, out.as_str()), (0, "\"the value\"\n"), "{err}");
    assert!(
        err.contains("host call  default/test/lookup \"k\" (answered)"),
        "{err}"
    );
    std::fs::write(
        dir.join("replies.json"),
        r#"{"default/test/lookup": {"$error": "no such key"}}"#,
    )
    .unwrap();
    let (code, _, err) = outcome(&call(&dir, &args));
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("the guest returned an error: no such key"),
        "{err}"
    );
    // A replies file is checked against the schema before the module runs.
    for (replies, message) in [
        (
            r#"{"default/test/lookup": 5}"#,
            "replies.json: `default/test/lookup`: expected string, found the number 5",
        ),
        (
            r#"{"default/test/lokup": "x"}"#,
            "`default/test/lokup`: the schema has no operation `lokup`: did you mean `lookup`?",
        ),
        (
            r#"{"lookup": "x"}"#,
            "`lookup` is not \"binding/namespace/operation\"",
        ),
        (r#"["x"]"#, "the replies are a JSON object"),
    ] {
        std::fs::write(dir.join("replies.json"), replies).unwrap();
        let (code, _, err) = outcome(&call(&dir, &args));
        assert_eq!(code, 2, "{replies}: {err}");
        assert!(err.contains(message), "{replies}: {err}");
    }
}

#[test]
fn console_and_wasi_output_go_to_stderr() {
    let dir = guest_dir("call-console");
    let (code, out, err) = outcome(&call(&dir, &["guest.wasm", "console"]));
    assert_eq!((code, out.as_str()), (0, "\"ok\"\n"), "{err}");
    assert_eq!(err, "hello from the guest\nwasi output\n");
}

#[test]
fn traps_loops_and_endless_growth_end_with_a_clear_error() {
    let dir = guest_dir("call-traps");
    let cases: [(&[&str], &str); 3] = [
        (
            &["guest.wasm", "trap"],
            "error: the module trapped: wasm `unreachable` instruction executed",
        ),
        (
            &["guest.wasm", "loop", "--timeout", "0.5"],
            "error: the module ran past the timeout of 500ms (--timeout)",
        ),
        (
            &["guest.wasm", "grow", "--max-memory", "8"],
            "error: the module tried to grow its memory beyond the limit of 8 MiB (--max-memory)",
        ),
    ];
    for (args, message) in cases {
        let started = std::time::Instant::now();
        let (code, out, err) = outcome(&call(&dir, args));
        assert_eq!((code, out.as_str()), (1, ""), "{args:?}: {err}");
        assert_eq!(err.trim_end(), message, "{args:?}");
        // The loop stops at its timeout, not later (generously: the machine may be busy).
        assert!(
            started.elapsed().as_secs() < 30,
            "{args:?} took {:?}",
            started.elapsed()
        );
    }
}

#[test]
fn files_that_are_no_wapc_guest_are_refused_without_running() {
    let dir = guest_dir("call-bad-modules");
    std::fs::write(dir.join("text.wasm"), "(module)").unwrap();
    std::fs::write(dir.join("junk.wasm"), "not a module at all").unwrap();
    std::fs::write(dir.join("empty.wasm"), wat::parse_str("(module)").unwrap()).unwrap();
    std::fs::write(dir.join("cut.wasm"), b"\0asm\x01\0\0\0\x01\x05").unwrap();
    let imports = r#"(module (import "env" "abort" (func)) (func (export "__guest_call") (param i32 i32) (result i32) i32.const 1))"#;
    std::fs::write(dir.join("imports.wasm"), wat::parse_str(imports).unwrap()).unwrap();
    for (module, message) in [
        (
            "text.wasm",
            "text.wasm: this is WebAssembly text format (.wat), not a binary module",
        ),
        (
            "junk.wasm",
            "junk.wasm: this is not a WebAssembly module: it does not start with `\\0asm`",
        ),
        (
            "empty.wasm",
            "empty.wasm: the module does not export `__guest_call`: it is not a waPC guest",
        ),
        ("cut.wasm", "cut.wasm: the module is not valid:"),
        (
            "imports.wasm",
            "imports.wasm: the module imports `env.abort`, which a waPC host does not provide",
        ),
        ("absent.wasm", "cannot read absent.wasm:"),
    ] {
        let (code, _, err) = outcome(&call(&dir, &[module, "echo", r#""x""#]));
        assert_eq!(code, 1, "{module}: {err}");
        assert!(
            err.starts_with(&format!("error: {message}")) || err.contains(message),
            "{module}: {err}"
        );
    }
}
