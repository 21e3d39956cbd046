//! `wapc generate`: codegen.yaml + schema + templates → files.
//!
//! Usable from a `build.rs` as well as from the CLI:
//!
//! ```no_run
//! let options = wapc_codegen::codegen::Options::default();
//! let files = wapc_codegen::codegen::generate("codegen.yaml".as_ref(), &options).unwrap();
//! ```

mod clashes;
pub mod config;
pub mod context;
mod direct;
mod helpers;
mod lang;
mod language;
mod names;
pub(crate) mod output;
pub(crate) mod plan;
pub mod render;
mod spelling;
pub(crate) mod templates;
mod text;
mod ty;
mod view;
#[cfg(feature = "cli")]
pub mod watch;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::input::{self, Project, Scope};
use crate::model::ImportPaths;

pub use output::Outcome;
pub(crate) use plan::Bounds;
use plan::Plan;
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

/// Renders every target of one document: plans them ([`plan::document`], where every check
/// runs), then renders the plan. Its paths are relative to `base`, and stay within `bounds`.
/// Adds to `read` the schema, each file it imports and the templates folder, even when
/// rendering fails, and to `warnings` config keys that no built-in template reads.
pub(crate) fn render_document(
    base: &Path,
    config_name: &str,
    document: &config::Codegen,
    options: &Options,
    bounds: &Bounds,
    read: &mut Vec<PathBuf>,
    warnings: &mut Diagnostics,
) -> Result<Vec<GeneratedFile>, Diagnostics> {
    let allow_outside = options.allow_outside;
    let plan = plan::document(
        base,
        config_name,
        document,
        allow_outside,
        bounds,
        read,
        warnings,
    )?;
    render_plan(plan, options)
}

/// Renders each target of `plan`, side by side, formats it, and says what writing it would do.
fn render_plan(plan: Plan, options: &Options) -> Result<Vec<GeneratedFile>, Diagnostics> {
    let json_contexts: Vec<render::JsonContext> =
        plan.contexts.iter().map(|_| Default::default()).collect();
    let render = |target: &plan::Target| {
        let started = Instant::now();
        let context = &plan.contexts[target.context];
        let mut content = (target.spelling)
            .apply(|| {
                (plan.templates).render_sharing(
                    &target.template,
                    context,
                    &json_contexts[target.context],
                )
            })
            .map_err(Diagnostics::from)?;
        if options.format
            && let Some(formatter) = target
                .language
                .and_then(|language| language.formatter.as_ref())
        {
            content = output::format(formatter, content);
        }
        let outcome = output::plan(&target.path, &content, target.if_not_exists)
            .map_err(Diagnostics::from)?;
        Ok(GeneratedFile {
            path: target.path.clone(),
            template: target.template.clone(),
            outcome,
            content,
            sources: plan.sources.clone(),
            elapsed: started.elapsed(),
        })
    };
    let rendered = side_by_side(&plan.targets, render);
    plan::free_elsewhere((plan.contexts, json_contexts));
    let mut files = Vec::new();
    let mut errors = Diagnostics::default();
    for result in rendered {
        match result {
            Ok(file) => files.push(file),
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(files)
    } else {
        Err(errors)
    }
}

/// `render` of each target, on a thread each when there are several (targets are
/// independent), in the targets' order.
fn side_by_side(
    targets: &[plan::Target],
    render: impl Fn(&plan::Target) -> Result<GeneratedFile, Diagnostics> + Sync,
) -> Vec<Result<GeneratedFile, Diagnostics>> {
    if targets.len() < 2 {
        return targets.iter().map(&render).collect();
    }
    let render = &render;
    std::thread::scope(|scope| {
        let running: Vec<_> = (targets.iter())
            .map(|target| {
                std::thread::Builder::new()
                    .stack_size(RENDER_STACK)
                    .spawn_scoped(scope, move || render(target))
                    .map_err(|_| target)
            })
            .collect();
        (running.into_iter())
            .map(|running| match running {
                Ok(thread) => thread.join().unwrap_or_else(|_| {
                    Err(Diagnostic::error("internal error: rendering a target failed").into())
                }),
                // No thread to spare: render here.
                Err(target) => render(target),
            })
            .collect()
    })
}
