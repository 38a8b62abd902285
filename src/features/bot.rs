//! A chat-bot first line: new conversations meet the bot, which hands them to the queue. The
//! bot's turn is a place of its own in the conversation's lifecycle (`Place::WithBot`), with
//! its deadline; the bot keeps no other state.

use crate::model::ids::ConvIdx;
use crate::state::Core;
use crate::wire::decision::DecisionKind;
use crate::wire::settings::{BotJoin, BotLeave};

/// The chat-bot feature (stateless beyond the conversations' places).
#[derive(Clone, Debug, Default)]
pub(crate) struct Bot;

impl Bot {
    /// A conversation in limbo that just (re)opened on a client's message meets the line's bot
    /// if the bot joins it. Returns whether it did.
    pub(crate) fn joins(&self, core: &mut Core, c: ConvIdx) -> bool {
        let Some(bot) = core.facts.line_of(c).config.bot.clone() else {
            return false;
        };
        let client = core.facts.convs[c].client;
        if bot.join == BotJoin::FirstContact && core.facts.clients[client].contacts > 1 {
            return false;
        }
        let until = bot.handoff_after_secs.and_then(|s| core.after(s));
        core.enter_with_bot(c, &bot.bot, until);
        core.emit(DecisionKind::BotAssigned {
            conversation: core.facts.conv_name(c),
            bot: bot.bot,
        });
        true
    }

    /// What happens to a conversation when the bot's turn on its line ends.
    pub(crate) fn on_leave(&self, core: &Core, c: ConvIdx) -> BotLeave {
        core.facts
            .line_of(c)
            .config
            .bot
            .as_ref()
            .map_or(BotLeave::Queue, |b| b.on_leave)
    }
}
