//! The `ldsim` binary: arguments, input expansion and rendering; the simulation itself is in
//! `ldsim-resolver`. Only this file decides the exit status (see [`exit`]).

mod args;
mod baseline;
mod ci;
mod color;
mod config;
mod demangle;
mod escape;
mod exit;
mod heap;
mod inputs;
mod install;
mod matrix;
mod policy;
mod render;
mod schema;
mod summary;

use anyhow::Context;
use args::{CheckArgs, Cli, Command, FailOn, Format};
use clap::Parser;
use inputs::{Job, JobKind};
use ldsim_loader::arch::Arch;
use ldsim_resolver::builtin::BuiltinRoot;
use ldsim_resolver::{CheckError, Checker, HostChoice, Report, Verdict};
use ldsim_sysroots::{ImageSelector, Limits, Platform, RootSource, Sysroot, TargetPath};
use ldsim_tables::Target;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

fn main() -> ExitCode {
    heap::grow_in_large_steps();
    // Each worker advises its own heap (see heap.rs); without the pool, rayon builds one anyway.
    let _ = rayon::ThreadPoolBuilder::new()
        .start_handler(|_| heap::advise_this_threads_heap())
        .build_global();
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
    color::choose(cli.color);
    let result = match &cli.command {
        Command::Check(args) => config::apply(args)
            .and_then(|(args, allowed)| check(&args, &allowed, cli.verbose > 0, cli.quiet)),
        Command::Targets(args) => matrix::list_targets(args.format).map(|()| exit::OK),
        Command::Completions { shell } => {
            // Made in memory, then written: the generator panics on a write error, and a
            // closed pipe (`| head`) is not one for us.
            let mut script = Vec::new();
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(*shell, &mut command, "ldsim", &mut script);
            write_all_stdout(&script).map(|()| exit::OK)
        }
        Command::Man { command: name } => {
            let mut page = Vec::new();
            let mut command = <Cli as clap::CommandFactory>::command();
            if let Some(name) = name {
                // ldsim-check(1), git's style for a command's own page (clap's names are
                // static: the commands are few).
                let title = match name.as_str() {
                    "check" => "ldsim-check",
                    "targets" => "ldsim-targets",
                    _ => "ldsim-completions",
                };
                command = command
                    .find_subcommand(name)
                    .cloned()
                    .unwrap_or(command)
                    .name(title);
            }
            clap_mangen::Man::new(command)
                .render(&mut page)
                .context("cannot render the manual page")
                .and_then(|()| write_all_stdout(&page))
                .map(|()| exit::OK)
        }
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            let line = format!("ldsim: {err:#}");
            let _ = writeln!(io::stderr(), "{}", escape::text(&line));
            ExitCode::from(exit::USAGE)
        }
    }
}

/// Write `bytes` to standard output; a reader that went away (`| head`) is no error.
fn write_all_stdout(bytes: &[u8]) -> anyhow::Result<()> {
    match io::stdout()
        .write_all(bytes)
        .and_then(|()| io::stdout().flush())
    {
        Err(err) if err.kind() != io::ErrorKind::BrokenPipe => {
            Err(err).context("cannot write the output")
        }
        _ => Ok(()),
    }
}

/// Logs go to stderr. `LDSIM_LOG` (an EnvFilter directive) overrides -v/-q. Their fields
/// (the message included) are escaped like human output ([`EscapedFields`]).
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
        .fmt_fields(EscapedFields)
        .without_time()
        .try_init();
}

/// Log fields as tracing-subscriber's default formatter lays them out (the message, then
/// `name=value`), escaped like human output: log messages name libraries, paths and symbols
/// from the input (`find library=NAME`, `trying file=PATH`), and the fmt layer's own
/// sanitising leaves CR, LF and TAB raw. Events and span fields both go through it.
struct EscapedFields;

