//! Orchestration: one [`Checker`] per target root, shared by every file checked in a run.
//! Every file goes through the same phases (ARCHITECTURE.md): open and parse it once, the
//! kernel stage, the loader of the target, loading and binding by that loader's flavour
//! (a program's start-up, a shared object listed on its own, or a plugin dlopen'ed by its
//! host), then [`Report::conclude`].

mod static_glibc;

use foldhash::HashMap;
use std::sync::{Arc, Mutex};

use ldsim_loader::arch::{arch_of, Arch};
use ldsim_loader::{ElfObject, ET_DYN};
use ldsim_sysroots::{FileId, Resolved, Sysroot, TargetPath};

use crate::builtin::BuiltinRoot;
use crate::environment::Environment;
use crate::fix::{self, PackageTool};
use crate::graph::{lossy, LinkMap, MapObject, Role};
use crate::loader_config::{self, InterpFailure, LoaderConfig};
use crate::packages::PackageDb;
use crate::report::*;
use crate::simulate::{self, Simulation};
use crate::store::{Opened, Parsed, ParsedFile, Store};
use crate::voice::Style;
use crate::{kernel, plugin};

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
    /// `--loaded-by` names something that cannot host a plugin.
    #[error("{path}: cannot load plugins: {reason}")]
    Host { path: String, reason: String },
}

/// Which program loads a shared object (`--loaded-by`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum HostChoice {
    /// A recognised plugin (CPython, MapObject.js, …) is loaded by its host when the target has
    /// it; any other shared object is checked on its own.
    #[default]
    Auto,
    /// Checked on its own: list mode only.
    None,
    /// dlopen'ed by this program of the target.
    Program(TargetPath),
}

type LoaderEntry = Arc<Result<LoaderConfig, InterpFailure>>;

/// The target's own loader for an architecture: its path and configuration.
type RootLoader = Option<(Vec<u8>, Arc<LoaderConfigRef>)>;

/// Simulates the target's loader for files inside one root. Parsed objects and loader
/// configurations are cached and shared across every file checked (and across threads).
#[derive(Debug)]
pub struct Checker<'r> {
    store: Store<'r>,
    env: Environment,
    loaders: Mutex<HashMap<(Vec<u8>, Arch), LoaderEntry>>,
    /// [`Checker::root_loader`] by architecture: asked once for every shared object listed.
    root_loaders: Mutex<HashMap<Arch, RootLoader>>,
    /// Host programs started for the plugins they dlopen, by path: one start-up per host and
    /// run, however many plugins it loads (a Python's hundred extension modules).
    started_hosts: Mutex<HashMap<Vec<u8>, Arc<LinkMap>>>,
    /// Set when checking against a built-in target.
    builtin: Option<&'r BuiltinRoot>,
    /// The root's package database, when reports name the package of each object.
    packages: Option<PackageDb>,
    /// Reports list the paths searched and the objects loaded (`Report::search`,
    /// `Report::objects`).
    detail: bool,
    /// The Debian or Ubuntu release of the root (or of the built-in target) whose package
    /// tables name the packages that ship a missing library.
    release: Option<String>,
    /// How the target installs packages, for the commands fixes name.
    tool: Option<PackageTool>,
    /// Reports carry the file's floor (`Report::floor`) on any root, not only built-in
    /// targets: a release policy is checked against it.
    floors: bool,
    /// Findings get their fix line (off when no report is shown: `--quiet`).
    fixes: bool,
}

/// The file being checked, opened and parsed once.
struct MainFile {
    resolved: Resolved,
    parsed: Arc<Parsed>,
    /// argv[0] of the simulated run: its absolute path inside the target.
    argv0: Vec<u8>,
    display: String,
}

impl<'r> Checker<'r> {
    pub fn new(root: &'r Sysroot, env: Environment) -> Self {
        Checker {
            store: Store::new(root),
            env,
            loaders: Mutex::new(HashMap::default()),
            root_loaders: Mutex::new(HashMap::default()),
            started_hosts: Mutex::new(HashMap::default()),
            builtin: None,
            packages: None,
            detail: true,
            release: crate::release::of_root(root),
            tool: package_tool_of(root),
            floors: false,
            fixes: true,
        }
    }

    /// Name the installed package of each loaded object (`objects[].package`) from the root's
    /// package database, where it has one this reads ([`PackageDb`]).
    pub fn with_package_owners(mut self) -> Self {
        self.packages = PackageDb::read(self.store.root());
        self
    }

