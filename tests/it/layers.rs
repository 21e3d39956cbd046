//! The modules depend one way: no file of `src/codegen/` reaches itself through what it uses,
//! and the top modules (`cli` → `codegen` → `model` → `parser`, ...) form no circle either.
//!
//! Read from the source text with Rust's own lexer (proc-macro2): each file's `use` items,
//! grouped ones included, and the paths in its code that start at `crate`, `super`, `self`
//! or a module the file declares (`super::lang::LANGUAGES`, `rust::LANGUAGE`). A path leads
//! to the file of its longest module prefix. `#[cfg(test)]` items are left out: tests sit
//! above what they test. `main.rs` is another crate.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use proc_macro2::{Delimiter, TokenStream, TokenTree};

/// What one file uses of another: the file, and the path as written (for messages).
type Uses = BTreeMap<String, BTreeSet<(String, String)>>;

/// The files of `src/` other than `main.rs`, by path relative to `src/`, with their text.
fn sources() -> Vec<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(&src).sort_by_file_name() {
        let entry = entry.expect("src/ reads");
        let path = entry.path();
        let relative = path.strip_prefix(&src).expect("under src/");
        let relative = relative.to_string_lossy().replace('\\', "/");
        if path.extension().is_some_and(|e| e == "rs") && relative != "main.rs" {
            let text = std::fs::read_to_string(path).expect("a source file reads");
            files.push((relative, text));
        }
    }
    files
}

/// The module path of a file: `codegen/lang/mod.rs` is `codegen::lang`, `lib.rs` the root.
fn module_of(file: &str) -> Vec<String> {
    let stem = file.strip_suffix(".rs").unwrap_or(file);
    let mut segments: Vec<String> = stem.split('/').map(str::to_string).collect();
    if matches!(segments.last().map(String::as_str), Some("mod" | "lib")) {
        segments.pop();
    }
    segments
}

/// For each file, the files it uses, each with the first path that uses it.
fn uses(files: &[(String, String)]) -> Result<Uses, String> {
    let modules: BTreeMap<Vec<String>, String> = files
        .iter()
        .map(|(file, _)| (module_of(file), file.clone()))
        .collect();
    let mut graph = Uses::new();
    for (file, text) in files {
        let tokens: TokenStream = text
            .parse()
            .map_err(|error| format!("{file} does not lex: {error}"))?;
        let mut paths = Vec::new();
        scan_module(tokens, &module_of(file), &mut paths);
        let used = graph.entry(file.clone()).or_default();
        for path in paths {
            // The file of the longest module prefix of the path.
            let target = (0..=path.len())
                .rev()
                .find_map(|len| modules.get(&path[..len]))
                .expect("the root module has a file");
            if target != file && !used.iter().any(|(used, _)| used == target) {
                used.insert((target.clone(), path.join("::")));
            }
        }
    }
    Ok(graph)
}

/// Adds to `paths` every path the body of module `module` uses, made absolute.
fn scan_module(body: TokenStream, module: &[String], paths: &mut Vec<Vec<String>>) {
    let tokens: Vec<TokenTree> = body.into_iter().collect();
    let children = declared_modules(&tokens);
    scan(&tokens, module, &children, paths);
}

/// [`scan_module`] over `tokens` of module `module`, which declares the modules `children`.
fn scan(
    tokens: &[TokenTree],
    module: &[String],
    children: &BTreeSet<String>,
    paths: &mut Vec<Vec<String>>,
) {
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            TokenTree::Punct(p) if p.as_char() == '#' && is_cfg_test(tokens.get(i + 1)) => {
                i = end_of_item(tokens, i + 2);
                continue;
            }
            TokenTree::Ident(id) if id == "mod" => {
                if let (Some(TokenTree::Ident(name)), Some(TokenTree::Group(body))) =
                    (tokens.get(i + 1), tokens.get(i + 2))
                    && body.delimiter() == Delimiter::Brace
                {
                    let mut inner = module.to_vec();
                    inner.push(name.to_string());
                    scan_module(body.stream(), &inner, paths);
                    i += 3;
                    continue;
                }
            }
            TokenTree::Ident(id) if id == "use" => {
                let end = (i..tokens.len())
                    .find(|&j| matches!(&tokens[j], TokenTree::Punct(p) if p.as_char() == ';'))
                    .unwrap_or(tokens.len());
                let tree: TokenStream = tokens[i + 1..end].iter().cloned().collect();
                // `use<'a>` in an `impl Trait` bound is no import: it does not parse as one.
                if let Ok(tree) = syn::parse2::<syn::UseTree>(tree) {
                    let mut written = Vec::new();
                    use_paths(&tree, &mut Vec::new(), &mut written);
                    for path in written {
                        paths.extend(absolute(module, children, &path));
                    }
                    i = end + 1;
                    continue;
                }
            }
            TokenTree::Group(group) => {
                let inner: Vec<TokenTree> = group.stream().into_iter().collect();
                scan(&inner, module, children, paths);
            }
            _ => {}
        }
        // A path in code: `crate::a::b`, `$crate::a`, `super::super::a`, `self::a`, `child::a`.
        let (path, next) = path_at(tokens, i);
        if path.len() > 1 {
            paths.extend(absolute(module, children, &path));
            i = next;
        } else {
            i += 1;
        }
    }
}

