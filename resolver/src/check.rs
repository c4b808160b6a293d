//! Orchestration: one [`Checker`] per target root, shared by every file checked in a run.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use ldsim_loader::arch::{arch_of, machine_name, Arch};
use ldsim_loader::Class;
use ldsim_sysroots::{Sysroot, TargetPath};

use crate::bind;
use crate::builtin::BuiltinRoot;
use crate::glibc::Glibc;
use crate::graph::{lossy, LinkMap, Node, Role};
use crate::musl::Musl;
use crate::report::*;
use crate::store::{Opened, Store};
use crate::target::{self, InterpFailure, LoaderConfig};

/// x86-64 micro-architecture level of the target CPU (glibc-hwcaps selection), 1 = baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct CpuLevel(pub u8);

/// Every ambient input of a simulated run.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    /// LD_LIBRARY_PATH, if set.
    pub ld_library_path: Option<Vec<u8>>,
    /// LD_PRELOAD, if set.
    pub ld_preload: Option<Vec<u8>>,
    /// LD_BIND_NOW non-empty, or `--bind-now`.
    pub bind_now: bool,
    /// Target CPU level (`--cpu x86-64-v2`); baseline when unset.
    pub cpu: CpuLevel,
}

/// Failure to analyse a file at all (exit 2): the file itself is unreadable or not ELF.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error("{path}: {source}")]
    Read {
        path: String,
        source: ldsim_sysroots::FsError,
    },
    #[error("{path}: {source}")]
    NotElf {
        path: String,
        source: ldsim_loader::ElfError,
    },
    #[error("{path}: is a directory")]
    IsDirectory { path: String },
}

type LoaderEntry = Arc<Result<LoaderConfig, InterpFailure>>;

/// Simulates the target's loader for files inside one root. Parsed objects and loader
/// configurations are cached and shared across every file checked (and across threads).
#[derive(Debug)]
pub struct Checker<'r> {
    store: Store<'r>,
    env: Environment,
    loaders: Mutex<HashMap<(Vec<u8>, Arch), LoaderEntry>>,
    /// Set when checking against a built-in target.
    builtin: Option<&'r BuiltinRoot>,
}

impl<'r> Checker<'r> {
    pub fn new(root: &'r Sysroot, env: Environment) -> Self {
        Checker {
            store: Store::new(root),
            env,
            loaders: Mutex::new(HashMap::new()),
            builtin: None,
        }
    }

    /// A checker for a built-in target: its libraries come from the tables, its loader is
    /// configured as the target's, and libraries it does not describe are reported as unknown
    /// rather than missing.
    pub fn builtin(target: &'r BuiltinRoot, env: Environment) -> Self {
        let store = target.store();
        let loaders = target
            .loader_configs(&store)
            .into_iter()
            .map(|(key, config)| (key, Arc::new(Ok(config))))
            .collect();
        Checker {
            store,
            env,
            loaders: Mutex::new(loaders),
            builtin: Some(target),
        }
    }

