//! `wapc install`: shared definitions and project templates into `$WAPC_HOME` (default
//! `~/.wapc`), as the old CLI's `wapc install` put them there.
//!
//! A package is a folder (also written `file:FOLDER`, as for the old CLI), a `.tgz` of one, or
//! a git repository, with a `wapc.yaml` at its root:
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
//! A package made for the old Go CLI has a `package.json` instead, naming it (`@org/module`
//! or `module`), and `definitions/` and `templates/` folders: each goes where the old CLI put
//! it, `$WAPC_HOME/definitions/@org/module` and `$WAPC_HOME/templates/@org/module`, with a
//! `wapc.yaml` written beside the files as the mark.
//!
//! Packages come from elsewhere, so nothing in one may write outside its folder or read
//! outside the package: names are checked, archive entries may be only files and folders on
//! relative paths without `..`, a package holding a symbolic link is refused, its manifest is
//! read only when it is a regular file of the package, its size and number of files are
//! bounded, and installed files get plain modes.

use std::io::Read as _;
use std::path::{Component, Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::codegen::config::refuse_duplicates;
use crate::codegen::output::{shown, shown_text};
use crate::diagnostic::{Diagnostic, SourceFile, io_reason};
use crate::limits::{
    MAX_MANIFEST_SIZE, MAX_PACKAGE_FILES, MAX_PACKAGE_NAME_PARTS, MAX_PACKAGE_SIZE,
};
use crate::model::ImportPaths;

/// The manifest at a package's root, kept in the installed folder as its mark.
pub const MANIFEST: &str = crate::project::INSTALL_MARK;

/// The manifest of a package made for the old Go CLI: only its `name` is read.
const OLD_MANIFEST: &str = "package.json";

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Definitions,
    Templates,
}

impl Kind {
    /// The folder of `$WAPC_HOME` that holds packages of this kind (and the folder of an
    /// old-CLI package that holds files of this kind).
    pub fn folder(self) -> &'static str {
        match self {
            Kind::Definitions => "definitions",
            Kind::Templates => "templates",
        }
    }
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    kind: Kind,
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
}

