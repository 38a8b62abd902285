//! Configuration of operators, lines and channels, as the host upserts it.
//!
//! An upsert replaces the whole configuration: a field left out returns to its default, and an
//! unknown field is rejected (a typo must not silently remove a cap).

use serde::{Deserialize, Serialize};

use super::ids::{ChannelId, GroupId, LineId, OperatorId, RoleId};
use super::queue::{CallbackConfig, PriorityConfig};
use super::settings::{AutoReplies, BotConfig, RatingConfig, ScheduleConfig, SlaConfig};

/// The shortest offer timeout a line accepts, in seconds (one minute, as in the source product).
pub const MIN_OFFER_TIMEOUT_SECS: u32 = 60;
/// The longest offer timeout a line accepts, in seconds (twelve hours).
pub const MAX_OFFER_TIMEOUT_SECS: u32 = 43_200;

/// An operator's configuration (`upsert_operator`).
///
/// It sets the operator's cap, groups and active flag and nothing else: presence, work day,
/// absences, load and conversations are state, kept across upserts.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperatorConfig {
    /// The operator's id.
    pub operator: OperatorId,
    /// The operator's own cap on automatically assigned load; `None` means no cap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "arbitrary", arbitrary(with = fuzz::cap))]
    pub max_open: Option<u32>,
    /// The groups the operator belongs to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GroupId>,
    /// Whether the operator is active (not dismissed, seat paid). Defaults to `true`.
    #[serde(default = "yes")]
    #[cfg_attr(feature = "arbitrary", arbitrary(with = fuzz::mostly_true))]
    pub active: bool,
    /// The operator's roles (DESIGN §7): what they may do when an input names them as its
    /// actor. A role not yet defined grants nothing until it is.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<RoleId>,
}

impl OperatorConfig {
    /// An active operator with no cap and no groups.
    pub fn new(operator: impl Into<OperatorId>) -> Self {
        Self {
            operator: operator.into(),
            max_open: None,
            groups: Vec::new(),
            active: true,
            roles: Vec::new(),
        }
    }

    /// Sets the operator's own cap.
    pub fn max_open(mut self, cap: u32) -> Self {
        self.max_open = Some(cap);
        self
    }

    /// Adds the operator to a group.
    pub fn group(mut self, group: impl Into<GroupId>) -> Self {
        self.groups.push(group.into());
        self
    }

    /// Sets the active flag.
    pub fn active(mut self, active: bool) -> Self {
        self.active = active;
        self
    }

    /// Gives the operator a role.
    pub fn role(mut self, role: impl Into<RoleId>) -> Self {
        self.roles.push(role.into());
        self
    }
}

fn yes() -> bool {
    true
}

/// How a line picks the operator for a conversation.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Queue order: the first eligible member; on no answer, the next one not yet tried.
    Strict,
    /// Rotation: the eligible member assigned least recently (ties in queue order).
    #[default]
    Evenly,
    /// Fewest conversations (the counter the line's `count_toward_cap` names), then least
    /// recently assigned, then queue order.
    Balanced,
    /// Offered to every eligible member with room at once; the first to accept or reply wins.
    All,
}

/// What a line does with a client's pinned operator (personal manager).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PinnedPolicy {
    /// Only the pinned operator, whatever their load or presence; while they are inactive the
    /// conversation waits (`waiting_for_pinned`).
    Always,
    /// The pinned operator if eligible and under cap, else normal routing.
    #[default]
    Prefer,
    /// Normal routing.
    Ignore,
}

/// What happens when an unanswered conversation has been offered to every eligible member.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnExhausted {
    /// Forget who was tried and start again from the top.
    #[default]
    Cycle,
    /// Stay with the last one: that assignment becomes final.
    KeepLast,
    /// Back to the waiting queue (`queued` reason `exhausted`) until an operator not yet tried,
    /// or one who left and came back, is eligible.
    Requeue,
}

/// Which of an operator's conversations count toward a line's cap (and `balanced` order).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CountTowardCap {
    /// Every open conversation the operator is responsible for.
    #[default]
    Open,
    /// Only those where the client spoke last.
    AwaitingReply,
    /// Only those with no operator answer yet.
    Unanswered,
}

/// One entry of a line's queue: an operator, or a whole group.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum QueueEntry {
    /// A single operator, named by id (`"anna"`).
    Operator(OperatorId),
    /// Every member of a group (`{"group":"line1"}`), in the order they were first created.
    Group {
        /// The group's id.
        group: GroupId,
    },
}

impl From<OperatorId> for QueueEntry {
    fn from(id: OperatorId) -> Self {
        QueueEntry::Operator(id)
    }
}

