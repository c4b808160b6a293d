//! The command line: clap definitions and the parsers of option values.
// The doc comments below are the `--help` text clap prints, not rustdoc: `NAME[:TAG]` is a
// usage pattern, and escaping it for rustdoc would put a backslash in the help.
#![allow(rustdoc::broken_intra_doc_links)]

use clap::builder::TypedValueParser;
use clap::error::ErrorKind;
use clap::{Args, Parser, Subcommand, ValueEnum};
use ldsim_resolver::{CpuLevel, Environment};
use ldsim_sysroots::{Platform, TargetPath};
use ldsim_tables::Target;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

const AFTER_HELP: &str = "\
Exit status:
  0  every file loads
  1  at least one file fails to load (at start-up or at a first call)
  2  usage error, or a FILE or the sysroot could not be read at all

Examples:
  ldsim check ./build/app
      Will ./build/app load on Debian, Ubuntu, RHEL, Amazon Linux, Alpine, distroless (the
      default built-in targets), and which glibc / libstdc++ does it need at least?
  ldsim check --target rhel-8 --target alpine-3.20 ./build/app
      Against chosen built-in targets (`ldsim targets` lists them).
  ldsim check --sysroot / ./build/app
      Will it load on this machine?
  ldsim check --sysroot /srv/bookworm ./build/app
      Will it load when installed at the same path on the root in /srv/bookworm?
  ldsim check --sysroot /srv/alpine --in-target /usr/bin
      Check every ELF file under /usr/bin of that root.
  ldsim check --sysroot alpine-minirootfs-3.20.0-x86_64.tar.gz ./build/app
      The same against a root tarball, read in place.
  ldsim check --sysroot image.tar --image myapp:1.2 --platform linux/arm64 ./build/app
      Against one image of a `docker save` archive or OCI layout.";

/// Predict whether ELF files load on a target root, exactly as glibc's ld.so or musl's
/// loader would: which objects load from where, and the loader's message when they do not.
#[derive(Debug, Parser)]
#[command(name = "ldsim", version, after_help = AFTER_HELP, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// More output: -v shows the objects loaded and the library search (like LD_DEBUG=libs);
    /// -vv also the simulator's own debug log.
    #[arg(short, long, action = clap::ArgAction::Count, global = true, conflicts_with = "quiet")]
    pub verbose: u8,
    /// Print nothing on standard output: the exit status tells the result (errors still go to
    /// standard error).
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Colour the verdicts: auto (when standard output is a terminal and NO_COLOR is not
    /// set), always or never.
    #[arg(long, value_enum, global = true, default_value_t = crate::color::ColorChoice::Auto)]
    pub color: crate::color::ColorChoice,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check whether each FILE would load and start on the target root.
    #[command(after_help = AFTER_HELP)]
    Check(Box<CheckArgs>),
    /// List the built-in targets --target accepts.
    Targets(TargetsArgs),
    /// Print a shell completion script: `ldsim completions bash > /etc/bash_completion.d/ldsim`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `ldsim man | man -l -`; `ldsim man check` prints
    /// ldsim-check(1), with every option of the command.
    Man {
        /// The command whose page to print (default: ldsim(1), naming the commands).
        #[arg(value_parser = ["check", "targets", "completions"])]
        command: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct TargetsArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    pub format: ListFormat,
}

fn parse_target(name: &str) -> Result<Target, String> {
    Target::parse(name).map_err(|e| e.to_string())
}

/// The host program of the files one glob matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginHost {
    /// Matched against each file as named (or as a directory walk reached it).
    pub files: glob::Pattern,
    /// As `--loaded-by`: a path inside the target, a host file, or `none`.
    pub loaded_by: PathBuf,
}

