//! Damaged files never make the parser panic: every truncation of a real binary and
//! deterministic random byte flips, on a 64-bit and a 32-bit object, and on a library with
//! `.note.dlopen` notes.

use std::path::Path;
use std::process::Command;

use ldsim_loader::{parse, ElfError};

/// A small program with every table the parser reads (NEEDED, RPATH, versions, REL(A),
/// JMPREL, COPY, the ISA note).
fn build(dir: &Path, name: &str, extra: &[&str]) -> Vec<u8> {
    std::fs::write(
        dir.join("lib.c"),
        "int f_call(void){return 1;}\nint f_data = 3;\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("lib.map"),
        "V1 { global: f_call; f_data; local: *; };\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("prog.c"),
        "#include <stdio.h>\nextern int f_call(void); extern int f_data;\n\
         int main(void){ printf(\"%d\", f_data); return f_call(); }\n",
    )
    .unwrap();
    let gcc = |args: &[&str]| {
        let status = Command::new("gcc")
            .args(args)
            .args(extra)
            .current_dir(dir)
            .status()
            .unwrap();
        assert!(status.success(), "gcc {args:?}");
    };
    gcc(&[
        "-shared",
        "-fPIC",
        "-o",
        "libf.so",
        "lib.c",
        "-Wl,--version-script=lib.map",
    ]);
    gcc(&["-o", name, "prog.c", "-L.", "-lf", "-Wl,-rpath,/opt/x"]);
    std::fs::read(dir.join(name)).unwrap()
}

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn check_truncations(bytes: &[u8]) {
    let full = parse(bytes).expect("the intact binary parses");
    assert!(full.diagnostics.is_empty(), "{:?}", full.diagnostics);
    for len in (0..bytes.len()).step_by(97).chain([51, 52, 63, 64]) {
        let result = parse(&bytes[..len]);
        if len < 52 {
            assert_eq!(result.unwrap_err(), ElfError::TooShort, "length {len}");
        } else if let Ok(obj) = result {
            // A cut-off file loses tables, never invents them.
            assert!(obj.needed().len() <= full.needed().len(), "length {len}");
            assert!(obj.symbols.len() <= full.symbols.len(), "length {len}");
            assert!(
                obj.dlopen_notes.len() <= full.dlopen_notes.len(),
                "length {len}"
            );
        }
    }
}

fn check_flips(bytes: &[u8], seed: u64) {
    let mut rng = Rng(seed);
    // Headers, dynsym, dynstr, version and relocation tables sit in the first page of a
    // small binary; aim most flips there, the rest anywhere (PT_DYNAMIC is further on).
    let hot = bytes.len().min(0x1000);
    for _ in 0..20_000 {
        let mut copy = bytes.to_vec();
        for _ in 0..1 + rng.below(8) {
            let at = if rng.below(5) < 2 {
                rng.below(copy.len())
            } else {
                rng.below(hot)
            };
            copy[at] = match rng.below(3) {
                0 => copy[at] ^ (1 << rng.below(8)),
                1 => 0xff,
                _ => rng.next() as u8,
            };
        }
        if let Ok(obj) = parse(&copy) {
            // Every kept relocation names a symbol that exists.
            assert!(obj
                .relocs
                .iter()
                .all(|r| (r.symbol as usize) < obj.symbols.len()));
            assert!(obj.diagnostics.len() <= 65);
            // Each note descriptor is at most 64 KiB; entries are capped.
            assert!(obj.dlopen_notes.len() <= 1024);
        }
    }
}

#[test]
fn truncated_and_flipped_64_bit_binary_never_panics() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = build(dir.path(), "prog64", &[]);
    check_truncations(&bytes);
    check_flips(&bytes, 0x9e37_79b9_7f4a_7c15);
}

#[test]
fn truncated_and_flipped_32_bit_binary_never_panics() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = build(dir.path(), "prog32", &["-m32"]);
    check_truncations(&bytes);
    check_flips(&bytes, 0x1234_5678_9abc_def1);
}

/// tests/fixtures-src/dlopen_note/plugin_user.c as a shared library: three `.note.dlopen`
/// notes in the first page, where most flips land.
fn build_plugin_user(dir: &Path, name: &str, class: &str) -> Vec<u8> {
    let source = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures-src/dlopen_note/plugin_user.c"
    );
    let status = Command::new("gcc")
        .args([class, "-O0", "-shared", "-fPIC", "-o", name, source])
        .current_dir(dir)
        .status()
        .unwrap();
    assert!(status.success(), "gcc {class} {source}");
    std::fs::read(dir.join(name)).unwrap()
}

#[test]
fn truncated_and_flipped_dlopen_notes_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    for (name, class, seed) in [
        ("plugin64.so", "-m64", 0x2545_f491_4f6c_dd1d),
        ("plugin32.so", "-m32", 0x0bad_5eed_dead_beef),
    ] {
        let bytes = build_plugin_user(dir.path(), name, class);
        assert_eq!(parse(&bytes).unwrap().dlopen_notes.len(), 3, "{name}");
        check_truncations(&bytes);
        check_flips(&bytes, seed);
    }
}

#[test]
fn truncated_program_headers_are_unreadable_file_data() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = build(dir.path(), "prog", &[]);
    // e_phoff is 64 for ld-produced objects; cut inside the program header table.
    let cut = &bytes[..64 + 56 + 10];
    assert_eq!(
        parse(cut).unwrap_err(),
        ElfError::Malformed("cannot read file data".into())
    );
}
