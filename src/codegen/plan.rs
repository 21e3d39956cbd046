//! The first step of a run: every target of a document resolved and checked before anything
//! renders. A target's output path, template, language and config are settled here, and every
//! check that can fail a target runs here: the codegen file's config, the output's name, the
//! template's, the names its language would spell alike, where the output may be written. A
//! document's errors come all at once: the config's first, then each target's in that order.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Map, Value as Json};

use super::config::{self, Codegen};
use super::context::{Context, SchemaViews};
use super::language::Language;
use super::spelling::Spelling;
use super::templates::Templates;
use super::{clashes, lang, output};
use crate::diagnostic::{Diagnostic, Diagnostics, did_you_mean};
use crate::input::{self, Project, Scope};
use crate::model::{self, ImportPaths, Schema};
use crate::parser::ast::Definition;

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

/// A document's targets, ready to render.
pub(crate) struct Plan {
    pub templates: Templates,
    /// A context for each distinct config: targets with the same config share one.
    pub contexts: Vec<Context>,
    /// The schema's files, its own first, as messages name them.
    pub sources: Vec<String>,
    /// In the order of the document's `generates`.
    pub targets: Vec<Target>,
}

/// One output file, as it will be rendered.
pub(crate) struct Target {
    /// Where the file goes: the codegen file's folder joined with the target's path.
    pub path: PathBuf,
    pub template: String,
    /// Decides the formatter; `None` for a file with no language's extension.
    pub language: Option<&'static Language>,
    /// Its context in [`Plan::contexts`].
    pub context: usize,
    /// Whose spelling of names it is written in.
    pub spelling: Spelling,
    pub if_not_exists: bool,
}

/// Plans every target of `document`. Its paths are relative to `base`, and stay within
/// `bounds`. Adds to `read` the schema, each file it imports and the templates folder, even
/// when planning fails, and to `warnings` config keys that no built-in template reads.
pub(crate) fn document(
    base: &Path,
    config_name: &str,
    document: &Codegen,
    allow_outside: bool,
    bounds: &Bounds,
    read: &mut Vec<PathBuf>,
    warnings: &mut Diagnostics,
) -> Result<Plan, Diagnostics> {
    let (schema, templates) = inputs(base, config_name, document, bounds, read)?;
    let template_names: Vec<Result<String, Diagnostic>> = (document.generates.iter())
        .map(|(relative, target)| template_name(config_name, relative, target, &templates))
        .collect();
    let mut errors = check_config(document, &schema, &templates, &template_names, warnings);
    // Outputs, and nothing else, are relative to the old CLI's `parentDir`.
    let outputs: Vec<PathBuf> = (document.generates.keys())
        .map(|relative| match &document.parent_dir {
            Some(dir) => dir.join(relative),
            None => PathBuf::from(relative),
        })
        .collect();
    let (configs, context_of) = target_configs(base, document, &outputs);
    let sources: Vec<String> = schema.files.iter().map(|f| f.name.clone()).collect();
    let spellings: Vec<Spelling> = (template_names.iter().zip(&context_of))
        .map(|(template, &context)| {
            (template.as_ref()).map_or(Spelling::Wapc, |t| Spelling::of(&configs[context], t))
        })
        .collect();
    // Contexts are made of a config that passed its checks.
    let contexts = if errors.is_empty() {
        build_contexts(schema, configs)
            .map_err(|e| errors.extend(e))
            .ok()
    } else {
        None
    };
    let mut targets = Vec::new();
    let each = (document.generates.iter())
        .zip(outputs.iter().zip(template_names).zip(context_of))
        .zip(spellings);
    for (((relative, target), ((output, template), context)), spelling) in each {
        let fail = |messages: Vec<String>| document.target_errors(relative, messages);
        if let Err(message) = output::check_output_name(&output.to_string_lossy()) {
            errors.extend(fail(vec![message]));
        }
        let template = template.map_err(|error| errors.push(error));
        let language = (template.as_ref().ok()).and_then(|name| lang::of_target(output, name));
        if let (Some(language), Some(contexts)) = (language, &contexts) {
            let clashes = spelling.apply(|| clashes::check(language, &contexts[context]));
            let clashes = clashes.into_iter();
            errors.extend(fail(
                clashes.map(|m| format!("`{relative}`: {m}")).collect(),
            ));
        }
        let path = base.join(output);
        if !allow_outside {
            let outputs = output::OutputBounds {
                project: &bounds.outputs,
                whose: bounds.outputs_of,
                permit: bounds.permit_outside,
            };
            if let Err(message) = output::check_within(&outputs, &path, output) {
                errors.extend(fail(vec![message]));
            }
        }
        if let Ok(template) = template {
            let if_not_exists = target.if_not_exists;
            targets.push(Target {
                path,
                template,
                language,
                context,
                spelling,
                if_not_exists,
            });
        }
    }
    match contexts {
        Some(contexts) if errors.is_empty() => Ok(Plan {
            templates,
            contexts,
            sources,
            targets,
        }),
        _ => Err(errors),
    }
}

