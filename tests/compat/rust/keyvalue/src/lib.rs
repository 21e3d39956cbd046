//! An interface crate as the old generator's users wrote it: the generated module, re-exported.
mod generated;
pub use generated::*;
