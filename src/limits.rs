//! Every limit wapc puts on what it reads, in one place.
//!
//! Schemas, codegen files, templates and packages may come from someone else; each limit turns
//! input that would exhaust memory, time or the stack into a located error. Real projects stay
//! far below all of them. README's "Limits" section mirrors [`ALL`] (a test checks it): change
//! both together.

/// How deeply brackets (`[[[T]]]`, `{K: {K: V}}`) and values may nest in a schema. Every
/// recursive pass (parse, validate, render) recurses once per level.
pub const MAX_SCHEMA_NESTING: usize = 64;

/// How many aliases may name one another in a row.
pub const MAX_ALIAS_DEPTH: usize = 64;

/// How many parts an alias's type may have once every alias in it is replaced by what it names.
pub const MAX_ALIAS_SIZE: usize = 4096;

/// How many parts the uses of aliases may add to one file's types in all, counting each use
/// as the parts of what it names beyond the one part of its name. Generated code spells an
/// alias out at every use, so rendering time grows with this sum: without a bound, a few lines
/// that use a large alias many times take seconds per template.
pub const MAX_ALIAS_EXPANSION: usize = 4096;

/// The largest schema file read.
pub const MAX_SCHEMA_SIZE: u64 = 16 << 20;

/// The most a schema and all its imports may hold together: a run holds some 20 to 40 times
/// the text in memory.
pub const MAX_SCHEMAS_SIZE: u64 = 32 << 20;

/// How deeply imports may nest, file importing file.
pub const MAX_IMPORT_DEPTH: usize = 64;

/// The largest codegen.yaml read.
pub const MAX_CONFIG_SIZE: u64 = 1 << 20;

/// How deeply a codegen.yaml may nest. serde_yaml refuses 128 levels, but only after parsing
/// the whole document, in quadratic time; it is checked before parsing.
pub const MAX_CONFIG_NESTING: usize = 64;

/// The largest template file read; the built-in ones are a few KiB.
pub const MAX_TEMPLATE_SIZE: u64 = 16 << 20;

/// How deeply a template's blocks (with their `else if` chains) and subexpressions may nest:
/// parsing and rendering recurse once per level.
pub const MAX_TEMPLATE_NESTING: usize = 64;

/// How deeply `include`s may nest: a template that includes itself would recurse forever.
pub const MAX_INCLUDE_DEPTH: usize = 64;

/// The largest Cargo.toml read to find a crate's `guest` feature, and the largest `wapc.yaml`
/// of a package: manifests are a few lines, and the file might be something else.
pub const MAX_MANIFEST_SIZE: u64 = 1 << 20;

/// How many `/`-separated parts an installed package's name may have (`acme/http/v2`), which
/// is also how deep `wapc install --list` looks.
pub const MAX_PACKAGE_NAME_PARTS: usize = 8;

/// How much an installed package may hold, its files together, and how many files and folders:
/// an archive of a megabyte can unpack to gigabytes or a million files.
pub const MAX_PACKAGE_SIZE: u64 = 64 << 20;
pub const MAX_PACKAGE_FILES: usize = 10_000;

/// The largest module `wapc call` reads (a standard Go guest is a few MiB).
pub const MAX_CALL_MODULE_SIZE: u64 = 256 << 20;

/// The largest JSON `wapc call` reads: its input, or a `--host-replies` file.
pub const MAX_CALL_JSON_SIZE: u64 = 64 << 20;

/// One limit as README's "Limits" section shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    /// What is limited, as README words it.
    pub what: &'static str,
    pub value: Amount,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Amount {
    Bytes(u64),
    Count(usize),
}

impl std::fmt::Display for Amount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Amount::Bytes(bytes) if bytes % (1 << 20) == 0 => write!(f, "{} MiB", bytes >> 20),
            Amount::Bytes(bytes) => write!(f, "{bytes} bytes"),
            Amount::Count(count) => write!(f, "{count}"),
        }
    }
}

/// Every limit above, in README's order.
pub const ALL: &[Limit] = &[
    Limit {
        what: "schema file size",
        value: Amount::Bytes(MAX_SCHEMA_SIZE),
    },
    Limit {
        what: "schema and its imports, together",
        value: Amount::Bytes(MAX_SCHEMAS_SIZE),
    },
    Limit {
        what: "imports nested, file in file",
        value: Amount::Count(MAX_IMPORT_DEPTH),
    },
    Limit {
        what: "brackets and values nested in a schema",
        value: Amount::Count(MAX_SCHEMA_NESTING),
    },
    Limit {
        what: "aliases naming one another in a row",
        value: Amount::Count(MAX_ALIAS_DEPTH),
    },
    Limit {
        what: "parts of an alias's type, aliases replaced",
        value: Amount::Count(MAX_ALIAS_SIZE),
    },
    Limit {
        what: "parts that uses of aliases add to one file",
        value: Amount::Count(MAX_ALIAS_EXPANSION),
    },
    Limit {
        what: "codegen.yaml size",
        value: Amount::Bytes(MAX_CONFIG_SIZE),
    },
    Limit {
        what: "codegen.yaml nesting",
        value: Amount::Count(MAX_CONFIG_NESTING),
    },
    Limit {
        what: "template file size",
        value: Amount::Bytes(MAX_TEMPLATE_SIZE),
    },
    Limit {
        what: "blocks and subexpressions nested in a template",
        value: Amount::Count(MAX_TEMPLATE_NESTING),
    },
    Limit {
        what: "`include`s nested",
        value: Amount::Count(MAX_INCLUDE_DEPTH),
    },
    Limit {
        what: "Cargo.toml (for the `guest` feature) and `wapc.yaml` size",
        value: Amount::Bytes(MAX_MANIFEST_SIZE),
    },
    Limit {
        what: "parts of an installed package's name",
        value: Amount::Count(MAX_PACKAGE_NAME_PARTS),
    },
    Limit {
        what: "an installed package's files, together",
        value: Amount::Bytes(MAX_PACKAGE_SIZE),
    },
    Limit {
        what: "files and folders in an installed package",
        value: Amount::Count(MAX_PACKAGE_FILES),
    },
    Limit {
        what: "a module `wapc call` reads",
        value: Amount::Bytes(MAX_CALL_MODULE_SIZE),
    },
    Limit {
        what: "`wapc call`'s JSON input or replies file",
        value: Amount::Bytes(MAX_CALL_JSON_SIZE),
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    /// README's "Limits" section is a table with one row per limit, in [`ALL`]'s order.
    #[test]
    fn the_readme_mirrors_every_limit() {
        let readme = include_str!("../README.md");
        let section = readme
            .split("\n## Limits\n")
            .nth(1)
            .and_then(|rest| rest.split("\n## ").next())
            .expect("README has a \"## Limits\" section");
        let rows: Vec<String> = section
            .lines()
            .filter(|line| line.starts_with("| ") && !line.starts_with("| what"))
            .map(str::to_owned)
            .collect();
        let expected: Vec<String> = ALL
            .iter()
            .map(|limit| format!("| {} | {} |", limit.what, limit.value))
            .collect();
        assert_eq!(
            rows, expected,
            "README's limits table differs from limits::ALL"
        );
    }

    #[test]
    fn amounts_read_as_in_the_readme() {
        assert_eq!(Amount::Bytes(16 << 20).to_string(), "16 MiB");
        assert_eq!(Amount::Bytes(1000).to_string(), "1000 bytes");
        assert_eq!(Amount::Count(64).to_string(), "64");
    }
}
