//! C++ names readable in the human output: every Itanium-mangled word (`_ZN…`) of a reason,
//! a symbol list or the floor is shown demangled (`std::condition_variable::wait(…)`).
//! The loader's own message is never touched (it is the exact text the loader prints), and
//! JSON and the CI formats keep the names as the file has them.

use std::borrow::Cow;

/// Mangled words longer than this are left as they are: the demangler's work grows with the
/// name, and a hostile file's names are as long as it likes.
const MAX_MANGLED: usize = 4096;

/// `text` with each mangled C++ name demangled.
pub fn words(text: &str) -> Cow<'_, str> {
    if !text.contains("_Z") {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("_Z") {
        // A word starts here only after a character that cannot be part of a name.
        let starts_word = rest[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !is_name_char(c));
        let end = rest[at..]
            .find(|c: char| !is_name_char(c))
            .map_or(rest.len(), |n| at + n);
        out.push_str(&rest[..at]);
        let word = &rest[at..end];
        match starts_word.then(|| demangled(word)).flatten() {
            Some(readable) => out.push_str(&readable),
            None => out.push_str(word),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '$'
}

fn demangled(word: &str) -> Option<String> {
    if word.len() > MAX_MANGLED {
        return None;
    }
    let symbol = cpp_demangle::Symbol::new(word.as_bytes()).ok()?;
    symbol.demangle().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mangled_words_are_demangled_and_others_kept() {
        assert_eq!(
            words("needing GLIBCXX_3.4.30: _ZNSt18condition_variable4waitERSt11unique_lockISt5mutexE, puts"),
            "needing GLIBCXX_3.4.30: std::condition_variable::wait(std::unique_lock<std::mutex>&), puts"
        );
        assert_eq!(
            words("_ZSt8to_charsPcS_d"),
            "std::to_chars(char*, char*, double)"
        );
        // Not a word start, not a valid name, too long: as they are.
        assert_eq!(words("x_Z3foov"), "x_Z3foov");
        assert_eq!(words("_Zgarbage"), "_Zgarbage");
        let long = format!("_Z{}", "N".repeat(MAX_MANGLED));
        assert_eq!(words(&long), long);
        assert!(matches!(words("plain text"), Cow::Borrowed(_)));
    }
}
