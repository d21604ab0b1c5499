//! Targets for packs: entry headers, deltas, `.idx` files, and indexing a whole pack as it
//! arrives from a server.

use tabgit_hash::{Hasher, ObjectId, Prefix};
use tabgit_object::Kind;
use tabgit_pack::{
    data::{self, EntryKind},
    delta,
    index::Index,
    indexer::{self, Indexer, NoThinBases},
};

use crate::{chunks, selector};

/// The largest object or delta result the targets allow (gitoxide caps its pack fuzzers at
/// 64 MiB; the fuzzer's own cap is above this).
const MAX_OBJECT: u64 = 8 << 20;

/// The pack header and entry headers, at every offset of the input.
///
/// Checks: a decoded header lies within the input, an `OFS_DELTA` base lies before the entry,
/// and encoding a decoded header gives a header that decodes the same.
pub fn pack_entry(data: &[u8]) {
    let _ = data::decode_header(data);
    let (offset_byte, data) = selector(data);
    // Entries start anywhere in a pack; the offset matters for `OFS_DELTA` bases.
    let base_offset = u64::from(offset_byte) * 97;
    for start in 0..data.len().min(64) {
        let offset = base_offset + start as u64;
        let Ok(header) = data::decode_entry_header(&data[start..], offset) else {
            continue;
        };
        assert!(
            header.header_len <= data.len() - start,
            "a decoded entry header lies within the input"
        );
        if let EntryKind::OfsDelta { base_offset } = header.kind {
            assert!(
                base_offset < offset,
                "an OFS_DELTA base lies before its entry"
            );
        }
        let mut encoded = Vec::new();
        data::encode_entry_header(header.kind, header.size, offset, &mut encoded);
        let again = data::decode_entry_header(&encoded, offset);
        assert_eq!(
            again.map(|h| (h.kind, h.size, h.header_len)).ok(),
            Some((header.kind, header.size, encoded.len())),
            "an encoded entry header decodes to itself"
        );
    }
}

/// Delta application (`patch-delta.c`'s checks: out-of-range copies, wrong base size, opcode 0,
/// unconsumed bytes), against a base taken from the input.
///
/// The first two bytes give the base length (little-endian); the base is that many bytes, and
/// the delta is the rest. Checks: a result has exactly the size the delta declares and never more
/// than the limit; the declared sizes agree with [`delta::sizes`].
pub fn delta_apply(data: &[u8]) {
    let Some((base_len, rest)) = data.split_first_chunk::<2>() else {
        return;
    };
    let base_len = usize::from(u16::from_le_bytes(*base_len)).min(rest.len());
    let (base, delta_bytes) = rest.split_at(base_len);
    let mut out = Vec::new();
    let res = delta::apply(base, delta_bytes, &mut out, MAX_OBJECT);
    if res.is_ok() {
        let (declared_base, declared_result) =
            delta::sizes(delta_bytes).expect("a delta that applied has sizes");
        assert_eq!(
            declared_base,
            base.len() as u64,
            "the base has the declared size"
        );
        assert_eq!(
            declared_result,
            out.len() as u64,
            "the result has the declared size"
        );
        assert!(
            out.len() as u64 <= MAX_OBJECT,
            "the result is within the limit"
        );
    }
    // A delta against itself as base: what an attacker gets from a REF_DELTA cycle's first step.
    let _ = delta::apply(delta_bytes, delta_bytes, &mut out, MAX_OBJECT);
}

