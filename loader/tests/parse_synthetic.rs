//! The parser against small ELF files written here byte by byte: the classes, byte orders and
//! machines no local compiler produces (big-endian ppc64 and s390x), flags GNU ld cannot set,
//! and damaged tables.

use ldsim_loader::arch::{arch_of, Arch};
use ldsim_loader::{parse, DlopenDependency, DlopenPriority, ElfObject, RelocKind, RelocTable};

const EM_PPC: u16 = 20;
const EM_PPC64: u16 = 21;
const EM_S390: u16 = 22;
const EM_X86_64: u16 = 62;
const DLOPEN_NOTE: u32 = 0x407c_0c0a;
/// Virtual address of file offset 0, so that address translation is exercised.
const BASE: u64 = 0x40_0000;

/// One relocation: (symbol index, r_type).
type Rel = (u64, u32);

#[derive(Clone)]
struct Spec {
    wide: bool,
    big: bool,
    machine: u16,
    e_flags: u32,
    interp: Option<&'static str>,
    needed: Vec<&'static str>,
    flags_1: u64,
    /// Undefined symbols: (name, versym).
    symbols: Vec<(&'static str, u16)>,
    /// st_other of the undefined symbols, by position in `symbols` (0 past its end).
    sym_other: Vec<u8>,
    /// (file, [(version, vna_other)]).
    verneed: Vec<(&'static str, Vec<(&'static str, u16)>)>,
    rela: Vec<Rel>,
    jmprel: Vec<Rel>,
    /// DT_RELASZ also covers the DT_JMPREL entries, which follow DT_RELA directly.
    relasz_covers_jmprel: bool,
    /// Extra raw dynamic entries, appended before DT_NULL.
    extra_dyn: Vec<(u64, u64)>,
    /// Patch vn_next of the first Verneed with this value.
    vn_next_override: Option<u32>,
    /// Contents of one PT_NOTE segment (see [`Spec::note`]) and its p_align; no PT_NOTE
    /// when empty.
    notes: Vec<u8>,
    note_align: u64,
    /// DT_GNU_HASH with binutils' empty table (an object that defines nothing) instead of
    /// DT_HASH.
    empty_gnu_hash: bool,
    /// REL entries (no addend; DT_REL, DT_RELSZ, DT_RELENT, DT_PLTREL = DT_REL) as i386 and
    /// ARM use, instead of RELA.
    rel: bool,
}

impl Spec {
    fn new(wide: bool, big: bool, machine: u16) -> Spec {
        Spec {
            wide,
            big,
            machine,
            e_flags: 0,
            interp: None,
            needed: vec!["libc.so.6"],
            flags_1: 0,
            symbols: vec![],
            sym_other: vec![],
            verneed: vec![],
            rela: vec![],
            jmprel: vec![],
            relasz_covers_jmprel: false,
            extra_dyn: vec![],
            vn_next_override: None,
            notes: vec![],
            note_align: 4,
            empty_gnu_hash: false,
            rel: false,
        }
    }

