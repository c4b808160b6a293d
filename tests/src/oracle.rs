//! The oracle: run the real loader of a fixture root and turn what it prints into an
//! [`Observed`] value the differential test compares with ldsim's report.
//!
//! Programs are started in the root with chroot(2) done in-process (between fork and exec) in
//! a private mount namespace with a fresh /proc mounted in the root. A chroot(1) helper would
//! itself be a dynamic host program and see LD_TRACE_LOADED_OBJECTS, LD_PRELOAD … meant for
//! the target; and without /proc the target's loader cannot expand `$ORIGIN` for the main
//! program (glibc elf/dl-origin.c: _dl_get_origin reads /proc/self/exe).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long a fixture program may run.
const TIMEOUT: Duration = Duration::from_secs(20);

/// One real run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RealRun {
    /// Exit status (128 + signal when killed, like a shell).
    pub exit: i32,
    pub stdout: String,
    pub stderr: String,
    /// The program printed "started": it reached main.
    pub started: bool,
    /// execve itself failed with this errno (ENOENT: the interpreter is missing, §9).
    pub exec_errno: Option<i32>,
}

/// Runs `cmd` (an absolute path inside `root`) in `root` with exactly `env` (plus PATH).
pub fn run_in_root(root: &Path, argv: &[&str], env: &BTreeMap<String, String>) -> RealRun {
    let Some((program, args)) = argv.split_first() else {
        return RealRun::default();
    };
    let mut cmd = Command::new(program);
    cmd.args(args)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .envs(env)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    enter_root(&mut cmd, root);
    let mut child = match cmd.spawn() {
        Ok(child) => child,
        Err(err) => {
            return RealRun {
                exit: 127,
                stderr: format!("exec {program}: {err}"),
                exec_errno: err.raw_os_error(),
                ..RealRun::default()
            }
        }
    };
    // Drain both pipes on threads so a chatty program cannot block on a full pipe.
    let mut out_pipe = child.stdout.take();
    let mut err_pipe = child.stderr.take();
    let out_thread = std::thread::spawn(move || read_all(out_pipe.as_mut()));
    let err_thread = std::thread::spawn(move || read_all(err_pipe.as_mut()));
    let deadline = Instant::now() + TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            _ => {
                let _ = child.kill();
                break child.wait().ok();
            }
        }
    };
    let stdout = out_thread.join().unwrap_or_default();
    let stderr = err_thread.join().unwrap_or_default();
    let exit = status
        .map(|s| s.code().unwrap_or_else(|| 128 + s.signal().unwrap_or(0)))
        .unwrap_or(-1);
    RealRun {
        exit,
        started: stdout.lines().next() == Some("started"),
        stdout,
        stderr,
        exec_errno: None,
    }
}

fn read_all<R: Read>(pipe: Option<&mut R>) -> String {
    let mut buf = Vec::new();
    if let Some(pipe) = pipe {
        let _ = pipe.read_to_end(&mut buf);
    }
    String::from_utf8_lossy(&buf).into_owned()
}