#[derive(Debug, Clone, Args)]
#[command(group = clap::ArgGroup::new("root").args(["sysroot", "targets"]).multiple(true))]
pub struct CheckArgs {
    /// ELF files to check; a directory means every ELF file under it.
    ///
    /// A directory is walked recursively in sorted order; directory symlinks are not followed
    /// and non-ELF files are skipped. Without --in-target a FILE is a host file, checked as if
    /// installed at its own (canonical) absolute path in the target: its directory, and the
    /// directories its $ORIGIN-relative RPATH/RUNPATH entries name, are mounted at the same
    /// paths wherever the target root has nothing there and no --overlay provides them.
    /// Without FILE, the `files` of the configuration (`--config`, or ./ldsim.toml).
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// The configuration to use (default: ./ldsim.toml when it exists): the files, targets,
    /// root and release policy of a check, and the exceptions it allows. Flags given on the
    /// command line win over it.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// The target root filesystem, recognised from its content: a directory holding a root
    /// (a chroot, an unpacked image); a tar archive of one, plain or gzip / xz / zstd / bzip2
    /// compressed (`docker export`, alpine-minirootfs-*.tar.gz); a `docker save` archive; or
    /// an OCI image layout (a directory, or packed in a tar).
    ///
    /// Archives are read in place, never unpacked to disk; image layers are applied in order
    /// with their whiteouts. `/` is this machine's own root. The loader flavour, its search
    /// paths and ld.so.cache are all taken from the target root, never from the host. Without
    /// --sysroot and --target, FILE is checked against the default built-in targets.
    #[arg(long, value_name = "ROOT")]
    pub sysroot: Option<PathBuf>,

    /// A built-in target to check against (repeatable; mixes with --sysroot): a distribution
    /// (debian-12, ubuntu-22.04, rhel-9, amazonlinux-2023, alpine-3.20, alpine-3.20-gcompat,
    /// distroless-cc, …), a glibc release (glibc-2.28) or a musl release (musl-1.2), with an
    /// optional architecture suffix (glibc-2.28-aarch64). `ldsim targets` lists them.
    #[arg(long = "target", value_name = "NAME", value_parser = parse_target)]
    pub targets: Vec<Target>,

    /// The image to use when ROOT holds several (docker-save RepoTags, OCI ref.name):
    /// NAME[:TAG], matched as docker matches references (`alpine` = `alpine:latest` =
    /// `docker.io/library/alpine:latest`).
    #[arg(long, value_name = "NAME[:TAG]")]
    pub image: Option<String>,

    /// The platform to pick from a multi-platform image, e.g. linux/arm64, linux/arm/v7.
    /// Default: each checked file's own architecture (with --in-target: this machine's).
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    pub platform: Option<Platform>,

    /// The most decompressed data to produce for one root, all layers together (a guard
    /// against decompression bombs): bytes, or with a K, M, G or T suffix (powers of 1024).
    #[arg(long, value_name = "SIZE", default_value = "16G", value_parser = parse_size)]
    pub unpack_limit: u64,

    /// FILE is a path inside the target root rather than a host file. With --target, a path
    /// in the built-in target as the --overlay options place it (like `COPY app /opt/app` into
    /// that base image); every target is given the overlays.
    #[arg(long, requires = "root")]
    pub in_target: bool,

    /// Set a loader environment variable in the simulated run (repeatable). Supported:
    /// LD_LIBRARY_PATH, LD_PRELOAD and LD_BIND_NOW (any non-empty value binds every
    /// symbol at start-up, as glibc does).
    #[arg(long = "env", value_name = "NAME=VALUE", value_parser = BytesParser(parse_env))]
    pub env: Vec<EnvVar>,

    /// Bind every symbol at start-up (as LD_BIND_NOW=1 does): a missing function then fails at
    /// start-up instead of at its first call.
    #[arg(long)]
    pub bind_now: bool,

    /// The target CPU's x86-64 micro-architecture level; it selects glibc-hwcaps copies and
    /// decides the ISA-level check.
    #[arg(long, value_name = "LEVEL", value_enum, default_value_t = Cpu::Baseline)]
    pub cpu: Cpu,

