//! The dense indices the engine uses for host ids internally, the interner that hands them
//! out, and tables indexed by them.
//!
//! Each kind of entity has its own index type, so an operator's index cannot be used where a
//! line's is meant: the compiler keeps them apart, at no cost at run time.

use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::hash::BuildHasher;
use std::marker::PhantomData;
use std::ops::{Index, IndexMut};

use serde::{Deserialize, Serialize};
use siphasher::sip::SipHasher13;

use super::chunked::ChunkedVec;

/// A dense index of one kind of entity.
pub(crate) trait Idx: Copy + Eq + Ord + fmt::Debug {
    /// The index as a position in a table.
    fn ix(self) -> usize;
    /// The index at a position; positions come only from tables of fewer than 2^32 entries.
    fn at(i: usize) -> Self;
}

macro_rules! index_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub(crate) struct $name(pub(crate) u32);

        impl Idx for $name {
            #[inline]
            fn ix(self) -> usize {
                self.0 as usize
            }

            #[inline]
            fn at(i: usize) -> Self {
                // More than four billion entities of one kind would exhaust memory first.
                Self(u32::try_from(i).expect("fewer than 2^32 entities of one kind"))
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}{}", stringify!($name), self.0)
            }
        }
    };
}

index_type!(
    /// An operator's index.
    OpIdx
);
index_type!(
    /// A line's index.
    LineIdx
);
index_type!(
    /// A channel's index.
    ChanIdx
);
index_type!(
    /// A group's index.
    GroupIdx
);
index_type!(
    /// A client's index.
    ClientIdx
);
index_type!(
    /// A conversation's index.
    ConvIdx
);

/// Storage a [`Table`] can sit on: a `Vec` for the few (operators, lines, channels, groups),
/// a [`ChunkedVec`] for the many (clients, conversations), which grows without copying.
pub(crate) trait Storage<T>: Default {
    fn len(&self) -> usize;
    fn push(&mut self, value: T);
    fn get(&self, i: usize) -> Option<&T>;
    fn get_mut(&mut self, i: usize) -> Option<&mut T>;
}

impl<T> Storage<T> for Vec<T> {
    fn len(&self) -> usize {
        Vec::len(self)
    }
    fn push(&mut self, value: T) {
        Vec::push(self, value)
    }
    fn get(&self, i: usize) -> Option<&T> {
        <[T]>::get(self, i)
    }
    fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        <[T]>::get_mut(self, i)
    }
}

impl<T> Storage<T> for ChunkedVec<T> {
    fn len(&self) -> usize {
        ChunkedVec::len(self)
    }
    fn push(&mut self, value: T) {
        ChunkedVec::push(self, value)
    }
    fn get(&self, i: usize) -> Option<&T> {
        ChunkedVec::get(self, i)
    }
    fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        ChunkedVec::get_mut(self, i)
    }
}

/// Records indexed by one kind of index.
#[derive(Clone)]
pub(crate) struct Table<I, T, S = Vec<T>> {
    items: S,
    _kind: PhantomData<fn(I) -> T>,
}

/// A table on chunked storage, for the kinds of which there are many.
pub(crate) type BigTable<I, T> = Table<I, T, ChunkedVec<T>>;

impl<I: Idx, T, S: Storage<T>> Default for Table<I, T, S> {
    fn default() -> Self {
        Self {
            items: S::default(),
            _kind: PhantomData,
        }
    }
}

impl<I: Idx, T, S: Storage<T>> Table<I, T, S> {
    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    /// Appends a record and returns its index.
    pub(crate) fn push(&mut self, value: T) -> I {
        let i = I::at(self.items.len());
        self.items.push(value);
        i
    }

    /// Puts a record at `i`: appended when `i` is the next index, else in place of the one
    /// there (the slot of a forgotten id, reused).
    pub(crate) fn place(&mut self, i: I, value: T) {
        if i.ix() == self.items.len() {
            self.items.push(value);
        } else {
            self[i] = value;
        }
    }

    /// Every index of the table, in order.
    pub(crate) fn indices(&self) -> impl DoubleEndedIterator<Item = I> + use<I, T, S> {
        (0..self.items.len()).map(I::at)
    }

    /// Every record with its index, in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (I, &T)> + '_ {
        (0..self.items.len()).map(|i| {
            let i = I::at(i);
            (i, &self[i])
        })
    }
}

impl<I: Idx, T, S: Storage<T>> Index<I> for Table<I, T, S> {
    type Output = T;

    #[inline]
    fn index(&self, i: I) -> &T {
        self.items
            .get(i.ix())
            .expect("the engine indexes only records it has pushed")
    }
}

impl<I: Idx, T, S: Storage<T>> IndexMut<I> for Table<I, T, S> {
    #[inline]
    fn index_mut(&mut self, i: I) -> &mut T {
        self.items
            .get_mut(i.ix())
            .expect("the engine indexes only records it has pushed")
    }
}

impl<I, T: fmt::Debug, S: fmt::Debug> fmt::Debug for Table<I, T, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.items.fmt(f)
    }
}

/// The seed ids are hashed with unless the host passes its own (`Engine::with_seed`).
pub(crate) const DEFAULT_SEED: u64 = 0x726f_7574_656c_696e;

/// The key of the hash that maps host ids to indices: SipHash-1-3 keyed from a seed. Ids come
/// from the outside world (phone numbers, user names); with a fixed-key hash anyone could
/// craft ids that all collide and make every look-up a walk through all of them. A key drawn
/// at random by the host, once, cannot be guessed; a fixed seed keeps everything
/// deterministic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct IdKeys {
    k0: u64,
    k1: u64,
}