/// Makes `cmd` run chrooted into `root`, with a private /proc mounted there.
fn enter_root(cmd: &mut Command, root: &Path) {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c_root = CString::new(root.as_os_str().as_bytes()).unwrap_or_default();
    let c_proc = CString::new(root.join("proc").as_os_str().as_bytes()).unwrap_or_default();
    // SAFETY: only async-signal-safe syscalls on data prepared before fork.
    #[allow(unsafe_code)] // the only way to chroot a child without a helper program
    unsafe {
        cmd.pre_exec(move || {
            let none = c"none".as_ptr();
            let proc_fs = c"proc".as_ptr();
            // A private mount namespace, so the /proc mount vanishes with the child.
            if libc::unshare(libc::CLONE_NEWNS) == 0 {
                libc::mount(
                    none,
                    c"/".as_ptr(),
                    std::ptr::null(),
                    libc::MS_REC | libc::MS_PRIVATE,
                    std::ptr::null(),
                );
                libc::mount(proc_fs, c_proc.as_ptr(), proc_fs, 0, std::ptr::null());
            }
            if libc::chroot(c_root.as_ptr()) != 0 || libc::chdir(c"/".as_ptr()) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// `chroot ROOT PROGRAM` with the case's environment (plus LD_BIND_NOW=1 when `bind_now`).
pub fn run_program(
    root: &Path,
    program: &str,
    env: &BTreeMap<String, String>,
    bind_now: bool,
) -> RealRun {
    run_program_qemu(root, None, program, env, bind_now)
}

/// Runs a program of another architecture in `root` through the qemu-user binary `qemu`
/// (a path inside the root), which maps the program and its PT_INTERP the way the kernel
/// would; LD_BIND_NOW=1 is added when `bind_now`. No binfmt handler is involved. Without
/// `qemu` the host kernel runs the program itself (i386 on an x86_64 kernel).
pub fn run_program_qemu(
    root: &Path,
    qemu: Option<&str>,
    program: &str,
    env: &BTreeMap<String, String>,
    bind_now: bool,
) -> RealRun {
    let mut env = env.clone();
    if bind_now {
        env.insert("LD_BIND_NOW".into(), "1".into());
    }
    match qemu {
        Some(qemu) => run_in_root(root, &[qemu, program], &env),
        None => run_in_root(root, &[program], &env),
    }
}

/// One line of a loader's list mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListEntry {
    pub name: String,
    /// None for `=> not found`.
    pub path: Option<String>,
}

/// A list-mode run, parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    /// `NAME => PATH` and `NAME => not found` lines, in order.
    pub entries: Vec<ListEntry>,
    pub run: RealRun,
}

/// glibc list mode, as ldd runs it (loader-facts §8), with LD_WARN and LD_BIND_NOW as `ldd -r`.
pub fn list_glibc(
    root: &Path,
    interp: &str,
    program: &str,
    env: &BTreeMap<String, String>,
) -> Listing {
    let mut env = env.clone();
    for (k, v) in [
        ("LD_TRACE_LOADED_OBJECTS", "1"),
        ("LD_WARN", "yes"),
        ("LD_BIND_NOW", "yes"),
    ] {
        env.insert(k.into(), v.into());
    }
    let run = run_in_root(root, &[interp, program], &env);
    Listing {
        entries: parse_list(&run.stdout),
        run,
    }
}

/// musl list mode: `INTERP --list PROGRAM` (loader-facts §10.2 "ldd under musl"), with the
/// case's environment (musl reads LD_LIBRARY_PATH in list mode too).
pub fn list_musl(
    root: &Path,
    interp: &str,
    program: &str,
    env: &BTreeMap<String, String>,
) -> Listing {
    list_musl_preload(root, interp, None, program, env)
}

/// musl list mode with `--preload` (how the gcompat stub runs glibc programs, §11).
pub fn list_musl_preload(
    root: &Path,
    interp: &str,
    preload: Option<&str>,
    program: &str,
    env: &BTreeMap<String, String>,
) -> Listing {
    let mut argv = vec![interp];
    if let Some(p) = preload {
        argv.extend(["--preload", p]);
    }
    argv.extend(["--list", program]);
    let run = run_in_root(root, &argv, env);
    Listing {
        entries: parse_list(&run.stdout),
        run,
    }
}

/// Parses `\tNAME => PATH (0xADDR)` and `\tNAME => not found`; lines without `=>` (the vDSO,
/// the interpreter, NEEDED given as a path) carry no search result and are skipped.
pub fn parse_list(stdout: &str) -> Vec<ListEntry> {
    let mut out = Vec::new();
    for line in stdout.lines() {
        let Some((name, rest)) = line.trim().split_once(" => ") else {
            continue;
        };
        let rest = rest.trim();
        let path = if rest == "not found" {
            None
        } else {
            // Strip the load address.
            let p = rest.rsplit_once(" (0x").map_or(rest, |(p, _)| p);
            Some(p.to_string())
        };
        out.push(ListEntry {
            name: name.trim().to_string(),
            path,
        });
    }
    out
}

/// What the loaders' messages say (loader-facts §7, §9, §10.2).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Messages {
    pub missing_libraries: BTreeSet<String>,
    /// (path of the object lacking the version, version).
    pub missing_versions: BTreeSet<(String, String)>,
    /// In the order printed.
    pub undefined_symbols: Vec<String>,
}

/// Parses every loader error line in `stderr`.
pub fn parse_messages(stderr: &str) -> Messages {
    let mut m = Messages::default();
    for line in stderr.lines() {
        parse_line(line, &mut m);
    }
    m
}

fn parse_line(line: &str, m: &mut Messages) {
    // glibc: `PROG: error while loading shared libraries: NAME: MSG`
    if let Some((_, rest)) = line.split_once(": error while loading shared libraries: ") {
        if let Some((name, _)) = rest.split_once(": ") {
            m.missing_libraries.insert(name.to_string());
        }
        return;
    }
    // glibc: `PROG: symbol lookup error: OBJ: undefined symbol: SYM[, version V]`, and
    // ldd -r's `undefined symbol: SYM[, version V]\t(OBJ)` (§6.3).
    let undefined = match line.split_once(": undefined symbol: ") {
        Some((head, rest)) if head.contains("symbol lookup error: ") => Some(rest),
        _ => line.strip_prefix("undefined symbol: "),
    };
    if let Some(rest) = undefined {
        let sym = rest.split([',', '\t']).next().unwrap_or(rest).trim();
        push_unique(&mut m.undefined_symbols, sym);
        return;
    }
    // glibc: `PROG: PATH: version `V' not found (required by X)`
    if let Some((head, rest)) = line.split_once(": version `") {
        if let Some((version, tail)) = rest.split_once("' not found") {
            if tail.trim_start().starts_with("(required by") {
                let path = head.rsplit_once(": ").map_or(head, |(_, p)| p);
                m.missing_versions
                    .insert((path.to_string(), version.to_string()));
            }
        }
        return;
    }
    // musl: `Error loading shared library NAME: MSG (needed by X)`
    if let Some(rest) = line.strip_prefix("Error loading shared library ") {
        if let Some((name, _)) = rest.split_once(": ") {
            m.missing_libraries.insert(name.to_string());
        }
        return;
    }
    // musl: `Error relocating P: SYM: symbol not found`
    if let Some(rest) = line.strip_prefix("Error relocating ") {
        if let Some(head) = rest.strip_suffix(": symbol not found") {
            if let Some((_, sym)) = head.rsplit_once(": ") {
                push_unique(&mut m.undefined_symbols, sym);
            }
        }
    }
}

fn push_unique(list: &mut Vec<String>, item: &str) {
    if !list.iter().any(|s| s == item) {
        list.push(item.to_string());
    }
}

/// What really happened, in the terms ldsim reports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Observed {
    /// "ok", "fails" or "fails-on-call".
    pub verdict: String,
    /// Libraries the run reported missing (glibc stops at the first).
    pub missing_libraries: BTreeSet<String>,
    /// `NAME => not found` lines of list mode, which keeps going after a missing library.
    pub listed_missing: BTreeSet<String>,
    pub missing_versions: BTreeSet<(String, String)>,
    /// In the order the loader printed them (glibc prints only the first).
    pub undefined_symbols: Vec<String>,
    pub missing_interpreter: bool,
    /// Needed name → path, from list mode.
    pub resolved: BTreeMap<String, String>,
}

