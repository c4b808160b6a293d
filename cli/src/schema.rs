//! The JSON output: a versioned envelope around the resolver's [`Report`]s.

use ldsim_resolver::Report;
use serde::Serialize;

/// Bumped on any incompatible change of the JSON output (the envelope or [`Report`]).
pub const SCHEMA_VERSION: u32 = 1;

/// `{"schema_version": 1, "files": [...]}`, files in the order they were named (with several
/// targets, each file once per target, in target order); `floors` when built-in targets were
/// checked.
#[derive(Debug, Serialize)]
pub struct Output<'a> {
    pub schema_version: u32,
    pub files: Vec<FileEntry<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub floors: Vec<FileFloor<'a>>,
    /// The release policy's verdict on every file (`--policy`, `--max-glibc` …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<&'a crate::policy::Checked>,
    /// What changed since `--baseline`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<&'a crate::baseline::Changes>,
}

/// The minimum releases one file needs.
#[derive(Debug, Serialize)]
pub struct FileFloor<'a> {
    pub file: &'a str,
    #[serde(flatten)]
    pub floor: &'a ldsim_tables::floor::Floor,
}

/// One checked file: its report, or why it could not be analysed.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum FileEntry<'a> {
    Report(ReportEntry<'a>),
    Error {
        file: &'a str,
        error: &'a str,
    },
    /// A file that could not be checked against one of several targets.
    TargetError {
        file: &'a str,
        target: &'a str,
        error: &'a str,
    },
}

/// A report with what the CLI adds to it.
#[derive(Debug, Serialize)]
pub struct ReportEntry<'a> {
    #[serde(flatten)]
    pub report: &'a Report,
    /// False when the verdict `ok` rests on an assumption (the matrix's `runs?`).
    pub certain: bool,
}

impl<'a> FileEntry<'a> {
    pub fn report(report: &'a Report) -> Self {
        FileEntry::Report(ReportEntry {
            report,
            certain: crate::matrix::assumption(report).is_none(),
        })
    }
}