/// The part of an old CLI's `package.json` that it read.
#[derive(Debug, Deserialize)]
struct OldManifest {
    #[serde(default)]
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

/// A package's files on this machine, and how messages name it (never a temporary folder,
/// never a password in a URL).
struct Package {
    root: PathBuf,
    shown: String,
}

impl Package {
    /// How messages name the file at `relative` in the package.
    fn file(&self, relative: &Path) -> String {
        format!("{}/{}", self.shown, shown(relative))
    }
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
/// an earlier install of the same name: one package, or for an old-CLI package, one for each
/// of its `definitions/` and `templates/` folders.
pub fn install(source: &str) -> Result<Vec<Installed>, Diagnostic> {
    let home = home()?;
    let work = tempfile::tempdir()
        .map_err(|e| error(format!("cannot make a temporary folder: {}", io_reason(&e))))?;
    let package = fetch(source, work.path())?;
    refuse_home_inside(&home, &package)?;
    let has = |name: &str| package.root.join(name).symlink_metadata().is_ok();
    if has(MANIFEST) || !has(OLD_MANIFEST) {
        let manifest = read_manifest(&package.root, &package.shown)?;
        check_name(&manifest.name).map_err(|why| {
            error(format!(
                "{}: `name: {}`: {why}",
                package.file(Path::new(MANIFEST)),
                manifest.name.escape_debug()
            ))
        })?;
        if manifest.kind == Kind::Templates {
            crate::project::check_installable(&package.root, &package.shown, &manifest.name)?;
        }
        let place = Place {
            kind: manifest.kind,
            name: &manifest.name,
            marker: None,
        };
        let installed = place.install(&home, &package, &package.root, &mut Budget::default())?;
        return Ok(vec![Installed {
            description: manifest.description.unwrap_or_default(),
            ..installed
        }]);
    }
    install_old(&home, &package)
}

/// An old-CLI package: each of its `definitions/` and `templates/` folders goes to
/// `$WAPC_HOME/KIND/ORG/MODULE`, as the old CLI put it.
fn install_old(home: &Path, package: &Package) -> Result<Vec<Installed>, Diagnostic> {
    let json = Path::new(OLD_MANIFEST);
    let bytes = crate::input::read_unlinked(
        &package.root.join(json),
        MAX_MANIFEST_SIZE,
        "a package manifest",
    )
    .map_err(|r| error(format!("cannot read `{}`: {}", package.file(json), r.0)))?;
    let manifest: OldManifest = serde_json::from_slice(&bytes).map_err(|e| {
        let at = format!("{}:{}:{}", package.file(json), e.line(), e.column());
        error(format!("`{at}`: {e}"))
    })?;
    let name = &manifest.name;
    check_old_name(name).map_err(|why| {
        error(format!(
            "{}: `\"name\": \"{}\"`: {why}",
            package.file(json),
            name.escape_debug()
        ))
    })?;
    let description = manifest.description.unwrap_or_default();
    let mut budget = Budget::default();
    let mut installed = Vec::new();
    for kind in [Kind::Definitions, Kind::Templates] {
        let from = package.root.join(kind.folder());
        if !from.symlink_metadata().is_ok_and(|m| m.is_dir()) {
            continue;
        }
        let marker = Manifest {
            kind,
            name: name.clone(),
            description: Some(description.clone()).filter(|d| !d.is_empty()),
        };
        let place = Place {
            kind,
            name,
            marker: Some(&marker),
        };
        installed.push(Installed {
            description: description.clone(),
            ..place.install(home, package, &from, &mut budget)?
        });
    }
    if installed.is_empty() {
        return Err(error(format!(
            "`{}` has a {OLD_MANIFEST} but neither a `definitions` nor a `templates` folder: \
             it is no package for wapc (a package has a {MANIFEST}, or is one made for the old CLI)",
            package.shown
        )));
    }
    Ok(installed)
}

/// Where one package goes, and the mark to write beside its files (`None`: its own
/// `wapc.yaml` is among them).
struct Place<'a> {
    kind: Kind,
    name: &'a str,
    marker: Option<&'a Manifest>,
}

impl Place<'_> {
    /// Copies the files below `from` into `$WAPC_HOME/KIND/NAME`, replacing an earlier
    /// install whole or not at all.
    fn install(
        &self,
        home: &Path,
        package: &Package,
        from: &Path,
        budget: &mut Budget,
    ) -> Result<Installed, Diagnostic> {
        let folder = home.join(self.kind.folder());
        let target: PathBuf = folder.join(self.name.split('/').collect::<PathBuf>());
        check_target(&folder, &target)?;
        let parent = target.parent().unwrap_or(&folder);
        let fail = |what: &str, path: &Path, e: std::io::Error| {
            let shown = shown(path);
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
        copy_package(package, from, staging.path(), budget)?;
        if let Some(marker) = self.marker {
            let text = serde_yaml::to_string(marker)
                .map_err(|e| error(format!("cannot write the {MANIFEST} mark: {e}")))?;
            let mark = staging.path().join(MANIFEST);
            std::fs::write(&mark, text).map_err(|e| fail("write", &target.join(MANIFEST), e))?;
        }
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
            kind: self.kind,
            name: self.name.to_string(),
            description: String::new(),
            path: target,
        })
    }
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
        let description = read_manifest(dir, &shown(dir))
            .map(|m| m.description.unwrap_or_default())
            .unwrap_or_else(|e| e.message);
        found.push(Installed {
            kind,
            name: shown_text(&name),
            // Written by whoever made the package: a terminal must not act on it.
            description: shown_text(&description),
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

/// An old-CLI package's npm name: `module` or `@org/module` (the old CLI kept the `@` in the
/// folder's name, and imports name it so), each part as [`check_name`] has it.
fn check_old_name(name: &str) -> Result<(), String> {
    let unscoped = match name.split_once('/') {
        Some((org, module)) => format!("{}/{module}", org.strip_prefix('@').unwrap_or(org)),
        None => name.to_string(),
    };
    let parts = unscoped.split('/').count();
    if parts > 2 || check_name(&unscoped).is_err() {
        return Err(
            "an old CLI's package is named `module` or `@org/module`, each of ASCII letters, \
             digits, `-`, `_` and `.`, starting with a letter or digit"
                .to_string(),
        );
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
            shown(target),
            shown(package)
        )));
    }
    let is_link = target
        .symlink_metadata()
        .is_ok_and(|m| m.file_type().is_symlink());
    if is_link || (target.exists() && !target.join(MANIFEST).is_file()) {
        return Err(error(format!(
            "`{}` exists and was not installed by `wapc install`: remove it first",
            shown(target)
        )));
    }
    Ok(())
}

