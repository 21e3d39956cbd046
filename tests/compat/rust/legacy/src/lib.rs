//! A guest from the generator before 0.0.7: wapc-guest always on, no `guest` feature.
extern crate wapc_guest as guest;
use guest::prelude::*;

mod generated;
pub use generated::*;

#[no_mangle]
pub fn wapc_init() {
    Handlers::register_greet(greet);
}

fn greet(greeting: Greeting) -> HandlerResult<String> {
    let again: Greeting = deserialize(&serialize(&greeting)?)?;
    Ok(format!("Hello, {} ({})", again.name, again.count))
}
