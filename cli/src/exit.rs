//! The exit statuses of `ldsim`; only `main` decides which one a run gets.

/// Every file loads (verdict ok).
pub const OK: u8 = 0;
/// At least one file fails to load, at start-up or at a first call.
pub const FAILS: u8 = 1;
/// A usage error, or an input that could not be analysed at all (bad sysroot or overlay,
/// unreadable or non-ELF FILE). Wins over [`FAILS`].
pub const USAGE: u8 = 2;
