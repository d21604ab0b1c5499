//! A pack and its index: random access to the objects of a pack.
//!
//! Delta chains are walked iteratively (never recursively) and a [`Cache`] keeps recently
//! used delta bases, which is what makes walking history and diffing trees fast.

mod cache;

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub use cache::{Cache, Stats as CacheStats};

use tabgit_hash::{Hasher, ObjectId};
use tabgit_object::{zlib, Kind};

use crate::data::{self, EntryKind};
use crate::delta;
use crate::index::{self, Index};

/// The reasons an object could not be read from a pack.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The index does not belong to the pack, or the pack is damaged.
    #[error("pack does not match its index: {reason}")]
    Mismatch {
        /// What does not match.
        reason: &'static str,
    },
    /// The index is damaged.
    #[error(transparent)]
    Index(#[from] index::Error),
    /// An entry header is damaged.
    #[error("corrupt pack entry at offset {offset}")]
    Data {
        /// The entry offset.
        offset: u64,
        /// What is wrong.
        #[source]
        source: data::Error,
    },
    /// An entry's zlib data is damaged.
    #[error("corrupt pack data at offset {offset}")]
    Zlib {
        /// The entry offset.
        offset: u64,
        /// What is wrong.
        #[source]
        source: zlib::Error,
    },
    /// A delta cannot be applied.
    #[error("corrupt delta at offset {offset}")]
    Delta {
        /// The entry offset.
        offset: u64,
        /// What is wrong.
        #[source]
        source: delta::Error,
    },
    /// A `REF_DELTA` base is not in this pack.
    #[error("delta base {base_id} is not in the pack")]
    MissingBase {
        /// The missing base.
        base_id: ObjectId,
    },
    /// The chain is longer than allowed (or loops).
    #[error("delta chain at offset {offset} is longer than {limit}")]
    ChainTooDeep {
        /// The entry offset.
        offset: u64,
        /// The limit.
        limit: usize,
    },
    /// The pack bytes could not be read (or are not loaded yet).
    #[error(transparent)]
    Read(#[from] ReadError),
    /// An offset points outside the pack.
    #[error("offset {offset} is outside the pack")]
    OutOfBounds {
        /// The offset.
        offset: u64,
    },
}

/// Random access to a pack's bytes, so a pack need not be in memory to be read: a file read with
/// `pread` natively, chunks loaded from IndexedDB in the browser, or a plain byte slice.
pub trait PackData: Send + Sync {
    /// The pack's length in bytes.
    fn len(&self) -> u64;
    /// Whether the pack is empty.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Up to `len` bytes at `offset` (fewer only at the end of the pack).
    fn read_at(&self, offset: u64, len: usize) -> Result<std::borrow::Cow<'_, [u8]>, ReadError>;
}

/// Why pack bytes could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The storage failed.
    #[error("cannot read the pack: {0}")]
    Storage(String),
    /// The bytes are stored but not loaded yet; the caller loads these chunks and retries.
    #[error("pack data not loaded yet ({pack}, chunks {first} to {last})")]
    NotLoaded {
        /// The pack's storage path.
        pack: String,
        /// First chunk needed.
        first: u64,
        /// Last chunk needed.
        last: u64,
    },
}

impl PackData for Arc<[u8]> {
    fn len(&self) -> u64 {
        (**self).len() as u64
    }
    fn read_at(&self, offset: u64, len: usize) -> Result<std::borrow::Cow<'_, [u8]>, ReadError> {
        let start = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min((**self).len());
        let end = start.saturating_add(len).min((**self).len());
        Ok(std::borrow::Cow::Borrowed(&self[start..end]))
    }
}

impl PackData for Vec<u8> {
    fn len(&self) -> u64 {
        self.as_slice().len() as u64
    }
    fn read_at(&self, offset: u64, len: usize) -> Result<std::borrow::Cow<'_, [u8]>, ReadError> {
        let start = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(self.as_slice().len());
        let end = start.saturating_add(len).min(self.as_slice().len());
        Ok(std::borrow::Cow::Borrowed(&self[start..end]))
    }
}

