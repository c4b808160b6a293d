//! Colour for the verdict words of the human output: green runs, red fails, yellow runs?.
//! Only when asked (`--color always`) or when standard output is a terminal and `NO_COLOR` is
//! not set (`--color auto`, the default). The colour codes are added after escaping, so a
//! byte of the input can still never reach the terminal raw.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};

use anstyle::{AnsiColor, Style};

static ENABLED: AtomicBool = AtomicBool::new(false);

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// When standard output is a terminal and NO_COLOR is not set.
    Auto,
    Always,
    Never,
}

/// Decide once, at start-up.
pub fn choose(choice: ColorChoice) {
    let on = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    ENABLED.store(on, Ordering::Relaxed);
}

/// What a verdict says.
#[derive(Debug, Clone, Copy)]
pub enum Tone {
    Good,
    Bad,
    Unsure,
}

/// `text` (already escaped) in the tone's colour, when colour is on.
pub fn paint(text: &str, tone: Tone) -> String {
    if !ENABLED.load(Ordering::Relaxed) {
        return text.to_owned();
    }
    let color = match tone {
        Tone::Good => AnsiColor::Green,
        Tone::Bad => AnsiColor::Red,
        Tone::Unsure => AnsiColor::Yellow,
    };
    let style = Style::new().fg_color(Some(color.into())).bold();
    format!("{}{text}{}", style.render(), style.render_reset())
}
