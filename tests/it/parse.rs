//! One test per language construct: the syntax tree each one parses to.
//!
//! Most snapshots leave spans out (see [`shape`]) so that they read as the tree itself; the
//! span tests at the end check spans against the source text, and one snapshot keeps them all.

use crate::common;

use common::{parse, parse_ok, slice};
use insta::assert_json_snapshot;
use serde_json::Value as Json;
use wapc_codegen::parser::ast::{Definition, TypeRef, Value};

/// The document as JSON without its `span` fields.
fn shape(text: &str) -> Json {
    let mut json = serde_json::to_value(parse_ok(text)).expect("the AST serializes");
    strip_spans(&mut json);
    json
}

fn strip_spans(json: &mut Json) {
    match json {
        Json::Object(map) => {
            map.remove("span");
            map.values_mut().for_each(strip_spans);
        }
        Json::Array(items) => items.iter_mut().for_each(strip_spans),
        _ => {}
    }
}

/// The default value of the first field of the first type, for the literal tests.
fn default_of(text: &str, field: &str) -> Value {
    let document = parse_ok(text);
    document
        .definitions
        .iter()
        .find_map(|d| match d {
            Definition::Type(t) => t.fields.iter().find(|f| f.name.value == field),
            _ => None,
        })
        .and_then(|f| f.default.as_deref().cloned())
        .unwrap_or_else(|| panic!("no default for field `{field}`"))
}

// ---- definitions -----------------------------------------------------------------------------

#[test]
fn namespace_as_a_string_or_a_name() {
    assert_json_snapshot!(shape(
        r#"
        namespace "wasmcloud:httpserver"
        namespace greeting
        "#
    ));
}

