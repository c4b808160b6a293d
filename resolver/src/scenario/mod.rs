//! Test scenarios: a small target root stated as data, checked by the real [`Checker`]
//! pipeline in-process. Objects are plain-data [`ElfObject`]s (as the built-in targets make
//! them, `builtin/synth.rs`), placed in a [`VirtualRoot`] and handed to the [`Store`] without
//! bytes; the loader is configured as stated instead of detected from its bytes.
//!
//! ```ignore
//! let r = Scenario::glibc("2.36")
//!     .lib("/usr/lib/libA.so.1", obj().soname("libA.so.1").defines(["a"]))
//!     .program("/t/app", obj().needs(["libA.so.1", "libB.so.1"]).calls(["a", "b"]).data(["d"]))
//!     .check("/t/app");
//! assert_eq!(
//!     r.problem_kinds(),
//!     ["missing-library libB.so.1 (first)", "undefined-symbol b (lazy)", "undefined-symbol d"]
//! );
//! ```
//!
//! Symbol names take an optional version: `name@@V` (default) or `name@V` (hidden) for a
//! definition, `name@V` for a reference (V must be declared with [`Obj::verneed`]).

use std::sync::Arc;

use ldsim_loader::arch::Arch;
use ldsim_loader::{
    elf_hash, Dynamic, ElfObject, RelocKind, RelocTable, Symbol, SymbolReloc, Verdef, Vernaux,
    Verneed, DF_1_PIE, ET_DYN, ET_EXEC, STB_GLOBAL, STB_WEAK, STT_FUNC, STT_NOTYPE, STV_DEFAULT,
    VERSYM_HIDDEN, VER_FLG_BASE, VER_FLG_WEAK,
};
use ldsim_sysroots::{Resolved, Sysroot, TargetPath, VirtualRoot};

use crate::check::{Checker, HostChoice};
use crate::environment::Environment;
use crate::loader_config::{GlibcConfig, LoaderConfig, MuslConfig};
use crate::report::{Finding, Problem, Report, When};
use crate::store::{Knowledge, Opened, Parsed, Store, Synthetic};
use ldsim_tables::objects::{executable, header};

mod rules;

/// One object stated as a few facts.
#[derive(Debug, Clone, Default)]
pub(crate) struct Obj {
    arch: Option<Arch>,
    e_type: Option<u16>,
    interp: Option<String>,
    no_interp: bool,
    soname: Option<String>,
    needed: Vec<String>,
    rpath: Option<String>,
    runpath: Option<String>,
    bind_now: bool,
    /// Version nodes besides those named by `defines` (marker versions).
    versions: Vec<String>,
    defines: Vec<String>,
    weak_refs: Vec<String>,
    calls: Vec<String>,
    /// Jump-slot calls to functions marked with a variant calling convention (st_other 0x80;
    /// the object then carries its architecture's DT_*_VARIANT_* tag).
    variant_calls: Vec<String>,
    data: Vec<String>,
    verneeds: Vec<(String, Vec<(String, bool)>)>,
}

/// A new object description.
pub(crate) fn obj() -> Obj {
    Obj::default()
}

