//! `wapc generate`: codegen.yaml + schema + templates → files.
//!
//! Usable from a `build.rs` as well as from the CLI:
//!
//! ```no_run
//! let options = wapc_codegen::codegen::Options::default();
//! let files = wapc_codegen::codegen::generate("codegen.yaml".as_ref(), &options).unwrap();
//! ```

pub mod config;
pub mod context;
mod direct;
mod helpers;
mod lang;
mod language;
mod names;
pub(crate) mod output;
pub mod render;
pub(crate) mod templates;
mod text;
mod ty;
mod view;
#[cfg(feature = "cli")]
pub mod watch;

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Map, Value as Json};

use crate::diagnostic::{Diagnostic, Diagnostics, did_you_mean};
use crate::input::{self, Project, Scope};
use crate::model::{self, ImportPaths};
use crate::parser::ast::Definition;

pub use output::Outcome;
pub use templates::{Origin, Templates};

#[derive(Clone, Debug)]
pub struct Options {
    /// Write nothing; report what is out of date.
    pub check: bool,
    /// Write nothing; the caller shows what would be written.
    pub dry_run: bool,
    /// Run rustfmt / gofmt over the output when they are installed.
    pub format: bool,
    /// Permit reading and writing outside the project (the repository that holds the codegen
    /// file, or its folder outside a repository).
    pub allow_outside: bool,
    /// Fail on a warning (an unknown key), before writing anything.
    pub deny_warnings: bool,
    pub imports: ImportPaths,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            check: false,
            dry_run: false,
            format: true,
            allow_outside: false,
            deny_warnings: false,
            imports: ImportPaths::new(Vec::new()),
        }
    }
}

/// One output file of a run.
#[derive(Clone, Debug)]
pub struct GeneratedFile {
    /// Where the file goes: the codegen file's folder joined with the target's path.
    pub path: PathBuf,
    pub template: String,
    pub outcome: Outcome,
    pub content: String,
    /// The schema files it was generated from, the schema's own first, as messages name them.
    pub sources: Vec<String>,
    /// How long rendering (and formatting) it took.
    pub elapsed: Duration,
}

/// Visitors that wrote one piece of a module file; the module template writes them all.
const FRAGMENT_VISITORS: [&str; 12] = [
    "HostVisitor",
    "HandlersVisitor",
    "RegisterVisitor",
    "WrapperVarsVisitor",
    "WrapperFuncsVisitor",
    "WrappersVisitor",
    "StructVisitor",
    "ClassVisitor",
    "BuilderVisitor",
    "EncoderVisitor",
    "DecoderVisitor",
    "ImportsVisitor",
];

/// The stack of a thread that renders a target: as much as the main thread has, for the
/// recursion that nested types allow.
const RENDER_STACK: usize = 8 << 20;

/// What a run made, and what it warned about.
#[derive(Debug)]
pub struct Generated {
    pub files: Vec<GeneratedFile>,
    /// Keys of the codegen file that nothing reads, say.
    pub warnings: Diagnostics,
}

/// Registers with handlebars every helper of the templates, every language's too: for
/// templates rendered outside a template set (`wapc new`'s).
#[cfg(feature = "cli")]
pub(crate) fn register_helpers(registry: &mut handlebars::Handlebars<'static>) {
    helpers::register(registry, &lang::LANGUAGES);
}

/// Renders every target of every document of the codegen file, then writes them (unless
/// checking or dry-running). Nothing is written if anything fails to render. Warnings are
/// dropped: [`generate_warning`] returns them.
pub fn generate(config_path: &Path, options: &Options) -> Result<Vec<GeneratedFile>, Diagnostics> {
    generate_warning(config_path, options).map(|generated| generated.files)
}

/// [`generate`], with the warnings of a run that succeeded; those of a run that failed come
/// first among its errors.
pub fn generate_warning(config_path: &Path, options: &Options) -> Result<Generated, Diagnostics> {
    generate_reading(config_path, options, &mut Vec::new())
}

