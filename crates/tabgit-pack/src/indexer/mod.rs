//! What `git index-pack` does, fed incrementally as a pack arrives over the network.
//!
//! ### Algorithm
//!
//! 1. [`Indexer::feed`] appends bytes and decodes every entry as soon as it is complete: whole
//!    objects are inflated and hashed, deltas are inflated (their instructions are kept while a
//!    memory budget allows) and remembered with their base. The pack checksum is computed as
//!    the bytes arrive.
//! 2. [`Indexer::finish`] checks the trailer, then resolves deltas iteratively, depth first from
//!    each whole object, so that no recursion can overflow a 1 MiB wasm stack however deep a
//!    chain is. A base's data is released as soon as its last child is resolved, so a linear
//!    chain costs the memory of one object.
//! 3. `REF_DELTA` entries whose base is not in the pack (a thin pack) are resolved against
//!    objects the caller already has ([`ThinBases`]); those bases are appended to the pack as
//!    whole objects, as `git index-pack --fix-thin` does, so the stored pack is self-contained.
//! 4. A version 2 `.idx` is written.
//!
//! ### Relation to git
//!
//! Mirrors `builtin/index-pack.c`: the same checks ("pack has N unresolved deltas", "pack is
//! truncated", "pack has junk at the end", "delta base offset is out of bound"), CRC32 per entry,
//! and duplicate objects refused.

use tabgit_hash::{Hasher, ObjectId};
use tabgit_object::{zlib, Kind};

use crate::data::{self, EntryKind, HEADER_LEN};
use crate::delta;
use crate::pack_bytes::PackBytes;

/// More bytes than the longest valid entry header: a type-and-size varint of at most 10 bytes
/// (`decode_entry_header` refuses longer ones) and then a base offset of at most 10 bytes or a
/// 20-byte base id.
const MAX_ENTRY_HEADER: usize = 64;

/// The reasons a pack could not be indexed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The pack header or an entry header is invalid.
    #[error("corrupt pack: {0}")]
    Data(#[from] data::Error),
    /// An entry's zlib stream is damaged or does not match its declared size.
    #[error("corrupt pack: entry at offset {offset} is damaged")]
    Zlib {
        /// The entry offset.
        offset: u64,
        /// What the decompressor said.
        #[source]
        source: zlib::Error,
    },
    /// A delta could not be applied to its base.
    #[error("corrupt pack: delta at offset {offset} cannot be applied")]
    Delta {
        /// The entry offset.
        offset: u64,
        /// What is wrong with the delta.
        #[source]
        source: delta::Error,
    },
    /// An object is larger than allowed.
    #[error(
        "pack entry at offset {offset} declares {size} bytes, more than the limit of {limit} bytes"
    )]
    ObjectTooLarge {
        /// The entry offset.
        offset: u64,
        /// The declared size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The pack inflates to more bytes in total than allowed.
    #[error("pack inflates to more than the limit of {limit} bytes")]
    PackTooLarge {
        /// The limit.
        limit: u64,
    },
    /// The data ended before the pack was complete.
    #[error("pack is truncated (early end of data after {received} bytes)")]
    Truncated {
        /// Bytes received.
        received: u64,
    },
    /// Bytes follow the trailer.
    #[error("pack has junk at the end")]
    JunkAfterTrailer,
    /// The trailer does not match the SHA-1 of the pack.
    #[error("pack checksum mismatch: the pack is corrupt")]
    ChecksumMismatch,
    /// Deltas whose bases are neither in the pack nor available locally, or that form a cycle.
    #[error("pack has {count} unresolved deltas")]
    UnresolvedDeltas {
        /// How many.
        count: usize,
    },
    /// A delta chain is deeper than allowed.
    #[error("delta chain deeper than {limit} at offset {offset}")]
    ChainTooDeep {
        /// The entry offset.
        offset: u64,
        /// The limit.
        limit: usize,
    },
    /// The same object appears twice.
    #[error("pack contains object {id} twice")]
    DuplicateObject {
        /// The duplicated id.
        id: ObjectId,
    },
    /// A local base object for a thin pack could not be read.
    #[error("could not read local object {id} to complete a thin pack")]
    ThinBase {
        /// The base id.
        id: ObjectId,
        /// The store's error.
        #[source]
        source: tabgit_object::find::Error,
    },
    /// An object failed [`Options::check_object`].
    #[error("object {id} is refused: {reason}")]
    Rejected {
        /// The object.
        id: ObjectId,
        /// Why.
        reason: String,
    },
    /// An object carries a SHA-1 collision attack.
    #[error("SHA1 COLLISION FOUND WITH {id}: the pack carries a SHA-1 collision attack")]
    Collision {
        /// The colliding object's id.
        id: ObjectId,
    },
    /// Memory could not be reserved.
    #[error("out of memory while receiving the pack")]
    OutOfMemory,
    /// The pack declares more objects than an index can hold.
    #[error("pack declares {count} objects, more than supported")]
    TooManyObjects {
        /// The declared count.
        count: u32,
    },
}