impl<'writer> tracing_subscriber::fmt::FormatFields<'writer> for EscapedFields {
    fn format_fields<R: tracing_subscriber::field::RecordFields>(
        &self,
        mut writer: tracing_subscriber::fmt::format::Writer<'writer>,
        fields: R,
    ) -> std::fmt::Result {
        let mut text = FieldText::default();
        fields.record(&mut text);
        writer.write_str(&escape::log_line(&text.0))
    }
}

/// The fields of one event or span, unescaped.
#[derive(Default)]
struct FieldText(String);

impl tracing::field::Visit for FieldText {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        if field.name() == "message" {
            self.record_debug(field, &format_args!("{value}"));
        } else {
            self.record_debug(field, &value);
        }
    }

    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        use std::fmt::Write as _;
        // The `log` crate's metadata, as the default formatter skips it.
        if field.name().starts_with("log.") {
            return;
        }
        if !self.0.is_empty() {
            self.0.push(' ');
        }
        let _ = match field.name() {
            "message" => write!(self.0, "{value:?}"),
            name => write!(self.0, "{name}={value:?}"),
        };
    }
}

/// The result for one job, in input order.
pub(crate) enum Outcome {
    Report(Box<Checked>),
    Error(String),
    /// Nothing to say for this target: with --in-target, another root's walk found this
    /// entry (a directory FILE this root expanded into files, or found no ELF file in).
    Absent,
}

/// One file's report on one target, with the minimum releases the file needs (the same for
/// every target: computed once per file, when floors are shown).
pub(crate) struct Checked {
    pub report: Report,
    pub floor: Option<std::sync::Arc<ldsim_tables::floor::Floor>>,
}

impl Checked {
    /// A report without a floor (tests).
    #[cfg(test)]
    pub(crate) fn new(report: Report) -> Box<Checked> {
        Box::new(Checked {
            report,
            floor: None,
        })
    }
}

impl std::ops::Deref for Checked {
    type Target = Report;
    fn deref(&self) -> &Report {
        &self.report
    }
}

