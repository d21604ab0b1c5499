use tabgit_hash::{Hasher, ObjectId};

/// Write a version 2 index for `entries` of `(id, offset, crc32)` (any order) of the pack whose
/// checksum is `pack_checksum`. Returns the index file bytes.
pub fn write_v2(entries: &mut [(ObjectId, u64, u32)], pack_checksum: &ObjectId) -> Vec<u8> {
    entries.sort_unstable_by_key(|a| a.0);
    let n = entries.len();
    let mut out = Vec::with_capacity(8 + 1024 + n * 28 + 40);
    out.extend_from_slice(b"\xfftOc");
    out.extend_from_slice(&2u32.to_be_bytes());
    let mut fanout = [0u32; 256];
    for (id, _, _) in entries.iter() {
        fanout[usize::from(id.first_byte())] += 1;
    }
    let mut total = 0u32;
    for count in fanout {
        total += count;
        out.extend_from_slice(&total.to_be_bytes());
    }
    for (id, _, _) in entries.iter() {
        out.extend_from_slice(id.as_bytes());
    }
    for (_, _, crc) in entries.iter() {
        out.extend_from_slice(&crc.to_be_bytes());
    }
    let mut large = Vec::new();
    for (_, offset, _) in entries.iter() {
        if *offset < 0x8000_0000 {
            out.extend_from_slice(&(*offset as u32).to_be_bytes());
        } else {
            out.extend_from_slice(&(0x8000_0000 | large.len() as u32).to_be_bytes());
            large.push(*offset);
        }
    }
    for offset in large {
        out.extend_from_slice(&offset.to_be_bytes());
    }
    out.extend_from_slice(pack_checksum.as_bytes());
    let mut hasher = Hasher::checksum();
    hasher.update(&out);
    out.extend_from_slice(hasher.finalize().as_bytes());
    out
}