/// Limits applied when reading objects.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest object produced.
    pub max_object_size: u64,
    /// Deepest delta chain followed.
    pub max_delta_chain: usize,
    /// Bytes of delta bases kept in the cache of a bundle made with [`Bundle::new`] (a bundle
    /// made with [`Bundle::with_cache`] uses the given cache's budget).
    pub cache_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_object_size: 1 << 30,
            max_delta_chain: 100_000,
            cache_bytes: DEFAULT_CACHE_BYTES,
        }
    }
}

/// The default delta-base cache budget: 64 MiB natively (git's `core.deltaBaseCacheLimit` is
/// 96 MiB), 16 MiB in the browser, where a wasm heap never shrinks once grown (on the `medium`
/// benchmark clone, 16 MiB instead of 32 lowered the worker's memory from 55 to 45 MiB and left
/// the clone's time as it was: BENCHMARKS.md).
pub const DEFAULT_CACHE_BYTES: usize = if cfg!(target_arch = "wasm32") {
    16 << 20
} else {
    64 << 20
};

/// A pack with its index.
pub struct Bundle {
    pack: Box<dyn PackData>,
    index: Index,
    limits: Limits,
    cache: Arc<Cache>,
    /// This pack's number in `cache`'s keys.
    cache_pack: u32,
    /// Buffers and the decompressor of the last read, reused by the next one.
    scratch: Mutex<Option<Box<Scratch>>>,
}

/// What reading an object needs besides its output, kept between reads so that reading many
/// small objects allocates and sets up nothing per object.
#[derive(Default)]
struct Scratch {
    inflate: Option<zlib::Inflate>,
    delta: Vec<u8>,
    result: Vec<u8>,
}

/// Scratch buffers larger than this are given up after a read, so one huge object does not
/// keep its memory for the rest of the session.
const SCRATCH_KEEP_BYTES: usize = 1 << 20;

/// Bytes read at an entry's offset at once: the header (at most 32 bytes) and, for most
/// commits, trees and deltas, all of the compressed data, so that a small entry costs one read.
const ENTRY_READ: usize = 384;

/// Objects up to this size are kept in the cache when read, not only when used as a delta base:
/// commits and most trees. A history walk reads each commit twice (its parents and date for
/// the walk, its message for display), and git keeps commit buffers for the same reason
/// (`save_commit_buffer`).
const SMALL_OBJECT_BYTES: usize = 16 << 10;

/// For at most this many entries of a delta chain the bytes read with the header are kept until
/// the chain is applied; deeper entries are read again then (bounds the memory of long chains).
const KEEP_ENTRY_BYTES: usize = 64;

/// One delta of a chain: its offset, header, and the bytes read at its offset if kept.
struct Link<'a> {
    offset: u64,
    header: data::EntryHeader,
    bytes: Option<Cow<'a, [u8]>>,
}

/// Where a delta chain ends: an object in the cache, or a whole object in the pack.
enum ChainBase<'a> {
    Cached {
        kind: Kind,
        data: Arc<[u8]>,
    },
    Entry {
        offset: u64,
        kind: Kind,
        header: data::EntryHeader,
        bytes: Cow<'a, [u8]>,
    },
}

/// One entry as `git verify-pack -v` describes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EntryInfo {
    /// The object's id.
    pub id: ObjectId,
    /// The object's type (for deltas, the type of the object the chain produces).
    pub kind: Kind,
    /// The size in the entry header: the object's size, or the delta's size for deltas.
    pub size: u64,
    /// Bytes the entry occupies in the pack.
    pub packed_size: u64,
    /// The entry's offset.
    pub offset: u64,
    /// Chain depth and base id, for deltas.
    pub delta: Option<(usize, ObjectId)>,
}

