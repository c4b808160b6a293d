//! Roots of other architectures for the foreign-architecture differential test: Debian's
//! libc6 of that architecture unpacked with `dpkg-deb -x` (no second debootstrap stage, so no
//! foreign code runs while building), the `data_vs_plt` programs built with Debian's cross
//! compiler, and the qemu-user-static binary copied in to run the real loader. Built into
//! `<fixtures>/foreign/<arch>/root`; reused while its marker matches.

use crate::debs::{self, Suite, DEBIAN};
use crate::util::{make_parent, remove_dir, run, Fnv};
use anyhow::{Context, Result};
use ldsim_tests::foreign::{ForeignManifest, ForeignProgram, ForeignRoot};
use std::path::Path;
use std::process::Command;

/// Bump to force every foreign root to be rebuilt.
const FOREIGN_VERSION: &str = "1";
const MARKER: &str = ".ldsim-foreign";

/// One foreign architecture.
struct Foreign {
    /// ldsim's name (`Arch::info().name`).
    arch: &'static str,
    /// Debian's architecture name.
    deb_arch: &'static str,
    /// The suite libc6 comes from: bookworm, whose glibc (2.36) the bookworm cross compilers
    /// link against; riscv64 became an official Debian architecture only with trixie.
    suite: &'static str,
    cc: &'static str,
    qemu: &'static str,
}

const FOREIGN: &[Foreign] = &[
    Foreign {
        arch: "aarch64",
        deb_arch: "arm64",
        suite: "bookworm",
        cc: "aarch64-linux-gnu-gcc",
        qemu: "qemu-aarch64-static",
    },
    Foreign {
        arch: "armhf",
        deb_arch: "armhf",
        suite: "bookworm",
        cc: "arm-linux-gnueabihf-gcc",
        qemu: "qemu-arm-static",
    },
    Foreign {
        arch: "riscv64",
        deb_arch: "riscv64",
        suite: "trixie",
        cc: "riscv64-linux-gnu-gcc",
        qemu: "qemu-riscv64-static",
    },
];

/// The data_vs_plt programs (loader-facts §6.3): (name, source, extra link flag).
const PROGRAMS: &[(&str, &str, Option<&str>)] = &[
    ("call_only", "call_only.c", None),
    ("fn_ptr", "fn_ptr.c", None),
    ("data", "data.c", None),
    ("call_znow", "call_only.c", Some("-Wl,-z,now")),
];

/// Where the programs and their library live inside each root.
const CASE_DIR: &str = "/t/data_vs_plt";

/// Builds (or reuses) every foreign root and writes `<fixtures>/foreign/manifest.json`.
pub fn build_all(fixtures: &Path, src: &Path) -> Result<()> {
    let dir = fixtures.join("foreign");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut manifest = ForeignManifest { roots: Vec::new() };
    for f in FOREIGN {
        manifest.roots.push(build_one(fixtures, &dir, src, f)?);
    }
    let path = ldsim_tests::foreign::foreign_manifest_path();
    std::fs::write(&path, serde_json::to_string_pretty(&manifest)?)
        .with_context(|| format!("writing {}", path.display()))
}

fn build_one(fixtures: &Path, dir: &Path, src: &Path, f: &Foreign) -> Result<ForeignRoot> {
    let suite = Suite {
        mirror: DEBIAN,
        name: f.suite,
    };
    let deb = debs::fetch_deb(&fixtures.join("abi"), suite, f.deb_arch, "libc6")?;
    let libc6 = format!("libc6 {} {} {}", deb.version, deb.url, deb.sha256);
    let mut hash = Fnv::new();
    crate::util::hash_tree(&mut hash, &src.join("data_vs_plt"))?;
    hash.update(include_bytes!("foreign.rs"));
    let marker = format!("{} {FOREIGN_VERSION} {}\n{libc6}\n", f.arch, hash.hex());
    let done = dir.join(f.arch);
    let root = done.join("root");
    let entry = ForeignRoot {
        arch: f.arch.to_string(),
        root: root.clone(),
        qemu: format!("/{}", f.qemu),
        libc6: libc6.clone(),
        programs: PROGRAMS
            .iter()
            .map(|(name, _, _)| ForeignProgram {
                name: format!("data_vs_plt/{name}"),
                program: format!("{CASE_DIR}/{name}"),
            })
            .collect(),
    };
    if std::fs::read_to_string(done.join(MARKER)).ok().as_deref() == Some(marker.as_str()) {
        return Ok(entry);
    }
    eprintln!("xtask: building the {} root", f.arch);
    let tmp = dir.join(format!(".{}.tmp", f.arch));
    remove_dir(&tmp)?;
    let tmp_root = tmp.join("root");
    std::fs::create_dir_all(&tmp_root)?;
    run(Command::new("dpkg-deb")
        .arg("-x")
        .arg(&deb.path)
        .arg(&tmp_root))
    .with_context(|| format!("unpacking {}", deb.url))?;
    // A merged-/usr package (trixie) ships only usr/lib; the loader's PT_INTERP is /lib/….
    for top in ["lib", "bin", "sbin"] {
        if tmp_root.join("usr").join(top).is_dir() && !tmp_root.join(top).exists() {
            std::os::unix::fs::symlink(format!("usr/{top}"), tmp_root.join(top))?;
        }
    }
    for d in ["proc", "tmp", "etc"] {
        std::fs::create_dir_all(tmp_root.join(d))?;
    }
    let qemu = Path::new("/usr/bin").join(f.qemu);
    std::fs::copy(&qemu, tmp_root.join(f.qemu)).with_context(|| {
        format!(
            "copying {} (install qemu-user-static; cargo xtask ci does)",
            qemu.display()
        )
    })?;

    // libU as linked against (v1, outside the root) and as installed (v2, in the root).
    let cc = |out: &Path, args: &[String]| -> Result<()> {
        make_parent(out)?;
        run(Command::new(f.cc).args(args).arg("-o").arg(out)).with_context(|| {
            format!(
                "building {} with {} (install it; cargo xtask ci does)",
                out.display(),
                f.cc
            )
        })
    };
    let source = |name: &str| src.join("data_vs_plt").join(name).display().to_string();
    let lib_args = |name: &str| {
        vec![
            "-shared".to_string(),
            "-fPIC".to_string(),
            "-Wl,-soname,libU.so.1".to_string(),
            source(name),
        ]
    };
    let linked = tmp.join("link/libU.so.1");
    cc(&linked, &lib_args("u_v1.c"))?;
    let case = tmp_root.join(CASE_DIR.trim_start_matches('/'));
    cc(&case.join("lib/libU.so.1"), &lib_args("u_v2.c"))?;
    for (name, file, extra) in PROGRAMS {
        let mut args = vec![
            source(file),
            linked.display().to_string(),
            format!("-Wl,--disable-new-dtags,-rpath,{CASE_DIR}/lib"),
        ];
        args.extend(extra.map(String::from));
        cc(&case.join(name), &args)?;
    }
    std::fs::write(tmp.join(MARKER), &marker)?;
    remove_dir(&done)?;
    std::fs::rename(&tmp, &done)
        .with_context(|| format!("renaming {} to {}", tmp.display(), done.display()))?;
    Ok(entry)
}