/// Refuses a `$WAPC_HOME` inside the package: the install would copy itself into itself.
fn refuse_home_inside(home: &Path, package: &Package) -> Result<(), Diagnostic> {
    let Ok(root) = package.root.canonicalize() else {
        return Ok(());
    };
    // The nearest folder of `home` that exists decides where it is.
    let home_resolved = home.ancestors().find_map(|a| a.canonicalize().ok());
    if home_resolved.is_some_and(|h| h.starts_with(&root)) {
        return Err(error(format!(
            "WAPC_HOME (`{}`) is inside the package `{}`: installing would copy the package \
             into itself; set WAPC_HOME to a folder outside it",
            shown(home),
            package.shown
        )));
    }
    Ok(())
}

/// Reads the `wapc.yaml` at `root`, a regular file of the package (never one a link leads
/// to); `shown` names the package in messages.
fn read_manifest(root: &Path, shown_root: &str) -> Result<Manifest, Diagnostic> {
    let shown = format!("{shown_root}/{MANIFEST}");
    let bytes = crate::input::read_unlinked(&root.join(MANIFEST), MAX_MANIFEST_SIZE, "a package manifest")
        .map_err(|r| {
            Diagnostic::in_file(&shown, format!("cannot read `{shown}`: {}", r.0)).with_note(format!(
                "a package has a {MANIFEST} saying `kind: definitions` or `kind: templates`, and its `name`"
            ))
        })?;
    let text = String::from_utf8(bytes).map_err(|_| {
        Diagnostic::in_file(
            &shown,
            format!("cannot read `{shown}`: it is not UTF-8 text"),
        )
    })?;
    let file = Arc::new(SourceFile::new(&shown, text));
    refuse_duplicates(&file)?;
    serde_yaml::from_str(&file.text).map_err(|e| Diagnostic::yaml(&file, &e))
}

