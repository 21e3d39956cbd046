//! `codegen.yaml`: which schema, which templates, which files.
//!
//! A superset of the old Go CLI's format, so that existing projects keep working: a target
//! names a template either directly (`template: rust/module`) or the old way, as a module of
//! `@wapc/widl-codegen` and one of its visitor classes.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde_json::{Map, Value};

use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile, did_you_mean};
use crate::input;
use crate::limits::{MAX_CONFIG_NESTING, MAX_CONFIG_SIZE};

/// The name `wapc generate` looks for.
pub const FILE_NAME: &str = "codegen.yaml";

/// The codegen file a run uses, as cargo finds `Cargo.toml`: `given` itself, or
/// `given/codegen.yaml` when it is a folder; without `given`, `codegen.yaml` in the working
/// directory or the nearest parent. A file found in a parent is named relative to the working
/// directory (`../codegen.yaml`), so that messages and output paths read as the user expects.
pub fn find(given: Option<&Path>) -> Result<PathBuf, Diagnostic> {
    if let Some(given) = given {
        return Ok(if given.is_dir() {
            given.join(FILE_NAME)
        } else {
            given.to_path_buf()
        });
    }
    let cwd = std::env::current_dir().map_err(|error| {
        Diagnostic::error(format!(
            "cannot look for {FILE_NAME}: the working directory is unreadable: {}",
            crate::diagnostic::io_reason(&error)
        ))
    })?;
    let mut relative = PathBuf::new();
    for folder in cwd.ancestors() {
        if folder.join(FILE_NAME).is_file() {
            return Ok(relative.join(FILE_NAME));
        }
        relative.push("..");
    }
    Err(Diagnostic::error(format!(
        "no {FILE_NAME} in `{}` or any folder above it",
        cwd.display()
    ))
    .with_help("name one: `wapc generate path/to/codegen.yaml` (or its folder)"))
}

/// One YAML document of a `codegen.yaml`.
#[derive(Debug, Deserialize)]
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
    /// The text this document came from, to locate errors found after parsing.
    #[serde(skip)]
    source: Source,
    /// Keys that nothing reads (the old tool ignored them too): warned about, not refused.
    #[serde(skip)]
    pub warnings: Diagnostics,
}

#[derive(Debug, Default)]
struct Source {
    name: String,
    /// The codegen file's text; `None` for a document made in code.
    file: Option<Arc<SourceFile>>,
    /// Which YAML document of the text.
    document: usize,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
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
    let cannot_read =
        |reason: &str| Diagnostic::in_file(&name, format!("cannot read `{name}`: {reason}"));
    let bytes = input::read(path, MAX_CONFIG_SIZE, "a codegen file")
        .map_err(|refused| cannot_read(&refused.0))?;
    let text = String::from_utf8(bytes).map_err(|_| cannot_read("it is not UTF-8 text"))?;
    parse(&name, &text)
}

/// Parses the text of a codegen file; `name` is how messages refer to it.
pub fn parse(name: &str, text: &str) -> Result<Vec<Codegen>, Diagnostics> {
    let file = Arc::new(SourceFile::new(name, text.to_string()));
    if let Some((line, column)) = too_deep(text) {
        let message = format!("the YAML nests more than {MAX_CONFIG_NESTING} levels deep");
        return Err(Diagnostic::at_yaml(&file, line, column, message).into());
    }
    refuse_duplicates(&file)?;
    let mut documents = Vec::new();
    for (index, document) in serde_yaml::Deserializer::from_str(text).enumerate() {
        let mut ignored = Vec::new();
        let codegen: Option<Codegen> =
            serde_ignored::deserialize(document, |path| ignored.push(owned_path(&path)))
                .map_err(|e| Diagnostic::yaml(&file, &e))?;
        // An empty document (a trailing `---`) generates nothing.
        if let Some(mut codegen) = codegen {
            codegen.source = Source {
                name: name.to_string(),
                file: Some(Arc::clone(&file)),
                document: index,
            };
            codegen.warnings = Diagnostics(
                (ignored.iter())
                    .map(|path| codegen.unknown_key(path))
                    .collect(),
            );
            documents.push(codegen);
        }
    }
    if documents.is_empty() {
        let message = format!("`{name}` is empty: it needs `schema:` and `generates:`");
        return Err(Diagnostic::in_file(name, message).into());
    }
    Ok(documents)
}