impl Obj {
    pub fn soname(mut self, s: &str) -> Self {
        self.soname = Some(s.to_owned());
        self
    }
    /// DT_NEEDED, in order.
    pub fn needs<'a>(mut self, names: impl IntoIterator<Item = &'a str>) -> Self {
        self.needed.extend(names.into_iter().map(str::to_owned));
        self
    }
    pub fn rpath(mut self, s: &str) -> Self {
        self.rpath = Some(s.to_owned());
        self
    }
    pub fn runpath(mut self, s: &str) -> Self {
        self.runpath = Some(s.to_owned());
        self
    }
    /// DF_BIND_NOW (linked with `-z now`).
    pub fn bind_now(mut self) -> Self {
        self.bind_now = true;
        self
    }
    /// Exported functions: `name`, `name@@V` (default version) or `name@V` (hidden).
    pub fn defines<'a>(mut self, names: impl IntoIterator<Item = &'a str>) -> Self {
        self.defines.extend(names.into_iter().map(str::to_owned));
        self
    }
    /// Version nodes defined without a symbol (marker versions such as `GLIBC_2.34`).
    pub fn versions<'a>(mut self, names: impl IntoIterator<Item = &'a str>) -> Self {
        self.versions.extend(names.into_iter().map(str::to_owned));
        self
    }
    /// Undefined symbols referenced only through PLT jump slots (bound lazily by glibc).
    pub fn calls<'a>(mut self, names: impl IntoIterator<Item = &'a str>) -> Self {
        self.calls.extend(names.into_iter().map(str::to_owned));
        self
    }
    /// Undefined symbols referenced by data relocations (GLOB_DAT: bound at start-up).
    /// PLT calls to variant-calling-convention functions (aarch64 `aarch64_vector_pcs`, riscv
    /// `.variant_cc`): STO_*_VARIANT_* on the symbol, DT_*_VARIANT_* on the object.
    pub fn variant_calls<'a>(mut self, names: impl IntoIterator<Item = &'a str>) -> Self {
        self.variant_calls
            .extend(names.into_iter().map(str::to_owned));
        self
    }
    pub fn data<'a>(mut self, names: impl IntoIterator<Item = &'a str>) -> Self {
        self.data.extend(names.into_iter().map(str::to_owned));
        self
    }
    /// Undefined weak references (GLOB_DAT): never a problem when absent.
    pub fn weak<'a>(mut self, names: impl IntoIterator<Item = &'a str>) -> Self {
        self.weak_refs.extend(names.into_iter().map(str::to_owned));
        self
    }
    /// A Verneed on `file` for these versions (a trailing `?` marks a weak one: `V?`).
    pub fn verneed<'a>(mut self, file: &str, versions: impl IntoIterator<Item = &'a str>) -> Self {
        let entries = versions
            .into_iter()
            .map(|v| match v.strip_suffix('?') {
                Some(v) => (v.to_owned(), true),
                None => (v.to_owned(), false),
            })
            .collect();
        self.verneeds.push((file.to_owned(), entries));
        self
    }
    /// PT_INTERP (a program placed with [`Scenario::program`] gets the scenario's loader).
    pub fn interp(mut self, path: &str) -> Self {
        self.interp = Some(path.to_owned());
        self
    }
    /// No PT_INTERP even when placed as a program (a static-pie).
    pub fn no_interp(mut self) -> Self {
        self.no_interp = true;
        self
    }
    /// Built for another architecture than the scenario's.
    pub fn arch(mut self, arch: Arch) -> Self {
        self.arch = Some(arch);
        self
    }
    /// ET_EXEC instead of ET_DYN.
    pub fn exec(mut self) -> Self {
        self.e_type = Some(ET_EXEC);
        self
    }
    /// Another ELF type (ET_REL = 1, ET_CORE = 4).
    pub fn e_type(mut self, e_type: u16) -> Self {
        self.e_type = Some(e_type);
        self
    }

    /// The object as the loader would read it.
    fn build(&self, arch: Arch, program_interp: Option<&str>) -> ElfObject {
        let arch = self.arch.unwrap_or(arch);
        let program = program_interp.is_some();
        let e_type = self.e_type.unwrap_or(ET_DYN);
        // Verdefs: the base (the soname, as GNU ld writes it), then every version named.
        let mut version_names: Vec<String> = self.versions.clone();
        for d in &self.defines {
            if let (_, Some((v, _))) = split_version(d) {
                if !version_names.contains(&v.to_owned()) {
                    version_names.push(v.to_owned());
                }
            }
        }
        let mut verdefs = Vec::new();
        if !version_names.is_empty() {
            let base = self.soname.clone().unwrap_or_default();
            verdefs.push(verdef(1, VER_FLG_BASE, &base));
            for (i, v) in version_names.iter().enumerate() {
                verdefs.push(verdef(index(i + 2), 0, v));
            }
        }
        // Vernaux indices follow the Verdef ones.
        let mut next = index(verdefs.len().max(1) + 1);
        let verneeds: Vec<Verneed> = self
            .verneeds
            .iter()
            .map(|(file, entries)| Verneed {
                file: file.as_bytes().into(),
                entries: entries
                    .iter()
                    .map(|(name, weak)| {
                        let other = next;
                        next += 1;
                        Vernaux {
                            name: name.as_bytes().into(),
                            hash: elf_hash(name.as_bytes()),
                            flags: if *weak { VER_FLG_WEAK } else { 0 },
                            other,
                        }
                    })
                    .collect(),
            })
            .collect();
        let versioned = !verdefs.is_empty() || !verneeds.is_empty();
        let mut symbols = vec![Symbol {
            name: ldsim_loader::Name::default(),
            binding: 0,
            kind: 0,
            visibility: STV_DEFAULT,
            other: STV_DEFAULT,
            shndx: 0,
            value: 0,
            size: 0,
            versym: versioned.then_some(0),
        }];
        for d in &self.defines {
            let (name, version) = split_version(d);
            let versym = match version {
                _ if !versioned => None,
                None => Some(1),
                Some((v, default)) => {
                    let i = verdefs
                        .iter()
                        .find(|d| d.flags & VER_FLG_BASE == 0 && &*d.name == v.as_bytes())
                        .map_or(1, |d| d.index);
                    Some(if default { i } else { i | VERSYM_HIDDEN })
                }
            };
            symbols.push(Symbol {
                name: name.as_bytes().into(),
                binding: STB_GLOBAL,
                kind: STT_FUNC,
                visibility: STV_DEFAULT,
                other: STV_DEFAULT,
                shndx: 1,
                value: 0x1000,
                size: 0,
                versym,
            });
        }
        let mut relocs = Vec::new();
        let mut undefined = |name: &str, binding: u8, table, kind, other: u8| {
            let (sym, version) = split_version(name);
            let versym = match version {
                _ if !versioned => None,
                None => Some(1),
                Some((v, _)) => Some(
                    verneeds
                        .iter()
                        .flat_map(|n| &n.entries)
                        .find(|a| &*a.name == v.as_bytes())
                        .map(|a| a.other)
                        .unwrap_or_else(|| panic!("{name}: version {v} has no verneed")),
                ),
            };
            relocs.push(SymbolReloc {
                table,
                kind,
                symbol: u32::try_from(symbols.len()).unwrap_or(u32::MAX),
            });
            symbols.push(Symbol {
                name: sym.as_bytes().into(),
                binding,
                kind: STT_NOTYPE,
                visibility: STV_DEFAULT,
                other,
                shndx: 0,
                value: 0,
                size: 0,
                versym,
            });
        };
        // DT_RELA first, then DT_JMPREL (R_X86_64_GLOB_DAT = 6, R_X86_64_JUMP_SLOT = 7).
        for d in &self.data {
            undefined(d, STB_GLOBAL, RelocTable::Rela, RelocKind::Other, 0);
        }
        for d in &self.weak_refs {
            undefined(d, STB_WEAK, RelocTable::Rela, RelocKind::Other, 0);
        }
        for c in &self.calls {
            undefined(c, STB_GLOBAL, RelocTable::JmpRel, RelocKind::JumpSlot, 0);
        }
        let sto = arch.info().variant_call.as_ref().map_or(0x80, |v| v.sto);
        for c in &self.variant_calls {
            undefined(c, STB_GLOBAL, RelocTable::JmpRel, RelocKind::JumpSlot, sto);
        }
        let interpreter = if self.no_interp {
            None
        } else {
            self.interp.as_deref().or(program_interp)
        };
        let mut object = executable(arch);
        object.header = header(arch, e_type);
        object.interpreter = interpreter.map(|s| s.as_bytes().to_vec());
        object.dynamic = Some(Dynamic {
            needed: self.needed.iter().map(|n| n.as_bytes().into()).collect(),
            soname: self.soname.as_ref().map(|s| s.as_bytes().to_vec()),
            rpath: self.rpath.as_ref().map(|s| s.as_bytes().to_vec()),
            runpath: self.runpath.as_ref().map(|s| s.as_bytes().to_vec()),
            flags_1: if program && e_type == ET_DYN {
                DF_1_PIE
            } else {
                0
            },
            bind_now_tag: self.bind_now,
            variant_calls: !self.variant_calls.is_empty() && arch.info().variant_call.is_some(),
            ..Dynamic::default()
        });
        object.symbols = symbols;
        object.verdefs = verdefs;
        object.verneeds = verneeds;
        object.relocs = relocs;
        object
    }
}

