//! `Bundle`: random access to a pack, with and without the delta-base cache.
//!
//! The cache must never change what a read returns: every object read through a cache (large,
//! tiny so that it evicts all the time, or shared between bundles) is compared with a read
//! through no cache, and with its object id.
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tabgit_object::Kind;
use tabgit_pack::bundle::{Cache, Limits, PackData, ReadError};
use tabgit_pack::{Bundle, Index, ObjectId};
use tabgit_testtools::{fixture, Result};

const DEMO_PACK: &[u8] = include_bytes!("../../../../tests/fixtures/core/demo.pack");
const DEMO_IDX: &[u8] = include_bytes!("../../../../tests/fixtures/core/demo.idx");

fn limits(cache_bytes: usize) -> Limits {
    Limits {
        cache_bytes,
        ..Limits::default()
    }
}

fn demo_bundle(cache_bytes: usize) -> Result<Bundle> {
    Ok(Bundle::new(
        DEMO_PACK.to_vec(),
        Index::from_bytes(DEMO_IDX.to_vec())?,
        limits(cache_bytes),
    )?)
}

/// Every `(id, offset)` of `index`, in pack order.
fn by_offset(index: &Index) -> Vec<(ObjectId, u64)> {
    let mut entries: Vec<(ObjectId, u64)> = index.iter().map(|(id, o, _)| (id, o)).collect();
    entries.sort_by_key(|&(_, offset)| offset);
    entries
}

/// Read `order` through `bundle`, checking each object against `expected` and its id.
fn check_reads(
    bundle: &Bundle,
    order: &[(ObjectId, u64)],
    expected: &HashMap<ObjectId, (Kind, Vec<u8>)>,
) -> Result {
    let mut buf = b"left over from an earlier read".to_vec();
    for &(id, offset) in order {
        let kind = bundle.object_at(offset, &mut buf)?;
        let (want_kind, want) = &expected[&id];
        assert_eq!(kind, *want_kind, "kind of {id} at offset {offset}");
        assert!(
            buf == *want,
            "content of {id} at offset {offset} equals the uncached read"
        );
    }
    Ok(())
}

/// Read every object of `bundle` without a cache, checking each against its id.
fn uncached_reads(bundle: &Bundle) -> Result<HashMap<ObjectId, (Kind, Vec<u8>)>> {
    let mut expected = HashMap::new();
    for (id, offset) in by_offset(bundle.index()) {
        let mut buf = Vec::new();
        let kind = bundle.object_at(offset, &mut buf)?;
        assert_eq!(
            tabgit_object::compute_id(kind, &buf),
            id,
            "an uncached read of offset {offset} hashes to its id"
        );
        expected.insert(id, (kind, buf));
    }
    Ok(expected)
}

/// Pack order, reverse pack order and a scrambled order: chains are met from their base, from
/// their tip, and at random.
fn orders(entries: &[(ObjectId, u64)]) -> Vec<Vec<(ObjectId, u64)>> {
    let forward = entries.to_vec();
    let mut backward = forward.clone();
    backward.reverse();
    let mut scrambled = forward.clone();
    let n = scrambled.len();
    for i in 0..n {
        scrambled.swap(i, (i * 7919 + 13) % n);
    }
    vec![forward, backward, scrambled]
}

#[test]
fn cached_reads_equal_uncached_reads_on_the_demo_pack() -> Result {
    let uncached = demo_bundle(0)?;
    let expected = uncached_reads(&uncached)?;
    assert_eq!(
        uncached.cache().stats().entries,
        0,
        "a zero budget keeps nothing"
    );
    let entries = by_offset(uncached.index());
    for budget in [64 << 20, 4 << 10, 1] {
        for order in orders(&entries) {
            let bundle = demo_bundle(budget)?;
            check_reads(&bundle, &order, &expected)?;
            // Twice: the second time answered from the cache where it can be.
            check_reads(&bundle, &order, &expected)?;
            let stats = bundle.cache().stats();
            assert!(
                stats.bytes <= budget,
                "the cache stays within its budget of {budget} bytes (holds {})",
                stats.bytes
            );
            if budget == 64 << 20 {
                assert!(stats.hits > 0, "a large cache answers repeated reads");
            }
        }
    }
    Ok(())
}

#[test]
fn bundles_sharing_a_cache_do_not_see_each_others_objects() -> Result {
    // Two bundles of the same pack share one cache: the same offsets, kept apart by pack.
    let cache = Arc::new(Cache::new(64 << 20));
    let index = Index::from_bytes(DEMO_IDX.to_vec())?;
    let first = Bundle::with_cache(
        DEMO_PACK.to_vec(),
        index.clone(),
        limits(0),
        Arc::clone(&cache),
    )?;
    let second = Bundle::with_cache(DEMO_PACK.to_vec(), index, limits(0), Arc::clone(&cache))?;
    let expected = uncached_reads(&demo_bundle(0)?)?;
    let entries = by_offset(first.index());
    check_reads(&first, &entries, &expected)?;
    let after_first = cache.stats();
    check_reads(&second, &entries, &expected)?;
    let after_second = cache.stats();
    assert!(
        after_second.entries > after_first.entries,
        "the second bundle's objects are cached under its own key"
    );
    Ok(())
}