/// [`generate_warning`], adding to `read` what the run read, or tried to: the codegen file,
/// each schema and its imports, and each templates folder (with everything in it).
fn generate_reading(
    config_path: &Path,
    options: &Options,
    read: &mut Vec<PathBuf>,
) -> Result<Generated, Diagnostics> {
    let mut warnings = Diagnostics::default();
    let files = render_all(config_path, options, read, &mut warnings).map_err(|errors| {
        let mut all = std::mem::take(&mut warnings);
        all.extend(errors);
        all
    })?;
    if options.deny_warnings && !warnings.is_empty() {
        return Err(warnings.denied("`--deny-warnings` makes every warning an error"));
    }
    if !options.check && !options.dry_run {
        let changed: Vec<(&Path, &str)> = files
            .iter()
            .filter(|file| file.outcome == Outcome::Written)
            .map(|file| (file.path.as_path(), file.content.as_str()))
            .collect();
        output::write_all(&changed, true)?;
    }
    Ok(Generated { files, warnings })
}

/// Renders every target of every document of the codegen file, adding to `warnings`.
fn render_all(
    config_path: &Path,
    options: &Options,
    read: &mut Vec<PathBuf>,
    warnings: &mut Diagnostics,
) -> Result<Vec<GeneratedFile>, Diagnostics> {
    read.push(config_path.to_path_buf());
    // One run at a time per codegen file: two would compare and write the same files at once.
    let _lock = output::lock(config_path)?;
    let mut documents = config::read(config_path)?;
    for document in &mut documents {
        warnings.extend(std::mem::take(&mut document.warnings));
    }
    let base = config_path.parent().unwrap_or(Path::new(""));
    let config_name = config_path.display().to_string();
    // What the codegen file names must be inside its project (see `Project`), so that a
    // cloned repository's codegen.yaml cannot read `~/.netrc` or write outside the clone.
    let project = Project::of(base);
    let bounds = Bounds {
        imports: (options.imports.clone())
            .within_project(project.clone())
            .allowing_outside(options.allow_outside),
        templates: Scope::of_project(&project, [], options.allow_outside),
        outputs: project,
        outputs_of: "the codegen file",
        permit_outside: Some("pass --allow-outside"),
    };
    let mut files = Vec::new();
    let mut errors = Diagnostics::default();
    for document in &documents {
        match render_document(
            base,
            &config_name,
            document,
            options,
            &bounds,
            read,
            warnings,
        ) {
            Ok(rendered) => files.extend(rendered),
            Err(e) => errors.0.extend(e.0),
        }
    }
    // By the file each names: `o.rs`, `./o.rs` and `sub/../o.rs` are one file.
    let mut seen = std::collections::HashSet::new();
    for file in &files {
        let same = input::resolve_existing(&file.path).unwrap_or_else(|_| file.path.clone());
        if !seen.insert(same) {
            errors.push(Diagnostic::in_file(
                &config_name,
                format!("`{}` is generated twice", file.path.display()),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(files)
}

/// Where a run may read and write, unless `--allow-outside`.
pub(crate) struct Bounds {
    /// How the schema and its imports are found, and where they may be.
    pub imports: ImportPaths,
    /// Where a templates folder may be.
    pub templates: Scope,
    /// Where outputs may be written.
    pub outputs: Project,
    /// Whose project `outputs` is, for messages ("the codegen file").
    pub outputs_of: &'static str,
    /// How the caller permits an output outside, for messages (`--allow-outside`).
    pub permit_outside: Option<&'static str>,
}

/// Renders every target of one document. Its paths are relative to `base`, and stay within
/// `bounds`. Adds to `read` the schema, each file it imports and the templates folder, even
/// when rendering fails, and to `warnings` config keys that no built-in template reads.
pub(crate) fn render_document(
    base: &Path,
    config_name: &str,
    document: &config::Codegen,
    options: &Options,
    bounds: &Bounds,
    read: &mut Vec<PathBuf>,
    warnings: &mut Diagnostics,
) -> Result<Vec<GeneratedFile>, Diagnostics> {
    let schema_path = base.join(&document.schema);
    let (schema, files) = model::load_reading(&schema_path, &bounds.imports);
    let user_templates = document.templates.as_ref().map(|t| base.join(t));
    // What was read, or tried: the schema even when it could not be, each file once.
    for path in std::iter::once(schema_path)
        .chain(files)
        .chain(user_templates.clone())
    {
        if !read.contains(&path) {
            read.push(path);
        }
    }
    let schema = schema?;
    if let Some(dir) = &user_templates {
        input::admitted(dir, &bounds.templates).map_err(|refused| {
            Diagnostic::in_file(
                config_name,
                format!(
                    "cannot read the templates folder `{}`: {}",
                    dir.display(),
                    refused.0
                ),
            )
        })?;
    }
    let templates = Templates::load_within(user_templates.as_deref(), &bounds.templates)?;
    let roles: Vec<&str> = (schema.definitions.iter())
        .filter_map(|d| match &d.definition {
            Definition::Role(role) => Some(role.name.value.as_str()),
            _ => None,
        })
        .collect();
    let built_in: Vec<&str> = (document.generates.iter())
        .filter(|(relative, target)| {
            template_name(config_name, relative, target, &templates)
                .is_ok_and(|name| templates.is_built_in(&name))
        })
        .map(|(relative, _)| relative.as_str())
        .collect();
    let mut config_errors = document.check_config(&built_in, &roles);
    warnings.extend(config_errors.take_warnings());
    if !config_errors.is_empty() {
        return Err(config_errors);
    }
    // Outputs, and nothing else, are relative to the old CLI's `parentDir`.
    let output_path = |relative: &str| match &document.parent_dir {
        Some(dir) => dir.join(relative),
        None => PathBuf::from(relative),
    };
    let mut configs: Vec<Map<String, Json>> = Vec::new();
    for (relative, target) in &document.generates {
        let mut config = document.config.clone();
        config.extend(target.config.clone());
        let output = base.join(output_path(relative));
        guest_feature(&mut config, target, &output);
        wapc_go_instance(&mut config, &output);
        configs.push(config);
    }
    // Targets with the same config share one context: `context_of` says which.
    let mut distinct: Vec<&Map<String, Json>> = Vec::new();
    let mut context_of = Vec::with_capacity(configs.len());
    for config in &configs {
        context_of.push(match distinct.iter().position(|c| *c == config) {
            Some(index) => index,
            None => {
                distinct.push(config);
                distinct.len() - 1
            }
        });
    }
    let sources: Vec<String> = schema.files.iter().map(|f| f.name.clone()).collect();
    // The views hold all that rendering needs; building them consumes the schema, freeing
    // each definition as its view is made (on a large schema, most of the memory in use).
    let views = Arc::new(context::SchemaViews::build(schema).map_err(Diagnostics::from)?);
    let contexts: Vec<context::Context> = (distinct.into_iter())
        .map(|config| context::Context::new(Arc::clone(&views), config.clone()))
        .collect();
    drop(views);
    return_freed_memory();
    let json_contexts: Vec<render::JsonContext> =
        contexts.iter().map(|_| Default::default()).collect();
    let render = |index: usize, relative: &String, target: &config::Target| {
        let output = output_path(relative);
        output::check_output_name(&output.to_string_lossy())
            .map_err(|m| document.target_errors(relative, [m]))?;
        let template =
            template_name(config_name, relative, target, &templates).map_err(Diagnostics::from)?;
        let shared = context_of[index];
        let context = &contexts[shared];
        let language = lang::of_target(&output, &template);
        let clashes = language.map_or_else(Vec::new, |language| names::check(language, context));
        if !clashes.is_empty() {
            let clashes = clashes.iter().map(|m| format!("`{relative}`: {m}"));
            return Err(document.target_errors(relative, clashes));
        }
        let path = base.join(&output);
        if !options.allow_outside {
            let outputs = output::OutputBounds {
                project: &bounds.outputs,
                whose: bounds.outputs_of,
                permit: bounds.permit_outside,
            };
            output::check_within(&outputs, &path, &output)
                .map_err(|m| document.target_errors(relative, [m]))?;
        }
        let started = Instant::now();
        let mut content = templates
            .render_sharing(&template, context, &json_contexts[shared])
            .map_err(Diagnostics::from)?;
        if options.format
            && let Some(formatter) = language.and_then(|language| language.formatter.as_ref())
        {
            content = output::format(formatter, content);
        }
        let outcome =
            output::plan(&path, &content, target.if_not_exists).map_err(Diagnostics::from)?;
        Ok(GeneratedFile {
            path,
            template,
            outcome,
            content,
            sources: sources.clone(),
            elapsed: started.elapsed(),
        })
    };
    let rendered: Vec<Result<GeneratedFile, Diagnostics>> = if document.generates.len() < 2 {
        let targets = document.generates.iter().enumerate();
        targets.map(|(i, (r, t))| render(i, r, t)).collect()
    } else {
        // Targets are independent: render them side by side, and report in the file's order.
        let render = &render;
        std::thread::scope(|scope| {
            let running: Vec<_> = document
                .generates
                .iter()
                .enumerate()
                .map(|(index, (relative, target))| {
                    std::thread::Builder::new()
                        .stack_size(RENDER_STACK)
                        .spawn_scoped(scope, move || render(index, relative, target))
                        .map_err(|_| (index, relative, target))
                })
                .collect();
            running
                .into_iter()
                .map(|running| match running {
                    Ok(thread) => thread.join().unwrap_or_else(|_| {
                        Err(Diagnostic::error("internal error: rendering a target failed").into())
                    }),
                    // No thread to spare: render here.
                    Err((index, relative, target)) => render(index, relative, target),
                })
                .collect()
        })
    };
    free_elsewhere((contexts, json_contexts));
    let mut files = Vec::new();
    let mut errors = Diagnostics::default();
    for result in rendered {
        match result {
            Ok(file) => files.push(file),
            Err(e) => errors.0.extend(e.0),
        }
    }
    if errors.is_empty() {
        Ok(files)
    } else {
        Err(errors)
    }
}

/// Hands the memory freed with the schema back to the system before rendering. glibc keeps
/// freed small blocks for reuse, and the output, a block of its own, would come on top of
/// them: on a million-field schema, some 60 MiB.
fn return_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim takes no pointer and only releases memory that is free; glibc
    // locks each arena while it does.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Frees `value` on another thread. Freeing a large schema and its contexts, node by node,
/// takes a tenth of a run; meanwhile this thread writes the files (and may exit first).
fn free_elsewhere<T: Send + 'static>(value: T) {
    // With no thread to spare, `spawn` frees it here.
    let _ = std::thread::Builder::new().spawn(move || drop(value));
}

/// The module path of `@wapc/widl-codegen` 0.0.7's Rust generator, whose output kept what
/// needs `wapc-guest` behind the crate's `guest` feature.
const GATED_RUST_MODULE: &str = "@wapc/widl-codegen/rust";

/// Sets `config.guestFeature`, the Cargo feature that the Rust templates put `wapc-guest`
/// code behind, so that one crate serves wasm guests and native code that needs only the
/// types. An explicit value wins (a feature name; `true` for `guest`; `false` for none);
/// otherwise it is `guest` when the target names the 0.0.7 generator or when the nearest
/// Cargo.toml above the output declares a `guest` feature, and unset else. The value's type
/// was checked with the rest of the config.
fn guest_feature(config: &mut Map<String, Json>, target: &config::Target, output: &Path) {
    const KEY: &str = "guestFeature";
    let feature = match config.get(KEY) {
        Some(Json::Bool(on)) => *on,
        Some(_) => return,
        None => {
            target.module.as_deref().map(|m| m.trim_end_matches('/')) == Some(GATED_RUST_MODULE)
                || crate_declares_guest_feature(output)
        }
    };
    if feature {
        config.insert(KEY.to_string(), Json::String("guest".to_string()));
    } else {
        config.remove(KEY);
    }
}

/// Whether the nearest Cargo.toml in a folder above `output` declares a `guest` feature. A
/// manifest that cannot be read or parsed says no: cargo will report it.
pub(crate) fn crate_declares_guest_feature(output: &Path) -> bool {
    #[derive(serde::Deserialize)]
    struct Manifest {
        #[serde(default)]
        features: std::collections::BTreeMap<String, toml::Value>,
    }
    nearest_manifest(output, "Cargo.toml").is_some_and(|text| {
        toml::from_str::<Manifest>(&text).is_ok_and(|m| m.features.contains_key("guest"))
    })
}

/// The text of the nearest file called `name` in a folder above `output`, if it reads.
fn nearest_manifest(output: &Path, name: &str) -> Option<String> {
    let manifest = output
        .ancestors()
        .skip(1)
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())?;
    let mut text = String::new();
    std::fs::File::open(&manifest)
        .and_then(|file| {
            file.take(crate::limits::MAX_MANIFEST_SIZE)
                .read_to_string(&mut text)
        })
        .ok()?;
    Some(text)
}

/// The wapc-go module, whose `Instance` was a struct (used as `*wapc.Instance`) before v0.4.0
/// and is an interface since (its commit 0529cdd, "Add support for multiple Wasm engines").
const WAPC_GO: &str = "github.com/wapc/wapc-go";

/// Sets `config.wapcInstance`, the Go type that `go/host` holds a wapc-go instance as, for a Go
/// output under a go.mod that requires a wapc-go before v0.4.0: `*wapc.Instance`, so that the
/// client compiles against the wapc-go the project uses. An explicit value wins; otherwise the
/// template's default, `wapc.Instance`, stands.
fn wapc_go_instance(config: &mut Map<String, Json>, output: &Path) {
    const KEY: &str = "wapcInstance";
    if config.contains_key(KEY) || output.extension().is_none_or(|e| e != "go") {
        return;
    }
    let version =
        nearest_manifest(output, "go.mod").and_then(|text| required_version(&text, WAPC_GO));
    if version.is_some_and(|(major, minor)| (major, minor) < (0, 4)) {
        config.insert(KEY.to_string(), Json::String("*wapc.Instance".to_string()));
    }
}

/// The major and minor version with which the go.mod `text` requires `module`, in either form
/// (`require m v1.2.3`, or a line of a `require ( ... )` block).
fn required_version(text: &str, module: &str) -> Option<(u64, u64)> {
    let mut in_block = false;
    for line in text.lines() {
        let line = line.split("//").next().unwrap_or("").trim();
        let words: Vec<&str> = line.split_whitespace().collect();
        let requirement = match words.as_slice() {
            ["require", "("] => {
                in_block = true;
                continue;
            }
            [")"] => {
                in_block = false;
                continue;
            }
            ["require", name, version] => Some((*name, *version)),
            [name, version] if in_block => Some((*name, *version)),
            _ => None,
        };
        if let Some((name, version)) = requirement
            && name == module
        {
            let mut numbers = version.strip_prefix('v')?.split(['.', '-', '+']);
            let major = numbers.next()?.parse().ok()?;
            let minor = numbers.next()?.parse().ok()?;
            return Some((major, minor));
        }
    }
    None
}

/// The template a target asks for, by name or by the old module + visitor class.
fn template_name(
    config_name: &str,
    output: &str,
    target: &config::Target,
    templates: &Templates,
) -> Result<String, Diagnostic> {
    let error =
        |message: String| Diagnostic::in_file(config_name, format!("`{output}`: {message}"));
    let name = match (&target.template, &target.module, &target.visitor_class) {
        (Some(name), _, _) => name.clone(),
        (None, Some(module), Some(visitor)) => {
            let language = module
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or("");
            if let Some(name) = lang::visitor_template(language, visitor) {
                name
            } else if FRAGMENT_VISITORS.contains(&visitor.as_str())
                && let Some(whole) = lang::visitor_template(language, "ModuleVisitor")
            {
                return Err(error(format!(
                    "`{visitor}` wrote a piece of a module file; use `visitorClass: ModuleVisitor` (template `{whole}`), which writes all of it"
                )));
            } else {
                let known: Vec<String> = lang::known_visitors().collect();
                return Err(error(format!(
                    "unknown module and visitor class `{module}` `{visitor}`; known: {}",
                    known.join(", ")
                )));
            }
        }
        (None, Some(_), None) => return Err(error("`module` needs a `visitorClass`".into())),
        (None, None, _) => {
            return Err(error(
                "name a `template` (or, the old way, a `module` and `visitorClass`)".into(),
            ));
        }
    };
    if !templates.contains(&name) {
        let known: Vec<&str> = templates.list().map(|(n, _)| n).collect();
        let near = did_you_mean(&name, known.iter().copied())
            .map(|near| format!(" ({near})"))
            .unwrap_or_default();
        return Err(error(format!(
            "unknown template `{name}`{near}; the templates are: {}",
            known.join(", ")
        )));
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_go_mod_requirement_is_found_in_either_form() {
        let block = "module x\n\nrequire (\n\tgithub.com/a/b v1.0.0\n\tgithub.com/wapc/wapc-go v0.2.1 // indirect\n)\n";
        assert_eq!(required_version(block, WAPC_GO), Some((0, 2)));
        let line = "module x\nrequire github.com/wapc/wapc-go v0.7.2\n";
        assert_eq!(required_version(line, WAPC_GO), Some((0, 7)));
        let pseudo = "require github.com/wapc/wapc-go v0.3.3-0.20210101000000-abcdef123456\n";
        assert_eq!(required_version(pseudo, WAPC_GO), Some((0, 3)));
        assert_eq!(
            required_version("require github.com/wapc/wapc-go-x v0.1.0\n", WAPC_GO),
            None
        );
        assert_eq!(
            required_version("// require github.com/wapc/wapc-go v0.1.0\n", WAPC_GO),
            None
        );
    }
}
