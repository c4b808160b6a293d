//! A static glibc program on the target: what it loads at run time and whether the target's
//! glibc is the release those modules must come from (loader-facts §12.2).
//!
//! The program's own copy of the loader dlopens each module with the target's ld.so.cache
//! and default directories, and each module binds to the target's libc.so.6 and ld.so: a
//! dlopen from the started program, simulated with the target's glibc rules. The modules
//! that would load are named from the target's `/etc/nsswitch.conf` as glibc reads it
//! ([`crate::nss`]); which databases the program queries is not in the file, so every
//! database's services are named.

use super::{Checker, MainFile};
use crate::loader_config::LoaderConfig;
use crate::nss;
use crate::report::{ReleaseMatch, RuntimeModule, StaticGlibcInfo};
use crate::voice::Style;
use ldsim_loader::arch::Arch;
use ldsim_loader::static_glibc::StaticGlibc;
use ldsim_sysroots::TargetPath;
use std::sync::Arc;

/// Where glibc reads its NSS configuration (nss/nss_database.c: _PATH_NSSWITCH_CONF).
const NSSWITCH_CONF: &[u8] = b"/etc/nsswitch.conf";
/// At most this many distinct modules are simulated (a real file names a handful; a
/// hostile one cannot make hundreds of dlopens).
const MAX_MODULES: usize = 32;

impl Checker<'_> {
    /// `None` unless `main` (a static program) carries glibc.
    pub(super) fn static_glibc(&self, main: &MainFile, arch: Arch) -> Option<StaticGlibcInfo> {
        let runtime = self.scan_static_glibc(main)?;
        let target = self.root_loader(arch).and_then(|(_, entry)| match &*entry {
            Ok(LoaderConfig::Glibc(_)) => Some(entry),
            _ => None,
        });
        let glibc = target.as_deref().and_then(|entry| match entry {
            Ok(LoaderConfig::Glibc(cfg)) => Some(cfg),
            _ => None,
        });
        let (release_match, only_in_program, only_in_target) = match glibc {
            None if self.builtin.is_some() => (ReleaseMatch::Unknown, Vec::new(), Vec::new()),
            None => (ReleaseMatch::NoGlibc, Vec::new(), Vec::new()),
            Some(cfg) => compare(&runtime.tunables, cfg.tunables.as_deref()),
        };
        let built_in: Vec<String> = if runtime.nss_built_in {
            vec!["files".into(), "dns".into()]
        } else {
            Vec::new()
        };
        let mut info = StaticGlibcInfo {
            release_match,
            target_glibc: glibc
                .filter(|cfg| cfg.version_known)
                .map(|cfg| cfg.version.to_string()),
            tunables_only_in_program: only_in_program,
            tunables_only_in_target: only_in_target,
            nss: runtime.nss,
            built_in_services: if runtime.nss {
                built_in.clone()
            } else {
                Vec::new()
            },
            nss_config: None,
            nss_config_rejected: None,
            modules: Vec::new(),
            gconv_dir: runtime.gconv_dir.as_deref().map(str::to_owned),
            gconv_dir_present: None,
            at_risk: false,
            fix: None,
        };
        // A built-in target has no files to read: what the program carries is all it says.
        if self.builtin.is_some() {
            return Some(info);
        }
        info.gconv_dir_present = runtime.gconv_dir.as_deref().map(|dir| {
            self.store
                .root()
                .resolve(dir.as_bytes(), &TargetPath::root())
                .is_ok()
        });
        let mut wanted: Vec<(String, Vec<String>)> = Vec::new();
        if runtime.nss {
            let file = self.store.read_bytes(NSSWITCH_CONF).ok();
            let config = nss::read(file.as_deref());
            info.nss_config = Some(if file.is_some() {
                lossy_path(NSSWITCH_CONF)
            } else {
                "glibc's defaults (the target has no /etc/nsswitch.conf)".to_owned()
            });
            info.nss_config_rejected = config.rejected;
            for database in config
                .databases
                .iter()
                .filter(|d| consulted(d, &config.databases))
            {
                for service in &database.services {
                    if built_in.contains(service) {
                        continue;
                    }
                    let module = format!("libnss_{service}.so.2");
                    let full = wanted.len() >= MAX_MODULES;
                    match wanted.iter_mut().find(|(m, _)| *m == module) {
                        Some((_, used)) => used.push(database.name.to_owned()),
                        None if !full => wanted.push((module, vec![database.name.to_owned()])),
                        None => {}
                    }
                }
            }
        }
        if runtime.idn {
            wanted.push(("libidn2.so.0".to_owned(), vec!["idn".to_owned()]));
        }
        info.modules = wanted
            .into_iter()
            .map(|(module, used_for)| {
                let (found, error) = match &target {
                    Some(entry) => match &**entry {
                        Ok(config) => self.dlopen_from_static(main, config, module.as_bytes()),
                        Err(_) => (None, None),
                    },
                    // No glibc to bind to: not simulated (neither found nor refused).
                    None => (None, None),
                };
                RuntimeModule {
                    module,
                    used_for,
                    found,
                    error,
                }
            })
            .collect();
        let mismatch = matches!(
            info.release_match,
            ReleaseMatch::TargetNewer | ReleaseMatch::TargetOlder | ReleaseMatch::Different
        );
        // Before 2.34 even `files` is a module: without it, no lookup finds anything.
        let files_missing = runtime.nss
            && !runtime.nss_built_in
            && info
                .modules
                .iter()
                .any(|m| m.module == "libnss_files.so.2" && m.found.is_none());
        info.at_risk = mismatch && info.modules.iter().any(|m| m.found.is_some())
            || files_missing
            || info.nss_config_rejected.is_some();
        if info.at_risk {
            info.fix = Some(fix(
                main.parsed.object.go_build_id,
                info.target_glibc.as_deref(),
            ));
        }
        Some(info)
    }

    /// The program's glibc runtime, scanned once per file.
    fn scan_static_glibc(&self, main: &MainFile) -> Option<Arc<StaticGlibc>> {
        main.parsed
            .static_glibc
            .get_or_init(|| {
                let file = self.reopen(main)?;
                let bytes = file.read_at(0, file.len()).ok()?;
                ldsim_loader::static_glibc::scan(&bytes)
                    .ok()
                    .flatten()
                    .map(Arc::new)
            })
            .clone()
    }

    /// dlopen(`module`) from the started static program: where it loads from, or what
    /// dlerror() would say.
    fn dlopen_from_static(
        &self,
        main: &MainFile,
        config: &LoaderConfig,
        module: &[u8],
    ) -> (Option<String>, Option<String>) {
        let sim = self.simulation(config, main, Style::Run);
        let started = sim.start_up(&self.store, &self.env);
        let before = started.problems.len();
        let (map, loaded) = sim.dlopen(&self.store, &self.env, started, module, 0);
        let failure = map.problems[before..]
            .iter()
            .map(|f| f.problem.message().to_owned())
            .next();
        match (loaded.first(), failure) {
            (Some(&idx), None) if !map.load_failed => {
                (Some(crate::graph::lossy(&map.nodes[idx].name)), None)
            }
            (_, failure) => (
                None,
                Some(failure.unwrap_or_else(|| {
                    format!(
                        "{}: cannot open shared object file: No such file or directory",
                        crate::graph::lossy(module)
                    )
                })),
            ),
        }
    }
}

