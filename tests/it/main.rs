//! Every integration test, in one crate so that a test run compiles and links it once.
//! Each module was a test file of its own; `support` and `common` are their shared helpers.

#[macro_use]
mod common;
mod support;

mod build_rs;
mod call;
mod cli;
mod compat_assemblyscript;
mod compat_go;
mod compat_rust;
mod compile_matrix;
mod differential;
mod dist;
mod fmt;
mod fuzz_regressions;
mod generate;
mod hostile;
mod hostile_reads;
mod hostile_surfaces;
mod hostile_texts;
mod hostile_writes;
mod imports;
mod install;
mod layers;
mod lsp;
mod matrix;
mod names;
mod new;
mod parse;
mod project_bounds;
mod properties;
mod real_world;
mod roundtrip_assemblyscript;
mod roundtrip_go;
mod roundtrip_typescript;
mod syntax_errors;
mod validate;
mod watch;
