//! `wapc install` into a scratch `$WAPC_HOME`: from a folder, a .tgz and a git repository,
//! found by imports and `wapc new`; and packages that try to write outside it.

#![cfg(unix)]

use std::path::Path;
use std::process::{Command, Output};

use tar::EntryType;

/// Runs wapc in `dir` with `$WAPC_HOME` at `home`.
fn wapc(home: &Path, dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wapc"))
        .args(args)
        .current_dir(dir)
        .env("WAPC_HOME", home)
        .output()
        .expect("run wapc")
}

fn succeeds(output: &Output) -> String {
    assert!(
        output.status.success(),
        "wapc failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The error of a run that must fail with exit 1.
fn fails(output: &Output) -> String {
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("make a folder");
    }
    std::fs::write(path, text).expect("write a test file");
}

/// A gzipped tar whose entries are written exactly as given, unchecked: name, type, content,
/// link target.
pub(crate) fn tgz(path: &Path, entries: &[(&str, EntryType, &str, Option<&str>)]) {
    let file = std::fs::File::create(path).expect("create the archive");
    let gzip = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
    let mut builder = tar::Builder::new(gzip);
    for (name, kind, content, link) in entries {
        let mut header = tar::Header::new_gnu();
        header.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        header.set_entry_type(*kind);
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        if let Some(link) = link {
            header.set_link_name(link).expect("link name");
        }
        header.set_cksum();
        builder
            .append(&header, content.as_bytes())
            .expect("append an entry");
    }
    builder
        .into_inner()
        .and_then(|gzip| gzip.finish())
        .expect("finish the archive");
}

const DEFINITIONS: &str = "kind: definitions\nname: acme\ndescription: Acme's shared types\n";

#[test]
fn definitions_from_a_folder_are_imported_replaced_and_listed() {
    let scratch = tempfile::tempdir().expect("scratch");
    let (root, home) = (scratch.path(), scratch.path().join("home"));
    write(&root.join("pkg/wapc.yaml"), DEFINITIONS);
    write(&root.join("pkg/iface.widl"), "type Shared { x: string }\n");
    write(
        &root.join("api/schema.widl"),
        "import * from \"acme/iface\"\ntype A { s: Shared }\n",
    );
    let error = fails(&wapc(&home, root, &["check", "api/schema.widl"]));
    assert!(
        error.contains("cannot find the import `acme/iface`"),
        "{error}"
    );

    let installed = succeeds(&wapc(&home, root, &["install", "pkg"]));
    assert!(installed.contains("definitions `acme`"), "{installed}");
    succeeds(&wapc(&home, root, &["check", "api/schema.widl"]));
    // The old CLI's `org:iface` names the same package.
    write(
        &root.join("api/colon.widl"),
        "import * from \"acme:iface\"\ntype A { s: Shared }\n",
    );
    succeeds(&wapc(&home, root, &["check", "api/colon.widl"]));

    // Installing again replaces the package.
    write(&root.join("pkg/iface.widl"), "type Other { x: string }\n");
    succeeds(&wapc(&home, root, &["install", "pkg"]));
    let error = fails(&wapc(&home, root, &["check", "api/schema.widl"]));
    assert!(error.contains("Shared"), "{error}");

    let listed = succeeds(&wapc(&home, root, &["install", "--list"]));
    assert_eq!(
        listed.split_whitespace().collect::<Vec<_>>(),
        ["definitions", "acme", "Acme's", "shared", "types"]
    );
}

#[test]
fn templates_from_a_tgz_make_projects() {
    let scratch = tempfile::tempdir().expect("scratch");
    let (root, home) = (scratch.path(), scratch.path().join("home"));
    let archive = root.join("hello.tgz");
    let file = EntryType::Regular;
    tgz(
        &archive,
        &[
            ("package/", EntryType::Directory, "", None),
            (
                "package/wapc.yaml",
                file,
                "kind: templates\nname: acme/hello\n",
                None,
            ),
            (
                "package/.template",
                file,
                "name: hello\ndescription: Hi\n",
                None,
            ),
            ("package/README.md.hbs", file, "# {{name}}\n", None),
        ],
    );
    succeeds(&wapc(&home, root, &["install", "hello.tgz"]));
    succeeds(&wapc(&home, root, &["new", "acme/hello", "proj"]));
    let readme = std::fs::read_to_string(root.join("proj/README.md")).expect("README.md");
    assert_eq!(readme, "# proj\n");
    let listed = succeeds(&wapc(&home, root, &["install", "--list"]));
    assert!(listed.starts_with("templates    acme/hello"), "{listed}");
}

#[test]
fn definitions_from_a_git_repository() {
    let scratch = tempfile::tempdir().expect("scratch");
    let (root, home) = (scratch.path(), scratch.path().join("home"));
    let work = root.join("work");
    write(
        &work.join("wapc.yaml"),
        "kind: definitions\nname: acme/core\n",
    );
    write(&work.join("index.widl"), "type Core { x: string }\n");
    let git = |args: &[&str]| {
        let status = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(root)
            .status()
            .expect("run git");
        assert!(status.success(), "git {args:?}");
    };
    git(&["init", "--quiet", "work"]);
    git(&["-C", "work", "add", "."]);
    git(&["-C", "work", "commit", "--quiet", "-m", "definitions"]);
    git(&["clone", "--quiet", "--bare", "work", "acme.git"]);

    succeeds(&wapc(&home, root, &["install", "acme.git"]));
    let package = home.join("definitions/acme/core");
    assert!(package.join("index.widl").is_file());
    assert!(
        !package.join(".git").exists(),
        "the clone's .git was copied"
    );
    write(
        &root.join("schema.widl"),
        "import { Core } from \"acme/core\"\ntype A { c: Core }\n",
    );
    succeeds(&wapc(&home, root, &["check", "schema.widl"]));
}

#[test]
fn refuses_packages_that_leave_wapc_home() {
    let scratch = tempfile::tempdir().expect("scratch");
    let (root, home) = (scratch.path(), scratch.path().join("home"));
    for name in [
        "../evil",
        "a//b",
        "/evil",
        "a/../../evil",
        ".evil",
        "a/",
        "a\\..\\b",
    ] {
        write(
            &root.join("pkg/wapc.yaml"),
            &format!("kind: definitions\nname: {name:?}\n"),
        );
        let error = fails(&wapc(&home, root, &["install", "pkg"]));
        assert!(error.contains("a package name is"), "{name}: {error}");
    }

    let absolute = root.join("absolute.widl");
    let absolute = absolute.to_str().expect("a UTF-8 path");
    let file = EntryType::Regular;
    let manifest = ("wapc.yaml", file, DEFINITIONS, None);
    let hostile = [
        ("../evil.widl", file, "x", None),
        (absolute, file, "x", None),
        ("link", EntryType::Symlink, "", Some("/etc")),
        ("hard", EntryType::Link, "", Some("wapc.yaml")),
    ];
    for entry in hostile {
        tgz(&root.join("bad.tgz"), &[manifest, entry]);
        let error = fails(&wapc(&home, root, &["install", "bad.tgz"]));
        assert!(error.contains("nothing was installed"), "{error}");
    }
    assert!(!root.join("evil.widl").exists() && !Path::new(absolute).exists());

    write(&root.join("linked/wapc.yaml"), DEFINITIONS);
    std::os::unix::fs::symlink("/etc", root.join("linked/etc")).expect("symlink");
    let error = fails(&wapc(&home, root, &["install", "linked"]));
    assert!(error.contains("is a link or special file"), "{error}");

    assert!(!home.join("definitions/acme").exists());
}

/// A package made for the old Go CLI (tests/old-cli-package: a package.json naming it,
/// `definitions/` and `templates/`), by the old `file:` prefix and as npm packs it, goes
/// where the old CLI put it, and imports find its definitions as they did then.
#[test]
fn a_package_made_for_the_old_cli_installs_where_the_old_cli_put_it() {
    let scratch = tempfile::tempdir().expect("scratch");
    let (root, home) = (scratch.path(), scratch.path().join("home"));
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/old-cli-package");
    let source = format!("file:{}", fixture.display());
    let installed = succeeds(&wapc(&home, root, &["install", &source]));
    assert!(
        installed.contains("definitions `@acme/widl-shared`")
            && installed.contains("templates `@acme/widl-shared`"),
        "{installed}"
    );
    let definitions = home.join("definitions/@acme/widl-shared");
    assert!(definitions.join("core/index.widl").is_file());
    assert!(definitions.join("types.widl").is_file());
    assert!(
        home.join("templates/@acme/widl-shared/tinygo/module.go.hbs")
            .is_file()
    );
    write(
        &root.join("api/schema.widl"),
        "import * from \"@acme/widl-shared/core\"\ntype Reported { event: Event }\n",
    );
    succeeds(&wapc(&home, root, &["check", "api/schema.widl"]));
    let listed = succeeds(&wapc(&home, root, &["install", "--list"]));
    assert_eq!(
        listed
            .lines()
            .map(|l| l.split_whitespace().take(2).collect::<Vec<_>>())
            .collect::<Vec<_>>(),
        [
            ["definitions", "@acme/widl-shared"],
            ["templates", "@acme/widl-shared"]
        ]
    );

    // As `npm pack` makes it: everything in `package/`; installing again replaces.
    let file = EntryType::Regular;
    let package_json = std::fs::read_to_string(fixture.join("package.json")).expect("fixture");
    tgz(
        &root.join("acme.tgz"),
        &[
            ("package/package.json", file, &package_json, None),
            (
                "package/definitions/core/index.widl",
                file,
                "type Event { id: string }\n",
                None,
            ),
        ],
    );
    succeeds(&wapc(&home, root, &["install", "acme.tgz"]));
    assert!(!definitions.join("types.widl").exists(), "not replaced");
    succeeds(&wapc(&home, root, &["check", "api/schema.widl"]));

    // The hardening holds for it too: a linked package.json is not read.
    write(&root.join("secret"), "{\"name\": \"the secret\"}\n");
    write(
        &root.join("linked/definitions/a.widl"),
        "type A { x: string }\n",
    );
    std::os::unix::fs::symlink(root.join("secret"), root.join("linked/package.json"))
        .expect("symlink");
    let error = fails(&wapc(&home, root, &["install", "file:linked"]));
    assert!(
        error.contains("symbolic link") && !error.contains("the secret"),
        "{error}"
    );
}