/// What the files are checked against: the --sysroot root, or a built-in target.
enum TargetKind<'a> {
    Root(&'a Path),
    Builtin(&'a Target),
}

fn check(
    args: &CheckArgs,
    allowed: &[ldsim_tables::policy::Allowed],
    verbose: bool,
    quiet: bool,
) -> anyhow::Result<u8> {
    let asked = policy::from_args(args, allowed.to_vec())?;
    let baseline = args
        .baseline
        .as_deref()
        .map(baseline::Baseline::load)
        .transpose()?;
    // Floors are what a policy and a baseline compare, and JSON carries them for the next
    // run's baseline.
    WITH_FLOORS.store(
        asked.is_some() || baseline.is_some() || args.format == Format::Json,
        Ordering::Relaxed,
    );
    let defaults;
    let mut kinds: Vec<TargetKind<'_>> = Vec::new();
    if let Some(sysroot) = &args.sysroot {
        kinds.push(TargetKind::Root(sysroot));
    }
    kinds.extend(args.targets.iter().map(TargetKind::Builtin));
    if kinds.is_empty() {
        defaults = Target::defaults();
        kinds.extend(defaults.iter().map(TargetKind::Builtin));
    }
    // Host files are read and parsed once here, for every target.
    let inputs = (!args.in_target).then(|| {
        let mut inputs = inputs::expand_host(&args.files);
        for program in host_programs(args) {
            inputs.add_program(program);
        }
        inputs
    });
    summary::start_progress(!quiet && !verbose);
    SHOW_DETAIL.store(verbose || args.format == Format::Json, Ordering::Relaxed);
    SHOW_REPORTS.store(!quiet, Ordering::Relaxed);
    // Targets side by side: building each built-in target's root (its base image) is work of
    // its own, and the files of one target are checked on every core too.
    let checked: Vec<(Vec<Job>, Column)> = kinds
        .par_iter()
        .map(|kind| {
            let name = match kind {
                TargetKind::Root(sysroot) => sysroot.display().to_string(),
                TargetKind::Builtin(target) => target.name.clone(),
            };
            let result = match (kind, &inputs) {
                (TargetKind::Root(sysroot), None) => check_in_target(args, sysroot),
                (TargetKind::Builtin(target), None) => check_builtin_in_target(args, target),
                (TargetKind::Root(sysroot), Some(inputs)) => {
                    check_host_files_in_root(args, sysroot, inputs)
                        .map(|o| (inputs.jobs.clone(), o))
                }
                (TargetKind::Builtin(target), Some(inputs)) => {
                    check_builtin(args, target, inputs).map(|o| (inputs.jobs.clone(), o))
                }
            };
            match result {
                Ok((jobs, outcomes)) => (
                    jobs,
                    Column {
                        name,
                        outcomes,
                        error: None,
                    },
                ),
                // Nothing can be checked against this target (a broken --sysroot or --overlay):
                // each file gets the error, and the other targets are still checked.
                Err(err) => {
                    let error = format!("{err:#}");
                    let jobs = match &inputs {
                        Some(inputs) => inputs.jobs.clone(),
                        None => inputs::as_given(&args.files),
                    };
                    let outcomes = jobs.iter().map(|_| Outcome::Error(error.clone())).collect();
                    let error = Some(error);
                    (
                        jobs,
                        Column {
                            name,
                            outcomes,
                            error,
                        },
                    )
                }
            }
        })
        .collect();
    summary::finish_progress();
    let (jobs, columns) = align(checked);
    // A target that could not be used at all: one line, before any file's output.
    let mut said = std::collections::BTreeSet::new();
    for error in columns.iter().filter_map(|c| c.error.as_deref()) {
        if said.insert(error) {
            let _ = writeln!(io::stderr(), "ldsim: {}", escape::text(error));
        }
    }
    let several = columns.len() > 1;
    let any_builtin = kinds.iter().any(|k| matches!(k, TargetKind::Builtin(_)));
    let policy = asked.map(|a| a.check(&jobs, &columns));
    let changes = baseline.map(|b| b.compare(&jobs, &columns));
    let extras = Extras {
        policy: policy.as_ref(),
        changes: changes.as_ref(),
    };
    let result = if args.format.is_ci() {
        if quiet {
            Ok(())
        } else {
            ci::write(args.format, &jobs, &columns, &extras)
        }
    } else {
        let plain = !(several || any_builtin);
        matrix::write(
            &jobs,
            &columns,
            args.format,
            (verbose, quiet, plain),
            &extras,
        )
    };
    let result = result.and_then(|()| match &policy {
        Some(checked) if args.format == Format::Human && !quiet => {
            io::stdout().write_all(checked.human().as_bytes())
        }
        _ => Ok(()),
    });
    let result = result.and_then(|()| match &changes {
        Some(changes) if args.format == Format::Human && !quiet => {
            io::stdout().write_all(changes.human().as_bytes())
        }
        _ => Ok(()),
    });
    let result = result.and_then(|()| match summary::line(&columns) {
        Some(tally) if args.format == Format::Human && !quiet => {
            let breaking = policy.as_ref().map_or(0, |p| p.breaking());
            match breaking {
                0 => writeln!(io::stdout(), "{tally}"),
                n => writeln!(io::stdout(), "{tally}; {n} break the policy"),
            }
        }
        _ => Ok(()),
    });
    match result {
        Err(err) if err.kind() != io::ErrorKind::BrokenPipe => {
            return Err(err).context("cannot write the output");
        }
        _ => {}
    }
    let breaks_policy = policy.as_ref().is_some_and(|p| !p.all_pass());
    let verdicts = columns
        .iter()
        .map(|c| status(&c.outcomes))
        .max()
        .unwrap_or(exit::OK);
    let status = match args.fail_on {
        FailOn::Any if breaks_policy => verdicts.max(exit::FAILS),
        FailOn::Any => verdicts,
        // Only input errors and regressions count.
        FailOn::Regression => {
            let regressed = changes.as_ref().is_some_and(|c| c.regressions > 0);
            let errors = if verdicts == exit::USAGE {
                exit::USAGE
            } else {
                exit::OK
            };
            errors.max(if regressed { exit::FAILS } else { exit::OK })
        }
    };
    release_at_exit((inputs, jobs, columns));
    Ok(status)
}

/// What is said of the run beyond each file's reports: the release policy's verdicts and
/// the changes since a baseline.
#[derive(Default)]
pub(crate) struct Extras<'a> {
    pub policy: Option<&'a policy::Checked>,
    pub changes: Option<&'a baseline::Changes>,
}