/// `source` as messages may show it: a URL's user name and password left out.
fn redacted(source: &str) -> String {
    let Some((scheme, rest)) = source.split_once("://") else {
        return shown_text(source);
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let shown = match rest[..authority_end].rsplit_once('@') {
        Some((_, host)) => format!("{scheme}://{host}{}", &rest[authority_end..]),
        None => source.to_string(),
    };
    shown_text(&shown)
}

/// The package's folder: `source` itself, or its copy under `work`.
fn fetch(source: &str, work: &Path) -> Result<Package, Diagnostic> {
    let shown = redacted(source);
    // The old CLI's `file:` prefix names a folder.
    let path = Path::new(source.strip_prefix("file:").unwrap_or(source));
    let is_git = source.contains("://")
        || source.starts_with("git@")
        || source.trim_end_matches('/').ends_with(".git");
    if is_git {
        let clone = work.join("clone");
        git_clone(source, &shown, &clone)?;
        return Ok(Package { root: clone, shown });
    }
    let metadata = path.metadata().map_err(|e| {
        error(format!(
            "cannot install `{shown}`: {}",
            match e.kind() {
                std::io::ErrorKind::NotFound => "no such file or folder".to_string(),
                _ => io_reason(&e),
            }
        ))
    })?;
    if metadata.is_dir() {
        return Ok(Package {
            root: path.to_path_buf(),
            shown,
        });
    }
    if metadata.is_file() && (source.ends_with(".tgz") || source.ends_with(".tar.gz")) {
        let unpacked = work.join("unpacked");
        extract(path, &shown, &unpacked)?;
        // Archives often hold one folder (npm's `package/`): the package is in it.
        let only: Vec<PathBuf> = std::fs::read_dir(&unpacked)
            .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        return Ok(match only.as_slice() {
            [one] if !unpacked.join(MANIFEST).exists() && one.is_dir() => Package {
                shown: format!(
                    "{shown}/{}",
                    shown_text(&one.file_name().unwrap_or_default().to_string_lossy())
                ),
                root: one.clone(),
            },
            _ => Package {
                root: unpacked,
                shown,
            },
        });
    }
    Err(error(format!(
        "`{shown}` is no folder, `.tgz` file or git repository (a URL, or a path ending in `.git`)"
    )))
}

fn git_clone(source: &str, shown: &str, into: &Path) -> Result<(), Diagnostic> {
    let output = Command::new("git")
        .args(["clone", "--quiet", "--"])
        .arg(source)
        .arg(into)
        // Never wait for a password on the terminal.
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .map_err(|e| {
            error(format!(
                "cannot run git to clone `{shown}`: {}",
                io_reason(&e)
            ))
        })?;
    if !output.status.success() {
        return Err(error(format!(
            "cannot clone `{shown}`: {}",
            shown_text(String::from_utf8_lossy(&output.stderr).trim())
        )));
    }
    Ok(())
}

/// What a package may still hold: [`MAX_PACKAGE_FILES`] files and folders and
/// [`MAX_PACKAGE_SIZE`] bytes, counted as they are written (an archive's sizes are claims).
struct Budget {
    entries: usize,
    bytes: u64,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            entries: MAX_PACKAGE_FILES,
            bytes: MAX_PACKAGE_SIZE,
        }
    }
}

impl Budget {
    fn entry(&mut self, package: &str) -> Result<(), Diagnostic> {
        self.entries = self.entries.checked_sub(1).ok_or_else(|| {
            error(format!(
                "`{package}` holds more than {MAX_PACKAGE_FILES} files and folders, the most a \
                 package may hold; nothing was installed"
            ))
        })?;
        Ok(())
    }

    /// Writes what `reader` holds to a new file at `target` with a plain mode (0644, 0755
    /// when `executable`), as far as the budget goes.
    fn write(
        &mut self,
        package: &str,
        mut reader: impl std::io::Read,
        target: &Path,
        executable: bool,
    ) -> Result<(), Diagnostic> {
        self.entry(package)?;
        let fail = |e: std::io::Error| {
            error(format!(
                "cannot install `{package}`: {}; nothing was installed",
                archive_reason(&e)
            ))
        };
        let mut options = std::fs::File::options();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(
            &mut options,
            if executable { 0o755 } else { 0o644 },
        );
        let mut file = options.open(target).map_err(fail)?;
        let written =
            std::io::copy(&mut (&mut reader).take(self.bytes + 1), &mut file).map_err(fail)?;
        self.bytes = self.bytes.checked_sub(written).ok_or_else(|| {
            error(format!(
                "`{package}` holds more than {} of files, the most a package may hold; nothing \
                 was installed",
                crate::limits::Amount::Bytes(MAX_PACKAGE_SIZE)
            ))
        })?;
        Ok(())
    }
}

/// Whether a file of mode `mode` is executable by anyone.
fn executable(mode: u32) -> bool {
    mode & 0o111 != 0
}

/// Makes a folder with a plain mode (0755).
fn make_folder(path: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o755);
    builder.create(path)
}

