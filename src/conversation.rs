//! Conversations: messages in and out, accept, take, transfer, close, and pinned clients.

use crate::decision::{AssignReason, SlaKind, UnassignReason};
use crate::error::Error;
use crate::id::{ChannelId, ClientId, ConversationId, LineId, OperatorId};
use crate::state::{ChanIdx, ClientIdx, ConvIdx, ConvState, Conversation, LineIdx, OpIdx, State};

/// A validated message, ready to apply.
pub(crate) enum Message {
    /// A new conversation (a fresh id): interned when applied.
    New,
    Known(ConvIdx),
}

impl State {
    pub(crate) fn require_conv(&self, id: &ConversationId) -> Result<ConvIdx, Error> {
        self.conv_ids
            .get(id)
            .ok_or_else(|| Error::UnknownConversation(id.clone()))
    }

    /// A known conversation that is still open.
    pub(crate) fn require_open(&self, id: &ConversationId) -> Result<ConvIdx, Error> {
        let c = self.require_conv(id)?;
        if self.convs[c as usize].state == ConvState::Closed {
            return Err(Error::ConversationClosed(id.clone()));
        }
        Ok(c)
    }

    /// A channel that is connected, with its line.
    fn connected(&self, id: &ChannelId) -> Result<(ChanIdx, LineIdx), Error> {
        let ch = self.require_chan(id)?;
        match self.chans[ch as usize].line {
            Some(l) => Ok((ch, l)),
            None => Err(Error::ChannelDisconnected(id.clone())),
        }
    }

    /// Checks that a message's client and channel match a known conversation.
    fn check_same(
        &self,
        id: &ConversationId,
        c: ConvIdx,
        client: Option<&ClientId>,
        channel: Option<&ChannelId>,
    ) -> Result<(), Error> {
        let conv = &self.convs[c as usize];
        if let Some(client) = client {
            let expected = self.client_ids.name(conv.client);
            if expected != client {
                return Err(Error::ClientMismatch {
                    conversation: id.clone(),
                    expected: expected.clone(),
                    got: client.clone(),
                });
            }
        }
        if let Some(channel) = channel {
            let expected = self.chan_ids.name(conv.channel);
            if expected != channel {
                return Err(Error::ChannelMismatch {
                    conversation: id.clone(),
                    expected: expected.clone(),
                    got: channel.clone(),
                });
            }
        }
        Ok(())
    }

    pub(crate) fn check_message_in(
        &self,
        id: &ConversationId,
        client: &ClientId,
        channel: &ChannelId,
    ) -> Result<Message, Error> {
        self.connected(channel)?;
        match self.conv_ids.get(id) {
            None => Ok(Message::New),
            Some(c) => {
                self.check_same(id, c, Some(client), Some(channel))?;
                Ok(Message::Known(c))
            }
        }
    }

    pub(crate) fn message_in(
        &mut self,
        id: &ConversationId,
        client: &ClientId,
        channel: &ChannelId,
        msg: Message,
    ) {
        let c = match msg {
            Message::New => self.open_conversation(id, client, channel),
            Message::Known(c) if self.convs[c as usize].state == ConvState::Closed => {
                self.reopen(c);
                c
            }
            Message::Known(c) => {
                let conv = &self.convs[c as usize];
                let (was_awaiting, answered) = (conv.awaiting_reply, conv.answered);
                self.set_flags(c, true, answered);
                self.off_hours_reply(c);
                self.stop_inactivity(c);
                if !was_awaiting {
                    // A new unanswered streak: the client wrote after an answer.
                    self.start_unanswered(c);
                    if answered {
                        self.start_sla(c, SlaKind::NextResponse);
                    }
                }
                return;
            }
        };
        let client = self.convs[c as usize].client;
        let contacts = &mut self.clients[client as usize].contacts;
        *contacts = contacts.saturating_add(1);
        self.set_flags(c, true, false);
        self.welcome(c);
        self.off_hours_reply(c);
        self.start_sla(c, SlaKind::FirstResponse);
        self.start_unanswered(c);
        if !self.bot_joins(c) {
            self.route(c);
        }
    }

