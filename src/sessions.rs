//! Support lines' conversations (DESIGN §6): their status, completed sessions, and the
//! responsible — the operator a completed or waiting conversation belongs to ("Mine").

use crate::model::conversation::Place;
use crate::model::ids::{ConvIdx, LineIdx, OpIdx};
use crate::routing::offers::Moved;
use crate::state::State;
use crate::wire::decision::DecisionKind;
use crate::wire::rules::Status;

impl State {
    /// Sets a conversation's status, saying so when it changes.
    pub(crate) fn set_status(&mut self, c: ConvIdx, status: Status) {
        if self.core.facts.convs[c].status == status {
            return;
        }
        self.core.facts.convs[c].status = status;
        self.core.emit(DecisionKind::StatusChanged {
            conversation: self.core.facts.conv_name(c),
            status,
        });
    }

    /// Completes an active conversation: whoever held it or was offered it loses it (`why`),
    /// the status changes if one is given, and `completed` says where it stands.
    pub(crate) fn complete(&mut self, c: ConvIdx, status: Option<Status>, why: Moved) {
        self.core.leave_with_decisions(c, None, why);
        self.core.enter_completed(c);
        self.session_completed(c);
        if let Some(status) = status {
            self.set_status(c, status);
        }
        self.emit_completed(c);
    }

    /// `completed`, with the conversation's line and responsible as they stand.
    fn emit_completed(&mut self, c: ConvIdx) {
        let conv = &self.core.facts.convs[c];
        self.core.emit(DecisionKind::Completed {
            conversation: self.core.facts.conv_name(c),
            line: self.core.facts.line_name(conv.line),
            responsible: conv.responsible.map(|o| self.core.facts.op_name(o)),
        });
    }

    /// A conversation nobody holds gets another responsible (a rule named one, or theirs was
    /// removed); a completed one says so.
    pub(crate) fn set_responsible(&mut self, c: ConvIdx, o: Option<OpIdx>) {
        let conv = &mut self.core.facts.convs[c];
        if conv.responsible == o {
            return;
        }
        conv.responsible = o;
        if conv.place == Place::Completed {
            self.emit_completed(c);
        }
    }

    /// A completed conversation records the line it is to be routed on when re-activated.
    pub(crate) fn move_completed(&mut self, c: ConvIdx, l: LineIdx) {
        let old = self.core.facts.convs[c].line;
        if old != l {
            self.core.set_line(c, l);
            // A completed conversation is counted by its line as such, too.
            self.core.idx.lines[old].completed -= 1;
            self.core.idx.lines[l].completed += 1;
            self.emit_completed(c);
        }
    }

    /// An operator was removed: they are nobody's responsible any more (completed
    /// conversations say so, in the order they were first mentioned).
    pub(crate) fn responsible_removed(&mut self, o: OpIdx) {
        let theirs = self
            .core
            .facts
            .live_convs()
            .filter(|(_, conv)| conv.responsible == Some(o))
            .map(|(c, _)| c)
            .collect();
        for c in self.core.facts.by_birth(theirs) {
            self.set_responsible(c, None);
        }
    }
}