/// Whether a lookup ever reads `db`'s line: the `*_compat` databases only through the
/// `compat` service of their base database (nss/nss_compat), `publickey` (Secure RPC keys)
/// only when the file names it, every other always.
fn consulted(db: &nss::Database, all: &[nss::Database]) -> bool {
    if let Some(base) = db.name.strip_suffix("_compat") {
        return all
            .iter()
            .any(|d| d.name == base && d.services.iter().any(|s| s == "compat"));
    }
    db.name != "publickey" || db.named
}

/// What removes the dependence on the target's glibc release.
fn fix(go: bool, target_glibc: Option<&str>) -> String {
    let build_on = target_glibc.map_or_else(
        || "the target's glibc release".to_owned(),
        |v| format!("glibc {v}, the target's release"),
    );
    if go {
        format!(
            "build with CGO_ENABLED=0 (or -tags netgo,osusergo) so that Go resolves names itself, or link dynamically, or link statically against {build_on}"
        )
    } else {
        format!(
            "link dynamically against glibc (and check the result against the target), or link statically against {build_on}, or use a C library whose static lookups load nothing (musl)"
        )
    }
}

/// Compare the program's tunables with the target ld.so's.
fn compare(
    program: &[Box<str>],
    target: Option<&[Box<str>]>,
) -> (ReleaseMatch, Vec<String>, Vec<String>) {
    let Some(target) = target.filter(|t| !t.is_empty()) else {
        return (ReleaseMatch::Unknown, Vec::new(), Vec::new());
    };
    if program.is_empty() {
        return (ReleaseMatch::Unknown, Vec::new(), Vec::new());
    }
    let only = |a: &[Box<str>], b: &[Box<str>]| -> Vec<String> {
        a.iter()
            .filter(|t| b.binary_search(t).is_err())
            .map(|t| t.to_string())
            .collect()
    };
    let (in_program, in_target) = (only(program, target), only(target, program));
    let matched = match (in_program.is_empty(), in_target.is_empty()) {
        (true, true) => ReleaseMatch::Same,
        (true, false) => ReleaseMatch::TargetNewer,
        (false, true) => ReleaseMatch::TargetOlder,
        (false, false) => ReleaseMatch::Different,
    };
    (matched, in_program, in_target)
}

fn lossy_path(path: &[u8]) -> String {
    String::from_utf8_lossy(path).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<Box<str>> {
        list.iter().map(|s| (*s).into()).collect()
    }

    #[test]
    fn tunables_decide_the_match() {
        let old = names(&["glibc.malloc.check", "glibc.rtld.nns"]);
        let new = names(&[
            "glibc.malloc.check",
            "glibc.malloc.hugetlb",
            "glibc.rtld.nns",
        ]);
        assert_eq!(compare(&old, Some(&old)).0, ReleaseMatch::Same);
        let (matched, in_program, in_target) = compare(&old, Some(&new));
        assert_eq!(matched, ReleaseMatch::TargetNewer);
        assert!(in_program.is_empty());
        assert_eq!(in_target, ["glibc.malloc.hugetlb"]);
        assert_eq!(compare(&new, Some(&old)).0, ReleaseMatch::TargetOlder);
        let other = names(&["glibc.malloc.check", "glibc.cpu.x86_ibt"]);
        assert_eq!(compare(&new, Some(&other)).0, ReleaseMatch::Different);
        assert_eq!(compare(&new, None).0, ReleaseMatch::Unknown);
        assert_eq!(compare(&new, Some(&[])).0, ReleaseMatch::Unknown);
    }
}
