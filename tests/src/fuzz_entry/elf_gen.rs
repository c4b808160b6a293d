//! Structure-aware input for the ELF targets: a generator of valid-ish dynamic ELF files
//! (header, program headers, PT_INTERP, PT_DYNAMIC with the tables it names: strings,
//! symbols, DT_HASH, versym, verneed, verdef, relocations, a PT_NOTE) in both classes and
//! byte orders, and a mutator that edits an ELF file by its structure (header fields,
//! program headers, dynamic entries, string tables) instead of by random bytes, so the
//! fuzzer reaches the tables behind PT_DYNAMIC rather than stopping at the header checks.

/// A small deterministic generator (xorshift64*), seeded by libFuzzer's seed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// In `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    pub fn chance(&mut self, one_in: u64) -> bool {
        self.below(one_in) == 0
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const PT_LOAD: u32 = 1;
const PT_DYNAMIC: u32 = 2;
const PT_INTERP: u32 = 3;
const PT_NOTE: u32 = 4;
const PT_PHDR: u32 = 6;
const PT_GNU_STACK: u32 = 0x6474_e551;
const PT_GNU_PROPERTY: u32 = 0x6474_e553;

const DT_NULL: u64 = 0;
const DT_NEEDED: u64 = 1;
const DT_PLTRELSZ: u64 = 2;
const DT_HASH: u64 = 4;
const DT_STRTAB: u64 = 5;
const DT_SYMTAB: u64 = 6;
const DT_RELA: u64 = 7;
const DT_RELASZ: u64 = 8;
const DT_RELAENT: u64 = 9;
const DT_STRSZ: u64 = 10;
const DT_SYMENT: u64 = 11;
const DT_SONAME: u64 = 14;
const DT_RPATH: u64 = 15;
const DT_SYMBOLIC: u64 = 16;
const DT_REL: u64 = 17;
const DT_PLTREL: u64 = 20;
const DT_JMPREL: u64 = 23;
const DT_BIND_NOW: u64 = 24;
const DT_RUNPATH: u64 = 29;
const DT_FLAGS: u64 = 30;
const DT_RELR: u64 = 36;
const DT_GNU_HASH: u64 = 0x6fff_fef5;
const DT_VERSYM: u64 = 0x6fff_fff0;
const DT_FLAGS_1: u64 = 0x6fff_fffb;
const DT_VERDEF: u64 = 0x6fff_fffc;
const DT_VERDEFNUM: u64 = 0x6fff_fffd;
const DT_VERNEED: u64 = 0x6fff_fffe;
const DT_VERNEEDNUM: u64 = 0x6fff_ffff;
const DT_AARCH64_VARIANT_PCS: u64 = 0x7000_0005;

/// Tags the mutator substitutes.
const TAGS: &[u64] = &[
    DT_NULL,
    DT_NEEDED,
    DT_PLTRELSZ,
    DT_HASH,
    DT_STRTAB,
    DT_SYMTAB,
    DT_RELA,
    DT_RELASZ,
    DT_RELAENT,
    DT_STRSZ,
    DT_SYMENT,
    DT_SONAME,
    DT_RPATH,
    DT_SYMBOLIC,
    DT_REL,
    DT_PLTREL,
    DT_JMPREL,
    DT_BIND_NOW,
    DT_RUNPATH,
    DT_FLAGS,
    DT_RELR,
    DT_GNU_HASH,
    DT_VERSYM,
    DT_FLAGS_1,
    DT_VERDEF,
    DT_VERDEFNUM,
    DT_VERNEED,
    DT_VERNEEDNUM,
    DT_AARCH64_VARIANT_PCS,
];

const PT_TYPES: &[u32] = &[
    0,
    PT_LOAD,
    PT_DYNAMIC,
    PT_INTERP,
    PT_NOTE,
    PT_PHDR,
    PT_GNU_STACK,
    PT_GNU_PROPERTY,
];

/// (e_machine, 64-bit, big-endian) of the architectures ldsim knows.
const MACHINES: &[(u16, bool, bool)] = &[
    (62, true, false),  // x86-64
    (183, true, false), // aarch64
    (243, true, false), // riscv64
    (21, true, false),  // ppc64le
    (22, true, true),   // s390x
    (3, false, false),  // i386
    (40, false, false), // arm
    (8, false, true),   // mips
];

const NAMES: &[&[u8]] = &[
    b"libc.so.6",
    b"libm.so.6",
    b"libfuzz.so.1",
    b"libstdc++.so.6",
    b"libgcc_s.so.1",
    b"libc.musl-x86_64.so.1",
    b"ld-linux-x86-64.so.2",
    b"libc.so",
    b"$ORIGIN/../lib",
    b"$LIB:$PLATFORM",
    b"/opt/fuzz",
    b"",
];

