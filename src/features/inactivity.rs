//! Closing a conversation whose client went quiet after an operator's answer
//! (`auto_close_after_secs`), texts only: a call or callback ends when the host closes it.
//! Per conversation it keeps the deadline of that close.

use rustc_hash::FxHashMap;

use crate::index::timers::{Timer, TimerKey};
use crate::model::ids::ConvIdx;
use crate::state::Core;

/// The inactivity close's own state.
#[derive(Clone, Debug, Default)]
pub(crate) struct Inactivity {
    /// The deadline of each conversation waiting for its client to write again.
    timers: FxHashMap<ConvIdx, TimerKey>,
}

impl Inactivity {
    /// An operator answered: the inactivity clock starts again.
    pub(crate) fn restart(&mut self, core: &mut Core, c: ConvIdx) {
        self.stop(core, c);
        // A caller on the line is not a client gone quiet: a call or callback ends when the
        // host closes it, never by inactivity.
        if core.facts.convs[c].request.is_voice() {
            return;
        }
        if let Some(secs) = core.facts.line_of(c).config.auto_close_after_secs {
            if let Some(at) = core.after(secs) {
                let key = core.timers.schedule(at, Timer::Inactivity(c));
                self.timers.insert(c, key);
            }
        }
    }

    /// The client wrote (or the conversation closed): no inactivity close.
    pub(crate) fn stop(&mut self, core: &mut Core, c: ConvIdx) {
        if self.timers.is_empty() {
            return;
        }
        if let Some(key) = self.timers.remove(&c) {
            core.timers.cancel(key);
        }
    }

    /// The deadline passed: whether the conversation should close now (it is still open).
    pub(crate) fn fired(&mut self, core: &Core, c: ConvIdx) -> bool {
        self.timers.remove(&c);
        core.facts.convs[c].is_open()
    }

    /// Restores a deadline a snapshot recorded.
    pub(crate) fn restore(&mut self, c: ConvIdx, key: TimerKey) {
        self.timers.insert(c, key);
    }

    /// The pending deadline of a conversation's inactivity close.
    pub(crate) fn deadline(&self, c: ConvIdx) -> Option<TimerKey> {
        self.timers.get(&c).copied()
    }
}
