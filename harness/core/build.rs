//! Embeds the scenario catalogue (`../../scenarios/*.toml`) and the message
//! catalogues (`messages/LANG/*.ftl`) into `grade`.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("scenarios/ directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    let mut code = String::from("pub static EMBEDDED: &[(&str, &str)] = &[\n");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f.file_name().unwrap().to_string_lossy();
        let abs = f.canonicalize().unwrap();
        writeln!(
            code,
            "    ({name:?}, include_str!({:?})),",
            abs.display().to_string()
        )
        .unwrap();
    }
    code.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").unwrap()).join("catalogue.rs");
    std::fs::write(out, code).unwrap();
    messages();
}

/// Embeds the message catalogues (`messages/LANG/*.ftl`): one entry per
/// file, as (language, file name, text).
fn messages() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("messages");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files = Vec::new();
    for lang in std::fs::read_dir(&dir)
        .expect("messages/ directory")
        .flatten()
    {
        println!("cargo:rerun-if-changed={}", lang.path().display());
        for f in std::fs::read_dir(lang.path())
            .expect("a language folder")
            .flatten()
        {
            if f.path().extension().is_some_and(|e| e == "ftl") {
                files.push((lang.file_name(), f.path()));
            }
        }
    }
    files.sort();
    let mut code = String::from("pub static MESSAGES: &[(&str, &str, &str)] = &[\n");
    for (lang, f) in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let abs = f.canonicalize().unwrap();
        writeln!(
            code,
            "    ({:?}, {:?}, include_str!({:?})),",
            lang.to_string_lossy(),
            f.file_name().unwrap().to_string_lossy(),
            abs.display().to_string()
        )
        .unwrap();
    }
    code.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").unwrap()).join("messages.rs");
    std::fs::write(out, code).unwrap();
}
