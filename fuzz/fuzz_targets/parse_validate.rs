//! Arbitrary bytes → the parser, then the parser + validator (`load_str`), then the error
//! messages and the `wapc ast` JSON. Nothing may panic, overflow the stack or hang.
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use wapc_codegen::diagnostic::SourceFile;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let file = Arc::new(SourceFile::new("fuzz.widl", text.to_string()));
    if let Err(errors) = wapc_codegen::parser::parse(&file) {
        assert!(!errors.is_empty(), "parse failed without an error");
        let _ = errors.to_string();
    }
    match wapc_codegen::model::load_str("fuzz.widl", text) {
        Ok(schema) => {
            let _ = serde_json::to_string(&schema).expect("a schema serializes");
        }
        Err(errors) => {
            assert!(!errors.is_empty(), "load_str failed without an error");
            let _ = errors.to_string();
        }
    }
});
