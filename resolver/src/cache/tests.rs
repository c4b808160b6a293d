//! Caches written by the host's real ldconfig, plus hand-built ones for rules ldconfig no
//! longer exercises.

use super::*;
use std::path::{Path, PathBuf};
use std::process::Command;

const X86_64: CacheQuery<'static> = CacheQuery {
    accepted_flags: &[0x303],
    default_flag: 0x303,
    active_hwcaps: &[],
    isa_supported_levels: 0b1,
    glibc_version: ldsim_loader::Release::new(2, 36, 0),
    legacy_hwcap_mask: 0,
};
const V2: &[&str] = &["x86-64-v2"];
const V3: &[&str] = &["x86-64-v3", "x86-64-v2"];

fn at_level(level: u32) -> CacheQuery<'static> {
    let active = match level {
        2 => V2,
        3 => V3,
        _ => &[],
    };
    CacheQuery {
        active_hwcaps: active,
        isa_supported_levels: (1 << level) - 1,
        ..X86_64
    }
}

/// A scratch root removed on drop.
struct Scratch(PathBuf);
impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn tools_present() -> bool {
    let ok = ["gcc", "ldconfig"]
        .iter()
        .all(|t| Command::new(t).arg("--version").output().is_ok());
    assert!(
        ok || std::env::var_os("LDSIM_REQUIRE_TOOLS").is_none(),
        "gcc and ldconfig are required (LDSIM_REQUIRE_TOOLS is set)"
    );
    if !ok {
        eprintln!("skipping: gcc or ldconfig missing");
    }
    ok
}

