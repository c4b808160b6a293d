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
    /// glibc's ld.so.
    Glibc,
    /// musl's ldso (also behind Alpine's gcompat stub).
    Musl,
    /// No PT_INTERP: the kernel runs it directly.
    Static,
}

/// The loader section of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoaderInfo {
    /// Which loader runs the file.
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
    /// DT_RPATH (of the requesting object or, glibc, its loaders).
    Rpath,
    /// LD_LIBRARY_PATH.
    LdLibraryPath,
    /// DT_RUNPATH.
    Runpath,
    /// glibc's /etc/ld.so.cache.
    #[serde(rename = "ld.so.cache")]
    LdSoCache,
    /// The loader's default (system) directories.
    Default,
    /// LD_PRELOAD or /etc/ld.so.preload.
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
    /// How it was found.
    pub via: Via,
    /// The path of the object whose DT_NEEDED named it (None for preloads).
    pub needed_by: Option<String>,
    /// The installed package that owns it, from the root's package database (dpkg, apk);
    /// absent when the root has none or no package lists the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
}

/// Why a search candidate was passed over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "outcome")]
pub enum CandidateOutcome {
    /// open() failed.
    Missing {
        /// The errno text, e.g. "No such file or directory".
        error: String,
    },
    /// glibc soft reject: wrong ELF class.
    WrongClass {
        /// The candidate's class (`ELFCLASS32`).
        class: String,
    },
    /// glibc soft reject: wrong machine / ABI.
    WrongMachine {
        /// The candidate's machine.
        machine: String,
    },
    /// Rejected cache entry (flags or hwcaps level).
    Skipped {
        /// Why it was passed over.
        reason: String,
    },
    /// Used.
    Found,
    /// A hard error that stops everything (invalid ELF header, file too short, …).
    Fatal {
        /// The loader's words for it.
        error: String,
    },
}

/// One step of a library search, as LD_DEBUG=libs shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SearchStep {
    /// Which list of the search it belongs to.
    pub via: Via,
    /// Directory searched, or the candidate path tried.
    pub path: String,
    /// What became of it.
    #[serde(flatten)]
    pub outcome: CandidateOutcome,
}

/// When an undefined symbol stops the program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum When {
    /// Bound at start-up (or by dlopen's RTLD_NOW): the run stops before main.
    Startup,
    /// Bound lazily through the PLT: the program dies when it first calls it.
    FirstCall,
}