/// A check run on every object as soon as its content is known; `Err` says why it is refused.
pub type ObjectCheck = fn(Kind, &[u8]) -> Result<(), String>;

/// Limits that keep hostile packs from exhausting memory or time.
#[derive(Clone, Debug)]
pub struct Options {
    /// Largest object or delta, as declared by an entry header.
    pub max_object_size: u64,
    /// Largest total of inflated bytes over the whole pack, deltas resolved included.
    pub max_inflated_total: u64,
    /// Deepest delta chain accepted (git writes at most 4095).
    pub max_delta_chain: usize,
    /// Bytes of delta instructions kept from the first pass to avoid inflating them twice.
    pub keep_deltas_budget: usize,
    /// A check every object must pass as soon as its content is known (for example git's
    /// fsck rules for trees received from a server); a failure rejects the pack.
    pub check_object: Option<ObjectCheck>,
    /// Record which objects the pack's commits, trees and tags refer to, so that the caller
    /// can check the pack is complete without reading it again ([`Outcome::external_links`]).
    pub collect_links: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_object_size: 1 << 30,
            max_inflated_total: 64 << 30,
            max_delta_chain: 100_000,
            keep_deltas_budget: 256 << 20,
            check_object: None,
            collect_links: false,
        }
    }
}

/// Where objects for completing a thin pack come from.
pub trait ThinBases {
    /// Return the kind and content of `id` if the local store has it.
    fn find_base(
        &self,
        id: &ObjectId,
    ) -> Result<Option<(Kind, Vec<u8>)>, tabgit_object::find::Error>;
}

impl<T: tabgit_object::Find> ThinBases for T {
    fn find_base(
        &self,
        id: &ObjectId,
    ) -> Result<Option<(Kind, Vec<u8>)>, tabgit_object::find::Error> {
        let mut buf = Vec::new();
        Ok(self
            .try_find(id, &mut buf)?
            .map(|d| d.kind)
            .map(|kind| (kind, buf)))
    }
}

/// A [`ThinBases`] with no objects, for packs that must be self-contained.
pub struct NoThinBases;

impl tabgit_object::Find for NoThinBases {
    fn try_find<'a>(
        &self,
        _id: &ObjectId,
        _buf: &'a mut Vec<u8>,
    ) -> Result<Option<tabgit_object::Data<'a>>, tabgit_object::find::Error> {
        Ok(None)
    }
}

/// Progress while resolving deltas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResolveProgress {
    /// Deltas resolved so far.
    pub resolved: usize,
    /// Deltas in total.
    pub total: usize,
}

/// The result of indexing a pack.
#[derive(Debug)]
pub struct Outcome {
    /// The pack bytes, with thin bases appended if any were needed.
    pub pack: PackBytes,
    /// The `.idx` version 2 file for it.
    pub index: Vec<u8>,
    /// The pack's checksum (its trailer), which names the pack files.
    pub pack_checksum: ObjectId,
    /// Objects in the (possibly completed) pack.
    pub n_objects: usize,
    /// How many of them were stored as deltas.
    pub n_deltas: usize,
    /// Local objects appended to complete a thin pack.
    pub n_thin_bases: usize,
    /// With [`Options::collect_links`]: objects the pack refers to but does not contain, with
    /// the kind the reference expects (git's `index-pack --check-self-contained-and-connected`).
    pub external_links: Vec<(ObjectId, Kind)>,
}

