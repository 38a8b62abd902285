//! The moves of a conversation between places. Every move goes through [`Core::leave`] and
//! one of the `enter_*` methods, so loads, line counters, waiting queues and deadlines can
//! never drift apart. Moves emit nothing: the caller says why a conversation moved.

use chrono::{DateTime, Utc};

use crate::index::timers::Timer;
use crate::index::waiting::Bucket;
use crate::model::conversation::{Answer, Place};
use crate::model::ids::{ConvIdx, LineIdx, OpIdx};
use crate::model::operator::profile;
use crate::queue::priority::WaitKey;
use crate::state::Core;
use crate::wire::decision::AssignReason;

/// How an assignment is to be answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum By {
    /// It is final at once.
    Final,
    /// By this time, or it moves on.
    At(DateTime<Utc>),
    /// Unconfirmed, with no clock until the client writes.
    Unclocked,
}

impl Core {
    /// Takes a conversation out of wherever it is — a closed one too, to reopen it — into
    /// `Limbo`.
    pub(crate) fn leave(&mut self, c: ConvIdx) -> Place {
        let line = self.facts.convs[c].line;
        let old = std::mem::replace(&mut self.facts.convs[c].place, Place::Limbo);
        match &old {
            Place::Closed { forget, .. } => {
                // A closed conversation reopens: it is not forgotten any more.
                if let Some(key) = forget {
                    self.timers.cancel_forget(*key);
                }
            }
            Place::Limbo => {}
            Place::Waiting { key, bucket } => self.unindex_waiting(c, line, *key, *bucket),
            Place::Assigned { op, answer, .. } => {
                match answer {
                    Answer::Due(key) => {
                        self.timers.cancel(*key);
                        self.idx.lines[line].offered -= 1;
                    }
                    Answer::Unclocked => self.idx.lines[line].offered -= 1,
                    Answer::Final => self.idx.lines[line].assigned -= 1,
                }
                self.adjust_load(*op, c, false);
                let index = &mut self.idx.ops[*op];
                index.held.remove(&c);
                if self.facts.convs[c].request.is_voice() {
                    index.voice -= 1;
                }
                self.rekey(*op);
            }
            Place::Offered { ops, deadline, .. } => {
                if let Some(key) = deadline {
                    self.timers.cancel(*key);
                }
                self.idx.lines[line].offered -= 1;
                for o in ops {
                    self.idx.ops[*o].offers.remove(&c);
                }
            }
            Place::WithBot { deadline, .. } => {
                if let Some(key) = deadline {
                    self.timers.cancel(*key);
                }
                self.idx.lines[line].with_bot -= 1;
            }
            Place::Completed => self.idx.lines[line].completed -= 1,
            Place::Scheduled { due } => {
                self.timers.cancel(*due);
                self.idx.lines[line].scheduled -= 1;
            }
        }
        old
    }

    /// Puts a conversation in limbo into its line's waiting queue: at the place its client's
    /// wait gives it (a wait begins now if none is under way).
    pub(crate) fn enter_waiting(&mut self, c: ConvIdx, bucket: Bucket) {
        debug_assert_eq!(self.facts.convs[c].place, Place::Limbo);
        let w = self.begin_wait(c);
        let key = self.wait_key(c, w);
        self.place_waiting(c, key, bucket);
    }

    /// Puts a conversation in limbo into a waiting queue at `key`.
    pub(crate) fn place_waiting(&mut self, c: ConvIdx, key: WaitKey, bucket: Bucket) {
        let line = self.facts.convs[c].line;
        self.index_waiting(c, line, key, bucket);
        self.facts.convs[c].place = Place::Waiting { key, bucket };
    }

    /// Schedules a callback order in limbo for `at` (DESIGN §7).
    pub(crate) fn enter_scheduled(&mut self, c: ConvIdx, at: DateTime<Utc>) {
        debug_assert_eq!(self.facts.convs[c].place, Place::Limbo);
        self.end_wait(c);
        let line = self.facts.convs[c].line;
        self.idx.lines[line].scheduled += 1;
        let due = self.timers.schedule(at, Timer::Callback(c));
        self.facts.convs[c].place = Place::Scheduled { due };
    }