/// A problem the loader would hit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Problem {
    /// The ELF interpreter (PT_INTERP) is not in the target: execve fails with ENOENT and the
    /// shell says `not found`.
    MissingInterpreter {
        /// PT_INTERP as written.
        interpreter: String,
        /// What the real run prints.
        message: String,
        /// Why, in ldsim's words.
        reason: String,
    },
    /// An object of the other ELF class (32 vs 64 bit) than the process.
    WrongClass {
        /// The object's path.
        object: String,
        /// The class the process needs.
        expected: String,
        /// The object's class.
        found: String,
        /// What the real run prints.
        message: String,
        /// Why, in ldsim's words.
        reason: String,
    },
    /// An object of another machine (architecture or ABI) than the process.
    WrongMachine {
        /// The object's path.
        object: String,
        /// The machine the process needs.
        expected: String,
        /// The object's machine.
        found: String,
        /// What the real run prints.
        message: String,
        /// Why, in ldsim's words.
        reason: String,
    },
    /// Not a program or shared object at all (a relocatable `.o`, a core dump): the kernel
    /// refuses to run it (ENOEXEC) and no loader maps it.
    NotLoadable {
        /// The file's path.
        object: String,
        /// `relocatable object`, `core dump`, `ELF type N`.
        found: String,
        /// What the real run prints.
        message: String,
        /// Why, in ldsim's words.
        reason: String,
    },
    /// A needed library no search finds.
    MissingLibrary {
        /// The DT_NEEDED (or preload) string.
        library: String,
        /// The object that needs it.
        needed_by: String,
        /// Every path tried, in order, with why it was passed over.
        tried: Vec<SearchStep>,
        /// What the real run prints.
        message: String,
        /// Why, in ldsim's words.
        reason: String,
        /// The packages of the root's Debian or Ubuntu release that ship a library of this
        /// name (`apt-get install` one of them); empty when none does or the release has no
        /// table.
        #[serde(skip_serializing_if = "Vec::is_empty", default)]
        packages: Vec<String>,
    },
    /// A library file that cannot be loaded at all (invalid ELF header, too short, …).
    BadLibrary {
        /// The DT_NEEDED string.
        library: String,
        /// The file found for it.
        path: String,
        /// The object that needs it.
        needed_by: String,
        /// What the real run prints.
        message: String,
        /// Why, in ldsim's words.
        reason: String,
    },
    /// A needed symbol version (Verneed) the providing library does not define.
    MissingVersion {
        /// The library's name as the requiring object names it (vn_file).
        library: String,
        /// The version, e.g. `GLIBC_2.34`.
        version: String,
        /// Path of the object that provides the library (the one lacking the version).
        provider: Option<String>,
        /// The object that requires it.
        required_by: String,
        /// Symbols of the requiring object bound to this version.
        symbols: Vec<String>,
        /// A weak Verneed: glibc only warns.
        weak: bool,
        /// What the real run prints.
        message: String,
        /// Why, in ldsim's words.
        reason: String,
    },
    /// x86: an object needs a higher ISA level than the target CPU has (glibc ≥ 2.33,
    /// sysdeps/x86/dl-prop.h: dl_isa_level_check).
    IsaLevel {
        /// The object's path.
        object: String,
        /// What the real run prints.
        message: String,
        /// Why, in ldsim's words.
        reason: String,
    },
    /// A referenced symbol no object of the scope defines (at the version asked for).
    UndefinedSymbol {
        /// The symbol's name.
        symbol: String,
        /// The version asked for, if any.
        version: Option<String>,
        /// The object that references it.
        required_by: String,
        /// When the real run hits it.
        when: When,
        /// What the real run prints.
        message: String,
        /// Why, in ldsim's words.
        reason: String,
    },
    /// A Go program built for a higher x86-64 level (`GOAMD64=vN`) than the target CPU has:
    /// the Go runtime checks at start-up, prints `message` and exits with status 1
    /// (runtime/asm_amd64.s: bad_cpu).
    GoCpuLevel {
        /// The program's path.
        object: String,
        /// The level the program needs (N of `GOAMD64=vN`).
        required: u8,
        /// What the real run prints.
        message: String,
        /// Why, in ldsim's words.
        reason: String,
    },
    /// A `required` `.note.dlopen` dependency that no alternative satisfies: the program
    /// starts, and fails when it calls dlopen.
    MissingDlopenDependency {
        /// The alternatives, `a | b`.
        library: String,
        /// The object that declares it.
        required_by: String,
        /// The feature the note names, if any.
        feature: Option<String>,
        /// What dlerror() would say.
        message: String,
        /// Why, in ldsim's words.
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
            | Problem::NotLoadable { message, .. }
            | Problem::MissingLibrary { message, .. }
            | Problem::BadLibrary { message, .. }
            | Problem::MissingVersion { message, .. }
            | Problem::IsaLevel { message, .. }
            | Problem::UndefinedSymbol { message, .. }
            | Problem::GoCpuLevel { message, .. }
            | Problem::MissingDlopenDependency { message, .. } => message,
        }
    }
    /// One line: why.
    pub fn reason(&self) -> &str {
        match self {
            Problem::MissingInterpreter { reason, .. }
            | Problem::WrongClass { reason, .. }
            | Problem::WrongMachine { reason, .. }
            | Problem::NotLoadable { reason, .. }
            | Problem::MissingLibrary { reason, .. }
            | Problem::BadLibrary { reason, .. }
            | Problem::MissingVersion { reason, .. }
            | Problem::IsaLevel { reason, .. }
            | Problem::UndefinedSymbol { reason, .. }
            | Problem::GoCpuLevel { reason, .. }
            | Problem::MissingDlopenDependency { reason, .. } => reason,
        }
    }
    /// Does this problem stop the program before main?
    pub fn is_fatal(&self) -> bool {
        match self {
            Problem::MissingVersion { weak, .. } => !weak,
            Problem::UndefinedSymbol { when, .. } => *when == When::Startup,
            Problem::MissingDlopenDependency { .. } => false,
            _ => true,
        }
    }
}

/// A problem as reported: the list-mode problem set keeps every one, in the loader's order;
/// `first` marks the one the real run (or the dlopen call) stops at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// What the loader meets (its fields are flattened into the finding).
    #[serde(flatten)]
    pub problem: Problem,
    /// The real run (or dlopen) stops at this problem; at most one per list.
    pub first: bool,
    /// What to change so that the problem goes away, specific to its cause where ldsim
    /// recognises it (a Go program built with cgo, fortified glibc names on musl, a glibc
    /// or libstdc++ newer than the target's …); absent when nothing better than the reason
    /// can be said.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// Position in the real run's order (glibc relocates in another order than list mode
    /// lists): which problem comes first when several are fatal.
    #[serde(skip)]
    pub(crate) rank: u64,
}

