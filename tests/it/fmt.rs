//! `wapc fmt`: the tree and every comment survive, a second run changes nothing, and the
//! command's modes (-w, --check, --diff, stdin, syntax errors) do what they say.

use std::path::Path;
use std::sync::Arc;

use serde_json::Value as Json;
use wapc_codegen::diagnostic::SourceFile;

use crate::cli::{stderr, stdout, wapc, wapc_with_stdin};
use crate::common::{scratch_dir, write};
use crate::properties::{schema_files, strip, without_spans};
use crate::support::random_schema;

fn format(text: &str) -> Result<String, String> {
    let file = Arc::new(SourceFile::new("fmt.widl", text.to_string()));
    wapc_codegen::format::format(&file).map_err(|errors| errors.to_string())
}

/// The pieces of `text` outside strings and comments, `Trivia` or not, in order.
#[derive(Debug, PartialEq)]
enum Piece<'a> {
    Trivia(&'a str),
    Comment(&'a str),
    Other(&'a str),
}

/// Splits WIDL text into whitespace (commas included), comments and the rest, minding
/// strings and block strings (whose `#` and spaces are content).
fn pieces(text: &str) -> Vec<Piece<'_>> {
    let bytes = text.as_bytes();
    let mut pieces = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let trivia = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b',');
        if trivia(bytes[i]) {
            while i < bytes.len() && trivia(bytes[i]) {
                i += 1;
            }
            pieces.push(Piece::Trivia(&text[start..i]));
        } else if bytes[i] == b'#' {
            i = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
            pieces.push(Piece::Comment(text[start..i].trim_end()));
        } else {
            if bytes[i..].starts_with(b"\"\"\"") {
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    i += if bytes[i..].starts_with(b"\\\"\"\"") {
                        4
                    } else {
                        1
                    };
                }
                i = (i + 3).min(bytes.len());
            } else if bytes[i] == b'"' {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i = (i + 1).min(bytes.len());
            } else {
                i += text[i..].chars().next().map_or(1, char::len_utf8);
            }
            pieces.push(Piece::Other(&text[start..i]));
        }
    }
    pieces
}

fn comments(text: &str) -> Vec<&str> {
    pieces(text)
        .into_iter()
        .filter_map(|piece| match piece {
            Piece::Comment(comment) => Some(comment),
            _ => None,
        })
        .collect()
}

/// Formats `text` and checks the promises: the same tree, the same comments in the same
/// order, a fixed point, LF line ends and one final newline.
fn assert_formats_losslessly(text: &str, what: &str) -> String {
    let formatted = format(text).unwrap_or_else(|e| panic!("{what}: does not format:\n{e}"));
    let original = without_spans(text).expect("the caller passes text that parses");
    let reparsed = without_spans(&formatted)
        .unwrap_or_else(|e| panic!("{what}: the output does not parse:\n{e}\n{formatted}"));
    assert!(
        original == reparsed,
        "{what}: formatting changed the tree:\n{formatted}"
    );
    assert_eq!(
        comments(text),
        comments(&formatted),
        "{what}: formatting lost or moved comments:\n{formatted}"
    );
    let again = format(&formatted).unwrap_or_else(|e| panic!("{what}: second run: {e}"));
    assert!(
        again == formatted,
        "{what}: not idempotent; first:\n{formatted}\nsecond:\n{again}"
    );
    assert!(!formatted.contains('\r'), "{what}: CR in the output");
    assert!(
        formatted.is_empty() || (formatted.ends_with('\n') && !formatted.ends_with("\n\n")),
        "{what}: the output does not end with one newline"
    );
    formatted
}

#[test]
fn every_schema_the_tests_keep_formats_losslessly() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut checked = 0;
    let mut files = schema_files(&root.join("tests"));
    files.push(root.join("examples/greeter/schema.widl"));
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue; // not UTF-8: a fuzz regression for the reader
        };
        if without_spans(&text).is_ok() {
            assert_formats_losslessly(&text, &path.display().to_string());
            checked += 1;
        }
    }
    assert!(checked > 35, "only {checked} schemas formatted");
}

/// xorshift, for scrambling layouts reproducibly.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// `text` with every run of whitespace replaced by another (spaces, tabs, commas, line
/// breaks, blank lines, CR LF) and comments put in some of them: the same schema, laid out
/// as badly as WIDL allows.
fn scrambled(text: &str, seed: u64) -> String {
    const RUNS: [&str; 8] = [" ", "\n", "\n\n\n", ",", "\t, ", "\r\n", "  \n  ", " ,\n\n"];
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = String::new();
    for (n, piece) in pieces(text).into_iter().enumerate() {
        match piece {
            Piece::Trivia(_) => {
                out.push_str(RUNS[(next(&mut state) % RUNS.len() as u64) as usize]);
                if next(&mut state).is_multiple_of(4) {
                    out.push_str(&format!("# note {n}\n"));
                }
            }
            Piece::Comment(comment) => out.push_str(comment),
            Piece::Other(other) => out.push_str(other),
        }
    }
    out
}

