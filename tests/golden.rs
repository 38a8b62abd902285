//! Golden-file scenarios, in the style of raft-rs's `datadriven` tests.
//!
//! Each file in `tests/golden/*.txt` is a readable specification of one rule or one source
//! article:
//!
//! ```text
//! # comment lines cite the rule or source article being checked
//! {"at":"2026-03-02T09:00:00Z","type":"upsert_operator","operator":"anna"}
//! # comments may also sit between the inputs
//! {"at":"2026-03-02T09:05:00Z","type":"message_in","conversation":"k1",…}
//! ----
//! {"at":"2026-03-02T09:05:00Z","type":"assigned","conversation":"k1",…}
//! ```
//!
//! Everything above the `----` line is fed, line by line, to the JSON Lines replay of
//! `examples/replay.rs` (comment lines are replaced by blank lines, which the replay skips, so
//! the `line_no` of an `error` line is the line number in the file). Everything below it is the
//! exact output expected: decisions and `error` lines. After the replay the engine's invariants
//! must hold, and a second replay of the same file must print the same bytes.
//!
//! After an intended change of behaviour, rewrite the expected sections with
//!
//! ```text
//! ROUTELINE_BLESS=1 cargo test --test golden
//! ```
//!
//! and then review every changed line by hand against DESIGN.md and the source articles: a
//! golden file that merely records whatever the engine does checks nothing.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use routeline::Engine;

#[path = "../examples/replay.rs"]
#[allow(dead_code)]
mod replay;

/// The line between the inputs and the expected output.
const SEPARATOR: &str = "----";

/// One golden file, split.
struct Case {
    /// Everything up to and including the separator line, kept verbatim when blessing.
    head: String,
    /// The replay's input: the lines above the separator, comments blanked.
    input: String,
    /// The expected output lines.
    expected: Vec<String>,
}

fn parse(text: &str) -> Result<Case, String> {
    let lines: Vec<&str> = text.lines().collect();
    let sep = lines
        .iter()
        .position(|l| *l == SEPARATOR)
        .ok_or_else(|| format!("no `{SEPARATOR}` line"))?;
    if lines[sep + 1..].contains(&SEPARATOR) {
        return Err(format!("more than one `{SEPARATOR}` line"));
    }
    if !lines[..sep].iter().any(|l| l.starts_with('#')) {
        return Err("no `#` comment citing the rule or article being checked".into());
    }
    let mut head = String::new();
    let mut input = String::new();
    for l in &lines[..=sep] {
        head.push_str(l);
        head.push('\n');
    }
    for l in &lines[..sep] {
        if !l.starts_with('#') {
            input.push_str(l);
        }
        input.push('\n');
    }
    let expected = lines[sep + 1..]
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| (*l).to_owned())
        .collect();
    Ok(Case {
        head,
        input,
        expected,
    })
}

/// Replays the input through a fresh engine: the output lines, and the invariant check.
fn run(input: &str) -> (Vec<String>, Result<(), String>) {
    let mut engine = Engine::new();
    let mut out = Vec::new();
    replay::replay(&mut engine, input.as_bytes(), &mut out).expect("writing to a Vec cannot fail");
    let text = String::from_utf8(out).expect("the replay writes UTF-8");
    (
        text.lines().map(str::to_owned).collect(),
        engine.verify_invariants(),
    )
}

/// A line diff (longest common subsequence): `  ` same, `- ` expected only, `+ ` actual only.
fn diff(expected: &[String], actual: &[String]) -> String {
    let (n, m) = (expected.len(), actual.len());
    let mut lcs = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if expected[i] == actual[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut out = String::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && expected[i] == actual[j] {
            let _ = writeln!(out, "    {}", expected[i]);
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            let _ = writeln!(out, "  + {}", actual[j]);
            j += 1;
        } else {
            let _ = writeln!(out, "  - {}", expected[i]);
            i += 1;
        }
    }
    out
}

fn golden_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    files
}

