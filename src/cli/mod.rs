//! Command-line parsing and the commands themselves. Nothing below this module prints.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::codegen::{self, Outcome};
use crate::diagnostic::Diagnostics;
use crate::model::{self, ImportPaths};
use crate::project;

/// Exit status for invalid input (a schema or configuration with errors, or stale output).
const EXIT_INVALID: u8 = 1;

const AFTER_HELP: &str = "\
Exit status:
  0  success
  1  invalid input (the schema or configuration has errors), or stale output with --check
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
        /// Allow reading imports outside the schema's folder and the include folders
        #[arg(long)]
        allow_outside: bool,
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
        /// Allow reading imports outside the schema's folder and the include folders
        #[arg(long)]
        allow_outside: bool,
    },
    /// Generate code from a codegen.yaml
    #[command(after_help = "\
Examples:
  wapc generate                  # uses ./codegen.yaml
  wapc generate api/codegen.yaml --check   # in CI: fail when generated files are stale")]
    Generate {
        /// The codegen file
        #[arg(value_name = "FILE", default_value = "codegen.yaml")]
        config: PathBuf,
        /// Write nothing; exit 1 listing the files that are out of date
        #[arg(long, conflicts_with = "dry_run")]
        check: bool,
        /// Write nothing; print what would be written
        #[arg(long)]
        dry_run: bool,
        /// Do not run rustfmt / gofmt over the output
        #[arg(long)]
        no_format: bool,
        /// Allow reading and writing files outside the codegen file's folder
        #[arg(long)]
        allow_outside: bool,
        #[command(flatten)]
        imports: ImportArgs,
    },
    /// Create a module project from a template
    #[command(after_help = "\
Examples:
  wapc new --list
  wapc new rust greeter
  wapc new tinygo ./hello module=github.com/me/hello description=\"Says hello\"
  wapc new ./my-template api --spec ../api/schema.widl")]
    New {
        /// A built-in template (see --list), a template folder, or a name in $WAPC_HOME/templates
        #[arg(required_unless_present = "list")]
        template: Option<String>,
        /// The project folder to create
        #[arg(required_unless_present = "list")]
        dir: Option<PathBuf>,
        /// Template variables as name=value (`name` defaults to the folder's name)
        #[arg(value_name = "NAME=VALUE", value_parser = parse_variable)]
        variables: Vec<(String, String)>,
        /// List the built-in templates
        #[arg(long)]
        list: bool,
        /// Use this schema as the project's schema.widl
        #[arg(long, value_name = "FILE")]
        spec: Option<PathBuf>,
        /// Add the files to a folder that is not empty (never overwriting any)
        #[arg(long)]
        force: bool,
    },
    /// List built-in templates, or copy one out to customise it
    #[command(subcommand)]
    Templates(TemplatesCommand),
}

#[derive(Subcommand, Debug)]
enum TemplatesCommand {
    /// List the templates a codegen.yaml target can name
    #[command(after_help = "Example:\n  wapc templates list --templates ./templates")]
    List {
        /// Also list the templates of this folder, as `templates:` in codegen.yaml would
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
    },
    /// Copy a built-in template (with the partials of its language) into a folder to customise
    #[command(after_help = "Example:\n  wapc templates export rust/module ./templates")]
    Export {
        /// The template, e.g. rust/module
        name: String,
        /// The folder to copy it into (the `templates:` folder of codegen.yaml)
        dir: PathBuf,
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
        Command::Check {
            schemas,
            imports,
            allow_outside,
        } => check(&schemas, &imports.paths().allowing_outside(allow_outside)),
        Command::Ast {
            schema,
            pretty,
            imports,
            allow_outside,
        } => ast(
            &schema,
            pretty,
            &imports.paths().allowing_outside(allow_outside),
        ),
        Command::Generate {
            config,
            check,
            dry_run,
            no_format,
            allow_outside,
            imports,
        } => generate(
            &config,
            &codegen::Options {
                check,
                dry_run,
                format: !no_format,
                allow_outside,
                imports: imports.paths(),
            },
        ),
        Command::New {
            template,
            dir,
            variables,
            list,
            spec,
            force,
        } => match (list, template, dir) {
            (false, Some(template), Some(dir)) => new_project(
                &template,
                &project::NewProject {
                    dir: &dir,
                    values: variables.into_iter().collect(),
                    spec: spec.as_deref(),
                    force,
                },
            ),
            _ => list_projects(),
        },
        Command::Templates(TemplatesCommand::List { templates }) => {
            templates_list(templates.as_deref())
        }
        Command::Templates(TemplatesCommand::Export { name, dir }) => templates_export(&name, &dir),
    }
}

