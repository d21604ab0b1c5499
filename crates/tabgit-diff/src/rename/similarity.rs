//! git's content similarity estimate (`diffcore-delta.c`).
//!
//! Content is cut into chunks that end at a `\n` or after 64 bytes, whichever comes first; each
//! chunk is hashed into one of 107927 buckets, and a bucket counts the bytes of its chunks. The
//! bytes "copied" from source to destination are the sum over buckets of the smaller count.

use crate::{blob, Similarity};

/// A prime between 2^16 and 2^17: the number of buckets (`HASHBASE`).
const HASHBASE: u32 = 107_927;

/// What similarity estimation needs to know about one blob.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct Signature {
    /// The blob's size in bytes.
    pub size: u64,
    /// `(bucket, bytes)` sorted by bucket, one entry per bucket.
    spans: Vec<(u32, u64)>,
}

impl Signature {
    /// Hash `data` into buckets (`hash_chars`).
    ///
    /// ### Relation to git
    ///
    /// In text (not [`blob::is_binary`]) a `\r` directly before `\n` is skipped, so CRLF and LF
    /// versions of a file are identical. A last chunk without `\n` and shorter than 64 bytes
    /// counts, as in git since 2.44 ("diffcore-delta: avoid ignoring final 'line' of file");
    /// older versions ignore it and may report lower scores.
    pub fn new(data: &[u8]) -> Self {
        let is_text = !blob::is_binary(data);
        let mut spans: Vec<(u32, u64)> = Vec::new();
        let (mut n, mut accum1, mut accum2) = (0u64, 0u32, 0u32);
        for (idx, &byte) in data.iter().enumerate() {
            if is_text && byte == b'\r' && data.get(idx + 1) == Some(&b'\n') {
                continue;
            }
            let old1 = accum1;
            accum1 = (accum1 << 7) ^ (accum2 >> 25);
            accum2 = (accum2 << 7) ^ (old1 >> 25);
            accum1 = accum1.wrapping_add(u32::from(byte));
            n += 1;
            if n < 64 && byte != b'\n' {
                continue;
            }
            let hash = accum1.wrapping_add(accum2.wrapping_mul(0x61)) % HASHBASE;
            spans.push((hash, n));
            n = 0;
            accum1 = 0;
            accum2 = 0;
        }
        // The last chunk, without `\n` and shorter than 64 bytes (counted since git 2.44).
        if n > 0 {
            let hash = accum1.wrapping_add(accum2.wrapping_mul(0x61)) % HASHBASE;
            spans.push((hash, n));
        }
        spans.sort_unstable_by_key(|&(hash, _)| hash);
        let mut merged: Vec<(u32, u64)> = Vec::with_capacity(spans.len());
        for (hash, count) in spans {
            match merged.last_mut() {
                Some((last, total)) if *last == hash => *total += count,
                _ => merged.push((hash, count)),
            }
        }
        Signature {
            size: data.len() as u64,
            spans: merged,
        }
    }

    /// How many of `dst`'s bytes are "copied" from `self` (`src_copied` of
    /// `diffcore_count_changes`).
    pub fn copied_to(&self, dst: &Signature) -> u64 {
        let mut copied = 0;
        let mut dst_spans = dst.spans.iter().peekable();
        for &(hash, src_count) in &self.spans {
            while dst_spans
                .next_if(|&&(dst_hash, _)| dst_hash < hash)
                .is_some()
            {}
            if let Some(&(_, dst_count)) = dst_spans.next_if(|&&(dst_hash, _)| dst_hash == hash) {
                copied += src_count.min(dst_count);
            }
        }
        copied
    }

    /// git's `estimate_similarity` for regular files: 0 when the sizes differ too much for
    /// `threshold` to be reached, else copied bytes × 60000 / the larger size.
    pub fn estimate(&self, dst: &Signature, threshold: Similarity) -> Similarity {
        let max_size = u128::from(self.size.max(dst.size));
        let delta_size = max_size - u128::from(self.size.min(dst.size));
        let max_score = u128::from(Similarity::MAX.score());
        let min_score = u128::from(threshold.score());
        if max_size * (max_score - min_score) < delta_size * max_score {
            return Similarity::from_score(0);
        }
        if dst.size == 0 {
            return Similarity::from_score(0);
        }
        let copied = u128::from(self.copied_to(dst));
        Similarity::from_score((copied * max_score / max_size) as u32)
    }
}

/// How similar `new` is to `old` by git's estimate: the share of `new`'s content found in `old`,
/// relative to the larger of the two (what `R085` reports for an inexact rename).
pub fn similarity(old: &[u8], new: &[u8]) -> Similarity {
    Signature::new(old).estimate(&Signature::new(new), Similarity::from_score(0))
}
