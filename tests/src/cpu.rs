//! The host's x86-64 micro-architecture level, as glibc's `get_isa_level` sees it
//! (sysdeps/x86/get-isa-level.h), read from /proc/cpuinfo flags.

/// Flags each level adds to the one below (Linux /proc/cpuinfo names: `pni` is SSE3,
/// `abm` is LZCNT).
const LEVELS: [(&str, &[&str]); 3] = [
    (
        "x86-64-v2",
        &[
            "cx16", "lahf_lm", "popcnt", "pni", "sse4_1", "sse4_2", "ssse3",
        ],
    ),
    (
        "x86-64-v3",
        &["avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe"],
    ),
    (
        "x86-64-v4",
        &["avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"],
    ),
];

/// The highest level whose flags (cumulatively) all appear in `flags`; "x86-64" (baseline) if none.
pub fn level_from_flags<'a>(flags: impl IntoIterator<Item = &'a str>) -> &'static str {
    let have: std::collections::BTreeSet<&str> = flags.into_iter().collect();
    let mut level = "x86-64";
    for (name, needed) in LEVELS {
        if needed.iter().all(|f| have.contains(f)) {
            level = name;
        } else {
            break;
        }
    }
    level
}

/// The host's level from the first `flags` line of /proc/cpuinfo.
pub fn host_cpu_level() -> std::io::Result<&'static str> {
    let info = std::fs::read_to_string("/proc/cpuinfo")?;
    let flags = info
        .lines()
        .find_map(|l| {
            let (key, value) = l.split_once(':')?;
            (key.trim() == "flags").then_some(value)
        })
        .unwrap_or("");
    Ok(level_from_flags(flags.split_whitespace()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_cumulative() {
        let v2 = "cx16 lahf_lm popcnt pni sse4_1 sse4_2 ssse3";
        assert_eq!(level_from_flags(v2.split(' ')), "x86-64-v2");
        let v3 = format!("{v2} avx avx2 bmi1 bmi2 f16c fma abm movbe");
        assert_eq!(level_from_flags(v3.split(' ')), "x86-64-v3");
        // AVX-512 without the v3 flags does not make v4.
        let odd = format!("{v2} avx512f avx512bw avx512cd avx512dq avx512vl");
        assert_eq!(level_from_flags(odd.split(' ')), "x86-64-v2");
        assert_eq!(level_from_flags(["sse2"]), "x86-64");
    }
}