/// Builds an [`Observed`] from a plain (or bind-now) run and an optional list-mode run.
/// Verdict: exit 0 → ok; started, then a non-zero exit with a symbol lookup error →
/// fails-on-call; anything else → fails.
pub fn observe(run: &RealRun, listing: Option<&Listing>) -> Observed {
    let msgs = parse_messages(&run.stderr);
    let mut listed_missing = BTreeSet::new();
    let verdict = if run.exit == 0 && run.exec_errno.is_none() {
        "ok"
    } else if run.started && !msgs.undefined_symbols.is_empty() {
        "fails-on-call"
    } else {
        "fails"
    };
    let mut resolved = BTreeMap::new();
    if let Some(listing) = listing {
        for entry in &listing.entries {
            match &entry.path {
                Some(path) => {
                    resolved.insert(entry.name.clone(), path.clone());
                }
                None => {
                    listed_missing.insert(entry.name.clone());
                }
            }
        }
    }
    Observed {
        verdict: verdict.to_string(),
        missing_libraries: msgs.missing_libraries,
        listed_missing,
        missing_versions: msgs.missing_versions,
        undefined_symbols: msgs.undefined_symbols,
        missing_interpreter: run.exec_errno == Some(libc::ENOENT),
        resolved,
    }
}

/// PT_INTERP of an in-root program, if it has one.
pub fn pt_interp(root: &Path, program: &str) -> Option<String> {
    let bytes = std::fs::read(root.join(program.trim_start_matches('/'))).ok()?;
    let elf = goblin::elf::Elf::parse(&bytes).ok()?;
    elf.interpreter.map(str::to_string)
}

