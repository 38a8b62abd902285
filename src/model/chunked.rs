//! A vector that grows in fixed-size chunks, for the records that only ever grow.
//!
//! A `Vec` doubles its capacity when full, so right after a doubling almost half of it is
//! unused: with 128-byte conversation records that is up to 128 bytes wasted per record, and
//! the copy of every record on each doubling. [`ChunkedVec`] grows the first chunk like a
//! `Vec` up to [`CHUNK`] elements, then adds chunks of exactly [`CHUNK`]: at most one chunk is
//! partly empty, nothing is ever copied, and an index is found with one shift and one mask.
//! It reads and writes as a plain sequence, so snapshots are unchanged.

use std::fmt;
use std::ops::{Index, IndexMut};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Elements per chunk (a power of two).
pub(crate) const CHUNK: usize = 1 << SHIFT;
const SHIFT: u32 = 12;

/// A growable sequence stored in chunks of [`CHUNK`] elements.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct ChunkedVec<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Default for ChunkedVec<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> ChunkedVec<T> {
    pub(crate) const fn new() -> Self {
        Self {
            chunks: Vec::new(),
            len: 0,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn push(&mut self, value: T) {
        match self.chunks.last_mut() {
            Some(last) if last.len() < CHUNK => last.push(value),
            _ => {
                // The first chunk grows like a `Vec` (small engines stay small); it reaches
                // exactly `CHUNK` since `CHUNK` is a power of two. Later ones are born full-size.
                let mut chunk = if self.chunks.is_empty() {
                    Vec::new()
                } else {
                    Vec::with_capacity(CHUNK)
                };
                chunk.push(value);
                self.chunks.push(chunk);
            }
        }
        self.len += 1;
    }

    pub(crate) fn get(&self, i: usize) -> Option<&T> {
        self.chunks.get(i >> SHIFT)?.get(i & (CHUNK - 1))
    }

    pub(crate) fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        self.chunks.get_mut(i >> SHIFT)?.get_mut(i & (CHUNK - 1))
    }

    pub(crate) fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + '_ {
        self.chunks.iter().flatten()
    }
}

impl<T> Index<usize> for ChunkedVec<T> {
    type Output = T;

    fn index(&self, i: usize) -> &T {
        self.get(i).expect(
            "index out of range: the engine indexes only records it has pushed (never removed)",
        )
    }
}

impl<T> IndexMut<usize> for ChunkedVec<T> {
    fn index_mut(&mut self, i: usize) -> &mut T {
        self.get_mut(i).expect(
            "index out of range: the engine indexes only records it has pushed (never removed)",
        )
    }
}

impl<'a, T> IntoIterator for &'a ChunkedVec<T> {
    type Item = &'a T;
    type IntoIter = std::iter::Flatten<std::slice::Iter<'a, Vec<T>>>;

    fn into_iter(self) -> Self::IntoIter {
        self.chunks.iter().flatten()
    }
}

impl<T> FromIterator<T> for ChunkedVec<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut out = Self::new();
        for value in iter {
            out.push(value);
        }
        out
    }
}

impl<T: fmt::Debug> fmt::Debug for ChunkedVec<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<T: Serialize> Serialize for ChunkedVec<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ChunkedVec<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SeqVisitor<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for SeqVisitor<T> {
            type Value = ChunkedVec<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a sequence")
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Self::Value, A::Error> {
                let mut out = ChunkedVec::new();
                while let Some(value) = seq.next_element()? {
                    out.push(value);
                }
                Ok(out)
            }
        }
        deserializer.deserialize_seq(SeqVisitor(std::marker::PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_across_chunks_like_a_vec() {
        let n = 3 * CHUNK + 17;
        let mut c = ChunkedVec::new();
        for i in 0..n {
            c.push(i);
        }
        assert_eq!(c.len(), n);
        for i in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, n - 1] {
            assert_eq!(c[i], i);
        }
        assert_eq!(c.get(n), None);
        c[CHUNK] = 7;
        assert_eq!(c.get(CHUNK), Some(&7));
        assert_eq!(c.iter().count(), n);
        assert_eq!((&c).into_iter().next_back(), Some(&(n - 1)));
        // every chunk after the first is allocated full-size, the first grew to exactly CHUNK
        assert!(c.chunks.iter().all(|ch| ch.capacity() == CHUNK));
    }

    #[test]
    fn reads_and_writes_as_a_plain_sequence() {
        let c: ChunkedVec<u32> = (0..(CHUNK as u32 + 5)).collect();
        let json = serde_json::to_string(&c).expect("serialises");
        let v: Vec<u32> = serde_json::from_str(&json).expect("a plain array");
        assert_eq!(v, (0..(CHUNK as u32 + 5)).collect::<Vec<_>>());
        let back: ChunkedVec<u32> = serde_json::from_str(&json).expect("reads back");
        assert_eq!(back, c);
        assert_eq!(format!("{back:?}"), format!("{v:?}"));
    }

    #[test]
    #[should_panic(expected = "out of range")]
    fn indexing_past_the_end_panics_like_a_vec() {
        let c: ChunkedVec<u8> = ChunkedVec::new();
        let _ = c[0];
    }
}