    /// Interns a new conversation, open on its channel's line, in limbo.
    fn open_conversation(
        &mut self,
        id: &ConversationId,
        client: &ClientId,
        channel: &ChannelId,
    ) -> ConvIdx {
        let ch = self.intern_chan(channel);
        let line = self.chans[ch as usize]
            .line
            .expect("validated: the channel is connected");
        let cl = self.intern_client(client);
        let (c, _) = self.conv_ids.intern(id);
        self.convs.push(Conversation {
            client: cl,
            channel: ch,
            line,
            state: ConvState::Limbo,
            awaiting_reply: false,
            answered: false,
            tried: Vec::new(),
            sla: None,
            unanswered_timer: None,
            inactivity_timer: None,
            off_hours_period: None,
            rating: None,
        });
        self.clients[cl as usize].convs.push(c);
        self.line_mut(line).open += 1;
        c
    }

    /// A closed conversation opens again on its channel's current line, in limbo.
    fn reopen(&mut self, c: ConvIdx) {
        let ch = self.convs[c as usize].channel;
        let line = self.chans[ch as usize]
            .line
            .expect("validated: the channel is connected");
        let conv = &mut self.convs[c as usize];
        conv.line = line;
        conv.tried.clear();
        conv.rating = None;
        conv.state = ConvState::Limbo;
        self.line_mut(line).open += 1;
    }

    pub(crate) fn check_message_out(
        &self,
        id: &ConversationId,
        operator: &OperatorId,
        client: Option<&ClientId>,
        channel: Option<&ChannelId>,
    ) -> Result<(OpIdx, Message), Error> {
        let o = self.require_op(operator)?;
        match self.conv_ids.get(id) {
            None => match (client, channel) {
                (Some(_), Some(channel)) => {
                    self.connected(channel)?;
                    Ok((o, Message::New))
                }
                _ => Err(Error::OutboundNeedsClientAndChannel(id.clone())),
            },
            Some(c) => {
                self.check_same(id, c, client, channel)?;
                if self.convs[c as usize].state == ConvState::Closed {
                    let ch = self.chans[self.convs[c as usize].channel as usize].line;
                    if ch.is_none() {
                        return Err(Error::ChannelDisconnected(
                            self.chan_ids.name(self.convs[c as usize].channel).clone(),
                        ));
                    }
                }
                Ok((o, Message::Known(c)))
            }
        }
    }

    pub(crate) fn message_out(
        &mut self,
        id: &ConversationId,
        o: OpIdx,
        client: Option<&ClientId>,
        channel: Option<&ChannelId>,
        msg: Message,
    ) {
        let outbound = match msg {
            Message::New => {
                let (client, channel) = client.zip(channel).expect("validated: both given");
                Some(self.open_conversation(id, client, channel))
            }
            Message::Known(c) if self.convs[c as usize].state == ConvState::Closed => {
                self.reopen(c);
                Some(c)
            }
            Message::Known(_) => None,
        };
        if let Some(c) = outbound {
            self.set_flags(c, false, true);
            self.assign(c, o, AssignReason::Outbound, true);
        } else if let Message::Known(c) = msg {
            self.set_flags(c, false, true);
            let reason = match &self.convs[c as usize].state {
                ConvState::Offered { ops, .. } if ops.contains(&o) => AssignReason::Accepted,
                _ => AssignReason::Taken,
            };
            self.give_to(c, o, reason, UnassignReason::TakenOver);
        }
        let c = self.conv_ids.get(id).expect("interned above");
        let client = self.convs[c as usize].client;
        self.clients[client as usize].last_operator = Some(o);
        self.sla_answered(c, o);
        self.stop_unanswered(c);
        self.restart_inactivity(c);
    }

