//! Snapshots: the engine's whole state as a serde value, and its restoration.
//!
//! A snapshot records only the facts that cannot be derived — configurations, presence,
//! absences, where each conversation is, the sequence counters — and restoring rebuilds every
//! index from them, checks every reference, and audits the result with the same brute-force
//! check as [`Engine::verify_invariants`]. So a snapshot that was tampered with or corrupted is
//! refused with an error, never a panic, and one that is accepted continues exactly as the
//! engine that wrote it would have.
//!
//! A snapshot is read whatever the order of its two keys, so it survives stores that reorder
//! them (`serde_json::Value`, `jq -S`, Postgres `jsonb`).

use std::fmt;

use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde::ser::SerializeStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::engine::Engine;
use crate::state::{Bucket, ConvState, PoolRef, QueueRef, State};
use crate::timers::Timer;

/// The snapshot format this version of routeline writes and reads.
pub const SNAPSHOT_VERSION: u32 = 1;

/// The engine's whole state, ready to serialise with serde (as `{"version":1,"state":{…}}`).
///
/// Made by [`Engine::snapshot`], turned back into an engine by [`Engine::restore`]. The
/// version is written first, so a reader meets an unsupported version before anything else and
/// says so ("unsupported snapshot version N"). The two keys are read in either order, so a
/// snapshot kept in a store that sorts keys still restores; when the state comes first it is
/// read as this version's state, and a snapshot from a newer routeline whose state does not
/// read as one is reported by that failure, with a note on the key order.
///
/// A missing, repeated or unknown key is an error that names the key.
#[derive(Clone, Debug)]
pub struct Snapshot {
    state: State,
}

/// Why a snapshot could not be restored.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SnapshotError {
    /// The snapshot refers to something that is not in it, or its parts contradict each other.
    #[error("corrupt snapshot: {0}")]
    Corrupt(String),
}

impl Serialize for Snapshot {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Snapshot", 2)?;
        s.serialize_field("version", &SNAPSHOT_VERSION)?;
        s.serialize_field("state", &self.state)?;
        s.end()
    }
}

/// The keys of a serialised snapshot, in the order they are written.
const FIELDS: &[&str] = &["version", "state"];

/// A key of a serialised snapshot.
enum Field {
    Version,
    State,
    /// Any other key, named for the error.
    Unknown(String),
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FieldVisitor;
        impl Visitor<'_> for FieldVisitor {
            type Value = Field;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a snapshot key (`version` or `state`)")
            }

            fn visit_str<E: de::Error>(self, key: &str) -> Result<Field, E> {
                Ok(match key {
                    "version" => Field::Version,
                    "state" => Field::State,
                    other => Field::Unknown(other.to_owned()),
                })
            }

            fn visit_bytes<E: de::Error>(self, key: &[u8]) -> Result<Field, E> {
                self.visit_str(&String::from_utf8_lossy(key))
            }

            /// Formats that number a struct's fields: `version` is 0, `state` 1.
            fn visit_u64<E: de::Error>(self, index: u64) -> Result<Field, E> {
                Ok(match index {
                    0 => Field::Version,
                    1 => Field::State,
                    other => Field::Unknown(other.to_string()),
                })
            }
        }
        deserializer.deserialize_identifier(FieldVisitor)
    }
}

/// A snapshot's format version, as read: any unsigned integer, so that a version this routeline
/// does not know is reported as unsupported rather than as out of range.
struct FormatVersion(u64);

impl<'de> Deserialize<'de> for FormatVersion {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct VersionVisitor;
        impl Visitor<'_> for VersionVisitor {
            type Value = FormatVersion;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a snapshot format `version` (an unsigned integer)")
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<FormatVersion, E> {
                Ok(FormatVersion(v))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<FormatVersion, E> {
                u64::try_from(v)
                    .map(FormatVersion)
                    .map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
            }
        }
        deserializer.deserialize_u64(VersionVisitor)
    }
}