    /// Assigns a conversation in limbo: final, to be answered by a time, or unconfirmed with no
    /// clock yet. Its operator is its responsible from now.
    pub(crate) fn enter_assigned(&mut self, c: ConvIdx, o: OpIdx, reason: AssignReason, by: By) {
        debug_assert_eq!(self.facts.convs[c].place, Place::Limbo);
        let line = self.facts.convs[c].line;
        let answer = match by {
            By::Final => Answer::Final,
            By::At(at) => Answer::Due(self.timers.schedule(at, Timer::Offer(c))),
            By::Unclocked => Answer::Unclocked,
        };
        if answer.is_final() {
            self.idx.lines[line].assigned += 1;
        } else {
            self.idx.lines[line].offered += 1;
        }
        self.facts.convs[c].place = Place::Assigned {
            op: o,
            reason,
            answer,
        };
        self.facts.convs[c].responsible = Some(o);
        if answer.is_final() {
            self.became_final(c, o);
        } else {
            self.begin_wait(c);
        }
        self.placed(c);
        let seq = self.next_seq();
        self.facts.ops[o].last_assigned = seq;
        let index = &mut self.idx.ops[o];
        index.held.insert(c);
        if self.facts.convs[c].request.is_voice() {
            index.voice += 1;
        }
        self.adjust_load(o, c, true);
        self.rekey(o);
    }

    /// Offers a conversation in limbo to several operators (mode `all`).
    pub(crate) fn enter_offered(
        &mut self,
        c: ConvIdx,
        ops: Vec<OpIdx>,
        expires: Option<DateTime<Utc>>,
        unclocked: bool,
    ) {
        debug_assert_eq!(self.facts.convs[c].place, Place::Limbo);
        let line = self.facts.convs[c].line;
        let deadline = expires.map(|at| self.timers.schedule(at, Timer::Offer(c)));
        self.begin_wait(c);
        self.placed(c);
        self.idx.lines[line].offered += 1;
        for &o in &ops {
            self.idx.ops[o].offers.insert(c);
        }
        self.facts.convs[c].place = Place::Offered {
            ops: ops.into(),
            deadline,
            unclocked,
        };
    }

    /// Hands a conversation in limbo to the line's bot.
    pub(crate) fn enter_with_bot(&mut self, c: ConvIdx, bot: &str, until: Option<DateTime<Utc>>) {
        debug_assert_eq!(self.facts.convs[c].place, Place::Limbo);
        let line = self.facts.convs[c].line;
        let deadline = until.map(|at| self.timers.schedule(at, Timer::Bot(c)));
        self.idx.lines[line].with_bot += 1;
        self.facts.convs[c].place = Place::WithBot {
            bot: bot.into(),
            deadline,
        };
    }

    /// Makes an unconfirmed assignment final (confirmed, or kept by `keep_last`).
    pub(crate) fn confirm(&mut self, c: ConvIdx) {
        let line = self.facts.convs[c].line;
        if let Place::Assigned { op, answer, .. } = &mut self.facts.convs[c].place {
            if !answer.is_final() {
                let (op, was) = (*op, std::mem::replace(answer, Answer::Final));
                if let Some(key) = was.deadline() {
                    self.timers.cancel(key);
                }
                let line = &mut self.idx.lines[line];
                line.offered -= 1;
                line.assigned += 1;
                self.became_final(c, op);
            }
        }
    }

    /// An unconfirmed assignment loses its deadline but stays unconfirmed (a call kept
    /// ringing at its holder).
    pub(crate) fn stop_clock(&mut self, c: ConvIdx) {
        if let Place::Assigned { answer, .. } = &mut self.facts.convs[c].place {
            if let Answer::Due(key) = *answer {
                *answer = Answer::Unclocked;
                self.timers.cancel(key);
            }
        }
    }

    /// An unconfirmed assignment with no clock gets one: to be answered by `at`.
    pub(crate) fn start_clock(&mut self, c: ConvIdx, at: DateTime<Utc>) {
        let key = self.timers.schedule(at, Timer::Offer(c));
        if let Place::Assigned { answer, .. } = &mut self.facts.convs[c].place {
            debug_assert_eq!(*answer, Answer::Unclocked);
            *answer = Answer::Due(key);
        }
    }