impl Finding {
    /// A problem in list order whose real-run position is its list position.
    pub fn new(problem: Problem) -> Self {
        Finding {
            problem,
            first: false,
            fix: None,
            rank: 0,
        }
    }

    pub(crate) fn ranked(problem: Problem, rank: u64) -> Self {
        Finding {
            problem,
            first: false,
            fix: None,
            rank,
        }
    }
}

impl From<Problem> for Finding {
    fn from(problem: Problem) -> Self {
        Finding::new(problem)
    }
}

impl std::ops::Deref for Finding {
    type Target = Problem;
    fn deref(&self) -> &Problem {
        &self.problem
    }
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// How the file was simulated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// A program started by its interpreter: the verdict is that of a real run.
    Run,
    /// No loader is involved (static or static-pie): the kernel runs it.
    Static,
    /// A shared object checked on its own, as the target's loader lists it (`ldd -r`), in list
    /// mode's words; the verdict is whether `dlopen(FILE, RTLD_NOW)` from a program needing
    /// nothing else would succeed.
    List,
    /// A shared object loaded by a host program (`--loaded-by`): the verdict is whether the
    /// host's `dlopen(FILE, RTLD_NOW)` succeeds; `message` is what `dlerror()` returns.
    Dlopen,
}

/// The program that loads a plugin (`--loaded-by`, or recognised automatically).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoadedBy {
    /// The host program's path inside the target.
    pub program: String,
    /// Chosen by ldsim (a recognised plugin whose host the target has), not by `--loaded-by`.
    pub automatic: bool,
    /// The object whose `dlopen` call is simulated (the caller: its RPATH is searched).
    pub caller: String,
}

/// A plugin of a well-known host program, recognised from its exports or its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PluginInfo {
    /// `cpython`, `node`, `jni`, …
    pub host: String,
    /// What gave it away, e.g. "exports PyInit_foo".
    pub evidence: String,
    /// Symbols no loaded object defines that the host program is expected to provide (when
    /// the host itself is not simulated): neither missing nor checked.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub expected_from_host: Vec<String>,
}

/// A `.note.dlopen` dependency, simulated as a dlopen call from the declaring object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DlopenDependency {
    /// The object that declares it.
    pub declared_by: String,
    /// Alternatives: the first that loads satisfies it.
    pub sonames: Vec<String>,
    /// The feature the note names, if any.
    pub feature: Option<String>,
    /// `required`, `recommended` or `suggested`.
    pub priority: String,
    /// Where the first loadable alternative was found; absent when none loads.
    pub found: Option<String>,
    /// What dlopen would say for the last alternative tried, when none loads.
    pub error: Option<String>,
}

/// How a static program's glibc compares with the target's, by the tunables each knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReleaseMatch {
    /// The same tunables: the same release, as far as they tell.
    Same,
    /// The target's glibc knows tunables the program's lacks, and none the other way.
    TargetNewer,
    /// The program's glibc knows tunables the target's lacks, and none the other way.
    TargetOlder,
    /// Each knows tunables the other lacks.
    Different,
    /// The target has no glibc for the program's architecture.
    NoGlibc,
    /// Not compared: a built-in target, or an ld.so that lists no tunables.
    Unknown,
}

