//! A built-in target made concrete for one architecture: an in-memory root holding the
//! libraries the tables describe (as parsed objects, never bytes), and the loader's settings
//! as that distribution builds it. The checker then runs the same simulation as on a real root.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use ldsim_loader::arch::Arch;
use ldsim_sysroots::{FileId, NodeKind, Resolved, Sysroot, TargetPath, VirtualRoot};

use crate::loader_config::{GlibcConfig, LoaderConfig, MuslConfig};
use crate::store::{Knowledge, Parsed, Store, Synthetic};
use ldsim_tables::abilists::{GlibcRelease, GLIBC_SONAMES, MERGED_INTO_LIBC};
use ldsim_tables::base::BaseImage;
use ldsim_tables::catalog::{CxxRuntime, Layout, LibcSpec};
use ldsim_tables::libraries::{self as tables, CxxLibrary};
use ldsim_tables::objects::{executable, SynthLibrary};
use ldsim_tables::{arch_name, Target, TargetError};

/// Device number of the stand-ins for undescribed libraries (never a real or tree device).
const UNKNOWN_DEVICE: u64 = 0x1d5f_ffff_0000_0000;

/// Sonames glibc installs besides the tables' (glibc's shlib-versions; hand-kept, like
/// `GLIBC_SONAMES`): a musl target describes them as absent.
const OTHER_GLIBC_SONAMES: &[&str] = &[
    "libanl.so.1",
    "libcrypt.so.1",
    "libnsl.so.1",
    "libBrokenLocale.so.1",
    "libmvec.so.1",
    "libc_malloc_debug.so.0",
    "libthread_db.so.1",
];

const LIBSTDCXX: &str = "libstdc++.so.6";
const LIBGCC_S: &str = "libgcc_s.so.1";

/// How the loader of a built-in root is configured.
#[derive(Debug)]
enum LoaderSpec {
    Glibc {
        version: GlibcRelease,
        system_dirs: Vec<Vec<u8>>,
        lib_dst: Vec<u8>,
    },
    Musl {
        version: String,
        lfs64_remap: bool,
        /// The musl loader's own path (gcompat's stub runs it).
        musl_path: Vec<u8>,
        gcompat_preload: Option<Vec<u8>>,
    },
}

/// A built-in target for one architecture, ready to check files against.
#[derive(Debug)]
pub struct BuiltinRoot {
    name: String,
    /// The distribution's file layout (which also says how it installs packages).
    layout: ldsim_tables::catalog::Layout,
    arch: Arch,
    sysroot: Sysroot,
    objects: Vec<(Vec<u8>, Arc<Parsed>)>,
    /// PT_INTERP paths the loader answers to, with its configuration.
    loaders: Vec<(Vec<u8>, LoaderSpec)>,
    /// Sonames the target describes, present or not: any other name is unknown to it.
    described: BTreeSet<Vec<u8>>,
    /// Why a described library is absent and how to get it.
    absent_hints: BTreeMap<Vec<u8>, String>,
    unknown_hint: String,
}

