//! What to change so that a problem goes away: one line per finding (`problems[].fix`),
//! specific to the cause where the cause is recognisable (a Go program built with cgo, glibc's
//! fortified or C23 names on musl, the libpthread merge of glibc 2.34, DT_RELR, a newer
//! libstdc++), general otherwise, absent where nothing better than the reason can be said.

use ldsim_loader::arch::Arch;
use ldsim_loader::ElfObject;
use ldsim_loader::Release;
use ldsim_tables::catalog::{CxxRuntime, Layout, LibcSpec};
use ldsim_tables::floor::Floor;
use ldsim_tables::Target;

use crate::report::{Finding, Flavor, Problem, Report};

/// How the target installs packages, for the commands a fix names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PackageTool {
    Apt,
    Apk,
    Dnf,
}

impl PackageTool {
    /// The tool of a built-in target's distribution.
    pub(crate) fn of_layout(layout: Layout) -> Option<PackageTool> {
        match layout {
            Layout::Multiarch | Layout::MultiarchSplitUsr => Some(PackageTool::Apt),
            Layout::Alpine => Some(PackageTool::Apk),
            Layout::Lib64 => Some(PackageTool::Dnf),
            Layout::Upstream => None,
        }
    }
}

/// What the fixes are chosen from: facts of the file checked and of the target.
#[derive(Debug)]
pub(crate) struct Context<'a> {
    /// The file checked.
    pub object: &'a ElfObject,
    pub arch: Option<Arch>,
    /// The flavour of the target's own loader for the file's architecture (`None`: the
    /// target has no loader for it).
    pub target_loader: Option<Flavor>,
    /// The target has no loader for the file's architecture but has one for another.
    pub foreign: bool,
    pub tool: Option<PackageTool>,
    /// The file's version floor, for naming the targets that need no change.
    pub floor: Option<&'a Floor>,
    /// The target CPU's x86-64 level (`--cpu`).
    pub cpu_level: Option<u8>,
    /// A Go program's build information.
    pub go: Option<&'a ldsim_loader::go::GoBuildInfo>,
}

/// Set `fix` on every finding of `report` that has one.
pub(crate) fn annotate(report: &mut Report, cx: &Context<'_>) {
    let target_glibc = report.loader.version.clone();
    let facts = Facts::of(cx.object, cx.go);
    for finding in report.problems.iter_mut().chain(&mut report.host_problems) {
        finding.fix = fix_for(finding, cx, &facts, target_glibc.as_deref());
    }
}

/// What the file's imports say about how it was built.
#[derive(Debug, Default)]
struct Facts {
    /// Built by the Go linker.
    go: bool,
    /// A Go program whose C imports are only those of the runtime's cgo glue and of the
    /// `net` and `os/user` packages' cgo code: `-tags netgo,osusergo` removes every one.
    go_cgo_only_net_user: bool,
    /// Its build tags, from its build information.
    go_tags: Vec<String>,
    /// `go1.19.8`, from its build information.
    go_version: Option<String>,
}

impl Facts {
    fn of(obj: &ElfObject, go: Option<&ldsim_loader::go::GoBuildInfo>) -> Facts {
        if !obj.go_build_id {
            return Facts::default();
        }
        let tags = go.map(|g| g.tags()).unwrap_or_default();
        let version = go.map(|g| g.version.clone());
        let only_net_user = obj
            .symbols
            .iter()
            .filter(|s| s.is_undefined() && !s.name.is_empty())
            .all(|s| {
                [GO_RUNTIME_CGO, GO_NET_CGO, GO_USER_CGO]
                    .iter()
                    .any(|names| names.iter().any(|n| n.as_bytes() == &*s.name))
            });
        Facts {
            go: true,
            go_cgo_only_net_user: only_net_user,
            go_tags: tags.into_iter().map(str::to_owned).collect(),
            go_version: version,
        }
    }
}