/// Pack bytes of which a range is "not loaded yet", as in the browser, until `load` is set.
struct PartlyLoaded {
    data: Vec<u8>,
    missing: std::ops::Range<u64>,
    loaded: Arc<AtomicBool>,
}

impl PackData for PartlyLoaded {
    fn len(&self) -> u64 {
        self.data.len() as u64
    }

    fn read_at(
        &self,
        offset: u64,
        len: usize,
    ) -> std::result::Result<std::borrow::Cow<'_, [u8]>, ReadError> {
        let end = offset.saturating_add(len as u64);
        if !self.loaded.load(Ordering::SeqCst)
            && offset < self.missing.end
            && self.missing.start < end
        {
            return Err(ReadError::NotLoaded {
                pack: "objects/pack/test.pack".to_owned(),
                first: 1,
                last: 2,
            });
        }
        self.data.read_at(offset, len)
    }
}

#[test]
fn a_read_that_is_not_loaded_fails_unchanged_and_caches_nothing() -> Result {
    let expected = uncached_reads(&demo_bundle(0)?)?;
    let index = Index::from_bytes(DEMO_IDX.to_vec())?;
    let entries = by_offset(&index);
    // The deepest delta: its chain crosses the most entries.
    let probe = demo_bundle(0)?;
    let infos = probe.entries()?;
    let deepest = infos
        .iter()
        .filter_map(|info| info.delta.map(|(depth, _)| (depth, info.offset, info.id)))
        .max()
        .ok_or("the demo pack has deltas")?;
    let (depth, tip_offset, tip_id) = deepest;
    assert!(
        depth >= 2,
        "the demo pack has a chain of two deltas or more"
    );
    // Make the chain's base unreadable.
    let mut offset = tip_offset;
    while let Some(base) = infos
        .iter()
        .find(|info| info.offset == offset)
        .and_then(|info| info.delta)
        .and_then(|(_, base_id)| infos.iter().find(|b| b.id == base_id))
    {
        offset = base.offset;
    }
    let base_offset = offset;
    let loaded = Arc::new(AtomicBool::new(false));
    let pack = PartlyLoaded {
        data: DEMO_PACK.to_vec(),
        missing: base_offset..base_offset + 1,
        loaded: Arc::clone(&loaded),
    };
    let cache = Arc::new(Cache::new(64 << 20));
    let bundle = Bundle::with_cache(pack, index, limits(0), Arc::clone(&cache))?;
    let mut buf = Vec::new();
    for _ in 0..2 {
        let err = bundle
            .object_at(tip_offset, &mut buf)
            .expect_err("the chain's base is not loaded");
        assert!(
            matches!(
                err,
                tabgit_pack::bundle::Error::Read(ReadError::NotLoaded {
                    first: 1,
                    last: 2,
                    ..
                })
            ),
            "the read fails with the pack's own NotLoaded, unchanged: {err:?}"
        );
        assert_eq!(
            cache.stats().entries,
            0,
            "a failed read leaves nothing in the cache"
        );
    }
    // The async layer loads the chunks and runs the operation again.
    loaded.store(true, Ordering::SeqCst);
    let kind = bundle.object_at(tip_offset, &mut buf)?;
    assert_eq!(
        (kind, &buf),
        (expected[&tip_id].0, &expected[&tip_id].1),
        "once loaded, the object reads as without the failure"
    );
    check_reads(&bundle, &entries, &expected)
}

#[test]
fn cached_reads_equal_uncached_reads_on_the_medium_fixture() -> Result {
    // 50,000 objects with long delta chains (small edits to many files).
    let git_dir = fixture("medium")?;
    let pack_dir = git_dir.join("objects/pack");
    let mut packs = Vec::new();
    for entry in std::fs::read_dir(&pack_dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "pack") {
            packs.push(path);
        }
    }
    assert!(!packs.is_empty(), "the medium fixture is packed");
    for pack_path in packs {
        let data: Arc<[u8]> = std::fs::read(&pack_path)?.into();
        let index = Index::from_bytes(std::fs::read(pack_path.with_extension("idx"))?)?;
        let uncached = Bundle::new(Arc::clone(&data), index.clone(), limits(0))?;
        let max_depth = uncached
            .entries()?
            .iter()
            .filter_map(|info| info.delta.map(|(depth, _)| depth))
            .max()
            .unwrap_or(0);
        assert!(
            max_depth >= 10,
            "the fixture has long delta chains (deepest {max_depth})"
        );
        let expected = uncached_reads(&uncached)?;
        let entries = by_offset(&index);
        // A budget small enough to evict all the time, and the default.
        for budget in [256 << 10, Limits::default().cache_bytes] {
            let bundle = Bundle::new(Arc::clone(&data), index.clone(), limits(budget))?;
            let mut backward = entries.clone();
            backward.reverse();
            check_reads(&bundle, &backward, &expected)?;
            assert!(bundle.cache().stats().bytes <= budget, "within the budget");
        }
    }
    Ok(())
}
