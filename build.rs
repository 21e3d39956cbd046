//! Embeds the templates in the binary: every `templates/**.hbs` for `wapc generate`, keyed by
//! its path without `.hbs`, and every file of the project templates under `templates/new/`
//! for `wapc new`, keyed by its path below that folder. Also tells `wapc --version` the commit
//! it is built from.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

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
    let commit = commit(Path::new(env!("CARGO_MANIFEST_DIR")));
    println!("cargo:rustc-env=WAPC_BUILD_COMMIT={commit}");
}

/// The commit (12 hex digits) the package is built from: git's HEAD when the package folder is a
/// git checkout, else the one `cargo package` recorded, else `unknown` (a source tarball, or
/// no git): a build never fails for want of it. Only the package's own `.git` counts, not a
/// repository the folder happens to sit in.
fn commit(root: &Path) -> String {
    let sha = if root.join(".git").exists() {
        watch_git_head(root);
        git(root, &["rev-parse", "HEAD"])
    } else {
        recorded_commit(&root.join(".cargo_vcs_info.json"))
    };
    match sha {
        Some(sha) if sha.len() >= 12 && sha.bytes().all(|b| b.is_ascii_hexdigit()) => {
            sha[..12].to_string()
        }
        _ => "unknown".to_string(),
    }
}

/// Runs the build script again when HEAD moves: HEAD itself (a worktree has its own), its
/// log (written on every move, even of a branch whose ref is packed), the branch it names and
/// the packed refs. Files that do not exist are left out, as cargo would otherwise run the
/// script on every build.
fn watch_git_head(root: &Path) {
    let branch = git(root, &["symbolic-ref", "-q", "HEAD"]);
    let mut files = vec!["HEAD", "logs/HEAD", "packed-refs"];
    files.extend(branch.as_deref());
    for file in files {
        if let Some(path) = git(
            root,
            &["rev-parse", "--path-format=absolute", "--git-path", file],
        ) && Path::new(&path).exists()
        {
            println!("cargo:rerun-if-changed={path}");
        }
    }
}

/// `git ARGS` in `root`: its output's first line, or `None` when git is missing or fails.
fn git(root: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    output
        .status
        .success()
        .then(|| text.lines().next().unwrap_or_default().to_string())
}

/// The `"sha1"` that `cargo package` writes into `.cargo_vcs_info.json`, when the file is there.
fn recorded_commit(vcs_info: &Path) -> Option<String> {
    let text = std::fs::read_to_string(vcs_info).ok()?;
    println!("cargo:rerun-if-changed={}", vcs_info.display());
    let after_key = &text[text.find("\"sha1\"")? + "\"sha1\"".len()..];
    let value = after_key.split('"').nth(1)?;
    Some(value.to_string())
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
