//! `.note.dlopen` metadata (<https://systemd.io/ELF_DLOPEN_METADATA/>, systemd's
//! `ELF_NOTE_DLOPEN` / `SD_ELF_NOTE_DLOPEN` macros): notes of owner `FDO` and type
//! `0x407c0c0a` whose descriptor is a NUL-terminated JSON array of objects, one per library
//! the object may `dlopen`. Read from PT_NOTE segments (the section is allocated), never from
//! section headers.
//!
//! Bounded: a descriptor larger than [`MAX_DESCRIPTOR`] is not decoded, at most
//! [`MAX_DEPENDENCIES`] entries are kept, and serde_json limits nesting depth. Anything that
//! cannot be decoded is one diagnostics line, never an error for the whole file.

use super::note::Notes;
use super::reader::Reader;
use super::{header::Phdr, Diagnostics};
use crate::model::{DlopenDependency, DlopenPriority, FDO_NOTE_OWNER, NT_FDO_DLOPEN_METADATA};
use goblin::elf::program_header::PT_NOTE;
use serde_json::Value;

/// Largest descriptor decoded (one note per `dlopen` call site is a few hundred bytes).
pub(super) const MAX_DESCRIPTOR: u32 = 64 * 1024;
/// Most entries kept for one object.
pub(super) const MAX_DEPENDENCIES: usize = 1024;

/// Why one note, or one entry of its array, was skipped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum NoteError {
    #[error("descriptor of {0} bytes is larger than the {MAX_DESCRIPTOR}-byte limit")]
    TooLarge(u32),
    #[error("invalid JSON: {0}")]
    Json(String),
    #[error("the JSON value is not an array of objects")]
    NotArray,
    #[error("entry {0} is not a JSON object")]
    NotObject(usize),
    #[error("entry {0} has no \"soname\"")]
    NoSoname(usize),
    #[error("entry {0}: \"soname\" is not a non-empty array of non-empty strings")]
    BadSoname(usize),
    #[error("entry {0}: \"{1}\" is not a string")]
    NotString(usize, &'static str),
    #[error("entry {0}: unknown priority {1:?}")]
    UnknownPriority(usize, String),
}

/// Every dependency declared by dlopen notes, in file order.
pub(super) fn read(
    r: &Reader<'_>,
    phdrs: &[Phdr],
    diags: &mut Diagnostics,
) -> Vec<DlopenDependency> {
    let mut out = Vec::new();
    let mut dropped = 0usize;
    for (index, ph) in phdrs.iter().enumerate() {
        if ph.p_type != PT_NOTE {
            continue;
        }
        // binutils readelf (process_notes_at): alignment below 4 means 4; only 4 and 8 are
        // valid. glibc likewise pads notes to 4 in PT_NOTE segments aligned to 4 or less.
        let align = match ph.align {
            0..=4 => 4,
            8 => 8,
            other => {
                diags.push(format!(
                    "PT_NOTE #{index}: alignment {other} is neither 4 nor 8; notes not read"
                ));
                continue;
            }
        };
        let Some(seg_end) = ph.offset.checked_add(ph.filesz) else {
            diags.push(format!("PT_NOTE #{index}: offset and size overflow"));
            continue;
        };
        let end = if seg_end > r.len() {
            diags.push(format!(
                "PT_NOTE #{index}: segment extends past the end of the file"
            ));
            r.len()
        } else {
            seg_end
        };
        for note in Notes::new(r, ph.offset, end, align) {
            let fits = |e: Option<u64>| e.is_some_and(|e| e <= end);
            if !fits(note.name_end()) || !fits(note.desc_end()) {
                diags.push(format!(
                    "PT_NOTE #{index}: note at offset {:#x} runs past the end of its segment; \
                     the rest of the segment is not read",
                    note.offset
                ));
                break;
            }
            if note.n_type != NT_FDO_DLOPEN_METADATA
                || note.namesz != 4
                || r.slice(note.name, 3) != Some(FDO_NOTE_OWNER)
                || r.u8(note.name + 3) != Some(0)
            {
                continue;
            }
            let result = if note.descsz > MAX_DESCRIPTOR {
                Err(NoteError::TooLarge(note.descsz))
            } else {
                let desc = r
                    .slice(note.desc, u64::from(note.descsz))
                    .unwrap_or_default();
                decode(desc)
            };
            match result {
                Ok(entries) => {
                    for entry in entries {
                        match entry {
                            Ok(dep) if out.len() < MAX_DEPENDENCIES => out.push(dep),
                            Ok(_) => dropped += 1,
                            Err(e) => diags.push(format!(
                                "dlopen note at offset {:#x}: {e}; entry skipped",
                                note.offset
                            )),
                        }
                    }
                }
                Err(e) => diags.push(format!(
                    "dlopen note at offset {:#x}: {e}; note skipped",
                    note.offset
                )),
            }
        }
    }
    if dropped > 0 {
        diags.push(format!(
            "dlopen notes: {dropped} entries past the first {MAX_DEPENDENCIES} not kept"
        ));
    }
    out
}

