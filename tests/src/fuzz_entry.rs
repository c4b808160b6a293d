//! The entry functions of the fuzz targets (`fuzz/fuzz_targets/*.rs`), shared with the
//! regression replay (`tests/tests/fuzz_regressions.rs`) so a kept input is replayed through
//! exactly the code the fuzzer ran. Each takes arbitrary bytes and must return without
//! panicking, within [`capped_alloc::LIVE_HEAP_LIMIT`] bytes of live heap.

pub mod elf_gen;
pub mod seeds;

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use ldsim_loader::{Arch, Endian};
use ldsim_resolver::builtin::BuiltinRoot;
use ldsim_resolver::{ldso, Checker, CpuLevel, Environment};
use ldsim_sysroots::{
    ImageSelector, Limits, Platform, RootSource, Sysroot, TargetPath, VirtualRoot,
};
use ldsim_tables::Target;

/// The fuzz targets, by the name `cargo xtask fuzz` and `fuzz/regressions/` use.
pub const TARGETS: &[&str] = &[
    "elf_parse",
    "ldso_cache",
    "loader_inspection",
    "archive_open",
    "whole_check",
];

/// Decompressed bytes an archive may produce in `archive_open`: small, so that the unpack
/// budget (not the capped allocator) is what stops an honest large archive.
pub const FUZZ_UNPACK_LIMIT: u64 = 32 << 20;

/// Separates the files of a `whole_check` input (see [`whole_check`]).
pub const FILE_SEPARATOR: &[u8] = b"\n--ldsim-fuzz-file--\n";

/// Kept inputs larger than this are stored gzip-compressed (`NAME.gz`).
pub const COMPRESS_ABOVE: usize = 64 << 10;

/// A kept input's bytes: a file named `*.gz` is decompressed.
pub fn read_input(path: &Path) -> std::io::Result<Vec<u8>> {
    let bytes = std::fs::read(path)?;
    if path.extension().is_some_and(|e| e == "gz") {
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut out)?;
        return Ok(out);
    }
    Ok(bytes)
}

/// Run target `name` on `data`; `false` for an unknown name.
pub fn run(name: &str, data: &[u8]) -> bool {
    match name {
        "elf_parse" => elf_parse(data),
        "ldso_cache" => ldso_cache(data),
        "loader_inspection" => loader_inspection(data),
        "archive_open" => archive_open(data),
        "whole_check" => whole_check(data),
        _ => return false,
    }
    true
}

/// `loader::parse`, then everything a check reads from the model; the same file parsed from
/// the parts the parse asks for must give the same result (or fall back to the whole file).
pub fn elf_parse(data: &[u8]) {
    let whole = ldsim_loader::parse(data);
    for first in [64, 4096] {
        let (parts, _) = ldsim_loader::parse_in_parts(data.len() as u64, first, |offset, len| {
            let start = usize::try_from(offset)
                .unwrap_or(usize::MAX)
                .min(data.len());
            let end = start
                .saturating_add(usize::try_from(len).unwrap_or(usize::MAX))
                .min(data.len());
            Ok::<_, ()>(&data[start..end])
        })
        .expect("in-memory reads do not fail");
        assert_eq!(parts, whole, "parsed from parts (first read {first} bytes)");
    }
    let Ok(obj) = whole else {
        return;
    };
    let _ = ldsim_loader::arch::arch_of(&obj.header);
    let _ = (obj.soname(), obj.needed().len(), obj.is_static());
    if let Some(d) = &obj.dynamic {
        let _ = (d.binds_now(), d.nodeflib(), d.pie(), d.symbolic());
    }
    for s in &obj.symbols {
        let _ = s.is_undefined();
    }
    let _ = ldsim_loader::parse_header(data);
}