impl BuiltinRoot {
    /// `target` for `arch` (see [`Target::arch_for`]).
    pub fn new(target: &Target, arch: Arch) -> Result<BuiltinRoot, TargetError> {
        let no_data = || TargetError::NoData {
            target: target.name.clone(),
            arch: arch_name(arch).to_owned(),
        };
        let mut b = Builder {
            arch,
            vroot: VirtualRoot::new(),
            objects: Vec::new(),
            loaders: Vec::new(),
            described: BTreeSet::new(),
            absent_hints: BTreeMap::new(),
        };
        // The kernel stage reads the target's architecture from /bin/sh; bash's wording is
        // used where the image has bash.
        let sh = Arc::new(Parsed::new(executable(arch), Knowledge::Complete));
        b.place("/bin/sh", sh.clone());
        if matches!(
            target.layout,
            Layout::Multiarch | Layout::MultiarchSplitUsr | Layout::Lib64
        ) && target.libc != LibcSpec::None
            && !target.name.starts_with("distroless")
        {
            b.place("/bin/bash", sh);
        }
        let lib_dir = lib_dir(target.layout, arch);
        match target.libc {
            LibcSpec::Glibc(release) => {
                if !tables::glibc_has_arch(arch) {
                    return Err(no_data());
                }
                // A release with a base-image table gets its real glibc from it.
                let from_tables = !ldsim_tables::base::knows(&target.name, arch);
                b.glibc(target, release, &lib_dir, from_tables);
            }
            LibcSpec::Musl(release) => {
                let exports = tables::musl_exports(release, arch).ok_or_else(no_data)?;
                b.musl(target, release, exports);
            }
            LibcSpec::None => {}
        }
        // Before the /usr merge libstdc++ is installed under /usr, libgcc_s beside libc.
        let cxx_dir = match target.layout {
            Layout::MultiarchSplitUsr => format!("/usr/lib/{}", arch.info().multiarch),
            _ => lib_dir.clone(),
        };
        b.cxx(target.cxx, &cxx_dir, &lib_dir);
        // Where the tables have the release's base image, its libraries (glibc's, libstdc++,
        // and every other one the image has) are the real ones, read from its packages.
        if let Some(image) = ldsim_tables::base::base_image(&target.name, arch) {
            b.base_image(image, target.layout);
        }
        let what = format!("{}, {}", target.name, arch_name(arch));
        Ok(BuiltinRoot {
            name: target.name.clone(),
            layout: target.layout,
            arch,
            sysroot: b.vroot.into_sysroot(format!("built-in target {what}")),
            objects: b.objects,
            loaders: b.loaders,
            described: b.described,
            absent_hints: b.absent_hints,
            unknown_hint: format!(
                "not in ldsim's tables for {what}; check against an image of the target (--sysroot IMAGE)"
            ),
        })
    }

    pub(crate) fn layout(&self) -> ldsim_tables::catalog::Layout {
        self.layout
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn arch(&self) -> Arch {
        self.arch
    }

    /// The in-memory root, to mount the checked files into.
    pub fn sysroot_mut(&mut self) -> &mut Sysroot {
        &mut self.sysroot
    }

    pub(crate) fn store(&self) -> Store<'_> {
        Store::synthetic(&self.sysroot, &self.objects, self)
    }

    /// The loader configurations, keyed as the checker caches them.
    pub(crate) fn loader_configs(&self, store: &Store<'_>) -> Vec<((Vec<u8>, Arch), LoaderConfig)> {
        let info = self.arch.info();
        let mut out = Vec::new();
        for (interp, spec) in &self.loaders {
            let ldso_path = match spec {
                LoaderSpec::Musl { musl_path, .. } => musl_path.as_slice(),
                LoaderSpec::Glibc { .. } => interp.as_slice(),
            };
            let Ok(crate::store::Opened::Elf { resolved, parsed }) = store.open(ldso_path) else {
                continue;
            };
            let config = match spec {
                LoaderSpec::Glibc {
                    version,
                    system_dirs,
                    lib_dst,
                } => LoaderConfig::Glibc(GlibcConfig {
                    arch: self.arch,
                    interp: interp.clone(),
                    ldso: parsed,
                    ldso_resolved: resolved,
                    version: *version,
                    version_known: true,
                    system_dirs: system_dirs.clone(),
                    lib_dst: lib_dst.clone(),
                    platform: info.platform.as_bytes().to_vec(),
                    cache_path: b"/etc/ld.so.cache".to_vec(),
                    cache: None,
                    preload_file: Vec::new(),
                    tunables: None,
                }),
                LoaderSpec::Musl {
                    version,
                    lfs64_remap,
                    gcompat_preload,
                    ..
                } => LoaderConfig::Musl(MuslConfig {
                    // gcompat's stub runs musl with argv[0] = the glibc loader's base name.
                    ldso_name: if gcompat_preload.is_some() {
                        interp
                            .rsplit(|&c| c == b'/')
                            .next()
                            .unwrap_or(interp)
                            .to_vec()
                    } else {
                        interp.clone()
                    },
                    ldso: parsed,
                    ldso_resolved: resolved,
                    system_path: crate::loader_config::musl_default_path(),
                    path_file: format!("/etc/ld-musl-{}.path", info.musl_arch).into_bytes(),
                    path_file_error: None,
                    version: Some(version.clone()),
                    lfs64_remap: *lfs64_remap,
                    gcompat_preload: gcompat_preload.clone(),
                }),
            };
            out.push(((interp.clone(), self.arch), config));
        }
        out
    }