/// C functions the Go runtime's cgo glue (runtime/cgo: gcc_*.c, linux_syscall.c for the
/// set*id calls) imports on Linux, fortified or not.
const GO_RUNTIME_CGO: &[&str] = &[
    "__errno_location",
    "__fprintf_chk",
    "__vfprintf_chk",
    "setegid",
    "seteuid",
    "setgid",
    "setgroups",
    "setregid",
    "setresgid",
    "setresuid",
    "setreuid",
    "setuid",
    "__libc_start_main",
    "__stack_chk_fail",
    "abort",
    "calloc",
    "free",
    "fprintf",
    "fputc",
    "fwrite",
    "getenv",
    "malloc",
    "mmap",
    "munmap",
    "nanosleep",
    "pthread_attr_destroy",
    "pthread_attr_getstacksize",
    "pthread_attr_init",
    "pthread_attr_setstacksize",
    "pthread_cond_broadcast",
    "pthread_cond_wait",
    "pthread_create",
    "pthread_detach",
    "pthread_getattr_np",
    "pthread_key_create",
    "pthread_mutex_lock",
    "pthread_mutex_unlock",
    "pthread_self",
    "pthread_setspecific",
    "pthread_sigmask",
    "realloc",
    "setenv",
    "sigaction",
    "sigaddset",
    "sigemptyset",
    "sigfillset",
    "sigismember",
    "stderr",
    "strerror",
    "unsetenv",
    "vfprintf",
    "_ITM_deregisterTMCloneTable",
    "_ITM_registerTMCloneTable",
    "__cxa_finalize",
    "__gmon_start__",
];

/// C functions the `net` package's cgo resolver imports.
const GO_NET_CGO: &[&str] = &[
    "freeaddrinfo",
    "gai_strerror",
    "getaddrinfo",
    "getnameinfo",
    "res_search",
    "res_nsearch",
    "res_ninit",
    "res_nclose",
    "__res_search",
    "__res_nsearch",
    "__res_ninit",
    "__res_nclose",
];

/// C functions the `os/user` package's cgo code imports.
const GO_USER_CGO: &[&str] = &[
    "getgrgid_r",
    "getgrnam_r",
    "getgrouplist",
    "getpwnam_r",
    "getpwuid_r",
    "sysconf",
];

/// The Go build that needs no C library, said for a Go program's libc problems; the tags it
/// was built with are kept in the command.
fn go_fix(facts: &Facts) -> String {
    let built = facts
        .go_version
        .as_deref()
        .map(|v| format!("a Go program ({v}) built with cgo"))
        .unwrap_or_else(|| "a Go program built with cgo".to_owned());
    if facts.go_cgo_only_net_user {
        let mut tags: Vec<&str> = facts.go_tags.iter().map(String::as_str).collect();
        for needed in ["netgo", "osusergo"] {
            if !tags.contains(&needed) {
                tags.push(needed);
            }
        }
        format!(
            "{built} whose only C code is the net and os/user packages': build with -tags {} \
             (or CGO_ENABLED=0) for a static Go binary that needs no C library",
            tags.join(",")
        )
    } else {
        format!(
            "{built}: CGO_ENABLED=0 builds a static binary that needs no C library (if the \
             program's own C code can go); otherwise build it on the oldest target"
        )
    }
}

fn fix_for(
    finding: &Finding,
    cx: &Context<'_>,
    facts: &Facts,
    target_glibc: Option<&str>,
) -> Option<String> {
    match &finding.problem {
        Problem::MissingInterpreter { interpreter, .. } => {
            Some(missing_interpreter(interpreter, cx, facts))
        }
        Problem::WrongClass {
            expected, found, ..
        }
        | Problem::WrongMachine {
            expected, found, ..
        } => Some(format!(
            "build it for {expected} (it is built for {found}), or install the {expected} build of it"
        )),
        Problem::NotLoadable { found, .. } if found.contains("relocatable") => Some(
            "a relocatable object (.o) is linked into a program or shared library first, never run"
                .to_owned(),
        ),
        Problem::NotLoadable { .. } => None,
        Problem::MissingLibrary {
            library, packages, ..
        } => Some(missing_library(library, packages, cx.tool)),
        Problem::BadLibrary { path, .. } => Some(format!(
            "{path} is damaged or not a shared library: reinstall the package that owns it"
        )),
        Problem::MissingVersion {
            library,
            version,
            symbols,
            ..
        } => Some(missing_version(
            library,
            version,
            symbols,
            cx,
            facts,
            target_glibc,
        )),
        Problem::IsaLevel { .. } => Some(
            "built for a newer x86-64 level than the target CPU has: rebuild with a lower \
             -march (e.g. -march=x86-64-v2), or GOAMD64=v1 for Go"
                .to_owned(),
        ),
        Problem::UndefinedSymbol {
            symbol, version, ..
        } => undefined_symbol(symbol, version.as_deref(), cx, facts),
        Problem::GoCpuLevel { .. } => Some(format!(
            "build with GOAMD64={} (or lower): the level of the oldest CPU it must run on",
            cx.cpu_level.map_or("v1".to_owned(), |l| format!("v{}", l.max(1)))
        )),
        Problem::MissingDlopenDependency { library, .. } => Some(format!(
            "the program starts, and the feature that loads it fails: install {library} if the feature is used"
        )),
    }
}

