//! The base roots: Debian (debootstrap), a musl root like Alpine's, and our gcompat layer.

use crate::util::{make_parent, output, remove_dir, run};
use anyhow::{bail, Context, Result};
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Bump to force every base root to be rebuilt.
const BASE_VERSION: &str = "1";

/// Packages a suite's base root has on top of minbase, and that suite's own marker version
/// (bumped when the list changes, so only that root is rebuilt). bookworm has CPython and its
/// headers for the extension-module fixtures (`py_extension` in cases.rs).
fn suite_extras(suite: &str) -> (&'static [&'static str], &'static str) {
    match suite {
        "bookworm" => (&["python3", "libpython3-dev"], "2"),
        _ => (&[], "1"),
    }
}

/// A minbase Debian root of `suite`, built once into `<fixtures>/base/<suite>` and reused
/// while its marker matches. debootstrap runs with its default mirror; downloaded packages are
/// kept in `<fixtures>/debs/<suite>` so a rebuild does not download again.
pub fn debian_base(fixtures: &Path, suite: &str) -> Result<PathBuf> {
    let base = fixtures.join("base").join(suite);
    let (extras, suite_version) = suite_extras(suite);
    let marker = if extras.is_empty() {
        format!("{suite} {BASE_VERSION}\n")
    } else {
        format!("{suite} {BASE_VERSION}.{suite_version}\n")
    };
    if std::fs::read_to_string(base.join(".ldsim-base"))
        .ok()
        .as_deref()
        == Some(marker.as_str())
    {
        return Ok(base);
    }
    let tmp = fixtures.join("base").join(format!(".{suite}.tmp"));
    remove_dir(&tmp)?;
    let debs = fixtures.join("debs").join(suite);
    std::fs::create_dir_all(&debs)?;
    eprintln!("xtask: debootstrap {suite} (about a minute)");
    let mut cmd = Command::new("debootstrap");
    cmd.arg("--variant=minbase");
    if !extras.is_empty() {
        cmd.arg(format!("--include={}", extras.join(",")));
    }
    run(cmd
        .arg(format!("--cache-dir={}", debs.display()))
        .arg(suite)
        .arg(&tmp))
    .with_context(|| format!("debootstrap {suite} (needs root and network)"))?;
    std::fs::write(tmp.join(".ldsim-base"), marker)?;
    remove_dir(&base)?;
    std::fs::rename(&tmp, &base)?;
    Ok(base)
}

/// musl's libc.so from Debian's musl package (the same file Alpine installs as its loader),
/// fetched once with `apt-get download` into `<fixtures>/debs/musl`.
fn musl_libc(fixtures: &Path) -> Result<PathBuf> {
    let dir = fixtures.join("debs").join("musl");
    let libc = dir.join("x/lib/x86_64-linux-musl/libc.so");
    if libc.is_file() {
        return Ok(libc);
    }
    remove_dir(&dir)?;
    std::fs::create_dir_all(&dir)?;
    run(Command::new("apt-get")
        .args(["download", "musl"])
        .current_dir(&dir))
    .context("apt-get download musl")?;
    let deb = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "deb"))
        .context("apt-get download musl left no .deb")?;
    run(Command::new("dpkg-deb")
        .arg("-x")
        .arg(&deb)
        .arg(dir.join("x")))?;
    if !libc.is_file() {
        bail!("{} is not in the musl package", libc.display());
    }
    Ok(libc)
}

/// An Alpine-like musl root in `root`: the loader is the real libc.so (a regular file), with
/// Alpine's libc.musl-x86_64.so.1 symlink; no ld-musl path file (the caller adds one).
pub fn musl_root(fixtures: &Path, root: &Path) -> Result<()> {
    for dir in [
        "lib",
        "usr/lib",
        "usr/local/lib",
        "etc",
        "bin",
        "tmp",
        "proc",
    ] {
        std::fs::create_dir_all(root.join(dir))?;
    }
    std::fs::copy(musl_libc(fixtures)?, root.join("lib/ld-musl-x86_64.so.1"))?;
    symlink(
        "ld-musl-x86_64.so.1",
        root.join("lib/libc.musl-x86_64.so.1"),
    )?;
    // A shell for poking around by hand; optional.
    let busybox = Path::new("/bin/busybox");
    if is_static(busybox) {
        std::fs::copy(busybox, root.join("bin/busybox"))?;
        symlink("busybox", root.join("bin/sh"))?;
    }
    Ok(())
}

fn is_static(path: &Path) -> bool {
    output(Command::new("file").arg("-L").arg(path))
        .map(|s| s.contains("statically linked"))
        .unwrap_or(false)
}

/// Adds our gcompat layer (sources in tests/fixtures-src/gcompat) to a musl root, laid out as
/// Alpine's gcompat package installs it (loader-facts §11).
pub fn add_gcompat(src: &Path, work: &Path, root: &Path) -> Result<()> {
    let lib = root.join("lib");
    run(Command::new("musl-gcc")
        .args(["-shared", "-fPIC", "-O2", "-Wl,-soname,libgcompat.so.0"])
        .arg(src.join("gcompat/libgcompat.c"))
        .arg("-o")
        .arg(lib.join("libgcompat.so.0")))?;

    // The stub must be static-pie (the kernel maps it as an interpreter next to the program).
    // Debian's musl-gcc cannot make one, so link by hand from rcrt1.o and libc.a.
    let m = "/usr/lib/x86_64-linux-musl";
    let obj = work.join("gcompat-loader.o");
    make_parent(&obj)?;
    run(Command::new("musl-gcc")
        .args(["-fPIE", "-O2", "-c"])
        .arg(src.join("gcompat/loader.c"))
        .arg("-o")
        .arg(&obj))?;
    let libgcc = output(Command::new("gcc").arg("-print-libgcc-file-name"))?;
    run(Command::new("gcc")
        .args(["-static-pie", "-nostdlib", "-nostartfiles"])
        .arg(format!("{m}/rcrt1.o"))
        .arg(format!("{m}/crti.o"))
        .arg(&obj)
        .arg(format!("{m}/libc.a"))
        .arg(libgcc.trim())
        .arg(format!("{m}/crtn.o"))
        .arg("-o")
        .arg(lib.join("ld-linux-x86-64.so.2")))?;

    std::fs::create_dir_all(root.join("lib64"))?;
    symlink(
        "../lib/ld-linux-x86-64.so.2",
        root.join("lib64/ld-linux-x86-64.so.2"),
    )?;
    for name in [
        "libc.so.6",
        "libm.so.6",
        "libpthread.so.0",
        "libresolv.so.2",
        "librt.so.1",
        "libutil.so.1",
        "libcrypt.so.1",
    ] {
        symlink("libgcompat.so.0", lib.join(name))?;
    }
    Ok(())
}