/// Every file's outcome against one target, in input order.
pub(crate) struct Column {
    pub name: String,
    pub outcomes: Vec<Outcome>,
    /// Why nothing could be checked against this target (each outcome is then this error):
    /// said once on stderr, not once per file.
    pub error: Option<String>,
}

/// What an in-target file is said to be in a root whose walk did not reach it.
const NOT_IN_TARGET: &str = "not in this target (No such file or directory)";

/// Every target's outcomes for one list of files. Host files are the same for every target;
/// with --in-target each root expands the FILEs itself, and a file one root has and another
/// lacks is an input error for the other.
fn align(checked: Vec<(Vec<Job>, Column)>) -> (Vec<Job>, Vec<Column>) {
    let same = checked.windows(2).all(|pair| {
        let (a, b) = (&pair[0].0, &pair[1].0);
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.display == y.display)
    });
    if same {
        let mut columns = Vec::with_capacity(checked.len());
        let mut jobs = None;
        for (column_jobs, column) in checked {
            jobs.get_or_insert(column_jobs);
            columns.push(column);
        }
        return (jobs.unwrap_or_default(), columns);
    }
    // The same display twice (a FILE named twice) is told apart by its occurrence.
    let keys = |jobs: &[Job]| -> Vec<(String, usize)> {
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        jobs.iter()
            .map(|job| {
                let n = seen.entry(&job.display).or_default();
                *n += 1;
                (job.display.clone(), *n)
            })
            .collect()
    };
    let mut jobs: Vec<Job> = Vec::new();
    let mut order: BTreeMap<(String, usize), usize> = BTreeMap::new();
    for (column_jobs, _) in &checked {
        for (key, job) in keys(column_jobs).into_iter().zip(column_jobs) {
            if let std::collections::btree_map::Entry::Vacant(slot) = order.entry(key) {
                slot.insert(jobs.len());
                jobs.push(job.clone());
            }
        }
    }
    let columns = checked
        .into_iter()
        .map(|(column_jobs, column)| {
            let mut slots: Vec<Option<Outcome>> = jobs.iter().map(|_| None).collect();
            for (key, outcome) in keys(&column_jobs).into_iter().zip(column.outcomes) {
                slots[order[&key]] = Some(outcome);
            }
            let outcomes = jobs
                .iter()
                .zip(slots)
                .map(|(job, slot)| {
                    slot.unwrap_or_else(|| {
                        let inside = format!("{}/", job.display.trim_end_matches('/'));
                        if column_jobs.iter().any(|j| j.display.starts_with(&inside)) {
                            Outcome::Absent
                        } else {
                            Outcome::Error(NOT_IN_TARGET.to_owned())
                        }
                    })
                })
                .collect();
            Column {
                name: column.name,
                outcomes,
                error: column.error,
            }
        })
        .collect();
    (jobs, columns)
}

/// `--in-target`: the files are paths inside the root.
fn check_in_target(args: &CheckArgs, sysroot: &Path) -> anyhow::Result<(Vec<Job>, Vec<Outcome>)> {
    let source = open_source(args, sysroot)?;
    let per_file_platform =
        args.platform.is_none() && source.depends_on_platform(args.image.as_deref());
    let platform = args
        .platform
        .clone()
        .or_else(|| per_file_platform.then(host_platform));
    let root = open_root(&source, args, platform.as_ref())?;
    let jobs = inputs::expand_target(&root, &args.files);
    let hosts = hosts(args, true);
    let checker = sysroot_checker(&root, args);
    let outcomes = run_checks(&checker, &jobs, &hosts);
    release_at_exit(checker);
    Ok((jobs, outcomes))
}

