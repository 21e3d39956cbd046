//! Reading the user's files: only regular files, only inside the folders a run may read, and
//! never more than a limit, however large the file claims (or turns out) to be.
//!
//! Schemas, imports, codegen files and templates travel between teams, so what they name is
//! untrusted: a schema importing `../../.netrc`, a symlink to `/etc/shadow`, a FIFO or
//! `/dev/zero` must not be read.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use crate::diagnostic::io_reason;

/// The folders a run may read from (canonical), or anywhere (`--allow-outside`).
#[derive(Clone, Debug)]
pub struct Scope {
    /// `None`: anywhere.
    roots: Option<Vec<PathBuf>>,
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
        Scope { roots }
    }

    /// Whether the file at `canonical` (symlinks resolved) lies inside one of the folders.
    pub fn admits(&self, canonical: &Path) -> bool {
        self.roots
            .as_ref()
            .is_none_or(|roots| roots.iter().any(|root| canonical.starts_with(root)))
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
        return Err(Refused(
            "it is outside the project folder and the include folders (pass --allow-outside to read it)"
                .to_string(),
        ));
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