/// The names of `mod name;` and `mod name { ... }` among `tokens`.
fn declared_modules(tokens: &[TokenTree]) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for pair in tokens.windows(2) {
        if let [TokenTree::Ident(keyword), TokenTree::Ident(name)] = pair
            && keyword == "mod"
        {
            names.insert(name.to_string());
        }
    }
    names
}

/// Whether `attribute` is the `[cfg(test)]` of `#[cfg(test)]`.
fn is_cfg_test(attribute: Option<&TokenTree>) -> bool {
    matches!(attribute, Some(TokenTree::Group(g))
        if g.delimiter() == Delimiter::Bracket
            && g.stream().to_string().replace(' ', "") == "cfg(test)")
}

/// The index after the item that starts at `start`: after its `;` or its `{ ... }` body.
fn end_of_item(tokens: &[TokenTree], start: usize) -> usize {
    (start..tokens.len())
        .find(|&j| match &tokens[j] {
            TokenTree::Punct(p) => p.as_char() == ';',
            TokenTree::Group(g) => g.delimiter() == Delimiter::Brace,
            _ => false,
        })
        .map_or(tokens.len(), |j| j + 1)
}

/// The path `a::b::c` that starts at `start` (`$crate` read as `crate`), and the index after it.
fn path_at(tokens: &[TokenTree], start: usize) -> (Vec<String>, usize) {
    let mut i = start;
    if matches!(&tokens[i], TokenTree::Punct(p) if p.as_char() == '$') {
        i += 1;
    }
    let mut path = Vec::new();
    while let Some(TokenTree::Ident(segment)) = tokens.get(i) {
        path.push(segment.to_string());
        let colons =
            |at: usize| matches!(tokens.get(at), Some(TokenTree::Punct(p)) if p.as_char() == ':');
        if colons(i + 1) && colons(i + 2) {
            i += 3;
        } else {
            i += 1;
            break;
        }
    }
    (path, i)
}

