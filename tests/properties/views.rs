//! What a host that reads only the decisions knows: where every conversation is, and the
//! answer deadlines it was told.

use super::*;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Place {
    /// Left an operator or lost its last offer; must be placed before the step ends.
    Limbo,
    Waiting(String),
    Assigned(String),
    Offered(BTreeSet<String>),
    /// With the line's chat-bot.
    Bot,
    /// Its session completed (DESIGN §6): held by nobody, in no queue.
    Completed,
    Closed,
}

/// Where every conversation is, as far as a host that reads only the decisions can tell.
#[derive(Clone, Debug, Default)]
pub(super) struct HostView {
    pub(super) places: BTreeMap<String, Place>,
    /// Statuses other than `open` (the status of a new conversation) the decisions told.
    pub(super) statuses: BTreeMap<String, Status>,
}

/// Whether the input is a client's message about `c` (the only input that starts the answer
/// clock of a placement that had none, announcing it again).
fn client_wrote(input: Option<&Input>, c: &str) -> bool {
    matches!(input, Some(Input::MessageIn { conversation, .. }) if conversation.as_str() == c)
}

impl HostView {
    /// Follows one decision (`i` of the step's `ds`). Returns whether it names the same place
    /// again — an `assigned` of the current holder, or an `offered` to the same operators — which
    /// is no new placement: the assignment became final, or its answer clock started.
    pub(super) fn apply(
        &mut self,
        ds: &[Decision],
        i: usize,
        input: Option<&Input>,
    ) -> Result<bool, String> {
        let d = &ds[i];
        if let DecisionKind::StatusChanged {
            conversation,
            status,
        } = &d.kind
        {
            // Every change of status, and only a change, is told.
            let c = conversation.as_str();
            let prev = self.statuses.get(c).copied().unwrap_or(Status::Open);
            if prev == *status {
                return Err(format!("status_changed of {c} to {status:?}, which it was"));
            }
            self.statuses.insert(c.to_string(), *status);
            return Ok(false);
        }
        let Some(c) = conv_of(d) else {
            return Ok(false);
        };
        // A rule applied to `c` earlier in this step (its actions may route it again where it
        // waits, or close a conversation the host has not heard of yet).
        let by_rule = ds[..i].iter().any(|e| {
            matches!(&e.kind, DecisionKind::RuleApplied { conversation, .. } if conversation.as_str() == c)
        });
        let prev = self.places.get(c).cloned();
        let mut again = false;
        let next = match &d.kind {
            DecisionKind::Assigned {
                operator,
                answer_by,
                ..
            } => {
                match &prev {
                    Some(Place::Assigned(o)) if o == operator.as_str() => {
                        // The holder named again: made final (no `answer_by`), or its clock
                        // started because the client wrote.
                        if answer_by.is_some() && !client_wrote(input, c) {
                            return Err(format!(
                                "{c} announced again to {operator} with an answer_by, but the input is no message of its client"
                            ));
                        }
                        again = true;
                    }
                    Some(Place::Assigned(o)) => {
                        return Err(format!(
                            "{c} assigned to {operator} while the host still sees it with {o} (no `unassigned`)"
                        ));
                    }
                    Some(Place::Offered(s)) if s.iter().any(|o| o != operator.as_str()) => {
                        return Err(format!(
                            "{c} assigned to {operator} while offers to {s:?} were not withdrawn"
                        ));
                    }
                    _ => {}
                }
                Place::Assigned(operator.to_string())
            }
            DecisionKind::Offered {
                operators,
                expires_at,
                ..
            } => {
                let ops: BTreeSet<String> = operators.iter().map(|o| o.to_string()).collect();
                match &prev {
                    Some(Place::Assigned(o)) => {
                        return Err(format!("{c} offered while the host still sees it with {o}"));
                    }
                    // The same offers again, with the expiry their clock now has.
                    Some(Place::Offered(s))
                        if *s == ops && expires_at.is_some() && client_wrote(input, c) =>
                    {
                        again = true;
                    }
                    Some(Place::Offered(s)) if !s.is_empty() => {
                        return Err(format!(
                            "{c} offered again while offers to {s:?} were not withdrawn"
                        ));
                    }
                    _ => {}
                }
                Place::Offered(ops)
            }
            DecisionKind::OfferWithdrawn { operator, .. } => match prev {
                Some(Place::Offered(s)) if s.contains(operator.as_str()) => {
                    let mut s = s;
                    s.remove(operator.as_str());
                    Place::Offered(s)
                }
                p => {
                    return Err(format!(
                        "offer of {c} to {operator} withdrawn, but the host sees {p:?}"
                    ));
                }
            },
            DecisionKind::Unassigned { operator, .. } => match prev {
                Some(Place::Assigned(o)) if o == operator.as_str() => Place::Limbo,
                p => {
                    return Err(format!(
                        "{c} unassigned from {operator}, but the host sees {p:?}"
                    ));
                }
            },
            DecisionKind::Queued { line, .. } => {
                let transferred = matches!(input, Some(Input::Transfer { conversation, to_line: Some(_), .. }) if conversation.as_str() == c);
                match &prev {
                    Some(Place::Assigned(o)) => {
                        return Err(format!("{c} queued while the host still sees it with {o}"));
                    }
                    Some(Place::Offered(s)) if !s.is_empty() => {
                        return Err(format!(
                            "{c} queued while offers to {s:?} were not withdrawn"
                        ));
                    }
                    Some(Place::Waiting(l)) if l == line.as_str() && !transferred && !by_rule => {
                        return Err(format!("{c} queued again while waiting in {l}"));
                    }
                    _ => {}
                }
                Place::Waiting(line.to_string())
            }
            DecisionKind::BotAssigned { .. } => {
                match &prev {
                    Some(Place::Assigned(o)) => {
                        return Err(format!(
                            "{c} given to the bot while the host still sees it with {o}"
                        ));
                    }
                    Some(Place::Offered(s)) if !s.is_empty() => {
                        return Err(format!(
                            "{c} given to the bot while offers to {s:?} were not withdrawn"
                        ));
                    }
                    Some(Place::Bot) => {
                        return Err(format!("{c} given to the bot twice"));
                    }
                    Some(Place::Completed) => {
                        return Err(format!("{c} given to the bot as it is re-activated"));
                    }
                    _ => {}
                }
                Place::Bot
            }
            DecisionKind::BotLeft { .. } => match prev {
                Some(Place::Bot) => Place::Limbo,
                p => return Err(format!("the bot left {c}, but the host sees {p:?}")),
            },
            DecisionKind::Completed { .. } => match &prev {
                Some(Place::Assigned(o)) => {
                    return Err(format!(
                        "{c} completed while the host still sees it with {o} (no `unassigned`)"
                    ));
                }
                Some(Place::Offered(s)) if !s.is_empty() => {
                    return Err(format!(
                        "{c} completed while offers to {s:?} were not withdrawn"
                    ));
                }
                Some(Place::Bot) => {
                    return Err(format!("{c} completed while with the bot (no `bot_left`)"));
                }
                // A new or reopened conversation an incoming rule completes before it is
                // placed.
                Some(Place::Closed) | None if !by_rule => {
                    return Err(format!("{c} completed, but the host sees {prev:?}"));
                }
                _ => Place::Completed,
            },
            // A new or reopened conversation an incoming rule closes before it is placed.
            DecisionKind::Closed { .. } => match prev {
                Some(Place::Closed) | None if !by_rule => {
                    return Err(format!("{c} closed, but the host sees {prev:?}"));
                }
                _ => Place::Closed,
            },
            _ => return Ok(false),
        };
        self.places.insert(c.to_string(), next);
        Ok(again)
    }

