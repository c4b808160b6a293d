//! Hostile inputs to the parsers (issue 10: "Bounded and unforgeable"), each generated here:
//! long names referenced many times, version chains shared by many records, unterminated
//! string tables, an ld.so.cache whose entries all name one unterminated string, and
//! PT_INTERP segments the kernel refuses. Each runs `ldsim check` measured on its own
//! (`ldsim_tests::measured`) and must cost under a second of CPU and under 64 MiB of peak RSS,
//! with the expected verdict.

use ldsim_tests::measured::{measure, Measured};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

const BASE: u64 = 0x40_0000;
const MIB: usize = 1 << 20;
const INTERP: &str = "/lib64/ld-linux-x86-64.so.2";

/// A little-endian ELF64 x86-64 executable: PT_LOAD of the whole file, PT_DYNAMIC, PT_INTERP.
#[derive(Default)]
struct Elf {
    /// PT_INTERP bytes as stored, and a p_filesz overriding their length.
    interp: Option<(Vec<u8>, Option<u64>)>,
    strtab: Vec<u8>,
    /// DT_NEEDED string offsets.
    needed: Vec<u32>,
    /// st_name of each undefined symbol (after the null symbol).
    symbols: Vec<u32>,
    /// DT_VERNEED contents, laid out by the caller (offsets inside are relative).
    verneed: Option<Vec<u8>>,
    /// Put DT_STRTAB last so that nothing follows it in the file.
    strtab_last: bool,
    /// ET_DYN (a shared object) instead of ET_EXEC.
    shared: bool,
}

fn u16le(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}
fn u32le(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}
fn u64le(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}

impl Elf {
    fn build(&self) -> Vec<u8> {
        let nphdr = 3u64;
        let mut file = vec![0u8; 64 + 56 * nphdr as usize];
        let place = |file: &mut Vec<u8>, data: &[u8]| -> u64 {
            file.resize(file.len().next_multiple_of(8), 0);
            let at = file.len() as u64;
            file.extend_from_slice(data);
            at
        };
        let interp = self.interp.as_ref().map(|(bytes, filesz)| {
            let at = place(&mut file, bytes);
            (at, filesz.unwrap_or(bytes.len() as u64))
        });
        let mut strtab = None;
        if !self.strtab_last {
            strtab = Some(place(&mut file, &self.strtab));
        }
        let mut dynsym = vec![0u8; 24];
        for &name in &self.symbols {
            u32le(&mut dynsym, name);
            dynsym.extend_from_slice(&[0x12, 0]); // STB_GLOBAL, STT_FUNC
            u16le(&mut dynsym, 0); // SHN_UNDEF
            u64le(&mut dynsym, 0);
            u64le(&mut dynsym, 0);
        }
        let nsyms = self.symbols.len() as u32 + 1;
        let symtab = place(&mut file, &dynsym);
        // DT_HASH: one bucket, nchain = the symbol count, all chains empty.
        let mut hash = Vec::new();
        for v in [1, nsyms, 0] {
            u32le(&mut hash, v);
        }
        hash.resize(hash.len() + 4 * nsyms as usize, 0);
        let hash = place(&mut file, &hash);
        let verneed = self.verneed.as_ref().map(|v| place(&mut file, v));
        let dyn_len = 16 * (self.needed.len() + 8);
        let dynamic_at = file.len().next_multiple_of(8) as u64;
        let strtab = strtab.unwrap_or_else(|| {
            // Dynamic section first, then the string table at the very end.
            dynamic_at + dyn_len as u64
        });
        let addr = |off: u64| BASE + off;
        let mut dynamic = Vec::new();
        let mut tag = |t: u64, v: u64| {
            u64le(&mut dynamic, t);
            u64le(&mut dynamic, v);
        };
        for &n in &self.needed {
            tag(1, u64::from(n));
        }
        tag(5, addr(strtab));
        tag(10, self.strtab.len() as u64);
        tag(6, addr(symtab));
        tag(11, 24);
        tag(4, addr(hash));
        if let Some(v) = verneed {
            tag(0x6fff_fffe, addr(v));
        }
        tag(0, 0);
        dynamic.resize(dyn_len, 0);
        assert_eq!(place(&mut file, &dynamic), dynamic_at);
        if self.strtab_last {
            assert_eq!(place(&mut file, &self.strtab), strtab);
        }
        let len = file.len() as u64;

        let mut ehdr = Vec::new();
        ehdr.extend_from_slice(b"\x7fELF\x02\x01\x01");
        ehdr.resize(16, 0);
        u16le(&mut ehdr, if self.shared { 3 } else { 2 }); // ET_DYN or ET_EXEC
        u16le(&mut ehdr, 62); // EM_X86_64
        u32le(&mut ehdr, 1);
        u64le(&mut ehdr, BASE); // e_entry
        u64le(&mut ehdr, 64); // e_phoff
        u64le(&mut ehdr, 0); // e_shoff
        u32le(&mut ehdr, 0);
        u16le(&mut ehdr, 64);
        u16le(&mut ehdr, 56);
        u16le(&mut ehdr, nphdr as u16);
        u16le(&mut ehdr, 64);
        u16le(&mut ehdr, 0);
        u16le(&mut ehdr, 0);
        let (interp_type, interp_at, interp_size) = match interp {
            Some((at, size)) => (3, at, size),
            None => (0, 0, 0),
        };
        for (p_type, off, size, flags) in [
            (1u32, 0u64, len, 5u32),
            (2, dynamic_at, dyn_len as u64, 6),
            (interp_type, interp_at, interp_size, 4),
        ] {
            u32le(&mut ehdr, p_type);
            u32le(&mut ehdr, flags);
            u64le(&mut ehdr, off);
            u64le(&mut ehdr, addr(off));
            u64le(&mut ehdr, addr(off));
            u64le(&mut ehdr, size);
            u64le(&mut ehdr, size);
            u64le(&mut ehdr, 0x1000);
        }
        file[..ehdr.len()].copy_from_slice(&ehdr);
        file
    }
}

