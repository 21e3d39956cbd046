//! Malformed input: each error, rendered as the CLI prints it, is pinned in a snapshot whose
//! header shows the input. And no input makes the parser panic.

use crate::common;

use common::{parse, parse_err, parse_ok};

/// Pins the rendered syntax error of `input` under `name`.
fn syntax_error(name: &str, input: &str) {
    assert_rendered!(name, input, parse_err(input));
}

// ---- strings ---------------------------------------------------------------------------------

#[test]
fn unterminated_string() {
    syntax_error(
        "unterminated_string",
        "type Person {\n  name: string = \"Bob\n}\n",
    );
}

#[test]
fn unterminated_string_at_the_end_of_the_file() {
    syntax_error("unterminated_string_at_eof", "namespace \"greeting");
}

#[test]
fn unterminated_description() {
    syntax_error(
        "unterminated_description",
        "\"A person\ntype Person {\n  name: string\n}\n",
    );
}

#[test]
fn unknown_escape() {
    syntax_error(
        "unknown_escape",
        "type T {\n  path: string = \"C:\\Users\"\n}\n",
    );
}

#[test]
fn short_unicode_escape() {
    syntax_error(
        "short_unicode_escape",
        "type T { s: string = \"caf\\u00e\" }\n",
    );
}

#[test]
fn unpaired_surrogate_escape() {
    syntax_error(
        "unpaired_high_surrogate",
        "type T { s: string = \"\\ud83d alone\" }\n",
    );
    syntax_error(
        "unpaired_low_surrogate",
        "type T { s: string = \"\\ude00 alone\" }\n",
    );
    syntax_error(
        "high_surrogate_before_another_escape",
        "type T { s: string = \"\\ud83d\\u0041\" }\n",
    );
}

#[test]
fn unterminated_block_string() {
    syntax_error(
        "unterminated_block_string",
        "\"\"\"\nA person.\ntype Person {\n  name: string\n}\n",
    );
}

#[test]
fn escaped_block_string_quotes_do_not_close_it() {
    syntax_error(
        "escaped_block_quotes_do_not_close",
        "type T {\n  s: string = \"\"\"text \\\"\"\" more\n}\n",
    );
}

// ---- structure -------------------------------------------------------------------------------

#[test]
fn missing_colon_in_a_field() {
    syntax_error("missing_colon", "type Person {\n  name string\n}\n");
}

#[test]
fn missing_colon_in_a_parameter() {
    syntax_error(
        "missing_colon_in_parameter",
        "interface {\n  greet(name string): string\n}\n",
    );
}

#[test]
fn missing_closing_brace() {
    syntax_error("missing_brace", "type Person {\n  name: string\n");
}

#[test]
fn missing_closing_parenthesis() {
    syntax_error(
        "missing_parenthesis",
        "interface {\n  greet(name: string: string\n}\n",
    );
}

#[test]
fn stray_closing_brace() {
    syntax_error("stray_brace", "type Person {\n  name: string\n}\n}\n");
}

#[test]
fn unknown_top_level_keyword() {
    syntax_error("unknown_keyword", "struct Person {\n  name: string\n}\n");
}

#[test]
fn misspelled_keyword() {
    syntax_error(
        "misspelled_keyword",
        "namespace \"n\"\n\ninterfaces {\n  ping(): void\n}\n",
    );
}

#[test]
fn annotation_before_a_field() {
    syntax_error(
        "annotation_before_field",
        "type Person {\n  @len(8) name: string\n}\n",
    );
}

#[test]
fn annotation_before_a_type() {
    syntax_error(
        "annotation_before_type",
        "@deprecated\ntype Person {\n  name: string\n}\n",
    );
}

#[test]
fn not_a_field() {
    syntax_error("not_a_field", "type Person {\n  42\n}\n");
}

#[test]
fn not_an_operation() {
    syntax_error("not_an_operation", "interface {\n  = ping\n}\n");
}

#[test]
fn operation_without_parameters() {
    syntax_error(
        "operation_without_parameters",
        "interface {\n  ping: void\n}\n",
    );
}

#[test]
fn not_a_parameter() {
    syntax_error("not_a_parameter", "role Store {\n  Get(42): string\n}\n");
}

#[test]
fn not_an_enum_value() {
    syntax_error("not_an_enum_value", "enum Color {\n  \"red\" = 0\n}\n");
}

#[test]
fn enum_value_without_an_index() {
    syntax_error(
        "enum_value_without_index",
        "enum Color {\n  Red\n  Green\n}\n",
    );
}

#[test]
fn enum_index_is_not_an_integer() {
    syntax_error("enum_index_not_integer", "enum Color {\n  Red = 0.5\n}\n");
}

#[test]
fn namespace_without_a_name() {
    syntax_error("namespace_without_name", "namespace\ntype T {}\n");
}

#[test]
fn import_without_from() {
    syntax_error("import_without_from", "import { A } \"a.widl\"\n");
}

