//! `wapc generate --watch`: generate, then again whenever something the run read changes —
//! the codegen file, a schema or one of its imports, a file in a templates folder.
//!
//! A run that fails is reported and watching goes on; the files it read are watched on top of
//! those of the last good run, so that fixing either reruns. Ctrl-C lets a run in progress
//! finish (its files are written whole, see [`super::output::write_all`]) and then ends the
//! watch without an error.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use notify_debouncer_mini::notify::RecursiveMode;
use notify_debouncer_mini::{DebounceEventResult, new_debouncer};

use super::{Generated, Options, generate_reading};
use crate::diagnostic::{Diagnostic, Diagnostics};

/// How long changes must settle before a run: an editor's save is several events.
const DEBOUNCE: Duration = Duration::from_millis(200);

enum Signal {
    Changed(DebounceEventResult),
    Stop,
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
    let mut debouncer = new_debouncer(DEBOUNCE, move |result| {
        let _ = sender.send(Signal::Changed(result));
    })
    .map_err(|e| cannot(&e))?;
    let mut inputs = Inputs::default();
    let mut watching = BTreeSet::new();
    loop {
        let mut read = Vec::new();
        let result = generate_reading(config_path, options, &mut read);
        let failed = result.is_err();
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
            let _ = debouncer.watcher().unwatch(folder);
        }
        let mut problems = Diagnostics::default();
        for (folder, recursive) in wanted.difference(&watching) {
            let mode = match recursive {
                true => RecursiveMode::Recursive,
                false => RecursiveMode::NonRecursive,
            };
            // A folder that does not exist yet was reported by the run itself.
            if let Err(error) = debouncer.watcher().watch(folder, mode)
                && folder.exists()
            {
                problems.push(cannot(&format!("`{}`: {error}", folder.display())));
            }
        }
        watching = wanted;
        if !problems.is_empty() && report(Err(problems)).is_break() {
            return Ok(());
        }
        // Changes made during the run are waiting here already, and rerun it.
        loop {
            match signals.recv() {
                Err(_) | Ok(Signal::Stop) => return Ok(()),
                Ok(Signal::Changed(Ok(events))) => {
                    if events.iter().any(|event| inputs.touched_by(&event.path)) {
                        break;
                    }
                }
                Ok(Signal::Changed(Err(error))) => {
                    if report(Err(cannot(&error).into())).is_break() {
                        return Ok(());
                    }
                }
            }
        }
    }
}
