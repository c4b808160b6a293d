//! Human-readable rendering of a [`Report`]: a pure function, snapshot-tested.
//!
//! Every line goes through [`line!`], which escapes what the input put in it (names, paths,
//! messages built from them; see [`crate::escape`]): ldsim's own newlines and indentation are
//! the only control characters in the text, and list mode's TAB ([`message`]).

use crate::escape::{self, line};
use ldsim_resolver::{
    CandidateOutcome, Finding, Flavor, LoaderInfo, Mode, Problem, ReleaseMatch, Report, SearchStep,
    StaticGlibcInfo, Verdict, Via,
};
use std::fmt::Write;

/// The text for one file: a verdict line, each problem with the loader's exact message, why,
/// and what was tried; with `verbose`, the objects loaded and the search trace.
pub fn report(report: &Report, verbose: bool) -> String {
    let mut out = String::new();
    // Escaped piece by piece: the verdict's colour codes must survive.
    let tone = match (report.verdict, crate::matrix::assumption(report)) {
        (Verdict::Ok, None) => crate::color::Tone::Good,
        (Verdict::Ok, Some(_)) => crate::color::Tone::Unsure,
        _ => crate::color::Tone::Bad,
    };
    let _ = writeln!(
        out,
        "{}: {} ({})",
        escape::text(&report.file),
        crate::color::paint(&escape::text(&verdict_text(report)), tone),
        escape::text(&format!("{}{}", loader_label(report), mode(report.mode)))
    );
    if let Some(go) = &report.go {
        line!(&mut out, "  {}", escape::text(&go_line(go)));
    }
    if let Some(runtime) = &report.static_glibc {
        static_glibc_lines(&mut out, runtime);
    }
    // Printed by the loader before it fails, if it fails (preloads come first).
    for warning in &report.warnings {
        line!(&mut out, "  warning: {warning}");
    }
    if let Some(host) = &report.loaded_by {
        let how = if host.automatic {
            "recognised plugin, "
        } else {
            ""
        };
        line!(
            &mut out,
            "  loaded by: {} ({how}dlopen(RTLD_NOW) called from {})",
            host.program,
            host.caller
        );
    }
    if let Some(plugin) = &report.plugin {
        line!(
            &mut out,
            "  plugin of: {} ({})",
            plugin.host,
            plugin.evidence
        );
        if !plugin.expected_from_host.is_empty() {
            line!(
                &mut out,
                "  expected from the host program (not simulated): {}",
                abbreviate(&plugin.expected_from_host, 8)
            );
        }
    }
    if let Some(first) = report.host_problems.iter().find(|f| f.first) {
        out.push_str("  the host program cannot start, so it never loads this file:\n");
        render_problem(&mut out, first);
    }
    let first = report.problems.iter().position(|f| f.first);
    if let Some(i) = first {
        render_problem(&mut out, &report.problems[i]);
    }
    if let Some(status) = report.exit_status {
        line!(&mut out, "  exit status: {status}");
    }
    let rest_found: Vec<&Finding> = report
        .problems
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != first)
        .map(|(_, f)| f)
        .collect();
    let rest: Vec<&Problem> = rest_found.iter().map(|f| &f.problem).collect();
    if !rest.is_empty() {
        let what = match (first.is_some(), rest.len()) {
            (true, 1) => "more problem",
            (true, _) => "more problems",
            (false, 1) => "problem",
            (false, _) => "problems",
        };
        line!(
            &mut out,
            "  {} {what} (as the loader's list mode reports them): {}",
            rest.len(),
            count_by_kind(&rest)
        );
        if verbose {
            for finding in rest_found {
                render_problem(&mut out, finding);
            }
        } else {
            out.push_str(&list_by_kind(&rest));
        }
    }
    if report.omitted_problems > 0 {
        let _ = writeln!(
            out,
            "  {} more problems not listed (an object had more than ldsim lists for one object)",
            report.omitted_problems
        );
    }
    for dep in &report.dlopen_dependencies {
        let names = dep.sonames.join(" | ");
        let feature = dep
            .feature
            .as_deref()
            .map(|f| format!(" [{f}]"))
            .unwrap_or_default();
        match (&dep.found, &dep.error) {
            (Some(path), _) => {
                line!(
                    &mut out,
                    "  dlopen {} ({}{feature}): {path}",
                    names,
                    dep.priority
                );
            }
            (None, error) => {
                line!(
                    &mut out,
                    "  dlopen {} ({}{feature}): not loadable: {}",
                    names,
                    dep.priority,
                    error.as_deref().unwrap_or("not found")
                );
            }
        }
    }
    for unknown in &report.unknown_libraries {
        line!(
            &mut out,
            "  unknown: {} (needed by {}): {}",
            unknown.library,
            unknown.needed_by,
            unknown.hint
        );
    }
    if !report.unverified_symbols.is_empty() {
        line!(
            &mut out,
            "  unverified: {} symbol(s) no described library defines, assumed to come from a library whose exports are not in the tables: {}",
            report.unverified_symbols.len(),
            abbreviate(&report.unverified_symbols, 8)
        );
    }
    if verbose {
        if !report.objects.is_empty() {
            out.push_str("  objects:\n");
            for object in &report.objects {
                // ldd's `\tPATH` form when there is no name (the interpreter itself).
                let owner = object
                    .package
                    .as_ref()
                    .map_or_else(String::new, |p| format!(", package {p}"));
                if object.needed.is_empty() || object.needed == object.path {
                    line!(&mut out, "    {} ({}{owner})", object.path, via(object.via));
                } else {
                    line!(
                        &mut out,
                        "    {} => {} ({}{owner})",
                        object.needed,
                        object.path,
                        via(object.via)
                    );
                }
            }
        }
        if !report.search.is_empty() {
            out.push_str("  library search (as LD_DEBUG=libs shows it):\n");
            out.push_str(&search_trace(&report.search));
        }
    }
    out
}

