//! The greeter module: scaffolded by `wapc generate` (src/lib.rs has `ifNotExists: true`, so
//! it is ours to edit), built on the generated src/generated.rs.

mod generated;

pub use generated::*;

/// Called by the host once the module is loaded: registers the operations it serves.
#[unsafe(no_mangle)]
pub fn wapc_init() {
    Handlers::register_greet(greet);
    Handlers::register_greet_all(greet_all);
}

/// Greets one person.
fn greet(person: Person, tone: Tone) -> HandlerResult<String> {
    let name = match &person.title {
        Some(title) => format!("{title} {}", person.name),
        None => person.name,
    };
    let greeting = match tone {
        Tone::Formal => format!("Good day, {name}."),
        Tone::Casual => format!("Hi {name}!"),
    };
    Host::default().print(greeting.clone())?;
    Ok(greeting)
}

/// Greets everyone at once.
fn greet_all(people: Vec<Person>) -> HandlerResult<Vec<String>> {
    people
        .into_iter()
        .map(|person| greet(person, Tone::Casual))
        .collect()
}