/// One descriptor: the JSON text up to its terminating NUL (and padding NULs), decoded.
/// The outer result fails for the whole note; the inner ones per array entry.
fn decode(desc: &[u8]) -> Result<Vec<Result<DlopenDependency, NoteError>>, NoteError> {
    let text_len = desc.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    let text = desc.get(..text_len).unwrap_or_default();
    let value: Value = serde_json::from_slice(text).map_err(|e| NoteError::Json(e.to_string()))?;
    match value {
        Value::Array(items) => Ok(items.iter().enumerate().map(|(i, v)| entry(i, v)).collect()),
        // The first revision of the specification described a single object per note.
        Value::Object(_) => Ok(vec![entry(0, &value)]),
        _ => Err(NoteError::NotArray),
    }
}

fn entry(index: usize, value: &Value) -> Result<DlopenDependency, NoteError> {
    let Value::Object(map) = value else {
        return Err(NoteError::NotObject(index));
    };
    let sonames = match map.get("soname") {
        None => return Err(NoteError::NoSoname(index)),
        // The first revision of the specification had a single string.
        Some(Value::String(name)) => vec![name.as_str()],
        Some(Value::Array(names)) => names
            .iter()
            .map(Value::as_str)
            .collect::<Option<Vec<_>>>()
            .ok_or(NoteError::BadSoname(index))?,
        Some(_) => return Err(NoteError::BadSoname(index)),
    };
    if sonames.is_empty() || sonames.iter().any(|s| s.is_empty()) {
        return Err(NoteError::BadSoname(index));
    }
    let text = |key: &'static str| match map.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(NoteError::NotString(index, key)),
    };
    let feature = text("feature")?;
    let description = text("description")?;
    let priority = match text("priority")? {
        None => DlopenPriority::default(),
        Some(p) => {
            DlopenPriority::from_note_value(&p).ok_or(NoteError::UnknownPriority(index, p))?
        }
    };
    Ok(DlopenDependency {
        sonames: sonames.into_iter().map(|s| s.as_bytes().to_vec()).collect(),
        feature,
        description,
        priority,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(json: &str) -> Vec<DlopenDependency> {
        decode(json.as_bytes())
            .unwrap()
            .into_iter()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn keys_defaults_and_unknown_keys() {
        let deps = ok(concat!(
            r#"[{"soname":["libfoo.so.1","libfoo.so.0"],"feature":"foo","#,
            r#""description":"Foo support","priority":"suggested","x-vendor":{"a":[1]}},"#,
            r#"{"soname":["libbar.so.2"]}]"#,
            "\0\0\0"
        ));
        assert_eq!(
            deps,
            [
                DlopenDependency {
                    sonames: vec![b"libfoo.so.1".to_vec(), b"libfoo.so.0".to_vec()],
                    feature: Some("foo".into()),
                    description: Some("Foo support".into()),
                    priority: DlopenPriority::Suggested,
                },
                DlopenDependency {
                    sonames: vec![b"libbar.so.2".to_vec()],
                    feature: None,
                    description: None,
                    priority: DlopenPriority::Recommended,
                }
            ]
        );
    }

    #[test]
    fn first_revision_single_object_and_string_soname() {
        let deps = ok(r#"{"soname":"libfoo.so.1","priority":"required"}"#);
        assert_eq!(deps.len(), 1);
        assert_eq!(deps[0].sonames, [b"libfoo.so.1".to_vec()]);
        assert_eq!(deps[0].priority, DlopenPriority::Required);
    }

    #[test]
    fn bad_entries_fail_alone() {
        let entries = decode(
            br#"[{"soname":[]},{"feature":"x"},{"soname":["a"],"priority":"high"},
                {"soname":["b"],"feature":3},7,{"soname":[""]},{"soname":["c"]}]"#,
        )
        .unwrap();
        let errors: Vec<_> = entries
            .iter()
            .filter_map(|e| e.as_ref().err().cloned())
            .collect();
        assert_eq!(
            errors,
            [
                NoteError::BadSoname(0),
                NoteError::NoSoname(1),
                NoteError::UnknownPriority(2, "high".into()),
                NoteError::NotString(3, "feature"),
                NoteError::NotObject(4),
                NoteError::BadSoname(5),
            ]
        );
        assert_eq!(
            entries.last().unwrap().as_ref().unwrap().sonames,
            [b"c".to_vec()]
        );
    }

    #[test]
    fn bad_json_and_wrong_shape_fail_the_note() {
        assert!(matches!(decode(b"[{\"soname\":"), Err(NoteError::Json(_))));
        assert!(matches!(decode(b""), Err(NoteError::Json(_))));
        assert!(matches!(decode(b"[1]\0garbage"), Err(NoteError::Json(_))));
        assert_eq!(decode(b"\"libfoo.so.1\""), Err(NoteError::NotArray));
        // Nesting deeper than serde_json's recursion limit is an error, not a stack overflow.
        let deep = "[".repeat(10_000);
        assert!(matches!(decode(deep.as_bytes()), Err(NoteError::Json(_))));
    }
}
