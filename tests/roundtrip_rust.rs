//! The Rust target end to end: the generated guest (`rust/module`) compiled to wasm32 and
//! loaded by the generated host client (`rust/host`) on wasmtime, every WIDL type round-
//! tripped, a guest→host call served by the generated trait, and errors both ways.

#[path = "support/toolchain.rs"]
mod toolchain;

use std::path::Path;
use std::process::Command;

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
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/roundtrip");
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    // Build beside wapc's own target folder, so that later runs reuse the slow builds.
    let target = tmp.parent().unwrap_or(tmp);
    let work = tmp.join("roundtrip-rust");
    toolchain::copy_tree(&fixture, &work);
    toolchain::wapc(&work, &["generate"]);

    let module_dir = wasm.build(&work.join("guest"), &target.join("roundtrip-guest"));
    let module = module_dir.join("roundtrip_guest.wasm");

    let output = Command::new("cargo")
        .current_dir(work.join("host"))
        .args(["run", "--release", "--locked", "--quiet", "--"])
        .arg(&module)
        .arg(work.join("vectors.txt"))
        .env("CARGO_TARGET_DIR", target.join("roundtrip-host"))
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the host failed:\n{stdout}{stderr}"
    );
    assert!(
        stdout.contains("round trip ok"),
        "unexpected host output:\n{stdout}{stderr}"
    );
}
