//! The `ldsim` binary: arguments, input expansion and rendering; the simulation itself is in
//! `ldsim-resolver`. Only this file decides the exit status (see [`exit`]).

mod args;
mod exit;
mod inputs;
mod install;
mod render;
mod schema;

use anyhow::Context;
use args::{CheckArgs, Cli, Command, Format};
use clap::Parser;
use inputs::{Job, JobKind};
use ldsim_resolver::{CheckError, Checker, Report, Verdict};
use ldsim_sysroots::{Sysroot, TargetPath};
use rayon::prelude::*;
use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // --help and --version are not errors; a broken pipe while printing them neither.
            let code = if err.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
            let _ = err.print();
            return ExitCode::from(code);
        }
    };
    init_tracing(cli.verbose, cli.quiet);
    let Command::Check(args) = &cli.command;
    match check(args, cli.verbose > 0, cli.quiet) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            let _ = writeln!(io::stderr(), "ldsim: {err:#}");
            ExitCode::from(exit::USAGE)
        }
    }
}

/// Logs go to stderr. `LDSIM_LOG` (an EnvFilter directive) overrides -v/-q.
fn init_tracing(verbose: u8, quiet: bool) {
    let directives = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        // The resolver logs every search step at DEBUG with target "ldsim::libs".
        (false, 1) => "warn,ldsim=info,ldsim::libs=debug",
        (false, 2) => {
            "warn,ldsim=debug,ldsim_resolver=debug,ldsim_sysroots=debug,ldsim_loader=debug"
        }
        (false, _) => {
            "warn,ldsim=trace,ldsim_resolver=trace,ldsim_sysroots=trace,ldsim_loader=trace"
        }
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("LDSIM_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(directives));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(io::stderr)
        .with_ansi(io::stderr().is_terminal())
        .without_time()
        .try_init();
}

/// The result for one job, in input order.
enum Outcome {
    Report(Report),
    Error(String),
}

fn check(args: &CheckArgs, verbose: bool, quiet: bool) -> anyhow::Result<u8> {
    // OpenError's text already names the path and the OS error: no source chain on top.
    let mut root = Sysroot::from_dir(&args.sysroot)
        .map_err(|err| anyhow::anyhow!("cannot open the sysroot: {err}"))?;
    for overlay in &args.overlay {
        root.mount(&overlay.target, &overlay.host).map_err(|err| {
            anyhow::anyhow!("cannot mount --overlay at {}: {err}", overlay.target)
        })?;
    }
    let jobs = if args.in_target {
        inputs::expand_target(&root, &args.files)
    } else {
        let inputs = inputs::expand_host(&args.files);
        // On the host's own root every host file already is where it is installed.
        if !is_host_root(&args.sysroot) {
            let overlays: Vec<TargetPath> = args.overlay.iter().map(|o| o.target.clone()).collect();
            install::mount(&mut root, &inputs, &overlays)?;
        }
        inputs.jobs
    };

    let checker = Checker::new(&root, args.environment());
    let outcomes: Vec<Outcome> = jobs
        .par_iter()
        .map(|job| check_one(&checker, job))
        .collect();

    match write_output(&jobs, &outcomes, args.format, verbose, quiet) {
        Err(err) if err.kind() != io::ErrorKind::BrokenPipe => {
            return Err(err).context("cannot write the output");
        }
        _ => {}
    }
    Ok(status(&outcomes))
}

fn is_host_root(sysroot: &Path) -> bool {
    std::fs::canonicalize(sysroot).is_ok_and(|p| p == Path::new("/"))
}

fn check_one(checker: &Checker<'_>, job: &Job) -> Outcome {
    let target = match &job.kind {
        JobKind::Check { target, .. } => target,
        JobKind::Error(err) => return Outcome::Error(err.clone()),
    };
    // argv[0] of the simulated run is the absolute path inside the target.
    match checker.check(target, &target.display()) {
        Ok(mut report) => {
            report.file.clone_from(&job.display);
            Outcome::Report(report)
        }
        Err(err) => Outcome::Error(describe(err)),
    }
}

/// The one-line reason for `ldsim: FILE: reason`; the path is already in front of it.
/// (The sources' own text is used, not their chain: an io::Error inside would repeat.)
fn describe(err: CheckError) -> String {
    match err {
        CheckError::Read { source, .. } => format!("cannot read: {source}"),
        CheckError::NotElf { source, .. } => format!("not an ELF file: {source}"),
        CheckError::IsDirectory { .. } => "is a directory".to_owned(),
    }
}

/// 2 if any input could not be analysed, else 1 if any file fails, else 0.
fn status(outcomes: &[Outcome]) -> u8 {
    let mut code = exit::OK;
    for outcome in outcomes {
        match outcome {
            Outcome::Error(_) => return exit::USAGE,
            Outcome::Report(r) if r.verdict != Verdict::Ok => code = exit::FAILS,
            Outcome::Report(_) => {}
        }
    }
    code
}

/// Reports to stdout in input order, input errors to stderr at their place.
fn write_output(
    jobs: &[Job],
    outcomes: &[Outcome],
    format: Format,
    verbose: bool,
    quiet: bool,
) -> io::Result<()> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut entries = Vec::new();
    for (job, outcome) in jobs.iter().zip(outcomes) {
        match outcome {
            Outcome::Error(err) => {
                // Keep stderr lines next to the stdout text of the files around them.
                out.flush()?;
                let _ = writeln!(io::stderr(), "ldsim: {}: {err}", job.display);
                entries.push(schema::FileEntry::Error {
                    file: &job.display,
                    error: err,
                });
            }
            Outcome::Report(report) => {
                if format == Format::Human && !quiet {
                    out.write_all(render::report(report, verbose).as_bytes())?;
                }
                entries.push(schema::FileEntry::Report(report));
            }
        }
    }
    if format == Format::Json && !quiet {
        let output = schema::Output {
            schema_version: schema::SCHEMA_VERSION,
            files: entries,
        };
        serde_json::to_writer_pretty(&mut out, &output)?;
        out.write_all(b"\n")?;
    }
    out.flush()
}
