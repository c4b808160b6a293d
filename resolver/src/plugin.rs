//! Plugins of well-known host programs, recognised from what they export or how they are
//! named: which program loads them (used as the host when the target has it) and which
//! symbols that host provides (expected from it when it is not simulated).

use ldsim_loader::{ElfObject, STB_LOCAL};
use ldsim_sysroots::TargetPath;

use crate::graph::lossy;
use crate::report::{Finding, PluginInfo, Problem};

/// A recognised plugin.
#[derive(Debug, Clone)]
pub(crate) struct Recognised {
    pub info: PluginInfo,
    /// Host programs to look for in the target, most specific first.
    hosts: Vec<Vec<u8>>,
    /// Name prefixes of the symbols the host program exports to its plugins.
    host_prefixes: &'static [&'static str],
}

/// One family of plugins.
struct Family {
    host: &'static str,
    /// An export with one of these prefixes (or exactly this name) gives it away.
    exports: &'static [&'static str],
    host_prefixes: &'static [&'static str],
}

const FAMILIES: &[Family] = &[
    // CPython extension modules: PyInit_<name> (Python/importdl.c: _PyImport_LoadDynamicModule).
    Family {
        host: "cpython",
        exports: &["PyInit_"],
        host_prefixes: &["Py", "_Py"],
    },
    // Node-API addons (src/node_api.cc: napi_module_register_by_symbol) and old-style addons.
    Family {
        host: "node",
        exports: &["napi_register_module_v1", "node_register_module_v"],
        host_prefixes: &["napi_", "node_api_", "uv_", "_ZN2v8", "_ZN4node"],
    },
    // JNI libraries: loaded by the JVM, which hands them a function table (no symbols).
    Family {
        host: "jni",
        exports: &["JNI_OnLoad", "Java_"],
        host_prefixes: &[],
    },
    // Perl XS modules (boot_<Module>) call into libperl / the perl binary.
    Family {
        host: "perl",
        exports: &["boot_"],
        host_prefixes: &["Perl_", "PL_", "Perl"],
    },
    // Ruby C extensions (Init_<name>).
    Family {
        host: "ruby",
        exports: &["Init_"],
        host_prefixes: &["rb_", "ruby_"],
    },
    // Lua C modules (luaopen_<name>).
    Family {
        host: "lua",
        exports: &["luaopen_"],
        host_prefixes: &["lua_", "luaL_"],
    },
];

/// Recognise a plugin from its exports, or a CPython module from its file name
/// (`*.cpython-311-x86_64-linux-gnu.so`, `*.abi3.so`).
pub(crate) fn recognise(obj: &ElfObject, path: &[u8]) -> Option<Recognised> {
    // The first export of each prefix, in one pass over the symbols (a prefix's first byte
    // rules out almost every name at once).
    let prefixes: Vec<&[u8]> = FAMILIES
        .iter()
        .flat_map(|f| f.exports.iter().map(|p| p.as_bytes()))
        .collect();
    let mut leads = [false; 256];
    for prefix in &prefixes {
        if let Some(&b) = prefix.first() {
            leads[usize::from(b)] = true;
        }
    }
    let mut first: Vec<Option<&ldsim_loader::Symbol>> = vec![None; prefixes.len()];
    for sym in &obj.symbols {
        if sym.is_undefined() || sym.binding == STB_LOCAL {
            continue;
        }
        let Some(&lead) = sym.name.first() else {
            continue;
        };
        if !leads[usize::from(lead)] {
            continue;
        }
        for (slot, prefix) in first.iter_mut().zip(&prefixes) {
            if slot.is_none() && prefix.first() == Some(&lead) && sym.name.starts_with(prefix) {
                *slot = Some(sym);
            }
        }
    }
    let mut found = first.into_iter();
    let base = path.rsplit(|&c| c == b'/').next().unwrap_or(path);
    let base = lossy(base);
    let (family, evidence) = FAMILIES
        .iter()
        .find_map(|f| {
            // Every family's slots are taken in order, whether or not an earlier one matched.
            let slots: Vec<_> = found.by_ref().take(f.exports.len()).collect();
            slots
                .into_iter()
                .flatten()
                .next()
                .map(|s| (f, format!("exports {}", lossy(&s.name))))
        })
        .or_else(|| {
            (base.contains(".cpython-") || base.ends_with(".abi3.so"))
                .then(|| (&FAMILIES[0], format!("named {base}")))
        })?;
    // Debian's regex-like "ruby Init_"/"perl boot_" exports are common in other libraries
    // too: demand that such a plugin also needs something of its host.
    let needs_host = family.host_prefixes.is_empty()
        || family.host == "cpython"
        || family.host == "node"
        || obj.symbols.iter().any(|s| {
            s.is_undefined()
                && family
                    .host_prefixes
                    .iter()
                    .any(|p| s.name.starts_with(p.as_bytes()))
        });
    if !needs_host {
        return None;
    }
    Some(Recognised {
        hosts: host_programs(family.host, &base),
        host_prefixes: family.host_prefixes,
        info: PluginInfo {
            host: family.host.to_owned(),
            evidence,
            expected_from_host: Vec::new(),
        },
    })
}

