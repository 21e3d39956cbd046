//! Loading, import resolution and validation: WIDL files → a checked [`Schema`].

mod imports;
pub mod resolve;
mod validate;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile, Span};
use crate::input::{self, Scope};
use crate::limits::{MAX_IMPORT_DEPTH, MAX_SCHEMA_SIZE, MAX_SCHEMAS_SIZE};
use crate::parser::{self, ast::*};

pub use imports::ImportPaths;
pub(crate) use validate::cyclic;

/// The names of the built-in types of WIDL, in [`Primitive::ALL`]'s order.
pub const PRIMITIVES: [&str; Primitive::ALL.len()] = {
    let mut names = [""; Primitive::ALL.len()];
    let mut i = 0;
    while i < names.len() {
        names[i] = Primitive::ALL[i].name();
        i += 1;
    }
    names
};

/// A schema with its imports resolved and every file checked.
#[derive(Clone, Debug, Serialize)]
pub struct Schema {
    /// The schema's own file, as shown in messages.
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The schema's definitions in order, each import followed by the definitions it brought in.
    pub definitions: Vec<ScopedDefinition>,
    /// Every file read, the schema's own first.
    #[serde(skip)]
    pub files: Vec<Arc<SourceFile>>,
}

/// A definition and the file it was written in.
#[derive(Clone, Debug, Serialize)]
pub struct ScopedDefinition {
    pub file: String,
    /// Brought in by an import rather than written in the schema's own file.
    pub imported: bool,
    #[serde(flatten)]
    pub definition: Definition,
}

/// How diagnostics name a schema read from standard input.
pub const STDIN_NAME: &str = "<stdin>";

/// Loads a schema and everything it imports, and validates all of it.
pub fn load(path: &Path, imports: &ImportPaths) -> Result<Schema, Diagnostics> {
    load_reading(path, imports).0
}

/// [`load`], and the path of every file it read, the schema's own first, whether or not it
/// succeeded: what `wapc generate --watch` watches, so that fixing a broken import reruns.
pub fn load_reading(
    path: &Path,
    imports: &ImportPaths,
) -> (Result<Schema, Diagnostics>, Vec<PathBuf>) {
    let mut loader = Loader::new(path, imports);
    let root = loader.load_file(path, None);
    let read = loader.files.iter().map(|f| f.path.clone()).collect();
    (loader.finish(root), read)
}

/// Reads one schema file as [`load`] does (within the size limit, UTF-8), without parsing it.
pub fn read(path: &Path) -> Result<SourceFile, Diagnostic> {
    read_source(path).map_err(|error| match error {
        ReadError::Refused(refused) => Diagnostic::in_file(
            path.display().to_string(),
            format!("cannot read `{}`: {}", path.display(), refused.0),
        ),
        ReadError::Utf8(diagnostic) => *diagnostic,
    })
}

/// Reads a schema from standard input as [`load_stdin`] does, named [`STDIN_NAME`].
pub fn read_stdin() -> Result<SourceFile, Diagnostic> {
    let bytes = input::read_stdin(MAX_SCHEMA_SIZE, "a schema")
        .map_err(|refused| Diagnostic::error(format!("cannot read {STDIN_NAME}: {}", refused.0)))?;
    decode(Path::new(STDIN_NAME), bytes).map_err(|error| *error)
}

/// Loads a schema from standard input, as [`load`] does a file named [`STDIN_NAME`] in the
/// working directory: its imports are found from there.
pub fn load_stdin(imports: &ImportPaths) -> Result<Schema, Diagnostics> {
    load_text(Arc::new(read_stdin()?), imports)
}

/// Loads a schema whose text is at hand (standard input, an editor's buffer) as [`load`]
/// loads the file `file.path`: its imports are found and read from there.
pub fn load_text(file: Arc<SourceFile>, imports: &ImportPaths) -> Result<Schema, Diagnostics> {
    let mut loader = Loader::new(&file.path, imports);
    let canonical = std::fs::canonicalize(&file.path).unwrap_or_else(|_| file.path.clone());
    let root = loader.load_source(canonical, file);
    loader.finish(root)
}

