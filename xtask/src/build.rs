//! Compiling fixture programs and libraries into staging trees that mirror the target roots.
//!
//! Three staging trees per run: `stage` (copied into every root before ldconfig), `late`
//! (copied after ldconfig, for the stale-cache case) and `link` (link-time-only libraries,
//! never installed).

use crate::util::{in_root, make_parent, run};
use anyhow::{Context, Result};
use ldsim_tests::manifest::{Case, PluginCase};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A libc flavour and the compiler driver that targets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flavour {
    pub name: &'static str,
    pub cc: &'static str,
}

pub const GLIBC: Flavour = Flavour {
    name: "glibc",
    cc: "gcc",
};
pub const MUSL: Flavour = Flavour {
    name: "musl",
    cc: "musl-gcc",
};

/// Where a built file goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Installed in every root before ldconfig runs.
    Stage,
    /// Installed after ldconfig (so the cache does not know it).
    Late,
    /// Only linked against; never installed.
    Link,
}

/// The staging directories shared by all cases.
#[derive(Debug)]
pub struct Dirs {
    pub src: PathBuf,
    pub stage: PathBuf,
    pub late: PathBuf,
    pub link: PathBuf,
    /// The Debian 12 base root, whose CPython headers the extension modules are built against.
    pub python_root: Option<PathBuf>,
}

impl Dirs {
    pub fn new(src: &Path, work: &Path) -> Self {
        Dirs {
            src: src.to_path_buf(),
            stage: work.join("stage"),
            late: work.join("late"),
            link: work.join("link"),
            python_root: None,
        }
    }
}

/// Builds one case for one flavour; every executable becomes a manifest entry.
#[derive(Debug)]
pub struct CaseBuild<'a> {
    pub fl: Flavour,
    pub case: &'static str,
    dirs: &'a Dirs,
    pub programs: Vec<Case>,
    /// Shared objects checked on their own (list mode); roots already chosen.
    pub shared_objects: Vec<Case>,
    /// Plugins (and CPython extensions, with `module` set); roots already chosen.
    pub plugins: Vec<PluginCase>,
    /// Files with `.note.dlopen` dependencies; roots already chosen.
    pub dlopen_notes: Vec<Case>,
}

impl<'a> CaseBuild<'a> {
    pub fn new(fl: Flavour, case: &'static str, dirs: &'a Dirs) -> Self {
        CaseBuild {
            fl,
            case,
            dirs,
            programs: Vec::new(),
            shared_objects: Vec::new(),
            plugins: Vec::new(),
            dlopen_notes: Vec::new(),
        }
    }

    /// The Debian 12 base root (for its CPython headers), when the caller set one.
    pub fn python_root(&self) -> Option<&Path> {
        self.dirs.python_root.as_deref()
    }

    /// The roots a file built for this flavour is checked in: the glibc roots for glibc, the
    /// musl root for musl.
    pub fn own_roots(&self) -> Vec<String> {
        let names: &[&str] = if self.fl == GLIBC {
            &["glibc", "bullseye"]
        } else {
            &["musl"]
        };
        names.iter().map(|s| s.to_string()).collect()
    }

    /// Records a shared object at target path `target`, checked on its own in `roots`.
    pub fn record_shared_object(&mut self, name: &str, target: &str, roots: Vec<String>) {
        self.shared_objects.push(Case {
            name: name.to_string(),
            flavour: self.fl.name.to_string(),
            program: target.to_string(),
            env: BTreeMap::new(),
            roots,
        });
    }

    /// Records a file at target path `target` whose `.note.dlopen` dependencies are checked in
    /// `roots`.
    pub fn record_dlopen_note(&mut self, name: &str, target: &str, roots: Vec<String>) {
        self.dlopen_notes.push(Case {
            name: name.to_string(),
            flavour: self.fl.name.to_string(),
            program: target.to_string(),
            env: BTreeMap::new(),
            roots,
        });
    }