const SYMBOLS: &[&[u8]] = &[
    b"printf",
    b"malloc",
    b"fuzz_fn",
    b"__libc_start_main",
    b"_ZNSt8ios_base4InitC1Ev",
    b"stat64",
    b"environ",
];

const VERSIONS: &[&[u8]] = &[
    b"GLIBC_2.2.5",
    b"GLIBC_2.34",
    b"GLIBC_2.99",
    b"GLIBCXX_3.4.30",
    b"GCC_3.0",
    b"FUZZ_1.0",
];

/// Byte order and word size of the file being written.
#[derive(Debug, Clone, Copy)]
struct Shape {
    is64: bool,
    be: bool,
}

impl Shape {
    fn word(self) -> usize {
        if self.is64 {
            8
        } else {
            4
        }
    }

    fn put(self, out: &mut [u8], at: usize, width: usize, v: u64) {
        if at.checked_add(width).is_none_or(|end| end > out.len()) {
            return;
        }
        for i in 0..width {
            let shift = if self.be { 8 * (width - 1 - i) } else { 8 * i };
            out[at + i] = (v >> shift) as u8;
        }
    }

    fn get(self, data: &[u8], at: usize, width: usize) -> Option<u64> {
        let bytes = data.get(at..at.checked_add(width)?)?;
        Some(bytes.iter().enumerate().fold(0u64, |acc, (i, &b)| {
            let shift = if self.be { 8 * (width - 1 - i) } else { 8 * i };
            acc | (u64::from(b) << shift)
        }))
    }
}

/// A growing file with aligned appends.
struct Out {
    s: Shape,
    buf: Vec<u8>,
}

impl Out {
    fn align(&mut self, to: usize) {
        while !self.buf.len().is_multiple_of(to) {
            self.buf.push(0);
        }
    }

    fn at(&self) -> u64 {
        self.buf.len() as u64
    }

    fn n(&mut self, width: usize, v: u64) {
        let at = self.buf.len();
        self.buf.resize(at + width, 0);
        self.s.put(&mut self.buf, at, width, v);
    }

    fn word(&mut self, v: u64) {
        self.n(self.s.word(), v);
    }
}

/// A string table under construction.
#[derive(Default)]
struct Strings {
    bytes: Vec<u8>,
}

impl Strings {
    fn add(&mut self, s: &[u8]) -> u64 {
        if self.bytes.is_empty() {
            self.bytes.push(0);
        }
        let at = self.bytes.len() as u64;
        self.bytes.extend_from_slice(s);
        self.bytes.push(0);
        at
    }
}

/// The System V hash of a symbol name (the gABI's `elf_hash`).
fn elf_hash(name: &[u8]) -> u32 {
    let mut h: u32 = 0;
    for &c in name {
        h = (h << 4).wrapping_add(u32::from(c));
        let g = h & 0xf000_0000;
        if g != 0 {
            h ^= g >> 24;
        }
        h &= !g;
    }
    h
}

