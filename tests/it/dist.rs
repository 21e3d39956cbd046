//! The release (dist/build): the archives' names against Cargo.toml's binstall templates,
//! dist/install.sh and the Homebrew formula; what the archives hold; that packing them again
//! gives the same bytes; the aarch64 binary under qemu printing what the x86_64 one does; and
//! dist/install.sh against a loopback HTTP server serving the release.
//!
//! Building the binaries takes minutes, so the tests do not: `.ci/run` runs dist/build once
//! before `cargo test`, and the tests read `target/wapc-release`. Without it (or when it holds another
//! build than this one) they skip, or fail under `WAPC_REQUIRE_TOOLCHAINS=1`.

#![cfg(unix)]

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::{OsStr, OsString};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::toolchain::{self, available, succeed};

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Where dist/build writes the release (its default, `target/wapc-release`).
fn dist_dir() -> PathBuf {
    toolchain::target_dir().join("wapc-release")
}

/// `dist/build ARGS`, with this test run's target folder.
fn dist_build(args: &[&str]) -> String {
    succeed(
        Command::new(manifest_dir().join("dist/build"))
            .args(args)
            .env("CARGO_TARGET_DIR", toolchain::target_dir()),
    )
}

/// The archives dist/build names, in its order.
fn archive_names() -> Vec<String> {
    dist_build(&["--names"])
        .lines()
        .map(str::to_string)
        .collect()
}

/// The target triple in an archive's name.
fn triple(archive: &str) -> &str {
    archive
        .strip_prefix("wapc-")
        .and_then(|rest| rest.strip_suffix(".tar.gz"))
        .unwrap_or_else(|| panic!("{archive} is not named wapc-<target>.tar.gz"))
}

/// Cargo.toml's `[package]`.
fn package() -> toml::Table {
    let text = std::fs::read_to_string(manifest_dir().join("Cargo.toml")).expect("Cargo.toml");
    let manifest: toml::Table = toml::from_str(&text).expect("Cargo.toml parses");
    manifest["package"]
        .as_table()
        .expect("a [package] table")
        .clone()
}

fn string<'a>(table: &'a toml::Table, key: &str) -> &'a str {
    table[key]
        .as_str()
        .unwrap_or_else(|| panic!("`{key}` is a string"))
}

/// A binstall template with its `{ key }`s replaced, as cargo-binstall does for `target`.
fn expand(template: &str, target: &str) -> String {
    let package = package();
    let values = [
        ("repo", string(&package, "repository")),
        ("version", env!("CARGO_PKG_VERSION")),
        ("name", string(&package, "name")),
        ("bin", "wapc"),
        ("binary-ext", ""),
        ("target", target),
    ];
    let mut text = template.to_string();
    for (key, value) in values {
        text = text.replace(&format!("{{ {key} }}"), value);
    }
    assert!(
        !text.contains('{'),
        "{template}: a key that the test does not know"
    );
    text
}

/// Cargo.toml's binstall `pkg-url` and `bin-dir` for `target`, its override's when it has one.
fn binstall(target: &str) -> (String, String) {
    let package = package();
    let binstall = package["metadata"]["binstall"]
        .as_table()
        .expect("[package.metadata.binstall]");
    let table = binstall
        .get("overrides")
        .and_then(|overrides| overrides.get(target))
        .and_then(toml::Value::as_table)
        .unwrap_or(binstall);
    (
        expand(string(table, "pkg-url"), target),
        expand(string(table, "bin-dir"), target),
    )
}

/// Where a release's archive is downloaded from (binstall's and the formula's URL).
fn release_url(archive: &str) -> String {
    format!(
        "{}/releases/download/v{}/{archive}",
        string(&package(), "repository"),
        env!("CARGO_PKG_VERSION")
    )
}

