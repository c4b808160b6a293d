//! The x86 ISA level an object needs: GNU_PROPERTY_X86_ISA_1_NEEDED in the
//! NT_GNU_PROPERTY_TYPE_0 note, read as glibc does (glibc elf/dl-load.c:
//! _dl_process_pt_gnu_property and sysdeps/x86/dl-prop.h: _dl_process_property_note).

use super::header::Phdr;
use super::note::{align_up, Notes};
use super::reader::Reader;
use goblin::elf::program_header::{PT_GNU_PROPERTY, PT_NOTE};

const NT_GNU_PROPERTY_TYPE_0: u32 = 5;
const GNU_PROPERTY_X86_ISA_1_NEEDED: u32 = 0xc000_8002;
const GNU_PROPERTY_X86_FEATURE_1_AND: u32 = 0xc000_0002;
const GNU_PROPERTY_1_NEEDED: u32 = 0xb000_8000;

/// What scanning one segment found.
enum Found {
    /// No NT_GNU_PROPERTY_TYPE_0 note here: keep looking in other segments.
    Nothing,
    /// A property note was seen (glibc's `l_property` leaves "unknown"); this is the answer.
    Note(u32),
}

/// glibc scans the program headers backwards, so PT_GNU_PROPERTY (which follows PT_NOTE)
/// wins, and stops at the first segment holding a GNU property note. Only x86 objects
/// carry this property; callers pass other machines' objects too and get 0.
pub(super) fn x86_isa_needed(r: &Reader<'_>, phdrs: &[Phdr]) -> u32 {
    for ph in phdrs.iter().rev() {
        if ph.p_type != PT_NOTE && ph.p_type != PT_GNU_PROPERTY {
            continue;
        }
        // "The NT_GNU_PROPERTY_TYPE_0 note must be aligned to 4 bytes in 32-bit objects and
        // to 8 bytes in 64-bit objects. Skip notes with incorrect alignment."
        if ph.align != r.word_size() {
            continue;
        }
        if let Found::Note(isa) = scan_segment(r, ph) {
            return isa;
        }
    }
    0
}

fn scan_segment(r: &Reader<'_>, ph: &Phdr) -> Found {
    let Some(end) = ph.offset.checked_add(ph.filesz) else {
        return Found::Nothing;
    };
    for note in Notes::new(r, ph.offset, end, r.word_size()) {
        if note.namesz == 4
            && note.n_type == NT_GNU_PROPERTY_TYPE_0
            && r.slice(note.name, 4) == Some(b"GNU\0")
        {
            return Found::Note(properties(r, note.desc, note.descsz));
        }
    }
    Found::Nothing
}

/// Walk the property array of one note for the ISA level. Any malformation gives 0, as
/// glibc's early `return`s leave the bits unset.
fn properties(r: &Reader<'_>, desc: u64, descsz: u32) -> u32 {
    let align = r.word_size();
    let descsz = u64::from(descsz);
    if descsz < 8 || descsz % align != 0 {
        return 0;
    }
    let end = desc + descsz;
    let mut ptr = desc;
    let mut last_type = 0;
    while end.saturating_sub(ptr) >= 8 {
        let (Some(p_type), Some(datasz)) = (r.u32(ptr), r.u32(ptr + 4)) else {
            return 0;
        };
        if p_type < last_type {
            return 0;
        }
        ptr += 8;
        let datasz = u64::from(datasz);
        if ptr + datasz > end {
            return 0;
        }
        last_type = p_type;
        match p_type {
            GNU_PROPERTY_X86_FEATURE_1_AND
            | GNU_PROPERTY_1_NEEDED
            | GNU_PROPERTY_X86_ISA_1_NEEDED => {
                if datasz != 4 {
                    return 0;
                }
                if p_type == GNU_PROPERTY_X86_ISA_1_NEEDED {
                    // The last type glibc looks for: stop here.
                    return r.u32(ptr).unwrap_or(0);
                }
            }
            // Types are sorted; nothing after this can be the ISA level.
            t if t > GNU_PROPERTY_X86_ISA_1_NEEDED => return 0,
            _ => {}
        }
        let Some(step) = align_up(datasz, align) else {
            return 0;
        };
        ptr += step;
    }
    0
}
