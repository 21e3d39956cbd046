//! `wapc install`: shared definitions and project templates into `$WAPC_HOME` (default
//! `~/.wapc`), as the old CLI's `wapc install` put them there.
//!
//! A package is a folder, a `.tgz` of one, or a git repository, with a `wapc.yaml` at its root:
//!
//! ```yaml
//! kind: definitions      # or: templates
//! name: acme/iface       # parts of letters, digits, `-`, `_` and `.`, separated by `/`
//! description: Optional
//! ```
//!
//! Definitions go to `$WAPC_HOME/definitions/NAME`, where imports find them
//! (`import * from "acme/iface"` reads `NAME.widl` or `NAME/index.widl` there, see
//! [`crate::model::ImportPaths`]); templates go to `$WAPC_HOME/templates/NAME`, a project
//! template (it has a `.template` manifest) that `wapc new NAME` finds. The `wapc.yaml` is
//! kept beside the files: it marks the folder as installed (for `--list`, and so that
//! installing again may replace it).
//!
//! Packages come from elsewhere, so nothing in one may write outside its folder: names are
//! checked, archive entries may be only files and folders on relative paths without `..`,
//! and a package holding a symbolic link is refused.

use std::path::{Component, Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

use crate::diagnostic::{Diagnostic, SourceFile, io_reason};
use crate::limits::{MAX_MANIFEST_SIZE, MAX_PACKAGE_NAME_PARTS};
use crate::model::ImportPaths;

/// The manifest at a package's root.
pub const MANIFEST: &str = "wapc.yaml";

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Definitions,
    Templates,
}

