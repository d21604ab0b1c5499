//! A pack's bytes held in fixed-size chunks.
//!
//! A received pack grows as it arrives, and its final size is not known until it ends. In one
//! `Vec` every growth doubles the allocation and copies what came before, so a 20 MiB pack briefly
//! needs 16 + 32 MiB and keeps 12 MiB of slack; and the browser store, which keeps packs in
//! chunks of [`CHUNK_SIZE`] bytes, would copy it once more. Held in chunks of that size from the
//! first byte, a pack costs its own size plus less than one chunk, and the store takes the chunks
//! as they are.

use std::borrow::Cow;
use std::collections::TryReserveError;

use crate::bundle::{PackData, ReadError};

/// The size of every chunk but the last; the browser store keeps packs in chunks of this size.
pub const CHUNK_SIZE: usize = 1 << 20;

/// A pack's bytes in chunks of [`CHUNK_SIZE`] (the last one may be shorter).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct PackBytes {
    chunks: Vec<Vec<u8>>,
    len: u64,
}

impl std::fmt::Debug for PackBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PackBytes")
            .field("len", &self.len)
            .field("chunks", &self.chunks.len())
            .finish()
    }
}

impl From<&[u8]> for PackBytes {
    fn from(bytes: &[u8]) -> Self {
        let chunks: Vec<Vec<u8>> = bytes.chunks(CHUNK_SIZE).map(<[u8]>::to_vec).collect();
        PackBytes {
            chunks,
            len: bytes.len() as u64,
        }
    }
}

/// Lifecycle
impl PackBytes {
    /// No bytes.
    pub fn new() -> Self {
        Self::default()
    }

    /// Append `bytes`, allocating whole chunks; fails without change to what is held when a
    /// chunk cannot be allocated.
    pub fn try_extend(&mut self, mut bytes: &[u8]) -> Result<(), TryReserveError> {
        let full = |chunks: &Vec<Vec<u8>>| chunks.last().is_none_or(|c| c.len() == CHUNK_SIZE);
        let needed = {
            let room = if full(&self.chunks) {
                0
            } else {
                CHUNK_SIZE - self.chunks.last().map_or(0, Vec::len)
            };
            bytes.len().saturating_sub(room).div_ceil(CHUNK_SIZE)
        };
        self.chunks.try_reserve(needed)?;
        while !bytes.is_empty() {
            if full(&self.chunks) {
                let mut chunk = Vec::new();
                chunk.try_reserve_exact(CHUNK_SIZE)?;
                self.chunks.push(chunk);
            }
            let chunk = self
                .chunks
                .last_mut()
                .expect("a chunk with room was just ensured");
            let take = (CHUNK_SIZE - chunk.len()).min(bytes.len());
            chunk.extend_from_slice(&bytes[..take]);
            self.len += take as u64;
            bytes = &bytes[take..];
        }
        Ok(())
    }

    /// Keep only the first `len` bytes.
    pub fn truncate(&mut self, len: u64) {
        if len >= self.len {
            return;
        }
        let keep_chunks = usize::try_from(len.div_ceil(CHUNK_SIZE as u64)).unwrap_or(usize::MAX);
        self.chunks.truncate(keep_chunks);
        if let Some(last) = self.chunks.last_mut() {
            let in_last = len - (keep_chunks as u64 - 1) * CHUNK_SIZE as u64;
            last.truncate(in_last as usize);
        }
        self.len = len;
    }

    /// Replace the bytes at `offset` with `bytes`; the range must be inside the pack.
    ///
    /// # Panics
    ///
    /// When the range reaches past the end: a caller's mistake, never the data's.
    pub fn overwrite(&mut self, offset: u64, bytes: &[u8]) {
        assert!(
            offset + bytes.len() as u64 <= self.len,
            "overwrite past the end of the pack"
        );
        let mut at = offset;
        let mut rest = bytes;
        while !rest.is_empty() {
            let (index, within) = split(at);
            let chunk = &mut self.chunks[index];
            let take = (chunk.len() - within).min(rest.len());
            chunk[within..within + take].copy_from_slice(&rest[..take]);
            at += take as u64;
            rest = &rest[take..];
        }
    }

    /// The chunks, every one [`CHUNK_SIZE`] bytes long but the last.
    pub fn into_chunks(self) -> Vec<Vec<u8>> {
        self.chunks
    }
}

