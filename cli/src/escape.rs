//! Text taken from the input (DT_NEEDED names, symbol and version names, paths, file names of
//! the command line or a directory walk), made safe to print on a terminal.
//!
//! An image chooses those bytes: printed raw, an ESC could recolour the terminal or set its
//! title, and a CR or LF could print a line ldsim never wrote (`/bin/app: ok`). Human output
//! therefore shows every character that is not printable as a visible escape:
//!
//! - C0 controls (U+0000–U+001F, TAB, CR and LF included) and DEL: `\x1b`, `\x0a`, `\x7f`;
//! - C1 controls (U+0080–U+009F, which some terminals obey as CSI, OSC, …), the characters that
//!   reorder or hide text (bidirectional overrides and isolates, zero-width characters, the
//!   line and paragraph separators, the byte-order mark) and U+FFFD, the mark the report puts
//!   where the input was not UTF-8: `\u{9b}`, `\u{202e}`, `\u{fffd}`;
//! - a backslash as `\\`, so that an escape always means the character and a name that
//!   literally contains `\x1b` stays distinguishable from one that contains an ESC.
//!
//! Every other character, printable Unicode included, is kept as is. JSON output is not
//! escaped here: serde_json writes control characters as `\u001b` and carries the exact text.
//!
//! ldsim's own words contain no backslash and no control character, so escaping a whole line
//! of human output escapes exactly the input in it; the lines that carry ldsim's own TAB
//! (list mode's `undefined symbol: X\t(OBJ)`, LD_DEBUG's `search path=…\t\t(…)`) escape the
//! input on either side of it.

use std::borrow::Cow;
use std::fmt::Write as _;

/// `text` with every character that is not printable (see the module) as a visible escape.
pub fn text(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        push_char(&mut out, c);
    }
    Cow::Owned(out)
}

/// Appends `line` escaped, then a newline: one line of human output.
pub fn push_line(out: &mut String, line: &str) {
    out.push_str(&text(line));
    out.push('\n');
}

/// One line of human output (`format!` arguments), escaped and ended by a newline.
macro_rules! line {
    ($out:expr, $($arg:tt)*) => {
        $crate::escape::push_line($out, &format!($($arg)*))
    };
}
pub(crate) use line;

/// An LD_DEBUG-style log line: escaped, except the TAB pair glibc puts before the origin of a
/// `search path=DIRS\t\t(ORIGIN)` line (resolver/src/glibc.rs prints it so). The last pair
/// of such a line is taken as that separator: a name holding one more can at worst keep one
/// TAB pair raw, which neither leaves the line nor changes colours.
pub fn log_line(line: &str) -> Cow<'_, str> {
    const SEPARATOR: &str = "\t\t(";
    if line.trim_start().starts_with("search path=") {
        if let Some(at) = line.rfind(SEPARATOR) {
            let (dirs, origin) = (&line[..at], &line[at + 2..]);
            return Cow::Owned(format!("{}\t\t{}", text(dirs), text(origin)));
        }
    }
    text(line)
}

/// Whether `c` is shown as an escape.
fn needs_escape(c: char) -> bool {
    c == '\\' || c.is_control() || hidden(c)
}

/// Printable by Unicode's categories, but invisible or reordering what follows (Trojan
/// Source): bidirectional marks, embeddings, overrides and isolates, zero-width characters,
/// the line and paragraph separators, the byte-order mark, interlinear annotation, and the
/// replacement character that stands for bytes that were not UTF-8.
fn hidden(c: char) -> bool {
    matches!(
        c,
        '\u{061c}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{2069}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{fffd}'
    )
}