impl Kind {
    /// The folder of `$WAPC_HOME` that holds packages of this kind.
    pub fn folder(self) -> &'static str {
        match self {
            Kind::Definitions => "definitions",
            Kind::Templates => "templates",
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    kind: Kind,
    name: String,
    #[serde(default)]
    description: Option<String>,
}

/// A package in `$WAPC_HOME`.
#[derive(Debug)]
pub struct Installed {
    pub kind: Kind,
    pub name: String,
    pub description: String,
    pub path: PathBuf,
}

fn error(message: String) -> Diagnostic {
    Diagnostic::error(message)
}

fn home() -> Result<PathBuf, Diagnostic> {
    ImportPaths::home().ok_or_else(|| {
        error("no home folder for wapc: set WAPC_HOME (or HOME, for ~/.wapc)".to_string())
    })
}

/// Installs the package at `source` (a folder, a `.tgz` file or a git repository), replacing
/// an earlier install of the same name.
pub fn install(source: &str) -> Result<Installed, Diagnostic> {
    let home = home()?;
    let work = tempfile::tempdir()
        .map_err(|e| error(format!("cannot make a temporary folder: {}", io_reason(&e))))?;
    let root = fetch(source, work.path())?;
    let manifest = read_manifest(&root)?;
    check_name(&manifest.name).map_err(|why| {
        error(format!(
            "{source}: {MANIFEST}: `name: {}`: {why}",
            manifest.name.escape_debug()
        ))
    })?;
    if manifest.kind == Kind::Templates && !root.join(".template").is_file() {
        return Err(error(format!(
            "{source}: a templates package is a project template: it needs a `.template` manifest beside {MANIFEST}"
        )));
    }
    let folder = home.join(manifest.kind.folder());
    let target: PathBuf = folder.join(manifest.name.split('/').collect::<PathBuf>());
    check_target(&folder, &target)?;
    let parent = target.parent().unwrap_or(&folder);
    let fail = |what: &str, path: &Path, e: std::io::Error| {
        let shown = path.display().to_string();
        Diagnostic::in_file(
            &shown,
            format!("cannot {what} `{shown}`: {}", io_reason(&e)),
        )
    };
    std::fs::create_dir_all(parent).map_err(|e| fail("create", parent, e))?;
    // Copied beside the target first, then renamed into place: an install that fails
    // half-way leaves the earlier one as it was.
    let staging = tempfile::Builder::new()
        .prefix(".installing-")
        .tempdir_in(parent)
        .map_err(|e| fail("create a folder in", parent, e))?;
    copy_package(&root, staging.path())?;
    let old = tempfile::Builder::new()
        .prefix(".replaced-")
        .tempdir_in(parent)
        .map_err(|e| fail("create a folder in", parent, e))?;
    if target.exists() {
        std::fs::rename(&target, old.path().join("package"))
            .map_err(|e| fail("replace", &target, e))?;
    }
    std::fs::rename(staging.path(), &target).map_err(|e| {
        // Put the earlier install back rather than leave none.
        let _ = std::fs::rename(old.path().join("package"), &target);
        fail("create", &target, e)
    })?;
    Ok(Installed {
        kind: manifest.kind,
        name: manifest.name,
        description: manifest.description.unwrap_or_default(),
        path: target,
    })
}

/// The installed packages, definitions first, each by name.
pub fn list() -> Result<Vec<Installed>, Diagnostic> {
    let home = home()?;
    let mut found = Vec::new();
    for kind in [Kind::Definitions, Kind::Templates] {
        let folder = home.join(kind.folder());
        collect(kind, &folder, &folder, 0, &mut found);
    }
    Ok(found)
}

/// Packages at or below `dir`: a folder with a manifest is one, and is not looked into.
fn collect(kind: Kind, folder: &Path, dir: &Path, depth: usize, found: &mut Vec<Installed>) {
    if depth > 0 && dir.join(MANIFEST).is_file() {
        let name = (dir.strip_prefix(folder).unwrap_or(dir).components())
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        let description = read_manifest(dir)
            .map(|m| m.description.unwrap_or_default())
            .unwrap_or_else(|e| e.message);
        found.push(Installed {
            kind,
            name,
            description,
            path: dir.to_path_buf(),
        });
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        // `.installing-*` and `.replaced-*` are installs under way.
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.path())
        .collect();
    dirs.sort();
    for sub in dirs.iter().filter(|_| depth < MAX_PACKAGE_NAME_PARTS) {
        collect(kind, folder, sub, depth + 1, found);
    }
}

/// A package name: parts of ASCII letters, digits, `-`, `_` and `.`, each starting with a
/// letter or digit (so never `..`), separated by single `/`s.
pub fn check_name(name: &str) -> Result<(), String> {
    let part_ok = |part: &str| {
        part.starts_with(|c: char| c.is_ascii_alphanumeric())
            && part.len() <= 100
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    let parts: Vec<&str> = name.split('/').collect();
    if parts.len() > MAX_PACKAGE_NAME_PARTS || !parts.iter().all(|p| part_ok(p)) {
        return Err(format!(
            "a package name is at most {MAX_PACKAGE_NAME_PARTS} parts separated by `/`, each of ASCII \
             letters, digits, `-`, `_` and `.`, starting with a letter or digit"
        ));
    }
    Ok(())
}

/// Refuses to replace what `wapc install` did not put there, or to install into a package.
fn check_target(folder: &Path, target: &Path) -> Result<(), Diagnostic> {
    let inside = target
        .ancestors()
        .skip(1)
        .take_while(|a| *a != folder)
        .find(|a| a.join(MANIFEST).is_file());
    if let Some(package) = inside {
        return Err(error(format!(
            "`{}` would be inside the installed package `{}`",
            target.display(),
            package.display()
        )));
    }
    let is_link = target
        .symlink_metadata()
        .is_ok_and(|m| m.file_type().is_symlink());
    if is_link || (target.exists() && !target.join(MANIFEST).is_file()) {
        return Err(error(format!(
            "`{}` exists and was not installed by `wapc install`: remove it first",
            target.display()
        )));
    }
    Ok(())
}

fn read_manifest(root: &Path) -> Result<Manifest, Diagnostic> {
    let path = root.join(MANIFEST);
    let bytes = crate::input::read(&path, MAX_MANIFEST_SIZE, "a package manifest").map_err(|r| {
        let shown = path.display().to_string();
        Diagnostic::in_file(&shown, format!("cannot read `{shown}`: {}", r.0)).with_note(format!(
            "a package has a {MANIFEST} saying `kind: definitions` or `kind: templates`, and its `name`"
        ))
    })?;
    serde_yaml::from_slice(&bytes).map_err(|e| {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        Diagnostic::yaml(&std::sync::Arc::new(SourceFile::new(&path, text)), &e)
    })
}

/// The package's folder: `source` itself, or its copy under `work`.
fn fetch(source: &str, work: &Path) -> Result<PathBuf, Diagnostic> {
    let path = Path::new(source);
    let is_git = source.contains("://")
        || source.starts_with("git@")
        || source.trim_end_matches('/').ends_with(".git");
    if is_git {
        let clone = work.join("clone");
        git_clone(source, &clone)?;
        return Ok(clone);
    }
    if path.is_dir() {
        return Ok(path.to_path_buf());
    }
    if path.is_file() && (source.ends_with(".tgz") || source.ends_with(".tar.gz")) {
        let unpacked = work.join("unpacked");
        extract(path, &unpacked)?;
        // Archives often hold one folder (npm's `package/`): the package is in it.
        let only: Vec<PathBuf> = std::fs::read_dir(&unpacked)
            .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        return Ok(match only.as_slice() {
            [one] if !unpacked.join(MANIFEST).exists() && one.is_dir() => one.clone(),
            _ => unpacked,
        });
    }
    Err(error(format!(
        "`{source}` is no folder, `.tgz` file or git repository (a URL, or a path ending in `.git`)"
    )))
}

fn git_clone(source: &str, into: &Path) -> Result<(), Diagnostic> {
    let output = Command::new("git")
        .args(["clone", "--quiet", "--"])
        .arg(source)
        .arg(into)
        // Never wait for a password on the terminal.
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .map_err(|e| {
            error(format!(
                "cannot run git to clone `{source}`: {}",
                io_reason(&e)
            ))
        })?;
    if !output.status.success() {
        return Err(error(format!(
            "cannot clone `{source}`: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(())
}

/// Unpacks a gzipped tar, entry by entry: only files and folders, on relative paths that
/// stay inside `into`.
fn extract(archive: &Path, into: &Path) -> Result<(), Diagnostic> {
    let fail = |e: std::io::Error| {
        error(format!(
            "cannot unpack `{}`: {}",
            archive.display(),
            io_reason(&e)
        ))
    };
    let file = std::fs::File::open(archive).map_err(fail)?;
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
    std::fs::create_dir_all(into).map_err(fail)?;
    for entry in tar.entries().map_err(fail)? {
        let mut entry = entry.map_err(fail)?;
        let kind = entry.header().entry_type();
        if kind.is_pax_global_extensions() {
            continue;
        }
        let path = entry.path().map_err(fail)?.into_owned();
        let refuse = |why: &str| {
            error(format!(
                "`{}`: the entry `{}` {why}; nothing was installed",
                archive.display(),
                path.display()
            ))
        };
        let relative = path
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
        if !relative {
            return Err(refuse("leaves the package folder"));
        }
        let target = into.join(&path);
        if kind.is_dir() {
            std::fs::create_dir_all(&target).map_err(fail)?;
        } else if kind.is_file() {
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(fail)?;
            }
            entry.unpack(&target).map_err(fail)?;
        } else {
            return Err(refuse(
                "is a link or special file; a package holds only files and folders",
            ));
        }
    }
    Ok(())
}

/// Copies the package's files and folders (not `.git`) into `to`; a symbolic link is refused.
fn copy_package(from: &Path, to: &Path) -> Result<(), Diagnostic> {
    let walk = walkdir::WalkDir::new(from)
        .min_depth(1)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !(e.depth() == 1 && e.file_name() == ".git"));
    for entry in walk {
        let entry = entry.map_err(|e| error(format!("cannot read `{}`: {e}", from.display())))?;
        let relative = entry.path().strip_prefix(from).unwrap_or(entry.path());
        let target = to.join(relative);
        let fail = |e: std::io::Error| {
            error(format!(
                "cannot copy `{}`: {}",
                entry.path().display(),
                io_reason(&e)
            ))
        };
        let kind = entry.file_type();
        if kind.is_dir() {
            std::fs::create_dir(&target).map_err(fail)?;
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &target).map_err(fail)?;
        } else {
            return Err(error(format!(
                "`{}` is a link or special file; a package holds only files and folders",
                entry.path().display()
            )));
        }
    }
    Ok(())
}
