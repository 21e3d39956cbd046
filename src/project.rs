//! `wapc new`: project templates (built in, a folder, or `$WAPC_HOME/templates/NAME`, where
//! `wapc install` puts them) rendered into a new project folder.
//!
//! A template is a folder with a `.template` manifest (name, description, variables) and files:
//! `*.hbs` files are rendered with the variables (and the codegen helpers) and lose the suffix;
//! the rest are copied as they are. File names may use the variables too.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use handlebars::Handlebars;
use serde::Deserialize;
use serde_json::{Map, Value as Json};

use crate::codegen::{self, output, templates};
use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile, did_you_mean, io_reason};
use crate::input::Project;
use crate::limits::MAX_SCHEMA_SIZE;
use crate::model::ImportPaths;

/// The files of the built-in project templates, by path below `templates/new/`.
const BUILT_IN: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/projects.rs"));

/// Other names of built-in templates.
const ALIASES: [(&str, &str); 1] = [("as", "assemblyscript")];

const MANIFEST: &str = ".template";

/// The file that `wapc install` keeps in an installed package's folder (its manifest, which
/// marks the folder as installed): no file of the projects made from it.
pub const INSTALL_MARK: &str = "wapc.yaml";

/// The folder of files that every built-in template has (unless it has its own).
const SHARED: &str = "_shared";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    name: String,
    description: String,
    #[serde(default)]
    variables: Vec<Variable>,
}

/// A value the template asks for.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Variable {
    pub name: String,
    /// What to ask on a terminal.
    #[serde(default)]
    pub prompt: Option<String>,
    #[serde(default)]
    pub default: Option<String>,
    /// Without a value, a default or a terminal to ask on, creating the project fails.
    #[serde(default)]
    pub required: bool,
}

/// A project template, loaded.
pub struct ProjectTemplate {
    pub name: String,
    pub description: String,
    pub variables: Vec<Variable>,
    /// Each file's path in the project (with `.hbs` still on) and its text.
    files: Vec<(String, String)>,
}

/// The built-in templates: name and description.
pub fn built_in() -> Vec<(String, String)> {
    let mut list: Vec<(String, String)> = BUILT_IN
        .iter()
        .filter_map(|(path, _)| path.strip_suffix(&format!("/{MANIFEST}")))
        .filter_map(|name| load_built_in(name).ok())
        .map(|t| (t.name, t.description))
        .collect();
    list.sort();
    list
}

/// Finds a template: a path to a folder (anything with a `/` or starting with `.`), a
/// built-in name, or a folder in `$WAPC_HOME/templates`.
pub fn find(reference: &str) -> Result<ProjectTemplate, Diagnostic> {
    let looks_like_path = reference.contains('/') || reference.starts_with('.');
    if looks_like_path {
        // `acme/hello` is an installed template (`wapc install`) unless a folder is there.
        let installed = Some(Path::new(reference))
            .filter(|path| !path.exists())
            .filter(|path| path.components().all(|c| matches!(c, Component::Normal(_))))
            .and_then(|path| Some(ImportPaths::home()?.join("templates").join(path)))
            .filter(|home| home.is_dir());
        return match installed {
            Some(home) => load_folder(&home, Origin::Installed),
            None => load_folder(Path::new(reference), Origin::Folder),
        };
    }
    let name = ALIASES
        .iter()
        .find(|(alias, _)| *alias == reference)
        .map_or(reference, |(_, name)| name);
    if let Ok(template) = load_built_in(name) {
        return Ok(template);
    }
    let home = ImportPaths::home().map(|h| h.join("templates").join(reference));
    if let Some(home) = home.as_deref().filter(|h| h.is_dir()) {
        return load_folder(home, Origin::Installed);
    }
    let names: Vec<String> = built_in().into_iter().map(|(n, _)| n).collect();
    let near = did_you_mean(reference, names.iter().map(String::as_str))
        .map(|near| format!(" ({near})"))
        .unwrap_or_default();
    Err(Diagnostic::error(format!(
        "no project template `{reference}`{near}: the built-in ones are {} (a folder of your own \
         is named by its path, e.g. `./my-template`, or goes in $WAPC_HOME/templates)",
        names.join(", ")
    )))
}