#[test]
fn import_everything() {
    assert_json_snapshot!(shape(r#"import * from "wapc/core""#));
}

#[test]
fn import_names_with_and_without_as() {
    assert_json_snapshot!(shape(
        r#"import { Request, Response as HttpResponse } from "http.widl""#
    ));
}

#[test]
fn type_with_fields_and_defaults() {
    assert_json_snapshot!(shape(
        r#"
        type Person {
          name: string
          age: u8 = 0
          nickname: string? = null
        }
        "#
    ));
}

#[test]
fn empty_type() {
    assert_json_snapshot!(shape("type Marker {}"));
}

#[test]
fn type_implements_one_or_more_types() {
    assert_json_snapshot!(shape(
        r#"
        type A implements Named { name: string }
        type B implements Named & Aged { name: string age: u8 }
        type C implements & Named & Aged { name: string age: u8 }
        "#
    ));
}

#[test]
fn interface_operation_with_a_parameter_list() {
    assert_json_snapshot!(shape(
        "interface { add(left: i32, right: i32): i64 noArgs(): string }"
    ));
}

#[test]
fn interface_unary_operation() {
    let document = parse_ok("interface { greet{person: Person}: string }");
    let Definition::Interface(interface) = &document.definitions[0] else {
        panic!("expected an interface");
    };
    assert!(interface.operations[0].unary);
    assert_json_snapshot!(shape("interface { greet{person: Person}: string }"));
}

#[test]
fn interface_operations_returning_nothing() {
    // No return type and `: void` are the same thing.
    assert_json_snapshot!(shape(
        "interface { fire(event: string) fireAndForget(event: string): void log{line: string}: void }"
    ));
}

#[test]
fn stream_parameters_and_returns() {
    assert_json_snapshot!(shape(
        "interface { upload(name: string, chunks: stream bytes): u64 watch(key: string): stream Event both{input: stream [u8]}: stream string? }"
    ));
}

#[test]
fn parameter_defaults() {
    assert_json_snapshot!(shape(
        r#"interface { page(query: string = "*", size: u32 = 20, ascending: bool = true): string }"#
    ));
}

#[test]
fn role() {
    assert_json_snapshot!(shape(
        r#"
        role Store {
          Get(key: string): string?
          Set{entry: Entry}
        }
        "#
    ));
}

#[test]
fn empty_interface_and_role() {
    assert_json_snapshot!(shape("interface {} role Nothing {}"));
}

#[test]
fn union_with_and_without_a_leading_bar() {
    assert_json_snapshot!(shape(
        r#"
        union Shape = Circle | Square
        union Animal =
          | Cat
          | Dog
          | [Fish]
        union One = | Only
        "#
    ));
}

#[test]
fn enum_values_with_and_without_display_text() {
    assert_json_snapshot!(shape(
        r#"
        enum Color {
          Red = 0 as "Bright red"
          Green = 1
          Blue = 2 as "Blue \u00e9"
        }
        "#
    ));
}

/// The old parser's (@wapc/widl 0.0.6) forms: a display name after the index without `as`,
/// on the index's line; a string on a later line describes the next value, as in 0.0.12.
#[test]
fn enum_display_text_without_as_on_the_index_line() {
    let document = parse_ok(
        "enum Color {\n  RED = 0 \"Red\" @flag\n  GREEN = 1, \"Green\"\n  BLUE = 2\n  \"The last.\"\n  \
         LAST = 3\n  TAIL = 4 \"\"\"not a display\"\"\"\n  END = 5\n}",
    );
    let Definition::Enum(e) = &document.definitions[0] else {
        panic!("expected an enum");
    };
    let read: Vec<(&str, Option<&str>, Option<&str>)> = e
        .values
        .iter()
        .map(|v| {
            (
                v.name.value.as_str(),
                v.display.as_ref().map(|d| d.value.as_str()),
                v.description.as_ref().map(|d| d.value.as_str()),
            )
        })
        .collect();
    assert_eq!(
        read,
        [
            ("RED", Some("Red"), None),
            ("GREEN", Some("Green"), None),
            ("BLUE", None, None),
            ("LAST", None, Some("The last.")),
            ("TAIL", None, None),
            ("END", None, Some("not a display")),
        ]
    );
    assert_eq!(e.values[0].annotations[0].name.value, "flag");
    assert!(parse("enum E { A = 0 \"x\" as \"y\" }").is_err());
}

#[test]
fn import_from_a_bare_name_as_the_old_parser_took_it() {
    let document = parse_ok("import * from shared\nimport { A as B } from \"x.widl\"");
    let froms: Vec<&str> = document
        .definitions
        .iter()
        .map(|d| match d {
            Definition::Import(i) => i.from.value.as_str(),
            _ => panic!("expected imports"),
        })
        .collect();
    assert_eq!(froms, ["shared", "x.widl"]);
}

#[test]
fn alias_with_a_name_or_a_string() {
    assert_json_snapshot!(shape(
        r#"
        alias Uuid = string
        alias "Timestamp" = datetime
        alias Headers = {string: [string]}
        "#
    ));
}

#[test]
fn directive_with_parameters_locations_and_requires() {
    assert_json_snapshot!(shape(
        r#"
        directive @deprecated on TYPE | FIELD
        directive @range(min: i64, max: i64 = 100) on | FIELD | PARAMETER
        directive @path(value: string) on OPERATION
          require @service on SELF | INTERFACE
                  @auth on ROLE
        "#
    ));
}

// ---- annotations, descriptions, comments, commas ---------------------------------------------

#[test]
fn annotation_forms() {
    assert_json_snapshot!(shape(
        r#"type A @flag @one("x") @many(min: 1, max: 2, label: "l") @enumarg(Red) @list([1 2]) {}"#
    ));
}

#[test]
fn annotations_in_every_position() {
    let text = r#"
        namespace "n" @ns
        import * from "x" @imp
        type T @type { field: string @field }
        interface @iface {
          op(param: string @param): string @op
        }
        role R @role { op{param: string @param} @op }
        union U @union = T | string
        enum E @enum { V = 0 @value W = 1 as "w" @value2 }
        alias A = string @alias
    "#;
    let document = parse_ok(text);
    let mut found = Vec::new();
    for definition in &document.definitions {
        let (own, inner): (&[_], Vec<&[_]>) = match definition {
            Definition::Namespace(d) => (&d.annotations, vec![]),
            Definition::Import(d) => (&d.annotations, vec![]),
            Definition::Type(d) => (
                &d.annotations,
                d.fields.iter().map(|f| &*f.annotations).collect(),
            ),
            Definition::Interface(d) => (
                &d.annotations,
                d.operations
                    .iter()
                    .flat_map(|o| {
                        std::iter::once(&*o.annotations)
                            .chain(o.parameters.iter().map(|p| &*p.annotations))
                    })
                    .collect(),
            ),
            Definition::Role(d) => (
                &d.annotations,
                d.operations
                    .iter()
                    .flat_map(|o| {
                        std::iter::once(&*o.annotations)
                            .chain(o.parameters.iter().map(|p| &*p.annotations))
                    })
                    .collect(),
            ),
            Definition::Union(d) => (&d.annotations, vec![]),
            Definition::Enum(d) => (
                &d.annotations,
                d.values.iter().map(|v| &*v.annotations).collect(),
            ),
            Definition::Alias(d) => (&d.annotations, vec![]),
            Definition::Directive(_) => (&[], vec![]),
        };
        for list in std::iter::once(own).chain(inner) {
            found.extend(list.iter().map(|a| a.name.value.clone()));
        }
    }
    assert_eq!(
        found,
        [
            "ns", "imp", "type", "field", "iface", "op", "param", "role", "op", "param", "union",
            "enum", "value", "value2", "alias"
        ]
    );
}

#[test]
fn annotation_argument_values() {
    assert_json_snapshot!(shape(
        r#"
        type A @all(s: "s", b: """block""", i: -1, f: 0.5, t: true, n: null, e: Blue,
                    l: [1, "two"], o: {k: "v", "quoted key": 2}) {}
        "#
    ));
}

#[test]
fn descriptions_on_everything() {
    assert_json_snapshot!(shape(
        r#"
        "The namespace" namespace "n"
        "An import" import * from "x"
        "A type"
        type T {
          "A field"
          f: string
        }
        "The interface"
        interface {
          "An operation"
          op("A parameter" p: string): string
        }
        "A role" role R { "Op" op{"Unary parameter" p: string} }
        "A union" union U = T | string
        "An enum" enum E { "A value" V = 0 }
        "An alias" alias A = string
        "A directive" directive @d("A directive parameter" p: string) on TYPE
        "#
    ));
}

#[test]
fn block_string_descriptions_lose_common_indentation() {
    let document = parse_ok(
        "\"\"\"\n    First line.\n      Indented more.\n\n    Last line, with \\\"\"\" quotes.\n    \"\"\"\ntype T {}",
    );
    let Definition::Type(t) = &document.definitions[0] else {
        panic!("expected a type");
    };
    assert_eq!(
        t.description.as_ref().map(|d| d.value.as_str()),
        Some("First line.\n  Indented more.\n\nLast line, with \"\"\" quotes.")
    );
}

#[test]
fn block_string_on_one_line_keeps_its_text() {
    let document = parse_ok(r#""""  Just one line.  """ type T {}"#);
    let Definition::Type(t) = &document.definitions[0] else {
        panic!("expected a type");
    };
    // The first line is not dedented; surrounding blank lines (none here) would go.
    assert_eq!(t.description.as_ref().unwrap().value, "  Just one line.  ");
}

#[test]
fn comments_are_ignored_everywhere() {
    let with_comments = r#"
        # A file comment
        namespace "n" # after the namespace
        type T { # after the brace
          # before a field
          f: string # after a field
          g: [ # inside a list type
            i32
          ] = [1 # inside a list value
          ]
        } # after the type
        interface {
          op( # inside parameters
            a: string # after a parameter
          ): string # after the return type
        }
        # at the end, with no newline"#;
    let without = r#"
        namespace "n"
        type T {
          f: string
          g: [ i32 ] = [1]
        }
        interface {
          op( a: string ): string
        }
        "#;
    assert_eq!(shape(with_comments), shape(without));
}

#[test]
fn hash_inside_a_string_is_not_a_comment() {
    let value = default_of(r#"type T { f: string = "a # b" }"#, "f");
    assert!(matches!(value, Value::String { value, .. } if value == "a # b"));
}

#[test]
fn commas_are_optional_everywhere() {
    let with_commas = r#"
        import { A, B, } from "x"
        type T implements A & B { a: string, b: [i32] = [1, 2, 3,], c: {string: i32} = {x: 1, y: 2,}, }
        interface { op(a: string, b: i32,): string, other(): string, }
        enum E { X = 0, Y = 1, }
        directive @d(a: string, b: i32) on TYPE, | FIELD
        type U @d(a: "x", b: 1,) {}
    "#;
    let without = r#"
        import { A B } from "x"
        type T implements A & B { a: string b: [i32] = [1 2 3] c: {string: i32} = {x: 1 y: 2} }
        interface { op(a: string b: i32): string other(): string }
        enum E { X = 0 Y = 1 }
        directive @d(a: string b: i32) on TYPE | FIELD
        type U @d(a: "x" b: 1) {}
    "#;
    assert_eq!(shape(with_commas), shape(without));
}

#[test]
fn keywords_are_ordinary_names_where_a_name_is_expected() {
    assert_json_snapshot!(shape(
        "type T { type: string namespace: i32 stream: bool as: on } interface { import(from: string): void }"
    ));
}

// ---- types -----------------------------------------------------------------------------------

#[test]
fn every_primitive_type() {
    let text = r#"
        type Everything {
          a: i8 b: i16 c: i32 d: i64
          e: u8 f: u16 g: u32 h: u64
          i: f32 j: f64
          k: bool l: string m: datetime n: bytes o: raw
        }
    "#;
    let document = parse_ok(text);
    let Definition::Type(t) = &document.definitions[0] else {
        panic!("expected a type");
    };
    let names: Vec<&str> = t
        .fields
        .iter()
        .map(|f| match &f.ty {
            TypeRef::Named { name } => name.value.as_str(),
            other => panic!("expected a named type, got {other:?}"),
        })
        .collect();
    assert_eq!(names, wapc_codegen::model::PRIMITIVES);
    // And every one of them is valid.
    common::assert_valid(text);
}

#[test]
fn optional_list_and_map_nesting() {
    assert_json_snapshot!(shape(
        r#"
        type Nested {
          a: [string]
          b: [string?]
          c: [string]?
          d: {string: i32}
          e: {string: [i32?]}?
          f: [[{string: {string: bytes}}]]
          g: {u32?: Item}
        }
        "#
    ));
}

// ---- values ----------------------------------------------------------------------------------

#[test]
fn string_escapes() {
    let value = default_of(
        r#"type T { s: string = "quote \" backslash \\ slash \/ b\b f\f n\n r\r t\t e\u00e9 euro\u20AC" }"#,
        "s",
    );
    let Value::String { value, .. } = value else {
        panic!("expected a string");
    };
    assert_eq!(
        value,
        "quote \" backslash \\ slash / b\u{8} f\u{c} n\n r\r t\t e\u{e9} euro\u{20ac}"
    );
}

#[test]
fn unicode_escape_surrogate_pairs() {
    let value = default_of(
        r#"type T { s: string = "grin \uD83D\uDE00, clef \ud834\udd1e" }"#,
        "s",
    );
    assert!(
        matches!(&value, Value::String { value, .. } if value == "grin \u{1F600}, clef \u{1D11E}"),
        "{value:?}"
    );
}

#[test]
fn non_ascii_text_in_strings() {
    let value = default_of(r#"type T { s: string = "héllo wörld ✓ 😀" }"#, "s");
    assert!(matches!(&value, Value::String { value, .. } if value == "héllo wörld ✓ 😀"));
}

#[test]
fn block_string_value() {
    let value = default_of(
        "type T { s: string = \"\"\"\n      one \"quoted\" \\n\n        two\n    \"\"\" }",
        "s",
    );
    // Escapes are not processed in block strings; indentation is.
    assert!(
        matches!(&value, Value::String { value, .. } if value == "one \"quoted\" \\n\n  two"),
        "{value:?}"
    );
}

#[test]
fn int_literals() {
    let text = r#"
        type T {
          zero: i64 = 0
          positive: i64 = 42
          negative: i64 = -17
          min: i64 = -9223372036854775808
          max: i64 = 9223372036854775807
        }
    "#;
    let ints: Vec<i64> = ["zero", "positive", "negative", "min", "max"]
        .iter()
        .map(|f| match default_of(text, f) {
            Value::Int { value, .. } => value,
            other => panic!("expected an int, got {other:?}"),
        })
        .collect();
    assert_eq!(ints, [0, 42, -17, i64::MIN, i64::MAX]);
}

#[test]
fn float_literals() {
    let text = r#"
        type T {
          a: f64 = 1.5
          b: f64 = -0.25
          c: f64 = 1e3
          d: f64 = 2.5E-3
          e: f64 = -6.02e+23
          f: f64 = 0.0
        }
    "#;
    let floats: Vec<f64> = ["a", "b", "c", "d", "e", "f"]
        .iter()
        .map(|f| match default_of(text, f) {
            Value::Float { value, .. } => value,
            other => panic!("expected a float, got {other:?}"),
        })
        .collect();
    assert_eq!(floats, [1.5, -0.25, 1000.0, 0.0025, -6.02e23, 0.0]);
}

#[test]
fn bool_null_enum_list_and_object_literals() {
    assert_json_snapshot!(shape(
        r#"
        type T {
          yes: bool = true
          no: bool = false
          nothing: string? = null
          color: Color = Red
          truthy: Word = trueish
          nully: Word = nullable
          empty: [i32] = []
          list: [[i32]] = [[1, 2], [], [-3]]
          emptyObject: Point = {}
          object: Point = {x: 1.5, "y": -2, tags: ["a"], nested: {deep: null}}
        }
        "#
    ));
}

// ---- spans -----------------------------------------------------------------------------------

#[test]
fn spans_cover_exactly_their_source_text() {
    let text = "namespace \"n\"\n\
                type Person @table(name: \"people\")   # trailing comment\n\
                {\n\
                \x20 name: string @len(8)  , # comment\n\
                \x20 tags: [string]? = [\"a\", \"b\"]\n\
                }\n\
                interface { get(id: i64 = -1): stream Person  # comment\n\
                }\n";
    let document = parse_ok(text);
    let Definition::Type(t) = &document.definitions[1] else {
        panic!("expected a type");
    };
    assert_eq!(slice(text, t.name.span), "Person");
    assert_eq!(
        slice(text, t.annotations[0].span),
        "@table(name: \"people\")"
    );
    assert_eq!(
        slice(text, t.annotations[0].arguments[0].span),
        "name: \"people\""
    );
    assert!(slice(text, t.span).starts_with("type Person"));
    assert!(slice(text, t.span).ends_with('}'));

    let name = &t.fields[0];
    // A field ends at its last token, before the comma and the comment after it.
    assert_eq!(slice(text, name.span), "name: string @len(8)");
    assert_eq!(slice(text, name.annotations[0].span), "@len(8)");
    assert_eq!(slice(text, name.ty.span()), "string");

    let tags = &t.fields[1];
    assert_eq!(slice(text, tags.span), "tags: [string]? = [\"a\", \"b\"]");
    assert_eq!(slice(text, tags.ty.span()), "[string]?");
    let TypeRef::Optional { inner, .. } = &tags.ty else {
        panic!("expected an optional type");
    };
    assert_eq!(slice(text, inner.span()), "[string]");
    let default = tags.default.as_ref().unwrap();
    assert_eq!(slice(text, default.span()), "[\"a\", \"b\"]");
    let Value::List { values, .. } = &**default else {
        panic!("expected a list");
    };
    assert_eq!(slice(text, values[1].span()), "\"b\"");

    let Definition::Interface(interface) = &document.definitions[2] else {
        panic!("expected an interface");
    };
    let op = &interface.operations[0];
    assert_eq!(slice(text, op.span), "get(id: i64 = -1): stream Person");
    assert_eq!(slice(text, op.parameters[0].span), "id: i64 = -1");
    assert_eq!(
        slice(text, op.parameters[0].default.as_ref().unwrap().span()),
        "-1"
    );
    assert_eq!(
        slice(text, op.returns.as_ref().unwrap().span()),
        "stream Person"
    );
}

#[test]
fn spans_of_streams_enum_values_unions_and_imports() {
    let text = "import { A as B } from \"x\"\n\
                enum E { V = 3 as \"Vee\" , }\n\
                union U = A | [B] \n\
                interface { up(s: stream bytes ): void }\n\
                alias \"Q\" = string # c\n";
    let document = parse_ok(text);
    let Definition::Import(import) = &document.definitions[0] else {
        panic!("expected an import");
    };
    assert_eq!(slice(text, import.names[0].span), "A as B");
    assert_eq!(slice(text, import.names[0].local_name().span), "B");
    assert_eq!(slice(text, import.from.span), "\"x\"");

    let Definition::Enum(e) = &document.definitions[1] else {
        panic!("expected an enum");
    };
    assert_eq!(slice(text, e.values[0].span), "V = 3 as \"Vee\"");
    assert_eq!(slice(text, e.values[0].index.span), "3");
    assert_eq!(
        slice(text, e.values[0].display.as_ref().unwrap().span),
        "\"Vee\""
    );

    let Definition::Union(u) = &document.definitions[2] else {
        panic!("expected a union");
    };
    assert_eq!(slice(text, u.span), "union U = A | [B]");
    assert_eq!(slice(text, u.types[1].span()), "[B]");

    let Definition::Interface(interface) = &document.definitions[3] else {
        panic!("expected an interface");
    };
    let parameter = &interface.operations[0].parameters[0];
    assert_eq!(slice(text, parameter.ty.span()), "stream bytes");

    let Definition::Alias(alias) = &document.definitions[4] else {
        panic!("expected an alias");
    };
    // A quoted name's span covers its quotes.
    assert_eq!(slice(text, alias.name.span), "\"Q\"");
    assert_eq!(alias.name.value, "Q");
    assert_eq!(slice(text, alias.span), "alias \"Q\" = string");
}

/// Every span in a tree lies within the text, on character boundaries, and every name that
/// is not quoted is spelled exactly as its span says.
#[test]
fn every_span_is_sound() {
    let text = include_str!("../schemas/everything.widl");
    let json = serde_json::to_value(parse_ok(text)).unwrap();
    let mut checked = 0;
    check_spans(text, &json, &mut checked);
    assert!(checked > 200, "only {checked} spans checked");
}

fn check_spans(text: &str, json: &Json, checked: &mut usize) {
    match json {
        Json::Object(map) => {
            if let Some(span) = map.get("span") {
                let start = span["start"].as_u64().unwrap() as usize;
                let end = span["end"].as_u64().unwrap() as usize;
                assert!(start < end && end <= text.len(), "bad span {span}");
                assert!(text.is_char_boundary(start) && text.is_char_boundary(end));
                let covered = &text[start..end];
                assert_eq!(covered.trim(), covered, "span {span} has spaces at an end");
                assert!(!covered.ends_with(','), "span {span} ends with a comma");
                // A name: `{value, span}` and nothing else.
                if map.len() == 2
                    && let Some(Json::String(value)) = map.get("value")
                    && !covered.starts_with('"')
                {
                    assert_eq!(covered, value);
                }
                *checked += 1;
            }
            map.values().for_each(|v| check_spans(text, v, checked));
        }
        Json::Array(items) => items.iter().for_each(|v| check_spans(text, v, checked)),
        _ => {}
    }
}

#[test]
fn full_tree_with_spans() {
    assert_json_snapshot!(parse_ok(
        "namespace \"n\"\n\"Doc\"\ntype T @a(1) { f: [string]? = null }\ninterface { op{x: stream i32}: void }\n"
    ));
}

#[test]
fn bom_crlf_and_tabs_are_whitespace() {
    let plain = "namespace \"n\"\ntype T {\n  a: string\n  b: i32 = 1\n}\n";
    let odd = "\u{FEFF}namespace \"n\"\r\ntype T {\r\n\ta: string\r\n\tb: i32 = 1\r\n}\r\n";
    assert_eq!(shape(plain), shape(odd));
}

#[test]
fn crlf_block_strings_become_lf() {
    let document = parse_ok("\"\"\"\r\n  one\r\n  two\r\n\"\"\"\r\ntype T {}");
    let Definition::Type(t) = &document.definitions[0] else {
        panic!("expected a type");
    };
    assert_eq!(t.description.as_ref().unwrap().value, "one\ntwo");
}

#[test]
fn empty_and_comment_only_files_have_no_definitions() {
    assert!(parse_ok("").definitions.is_empty());
    assert!(parse_ok("  \n\t# nothing here\n, ,").definitions.is_empty());
    assert!(parse_ok("\u{FEFF}").definitions.is_empty());
}
