//! The inputs about conversations — messages in and out, accept, take, transfer, close, spam,
//! the bot's hand-off, ratings — and pinning clients. Each is validated first
//! (`engine/validate.rs`); here they take effect, through the lifecycle hooks.

use crate::lifecycle::{ClientMessage, Opener};
use crate::model::conversation::{Answer, Conversation, Place, Target};
use crate::model::ids::{ChanIdx, ClientIdx, ConvIdx, LineIdx, OpIdx};
use crate::routing::offers::Moved;
use crate::rules::Trigger;
use crate::state::State;
use crate::wire::config::PinnedPolicy;
use crate::wire::decision::{AssignReason, BotLeftReason, CloseReason};
use crate::wire::ids::{ClientId, ConversationId};
use crate::wire::queue::Request;
use crate::wire::rules::{RuleEvent, RuleList, Status};

/// The rules of the `changed` list, for an input about `c`.
fn changed(c: ConvIdx, event: RuleEvent, author: Option<OpIdx>, reactivated: bool) -> Trigger {
    Trigger {
        conv: c,
        list: RuleList::Changed,
        event,
        author,
        reactivated,
    }
}

impl State {
    /// A client wrote: a new conversation, a follow-up, a closed one reopened, or a completed
    /// one re-activated. When the message opens or re-activates the conversation, its rules
    /// run here, before it is routed or meets the bot (a rule that places it overrides the
    /// default routing); otherwise they run after the input.
    pub(crate) fn message_in(
        &mut self,
        id: &ConversationId,
        target: Target,
        request: Option<Request>,
    ) -> Option<Trigger> {
        let c = match target {
            Target::New {
                client,
                channel,
                line,
            } => self.open_conversation(id, &client, channel, line),
            Target::Reopen { conv, line } => {
                self.reopen(conv, line);
                conv
            }
            Target::Open(c) if self.core.facts.convs[c].place == Place::Completed => {
                self.core.leave(c);
                let answered = self.core.facts.convs[c].answered;
                self.core.set_flags(c, true, answered);
                self.client_wrote(c, ClientMessage::Reactivates { answered });
                self.run_rules(changed(c, RuleEvent::ClientMessage, None, true));
                // Re-activation continues the conversation: no bot, no welcome.
                if self.core.facts.convs[c].place == Place::Limbo {
                    self.route(c);
                }
                return None;
            }
            Target::Open(c) => {
                let conv = &self.core.facts.convs[c];
                let (was_awaiting, answered) = (conv.awaiting_reply, conv.answered);
                self.core.set_flags(c, true, answered);
                self.client_wrote(
                    c,
                    ClientMessage::FollowUp {
                        was_awaiting,
                        answered,
                    },
                );
                return Some(changed(c, RuleEvent::ClientMessage, None, false));
            }
        };
        // A new or reopened session is what the message says it is (DESIGN §7).
        self.core.facts.convs[c].request = request.unwrap_or_default();
        let cl = self.core.facts.convs[c].client;
        let contacts = &mut self.core.facts.clients[cl].contacts;
        *contacts = contacts.saturating_add(1);
        self.core.set_flags(c, true, false);
        self.opened(c, Opener::Client);
        self.client_wrote(c, ClientMessage::OpensSession);
        self.run_rules(Trigger {
            conv: c,
            list: RuleList::Incoming,
            event: RuleEvent::ClientMessage,
            author: None,
            reactivated: false,
        });
        if self.core.facts.convs[c].place == Place::Limbo {
            self.client_session_started(c);
        }
        None
    }

    /// Interns a new conversation, open on `line`, in limbo.
    pub(crate) fn open_conversation(
        &mut self,
        id: &ConversationId,
        client: &ClientId,
        ch: ChanIdx,
        line: LineIdx,
    ) -> ConvIdx {
        let cl = self.core.intern_client(client);
        let c = self.core.facts.conv_ids.intern(id).index();
        let born = self.core.facts.births;
        self.core.facts.births += 1;
        self.core
            .facts
            .convs
            .place(c, Conversation::new(cl, ch, line, born));
        self.core.idx.client_convs[cl].push(c);
        self.core.idx.lines[line].open += 1;
        c
    }

    /// A closed conversation opens again on `line` (its channel's), in limbo.
    pub(crate) fn reopen(&mut self, c: ConvIdx, line: LineIdx) {
        self.core.leave(c);
        let conv = &mut self.core.facts.convs[c];
        conv.line = line;
        conv.tried.clear();
        self.core.idx.lines[line].open += 1;
    }

    /// An operator wrote: into an open conversation (which they take over, or accept), one
    /// that is new or closed (an outbound conversation, assigned to them), or a completed one
    /// (re-activated, assigned to them).
    pub(crate) fn message_out(&mut self, id: &ConversationId, o: OpIdx, target: Target) -> Trigger {
        let (c, opened, reactivated) = match target {
            Target::New {
                client,
                channel,
                line,
            } => (
                self.open_conversation(id, &client, channel, line),
                true,
                false,
            ),
            Target::Reopen { conv, line } => {
                self.reopen(conv, line);
                (conv, true, false)
            }
            Target::Open(c) => (c, false, self.core.facts.convs[c].place == Place::Completed),
        };
        self.core.set_flags(c, false, true);
        if opened {
            // Outbound conversations are texts (DESIGN §7).
            self.core.facts.convs[c].request = Request::Text;
            self.opened(c, Opener::Operator);
            self.assign(c, o, AssignReason::Outbound, true);
        } else if reactivated {
            self.core.leave(c);
            self.assign(c, o, AssignReason::Outbound, true);
        } else {
            let reason = match &self.core.facts.convs[c].place {
                Place::Offered { ops, .. } if ops.contains(&o) => AssignReason::Accepted,
                _ => AssignReason::Taken,
            };
            self.give_to(c, o, reason, Moved::taken_over());
        }
        let cl = self.core.facts.convs[c].client;
        self.core.facts.clients[cl].last_operator = Some(o);
        self.operator_answered(c, o);
        Trigger {
            conv: c,
            list: if opened {
                RuleList::Incoming
            } else {
                RuleList::Changed
            },
            event: RuleEvent::OperatorMessage,
            author: Some(o),
            reactivated,
        }
    }