impl FormatVersion {
    /// Refuses a version this routeline cannot read.
    fn check<E: de::Error>(self) -> Result<(), E> {
        let FormatVersion(version) = self;
        if version == u64::from(SNAPSHOT_VERSION) {
            Ok(())
        } else {
            Err(E::custom(format_args!(
                "unsupported snapshot version {version}: this routeline reads version \
                 {SNAPSHOT_VERSION}"
            )))
        }
    }
}

impl<'de> Deserialize<'de> for Snapshot {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SnapshotVisitor;
        impl<'de> Visitor<'de> for SnapshotVisitor {
            type Value = Snapshot;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a routeline snapshot {\"version\":…,\"state\":…}")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Snapshot, A::Error> {
                let mut version_seen = false;
                let mut state: Option<State> = None;
                // the first unknown key; reported once the version is known to be supported,
                // since a newer format may have added it
                let mut unknown: Option<String> = None;
                while let Some(key) = map.next_key::<Field>()? {
                    match key {
                        Field::Version => {
                            if version_seen {
                                return Err(de::Error::duplicate_field("version"));
                            }
                            map.next_value::<FormatVersion>()?.check()?;
                            version_seen = true;
                        }
                        Field::State => {
                            if state.is_some() {
                                return Err(de::Error::duplicate_field("state"));
                            }
                            // Met before the version (a store that sorts keys), the state is
                            // read as this version's: a newer one's may fail to read, and then
                            // that failure is what is reported.
                            state = Some(map.next_value().map_err(|e| {
                                if version_seen {
                                    e
                                } else {
                                    de::Error::custom(format_args!(
                                        "{e} (in a snapshot whose `state` comes before its \
                                         `version`: if it was written by a newer routeline, \
                                         its version could not be checked first)"
                                    ))
                                }
                            })?);
                        }
                        Field::Unknown(key) => {
                            map.next_value::<IgnoredAny>()?;
                            unknown.get_or_insert(key);
                        }
                    }
                }
                if !version_seen {
                    return Err(de::Error::missing_field("version"));
                }
                if let Some(key) = unknown {
                    return Err(de::Error::unknown_field(&key, FIELDS));
                }
                let Some(state) = state else {
                    return Err(de::Error::missing_field("state"));
                };
                Ok(Snapshot { state })
            }
        }
        deserializer.deserialize_struct("Snapshot", FIELDS, SnapshotVisitor)
    }
}

impl Engine {
    /// The engine's whole state, including decisions not yet polled.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            state: self.st.clone(),
        }
    }

    /// An engine that continues exactly where the one that wrote `snapshot` stopped.
    ///
    /// # Errors
    /// [`SnapshotError::Corrupt`] when the snapshot refers to something missing from it or its
    /// parts contradict each other; nothing of it is used then.
    pub fn restore(snapshot: Snapshot) -> Result<Engine, SnapshotError> {
        let mut st = snapshot.state;
        // A snapshot made in this process still carries the derived indices: start from the
        // facts alone, as one read from its serialised form does.
        st.clear_derived();
        st.check_facts().map_err(SnapshotError::Corrupt)?;
        st.rebuild_indices().map_err(SnapshotError::Corrupt)?;
        let engine = Engine { st };
        engine.verify_invariants().map_err(SnapshotError::Corrupt)?;
        Ok(engine)
    }
}

fn check(ok: bool, what: impl FnOnce() -> String) -> Result<(), String> {
    if ok { Ok(()) } else { Err(what()) }
}

