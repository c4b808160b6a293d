//! What the target's own loader binaries tell about themselves: glibc ld.so's compiled-in
//! system directories, `$LIB`, cache and preload paths and version; whether an interpreter is
//! glibc, musl or a gcompat stub; musl's path file. Bytes in, data out: no I/O.

use ldsim_loader::Release;

/// Facts compiled into a glibc ld.so (glibc elf/dl-load.c: _dl_init_paths, SYSTEM_DIRS).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlibcLdso {
    /// From "release version 2.NN" in the `--version` text.
    pub version: Option<Release>,
    /// The default search directories, in order, without trailing '/'.
    pub system_dirs: Vec<Vec<u8>>,
    /// `$LIB` (DL_DST_LIB), when found in the binary.
    pub lib_dst: Option<Vec<u8>>,
    /// LD_SO_CACHE (SYSCONFDIR "/ld.so.cache").
    pub cache_path: Vec<u8>,
    /// The preload file rtld.c reads ("/etc/ld.so.preload" unless built with another sysconfdir).
    pub preload_path: Vec<u8>,
}

/// Read a glibc ld.so image.
///
/// - `system_dirs`: elf/gen-trusted-dirs.awk emits the directories as ONE string array of
///   NUL-terminated absolute paths, each ending in '/', e.g.
///   "/lib/x86_64-linux-gnu/\0/usr/lib/x86_64-linux-gnu/\0/lib/\0/usr/lib/\0" (Debian 12).
///   The longest run of at least two consecutive such strings that all contain "lib" is
///   taken; otherwise `fallback_dirs`.
/// - `lib_dst`: DL_DST_LIB is not marked in the binary. Debian's equals the first system dir
///   without its slashes ("lib/x86_64-linux-gnu"), upstream's likewise ("lib64" for
///   "/lib64/"); so that string is used if it occurs NUL-terminated in the binary. Failing
///   that, upstream's rule `notdir $(slibdir)` (elf/Makefile) is tried ("lp64d" for
///   "/lib64/lp64d/"), then `fallback_lib`.
pub fn inspect_glibc(ldso_bytes: &[u8], fallback_dirs: &[&str], fallback_lib: &str) -> GlibcLdso {
    let strings = c_strings(ldso_bytes);
    let system_dirs = system_dirs(&strings).unwrap_or_else(|| {
        fallback_dirs
            .iter()
            .map(|d| d.trim_end_matches('/').as_bytes().to_vec())
            .collect()
    });
    let lib_dst = system_dirs
        .first()
        .and_then(|d| {
            let full = d.strip_prefix(b"/").unwrap_or(d);
            let base = &d[d.iter().rposition(|&b| b == b'/').map_or(0, |p| p + 1)..];
            [full, base]
                .into_iter()
                .find(|c| !c.is_empty() && contains_c_string(ldso_bytes, c))
        })
        .map(<[u8]>::to_vec)
        .or_else(|| (!fallback_lib.is_empty()).then(|| fallback_lib.as_bytes().to_vec()));
    let ending = |suffix: &[u8], default: &[u8]| {
        strings
            .iter()
            .find(|s| s.starts_with(b"/") && s.ends_with(suffix) && is_path(s))
            .map_or_else(|| default.to_vec(), |s| s.to_vec())
    };
    GlibcLdso {
        version: glibc_release_version(ldso_bytes),
        system_dirs,
        lib_dst,
        cache_path: ending(b"/ld.so.cache", b"/etc/ld.so.cache"),
        preload_path: ending(b"/ld.so.preload", b"/etc/ld.so.preload"),
    }
}

/// The NUL-separated strings of `bytes` (the tail without a NUL is dropped).
fn c_strings(bytes: &[u8]) -> Vec<&[u8]> {
    let mut v: Vec<&[u8]> = bytes.split(|&b| b == 0).collect();
    v.pop();
    v
}

fn contains_c_string(bytes: &[u8], s: &[u8]) -> bool {
    memchr::memmem::find_iter(bytes, s).any(|at| bytes.get(at + s.len()) == Some(&0))
}

/// Printable, no spaces: what a compiled-in path looks like.
fn is_path(s: &[u8]) -> bool {
    s.iter().all(|&b| b.is_ascii_graphic())
}

fn is_system_dir(s: &[u8]) -> bool {
    s.len() >= 2
        && s.starts_with(b"/")
        && s.ends_with(b"/")
        && is_path(s)
        && s.windows(3).any(|w| w == b"lib")
}