/// The kind of a problem, as a plural noun.
fn kind_name(problem: &Problem) -> &'static str {
    match problem {
        Problem::MissingInterpreter { .. } => "missing interpreter",
        Problem::WrongClass { .. } | Problem::WrongMachine { .. } => "wrong architecture",
        Problem::NotLoadable { .. } => "not loadable",
        Problem::MissingLibrary { .. } => "missing libraries",
        Problem::BadLibrary { .. } => "unloadable libraries",
        Problem::MissingVersion { .. } => "missing versions",
        Problem::IsaLevel { .. } => "CPU ISA level",
        Problem::UndefinedSymbol { .. } => "undefined symbols",
        Problem::GoCpuLevel { .. } => "Go CPU level",
        Problem::MissingDlopenDependency { .. } => "missing dlopen dependencies",
    }
}

/// `2 missing libraries, 1 missing versions, 5 undefined symbols`.
fn count_by_kind(problems: &[&Problem]) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for problem in problems {
        let kind = kind_name(problem);
        match counts.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, n)) => *n += 1,
            None => counts.push((kind, 1)),
        }
    }
    counts
        .iter()
        .map(|(k, n)| match n {
            1 => format!("1 {}", singular(k)),
            n => format!("{n} {k}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `missing libraries` → `missing library`.
fn singular(kind: &str) -> String {
    if let Some(stem) = kind.strip_suffix("ies") {
        format!("{stem}y")
    } else {
        kind.strip_suffix('s').unwrap_or(kind).to_owned()
    }
}

/// One line per kind naming what is missing (`-v` renders each in full).
fn list_by_kind(problems: &[&Problem]) -> String {
    let mut kinds: Vec<(&str, Vec<String>)> = Vec::new();
    for problem in problems {
        let name = match problem {
            Problem::MissingLibrary {
                library, needed_by, ..
            } => format!("{library} (needed by {needed_by})"),
            Problem::BadLibrary { path, .. } => path.clone(),
            Problem::MissingVersion {
                version,
                library,
                required_by,
                ..
            } => format!("{version} of {library} (required by {required_by})"),
            Problem::UndefinedSymbol {
                symbol,
                version,
                required_by,
                ..
            } => match version {
                Some(v) => format!("{symbol}@{v} ({required_by})"),
                None => format!("{symbol} ({required_by})"),
            },
            other => other.message().to_owned(),
        };
        let kind = kind_name(problem);
        match kinds.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, names)) => names.push(name),
            None => kinds.push((kind, vec![name])),
        }
    }
    let mut out = String::new();
    for (kind, names) in kinds {
        line!(&mut out, "    {kind}: {}", abbreviate(&names, 6));
    }
    out
}

/// The first `max` names, and how many more.
pub(crate) fn abbreviate(names: &[String], max: usize) -> String {
    let mut text = names
        .iter()
        .take(max)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > max {
        let _ = write!(text, ", … (+{} more)", names.len() - max);
    }
    text
}

/// How the file was simulated, when it is not a program's run.
fn mode(mode: Mode) -> &'static str {
    match mode {
        // A dlopen's "loaded by" line says how.
        Mode::Run | Mode::Static | Mode::Dlopen => "",
        Mode::List => "; shared object, as the loader lists it",
    }
}

/// The verdict, `runs? if …` when it rests on an assumption (as the matrix says it).
fn verdict_text(report: &Report) -> String {
    match (
        crate::matrix::assumption(report),
        report.mode,
        report.verdict,
    ) {
        (Some(assumed), _, _) => format!("runs? {}", assumed.condition()),
        (None, Mode::Dlopen, Verdict::Fails) if report.host_problems.iter().any(|f| f.first) => {
            "fails: the host program cannot start".to_owned()
        }
        (None, Mode::Dlopen, Verdict::Fails) => "dlopen fails".to_owned(),
        (None, Mode::List, Verdict::Fails) => "fails to load".to_owned(),
        (None, _, verdict) => self::verdict(verdict).to_owned(),
    }
}