/// `name`, `name@V` (hidden) or `name@@V` (default): the name and (version, default).
fn split_version(s: &str) -> (&str, Option<(&str, bool)>) {
    if let Some((name, v)) = s.split_once("@@") {
        return (name, Some((v, true)));
    }
    match s.split_once('@') {
        Some((name, v)) => (name, Some((v, false))),
        None => (s, None),
    }
}

fn index(i: usize) -> u16 {
    u16::try_from(i).unwrap_or(u16::MAX)
}

fn verdef(index: u16, flags: u16, name: &str) -> Verdef {
    Verdef {
        index,
        flags,
        hash: elf_hash(name.as_bytes()),
        name: name.as_bytes().into(),
    }
}

/// The target's loader.
#[derive(Debug, Clone)]
enum Libc {
    Glibc(ldsim_loader::Release),
    Musl(String),
    /// No loader at all.
    None,
}

#[derive(Debug, Clone)]
enum Entry {
    Object {
        path: String,
        obj: Box<Obj>,
        program: bool,
    },
    Symlink(String, String),
}

/// A small target root and the loader that runs in it.
#[derive(Debug, Clone)]
pub(crate) struct Scenario {
    arch: Arch,
    libc: Libc,
    system_dirs: Option<Vec<String>>,
    /// Symbols the loader object exports (glibc's ld.so; musl's libc, which is its loader).
    loader_exports: Vec<String>,
    sh: bool,
    entries: Vec<Entry>,
    env: Environment,
}

