//! Drop-in replacement for the old generator, Rust side: crates written against the API of
//! `@wapc/widl-codegen` 0.0.x (tests/compat/rust) regenerate with wapc from a multi-document
//! codegen.yaml with `parentDir`, and build with and without their `guest` feature; and the
//! rule that decides the `guest` gate.

use crate::support::toolchain;

use std::path::Path;
use std::process::Command;

/// Runs cargo in `dir` on the compat workspace's own target folder, and fails the test with
/// cargo's messages unless it succeeds.
fn cargo(dir: &Path, args: &[&str]) {
    toolchain::succeed(
        Command::new("cargo")
            .current_dir(dir)
            .args(args)
            .args(["--locked", "--quiet"])
            .env(
                "CARGO_TARGET_DIR",
                toolchain::target_dir().join("compat-rust"),
            ),
    );
}

#[test]
fn crates_written_for_the_old_generator_build_unchanged() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/compat/rust");
    let work = toolchain::scratch("compat", "rust");
    toolchain::copy_tree(&fixture, &work);
    let written = toolchain::wapc(&work, &["generate", "--no-format"]);
    for crate_name in ["keyvalue", "actor", "legacy"] {
        assert!(
            written.contains(&format!("{crate_name}/src/generated.rs")),
            "parentDir `{crate_name}` was not used:\n{written}"
        );
    }
    let generated = |name: &str| {
        std::fs::read_to_string(work.join(name).join("src/generated.rs")).expect("generated")
    };
    let gate = "#[cfg(feature = \"guest\")]";
    // The 0.0.7 module path, and a Cargo.toml with a `guest` feature, each turn the gate on.
    assert!(generated("keyvalue").contains(gate));
    assert!(generated("actor").contains(gate));
    // A crate from before 0.0.7 has no such feature, nor serde_bytes.
    let legacy = generated("legacy");
    assert!(!legacy.contains("cfg(feature"));
    assert!(!legacy.contains("serde_bytes"));

    cargo(&work, &["check", "--workspace"]);
    cargo(&work, &["check", "--workspace", "--all-features"]);
    cargo(&work, &["test", "-p", "native"]);
}

/// The generated module for `config` (YAML lines of one target) in a folder holding
/// `manifest` as its Cargo.toml, if any; or wapc's error.
fn module_with(config: &str, manifest: Option<&str>, test: &str) -> Result<String, String> {
    let work = toolchain::scratch("compat-gate", test);
    std::fs::write(
        work.join("schema.widl"),
        "namespace \"g\"\ninterface {\n  ping(): string\n}\n",
    )
    .expect("writable");
    if let Some(manifest) = manifest {
        std::fs::write(work.join("Cargo.toml"), manifest).expect("writable");
    }
    let yaml = format!("schema: schema.widl\ngenerates:\n  src/generated.rs:\n{config}\n");
    std::fs::write(work.join("codegen.yaml"), yaml).expect("writable");
    let (code, _, stderr) = toolchain::run_wapc(&work, &["generate", "--no-format"], &[]);
    if code == 0 {
        Ok(std::fs::read_to_string(work.join("src/generated.rs")).expect("generated"))
    } else {
        Err(stderr)
    }
}

const NEW_FORM: &str = "    template: rust/module";
const OLD_FORM: &str = "    module: '@wapc/widl-codegen/rust'\n    visitorClass: ModuleVisitor";
const WITH_GUEST: &str = "[package]\nname = \"g\"\n[features]\nguest = []\n";

#[test]
fn the_guest_gate_follows_the_crate_then_the_old_module_then_the_config() {
    let gated = |feature: &str| format!("#[cfg(feature = \"{feature}\")]\npub use self::guest::*;");
    let plain = "\npub use self::guest::*;";
    let module = |config: &str, manifest, test| {
        module_with(config, manifest, test).unwrap_or_else(|e| panic!("{test}: {e}"))
    };
    // Nothing asks for it.
    assert!(module(NEW_FORM, None, "none").contains(plain));
    let without = "[package]\nname = \"g\"\n[features]\nother = []\n";
    assert!(module(NEW_FORM, Some(without), "other-feature").contains(plain));
    // The crate declares `guest`; or the target names the 0.0.7 generator.
    assert!(module(NEW_FORM, Some(WITH_GUEST), "crate").contains(&gated("guest")));
    assert!(module(OLD_FORM, None, "old-module").contains(&gated("guest")));
    // The config wins either way.
    let off = format!("{OLD_FORM}\n    config:\n      guestFeature: false");
    assert!(module(&off, Some(WITH_GUEST), "off").contains(plain));
    let named = format!("{NEW_FORM}\n    config:\n      guestFeature: wasm");
    assert!(module(&named, None, "named").contains(&gated("wasm")));
    let on = format!("{NEW_FORM}\n    config:\n      guestFeature: true");
    assert!(module(&on, None, "on").contains(&gated("guest")));
    // A manifest that is not TOML says nothing.
    assert!(module(NEW_FORM, Some("[features\nguest"), "broken").contains(plain));
}

#[test]
fn a_guest_feature_of_the_wrong_type_is_an_error() {
    for (test, value) in [("wrong-type", "[guest]"), ("empty", "''")] {
        let config = format!("{NEW_FORM}\n    config:\n      guestFeature: {value}");
        let error = module_with(&config, None, test).expect_err("refused");
        assert!(
            error.contains("error: `guestFeature` is a Cargo feature name")
                && error.contains(" --> codegen.yaml:6:21\n"),
            "{test}: {error}"
        );
    }
}

#[test]
fn parent_dir_moves_the_outputs_and_stays_inside() {
    let work = toolchain::scratch("compat", "parent-dir");
    std::fs::write(
        work.join("schema.widl"),
        "namespace \"p\"\ntype T {\n  a: string\n}\n",
    )
    .expect("writable");
    let yaml =
        "schema: schema.widl\nparentDir: sub/dir\ngenerates:\n  out.rs: {template: rust/module}\n";
    std::fs::write(work.join("codegen.yaml"), yaml).expect("writable");
    toolchain::wapc(&work, &["generate", "--no-format"]);
    assert!(work.join("sub/dir/out.rs").is_file());
    assert!(!work.join("out.rs").exists());

    let escaping = "schema: schema.widl\nparentDir: ../elsewhere\ngenerates:\n  out.rs: {template: rust/module}\n";
    std::fs::write(work.join("codegen.yaml"), escaping).expect("writable");
    let (code, _, stderr) = toolchain::run_wapc(&work, &["generate"], &[]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("`../elsewhere/out.rs` is outside the folder"),
        "{stderr}"
    );
}
