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
        let trigger = match valid {
            Valid::MessageIn {
                conversation,
                target,
                request,
            } => return self.message_in(&conversation, target, request),
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
            Valid::UpsertOperator(cfg) => {
                self.upsert_operator(cfg);
                return None;
            }
            Valid::RemoveOperator(o) => {
                self.remove_operator(o);
                return None;
            }
            Valid::UpsertLine(line) => {
                let (cfg, hours) = *line;
                self.upsert_line(cfg, hours);
                return None;
            }
            Valid::RemoveLine(l) => {
                self.remove_line(l);
                return None;
            }
            Valid::ConnectChannel(l, cfg) => {
                self.connect_channel(l, cfg);
                return None;
            }
            Valid::DisconnectChannel(ch) => {
                self.disconnect_channel(ch);
                return None;
            }
            Valid::PinClient(client, o) => {
                self.pin_client(&client, Some(o));
                return None;
            }
            Valid::UnpinClient(client) => {
                self.pin_client(&client, None);
                return None;
            }
            Valid::Presence(o, status) => {
                self.set_presence(o, status);
                return None;
            }
            Valid::Workday(o, started) => {
                self.set_workday(o, started);
                return None;
            }
            Valid::Absence(o, from, until) => {
                self.add_absence(o, from, until);
                return None;
            }
            Valid::ClearAbsences(o) => {
                self.clear_absences(o);
                return None;
            }
            Valid::Close(c, reason) => {
                self.close(c, reason);
                return None;
            }
            Valid::BotHandoff(c) => {
                self.bot_handoff(c);
                return None;
            }
            Valid::Rating(c, score) => {
                self.rate(c, score);
                return None;
            }
            Valid::EngineSettings(settings) => {
                self.settings_changed(settings);
                return None;
            }
            Valid::SetRules(lists) => {
                self.set_rules(lists);
                return None;
            }
            Valid::Abandon(c) => {
                self.abandon(c);
                return None;
            }
            Valid::UpsertClient(cfg) => {
                self.upsert_client(cfg);
                return None;
            }
            Valid::CallbackRequest {
                conversation,
                target,
                due_at,
            } => {
                self.callback_request(&conversation, target, due_at);
                return None;
            }
            Valid::CallbackResult(c, o, result) => {
                self.callback_result(c, o, result);
                return None;
            }
            Valid::Intercept(c, o) => {
                self.intercept(c, o);
                return None;
            }
            Valid::UpsertRole(cfg) => {
                self.access.upsert_role(cfg);
                return None;
            }
            Valid::RemoveRole(role) => {
                self.access.remove_role(&role);
                return None;
            }
            Valid::Tick => return None,
        };
        Some(trigger)
    }
}
