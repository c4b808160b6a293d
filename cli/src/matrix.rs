//! Output when files are checked against built-in targets or several targets: per file, the
//! floor it needs, then one line per target; and `ldsim targets`.

use std::fmt::Write as _;
use std::io::{self, Write};

use ldsim_resolver::{Report, Verdict};
use ldsim_tables::catalog::{CxxRuntime, LibcSpec};
use ldsim_tables::floor::Floor;
use ldsim_tables::Target;
use serde::Serialize;

use crate::args::{Format, ListFormat};
use crate::escape::{self, line};
use crate::inputs::Job;
use crate::render::{self, abbreviate};
use crate::schema::{self, FileEntry};
use crate::{Column, Outcome};

/// Writes every file's results against every target: the one writer of human and JSON
/// output. `plain`: one root and no built-in target, where each report is printed as it is
/// (no file header, no target names).
pub fn write(
    jobs: &[Job],
    columns: &[Column],
    format: Format,
    (verbose, quiet, plain): (bool, bool, bool),
    extras: &crate::Extras<'_>,
) -> io::Result<()> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut entries = Vec::new();
    let mut floors = Vec::new();
    for (index, job) in jobs.iter().enumerate() {
        // Whether each target's error was already said once for the whole target.
        let (row, announced): (Vec<(&str, &Outcome)>, Vec<bool>) = columns
            .iter()
            .filter_map(|c| {
                let outcome = c.outcomes.get(index)?;
                let cell = (c.name.as_str(), outcome);
                (!matches!(outcome, Outcome::Absent)).then_some((cell, c.error.is_some()))
            })
            .unzip();
        let floor = row.iter().find_map(|(_, o)| match o {
            Outcome::Report(r) => r.floor.as_deref(),
            Outcome::Error(_) | Outcome::Absent => None,
        });
        if let Some(floor) = floor {
            floors.push(schema::FileFloor {
                file: &job.display,
                floor,
            });
        }
        if plain {
            match row.first() {
                Some((_, Outcome::Report(report))) => {
                    if format == Format::Human && !quiet {
                        out.write_all(render::report(report, verbose).as_bytes())?;
                    }
                    entries.push(FileEntry::report(report));
                    continue;
                }
                // Nothing to say for this root.
                None => continue,
                // An error: as below, a file that fails the same way for its one target.
                Some(_) => {}
            }
        }
        // A file that cannot be read or is not ELF fails the same way for every target: one line.
        if let Some(error) = same_error(&row).filter(|_| row.len() == columns.len()) {
            if !announced.iter().all(|&a| a) {
                out.flush()?;
                let line = format!("ldsim: {}: {error}", job.display);
                let _ = writeln!(io::stderr(), "{}", escape::text(&line));
            }
            entries.push(FileEntry::Error {
                file: &job.display,
                error,
            });
            continue;
        }
        for ((target, outcome), announced) in row.iter().zip(&announced) {
            match outcome {
                Outcome::Report(report) => entries.push(FileEntry::report(report)),
                Outcome::Absent => {}
                Outcome::Error(error) => {
                    if !announced {
                        out.flush()?;
                        let line = format!("ldsim: {}: {target}: {error}", job.display);
                        let _ = writeln!(io::stderr(), "{}", escape::text(&line));
                    }
                    entries.push(FileEntry::TargetError {
                        file: &job.display,
                        target,
                        error,
                    });
                }
            }
        }
        if format == Format::Human && !quiet {
            out.write_all(file_block(&job.display, floor, &row, verbose).as_bytes())?;
        }
    }
    if format == Format::Json && !quiet {
        let output = schema::Output {
            schema_version: schema::SCHEMA_VERSION,
            files: entries,
            floors,
            policy: extras.policy,
            baseline: extras.changes,
        };
        serde_json::to_writer_pretty(&mut out, &output)?;
        out.write_all(b"\n")?;
    }
    out.flush()
}

/// The error every target gave for a file, when they all gave the same one.
fn same_error<'a>(row: &[(&str, &'a Outcome)]) -> Option<&'a str> {
    let mut errors = row.iter().map(|(_, o)| match o {
        Outcome::Error(e) => Some(e.as_str()),
        Outcome::Report(_) | Outcome::Absent => None,
    });
    let first = errors.next()??;
    errors.all(|e| e == Some(first)).then_some(first)
}

