//! The replay example as a program: JSON Lines in, decisions out, an error line per bad input;
//! and, run as a process, a snapshot it cannot read is a failure with a clear message.

#[path = "../examples/replay.rs"]
#[allow(dead_code)]
mod replay;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use routeline::Engine;

fn run(input: &str) -> (Engine, Vec<serde_json::Value>) {
    let mut engine = Engine::new();
    let mut out = Vec::new();
    replay::replay(&mut engine, input.as_bytes(), &mut out).expect("writing to a Vec cannot fail");
    let text = String::from_utf8(out).expect("the replay writes UTF-8");
    let lines = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("every output line is JSON"))
        .collect();
    (engine, lines)
}

#[test]
fn error_lines_name_their_line_number_and_the_replay_goes_on() {
    let (engine, out) = run(include_str!("data/mixed.jsonl"));
    engine.verify_invariants().unwrap();
    let errors: Vec<_> = out.iter().filter(|v| v["type"] == "error").collect();
    let numbers: Vec<_> = errors
        .iter()
        .map(|v| v["line_no"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, [9, 10, 11, 12]);
    assert!(errors[0]["error"].as_str().unwrap().contains("bogus"));
    assert!(errors[1]["error"].as_str().unwrap().contains("typo"));
    assert!(errors[2]["error"].as_str().unwrap().contains("random"));
    assert!(errors[3]["error"].as_str().unwrap().contains("not offered"));
    // the error's `at` is the engine's clock
    assert_eq!(errors[0]["at"], "2026-03-02T22:00:00Z");
    // and after the errors the replay went on
    assert_eq!(out.last().unwrap()["type"], "assigned");
    assert_eq!(out.last().unwrap()["reason"], "accepted");
}

#[test]
fn error_before_the_first_input_has_a_null_time() {
    let (_, out) = run("not json\n\n{\"type\":\"tick\"}\n");
    assert_eq!(out.len(), 2);
    assert_eq!(out[0]["at"], serde_json::Value::Null);
    assert_eq!(out[0]["line_no"], 1);
    assert_eq!(out[1]["line_no"], 3);
    assert!(out[1]["error"].as_str().unwrap().contains("`at`"));
}

#[test]
fn error_line_keys_are_in_wire_order() {
    let mut engine = Engine::new();
    let mut out = Vec::new();
    replay::process_line(&mut engine, 7, "[]", &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.starts_with(r#"{"at":null,"type":"error","line_no":7,"error":"#),
        "{text}"
    );
}

/// The replay example's program, built once for these tests by the cargo that runs them (cargo
/// builds examples for `cargo test`, but not for `cargo test --test replay_cli`, and a program
/// left over from another build could be stale).
fn replay_program() -> &'static Path {
    static PROGRAM: OnceLock<PathBuf> = OnceLock::new();
    PROGRAM.get_or_init(|| {
        let out = Command::new(env!("CARGO"))
            .args([
                "build",
                "--quiet",
                "--example",
                "replay",
                "--message-format=json",
            ])
            .arg("--manifest-path")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
            .stdin(Stdio::null())
            .stderr(Stdio::inherit())
            .output()
            .expect("cargo runs");
        assert!(out.status.success(), "building the replay example failed");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .find(|m| {
                m["reason"] == "compiler-artifact"
                    && m["target"]["name"] == "replay"
                    && m["target"]["kind"][0] == "example"
            })
            .and_then(|m| m["executable"].as_str().map(PathBuf::from))
            .expect("cargo names the replay example's executable")
    })
}

/// A path for a test's file, in cargo's scratch directory for integration tests.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("replay_cli");
    std::fs::create_dir_all(&dir).expect("the scratch directory can be made");
    dir.join(name)
}