/// `--in-target` on a built-in target: FILE is a path in the target as the `--overlay`s
/// place it, as `COPY app /opt/app` into that base image would.
fn check_builtin_in_target(
    args: &CheckArgs,
    target: &Target,
) -> anyhow::Result<(Vec<Job>, Vec<Outcome>)> {
    let mut root = BuiltinRoot::new(target, target.arch_for(None))?;
    mount_overlays(root.sysroot_mut(), args)?;
    let sysroot: &Sysroot = root.sysroot_mut();
    let jobs = inputs::expand_target(sysroot, &args.files);
    // Each file against the target's image of its own architecture.
    let arch_of = |job: &Job| target.arch_for(target_job_arch(sysroot, job));
    let outcomes = check_by_group(&jobs, arch_of, |arch, group| {
        let root = match builtin_root(target, *arch, args)? {
            Ok(root) => root,
            Err(err) => return Ok(group.iter().map(|_| Outcome::Error(err.clone())).collect()),
        };
        Ok(run_checks(
            &builtin_checker(&root, args),
            group,
            &hosts(args, true),
        ))
    })?;
    Ok((jobs, outcomes))
}

/// The ELF architecture of a file inside the target, when it has one ldsim knows.
fn target_job_arch(root: &Sysroot, job: &Job) -> Option<Arch> {
    let JobKind::Check { target, .. } = &job.kind else {
        return None;
    };
    let (_, bytes) = root.read(target.as_bytes(), &TargetPath::root()).ok()?;
    let header = ldsim_loader::parse_header(&bytes).ok()?;
    ldsim_loader::arch::arch_of(&header)
}

fn open_source(args: &CheckArgs, sysroot: &Path) -> anyhow::Result<RootSource> {
    let limits = Limits {
        unpack_limit: args.unpack_limit,
    };
    // OpenError's text already names the path and the problem: no source chain on top.
    let source = RootSource::open(sysroot, limits)
        .map_err(|err| anyhow::anyhow!("cannot open the sysroot: {err}"))?;
    tracing::info!(sysroot = %sysroot.display(), format = source.format(), "target root");
    Ok(source)
}

/// Host files against a root on disk, archive or image.
fn check_host_files_in_root(
    args: &CheckArgs,
    sysroot: &Path,
    inputs: &inputs::HostInputs,
) -> anyhow::Result<Vec<Outcome>> {
    let source = open_source(args, sysroot)?;
    // A multi-platform image serves each file the image of its own architecture.
    let per_file_platform =
        args.platform.is_none() && source.depends_on_platform(args.image.as_deref());
    let platform_of = |job: &Job| per_file_platform.then(|| job_platform(inputs.arch_of(job)));
    let several = inputs
        .jobs
        .iter()
        .map(platform_of)
        .collect::<std::collections::BTreeSet<_>>()
        .len()
        > 1;
    check_by_group(&inputs.jobs, platform_of, |platform, group| {
        match open_root(&source, args, platform.as_ref()) {
            Ok(mut root) => {
                // On the host's own root every host file already is where it is installed.
                if !is_host_root(sysroot) {
                    let overlays: Vec<TargetPath> =
                        args.overlay.iter().map(|o| o.target.clone()).collect();
                    install::mount(&mut root, inputs, &overlays)?;
                }
                let hosts = hosts(args, false);
                let checker = sysroot_checker(&root, args);
                adopt_host_files(&checker, inputs, group);
                let outcomes = run_checks(&checker, group, &hosts);
                release_at_exit(checker);
                release_at_exit(root);
                Ok(outcomes)
            }
            // Files of another architecture can still be checked against their image.
            Err(err) if several => Ok(group
                .iter()
                .map(|_| Outcome::Error(format!("{err:#}")))
                .collect()),
            Err(err) => Err(err),
        }
    })
}