fn verdict(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Ok => "ok",
        Verdict::Fails => "fails on target",
        Verdict::FailsOnCall => "fails on first call",
    }
}

/// The header's loader words; a file the kernel itself refuses to run never reaches a loader,
/// so it says that rather than `static, no loader`.
fn loader_label(report: &Report) -> String {
    let refused = report.problems.iter().any(|f| {
        f.first
            && match &f.problem {
                Problem::NotLoadable { .. } => true,
                Problem::WrongClass { object, .. } | Problem::WrongMachine { object, .. } => {
                    object == &report.file
                }
                _ => false,
            }
    });
    if refused && matches!(report.mode, Mode::Run | Mode::Static) {
        "the kernel refuses it".to_owned()
    } else {
        loader(&report.loader)
    }
}

/// `glibc 2.36 at /lib64/ld-linux-x86-64.so.2`, `musl, interpreter /lib/ld-musl-x86_64.so.1
/// missing`, `static, no loader`.
fn loader(info: &LoaderInfo) -> String {
    let flavor = match info.flavor {
        Flavor::Static => return "static, no loader".to_owned(),
        Flavor::Glibc => "glibc",
        Flavor::Musl if info.gcompat => "musl with gcompat",
        Flavor::Musl => "musl",
    };
    let mut text = flavor.to_owned();
    if let Some(version) = &info.version {
        let _ = write!(text, " {version}");
    }
    match (&info.interpreter, &info.path) {
        (_, Some(path)) if info.found => {
            let _ = write!(text, " at {path}");
        }
        (Some(interp), _) => {
            let _ = write!(text, ", interpreter {interp} missing");
        }
        (None, _) => text.push_str(", no interpreter"),
    }
    text
}

/// A Go program's build in one line: `built by go1.19.8: CGO_ENABLED=1, -tags netgo, GOAMD64=v3`.
/// A static glibc program's run-time modules and how the target's glibc compares.
fn static_glibc_lines(out: &mut String, info: &StaticGlibcInfo) {
    let mut loads = Vec::new();
    if info.nss {
        loads.push("NSS service modules");
    }
    if info
        .modules
        .iter()
        .any(|m| m.used_for.iter().any(|u| u == "idn"))
    {
        loads.push("libidn2");
    }
    if info.gconv_dir.is_some() {
        loads.push("gconv modules");
    }
    let built_in = if info.built_in_services.is_empty() {
        String::new()
    } else {
        format!("; built in: {}", info.built_in_services.join(", "))
    };
    line!(
        out,
        "  static glibc: loads {} from the target at run time{built_in}",
        loads.join(", ")
    );
    let target = info
        .target_glibc
        .as_deref()
        .map(|v| format!("glibc {v}"))
        .unwrap_or_else(|| "glibc".to_owned());
    let evidence = |only: &[String], whose: &str| {
        format!(
            "{whose} knows tunables the other lacks: {}",
            abbreviate(only, 4)
        )
    };
    let release = match info.release_match {
        ReleaseMatch::Same => format!("the target's {target} is the same release, by the tunables both know"),
        ReleaseMatch::TargetNewer => format!(
            "the target's {target} is newer than the program's ({})",
            evidence(&info.tunables_only_in_target, "the target's")
        ),
        ReleaseMatch::TargetOlder => format!(
            "the target's {target} is older than the program's ({})",
            evidence(&info.tunables_only_in_program, "the program's")
        ),
        ReleaseMatch::Different => format!(
            "the target's {target} is another release than the program's (each knows tunables the other lacks: {} / {})",
            abbreviate(&info.tunables_only_in_program, 3),
            abbreviate(&info.tunables_only_in_target, 3)
        ),
        ReleaseMatch::NoGlibc => "the target has no glibc: only services built into the program answer".to_owned(),
        ReleaseMatch::Unknown => "not compared with the target's glibc (its tunables are not known)".to_owned(),
    };
    line!(out, "  glibc release: {release}");
    if let Some(config) = &info.nss_config {
        line!(out, "  nss configuration: {config}");
    }
    for module in &info.modules {
        let kind = if module.used_for.iter().any(|u| u == "idn") {
            "idn"
        } else {
            "nss"
        };
        let used_for = if kind == "idn" {
            "getaddrinfo with AI_IDN".to_owned()
        } else {
            module.used_for.join(", ")
        };
        match (&module.found, &module.error) {
            (Some(path), _) => line!(out, "  {kind} {} ({used_for}): {path}", module.module),
            (None, Some(error)) => line!(
                out,
                "  {kind} {} ({used_for}): not loadable, the service is skipped: {error}",
                module.module
            ),
            (None, None) => line!(
                out,
                "  {kind} {} ({used_for}): not simulated (no glibc in the target for it to bind to)",
                module.module
            ),
        }
    }
    if info.nss && info.nss_config.is_none() {
        line!(
            out,
            "  nss modules: not simulated (a built-in target has no /etc/nsswitch.conf; check against a root)"
        );
    }
    if let Some(dir) = &info.gconv_dir {
        let present = match info.gconv_dir_present {
            Some(true) => "present in the target",
            Some(false) => "absent from the target",
            None => "not checked",
        };
        line!(
            out,
            "  gconv: {dir} (charsets other than UTF-8, UTF-16, UTF-32, UCS-2/4 and ASCII): {present}"
        );
    }
    if let Some(line) = &info.nss_config_rejected {
        line!(
            out,
            "  warning: glibc rejects the target's /etc/nsswitch.conf at the line `{line}`: every name lookup fails"
        );
    }
    if info.at_risk && info.nss_config_rejected.is_none() {
        let loaded: Vec<String> = info
            .modules
            .iter()
            .filter(|m| m.found.is_some())
            .map(|m| m.module.clone())
            .collect();
        if loaded.is_empty() {
            line!(
                out,
                "  warning: this program's glibc (before 2.34) loads even the `files` service as a module, and the target cannot load libnss_files.so.2: user, group and host lookups find nothing"
            );
        } else {
            line!(
                out,
                "  warning: name lookups load {} of the target's {target}, another release than the program was linked with: it may crash or the lookups fail quietly",
                abbreviate(&loaded, 4)
            );
        }
    }
    if let Some(fix) = &info.fix {
        line!(out, "  fix: {fix}");
    }
}

