//! How the loader words an error: as the fatal start-up message of a run (glibc elf/dl-catch.c:
//! fatal_error, `ARGV0: OCCASION: OBJNAME: ERRSTRING`), as list mode prints it (elf/rtld.c:
//! the trace branch of dl_main, print_unresolved, print_missing_version), or as `dlerror()`
//! returns it (glibc dlfcn/dlerror.c: `OBJNAME: ERRSTRING`). musl words all three alike.

use crate::graph::lossy;

/// Which wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// A program's run: fatal messages with argv[0] and the occasion.
    Run,
    /// List mode (`ldd -r`): `NAME => not found`, `undefined symbol: X\t(OBJ)`; versions and
    /// fatal errors as in a run.
    List,
    /// What `dlerror()` returns.
    Dlerror,
}

/// The words of one simulation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Voice<'a> {
    /// argv[0] of the run: how the main object is named.
    pub argv0: &'a [u8],
    pub style: Style,
    /// Nobody reads the words (`--quiet`): the undefined symbols of a cross-release audit,
    /// tens of thousands, are listed without their version, referrer, message and reason,
    /// and missing versions without their symbols, message and reason.
    pub terse: bool,
}

impl Voice<'_> {
    /// A library that could not be mapped: `OBJNAME: MSG`. `not_found`: the search found
    /// nothing (list mode lists it and goes on).
    pub fn load_error(&self, name: &[u8], objname: &[u8], msg: &str, not_found: bool) -> String {
        match self.style {
            Style::List if not_found => format!("{} => not found", lossy(name)),
            Style::Dlerror => format!("{}: {msg}", lossy(objname)),
            Style::Run | Style::List => format!(
                "{}: error while loading shared libraries: {}: {msg}",
                lossy(self.argv0),
                lossy(objname)
            ),
        }
    }

    /// A missing version, reported against the object lacking it (elf/rtld.c:
    /// print_missing_version; dlerror gives the same without argv[0]).
    pub fn version_error(&self, provider: &str, version: &str, required_by: &str) -> String {
        let core = format!("{provider}: version `{version}' not found (required by {required_by})");
        match self.style {
            Style::Dlerror => core,
            Style::Run | Style::List => format!("{}: {core}", lossy(self.argv0)),
        }
    }

    /// An undefined symbol of `referrer` (elf/dl-lookup.c: _dl_lookup_symbol_x).
    pub fn symbol_error(&self, referrer: &str, symbol: &str, version: Option<&str>) -> String {
        let version = version
            .map(|v| format!(", version {v}"))
            .unwrap_or_default();
        match self.style {
            Style::Dlerror => format!("{referrer}: undefined symbol: {symbol}{version}"),
            Style::List => format!("undefined symbol: {symbol}{version}\t({referrer})"),
            Style::Run => format!(
                "{}: symbol lookup error: {referrer}: undefined symbol: {symbol}{version}",
                lossy(self.argv0)
            ),
        }
    }
}
