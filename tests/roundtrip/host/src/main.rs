//! Loads the round-trip guest (a .wasm built from the generated `rust/module` code) through
//! the generated `rust/host` client, and checks that every WIDL type crosses the boundary
//! unchanged, that the guest can call the host, and that a guest error reaches the caller.
//!
//! Usage: roundtrip-host <module.wasm> [vectors.txt]
//!        roundtrip-host --print-vectors   (to write vectors.txt afresh)
//!
//! With `vectors.txt` (lines of `name hex`), the MessagePack encoding of each canonical value
//! must equal the vector's bytes: the other languages' tests check their encodings against the
//! same file.

mod generated;

use std::collections::HashMap;

use generated::*;

struct Logger;

impl HostHandler for Logger {
    fn log(&self, level: u8, message: String) -> HandlerResult<String> {
        if level > 5 {
            return Err(format!("no such level: {level}").into());
        }
        Ok(format!("logged {message:?} at level {level}"))
    }
}

fn everything() -> Everything {
    let point = Point { x: -1.5, y: 2.25 };
    Everything {
        i8: i8::MIN,
        i16: i16::MIN,
        i32: i32::MIN,
        i64: i64::MIN,
        u8: u8::MAX,
        u16: u16::MAX,
        u32: u32::MAX,
        u64: u64::MAX,
        f32: f32::MAX,
        f64: -f64::MIN_POSITIVE,
        bool: true,
        string: "héllo, wörld: 日本語 🦀 \u{0} \"quoted\"".to_string(),
        datetime: "2026-11-25T12:00:00.123456789Z".to_string(),
        bytes: vec![0, 1, 2, 254, 255],
        raw: rmpv::Value::Array(vec![
            rmpv::Value::from(1),
            rmpv::Value::from("two"),
            rmpv::Value::Nil,
        ]),
        color: Color::Blue,
        shape: Shape::Circle(Circle {
            center: point.clone(),
            radius: 3.5,
        }),
        label: "a label".to_string(),
        tags: vec!["a".to_string(), String::new(), "ç".to_string()],
        optional_string: None,
        optional_point: Some(point.clone()),
        optional_bytes: Some(Vec::new()),
        list: vec![i64::MAX, 0, -1],
        nested_list: vec![vec![], vec!["x".to_string(), "y".to_string()]],
        // One entry per map: the encoding is then deterministic, and so comparable byte for
        // byte with the other languages' (see vectors.txt).
        map: HashMap::from([("minus".to_string(), -1)]),
        nested_map: HashMap::from([(
            "outer".to_string(),
            HashMap::from([("inner".to_string(), vec![point.clone(), point])]),
        )]),
        color_map: HashMap::from([(Color::Green, "g".to_string())]),
        list_of_maps: vec![HashMap::from([(
            "k".to_string(),
            ByteBuf::from(vec![9, 8, 7]),
        )])],
        r#type: "keyword".to_string(),
        r#match: 42,
    }
}