    /// Mount a host directory (or a single host file) at TARGET_DIR inside the target root
    /// (repeatable); the longest mount prefix wins.
    #[arg(long, value_name = "HOST_DIR:TARGET_DIR", value_parser = BytesParser(parse_overlay))]
    pub overlay: Vec<Overlay>,

    /// The program that loads FILE when FILE is a shared object (a plugin): dlopen(FILE,
    /// RTLD_NOW) is simulated from it once it has started. A path inside the target, or a
    /// host file (mounted at its own path, like FILE). `none`: check the shared object on its
    /// own (list mode). Default: a recognised plugin (CPython, Node.js, …) is loaded by its
    /// host when the target has it.
    #[arg(long, value_name = "PROGRAM|none")]
    pub loaded_by: Option<PathBuf>,

    /// `ldsim.toml`'s `[[plugins]]`: the program that loads the files a glob matches
    /// (`--loaded-by` on the command line wins for every file).
    #[arg(skip)]
    pub plugin_hosts: Vec<PluginHost>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// A release policy every file must meet: `manylinux_2_28` (and every manylinux_2_X
    /// auditwheel knows, `manylinux2014` …) or `musllinux_1_2`: the newest glibc, GLIBCXX,
    /// CXXABI and libgcc_s versions a file may require. A file requiring a newer one fails,
    /// with the symbols that require it.
    #[arg(long, value_name = "NAME")]
    pub policy: Option<String>,

    /// The newest glibc a file may require (e.g. 2.28); overrides --policy's.
    #[arg(long, value_name = "VERSION")]
    pub max_glibc: Option<String>,

    /// The newest libstdc++ GLIBCXX version a file may require (e.g. 3.4.25).
    #[arg(long, value_name = "VERSION")]
    pub max_glibcxx: Option<String>,

    /// The newest libstdc++ CXXABI version a file may require (e.g. 1.3.11).
    #[arg(long, value_name = "VERSION")]
    pub max_cxxabi: Option<String>,

    /// The newest libgcc_s GCC version a file may require (e.g. 7.0.0).
    #[arg(long, value_name = "VERSION")]
    pub max_gcc: Option<String>,

    /// An earlier build's JSON report (`--format json`): say what changed — floors raised
    /// and the symbols that raised them, libraries newly needed, targets the file ran on and
    /// now fails on.
    #[arg(long, value_name = "JSON")]
    pub baseline: Option<PathBuf>,

    /// What fails the run: `any` file that does not load (and any policy broken), or only a
    /// `regression` against --baseline.
    #[arg(long, value_enum, default_value_t = FailOn::Any, requires = "baseline")]
    pub fail_on: FailOn,
}

/// What makes `ldsim check` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// A file that fails to load, or breaks the policy.
    Any,
    /// Only a change for the worse since --baseline.
    Regression,
}

impl CheckArgs {
    /// The simulated run's environment; later `--env` settings override earlier ones.
    pub fn environment(&self) -> Environment {
        let mut env = Environment {
            bind_now: self.bind_now,
            cpu: self.cpu.level(),
            ..Environment::default()
        };
        let mut bind_now_var = false;
        for var in &self.env {
            match var.name {
                EnvName::LibraryPath => env.ld_library_path = Some(var.value.clone()),
                EnvName::Preload => env.ld_preload = Some(var.value.clone()),
                // glibc elf/rtld.c: process_envvars: `GLRO(dl_lazy) = envline[9] == '\0'`.
                EnvName::BindNow => bind_now_var = !var.value.is_empty(),
            }
        }
        env.bind_now |= bind_now_var;
        env
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Readable text.
    Human,
    /// One JSON document: {"schema_version": 1, "files": [...]}.
    Json,
    /// SARIF 2.1.0 for code scanning: one rule per problem kind, a result per problem.
    Sarif,
    /// JUnit XML: a test suite per target, a test case per file.
    Junit,
    /// A Markdown matrix (files × targets) with the first problem, reason and fix of each.
    Markdown,
    /// GitHub Actions workflow commands: an annotation per file and target that fails.
    Github,
}

/// How `ldsim targets` prints the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// Readable text.
    Human,
    /// A JSON array of targets.
    Json,
}

