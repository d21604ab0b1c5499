//! A pack and its index: random access to the objects of a pack.
//!
//! Delta chains are walked iteratively (never recursively) and a small cache keeps recently
//! used delta bases, which is what makes walking history and diffing trees fast.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

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
    /// Bytes of delta bases kept in the cache.
    pub cache_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_object_size: 1 << 30,
            max_delta_chain: 100_000,
            cache_bytes: 64 << 20,
        }
    }
}

#[derive(Default)]
struct Cache {
    objects: HashMap<u64, (Kind, Arc<Vec<u8>>)>,
    bytes: usize,
}

/// A pack with its index.
pub struct Bundle {
    pack: Box<dyn PackData>,
    index: Index,
    limits: Limits,
    cache: Mutex<Cache>,
}

/// The deltas from an entry down to its base, nearest first, and the base.
struct Chain {
    deltas: Vec<(u64, data::EntryHeader)>,
    base_offset: u64,
    base_header: data::EntryHeader,
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
    /// Pair pack bytes with their index, checking that they belong together.
    pub fn new(pack: impl PackData + 'static, index: Index, limits: Limits) -> Result<Self, Error> {
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
        Ok(Bundle {
            pack: Box::new(pack),
            index,
            limits,
            cache: Mutex::default(),
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

    fn entry_header(&self, offset: u64) -> Result<data::EntryHeader, Error> {
        if offset >= self.pack.len().saturating_sub(20) {
            return Err(Error::OutOfBounds { offset });
        }
        // An entry header is at most 10 size bytes + 10 offset bytes (or a 20-byte base id).
        let bytes = self.pack.read_at(offset, 32)?;
        data::decode_entry_header(&bytes, offset).map_err(|source| Error::Data { offset, source })
    }

    fn inflate_at(
        &self,
        offset: u64,
        header: &data::EntryHeader,
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        if header.size > self.limits.max_object_size {
            return Err(Error::Zlib {
                offset,
                source: zlib::Error::TooLarge {
                    declared: header.size,
                    limit: self.limits.max_object_size,
                },
            });
        }
        let size = usize::try_from(header.size).map_err(|_| Error::Zlib {
            offset,
            source: zlib::Error::TooLarge {
                declared: header.size,
                limit: self.limits.max_object_size,
            },
        })?;
        let mut inflate =
            zlib::Inflate::new(size).map_err(|source| Error::Zlib { offset, source })?;
        let mut at = offset + header.header_len as u64;
        // Compressed data is rarely much larger than the object; read in growing windows.
        let mut window = (size + 64).clamp(256, 1 << 16);
        let end = self.pack.len().saturating_sub(20);
        while !inflate.is_done() {
            if at >= end {
                return Err(Error::Zlib {
                    offset,
                    source: zlib::Error::Truncated,
                });
            }
            let chunk = self.pack.read_at(at, window.min((end - at) as usize))?;
            let more = at + (chunk.len() as u64) < end;
            let consumed = inflate
                .feed(&chunk, more)
                .map_err(|source| Error::Zlib { offset, source })?;
            if consumed == 0 && !inflate.is_done() && !more {
                return Err(Error::Zlib {
                    offset,
                    source: zlib::Error::Truncated,
                });
            }
            at += consumed as u64;
            window = (window * 2).min(1 << 20);
        }
        *out = inflate.into_output();
        Ok(())
    }

    /// The chain from the entry at `offset` down to its base (or to a cached object).
    fn chain(&self, mut offset: u64) -> Result<Chain, Error> {
        let mut deltas = Vec::new();
        loop {
            let header = self.entry_header(offset)?;
            let next = match header.kind {
                EntryKind::Base(_) => {
                    return Ok(Chain {
                        deltas,
                        base_offset: offset,
                        base_header: header,
                    })
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
            deltas.push((offset, header));
            if deltas.len() > self.limits.max_delta_chain {
                return Err(Error::ChainTooDeep {
                    offset,
                    limit: self.limits.max_delta_chain,
                });
            }
            if self
                .cache
                .lock()
                .is_ok_and(|c| c.objects.contains_key(&next))
            {
                let header = self.entry_header(next)?;
                return Ok(Chain {
                    deltas,
                    base_offset: next,
                    base_header: header,
                });
            }
            offset = next;
        }
    }

    /// Read the object whose entry starts at `offset`.
    pub fn object_at(&self, offset: u64, out: &mut Vec<u8>) -> Result<Kind, Error> {
        let Chain {
            deltas,
            base_offset,
            base_header,
        } = self.chain(offset)?;
        let cached = self
            .cache
            .lock()
            .ok()
            .and_then(|c| c.objects.get(&base_offset).cloned());
        let kind = if let Some((kind, data)) = cached {
            out.clear();
            out.extend_from_slice(&data);
            kind
        } else {
            let EntryKind::Base(kind) = base_header.kind else {
                return Err(Error::Mismatch {
                    reason: "delta chain does not end in a whole object",
                });
            };
            self.inflate_at(base_offset, &base_header, out)?;
            kind
        };
        if deltas.is_empty() {
            return Ok(kind);
        }
        self.remember(base_offset, kind, out);
        let mut delta_buf = Vec::new();
        let mut result = Vec::new();
        for (idx, (delta_offset, header)) in deltas.iter().enumerate().rev() {
            self.inflate_at(*delta_offset, header, &mut delta_buf)?;
            delta::apply(out, &delta_buf, &mut result, self.limits.max_object_size).map_err(
                |source| Error::Delta {
                    offset: *delta_offset,
                    source,
                },
            )?;
            std::mem::swap(out, &mut result);
            if idx > 0 {
                self.remember(*delta_offset, kind, out);
            }
        }
        Ok(kind)
    }

    fn remember(&self, offset: u64, kind: Kind, data: &[u8]) {
        let Ok(mut cache) = self.cache.lock() else {
            return;
        };
        if data.len() > self.limits.cache_bytes / 4 || cache.objects.contains_key(&offset) {
            return;
        }
        if cache.bytes + data.len() > self.limits.cache_bytes {
            cache.objects.clear();
            cache.bytes = 0;
        }
        cache.bytes += data.len();
        cache
            .objects
            .insert(offset, (kind, Arc::new(data.to_vec())));
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
                        let Chain {
                            deltas: chain,
                            base_header,
                            ..
                        } = self.chain(offset)?;
                        let EntryKind::Base(k) = base_header.kind else {
                            return Err(Error::Mismatch {
                                reason: "delta chain does not end in a whole object",
                            });
                        };
                        (k, chain.len())
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
