//! The layout's one hard rule (DESIGN §2, "Layout"): no source file over 600 lines, so that
//! each concept stays small enough to read in one sitting and a growing one is split by
//! topic rather than left to sprawl.

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a readable directory") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_source_file_is_over_600_lines() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["src", "tests", "benches", "examples"] {
        rust_files(&root.join(dir), &mut files);
    }
    let long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let n = std::fs::read_to_string(f)
                .expect("a source file")
                .lines()
                .count();
            (n > 600).then(|| format!("{} has {n} lines", f.strip_prefix(root).unwrap().display()))
        })
        .collect();
    assert!(files.len() > 50, "the source files were not found");
    assert!(long.is_empty(), "split these by topic: {long:?}");
}