/// One file: its floor, then a line per target (or the full report when there is one target).
fn file_block(
    file: &str,
    floor: Option<&Floor>,
    row: &[(&str, &Outcome)],
    verbose: bool,
) -> String {
    let mut out = String::new();
    line!(&mut out, "{file}");
    if let Some(floor) = floor {
        out.push_str(&floor_text(floor));
    }
    if let [(_, Outcome::Report(report))] = row {
        // One target: everything the single-root output says (escaped already), indented
        // under the file.
        for line in render::report(report, verbose).lines() {
            let _ = writeln!(out, "  {line}");
        }
        return out;
    }
    if let Some(summary) = row_summary(floor, row) {
        line!(&mut out, "  {summary}");
    }
    // Target names and details escaped (a --sysroot path is a target name); the details keep
    // list mode's TAB (render::message).
    let row: Vec<(std::borrow::Cow<'_, str>, &Outcome)> = row
        .iter()
        .map(|(target, outcome)| (escape::text(target), *outcome))
        .collect();
    let width = row
        .iter()
        .map(|(t, _)| t.chars().count())
        .max()
        .unwrap_or(0);
    for (target, outcome) in &row {
        let (word, detail) = match outcome {
            Outcome::Error(err) => ("error", escape::text(err).into_owned()),
            Outcome::Report(r) => summary(r),
            Outcome::Absent => continue,
        };
        let tone = match word {
            "runs" => crate::color::Tone::Good,
            "runs?" => crate::color::Tone::Unsure,
            _ => crate::color::Tone::Bad,
        };
        let word = crate::color::paint(&format!("{word:<6}"), tone);
        let line = format!("  {word} {target:<width$}  {detail}");
        let _ = writeln!(out, "{}", line.trim_end());
        if let Outcome::Report(r) = outcome {
            if let Some(finding) = r.first_finding().or(r.problems.first()) {
                line!(
                    &mut out,
                    "  {:<6} {:<width$}  why: {}",
                    "",
                    "",
                    crate::demangle::words(finding.reason())
                );
                if let Some(fix) = &finding.fix {
                    line!(&mut out, "  {:<6} {:<width$}  fix: {}", "", "", fix);
                }
            }
        }
        if verbose {
            if let Outcome::Report(r) = outcome {
                // Escaped already.
                for line in render::report(r, true).lines().skip(1) {
                    let _ = writeln!(out, "         {line}");
                }
            }
        }
    }
    out
}

/// One line over a file's targets: `fails on 7 of 19 targets; runs on every one with glibc
/// 2.34 or newer` (the latter only when the results bear it out: every target whose glibc is
/// at least the floor certainly runs, and some older one does not).
fn row_summary(floor: Option<&Floor>, row: &[(&str, &Outcome)]) -> Option<String> {
    let reports: Vec<&Report> = row
        .iter()
        .filter_map(|(_, o)| match o {
            Outcome::Report(r) => Some(&r.report),
            _ => None,
        })
        .collect();
    if reports.len() < 2 {
        return None;
    }
    let failing = reports.iter().filter(|r| r.verdict != Verdict::Ok).count();
    let mut text = match failing {
        0 => format!("runs on all {} targets", reports.len()),
        n => format!("fails on {n} of {} targets", reports.len()),
    };
    let numbers = ldsim_tables::floor::release_numbers;
    if let (Some(glibc), true) = (floor.and_then(|f| f.glibc.as_deref()), failing > 0) {
        let floor_n = numbers(glibc);
        let with_glibc: Vec<(&Report, Vec<u32>)> = reports
            .iter()
            .filter_map(|r| Some((*r, numbers(r.loader.version.as_deref()?))))
            .collect();
        let newer: Vec<&(&Report, Vec<u32>)> =
            with_glibc.iter().filter(|(_, v)| *v >= floor_n).collect();
        let older_fail = with_glibc
            .iter()
            .any(|(r, v)| *v < floor_n && r.verdict != Verdict::Ok);
        // Only a certain `runs` counts: a `runs?` rests on what ldsim could not check.
        let runs = |r: &Report| r.verdict == Verdict::Ok && assumption(r).is_none();
        if !newer.is_empty() && older_fail && newer.iter().all(|(r, _)| runs(r)) {
            let _ = write!(text, "; runs on every one with glibc {glibc} or newer");
        }
    }
    Some(text)
}

/// The verdict word and one line of why, escaped for a terminal.
fn summary(report: &Report) -> (&'static str, String) {
    let first = report
        .first_problem()
        .or(report.problems.first().map(|f| &f.problem));
    match report.verdict {
        Verdict::Fails | Verdict::FailsOnCall => {
            let word = if report.verdict == Verdict::Fails {
                "fails"
            } else {
                "fails*"
            };
            let mut text = first.map(render::message).unwrap_or_default();
            let more = report.problems.len().saturating_sub(1);
            if report.verdict == Verdict::FailsOnCall {
                text.push_str(" (at the first call)");
            }
            if more > 0 {
                let _ = write!(text, " (+{more} more)");
            }
            (word, text)
        }
        Verdict::Ok => match assumption(report) {
            Some(assumed) => ("runs?", escape::text(&assumed.detail()).into_owned()),
            None => ("runs", String::new()),
        },
    }
}

/// What an `ok` report rests on that ldsim could not check: the one decision behind the
/// matrix's `runs?`, the single report's verdict line and JSON's `certain`.
pub(crate) enum Assumption<'a> {
    /// Libraries outside the built-in target's tables, assumed present.
    Libraries(Vec<&'a ldsim_resolver::UnknownLibrary>),
    /// Symbols musl lacks, assumed to come from libgcompat (its exports are not tabled).
    Gcompat(&'a [String]),
}

/// `Some` when `report` loads only under an [`Assumption`] (built-in targets).
pub(crate) fn assumption(report: &Report) -> Option<Assumption<'_>> {
    if report.verdict != Verdict::Ok {
        return None;
    }
    if !report.unknown_libraries.is_empty() {
        return Some(Assumption::Libraries(
            report.unknown_libraries.iter().collect(),
        ));
    }
    if report.loader.gcompat && !report.unverified_symbols.is_empty() {
        return Some(Assumption::Gcompat(&report.unverified_symbols));
    }
    None
}

impl Assumption<'_> {
    /// `if libssl.so.3 is present`, `if libgcompat provides __memcpy_chk, …`.
    pub(crate) fn condition(&self) -> String {
        match self {
            Assumption::Libraries(unknown) => format!(
                "if {} {} present",
                unknown
                    .iter()
                    .map(|u| u.library.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                if unknown.len() == 1 { "is" } else { "are" }
            ),
            Assumption::Gcompat(symbols) => format!(
                "if libgcompat provides {}",
                abbreviate(symbols, FLOOR_SYMBOLS)
            ),
        }
    }

    /// The condition and why ldsim cannot tell.
    pub(crate) fn detail(&self) -> String {
        let why = match self {
            Assumption::Libraries(unknown) => {
                // The release's packages that ship them, where its tables say.
                let packages: Vec<&str> = unknown
                    .iter()
                    .flat_map(|u| u.packages.iter().map(String::as_str))
                    .collect();
                if packages.is_empty() {
                    ": not in ldsim's tables for this target; check with --sysroot IMAGE".to_owned()
                } else {
                    format!(
                        " (package {}): its symbols are not in ldsim's tables for this target; \
                         check with --sysroot IMAGE",
                        packages.join(", ")
                    )
                }
            }
            Assumption::Gcompat(_) => {
                " (musl lacks them; gcompat's exports are not in ldsim's tables)".to_owned()
            }
        };
        format!("{}{why}", self.condition())
    }
}

/// Symbols shown per version in the human floor (JSON has them all).
const FLOOR_SYMBOLS: usize = 6;

/// `  needs glibc 2.34, GLIBCXX_3.4.30 + CXXABI_1.3.13 (GCC 12), libgcc_s GCC_3.0` and per
/// version the symbols that need it.
fn floor_text(floor: &Floor) -> String {
    let mut parts = Vec::new();
    if let Some(glibc) = &floor.glibc {
        parts.push(format!("glibc {glibc}"));
    }
    let cxx: Vec<&str> = [&floor.glibcxx, &floor.cxxabi]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    if !cxx.is_empty() {
        parts.push(format!("libstdc++ {}", cxx.join(" + ")));
    }
    if let Some(gcc_s) = &floor.gcc_s {
        parts.push(format!("libgcc_s {gcc_s}"));
    }
    if let Some(gcc) = &floor.gcc {
        if let Some(last) = parts.last_mut() {
            let _ = write!(last, " (GCC {gcc})");
        }
    }
    if parts.is_empty() {
        return "  needs: no versioned glibc / libstdc++ / libgcc_s symbols\n".to_owned();
    }
    let mut out = String::new();
    line!(&mut out, "  needs: {}", parts.join(", "));
    let width = floor
        .versions
        .iter()
        .map(|v| v.version.len())
        .max()
        .unwrap_or(0);
    let lib_width = floor
        .versions
        .iter()
        .map(|v| v.library.len())
        .max()
        .unwrap_or(0);
    for v in &floor.versions {
        let symbols = if v.symbols.is_empty() {
            "(no symbol: a marker version)".to_owned()
        } else {
            crate::demangle::words(&abbreviate(&v.symbols, FLOOR_SYMBOLS)).into_owned()
        };
        line!(
            &mut out,
            "    {:<width$}  {:<lib_width$}  {symbols}",
            v.version,
            v.library
        );
    }
    out
}

#[derive(Serialize)]
struct TargetRow<'a> {
    name: &'a str,
    aliases: &'a [String],
    description: &'a str,
    libc: String,
    libstdcxx: String,
    architectures: Vec<&'static str>,
    default: bool,
    /// ldsim knows which of the release's packages ship each library name.
    packages: bool,
}