/// A valid-ish dynamic ELF file chosen by `rng`: a program (ET_EXEC/ET_DYN with PT_INTERP)
/// or a shared object, its tables consistent with one another unless `rng` decides to break
/// one of them. Addresses equal file offsets (one PT_LOAD from offset 0).
pub fn generate(rng: &mut Rng) -> Vec<u8> {
    let &(machine, is64, be) = rng.pick(MACHINES);
    let s = Shape { is64, be };
    let program = rng.chance(2);
    let ehsize = if is64 { 64 } else { 52 };
    let phentsize = if is64 { 56 } else { 32 };
    let phnum = 6;
    let mut o = Out {
        s,
        buf: vec![0; ehsize + phentsize * phnum],
    };

    // Strings first, so the dynamic section knows their offsets.
    let mut strs = Strings::default();
    let needed: Vec<u64> = (0..rng.below(4))
        .map(|_| strs.add(rng.pick::<&[u8]>(NAMES)))
        .collect();
    let soname = (!program || rng.chance(4)).then(|| strs.add(rng.pick::<&[u8]>(NAMES)));
    let runpath = rng.chance(3).then(|| strs.add(rng.pick::<&[u8]>(NAMES)));
    let nsyms = 1 + rng.below(6) as usize;
    let sym_names: Vec<u64> = (1..nsyms)
        .map(|_| strs.add(rng.pick::<&[u8]>(SYMBOLS)))
        .collect();
    let sym_hashes: Vec<u32> = (1..nsyms)
        .map(|i| {
            let name = &strs.bytes[sym_names[i - 1] as usize..];
            elf_hash(&name[..name.iter().position(|&b| b == 0).unwrap_or(name.len())])
        })
        .collect();
    let file_name = strs.add(rng.pick::<&[u8]>(NAMES));
    let need_vers: Vec<(u64, u32)> = (0..1 + rng.below(3))
        .map(|_| {
            let v = *rng.pick::<&[u8]>(VERSIONS);
            (strs.add(v), elf_hash(v))
        })
        .collect();
    let def_vers: Vec<(u64, u32)> = (0..rng.below(3))
        .map(|_| {
            let v = *rng.pick::<&[u8]>(VERSIONS);
            (strs.add(v), elf_hash(v))
        })
        .collect();

    let interp_off = o.at();
    let interp: &[u8] = rng.pick::<&[u8]>(&[
        &b"/lib64/ld-linux-x86-64.so.2"[..],
        b"/lib/ld-musl-x86_64.so.1",
        b"/lib/ld-linux-aarch64.so.1",
        b"/nonexistent/ld.so",
    ]);
    o.buf.extend_from_slice(interp);
    if !rng.chance(8) {
        o.buf.push(0);
    }
    let interp_len = o.at() - interp_off;

    o.align(8);
    let strtab = o.at();
    o.buf.extend_from_slice(&strs.bytes);
    let strsz = strs.bytes.len() as u64;

    o.align(8);
    let symtab = o.at();
    let syment: u64 = if is64 { 24 } else { 16 };
    for i in 0..nsyms {
        let name = if i == 0 { 0 } else { sym_names[i - 1] };
        let defined = i > 0 && rng.chance(3);
        let info = (if rng.chance(5) { 2 } else { 1 } << 4) | if rng.chance(2) { 2 } else { 1 };
        let shndx = if defined { 7 } else { 0 };
        if is64 {
            o.n(4, name);
            o.n(1, if i == 0 { 0 } else { info });
            o.n(1, 0);
            o.n(2, shndx);
            o.n(8, if defined { 0x1000 } else { 0 });
            o.n(8, 0);
        } else {
            o.n(4, name);
            o.n(4, if defined { 0x1000 } else { 0 });
            o.n(4, 0);
            o.n(1, if i == 0 { 0 } else { info });
            o.n(1, 0);
            o.n(2, shndx);
        }
    }

    // DT_HASH: one bucket, chains in symbol order.
    o.align(4);
    let hash = o.at();
    o.n(4, 1);
    o.n(4, nsyms as u64);
    o.n(4, if nsyms > 1 { nsyms as u64 - 1 } else { 0 });
    for i in 0..nsyms {
        o.n(4, if i >= 1 { i as u64 - 1 } else { 0 });
    }
    let _ = sym_hashes;

    // DT_VERSYM: index 0/1 local/global, then the verneed / verdef indices.
    o.align(2);
    let versym = o.at();
    for i in 0..nsyms {
        let v = if i == 0 {
            0
        } else {
            2 + rng.below(need_vers.len() as u64 + 1)
        };
        o.n(2, v);
    }

    // DT_VERNEED: one file, its versions.
    o.align(4);
    let verneed = o.at();
    o.n(2, 1);
    o.n(2, need_vers.len() as u64);
    o.n(4, file_name);
    o.n(4, 16);
    o.n(4, 0);
    for (k, (name, h)) in need_vers.iter().enumerate() {
        o.n(4, u64::from(*h));
        o.n(2, 0);
        o.n(2, 2 + k as u64);
        o.n(4, *name);
        o.n(4, if k + 1 < need_vers.len() { 16 } else { 0 });
    }

    // DT_VERDEF: the base definition, then the defined versions.
    o.align(4);
    let verdef = o.at();
    let ndefs = def_vers.len();
    for (k, (name, h)) in def_vers.iter().enumerate() {
        o.n(2, 1);
        o.n(2, if k == 0 { 1 } else { 0 });
        o.n(2, 1 + k as u64);
        o.n(2, 1);
        o.n(4, u64::from(*h));
        o.n(4, 20);
        o.n(4, if k + 1 < ndefs { 28 } else { 0 });
        o.n(4, *name);
        o.n(4, 0);
    }

    // DT_JMPREL: one JUMP_SLOT (or GLOB_DAT) relocation per undefined symbol.
    o.align(8);
    let jmprel = o.at();
    let rela_type: u64 = match machine {
        62 => 7,
        183 => 1026,
        243 => 5,
        21 => 21,
        22 => 11,
        3 => 7,
        40 => 22,
        _ => 127,
    };
    for i in 1..nsyms as u64 {
        o.word(0x2000 + 8 * i);
        if is64 {
            o.word((i << 32) | rela_type);
            o.word(0);
        } else {
            o.word((i << 8) | (rela_type & 0xff));
            o.word(0);
        }
    }
    let relasz = o.at() - jmprel;
    let relaent = if is64 { 24 } else { 12 };

    // A .note.dlopen in a PT_NOTE (owner "FDO").
    o.align(4);
    let note = o.at();
    let json: &[u8] = rng.pick::<&[u8]>(&[
        &br#"[{"soname":["libfuzz.so.1"],"feature":"fuzz","priority":"required"}]"#[..],
        br#"[{"soname":["libz.so.1","libfuzz.so.1"]}]"#,
        br#"[{"soname":"#,
    ]);
    o.n(4, 4);
    o.n(4, json.len() as u64 + 1);
    o.n(4, 0x407c_0c0a);
    o.buf.extend_from_slice(b"FDO\0");
    o.buf.extend_from_slice(json);
    o.buf.push(0);
    o.align(4);
    let note_len = o.at() - note;

    // PT_DYNAMIC.
    o.align(8);
    let dynamic = o.at();
    let mut dyns: Vec<(u64, u64)> = needed.iter().map(|&n| (DT_NEEDED, n)).collect();
    if let Some(so) = soname {
        dyns.push((DT_SONAME, so));
    }
    if let Some(rp) = runpath {
        dyns.push((if rng.chance(2) { DT_RUNPATH } else { DT_RPATH }, rp));
    }
    dyns.extend([
        (DT_STRTAB, strtab),
        (DT_STRSZ, strsz),
        (DT_SYMTAB, symtab),
        (DT_SYMENT, syment),
        (DT_HASH, hash),
        (DT_VERSYM, versym),
        (DT_VERNEED, verneed),
        (DT_VERNEEDNUM, 1),
    ]);
    if ndefs > 0 {
        dyns.push((DT_VERDEF, verdef));
        dyns.push((DT_VERDEFNUM, ndefs as u64));
    }
    dyns.extend([
        (DT_JMPREL, jmprel),
        (DT_PLTRELSZ, relasz),
        (DT_PLTREL, if is64 { DT_RELA } else { DT_REL }),
        (DT_RELAENT, relaent),
    ]);
    if rng.chance(4) {
        dyns.push((DT_FLAGS, 0x8));
    }
    if rng.chance(4) {
        dyns.push((DT_FLAGS_1, 0x0800_0001));
    }
    if rng.chance(8) {
        dyns.push((DT_BIND_NOW, 0));
    }
    dyns.push((DT_NULL, 0));
    for (tag, val) in &dyns {
        o.word(*tag);
        o.word(*val);
    }
    let dynamic_len = o.at() - dynamic;
    let end = o.at();

    // Header.
    let mut h = std::mem::take(&mut o.buf);
    h[..4].copy_from_slice(b"\x7fELF");
    h[4] = if is64 { 2 } else { 1 };
    h[5] = if be { 2 } else { 1 };
    h[6] = 1;
    let e_type = if program && !rng.chance(3) { 2 } else { 3 };
    s.put(&mut h, 16, 2, e_type);
    s.put(&mut h, 18, 2, u64::from(machine));
    s.put(&mut h, 20, 4, 1);
    let w = s.word();
    s.put(&mut h, 24, w, 0x1000); // e_entry
    s.put(&mut h, 24 + w, w, ehsize as u64); // e_phoff
    s.put(&mut h, 24 + 2 * w, w, 0); // e_shoff
    let rest = 24 + 3 * w;
    s.put(&mut h, rest, 4, 0); // e_flags
    s.put(&mut h, rest + 4, 2, ehsize as u64);
    s.put(&mut h, rest + 6, 2, phentsize as u64);
    s.put(&mut h, rest + 8, 2, phnum as u64);
    s.put(&mut h, rest + 10, 2, if is64 { 64 } else { 40 });

    // Program headers: PHDR, INTERP (programs), LOAD, DYNAMIC, NOTE, GNU_STACK.
    let phdrs: [(u32, u64, u64, u32); 6] = [
        (PT_PHDR, ehsize as u64, (phentsize * phnum) as u64, 4),
        (
            if program { PT_INTERP } else { PT_NOTE },
            if program { interp_off } else { note },
            if program { interp_len } else { note_len },
            4,
        ),
        (PT_LOAD, 0, end, 5),
        (PT_DYNAMIC, dynamic, dynamic_len, 6),
        (PT_NOTE, note, note_len, 4),
        (PT_GNU_STACK, 0, 0, if rng.chance(8) { 7 } else { 6 }),
    ];
    for (k, &(ty, off, size, flags)) in phdrs.iter().enumerate() {
        write_phdr(s, &mut h, ehsize + k * phentsize, ty, off, size, flags);
    }
    h
}

