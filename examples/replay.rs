//! Replays JSON Lines inputs through the engine and prints its decisions as JSON Lines.
//!
//! ```text
//! cargo run --example replay < scenario.jsonl
//! cargo run --example replay -- --snapshot-out state.json < part1.jsonl
//! cargo run --example replay -- --snapshot-in state.json < part2.jsonl
//! ```
//!
//! `--seed N` (a decimal `u64`) keys the hash of ids (`Engine::with_seed`): a host reading
//! ids from the internet draws one at random, once. `--snapshot-out FILE` writes the engine's
//! state to FILE when the input ends;
//! `--snapshot-in FILE` starts from the state in FILE instead of an empty engine. Replaying a
//! file in two parts through a snapshot prints the same decisions as replaying it whole (error
//! lines aside: their line numbers restart with each part).
//!
//! Each input line is a JSON object with its time in `"at"` (RFC 3339), optionally the
//! operator who made it in `"actor"` (checked against their roles, DESIGN §7), and the input's
//! fields, as the wire format names them. Decisions are printed one per line and flushed after every
//! input, so another program can drive the replay interactively through a pipe. A line that
//! fails — bad JSON, an unknown type or field, or an engine error — prints
//! `{"at":T,"type":"error","line_no":N,"error":"…"}` (with the engine's clock as `at`, `null`
//! before the first input) and the replay goes on with the state unchanged.

use std::io::{self, BufRead, Write};

use chrono::{DateTime, Utc};
use routeline::{Engine, Input, OperatorId};

/// The line printed for an input that failed.
#[derive(serde::Serialize)]
struct ErrorLine {
    at: Option<DateTime<Utc>>,
    #[serde(rename = "type")]
    kind: &'static str,
    line_no: usize,
    error: String,
}

/// Parses one JSON line into its time and input (its actor, if any, left aside).
pub fn parse_line(line: &str) -> Result<(DateTime<Utc>, Input), String> {
    parse_line_as(line).map(|(at, _, input)| (at, input))
}

/// Parses one JSON line into its time, the operator who made it (`"actor"`, DESIGN §7), and
/// the input.
pub fn parse_line_as(line: &str) -> Result<(DateTime<Utc>, Option<OperatorId>, Input), String> {
    let mut value: serde_json::Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
    let obj = value
        .as_object_mut()
        .ok_or_else(|| "an input line must be a JSON object".to_string())?;
    let at = obj
        .remove("at")
        .ok_or_else(|| "missing field `at`".to_string())?;
    let at: DateTime<Utc> = serde_json::from_value(at).map_err(|e| format!("field `at`: {e}"))?;
    let actor = obj
        .remove("actor")
        .map(serde_json::from_value::<OperatorId>)
        .transpose()
        .map_err(|e| format!("field `actor`: {e}"))?;
    let input: Input = serde_json::from_value(value).map_err(|e| e.to_string())?;
    Ok((at, actor, input))
}

/// Feeds one line (numbered from 1) to the engine and writes what it decided, or an error line.
/// Blank lines are skipped.
pub fn process_line(
    engine: &mut Engine,
    line_no: usize,
    line: &str,
    out: &mut impl Write,
) -> io::Result<()> {
    if line.trim().is_empty() {
        return Ok(());
    }
    let result = parse_line_as(line).and_then(|(at, actor, input)| {
        match actor {
            Some(actor) => engine.handle_as(at, actor, input),
            None => engine.handle(at, input),
        }
        .map_err(|e| e.to_string())
    });
    if let Err(error) = result {
        let err = ErrorLine {
            at: engine.now(),
            kind: "error",
            line_no,
            error,
        };
        let json = serde_json::to_string(&err).map_err(io::Error::other)?;
        writeln!(out, "{json}")?;
    }
    while let Some(decision) = engine.poll_decision() {
        let json = serde_json::to_string(&decision).map_err(io::Error::other)?;
        writeln!(out, "{json}")?;
    }
    out.flush()
}

/// Replays every line of `input` through `engine`, writing decisions to `out`.
pub fn replay(engine: &mut Engine, input: impl BufRead, out: &mut impl Write) -> io::Result<()> {
    for (i, line) in input.lines().enumerate() {
        process_line(engine, i + 1, &line?, out)?;
    }
    Ok(())
}

/// Reads an engine from a snapshot file.
pub fn load_snapshot(path: &str) -> Result<Engine, String> {
    let fail = |e: &dyn std::fmt::Display| format!("cannot read the snapshot {path}: {e}");
    let text = std::fs::read_to_string(path).map_err(|e| fail(&e))?;
    let snapshot: routeline::Snapshot = serde_json::from_str(&text).map_err(|e| fail(&e))?;
    Engine::restore(snapshot).map_err(|e| fail(&e))
}

/// Writes an engine's state to a snapshot file.
pub fn save_snapshot(engine: &Engine, path: &str) -> Result<(), String> {
    let json = serde_json::to_string(&engine.snapshot()).map_err(|e| e.to_string())?;
    std::fs::write(path, json).map_err(|e| format!("{path}: {e}"))
}

#[allow(dead_code)]
fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("replay: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[allow(dead_code)]
const USAGE: &str =
    "usage: replay [--seed N] [--snapshot-in FILE] [--snapshot-out FILE] < inputs.jsonl";

#[allow(dead_code)]
fn run() -> Result<(), String> {
    let mut snapshot_in = None;
    let mut snapshot_out = None;
    let mut seed = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--snapshot-in" => snapshot_in = Some(args.next().ok_or("--snapshot-in needs a file")?),
            "--snapshot-out" => {
                snapshot_out = Some(args.next().ok_or("--snapshot-out needs a file")?)
            }
            "--seed" => {
                let n = args.next().ok_or("--seed needs a number")?;
                seed = Some(
                    n.parse::<u64>()
                        .map_err(|_| format!("--seed takes a decimal u64, not `{n}`"))?,
                );
            }
            "-h" | "--help" => {
                println!(
                    "{USAGE}\n\n\
                     Reads one input per line (JSON, with its time in `at`), prints the \
                     decisions each one makes\n(or an `error` line), one JSON object per line. \
                     --seed keys the hash of ids (draw one at random\nfor ids from the \
                     internet); --snapshot-in starts from a saved state (and its seed),\n\
                     --snapshot-out saves the state when the input ends."
                );
                return Ok(());
            }
            other => return Err(format!("unknown argument `{other}`; {USAGE}")),
        }
    }
    let mut engine = match (snapshot_in, seed) {
        (Some(_), Some(_)) => {
            return Err(
                "--seed and --snapshot-in exclude each other: a snapshot keeps its seed".into(),
            );
        }
        (Some(path), None) => load_snapshot(&path)?,
        (None, Some(seed)) => Engine::with_seed(seed),
        (None, None) => Engine::new(),
    };
    let stdin = io::stdin();
    let stdout = io::stdout();
    replay(&mut engine, stdin.lock(), &mut stdout.lock()).map_err(|e| e.to_string())?;
    if let Some(path) = snapshot_out {
        save_snapshot(&engine, &path)?;
    }
    Ok(())
}