impl State {
    /// Checks that every index in the recorded facts points at something that exists, so that
    /// rebuilding cannot go out of bounds.
    fn check_facts(&self) -> Result<(), String> {
        let (n_ops, n_lines, n_chans, n_groups, n_clients) = (
            self.ops.len(),
            self.lines.len(),
            self.chans.len(),
            self.groups.len(),
            self.clients.len(),
        );
        check(self.op_ids.len() == n_ops, || {
            "operator ids and records differ in number".into()
        })?;
        check(self.line_ids.len() == n_lines, || {
            "line ids and records differ in number".into()
        })?;
        check(self.chan_ids.len() == n_chans, || {
            "channel ids and records differ in number".into()
        })?;
        check(self.group_ids.len() == n_groups, || {
            "group ids and records differ in number".into()
        })?;
        check(self.client_ids.len() == n_clients, || {
            "client ids and records differ in number".into()
        })?;
        check(self.conv_ids.len() == self.convs.len(), || {
            "conversation ids and records differ in number".into()
        })?;
        check(self.clock.is_some() || self.convs.is_empty(), || {
            "conversations but no clock".into()
        })?;
        // Sequences grow by one per event: no engine reaches 2^62, and one restored from above
        // it could overflow on its next input.
        const MAX_SEQ: u64 = 1 << 62;
        check(self.seq <= MAX_SEQ, || {
            format!("event sequence {} is beyond any real engine's", self.seq)
        })?;
        check(self.timers.seq() <= MAX_SEQ, || {
            format!(
                "deadline sequence {} is beyond any real engine's",
                self.timers.seq()
            )
        })?;
        let op_ok = |o: u32| (o as usize) < n_ops;
        let live_op = |o: u32| op_ok(o) && self.ops[o as usize].exists;
        let line_ok = |l: u32| (l as usize) < n_lines && self.lines[l as usize].is_some();
        for (o, op) in self.ops.iter().enumerate() {
            let name = || self.op_ids.name(o as u32).to_string();
            check(op.groups.iter().all(|&g| (g as usize) < n_groups), || {
                format!("operator {}: unknown group", name())
            })?;
            check(
                op.created <= self.seq && op.last_assigned <= self.seq,
                || format!("operator {}: sequence from the future", name()),
            )?;
            check(op.absences.iter().all(|w| w.from < w.until), || {
                format!("operator {}: absence ends before it starts", name())
            })?;
        }
        for (l, line) in self.lines.iter().enumerate() {
            let Some(line) = line else { continue };
            check(
                line.config.line.as_str() == self.line_ids.name(l as u32).as_str(),
                || {
                    format!(
                        "line {} carries the configuration of another",
                        self.line_ids.name(l as u32)
                    )
                },
            )?;
            line.config.validate().map_err(|e| e.to_string())?;
        }
        for (ch, chan) in self.chans.iter().enumerate() {
            let name = || self.chan_ids.name(ch as u32).to_string();
            check(
                chan.line.is_none_or(line_ok) && chan.pool_line.is_none_or(line_ok),
                || format!("channel {}: unknown line", name()),
            )?;
            check(chan.restrict.iter().flatten().all(|&o| op_ok(o)), || {
                format!("channel {}: unknown operator", name())
            })?;
        }
        for (cl, client) in self.clients.iter().enumerate() {
            check(
                client.pinned.is_none_or(live_op) && client.last_operator.is_none_or(op_ok),
                || {
                    format!(
                        "client {}: unknown operator",
                        self.client_ids.name(cl as u32)
                    )
                },
            )?;
        }
        for (c, conv) in self.convs.iter().enumerate() {
            let name = || self.conv_ids.name(c as u32).to_string();
            check(
                (conv.client as usize) < n_clients
                    && (conv.channel as usize) < n_chans
                    && (conv.line as usize) < n_lines,
                || format!("conversation {}: unknown client, channel or line", name()),
            )?;
            check(conv.tried.iter().all(|&(o, _)| op_ok(o)), || {
                format!("conversation {}: unknown operator tried", name())
            })?;
            let placed = match &conv.state {
                ConvState::Closed => true,
                ConvState::Limbo => false,
                ConvState::Waiting { seq, bucket, .. } => {
                    *seq <= self.seq
                        && match *bucket {
                            Bucket::Pinned(o) => op_ok(o),
                            Bucket::Pool(PoolRef::Line(l)) => line_ok(l),
                            Bucket::Pool(PoolRef::Channel(ch)) => (ch as usize) < n_chans,
                        }
                }
                ConvState::Assigned { op, .. } => live_op(*op),
                ConvState::WithBot { .. } => true,
                ConvState::Offered { ops, .. } => {
                    !ops.is_empty()
                        && ops.iter().all(|&o| live_op(o))
                        && ops.iter().enumerate().all(|(i, o)| !ops[..i].contains(o))
                }
            };
            check(placed, || {
                format!("conversation {}: impossible state", name())
            })?;
            check(
                conv.state == ConvState::Closed || line_ok(conv.line),
                || {
                    format!(
                        "conversation {}: open on a line that does not exist",
                        name()
                    )
                },
            )?;
        }
        Ok(())
    }