/// Runs the replay program with `args` and `stdin`: its exit status, stdout and stderr.
fn run_program(
    args: &[&std::ffi::OsStr],
    stdin: &str,
) -> (std::process::ExitStatus, String, String) {
    let mut child = Command::new(replay_program())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the replay program starts");
    // the program may exit before reading its input: a broken pipe is not an error here
    let _ = child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(stdin.as_bytes());
    let out = child.wait_with_output().expect("the replay program ends");
    (
        out.status,
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn snapshot_in_from_a_missing_file_fails_clearly() {
    let path = scratch("no-such-snapshot.json");
    let _ = std::fs::remove_file(&path);
    let reason = std::fs::read_to_string(&path)
        .expect_err("the file is missing")
        .to_string();
    let (status, stdout, stderr) = run_program(
        &["--snapshot-in".as_ref(), path.as_os_str()],
        "{\"at\":\"2026-03-02T09:00:00Z\",\"type\":\"tick\"}\n",
    );
    assert!(!status.success(), "{status}");
    assert_eq!(stdout, "", "nothing is replayed");
    assert!(stderr.contains("no-such-snapshot.json"), "{stderr}");
    assert!(stderr.contains(&reason), "{stderr}");
}

#[test]
fn snapshot_in_from_a_file_that_is_not_a_snapshot_fails_clearly() {
    let cases = [
        (
            "not-json.json",
            "<html>not a snapshot</html>\n",
            "expected value",
        ),
        (
            "an-input.json",
            "{\"at\":\"2026-03-02T09:00:00Z\",\"type\":\"tick\"}\n",
            "missing field `version`",
        ),
        (
            "future.json",
            "{\"version\":99,\"state\":{\"new\":[]}}",
            "unsupported snapshot version 99",
        ),
        (
            "future-sorted.json",
            "{\"state\":{\"new\":[]},\"version\":99}",
            "comes before its `version`",
        ),
        ("empty.json", "", "EOF"),
    ];
    for (name, content, reason) in cases {
        let path = scratch(name);
        std::fs::write(&path, content).expect("the scratch file can be written");
        let (status, stdout, stderr) = run_program(
            &["--snapshot-in".as_ref(), path.as_os_str()],
            "{\"at\":\"2026-03-02T09:00:00Z\",\"type\":\"tick\"}\n",
        );
        assert!(!status.success(), "{name}: {status}");
        assert_eq!(stdout, "", "{name}: nothing is replayed");
        assert!(stderr.contains(name), "{name}: {stderr}");
        assert!(stderr.contains(reason), "{name}: {stderr}");
    }
}

/// A snapshot whose keys a store reordered (`state` first) is read by `--snapshot-in`, and the
/// replay continues from it as from the original.
#[test]
fn snapshot_in_reads_a_snapshot_with_reordered_keys() {
    let text = include_str!("data/mixed.jsonl");
    let lines: Vec<&str> = text.lines().collect();
    let (first, rest) = lines.split_at(lines.len() / 2);
    let (engine, _) = run(&first.join("\n"));
    let value = serde_json::to_value(engine.snapshot()).expect("snapshots serialise");
    let reordered = serde_json::to_string(&value).expect("values serialise");
    assert!(reordered.starts_with("{\"state\":"), "{reordered}");
    let path = scratch("reordered.json");
    std::fs::write(&path, &reordered).expect("the scratch file can be written");
    let rest = rest.join("\n") + "\n";

    let (status, stdout, stderr) =
        run_program(&["--snapshot-in".as_ref(), path.as_os_str()], &rest);
    assert!(status.success(), "{status}: {stderr}");
    let mut expected = Vec::new();
    let mut original = engine;
    replay::replay(&mut original, rest.as_bytes(), &mut expected).expect("writing to a Vec");
    assert_eq!(stdout, String::from_utf8(expected).expect("UTF-8"));
    assert!(!stdout.is_empty(), "the second half decides something");
}

/// `--seed N` keys the hash of ids (issue 10): the same decisions as without it, and the seed
/// is kept in the snapshot written with `--snapshot-out`. A seed that is not a decimal `u64`,
/// or one given together with `--snapshot-in` (a snapshot keeps its own), is refused.
#[test]
fn seed_keys_the_ids_and_is_kept_in_the_snapshot() {
    let text = include_str!("data/mixed.jsonl");
    let (plain, plain_err, _) = {
        let (status, stdout, stderr) = run_program(&[], text);
        (stdout, stderr, status)
    };
    let path = scratch("seeded.json");
    let (status, seeded, stderr) = run_program(
        &[
            "--seed".as_ref(),
            "18446744073709551615".as_ref(),
            "--snapshot-out".as_ref(),
            path.as_os_str(),
        ],
        text,
    );
    assert!(status.success(), "{status}: {stderr}");
    assert_eq!(seeded, plain, "{plain_err}");
    let snapshot = std::fs::read_to_string(&path).expect("the snapshot was written");
    let engine =
        Engine::restore(serde_json::from_str(&snapshot).expect("a snapshot")).expect("it restores");
    assert_eq!(engine.seed(), u64::MAX);

    for (args, reason) in [
        (vec!["--seed", "-1"], "decimal u64"),
        (vec!["--seed", "0x10"], "decimal u64"),
        (vec!["--seed"], "needs a number"),
    ] {
        let args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_ref()).collect();
        let (status, stdout, stderr) = run_program(&args, text);
        assert!(!status.success(), "{args:?}: {status}");
        assert_eq!(stdout, "");
        assert!(stderr.contains(reason), "{args:?}: {stderr}");
    }
    let (status, _, stderr) = run_program(
        &[
            "--seed".as_ref(),
            "7".as_ref(),
            "--snapshot-in".as_ref(),
            path.as_os_str(),
        ],
        text,
    );
    assert!(!status.success());
    assert!(stderr.contains("keeps its seed"), "{stderr}");
}