/// The ld.so.cache parser in both byte orders, then lookups as the glibc search does them.
pub fn ldso_cache(data: &[u8]) {
    use ldsim_resolver::cache::{self, CacheQuery};
    for endian in [Endian::Little, Endian::Big] {
        let Ok(c) = cache::parse(data, endian) else {
            continue;
        };
        let _ = (c.format(), c.generator(), c.extensions_valid());
        let names = c.hwcaps_names();
        let _ = names.len();
        let mut keys: Vec<Vec<u8>> = c.entries().iter().take(8).map(|e| e.key.to_vec()).collect();
        keys.push(b"libc.so.6".to_vec());
        for e in c.entries().iter().take(64) {
            let _ = (e.is_hwcaps(), e.hwcaps_subdir(&c), e.isa_level());
        }
        let queries = [
            CacheQuery {
                accepted_flags: &[0x303],
                default_flag: 0x303,
                active_hwcaps: &["x86-64-v3", "x86-64-v2"],
                isa_supported_levels: 0b111,
                glibc_version: ldsim_loader::Release::new(2, 36, 0),
                legacy_hwcap_mask: 0,
            },
            CacheQuery {
                accepted_flags: &[0x1, 0x3],
                default_flag: 0x3,
                active_hwcaps: &[],
                isa_supported_levels: u32::MAX,
                glibc_version: ldsim_loader::Release::new(2, 31, 0),
                legacy_hwcap_mask: u64::MAX,
            },
        ];
        for key in &keys {
            for q in &queries {
                let _ = c.lookup(key, q);
            }
        }
    }
}

/// What the loader identification reads from an interpreter's bytes.
pub fn loader_inspection(data: &[u8]) {
    let parsed = ldsim_loader::parse(data).ok();
    let soname = parsed.as_ref().and_then(|o| o.soname());
    let static_without_soname = parsed
        .as_ref()
        .is_some_and(|o| o.soname().is_none() && o.needed().is_empty());
    let _ = ldso::classify_loader(soname, static_without_soname, data);
    let _ = ldso::classify_loader(None, true, data);
    let g = ldso::inspect_glibc(data, &["/lib/x86_64-linux-gnu/", "/usr/lib/"], "lib64");
    let _ = g;
    let _ = ldso::glibc_release_version(data);
    let _ = ldso::musl_version(data);
    let _ = ldso::musl_path_file(soname.unwrap_or(b"/lib/ld-musl-x86_64.so.1"), "x86_64");
    let _ = ldso::parse_musl_path(data);
    if let Some(o) = &parsed {
        let _ = ldso::glibc_version_from_verdefs(o.verdefs.iter().map(|v| &v.name[..]));
    }
}

thread_local! {
    /// One scratch directory per fuzzing thread, rewritten for each input.
    static SCRATCH: tempfile::TempDir = tempfile::Builder::new()
        .prefix("ldsim-fuzz")
        .tempdir()
        .expect("scratch directory for fuzz inputs");
}

fn scratch() -> PathBuf {
    SCRATCH.with(|d| d.path().to_path_buf())
}

/// The input as a file (a root tarball, a compressed tarball, a `docker save` or OCI
/// archive), opened as `--sysroot` with a small unpack limit; then a few paths resolved and
/// read, and `/bin/sh` checked as a program.
pub fn archive_open(data: &[u8]) {
    let path = scratch().join("root.archive");
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let limits = Limits {
        unpack_limit: FUZZ_UNPACK_LIMIT,
    };
    let Ok(source) = RootSource::open(&path, limits) else {
        return;
    };
    let _ = source.format();
    let _ = source.depends_on_platform(None);
    let amd64 = Platform::new("linux", "amd64", None);
    let selectors = [
        ImageSelector::default(),
        ImageSelector {
            default_platform: Some(&amd64),
            ..ImageSelector::default()
        },
    ];
    for selector in &selectors {
        let Ok(root) = source.root(selector) else {
            continue;
        };
        explore(&root);
    }
}

fn explore(root: &Sysroot) {
    let cwd = TargetPath::root();
    for p in [
        &b"/"[..],
        b"/bin/sh",
        b"/lib64/ld-linux-x86-64.so.2",
        b"/etc/ld.so.cache",
        b"/lib/x86_64-linux-gnu/libc.so.6",
        b"/../../etc/passwd",
    ] {
        let _ = root.resolve(p, &cwd);
        let _ = root.lstat(p, &cwd);
        let _ = root.read(p, &cwd).map(|(_, bytes)| bytes.len());
    }
    for d in [&b"/"[..], b"/lib", b"/usr/lib/x86_64-linux-gnu"] {
        let _ = root.read_dir(d, &cwd);
    }
    let checker = Checker::new(root, Environment::default());
    let _ = checker.check(&TargetPath::new(b"/bin/sh"), "/bin/sh");
}

