//! One load-and-bind entry per loader flavour: a program's start-up (or a shared object
//! listed as the main map of a trace run) and a dlopen from a started program. Both flavours
//! produce a [`LinkMap`] whose problems are the complete list-mode set.

use ldsim_loader::arch::Arch;

use crate::bind::{self, GlibcPass, MuslPass};
use crate::environment::Environment;
use crate::glibc::Glibc;
use crate::graph::{lossy, LinkMap, MapObject, Role};
use crate::loader_config::{GlibcConfig, LoaderConfig, MuslConfig};
use crate::musl::Musl;
use crate::report::{DlopenDependency, Problem, Via};
use crate::store::Store;
use crate::voice::{Style, Voice};

/// The main object and the loader that runs it.
#[derive(Debug)]
pub(crate) struct Simulation<'s> {
    pub config: &'s LoaderConfig,
    pub main: MapObject,
    /// How problems are worded: a run, list mode (a shared object on its own) or dlerror().
    pub style: Style,
    /// Keep the trace of every path tried (`Report::search`).
    pub keep_steps: bool,
    /// No report is shown: problems are listed without their words ([`Voice::terse`]).
    pub terse: bool,
}

impl Simulation<'_> {
    fn voice(&self) -> Voice<'_> {
        Voice {
            argv0: &self.main.name,
            style: self.style,
            terse: self.terse,
        }
    }

    /// Start-up (or list mode): load everything, check versions, bind.
    pub fn start_up(&self, store: &Store<'_>, env: &Environment) -> LinkMap {
        match self.config {
            LoaderConfig::Glibc(cfg) => self.glibc_start_up(store, env, cfg),
            LoaderConfig::Musl(cfg) => self.musl_start_up(store, env, cfg),
        }
    }

    fn glibc_start_up(&self, store: &Store<'_>, env: &Environment, cfg: &GlibcConfig) -> LinkMap {
        let ldso = MapObject {
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
        let map = LinkMap {
            nodes: vec![self.main.clone(), ldso],
            scope: vec![0],
            drop_steps: !self.keep_steps,
            ..LinkMap::default()
        };
        let voice = self.voice();
        let mut map = Glibc::new(store, cfg, env, voice, map).load_program();
        if map.load_failed {
            // A hard error (not a loadable object) ends even a trace run.
            return map;
        }
        let objects = map.scope.clone();
        let missing = bind::glibc_versions(&mut map, &objects, voice);
        if cfg.arch == Arch::X86_64 && cfg.version >= ldsim_loader::Release::new(2, 33, 0) {
            bind::glibc_isa_levels(&mut map, &objects, voice.argv0, env.cpu.0);
        }
        let _ = missing;
        bind::glibc_symbols(
            &mut map,
            GlibcPass {
                objects: &objects,
                scope: &objects,
                bind_now: env.bind_now,
                dlopen: self.style != Style::Run,
                glibc_version: cfg.version,
            },
            voice,
        );
        map
    }

    fn musl_start_up(&self, store: &Store<'_>, env: &Environment, cfg: &MuslConfig) -> LinkMap {
        let ldso = MapObject {
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
            store,
            cfg,
            env,
            map: LinkMap {
                nodes: vec![self.main.clone(), ldso],
                scope: vec![0],
                drop_steps: !self.keep_steps,
                ..LinkMap::default()
            },
            ldso: 1,
            tried: Vec::new(),
        };
        let mut map = sim.load_program();
        // Libraries in list order, the main program last (ldso/dynlink.c: __dls3).
        let mut order: Vec<usize> = map.scope.iter().skip(1).copied().collect();
        order.push(map.scope[0]);
        let scope = map.scope.clone();
        bind::musl_symbols(
            &mut map,
            MuslPass {
                order: &order,
                scope: &scope,
                lfs64_remap: cfg.lfs64_remap,
                ldso: 1,
                terse: self.terse,
            },
            &self.main.name,
        );
        map
    }

    /// dlopen(`file`, RTLD_NOW) called by `caller` in a started program's `map`: returns the
    /// map and the opened object's search list.
    pub fn dlopen(
        &self,
        store: &Store<'_>,
        env: &Environment,
        mut map: LinkMap,
        file: &[u8],
        caller: usize,
    ) -> (LinkMap, Vec<usize>) {
        map.load_failed = false;
        map.unverified.clear();
        let voice = Voice {
            argv0: &self.main.name,
            style: Style::Dlerror,
            terse: self.terse,
        };
        match self.config {
            LoaderConfig::Glibc(cfg) => {
                let before = map.nodes.len();
                let global = map.scope.clone();
                let (mut map, local) =
                    Glibc::new(store, cfg, env, voice, map).load_dlopen(file, caller);
                if map.load_failed && local.is_empty() {
                    return (map, local);
                }
                if map.load_failed {
                    return (map, local);
                }
                // Only the objects this dlopen mapped are checked and relocated
                // (elf/dl-open.c: dl_open_worker), in the scope [global, local].
                let new: Vec<usize> = local.iter().copied().filter(|&i| i >= before).collect();
                let mut scope = global;
                for &i in &local {
                    if !scope.contains(&i) {
                        scope.push(i);
                    }
                }
                bind::glibc_versions(&mut map, &new, voice);
                bind::glibc_symbols(
                    &mut map,
                    GlibcPass {
                        objects: &new,
                        scope: &scope,
                        bind_now: true,
                        dlopen: true,
                        glibc_version: cfg.version,
                    },
                    voice,
                );
                (map, local)
            }
            LoaderConfig::Musl(cfg) => {
                let ldso = interpreter_index(&map);
                let (mut map, new) = Musl::started(store, cfg, env, map).load_dlopen(file);
                if new.is_empty() {
                    return (map, new);
                }
                let scope = map.scope.clone();
                bind::musl_symbols(
                    &mut map,
                    MuslPass {
                        order: &new,
                        scope: &scope,
                        lfs64_remap: cfg.lfs64_remap,
                        ldso,
                        terse: self.terse,
                    },
                    &self.main.name,
                );
                (map, new)
            }
        }
    }
}

