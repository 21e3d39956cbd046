//! Command-line parsing and the commands themselves. Nothing below this module prints.

#[cfg(feature = "call")]
mod call;

use std::fmt;
use std::io::{IsTerminal, Write};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::OnceLock;
use std::time::Instant;

use clap::{Args, CommandFactory, FromArgMatches as _, Parser, Subcommand, ValueEnum};

use crate::codegen::output::shown;
use crate::codegen::{self, Outcome};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::install;
use crate::model::{self, ImportPaths};
use crate::project;

/// Exit status for invalid input (a schema or configuration with errors, or stale output).
const EXIT_INVALID: u8 = 1;

const AFTER_HELP: &str = "\
Exit status:
  0  success
  1  invalid input (the schema or configuration has errors), or stale output with --check
  2  usage error: unknown command, option or argument; a schema `wapc fmt` cannot parse";

/// `wapc --version`: the package's version and the commit it was built from (build.rs).
/// What `wapc call` says in a build without it.
#[cfg(not(feature = "call"))]
const WITHOUT_CALL: &str = "this wapc was built without `wapc call` (the `call` feature, a \
WebAssembly interpreter that a default build leaves out): install a release binary, or build \
with `cargo install --path . --features call`";

const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("WAPC_BUILD_COMMIT"),
    ")"
);

#[derive(Parser, Debug)]
#[command(
    name = "wapc",
    version = VERSION,
    about = "The WIDL code generator for waPC (WebAssembly procedure calls)",
    after_help = AFTER_HELP
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Print errors only (and what a command is asked for), not the files written
    #[arg(short, long, global = true)]
    quiet: bool,
    /// Also print, on stderr, the files read, which template rendered each file, and timings
    #[arg(short, long, global = true)]
    verbose: bool,
    /// Colour the error messages: `auto` on a terminal, unless NO_COLOR is set (CLICOLOR_FORCE
    /// forces it)
    #[arg(long, global = true, value_name = "WHEN", default_value = "auto")]
    color: ColorWhen,
}

/// When error messages are coloured, as cargo's `--color` says.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum ColorWhen {
    Auto,
    Always,
    Never,
}

impl ColorWhen {
    /// Whether stderr gets colour. `auto` asks anstream, which reads NO_COLOR, CLICOLOR_FORCE,
    /// CLICOLOR and TERM, and whether stderr is a terminal.
    fn colours_stderr(self) -> bool {
        match self {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => {
                anstream::AutoStream::choice(&std::io::stderr()) != anstream::ColorChoice::Never
            }
        }
    }
}

/// The colour choice of the last `--color WHEN` / `--color=WHEN` among `args`, for clap's
/// messages (`auto` when none, or when it is not a value `--color` takes).
fn clap_color(args: impl IntoIterator<Item = std::ffi::OsString>) -> clap::ColorChoice {
    let args: Vec<String> = args
        .into_iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let mut choice = clap::ColorChoice::Auto;
    for (at, arg) in args.iter().enumerate() {
        if arg == "--" {
            break;
        }
        let value = match arg.strip_prefix("--color") {
            Some("") => args.get(at + 1).map(String::as_str),
            Some(rest) => rest.strip_prefix('='),
            None => None,
        };
        choice = match value {
            Some("always") => clap::ColorChoice::Always,
            Some("never") => clap::ColorChoice::Never,
            Some("auto") => clap::ColorChoice::Auto,
            _ => choice,
        };
    }
    choice
}

/// Set once by [`run`]: whether errors are printed in colour.
static COLOR: OnceLock<bool> = OnceLock::new();

/// How much a run says besides what it is asked for and its errors.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

/// Set once by [`run`], so that every command reads it without passing it down.
static VERBOSITY: OnceLock<Verbosity> = OnceLock::new();