    /// Records a plugin at `plugin` loaded by `host` in `roots`.
    pub fn record_plugin(&mut self, plugin: &str, host: &str, roots: Vec<String>) {
        self.plugins.push(PluginCase {
            name: self.case.to_string(),
            flavour: self.fl.name.to_string(),
            plugin: plugin.to_string(),
            host: host.to_string(),
            roots,
            env: BTreeMap::new(),
            module: None,
        });
    }

    /// The case's private directory inside the roots: `/t/<flavour>/<case>/<rel>`.
    pub fn t(&self, rel: &str) -> String {
        format!("/t/{}/{}/{}", self.fl.name, self.case, rel)
    }

    /// A source file under tests/fixtures-src.
    pub fn src(&self, rel: &str) -> String {
        self.dirs.src.join(rel).to_string_lossy().into_owned()
    }

    /// The host path a target path is staged at.
    pub fn host(&self, place: Place, target: &str) -> PathBuf {
        let root = match place {
            Place::Stage => &self.dirs.stage,
            Place::Late => &self.dirs.late,
            Place::Link => &self.dirs.link,
        };
        in_root(root, target)
    }

    /// `-Wl,-rpath-link,DIR` for a staged target directory, so ld can follow NEEDED chains.
    pub fn rpath_link(&self, place: Place, target_dir: &str) -> String {
        format!("-Wl,-rpath-link,{}", self.host(place, target_dir).display())
    }

    /// `-Wl,-rpath-link` for the directory of every staged library among `args`, so ld finds
    /// the NEEDED entries of those libraries next to them.
    fn rpath_links(&self, args: &[String]) -> Vec<String> {
        let staged = [&self.dirs.stage, &self.dirs.late, &self.dirs.link];
        let mut out: Vec<String> = Vec::new();
        for arg in args {
            let path = Path::new(arg);
            if !staged.iter().any(|d| path.starts_with(d)) || !arg.contains(".so") {
                continue;
            }
            if let Some(dir) = path.parent() {
                let flag = format!("-Wl,-rpath-link,{}", dir.display());
                if !out.contains(&flag) {
                    out.push(flag);
                }
            }
        }
        out
    }

    /// Runs the flavour's compiler with `args`, output to `out`.
    pub fn cc_with(&self, cc: &str, out: &Path, args: &[String]) -> Result<()> {
        make_parent(out)?;
        run(Command::new(cc).args(args).arg("-o").arg(out))
            .with_context(|| format!("building {} ({})", self.case, self.fl.name))
    }

    /// A shared library with `soname` at `target` in `place`; returns its host path
    /// (pass it to a later link to record the soname as DT_NEEDED).
    pub fn lib(&self, place: Place, target: &str, soname: &str, args: &[String]) -> Result<String> {
        let out = self.host(place, target);
        let mut full = vec![
            "-shared".to_string(),
            "-fPIC".to_string(),
            format!("-Wl,-soname,{soname}"),
        ];
        full.extend_from_slice(args);
        self.cc_with(self.fl.cc, &out, &full)?;
        Ok(out.to_string_lossy().into_owned())
    }

    /// An executable at `/t/<flavour>/<case>/<rel>`, recorded in the manifest with `env`.
    pub fn exe(&mut self, rel: &str, args: &[String], env: &[(&str, &str)]) -> Result<()> {
        let target = self.t(rel);
        let out = self.host(Place::Stage, &target);
        let mut full = args.to_vec();
        full.extend(self.rpath_links(args));
        self.cc_with(self.fl.cc, &out, &full)?;
        self.record(rel, env);
        Ok(())
    }

    /// Records an already-built program at `/t/<flavour>/<case>/<rel>`.
    pub fn record(&mut self, rel: &str, env: &[(&str, &str)]) {
        let base = rel.rsplit('/').next().unwrap_or(rel);
        let name = if base == "main" {
            self.case.to_string()
        } else {
            format!("{}/{base}", self.case)
        };
        self.programs.push(Case {
            name,
            flavour: self.fl.name.to_string(),
            program: self.t(rel),
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>(),
            roots: Vec::new(),
        });
    }
}

/// Owned compiler arguments from string slices.
pub fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}