    /// Why a library the target describes is absent, if the target says.
    pub(crate) fn absent_hint(&self, name: &[u8]) -> Option<String> {
        if let Some(hint) = self.absent_hints.get(name) {
            return Some(hint.clone());
        }
        let packages = self.packages_beyond_base(name)?;
        Some(format!(
            "it is not in the {} base image; {} {} it",
            self.name,
            if packages.len() == 1 {
                "package"
            } else {
                "packages"
            },
            if packages.len() == 1 {
                format!("{} ships", packages[0])
            } else {
                format!("{} ship", packages.join(", "))
            }
        ))
    }

    /// With the release's base image known: the packages of the release that ship a library
    /// the image lacks (`None` without a base image, or when no package ships it: then it is
    /// the program's own, and unknown to the target).
    fn packages_beyond_base(&self, name: &[u8]) -> Option<Vec<&'static str>> {
        if !ldsim_tables::base::knows(&self.name, self.arch) {
            return None;
        }
        let packages = ldsim_tables::packages::providers(&self.name, name)?;
        (!packages.is_empty()).then_some(packages)
    }

    pub(crate) fn unknown_hint(&self) -> &str {
        &self.unknown_hint
    }
}

impl Synthetic for BuiltinRoot {
    fn unknown_library(&self, name: &[u8]) -> Option<(Resolved, Arc<Parsed>)> {
        // Described, or a library of the release that its base image lacks: absent, as on
        // the real image.
        if self.described.contains(name) || self.packages_beyond_base(name).is_some() {
            return None;
        }
        let mut object = executable(self.arch);
        object.header.e_type = ldsim_loader::ET_DYN;
        object.dynamic = Some(ldsim_loader::Dynamic::default());
        let resolved = Resolved {
            path: TargetPath::new(name),
            kind: NodeKind::File,
            // One identity per name, so every request for it finds the same object.
            id: FileId {
                dev: UNKNOWN_DEVICE,
                ino: ldsim_loader::elf_hash(name).into(),
            },
            mode: 0o755,
            size: 0,
        };
        Some((resolved, Arc::new(Parsed::new(object, Knowledge::Unknown))))
    }
}

/// The directory a layout installs libraries in.
fn lib_dir(layout: Layout, arch: Arch) -> String {
    let info = arch.info();
    match layout {
        Layout::Multiarch => format!("/usr/lib/{}", info.multiarch),
        Layout::MultiarchSplitUsr => format!("/lib/{}", info.multiarch),
        Layout::Lib64 => {
            if matches!(arch, Arch::I386 | Arch::ArmHf | Arch::ArmEl) {
                "/usr/lib".to_owned()
            } else {
                "/usr/lib64".to_owned()
            }
        }
        Layout::Upstream => info
            .glibc_default_dirs
            .first()
            .map_or_else(|| "/lib".to_owned(), |d| (*d).to_owned()),
        Layout::Alpine => "/usr/lib".to_owned(),
    }
}

struct Builder {
    arch: Arch,
    vroot: VirtualRoot,
    objects: Vec<(Vec<u8>, Arc<Parsed>)>,
    loaders: Vec<(Vec<u8>, LoaderSpec)>,
    described: BTreeSet<Vec<u8>>,
    absent_hints: BTreeMap<Vec<u8>, String>,
}

impl Builder {
    fn place(&mut self, path: &str, parsed: Arc<Parsed>) {
        self.vroot.file(path, Vec::new());
        self.objects.push((path.as_bytes().to_vec(), parsed));
    }

    fn library(&mut self, dir: &str, lib: &SynthLibrary, knowledge: Knowledge) -> String {
        let soname = lib.soname.clone().unwrap_or_default();
        let path = format!("{dir}/{soname}");
        let parsed = Arc::new(Parsed::new(lib.object(self.arch), knowledge));
        self.place(&path, parsed);
        self.described.insert(soname.into_bytes());
        path
    }

