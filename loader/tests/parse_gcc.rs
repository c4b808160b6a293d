//! The parser against objects built at test time by gcc (and musl-gcc), checked against what
//! the linker was asked to produce.

use std::path::{Path, PathBuf};
use std::process::Command;

use ldsim_loader::arch::{arch_of, Arch};
use ldsim_loader::{
    parse, DlopenDependency, DlopenPriority, ElfObject, RelocKind, RelocTable, Symbol,
    VERSYM_HIDDEN, VER_FLG_BASE,
};

/// Run a tool in `dir`, panicking with its output when it fails.
fn run(dir: &Path, program: &str, args: &[&str]) {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write source");
}

fn load(path: PathBuf) -> ElfObject {
    let bytes = std::fs::read(&path).expect("read built object");
    let obj = parse(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(obj.diagnostics, Vec::<String>::new(), "{}", path.display());
    obj
}

fn symbols<'a>(obj: &'a ElfObject, name: &str) -> Vec<&'a Symbol> {
    obj.symbols
        .iter()
        .filter(|s| &*s.name == name.as_bytes())
        .collect()
}

fn s(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).expect("utf-8 name")
}

const LIBV_C: &str = r#"
int foo_v1(void) { return 1; }
int foo_v2(void) { return 2; }
int bar(void) { return 3; }
__asm__(".symver foo_v1, foo@VERS_1.0");
__asm__(".symver foo_v2, foo@@VERS_2.0");
"#;

const LIBV_MAP: &str =
    "VERS_1.0 { global: bar; foo; local: *; };\nVERS_2.0 { global: foo; } VERS_1.0;\n";

/// libv.so.1 with `foo@VERS_1.0` (hidden), `foo@@VERS_2.0` and `bar@@VERS_1.0`.
fn build_libv(dir: &Path, extra: &[&str]) {
    write(dir, "libv.c", LIBV_C);
    write(dir, "libv.map", LIBV_MAP);
    let mut args = vec![
        "-shared",
        "-fPIC",
        "-o",
        "libv.so.1",
        "libv.c",
        "-Wl,--version-script=libv.map",
        "-Wl,-soname,libv.so.1",
    ];
    args.extend_from_slice(extra);
    run(dir, "gcc", &args);
}

#[test]
fn version_definitions_and_hidden_versions_of_a_library() {
    let dir = tempfile::tempdir().unwrap();
    build_libv(dir.path(), &[]);
    let lib = load(dir.path().join("libv.so.1"));

    assert_eq!(arch_of(&lib.header), Some(Arch::X86_64));
    assert_eq!(lib.soname(), Some(&b"libv.so.1"[..]));
    assert_eq!(lib.interpreter, None);
    let defs: Vec<_> = lib
        .verdefs
        .iter()
        .map(|d| (d.index, s(&d.name), d.flags))
        .collect();
    assert_eq!(
        defs,
        [
            (1, "libv.so.1", VER_FLG_BASE),
            (2, "VERS_1.0", 0),
            (3, "VERS_2.0", 0)
        ]
    );
    // vd_hash is the ELF hash of the name.
    assert_eq!(lib.verdef(2).unwrap().hash, elf_hash(b"VERS_1.0"));

    let mut foo: Vec<_> = symbols(&lib, "foo")
        .iter()
        .map(|s| s.versym.unwrap())
        .collect();
    foo.sort_unstable();
    assert_eq!(
        foo,
        [3, VERSYM_HIDDEN | 2],
        "foo@@VERS_2.0 and hidden foo@VERS_1.0"
    );
    let bar = symbols(&lib, "bar");
    assert_eq!(bar.len(), 1);
    assert_eq!(bar[0].version_index(), Some(2));
    assert!(!bar[0].version_hidden());
    assert!(!bar[0].is_undefined());
    assert_eq!(bar[0].kind, ldsim_loader::STT_FUNC);
    assert_eq!(bar[0].binding, ldsim_loader::STB_GLOBAL);
    assert!(
        symbols(&lib, "foo_v1").is_empty(),
        "local: * hides the implementations"
    );
}

fn elf_hash(name: &[u8]) -> u32 {
    name.iter().fold(0u32, |h, &c| {
        let h = (h << 4).wrapping_add(u32::from(c));
        let g = h & 0xf000_0000;
        (h ^ (g >> 24)) & !g
    })
}

const PROG_C: &str = r#"
extern int foo(void);
extern int bar(void);
int main(void) { return foo() + bar(); }
"#;

