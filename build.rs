//! Embeds the templates in the binary: every `templates/**.hbs` for `wapc generate`, keyed by
//! its path without `.hbs`, and every file of the project templates under `templates/new/`
//! for `wapc new`, keyed by its path below that folder.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let projects = root.join("new");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut codegen = Vec::new();
    let mut project_files = Vec::new();
    for entry in walkdir::WalkDir::new(&root).sort_by_file_name() {
        let entry = entry.expect("templates/ is readable");
        println!("cargo:rerun-if-changed={}", entry.path().display());
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path().to_path_buf();
        if let Ok(relative) = path.strip_prefix(&projects) {
            project_files.push((key(relative), path));
        } else if let Some(name) =
            key(path.strip_prefix(&root).expect("under templates/")).strip_suffix(".hbs")
        {
            codegen.push((name.to_string(), path));
        }
    }
    write_table("templates.rs", codegen);
    write_table("projects.rs", project_files);
}

/// A path as a `/`-separated key.
fn key(relative: &Path) -> String {
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Writes `&[(key, include_str!(path)), ...]` to `$OUT_DIR/<file>`.
fn write_table(file: &str, mut entries: Vec<(String, PathBuf)>) {
    entries.sort();
    let mut code = String::from("&[\n");
    for (name, path) in entries {
        writeln!(
            code,
            "    ({name:?}, include_str!({:?})),",
            path.display().to_string()
        )
        .expect("writing to a String");
    }
    code.push(']');
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join(file);
    std::fs::write(out, code).expect("OUT_DIR is writable");
}
