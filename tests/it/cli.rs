//! The `wapc` binary: exit codes, what goes to stdout and stderr.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{scratch_dir, write};

const VALID: &str = r#"namespace "greeting"

"A person to greet."
type Person {
  name: string
  title: string?
}

interface {
  greet{person: Person}: string
}
"#;

const INVALID: &str = r#"namespace "greeting"

type Person {
  name: Strin
}
"#;

/// Runs `wapc` in `dir` (so that paths in messages are relative to it), without
/// `$WAPC_HOME` pointing anywhere real.
pub(crate) fn wapc(dir: &Path, args: &[&str]) -> Output {
    wapc_with_env(dir, args, &[])
}

/// Runs `wapc` as [`wapc`] does, with `env` set and no colour setting inherited.
fn wapc_with_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wapc"))
        .current_dir(dir)
        .env("WAPC_HOME", dir.join("no-wapc-home"))
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR")
        .envs(env.iter().copied())
        .args(args)
        .output()
        .expect("run wapc")
}

/// Runs `wapc` as [`wapc`] does, with `input` on its stdin.
pub(crate) fn wapc_with_stdin(dir: &Path, args: &[&str], input: &[u8]) -> Output {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_wapc"))
        .current_dir(dir)
        .env("WAPC_HOME", dir.join("no-wapc-home"))
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run wapc");
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let input = input.to_vec();
    // wapc may stop reading early (at its size limit), so the write may fail.
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let output = child.wait_with_output().expect("wait for wapc");
    let _ = writer.join();
    output
}

pub(crate) fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8")
}

/// A folder holding `valid.widl`, `invalid.widl` and `other.widl` (also invalid).
fn schemas(name: &str) -> PathBuf {
    let dir = scratch_dir(&format!("cli/{name}"));
    write(&dir, "valid.widl", VALID);
    write(&dir, "invalid.widl", INVALID);
    write(&dir, "other.widl", "type T {\n  x: string\n  x: i32\n}\n");
    dir
}

// ---- check -----------------------------------------------------------------------------------

