//! `wapc`: the WIDL code generator.
//!
//! The modules depend one way only: `cli` → `project` → `codegen` → `model` → `parser`, with
//! `diagnostic` shared by all of them. The library can be driven from a `build.rs` as well as
//! from the CLI.

pub mod cli;
pub mod codegen;
pub mod diagnostic;
pub mod model;
pub mod parser;
pub mod project;