fn write_phdr(s: Shape, h: &mut [u8], at: usize, ty: u32, off: u64, size: u64, flags: u32) {
    s.put(h, at, 4, u64::from(ty));
    if s.is64 {
        s.put(h, at + 4, 4, u64::from(flags));
        s.put(h, at + 8, 8, off);
        s.put(h, at + 16, 8, off);
        s.put(h, at + 24, 8, off);
        s.put(h, at + 32, 8, size);
        s.put(h, at + 40, 8, size);
        s.put(h, at + 48, 8, 8);
    } else {
        s.put(h, at + 4, 4, off);
        s.put(h, at + 8, 4, off);
        s.put(h, at + 12, 4, off);
        s.put(h, at + 16, 4, size);
        s.put(h, at + 20, 4, size);
        s.put(h, at + 24, 4, u64::from(flags));
        s.put(h, at + 28, 4, 4);
    }
}

/// Where the structure of an ELF file is (as far as it can be found).
struct Layout {
    s: Shape,
    phoff: usize,
    phentsize: usize,
    phnum: usize,
    /// (offset of the PT_DYNAMIC contents, entry count)
    dynamic: Option<(usize, usize)>,
    /// File offset of DT_STRTAB and DT_STRSZ, if they map into the file.
    strtab: Option<(usize, usize)>,
    /// File offsets of the first PT_LOAD's and the last PT_DYNAMIC's program headers.
    load_ph: Option<usize>,
    dynamic_ph: Option<usize>,
}