#[derive(Clone, Copy)]
enum Base {
    Object(Kind),
    Ofs(u64),
    Ref(ObjectId),
}

struct Entry {
    offset: u64,
    data_offset: u64,
    crc: u32,
    size: u64,
    base: Base,
    id: ObjectId,
    kind: Option<Kind>,
    kept: Option<(usize, usize)>,
}

enum State {
    Header,
    EntryHeader,
    EntryData {
        inflate: Box<zlib::Inflate>,
        header: data::EntryHeader,
        offset: u64,
    },
    Trailer,
    Done,
}

/// A pack being received and indexed.
pub struct Indexer {
    options: Options,
    pack: PackBytes,
    pos: u64,
    state: State,
    declared: u32,
    entries: Vec<Entry>,
    kept: Vec<u8>,
    hasher: Hasher,
    hashed: u64,
    inflated_total: u64,
    links: std::collections::HashMap<ObjectId, Kind>,
}

/// Lifecycle
impl Indexer {
    /// Start indexing a pack.
    pub fn new(options: Options) -> Self {
        Indexer {
            options,
            pack: PackBytes::new(),
            pos: 0,
            state: State::Header,
            declared: 0,
            entries: Vec::new(),
            kept: Vec::new(),
            hasher: Hasher::checksum(),
            hashed: 0,
            inflated_total: 0,
            links: std::collections::HashMap::new(),
        }
    }

