//! The Rust target end to end: the generated guest (`rust/module`) compiled to wasm32 and
//! loaded by the generated host client (`rust/host`) on wasmtime, every WIDL type round-
//! tripped, a guest→host call served by the generated trait, and errors both ways.

use crate::support::toolchain;

use std::path::Path;

#[test]
fn rust_guest_and_rust_host_round_trip_every_type() {
    let wasm = toolchain::WasmRust::find();
    if !toolchain::available(
        wasm.is_some(),
        "rust_guest_and_rust_host_round_trip_every_type",
        "no wasm32-capable rustc and wasm-ld-16 (apt-get install rustc-web rust-web-src lld-16)",
    ) {
        return;
    }
    let wasm = wasm.expect("checked above");
    let module = toolchain::build_roundtrip_guest(&wasm);
    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("roundtrip-rust");
    toolchain::run_roundtrip_host(&work.join("host"), &module, &work.join("vectors.txt"));
}