fn layout(data: &[u8]) -> Option<Layout> {
    if data.len() < 52 || &data[..4] != b"\x7fELF" {
        return None;
    }
    let s = Shape {
        is64: data[4] == 2,
        be: data[5] == 2,
    };
    let w = s.word();
    let phoff = s.get(data, 24 + w, w)? as usize;
    let rest = 24 + 3 * w;
    let phentsize = s.get(data, rest + 6, 2)? as usize;
    let phnum = s.get(data, rest + 8, 2)? as usize;
    let mut l = Layout {
        s,
        phoff,
        phentsize,
        phnum,
        dynamic: None,
        strtab: None,
        load_ph: None,
        dynamic_ph: None,
    };
    if phentsize < if s.is64 { 56 } else { 32 } {
        return Some(l);
    }
    let mut loads = Vec::new();
    for k in 0..phnum.min(64) {
        let at = phoff.checked_add(k.checked_mul(phentsize)?)?;
        if at >= data.len() {
            break;
        }
        let (ty, off, vaddr, filesz) = if s.is64 {
            (
                s.get(data, at, 4),
                s.get(data, at + 8, 8),
                s.get(data, at + 16, 8),
                s.get(data, at + 32, 8),
            )
        } else {
            (
                s.get(data, at, 4),
                s.get(data, at + 4, 4),
                s.get(data, at + 8, 4),
                s.get(data, at + 16, 4),
            )
        };
        let (Some(ty), Some(off), Some(vaddr), Some(filesz)) = (ty, off, vaddr, filesz) else {
            break;
        };
        if ty == u64::from(PT_LOAD) {
            loads.push((vaddr, off, filesz));
            l.load_ph = l.load_ph.or(Some(at));
        }
        if ty == u64::from(PT_DYNAMIC) {
            l.dynamic_ph = Some(at);
        }
        if ty == u64::from(PT_DYNAMIC) && (off as usize) < data.len() {
            let count = (filesz as usize).min(data.len() - off as usize) / (2 * w);
            l.dynamic = Some((off as usize, count));
        }
    }
    let to_off = |addr: u64| {
        loads.iter().find_map(|&(vaddr, off, filesz)| {
            (addr >= vaddr && addr - vaddr < filesz)
                .then(|| off.checked_add(addr - vaddr))
                .flatten()
                .map(|o| o as usize)
        })
    };
    if let Some((dyn_off, count)) = l.dynamic {
        let (mut strtab, mut strsz) = (None, None);
        for i in 0..count {
            let at = dyn_off + i * 2 * w;
            match s.get(data, at, w) {
                Some(DT_STRTAB) => strtab = s.get(data, at + w, w).and_then(to_off),
                Some(DT_STRSZ) => strsz = s.get(data, at + w, w),
                _ => {}
            }
        }
        if let Some(off) = strtab.filter(|&o| o < data.len()) {
            let len = strsz.unwrap_or(0).min((data.len() - off) as u64) as usize;
            l.strtab = Some((off, len));
        }
    }
    Some(l)
}