impl From<&str> for QueueEntry {
    fn from(s: &str) -> Self {
        QueueEntry::Operator(s.into())
    }
}

/// A line's configuration (`upsert_line`).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineConfig {
    /// The line's id.
    pub line: LineId,
    /// How the line picks an operator. Default `evenly`.
    #[serde(default)]
    pub mode: Mode,
    /// The member operators and groups, in order.
    #[serde(default)]
    pub queue: Vec<QueueEntry>,
    /// Seconds an assignment (or an `all`-mode offer) waits for an answer before it moves on;
    /// `None` makes assignments final at once. Must lie in 60..=43200.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "arbitrary", arbitrary(with = fuzz::offer_timeout))]
    pub offer_timeout_secs: Option<u32>,
    /// The line's cap per operator; the smaller of this and the operator's own cap applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "arbitrary", arbitrary(with = fuzz::cap))]
    pub max_open_per_operator: Option<u32>,
    /// What the line does with pinned operators. Default `prefer`.
    #[serde(default)]
    pub pinned_policy: PinnedPolicy,
    /// Whether routing checks availability (absence, work day or presence). Default `true`.
    #[serde(default = "yes")]
    #[cfg_attr(feature = "arbitrary", arbitrary(with = fuzz::mostly_true))]
    pub check_availability: bool,
    /// With the availability check, require a started work day instead of presence `online`.
    #[serde(default)]
    pub require_workday: bool,
    /// What happens after every eligible member was tried. Default `cycle`.
    #[serde(default)]
    pub on_exhausted: OnExhausted,
    /// What counts toward the cap. Default `open`.
    #[serde(default)]
    pub count_toward_cap: CountTowardCap,
    /// Send a reopened conversation, or a new one from a client served before, to the last
    /// operator who served the client when they are eligible and under cap. Default `false`.
    #[serde(default)]
    pub prefer_last_operator: bool,
    /// Working hours; without them the line is always open. While the line is closed nothing
    /// is routed automatically: conversations wait (`queued` reason `off_hours`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<ScheduleConfig>,
    /// Which automatic replies the engine asks the host to send.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_replies: Option<AutoReplies>,
    /// First- and next-response targets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla: Option<SlaConfig>,
    /// A chat-bot that takes new conversations first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot: Option<BotConfig>,
    /// Asking clients for a rating, and closing on one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<RatingConfig>,
    /// Close a conversation whose client has not written for this long after an operator's
    /// answer (`closed` reason `inactivity`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_close_after_secs: Option<u32>,
    /// The order of the waiting queue: priorities by request kind and channel, a VIP bonus,
    /// aging (DESIGN §7). Without it every conversation's priority is 0: first come, first
    /// served.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<PriorityConfig>,
    /// Attempts and retry delay of callback orders (defaults: 3 attempts, 600 s apart).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback: Option<CallbackConfig>,
}

impl LineConfig {
    /// A line with every setting at its default and an empty queue.
    pub fn new(line: impl Into<LineId>) -> Self {
        Self {
            line: line.into(),
            mode: Mode::default(),
            queue: Vec::new(),
            offer_timeout_secs: None,
            max_open_per_operator: None,
            pinned_policy: PinnedPolicy::default(),
            check_availability: true,
            require_workday: false,
            on_exhausted: OnExhausted::default(),
            count_toward_cap: CountTowardCap::default(),
            prefer_last_operator: false,
            schedule: None,
            auto_replies: None,
            sla: None,
            bot: None,
            rating: None,
            auto_close_after_secs: None,
            priority: None,
            callback: None,
        }
    }

    /// Sets the working hours.
    pub fn schedule(mut self, schedule: ScheduleConfig) -> Self {
        self.schedule = Some(schedule);
        self
    }

    /// Sets the automatic replies.
    pub fn auto_replies(mut self, auto_replies: AutoReplies) -> Self {
        self.auto_replies = Some(auto_replies);
        self
    }

    /// Sets the response-time targets.
    pub fn sla(mut self, sla: SlaConfig) -> Self {
        self.sla = Some(sla);
        self
    }

    /// Puts a chat-bot in front of the queue.
    pub fn bot(mut self, bot: BotConfig) -> Self {
        self.bot = Some(bot);
        self
    }

    /// Sets the rating behaviour.
    pub fn rating(mut self, rating: RatingConfig) -> Self {
        self.rating = Some(rating);
        self
    }

    /// Closes conversations whose client stays silent this long after an operator's answer.
    pub fn auto_close_after_secs(mut self, secs: u32) -> Self {
        self.auto_close_after_secs = Some(secs);
        self
    }

