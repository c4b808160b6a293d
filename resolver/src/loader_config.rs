//! The target's loader, read from the target itself: which flavour the PT_INTERP file is and
//! how it was configured (glibc: compiled-in dirs, `$LIB`, version, ld.so.cache; musl: its
//! path file). Never from the host.

use std::sync::Arc;

use ldsim_loader::arch::{Arch, ArchInfo};
use ldsim_sysroots::Resolved;

use crate::cache::{self, LdSoCache};
use crate::ldso::{self, LoaderKind};
use crate::store::{Opened, Parsed, Store};

/// A glibc ld.so and what it reads.
#[derive(Debug)]
pub(crate) struct GlibcConfig {
    pub arch: Arch,
    /// PT_INTERP as written (ld.so's `l_name`).
    pub interp: Vec<u8>,
    pub ldso: Arc<Parsed>,
    pub ldso_resolved: Resolved,
    pub version: ldsim_loader::Release,
    pub version_known: bool,
    pub system_dirs: Vec<Vec<u8>>,
    pub lib_dst: Vec<u8>,
    pub platform: Vec<u8>,
    pub cache_path: Vec<u8>,
    pub cache: Option<LdSoCache>,
    /// Entries of /etc/ld.so.preload.
    pub preload_file: Vec<Vec<u8>>,
    /// The tunable names ld.so knows, the release's fingerprint a static glibc program is
    /// compared by (`None`: no ld.so image was read, as for a built-in target).
    pub tunables: Option<Box<[Box<str>]>>,
}

/// A musl ldso (possibly started by gcompat's stub) and what it reads.
#[derive(Debug)]
pub(crate) struct MuslConfig {
    /// `ldso.name`: PT_INTERP, or argv[0] given by gcompat's stub.
    pub ldso_name: Vec<u8>,
    pub ldso: Arc<Parsed>,
    pub ldso_resolved: Resolved,
    /// The system path and where it came from.
    pub system_path: Vec<Vec<u8>>,
    pub path_file: Vec<u8>,
    pub path_file_error: Option<String>,
    pub version: Option<String>,
    /// musl ≥ 1.2.4 maps LFS64 names in the loader.
    pub lfs64_remap: bool,
    /// gcompat: libgcompat preloaded.
    pub gcompat_preload: Option<Vec<u8>>,
}

#[derive(Debug)]
pub(crate) enum LoaderConfig {
    Glibc(GlibcConfig),
    Musl(MuslConfig),
}

/// Why the interpreter cannot run the program (the kernel's view).
#[derive(Debug, Clone)]
pub(crate) enum InterpFailure {
    /// ENOENT and friends: the file is missing.
    Missing(String),
    /// ELIBBAD: not ELF, or for another architecture.
    Corrupt(String),
    /// A file ldsim does not recognise as glibc's or musl's loader.
    Unknown,
}

