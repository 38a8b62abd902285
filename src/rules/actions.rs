//! What a rule's actions do. The decisions an action causes carry reason `rule`, except the
//! placements of the routing that `route` starts, which carry routing's own.

use super::{Act, Flow};
use crate::model::conversation::Place;
use crate::model::ids::ConvIdx;
use crate::routing::offers::Moved;
use crate::state::State;
use crate::wire::decision::{AssignReason, CloseReason};

impl State {
    /// One action on the conversation.
    pub(super) fn act(&mut self, c: ConvIdx, action: Act) -> Flow {
        let completed = self.core.facts.convs[c].place == Place::Completed;
        match action {
            Act::Assign(o) => {
                if !self.core.facts.ops[o].is_active() {
                    return Flow::Next;
                }
                if completed {
                    self.set_responsible(c, Some(o));
                } else {
                    self.rule_assigns(c, o);
                }
            }
            Act::AssignResponsible => {
                if !completed {
                    self.assign_responsible(c);
                }
            }
            Act::Route(line) => {
                let l = line.unwrap_or(self.core.facts.convs[c].line);
                if completed {
                    self.move_completed(c, l);
                } else {
                    self.move_to_line(c, l, Moved::by_rule());
                }
            }
            Act::Status(status) => self.set_status(c, status),
            Act::Complete => {
                if !completed {
                    self.complete(c, None, Moved::by_rule());
                }
            }
            Act::Close => {
                self.close(c, CloseReason::Rule);
                return Flow::StopAll;
            }
            Act::Stop => return Flow::StopList,
        }
        Flow::Next
    }

    /// An active conversation goes to `o`, final. Their own unconfirmed assignment becomes
    /// final, and says so; their final one stays as it is.
    fn rule_assigns(&mut self, c: ConvIdx, o: crate::model::ids::OpIdx) {
        match self.core.facts.convs[c].place {
            Place::Assigned { op, answer, .. } if op == o => {
                if !answer.is_final() {
                    self.keep_final(c, o, AssignReason::Rule);
                }
            }
            _ => self.give_to(c, o, AssignReason::Rule, Moved::by_rule()),
        }
    }

    /// An active conversation goes to its responsible, when they are eligible on its line with
    /// room (for a call: holding nothing) — as a routed assignment would, with its answer
    /// deadline; otherwise nothing.
    fn assign_responsible(&mut self, c: ConvIdx) {
        let conv = &self.core.facts.convs[c];
        let Some(r) = conv.responsible else { return };
        let voice = conv.request.is_voice();
        // A client pinned under `always` goes to nobody but their pinned operator.
        let pinned = self.core.facts.always_pinned(c);
        if conv.place.holder() == Some(r)
            || pinned.is_some_and(|p| p != r)
            || !self.core.can_take_in(r, self.core.pool_of(c), voice)
        {
            return;
        }
        self.core.leave_with_decisions(c, Some(r), Moved::by_rule());
        self.assign(c, r, AssignReason::Rule, false);
    }
}