fn push_char(out: &mut String, c: char) {
    match c {
        '\\' => out.push_str("\\\\"),
        c if c.is_ascii_control() => {
            let _ = write!(out, "\\x{:02x}", u32::from(c));
        }
        c if needs_escape(c) => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
        c => out.push(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_text_is_borrowed_unchanged() {
        for s in [
            "",
            "libc.so.6",
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
            "café ∑ 日本 …",
        ] {
            assert!(matches!(text(s), Cow::Borrowed(b) if b == s), "{s:?}");
        }
    }

    #[test]
    fn c0_controls_and_del_are_hex_escapes() {
        assert_eq!(text("lib\x1b[31mevil.so"), "lib\\x1b[31mevil.so");
        assert_eq!(
            text("a\x07b\rc\nd\te\0f\x7f"),
            "a\\x07b\\x0dc\\x0ad\\x09e\\x00f\\x7f"
        );
        assert_eq!(
            text("x\n/bin/app: ok (static, no loader)"),
            "x\\x0a/bin/app: ok (static, no loader)"
        );
        // The title sequence: OSC 0 ; title BEL.
        assert_eq!(text("\x1b]0;owned\x07"), "\\x1b]0;owned\\x07");
    }

    #[test]
    fn c1_and_hidden_characters_are_unicode_escapes() {
        assert_eq!(text("a\u{9b}31mb"), "a\\u{9b}31mb");
        assert_eq!(text("\u{85}"), "\\u{85}");
        assert_eq!(text("evil\u{202e}os.6"), "evil\\u{202e}os.6");
        assert_eq!(
            text("a\u{200b}b\u{2028}c\u{feff}"),
            "a\\u{200b}b\\u{2028}c\\u{feff}"
        );
        assert_eq!(text("caf\u{fffd}"), "caf\\u{fffd}");
        assert_eq!(
            text(&String::from_utf8_lossy(b"lib\xff.so")),
            "lib\\u{fffd}.so"
        );
    }

    #[test]
    fn backslash_is_doubled_so_escapes_are_unambiguous() {
        assert_eq!(text("a\\b"), "a\\\\b");
        // A name literally spelling an escape differs from one holding the character.
        assert_ne!(text("\\x1b"), text("\x1b"));
        assert_eq!(text("\\x1b"), "\\\\x1b");
    }

    /// The inverse of [`text`], to prove escapes unambiguous.
    fn unescape(s: &str) -> String {
        let mut out = String::new();
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            let code = match chars.next() {
                Some('\\') => {
                    out.push('\\');
                    continue;
                }
                Some('x') => chars.by_ref().take(2).collect::<String>(),
                Some('u') => chars
                    .by_ref()
                    .skip(1)
                    .take_while(|&c| c != '}')
                    .collect::<String>(),
                other => panic!("stray escape {other:?} in {s:?}"),
            };
            out.push(char::from_u32(u32::from_str_radix(&code, 16).unwrap()).unwrap());
        }
        out
    }

    #[test]
    fn output_never_holds_a_control_character_and_decodes_back() {
        let all: String = (0u32..0x3000)
            .chain(0xfe00..0x10000)
            .filter_map(char::from_u32)
            .collect();
        let escaped = text(&all);
        assert!(!escaped.chars().any(|c| c.is_control() || hidden(c)));
        assert_eq!(unescape(&escaped), all);
        for s in ["\\x1b", "\\\x1b", "a\\", "\\u{41}"] {
            assert_eq!(unescape(&text(s)), s);
        }
    }

    #[test]
    fn push_line_keeps_its_own_newline_only() {
        let mut out = String::new();
        line!(&mut out, "  {}: {}", "lib\nx", "ok");
        assert_eq!(out, "  lib\\x0ax: ok\n");
    }

    #[test]
    fn log_lines_keep_the_search_path_separator() {
        assert_eq!(
            log_line("  search path=/a:/b\t\t(system search path)"),
            "  search path=/a:/b\t\t(system search path)"
        );
        assert_eq!(
            log_line("  search path=/a\x1b[2J\t:/b\t\t(RUNPATH from file /x\ny)"),
            "  search path=/a\\x1b[2J\\x09:/b\t\t(RUNPATH from file /x\\x0ay)"
        );
        assert_eq!(
            log_line("   trying file=/a\t\t(b)"),
            "   trying file=/a\\x09\\x09(b)"
        );
    }
}