fn interp_ok() -> Option<(Vec<u8>, Option<u64>)> {
    Some((format!("{INTERP}\0").into_bytes(), None))
}

/// A string table: a NUL, then `len` copies of `fill`, then a NUL unless `unterminated`.
fn long_string(fill: u8, len: usize, unterminated: bool) -> Vec<u8> {
    let mut t = vec![0u8];
    t.resize(1 + len, fill);
    if !unterminated {
        t.push(0);
    }
    t
}

/// A root holding the host's glibc loader (so the program is run, not just parsed), an
/// optional /etc/ld.so.cache, and the hostile program at /t/x.
fn root_with(program: &[u8], cache: Option<&[u8]>) -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    let put = |path: &str, bytes: &[u8]| {
        let at = root.path().join(path.trim_start_matches('/'));
        std::fs::create_dir_all(at.parent().unwrap()).unwrap();
        std::fs::write(at, bytes).unwrap();
    };
    put(
        INTERP,
        &std::fs::read(INTERP).expect("the host's x86-64 glibc loader"),
    );
    if let Some(cache) = cache {
        put("/etc/ld.so.cache", cache);
    }
    put("/t/x", program);
    root
}

struct Run {
    measured: Measured,
    code: i32,
    json: Value,
}

/// `ldsim check --format json --sysroot ROOT --in-target /t/x`, measured.
fn check(root: &Path) -> Run {
    let measured = measure([
        "check".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
        "--sysroot".as_ref(),
        root.as_os_str(),
        "--in-target".as_ref(),
        std::ffi::OsStr::new("/t/x"),
    ]);
    Run {
        code: measured.code,
        json: serde_json::from_str(&measured.stdout).unwrap_or(Value::Null),
        measured,
    }
}

/// Bounded CPU time and memory, no crash; returns the file's report.
fn bounded(run: &Run) -> &Value {
    run.measured.assert_bounded("/t/x");
    &run.json["files"][0]
}

