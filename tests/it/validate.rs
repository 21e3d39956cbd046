//! Every validation rule, with a schema that keeps it and one that breaks it. The errors of
//! each broken schema are pinned as the CLI prints them; the snapshot header shows the schema.
//!
//! The messages of src/model/validate.rs, and the tests that produce them:
//!
//! | message                                                           | test                          |
//! |-------------------------------------------------------------------|-------------------------------|
//! | `X` is defined more than once (a label at its first definition)   | duplicate_definitions         |
//! | directive `@x` is defined more than once                          | duplicate_definitions         |
//! | `X` is defined more than once (the other is imported from ...)    | imports.rs                    |
//! | `X` is imported more than once, from different definitions       | imports.rs                    |
//! | only one namespace may be defined                                 | one_namespace                 |
//! | the namespace must be defined before any other definition         | namespace_first               |
//! | only one interface may be defined                                 | one_interface                 |
//! | {type,union,enum,alias} name `x` should be PascalCase, like `X`   | pascal_case_names             |
//! | `X` in `implements` is not a type                                 | implements                    |
//! | field `f` is defined more than once in type `T`                   | duplicate_fields              |
//! | operation `o` is defined more than once in the interface / role   | duplicate_operations          |
//! | parameter `p` is defined more than once in operation `o`          | duplicate_parameters          |
//! | value `V` is defined more than once in enum `E`                   | enum_values                   |
//! | the index of value `V` in enum `E` must not be negative           | enum_values                   |
//! | index N is used more than once in enum `E`                        | enum_values                   |
//! | directive `@d` requires `@x`, which is not defined                | directive_definitions         |
//! | parameter `p` is defined more than once in directive `@d`         | directive_definitions         |
//! | parameter `p` of directive `@d` cannot be a stream                | directive_definitions         |
//! | `X` is not a directive location (in directive `@d`)               | directive_locations           |
//! | location `X` is listed more than once (in directive `@d`)         | directive_locations           |
//! | ... directive parameters may use only built-in types, types, enums | directive_parameter_types    |
//! | `R` is a role, not a type, in ...                                 | roles_are_not_types           |
//! | `void` in ...: only an operation's whole return type can be void        | void                          |
//! | unknown built-in type `x` in ...                                  | unknown_types                 |
//! | unknown type `X` in ...                                           | unknown_types                 |
//! | alias `A` refers to itself[: A → B → A]                           | alias_cycles                  |
//! | expected a list / a map / an integer / a number / a boolean /     | default_values_*              |
//! |   a string / a value of enum / an object / a value of union       |                               |
//! | N is out of range for `T` (min..=max)                             | default_values_integer_ranges |
//! | `V` is not a value of enum `E` (its values are ...)               | default_values_enums          |
//! | type `T` has no field `f` / field `f` of type `T` is missing      | default_values_objects        |
//! | `@d` cannot be used on a ...                                      | directive_use_locations       |
//! | `@d` requires `@x` on this ... or the enclosing ...               | directive_requires            |
//! | argument `a` is given more than once                              | annotation_arguments          |
//! | directive `@d` has no parameter `x`                               | annotation_arguments          |
//! | `@d` is missing the argument `a`                                  | annotation_arguments          |

use crate::common;

use common::{assert_valid, check_err, check_errors};

/// Pins the rendered validation errors of `input` under `name`.
fn invalid(name: &str, input: &str) {
    assert_rendered!(name, input, check_err(input));
}

// ---- definitions and names -------------------------------------------------------------------

#[test]
fn duplicate_definitions() {
    assert_valid("type A { x: string }\ntype B { x: string }\ndirective @a on TYPE");
    invalid(
        "duplicate_type",
        "type Person { name: string }\n\ntype Person { age: u8 }\n",
    );
    // Types, enums, unions, aliases and roles share one namespace.
    invalid(
        "type_and_enum_share_a_name",
        "type Color { name: string }\nenum Color { Red = 0 }\n",
    );
    invalid(
        "role_and_alias_share_a_name",
        "role Store { Get(): string }\nalias Store = string\n",
    );
    invalid(
        "duplicate_directive",
        "directive @deprecated on TYPE\ndirective @deprecated on FIELD\n",
    );
    // Directives have their own namespace.
    assert_valid("directive @Person on TYPE\ntype Person @Person { name: string }");
}

