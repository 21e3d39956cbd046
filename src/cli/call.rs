//! `wapc call`: one waPC call from the shell, JSON in and out, typed by the schema.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};

use super::{ImportArgs, Verbosity, WriteFailed, say, tell, verbosity};
use crate::call::{CallError, Guest, Host, Limits};
use crate::codegen::output::shown;
use crate::diagnostic::{Diagnostics, did_you_mean};
use crate::input;
use crate::limits::{MAX_CALL_JSON_SIZE, MAX_CALL_MODULE_SIZE};
use crate::model::{
    self,
    resolve::{OperationSyntax, WithSyntax},
};
use crate::wire::{self, OrderedJson, Wire, WireError};

/// Exit status: the guest answered with an error.
const EXIT_GUEST_ERROR: u8 = 3;
/// Exit status: the module did not load, trapped, timed out or ran out of memory.
const EXIT_MODULE: u8 = 1;
/// Exit status: the command line, the schema, or JSON that does not fit it.
const EXIT_INPUT: u8 = 2;

pub const AFTER_HELP: &str = "\
Examples:
  wapc call -s schema.widl module.wasm greet '{\"name\": \"World\"}'
  wapc call -s schema.widl module.wasm greet -d @request.json   # -d @- reads stdin
  wapc call -s schema.widl module.wasm echoString '\"hi\"'        # op{x: T} takes x's value
  wapc call -s schema.widl --list
  wapc call -s schema.widl --describe greet

The input is an object of the operation's parameters, or, for a unary `op{x: T}`, x's value.
`bytes` are base64, enums a name or number, a union `{\"Member\": value}`, 64-bit integers
numbers or strings. 64-bit results beyond 2^53 print as strings (--large-integers-as-numbers).

--host-replies FILE answers the guest's host calls: a JSON object keyed
\"binding/namespace/operation\" (as the guest sends them; -v shows each), each value the reply
as JSON of the operation's result type, or {\"$error\": \"message\"} to fail the host call.

Exit status:
  0  success: the result (if any) is on stdout
  1  the module did not load, trapped, ran past --timeout or --max-memory, or made a host
     call that --host-replies does not answer
  2  usage error, schema error, or JSON that is invalid or does not fit the schema
  3  the guest returned an error (its message on stderr)";

#[derive(Args, Debug)]
pub struct CallArgs {
    /// The WIDL schema the module implements
    #[arg(short, long, value_name = "SCHEMA")]
    schema: PathBuf,
    /// The module (.wasm)
    #[arg(required_unless_present_any = ["list", "describe"], value_name = "MODULE")]
    module: Option<PathBuf>,
    /// The operation to call
    #[arg(required_unless_present_any = ["list", "describe"], value_name = "OPERATION")]
    operation: Option<String>,
    /// The input as JSON [default: {}]
    #[arg(value_name = "JSON", conflicts_with = "data")]
    json: Option<String>,
    /// The input: JSON, `@FILE` to read it from a file, `@-` from stdin
    #[arg(short, long, value_name = "JSON|@FILE|@-")]
    data: Option<String>,
    /// Answer the guest's host calls from this JSON file (see below)
    #[arg(long, value_name = "FILE")]
    host_replies: Option<PathBuf>,
    /// Skip input fields the schema does not know instead of failing
    #[arg(long)]
    allow_unknown_fields: bool,
    /// Print 64-bit integers beyond 2^53 as JSON numbers, not strings
    #[arg(long)]
    large_integers_as_numbers: bool,
    /// Stop the module after this many seconds
    #[arg(long, value_name = "SECONDS", default_value = "5", value_parser = parse_seconds)]
    timeout: Duration,
    /// The most memory the module may grow to, in MiB
    #[arg(long, value_name = "MIB", default_value = "256", value_parser = clap::value_parser!(u32).range(1..=4096))]
    max_memory: u32,
    /// How errors are printed on stderr: text, or one JSON object for scripts
    #[arg(long, value_name = "FORMAT", default_value = "text")]
    error_format: ErrorFormat,
    /// List the schema's operations with their signatures
    #[arg(long, conflicts_with_all = ["module", "describe"])]
    list: bool,
    /// Print an operation's signature and a JSON input to fill in
    #[arg(long, value_name = "OPERATION", conflicts_with = "module")]
    describe: Option<String>,
    #[command(flatten)]
    imports: ImportArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, ValueEnum)]
