//! A substitute for days off (Bitrix24, source article 000), run step by step.
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! Anna is the main employee of her WhatsApp line; Boris is the duty employee who stands in for
//! her. The line's queue is Anna first and Boris second, mode `strict`, 12 hours to answer, with
//! the availability check and time tracking on: an operator counts as available only after
//! starting their work day, and not while on vacation. While Anna is at work Boris must not see
//! her clients; when she does not answer, or is not at work, he gets them.
//!
//! Every input is told in a sentence; every decision the engine returns is shown in plain words
//! and as the JSON line a host would receive. Time is fixed (the engine never reads a clock).

use std::error::Error;

use chrono::{DateTime, TimeZone, Utc};
use routeline::{ChannelConfig, Decision, DecisionKind, Engine, Input, LineConfig, Mode};
use routeline::{OperatorConfig, OperatorId};

type Result<T = ()> = std::result::Result<T, Box<dyn Error>>;

fn main() -> Result {
    let mut demo = Demo {
        engine: Engine::new(),
    };
    let (anna, boris) = (OperatorId::from("anna"), OperatorId::from("boris"));
    let started = |op: &OperatorId| Input::WorkdayStarted {
        operator: op.clone(),
    };
    let ended = |op: &OperatorId| Input::WorkdayEnded {
        operator: op.clone(),
    };
    let writes = |conversation: &str| Input::MessageIn {
        conversation: conversation.into(),
        client: "client-ivan".into(),
        channel: "whatsapp-anna".into(),
        request: None,
    };
    let answers = |conversation: &str, op: &OperatorId| Input::MessageOut {
        conversation: conversation.into(),
        operator: op.clone(),
        client: None,
        channel: None,
    };
    let closes = |conversation: &str| Input::Close {
        conversation: conversation.into(),
    };

    println!("Anna's line: queue [anna, boris], strict, 12 h to answer, work days tracked.");
    let line = LineConfig::new("anna-line")
        .mode(Mode::Strict)
        .member(anna.as_str())
        .member(boris.as_str())
        .offer_timeout_secs(12 * 3600)
        .check_availability(true)
        .require_workday(true);
    let channel = ChannelConfig::new("whatsapp-anna", "anna-line").kind("whatsapp");
    for input in [
        Input::UpsertOperator(OperatorConfig::new(anna.clone())),
        Input::UpsertOperator(OperatorConfig::new(boris.clone())),
        Input::from(line),
        Input::ConnectChannel(channel),
    ] {
        demo.engine.handle(t(2, 8, 0), input)?;
    }

    println!("\n(a) Monday: Anna is at work, so her clients go to her only.");
    demo.run(t(2, 9, 0), "Anna starts her work day.", started(&anna))?;
    demo.run(t(2, 9, 0), "Boris starts his work day.", started(&boris))?;
    demo.run(
        t(2, 9, 30),
        "A client writes on WhatsApp (k1).",
        writes("k1"),
    )?;
    demo.show_list(&boris, "the substitute does not see k1");

    println!("\n(b) Anna does not answer within 12 hours: k1 moves on to Boris.");
    demo.timer("The host's timer fires at the answer deadline.")?;
    demo.run(
        t(2, 21, 35),
        "Boris answers the client.",
        answers("k1", &boris),
    )?;
    demo.run(t(2, 21, 40), "Boris closes k1.", closes("k1"))?;
    demo.run(t(2, 22, 0), "Anna ends her work day.", ended(&anna))?;
    demo.run(t(2, 22, 0), "Boris ends his work day.", ended(&boris))?;

    println!("\n(c) Tuesday is Anna's day off: she does not start her work day.");
    demo.run(t(3, 9, 0), "Boris starts his work day.", started(&boris))?;
    demo.run(t(3, 10, 0), "The client writes again (k2).", writes("k2"))?;
    println!("           (straight to Boris: nobody waits 12 hours for Anna)");
    demo.run(
        t(3, 10, 10),
        "Boris answers the client.",
        answers("k2", &boris),
    )?;
    demo.run(t(3, 10, 20), "Boris closes k2.", closes("k2"))?;
    demo.run(t(3, 18, 0), "Boris ends his work day.", ended(&boris))?;

    println!("\n(d) Wednesday: Anna is at work, but her vacation starts at noon.");
    demo.run(t(4, 9, 0), "Anna starts her work day.", started(&anna))?;
    demo.run(t(4, 9, 0), "Boris starts his work day.", started(&boris))?;
    let (from, until) = (t(4, 12, 0), t(9, 9, 0));
    let vacation = Input::Absence {
        operator: anna.clone(),
        from,
        until,
    };
    demo.run(t(4, 9, 5), "HR books Anna's vacation from noon.", vacation)?;
    demo.run(t(4, 10, 0), "The client writes again (k3).", writes("k3"))?;
    demo.timer("Noon: the vacation starts while Anna holds k3 unanswered.")?;
    println!("           (moved at once, long before Anna's 22:00 deadline)");
    demo.show_list(&anna, "nothing left with Anna");
    Ok(())
}