/// Host files against a built-in target: one in-memory root per architecture simulated.
fn check_builtin(
    args: &CheckArgs,
    target: &Target,
    inputs: &inputs::HostInputs,
) -> anyhow::Result<Vec<Outcome>> {
    let arch_of = |job: &Job| target.arch_for(inputs.arch_of(job));
    check_by_group(&inputs.jobs, arch_of, |arch, group| {
        let mut root = match builtin_root(target, *arch, args)? {
            Ok(root) => root,
            Err(err) => return Ok(group.iter().map(|_| Outcome::Error(err.clone())).collect()),
        };
        let overlays: Vec<TargetPath> = args.overlay.iter().map(|o| o.target.clone()).collect();
        install::mount(root.sysroot_mut(), inputs, &overlays)?;
        let hosts = hosts(args, false);
        let checker = builtin_checker(&root, args);
        adopt_host_files(&checker, inputs, group);
        // Dropped here, not left to the exit: a run over many built-in targets would hold
        // every target's root at once.
        Ok(run_checks(&checker, group, &hosts))
    })
}

/// Checks `jobs` group by group (one root per key), keeping input order in the result.
fn check_by_group<K: Ord>(
    jobs: &[Job],
    key: impl Fn(&Job) -> K,
    mut check_group: impl FnMut(&K, &[Job]) -> anyhow::Result<Vec<Outcome>>,
) -> anyhow::Result<Vec<Outcome>> {
    let mut groups: BTreeMap<K, Vec<usize>> = BTreeMap::new();
    for (index, job) in jobs.iter().enumerate() {
        groups.entry(key(job)).or_default().push(index);
    }
    let mut outcomes: Vec<Option<Outcome>> = jobs.iter().map(|_| None).collect();
    for (k, members) in &groups {
        let group: Vec<Job> = members.iter().map(|&i| jobs[i].clone()).collect();
        for (&index, outcome) in members.iter().zip(check_group(k, &group)?) {
            outcomes[index] = Some(outcome);
        }
    }
    Ok(outcomes
        .into_iter()
        .map(|o| o.unwrap_or_else(|| Outcome::Error("not checked".to_owned())))
        .collect())
}

/// The built-in target for `arch` with the `--overlay` mounts, or why the target has no
/// image for it (an error for each file of that architecture, not for the run).
fn builtin_root(
    target: &Target,
    arch: Arch,
    args: &CheckArgs,
) -> anyhow::Result<Result<BuiltinRoot, String>> {
    let mut root = match BuiltinRoot::new(target, arch) {
        Ok(root) => root,
        Err(err) => return Ok(Err(err.to_string())),
    };
    mount_overlays(root.sysroot_mut(), args)?;
    Ok(Ok(root))
}

/// `--overlay` mounts, in order.
fn mount_overlays(root: &mut Sysroot, args: &CheckArgs) -> anyhow::Result<()> {
    for overlay in &args.overlay {
        root.mount(&overlay.target, &overlay.host).map_err(|err| {
            anyhow::anyhow!("cannot mount --overlay at {}: {err}", overlay.target)
        })?;
    }
    Ok(())
}

/// The root to check against (the image `--image` / `--platform` or `platform` picks), with
/// the `--overlay` mounts.
fn open_root(
    source: &RootSource,
    args: &CheckArgs,
    platform: Option<&Platform>,
) -> anyhow::Result<Sysroot> {
    let selector = ImageSelector {
        image: args.image.as_deref(),
        platform: args.platform.as_ref(),
        default_platform: platform,
    };
    let mut root = source
        .root(&selector)
        .map_err(|err| anyhow::anyhow!("cannot open the sysroot: {err}"))?;
    mount_overlays(&mut root, args)?;
    Ok(root)
}

/// A checker over a `--sysroot` root; where the report's objects are shown (`-v`, JSON) each
/// names the package that owns it, from the root's package database.
fn sysroot_checker<'r>(root: &'r Sysroot, args: &CheckArgs) -> Checker<'r> {
    let checker = quiet_checker(Checker::new(root, args.environment()));
    let checker = if WITH_FLOORS.load(Ordering::Relaxed) {
        checker.with_floors()
    } else {
        checker
    };
    if SHOW_DETAIL.load(Ordering::Relaxed) {
        checker.with_package_owners()
    } else {
        checker.without_detail()
    }
}

