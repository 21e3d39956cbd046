//! The `wapc` command-line tool: a thin shell over the `wapc` library.

use std::process::ExitCode;

fn main() -> ExitCode {
    wapc_codegen::cli::run()
}
