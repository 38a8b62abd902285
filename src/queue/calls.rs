//! The inputs about calls and clients (DESIGN §7): `abandon`, `intercept`, `upsert_client`.

use crate::model::conversation::{Answer, Place};
use crate::model::ids::{ClientIdx, ConvIdx, OpIdx};
use crate::routing::offers::Moved;
use crate::state::State;
use crate::wire::decision::{AssignReason, CloseReason};
use crate::wire::queue::ClientConfig;

/// Whether a conversation is ringing: a call or callback placed and not yet accepted — an
/// unconfirmed assignment, or open offers.
pub(crate) fn ringing(place: &Place) -> bool {
    match place {
        Place::Assigned { answer, .. } => *answer != Answer::Final,
        Place::Offered { .. } => true,
        _ => false,
    }
}

impl State {
    /// The client left before being served: whoever it was ringing at or offered to loses it
    /// (reason `abandoned`, and no `no_answer`: it is a fact), and it closes.
    pub(crate) fn abandon(&mut self, c: ConvIdx) {
        if matches!(
            self.core.facts.convs[c].place,
            Place::Assigned { .. } | Place::Offered { .. }
        ) {
            self.core.leave_with_decisions(c, None, Moved::abandoned());
        } else {
            self.core.leave(c);
        }
        self.closed(c, CloseReason::Abandoned);
    }

    /// `o` takes a call ringing at someone else: final, at once.
    pub(crate) fn intercept(&mut self, c: ConvIdx, o: OpIdx) {
        self.core
            .leave_with_decisions(c, None, Moved::intercepted());
        self.assign(c, o, AssignReason::Intercepted, true);
        self.picked_up(c, o);
    }

    /// Sets a client's attributes; their waiting conversations take their new place at once.
    pub(crate) fn upsert_client(&mut self, cfg: ClientConfig) {
        let cl = self.core.intern_client(&cfg.client);
        if self.core.facts.clients[cl].vip != cfg.vip {
            self.core.facts.clients[cl].vip = cfg.vip;
            self.rekey_client(cl);
        }
        self.forget_client_if_idle(cl);
    }

    /// A client's waiting conversations take their place again (their VIP flag changed).
    fn rekey_client(&mut self, cl: ClientIdx) {
        let convs = self.core.idx.client_convs[cl].clone();
        for c in convs {
            self.core.rekey_waiting(c);
        }
    }
}
