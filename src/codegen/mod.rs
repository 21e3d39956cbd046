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
mod names;
pub(crate) mod output;
pub mod render;
mod view;
#[cfg(feature = "cli")]
pub mod watch;

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Map, Value as Json};

use crate::diagnostic::{Diagnostic, Diagnostics, did_you_mean};
use crate::input::{self, Scope};
use crate::model::{self, ImportPaths};
use crate::parser::ast::Definition;

pub use output::Outcome;
pub use render::{Origin, Templates};

#[derive(Clone, Debug)]
pub struct Options {
    /// Write nothing; report what is out of date.
    pub check: bool,
    /// Write nothing; the caller shows what would be written.
    pub dry_run: bool,
    /// Run rustfmt / gofmt over the output when they are installed.
    pub format: bool,
    /// Permit reading and writing outside the codegen file's folder.
    pub allow_outside: bool,
    pub imports: ImportPaths,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            check: false,
            dry_run: false,
            format: true,
            allow_outside: false,
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

/// Renders every target of every document of the codegen file, then writes them (unless
/// checking or dry-running). Nothing is written if anything fails to render.
pub fn generate(config_path: &Path, options: &Options) -> Result<Vec<GeneratedFile>, Diagnostics> {
    generate_reading(config_path, options, &mut Vec::new())
}

/// [`generate`], adding to `read` what the run read, or tried to: the codegen file, each
/// schema and its imports, and each templates folder (with everything in it).
fn generate_reading(
    config_path: &Path,
    options: &Options,
    read: &mut Vec<PathBuf>,
) -> Result<Vec<GeneratedFile>, Diagnostics> {
    read.push(config_path.to_path_buf());
    // One run at a time per codegen file: two would compare and write the same files at once.
    let _lock = output::lock(config_path)?;
    let documents = config::read(config_path)?;
    let base = config_path.parent().unwrap_or(Path::new(""));
    let config_name = config_path.display().to_string();
    // The codegen file's folder is the project's: what it names must be inside (see
    // `ImportPaths`), so that a shared codegen.yaml cannot read `../.netrc`.
    let imports = (options.imports.clone())
        .within(base)
        .allowing_outside(options.allow_outside);
    let templates_scope = Scope::new([base], options.allow_outside);
    let mut files = Vec::new();
    let mut errors = Diagnostics::default();
    for document in &documents {
        match render_document(
            base,
            &config_name,
            document,
            options,
            &imports,
            &templates_scope,
            read,
        ) {
            Ok(rendered) => files.extend(rendered),
            Err(e) => errors.0.extend(e.0),
        }
    }
    let mut seen = std::collections::HashSet::new();
    for file in &files {
        if !seen.insert(&file.path) {
            errors.push(Diagnostic::in_file(
                &config_name,
                format!("`{}` is generated twice", file.path.display()),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if !options.check && !options.dry_run {
        let changed: Vec<(&Path, &str)> = files
            .iter()
            .filter(|file| file.outcome == Outcome::Written)
            .map(|file| (file.path.as_path(), file.content.as_str()))
            .collect();
        output::write_all(&changed, true)?;
    }
    Ok(files)
}

/// Renders every target of one document. Its paths are relative to `base`; its schema loads
/// with `imports`, and its templates folder must be inside `templates_scope`. Adds to `read`
/// the schema, each file it imports and the templates folder, even when rendering fails.
pub(crate) fn render_document(
    base: &Path,
    config_name: &str,
    document: &config::Codegen,
    options: &Options,
    imports: &ImportPaths,
    templates_scope: &Scope,
    read: &mut Vec<PathBuf>,
) -> Result<Vec<GeneratedFile>, Diagnostics> {
    let base_dir = if base.as_os_str().is_empty() {
        Path::new(".")
    } else {
        base
    };
    let schema_path = base.join(&document.schema);
    let (schema, files) = model::load_reading(&schema_path, imports);
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
        input::admitted(dir, templates_scope).map_err(|refused| {
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
    let templates = Templates::load(user_templates.as_deref())?;
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
    let config_errors = document.check_config(&built_in, &roles);
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
        guest_feature(&mut config, target, &base.join(output_path(relative)));
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
        output::check_inside(&output.to_string_lossy(), options.allow_outside)
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
        let path = base.join(output);
        if !options.allow_outside {
            output::check_resolved(base_dir, &path)
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
    let Some(manifest) = output
        .ancestors()
        .skip(1)
        .map(|dir| dir.join("Cargo.toml"))
        .find(|path| path.is_file())
    else {
        return false;
    };
    let mut text = String::new();
    let read = std::fs::File::open(&manifest).and_then(|file| {
        file.take(crate::limits::MAX_MANIFEST_SIZE)
            .read_to_string(&mut text)
    });
    read.is_ok()
        && toml::from_str::<Manifest>(&text).is_ok_and(|m| m.features.contains_key("guest"))
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