/// Does `path` exist inside `root`, following symlinks the way the kernel would inside a chroot
/// (absolute targets re-rooted, `..` stopping at the root)?
pub fn exists_in_root(root: &Path, path: &str) -> bool {
    let mut current = path.to_string();
    for _ in 0..40 {
        let mut resolved = String::new();
        let mut parts = current.split('/').filter(|p| !p.is_empty()).peekable();
        let mut redirected = None;
        while let Some(part) = parts.next() {
            match part {
                "." => continue,
                ".." => {
                    let cut = resolved.rfind('/').unwrap_or(0);
                    resolved.truncate(cut);
                    continue;
                }
                _ => resolved = format!("{resolved}/{part}"),
            }
            let host = root.join(resolved.trim_start_matches('/'));
            match std::fs::symlink_metadata(&host) {
                Err(_) => return false,
                Ok(meta) if meta.file_type().is_symlink() => {
                    let Ok(target) = std::fs::read_link(&host) else {
                        return false;
                    };
                    let target = target.to_string_lossy().into_owned();
                    let rest: Vec<&str> = parts.by_ref().collect();
                    let base = if target.starts_with('/') {
                        target
                    } else {
                        let dir = resolved.rsplit_once('/').map_or("", |(d, _)| d);
                        format!("{dir}/{target}")
                    };
                    redirected = Some(format!("{base}/{}", rest.join("/")));
                    break;
                }
                Ok(_) => {}
            }
        }
        match redirected {
            Some(next) => current = next,
            None => return true,
        }
    }
    false
}

/// Runs `case` in `root` the way the differential test needs it: the plain (or bind-now) run,
/// plus list mode with the interpreter the program names when that interpreter exists in the
/// root. A glibc program behind our gcompat stub (§11) is listed by musl with libgcompat
/// preloaded, since the stub itself has no list mode.
pub fn observe_case(
    root: &Path,
    case: &crate::manifest::Case,
    bind_now: bool,
) -> (Observed, RealRun) {
    let run = run_program(root, &case.program, &case.env, bind_now);
    let listing = list_case(root, case);
    (observe(&run, listing.as_ref()), run)
}

/// List mode for `case` with the interpreter it names, when that interpreter exists in the root.
fn list_case(root: &Path, case: &crate::manifest::Case) -> Option<Listing> {
    let interp = pt_interp(root, &case.program).filter(|i| exists_in_root(root, i))?;
    let gcompat = "/lib/libgcompat.so.0";
    Some(
        if exists_in_root(root, gcompat) && !interp.contains("ld-musl") {
            list_musl_preload(root, MUSL_LOADER, Some(gcompat), &case.program, &case.env)
        } else if interp.contains("ld-musl") {
            list_musl(root, &interp, &case.program, &case.env)
        } else {
            list_glibc(root, &interp, &case.program, &case.env)
        },
    )
}

/// musl's loader on x86_64.
pub const MUSL_LOADER: &str = "/lib/ld-musl-x86_64.so.1";