/// `ldsim targets`.
pub fn list_targets(format: ListFormat) -> anyhow::Result<()> {
    let targets = Target::all();
    let rows: Vec<TargetRow<'_>> = targets
        .iter()
        .map(|t| TargetRow {
            name: &t.name,
            aliases: &t.aliases,
            description: &t.summary,
            libc: match t.libc {
                LibcSpec::Glibc(release) => format!("glibc {release}"),
                LibcSpec::Musl(release) => format!("musl {}", release.full()),
                LibcSpec::None => "none".to_owned(),
            },
            libstdcxx: match t.cxx {
                CxxRuntime::Unknown => "not described".to_owned(),
                CxxRuntime::Installed(gcc) => format!("GCC {}.{}", gcc.major, gcc.minor),
                CxxRuntime::Installable(gcc, how) => {
                    format!("GCC {}.{}, not installed ({how})", gcc.major, gcc.minor)
                }
                CxxRuntime::Absent => "none".to_owned(),
            },
            architectures: t
                .platforms
                .iter()
                .map(|a| ldsim_tables::arch_name(*a))
                .collect(),
            default: t.default,
            packages: ldsim_tables::packages::knows(&t.name),
        })
        .collect();
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    match format {
        ListFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &rows)?;
            out.write_all(b"\n")?;
        }
        ListFormat::Human => {
            let width = rows.iter().map(|r| r.name.len()).max().unwrap_or(0);
            for r in &rows {
                let mut line = format!(
                    "{}{:<width$}  {:<12} libstdc++: {}",
                    if r.default { "* " } else { "  " },
                    r.name,
                    r.libc,
                    r.libstdcxx
                );
                let _ = write!(line, "  [{}]", r.architectures.join(", "));
                if r.packages {
                    line.push_str("  +packages");
                }
                if !r.aliases.is_empty() {
                    let _ = write!(line, "  aka {}", r.aliases.join(", "));
                }
                writeln!(out, "{}", line.trim_end())?;
            }
            writeln!(
                out,
                "* checked by default (ldsim check FILE with no --sysroot or --target)"
            )?;
            writeln!(
                out,
                "+packages: ldsim knows which of the release's packages ship each library \
                 (named for a missing or unknown library; no other target has package data)"
            )?;
        }
    }
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::tests::{assert_no_raw_control, poisoned};
    use ldsim_resolver::Mode;
    use ldsim_tables::floor::RequiredVersion;

    #[test]
    fn file_blocks_escape_every_name() {
        let bad = |what: &str| format!("{what}\x1b]0;t\x07\r\n/bin/app: ok");
        let floor = Floor {
            glibc: Some(bad("2.34")),
            glibcxx: Some(bad("GLIBCXX")),
            cxxabi: None,
            gcc_s: Some(bad("GCC_3.0")),
            gcc: Some(bad("12")),
            versions: vec![RequiredVersion {
                library: bad("libc.so.6"),
                version: bad("GLIBC_2.34"),
                introduced_in: Some(bad("glibc 2.34")),
                symbols: vec![bad("f")],
            }],
            needed: vec![bad("libc.so.6")],
        };
        let fails = Outcome::Report(crate::Checked::new(poisoned(Mode::Run, Verdict::Fails)));
        let list = Outcome::Report(crate::Checked::new(poisoned(Mode::List, Verdict::Fails)));
        let runs = Outcome::Report(crate::Checked::new(poisoned(Mode::Run, Verdict::Ok)));
        let error = Outcome::Error(bad("cannot read"));
        let (t1, t2, t3, t4) = (bad("debian"), bad("alpine"), bad("rhel"), bad("/root"));
        let rows: [Vec<(&str, &Outcome)>; 2] = [
            vec![(&t1, &fails)],
            vec![(&t1, &fails), (&t2, &list), (&t3, &runs), (&t4, &error)],
        ];
        for row in &rows {
            for verbose in [false, true] {
                let text = file_block(&bad("./app"), Some(&floor), row, verbose);
                assert_no_raw_control(&text);
                assert!(
                    text.contains("\\x1b]0;t\\x07\\x0d\\x0a/bin/app: ok"),
                    "{text}"
                );
            }
        }
    }
}