/// Every path a `use` tree names, as written: `a::{b, c::d}` is `a::b` and `a::c::d`.
fn use_paths(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match tree {
        syn::UseTree::Path(path) => {
            prefix.push(path.ident.to_string());
            use_paths(&path.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(name) if name.ident == "self" => out.push(prefix.clone()),
        syn::UseTree::Name(name) => out.push([&prefix[..], &[name.ident.to_string()]].concat()),
        syn::UseTree::Rename(rename) => {
            out.push([&prefix[..], &[rename.ident.to_string()]].concat());
        }
        syn::UseTree::Glob(_) => out.push(prefix.clone()),
        syn::UseTree::Group(group) => {
            for tree in &group.items {
                use_paths(tree, prefix, out);
            }
        }
    }
}

/// `path`, written in `module` (which declares the modules `children`), from the crate's
/// root; `None` for a path into another crate (`std::fs`, `serde::Serialize`).
fn absolute(
    module: &[String],
    children: &BTreeSet<String>,
    path: &[String],
) -> Option<Vec<String>> {
    let first = path.first()?;
    let mut base = match first.as_str() {
        "crate" => Vec::new(),
        "self" | "super" => module.to_vec(),
        child if children.contains(child) => module.to_vec(),
        _ => return None,
    };
    let mut rest = path;
    if first == "crate" || first == "self" {
        rest = &path[1..];
    }
    while rest.first().is_some_and(|s| s == "super") {
        base.pop()?;
        rest = &rest[1..];
    }
    base.extend(rest.iter().cloned());
    Some(base)
}

/// Each circle of `graph`, as `a.rs → b.rs (the path) → a.rs`.
fn circles(graph: &Uses) -> Vec<String> {
    let mut found = Vec::new();
    let mut in_circle = BTreeSet::new();
    for start in graph.keys() {
        if in_circle.contains(start) {
            continue;
        }
        // The shortest way from `start` back to itself, breadth first.
        let mut came_from: BTreeMap<&String, (&String, &String)> = BTreeMap::new();
        let mut frontier = vec![start];
        let mut closed = None;
        while !frontier.is_empty() && closed.is_none() {
            let mut next = Vec::new();
            for file in frontier {
                for (used, path) in graph.get(file).into_iter().flatten() {
                    if used == start {
                        closed = Some((file, path));
                        break;
                    }
                    if !came_from.contains_key(used) {
                        came_from.insert(used, (file, path));
                        next.push(used);
                    }
                }
                if closed.is_some() {
                    break;
                }
            }
            frontier = next;
        }
        let Some((last, path)) = closed else {
            continue;
        };
        let mut steps = vec![format!("{start}")];
        let mut at = last;
        let mut back = vec![(last, path)];
        while at != start {
            let (from, how) = came_from[at];
            back.push((from, how));
            at = from;
        }
        back.reverse();
        // `back` holds each file with the path that leaves it, from `start` round to `last`.
        for window in back.windows(2) {
            steps.push(format!("({}) {}", window[0].1, window[1].0));
        }
        steps.push(format!("({path}) {start}"));
        for (file, _) in &back {
            in_circle.insert((*file).clone());
        }
        found.push(steps.join(" → "));
    }
    found
}

/// `graph` with only the files under `folder`, and only what they use there.
fn within(graph: &Uses, folder: &str) -> Uses {
    graph
        .iter()
        .filter(|(file, _)| file.starts_with(folder))
        .map(|(file, used)| {
            let used = used.iter().filter(|(u, _)| u.starts_with(folder));
            (file.clone(), used.cloned().collect())
        })
        .collect()
}

/// `graph` between top modules: `codegen/lang/rust.rs` is `codegen`. The root (`lib.rs`),
/// which declares them all, is left out.
fn top_modules(graph: &Uses) -> Uses {
    let top = |file: &str| module_of(file).first().cloned();
    let mut tops = Uses::new();
    for (file, used) in graph {
        let Some(from) = top(file) else { continue };
        let entry = tops.entry(from.clone()).or_default();
        for (target, path) in used {
            if let Some(to) = top(target)
                && to != from
                && !entry.iter().any(|(t, _)| *t == to)
            {
                entry.insert((to, format!("{file}: {path}")));
            }
        }
    }
    tops
}

/// Fails naming each circle of `graph` (the uses between `what`), once it is clear that the
/// reading found what is known to be there: each of `known`, a use of one by the other.
fn assert_one_way(graph: &Uses, known: &[(&str, &str)], what: &str) {
    for (from, to) in known {
        assert!(
            graph[*from].iter().any(|(used, _)| used == to),
            "{from} uses {to}: {:?}",
            graph[*from]
        );
    }
    let found = circles(graph);
    assert!(
        found.is_empty(),
        "circles between {what}:\n{}",
        found.join("\n")
    );
}

#[test]
fn no_file_of_codegen_reaches_itself() {
    let graph = uses(&sources()).expect("the sources lex");
    let known = [
        ("codegen/lang/mod.rs", "codegen/lang/rust.rs"),
        ("codegen/render.rs", "codegen/direct.rs"),
    ];
    assert_one_way(
        &within(&graph, "codegen/"),
        &known,
        "the files of src/codegen/",
    );
}

#[test]
fn the_top_modules_depend_one_way() {
    let graph = uses(&sources()).expect("the sources lex");
    let known = [
        ("cli", "codegen"),
        ("codegen", "model"),
        ("model", "parser"),
    ];
    assert_one_way(&top_modules(&graph), &known, "the top modules of src/");
}

#[test]
fn every_form_of_use_is_read_and_a_circle_is_named() {
    let files = [
        (
            "lib.rs",
            "pub mod a;\n#[cfg(test)]\nmod tests { use crate::a::b::*; }",
        ),
        (
            "a/mod.rs",
            "mod b;\nmod c;\npub use self::b::{X, c as _};\nfn f() -> u8 { c::F }",
        ),
        ("a/b.rs", "use super::super::a::{self};\nstruct X;"),
        (
            "a/c.rs",
            "pub const F: u8 = 1;\n#[cfg(test)]\nmod tests { use super::super::b::X; }\nmacro_rules! m { () => { $crate::a::d::G } }",
        ),
        (
            "a/d.rs",
            "/* crate::a::b */ const S: &str = \"super::c\"; fn g() { crate::a::c::F; }",
        ),
    ];
    let files: Vec<(String, String)> = files
        .iter()
        .map(|(file, text)| (file.to_string(), text.to_string()))
        .collect();
    let graph = uses(&files).expect("they lex");
    let targets =
        |file: &str| -> Vec<&str> { graph[file].iter().map(|(t, _)| t.as_str()).collect() };
    assert_eq!(
        targets("lib.rs"),
        Vec::<&str>::new(),
        "a test module is left out"
    );
    assert_eq!(targets("a/mod.rs"), ["a/b.rs", "a/c.rs"]);
    assert_eq!(targets("a/b.rs"), ["a/mod.rs"]);
    assert_eq!(targets("a/c.rs"), ["a/d.rs"], "`$crate` in a macro");
    assert_eq!(
        targets("a/d.rs"),
        ["a/c.rs"],
        "comments and strings are no paths"
    );
    assert_eq!(
        circles(&graph),
        [
            "a/b.rs → (a) a/mod.rs → (a::b::X) a/b.rs",
            "a/c.rs → (a::d::G) a/d.rs → (a::c::F) a/c.rs",
        ]
    );
}
