//! Applying inputs: the inputs about conversations, and pinning. Each input about a
//! conversation takes effect and then names the rule list it runs (DESIGN §6), except a
//! client's message that opens or re-activates a conversation, which runs its list itself,
//! before routing.

use super::*;

/// The rule list an input about a conversation runs after its own effect: the conversation,
/// the list, the event, the author and whether the input re-activated it.
pub(super) type Trigger = (usize, RuleList, RuleEvent, Option<String>, bool);

impl Model {
    pub(super) fn apply(&mut self, input: &Input) {
        if let Some((c, list, event, author, reactivated)) = self.apply_input(input) {
            self.run_rules(c, list, event, author.as_deref(), reactivated);
        }
        self.forget_closed_now();
    }

    /// The input's own effect; returns the rule list it calls for, if any.
    pub(super) fn apply_input(&mut self, input: &Input) -> Option<Trigger> {
        let conv = |m: &Self, id: &routeline::ConversationId| {
            m.conv_index(id.as_str()).expect("validated")
        };
        let changed = |c, event, author: Option<String>, reactivated| {
            Some((c, RuleList::Changed, event, author, reactivated))
        };
        match input {
            Input::UpsertOperator(cfg) => self.upsert_operator(cfg),
            Input::RemoveOperator { operator } => self.remove_operator(operator.as_str()),
            Input::UpsertLine(cfg) => self.upsert_line(cfg),
            Input::RemoveLine { line } => self.remove_line(line.as_str()),
            Input::ConnectChannel(cfg) => self.connect_channel(cfg),
            Input::DisconnectChannel { channel } => {
                if let Some(ch) = self.channels.iter_mut().find(|c| c.id == channel.as_str()) {
                    ch.line = None;
                }
            }
            Input::PinClient { client, operator } => {
                self.pin_client(client.as_str(), operator.as_str())
            }
            Input::UnpinClient { client } => {
                if let Some(cl) = self.clients.iter_mut().find(|cl| cl.id == client.as_str()) {
                    cl.pinned = None;
                }
                self.forget_client_if_idle(client.as_str());
            }
            Input::EngineSettings(settings) => {
                let changed = settings.forget_closed_after_secs != self.forget_after;
                self.forget_after = settings.forget_closed_after_secs;
                self.max_renewals = settings.max_renewals_per_call;
                if changed {
                    self.retime_forgetting();
                }
            }
            Input::Presence { operator, status } => self.set_presence(operator.as_str(), *status),
            Input::WorkdayStarted { operator } => self.set_workday(operator.as_str(), true),
            Input::WorkdayEnded { operator } => self.set_workday(operator.as_str(), false),
            Input::Absence {
                operator,
                from,
                until,
            } => self.add_absence(operator.as_str(), *from, *until),
            Input::ClearAbsences { operator } => self.clear_absences(operator.as_str()),
            Input::MessageIn {
                conversation,
                client,
                channel,
                request,
            } => {
                let (id, client, channel) = (conversation.as_str(), client.as_str(), channel);
                return self.message_in(id, client, channel.as_str(), *request);
            }
            Input::MessageOut {
                conversation,
                operator,
                client,
                channel,
            } => {
                return Some(self.message_out(
                    conversation.as_str(),
                    operator.as_str(),
                    client.as_ref().map(|c| c.as_str()),
                    channel.as_ref().map(|c| c.as_str()),
                ));
            }
            Input::Accept {
                conversation,
                operator,
            } => {
                let c = conv(self, conversation);
                let op = operator.as_str();
                self.give_to(c, op, AssignReason::Accepted, Moved::TAKEN_OVER);
                self.picked_up(c, op);
                return changed(c, RuleEvent::Accept, Some(op.to_string()), false);
            }
            Input::Take {
                conversation,
                operator,
            } => {
                let c = conv(self, conversation);
                let reactivated = self.conversations[c].at == Where::Completed;
                let op = operator.as_str();
                self.give_to(c, op, AssignReason::Taken, Moved::TAKEN_OVER);
                self.picked_up(c, op);
                return changed(c, RuleEvent::Take, Some(op.to_string()), reactivated);
            }
            Input::Transfer {
                conversation,
                to_operator,
                to_line,
            } => {
                let c = conv(self, conversation);
                let reactivated = self.conversations[c].at == Where::Completed;
                match (to_operator, to_line) {
                    (Some(op), _) => {
                        let op = op.as_str();
                        self.give_to(c, op, AssignReason::Transferred, Moved::TRANSFERRED);
                    }
                    (None, Some(line)) => self.move_to_line(c, line.as_str(), Moved::TRANSFERRED),
                    (None, None) => {}
                }
                // A transfer has no author: who made it is not a fact the input carries.
                return changed(c, RuleEvent::Transfer, None, reactivated);
            }
            Input::SetStatus {
                conversation,
                status,
            } => {
                let c = conv(self, conversation);
                self.set_status(c, *status);
                return changed(c, RuleEvent::Status, None, false);
            }
            Input::Complete {
                conversation,
                status,
            } => {
                let c = conv(self, conversation);
                self.complete(c, *status, Moved::COMPLETED);
                return changed(c, RuleEvent::Complete, None, false);
            }
            Input::SetRules(lists) => self.rules = lists.clone(),
            Input::Close { conversation } => {
                let c = conv(self, conversation);
                self.close(c, CloseReason::Closed);
            }
            Input::Spam { conversation } => {
                let c = conv(self, conversation);
                self.close(c, CloseReason::Spam);
            }
            Input::BotHandoff { conversation } => {
                let c = conv(self, conversation);
                self.bot_leaves(c, BotLeftReason::Handoff);
            }
            Input::Rating {
                conversation,
                score,
            } => {
                let c = conv(self, conversation);
                self.rate(c, *score);
            }
            Input::Abandon { conversation } => {
                let c = conv(self, conversation);
                self.abandon(c);
            }
            Input::UpsertClient(cfg) => self.upsert_client(cfg),
            Input::CallbackRequest {
                conversation,
                client,
                channel,
                due_at,
            } => {
                let (id, client, channel) = (conversation.as_str(), client.as_str(), channel);
                self.callback_request(id, client, channel.as_str(), *due_at);
            }
            Input::CallbackResult {
                conversation,
                operator,
                result,
            } => {
                let c = conv(self, conversation);
                self.callback_result(c, operator.as_str(), *result);
            }
            Input::Intercept {
                conversation,
                operator,
            } => {
                let c = conv(self, conversation);
                self.intercept(c, operator.as_str());
            }
            Input::UpsertRole(role) => self.upsert_role(role),
            Input::RemoveRole { role } => self.roles.retain(|r| r.role != *role),
            _ => {}
        }
        None
    }