    /// Reports with the file's floor on any root (built-in targets always have it): what a
    /// release policy (`--policy`, `--max-glibc`) is checked against.
    pub fn with_floors(mut self) -> Self {
        self.floors = true;
        self
    }

    /// Findings without their fix line, missing libraries without their package, and
    /// undefined symbols without their message and reason, for a run that shows no report
    /// (`--quiet`): the verdicts and exit status do not depend on them.
    pub fn without_fixes(mut self) -> Self {
        self.fixes = false;
        self
    }

    /// Reports without the paths searched and the objects loaded, for output that does not
    /// show them: a run over thousands of files neither builds nor holds them.
    pub fn without_detail(mut self) -> Self {
        self.detail = false;
        self
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
            root_loaders: Mutex::new(HashMap::default()),
            started_hosts: Mutex::new(HashMap::default()),
            builtin: Some(target),
            packages: None,
            detail: true,
            release: ldsim_tables::packages::knows(target.name()).then(|| target.name().to_owned()),
            tool: PackageTool::of_layout(target.layout()),
            floors: false,
            fixes: true,
        }
    }

    /// A checker over an in-memory root whose loaders are given rather than detected (the
    /// test scenarios of `crate::scenario`): no built-in target's tables are involved.
    #[cfg(test)]
    pub(crate) fn with_loaders(
        store: Store<'r>,
        env: Environment,
        loaders: Vec<((Vec<u8>, Arch), LoaderConfig)>,
    ) -> Self {
        Checker {
            store,
            env,
            loaders: Mutex::new(
                loaders
                    .into_iter()
                    .map(|(key, config)| (key, Arc::new(Ok(config))))
                    .collect(),
            ),
            root_loaders: Mutex::new(HashMap::default()),
            started_hosts: Mutex::new(HashMap::default()),
            builtin: None,
            packages: None,
            detail: true,
            release: None,
            tool: None,
            floors: false,
            fixes: true,
        }
    }

    /// Use `object`, which the caller parsed from the file whose identity (st_dev, st_ino) is
    /// `id`, as the parse of `path` inside the root: checking that file, or loading it as
    /// another file's dependency, then neither reads nor parses it again. Nothing is adopted,
    /// and `false` returned, unless `path` resolves in the root to that very file (an
    /// `--overlay` may put another file there); such a path is read from the root as usual.
    pub fn adopt(&self, path: &TargetPath, id: FileId, file: &ParsedFile) -> bool {
        self.store.adopt(path.as_bytes(), id, file)
    }

    /// Check the file at `path` inside the root; `name` is how the report names it. Loader
    /// messages use `path` as `argv[0]`, as if the program were started by that path.
    pub fn check(&self, path: &TargetPath, name: &str) -> Result<Report, CheckError> {
        self.check_loaded_by(path, name, &HostChoice::Auto)
    }

    /// [`Checker::check`], with the program that loads a shared object chosen.
    pub fn check_loaded_by(
        &self,
        path: &TargetPath,
        name: &str,
        host: &HostChoice,
    ) -> Result<Report, CheckError> {
        let main = self.open_main(path)?;
        let obj = &main.parsed.object;
        let mut report = Report {
            file: name.to_string(),
            verdict: Verdict::Ok,
            mode: Mode::Run,
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
            omitted_problems: 0,
            exit_status: None,
            loaded_by: None,
            host_problems: Vec::new(),
            plugin: None,
            dlopen_dependencies: Vec::new(),
            search: Vec::new(),
            warnings: Vec::new(),
            target: self.builtin.map(|b| b.name().to_owned()),
            unknown_libraries: Vec::new(),
            unverified_symbols: Vec::new(),
            go: None,
            static_glibc: None,
        };
        // Worked out before the fixes, which name targets by it ([`Checker::floor`]).
        let _ = self.file_floor(&main);
        let Some(arch) = arch_of(&obj.header) else {
            // The kernel has no such machine (ENOEXEC), and no loader maps it.
            report
                .problems
                .push(kernel::wrong_machine(&main.display, obj.header.machine, None).into());
            report.conclude();
            self.add_fixes(&main, None, &mut report);
            return Ok(report);
        };
        if let Some(problem) = kernel::loadable_type(&self.store, &main.display, obj.header.e_type)
            .or_else(|| kernel::invalid_interp(&self.store, &main.display, obj))
        {
            report.problems.push(problem.into());
            report.conclude();
            self.add_fixes(&main, Some(arch), &mut report);
            return Ok(report);
        }
        // Once per file and path, for every target that checks it.
        let recognised = match main.parsed.recognised.get() {
            Some((path, known)) if *path == main.argv0 => known.clone(),
            _ => {
                let known = plugin::recognise(obj, main.argv0.as_slice());
                let _ = main
                    .parsed
                    .recognised
                    .set((main.argv0.clone(), known.clone()));
                known
            }
        };
        let host_program = match host {
            HostChoice::Program(p) => Some((p.clone(), false)),
            HostChoice::None => None,
            HostChoice::Auto if is_shared_object(obj) => recognised
                .as_ref()
                .and_then(|r| plugin::find_host(r, |p| self.runnable_program(p, arch)))
                .map(|p| (p, true)),
            HostChoice::Auto => None,
        };
        if let Some((host_path, automatic)) = host_program {
            report.mode = Mode::Dlopen;
            report.plugin = recognised.map(|r| r.info);
            self.dlopen_by_host(&main, &host_path, automatic, &mut report)?;
        } else if is_shared_object(obj) && !matches!(host, HostChoice::Program(_)) {
            report.mode = Mode::List;
            self.list_shared_object(&main, arch, &mut report);
            // `--loaded-by none` is exactly list mode: the host's symbols stay undefined.
            report.plugin = recognised.map(|r| match host {
                HostChoice::None => r.info,
                _ => plugin::expect_from_host(r, &mut report.problems),
            });
        } else {
            self.run_program(&main, arch, &mut report);
        }
        let go = self.go_build_info(&main);
        if let Some(info) = &go {
            report.go = Some(GoInfo::of(info));
            if report.mode == Mode::Run || report.mode == Mode::Static {
                self.go_cpu_level(&main, arch, info, &mut report);
            }
        }
        report.conclude();
        self.add_fixes(&main, Some(arch), &mut report);
        Ok(report)
    }

    /// The main file opened again, for what the parse does not keep (Go build information,
    /// a static program's segments).
    fn reopen(&self, main: &MainFile) -> Option<ldsim_sysroots::OpenFile> {
        let (_, file) = self
            .store
            .root()
            .open(&main.argv0, &TargetPath::root())
            .ok()?;
        Some(file)
    }

    /// A Go program's build information, read once per file (only the section headers and
    /// `.go.buildinfo` are read).
    fn go_build_info(&self, main: &MainFile) -> Option<Arc<ldsim_loader::go::GoBuildInfo>> {
        let obj = &main.parsed.object;
        if !obj.go_build_id {
            return None;
        }
        main.parsed
            .go
            .get_or_init(|| {
                let file = self.reopen(main)?;
                let read = |offset: u64, len: u64| {
                    file.read_at(offset, len).ok().map(|bytes| bytes.to_vec())
                };
                let (offset, size) =
                    ldsim_loader::go::section_range(obj.header.class, obj.header.endian, read)?;
                let bytes = file.read_at(offset, size).ok()?;
                ldsim_loader::go::parse(&bytes)
                    .or_else(|| {
                        // Go < 1.18: pointers into the loaded segments.
                        let whole = file.read_at(0, file.len()).ok()?;
                        let segments = ldsim_loader::load_segments(&whole).ok()?;
                        let read = |address: u64, len: u64| {
                            let (vaddr, range) = segments.iter().find(|(vaddr, range)| {
                                address >= *vaddr && address - vaddr < range.len() as u64
                            })?;
                            let start = range.start + usize::try_from(address - vaddr).ok()?;
                            let end = start.checked_add(usize::try_from(len).ok()?)?;
                            (end <= range.end).then(|| whole[start..end].to_vec())
                        };
                        ldsim_loader::go::parse_pointers(&bytes, read)
                    })
                    .map(Arc::new)
            })
            .clone()
    }

    /// `GOAMD64=vN` above the target CPU's level: the Go runtime refuses to start.
    fn go_cpu_level(
        &self,
        main: &MainFile,
        arch: Arch,
        info: &ldsim_loader::go::GoBuildInfo,
        report: &mut Report,
    ) {
        let Some(required) = info.amd64_level() else {
            return;
        };
        let cpu = self.env.cpu.0.max(1);
        if arch != Arch::X86_64 || required <= cpu {
            return;
        }
        report.problems.push(
            Problem::GoCpuLevel {
                object: main.display.clone(),
                required,
                message: format!(
                    "This program can only be run on AMD64 processors with v{required} microarchitecture support."
                ),
                reason: format!(
                    "built with GOAMD64=v{required}; the target CPU is x86-64-v{cpu} (--cpu), and the Go runtime checks at start-up"
                ),
            }
            .into(),
        );
    }

    /// What to change, for each problem of `report` (see [`crate::fix`]).
    fn add_fixes(&self, main: &MainFile, arch: Option<Arch>, report: &mut Report) {
        if !self.fixes || report.problems.is_empty() && report.host_problems.is_empty() {
            return;
        }
        let obj = &main.parsed.object;
        let target_loader = arch
            .and_then(|arch| self.root_loader(arch))
            .and_then(|(_, entry)| match &*entry {
                Ok(LoaderConfig::Glibc(_)) => Some(Flavor::Glibc),
                Ok(LoaderConfig::Musl(_)) => Some(Flavor::Musl),
                Err(_) => None,
            });
        // Only version fixes name targets by floor: computed for them alone, and not kept
        // (a cross-release audit has a thousand files with problems).
        let needs_floor = report
            .problems
            .iter()
            .chain(&report.host_problems)
            .any(|f| matches!(f.problem, Problem::MissingVersion { .. }));
        let floor = match main.parsed.floor.get() {
            Some(floor) => Some(floor.clone()),
            None if needs_floor => Some(Arc::new(ldsim_tables::floor::floor_releases(obj))),
            None => None,
        };
        // Without a loader for this architecture: is there one for any other (a foreign
        // program) or none at all (a root without a C library)?
        let foreign = target_loader.is_none()
            && Arch::ALL
                .iter()
                .any(|&other| Some(other) != arch && self.root_loader(other).is_some());
        let cx = fix::Context {
            object: obj,
            arch,
            target_loader,
            foreign,
            tool: self.tool,
            floor: floor.as_deref(),
            cpu_level: Some(self.env.cpu.0),
            go: main.parsed.go.get().and_then(|g| g.as_deref()),
        };
        fix::annotate(report, &cx);
    }

    /// The minimum releases the file at `path` needs, computed once per file and shared by
    /// every target's checker that serves the same parse; `None` unless floors were asked for
    /// ([`Checker::with_floors`]) or the root is a built-in target.
    pub fn floor(&self, path: &TargetPath) -> Option<Arc<ldsim_tables::floor::Floor>> {
        // Asked for every file checked: no second open when no floor is wanted.
        if self.builtin.is_none() && !self.floors {
            return None;
        }
        let main = self.open_main(path).ok()?;
        self.file_floor(&main)
    }

    fn file_floor(&self, main: &MainFile) -> Option<Arc<ldsim_tables::floor::Floor>> {
        (self.builtin.is_some() || self.floors).then(|| {
            main.parsed
                .floor
                .get_or_init(|| Arc::new(ldsim_tables::floor::floor_of(&main.parsed.object)))
                .clone()
        })
    }

    /// Phase 1: open and parse the file once.
    fn open_main(&self, path: &TargetPath) -> Result<MainFile, CheckError> {
        let display = path.display();
        let opened = self
            .store
            .open(path.as_bytes())
            .map_err(|source| CheckError::Read {
                path: display.clone(),
                source,
            })?;
        match opened {
            Opened::Elf { resolved, parsed } => Ok(MainFile {
                resolved,
                parsed,
                argv0: path.as_bytes().to_vec(),
                display,
            }),
            Opened::NotElf { error, .. } => Err(CheckError::NotElf {
                path: display,
                source: error,
            }),
            Opened::Directory => Err(CheckError::IsDirectory { path: display }),
        }
    }

    /// A program started by the kernel: kernel stage, its interpreter, start-up.
    fn run_program(&self, main: &MainFile, arch: Arch, report: &mut Report) {
        let obj = &main.parsed.object;
        if let Some(problem) = kernel::accepts(&self.store, &main.display, arch, obj.header.class) {
            report.problems.push(problem.into());
            return;
        }
        let Some(interp) = obj.interpreter.clone() else {
            // Static or static-pie: the kernel runs it, no loader involved; a static glibc
            // still loads modules at run time.
            report.mode = Mode::Static;
            report.static_glibc = self.static_glibc(main, arch);
            return;
        };
        let config = self.loader(&interp, arch);
        let config = match &*config {
            Ok(c) => c,
            Err(failure) => {
                report.loader.flavor = guess_flavor(&interp);
                report.problems.push(
                    kernel::interpreter_problem(&self.store, &main.display, &interp, failure)
                        .into(),
                );
                return;
            }
        };
        let sim = self.simulation(config, main, Style::Run);
        let map = sim.start_up(&self.store, &self.env);
        let objects = map.scope.clone();
        let map = sim.dlopen_notes(&self.store, &self.env, map, &objects);
        self.finish(report, config, map, &sim);
    }

    /// A shared object checked on its own: the target's loader for its architecture lists
    /// it (`ldd -r`: it is the main map of the trace run), in list mode's words.
    fn list_shared_object(&self, main: &MainFile, arch: Arch, report: &mut Report) {
        let Some((interp, entry)) = self.root_loader(arch) else {
            let info = arch.info();
            report.loader.flavor = Flavor::Glibc;
            report.problems.push(
                Problem::MissingInterpreter {
                    interpreter: info.glibc_interpreters.first().copied().unwrap_or_default().to_owned(),
                    message: format!(
                        "{}: no dynamic loader for {} in the target: nothing can load it",
                        main.display, info.name
                    ),
                    reason: format!(
                        "the target has neither glibc's ({}) nor musl's (/lib/ld-musl-{}.so.1) loader for {}",
                        info.glibc_interpreters.join(", "),
                        info.musl_arch,
                        info.name
                    ),
                }
                .into(),
            );
            return;
        };
        let Ok(config) = entry.as_ref() else {
            return;
        };
        report.loader.interpreter = Some(lossy(&interp));
        let sim = self.simulation(config, main, Style::List);
        let map = sim.start_up(&self.store, &self.env);
        let objects = map.scope.clone();
        let map = sim.dlopen_notes(&self.store, &self.env, map, &objects);
        self.finish(report, config, map, &sim);
    }

    /// dlopen(FILE, RTLD_NOW) from a host program once it has started.
    fn dlopen_by_host(
        &self,
        plugin: &MainFile,
        host_path: &TargetPath,
        automatic: bool,
        report: &mut Report,
    ) -> Result<(), CheckError> {
        let host = self.open_main(host_path)?;
        let host_err = |reason: String| CheckError::Host {
            path: host.display.clone(),
            reason,
        };
        let hobj = &host.parsed.object;
        let arch = arch_of(&hobj.header)
            .ok_or_else(|| host_err("not a program of a supported architecture".into()))?;
        let interp = hobj.interpreter.clone().ok_or_else(|| {
            host_err(
                "it has no ELF interpreter (a static program's dlopen is not simulated)".into(),
            )
        })?;
        report.loader.interpreter = Some(lossy(&interp));
        if let Some(problem) = kernel::accepts(&self.store, &host.display, arch, hobj.header.class)
        {
            report.host_problems.push(problem.into());
            return Ok(());
        }
        let config = self.loader(&interp, arch);
        let config = match &*config {
            Ok(c) => c,
            Err(failure) => {
                report.loader.flavor = guess_flavor(&interp);
                report.host_problems.push(
                    kernel::interpreter_problem(&self.store, &host.display, &interp, failure)
                        .into(),
                );
                return Ok(());
            }
        };
        let sim = self.simulation(config, &host, Style::Run);
        let mut map = self.started_host(host_path, &sim);
        report.host_problems = std::mem::take(&mut map.problems);
        let caller = simulate::dlopen_caller(&map);
        report.loaded_by = Some(LoadedBy {
            program: host.display.clone(),
            automatic,
            caller: lossy(&map.nodes[caller].name),
        });
        let (map, new) = sim.dlopen(&self.store, &self.env, map, &plugin.argv0, caller);
        let map = sim.dlopen_notes(&self.store, &self.env, map, &new);
        if self.detail {
            report.objects = map.objects_of(&new);
        }
        self.finish_common(report, config, map);
        Ok(())
    }

    /// The host's start-up, simulated once per run and copied for each plugin it loads.
    fn started_host(&self, host_path: &TargetPath, sim: &Simulation<'_>) -> LinkMap {
        let key = host_path.as_bytes().to_vec();
        let lock = || self.started_hosts.lock().unwrap_or_else(|p| p.into_inner());
        let cached = lock().get(&key).cloned();
        let started = cached.unwrap_or_else(|| {
            let started = Arc::new(sim.start_up(&self.store, &self.env));
            lock().entry(key).or_insert(started).clone()
        });
        (*started).clone()
    }

    /// The report's loader section and what loading and binding found.
    fn finish(
        &self,
        report: &mut Report,
        config: &LoaderConfig,
        map: LinkMap,
        _sim: &Simulation<'_>,
    ) {
        if self.detail {
            report.objects = map.objects();
        }
        self.finish_common(report, config, map);
    }

    fn finish_common(&self, report: &mut Report, config: &LoaderConfig, mut map: LinkMap) {
        if let Some(packages) = &self.packages {
            for object in &mut report.objects {
                object.package = packages
                    .owner(self.store.root(), object.path.as_bytes())
                    .map(|p| p.to_string());
            }
        }
        describe_loader(&mut report.loader, config);
        if let Some(builtin) = self.builtin {
            describe_builtin(report, &mut map, builtin);
        }
        if self.detail {
            report.search = std::mem::take(&mut map.steps);
        }
        report.warnings = std::mem::take(&mut map.warnings);
        if report.problems.is_empty() {
            // The link map's findings, moved as one vector rather than one by one.
            report.problems = std::mem::take(&mut map.problems);
        } else {
            report.problems.extend(std::mem::take(&mut map.problems));
        }
        // The package that provides a missing library is for the reader: none under `--quiet`.
        if let Some(release) = self.release.as_deref().filter(|_| self.fixes) {
            name_packages(release, &mut report.problems);
            name_packages(release, &mut report.host_problems);
        }
        report.omitted_problems += map.omitted_problems;
        report.dlopen_dependencies = std::mem::take(&mut map.dlopen_dependencies);
    }

    fn simulation<'s>(
        &'s self,
        config: &'s LoaderConfig,
        main: &MainFile,
        style: Style,
    ) -> Simulation<'s> {
        Simulation {
            config,
            main: main_node(main),
            style,
            keep_steps: self.detail,
            terse: !self.fixes,
        }
    }

    /// The target's own loader for `arch`, used to list a shared object: glibc's ld.so when
    /// the target has one, else musl's (gcompat's stub only when nothing else is there).
    fn root_loader(&self, arch: Arch) -> RootLoader {
        let known = self
            .root_loaders
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&arch)
            .cloned();
        if let Some(known) = known {
            return known;
        }
        let found = self.find_root_loader(arch);
        self.root_loaders
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(arch, found.clone());
        found
    }

    fn find_root_loader(&self, arch: Arch) -> RootLoader {
        let info = arch.info();
        let musl = format!("/lib/ld-musl-{}.so.1", info.musl_arch).into_bytes();
        let mut stub = None;
        for interp in info
            .glibc_interpreters
            .iter()
            .map(|s| s.as_bytes().to_vec())
        {
            let entry = self.loader(&interp, arch);
            match &*entry {
                Ok(LoaderConfig::Glibc(_)) => return Some((interp, entry)),
                Ok(LoaderConfig::Musl(_)) => stub = stub.or(Some((interp, entry))),
                Err(_) => {}
            }
        }
        let entry = self.loader(&musl, arch);
        if entry.is_ok() {
            return Some((musl, entry));
        }
        stub
    }

    /// Is `path` a dynamically linked program of `arch` in the target (a host candidate)?
    fn runnable_program(&self, path: &[u8], arch: Arch) -> bool {
        matches!(
            self.store.open(path),
            Ok(Opened::Elf { parsed, .. })
                if parsed.object.interpreter.is_some()
                    && arch_of(&parsed.object.header) == Some(arch)
        )
    }

    fn loader(&self, interp: &[u8], arch: Arch) -> LoaderEntry {
        let key = (interp.to_vec(), arch);
        if let Some(c) = self.lock().get(&key) {
            return c.clone();
        }
        let entry = Arc::new(loader_config::detect(&self.store, interp, arch));
        self.lock().entry(key).or_insert(entry).clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(Vec<u8>, Arch), LoaderEntry>> {
        self.loaders.lock().unwrap_or_else(|e| e.into_inner())
    }
}