pub(crate) fn go_line(go: &ldsim_resolver::GoInfo) -> String {
    let mut parts = Vec::new();
    if let Some(cgo) = go.cgo_enabled {
        parts.push(format!("CGO_ENABLED={}", u8::from(cgo)));
    }
    if !go.tags.is_empty() {
        parts.push(format!("-tags {}", go.tags.join(",")));
    }
    if let Some(ldflags) = &go.ldflags {
        parts.push(format!("-ldflags '{ldflags}'"));
    }
    if let Some(level) = &go.goamd64 {
        parts.push(format!("GOAMD64={level}"));
    }
    let mut text = format!("built by {}", go.version);
    if !parts.is_empty() {
        text.push_str(": ");
        text.push_str(&parts.join(", "));
    }
    text
}

/// The loader's message for `problem`, escaped for a terminal. List mode words an undefined
/// symbol `undefined symbol: X\t(OBJ)`: that TAB is the loader's and stays, the text on either
/// side of it is escaped.
pub(crate) fn message(problem: &Problem) -> String {
    let text = problem.message();
    if let Problem::UndefinedSymbol {
        symbol, version, ..
    } = problem
    {
        let head = match version {
            Some(v) => format!("undefined symbol: {symbol}, version {v}"),
            None => format!("undefined symbol: {symbol}"),
        };
        if let Some(object) = text
            .strip_prefix(head.as_str())
            .and_then(|t| t.strip_prefix("\t("))
        {
            return format!("{}\t({}", escape::text(&head), escape::text(object));
        }
    }
    escape::text(text).into_owned()
}

fn render_problem(out: &mut String, finding: &Finding) {
    let problem = &finding.problem;
    // The message keeps list mode's own TAB (`undefined symbol: X\t(OBJ)`).
    out.push_str("  ");
    out.push_str(&message(problem));
    out.push('\n');
    let reason = crate::demangle::words(problem.reason());
    if !reason.is_empty() {
        line!(out, "    reason: {reason}");
    }
    if let Some(fix) = &finding.fix {
        line!(out, "    fix: {fix}");
    }
    match problem {
        Problem::MissingLibrary { tried, .. } if !tried.is_empty() => {
            out.push_str("    tried:\n");
            for step in tried {
                line!(
                    out,
                    "      {} ({}): {}",
                    step.path,
                    via(step.via),
                    outcome(&step.outcome)
                );
            }
        }
        Problem::MissingVersion { symbols, .. } if !symbols.is_empty() => {
            let symbols = symbols.join(", ");
            line!(
                out,
                "    symbols needing it: {}",
                crate::demangle::words(&symbols)
            );
        }
        _ => {}
    }
}

/// How a candidate was found or passed over.
fn outcome(outcome: &CandidateOutcome) -> String {
    match outcome {
        CandidateOutcome::Missing { error } => error.clone(),
        CandidateOutcome::WrongClass { class } => format!("skipped, wrong ELF class {class}"),
        CandidateOutcome::WrongMachine { machine } => format!("skipped, wrong machine {machine}"),
        CandidateOutcome::Skipped { reason } => format!("skipped, {reason}"),
        CandidateOutcome::Found => "found".to_owned(),
        CandidateOutcome::Fatal { error } => format!("fatal, {error}"),
    }
}