/// Lifecycle
impl Bundle {
    /// Pair pack bytes with their index, checking that they belong together. The bundle gets a
    /// delta-base cache of its own, of `limits.cache_bytes`.
    pub fn new(pack: impl PackData + 'static, index: Index, limits: Limits) -> Result<Self, Error> {
        let cache = Arc::new(Cache::new(limits.cache_bytes));
        Self::with_cache(pack, index, limits, cache)
    }

    /// Like [`Bundle::new`], sharing `cache` (and its budget) with other bundles: an object
    /// database gives all its packs one cache.
    pub fn with_cache(
        pack: impl PackData + 'static,
        index: Index,
        limits: Limits,
        cache: Arc<Cache>,
    ) -> Result<Self, Error> {
        let len = pack.len();
        let header = pack.read_at(0, data::HEADER_LEN)?;
        let (_, count) =
            data::decode_header(&header).map_err(|source| Error::Data { offset: 0, source })?;
        if count as usize != index.len() {
            return Err(Error::Mismatch {
                reason: "object counts differ",
            });
        }
        if len < (data::HEADER_LEN + 20) as u64 {
            return Err(Error::Mismatch {
                reason: "pack is shorter than a header and a trailer",
            });
        }
        let trailer = pack.read_at(len - 20, 20)?;
        if trailer[..] != index.pack_checksum().as_bytes()[..] {
            return Err(Error::Mismatch {
                reason: "pack checksum differs from the one the index records",
            });
        }
        drop(header);
        drop(trailer);
        let cache_pack = cache.register_pack();
        Ok(Bundle {
            pack: Box::new(pack),
            index,
            limits,
            cache,
            cache_pack,
            scratch: Mutex::default(),
        })
    }

    /// Verify the pack's trailer checksum and every entry's CRC32 (what `git verify-pack` checks).
    pub fn verify(&self) -> Result<(), Error> {
        let whole = self
            .pack
            .read_at(0, usize::try_from(self.pack.len()).unwrap_or(usize::MAX))?;
        let body = &whole[..whole.len() - 20];
        let mut hasher = Hasher::checksum();
        hasher.update(body);
        if hasher.finalize().as_bytes()[..] != whole[whole.len() - 20..] {
            return Err(Error::Mismatch {
                reason: "pack checksum does not match its contents",
            });
        }
        let ends = self.entry_ends();
        for (_, offset, crc) in self.index.iter() {
            let end = ends[&offset];
            if crc32fast::hash(&whole[offset as usize..end as usize]) != crc {
                return Err(Error::Mismatch {
                    reason: "an entry's CRC32 does not match the index",
                });
            }
        }
        Ok(())
    }

    /// The end offset of every entry, keyed by its start offset.
    fn entry_ends(&self) -> HashMap<u64, u64> {
        let mut offsets: Vec<u64> = self.index.iter().map(|(_, offset, _)| offset).collect();
        offsets.sort_unstable();
        let trailer = self.pack.len() - 20;
        offsets
            .iter()
            .enumerate()
            .map(|(i, &o)| (o, offsets.get(i + 1).copied().unwrap_or(trailer)))
            .collect()
    }
}

/// Access
impl Bundle {
    /// The index.
    pub fn index(&self) -> &Index {
        &self.index
    }

    /// The pack's bytes, for random access.
    pub fn pack_data(&self) -> &dyn PackData {
        self.pack.as_ref()
    }

    /// The pack's checksum, which names its files.
    pub fn checksum(&self) -> ObjectId {
        self.index.pack_checksum()
    }

    /// Read object `id` into `out`, returning its kind, or `None` if the pack does not have it.
    pub fn find(&self, id: &ObjectId, out: &mut Vec<u8>) -> Result<Option<Kind>, Error> {
        match self.index.lookup(id) {
            Some(idx) => self.object_at(self.index.offset_at(idx), out).map(Some),
            None => Ok(None),
        }
    }

