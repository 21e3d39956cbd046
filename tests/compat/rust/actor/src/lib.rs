//! A guest written against the old generator's API: `keyvalue::default()` and
//! `keyvalue::host(..)`, struct updates with `..Default::default()`, `Vec<u8>` bodies, a
//! helper that deserializes a temporary buffer, `serialize` of a value and of a reference.
mod generated;
pub use generated::*;

#[cfg(feature = "guest")]
extern crate wapc_guest as guest;
#[cfg(feature = "guest")]
use guest::prelude::*;

#[cfg(feature = "guest")]
#[no_mangle]
pub fn wapc_init() {
    Handlers::register_handle_request(handle_request);
    Handlers::register_echo_bytes(echo_bytes);
    Handlers::register_healthy(healthy);
    Handlers::register_reset(reset);
}

#[cfg(feature = "guest")]
fn handle_request(request: Request) -> HandlerResult<Response> {
    let cached = keyvalue::default().get(request.path.clone())?;
    if cached.exists {
        return Ok(Response {
            status_code: 200,
            body: cached.value,
            ..Default::default()
        });
    }
    let body: Vec<u8> = request.body.clone();
    keyvalue::host("cache").set(keyvalue::SetRequest {
        key: request.path,
        value: body.clone(),
        expires: 60,
        ..Default::default()
    })?;
    let removed: Option<Vec<u8>> = keyvalue::default().del("stale".to_string(), true)?;
    Ok(Response {
        status_code: 201,
        status: format!("{} stale bytes", removed.map_or(0, |r| r.len())),
        body,
        ..Default::default()
    })
}

#[cfg(feature = "guest")]
fn echo_bytes(data: Vec<u8>, times: u32) -> HandlerResult<Vec<u8>> {
    Ok(data.repeat(times as usize))
}

#[cfg(feature = "guest")]
fn healthy() -> HandlerResult<bool> {
    Ok(keyvalue::default().keys()?.len() < 1000)
}

#[cfg(feature = "guest")]
fn reset() -> HandlerResult<()> {
    Ok(())
}

/// Calls the host by hand and decodes the answer from a temporary buffer.
#[cfg(feature = "guest")]
pub fn raw_get(key: &str) -> HandlerResult<keyvalue::GetResponse> {
    let payload = serialize(key)?;
    let response = deserialize(&host_call("default", "wasmcloud:keyvalue", "get", &payload)?)?;
    Ok(response)
}

/// Native code too encodes with the generated functions, by value and by reference.
pub fn encode_pair(request: Request, response: &Response) -> (Vec<u8>, Vec<u8>) {
    let request = serialize(request).expect("a request encodes");
    let response = serialize(response).expect("a response encodes");
    (request, response)
}