/// PROG_C linked against libv.so.1 with `link_flags`, parsed.
fn link_prog_against_libv(link_flags: &[&str]) -> ElfObject {
    let dir = tempfile::tempdir().unwrap();
    build_libv(dir.path(), &[]);
    write(dir.path(), "prog.c", PROG_C);
    let mut args = vec!["-o", "prog", "prog.c", "-L.", "-l:libv.so.1"];
    args.extend_from_slice(link_flags);
    run(dir.path(), "gcc", &args);
    load(dir.path().join("prog"))
}

#[test]
fn needed_rpath_and_version_requirements_of_a_program() {
    let prog = link_prog_against_libv(&["-Wl,--disable-new-dtags,-rpath,/opt/r1:$ORIGIN/../lib"]);

    assert_eq!(
        prog.interpreter.as_deref(),
        Some(&b"/lib64/ld-linux-x86-64.so.2"[..])
    );
    assert!(prog.has_load);
    assert!(!prog.exec_stack);
    assert_eq!(
        prog.needed().iter().map(|n| n.to_vec()).collect::<Vec<_>>(),
        [b"libv.so.1".to_vec(), b"libc.so.6".to_vec()]
    );
    let dynamic = prog.dynamic.as_ref().unwrap();
    assert_eq!(
        dynamic.rpath.as_deref(),
        Some(&b"/opt/r1:$ORIGIN/../lib"[..])
    );
    assert_eq!(dynamic.runpath, None);
    assert!(!dynamic.binds_now());
    assert!(dynamic.pie(), "Debian's gcc links PIE by default");
    assert!(!prog.is_static());

    let libv = prog
        .verneeds
        .iter()
        .find(|n| &*n.file == b"libv.so.1")
        .expect("verneed libv");
    let mut names: Vec<_> = libv.entries.iter().map(|e| s(&e.name)).collect();
    names.sort_unstable();
    assert_eq!(names, ["VERS_1.0", "VERS_2.0"]);
    // Each undefined symbol's versym points at the Vernaux of the version it was linked to.
    for (sym, version) in [("foo", "VERS_2.0"), ("bar", "VERS_1.0")] {
        let sym = symbols(&prog, sym)[0];
        assert!(sym.is_undefined());
        let aux = libv
            .entries
            .iter()
            .find(|e| Some(e.other) == sym.version_index())
            .unwrap();
        assert_eq!(s(&aux.name), version);
        assert_eq!(aux.hash, elf_hash(version.as_bytes()));
    }
    assert!(prog.verneeds.iter().any(|n| &*n.file == b"libc.so.6"));
}

#[test]
fn runpath_and_bind_now_flags() {
    let prog = link_prog_against_libv(&["-Wl,--enable-new-dtags,-rpath,/opt/rp", "-Wl,-z,now"]);
    let dynamic = prog.dynamic.as_ref().unwrap();
    assert_eq!(dynamic.runpath.as_deref(), Some(&b"/opt/rp"[..]));
    assert_eq!(dynamic.rpath, None);
    assert!(dynamic.binds_now());
    // GNU ld does not implement -z nodeflib ("warning: -z nodeflib ignored"); the flag is
    // covered by the synthetic objects in parse_synthetic.rs.
    assert!(!dynamic.nodeflib());
}

#[test]
fn plt_call_function_pointer_and_data_reference_are_told_apart() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "lib.c",
        "int f_call(void){return 1;}\nint f_ptr(void){return 2;}\nint f_data = 3;\n",
    );
    run(
        dir.path(),
        "gcc",
        &["-shared", "-fPIC", "-o", "libf.so", "lib.c"],
    );
    write(
        dir.path(),
        "prog.c",
        "extern int f_call(void); extern int f_ptr(void); extern int f_data;\n\
         int (*take(void))(void) { return f_ptr; }\n\
         int main(void) { return f_call() + f_data + (take() != 0); }\n",
    );
    run(dir.path(), "gcc", &["-o", "prog", "prog.c", "-L.", "-lf"]);
    let prog = load(dir.path().join("prog"));
    let reloc_of = |name: &str| {
        let found: Vec<_> = prog
            .relocs
            .iter()
            .filter(|r| &*prog.symbols[r.symbol as usize].name == name.as_bytes())
            .map(|r| (r.table, r.kind))
            .collect();
        found
    };
    assert_eq!(
        reloc_of("f_call"),
        [(RelocTable::JmpRel, RelocKind::JumpSlot)]
    );
    assert_eq!(reloc_of("f_ptr"), [(RelocTable::Rela, RelocKind::Other)]);
    assert_eq!(reloc_of("f_data"), [(RelocTable::Rela, RelocKind::Copy)]);
    // Table order: every DT_RELA entry before the DT_JMPREL ones.
    let first_jmprel = prog
        .relocs
        .iter()
        .position(|r| r.table == RelocTable::JmpRel)
        .unwrap();
    assert!(prog.relocs[first_jmprel..]
        .iter()
        .all(|r| r.table == RelocTable::JmpRel));
}