    /// The delta-base cache this bundle uses.
    pub fn cache(&self) -> &Arc<Cache> {
        &self.cache
    }

    fn cache_key(&self, offset: u64) -> cache::Key {
        cache::Key {
            pack: self.cache_pack,
            offset,
        }
    }

    fn entry_header(&self, offset: u64) -> Result<data::EntryHeader, Error> {
        Ok(self.read_entry(offset, 32)?.0)
    }

    /// The header of the entry at `offset` and the first `len` bytes at `offset` (header
    /// included; fewer at the end of the pack).
    fn read_entry(
        &self,
        offset: u64,
        len: usize,
    ) -> Result<(data::EntryHeader, Cow<'_, [u8]>), Error> {
        if offset >= self.pack.len().saturating_sub(20) {
            return Err(Error::OutOfBounds { offset });
        }
        // An entry header is at most 10 size bytes + 10 offset bytes (or a 20-byte base id).
        let bytes = self.pack.read_at(offset, len.max(32))?;
        let header = data::decode_entry_header(&bytes, offset)
            .map_err(|source| Error::Data { offset, source })?;
        Ok((header, bytes))
    }

    /// Inflate the entry at `offset` into `out`. `read` holds bytes already read at `offset`
    /// (header included), fed first so that a small entry needs no second read.
    fn inflate_at(
        &self,
        offset: u64,
        header: &data::EntryHeader,
        read: Option<&[u8]>,
        inflate: &mut Option<zlib::Inflate>,
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        let too_large = || Error::Zlib {
            offset,
            source: zlib::Error::TooLarge {
                declared: header.size,
                limit: self.limits.max_object_size,
            },
        };
        if header.size > self.limits.max_object_size {
            return Err(too_large());
        }
        let size = usize::try_from(header.size).map_err(|_| too_large())?;
        let zlib_error = |source| Error::Zlib { offset, source };
        let inflate = match inflate {
            Some(inflate) => {
                inflate.reset(size).map_err(zlib_error)?;
                inflate
            }
            None => inflate.insert(zlib::Inflate::new(size).map_err(zlib_error)?),
        };
        let end = self.pack.len().saturating_sub(20);
        let mut at = offset.saturating_add(header.header_len as u64);
        if let Some(read) = read {
            let available = usize::try_from(end.saturating_sub(offset))
                .unwrap_or(usize::MAX)
                .min(read.len());
            let data = read.get(header.header_len..available).unwrap_or_default();
            if !data.is_empty() {
                let more = at + (data.len() as u64) < end;
                at += inflate.feed(data, more).map_err(zlib_error)? as u64;
            }
        }
        // Compressed data is rarely much larger than the object; read in growing windows.
        let mut window = size.saturating_add(64).clamp(256, 1 << 16);
        let mut stalled = 0;
        while !inflate.is_done() {
            if at >= end {
                return Err(zlib_error(zlib::Error::Truncated));
            }
            let chunk = self.pack.read_at(at, window.min((end - at) as usize))?;
            let more = at + (chunk.len() as u64) < end;
            let consumed = inflate.feed(&chunk, more).map_err(zlib_error)?;
            if consumed == 0 && !inflate.is_done() {
                stalled += 1;
                if !more || stalled > 2 {
                    return Err(zlib_error(zlib::Error::Truncated));
                }
            }
            at += consumed as u64;
            window = (window * 2).min(1 << 20);
        }
        inflate.swap_output(out);
        Ok(())
    }