/// glibc's loader on x86_64 (the root's own, used for list mode on a shared object).
pub const GLIBC_LOADER: &str = "/lib64/ld-linux-x86-64.so.2";

/// A missing symbol version as list mode (or a run) prints it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct MissingVersion {
    /// Path of the object lacking the version.
    pub provider: String,
    pub version: String,
    pub required_by: String,
}

/// An undefined symbol as list mode (or a run) prints it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct UndefinedRef {
    pub symbol: String,
    /// glibc prints `, version V` for a versioned reference; musl never prints versions.
    pub version: Option<String>,
    /// The referencing object (glibc: `(OBJ)` of ldd -r; musl: `Error relocating OBJ`).
    pub object: String,
}

/// The COMPLETE problem set of a list-mode run (glibc `LD_TRACE_LOADED_OBJECTS=1 LD_WARN=yes
/// LD_BIND_NOW=yes`, i.e. `ldd -r`; musl `--list`), every entry in the order printed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListProblems {
    /// glibc `NAME => not found`; musl `Error loading shared library NAME: …`.
    pub not_found: Vec<String>,
    pub missing_versions: Vec<MissingVersion>,
    pub undefined: Vec<UndefinedRef>,
    /// A glibc error that ends list mode (`…: error while loading shared libraries: …`, e.g. a
    /// linker script on the path: invalid ELF header), as printed.
    pub fatal: Option<String>,
    /// Every loader error line in order (glibc: fatal, version and `undefined symbol` lines;
    /// musl: `Error …` lines).
    pub lines: Vec<String>,
    pub run: RealRun,
}

impl ListProblems {
    /// List mode reported nothing wrong.
    pub fn is_clean(&self) -> bool {
        self.not_found.is_empty()
            && self.missing_versions.is_empty()
            && self.undefined.is_empty()
            && self.fatal.is_none()
    }
}

/// Parses a list-mode run: stdout (the listing) first, then stderr, each in order.
pub fn parse_list_problems(run: RealRun) -> ListProblems {
    let mut p = ListProblems::default();
    for line in run.stdout.lines().chain(run.stderr.lines()) {
        parse_problem_line(line, &mut p);
    }
    p.run = run;
    p
}

fn parse_problem_line(line: &str, p: &mut ListProblems) {
    let trimmed = line.trim();
    if let Some((name, rest)) = trimmed.split_once(" => ") {
        if rest.trim() == "not found" {
            p.not_found.push(name.trim().to_string());
        }
        return;
    }
    if let Some(rest) = trimmed.strip_prefix("undefined symbol: ") {
        // `undefined symbol: SYM[, version V]\t(OBJ)` (ldd -r, §6.3).
        let (head, object) = match rest.rsplit_once('\t') {
            Some((h, o)) => (h, o.trim().trim_start_matches('(').trim_end_matches(')')),
            None => (rest, ""),
        };
        let (symbol, version) = match head.split_once(", version ") {
            Some((s, v)) => (s.trim(), Some(v.trim().to_string())),
            None => (head.trim(), None),
        };
        p.undefined.push(UndefinedRef {
            symbol: symbol.to_string(),
            version,
            object: object.to_string(),
        });
        p.lines.push(trimmed.to_string());
        return;
    }
    if line.contains(": error while loading shared libraries: ") {
        p.fatal.get_or_insert_with(|| trimmed.to_string());
        p.lines.push(trimmed.to_string());
        return;
    }
    if let Some((head, rest)) = trimmed.split_once(": version `") {
        if let Some((version, tail)) = rest.split_once("' not found (required by ") {
            let provider = head.rsplit_once(": ").map_or(head, |(_, p)| p);
            p.missing_versions.push(MissingVersion {
                provider: provider.to_string(),
                version: version.to_string(),
                required_by: tail.trim_end_matches(')').to_string(),
            });
            p.lines.push(trimmed.to_string());
        }
        return;
    }
    if let Some(rest) = trimmed.strip_prefix("Error loading shared library ") {
        if let Some((name, _)) = rest.split_once(": ") {
            p.not_found.push(name.to_string());
        }
        p.lines.push(trimmed.to_string());
        return;
    }
    if let Some(rest) = trimmed.strip_prefix("Error relocating ") {
        if let Some(head) = rest.strip_suffix(": symbol not found") {
            if let Some((object, symbol)) = head.rsplit_once(": ") {
                p.undefined.push(UndefinedRef {
                    symbol: symbol.to_string(),
                    version: None,
                    object: object.to_string(),
                });
            }
        }
        p.lines.push(trimmed.to_string());
    }
}

