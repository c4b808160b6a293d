//! Compresses the soname → package tables (`data/packages/*.txt`, about 4 MB of text) into
//! the binary: zstd at its highest level, about 270 kB, decompressed per release on first use.

use std::path::Path;

fn main() {
    let data = Path::new("data/packages");
    println!("cargo:rerun-if-changed={}", data.display());
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(data)
        .expect("tables/data/packages")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".txt"))
        .collect();
    names.sort();
    let mut index = String::new();
    for name in &names {
        let text = std::fs::read(data.join(name)).expect("a table");
        println!("cargo:rerun-if-changed={}", data.join(name).display());
        let packed = zstd::encode_all(text.as_slice(), 19).expect("zstd");
        let target = name.trim_end_matches(".txt");
        std::fs::write(out.join(format!("{target}.zst")), packed).expect("writing OUT_DIR");
        index.push_str(&format!(
            "({target:?}, include_bytes!(concat!(env!(\"OUT_DIR\"), \"/{target}.zst\"))),\n"
        ));
    }
    std::fs::write(out.join("package_tables.rs"), format!("&[\n{index}]"))
        .expect("writing OUT_DIR");
}