fn run(cmd: &mut Command) -> Vec<u8> {
    let out = cmd.output().expect("spawn");
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn shared_lib(root: &Path, path: &str, soname: &str, extra: &[&str]) -> bool {
    let out = root.join(path.trim_start_matches('/'));
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    let src = root.join("l.c");
    std::fs::write(&src, "int f(void){return 1;}\n").unwrap();
    Command::new("gcc")
        .args(["-shared", "-fPIC", "-nostdlib", "-o"])
        .arg(&out)
        .arg(format!("-Wl,-soname,{soname}"))
        .args(extra)
        .arg(&src)
        .status()
        .is_ok_and(|s| s.success())
}

/// The test root: /opt/b listed before /opt/a, /opt/a with v2 and v3 hwcaps copies. Returns
/// the root and whether the 32-bit library could be built.
fn build_root(tag: &str) -> (Scratch, bool) {
    let root = std::env::temp_dir().join(format!("ldsim-cache-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let s = Scratch(root.clone());
    for (p, extra) in [
        ("/opt/a/libA.so.1", &[][..]),
        (
            "/opt/a/glibc-hwcaps/x86-64-v3/libA.so.1",
            &["-Wl,-z,x86-64-v3"][..],
        ),
        (
            "/opt/a/glibc-hwcaps/x86-64-v2/libA.so.1",
            &["-Wl,-z,x86-64-v2"][..],
        ),
        ("/opt/b/libA.so.1", &[][..]),
    ] {
        assert!(
            shared_lib(&root, p, "libA.so.1", extra),
            "gcc failed for {p}"
        );
    }
    for (p, so) in [
        ("/opt/b/libfoo10.so.2", "libfoo10.so.2"),
        ("/opt/b/libfoo9.so.2", "libfoo9.so.2"),
    ] {
        assert!(shared_lib(&root, p, so, &[]));
    }
    let m32 = shared_lib(&root, "/opt/c32/libA.so.1", "libA.so.1", &["-m32"]);
    if !m32 {
        eprintln!("gcc -m32 unavailable: no 32-bit entry in the test cache");
    }
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::fs::write(root.join("etc/ld.so.conf"), "/opt/b\n/opt/a\n/opt/c32\n").unwrap();
    (s, m32)
}

/// Run the host ldconfig in `format` and return the cache bytes and `ldconfig -p` pairs.
/// (key, value) pairs.
type Pairs = Vec<(Vec<u8>, Vec<u8>)>;

fn make_cache(root: &Path, format: &str) -> (Vec<u8>, Pairs) {
    let name = format!("/etc/ld.so.cache.{format}");
    run(Command::new("ldconfig")
        .args(["-c", format, "-r"])
        .arg(root)
        .args(["-C", &name, "-f", "/etc/ld.so.conf"]));
    let file = root.join(name.trim_start_matches('/'));
    let printed = run(Command::new("ldconfig").arg("-p").arg("-C").arg(&file));
    let pairs = printed
        .split(|&b| b == b'\n')
        .filter_map(|l| l.strip_prefix(b"\t"))
        .filter_map(|l| {
            let key = l.split(|&b| b == b' ').next()?.to_vec();
            let arrow = l.windows(4).position(|w| w == b" => ")?;
            Some((key, l[arrow + 4..].to_vec()))
        })
        .collect();
    (std::fs::read(file).unwrap(), pairs)
}

fn pairs(c: &LdSoCache) -> Pairs {
    c.entries()
        .iter()
        .map(|e| (e.key.to_vec(), e.value.to_vec()))
        .collect()
}

fn found(c: &LdSoCache, name: &str, q: &CacheQuery<'_>) -> Option<String> {
    c.lookup(name.as_bytes(), q)
        .found
        .map(|p| String::from_utf8(p).unwrap())
}

#[test]
fn ldconfig_caches_parse_to_what_ldconfig_prints() {
    if !tools_present() {
        return;
    }
    let (root, m32) = build_root("parse");
    for (format, want) in [
        ("new", CacheFormat::New),
        ("old", CacheFormat::Old),
        ("compat", CacheFormat::Compat),
    ] {
        let (bytes, printed) = make_cache(&root.0, format);
        let cache = parse(&bytes, Endian::Little).unwrap();
        assert_eq!(cache.format(), want, "{format}");
        let mut got = pairs(&cache);
        // The compat layout's old part duplicates its last entry; the new part does not.
        got.dedup();
        assert_eq!(got, printed, "{format}");
        assert_eq!(got.len(), if m32 { 7 } else { 6 }, "{format}");
        if format != "old" {
            let generator = String::from_utf8_lossy(cache.generator().unwrap()).into_owned();
            assert!(generator.starts_with("ldconfig ("), "{generator}");
        }
    }
}

#[test]
fn new_format_hwcaps_entries_and_names() {
    if !tools_present() {
        return;
    }
    let (root, _) = build_root("hwcaps");
    let (bytes, _) = make_cache(&root.0, "new");
    let cache = parse(&bytes, Endian::Little).unwrap();
    assert_eq!(cache.hwcaps_names(), [&b"x86-64-v2"[..], b"x86-64-v3"]);
    let described: Vec<_> = cache
        .entries()
        .iter()
        .filter(|e| e.is_hwcaps())
        .map(|e| {
            (
                e.hwcaps_subdir(&cache).unwrap().to_vec(),
                e.isa_level().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        described,
        [(b"x86-64-v2".to_vec(), 1), (b"x86-64-v3".to_vec(), 2)]
    );
    assert!(cache
        .entries()
        .iter()
        .filter(|e| !e.is_hwcaps())
        .all(|e| e.isa_level().is_none()));
}

#[test]
fn cache_lookup_baseline_cpu_takes_first_plain_entry_in_conf_order() {
    if !tools_present() {
        return;
    }
    let (root, _) = build_root("baseline");
    let (bytes, _) = make_cache(&root.0, "new");
    let cache = parse(&bytes, Endian::Little).unwrap();
    let r = cache.lookup(b"libA.so.1", &at_level(1));
    assert_eq!(r.found.as_deref(), Some(&b"/opt/b/libA.so.1"[..]));
    let reasons: Vec<_> = r
        .considered
        .iter()
        .map(|(p, w)| (String::from_utf8_lossy(p).into_owned(), w.as_str()))
        .collect();
    assert_eq!(
        reasons,
        [
            (
                "/opt/a/glibc-hwcaps/x86-64-v2/libA.so.1".to_owned(),
                "ISA level 1 not supported by the CPU"
            ),
            (
                "/opt/a/glibc-hwcaps/x86-64-v3/libA.so.1".to_owned(),
                "ISA level 2 not supported by the CPU"
            ),
            ("/opt/b/libA.so.1".to_owned(), "used"),
        ]
    );
}

#[test]
fn cache_lookup_hwcaps_entry_beats_every_plain_entry() {
    if !tools_present() {
        return;
    }
    let (root, _) = build_root("levels");
    let (bytes, _) = make_cache(&root.0, "new");
    let cache = parse(&bytes, Endian::Little).unwrap();
    let v3 = "/opt/a/glibc-hwcaps/x86-64-v3/libA.so.1";
    let v2 = "/opt/a/glibc-hwcaps/x86-64-v2/libA.so.1";
    assert_eq!(
        found(&cache, "libA.so.1", &at_level(3)).as_deref(),
        Some(v3)
    );
    assert_eq!(
        found(&cache, "libA.so.1", &at_level(2)).as_deref(),
        Some(v2)
    );
    // A v4 CPU also activates v3 and v2: v3 still wins (no v4 copy).
    let v4 = CacheQuery {
        active_hwcaps: &["x86-64-v4", "x86-64-v3", "x86-64-v2"],
        isa_supported_levels: 0b1111,
        ..X86_64
    };
    assert_eq!(found(&cache, "libA.so.1", &v4).as_deref(), Some(v3));
    // ISA level fine but the subdirectory deactivated (glibc.cpu.hwcaps=-AVX2): v2 copy.
    let masked = CacheQuery {
        active_hwcaps: V2,
        isa_supported_levels: 0b111,
        ..X86_64
    };
    assert_eq!(found(&cache, "libA.so.1", &masked).as_deref(), Some(v2));
    // Numeric soname comparison finds both neighbours.
    assert_eq!(
        found(&cache, "libfoo9.so.2", &X86_64).as_deref(),
        Some("/opt/b/libfoo9.so.2")
    );
    assert_eq!(
        found(&cache, "libfoo10.so.2", &X86_64).as_deref(),
        Some("/opt/b/libfoo10.so.2")
    );
    assert_eq!(
        found(&cache, "libfoo010.so.02", &X86_64).as_deref(),
        Some("/opt/b/libfoo10.so.2")
    );
    assert_eq!(found(&cache, "libfoo11.so.2", &X86_64), None);
}

#[test]
fn cache_lookup_old_format_has_no_hwcaps_so_first_entry_wins() {
    if !tools_present() {
        return;
    }
    let (root, _) = build_root("old");
    let (bytes, _) = make_cache(&root.0, "old");
    let cache = parse(&bytes, Endian::Little).unwrap();
    // The hwcaps copies are ordinary 0x303 entries sorted first (by subdirectory name).
    for level in [1, 3] {
        assert_eq!(
            found(&cache, "libA.so.1", &at_level(level)).as_deref(),
            Some("/opt/a/glibc-hwcaps/x86-64-v2/libA.so.1")
        );
    }
}

#[test]
fn cache_lookup_compat_format_reads_hwcaps_names_from_file_start() {
    if !tools_present() {
        return;
    }
    let (root, _) = build_root("compat");
    let (bytes, _) = make_cache(&root.0, "compat");
    let cache = parse(&bytes, Endian::Little).unwrap();
    // glibc resolves the tag-1 offsets from the file start, not the embedded header, so the
    // names are garbage (`ldconfig -p` prints them so too) and no hwcaps entry is usable.
    assert!(!cache.hwcaps_names().contains(&&b"x86-64-v3"[..]));
    assert_eq!(
        found(&cache, "libA.so.1", &at_level(3)).as_deref(),
        Some("/opt/b/libA.so.1")
    );
}

#[test]
fn cache_lookup_i386_loader_takes_elf_entry() {
    if !tools_present() {
        return;
    }
    let (root, m32) = build_root("i386");
    if !m32 {
        return;
    }
    let (bytes, _) = make_cache(&root.0, "new");
    let cache = parse(&bytes, Endian::Little).unwrap();
    let i386 = CacheQuery {
        accepted_flags: &[0x1, 0x3],
        default_flag: 0x3,
        isa_supported_levels: u32::MAX,
        ..X86_64
    };
    let r = cache.lookup(b"libA.so.1", &i386);
    assert_eq!(r.found.as_deref(), Some(&b"/opt/c32/libA.so.1"[..]));
    assert!(r
        .considered
        .iter()
        .any(|(p, w)| p == b"/opt/b/libA.so.1" && w.contains("flags 0x303 not accepted")));
}

#[test]
fn cache_of_other_byte_order_is_ignored() {
    if !tools_present() {
        return;
    }
    let (root, _) = build_root("endian");
    let (bytes, _) = make_cache(&root.0, "new");
    // glibc reads nlibs in its own byte order first; the byte-swapped count is too large.
    assert_eq!(
        parse(&bytes, Endian::Big).unwrap_err(),
        CacheError::Truncated
    );
    let (compat, _) = make_cache(&root.0, "compat");
    assert!(parse(&compat, Endian::Big).is_err());
}

#[test]
fn cache_endian_flag_must_match_target() {
    let mut big = synthetic(&[("a", "/a", 0x303, 0)]);
    big[28] = 3;
    assert_eq!(
        parse(&big, Endian::Little).unwrap_err(),
        CacheError::WrongEndian(3)
    );
}

/// xorshift64: deterministic pseudo-random bytes without a dependency.
fn rng(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

fn exercise(bytes: &[u8]) {
    if let Ok(c) = parse(bytes, Endian::Little) {
        for q in [
            at_level(1),
            at_level(3),
            CacheQuery {
                glibc_version: ldsim_loader::Release::new(2, 31, 0),
                ..X86_64
            },
        ] {
            for name in ["libA.so.1", "libfoo9.so.2", "x"] {
                let r = c.lookup(name.as_bytes(), &q);
                assert!(r.considered.len() <= c.entries().len());
            }
        }
        let _ = c.hwcaps_names();
        for e in c.entries() {
            let _ = (e.hwcaps_subdir(&c), e.isa_level());
        }
    }
}

#[test]
fn corrupted_caches_never_panic() {
    if !tools_present() {
        return;
    }
    let (root, _) = build_root("fuzz");
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    for format in ["new", "old", "compat"] {
        let (bytes, _) = make_cache(&root.0, format);
        for len in 0..bytes.len() {
            exercise(&bytes[..len]);
        }
        for _ in 0..3000 {
            let mut b = bytes.clone();
            for _ in 0..1 + rng(&mut seed) % 4 {
                let i = (rng(&mut seed) % b.len() as u64) as usize;
                b[i] = rng(&mut seed) as u8;
            }
            exercise(&b);
        }
    }
}

/// Hand-built new-format cache: (key, value, flags, hwcap) in file order, no extensions.
fn synthetic(entries: &[(&str, &str, i32, u64)]) -> Vec<u8> {
    let mut strings = Vec::new();
    let base = 48 + 24 * entries.len();
    let mut out = Vec::new();
    out.extend_from_slice(b"glibc-ld.so.cache1.1");
    out.extend_from_slice(&(entries.len() as u32).to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&[2, 0, 0, 0]);
    out.extend_from_slice(&[0; 16]);
    for (k, v, flags, hwcap) in entries {
        let mut off = |s: &str| {
            let o = (base + strings.len()) as u32;
            strings.extend_from_slice(s.as_bytes());
            strings.push(0);
            o
        };
        let (ko, vo) = (off(k), off(v));
        for w in [*flags as u32, ko, vo, 0] {
            out.extend_from_slice(&w.to_le_bytes());
        }
        out.extend_from_slice(&hwcap.to_le_bytes());
    }
    out.extend_from_slice(&strings);
    out
}

#[test]
fn cache_legacy_hwcap_entry_skipped_since_glibc_2_40() {
    let bytes = synthetic(&[
        ("libA.so.1", "/x/tls/libA.so.1", 0x303, 1 << 63),
        ("libA.so.1", "/x/libA.so.1", 0x303, 0),
    ]);
    let c = parse(&bytes, Endian::Little).unwrap();
    let q = |v| CacheQuery {
        glibc_version: v,
        ..X86_64
    };
    assert_eq!(
        found(&c, "libA.so.1", &q(ldsim_loader::Release::new(2, 40, 0))).as_deref(),
        Some("/x/libA.so.1")
    );
    // Before 2.40 the TLS bit is always accepted by the legacy check.
    assert_eq!(
        found(&c, "libA.so.1", &q(ldsim_loader::Release::new(2, 39, 0))).as_deref(),
        Some("/x/tls/libA.so.1")
    );
    let bytes = synthetic(&[
        ("libA.so.1", "/x/avx/libA.so.1", 0x303, 1 << 5),
        ("libA.so.1", "/x/libA.so.1", 0x303, 0),
    ]);
    let c = parse(&bytes, Endian::Little).unwrap();
    assert_eq!(
        found(&c, "libA.so.1", &q(ldsim_loader::Release::new(2, 36, 0))).as_deref(),
        Some("/x/libA.so.1")
    );
    let enabled = CacheQuery {
        legacy_hwcap_mask: 1 << 5,
        ..q(ldsim_loader::Release::new(2, 36, 0))
    };
    assert_eq!(
        found(&c, "libA.so.1", &enabled).as_deref(),
        Some("/x/avx/libA.so.1")
    );
}

#[test]
fn cache_non_default_flags_entry_is_remembered_then_first_plain_ends_walk() {
    // i386-style loader: 0x1 passes the check but is not the default id 0x3.
    let bytes = synthetic(&[
        ("libA.so.1", "/elf/libA.so.1", 0x1, 0),
        ("libA.so.1", "/libc6/libA.so.1", 0x3, 0),
    ]);
    let c = parse(&bytes, Endian::Little).unwrap();
    let generic = CacheQuery {
        accepted_flags: &[1, 3],
        default_flag: 3,
        isa_supported_levels: u32::MAX,
        ..X86_64
    };
    // Since 2.33 the next plain entry stops the walk once something is remembered.
    assert_eq!(
        found(&c, "libA.so.1", &generic).as_deref(),
        Some("/elf/libA.so.1")
    );
    // 2.32 and earlier kept walking for an entry with exactly the default flags.
    let old = CacheQuery {
        glibc_version: ldsim_loader::Release::new(2, 31, 0),
        ..generic
    };
    let r = c.lookup(b"libA.so.1", &old);
    assert_eq!(r.found.as_deref(), Some(&b"/libc6/libA.so.1"[..]));
    assert_eq!(r.considered[0].1, "superseded by a later entry");
}

#[test]
fn cache_bogus_key_offset_ends_search() {
    let mut bytes = synthetic(&[("libA.so.1", "/x/libA.so.1", 0x303, 0)]);
    bytes[48 + 4..48 + 8].copy_from_slice(&0xffff_u32.to_le_bytes());
    let c = parse(&bytes, Endian::Little).unwrap();
    assert_eq!(&*c.entries()[0].key, b"");
    assert_eq!(c.lookup(b"libA.so.1", &X86_64), CacheLookup::default());
}

#[test]
fn cache_rejects_short_and_foreign_files() {
    assert_eq!(
        parse(b"", Endian::Little).unwrap_err(),
        CacheError::BadMagic
    );
    assert_eq!(
        parse(b"glibc-ld.so.cache1.1", Endian::Little).unwrap_err(),
        CacheError::Truncated
    );
    assert_eq!(
        parse(b"ld.so-1.7.0\0\x05\0\0\0xxxx", Endian::Little).unwrap_err(),
        CacheError::Truncated
    );
    // A new-format file with exactly the header (no byte more) is refused by glibc.
    assert_eq!(
        parse(&synthetic(&[])[..48], Endian::Little).unwrap_err(),
        CacheError::Truncated
    );
    let mut invalid = synthetic(&[("a", "/a", 0x303, 0)]);
    invalid[28] = 1;
    assert_eq!(
        parse(&invalid, Endian::Little).unwrap_err(),
        CacheError::WrongEndian(1)
    );
    invalid[28] = 0;
    assert!(
        parse(&invalid, Endian::Little).is_ok(),
        "flags 0: endianness unknown, accepted"
    );
}
