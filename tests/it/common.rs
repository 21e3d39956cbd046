//! Helpers shared by the integration tests: parsing and checking WIDL text, rendering
//! diagnostics, and scratch folders for tests that need files on disk.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use wapc_codegen::diagnostic::{Diagnostics, SourceFile};
use wapc_codegen::model::{self, ImportPaths, Schema};
use wapc_codegen::parser::{self, Document};

/// The file name every in-memory schema is given in messages.
pub const FILE: &str = "test.widl";

/// Parses WIDL text (syntax only: no imports, no validation).
pub fn parse(text: &str) -> Result<Document, Diagnostics> {
    parser::parse(&Arc::new(SourceFile::new(FILE, text.to_string())))
}

/// Parses text that must be syntactically valid.
pub fn parse_ok(text: &str) -> Document {
    parse(text).unwrap_or_else(|errors| panic!("expected the schema to parse, got:\n{errors}"))
}

/// Parses text that must be invalid, and renders its errors as the CLI prints them.
pub fn parse_err(text: &str) -> String {
    match parse(text) {
        Ok(document) => panic!("expected a syntax error, got {document:#?}"),
        Err(errors) => errors.to_string(),
    }
}

/// Parses and validates WIDL text that has no imports.
pub fn check(text: &str) -> Result<Schema, Diagnostics> {
    model::load_str(FILE, text)
}

/// Checks text that must be valid (panicking with its errors if it is not), and returns it.
pub fn assert_valid(text: &str) -> Schema {
    check(text).unwrap_or_else(|errors| panic!("expected the schema to be valid, got:\n{errors}"))
}

/// Checks text that must be invalid, and renders its errors.
pub fn check_err(text: &str) -> String {
    match check(text) {
        Ok(_) => panic!("expected the schema to be invalid:\n{text}"),
        Err(errors) => errors.to_string(),
    }
}

/// Checks text that must be invalid, and returns the errors themselves.
pub fn check_errors(text: &str) -> Diagnostics {
    match check(text) {
        Ok(_) => panic!("expected the schema to be invalid:\n{text}"),
        Err(errors) => errors,
    }
}

/// A fresh, empty folder for one test, under the tests' scratch folder.
pub fn scratch_dir(name: &str) -> PathBuf {
    let dir = crate::support::toolchain::scratch_root()
        .join("wapc-tests")
        .join(name);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).expect("remove an old scratch folder");
    }
    std::fs::create_dir_all(&dir).expect("create a scratch folder");
    dir
}

/// Writes `text` to `dir/relative`, creating folders as needed; returns the file's path.
pub fn write(dir: &Path, relative: &str, text: &str) -> PathBuf {
    let path = dir.join(relative);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create a folder");
    }
    std::fs::write(&path, text).expect("write a file");
    path
}

/// Loads a schema from disk with only the given include folders (no `$WAPC_HOME`).
pub fn load(path: &Path, includes: &[&Path]) -> Result<Schema, Diagnostics> {
    let includes = includes.iter().map(|p| p.to_path_buf()).collect();
    model::load(path, &ImportPaths::only(includes))
}

/// Replaces every spelling of `dir` in `text` (absolute, and relative to the working folder
/// as messages show paths inside it) with `[DIR]`, so that snapshots do not depend on where
/// the project is checked out.
pub fn stable_paths(text: &str, dir: &Path) -> String {
    let mut spellings = vec![dir.display().to_string()];
    if let Ok(canonical) = dir.canonicalize() {
        spellings.push(canonical.display().to_string());
    }
    if let Ok(cwd) = std::env::current_dir()
        && let Ok(relative) = dir.strip_prefix(&cwd)
    {
        spellings.push(relative.display().to_string());
    }
    // Longest first, so that a relative spelling never cuts into an absolute one.
    spellings.sort_by_key(|s| std::cmp::Reverse(s.len()));
    spellings.dedup();
    let mut text = text.to_string();
    for spelling in spellings {
        text = text.replace(&spelling, "[DIR]");
    }
    text
}

/// The source text a span covers.
pub fn slice(text: &str, span: wapc_codegen::diagnostic::Span) -> &str {
    &text[span.start()..span.end()]
}

/// Pins rendered diagnostics in a named snapshot, with the input shown in its header so that
/// a reviewer sees both.
#[allow(unused_macros)]
macro_rules! assert_rendered {
    ($name:expr, $input:expr, $rendered:expr $(,)?) => {
        insta::with_settings!({ description => $input, omit_expression => true }, {
            insta::assert_snapshot!($name, $rendered);
        })
    };
}