    /// Append the next bytes of the pack and decode every entry they complete.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.pack
            .try_extend(bytes)
            .map_err(|_| Error::OutOfMemory)?;
        self.advance()
    }

    /// Bytes received so far.
    pub fn bytes_received(&self) -> u64 {
        self.pack.len()
    }

    /// Entries fully received so far, and the count the header declared (0 before the header).
    pub fn objects_received(&self) -> (usize, u32) {
        (self.entries.len(), self.declared)
    }

    fn account(&mut self, size: u64, offset: u64) -> Result<(), Error> {
        if size > self.options.max_object_size {
            return Err(Error::ObjectTooLarge {
                offset,
                size,
                limit: self.options.max_object_size,
            });
        }
        self.inflated_total = self.inflated_total.saturating_add(size);
        if self.inflated_total > self.options.max_inflated_total {
            return Err(Error::PackTooLarge {
                limit: self.options.max_inflated_total,
            });
        }
        Ok(())
    }

    fn advance(&mut self) -> Result<(), Error> {
        loop {
            match &mut self.state {
                State::Header => {
                    if self.pack.len() < HEADER_LEN as u64 {
                        return Ok(());
                    }
                    let (_, count) = data::decode_header(&self.pack.get(0, HEADER_LEN))?;
                    if count > u32::MAX / 2 {
                        return Err(Error::TooManyObjects { count });
                    }
                    self.declared = count;
                    self.pos = HEADER_LEN as u64;
                    self.state = if count == 0 {
                        State::Trailer
                    } else {
                        State::EntryHeader
                    };
                }
                State::EntryHeader => {
                    let offset = self.pos;
                    let window = self.pack.get(offset, MAX_ENTRY_HEADER);
                    let header = match data::decode_entry_header(&window, offset) {
                        Ok(header) => header,
                        // A header that would not fit the window fails with its own error first.
                        Err(data::Error::Incomplete) if window.len() < MAX_ENTRY_HEADER => {
                            return Ok(())
                        }
                        Err(err) => return Err(err.into()),
                    };
                    self.account(header.size, offset)?;
                    let size = usize::try_from(header.size).map_err(|_| Error::OutOfMemory)?;
                    let inflate = zlib::Inflate::new(size)
                        .map_err(|source| Error::Zlib { offset, source })?;
                    self.pos += header.header_len as u64;
                    self.state = State::EntryData {
                        inflate: Box::new(inflate),
                        header,
                        offset,
                    };
                }
                State::EntryData {
                    inflate,
                    header,
                    offset,
                } => {
                    let offset = *offset;
                    // Chunk by chunk: the stream may straddle any number of them.
                    while !inflate.is_done() && self.pos < self.pack.len() {
                        let consumed = inflate
                            .feed(self.pack.rest_of_chunk(self.pos), true)
                            .map_err(|source| Error::Zlib { offset, source })?;
                        if consumed == 0 {
                            break;
                        }
                        self.pos += consumed as u64;
                    }
                    if !inflate.is_done() {
                        return Ok(());
                    }
                    let header = *header;
                    let State::EntryData { inflate, .. } =
                        std::mem::replace(&mut self.state, State::EntryHeader)
                    else {
                        unreachable!("matched EntryData above")
                    };
                    self.finish_entry(offset, header, inflate.output())?;
                    if self.entries.len() == self.declared as usize {
                        self.state = State::Trailer;
                    }
                }
                State::Trailer => {
                    self.hash_up_to(self.pos);
                    if self.pack.len() < self.pos + 20 {
                        return Ok(());
                    }
                    if self.pack.len() > self.pos + 20 {
                        return Err(Error::JunkAfterTrailer);
                    }
                    if self.hasher.finalize().as_bytes()[..] != self.pack.get(self.pos, 20)[..] {
                        return Err(Error::ChecksumMismatch);
                    }
                    self.state = State::Done;
                }
                State::Done => {
                    if self.pack.len() > self.pos + 20 {
                        return Err(Error::JunkAfterTrailer);
                    }
                    return Ok(());
                }
            }
        }
    }

    fn hash_up_to(&mut self, end: u64) {
        if end > self.hashed {
            for piece in self.pack.pieces(self.hashed, end) {
                self.hasher.update(piece);
            }
            self.hashed = end;
        }
    }

    fn finish_entry(
        &mut self,
        offset: u64,
        header: data::EntryHeader,
        content: &[u8],
    ) -> Result<(), Error> {
        let end = self.pos;
        let mut crc = crc32fast::Hasher::new();
        for piece in self.pack.pieces(offset, end) {
            crc.update(piece);
        }
        let crc = crc.finalize();
        self.hash_up_to(end);
        let data_offset = offset + header.header_len as u64;
        let mut entry = Entry {
            offset,
            data_offset,
            crc,
            size: header.size,
            base: Base::Object(Kind::Blob),
            id: ObjectId::NULL,
            kind: None,
            kept: None,
        };
        match header.kind {
            EntryKind::Base(kind) => {
                entry.base = Base::Object(kind);
                entry.kind = Some(kind);
                entry.id = tabgit_hash::hash_object_checked(kind.as_bytes(), content)
                    .map_err(|c| Error::Collision { id: c.id })?;
                if let Some(check) = self.options.check_object {
                    check(kind, content).map_err(|reason| Error::Rejected {
                        id: entry.id,
                        reason,
                    })?;
                }
                // Whole objects refer to others too, not only the ones deltas resolve to.
                if self.options.collect_links {
                    record_links(kind, content, &mut self.links);
                }
            }
            EntryKind::OfsDelta { base_offset } => entry.base = Base::Ofs(base_offset),
            EntryKind::RefDelta { base_id } => entry.base = Base::Ref(base_id),
        }
        if !matches!(entry.base, Base::Object(_))
            && self.kept.len() + content.len() <= self.options.keep_deltas_budget
        {
            entry.kept = Some((self.kept.len(), content.len()));
            self.kept.extend_from_slice(content);
        }
        self.entries.push(entry);
        Ok(())
    }

    /// Check that the pack is complete, resolve deltas (completing a thin pack from
    /// `thin_bases`), and write the index.
    pub fn finish(
        mut self,
        thin_bases: &dyn ThinBases,
        progress: &mut dyn FnMut(ResolveProgress),
    ) -> Result<Outcome, Error> {
        if !matches!(self.state, State::Done) {
            return Err(Error::Truncated {
                received: self.pack.len(),
            });
        }
        let resolver = Resolver::new(&self);
        let appended = resolver.resolve(&mut self, thin_bases, progress)?;
        let n_deltas = self
            .entries
            .iter()
            .filter(|e| !matches!(e.base, Base::Object(_)))
            .count();
        let n_thin_bases = appended.len();
        if !appended.is_empty() {
            self.append_thin_bases(appended)?;
        }
        let mut ids: Vec<(ObjectId, u64, u32)> = self
            .entries
            .iter()
            .map(|e| (e.id, e.offset, e.crc))
            .collect();
        ids.sort_unstable_by_key(|a| a.0);
        if let Some(pair) = ids.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(Error::DuplicateObject { id: pair[0].0 });
        }
        let external_links = if self.options.collect_links {
            let mut external: Vec<(ObjectId, Kind)> = std::mem::take(&mut self.links)
                .into_iter()
                .filter(|(id, _)| ids.binary_search_by(|probe| probe.0.cmp(id)).is_err())
                .collect();
            external.sort_unstable_by_key(|(id, _)| *id);
            external
        } else {
            Vec::new()
        };
        let trailer_at = self.pack.len() - 20;
        let pack_checksum =
            ObjectId::from_slice(&self.pack.get(trailer_at, 20)).expect("20-byte trailer");
        let index = crate::index::write_v2(&mut ids, &pack_checksum);
        Ok(Outcome {
            n_objects: self.entries.len(),
            pack: self.pack,
            index,
            pack_checksum,
            n_deltas,
            n_thin_bases,
            external_links,
        })
    }

    /// Append whole objects for thin-pack bases, then rewrite the object count and trailer.
    fn append_thin_bases(&mut self, appended: Vec<(ObjectId, Kind, Vec<u8>)>) -> Result<(), Error> {
        self.pack.truncate(self.pack.len() - 20);
        for (id, kind, content) in appended {
            let offset = self.pack.len();
            let mut entry = Vec::new();
            data::encode_entry_header(
                EntryKind::Base(kind),
                content.len() as u64,
                offset,
                &mut entry,
            );
            entry.extend_from_slice(&zlib::deflate(&content, zlib::DEFAULT_LEVEL));
            let crc = crc32fast::hash(&entry);
            self.pack
                .try_extend(&entry)
                .map_err(|_| Error::OutOfMemory)?;
            self.entries.push(Entry {
                offset,
                data_offset: 0,
                crc,
                size: content.len() as u64,
                base: Base::Object(kind),
                id,
                kind: Some(kind),
                kept: None,
            });
        }
        let count = self.entries.len() as u32;
        self.pack.overwrite(8, &count.to_be_bytes());
        let mut hasher = Hasher::checksum();
        for piece in self.pack.pieces(0, u64::MAX) {
            hasher.update(piece);
        }
        let checksum = hasher.finalize();
        self.pack
            .try_extend(checksum.as_bytes())
            .map_err(|_| Error::OutOfMemory)
    }
}