#[test]
fn one_namespace() {
    assert_valid("namespace \"a\"\ntype T { x: string }");
    invalid("two_namespaces", "namespace \"a\"\nnamespace \"b\"\n");
}

#[test]
fn namespace_first() {
    // Imports may come before the namespace.
    assert_valid("import * from \"nothing\"\nnamespace \"a\"\n");
    invalid(
        "namespace_after_a_type",
        "type T { x: string }\nnamespace \"a\"\n",
    );
}

#[test]
fn one_interface() {
    assert_valid("interface { a(): string }\nrole R { a(): string }\nrole S { a(): string }");
    invalid(
        "two_interfaces",
        "interface { a(): string }\n\n\"Another\"\ninterface { b(): string }\n",
    );
}

#[test]
fn pascal_case_names() {
    assert_valid(
        "type Person { x: string }\nenum Color { Red = 0 }\nunion Shape = Person | Color\nalias Uuid = string\nalias \"Timestamp\" = datetime",
    );
    invalid(
        "pascal_case",
        "type person { x: string }\nenum color { Red = 0 }\nunion shape = person | color\nalias _uuid = string\n",
    );
}

#[test]
fn implements() {
    assert_valid("type Named { name: string }\ntype Person implements Named { name: string }");
    invalid(
        "implements_a_non_type",
        "enum Color { Red = 0 }\ntype Person implements Color & Missing { name: string }\n",
    );
}

#[test]
fn duplicate_fields() {
    assert_valid("type A { x: string }\ntype B { x: string }");
    invalid(
        "duplicate_field",
        "type Person {\n  name: string\n  age: u8\n  name: string\n}\n",
    );
}

#[test]
fn duplicate_operations() {
    // The same name in the interface and in roles is fine.
    assert_valid("interface { get(): string }\nrole R { get(): string }\nrole S { get(): string }");
    invalid(
        "duplicate_operation_in_interface",
        "interface {\n  get(): string\n  get{key: string}: string\n}\n",
    );
    invalid(
        "duplicate_operation_in_role",
        "role Store {\n  Get(): string\n  Get(): string\n}\n",
    );
}

#[test]
fn duplicate_parameters() {
    assert_valid("interface { a(x: string): string b(x: string): string }");
    invalid(
        "duplicate_parameter",
        "interface {\n  add(x: i32, y: i32, x: i64): i64\n}\n",
    );
}

#[test]
fn enum_values() {
    assert_valid("enum Color { Red = 0 Green = 1 Blue = 2 }\nenum Other { Red = 0 }");
    assert_valid("enum Sparse { A = 10 B = 3 C = 9223372036854775807 }");
    invalid(
        "duplicate_enum_value",
        "enum Color {\n  Red = 0\n  Green = 1\n  Red = 2\n}\n",
    );
    invalid("negative_enum_index", "enum Color {\n  Red = -1\n}\n");
    invalid(
        "duplicate_enum_index",
        "enum Color {\n  Red = 0\n  Green = 1\n  Blue = 1\n}\n",
    );
}

// ---- directives ------------------------------------------------------------------------------

#[test]
fn directive_definitions() {
    assert_valid(
        "directive @a on TYPE\ndirective @b(x: string, y: i32 = 1) on FIELD\n  require @a on TYPE",
    );
    invalid(
        "directive_requires_undefined",
        "directive @path(value: string) on OPERATION\n  require @service on INTERFACE\n",
    );
    invalid(
        "duplicate_directive_parameter",
        "directive @range(min: i32, max: i32, min: i64) on FIELD\n",
    );
    invalid(
        "stream_directive_parameter",
        "directive @d(data: stream bytes) on TYPE\n",
    );
}

#[test]
fn directive_locations() {
    assert_valid(
        "directive @everywhere on NAMESPACE | INTERFACE | ROLE | OPERATION | PARAMETER | TYPE | FIELD | ENUM | ENUM_VALUE | UNION | ALIAS\ndirective @s on TYPE require @everywhere on SELF | NAMESPACE",
    );
    invalid(
        "unknown_directive_location",
        "directive @d on TYPE | CLASS\n",
    );
    invalid("self_outside_require", "directive @d on SELF\n");
    invalid(
        "unknown_require_location",
        "directive @a on TYPE\ndirective @b on FIELD require @a on PARENT\n",
    );
    invalid(
        "duplicate_directive_location",
        "directive @d on TYPE | FIELD | TYPE\n",
    );
}