#[test]
fn import_with_an_empty_list() {
    syntax_error("import_empty_list", "import { } from \"a.widl\"\n");
}

#[test]
fn union_without_members() {
    syntax_error("union_without_members", "union Shape =\n");
}

#[test]
fn union_with_a_trailing_bar() {
    syntax_error("union_trailing_bar", "union Shape = Circle | Square |\n");
}

#[test]
fn directive_without_locations() {
    syntax_error("directive_without_locations", "directive @deprecated on\n");
}

#[test]
fn directive_without_on() {
    syntax_error("directive_without_on", "directive @deprecated TYPE\n");
}

// ---- values and types ------------------------------------------------------------------------

#[test]
fn bad_default_value() {
    syntax_error("bad_value", "type T {\n  n: i32 = @\n}\n");
}

#[test]
fn missing_default_value() {
    syntax_error("missing_value", "type T {\n  n: i32 =\n}\n");
}

#[test]
fn number_glued_to_a_name() {
    syntax_error("number_glued_to_name", "type T {\n  n: i32 = 5px\n}\n");
}

#[test]
fn float_without_digits_after_the_point() {
    syntax_error("float_without_fraction", "type T {\n  n: f64 = 1.\n}\n");
}

#[test]
fn unclosed_list_value() {
    syntax_error("unclosed_list_value", "type T {\n  n: [i32] = [1, 2\n}\n");
}

#[test]
fn object_field_without_colon() {
    syntax_error(
        "object_field_without_colon",
        "type T {\n  p: Point = {x 1}\n}\n",
    );
}

#[test]
fn integer_out_of_range() {
    syntax_error(
        "integer_out_of_range",
        "type T {\n  n: i64 = 9223372036854775808\n}\n",
    );
    syntax_error(
        "negative_integer_out_of_range",
        "type T {\n  n: i64 = -9223372036854775809\n}\n",
    );
}

#[test]
fn float_out_of_range() {
    syntax_error("float_out_of_range", "type T {\n  n: f64 = 1e400\n}\n");
}

#[test]
fn bad_type() {
    syntax_error("bad_type", "type T {\n  n: 42\n}\n");
}

#[test]
fn unclosed_list_type() {
    syntax_error("unclosed_list_type", "type T {\n  tags: [string\n}\n");
}

#[test]
fn map_type_without_a_value() {
    syntax_error("map_without_value", "type T {\n  tags: {string}\n}\n");
}

#[test]
fn double_optional() {
    syntax_error("double_optional", "type T {\n  tag: string??\n}\n");
}

#[test]
fn stream_in_a_field() {
    syntax_error("stream_in_field", "type T {\n  data: stream bytes\n}\n");
}

#[test]
fn annotation_with_unclosed_arguments() {
    syntax_error(
        "annotation_unclosed_arguments",
        "type T {\n  n: i32 @range(min: 0, max: 10\n}\n",
    );
}

// ---- nesting ---------------------------------------------------------------------------------

#[test]
fn nesting_deeper_than_the_limit() {
    let depth = wapc_codegen::limits::MAX_SCHEMA_NESTING + 1;
    let input = format!(
        "type T {{\n  deep: {}string{}\n}}\n",
        "[".repeat(depth - 1),
        "]".repeat(depth - 1)
    );
    syntax_error("nesting_too_deep", &input);
}