fn problem_kinds(file: &Value) -> Vec<String> {
    file["problems"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .map(|p| p["kind"].as_str().unwrap_or("?").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn symbols_sharing_one_long_name_cost_one_copy() {
    // 20,000 dynamic symbols, all named by one 1 MiB string.
    let elf = Elf {
        interp: interp_ok(),
        strtab: long_string(b'a', MIB, false),
        symbols: vec![1; 20_000],
        ..Elf::default()
    };
    let root = root_with(&elf.build(), None);
    let run = check(root.path());
    let file = bounded(&run);
    assert_eq!(run.code, 0, "{file:#}");
    assert_eq!(file["verdict"], "ok", "{file:#}");
}

#[test]
fn needed_entries_sharing_one_long_name_cost_one_copy() {
    // 30,000 DT_NEEDED entries naming one 256 KiB string: one library not found.
    let elf = Elf {
        interp: interp_ok(),
        strtab: long_string(b'b', 256 * 1024, false),
        needed: vec![1; 30_000],
        ..Elf::default()
    };
    let root = root_with(&elf.build(), None);
    // With the loader present the name is searched once for its requester (the same name
    // not found again for the same object is the same answer) and listed once.
    let run = check(root.path());
    let file = bounded(&run);
    assert_eq!(file["verdict"], "fails", "{file:#}");
    assert_eq!(problem_kinds(file), ["missing-library"], "{file:#}");
    // Without the loader the run stops at the kernel stage, after the whole parse.
    std::fs::remove_file(root.path().join(INTERP.trim_start_matches('/'))).unwrap();
    let run = check(root.path());
    let file = bounded(&run);
    assert_ne!(file["verdict"], "ok", "{file:#}");
    assert_eq!(problem_kinds(file), ["missing-interpreter"], "{file:#}");
}

#[test]
fn thousands_of_different_missing_libraries_list_at_most_the_cap() {
    // 1,100 DT_NEEDED entries naming 1,100 different absent libraries: each is searched (list
    // mode reports each; the cost is one search each, 31 candidates here), at most
    // MAX_PROBLEMS_PER_OBJECT (1,000) are listed, the rest counted.
    let mut strtab = vec![0u8];
    let mut needed = Vec::new();
    for i in 0..1_100u32 {
        needed.push(strtab.len() as u32);
        strtab.extend_from_slice(format!("libabsent{i}.so.1").as_bytes());
        strtab.push(0);
    }
    let elf = Elf {
        interp: interp_ok(),
        strtab,
        needed,
        ..Elf::default()
    };
    let root = root_with(&elf.build(), None);
    let run = check(root.path());
    let file = bounded(&run);
    assert_eq!(file["verdict"], "fails", "{file:#}");
    let listed = problem_kinds(file).len() as u64;
    let omitted = file["omitted_problems"].as_u64().unwrap_or(0);
    assert_eq!(
        listed + omitted,
        1_100,
        "{listed} listed, {omitted} omitted"
    );
    assert!(listed <= 1000, "{listed} listed");
}

#[test]
fn symbols_into_an_unterminated_string_table_scan_it_once() {
    // 40,000 symbols at distinct offsets into a 1 MiB table with no NUL at all, at the end of
    // the file: no name can be read, and the table is scanned once, not once per symbol.
    let elf = Elf {
        interp: interp_ok(),
        strtab: vec![b'c'; MIB],
        symbols: (0..40_000u32).map(|i| 1 + i * 25).collect(),
        strtab_last: true,
        ..Elf::default()
    };
    let root = root_with(&elf.build(), None);
    let run = check(root.path());
    let file = bounded(&run);
    assert_eq!(file["verdict"], "ok", "{file:#}");
}

#[test]
fn every_suffix_of_one_long_name_is_bounded_by_the_name_budget() {
    // 40,000 symbols at distinct offsets into one NUL-terminated 1 MiB string: each is a
    // different name (a suffix), so interning alone does not help; the name budget does.
    let elf = Elf {
        interp: interp_ok(),
        strtab: long_string(b'd', MIB, false),
        symbols: (0..40_000u32).map(|i| 1 + i * 25).collect(),
        ..Elf::default()
    };
    let root = root_with(&elf.build(), None);
    let run = check(root.path());
    let file = bounded(&run);
    assert_eq!(file["verdict"], "ok", "{file:#}");
}

#[test]
fn verneed_records_sharing_one_vernaux_chain_are_capped_file_wide() {
    // 4,096 Verneed records (vn_file "libc.so.6") whose vn_aux all lead to one shared chain of
    // 4,096 Vernaux entries: 16.7 M entries if each record walked it.
    const N: u32 = 4096;
    let mut strtab = b"\0libc.so.6\0GLIBC_2.2.5\0".to_vec();
    strtab.push(0);
    let (file_name, version) = (1u32, 11u32);
    let mut v = Vec::new();
    let chain = 16 * N; // the Vernaux chain follows the Verneed records
    for i in 0..N {
        u16le(&mut v, 1); // vn_version
        u16le(&mut v, N as u16); // vn_cnt (wraps to 0 for 4,096; glibc ignores it)
        u32le(&mut v, file_name);
        u32le(&mut v, chain - 16 * i); // vn_aux, relative to this record
        u32le(&mut v, if i + 1 == N { 0 } else { 16 }); // vn_next
    }
    for j in 0..N {
        u32le(&mut v, 0x0969_1a75); // vna_hash of GLIBC_2.2.5
        u16le(&mut v, 0);
        u16le(&mut v, 2 + (j % 0x7000) as u16);
        u32le(&mut v, version);
        u32le(&mut v, if j + 1 == N { 0 } else { 16 });
    }
    let elf = Elf {
        interp: interp_ok(),
        strtab,
        needed: vec![file_name],
        verneed: Some(v),
        ..Elf::default()
    };
    let root = root_with(&elf.build(), None);
    let run = check(root.path());
    let file = bounded(&run);
    // libc.so.6 is not in the root: the run stops there.
    assert!(
        problem_kinds(file).iter().any(|k| k == "missing-library"),
        "{file:#}"
    );
    let out = serde_json::to_string(&run.json).unwrap();
    assert!(out.len() < 4 * MIB, "report of {} bytes", out.len());
}

/// A new-format ld.so.cache: `nlibs` entries whose key and value offsets come from `offset`,
/// followed by `tail` (the strings).
fn cache_bytes(nlibs: u32, offset: impl Fn(u32) -> u32, tail: &[u8]) -> Vec<u8> {
    let mut c = b"glibc-ld.so.cache1.1".to_vec();
    u32le(&mut c, nlibs);
    u32le(&mut c, tail.len() as u32); // len_strings
    c.extend_from_slice(&[2, 0, 0, 0]); // flags: little-endian
    u32le(&mut c, 0); // extension_offset
    c.resize(48, 0);
    let strings = 48 + 24 * nlibs;
    for i in 0..nlibs {
        u32le(&mut c, 0x303); // FLAG_ELF_LIBC6 | FLAG_X8664_LIB64
        u32le(&mut c, strings + offset(i));
        u32le(&mut c, strings + offset(i));
        u32le(&mut c, 0); // osversion
        u64le(&mut c, 0); // hwcap
    }
    c.extend_from_slice(tail);
    c
}

fn check_with_cache(cache: &[u8]) {
    // A program needing a library only the cache could name.
    let elf = Elf {
        interp: interp_ok(),
        strtab: b"\0libzzz.so.1\0".to_vec(),
        needed: vec![1],
        ..Elf::default()
    };
    let root = root_with(&elf.build(), Some(cache));
    let run = check(root.path());
    let file = bounded(&run);
    assert!(
        problem_kinds(file).iter().any(|k| k == "missing-library"),
        "{file:#}"
    );
}

#[test]
fn cache_entries_sharing_one_unterminated_string_cost_one_copy() {
    // 4,000 entries whose key and value all point at one unterminated 1 MiB string.
    check_with_cache(&cache_bytes(4000, |_| 0, &vec![b'e'; MIB]));
}

#[test]
fn cache_entries_at_every_suffix_of_one_string_are_bounded() {
    // 4,000 entries at distinct offsets into one unterminated 1 MiB string.
    check_with_cache(&cache_bytes(4000, |i| i * 200, &vec![b'f'; MIB]));
}

/// The kernel's verdict on a PT_INTERP (fs/binfmt_elf.c: load_elf_binary).
fn check_interp(bytes: &[u8], filesz: Option<u64>, found: &str, message: &str) {
    let elf = Elf {
        interp: Some((bytes.to_vec(), filesz)),
        strtab: b"\0libc.so.6\0".to_vec(),
        needed: vec![1],
        ..Elf::default()
    };
    let root = root_with(&elf.build(), None);
    let run = check(root.path());
    let file = bounded(&run);
    assert_ne!(file["verdict"], "ok", "{file:#}");
    let problem = &file["problems"][0];
    assert_eq!(problem["kind"], "not-loadable", "{file:#}");
    assert!(
        problem["found"].as_str().unwrap_or("").contains(found),
        "{problem:#}"
    );
    assert_eq!(problem["message"], message, "{problem:#}");
    assert_eq!(file["exit_status"], 126, "{file:#}");
    // The oracle: this machine's kernel and bash run the very file (x86-64, like the host).
    let program = root.path().join("t/x");
    std::fs::set_permissions(
        &program,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let real = Command::new("bash")
        .arg("-c")
        .arg(&program)
        .output()
        .expect("run bash");
    let real_stderr = String::from_utf8_lossy(&real.stderr);
    let real_tail = real_stderr
        .trim_end()
        .rsplit_once(&format!("{}: ", program.display()))
        .map(|(_, tail)| tail.to_owned());
    let predicted_tail = message.strip_prefix("sh: /t/x: ").map(str::to_owned);
    assert_eq!(real_tail, predicted_tail, "bash said {real_stderr:?}");
    assert_eq!(real.status.code(), Some(126), "bash said {real_stderr:?}");
}

const ENOEXEC: &str = "sh: /t/x: cannot execute binary file: Exec format error";

#[test]
fn pt_interp_without_a_terminating_nul_is_enoexec() {
    check_interp(INTERP.as_bytes(), None, "invalid PT_INTERP", ENOEXEC);
}

#[test]
fn pt_interp_longer_than_path_max_is_enoexec() {
    let mut long = format!("{INTERP}\0").into_bytes();
    long.resize(5000, 0);
    check_interp(&long, None, "larger than PATH_MAX", ENOEXEC);
}

#[test]
fn pt_interp_shorter_than_two_bytes_is_enoexec() {
    check_interp(b"\0", None, "smaller than 2", ENOEXEC);
}

#[test]
fn pt_interp_past_the_end_of_the_file_is_eio() {
    // Within PATH_MAX but beyond the file: elf_read comes back short (EIO), checked before
    // the terminating NUL is.
    check_interp(
        INTERP.as_bytes(),
        Some(4000),
        "past the end",
        "sh: /t/x: Input/output error",
    );
}

#[test]
fn a_chain_of_2000_libraries_costs_its_length() {
    // /t/x needs lib0.so, lib0.so needs lib1.so, … lib1999.so: loading, the RPATH chain of
    // every search and binding cost the edges, not their square or cube (5,000 took 15 s in
    // a release build; the resolver's in-process rule test checks 5,000).
    let n = 2_000u32;
    let elf_needing = |interp: bool, next: Option<u32>| {
        let mut strtab = vec![0u8];
        let mut needed = Vec::new();
        if let Some(next) = next {
            needed.push(strtab.len() as u32);
            strtab.extend_from_slice(format!("lib{next}.so").as_bytes());
            strtab.push(0);
        }
        Elf {
            interp: if interp { interp_ok() } else { None },
            strtab,
            needed,
            shared: !interp,
            ..Elf::default()
        }
        .build()
    };
    let root = root_with(&elf_needing(true, Some(0)), None);
    let lib = root.path().join("lib");
    std::fs::create_dir_all(&lib).unwrap();
    for i in 0..n {
        let next = (i + 1 < n).then_some(i + 1);
        std::fs::write(lib.join(format!("lib{i}.so")), elf_needing(false, next)).unwrap();
    }
    let run = check(root.path());
    let file = bounded(&run);
    assert_eq!(file["verdict"], "ok", "{file:#}");
    assert_eq!(file["objects"].as_array().map(Vec::len), Some(n as usize));
}

/// A static program whose 60,000 PT_LOAD entries all cover its whole megabyte of glibc-like
/// strings: the static-glibc scan reads each byte once (overlapping segments merged), not
/// once per entry (60 GB).
#[test]
fn overlapping_segments_of_a_static_program_are_scanned_once() {
    const PHNUM: usize = 60_000;
    const BODY: usize = 1 << 20;
    let phdrs_end = 64 + 56 * PHNUM;
    let mut file = Vec::with_capacity(phdrs_end + BODY);
    file.extend_from_slice(b"\x7fELF\x02\x01\x01");
    file.resize(16, 0);
    u16le(&mut file, 2); // ET_EXEC: static, no PT_INTERP
    u16le(&mut file, 62); // EM_X86_64
    u32le(&mut file, 1);
    u64le(&mut file, BASE);
    u64le(&mut file, 64); // e_phoff
    u64le(&mut file, 0);
    u32le(&mut file, 0);
    u16le(&mut file, 64);
    u16le(&mut file, 56);
    u16le(&mut file, PHNUM as u16);
    u16le(&mut file, 64);
    u16le(&mut file, 0);
    u16le(&mut file, 0);
    let len = (phdrs_end + BODY) as u64;
    for _ in 0..PHNUM {
        u32le(&mut file, 1); // PT_LOAD
        u32le(&mut file, 5);
        u64le(&mut file, 0);
        u64le(&mut file, BASE);
        u64le(&mut file, BASE);
        u64le(&mut file, len);
        u64le(&mut file, len);
        u64le(&mut file, 0x1000);
    }
    let pattern: &[u8] =
        b"\0/etc/ld.so.cache\0GLIBC_PRIVATE\0/etc/nsswitch.conf\0glibc.malloc.check\0";
    while file.len() < phdrs_end + BODY {
        file.extend_from_slice(pattern);
    }
    file.truncate(phdrs_end + BODY);
    let root = root_with(&file, None);
    let run = check(root.path());
    let report = bounded(&run);
    assert_eq!(run.code, 0, "{}", run.measured.stderr);
    assert_eq!(report["static_glibc"]["nss"], true, "{report}");
}
