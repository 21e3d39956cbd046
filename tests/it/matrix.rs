//! Every guest under every host, each built once. The round-trip guests — Rust
//! (tests/roundtrip/guest on `rust/module`), AssemblyScript (tests/assemblyscript on
//! `assemblyscript/module`) and standard Go (tests/go/wasmguest on `tinygo/module` with the
//! `go/wapc` package; built with TinyGo too where it is installed) — run under the generated
//! Rust host (tests/roundtrip/host: `rust/host` on wapc and wasmtime-provider), the generated
//! Go host (tests/go/host: `go/host` on wapc-go's wazero engine from `go/wazero`) and the
//! generated TypeScript host in Node (tests/typescript: `typescript/host` on @wapc/host), with
//! the same checks in each cell: every WIDL type, byte for byte, a guest→host call, errors both
//! ways and an unknown operation; the Rust and TypeScript hosts also check their encodings
//! against tests/roundtrip/vectors.txt.
//! `wapc call` is a host column too (`wapc_call_runs`): the same values as JSON, checked byte
//! for byte on the wire against the same vectors, host calls answered from a replies file.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::roundtrip_assemblyscript;
use crate::roundtrip_go;
use crate::roundtrip_typescript;
use crate::support::toolchain;

#[test]
fn every_guest_runs_under_every_host() {
    let test = "every_guest_runs_under_every_host";
    let wasm = toolchain::WasmRust::find();
    if !toolchain::available(
        wasm.is_some(),
        test,
        "no wasm32-capable rustc and wasm-ld-16 (apt-get install rustc-web rust-web-src lld-16)",
    ) || !toolchain::available(
        roundtrip_go::go_builds_wasm_guests(),
        test,
        roundtrip_go::NO_GO_WASM,
    ) {
        return;
    }
    let Some(node_modules) = roundtrip_assemblyscript::node_modules(test) else {
        return;
    };
    if roundtrip_typescript::node_modules(test).is_none() {
        return;
    }
    let wasm = wasm.expect("checked above");

    let timed = |what: &str, started: Instant| {
        eprintln!("{test}: {what} in {:.1} s", started.elapsed().as_secs_f64());
    };
    let started = Instant::now();
    let mut guests: Vec<(&str, PathBuf)> = vec![
        ("rust", toolchain::build_roundtrip_guest(&wasm)),
        (
            "assemblyscript",
            roundtrip_assemblyscript::build_guest(&node_modules),
        ),
        ("go", roundtrip_go::build_go_guest()),
    ];
    match roundtrip_go::build_tinygo_guest() {
        Some(module) => guests.push(("tinygo", module)),
        None => eprintln!("{test}: TinyGo is not installed; the Go guest is built with Go alone"),
    }
    timed("the guests built", started);

    #[cfg(feature = "call")]
    for (name, module) in &guests {
        let started = Instant::now();
        wapc_call_runs(name, module);
        timed(&format!("wapc call ran the {name} guest"), started);
    }
    #[cfg(not(feature = "call"))]
    eprintln!(
        "{test}: no `wapc call` column: this build has no `call` feature (cargo test --features call)"
    );

    // build_roundtrip_guest generated the Rust host beside the Rust guest.
    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("roundtrip-rust");
    for (name, module) in &guests {
        let started = Instant::now();
        toolchain::run_roundtrip_host(&work.join("host"), module, &work.join("vectors.txt"));
        timed(&format!("the Rust host ran the {name} guest"), started);
    }

    let started = Instant::now();
    roundtrip_go::run_go_host(&guests);
    timed("the Go host ran every guest", started);

    let started = Instant::now();
    roundtrip_typescript::run_typescript_host(&guests);
    timed("the TypeScript host ran every guest", started);
}

/// `wapc call -v` on the round-trip guest `module`: its stdout, stderr and exit status.
#[cfg(feature = "call")]
fn wapc_call(module: &Path, args: &[&str]) -> (String, String, i32) {
    let roundtrip = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/roundtrip");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_wapc"))
        .current_dir(&roundtrip)
        .args(["-v", "call", "-s", "schema.widl"])
        .arg(module)
        .args(args)
        .output()
        .expect("run wapc");
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        output.status.code().unwrap_or(-1),
    )
}

/// The bytes in hex on the line of `-v` output that starts with `prefix`
/// (`request    echo (12 bytes) 8ca26938…`).
#[cfg(feature = "call")]
fn wire_hex<'a>(stderr: &'a str, prefix: &str) -> &'a str {
    (stderr.lines())
        .find_map(|line| line.strip_prefix(prefix))
        .and_then(|rest| rest.split_whitespace().nth(2))
        .unwrap_or_else(|| panic!("no `{prefix}` line in:\n{stderr}"))
}

