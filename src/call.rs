//! Runs one waPC call on a module: the waPC host ABI (the `wapc` import module) and the WASI
//! imports a standard Go guest needs, over wasmi, a pure-Rust interpreter (see README's
//! `wapc call` section for why not wasmtime). Only `wapc call` uses it, behind the `call`
//! feature, so that a `build.rs` user of the library never compiles an engine.
//!
//! The guest ABI, as wapc-rs and wapc-go implement it: the host calls the export
//! `__guest_call(operation_len, payload_len)`; the guest fetches both with
//! `__guest_request(operation_ptr, payload_ptr)` and answers with `__guest_response(ptr, len)`
//! or `__guest_error(ptr, len)`, returning 1 on success and 0 on failure. The guest calls its
//! host with `__host_call(binding, namespace, operation, payload)` (each a pointer and a
//! length; 1 or 0), then reads the answer with `__host_response_len` / `__host_response(ptr)`
//! or `__host_error_len` / `__host_error(ptr)`. `__console_log(ptr, len)` logs a line.

use std::fmt;
use std::io::Write;
use std::time::{Duration, Instant};

use wasmi::{
    Caller, CompilationMode, Config, Engine, Error, Extern, ExternType, Func, Linker, Memory,
    Module, ResumableCall, Store, StoreLimits, StoreLimitsBuilder, TrapCode, Val, ValType,
};

/// The first four bytes of every binary WebAssembly module.
const WASM_MAGIC: &[u8] = b"\0asm";

/// Fuel between two looks at the clock: about a millisecond of guest code.
const FUEL_SLICE: u64 = 1_000_000;

/// Fuel for instantiation, which cannot be resumed: about a second.
const INSTANTIATION_FUEL: u64 = 1_000 * FUEL_SLICE;

/// WASI's "function not supported" errno, for the WASI calls not provided.
const ENOSYS: i32 = 52;
const EBADF: i32 = 8;

/// How long and how large a call may grow.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Wall-clock time for start-up and the call together.
    pub timeout: Duration,
    /// Bytes the module's memory may grow to.
    pub max_memory: usize,
}

/// Why a call gave no result.
#[derive(Debug)]
pub enum CallError {
    /// The file is no module, is invalid, or is not a waPC guest.
    Load(String),
    /// The module trapped, ran past the timeout or over the memory limit.
    Trap(String),
    /// The guest answered with an error (`__guest_error`).
    Guest(String),
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::Load(message) | CallError::Trap(message) | CallError::Guest(message) => {
                f.write_str(message)
            }
        }
    }
}

/// Answers the guest's host calls.
pub trait Host {
    /// The reply to `binding/namespace/operation` with `payload`, or an error message for the
    /// guest.
    fn call(
        &mut self,
        binding: &str,
        namespace: &str,
        operation: &str,
        payload: &[u8],
    ) -> Result<Vec<u8>, String>;
}

/// A module checked to be a waPC guest, ready to call.
pub struct Guest {
    engine: Engine,
    module: Module,
}

impl Guest {
    /// Compiles `bytes`: binary WebAssembly only (text format is never parsed), exporting
    /// `__guest_call(i32, i32) -> i32`, importing nothing a waPC host lacks.
    pub fn load(bytes: &[u8]) -> Result<Guest, CallError> {
        if !bytes.starts_with(WASM_MAGIC) {
            let text = bytes.trim_ascii_start().starts_with(b"(module");
            return Err(CallError::Load(if text {
                "this is WebAssembly text format (.wat), not a binary module: compile it to .wasm"
                    .to_string()
            } else {
                "this is not a WebAssembly module: it does not start with `\\0asm`".to_string()
            }));
        }
        let mut config = Config::default();
        config.consume_fuel(true);
        // Lazy translation charges fuel as it goes, and a translation that runs out of fuel
        // mid-call does not resume: translate everything first.
        config.compilation_mode(CompilationMode::Eager);
        let engine = Engine::new(&config);
        let module = Module::new(&engine, bytes)
            .map_err(|error| CallError::Load(format!("the module is not valid: {error}")))?;
        match module.get_export("__guest_call") {
            Some(ExternType::Func(ty))
                if ty.params() == [ValType::I32, ValType::I32]
                    && ty.results() == [ValType::I32] => {}
            Some(_) => {
                return Err(CallError::Load(
                    "the module's `__guest_call` is not a function (i32, i32) -> i32".to_string(),
                ));
            }
            None => {
                return Err(CallError::Load(
                    "the module does not export `__guest_call`: it is not a waPC guest".to_string(),
                ));
            }
        }
        for import in module.imports() {
            let known = match import.module() {
                "wapc" => WAPC_IMPORTS.contains(&import.name()),
                "wasi_snapshot_preview1" => matches!(import.ty(), ExternType::Func(_)),
                _ => false,
            };
            if !known {
                return Err(CallError::Load(format!(
                    "the module imports `{}.{}`, which a waPC host does not provide",
                    import.module(),
                    import.name()
                )));
            }
        }
        Ok(Guest { engine, module })
    }

