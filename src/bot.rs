//! A chat-bot first line: new conversations meet the bot, which hands them to the queue.

use serde::{Deserialize, Serialize};

use crate::decision::{BotLeftReason, CloseReason, DecisionKind};
use crate::state::{ConvIdx, ConvState, State};
use crate::timers::Timer;

/// When a line's bot joins a conversation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(rename_all = "snake_case")]
pub enum BotJoin {
    /// Only a client's first contact (their first conversation, the first time it opens).
    FirstContact,
    /// Every conversation, every time it (re)opens.
    #[default]
    Always,
}

/// What happens when the bot's turn ends.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(rename_all = "snake_case")]
pub enum BotLeave {
    /// The conversation is routed to the line's operators.
    #[default]
    Queue,
    /// The conversation closes (`closed` reason `bot`).
    Close,
}

/// A line's chat-bot (`"bot"` on `upsert_line`). The bot is never an operator: it counts
/// toward no cap and is never routed to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(deny_unknown_fields)]
pub struct BotConfig {
    /// The bot's name, passed back to the host in `bot_assigned` and `bot_left`.
    pub bot: String,
    /// When it joins. Default `always`.
    #[serde(default)]
    pub join: BotJoin,
    /// Seconds after which the bot's turn ends on its own; `None`: only `bot_handoff` ends it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handoff_after_secs: Option<u32>,
    /// What happens when its turn ends. Default `queue`.
    #[serde(default)]
    pub on_leave: BotLeave,
}

impl BotConfig {
    /// A bot that joins every conversation and leaves only on `bot_handoff`, to the queue.
    pub fn new(bot: impl Into<String>) -> Self {
        Self {
            bot: bot.into(),
            join: BotJoin::Always,
            handoff_after_secs: None,
            on_leave: BotLeave::Queue,
        }
    }
}

impl State {
    /// A conversation in limbo that just (re)opened meets the line's bot if the bot joins it.
    /// Returns whether it did.
    pub(crate) fn bot_joins(&mut self, c: ConvIdx) -> bool {
        let line = self.convs[c as usize].line;
        let Some(bot) = self.line(line).config.bot.clone() else {
            return false;
        };
        let client = self.convs[c as usize].client;
        if bot.join == BotJoin::FirstContact && self.clients[client as usize].contacts > 1 {
            return false;
        }
        let deadline = bot
            .handoff_after_secs
            .and_then(|s| self.after(s))
            .map(|at| self.timers.schedule(at, Timer::Bot(c)));
        self.line_mut(line).with_bot += 1;
        self.convs[c as usize].state = ConvState::WithBot {
            bot: bot.bot.as_str().into(),
            deadline,
        };
        self.emit(DecisionKind::BotAssigned {
            conversation: self.conv_name(c),
            bot: bot.bot,
        });
        true
    }

    /// The bot's turn ends: the conversation goes to the queue, or closes.
    pub(crate) fn bot_leaves(&mut self, c: ConvIdx, reason: BotLeftReason) {
        let ConvState::WithBot { bot, .. } = self.leave(c) else {
            return;
        };
        self.emit(DecisionKind::BotLeft {
            conversation: self.conv_name(c),
            bot: bot.into(),
            reason,
        });
        let line = self.convs[c as usize].line;
        let on_leave = self
            .line(line)
            .config
            .bot
            .as_ref()
            .map_or(BotLeave::Queue, |b| b.on_leave);
        match on_leave {
            BotLeave::Queue => self.route(c),
            BotLeave::Close => self.close_from_limbo(c, CloseReason::Bot),
        }
    }
}