    /// Every library of a release's base image at the path its package gives it (under
    /// /usr on a merged-/usr layout), with the links to it; placed last, they replace what
    /// the generic tables placed at the same path.
    fn base_image(&mut self, image: &BaseImage, layout: Layout) {
        let in_layout = |path: &str| match (layout, path.strip_prefix("/lib/")) {
            (Layout::Multiarch, Some(rest)) => format!("/usr/lib/{rest}"),
            _ => path.to_owned(),
        };
        let file_name = |path: &str| path.rsplit('/').next().unwrap_or(path).as_bytes().to_vec();
        for lib in &image.libraries {
            let path = in_layout(&lib.path);
            let parsed = Arc::new(Parsed::new(
                lib.library.object(self.arch),
                Knowledge::Complete,
            ));
            self.place(&path, parsed);
            self.described.insert(file_name(&path));
            if let Some(soname) = &lib.library.soname {
                self.described.insert(soname.as_bytes().to_vec());
            }
        }
        for (path, target) in &image.links {
            let target = if target.starts_with('/') {
                in_layout(target)
            } else {
                target.clone()
            };
            let path = in_layout(path);
            self.vroot.symlink(&path, &target);
            self.described.insert(file_name(&path));
        }
    }

    /// glibc's loader configuration, and with `objects` its libraries made from the tables.
    fn glibc(&mut self, target: &Target, release: GlibcRelease, lib_dir: &str, objects: bool) {
        let info = self.arch.info();
        let interp = info
            .glibc_interpreters
            .first()
            .copied()
            .unwrap_or("/lib/ld.so");
        let ld_soname = interp.rsplit('/').next().unwrap_or(interp).to_owned();
        let merged = release >= MERGED_INTO_LIBC;
        for (table, soname) in GLIBC_SONAMES.iter().filter(|_| objects) {
            let mut exports = Vec::new();
            let stub = merged && tables::MERGED.contains(table);
            if !stub {
                exports = tables::glibc_exports(table, self.arch, release);
            }
            if *table == "c" && merged {
                for m in tables::MERGED {
                    exports.extend(tables::glibc_exports(m, self.arch, release));
                }
            }
            let needed = if *table == "c" {
                vec![ld_soname.clone()]
            } else {
                vec!["libc.so.6".to_owned(), ld_soname.clone()]
            };
            let lib = SynthLibrary {
                soname: Some((*soname).to_owned()),
                needed,
                versions: tables::glibc_versions(table, self.arch, release),
                exports,
            };
            self.library(lib_dir, &lib, Knowledge::Complete);
        }
        let ld_path = if objects {
            let ld = SynthLibrary {
                soname: Some(ld_soname.clone()),
                needed: Vec::new(),
                versions: tables::glibc_versions("ld", self.arch, release),
                exports: tables::glibc_exports("ld", self.arch, release),
            };
            self.library(lib_dir, &ld, Knowledge::Complete)
        } else {
            format!("{lib_dir}/{ld_soname}")
        };
        // Every PT_INTERP spelling of this ABI is a link to the one ld.so.
        for alias in info.glibc_interpreters {
            if *alias != ld_path {
                self.vroot.symlink(alias, &ld_path);
            }
        }
        let system_dirs = match target.layout {
            Layout::Multiarch | Layout::MultiarchSplitUsr => vec![
                format!("/lib/{}", info.multiarch),
                format!("/usr/lib/{}", info.multiarch),
                "/lib".to_owned(),
                "/usr/lib".to_owned(),
            ],
            _ => info
                .glibc_default_dirs
                .iter()
                .map(|d| (*d).to_owned())
                .collect(),
        };
        if target.layout == Layout::Multiarch {
            // Debian's merged /usr: /lib is a link to usr/lib.
            self.vroot.symlink("/lib", "usr/lib");
        }
        if target.layout == Layout::Lib64 && lib_dir == "/usr/lib64" {
            self.vroot.symlink("/lib64", "usr/lib64");
        }
        let lib_dst = match target.layout {
            Layout::Multiarch | Layout::MultiarchSplitUsr => format!("lib/{}", info.multiarch),
            _ => info.glibc_lib_dst.to_owned(),
        };
        for alias in info.glibc_interpreters {
            self.loaders.push((
                alias.as_bytes().to_vec(),
                LoaderSpec::Glibc {
                    version: release,
                    system_dirs: system_dirs.iter().map(|d| d.as_bytes().to_vec()).collect(),
                    lib_dst: lib_dst.as_bytes().to_vec(),
                },
            ));
        }
        // musl's libc names (what musl-linked objects, musllinux wheels, need) are described:
        // absent on a glibc image, as the real one lacks them.
        for soname in [
            format!("libc.musl-{}.so.1", info.musl_arch),
            format!("ld-musl-{}.so.1", info.musl_arch),
        ] {
            self.described.insert(soname.clone().into_bytes());
            self.absent_hints.insert(
                soname.into_bytes(),
                "musl's C library: the file was built for musl (Alpine, musllinux); a glibc \
                 image has no musl — use the glibc (manylinux) build, or a musl target"
                    .to_owned(),
            );
        }
    }