struct Demo {
    engine: Engine,
}

impl Demo {
    /// Tells what happens, hands it to the engine and shows what it decided.
    fn run(&mut self, now: DateTime<Utc>, what: &str, input: Input) -> Result {
        println!("{}  {what}", now.format("%a %H:%M"));
        self.engine.handle(now, input)?;
        self.decisions()
    }

    /// The host's timer fires at the moment the engine asked for (`poll_timeout`).
    fn timer(&mut self, what: &str) -> Result {
        let now = self
            .engine
            .poll_timeout()
            .ok_or("the engine awaits no deadline")?;
        println!("{}  {what}", now.format("%a %H:%M"));
        self.engine.handle_timeout(now);
        self.decisions()
    }

    /// Drains the decisions, as a host must after every input.
    fn decisions(&mut self) -> Result {
        let mut any = false;
        while let Some(decision) = self.engine.poll_decision() {
            any = true;
            println!("           → {}", plain(&decision)?);
            println!("             {}", serde_json::to_string(&decision)?);
        }
        if !any {
            println!("           (no decision)");
        }
        Ok(())
    }

    /// What an operator sees in their list, by the engine's query.
    fn show_list(&self, operator: &OperatorId, comment: &str) {
        let view = self.engine.operator(operator.as_str());
        let list: Vec<String> = view
            .iter()
            .flat_map(|v| &v.conversations)
            .map(|c| c.to_string())
            .collect();
        println!(
            "           {operator}'s list: [{}]: {comment}",
            list.join(", ")
        );
    }
}

/// A decision in plain words.
fn plain(d: &Decision) -> Result<String> {
    let when = |t: &Option<DateTime<Utc>>| match t {
        Some(t) => format!("must answer by {}", t.format("%a %H:%M")),
        None => "final".to_string(),
    };
    Ok(match &d.kind {
        DecisionKind::Assigned {
            conversation,
            operator,
            reason,
            answer_by,
            ..
        } => format!(
            "{conversation} assigned to {operator} ({}), {}",
            word(reason)?,
            when(answer_by)
        ),
        DecisionKind::Unassigned {
            conversation,
            operator,
            reason,
        } => format!("{conversation} taken from {operator} ({})", word(reason)?),
        DecisionKind::Queued {
            conversation,
            line,
            reason,
        } => format!("{conversation} waits in {line}'s queue ({})", word(reason)?),
        DecisionKind::Closed { conversation, .. } => format!("{conversation} closed"),
        other => format!("{other:?}"),
    })
}

/// A reason as its wire name, in words: `no_answer` → "no answer".
fn word(reason: &impl serde::Serialize) -> Result<String> {
    let name = serde_json::to_value(reason)?;
    Ok(name.as_str().unwrap_or_default().replace('_', " "))
}

/// A fixed moment in March 2026 (the 2nd is a Monday), UTC.
fn t(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, hour, minute, 0)
        .single()
        .expect("a valid fixed date in March 2026")
}
