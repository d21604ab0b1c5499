//! The delta-base cache: resolved pack objects kept by pack and offset, so that reading the
//! objects of one delta chain after another (a history walk, a blame, a diff of two trees)
//! resolves each chain from the nearest object already in memory instead of from its base.
//!
//! ### Relation to git
//!
//! git keeps such a cache (`delta_base_cache` in `packfile.c`, bounded by
//! `core.deltaBaseCacheLimit`, 96 MiB by default), evicting the least recently used entry when
//! the budget is exceeded. This one does the same, for every pack of an object database at
//! once: one budget bounds the memory however many packs there are.
//!
//! ### Contract
//!
//! Only objects that were read and resolved completely are ever inserted; a read that failed
//! (damaged data, or pack data not loaded yet in the browser) leaves nothing behind, so a retry
//! reads the pack again.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, Mutex, PoisonError};

use tabgit_object::Kind;

/// A bounded, least-recently-used cache of resolved pack objects, shared by the packs of one
/// object database (see the module documentation).
pub struct Cache {
    inner: Mutex<Lru>,
}

/// What the cache holds, for tests and diagnostics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Objects held.
    pub entries: usize,
    /// Bytes of object data held.
    pub bytes: usize,
    /// The byte budget.
    pub budget: usize,
    /// Lookups answered from the cache.
    pub hits: u64,
    /// Lookups the cache could not answer.
    pub misses: u64,
}

/// The key of a cached object: the pack (a number the cache hands out) and the entry's offset.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub(crate) struct Key {
    pub(crate) pack: u32,
    pub(crate) offset: u64,
}

const NONE: u32 = u32::MAX;

struct Node {
    key: Key,
    kind: Kind,
    data: Arc<[u8]>,
    /// Towards the most recently used end.
    newer: u32,
    /// Towards the least recently used end.
    older: u32,
}

struct Lru {
    slots: HashMap<Key, u32, BuildHasherDefault<KeyHasher>>,
    nodes: Vec<Option<Node>>,
    free: Vec<u32>,
    newest: u32,
    oldest: u32,
    bytes: usize,
    budget: usize,
    next_pack: u32,
    hits: u64,
    misses: u64,
}

/// Lifecycle
impl Cache {
    /// A cache holding at most `budget` bytes of object data (0 disables it).
    pub fn new(budget: usize) -> Self {
        Cache {
            inner: Mutex::new(Lru {
                slots: HashMap::default(),
                nodes: Vec::new(),
                free: Vec::new(),
                newest: NONE,
                oldest: NONE,
                bytes: 0,
                budget,
                next_pack: 0,
                hits: 0,
                misses: 0,
            }),
        }
    }

    /// A number naming a pack in this cache's keys, unique for the cache's lifetime.
    pub(crate) fn register_pack(&self) -> u32 {
        let mut lru = self.lock();
        let pack = lru.next_pack;
        lru.next_pack = lru.next_pack.wrapping_add(1);
        pack
    }
}

/// Access
impl Cache {
    /// The object at `key`, marking it most recently used.
    pub(crate) fn get(&self, key: Key) -> Option<(Kind, Arc<[u8]>)> {
        let mut lru = self.lock();
        let Some(&slot) = lru.slots.get(&key) else {
            lru.misses += 1;
            return None;
        };
        lru.hits += 1;
        lru.unlink(slot);
        lru.push_newest(slot);
        lru.nodes[slot as usize]
            .as_ref()
            .map(|node| (node.kind, Arc::clone(&node.data)))
    }