impl Scenario {
    fn new(libc: Libc) -> Self {
        Scenario {
            arch: Arch::X86_64,
            libc,
            system_dirs: None,
            loader_exports: Vec::new(),
            sh: true,
            entries: Vec::new(),
            env: Environment::default(),
        }
    }

    /// glibc of this release ("2.36"), x86_64 unless [`Scenario::arch`] says otherwise; its
    /// system directories are `/lib` and `/usr/lib` unless [`Scenario::system_dirs`] says.
    pub fn glibc(release: &str) -> Self {
        Scenario::new(Libc::Glibc(
            ldsim_loader::Release::parse(release).expect("glibc release as 2.NN"),
        ))
    }

    /// musl of this release ("1.2.5"): `/lib/ld-musl-$ARCH.so.1`, system path `/lib`,
    /// `/usr/local/lib`, `/usr/lib`.
    pub fn musl(release: &str) -> Self {
        Scenario::new(Libc::Musl(release.to_owned()))
    }

    /// A root with no loader at all.
    pub fn no_loader() -> Self {
        Scenario::new(Libc::None)
    }

    pub fn arch(mut self, arch: Arch) -> Self {
        self.arch = arch;
        self
    }

    pub fn system_dirs<'a>(mut self, dirs: impl IntoIterator<Item = &'a str>) -> Self {
        self.system_dirs = Some(dirs.into_iter().map(str::to_owned).collect());
        self
    }

    /// Symbols the loader itself exports (musl: all of libc).
    pub fn loader_defines<'a>(mut self, names: impl IntoIterator<Item = &'a str>) -> Self {
        self.loader_exports
            .extend(names.into_iter().map(str::to_owned));
        self
    }

    /// No `/bin/sh`: the kernel stage then reads the target's architecture from its loader.
    pub fn no_sh(mut self) -> Self {
        self.sh = false;
        self
    }

    /// LD_BIND_NOW.
    pub fn bind_now(mut self) -> Self {
        self.env.bind_now = true;
        self
    }

    pub fn ld_library_path(mut self, list: &str) -> Self {
        self.env.ld_library_path = Some(list.as_bytes().to_vec());
        self
    }

    /// A library (or any object placed as stated: no PT_INTERP unless it says).
    pub fn lib(mut self, path: &str, obj: Obj) -> Self {
        self.entries.push(Entry::Object {
            path: path.to_owned(),
            obj: Box::new(obj),
            program: false,
        });
        self
    }

    /// A program: PT_INTERP is the scenario's loader (unless stated), ET_DYN with DF_1_PIE.
    pub fn program(mut self, path: &str, obj: Obj) -> Self {
        self.entries.push(Entry::Object {
            path: path.to_owned(),
            obj: Box::new(obj),
            program: true,
        });
        self
    }

    pub fn symlink(mut self, path: &str, target: &str) -> Self {
        self.entries
            .push(Entry::Symlink(path.to_owned(), target.to_owned()));
        self
    }

    /// The loader's path (PT_INTERP of programs).
    fn interp(&self) -> String {
        let info = self.arch.info();
        match &self.libc {
            Libc::Musl(_) => format!("/lib/ld-musl-{}.so.1", info.musl_arch),
            _ => info
                .glibc_interpreters
                .first()
                .copied()
                .unwrap_or("/lib/ld.so")
                .to_owned(),
        }
    }

    /// `ldsim check PATH`.
    pub fn check(&self, path: &str) -> Report {
        self.check_with(path, &HostChoice::Auto)
    }

    /// `ldsim check PATH…` in one run: one checker, so what it learns checking one file (the
    /// parses, what binding remembers of each library) serves the next, in this order.
    pub fn check_all(&self, paths: &[&str]) -> Vec<Report> {
        self.with_checker(|checker| {
            paths
                .iter()
                .map(|path| check_path(checker, path, &HostChoice::Auto))
                .collect()
        })
    }

    /// `f` with a checker over this scenario's root.
    fn with_checker<R>(&self, f: impl FnOnce(&Checker<'_>) -> R) -> R {
        let root = self.build();
        let store = Store::synthetic(&root.sysroot, &root.objects, &root);
        let loaders = self.loader_configs(&store);
        f(&Checker::with_loaders(store, self.env.clone(), loaders))
    }

    /// `ldsim check PATH --loaded-by HOST`.
    pub fn check_loaded_by(&self, path: &str, host: &str) -> Report {
        self.check_with(path, &HostChoice::Program(TargetPath::new(host.as_bytes())))
    }

    /// `ldsim check PATH` with the host chosen.
    pub fn check_with(&self, path: &str, host: &HostChoice) -> Report {
        self.with_checker(|checker| check_path(checker, path, host))
    }

    fn build(&self) -> ScenarioRoot {
        let mut vroot = VirtualRoot::new();
        let mut objects = Vec::new();
        let mut place = |vroot: &mut VirtualRoot, path: &str, object: ElfObject| {
            vroot.file(path, Vec::new());
            objects.push((
                path.as_bytes().to_vec(),
                Arc::new(Parsed::new(object, Knowledge::Complete)),
            ));
        };
        if self.sh {
            place(&mut vroot, "/bin/sh", executable(self.arch));
        }
        let interp = self.interp();
        let exports: Vec<&str> = self.loader_exports.iter().map(String::as_str).collect();
        match &self.libc {
            Libc::Glibc(_) => {
                let soname = interp.rsplit('/').next().unwrap_or(&interp).to_owned();
                let ld = obj().soname(&soname).defines(exports);
                place(&mut vroot, &interp, ld.build(self.arch, None));
            }
            // musl's libc has no DT_SONAME and no versions; it is its own loader.
            Libc::Musl(_) => place(
                &mut vroot,
                &interp,
                obj().defines(exports).build(self.arch, None),
            ),
            Libc::None => {}
        }
        for entry in &self.entries {
            match entry {
                Entry::Object { path, obj, program } => {
                    let object = obj.build(self.arch, program.then_some(interp.as_str()));
                    place(&mut vroot, path, object);
                }
                Entry::Symlink(path, target) => {
                    vroot.symlink(path, target);
                }
            }
        }
        ScenarioRoot {
            sysroot: vroot.into_sysroot("scenario".to_owned()),
            objects,
        }
    }

    fn loader_configs(&self, store: &Store<'_>) -> Vec<((Vec<u8>, Arch), LoaderConfig)> {
        let interp = self.interp();
        let Ok(Opened::Elf { resolved, parsed }) = store.open(interp.as_bytes()) else {
            return Vec::new();
        };
        let info = self.arch.info();
        let config = match &self.libc {
            Libc::None => return Vec::new(),
            Libc::Glibc(version) => LoaderConfig::Glibc(GlibcConfig {
                arch: self.arch,
                interp: interp.as_bytes().to_vec(),
                ldso: parsed,
                ldso_resolved: resolved,
                version: *version,
                version_known: true,
                system_dirs: self
                    .system_dirs
                    .clone()
                    .unwrap_or_else(|| vec!["/lib".into(), "/usr/lib".into()])
                    .into_iter()
                    .map(String::into_bytes)
                    .collect(),
                lib_dst: info.glibc_lib_dst.as_bytes().to_vec(),
                platform: info.platform.as_bytes().to_vec(),
                cache_path: b"/etc/ld.so.cache".to_vec(),
                cache: None,
                preload_file: Vec::new(),
                tunables: None,
            }),
            Libc::Musl(version) => LoaderConfig::Musl(MuslConfig {
                ldso_name: interp.as_bytes().to_vec(),
                ldso: parsed,
                ldso_resolved: resolved,
                system_path: self
                    .system_dirs
                    .clone()
                    .unwrap_or_else(|| {
                        vec!["/lib".into(), "/usr/local/lib".into(), "/usr/lib".into()]
                    })
                    .into_iter()
                    .map(String::into_bytes)
                    .collect(),
                path_file: format!("/etc/ld-musl-{}.path", info.musl_arch).into_bytes(),
                path_file_error: None,
                version: Some(version.clone()),
                lfs64_remap: true,
                gcompat_preload: None,
            }),
        };
        vec![((interp.into_bytes(), self.arch), config)]
    }
}