/// The canonical values whose encodings every language must agree on.
fn canonical() -> Result<Vec<(&'static str, Vec<u8>)>, rmp_serde::encode::Error> {
    Ok(vec![
        ("point", rmp_serde::to_vec_named(&Point { x: 1.0, y: -2.5 })?),
        ("color", rmp_serde::to_vec_named(&Color::Blue)?),
        (
            "shape_circle",
            rmp_serde::to_vec_named(&Shape::Circle(Circle {
                center: Point { x: 0.0, y: 0.0 },
                radius: 1.5,
            }))?,
        ),
        ("shape_string", rmp_serde::to_vec_named(&Shape::String("s".into()))?),
        ("everything", rmp_serde::to_vec_named(&everything())?),
        (
            "describe_args",
            rmp_serde::to_vec_named(&DescribeArgs {
                name: "n".into(),
                count: 7,
                point: None,
                tags: vec!["t".into()],
            })?,
        ),
    ])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn check_vectors(file: &str) -> Result<(), Box<dyn std::error::Error>> {
    let expected: HashMap<&str, &str> = file
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once(' '))
        .collect();
    for (name, bytes) in canonical()? {
        let want = expected.get(name).ok_or(format!("no vector `{name}`"))?;
        assert_eq!(&hex(&bytes), want, "the encoding of `{name}` differs from vectors.txt");
    }
    println!("vectors ok: {} encodings match", expected.len());
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::args().nth(1).as_deref() == Some("--print-vectors") {
        println!("# name, then the MessagePack bytes in hex (tests/roundtrip/host --print-vectors)");
        for (name, bytes) in canonical()? {
            println!("{name} {}", hex(&bytes));
        }
        return Ok(());
    }
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: roundtrip-host <module.wasm> [vectors.txt]")?;
    if let Some(vectors) = std::env::args().nth(2) {
        check_vectors(&std::fs::read_to_string(vectors)?)?;
    }
    let module = std::fs::read(&path)?;
    let engine = wasmtime_provider::WasmtimeEngineProviderBuilder::new()
        // A standard Go guest is a WASI reactor, which wasmtime-provider starts only so.
        .module_bytes(&reactor_as_command(&module))
        .build()?;
    let host = wapc::WapcHost::new(Box::new(engine), Some(host_callback(Logger)))?;
    let client = Client::new(&host);
    let mut checks = 0;
    let mut check = |what: &str, ok: bool| {
        assert!(ok, "round trip failed: {what}");
        checks += 1;
    };

    let value = everything();
    check("every type", client.echo(value.clone())? == value);
    // The guest re-encodes what it decoded: the bytes must come back exactly.
    let request = rmp_serde::to_vec_named(&value)?;
    check("every type, byte for byte", host.call("echo", &request)? == request);
    let unicode = "𝄞 – ünïcödé – \u{10FFFF}".to_string();
    check("string", client.echo_string(unicode.clone())? == unicode);
    check("empty string", client.echo_string(String::new())?.is_empty());
    let bytes: Vec<u8> = (0..=255).collect();
    check("bytes", client.echo_bytes(bytes.clone())? == bytes);
    for shape in [
        Shape::Point(Point { x: 0.0, y: -0.0 }),
        Shape::String("a string member".to_string()),
    ] {
        check("union", client.echo_shape(shape.clone())? == shape);
    }
    for color in [Color::Red, Color::Green, Color::Blue] {
        check("enum", client.echo_color(color)? == color);
    }
    check("optional none", client.echo_optional(None)?.is_none());
    check("optional some", client.echo_optional(Some(i64::MIN))? == Some(i64::MIN));
    let map = HashMap::from([("a".to_string(), vec![1, 2]), ("b".to_string(), vec![])]);
    check("map", client.echo_map(map.clone())? == map);
    let described = client.describe(
        "widget".to_string(),
        3,
        Some(Point { x: 1.0, y: 2.0 }),
        vec!["new".to_string(), "blue".to_string()],
    )?;
    check("parameters", described == "widget x3 at (1, 2) [new, blue]");
    let described = client.describe("none".to_string(), 0, None, Vec::new())?;
    check("absent optional parameter", described == "none x0 at none []");
    client.ping()?;
    client.ping()?;
    check("void operations", client.count()? == 2);
    match client.fail("it broke".to_string()) {
        Err(Error::Call(error)) => check("guest error", error.to_string().contains("it broke")),
        other => panic!("`fail` should fail with the guest's message, got {other:?}"),
    }
    check(
        "guest to host call",
        client.relay(2, "hi 👋".to_string())? == "host said: logged \"hi 👋\" at level 2",
    );
    match client.relay(9, "too loud".to_string()) {
        Err(Error::Call(error)) => check("host error", error.to_string().contains("no such level: 9")),
        other => panic!("a failing host call should fail the guest call, got {other:?}"),
    }
    // The wire format is fixed: a type is a map keyed by the WIDL field names.
    let point_bytes = rmp_serde::to_vec_named(&Point { x: 1.0, y: 2.0 })?;
    check(
        "wire format",
        point_bytes
            == [
                0x82, 0xa1, b'x', 0xcb, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0xa1, b'y', 0xcb, 0x40, 0,
                0, 0, 0, 0, 0, 0,
            ],
    );
    println!("round trip ok: {checks} checks passed");
    Ok(())
}