/// The keys of a document, and of a target under `generates`, that wapc reads.
const DOCUMENT_KEYS: [&str; 5] = ["schema", "config", "templates", "parentDir", "generates"];
const TARGET_KEYS: [&str; 6] = [
    "template",
    "module",
    "package",
    "visitorClass",
    "ifNotExists",
    "config",
];

/// A path that serde_ignored reports, as owned steps (keys and list indexes).
fn owned_path(path: &serde_ignored::Path) -> Vec<TrailStep> {
    use serde_ignored::Path;
    let mut steps = match path {
        Path::Root => return Vec::new(),
        Path::Seq { parent, .. }
        | Path::Map { parent, .. }
        | Path::Some { parent }
        | Path::NewtypeStruct { parent }
        | Path::NewtypeVariant { parent } => owned_path(parent),
    };
    match path {
        Path::Seq { index, .. } => steps.push(TrailStep::Index(*index)),
        Path::Map { key, .. } => steps.push(TrailStep::Key(key.clone())),
        _ => {}
    }
    steps
}

/// Where `text` first nests deeper than [`MAX_CONFIG_NESTING`]: its 1-based line and column.
///
/// A scan, not a parser: block levels are counted by indentation and by `- ` / `? ` / `: `
/// indicators before a line's content, flow levels by `[` and `{` outside quotes and comments.
/// It may count a level more than YAML would, never fewer; block scalars (`|`, `>`) are
/// skipped.
fn too_deep(text: &str) -> Option<(usize, usize)> {
    // Columns of the open block levels; flow levels; the quote a scalar is open in.
    let mut blocks: Vec<usize> = Vec::new();
    let mut flow = 0usize;
    let mut quote: Option<char> = None;
    // The indentation of a line ending in `|` or `>`: deeper lines are its text.
    let mut block_scalar: Option<usize> = None;
    for (number, line) in text.lines().enumerate() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let content = &line[indent..];
        if let Some(parent) = block_scalar {
            if content.is_empty() || indent > parent {
                continue;
            }
            block_scalar = None;
        }
        if quote.is_none() && flow == 0 {
            if content.is_empty() || content.starts_with('#') {
                continue;
            }
            // A new document; the marker may have content after it.
            if line.starts_with("---") || line.starts_with("...") {
                blocks.clear();
            }
            while blocks.last().is_some_and(|&open| open >= indent) {
                blocks.pop();
            }
            blocks.push(indent);
        }
        // Whether the next character starts a value (where `[`, `{` and quotes mean
        // something in block context), and the character before.
        let mut at_value = quote.is_none();
        let mut previous = ' ';
        let mut chars = content.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            let next = chars.peek().map_or(' ', |&(_, n)| n);
            match quote {
                Some('\'') if c == '\'' && next == '\'' => {
                    chars.next();
                }
                Some('"') if c == '\\' => {
                    chars.next();
                }
                Some(open) if c == open => quote = None,
                Some(_) => {}
                None if c == '#' && previous == ' ' => break,
                None if at_value && (c == '\'' || c == '"') => quote = Some(c),
                None if (at_value || flow > 0) && (c == '[' || c == '{') => flow += 1,
                None if flow > 0 && (c == ']' || c == '}') => flow -= 1,
                None if flow == 0 && at_value && (c == '|' || c == '>') => {
                    block_scalar = Some(indent);
                    break;
                }
                // Indicators that open a block level inside the line: `- - x`, `? ? x`.
                None if flow == 0 && at_value && (c == '-' || c == '?') && next == ' ' => {
                    blocks.push(indent + at + 2);
                }
                _ => {}
            }
            if blocks.len() + flow > MAX_CONFIG_NESTING {
                return Some((number + 1, indent + content[..at].chars().count() + 1));
            }
            at_value = match c {
                ' ' => at_value,
                ':' | '-' | '?' | ',' | '[' | '{' => next == ' ' || flow > 0,
                _ => false,
            };
            previous = c;
        }
    }
    None
}