/// A built-in template: its own files, and those of `_shared/` that it does not replace.
fn load_built_in(name: &str) -> Result<ProjectTemplate, Diagnostic> {
    let files_of = |folder: &str| -> Vec<(String, String)> {
        let prefix = format!("{folder}/");
        BUILT_IN
            .iter()
            .filter_map(|(path, text)| {
                Some((path.strip_prefix(&prefix)?.to_string(), text.to_string()))
            })
            .collect()
    };
    let mut files = files_of(name);
    if files.is_empty() {
        return Err(Diagnostic::error(format!(
            "no built-in project template `{name}`"
        )));
    }
    for shared in files_of(SHARED) {
        if !files.iter().any(|(path, _)| *path == shared.0) {
            files.push(shared);
        }
    }
    from_files(&format!("templates/new/{name}"), files)
}

/// Checks a templates package before `wapc install` puts it in `$WAPC_HOME/templates/NAME`:
/// its `.template` must load (not fail only at `wapc new`), and `NAME` must not be a built-in
/// template's, which `wapc new NAME` would find first. `shown` names the folder in messages.
pub fn check_installable(dir: &Path, shown: &str, name: &str) -> Result<(), Diagnostic> {
    let built_in = ALIASES.iter().any(|(alias, _)| *alias == name)
        || BUILT_IN
            .iter()
            .any(|(path, _)| path.strip_suffix(&format!("/{MANIFEST}")) == Some(name));
    if built_in {
        return Err(Diagnostic::error(format!(
            "`{shown}`: `name: {name}` is a built-in template's name: `wapc new {name}` would never              find this one; give it a name of its own (e.g. `acme/{name}`)"
        )));
    }
    load_folder_shown(dir, shown, Origin::Installed).map(drop)
}

/// Where a template folder is: an installed package's folder holds `wapc install`'s mark,
/// which is no file of the projects made from it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Origin {
    Folder,
    Installed,
}

fn load_folder(dir: &Path, origin: Origin) -> Result<ProjectTemplate, Diagnostic> {
    load_folder_shown(dir, &output::shown(dir), origin)
}

/// [`load_folder`], naming the folder `shown` in messages.
fn load_folder_shown(
    dir: &Path,
    shown: &str,
    origin: Origin,
) -> Result<ProjectTemplate, Diagnostic> {
    if !dir.join(MANIFEST).is_file() {
        return Err(Diagnostic::error(format!(
            "`{shown}` is not a project template: it has no `{MANIFEST}` manifest"
        )));
    }
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry =
            entry.map_err(|e| Diagnostic::in_file(shown, format!("cannot read `{shown}`: {e}")))?;
        if !entry.file_type().is_file() {
            continue;
        }
        let relative = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        if origin == Origin::Installed && relative == Path::new(INSTALL_MARK) {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).map_err(|error| {
            let shown = format!("{shown}/{}", output::shown(relative));
            Diagnostic::in_file(
                &shown,
                format!("cannot read `{shown}`: {}", io_reason(&error)),
            )
        })?;
        let key = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        files.push((key, text));
    }
    from_files(shown, files)
}

fn from_files(
    source: &str,
    mut files: Vec<(String, String)>,
) -> Result<ProjectTemplate, Diagnostic> {
    let Some(at) = files.iter().position(|(path, _)| path == MANIFEST) else {
        return Err(Diagnostic::error(format!(
            "no project template at `{source}`"
        )));
    };
    let (_, manifest) = files.remove(at);
    let manifest: Manifest = serde_yaml::from_str(&manifest).map_err(|error| {
        let file = SourceFile::new(format!("{source}/{MANIFEST}"), manifest.clone());
        Diagnostic::yaml(&Arc::new(file), &error)
    })?;
    Ok(ProjectTemplate {
        name: manifest.name,
        description: manifest.description,
        variables: manifest.variables,
        files,
    })
}

/// How to create a project.
pub struct NewProject<'a> {
    pub dir: &'a Path,
    /// `name=value` pairs from the command line.
    pub values: BTreeMap<String, String>,
    /// A schema to use instead of the template's.
    pub spec: Option<&'a Path>,
    /// Write into a folder that is not empty (existing files are still never overwritten).
    pub force: bool,
}

/// What happened to each file of the project.
pub struct Created {
    pub written: Vec<PathBuf>,
    /// Files that existed already (with `--force`): left as they were.
    pub kept: Vec<PathBuf>,
}

