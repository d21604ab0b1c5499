//! Hostile packs and deltas: typed errors, no panics, bounded memory (`RELIABILITY.md` rows 20–26).
use tabgit_object::Kind;
use tabgit_pack::indexer::{Error, Indexer, NoThinBases, Options};
use tabgit_pack::write::{write_pack, DeltaBase, Entry};
use tabgit_pack::{data, delta};

fn index(pack: &[u8], options: Options) -> Result<tabgit_pack::indexer::Outcome, Error> {
    let mut indexer = Indexer::new(options);
    indexer.feed(pack)?;
    indexer.finish(&NoThinBases, &mut |_| {})
}

fn sample_pack() -> Vec<u8> {
    let a = b"alpha\n".repeat(200);
    let mut b = a.clone();
    b.extend_from_slice(b"beta\n");
    write_pack(&[
        Entry::full(Kind::Blob, a),
        Entry {
            kind: Kind::Blob,
            data: b,
            base: Some(DeltaBase::InPack(0)),
        },
        Entry::full(Kind::Blob, b"x".to_vec()),
    ])
    .expect("valid entries")
    .data
}

#[test]
fn truncated_anywhere() {
    let pack = sample_pack();
    for cut in 0..pack.len() {
        let res = index(&pack[..cut], Options::default());
        assert!(
            res.is_err(),
            "a pack cut at {cut} of {} bytes is refused",
            pack.len()
        );
    }
    assert!(index(&pack, Options::default()).is_ok());
}

#[test]
fn every_single_byte_corruption_is_an_error_or_harmless() {
    let pack = sample_pack();
    for at in 0..pack.len() {
        let mut bad = pack.clone();
        bad[at] ^= 0x55;
        // The trailer checksum catches every change; what matters is that nothing panics.
        assert!(
            index(&bad, Options::default()).is_err(),
            "flipping byte {at} is detected"
        );
    }
}

#[test]
fn junk_and_lying_counts() {
    let pack = sample_pack();
    let mut junk = pack.clone();
    junk.extend_from_slice(b"junk");
    assert!(matches!(
        index(&junk, Options::default()),
        Err(Error::JunkAfterTrailer)
    ));
    let mut more = pack.clone();
    more[11] += 1;
    assert!(
        index(&more, Options::default()).is_err(),
        "declaring one more object than present"
    );
    let mut fewer = pack.clone();
    fewer[11] -= 1;
    assert!(
        index(&fewer, Options::default()).is_err(),
        "declaring one fewer object than present"
    );
    let mut huge = pack.clone();
    huge[8..12].copy_from_slice(&u32::MAX.to_be_bytes());
    assert!(
        index(&huge, Options::default()).is_err(),
        "a count of 4 billion is refused without allocating"
    );
}

/// A pack of raw entries, each `(entry kind, content to compress)`, with a valid trailer.
fn raw_pack(entries: &[(data::EntryKind, Vec<u8>, u64)]) -> Vec<u8> {
    let mut out = data::encode_header(entries.len() as u32).to_vec();
    for (kind, content, declared) in entries {
        let offset = out.len() as u64;
        data::encode_entry_header(*kind, *declared, offset, &mut out);
        out.extend_from_slice(&tabgit_object::zlib::deflate(content, 6));
    }
    let mut hasher = tabgit_hash::Hasher::default();
    hasher.update(&out);
    out.extend_from_slice(hasher.finalize().as_bytes());
    out
}

fn delta_bytes(base_len: u64, result_len: u64, ops: &[u8]) -> Vec<u8> {
    let mut d = Vec::new();
    for mut v in [base_len, result_len] {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                d.push(b);
                break;
            }
            d.push(b | 0x80);
        }
    }
    d.extend_from_slice(ops);
    d
}

