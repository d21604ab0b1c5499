//! git's binary deltas (`gitformat-pack`, "Deltified representation"; `patch-delta.c`,
//! `diff-delta.c`):
//!
//! ```text
//! delta:   <base size: varint> <result size: varint> <instruction>*
//! copy:    1xxxxxxx [offset: up to 4 bytes by bits 0-3] [size: up to 3 bytes by bits 4-6]
//!          (size 0 means 0x10000)
//! insert:  0nnnnnnn followed by n literal bytes (n = 1..127)
//! 0x00:    reserved, an error
//! ```

mod create;

pub use create::create;

/// The reasons a delta could not be applied.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
pub enum Error {
    /// The delta's header is truncated.
    #[error("delta header is truncated")]
    TruncatedHeader,
    /// The base size in the delta does not match the base object.
    #[error("delta expects a base of {expected} bytes, but the base has {actual}")]
    BaseSizeMismatch {
        /// Size recorded in the delta.
        expected: u64,
        /// Size of the base given.
        actual: usize,
    },
    /// The result would be larger than allowed.
    #[error("delta result of {size} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// Size recorded in the delta.
        size: u64,
        /// The caller's limit.
        limit: u64,
    },
    /// A copy instruction reads outside the base.
    #[error("delta copies from outside its base object")]
    CopyOutOfBounds,
    /// An instruction writes past the declared result size, or the result is shorter.
    #[error("delta result does not match its declared size")]
    ResultSizeMismatch,
    /// The reserved instruction `0x00` or a truncated instruction.
    #[error("delta contains an invalid or truncated instruction")]
    BadInstruction,
    /// Memory for the result could not be reserved.
    #[error("out of memory reserving {size} bytes for a delta result")]
    OutOfMemory {
        /// The declared result size.
        size: u64,
    },
}

/// Read a delta header varint (7 bits per byte, little-endian groups).
fn read_varint(data: &[u8], pos: &mut usize) -> Option<u64> {
    let mut value = 0u64;
    let mut shift = 0u32;
    loop {
        let byte = *data.get(*pos)?;
        *pos += 1;
        if shift > 63 {
            return None;
        }
        value |= u64::from(byte & 0x7f) << shift;
        shift += 7;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
}

/// Write a delta header varint.
pub(crate) fn write_varint(mut value: u64, out: &mut Vec<u8>) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// The base and result sizes a delta declares.
pub fn sizes(delta: &[u8]) -> Result<(u64, u64), Error> {
    let mut pos = 0;
    let base = read_varint(delta, &mut pos).ok_or(Error::TruncatedHeader)?;
    let result = read_varint(delta, &mut pos).ok_or(Error::TruncatedHeader)?;
    Ok((base, result))
}

/// Apply `delta` to `base`, writing the result into `out` (cleared first).
///
/// * `limit` caps the declared result size, checked before anything is allocated.
pub fn apply(base: &[u8], delta: &[u8], out: &mut Vec<u8>, limit: u64) -> Result<(), Error> {
    let mut pos = 0;
    let base_size = read_varint(delta, &mut pos).ok_or(Error::TruncatedHeader)?;
    let result_size = read_varint(delta, &mut pos).ok_or(Error::TruncatedHeader)?;
    if base_size != base.len() as u64 {
        return Err(Error::BaseSizeMismatch {
            expected: base_size,
            actual: base.len(),
        });
    }
    if result_size > limit {
        return Err(Error::TooLarge {
            size: result_size,
            limit,
        });
    }
    let result_size = usize::try_from(result_size).map_err(|_| Error::TooLarge {
        size: result_size,
        limit,
    })?;
    out.clear();
    out.try_reserve_exact(result_size)
        .map_err(|_| Error::OutOfMemory {
            size: result_size as u64,
        })?;
    while pos < delta.len() {
        let cmd = delta[pos];
        pos += 1;
        if cmd & 0x80 != 0 {
            let mut offset = 0usize;
            let mut size = 0usize;
            for bit in 0..4 {
                if cmd & (1 << bit) != 0 {
                    offset |=
                        usize::from(*delta.get(pos).ok_or(Error::BadInstruction)?) << (8 * bit);
                    pos += 1;
                }
            }
            for bit in 0..3 {
                if cmd & (0x10 << bit) != 0 {
                    size |= usize::from(*delta.get(pos).ok_or(Error::BadInstruction)?) << (8 * bit);
                    pos += 1;
                }
            }
            if size == 0 {
                size = 0x10000;
            }
            let end = offset.checked_add(size).ok_or(Error::CopyOutOfBounds)?;
            let chunk = base.get(offset..end).ok_or(Error::CopyOutOfBounds)?;
            if out.len() + size > result_size {
                return Err(Error::ResultSizeMismatch);
            }
            out.extend_from_slice(chunk);
        } else if cmd != 0 {
            let size = usize::from(cmd);
            let chunk = delta.get(pos..pos + size).ok_or(Error::BadInstruction)?;
            pos += size;
            if out.len() + size > result_size {
                return Err(Error::ResultSizeMismatch);
            }
            out.extend_from_slice(chunk);
        } else {
            return Err(Error::BadInstruction);
        }
    }
    if out.len() != result_size {
        return Err(Error::ResultSizeMismatch);
    }
    Ok(())
}