    fn int(&self, out: &mut Vec<u8>, v: u64, size: usize) {
        let bytes = if self.big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        };
        if self.big {
            out.extend_from_slice(&bytes[8 - size..]);
        } else {
            out.extend_from_slice(&bytes[..size]);
        }
    }

    fn word(&self, out: &mut Vec<u8>, v: u64) {
        self.int(out, v, if self.wide { 8 } else { 4 });
    }

    /// One note as the segment holds it: header, name and descriptor, each padded to
    /// `note_align`. `descsz` overrides the descriptor's real length.
    fn raw_note(&self, name: &[u8], n_type: u32, desc: &[u8], descsz: Option<u32>) -> Vec<u8> {
        let align = self.note_align.max(4) as usize;
        let mut out = Vec::new();
        self.int(&mut out, name.len() as u64, 4);
        self.int(&mut out, u64::from(descsz.unwrap_or(desc.len() as u32)), 4);
        self.int(&mut out, u64::from(n_type), 4);
        out.extend_from_slice(name);
        out.resize(out.len().next_multiple_of(align), 0);
        out.extend_from_slice(desc);
        out.resize(out.len().next_multiple_of(align), 0);
        out
    }

    /// Append a `.note.dlopen` note (owner "FDO", type 0x407c0c0a) carrying `json` and its NUL.
    fn note(mut self, json: &str) -> Spec {
        let mut desc = json.as_bytes().to_vec();
        desc.push(0);
        let note = self.raw_note(b"FDO\0", DLOPEN_NOTE, &desc, None);
        self.notes.extend(note);
        self
    }

    fn build(&self) -> Vec<u8> {
        let ehdr_size = if self.wide { 64 } else { 52 };
        let phdr_size = if self.wide { 56 } else { 32 };
        let nphdr = 4;
        let mut file = vec![0u8; ehdr_size + nphdr * phdr_size];
        let place = |file: &mut Vec<u8>, data: &[u8]| -> u64 {
            file.resize(file.len().next_multiple_of(8), 0);
            let at = file.len() as u64;
            file.extend_from_slice(data);
            at
        };

        // Strings.
        let mut dynstr = vec![0u8];
        let mut strings = std::collections::BTreeMap::new();
        let mut add = |s: &'static str| -> u64 {
            *strings.entry(s).or_insert_with(|| {
                let at = dynstr.len() as u64;
                dynstr.extend_from_slice(s.as_bytes());
                dynstr.push(0);
                at
            })
        };
        let needed: Vec<u64> = self.needed.iter().map(|n| add(n)).collect();
        let sym_names: Vec<u64> = self.symbols.iter().map(|(n, _)| add(n)).collect();
        let verneed_names: Vec<(u64, Vec<u64>)> = self
            .verneed
            .iter()
            .map(|(f, vs)| (add(f), vs.iter().map(|(v, _)| add(v)).collect()))
            .collect();
        let interp = self.interp.map(|i| {
            let mut b = i.as_bytes().to_vec();
            b.push(0);
            place(&mut file, &b)
        });
        let strtab = place(&mut file, &dynstr);

        // Symbols: the null symbol, then undefined global functions.
        let mut dynsym = Vec::new();
        let nsyms = self.symbols.len() as u64 + 1;
        for (i, name) in std::iter::once(0)
            .chain(sym_names.iter().copied())
            .enumerate()
        {
            let info = if name == 0 { 0 } else { 0x12 }; // STB_GLOBAL, STT_FUNC
            let other = i
                .checked_sub(1)
                .and_then(|i| self.sym_other.get(i).copied())
                .unwrap_or(0);
            if self.wide {
                self.int(&mut dynsym, name, 4);
                dynsym.extend_from_slice(&[info, other]);
                self.int(&mut dynsym, 0, 2);
                self.word(&mut dynsym, 0);
                self.word(&mut dynsym, 0);
            } else {
                self.int(&mut dynsym, name, 4);
                self.word(&mut dynsym, 0);
                self.word(&mut dynsym, 0);
                dynsym.extend_from_slice(&[info, other]);
                self.int(&mut dynsym, 0, 2);
            }
        }
        let symtab = place(&mut file, &dynsym);

        // SysV hash: one bucket; s390x uses 8-byte entries.
        let hash_word = if self.machine == EM_S390 && self.wide {
            8
        } else {
            4
        };
        let mut hash = Vec::new();
        if self.empty_gnu_hash {
            // bfd/elflink.c: nbuckets 1, symoffset 1, one bloom word, shift 0; bloom word,
            // bucket and no chain all zero.
            for v in [1, 1, 1, 0] {
                self.int(&mut hash, v, 4);
            }
            self.word(&mut hash, 0);
            self.int(&mut hash, 0, 4);
        } else {
            self.int(&mut hash, 1, hash_word);
            self.int(&mut hash, nsyms, hash_word);
            for _ in 0..=nsyms {
                self.int(&mut hash, 0, hash_word);
            }
        }
        let hash = place(&mut file, &hash);
        let hash_tag = if self.empty_gnu_hash { 0x6fff_fef5 } else { 4 };

        let mut versym = Vec::new();
        for v in std::iter::once(0).chain(self.symbols.iter().map(|s| s.1)) {
            self.int(&mut versym, u64::from(v), 2);
        }
        let versym = place(&mut file, &versym);

        let mut verneed = Vec::new();
        for (i, ((file_name, versions), (_, spec))) in
            verneed_names.iter().zip(&self.verneed).enumerate()
        {
            let last = i + 1 == self.verneed.len();
            let next = 16 + 16 * versions.len() as u64;
            self.int(&mut verneed, 1, 2);
            self.int(&mut verneed, versions.len() as u64, 2);
            self.int(&mut verneed, *file_name, 4);
            self.int(&mut verneed, 16, 4);
            let vn_next = match self.vn_next_override {
                Some(v) if i == 0 => u64::from(v),
                _ if last => 0,
                _ => next,
            };
            self.int(&mut verneed, vn_next, 4);
            for (j, (name, (version, other))) in versions.iter().zip(spec).enumerate() {
                self.int(&mut verneed, u64::from(elf_hash(version.as_bytes())), 4);
                self.int(&mut verneed, 0, 2);
                self.int(&mut verneed, u64::from(*other), 2);
                self.int(&mut verneed, *name, 4);
                self.int(
                    &mut verneed,
                    if j + 1 == versions.len() { 0 } else { 16 },
                    4,
                );
            }
        }
        let verneed = place(&mut file, &verneed);

        let rela_entry = |out: &mut Vec<u8>, &(sym, r_type): &Rel| {
            self.word(out, 0);
            let info = if self.wide {
                sym << 32 | u64::from(r_type)
            } else {
                sym << 8 | u64::from(r_type)
            };
            self.word(out, info);
            if !self.rel {
                self.word(out, 0);
            }
        };
        let mut relocs = Vec::new();
        self.rela.iter().for_each(|r| rela_entry(&mut relocs, r));
        let rela_len = relocs.len() as u64;
        self.jmprel.iter().for_each(|r| rela_entry(&mut relocs, r));
        let jmprel_len = relocs.len() as u64 - rela_len;
        let rela = place(&mut file, &relocs);

        let addr = |off: u64| BASE + off;
        let mut dyn_entries: Vec<(u64, u64)> = needed.iter().map(|&n| (1, n)).collect();
        dyn_entries.extend([
            (5, addr(strtab)),
            (10, dynstr.len() as u64),
            (6, addr(symtab)),
            (11, dynsym.len() as u64 / nsyms),
            (hash_tag, addr(hash)),
            (0x6fff_fff0, addr(versym)),
        ]);
        if !self.verneed.is_empty() {
            dyn_entries.push((0x6fff_fffe, addr(verneed)));
            dyn_entries.push((0x6fff_ffff, self.verneed.len() as u64));
        }
        if !self.rela.is_empty() || self.relasz_covers_jmprel {
            let size = if self.relasz_covers_jmprel {
                rela_len + jmprel_len
            } else {
                rela_len
            };
            let entsize = if self.wide { 8 } else { 4 } * if self.rel { 2 } else { 3 };
            let (tag, size_tag, ent_tag) = if self.rel { (17, 18, 19) } else { (7, 8, 9) };
            dyn_entries.extend([(tag, addr(rela)), (size_tag, size), (ent_tag, entsize)]);
        }
        if !self.jmprel.is_empty() {
            let pltrel = if self.rel { 17 } else { 7 };
            dyn_entries.extend([(23, addr(rela + rela_len)), (2, jmprel_len), (20, pltrel)]);
        }
        if self.flags_1 != 0 {
            dyn_entries.push((0x6fff_fffb, self.flags_1));
        }
        dyn_entries.extend(self.extra_dyn.iter().copied());
        dyn_entries.push((0, 0));
        let mut dynamic = Vec::new();
        for (tag, val) in dyn_entries {
            self.word(&mut dynamic, tag);
            self.word(&mut dynamic, val);
        }
        let dynamic_off = place(&mut file, &dynamic);
        let notes_off = place(&mut file, &self.notes);
        let file_len = file.len() as u64;

        // Program headers: PT_LOAD of the whole file, PT_DYNAMIC, PT_INTERP (or PT_NULL).
        let mut phdrs = Vec::new();
        let interp_ph = interp.map_or((0, 0, 0), |off| {
            (3, off, self.interp.unwrap().len() as u64 + 1)
        });
        for (p_type, off, size, flags) in [
            (1u32, 0, file_len, 5u32),
            (2, dynamic_off, dynamic.len() as u64, 6),
            (interp_ph.0, interp_ph.1, interp_ph.2, 4),
            (
                if self.notes.is_empty() { 0 } else { 4 },
                notes_off,
                self.notes.len() as u64,
                4,
            ),
        ] {
            self.int(&mut phdrs, u64::from(p_type), 4);
            if self.wide {
                self.int(&mut phdrs, u64::from(flags), 4);
            }
            self.word(&mut phdrs, off);
            self.word(&mut phdrs, addr(off));
            self.word(&mut phdrs, addr(off));
            self.word(&mut phdrs, size);
            self.word(&mut phdrs, size);
            if !self.wide {
                self.int(&mut phdrs, u64::from(flags), 4);
            }
            let align = match p_type {
                1 => 0x1000,
                4 => self.note_align,
                _ => 8,
            };
            self.word(&mut phdrs, align);
        }

        let mut ehdr = b"\x7fELF".to_vec();
        ehdr.extend_from_slice(&[
            if self.wide { 2 } else { 1 },
            if self.big { 2 } else { 1 },
            1,
            0,
        ]);
        ehdr.resize(16, 0);
        self.int(&mut ehdr, 3, 2); // ET_DYN
        self.int(&mut ehdr, u64::from(self.machine), 2);
        self.int(&mut ehdr, 1, 4);
        self.word(&mut ehdr, 0); // e_entry
        self.word(&mut ehdr, ehdr_size as u64); // e_phoff
        self.word(&mut ehdr, 0); // e_shoff
        self.int(&mut ehdr, u64::from(self.e_flags), 4);
        self.int(&mut ehdr, ehdr_size as u64, 2);
        self.int(&mut ehdr, phdr_size as u64, 2);
        self.int(&mut ehdr, nphdr as u64, 2);
        self.int(&mut ehdr, 0, 6); // e_shentsize, e_shnum, e_shstrndx
        assert_eq!(ehdr.len(), ehdr_size);
        file[..ehdr_size].copy_from_slice(&ehdr);
        file[ehdr_size..ehdr_size + phdrs.len()].copy_from_slice(&phdrs);
        file
    }
}