/// Where a library was looked for, in the words of LD_DEBUG=libs where it has them.
fn via(via: Via) -> &'static str {
    match via {
        Via::Rpath => "RPATH",
        Via::LdLibraryPath => "LD_LIBRARY_PATH",
        Via::Runpath => "RUNPATH",
        Via::LdSoCache => "ld.so.cache",
        Via::Default => "system search path",
        Via::Preload => "LD_PRELOAD",
        Via::Direct => "path as written",
        Via::MuslPath => "musl search path",
        Via::Loaded => "already loaded",
        Via::Interpreter => "the interpreter",
        Via::Unknown => "unknown to this target",
    }
}

/// The search steps laid out like glibc's LD_DEBUG=libs (elf/dl-load.c: _dl_map_object,
/// open_path, print_search_path). The report keeps a flat list of candidates, so searches are
/// regrouped: a new `find library=` starts when the file name changes or the previous search
/// ended, and consecutive candidates of one list share a `search path=` line.
fn search_trace(steps: &[SearchStep]) -> String {
    let mut out = String::new();
    let mut current_library: Option<&str> = None;
    let mut index = 0;
    while let Some(first) = steps.get(index) {
        let library = split_path(&first.path).1;
        let searching = !matches!(first.via, Via::Direct | Via::Loaded | Via::Interpreter);
        if current_library != Some(library) {
            line!(&mut out, "     find library={library} [0]; searching");
            current_library = Some(library);
        }
        // The run of candidates from the same list for the same library, up to a hit.
        let mut run_len = 0;
        for step in steps.iter().skip(index) {
            if step.via != first.via || split_path(&step.path).1 != library {
                break;
            }
            run_len += 1;
            if ends_search(&step.outcome) {
                break;
            }
        }
        let run = steps.get(index..index + run_len).unwrap_or_default();
        if searching {
            match first.via {
                Via::LdSoCache => out.push_str("      search cache\n"),
                _ => {
                    let mut dirs: Vec<&str> = Vec::new();
                    for step in run {
                        let d = split_path(&step.path).0;
                        if !dirs.contains(&d) {
                            dirs.push(d);
                        }
                    }
                    line!(
                        &mut out,
                        "      search path={}  ({})",
                        dirs.join(":"),
                        via(first.via)
                    );
                }
            }
        }
        for step in run {
            match &step.outcome {
                CandidateOutcome::Missing { .. } => {
                    line!(&mut out, "       trying file={}", step.path);
                }
                other => {
                    line!(
                        &mut out,
                        "       trying file={}  ({})",
                        step.path,
                        outcome(other)
                    );
                }
            }
        }
        if run.last().is_some_and(|s| ends_search(&s.outcome)) {
            current_library = None;
        }
        index += run_len.max(1);
    }
    out
}

/// A search stops at a found file or a fatal error.
fn ends_search(outcome: &CandidateOutcome) -> bool {
    matches!(
        outcome,
        CandidateOutcome::Found | CandidateOutcome::Fatal { .. }
    )
}