/// Frees `value` on another thread. Freeing a large schema and its contexts, node by node,
/// takes a tenth of a run; meanwhile this thread writes the files (and may exit first).
pub(super) fn free_elsewhere<T: Send + 'static>(value: T) {
    // With no thread to spare, `spawn` frees it here.
    let _ = std::thread::Builder::new().spawn(move || drop(value));
}

/// The schema and the template set of `document`, adding to `read` what was read, or tried:
/// the schema even when it could not be, each file once.
fn inputs(
    base: &Path,
    config_name: &str,
    document: &Codegen,
    bounds: &Bounds,
    read: &mut Vec<PathBuf>,
) -> Result<(Schema, Templates), Diagnostics> {
    let schema_path = base.join(&document.schema);
    let (schema, files) = model::load_reading(&schema_path, &bounds.imports);
    let user_templates = document.templates.as_ref().map(|t| base.join(t));
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
    Ok((schema, templates))
}

/// The errors of the document's config (strict where a target's template is built in), with
/// its warnings added to `warnings`.
fn check_config(
    document: &Codegen,
    schema: &Schema,
    templates: &Templates,
    template_names: &[Result<String, Diagnostic>],
    warnings: &mut Diagnostics,
) -> Diagnostics {
    let built_in: Vec<&str> = (document.generates.keys().zip(template_names))
        .filter(|(_, name)| name.as_ref().is_ok_and(|name| templates.is_built_in(name)))
        .map(|(relative, _)| relative.as_str())
        .collect();
    let roles: Vec<&str> = (schema.definitions.iter())
        .filter_map(|d| match &d.definition {
            Definition::Role(role) => Some(role.name.value.as_str()),
            _ => None,
        })
        .collect();
    let mut errors = document.check_config(&built_in, &roles);
    warnings.extend(errors.take_warnings());
    errors
}

/// Each target's config (the document's, then its own, then what its project implies), as
/// the distinct configs and, for each target in order, the index of its own among them.
fn target_configs(
    base: &Path,
    document: &Codegen,
    outputs: &[PathBuf],
) -> (Vec<Map<String, Json>>, Vec<usize>) {
    let mut distinct: Vec<Map<String, Json>> = Vec::new();
    let mut index_of = Vec::with_capacity(outputs.len());
    for (target, output) in document.generates.values().zip(outputs) {
        let mut config = document.config.clone();
        config.extend(target.config.clone());
        let output = base.join(output);
        guest_feature(&mut config, target, &output);
        wapc_go_instance(&mut config, &output);
        Spelling::default_for(&mut config, target.visitor_class.is_some());
        index_of.push(match distinct.iter().position(|c| *c == config) {
            Some(index) => index,
            None => {
                distinct.push(config);
                distinct.len() - 1
            }
        });
    }
    (distinct, index_of)
}

/// A context for each config. The views hold all that rendering needs; building them
/// consumes the schema, freeing each definition as its view is made (on a large schema, most
/// of the memory in use), and the contexts share them.
fn build_contexts(
    schema: Schema,
    configs: Vec<Map<String, Json>>,
) -> Result<Vec<Context>, Diagnostics> {
    let views = Arc::new(SchemaViews::build(schema).map_err(Diagnostics::from)?);
    let contexts = (configs.into_iter())
        .map(|config| Context::new(Arc::clone(&views), config))
        .collect();
    return_freed_memory();
    Ok(contexts)
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
