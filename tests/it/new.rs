//! `wapc new`: project templates, variables, safety, and projects that build as created.

use crate::support::toolchain;

use std::path::{Path, PathBuf};
use std::process::Command;

fn scratch(test: &str) -> PathBuf {
    toolchain::scratch("new", test)
}

/// Runs `wapc` in `dir` with no terminal on stdin; returns exit code, stdout, stderr.
fn wapc(dir: &Path, args: &[&str], envs: &[(&str, &Path)]) -> (i32, String, String) {
    toolchain::run_wapc(dir, args, envs)
}

/// Every file under `dir`, as `== path ==` then its content, in path order.
fn tree(dir: &Path) -> String {
    let mut files: Vec<PathBuf> = walk(dir);
    files.sort();
    files
        .iter()
        .map(|path| {
            let relative = path.strip_prefix(dir).unwrap().display();
            format!(
                "== {relative} ==\n{}",
                std::fs::read_to_string(path).unwrap()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
fn list_shows_every_built_in_template_with_its_description() {
    let (code, stdout, _) = wapc(&scratch("list"), &["new", "--list"], &[]);
    assert_eq!(code, 0);
    insta::assert_snapshot!(stdout);
}

#[test]
fn each_built_in_template_renders_its_files() {
    let dir = scratch("render");
    let (code, stdout, _) = wapc(&dir, &["new", "--list"], &[]);
    assert_eq!(code, 0);
    for name in stdout.lines().filter_map(|l| l.split_whitespace().next()) {
        let mut args = vec!["new", name, name, "description=A test project"];
        // Go modules have no author: the Go templates have no such variable.
        if name != "tinygo" && name != "go" {
            args.push("author=Ann Example");
        }
        let (code, _, stderr) = wapc(&dir, &args, &[]);
        assert_eq!(code, 0, "{name}: {stderr}");
        insta::assert_snapshot!(format!("project_{name}"), tree(&dir.join(name)));
    }
}

#[test]
fn name_defaults_to_the_folder_and_variables_to_their_defaults() {
    let dir = scratch("defaults");
    let (code, stdout, _) = wapc(&dir, &["new", "rust", "my-module"], &[]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("written    my-module/Cargo.toml"),
        "{stdout}"
    );
    let manifest = std::fs::read_to_string(dir.join("my-module/Cargo.toml")).unwrap();
    assert!(manifest.contains("name = \"my-module\""), "{manifest}");
    assert!(manifest.contains("version = \"0.1.0\""), "{manifest}");
    assert!(
        !manifest.contains("authors"),
        "an empty author is left out: {manifest}"
    );
    let schema = std::fs::read_to_string(dir.join("my-module/schema.widl")).unwrap();
    assert!(schema.starts_with("namespace \"my-module\""), "{schema}");
}

#[test]
fn a_non_empty_folder_is_refused_and_force_never_overwrites() {
    let dir = scratch("non_empty");
    std::fs::create_dir_all(dir.join("p")).unwrap();
    std::fs::write(dir.join("p/schema.widl"), "# mine\n").unwrap();
    let (code, _, stderr) = wapc(&dir, &["new", "rust", "p"], &[]);
    assert_eq!(code, 1);
    assert!(stderr.contains("`p` is not empty"), "{stderr}");
    assert!(!dir.join("p/Cargo.toml").exists());

    let (code, stdout, _) = wapc(&dir, &["new", "rust", "p", "--force"], &[]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("kept       p/schema.widl (it exists)"),
        "{stdout}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("p/schema.widl")).unwrap(),
        "# mine\n"
    );
    assert!(dir.join("p/Cargo.toml").exists());
}

#[test]
fn spec_replaces_the_template_schema() {
    let dir = scratch("spec");
    let spec = "namespace \"mine\"\ninterface { ping() }\n";
    std::fs::write(dir.join("api.widl"), spec).unwrap();
    let (code, _, stderr) = wapc(&dir, &["new", "rust", "p", "--spec", "api.widl"], &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.join("p/schema.widl")).unwrap(),
        spec
    );

    let (code, _, stderr) = wapc(&dir, &["new", "rust", "q", "--spec", "missing.widl"], &[]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("cannot read `missing.widl`: no such file"),
        "{stderr}"
    );
    assert!(!dir.join("q").exists(), "a failed `new` wrote files");
}

/// A user template in `dir/tpl` with the given extra file.
fn user_template(dir: &Path, manifest_variables: &str, file: (&str, &str)) -> PathBuf {
    let template = dir.join("tpl");
    std::fs::create_dir_all(&template).unwrap();
    std::fs::write(
        template.join(".template"),
        format!("name: mine\ndescription: My template\nvariables:\n{manifest_variables}"),
    )
    .unwrap();
    let path = template.join(file.0);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, file.1).unwrap();
    template
}

#[test]
fn user_templates_render_hbs_files_and_copy_the_rest() {
    let dir = scratch("user");
    user_template(
        &dir,
        "  - name: owner\n    default: nobody\n",
        (
            "docs/{{snake name}}.md.hbs",
            "# {{pascal name}} by {{owner}}\n",
        ),
    );
    std::fs::write(dir.join("tpl/plain.txt"), "{{not rendered}}\n").unwrap();
    let (code, _, stderr) = wapc(&dir, &["new", "./tpl", "out", "owner=Bo"], &[]);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!(tree(&dir.join("out")));
}

#[test]
fn a_required_variable_without_a_value_or_a_terminal_is_an_error_naming_it() {
    let dir = scratch("required");
    user_template(
        &dir,
        "  - name: module\n    required: true\n",
        ("go.mod.hbs", "module {{module}}\n"),
    );
    let (code, _, stderr) = wapc(&dir, &["new", "./tpl", "out"], &[]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("the template `mine` needs `module`: pass `module=VALUE`"),
        "{stderr}"
    );
    assert!(!dir.join("out").exists());
    let (code, _, _) = wapc(&dir, &["new", "./tpl", "out", "module=example.com/x"], &[]);
    assert_eq!(code, 0);
    assert_eq!(
        std::fs::read_to_string(dir.join("out/go.mod")).unwrap(),
        "module example.com/x\n"
    );
}

#[test]
fn a_template_file_that_leaves_the_project_is_refused() {
    let dir = scratch("escape");
    user_template(
        &dir,
        "  - name: place\n    default: ok\n",
        ("{{place}}.txt", "x\n"),
    );
    for place in ["../outside", "/tmp/absolute"] {
        let (code, _, stderr) = wapc(
            &dir,
            &["new", "./tpl", "out", &format!("place={place}")],
            &[],
        );
        assert_eq!(code, 1, "{place}");
        assert!(
            stderr.contains("its path leaves the project folder"),
            "{stderr}"
        );
    }
    assert!(!dir.join("outside.txt").exists() && !dir.join("out").exists());
    let (code, _, _) = wapc(&dir, &["new", "./tpl", "out"], &[]);
    assert_eq!(code, 0);
    assert!(dir.join("out/ok.txt").exists());
}

#[test]
fn templates_are_found_in_wapc_home() {
    let dir = scratch("home");
    let template = user_template(&dir, "  []\n", ("hello.txt", "hi\n"));
    std::fs::create_dir_all(dir.join("home/templates")).unwrap();
    std::fs::rename(template, dir.join("home/templates/mine")).unwrap();
    let home = dir.join("home");
    let (code, _, stderr) = wapc(&dir, &["new", "mine", "out"], &[("WAPC_HOME", &home)]);
    assert_eq!(code, 0, "{stderr}");
    assert!(dir.join("out/hello.txt").exists());
    let (code, _, stderr) = wapc(&dir, &["new", "nope", "out2"], &[("WAPC_HOME", &home)]);
    assert_eq!(code, 1);
    assert!(stderr.contains("no project template `nope`"), "{stderr}");
}

/// Runs `make` in `dir` with the project's build routed to wapc's own target folders.
fn make(dir: &Path, targets: &[&str], vars: &[String]) -> String {
    toolchain::succeed(
        Command::new("make")
            .current_dir(dir)
            .args(targets)
            .arg(format!("WAPC={}", env!("CARGO_BIN_EXE_wapc")))
            .args(vars),
    )
}

/// The folder that holds wapc's own target folders, where the projects' builds go, shared
/// with the other tests (so wasmtime is built once).
fn shared_target() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Creates a `rust-host` project called `app` in `dir`, builds it, and has it call `greet` on
/// `module`. The module's scaffolded `greet` answers with its "not implemented" error, which
/// the application reports: returns the application's stderr, having checked that it failed.
fn greet_through_rust_host(dir: &Path, app: &str, module: &Path) -> String {
    assert_eq!(wapc(dir, &["new", "rust-host", app], &[]).0, 0);
    let host_target = format!(
        "TARGET_DIR={}",
        shared_target().join("roundtrip-host").display()
    );
    make(
        &dir.join(app),
        &["codegen", "build"],
        std::slice::from_ref(&host_target),
    );
    let output = Command::new("make")
        .current_dir(dir.join(app))
        .arg("run")
        .arg(format!("WAPC={}", env!("CARGO_BIN_EXE_wapc")))
        .arg(host_target)
        .arg(format!("MODULE={}", module.display()))
        .arg("OP=greet")
        .arg("ARGS={\"name\": \"World\", \"excitement\": 2}")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!output.status.success(), "{stderr}");
    stderr
}

#[test]
fn the_rust_projects_build_and_the_host_runs_the_module() {
    let wasm = toolchain::WasmRust::find();
    if !toolchain::available(
        wasm.is_some() && toolchain::runs("make"),
        "the_rust_projects_build_and_the_host_runs_the_module",
        "no wasm32-capable rustc and wasm-ld-16, or no make",
    ) {
        return;
    }
    let wasm = wasm.expect("checked above");
    let dir = scratch("build_rust");
    let target = shared_target();
    assert_eq!(wapc(&dir, &["new", "rust", "guest"], &[]).0, 0);
    make(
        &dir.join("guest"),
        &["codegen", "build"],
        &[
            format!("WASM_RUSTC={}", wasm.rustc),
            format!("WASM_LINKER={}", wasm.linker),
            format!("TARGET_DIR={}", target.join("roundtrip-guest").display()),
        ],
    );
    let module = target.join("roundtrip-guest/wasm32-unknown-unknown/release/guest.wasm");
    assert!(module.exists(), "no {}", module.display());

    // The guest's scaffolded `greet` answers with its "not implemented" error: the call went
    // from the host application into the module and back.
    let stderr = greet_through_rust_host(&dir, "app", &module);
    assert!(
        stderr.contains("`greet` is not implemented yet"),
        "{stderr}"
    );
}

/// Whether `go version` runs.
fn go_installed() -> bool {
    Command::new("go")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Runs `go args...` in `dir` and fails the test unless it succeeds.
fn go(dir: &Path, args: &[&str]) {
    let output = Command::new("go")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("go runs");
    assert!(
        output.status.success(),
        "go {args:?} failed in {}:\n{}{}",
        dir.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn the_tinygo_project_builds_and_vets_natively() {
    // TinyGo itself is not needed: wapc-guest-tinygo has native stand-ins for the waPC
    // imports, so the project's Go builds, vets and tests with Go.
    if !toolchain::available(
        go_installed() && toolchain::runs("make"),
        "the_tinygo_project_builds_and_vets_natively",
        "Go is not installed (it needs Go 1.20 or newer and the Go module proxy), or no make",
    ) {
        return;
    }
    let dir = scratch("build_tinygo");
    let (code, _, stderr) = wapc(
        &dir,
        &["new", "tinygo", "guest", "module=example.com/me/guest"],
        &[],
    );
    assert_eq!(code, 0, "{stderr}");
    let project = dir.join("guest");
    let pinned = |file: &str| std::fs::read_to_string(project.join(file)).unwrap();
    let (go_mod, go_sum) = (pinned("go.mod"), pinned("go.sum"));
    assert!(
        go_mod.starts_with("module example.com/me/guest\n"),
        "{go_mod}"
    );

    // deps: go mod download; test: go vet ./... && go test ./...
    make(&project, &["deps", "codegen", "test"], &[]);
    go(&project, &["build", "./..."]);
    go(&project, &["vet", "./..."]);
    let main = pinned("main.go");
    assert!(
        main.contains("\"example.com/me/guest/pkg/module\"")
            && main.contains("greet is not implemented yet"),
        "{main}"
    );
    assert!(project.join("pkg/module/module.go").exists());
    // The template's go.mod and go.sum were all the build needed.
    assert_eq!(pinned("go.mod"), go_mod);
    assert_eq!(pinned("go.sum"), go_sum);
}

#[test]
fn the_tinygo_module_path_defaults_to_one_named_after_the_project() {
    let dir = scratch("tinygo_module_path");
    assert_eq!(wapc(&dir, &["new", "tinygo", "My_Guest"], &[]).0, 0);
    let go_mod = std::fs::read_to_string(dir.join("My_Guest/go.mod")).unwrap();
    assert!(
        go_mod.starts_with("module example.com/my-guest\n"),
        "{go_mod}"
    );
    let config = std::fs::read_to_string(dir.join("My_Guest/codegen.yaml")).unwrap();
    assert!(
        config.contains("import: example.com/my-guest/pkg/module\n"),
        "{config}"
    );
}

/// Creates the `template` project `name` in `dir` and runs its `make deps codegen build test`,
/// whose `npm ci` must install the template's package-lock.json as it is; returns its folder.
fn npm_project(dir: &Path, template: &str, name: &str) -> PathBuf {
    let (code, _, stderr) = wapc(dir, &["new", template, name], &[]);
    assert_eq!(code, 0, "{stderr}");
    let project = dir.join(name);
    let lock = std::fs::read_to_string(project.join("package-lock.json")).unwrap();
    make(&project, &["deps", "codegen", "build", "test"], &[]);
    assert_eq!(
        std::fs::read_to_string(project.join("package-lock.json")).unwrap(),
        lock,
        "npm changed the template's lock"
    );
    project
}

#[test]
fn the_assemblyscript_project_builds_and_the_rust_host_runs_it() {
    if !toolchain::available(
        toolchain::runs("node") && toolchain::runs("npm") && toolchain::runs("make"),
        "the_assemblyscript_project_builds_and_the_rust_host_runs_it",
        "no node and npm (Node.js 16 or newer and the npm registry), or no make",
    ) {
        return;
    }
    let dir = scratch("build_assemblyscript");
    // test: compiles without emitting.
    let project = npm_project(&dir, "as", "guest");
    let module = project.join("build/module.wasm");
    let bytes = std::fs::read(&module).unwrap_or_else(|e| panic!("{}: {e}", module.display()));
    assert!(
        bytes.starts_with(b"\0asm"),
        "{} is not wasm",
        module.display()
    );

    // The scaffold's `greet` answers with its "not implemented" error, through the Rust host
    // application's generated client.
    let stderr = greet_through_rust_host(&dir, "as-app", &module);
    assert!(
        stderr.contains("`greet` is not implemented yet"),
        "{stderr}"
    );
}

#[test]
fn the_go_project_builds_for_wasm_and_the_rust_host_runs_it() {
    let test = "the_go_project_builds_for_wasm_and_the_rust_host_runs_it";
    if !toolchain::available(
        crate::roundtrip_go::go_builds_wasm_guests() && toolchain::runs("make"),
        test,
        "Go 1.24 or newer is not installed (with the Go module proxy), or no make",
    ) {
        return;
    }
    let dir = scratch("build_go");
    let (code, _, stderr) = wapc(
        &dir,
        &["new", "go", "guest", "module=example.com/me/guest"],
        &[],
    );
    assert_eq!(code, 0, "{stderr}");
    let project = dir.join("guest");
    let pinned = |file: &str| std::fs::read_to_string(project.join(file)).unwrap();
    let (go_mod, go_sum) = (pinned("go.mod"), pinned("go.sum"));

    // test: go vet for wasm and natively, go test; build: go build for wasip1.
    make(&project, &["deps", "codegen", "test", "build"], &[]);
    // The template's go.mod and go.sum were all the build needed.
    assert_eq!(pinned("go.mod"), go_mod);
    assert_eq!(pinned("go.sum"), go_sum);
    let main = pinned("main.go");
    assert!(
        main.contains("func init() {") && main.contains("greet is not implemented yet"),
        "{main}"
    );

    // The scaffold's `greet` answers with its "not implemented" error, through the Rust host
    // application, which starts the module as the WASI reactor it is.
    let stderr = greet_through_rust_host(&dir, "go-app", &project.join("build/module.wasm"));
    assert!(stderr.contains("greet is not implemented yet"), "{stderr}");
}

#[test]
fn the_web_project_runs_a_module_in_headless_chromium() {
    let test = "the_web_project_runs_a_module_in_headless_chromium";
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !toolchain::available(
        toolchain::runs("npm") && toolchain::runs("make") && Path::new(&chromium).is_file(),
        test,
        "no npm (Node.js and the npm registry), make or Chromium (apt-get install chromium)",
    ) {
        return;
    }
    let (Some(as_modules), Some(ts_modules)) = (
        crate::roundtrip_assemblyscript::node_modules(test),
        crate::roundtrip_typescript::node_modules(test),
    ) else {
        return;
    };
    let dir = scratch("build_web");
    // build: the esbuild bundle; test: tsc --strict over the page and its generated client.
    let page = npm_project(&dir, "web", "page");

    // A module for the page: the AssemblyScript project of the same schema, its `greet`
    // filled in.
    assert_eq!(wapc(&dir, &["new", "as", "guest"], &[]).0, 0);
    let guest = dir.join("guest");
    toolchain::wapc(&guest, &["generate", "--no-format"]);
    let index = guest.join("assembly/index.ts");
    let stub = std::fs::read_to_string(&index).unwrap();
    let implemented = stub.replace(
        "return Result.error<string>(new Error(\"`greet` is not implemented yet\"));",
        "return Result.ok<string>(\"Hello, \" + greeting.name + \"!\".repeat(<i32>greeting.excitement));",
    );
    assert_ne!(stub, implemented, "the scaffold's `greet` stub changed");
    std::fs::write(&index, implemented).unwrap();
    crate::roundtrip_assemblyscript::asc(
        &as_modules,
        &guest,
        &["assembly/index.ts"],
        &page.join("public/module.wasm"),
    );

    // The page, served by its own server, in headless Chromium; the name travels in the
    // address and back through the module.
    let mut server = Command::new("node")
        .current_dir(&page)
        .args(["serve.mjs", "0"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("node runs");
    let mut line = String::new();
    let stdout = server.stdout.take().expect("piped stdout");
    std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line)
        .expect("the server says where it listens");
    let address = line.split_whitespace().last().unwrap_or("").to_string();
    let checked = Command::new("node")
        .current_dir(ts_modules.parent().expect("tests/typescript"))
        .arg("browser.mjs")
        .arg(format!("{address}?name=W%C3%B6rld%20%F0%9F%8C%8D"))
        .arg("Hello, Wörld 🌍!!")
        .env("CHROMIUM", &chromium)
        .output();
    let _ = server.kill();
    let _ = server.wait();
    let checked = checked.expect("node runs");
    let output = format!(
        "{}{}",
        String::from_utf8_lossy(&checked.stdout),
        String::from_utf8_lossy(&checked.stderr)
    );
    assert!(
        checked.status.success() && output.contains("browser ok"),
        "{address}: {output}"
    );
}