enum ErrorFormat {
    Text,
    Json,
}

fn parse_seconds(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number"))?;
    if !(seconds > 0.0 && seconds <= 86_400.0) {
        return Err("the timeout is more than 0 and at most 86400 seconds".to_string());
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// A failed call: what kind (for `--error-format json` and the exit status) and why.
struct Failure {
    kind: &'static str,
    message: String,
    /// Where in the input, for JSON that does not fit the schema.
    path: Option<String>,
    code: u8,
}

impl Failure {
    fn input(message: impl Into<String>) -> Failure {
        Failure {
            kind: "input",
            message: message.into(),
            path: None,
            code: EXIT_INPUT,
        }
    }

    /// JSON that does not fit the schema, in `what` (the input, a replies file entry).
    fn wire(what: &str, error: WireError) -> Failure {
        let path = (!error.path.is_empty()).then(|| error.path.clone());
        Failure {
            kind: "input",
            message: format!("{what}: {error}"),
            path,
            code: EXIT_INPUT,
        }
    }

    fn module(kind: &'static str, message: impl Into<String>) -> Failure {
        Failure {
            kind,
            message: message.into(),
            path: None,
            code: EXIT_MODULE,
        }
    }
}

impl From<Diagnostics> for Failure {
    fn from(errors: Diagnostics) -> Failure {
        let colour = super::COLOR.get().copied().unwrap_or(false);
        Failure {
            kind: "schema",
            message: errors.render(colour).trim_end().to_string(),
            path: None,
            code: EXIT_INPUT,
        }
    }
}

pub fn call(args: &CallArgs) -> Result<ExitCode, WriteFailed> {
    let format = args.error_format;
    match run(args) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(failure) => {
            match format {
                ErrorFormat::Text if failure.kind == "schema" => {
                    tell(format_args!("{}\n", failure.message))?
                }
                ErrorFormat::Text => tell(format_args!("error: {}\n", failure.message))?,
                ErrorFormat::Json => {
                    let mut object = serde_json::json!({
                        "error": failure.kind,
                        "message": failure.message,
                        "exit_code": failure.code,
                    });
                    if let Some(path) = failure.path {
                        object["path"] = path.into();
                    }
                    tell(format_args!("{object}\n"))?
                }
            }
            Ok(ExitCode::from(failure.code))
        }
    }
}

fn run(args: &CallArgs) -> Result<(), Failure> {
    let schema = model::load(&args.schema, &args.imports.paths())?;
    let resolved = model::resolve::resolve(&schema).map_err(Diagnostics::from)?;
    let syntax = resolved.with_syntax(&schema).map_err(Diagnostics::from)?;
    let wire = Wire::new(
        &syntax,
        wire::Options {
            allow_unknown_fields: args.allow_unknown_fields,
            large_integers_as_numbers: args.large_integers_as_numbers,
        },
    );
    if args.list {
        return list(&syntax, &wire);
    }
    if let Some(name) = &args.describe {
        let op = operation(&syntax, name)?;
        let template = pretty(&wire.request_template(op))?;
        return print(format_args!("{}\n{template}\n", wire.signature(op)));
    }
    let (Some(module_path), Some(name)) = (&args.module, &args.operation) else {
        return Err(Failure::input("a module and an operation are required"));
    };
    let op = operation(&syntax, name)?;
    let input = read_input(args)?;
    let request = wire
        .request(op, &input)
        .map_err(|e| Failure::wire("the input", e))?;
    let mut host = match &args.host_replies {
        Some(path) => HostReplies::load(path, &syntax, &wire)?,
        None => HostReplies::default(),
    };
    let started = Instant::now();
    let bytes = input::read(module_path, MAX_CALL_MODULE_SIZE, "a module").map_err(|error| {
        Failure::module(
            "load",
            format!("cannot read {}: {}", shown(module_path), error.0),
        )
    })?;
    let guest = Guest::load(&bytes)
        .map_err(|e| Failure::module("load", format!("{}: {e}", shown(module_path))))?;
    detail(format_args!(
        "loaded     {} in {:.1?}",
        shown(module_path),
        started.elapsed()
    ))?;
    detail(format_args!("request    {name} {}", hex(&request)))?;
    let limits = Limits {
        timeout: args.timeout,
        max_memory: (args.max_memory as usize) << 20,
    };
    let started = Instant::now();
    let outcome = guest.call(name, &request, &mut host, limits);
    for call in &host.calls {
        detail(format_args!("host call  {}", call.describe(&syntax, &wire)))?;
    }
    if let Some(unanswered) = host.calls.iter().find(|c| !c.answered) {
        let mut message = format!(
            "the guest called `{}` on the host, and --host-replies has no reply for it",
            unanswered.key
        );
        if let Err(error) = &outcome {
            message.push_str(&format!(" (the call then failed: {error})"));
        }
        return Err(Failure::module("host_call", message));
    }
    let reply = match outcome {
        Ok(reply) => reply,
        Err(CallError::Guest(message)) => {
            return Err(Failure {
                kind: "guest",
                message: format!("the guest returned an error: {message}"),
                path: None,
                code: EXIT_GUEST_ERROR,
            });
        }
        Err(CallError::Load(message)) => {
            return Err(Failure::module(
                "load",
                format!("{}: {message}", shown(module_path)),
            ));
        }
        Err(CallError::Trap(message)) => return Err(Failure::module("trap", message)),
    };
    detail(format_args!(
        "reply      {} in {:.1?}",
        hex(&reply),
        started.elapsed()
    ))?;
    let decoded = wire.decode_payload(op.returns, &reply).map_err(|error| {
        Failure::module(
            "reply",
            format!("the guest's reply does not fit the schema: {error}"),
        )
    })?;
    if op.returns.is_some() {
        print(format_args!("{}\n", pretty(&decoded)?))?;
    }
    Ok(())
}

/// Writes to stdout; a failed write (other than a closed pipe, which `run` takes as the
/// reader's choice) is an error.
fn print(text: std::fmt::Arguments) -> Result<(), Failure> {
    match say(text) {
        Ok(()) => Ok(()),
        Err(WriteFailed(error)) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(WriteFailed(error)) => Err(Failure::module("output", format!("cannot write: {error}"))),
    }
}

/// A line on stderr that only `-v` prints.
fn detail(text: std::fmt::Arguments) -> Result<(), Failure> {
    if verbosity() == Verbosity::Verbose {
        // Diagnostics only: a failed write to stderr loses nothing the caller asked for.
        let _ = tell(format_args!("{text}\n"));
    }
    Ok(())
}

fn pretty(json: &OrderedJson) -> Result<String, Failure> {
    serde_json::to_string_pretty(json).map_err(|e| Failure::module("output", e.to_string()))
}

fn hex(bytes: &[u8]) -> String {
    let digits: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("({} bytes) {digits}", bytes.len())
}

fn list(schema: &WithSyntax, wire: &Wire) -> Result<(), Failure> {
    for op in &schema.operations {
        match op.role {
            None => print(format_args!("{}\n", wire.signature(op)))?,
            Some(role) => print(format_args!(
                "{}  (role {role}: the host's)\n",
                wire.signature(op)
            ))?,
        }
    }
    Ok(())
}

/// An operation the module serves: the interface's first, then the roles' (a module may
/// handle a role's operations too).
fn operation<'r, 's>(
    schema: &'r WithSyntax<'s>,
    name: &str,
) -> Result<&'r OperationSyntax<'s>, Failure> {
    schema.operation(name).ok_or_else(|| {
        let names = (schema.operations.iter()).map(|op| op.ast.name.value.as_str());
        let hint = did_you_mean(name, names).map_or(String::new(), |h| format!(": {h}"));
        Failure::input(format!(
            "the schema has no operation `{name}`{hint} (--list shows them)"
        ))
    })
}

/// The input JSON: the positional argument, `-d JSON`, `-d @file` or `-d @-`; `{}` when none.
fn read_input(args: &CallArgs) -> Result<serde_json::Value, Failure> {
    let (text, source) = match (args.json.as_deref(), args.data.as_deref()) {
        (None, None) => return Ok(serde_json::Value::Object(Default::default())),
        (_, Some("@-")) => {
            let bytes = input::read_stdin(MAX_CALL_JSON_SIZE, "the input")
                .map_err(|error| Failure::input(format!("cannot read stdin: {}", error.0)))?;
            let text = String::from_utf8(bytes)
                .map_err(|_| Failure::input("the input on stdin is not UTF-8"))?;
            (text, "stdin".to_string())
        }
        (_, Some(data)) if data.starts_with('@') => {
            let path = Path::new(&data[1..]);
            (read_json_file(path)?, shown(path))
        }
        (Some(text), _) | (None, Some(text)) => (text.to_string(), "the input".to_string()),
    };
    parse_json(&text, &source)
}

fn read_json_file(path: &Path) -> Result<String, Failure> {
    let bytes = input::read(path, MAX_CALL_JSON_SIZE, "a JSON file")
        .map_err(|error| Failure::input(format!("cannot read {}: {}", shown(path), error.0)))?;
    String::from_utf8(bytes).map_err(|_| Failure::input(format!("{} is not UTF-8", shown(path))))
}

fn parse_json(text: &str, source: &str) -> Result<serde_json::Value, Failure> {
    serde_json::from_str(text)
        .map_err(|error| Failure::input(format!("{source} is not valid JSON: {error}")))
}

/// One host call the guest made.
struct HostCall {
    key: String,
    operation: String,
    payload: Vec<u8>,
    /// Whether --host-replies answered it (with a reply or an error).
    answered: bool,
}

impl HostCall {
    /// For `-v`: the key, the payload decoded by the operation's parameters (hex when it does
    /// not decode) and whether it was answered.
    fn describe(&self, schema: &WithSyntax, wire: &Wire) -> String {
        let payload = (schema.operation(&self.operation))
            .and_then(|op| wire.decode_request(op, &self.payload).ok())
            .and_then(|json| serde_json::to_string(&json).ok())
            .unwrap_or_else(|| hex(&self.payload));
        let answered = if self.answered {
            "answered"
        } else {
            "no reply"
        };
        format!("{} {payload} ({answered})", self.key)
    }
}

/// The replies of `--host-replies`, encoded once, and the calls the guest made.
#[derive(Default)]
struct HostReplies {
    replies: HashMap<String, Result<Vec<u8>, String>>,
    calls: Vec<HostCall>,
}

impl HostReplies {
    /// Reads the replies file: each key names an operation of the schema, each value fits
    /// its result type (or is `{"$error": "message"}`). Every error names the key.
    fn load(path: &Path, schema: &WithSyntax, wire: &Wire) -> Result<HostReplies, Failure> {
        let file = shown(path);
        let json = parse_json(&read_json_file(path)?, &file)?;
        let serde_json::Value::Object(entries) = json else {
            return Err(Failure::input(format!(
                "{file}: the replies are a JSON object keyed \"binding/namespace/operation\""
            )));
        };
        let mut replies = HashMap::new();
        for (key, value) in entries {
            let mut parts = key.rsplitn(3, '/');
            let (Some(name), Some(_namespace), Some(_binding)) =
                (parts.next(), parts.next(), parts.next())
            else {
                return Err(Failure::input(format!(
                    "{file}: `{key}` is not \"binding/namespace/operation\""
                )));
            };
            let op = operation(schema, name)
                .map_err(|f| Failure::input(format!("{file}: `{key}`: {}", f.message)))?;
            let reply = match value.as_object().and_then(|o| o.get("$error")) {
                Some(serde_json::Value::String(message)) => Err(message.clone()),
                Some(_) => {
                    return Err(Failure::input(format!(
                        "{file}: `{key}`: \"$error\" takes the error message as a string"
                    )));
                }
                None => Ok(wire
                    .reply(op.returns, &value)
                    .map_err(|e| Failure::wire(&format!("{file}: `{key}`"), e))?),
            };
            replies.insert(key, reply);
        }
        Ok(HostReplies {
            replies,
            calls: Vec::new(),
        })
    }
}

impl Host for HostReplies {
    fn call(
        &mut self,
        binding: &str,
        namespace: &str,
        operation: &str,
        payload: &[u8],
    ) -> Result<Vec<u8>, String> {
        let key = format!("{binding}/{namespace}/{operation}");
        let reply = self.replies.get(&key).cloned();
        self.calls.push(HostCall {
            key: key.clone(),
            operation: operation.to_string(),
            payload: payload.to_vec(),
            answered: reply.is_some(),
        });
        reply.unwrap_or_else(|| {
            Err(format!(
                "wapc call has no reply for the host call `{key}` (give one in --host-replies)"
            ))
        })
    }
}
