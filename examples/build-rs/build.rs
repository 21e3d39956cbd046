//! Generates the module's types and handler registration from schema.widl into
//! `$OUT_DIR/generated.rs`; cargo runs this again when schema.widl or types.widl changes.

fn main() {
    let generated = wapc_codegen::Builder::new("schema.widl")
        .template("rust/module")
        .config("hostRoles", ["Console"])
        .build();
    if let Err(errors) = generated {
        // As `wapc generate` shows them, rather than as a `Debug` dump.
        eprintln!("{errors}");
        std::process::exit(1);
    }
}
