//! Output for CI systems: SARIF 2.1.0 (code scanning), JUnit XML (test reports), a Markdown
//! matrix (job summaries, pull-request comments) and GitHub workflow annotations. Each shows
//! every file × target of the run; SARIF and JUnit are built with crates that follow their
//! schemas (serde-sarif is generated from the published SARIF schema).

use std::collections::BTreeMap;
use std::io::{self, Write};

use ldsim_resolver::{Finding, Problem, Report, Verdict};
use serde_sarif::sarif;

use crate::args::Format;
use crate::baseline::{Changes, FileChanges};
use crate::escape;
use crate::matrix::assumption;
use crate::policy::{Checked, FileCompliance};
use crate::{Column, Job, Outcome};

/// One file checked against one target: what every format is made of.
struct Cell<'a> {
    file: &'a str,
    target: &'a str,
    outcome: &'a Outcome,
}

fn cells<'a>(jobs: &'a [Job], columns: &'a [Column]) -> Vec<Cell<'a>> {
    let mut out = Vec::new();
    for (row, job) in jobs.iter().enumerate() {
        for column in columns {
            if let Some(outcome) = column.outcomes.get(row) {
                out.push(Cell {
                    file: &job.display,
                    target: &column.name,
                    outcome,
                });
            }
        }
    }
    out
}

/// Write the run in `format` (one of the CI formats) to standard output, with the release
/// policy's verdicts when one was asked for.
pub fn write(
    format: Format,
    jobs: &[Job],
    columns: &[Column],
    extras: &crate::Extras<'_>,
) -> io::Result<()> {
    let policy = extras.policy;
    let changes = extras.changes;
    let cells = cells(jobs, columns);
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    match format {
        Format::Sarif => {
            serde_json::to_writer_pretty(&mut out, &sarif_log(&cells, policy, changes))?;
            out.write_all(b"\n")?;
        }
        Format::Junit => junit(&cells, policy, changes)
            .write_xml(&mut out)
            .map_err(|e| io::Error::other(e.to_string()))?,
        Format::Markdown => {
            out.write_all(markdown(jobs, columns, &cells, policy, changes).as_bytes())?;
        }
        Format::Github => out.write_all(github(&cells, policy, changes).as_bytes())?,
        Format::Human | Format::Json => {}
    }
    out.flush()
}

/// Every file that breaks the policy, with the policy.
fn breaking(policy: Option<&Checked>) -> impl Iterator<Item = (&Checked, &FileCompliance)> {
    policy
        .into_iter()
        .flat_map(|p| p.breaking_files().map(move |f| (p, f)))
}

/// The files that changed since the baseline, when one was given.
fn changed(changes: Option<&Changes>) -> impl Iterator<Item = (&Changes, &FileChanges)> {
    changes
        .into_iter()
        .flat_map(|c| c.files.iter().map(move |f| (c, f)))
}

/// A changed file's lines, escaped for a terminal.
fn change_lines(file: &FileChanges) -> Vec<String> {
    file.lines()
        .iter()
        .map(|l| escape::text(l).into_owned())
        .collect()
}

/// What breaks the policy in one file, a line per version over its limit.
fn policy_lines(file: &FileCompliance) -> Vec<String> {
    file.verdict
        .violations
        .iter()
        .map(|v| {
            let mut text = format!("{} of {} is over {}", v.version, v.library, v.limit);
            if !v.symbols.is_empty() {
                text.push_str(": ");
                text.push_str(&v.symbols.join(", "));
            }
            escape::text(&text).into_owned()
        })
        .collect()
}

/// The rule id of a problem: its JSON `kind`.
fn kind(problem: &Problem) -> &'static str {
    match problem {
        Problem::MissingInterpreter { .. } => "missing-interpreter",
        Problem::WrongClass { .. } => "wrong-class",
        Problem::WrongMachine { .. } => "wrong-machine",
        Problem::NotLoadable { .. } => "not-loadable",
        Problem::MissingLibrary { .. } => "missing-library",
        Problem::BadLibrary { .. } => "bad-library",
        Problem::MissingVersion { .. } => "missing-version",
        Problem::IsaLevel { .. } => "isa-level",
        Problem::UndefinedSymbol { .. } => "undefined-symbol",
        Problem::GoCpuLevel { .. } => "go-cpu-level",
        Problem::MissingDlopenDependency { .. } => "missing-dlopen-dependency",
    }
}

