//! Where a run may read and write: the repository that holds the codegen file (the nearest
//! folder above it with `.git`, `.hg` or `.jj`), or the codegen file's folder outside a
//! repository. Real repositories keep a schema beside the generated crate
//! (wasmCloud/actor-interfaces: `keyvalue/keyvalue.widl`, generated from
//! `keyvalue/rust/codegen.yaml` with `schema: ../keyvalue.widl`); a cloned repository must
//! still not read or write past its clone.

use crate::support::toolchain;

use std::path::{Path, PathBuf};

use wapc_codegen::Builder;

fn wapc(dir: &Path, args: &[&str]) -> (i32, String, String) {
    toolchain::run_wapc(dir, args, &[])
}

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("writable folder");
    }
    std::fs::write(path, text).expect("writable file");
}

const SCHEMA: &str = "namespace \"keyvalue\"\nimport * from \"../shared/common\"\n\
    interface { get(key: string): Item }\n";
const COMMON: &str = "type Item { value: string }\n";
const SECRET: &str = "type Secret { password: string }\n";

/// `<test>/secret.widl` beside `<test>/repo`, a repository (marked by `marker`, a folder or a
/// file named `.git`, `.hg` or `.jj`) laid out as wasmCloud's interfaces are: the schema in
/// `keyvalue/`, the crate and its codegen.yaml in `keyvalue/rust/`, a shared import in `shared/`.
fn repository(test: &str, marker: &str, marker_is_file: bool) -> (PathBuf, PathBuf) {
    let dir = toolchain::scratch("project_bounds", test);
    let repo = dir.join("repo");
    std::fs::create_dir_all(&repo).expect("writable folder");
    if marker_is_file {
        // As in a worktree or a submodule: `.git` is a file naming the git directory.
        write(&repo.join(marker), "gitdir: ../.git/worktrees/repo\n");
    } else {
        std::fs::create_dir(repo.join(marker)).expect("writable folder");
    }
    write(&repo.join("keyvalue/keyvalue.widl"), SCHEMA);
    write(&repo.join("shared/common.widl"), COMMON);
    write(&dir.join("secret.widl"), SECRET);
    (dir, repo)
}

fn codegen(repo: &Path, generates: &str) -> PathBuf {
    let crate_dir = repo.join("keyvalue/rust");
    write(
        &crate_dir.join("codegen.yaml"),
        &format!("schema: ../keyvalue.widl\ngenerates:\n{generates}"),
    );
    crate_dir
}

#[test]
fn a_schema_beside_the_project_folder_is_read_inside_its_repository() {
    for (marker, is_file) in [
        (".git", false),
        (".git", true),
        (".hg", false),
        (".jj", false),
    ] {
        let test = format!(
            "beside-{}-{}",
            &marker[1..],
            if is_file { "file" } else { "dir" }
        );
        let (_, repo) = repository(&test, marker, is_file);
        let crate_dir = codegen(&repo, "  src/generated.rs: {template: rust/module}\n");
        // As the projects' Makefiles run it: plain `wapc generate` in the crate's folder.
        let (code, _, stderr) = wapc(&crate_dir, &["generate", "--no-format"]);
        assert_eq!(code, 0, "{marker} (file: {is_file}): {stderr}");
        let generated = std::fs::read_to_string(crate_dir.join("src/generated.rs"))
            .expect("generated inside the crate");
        assert!(generated.contains("pub struct Item"), "{generated}");
        // `wapc check` draws the same line around the schema.
        let (code, _, stderr) = wapc(&repo, &["check", "keyvalue/keyvalue.widl"]);
        assert_eq!(code, 0, "{stderr}");
    }
}