    pub(crate) fn check_accept(
        &self,
        id: &ConversationId,
        operator: &OperatorId,
    ) -> Result<(ConvIdx, OpIdx), Error> {
        let c = self.require_open(id)?;
        let o = self.require_op(operator)?;
        let offered = match &self.convs[c as usize].state {
            ConvState::Assigned { op, .. } => *op == o,
            ConvState::Offered { ops, .. } => ops.contains(&o),
            _ => false,
        };
        if !offered {
            return Err(Error::NotOffered {
                conversation: id.clone(),
                operator: operator.clone(),
            });
        }
        Ok((c, o))
    }

    pub(crate) fn accept(&mut self, c: ConvIdx, o: OpIdx) {
        self.give_to(c, o, AssignReason::Accepted, UnassignReason::TakenOver);
    }

    pub(crate) fn take(&mut self, c: ConvIdx, o: OpIdx) {
        self.give_to(c, o, AssignReason::Taken, UnassignReason::TakenOver);
    }

    pub(crate) fn check_transfer(
        &self,
        id: &ConversationId,
        to_operator: Option<&OperatorId>,
        to_line: Option<&LineId>,
    ) -> Result<(ConvIdx, Result<OpIdx, LineIdx>), Error> {
        let c = self.require_open(id)?;
        match (to_operator, to_line) {
            (Some(op), None) => Ok((c, Ok(self.require_op(op)?))),
            (None, Some(line)) => Ok((c, Err(self.require_line(line)?))),
            _ => Err(Error::InvalidTransfer(id.clone())),
        }
    }

    pub(crate) fn transfer_to_operator(&mut self, c: ConvIdx, o: OpIdx) {
        self.give_to(c, o, AssignReason::Transferred, UnassignReason::Transferred);
    }

    /// Moves a conversation to a line and routes it there; the operator who held it counts as
    /// tried, so a transfer back into the same line goes to someone else when anyone can take it.
    pub(crate) fn transfer_to_line(&mut self, c: ConvIdx, l: LineIdx) {
        let holder = self.leave_with_decisions(c, None, UnassignReason::Transferred);
        let old = self.convs[c as usize].line;
        if let Some(line) = self.lines[old as usize].as_mut() {
            line.open -= 1;
        }
        self.line_mut(l).open += 1;
        let conv = &mut self.convs[c as usize];
        conv.line = l;
        conv.tried.clear();
        if let Some(h) = holder {
            self.mark_tried(c, h);
        }
        self.route(c);
    }

    /// Pins a client to an operator, or unpins them (`None`). Unpinning a client who is not
    /// pinned changes nothing (and does not make an unknown client known).
    pub(crate) fn pin_client(&mut self, client: &ClientId, o: Option<OpIdx>) {
        let cl = match o {
            Some(_) => self.intern_client(client),
            None => match self.client_ids.get(client) {
                Some(cl) if self.clients[cl as usize].pinned.is_some() => cl,
                _ => return,
            },
        };
        if let Some(prev) = self.clients[cl as usize].pinned.take() {
            self.ops[prev as usize].pinned_clients.remove(&cl);
        }
        if let Some(o) = o {
            self.clients[cl as usize].pinned = Some(o);
            self.ops[o as usize].pinned_clients.insert(cl);
        }
        self.retry_client(cl);
    }

    /// A client's waiting conversations get another chance after their pin changed.
    fn retry_client(&mut self, cl: ClientIdx) {
        let convs = self.clients[cl as usize].convs.clone();
        let mut waiting: Vec<(u64, ConvIdx)> = convs
            .into_iter()
            .filter_map(|c| match self.convs[c as usize].state {
                ConvState::Waiting { seq, .. } => Some((seq, c)),
                _ => None,
            })
            .collect();
        waiting.sort_unstable();
        for (_, c) in waiting {
            self.retry_waiting(c);
        }
    }
}