    /// Check the file at `path` inside the root; `name` is how the report names it. Loader
    /// messages use `path` as argv[0], as if the program were started by that path.
    pub fn check(&self, path: &TargetPath, name: &str) -> Result<Report, CheckError> {
        let display = path.display();
        let opened = self
            .store
            .open(path.as_bytes())
            .map_err(|source| CheckError::Read {
                path: display.clone(),
                source,
            })?;
        let (resolved, parsed) = match opened {
            Opened::Elf { resolved, parsed } => (resolved, parsed),
            Opened::NotElf { error, .. } => {
                return Err(CheckError::NotElf {
                    path: display,
                    source: error,
                })
            }
            Opened::Directory => return Err(CheckError::IsDirectory { path: display }),
        };
        let argv0 = path.as_bytes().to_vec();
        let obj = &parsed.object;
        let mut report = Report {
            file: name.to_string(),
            verdict: Verdict::Ok,
            loader: LoaderInfo {
                flavor: Flavor::Static,
                interpreter: obj.interpreter.as_deref().map(lossy),
                found: false,
                path: None,
                version: None,
                gcompat: false,
            },
            objects: Vec::new(),
            problems: Vec::new(),
            exit_status: None,
            search: Vec::new(),
            warnings: Vec::new(),
            target: self.builtin.map(|b| b.name().to_owned()),
            unknown_libraries: Vec::new(),
            unverified_symbols: Vec::new(),
            floor: self.builtin.map(|_| crate::floor::floor_of(&parsed.object)),
        };
        let Some(arch) = arch_of(&obj.header) else {
            // The kernel has no such machine: ENOEXEC.
            report
                .problems
                .push(wrong_machine(&display, obj.header.machine, None));
            return Ok(finish(report));
        };
        if let Some(problem) = self.kernel_accepts(&display, arch, obj.header.class) {
            report.problems.push(problem);
            return Ok(finish(report));
        }
        let Some(interp) = obj.interpreter.clone() else {
            // Static or static-pie: the kernel runs it, no loader involved.
            return Ok(finish(report));
        };
        let config = self.loader(&interp, arch);
        let config = match &*config {
            Ok(c) => c,
            Err(failure) => {
                report.loader.flavor = guess_flavor(&interp);
                report
                    .problems
                    .push(self.interp_problem(&display, &interp, failure));
                return Ok(finish(report));
            }
        };
        let main = Node {
            parsed: parsed.clone(),
            resolved,
            name: argv0.clone(),
            names: Vec::new(),
            loader: None,
            needed: Vec::new(),
            via: Via::Direct,
            role: Role::Main,
            shortname: None,
        };
        let mut map = match config {
            LoaderConfig::Glibc(cfg) => {
                report.loader.flavor = Flavor::Glibc;
                report.loader.found = true;
                report.loader.path = Some(cfg.ldso_resolved.path.display());
                report.loader.version = cfg
                    .version_known
                    .then(|| format!("{}.{}", cfg.version.0, cfg.version.1));
                let ldso = Node {
                    parsed: cfg.ldso.clone(),
                    resolved: cfg.ldso_resolved.clone(),
                    name: cfg.interp.clone(),
                    names: [
                        Some(cfg.interp.clone()),
                        cfg.ldso.object.soname().map(<[u8]>::to_vec),
                    ]
                    .into_iter()
                    .flatten()
                    .collect(),
                    loader: None,
                    needed: Vec::new(),
                    via: Via::Interpreter,
                    role: Role::Interpreter,
                    shortname: None,
                };
                let sim = Glibc {
                    store: &self.store,
                    cfg,
                    env: &self.env,
                    argv0: &argv0,
                    map: LinkMap {
                        nodes: vec![main, ldso],
                        scope: vec![0],
                        ..LinkMap::default()
                    },
                    last_tried: Vec::new(),
                };
                let mut map = sim.load();
                if !map.load_failed {
                    fix_interpreter_entry(&mut map);
                    let missing = bind::glibc_versions(&mut map, &argv0);
                    if cfg.arch == Arch::X86_64 && cfg.version >= (2, 33) {
                        bind::glibc_isa_levels(&mut map, &argv0, self.env.cpu.0);
                    }
                    bind::glibc_symbols(&mut map, &argv0, self.env.bind_now, cfg.version, &missing);
                }
                map
            }
            LoaderConfig::Musl(cfg) => {
                report.loader.flavor = Flavor::Musl;
                report.loader.found = true;
                report.loader.path = Some(cfg.ldso_resolved.path.display());
                report.loader.version = cfg.version.clone();
                report.loader.gcompat = cfg.gcompat_preload.is_some();
                let ldso = Node {
                    parsed: cfg.ldso.clone(),
                    resolved: cfg.ldso_resolved.clone(),
                    name: cfg.ldso_name.clone(),
                    names: Vec::new(),
                    loader: None,
                    needed: Vec::new(),
                    via: Via::Interpreter,
                    role: Role::Interpreter,
                    shortname: None,
                };
                let sim = Musl {
                    store: &self.store,
                    cfg,
                    env: &self.env,
                    map: LinkMap {
                        nodes: vec![main, ldso],
                        scope: vec![0],
                        ..LinkMap::default()
                    },
                    ldso: 1,
                    tried: Vec::new(),
                };
                let mut map = sim.load();
                bind::musl_symbols(&mut map, &argv0, cfg.lfs64_remap, 1);
                map
            }
        };
        report.objects = map.objects();
        if let Some(builtin) = self.builtin {
            describe_builtin(&mut report, &mut map, builtin);
        }
        report.search = map.steps;
        report.warnings = map.warnings;
        report.problems = map.problems;
        Ok(finish(report))
    }

