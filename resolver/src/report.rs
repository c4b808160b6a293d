//! What a check found: the data every renderer (human, JSON) prints. Problems in the target
//! are data here, never errors.

use serde::Serialize;

/// The outcome for one checked file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Loads and starts.
    Ok,
    /// Fails at start-up.
    Fails,
    /// Starts, but an unresolved lazily bound symbol aborts it when first called.
    FailsOnCall,
}

/// Which dynamic loader runs the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Flavor {
    Glibc,
    Musl,
    /// No PT_INTERP: the kernel runs it directly.
    Static,
}

/// The loader section of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoaderInfo {
    pub flavor: Flavor,
    /// PT_INTERP as written in the file.
    pub interpreter: Option<String>,
    /// The interpreter exists in the target.
    pub found: bool,
    /// Where PT_INTERP resolved to inside the target (symlinks followed).
    pub path: Option<String>,
    /// glibc release of the target loader, e.g. "2.36".
    pub version: Option<String>,
    /// Alpine's gcompat stub runs musl with libgcompat preloaded.
    pub gcompat: bool,
}

/// How a needed object was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    Rpath,
    LdLibraryPath,
    Runpath,
    #[serde(rename = "ld.so.cache")]
    LdSoCache,
    Default,
    Preload,
    /// The name contains '/', opened as written.
    Direct,
    /// musl's ld-musl-$ARCH.path or its built-in default path.
    MuslPath,
    /// Already loaded: matched by soname (glibc) or by short name (musl).
    Loaded,
    /// A name musl reserves for itself (libc, libm, …) or the interpreter itself.
    Interpreter,
    /// A built-in target's tables do not describe this library: assumed present, not checked.
    Unknown,
}

/// One object in load order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoadedObject {
    /// The DT_NEEDED (or LD_PRELOAD) string that brought it in.
    pub needed: String,
    /// The path it was opened as, inside the target.
    pub path: String,
    pub via: Via,
    /// The path of the object whose DT_NEEDED named it (None for preloads).
    pub needed_by: Option<String>,
}

/// Why a search candidate was passed over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "outcome")]
pub enum CandidateOutcome {
    /// open() failed: errno text, e.g. "No such file or directory".
    Missing { error: String },
    /// glibc soft reject: wrong ELF class.
    WrongClass { class: String },
    /// glibc soft reject: wrong machine / ABI.
    WrongMachine { machine: String },
    /// Rejected cache entry (flags or hwcaps level).
    Skipped { reason: String },
    /// Used.
    Found,
    /// A hard error that stops everything (invalid ELF header, file too short, …).
    Fatal { error: String },
}

/// One step of a library search, as LD_DEBUG=libs shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SearchStep {
    pub via: Via,
    /// Directory searched, or the candidate path tried.
    pub path: String,
    #[serde(flatten)]
    pub outcome: CandidateOutcome,
}

/// When an undefined symbol stops the program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum When {
    Startup,
    FirstCall,
}

/// A problem the loader would hit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Problem {
    MissingInterpreter {
        interpreter: String,
        message: String,
        reason: String,
    },
    WrongClass {
        object: String,
        expected: String,
        found: String,
        message: String,
        reason: String,
    },
    WrongMachine {
        object: String,
        expected: String,
        found: String,
        message: String,
        reason: String,
    },
    MissingLibrary {
        library: String,
        needed_by: String,
        /// Every path tried, in order, with why it was passed over.
        tried: Vec<SearchStep>,
        message: String,
        reason: String,
    },
    /// A library file that cannot be loaded at all (invalid ELF header, too short, …).
    BadLibrary {
        library: String,
        path: String,
        needed_by: String,
        message: String,
        reason: String,
    },
    MissingVersion {
        library: String,
        version: String,
        /// Path of the object that provides the library (the one lacking the version).
        provider: Option<String>,
        required_by: String,
        /// Symbols of the requiring object bound to this version.
        symbols: Vec<String>,
        weak: bool,
        message: String,
        reason: String,
    },
    /// x86: an object needs a higher ISA level than the target CPU has (glibc ≥ 2.33,
    /// sysdeps/x86/dl-prop.h: dl_isa_level_check).
    IsaLevel {
        object: String,
        message: String,
        reason: String,
    },
    UndefinedSymbol {
        symbol: String,
        version: Option<String>,
        required_by: String,
        when: When,
        message: String,
        reason: String,
    },
}

impl Problem {
    /// The exact line the real loader (or shell) prints.
    pub fn message(&self) -> &str {
        match self {
            Problem::MissingInterpreter { message, .. }
            | Problem::WrongClass { message, .. }
            | Problem::WrongMachine { message, .. }
            | Problem::MissingLibrary { message, .. }
            | Problem::BadLibrary { message, .. }
            | Problem::MissingVersion { message, .. }
            | Problem::IsaLevel { message, .. }
            | Problem::UndefinedSymbol { message, .. } => message,
        }
    }
    /// One line: why.
    pub fn reason(&self) -> &str {
        match self {
            Problem::MissingInterpreter { reason, .. }
            | Problem::WrongClass { reason, .. }
            | Problem::WrongMachine { reason, .. }
            | Problem::MissingLibrary { reason, .. }
            | Problem::BadLibrary { reason, .. }
            | Problem::MissingVersion { reason, .. }
            | Problem::IsaLevel { reason, .. }
            | Problem::UndefinedSymbol { reason, .. } => reason,
        }
    }
    /// Does this problem stop the program before main?
    pub fn is_fatal(&self) -> bool {
        match self {
            Problem::MissingVersion { weak, .. } => !weak,
            Problem::UndefinedSymbol { when, .. } => *when == When::Startup,
            _ => true,
        }
    }
}

/// The full result for one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The file as the user named it.
    pub file: String,
    pub verdict: Verdict,
    pub loader: LoaderInfo,
    /// Objects in load (breadth-first) order, the main file excluded.
    pub objects: Vec<LoadedObject>,
    pub problems: Vec<Problem>,
    /// The first fatal problem's text with the exit status the real run would give.
    pub exit_status: Option<i32>,
    /// Every search step, in order (shown with -v, like LD_DEBUG=libs).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub search: Vec<SearchStep>,
    /// Non-fatal loader messages (LD_PRELOAD failures, "no version information available").
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// The built-in target checked against (`--target`); absent for a root on disk.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Libraries a built-in target's tables do not describe: assumed present, not checked.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unknown_libraries: Vec<UnknownLibrary>,
    /// Symbols no described object defines, left unchecked because an object whose exports
    /// are not in the tables (an unknown library, libstdc++, libgcc_s) may define them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unverified_symbols: Vec<String>,
    /// The minimum releases the file needs (set for built-in targets; the CLI prints it once
    /// per file, not per target).
    #[serde(skip)]
    pub floor: Option<crate::floor::Floor>,
}

/// A library outside what a built-in target's tables describe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnknownLibrary {
    pub library: String,
    /// The object whose DT_NEEDED named it.
    pub needed_by: String,
    /// What to do to know for sure.
    pub hint: String,
}
