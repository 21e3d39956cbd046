//! Putting generated text on disk without ever leaving a half-written or needlessly touched
//! file: formatting, comparison with what is there, and atomic replacement.

use std::io::{ErrorKind, Read as _, Write as _};
use std::path::{Component, Path};
use std::process::{Command, Stdio};

use super::language::Formatter;
use crate::diagnostic::{Diagnostic, io_reason};
use crate::input::{Project, resolve_existing};

/// What happened, or would happen, to one output file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Written,
    Unchanged,
    /// `ifNotExists` and the file exists: the user owns it now.
    Skipped,
}

/// Refuses an empty output path, and a name that a terminal would act on.
pub fn check_output_name(relative: &str) -> Result<(), String> {
    if relative.trim().is_empty() {
        return Err("an output path is empty".to_string());
    }
    check_name(relative)
}

/// Refuses a file name with control characters (a newline, ESC) or characters that reorder
/// text (U+202E): a terminal or an editor would show something other than the name.
pub fn check_name(name: &str) -> Result<(), String> {
    if name.chars().any(super::text::misleading) {
        return Err(format!(
            "the file name `{}` holds a control or text-direction character",
            name.escape_debug()
        ));
    }
    Ok(())
}

/// A path as it may be printed: control and text-direction characters escaped.
pub fn shown(path: &Path) -> String {
    shown_text(&path.display().to_string())
}

/// Text from elsewhere as it may be printed: escaped when it holds a control or
/// text-direction character, which a terminal would act on.
pub fn shown_text(text: &str) -> String {
    if text.chars().any(super::text::misleading) {
        text.escape_debug().to_string()
    } else {
        text.to_string()
    }
}

/// Where outputs must stay, and how messages speak of it.
pub struct OutputBounds<'a> {
    pub project: &'a Project,
    /// Whose project it is ("the codegen file").
    pub whose: &'a str,
    /// How to permit an output outside, where the caller has a way ("pass --allow-outside").
    pub permit: Option<&'a str>,
}

/// Refuses the output `output` (as the caller names it), to be written at `path`, unless it
/// lies inside `bounds.project` with its `..` taken and the symbolic links that exist
/// followed: a link inside the project (`gen -> ../elsewhere`) must not carry a write out of it.
pub fn check_within(bounds: &OutputBounds, path: &Path, output: &Path) -> Result<(), String> {
    let project = bounds.project;
    let permit = bounds
        .permit
        .map(|permit| format!(" ({permit} to permit it)"))
        .unwrap_or_default();
    let resolved = resolve_existing(path)
        .map_err(|e| format!("cannot resolve `{}`: {}", shown(path), io_reason(&e)))?;
    if resolved.starts_with(&project.root) {
        return Ok(());
    }
    let climbs = output.is_absolute()
        || output
            .components()
            .any(|c| matches!(c, Component::ParentDir | Component::Prefix(_)));
    if climbs {
        Err(format!(
            "the output `{}` is outside {}{permit}",
            shown(output),
            project.described(bounds.whose)
        ))
    } else {
        Err(format!(
            "`{}` leads outside `{}` through a symbolic link (to `{}`){permit}",
            shown(path),
            shown(&project.root),
            shown(&resolved)
        ))
    }
}

/// Runs `formatter` over `text` when it is installed; the text as it is when not, or when the
/// formatter rejects it (the compiler will say why more clearly).
pub fn format(formatter: &Formatter, text: String) -> String {
    let child = Command::new(formatter.program)
        .args(formatter.args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut child) = child else {
        return text;
    };
    // Write on another thread: a large file could fill the pipe while its output is unread.
    let writer = child.stdin.take().map(|mut stdin| {
        let input = text.clone();
        std::thread::spawn(move || stdin.write_all(input.as_bytes()))
    });
    let output = child.wait_with_output();
    let written = writer.is_some_and(|w| w.join().is_ok_and(|r| r.is_ok()));
    match output {
        Ok(output) if output.status.success() && written => {
            String::from_utf8(output.stdout).unwrap_or(text)
        }
        _ => text,
    }
}

