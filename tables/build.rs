//! Lists the generated, zstd-compressed tables for the binary to embed (decompressed on first
//! use): the soname → package tables (`data/packages/*.txt.zst`) and the base-image tables
//! (`data/base/*.txt.zst`), both written by `cargo xtask abi-tables`.

use std::path::Path;

fn main() {
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    index(Path::new("data/packages"), &out.join("package_tables.rs"));
    index(Path::new("data/base"), &out.join("base_tables.rs"));
}

/// `&[(stem, include_bytes!(file)), …]` for every `*.txt.zst` of `data`, sorted by name.
fn index(data: &Path, out: &Path) {
    println!("cargo:rerun-if-changed={}", data.display());
    let dir = std::fs::canonicalize(data).expect("a table directory");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("a table directory")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".txt.zst"))
        .collect();
    names.sort();
    let mut text = String::from("&[\n");
    for name in &names {
        let path = dir.join(name);
        println!("cargo:rerun-if-changed={}", path.display());
        let stem = name.trim_end_matches(".txt.zst");
        text.push_str(&format!(
            "({stem:?}, include_bytes!({:?})),\n",
            path.display().to_string()
        ));
    }
    text.push(']');
    std::fs::write(out, text).expect("writing OUT_DIR");
}
