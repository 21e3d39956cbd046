//! Reading the user's files: only regular files, only inside the folders a run may read, and
//! never more than a limit, however large the file claims (or turns out) to be.
//!
//! Schemas, imports, codegen files and templates travel between teams, so what they name is
//! untrusted: a schema importing `../../.netrc`, a symlink to `/etc/shadow`, a FIFO or
//! `/dev/zero` must not be read.

use std::io::Read as _;
use std::path::{Component, Path, PathBuf};

use crate::diagnostic::io_reason;

/// The folder a project's files stay in unless `--allow-outside`: the repository that holds
/// the project's folder (the nearest folder above it with `.git` — a folder, or a file as in
/// worktrees and submodules — `.hg` or `.jj`), or that folder itself where no repository
/// holds it. A cloned repository's codegen.yaml cannot reach past the clone (`~/.netrc`),
/// while a schema kept beside the project's folder (`schema: ../api.widl`) is in reach, as real
/// repositories lay them out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Project {
    /// Canonical, where the folder exists.
    pub root: PathBuf,
    /// Whether `root` is a repository's top folder (else the project's own folder).
    pub in_repository: bool,
}

/// What marks a repository's top folder.
const REPOSITORY_MARKERS: [&str; 3] = [".git", ".hg", ".jj"];

impl Project {
    /// `folder` alone, whatever repository holds it (it need not exist yet).
    pub fn only(folder: &Path) -> Project {
        let folder = folder_of(folder);
        Project {
            root: resolve_existing(folder).unwrap_or_else(|_| folder.to_path_buf()),
            in_repository: false,
        }
    }

    /// The project whose folder is `folder` (`""`: the working directory).
    pub fn of(folder: &Path) -> Project {
        let canonical = Project::only(folder).root;
        // A repository of dotfiles at home, or one at `/`, does not make all of home (or the
        // whole disk) one project: there the project is its own folder.
        let too_wide = |root: &Path| {
            root.parent().is_none()
                || std::env::home_dir()
                    .and_then(|home| home.canonicalize().ok())
                    .is_some_and(|home| home == root)
        };
        match canonical.ancestors().find(|dir| {
            REPOSITORY_MARKERS
                .iter()
                .any(|marker| dir.join(marker).symlink_metadata().is_ok())
        }) {
            Some(root) if !too_wide(root) => Project {
                root: root.to_path_buf(),
                in_repository: true,
            },
            _ => Project {
                root: canonical,
                in_repository: false,
            },
        }
    }

    /// The project as messages name it, with `whose` saying whose folder it is
    /// ("the codegen file").
    pub fn described(&self, whose: &str) -> String {
        if self.in_repository {
            format!(
                "the repository that holds {whose} (`{}`)",
                self.root.display()
            )
        } else {
            format!("the folder of {whose}")
        }
    }
}

/// The folders a run may read from (canonical), or anywhere (`--allow-outside`).
#[derive(Clone, Debug)]
pub struct Scope {
    /// `None`: anywhere.
    roots: Option<Vec<PathBuf>>,
    /// What the first root is, for messages: "the project folder", or the repository.
    project: String,
}

impl Scope {
    /// The given folders (those that exist), or anywhere when `allow_outside`.
    pub fn new<'a>(folders: impl IntoIterator<Item = &'a Path>, allow_outside: bool) -> Self {
        let roots = (!allow_outside).then(|| {
            folders
                .into_iter()
                .filter_map(|folder| folder_of(folder).canonicalize().ok())
                .collect()
        });
        Scope {
            roots,
            project: "the project folder".to_string(),
        }
    }

    /// `project`'s root and the other `folders`, or anywhere when `allow_outside`.
    pub fn of_project<'a>(
        project: &'a Project,
        folders: impl IntoIterator<Item = &'a Path>,
        allow_outside: bool,
    ) -> Self {
        let scope = Scope::new(
            std::iter::once(project.root.as_path()).chain(folders),
            allow_outside,
        );
        Scope {
            project: if project.in_repository {
                project.described("the project")
            } else {
                "the project folder".to_string()
            },
            ..scope
        }
    }

    /// Whether the file at `canonical` (symlinks resolved) lies inside one of the folders.
    pub fn admits(&self, canonical: &Path) -> bool {
        self.roots
            .as_ref()
            .is_none_or(|roots| roots.iter().any(|root| canonical.starts_with(root)))
    }
}

/// `path` with its longest existing prefix resolved (links followed) and the rest appended,
/// its `..` taken (what does not exist holds no link that `..` could climb out of).
pub fn resolve_existing(path: &Path) -> std::io::Result<PathBuf> {
    let absolute = std::path::absolute(path)?;
    let mut missing = Vec::new();
    let mut existing = absolute.as_path();
    loop {
        match existing.canonicalize() {
            Ok(resolved) => {
                return Ok(missing.iter().rev().fold(resolved, |mut path, part| {
                    match part {
                        Component::ParentDir => {
                            path.pop();
                        }
                        Component::Normal(name) => path.push(name),
                        _ => {}
                    }
                    path
                }));
            }
            // Missing, or under a file: the write will say so; what exists above decides.
            Err(error)
                if matches!(
                    error.kind(),
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
                ) =>
            {
                let (Some(parent), Some(last)) =
                    (existing.parent(), existing.components().next_back())
                else {
                    return Err(error);
                };
                missing.push(last);
                existing = parent;
            }
            Err(error) => return Err(error),
        }
    }
}

