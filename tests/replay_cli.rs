//! The replay example as a program: JSON Lines in, decisions out, an error line per bad input.

#[path = "../examples/replay.rs"]
#[allow(dead_code)]
mod replay;

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
