//! Applying a validated input: one arm per kind, each handing over to the concept it is about,
//! then the rule lists the input calls for (DESIGN §6).

use super::validate::Valid;
use crate::rules::Trigger;
use crate::state::State;

impl State {
    /// Applies a validated input, then the rule lists it calls for (unless they ran already,
    /// before routing a conversation a client's message opened or re-activated).
    pub(crate) fn apply(&mut self, valid: Valid) {
        if let Some(trigger) = self.take_effect(valid) {
            self.run_rules(trigger);
        }
    }

    /// The input's own effect; returns the rule list it calls for.
    fn take_effect(&mut self, valid: Valid) -> Option<Trigger> {
        Some(match valid {
            Valid::MessageIn {
                conversation,
                target,
            } => return self.message_in(&conversation, target),
            Valid::MessageOut {
                conversation,
                operator,
                target,
            } => self.message_out(&conversation, operator, target),
            Valid::Accept(c, o) => self.accept(c, o),
            Valid::Take(c, o) => self.take(c, o),
            Valid::TransferToOperator(c, o) => self.transfer_to_operator(c, o),
            Valid::TransferToLine(c, l) => self.transfer_to_line(c, l),
            Valid::SetStatus(c, status) => self.status_input(c, status),
            Valid::Complete(c, status) => self.complete_input(c, status),
            // No rule list hears of these.
            Valid::UpsertOperator(cfg) => return none(self.upsert_operator(cfg)),
            Valid::RemoveOperator(o) => return none(self.remove_operator(o)),
            Valid::UpsertLine(line) => {
                let (cfg, hours) = *line;
                return none(self.upsert_line(cfg, hours));
            }
            Valid::RemoveLine(l) => return none(self.remove_line(l)),
            Valid::ConnectChannel(l, cfg) => return none(self.connect_channel(l, cfg)),
            Valid::DisconnectChannel(ch) => return none(self.disconnect_channel(ch)),
            Valid::PinClient(client, o) => return none(self.pin_client(&client, Some(o))),
            Valid::UnpinClient(client) => return none(self.pin_client(&client, None)),
            Valid::Presence(o, status) => return none(self.set_presence(o, status)),
            Valid::Workday(o, started) => return none(self.set_workday(o, started)),
            Valid::Absence(o, from, until) => return none(self.add_absence(o, from, until)),
            Valid::ClearAbsences(o) => return none(self.clear_absences(o)),
            Valid::Close(c, reason) => return none(self.close(c, reason)),
            Valid::BotHandoff(c) => return none(self.bot_handoff(c)),
            Valid::Rating(c, score) => return none(self.rate(c, score)),
            Valid::EngineSettings(settings) => return none(self.settings_changed(settings)),
            Valid::SetRules(lists) => return none(self.set_rules(lists)),
            Valid::Tick => return None,
        })
    }
}

/// An input that calls for no rule list.
fn none(_done: ()) -> Option<Trigger> {
    None
}
