//! `--baseline previous.json`: what changed since an earlier build's JSON report — floors
//! raised (with the symbols that raised them), libraries newly needed, targets a file ran on
//! and now fails on (and the reverse). `--fail-on regression` fails the run on those alone.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{bail, Context as _};
use ldsim_resolver::Verdict;
use ldsim_tables::floor::{release_numbers as numbers, Floor};
use serde::Serialize;
use serde_json::Value;

use crate::escape::{self, line};
use crate::inputs::Job;
use crate::{Column, Outcome};

/// One file as the earlier run saw it.
#[derive(Debug, Default)]
struct Earlier {
    /// version → (library, symbols).
    versions: BTreeMap<String, (String, BTreeSet<String>)>,
    needed: BTreeSet<String>,
    glibc: Option<String>,
    glibcxx: Option<String>,
    /// target (empty for a single root) → verdict word.
    verdicts: BTreeMap<String, String>,
}

/// The earlier run, by file.
#[derive(Debug)]
pub struct Baseline {
    path: String,
    files: BTreeMap<String, Earlier>,
}

impl Baseline {
    /// Read an earlier `ldsim check --format json` output.
    pub fn load(path: &Path) -> anyhow::Result<Baseline> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("--baseline {}", path.display()))?;
        let json: Value = serde_json::from_str(&text)
            .with_context(|| format!("--baseline {}: not JSON", path.display()))?;
        if json["schema_version"] != 1 {
            bail!(
                "--baseline {}: not an ldsim JSON report (schema_version 1)",
                path.display()
            );
        }
        let mut files: BTreeMap<String, Earlier> = BTreeMap::new();
        for entry in json["files"].as_array().into_iter().flatten() {
            let (Some(file), Some(verdict)) = (entry["file"].as_str(), entry["verdict"].as_str())
            else {
                continue;
            };
            let target = entry["target"].as_str().unwrap_or_default();
            files
                .entry(file.to_owned())
                .or_default()
                .verdicts
                .insert(target.to_owned(), verdict.to_owned());
        }
        for floor in json["floors"].as_array().into_iter().flatten() {
            let Some(file) = floor["file"].as_str() else {
                continue;
            };
            let earlier = files.entry(file.to_owned()).or_default();
            let text = |v: &Value| v.as_str().map(str::to_owned);
            earlier.glibc = text(&floor["glibc"]);
            earlier.glibcxx = text(&floor["glibcxx"]);
            for needed in floor["needed"].as_array().into_iter().flatten() {
                if let Some(name) = needed.as_str() {
                    earlier.needed.insert(name.to_owned());
                }
            }
            for v in floor["versions"].as_array().into_iter().flatten() {
                let (Some(version), Some(library)) = (v["version"].as_str(), v["library"].as_str())
                else {
                    continue;
                };
                let symbols = v["symbols"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect();
                earlier
                    .versions
                    .insert(version.to_owned(), (library.to_owned(), symbols));
            }
        }
        Ok(Baseline {
            path: path.display().to_string(),
            files,
        })
    }

    /// What changed in this run.
    pub fn compare(&self, jobs: &[Job], columns: &[Column]) -> Changes {
        let mut files = Vec::new();
        for (row, job) in jobs.iter().enumerate() {
            let reports: Vec<(&str, &crate::Checked)> = columns
                .iter()
                .filter_map(|c| match c.outcomes.get(row) {
                    Some(Outcome::Report(r)) => Some((r.target.as_deref().unwrap_or(""), &**r)),
                    _ => None,
                })
                .collect();
            let Some(earlier) = self.files.get(&job.display) else {
                if !reports.is_empty() {
                    files.push(FileChanges {
                        file: job.display.clone(),
                        new_file: true,
                        ..FileChanges::default()
                    });
                }
                continue;
            };
            let mut change = FileChanges {
                file: job.display.clone(),
                ..FileChanges::default()
            };
            if let Some(floor) = reports.iter().find_map(|(_, r)| r.floor.as_deref()) {
                change.raised = raised(earlier, floor);
                change.new_libraries = floor
                    .needed
                    .iter()
                    .filter(|n| !earlier.needed.is_empty() && !earlier.needed.contains(*n))
                    .cloned()
                    .collect();
            }
            for (target, report) in &reports {
                let Some(before) = earlier.verdicts.get(*target) else {
                    continue;
                };
                let now_ok = report.verdict == Verdict::Ok;
                let name = if target.is_empty() {
                    "the root"
                } else {
                    target
                };
                if before == "ok" && !now_ok {
                    change.now_failing.push(name.to_owned());
                } else if before != "ok" && now_ok {
                    change.now_running.push(name.to_owned());
                }
            }
            if change.any() {
                files.push(change);
            }
        }
        let regressions = files.iter().filter(|f| f.regresses()).count();
        Changes {
            baseline: self.path.clone(),
            regressions,
            files,
        }
    }
}