type LoaderConfigRef = Result<LoaderConfig, InterpFailure>;

/// A shared object in the loader's sense: ET_DYN with a dynamic section and no PT_INTERP,
/// not flagged as a (static-)PIE executable.
fn is_shared_object(obj: &ElfObject) -> bool {
    obj.header.e_type == ET_DYN
        && obj.interpreter.is_none()
        && obj.dynamic.as_ref().is_some_and(|d| !d.pie())
}

fn main_node(main: &MainFile) -> MapObject {
    MapObject {
        parsed: main.parsed.clone(),
        resolved: main.resolved.clone(),
        name: main.argv0.clone(),
        names: Vec::new(),
        loader: None,
        needed: Vec::new(),
        via: Via::Direct,
        role: Role::Main,
        shortname: None,
    }
}

fn describe_loader(info: &mut LoaderInfo, config: &LoaderConfig) {
    match config {
        LoaderConfig::Glibc(cfg) => {
            info.flavor = Flavor::Glibc;
            info.found = true;
            info.path = Some(cfg.ldso_resolved.path.display());
            info.version = cfg.version_known.then(|| cfg.version.to_string());
        }
        LoaderConfig::Musl(cfg) => {
            info.flavor = Flavor::Musl;
            info.found = true;
            info.path = Some(cfg.ldso_resolved.path.display());
            info.version = cfg.version.clone();
            info.gcompat = cfg.gcompat_preload.is_some();
        }
    }
}

