//! Putting generated text on disk without ever leaving a half-written or needlessly touched
//! file: formatting, comparison with what is there, and atomic replacement.

use std::io::Write as _;
use std::path::{Component, Path};
use std::process::{Command, Stdio};

use crate::diagnostic::{Diagnostic, io_reason};

/// What happened, or would happen, to one output file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Written,
    Unchanged,
    /// `ifNotExists` and the file exists: the user owns it now.
    Skipped,
}

/// Refuses an output path that leaves the codegen file's folder, unless allowed.
pub fn check_inside(relative: &str, allow_outside: bool) -> Result<(), String> {
    let path = Path::new(relative);
    let escapes = path.is_absolute()
        || path
            .components()
            .any(|c| matches!(c, Component::ParentDir | Component::Prefix(_)));
    if escapes && !allow_outside {
        return Err(format!(
            "the output `{relative}` is outside the folder of the codegen file (pass --allow-outside to permit it)"
        ));
    }
    if relative.trim().is_empty() {
        return Err("an output path is empty".to_string());
    }
    Ok(())
}

/// Runs the language's formatter over `text` when it is installed; the text as it is when
/// not, or when the formatter rejects it (the compiler will say why more clearly).
pub fn format(path: &Path, text: String) -> String {
    let command: &[&str] = match path.extension().and_then(|e| e.to_str()) {
        Some("rs") => &[
            "rustfmt",
            "--edition",
            "2021",
            "--emit",
            "stdout",
            "--quiet",
        ],
        Some("go") => &["gofmt"],
        Some("ts") => &["prettier", "--parser", "typescript"],
        _ => return text,
    };
    let child = Command::new(command[0])
        .args(&command[1..])
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
        Ok(meta) if meta.is_dir() => Err(Diagnostic::error(format!(
            "cannot write `{}`: it is a directory",
            path.display()
        ))),
        Ok(_) if if_not_exists => Ok(Outcome::Skipped),
        Ok(_) => match std::fs::read(path) {
            Ok(existing) if existing == content.as_bytes() => Ok(Outcome::Unchanged),
            Ok(_) => Ok(Outcome::Written),
            Err(error) => Err(Diagnostic::error(format!(
                "cannot read `{}`: {}",
                path.display(),
                io_reason(&error)
            ))),
        },
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Outcome::Written),
        Err(error) => Err(Diagnostic::error(format!(
            "cannot write `{}`: {}",
            path.display(),
            io_reason(&error)
        ))),
    }
}

/// Replaces `path` with `content` atomically: a reader (or a crash) sees the old file or the
/// new one, never a part of either.
pub fn write_atomic(path: &Path, content: &str) -> Result<(), Diagnostic> {
    let fail = |error: std::io::Error| {
        Diagnostic::error(format!(
            "cannot write `{}`: {}",
            path.display(),
            io_reason(&error)
        ))
    };
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(dir) = dir {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = path.with_file_name(format!(".{file_name}.wapc-{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(content.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)
    })();
    if result.is_err() {
        // Best effort: the temporary file is ours and useless now.
        let _ = std::fs::remove_file(&temporary);
    } else {
        remove_stale_temporaries(dir.unwrap_or(Path::new(".")), &file_name);
    }
    result.map_err(fail)
}

/// Removes what an earlier, killed run left of its temporary copies of `file_name` (those a
/// minute old: a younger one may belong to a run still going). Best effort: they are only
/// clutter, invisible to builds.
fn remove_stale_temporaries(dir: &Path, file_name: &str) {
    let prefix = format!(".{file_name}.wapc-");
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
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(&prefix) && name.ends_with(".tmp") && stale(&entry) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}