/// Decides what writing `content` to `path` would do.
pub fn plan(path: &Path, content: &str, if_not_exists: bool) -> Result<Outcome, Diagnostic> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => Err(Diagnostic::in_file(
            shown(path),
            format!("cannot write `{}`: it is a directory", path.display()),
        )),
        Ok(_) if if_not_exists => Ok(Outcome::Skipped),
        Ok(_) => match holds(path, content.as_bytes()) {
            Ok(true) => Ok(Outcome::Unchanged),
            Ok(false) => Ok(Outcome::Written),
            Err(error) => Err(Diagnostic::in_file(
                shown(path),
                format!("cannot read `{}`: {}", path.display(), io_reason(&error)),
            )),
        },
        Err(error) if error.kind() == ErrorKind::NotFound => Ok(Outcome::Written),
        Err(error) => Err(Diagnostic::in_file(
            shown(path),
            format!("cannot write `{}`: {}", path.display(), io_reason(&error)),
        )),
    }
}

/// Whether the file at `path` holds `content`, read a block at a time: a large output (70 MB
/// on a million-field schema) is not held twice.
fn holds(path: &Path, content: &[u8]) -> std::io::Result<bool> {
    let mut file = std::fs::File::open(path)?;
    let mut block = vec![0; 64 << 10];
    let mut rest = content;
    loop {
        let read = match file.read(&mut block) {
            Ok(0) => return Ok(rest.is_empty()),
            Ok(read) => read,
            Err(error) if error.kind() == ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        match rest.strip_prefix(&block[..read]) {
            Some(after) => rest = after,
            None => return Ok(false),
        }
    }
}

/// An exclusive lock on the file at `path` (a codegen file), held until the result is
/// dropped. Another run holding it is waited for, and the wait is said on stderr. What is not
/// a regular file is not locked (nor waited on): reading it will report it.
pub fn lock(path: &Path) -> Result<Option<std::fs::File>, Diagnostic> {
    if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return Ok(None);
    }
    let fail = |error: std::io::Error| {
        let message = format!("cannot read `{}`: {}", shown(path), io_reason(&error));
        Diagnostic::in_file(shown(path), message)
    };
    let file = std::fs::File::open(path).map_err(fail)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            eprintln!("waiting for another wapc run on `{}`", shown(path));
            file.lock().map_err(fail)?;
        }
        Err(std::fs::TryLockError::Error(error)) => return Err(fail(error)),
    }
    Ok(Some(file))
}

/// Writes every file of `files` so that a reader (or a crash) sees each one old or new, never
/// a part of either: all of them go to exclusive temporaries beside their targets first, and
/// only when every temporary is written are they renamed into place. A rename can still fail
/// part-way (a folder made read-only meanwhile); the error then names the files replaced.
/// Unless `replace`, a file that exists by then is an error, not replaced.
pub fn write_all(files: &[(&Path, &str)], replace: bool) -> Result<(), Diagnostic> {
    let mut ready = Vec::with_capacity(files.len());
    for (path, content) in files {
        let temporary = write_temporary(path, content).map_err(|error| {
            let reason = io_reason(&error);
            let message = format!(
                "cannot write `{}`: {reason}; nothing was written",
                shown(path)
            );
            Diagnostic::in_file(shown(path), message)
        })?;
        ready.push((path, temporary));
    }
    let mut replaced: Vec<String> = Vec::new();
    for (path, temporary) in ready.into_iter() {
        let persisted = if replace {
            temporary.persist(path)
        } else {
            temporary.persist_noclobber(path)
        };
        if let Err(error) = persisted {
            let done = if replaced.is_empty() {
                "nothing was written".to_string()
            } else {
                format!("already replaced: {}", replaced.join(", "))
            };
            let reason = io_reason(&error.error);
            let message = format!("cannot write `{}`: {reason}; {done}", shown(path));
            return Err(Diagnostic::in_file(shown(path), message));
        }
        replaced.push(format!("`{}`", shown(path)));
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
        remove_stale_temporaries(dir.unwrap_or(Path::new(".")));
    }
    Ok(())
}

/// The prefix and suffix of wapc's temporaries. Their names are short (a target's name may
/// be 255 bytes) and random, and they are created exclusively: a link planted in their
/// place is never followed.
const TEMPORARY: (&str, &str) = (".wapc-", ".tmp");

/// How many random letters and digits a temporary's name has between prefix and suffix:
/// enough that no file of a user's own (`.wapc-notes.tmp`) has that shape by chance.
const TEMPORARY_RANDOM: usize = 16;

