//! The target languages: each module holds one language's spelling, types and helpers.

pub mod assemblyscript;
pub mod go;
pub mod rust;
