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