/// A floor that went up: the family, from and to, and the symbols that need the new versions.
#[derive(Debug, Clone, Serialize)]
pub struct Raised {
    /// `glibc` or `GLIBCXX`.
    pub family: String,
    pub from: Option<String>,
    pub to: String,
    /// `symbol@VERSION` for every symbol needing a version the earlier build did not need.
    pub by: Vec<String>,
}

/// What changed for one file.
#[derive(Debug, Default, Serialize)]
pub struct FileChanges {
    pub file: String,
    /// Not in the baseline.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub new_file: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub raised: Vec<Raised>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub new_libraries: Vec<String>,
    /// Targets it ran on and now fails on.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub now_failing: Vec<String>,
    /// Targets it failed on and now runs on.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub now_running: Vec<String>,
}

impl FileChanges {
    fn any(&self) -> bool {
        self.new_file
            || !self.raised.is_empty()
            || !self.new_libraries.is_empty()
            || !self.now_failing.is_empty()
            || !self.now_running.is_empty()
    }

    /// What changed, a line each (C++ names demangled; not yet escaped for a terminal).
    pub fn lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if self.new_file {
            lines.push("new file".to_owned());
        }
        for r in &self.raised {
            let from = r.from.as_deref().unwrap_or("none");
            let text = format!(
                "{} floor raised from {from} to {} by: {}",
                r.family,
                r.to,
                r.by.join(", ")
            );
            lines.push(crate::demangle::words(&text).into_owned());
        }
        let listed = [
            ("new libraries needed", &self.new_libraries),
            ("ran, now fails on", &self.now_failing),
            ("failed, now runs on", &self.now_running),
        ];
        for (what, list) in listed {
            if !list.is_empty() {
                lines.push(format!("{what}: {}", list.join(", ")));
            }
        }
        lines
    }

    /// A change for the worse: a floor raised, a library more, a target lost.
    pub fn regresses(&self) -> bool {
        !self.raised.is_empty() || !self.new_libraries.is_empty() || !self.now_failing.is_empty()
    }
}

/// The changes of the whole run.
#[derive(Debug, Serialize)]
pub struct Changes {
    /// The baseline file compared with.
    pub baseline: String,
    /// Files that regressed.
    pub regressions: usize,
    pub files: Vec<FileChanges>,
}

/// The glibc and GLIBCXX floors that went up, with the symbols of the versions that are new.
fn raised(earlier: &Earlier, floor: &Floor) -> Vec<Raised> {
    let mut out = Vec::new();
    let families = [
        ("glibc", "GLIBC_", &earlier.glibc, &floor.glibc),
        ("GLIBCXX", "GLIBCXX_", &earlier.glibcxx, &floor.glibcxx),
    ];
    for (family, prefix, before, now) in families {
        let Some(now) = now else { continue };
        let now_n = numbers(now.trim_start_matches(prefix));
        let before_n = before
            .as_deref()
            .map(|b| numbers(b.trim_start_matches(prefix)))
            .unwrap_or_default();
        if now_n <= before_n {
            continue;
        }
        // Every symbol of a version above the earlier floor.
        let mut by = Vec::new();
        for required in &floor.versions {
            let Some(rest) = required.version.strip_prefix(prefix) else {
                continue;
            };
            if numbers(rest) <= before_n {
                continue;
            }
            for symbol in &required.symbols {
                by.push(format!("{symbol}@{}", required.version));
            }
        }
        out.push(Raised {
            family: family.to_owned(),
            from: before.clone(),
            to: now.clone(),
            by,
        });
    }
    out
}

impl Changes {
    /// The human section.
    pub fn human(&self) -> String {
        let mut out = String::new();
        line!(
            &mut out,
            "since {}: {}",
            escape::text(&self.baseline),
            match (self.files.len(), self.regressions) {
                (0, _) => "no change".to_owned(),
                (1, 0) => "1 file changed, not for the worse".to_owned(),
                (1, _) => "1 file changed, for the worse".to_owned(),
                (n, 0) => format!("{n} files changed, none for the worse"),
                (n, r) => format!("{n} files changed, {r} for the worse"),
            }
        );
        for file in &self.files {
            line!(&mut out, "  {}", escape::text(&file.file));
            for text in file.lines() {
                line!(&mut out, "    {text}");
            }
        }
        out
    }
}