/// The first line of `stderr` that is a loader error: glibc `error while loading shared
/// libraries`, `symbol lookup error`, `version … not found (required by …)`, a CPU ISA level
/// failure; musl `Error …`. Warnings (LD_PRELOAD failures, "no version information") are not.
pub fn first_loader_error(stderr: &str) -> Option<String> {
    stderr
        .lines()
        .find(|line| {
            line.contains(": error while loading shared libraries: ")
                || line.contains(": symbol lookup error: ")
                || (line.contains(": version `") && line.contains("' not found (required by "))
                || line.ends_with("CPU ISA level is lower than required")
                || line.starts_with("Error loading shared library ")
                || line.starts_with("Error relocating ")
        })
        .map(str::to_string)
}

/// List mode on a shared object the way the root's own loader does it: glibc
/// `ld.so FILE` with LD_TRACE_LOADED_OBJECTS=1 LD_WARN=yes LD_BIND_NOW=yes (= `ldd -r FILE`),
/// musl `ld-musl --list FILE`.
pub fn list_shared_object(
    root: &Path,
    musl: bool,
    object: &str,
    env: &BTreeMap<String, String>,
) -> ListProblems {
    let listing = if musl {
        list_musl(root, MUSL_LOADER, object, env)
    } else {
        list_glibc(root, GLIBC_LOADER, object, env)
    };
    parse_list_problems(listing.run)
}

/// List mode on a program with the loader observe_case uses (None when the program has no
/// PT_INTERP present in the root: static, or missing interpreter).
pub fn list_program(root: &Path, case: &crate::manifest::Case) -> Option<ListProblems> {
    list_case(root, case).map(|listing| parse_list_problems(listing.run))
}

/// A real dlopen: the plugin host run with the plugin, or a CPython import.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DlopenRun {
    /// dlopen succeeded ("dlopen ok" / the import worked).
    pub ok: bool,
    /// What dlerror() returned (the host's stdout line; python's `ImportError: ` text).
    pub dlerror: Option<String>,
    pub run: RealRun,
}

/// Runs `host PLUGIN` in `root` (tests/fixtures-src/dlhost/host.c: "dlopen ok", or dlerror()
/// on one line of stdout and exit 1).
pub fn dlopen_with_host(
    root: &Path,
    host: &str,
    plugin: &str,
    env: &BTreeMap<String, String>,
) -> DlopenRun {
    let run = run_in_root(root, &[host, plugin], env);
    let first = run.stdout.lines().next().unwrap_or_default().to_string();
    let ok = run.exit == 0 && first == "dlopen ok";
    DlopenRun {
        ok,
        dlerror: (!ok && run.exit == 1 && !first.is_empty()).then_some(first),
        run,
    }
}

/// `python3 -c 'import sys; sys.path.insert(0, DIR); import MODULE'` in `root`; dlerror() is
/// the text of the last `ImportError: ` line (CPython dlopens extensions with RTLD_NOW and puts
/// dlerror() in the ImportError).
pub fn python_import(
    root: &Path,
    python: &str,
    dir: &str,
    module: &str,
    env: &BTreeMap<String, String>,
) -> DlopenRun {
    let code = format!("import sys; sys.path.insert(0, {dir:?}); import {module}");
    let run = run_in_root(root, &[python, "-c", &code], env);
    let dlerror = run
        .stderr
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("ImportError: "))
        .map(str::to_string);
    DlopenRun {
        ok: run.exit == 0,
        dlerror,
        run,
    }
}

#[cfg(test)]
mod tests;