/// `/a/b/libc.so.6` → (`/a/b`, `libc.so.6`); `/libc.so.6` → (`/`, `libc.so.6`).
fn split_path(path: &str) -> (&str, &str) {
    match path.rfind('/') {
        Some(0) => ("/", &path[1..]),
        Some(i) => (&path[..i], &path[i + 1..]),
        None => ("", path),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use ldsim_resolver::{LoadedObject, When};

    fn glibc() -> LoaderInfo {
        LoaderInfo {
            flavor: Flavor::Glibc,
            interpreter: Some("/lib64/ld-linux-x86-64.so.2".into()),
            found: true,
            path: Some("/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2".into()),
            version: Some("2.36".into()),
            gcompat: false,
        }
    }

    /// The problem the run stops at.
    fn first(problem: Problem) -> ldsim_resolver::Finding {
        let mut finding = ldsim_resolver::Finding::new(problem);
        finding.first = true;
        finding
    }

    fn base(file: &str, verdict: Verdict) -> Report {
        Report {
            omitted_problems: 0,
            mode: ldsim_resolver::Mode::Run,
            loaded_by: None,
            host_problems: Vec::new(),
            plugin: None,
            dlopen_dependencies: Vec::new(),
            file: file.into(),
            verdict,
            loader: glibc(),
            objects: Vec::new(),
            problems: Vec::new(),
            exit_status: None,
            search: Vec::new(),
            warnings: Vec::new(),
            target: None,
            unknown_libraries: Vec::new(),
            unverified_symbols: Vec::new(),
            go: None,
            static_glibc: None,
        }
    }

    fn object(needed: &str, path: &str, via: Via) -> LoadedObject {
        LoadedObject {
            needed: needed.into(),
            path: path.into(),
            via,
            needed_by: Some("/opt/app/bin/app".into()),
            package: None,
        }
    }

    fn step(via: Via, path: &str, outcome: CandidateOutcome) -> SearchStep {
        SearchStep {
            via,
            path: path.into(),
            outcome,
        }
    }

    fn enoent() -> CandidateOutcome {
        CandidateOutcome::Missing {
            error: "No such file or directory".into(),
        }
    }

    #[test]
    fn ok_is_one_line() {
        let mut r = base("./app", Verdict::Ok);
        r.objects = vec![object(
            "libc.so.6",
            "/lib/x86_64-linux-gnu/libc.so.6",
            Via::LdSoCache,
        )];
        insta::assert_snapshot!(report(&r, false), @"./app: ok (glibc 2.36 at /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2)
");
    }

    #[test]
    fn missing_library_lists_what_was_tried() {
        let mut r = base("./app", Verdict::Fails);
        r.loader.version = Some("2.31".into());
        r.loader.path = Some("/lib64/ld-linux-x86-64.so.2".into());
        r.exit_status = Some(127);
        r.problems = vec![first(Problem::MissingLibrary {
            library: "libA.so.1".into(),
            needed_by: "/work/app".into(),
            tried: vec![
                step(Via::Runpath, "/work/lib/libA.so.1", enoent()),
                step(
                    Via::LdSoCache,
                    "/lib/i386-linux-gnu/libA.so.1",
                    CandidateOutcome::Skipped {
                        reason: "cache entry for another architecture".into(),
                    },
                ),
                step(
                    Via::Default,
                    "/lib/x86_64-linux-gnu/libA.so.1",
                    CandidateOutcome::WrongClass {
                        class: "ELFCLASS32".into(),
                    },
                ),
                step(
                    Via::Default,
                    "/usr/lib/x86_64-linux-gnu/libA.so.1",
                    enoent(),
                ),
            ],
            message: "/work/app: error while loading shared libraries: libA.so.1: cannot open \
                      shared object file: No such file or directory"
                .into(),
            reason: "libA.so.1 is in none of the directories searched".into(),
            packages: Vec::new(),
        })];
        insta::assert_snapshot!(report(&r, false));
    }

    #[test]
    fn missing_version_names_the_symbols() {
        let mut r = base("bin/progv", Verdict::Fails);
        r.exit_status = Some(1);
        r.problems = vec![first(Problem::MissingVersion {
            library: "libc.so.6".into(),
            version: "GLIBC_2.38".into(),
            provider: Some("/lib/x86_64-linux-gnu/libc.so.6".into()),
            required_by: "/work/bin/progv".into(),
            symbols: vec!["strlcpy".into(), "strlcat".into()],
            weak: false,
            message: "/work/bin/progv: /lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.38' \
                      not found (required by /work/bin/progv)"
                .into(),
            reason: "the target's glibc 2.36 predates GLIBC_2.38".into(),
        })];
        insta::assert_snapshot!(report(&r, false));
    }

    #[test]
    fn fails_on_first_call() {
        let mut r = base("./p", Verdict::FailsOnCall);
        r.exit_status = Some(127);
        r.problems = vec![first(Problem::UndefinedSymbol {
            symbol: "f_call".into(),
            version: None,
            required_by: "/work/p".into(),
            when: When::FirstCall,
            message: "/work/p: symbol lookup error: /work/p: undefined symbol: f_call".into(),
            reason: "no loaded object defines f_call; it is bound lazily, at its first call".into(),
        })];
        insta::assert_snapshot!(report(&r, false));
    }

    #[test]
    fn warnings_come_before_problems() {
        let mut r = base("./app", Verdict::Ok);
        r.warnings = vec![
            "ERROR: ld.so: object 'x.so' from LD_PRELOAD cannot be preloaded \
                           (cannot open shared object file): ignored."
                .into(),
        ];
        insta::assert_snapshot!(report(&r, false), @r"
        ./app: ok (glibc 2.36 at /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2)
          warning: ERROR: ld.so: object 'x.so' from LD_PRELOAD cannot be preloaded (cannot open shared object file): ignored.
        ");
    }

    #[test]
    fn missing_interpreter() {
        let mut r = base("./prog32", Verdict::Fails);
        r.loader = LoaderInfo {
            flavor: Flavor::Glibc,
            interpreter: Some("/lib/ld-linux.so.2".into()),
            found: false,
            path: None,
            version: None,
            gcompat: false,
        };
        r.exit_status = Some(127);
        r.problems = vec![first(Problem::MissingInterpreter {
            interpreter: "/lib/ld-linux.so.2".into(),
            message: "bash: /t/prog32: cannot execute: required file not found".into(),
            reason: "the interpreter /lib/ld-linux.so.2 does not exist in the target".into(),
        })];
        insta::assert_snapshot!(report(&r, false), @r"
        ./prog32: fails on target (glibc, interpreter /lib/ld-linux.so.2 missing)
          bash: /t/prog32: cannot execute: required file not found
            reason: the interpreter /lib/ld-linux.so.2 does not exist in the target
          exit status: 127
        ");
    }

    #[test]
    fn a_file_the_kernel_refuses_never_names_a_loader() {
        let mut r = base("./x", Verdict::Fails);
        r.loader.flavor = Flavor::Static;
        r.exit_status = Some(126);
        r.problems = vec![first(Problem::NotLoadable {
            object: "./x".into(),
            found: "an invalid PT_INTERP (it extends past the end of the file)".into(),
            message: "bash: ./x: Input/output error".into(),
            reason: "the kernel refuses the file's PT_INTERP; execve fails with EIO".into(),
        })];
        insta::assert_snapshot!(report(&r, false), @r"
        ./x: fails on target (the kernel refuses it)
          bash: ./x: Input/output error
            reason: the kernel refuses the file's PT_INTERP; execve fails with EIO
          exit status: 126
        ");
    }

    #[test]
    fn static_and_musl_loaders() {
        let mut r = base("./s", Verdict::Ok);
        r.loader = LoaderInfo {
            flavor: Flavor::Static,
            interpreter: None,
            found: false,
            path: None,
            version: None,
            gcompat: false,
        };
        assert_eq!(report(&r, true), "./s: ok (static, no loader)\n");
        r.loader = LoaderInfo {
            flavor: Flavor::Musl,
            interpreter: Some("/lib/ld-linux-x86-64.so.2".into()),
            found: true,
            path: Some("/lib/libgcompat.so.0".into()),
            version: None,
            gcompat: true,
        };
        assert_eq!(
            report(&r, false),
            "./s: ok (musl with gcompat at /lib/libgcompat.so.0)\n"
        );
    }

    #[test]
    fn verbose_shows_objects_and_the_search() {
        let mut r = base("./app", Verdict::Ok);
        r.objects = vec![
            object("libA.so.1", "/opt/app/lib/libA.so.1", Via::Runpath),
            object(
                "libc.so.6",
                "/lib/x86_64-linux-gnu/libc.so.6",
                Via::LdSoCache,
            ),
            object(
                "ld-linux-x86-64.so.2",
                "/lib64/ld-linux-x86-64.so.2",
                Via::Loaded,
            ),
            object("", "/lib64/ld-linux-x86-64.so.2", Via::Interpreter),
        ];
        r.search = vec![
            step(
                Via::LdLibraryPath,
                "/x/glibc-hwcaps/x86-64-v2/libA.so.1",
                enoent(),
            ),
            step(Via::LdLibraryPath, "/x/libA.so.1", enoent()),
            step(
                Via::Runpath,
                "/opt/app/lib/libA.so.1",
                CandidateOutcome::Found,
            ),
            step(
                Via::LdSoCache,
                "/lib/x86_64-linux-gnu/libc.so.6",
                CandidateOutcome::Found,
            ),
        ];
        insta::assert_snapshot!(report(&r, true));
    }

    #[test]
    fn search_trace_restarts_after_a_found_library_of_the_same_name() {
        let steps = [
            step(Via::Default, "/lib/libA.so.1", CandidateOutcome::Found),
            step(Via::Rpath, "/r/libA.so.1", enoent()),
            step(
                Via::Rpath,
                "/s/libA.so.1",
                CandidateOutcome::Fatal {
                    error: "invalid ELF header".into(),
                },
            ),
        ];
        insta::assert_snapshot!(search_trace(&steps), @r"
             find library=libA.so.1 [0]; searching
              search path=/lib  (system search path)
               trying file=/lib/libA.so.1  (found)
             find library=libA.so.1 [0]; searching
              search path=/r:/s  (RPATH)
               trying file=/r/libA.so.1
               trying file=/s/libA.so.1  (fatal, invalid ELF header)
        ");
    }

    /// Every text field of a report holds control characters, as a hostile image makes them.
    pub(crate) fn poisoned(mode: Mode, verdict: Verdict) -> Report {
        let bad = |what: &str| format!("{what}\x1b[31m\x07\t\r\n/bin/app: ok\x7f\u{9b}");
        let mut r = base(&bad("./app"), verdict);
        r.mode = mode;
        r.loader = LoaderInfo {
            flavor: Flavor::Glibc,
            interpreter: Some(bad("/lib/ld")),
            found: mode != Mode::List,
            path: Some(bad("/lib/ld-path")),
            version: Some(bad("2.36")),
            gcompat: false,
        };
        let tried = vec![
            step(Via::Runpath, &bad("/r/lib"), enoent()),
            step(
                Via::Default,
                &bad("/d/lib"),
                CandidateOutcome::Skipped {
                    reason: bad("skip"),
                },
            ),
            step(
                Via::Default,
                &bad("/e/lib"),
                CandidateOutcome::Fatal {
                    error: bad("fatal"),
                },
            ),
        ];
        r.objects = vec![
            object(&bad("libA"), &bad("/r/libA"), Via::Runpath),
            object("", &bad("/lib/ld"), Via::Interpreter),
        ];
        r.search = tried.clone();
        r.warnings = vec![bad("warning")];
        r.exit_status = Some(127);
        let symbol = bad("sym");
        r.problems = vec![
            first(Problem::MissingLibrary {
                library: bad("libB"),
                needed_by: bad("/app"),
                tried,
                message: bad("message"),
                reason: bad("reason"),
                packages: vec![bad("pkg"), bad("pkg2")],
            }),
            ldsim_resolver::Finding::new(Problem::MissingVersion {
                library: bad("libc"),
                version: bad("GLIBC"),
                provider: None,
                required_by: bad("/app"),
                symbols: vec![bad("s1"), bad("s2")],
                weak: false,
                message: bad("version message"),
                reason: bad("version reason"),
            }),
            ldsim_resolver::Finding::new(Problem::UndefinedSymbol {
                version: Some(bad("V")),
                required_by: bad("/app"),
                when: When::Startup,
                // List mode's own TAB, between two hostile names.
                message: format!(
                    "undefined symbol: {symbol}, version {}\t({})",
                    bad("V"),
                    bad("/obj")
                ),
                symbol,
                reason: bad("symbol reason"),
            }),
            ldsim_resolver::Finding::new(Problem::BadLibrary {
                library: bad("libC"),
                path: bad("/c/libC"),
                needed_by: bad("/app"),
                message: bad("bad message"),
                reason: bad("bad reason"),
            }),
            ldsim_resolver::Finding::new(Problem::MissingInterpreter {
                interpreter: bad("/ld"),
                message: bad("interp message"),
                reason: bad("interp reason"),
            }),
        ];
        r.host_problems = vec![first(Problem::IsaLevel {
            object: bad("/host"),
            message: bad("host message"),
            reason: bad("host reason"),
        })];
        r.loaded_by = Some(ldsim_resolver::LoadedBy {
            program: bad("/usr/bin/python3"),
            automatic: true,
            caller: bad("/caller"),
        });
        r.plugin = Some(ldsim_resolver::PluginInfo {
            host: bad("cpython"),
            evidence: bad("PyInit_x"),
            expected_from_host: vec![bad("Py_x")],
        });
        r.dlopen_dependencies = vec![
            ldsim_resolver::DlopenDependency {
                declared_by: bad("/decl"),
                sonames: vec![bad("libD"), bad("libE")],
                feature: Some(bad("feature")),
                priority: bad("required"),
                found: Some(bad("/d/libD")),
                error: None,
            },
            ldsim_resolver::DlopenDependency {
                declared_by: bad("/decl"),
                sonames: vec![bad("libF")],
                feature: None,
                priority: bad("recommended"),
                found: None,
                error: Some(bad("dlerror")),
            },
        ];
        r.unknown_libraries = vec![ldsim_resolver::UnknownLibrary {
            library: bad("libssl"),
            needed_by: bad("/app"),
            hint: bad("hint"),
            packages: vec![bad("pkg")],
        }];
        r.unverified_symbols = vec![bad("unverified")];
        r
    }

    /// Only ldsim's own newlines (one per line) and list mode's TAB: nothing from the input
    /// moves the cursor, rings, recolours or starts a line.
    pub(crate) fn assert_no_raw_control(text: &str) {
        for line in text.lines() {
            for c in line.chars() {
                let own_tab = c == '\t' && line.contains("undefined symbol: sym\\x1b");
                assert!(own_tab || !c.is_control(), "raw {c:?} in {line:?}\n{text}");
            }
            assert!(!line.trim_start().starts_with("/bin/app"), "{line:?}");
        }
    }

    #[test]
    fn every_field_from_the_input_is_escaped() {
        for (mode, verdict) in [
            (Mode::Run, Verdict::Fails),
            (Mode::List, Verdict::Fails),
            (Mode::Dlopen, Verdict::Fails),
            (Mode::Run, Verdict::Ok),
        ] {
            for verbose in [false, true] {
                let text = report(&poisoned(mode, verdict), verbose);
                assert_no_raw_control(&text);
                assert!(text.contains("\\x1b[31m\\x07\\x09\\x0d\\x0a/bin/app: ok\\x7f\\u{9b}"));
                if verbose {
                    // List mode's TAB stays between the escaped symbol and object.
                    assert!(text.contains("\\u{9b}\t(/obj\\x1b"), "{text}");
                }
            }
        }
    }

    #[test]
    fn split_path_cases() {
        assert_eq!(split_path("/a/b/c.so"), ("/a/b", "c.so"));
        assert_eq!(split_path("/c.so"), ("/", "c.so"));
        assert_eq!(split_path("c.so"), ("", "c.so"));
    }
}