    /// Starts a fresh instance (`_initialize`, `_start`, `wapc_init`, those it exports) and
    /// calls `operation` with `payload`. Guest console and WASI output go to stderr.
    pub fn call<H: Host>(
        &self,
        operation: &str,
        payload: &[u8],
        host: &mut H,
        limits: Limits,
    ) -> Result<Vec<u8>, CallError> {
        let state = State {
            host,
            operation: operation.as_bytes().to_vec(),
            request: payload.to_vec(),
            response: None,
            error: None,
            host_response: Vec::new(),
            host_error: Vec::new(),
            exited: None,
            deadline: Instant::now() + limits.timeout,
            limits: StoreLimitsBuilder::new()
                .memory_size(limits.max_memory)
                .trap_on_grow_failure(true)
                .build(),
        };
        let mut store = Store::new(&self.engine, state);
        store.limiter(|state| &mut state.limits);
        let deadline = store.data().deadline;
        let mut linker = Linker::new(&self.engine);
        define_wapc(&mut linker).map_err(|e| CallError::Load(e.to_string()))?;
        define_wasi(&mut linker, &self.module).map_err(|e| CallError::Load(e.to_string()))?;
        let trapped = |error: Error| trap(error, limits);
        // Instantiation (data segments, a start function) runs on a budget of its own.
        store
            .set_fuel(INSTANTIATION_FUEL)
            .map_err(|e| CallError::Load(e.to_string()))?;
        let instance = linker
            .instantiate_and_start(&mut store, &self.module)
            .map_err(trapped)?;
        for start in ["_initialize", "_start", "wapc_init"] {
            if let Some(func) = instance.get_func(&store, start) {
                match run(&mut store, func, &[], &mut [], deadline, limits) {
                    // A WASI command's `_start` ends with proc_exit(0).
                    Err(CallError::Trap(_)) if store_exited_cleanly(&store) => {}
                    other => other?,
                }
            }
        }
        let guest_call = instance
            .get_func(&store, "__guest_call")
            .ok_or_else(|| CallError::Load("no `__guest_call`".to_string()))?;
        let sizes = [
            Val::I32(operation.len() as i32),
            Val::I32(payload.len() as i32),
        ];
        let mut result = [Val::I32(0)];
        run(
            &mut store,
            guest_call,
            &sizes,
            &mut result,
            deadline,
            limits,
        )?;
        let state = store.into_data();
        match result[0] {
            Val::I32(1) => Ok(state.response.unwrap_or_default()),
            _ => Err(CallError::Guest(match state.error {
                Some(message) => String::from_utf8_lossy(&message).into_owned(),
                None => "the guest failed without a message".to_string(),
            })),
        }
    }
}

/// Whether the last start function ended by `proc_exit(0)`, which is how a WASI command
/// finishes rather than a failure.
fn store_exited_cleanly<H: Host>(store: &Store<State<'_, H>>) -> bool {
    store.data().exited == Some(0)
}

const WAPC_IMPORTS: [&str; 9] = [
    "__guest_request",
    "__guest_response",
    "__guest_error",
    "__host_call",
    "__host_response_len",
    "__host_response",
    "__host_error_len",
    "__host_error",
    "__console_log",
];

struct State<'h, H> {
    host: &'h mut H,
    operation: Vec<u8>,
    request: Vec<u8>,
    response: Option<Vec<u8>>,
    error: Option<Vec<u8>>,
    host_response: Vec<u8>,
    host_error: Vec<u8>,
    limits: StoreLimits,
    /// The status the guest passed to WASI `proc_exit`.
    exited: Option<i32>,
    /// When the call must end: WASI `poll_oneoff` sleeps no later.
    deadline: Instant,
}

