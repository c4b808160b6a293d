//! Go programs for the Go tests (tests/tests/go.rs), built from tests/fixtures-src/go with the
//! machine's Go toolchain (Debian's golang-go) into `<fixtures>/go/`: the builds users make
//! and what each needs — cgo by default (net, os/user), `-tags netgo,osusergo`, cgo code of
//! its own, `CGO_ENABLED=0`, `GOAMD64=v3`, and an external static link. Rebuilt only when the
//! sources, this file or the Go version change. Besides, a program of Go before 1.18 (its
//! build information in the older pointer form), which today's toolchain cannot build: a
//! Debian 11 package's, as Debian built it with Go 1.15.

use std::path::Path;
use std::process::Command;

use anyhow::{Context as _, Result};

use crate::util::{hash_tree, remove_dir, run, Fnv};

const MARKER: &str = ".ldsim-go";

/// The Go < 1.18 program: (suite, package, file in the package, name under `<fixtures>/go`).
const OLD_GO: (&str, &str, &str, &str) = ("bullseye", "fzf", "usr/bin/fzf", "fzf_go1.15");

/// One `go build`.
struct GoBuild {
    /// The program's file name under `<fixtures>/go`.
    name: &'static str,
    package: &'static str,
    env: &'static [(&'static str, &'static str)],
    args: &'static [&'static str],
}

const fn build(
    name: &'static str,
    package: &'static str,
    env: &'static [(&'static str, &'static str)],
    args: &'static [&'static str],
) -> GoBuild {
    GoBuild {
        name,
        package,
        env,
        args,
    }
}

const BUILDS: &[GoBuild] = &[
    build("netuser", "./netuser", &[], &[]),
    build(
        "netuser_netgo",
        "./netuser",
        &[],
        &["-tags", "netgo,osusergo"],
    ),
    build("ownc", "./ownc", &[], &[]),
    build("plain", "./plain", &[("CGO_ENABLED", "0")], &[]),
    build(
        "plain_v3",
        "./plain",
        &[("CGO_ENABLED", "0"), ("GOAMD64", "v3")],
        &[],
    ),
    build(
        "netuser_static",
        "./netuser",
        &[],
        &["-ldflags", "-linkmode external -extldflags -static"],
    ),
];

/// Build (or reuse) every Go fixture into `<fixtures>/go`.
pub fn build_all(fixtures: &Path, src: &Path) -> Result<()> {
    let src = src.join("go");
    let dir = fixtures.join("go");
    let version = Command::new("go")
        .arg("version")
        .output()
        .context("running `go version` (Debian package golang-go)")?;
    let mut hash = Fnv::new();
    hash_tree(&mut hash, &src)?;
    hash.update(include_bytes!("go_fixtures.rs"));
    hash.update(&version.stdout);
    let marker = hash.hex();
    if std::fs::read_to_string(dir.join(MARKER)).ok().as_deref() == Some(marker.as_str()) {
        return Ok(());
    }
    remove_dir(&dir)?;
    std::fs::create_dir_all(&dir)?;
    let cache = fixtures.join("build-go-cache");
    for GoBuild {
        name,
        package,
        env,
        args,
    } in BUILDS
    {
        let mut cmd = Command::new("go");
        cmd.current_dir(&src)
            .env("GOCACHE", cache.join("build"))
            .env("GOPATH", cache.join("path"))
            .env("GOPROXY", "off")
            .env("GOFLAGS", "-mod=mod")
            .arg("build")
            .args(args.iter())
            .arg("-o")
            .arg(dir.join(name))
            .arg(package);
        for (key, value) in env.iter() {
            cmd.env(key, value);
        }
        run(&mut cmd).with_context(|| format!("building the Go fixture {name}"))?;
    }
    let (suite, package, file, name) = OLD_GO;
    let suite = crate::debs::Suite {
        mirror: crate::debs::DEBIAN,
        name: suite,
    };
    let deb = crate::debs::fetch_deb(&fixtures.join("abi"), suite, "amd64", package)?;
    let unpacked = cache.join("old-go");
    crate::debs::extract(&deb.path, &unpacked)?;
    std::fs::copy(unpacked.join(file), dir.join(name))
        .with_context(|| format!("{file} of {package} {}", deb.version))?;
    std::fs::write(dir.join(MARKER), marker)?;
    eprintln!(
        "xtask: {} Go fixtures in {}",
        BUILDS.len() + 1,
        dir.display()
    );
    Ok(())
}