/// The in-memory root of a scenario: nothing outside it exists (no unknown stand-ins).
#[derive(Debug)]
struct ScenarioRoot {
    sysroot: Sysroot,
    objects: Vec<(Vec<u8>, Arc<Parsed>)>,
}

impl Synthetic for ScenarioRoot {
    fn unknown_library(&self, _name: &[u8]) -> Option<(Resolved, Arc<Parsed>)> {
        None
    }
}

/// A report in a few words, for assertions.
pub(crate) trait Summary {
    /// `kind subject [details] (flags)` per problem, in report order: e.g.
    /// `missing-library libB.so.1 (first)`, `undefined-symbol f version V (lazy)`,
    /// `missing-version V libA.so.1`.
    fn problem_kinds(&self) -> Vec<String>;
    /// The same for the host program's own problems (`--loaded-by`).
    fn host_problem_kinds(&self) -> Vec<String>;
    /// The loader's message of every problem, in report order.
    fn messages(&self) -> Vec<&str>;
    /// The message of the problem the real run stops at.
    fn first_message(&self) -> Option<&str>;
}

impl Summary for Report {
    fn problem_kinds(&self) -> Vec<String> {
        self.problems.iter().map(kind_of).collect()
    }
    fn host_problem_kinds(&self) -> Vec<String> {
        self.host_problems.iter().map(kind_of).collect()
    }
    fn messages(&self) -> Vec<&str> {
        self.problems.iter().map(|f| f.message()).collect()
    }
    fn first_message(&self) -> Option<&str> {
        self.first_problem().map(Problem::message)
    }
}