/// Every rule: the problem kinds, a file that could not be checked, and an `ok` that rests
/// on something ldsim could not check.
const RULES: &[(&str, &str)] = &[
    (
        "missing-interpreter",
        "The ELF interpreter (PT_INTERP) is not in the target",
    ),
    (
        "wrong-class",
        "An object of the wrong ELF class (32/64-bit)",
    ),
    ("wrong-machine", "An object built for another machine"),
    ("not-loadable", "Not a program or shared object"),
    ("missing-library", "A needed library is not found"),
    (
        "bad-library",
        "A library on the search path cannot be loaded",
    ),
    ("missing-version", "A needed symbol version is not defined"),
    (
        "isa-level",
        "An object needs a higher x86-64 level than the CPU has",
    ),
    ("undefined-symbol", "A symbol no loaded object defines"),
    (
        "go-cpu-level",
        "A Go program built for a higher x86-64 level than the CPU has",
    ),
    (
        "missing-dlopen-dependency",
        "A required .note.dlopen dependency is not found",
    ),
    ("unreadable", "The file could not be checked"),
    (
        "unverified",
        "Loads if something ldsim could not check holds",
    ),
    (
        "policy",
        "Requires a version newer than the release policy allows",
    ),
    ("regression", "Changed for the worse since the baseline"),
];

/// The loader's message, the reason and the fix, one per line (escaped).
fn finding_text(finding: &Finding) -> String {
    let mut text = crate::render::message(&finding.problem);
    let reason = finding.reason();
    if !reason.is_empty() {
        text.push_str("\nreason: ");
        text.push_str(&escape::text(reason));
    }
    if let Some(fix) = &finding.fix {
        text.push_str("\nfix: ");
        text.push_str(&escape::text(fix));
    }
    text
}

/// Every finding of a report, the host program's first (they stop it before the file).
fn findings(report: &Report) -> impl Iterator<Item = &Finding> {
    report.host_problems.iter().chain(&report.problems)
}

/// A file path as a SARIF artifact URI: relative paths stay relative (to the repository,
/// where code scanning shows them); absolute ones become `file://` URIs.
fn artifact_uri(file: &str) -> String {
    let mut uri = String::new();
    if file.starts_with('/') {
        uri.push_str("file://");
    }
    for byte in file.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'.' | b'-' | b'_' | b'~' | b'+' => {
                uri.push(char::from(byte))
            }
            other => uri.push_str(&format!("%{other:02X}")),
        }
    }
    uri
}

/// One SARIF result of `rule` on `file`, with `properties` (none: no property bag).
fn sarif_result(
    rule: &str,
    level: sarif::ResultLevel,
    text: String,
    file: &str,
    properties: BTreeMap<String, serde_json::Value>,
) -> sarif::Result {
    let rule_index = RULES.iter().position(|(r, _)| *r == rule).unwrap_or(0) as i64;
    let location = sarif::Location::builder()
        .physical_location(
            sarif::PhysicalLocation::builder()
                .artifact_location(
                    sarif::ArtifactLocation::builder()
                        .uri(artifact_uri(file))
                        .build(),
                )
                .build(),
        )
        .build();
    let result = sarif::Result::builder()
        .rule_id(rule)
        .rule_index(rule_index)
        .level(level)
        .message(sarif::Message::builder().text(text).build())
        .locations(vec![location]);
    if properties.is_empty() {
        result.build()
    } else {
        result
            .properties(
                sarif::PropertyBag::builder()
                    .additional_properties(properties)
                    .build(),
            )
            .build()
    }
}