    fn musl(
        &mut self,
        target: &Target,
        version: ldsim_loader::Release,
        exports: Vec<ldsim_tables::objects::SynthExport>,
    ) {
        let info = self.arch.info();
        let musl_path = format!("/lib/ld-musl-{}.so.1", info.musl_arch);
        // musl's libc.so has no DT_SONAME and no versions; it is its own loader.
        let libc = SynthLibrary {
            soname: None,
            needed: Vec::new(),
            versions: Vec::new(),
            exports,
        };
        let parsed = Arc::new(Parsed::new(libc.object(self.arch), Knowledge::Complete));
        self.place(&musl_path, parsed);
        self.vroot.symlink(
            &format!("/lib/libc.musl-{}.so.1", info.musl_arch),
            &format!("ld-musl-{}.so.1", info.musl_arch),
        );
        let version_text = version.full();
        let lfs64_remap = version >= ldsim_loader::Release::new(1, 2, 4);
        self.loaders.push((
            musl_path.as_bytes().to_vec(),
            LoaderSpec::Musl {
                version: version_text.clone(),
                lfs64_remap,
                musl_path: musl_path.as_bytes().to_vec(),
                gcompat_preload: None,
            },
        ));
        // glibc's sonames are described: absent on musl, unless gcompat provides them.
        for (_, soname) in GLIBC_SONAMES {
            self.described.insert(soname.as_bytes().to_vec());
        }
        for soname in OTHER_GLIBC_SONAMES {
            self.described.insert(soname.as_bytes().to_vec());
        }
        for interp in info.glibc_interpreters {
            let soname = interp.rsplit('/').next().unwrap_or(interp);
            self.described.insert(soname.as_bytes().to_vec());
        }
        if target.gcompat {
            self.gcompat(&musl_path, version_text, lfs64_remap);
        }
    }

    /// Alpine's gcompat package (loader-facts §11): glibc's loader name is a stub that runs
    /// musl with libgcompat.so.0 preloaded; glibc's sonames link to libgcompat.
    fn gcompat(&mut self, musl_path: &str, version: String, lfs64_remap: bool) {
        let info = self.arch.info();
        // libgcompat's own exports are not in the tables: its symbols are unknown, so
        // symbols musl lacks are reported as unverified rather than missing.
        let lib = SynthLibrary {
            soname: Some("libgcompat.so.0".to_owned()),
            needed: vec![format!("libc.musl-{}.so.1", info.musl_arch)],
            versions: Vec::new(),
            exports: Vec::new(),
        };
        let path = self.library("/lib", &lib, Knowledge::VersionsOnly);
        for (_, soname) in GLIBC_SONAMES.iter().skip(1) {
            self.vroot
                .symlink(&format!("/lib/{soname}"), "libgcompat.so.0");
        }
        self.vroot.symlink("/lib/libcrypt.so.1", "libgcompat.so.0");
        for interp in info.glibc_interpreters {
            self.loaders.push((
                interp.as_bytes().to_vec(),
                LoaderSpec::Musl {
                    version: version.clone(),
                    lfs64_remap,
                    musl_path: musl_path.as_bytes().to_vec(),
                    gcompat_preload: Some(path.as_bytes().to_vec()),
                },
            ));
        }
    }

