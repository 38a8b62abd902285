//! The contact-centre queue (DESIGN §7, MANGO Office's queue panel): calls and callback
//! orders beside texts, priorities with aging, the client's wait kept across a return to the
//! queue, interception, abandonment, and what the panel shows.
//!
//! The routing side lives where routing does — a call picks from a pool's free set
//! (`routing/modes.rs`), a call waits in its pool's voice bucket (`index/waiting.rs`), a
//! waiting queue is ordered by [`priority::WaitKey`] — and this module owns the rest: callback
//! orders and their attempts ([`callbacks`]), the inputs about calls ([`calls`]), and the
//! handling times behind the estimated wait ([`panel`]).

pub(crate) mod callbacks;
pub(crate) mod calls;
pub(crate) mod panel;
pub(crate) mod priority;

use std::collections::VecDeque;

use chrono::{DateTime, Utc};
use rustc_hash::FxHashMap;

use crate::model::ids::{ConvIdx, Idx, LineIdx};
use crate::state::Core;
use crate::wire::queue::Request;

/// How many closed conversations of a kind the mean handling time is taken over.
pub(crate) const HANDLED_WINDOW: usize = 50;
/// How many must have closed before the estimated wait is given.
pub(crate) const HANDLED_MINIMUM: usize = 10;

/// A callback order's attempts (DESIGN §7, "Callback orders").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Order {
    /// The attempt under way or scheduled, from 1.
    pub(crate) attempt: u32,
    /// When this attempt fell or falls due.
    pub(crate) due_at: DateTime<Utc>,
}

/// The last handling times (seconds, placement to close) of one line's closed conversations
/// of one kind, and their sum.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Handled {
    pub(crate) secs: VecDeque<u64>,
    pub(crate) sum: u128,
}

impl Handled {
    pub(crate) fn push(&mut self, secs: u64) {
        if self.secs.len() == HANDLED_WINDOW {
            if let Some(old) = self.secs.pop_front() {
                self.sum -= u128::from(old);
            }
        }
        self.secs.push_back(secs);
        self.sum += u128::from(secs);
    }

    /// The handling times' sum and count, once enough have closed: the mean is their
    /// quotient, kept exact.
    pub(crate) fn mean(&self) -> Option<(u128, u128)> {
        (self.secs.len() >= HANDLED_MINIMUM).then_some((self.sum, self.secs.len() as u128))
    }
}

/// What the queue keeps of its own: callback orders' attempts, and handling times per line
/// and request kind.
#[derive(Clone, Debug, Default)]
pub(crate) struct Queue {
    pub(crate) orders: FxHashMap<ConvIdx, Order>,
    /// By line slot (lines are few, and every close records one).
    pub(crate) handled: Vec<[Handled; 3]>,
}

impl Queue {
    /// A conversation closed: its handling time counts toward its line's mean for its kind;
    /// a callback order is over.
    pub(crate) fn closed(&mut self, core: &mut Core, c: ConvIdx) {
        if !self.orders.is_empty() {
            self.orders.remove(&c);
        }
        let now = core.now().timestamp();
        let conv = &mut core.facts.convs[c];
        let Some(placed) = conv.placed_at.take() else {
            return;
        };
        // Whole seconds are what the estimate works in.
        let secs = u64::try_from(now.saturating_sub(placed.timestamp())).unwrap_or(0);
        self.handled_mut(conv.line)[conv.request as usize].push(secs);
    }

    pub(crate) fn handled_mut(&mut self, l: LineIdx) -> &mut [Handled; 3] {
        if self.handled.len() <= l.ix() {
            self.handled.resize_with(l.ix() + 1, Default::default);
        }
        &mut self.handled[l.ix()]
    }

    /// A line was removed: its handling times go with it.
    pub(crate) fn line_removed(&mut self, l: LineIdx) {
        if let Some(h) = self.handled.get_mut(l.ix()) {
            *h = Default::default();
        }
    }

    /// The mean handling time of a line's closed conversations of a kind, once enough closed,
    /// as a sum and a count.
    pub(crate) fn mean_handling(&self, l: LineIdx, kind: Request) -> Option<(u128, u128)> {
        self.handled.get(l.ix())?[kind as usize].mean()
    }
}