fn sarif_log(
    cells: &[Cell<'_>],
    policy: Option<&Checked>,
    changes: Option<&Changes>,
) -> sarif::Sarif {
    let rules: Vec<sarif::ReportingDescriptor> = RULES
        .iter()
        .map(|(id, text)| {
            sarif::ReportingDescriptor::builder()
                .id(*id)
                .short_description(
                    sarif::MultiformatMessageString::builder()
                        .text(*text)
                        .build(),
                )
                .build()
        })
        .collect();
    let mut results = Vec::new();
    for cell in cells {
        let mut result = |rule: &str,
                          level: sarif::ResultLevel,
                          text: String,
                          extra: Vec<(&str, serde_json::Value)>| {
            let mut properties = BTreeMap::new();
            properties.insert("target".to_owned(), serde_json::Value::from(cell.target));
            for (key, value) in extra {
                properties.insert(key.to_owned(), value);
            }
            let text = format!("[{}] {text}", escape::text(cell.target));
            results.push(sarif_result(rule, level, text, cell.file, properties));
        };
        match cell.outcome {
            Outcome::Report(report) => {
                for finding in findings(report) {
                    let level = if finding.is_fatal() {
                        sarif::ResultLevel::Error
                    } else {
                        sarif::ResultLevel::Warning
                    };
                    let mut extra = vec![("first", serde_json::Value::from(finding.first))];
                    if let Some(fix) = &finding.fix {
                        extra.push(("fix", serde_json::Value::from(fix.as_str())));
                    }
                    result(kind(finding), level, finding_text(finding), extra);
                }
                if let Some(assumed) = assumption(report) {
                    result(
                        "unverified",
                        sarif::ResultLevel::Note,
                        format!("loads {}", escape::text(&assumed.detail())),
                        Vec::new(),
                    );
                }
            }
            Outcome::Error(err) => result(
                "unreadable",
                sarif::ResultLevel::Error,
                escape::text(err).into_owned(),
                Vec::new(),
            ),
            Outcome::Absent => {}
        }
    }
    for (checked, file) in breaking(policy) {
        let properties = BTreeMap::from([(
            "policy".to_owned(),
            serde_json::Value::from(checked.name.as_str()),
        )]);
        let text = format!(
            "[policy {}] {}",
            checked.name,
            policy_lines(file).join("\n")
        );
        results.push(sarif_result(
            "policy",
            sarif::ResultLevel::Error,
            text,
            &file.file,
            properties,
        ));
    }
    // Only a change for the worse is a result: code scanning lists what needs action.
    for (changes, file) in changed(changes).filter(|(_, f)| f.regresses()) {
        let text = format!(
            "[since {}] {}",
            escape::text(&changes.baseline),
            change_lines(file).join("\n")
        );
        results.push(sarif_result(
            "regression",
            sarif::ResultLevel::Error,
            text,
            &file.file,
            BTreeMap::new(),
        ));
    }
    let driver = sarif::ToolComponent::builder()
        .name("ldsim")
        .version(env!("CARGO_PKG_VERSION"))
        .rules(rules)
        .build();
    sarif::Sarif::builder()
        .schema(sarif::SCHEMA_URL)
        .version(serde_json::Value::from("2.1.0"))
        .runs(vec![sarif::Run::builder()
            .tool(sarif::Tool::builder().driver(driver).build())
            .results(results)
            .build()])
        .build()
}

fn junit(
    cells: &[Cell<'_>],
    policy: Option<&Checked>,
    changes: Option<&Changes>,
) -> junit_report::Report {
    let zero = junit_report::Duration::ZERO;
    // One suite per target, in the order targets were named.
    let mut suites: Vec<(String, Vec<junit_report::TestCase>)> = Vec::new();
    for cell in cells {
        let target = escape::text(cell.target).into_owned();
        let file = escape::text(cell.file).into_owned();
        let mut case = match cell.outcome {
            Outcome::Report(report) if report.verdict == Verdict::Ok => {
                let mut case = junit_report::TestCase::success(&file, zero);
                if let Some(assumed) = assumption(report) {
                    case.set_system_out(&format!("loads {}", escape::text(&assumed.detail())));
                }
                case
            }
            Outcome::Report(report) => {
                let first = report.first_finding().or(report.problems.first());
                let message = first
                    .map(|f| crate::render::message(&f.problem))
                    .unwrap_or_default();
                let kind = first.map(|f| kind(f)).unwrap_or("fails");
                let mut case = junit_report::TestCase::failure(&file, zero, kind, &message);
                let all: Vec<String> = findings(report).map(finding_text).collect();
                case.set_system_out(&all.join("\n"));
                case
            }
            Outcome::Error(err) => {
                junit_report::TestCase::error(&file, zero, "unreadable", &escape::text(err))
            }
            Outcome::Absent => continue,
        };
        case.set_classname(&target);
        match suites.iter_mut().find(|(name, _)| *name == target) {
            Some((_, cases)) => cases.push(case),
            None => suites.push((target, vec![case])),
        }
    }
    if let Some(checked) = policy {
        let cases = checked
            .files
            .iter()
            .map(|file| {
                let name = escape::text(&file.file).into_owned();
                let mut case = if file.passes {
                    junit_report::TestCase::success(&name, zero)
                } else {
                    let lines = policy_lines(file);
                    let mut case = junit_report::TestCase::failure(
                        &name,
                        zero,
                        "policy",
                        lines.first().map(String::as_str).unwrap_or_default(),
                    );
                    case.set_system_out(&lines.join("\n"));
                    case
                };
                case.set_classname(&format!("policy {}", checked.name));
                case
            })
            .collect();
        suites.push((format!("policy {}", checked.name), cases));
    }
    if let Some(changes) = changes {
        // One case per changed file: a failure when it changed for the worse.
        let suite = format!("since {}", escape::text(&changes.baseline));
        let cases = changes
            .files
            .iter()
            .map(|file| {
                let name = escape::text(&file.file).into_owned();
                let lines = change_lines(file);
                let mut case = if file.regresses() {
                    junit_report::TestCase::failure(
                        &name,
                        zero,
                        "regression",
                        lines.first().map(String::as_str).unwrap_or_default(),
                    )
                } else {
                    junit_report::TestCase::success(&name, zero)
                };
                case.set_system_out(&lines.join("\n"));
                case.set_classname(&suite);
                case
            })
            .collect();
        suites.push((suite, cases));
    }
    let mut report = junit_report::Report::new();
    for (name, cases) in suites {
        let mut suite = junit_report::TestSuite::new(&format!("ldsim {name}"));
        suite.add_testcases(cases);
        report.add_testsuite(suite);
    }
    report
}

/// Text for a Markdown table cell or line: escaped for a terminal, then Markdown's own
/// specials and pipes.
fn md(text: &str) -> String {
    let mut out = String::new();
    for c in escape::text(text).chars() {
        if matches!(
            c,
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn verdict_word(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Report(r) if r.verdict == Verdict::Fails => "❌ fails",
        Outcome::Report(r) if r.verdict == Verdict::FailsOnCall => "⚠️ fails at a call",
        Outcome::Report(r) if assumption(r).is_some() => "❔ runs?",
        Outcome::Report(_) => "✅ runs",
        Outcome::Error(_) => "🚫 error",
        Outcome::Absent => "",
    }
}

fn markdown(
    jobs: &[Job],
    columns: &[Column],
    cells: &[Cell<'_>],
    policy: Option<&Checked>,
    changes: Option<&Changes>,
) -> String {
    let mut out = String::from("| file |");
    for column in columns {
        out.push_str(&format!(" {} |", md(&column.name)));
    }
    if let Some(checked) = policy {
        out.push_str(&format!(" policy {} |", md(&checked.name)));
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(columns.len() + usize::from(policy.is_some())));
    out.push('\n');
    for (row, job) in jobs.iter().enumerate() {
        out.push_str(&format!("| {} |", md(&job.display)));
        for column in columns {
            let word = column.outcomes.get(row).map(verdict_word).unwrap_or("");
            out.push_str(&format!(" {word} |"));
        }
        if let Some(checked) = policy {
            let word = match checked.files.iter().find(|f| f.file == job.display) {
                Some(f) if f.passes => "✅ meets",
                Some(_) => "❌ breaks",
                None => "",
            };
            out.push_str(&format!(" {word} |"));
        }
        out.push('\n');
    }
    let mut details = String::new();
    for cell in cells {
        let line = match cell.outcome {
            Outcome::Report(report) if report.verdict != Verdict::Ok => {
                let Some(first) = report.first_finding().or(report.problems.first()) else {
                    continue;
                };
                let mut line = format!(
                    "- {} on {}: {}",
                    md(cell.file),
                    md(cell.target),
                    md(first.message())
                );
                let more = findings(report).count().saturating_sub(1);
                if more > 0 {
                    line.push_str(&format!(" (+{more} more)"));
                }
                line.push_str(&format!("\n  - reason: {}", md(first.reason())));
                if let Some(fix) = &first.fix {
                    line.push_str(&format!("\n  - fix: {}", md(fix)));
                }
                line
            }
            Outcome::Report(report) => match assumption(report) {
                Some(assumed) => format!(
                    "- {} on {}: loads {}",
                    md(cell.file),
                    md(cell.target),
                    md(&assumed.detail())
                ),
                None => continue,
            },
            Outcome::Error(err) => {
                format!("- {} on {}: {}", md(cell.file), md(cell.target), md(err))
            }
            Outcome::Absent => continue,
        };
        details.push_str(&line);
        details.push('\n');
    }
    for (checked, file) in breaking(policy) {
        details.push_str(&format!(
            "- {} breaks policy {} ({})\n",
            md(&file.file),
            md(&checked.name),
            md(&checked.limits)
        ));
        for line in policy_lines(file) {
            details.push_str(&format!("  - {}\n", md(&line)));
        }
    }
    if !details.is_empty() {
        out.push_str("\n**Details**\n\n");
        out.push_str(&details);
    }
    if let Some(changes) = changes {
        out.push_str(&format!(
            "\n**Since {}**: {} changed, {} for the worse\n\n",
            md(&changes.baseline),
            changes.files.len(),
            changes.regressions
        ));
        for file in &changes.files {
            let worse = if file.regresses() { " (worse)" } else { "" };
            out.push_str(&format!("- {}{worse}\n", md(&file.file)));
            for line in file.lines() {
                out.push_str(&format!("  - {}\n", md(&line)));
            }
        }
    }
    out
}

/// A workflow command's data: each line escaped for a terminal, `%` encoded, lines joined
/// with an encoded LF (GitHub's toolkit escapeData).
fn gh_data(text: &str) -> String {
    text.split('\n')
        .map(|line| escape::text(line).replace('%', "%25"))
        .collect::<Vec<_>>()
        .join("%0A")
}

/// A workflow command's property value: also `:` and `,` (escapeProperty).
fn gh_property(text: &str) -> String {
    gh_data(text).replace(':', "%3A").replace(',', "%2C")
}

fn github(cells: &[Cell<'_>], policy: Option<&Checked>, changes: Option<&Changes>) -> String {
    let mut out = String::new();
    for cell in cells {
        let (command, title, body) = match cell.outcome {
            Outcome::Report(report) if report.verdict != Verdict::Ok => {
                let Some(first) = report.first_finding().or(report.problems.first()) else {
                    continue;
                };
                let command = if report.verdict == Verdict::Fails {
                    "error"
                } else {
                    "warning"
                };
                let mut body = finding_text(first);
                let more = findings(report).count().saturating_sub(1);
                if more > 0 {
                    body.push_str(&format!("\n(+{more} more problems)"));
                }
                (command, format!("ldsim: fails on {}", cell.target), body)
            }
            Outcome::Report(report) => match assumption(report) {
                Some(assumed) => (
                    "notice",
                    format!("ldsim: runs? on {}", cell.target),
                    format!("loads {}", assumed.detail()),
                ),
                None => continue,
            },
            Outcome::Error(err) => (
                "error",
                format!("ldsim: cannot check for {}", cell.target),
                err.clone(),
            ),
            Outcome::Absent => continue,
        };
        out.push_str(&format!(
            "::{command} file={},title={}::{}\n",
            gh_property(cell.file),
            gh_property(&title),
            gh_data(&body)
        ));
    }
    for (checked, file) in breaking(policy) {
        out.push_str(&format!(
            "::error file={},title={}::{}\n",
            gh_property(&file.file),
            gh_property(&format!("ldsim: breaks policy {}", checked.name)),
            gh_data(&policy_lines(file).join("\n"))
        ));
    }
    for (changes, file) in changed(changes) {
        let (command, how) = if file.regresses() {
            ("error", "worse")
        } else {
            ("notice", "changed")
        };
        out.push_str(&format!(
            "::{command} file={},title={}::{}\n",
            gh_property(&file.file),
            gh_property(&format!("ldsim: {how} since {}", changes.baseline)),
            gh_data(&file.lines().join("\n"))
        ));
    }
    out
}