#[test]
fn golden() {
    let bless = std::env::var("ROUTELINE_BLESS").is_ok_and(|v| v == "1");
    let files = golden_files();
    assert!(!files.is_empty(), "no golden files in tests/golden");
    let mut failures = Vec::new();
    for path in &files {
        let name = path
            .file_name()
            .expect("a file")
            .to_string_lossy()
            .into_owned();
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let case = match parse(&text) {
            Ok(case) => case,
            Err(e) => {
                failures.push(format!("{name}: malformed golden file: {e}"));
                continue;
            }
        };
        let (actual, invariants) = run(&case.input);
        if let Err(e) = invariants {
            failures.push(format!("{name}: invariant broken after the replay: {e}"));
        }
        let (again, _) = run(&case.input);
        if again != actual {
            failures.push(format!(
                "{name}: a second replay printed something else (non-determinism):\n{}",
                diff(&actual, &again)
            ));
        }
        if actual == case.expected {
            continue;
        }
        if bless {
            let mut rewritten = case.head.clone();
            for l in &actual {
                rewritten.push_str(l);
                rewritten.push('\n');
            }
            std::fs::write(path, rewritten).unwrap_or_else(|e| panic!("{name}: {e}"));
            eprintln!("blessed {name}: review the rewritten expected section by hand");
        } else {
            failures.push(format!(
                "{name}: output differs (- expected, + actual):\n{}",
                diff(&case.expected, &actual)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} golden files failed:\n\n{}\nAfter an intended change, rerun with \
         ROUTELINE_BLESS=1 to rewrite the expected sections, then review every changed line.",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

#[test]
fn diff_marks_missing_and_extra_lines() {
    let e: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
    let a: Vec<String> = ["a", "x", "c"].map(String::from).to_vec();
    assert_eq!(diff(&e, &a), "    a\n  + x\n  - b\n    c\n");
}

#[test]
fn parse_blanks_comments_so_line_numbers_match_the_file() {
    let case = parse("# rule\n{\"a\":1}\n----\nout\n").unwrap();
    assert_eq!(case.input, "\n{\"a\":1}\n");
    assert_eq!(case.expected, ["out"]);
    assert!(parse("{}\n----\n").is_err(), "a file must cite its rule");
    assert!(parse("# x\n{}\n").is_err(), "a file needs a separator");
}

/// The README's examples of inputs and decisions (a ```` ```text ```` block with `→` lines)
/// are what the engine says: each block's input lines are replayed on a fresh engine and
/// its `→` lines must be exactly the output, so the user's document cannot drift from the
/// code. A block whose inputs are a single line (the wire format's illustration) is checked
/// too, and so is a queue panel (a block starting `waiting("LINE") at HH:MM:SS`): the
/// previous example's inputs before that time, a `tick` at it, and each entry of
/// `waiting(line)` serialised.
#[test]
fn readme_examples_are_what_the_engine_says() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let text = std::fs::read_to_string(path).expect("README.md");
    let mut blocks = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in text.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```text") => current = Some(Vec::new()),
            (Some(_), "```") => blocks.extend(current.take()),
            (Some(block), l) => block.push(l),
            (None, _) => {}
        }
    }
    let mut checked = 0;
    let mut previous = String::new();
    for block in &blocks {
        // A queue panel: the previous example's inputs up to a time, then `waiting(line)`.
        if let Some(query) = block.first().and_then(|l| l.strip_prefix("waiting(\"")) {
            let (line, at) = query
                .split_once("\") at ")
                .expect("waiting(\"LINE\") at HH:MM:SS");
            let at = format!("{}T{at}Z", &previous[7..17]);
            let input: String = previous
                .lines()
                .filter(|l| l[7..27] < *at)
                .map(|l| format!("{l}\n"))
                .collect();
            let mut engine = Engine::new();
            let tick = format!("{{\"at\":\"{at}\",\"type\":\"tick\"}}\n");
            let mut out = Vec::new();
            replay::replay(&mut engine, (input + &tick).as_bytes(), &mut out).expect("a Vec");
            let actual: Vec<String> = engine
                .waiting(line)
                .expect("the example's line")
                .iter()
                .map(|e| serde_json::to_string(e).expect("an entry serialises"))
                .collect();
            let expected: Vec<String> = block[1..].iter().map(|l| l.to_string()).collect();
            assert!(
                actual == expected,
                "a README panel differs (- README, + engine):\n{}",
                diff(&expected, &actual)
            );
            checked += 1;
            continue;
        }
        if !block.iter().any(|l| l.starts_with("→ ")) {
            continue;
        }
        let input: String = block
            .iter()
            .filter(|l| l.starts_with("{\"at\""))
            .map(|l| format!("{l}\n"))
            .collect();
        previous.clone_from(&input);
        let expected: Vec<String> = block
            .iter()
            .filter_map(|l| l.strip_prefix("→ "))
            .map(String::from)
            .collect();
        let (actual, invariants) = run(&input);
        assert_eq!(invariants, Ok(()));
        assert!(
            actual == expected,
            "a README example differs (- README, + engine):\n{}",
            diff(&expected, &actual)
        );
        checked += 1;
    }
    assert!(checked >= 4, "the README's worked examples were not found");
}