#[test]
fn nesting_at_the_limit_parses() {
    // The type's own brace is one level, so the lists can take the rest.
    let depth = wapc_codegen::limits::MAX_SCHEMA_NESTING - 1;
    let input = format!(
        "type T {{ deep: {}string{} }}",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let schema = common::assert_valid(&input);
    assert_eq!(schema.definitions.len(), 1);
}

#[test]
fn deeply_nested_values_are_refused_without_overflowing_the_stack() {
    let input = format!("type T {{ v: raw = {} }}", "[".repeat(100_000));
    let rendered = parse_err(&input);
    assert!(
        rendered.starts_with("error: brackets nest more than 64 levels deep"),
        "{rendered}"
    );
}

#[test]
fn brackets_in_strings_and_comments_do_not_count() {
    let input = format!(
        "type T {{ # {}\n  s: string = \"{}\"\n  b: string = \"\"\"{}\"\"\"\n}}",
        "[".repeat(100),
        "{".repeat(100),
        "(".repeat(100)
    );
    let document = parse_ok(&input);
    assert_eq!(document.definitions.len(), 1);
}

// ---- odd files -------------------------------------------------------------------------------

#[test]
fn empty_file_is_an_empty_schema() {
    assert!(parse_ok("").definitions.is_empty());
    let schema = common::assert_valid("");
    assert!(schema.definitions.is_empty());
    assert_eq!(schema.namespace, None);
}

#[test]
fn error_after_a_byte_order_mark() {
    // The mark is not a column: the caret sits under `Foo`.
    syntax_error(
        "error_after_bom",
        "\u{FEFF}type Person {\n  name string\n}\n",
    );
    assert_rendered!(
        "validation_error_after_bom",
        "\u{FEFF}type T { x: Foo }",
        common::check_err("\u{FEFF}type T { x: Foo }")
    );
}

#[test]
fn error_in_a_crlf_file() {
    let input = "namespace \"n\"\r\n\r\ntype Person {\r\n  name string\r\n}\r\n";
    let rendered = parse_err(input);
    assert!(!rendered.contains('\r'), "{rendered:?}");
    syntax_error("error_in_crlf_file", input);
}

#[test]
fn error_after_tabs_keeps_the_caret_aligned() {
    // A tab is shown as four spaces, in the source line and under it, so that the caret
    // lines up in any terminal.
    let input = "type Person {\n\tname:\tstring\t=\t@\n}\n";
    let rendered = parse_err(input);
    assert!(
        rendered
            .contains("\n2 |     name:    string    =    @\n  |                             ^\n"),
        "{rendered}"
    );
    syntax_error("error_after_tabs", input);
}

#[test]
fn error_after_wide_characters_counts_columns_in_characters() {
    syntax_error(
        "error_after_wide_characters",
        "type T { s: string = \"héllo ✓ 😀\" n: 42 }\n",
    );
}

#[test]
fn control_character() {
    syntax_error("control_character", "type T {\u{7}}\n");
}

#[test]
fn invalid_utf8_from_a_file() {
    let dir = common::scratch_dir("syntax_errors/invalid_utf8");
    let path = dir.join("latin1.widl");
    std::fs::write(&path, b"type Person {\n  name: string = \"Jos\xe9\"\n}\n").unwrap();
    let errors = common::load(&path, &[]).unwrap_err();
    let rendered = common::stable_paths(&errors.to_string(), &dir);
    assert_rendered!(
        "invalid_utf8",
        "type Person {\\n  name: string = \"Jos\\xe9\"\\n}",
        rendered
    );
}

#[test]
fn several_literal_errors_are_reported_together() {
    let input = "type T {\n  a: string = \"\\ud800\"\n  b: i64 = 99999999999999999999\n  c: f64 = 1e999\n}\n";
    let errors = parse(input).unwrap_err();
    assert_eq!(errors.len(), 3);
    syntax_error("several_literal_errors", input);
}

// ---- never panics ----------------------------------------------------------------------------

/// Every prefix of a large valid schema, cut at each character boundary, parses or fails
/// cleanly; so does each prefix with the rest of the file's last line dropped.
#[test]
fn truncated_input_never_panics() {
    let text = include_str!("../schemas/everything.widl");
    common::assert_valid(text);
    let mut failures = 0;
    for end in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
        let prefix = &text[..end];
        let outcome = std::panic::catch_unwind(|| parse(prefix).map(|_| ()));
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(errors)) => {
                assert!(!errors.is_empty());
                // Rendering must not panic either, and must point inside the file.
                let rendered = errors.to_string();
                assert!(rendered.starts_with("error: "), "{rendered}");
                assert!(
                    !rendered.contains("internal error"),
                    "prefix of {end} bytes:\n{rendered}"
                );
                failures += 1;
            }
            Err(_) => panic!("parsing the first {end} bytes panicked"),
        }
    }
    // Most prefixes are incomplete.
    assert!(failures > text.len() / 2, "only {failures} prefixes failed");
}

/// Suffixes too: input that starts in the middle of a token or a string.
#[test]
fn suffixes_never_panic() {
    let text = include_str!("../schemas/everything.widl");
    for start in (0..text.len()).filter(|&i| text.is_char_boundary(i)) {
        let suffix = &text[start..];
        if let Err(errors) = parse(suffix) {
            let rendered = errors.to_string();
            assert!(
                !rendered.contains("internal error"),
                "suffix from byte {start}:\n{rendered}"
            );
        }
    }
}

/// Corruptions at every position: each character replaced by something meaningful to the
/// grammar (or by nothing), taking the replacements in turn to keep the test quick.
#[test]
fn corrupted_input_never_panics() {
    let text = include_str!("../schemas/everything.widl");
    let positions: Vec<usize> = (0..text.len())
        .filter(|&i| text.is_char_boundary(i))
        .collect();
    let replacements = [
        "\"", "{", "}", "\\", "#", "@", "\u{0}", "é", "", "\"\"\"", "\n",
    ];
    for (n, &at) in positions.iter().enumerate() {
        let next = positions.get(n + 1).copied().unwrap_or(text.len());
        let replacement = replacements[n % replacements.len()];
        let corrupted = format!("{}{replacement}{}", &text[..at], &text[next..]);
        if let Err(errors) = parse(&corrupted) {
            let rendered = errors.to_string();
            assert!(
                !rendered.contains("internal error"),
                "{replacement:?} at byte {at}:\n{rendered}"
            );
        }
    }
}