#[test]
fn binstall_and_install_sh_name_exactly_the_archives_dist_build_makes() {
    let names = archive_names();
    assert_eq!(names.len(), 2, "{names:?}");
    // Each of dist/build's targets through the main template.
    for name in &names {
        let target = triple(name);
        assert_eq!(
            binstall(target),
            (release_url(name), format!("wapc-{target}/wapc")),
            "{target}"
        );
    }
    // The overrides lead other Linux targets to one of those archives, never another.
    let package = package();
    let overrides = package["metadata"]["binstall"]["overrides"]
        .as_table()
        .expect("binstall overrides");
    assert!(!overrides.is_empty());
    for target in overrides.keys() {
        let (url, bin_dir) = binstall(target);
        let archive = url.rsplit('/').next().unwrap_or_default();
        assert!(names.iter().any(|name| name == archive), "{target}: {url}");
        assert_eq!(url, release_url(archive), "{target}");
        assert_eq!(
            bin_dir,
            format!("wapc-{}/wapc", triple(archive)),
            "{target}"
        );
    }
    // install.sh picks among the same targets, from the same repository.
    let script =
        std::fs::read_to_string(manifest_dir().join("dist/install.sh")).expect("install.sh");
    let picked: BTreeSet<&str> = script
        .lines()
        .filter_map(|line| line.split("target=").nth(1)?.split_whitespace().next())
        .collect();
    let built: BTreeSet<&str> = names.iter().map(|name| triple(name)).collect();
    assert_eq!(picked, built);
    assert!(
        script.contains(&format!(
            "\nrepository={}\n",
            string(&package, "repository")
        )),
        "install.sh downloads from Cargo.toml's repository"
    );
}

/// The release in target/wapc-release, unpacked into a scratch folder for one test.
struct Release {
    dir: PathBuf,
    /// Each archive's name and the folder it unpacked to.
    unpacked: Vec<(String, PathBuf)>,
    work: PathBuf,
}

impl Release {
    /// The release, when dist/build has made one from this build's commit; otherwise `None`
    /// (the test is skipped, or fails under WAPC_REQUIRE_TOOLCHAINS=1).
    fn find(test: &str) -> Option<Release> {
        let dir = dist_dir();
        let names = archive_names();
        let made = names.iter().all(|name| dir.join(name).is_file());
        if !available(
            made,
            test,
            "no release in target/wapc-release (run dist/build first)",
        ) {
            return None;
        }
        let work = toolchain::scratch("dist", test);
        let unpacked: Vec<(String, PathBuf)> = names
            .into_iter()
            .map(|name| {
                unpack(&dir.join(&name), &work.join("unpacked"));
                let folder = work
                    .join("unpacked")
                    .join(format!("wapc-{}", triple(&name)));
                (name, folder)
            })
            .collect();
        let release = Release {
            dir,
            unpacked,
            work,
        };
        let released = release.run("x86_64-unknown-linux-gnu", &["--version"]);
        let ours = succeed(Command::new(env!("CARGO_BIN_EXE_wapc")).arg("--version"));
        let current = released.stdout == ours.as_bytes();
        let reason = format!(
            "target/wapc-release holds {}, not this build's {} (run dist/build again)",
            String::from_utf8_lossy(&released.stdout).trim(),
            ours.trim()
        );
        available(current, test, &reason).then_some(release)
    }

    /// The unpacked folder of `target`'s archive.
    fn folder(&self, target: &str) -> &Path {
        &self
            .unpacked
            .iter()
            .find(|(name, _)| triple(name) == target)
            .unwrap_or_else(|| panic!("no archive for {target}"))
            .1
    }

    /// Runs `target`'s binary with `args` in the scratch folder (aarch64 under qemu).
    fn run(&self, target: &str, args: &[&str]) -> Output {
        self.run_in(target, &self.work, args)
    }

    fn run_in(&self, target: &str, dir: &Path, args: &[&str]) -> Output {
        let binary = self.folder(target).join("wapc");
        let mut command = if target.starts_with("aarch64") {
            let mut qemu = Command::new("qemu-aarch64-static");
            qemu.arg(binary);
            qemu
        } else {
            Command::new(binary)
        };
        command
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap_or_else(|e| panic!("{target}'s wapc does not run: {e}"))
    }
}

/// Unpacks a .tar.gz into `into`.
fn unpack(archive: &Path, into: &Path) {
    let file = std::fs::File::open(archive).expect("a readable archive");
    tar::Archive::new(flate2::read::GzDecoder::new(file))
        .unpack(into)
        .unwrap_or_else(|e| panic!("{} unpacks: {e}", archive.display()));
}