/// Whether `name` has exactly the shape of this tool's temporaries.
pub fn is_temporary(name: &str) -> bool {
    name.strip_prefix(TEMPORARY.0)
        .and_then(|rest| rest.strip_suffix(TEMPORARY.1))
        .is_some_and(|random| {
            random.len() == TEMPORARY_RANDOM && random.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

fn write_temporary(path: &Path, content: &str) -> std::io::Result<tempfile::NamedTempFile> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
    let dir = dir.unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut file = tempfile::Builder::new()
        .prefix(TEMPORARY.0)
        .suffix(TEMPORARY.1)
        .rand_bytes(TEMPORARY_RANDOM)
        // As a plain create makes it (less the umask), not tempfile's private 0600.
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666))
        .tempfile_in(dir)?;
    file.write_all(content.as_bytes())?;
    file.as_file().sync_all()?;
    Ok(file)
}

/// Removes what an earlier, killed run left of its temporaries (those a minute old: a
/// younger one may belong to a run still going). Best effort: they are only clutter,
/// invisible to builds.
fn remove_stale_temporaries(dir: &Path) {
    let stale = |entry: &std::fs::DirEntry| {
        entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age.as_secs() >= 60)
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let is_ours = entry.file_name().to_str().is_some_and(is_temporary)
            && entry.file_type().is_ok_and(|t| t.is_file());
        if is_ours && stale(&entry) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temporaries(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(TEMPORARY.0))
            .collect()
    }

    #[test]
    fn a_file_is_unchanged_only_when_it_holds_the_content_byte_for_byte() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.rs");
        // Longer than a block, so that the comparison crosses one.
        let content: String = (0..20_000).map(|i| format!("{i}\n")).collect();
        assert!(content.len() > 64 << 10);
        assert_eq!(plan(&path, &content, false).unwrap(), Outcome::Written);
        let mut differing = content.clone().into_bytes();
        differing[70_000] = b'x';
        let shorter = &content[..content.len() - 1];
        let longer = format!("{content}!");
        for (on_disk, outcome) in [
            (content.as_bytes(), Outcome::Unchanged),
            (&differing[..], Outcome::Written),
            (shorter.as_bytes(), Outcome::Written),
            (longer.as_bytes(), Outcome::Written),
            (b"".as_slice(), Outcome::Written),
        ] {
            std::fs::write(&path, on_disk).unwrap();
            assert_eq!(plan(&path, &content, false).unwrap(), outcome);
        }
        std::fs::write(&path, "").unwrap();
        assert_eq!(plan(&path, "", false).unwrap(), Outcome::Unchanged);
    }

    #[test]
    fn a_write_that_fails_before_any_rename_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("good.rs");
        std::fs::write(dir.path().join("blocked"), "a file").unwrap();
        let bad = dir.path().join("blocked/x.rs");
        let error = write_all(&[(&good, "a"), (&bad, "b")], true).unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains("x.rs`: ") && message.contains("; nothing was written"),
            "{message}"
        );
        assert!(!good.exists());
        assert!(temporaries(dir.path()).is_empty());
    }

    #[test]
    fn a_rename_that_fails_names_the_files_already_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let first = dir.path().join("first.rs");
        let second = dir.path().join("second.rs");
        let third = dir.path().join("third.rs");
        // A folder with something in it cannot be replaced by a file.
        std::fs::create_dir_all(second.join("in")).unwrap();
        let files = [
            (first.as_path(), "1"),
            (second.as_path(), "2"),
            (third.as_path(), "3"),
        ];
        let message = write_all(&files, true).unwrap_err().to_string();
        assert!(
            message.contains(&format!("; already replaced: `{}`", first.display())),
            "{message}"
        );
        assert_eq!(std::fs::read_to_string(&first).unwrap(), "1");
        assert!(!third.exists());
        assert!(temporaries(dir.path()).is_empty());
    }

    #[test]
    fn without_replace_an_existing_file_stays() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mine.txt");
        std::fs::write(&path, "mine").unwrap();
        assert!(write_all(&[(&path, "theirs")], false).is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine");
    }

    #[test]
    fn temporaries_have_short_unpredictable_names() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("n".repeat(250));
        let one = write_temporary(&target, "").unwrap();
        let two = write_temporary(&target, "").unwrap();
        let name = |t: &tempfile::NamedTempFile| {
            t.path().file_name().unwrap().to_string_lossy().into_owned()
        };
        assert_ne!(name(&one), name(&two));
        assert!(name(&one).len() < 32 && is_temporary(&name(&one)));
    }
}
