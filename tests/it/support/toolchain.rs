//! Finding the toolchains that the compile and round-trip tests need, and skipping loudly
//! without them, or failing when `WAPC_REQUIRE_TOOLCHAINS=1` (as in CI).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Whether `program --version` runs.
pub fn runs(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// `true` when the tool is there; otherwise says why the test is skipped (on the terminal,
/// past the test harness's capture), or fails the test when toolchains are required.
pub fn available(ok: bool, test: &str, reason: &str) -> bool {
    if ok {
        return true;
    }
    if std::env::var("WAPC_REQUIRE_TOOLCHAINS").as_deref() == Ok("1") {
        panic!("{test}: {reason}, and WAPC_REQUIRE_TOOLCHAINS=1 forbids skipping");
    }
    let _ = writeln!(std::io::stderr(), "skipped {test}: {reason}");
    false
}

/// The rustc that can build wasm32 (Debian's rustc-web, see ../shared/README.md) and its
/// linker, overridable with `WAPC_WASM_RUSTC` and `WAPC_WASM_LINKER`.
pub struct WasmRust {
    pub rustc: String,
    pub linker: String,
}

impl WasmRust {
    pub fn find() -> Option<WasmRust> {
        let rustc = std::env::var("WAPC_WASM_RUSTC").unwrap_or_else(|_| "/usr/bin/rustc".into());
        let linker = std::env::var("WAPC_WASM_LINKER").unwrap_or_else(|_| "wasm-ld-16".into());
        (runs(&rustc) && runs(&linker)).then_some(WasmRust { rustc, linker })
    }

    /// `cargo build` of a cdylib for wasm32-unknown-unknown, the standard library included.
    pub fn build(&self, crate_dir: &Path, target_dir: &Path) -> PathBuf {
        let status = Command::new("cargo")
            .current_dir(crate_dir)
            .args(["build", "--release", "--locked", "--quiet"])
            .args([
                "-Zbuild-std=std,panic_abort",
                "--target",
                "wasm32-unknown-unknown",
            ])
            .env("CARGO_TARGET_DIR", target_dir)
            .env("RUSTC", &self.rustc)
            .env("RUSTC_BOOTSTRAP", "1")
            .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER", &self.linker)
            .status()
            .expect("cargo runs");
        assert!(
            status.success(),
            "building {} for wasm32 failed",
            crate_dir.display()
        );
        target_dir.join("wasm32-unknown-unknown/release")
    }
}

/// Copies the files of `from` into `to` (created), leaving what else `to` holds.
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("readable fixture folder") {
        let entry = entry.expect("readable fixture entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::create_dir_all(to).expect("writable folder");
            // Copy only on change, so that cargo does not rebuild what did not change.
            let content = std::fs::read(entry.path()).expect("readable fixture");
            if std::fs::read(&target).ok().as_deref() != Some(content.as_slice()) {
                std::fs::write(&target, content).expect("writable file");
            }
        }
    }
}

/// Runs `command`, and fails the test with its output unless it succeeds; returns its stdout
/// and stderr, in that order.
pub fn succeed(command: &mut Command) -> String {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{command:?} does not run: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "{command:?} failed:
{text}"
    );
    text
}

/// Runs `wapc` with `args` in `dir`, and fails the test unless it succeeds.
pub fn wapc(dir: &Path, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_wapc"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("wapc runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "wapc {args:?} failed:\n{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// Where tests make their projects: the system's temporary folder, which no repository holds,
/// so that a project's bounds are its own folder (see `input::Project`), as for a user's
/// project outside a repository. One folder per checkout, so that two checkouts' runs never
/// meet.
pub fn scratch_root() -> PathBuf {
    // FNV-1a of the checkout's temporary folder.
    let checkout = env!("CARGO_TARGET_TMPDIR").bytes();
    let hash = checkout.fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    });
    std::env::temp_dir().join(format!("wapc-tests-{hash:016x}"))
}

/// A fresh, empty folder for one test: `<group>/<test>` under [`scratch_root`].
pub fn scratch(group: &str, test: &str) -> PathBuf {
    let dir = scratch_root().join(group).join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("writable temporary folder");
    dir
}

/// Runs `wapc` in `dir` with `envs` and no terminal on stdin, whatever its exit status;
/// returns the exit code, stdout and stderr.
pub fn run_wapc(dir: &Path, args: &[&str], envs: &[(&str, &Path)]) -> (i32, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_wapc"));
    command
        .current_dir(dir)
        .args(args)
        .stdin(std::process::Stdio::null());
    for (key, value) in envs {
        command.env(key, value);
    }
    let output = command.output().expect("wapc runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// wapc's own target folder, where the slow builds (wasmtime, the wasm32 standard library)
/// are shared between the tests and kept between runs.
pub fn target_dir() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).to_path_buf()
}

/// The Rust round-trip guest (tests/roundtrip/guest) generated and built for wasm32; the
/// path of its module.
pub fn build_roundtrip_guest(wasm: &WasmRust) -> PathBuf {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/roundtrip");
    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("roundtrip-rust");
    copy_tree(&fixture, &work);
    wapc(&work, &["generate"]);
    wasm.build(&work.join("guest"), &target_dir().join("roundtrip-guest"))
        .join("roundtrip_guest.wasm")
}

/// Runs the Rust round-trip host (a generated copy of tests/roundtrip/host at `host`) on
/// `module`, and fails the test unless every check and every vector of `vectors` passes.
pub fn run_roundtrip_host(host: &Path, module: &Path, vectors: &Path) {
    let output = Command::new("cargo")
        .current_dir(host)
        .args(["run", "--release", "--locked", "--quiet", "--"])
        .arg(module)
        .arg(vectors)
        .env("CARGO_TARGET_DIR", target_dir().join("roundtrip-host"))
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the host failed:\n{stdout}{stderr}"
    );
    assert!(
        stdout.contains("vectors ok") && stdout.contains("round trip ok"),
        "unexpected host output:\n{stdout}{stderr}"
    );
}