#[test]
fn i386_rel_tables_and_jump_slots() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "lib.c",
        "int f_call(void){return 1;}\nint f_data = 3;\n",
    );
    run(
        dir.path(),
        "gcc",
        &["-m32", "-shared", "-fPIC", "-o", "libf.so", "lib.c"],
    );
    write(
        dir.path(),
        "prog.c",
        "extern int f_call(void); extern int f_data;\nint main(void) { return f_call() + f_data; }\n",
    );
    run(
        dir.path(),
        "gcc",
        &["-m32", "-o", "prog", "prog.c", "-L.", "-lf"],
    );
    let prog = load(dir.path().join("prog"));
    assert_eq!(arch_of(&prog.header), Some(Arch::I386));
    assert_eq!(
        prog.interpreter.as_deref(),
        Some(&b"/lib/ld-linux.so.2"[..])
    );
    let f_call = prog
        .symbols
        .iter()
        .position(|s| &*s.name == b"f_call")
        .unwrap() as u32;
    let call: Vec<_> = prog.relocs.iter().filter(|r| r.symbol == f_call).collect();
    assert_eq!(call.len(), 1);
    assert_eq!(
        (call[0].table, call[0].kind),
        (RelocTable::JmpRel, RelocKind::JumpSlot)
    );
    assert!(
        prog.relocs.iter().all(|r| r.table != RelocTable::Rela),
        "i386 uses DT_REL"
    );
    assert!(prog.verneeds.iter().any(|n| &*n.file == b"libc.so.6"));
}

#[test]
fn gnu_and_sysv_hash_tables_give_the_same_symbols() {
    let dir = tempfile::tempdir().unwrap();
    let mut names = Vec::new();
    for style in ["gnu", "sysv"] {
        let sub = dir.path().join(style);
        std::fs::create_dir(&sub).unwrap();
        build_libv(&sub, &[&format!("-Wl,--hash-style={style}")]);
        let lib = load(sub.join("libv.so.1"));
        let mut list: Vec<_> = lib
            .symbols
            .iter()
            .map(|s| (s.name.to_vec(), s.versym, s.shndx != 0))
            .collect();
        list.sort();
        names.push(list);
    }
    assert!(
        names[0].len() >= 4,
        "null, foo twice, bar and the version symbols: {:?}",
        names[0]
    );
    assert_eq!(names[0], names[1]);
}

/// What `strip --strip-section-headers` (binutils ≥ 2.41) does: no section header table.
fn remove_section_headers(bytes: &mut Vec<u8>) {
    let shoff = u64::from_le_bytes(bytes[40..48].try_into().unwrap()) as usize;
    bytes[40..48].fill(0); // e_shoff
    bytes[58..64].fill(0); // e_shentsize, e_shnum, e_shstrndx
    if shoff > 0 && shoff < bytes.len() {
        bytes.truncate(shoff);
    }
}

#[test]
fn stripped_binaries_keep_their_dynamic_view() {
    let dir = tempfile::tempdir().unwrap();
    build_libv(dir.path(), &[]);
    write(dir.path(), "prog.c", PROG_C);
    run(
        dir.path(),
        "gcc",
        &["-o", "prog", "prog.c", "-L.", "-l:libv.so.1"],
    );
    let original = load(dir.path().join("prog"));
    run(dir.path(), "cp", &["prog", "prog.stripped"]);
    run(dir.path(), "strip", &["-s", "prog.stripped"]);
    let stripped = load(dir.path().join("prog.stripped"));

    let mut bytes = std::fs::read(dir.path().join("prog.stripped")).unwrap();
    let before = bytes.len();
    remove_section_headers(&mut bytes);
    assert!(bytes.len() < before, "the section header table was cut off");
    let headerless = parse(&bytes).unwrap();

    for obj in [&stripped, &headerless] {
        assert_eq!(obj.verneeds, original.verneeds);
        assert_eq!(obj.needed(), original.needed());
        assert_eq!(obj.symbols, original.symbols);
        assert_eq!(obj.relocs, original.relocs);
        assert_eq!(obj.interpreter, original.interpreter);
        assert_eq!(obj.x86_isa_needed, original.x86_isa_needed);
        assert!(obj.diagnostics.is_empty(), "{:?}", obj.diagnostics);
    }
    assert!(!original.verneeds.is_empty());
}

