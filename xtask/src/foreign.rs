//! Roots of other architectures for the foreign-architecture differential test: Debian's
//! libc6 of that architecture unpacked with `dpkg-deb -x` (no second debootstrap stage, so no
//! foreign code runs while building), the `data_vs_plt` programs (and per-architecture calling
//! convention programs) built with Debian's cross compiler (`gcc -m32` for i386), and the
//! qemu-user-static binary copied in to run the real loader (i386 runs natively: an x86_64
//! kernel executes i386 programs). Built into `<fixtures>/foreign/<arch>/root`; reused while
//! its marker matches.

use crate::debs::{self, Suite, DEBIAN};
use crate::util::{make_parent, remove_dir, run, Fnv};
use anyhow::{Context, Result};
use ldsim_tests::foreign::{ForeignManifest, ForeignProgram, ForeignRoot};
use std::path::Path;
use std::process::Command;

/// Bump to force every foreign root to be rebuilt.
const FOREIGN_VERSION: &str = "2";
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
    /// Extra compiler arguments (the ABI for a multilib host compiler).
    cc_args: &'static [&'static str],
    /// The qemu-user-static binary; `None` runs the program natively.
    qemu: Option<&'static str>,
    /// Programs beyond [`PROGRAMS`] that prove a rule of this architecture only.
    extra: &'static [Extra],
}

/// A program of one architecture with its own library (`lib_v1` linked against, `lib_v2`
/// installed in the root without the called function), sources under `<src>/<dir>/`.
struct Extra {
    dir: &'static str,
    program: &'static str,
    source: &'static str,
    lib_v1: &'static str,
    lib_v2: &'static str,
    /// The real loader's lazy verdict, which the test checks the fixture still shows.
    expect: &'static str,
}

/// aarch64 variant PCS (glibc >= 2.33, sysdeps/aarch64/dl-machine.h: elf_machine_lazy_rel):
/// a PLT call to an `aarch64_vector_pcs` function is bound at start-up.
const VARIANT_PCS: Extra = Extra {
    dir: "variant_pcs",
    program: "call_vector_pcs",
    source: "call.c",
    lib_v1: "v_v1.c",
    lib_v2: "v_v2.c",
    expect: "fails",
};

/// riscv64 variant CC (`.variant_cc`, DT_RISCV_VARIANT_CC): glibc (2.41 checked) has no
/// such rule, the call stays lazy.
const VARIANT_CC: Extra = Extra {
    dir: "variant_cc",
    program: "call_variant_cc",
    source: "call.c",
    lib_v1: "v_v1.s",
    lib_v2: "v_v2.s",
    expect: "fails-on-call",
};

const FOREIGN: &[Foreign] = &[
    Foreign {
        arch: "aarch64",
        deb_arch: "arm64",
        suite: "bookworm",
        cc: "aarch64-linux-gnu-gcc",
        cc_args: &[],
        qemu: Some("qemu-aarch64-static"),
        extra: &[VARIANT_PCS],
    },
    Foreign {
        arch: "armhf",
        deb_arch: "armhf",
        suite: "bookworm",
        cc: "arm-linux-gnueabihf-gcc",
        cc_args: &[],
        qemu: Some("qemu-arm-static"),
        extra: &[],
    },
    Foreign {
        arch: "riscv64",
        deb_arch: "riscv64",
        suite: "trixie",
        cc: "riscv64-linux-gnu-gcc",
        cc_args: &[],
        qemu: Some("qemu-riscv64-static"),
        extra: &[VARIANT_CC],
    },
    Foreign {
        arch: "ppc64le",
        deb_arch: "ppc64el",
        suite: "bookworm",
        cc: "powerpc64le-linux-gnu-gcc",
        cc_args: &[],
        qemu: Some("qemu-ppc64le-static"),
        extra: &[],
    },
    Foreign {
        arch: "s390x",
        deb_arch: "s390x",
        suite: "bookworm",
        cc: "s390x-linux-gnu-gcc",
        cc_args: &[],
        qemu: Some("qemu-s390x-static"),
        extra: &[],
    },
    Foreign {
        arch: "i386",
        deb_arch: "i386",
        suite: "bookworm",
        // The host gcc with libc6-dev-i386 and lib32gcc-12-dev (not gcc-multilib).
        cc: "gcc",
        cc_args: &["-m32"],
        qemu: None,
        extra: &[],
    },
];