/// What a statically linked glibc program loads from the target at run time: NSS service
/// modules named by `/etc/nsswitch.conf`, libidn2 for IDN host names, gconv modules for
/// charset conversion. They bind to the target's libc.so.6 and ld.so, which must be the
/// release the program was linked with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaticGlibcInfo {
    /// How the program's glibc compares with the target's.
    pub release_match: ReleaseMatch,
    /// The target's glibc release (`2.36`), when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_glibc: Option<String>,
    /// Tunables only the program's glibc knows (evidence for the match).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tunables_only_in_program: Vec<String>,
    /// Tunables only the target's glibc knows.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tunables_only_in_target: Vec<String>,
    /// The NSS machinery is linked in: name lookups (getpwnam, getaddrinfo …) ask the
    /// services `/etc/nsswitch.conf` names.
    pub nss: bool,
    /// Services built into the program (`files`, `dns` since glibc 2.34): never loaded.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub built_in_services: Vec<String>,
    /// Where the configuration came from: `/etc/nsswitch.conf`, or glibc's defaults when
    /// the target has none; a file glibc rejects is named in `nss_config_rejected`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nss_config: Option<String>,
    /// The line that makes glibc reject the file (then every lookup fails).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nss_config_rejected: Option<String>,
    /// Each service module the configuration would load, dlopened as the program's copy of
    /// the loader would (not simulated, neither `found` nor `error`, when the target has no
    /// glibc; not listed for a built-in target).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub modules: Vec<RuntimeModule>,
    /// The compiled-in gconv module directory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gconv_dir: Option<String>,
    /// Whether the target has it (absent: not looked at, as for a built-in target).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gconv_dir_present: Option<bool>,
    /// A lookup can go wrong on this target: the modules come from another glibc release,
    /// or a service every lookup needs cannot be loaded.
    pub at_risk: bool,
    /// What to change when `at_risk`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

/// One module a static glibc program dlopens at run time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuntimeModule {
    /// `libnss_systemd.so.2`, `libidn2.so.0`.
    pub module: String,
    /// What uses it: the NSS databases whose lines name the service, or `idn`.
    pub used_for: Vec<String>,
    /// Where it loads from; absent when it does not load.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub found: Option<String>,
    /// What dlopen would say when it does not load (the service is then skipped); absent
    /// with `found` when not simulated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The full result for one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The file as the user named it.
    pub file: String,
    /// Whether it loads and starts.
    pub verdict: Verdict,
    /// How it was simulated: a program run, a shared object on its own, or loaded by a host.
    pub mode: Mode,
    /// The loader that runs it.
    pub loader: LoaderInfo,
    /// Objects in load (breadth-first) order, the main file excluded.
    pub objects: Vec<LoadedObject>,
    /// Every problem the target's loader reports in list mode, in its order; the one the
    /// real run stops at is marked `first`.
    pub problems: Vec<Finding>,
    /// Problems not listed because one object had more than
    /// `MAX_PROBLEMS_PER_OBJECT` (resolver/src/graph.rs; a hostile file cannot make millions).
    #[serde(skip_serializing_if = "is_zero")]
    pub omitted_problems: usize,
    /// The exit status the real run would give (runs only; a dlopen has none).
    pub exit_status: Option<i32>,
    /// The host program that loads this plugin (mode `dlopen`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loaded_by: Option<LoadedBy>,
    /// Problems of the host program's own start-up (mode `dlopen`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub host_problems: Vec<Finding>,
    /// Recognised as a plugin of a well-known host program.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plugin: Option<PluginInfo>,
    /// `.note.dlopen` dependencies of the loaded objects, simulated.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dlopen_dependencies: Vec<DlopenDependency>,
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
    /// A Go program's embedded build information.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub go: Option<GoInfo>,
    /// A static glibc program: the code it loads from the target at run time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub static_glibc: Option<StaticGlibcInfo>,
    /// Symbols no described object defines, left unchecked because an object whose exports
    /// are not in the tables (an unknown library, libstdc++, libgcc_s) may define them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unverified_symbols: Vec<String>,
}

/// What a Go program says of its own build (`go version -m`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GoInfo {
    /// `go1.19.8`.
    pub version: String,
    /// The main package's import path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// `CGO_ENABLED` as built (absent when not recorded).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cgo_enabled: Option<bool>,
    /// `-tags`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// `-ldflags`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ldflags: Option<String>,
    /// `GOAMD64` (`v1` … `v4`), amd64 only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goamd64: Option<String>,
    /// Every `build` setting, in order, as `KEY=VALUE`.
    pub settings: Vec<String>,
}

impl GoInfo {
    pub(crate) fn of(info: &ldsim_loader::go::GoBuildInfo) -> GoInfo {
        GoInfo {
            version: info.version.clone(),
            path: info.path.clone(),
            cgo_enabled: info.setting("CGO_ENABLED").map(|v| v == "1"),
            tags: info.tags().into_iter().map(str::to_owned).collect(),
            ldflags: info.setting("-ldflags").map(str::to_owned),
            goamd64: info.setting("GOAMD64").map(str::to_owned),
            settings: info
                .settings
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect(),
        }
    }
}

/// A library outside what a built-in target's tables describe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnknownLibrary {
    /// The DT_NEEDED string.
    pub library: String,
    /// The object whose DT_NEEDED named it.
    pub needed_by: String,
    /// What to do to know for sure.
    pub hint: String,
    /// The packages of the target's release that ship a library of this name.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub packages: Vec<String>,
}

