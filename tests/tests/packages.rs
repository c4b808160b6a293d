//! The package named for each loaded object (`objects[].package`) against dpkg's own answer:
//! every object of every program and shared object in /usr/bin and
//! /usr/lib/x86_64-linux-gnu of the Debian 12 and 11 roots, with
//! `dpkg -S PATH` run in the root (a chroot) as the oracle.

use ldsim_tests::{fixtures, run_ldsim};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

/// `dpkg -S` for each path, in the root: the packages listing it (none when no package does).
fn dpkg_owners(root: &Path, paths: &BTreeSet<String>) -> BTreeMap<String, BTreeSet<String>> {
    let out = Command::new("chroot")
        .arg(root)
        .args(["dpkg", "-S"])
        .args(paths)
        .output()
        .expect("chroot dpkg -S");
    let mut owners: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    // "pkg1, pkg2: /path" per found path; not-found paths go to stderr.
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        if let Some((packages, path)) = line.split_once(": ") {
            owners
                .entry(path.to_owned())
                .or_default()
                .extend(packages.split(", ").map(str::to_owned));
        }
    }
    owners
}

/// Where `path` leads in the root.
fn canonical(root: &Path, path: &str) -> String {
    let out = Command::new("chroot")
        .arg(root)
        .args(["readlink", "-f", path])
        .output()
        .expect("chroot readlink");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[test]
fn every_loaded_object_names_the_package_dpkg_says_owns_it() {
    let m = fixtures();
    for root_name in ["glibc", "bullseye"] {
        let root = &m.roots[root_name];
        let (code, json, stderr) = run_ldsim([
            "check",
            "--sysroot",
            &root.display().to_string(),
            "--in-target",
            "--format",
            "json",
            "/usr/bin",
            "/usr/lib/x86_64-linux-gnu",
        ]);
        assert!(code == 0 || code == 1, "ldsim exit {code}: {stderr}");
        // (opened path, package ldsim names)
        let mut named: BTreeMap<String, Option<String>> = BTreeMap::new();
        for report in json["files"].as_array().into_iter().flatten() {
            for object in report["objects"].as_array().into_iter().flatten() {
                let path = object["path"].as_str().unwrap_or_default().to_owned();
                let package = object["package"].as_str().map(str::to_owned);
                named.insert(path, package);
            }
        }
        assert!(
            named.len() > 50,
            "{root_name}: only {} objects",
            named.len()
        );
        // dpkg matches paths as the package spelt them: ask for both the opened path and
        // the file it leads to (merged /usr moves one but not the other).
        // dpkg-query knows nothing of merged /usr either: a package installed before the
        // merge lists /lib/…, so the /usr-less spelling of the file is asked too.
        let spellings: BTreeMap<&String, Vec<String>> = named
            .keys()
            .map(|p| {
                let file = canonical(root, p);
                let mut all = vec![p.clone(), file.clone()];
                if let Some(unmerged) = file.strip_prefix("/usr") {
                    all.push(unmerged.to_owned());
                }
                (p, all)
            })
            .collect();
        let asked: BTreeSet<String> = spellings.values().flatten().cloned().collect();
        let owners = dpkg_owners(root, &asked);
        let mut wrong = Vec::new();
        for (path, package) in &named {
            let real: BTreeSet<&String> = spellings[path]
                .iter()
                .filter_map(|s| owners.get(s))
                .flatten()
                .collect();
            let agrees = match package {
                Some(p) => real.contains(p),
                None => real.is_empty(),
            };
            if !agrees {
                wrong.push(format!("{path}: ldsim {package:?}, dpkg -S {real:?}"));
            }
        }
        assert!(wrong.is_empty(), "{root_name}:\n{}", wrong.join("\n"));
    }
}

/// An rpm package built with rpmbuild from files of a fixture root: (name, paths it installs).
struct RpmPackage {
    name: &'static str,
    files: &'static [&'static str],
}

/// Packages owning a program's whole load: the program, the libraries it needs, and libc with
/// the loader (paths as Debian lays them out, so that the Debian loader finds them).
const RPM_PACKAGES: &[RpmPackage] = &[
    RpmPackage {
        name: "glibc-test",
        files: &[
            "/usr/lib/x86_64-linux-gnu/libc.so.6",
            "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
        ],
    },
    RpmPackage {
        name: "libselinux-test",
        files: &[
            "/usr/lib/x86_64-linux-gnu/libselinux.so.1",
            "/usr/lib/x86_64-linux-gnu/libpcre2-8.so.0",
        ],
    },
    RpmPackage {
        name: "coreutils-test",
        files: &["/usr/bin/ls"],
    },
];

