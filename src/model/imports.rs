//! Where `import ... from "x"` looks for `x`.
//!
//! In order: the importing file's folder, each `--include` folder, then
//! `$WAPC_HOME/definitions` (by default `~/.wapc/definitions`, where the old CLI's `wapc install`
//! put shared definitions). In each, `x` itself if it names a `.widl` file, then `x.widl`, then
//! `x/index.widl`, as the old CLI did; `org:iface` is also looked for as `org/iface`.
//!
//! Every file read must lie (symlinks resolved) inside the project, an `--include` folder or
//! the definitions folder, unless `--allow-outside`: a shared schema must not read
//! `../../.netrc`. The project is the repository that holds the codegen file's folder for
//! `wapc generate` (the schema's folder for `wapc check`, `wapc ast` and `build.rs`), or
//! that folder itself outside a repository (see [`Project`]).

use std::path::{Path, PathBuf};

use crate::input::{Project, Scope};

#[derive(Clone, Debug, Default)]
pub struct ImportPaths {
    includes: Vec<PathBuf>,
    definitions: Option<PathBuf>,
    /// The project; `None`: the one that holds the loaded schema's folder.
    project: Option<Project>,
    allow_outside: bool,
}

impl ImportPaths {
    /// The `--include` folders, then the definitions folder from the environment.
    pub fn new(includes: Vec<PathBuf>) -> Self {
        ImportPaths {
            includes,
            definitions: Self::home().map(|h| h.join("definitions")),
            ..Self::default()
        }
    }

    /// wapc's own folder: `$WAPC_HOME`, else `~/.wapc`. Set but empty counts as unset (not
    /// as the working folder, where anyone could plant `definitions/`).
    pub fn home() -> Option<PathBuf> {
        std::env::var_os("WAPC_HOME")
            .filter(|home| !home.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::home_dir().map(|h| h.join(".wapc")))
    }

    /// Only the given folders: no environment (for tests and `build.rs`).
    pub fn only(includes: Vec<PathBuf>) -> Self {
        ImportPaths {
            includes,
            ..Self::default()
        }
    }

    /// Files may be read inside the project whose folder is `folder` (instead of the one
    /// that holds the schema's folder).
    pub fn within(self, folder: &Path) -> Self {
        self.within_project(Project::of(folder))
    }

    /// Files may be read inside `project` (instead of the one that holds the schema's folder).
    pub fn within_project(self, project: Project) -> Self {
        ImportPaths {
            project: Some(project),
            ..self
        }
    }

    /// Files may be read anywhere when `allow` (`--allow-outside`).
    pub fn allowing_outside(self, allow: bool) -> Self {
        ImportPaths {
            allow_outside: allow,
            ..self
        }
    }

    /// The folders that loading `schema` may read from.
    pub fn scope(&self, schema: &Path) -> Scope {
        let project = (self.project.clone())
            .unwrap_or_else(|| Project::of(schema.parent().unwrap_or(Path::new(""))));
        let folders =
            (self.includes.iter().map(PathBuf::as_path)).chain(self.definitions.as_deref());
        Scope::of_project(&project, folders, self.allow_outside)
    }

    /// The file that `location`, imported from the file at `importer`, refers to.
    pub fn resolve(&self, importer: &Path, location: &str) -> Option<PathBuf> {
        self.searched(importer, location)
            .into_iter()
            .find(|candidate| candidate.is_file())
    }

    /// Every path tried for `location`, in order.
    pub fn searched(&self, importer: &Path, location: &str) -> Vec<PathBuf> {
        // An absolute location is that file (read only with `--allow-outside`, or inside the
        // project), not a path below each folder.
        if Path::new(location).is_absolute() {
            let base = PathBuf::from(location);
            return if location.ends_with(".widl") {
                vec![base]
            } else {
                vec![base.with_added_extension("widl"), base.join("index.widl")]
            };
        }
        // `org:iface`, the old CLI's name for an installed package, is also `org/iface`.
        let mut forms: Vec<PathBuf> = vec![location.split('/').collect()];
        if location.contains(':') {
            forms.push(location.split(['/', ':']).collect());
        }
        let folders = importer
            .parent()
            .map(Path::to_path_buf)
            .into_iter()
            .chain(self.includes.iter().cloned())
            .chain(self.definitions.iter().cloned());
        let mut candidates = Vec::new();
        for (folder, relative) in folders.flat_map(|f| forms.iter().map(move |r| (f.clone(), r))) {
            let base = folder.join(relative);
            if location.ends_with(".widl") {
                candidates.push(base);
            } else {
                candidates.push(base.with_added_extension("widl"));
                candidates.push(base.join("index.widl"));
            }
        }
        candidates
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_follow_the_documented_order() {
        let paths = ImportPaths {
            includes: vec![PathBuf::from("inc")],
            definitions: Some(PathBuf::from("home/definitions")),
            ..ImportPaths::default()
        };
        let searched = paths.searched(Path::new("api/schema.widl"), "wapc/core");
        let expected: Vec<PathBuf> = [
            "api/wapc/core.widl",
            "api/wapc/core/index.widl",
            "inc/wapc/core.widl",
            "inc/wapc/core/index.widl",
            "home/definitions/wapc/core.widl",
            "home/definitions/wapc/core/index.widl",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        assert_eq!(searched, expected);
        assert_eq!(
            paths.searched(Path::new("s.widl"), "x.widl")[0],
            PathBuf::from("x.widl")
        );
    }
}
