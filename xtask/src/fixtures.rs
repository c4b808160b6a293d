//! `cargo xtask fixtures`: base roots, fixture programs, assembled roots and the manifest,
//! all under `$LDSIM_FIXTURES`; a no-op while the stamp matches.

use crate::build::{CaseBuild, Dirs};
use crate::cases::{CASES, LDSO_CONF, MUSL_PATH};
use crate::roots;
use crate::util::{self, copy_tree, hash_tree, remove_dir, workspace_root, Fnv};
use anyhow::{Context, Result};
use ldsim_tests::manifest::{fixtures_dir, Case, Manifest, PluginCase};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The roots, in manifest order.
const ROOTS: [&str; 4] = ["glibc", "bullseye", "musl", "gcompat"];

pub fn run() -> Result<()> {
    let started = Instant::now();
    let ws = workspace_root();
    let src = ws.join("tests/fixtures-src");
    let dir = fixtures_dir();
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    crate::reference::trixie_amd64(&dir)?;
    crate::reference::bookworm_debs(&dir)?;
    crate::reference::minbase_lists(&dir)?;
    crate::reference::minbase_roots(&dir)?;
    // Own markers, like the reference tree: a no-op while up to date.
    crate::foreign::build_all(&dir, &src)?;
    crate::go_fixtures::build_all(&dir, &src)?;

    let stamp = source_hash(&ws)?;
    let stamp_file = dir.join("stamp");
    let manifest_file = dir.join("manifest.json");
    if manifest_file.is_file() && std::fs::read_to_string(&stamp_file).ok() == Some(stamp.clone()) {
        eprintln!("xtask: fixtures up to date in {}", dir.display());
        return Ok(());
    }
    // A half-built fixture set must not look complete.
    let _ = std::fs::remove_file(&stamp_file);

    let glibc_base = roots::debian_base(&dir, "bookworm")?;
    let bullseye_base = roots::debian_base(&dir, "bullseye")?;

    let work = dir.join("build");
    remove_dir(&work)?;
    let mut dirs = Dirs::new(&src, &work);
    dirs.python_root = Some(glibc_base.clone());
    let built = build_cases(&dirs)?;
    let mut cases = built.programs;
    std::fs::create_dir_all(dirs.stage.join("etc/ld.so.conf.d"))?;
    std::fs::write(dirs.stage.join("etc/ld.so.conf.d/ldsim.conf"), LDSO_CONF)?;
    std::fs::create_dir_all(&dirs.late)?;

    let roots_dir = dir.join("roots");
    let mut manifest = Manifest {
        roots: Default::default(),
        cpu_level: ldsim_tests::cpu::host_cpu_level()?.to_string(),
        cases: Vec::new(),
        shared_objects: built.shared_objects,
        plugins: Vec::new(),
        python_extensions: Vec::new(),
        dlopen_notes: built.dlopen_notes,
    };
    for p in built.plugins {
        if p.module.is_some() {
            manifest.python_extensions.push(p);
        } else {
            manifest.plugins.push(p);
        }
    }
    for name in ROOTS {
        let tmp = roots_dir.join(format!(".{name}.tmp"));
        remove_dir(&tmp)?;
        let base = match name {
            "glibc" => Some(&glibc_base),
            "bullseye" => Some(&bullseye_base),
            _ => None,
        };
        assemble(&dir, &work, &src, &dirs, name, base, &tmp)?;
        let done = roots_dir.join(name);
        remove_dir(&done)?;
        std::fs::rename(&tmp, &done)?;
        manifest.roots.insert(name.to_string(), done);
    }
    for case in &mut cases {
        case.roots = ROOTS.iter().map(|r| r.to_string()).collect();
    }
    manifest.cases = cases;

    std::fs::write(&manifest_file, serde_json::to_string_pretty(&manifest)?)?;
    std::fs::write(&stamp_file, &stamp)?;
    eprintln!(
        "xtask: {} fixture programs, {} shared objects, {} plugins, {} extension modules, {} dlopen-note files in {} roots, built in {:.0?} ({})",
        manifest.cases.len(),
        manifest.shared_objects.len(),
        manifest.plugins.len(),
        manifest.python_extensions.len(),
        manifest.dlopen_notes.len(),
        ROOTS.len(),
        started.elapsed(),
        dir.display()
    );
    Ok(())
}

/// Hash of everything the fixtures are made from: the C sources and xtask itself.
fn source_hash(ws: &Path) -> Result<String> {
    let mut hash = Fnv::new();
    hash_tree(&mut hash, &ws.join("tests/fixtures-src"))?;
    hash_tree(&mut hash, &ws.join("xtask/src"))?;
    hash.update(std::fs::read(ws.join("tests/src/manifest.rs"))?.as_slice());
    Ok(hash.hex())
}

/// Everything the cases built, by kind.
#[derive(Default)]
struct Built {
    programs: Vec<Case>,
    shared_objects: Vec<Case>,
    plugins: Vec<PluginCase>,
    dlopen_notes: Vec<Case>,
}

fn build_cases(dirs: &Dirs) -> Result<Built> {
    let m32 = m32_works();
    if !m32 {
        eprintln!("xtask: WARNING gcc -m32 does not work (install libc6-dev-i386 and lib32gcc-12-dev): skipping wrong_class_first");
    }
    let mut all = Built::default();
    for (case, flavours, build) in CASES {
        if *case == "wrong_class_first" && !m32 {
            continue;
        }
        for fl in *flavours {
            let mut c = CaseBuild::new(*fl, case, dirs);
            build(&mut c)?;
            all.programs.append(&mut c.programs);
            all.shared_objects.append(&mut c.shared_objects);
            all.plugins.append(&mut c.plugins);
            all.dlopen_notes.append(&mut c.dlopen_notes);
        }
    }
    Ok(all)
}

fn m32_works() -> bool {
    let dir = std::env::temp_dir().join(format!("ldsim-m32-{}", std::process::id()));
    let ok = std::fs::create_dir_all(&dir).is_ok()
        && std::fs::write(dir.join("t.c"), "int f(void) { return 0; }\n").is_ok()
        && util::run(
            Command::new("gcc")
                .args(["-m32", "-shared", "-fPIC", "-nostdlib", "t.c", "-o", "t.so"])
                .current_dir(&dir),
        )
        .is_ok();
    let _ = std::fs::remove_dir_all(&dir);
    ok
}

/// Builds root `name` in `tmp`: base, staged programs, ldconfig (glibc roots), late files.
fn assemble(
    fixtures: &Path,
    work: &Path,
    src: &Path,
    dirs: &Dirs,
    name: &str,
    debian: Option<&PathBuf>,
    tmp: &Path,
) -> Result<()> {
    match debian {
        Some(base) => copy_tree(base, tmp)?,
        None => {
            roots::musl_root(fixtures, tmp)?;
            if name == "gcompat" {
                roots::add_gcompat(src, work, tmp)?;
            }
            std::fs::write(tmp.join("etc/ld-musl-x86_64.path"), MUSL_PATH)?;
        }
    }
    copy_tree(&dirs.stage, tmp)?;
    if debian.is_some() {
        // The root's own ldconfig writes the root's own cache.
        util::run(Command::new("chroot").arg(tmp).arg("/sbin/ldconfig"))
            .with_context(|| format!("ldconfig in the {name} root"))?;
    }
    copy_tree(&dirs.late, tmp)
}