#[test]
fn directive_parameter_types() {
    assert_valid(
        "enum Color { Red = 0 }\ntype Point { x: i32 }\nalias Points = [Point]\ndirective @d(a: string, b: [Color], c: {string: Point}?, d: Points, e: raw) on TYPE",
    );
    invalid(
        "directive_parameter_union",
        "union Shape = string | i32\nalias MaybeShape = Shape\ndirective @d(shape: Shape, maybe: [MaybeShape]) on TYPE\n",
    );
    invalid(
        "directive_parameter_role_through_alias",
        "role Store { Get(): string }\nalias S = Store\ndirective @d(s: S) on TYPE\n",
    );
}

#[test]
fn directive_use_locations() {
    let everywhere = r#"
        namespace "n" @a
        directive @a on NAMESPACE | INTERFACE | ROLE | OPERATION | PARAMETER | TYPE | FIELD | ENUM | ENUM_VALUE | UNION | ALIAS
        interface @a { op(p: string @a): string @a }
        role R @a { op{p: string @a} @a }
        type T @a { f: string @a }
        enum E @a { V = 0 @a }
        union U @a = T | E
        alias A = string @a
    "#;
    assert_valid(everywhere);
    // An undeclared annotation is not checked at all.
    assert_valid("type T @whatever(any: [1, \"thing\"]) { f: string @else }");
    invalid(
        "directive_used_on_wrong_location",
        "directive @deprecated on FIELD | ENUM_VALUE\n\ntype T @deprecated {\n  f: string\n}\n",
    );
    invalid(
        "directive_used_on_union_and_interface",
        "directive @d on TYPE\ntype T { x: string }\nunion U @d = T | string\ninterface @d { op(p: string @d): string }\n",
    );
}

#[test]
fn directive_requires() {
    let directives = "directive @service on INTERFACE | ROLE\n\
                      directive @tagged on NAMESPACE\n\
                      directive @id on FIELD\n\
                      directive @path(value: string) on OPERATION require @service on INTERFACE | ROLE\n\
                      directive @key on FIELD require @id on SELF\n\
                      directive @versioned on TYPE require @tagged on NAMESPACE\n";
    assert_valid(&format!(
        "namespace \"n\" @tagged\n{directives}\
         interface @service {{ get(): string @path(\"/get\") }}\n\
         role R @service {{ Get(): string @path(\"/g\") }}\n\
         type T @versioned {{ k: string @key @id }}"
    ));
    invalid(
        "require_unmet",
        &format!(
            "namespace \"n\"\n{directives}\
             interface {{\n  get(): string @path(\"/get\")\n}}\n\
             type T @versioned {{\n  k: string @key\n}}\n"
        ),
    );
    // A requirement on one location is not met by another: `@service` on an enclosing role
    // does not satisfy a requirement for an interface.
    invalid(
        "require_met_only_at_named_location",
        "directive @service on INTERFACE | ROLE\n\
         directive @path on OPERATION require @service on INTERFACE\n\
         role R @service {\n  Get(): string @path\n}\n",
    );
}

#[test]
fn annotation_arguments() {
    let directive = "directive @range(min: i64, max: i64 = 100, label: string?) on FIELD\n";
    assert_valid(&format!(
        "{directive}type T {{ a: i32 @range(min: 0) b: i32 @range(min: 0, max: 5, label: \"b\") }}"
    ));
    // An unnamed argument is the argument `value`.
    assert_valid("directive @path(value: string) on TYPE\ntype T @path(\"/t\") { x: string }");
    invalid(
        "argument_given_twice",
        &format!("{directive}type T {{\n  a: i32 @range(min: 0, min: 1)\n}}\n"),
    );
    invalid(
        "unknown_argument",
        &format!("{directive}type T {{\n  a: i32 @range(min: 0, step: 2)\n}}\n"),
    );
    invalid(
        "unnamed_argument_without_a_value_parameter",
        &format!("{directive}type T {{\n  a: i32 @range(5)\n}}\n"),
    );
    invalid(
        "argument_for_a_directive_without_parameters",
        "directive @flag on TYPE\ntype T @flag(on: true) { x: string }\n",
    );
    invalid(
        "missing_argument",
        &format!("{directive}type T {{\n  a: i32 @range(max: 5)\n}}\n"),
    );
    invalid(
        "argument_of_wrong_type",
        &format!("{directive}type T {{\n  a: i32 @range(min: \"zero\")\n}}\n"),
    );
    // Arguments are checked wherever an annotation is allowed, imports included.
    invalid(
        "argument_checked_on_import_and_directive_parameter",
        "directive @since(version: string) on TYPE\n\
         import * from \"x\" @since(version: 2)\n\
         directive @other(p: string @since(version: 3)) on FIELD\n",
    );
}

