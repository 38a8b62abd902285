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

mod corruption;
mod facts;
mod rebuild;
mod restore;

pub use corruption::{Corruption, Entity, Sequence};

use facts::Saved;

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
    state: Saved,
}

/// Why a snapshot could not be restored.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SnapshotError {
    /// The snapshot refers to something that is not in it, or its parts contradict each other.
    #[error("corrupt snapshot: {0}")]
    Corrupt(Corruption),
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
                let mut state: Option<Saved> = None;
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
            state: Saved::of(&self.st),
        }
    }

    /// An engine that continues exactly where the one that wrote `snapshot` stopped.
    ///
    /// # Errors
    /// [`SnapshotError::Corrupt`] when the snapshot refers to something missing from it or its
    /// parts contradict each other; nothing of it is used then.
    pub fn restore(snapshot: Snapshot) -> Result<Engine, SnapshotError> {
        let st = restore::restore(snapshot.state).map_err(SnapshotError::Corrupt)?;
        let engine = Engine { st };
        engine
            .verify_invariants()
            .map_err(|e| SnapshotError::Corrupt(Corruption::BrokenInvariant(e)))?;
        Ok(engine)
    }
}
