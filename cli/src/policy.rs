//! A release policy (`--policy`, `--max-glibc` …) checked once per file against the floor
//! its reports carry, with the user's exceptions; said after the files in human output, as
//! `policy` in JSON, and as results of the CI formats.

use std::fmt::Write as _;

use anyhow::Context as _;
use ldsim_tables::policy::{parse_version, Allowed, Compliance, Limits, Policy};
use serde::Serialize;

use crate::args::CheckArgs;
use crate::escape::{self, line};
use crate::inputs::Job;
use crate::{Column, Outcome};

/// The policy of the run, from the flags (`None` when none was asked for).
pub fn from_args(args: &CheckArgs, allowed: Vec<Allowed>) -> anyhow::Result<Option<Asked>> {
    let version = |flag: &str, v: &Option<String>| -> anyhow::Result<Option<Vec<u32>>> {
        v.as_deref()
            .map(parse_version)
            .transpose()
            .with_context(|| format!("--{flag}"))
    };
    let limits = Limits {
        glibc: version("max-glibc", &args.max_glibc)?,
        glibcxx: version("max-glibcxx", &args.max_glibcxx)?,
        cxxabi: version("max-cxxabi", &args.max_cxxabi)?,
        gcc_s: version("max-gcc", &args.max_gcc)?,
        no_glibc: false,
    };
    let policy = match &args.policy {
        Some(name) => Policy::named(name)
            .context("--policy")?
            .with_limits(&limits),
        None if limits == Limits::default() => return Ok(None),
        None => Policy {
            name: "limits".to_owned(),
            limits,
        },
    };
    Ok(Some(Asked { policy, allowed }))
}

/// The policy asked for and the exceptions allowed.
#[derive(Debug)]
pub struct Asked {
    pub policy: Policy,
    pub allowed: Vec<Allowed>,
}

/// The policy's verdict on every file of the run.
#[derive(Debug, Serialize)]
pub struct Checked {
    /// `manylinux_2_28`, or `limits`.
    pub name: String,
    /// The limits in words: `glibc ≤ 2.28, GLIBCXX ≤ 3.4.24`.
    pub limits: String,
    pub files: Vec<FileCompliance>,
}

/// One file under the policy.
#[derive(Debug, Serialize)]
pub struct FileCompliance {
    pub file: String,
    pub passes: bool,
    #[serde(flatten)]
    pub verdict: Compliance,
}

impl Asked {
    /// Check every file whose reports carry a floor (files that could not be read have none).
    pub fn check(&self, jobs: &[Job], columns: &[Column]) -> Checked {
        let files = jobs
            .iter()
            .enumerate()
            .filter_map(|(row, job)| {
                let floor = columns.iter().find_map(|c| match c.outcomes.get(row) {
                    Some(Outcome::Report(r)) => r.floor.clone(),
                    _ => None,
                })?;
                let verdict = self.policy.check(&floor, &self.allowed);
                Some(FileCompliance {
                    file: job.display.clone(),
                    passes: verdict.passes(),
                    verdict,
                })
            })
            .collect();
        Checked {
            name: self.policy.name.clone(),
            limits: self.policy.describe(),
            files,
        }
    }
}

impl Checked {
    pub fn all_pass(&self) -> bool {
        self.files.iter().all(|f| f.passes)
    }

    /// The files that break the policy.
    pub fn breaking_files(&self) -> impl Iterator<Item = &FileCompliance> {
        self.files.iter().filter(|f| !f.passes)
    }

    /// How many files break the policy.
    pub fn breaking(&self) -> usize {
        self.files.iter().filter(|f| !f.passes).count()
    }

    /// The human section: the policy, then each file that breaks it or needs an exception.
    pub fn human(&self) -> String {
        let mut out = String::new();
        let failing = self.breaking();
        line!(
            &mut out,
            "policy {} ({}): {}",
            self.name,
            self.limits,
            match failing {
                0 => format!("every file ({}) meets it", self.files.len()),
                n => format!("{n} of {} files break it", self.files.len()),
            }
        );
        for file in &self.files {
            if file.passes && file.verdict.excused.is_empty() {
                continue;
            }
            let word = if file.passes { "meets" } else { "breaks" };
            line!(&mut out, "  {word}  {}", escape::text(&file.file));
            for v in &file.verdict.violations {
                let mut text = format!("{} of {} is over {}", v.version, v.library, v.limit);
                if !v.symbols.is_empty() {
                    let _ = write!(text, ": {}", v.symbols.join(", "));
                }
                line!(&mut out, "         {}", crate::demangle::words(&text));
            }
            for e in &file.verdict.excused {
                let needed_by = if e.symbols.is_empty() {
                    String::new()
                } else {
                    format!(" for {}", e.symbols.join(", "))
                };
                let text = format!(
                    "allowed ({}): {} of {}{needed_by}: {}",
                    e.allowed.what, e.version, e.library, e.allowed.reason
                );
                line!(&mut out, "         {}", crate::demangle::words(&text));
            }
        }
        out
    }
}
