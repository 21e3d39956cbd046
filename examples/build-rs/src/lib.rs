//! A waPC guest module whose generated code comes from `build.rs` rather than a committed
//! file.

// `include!` takes no inner attributes, so the generated file has none (`includable`, which
// the builder sets); its lints are allowed here instead.
#[allow(dead_code, unused_imports, unused_variables, clippy::all)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/generated.rs"));
}

pub use generated::*;

/// Called by the host once the module is loaded: registers the operations it serves.
#[unsafe(no_mangle)]
pub fn wapc_init() {
    Handlers::register_add(add);
}

fn add(name: String, by: u32) -> HandlerResult<Tally> {
    let tally = Tally {
        count: u64::from(by),
        name,
    };
    Host::default().print(format!("{} is {}", tally.name, tally.count))?;
    Ok(tally)
}
