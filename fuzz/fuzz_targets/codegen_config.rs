//! Arbitrary bytes → `codegen::config::parse` (the nesting scan, the duplicate-key check and
//! serde_yaml), then the config check over each document, which re-parses the text to locate
//! its errors. Nothing may panic, overflow the stack or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match wapc_codegen::codegen::config::parse("codegen.yaml", text) {
        Ok(documents) => {
            for document in &documents {
                let outputs: Vec<&str> = document.generates.keys().map(String::as_str).collect();
                let _ = document.check_config(&outputs, &["Console"]).to_string();
            }
        }
        Err(errors) => {
            assert!(!errors.is_empty(), "parse failed without an error");
            let _ = errors.to_string();
        }
    }
});
