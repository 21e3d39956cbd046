//! `wapc_codegen`: the WIDL code generator behind the `wapc` command.
//!
//! The modules depend one way only: `cli` → `project` → `codegen` → `model` → `parser`, and
//! `cli` → `install` → `project` (to check a templates package) and `codegen` (its YAML and
//! path helpers), and `cli` → `call`, `wire` → `model` (for `wapc call`), with `diagnostic`
//! shared by all of them.
//! From a `build.rs`, use [`Builder`], which sits on `codegen`.
//!
//! The `cli` feature (on by default) adds the `wapc` command: `cli`, `install`, `project`
//! (`wapc new`), `codegen::watch`, `lsp` (`wapc lsp`), and `wapc call`'s `call` (the engine)
//! and `wire` (JSON and MessagePack by the schema). A `build.rs` depends on the library
//! without it
//! (`default-features = false`) and compiles none of the command's dependencies.

pub mod builder;
#[cfg(feature = "cli")]
pub mod call;
#[cfg(feature = "cli")]
pub mod cli;
pub mod codegen;
pub mod diagnostic;
pub mod format;
pub mod input;
#[cfg(feature = "cli")]
pub mod install;
pub mod limits;
#[cfg(feature = "cli")]
pub mod lsp;
pub mod model;
pub mod parser;
#[cfg(feature = "cli")]
pub mod project;
#[cfg(feature = "cli")]
pub mod wire;

pub use builder::Builder;

/// Every schema file the project's tests keep (valid ones, and `invalid-*` ones that must
/// fail), for unit tests that run something over all of them.
#[cfg(test)]
pub(crate) fn test_schemas() -> Vec<std::path::PathBuf> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dirs = [
        "tests/schemas",
        "tests/fuzz_regressions",
        "tests/roundtrip",
        "tests/go",
    ];
    let mut found: Vec<std::path::PathBuf> = dirs
        .iter()
        .flat_map(|dir| walkdir::WalkDir::new(root.join(dir)).sort_by_file_name())
        .filter_map(Result::ok)
        .map(walkdir::DirEntry::into_path)
        .filter(|path| path.extension().is_some_and(|e| e == "widl"))
        .collect();
    found.push(root.join("examples/greeter/schema.widl"));
    found
}
