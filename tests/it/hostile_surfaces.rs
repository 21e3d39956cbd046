//! The second hostile pass (issue 22) over the surfaces added after the first: `generate
//! --watch`, the build.rs `Builder`, `wapc install` and `wapc new --spec`.

#![cfg(unix)]

use crate::support::toolchain;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

fn scratch(test: &str) -> PathBuf {
    toolchain::scratch("hostile_surfaces", test)
}

fn write(path: &Path, text: impl AsRef<[u8]>) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("make a folder");
    }
    std::fs::write(path, text).expect("write a test file");
}

/// How many runs `--watch` has finished: each ends with this line on stderr.
fn runs(stderr: &Mutex<String>) -> usize {
    stderr
        .lock()
        .map(|s| s.matches("watching for changes").count())
        .unwrap_or_default()
}

/// Only a change starts a run: neither reading the inputs nor the run's own writing does,
/// and a hand edit of a generated file stays.
#[test]
fn watch_runs_once_per_change_and_then_idles() {
    let root = scratch("watch_idles");
    write(
        &root.join("templates/names.hbs"),
        "{{#each types}}{{name}} {{/each}}\n",
    );
    write(
        &root.join("codegen.yaml"),
        "schema: schema.widl\ntemplates: templates\ngenerates:\n  out.txt:\n    template: names\n",
    );
    let schema = root.join("schema.widl");
    write(&schema, "type A { x: string }\n");
    let (mut child, stderr, reader) = crate::watch::start_watching(&root);
    let wait_for_runs = |count: usize| {
        let start = Instant::now();
        while runs(&stderr) < count && start.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    wait_for_runs(1);
    // Renamed into place, as editors save: one change, however slowly the machine runs.
    write(
        &root.join("new.tmp"),
        "type A { x: string }\ntype B { x: string }\n",
    );
    std::fs::rename(root.join("new.tmp"), &schema).expect("rename");
    wait_for_runs(2);
    // Read every input (and the output) for a few seconds, then edit the output by hand.
    let output = root.join("out.txt");
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(3) {
        for file in [
            &schema,
            &root.join("codegen.yaml"),
            &root.join("templates/names.hbs"),
        ] {
            std::fs::read(file).expect("readable input");
        }
        std::fs::read(&output).expect("readable output");
        std::thread::sleep(Duration::from_millis(100));
    }
    write(&output, "edited by hand\n");
    std::thread::sleep(Duration::from_secs(1));
    let counted = runs(&stderr);
    let _ = child.kill();
    let _ = child.wait();
    reader.join().expect("stderr reader");
    let log = stderr.lock().map(|s| s.clone()).unwrap_or_default();
    assert_eq!(counted, 2, "one run, one per change, expected:\n{log}");
    assert_eq!(
        std::fs::read_to_string(&output).expect("output"),
        "edited by hand\n",
        "the hand edit was undone:\n{log}"
    );
}

/// An imported file whose name holds a line break would print a directive of its own
/// (`cargo:rustc-cfg=pwned`) into the user's build: refused, and nothing written.
#[test]
fn builder_refuses_a_path_that_would_inject_a_cargo_directive() {
    let dir = scratch("builder_injection");
    let hostile = "t\ncargo:rustc-cfg=pwned\n";
    write(
        &dir.join(format!("{hostile}.widl")),
        "type T { x: string }\n",
    );
    write(
        &dir.join("schema.widl"),
        format!(
            "import * from \"{}\"\ntype A {{ t: T }}\n",
            hostile.escape_default()
        ),
    );
    let error = wapc_codegen::Builder::new(dir.join("schema.widl"))
        .out_dir(dir.join("out"))
        .format(false)
        .build()
        .expect_err("a path with a line break is refused")
        .to_string();
    assert!(
        error.contains("line break") && error.contains("t\\ncargo:rustc-cfg=pwned\\n.widl"),
        "{error}"
    );
    assert!(!dir.join("out/generated.rs").exists(), "written anyway");
}

/// A file that only looks like a temporary (`.wapc-notes.tmp`) is the user's: it stays,
/// however old; a stale temporary of the tool's own shape is cleaned up.
#[test]
fn stale_temporary_cleanup_removes_only_the_tools_own() {
    let dir = scratch("temporaries");
    write(
        &dir.join("schema.widl"),
        "namespace \"n\"\ntype A { x: string }\n",
    );
    write(
        &dir.join("codegen.yaml"),
        "schema: schema.widl\ngenerates:\n  gen/module.rs:\n    template: rust/module\n",
    );
    let two_hours_ago = std::time::SystemTime::now() - Duration::from_secs(7200);
    let aged = |name: &str| {
        let path = dir.join("gen").join(name);
        write(&path, "notes");
        let file = std::fs::File::options()
            .write(true)
            .open(&path)
            .expect("open");
        file.set_modified(two_hours_ago).expect("set the time");
        path
    };
    let notes = aged(".wapc-notes.tmp");
    let left_over = aged(".wapc-0123456789abcdef.tmp");
    let (code, _, stderr) = toolchain::run_wapc(&dir, &["generate"], &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(notes.exists(), "the user's own file was removed");
    assert!(!left_over.exists(), "a stale temporary was left");
}

/// Runs wapc in `dir` with `$WAPC_HOME` (and `$HOME`) as given; exit code, stdout, stderr.
fn wapc_at(dir: &Path, home: &str, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_wapc"))
        .args(args)
        .current_dir(dir)
        .env("WAPC_HOME", home)
        .env("HOME", dir.join("user"))
        .stdin(Stdio::null())
        .output()
        .expect("run wapc");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A run that must fail with exit 1: its stderr.
fn install_fails(dir: &Path, home: &Path, args: &[&str]) -> String {
    let (code, _, stderr) = wapc_at(dir, &home.to_string_lossy(), args);
    assert_eq!(code, 1, "{args:?}: {stderr}");
    stderr
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .status()
        .expect("run git");
    assert!(status.success(), "git {args:?}");
}

/// A `wapc.yaml` that links to another file is refused unread, from a folder and from a git
/// repository: nothing of the file it leads to is printed.
#[test]
fn install_never_reads_a_linked_manifest() {
    let root = scratch("linked_manifest");
    let home = root.join("home");
    write(&root.join("secret"), "root:x:0:0:the secret\n");
    std::fs::create_dir_all(root.join("pkg")).expect("folder");
    std::os::unix::fs::symlink(root.join("secret"), root.join("pkg/wapc.yaml")).expect("link");
    let error = install_fails(&root, &home, &["install", "pkg"]);
    assert!(error.contains("symbolic link"), "{error}");
    assert!(!error.contains("the secret"), "{error}");

    git(&root, &["init", "--quiet", "pkg"]);
    git(&root, &["-C", "pkg", "add", "."]);
    git(&root, &["-C", "pkg", "commit", "--quiet", "-m", "link"]);
    git(&root, &["clone", "--quiet", "--bare", "pkg", "pkg.git"]);
    let error = install_fails(&root, &home, &["install", "pkg.git"]);
    assert!(error.contains("symbolic link"), "{error}");
    assert!(!error.contains("the secret"), "{error}");
}

/// A gzipped tar of `entries` (path, content, mode), files only unless the path ends in `/`.
fn tgz_of(path: &Path, entries: &[(String, Vec<u8>, u32)]) {
    let file = std::fs::File::create(path).expect("create the archive");
    let gzip = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
    let mut builder = tar::Builder::new(gzip);
    for (name, content, mode) in entries {
        let mut header = tar::Header::new_gnu();
        header.set_path(name).expect("entry path");
        header.set_size(content.len() as u64);
        header.set_mode(*mode);
        if name.ends_with('/') {
            header.set_entry_type(tar::EntryType::Directory);
        }
        header.set_cksum();
        builder
            .append(&header, content.as_slice())
            .expect("append an entry");
    }
    builder
        .into_inner()
        .and_then(|gzip| gzip.finish())
        .expect("finish the archive");
}

const MANIFEST: &str = "kind: definitions\nname: acme\n";

/// An archive of a few hundred kilobytes must not unpack to gigabytes or a million files.
#[test]
fn install_bounds_a_packages_size_and_files() {
    let root = scratch("archive_bombs");
    let home = root.join("home");
    let manifest = ("wapc.yaml".to_string(), MANIFEST.as_bytes().to_vec(), 0o644);
    let huge = ("zeros.widl".to_string(), vec![0; 65 << 20], 0o644);
    tgz_of(&root.join("big.tgz"), &[manifest.clone(), huge]);
    let error = install_fails(&root, &home, &["install", "big.tgz"]);
    assert!(
        error.contains("more than 64 MiB of files") && error.contains("nothing was installed"),
        "{error}"
    );
    let mut many = vec![manifest];
    many.extend((0..10_001).map(|i| (format!("f{i}.widl"), Vec::new(), 0o644)));
    tgz_of(&root.join("many.tgz"), &many);
    let error = install_fails(&root, &home, &["install", "many.tgz"]);
    assert!(
        error.contains("more than 10000 files and folders"),
        "{error}"
    );
    assert!(!home.join("definitions/acme").exists());
}

/// Installed files get plain modes: no setuid, setgid or sticky bit, nothing writable by
/// others; executables stay executable.
#[test]
fn installed_files_get_plain_modes() {
    use std::os::unix::fs::PermissionsExt as _;
    let root = scratch("modes");
    let home = root.join("home");
    let mode = |path: &Path| {
        std::fs::symlink_metadata(path)
            .expect("installed")
            .permissions()
            .mode()
            & 0o7777
    };
    let plain = |path: &Path, executable: bool| {
        let mode = mode(path);
        assert_eq!(mode & 0o7022, 0, "{}: {mode:o}", path.display());
        assert_eq!(
            mode & 0o100 != 0,
            executable,
            "{}: {mode:o}",
            path.display()
        );
    };
    write(&root.join("pkg/wapc.yaml"), MANIFEST);
    write(&root.join("pkg/sub/a.widl"), "type A { x: string }\n");
    write(&root.join("pkg/run.sh"), "#!/bin/sh\n");
    let set = |path: &str, mode: u32| {
        std::fs::set_permissions(root.join(path), std::fs::Permissions::from_mode(mode))
            .expect("chmod")
    };
    set("pkg/sub/a.widl", 0o6666);
    set("pkg/run.sh", 0o4777);
    set("pkg/sub", 0o1777);
    let (code, _, stderr) = wapc_at(&root, &home.to_string_lossy(), &["install", "pkg"]);
    assert_eq!(code, 0, "{stderr}");
    let installed = home.join("definitions/acme");
    plain(&installed.join("sub/a.widl"), false);
    plain(&installed.join("run.sh"), true);
    plain(&installed.join("sub"), true);

    let entries = [
        ("package/".to_string(), Vec::new(), 0o777),
        (
            "package/wapc.yaml".to_string(),
            MANIFEST.as_bytes().to_vec(),
            0o777,
        ),
        (
            "package/b.widl".to_string(),
            b"type B { x: string }\n".to_vec(),
            0o2666,
        ),
    ];
    tgz_of(&root.join("pkg.tgz"), &entries);
    let (code, _, stderr) = wapc_at(&root, &home.to_string_lossy(), &["install", "pkg.tgz"]);
    assert_eq!(code, 0, "{stderr}");
    plain(&installed.join("wapc.yaml"), true);
    plain(&installed.join("b.widl"), false);
    plain(&installed, true);
}

/// A package's description and name reach the terminal escaped, on one line.
#[test]
fn install_list_escapes_what_a_package_says() {
    let root = scratch("list_escapes");
    let home = root.join("home");
    write(
        &root.join("pkg/wapc.yaml"),
        "kind: definitions\nname: acme\ndescription: \"\\e[31mred\\u202Eevil\\rover\\nline\"\n",
    );
    let home_text = home.to_string_lossy();
    let (code, _, stderr) = wapc_at(&root, &home_text, &["install", "pkg"]);
    assert_eq!(code, 0, "{stderr}");
    let (code, listed, _) = wapc_at(&root, &home_text, &["install", "--list"]);
    assert_eq!(code, 0);
    assert!(
        !listed.contains(['\u{1b}', '\u{202e}', '\r']) && listed.lines().count() == 1,
        "{listed:?}"
    );
    assert!(
        listed.contains("\\u{1b}[31mred\\u{202e}evil\\rover\\nline"),
        "{listed:?}"
    );
}

/// `WAPC_HOME=` is unset, not the working folder: a planted `./definitions` is not
/// imported, and an install does not write there.
#[test]
fn an_empty_wapc_home_is_unset() {
    let root = scratch("empty_home");
    write(
        &root.join("definitions/acme.widl"),
        "type Planted { x: string }\n",
    );
    write(
        &root.join("api/schema.widl"),
        "import * from \"acme\"\ntype A { p: Planted }\n",
    );
    let (code, _, stderr) = wapc_at(&root, "", &["check", "api/schema.widl"]);
    assert_eq!(code, 1, "the planted definitions were imported");
    assert!(stderr.contains("cannot find the import `acme`"), "{stderr}");
    write(
        &root.join("pkg/wapc.yaml"),
        "kind: definitions\nname: other\n",
    );
    let (code, _, stderr) = wapc_at(&root, "", &["install", "pkg"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!root.join("definitions/other").exists());
    assert!(
        root.join("user/.wapc/definitions/other/wapc.yaml")
            .is_file()
    );
}

/// A `$WAPC_HOME` inside the package would copy the package into itself.
#[test]
fn install_refuses_a_wapc_home_inside_the_package() {
    let root = scratch("home_inside");
    write(&root.join("pkg/wapc.yaml"), MANIFEST);
    let home = root.join("pkg/home");
    let error = install_fails(&root, &home, &["install", "pkg"]);
    assert!(error.contains("is inside the package `pkg`"), "{error}");
    assert!(!home.exists());
}

/// Messages name the package as the user gave it: no temporary folder, no password of a URL,
/// a reason for a truncated archive and for a path that is not there; `-q` prints nothing.
#[test]
fn install_messages_name_what_the_user_gave() {
    let root = scratch("install_messages");
    let home = root.join("home");
    let entries = [
        ("package/".to_string(), Vec::new(), 0o755),
        (
            "package/wapc.yaml".to_string(),
            b"kind: nothing\n".to_vec(),
            0o644,
        ),
    ];
    tgz_of(&root.join("bad.tgz"), &entries);
    let error = install_fails(&root, &home, &["install", "bad.tgz"]);
    assert!(error.contains("bad.tgz/package/wapc.yaml:1:7"), "{error}");
    assert!(
        !error.contains("/.tmp") && !error.contains("unpacked"),
        "{error}"
    );

    let body = (0..200)
        .map(|i| format!("type T{i} {{ x: string }}\n"))
        .collect::<String>();
    let entries = [
        ("wapc.yaml".to_string(), MANIFEST.as_bytes().to_vec(), 0o644),
        ("a.widl".to_string(), body.into_bytes(), 0o644),
    ];
    tgz_of(&root.join("whole.tgz"), &entries);
    let whole = std::fs::read(root.join("whole.tgz")).expect("archive");
    write(&root.join("cut.tgz"), &whole[..whole.len() / 2]);
    let error = install_fails(&root, &home, &["install", "cut.tgz"]);
    assert!(
        error.contains("cut short") || error.contains("corrupt"),
        "{error}"
    );

    let error = install_fails(&root, &home, &["install", "missing"]);
    assert!(
        error.contains("`missing`: no such file or folder"),
        "{error}"
    );

    let error = install_fails(
        &root,
        &home,
        &["install", "https://user:secret@127.0.0.1:9/x.git"],
    );
    assert!(
        !error.contains("secret") && error.contains("127.0.0.1:9/x.git"),
        "{error}"
    );

    write(&root.join("pkg/wapc.yaml"), MANIFEST);
    let (code, stdout, stderr) = wapc_at(&root, &home.to_string_lossy(), &["-q", "install", "pkg"]);
    assert_eq!((code, stdout.as_str()), (0, ""), "{stderr}");
}

/// A templates package is checked when it is installed: its `.template` must load, and its
/// name must not be a built-in one; its `wapc.yaml` mark stays out of the projects made.
#[test]
fn templates_packages_are_checked_at_install_and_their_mark_stays_home() {
    let root = scratch("templates_packages");
    let home = root.join("home");
    write(
        &root.join("pkg/wapc.yaml"),
        "kind: templates\nname: acme/hello\n",
    );
    write(
        &root.join("pkg/.template"),
        "name: hello\ndescription: [unclosed\n",
    );
    write(&root.join("pkg/README.md.hbs"), "# {{name}}\n");
    let error = install_fails(&root, &home, &["install", "pkg"]);
    assert!(error.contains("pkg/.template"), "{error}");
    assert!(!home.join("templates/acme/hello").exists());

    write(
        &root.join("pkg/.template"),
        "name: hello\ndescription: Hi\n",
    );
    let home_text = home.to_string_lossy();
    let (code, _, stderr) = wapc_at(&root, &home_text, &["install", "pkg"]);
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = wapc_at(&root, &home_text, &["new", "acme/hello", "proj"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(root.join("proj/README.md").is_file());
    assert!(
        !root.join("proj/wapc.yaml").exists(),
        "the install mark was copied"
    );

    write(&root.join("pkg/wapc.yaml"), "kind: templates\nname: rust\n");
    let error = install_fails(&root, &home, &["install", "pkg"]);
    assert!(error.contains("built-in template's name"), "{error}");
    assert!(!home.join("templates/rust").exists());
}

/// A key given twice in `wapc.yaml` points at both places, not at 1:1.
#[test]
fn a_duplicate_key_in_a_package_manifest_is_located() {
    let root = scratch("manifest_duplicate");
    write(
        &root.join("pkg/wapc.yaml"),
        "kind: definitions\nname: a\nname: b\n",
    );
    let error = install_fails(&root, &root.join("home"), &["install", "pkg"]);
    assert!(
        error.contains("pkg/wapc.yaml:3:1") && error.contains("first given here"),
        "{error}"
    );
}

/// `new --spec` reads the schema as every schema is read (bounded, a regular file) and
/// checks it before creating anything: /dev/zero, a FIFO or a file that is no schema make
/// no project.
#[test]
fn new_spec_reads_only_a_schema_and_checks_it_first() {
    let root = scratch("new_spec");
    let fifo = root.join("fifo.widl");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("run mkfifo");
    assert!(made.success());
    write(&root.join("passwd"), "root:x:0:0:root:/root:/bin/bash\n");
    for (spec, expected) in [
        ("/dev/zero", "it is not a regular file"),
        ("fifo.widl", "it is not a regular file"),
        ("passwd", "passwd:1:"),
    ] {
        let (code, _, stderr) =
            toolchain::run_wapc(&root, &["new", "rust", "proj", "--spec", spec], &[]);
        assert_eq!(code, 1, "{spec}: {stderr}");
        assert!(stderr.contains(expected), "{spec}: {stderr}");
        assert!(!root.join("proj").exists(), "{spec}: a project was created");
    }
    write(
        &root.join("good.widl"),
        "namespace \"g\"\ninterface { hi(): string }\n",
    );
    let (code, _, stderr) =
        toolchain::run_wapc(&root, &["new", "rust", "proj", "--spec", "good.widl"], &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        std::fs::read_to_string(root.join("proj/schema.widl")).expect("schema"),
        "namespace \"g\"\ninterface { hi(): string }\n"
    );
}

/// A template that is a symbolic link is used when it leads inside the project, as a
/// schema's link is, and refused with the reason when it leads out.
#[test]
fn a_linked_template_is_used_inside_the_project_and_refused_outside() {
    let root = scratch("linked_template");
    let project = root.join("project");
    write(&project.join("schema.widl"), "type A { x: string }\n");
    write(
        &project.join("shared/names.hbs"),
        "{{#each types}}{{name}}{{/each}}\n",
    );
    std::fs::create_dir_all(project.join("templates")).expect("folder");
    std::os::unix::fs::symlink("../shared/names.hbs", project.join("templates/names.hbs"))
        .expect("link");
    write(
        &project.join("codegen.yaml"),
        "schema: schema.widl\ntemplates: templates\ngenerates:\n  out.txt:\n    template: names\n",
    );
    let (code, _, stderr) = toolchain::run_wapc(&project, &["generate"], &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        std::fs::read_to_string(project.join("out.txt")).expect("out"),
        "A\n"
    );

    write(&root.join("outside.hbs"), "secret\n");
    std::fs::remove_file(project.join("templates/names.hbs")).expect("unlink");
    std::os::unix::fs::symlink(
        root.join("outside.hbs"),
        project.join("templates/names.hbs"),
    )
    .expect("link");
    let (code, _, stderr) = toolchain::run_wapc(&project, &["generate"], &[]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("names.hbs") && stderr.contains("--allow-outside"),
        "{stderr}"
    );
}

/// Smaller messages: a lowercase misspelling of the schema's own type is no "built-in type";
/// `--color never` reaches clap's usage errors; the man page titles each command's examples
/// with the command and has `templates list` and `templates export`.
#[test]
fn messages_say_what_applies() {
    let root = scratch("messages");
    write(
        &root.join("s.widl"),
        "type Person { name: string }\ntype A { p: person }\n",
    );
    let (code, _, stderr) = toolchain::run_wapc(&root, &["check", "s.widl"], &[]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("unknown type `person`") && stderr.contains("`Person`"),
        "{stderr}"
    );
    assert!(!stderr.contains("built-in"), "{stderr}");

    let output = Command::new(env!("CARGO_BIN_EXE_wapc"))
        .args(["--color", "never", "frobnicate"])
        .env("CLICOLOR_FORCE", "1")
        .output()
        .expect("run wapc");
    assert_eq!(output.status.code(), Some(2));
    let usage = String::from_utf8_lossy(&output.stderr);
    assert!(!usage.contains('\u{1b}'), "{usage:?}");

    let (code, page, _) = toolchain::run_wapc(&root, &["man"], &[]);
    assert_eq!(code, 0);
    assert!(!page.contains("EXTRA"), "{page}");
    for section in ["WAPC TEMPLATES LIST", "WAPC TEMPLATES EXPORT"] {
        assert!(
            page.contains(&format!(".SH \"{section}\"")),
            "no {section}:\n{page}"
        );
    }
}

/// An absolute import is that file: refused outside the project, read with --allow-outside.
#[test]
fn an_absolute_import_is_read_with_allow_outside() {
    let root = scratch("absolute_import");
    write(&root.join("shared.widl"), "type S { x: string }\n");
    let absolute = root.join("shared.widl");
    write(
        &root.join("p/s.widl"),
        format!(
            "import * from \"{}\"\ntype A {{ s: S }}\n",
            absolute.display()
        ),
    );
    let (code, _, stderr) = toolchain::run_wapc(&root, &["check", "p/s.widl"], &[]);
    assert_eq!(code, 1);
    assert!(stderr.contains("pass --allow-outside"), "{stderr}");
    let (code, _, stderr) =
        toolchain::run_wapc(&root, &["check", "--allow-outside", "p/s.widl"], &[]);
    assert_eq!(code, 0, "{stderr}");
}

/// `check - -` is a usage error (standard input reads once); `templates export` suggests the
/// nearest name; `wapc new` refuses values that reorder text, a module part that is an option
/// or `~`, and a version that is none.
#[test]
fn second_stdin_export_misspellings_and_new_values() {
    let root = scratch("small_things");
    let (code, _, stderr) = toolchain::run_wapc(&root, &["check", "-", "-"], &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("may be given once"), "{stderr}");

    let (code, _, stderr) =
        toolchain::run_wapc(&root, &["templates", "export", "rust/modul", "t"], &[]);
    assert_eq!(code, 1);
    assert!(stderr.contains("did you mean `rust/module`?"), "{stderr}");

    for (template, value) in [
        ("rust", "name=evil\u{202e}name"),
        ("tinygo", "module=~"),
        ("tinygo", "module=example.com/-flag"),
        ("rust", "version=1.0.0\""),
    ] {
        let (code, _, stderr) = toolchain::run_wapc(&root, &["new", template, "proj", value], &[]);
        assert_eq!(code, 1, "{value}: {stderr}");
        assert!(!root.join("proj").exists(), "{value}: a project was made");
    }
}

/// `make` in a new rust project says what the wasm32 build needs when the standard library
/// for wasm32 is missing (here: a rustc that has none), instead of rustc's E0463.
#[test]
fn the_rust_projects_make_says_what_the_wasm_build_needs() {
    use std::os::unix::fs::PermissionsExt as _;
    let root = scratch("rust_make");
    let (code, _, stderr) = toolchain::run_wapc(&root, &["new", "rust", "hello"], &[]);
    assert_eq!(code, 0, "{stderr}");
    let bin = root.join("bin");
    let fake = bin.join("rustc");
    write(
        &fake,
        "#!/bin/sh\necho /nonexistent/wasm32-unknown-unknown/lib\n",
    );
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output = Command::new("make")
        .args(["build", &format!("WAPC={}", env!("CARGO_BIN_EXE_wapc"))])
        .current_dir(root.join("hello"))
        .env("PATH", path)
        .output()
        .expect("run make");
    let said = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{said}");
    assert!(
        said.contains("rustup target add wasm32-unknown-unknown")
            && said.contains("WASM_RUSTC=/usr/bin/rustc"),
        "{said}"
    );
    assert!(!said.contains("E0463"), "{said}");
}
