//! Replaying a list of steps through the engine and the model side by side ([`replay`],
//! [`Both`]), as a failure prints them.

use super::*;

// ---- replaying a list of steps ----------------------------------------------------------

/// Parses steps as a failure prints them (`+<secs>s <input JSON>`, with `"actor"` for an
/// input an operator made, or `+<secs>s handle_timeout`, one a line, offsets possibly
/// negative, also for absence windows and due times; blank lines, indentation and trailing
/// commas ignored).
pub(super) fn parse_steps(text: &str) -> Vec<Step> {
    let secs = |s: &str| -> i64 {
        s.trim_start_matches('+')
            .trim_end_matches('s')
            .parse()
            .unwrap_or_else(|_| panic!("not a time offset: {s}"))
    };
    text.lines()
        .map(|l| l.trim().trim_end_matches(','))
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (at, rest) = l.split_once(' ').expect("`+<secs>s <action>`");
            let action = if rest == "handle_timeout" {
                Action::Timeout
            } else {
                let mut v: serde_json::Value = serde_json::from_str(rest).expect("an input");
                for f in ["from", "until", "due_at"] {
                    if let Some(t) = v.get(f).and_then(|x| x.as_str()).map(str::to_string) {
                        if t.ends_with('s') {
                            v[f] = serde_json::to_value(time(secs(&t))).expect("a time");
                        }
                    }
                }
                let actor = v
                    .as_object_mut()
                    .and_then(|o| o.remove("actor"))
                    .and_then(|a| a.as_str().map(str::to_string));
                let input = serde_json::from_value(v).expect("an input");
                match actor {
                    Some(a) => Action::As(a, input),
                    None => Action::Input(input),
                }
            };
            Step {
                at: secs(at),
                action,
            }
        })
        .collect()
}

/// Runs steps through the engine and the model side by side; returns a transcript and
/// whether they agreed throughout (acceptance, decisions, next deadline, the engine's audit).
pub(super) fn replay(steps: &[Step]) -> (String, bool) {
    let mut engine = Engine::new();
    let mut model = Model::new();
    let mut out = String::new();
    let mut agree = true;
    for step in steps {
        let (e, m) = (
            engine_apply(&mut engine, step),
            model_apply(&mut model, step),
        );
        let ed = json_lines(&std::iter::from_fn(|| engine.poll_decision()).collect::<Vec<_>>());
        let md = json_lines(&model.drain());
        let (et, mt) = (engine.poll_timeout(), model.poll_timeout());
        let audit = engine.verify_invariants();
        let violations = model.take_violations();
        let memory = compare_memory(&engine, &model);
        let same = e.as_ref().err().map(engine_refusal) == m.as_ref().err().map(model_refusal)
            && ed == md
            && et == mt
            && engine.now() == model.now()
            && audit.is_ok()
            && violations.is_empty()
            && memory.is_ok();
        agree &= same;
        out += &format!("{step:?}\n");
        if same {
            for d in &ed {
                out += &format!("    {d}\n");
            }
        } else {
            out += &format!("  DIFFERENT  engine {e:?}, model {m:?}\n");
            for d in &ed {
                out += &format!("    engine {d}\n");
            }
            for d in &md {
                out += &format!("    model  {d}\n");
            }
            out += &format!(
                "    poll_timeout: engine {et:?}, model {mt:?}; clock: engine {:?}, model {:?}; \
                 audit {audit:?}\n",
                engine.now(),
                model.now()
            );
            for v in &violations {
                out += &format!("    routed while closed: {v}\n");
            }
            if let Err(m) = &memory {
                out += &format!("    {m}\n");
            }
        }
    }
    (out, agree)
}

/// A debugging aid: `DIFFERENTIAL_REPLAY=<file> cargo test --test differential replay_file --
/// --ignored --nocapture` replays the steps of a failure (copied from its output) through the
/// engine and the model side by side.
#[test]
#[ignore = "a debugging aid: set DIFFERENTIAL_REPLAY to a file of steps"]
pub(super) fn replay_file() {
    let path = std::env::var("DIFFERENTIAL_REPLAY").expect("DIFFERENTIAL_REPLAY=<file>");
    let text = std::fs::read_to_string(&path).expect("a readable file");
    let (transcript, agree) = replay(&parse_steps(&text));
    println!("{transcript}");
    assert!(agree, "the engine and the model disagree");
}

/// Whether the decisions of one step contain each of `wanted`, in that order.
pub(super) fn says(decisions: &[String], wanted: &[&str]) -> bool {
    let mut rest = decisions.iter();
    wanted.iter().all(|w| rest.any(|d| d.contains(w)))
}

/// The engine and the model side by side, asserting after every step that they agree as
/// [`replay`] does, and that the queries show the same state as in the random cases.
pub(super) struct Both {
    pub(super) engine: Engine,
    pub(super) model: Model,
    pub(super) log: String,
}

impl Both {
    pub(super) fn new(seed: u64) -> Self {
        Both {
            engine: Engine::with_seed(seed),
            model: Model::new(),
            log: String::new(),
        }
    }

    /// Runs the steps; returns each one's outcome in the engine and its decisions as JSON.
    pub(super) fn run(&mut self, text: &str) -> Vec<(Result<(), Error>, Vec<String>)> {
        let mut outcomes = Vec::new();
        for step in parse_steps(text) {
            let (e, m) = (
                engine_apply(&mut self.engine, &step),
                model_apply(&mut self.model, &step),
            );
            let ed =
                json_lines(&std::iter::from_fn(|| self.engine.poll_decision()).collect::<Vec<_>>());
            let md = json_lines(&self.model.drain());
            self.log += &format!("{step:?} -> engine {e:?}, model {m:?}\n");
            for d in &ed {
                self.log += &format!("    {d}\n");
            }
            let mut problems = Vec::new();
            if e.as_ref().err().map(engine_refusal) != m.as_ref().err().map(model_refusal) {
                problems.push("refusals differ".to_string());
            }
            if ed != md {
                problems.push(format!("the model decided:\n    {}", md.join("\n    ")));
            }
            let (et, mt) = (self.engine.poll_timeout(), self.model.poll_timeout());
            if et != mt {
                problems.push(format!("poll_timeout: engine {et:?}, model {mt:?}"));
            }
            if self.engine.now() != self.model.now() {
                problems.push(format!(
                    "clock: engine {:?}, model {:?}",
                    self.engine.now(),
                    self.model.now()
                ));
            }
            if let Err(a) = self.engine.verify_invariants() {
                problems.push(format!("audit: {a}"));
            }
            if let Err(m) = compare_memory(&self.engine, &self.model) {
                problems.push(m);
            }
            for v in self.model.take_violations() {
                problems.push(format!("routed while closed: {v}"));
            }
            assert!(
                problems.is_empty(),
                "engine and model disagree at the last step:\n{}  {}",
                self.log,
                problems.join("\n  ")
            );
            // And what the queries show, as the random cases compare it.
            let sut = Sut {
                engine: std::mem::replace(&mut self.engine, Engine::new()),
                history: self.log.lines().map(str::to_string).collect(),
            };
            sut.compare_state(&self.model);
            self.engine = sut.engine;
            outcomes.push((e, ed));
        }
        outcomes
    }
}