/// An archive's entries in their order: path, mode, owner, group and date.
fn entries(archive: &Path) -> Vec<(String, u32, u64, u64, u64)> {
    let file = std::fs::File::open(archive).expect("a readable archive");
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    archive
        .entries()
        .expect("a tar archive")
        .map(|entry| {
            let entry = entry.expect("a tar entry");
            let header = entry.header();
            (
                // A folder's path ends in `/` in the archive.
                entry
                    .path()
                    .expect("a path")
                    .display()
                    .to_string()
                    .trim_end_matches('/')
                    .to_string(),
                header.mode().expect("a mode"),
                header.uid().expect("an owner"),
                header.gid().expect("a group"),
                header.mtime().expect("a date"),
            )
        })
        .collect()
}

/// The ELF machine of a binary, and whether it asks for a dynamic loader (a PT_INTERP header).
fn elf(binary: &Path) -> (u16, bool) {
    let bytes = std::fs::read(binary).expect("a readable binary");
    assert_eq!(&bytes[..5], b"\x7fELF\x02", "a 64-bit ELF file");
    let u16_at = |at: usize| u16::from_le_bytes([bytes[at], bytes[at + 1]]);
    let machine = u16_at(18);
    let headers = u64::from_le_bytes(bytes[32..40].try_into().expect("8 bytes")) as usize;
    let (size, count) = (usize::from(u16_at(54)), usize::from(u16_at(56)));
    let interpreter = (0..count).any(|i| {
        let at = headers + i * size;
        u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes")) == 3
    });
    (machine, interpreter)
}

/// The sha256 of a file, as `sha256sum` prints it.
fn sha256(path: &Path) -> String {
    succeed(Command::new("sha256sum").arg(path))
        .split_whitespace()
        .next()
        .expect("a checksum")
        .to_string()
}

/// SHA256SUMS as a map from file name to checksum.
fn checksums(dir: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(dir.join("SHA256SUMS")).expect("SHA256SUMS");
    text.lines()
        .map(|line| {
            let (sum, name) = line.split_once("  ").expect("`<sum>  <name>` lines");
            (name.to_string(), sum.to_string())
        })
        .collect()
}

#[test]
fn each_archive_holds_a_static_binary_the_docs_and_completions_with_fixed_metadata() {
    let Some(release) = Release::find("archive_contents") else {
        return;
    };
    let ours = |args: &[&str]| succeed(Command::new(env!("CARGO_BIN_EXE_wapc")).args(args));
    let sums = checksums(&release.dir);
    assert_eq!(
        sums.keys().cloned().collect::<BTreeSet<_>>(),
        archive_names().into_iter().collect(),
        "SHA256SUMS lists each archive"
    );
    for (name, folder) in &release.unpacked {
        let archive = release.dir.join(name);
        assert_eq!(sha256(&archive), sums[name], "{name}'s checksum");
        let top = format!("wapc-{}", triple(name));
        let listed = entries(&archive);
        let expected = [
            ("", 0o755),
            ("/LICENSE", 0o644),
            ("/README.md", 0o644),
            ("/completions", 0o755),
            ("/completions/_wapc", 0o644),
            ("/completions/wapc.bash", 0o644),
            ("/completions/wapc.fish", 0o644),
            ("/wapc", 0o755),
            ("/wapc.1", 0o644),
        ];
        let paths: Vec<(String, u32)> = listed.iter().map(|e| (e.0.clone(), e.1)).collect();
        let wanted: Vec<(String, u32)> = expected
            .iter()
            .map(|(path, mode)| (format!("{top}{path}"), *mode))
            .collect();
        assert_eq!(
            paths, wanted,
            "{name}: its files in name order, and their modes"
        );
        let date = listed[0].4;
        assert!(date > 0);
        assert!(
            listed.iter().all(|e| e.2 == 0 && e.3 == 0 && e.4 == date),
            "{name}: owner and group 0, one date: {listed:?}"
        );
        let read = |file: &str| std::fs::read(folder.join(file)).expect("an unpacked file");
        let source = |file: &str| std::fs::read(manifest_dir().join(file)).expect("a source file");
        assert_eq!(read("LICENSE"), source("LICENSE"), "{name}");
        assert_eq!(read("README.md"), source("README.md"), "{name}");
        assert_eq!(read("wapc.1"), ours(&["man"]).into_bytes(), "{name}");
        for (file, shell) in [
            ("completions/wapc.bash", "bash"),
            ("completions/_wapc", "zsh"),
            ("completions/wapc.fish", "fish"),
        ] {
            assert_eq!(
                read(file),
                ours(&["completions", shell]).into_bytes(),
                "{name}"
            );
        }
        let machine = if name.contains("aarch64") { 183 } else { 62 };
        assert_eq!(
            elf(&folder.join("wapc")),
            (machine, false),
            "{name}: the binary's machine, and no dynamic loader"
        );
    }
    assert_eq!(
        std::fs::read(release.dir.join("install.sh")).expect("the released install.sh"),
        std::fs::read(manifest_dir().join("dist/install.sh")).expect("dist/install.sh")
    );
}