    /// The host's view must match the engine's at the end of every step.
    pub(super) fn reconcile(&mut self, engine: &Engine) -> Result<(), String> {
        use routeline::ConversationState as S;
        // A forgotten conversation's id opens a new conversation, `open`.
        self.statuses
            .retain(|c, _| engine.conversation(c).is_some());
        for c in engine.conversations() {
            let v = engine
                .conversation(c.as_str())
                .ok_or_else(|| format!("conversations() lists {c} but conversation() does not"))?;
            let told = self
                .statuses
                .get(c.as_str())
                .copied()
                .unwrap_or(Status::Open);
            if v.status != told {
                return Err(format!(
                    "{c} is {:?} in the engine, {told:?} by the decisions",
                    v.status
                ));
            }
            let p = self.places.get(c.as_str());
            let ok = match (v.state, p) {
                (S::Waiting, Some(Place::Waiting(l))) => *l == v.line.as_str(),
                (S::Assigned, Some(Place::Assigned(o))) => {
                    v.operator.as_ref().map(|x| x.as_str()) == Some(o.as_str())
                }
                (S::Offered, Some(Place::Offered(s))) => {
                    !s.is_empty() && *s == v.offered_to.iter().map(|o| o.to_string()).collect()
                }
                (S::WithBot, Some(Place::Bot)) => true,
                (S::Completed, Some(Place::Completed)) => true,
                (S::Closed, Some(Place::Closed)) => true,
                _ => false,
            };
            if !ok {
                return Err(format!(
                    "the engine has {c} as {:?} (line {}, operator {:?}, offered to {:?}), the decision stream says {p:?}",
                    v.state, v.line, v.operator, v.offered_to
                ));
            }
        }
        Ok(())
    }
}

