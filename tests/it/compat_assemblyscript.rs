//! wapc as a drop-in replacement for the old generator (@wapc/widl-codegen 0.0.7) in
//! AssemblyScript projects: a guest written against the old generated API
//! (tests/compat/assemblyscript) compiles unchanged over what wapc generates; generated
//! decoders accept every MessagePack integer format whose value fits, and nothing else; and
//! a scaffold without handlers compiles.

use crate::support::toolchain;

use std::path::{Path, PathBuf};
use std::process::Command;

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The installed npm packages of tests/assemblyscript (`npm ci --prefix tests/assemblyscript`),
/// if node and they are there; otherwise skips (or fails under WAPC_REQUIRE_TOOLCHAINS=1).
fn node_modules(test: &str) -> Option<PathBuf> {
    let modules = manifest_dir().join("tests/assemblyscript/node_modules");
    let ok = toolchain::available(toolchain::runs("node"), test, "node is not installed")
        && toolchain::available(
            modules.join("assemblyscript/bin/asc.js").is_file(),
            test,
            "assemblyscript is not installed (npm ci --prefix tests/assemblyscript)",
        );
    ok.then_some(modules)
}

/// Compiles `entry` (relative to `project`) into `project/module.wasm` with the pinned packages
/// (linked as `project/node_modules`), failing the test with the compiler's messages.
fn asc(modules: &Path, project: &Path, entry: &str, extra: &[&str]) -> PathBuf {
    let link = project.join("node_modules");
    if link.symlink_metadata().is_err() {
        std::os::unix::fs::symlink(modules, &link).expect("can link node_modules");
    }
    let wasm = project.join("module.wasm");
    let output = Command::new("node")
        .current_dir(project)
        .arg(modules.join("assemblyscript/bin/asc.js"))
        .arg(entry)
        .arg("--outFile")
        .arg(&wasm)
        .args(extra)
        .output()
        .expect("node runs");
    assert!(
        output.status.success() && wasm.is_file(),
        "asc {entry} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    wasm
}

#[test]
fn a_guest_written_for_the_old_generator_compiles_unchanged() {
    let test = "a_guest_written_for_the_old_generator_compiles_unchanged";
    let Some(modules) = node_modules(test) else {
        return;
    };
    let work = toolchain::scratch("compat-assemblyscript", test);
    std::fs::copy(
        manifest_dir().join("tests/compat/schema.widl"),
        work.join("schema.widl"),
    )
    .expect("copy the schema");
    let project = work.join("assemblyscript");
    toolchain::copy_tree(
        &manifest_dir().join("tests/compat/assemblyscript"),
        &project,
    );
    let index = std::fs::read_to_string(project.join("assembly/index.ts")).expect("index.ts");
    // The fixtures share the schema one folder up.
    let out = toolchain::wapc(&project, &["generate", "--allow-outside"]);
    assert!(out.contains("skipped    assembly/index.ts"), "{out}");
    assert_eq!(
        std::fs::read_to_string(project.join("assembly/index.ts")).expect("index.ts"),
        index,
        "the hand-written guest is left as it is"
    );
    asc(
        &modules,
        &project,
        "assembly/index.ts",
        &["--use", "abort=assembly/index/abort", "-O"],
    );
}

#[test]
fn a_scaffold_without_handlers_compiles() {
    let test = "a_scaffold_without_handlers_compiles";
    let Some(modules) = node_modules(test) else {
        return;
    };
    let dir = toolchain::scratch("compat-assemblyscript", test);
    // Only a role, named by neither handlerRoles nor hostRoles: nothing to serve or call.
    std::fs::write(
        dir.join("schema.widl"),
        "namespace \"kv\"\n\ntype Entry {\n  key: string\n}\n\n\
         role KeyValue {\n  get(key: string): Entry\n}\n",
    )
    .expect("write the schema");
    std::fs::write(
        dir.join("codegen.yaml"),
        "schema: schema.widl\ngenerates:\n  \
         assembly/module.ts: {template: assemblyscript/module}\n  \
         assembly/index.ts: {template: assemblyscript/scaffold, ifNotExists: true}\n",
    )
    .expect("write codegen.yaml");
    toolchain::wapc(&dir, &["generate"]);
    let scaffold = std::fs::read_to_string(dir.join("assembly/index.ts")).expect("index.ts");
    assert!(!scaffold.contains("Handlers"), "{scaffold}");
    asc(
        &modules,
        &dir,
        "assembly/index.ts",
        &["--use", "abort=assembly/index/abort"],
    );
}

/// The integer fields of tests/compat/assemblyscript/integers/schema.widl, in order, with the
/// values each accepts.
const FIELDS: [(&str, i128, i128); 8] = [
    ("int8", i8::MIN as i128, i8::MAX as i128),
    ("int16", i16::MIN as i128, i16::MAX as i128),
    ("int32", i32::MIN as i128, i32::MAX as i128),
    ("int64", i64::MIN as i128, i64::MAX as i128),
    ("uint8", 0, u8::MAX as i128),
    ("uint16", 0, u16::MAX as i128),
    ("uint32", 0, u32::MAX as i128),
    ("uint64", 0, u64::MAX as i128),
];

/// The values of the schema's enum `Level`.
const LEVELS: [i128; 2] = [0, 200];

/// `value` in the MessagePack integer format `format`, or None where it does not fit.
fn encode(format: &str, value: i128) -> Option<Vec<u8>> {
    let fits = |min: i128, max: i128| (min..=max).contains(&value);
    let (marker, width, ok) = match format {
        "positive fixint" => (None, 0, fits(0, 127)),
        "negative fixint" => (None, 0, fits(-32, -1)),
        "uint8" => (Some(0xcc), 1, fits(0, u8::MAX.into())),
        "uint16" => (Some(0xcd), 2, fits(0, u16::MAX.into())),
        "uint32" => (Some(0xce), 4, fits(0, u32::MAX.into())),
        "uint64" => (Some(0xcf), 8, fits(0, u64::MAX.into())),
        "int8" => (Some(0xd0), 1, fits(i8::MIN.into(), i8::MAX.into())),
        "int16" => (Some(0xd1), 2, fits(i16::MIN.into(), i16::MAX.into())),
        "int32" => (Some(0xd2), 4, fits(i32::MIN.into(), i32::MAX.into())),
        "int64" => (Some(0xd3), 8, fits(i64::MIN.into(), i64::MAX.into())),
        _ => unreachable!("unknown format {format}"),
    };
    if !ok {
        return None;
    }
    // Two's complement, big-endian, in `width` bytes (one byte for the fixints).
    let bytes = value.to_be_bytes();
    let mut out: Vec<u8> = marker.into_iter().collect();
    out.extend_from_slice(&bytes[16 - width.max(1)..]);
    Some(out)
}

const FORMATS: [&str; 10] = [
    "positive fixint",
    "negative fixint",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "int8",
    "int16",
    "int32",
    "int64",
];

/// Values at each format's and each type's edges, and 16-bit ones whose low byte has its high
/// bit set (as-msgpack's own Decoder misreads those).
const VALUES: [i128; 24] = [
    0,
    1,
    127,
    128,
    200,
    255,
    256,
    32767,
    32768,
    65535,
    65536,
    4294967295,
    4294967296,
    i64::MAX as i128,
    i64::MAX as i128 + 1,
    u64::MAX as i128,
    -1,
    -32,
    -33,
    -128,
    -129,
    -200,
    -32768,
    i64::MIN as i128,
];

#[test]
fn generated_decoders_accept_every_integer_format_that_fits() {
    let test = "generated_decoders_accept_every_integer_format_that_fits";
    let Some(modules) = node_modules(test) else {
        return;
    };
    let dir = toolchain::scratch("compat-assemblyscript", test);
    let fixture = manifest_dir().join("tests/compat/assemblyscript/integers");
    toolchain::copy_tree(&fixture, &dir);
    toolchain::wapc(&dir, &["generate"]);
    let wasm = asc(&modules, &dir, "assembly/index.ts", &["--exportRuntime"]);

    // (field number, message, expected answer)
    let mut cases = Vec::new();
    for format in FORMATS {
        for value in VALUES {
            let Some(bytes) = encode(format, value) else {
                continue;
            };
            let fields = FIELDS
                .iter()
                .map(|&(name, min, max)| (name, (min..=max).contains(&value)))
                .chain([("level", LEVELS.contains(&value))])
                .chain([("maybe", i64::try_from(value).is_ok())]);
            for (number, (name, fits)) in fields.enumerate() {
                let mut message = vec![0x81, 0xa0 | name.len() as u8];
                message.extend_from_slice(name.as_bytes());
                message.extend_from_slice(&bytes);
                let expected = if fits {
                    value.to_string()
                } else {
                    "error".to_string()
                };
                cases.push((number, message, expected, format, name));
            }
        }
    }
    let vectors: String = cases
        .iter()
        .map(|(number, message, ..)| {
            let hex: String = message.iter().map(|b| format!("{b:02x}")).collect();
            format!("{number} {hex}\n")
        })
        .collect();
    std::fs::write(dir.join("vectors.txt"), vectors).expect("write the vectors");

    let output = Command::new("node")
        .arg(fixture.join("run.cjs"))
        .arg(&wasm)
        .arg(dir.join("vectors.txt"))
        .output()
        .expect("node runs");
    assert!(
        output.status.success(),
        "run.cjs failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let answers: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        answers.len(),
        cases.len(),
        "one answer per vector:\n{stdout}"
    );
    let wrong: Vec<String> = cases
        .iter()
        .zip(&answers)
        .filter(|((.., expected, _, _), answer)| {
            if expected == "error" {
                !answer.starts_with("error: ")
            } else {
                answer != &expected
            }
        })
        .map(|((_, message, expected, format, name), answer)| {
            format!("{format} {message:02x?} into {name}: expected {expected}, got {answer}")
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "{} of {} vectors decoded wrongly:\n{}",
        wrong.len(),
        cases.len(),
        wrong.join("\n")
    );
    // Every format was tried, each both accepted and refused somewhere.
    for format in FORMATS {
        let of_format = || cases.iter().filter(move |c| c.3 == format);
        assert!(of_format().any(|c| c.2 != "error"), "{format} never fits");
        assert!(of_format().any(|c| c.2 == "error"), "{format} always fits");
    }
}
