//! Project automation: `cargo xtask fixtures` builds the test roots and programs,
//! `cargo xtask ci` runs everything CI checks, `cargo xtask bench` measures image opening,
//! `cargo xtask fuzz TARGET --time SECS` runs a fuzz target, `cargo xtask dist` builds the
//! static release binary.

mod abi_base;
mod abi_gcc;
mod abi_glibc_nodes;
mod abi_musl;
mod abi_sonames;
mod abi_tables;
mod audit_bench;
mod audit_root;
mod bench;
mod build;
mod cases;
mod ci;
mod debs;
mod dist;
mod fixtures;
mod foreign;
mod fuzz;
mod go_fixtures;
mod reference;
mod roots;
mod util;

use anyhow::{bail, Result};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("fixtures") => fixtures::run(),
        Some("ci") => ci::run(),
        Some("bench") => bench::run(&args[1..]),
        Some("abi-tables") => abi_tables::run_abi_tables(&args[1..]),
        Some("fuzz") => fuzz::run(&args[1..]),
        Some("dist") => dist::run_dist(),
        _ => bail!(
            "usage: cargo xtask <fixtures|ci|bench|abi-tables|fuzz>\n  \
             fixtures  build the test roots and programs into $LDSIM_FIXTURES \
             (default ~/.cache/ldsim/fixtures)\n  \
             ci        fmt, clippy, fixtures, build, test\n  \
             bench     [audit]: opening a 300 MB image in every form, auditing whole roots\n  \
             fuzz      TARGET --time SECS: run a libFuzzer target (--list names them)\n  \
             dist      a static ldsim in target/dist, checked by itself on every default target"
        ),
    }
}