/// A checker for a built-in target, keeping what the output shows.
fn builtin_checker<'r>(root: &'r BuiltinRoot, args: &CheckArgs) -> Checker<'r> {
    let checker = quiet_checker(Checker::builtin(root, args.environment()));
    if SHOW_DETAIL.load(Ordering::Relaxed) {
        checker
    } else {
        checker.without_detail()
    }
}

/// Under `--quiet` no finding is shown, so none is given its fix.
fn quiet_checker(checker: Checker<'_>) -> Checker<'_> {
    if SHOW_REPORTS.load(Ordering::Relaxed) {
        checker
    } else {
        checker.without_fixes()
    }
}

/// Whether reports carry the file's floor on every root: a release policy is checked.
static WITH_FLOORS: AtomicBool = AtomicBool::new(false);

/// Whether reports keep their search steps and loaded objects: only `-v` and JSON show them,
/// and a run of many files against many targets would otherwise hold every path tried and
/// every object loaded for every file until the output is written.
static SHOW_DETAIL: AtomicBool = AtomicBool::new(true);

/// Whether reports are written at all: `--quiet` writes none (the exit status says it all),
/// so a report keeps only its verdict and floor, not every problem of every file checked.
static SHOW_REPORTS: AtomicBool = AtomicBool::new(true);

/// Everything of a report but what the exit status and the summary are made of.
fn drop_findings(report: &mut Report) {
    report.problems = Vec::new();
    report.host_problems = Vec::new();
    report.warnings = Vec::new();
    report.unknown_libraries = Vec::new();
    report.unverified_symbols = Vec::new();
    report.dlopen_dependencies = Vec::new();
}

/// A root's parses and indexes, the inputs and the reports (thousands of objects and tens of
/// thousands of problems in an audit) are left for the process exit to release at once
/// rather than freed one by one at the end of the run.
fn release_at_exit<T>(value: T) {
    std::mem::forget(value);
}

fn run_checks(checker: &Checker<'_>, jobs: &[Job], hosts: &Hosts) -> Vec<Outcome> {
    summary::add_work(jobs.len());
    jobs.par_iter()
        .map(|job| {
            let outcome = check_one(checker, job, hosts.of(job));
            summary::done_one();
            outcome
        })
        .collect()
}

/// Which program loads each file: `--loaded-by` for every file, else the first
/// `[[plugins]]` glob of ldsim.toml that matches it, else ldsim's choice.
struct Hosts {
    default: HostChoice,
    by_glob: Vec<(glob::Pattern, HostChoice)>,
}

impl Hosts {
    fn of(&self, job: &Job) -> &HostChoice {
        let options = glob::MatchOptions {
            require_literal_separator: true,
            ..glob::MatchOptions::new()
        };
        self.by_glob
            .iter()
            .find(|(files, _)| files.matches_with(&job.display, options))
            .map_or(&self.default, |(_, host)| host)
    }
}

fn hosts(args: &CheckArgs, in_target: bool) -> Hosts {
    Hosts {
        default: host_choice(args.loaded_by.as_deref(), in_target),
        by_glob: args
            .plugin_hosts
            .iter()
            .map(|p| (p.files.clone(), host_choice(Some(&p.loaded_by), in_target)))
            .collect(),
    }
}

/// `--loaded-by`: `none`, a path inside the target, or (for host files) a host program,
/// checked at its own canonical path like FILE.
fn host_choice(program: Option<&Path>, in_target: bool) -> HostChoice {
    let Some(program) = program else {
        return HostChoice::Auto;
    };
    if program.as_os_str() == "none" {
        return HostChoice::None;
    }
    let host_file = (!in_target)
        .then(|| std::fs::canonicalize(program).ok())
        .flatten()
        .filter(|p| p.is_file());
    let path = host_file.as_deref().unwrap_or(program);
    HostChoice::Program(TargetPath::new(path.as_os_str().as_encoded_bytes()))
}

/// The host `--loaded-by` programs (canonical paths), mounted like FILE.
fn host_programs(args: &CheckArgs) -> Vec<std::path::PathBuf> {
    let mut programs: Vec<std::path::PathBuf> = args
        .loaded_by
        .iter()
        .chain(args.plugin_hosts.iter().map(|p| &p.loaded_by))
        .filter_map(|program| match host_choice(Some(program), false) {
            HostChoice::Program(target) => Some(std::path::PathBuf::from(
                <std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(target.as_bytes()),
            )),
            _ => None,
        })
        .filter(|host| host.is_file())
        .collect();
    programs.sort();
    programs.dedup();
    programs
}

/// Hands the checker the run's parse of each host file in `group` and of the host
/// programs, so that it neither reads nor parses them again. A file the target root does
/// not serve at its own path (an `--overlay` there) is not adopted: the root's is read.
fn adopt_host_files(checker: &Checker<'_>, inputs: &inputs::HostInputs, group: &[Job]) {
    let in_group = group.iter().filter_map(|job| match &job.kind {
        JobKind::Check {
            host: Some(host), ..
        } => Some(host),
        _ => None,
    });
    // Side by side: each adoption resolves the file's path in the root (an audit's thousand
    // host files took a tenth of the run one after another).
    let paths: Vec<&std::path::PathBuf> = in_group.chain(&inputs.programs).collect();
    paths.par_iter().for_each(|path| {
        let Some(object) = inputs
            .files
            .get(path)
            .and_then(|f| Some((f.id, f.object.as_ref()?)))
        else {
            return;
        };
        if !checker.adopt(&install::target_of(path), object.0, object.1) {
            tracing::debug!(
                "{}: the target has another file at its path",
                path.display()
            );
        }
    });
}

/// The OCI platform of a host input: its ELF architecture, or this machine's when it has
/// none ldsim knows (the check then reports the file itself).
fn job_platform(arch: Option<Arch>) -> Platform {
    match arch {
        Some(arch) => {
            let (architecture, variant) = arch.oci_platform();
            Platform::new("linux", architecture, variant)
        }
        None => host_platform(),
    }
}

/// This machine's platform, as docker picks by default.
fn host_platform() -> Platform {
    let architecture = match std::env::consts::ARCH {
        "powerpc64" if cfg!(target_endian = "little") => "ppc64le",
        "powerpc64" => "ppc64",
        other => other,
    };
    Platform::new("linux", architecture, None)
}

fn is_host_root(sysroot: &Path) -> bool {
    std::fs::canonicalize(sysroot).is_ok_and(|p| p == Path::new("/"))
}

fn check_one(checker: &Checker<'_>, job: &Job, host: &HostChoice) -> Outcome {
    let target = match &job.kind {
        JobKind::Check { target, .. } => target,
        JobKind::Error(err) => return Outcome::Error(err.clone()),
    };
    // argv[0] of the simulated run is the absolute path inside the target.
    match checker.check_loaded_by(target, &target.display(), host) {
        Ok(mut report) => {
            report.file.clone_from(&job.display);
            if !SHOW_REPORTS.load(Ordering::Relaxed) {
                drop_findings(&mut report);
            }
            Outcome::Report(Box::new(Checked {
                report,
                floor: checker.floor(target),
            }))
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
        CheckError::Host { path, reason } => format!("--loaded-by {path}: {reason}"),
    }
}

/// 2 if any input could not be analysed, else 1 if any file fails, else 0.
fn status(outcomes: &[Outcome]) -> u8 {
    let mut code = exit::OK;
    for outcome in outcomes {
        match outcome {
            Outcome::Error(_) => return exit::USAGE,
            Outcome::Report(r) if r.verdict != Verdict::Ok => code = exit::FAILS,
            Outcome::Report(_) | Outcome::Absent => {}
        }
    }
    code
}