/// A `.idx` version 2 file, with and without checksum verification, and every lookup.
///
/// Checks: every stored position reads without panicking, and every lookup (by id, by prefix)
/// answers. A damaged index whose fan-out table disagrees with its ids may answer "not found";
/// only a checksum-verified index promises more, and the pack indexer target checks those.
pub fn pack_idx(data: &[u8]) {
    let _ = Index::from_bytes(data.to_vec());
    let Ok(index) = Index::from_stored_bytes(data.to_vec()) else {
        return;
    };
    let _ = index.pack_checksum();
    for (id, _offset, _crc) in index.iter() {
        let _ = index.lookup(&id);
        let prefix = Prefix::from_hex(id.to_hex().as_bytes()).expect("a full id is a prefix");
        let _ = index.lookup_prefix(&prefix);
        if let Ok(short) = Prefix::from_hex(&id.to_hex().as_bytes()[..5]) {
            let _ = index.lookup_prefix(&short);
        }
    }
    let _ = index.lookup(&ObjectId::from_slice(&[0xab; 20]).expect("20 bytes"));
}

/// A whole pack, fed to the streaming indexer in chunks, as it arrives from a server.
///
/// The first byte is a mode: bit 0 set means the rest is a pack without its trailer, and the
/// correct trailer is appended (libgit2's trick, so that the fuzzer reaches delta resolution
/// rather than stopping at the checksum); bits 1–7 pick chunk sizes. Every fetched object is
/// checked with git's fsck rules, as clone and fetch do.
///
/// Checks: an indexed pack's `.idx` parses and finds every object; the object count matches.
pub fn pack_indexer(data: &[u8]) {
    let (mode, body) = selector(data);
    let mut pack = body.to_vec();
    if mode & 1 == 1 {
        let mut hasher = Hasher::checksum();
        hasher.update(&pack);
        pack.extend_from_slice(hasher.finalize().as_bytes());
    }
    let options = indexer::Options {
        max_object_size: MAX_OBJECT,
        max_inflated_total: 4 * MAX_OBJECT,
        max_delta_chain: 4096,
        keep_deltas_budget: 1 << 20,
        check_object: Some(fsck_object),
        collect_links: true,
    };
    let mut indexer = Indexer::new(options);
    let sizes = match mode >> 1 {
        0 => Vec::new(),
        n => vec![n, n / 3 + 1, 1],
    };
    for chunk in chunks(&pack, &sizes) {
        if indexer.feed(chunk).is_err() {
            return;
        }
    }
    let Ok(outcome) = indexer.finish(&NoThinBases, &mut |_| {}) else {
        return;
    };
    let index = Index::from_bytes(outcome.index).expect("the indexer writes a valid .idx");
    assert_eq!(
        index.len(),
        outcome.n_objects,
        "the .idx lists every object"
    );
    assert_eq!(
        index.pack_checksum(),
        outcome.pack_checksum,
        "the .idx names its pack"
    );
    for (id, offset, _) in index.iter() {
        assert!(index.lookup(&id).is_some(), "every indexed object is found");
        assert!(
            offset < outcome.pack.len(),
            "every offset lies inside the pack"
        );
    }
}

/// The check clone and fetch run on every received object (the same rules as
/// `tabgit-repo`'s `connectivity::check_received_object`: fsck's tree rules, commits and tags
/// that parse, no NUL in their headers, identity dates that parse).
fn fsck_object(kind: Kind, data: &[u8]) -> Result<(), String> {
    let headers_end = data
        .windows(2)
        .position(|pair| pair == b"\n\n")
        .unwrap_or(data.len());
    let nul_in_headers = data[..headers_end].contains(&0);
    match kind {
        Kind::Tree => tabgit_object::tree::check::tree(data).map_err(|e| e.to_string()),
        Kind::Commit => {
            let commit = tabgit_object::CommitRef::from_bytes(data).map_err(|e| e.to_string())?;
            if nul_in_headers || commit.author.time().is_err() || commit.committer.time().is_err() {
                return Err("bad commit".to_owned());
            }
            Ok(())
        }
        Kind::Tag => {
            let tag = tabgit_object::TagRef::from_bytes(data).map_err(|e| e.to_string())?;
            if nul_in_headers || tag.tagger.is_some_and(|tagger| tagger.time().is_err()) {
                return Err("bad tag".to_owned());
            }
            Ok(())
        }
        Kind::Blob => Ok(()),
    }
}