    /// Sets the priorities of the waiting queue.
    pub fn priority(mut self, priority: PriorityConfig) -> Self {
        self.priority = Some(priority);
        self
    }

    /// Sets how callback orders are retried.
    pub fn callback(mut self, callback: CallbackConfig) -> Self {
        self.callback = Some(callback);
        self
    }

    /// Sets the queue mode.
    pub fn mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }

    /// Appends an operator or group to the queue.
    pub fn member(mut self, entry: impl Into<QueueEntry>) -> Self {
        self.queue.push(entry.into());
        self
    }

    /// Appends a group to the queue.
    pub fn group(mut self, group: impl Into<GroupId>) -> Self {
        self.queue.push(QueueEntry::Group {
            group: group.into(),
        });
        self
    }

    /// Sets the offer timeout in seconds.
    pub fn offer_timeout_secs(mut self, secs: u32) -> Self {
        self.offer_timeout_secs = Some(secs);
        self
    }

    /// Sets the line's cap per operator.
    pub fn max_open_per_operator(mut self, cap: u32) -> Self {
        self.max_open_per_operator = Some(cap);
        self
    }

    /// Sets the pinned policy.
    pub fn pinned_policy(mut self, policy: PinnedPolicy) -> Self {
        self.pinned_policy = policy;
        self
    }

    /// Turns the availability check on or off.
    pub fn check_availability(mut self, on: bool) -> Self {
        self.check_availability = on;
        self
    }

    /// Requires a started work day (instead of presence `online`) under the availability check.
    pub fn require_workday(mut self, on: bool) -> Self {
        self.require_workday = on;
        self
    }

    /// Sets what happens after every eligible member was tried.
    pub fn on_exhausted(mut self, on_exhausted: OnExhausted) -> Self {
        self.on_exhausted = on_exhausted;
        self
    }

    /// Sets what counts toward the cap.
    pub fn count_toward_cap(mut self, count: CountTowardCap) -> Self {
        self.count_toward_cap = count;
        self
    }

    /// Turns `prefer_last_operator` on or off.
    pub fn prefer_last_operator(mut self, on: bool) -> Self {
        self.prefer_last_operator = on;
        self
    }
}

/// A channel's connection to a line (`connect_channel`).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelConfig {
    /// The channel's id.
    pub channel: ChannelId,
    /// The line it connects to.
    pub line: LineId,
    /// What kind of source it is (`whatsapp`, `telegram`, `web_chat`, `email`, `call` …); free
    /// text the engine does not interpret, matched exactly by a line's priority rules and by
    /// rule conditions (both `channel_kind`). Changing it re-orders the channel's waiting
    /// conversations at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The operators allowed to serve it. Left out: every member of the line. An explicitly
    /// empty list: no automatic distribution for this channel (manual take still works).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operators: Option<Vec<OperatorId>>,
}

impl ChannelConfig {
    /// A channel served by every member of `line`.
    pub fn new(channel: impl Into<ChannelId>, line: impl Into<LineId>) -> Self {
        Self {
            channel: channel.into(),
            line: line.into(),
            kind: None,
            operators: None,
        }
    }

    /// Sets the channel's kind.
    pub fn kind(mut self, kind: impl Into<String>) -> Self {
        self.kind = Some(kind.into());
        self
    }

    /// Restricts the channel to these operators (an empty list turns automatic distribution off).
    pub fn operators<I, O>(mut self, operators: I) -> Self
    where
        I: IntoIterator<Item = O>,
        O: Into<OperatorId>,
    {
        self.operators = Some(operators.into_iter().map(Into::into).collect());
        self
    }
}

/// How long a closed conversation is kept by default: 30 days, in seconds.
pub const DEFAULT_FORGET_CLOSED_AFTER_SECS: u64 = 30 * 24 * 3600;
/// How many renewals one call fires, by default, before it stops (see
/// [`EngineSettings::max_renewals_per_call`]).
pub const DEFAULT_MAX_RENEWALS_PER_CALL: u32 = 100_000;