/// Renders the template into `project.dir`. `ask` is called for each variable without a
/// value; it returns `None` where nobody can be asked. Nothing is written unless every file
/// renders.
pub fn create(
    template: &ProjectTemplate,
    project: &NewProject<'_>,
    ask: &mut dyn FnMut(&Variable) -> Option<String>,
) -> Result<Created, Diagnostics> {
    check_target(project)?;
    let variables = resolve_variables(template, project, ask)?;
    let mut registry = Handlebars::new();
    registry.set_strict_mode(true);
    codegen::register_helpers(&mut registry);

    let mut errors = Diagnostics::default();
    let mut outputs: Vec<(PathBuf, String)> = Vec::new();
    for (path, text) in &template.files {
        // A value lands inside the file's strings: escaped as that kind of file escapes them.
        registry.register_escape_fn(escape_for(path.strip_suffix(".hbs").unwrap_or(path)));
        let registry = &registry;
        let render = |text: &str| {
            registry.render_template(text, &variables).map_err(|e| {
                let message = format!("template file `{path}`: {}", e.reason());
                let at = e.line_no.zip(e.column_no);
                templates::template_error(Path::new(path), text, at, message)
            })
        };
        let rendered = (|| {
            // File names may hold variables too: `src/{{snake name}}.rs`.
            let name = if path.contains("{{") {
                render(path)?
            } else {
                path.clone()
            };
            let (relative, content) = match name.strip_suffix(".hbs") {
                Some(stripped) => (stripped.to_string(), render(text)?),
                None => (name, text.clone()),
            };
            let target = project.dir.join(&relative);
            inside(&relative)
                .and_then(|()| output::check_name(&relative))
                .and_then(|()| {
                    let bounds = output::OutputBounds {
                        project: &Project::only(project.dir),
                        whose: "the new project",
                        permit: None,
                    };
                    output::check_within(&bounds, &target, Path::new(&relative))
                })
                .map_err(|m| {
                    Diagnostic::error(format!(
                        "template file `{}` (`{}`): {m}",
                        path.escape_debug(),
                        relative.escape_debug()
                    ))
                })?;
            Ok((target, content))
        })();
        match rendered {
            Ok(output) => outputs.push(output),
            Err(error) => errors.push(error),
        }
    }
    if let Some(spec) = project.spec {
        match read_spec(spec) {
            Ok(schema) => {
                outputs.retain(|(path, _)| !path.ends_with("schema.widl"));
                outputs.push((project.dir.join("schema.widl"), schema));
            }
            Err(spec_errors) => errors.0.extend(spec_errors.0),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut created = Created {
        written: Vec::new(),
        kept: Vec::new(),
    };
    // A link in the file's place counts as a file: it is kept, not followed.
    let (kept, new): (Vec<_>, Vec<_>) = outputs
        .into_iter()
        .partition(|(path, _)| path.symlink_metadata().is_ok());
    let files: Vec<(&Path, &str)> = new.iter().map(|(p, c)| (p.as_path(), c.as_str())).collect();
    output::write_all(&files, false)?;
    created.kept = kept.into_iter().map(|(path, _)| path).collect();
    created.written = new.into_iter().map(|(path, _)| path).collect();
    Ok(created)
}

/// The text of the `--spec` schema, once it has loaded as a schema does (a bounded read of a
/// regular file, imports from its own folder, checked): not a device, a FIFO or any other
/// file that is no schema.
fn read_spec(spec: &Path) -> Result<String, Diagnostics> {
    crate::model::load(spec, &ImportPaths::only(Vec::new()))?;
    let shown = output::shown(spec);
    let cannot =
        |reason: &str| Diagnostic::in_file(&shown, format!("cannot read `{shown}`: {reason}"));
    let bytes = crate::input::read(spec, MAX_SCHEMA_SIZE, "a schema").map_err(|r| cannot(&r.0))?;
    String::from_utf8(bytes).map_err(|_| cannot("it is not UTF-8 text").into())
}

/// Refuses a folder that holds anything, unless forced, and a file in the folder's place.
fn check_target(project: &NewProject<'_>) -> Result<(), Diagnostic> {
    let dir = project.dir;
    output::check_name(&dir.to_string_lossy()).map_err(Diagnostic::error)?;
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() && !project.force {
                return Err(Diagnostic::error(format!(
                    "`{}` is not empty: choose a new folder, or pass --force to add the \
                     template's files (existing files are never overwritten)",
                    dir.display()
                )));
            }
            Ok(())
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(Diagnostic::error(format!(
            "cannot create the project in `{}`: {}",
            dir.display(),
            io_reason(&error)
        ))),
    }
}

/// How values are escaped in a file, by its kind: inside TOML, JSON and WIDL strings, and
/// not at all elsewhere (values hold no control characters, and `name` and `module` are
/// checked, see [`check_value`]).
fn escape_for(file: &str) -> fn(&str) -> String {
    match Path::new(file).extension().and_then(|e| e.to_str()) {
        Some("toml") => |v| toml_string(v),
        Some("json") => |v| {
            let quoted = Json::String(v.to_string()).to_string();
            quoted[1..quoted.len() - 1].to_string()
        },
        Some("widl") => |v| v.replace('\\', "\\\\").replace('"', "\\\""),
        Some("html") => handlebars::html_escape,
        _ => handlebars::no_escape,
    }
}

/// `value` as the inside of a TOML basic string.
fn toml_string(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Refuses a value no file can hold safely: a control character (a newline would start a
/// line of its own in Cargo.toml or go.mod), a project name that is no package name, a Go
/// module path that is not one.
fn check_value(name: &str, value: &str) -> Result<(), Diagnostic> {
    let refuse = |why: &str| Diagnostic::error(format!("`{name}={}`: {why}", value.escape_debug()));
    if value.chars().any(char::is_control) || output::check_name(value).is_err() {
        return Err(refuse(
            "a value may not hold a line break, another control character or a character \
             that reorders text (U+202E)",
        ));
    }
    // A version lands in Cargo.toml and package.json, which take semantic versions only.
    let version_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+');
    if name == "version" && !value.is_empty() && !value.chars().all(version_char) {
        return Err(refuse(
            "a version is letters, digits, `.`, `-` and `+`, such as 0.1.0",
        ));
    }
    // Manifests take the name in kebab case (`{{kebab name}}`): it must be a package name.
    let package = heck::ToKebabCase::to_kebab_case(value);
    let package_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_');
    if name == "name"
        && !(package.starts_with(|c: char| c.is_ascii_alphabetic())
            && package.chars().all(package_char))
    {
        return Err(refuse(&format!(
            "`{}` is not a package name: it must start with a letter and hold only letters, digits, `-` and `_` (pass name=...)",
            package.escape_debug()
        )));
    }
    // Each part starts with a letter or digit: not `-flag` (an option to go), not `~`.
    let module_part = |part: &str| {
        part.starts_with(|c: char| c.is_ascii_alphanumeric())
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~'))
    };
    if name == "module" && !value.is_empty() && !value.split('/').all(module_part) {
        return Err(refuse(
            "a Go module path is parts of letters, digits, `-`, `.`, `_` and `~`, each starting with a letter or digit, separated by `/`",
        ));
    }
    Ok(())
}

/// The template's variables with their values: given, asked, or defaulted.
fn resolve_variables(
    template: &ProjectTemplate,
    project: &NewProject<'_>,
    ask: &mut dyn FnMut(&Variable) -> Option<String>,
) -> Result<Map<String, Json>, Diagnostic> {
    let mut values = Map::new();
    let folder_name = project
        .dir
        .canonicalize()
        .ok()
        .as_deref()
        .or(Some(project.dir))
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "module".to_string());
    let name = project.values.get("name").cloned().unwrap_or(folder_name);
    values.insert("name".to_string(), Json::String(name));
    for variable in &template.variables {
        let value = match project.values.get(&variable.name) {
            Some(value) => value.clone(),
            None => match ask(variable) {
                Some(answer) if !answer.is_empty() => answer,
                _ => match (&variable.default, variable.required) {
                    (Some(default), _) => default.clone(),
                    (None, false) => String::new(),
                    (None, true) => {
                        return Err(Diagnostic::error(format!(
                            "the template `{}` needs `{}`: pass `{}=VALUE`",
                            template.name, variable.name, variable.name
                        )));
                    }
                },
            },
        };
        values.insert(variable.name.clone(), Json::String(value));
    }
    let known = |key: &str| key == "name" || template.variables.iter().any(|v| v.name == key);
    if let Some(unknown) = project.values.keys().find(|key| !known(key)) {
        let names: Vec<&str> = std::iter::once("name")
            .chain(template.variables.iter().map(|v| v.name.as_str()))
            .collect();
        let near = did_you_mean(unknown, names.iter().copied())
            .map(|near| format!(" ({near})"))
            .unwrap_or_default();
        return Err(Diagnostic::error(format!(
            "the template `{}` has no variable `{}`{near}; its variables are: {}",
            template.name,
            unknown.escape_debug(),
            names.join(", ")
        )));
    }
    for (key, value) in &values {
        check_value(key, value.as_str().unwrap_or_default())?;
    }
    Ok(values)
}

/// A template file's path must stay inside the project folder.
fn inside(relative: &str) -> Result<(), String> {
    let path = Path::new(relative);
    let escapes = path.is_absolute()
        || path.components().any(|c| {
            matches!(
                c,
                Component::ParentDir | Component::Prefix(_) | Component::RootDir
            )
        });
    if escapes || relative.is_empty() {
        return Err("its path leaves the project folder".to_string());
    }
    Ok(())
}