/// Refuses a key given twice in one mapping of any YAML document of `file`, pointing at both.
pub fn refuse_duplicates(file: &Arc<SourceFile>) -> Result<(), Diagnostic> {
    let text = file.text.as_str();
    for (index, document) in serde_yaml::Deserializer::from_str(text).enumerate() {
        let trail = RefCell::new(Trail::default());
        NoDuplicates { trail: &trail }
            .deserialize(document)
            .map_err(|e| {
                let error = Diagnostic::yaml(file, &e);
                // The duplicate's path leads to the first key of that name: Find stops there.
                let first = trail.into_inner().duplicate.and_then(|path| {
                    let steps: Option<Vec<Step>> = path.iter().map(TrailStep::step).collect();
                    locate(text, index, &steps?, true)
                });
                match first {
                    Some((line, column)) => {
                        let span = file.yaml_token(line, column);
                        error.with_secondary(file, span, "first given here")
                    }
                    None => error,
                }
            })?;
    }
    Ok(())
}

/// Refuses a key given twice in one mapping, wherever in the document: serde maps keep the
/// last, which silently drops an output or a config value. `1` and `"1"` count as the same
/// key, as they become the same string.
struct NoDuplicates<'t> {
    trail: &'t RefCell<Trail>,
}

/// Where [`NoDuplicates`] is in the document, and the path of the duplicate key it found, so
/// that the report can point at the first key of that name too.
#[derive(Default)]
struct Trail {
    path: Vec<TrailStep>,
    duplicate: Option<Vec<TrailStep>>,
}

#[derive(Clone)]
enum TrailStep {
    Key(String),
    Index(usize),
    /// Inside a key that is a mapping or a list, which no path can name.
    InKey,
}

impl TrailStep {
    fn step(&self) -> Option<Step<'_>> {
        match self {
            TrailStep::Key(key) => Some(Step::Key(key)),
            TrailStep::Index(index) => Some(Step::Index(*index)),
            TrailStep::InKey => None,
        }
    }
}