/// A whole check of fuzzed files in a small root.
///
/// The first byte chooses how: bit 0 set checks the program against the built-in target
/// `debian12` (x86-64), mounted at `/opt/fuzz/app` with the first library beside it;
/// otherwise the files make a root of their own. Bit 1: bind now; bit 2: an
/// LD_LIBRARY_PATH (`/opt/fuzz`); bit 3: an LD_PRELOAD of `libfuzz.so.1`; bit 4: CPU level 3.
/// The rest is split at [`FILE_SEPARATOR`] into: the program, a library, the interpreter,
/// `/etc/ld.so.cache`, and `libc.so.6`; a file not given is absent.
pub fn whole_check(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let files = split_files(rest, 5);
    let env = Environment {
        ld_library_path: (mode & 4 != 0).then(|| b"/opt/fuzz".to_vec()),
        ld_preload: (mode & 8 != 0).then(|| b"libfuzz.so.1".to_vec()),
        bind_now: mode & 2 != 0,
        cpu: CpuLevel(if mode & 16 != 0 { 3 } else { 1 }),
    };
    if mode & 1 != 0 {
        check_against_builtin(&files, env);
    } else {
        check_in_virtual_root(&files, env);
    }
}

fn split_files(data: &[u8], max: usize) -> Vec<&[u8]> {
    let mut files = Vec::new();
    let mut rest = data;
    while files.len() + 1 < max {
        match rest
            .windows(FILE_SEPARATOR.len())
            .position(|w| w == FILE_SEPARATOR)
        {
            Some(at) => {
                files.push(&rest[..at]);
                rest = &rest[at + FILE_SEPARATOR.len()..];
            }
            None => break,
        }
    }
    files.push(rest);
    files
}

/// Join files into a `whole_check` input (for seeds).
pub fn join_files(mode: u8, files: &[&[u8]]) -> Vec<u8> {
    let mut out = vec![mode];
    for (i, f) in files.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(FILE_SEPARATOR);
        }
        out.extend_from_slice(f);
    }
    out
}

fn check_in_virtual_root(files: &[&[u8]], env: Environment) {
    const LIB: &str = "/usr/lib/x86_64-linux-gnu";
    let mut v = VirtualRoot::new();
    v.symlink("/lib", "usr/lib")
        .symlink("/lib64", "usr/lib64")
        .dir("/opt/fuzz")
        .symlink(
            "/opt/fuzz/libfuzz.so.1",
            "/usr/lib/x86_64-linux-gnu/libfuzz.so.1",
        );
    let get = |i: usize| files.get(i).map(|f| f.to_vec());
    if let Some(program) = get(0) {
        v.file("/bin/app", program.clone());
        v.file("/bin/sh", program);
    }
    if let Some(lib) = get(1) {
        v.file(&format!("{LIB}/libfuzz.so.1"), lib);
        v.symlink(&format!("{LIB}/libfuzz.so"), "libfuzz.so.1");
    }
    if let Some(ldso) = get(2) {
        v.file(&format!("{LIB}/ld-linux-x86-64.so.2"), ldso);
        v.symlink(
            "/usr/lib64/ld-linux-x86-64.so.2",
            "../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
        );
        v.file("/lib/ld-musl-x86_64.so.1", Vec::new());
    }
    if let Some(cache) = get(3) {
        v.file("/etc/ld.so.cache", cache);
    }
    if let Some(libc) = get(4) {
        v.file(&format!("{LIB}/libc.so.6"), libc);
    }
    let root = v.into_sysroot("fuzz".to_owned());
    let checker = Checker::new(&root, env);
    for path in [&b"/bin/app"[..], b"/usr/lib/x86_64-linux-gnu/libfuzz.so.1"] {
        let _ = checker.check(&TargetPath::new(path), "app");
    }
}

thread_local! {
    /// debian12 for x86-64, with the scratch directory mounted at `/opt/fuzz`.
    static BUILTIN: RefCell<Option<BuiltinRoot>> = const { RefCell::new(None) };
}