/// `""` (a bare file name's parent) is the working directory.
fn folder_of(path: &Path) -> &Path {
    if path.as_os_str().is_empty() {
        Path::new(".")
    } else {
        path
    }
}

/// Why a file was not read, in a user's words (for `cannot read `FILE`: {reason}`).
#[derive(Debug)]
pub struct Refused(pub String);

/// Checks that `path` may be read under `scope`; its canonical path when it may.
pub fn admitted(path: &Path, scope: &Scope) -> Result<PathBuf, Refused> {
    let canonical = path
        .canonicalize()
        .map_err(|error| Refused(io_reason(&error)))?;
    if !scope.admits(&canonical) {
        return Err(Refused(format!(
            "it is outside {} and the include folders (pass --allow-outside to read it)",
            scope.project
        )));
    }
    Ok(canonical)
}

/// Reads at most `limit` bytes of the regular file at `path` (following symlinks); `what`
/// names the kind of file in the message when it is larger ("a schema").
pub fn read(path: &Path, limit: u64, what: &str) -> Result<Vec<u8>, Refused> {
    read_file(path, limit, what, Links::Follow)
}

/// [`read`], but a symbolic link is refused, not followed: for a file that must be the one
/// at `path` itself (a package's manifest, which could otherwise lead to `/etc/passwd`).
pub fn read_unlinked(path: &Path, limit: u64, what: &str) -> Result<Vec<u8>, Refused> {
    read_file(path, limit, what, Links::Refuse)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Links {
    Follow,
    Refuse,
}

fn read_file(path: &Path, limit: u64, what: &str, links: Links) -> Result<Vec<u8>, Refused> {
    let too_large = |size: &str| {
        Refused(format!(
            "it is {size}; {what} may be at most {}",
            mebibytes(limit)
        ))
    };
    // Checked before opening: opening a FIFO for reading waits for a writer.
    let metadata = match links {
        Links::Follow => std::fs::metadata(path),
        Links::Refuse => std::fs::symlink_metadata(path),
    };
    let metadata = metadata.map_err(|error| Refused(io_reason(&error)))?;
    if metadata.is_symlink() {
        return Err(Refused(
            "it is a symbolic link, and links are not followed here".to_string(),
        ));
    }
    if metadata.is_dir() {
        return Err(Refused("it is a directory".to_string()));
    }
    if !metadata.is_file() {
        return Err(Refused("it is not a regular file".to_string()));
    }
    if metadata.len() > limit {
        return Err(too_large(&mebibytes(metadata.len())));
    }
    let file = open(path, links).map_err(|error| Refused(io_reason(&error)))?;
    // The file may have been swapped for something else since: check what was opened.
    if !file.metadata().is_ok_and(|m| m.is_file()) {
        return Err(Refused("it is not a regular file".to_string()));
    }
    read_limited(file, metadata.len(), limit, what)
}

/// Reads at most `limit` bytes of standard input, as [`read`] does a file.
pub fn read_stdin(limit: u64, what: &str) -> Result<Vec<u8>, Refused> {
    read_limited(std::io::stdin().lock(), 0, limit, what)
}

/// Reads `reader` to its end unless that is more than `limit` bytes; `expected` sizes the buffer.
fn read_limited(
    reader: impl std::io::Read,
    expected: u64,
    limit: u64,
    what: &str,
) -> Result<Vec<u8>, Refused> {
    let mut bytes = Vec::with_capacity(expected.min(limit) as usize);
    // One byte past the limit tells input that grew past it from input that ends there.
    reader
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| Refused(io_reason(&error)))?;
    if bytes.len() as u64 > limit {
        return Err(Refused(format!(
            "it is more than {}; {what} may be at most {}",
            mebibytes(limit),
            mebibytes(limit)
        )));
    }
    Ok(bytes)
}

#[cfg(unix)]
fn open(path: &Path, links: Links) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    // Non-blocking, so that a FIFO swapped in after the check cannot hang the run; a
    // regular file reads the same either way. No-follow, so that neither can a link.
    let no_follow = match links {
        Links::Follow => 0,
        Links::Refuse => libc::O_NOFOLLOW,
    };
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | no_follow)
        .open(path)
}

#[cfg(not(unix))]
fn open(path: &Path, _links: Links) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

/// `16 MiB`, `17.2 MiB`, `1 KiB` or `15 bytes`: tenths rounded down, so that a size is never overstated
/// (17 MiB and 15 bytes is not 18 MiB).
fn mebibytes(bytes: u64) -> String {
    let (unit, name) = if bytes >= 1 << 20 {
        (1u64 << 20, "MiB")
    } else {
        (1 << 10, "KiB")
    };
    if bytes < unit {
        return format!("{bytes} bytes");
    }
    if bytes.is_multiple_of(unit) {
        return format!("{} {name}", bytes / unit);
    }
    let tenths = bytes.saturating_mul(10) / unit;
    format!("{}.{} {name}", tenths / 10, tenths % 10)
}

#[cfg(test)]
mod tests {
    use super::mebibytes;

    #[test]
    fn sizes_are_never_overstated() {
        assert_eq!(mebibytes(16 << 20), "16 MiB");
        assert_eq!(mebibytes((17 << 20) + 15), "17.0 MiB");
        assert_eq!(mebibytes(2_000_000), "1.9 MiB");
        assert_eq!(mebibytes(1 << 10), "1 KiB");
        assert_eq!(mebibytes(1536), "1.5 KiB");
        assert_eq!(mebibytes(15), "15 bytes");
    }
}
