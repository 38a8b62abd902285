//! Ratings: asking clients to rate a conversation after it closes, recording their score, and
//! closing on it. Per conversation it keeps the rating of the current (or last) session.

use rustc_hash::FxHashMap;

use crate::model::ids::ConvIdx;
use crate::state::Core;
use crate::wire::decision::{CloseReason, DecisionKind};

/// The ratings' own state.
#[derive(Clone, Debug, Default)]
pub(crate) struct Ratings {
    /// The client's rating of each conversation's current (or last) session.
    scores: FxHashMap<ConvIdx, u8>,
}

impl Ratings {
    /// A conversation closed: ask for a rating if the line wants one.
    pub(crate) fn closed(&mut self, core: &mut Core, c: ConvIdx, reason: CloseReason) {
        let line = core.facts.convs[c].line;
        let wants = core.facts.lines[line]
            .as_ref()
            .is_some_and(|l| l.config.rating.as_ref().is_some_and(|r| r.request_on_close));
        if wants && matches!(reason, CloseReason::Closed | CloseReason::Inactivity) {
            core.emit(DecisionKind::RatingRequested {
                conversation: core.facts.conv_name(c),
            });
        }
    }

    /// A closed conversation opened again: the new session starts without a rating.
    pub(crate) fn reopened(&mut self, c: ConvIdx) {
        if !self.scores.is_empty() {
            self.scores.remove(&c);
        }
    }

    /// The client rated the conversation. Returns whether it closes now: open, on a line that
    /// closes on a rating.
    pub(crate) fn rated(&mut self, core: &Core, c: ConvIdx, score: u8) -> bool {
        self.scores.insert(c, score);
        let conv = &core.facts.convs[c];
        conv.is_open()
            && core
                .facts
                .line(conv.line)
                .config
                .rating
                .as_ref()
                .is_some_and(|r| r.close_on_rating)
    }

    /// The conversation is forgotten.
    pub(crate) fn forgotten(&mut self, c: ConvIdx) {
        self.scores.remove(&c);
    }

    /// Restores a rating a snapshot recorded.
    pub(crate) fn restore(&mut self, c: ConvIdx, score: u8) {
        self.scores.insert(c, score);
    }

    /// A conversation's rating.
    pub(crate) fn score(&self, c: ConvIdx) -> Option<u8> {
        self.scores.get(&c).copied()
    }
}
