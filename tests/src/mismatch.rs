//! What the differential tests collect: one row per disagreement between the real loader and
//! ldsim, reported together as one table so that a run shows every difference at once.

/// One disagreement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// `flavour/case`.
    pub case: String,
    /// The fixture root's name.
    pub root: String,
    /// Which field, e.g. `lazy:missing_versions` or `first.message`.
    pub field: String,
    /// What the real loader did.
    pub real: String,
    /// What ldsim said.
    pub ldsim: String,
}

/// Prints that `checked` `what` agree, or panics with every mismatch in one table.
pub fn assert_none(what: &str, checked: usize, mismatches: &[Mismatch]) {
    if mismatches.is_empty() {
        println!("{checked} {what} agree");
        return;
    }
    let width = |f: fn(&Mismatch) -> &str, min: usize| {
        mismatches
            .iter()
            .map(|m| f(m).chars().count())
            .max()
            .unwrap_or(0)
            .clamp(min, 60)
    };
    let (c, r, f, v) = (
        width(|m| &m.case, 4),
        width(|m| &m.root, 4),
        width(|m| &m.field, 5),
        width(|m| &m.real, 4),
    );
    let mut table = format!(
        "{} mismatches over {checked} {what}:\n{:<c$} {:<r$} {:<f$} {:<v$} ldsim\n",
        mismatches.len(),
        "case",
        "root",
        "field",
        "real"
    );
    for x in mismatches {
        table.push_str(&format!(
            "{:<c$} {:<r$} {:<f$} {:<v$} {}\n",
            x.case, x.root, x.field, x.real, x.ldsim
        ));
    }
    panic!("{table}");
}
