//! Writing packs (`gitformat-pack`), for push and for storing objects made locally.
//!
//! Each entry may name a delta base: an earlier entry of the same pack (written as
//! `OFS_DELTA`) or an object the receiver already has (written as `REF_DELTA`, making a thin
//! pack, which `git receive-pack` completes with `index-pack --fix-thin`). A delta is used only
//! when it is smaller than half the object, as git's `pack-objects` does by default.

use tabgit_hash::{Hasher, ObjectId};
use tabgit_object::{zlib, Kind};

use crate::data::{self, EntryKind};
use crate::delta;

/// The reasons a pack could not be written.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    /// An `InPack` base refers to an entry that is not earlier in the pack.
    #[error("entry {entry} names entry {base} as its delta base, which is not written before it")]
    BaseNotBefore {
        /// The entry.
        entry: usize,
        /// Its base.
        base: usize,
    },
    /// More objects than a pack can count.
    #[error("too many objects for one pack")]
    TooManyObjects,
}

/// Where a delta base comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeltaBase {
    /// An earlier entry of the same pack, by position.
    InPack(usize),
    /// An object the receiver has, with its content.
    External {
        /// The base's id.
        id: ObjectId,
        /// The base's content.
        data: Vec<u8>,
    },
}

/// One object to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The object's kind.
    pub kind: Kind,
    /// The object's content.
    pub data: Vec<u8>,
    /// A base to try a delta against.
    pub base: Option<DeltaBase>,
}

impl Entry {
    /// An entry written whole.
    pub fn full(kind: Kind, data: Vec<u8>) -> Self {
        Entry {
            kind,
            data,
            base: None,
        }
    }
}

/// A written pack.
#[derive(Clone, Debug)]
pub struct Written {
    /// The pack bytes, trailer included.
    pub data: Vec<u8>,
    /// The trailer checksum.
    pub checksum: ObjectId,
    /// The id of each entry, in order.
    pub ids: Vec<ObjectId>,
    /// How many entries were written as deltas.
    pub n_deltas: usize,
}

/// Write `entries` as a version 2 pack.
pub fn write_pack(entries: &[Entry]) -> Result<Written, Error> {
    let count = u32::try_from(entries.len()).map_err(|_| Error::TooManyObjects)?;
    let mut out = Vec::new();
    out.extend_from_slice(&data::encode_header(count));
    let mut offsets = Vec::with_capacity(entries.len());
    let mut ids = Vec::with_capacity(entries.len());
    let mut n_deltas = 0;
    for (idx, entry) in entries.iter().enumerate() {
        let offset = out.len() as u64;
        offsets.push(offset);
        ids.push(tabgit_object::compute_id(entry.kind, &entry.data));
        let max_delta = entry.data.len() / 2;
        let delta = match &entry.base {
            Some(DeltaBase::InPack(base)) => {
                if *base >= idx {
                    return Err(Error::BaseNotBefore {
                        entry: idx,
                        base: *base,
                    });
                }
                delta::create(&entries[*base].data, &entry.data, max_delta).map(|d| {
                    (
                        EntryKind::OfsDelta {
                            base_offset: offsets[*base],
                        },
                        d,
                    )
                })
            }
            Some(DeltaBase::External { id, data }) => delta::create(data, &entry.data, max_delta)
                .map(|d| (EntryKind::RefDelta { base_id: *id }, d)),
            None => None,
        };
        let (kind, content) = match &delta {
            Some((kind, delta)) => {
                n_deltas += 1;
                (*kind, delta.as_slice())
            }
            None => (EntryKind::Base(entry.kind), entry.data.as_slice()),
        };
        data::encode_entry_header(kind, content.len() as u64, offset, &mut out);
        out.extend_from_slice(&zlib::deflate(content, zlib::DEFAULT_LEVEL));
    }
    let mut hasher = Hasher::checksum();
    hasher.update(&out);
    let checksum = hasher.finalize();
    out.extend_from_slice(checksum.as_bytes());
    Ok(Written {
        data: out,
        checksum,
        ids,
        n_deltas,
    })
}