/// Which entries are deltas of which bases.
struct Resolver {
    /// `(base offset, entry index)` for `OFS_DELTA` entries, sorted.
    by_offset: Vec<(u64, u32)>,
    /// `(base id, entry index)` for `REF_DELTA` entries, sorted.
    by_id: Vec<(ObjectId, u32)>,
}

struct Frame {
    data: Vec<u8>,
    kind: Kind,
    children: Vec<u32>,
    depth: usize,
}

impl Resolver {
    fn new(indexer: &Indexer) -> Self {
        let mut by_offset = Vec::new();
        let mut by_id = Vec::new();
        for (idx, entry) in indexer.entries.iter().enumerate() {
            match entry.base {
                Base::Object(_) => {}
                Base::Ofs(offset) => by_offset.push((offset, idx as u32)),
                Base::Ref(id) => by_id.push((id, idx as u32)),
            }
        }
        by_offset.sort_unstable();
        by_id.sort_unstable();
        Resolver { by_offset, by_id }
    }

    fn children(&self, offset: Option<u64>, id: &ObjectId, out: &mut Vec<u32>) {
        if let Some(offset) = offset {
            let start = self.by_offset.partition_point(|(o, _)| *o < offset);
            out.extend(
                self.by_offset[start..]
                    .iter()
                    .take_while(|(o, _)| *o == offset)
                    .map(|(_, i)| *i),
            );
        }
        let start = self.by_id.partition_point(|(base, _)| base < id);
        out.extend(
            self.by_id[start..]
                .iter()
                .take_while(|(base, _)| base == id)
                .map(|(_, i)| *i),
        );
    }