/// Values that tend to cross a bound.
fn interesting(rng: &mut Rng, len: usize, near: u64) -> u64 {
    match rng.below(10) {
        0 => 0,
        1 => 1,
        2 => len as u64,
        3 => (len as u64).saturating_sub(1 + rng.below(16)),
        4 => u64::from(u32::MAX),
        5 => u64::MAX - rng.below(16),
        6 => 1 << rng.below(40),
        7 => near.wrapping_add(rng.below(64)),
        8 => near.wrapping_sub(rng.below(64)),
        _ => rng.below(len as u64 + 1),
    }
}

/// Mutate `data[..size]` (capacity `data.len()`, at most `max_size` bytes used) by the ELF
/// structure; `fallback` is libFuzzer's byte-level mutator. Returns the new size.
pub fn mutate(
    data: &mut [u8],
    size: usize,
    max_size: usize,
    seed: u32,
    fallback: &mut dyn FnMut(&mut [u8], usize, usize) -> usize,
) -> usize {
    let mut rng = Rng::new(u64::from(seed) ^ (size as u64) << 32);
    let max = max_size.min(data.len());
    let Some(l) = layout(&data[..size]) else {
        // Not (yet) an ELF file: now and then start over from a generated one.
        if rng.chance(4) {
            return replace(data, max, &generate(&mut rng), size);
        }
        return fallback(data, size, max);
    };
    let s = l.s;
    let w = s.word();
    match rng.below(13) {
        // Byte-level mutation, and a fresh file, keep both ends of the search open.
        0..=2 => fallback(data, size, max),
        12 => amplify(data, size, max, &l, &mut rng).unwrap_or_else(|| fallback(data, size, max)),
        3 => replace(data, max, &generate(&mut rng), size),
        // A header field.
        4 => {
            let rest = 24 + 3 * w;
            let fields = [
                (16, 2),
                (18, 2),
                (24 + w, w),
                (rest + 6, 2),
                (rest + 8, 2),
                (4, 1),
                (5, 1),
                (7, 1),
            ];
            let &(at, width) = rng.pick(&fields);
            let v = interesting(&mut rng, size, s.get(data, at, width).unwrap_or(0));
            s.put(&mut data[..size], at, width, v);
            size
        }
        // A program header field (its type from the known ones).
        5 | 6 => {
            if l.phnum == 0 || l.phentsize == 0 {
                return fallback(data, size, max);
            }
            let at = l
                .phoff
                .saturating_add(rng.below(l.phnum as u64) as usize * l.phentsize);
            if rng.chance(3) {
                let ty = *rng.pick(PT_TYPES);
                s.put(&mut data[..size], at, 4, u64::from(ty));
            } else {
                let offsets: &[usize] = if s.is64 {
                    &[8, 16, 32, 40]
                } else {
                    &[4, 8, 16, 20]
                };
                let field = at.saturating_add(*rng.pick(offsets));
                let v = interesting(&mut rng, size, s.get(data, field, w).unwrap_or(0));
                s.put(&mut data[..size], field, w, v);
            }
            size
        }
        // A dynamic entry: its tag, its value, or a copy of another entry.
        7..=9 => {
            let Some((off, count)) = l.dynamic.filter(|d| d.1 > 0) else {
                return fallback(data, size, max);
            };
            let i = rng.below(count as u64) as usize;
            let at = off + i * 2 * w;
            match rng.below(3) {
                0 => s.put(&mut data[..size], at, w, *rng.pick(TAGS)),
                1 => {
                    let v = interesting(&mut rng, size, s.get(data, at + w, w).unwrap_or(0));
                    s.put(&mut data[..size], at + w, w, v);
                }
                _ => {
                    let j = off + rng.below(count as u64) as usize * 2 * w;
                    if let Some(entry) = data.get(j..j + 2 * w).map(<[u8]>::to_vec) {
                        if let Some(dst) = data.get_mut(at..at + 2 * w) {
                            dst.copy_from_slice(&entry);
                        }
                    }
                }
            }
            size
        }
        // The string table: drop terminators, or write a name the loader treats specially.
        10 => {
            let Some((off, len)) = l.strtab.filter(|t| t.1 > 1) else {
                return fallback(data, size, max);
            };
            let at = off + 1 + rng.below(len as u64 - 1) as usize;
            if rng.chance(2) {
                for b in data[at..off + len].iter_mut() {
                    if *b == 0 {
                        *b = b'A';
                    }
                }
            } else {
                let name = *rng.pick::<&[u8]>(NAMES);
                let end = (at + name.len()).min(off + len);
                data[at..end].copy_from_slice(&name[..end - at]);
            }
            size
        }
        // Grow the file: append a block of repeated dynamic entries (many references).
        _ => {
            let Some((off, count)) = l.dynamic.filter(|d| d.1 > 0) else {
                return fallback(data, size, max);
            };
            let i = off + rng.below(count as u64) as usize * 2 * w;
            let Some(entry) = data.get(i..i + 2 * w).map(<[u8]>::to_vec) else {
                return size;
            };
            let mut at = size;
            for _ in 0..1 + rng.below(64) {
                if at + entry.len() > max {
                    break;
                }
                data[at..at + entry.len()].copy_from_slice(&entry);
                at += entry.len();
            }
            at
        }
    }
}