    /// Rebuilds every derived index from the recorded facts.
    /// Resets every index derived from the facts (the fields a snapshot leaves out) to what
    /// reading a serialised snapshot gives: empty.
    fn clear_derived(&mut self) {
        for op in &mut self.ops {
            op.load = Default::default();
            op.held.clear();
            op.offers.clear();
            op.direct_refs.clear();
            op.chan_refs.clear();
            op.slots.clear();
            op.flags_matter = false;
            op.pinned_clients.clear();
            op.pinned_waiting.clear();
        }
        for line in self.lines.iter_mut().flatten() {
            line.queue.clear();
            line.pool = Default::default();
            line.waiting.clear();
            line.channels.clear();
            (line.open, line.offered, line.assigned, line.with_bot) = (0, 0, 0, 0);
            line.schedule = None;
            line.is_open = false;
        }
        for chan in &mut self.chans {
            chan.pool = Default::default();
        }
        for group in &mut self.groups {
            group.members.clear();
            group.refs.clear();
        }
        for client in self.clients.iter_mut() {
            client.convs.clear();
        }
        self.dirty.clear();
        self.opened.clear();
        self.timers.clear_indices();
    }

    fn rebuild_indices(&mut self) -> Result<(), String> {
        for l in 0..self.lines.len() as u32 {
            let Some(line) = &self.lines[l as usize] else {
                continue;
            };
            let entries = line.config.queue.clone();
            let mut queue = Vec::with_capacity(entries.len());
            for (entry, e) in entries.iter().enumerate() {
                let entry = u32::try_from(entry).map_err(|_| "queue too long".to_string())?;
                let r = match e {
                    crate::config::QueueEntry::Operator(id) => {
                        let o = self.op_ids.get(id.as_str()).ok_or_else(|| {
                            format!("queue names operator {id} not in the snapshot")
                        })?;
                        self.ops[o as usize].direct_refs.push((l, entry));
                        QueueRef::Op(o)
                    }
                    crate::config::QueueEntry::Group { group } => {
                        let g = self.group_ids.get(group.as_str()).ok_or_else(|| {
                            format!("queue names group {group} not in the snapshot")
                        })?;
                        self.groups[g as usize].refs.push((l, entry));
                        QueueRef::Group(g)
                    }
                };
                queue.push(r);
            }
            self.line_mut(l).queue = queue;
        }
        for o in 0..self.ops.len() as u32 {
            let op = &self.ops[o as usize];
            if op.exists {
                for &g in &op.groups {
                    self.groups[g as usize].members.insert((op.created, o));
                }
            }
            let windows = op.absences.clone();
            for w in windows {
                for key in w.timers.into_iter().flatten() {
                    check(self.timers.restore(key, Timer::Absence(o)), || {
                        "a deadline is recorded twice".into()
                    })?;
                }
            }
        }
        for ch in 0..self.chans.len() as u32 {
            for o in self.chans[ch as usize]
                .restrict
                .clone()
                .into_iter()
                .flatten()
            {
                self.ops[o as usize].chan_refs.push(ch);
            }
            if let Some(l) = self.chans[ch as usize].line {
                self.line_mut(l).channels.insert(ch);
            }
        }
        for cl in 0..self.clients.len() as u32 {
            if let Some(o) = self.clients[cl as usize].pinned {
                self.ops[o as usize].pinned_clients.insert(cl);
            }
        }
        for c in 0..self.convs.len() as u32 {
            let (client, line) = (self.convs[c as usize].client, self.convs[c as usize].line);
            self.clients[client as usize].convs.push(c);
            let state = std::mem::replace(&mut self.convs[c as usize].state, ConvState::Limbo);
            if state == ConvState::Closed {
                self.convs[c as usize].state = state;
                continue;
            }
            self.line_mut(line).open += 1;
            match state {
                ConvState::Waiting { since, seq, bucket } => {
                    if let Bucket::Pool(PoolRef::Channel(ch)) = bucket {
                        check(self.chans[ch as usize].pool_line == Some(line), || {
                            "a conversation waits in a channel queue of another line".into()
                        })?;
                    }
                    self.place_waiting(c, since, seq, bucket);
                }
                ConvState::Assigned { op, deadline } => {
                    if let Some(key) = deadline {
                        check(self.timers.restore(key, Timer::Offer(c)), || {
                            "a deadline is recorded twice".into()
                        })?;
                        self.line_mut(line).offered += 1;
                    } else {
                        self.line_mut(line).assigned += 1;
                    }
                    self.convs[c as usize].state = ConvState::Assigned { op, deadline };
                    self.ops[op as usize].held.insert(c);
                    self.add_load(op, c);
                }
                ConvState::Offered { ops, deadline } => {
                    if let Some(key) = deadline {
                        check(self.timers.restore(key, Timer::Offer(c)), || {
                            "a deadline is recorded twice".into()
                        })?;
                    }
                    self.line_mut(line).offered += 1;
                    for &o in &ops {
                        self.ops[o as usize].offers.insert(c);
                    }
                    self.convs[c as usize].state = ConvState::Offered { ops, deadline };
                }
                ConvState::WithBot { bot, deadline } => {
                    if let Some(key) = deadline {
                        check(self.timers.restore(key, Timer::Bot(c)), || {
                            "a deadline is recorded twice".into()
                        })?;
                    }
                    self.line_mut(line).with_bot += 1;
                    self.convs[c as usize].state = ConvState::WithBot { bot, deadline };
                }
                ConvState::Closed | ConvState::Limbo => {}
            }
        }
        for c in 0..self.convs.len() as u32 {
            let conv = &self.convs[c as usize];
            let keys = [
                (conv.sla.as_ref().map(|p| p.timer), Timer::Sla(c)),
                (
                    conv.unanswered_timer.as_deref().copied(),
                    Timer::Unanswered(c),
                ),
                (
                    conv.inactivity_timer.as_deref().copied(),
                    Timer::Inactivity(c),
                ),
            ];
            for (key, timer) in keys {
                if let Some(key) = key {
                    check(self.timers.restore(key, timer), || {
                        "a deadline is recorded twice".into()
                    })?;
                }
            }
        }
        let now = self.clock;
        for l in 0..self.lines.len() as u32 {
            let Some(line) = self.lines[l as usize].as_mut() else {
                continue;
            };
            line.schedule = line.config.validate().map_err(|e| e.to_string())?;
            line.is_open = match (&line.schedule, now) {
                (Some(s), Some(now)) => s.is_open(now),
                _ => true,
            };
            if let Some(key) = line.schedule_timer {
                check(self.timers.restore(key, Timer::Schedule(l)), || {
                    "a deadline is recorded twice".into()
                })?;
            }
        }
        for o in 0..self.ops.len() as u32 {
            self.reslot(o);
        }
        self.dirty.clear();
        Ok(())
    }
}
