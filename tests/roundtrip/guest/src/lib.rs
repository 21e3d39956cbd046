//! A waPC guest built on the generated `rust/module` code: it echoes values back, calls the
//! host, and fails on request, so the host side can check every type crossing the boundary.

mod generated;

use std::sync::atomic::{AtomicU64, Ordering};

use generated::*;

static CALLS: AtomicU64 = AtomicU64::new(0);

#[unsafe(no_mangle)]
pub fn wapc_init() {
    Handlers::register_echo(Ok);
    Handlers::register_echo_string(Ok);
    Handlers::register_echo_bytes(Ok);
    Handlers::register_echo_shape(Ok);
    Handlers::register_echo_color(Ok);
    Handlers::register_echo_optional(Ok);
    Handlers::register_echo_map(Ok);
    Handlers::register_describe(describe);
    Handlers::register_ping(ping);
    Handlers::register_count(count);
    Handlers::register_fail(|message| Err(message.into()));
    Handlers::register_relay(relay);
}

fn describe(name: String, count: u32, point: Option<Point>, tags: Tags) -> HandlerResult<String> {
    let point = point.map_or("none".to_string(), |p| format!("({}, {})", p.x, p.y));
    Ok(format!("{name} x{count} at {point} [{}]", tags.join(", ")))
}

fn ping() -> HandlerResult<()> {
    CALLS.fetch_add(1, Ordering::SeqCst);
    Ok(())
}

fn count() -> HandlerResult<u64> {
    Ok(CALLS.load(Ordering::SeqCst))
}

fn relay(level: u8, message: String) -> HandlerResult<String> {
    let answer = Host::default().log(level, message)?;
    Ok(format!("host said: {answer}"))
}