/// Why an archive could not be read: a stream that ends early or does not decode is a
/// damaged archive, whatever layer noticed.
fn archive_reason(error: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match error.kind() {
        ErrorKind::UnexpectedEof
        | ErrorKind::InvalidData
        | ErrorKind::InvalidInput
        | ErrorKind::Other => {
            format!("the archive is cut short or damaged ({error})")
        }
        _ => io_reason(error),
    }
}

/// Unpacks a gzipped tar, entry by entry: only files and folders, on relative paths that
/// stay inside `into`, within the package's budget.
fn extract(archive: &Path, shown: &str, into: &Path) -> Result<(), Diagnostic> {
    let fail = |e: std::io::Error| {
        error(format!(
            "cannot unpack `{shown}`: {}; nothing was installed",
            archive_reason(&e)
        ))
    };
    let file = std::fs::File::open(archive).map_err(fail)?;
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
    make_folder(into).map_err(fail)?;
    let mut budget = Budget::default();
    for entry in tar.entries().map_err(fail)? {
        let mut entry = entry.map_err(fail)?;
        let kind = entry.header().entry_type();
        if kind.is_pax_global_extensions() {
            continue;
        }
        let path = entry.path().map_err(fail)?.into_owned();
        let refuse = |why: &str| {
            error(format!(
                "`{shown}`: the entry `{}` {why}; nothing was installed",
                crate::codegen::output::shown(&path)
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
            budget.entry(shown)?;
            make_folder(&target).map_err(fail)?;
        } else if kind.is_file() {
            if let Some(parent) = target.parent() {
                make_folder(parent).map_err(fail)?;
            }
            let mode = entry.header().mode().unwrap_or(0o644);
            budget.write(shown, &mut entry, &target, executable(mode))?;
        } else {
            return Err(refuse(
                "is a link or special file; a package holds only files and folders",
            ));
        }
    }
    // A stream cut short inside the last entry's padding or the end blocks reads as an end.
    let mut rest = tar.into_inner();
    std::io::copy(&mut rest, &mut std::io::sink()).map_err(fail)?;
    Ok(())
}

/// Copies the files and folders below `from` (not `.git`) into `to` with plain modes; a
/// symbolic link is refused.
fn copy_package(
    package: &Package,
    from: &Path,
    to: &Path,
    budget: &mut Budget,
) -> Result<(), Diagnostic> {
    let walk = walkdir::WalkDir::new(from)
        .min_depth(1)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !(e.depth() == 1 && e.file_name() == ".git"));
    for entry in walk {
        let entry = entry.map_err(|e| {
            let at = e.path().and_then(|p| p.strip_prefix(&package.root).ok());
            let at = at.map_or_else(|| package.shown.clone(), |p| package.file(p));
            error(format!(
                "cannot read `{at}`: {}",
                e.io_error().map_or_else(|| e.to_string(), io_reason)
            ))
        })?;
        let in_package = entry
            .path()
            .strip_prefix(&package.root)
            .unwrap_or(entry.path());
        let relative = entry.path().strip_prefix(from).unwrap_or(entry.path());
        let target = to.join(relative);
        let fail = |e: std::io::Error| {
            error(format!(
                "cannot copy `{}`: {}",
                package.file(in_package),
                io_reason(&e)
            ))
        };
        let kind = entry.file_type();
        if kind.is_dir() {
            budget.entry(&package.shown)?;
            make_folder(&target).map_err(fail)?;
        } else if kind.is_file() {
            let source = std::fs::File::open(entry.path()).map_err(fail)?;
            #[cfg(unix)]
            let mode = std::os::unix::fs::PermissionsExt::mode(
                &entry.metadata().map_err(|e| fail(e.into()))?.permissions(),
            );
            #[cfg(not(unix))]
            let mode = 0o644;
            budget.write(&package.shown, source, &target, executable(mode))?;
        } else {
            return Err(error(format!(
                "`{}` is a link or special file; a package holds only files and folders",
                package.file(in_package)
            )));
        }
    }
    Ok(())
}