fn is_glibc_interpreter(interp: &str) -> bool {
    let base = interp.rsplit('/').next().unwrap_or(interp);
    base.starts_with("ld-linux") || base.starts_with("ld64.so") || base == "ld.so.1"
}

fn missing_interpreter(interp: &str, cx: &Context<'_>, facts: &Facts) -> String {
    let musl_file = interp.contains("ld-musl");
    match (musl_file, cx.target_loader) {
        (false, Some(Flavor::Musl)) if is_glibc_interpreter(interp) => {
            if facts.go {
                return go_fix(facts);
            }
            let gcompat = if cx.tool == Some(PackageTool::Apk) {
                "; `apk add gcompat` runs simple glibc programs"
            } else {
                ""
            };
            format!(
                "the target's C library is musl and the file is built for glibc: build it \
                 against musl (musl-gcc, or in an Alpine container) or link it statically{gcompat}"
            )
        }
        (true, Some(Flavor::Glibc)) => {
            let install = if cx.tool == Some(PackageTool::Apt) {
                format!("; `apt-get install musl` provides {interp}")
            } else {
                String::new()
            };
            format!(
                "the file is built for musl and the target's C library is glibc: build it \
                 against glibc, or link it statically (a static musl program runs anywhere){install}"
            )
        }
        (_, Some(_)) => {
            // The target has a loader for this architecture, just not this one: another
            // class or ABI of the same machine, or an unusual interpreter path.
            let arch = cx
                .arch
                .map(|a| a.info().name)
                .unwrap_or("this architecture");
            format!(
                "the target has no {interp}: build the file for the target's own C library \
                 (at its usual path), or link it statically ({arch})"
            )
        }
        (_, None) if facts.go => go_fix(facts),
        (_, None) if !cx.foreign => "the target has no C library at all: link the program \
                                     statically, or use an image that has one"
            .to_owned(),
        (_, None) => {
            let multiarch = cx.arch.map(|a| a.info().multiarch);
            match (cx.tool, multiarch.and_then(debian_arch)) {
                (Some(PackageTool::Apt), Some(debian)) if !musl_file => format!(
                    "the target has no C library for this file's architecture: add it (`dpkg \
                     --add-architecture {debian} && apt-get update && apt-get install libc6:{debian}`), \
                     build the file for the target's architecture, or link it statically"
                ),
                _ => "the target has no C library for this file's architecture: build the file \
                      for the target's architecture, or link it statically"
                    .to_owned(),
            }
        }
    }
}

/// Debian's architecture name for a multiarch triplet.
fn debian_arch(multiarch: &str) -> Option<&'static str> {
    Some(match multiarch {
        "x86_64-linux-gnu" => "amd64",
        "i386-linux-gnu" => "i386",
        "aarch64-linux-gnu" => "arm64",
        "arm-linux-gnueabihf" => "armhf",
        "arm-linux-gnueabi" => "armel",
        "powerpc64le-linux-gnu" => "ppc64el",
        "s390x-linux-gnu" => "s390x",
        "riscv64-linux-gnu" => "riscv64",
        "mips64el-linux-gnuabi64" => "mips64el",
        "loongarch64-linux-gnu" => "loong64",
        _ => return None,
    })
}

fn missing_library(library: &str, packages: &[String], tool: Option<PackageTool>) -> String {
    match packages {
        [one] => format!("install it: apt-get install {one}"),
        [_, ..] => format!(
            "install one of: {} (apt-get install PACKAGE)",
            packages.join(", ")
        ),
        [] => {
            let install = match tool {
                Some(PackageTool::Apt) => " (apt-get install the package that ships it)",
                Some(PackageTool::Apk) => " (apk add the package that ships it)",
                Some(PackageTool::Dnf) => " (dnf install the package that ships it)",
                None => "",
            };
            format!(
                "install {library} on the target{install}, or ship it with the program: beside \
                 the binary, found through -Wl,-rpath,'$ORIGIN' (or '$ORIGIN/../lib')"
            )
        }
    }
}

