//! The fixture manifest written by `cargo xtask fixtures` and read by the tests.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// `$LDSIM_FIXTURES/manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Root name ("glibc", "bullseye", "musl", "gcompat") → absolute host path.
    pub roots: BTreeMap<String, PathBuf>,
    /// The host CPU level the real loaders pick hwcaps copies for, e.g. "x86-64-v3".
    pub cpu_level: String,
    /// Programs: run in each of their roots (the differential test runs every one).
    pub cases: Vec<Case>,
    /// Shared objects (ET_DYN, no PT_INTERP) checked on their own, as the root's loader lists
    /// them; `Case::program` is the object's path.
    #[serde(default)]
    pub shared_objects: Vec<Case>,
    /// Plugins dlopen'ed (RTLD_NOW) by a host program.
    #[serde(default)]
    pub plugins: Vec<PluginCase>,
    /// CPython extension modules, imported by the root's python3 (`host` is the interpreter).
    #[serde(default)]
    pub python_extensions: Vec<PluginCase>,
    /// Files declaring `.note.dlopen` dependencies (a program and the shared object it links
    /// against), each checked in its roots against the real dlopen of every declared soname
    /// (tests/tests/dlopen_notes.rs); `Case::program` is the file's path. Not in `cases`: ldsim
    /// reports a missing required dependency as `fails-on-call`, a run that never calls dlopen
    /// cannot show it.
    #[serde(default)]
    pub dlopen_notes: Vec<Case>,
}

/// A shared object loaded at run time by `host` (dlopen(plugin, RTLD_NOW), or a CPython import).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginCase {
    /// The rule it proves, e.g. "plugin_rpath_from_host".
    pub name: String,
    /// "glibc" or "musl": how the plugin (and host) were built.
    pub flavour: String,
    /// Absolute path of the plugin inside the roots.
    pub plugin: String,
    /// Absolute path of the host program inside the roots.
    pub host: String,
    /// Names of the roots it is checked in.
    pub roots: Vec<String>,
    /// Environment for the host's run.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// For CPython extensions: the module name to import (`import NAME` with the plugin's
    /// directory first on sys.path).
    #[serde(default)]
    pub module: Option<String>,
}

/// One program to run in each of its roots.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    /// The rule it proves, e.g. "rpath_inherited", or "case/program" when a case has several.
    pub name: String,
    /// "glibc" (built with gcc) or "musl" (built with musl-gcc).
    pub flavour: String,
    /// Absolute path inside the roots.
    pub program: String,
    /// Environment for the run (LD_LIBRARY_PATH, LD_PRELOAD …).
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Names of the roots (keys of `Manifest::roots`) it is installed in.
    pub roots: Vec<String>,
}

/// Where the fixtures live: `$LDSIM_FIXTURES`, else `$HOME/.cache/ldsim/fixtures`.
pub fn fixtures_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("LDSIM_FIXTURES").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME").unwrap_or_else(|| "/root".into());
    PathBuf::from(home).join(".cache/ldsim/fixtures")
}

/// The manifest's path.
pub fn manifest_path() -> PathBuf {
    fixtures_dir().join("manifest.json")
}

/// Debian trixie's amd64 libc6 (glibc 2.41), libstdc++6, libgcc-s1 and musl packages unpacked
/// into one tree (`dpkg-deb -x` layout: `usr/lib/x86_64-linux-gnu/…`) by `cargo xtask fixtures`.
pub fn trixie_amd64_reference() -> PathBuf {
    fixtures_dir().join("reference/trixie-amd64")
}

/// The minbase Debian root of `suite` the fixture roots are built on (`<fixtures>/base/`).
pub fn debian_base_root(suite: &str) -> PathBuf {
    fixtures_dir().join("base").join(suite)
}

/// A real minbase root of a release whose base image has a table, made by debootstrap
/// (`cargo xtask fixtures`: `<fixtures>/minbase/<target>`, Debian 13 and Ubuntu 18.04-24.04).
pub fn minbase_root(target: &str) -> PathBuf {
    let root = fixtures_dir().join("minbase").join(target);
    assert!(
        root.join(".ldsim-minbase").is_file(),
        "{target}: no minbase root, run `cargo xtask fixtures`"
    );
    root
}

/// A Debian 12 package fetched by `cargo xtask fixtures` for the tests to install
/// (`<fixtures>/reference/bookworm-debs/<package>.deb`).
pub fn bookworm_deb(package: &str) -> PathBuf {
    fixtures_dir().join(format!("reference/bookworm-debs/{package}.deb"))
}
