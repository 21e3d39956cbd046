//! `wapc generate --watch`: generate, then again whenever something the run read changes —
//! the codegen file, a schema or one of its imports, a file in a templates folder.
//!
//! Only a change starts a run: a file created, written, removed or renamed. Opening or reading
//! one does not (a run opens every input, so counting that would rerun forever), nor does a
//! run's own writing: a file it wrote that still holds what it wrote, or its temporaries.
//!
//! A run that fails is reported and watching goes on; the files it read are watched on top of
//! those of the last good run, so that fixing either reruns. Ctrl-C lets a run in progress
//! finish (its files are written whole, see [`super::output::write_all`]) and then ends the
//! watch without an error.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime};

use notify::event::{EventKind, ModifyKind};
use notify::{RecursiveMode, Watcher as _};

use super::{Generated, GeneratedFile, Options, Outcome, generate_reading, output};
use crate::diagnostic::{Diagnostic, Diagnostics};

/// How long changes must settle before a run: an editor's save is several events.
const DEBOUNCE: Duration = Duration::from_millis(200);

enum Signal {
    Event(notify::Result<notify::Event>),
    Stop,
}

/// Whether `kind` changes a file's content or where it is (not an open, a read, a close or
/// a change of times or mode).
fn is_change(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::Create(_)
            | EventKind::Remove(_)
            | EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Name(_) | ModifyKind::Any)
            | EventKind::Any
    )
}

/// What the last run wrote, as the watcher names paths, with the text written.
#[derive(Default)]
struct Written(BTreeMap<PathBuf, String>);

impl Written {
    fn of(files: &[GeneratedFile], options: &Options) -> Self {
        let mut written = Written::default();
        if options.check || options.dry_run {
            return written;
        }
        for file in files.iter().filter(|f| f.outcome == Outcome::Written) {
            if let Some(path) = in_canonical_folder(&file.path) {
                written.0.insert(path, file.content.clone());
            }
        }
        written
    }

    /// Whether the event at `path` is the run's own writing: one of its temporaries, or a
    /// file it wrote that still holds that text (an edit by hand does not).
    fn made(&self, path: &Path) -> bool {
        let temporary = (path.file_name())
            .and_then(|name| name.to_str())
            .is_some_and(output::is_temporary);
        temporary
            || self.0.get(path).is_some_and(|content| {
                std::fs::read(path).is_ok_and(|now| now == content.as_bytes())
            })
    }
}

/// What a run read, as the watcher names paths: canonical folders joined with file names.
#[derive(Default)]
struct Inputs {
    files: BTreeSet<PathBuf>,
    /// Templates folders: everything below them counts.
    folders: BTreeSet<PathBuf>,
}

impl Inputs {
    fn of(read: &[PathBuf]) -> Self {
        let mut inputs = Inputs::default();
        for path in read {
            if path.is_dir() {
                inputs.folders.extend(path.canonicalize().ok());
                continue;
            }
            // A symlink counts as itself and as the file it leads to.
            inputs.files.extend(in_canonical_folder(path));
            inputs.files.extend(
                path.canonicalize()
                    .ok()
                    .and_then(|p| in_canonical_folder(&p)),
            );
        }
        inputs
    }

    fn extend(&mut self, other: Inputs) {
        self.files.extend(other.files);
        self.folders.extend(other.folders);
    }

    /// Whether an input changed since `time`, other than by the run's own writing: a change
    /// made while the run read it, before its folder was watched, has no event.
    fn changed_since(&self, time: SystemTime, written: &Written) -> bool {
        let below = self.folders.iter().flat_map(|folder| {
            walkdir::WalkDir::new(folder)
                .into_iter()
                .filter_map(Result::ok)
                .map(walkdir::DirEntry::into_path)
        });
        let newer = |path: &PathBuf| {
            std::fs::symlink_metadata(path)
                .and_then(|m| m.modified())
                .is_ok_and(|modified| modified >= time)
        };
        (self.files.iter().cloned())
            .chain(below)
            .any(|path| newer(&path) && !written.made(&path))
    }

    fn touched_by(&self, path: &Path) -> bool {
        self.files.contains(path) || self.folders.iter().any(|f| path.starts_with(f))
    }