fn check_against_builtin(files: &[&[u8]], env: Environment) {
    let dir = scratch().join("builtin");
    if std::fs::create_dir_all(&dir).is_err() {
        return;
    }
    let write = |name: &str, bytes: Option<&&[u8]>| -> bool {
        let p: &Path = &dir.join(name);
        match bytes {
            Some(b) => std::fs::write(p, b).is_ok(),
            None => {
                let _ = std::fs::remove_file(p);
                true
            }
        }
    };
    if !write("app", files.first()) || !write("libfuzz.so.1", files.get(1)) {
        return;
    }
    BUILTIN.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let Ok(target) = Target::parse("debian12") else {
                return;
            };
            let Ok(mut root) = BuiltinRoot::new(&target, Arch::X86_64) else {
                return;
            };
            if root
                .sysroot_mut()
                .mount(&TargetPath::new(b"/opt/fuzz"), &dir)
                .is_err()
            {
                return;
            }
            *slot = Some(root);
        }
        let Some(root) = slot.as_ref() else { return };
        let checker = Checker::builtin(root, env);
        let _ = checker.check(&TargetPath::new(b"/opt/fuzz/app"), "app");
    });
}

/// A global allocator that counts live heap bytes and aborts the process when an allocation
/// would take them above [`capped_alloc::LIVE_HEAP_LIMIT`]: in the fuzz builds a memory
/// blow-up is then a crash libFuzzer keeps, and in the replay test it fails the run.
#[allow(unsafe_code)]
pub mod capped_alloc {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Live heap above which the process aborts.
    pub const LIVE_HEAP_LIMIT: usize = 256 << 20;

    /// Install with `#[global_allocator] static A: CappedAlloc = CappedAlloc::new();`.
    #[derive(Debug)]
    pub struct CappedAlloc {
        live: AtomicUsize,
        peak: AtomicUsize,
    }

    impl CappedAlloc {
        pub const fn new() -> Self {
            CappedAlloc {
                live: AtomicUsize::new(0),
                peak: AtomicUsize::new(0),
            }
        }

        /// Live heap bytes now.
        pub fn live(&self) -> usize {
            self.live.load(Ordering::Relaxed)
        }

        /// Highest live heap since the last [`CappedAlloc::reset_peak`].
        pub fn peak(&self) -> usize {
            self.peak.load(Ordering::Relaxed)
        }

        pub fn reset_peak(&self) {
            self.peak.store(self.live(), Ordering::Relaxed);
        }

        fn charge(&self, size: usize) {
            let live = self.live.fetch_add(size, Ordering::Relaxed) + size;
            if live > LIVE_HEAP_LIMIT {
                over_limit(live);
            }
            self.peak.fetch_max(live, Ordering::Relaxed);
        }

        fn credit(&self, size: usize) {
            self.live.fetch_sub(size, Ordering::Relaxed);
        }
    }

    impl Default for CappedAlloc {
        fn default() -> Self {
            Self::new()
        }
    }

    #[cold]
    fn over_limit(live: usize) -> ! {
        // No allocation here: the number is written into a fixed buffer.
        use std::io::Write;
        let mut digits = [b'0'; 20];
        let mut n = live >> 20;
        let mut at = digits.len();
        loop {
            at -= 1;
            digits[at] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        let mut err = std::io::stderr();
        let _ = err.write_all(b"==ldsim-fuzz== live heap above the cap (");
        let _ = err.write_all(&digits[at..]);
        let _ = err.write_all(b" MiB): memory blow-up, aborting\n");
        std::process::abort();
    }

    // SAFETY: every method forwards to `System` with the same layout; the counters are only
    // bookkeeping.
    unsafe impl GlobalAlloc for CappedAlloc {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            self.charge(layout.size());
            System.alloc(layout)
        }

        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            self.charge(layout.size());
            System.alloc_zeroed(layout)
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            System.dealloc(ptr, layout);
            self.credit(layout.size());
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            if new_size > layout.size() {
                self.charge(new_size - layout.size());
            }
            let p = System.realloc(ptr, layout, new_size);
            if new_size < layout.size() && !p.is_null() {
                self.credit(layout.size() - new_size);
            }
            p
        }
    }
}