/// The `wapc call` column for one guest: every type byte for byte (the request equal to the
/// Rust host's vector, the reply equal to the request), each other echo, parameters, a void
/// operation, errors both ways, a host call answered from a replies file, an operation the
/// schema lacks and one the guest does not serve.
#[cfg(feature = "call")]
fn wapc_call_runs(guest: &str, module: &Path) {
    let roundtrip = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/roundtrip");
    let vectors = std::fs::read_to_string(roundtrip.join("vectors.txt")).expect("vectors");
    let everything = (vectors.lines())
        .find_map(|line| line.strip_prefix("everything "))
        .expect("the everything vector");
    let ok = |args: &[&str]| {
        let (out, err, code) = wapc_call(module, args);
        assert_eq!(code, 0, "{guest}: wapc call {args:?} failed:\n{err}");
        (out, err)
    };

    let (out, err) = ok(&["echo", "-d", "@everything.json"]);
    let request = wire_hex(&err, "request    echo ");
    assert_eq!(
        request, everything,
        "{guest}: the request differs from the vector"
    );
    let reply = wire_hex(&err, "reply      ");
    assert_eq!(reply, request, "{guest}: the echo differs byte for byte");
    assert!(
        out.contains("\"u64\": \"18446744073709551615\""),
        "{guest}: {out}"
    );

    let cases: [(&str, &str, &str); 9] = [
        ("echoString", r#""𝄞 – ünïcödé""#, "\"𝄞 – ünïcödé\"\n"),
        ("echoString", r#""""#, "\"\"\n"),
        ("echoBytes", r#""AAEC/f7/""#, "\"AAEC/f7/\"\n"),
        (
            "echoShape",
            r#"{"Point": {"x": 0, "y": -0.0}}"#,
            "{\n  \"Point\": {\n    \"x\": 0.0,\n    \"y\": -0.0\n  }\n}\n",
        ),
        (
            "echoShape",
            r#"{"string": "a string member"}"#,
            "{\n  \"string\": \"a string member\"\n}\n",
        ),
        ("echoColor", r#""GREEN""#, "\"GREEN\"\n"),
        ("echoOptional", "null", "null\n"),
        (
            "echoOptional",
            r#""-9223372036854775808""#,
            "\"-9223372036854775808\"\n",
        ),
        (
            "describe",
            r#"{"name": "widget", "count": 3, "point": {"x": 1, "y": 2}, "tags": ["new", "blue"]}"#,
            "\"widget x3 at (1, 2) [new, blue]\"\n",
        ),
    ];
    for (operation, input, expected) in cases {
        let (out, err) = ok(&[operation, input]);
        assert_eq!(out, expected, "{guest}: {operation} {input}\n{err}");
        if operation == "describe" {
            continue;
        }
        assert_eq!(
            wire_hex(&err, &format!("request    {operation} ")),
            wire_hex(&err, "reply      "),
            "{guest}: {operation} {input}: the echo differs on the wire"
        );
    }
    // A map's entries come back in the guest's order (a Rust HashMap's is random).
    let map = r#"{"a": [1, 2], "b": []}"#;
    let (out, _) = ok(&["echoMap", map]);
    let parse = |text: &str| serde_json::from_str::<serde_json::Value>(text).expect("JSON");
    assert_eq!(parse(&out), parse(map), "{guest}");
    // Each call is a fresh instance: nothing counted yet.
    assert_eq!(
        ok(&["ping"]).0,
        "",
        "{guest}: a void operation prints nothing"
    );
    assert_eq!(ok(&["count"]).0, "0\n", "{guest}");

    let (_, err, code) = wapc_call(module, &["fail", r#""it broke""#]);
    assert_eq!(code, 3, "{guest}: a guest error exits 3:\n{err}");
    assert!(
        err.contains("the guest returned an error") && err.contains("it broke"),
        "{guest}: {err}"
    );

    let replies = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("replies-{guest}.json"));
    let relay = [
        "relay",
        r#"{"level": 2, "message": "hi 👋"}"#,
        "--host-replies",
    ];
    std::fs::write(
        &replies,
        r#"{"default/roundtrip/log": "logged \"hi 👋\" at level 2"}"#,
    )
    .expect("write the replies");
    let (out, err) = ok(&[&relay[..], &[replies.to_str().expect("UTF-8 path")]].concat());
    assert_eq!(
        out, "\"host said: logged \\\"hi 👋\\\" at level 2\"\n",
        "{guest}: {err}"
    );
    assert!(
        err.contains(
            r#"host call  default/roundtrip/log {"level":2,"message":"hi 👋"} (answered)"#
        ),
        "{guest}: {err}"
    );
    std::fs::write(
        &replies,
        r#"{"default/roundtrip/log": {"$error": "no such level: 9"}}"#,
    )
    .expect("write the replies");
    let args = [&relay[..], &[replies.to_str().expect("UTF-8 path")]].concat();
    let (_, err, code) = wapc_call(module, &args);
    assert_eq!(
        code, 3,
        "{guest}: a host error fails the guest call:\n{err}"
    );
    assert!(err.contains("no such level: 9"), "{guest}: {err}");

    let (_, err, code) = wapc_call(module, &["nope"]);
    assert_eq!(code, 2, "{guest}: an operation the schema lacks:\n{err}");
    // `log` is the host's (role Logger): the guest serves no such operation.
    let (_, err, code) = wapc_call(module, &["log", r#"{"level": 1, "message": "m"}"#]);
    assert_eq!(
        code, 3,
        "{guest}: an operation the guest does not serve:\n{err}"
    );
}