/// Calls `func`, giving it fuel a slice at a time and stopping at `deadline`: wasmi has no
/// epoch interruption, and a fixed fuel budget would not be a time.
fn run<H: Host>(
    store: &mut Store<State<'_, H>>,
    func: Func,
    params: &[Val],
    results: &mut [Val],
    deadline: Instant,
    limits: Limits,
) -> Result<(), CallError> {
    let fuel = |store: &mut Store<State<'_, H>>, required: u64| {
        store
            .set_fuel(FUEL_SLICE.max(required))
            .map_err(|e| CallError::Load(e.to_string()))
    };
    fuel(store, 0)?;
    let mut call = func
        .call_resumable(&mut *store, params, results)
        .map_err(|e| trap(e, limits))?;
    loop {
        match call {
            ResumableCall::Finished => return Ok(()),
            ResumableCall::HostTrap(stopped) => {
                return Err(trap(stopped.into_host_error(), limits));
            }
            ResumableCall::OutOfFuel(stopped) => {
                if Instant::now() >= deadline {
                    return Err(CallError::Trap(format!(
                        "the module ran past the timeout of {:?} (--timeout)",
                        limits.timeout
                    )));
                }
                fuel(store, stopped.required_fuel())?;
                call = stopped
                    .resume(&mut *store, results)
                    .map_err(|e| trap(e, limits))?;
            }
        }
    }
}

fn trap(error: Error, limits: Limits) -> CallError {
    if let Some(status) = error.i32_exit_status() {
        return CallError::Trap(format!("the module exited with status {status}"));
    }
    CallError::Trap(match error.as_trap_code() {
        Some(TrapCode::OutOfFuel) => {
            "the module ran past its time budget while starting up".to_string()
        }
        Some(TrapCode::GrowthOperationLimited) => format!(
            "the module tried to grow its memory beyond the limit of {} MiB (--max-memory)",
            limits.max_memory >> 20
        ),
        Some(code) => format!("the module trapped: {code}"),
        None => format!("the module failed: {error}"),
    })
}

/// The guest's exported memory, which every waPC guest has.
fn memory<H>(caller: &Caller<'_, State<'_, H>>) -> Result<Memory, Error> {
    caller
        .get_export("memory")
        .and_then(Extern::into_memory)
        .ok_or_else(|| Error::new("the module exports no `memory`"))
}

fn read<H>(caller: &Caller<'_, State<'_, H>>, ptr: i32, len: i32) -> Result<Vec<u8>, Error> {
    let mut bytes = vec![0; len as u32 as usize];
    memory(caller)?
        .read(caller, ptr as u32 as usize, &mut bytes)
        .map_err(|_| Error::new("the guest passed memory outside its own"))?;
    Ok(bytes)
}

fn write<H>(caller: &mut Caller<'_, State<'_, H>>, ptr: i32, bytes: &[u8]) -> Result<(), Error> {
    memory(caller)?
        .write(caller, ptr as u32 as usize, bytes)
        .map_err(|_| Error::new("the guest passed memory outside its own"))
}

/// Copies the last host call's reply (or, when `error`, its error) into the guest at `ptr`.
fn give_host_answer<H>(
    caller: &mut Caller<'_, State<'_, H>>,
    ptr: i32,
    error: bool,
) -> Result<(), Error> {
    let state = caller.data();
    let bytes = if error {
        state.host_error.clone()
    } else {
        state.host_response.clone()
    };
    write(caller, ptr, &bytes)
}