/// Access
impl PackBytes {
    /// Bytes held.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Up to `max` bytes from `offset` (fewer near the end): borrowed when they lie in one
    /// chunk, copied when they straddle two or more.
    pub fn get(&self, offset: u64, max: usize) -> Cow<'_, [u8]> {
        let end = offset.saturating_add(max as u64).min(self.len);
        if offset >= end {
            return Cow::Borrowed(&[]);
        }
        let (index, within) = split(offset);
        let chunk = &self.chunks[index];
        let wanted = (end - offset) as usize;
        if within + wanted <= chunk.len() {
            return Cow::Borrowed(&chunk[within..within + wanted]);
        }
        let mut out = Vec::with_capacity(wanted);
        for piece in self.pieces(offset, end) {
            out.extend_from_slice(piece);
        }
        Cow::Owned(out)
    }

    /// The bytes from `start` to `end` (clamped to the pack) as consecutive slices, one per
    /// chunk they touch.
    pub fn pieces(&self, start: u64, end: u64) -> impl Iterator<Item = &[u8]> + '_ {
        let end = end.min(self.len);
        let mut at = start;
        std::iter::from_fn(move || {
            if at >= end {
                return None;
            }
            let (index, within) = split(at);
            let chunk = &self.chunks[index];
            let stop = (within as u64 + (end - at)).min(chunk.len() as u64) as usize;
            at += (stop - within) as u64;
            Some(&chunk[within..stop])
        })
    }

    /// The bytes from `offset` to the end of the chunk that holds `offset` (empty at the end).
    pub fn rest_of_chunk(&self, offset: u64) -> &[u8] {
        if offset >= self.len {
            return &[];
        }
        let (index, within) = split(offset);
        &self.chunks[index][within..]
    }

    /// Every byte in one `Vec` (a copy).
    pub fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(usize::try_from(self.len).unwrap_or(0));
        for chunk in &self.chunks {
            out.extend_from_slice(chunk);
        }
        out
    }
}

/// Which chunk holds `offset`, and where in it.
fn split(offset: u64) -> (usize, usize) {
    (
        (offset / CHUNK_SIZE as u64) as usize,
        (offset % CHUNK_SIZE as u64) as usize,
    )
}

impl PackData for PackBytes {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_at(&self, offset: u64, len: usize) -> Result<Cow<'_, [u8]>, ReadError> {
        Ok(self.get(offset, len))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i % 251) as u8).collect()
    }

    #[test]
    fn bytes_fed_in_any_pieces_read_back_the_same() {
        let data = sample(CHUNK_SIZE * 2 + 1234);
        for piece in [
            1,
            7,
            4096,
            CHUNK_SIZE - 1,
            CHUNK_SIZE,
            CHUNK_SIZE + 5,
            data.len(),
        ] {
            let mut bytes = PackBytes::new();
            for part in data.chunks(piece) {
                bytes.try_extend(part).unwrap();
            }
            assert_eq!(bytes.len(), data.len() as u64);
            assert_eq!(bytes.to_vec(), data, "fed in pieces of {piece}");
            assert!(
                bytes.chunks.iter().all(|c| c.capacity() == CHUNK_SIZE),
                "no chunk grows past its size"
            );
            assert_eq!(bytes, PackBytes::from(&data[..]));
            let chunks = bytes.into_chunks();
            assert_eq!(chunks.len(), 3);
            assert!(chunks[..2].iter().all(|c| c.len() == CHUNK_SIZE));
        }
    }

    #[test]
    fn reads_within_and_across_chunks() {
        let data = sample(CHUNK_SIZE * 3);
        let bytes = PackBytes::from(&data[..]);
        let inside = bytes.get(10, 100);
        assert!(matches!(inside, Cow::Borrowed(_)));
        assert_eq!(&inside[..], &data[10..110]);
        let across = bytes.get(CHUNK_SIZE as u64 - 3, 10);
        assert!(matches!(across, Cow::Owned(_)));
        assert_eq!(&across[..], &data[CHUNK_SIZE - 3..CHUNK_SIZE + 7]);
        let whole: Vec<u8> = bytes.pieces(5, u64::MAX).flatten().copied().collect();
        assert_eq!(whole, data[5..]);
        assert_eq!(bytes.pieces(5, u64::MAX).count(), 3);
        assert_eq!(
            &bytes.get(data.len() as u64 - 2, 10)[..],
            &data[data.len() - 2..]
        );
        assert!(bytes.get(data.len() as u64, 10).is_empty());
        assert_eq!(
            bytes.rest_of_chunk(CHUNK_SIZE as u64 - 1),
            &data[CHUNK_SIZE - 1..CHUNK_SIZE]
        );
        assert!(bytes.rest_of_chunk(data.len() as u64).is_empty());
    }

    #[test]
    fn truncate_and_overwrite_keep_the_chunk_layout() {
        let mut data = sample(CHUNK_SIZE * 2 + 50);
        let mut bytes = PackBytes::from(&data[..]);
        bytes.truncate(CHUNK_SIZE as u64 + 10);
        data.truncate(CHUNK_SIZE + 10);
        assert_eq!(bytes.to_vec(), data);
        bytes.truncate(CHUNK_SIZE as u64);
        data.truncate(CHUNK_SIZE);
        assert_eq!(bytes.to_vec(), data);
        bytes.try_extend(b"tail").unwrap();
        data.extend_from_slice(b"tail");
        assert_eq!(bytes.to_vec(), data);
        bytes.overwrite(CHUNK_SIZE as u64 - 2, b"wxyz");
        data[CHUNK_SIZE - 2..CHUNK_SIZE + 2].copy_from_slice(b"wxyz");
        assert_eq!(bytes.to_vec(), data);
        bytes.truncate(0);
        assert!(bytes.is_empty());
        assert!(bytes.into_chunks().is_empty());
    }
}