impl Format {
    /// A format for CI systems, written by `ci.rs` for every file and target at once.
    pub fn is_ci(self) -> bool {
        matches!(
            self,
            Format::Sarif | Format::Junit | Format::Markdown | Format::Github
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Cpu {
    /// x86-64 baseline (also: x86-64-v1).
    #[value(name = "baseline", alias = "x86-64-v1")]
    Baseline,
    #[value(name = "x86-64-v2")]
    V2,
    #[value(name = "x86-64-v3")]
    V3,
    #[value(name = "x86-64-v4")]
    V4,
}

impl Cpu {
    pub fn level(self) -> CpuLevel {
        CpuLevel(match self {
            Cpu::Baseline => 1,
            Cpu::V2 => 2,
            Cpu::V3 => 3,
            Cpu::V4 => 4,
        })
    }
}

/// A supported loader environment variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvName {
    LibraryPath,
    Preload,
    BindNow,
}

const SUPPORTED_ENV: &str = "LD_LIBRARY_PATH, LD_PRELOAD, LD_BIND_NOW";

/// One `--env NAME=VALUE`; the value is bytes, as the loader sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvVar {
    pub name: EnvName,
    pub value: Vec<u8>,
}

/// Parses an option value as bytes (not `&str`), so that non-UTF-8 paths survive.
#[derive(Debug, Clone, Copy)]
struct BytesParser<T>(fn(&[u8]) -> Result<T, String>);

impl<T: Clone + Send + Sync + 'static> TypedValueParser for BytesParser<T> {
    type Value = T;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<T, clap::Error> {
        (self.0)(value.as_bytes()).map_err(|msg| {
            let arg = arg.map_or_else(|| "value".to_owned(), |a| a.to_string());
            let text = format!(
                "invalid value '{}' for '{arg}': {msg}\n",
                value.to_string_lossy()
            );
            clap::Error::raw(ErrorKind::ValueValidation, text).with_cmd(cmd)
        })
    }
}

fn parse_env(arg: &[u8]) -> Result<EnvVar, String> {
    let Some(eq) = arg.iter().position(|&b| b == b'=') else {
        return Err("expected NAME=VALUE".to_owned());
    };
    let (name, value) = (&arg[..eq], &arg[eq + 1..]);
    let name = match name {
        b"LD_LIBRARY_PATH" => EnvName::LibraryPath,
        b"LD_PRELOAD" => EnvName::Preload,
        b"LD_BIND_NOW" => EnvName::BindNow,
        other => {
            return Err(format!(
                "unsupported variable {} (supported: {SUPPORTED_ENV})",
                String::from_utf8_lossy(other)
            ))
        }
    };
    Ok(EnvVar {
        name,
        value: value.to_vec(),
    })
}

/// `16G`, `512M`, `1048576`: a size in bytes with an optional binary suffix.
fn parse_size(text: &str) -> Result<u64, String> {
    let (digits, shift) = match text.char_indices().last() {
        Some((i, 'K' | 'k')) => (&text[..i], 10),
        Some((i, 'M' | 'm')) => (&text[..i], 20),
        Some((i, 'G' | 'g')) => (&text[..i], 30),
        Some((i, 'T' | 't')) => (&text[..i], 40),
        _ => (text, 0),
    };
    let number: u64 = digits
        .parse()
        .map_err(|_| "expected a size such as 16G, 512M or 1048576".to_owned())?;
    number
        .checked_mul(1 << shift)
        .ok_or_else(|| "size too large".to_owned())
}

/// One `--overlay HOST_DIR:TARGET_DIR`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overlay {
    pub host: PathBuf,
    pub target: TargetPath,
}

