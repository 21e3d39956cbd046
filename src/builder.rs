//! Generating code from a `build.rs`, as `prost-build` and `tonic-build` do for protobuf.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value as Json};

use crate::codegen::{self, Bounds, GeneratedFile, Options, Outcome, config::Codegen, output};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::input::{Project, Scope};
use crate::model::ImportPaths;

/// Renders one template over a schema into `$OUT_DIR`, for a `build.rs`.
///
/// [`build`](Builder::build) prints `cargo::rerun-if-changed=` (`cargo:` for a crate whose
/// `rust-version` is older than 1.77) for the schema, each file it
/// imports and the templates folder, so that cargo runs the build script again when any of
/// them changes (and only then). The file is rewritten only when its content changes.
///
/// The schema may import from its own folder and the [`include`](Builder::include) folders
/// (not `$WAPC_HOME/definitions`: a build should not depend on the machine).
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let crate_dir = tempfile::tempdir()?;
/// # let out_dir = tempfile::tempdir()?;
/// # let schema = crate_dir.path().join("schema.widl");
/// # std::fs::write(&schema, "namespace \"greeter\"\ninterface { greet(name: string): string }\n")?;
/// // build.rs
/// let generated = wapc_codegen::Builder::new(&schema)
///     .template("rust/module")
///     .file_name("greeter.rs")
/// #   .out_dir(out_dir.path())
///     .build()?;
/// assert!(generated.path.ends_with("greeter.rs"));
/// # assert!(out_dir.path().join("greeter.rs").is_file());
/// # Ok(())
/// # }
/// ```
///
/// and in the crate:
///
/// ```ignore
/// #[allow(dead_code, unused_imports, unused_variables, clippy::all)]
/// mod greeter {
///     include!(concat!(env!("OUT_DIR"), "/greeter.rs"));
/// }
/// ```
///
/// `include!` cannot take inner attributes (nor `#[path]` a macro), so the Rust templates
/// leave out their `#![allow(...)]` when the config says `includable: true`, which the builder
/// sets unless told otherwise; the `#[allow(...)]` goes on the `mod` instead.
#[derive(Clone, Debug)]
pub struct Builder {
    schema: PathBuf,
    template: String,
    out_dir: Option<PathBuf>,
    file_name: String,
    config: Map<String, Json>,
    templates: Option<PathBuf>,
    includes: Vec<PathBuf>,
    format: bool,
}

/// What messages call the build script in place of a codegen file.
const NAME: &str = "build.rs";

impl Builder {
    /// Generates from the schema at `schema` (relative to the crate's folder, where cargo runs
    /// build scripts): by default the `rust/module` template, to `$OUT_DIR/generated.rs`,
    /// formatted with rustfmt when it is installed.
    pub fn new(schema: impl Into<PathBuf>) -> Self {
        Builder {
            schema: schema.into(),
            template: "rust/module".to_string(),
            out_dir: None,
            file_name: "generated.rs".to_string(),
            config: Map::new(),
            templates: None,
            includes: Vec::new(),
            format: true,
        }
    }

    /// The template to render, by name (`wapc templates list`), e.g. `rust/scaffold`.
    pub fn template(mut self, name: impl Into<String>) -> Self {
        self.template = name.into();
        self
    }