impl<'a> Loader<'a> {
    fn new(root: &Path, imports: &'a ImportPaths) -> Self {
        Loader {
            imports,
            scope: imports.scope(root),
            read: 0,
            loaded: HashMap::new(),
            stack: Vec::new(),
            errors: Diagnostics::default(),
            files: Vec::new(),
        }
    }

    fn finish(mut self, root: Option<Rc<LoadedFile>>) -> Result<Schema, Diagnostics> {
        // Only `root` holds the root file now, so its definitions move out rather than copy.
        self.loaded.clear();
        match root {
            Some(root) if self.errors.is_empty() => {
                let (file, definitions) = match Rc::try_unwrap(root) {
                    Ok(root) => (root.file, root.definitions),
                    Err(shared) => (Arc::clone(&shared.file), shared.definitions.clone()),
                };
                let namespace = definitions.iter().find_map(|d| match &d.definition {
                    Definition::Namespace(ns) => Some(ns.name.value.to_string()),
                    _ => None,
                });
                Ok(Schema {
                    file: file.name.clone(),
                    namespace,
                    definitions,
                    files: self.files,
                })
            }
            _ => Err(self.errors),
        }
    }
}

/// Parses and validates WIDL text that has no imports (for tests and `build.rs` use).
pub fn load_str(name: &str, text: &str) -> Result<Schema, Diagnostics> {
    let file = Arc::new(SourceFile::new(name, text.to_string()));
    let document = parser::parse(&file)?;
    let errors = validate::file(&file, &document, &[]);
    if !errors.is_empty() {
        return Err(errors);
    }
    let namespace = document.definitions.iter().find_map(|d| match d {
        Definition::Namespace(ns) => Some(ns.name.value.to_string()),
        _ => None,
    });
    Ok(Schema {
        file: file.name.clone(),
        namespace,
        definitions: scoped(&file, document.definitions, false),
        files: vec![file],
    })
}

fn scoped(
    file: &SourceFile,
    definitions: Vec<Definition>,
    imported: bool,
) -> Vec<ScopedDefinition> {
    definitions
        .into_iter()
        .map(|definition| ScopedDefinition {
            file: file.name.clone(),
            imported,
            definition,
        })
        .collect()
}

/// One file, loaded: its definitions (with what its imports brought in) and what it offers
/// to files that import it.
struct LoadedFile {
    file: Arc<SourceFile>,
    definitions: Vec<ScopedDefinition>,
}

impl LoadedFile {
    /// What files that import this one can bring in.
    fn exports(&self) -> impl Iterator<Item = &ScopedDefinition> {
        self.definitions
            .iter()
            .filter(|d| is_exported(&d.definition))
    }
}

struct Loader<'a> {
    imports: &'a ImportPaths,
    /// Where files may be read from.
    scope: Scope,
    /// The bytes of every file read so far, against [`MAX_SCHEMAS_SIZE`].
    read: u64,
    /// Files already loaded, by canonical path: a file imported twice is read once.
    loaded: HashMap<PathBuf, Rc<LoadedFile>>,
    /// The chain of files being loaded, for finding cycles.
    stack: Vec<PathBuf>,
    errors: Diagnostics,
    files: Vec<Arc<SourceFile>>,
}