impl Simulation<'_> {
    /// `.note.dlopen` dependencies (the ELF dlopen metadata of systemd and others) of the
    /// `objects`, each simulated as `dlopen(soname)` from the declaring object: the first
    /// alternative that is found satisfies it. A `required` one that is not found is a
    /// problem (the program fails when it calls dlopen); the others are only reported.
    pub fn dlopen_notes(
        &self,
        store: &Store<'_>,
        env: &Environment,
        mut map: LinkMap,
        objects: &[usize],
    ) -> LinkMap {
        let declared: Vec<(usize, ldsim_loader::DlopenDependency)> = objects
            .iter()
            .flat_map(|&i| {
                map.nodes[i]
                    .parsed
                    .object
                    .dlopen_notes
                    .iter()
                    .map(move |d| (i, d.clone()))
            })
            .collect();
        for (idx, dep) in declared {
            let mut found = None;
            let mut error = None;
            for soname in &dep.sonames {
                let (back, result) = self.probe(store, env, map, soname, idx);
                map = back;
                match result {
                    Ok(path) => {
                        found = Some(lossy(&path));
                        break;
                    }
                    Err(e) => error = Some(e),
                }
            }
            let declared_by = if map.nodes[idx].role == Role::Main {
                lossy(&self.main.name)
            } else {
                lossy(&map.nodes[idx].name)
            };
            let sonames: Vec<String> = dep.sonames.iter().map(|s| lossy(s)).collect();
            if found.is_none() && dep.priority == ldsim_loader::DlopenPriority::Required {
                map.problems.push(
                    Problem::MissingDlopenDependency {
                        library: sonames.join(" | "),
                        required_by: declared_by.clone(),
                        feature: dep.feature.clone(),
                        message: error.clone().unwrap_or_default(),
                        reason: format!(
                            "{declared_by} declares {} as a required dlopen dependency (.note.dlopen{}); none of it can be loaded, so the program fails when it calls dlopen",
                            sonames.join(" or "),
                            dep.feature.as_deref().map(|f| format!(", feature {f}")).unwrap_or_default()
                        ),
                    }
                    .into(),
                );
            }
            map.dlopen_dependencies.push(DlopenDependency {
                declared_by,
                sonames,
                feature: dep.feature.clone(),
                priority: dep.priority.as_str().to_owned(),
                error: if found.is_some() { None } else { error },
                found,
            });
        }
        map
    }

    fn probe(
        &self,
        store: &Store<'_>,
        env: &Environment,
        map: LinkMap,
        name: &[u8],
        from: usize,
    ) -> (LinkMap, Result<Vec<u8>, String>) {
        // The probe's error is the dependency's `error`: always worded.
        let voice = Voice {
            argv0: &self.main.name,
            style: Style::Dlerror,
            terse: false,
        };
        match self.config {
            LoaderConfig::Glibc(cfg) => Glibc::new(store, cfg, env, voice, map).probe(name, from),
            LoaderConfig::Musl(cfg) => Musl::started(store, cfg, env, map).probe(name, from),
        }
    }
}

/// Where musl (its libc, its own loader) is in a started program's map.
pub(crate) fn interpreter_index(map: &LinkMap) -> usize {
    map.nodes
        .iter()
        .position(|n| n.role == Role::Interpreter)
        .unwrap_or(0)
}

/// The object whose code calls dlopen: an interpreter's shared runtime when the program is
/// only a thin launcher (libpython3.X.so of a CPython built with --enable-shared, libnode),
/// else the main program. Its DT_RPATH is searched (elf/dl-load.c: _dl_map_object, `loader`).
pub(crate) fn dlopen_caller(map: &LinkMap) -> usize {
    map.scope
        .iter()
        .copied()
        .find(|&i| {
            map.nodes[i]
                .parsed
                .object
                .soname()
                .is_some_and(|s| s.starts_with(b"libpython") || s.starts_with(b"libnode.so"))
        })
        .unwrap_or(0)
}