pub(crate) fn detect(
    store: &Store<'_>,
    interp: &[u8],
    arch: Arch,
) -> Result<LoaderConfig, InterpFailure> {
    let opened = store
        .open(interp)
        .map_err(|e| InterpFailure::Missing(e.to_string()))?;
    let (resolved, parsed) = match opened {
        Opened::Elf { resolved, parsed } => (resolved, parsed),
        Opened::NotElf { error, .. } => return Err(InterpFailure::Corrupt(error.to_string())),
        Opened::Directory => return Err(InterpFailure::Missing("Permission denied".into())),
    };
    let interp_arch = ldsim_loader::arch::arch_of(&parsed.object.header);
    if interp_arch != Some(arch) {
        return Err(InterpFailure::Corrupt(
            "interpreter is for another architecture".into(),
        ));
    }
    let bytes = store
        .read_bytes(resolved.path.as_bytes())
        .map_err(|e| InterpFailure::Missing(e.to_string()))?;
    let obj = &parsed.object;
    let static_without_soname = obj.soname().is_none() && obj.needed().is_empty();
    let info = arch.info();
    match ldso::classify_loader(obj.soname(), static_without_soname, &bytes) {
        Some(LoaderKind::Glibc) => Ok(LoaderConfig::Glibc(glibc_config(
            store, interp, arch, info, parsed, resolved, &bytes,
        ))),
        Some(LoaderKind::Musl) => Ok(LoaderConfig::Musl(musl_config(
            store,
            interp.to_vec(),
            info,
            parsed,
            resolved,
            &bytes,
            None,
        ))),
        Some(LoaderKind::GcompatStub {
            musl_loader,
            preload,
        }) => {
            // gcompat's stub execs musl with argv[0] = the glibc loader's base name
            // (gcompat loader/loader.c), so that name is musl's `ldso.name`.
            let name = interp
                .rsplit(|&c| c == b'/')
                .next()
                .unwrap_or(interp)
                .to_vec();
            let opened = store
                .open(&musl_loader)
                .map_err(|e| InterpFailure::Missing(e.to_string()))?;
            let Opened::Elf {
                resolved: musl_resolved,
                parsed: musl_parsed,
            } = opened
            else {
                return Err(InterpFailure::Corrupt(
                    "gcompat's musl loader is not ELF".into(),
                ));
            };
            let musl_bytes = store
                .read_bytes(musl_resolved.path.as_bytes())
                .map_err(|e| InterpFailure::Missing(e.to_string()))?;
            let mut cfg = musl_config(
                store,
                name,
                info,
                musl_parsed,
                musl_resolved,
                &musl_bytes,
                Some(preload),
            );
            // The path file is found relative to the real musl loader path, not argv[0].
            let (path, file, err) = musl_system_path(store, &musl_loader, info);
            cfg.system_path = path;
            cfg.path_file = file;
            cfg.path_file_error = err;
            Ok(LoaderConfig::Musl(cfg))
        }
        None => Err(InterpFailure::Unknown),
    }
}

fn glibc_config(
    store: &Store<'_>,
    interp: &[u8],
    arch: Arch,
    info: &ArchInfo,
    ldso: Arc<Parsed>,
    ldso_resolved: Resolved,
    bytes: &[u8],
) -> GlibcConfig {
    let inspected = ldso::inspect_glibc(bytes, info.glibc_default_dirs, info.glibc_lib_dst);
    // Older ld.so (2.31) carries no version banner; libc.so.6 in the system dirs does, and
    // failing that its highest GLIBC_2.x version definition.
    let version = inspected
        .version
        .or_else(|| libc_version(store, &inspected.system_dirs))
        .or_else(|| ldso::glibc_version_from_verdefs(ldso.object.verdefs.iter().map(|d| &*d.name)));
    let cache = store
        .read_bytes(&inspected.cache_path)
        .ok()
        .and_then(|b| cache::parse(&b, ldso.object.header.endian).ok());
    let preload_file = store
        .read_bytes(&inspected.preload_path)
        .map(|b| parse_preload_file(&b))
        .unwrap_or_default();
    let lib_dst = inspected
        .lib_dst
        .unwrap_or_else(|| info.glibc_lib_dst.as_bytes().to_vec());
    GlibcConfig {
        arch,
        interp: interp.to_vec(),
        ldso,
        ldso_resolved,
        version: version.unwrap_or(ldsim_loader::Release::new(2, 99, 0)),
        version_known: version.is_some(),
        system_dirs: inspected.system_dirs,
        lib_dst,
        platform: info.platform.as_bytes().to_vec(),
        cache_path: inspected.cache_path,
        cache,
        preload_file,
        tunables: Some(ldsim_loader::static_glibc::tunable_names(bytes).into()),
    }
}