#[test]
fn packing_the_same_binaries_again_gives_the_same_bytes() {
    let Some(release) = Release::find("repack") else {
        return;
    };
    let again = release.work.join("again");
    dist_build(&[
        "--package-only",
        "--out",
        again.to_str().expect("a UTF-8 path"),
    ]);
    let files = |dir: &Path| -> BTreeSet<String> {
        std::fs::read_dir(dir)
            .expect("a readable folder")
            .map(|entry| {
                entry
                    .expect("an entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect()
    };
    assert_eq!(files(&again), files(&release.dir));
    for file in files(&release.dir) {
        assert!(
            std::fs::read(again.join(&file)).ok() == std::fs::read(release.dir.join(&file)).ok(),
            "{file} differs when packed again"
        );
    }
}

/// A codegen.yaml rendering every built-in template over `schema`, each into a file of its
/// language's extension.
fn every_template(schema: &str) -> String {
    let listed = toolchain::wapc(manifest_dir(), &["templates", "list"]);
    let mut yaml = format!("schema: {schema}\ngenerates:\n");
    for template in listed
        .lines()
        .filter_map(|line| line.split_whitespace().next())
    {
        let extension = match template.split('/').next() {
            Some("rust") => "rs",
            Some("tinygo" | "go") => "go",
            Some("assemblyscript" | "typescript") => "ts",
            other => panic!("{template}: which language is {other:?}?"),
        };
        let file = template.replace('/', "_");
        yaml.push_str(&format!(
            "  out/{file}.{extension}:\n    template: {template}\n"
        ));
    }
    yaml
}

/// The files under `dir`, by path relative to it, with their bytes.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|entry| entry.expect("a readable entry"))
        .filter(|entry| entry.file_type().is_file())
        .map(|entry| {
            let relative = entry
                .path()
                .strip_prefix(dir)
                .expect("under dir")
                .to_path_buf();
            (
                relative,
                std::fs::read(entry.path()).expect("a readable file"),
            )
        })
        .collect()
}

#[test]
fn the_aarch64_binary_under_qemu_prints_and_writes_what_the_x86_64_one_does() {
    let Some(release) = Release::find("qemu") else {
        return;
    };
    let qemu = toolchain::runs("qemu-aarch64-static");
    if !available(
        qemu,
        "qemu",
        "qemu-aarch64-static is not installed (apt: qemu-user-static)",
    ) {
        return;
    }
    // One project per binary, alike: the greeter example, and every construct through every
    // template; plus a schema with errors.
    let projects = ["x86_64-unknown-linux-gnu", "aarch64-unknown-linux-musl"].map(|target| {
        let project = release.work.join("projects").join(target);
        let copy = |from: &str, to: &str| {
            let to = project.join(to);
            std::fs::create_dir_all(to.parent().expect("a folder")).expect("a writable folder");
            std::fs::copy(manifest_dir().join(from), to).expect("a copy");
        };
        // Without its src/lib.rs, so that the scaffold is written too.
        copy("examples/greeter/codegen.yaml", "greeter/codegen.yaml");
        copy("examples/greeter/schema.widl", "greeter/schema.widl");
        copy("tests/schemas/everything.widl", "everything/schema.widl");
        let everything = project.join("everything");
        std::fs::write(
            everything.join("codegen.yaml"),
            every_template("schema.widl"),
        )
        .expect("a writable codegen.yaml");
        std::fs::write(
            project.join("invalid.widl"),
            "namespace \"x\"\ntype A { b: Missing }\ntype A { c: string }\n",
        )
        .expect("a writable schema");
        (target, project)
    });
    let commands: &[&[&str]] = &[
        &["--version"],
        &["check", "greeter/schema.widl", "everything/schema.widl"],
        &["ast", "greeter/schema.widl"],
        &["ast", "--pretty", "everything/schema.widl"],
        &["check", "--color", "always", "invalid.widl"],
        &["ast", "invalid.widl"],
        &["fmt", "everything/schema.widl"],
        &["fmt", "--diff", "greeter/schema.widl"],
        &["generate", "greeter"],
        &["generate", "--no-format", "everything"],
        &["generate", "--check", "everything"],
        &["templates", "list"],
        &["man"],
        &["completions", "zsh"],
    ];
    for args in commands {
        let [(x86, x86_dir), (arm, arm_dir)] = &projects;
        let expected = release.run_in(x86, x86_dir, args);
        let actual = release.run_in(arm, arm_dir, args);
        assert_eq!(
            actual.status.code(),
            expected.status.code(),
            "{args:?}: exit status"
        );
        assert!(
            actual.stdout == expected.stdout,
            "{args:?}: stdout differs:\n{}\n---\n{}",
            String::from_utf8_lossy(&expected.stdout),
            String::from_utf8_lossy(&actual.stdout)
        );
        assert!(
            actual.stderr == expected.stderr,
            "{args:?}: stderr differs:\n{}\n---\n{}",
            String::from_utf8_lossy(&expected.stderr),
            String::from_utf8_lossy(&actual.stderr)
        );
    }
    let [(_, x86_dir), (_, arm_dir)] = &projects;
    let written = tree(&x86_dir.join("everything/out"));
    assert!(
        written.len() >= 10,
        "every template wrote a file: {written:?}"
    );
    assert!(tree(x86_dir) == tree(arm_dir), "the generated files differ");
}

#[test]
fn the_homebrew_formula_installs_each_archive_by_its_checksum() {
    let Some(release) = Release::find("formula") else {
        return;
    };
    let formula = std::fs::read_to_string(release.dir.join("wapc.rb")).expect("wapc.rb");
    let value = |line: &str, key: &str| -> Option<String> {
        let rest = line.trim().strip_prefix(key)?.trim();
        Some(rest.strip_prefix('"')?.strip_suffix('"')?.to_string())
    };
    let urls: Vec<String> = formula.lines().filter_map(|l| value(l, "url")).collect();
    let sums: Vec<String> = formula.lines().filter_map(|l| value(l, "sha256")).collect();
    let checksums = checksums(&release.dir);
    let names = archive_names();
    assert_eq!(urls.len(), names.len(), "{formula}");
    for (url, sum) in urls.iter().zip(&sums) {
        let archive = url.rsplit('/').next().unwrap_or_default();
        assert_eq!(
            binstall(triple(archive)).0,
            *url,
            "binstall and the formula agree"
        );
        assert_eq!(checksums[archive], *sum, "{archive}");
    }
    assert_eq!(
        formula.lines().find_map(|l| value(l, "version")).as_deref(),
        Some(env!("CARGO_PKG_VERSION"))
    );
    // What `install` takes is in every archive.
    for line in formula.lines().filter(|line| line.contains(".install \"")) {
        let file = line.split('"').nth(1).expect("a quoted file");
        for (name, folder) in &release.unpacked {
            assert!(folder.join(file).is_file(), "{name} lacks {file}");
        }
    }
    // `brew test`'s schema is one `wapc check` accepts.
    let schema: String = formula
        .split("<<~WIDL\n")
        .nth(1)
        .and_then(|rest| rest.split("    WIDL\n").next())
        .expect("the test block's schema")
        .lines()
        .map(|line| format!("{}\n", line.strip_prefix("      ").unwrap_or(line)))
        .collect();
    let file = release.work.join("brew-test.widl");
    std::fs::write(&file, &schema).expect("a writable schema");
    let checked = release.run("x86_64-unknown-linux-gnu", &["check", "brew-test.widl"]);
    assert!(checked.status.success(), "{schema}\n{checked:?}");
    assert!(formula.contains("system bin/\"wapc\", \"check\""));
}

/// What the loopback server answers for every path.
#[derive(Clone, Copy)]
enum Serving {
    /// The release's files, 404 for others.
    Release,
    /// The release, but the archives are missing: 404 with an HTML page.
    NoArchives,
    /// A 200 HTML page for everything, as a captive portal does.
    Portal,
    /// The release with every archive's last byte changed.
    Corrupted,
}

const PAGE: &[u8] = b"<html><body><h1>Not here</h1></body></html>\n";

/// Serves `dir` on a loopback port as `serving` says, for the rest of the test process;
/// returns its URL.
fn serve(dir: PathBuf, serving: Serving) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let address = listener.local_addr().expect("a bound address");
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let mut reader = BufReader::new(&stream);
            let mut request = String::new();
            let _ = reader.read_line(&mut request);
            // The headers, up to the blank line.
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let path = request.split_whitespace().nth(1).unwrap_or("/");
            let file = dir.join(path.trim_start_matches('/'));
            let archive = path.ends_with(".tar.gz");
            let (status, body) = match (serving, std::fs::read(&file)) {
                (Serving::Portal, _) => ("200 OK", PAGE.to_vec()),
                (Serving::NoArchives, _) if archive => ("404 Not Found", PAGE.to_vec()),
                (Serving::Corrupted, Ok(mut bytes)) if archive => {
                    if let Some(last) = bytes.last_mut() {
                        *last ^= 1;
                    }
                    ("200 OK", bytes)
                }
                (_, Ok(bytes)) => ("200 OK", bytes),
                (_, Err(_)) => ("404 Not Found", PAGE.to_vec()),
            };
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let mut writer = &stream;
            let _ = writer.write_all(head.as_bytes());
            let _ = writer.write_all(&body);
        }
    });
    format!("http://{address}")
}