impl Loader<'_> {
    /// Loads one file; `from` is the import that asked for it. `None` when it failed (the
    /// errors are recorded).
    fn load_file(
        &mut self,
        path: &Path,
        from: Option<(&Arc<SourceFile>, Span)>,
    ) -> Option<Rc<LoadedFile>> {
        let located = |message: String| match from {
            Some((file, span)) => Diagnostic::at(file, span, message),
            None => Diagnostic::in_file(path.display().to_string(), message),
        };
        let cannot_read =
            |reason: String| located(format!("cannot read `{}`: {reason}", path.display()));
        let canonical = match input::admitted(path, &self.scope) {
            Ok(canonical) => canonical,
            Err(refused) => {
                self.errors.push(cannot_read(refused.0));
                return None;
            }
        };
        if let Some(done) = self.loaded.get(&canonical) {
            return Some(Rc::clone(done));
        }
        if let Some(at) = self.stack.iter().position(|p| *p == canonical) {
            let chain: Vec<String> = self.stack[at..]
                .iter()
                .chain(std::iter::once(&canonical))
                .map(|p| file_name(p))
                .collect();
            self.errors
                .push(located(format!("import cycle: {}", chain.join(" → "))));
            return None;
        }
        if self.stack.len() >= MAX_IMPORT_DEPTH {
            self.errors.push(located(format!(
                "imports nest more than {MAX_IMPORT_DEPTH} files deep"
            )));
            return None;
        }
        let file = match read_source(path) {
            Ok(file) => Arc::new(file),
            Err(error) => {
                self.errors.push(match error {
                    ReadError::Refused(refused) => cannot_read(refused.0),
                    ReadError::Utf8(diagnostic) => *diagnostic,
                });
                return None;
            }
        };
        if self.read + file.text.len() as u64 > MAX_SCHEMAS_SIZE {
            self.errors.push(cannot_read(format!(
                "with it, the schema and its imports are more than {} MiB together",
                MAX_SCHEMAS_SIZE >> 20
            )));
            return None;
        }
        self.load_source(canonical, file)
    }

    /// Parses, resolves the imports of and validates a file that has been read; `canonical`
    /// is its identity for finding cycles and reading it once.
    fn load_source(&mut self, canonical: PathBuf, file: Arc<SourceFile>) -> Option<Rc<LoadedFile>> {
        self.read += file.text.len() as u64;
        self.files.push(Arc::clone(&file));
        let document = match parser::parse(&file) {
            Ok(document) => document,
            Err(errors) => {
                self.errors.0.extend(errors.0);
                return None;
            }
        };

        self.stack.push(canonical.clone());
        let mut brought = Vec::new();
        for (index, definition) in document.definitions.iter().enumerate() {
            if let Definition::Import(import) = definition {
                brought.push((index, self.resolve_import(&file, import)));
            }
        }
        self.stack.pop();

        let imported: Vec<ScopedDefinition> = brought
            .iter()
            .flat_map(|(_, b)| b.iter().cloned())
            .collect();
        let errors = validate::file(&file, &document, &imported);
        self.errors.0.extend(errors.0);
        let mut definitions = Vec::with_capacity(document.definitions.len() + imported.len());
        let mut brought = brought.into_iter().peekable();
        for (index, definition) in document.definitions.into_iter().enumerate() {
            definitions.push(ScopedDefinition {
                file: file.name.clone(),
                imported: false,
                definition,
            });
            // Each import is followed by what it brought in, as `Schema` promises.
            if let Some((_, imports)) = brought.next_if(|(at, _)| *at == index) {
                definitions.extend(imports);
            }
        }
        let loaded = Rc::new(LoadedFile { file, definitions });
        self.loaded.insert(canonical, Rc::clone(&loaded));
        Some(loaded)
    }

    /// The definitions one import brings into the importing file.
    fn resolve_import(
        &mut self,
        file: &Arc<SourceFile>,
        import: &ImportDefinition,
    ) -> Vec<ScopedDefinition> {
        let Some(path) = self.imports.resolve(&file.path, &import.from.value) else {
            let searched = self.imports.searched(&file.path, &import.from.value);
            let mut error = Diagnostic::at(
                file,
                import.from.span,
                format!("cannot find the import `{}`", import.from.value),
            );
            for place in searched {
                error = error.with_note(format!("looked for {}", place.display()));
            }
            self.errors.push(error);
            return Vec::new();
        };
        let Some(loaded) = self.load_file(&path, Some((file, import.from.span))) else {
            return Vec::new();
        };
        let mark = |d: &ScopedDefinition| ScopedDefinition {
            imported: true,
            ..d.clone()
        };
        if import.all {
            return loaded.exports().map(mark).collect();
        }
        let mut brought: Vec<ScopedDefinition> = Vec::new();
        for wanted in &import.names {
            let found = loaded.exports().find(|d| {
                importable_by_name(&d.definition)
                    && d.definition
                        .name()
                        .is_some_and(|n| n.value == wanted.name.value)
            });
            let Some(found) = found else {
                self.errors.push(Diagnostic::at(
                    file,
                    wanted.name.span,
                    format!(
                        "`{}` is not defined in `{}`",
                        wanted.name.value, import.from.value
                    ),
                ));
                continue;
            };
            let mut definition = mark(found);
            if let Some(alias) = &wanted.alias {
                rename(&mut definition.definition, &alias.value);
            }
            brought.push(definition);
            // What the definition refers to comes along, so that it is complete where it lands.
            for dependency in dependencies(found, &loaded.definitions) {
                let name = dependency.definition.name().map(|n| n.value.clone());
                if !brought
                    .iter()
                    .any(|b| b.definition.name().map(|n| &n.value) == name.as_ref())
                {
                    brought.push(mark(dependency));
                }
            }
        }
        brought
    }
}

