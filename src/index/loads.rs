//! Operators' load counters: how many open conversations each holds, by what counts toward a
//! cap.

use crate::model::ids::{ConvIdx, OpIdx};
use crate::state::Core;
use crate::wire::config::{CountTowardCap, LineConfig};

/// Load counters, each over all lines: open, awaiting reply, unanswered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Load {
    pub(crate) open: u32,
    pub(crate) awaiting_reply: u32,
    pub(crate) unanswered: u32,
}

impl Load {
    pub(crate) fn get(&self, count: CountTowardCap) -> u32 {
        match count {
            CountTowardCap::Open => self.open,
            CountTowardCap::AwaitingReply => self.awaiting_reply,
            CountTowardCap::Unanswered => self.unanswered,
        }
    }

    /// Counts (or uncounts) one conversation with these flags.
    pub(crate) fn adjust(&mut self, awaiting_reply: bool, answered: bool, add: bool) {
        let d = |v: &mut u32| {
            if add { *v += 1 } else { *v -= 1 }
        };
        d(&mut self.open);
        if awaiting_reply {
            d(&mut self.awaiting_reply);
        }
        if !answered {
            d(&mut self.unanswered);
        }
    }
}

impl Core {
    /// Under the cap a line applies.
    pub(crate) fn has_room_on(&self, o: OpIdx, line: &LineConfig) -> bool {
        self.facts.ops[o]
            .cap_on(line)
            .is_none_or(|cap| self.idx.ops[o].load.get(line.count_toward_cap) < cap)
    }

    /// Counts (or uncounts) a conversation in its holder's load. A call or callback counts
    /// toward every counter while it is open (DESIGN §7).
    pub(crate) fn adjust_load(&mut self, o: OpIdx, c: ConvIdx, add: bool) {
        let conv = &self.facts.convs[c];
        let voice = conv.request.is_voice();
        let (awaiting, answered) = (conv.awaiting_reply || voice, conv.answered && !voice);
        self.idx.ops[o].load.adjust(awaiting, answered, add);
    }

    /// Changes a conversation's flags, keeping its holder's load counters true.
    pub(crate) fn set_flags(&mut self, c: ConvIdx, awaiting_reply: bool, answered: bool) {
        let holder = self.facts.convs[c].place.holder();
        if let Some(o) = holder {
            self.adjust_load(o, c, false);
        }
        let conv = &mut self.facts.convs[c];
        let changed = conv.awaiting_reply != awaiting_reply || conv.answered != answered;
        conv.awaiting_reply = awaiting_reply;
        conv.answered = answered;
        if let Some(o) = holder {
            self.adjust_load(o, c, true);
            if changed && self.idx.ops[o].flags_matter {
                self.rekey(o);
            }
        }
    }
}