// ---- types -----------------------------------------------------------------------------------

#[test]
fn unknown_types() {
    assert_valid(
        "type T { a: string b: [T] c: {string: T?} d: U }\nunion U = T | string\ninterface { op(x: T): U }",
    );
    invalid(
        "unknown_type_everywhere",
        "type T {\n  a: Strin\n  b: [Missing]\n  c: {string: Gone?}\n}\nunion U = T | Nope\nalias A = Absent\ninterface {\n  op(x: Lost): Unknown\n}\ndirective @d(x: NoSuch) on TYPE\n",
    );
    invalid(
        "unknown_built_in_type",
        "type T {\n  a: int\n  b: {str: i32}\n}\n",
    );
}

#[test]
fn unknown_types_suggest_the_nearest_name() {
    insta::assert_snapshot!(
        check_err("alias Adress = string\ntype Person { a: Adres b: Persn c: strng d: Nothing e: Strin }\n"),
        @"
    error: unknown type `Adres` in field `a` of type `Person`
     --> test.widl:2:18
      |
    2 | type Person { a: Adres b: Persn c: strng d: Nothing e: Strin }
      |                  ^^^^^
      |
      = note: did you mean `Adress`?

    error: unknown type `Persn` in field `b` of type `Person`
     --> test.widl:2:27
      |
    2 | type Person { a: Adres b: Persn c: strng d: Nothing e: Strin }
      |                           ^^^^^
      |
      = note: did you mean `Person`?

    error: unknown built-in type `strng` in field `c` of type `Person`
     --> test.widl:2:36
      |
    2 | type Person { a: Adres b: Persn c: strng d: Nothing e: Strin }
      |                                    ^^^^^
      |
      = note: did you mean `string`?

    error: unknown type `Nothing` in field `d` of type `Person`
     --> test.widl:2:45
      |
    2 | type Person { a: Adres b: Persn c: strng d: Nothing e: Strin }
      |                                             ^^^^^^^

    error: unknown type `Strin` in field `e` of type `Person`
     --> test.widl:2:56
      |
    2 | type Person { a: Adres b: Persn c: strng d: Nothing e: Strin }
      |                                                        ^^^^^
      |
      = note: did you mean `string`?
    "
    );
}

#[test]
fn roles_are_not_types() {
    assert_valid(
        "role Store { Get(): string }\ntype Item { x: string }\nrole Other { Put(i: Item): Item }",
    );
    invalid(
        "role_used_as_a_type",
        "role Store { Get(): string }\ntype T {\n  s: Store\n}\nunion U = Store | string\ninterface {\n  op(s: [Store]): Store?\n}\n",
    );
}

#[test]
fn void() {
    assert_valid("interface { a(): void b() c{x: string}: void }");
    invalid(
        "void_outside_a_return_type",
        "type T {\n  v: void\n}\ninterface {\n  op(x: void): [void]\n  s(): stream void\n}\nalias V = void\n",
    );
}

#[test]
fn alias_cycles() {
    assert_valid(
        "alias A = B\nalias B = [string]\ntype T { a: A }\ntype Tree { children: [Tree] }",
    );
    invalid("alias_refers_to_itself", "alias Loop = [Loop]?\n");
    invalid(
        "alias_cycle_through_others",
        "alias A = B\nalias B = {string: C}\nalias C = [A]\n",
    );
}

// ---- default values --------------------------------------------------------------------------

#[test]
fn default_values_of_every_primitive() {
    assert_valid(
        r#"type T {
            a: i8 = -128 b: i16 = 32767 c: i32 = -2147483648 d: i64 = 9223372036854775807
            e: u8 = 255 f: u16 = 65535 g: u32 = 4294967295 h: u64 = 0
            i: f32 = 1.5 j: f64 = 2 k: bool = false l: string = "s" m: datetime = "2021-01-01T00:00:00Z"
            n: bytes = "" o: raw = {any: [1, "x", null]} p: raw = 5
        }"#,
    );
    invalid(
        "default_values_wrong_kind",
        "type T {\n  a: i32 = \"1\"\n  b: f64 = true\n  c: bool = 1\n  d: string = 1.5\n  e: datetime = null\n  f: bytes = [1]\n}\n",
    );
}