fn libc_version(store: &Store<'_>, dirs: &[Vec<u8>]) -> Option<ldsim_loader::Release> {
    let bytes = dirs
        .iter()
        .find_map(|d| store.read_bytes(&crate::dst::join(d, b"libc.so.6")).ok())?;
    ldso::glibc_release_version(&bytes).or_else(|| {
        let obj = ldsim_loader::parse(&bytes).ok()?;
        ldso::glibc_version_from_verdefs(obj.verdefs.iter().map(|d| &*d.name))
    })
}

/// /etc/ld.so.preload: `#` comments, entries separated by blanks, newlines or ':'
/// (glibc elf/rtld.c: dl_main).
fn parse_preload_file(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes
        .split(|&c| c == b'\n')
        .flat_map(|line| {
            let line = match line.iter().position(|&c| c == b'#') {
                Some(i) => &line[..i],
                None => line,
            };
            line.split(|&c| matches!(c, b' ' | b'\t' | b':' | b'\r'))
                .filter(|s| !s.is_empty())
                .map(<[u8]>::to_vec)
                .collect::<Vec<_>>()
        })
        .collect()
}

#[allow(clippy::too_many_arguments)] // one call site per flavour; a struct would only rename these
fn musl_config(
    store: &Store<'_>,
    ldso_name: Vec<u8>,
    info: &ArchInfo,
    ldso: Arc<Parsed>,
    ldso_resolved: Resolved,
    bytes: &[u8],
    gcompat_preload: Option<Vec<u8>>,
) -> MuslConfig {
    let version = ldso::musl_version(bytes);
    let lfs64_remap = version.as_deref().is_some_and(|v| musl_at_least(v, (1, 2, 4)))
        // Without a version string, the absence of exported fopen64 means the loader maps them.
        || (version.is_none()
            && !ldso.object.symbols.iter().any(|s| &*s.name == b"fopen64" && !s.is_undefined()));
    let (system_path, path_file, path_file_error) = musl_system_path(store, &ldso_name, info);
    MuslConfig {
        ldso_name,
        ldso,
        ldso_resolved,
        system_path,
        path_file,
        path_file_error,
        version,
        lfs64_remap,
        gcompat_preload,
    }
}

fn musl_at_least(version: &str, want: (u32, u32, u32)) -> bool {
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let v = (
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    );
    v >= want
}

/// musl reads `<prefix>/etc/ld-musl-$ARCH.path` once; ENOENT gives the built-in default, an
/// empty or unreadable file gives no system directories at all (ldso/dynlink.c: load_library).
/// musl's built-in library path when there is no path file (ldso/dynlink.c: sys_path
/// defaults to "/lib:/usr/local/lib:/usr/lib").
pub(crate) fn musl_default_path() -> Vec<Vec<u8>> {
    [&b"/lib"[..], b"/usr/local/lib", b"/usr/lib"]
        .iter()
        .map(|d| d.to_vec())
        .collect()
}

fn musl_system_path(
    store: &Store<'_>,
    ldso_name: &[u8],
    info: &ArchInfo,
) -> (Vec<Vec<u8>>, Vec<u8>, Option<String>) {
    let file = ldso::musl_path_file(ldso_name, info.musl_arch);
    match store.read_bytes(&file) {
        Ok(bytes) => (ldso::parse_musl_path(&bytes), file, None),
        Err(ldsim_sysroots::FsError::NotFound) => (musl_default_path(), file, None),
        Err(e) => (Vec::new(), file, Some(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preload_file_syntax() {
        let got = parse_preload_file(b"# comment\n/lib/a.so  b.so:c.so\t# x\n\n");
        assert_eq!(
            got,
            vec![b"/lib/a.so".to_vec(), b"b.so".to_vec(), b"c.so".to_vec()]
        );
    }

    #[test]
    fn musl_versions() {
        assert!(musl_at_least("1.2.4", (1, 2, 4)));
        assert!(musl_at_least("1.2.5", (1, 2, 4)));
        assert!(!musl_at_least("1.2.3", (1, 2, 4)));
    }
}