/// [`mutate`] for a `whole_check` input (a mode byte, then files joined by
/// [`super::FILE_SEPARATOR`]): one of the first two files (the program, the library) is
/// mutated as ELF; now and then the mode byte or the whole input with the fallback, or the
/// input is replaced by a generated program and library.
pub fn mutate_whole_check(
    data: &mut [u8],
    size: usize,
    max_size: usize,
    seed: u32,
    fallback: &mut dyn FnMut(&mut [u8], usize, usize) -> usize,
) -> usize {
    use super::FILE_SEPARATOR as SEP;
    let max = max_size.min(data.len());
    let mut rng = Rng::new(u64::from(seed).wrapping_add(0x5eed));
    match rng.below(16) {
        0 => return fallback(data, size, max),
        1 => {
            let mode = rng.below(32) as u8;
            let files = [generate(&mut rng), generate(&mut rng)];
            let new = super::join_files(mode, &[&files[0], &files[1]]);
            return replace(data, max, &new, size);
        }
        2 if size > 0 => {
            data[0] = rng.below(32) as u8;
            return size;
        }
        _ => {}
    }
    if size < 1 {
        return fallback(data, size, max);
    }
    // Boundaries of the first two files.
    let body = &data[1..size];
    let first_end = body.windows(SEP.len()).position(|w| w == SEP);
    let (start, end) = match first_end {
        Some(e) if rng.chance(2) => {
            let second = e + SEP.len();
            let len = body[second..]
                .windows(SEP.len())
                .position(|w| w == SEP)
                .unwrap_or(body.len() - second);
            (1 + second, 1 + second + len)
        }
        Some(e) => (1, 1 + e),
        None => (1, size),
    };
    let tail = data[end..size].to_vec();
    let room = max.saturating_sub(start + tail.len());
    let mut part = vec![0u8; room.max(end - start)];
    part[..end - start].copy_from_slice(&data[start..end]);
    let new_len = mutate(&mut part, end - start, room, seed, fallback).min(room);
    if start + new_len + tail.len() > max {
        return size;
    }
    data[start..start + new_len].copy_from_slice(&part[..new_len]);
    data[start + new_len..start + new_len + tail.len()].copy_from_slice(&tail);
    start + new_len + tail.len()
}