impl Problem {
    /// Which stage of start-up (or of dlopen) meets it: the earlier stage stops first.
    fn stage(&self) -> u8 {
        match self {
            Problem::MissingInterpreter { .. }
            | Problem::WrongClass { .. }
            | Problem::WrongMachine { .. }
            | Problem::NotLoadable { .. } => 0,
            Problem::MissingLibrary { .. } | Problem::BadLibrary { .. } => 1,
            Problem::MissingVersion { .. } => 2,
            Problem::IsaLevel { .. } => 3,
            Problem::UndefinedSymbol { .. } => 4,
            // The Go runtime's own check, once the loader has handed over.
            Problem::GoCpuLevel { .. } => 5,
            Problem::MissingDlopenDependency { .. } => 6,
        }
    }
}

/// The problem a real run meets first among those that stop it before `main` (loading, the
/// version check, the ISA check, start-up relocation, in that order; glibc elf/rtld.c:
/// dl_main), or, failing that, the first lazily bound symbol.
fn first_of(list: &[Finding]) -> Option<usize> {
    let by_order = |(i, f): &(usize, &Finding)| (f.stage(), f.rank, *i);
    list.iter()
        .enumerate()
        .filter(|(_, f)| f.is_fatal())
        .min_by_key(by_order)
        .or_else(|| {
            list.iter()
                .enumerate()
                .filter(|(_, f)| {
                    matches!(
                        f.problem,
                        Problem::UndefinedSymbol {
                            when: When::FirstCall,
                            ..
                        } | Problem::MissingDlopenDependency { .. }
                    )
                })
                .min_by_key(by_order)
        })
        .map(|(i, _)| i)
}

/// The exit status of a run that stops at `problem`.
fn exit_status_of(problem: &Problem, flavor: Flavor) -> i32 {
    match (problem, flavor) {
        (
            Problem::WrongClass { .. } | Problem::WrongMachine { .. } | Problem::NotLoadable { .. },
            _,
        ) => 126,
        (Problem::MissingInterpreter { message, .. }, _)
            if message.ends_with("corrupted shared library") =>
        {
            126
        }
        (Problem::MissingInterpreter { .. }, _) => 127,
        (Problem::GoCpuLevel { .. }, _) => 1,
        (_, Flavor::Musl) => 127,
        // An ld.so assertion (a Verneed on a file that is not loaded) aborts with 127.
        (Problem::MissingVersion { provider: None, .. }, _) => 127,
        // Missing versions end with _exit(1) (elf/rtld.c: version_check_doit).
        (Problem::MissingVersion { .. }, _) => 1,
        _ => 127,
    }
}

impl Report {
    /// The problem the real run (or the dlopen call, or the host's start-up) stops at.
    pub fn first_problem(&self) -> Option<&Problem> {
        self.first_finding().map(|f| &f.problem)
    }

    /// [`Report::first_problem`] as found, with its fix.
    pub fn first_finding(&self) -> Option<&Finding> {
        self.host_problems
            .iter()
            .chain(&self.problems)
            .find(|f| f.first)
    }

    /// After every phase: mark the problem the real run (or the dlopen call) stops at and
    /// derive the verdict and exit status from it. A host program that cannot start never
    /// calls dlopen: its own first problem decides.
    pub(crate) fn conclude(&mut self) {
        for finding in self.problems.iter_mut().chain(&mut self.host_problems) {
            finding.first = false;
        }
        let host_flavor = self.loader.flavor;
        if let Some(i) = first_of(&self.host_problems).filter(|&i| self.host_problems[i].is_fatal())
        {
            self.host_problems[i].first = true;
            self.verdict = Verdict::Fails;
            self.exit_status = Some(exit_status_of(&self.host_problems[i], host_flavor));
            return;
        }
        let Some(i) = first_of(&self.problems) else {
            self.verdict = Verdict::Ok;
            self.exit_status = None;
            return;
        };
        self.problems[i].first = true;
        let fatal = self.problems[i].is_fatal();
        self.verdict = if fatal {
            Verdict::Fails
        } else {
            Verdict::FailsOnCall
        };
        self.exit_status = match self.mode {
            Mode::Run | Mode::Static if fatal => {
                Some(exit_status_of(&self.problems[i], self.loader.flavor))
            }
            _ => None,
        };
    }
}
