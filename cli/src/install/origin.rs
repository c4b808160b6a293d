//! Where a host file must be mounted to be checked "as installed at its own path".
//!
//! A file built on the host (say `/home/u/app/bin/app` with `DT_RUNPATH=$ORIGIN/../lib`) is
//! checked against a foreign root by mounting its directory, and the directories its
//! `$ORIGIN`-relative search paths name, at the same paths inside the target. This module only
//! computes the candidates, lexically and without I/O; the caller decides which of them exist
//! on the host and are not already provided.

use ldsim_loader::ElfObject;
use ldsim_sysroots::TargetPath;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

/// Mount candidates `(target, host)` for checking `host_file` as installed at its own path:
/// the file's parent directory, plus every DT_RPATH and DT_RUNPATH element of `main` that
/// starts with `$ORIGIN` or `${ORIGIN}` (both tags: these are only candidates, which list the
/// loader searches is the resolver's business). Each host directory is mounted at the
/// identical target path. Sorted, without duplicates.
///
/// `host_file` should be absolute and canonical (the main program's `$ORIGIN` is the directory
/// of `/proc/self/exe`, symlinks resolved: glibc sysdeps/unix/sysv/linux/dl-origin.c:
/// _dl_get_origin); a relative path is taken relative to `/`. Paths are normalised lexically,
/// `..` stopping at the root. The root itself is never a candidate: mounting it would hide
/// the whole target. Elements holding another dynamic string token (`$ORIGIN/$LIB`) are left
/// out: they name target-dependent directories.
pub fn host_install_mounts(host_file: &Path, main: &ElfObject) -> Vec<(TargetPath, PathBuf)> {
    let origin = normalize(host_file).parent().map(Path::to_path_buf);
    let Some(origin) = origin else {
        return Vec::new();
    };
    let mut dirs = vec![origin.clone()];
    if let Some(dynamic) = &main.dynamic {
        let lists = [dynamic.rpath.as_deref(), dynamic.runpath.as_deref()];
        for element in lists
            .into_iter()
            .flatten()
            .flat_map(|l| l.split(|&b| b == b':'))
        {
            if let Some(dir) = origin_relative(element, &origin) {
                dirs.push(dir);
            }
        }
    }
    let mut mounts: Vec<(TargetPath, PathBuf)> = dirs
        .into_iter()
        .filter(|dir| dir != Path::new("/"))
        .map(|dir| (TargetPath::new(dir.as_os_str().as_bytes()), dir))
        .collect();
    mounts.sort();
    mounts.dedup();
    mounts
}

/// Expand a leading `$ORIGIN`/`${ORIGIN}` in one path-list element, by substitution as glibc
/// does (elf/dl-load.c: _dl_dst_substitute; the token rules are elf/dl-load.c: is_dst).
fn origin_relative(element: &[u8], origin: &Path) -> Option<PathBuf> {
    let rest = if let Some(rest) = element.strip_prefix(b"${ORIGIN}") {
        rest
    } else {
        let rest = element.strip_prefix(b"$ORIGIN")?;
        // `$ORIGINX` is not a token: the name must not continue with [A-Za-z0-9_].
        if rest
            .first()
            .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_')
        {
            return None;
        }
        rest
    };
    if rest.contains(&b'$') {
        return None;
    }
    let mut expanded = origin.as_os_str().as_bytes().to_vec();
    expanded.extend_from_slice(rest);
    Some(normalize(Path::new(OsStr::from_bytes(&expanded))))
}