/// Where each host program usually is. CPython: the interpreter of the module's ABI tag
/// (`cpython-311` → python3.11) first, then any python3.
fn host_programs(host: &str, base: &str) -> Vec<Vec<u8>> {
    let names: Vec<String> = match host {
        "cpython" => {
            let mut names = Vec::new();
            if let Some(tag) = base
                .split(".cpython-")
                .nth(1)
                .and_then(|t| t.split(['-', '.']).next())
            {
                // "311" → 3.11, "39" → 3.9, "313t" (free-threaded) → 3.13t.
                let (digits, suffix) =
                    tag.split_at(tag.trim_end_matches(|c: char| !c.is_ascii_digit()).len());
                if digits.len() >= 2 {
                    names.push(format!("python{}.{}{suffix}", &digits[..1], &digits[1..]));
                }
            }
            names.push("python3".into());
            names
        }
        "node" => vec!["node".into(), "nodejs".into()],
        "perl" => vec!["perl".into()],
        "ruby" => vec!["ruby".into()],
        "lua" => vec![
            "lua".into(),
            "lua5.4".into(),
            "lua5.3".into(),
            "lua5.1".into(),
        ],
        _ => Vec::new(),
    };
    names
        .iter()
        .flat_map(|n| {
            ["/usr/bin/", "/usr/local/bin/", "/bin/"]
                .into_iter()
                .map(move |d| format!("{d}{n}").into_bytes())
        })
        .collect()
}

/// The first host program the target has (`runnable` says whether a path is a dynamic
/// program of the right architecture there).
pub(crate) fn find_host(r: &Recognised, runnable: impl Fn(&[u8]) -> bool) -> Option<TargetPath> {
    r.hosts
        .iter()
        .find(|p| runnable(p))
        .map(|p| TargetPath::new(p))
}

/// Without its host, the symbols the host provides are expected from it: they leave the
/// problem list (and cannot decide the verdict) and are listed on the plugin.
pub(crate) fn expect_from_host(r: Recognised, problems: &mut Vec<Finding>) -> PluginInfo {
    let mut info = r.info;
    let from_host = |p: &Problem| match p {
        Problem::UndefinedSymbol { symbol, .. } => r
            .host_prefixes
            .iter()
            .any(|prefix| symbol.starts_with(prefix)),
        _ => false,
    };
    problems.retain(|f| {
        if from_host(&f.problem) {
            if let Problem::UndefinedSymbol { symbol, .. } = &f.problem {
                info.expected_from_host.push(symbol.clone());
            }
            false
        } else {
            true
        }
    });
    info.expected_from_host.sort();
    info.expected_from_host.dedup();
    info
}