    /// The C++ runtime: libstdc++ in `libstdcxx_dir`, libgcc_s in `libgcc_dir`.
    fn cxx(&mut self, cxx: CxxRuntime, libstdcxx_dir: &str, libgcc_dir: &str) {
        match cxx {
            CxxRuntime::Unknown => {}
            CxxRuntime::Installed(gcc) => {
                for (library, soname, needed) in [
                    (
                        CxxLibrary::Libstdcxx,
                        LIBSTDCXX,
                        vec!["libm.so.6", "libc.so.6", LIBGCC_S],
                    ),
                    (CxxLibrary::LibgccS, LIBGCC_S, vec!["libc.so.6"]),
                ] {
                    let versions =
                        tables::cxx_versions(library, gcc, self.arch).unwrap_or_default();
                    let lib = SynthLibrary {
                        soname: Some(soname.to_owned()),
                        needed: needed.into_iter().map(str::to_owned).collect(),
                        versions,
                        exports: Vec::new(),
                    };
                    let dir = match library {
                        CxxLibrary::Libstdcxx => libstdcxx_dir,
                        CxxLibrary::LibgccS => libgcc_dir,
                    };
                    self.library(dir, &lib, Knowledge::VersionsOnly);
                }
            }
            CxxRuntime::Installable(gcc, how) => {
                for (soname, package) in [(LIBSTDCXX, "libstdc++"), (LIBGCC_S, "libgcc")] {
                    self.described.insert(soname.as_bytes().to_vec());
                    let how = how.replace("libstdc++", package);
                    self.absent_hints.insert(
                        soname.as_bytes().to_vec(),
                        format!(
                            "not in the base image: `{how}` installs it (GCC {})",
                            gcc.major
                        ),
                    );
                }
            }
            CxxRuntime::Absent => {
                for soname in [LIBSTDCXX, LIBGCC_S] {
                    self.described.insert(soname.as_bytes().to_vec());
                    self.absent_hints.insert(
                        soname.as_bytes().to_vec(),
                        "not in this image (distroless/base has no C++ runtime; use distroless/cc)"
                            .to_owned(),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ldsim_sysroots::Node;

    fn root(name: &str) -> BuiltinRoot {
        BuiltinRoot::new(&Target::parse(name).unwrap(), Arch::X86_64).unwrap()
    }

    /// Where `path` leads (every link followed), or None when nothing is there.
    fn canonical(root: &mut BuiltinRoot, path: &str) -> Option<String> {
        root.sysroot_mut()
            .resolve(path.as_bytes(), &TargetPath::root())
            .ok()
            .map(|r| String::from_utf8_lossy(r.path.as_bytes()).into_owned())
    }

    fn lib_is_a_link(root: &mut BuiltinRoot) -> bool {
        matches!(
            root.sysroot_mut().lstat(b"/lib", &TargetPath::root()),
            Ok(Node::Symlink { .. })
        )
    }

    /// debootstrap (scripts/gutsy: first_stage_install) leaves Ubuntu up to 18.04 split: libc6
    /// and libgcc1 install into /lib/<triplet>, libstdc++6 into /usr/lib/<triplet>.
    #[test]
    fn ubuntu_18_04_is_not_merged_usr() {
        let mut bionic = root("ubuntu-18.04");
        let t = "x86_64-linux-gnu";
        assert!(!lib_is_a_link(&mut bionic));
        for (path, lands) in [
            (
                format!("/lib/{t}/libc.so.6"),
                Some(format!("/lib/{t}/libc.so.6")),
            ),
            (
                format!("/lib/{t}/libgcc_s.so.1"),
                Some(format!("/lib/{t}/libgcc_s.so.1")),
            ),
            (format!("/lib/{t}/libstdc++.so.6"), None),
            (
                format!("/usr/lib/{t}/libstdc++.so.6"),
                Some(format!("/usr/lib/{t}/libstdc++.so.6")),
            ),
        ] {
            // The soname is a link to the file the package ships (libc-2.27.so …): it lands in
            // that directory.
            let dir = |p: Option<String>| p.and_then(|p| Some(p.rsplit_once('/')?.0.to_owned()));
            assert_eq!(dir(canonical(&mut bionic, &path)), dir(lands), "{path}");
        }
    }

    /// From Ubuntu 20.04 and Debian 10 on, debootstrap merges /usr: /lib is a link to usr/lib.
    #[test]
    fn ubuntu_20_04_and_debian_12_are_merged_usr() {
        for name in ["ubuntu-20.04", "debian-12"] {
            let mut merged = root(name);
            assert!(lib_is_a_link(&mut merged), "{name}");
            let file = canonical(&mut merged, "/lib/x86_64-linux-gnu/libstdc++.so.6");
            assert!(
                file.as_deref()
                    .is_some_and(|f| f.starts_with("/usr/lib/x86_64-linux-gnu/libstdc++.so.6")),
                "{name}: {file:?}"
            );
        }
    }
}
