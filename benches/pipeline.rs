//! Micro-benchmarks of each stage of `wapc generate`: parse, load (parse + validate), resolve,
//! build the template context, and render (and, for comparison, render with handlebars-rust);
//! `wapc fmt` beside them, and `wapc lsp`'s hover and completion.
//! The whole-process comparison with the reference generator is `bench/run`. The schemas come
//! from bench/schema.py, the same ones that script uses.

use std::process::Command;
use std::sync::Arc;

use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use wapc_codegen::codegen::{Templates, context};
use wapc_codegen::diagnostic::SourceFile;
use wapc_codegen::model::resolve::resolve;

fn schema(types: usize) -> String {
    let output = Command::new("python3")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/bench/schema.py"))
        .arg(types.to_string())
        .output()
        .expect("python3 runs bench/schema.py");
    String::from_utf8(output.stdout).expect("the schema is UTF-8")
}

fn stages(c: &mut Criterion) {
    let templates = Templates::load(None).expect("the built-in templates compile");
    for types in [100, 1000] {
        let text = schema(types);
        let file = Arc::new(SourceFile::new("bench.widl", text.clone()));
        let mut group = c.benchmark_group("stages");
        group.sample_size(20);
        group.bench_with_input(BenchmarkId::new("parse", types), &file, |b, file| {
            b.iter(|| wapc_codegen::parser::parse(file).expect("valid"));
        });
        group.bench_with_input(BenchmarkId::new("load", types), &text, |b, text| {
            b.iter(|| wapc_codegen::model::load_str("bench.widl", text).expect("valid"));
        });
        // `wapc fmt`, which should take no longer than `wapc check` (load, above).
        group.bench_with_input(BenchmarkId::new("format", types), &file, |b, file| {
            b.iter(|| wapc_codegen::format::format(file).expect("valid"));
        });
        let schema = wapc_codegen::model::load_str("bench.widl", &text).expect("valid");
        group.bench_with_input(BenchmarkId::new("resolve", types), &schema, |b, schema| {
            b.iter(|| resolve(schema).expect("resolves"));
        });
        // Resolving again, and freeing the schema as its views are made, as a run does.
        group.bench_with_input(BenchmarkId::new("context", types), &schema, |b, schema| {
            b.iter_batched(
                || schema.clone(),
                |schema| context::build(schema, Default::default()).expect("builds"),
                BatchSize::LargeInput,
            );
        });
        let built = context::build(schema, Default::default()).expect("builds");
        let modules = templates.list().map(|(name, _)| name);
        // Repeated renders find every name already converted (each thread keeps them), so
        // these are a little faster than a run's one render.
        for template in modules.filter(|name| name.ends_with("/module")) {
            group.bench_with_input(BenchmarkId::new(template, types), &built, |b, built| {
                b.iter(|| templates.render(template, built).expect("renders"));
            });
        }
        // The same template through handlebars-rust, which the direct renderer replaced.
        let id = BenchmarkId::new("handlebars/rust/module", types);
        group.bench_with_input(id, &built, |b, built| {
            b.iter(|| {
                templates
                    .render_with_handlebars("rust/module", built)
                    .expect("renders")
            });
        });
        group.finish();
    }
}

/// `wapc lsp` answering a hover and a completion at the end of a 1,000-type document, as a
/// client's request reaches it (JSON params in, JSON result out); the target is 50 ms each.
fn language_server(c: &mut Criterion) {
    use lsp_server::{Message, Notification, Request};
    use serde_json::json;
    use wapc_codegen::lsp::{Reply, Server};

    let text = schema(1000);
    let mut server = Server::new(wapc_codegen::model::ImportPaths::only(Vec::new()));
    let request = |id: i32, method: &str, params| {
        Message::Request(Request::new(id.into(), method.to_string(), params))
    };
    server.handle(request(0, "initialize", json!({"capabilities": {}})));
    let uri = "file:///nowhere/bench.widl";
    server.handle(Message::Notification(Notification::new(
        "textDocument/didOpen".to_string(),
        json!({"textDocument": {"uri": uri, "languageId": "widl", "version": 1, "text": text}}),
    )));
    // The last field's type, `next: Type0?`, names the first type.
    let at = text.rfind("next: ").expect("the schema has fields") + "next: ".len();
    let line = text[..at].matches('\n').count();
    let column = at - text[..at].rfind('\n').map_or(0, |n| n + 1);
    let position =
        json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": column}});
    let mut group = c.benchmark_group("lsp");
    group.sample_size(20);
    for method in ["textDocument/hover", "textDocument/completion"] {
        let replies = server.handle(request(1, method, position.clone()));
        let answered = matches!(
            replies.first(),
            Some(Reply::Message(Message::Response(response)))
                if response.response_result.as_ref().is_ok_and(|result| !result.is_null())
        );
        assert!(answered, "{method} gave no result: {replies:?}");
        group.bench_function(BenchmarkId::new(method, 1000), |b| {
            b.iter(|| server.handle(request(1, method, position.clone())));
        });
    }
    group.finish();
}

criterion_group!(benches, stages, language_server);
criterion_main!(benches);