    /// How full the cache is.
    pub fn stats(&self) -> Stats {
        let lru = self.lock();
        Stats {
            entries: lru.slots.len(),
            bytes: lru.bytes,
            budget: lru.budget,
            hits: lru.hits,
            misses: lru.misses,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Lru> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Mutation
impl Cache {
    /// Keep a copy of `data`, the resolved object at `key`, evicting the least recently used
    /// objects to stay within the budget. An object larger than a quarter of the budget is not
    /// kept (it would evict most of what the cache is for).
    pub(crate) fn insert(&self, key: Key, kind: Kind, data: &[u8]) {
        let mut lru = self.lock();
        if lru.budget == 0 || data.len() > lru.budget / 4 || lru.slots.contains_key(&key) {
            return;
        }
        let room = lru.budget - data.len();
        lru.evict_until(room);
        let node = Node {
            key,
            kind,
            data: Arc::from(data),
            newer: NONE,
            older: NONE,
        };
        let slot = if let Some(slot) = lru.free.pop() {
            lru.nodes[slot as usize] = Some(node);
            slot
        } else {
            // Slot numbers are u32 (with one reserved for "none"); a cache of four billion
            // objects does not happen within any budget, but is refused rather than wrapped.
            let Some(slot) = u32::try_from(lru.nodes.len()).ok().filter(|&s| s != NONE) else {
                return;
            };
            lru.nodes.push(Some(node));
            slot
        };
        lru.slots.insert(key, slot);
        lru.bytes += data.len();
        lru.push_newest(slot);
    }

    /// Change the budget, evicting as needed.
    pub fn set_budget(&self, budget: usize) {
        let mut lru = self.lock();
        lru.budget = budget;
        lru.evict_until(budget);
    }

    /// Drop every object.
    pub fn clear(&self) {
        let mut lru = self.lock();
        lru.evict_until(0);
        lru.nodes = Vec::new();
        lru.free = Vec::new();
    }
}

impl Lru {
    fn evict_until(&mut self, bytes: usize) {
        while self.bytes > bytes && self.oldest != NONE {
            self.remove(self.oldest);
        }
    }

    fn remove(&mut self, slot: u32) {
        self.unlink(slot);
        if let Some(node) = self.nodes[slot as usize].take() {
            self.slots.remove(&node.key);
            self.bytes -= node.data.len();
            self.free.push(slot);
        }
    }

    /// Take `slot` out of the recency list (a node not in the list is left as it is).
    fn unlink(&mut self, slot: u32) {
        let Some(node) = self.nodes[slot as usize].as_mut() else {
            return;
        };
        let (newer, older) = (node.newer, node.older);
        node.newer = NONE;
        node.older = NONE;
        match self.nodes.get_mut(newer as usize).and_then(Option::as_mut) {
            Some(n) => n.older = older,
            None if self.newest == slot => self.newest = older,
            None => {}
        }
        match self.nodes.get_mut(older as usize).and_then(Option::as_mut) {
            Some(n) => n.newer = newer,
            None if self.oldest == slot => self.oldest = newer,
            None => {}
        }
    }

    fn push_newest(&mut self, slot: u32) {
        let previous = self.newest;
        if let Some(node) = self.nodes[slot as usize].as_mut() {
            node.older = previous;
            node.newer = NONE;
        }
        if let Some(n) = self
            .nodes
            .get_mut(previous as usize)
            .and_then(Option::as_mut)
        {
            n.newer = slot;
        }
        self.newest = slot;
        if self.oldest == NONE {
            self.oldest = slot;
        }
    }
}

/// A fast hash for cache keys (`FxHash`'s step). Offsets come from the pack, so a crafted pack
/// could make some of them collide; that only slows the cache, which stays bounded.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.write_u64(u64::from(byte));
        }
    }

    fn write_u32(&mut self, value: u32) {
        self.write_u64(u64::from(value));
    }

