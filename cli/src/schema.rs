//! The JSON output: a versioned envelope around the resolver's [`Report`]s.

use ldsim_resolver::Report;
use serde::Serialize;

/// Bumped on any incompatible change of the JSON output (the envelope or [`Report`]).
pub const SCHEMA_VERSION: u32 = 1;

/// `{"schema_version": 1, "files": [...]}`, files in the order they were named.
#[derive(Debug, Serialize)]
pub struct Output<'a> {
    pub schema_version: u32,
    pub files: Vec<FileEntry<'a>>,
}

/// One checked file: its report, or why it could not be analysed.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum FileEntry<'a> {
    Report(&'a Report),
    Error { file: &'a str, error: &'a str },
}