    /// The folder to write into, instead of `$OUT_DIR`.
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.out_dir = Some(dir.into());
        self
    }

    /// The generated file's name inside the output folder, instead of `generated.rs`.
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = name.into();
        self
    }

    /// A config value, as `config:` in codegen.yaml gives it: e.g.
    /// `.config("hostRoles", ["Console"])`. See the README for the keys the built-in
    /// templates read; `guestFeature` defaults to whether the crate declares a `guest` feature,
    /// and `includable` to `true`.
    pub fn config(mut self, key: impl Into<String>, value: impl Into<Json>) -> Self {
        self.config.insert(key.into(), value.into());
        self
    }

    /// A folder of your own templates (`NAME.hbs`, partials `_NAME.hbs`), which replace
    /// built-ins of the same name and may add new ones.
    pub fn templates(mut self, dir: impl Into<PathBuf>) -> Self {
        self.templates = Some(dir.into());
        self
    }

    /// A folder that imports are looked for in (after the importing file's own), like `-I`.
    pub fn include(mut self, dir: impl Into<PathBuf>) -> Self {
        self.includes.push(dir.into());
        self
    }

    /// Whether to run the output through rustfmt / gofmt when they are installed.
    pub fn format(mut self, format: bool) -> Self {
        self.format = format;
        self
    }

    /// Loads and checks the schema, renders the template and writes the file (unless it
    /// already holds that content), then prints the `cargo::rerun-if-changed=` lines. The
    /// error lists every problem found, as `wapc generate` would; a path with a line break is
    /// one (it would end the directive and start another).
    pub fn build(self) -> Result<GeneratedFile, Diagnostics> {
        let out_dir = match self.out_dir {
            Some(dir) => dir,
            None => std::env::var_os("OUT_DIR").map(PathBuf::from).ok_or_else(|| {
                Diagnostic::error(format!(
                    "{NAME}: `OUT_DIR` is not set (cargo sets it for build scripts); name an output folder with `out_dir`"
                ))
            })?,
        };
        // Outputs are relative to the output folder, so the other paths must not be.
        let absolute = |path: &Path| {
            std::path::absolute(path).map_err(|error| {
                Diagnostic::error(format!("{NAME}: `{}`: {error}", path.display()))
            })
        };
        let schema = absolute(&self.schema)?;
        let templates = self.templates.as_deref().map(absolute).transpose()?;
        let mut config = self.config;
        // `include!` is how a crate brings in a file of `OUT_DIR` (`#[path]` takes no macro),
        // and it takes no inner attributes.
        config.entry("includable").or_insert(Json::Bool(true));
        if !config.contains_key("guestFeature") {
            let declared = std::env::var_os("CARGO_MANIFEST_DIR").is_some_and(|dir| {
                codegen::plan::crate_declares_guest_feature(&Path::new(&dir).join("build.rs"))
            });
            config.insert("guestFeature".to_string(), Json::Bool(declared));
        }
        let document = Codegen::single(
            NAME,
            schema,
            config,
            templates.clone(),
            self.file_name,
            self.template,
        );
        let options = Options {
            format: self.format,
            ..Options::default()
        };
        let bounds = Bounds {
            // Imports stay in the project that holds the schema (see `Project`).
            imports: ImportPaths::only(self.includes),
            // The build script names the templates folder itself: it may be anywhere.
            templates: Scope::new([], true),
            outputs: Project::only(&out_dir),
            outputs_of: "the build script's output (`OUT_DIR`)",
            permit_outside: None,
        };
        let mut read = Vec::new();
        let mut warnings = Diagnostics::default();
        let files = codegen::render_document(
            &out_dir,
            NAME,
            &document,
            &options,
            &bounds,
            &mut read,
            &mut warnings,
        )?;
        let prefix = directive_prefix(modern_directives());
        for warning in &warnings.0 {
            // One line each: a line break would end the directive and start another.
            println!(
                "{prefix}warning={}",
                warning.message.replace(['\n', '\r'], " ")
            );
        }
        let Some(file) = files.into_iter().next() else {
            return Err(Diagnostic::error("internal error: the target rendered nothing").into());
        };
        // Checked before writing: a build that fails leaves nothing new behind.
        let directives = read
            .iter()
            .map(|path| rerun_if_changed(path, prefix))
            .collect::<Result<Vec<_>, _>>()?;
        if file.outcome == Outcome::Written {
            output::write_all(&[(&file.path, &file.content)], true)?;
        }
        // The templates folder is among them: a template added to it counts as a change too.
        for directive in directives {
            println!("{directive}");
        }
        Ok(file)
    }
}

/// Whether cargo takes `cargo::` directives from this build script: cargo 1.77 or newer
/// does (the library needs a newer one to build), unless the crate declares an older
/// `rust-version`, for which cargo refuses them.
fn modern_directives() -> bool {
    let declared = std::env::var("CARGO_PKG_RUST_VERSION").unwrap_or_default();
    let mut parts = declared.split('.').map(|p| p.parse::<u64>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    declared.is_empty() || (major, minor) >= (1, 77)
}

/// The directive that has cargo rerun the build script when `path` changes. A path with a
/// line break would end the directive and start another (`cargo:rustc-cfg=...`): refused.
fn rerun_if_changed(path: &Path, prefix: &str) -> Result<String, Diagnostic> {
    let text = path.to_str().ok_or_else(|| {
        Diagnostic::error(format!(
            "{NAME}: `{}`: cargo takes only paths that are UTF-8 text",
            output::shown(path)
        ))
    })?;
    if text.contains(['\n', '\r']) {
        return Err(Diagnostic::error(format!(
            "{NAME}: `{}` holds a line break, which would end cargo's directive and start another; rename it",
            text.escape_debug()
        )));
    }
    Ok(format!("{prefix}rerun-if-changed={text}"))
}

/// How a directive starts: `cargo::`, or `cargo:` where the crate allows only that.
fn directive_prefix(modern: bool) -> &'static str {
    if modern { "cargo::" } else { "cargo:" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_take_the_form_the_crate_allows_and_never_break_a_line() {
        let path = Path::new("src/schema.widl");
        assert_eq!(
            rerun_if_changed(path, directive_prefix(true)).unwrap(),
            "cargo::rerun-if-changed=src/schema.widl"
        );
        assert_eq!(
            rerun_if_changed(path, directive_prefix(false)).unwrap(),
            "cargo:rerun-if-changed=src/schema.widl"
        );
        for name in ["t\ncargo:rustc-cfg=pwned\n.widl", "t\rx.widl"] {
            let message = rerun_if_changed(Path::new(name), directive_prefix(true))
                .unwrap_err()
                .message;
            assert!(message.contains("line break"), "{message}");
        }
    }
}