fn define_wapc<H: Host>(linker: &mut Linker<State<'_, H>>) -> Result<(), Error> {
    linker.func_wrap(
        "wapc",
        "__guest_request",
        |mut caller: Caller<'_, State<'_, H>>, op_ptr: i32, ptr: i32| {
            let operation = caller.data().operation.clone();
            let request = caller.data().request.clone();
            write(&mut caller, op_ptr, &operation)?;
            write(&mut caller, ptr, &request)
        },
    )?;
    linker.func_wrap(
        "wapc",
        "__guest_response",
        |mut caller: Caller<'_, State<'_, H>>, ptr: i32, len: i32| {
            let bytes = read(&caller, ptr, len)?;
            caller.data_mut().response = Some(bytes);
            Ok(())
        },
    )?;
    linker.func_wrap(
        "wapc",
        "__guest_error",
        |mut caller: Caller<'_, State<'_, H>>, ptr: i32, len: i32| {
            let bytes = read(&caller, ptr, len)?;
            caller.data_mut().error = Some(bytes);
            Ok(())
        },
    )?;
    linker.func_wrap(
        "wapc",
        "__host_call",
        |mut caller: Caller<'_, State<'_, H>>,
         binding_ptr: i32,
         binding_len: i32,
         namespace_ptr: i32,
         namespace_len: i32,
         operation_ptr: i32,
         operation_len: i32,
         ptr: i32,
         len: i32| {
            let text = |caller: &Caller<'_, State<'_, H>>, ptr: i32, len: i32| {
                read(caller, ptr, len).map(|b| String::from_utf8_lossy(&b).into_owned())
            };
            let binding = text(&caller, binding_ptr, binding_len)?;
            let namespace = text(&caller, namespace_ptr, namespace_len)?;
            let operation = text(&caller, operation_ptr, operation_len)?;
            let payload = read(&caller, ptr, len)?;
            let state = caller.data_mut();
            match state.host.call(&binding, &namespace, &operation, &payload) {
                Ok(reply) => {
                    state.host_response = reply;
                    state.host_error.clear();
                    Ok(1)
                }
                Err(message) => {
                    state.host_response.clear();
                    state.host_error = message.into_bytes();
                    Ok(0)
                }
            }
        },
    )?;
    linker.func_wrap(
        "wapc",
        "__host_response_len",
        |caller: Caller<'_, State<'_, H>>| caller.data().host_response.len() as i32,
    )?;
    linker.func_wrap(
        "wapc",
        "__host_response",
        |mut caller: Caller<'_, State<'_, H>>, ptr: i32| give_host_answer(&mut caller, ptr, false),
    )?;
    linker.func_wrap(
        "wapc",
        "__host_error_len",
        |caller: Caller<'_, State<'_, H>>| caller.data().host_error.len() as i32,
    )?;
    linker.func_wrap(
        "wapc",
        "__host_error",
        |mut caller: Caller<'_, State<'_, H>>, ptr: i32| give_host_answer(&mut caller, ptr, true),
    )?;
    linker.func_wrap(
        "wapc",
        "__console_log",
        |caller: Caller<'_, State<'_, H>>, ptr: i32, len: i32| {
            let mut line = read(&caller, ptr, len)?;
            line.push(b'\n');
            // The console is best effort: a closed stderr does not fail the call.
            let _ = std::io::stderr().write_all(&line);
            Ok(())
        },
    )?;
    Ok(())
}

const WASI: &str = "wasi_snapshot_preview1";

/// The WASI functions [`define_wasi`] implements.
const WASI_PROVIDED: [&str; 11] = [
    "poll_oneoff",
    "fd_prestat_get",
    "fd_write",
    "random_get",
    "clock_time_get",
    "args_sizes_get",
    "environ_sizes_get",
    "args_get",
    "environ_get",
    "sched_yield",
    "proc_exit",
];