/// Symbols that carry GLIBC_2.34 only because libpthread, libdl, librt and libutil moved
/// into libc in that release (every program built on glibc ≥ 2.34 has
/// `__libc_start_main@GLIBC_2.34`).
fn from_libc_merge(symbol: &str) -> bool {
    symbol == "__libc_start_main"
        || symbol.starts_with("pthread_")
        || symbol.starts_with("dl")
        || symbol.starts_with("sem_")
        || symbol.starts_with("shm_")
        || symbol.starts_with("mq_")
        || symbol.starts_with("timer_")
        || symbol.starts_with("aio_")
        || matches!(
            symbol,
            "__pthread_key_create" | "thrd_create" | "forkpty" | "openpty" | "login_tty"
        )
}

fn missing_version(
    library: &str,
    version: &str,
    symbols: &[String],
    cx: &Context<'_>,
    facts: &Facts,
    target_glibc: Option<&str>,
) -> String {
    let unchanged = cx
        .floor
        .and_then(oldest_targets_meeting)
        .map(|names| format!("; needs no change for {names}"))
        .unwrap_or_default();
    let build_older = |why: &str| match target_glibc {
        Some(v) => format!(
            "{why}build on glibc {v} or older (a container of the oldest system you support), \
             or against a sysroot pinned to it (zig cc -target {}.{v}){unchanged}",
            zig_triple(cx.arch)
        ),
        None => format!(
            "{why}build on the oldest system you support, or against a sysroot pinned to its \
             glibc{unchanged}"
        ),
    };
    if version == "GLIBC_ABI_DT_RELR" {
        return format!(
            "linked with -z pack-relative-relocs (DT_RELR), which needs glibc 2.36 or newer \
             at run time: relink with -Wl,-z,nopack-relative-relocs{unchanged}"
        );
    }
    if version == "GLIBC_PRIVATE" {
        return format!(
            "GLIBC_PRIVATE ties an object to the glibc it was built with: use the {library} \
             built for the target's glibc"
        );
    }
    if let Some(_release) = version.strip_prefix("GLIBC_") {
        if facts.go {
            return go_fix(facts);
        }
        if !symbols.is_empty() && symbols.iter().all(|s| s.starts_with("__isoc23_")) {
            return format!(
                "the __isoc23_ names come from the C23 headers of glibc 2.38 and newer \
                 (strtol, sscanf …): compile with -std=gnu17, or {}",
                build_older("")
            );
        }
        if version == "GLIBC_2.34"
            && !symbols.is_empty()
            && symbols.iter().all(|s| from_libc_merge(s))
        {
            return build_older(
                "every program built on glibc 2.34 or newer needs GLIBC_2.34 for these \
                 (libpthread, libdl and librt moved into libc): ",
            );
        }
        return build_older("");
    }
    if version.starts_with("GLIBCXX_") || version.starts_with("CXXABI_") {
        let gcc = cx
            .floor
            .and_then(|f| f.gcc.as_deref())
            .map(|g| format!(" (it needs the libstdc++ of GCC {g})"))
            .unwrap_or_default();
        return format!(
            "the target's libstdc++ is older than the one linked against{gcc}: link it \
             statically (-static-libstdc++), build with the target's GCC or older, or install a \
             newer libstdc++ on the target{unchanged}"
        );
    }
    if version.starts_with("GCC_") {
        return format!(
            "the target's libgcc_s is older than the one linked against: link it statically \
             (-static-libgcc) or build with the target's GCC or older{unchanged}"
        );
    }
    format!(
        "the target's {library} is older than the one linked against: install a newer one, \
         or build against the target's version"
    )
}

/// zig's target triple for an architecture (`zig cc -target x86_64-linux-gnu.2.31`).
fn zig_triple(arch: Option<Arch>) -> String {
    let name = arch
        .map(|a| a.info().multiarch)
        .unwrap_or("x86_64-linux-gnu");
    match name {
        "i386-linux-gnu" => "x86-linux-gnu".to_owned(),
        "arm-linux-gnueabihf" => "arm-linux-gnueabihf".to_owned(),
        "powerpc64le-linux-gnu" => "powerpc64le-linux-gnu".to_owned(),
        other => other.to_owned(),
    }
}