/// Split at the first `:` (as `docker -v` does); the target must be absolute.
fn parse_overlay(bytes: &[u8]) -> Result<Overlay, String> {
    let split = bytes.iter().position(|&b| b == b':');
    let (host, target) = match split {
        Some(i) => (&bytes[..i], &bytes[i + 1..]),
        None => return Err("expected HOST_DIR:TARGET_DIR".to_owned()),
    };
    if host.is_empty() {
        return Err("the host directory is empty".to_owned());
    }
    if !target.starts_with(b"/") {
        return Err("the target directory must be absolute (start with '/')".to_owned());
    }
    Ok(Overlay {
        host: PathBuf::from(OsString::from(OsStr::from_bytes(host))),
        target: TargetPath::new(target),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(args: &[&str]) -> Result<CheckArgs, clap::Error> {
        let argv = ["ldsim", "check"].iter().chain(args);
        Cli::try_parse_from(argv).map(|cli| match cli.command {
            Command::Check(check) => *check,
            _ => unreachable!("parsed `check`"),
        })
    }

    #[test]
    fn clap_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn defaults() {
        let args = check(&["a"]).unwrap();
        // No root and no target: the default built-in targets.
        assert_eq!(args.sysroot, None);
        assert!(args.targets.is_empty());
        assert_eq!(args.format, Format::Human);
        assert!(!args.in_target);
        let env = args.environment();
        assert_eq!(env.cpu, CpuLevel(1));
        assert!(!env.bind_now && env.ld_library_path.is_none() && env.ld_preload.is_none());
    }

    #[test]
    fn targets_repeat_mix_with_a_sysroot_and_are_checked_by_name() {
        let args = check(&[
            "--target",
            "debian-11",
            "--target",
            "musl-1.2",
            "--sysroot",
            "/",
            "a",
        ])
        .unwrap();
        let names: Vec<&str> = args.targets.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["debian-11", "musl-1.2"]);
        assert!(check(&["--target", "windows-11", "a"]).is_err());
        // --in-target names paths inside the roots named, not the default targets.
        assert!(check(&["--in-target", "a"]).is_err());
        assert!(check(&["--in-target", "--target", "debian-12", "a"]).is_ok());
        assert!(check(&[
            "--in-target",
            "--sysroot",
            "/",
            "--target",
            "debian-12",
            "a"
        ])
        .is_ok());
    }

    /// FILE may come from ldsim.toml; without one (no such file where the tests run), a
    /// check names no file and is refused.
    #[test]
    fn a_file_is_required_without_a_configuration() {
        let args = check(&[]).unwrap();
        assert!(args.files.is_empty());
        assert!(!std::path::Path::new(crate::config::DEFAULT).exists());
        let err = crate::config::apply(&args).unwrap_err();
        assert!(err.to_string().contains("no FILE given"), "{err}");
        assert_eq!(
            check(&["--fail-on", "regression", "x"]).unwrap_err().kind(),
            ErrorKind::MissingRequiredArgument,
            "--fail-on needs --baseline"
        );
    }

    #[test]
    fn env_library_path_and_preload_are_bytes() {
        let env = check(&[
            "--env",
            "LD_LIBRARY_PATH=/a:/b",
            "--env",
            "LD_PRELOAD=x.so",
            "f",
        ])
        .unwrap()
        .environment();
        assert_eq!(env.ld_library_path.as_deref(), Some(&b"/a:/b"[..]));
        assert_eq!(env.ld_preload.as_deref(), Some(&b"x.so"[..]));
    }

    #[test]
    fn env_value_may_contain_equals_and_be_empty() {
        let env = check(&["--env", "LD_LIBRARY_PATH=", "--env", "LD_PRELOAD=a=b", "f"])
            .unwrap()
            .environment();
        assert_eq!(env.ld_library_path.as_deref(), Some(&b""[..]));
        assert_eq!(env.ld_preload.as_deref(), Some(&b"a=b"[..]));
    }

    #[test]
    fn later_env_wins() {
        let env = check(&["--env", "LD_PRELOAD=a", "--env", "LD_PRELOAD=b", "f"])
            .unwrap()
            .environment();
        assert_eq!(env.ld_preload.as_deref(), Some(&b"b"[..]));
    }

    #[test]
    fn ld_bind_now_nonempty_binds_now() {
        assert!(
            check(&["--env", "LD_BIND_NOW=1", "f"])
                .unwrap()
                .environment()
                .bind_now
        );
        assert!(
            check(&["--env", "LD_BIND_NOW=0", "f"])
                .unwrap()
                .environment()
                .bind_now
        );
        assert!(
            !check(&["--env", "LD_BIND_NOW=", "f"])
                .unwrap()
                .environment()
                .bind_now
        );
        assert!(check(&["--bind-now", "f"]).unwrap().environment().bind_now);
        assert!(
            check(&["--bind-now", "--env", "LD_BIND_NOW=", "f"])
                .unwrap()
                .environment()
                .bind_now
        );
    }

    #[test]
    fn unsupported_env_is_a_usage_error_listing_the_supported_ones() {
        let err = check(&["--env", "LD_AUDIT=x", "f"]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ValueValidation);
        let text = err.to_string();
        assert!(text.contains("LD_AUDIT"), "{text}");
        assert!(text.contains(SUPPORTED_ENV), "{text}");
    }

    #[test]
    fn env_without_equals_is_a_usage_error() {
        assert!(check(&["--env", "LD_PRELOAD", "f"]).is_err());
    }

    #[test]
    fn cpu_levels() {
        let level = |l: &str| check(&["--cpu", l, "f"]).unwrap().environment().cpu;
        assert_eq!(level("baseline"), CpuLevel(1));
        assert_eq!(level("x86-64-v1"), CpuLevel(1));
        assert_eq!(level("x86-64-v2"), CpuLevel(2));
        assert_eq!(level("x86-64-v3"), CpuLevel(3));
        assert_eq!(level("x86-64-v4"), CpuLevel(4));
        assert!(check(&["--cpu", "x86-64-v5", "f"]).is_err());
    }

    #[test]
    fn sizes_take_binary_suffixes() {
        assert_eq!(parse_size("16G"), Ok(16 << 30));
        assert_eq!(parse_size("512m"), Ok(512 << 20));
        assert_eq!(parse_size("1048576"), Ok(1 << 20));
        assert!(parse_size("G").is_err());
        assert!(parse_size("1.5G").is_err());
        assert!(parse_size("99999999999T").is_err());
        assert_eq!(check(&["f"]).unwrap().unpack_limit, 16 << 30);
    }

    #[test]
    fn platform_and_image_options() {
        let args = check(&["--platform", "linux/arm/v7", "--image", "alpine:3.19", "f"]).unwrap();
        assert_eq!(args.platform.unwrap().to_string(), "linux/arm/v7");
        assert_eq!(args.image.as_deref(), Some("alpine:3.19"));
        assert!(check(&["--platform", "arm64", "f"]).is_err());
    }

    #[test]
    fn overlay_splits_at_the_first_colon() {
        let o = parse_overlay(b"/h/d:/opt/x").unwrap();
        assert_eq!(
            (o.host, o.target),
            (PathBuf::from("/h/d"), TargetPath::new(b"/opt/x"))
        );
    }

    #[test]
    fn overlay_target_must_be_absolute() {
        assert!(parse_overlay(b"/h/d:opt").is_err());
        assert!(parse_overlay(b"/h/d").is_err());
        assert!(parse_overlay(b":/opt").is_err());
    }

    #[test]
    fn verbose_and_quiet_conflict() {
        assert!(Cli::try_parse_from(["ldsim", "check", "-v", "-q", "f"]).is_err());
        let cli = Cli::try_parse_from(["ldsim", "-vv", "check", "f"]).unwrap();
        assert_eq!(cli.verbose, 2);
    }
}