fn elf_hash(name: &[u8]) -> u32 {
    name.iter().fold(0u32, |h, &c| {
        let h = (h << 4).wrapping_add(u32::from(c));
        let g = h & 0xf000_0000;
        (h ^ (g >> 24)) & !g
    })
}

/// A program needing `foo@V2` from libfoo.so.1 through a PLT slot and `bar` (unversioned)
/// through a COPY relocation.
fn program(wide: bool, big: bool, machine: u16, jump_slot: u32, copy: u32) -> Spec {
    Spec {
        interp: Some("/lib/ld-test.so.1"),
        needed: vec!["libfoo.so.1", "libc.so.6"],
        symbols: vec![("foo", 2), ("bar", 1)],
        verneed: vec![("libfoo.so.1", vec![("V2", 2)])],
        rela: vec![(2, copy)],
        jmprel: vec![(1, jump_slot)],
        ..Spec::new(wide, big, machine)
    }
}

fn check_program(obj: &ElfObject) {
    assert_eq!(obj.diagnostics, Vec::<String>::new());
    assert_eq!(obj.interpreter.as_deref(), Some(&b"/lib/ld-test.so.1"[..]));
    assert_eq!(
        obj.needed().iter().map(|n| n.to_vec()).collect::<Vec<_>>(),
        [b"libfoo.so.1".to_vec(), b"libc.so.6".to_vec()]
    );
    let names: Vec<_> = obj.symbols.iter().map(|s| (&*s.name, s.versym)).collect();
    assert_eq!(
        names,
        [(&b""[..], Some(0)), (b"foo", Some(2)), (b"bar", Some(1))]
    );
    assert_eq!(obj.verneeds.len(), 1);
    assert_eq!(&*obj.verneeds[0].file, b"libfoo.so.1");
    let aux = &obj.verneeds[0].entries;
    assert_eq!(aux.len(), 1);
    assert_eq!(
        (&*aux[0].name, aux[0].other, aux[0].hash),
        (&b"V2"[..], 2, elf_hash(b"V2"))
    );
}