#[test]
fn default_values_integer_ranges() {
    invalid(
        "default_values_out_of_range",
        "type T {\n  a: i8 = 128\n  b: i16 = -32769\n  c: i32 = 2147483648\n  d: u8 = 256\n  e: u16 = -1\n  f: u32 = 4294967296\n  g: u64 = -1\n}\n",
    );
}

#[test]
fn default_values_lists_maps_and_optionals() {
    assert_valid(
        "type T { a: [i32] = [1, 2] b: [[string]] = [[\"x\"], []] c: {string: i32} = {x: 1, \"y z\": 2} d: [i32]? = null e: [i32?] = [1, null] }",
    );
    invalid(
        "default_values_collections",
        "type T {\n  a: [i32] = 1\n  b: [i32] = [1, \"two\"]\n  c: {string: i32} = [1]\n  d: {string: i32} = {x: true}\n  e: i32 = null\n}\n",
    );
}

#[test]
fn default_values_enums() {
    assert_valid(
        "enum Color { Red = 0 Green = 1 }\ntype T { c: Color = Green d: [Color] = [Red] }",
    );
    invalid(
        "default_values_enums",
        "enum Color {\n  Red = 0\n  Green = 1\n}\ntype T {\n  a: Color = Blue\n  b: Color = \"Red\"\n  c: Color = 0\n}\n",
    );
}

#[test]
fn default_values_objects() {
    assert_valid(
        "type Point { x: i32 y: i32 = 0 label: string? }\ntype T { p: Point = {x: 1} q: [Point] = [{x: 1, y: 2, label: \"q\"}] }",
    );
    invalid(
        "default_values_objects",
        "type Point {\n  x: i32\n  y: i32 = 0\n}\ntype T {\n  a: Point = {x: 1, z: 2}\n  b: Point = {y: 1}\n  c: Point = 5\n  d: Point = {x: \"one\"}\n}\n",
    );
}

#[test]
fn default_values_unions_and_aliases() {
    assert_valid(
        "union U = string | bool\nalias Port = u16\ntype T { a: U = \"s\" b: U = true c: Port = 8080 }",
    );
    invalid(
        "default_values_unions_and_aliases",
        "union U = string | bool\nalias Port = u16\ntype T {\n  a: U = 5\n  b: Port = 70000\n}\n",
    );
}

#[test]
fn default_values_of_parameters_and_directive_parameters() {
    assert_valid(
        "interface { op(a: i32 = 1, b: string = \"x\"): string }\ndirective @d(n: u8 = 1) on TYPE",
    );
    invalid(
        "default_values_of_parameters",
        "interface {\n  op(a: u8 = -1, b: [string] = \"x\"): string\n}\ndirective @d(n: bool = 1) on TYPE\n",
    );
}

// ---- several errors --------------------------------------------------------------------------

#[test]
fn all_errors_are_reported_in_one_run() {
    let input = "namespace \"n\"\n\
                 type person {\n  name: Strin\n  name: string\n}\n\
                 enum Color {\n  Red = 0\n  Blue = 0\n}\n\
                 interface {\n  op(x: void): Person\n}\n\
                 namespace \"again\"\n";
    let errors = check_errors(input);
    assert_eq!(errors.len(), 7, "{errors}");
    invalid("many_errors", input);
}

#[test]
fn the_everything_schema_is_valid() {
    let schema = assert_valid(include_str!("../schemas/everything.widl"));
    assert_eq!(schema.namespace.as_deref(), Some("wapc:everything"));
}

/// Every schema under examples/ is valid (the examples move; the test finds them).
#[test]
fn the_bundled_examples_are_valid() {
    fn widl_files(dir: &std::path::Path, found: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("read a folder").flatten() {
            let path = entry.path();
            if path.is_dir() {
                widl_files(&path, found);
            } else if path.extension().is_some_and(|e| e == "widl") {
                found.push(path);
            }
        }
    }
    let mut found = Vec::new();
    widl_files(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples"),
        &mut found,
    );
    assert!(!found.is_empty(), "no example schemas");
    for path in found {
        if let Err(errors) = common::load(&path, &[]) {
            panic!("{} is invalid:\n{errors}", path.display());
        }
    }
}