// ---- answer deadlines the host was told --------------------------------------------------------

/// Every `answer_by` the decision stream announced and nothing has ended yet: conversation →
/// (holder, deadline).
#[derive(Clone, Debug, Default)]
pub(super) struct Told {
    pub(super) deadlines: BTreeMap<String, (String, DateTime<Utc>)>,
}

impl Told {
    /// Follows one step's decisions and input; returns the indices of the decisions that name
    /// a holder again without a deadline (its assignment became final). Fails when a deadline
    /// the host was told is no longer the engine's and nothing said so.
    pub(super) fn follow(
        &mut self,
        ds: &[Decision],
        input: Option<&Input>,
        engine: &Engine,
    ) -> Result<BTreeSet<usize>, String> {
        let mut final_again = BTreeSet::new();
        for (i, d) in ds.iter().enumerate() {
            let about = match &d.kind {
                DecisionKind::Assigned {
                    conversation,
                    operator,
                    answer_by,
                    ..
                } => {
                    let held = self.deadlines.remove(conversation.as_str());
                    if answer_by.is_none() && held.is_some_and(|(h, _)| h == operator.as_str()) {
                        final_again.insert(i);
                    }
                    if let Some(by) = answer_by {
                        self.deadlines
                            .insert(conversation.to_string(), (operator.to_string(), *by));
                    }
                    continue;
                }
                DecisionKind::Offered { conversation, .. }
                | DecisionKind::OfferWithdrawn { conversation, .. }
                | DecisionKind::Unassigned { conversation, .. }
                | DecisionKind::Queued { conversation, .. }
                | DecisionKind::Closed { conversation, .. }
                | DecisionKind::BotAssigned { conversation, .. }
                | DecisionKind::BotLeft { conversation, .. }
                | DecisionKind::Completed { conversation, .. } => conversation,
                _ => continue,
            };
            self.deadlines.remove(about.as_str());
        }
        // The holder's own accept, take or answer, or a transfer naming the holder: the host
        // named the final holder itself.
        let own = match input {
            Some(
                Input::Accept {
                    conversation,
                    operator,
                }
                | Input::Take {
                    conversation,
                    operator,
                }
                | Input::MessageOut {
                    conversation,
                    operator,
                    ..
                },
            ) => Some((conversation, operator)),
            Some(Input::Transfer {
                conversation,
                to_operator: Some(operator),
                ..
            }) => Some((conversation, operator)),
            _ => None,
        };
        if let Some((c, o)) = own {
            if self
                .deadlines
                .get(c.as_str())
                .is_some_and(|(h, _)| h == o.as_str())
            {
                self.deadlines.remove(c.as_str());
            }
        }
        for (c, (holder, by)) in &self.deadlines {
            let v = engine.conversation(c);
            let still = v.as_ref().is_some_and(|v| {
                v.operator.as_ref().map(|o| o.as_str()) == Some(holder.as_str())
                    && v.deadline == Some(*by)
            });
            if !still {
                return Err(format!(
                    "the answer_by {by} of {c} with {holder} ended with no decision saying so; \
                     the engine has {v:?}"
                ));
            }
        }
        Ok(final_again)
    }
}
