//! `write_tree` produces git's tree ids, tree bytes and cache tree.
use std::collections::HashMap;

use tabgit_index::write_tree::DryRun;
use tabgit_index::{write_tree, Entry, Mode, ObjectId, State};
use tabgit_object::{compute_id, Kind, Write};
use tabgit_testtools::{git_with_input, Result};

use crate::{committed_repo, conflicted_repo, populated_repo, raw_entry, raw_index, Repo};

/// An object store in memory.
#[derive(Default)]
struct MemoryStore {
    objects: HashMap<ObjectId, (Kind, Vec<u8>)>,
}

impl Write for MemoryStore {
    fn write(
        &mut self,
        kind: Kind,
        data: &[u8],
    ) -> std::result::Result<ObjectId, tabgit_object::find::Error> {
        let id = compute_id(kind, data);
        self.objects.insert(id, (kind, data.to_vec()));
        Ok(id)
    }
}

/// Compare our trees for the repository's index with git's: ids, tree bytes, and the cache tree
/// git records in the index; return our outcome.
fn check_against_git(repo: &Repo) -> Result<write_tree::Outcome> {
    let mut state = repo.state()?;
    let mut store = MemoryStore::default();
    let outcome = write_tree(&state, &mut store)?;
    let git_tree_id: ObjectId = repo.git_text(&["write-tree"])?.parse()?;
    assert_eq!(
        outcome.tree_id, git_tree_id,
        "our root tree is git write-tree's"
    );
    for (tree_id, (kind, data)) in &store.objects {
        assert_eq!(*kind, Kind::Tree);
        assert_eq!(
            &repo.git(&["cat-file", "tree", &tree_id.to_hex()])?,
            data,
            "tree {tree_id} has git's bytes"
        );
    }
    let git_state = repo.state()?;
    assert_eq!(
        git_state.cache_tree(),
        Some(&outcome.cache_tree),
        "our cache tree is the one git write-tree records"
    );
    state.set_cache_tree(Some(outcome.cache_tree.clone()));
    assert_eq!(
        state.to_bytes(tabgit_index::write::Options::default())?,
        repo.index_bytes()?,
        "with our cache tree, the index is the one git write-tree leaves"
    );
    Ok(outcome)
}

#[test]
fn tree_ids_bytes_and_cache_tree_match_git() -> Result {
    let repo = populated_repo()?;
    let outcome = check_against_git(&repo)?;
    let dry_run = write_tree(&repo.state()?, &mut DryRun)?;
    assert_eq!(dry_run, outcome, "a dry run computes the same ids");
    Ok(())
}

#[test]
fn intent_to_add_entries_are_left_out_and_invalidate() -> Result {
    let repo = committed_repo()?;
    repo.write_file(b"new/only-intent.txt", b"later\n")?;
    repo.write_file(b"dir/sub/intent.txt", b"later\n")?;
    repo.git(&["add", "-N", "new/only-intent.txt", "dir/sub/intent.txt"])?;
    repo.write_file(b"foo/bar", b"changed\n")?;
    repo.git(&["add", "foo/bar"])?;
    let outcome = check_against_git(&repo)?;
    let cache_tree = &outcome.cache_tree;
    assert_eq!(cache_tree.root().valid(), None);
    assert!(cache_tree
        .find(b"new")
        .is_some_and(|node| node.valid().is_none()));
    assert!(cache_tree
        .find(b"foo")
        .is_some_and(|node| node.valid().is_some()));
    assert!(
        repo.git_text(&["ls-tree", "--name-only", &outcome.tree_id.to_hex()])?
            .lines()
            .all(|name| name != "new"),
        "a directory of intent-to-add entries only is left out"
    );
    Ok(())
}

#[test]
fn conflicts_are_refused_with_their_paths() -> Result {
    let repo = conflicted_repo()?;
    let err = write_tree(&repo.state()?, &mut DryRun).expect_err("conflicts refuse write-tree");
    let message = err.to_string();
    let write_tree::Error::Conflicts { paths } = err else {
        return Err(format!("expected a conflict error, got {message}").into());
    };
    assert_eq!(
        paths,
        [&b"added.txt"[..], b"both.txt", b"gone.txt"],
        "each conflicted path is listed once"
    );
    assert!(
        message.contains("3 path(s) are unmerged: added.txt, both.txt, gone.txt"),
        "{message}"
    );
    assert!(
        repo.git(&["write-tree"]).is_err(),
        "git refuses to write a tree as well"
    );
    Ok(())
}

