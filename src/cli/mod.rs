//! Command-line parsing and the commands themselves. Nothing below this module prints.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::diagnostic::Diagnostics;
use crate::model::{self, ImportPaths};

/// Exit status for invalid input (a schema or configuration with errors, or stale output).
const EXIT_INVALID: u8 = 1;

const AFTER_HELP: &str = "\
Exit status:
  0  success
  1  invalid input: the schema or configuration has errors
  2  usage error: unknown command, option or argument";

#[derive(Parser, Debug)]
#[command(
    name = "wapc",
    version,
    about = "The WIDL code generator for waPC (WebAssembly procedure calls)",
    after_help = AFTER_HELP
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Validate WIDL schemas and print their errors
    #[command(
        after_help = "Example:\n  wapc check schema.widl\n  wapc check --include ../shared api/*.widl"
    )]
    Check {
        /// The schemas to check
        #[arg(required = true, value_name = "SCHEMA")]
        schemas: Vec<PathBuf>,
        #[command(flatten)]
        imports: ImportArgs,
    },
    /// Print a schema, with its imports resolved, as JSON
    #[command(after_help = "Example:\n  wapc ast schema.widl --pretty > schema.json")]
    Ast {
        /// The schema to print
        #[arg(value_name = "SCHEMA")]
        schema: PathBuf,
        /// Indent the JSON for reading
        #[arg(long)]
        pretty: bool,
        #[command(flatten)]
        imports: ImportArgs,
    },
}

#[derive(Args, Debug)]
struct ImportArgs {
    /// A folder to search for imported schemas (after the importing file's folder); repeatable
    #[arg(long = "include", short = 'I', value_name = "DIR")]
    include: Vec<PathBuf>,
}

impl ImportArgs {
    fn paths(&self) -> ImportPaths {
        ImportPaths::new(self.include.clone())
    }
}

/// Parses the command line, runs the command and turns its outcome into an exit status.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check { schemas, imports } => check(&schemas, &imports.paths()),
        Command::Ast {
            schema,
            pretty,
            imports,
        } => ast(&schema, pretty, &imports.paths()),
    }
}

fn check(schemas: &[PathBuf], imports: &ImportPaths) -> ExitCode {
    let mut failed = false;
    for schema in schemas {
        if let Err(errors) = model::load(schema, imports) {
            report(&errors);
            failed = true;
        }
    }
    if failed {
        ExitCode::from(EXIT_INVALID)
    } else {
        ExitCode::SUCCESS
    }
}

fn ast(schema: &Path, pretty: bool, imports: &ImportPaths) -> ExitCode {
    let loaded = match model::load(schema, imports) {
        Ok(loaded) => loaded,
        Err(errors) => {
            report(&errors);
            return ExitCode::from(EXIT_INVALID);
        }
    };
    let json = if pretty {
        serde_json::to_string_pretty(&loaded)
    } else {
        serde_json::to_string(&loaded)
    };
    let written = json
        .map_err(std::io::Error::other)
        .and_then(|json| writeln!(std::io::stdout().lock(), "{json}"));
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: cannot write the AST: {error}");
            ExitCode::from(EXIT_INVALID)
        }
    }
}

fn report(errors: &Diagnostics) {
    eprint!("{errors}");
    if errors.len() > 1 {
        eprintln!("\nerror: {} errors found", errors.len());
    }
}