/// A folder holding a `uname` that says this is `os` on `machine`.
fn fake_uname(work: &Path, os: &str, machine: &str) -> PathBuf {
    let bin = work.join(format!("uname-{os}-{machine}"));
    std::fs::create_dir_all(&bin).expect("a writable folder");
    let uname = bin.join("uname");
    std::fs::write(
        &uname,
        format!("#!/bin/sh\ncase \"$1\" in -s) echo {os} ;; -m) echo {machine} ;; esac\n"),
    )
    .expect("a writable script");
    std::fs::set_permissions(&uname, std::fs::Permissions::from_mode(0o755))
        .expect("an executable script");
    bin
}

/// Runs dist/install.sh downloading from `url` into `work/<into>`, with `path` as PATH;
/// returns its output and where it installs.
fn install_sh(work: &Path, url: &str, into: &str, path: &OsStr) -> (Output, PathBuf) {
    let install_dir = work.join(into);
    let output = Command::new("/bin/sh")
        .arg(manifest_dir().join("dist/install.sh"))
        .env("WAPC_DOWNLOAD_URL", url)
        .env("WAPC_INSTALL_DIR", &install_dir)
        .env("HOME", work)
        .env("PATH", path)
        .env("no_proxy", "127.0.0.1")
        .env("NO_PROXY", "127.0.0.1")
        .output()
        .expect("sh runs");
    (output, install_dir)
}