fn undefined_symbol(
    symbol: &str,
    version: Option<&str>,
    cx: &Context<'_>,
    facts: &Facts,
) -> Option<String> {
    let musl = cx.target_loader == Some(Flavor::Musl);
    let gcompat = if cx.tool == Some(PackageTool::Apk) {
        ", or `apk add gcompat`"
    } else {
        ""
    };
    if musl && facts.go {
        return Some(go_fix(facts));
    }
    if musl && symbol.starts_with("__") && symbol.ends_with("_chk") {
        return Some(format!(
            "built with _FORTIFY_SOURCE against glibc, and musl has no __*_chk functions: \
             build it against musl (musl-gcc, or in an Alpine container){gcompat}"
        ));
    }
    if symbol.starts_with("__isoc23_") {
        return Some(
            "the __isoc23_ names come from the C23 headers of glibc 2.38 and newer (strtol, \
             sscanf …): compile with -std=gnu17, or build against an older glibc"
                .to_owned(),
        );
    }
    if musl && (version.is_some_and(|v| v.starts_with("GLIBC_")) || GLIBC_ONLY.contains(&symbol)) {
        return Some(format!(
            "built against glibc, and the target's C library is musl: build it against musl \
             (musl-gcc, or in an Alpine container){gcompat}"
        ));
    }
    None
}

/// glibc functions musl does not have that glibc-built programs commonly import.
const GLIBC_ONLY: &[&str] = &[
    "__libc_start_main",
    "__register_atfork",
    "gnu_get_libc_version",
    "__cxa_thread_atexit_impl",
    "__libc_single_threaded",
    "secure_getenv",
    "__xstat",
    "__fxstat",
    "__lxstat",
];

/// A built-in distribution target with glibc: its family (`debian`), glibc release, the GCC
/// release of its C++ runtime (when it has one) and name.
struct GlibcTarget {
    family: String,
    glibc: Release,
    gcc: Option<Release>,
    name: String,
}

/// The built-in distribution targets with glibc, in catalog order, made once.
fn glibc_targets() -> &'static [GlibcTarget] {
    static TARGETS: std::sync::OnceLock<Vec<GlibcTarget>> = std::sync::OnceLock::new();
    TARGETS.get_or_init(|| {
        Target::all()
            .into_iter()
            .filter_map(|target| {
                let LibcSpec::Glibc(glibc) = target.libc else {
                    return None;
                };
                let family = target.name.split('-').next().unwrap_or_default().to_owned();
                if family == "glibc" || family == "distroless" {
                    return None;
                }
                let gcc = match target.cxx {
                    CxxRuntime::Installed(gcc) | CxxRuntime::Installable(gcc, _) => Some(gcc),
                    CxxRuntime::Unknown | CxxRuntime::Absent => None,
                };
                Some(GlibcTarget {
                    family,
                    glibc,
                    gcc,
                    name: target.name,
                })
            })
            .collect()
    })
}

/// The oldest built-in target of each distribution whose glibc and libstdc++ meet `floor`,
/// `debian-12+, ubuntu-22.04+, rhel-10+`; `None` when the floor asks for no glibc release.
fn oldest_targets_meeting(floor: &Floor) -> Option<String> {
    let glibc = parse_release(floor.glibc.as_deref()?)?;
    let gcc = floor.gcc.as_deref().and_then(parse_release);
    let mut oldest: Vec<&GlibcTarget> = Vec::new();
    for target in glibc_targets() {
        if target.glibc < glibc || gcc.is_some_and(|g| target.gcc.is_none_or(|t| t < g)) {
            continue;
        }
        match oldest.iter_mut().find(|t| t.family == target.family) {
            Some(slot) if target.glibc < slot.glibc => *slot = target,
            Some(_) => {}
            None => oldest.push(target),
        }
    }
    (!oldest.is_empty()).then(|| {
        oldest
            .iter()
            .map(|t| format!("{}+", t.name))
            .collect::<Vec<_>>()
            .join(", ")
    })
}

