//! Ratings, and closing conversations whose client went quiet.

use serde::{Deserialize, Serialize};

use crate::decision::{CloseReason, DecisionKind};
use crate::state::{ConvIdx, ConvState, State};
use crate::timers::Timer;

/// A line's rating behaviour (`"rating"` on `upsert_line`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(deny_unknown_fields)]
pub struct RatingConfig {
    /// Ask the client for a rating when a conversation closes (`rating_requested` after
    /// `closed`, for reasons `closed` and `inactivity`).
    #[serde(default)]
    pub request_on_close: bool,
    /// Close a conversation as soon as its client rates it (`closed` reason `rated`).
    #[serde(default)]
    pub close_on_rating: bool,
}

impl State {
    /// After a conversation closed: ask for a rating if the line wants one.
    pub(crate) fn after_close(&mut self, c: ConvIdx, reason: CloseReason) {
        let line = self.convs[c as usize].line;
        let wants = self.lines[line as usize]
            .as_ref()
            .is_some_and(|l| l.config.rating.as_ref().is_some_and(|r| r.request_on_close));
        if wants && matches!(reason, CloseReason::Closed | CloseReason::Inactivity) {
            self.emit(DecisionKind::RatingRequested {
                conversation: self.conv_name(c),
            });
        }
    }

    /// The client rated the conversation.
    pub(crate) fn rate(&mut self, c: ConvIdx, score: u8) {
        self.convs[c as usize].rating = Some(score);
        if self.convs[c as usize].state == ConvState::Closed {
            return;
        }
        let line = self.convs[c as usize].line;
        if self
            .line(line)
            .config
            .rating
            .as_ref()
            .is_some_and(|r| r.close_on_rating)
        {
            self.close(c, CloseReason::Rated);
        }
    }

    /// An operator answered: the inactivity clock starts again.
    pub(crate) fn restart_inactivity(&mut self, c: ConvIdx) {
        self.stop_inactivity(c);
        let line = self.convs[c as usize].line;
        if let Some(secs) = self.line(line).config.auto_close_after_secs {
            if let Some(at) = self.after(secs) {
                let key = self.timers.schedule(at, Timer::Inactivity(c));
                self.convs[c as usize].inactivity_timer = Some(Box::new(key));
            }
        }
    }

    /// The client wrote (or the conversation closed): no inactivity close.
    pub(crate) fn stop_inactivity(&mut self, c: ConvIdx) {
        if let Some(key) = self.convs[c as usize].inactivity_timer.take() {
            self.timers.cancel(*key);
        }
    }

    /// The client stayed silent after an answer for `auto_close_after_secs`.
    pub(crate) fn inactivity_fired(&mut self, c: ConvIdx) {
        self.convs[c as usize].inactivity_timer = None;
        if self.convs[c as usize].state != ConvState::Closed {
            self.close(c, CloseReason::Inactivity);
        }
    }
}