/// This process's PATH with `first` ahead of it.
fn path_with(first: &Path) -> OsString {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs = std::iter::once(first.to_path_buf()).chain(std::env::split_paths(&path));
    std::env::join_paths(dirs).expect("a PATH")
}

/// A PATH of one folder holding what install.sh runs, but for curl: it has to use wget.
fn path_without_curl(work: &Path) -> OsString {
    let bin = work.join("no-curl");
    std::fs::create_dir_all(&bin).expect("a writable folder");
    let path = std::env::var_os("PATH").unwrap_or_default();
    for tool in [
        "uname",
        "mktemp",
        "rm",
        "awk",
        "tr",
        "cut",
        "sha256sum",
        "tar",
        "gzip",
        "mkdir",
        "cp",
        "chmod",
        "mv",
        "wget",
    ] {
        let found = std::env::split_paths(&path)
            .map(|dir| dir.join(tool))
            .find(|candidate| candidate.is_file())
            .unwrap_or_else(|| panic!("{tool} is not on PATH"));
        let link = bin.join(tool);
        if !link.exists() {
            std::os::unix::fs::symlink(found, link).expect("a symbolic link");
        }
    }
    bin.into_os_string()
}

/// Whether the install failed, saying `message`, leaving nothing installed.
fn refused(output: &Output, install_dir: &Path, message: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(
        stderr.contains(message),
        "expected {message:?} in:\n{stderr}"
    );
    assert!(
        !install_dir.join("wapc").exists(),
        "nothing installed after: {stderr}"
    );
}