impl<'de> DeserializeSeed<'de> for NoDuplicates<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NoDuplicates<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = HashSet::new();
        let trail = self.trail;
        while let Some(key) = map.next_key_seed(UniqueKey {
            seen: &mut seen,
            trail,
        })? {
            trail
                .borrow_mut()
                .path
                .push(key.map_or(TrailStep::InKey, TrailStep::Key));
            map.next_value_seed(NoDuplicates { trail })?;
            trail.borrow_mut().path.pop();
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let trail = self.trail;
        for index in 0.. {
            trail.borrow_mut().path.push(TrailStep::Index(index));
            let more = seq.next_element_seed(NoDuplicates { trail })?.is_some();
            trail.borrow_mut().path.pop();
            if !more {
                break;
            }
        }
        Ok(())
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<(), A::Error> {
        IgnoredAny.visit_enum(data).map(|_| ())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

/// A mapping key, refused when `seen` has it already; the key as a string, `None` for a key
/// that is a mapping or a list. The error is raised while serde_yaml visits the key, so that it
/// is located at the key.
struct UniqueKey<'s, 't> {
    seen: &'s mut HashSet<String>,
    trail: &'t RefCell<Trail>,
}

impl<'de> DeserializeSeed<'de> for UniqueKey<'_, '_> {
    type Value = Option<String>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl UniqueKey<'_, '_> {
    fn scalar<E: de::Error>(self, key: String) -> Result<Option<String>, E> {
        if self.seen.contains(&key) {
            let mut trail = self.trail.borrow_mut();
            let mut path = trail.path.clone();
            path.push(TrailStep::Key(key.clone()));
            trail.duplicate = Some(path);
            return Err(E::custom(format!("`{key}` is given twice")));
        }
        self.seen.insert(key.clone());
        Ok(Some(key))
    }
}

impl<'de> Visitor<'de> for UniqueKey<'_, '_> {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping key")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Option<String>, E> {
        self.scalar(v.to_string())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Option<String>, E> {
        self.scalar(v.to_string())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Option<String>, E> {
        self.scalar(v.to_string())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Option<String>, E> {
        self.scalar(v.to_string())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<String>, E> {
        self.scalar(v.to_string())
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<String>, E> {
        self.scalar("null".to_string())
    }

    // A key that is itself a collection is compared with nothing, but checked inside.
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Option<String>, A::Error> {
        self.trail.borrow_mut().path.push(TrailStep::InKey);
        NoDuplicates { trail: self.trail }.visit_map(map)?;
        self.trail.borrow_mut().path.pop();
        Ok(None)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Option<String>, A::Error> {
        self.trail.borrow_mut().path.push(TrailStep::InKey);
        NoDuplicates { trail: self.trail }.visit_seq(seq)?;
        self.trail.borrow_mut().path.pop();
        Ok(None)
    }
}

/// What a config key that the built-in templates read holds.
#[derive(Clone, Copy)]
enum Holds {
    /// Role names: a list, or one string of names separated by commas.
    Roles,
    Bool,
    Text,
    /// A Cargo feature name, or `true` / `false`.
    Feature,
    /// One of these strings.
    OneOf(&'static [&'static str]),
}

/// Every config key the built-in templates (and the context they see) read.
const KNOWN_KEYS: [(&str, Holds); 14] = [
    ("handlerRoles", Holds::Roles),
    ("hostRoles", Holds::Roles),
    ("skipInterface", Holds::Bool),
    ("hostClassName", Holds::Text),
    ("handlersClassName", Holds::Text),
    ("use", Holds::Text),
    ("package", Holds::Text),
    ("import", Holds::Text),
    ("module", Holds::Text),
    ("wapcImport", Holds::Text),
    ("wapcInstance", Holds::Text),
    ("guestFeature", Holds::Feature),
    ("includable", Holds::Bool),
    (super::spelling::KEY, Holds::OneOf(&super::spelling::VALUES)),
];

impl Codegen {
    /// A document with one output, described in code rather than YAML (by a `build.rs`);
    /// `name` stands for the codegen file in messages.
    pub(crate) fn single(
        name: &str,
        schema: PathBuf,
        config: Map<String, Value>,
        templates: Option<PathBuf>,
        output: String,
        template: String,
    ) -> Self {
        let target = Target {
            template: Some(template),
            module: None,
            visitor_class: None,
            if_not_exists: false,
            config: Map::new(),
        };
        Codegen {
            schema,
            config,
            templates,
            parent_dir: None,
            generates: BTreeMap::from([(output, target)]),
            source: Source {
                name: name.to_string(),
                ..Source::default()
            },
            warnings: Diagnostics::default(),
        }
    }

    /// The warning for a key at `path` that nothing reads, with the known key it may have
    /// been meant as.
    fn unknown_key(&self, path: &[TrailStep]) -> Diagnostic {
        let steps: Vec<Step> = path.iter().filter_map(TrailStep::step).collect();
        let known: &[&str] = match steps.as_slice() {
            [_] => &DOCUMENT_KEYS,
            [Step::Key("generates"), _, _] => &TARGET_KEYS,
            _ => &[],
        };
        let key = match steps.last() {
            Some(Step::Key(key)) => key.to_string(),
            Some(Step::Index(index)) => index.to_string(),
            None => String::new(),
        };
        let mut message = format!("unknown key `{key}`");
        if let Some(near) = did_you_mean(&key, known.iter().copied()) {
            message.push_str(&format!(" ({near})"));
        }
        message.push_str(": wapc ignores it");
        self.error_at(&steps, true, &message).into_warning()
    }

    /// Checks the config of every target, which otherwise would silently give unconfigured
    /// output: the keys the built-in templates read must hold the right type, and name roles
    /// among `roles` (the schema's); other keys are warnings for the outputs in `built_in`
    /// (whose templates are built in; the old tool ignored them, and real projects carry some),
    /// and left to the user's own templates elsewhere.
    pub fn check_config(&self, built_in: &[&str], roles: &[&str]) -> Diagnostics {
        let mut errors = Diagnostics::default();
        let top_reaches_built_in = self
            .generates
            .keys()
            .any(|o| built_in.contains(&o.as_str()));
        let top = [Step::Key("config")];
        self.check_keys(&self.config, &top, top_reaches_built_in, roles, &mut errors);
        for (output, target) in &self.generates {
            let path = [
                Step::Key("generates"),
                Step::Key(output),
                Step::Key("config"),
            ];
            let strict = built_in.contains(&output.as_str());
            self.check_keys(&target.config, &path, strict, roles, &mut errors);
        }
        errors
    }

    fn check_keys<'a>(
        &self,
        config: &'a Map<String, Value>,
        path: &[Step<'a>],
        strict: bool,
        roles: &[&str],
        errors: &mut Diagnostics,
    ) {
        for (key, value) in config {
            let at = |steps: &[Step<'a>]| {
                let mut full = path.to_vec();
                full.push(Step::Key(key));
                full.extend_from_slice(steps);
                full
            };
            let Some((_, holds)) = KNOWN_KEYS.iter().find(|(k, _)| k == key) else {
                if strict {
                    let mut message = format!("unknown config key `{key}`");
                    if let Some(near) = did_you_mean(key, KNOWN_KEYS.iter().map(|(k, _)| *k)) {
                        message.push_str(&format!(" ({near})"));
                    }
                    message.push_str(": no built-in template reads it");
                    errors.push(self.error_at(&at(&[]), true, &message).into_warning());
                }
                continue;
            };
            let wrong_type = |expected: &str| {
                let message = format!("`{key}` is {expected}, not `{value}`");
                self.error_at(&at(&[]), false, &message)
            };
            match (holds, value) {
                (Holds::Roles, Value::Array(items)) => {
                    for (index, item) in items.iter().enumerate() {
                        let error = match item {
                            Value::String(role) if roles.contains(&role.as_str()) => continue,
                            Value::String(role) => unknown_role(key, role, roles),
                            other => format!("`{key}` lists role names, not `{other}`"),
                        };
                        errors.push(self.error_at(&at(&[Step::Index(index)]), false, &error));
                    }
                }
                (Holds::Roles, Value::String(list)) => {
                    let names = list.split(',').map(str::trim).filter(|r| !r.is_empty());
                    for role in names.filter(|r| !roles.contains(r)) {
                        let error = unknown_role(key, role, roles);
                        errors.push(self.error_at(&at(&[]), false, &error));
                    }
                }
                (Holds::Roles, _) => errors.push(wrong_type("a list of role names")),
                (Holds::Bool, Value::Bool(_)) | (Holds::Text, Value::String(_)) => {}
                (Holds::Feature, Value::Bool(_)) => {}
                (Holds::Feature, Value::String(name)) if !name.is_empty() => {}
                (Holds::Bool, _) => errors.push(wrong_type("`true` or `false`")),
                (Holds::Text, _) => errors.push(wrong_type("a string")),
                (Holds::Feature, _) => errors.push(wrong_type(
                    "a Cargo feature name, `true` (`guest`) or `false`",
                )),
                (Holds::OneOf(values), Value::String(v)) if values.contains(&v.as_str()) => {}
                (Holds::OneOf(values), _) => {
                    let values: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
                    errors.push(wrong_type(&format!("one of {}", values.join(", "))))
                }
            }
        }
    }

    /// Errors about the target `output` of this document, at its key (found once for all).
    pub(crate) fn target_errors(
        &self,
        output: &str,
        messages: impl IntoIterator<Item = String>,
    ) -> Diagnostics {
        let path = [Step::Key("generates"), Step::Key(output)];
        let file = self.source.file.as_ref();
        let found = file.and_then(|file| locate(&file.text, self.source.document, &path, true));
        let error = |message: String| match (file, found) {
            (Some(file), Some((line, column))) => Diagnostic::at_yaml(file, line, column, message),
            _ => Diagnostic::in_file(&self.source.name, message),
        };
        Diagnostics(messages.into_iter().map(error).collect())
    }

    /// An error about the node at `path` of this document (its key when `key`).
    fn error_at(&self, path: &[Step], key: bool, message: &str) -> Diagnostic {
        let source = &self.source;
        let file = source.file.as_ref();
        let found = file.and_then(|file| locate(&file.text, source.document, path, key));
        match (file, found) {
            (Some(file), Some((line, column))) => Diagnostic::at_yaml(file, line, column, message),
            _ => Diagnostic::in_file(&source.name, message),
        }
    }
}

fn unknown_role(key: &str, role: &str, roles: &[&str]) -> String {
    let known = if roles.is_empty() {
        "the schema has no roles".to_string()
    } else {
        format!("its roles are {}", roles.join(", "))
    };
    let near = did_you_mean(role, roles.iter().copied())
        .map(|near| format!(" ({near})"))
        .unwrap_or_default();
    format!("`{key}` names the role `{role}`, which the schema does not define{near}; {known}")
}

/// One step from a YAML node to one inside it.
#[derive(Clone, Copy)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// The line and column of the node at `path` in document `document` of `text` (of its key
/// when `key`). serde_yaml keeps no positions in what it parses, but locates an error at the
/// node it is visiting: so the text is parsed again, failing on purpose at that node.
fn locate(text: &str, document: usize, path: &[Step], key: bool) -> Option<(usize, usize)> {
    let document = serde_yaml::Deserializer::from_str(text).nth(document)?;
    let error = Find { path, key }.deserialize(document).err()?;
    error.location().map(|at| (at.line(), at.column()))
}

/// Walks `path`, and fails at its end.
struct Find<'p> {
    path: &'p [Step<'p>],
    key: bool,
}

const HERE: &str = "here";

impl<'de> DeserializeSeed<'de> for Find<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Find<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some((Step::Key(wanted), rest)) = self.path.split_first() else {
            return Err(de::Error::custom(HERE));
        };
        let fail_at_key = self.key && rest.is_empty();
        while let Some(found) = map.next_key_seed(KeyIs {
            wanted,
            fail: fail_at_key,
        })? {
            if found {
                return map.next_value_seed(Find {
                    path: rest,
                    key: self.key,
                });
            }
            map.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Some((Step::Index(wanted), rest)) = self.path.split_first() else {
            return Err(de::Error::custom(HERE));
        };
        for _ in 0..*wanted {
            if seq.next_element::<IgnoredAny>()?.is_none() {
                return Ok(());
            }
        }
        seq.next_element_seed(Find {
            path: rest,
            key: self.key,
        })
        .map(|_| ())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.scalar()
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.scalar()
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.scalar()
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.scalar()
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.scalar()
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.scalar()
    }
}

impl Find<'_> {
    fn scalar<E: de::Error>(self) -> Result<(), E> {
        if self.path.is_empty() {
            Err(E::custom(HERE))
        } else {
            Ok(())
        }
    }
}

/// Whether a mapping key is `wanted`; with `fail`, an error located at it instead.
struct KeyIs<'w> {
    wanted: &'w str,
    fail: bool,
}

impl<'de> DeserializeSeed<'de> for KeyIs<'_> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl KeyIs<'_> {
    fn scalar<E: de::Error>(self, key: &str) -> Result<bool, E> {
        match key == self.wanted {
            true if self.fail => Err(E::custom(HERE)),
            found => Ok(found),
        }
    }
}

impl<'de> Visitor<'de> for KeyIs<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping key")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
        self.scalar(&v.to_string())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<bool, E> {
        self.scalar(&v.to_string())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<bool, E> {
        self.scalar(&v.to_string())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<bool, E> {
        self.scalar(&v.to_string())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        self.scalar(v)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<bool, A::Error> {
        IgnoredAny.visit_map(map).map(|_| false)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<bool, A::Error> {
        IgnoredAny.visit_seq(seq).map(|_| false)
    }
}