#[test]
fn empty_index_is_the_empty_tree() -> Result {
    let outcome = write_tree(&State::default(), &mut DryRun)?;
    assert_eq!(
        outcome.tree_id.to_hex(),
        "4b825dc642cb6eb9a060e54bf8d69288fbee4904",
        "the empty tree"
    );
    let mut data = Vec::new();
    outcome.cache_tree.write_to(&mut data);
    let mut expected = b"\x000 0\n".to_vec();
    expected.extend_from_slice(outcome.tree_id.as_bytes());
    assert_eq!(data, expected);
    Ok(())
}

#[test]
fn deep_paths_match_git() -> Result {
    let repo = Repo::init()?;
    let blob_id: ObjectId = String::from_utf8(git_with_input(
        &repo.dir,
        &["hash-object", "-w", "--stdin"],
        b"deep\n",
    )?)?
    .trim()
    .parse()?;
    let mut state = State::default();
    let deep = "a/".repeat(1500) + "file";
    state.insert(Entry::new(deep.into_bytes(), Mode::File, blob_id))?;
    state.insert(Entry::new(b"a/a/sibling".to_vec(), Mode::File, blob_id))?;
    state.insert(Entry::new(b"top".to_vec(), Mode::FileExecutable, blob_id))?;
    repo.replace_index(&state.to_bytes(tabgit_index::write::Options::default())?)?;
    let outcome = check_against_git(&repo)?;
    assert_eq!(
        outcome.cache_tree.nodes().len(),
        1501,
        "one node per directory"
    );
    Ok(())
}

/// A store that always fails.
struct Failing;

impl Write for Failing {
    fn write(
        &mut self,
        _: Kind,
        _: &[u8],
    ) -> std::result::Result<ObjectId, tabgit_object::find::Error> {
        Err("disk full".into())
    }
}

#[test]
fn null_ids_paths_and_store_failures_are_errors() -> Result {
    let mut state = State::default();
    state.insert(Entry::new(b"dir/null".to_vec(), Mode::File, ObjectId::NULL))?;
    assert!(matches!(
        write_tree(&state, &mut DryRun),
        Err(write_tree::Error::NullObjectId { path }) if path == "dir/null"
    ));

    let mut state = State::default();
    state.insert(Entry::new(
        b"dir/file".to_vec(),
        Mode::File,
        ObjectId::from_bytes([1; 20]),
    ))?;
    let err = write_tree(&state, &mut Failing).expect_err("the store fails");
    assert!(
        matches!(&err, write_tree::Error::Write { path, .. } if path == "dir"),
        "{err}"
    );
    assert_eq!(
        std::error::Error::source(&err).map(ToString::to_string),
        Some("disk full".to_owned()),
        "the store's error is the source"
    );
    Ok(())
}

#[test]
fn directory_file_conflicts_and_empty_components_from_a_decoded_index_are_refused() -> Result {
    // The decoder accepts what git accepts; such indexes can only come from other writers.
    let file_and_dir = raw_index(
        2,
        3,
        &[
            raw_entry(b"a", 0o100_644, 0, None),
            raw_entry(b"a-b", 0o100_644, 0, None),
            raw_entry(b"a/b", 0o100_644, 0, None),
        ],
        &[],
    );
    let state = State::from_bytes(&file_and_dir)?;
    assert!(matches!(
        write_tree(&state, &mut DryRun),
        Err(write_tree::Error::DirectoryFileConflict { path }) if path == "a"
    ));
    for bad in [&b"/a"[..], b"a/", b"a//b"] {
        let index = raw_index(2, 1, &[raw_entry(bad, 0o100_644, 0, None)], &[]);
        let state = State::from_bytes(&index)?;
        assert!(
            matches!(
                write_tree(&state, &mut DryRun),
                Err(write_tree::Error::InvalidPath { .. })
            ),
            "{:?} is refused",
            String::from_utf8_lossy(bad)
        );
    }
    Ok(())
}
