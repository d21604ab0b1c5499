//! Creating deltas: find runs of the target that occur in the base and encode them as copies.
//!
//! ### Algorithm
//!
//! Like git's `diff-delta.c`, the base is indexed by a hash of every 16-byte block at 16-byte
//! aligned positions; the target is scanned with a rolling hash over a 16-byte window, candidate
//! matches are verified and extended forwards (and backwards into pending literal bytes), and
//! runs shorter than the window are emitted as inserts.

use std::collections::HashMap;

use crate::delta::write_varint;

const WINDOW: usize = 16;
/// Largest copy one instruction can express with three size bytes.
const MAX_COPY: usize = 0x00ff_ffff;
/// Candidates kept per hash bucket, so that repetitive bases cannot make the scan quadratic.
const MAX_CANDIDATES: usize = 64;
const BASE: u64 = 0x0100_0000_01b3;

fn block_hash(block: &[u8]) -> u64 {
    block.iter().fold(0u64, |h, &b| {
        h.wrapping_mul(BASE).wrapping_add(u64::from(b))
    })
}

/// Create a delta that turns `base` into `target`, or `None` if it would not be smaller than
/// `max_size` bytes.
pub fn create(base: &[u8], target: &[u8], max_size: usize) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    write_varint(base.len() as u64, &mut out);
    write_varint(target.len() as u64, &mut out);

    let mut index: HashMap<u64, Vec<u32>> = HashMap::new();
    if base.len() >= WINDOW && u32::try_from(base.len()).is_ok() {
        for start in (0..=base.len() - WINDOW).step_by(WINDOW) {
            let bucket = index
                .entry(block_hash(&base[start..start + WINDOW]))
                .or_default();
            if bucket.len() < MAX_CANDIDATES {
                bucket.push(start as u32);
            }
        }
    }
    // BASE^(WINDOW-1), to remove the outgoing byte from the rolling hash.
    let top = (1..WINDOW).fold(1u64, |acc, _| acc.wrapping_mul(BASE));

    let mut literal_start = 0usize;
    let mut pos = 0usize;
    // Where the base would continue if the next bytes of the target follow the last copy:
    // edits are local, so this finds long matches that hash buckets full of repeated blocks miss.
    let mut predicted_delta: isize = 0;
    let mut hash = if target.len() >= WINDOW {
        block_hash(&target[..WINDOW])
    } else {
        0
    };
    while pos + WINDOW <= target.len() {
        let mut best: Option<(usize, usize)> = None; // (base offset, length)
        let predicted = pos as isize + predicted_delta;
        if predicted >= 0 && (predicted as usize) < base.len() {
            let len = common_prefix(&base[predicted as usize..], &target[pos..]);
            if len >= WINDOW {
                best = Some((predicted as usize, len));
            }
        }
        if let Some(candidates) = index.get(&hash) {
            for &candidate in candidates {
                let candidate = candidate as usize;
                let len = common_prefix(&base[candidate..], &target[pos..]);
                if len >= WINDOW && best.is_none_or(|(_, l)| len > l) {
                    best = Some((candidate, len));
                }
            }
        }
        if let Some((mut base_offset, mut len)) = best {
            // Extend backwards into bytes that would otherwise become literals.
            let mut start = pos;
            while start > literal_start
                && base_offset > 0
                && base[base_offset - 1] == target[start - 1]
            {
                start -= 1;
                base_offset -= 1;
                len += 1;
            }
            emit_insert(&target[literal_start..start], &mut out);
            let mut remaining = len;
            let mut offset = base_offset;
            while remaining > 0 {
                let chunk = remaining.min(MAX_COPY);
                emit_copy(offset, chunk, &mut out);
                offset += chunk;
                remaining -= chunk;
            }
            pos = start + len;
            literal_start = pos;
            predicted_delta = (base_offset + len) as isize - pos as isize;
            if out.len() > max_size {
                return None;
            }
            if pos + WINDOW <= target.len() {
                hash = block_hash(&target[pos..pos + WINDOW]);
            }
            continue;
        }
        if pos + WINDOW < target.len() {
            let outgoing = u64::from(target[pos]);
            let incoming = u64::from(target[pos + WINDOW]);
            hash = hash
                .wrapping_sub(outgoing.wrapping_mul(top))
                .wrapping_mul(BASE)
                .wrapping_add(incoming);
        }
        pos += 1;
        if pos - literal_start > max_size {
            return None;
        }
    }
    emit_insert(&target[literal_start..], &mut out);
    (out.len() < max_size).then_some(out)
}

fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

fn emit_insert(mut literal: &[u8], out: &mut Vec<u8>) {
    while !literal.is_empty() {
        let n = literal.len().min(127);
        out.push(n as u8);
        out.extend_from_slice(&literal[..n]);
        literal = &literal[n..];
    }
}

fn emit_copy(offset: usize, size: usize, out: &mut Vec<u8>) {
    let cmd_pos = out.len();
    out.push(0x80);
    let mut cmd = 0x80u8;
    for bit in 0..4 {
        let byte = ((offset >> (8 * bit)) & 0xff) as u8;
        if byte != 0 {
            cmd |= 1 << bit;
            out.push(byte);
        }
    }
    // A size of exactly 0x10000 may be encoded as no size bytes; we always spell it out.
    for bit in 0..3 {
        let byte = ((size >> (8 * bit)) & 0xff) as u8;
        if byte != 0 {
            cmd |= 0x10 << bit;
            out.push(byte);
        }
    }
    out[cmd_pos] = cmd;
}
