//! `TREE` and `REUC` parse into what git recorded; other optional extensions are kept as bytes.
use tabgit_index::extension::cache_tree::Node;
use tabgit_index::extension::{self, CacheTree, ResolveUndo};
use tabgit_index::{ConflictSide, Mode, ObjectId, Stage, State};
use tabgit_testtools::Result;

use crate::{assert_matches_git, committed_repo, conflicted_repo, extension_data};

fn rev_parse(repo: &crate::Repo, rev: &str) -> Result<ObjectId> {
    Ok(repo.git_text(&["rev-parse", rev])?.parse()?)
}

#[test]
fn cache_tree_after_commit() -> Result {
    let repo = committed_repo()?;
    let state = assert_matches_git(&repo)?;
    let cache_tree = state
        .cache_tree()
        .ok_or("git commit records a cache tree")?;
    let root = cache_tree.root();
    assert_eq!(root.name(), b"");
    assert_eq!(root.tree_id(), Some(rev_parse(&repo, "HEAD^{tree}")?));
    assert_eq!(
        root.valid().map(|valid| valid.n_entries as usize),
        Some(state.len()),
        "the root covers every entry"
    );
    for dir in ["dir", "dir/sub", "foo"] {
        let node = cache_tree.find(dir.as_bytes()).ok_or("directory node")?;
        assert_eq!(
            node.tree_id(),
            Some(rev_parse(&repo, &format!("HEAD:{dir}"))?),
            "cache tree id of {dir} is the committed tree"
        );
        assert_eq!(
            node.valid().map(|valid| valid.n_entries as usize),
            Some(state.directory_entries(dir.as_bytes()).len())
        );
    }
    assert!(cache_tree.find(b"dir/nope").is_none());
    assert!(cache_tree.find(b"a.txt").is_none(), "files have no node");

    let bytes = repo.index_bytes()?;
    let data = extension_data(&bytes, &state, b"TREE").ok_or("TREE extension")?;
    let mut written = Vec::new();
    cache_tree.write_to(&mut written);
    assert_eq!(written, data, "the cache tree re-serializes byte for byte");
    Ok(())
}

#[test]
fn invalidated_cache_tree_after_git_add() -> Result {
    let repo = committed_repo()?;
    repo.write_file(b"dir/sub/deep.txt", b"changed\n")?;
    repo.git(&["add", "dir/sub/deep.txt"])?;
    let state = assert_matches_git(&repo)?;
    let cache_tree = state.cache_tree().ok_or("cache tree")?;
    assert_eq!(cache_tree.root().valid(), None, "git invalidates the root");
    assert_eq!(cache_tree.find(b"dir").and_then(Node::valid), None);
    assert_eq!(cache_tree.find(b"dir/sub").and_then(Node::valid), None);
    assert_eq!(
        cache_tree.find(b"foo").and_then(Node::tree_id),
        Some(rev_parse(&repo, "HEAD:foo")?),
        "untouched directories stay valid"
    );
    let bytes = repo.index_bytes()?;
    let mut written = Vec::new();
    cache_tree.write_to(&mut written);
    assert_eq!(
        Some(written.as_slice()),
        extension_data(&bytes, &state, b"TREE"),
        "invalid nodes re-serialize byte for byte"
    );
    Ok(())
}

#[test]
fn resolve_undo_after_git_add_of_a_conflict() -> Result {
    let repo = conflicted_repo()?;
    let before = repo.state()?;
    repo.write_file(b"both.txt", b"resolved\n")?;
    repo.git(&["add", "both.txt"])?;
    repo.git(&["rm", "-q", "gone.txt"])?;
    let state = assert_matches_git(&repo)?;
    let resolve_undo = state.resolve_undo().ok_or("git records resolve-undo")?;
    let paths: Vec<&[u8]> = resolve_undo
        .records()
        .iter()
        .map(|record| record.path.as_slice())
        .collect();
    assert_eq!(paths, [&b"both.txt"[..], b"gone.txt"]);
    for record in resolve_undo.records() {
        for stage in Stage::CONFLICT_STAGES {
            assert_eq!(
                record.stage(stage),
                before
                    .entry(&record.path, stage)
                    .map(tabgit_index::Entry::side),
                "the record keeps the stage git removed"
            );
        }
    }
    let bytes = repo.index_bytes()?;
    let mut written = Vec::new();
    resolve_undo.write_to(&mut written);
    assert_eq!(
        Some(written.as_slice()),
        extension_data(&bytes, &state, b"REUC"),
        "resolve-undo re-serializes byte for byte"
    );
    Ok(())
}

