//! Memory bounded by the open work, not by the engine's age: a closed conversation is
//! forgotten `forget_closed_after_secs` after it closed — its record, its id and its indices —
//! and the next new conversation takes its slot. A client with no conversation left and
//! nothing the host set on them (a pin) is forgotten with their last conversation: a client
//! unseen for that long is new again. Forgetting emits nothing.

use crate::index::timers::Timer;
use crate::model::client::Client;
use crate::model::conversation::Place;
use crate::model::ids::{ClientIdx, ConvIdx};
use crate::state::State;
use crate::wire::config::EngineSettings;

impl State {
    /// Forgets a closed conversation (whose forget deadline, if any, is already gone).
    pub(crate) fn forget(&mut self, c: ConvIdx) {
        debug_assert!(matches!(
            self.core.facts.convs[c].place,
            Place::Closed { forget: None, .. }
        ));
        self.forgotten(c);
        let cl = self.core.facts.convs[c].client;
        self.core.idx.client_convs[cl].retain(|&x| x != c);
        self.core.facts.conv_ids.forget(c);
        self.forget_client_if_idle(cl);
    }

    /// A client the engine knows no conversation of, and on whom the host set nothing (a pin,
    /// VIP), is forgotten.
    pub(crate) fn forget_client_if_idle(&mut self, cl: ClientIdx) {
        let core = &mut self.core;
        let client = &core.facts.clients[cl];
        if core.idx.client_convs[cl].is_empty() && client.pinned.is_none() && !client.vip {
            core.facts.client_ids.forget(cl);
            core.facts.clients[cl] = Client::default();
        }
    }

    /// New engine-wide settings. A new retention applies to every closed conversation at
    /// once: each is forgotten at the time it closed plus the new span — now, if that has
    /// passed (in the order their ids were first mentioned).
    pub(crate) fn settings_changed(&mut self, settings: EngineSettings) {
        let retention_changed =
            settings.forget_closed_after_secs != self.core.settings.forget_closed_after_secs;
        self.core.settings = settings;
        if !retention_changed {
            return;
        }
        let now = self.core.now();
        let closed: Vec<ConvIdx> = self
            .core
            .facts
            .live_convs()
            .filter(|(_, conv)| !conv.is_open())
            .map(|(c, _)| c)
            .collect();
        let mut later = Vec::new();
        for c in self.core.facts.by_birth(closed) {
            let Place::Closed { at, forget } = self.core.facts.convs[c].place else {
                continue;
            };
            if let Some(key) = forget {
                self.core.timers.cancel_forget(key);
            }
            self.core.facts.convs[c].place = Place::Closed { at, forget: None };
            match self.core.forget_deadline(at) {
                Some(t) if t > now => later.push((t, self.core.facts.convs[c].born, c, at)),
                Some(_) => self.forget(c),
                None => {}
            }
        }
        // Set in time order, so that the forgetting deadlines stay a queue; at one instant,
        // in the order of first mention.
        later.sort_unstable();
        for (t, _, c, at) in later {
            let key = self.core.timers.schedule(t, Timer::Forget(c));
            self.core.facts.convs[c].place = Place::Closed {
                at,
                forget: Some(key),
            };
        }
    }
}