    /// The folders to watch, and whether below them too (once each: a second watch of a
    /// folder would replace the first).
    fn watches(&self) -> BTreeSet<(PathBuf, bool)> {
        let mut watches = BTreeMap::new();
        for parent in self.files.iter().filter_map(|f| f.parent()) {
            watches.entry(parent.to_path_buf()).or_insert(false);
        }
        for folder in &self.folders {
            watches.insert(folder.clone(), true);
        }
        watches.into_iter().collect()
    }
}

/// `path` with its folder made canonical (the file itself may not exist yet).
fn in_canonical_folder(path: &Path) -> Option<PathBuf> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    Some(folder.canonicalize().ok()?.join(path.file_name()?))
}

/// Generates, hands the outcome to `report`, and again after each change, until Ctrl-C or
/// until `report` breaks. An error only when watching cannot start.
pub fn watch(
    config_path: &Path,
    options: &Options,
    mut report: impl FnMut(Result<Generated, Diagnostics>) -> ControlFlow<()>,
) -> Result<(), Diagnostic> {
    let cannot = |error: &dyn std::fmt::Display| {
        Diagnostic::error(format!("cannot watch for changes: {error}"))
    };
    let (sender, signals) = mpsc::channel();
    let stop = sender.clone();
    ctrlc::set_handler(move || {
        let _ = stop.send(Signal::Stop);
    })
    .map_err(|e| cannot(&e))?;
    let mut watcher = notify::recommended_watcher(move |event| {
        let _ = sender.send(Signal::Event(event));
    })
    .map_err(|e| cannot(&e))?;
    let mut inputs = Inputs::default();
    let mut watching = BTreeSet::new();
    loop {
        let mut read = Vec::new();
        let started = SystemTime::now();
        let result = generate_reading(config_path, options, &mut read);
        let failed = result.is_err();
        let written = match &result {
            Ok(generated) => Written::of(&generated.files, options),
            Err(_) => Written::default(),
        };
        if report(result).is_break() {
            return Ok(());
        }
        let now = Inputs::of(&read);
        if failed {
            inputs.extend(now);
        } else {
            inputs = now;
        }
        let wanted = inputs.watches();
        for (folder, _) in watching.difference(&wanted) {
            let _ = watcher.unwatch(folder);
        }
        let mut problems = Diagnostics::default();
        for (folder, recursive) in wanted.difference(&watching) {
            let mode = match recursive {
                true => RecursiveMode::Recursive,
                false => RecursiveMode::NonRecursive,
            };
            // A folder that does not exist yet was reported by the run itself.
            if let Err(error) = watcher.watch(folder, mode)
                && folder.exists()
            {
                problems.push(cannot(&format!("`{}`: {error}", folder.display())));
            }
        }
        watching = wanted;
        if !problems.is_empty() && report(Err(problems)).is_break() {
            return Ok(());
        }

        // Changes made during the run are waiting here already, and rerun it. An editor's
        // save is several events: the run starts once they have settled for `DEBOUNCE`.
        // A change made while the run read, before its folder was watched, has no event: it
        // starts a run as one would (and an event for it, if the watch saw it too, joins in).
        let mut settled =
            (inputs.changed_since(started, &written)).then(|| Instant::now() + DEBOUNCE);
        loop {
            let signal = match settled {
                None => signals
                    .recv()
                    .map_err(|_| mpsc::RecvTimeoutError::Disconnected),
                Some(at) => signals.recv_timeout(at.saturating_duration_since(Instant::now())),
            };
            match signal {
                Err(mpsc::RecvTimeoutError::Timeout) => break,
                Err(mpsc::RecvTimeoutError::Disconnected) | Ok(Signal::Stop) => return Ok(()),
                Ok(Signal::Event(Ok(event))) => {
                    let starts = is_change(&event.kind)
                        && (event.paths.iter())
                            .any(|path| inputs.touched_by(path) && !written.made(path));
                    if starts {
                        settled = Some(Instant::now() + DEBOUNCE);
                    }
                }
                Ok(Signal::Event(Err(error))) => {
                    if report(Err(cannot(&error).into())).is_break() {
                        return Ok(());
                    }
                }
            }
        }
    }
}