    fn write_u64(&mut self, value: u64) {
        // FxHash's step: rotate, mix in, multiply by a large odd constant.
        self.0 = (self.0.rotate_left(5) ^ value).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

#[cfg(test)]
mod tests {
    use super::{Cache, Key};
    use tabgit_object::Kind;

    fn key(offset: u64) -> Key {
        Key { pack: 0, offset }
    }

    fn cached(cache: &Cache, offset: u64) -> Option<Vec<u8>> {
        cache.get(key(offset)).map(|(_, data)| data.to_vec())
    }

    #[test]
    fn returns_what_was_inserted() {
        let cache = Cache::new(1000);
        cache.insert(key(12), Kind::Blob, b"hello");
        cache.insert(key(40), Kind::Tree, b"");
        assert_eq!(
            cache.get(key(12)).map(|(k, d)| (k, d.to_vec())),
            Some((Kind::Blob, b"hello".to_vec()))
        );
        assert_eq!(
            cache.get(key(40)).map(|(k, _)| k),
            Some(Kind::Tree),
            "empty objects are kept"
        );
        assert_eq!(
            cached(&cache, 13),
            None,
            "an offset never inserted is a miss"
        );
        let other_pack = Key {
            pack: 1,
            offset: 12,
        };
        assert!(
            cache.get(other_pack).is_none(),
            "the same offset in another pack is another key"
        );
        let stats = cache.stats();
        assert_eq!(
            (stats.entries, stats.bytes, stats.hits, stats.misses),
            (2, 5, 2, 2)
        );
    }

    #[test]
    fn evicts_the_least_recently_used_first() {
        let cache = Cache::new(400);
        for offset in 0..4 {
            cache.insert(key(offset), Kind::Blob, &[offset as u8; 100]);
        }
        assert!(
            cached(&cache, 0).is_some(),
            "offset 0 is used again, so it is now the newest"
        );
        cache.insert(key(4), Kind::Blob, &[4; 100]);
        assert!(
            cached(&cache, 1).is_none(),
            "the least recently used object went first"
        );
        for offset in [0, 2, 3, 4] {
            assert_eq!(
                cached(&cache, offset),
                Some(vec![offset as u8; 100]),
                "offset {offset} stays"
            );
        }
        cache.insert(key(5), Kind::Blob, &[5; 100]);
        assert!(
            cached(&cache, 0).is_none(),
            "then the next least recently used"
        );
        assert_eq!(cache.stats().bytes, 400, "exactly at the budget");
    }

    #[test]
    fn stays_within_its_budget() {
        let cache = Cache::new(1 << 12);
        for offset in 0..1000u64 {
            let len = (offset as usize * 37) % 1024;
            cache.insert(key(offset), Kind::Blob, &vec![1; len]);
            let stats = cache.stats();
            assert!(
                stats.bytes <= 1 << 12,
                "{} bytes held after {offset} inserts",
                stats.bytes
            );
            assert!(
                cached(&cache, offset).is_some() || len > 1 << 10,
                "the newest object is kept"
            );
        }
    }

    #[test]
    fn keeps_no_object_larger_than_a_quarter_of_the_budget() {
        let cache = Cache::new(1000);
        cache.insert(key(1), Kind::Blob, &[0; 251]);
        assert!(cached(&cache, 1).is_none(), "too large to keep");
        cache.insert(key(2), Kind::Blob, &[0; 250]);
        assert!(
            cached(&cache, 2).is_some(),
            "a quarter of the budget is kept"
        );
        let disabled = Cache::new(0);
        disabled.insert(key(3), Kind::Blob, b"");
        assert_eq!(
            disabled.stats().entries,
            0,
            "a zero budget keeps nothing at all"
        );
    }

    #[test]
    fn a_smaller_budget_evicts_at_once_and_slots_are_reused() {
        let cache = Cache::new(1000);
        for offset in 0..10 {
            cache.insert(key(offset), Kind::Blob, &[0; 100]);
        }
        cache.set_budget(300);
        let stats = cache.stats();
        assert_eq!((stats.entries, stats.bytes, stats.budget), (3, 300, 300));
        for offset in 7..10 {
            assert!(
                cached(&cache, offset).is_some(),
                "the newest {offset} stays"
            );
        }
        for offset in 10..100 {
            cache.insert(key(offset), Kind::Blob, &[0; 50]);
        }
        assert!(
            cache.lock().nodes.len() <= 10,
            "evicted slots are reused, so the slab does not grow past the most ever held"
        );
        cache.clear();
        assert_eq!(cache.stats().entries, 0);
        assert_eq!(cache.stats().bytes, 0);
    }
}
