//! Helpers for the toolchain tests and the property tests.

pub mod old_shapes;
pub mod printer;
pub mod random_schema;
pub mod rust_api;
pub mod toolchain;
