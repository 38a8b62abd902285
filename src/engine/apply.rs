//! Applying a validated input: one arm per kind, each handing over to the concept it is about.

use super::validate::Valid;
use crate::state::State;

impl State {
    /// Applies a validated input.
    pub(crate) fn apply(&mut self, valid: Valid) {
        match valid {
            Valid::UpsertOperator(cfg) => self.upsert_operator(cfg),
            Valid::RemoveOperator(o) => self.remove_operator(o),
            Valid::UpsertLine(line) => {
                let (cfg, hours) = *line;
                self.upsert_line(cfg, hours)
            }
            Valid::RemoveLine(l) => self.remove_line(l),
            Valid::ConnectChannel(l, cfg) => self.connect_channel(l, cfg),
            Valid::DisconnectChannel(ch) => self.disconnect_channel(ch),
            Valid::PinClient(client, o) => self.pin_client(&client, Some(o)),
            Valid::UnpinClient(client) => self.pin_client(&client, None),
            Valid::Presence(o, status) => self.set_presence(o, status),
            Valid::Workday(o, started) => self.set_workday(o, started),
            Valid::Absence(o, from, until) => self.add_absence(o, from, until),
            Valid::ClearAbsences(o) => self.clear_absences(o),
            Valid::MessageIn {
                conversation,
                target,
            } => self.message_in(&conversation, target),
            Valid::MessageOut {
                conversation,
                operator,
                target,
            } => self.message_out(&conversation, operator, target),
            Valid::Accept(c, o) => self.accept(c, o),
            Valid::Take(c, o) => self.take(c, o),
            Valid::TransferToOperator(c, o) => self.transfer_to_operator(c, o),
            Valid::TransferToLine(c, l) => self.transfer_to_line(c, l),
            Valid::Close(c, reason) => self.close(c, reason),
            Valid::BotHandoff(c) => self.bot_handoff(c),
            Valid::Rating(c, score) => self.rate(c, score),
            Valid::EngineSettings(settings) => self.settings_changed(settings),
            Valid::Tick => {}
        }
    }
}