/// The relocations of `program()`: a copy relocation of symbol 2 in .rela.dyn, a jump slot of
/// symbol 1 in .rela.plt.
fn assert_copy_then_jump_slot(obj: &ElfObject) {
    let relocs: Vec<_> = obj
        .relocs
        .iter()
        .map(|r| (r.table, r.kind, r.symbol))
        .collect();
    assert_eq!(
        relocs,
        [
            (RelocTable::Rela, RelocKind::Copy, 2),
            (RelocTable::JmpRel, RelocKind::JumpSlot, 1)
        ]
    );
}

#[test]
fn big_endian_ppc64() {
    let obj = parse(&program(true, true, EM_PPC64, 21, 19).build()).unwrap();
    assert_eq!(arch_of(&obj.header), Some(Arch::Ppc64));
    check_program(&obj);
    assert_copy_then_jump_slot(&obj);
}

#[test]
fn s390x_hash_table_has_8_byte_entries() {
    let obj = parse(&program(true, true, EM_S390, 11, 9).build()).unwrap();
    assert_eq!(arch_of(&obj.header), Some(Arch::S390x));
    check_program(&obj);
    assert_eq!(obj.relocs.len(), 2);
    assert_eq!(obj.relocs[1].kind, RelocKind::JumpSlot);
}

#[test]
fn big_endian_32_bit_object_of_an_unmodelled_machine() {
    let obj = parse(&program(false, true, EM_PPC, 21, 19).build()).unwrap();
    assert_eq!(arch_of(&obj.header), None);
    check_program(&obj);
    // Without an architecture nothing can be called lazy or a copy.
    assert!(obj.relocs.iter().all(|r| r.kind == RelocKind::Other));
}

#[test]
fn nodeflib_and_now_from_dt_flags_1() {
    let spec = Spec {
        flags_1: 0x800 | 0x1,
        ..Spec::new(true, false, EM_X86_64)
    };
    let obj = parse(&spec.build()).unwrap();
    let dynamic = obj.dynamic.as_ref().unwrap();
    assert!(dynamic.nodeflib());
    assert!(dynamic.binds_now());
    assert!(!dynamic.pie());
}

/// glibc elf/dynamic-link.h: when DT_RELA's range ends where DT_JMPREL's ends, the PLT
/// relocations are taken out of the eager range.
#[test]
fn jmprel_inside_relasz_is_counted_once() {
    let spec = Spec {
        relasz_covers_jmprel: true,
        ..program(true, false, EM_X86_64, 7, 5)
    };
    let obj = parse(&spec.build()).unwrap();
    assert_copy_then_jump_slot(&obj);
}

#[test]
fn jump_slot_outside_jmprel_is_bound_eagerly() {
    let spec = Spec {
        rela: vec![(1, 7)],
        jmprel: vec![],
        ..program(true, false, EM_X86_64, 7, 5)
    };
    let obj = parse(&spec.build()).unwrap();
    assert_eq!(obj.relocs.len(), 1);
    assert_eq!(
        (obj.relocs[0].table, obj.relocs[0].kind),
        (RelocTable::Rela, RelocKind::Other)
    );
}

#[test]
fn undecodable_needed_is_a_diagnostic_not_a_silent_skip() {
    let spec = Spec {
        extra_dyn: vec![(1, 0x7fff_0000)],
        ..Spec::new(true, false, EM_X86_64)
    };
    let obj = parse(&spec.build()).unwrap();
    assert_eq!(
        obj.needed().iter().map(|n| n.to_vec()).collect::<Vec<_>>(),
        [b"libc.so.6".to_vec()]
    );
    assert_eq!(obj.diagnostics.len(), 1, "{:?}", obj.diagnostics);
    assert!(
        obj.diagnostics[0].starts_with("DT_NEEDED #2: "),
        "{:?}",
        obj.diagnostics
    );
}

#[test]
fn verneed_chain_leaving_its_segment_is_a_diagnostic() {
    let spec = Spec {
        vn_next_override: Some(0x7000_0000),
        ..program(true, false, EM_X86_64, 7, 5)
    };
    let obj = parse(&spec.build()).unwrap();
    assert_eq!(obj.verneeds.len(), 1, "the first record is still read");
    assert!(
        obj.diagnostics
            .iter()
            .any(|d| d.starts_with("DT_VERNEED: record at")),
        "{:?}",
        obj.diagnostics
    );
}

#[test]
fn relocation_naming_a_missing_symbol_is_dropped_with_a_diagnostic() {
    // DT_HASH says 3 symbols; the table really is only that long, so symbol 9 does not exist.
    let spec = Spec {
        rela: vec![(9, 6)],
        ..program(true, false, EM_X86_64, 7, 5)
    };
    let obj = parse(&spec.build()).unwrap();
    assert!(obj
        .relocs
        .iter()
        .all(|r| (r.symbol as usize) < obj.symbols.len()));
    assert!(!obj.diagnostics.is_empty());
}

