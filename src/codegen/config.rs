//! `codegen.yaml`: which schema, which templates, which files.
//!
//! A superset of the old Go CLI's format, so that existing projects keep working: a target
//! names a template either directly (`template: rust/module`) or the old way, as a module of
//! `@wapc/widl-codegen` and one of its visitor classes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::input;

/// The largest codegen file read: real ones are a few hundred bytes.
pub const MAX_CONFIG_SIZE: u64 = 1 << 20;

/// One YAML document of a `codegen.yaml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Codegen {
    /// The schema, relative to the yaml file.
    pub schema: PathBuf,
    /// Merged into every target's config; a target's own keys win.
    #[serde(default)]
    pub config: Map<String, Value>,
    /// A folder of the user's templates, relative to the yaml file.
    #[serde(default)]
    pub templates: Option<PathBuf>,
    /// The old CLI's folder for the outputs (and nothing else), relative to the yaml file.
    #[serde(default, rename = "parentDir")]
    pub parent_dir: Option<PathBuf>,
    /// Output files (relative to the yaml file, or to `parentDir`) and how to make each one.
    pub generates: BTreeMap<String, Target>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Target {
    /// The template's name, e.g. `rust/module`.
    #[serde(default)]
    pub template: Option<String>,
    /// The old form: an npm module of `@wapc/widl-codegen`, with `visitor_class`.
    #[serde(default, alias = "package")]
    pub module: Option<String>,
    #[serde(default)]
    pub visitor_class: Option<String>,
    /// Generate the file only when it does not exist yet (scaffolds the user then edits).
    #[serde(default)]
    pub if_not_exists: bool,
    #[serde(default)]
    pub config: Map<String, Value>,
}

/// Reads every YAML document of a codegen file.
pub fn read(path: &Path) -> Result<Vec<Codegen>, Diagnostics> {
    let name = path.display().to_string();
    let cannot_read = |reason: &str| Diagnostic::error(format!("cannot read `{name}`: {reason}"));
    let bytes = input::read(path, MAX_CONFIG_SIZE, "a codegen file")
        .map_err(|refused| cannot_read(&refused.0))?;
    let text = String::from_utf8(bytes).map_err(|_| cannot_read("it is not UTF-8 text"))?;
    parse(&name, &text)
}

/// Parses the text of a codegen file; `name` is how messages refer to it.
pub fn parse(name: &str, text: &str) -> Result<Vec<Codegen>, Diagnostics> {
    let mut documents = Vec::new();
    for document in serde_yaml::Deserializer::from_str(text) {
        // An empty document (a trailing `---`) generates nothing.
        if let Some(codegen) =
            Option::<Codegen>::deserialize(document).map_err(|e| yaml_error(name, &e))?
        {
            documents.push(codegen);
        }
    }
    if documents.is_empty() {
        return Err(Diagnostic::error(format!(
            "`{name}` is empty: it needs `schema:` and `generates:`"
        ))
        .into());
    }
    Ok(documents)
}

fn yaml_error(name: &str, error: &serde_yaml::Error) -> Diagnostics {
    let message = error.to_string();
    // serde_yaml appends " at line L column C"; the position goes in front instead.
    let message = message
        .rsplit_once(" at line ")
        .map_or(message.as_str(), |(head, _)| head);
    match error.location() {
        Some(at) => Diagnostic::error(format!("{name}:{}:{}: {message}", at.line(), at.column())),
        None => Diagnostic::error(format!("{name}: {message}")),
    }
    .into()
}