/// A floor's release ("2.34", a GCC series "12"), major and minor only.
fn parse_release(text: &str) -> Option<Release> {
    let number = |n: u32| u8::try_from(n).ok();
    match ldsim_tables::floor::release_numbers(text)[..] {
        [major] => Some(Release::new(number(major)?, 0, 0)),
        [major, minor, ..] => Some(Release::new(number(major)?, number(minor)?, 0)),
        [] => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Finding, When};
    use ldsim_loader::{Name, Symbol};
    use ldsim_tables::objects::executable;

    /// A program of `arch` that imports `imports`, built by Go when `go`.
    fn program(go: bool, imports: &[&str]) -> ElfObject {
        let mut obj = executable(Arch::X86_64);
        obj.go_build_id = go;
        obj.symbols = std::iter::once("")
            .chain(imports.iter().copied())
            .map(|name| Symbol {
                name: Name::from(name),
                binding: 1,
                kind: 2,
                visibility: 0,
                other: 0,
                shndx: 0,
                value: 0,
                size: 0,
                versym: None,
            })
            .collect();
        obj
    }

    fn fix(
        problem: Problem,
        obj: &ElfObject,
        target_loader: Option<Flavor>,
        tool: Option<PackageTool>,
        floor: Option<&Floor>,
    ) -> Option<String> {
        let cx = Context {
            object: obj,
            arch: Some(Arch::X86_64),
            target_loader,
            foreign: true,
            tool,
            floor,
            cpu_level: Some(1),
            go: None,
        };
        fix_for(
            &Finding::new(problem),
            &cx,
            &Facts::of(obj, None),
            Some("2.31"),
        )
    }

    fn interpreter(path: &str) -> Problem {
        Problem::MissingInterpreter {
            interpreter: path.into(),
            message: String::new(),
            reason: String::new(),
        }
    }

    fn version(library: &str, version: &str, symbols: &[&str]) -> Problem {
        Problem::MissingVersion {
            library: library.into(),
            version: version.into(),
            provider: Some(format!("/lib/{library}")),
            required_by: "/app".into(),
            symbols: symbols.iter().map(|s| s.to_string()).collect(),
            weak: false,
            message: String::new(),
            reason: String::new(),
        }
    }

    fn undefined(symbol: &str, version: Option<&str>) -> Problem {
        Problem::UndefinedSymbol {
            symbol: symbol.into(),
            version: version.map(str::to_owned),
            required_by: "/app".into(),
            when: When::Startup,
            message: String::new(),
            reason: String::new(),
        }
    }

    fn says(fix: Option<String>, words: &[&str]) {
        let fix = fix.expect("a fix");
        for word in words {
            assert!(fix.contains(word), "{fix:?} lacks {word:?}");
        }
    }

    const GLIBC_INTERP: &str = "/lib64/ld-linux-x86-64.so.2";

    #[test]
    fn glibc_program_on_a_musl_target() {
        let c = program(false, &["puts"]);
        let musl = Some(Flavor::Musl);
        says(
            fix(interpreter(GLIBC_INTERP), &c, musl, None, None),
            &["build it against musl", "statically"],
        );
        says(
            fix(
                interpreter(GLIBC_INTERP),
                &c,
                musl,
                Some(PackageTool::Apk),
                None,
            ),
            &["apk add gcompat"],
        );
        says(
            fix(undefined("__printf_chk", None), &c, musl, None, None),
            &["_FORTIFY_SOURCE", "musl has no __*_chk"],
        );
        says(
            fix(
                undefined("gnu_get_libc_version", None),
                &c,
                musl,
                None,
                None,
            ),
            &["built against glibc"],
        );
        // The same names on a glibc target are no cause ldsim knows.
        assert_eq!(
            fix(
                undefined("__printf_chk", None),
                &c,
                Some(Flavor::Glibc),
                None,
                None
            ),
            None
        );
    }

    #[test]
    fn go_programs_are_told_the_go_build() {
        let net_only = program(
            true,
            &["pthread_create", "malloc", "getaddrinfo", "getpwuid_r"],
        );
        says(
            fix(
                interpreter(GLIBC_INTERP),
                &net_only,
                Some(Flavor::Musl),
                None,
                None,
            ),
            &["-tags netgo,osusergo"],
        );
        let own_c = program(true, &["pthread_create", "sqlite3_open"]);
        let fix_text = fix(
            interpreter(GLIBC_INTERP),
            &own_c,
            Some(Flavor::Musl),
            None,
            None,
        );
        says(fix_text.clone(), &["CGO_ENABLED=0"]);
        assert!(!fix_text.unwrap().contains("netgo"));
        says(
            fix(
                version("libc.so.6", "GLIBC_2.34", &["__libc_start_main"]),
                &net_only,
                Some(Flavor::Glibc),
                None,
                None,
            ),
            &["netgo"],
        );
    }

    #[test]
    fn musl_program_and_foreign_architecture() {
        let c = program(false, &[]);
        says(
            fix(
                interpreter("/lib/ld-musl-x86_64.so.1"),
                &c,
                Some(Flavor::Glibc),
                Some(PackageTool::Apt),
                None,
            ),
            &["apt-get install musl"],
        );
        says(
            fix(
                interpreter("/lib/ld-linux.so.2"),
                &c,
                None,
                Some(PackageTool::Apt),
                None,
            ),
            &["dpkg --add-architecture amd64"],
        );
        // A root with no loader for any architecture (distroless static) has no C library.
        let cx = Context {
            object: &c,
            arch: Some(Arch::X86_64),
            target_loader: None,
            foreign: false,
            tool: Some(PackageTool::Apt),
            floor: None,
            cpu_level: None,
            go: None,
        };
        says(
            missing_interpreter(GLIBC_INTERP, &cx, &Facts::default()).into(),
            &["no C library at all", "statically"],
        );
    }

    #[test]
    fn missing_libraries_name_the_package_or_origin() {
        let c = program(false, &[]);
        let missing = |packages: &[&str]| Problem::MissingLibrary {
            library: "libpng16.so.16".into(),
            needed_by: "/app".into(),
            tried: Vec::new(),
            message: String::new(),
            reason: String::new(),
            packages: packages.iter().map(|p| p.to_string()).collect(),
        };
        says(
            fix(missing(&["libpng16-16t64"]), &c, None, None, None),
            &["apt-get install libpng16-16t64"],
        );
        says(
            fix(missing(&["a", "b"]), &c, None, None, None),
            &["install one of: a, b"],
        );
        says(
            fix(missing(&[]), &c, None, Some(PackageTool::Apk), None),
            &["apk add", "$ORIGIN"],
        );
    }

    #[test]
    fn version_fixes_follow_the_cause() {
        let c = program(false, &[]);
        let glibc = Some(Flavor::Glibc);
        let floor = Floor {
            glibc: Some("2.34".into()),
            gcc: Some("12".into()),
            ..Floor::default()
        };
        says(
            fix(
                version("libc.so.6", "GLIBC_ABI_DT_RELR", &[]),
                &c,
                glibc,
                None,
                None,
            ),
            &["-Wl,-z,nopack-relative-relocs"],
        );
        says(
            fix(
                version("libc.so.6", "GLIBC_2.38", &["__isoc23_strtol"]),
                &c,
                glibc,
                None,
                None,
            ),
            &["-std=gnu17"],
        );
        says(
            fix(
                version(
                    "libc.so.6",
                    "GLIBC_2.34",
                    &["__libc_start_main", "pthread_create"],
                ),
                &c,
                glibc,
                None,
                Some(&floor),
            ),
            &[
                "libpthread, libdl and librt moved into libc",
                "glibc 2.31 or older",
                "zig cc -target x86_64-linux-gnu.2.31",
                "debian-12+",
                "ubuntu-22.04+",
            ],
        );
        let generic = fix(
            version("libc.so.6", "GLIBC_2.33", &["stat"]),
            &c,
            glibc,
            None,
            None,
        )
        .unwrap();
        assert!(!generic.contains("moved into libc"), "{generic}");
        says(
            fix(
                version("libstdc++.so.6", "GLIBCXX_3.4.30", &["x"]),
                &c,
                glibc,
                None,
                Some(&floor),
            ),
            &["-static-libstdc++", "GCC 12"],
        );
        says(
            fix(
                version("libgcc_s.so.1", "GCC_12.0.0", &[]),
                &c,
                glibc,
                None,
                None,
            ),
            &["-static-libgcc"],
        );
        says(
            fix(
                version("libssl.so.3", "OPENSSL_3.0.9", &["x"]),
                &c,
                glibc,
                None,
                None,
            ),
            &["the target's libssl.so.3 is older"],
        );
    }

    #[test]
    fn the_oldest_targets_meeting_a_floor() {
        let floor = |glibc: &str| Floor {
            glibc: Some(glibc.into()),
            ..Floor::default()
        };
        let names = oldest_targets_meeting(&floor("2.34")).unwrap();
        assert!(names.contains("debian-12+"), "{names}");
        assert!(names.contains("ubuntu-22.04+"), "{names}");
        assert!(!names.contains("debian-11"), "{names}");
        let names = oldest_targets_meeting(&floor("2.17")).unwrap();
        assert!(names.contains("rhel-7+"), "{names}");
        assert_eq!(oldest_targets_meeting(&Floor::default()), None);
    }
}