    /// Resolve every delta; return the thin-pack bases that must be appended.
    fn resolve(
        &self,
        indexer: &mut Indexer,
        thin_bases: &dyn ThinBases,
        progress: &mut dyn FnMut(ResolveProgress),
    ) -> Result<Vec<(ObjectId, Kind, Vec<u8>)>, Error> {
        let total = self.by_offset.len() + self.by_id.len();
        let mut resolved = 0usize;
        let mut children = Vec::new();
        for idx in 0..indexer.entries.len() {
            let entry = &indexer.entries[idx];
            let Base::Object(kind) = entry.base else {
                continue;
            };
            children.clear();
            self.children(Some(entry.offset), &entry.id, &mut children);
            if children.is_empty() {
                continue;
            }
            let data = inflate_entry(indexer, idx)?;
            let root = Frame {
                data,
                kind,
                children: std::mem::take(&mut children),
                depth: 0,
            };
            self.descend(indexer, root, &mut resolved, total, progress)?;
        }
        // Thin pack: REF_DELTA bases that are not in the pack.
        let mut appended = Vec::new();
        if resolved < total {
            let mut missing: Vec<ObjectId> = self
                .by_id
                .iter()
                .filter(|(_, idx)| indexer.entries[*idx as usize].kind.is_none())
                .map(|(base, _)| *base)
                .collect();
            missing.dedup();
            for base_id in missing {
                let found = thin_bases
                    .find_base(&base_id)
                    .map_err(|source| Error::ThinBase {
                        id: base_id,
                        source,
                    })?;
                let Some((kind, data)) = found else { continue };
                children.clear();
                self.children(None, &base_id, &mut children);
                // A base that is also in the pack was handled above; only truly external ones remain.
                children.retain(|&c| indexer.entries[c as usize].kind.is_none());
                if children.is_empty() {
                    continue;
                }
                appended.push((base_id, kind, data.clone()));
                let root = Frame {
                    data,
                    kind,
                    children: std::mem::take(&mut children),
                    depth: 0,
                };
                self.descend(indexer, root, &mut resolved, total, progress)?;
            }
        }
        if resolved < total {
            return Err(Error::UnresolvedDeltas {
                count: total - resolved,
            });
        }
        progress(ResolveProgress { resolved, total });
        Ok(appended)
    }

