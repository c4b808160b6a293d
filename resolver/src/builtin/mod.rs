//! Built-in targets as roots: the tables of `ldsim-tables` made into an in-memory root the
//! checker simulates on like any other.

mod root;

pub use root::BuiltinRoot;
