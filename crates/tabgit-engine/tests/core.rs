//! The git core compiled to wasm, in a dedicated worker (where the engine runs): objects, packs,
//! the index and history walks round-trip git's own bytes (fixtures made by
//! `tests/fixtures/core/make_core_fixtures.sh`).
#![cfg(target_arch = "wasm32")]
use std::collections::HashSet;

use tabgit_object::{CommitRef, Find, Kind, TagRef, TreeRef};
use tabgit_pack::bundle::Limits;
use tabgit_pack::indexer::{Indexer, NoThinBases, Options};
use tabgit_pack::{Bundle, Index};
use tabgit_store::files::MemoryFiles;
use tabgit_store::odb::Odb;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_dedicated_worker);

const PACK: &[u8] = include_bytes!("../../../tests/fixtures/core/demo.pack");
const IDX: &[u8] = include_bytes!("../../../tests/fixtures/core/demo.idx");
const INDEX: &[u8] = include_bytes!("../../../tests/fixtures/core/demo.index");
const REV_LIST: &str = include_str!("../../../tests/fixtures/core/demo.rev-list");

#[wasm_bindgen_test]
fn index_pack_equals_git_in_the_browser() {
    let mut indexer = Indexer::new(Options::default());
    for chunk in PACK.chunks(997) {
        indexer.feed(chunk).expect("git's pack is valid");
    }
    let outcome = indexer
        .finish(&NoThinBases, &mut |_| {})
        .expect("deltas resolve");
    assert!(outcome.index == IDX, "our .idx equals git's byte for byte");
}

#[wasm_bindgen_test]
fn every_object_round_trips_in_the_browser() {
    let bundle = Bundle::new(
        PACK.to_vec(),
        Index::from_bytes(IDX.to_vec()).expect("idx"),
        Limits::default(),
    )
    .expect("bundle");
    bundle.verify().expect("checksums hold");
    let mut buf = Vec::new();
    let mut kinds = HashSet::new();
    for (id, _, _) in bundle.index().iter() {
        let kind = bundle
            .find(&id, &mut buf)
            .expect("readable")
            .expect("present");
        assert_eq!(
            tabgit_object::compute_id(kind, &buf),
            id,
            "content hashes to its id"
        );
        let again = match kind {
            Kind::Tree => TreeRef::from_bytes(&buf)
                .expect("tree")
                .to_owned()
                .to_bytes(),
            Kind::Commit => CommitRef::from_bytes(&buf)
                .expect("commit")
                .to_owned()
                .expect("times")
                .to_bytes(),
            Kind::Tag => TagRef::from_bytes(&buf)
                .expect("tag")
                .to_owned()
                .expect("tagger")
                .to_bytes(),
            Kind::Blob => buf.clone(),
        };
        assert!(again == buf, "{kind} {id} re-serializes byte for byte");
        kinds.insert(kind);
        let (loose_id, compressed) = tabgit_object::loose::encode(kind, &buf);
        let (loose_kind, loose_data) =
            tabgit_object::loose::decode(&compressed, u64::MAX).expect("loose round trip");
        assert_eq!((loose_id, loose_kind), (id, kind));
        assert!(loose_data == buf);
    }
    assert_eq!(kinds.len(), 4, "the demo pack has all four kinds");
}

#[wasm_bindgen_test]
fn index_file_round_trips_in_the_browser() {
    let state = tabgit_index::State::from_bytes(INDEX).expect("git's index parses");
    assert!(state.len() > 3);
    let written = state
        .to_bytes(tabgit_index::write::Options::unchanged(&state))
        .expect("writes");
    assert!(
        written == INDEX,
        "an unchanged index is written back byte for byte"
    );
}

#[wasm_bindgen_test]
fn history_walk_equals_git_in_the_browser() {
    let odb = Odb::open(MemoryFiles::default()).expect("memory odb");
    let checksum = Index::from_bytes(IDX.to_vec())
        .expect("idx")
        .pack_checksum();
    odb.add_pack(PACK.into(), IDX, &checksum)
        .expect("pack stored");
    let expected: Vec<tabgit_hash::ObjectId> =
        REV_LIST.lines().map(|l| l.parse().expect("hex")).collect();
    let mut graph = tabgit_revision::Graph::new(&odb as &dyn Find, HashSet::new());
    // The tips: every commit nobody else lists as a parent.
    let mut parents = HashSet::new();
    for id in &expected {
        parents.extend(graph.commit(id).expect("commit").parents.clone());
    }
    let tips: Vec<_> = expected
        .iter()
        .copied()
        .filter(|id| !parents.contains(id))
        .collect();
    let walked = tabgit_revision::walk::rev_list(
        &mut graph,
        &tips,
        &[],
        &tabgit_revision::walk::Options::default(),
    )
    .expect("walk");
    let mut a = walked.clone();
    let mut b = expected.clone();
    a.sort();
    b.sort();
    assert_eq!(a, b, "the walk reaches exactly git's commits");
}