fn kind_of(f: &Finding) -> String {
    let mut flags = Vec::new();
    let text = match &f.problem {
        Problem::MissingInterpreter { interpreter, .. } => {
            format!("missing-interpreter {interpreter}")
        }
        Problem::WrongClass { found, .. } => format!("wrong-class {found}"),
        Problem::WrongMachine { found, .. } => format!("wrong-machine {found}"),
        Problem::NotLoadable { found, .. } => format!("not-loadable {found}"),
        Problem::MissingLibrary { library, .. } => format!("missing-library {library}"),
        Problem::BadLibrary { library, .. } => format!("bad-library {library}"),
        Problem::MissingVersion {
            library,
            version,
            weak,
            provider,
            ..
        } => {
            if *weak {
                flags.push("weak");
            }
            if provider.is_none() {
                flags.push("assertion");
            }
            format!("missing-version {version} {library}")
        }
        Problem::IsaLevel { object, .. } => format!("isa-level {object}"),
        Problem::UndefinedSymbol {
            symbol,
            version,
            when,
            ..
        } => {
            if *when == When::FirstCall {
                flags.push("lazy");
            }
            match version {
                Some(v) => format!("undefined-symbol {symbol} version {v}"),
                None => format!("undefined-symbol {symbol}"),
            }
        }
        Problem::GoCpuLevel { required, .. } => format!("go-cpu-level v{required}"),
        Problem::MissingDlopenDependency { library, .. } => {
            format!("missing-dlopen-dependency {library}")
        }
    };
    if f.first {
        flags.push("first");
    }
    if flags.is_empty() {
        text
    } else {
        format!("{text} ({})", flags.join(", "))
    }
}

fn check_path(checker: &Checker<'_>, path: &str, host: &HostChoice) -> Report {
    checker
        .check_loaded_by(&TargetPath::new(path.as_bytes()), path, host)
        .unwrap_or_else(|e| panic!("check {path}: {e}"))
}