    /// Pins a client; on lines pinning `always`, their conversations held by that operator
    /// with an answer deadline become final, and say so. (One held without a clock told the
    /// host no deadline: it stays as it is.)
    pub(super) fn pin_client(&mut self, client: &str, op: &str) {
        self.client_mut(client).pinned = Some(op.to_string());
        for c in 0..self.conversations.len() {
            let conv = &self.conversations[c];
            if conv.client != client {
                continue;
            }
            let held = matches!(
                &conv.at,
                Where::Assigned { op: holder, answer: Answer::Due(_), .. } if holder == op
            );
            if held && self.line_of(c).pinned_policy == PinnedPolicy::Always {
                self.finalize(c, AssignReason::Pinned);
            }
        }
    }

    /// Opens a new conversation of a kind on the channel's line, in limbo.
    pub(super) fn open(
        &mut self,
        id: &str,
        client: &str,
        channel: &str,
        request: Request,
    ) -> usize {
        let line = self
            .channel(channel)
            .and_then(|c| c.line.clone())
            .expect("validated: the channel is connected");
        self.client_mut(client);
        self.conversations.push(Conversation {
            id: id.to_string(),
            client: client.to_string(),
            channel: channel.to_string(),
            line,
            at: Where::Limbo,
            awaiting_reply: false,
            answered: false,
            tried: Vec::new(),
            sla: None,
            off_hours_period: None,
            rating: None,
            closed_at: None,
            status: Status::Open,
            responsible: None,
            wait: None,
            request,
            order: None,
            placed_at: None,
        });
        self.conversations.len() - 1
    }

    /// A closed conversation opens again, as a new session of a kind, on its channel's
    /// current line, in limbo (it keeps its status until the opening says otherwise, and its
    /// responsible).
    pub(super) fn reopen(&mut self, c: usize, request: Request) {
        let line = self
            .channel(&self.conversations[c].channel)
            .and_then(|ch| ch.line.clone())
            .expect("validated: the channel is connected");
        self.cancel(TimerKind::Forget(self.conversations[c].id.clone()));
        let conv = &mut self.conversations[c];
        conv.line = line;
        conv.tried.clear();
        conv.rating = None;
        conv.closed_at = None;
        conv.at = Where::Limbo;
        conv.request = request;
        conv.order = None;
        conv.placed_at = None;
    }

