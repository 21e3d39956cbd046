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
