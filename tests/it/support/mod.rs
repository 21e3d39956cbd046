//! Helpers for the toolchain tests and the property tests.

pub mod printer;
pub mod random_schema;
pub mod toolchain;