/// The data_vs_plt programs (loader-facts §6.3): (name, source, extra link flag).
const PROGRAMS: &[(&str, &str, Option<&str>)] = &[
    ("call_only", "call_only.c", None),
    ("fn_ptr", "fn_ptr.c", None),
    ("data", "data.c", None),
    ("call_znow", "call_only.c", Some("-Wl,-z,now")),
];

/// Where the programs and their library live inside each root (`/t/<dir>`).
const CASE_DIR: &str = "/t/data_vs_plt";

/// The lazy verdict of a `data_vs_plt` program on the real loader (loader-facts §6.3).
fn expected(program: &str) -> &'static str {
    if program == "call_only" {
        "fails-on-call"
    } else {
        "fails"
    }
}

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
    for x in f.extra {
        crate::util::hash_tree(&mut hash, &src.join(x.dir))?;
    }
    hash.update(include_bytes!("foreign.rs"));
    let marker = format!("{} {FOREIGN_VERSION} {}\n{libc6}\n", f.arch, hash.hex());
    let done = dir.join(f.arch);
    let root = done.join("root");
    let entry = ForeignRoot {
        arch: f.arch.to_string(),
        root: root.clone(),
        qemu: f.qemu.map(|q| format!("/{q}")),
        libc6: libc6.clone(),
        programs: PROGRAMS
            .iter()
            .map(|(name, _, _)| ForeignProgram {
                name: format!("data_vs_plt/{name}"),
                program: format!("{CASE_DIR}/{name}"),
                expect: expected(name).to_string(),
            })
            .chain(f.extra.iter().map(|x| ForeignProgram {
                name: format!("{}/{}", x.dir, x.program),
                program: format!("/t/{}/{}", x.dir, x.program),
                expect: x.expect.to_string(),
            }))
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
    if let Some(name) = f.qemu {
        let qemu = Path::new("/usr/bin").join(name);
        std::fs::copy(&qemu, tmp_root.join(name)).with_context(|| {
            format!(
                "copying {} (install qemu-user-static; cargo xtask ci does)",
                qemu.display()
            )
        })?;
    }

    // libU as linked against (v1, outside the root) and as installed (v2, in the root).
    let cc = |out: &Path, args: &[String]| -> Result<()> {
        make_parent(out)?;
        run(Command::new(f.cc)
            .args(f.cc_args)
            .args(args)
            .arg("-o")
            .arg(out))
        .with_context(|| {
            format!(
                "building {} with {} (install it; cargo xtask ci does)",
                out.display(),
                f.cc
            )
        })
    };
    let source = |dir: &str, name: &str| src.join(dir).join(name).display().to_string();
    let lib_args = |soname: &str, source: String| {
        vec![
            "-shared".to_string(),
            "-fPIC".to_string(),
            format!("-Wl,-soname,{soname}"),
            source,
        ]
    };
    let linked = tmp.join("link/libU.so.1");
    cc(
        &linked,
        &lib_args("libU.so.1", source("data_vs_plt", "u_v1.c")),
    )?;
    let case = tmp_root.join(CASE_DIR.trim_start_matches('/'));
    cc(
        &case.join("lib/libU.so.1"),
        &lib_args("libU.so.1", source("data_vs_plt", "u_v2.c")),
    )?;
    for (name, file, extra) in PROGRAMS {
        let mut args = vec![
            source("data_vs_plt", file),
            linked.display().to_string(),
            format!("-Wl,--disable-new-dtags,-rpath,{CASE_DIR}/lib"),
        ];
        args.extend(extra.map(String::from));
        cc(&case.join(name), &args)?;
    }
    for x in f.extra {
        let linked = tmp.join(x.dir).join("libV.so.1");
        cc(&linked, &lib_args("libV.so.1", source(x.dir, x.lib_v1)))?;
        let dir = tmp_root.join("t").join(x.dir);
        cc(
            &dir.join("lib/libV.so.1"),
            &lib_args("libV.so.1", source(x.dir, x.lib_v2)),
        )?;
        let args = vec![
            source(x.dir, x.source),
            linked.display().to_string(),
            format!("-Wl,--disable-new-dtags,-rpath,/t/{}/lib", x.dir),
        ];
        cc(&dir.join(x.program), &args)?;
    }
    std::fs::write(tmp.join(MARKER), &marker)?;
    remove_dir(&done)?;
    std::fs::rename(&tmp, &done)
        .with_context(|| format!("renaming {} to {}", tmp.display(), done.display()))?;
    Ok(entry)
}