#[test]
fn check_valid_schema_prints_nothing() {
    let dir = schemas("check_valid");
    let output = wapc(&dir, &["check", "valid.widl"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "");
    assert_eq!(stderr(&output), "");
}

#[test]
fn check_invalid_schema_exits_1_with_the_errors_on_stderr() {
    let dir = schemas("check_invalid");
    let output = wapc(&dir, &["check", "invalid.widl"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "");
    insta::assert_snapshot!(stderr(&output), @"
    error: unknown type `Strin` in field `name` of type `Person`
     --> invalid.widl:4:9
      |
    4 |   name: Strin
      |         ^^^^^
      |
      = note: did you mean `string`?
    ");
}

#[test]
fn check_several_files_reports_every_invalid_one() {
    let dir = schemas("check_several");
    let output = wapc(&dir, &["check", "invalid.widl", "valid.widl", "other.widl"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "");
    insta::assert_snapshot!(stderr(&output), @"
    error: unknown type `Strin` in field `name` of type `Person`
     --> invalid.widl:4:9
      |
    4 |   name: Strin
      |         ^^^^^
      |
      = note: did you mean `string`?
    error: field `x` is defined more than once in type `T`
     --> other.widl:3:3
      |
    2 |   x: string
      |   - first defined here
    3 |   x: i32
      |   ^
    ");
}

#[test]
fn check_several_valid_files() {
    let dir = schemas("check_several_valid");
    write(&dir, "second.widl", "type Second { x: string }\n");
    let output = wapc(&dir, &["check", "valid.widl", "second.widl"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stderr(&output), "");
}

#[test]
fn check_counts_errors_when_there_are_several() {
    let dir = schemas("check_count");
    write(
        &dir,
        "many.widl",
        "type T {\n  a: Nope\n  b: Nada\n}\nenum e { A = 0 }\n",
    );
    let output = wapc(&dir, &["check", "many.widl"]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(stderr(&output), @r"
    error: unknown type `Nope` in field `a` of type `T`
     --> many.widl:2:6
      |
    2 |   a: Nope
      |      ^^^^

    error: unknown type `Nada` in field `b` of type `T`
     --> many.widl:3:6
      |
    3 |   b: Nada
      |      ^^^^

    error: enum name `e` should be PascalCase, like `E`
     --> many.widl:5:6
      |
    5 | enum e { A = 0 }
      |      ^

    error: 3 errors found
    ");
}

#[test]
fn check_a_syntax_error() {
    let dir = schemas("check_syntax");
    write(&dir, "broken.widl", "type T {\n  x string\n}\n");
    let output = wapc(&dir, &["check", "broken.widl"]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(stderr(&output), @r"
    error: expected `:`, found `string`
     --> broken.widl:2:5
      |
    2 |   x string
      |     ^^^^^^
    ");
}

#[test]
fn check_a_missing_file_names_it() {
    let dir = schemas("check_missing");
    let output = wapc(&dir, &["check", "nowhere/absent.widl"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "");
    insta::assert_snapshot!(stderr(&output), @"
    error: cannot read `nowhere/absent.widl`: no such file
    --> nowhere/absent.widl
    ");
}

#[test]
fn check_a_folder() {
    let dir = schemas("check_folder");
    std::fs::create_dir_all(dir.join("folder.widl")).unwrap();
    let output = wapc(&dir, &["check", "folder.widl"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).starts_with("error: cannot read `folder.widl`: "),
        "{}",
        stderr(&output)
    );
}

#[test]
fn check_with_an_include_folder() {
    let dir = schemas("check_include");
    write(
        &dir,
        "api/main.widl",
        "import * from \"shared\"\ntype T { s: Shared }\n",
    );
    write(&dir, "lib/shared.widl", "type Shared { x: string }\n");
    let without = wapc(&dir, &["check", "api/main.widl"]);
    assert_eq!(without.status.code(), Some(1));
    assert!(stderr(&without).contains("cannot find the import `shared`"));
    for flag in ["-I", "--include"] {
        let with = wapc(&dir, &["check", "api/main.widl", flag, "lib"]);
        assert_eq!(with.status.code(), Some(0), "{}", stderr(&with));
    }
}

#[test]
fn check_reads_stdin_for_a_dash() {
    let dir = schemas("check_stdin");
    let valid = wapc_with_stdin(&dir, &["check", "-"], VALID.as_bytes());
    assert_eq!(valid.status.code(), Some(0), "{}", stderr(&valid));
    let invalid = wapc_with_stdin(&dir, &["check", "valid.widl", "-"], INVALID.as_bytes());
    assert_eq!(invalid.status.code(), Some(1));
    insta::assert_snapshot!(stderr(&invalid), @"
    error: unknown type `Strin` in field `name` of type `Person`
     --> <stdin>:4:9
      |
    4 |   name: Strin
      |         ^^^^^
      |
      = note: did you mean `string`?
    ");
}

#[test]
fn stdin_is_refused_past_the_schema_size_limit() {
    let dir = schemas("check_stdin_large");
    let huge = vec![b' '; (16 << 20) + 1];
    let output = wapc_with_stdin(&dir, &["check", "-"], &huge);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(stderr(&output), @"error: cannot read <stdin>: it is more than 16 MiB; a schema may be at most 16 MiB");
}

// ---- ast -------------------------------------------------------------------------------------

#[test]
fn ast_pretty_prints_the_schema_as_json() {
    let dir = schemas("ast_pretty");
    let output = wapc(&dir, &["ast", "valid.widl", "--pretty"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stderr(&output), "");
    let text = stdout(&output);
    assert!(text.lines().count() > 10, "not indented:\n{text}");
    let json: serde_json::Value = serde_json::from_str(&text).expect("stdout is JSON");
    assert_eq!(json["file"], "valid.widl");
    assert_eq!(json["namespace"], "greeting");
    let definitions = json["definitions"].as_array().unwrap();
    let kinds: Vec<&str> = definitions
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["Namespace", "Type", "Interface"]);
    let person = &definitions[1];
    assert_eq!(person["name"]["value"], "Person");
    assert_eq!(person["description"]["value"], "A person to greet.");
    assert_eq!(person["imported"], false);
    assert_eq!(person["fields"][1]["type"]["kind"], "Optional");
    let greet = &definitions[2]["operations"][0];
    assert_eq!(greet["unary"], true);
    assert_eq!(greet["returns"]["name"]["value"], "string");
    // Spans are byte offsets into the file.
    let span = &person["name"]["span"];
    let (start, end) = (
        span["start"].as_u64().unwrap() as usize,
        span["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&VALID[start..end], "Person");
}

#[test]
fn ast_without_pretty_is_one_line_of_the_same_json() {
    let dir = schemas("ast_compact");
    let compact = wapc(&dir, &["ast", "valid.widl"]);
    let pretty = wapc(&dir, &["ast", "--pretty", "valid.widl"]);
    assert_eq!(compact.status.code(), Some(0));
    assert_eq!(stdout(&compact).lines().count(), 1);
    let a: serde_json::Value = serde_json::from_slice(&compact.stdout).unwrap();
    let b: serde_json::Value = serde_json::from_slice(&pretty.stdout).unwrap();
    assert_eq!(a, b);
}

#[test]
fn ast_of_an_invalid_schema_prints_errors_only() {
    let dir = schemas("ast_invalid");
    let output = wapc(&dir, &["ast", "invalid.widl"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "");
    assert!(stderr(&output).starts_with("error: unknown type `Strin`"));
}

#[test]
fn ast_of_a_missing_file_names_it() {
    let dir = schemas("ast_missing");
    let output = wapc(&dir, &["ast", "gone.widl"]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(stderr(&output), @"
    error: cannot read `gone.widl`: no such file
    --> gone.widl
    ");
}

#[test]
fn ast_includes_imported_definitions() {
    let dir = schemas("ast_imports");
    write(
        &dir,
        "main.widl",
        "import { Person } from \"valid\"\ntype Team { lead: Person }\n",
    );
    let output = wapc(&dir, &["ast", "main.widl"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let brought: Vec<(&str, &str, bool)> = json["definitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["kind"].as_str().unwrap(),
                d["file"].as_str().unwrap(),
                d["imported"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        brought,
        [
            ("Import", "main.widl", false),
            ("Type", "valid.widl", true),
            ("Type", "main.widl", false)
        ]
    );
}

#[test]
fn ast_reads_stdin_with_imports_from_the_working_directory() {
    let dir = schemas("ast_stdin");
    let main = "import { Person } from \"valid\"\ntype Team { lead: Person }\n";
    let output = wapc_with_stdin(&dir, &["ast", "-"], main.as_bytes());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["file"], "<stdin>");
    assert_eq!(json["definitions"][1]["file"], "valid.widl");
}

// ---- generate ------------------------------------------------------------------------------

/// A project with `codegen.yaml` (one rust/module output, `--no-format` keeps it quick) and a
/// `deep/sub` folder to run from.
fn project(name: &str) -> PathBuf {
    let dir = schemas(name);
    write(
        &dir,
        "codegen.yaml",
        "schema: valid.widl\ngenerates:\n  out/module.rs: {template: rust/module}\n",
    );
    std::fs::create_dir_all(dir.join("deep/sub")).unwrap();
    dir
}

#[test]
fn generate_finds_codegen_yaml_in_a_parent_folder() {
    let dir = project("generate_parent");
    let output = wapc(&dir.join("deep/sub"), &["generate", "--no-format"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // Output paths stay relative to the file found, and are shown from where wapc ran.
    assert_eq!(stdout(&output), "written    ../../out/module.rs\n");
    assert!(dir.join("out/module.rs").is_file());
}

#[test]
fn generate_a_folder_uses_its_codegen_yaml() {
    let dir = project("generate_dir");
    std::fs::rename(dir.join("codegen.yaml"), dir.join("deep/codegen.yaml")).unwrap();
    write(&dir, "deep/valid.widl", VALID);
    let output = wapc(&dir, &["generate", "--no-format", "deep"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "written    deep/out/module.rs\n");
    let missing = wapc(&dir, &["generate", "deep/sub"]);
    assert_eq!(missing.status.code(), Some(1));
    insta::assert_snapshot!(stderr(&missing), @"
    error: cannot read `deep/sub/codegen.yaml`: no such file
    --> deep/sub/codegen.yaml
    ");
}

#[test]
fn generate_without_a_codegen_yaml_says_where_it_looked() {
    // Outside the repository, whose folders above might hold a codegen.yaml.
    let dir = tempfile::tempdir().unwrap();
    let output = wapc(dir.path(), &["generate"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "");
    let cwd = dir.path().canonicalize().unwrap();
    assert_eq!(
        stderr(&output),
        format!(
            "error: no codegen.yaml in `{}` or any folder above it\n |\n = help: name one: `wapc generate path/to/codegen.yaml` (or its folder)\n",
            cwd.display()
        )
    );
}

#[test]
fn misspelt_templates_and_roles_suggest_the_nearest_name() {
    let dir = project("generate_suggestions");
    write(
        &dir,
        "valid.widl",
        &format!("{VALID}\nrole Store {{ get(): string }}\n"),
    );
    write(
        &dir,
        "codegen.yaml",
        "schema: valid.widl\ngenerates:\n  a.rs: {template: rust/modul}\n",
    );
    let output = wapc(&dir, &["generate", "--no-format"]);
    assert_eq!(output.status.code(), Some(1));
    let errors = stderr(&output);
    assert!(
        errors.contains(
            "unknown template `rust/modul` (did you mean `rust/module`?); the templates are: "
        ),
        "{errors}"
    );
    write(
        &dir,
        "codegen.yaml",
        "schema: valid.widl\ngenerates:\n  b.rs:\n    template: rust/module\n    config: {hostRoles: [Stor]}\n",
    );
    let output = wapc(&dir, &["generate", "--no-format"]);
    assert_eq!(output.status.code(), Some(1));
    let errors = stderr(&output);
    assert!(
        errors.contains("`hostRoles` names the role `Stor`, which the schema does not define (did you mean `Store`?); its roles are Store"),
        "{errors}"
    );
}

#[test]
fn misspelt_project_templates_and_variables_suggest_the_nearest_name() {
    let dir = scratch_dir("cli/new_suggestions");
    let template = wapc(&dir, &["new", "rsut", "greeter"]);
    assert_eq!(template.status.code(), Some(1));
    assert!(
        stderr(&template).starts_with("error: no project template `rsut` (did you mean `rust`?): "),
        "{}",
        stderr(&template)
    );
    let variable = wapc(&dir, &["new", "rust", "greeter", "descripton=Hi"]);
    assert_eq!(variable.status.code(), Some(1));
    assert!(
        stderr(&variable).starts_with(
            "error: the template `rust` has no variable `descripton` (did you mean `description`?); "
        ),
        "{}",
        stderr(&variable)
    );
}

// ---- verbosity -----------------------------------------------------------------------------

#[test]
fn quiet_prints_errors_only() {
    let dir = project("quiet");
    let generated = wapc(&dir, &["generate", "-q", "--no-format"]);
    assert_eq!(generated.status.code(), Some(0), "{}", stderr(&generated));
    assert_eq!(stdout(&generated), "");
    assert_eq!(stderr(&generated), "");
    assert!(dir.join("out/module.rs").is_file());
    let created = wapc(&dir, &["--quiet", "new", "rust", "greeter"]);
    assert_eq!(created.status.code(), Some(0), "{}", stderr(&created));
    assert_eq!(stdout(&created), "");
    assert!(dir.join("greeter").is_dir());
    let invalid = wapc(&dir, &["-q", "check", "invalid.widl"]);
    assert_eq!(invalid.status.code(), Some(1));
    assert!(stderr(&invalid).starts_with("error: unknown type `Strin`"));
}

#[test]
fn verbose_says_what_was_read_rendered_and_how_long_it_took() {
    let dir = project("verbose");
    write(
        &dir,
        "main.widl",
        "import * from \"valid\"\ntype T { p: Person }\n",
    );
    write(
        &dir,
        "codegen.yaml",
        "schema: main.widl\ngenerates:\n  out/module.rs: {template: rust/module}\n  out/lib.rs: {template: rust/scaffold}\n",
    );
    let output = wapc(&dir.join("deep"), &["generate", "-v", "--no-format"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // Verbose lines go to stderr, so that stdout stays what it is without -v.
    assert_eq!(
        stdout(&output),
        "written    ../out/lib.rs\nwritten    ../out/module.rs\n"
    );
    let lines: Vec<String> = stderr(&output)
        .lines()
        .map(|line| line.split(" in ").next().unwrap_or(line).to_string())
        .collect();
    assert_eq!(
        lines,
        [
            "read       ../codegen.yaml",
            "read       ../main.widl",
            "read       ../valid.widl",
            "rendered   ../out/lib.rs with rust/scaffold",
            "rendered   ../out/module.rs with rust/module",
            "done",
        ]
    );
    let checked = wapc(&dir, &["check", "--verbose", "main.widl"]);
    assert_eq!(checked.status.code(), Some(0));
    let verbose = stderr(&checked);
    let lines: Vec<&str> = verbose.lines().collect();
    assert_eq!(
        lines[..2],
        ["read       main.widl", "read       valid.widl"]
    );
    assert!(
        lines[2].starts_with("checked    main.widl in "),
        "{lines:?}"
    );
}

#[test]
fn quiet_and_verbose_together_are_a_usage_error() {
    let dir = schemas("quiet_verbose");
    let output = wapc(&dir, &["-q", "check", "-v", "valid.widl"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("cannot be used together"),
        "{}",
        stderr(&output)
    );
}

// ---- colour, and one form for every error ---------------------------------------------------

/// Whether `text` holds a terminal escape (the colours).
fn coloured(text: &str) -> bool {
    text.contains('\u{1b}')
}

#[test]
fn errors_are_coloured_with_color_always_and_on_a_forced_terminal_only() {
    let dir = schemas("colour");
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let output = wapc_with_env(&dir, args, env);
        assert_eq!(output.status.code(), Some(1));
        stderr(&output)
    };
    let always = run(&["--color", "always", "check", "invalid.widl"], &[]);
    assert!(coloured(&always), "{always}");
    assert!(
        always.contains("\u{1b}[1m\u{1b}[91merror\u{1b}[0m"),
        "{always:?}"
    );
    // A global option, as cargo's: after the command too; and over NO_COLOR.
    let after = run(
        &["check", "--color=always", "invalid.widl"],
        &[("NO_COLOR", "1")],
    );
    assert_eq!(after, always);
    let never = run(
        &["--color", "never", "check", "invalid.widl"],
        &[("CLICOLOR_FORCE", "1")],
    );
    assert!(!coloured(&never), "{never}");
    // auto, the default: stderr is a pipe here, not a terminal.
    let auto = run(&["check", "invalid.widl"], &[]);
    assert_eq!(auto, never);
    // CLICOLOR_FORCE stands for a terminal; NO_COLOR wins over it.
    let forced = run(&["check", "invalid.widl"], &[("CLICOLOR_FORCE", "1")]);
    assert_eq!(forced, always);
    let no_color = run(
        &["check", "invalid.widl"],
        &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")],
    );
    assert_eq!(no_color, never);
    // Without colour, the words are the same.
    let stripped = always
        .split('\u{1b}')
        .enumerate()
        .map(|(i, part)| {
            if i == 0 {
                part
            } else {
                part.split_once('m').map_or(part, |(_, rest)| rest)
            }
        })
        .collect::<String>();
    assert_eq!(stripped, never);
}

#[test]
fn a_bad_color_value_is_a_usage_error() {
    let dir = schemas("colour_usage");
    let output = wapc(&dir, &["--color", "sometimes", "check", "valid.widl"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("[possible values: auto, always, never]"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn yaml_and_template_errors_take_the_form_of_schema_errors() {
    let dir = project("one_form");
    write(
        &dir,
        "codegen.yaml",
        "schema: valid.widl\ngenerates:\n  out/a.rs:\n    template: rust/module\n    ifNotExists: maybe\n",
    );
    let output = wapc(&dir, &["generate", "--no-format"]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(stderr(&output), @r#"
    error: generates.out/a.rs.ifNotExists: invalid type: string "maybe", expected a boolean
     --> codegen.yaml:5:18
      |
    5 |     ifNotExists: maybe
      |                  ^^^^^
    "#);

    write(
        &dir,
        "templates/broken.hbs",
        "// {{namespace}}\n{{#each types}}\n{{name}}\n",
    );
    write(
        &dir,
        "codegen.yaml",
        "schema: valid.widl\ntemplates: templates\ngenerates:\n  out/a.rs: {template: broken}\n",
    );
    let output = wapc(&dir, &["generate", "--no-format"]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(stderr(&output), @"
    error: invalid template: invalid handlebars syntax: expected escape, expression, html_expression, decorator_expression, partial_expression, invert_tag, invert_chain_tag, helper_block_start, helper_block_end, decorator_block_start, partial_block_start, raw_block_start, hbs_comment, or hbs_comment_compact
     --> templates/broken.hbs:4:1
      |
    4 |
      | ^
    ");

    write(
        &dir,
        "templates/broken.hbs",
        "// {{namespace}}\n{{nowhere.name}}\n",
    );
    let output = wapc(&dir, &["generate", "--no-format"]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(stderr(&output), @r#"
    error: template `broken`: Failed to access variable in strict mode Some("nowhere.name")
     --> templates/broken.hbs:2:1
      |
    2 | {{nowhere.name}}
      | ^^^^^^^^^^^^^^^^
    "#);
}

// ---- usage -----------------------------------------------------------------------------------

#[test]
fn version_names_the_package_version_and_the_commit_it_was_built_from() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // As build.rs finds it: HEAD of this checkout, or "unknown" without git.
    let head = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["rev-parse", "HEAD"])
        .output()
        .ok()
        .filter(|output| root.join(".git").exists() && output.status.success())
        .map(|output| String::from_utf8_lossy(&output.stdout)[..12].to_string());
    let commit = head.as_deref().unwrap_or("unknown");
    let dir = scratch_dir("cli/version");
    for flag in ["--version", "-V"] {
        let output = wapc(&dir, &[flag]);
        assert!(output.status.success());
        assert_eq!(
            stdout(&output),
            format!("wapc {} (commit {commit})\n", env!("CARGO_PKG_VERSION"))
        );
    }
}

#[test]
fn help_names_each_command_and_the_exit_codes() {
    let dir = scratch_dir("cli/help");
    for args in [&["--help"][..], &["help"][..]] {
        let output = wapc(&dir, args);
        assert_eq!(output.status.code(), Some(0));
        let help = stdout(&output);
        for expected in [
            "Usage: wapc",
            "check",
            "ast",
            "Exit status:",
            "0  success",
            "1  invalid input",
            "2  usage error",
        ] {
            assert!(
                help.contains(expected),
                "`{expected}` missing from:\n{help}"
            );
        }
    }
}

#[test]
fn each_command_has_help() {
    let dir = scratch_dir("cli/command_help");
    let check = stdout(&wapc(&dir, &["check", "--help"]));
    assert!(check.contains("--include <DIR>"), "{check}");
    assert!(check.contains("<SCHEMA>"), "{check}");
    let ast = stdout(&wapc(&dir, &["ast", "--help"]));
    assert!(ast.contains("--pretty"), "{ast}");
    assert!(ast.contains("--include <DIR>"), "{ast}");
}

#[test]
fn completions_for_each_shell() {
    let dir = scratch_dir("cli/completions");
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let output = wapc(&dir, &["completions", shell]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{shell}: {}",
            stderr(&output)
        );
        let script = stdout(&output);
        for command in [
            "generate",
            "check",
            "templates",
            "allow-outside",
            "fmt",
            "lsp",
        ] {
            assert!(
                script.contains(command),
                "{shell}: no `{command}` in\n{script}"
            );
        }
    }
    assert_eq!(wapc(&dir, &["completions", "tcsh"]).status.code(), Some(2));
}

#[test]
fn man_prints_one_page_with_every_command() {
    let dir = scratch_dir("cli/man");
    let output = wapc(&dir, &["man"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let page = stdout(&output);
    assert!(page.contains(".TH wapc 1"), "{page}");
    for section in [
        "WAPC CHECK",
        "WAPC AST",
        "WAPC GENERATE",
        "WAPC NEW",
        "WAPC TEMPLATES",
        "WAPC FMT",
        "WAPC LSP",
    ] {
        assert!(
            page.contains(&format!(".SH \"{section}\"")),
            "no {section} in\n{page}"
        );
    }
    assert!(page.contains("\\fB\\-\\-dry\\-run\\fR"), "{page}");
}

#[test]
fn each_command_help_shows_examples() {
    let dir = scratch_dir("cli/command_examples");
    for command in [
        &["check"][..],
        &["ast"][..],
        &["fmt"][..],
        &["lsp"][..],
        &["generate"][..],
        &["new"][..],
        &["templates", "list"][..],
        &["templates", "export"][..],
        &["completions"][..],
        &["man"][..],
    ] {
        let output = wapc(&dir, &[command, &["--help"]].concat());
        assert_eq!(output.status.code(), Some(0), "{command:?}");
        let help = stdout(&output);
        let name = command.join(" ");
        assert!(help.contains("Example"), "{name}: no examples in\n{help}");
        assert!(help.contains(&format!("wapc {name}")), "{name}: {help}");
    }
}

#[test]
fn usage_errors_exit_2() {
    let dir = schemas("usage");
    for args in [
        &[][..],
        &["frobnicate"][..],
        &["check"][..],
        &["check", "--no-such-flag", "valid.widl"][..],
        &["ast"][..],
        &["ast", "valid.widl", "other.widl"][..],
        &["check", "valid.widl", "-I"][..],
    ] {
        let output = wapc(&dir, args);
        assert_eq!(output.status.code(), Some(2), "wapc {args:?}");
        assert_eq!(stdout(&output), "", "wapc {args:?}");
        let message = stderr(&output);
        assert!(
            message.starts_with("error:") || message.contains("Usage:"),
            "wapc {args:?}: {message}"
        );
    }
}

#[test]
fn unknown_command_is_named_in_the_error() {
    let dir = scratch_dir("cli/unknown_command");
    let output = wapc(&dir, &["frobnicate"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("frobnicate"),
        "{}",
        stderr(&output)
    );
}