    /// The chain from the entry at `offset` down to its base, or to an object in the cache.
    fn chain(&self, mut offset: u64) -> Result<(Vec<Link<'_>>, ChainBase<'_>), Error> {
        let mut links = Vec::new();
        loop {
            let (header, bytes) = self.read_entry(offset, ENTRY_READ)?;
            let next = match header.kind {
                EntryKind::Base(kind) => {
                    let base = ChainBase::Entry {
                        offset,
                        kind,
                        header,
                        bytes,
                    };
                    return Ok((links, base));
                }
                EntryKind::OfsDelta { base_offset } => base_offset,
                EntryKind::RefDelta { base_id } => {
                    let idx = self
                        .index
                        .lookup(&base_id)
                        .ok_or(Error::MissingBase { base_id })?;
                    self.index.offset_at(idx)
                }
            };
            let keep = links.len() < KEEP_ENTRY_BYTES;
            links.push(Link {
                offset,
                header,
                bytes: keep.then_some(bytes),
            });
            if links.len() > self.limits.max_delta_chain {
                return Err(Error::ChainTooDeep {
                    offset,
                    limit: self.limits.max_delta_chain,
                });
            }
            if let Some((kind, data)) = self.cache.get(self.cache_key(next)) {
                return Ok((links, ChainBase::Cached { kind, data }));
            }
            offset = next;
        }
    }

    /// Read the object whose entry starts at `offset`.
    ///
    /// ### Algorithm
    ///
    /// git's `unpack_entry`: walk the chain of deltas down to a whole object or to an object in
    /// the delta-base cache, then apply the deltas in a loop, keeping each intermediate object
    /// (the base of the next delta) in the cache. Reading the objects of one chain one after
    /// another, as history walks do, so applies about one delta per object.
    pub fn object_at(&self, offset: u64, out: &mut Vec<u8>) -> Result<Kind, Error> {
        let mut scratch = self
            .scratch
            .lock()
            .ok()
            .and_then(|mut scratch| scratch.take())
            .unwrap_or_default();
        let res = self.resolve(offset, out, &mut scratch);
        if scratch.delta.capacity() > SCRATCH_KEEP_BYTES {
            scratch.delta = Vec::new();
        }
        if scratch.result.capacity() > SCRATCH_KEEP_BYTES {
            scratch.result = Vec::new();
        }
        if let Some(inflate) = scratch.inflate.as_mut() {
            inflate.shrink_to(SCRATCH_KEEP_BYTES);
        }
        if let Ok(mut slot) = self.scratch.lock() {
            *slot = Some(scratch);
        }
        res
    }

    fn resolve(
        &self,
        offset: u64,
        out: &mut Vec<u8>,
        scratch: &mut Scratch,
    ) -> Result<Kind, Error> {
        if let Some((kind, data)) = self.cache.get(self.cache_key(offset)) {
            out.clear();
            out.extend_from_slice(&data);
            return Ok(kind);
        }
        let (links, base) = self.chain(offset)?;
        let (kind, mut cached_base) = match base {
            ChainBase::Cached { kind, data } => (kind, Some(data)),
            ChainBase::Entry {
                offset: base_offset,
                kind,
                header,
                bytes,
            } => {
                self.inflate_at(
                    base_offset,
                    &header,
                    Some(&bytes),
                    &mut scratch.inflate,
                    out,
                )?;
                if links.is_empty() {
                    if out.len() <= SMALL_OBJECT_BYTES {
                        self.cache.insert(self.cache_key(base_offset), kind, out);
                    }
                    return Ok(kind);
                }
                self.cache.insert(self.cache_key(base_offset), kind, out);
                (kind, None)
            }
        };
        for (idx, link) in links.iter().enumerate().rev() {
            self.inflate_at(
                link.offset,
                &link.header,
                link.bytes.as_deref(),
                &mut scratch.inflate,
                &mut scratch.delta,
            )?;
            let delta_error = |source| Error::Delta {
                offset: link.offset,
                source,
            };
            let limit = self.limits.max_object_size;
            if let Some(base) = cached_base.take() {
                delta::apply(&base, &scratch.delta, out, limit).map_err(delta_error)?;
            } else {
                delta::apply(out, &scratch.delta, &mut scratch.result, limit)
                    .map_err(delta_error)?;
                std::mem::swap(out, &mut scratch.result);
            }
            if idx > 0 || out.len() <= SMALL_OBJECT_BYTES {
                self.cache.insert(self.cache_key(link.offset), kind, out);
            }
        }
        Ok(kind)
    }