    /// A client wrote. Returns the `changed` list of a follow-up (run after the input); a
    /// message that opens or re-activates the conversation runs its list here, before the
    /// conversation is routed or meets the bot.
    pub(super) fn message_in(
        &mut self,
        id: &str,
        client: &str,
        channel: &str,
        request: Option<Request>,
    ) -> Option<Trigger> {
        let kind = request.unwrap_or(Request::Text);
        let c = match self.conv_index(id) {
            None => self.open(id, client, channel, kind),
            Some(c) if self.conversations[c].at == Where::Closed => {
                self.reopen(c, kind);
                c
            }
            Some(c) if self.conversations[c].at == Where::Completed => {
                self.reactivated_by_client(c);
                return None;
            }
            Some(c) => {
                // The client speaks in an open conversation: it now awaits a reply. Writing
                // after an answer starts a new unanswered streak (and the next-response
                // target).
                let conv = &mut self.conversations[c];
                let (was_awaiting, answered) = (conv.awaiting_reply, conv.answered);
                conv.awaiting_reply = true;
                self.set_status(c, Status::Open);
                self.start_answer_clock(c);
                self.off_hours_reply(c);
                self.cancel(TimerKind::Inactivity(id.to_string()));
                if !was_awaiting {
                    self.start_unanswered(c);
                    if answered {
                        self.start_sla(c, SlaKind::NextResponse);
                    }
                }
                return Some((c, RuleList::Changed, RuleEvent::ClientMessage, None, false));
            }
        };
        // A new session.
        self.client_mut(client).contacts += 1;
        let conv = &mut self.conversations[c];
        conv.awaiting_reply = true;
        conv.answered = false;
        self.set_status(c, Status::Open);
        if self
            .conv_line(c)
            .cfg
            .auto_replies
            .as_ref()
            .is_some_and(|r| r.welcome)
        {
            self.auto_reply(c, AutoReplyKind::Welcome);
        }
        self.off_hours_reply(c);
        self.start_sla(c, SlaKind::FirstResponse);
        self.start_unanswered(c);
        self.run_rules(c, RuleList::Incoming, RuleEvent::ClientMessage, None, false);
        // Unless a rule placed, completed or closed it.
        if self.conversations[c].at == Where::Limbo && !self.bot_joins(c) {
            self.route(c);
        }
        None
    }

    /// A client's message re-activates a completed conversation: it continues (no `welcome`,
    /// no bot, no new contact), starts a response target — first if no operator has answered
    /// since it opened, else next — and the `unanswered` clock, runs the `changed` list, and
    /// is routed on its line unless a rule placed, completed or closed it.
    fn reactivated_by_client(&mut self, c: usize) {
        self.leave(c);
        let answered = self.conversations[c].answered;
        self.conversations[c].awaiting_reply = true;
        self.set_status(c, Status::Open);
        self.off_hours_reply(c);
        let id = self.conversations[c].id.clone();
        self.cancel(TimerKind::Inactivity(id));
        let kind = if answered {
            SlaKind::NextResponse
        } else {
            SlaKind::FirstResponse
        };
        self.start_sla(c, kind);
        self.start_unanswered(c);
        self.run_rules(c, RuleList::Changed, RuleEvent::ClientMessage, None, true);
        if self.conversations[c].at == Where::Limbo {
            self.route(c);
        }
    }

    /// The client rated the conversation: recorded; an open one closes if the line says so.
    pub(super) fn rate(&mut self, c: usize, score: u8) {
        self.conversations[c].rating = Some(score);
        if self.conversations[c].at == Where::Closed {
            return;
        }
        if self
            .conv_line(c)
            .cfg
            .rating
            .as_ref()
            .is_some_and(|r| r.close_on_rating)
        {
            self.close(c, CloseReason::Rated);
        }
    }

    /// An operator wrote: a new or closed conversation opens as an outbound one (the
    /// `incoming` list), a completed one is re-activated as their outbound one, and an active
    /// one is taken over or accepted (the `changed` list).
    pub(super) fn message_out(
        &mut self,
        id: &str,
        op: &str,
        client: Option<&str>,
        channel: Option<&str>,
    ) -> Trigger {
        let opened = match self.conv_index(id) {
            None => {
                let (client, channel) = (client.expect("validated"), channel.expect("validated"));
                Some(self.open(id, client, channel, Request::Text))
            }
            Some(c) if self.conversations[c].at == Where::Closed => {
                self.reopen(c, Request::Text);
                Some(c)
            }
            Some(_) => None,
        };
        let c = self.conv_index(id).expect("known");
        let reactivated = self.conversations[c].at == Where::Completed;
        let conv = &mut self.conversations[c];
        conv.awaiting_reply = false;
        conv.answered = true;
        if opened.is_some() {
            // An outbound conversation, assigned to its author for good.
            self.set_status(c, Status::Open);
            self.assign(c, op, AssignReason::Outbound, true);
        } else if reactivated {
            self.leave(c);
            self.assign(c, op, AssignReason::Outbound, true);
        } else {
            let reason = match &self.conversations[c].at {
                Where::Offered { ops, .. } if ops.iter().any(|o| o == op) => AssignReason::Accepted,
                _ => AssignReason::Taken,
            };
            self.give_to(c, op, reason, Moved::TAKEN_OVER);
        }
        let client = self.conversations[c].client.clone();
        self.client_mut(&client).last_operator = Some(op.to_string());
        // An answer: the running target is met, the unanswered streak ends, and the
        // inactivity clock starts again.
        self.operator_answered(c, op);
        let list = if opened.is_some() {
            RuleList::Incoming
        } else {
            RuleList::Changed
        };
        (
            c,
            list,
            RuleEvent::OperatorMessage,
            Some(op.to_string()),
            reactivated,
        )
    }
}
