//! The pack header and entry headers (`gitformat-pack`, "pack-*.pack files have the following
//! format"):
//!
//! ```text
//! header:  "PACK" <version: u32 BE, 2 or 3> <object count: u32 BE>
//! entry:   <type: 3 bits, size: varint, 4 bits first> [base] <zlib data>
//!          base of OBJ_OFS_DELTA (6): offset varint, subtracted from the entry's own offset
//!          base of OBJ_REF_DELTA (7): 20-byte object id
//! trailer: SHA-1 of everything before it
//! ```

use tabgit_object::Kind;

use crate::ObjectId;

/// The reasons pack data could not be decoded.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
pub enum Error {
    /// The first four bytes are not `PACK`.
    #[error("not a pack file (bad signature)")]
    BadSignature,
    /// The version is not 2 or 3.
    #[error("pack version {version} is not supported")]
    UnsupportedVersion {
        /// The version found.
        version: u32,
    },
    /// More bytes are needed to decode the header.
    #[error("pack data ends inside an entry header")]
    Incomplete,
    /// The entry type is 0 or 5 (reserved).
    #[error("pack entry at offset {offset} has invalid type {type_id}")]
    BadType {
        /// The entry offset.
        offset: u64,
        /// The type number.
        type_id: u8,
    },
    /// The size varint is longer than 64 bits.
    #[error("pack entry at offset {offset} has an overlong size")]
    SizeOverflow {
        /// The entry offset.
        offset: u64,
    },
    /// An `OFS_DELTA` base offset points before the start of the pack or not before the entry.
    #[error("delta base offset is out of bound for the entry at offset {offset}")]
    BadBaseOffset {
        /// The entry offset.
        offset: u64,
    },
}

/// The size of the pack header.
pub const HEADER_LEN: usize = 12;

/// Decode the pack header, returning the version and declared object count.
pub fn decode_header(data: &[u8]) -> Result<(u32, u32), Error> {
    let header = data.get(..HEADER_LEN).ok_or(Error::Incomplete)?;
    if &header[..4] != b"PACK" {
        return Err(Error::BadSignature);
    }
    let version = u32::from_be_bytes(header[4..8].try_into().expect("4 bytes"));
    if version != 2 && version != 3 {
        return Err(Error::UnsupportedVersion { version });
    }
    Ok((
        version,
        u32::from_be_bytes(header[8..12].try_into().expect("4 bytes")),
    ))
}

/// Encode a version 2 pack header for `n_objects`.
pub fn encode_header(n_objects: u32) -> [u8; HEADER_LEN] {
    let mut out = [0u8; HEADER_LEN];
    out[..4].copy_from_slice(b"PACK");
    out[4..8].copy_from_slice(&2u32.to_be_bytes());
    out[8..].copy_from_slice(&n_objects.to_be_bytes());
    out
}

/// What an entry holds.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum EntryKind {
    /// A whole object of this kind.
    Base(Kind),
    /// A delta against the entry at this absolute pack offset.
    OfsDelta {
        /// The base entry's offset.
        base_offset: u64,
    },
    /// A delta against the object with this id.
    RefDelta {
        /// The base object.
        base_id: ObjectId,
    },
}

/// A decoded entry header.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct EntryHeader {
    /// What the entry holds.
    pub kind: EntryKind,
    /// The inflated size: of the object, or of the delta instructions.
    pub size: u64,
    /// The length of the header, so the zlib data starts at `offset + header_len`.
    pub header_len: usize,
}

/// Decode the entry header at `offset`, whose bytes start at `data[0]`.
pub fn decode_entry_header(data: &[u8], offset: u64) -> Result<EntryHeader, Error> {
    let first = *data.first().ok_or(Error::Incomplete)?;
    let type_id = (first >> 4) & 0x7;
    let mut size = u64::from(first & 0x0f);
    let mut shift = 4u32;
    let mut pos = 1usize;
    let mut byte = first;
    while byte & 0x80 != 0 {
        byte = *data.get(pos).ok_or(Error::Incomplete)?;
        pos += 1;
        if shift > 57 {
            return Err(Error::SizeOverflow { offset });
        }
        size |= u64::from(byte & 0x7f) << shift;
        shift += 7;
    }
    let kind = match type_id {
        1..=4 => EntryKind::Base(Kind::from_pack_type(type_id).expect("1 to 4 are object kinds")),
        6 => {
            // Offset encoding from gitformat-pack: each continuation adds one before shifting.
            let mut byte = *data.get(pos).ok_or(Error::Incomplete)?;
            pos += 1;
            let mut distance = u64::from(byte & 0x7f);
            while byte & 0x80 != 0 {
                byte = *data.get(pos).ok_or(Error::Incomplete)?;
                pos += 1;
                distance = distance
                    .checked_add(1)
                    .and_then(|d| d.checked_mul(128))
                    .ok_or(Error::BadBaseOffset { offset })?
                    | u64::from(byte & 0x7f);
            }
            if distance == 0 || distance > offset {
                return Err(Error::BadBaseOffset { offset });
            }
            EntryKind::OfsDelta {
                base_offset: offset - distance,
            }
        }
        7 => {
            let id = data.get(pos..pos + 20).ok_or(Error::Incomplete)?;
            pos += 20;
            EntryKind::RefDelta {
                base_id: ObjectId::from_slice(id).expect("20 bytes"),
            }
        }
        _ => return Err(Error::BadType { offset, type_id }),
    };
    Ok(EntryHeader {
        kind,
        size,
        header_len: pos,
    })
}

/// Encode an entry header. `offset` is where the entry will be written (needed for `OfsDelta`).
pub fn encode_entry_header(kind: EntryKind, size: u64, offset: u64, out: &mut Vec<u8>) {
    let type_id = match kind {
        EntryKind::Base(k) => k.pack_type(),
        EntryKind::OfsDelta { .. } => 6,
        EntryKind::RefDelta { .. } => 7,
    };
    let mut byte = (type_id << 4) | (size & 0x0f) as u8;
    let mut rest = size >> 4;
    while rest != 0 {
        out.push(byte | 0x80);
        byte = (rest & 0x7f) as u8;
        rest >>= 7;
    }
    out.push(byte);
    match kind {
        EntryKind::Base(_) => {}
        EntryKind::OfsDelta { base_offset } => {
            let mut distance = offset - base_offset;
            let mut buf = [0u8; 10];
            let mut pos = buf.len() - 1;
            buf[pos] = (distance & 0x7f) as u8;
            distance >>= 7;
            while distance != 0 {
                distance -= 1;
                pos -= 1;
                buf[pos] = 0x80 | (distance & 0x7f) as u8;
                distance >>= 7;
            }
            out.extend_from_slice(&buf[pos..]);
        }
        EntryKind::RefDelta { base_id } => out.extend_from_slice(base_id.as_bytes()),
    }
}