#[test]
fn install_sh_installs_the_archive_for_the_machine_and_refuses_what_is_wrong() {
    let Some(release) = Release::find("install_sh") else {
        return;
    };
    if !available(
        toolchain::runs("curl"),
        "install_sh",
        "curl is not installed",
    ) {
        return;
    }
    let work = &release.work;
    let path = std::env::var_os("PATH").unwrap_or_default();
    let url = serve(release.dir.clone(), Serving::Release);
    let installed = |install_dir: &Path, target: &str| {
        assert_eq!(
            std::fs::read(install_dir.join("wapc")).ok(),
            std::fs::read(release.folder(target).join("wapc")).ok(),
            "{target}'s binary installed"
        );
    };

    // This machine (x86_64 Linux), over HTTP and from a file:// URL.
    let (output, dir) = install_sh(work, &url, "http", &path);
    assert!(output.status.success(), "{output:?}");
    installed(&dir, "x86_64-unknown-linux-gnu");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(&format!("installed {}", dir.join("wapc").display())),
        "{stdout}"
    );
    let file_url = format!("file://{}", release.dir.display());
    let (output, dir) = install_sh(work, &file_url, "file", &path);
    assert!(output.status.success(), "{output:?}");
    installed(&dir, "x86_64-unknown-linux-gnu");

    // An aarch64 machine gets the aarch64 archive.
    let arm = fake_uname(work, "Linux", "aarch64");
    let (output, dir) = install_sh(work, &url, "arm", &path_with(&arm));
    assert!(output.status.success(), "{output:?}");
    installed(&dir, "aarch64-unknown-linux-musl");

    // Platforms without a binary.
    for (os, machine) in [
        ("Linux", "armv7l"),
        ("Darwin", "arm64"),
        ("FreeBSD", "amd64"),
    ] {
        let bin = fake_uname(work, os, machine);
        let (output, dir) = install_sh(work, &url, "unsupported", &path_with(&bin));
        refused(
            &output,
            &dir,
            &format!("no release binary for {os} on {machine}"),
        );
    }

    // Error pages and corrupted downloads are never installed.
    let missing = serve(release.dir.clone(), Serving::NoArchives);
    let (output, dir) = install_sh(work, &missing, "missing", &path);
    refused(&output, &dir, "could not download");
    let portal = serve(release.dir.clone(), Serving::Portal);
    let (output, dir) = install_sh(work, &portal, "portal", &path);
    refused(
        &output,
        &dir,
        "has no checksum for wapc-x86_64-unknown-linux-gnu.tar.gz",
    );
    let corrupted = serve(release.dir.clone(), Serving::Corrupted);
    let (output, dir) = install_sh(work, &corrupted, "corrupted", &path);
    refused(&output, &dir, "does not match SHA256SUMS");
    let (output, dir) = install_sh(work, &format!("{url}/nowhere"), "nowhere", &path);
    refused(&output, &dir, "could not download");

    // Without curl, wget downloads, and an error page stops it just the same.
    if available(
        toolchain::runs("wget"),
        "install_sh",
        "wget is not installed",
    ) {
        let no_curl = path_without_curl(work);
        let (output, dir) = install_sh(work, &url, "wget", &no_curl);
        assert!(output.status.success(), "{output:?}");
        installed(&dir, "x86_64-unknown-linux-gnu");
        let (output, dir) = install_sh(work, &missing, "wget-missing", &no_curl);
        refused(&output, &dir, "could not download");
    }
}
