//! What a target language is, as the rest of codegen reads it: the table each module of
//! `lang/` fills in about itself (its helpers, its spelling, its formatter), and that the
//! engines and the checks take as data. It sits below both, so that neither imports the
//! other.

use super::ty::Ty;

/// One target language: the facts that codegen needs about it, all in one place.
pub(crate) struct Language {
    /// What messages call it (`in Rust`).
    pub name: &'static str,
    /// The extensions, without the dot, of the files written in it: a target whose output
    /// file has one of them is in this language.
    pub extensions: &'static [&'static str],
    /// Its folders of built-in templates.
    pub template_folders: &'static [TemplateFolder],
    /// The template helpers it adds (`rust_name`, `go_encode`, ...).
    pub helpers: LanguageHelpers,
    /// How it spells a type's name: two types that it spells alike would not compile.
    pub type_name: StrFn,
    /// How it spells a field's, a parameter's or an operation's name, likewise.
    pub member_name: StrFn,
    /// The formatter its output goes through, when that is installed.
    pub formatter: Option<Formatter>,
}

/// A folder of built-in templates under `templates/`. Its name is also the last part of the
/// old generator's module (`@wapc/widl-codegen/tinygo`) whose visitor classes its templates
/// replace.
pub(crate) struct TemplateFolder {
    pub name: &'static str,
    /// Each old visitor class, with the template of this folder that replaces it.
    pub visitors: &'static [(&'static str, &'static str)],
}

/// A command that reads source on stdin and writes it formatted to stdout.
pub(crate) struct Formatter {
    pub program: &'static str,
    pub args: &'static [&'static str],
}

pub(crate) type StrFn = fn(&str) -> String;
pub(crate) type TyFn = fn(&Ty) -> String;
pub(crate) type TyExprFn = fn(&Ty, &str) -> String;

/// The helpers one target language adds: each takes a name (`{{rust_name name}}`), a type
/// (`{{rust_type type}}`), or a type and an expression (`{{go_encode type "o.Name"}}`).
pub(crate) struct LanguageHelpers {
    pub strings: &'static [(&'static str, StrFn)],
    pub types: &'static [(&'static str, TyFn)],
    pub type_exprs: &'static [(&'static str, TyExprFn)],
}

/// One language helper, as the direct renderer calls it.
#[derive(Clone, Copy)]
pub(crate) enum LanguageHelper {
    Str(StrFn),
    Ty(TyFn),
    TyExpr(TyExprFn),
}

impl LanguageHelpers {
    /// The helper called `name`, if this table has one.
    pub(crate) fn named(&self, name: &str) -> Option<LanguageHelper> {
        let named = |n: &&str| *n == name;
        let strings = self.strings.iter().find(|(n, _)| named(n));
        let types = self.types.iter().find(|(n, _)| named(n));
        let exprs = self.type_exprs.iter().find(|(n, _)| named(n));
        strings
            .map(|(_, f)| LanguageHelper::Str(*f))
            .or_else(|| types.map(|(_, f)| LanguageHelper::Ty(*f)))
            .or_else(|| exprs.map(|(_, f)| LanguageHelper::TyExpr(*f)))
    }
}
