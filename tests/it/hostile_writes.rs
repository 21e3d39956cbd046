//! Hostile project folders and names, for writes: links that lead out of the project, names
//! a terminal would act on, runs that overlap, and a write that fails part-way.

use crate::support::toolchain;

use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

fn wapc(dir: &Path, args: &[&str]) -> (i32, String, String) {
    toolchain::run_wapc(dir, args, &[])
}

/// `<test>/project` with a schema and a codegen.yaml generating `generates`, and an empty
/// `<test>/outside` beside it.
fn project(test: &str, generates: &str) -> (PathBuf, PathBuf) {
    let dir = toolchain::scratch("hostile-writes", test);
    let project = dir.join("project");
    let outside = dir.join("outside");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(
        project.join("schema.widl"),
        "namespace \"x\"\ntype A { b: string }\n",
    )
    .unwrap();
    std::fs::write(
        project.join("codegen.yaml"),
        format!("schema: schema.widl\ngenerates:\n{generates}"),
    )
    .unwrap();
    (project, outside)
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn an_output_folder_that_links_outside_is_refused() {
    let (project, outside) = project("linked-folder", "  gen/out.rs: {template: rust/module}\n");
    symlink("../outside", project.join("gen")).unwrap();
    let (code, _, stderr) = wapc(&project, &["generate"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("`gen/out.rs` leads outside") && stderr.contains("--allow-outside"),
        "{stderr}"
    );
    assert!(files_in(&outside).is_empty(), "wrote through the link");
    let (code, _, stderr) = wapc(&project, &["generate", "--allow-outside"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(files_in(&outside), ["out.rs"]);
}

#[test]
fn an_output_file_that_links_outside_is_refused() {
    let (project, outside) = project("linked-file", "  out.rs: {template: rust/module}\n");
    std::fs::write(outside.join("precious"), "keep").unwrap();
    symlink("../outside/precious", project.join("out.rs")).unwrap();
    let (code, _, stderr) = wapc(&project, &["generate"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("leads outside"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(outside.join("precious")).unwrap(),
        "keep"
    );
}

/// A project template `mine` in `dir` holding `files` (name, text).
fn project_template(dir: &Path, files: &[(&str, &str)]) {
    let template = dir.join("mine");
    std::fs::create_dir_all(&template).unwrap();
    std::fs::write(template.join(".template"), "name: mine\ndescription: d\n").unwrap();
    for (name, text) in files {
        let path = template.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

#[test]
fn new_force_does_not_write_through_a_linked_folder() {
    let dir = toolchain::scratch("hostile-writes", "new-linked");
    let (project, outside) = (dir.join("project"), dir.join("outside"));
    std::fs::create_dir_all(&project).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    symlink("../outside", project.join("src")).unwrap();
    project_template(&dir, &[("README.md", "r"), ("src/lib.rs", "// mine")]);
    let (code, _, stderr) = wapc(&dir, &["new", "./mine", "project", "--force"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("`src/lib.rs`") && stderr.contains("leads outside"),
        "{stderr}"
    );
    // `wapc new` has no --allow-outside: its message does not offer one.
    assert!(!stderr.contains("--allow-outside"), "{stderr}");
    assert!(files_in(&outside).is_empty(), "wrote through the link");
    assert_eq!(files_in(&project), ["src"], "wrote part of the project");
}

#[test]
fn names_with_control_or_direction_characters_are_refused_and_printed_escaped() {
    for (test, name) in [
        ("newline", "a\\nb.rs"),
        ("escape", "\\e[31mred.rs"),
        ("direction", "evil\\u202Esr.txt"),
    ] {
        let (project, _) = project(test, &format!("  \"{name}\": {{template: rust/module}}\n"));
        let (code, _, stderr) = wapc(&project, &["generate"]);
        assert_eq!(code, 1, "{name}: {stderr}");
        assert!(
            stderr.contains("holds a control or text-direction character"),
            "{name}: {stderr}"
        );
        assert!(
            !stderr.contains('\u{1b}') && !stderr.contains('\u{202E}') && !stderr.contains("a\nb"),
            "printed raw: {stderr:?}"
        );
        assert_eq!(files_in(&project), ["codegen.yaml", "schema.widl"]);
    }
    // A project template's file names, likewise.
    let dir = toolchain::scratch("hostile-writes", "new-names");
    project_template(&dir, &[("ok.txt", "ok"), ("bell\u{7}.txt", "ding")]);
    let (code, _, stderr) = wapc(&dir, &["new", "./mine", "made"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains(r"bell\u{7}.txt"), "{stderr}");
    assert!(
        !dir.join("made/ok.txt").exists(),
        "wrote part of the project"
    );
}

#[test]
fn the_longest_legal_file_name_is_generated_with_ordinary_permissions() {
    let name = format!("{}.rs", "n".repeat(252));
    let (project, _) = project(
        "long-name",
        &format!("  {name}: {{template: rust/module}}\n"),
    );
    let (code, _, stderr) = wapc(&project, &["generate", "--no-format"]);
    assert_eq!(code, 0, "{stderr}");
    let mode = std::fs::metadata(project.join(&name))
        .unwrap()
        .permissions()
        .mode();
    // Readable by the group and others, as any file the user makes (umask 022 or 002).
    assert_eq!(mode & 0o644, 0o644, "mode {mode:o}");
    assert_eq!(files_in(&project).len(), 3, "a temporary was left behind");
}

#[test]
fn a_second_run_on_the_same_codegen_file_waits_for_the_first() {
    let (project, _) = project("lock", "  out.rs: {template: rust/module}\n");
    let config = std::fs::File::open(project.join("codegen.yaml")).unwrap();
    config.lock().unwrap();
    let mut run = Command::new(env!("CARGO_BIN_EXE_wapc"))
        .current_dir(&project)
        .args(["generate", "--no-format"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    assert!(run.try_wait().unwrap().is_none(), "it did not wait");
    assert!(
        !project.join("out.rs").exists(),
        "it wrote while another run held the lock"
    );
    config.unlock().unwrap();
    let output = run.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("waiting for another wapc run on `codegen.yaml`"),
        "{stderr}"
    );
    assert!(project.join("out.rs").exists());
}