fn run(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{cmd:?}: {e} (the rpm package provides rpm and rpmbuild)"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A root whose packages are in an rpm database at `dbpath`, made by rpm itself: each
/// package built with rpmbuild from the Debian 12 fixture root's files and installed with
/// `rpm --root`.
fn rpm_root(dir: &Path, dbpath: &str) -> std::path::PathBuf {
    let source = &fixtures().roots["glibc"];
    let root = dir.join("root");
    for d in ["usr/lib/x86_64-linux-gnu", "usr/lib64", "usr/bin"] {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    for (link, to) in [
        ("lib", "usr/lib"),
        ("lib64", "usr/lib64"),
        ("bin", "usr/bin"),
        (
            "usr/lib64/ld-linux-x86-64.so.2",
            "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
        ),
    ] {
        std::os::unix::fs::symlink(to, root.join(link)).unwrap();
    }
    run(Command::new("rpm")
        .args(["--root"])
        .arg(&root)
        .args(["--dbpath", dbpath, "--initdb"]));
    for package in RPM_PACKAGES {
        let install: String = package
            .files
            .iter()
            .map(|f| {
                // The file itself, never a link to it (Debian's sonames are links).
                let real = source.join(&resolve_in(source, f)[1..]);
                format!(
                    "mkdir -p %{{buildroot}}{dir}\ncp {real} %{{buildroot}}{f}\n",
                    dir = Path::new(f).parent().unwrap().display(),
                    real = real.display()
                )
            })
            .collect();
        let spec = format!(
            "Name: {name}\nVersion: 1.0\nRelease: 1\nSummary: test\nLicense: MIT\n\
             BuildArch: x86_64\nAutoReqProv: no\n%define debug_package %{{nil}}\n\
             %define __os_install_post %{{nil}}\n%description\ntest\n%install\n{install}\
             %files\n{files}\n",
            name = package.name,
            files = package.files.join("\n"),
        );
        let spec_path = dir.join(format!("{}.spec", package.name));
        std::fs::write(&spec_path, spec).unwrap();
        let top = dir.join("top");
        run(Command::new("rpmbuild")
            .arg("-bb")
            .arg("--define")
            .arg(format!("_topdir {}", top.display()))
            .arg(&spec_path));
        let rpm = top.join(format!("RPMS/x86_64/{}-1.0-1.x86_64.rpm", package.name));
        run(Command::new("rpm")
            .arg("--root")
            .arg(&root)
            .args(["--dbpath", dbpath, "-i", "--nodeps", "--ignoreos"])
            .arg(&rpm));
    }
    root
}

/// Where `path` leads inside `root` (a root without a shell to run readlink in): links
/// followed component by component, absolute targets taken inside the root.
fn resolve_in(root: &Path, path: &str) -> String {
    let mut todo: Vec<String> = path.split('/').rev().map(str::to_owned).collect();
    let mut done: Vec<String> = Vec::new();
    let mut links = 0;
    while let Some(part) = todo.pop() {
        match part.as_str() {
            "" | "." => continue,
            ".." => {
                done.pop();
                continue;
            }
            _ => {}
        }
        let here = root.join(done.join("/")).join(&part);
        match std::fs::read_link(&here) {
            Ok(target) => {
                links += 1;
                assert!(links < 40, "link loop at {path}");
                let target = target.to_string_lossy().into_owned();
                if target.starts_with('/') {
                    done.clear();
                }
                todo.extend(target.split('/').rev().map(str::to_owned));
            }
            Err(_) => done.push(part),
        }
    }
    format!("/{}", done.join("/"))
}

/// rpm's own answer for `path` in the root (`rpm -qf`), None when no package owns it.
fn rpm_owner(root: &Path, dbpath: &str, path: &str) -> Option<String> {
    let out = Command::new("rpm")
        .arg("--root")
        .arg(root)
        .args(["--dbpath", dbpath, "-qf", "--qf", "%{NAME}", path])
        .output()
        .expect("rpm -qf");
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// rpm's sqlite database where RHEL 9 and Amazon Linux 2023 keep it, and where Fedora 36 and
/// later do (/usr/lib/sysimage/rpm): every loaded object is named as `rpm -qf` names its file.
#[test]
fn every_loaded_object_names_the_package_rpm_says_owns_it() {
    for dbpath in ["/var/lib/rpm", "/usr/lib/sysimage/rpm"] {
        let dir = tempfile::tempdir().unwrap();
        let root = rpm_root(dir.path(), dbpath);
        let (code, json, stderr) = run_ldsim([
            "check",
            "--sysroot",
            &root.display().to_string(),
            "--in-target",
            "--format",
            "json",
            "/usr/bin/ls",
        ]);
        assert_eq!(code, 0, "{stderr}");
        let objects = json["files"][0]["objects"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(objects.len(), 4, "{json}");
        for object in objects {
            let path = object["path"].as_str().unwrap();
            // rpm -qf follows no links: ask for the file the opened path leads to.
            let file = resolve_in(&root, path);
            let expected = rpm_owner(&root, dbpath, &file);
            assert!(expected.is_some(), "{dbpath}: rpm owns {file}");
            assert_eq!(
                object["package"].as_str().map(str::to_owned),
                expected,
                "{dbpath}: {path}"
            );
        }
    }
}

/// A program needing a library the Debian 12 base image lacks: ldsim names the Debian 12
/// package that ships it, and installing that package in a copy of the root (`dpkg -i`, as a
/// user would) makes the root's own loader run the program, and ldsim agree.
#[test]
fn the_package_named_for_a_missing_library_is_the_one_that_makes_the_program_load() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // The program is linked against a stand-in with the real library's soname, calling a
    // function the real one exports.
    std::fs::write(
        d.join("stub.c"),
        "int png_access_version_number(void) { return 0; }\n",
    )
    .unwrap();
    std::fs::write(
        d.join("prog.c"),
        "#include <stdio.h>\nint png_access_version_number(void);\n\
         int main(void) { printf(\"%d\\n\", png_access_version_number() > 0); return 0; }\n",
    )
    .unwrap();
    run(Command::new("gcc")
        .current_dir(d)
        .args(["-shared", "-fPIC", "-Wl,-soname,libpng16.so.16"])
        .args(["-o", "libpng16.so", "stub.c"]));
    run(Command::new("gcc")
        .current_dir(d)
        .args(["-o", "prog", "prog.c", "-L.", "-lpng16"]));
    let root = d.join("root");
    run(Command::new("cp")
        .args(["-a", "--reflink=auto"])
        .arg(ldsim_tests::manifest::debian_base_root("bookworm"))
        .arg(&root));
    std::fs::create_dir_all(root.join("opt")).unwrap();
    std::fs::copy(d.join("prog"), root.join("opt/prog")).unwrap();
    let check = || {
        run_ldsim([
            "check",
            "--sysroot",
            &root.display().to_string(),
            "--in-target",
            "--format",
            "json",
            "/opt/prog",
        ])
    };
    let (code, json, stderr) = check();
    assert_eq!(code, 1, "{stderr}");
    let problem = &json["files"][0]["problems"][0];
    assert_eq!(problem["kind"], "missing-library", "{json}");
    assert_eq!(problem["library"], "libpng16.so.16");
    let packages: Vec<&str> = problem["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p.as_str())
        .collect();
    assert_eq!(packages, ["libpng16-16"], "{json}");
    // The real loader agrees before, and the named package is what fixes it.
    let real = |root: &Path| {
        Command::new("chroot")
            .arg(root)
            .arg("/opt/prog")
            .output()
            .expect("chroot")
    };
    let before = real(&root);
    assert!(!before.status.success());
    assert!(String::from_utf8_lossy(&before.stderr).contains("libpng16.so.16"));
    std::fs::copy(
        ldsim_tests::manifest::bookworm_deb(packages[0]),
        root.join("tmp/package.deb"),
    )
    .unwrap();
    run(Command::new("chroot")
        .arg(&root)
        .args(["dpkg", "-i", "/tmp/package.deb"]));
    let after = real(&root);
    assert!(
        after.status.success(),
        "{}",
        String::from_utf8_lossy(&after.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&after.stdout).trim(), "1");
    let (code, _, stderr) = check();
    assert_eq!(code, 0, "ldsim after installing {}: {stderr}", packages[0]);
}
