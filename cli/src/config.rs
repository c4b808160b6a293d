//! `ldsim.toml`: a check described once and run the same way by everyone and by CI — the
//! files (globs), the targets and root, the release policy and the exceptions it allows,
//! each with the reason printed whenever it is used. Flags given on the command line win.
//!
//! ```toml
//! files = ["target/release/myapp", "dist/plugins/*.so"]
//! targets = ["debian-11", "ubuntu-20.04", "alpine-3.20"]
//! sysroot = "images/app.tar"          # optional: a root to check against too
//!
//! [policy]
//! name = "manylinux_2_28"             # or limits one by one:
//! glibc = "2.28"                      # glibcxx = "3.4.25", cxxabi = "1.3.11", gcc = "7.0.0"
//!
//! [[allow]]
//! version = "GLIBC_2.29"              # or library = "libfoo.so.1", or symbol = "memcpy"
//! reason = "exp/log of libm 2.29 are guarded by a runtime check"
//!
//! [[plugins]]
//! files = "dist/plugins/*.so"         # the files of `files` this glob matches …
//! loaded_by = "/usr/bin/myhost"       # … are dlopened by this program (as --loaded-by)
//! ```

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};
use ldsim_tables::policy::Allowed;
use serde::Deserialize;

use crate::args::CheckArgs;

/// The file looked for when `--config` is not given.
pub const DEFAULT: &str = "ldsim.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    #[serde(default)]
    files: Vec<String>,
    #[serde(default)]
    targets: Vec<String>,
    sysroot: Option<PathBuf>,
    policy: Option<PolicyTable>,
    #[serde(default)]
    allow: Vec<Allow>,
    #[serde(default)]
    plugins: Vec<Plugins>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Plugins {
    files: String,
    loaded_by: PathBuf,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyTable {
    name: Option<String>,
    glibc: Option<String>,
    glibcxx: Option<String>,
    cxxabi: Option<String>,
    gcc: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Allow {
    library: Option<String>,
    symbol: Option<String>,
    version: Option<String>,
    reason: String,
}

/// `args` completed from the configuration (`--config`, else ./ldsim.toml when present),
/// with the exceptions it allows. Without a configuration, `args` as given.
pub fn apply(args: &CheckArgs) -> anyhow::Result<(CheckArgs, Vec<Allowed>)> {
    let path = match &args.config {
        Some(path) => Some(path.clone()),
        None => Some(PathBuf::from(DEFAULT)).filter(|p| p.is_file()),
    };
    let mut args = args.clone();
    let Some(path) = path else {
        if args.files.is_empty() {
            bail!("no FILE given, and no {DEFAULT} here to name them");
        }
        return Ok((args, Vec::new()));
    };
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let config: Config = toml::from_str(&text)
        .with_context(|| format!("{}: invalid configuration", path.display()))?;
    // Relative paths in the file are relative to the file.
    let base = path.parent().unwrap_or(Path::new(""));
    if args.files.is_empty() {
        for pattern in &config.files {
            let full = base.join(pattern);
            let matches: Vec<PathBuf> = glob::glob(&full.to_string_lossy())
                .with_context(|| format!("{}: files: {pattern:?}", path.display()))?
                .collect::<Result<_, _>>()
                .with_context(|| format!("{}: files: {pattern:?}", path.display()))?;
            if matches.is_empty() {
                bail!("{}: files: {pattern:?} matches nothing", path.display());
            }
            args.files.extend(matches);
        }
        if args.files.is_empty() {
            bail!("no FILE given, and {} names no files", path.display());
        }
    }
    if args.targets.is_empty() && args.sysroot.is_none() {
        for name in &config.targets {
            let target = ldsim_tables::Target::parse(name)
                .map_err(|e| anyhow::anyhow!("{}: targets: {e}", path.display()))?;
            args.targets.push(target);
        }
        args.sysroot = config.sysroot.map(|root| base.join(root));
    }
    if let Some(policy) = config.policy {
        args.policy = args.policy.or(policy.name);
        args.max_glibc = args.max_glibc.or(policy.glibc);
        args.max_glibcxx = args.max_glibcxx.or(policy.glibcxx);
        args.max_cxxabi = args.max_cxxabi.or(policy.cxxabi);
        args.max_gcc = args.max_gcc.or(policy.gcc);
    }
    // The command line's --loaded-by is for every file; otherwise each glob's host.
    if args.loaded_by.is_none() {
        for plugins in config.plugins {
            let full = base.join(&plugins.files);
            let files = glob::Pattern::new(&full.to_string_lossy()).with_context(|| {
                format!("{}: plugins: files: {:?}", path.display(), plugins.files)
            })?;
            // A host program named relative to the file; a path inside the target as is.
            let relative =
                plugins.loaded_by.is_relative() && plugins.loaded_by.as_os_str() != "none";
            let loaded_by = if relative {
                base.join(&plugins.loaded_by)
            } else {
                plugins.loaded_by
            };
            args.plugin_hosts
                .push(crate::args::PluginHost { files, loaded_by });
        }
    }
    let mut allowed = Vec::new();
    for allow in config.allow {
        let what = match (allow.library, allow.symbol, allow.version) {
            (Some(what), None, None) | (None, Some(what), None) | (None, None, Some(what)) => what,
            _ => bail!(
                "{}: each [[allow]] names exactly one library, symbol or version",
                path.display()
            ),
        };
        allowed.push(Allowed {
            what,
            reason: allow.reason,
        });
    }
    Ok((args, allowed))
}
