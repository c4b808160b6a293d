//! The one-line tally closing human output when more than one file was checked, and the
//! progress bar shown on a terminal while a long run checks them.

use std::sync::OnceLock;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use ldsim_resolver::Verdict;

use crate::{Column, Outcome};

/// `1,516 files: 1,320 load, 190 fail, 6 errors` (with several targets: `… against 19
/// targets: 1,320 load on every one, 190 fail on at least one, 6 errors`); `None` for one file.
pub(crate) fn line(columns: &[Column]) -> Option<String> {
    let files = columns.iter().map(|c| c.outcomes.len()).max().unwrap_or(0);
    if files < 2 {
        return None;
    }
    let (mut load, mut fail, mut error) = (0usize, 0usize, 0usize);
    for index in 0..files {
        let outcomes: Vec<&Outcome> = columns
            .iter()
            .filter_map(|c| c.outcomes.get(index))
            .filter(|o| !matches!(o, Outcome::Absent))
            .collect();
        if outcomes.is_empty() {
            continue;
        }
        let reports: Vec<Verdict> = outcomes
            .iter()
            .filter_map(|o| match o {
                Outcome::Report(r) => Some(r.verdict),
                Outcome::Error(_) | Outcome::Absent => None,
            })
            .collect();
        if reports.is_empty() {
            error += 1;
        } else if reports.iter().any(|v| *v != Verdict::Ok) {
            fail += 1;
        } else {
            load += 1;
        }
    }
    let plural = |n: usize, one: &str, many: &str| {
        format!("{} {}", grouped(n), if n == 1 { one } else { many })
    };
    let targets = columns.len();
    Some(if targets > 1 {
        format!(
            "{} against {targets} targets: {} load on every one, {} on at least one, {}",
            plural(load + fail + error, "file", "files"),
            grouped(load),
            plural(fail, "fails", "fail"),
            plural(error, "error", "errors"),
        )
    } else {
        format!(
            "{}: {}, {}, {}",
            plural(load + fail + error, "file", "files"),
            plural(load, "loads", "load"),
            plural(fail, "fails", "fail"),
            plural(error, "error", "errors"),
        )
    })
}

/// `1516` → `1,516`.
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

static PROGRESS: OnceLock<ProgressBar> = OnceLock::new();

/// Start the progress bar: on standard error, only when it is a terminal and logs are not
/// being written there (`-v`), and never with `--quiet`.
pub(crate) fn start_progress(shown: bool) {
    let bar = if shown {
        ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{spinner} checked {pos}/{len} {wide_bar} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let _ = PROGRESS.set(bar);
}

/// `count` more checks to do (one per file and target).
pub(crate) fn add_work(count: usize) {
    if let Some(bar) = PROGRESS.get() {
        bar.inc_length(count as u64);
    }
}

/// One check done.
pub(crate) fn done_one() {
    if let Some(bar) = PROGRESS.get() {
        bar.inc(1);
    }
}

/// Take the bar off the terminal before the results are written.
pub(crate) fn finish_progress() {
    if let Some(bar) = PROGRESS.get() {
        bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1516), "1,516");
        assert_eq!(grouped(1234567), "1,234,567");
    }

    fn column(outcomes: Vec<Outcome>) -> Column {
        Column {
            name: "t".into(),
            outcomes,
            error: None,
        }
    }

    #[test]
    fn one_file_has_no_summary() {
        assert_eq!(line(&[column(vec![Outcome::Error("x".into())])]), None);
    }

    #[test]
    fn files_are_tallied_by_their_worst_outcome() {
        let one = column(vec![
            Outcome::Error("unreadable".into()),
            Outcome::Error("unreadable".into()),
        ]);
        assert_eq!(
            line(&[one]).as_deref(),
            Some("2 files: 0 load, 0 fail, 2 errors")
        );
    }
}