/// The shape of the memory and time blow-ups: many references to one long string. Appends a
/// new dynamic array (the old entries, then K more DT_NEEDED) and a long string region that
/// becomes DT_STRTAB (unterminated half of the time), points PT_DYNAMIC at the new array and
/// stretches the first PT_LOAD (made to map offset 0 at address 0) over the whole file.
fn amplify(data: &mut [u8], size: usize, max: usize, l: &Layout, rng: &mut Rng) -> Option<usize> {
    let s = l.s;
    let w = s.word();
    let (load_ph, dyn_ph) = (l.load_ph?, l.dynamic_ph?);
    let mut entries: Vec<(u64, u64)> = Vec::new();
    if let Some((off, count)) = l.dynamic {
        for i in 0..count.min(256) {
            let at = off + i * 2 * w;
            let tag = s.get(data, at, w)?;
            if tag == DT_NULL {
                break;
            }
            if tag != DT_STRTAB && tag != DT_STRSZ {
                entries.push((tag, s.get(data, at + w, w)?));
            }
        }
    }
    let start = size.next_multiple_of(8);
    let budget = max.checked_sub(start)?;
    let fixed = (entries.len() + 3) * 2 * w;
    let free = budget.checked_sub(fixed + 64)?;
    // Split what is left between the extra entries and the string.
    let share = 1 + rng.below(9) as usize;
    let extra = (free * share / 10) / (2 * w);
    let string_len = free - extra * 2 * w;
    let dyn_off = start;
    let str_off = dyn_off + fixed + extra * 2 * w;
    let new_size = str_off + string_len;
    let step = 1 + rng.below(8);
    entries.push((DT_STRTAB, str_off as u64));
    entries.push((DT_STRSZ, string_len as u64));
    for k in 0..extra as u64 {
        entries.push((DT_NEEDED, (k * step) % string_len.max(1) as u64));
    }
    entries.push((DT_NULL, 0));
    data[size..start].fill(0);
    for (i, (tag, val)) in entries.iter().enumerate() {
        let at = dyn_off + i * 2 * w;
        s.put(&mut data[..new_size], at, w, *tag);
        s.put(&mut data[..new_size], at + w, w, *val);
    }
    let string = &mut data[str_off..new_size];
    for (i, b) in string.iter_mut().enumerate() {
        *b = b'a' + (i % 23) as u8;
    }
    if rng.chance(2) {
        if let Some(last) = string.last_mut() {
            *last = 0;
        }
    }
    let dyn_len = (entries.len() * 2 * w) as u64;
    let (off_f, vaddr_f, paddr_f, filesz_f, memsz_f) = if s.is64 {
        (8, 16, 24, 32, 40)
    } else {
        (4, 8, 12, 16, 20)
    };
    for (f, v) in [
        (off_f, dyn_off as u64),
        (vaddr_f, dyn_off as u64),
        (paddr_f, dyn_off as u64),
        (filesz_f, dyn_len),
        (memsz_f, dyn_len),
    ] {
        s.put(&mut data[..new_size], dyn_ph + f, w, v);
    }
    for (f, v) in [
        (off_f, 0),
        (vaddr_f, 0),
        (paddr_f, 0),
        (filesz_f, new_size as u64),
        (memsz_f, new_size as u64),
    ] {
        s.put(&mut data[..new_size], load_ph + f, w, v);
    }
    Some(new_size)
}

fn replace(data: &mut [u8], max: usize, new: &[u8], size: usize) -> usize {
    if new.len() > max {
        return size;
    }
    data[..new.len()].copy_from_slice(new);
    new.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_files_parse_with_their_tables() {
        let mut parsed_with_symbols = 0;
        for seed in 0..200 {
            let bytes = generate(&mut Rng::new(seed));
            let obj = ldsim_loader::parse(&bytes).expect("generated ELF parses");
            assert!(obj.dynamic.is_some(), "seed {seed}: {:?}", obj.diagnostics);
            if obj.symbols.len() > 1 && !obj.verneeds.is_empty() {
                parsed_with_symbols += 1;
            }
        }
        assert!(parsed_with_symbols > 100, "{parsed_with_symbols}");
    }

    #[test]
    fn whole_check_mutation_keeps_within_capacity() {
        let mut rng = Rng::new(9);
        let seed_input = super::super::join_files(0, &[&generate(&mut rng), &generate(&mut rng)]);
        let mut buf = vec![0u8; 8192];
        buf[..seed_input.len()].copy_from_slice(&seed_input);
        let mut size = seed_input.len();
        for seed in 0..3000 {
            size = mutate_whole_check(&mut buf, size, 8192, seed, &mut |_, s, _| s);
            assert!(size <= 8192);
        }
    }

    #[test]
    fn amplification_makes_many_references_to_one_long_string() {
        let mut rng = Rng::new(3);
        let seed_file = generate(&mut Rng::new(1));
        let l = layout(&seed_file).expect("layout");
        let mut buf = vec![0u8; 1 << 16];
        buf[..seed_file.len()].copy_from_slice(&seed_file);
        let size = amplify(&mut buf, seed_file.len(), 1 << 16, &l, &mut rng).expect("amplified");
        let obj = ldsim_loader::parse(&buf[..size]).expect("parses");
        // Many references to one long string: kept, or (distinct suffixes of it) cut by the
        // parser's name budget with a diagnostic — either way the mutation amplified.
        let cut = obj
            .diagnostics
            .iter()
            .any(|d| d.contains("past the name budget"));
        assert!(
            obj.needed().len() > 100 || cut,
            "{} {:?}",
            obj.needed().len(),
            obj.diagnostics
        );
    }

    #[test]
    fn mutation_keeps_within_capacity() {
        let mut rng = Rng::new(7);
        let seed_file = generate(&mut rng);
        let mut buf = vec![0u8; 4096];
        buf[..seed_file.len()].copy_from_slice(&seed_file);
        let mut size = seed_file.len();
        for seed in 0..5000 {
            size = mutate(&mut buf, size, 4096, seed, &mut |_, s, _| s);
            assert!(size <= 4096);
            let _ = ldsim_loader::parse(&buf[..size]);
        }
    }
}