fn dep(sonames: &[&str], priority: DlopenPriority) -> DlopenDependency {
    DlopenDependency {
        sonames: sonames.iter().map(|s| s.as_bytes().to_vec()).collect(),
        feature: None,
        description: None,
        priority,
    }
}

/// The (sonames, priority) pairs of an object's dlopen notes.
fn dlopen_summary(obj: &ElfObject) -> Vec<(Vec<&str>, DlopenPriority)> {
    obj.dlopen_notes
        .iter()
        .map(|d| {
            let names = d
                .sonames
                .iter()
                .map(|n| std::str::from_utf8(n).unwrap())
                .collect();
            (names, d.priority)
        })
        .collect()
}

#[test]
fn dlopen_note_with_every_key() {
    let spec = Spec::new(true, false, EM_X86_64).note(
        r#"[{"soname":["libfoo.so.1","libfoo.so.0"],"feature":"foo","description":"Foo support","priority":"required"}]"#,
    );
    let obj = parse(&spec.build()).unwrap();
    assert_eq!(obj.diagnostics, Vec::<String>::new());
    assert_eq!(
        obj.dlopen_notes,
        [DlopenDependency {
            sonames: vec![b"libfoo.so.1".to_vec(), b"libfoo.so.0".to_vec()],
            feature: Some("foo".into()),
            description: Some("Foo support".into()),
            priority: DlopenPriority::Required,
        }]
    );
}

