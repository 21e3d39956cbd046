//! Text that validates → the template context → every built-in template, with the default
//! config and with `hostRoles` / `handlerRoles` naming every role. A valid schema must render
//! with every template, exactly as handlebars-rust renders it; nothing may panic, overflow the
//! stack or hang.
#![no_main]

use std::sync::{Arc, LazyLock};

use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};
use wapc_codegen::codegen::Templates;
use wapc_codegen::codegen::context::{Context, SchemaViews};

static TEMPLATES: LazyLock<Templates> =
    LazyLock::new(|| Templates::load(None).expect("the built-in templates load"));

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(schema) = wapc_codegen::model::load_str("fuzz.widl", text) else {
        return;
    };
    let views = Arc::new(SchemaViews::build(schema).expect("a valid schema resolves"));
    let roles: Vec<Value> = (views.roles.iter())
        .map(|r| Value::String(r.name.to_string()))
        .collect();
    let mut with_roles = Map::new();
    with_roles.insert("hostRoles".into(), Value::Array(roles.clone()));
    with_roles.insert("handlerRoles".into(), Value::Array(roles));
    for config in [Map::new(), with_roles] {
        let context = Context::new(Arc::clone(&views), config);
        for (name, _) in TEMPLATES.list() {
            let rendered = TEMPLATES.render(name, &context).unwrap_or_else(|error| {
                panic!("a valid schema failed to render with `{name}`: {error}")
            });
            // What wapc's direct renderer writes must be what handlebars-rust writes.
            let reference = TEMPLATES
                .render_with_handlebars(name, &context)
                .unwrap_or_else(|error| panic!("handlebars-rust failed on `{name}`: {error}"));
            assert!(
                rendered == reference,
                "`{name}` differs from handlebars-rust"
            );
        }
    }
});