    /// Completes a conversation in limbo: in no queue, held by nobody.
    pub(crate) fn enter_completed(&mut self, c: ConvIdx) {
        debug_assert_eq!(self.facts.convs[c].place, Place::Limbo);
        let line = self.facts.convs[c].line;
        self.idx.lines[line].completed += 1;
        self.end_wait(c);
        let conv = &mut self.facts.convs[c];
        conv.place = Place::Completed;
        conv.tried.clear();
        conv.placed_at = None;
    }

    /// An assignment became final or confirmed: its operator is the client's last operator
    /// (DESIGN §1), dated now — an unconfirmed one that ends unanswered never counts — and
    /// the client's wait is over.
    fn became_final(&mut self, c: ConvIdx, o: OpIdx) {
        let client = self.facts.convs[c].client;
        self.facts.clients[client].last_operator = Some(o);
        self.end_wait(c);
    }

    /// The conversation was placed: its handling time starts, if this session's had not.
    fn placed(&mut self, c: ConvIdx) {
        let now = self.now();
        self.facts.convs[c].placed_at.get_or_insert(now);
    }

    /// Closes a conversation in limbo, to be forgotten when the engine's settings say.
    /// Returns whether that is now (a retention of zero): the caller forgets it once closing
    /// is done, since no deadline may be left due after an input.
    pub(crate) fn enter_closed(&mut self, c: ConvIdx) -> bool {
        debug_assert_eq!(self.facts.convs[c].place, Place::Limbo);
        let line = self.facts.convs[c].line;
        if self.facts.lines[line].is_some() {
            self.idx.lines[line].open -= 1;
        }
        let at = self.now();
        let deadline = self.forget_deadline(at);
        let forget = deadline
            .filter(|&t| t > at)
            .map(|t| self.timers.schedule(t, Timer::Forget(c)));
        self.end_wait(c);
        let conv = &mut self.facts.convs[c];
        conv.place = Place::Closed { at, forget };
        conv.tried.clear();
        deadline.is_some_and(|t| t <= at)
    }

    /// When a conversation closed at `at` is forgotten: `None` while closed conversations are
    /// kept forever, and past the end of representable time.
    pub(crate) fn forget_deadline(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let secs = i64::try_from(self.settings.forget_closed_after_secs?).ok()?;
        at.checked_add_signed(chrono::TimeDelta::try_seconds(secs)?)
    }

    /// An open conversation moves to line `l` (its line's count of open conversations moves
    /// with it).
    pub(crate) fn set_line(&mut self, c: ConvIdx, l: LineIdx) {
        let old = self.facts.convs[c].line;
        if self.facts.lines[old].is_some() {
            self.idx.lines[old].open -= 1;
        }
        self.idx.lines[l].open += 1;
        self.facts.convs[c].line = l;
    }

    /// The availability profile of a conversation's line.
    fn conv_profile(&self, c: ConvIdx) -> usize {
        profile(&self.facts.line_of(c).config)
    }

    /// Whether the operator was tried for this conversation and has not left and come back
    /// (under its line's availability profile) since.
    pub(crate) fn tried(&self, c: ConvIdx, o: OpIdx) -> bool {
        let p = self.conv_profile(c);
        let epoch = self.facts.ops[o].epoch[p];
        self.facts.convs[c]
            .tried
            .iter()
            .any(|&(t, e)| t == o && e[p] == epoch)
    }

    pub(crate) fn mark_tried(&mut self, c: ConvIdx, o: OpIdx) {
        let epoch = self.facts.ops[o].epoch;
        let tried = &mut self.facts.convs[c].tried;
        tried.retain(|&(t, _)| t != o);
        tried.push((o, epoch));
    }

    /// Whether some operator tried for this conversation has not left and come back since.
    pub(crate) fn has_live_tried(&self, c: ConvIdx) -> bool {
        let p = self.conv_profile(c);
        self.facts.convs[c]
            .tried
            .iter()
            .any(|&(t, e)| self.facts.ops[t].epoch[p] == e[p])
    }
}