/// Engine-wide settings (`engine_settings`). An upsert like the others: a field left out
/// returns to its default.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EngineSettings {
    /// Seconds after it closed at which a conversation is forgotten — its record, its id, its
    /// indices — so that memory follows the open work, not the engine's age; a client with no
    /// open conversation and nothing the host set on them (a pin, a VIP mark) is forgotten the
    /// same span after their last conversation closed. `None` (`null` on the wire) keeps
    /// everything. Default 30 days.
    #[serde(default = "default_forget")]
    #[cfg_attr(feature = "arbitrary", arbitrary(with = fuzz::forget_after))]
    pub forget_closed_after_secs: Option<u64>,
    /// How many renewals one call fires before it stops at the end of the instant it is in:
    /// offers renewed (an unanswered offer moving on, or
    /// re-offered in mode `all`) and line hours changing, when that deadline was set by an
    /// earlier firing of the same call. Only these can make one call's work grow with the
    /// time it covers; everything else fires once, however long the pause. An input whose
    /// catching up needs more is refused ([`Error::CatchUpBound`](crate::Error::CatchUpBound))
    /// and a `tick` goes that far and stops, so that a bogus timestamp in year 9999 costs
    /// bounded work. At least 1; default 100 000.
    #[serde(default = "default_renewals")]
    #[cfg_attr(feature = "arbitrary", arbitrary(with = fuzz::renewals))]
    pub max_renewals_per_call: u32,
}

fn default_forget() -> Option<u64> {
    Some(DEFAULT_FORGET_CLOSED_AFTER_SECS)
}

fn default_renewals() -> u32 {
    DEFAULT_MAX_RENEWALS_PER_CALL
}

impl Default for EngineSettings {
    fn default() -> Self {
        Self {
            forget_closed_after_secs: default_forget(),
            max_renewals_per_call: default_renewals(),
        }
    }
}

impl EngineSettings {
    /// Forget closed conversations this long after they closed (`None`: never).
    pub fn forget_closed_after_secs(mut self, secs: Option<u64>) -> Self {
        self.forget_closed_after_secs = secs;
        self
    }

    /// Stop a call at the end of the instant in which it has fired this many renewals.
    pub fn max_renewals_per_call(mut self, renewals: u32) -> Self {
        self.max_renewals_per_call = renewals;
        self
    }
}

/// Biased generators for the `Arbitrary` derives: mostly values that are valid and small
/// enough for caps and timeouts to matter, now and then anything at all.
#[cfg(feature = "arbitrary")]
mod fuzz {
    use arbitrary::{Arbitrary, Result, Unstructured};

    use super::{MAX_OFFER_TIMEOUT_SECS, MIN_OFFER_TIMEOUT_SECS};

    /// `None` (no cap) a third of the time, else mostly 0..=3, rarely any number.
    pub(super) fn cap(u: &mut Unstructured<'_>) -> Result<Option<u32>> {
        Ok(match u.int_in_range(0u8..=15)? {
            0..=4 => None,
            5..=14 => Some(u.int_in_range(0..=3)?),
            _ => Some(u32::arbitrary(u)?),
        })
    }

    /// `true` seven times in eight.
    pub(super) fn mostly_true(u: &mut Unstructured<'_>) -> Result<bool> {
        u.ratio(7u8, 8)
    }

    /// Mostly a short retention (so that forgetting happens within a run), sometimes none,
    /// the default or any number.
    pub(super) fn forget_after(u: &mut Unstructured<'_>) -> Result<Option<u64>> {
        Ok(match u.int_in_range(0u8..=15)? {
            0..=2 => None,
            3..=11 => Some(u.int_in_range(0..=600)?),
            12..=13 => Some(super::DEFAULT_FORGET_CLOSED_AFTER_SECS),
            _ => Some(u64::arbitrary(u)?),
        })
    }

    /// Mostly small (so that the bound is met within a run), sometimes 0 (refused) or any.
    pub(super) fn renewals(u: &mut Unstructured<'_>) -> Result<u32> {
        Ok(match u.int_in_range(0u8..=15)? {
            0 => 0,
            1..=12 => u.int_in_range(1..=20)?,
            13 => super::DEFAULT_MAX_RENEWALS_PER_CALL,
            _ => u32::arbitrary(u)?,
        })
    }

    /// No timeout a quarter of the time; else mostly the bounds or a valid value, rarely any
    /// number (usually invalid, so the upsert is refused).
    pub(super) fn offer_timeout(u: &mut Unstructured<'_>) -> Result<Option<u32>> {
        Ok(match u.int_in_range(0u8..=15)? {
            0..=3 => None,
            4..=8 => {
                Some(*u.choose(&[MIN_OFFER_TIMEOUT_SECS, 300, 3_600, MAX_OFFER_TIMEOUT_SECS])?)
            }
            9..=14 => Some(u.int_in_range(MIN_OFFER_TIMEOUT_SECS..=MAX_OFFER_TIMEOUT_SECS)?),
            _ => Some(u32::arbitrary(u)?),
        })
    }
}