    /// Describe every entry as `git verify-pack -v` does, in pack order.
    pub fn entries(&self) -> Result<Vec<EntryInfo>, Error> {
        let ends = self.entry_ends();
        let mut by_offset: Vec<(u64, ObjectId)> = self
            .index
            .iter()
            .map(|(id, offset, _)| (offset, id))
            .collect();
        by_offset.sort_unstable();
        let id_at_offset: HashMap<u64, ObjectId> = by_offset.iter().copied().collect();
        let mut out = Vec::with_capacity(by_offset.len());
        let mut depth_of: HashMap<u64, usize> = HashMap::new();
        let mut kind_of: HashMap<u64, Kind> = HashMap::new();
        for &(offset, id) in &by_offset {
            let header = self.entry_header(offset)?;
            let (kind, delta) = match header.kind {
                EntryKind::Base(kind) => (kind, None),
                EntryKind::OfsDelta { .. } | EntryKind::RefDelta { .. } => {
                    let base_offset = match header.kind {
                        EntryKind::OfsDelta { base_offset } => base_offset,
                        EntryKind::RefDelta { base_id } => self.index.offset_at(
                            self.index
                                .lookup(&base_id)
                                .ok_or(Error::MissingBase { base_id })?,
                        ),
                        EntryKind::Base(_) => unreachable!("handled above"),
                    };
                    let base_id = *id_at_offset.get(&base_offset).ok_or(Error::OutOfBounds {
                        offset: base_offset,
                    })?;
                    let (kind, depth) = if let (Some(&k), Some(&d)) =
                        (kind_of.get(&base_offset), depth_of.get(&base_offset))
                    {
                        (k, d + 1)
                    } else {
                        // Base after the delta (REF_DELTA forward reference): walk the chain.
                        self.chain_depth(offset)?
                    };
                    (kind, Some((depth, base_id)))
                }
            };
            depth_of.insert(offset, delta.map_or(0, |(d, _)| d));
            kind_of.insert(offset, kind);
            out.push(EntryInfo {
                id,
                kind,
                size: header.size,
                packed_size: ends[&offset] - offset,
                offset,
                delta,
            });
        }
        Ok(out)
    }
}

/// Helpers for `entries`
impl Bundle {
    /// The kind a delta chain produces and its depth, walked without the cache.
    fn chain_depth(&self, mut offset: u64) -> Result<(Kind, usize), Error> {
        let mut depth = 0;
        loop {
            let header = self.entry_header(offset)?;
            offset = match header.kind {
                EntryKind::Base(kind) => return Ok((kind, depth)),
                EntryKind::OfsDelta { base_offset } => base_offset,
                EntryKind::RefDelta { base_id } => self.index.offset_at(
                    self.index
                        .lookup(&base_id)
                        .ok_or(Error::MissingBase { base_id })?,
                ),
            };
            depth += 1;
            if depth > self.limits.max_delta_chain {
                return Err(Error::ChainTooDeep {
                    offset,
                    limit: self.limits.max_delta_chain,
                });
            }
        }
    }
}

impl tabgit_object::Find for Bundle {
    fn try_find<'a>(
        &self,
        id: &ObjectId,
        buf: &'a mut Vec<u8>,
    ) -> Result<Option<tabgit_object::Data<'a>>, tabgit_object::find::Error> {
        match self.find(id, buf)? {
            Some(kind) => Ok(Some(tabgit_object::Data { kind, data: buf })),
            None => Ok(None),
        }
    }

    fn contains(&self, id: &ObjectId) -> bool {
        self.index.lookup(id).is_some()
    }
}