#[test]
fn random_schemas_laid_out_at_random_format_losslessly_and_idempotently() {
    for seed in 0..300 {
        let text = random_schema::schema(seed, seed % 2 == 0);
        let tidy = assert_formats_losslessly(&text, &format!("seed {seed}"));
        let messy = scrambled(&text, seed);
        let formatted = assert_formats_losslessly(&messy, &format!("seed {seed}, scrambled"));
        if comments(&messy).is_empty() {
            // The layout alone differs: the canonical form is one and the same.
            assert_eq!(tidy, formatted, "seed {seed}: two layouts, two outputs");
        }
    }
}

#[test]
fn blank_lines_group_definitions_and_members_and_comments_stay_put() {
    let text = "# Header\n\n\n\nnamespace \"n\"\ntype A {\n\n  a: u8 # the a\n\n\n\n  b: u8\n\n}\n\n\n\
                # about B\ntype B { b: u8 }\nenum E { X = 0 as \"x\" @deprecated }\n";
    let expected = "# Header\n\nnamespace \"n\"\ntype A {\n  a: u8 # the a\n\n  b: u8\n}\n\n\
                    # about B\ntype B {\n  b: u8\n}\nenum E {\n  X = 0 as \"x\" @deprecated\n}\n";
    assert_eq!(assert_formats_losslessly(text, "grouping"), expected);
}

fn json_without_spans(output: &std::process::Output) -> Json {
    let mut json: Json = serde_json::from_slice(&output.stdout).expect("wapc ast prints JSON");
    strip(&mut json);
    json
}

#[test]
fn write_rewrites_in_place_and_wapc_ast_is_unchanged() {
    let dir = scratch_dir("fmt-write");
    let everything = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/everything.widl"),
    )
    .unwrap();
    let path = write(&dir, "everything.widl", &everything);
    let before = json_without_spans(&wapc(&dir, &["ast", "everything.widl"]));
    let output = wapc(&dir, &["fmt", "-w", "everything.widl"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "formatted  everything.widl\n");
    let formatted = std::fs::read_to_string(&path).unwrap();
    assert_eq!(formatted, format(&everything).unwrap());
    assert_ne!(formatted, everything);
    assert_eq!(
        before,
        json_without_spans(&wapc(&dir, &["ast", "everything.widl"]))
    );
    // No temporary is left behind, and a formatted file is not written again.
    let names: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
    assert_eq!(names.len(), 1, "{names:?}");
    let output = wapc(&dir, &["fmt", "-w", "everything.widl"]);
    assert!(output.status.success());
    assert_eq!(stdout(&output), "");
}

#[test]
fn check_lists_unformatted_files_and_fails_only_for_them() {
    let dir = scratch_dir("fmt-check");
    write(&dir, "messy.widl", "type A{a:u8}\n");
    write(&dir, "tidy.widl", "type A {\n  a: u8\n}\n");
    let output = wapc(&dir, &["fmt", "--check", "messy.widl", "tidy.widl"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "messy.widl\n");
    let output = wapc(&dir, &["fmt", "--check", "tidy.widl"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), "");
    // --check writes nothing.
    assert_eq!(
        std::fs::read_to_string(dir.join("messy.widl")).unwrap(),
        "type A{a:u8}\n"
    );
}

#[test]
fn diff_prints_a_unified_diff() {
    let dir = scratch_dir("fmt-diff");
    write(&dir, "messy.widl", "namespace \"n\"\ntype A{a:u8}\n");
    let output = wapc(&dir, &["fmt", "--diff", "messy.widl"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        stdout(&output),
        "--- messy.widl\n+++ messy.widl\n@@ -1,2 +1,4 @@\n namespace \"n\"\n-type A{a:u8}\n\
         +type A {\n+  a: u8\n+}\n"
    );
}

#[test]
fn stdin_is_formatted_to_stdout() {
    let dir = scratch_dir("fmt-stdin");
    let output = wapc_with_stdin(&dir, &["fmt", "-"], b"alias   X=string");
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "alias X = string\n");
}

#[test]
fn a_syntax_error_is_located_exits_2_and_writes_nothing() {
    let dir = scratch_dir("fmt-error");
    write(&dir, "good.widl", "type A{a:u8}\n");
    write(&dir, "bad.widl", "type A {\n  a: [u8\n}\n");
    let output = wapc(&dir, &["fmt", "-w", "good.widl", "bad.widl"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stdout(&output), "");
    assert!(
        stderr(&output).contains("--> bad.widl:3:1"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("good.widl")).unwrap(),
        "type A{a:u8}\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("bad.widl")).unwrap(),
        "type A {\n  a: [u8\n}\n"
    );
}

#[test]
fn the_readme_example_is_what_wapc_fmt_prints() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let section = readme
        .split("\n## Formatting\n")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("README has a Formatting section");
    let blocks: Vec<&str> = section
        .split("```widl\n")
        .skip(1)
        .filter_map(|block| block.split("```").next())
        .collect();
    assert_eq!(
        blocks.len(),
        2,
        "the section shows a schema before and after"
    );
    assert_eq!(format(blocks[0]).unwrap(), blocks[1]);
    assert_formats_losslessly(blocks[0], "README example");
}