#[test]
fn untracked_cache_fsmonitor_and_end_of_index_are_kept_raw() -> Result {
    let repo = committed_repo()?;
    repo.write_file(b"untracked.txt", b"?\n")?;
    repo.git(&["update-index", "--untracked-cache"])?;
    let hook = repo.dir.join(".git/fsmonitor-hook");
    std::fs::write(&hook, "#!/bin/sh\nprintf 'token\\0/\\0'\n")?;
    crate::set_executable(&hook)?;
    let hook = hook.to_str().ok_or("utf-8 temp path")?;
    repo.git(&[
        "-c",
        &format!("core.fsmonitor={hook}"),
        "-c",
        "index.recordEndOfIndexEntries=true",
        "status",
        "--porcelain",
    ])?;
    let state = assert_matches_git(&repo)?;
    let signatures: Vec<_> = state
        .raw_extensions()
        .iter()
        .map(|raw| raw.signature)
        .collect();
    for signature in [
        extension::UNTRACKED,
        extension::FS_MONITOR,
        extension::END_OF_INDEX_ENTRIES,
    ] {
        assert!(
            signatures.contains(&signature),
            "{:?} is kept as raw bytes: {signatures:?}",
            String::from_utf8_lossy(&signature)
        );
    }
    assert!(state.cache_tree().is_some(), "TREE is parsed, not raw");
    let bytes = repo.index_bytes()?;
    for raw in state.raw_extensions() {
        assert_eq!(
            Some(raw.data.as_slice()),
            extension_data(&bytes, &state, &raw.signature),
            "raw data is the extension's data"
        );
        assert!(extension::is_optional(raw.signature));
    }
    Ok(())
}

#[test]
fn resolve_undo_records_merge_per_stage() {
    let side = |byte: u8| ConflictSide {
        mode: Mode::File,
        object_id: ObjectId::from_bytes([byte; 20]),
    };
    let mut resolve_undo = ResolveUndo::default();
    resolve_undo.record(b"b", Stage::Ours, side(2));
    resolve_undo.record(b"a", Stage::Theirs, side(3));
    resolve_undo.record(b"b", Stage::Base, side(1));
    resolve_undo.record(b"b", Stage::Merged, side(9));
    let records = resolve_undo.records();
    assert_eq!(records.len(), 2, "one record per path, sorted");
    assert_eq!(records[0].path, b"a");
    assert_eq!(records[1].stages, [Some(side(1)), Some(side(2)), None]);
    let mut bytes = Vec::new();
    resolve_undo.write_to(&mut bytes);
    assert_eq!(ResolveUndo::from_bytes(&bytes), Ok(resolve_undo.clone()));
    assert!(resolve_undo.remove(b"a").is_some());
    assert!(resolve_undo.get(b"a").is_none());
}

#[test]
fn cache_tree_nodes_are_depth_first() -> Result {
    let id = |byte: u8| [byte; 20];
    let mut data = Vec::new();
    data.extend_from_slice(b"\x003 2\n");
    data.extend_from_slice(&id(1));
    data.extend_from_slice(b"b\x00-1 1\n");
    data.extend_from_slice(b"c\x001 0\n");
    data.extend_from_slice(&id(3));
    data.extend_from_slice(b"a\x001 0\n");
    data.extend_from_slice(&id(2));
    let cache_tree = CacheTree::from_bytes(&data)?;
    assert_eq!(cache_tree.nodes().len(), 4);
    assert_eq!(cache_tree.root().n_subtrees(), 2);
    assert_eq!(
        cache_tree.find(b"b/c").and_then(Node::tree_id),
        Some(ObjectId::from_bytes(id(3)))
    );
    assert_eq!(
        cache_tree.find(b"a").and_then(Node::tree_id),
        Some(ObjectId::from_bytes(id(2))),
        "finding a sibling skips the whole subtree before it"
    );
    assert!(cache_tree
        .find(b"b")
        .is_some_and(|node| node.valid().is_none()));
    let mut written = Vec::new();
    cache_tree.write_to(&mut written);
    assert_eq!(written, data);
    Ok(())
}

#[test]
fn state_accessors_without_extensions() {
    let state = State::default();
    assert!(state.cache_tree().is_none());
    assert!(state.resolve_undo().is_none());
    assert!(state.checksum().is_none());
}