/// What a built-in target adds: the libraries its tables do not describe, the symbols that
/// could not be checked because of them, and how to get a described library that is absent.
fn describe_builtin(report: &mut Report, map: &mut LinkMap, builtin: &BuiltinRoot) {
    for &idx in &map.scope {
        let node = &map.nodes[idx];
        if node.via == Via::Unknown {
            let library = lossy(&node.needed);
            let release = builtin.name();
            let packages = providers(release, &library);
            let mut hint = builtin.unknown_hint().to_owned();
            if !packages.is_empty() {
                hint.push_str(&format!(
                    "; {release} has it in {} {}",
                    if packages.len() == 1 {
                        "package"
                    } else {
                        "packages"
                    },
                    packages.join(", ")
                ));
            } else if ldsim_tables::packages::knows(release) {
                hint.push_str(&format!(
                    "; no package of {release} has a library of that name"
                ));
            }
            report.unknown_libraries.push(UnknownLibrary {
                library,
                needed_by: node
                    .loader
                    .map(|l| lossy(&map.nodes[l].name))
                    .unwrap_or_default(),
                hint,
                packages,
            });
        }
    }
    report.unverified_symbols = std::mem::take(&mut map.unverified).into_iter().collect();
    for finding in &mut map.problems {
        if let Problem::MissingLibrary {
            library, reason, ..
        } = &mut finding.problem
        {
            if let Some(hint) = builtin.absent_hint(library.as_bytes()) {
                reason.push_str("; ");
                reason.push_str(&hint);
            }
        }
    }
}