/// Lexical normalisation: absolute, no `.`, `..` removed against its parent and clamped at `/`.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::from("/");
    for component in path.components() {
        match component {
            Component::Normal(name) => out.push(name),
            Component::ParentDir => {
                out.pop();
            }
            Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ldsim_loader::{Dynamic, Header};

    fn object(rpath: Option<&str>, runpath: Option<&str>) -> ElfObject {
        ElfObject {
            has_load: true,
            dynamic: Some(Dynamic {
                rpath: rpath.map(|s| s.as_bytes().to_vec()),
                runpath: runpath.map(|s| s.as_bytes().to_vec()),
                ..Dynamic::default()
            }),
            ..ElfObject::empty(Header::of(
                ldsim_loader::arch::Arch::X86_64,
                ldsim_loader::ET_DYN,
            ))
        }
    }

    /// The mounted directories as `target=host` strings.
    fn mounts(file: &str, rpath: Option<&str>, runpath: Option<&str>) -> Vec<String> {
        host_install_mounts(Path::new(file), &object(rpath, runpath))
            .into_iter()
            .map(|(target, host)| format!("{target}={}", host.display()))
            .collect()
    }

    #[test]
    fn parent_directory_only_without_search_paths() {
        assert_eq!(
            mounts("/h/app/bin/app", None, None),
            ["/h/app/bin=/h/app/bin"]
        );
    }

    #[test]
    fn no_dynamic_section_still_mounts_the_parent() {
        let mut main = object(None, None);
        main.dynamic = None;
        let got = host_install_mounts(Path::new("/h/bin/app"), &main);
        assert_eq!(got, [(TargetPath::new(b"/h/bin"), PathBuf::from("/h/bin"))]);
    }

    #[test]
    fn runpath_origin_dotdot_is_normalised() {
        assert_eq!(
            mounts("/h/app/bin/app", None, Some("$ORIGIN/../lib")),
            ["/h/app/bin=/h/app/bin", "/h/app/lib=/h/app/lib"]
        );
    }

    #[test]
    fn braced_origin_is_a_token() {
        assert_eq!(
            mounts("/h/bin/app", Some("${ORIGIN}/plugins"), None),
            ["/h/bin=/h/bin", "/h/bin/plugins=/h/bin/plugins"]
        );
    }

    #[test]
    fn rpath_and_runpath_are_both_candidates() {
        assert_eq!(
            mounts("/h/bin/app", Some("$ORIGIN/r"), Some("$ORIGIN/u")),
            ["/h/bin=/h/bin", "/h/bin/r=/h/bin/r", "/h/bin/u=/h/bin/u"]
        );
    }

    #[test]
    fn every_element_of_a_list_is_considered() {
        assert_eq!(
            mounts("/h/bin/app", None, Some("/usr/lib:$ORIGIN/a::$ORIGIN/b")),
            ["/h/bin=/h/bin", "/h/bin/a=/h/bin/a", "/h/bin/b=/h/bin/b"]
        );
    }

    #[test]
    fn bare_origin_is_the_parent_and_deduplicated() {
        assert_eq!(
            mounts("/h/bin/app", Some("$ORIGIN"), Some("$ORIGIN/")),
            ["/h/bin=/h/bin"]
        );
    }

    #[test]
    fn origin_followed_by_a_name_character_is_not_a_token() {
        assert_eq!(
            mounts("/h/bin/app", None, Some("$ORIGINX/lib:$ORIGIN_1")),
            ["/h/bin=/h/bin"]
        );
    }

    #[test]
    fn origin_followed_by_punctuation_is_substituted() {
        assert_eq!(
            mounts("/h/bin/app", None, Some("$ORIGIN-extra")),
            ["/h/bin=/h/bin", "/h/bin-extra=/h/bin-extra"]
        );
    }

    #[test]
    fn origin_not_at_the_start_is_ignored() {
        assert_eq!(
            mounts("/h/bin/app", None, Some("/opt/$ORIGIN/lib")),
            ["/h/bin=/h/bin"]
        );
    }

    #[test]
    fn other_tokens_name_target_dependent_dirs() {
        assert_eq!(
            mounts("/h/bin/app", None, Some("$ORIGIN/../$LIB")),
            ["/h/bin=/h/bin"]
        );
    }

    #[test]
    fn dotdot_stops_at_the_root_and_the_root_is_never_mounted() {
        assert_eq!(
            mounts("/h/app", None, Some("$ORIGIN/../../..:$ORIGIN/../../x")),
            ["/h=/h", "/x=/x"]
        );
    }

    #[test]
    fn file_in_the_root_mounts_only_its_search_dirs() {
        assert_eq!(mounts("/app", None, Some("$ORIGIN/lib")), ["/lib=/lib"]);
    }

    #[test]
    fn relative_and_dotted_host_paths_are_normalised() {
        assert_eq!(
            mounts("h/./bin/../bin/app", None, Some("$ORIGIN/./lib/")),
            ["/h/bin=/h/bin", "/h/bin/lib=/h/bin/lib"]
        );
    }

    #[test]
    fn sorted_by_target_path() {
        assert_eq!(
            mounts("/h/m/app", Some("$ORIGIN/../z:$ORIGIN/../a"), None),
            ["/h/a=/h/a", "/h/m=/h/m", "/h/z=/h/z"]
        );
    }
}
