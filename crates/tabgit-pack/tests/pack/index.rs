//! `.idx` lookups: the interpolation search finds exactly what a linear scan finds.
use tabgit_pack::{Index, ObjectId};
use tabgit_testtools::{fixture, Result};

const DEMO_IDX: &[u8] = include_bytes!("../../../../tests/fixtures/core/demo.idx");

/// Every id is found at its position, and ids next to it (one bit changed at either end) are
/// found only if the index has them.
fn check_lookups(index: &Index) -> Result {
    let ids: Vec<ObjectId> = (0..index.len()).map(|i| index.id_at(i)).collect();
    let all: std::collections::HashSet<ObjectId> = ids.iter().copied().collect();
    for (position, id) in ids.iter().enumerate() {
        assert_eq!(
            index.lookup(id),
            Some(position),
            "{id} is found at {position}"
        );
        for flip in [(19, 0x01), (1, 0x80), (8, 0x01), (9, 0xff)] {
            let mut bytes = *id.as_bytes();
            bytes[flip.0] ^= flip.1;
            let near = ObjectId::from_bytes(bytes);
            let found = index.lookup(&near);
            if all.contains(&near) {
                assert_eq!(found.map(|p| index.id_at(p)), Some(near), "{near} is found");
            } else {
                assert_eq!(found, None, "{near} is not in the index");
            }
        }
    }
    for edge in [[0u8; 20], [0xff; 20]] {
        let id = ObjectId::from_bytes(edge);
        assert_eq!(
            index.lookup(&id).is_some(),
            all.contains(&id),
            "edge id {id}"
        );
    }
    Ok(())
}

#[test]
fn lookup_finds_every_id_of_the_demo_index() -> Result {
    check_lookups(&Index::from_bytes(DEMO_IDX.to_vec())?)
}

#[test]
fn lookup_finds_every_id_of_the_medium_fixture() -> Result {
    let pack_dir = fixture("medium")?.join("objects/pack");
    for entry in std::fs::read_dir(&pack_dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "idx") {
            check_lookups(&Index::from_bytes(std::fs::read(&path)?)?)?;
        }
    }
    Ok(())
}

#[test]
fn lookup_survives_ids_that_are_not_uniform() -> Result {
    // Ids crowded at both ends of one fan-out bucket defeat interpolation; the search must
    // still find each of them (it falls back to bisection).
    let mut ids = Vec::new();
    for i in 0u32..600 {
        let mut low = [0x42u8; 20];
        low[1..5].copy_from_slice(&i.to_be_bytes());
        let mut high = [0x42u8; 20];
        high[1..5].copy_from_slice(&(u32::MAX - i).to_be_bytes());
        ids.push(ObjectId::from_bytes(low));
        ids.push(ObjectId::from_bytes(high));
    }
    ids.sort();
    let mut entries: Vec<(ObjectId, u64, u32)> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (*id, 12 + i as u64 * 10, 0))
        .collect();
    let checksum = ObjectId::from_bytes([7u8; 20]);
    let index = Index::from_bytes(tabgit_pack::index::write_v2(&mut entries, &checksum))?;
    check_lookups(&index)
}