enum ReadError {
    Refused(input::Refused),
    Utf8(Box<Diagnostic>),
}

/// Reads a schema; text that is not UTF-8 is an error located at the first bad byte.
fn read_source(path: &Path) -> Result<SourceFile, ReadError> {
    let bytes = input::read(path, MAX_SCHEMA_SIZE, "a schema").map_err(ReadError::Refused)?;
    decode(path, bytes).map_err(ReadError::Utf8)
}

/// The text of a schema named `path`; bytes that are not UTF-8 are an error located at the first.
fn decode(path: &Path, bytes: Vec<u8>) -> Result<SourceFile, Box<Diagnostic>> {
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile::new(path, text)),
        Err(error) => {
            let at = error.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
            let file = Arc::new(SourceFile::new(path, text));
            Err(Box::new(Diagnostic::at(
                &file,
                Span::new(at, at + 1),
                "the file is not valid UTF-8",
            )))
        }
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// What `import *` brings in: every named definition but the namespace.
fn is_exported(definition: &Definition) -> bool {
    !matches!(
        definition,
        Definition::Namespace(_) | Definition::Import(_) | Definition::Interface(_)
    )
}

/// What `import { Name }` may name: the definitions that types and annotations refer to.
fn importable_by_name(definition: &Definition) -> bool {
    definition.is_type() || matches!(definition, Definition::Directive(_))
}

fn rename(definition: &mut Definition, to: &str) {
    let name = match definition {
        Definition::Type(d) => &mut d.name,
        Definition::Union(d) => &mut d.name,
        Definition::Enum(d) => &mut d.name,
        Definition::Alias(d) => &mut d.name,
        Definition::Directive(d) => &mut d.name,
        _ => return,
    };
    name.value = to.into();
}

/// Every exported definition among `available` that `root` refers to, directly or through
/// others.
fn dependencies<'d>(
    root: &ScopedDefinition,
    available: &'d [ScopedDefinition],
) -> Vec<&'d ScopedDefinition> {
    let mut found: Vec<&ScopedDefinition> = Vec::new();
    let mut pending = referenced_names(&root.definition);
    while let Some(name) = pending.pop() {
        let Some(definition) = available.iter().find(|d| {
            is_exported(&d.definition)
                && d.definition.is_type()
                && d.definition.name().is_some_and(|n| n.value == name)
        }) else {
            continue;
        };
        if std::ptr::eq(definition, root) || found.iter().any(|f| std::ptr::eq(*f, definition)) {
            continue;
        }
        found.push(definition);
        pending.extend(referenced_names(&definition.definition));
    }
    found
}

/// The type names a definition mentions.
pub(crate) fn referenced_names(definition: &Definition) -> Vec<smol_str::SmolStr> {
    let mut names = Vec::new();
    let mut add = |ty: &TypeRef| visit_named(ty, &mut |n| names.push(n.value.clone()));
    match definition {
        Definition::Type(d) => d.fields.iter().for_each(|f| add(&f.ty)),
        Definition::Union(d) => d.types.iter().for_each(add),
        Definition::Alias(d) => add(&d.ty),
        Definition::Directive(d) => d.parameters.iter().for_each(|p| add(&p.ty)),
        Definition::Role(d) => d.operations.iter().for_each(|op| {
            op.parameters.iter().for_each(|p| add(&p.ty));
            op.returns.iter().for_each(&mut add);
        }),
        _ => {}
    }
    names
}

/// Calls `f` for every named type inside `ty`.
pub(crate) fn visit_named(ty: &TypeRef, f: &mut dyn FnMut(&Name)) {
    match ty {
        TypeRef::Named { name } => f(name),
        TypeRef::List { item, .. } => visit_named(item, f),
        TypeRef::Map { key, value, .. } => {
            visit_named(key, f);
            visit_named(value, f);
        }
        TypeRef::Optional { inner, .. } | TypeRef::Stream { inner, .. } => visit_named(inner, f),
    }
}