/// The WASI calls a guest may make: output to stderr (stdout is the call's result), the
/// clocks, sleeping, randomness, no arguments, environment or folders, and `proc_exit`. Any other WASI function
/// the module imports answers ENOSYS.
fn define_wasi<H: Host>(linker: &mut Linker<State<'_, H>>, module: &Module) -> Result<(), Error> {
    linker.func_wrap(
        WASI,
        "fd_write",
        |mut caller: Caller<'_, State<'_, H>>, fd: i32, iovs: i32, count: i32, written: i32| {
            if fd != 1 && fd != 2 {
                return Ok(EBADF);
            }
            let mut total = 0u32;
            let mut text = Vec::new();
            for i in 0..count {
                let iov = read(&caller, iovs.wrapping_add(i.wrapping_mul(8)), 8)?;
                let ptr = i32::from_le_bytes([iov[0], iov[1], iov[2], iov[3]]);
                let len = i32::from_le_bytes([iov[4], iov[5], iov[6], iov[7]]);
                text.extend(read(&caller, ptr, len)?);
                total = total.wrapping_add(len as u32);
            }
            // Best effort, as for the console.
            let _ = std::io::stderr().write_all(&text);
            write(&mut caller, written, &total.to_le_bytes())?;
            Ok(0)
        },
    )?;
    linker.func_wrap(
        WASI,
        "random_get",
        |mut caller: Caller<'_, State<'_, H>>, ptr: i32, len: i32| {
            use std::hash::{BuildHasher, Hasher};
            // Not for cryptography: std's randomly keyed hasher, to avoid a dependency.
            let keyed = std::collections::hash_map::RandomState::new();
            let bytes: Vec<u8> = (0..len as u32 as u64)
                .map(|i| {
                    let mut hasher = keyed.build_hasher();
                    hasher.write_u64(i);
                    hasher.finish() as u8
                })
                .collect();
            write(&mut caller, ptr, &bytes)?;
            Ok(0)
        },
    )?;
    linker.func_wrap(
        WASI,
        "clock_time_get",
        |mut caller: Caller<'_, State<'_, H>>, _clock: i32, _precision: i64, out: i32| {
            write(&mut caller, out, &unix_nanos().to_le_bytes())?;
            Ok(0)
        },
    )?;
    for sizes in ["args_sizes_get", "environ_sizes_get"] {
        linker.func_wrap(
            WASI,
            sizes,
            |mut caller: Caller<'_, State<'_, H>>, count: i32, size: i32| {
                write(&mut caller, count, &0u32.to_le_bytes())?;
                write(&mut caller, size, &0u32.to_le_bytes())?;
                Ok(0)
            },
        )?;
    }
    for list in ["args_get", "environ_get"] {
        linker.func_wrap(WASI, list, |_: Caller<'_, State<'_, H>>, _: i32, _: i32| 0)?;
    }
    linker.func_wrap(WASI, "sched_yield", |_: Caller<'_, State<'_, H>>| 0)?;
    linker.func_wrap(
        WASI,
        "poll_oneoff",
        |caller: Caller<'_, State<'_, H>>,
         subscriptions: i32,
         events: i32,
         count: i32,
         ready: i32| { poll_oneoff(caller, subscriptions, events, count, ready) },
    )?;
    // No preopened folders: EBADF ends the runtime's search for them.
    linker.func_wrap(
        WASI,
        "fd_prestat_get",
        |_: Caller<'_, State<'_, H>>, _: i32, _: i32| EBADF,
    )?;
    linker.func_wrap(
        WASI,
        "proc_exit",
        |mut caller: Caller<'_, State<'_, H>>, status: i32| -> Result<(), Error> {
            caller.data_mut().exited = Some(status);
            Err(Error::i32_exit(status))
        },
    )?;
    for import in module.imports() {
        let ExternType::Func(ty) = import.ty() else {
            continue;
        };
        if import.module() != WASI || WASI_PROVIDED.contains(&import.name()) {
            continue;
        }
        let answers_errno = ty.results() == [ValType::I32];
        linker.func_new(WASI, import.name(), ty.clone(), move |_, _, results| {
            if answers_errno {
                results[0] = Val::I32(ENOSYS);
            }
            Ok(())
        })?;
    }
    Ok(())
}

/// WASI `poll_oneoff`, as the Go runtime uses it to sleep: waits for the earliest clock
/// subscription (no later than the deadline), then reports every subscription ready.
fn poll_oneoff<H: Host>(
    mut caller: Caller<'_, State<'_, H>>,
    subscriptions: i32,
    events: i32,
    count: i32,
    ready: i32,
) -> Result<i32, Error> {
    const SUBSCRIPTION: i32 = 48;
    const EVENT: i32 = 32;
    const CLOCK: u8 = 0;
    const ABSOLUTE: u16 = 1;
    let now = unix_nanos();
    let mut sleep: Option<u64> = None;
    for i in 0..count {
        let at = subscriptions.wrapping_add(i.wrapping_mul(SUBSCRIPTION));
        let subscription = read(&caller, at, SUBSCRIPTION)?;
        let field = |range: std::ops::Range<usize>| {
            let mut bytes = [0; 8];
            bytes[..range.len()].copy_from_slice(&subscription[range]);
            u64::from_le_bytes(bytes)
        };
        let tag = subscription[8];
        let mut event = [0u8; EVENT as usize];
        event[..8].copy_from_slice(&subscription[..8]);
        event[10] = tag;
        if tag == CLOCK {
            let timeout = field(24..32);
            let wait = if field(40..42) as u16 & ABSOLUTE != 0 {
                timeout.saturating_sub(now)
            } else {
                timeout
            };
            sleep = Some(sleep.map_or(wait, |s| s.min(wait)));
        }
        write(
            &mut caller,
            events.wrapping_add(i.wrapping_mul(EVENT)),
            &event,
        )?;
    }
    if let Some(nanos) = sleep {
        let left = caller
            .data()
            .deadline
            .saturating_duration_since(Instant::now());
        std::thread::sleep(Duration::from_nanos(nanos).min(left));
    }
    write(&mut caller, ready, &(count as u32).to_le_bytes())?;
    Ok(0)
}

fn unix_nanos() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}
