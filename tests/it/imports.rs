//! Import resolution: where imports are looked for, what they bring in, and what goes wrong.
//!
//! Each test writes its schemas into its own folder under Cargo's temporary folder; paths in
//! snapshots are shown as `[DIR]`.

use crate::common;

use std::path::Path;
use std::process::Command;

use common::{load, scratch_dir, stable_paths, write};
use wapc_codegen::model::Schema;

/// One line per definition in the loaded schema: kind, name, where it came from.
fn summary(schema: &Schema, dir: &Path) -> String {
    schema
        .definitions
        .iter()
        .map(|d| {
            let name = d
                .definition
                .name()
                .map(|n| format!(" {}", n.value))
                .unwrap_or_default();
            let origin = if d.imported { "imported from" } else { "in" };
            format!(
                "{}{name} ({origin} {})",
                d.definition.keyword(),
                stable_paths(&d.file, dir)
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Loads `main.widl` from `dir`, which must be valid, and summarizes it.
fn load_ok(dir: &Path, includes: &[&Path]) -> String {
    match load(&dir.join("main.widl"), includes) {
        Ok(schema) => summary(&schema, dir),
        Err(errors) => panic!("expected a valid schema, got:\n{errors}"),
    }
}

/// Loads `main.widl` from `dir`, which must be invalid, and renders the errors.
fn load_err(dir: &Path, includes: &[&Path]) -> String {
    match load(&dir.join("main.widl"), includes) {
        Ok(schema) => panic!("expected errors, got:\n{}", summary(&schema, dir)),
        Err(errors) => stable_paths(&errors.to_string(), dir),
    }
}

const PEOPLE: &str = r#"
namespace "people"

type Person {
  name: string
  address: Address?
}

type Address {
  street: string
  country: Country
}

enum Country { NL = 0 FR = 1 }

type Unrelated { x: string }

directive @pii on FIELD

role Directory { Find(name: string): Person }

interface { ping(): string }
"#;

// ---- where imports are found -----------------------------------------------------------------

#[test]
fn relative_to_the_importing_file() {
    let dir = scratch_dir("imports/relative");
    write(
        &dir,
        "main.widl",
        "import * from \"lib/people\"\ntype Team { lead: Person }\n",
    );
    // `lib/people` imports its neighbour relative to itself, not to main.widl.
    write(
        &dir,
        "lib/people.widl",
        "import * from \"country\"\ntype Person { from: Country }\n",
    );
    write(&dir, "lib/country.widl", "enum Country { NL = 0 }\n");
    // A decoy where main.widl is: it must not be the one found for lib/people.widl.
    write(&dir, "country.widl", "enum Decoy { X = 0 }\n");
    insta::assert_snapshot!(load_ok(&dir, &[]), @r"
    import (in [DIR]/main.widl)
    enum Country (imported from [DIR]/lib/country.widl)
    type Person (imported from [DIR]/lib/people.widl)
    type Team (in [DIR]/main.widl)
    ");
}

#[test]
fn parent_folders_and_explicit_extensions() {
    let dir = scratch_dir("imports/parent");
    write(
        &dir,
        "api/main.widl",
        "import * from \"../shared/types.widl\"\ntype T { i: Id }\n",
    );
    write(&dir, "shared/types.widl", "alias Id = string\n");
    // Outside the schema's folder: readable only inside the project folder that holds both.
    let paths = wapc_codegen::model::ImportPaths::only(Vec::new()).within(&dir);
    let schema = wapc_codegen::model::load(&dir.join("api/main.widl"), &paths).unwrap();
    insta::assert_snapshot!(summary(&schema, &dir), @r"
    import (in [DIR]/api/main.widl)
    alias Id (imported from [DIR]/api/../shared/types.widl)
    type T (in [DIR]/api/main.widl)
    ");
}

#[test]
fn folder_with_an_index_file() {
    let dir = scratch_dir("imports/index");
    write(
        &dir,
        "main.widl",
        "import * from \"wapc/core\"\ntype T { c: Core }\n",
    );
    write(&dir, "wapc/core/index.widl", "type Core { x: string }\n");
    insta::assert_snapshot!(load_ok(&dir, &[]), @r"
    import (in [DIR]/main.widl)
    type Core (imported from [DIR]/wapc/core/index.widl)
    type T (in [DIR]/main.widl)
    ");
}

#[test]
fn a_file_wins_over_a_folder_index() {
    let dir = scratch_dir("imports/file_first");
    write(&dir, "main.widl", "import * from \"core\"\n");
    write(&dir, "core.widl", "type FromFile { x: string }\n");
    write(&dir, "core/index.widl", "type FromIndex { x: string }\n");
    insta::assert_snapshot!(load_ok(&dir, &[]), @r"
    import (in [DIR]/main.widl)
    type FromFile (imported from [DIR]/core.widl)
    ");
}

#[test]
fn include_folders_in_order() {
    let dir = scratch_dir("imports/includes");
    write(
        &dir,
        "api/main.widl",
        "import * from \"shared\"\nimport * from \"other\"\n",
    );
    write(&dir, "first/shared.widl", "type First { x: string }\n");
    write(&dir, "second/shared.widl", "type Second { x: string }\n");
    write(
        &dir,
        "second/other/index.widl",
        "type Other { x: string }\n",
    );
    let schema = load(
        &dir.join("api/main.widl"),
        &[&dir.join("first"), &dir.join("second")],
    )
    .unwrap();
    insta::assert_snapshot!(summary(&schema, &dir), @r"
    import (in [DIR]/api/main.widl)
    type First (imported from [DIR]/first/shared.widl)
    import (in [DIR]/api/main.widl)
    type Other (imported from [DIR]/second/other/index.widl)
    ");
}

#[test]
fn the_importing_folder_wins_over_include_folders() {
    let dir = scratch_dir("imports/local_first");
    write(&dir, "main.widl", "import * from \"shared\"\n");
    write(&dir, "shared.widl", "type Local { x: string }\n");
    write(&dir, "inc/shared.widl", "type Included { x: string }\n");
    insta::assert_snapshot!(load_ok(&dir, &[&dir.join("inc")]), @r"
    import (in [DIR]/main.widl)
    type Local (imported from [DIR]/shared.widl)
    ");
}

/// `$WAPC_HOME/definitions` comes last. It is read from the environment, so it is tested
/// through the binary, with the variable set for that process only.
#[test]
fn wapc_home_definitions_come_after_include_folders() {
    let dir = scratch_dir("imports/wapc_home");
    write(
        &dir,
        "main.widl",
        "import * from \"wasmcloud/core\"\nimport * from \"only-home\"\ntype T { a: Core b: HomeOnly }\n",
    );
    write(
        &dir,
        "home/definitions/wasmcloud/core.widl",
        "type Core { home: string }\n",
    );
    write(
        &dir,
        "home/definitions/only-home/index.widl",
        "type HomeOnly { x: string }\n",
    );
    write(
        &dir,
        "inc/wasmcloud/core.widl",
        "type Core { included: string }\n",
    );

    let ast = |includes: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_wapc"))
            .current_dir(&dir)
            .env("WAPC_HOME", "home")
            .arg("ast")
            .arg("main.widl")
            .args(includes.iter().flat_map(|i| ["-I", i]))
            .output()
            .expect("run wapc");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        json["definitions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["kind"] == "Type" && d["name"]["value"] == "Core")
            .map(|d| d["file"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(ast(&[]), ["home/definitions/wasmcloud/core.widl"]);
    assert_eq!(ast(&["inc"]), ["inc/wasmcloud/core.widl"]);
}

#[test]
fn missing_import_lists_every_place_searched() {
    let dir = scratch_dir("imports/missing");
    write(
        &dir,
        "main.widl",
        "namespace \"n\"\n\nimport * from \"wapc/nothing\"\n",
    );
    insta::assert_snapshot!(load_err(&dir, &[&dir.join("inc")]), @r#"
    error: cannot find the import `wapc/nothing`
     --> [DIR]/main.widl:3:15
      |
    3 | import * from "wapc/nothing"
      |               ^^^^^^^^^^^^^^
      |
      = note: looked for [DIR]/wapc/nothing.widl
      = note: looked for [DIR]/wapc/nothing/index.widl
      = note: looked for [DIR]/inc/wapc/nothing.widl
      = note: looked for [DIR]/inc/wapc/nothing/index.widl
    "#);
}

#[test]
fn missing_import_through_the_binary_lists_wapc_home_too() {
    let dir = scratch_dir("imports/missing_cli");
    write(&dir, "main.widl", "import { A } from \"gone.widl\"\n");
    let output = Command::new(env!("CARGO_BIN_EXE_wapc"))
        .current_dir(&dir)
        .env("WAPC_HOME", "home")
        .args(["check", "main.widl", "--include", "inc"])
        .output()
        .expect("run wapc");
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(String::from_utf8_lossy(&output.stderr), @r#"
    error: cannot find the import `gone.widl`
     --> main.widl:1:19
      |
    1 | import { A } from "gone.widl"
      |                   ^^^^^^^^^^^
      |
      = note: looked for gone.widl
      = note: looked for inc/gone.widl
      = note: looked for home/definitions/gone.widl
    "#);
}

#[test]
fn a_folder_is_not_an_import() {
    let dir = scratch_dir("imports/folder");
    write(&dir, "main.widl", "import * from \"things.widl\"\n");
    std::fs::create_dir_all(dir.join("things.widl")).unwrap();
    insta::assert_snapshot!(load_err(&dir, &[]), @r#"
    error: cannot find the import `things.widl`
     --> [DIR]/main.widl:1:15
      |
    1 | import * from "things.widl"
      |               ^^^^^^^^^^^^^
      |
      = note: looked for [DIR]/things.widl
    "#);
}

#[test]
fn missing_schema_file() {
    let dir = scratch_dir("imports/no_schema");
    let errors = load(&dir.join("absent.widl"), &[]).unwrap_err();
    insta::assert_snapshot!(stable_paths(&errors.to_string(), &dir), @"
    error: cannot read `[DIR]/absent.widl`: no such file
    --> [DIR]/absent.widl
    ");
}

// ---- what imports bring in -------------------------------------------------------------------

#[test]
fn import_everything_brings_every_named_definition_but_the_namespace_and_interface() {
    let dir = scratch_dir("imports/all");
    write(
        &dir,
        "main.widl",
        "namespace \"main\"\nimport * from \"people\"\n",
    );
    write(&dir, "people.widl", PEOPLE);
    insta::assert_snapshot!(load_ok(&dir, &[]), @r"
    namespace main (in [DIR]/main.widl)
    import (in [DIR]/main.widl)
    type Person (imported from [DIR]/people.widl)
    type Address (imported from [DIR]/people.widl)
    enum Country (imported from [DIR]/people.widl)
    type Unrelated (imported from [DIR]/people.widl)
    directive pii (imported from [DIR]/people.widl)
    role Directory (imported from [DIR]/people.widl)
    ");
}

#[test]
fn named_imports_bring_what_they_name_and_its_dependencies() {
    let dir = scratch_dir("imports/named");
    write(
        &dir,
        "main.widl",
        "import { Person, pii } from \"people\"\ntype Team {\n  lead: Person @pii\n  where: Address\n}\n",
    );
    write(&dir, "people.widl", PEOPLE);
    // `Address` and `Country` come along with `Person`; `Unrelated` does not.
    insta::assert_snapshot!(load_ok(&dir, &[]), @r"
    import (in [DIR]/main.widl)
    type Person (imported from [DIR]/people.widl)
    type Address (imported from [DIR]/people.widl)
    enum Country (imported from [DIR]/people.widl)
    directive pii (imported from [DIR]/people.widl)
    type Team (in [DIR]/main.widl)
    ");
}

#[test]
fn named_imports_leave_the_rest_out_of_scope() {
    let dir = scratch_dir("imports/named_scope");
    write(
        &dir,
        "main.widl",
        "import { Country } from \"people\"\ntype Team {\n  lead: Person\n  from: Country\n}\n",
    );
    write(&dir, "people.widl", PEOPLE);
    insta::assert_snapshot!(load_err(&dir, &[]), @r"
    error: unknown type `Person` in field `lead` of type `Team`
     --> [DIR]/main.widl:3:9
      |
    3 |   lead: Person
      |         ^^^^^^
    ");
}

#[test]
fn named_imports_with_as() {
    let dir = scratch_dir("imports/as");
    write(
        &dir,
        "main.widl",
        "import { Person as Human, Country as Land } from \"people\"\ntype Team {\n  lead: Human\n  home: Land = NL\n}\n",
    );
    write(&dir, "people.widl", PEOPLE);
    insta::assert_snapshot!(load_ok(&dir, &[]), @r"
    import (in [DIR]/main.widl)
    type Human (imported from [DIR]/people.widl)
    type Address (imported from [DIR]/people.widl)
    enum Country (imported from [DIR]/people.widl)
    enum Land (imported from [DIR]/people.widl)
    type Team (in [DIR]/main.widl)
    ");
}

#[test]
fn the_original_name_of_a_renamed_import_is_not_in_scope() {
    let dir = scratch_dir("imports/as_scope");
    write(
        &dir,
        "main.widl",
        "import { Person as Human } from \"people\"\ntype Team {\n  lead: Person\n}\n",
    );
    write(&dir, "people.widl", PEOPLE);
    insta::assert_snapshot!(load_err(&dir, &[]), @r"
    error: unknown type `Person` in field `lead` of type `Team`
     --> [DIR]/main.widl:3:9
      |
    3 |   lead: Person
      |         ^^^^^^
    ");
}

#[test]
fn imports_are_transitive() {
    let dir = scratch_dir("imports/transitive");
    write(
        &dir,
        "main.widl",
        "import * from \"b\"\ntype Top { b: B c: C }\n",
    );
    write(&dir, "b.widl", "import * from \"c\"\ntype B { c: C }\n");
    write(&dir, "c.widl", "type C { x: string }\n");
    insta::assert_snapshot!(load_ok(&dir, &[]), @r"
    import (in [DIR]/main.widl)
    type C (imported from [DIR]/c.widl)
    type B (imported from [DIR]/b.widl)
    type Top (in [DIR]/main.widl)
    ");
}

#[test]
fn named_import_of_a_definition_its_file_imported() {
    let dir = scratch_dir("imports/named_transitive");
    write(
        &dir,
        "main.widl",
        "import { B } from \"b\"\ntype Top { b: B }\n",
    );
    write(&dir, "b.widl", "import { C } from \"c\"\ntype B { c: C }\n");
    write(
        &dir,
        "c.widl",
        "type C { d: D }\ntype D { x: string }\ntype E { x: string }\n",
    );
    insta::assert_snapshot!(load_ok(&dir, &[]), @r"
    import (in [DIR]/main.widl)
    type B (imported from [DIR]/b.widl)
    type C (imported from [DIR]/c.widl)
    type D (imported from [DIR]/c.widl)
    type Top (in [DIR]/main.widl)
    ");
}

#[test]
fn a_file_reached_twice_is_one_definition() {
    let dir = scratch_dir("imports/diamond");
    write(
        &dir,
        "main.widl",
        "import * from \"left\"\nimport * from \"right\"\ntype Top { l: L r: R s: Shared }\n",
    );
    write(
        &dir,
        "left.widl",
        "import * from \"shared\"\ntype L { s: Shared }\n",
    );
    write(
        &dir,
        "right.widl",
        "import { Shared } from \"shared\"\ntype R { s: Shared }\n",
    );
    write(&dir, "shared.widl", "type Shared { x: string }\n");
    let schema = load(&dir.join("main.widl"), &[]).unwrap();
    // Each file is read once, however many files import it.
    let files: Vec<String> = schema
        .files
        .iter()
        .map(|f| stable_paths(&f.name, &dir))
        .collect();
    assert_eq!(
        files,
        [
            "[DIR]/main.widl",
            "[DIR]/left.widl",
            "[DIR]/shared.widl",
            "[DIR]/right.widl"
        ]
    );
}

// ---- what goes wrong -------------------------------------------------------------------------

#[test]
fn importing_a_name_the_file_does_not_define() {
    let dir = scratch_dir("imports/undefined_name");
    write(
        &dir,
        "main.widl",
        "import { Person, Persn, Directory } from \"people\"\n",
    );
    write(&dir, "people.widl", PEOPLE);
    // A role is not a type: it cannot be imported by name.
    insta::assert_snapshot!(load_err(&dir, &[]), @r#"
    error: `Persn` is not defined in `people`
     --> [DIR]/main.widl:1:18
      |
    1 | import { Person, Persn, Directory } from "people"
      |                  ^^^^^

    error: `Directory` is not defined in `people`
     --> [DIR]/main.widl:1:25
      |
    1 | import { Person, Persn, Directory } from "people"
      |                         ^^^^^^^^^
    "#);
}

#[test]
fn import_cycle() {
    let dir = scratch_dir("imports/cycle");
    write(&dir, "main.widl", "import * from \"a\"\n");
    write(
        &dir,
        "a.widl",
        "import * from \"b\"\ntype A { x: string }\n",
    );
    write(
        &dir,
        "b.widl",
        "import * from \"a\"\ntype B { x: string }\n",
    );
    insta::assert_snapshot!(load_err(&dir, &[]), @r#"
    error: import cycle: a.widl → b.widl → a.widl
     --> [DIR]/b.widl:1:15
      |
    1 | import * from "a"
      |               ^^^
    "#);
}

#[test]
fn a_file_importing_itself() {
    let dir = scratch_dir("imports/self");
    write(
        &dir,
        "main.widl",
        "import * from \"main.widl\"\ntype A { x: string }\n",
    );
    insta::assert_snapshot!(load_err(&dir, &[]), @r#"
    error: import cycle: main.widl → main.widl
     --> [DIR]/main.widl:1:15
      |
    1 | import * from "main.widl"
      |               ^^^^^^^^^^^
    "#);
}

#[test]
fn imports_nested_too_deeply() {
    let dir = scratch_dir("imports/deep");
    let depth = wapc_codegen::limits::MAX_IMPORT_DEPTH + 1;
    write(&dir, "main.widl", "import * from \"f1\"\n");
    for i in 1..=depth {
        write(
            &dir,
            &format!("f{i}.widl"),
            &format!("import * from \"f{}\"\n", i + 1),
        );
    }
    write(
        &dir,
        &format!("f{}.widl", depth + 1),
        "type End { x: string }\n",
    );
    let rendered = load_err(&dir, &[]);
    insta::assert_snapshot!(rendered, @r#"
    error: imports nest more than 64 files deep
     --> [DIR]/f63.widl:1:15
      |
    1 | import * from "f64"
      |               ^^^^^
    "#);
}

#[test]
fn errors_in_an_imported_file_point_into_it() {
    let dir = scratch_dir("imports/errors_inside");
    write(
        &dir,
        "main.widl",
        "import * from \"bad\"\nimport * from \"broken\"\ntype T { x: Good }\n",
    );
    write(&dir, "bad.widl", "type Good {\n  x: Missing\n}\n");
    write(&dir, "broken.widl", "type Broken {\n  x string\n}\n");
    insta::assert_snapshot!(load_err(&dir, &[]), @r"
    error: unknown type `Missing` in field `x` of type `Good`
     --> [DIR]/bad.widl:2:6
      |
    2 |   x: Missing
      |      ^^^^^^^

    error: expected `:`, found `string`
     --> [DIR]/broken.widl:2:5
      |
    2 |   x string
      |     ^^^^^^
    ");
}

#[test]
fn imported_file_that_is_not_utf8() {
    let dir = scratch_dir("imports/not_utf8");
    write(&dir, "main.widl", "import * from \"latin1\"\n");
    std::fs::write(
        dir.join("latin1.widl"),
        b"# caf\xe9\ntype T { x: string }\n",
    )
    .unwrap();
    // Not text: the line is not quoted (it might be a secret).
    insta::assert_snapshot!(load_err(&dir, &[]), @"
    error: the file is not valid UTF-8
    --> [DIR]/latin1.widl:1:6
     = note: the line is not shown: the file is not text
    ");
}

#[test]
fn a_local_definition_clashing_with_an_import() {
    let dir = scratch_dir("imports/clash_local");
    write(
        &dir,
        "main.widl",
        "import * from \"people\"\n\ntype Person { id: string }\n",
    );
    write(&dir, "people.widl", PEOPLE);
    insta::assert_snapshot!(load_err(&dir, &[]), @"
    error: `Person` is defined more than once
     --> [DIR]/main.widl:3:6
      |
    3 | type Person { id: string }
      |      ^^^^^^
      |
      = note: the other definition is imported from `[DIR]/people.widl`
    ");
}

#[test]
fn two_imports_clashing() {
    let dir = scratch_dir("imports/clash_imports");
    write(
        &dir,
        "main.widl",
        "import * from \"one\"\nimport * from \"two\"\n",
    );
    write(&dir, "one.widl", "type Thing { one: string }\n");
    write(&dir, "two.widl", "type Thing { two: string }\n");
    insta::assert_snapshot!(load_err(&dir, &[]), @"
    error: `Thing` is imported more than once, from different definitions
    --> [DIR]/main.widl
    ");
}

#[test]
fn renaming_avoids_a_clash() {
    let dir = scratch_dir("imports/clash_renamed");
    write(
        &dir,
        "main.widl",
        "import * from \"one\"\nimport { Thing as OtherThing } from \"two\"\ntype T { a: Thing b: OtherThing }\n",
    );
    write(&dir, "one.widl", "type Thing { one: string }\n");
    write(&dir, "two.widl", "type Thing { two: string }\n");
    insta::assert_snapshot!(load_ok(&dir, &[]), @r"
    import (in [DIR]/main.widl)
    type Thing (imported from [DIR]/one.widl)
    import (in [DIR]/main.widl)
    type OtherThing (imported from [DIR]/two.widl)
    type T (in [DIR]/main.widl)
    ");
}

#[test]
fn imported_directives_check_annotations() {
    let dir = scratch_dir("imports/directives");
    write(
        &dir,
        "main.widl",
        "import { pii } from \"people\"\ntype T @pii {\n  x: string @pii\n}\n",
    );
    write(&dir, "people.widl", PEOPLE);
    insta::assert_snapshot!(load_err(&dir, &[]), @"
    error: `@pii` cannot be used on a type
     --> [DIR]/main.widl:2:8
      |
    2 | type T @pii {
      |        ^^^^
      |
      = note: directive `@pii` is declared for a field
    ");
}