impl IdKeys {
    /// The keys of a seed: two outputs of SplitMix64 started at it.
    pub(crate) fn from_seed(seed: u64) -> Self {
        let mut state = seed;
        let mut next = || {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        Self {
            k0: next(),
            k1: next(),
        }
    }
}

impl Default for IdKeys {
    fn default() -> Self {
        Self::from_seed(DEFAULT_SEED)
    }
}

impl BuildHasher for IdKeys {
    type Hasher = SipHasher13;

    #[inline]
    fn build_hasher(&self) -> SipHasher13 {
        SipHasher13::new_with_keys(self.k0, self.k1)
    }
}

/// What [`Interner::intern`] found or made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Interned<I> {
    /// The id was known: its index.
    Known(I),
    /// A new id in a new slot, past the end of every table of its kind.
    Pushed(I),
    /// A new id in the slot of one that was forgotten: tables overwrite its record.
    Reused(I),
}

impl<I: Copy> Interned<I> {
    pub(crate) fn index(self) -> I {
        match self {
            Interned::Known(i) | Interned::Pushed(i) | Interned::Reused(i) => i,
        }
    }

    pub(crate) fn is_new(self) -> bool {
        !matches!(self, Interned::Known(_))
    }
}

/// Maps host ids to dense indices. An id is kept until it is forgotten (only conversations
/// and clients ever are); its slot is then free, and the next new id takes the lowest free
/// slot, so that memory follows the live ids, not every id ever seen. Indices of other kinds
/// stay valid for the engine's lifetime (a removed operator keeps its slot, marked gone).
///
/// The map holds each id inline beside its index, so a look-up reads the hash table and
/// nothing else when the host hands back an id the engine gave it (the same allocation
/// compares by pointer); `names` answers the reverse question.
#[derive(Clone, Debug)]
pub(crate) struct Interner<K: std::hash::Hash + Eq, I> {
    index: HashMap<K, I, IdKeys>,
    names: ChunkedVec<Option<K>>,
    free: BTreeSet<I>,
}

impl<K, I> Interner<K, I>
where
    K: std::hash::Hash + Eq + Clone + std::borrow::Borrow<str>,
    I: Idx,
{
    pub(crate) fn new(keys: IdKeys) -> Self {
        Self {
            index: HashMap::with_hasher(keys),
            names: ChunkedVec::new(),
            free: BTreeSet::new(),
        }
    }

    /// The same ids under other keys (restoring a snapshot taken with another seed).
    pub(crate) fn rekeyed(self, keys: IdKeys) -> Self {
        if *self.index.hasher() == keys {
            return self;
        }
        let mut index = HashMap::with_capacity_and_hasher(self.index.len(), keys);
        index.extend(self.index);
        Self {
            index,
            names: self.names,
            free: self.free,
        }
    }

    /// The index of `key` (an id, or its string), if it is known.
    #[inline]
    pub(crate) fn get<Q>(&self, key: &Q) -> Option<I>
    where
        K: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        self.index.get(key).copied()
    }

    /// The index of `key`, interning it first if it is new (in the lowest free slot). One
    /// hash of the key either way.
    pub(crate) fn intern(&mut self, key: &K) -> Interned<I> {
        let vacant = match self.index.entry(key.clone()) {
            Entry::Occupied(known) => return Interned::Known(*known.get()),
            Entry::Vacant(vacant) => vacant,
        };
        let slot = match self.free.pop_first() {
            Some(i) => {
                *self
                    .names
                    .get_mut(i.ix())
                    .expect("a free slot lies within the names") = Some(key.clone());
                Interned::Reused(i)
            }
            None => {
                let i = I::at(self.names.len());
                self.names.push(Some(key.clone()));
                Interned::Pushed(i)
            }
        };
        vacant.insert(slot.index());
        slot
    }

    /// Forgets an id: its slot is free for the next new one.
    pub(crate) fn forget(&mut self, i: I) {
        if let Some(key) = self.names.get_mut(i.ix()).and_then(Option::take) {
            self.index.remove::<K>(&key);
            self.free.insert(i);
        }
    }

    /// How many slots there are, free ones included.
    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether a slot holds an id.
    #[inline]
    pub(crate) fn is_live(&self, i: I) -> bool {
        self.names.get(i.ix()).is_some_and(Option::is_some)
    }

    /// The id behind an index handed out by this interner and not forgotten.
    #[inline]
    pub(crate) fn name(&self, i: I) -> &K {
        self.names
            .get(i.ix())
            .and_then(Option::as_ref)
            .expect("the engine names only ids it interned and has not forgotten")
    }
}

impl<K: std::hash::Hash + Eq + Serialize, I> Serialize for Interner<K, I> {
    /// A list of the ids by slot, `null` for a free slot.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.names.iter())
    }
}

impl<'de, K, I> Deserialize<'de> for Interner<K, I>
where
    K: std::hash::Hash + Eq + Clone + std::borrow::Borrow<str> + Deserialize<'de> + fmt::Display,
    I: Idx,
{
    /// Read with the default keys: restoring puts the snapshot's own in place.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let names = ChunkedVec::<Option<K>>::deserialize(deserializer)?;
        let mut index = HashMap::with_capacity_and_hasher(names.len(), IdKeys::default());
        let mut free = BTreeSet::new();
        for (i, key) in names.iter().enumerate() {
            let Some(key) = key else {
                free.insert(I::at(i));
                continue;
            };
            if index.insert(key.clone(), I::at(i)).is_some() {
                return Err(serde::de::Error::custom(format!(
                    "id `{key}` is listed twice"
                )));
            }
        }
        Ok(Self { index, names, free })
    }
}