    pub(crate) fn accept(&mut self, c: ConvIdx, o: OpIdx) -> Trigger {
        self.give_to(c, o, AssignReason::Accepted, Moved::taken_over());
        self.picked_up(c, o);
        changed(c, RuleEvent::Accept, Some(o), false)
    }

    /// An operator picked up a call or callback (accepted, took or intercepted it, or the
    /// client answered the dial): for a call, that is the operator's answer.
    pub(crate) fn picked_up(&mut self, c: ConvIdx, o: OpIdx) {
        if self.core.facts.convs[c].request.is_voice() {
            self.core.set_flags(c, false, true);
            self.operator_answered(c, o);
        }
    }

    /// Someone takes the conversation: from whoever held it, or, completed, from nobody.
    pub(crate) fn take(&mut self, c: ConvIdx, o: OpIdx) -> Trigger {
        let reactivated = self.core.facts.convs[c].place == Place::Completed;
        self.give_to(c, o, AssignReason::Taken, Moved::taken_over());
        self.picked_up(c, o);
        changed(c, RuleEvent::Take, Some(o), reactivated)
    }

    pub(crate) fn transfer_to_operator(&mut self, c: ConvIdx, o: OpIdx) -> Trigger {
        let reactivated = self.core.facts.convs[c].place == Place::Completed;
        self.give_to(c, o, AssignReason::Transferred, Moved::transferred());
        changed(c, RuleEvent::Transfer, None, reactivated)
    }

    /// Moves a conversation to a line and routes it there; the operator who held it counts as
    /// tried, so a transfer back into the same line goes to someone else when anyone can take it.
    pub(crate) fn transfer_to_line(&mut self, c: ConvIdx, l: LineIdx) -> Trigger {
        let reactivated = self.core.facts.convs[c].place == Place::Completed;
        self.move_to_line(c, l, Moved::transferred());
        changed(c, RuleEvent::Transfer, None, reactivated)
    }

    /// `set_status`: the status, and the `changed` rules even when it did not change.
    pub(crate) fn status_input(&mut self, c: ConvIdx, status: Status) -> Trigger {
        self.set_status(c, status);
        changed(c, RuleEvent::Status, None, false)
    }

    /// `complete`.
    pub(crate) fn complete_input(&mut self, c: ConvIdx, status: Option<Status>) -> Trigger {
        self.complete(c, status, Moved::completed());
        changed(c, RuleEvent::Complete, None, false)
    }

    /// Closes an open conversation and says so.
    pub(crate) fn close(&mut self, c: ConvIdx, reason: CloseReason) {
        self.core.leave(c);
        self.closed(c, reason);
    }

    /// The bot hands the conversation over (`bot_handoff`).
    pub(crate) fn bot_handoff(&mut self, c: ConvIdx) {
        self.bot_leaves(c, BotLeftReason::Handoff);
    }

    /// The client rated the conversation.
    pub(crate) fn rate(&mut self, c: ConvIdx, score: u8) {
        if self.features.rating.rated(&self.core, c, score) {
            self.close(c, CloseReason::Rated);
        }
    }

    /// Pinned under `always`, a conversation goes to nobody but the pinned operator; one they
    /// hold unanswered stays with them for good: its answer deadline ends, and the host is
    /// told so (DESIGN §1, "No deadline disappears in silence").
    fn pinned_holder_keeps(&mut self, cl: ClientIdx, o: OpIdx) {
        let convs = self.core.idx.client_convs[cl].clone();
        for c in self.core.facts.by_birth(convs) {
            let conv = &self.core.facts.convs[c];
            // (An assigned conversation is open, so its line exists.)
            if matches!(conv.place, Place::Assigned { op, answer: Answer::Due(_), .. } if op == o)
                && self.core.facts.line(conv.line).config.pinned_policy == PinnedPolicy::Always
            {
                self.keep_final(c, o, AssignReason::Pinned);
            }
        }
    }

    /// Pins a client to an operator, or unpins them (`None`). Unpinning a client who is not
    /// pinned changes nothing (and does not make an unknown client known).
    pub(crate) fn pin_client(&mut self, client: &ClientId, o: Option<OpIdx>) {
        let cl = match o {
            Some(_) => self.core.intern_client(client),
            None => match self.core.facts.client_ids.get(client) {
                Some(cl) if self.core.facts.clients[cl].pinned.is_some() => cl,
                _ => return,
            },
        };
        if let Some(prev) = self.core.facts.clients[cl].pinned.take() {
            self.core.idx.ops[prev].pinned_clients.remove(&cl);
        }
        if let Some(o) = o {
            self.core.facts.clients[cl].pinned = Some(o);
            self.core.idx.ops[o].pinned_clients.insert(cl);
            self.pinned_holder_keeps(cl, o);
        }
        self.retry_client(cl);
        if o.is_none() {
            self.forget_client_if_idle(cl);
        }
    }
}