#[test]
fn ref_delta_cycle_is_unresolved() {
    let a = tabgit_object::compute_id(Kind::Blob, b"a");
    let b = tabgit_object::compute_id(Kind::Blob, b"b");
    let d = delta_bytes(1, 1, &[1, b'x']);
    let pack = raw_pack(&[
        (
            data::EntryKind::RefDelta { base_id: b },
            d.clone(),
            d.len() as u64,
        ),
        (
            data::EntryKind::RefDelta { base_id: a },
            d.clone(),
            d.len() as u64,
        ),
    ]);
    assert!(matches!(
        index(&pack, Options::default()),
        Err(Error::UnresolvedDeltas { count: 2 })
    ));
}

#[test]
fn delta_bomb_is_refused_before_allocation() {
    // A 10-byte delta that promises a 4 GiB result by copying the base over and over.
    let mut ops = Vec::new();
    for _ in 0..16 {
        ops.extend_from_slice(&[0x80 | 0x10 | 0x20 | 0x40, 0xff, 0xff, 0xff]);
    }
    let d = delta_bytes(1, 4 << 30, &ops);
    let pack = raw_pack(&[
        (data::EntryKind::Base(Kind::Blob), b"a".to_vec(), 1),
        (
            data::EntryKind::OfsDelta { base_offset: 12 },
            d.clone(),
            d.len() as u64,
        ),
    ]);
    let options = Options {
        max_object_size: 64 << 20,
        ..Options::default()
    };
    assert!(matches!(
        index(&pack, options),
        Err(Error::ObjectTooLarge { .. })
    ));
}

#[test]
fn inflate_bomb_is_refused() {
    let pack = raw_pack(&[(data::EntryKind::Base(Kind::Blob), vec![0; 100], 1 << 40)]);
    assert!(matches!(
        index(&pack, Options::default()),
        Err(Error::ObjectTooLarge { .. })
    ));
    let lie = raw_pack(&[(data::EntryKind::Base(Kind::Blob), vec![0; 100], 50)]);
    assert!(
        matches!(index(&lie, Options::default()), Err(Error::Zlib { .. })),
        "content longer than declared"
    );
}

#[test]
fn bad_offsets_and_types() {
    let pack = raw_pack(&[(data::EntryKind::Base(Kind::Blob), b"a".to_vec(), 1)]);
    let mut bad_type = pack.clone();
    bad_type[12] = (bad_type[12] & 0x8f) | (5 << 4);
    assert!(
        index(&bad_type, Options::default()).is_err(),
        "type 5 is reserved"
    );
    // An OFS_DELTA pointing before the pack start.
    let mut hdr = Vec::new();
    hdr.push(0x61); // type 6, size 1
    hdr.extend_from_slice(&[0x7f]); // distance 127 > offset 12
    assert!(data::decode_entry_header(&hdr, 12).is_err());
    assert!(
        data::decode_entry_header(&[0xff; 12], 100).is_err(),
        "overlong size varint"
    );
}

#[test]
fn delta_instructions() {
    let base = b"0123456789";
    let mut out = Vec::new();
    for (ops, what) in [
        (delta_bytes(10, 5, &[0x00]), "opcode 0 is reserved"),
        (
            delta_bytes(10, 5, &[0x91, 8, 5]),
            "copy past the end of the base",
        ),
        (
            delta_bytes(10, 5, &[5, b'a']),
            "insert longer than the data",
        ),
        (
            delta_bytes(10, 3, &[4, b'a', b'b', b'c', b'd']),
            "result longer than declared",
        ),
        (
            delta_bytes(10, 5, &[2, b'a', b'b']),
            "result shorter than declared",
        ),
        (delta_bytes(11, 2, &[2, b'a', b'b']), "wrong base size"),
        (delta_bytes(10, 5, &[0x91]), "truncated copy"),
        (vec![0x80], "truncated header"),
    ] {
        assert!(
            delta::apply(base, &ops, &mut out, u64::MAX).is_err(),
            "{what}"
        );
    }
}