/// The longest run of system-dir strings (first on ties). A run's first string may follow
/// non-string bytes without a NUL (armhf keeps one copy in a literal pool): the printable
/// tail of the preceding segment is then taken as the first element.
fn system_dirs(strings: &[&[u8]]) -> Option<Vec<Vec<u8>>> {
    let mut best: Option<Vec<&[u8]>> = None;
    let mut i = 0;
    while i < strings.len() {
        let len = strings[i..].iter().take_while(|s| is_system_dir(s)).count();
        if len == 0 {
            i += 1;
            continue;
        }
        let mut run: Vec<&[u8]> = Vec::with_capacity(len + 1);
        if let Some(prev) = i.checked_sub(1).and_then(|p| strings.get(p)) {
            let tail = &prev[prev
                .iter()
                .rposition(|b| !b.is_ascii_graphic())
                .map_or(0, |p| p + 1)..];
            if is_system_dir(tail) {
                run.push(tail);
            }
        }
        run.extend_from_slice(&strings[i..i + len]);
        let longer = match &best {
            Some(b) => run.len() > b.len(),
            None => true,
        };
        if run.len() >= 2 && longer {
            best = Some(run);
        }
        i += len;
    }
    let dirs = best?
        .into_iter()
        .map(|d| d.strip_suffix(b"/").unwrap_or(d).to_vec())
        .map(|d| if d.is_empty() { b"/".to_vec() } else { d })
        .collect();
    Some(dirs)
}

/// "release version 2.NN" (elf/dl-usage.c / version.c banner).
pub fn glibc_release_version(bytes: &[u8]) -> Option<Release> {
    const NEEDLE: &[u8] = b"release version ";
    // A whole libc.so.6 is searched when ld.so has no banner (glibc ≤ 2.31).
    let at = memchr::memmem::find(bytes, NEEDLE)?;
    parse_major_minor(bytes.get(at + NEEDLE.len()..)?)
}

/// "2.36..." → 2.36; both numbers must be present (a third is not read).
fn parse_major_minor(s: &[u8]) -> Option<Release> {
    let digits = |s: &[u8]| {
        let n = s.iter().take_while(|b| b.is_ascii_digit()).count();
        let v = std::str::from_utf8(s.get(..n)?).ok()?.parse::<u8>().ok()?;
        Some((v, n))
    };
    let (major, n) = digits(s)?;
    let rest = s.get(n..)?.strip_prefix(b".")?;
    let (minor, _) = digits(rest)?;
    Some(Release::new(major, minor, 0))
}

/// The highest `GLIBC_2.x` among version-definition names (of ld.so or libc.so.6).
pub fn glibc_version_from_verdefs<'a>(names: impl Iterator<Item = &'a [u8]>) -> Option<Release> {
    names
        .filter_map(|n| n.strip_prefix(b"GLIBC_"))
        .filter_map(|v| {
            let parsed = parse_major_minor(v)?;
            // "GLIBC_2.2.5" is fine; "GLIBC_PRIVATE" or "GLIBC_2.x_junk" is not a version.
            v.iter()
                .all(|b| b.is_ascii_digit() || *b == b'.')
                .then_some(parsed)
        })
        .max()
}

/// What kind of program interpreter a file is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoaderKind {
    Glibc,
    Musl,
    /// gcompat loader/loader.c: a static-pie that execs `musl_loader` with
    /// `--preload <preload>`.
    GcompatStub {
        musl_loader: Vec<u8>,
        preload: Vec<u8>,
    },
}