#[test]
fn several_dlopen_notes_are_kept_in_order_in_every_class_and_byte_order() {
    for (wide, big, align) in [
        (true, false, 4),
        (true, false, 8),
        (false, true, 4),
        (true, true, 0),
    ] {
        let spec = Spec {
            note_align: align,
            ..Spec::new(wide, big, EM_PPC64)
        }
        // Odd lengths, so that the padding of every note matters.
        .note(r#"[{"soname":["libreq.so.1"],"priority":"required"}]"#)
        .note(r#"[{"soname":["librec.so.1","librec.so.2"],"feature":"rec"}]"#)
        .note(r#"[{"soname":["libz.so.1"],"priority":"suggested"}]"#);
        let obj = parse(&spec.build()).unwrap();
        assert_eq!(
            obj.diagnostics,
            Vec::<String>::new(),
            "{wide} {big} {align}"
        );
        assert_eq!(
            dlopen_summary(&obj),
            [
                (vec!["libreq.so.1"], DlopenPriority::Required),
                (
                    vec!["librec.so.1", "librec.so.2"],
                    DlopenPriority::Recommended
                ),
                (vec!["libz.so.1"], DlopenPriority::Suggested),
            ],
            "{wide} {big} {align}"
        );
    }
}

#[test]
fn one_dlopen_note_listing_several_objects_missing_priority_is_recommended() {
    let spec = Spec::new(true, false, EM_X86_64).note(
        r#"[{"soname":["liba.so.1"],"priority":"suggested"},{"soname":["libb.so.1"],"x-unknown":[1,{"k":null}]}]"#,
    );
    let obj = parse(&spec.build()).unwrap();
    assert_eq!(obj.diagnostics, Vec::<String>::new());
    assert_eq!(
        obj.dlopen_notes,
        [
            dep(&["liba.so.1"], DlopenPriority::Suggested),
            dep(&["libb.so.1"], DlopenPriority::Recommended),
        ]
    );
}

#[test]
fn other_owners_and_types_in_the_note_segment_are_not_dlopen_notes() {
    let mut spec = Spec::new(true, false, EM_X86_64);
    let json = b"[{\"soname\":[\"libno.so.1\"]}]\0";
    let mut notes = spec.raw_note(b"GNU\0", DLOPEN_NOTE, json, None);
    notes.extend(spec.raw_note(b"FDO\0", 0xcafe_1a7e, json, None));
    notes.extend(spec.raw_note(b"FDOX\0", DLOPEN_NOTE, json, None));
    spec.notes = notes;
    let spec = spec.note(r#"[{"soname":["libyes.so.1"]}]"#);
    let obj = parse(&spec.build()).unwrap();
    assert_eq!(obj.diagnostics, Vec::<String>::new());
    assert_eq!(
        obj.dlopen_notes,
        [dep(&["libyes.so.1"], DlopenPriority::Recommended)]
    );
}

#[test]
fn bad_json_and_unknown_priority_are_diagnostics_and_other_notes_still_count() {
    let spec = Spec::new(true, false, EM_X86_64)
        .note(r#"[{"soname":["liba.so.1"]"#)
        .note(r#"{"not":"an array"}"#)
        .note(r#"[{"soname":["libb.so.1"],"priority":"urgent"},{"soname":["libc2.so.1"]}]"#)
        .note(r#"[{"soname":["libd.so.1"],"priority":"required"}]"#);
    let obj = parse(&spec.build()).unwrap();
    assert_eq!(
        dlopen_summary(&obj),
        [
            (vec!["libc2.so.1"], DlopenPriority::Recommended),
            (vec!["libd.so.1"], DlopenPriority::Required),
        ]
    );
    assert_eq!(obj.diagnostics.len(), 3, "{:?}", obj.diagnostics);
    assert!(
        obj.diagnostics[0].contains("invalid JSON"),
        "{:?}",
        obj.diagnostics
    );
    assert!(
        obj.diagnostics[1].contains("no \"soname\""),
        "{:?}",
        obj.diagnostics
    );
    assert!(
        obj.diagnostics[2].contains("unknown priority \"urgent\""),
        "{:?}",
        obj.diagnostics
    );
}

#[test]
fn truncated_dlopen_note_is_a_diagnostic_and_earlier_notes_are_kept() {
    let mut spec = Spec::new(true, false, EM_X86_64).note(r#"[{"soname":["libkept.so.1"]}]"#);
    let full = spec.raw_note(
        b"FDO\0",
        DLOPEN_NOTE,
        b"[{\"soname\":[\"libcut.so.1\"]}]\0",
        None,
    );
    // The segment ends in the middle of the second note's descriptor.
    spec.notes.extend_from_slice(&full[..full.len() - 9]);
    let obj = parse(&spec.build()).unwrap();
    assert_eq!(
        obj.dlopen_notes,
        [dep(&["libkept.so.1"], DlopenPriority::Recommended)]
    );
    assert_eq!(obj.diagnostics.len(), 1, "{:?}", obj.diagnostics);
    assert!(
        obj.diagnostics[0].contains("runs past the end of its segment"),
        "{:?}",
        obj.diagnostics
    );
}

#[test]
fn huge_dlopen_descriptors_are_refused_without_reading_them() {
    // A descsz claiming 4 GiB: past the segment, nothing allocated.
    let mut spec = Spec::new(true, false, EM_X86_64);
    spec.notes = spec.raw_note(b"FDO\0", DLOPEN_NOTE, b"[]\0", Some(0xffff_fff0));
    let obj = parse(&spec.build()).unwrap();
    assert!(obj.dlopen_notes.is_empty());
    assert_eq!(obj.diagnostics.len(), 1, "{:?}", obj.diagnostics);
    assert!(
        obj.diagnostics[0].contains("runs past the end"),
        "{:?}",
        obj.diagnostics
    );

    // A real descriptor over the 64 KiB limit: skipped, the next note is still read.
    let padded = format!("[{}{{\"soname\":[\"libbig.so.1\"]}}]", " ".repeat(70_000));
    let spec = Spec::new(true, false, EM_X86_64)
        .note(&padded)
        .note(r#"[{"soname":["libafter.so.1"]}]"#);
    let obj = parse(&spec.build()).unwrap();
    assert_eq!(
        obj.dlopen_notes,
        [dep(&["libafter.so.1"], DlopenPriority::Recommended)]
    );
    assert_eq!(obj.diagnostics.len(), 1, "{:?}", obj.diagnostics);
    assert!(
        obj.diagnostics[0].contains("larger than the 65536-byte limit"),
        "{:?}",
        obj.diagnostics
    );
}

#[test]
fn note_segment_with_an_invalid_alignment_is_a_diagnostic() {
    let spec = Spec {
        note_align: 16,
        ..Spec::new(true, false, EM_X86_64)
    }
    .note(r#"[{"soname":["liba.so.1"]}]"#);
    let obj = parse(&spec.build()).unwrap();
    assert!(obj.dlopen_notes.is_empty());
    assert_eq!(obj.diagnostics.len(), 1, "{:?}", obj.diagnostics);
    assert!(
        obj.diagnostics[0].contains("alignment 16"),
        "{:?}",
        obj.diagnostics
    );
}
/// glibc reads a relocation's symbol at its index in DT_SYMTAB (sysdeps/*/dl-machine.h:
/// elf_machine_rel[a]); DT_GNU_HASH counts only hashed (defined) symbols, and an object that
/// defines nothing gets binutils' empty table, whose symoffset 1 says nothing about
/// .dynsym's size. Every undefined reference must still be read and classified per
/// architecture: GLOB_DAT (or the absolute word relocation) and COPY eager, JUMP_SLOT in
/// DT_JMPREL lazy (each architecture's elf_machine_lazy_rel and elf_machine_type_class).
fn undefined_references_past_an_empty_gnu_hash_are_bound(arch: Arch, glob_dat: u32) {
    let (machine, class, endian, e_flags) = arch.elf_identity();
    let info = arch.info();
    let spec = Spec {
        e_flags,
        symbols: vec![("f_ptr", 1), ("f_data", 1), ("f_call", 1)],
        rela: vec![(1, glob_dat), (2, info.reloc_copy)],
        jmprel: vec![(3, info.reloc_jump_slot)],
        empty_gnu_hash: true,
        rel: matches!(arch, Arch::I386 | Arch::ArmHf | Arch::ArmEl),
        ..Spec::new(
            class == ldsim_loader::Class::Elf64,
            endian == ldsim_loader::Endian::Big,
            machine,
        )
    };
    let obj = parse(&spec.build()).unwrap();
    assert_eq!(arch_of(&obj.header), Some(arch));
    assert_eq!(obj.diagnostics, Vec::<String>::new(), "{arch:?}");
    assert_eq!(obj.symbols.len(), 4, "{arch:?}");
    let table = if spec.rel {
        RelocTable::Rel
    } else {
        RelocTable::Rela
    };
    let relocs: Vec<_> = obj
        .relocs
        .iter()
        .map(|r| (r.table, r.kind, &*obj.symbols[r.symbol as usize].name))
        .collect();
    assert_eq!(
        relocs,
        [
            (table, RelocKind::Other, &b"f_ptr"[..]),
            (table, RelocKind::Copy, b"f_data"),
            (RelocTable::JmpRel, RelocKind::JumpSlot, b"f_call"),
        ],
        "{arch:?}"
    );
    let refs = ldsim_loader::binding::references(&obj);
    let plt_only: Vec<_> = refs
        .iter()
        .map(|r| (&*obj.symbols[r.symbol as usize].name, r.plt_only, r.copy))
        .collect();
    assert_eq!(
        plt_only,
        [
            (&b"f_ptr"[..], false, false),
            (b"f_data", false, true),
            (b"f_call", true, false),
        ],
        "{arch:?}"
    );
}

/// One test per architecture, with its GLOB_DAT (riscv64 has none: R_RISCV_64).
macro_rules! empty_gnu_hash_per_arch {
    ($($name:ident: $arch:expr, $glob_dat:expr;)*) => {$(
        #[test]
        fn $name() {
            undefined_references_past_an_empty_gnu_hash_are_bound($arch, $glob_dat);
        }
    )*};
}

empty_gnu_hash_per_arch! {
    undefined_references_past_an_empty_gnu_hash_are_bound_x86_64: Arch::X86_64, 6;
    undefined_references_past_an_empty_gnu_hash_are_bound_i386: Arch::I386, 6;
    undefined_references_past_an_empty_gnu_hash_are_bound_aarch64: Arch::Aarch64, 1025;
    undefined_references_past_an_empty_gnu_hash_are_bound_aarch64_be: Arch::Aarch64Be, 1025;
    undefined_references_past_an_empty_gnu_hash_are_bound_armhf: Arch::ArmHf, 21;
    undefined_references_past_an_empty_gnu_hash_are_bound_armel: Arch::ArmEl, 21;
    undefined_references_past_an_empty_gnu_hash_are_bound_riscv64: Arch::Riscv64, 2;
    undefined_references_past_an_empty_gnu_hash_are_bound_ppc64le: Arch::Ppc64le, 20;
    undefined_references_past_an_empty_gnu_hash_are_bound_ppc64: Arch::Ppc64, 20;
    undefined_references_past_an_empty_gnu_hash_are_bound_s390x: Arch::S390x, 10;
}

/// Two PLT calls of an object of `arch` with the dynamic tag `tags` (DT_LOPROC range), the
/// first to a function whose st_other has 0x80 (STO_AARCH64_VARIANT_PCS /
/// STO_RISCV_VARIANT_CC): the parse, and whether each call is lazy under glibc `release`.
fn variant_calls(
    arch: Arch,
    tags: &[u64],
    release: ldsim_loader::Release,
) -> (bool, Vec<(bool, bool)>) {
    let (machine, class, endian, e_flags) = arch.elf_identity();
    let jump_slot = arch.info().reloc_jump_slot;
    let spec = Spec {
        e_flags,
        symbols: vec![("v_call", 1), ("f_call", 1)],
        sym_other: vec![0x80, 0],
        jmprel: vec![(1, jump_slot), (2, jump_slot)],
        extra_dyn: tags.iter().map(|&t| (t, 0)).collect(),
        rel: matches!(arch, Arch::I386 | Arch::ArmHf | Arch::ArmEl),
        ..Spec::new(
            class == ldsim_loader::Class::Elf64,
            endian == ldsim_loader::Endian::Big,
            machine,
        )
    };
    let obj = parse(&spec.build()).unwrap();
    assert_eq!(obj.diagnostics, Vec::<String>::new(), "{arch:?}");
    assert_eq!(obj.symbols[1].other, 0x80);
    assert_eq!(obj.symbols[1].visibility, 0);
    let refs = ldsim_loader::binding::references(&obj);
    let calls = refs
        .iter()
        .map(|r| (r.variant_call, r.glibc_lazy(&obj, release)))
        .collect();
    let tagged = obj.dynamic.as_ref().is_some_and(|d| d.variant_calls);
    (tagged, calls)
}

const DT_AARCH64_VARIANT_PCS: u64 = 0x7000_0005;
const DT_RISCV_VARIANT_CC: u64 = 0x7000_0001;

/// glibc >= 2.33, sysdeps/aarch64/dl-machine.h: elf_machine_lazy_rel resolves a JUMP_SLOT at
/// once when the object has DT_AARCH64_VARIANT_PCS and the symbol STO_AARCH64_VARIANT_PCS
/// (BZ #26798 made the 2.30 code effective); other calls of the object stay lazy.
#[test]
fn aarch64_variant_pcs_call_is_bound_at_startup_since_glibc_2_33() {
    for arch in [Arch::Aarch64, Arch::Aarch64Be] {
        let (tagged, calls) = variant_calls(
            arch,
            &[DT_AARCH64_VARIANT_PCS],
            ldsim_loader::Release::new(2, 36, 0),
        );
        assert!(tagged, "{arch:?}");
        assert_eq!(calls, [(true, false), (false, true)], "{arch:?}");
        let (_, calls) = variant_calls(
            arch,
            &[DT_AARCH64_VARIANT_PCS],
            ldsim_loader::Release::new(2, 33, 0),
        );
        assert_eq!(calls, [(true, false), (false, true)], "{arch:?}");
    }
}

/// glibc 2.30 to 2.32 checked the symbol only when `l_mach.plt` was set, which a normal link
/// never makes it: the variant PCS call was still bound lazily (BZ #26798).
#[test]
fn aarch64_variant_pcs_call_is_lazy_before_glibc_2_33() {
    let (_, calls) = variant_calls(
        Arch::Aarch64,
        &[DT_AARCH64_VARIANT_PCS],
        ldsim_loader::Release::new(2, 32, 0),
    );
    assert_eq!(calls, [(true, true), (false, true)]);
}

/// The marked symbol alone is not enough: glibc looks at st_other only when the object has
/// the dynamic tag (`map->l_info[DT_AARCH64 (VARIANT_PCS)] != NULL`).
#[test]
fn aarch64_variant_pcs_symbol_without_the_dynamic_tag_stays_lazy() {
    let (tagged, calls) = variant_calls(Arch::Aarch64, &[], ldsim_loader::Release::new(2, 36, 0));
    assert!(!tagged);
    assert_eq!(calls, [(false, true), (false, true)]);
}

/// riscv's DT_RISCV_VARIANT_CC / STO_RISCV_VARIANT_CC are read, but glibc's riscv
/// elf_machine_lazy_rel defers every R_RISCV_JUMP_SLOT alike: observed on glibc 2.41
/// (tests/tests/foreign_arch.rs, variant_cc/call_variant_cc fails on call).
#[test]
fn riscv64_variant_cc_call_stays_lazy() {
    let (tagged, calls) = variant_calls(
        Arch::Riscv64,
        &[DT_RISCV_VARIANT_CC],
        ldsim_loader::Release::new(2, 41, 0),
    );
    assert!(tagged);
    assert_eq!(calls, [(true, true), (false, true)]);
}

/// DT_LOPROC tags are per machine: 0x70000005 is DT_AARCH64_VARIANT_PCS only on aarch64
/// (on ppc64 0x70000000..2 are DT_PPC64_GLINK/OPD/OPDSZ, on MIPS 0x70000005 is DT_MIPS_FLAGS).
#[test]
fn variant_pcs_tag_number_means_nothing_on_other_machines() {
    for arch in [Arch::X86_64, Arch::Ppc64le, Arch::S390x, Arch::Riscv64] {
        let (tagged, calls) = variant_calls(
            arch,
            &[DT_AARCH64_VARIANT_PCS],
            ldsim_loader::Release::new(2, 41, 0),
        );
        assert!(!tagged, "{arch:?}");
        assert_eq!(calls, [(false, true), (false, true)], "{arch:?}");
    }
}

/// ppc64 ELFv2: R_PPC64_JMP_SLOT (21) in DT_JMPREL is the lazy one, with DT_PPC64_GLINK
/// (DT_LOPROC + 0) pointing at the glink stubs the lazy slots are set to
/// (sysdeps/powerpc/powerpc64/dl-machine.h: elf_machine_runtime_setup, elf_machine_lazy_rel);
/// st_other's high bits there are the local-entry offset, not a variant marking.
#[test]
fn ppc64le_jmp_slot_21_with_dt_ppc64_glink_is_lazy() {
    let (tagged, calls) = variant_calls(
        Arch::Ppc64le,
        &[0x7000_0000],
        ldsim_loader::Release::new(2, 36, 0),
    );
    assert!(!tagged);
    assert_eq!(calls, [(false, true), (false, true)]);
}

/// s390x: R_390_JMP_SLOT (11) is deferred (sysdeps/s390/s390-64/dl-machine.h:
/// elf_machine_lazy_rel); GLOB_DAT (10) is bound at start-up.
#[test]
fn s390x_jmp_slot_11_is_lazy_and_glob_dat_10_is_not() {
    let (_, calls) = variant_calls(Arch::S390x, &[], ldsim_loader::Release::new(2, 36, 0));
    assert_eq!(calls, [(false, true), (false, true)]);
    assert_eq!(Arch::S390x.reloc_kind(10), RelocKind::Other);
}

/// i386 uses REL tables (DT_PLTREL = DT_REL): R_386_JMP_SLOT (7) in DT_JMPREL is deferred
/// (sysdeps/i386/dl-machine.h: elf_machine_lazy_rel), R_386_GLOB_DAT (6) is not.
#[test]
fn i386_rel_jmp_slot_is_lazy() {
    let (_, calls) = variant_calls(Arch::I386, &[], ldsim_loader::Release::new(2, 36, 0));
    assert_eq!(calls, [(false, true), (false, true)]);
    assert_eq!(Arch::I386.reloc_kind(6), RelocKind::Other);
}

/// glibc elf/do-rel.h: the first DT_RELACOUNT entries of the eager range are relocated as
/// relative without their symbol being read; the count never reaches into DT_JMPREL.
#[test]
fn entries_counted_by_dt_relacount_are_relative_to_glibc() {
    const DT_RELACOUNT: u64 = 0x6fff_fff9;
    const R_X86_64_RELATIVE: u32 = 8;
    let with_count = |count: u64| Spec {
        rela: vec![(0, R_X86_64_RELATIVE), (2, 5)],
        extra_dyn: vec![(DT_RELACOUNT, count)],
        ..program(true, false, EM_X86_64, 7, 5)
    };
    let obj = parse(&with_count(1).build()).unwrap();
    assert_copy_then_jump_slot(&obj);
    // A count over the copy relocation hides it, as it does from glibc; one past the end of
    // the table stops there.
    for count in [2, 1000] {
        let obj = parse(&with_count(count).build()).unwrap();
        let relocs: Vec<_> = obj.relocs.iter().map(|r| (r.table, r.symbol)).collect();
        assert_eq!(relocs, [(RelocTable::JmpRel, 1)], "DT_RELACOUNT {count}");
    }
}
