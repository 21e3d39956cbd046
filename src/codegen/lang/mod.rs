//! The target languages. Everything wapc knows about one language is one [`Language`] value
//! (its shape is `language.rs`, below both the languages and what reads them), defined in the
//! language's own module beside its spelling and helpers; [`LANGUAGES`] lists them, and the
//! rest of codegen asks the table for what differs between languages.
//!
//! A target's language comes from one rule ([`of_target`]): its output file's extension, for
//! a built-in template and a user's own alike; where two languages write that extension
//! (`.ts`: AssemblyScript and TypeScript), the template's folder tells them apart, and a
//! template in neither's folder is the first's (AssemblyScript, as before TypeScript came).
//! The language decides which names are checked for clashes before rendering and which
//! formatter runs after; a file with no language's extension gets neither. Otherwise the
//! template's name plays no part: a user's `mine/module` writing `out.rs` is Rust.
//!
//! Adding a language: a module here with its helpers, its spelling and its `LANGUAGE`, an
//! entry in [`LANGUAGES`], and its templates in a folder of `templates/` that the entry names.

pub mod assemblyscript;
pub mod go;
pub mod rust;
pub mod typescript;

use std::path::Path;

use super::language::{Language, TemplateFolder};

/// Every target language. Of two with one extension, the first is the default for it.
pub(crate) const LANGUAGES: [&Language; 4] = [
    &rust::LANGUAGE,
    &go::LANGUAGE,
    &assemblyscript::LANGUAGE,
    &typescript::LANGUAGE,
];

/// The language of a target that writes `output` from `template`: of the languages whose
/// files have the output's extension, the one whose template folder holds the template,
/// else the first.
pub(crate) fn of_target(output: &Path, template: &str) -> Option<&'static Language> {
    let extension = output.extension()?.to_str()?;
    let folder = template.split_once('/').map(|(folder, _)| folder);
    let mut candidates = (LANGUAGES.into_iter())
        .filter(|language| language.extensions.contains(&extension))
        .peekable();
    let first = *candidates.peek()?;
    let by_folder = candidates
        .find(|language| (language.template_folders.iter()).any(|f| Some(f.name) == folder));
    Some(by_folder.unwrap_or(first))
}

/// The built-in template that replaces the old generator's `module` (its last part, such as
/// `rust`) and `visitor` class.
pub(crate) fn visitor_template(module: &str, visitor: &str) -> Option<String> {
    let folder = template_folders().find(|folder| folder.name == module)?;
    let (_, template) = folder.visitors.iter().find(|(v, _)| *v == visitor)?;
    Some(format!("{}/{template}", folder.name))
}

/// Every old module and visitor class that names a built-in template, as codegen.yaml
/// wrote them.
pub(crate) fn known_visitors() -> impl Iterator<Item = String> {
    template_folders().flat_map(|folder| {
        (folder.visitors.iter())
            .map(|(visitor, _)| format!("@wapc/widl-codegen/{} {visitor}", folder.name))
    })
}

fn template_folders() -> impl Iterator<Item = &'static TemplateFolder> {
    LANGUAGES
        .into_iter()
        .flat_map(|language| language.template_folders)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codegen::render::Templates;

    #[test]
    fn the_output_file_extension_decides_the_language() {
        let language = |path: &str| of_target(Path::new(path), "mine/module").map(|l| l.name);
        assert_eq!(language("src/generated.rs"), Some("Rust"));
        assert_eq!(language("module/module.go"), Some("Go"));
        assert_eq!(language("assembly/index.ts"), Some("AssemblyScript"));
        assert_eq!(language("generated.rs.in"), None);
        assert_eq!(language("out"), None);
        assert_eq!(
            language(".rs"),
            None,
            "a hidden file named `.rs` has no extension"
        );
    }

    #[test]
    fn the_template_folder_tells_languages_of_one_extension_apart() {
        let language =
            |path: &str, template: &str| of_target(Path::new(path), template).map(|l| l.name);
        assert_eq!(
            language("src/host.ts", "typescript/host"),
            Some("TypeScript")
        );
        assert_eq!(
            language("assembly/module.ts", "assemblyscript/module"),
            Some("AssemblyScript")
        );
        assert_eq!(language("x.ts", "module"), Some("AssemblyScript"));
        assert_eq!(language("x.rs", "typescript/host"), Some("Rust"));
        assert_eq!(language("x.txt", "typescript/host"), None);
    }

    #[test]
    fn every_built_in_template_is_in_one_languages_folder() {
        let templates = Templates::load(None).expect("the built-in templates load");
        for (name, _) in templates.list() {
            let (folder, _) = name
                .split_once('/')
                .expect("a built-in template is in a folder");
            let owners: Vec<&str> = LANGUAGES
                .into_iter()
                .filter(|l| l.template_folders.iter().any(|f| f.name == folder))
                .map(|l| l.name)
                .collect();
            assert_eq!(owners.len(), 1, "`{name}` belongs to {owners:?}");
        }
    }

    #[test]
    fn every_old_visitor_class_names_a_built_in_template() {
        let templates = Templates::load(None).expect("the built-in templates load");
        for folder in template_folders() {
            for (visitor, _) in folder.visitors {
                let template = visitor_template(folder.name, visitor);
                assert!(
                    template
                        .as_deref()
                        .is_some_and(|t| templates.is_built_in(t)),
                    "{} {visitor}: {template:?}",
                    folder.name
                );
            }
        }
        assert_eq!(visitor_template("go", "ScaffoldVisitor"), None);
        assert_eq!(visitor_template("python", "ModuleVisitor"), None);
    }

    #[test]
    fn no_two_languages_share_a_template_folder_or_a_helper() {
        let folders: Vec<&str> = template_folders().map(|f| f.name).collect();
        let helpers: Vec<&str> = LANGUAGES
            .into_iter()
            .flat_map(|l| {
                let h = &l.helpers;
                let strings = h.strings.iter().map(|(name, _)| *name);
                let types = h.types.iter().map(|(name, _)| *name);
                strings
                    .chain(types)
                    .chain(h.type_exprs.iter().map(|(name, _)| *name))
            })
            .collect();
        for names in [folders, helpers] {
            let mut unique = names.clone();
            unique.sort_unstable();
            unique.dedup();
            assert_eq!(unique.len(), names.len(), "{names:?}");
        }
    }
}