#[test]
fn outputs_may_go_anywhere_in_the_repository_and_nowhere_past_it() {
    let (dir, repo) = repository("outputs", ".git", false);
    let crate_dir = codegen(
        &repo,
        "  ../go/module.go: {template: tinygo/module}\n  sub/../lib.rs: {template: rust/module}\n",
    );
    let (code, _, stderr) = wapc(&crate_dir, &["generate", "--no-format"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(repo.join("keyvalue/go/module.go").is_file());
    assert!(crate_dir.join("lib.rs").is_file());

    codegen(&repo, "  ../../../escaped.rs: {template: rust/module}\n");
    let (code, _, stderr) = wapc(&crate_dir, &["generate", "--no-format"]);
    assert_eq!(code, 1, "{stderr}");
    let repo_shown = repo.canonicalize().expect("the repository exists");
    assert!(
        stderr.contains(&format!(
            "the output `../../../escaped.rs` is outside the repository that holds the codegen file (`{}`) (pass --allow-outside to permit it)",
            repo_shown.display()
        )),
        "{stderr}"
    );
    assert!(!dir.join("escaped.rs").exists());

    // The old CLI's `parentDir` moves outputs; it moves them no further.
    write(
        &crate_dir.join("codegen.yaml"),
        "schema: ../keyvalue.widl\nparentDir: ../../..\ngenerates:\n  escaped.rs: {template: rust/module}\n",
    );
    let (code, _, stderr) = wapc(&crate_dir, &["generate", "--no-format"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("is outside the repository"), "{stderr}");
    assert!(!dir.join("escaped.rs").exists());

    let (code, _, stderr) = wapc(&crate_dir, &["generate", "--no-format", "--allow-outside"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(dir.join("escaped.rs").is_file());
}

#[test]
fn a_repository_still_bounds_schemas_imports_and_templates() {
    let (_, repo) = repository("reads", ".git", false);
    let repo_shown = repo.canonicalize().expect("the repository exists");
    let refused = format!(
        "it is outside the repository that holds the project (`{}`) and the include folders (pass --allow-outside to read it)",
        repo_shown.display()
    );
    let crate_dir = repo.join("keyvalue/rust");
    for (yaml, what) in [
        (
            "schema: ../../../secret.widl\ngenerates:\n  a.rs: {template: rust/module}\n",
            "cannot read `../../../secret.widl`",
        ),
        (
            "schema: ../keyvalue.widl\ntemplates: ../../..\ngenerates:\n  a.rs: {template: rust/module}\n",
            "cannot read the templates folder `../../..`",
        ),
    ] {
        write(&crate_dir.join("codegen.yaml"), yaml);
        let (code, _, stderr) = wapc(&crate_dir, &["generate", "--no-format"]);
        assert_eq!(code, 1, "{stderr}");
        assert!(stderr.contains(&format!("{what}: {refused}")), "{stderr}");
        assert!(!crate_dir.join("a.rs").exists());
    }
    // An import that climbs out of the repository.
    write(
        &repo.join("keyvalue/keyvalue.widl"),
        "namespace \"keyvalue\"\nimport * from \"../../secret\"\n",
    );
    let (code, _, stderr) = wapc(&repo, &["check", "keyvalue/keyvalue.widl"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains(&refused), "{stderr}");
    assert!(!stderr.contains("password"), "{stderr}");
}

#[test]
fn without_a_repository_the_project_is_the_codegen_files_folder() {
    let dir = toolchain::scratch("project_bounds", "no-repository");
    write(&dir.join("keyvalue/keyvalue.widl"), SCHEMA);
    write(&dir.join("shared/common.widl"), COMMON);
    let crate_dir = dir.join("keyvalue/rust");
    write(
        &crate_dir.join("codegen.yaml"),
        "schema: ../keyvalue.widl\ngenerates:\n  a.rs: {template: rust/module}\n",
    );
    let (code, _, stderr) = wapc(&crate_dir, &["generate", "--no-format"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains(
            "cannot read `../keyvalue.widl`: it is outside the project folder and the include folders (pass --allow-outside to read it)"
        ),
        "{stderr}"
    );
    let (code, _, stderr) = wapc(&crate_dir, &["generate", "--no-format", "--allow-outside"]);
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn a_build_script_reads_imports_from_the_repository_that_holds_its_schema() {
    let (dir, repo) = repository("builder", ".git", false);
    let file = Builder::new(repo.join("keyvalue/keyvalue.widl"))
        .out_dir(dir.join("out"))
        .format(false)
        .build()
        .expect("an import beside the schema's folder, inside the repository");
    let written = std::fs::read_to_string(file.path).expect("written");
    assert!(written.contains("pub struct Item"), "{written}");
    // Its outputs stay in the output folder, whatever repository holds it.
    let error = Builder::new(repo.join("keyvalue/keyvalue.widl"))
        .out_dir(repo.join("out"))
        .file_name("../escaped.rs")
        .build()
        .expect_err("an output outside the output folder")
        .to_string();
    assert!(error.contains("escaped.rs"), "{error}");
    // A build script has neither a codegen file nor a flag to permit it.
    assert!(
        error.contains("the build script's output (`OUT_DIR`)")
            && !error.contains("--allow-outside")
            && !error.contains("codegen file"),
        "{error}"
    );
    assert!(!repo.join("escaped.rs").exists());
}

/// `o.rs`, `./o.rs` and `sub/../o.rs` are one file: naming it twice is an error wherever the
/// run starts, never two targets that overwrite each other on every run.
#[test]
fn one_file_named_two_ways_is_generated_twice() {
    let dir = toolchain::scratch("project_bounds", "named-twice");
    write(&dir.join("api/schema.widl"), COMMON);
    for second in ["./o.rs", "sub/../o.rs"] {
        write(
            &dir.join("api/codegen.yaml"),
            &format!(
                "schema: schema.widl\ngenerates:\n  o.rs: {{template: rust/module}}\n  {second}: {{template: tinygo/module}}\n"
            ),
        );
        for (from, config) in [(dir.join("api"), "codegen.yaml"), (dir.clone(), "api")] {
            let (code, _, stderr) = wapc(&from, &["generate", "--no-format", config]);
            assert_eq!(code, 1, "{second} from {}: {stderr}", from.display());
            assert!(stderr.contains("is generated twice"), "{stderr}");
            assert!(!dir.join("api/o.rs").exists());
        }
    }
}
