//! The invariants of support lines (DESIGN §6), checked after every step:
//! - rule lists run only for the inputs they are for — `message_in`, `message_out`, `take`,
//!   `accept`, `transfer`, `set_status`, `complete` — and for the conversation the input is
//!   about, in the list it calls for (`incoming` when the message opens the conversation);
//!   never for `close`, `spam`, `rating`, `bot_handoff`, `tick`, presence, configuration or a
//!   deadline;
//! - a rule fires at most once per input, and the rules that fire do so in the order of their
//!   list (a rule named in `rule_applied` is in the list the last `set_rules` gave);
//! - invariant 1 with the completed place: a completed conversation holds nothing — no
//!   operator, offer, deadline or response target; no operator lists it, no load counts it —
//!   and each operator's `open` load is the number of conversations they hold, each of which
//!   names them;
//! - the responsible is the holder while someone holds the conversation, and a completed
//!   conversation's line and responsible are those its last `completed` said.
//!
//! Each check was seen to fail on a scratch copy of the engine with one mutation (500 cases,
//! within seconds), so none of them holds vacuously:
//! - the client's message re-activating a completed conversation returning its `changed`
//!   trigger after routing as well (`message_in` in `src/conversations.rs`), so the list runs
//!   twice: "rule_applied r1 … after rule 1 of the list fired for the same input";
//! - `close` running the `changed` list before closing (`Valid::Close` in
//!   `src/engine/apply.rs`): "rule_applied … after Close, which runs no rule list";
//! - `conversation()` naming the responsible of a completed conversation as its operator:
//!   "inv 1: completed v5 holds something";
//! - `conversation()` reporting no responsible: "v4 is held by o1 but its responsible is None";
//! - a client's message setting the status `open` without `status_changed`
//!   (`client_wrote` in `src/lifecycle.rs`): "status_changed of v4 to Waiting, which it was"
//!   (the host's statuses, `views.rs`);
//! - `handle_timeout` running the `changed` list of the first open conversation: the tick
//!   cadence property ("decision streams differ (never vs random)"), whose scenarios now
//!   carry rule lists (`tests/common`: the setup sets them more often than not).

use super::*;
use routeline::{ConversationState, RuleList};

/// The conversation an input that runs a rule list is about; `None` for every other input.
fn rules_subject(input: &Input) -> Option<&str> {
    match input {
        Input::MessageIn { conversation, .. }
        | Input::MessageOut { conversation, .. }
        | Input::Take { conversation, .. }
        | Input::Accept { conversation, .. }
        | Input::Transfer { conversation, .. }
        | Input::SetStatus { conversation, .. }
        | Input::Complete { conversation, .. } => Some(conversation.as_str()),
        _ => None,
    }
}

impl Harness {
    /// The rule lists' invariants for one step's decisions; `opens` says whether the input
    /// opened (or reopened) its conversation, as the host saw it before the step.
    pub(super) fn check_rule_runs(
        &self,
        ds: &[Decision],
        input: Option<&Input>,
        opens: bool,
    ) -> Result<(), String> {
        let subject = input.and_then(rules_subject);
        let mut last: Option<(RuleList, usize)> = None;
        for d in ds {
            let DecisionKind::RuleApplied {
                conversation,
                list,
                rule,
            } = &d.kind
            else {
                continue;
            };
            let what = format!("rule_applied {rule} ({list:?}) to {conversation}");
            let Some(subject) = subject else {
                return Err(format!("{what} after {input:?}, which runs no rule list"));
            };
            if conversation.as_str() != subject {
                return Err(format!("{what}, but the input is about {subject}"));
            }
            let expected = if opens {
                RuleList::Incoming
            } else {
                RuleList::Changed
            };
            if *list != expected {
                return Err(format!("{what}: the input calls for the {expected:?} list"));
            }
            let rules = match list {
                RuleList::Incoming => &self.shadow.rules.incoming,
                RuleList::Changed => &self.shadow.rules.changed,
            };
            let Some(at) = rules.iter().position(|r| r.name == *rule) else {
                return Err(format!("{what}: no such rule in the list"));
            };
            if let Some((l, prev)) = last {
                if l != *list || at <= prev {
                    return Err(format!(
                        "{what} after rule {} of the list fired for the same input (a rule \
                         fires at most once per input, in list order)",
                        prev + 1
                    ));
                }
            }
            last = Some((*list, at));
        }
        Ok(())
    }

    /// Invariant 1 with the completed place, loads and the responsible, from the queries; and
    /// what the last `completed` of the step said of each conversation still completed.
    pub(super) fn check_completed_place(&self, ds: &[Decision]) -> Result<(), String> {
        for c in self.engine.conversations() {
            let v = self
                .engine
                .conversation(c.as_str())
                .ok_or_else(|| format!("conversations() lists {c} but conversation() does not"))?;
            match v.state {
                ConversationState::Completed => {
                    if v.operator.is_some()
                        || !v.offered_to.is_empty()
                        || v.deadline.is_some()
                        || v.sla_due.is_some()
                    {
                        return Err(format!("inv 1: completed {c} holds something: {v:?}"));
                    }
                    let said = ds.iter().rev().find_map(|d| match &d.kind {
                        DecisionKind::Completed {
                            conversation,
                            line,
                            responsible,
                        } if conversation.as_str() == c.as_str() => Some((line, responsible)),
                        _ => None,
                    });
                    if let Some((line, responsible)) = said {
                        if *line != v.line || *responsible != v.responsible {
                            return Err(format!(
                                "completed {c}: the decision said line {line} and responsible \
                                 {responsible:?}, the engine has {} and {:?}",
                                v.line, v.responsible
                            ));
                        }
                    }
                }
                ConversationState::Assigned if v.responsible != v.operator => {
                    return Err(format!(
                        "{c} is held by {:?} but its responsible is {:?}",
                        v.operator, v.responsible
                    ));
                }
                _ => {}
            }
        }
        for o in self.engine.operators() {
            let v = self
                .engine
                .operator(o.as_str())
                .ok_or_else(|| format!("operators() lists {o} but operator() does not"))?;
            for c in &v.conversations {
                let conv = self.engine.conversation(c.as_str());
                let held = conv.as_ref().is_some_and(|x| {
                    x.state == ConversationState::Assigned && x.operator.as_ref() == Some(&o)
                });
                if !held {
                    return Err(format!(
                        "inv 1: {o} lists {c}, which is {:?}",
                        conv.map(|x| x.state)
                    ));
                }
            }
            for c in &v.offers {
                let conv = self.engine.conversation(c.as_str());
                let offered = conv.as_ref().is_some_and(|x| {
                    x.state == ConversationState::Offered && x.offered_to.contains(&o)
                });
                if !offered {
                    return Err(format!(
                        "inv 1: {o} lists an offer of {c}, which is {:?}",
                        conv.map(|x| x.state)
                    ));
                }
            }
            if v.load.open as usize != v.conversations.len() {
                return Err(format!(
                    "inv 8: {o}'s open load is {} but they hold {:?}",
                    v.load.open, v.conversations
                ));
            }
        }
        Ok(())
    }
}