    fn loader(&self, interp: &[u8], arch: Arch) -> LoaderEntry {
        let key = (interp.to_vec(), arch);
        if let Some(c) = self.lock().get(&key) {
            return c.clone();
        }
        let entry = Arc::new(target::detect(&self.store, interp, arch));
        self.lock().entry(key).or_insert(entry).clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(Vec<u8>, Arch), LoaderEntry>> {
        self.loaders.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The kernel's elf_check_arch against the target's own architecture, taken from the
    /// root's /bin/sh when it is ELF (a 64-bit kernel also runs its 32-bit compat ABI).
    fn kernel_accepts(&self, display: &str, arch: Arch, class: Class) -> Option<Problem> {
        let Ok(Opened::Elf { parsed, .. }) = self.store.open(b"/bin/sh") else {
            return None;
        };
        let native = arch_of(&parsed.object.header)?;
        if native == arch || compat_of(native).contains(&arch) {
            return None;
        }
        let native_info = native.info();
        if parsed.object.header.machine == arch_machine(arch) {
            let found = class.glibc_name().to_string();
            return Some(Problem::WrongClass {
                object: display.to_string(),
                expected: parsed.object.header.class.glibc_name().to_string(),
                message: format!(
                    "{}: cannot execute binary file: Exec format error",
                    shell_prefix(&self.store, display)
                ),
                reason: format!(
                    "the file is {found} but the target ({}) cannot run that class",
                    native_info.name
                ),
                found,
            });
        }
        Some(wrong_machine(
            display,
            arch_machine(arch),
            Some((native_info.name, &self.store)),
        ))
    }

    fn interp_problem(&self, display: &str, interp: &[u8], failure: &InterpFailure) -> Problem {
        let interp_s = lossy(interp);
        let sh = shell_prefix(&self.store, display);
        match failure {
            InterpFailure::Missing(err) => Problem::MissingInterpreter {
                interpreter: interp_s.clone(),
                message: shell_enoent(&self.store, display),
                reason: format!("the ELF interpreter {interp_s} is not in the target ({err}); the kernel's execve fails with ENOENT"),
            },
            InterpFailure::Corrupt(err) => Problem::MissingInterpreter {
                interpreter: interp_s.clone(),
                message: format!("{sh}: Accessing a corrupted shared library"),
                reason: format!("the ELF interpreter {interp_s} cannot run this file ({err}); execve fails with ELIBBAD"),
            },
            InterpFailure::Unknown => Problem::MissingInterpreter {
                interpreter: interp_s.clone(),
                message: format!("{sh}: Accessing a corrupted shared library"),
                reason: format!("{interp_s} is neither glibc's nor musl's loader; ldsim cannot simulate it"),
            },
        }
    }
}

/// What a built-in target adds: the libraries its tables do not describe, the symbols that
/// could not be checked because of them, and how to get a described library that is absent.
fn describe_builtin(report: &mut Report, map: &mut LinkMap, builtin: &BuiltinRoot) {
    for &idx in &map.scope {
        let node = &map.nodes[idx];
        if node.via == Via::Unknown {
            report.unknown_libraries.push(UnknownLibrary {
                library: lossy(&node.needed),
                needed_by: node
                    .loader
                    .map(|l| lossy(&map.nodes[l].name))
                    .unwrap_or_default(),
                hint: builtin.unknown_hint().to_owned(),
            });
        }
    }
    report.unverified_symbols = std::mem::take(&mut map.unverified).into_iter().collect();
    for problem in &mut map.problems {
        if let Problem::MissingLibrary {
            library, reason, ..
        } = problem
        {
            if let Some(hint) = builtin.absent_hint(library.as_bytes()) {
                reason.push_str("; ");
                reason.push_str(hint);
            }
        }
    }
}

/// After binding decisions nothing else changes: set the verdict and the exit status the real
/// run would have.
fn finish(mut report: Report) -> Report {
    let first_fatal = report.problems.iter().find(|p| p.is_fatal());
    report.verdict = if first_fatal.is_some() {
        Verdict::Fails
    } else if report.problems.iter().any(|p| {
        matches!(
            p,
            Problem::UndefinedSymbol {
                when: When::FirstCall,
                ..
            }
        )
    }) {
        Verdict::FailsOnCall
    } else {
        Verdict::Ok
    };
    report.exit_status = match (first_fatal, report.loader.flavor) {
        (None, _) => None,
        (Some(Problem::WrongClass { .. } | Problem::WrongMachine { .. }), _) => Some(126),
        (Some(Problem::MissingInterpreter { message, .. }), _) => {
            Some(if message.ends_with("corrupted shared library") {
                126
            } else {
                127
            })
        }
        (Some(_), Flavor::Musl) => Some(127),
        // An ld.so assertion (a Verneed on a file that is not loaded) aborts with 127.
        (Some(Problem::MissingVersion { provider: None, .. }), _) => Some(127),
        (Some(Problem::MissingVersion { .. }), _) => {
            // Missing versions end with _exit(1) unless loading failed before.
            Some(1)
        }
        (Some(_), _) => Some(127),
    };
    report
}

/// glibc lists ld.so under the name it was requested by; the report shows that.
fn fix_interpreter_entry(map: &mut LinkMap) {
    let _ = map;
}

fn wrong_machine(display: &str, machine: u16, native: Option<(&str, &Store<'_>)>) -> Problem {
    let found = machine_name(machine);
    let (expected, sh) = match native {
        Some((name, store)) => (name.to_string(), shell_prefix(store, display)),
        None => (
            "a supported architecture".to_string(),
            format!("sh: {display}"),
        ),
    };
    Problem::WrongMachine {
        object: display.to_string(),
        message: format!("{sh}: cannot execute binary file: Exec format error"),
        reason: format!(
            "the file is for {found}, the target is {expected}; execve fails with ENOEXEC"
        ),
        expected,
        found,
    }
}

fn arch_machine(arch: Arch) -> u16 {
    arch.elf_identity().0
}

/// 32-bit ABIs a 64-bit kernel of this architecture runs.
fn compat_of(native: Arch) -> &'static [Arch] {
    match native {
        Arch::X86_64 => &[Arch::I386],
        Arch::Aarch64 => &[Arch::ArmHf, Arch::ArmEl],
        _ => &[],
    }
}

/// The target's shell wording: bash when the root has it, busybox/dash style otherwise.
fn has_bash(store: &Store<'_>) -> bool {
    store.open(b"/bin/bash").is_ok()
}

fn shell_prefix(store: &Store<'_>, display: &str) -> String {
    if has_bash(store) {
        format!("bash: {display}")
    } else {
        format!("sh: {display}")
    }
}

fn shell_enoent(store: &Store<'_>, display: &str) -> String {
    if has_bash(store) {
        format!("bash: {display}: cannot execute: required file not found")
    } else {
        format!("sh: {display}: not found")
    }
}

fn guess_flavor(interp: &[u8]) -> Flavor {
    if interp.windows(7).any(|w| w == b"ld-musl") {
        Flavor::Musl
    } else {
        Flavor::Glibc
    }
}