#[test]
fn x86_isa_level_note() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "lib.c", "int f(int x){return x+1;}\n");
    run(
        dir.path(),
        "gcc",
        &[
            "-shared",
            "-fPIC",
            "-o",
            "libisa.so",
            "lib.c",
            "-Wl,-z,x86-64-v3",
        ],
    );
    let lib = load(dir.path().join("libisa.so"));
    // GNU_PROPERTY_X86_ISA_1_V3 (binutils include/elf/common.h).
    assert_eq!(
        lib.x86_isa_needed & 0x4,
        0x4,
        "needed bits {:#x}",
        lib.x86_isa_needed
    );
}

/// tests/fixtures-src/dlopen_note/plugin_user.c: three `.note.dlopen` notes written the way
/// systemd's ELF_NOTE_DLOPEN macro writes them.
const PLUGIN_USER_C: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/fixtures-src/dlopen_note/plugin_user.c"
);

fn plugin_user_notes() -> Vec<DlopenDependency> {
    let dep = |sonames: &[&str], feature: &str, description: &str, priority| DlopenDependency {
        sonames: sonames.iter().map(|s| s.as_bytes().to_vec()).collect(),
        feature: Some(feature.to_owned()),
        description: Some(description.to_owned()),
        priority,
    };
    vec![
        dep(
            &["libdlreq.so.1"],
            "req",
            "Core functionality",
            DlopenPriority::Required,
        ),
        dep(
            &["libdlrec.so.1", "libdlrec.so.2"],
            "rec",
            "Recommended extra",
            DlopenPriority::Recommended,
        ),
        dep(
            &["libz.so.1"],
            "zlib",
            "Compression support",
            DlopenPriority::Suggested,
        ),
    ]
}

#[test]
fn dlopen_notes_of_a_gcc_built_library() {
    let dir = tempfile::tempdir().unwrap();
    // -O0 keeps the notes in source order; the 4-aligned notes sit in a PT_NOTE of
    // alignment 4 in both classes.
    for (name, class) in [("plugin_user64.so", "-m64"), ("plugin_user32.so", "-m32")] {
        run(
            dir.path(),
            "gcc",
            &[class, "-O0", "-shared", "-fPIC", "-o", name, PLUGIN_USER_C],
        );
        let lib = load(dir.path().join(name));
        assert_eq!(lib.dlopen_notes, plugin_user_notes(), "{name}");
        // dlopen dependencies are not DT_NEEDED.
        assert!(
            lib.needed().iter().all(|n| !n.starts_with(b"libdl")),
            "{name}"
        );
    }
}

#[test]
fn dlopen_notes_survive_optimisation_and_stripping() {
    let dir = tempfile::tempdir().unwrap();
    // gcc -O2 may emit the notes in another order: the parser reports file order.
    run(
        dir.path(),
        "gcc",
        &["-O2", "-s", "-shared", "-fPIC", "-o", "p.so", PLUGIN_USER_C],
    );
    let mut bytes = std::fs::read(dir.path().join("p.so")).unwrap();
    remove_section_headers(&mut bytes);
    let lib = parse(&bytes).unwrap();
    assert_eq!(lib.diagnostics, Vec::<String>::new());
    let mut notes = lib.dlopen_notes;
    notes.sort_by_key(|d| d.priority);
    assert_eq!(notes, plugin_user_notes());
}

#[test]
fn musl_program() {
    if Command::new("musl-gcc").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "musl-gcc is required in CI"
        );
        eprintln!("musl-gcc not installed; skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "prog.c",
        "#include <stdio.h>\nint main(void){puts(\"hi\");return 0;}\n",
    );
    run(dir.path(), "musl-gcc", &["-o", "prog", "prog.c"]);
    let prog = load(dir.path().join("prog"));
    assert_eq!(
        prog.interpreter.as_deref(),
        Some(&b"/lib/ld-musl-x86_64.so.1"[..])
    );
    assert_eq!(
        prog.needed().iter().map(|n| n.to_vec()).collect::<Vec<_>>(),
        [b"libc.so".to_vec()]
    );
    assert!(prog.verneeds.is_empty(), "musl has no symbol versions");
    assert!(!prog.has_versym());
    run(
        dir.path(),
        "musl-gcc",
        &["-static", "-o", "static", "prog.c"],
    );
    let stat = load(dir.path().join("static"));
    assert!(stat.is_static());
}