fn verbosity() -> Verbosity {
    VERBOSITY.get().copied().unwrap_or(Verbosity::Normal)
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Validate WIDL schemas and print their errors
    #[command(
        after_help = "Examples:\n  wapc check schema.widl\n  wapc check --include ../shared api/*.widl\n  cat schema.widl | wapc check -"
    )]
    Check {
        /// The schemas to check (`-` reads one from stdin)
        #[arg(required = true, value_name = "SCHEMA")]
        schemas: Vec<PathBuf>,
        #[command(flatten)]
        imports: ImportArgs,
        /// Allow reading imports outside the schema's folder and the include folders
        #[arg(long)]
        allow_outside: bool,
    },
    /// Print a schema, with its imports resolved, as JSON
    #[command(
        after_help = "Examples:\n  wapc ast schema.widl --pretty > schema.json\n  cat schema.widl | wapc ast -"
    )]
    Ast {
        /// The schema to print (`-` reads it from stdin)
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
    /// Print schemas in the canonical WIDL style, or rewrite them (comments kept)
    #[command(after_help = "\
Examples:
  wapc fmt schema.widl           # print it formatted
  wapc fmt -w api/*.widl         # rewrite the files in place
  wapc fmt --check api/*.widl    # in CI: list the files that are not formatted, exit 1
  cat schema.widl | wapc fmt -")]
    Fmt {
        /// The schemas to format (`-` reads one from stdin)
        #[arg(required = true, value_name = "SCHEMA")]
        schemas: Vec<PathBuf>,
        /// Rewrite each file that changes, in place (stdin is printed)
        #[arg(short, long, conflicts_with_all = ["check", "diff"])]
        write: bool,
        /// Write nothing; list the files that are not formatted, and exit 1 if there are any
        #[arg(long)]
        check: bool,
        /// Print a unified diff of what formatting changes instead of the formatted text
        #[arg(long)]
        diff: bool,
    },
    /// Run the WIDL language server on stdin and stdout, for editors
    #[command(after_help = "\
Diagnostics as `wapc check` gives them, hover, go to definition, references, symbols,
completion, formatting as `wapc fmt` and renaming of types. The README shows how to set it
up in VS Code, Neovim and Helix.

Example:
  wapc lsp -I ../shared")]
    Lsp {
        #[command(flatten)]
        imports: ImportArgs,
        /// Allow reading imports outside the schema's folder and the include folders
        #[arg(long)]
        allow_outside: bool,
        /// Talk over stdin and stdout (the only way; accepted because language clients pass it)
        #[arg(long)]
        stdio: bool,
    },
    /// Generate code from a codegen.yaml
    #[command(after_help = "\
Examples:
  wapc generate                  # codegen.yaml here or in the nearest parent folder
  wapc generate api              # api/codegen.yaml
  wapc generate api/codegen.yaml --check   # in CI: fail when generated files are stale")]
    Generate {
        /// The codegen file, or its folder [default: codegen.yaml here or in a parent folder]
        #[arg(value_name = "FILE|DIR")]
        config: Option<PathBuf>,
        /// Write nothing; exit 1 listing the files that are out of date
        #[arg(long, conflicts_with = "dry_run")]
        check: bool,
        /// Write nothing; print what would be written
        #[arg(long)]
        dry_run: bool,
        /// Generate again whenever the codegen file, a schema, an import or a template changes
        #[arg(long, conflicts_with_all = ["check", "dry_run"])]
        watch: bool,
        /// Do not run rustfmt / gofmt over the output
        #[arg(long)]
        no_format: bool,
        /// Allow reading and writing files outside the project: the repository that holds the
        /// codegen file, or its folder outside a repository
        #[arg(long)]
        allow_outside: bool,
        /// Fail (exit 1, writing nothing) when there is a warning, such as an unknown key
        #[arg(long)]
        deny_warnings: bool,
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
    /// Install shared definitions or a project template into $WAPC_HOME (default ~/.wapc)
    #[command(after_help = "\
Examples:
  wapc install ./acme-definitions
  wapc install acme-templates.tgz
  wapc install https://github.com/acme/widl-definitions.git
  wapc install --list

A package has a wapc.yaml at its root: `kind: definitions` or `kind: templates`, and its
`name` (e.g. acme/iface): then `import * from \"acme/iface\"` or `wapc new acme/iface` finds it.
A package made for the old CLI (a package.json naming it, with definitions/ and templates/
folders) is installed where the old CLI put it: definitions/@org/module, templates/@org/module.")]
    Install {
        /// A package folder (or file:FOLDER), a .tgz of one, or a git repository (a URL or a path ending in .git)
        #[arg(required_unless_present = "list")]
        source: Option<String>,
        /// List the installed packages
        #[arg(long, conflicts_with = "source")]
        list: bool,
    },
    /// Call an operation of a waPC module with JSON, typed by its schema
    #[cfg(feature = "call")]
    #[command(after_help = call::AFTER_HELP)]
    Call(call::CallArgs),
    /// Call an operation of a waPC module with JSON, typed by its schema
    #[cfg(not(feature = "call"))]
    #[command(after_help = WITHOUT_CALL)]
    Call {
        /// What `wapc call` takes (see a build with the `call` feature)
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Print a shell completion script
    #[command(after_help = "\
Examples:
  wapc completions bash > ~/.local/share/bash-completion/completions/wapc
  wapc completions zsh > ~/.zfunc/_wapc
  wapc completions fish > ~/.config/fish/completions/wapc.fish")]
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff)
    #[command(after_help = "Example:\n  wapc man > ~/.local/share/man/man1/wapc.1")]
    Man,
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

/// A write to stdout or stderr that failed: the run stops there.
struct WriteFailed(std::io::Error);

/// Writes to stdout. Every command's output goes through here (and [`tell`]), so that a
/// failed write ends the run as [`run`] says instead of panicking as `println!` does.
fn say(text: fmt::Arguments) -> Result<(), WriteFailed> {
    std::io::stdout()
        .lock()
        .write_fmt(text)
        .map_err(WriteFailed)
}

/// Writes to stderr; see [`say`].
fn tell(text: fmt::Arguments) -> Result<(), WriteFailed> {
    std::io::stderr()
        .lock()
        .write_fmt(text)
        .map_err(WriteFailed)
}

/// `println!` through [`say`], returning early when the write fails.
macro_rules! say {
    ($($arg:tt)*) => { say(format_args!("{}\n", format_args!($($arg)*)))? };
}

/// [`say!`] for what a command did (`written ...`), which `-q` silences.
macro_rules! status {
    ($($arg:tt)*) => { if verbosity() != Verbosity::Quiet { say!($($arg)*) } };
}

/// A line on stderr that only `-v` prints.
macro_rules! detail {
    ($($arg:tt)*) => {
        if verbosity() == Verbosity::Verbose {
            tell(format_args!("{}\n", format_args!($($arg)*)))?
        }
    };
}

/// Parses the command line, runs the command and turns its outcome into an exit status. A
/// closed pipe (`wapc new --list | head -1`) ends the run quietly with success, as it does
/// for ripgrep; any other failed write is an error, exit 1.
pub fn run() -> ExitCode {
    // clap's own usage errors follow `--color` too, which it cannot know before parsing.
    let mut parser = Cli::command().color(clap_color(std::env::args_os()));
    let cli = Cli::from_arg_matches(&parser.clone().get_matches()).unwrap_or_else(|e| e.exit());
    let verbosity = match (cli.quiet, cli.verbose) {
        // clap's `conflicts_with` misses a global flag given after the subcommand.
        (true, true) => parser
            .error(
                clap::error::ErrorKind::ArgumentConflict,
                "--quiet and --verbose cannot be used together",
            )
            .exit(),
        (true, false) => Verbosity::Quiet,
        (_, true) => Verbosity::Verbose,
        _ => Verbosity::Normal,
    };
    // `run` is called once per process, so the values are always these.
    let _ = VERBOSITY.set(verbosity);
    let _ = COLOR.set(cli.color.colours_stderr());
    let outcome = command(cli.command).and_then(|code| {
        std::io::stdout()
            .flush()
            .map_err(WriteFailed)
            .map(|()| code)
    });
    match outcome {
        Ok(code) => code,
        Err(WriteFailed(error)) if error.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::SUCCESS
        }
        Err(WriteFailed(error)) => {
            report(&Diagnostic::error(format!("cannot write the output: {error}")).into())
        }
    }
}

fn command(command: Command) -> Result<ExitCode, WriteFailed> {
    match command {
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
        Command::Fmt {
            schemas,
            write,
            check,
            diff,
        } => fmt(&schemas, FmtMode { write, check, diff }),
        Command::Lsp {
            imports,
            allow_outside,
            stdio: _,
        } => match crate::lsp::serve(imports.paths().allowing_outside(allow_outside)) {
            Ok(code) => Ok(ExitCode::from(code)),
            Err(error) => Ok(report(
                &Diagnostic::error(format!("the language server's connection failed: {error}"))
                    .into(),
            )),
        },
        Command::Generate {
            config,
            check,
            dry_run,
            watch,
            no_format,
            allow_outside,
            deny_warnings,
            imports,
        } => {
            let options = codegen::Options {
                check,
                dry_run,
                format: !no_format,
                allow_outside,
                deny_warnings,
                imports: imports.paths(),
            };
            match codegen::config::find(config.as_deref()) {
                Err(error) => Ok(report(&error.into())),
                Ok(config) if watch => generate_watching(&config, &options),
                Ok(config) => generate(&config, &options),
            }
        }
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
        Command::Install { source, .. } => install(source.as_deref()),
        #[cfg(feature = "call")]
        Command::Call(args) => call::call(&args),
        #[cfg(not(feature = "call"))]
        Command::Call { .. } => {
            report(&Diagnostic::error(WITHOUT_CALL).into());
            Ok(ExitCode::from(EXIT_UNPARSABLE))
        }
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "wapc", &mut script);
            print_bytes(&script)
        }
        Command::Man => {
            let mut page = Vec::new();
            man_page(&mut page).map_err(WriteFailed)?;
            print_bytes(&page)
        }
    }
}

/// Installs `source`, or lists what is installed.
fn install(source: Option<&str>) -> Result<ExitCode, WriteFailed> {
    let Some(source) = source else {
        let installed = match install::list() {
            Ok(installed) => installed,
            Err(error) => return Ok(report(&error.into())),
        };
        for package in installed {
            let kind = package.kind.folder();
            say!("{kind:<12} {:<24} {}", package.name, package.description);
        }
        return Ok(ExitCode::SUCCESS);
    };
    match install::install(source) {
        Ok(packages) => {
            for package in packages {
                status!(
                    "installed  {} `{}` in {}",
                    package.kind.folder(),
                    package.name,
                    shown(&package.path)
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => Ok(report(&error.into())),
    }
}

/// One page for the whole tool: clap_mangen's page for `wapc`, then a section with the
/// synopsis and options of each command (instead of a page per command to install).
fn man_page(page: &mut Vec<u8>) -> std::io::Result<()> {
    let mut wapc = Cli::command();
    wapc.build();
    let man = clap_mangen::Man::new(wapc.clone());
    man.render_title(page)?;
    man.render_name_section(page)?;
    man.render_synopsis_section(page)?;
    man.render_description_section(page)?;
    man.render_options_section(page)?;
    man.render_subcommands_section(page)?;
    // The after-help (exit codes), under a title of its own (clap_mangen's is "EXTRA").
    writeln!(page, ".SH \"EXIT STATUS\"")?;
    man_after_help(page, &wapc)?;
    man.render_version_section(page)?;
    man_sections(page, "wapc", &wapc)
}

/// A command's after-help (its examples) as preformatted text.
fn man_after_help(page: &mut Vec<u8>, command: &clap::Command) -> std::io::Result<()> {
    let Some(text) = command.get_after_help() else {
        return Ok(());
    };
    writeln!(page, ".PP\n.nf")?;
    for line in text.to_string().lines() {
        let line = line.replace('\\', "\\e");
        let guarded = if line.starts_with(['.', '\'']) {
            "\\&"
        } else {
            ""
        };
        writeln!(page, "{guarded}{line}")?;
    }
    writeln!(page, ".fi")
}

/// A section for each subcommand of `parent` (named `prefix`), and for theirs in turn
/// (`wapc templates list`): what it does, its synopsis, options and examples.
fn man_sections(page: &mut Vec<u8>, prefix: &str, parent: &clap::Command) -> std::io::Result<()> {
    for command in parent.get_subcommands().filter(|c| c.get_name() != "help") {
        let name = format!("{prefix} {}", command.get_name());
        writeln!(page, ".SH \"{}\"", name.to_uppercase())?;
        let man = clap_mangen::Man::new(command.clone().bin_name(&name));
        man.render_description_section(page)?;
        man.render_synopsis_section(page)?;
        man.render_options_section(page)?;
        // The examples, under the command's own heading.
        man_after_help(page, command)?;
        man_sections(page, &name, command)?;
    }
    Ok(())
}

/// Writes generated text to stdout through [`say`]: rendered in memory first, because the
/// generators panic when a write fails (a closed pipe).
fn print_bytes(bytes: &[u8]) -> Result<ExitCode, WriteFailed> {
    say(format_args!("{}", String::from_utf8_lossy(bytes)))?;
    Ok(ExitCode::SUCCESS)
}

fn generate(config: &Path, options: &codegen::Options) -> Result<ExitCode, WriteFailed> {
    let started = Instant::now();
    detail!("read       {}", shown(config));
    match codegen::generate_warning(config, options) {
        Ok(generated) => {
            warn(&generated.warnings);
            list_generated(&generated.files, options, started)
        }
        Err(errors) => Ok(report(&errors)),
    }
}

/// `generate` after each change, until Ctrl-C (exit 0).
fn generate_watching(config: &Path, options: &codegen::Options) -> Result<ExitCode, WriteFailed> {
    let mut failed = None;
    let mut started = Instant::now();
    let watched = codegen::watch::watch(config, options, |result| {
        let listed = match result {
            Ok(generated) => {
                warn(&generated.warnings);
                list_generated(&generated.files, options, started).map(drop)
            }
            Err(errors) => {
                report(&errors);
                Ok(())
            }
        };
        started = Instant::now();
        match listed.and_then(|()| tell(format_args!("watching for changes (Ctrl-C stops)\n"))) {
            Ok(()) => ControlFlow::Continue(()),
            Err(error) => {
                failed = Some(error);
                ControlFlow::Break(())
            }
        }
    });
    match (failed, watched) {
        (Some(error), _) => Err(error),
        (None, Ok(())) => Ok(ExitCode::SUCCESS),
        (None, Err(error)) => Ok(report(&error.into())),
    }
}

/// Says what a run did to each file; `started` is when it began, for `-v`.
fn list_generated(
    files: &[codegen::GeneratedFile],
    options: &codegen::Options,
    started: Instant,
) -> Result<ExitCode, WriteFailed> {
    // Each target of a document was generated from the same schema files: list them once.
    let mut read: Vec<&String> = Vec::new();
    for source in files.iter().flat_map(|file| &file.sources) {
        if !read.contains(&source) {
            detail!("read       {source}");
            read.push(source);
        }
    }
    let mut stale = 0;
    for file in files {
        let path = shown(&file.path);
        detail!(
            "rendered   {path} with {} in {:.1?}",
            file.template,
            file.elapsed
        );
        let line = match (file.outcome, options.check || options.dry_run) {
            (Outcome::Written, true) => {
                stale += 1;
                format!("stale      {path}")
            }
            (Outcome::Written, false) => format!("written    {path}"),
            (Outcome::Unchanged, _) => format!("unchanged  {path}"),
            (Outcome::Skipped, _) => format!("skipped    {path} (ifNotExists: it exists)"),
        };
        if options.dry_run && file.outcome == Outcome::Written {
            say!("==> {path} ({}) <==\n{}", file.template, file.content);
        } else {
            status!("{line}");
        }
    }
    detail!("done in {:.1?}", started.elapsed());
    if options.check && stale > 0 {
        let stale = format!("{stale} generated file(s) are out of date");
        return Ok(report(
            &Diagnostic::error(stale)
                .with_help("run `wapc generate`")
                .into(),
        ));
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_variable(argument: &str) -> Result<(String, String), String> {
    match argument.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_string(), value.to_string())),
        _ => Err(format!("`{argument}` is not NAME=VALUE")),
    }
}

fn list_projects() -> Result<ExitCode, WriteFailed> {
    for (name, description) in project::built_in() {
        say!("{name:<16} {description}");
    }
    Ok(ExitCode::SUCCESS)
}

fn new_project(template: &str, new: &project::NewProject<'_>) -> Result<ExitCode, WriteFailed> {
    let template = match project::find(template) {
        Ok(template) => template,
        Err(error) => return Ok(report(&error.into())),
    };
    let interactive = std::io::stdin().is_terminal();
    let mut ask = |variable: &project::Variable| {
        if !interactive {
            return None;
        }
        let prompt = variable.prompt.as_deref().unwrap_or(&variable.name);
        let default = variable.default.as_deref().unwrap_or("");
        tell(format_args!("{prompt} [{default}]: ")).ok()?;
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer).ok()?;
        Some(answer.trim().to_string())
    };
    match project::create(&template, new, &mut ask) {
        Ok(created) => {
            for path in &created.written {
                status!("written    {}", shown(path));
            }
            for path in &created.kept {
                status!("kept       {} (it exists)", shown(path));
            }
            status!(
                "\ncreated {} from `{}`: cd {} && make",
                shown(new.dir),
                template.name,
                shown(new.dir)
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(errors) => Ok(report(&errors)),
    }
}

fn templates_list(dir: Option<&Path>) -> Result<ExitCode, WriteFailed> {
    let templates = match codegen::Templates::load(dir) {
        Ok(templates) => templates,
        Err(errors) => return Ok(report(&errors)),
    };
    for (name, origin) in templates.list() {
        let from = match origin {
            codegen::Origin::BuiltIn => "built in".to_string(),
            codegen::Origin::User(path) => shown(path),
        };
        say!("{name:<24} {from}");
    }
    Ok(ExitCode::SUCCESS)
}

fn templates_export(name: &str, dir: &Path) -> Result<ExitCode, WriteFailed> {
    match codegen::render::export(name, dir) {
        Ok(written) => {
            for path in written {
                status!("written    {}", shown(&path));
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => Ok(report(&error.into())),
    }
}

fn check(schemas: &[PathBuf], imports: &ImportPaths) -> Result<ExitCode, WriteFailed> {
    // Standard input can be read once: a second `-` would check nothing, silently.
    if schemas.iter().filter(|s| s.as_os_str() == "-").count() > 1 {
        Cli::command()
            .error(
                clap::error::ErrorKind::ArgumentConflict,
                "`-` (standard input) may be given once",
            )
            .exit()
    }
    let mut status = ExitCode::SUCCESS;
    for schema in schemas {
        let started = Instant::now();
        match load(schema, imports) {
            Ok(loaded) => read_files(&loaded)?,
            Err(errors) => status = report(&errors),
        }
        detail!("checked    {} in {:.1?}", shown(schema), started.elapsed());
    }
    Ok(status)
}

/// With `-v`, the files a schema was loaded from.
fn read_files(schema: &model::Schema) -> Result<(), WriteFailed> {
    for file in &schema.files {
        detail!("read       {}", file.name);
    }
    Ok(())
}

/// `-` names standard input, as it does for most tools.
fn load(schema: &Path, imports: &ImportPaths) -> Result<model::Schema, Diagnostics> {
    if schema == Path::new("-") {
        model::load_stdin(imports)
    } else {
        model::load(schema, imports)
    }
}

fn ast(schema: &Path, pretty: bool, imports: &ImportPaths) -> Result<ExitCode, WriteFailed> {
    let loaded = match load(schema, imports) {
        Ok(loaded) => loaded,
        Err(errors) => return Ok(report(&errors)),
    };
    read_files(&loaded)?;
    let json = if pretty {
        serde_json::to_string_pretty(&loaded)
    } else {
        serde_json::to_string(&loaded)
    };
    match json {
        Ok(json) => say!("{json}"),
        Err(error) => return Err(WriteFailed(std::io::Error::other(error))),
    }
    Ok(ExitCode::SUCCESS)
}

/// What `wapc fmt` does with the formatted text.
#[derive(Clone, Copy)]
struct FmtMode {
    write: bool,
    check: bool,
    diff: bool,
}

/// Exit status of `wapc fmt` for a schema that does not parse, as gofmt and rustfmt have it.
const EXIT_UNPARSABLE: u8 = 2;

/// Formats every schema first; when one does not parse (or cannot be read), reports it and
/// writes nothing at all.
fn fmt(schemas: &[PathBuf], mode: FmtMode) -> Result<ExitCode, WriteFailed> {
    let mut formatted = Vec::with_capacity(schemas.len());
    let mut errors = Diagnostics::default();
    for schema in schemas {
        let started = Instant::now();
        let read = if schema == Path::new("-") {
            model::read_stdin()
        } else {
            model::read(schema)
        };
        let file = match read {
            Ok(file) => std::sync::Arc::new(file),
            Err(error) => {
                errors.push(error);
                continue;
            }
        };
        match crate::format::format(&file) {
            Ok(text) => formatted.push((schema, file, text)),
            Err(found) => errors.0.extend(found.0),
        }
        detail!("formatted  {} in {:.1?}", shown(schema), started.elapsed());
    }
    if !errors.is_empty() {
        report(&errors);
        return Ok(ExitCode::from(EXIT_UNPARSABLE));
    }
    let mut unformatted = 0;
    let mut rewrite: Vec<(&Path, &str)> = Vec::new();
    for (schema, file, text) in &formatted {
        let changed = file.text != *text;
        unformatted += usize::from(changed);
        if mode.diff {
            if changed {
                let diff = similar::TextDiff::from_lines(&file.text, text);
                let name = &file.name;
                let patch = diff.unified_diff().header(name, name).to_string();
                say(format_args!("{patch}"))?;
            }
        } else if mode.check {
            if changed {
                say!("{}", file.name);
            }
        } else if mode.write && *schema != Path::new("-") {
            if changed {
                rewrite.push((schema, text));
            }
        } else {
            say(format_args!("{text}"))?;
        }
    }
    if let Err(error) = codegen::output::write_all(&rewrite, true) {
        return Ok(report(&error.into()));
    }
    for (path, _) in &rewrite {
        status!("formatted  {}", shown(path));
    }
    if mode.check && unformatted > 0 {
        return Ok(ExitCode::from(EXIT_INVALID));
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints errors on stderr; the exit status for invalid input. When stderr fails, the status
/// alone says it.
/// Prints the warnings of a run that succeeded (`-q` silences them; `--deny-warnings` makes
/// them errors instead).
fn warn(warnings: &Diagnostics) {
    if !warnings.is_empty() && verbosity() != Verbosity::Quiet {
        let colour = COLOR.get().copied().unwrap_or(false);
        let _ = tell(format_args!("{}\n", warnings.render(colour)));
    }
}

fn report(errors: &Diagnostics) -> ExitCode {
    let colour = COLOR.get().copied().unwrap_or(false);
    let _ = tell(format_args!("{}", errors.render(colour)));
    if errors.errors() > 1 {
        let found = Diagnostic::error(format!("{} errors found", errors.errors()));
        let _ = tell(format_args!("\n{}", found.render(colour)));
    }
    ExitCode::from(EXIT_INVALID)
}