fn generate(config: &Path, options: &codegen::Options) -> ExitCode {
    let files = match codegen::generate(config, options) {
        Ok(files) => files,
        Err(errors) => {
            report(&errors);
            return ExitCode::from(EXIT_INVALID);
        }
    };
    let mut out = std::io::stdout().lock();
    let mut stale = 0;
    for file in &files {
        let path = file.path.display();
        let line = match (file.outcome, options.check || options.dry_run) {
            (Outcome::Written, true) => {
                stale += 1;
                format!("stale      {path}")
            }
            (Outcome::Written, false) => format!("written    {path}"),
            (Outcome::Unchanged, _) => format!("unchanged  {path}"),
            (Outcome::Skipped, _) => format!("skipped    {path} (ifNotExists: it exists)"),
        };
        let shown = if options.dry_run && file.outcome == Outcome::Written {
            writeln!(out, "==> {path} ({}) <==\n{}", file.template, file.content)
        } else {
            writeln!(out, "{line}")
        };
        if shown.is_err() {
            return ExitCode::from(EXIT_INVALID);
        }
    }
    if options.check && stale > 0 {
        eprintln!("error: {stale} generated file(s) are out of date: run `wapc generate`");
        return ExitCode::from(EXIT_INVALID);
    }
    ExitCode::SUCCESS
}

fn parse_variable(argument: &str) -> Result<(String, String), String> {
    match argument.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_string(), value.to_string())),
        _ => Err(format!("`{argument}` is not NAME=VALUE")),
    }
}

fn list_projects() -> ExitCode {
    for (name, description) in project::built_in() {
        println!("{name:<16} {description}");
    }
    ExitCode::SUCCESS
}

fn new_project(template: &str, new: &project::NewProject<'_>) -> ExitCode {
    let template = match project::find(template) {
        Ok(template) => template,
        Err(error) => {
            report(&error.into());
            return ExitCode::from(EXIT_INVALID);
        }
    };
    let interactive = std::io::stdin().is_terminal();
    let mut ask = |variable: &project::Variable| {
        if !interactive {
            return None;
        }
        let prompt = variable.prompt.as_deref().unwrap_or(&variable.name);
        let default = variable.default.as_deref().unwrap_or("");
        eprint!("{prompt} [{default}]: ");
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer).ok()?;
        Some(answer.trim().to_string())
    };
    match project::create(&template, new, &mut ask) {
        Ok(created) => {
            for path in &created.written {
                println!("written    {}", path.display());
            }
            for path in &created.kept {
                println!("kept       {} (it exists)", path.display());
            }
            println!(
                "\ncreated {} from `{}`: cd {} && make",
                new.dir.display(),
                template.name,
                new.dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(errors) => {
            report(&errors);
            ExitCode::from(EXIT_INVALID)
        }
    }
}

fn templates_list(dir: Option<&Path>) -> ExitCode {
    let templates = match codegen::Templates::load(dir) {
        Ok(templates) => templates,
        Err(errors) => {
            report(&errors);
            return ExitCode::from(EXIT_INVALID);
        }
    };
    let mut out = std::io::stdout().lock();
    for (name, origin) in templates.list() {
        let from = match origin {
            codegen::Origin::BuiltIn => "built in".to_string(),
            codegen::Origin::User(path) => path.display().to_string(),
        };
        if writeln!(out, "{name:<24} {from}").is_err() {
            return ExitCode::from(EXIT_INVALID);
        }
    }
    ExitCode::SUCCESS
}

fn templates_export(name: &str, dir: &Path) -> ExitCode {
    match codegen::render::export(name, dir) {
        Ok(written) => {
            for path in written {
                println!("written    {}", path.display());
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            report(&error.into());
            ExitCode::from(EXIT_INVALID)
        }
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