/// Classify an interpreter from its DT_SONAME and bytes.
///
/// - glibc: soname `ld-linux*.so.*`, `ld64.so.*` or `ld.so.*`.
/// - musl: soname `libc.so` or `libc.musl-*`; Debian's musl libc.so has no soname, so a
///   soname-less file carrying musl's ldso strings ("%.*s/etc/ld-musl-ARCH.path", the
///   `--help` banner "musl libc (") is musl too.
/// - gcompat stub: a static(-pie) executable without soname containing an
///   `…/ld-musl-<arch>.so.1` path (LINKER_PATH) and a `libgcompat.so.0` path (the preload).
pub fn classify_loader(
    soname: Option<&[u8]>,
    is_static_pie_without_soname: bool,
    bytes: &[u8],
) -> Option<LoaderKind> {
    if let Some(so) = soname {
        let glibc = (so.starts_with(b"ld-linux") && contains(so, b".so."))
            || so.starts_with(b"ld64.so.")
            || so.starts_with(b"ld.so.");
        if glibc {
            return Some(LoaderKind::Glibc);
        }
        if so == b"libc.so" || so.starts_with(b"libc.musl-") {
            return Some(LoaderKind::Musl);
        }
        return None;
    }
    let strings = c_strings(bytes);
    if is_static_pie_without_soname {
        let musl_loader = strings.iter().find_map(|s| musl_loader_path(s));
        let preload = strings.iter().find_map(|s| gcompat_preload(s));
        if let (Some(musl_loader), Some(preload)) = (musl_loader, preload) {
            return Some(LoaderKind::GcompatStub {
                musl_loader,
                preload,
            });
        }
    }
    let musl = strings
        .iter()
        .any(|s| s.starts_with(b"musl libc (") || contains(s, b"/etc/ld-musl-"));
    musl.then_some(LoaderKind::Musl)
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// An absolute path whose last component is `ld-musl-<arch>.so.1`.
fn musl_loader_path(s: &[u8]) -> Option<Vec<u8>> {
    let base = &s[s.iter().rposition(|&b| b == b'/')? + 1..];
    (s.starts_with(b"/") && is_path(s) && base.starts_with(b"ld-musl-") && base.ends_with(b".so.1"))
        .then(|| s.to_vec())
}

/// The absolute path ending in "libgcompat.so.0" inside `s` (the stub may append
/// " $LD_PRELOAD" at run time).
fn gcompat_preload(s: &[u8]) -> Option<Vec<u8>> {
    const NAME: &[u8] = b"libgcompat.so.0";
    let end = s.windows(NAME.len()).position(|w| w == NAME)? + NAME.len();
    let start = s[..end]
        .iter()
        .rposition(|b| !b.is_ascii_graphic())
        .map_or(0, |p| p + 1);
    let path = &s[start..end];
    path.starts_with(b"/").then(|| path.to_vec())
}

/// musl's version, best effort: "Version 1.2.3" if inlined, else the lone "N.N.N" string
/// printed by the `Version %s` banner (musl ldso/dynlink.c: __dls3).
pub fn musl_version(bytes: &[u8]) -> Option<String> {
    let strings = c_strings(bytes);
    if !strings.iter().any(|s| s.starts_with(b"musl libc (")) {
        return None;
    }
    let is_version = |s: &[u8]| {
        let parts: Vec<&[u8]> = s.split(|&b| b == b'.').collect();
        (2..=4).contains(&parts.len())
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.len() <= 4 && p.iter().all(u8::is_ascii_digit))
    };
    for s in &strings {
        if let Some(at) = s.windows(8).position(|w| w == b"Version ") {
            let v: Vec<u8> = s[at + 8..]
                .iter()
                .copied()
                .take_while(|b| b.is_ascii_digit() || *b == b'.')
                .collect();
            if is_version(&v) {
                return String::from_utf8(v).ok();
            }
        }
    }
    strings
        .iter()
        .find(|s| is_version(s))
        .and_then(|s| String::from_utf8(s.to_vec()).ok())
}

/// musl ldso/dynlink.c: load_library — `<prefix>/etc/ld-musl-<arch>.path`, the prefix being
/// `ldso_name` up to its second-to-last '/' (empty when the name is not absolute).
pub fn musl_path_file(ldso_name: &[u8], musl_arch: &str) -> Vec<u8> {
    let mut prefix: &[u8] = b"";
    if ldso_name.starts_with(b"/") {
        let slashes: Vec<usize> = ldso_name
            .iter()
            .enumerate()
            .filter(|(_, &b)| b == b'/')
            .map(|(i, _)| i)
            .collect();
        let z = if slashes.len() >= 2 {
            slashes[slashes.len() - 2]
        } else {
            0
        };
        prefix = &ldso_name[..z];
    }
    let mut out = prefix.to_vec();
    out.extend_from_slice(b"/etc/ld-musl-");
    out.extend_from_slice(musl_arch.as_bytes());
    out.extend_from_slice(b".path");
    out
}

/// The directories of a musl path file: the contents up to the first NUL (musl reads it as a
/// C string), split on ':' and '\n', empty elements skipped (musl ldso/dynlink.c: path_open).
pub fn parse_musl_path(contents: &[u8]) -> Vec<Vec<u8>> {
    let text = contents.split(|&b| b == 0).next().unwrap_or_default();
    text.split(|&b| b == b':' || b == b'\n')
        .filter(|s| !s.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

#[cfg(test)]
mod tests;