/// The packages of `release` that ship each missing library.
fn name_packages(release: &str, findings: &mut [Finding]) {
    for finding in findings {
        if let Problem::MissingLibrary {
            library, packages, ..
        } = &mut finding.problem
        {
            *packages = providers(release, library);
        }
    }
}

fn providers(release: &str, library: &str) -> Vec<String> {
    ldsim_tables::packages::providers(release, library.as_bytes())
        .unwrap_or_default()
        .into_iter()
        .map(str::to_owned)
        .collect()
}

fn guess_flavor(interp: &[u8]) -> Flavor {
    if interp.windows(7).any(|w| w == b"ld-musl") {
        Flavor::Musl
    } else {
        Flavor::Glibc
    }
}

/// How a root on disk installs packages, from the database it keeps.
fn package_tool_of(root: &Sysroot) -> Option<PackageTool> {
    let has = |path: &[u8]| root.lstat(path, &TargetPath::root()).is_ok();
    if has(b"/var/lib/dpkg/status") {
        Some(PackageTool::Apt)
    } else if has(b"/lib/apk/db/installed") {
        Some(PackageTool::Apk)
    } else if has(b"/var/lib/rpm") || has(b"/usr/lib/sysimage/rpm") {
        Some(PackageTool::Dnf)
    } else {
        None
    }
}