    /// Resolve every delta below `root`, depth first, with an explicit stack.
    fn descend(
        &self,
        indexer: &mut Indexer,
        root: Frame,
        resolved: &mut usize,
        total: usize,
        progress: &mut dyn FnMut(ResolveProgress),
    ) -> Result<(), Error> {
        let mut stack = vec![root];
        while let Some(top) = stack.last_mut() {
            let Some(child_idx) = top.children.pop() else {
                stack.pop();
                continue;
            };
            let (kind, depth) = (top.kind, top.depth + 1);
            // The last child may take its parent's data: the parent is no longer needed.
            let base_frame = if top.children.is_empty() {
                stack.pop()
            } else {
                None
            };
            let base: &[u8] = match &base_frame {
                Some(frame) => &frame.data,
                None => &stack.last().expect("the parent is still on the stack").data,
            };
            let child = &indexer.entries[child_idx as usize];
            if depth > indexer.options.max_delta_chain {
                return Err(Error::ChainTooDeep {
                    offset: child.offset,
                    limit: indexer.options.max_delta_chain,
                });
            }
            let delta_buf;
            let delta_bytes: &[u8] = if let Some((start, len)) = child.kept {
                &indexer.kept[start..start + len]
            } else {
                delta_buf = inflate_entry(indexer, child_idx as usize)?;
                &delta_buf
            };
            let (_, result_size) = delta::sizes(delta_bytes).map_err(|source| Error::Delta {
                offset: child.offset,
                source,
            })?;
            let offset = child.offset;
            if result_size > indexer.options.max_object_size {
                return Err(Error::ObjectTooLarge {
                    offset,
                    size: result_size,
                    limit: indexer.options.max_object_size,
                });
            }
            indexer.inflated_total = indexer.inflated_total.saturating_add(result_size);
            if indexer.inflated_total > indexer.options.max_inflated_total {
                return Err(Error::PackTooLarge {
                    limit: indexer.options.max_inflated_total,
                });
            }
            let mut data = Vec::new();
            delta::apply(
                base,
                delta_bytes,
                &mut data,
                indexer.options.max_object_size,
            )
            .map_err(|source| Error::Delta { offset, source })?;
            drop(base_frame);
            let id = tabgit_hash::hash_object_checked(kind.as_bytes(), &data)
                .map_err(|c| Error::Collision { id: c.id })?;
            if let Some(check) = indexer.options.check_object {
                check(kind, &data).map_err(|reason| Error::Rejected { id, reason })?;
            }
            if indexer.options.collect_links {
                record_links(kind, &data, &mut indexer.links);
            }
            let entry = &mut indexer.entries[child_idx as usize];
            entry.id = id;
            entry.kind = Some(kind);
            *resolved += 1;
            if (*resolved).is_multiple_of(1024) {
                progress(ResolveProgress {
                    resolved: *resolved,
                    total,
                });
            }
            let mut grandchildren = Vec::new();
            self.children(Some(offset), &id, &mut grandchildren);
            if !grandchildren.is_empty() {
                stack.push(Frame {
                    data,
                    kind,
                    children: grandchildren,
                    depth,
                });
            }
        }
        Ok(())
    }
}

/// Inflate the content of entry `idx` from the received pack. Entries are recorded in pack
/// order, so its compressed data ends where the next entry (or the trailer) starts; that
/// span is borrowed from its chunk, or copied when it straddles two.
fn inflate_entry(indexer: &Indexer, idx: usize) -> Result<Vec<u8>, Error> {
    let entry = &indexer.entries[idx];
    let size = usize::try_from(entry.size).map_err(|_| Error::OutOfMemory)?;
    let end = indexer
        .entries
        .get(idx + 1)
        .map_or(indexer.pack.len() - 20, |next| next.offset);
    let compressed = indexer.pack.get(
        entry.data_offset,
        usize::try_from(end - entry.data_offset).map_err(|_| Error::OutOfMemory)?,
    );
    let mut out = Vec::new();
    zlib::inflate_exact(&compressed, size, &mut out).map_err(|source| Error::Zlib {
        offset: entry.offset,
        source,
    })?;
    Ok(out)
}

/// Record the objects an object refers to: a commit's tree and parents, a tree's entries
/// (except submodule commits), a tag's target. Malformed objects record nothing (they fail the
/// caller's checks elsewhere).
fn record_links(kind: Kind, data: &[u8], links: &mut std::collections::HashMap<ObjectId, Kind>) {
    match kind {
        Kind::Commit => {
            if let Ok(commit) = tabgit_object::CommitRef::from_bytes(data) {
                links.insert(commit.tree, Kind::Tree);
                for parent in commit.parents {
                    links.insert(parent, Kind::Commit);
                }
            }
        }
        Kind::Tree => {
            for entry in tabgit_object::tree::TreeRefIter::from_bytes(data).flatten() {
                if entry.mode.is_commit() {
                    continue;
                }
                links.insert(
                    entry.oid,
                    if entry.mode.is_tree() {
                        Kind::Tree
                    } else {
                        Kind::Blob
                    },
                );
            }
        }
        Kind::Tag => {
            if let Ok(tag) = tabgit_object::TagRef::from_bytes(data) {
                links.insert(tag.target, tag.target_kind);
            }
        }
        Kind::Blob => {}
    }
}
