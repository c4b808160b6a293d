//! How the loader words an error: as the fatal start-up message of a run (glibc elf/dl-catch.c:
//! fatal_error, `ARGV0: OCCASION: OBJNAME: ERRSTRING`) or as `dlerror()` returns it
//! (glibc dlfcn/dlerror.c: `OBJNAME: ERRSTRING`). musl words both alike.

use crate::graph::lossy;

/// The words of one simulation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Voice<'a> {
    /// argv[0] of the run: how the main object is named.
    pub argv0: &'a [u8],
    /// `dlerror()` wording instead of a run's fatal message.
    pub dlerror: bool,
}

impl Voice<'_> {
    /// A library that could not be mapped: `OBJNAME: MSG`.
    pub fn load_error(&self, objname: &[u8], msg: &str) -> String {
        if self.dlerror {
            format!("{}: {msg}", lossy(objname))
        } else {
            format!(
                "{}: error while loading shared libraries: {}: {msg}",
                lossy(self.argv0),
                lossy(objname)
            )
        }
    }

    /// A missing version, reported against the object lacking it (elf/rtld.c:
    /// print_missing_version; dlerror gives the same without argv[0]).
    pub fn version_error(&self, provider: &str, version: &str, required_by: &str) -> String {
        let core = format!("{provider}: version `{version}' not found (required by {required_by})");
        if self.dlerror {
            core
        } else {
            format!("{}: {core}", lossy(self.argv0))
        }
    }

    /// An undefined symbol of `referrer` (elf/dl-lookup.c: _dl_lookup_symbol_x).
    pub fn symbol_error(&self, referrer: &str, symbol: &str, version: Option<&str>) -> String {
        let version = version
            .map(|v| format!(", version {v}"))
            .unwrap_or_default();
        let core = format!("{referrer}: undefined symbol: {symbol}{version}");
        if self.dlerror {
            core
        } else {
            format!("{}: symbol lookup error: {core}", lossy(self.argv0))
        }
    }
}
