//! Staging operations keep the index's invariants and do what git's do.
use tabgit_index::state::Error;
use tabgit_index::write::Options;
use tabgit_index::{ConflictSide, Entry, Flags, Mode, ObjectId, Stage, StatData, State};
use tabgit_testtools::Result;

use crate::{conflicted_repo, our_stage_lines};

fn id(byte: u8) -> ObjectId {
    ObjectId::from_bytes([byte; 20])
}

fn side(byte: u8) -> ConflictSide {
    ConflictSide {
        mode: Mode::File,
        object_id: id(byte),
    }
}

fn state_with(paths: &[&[u8]]) -> Result<State> {
    let mut state = State::default();
    for (n, path) in paths.iter().enumerate() {
        state.insert(Entry::new(path.to_vec(), Mode::File, id(n as u8 + 1)))?;
    }
    Ok(state)
}

fn paths(state: &State) -> Vec<(Vec<u8>, u8)> {
    state
        .iter()
        .map(|entry| (entry.path.clone(), entry.stage.number()))
        .collect()
}

#[test]
fn insert_keeps_order_and_replaces() -> Result {
    let mut state = state_with(&[b"b", b"a/z", b"a-b", b"a/a", b"c"])?;
    assert_eq!(
        state
            .iter()
            .map(|entry| entry.path.as_slice())
            .collect::<Vec<_>>(),
        [&b"a-b"[..], b"a/a", b"a/z", b"b", b"c"],
        "entries are in memcmp order"
    );
    state.insert(Entry::new(b"b".to_vec(), Mode::FileExecutable, id(9)))?;
    assert_eq!(state.len(), 5, "same path and stage replaces");
    let entry = state.entry(b"b", Stage::Merged).ok_or("b")?;
    assert_eq!((entry.mode, entry.object_id), (Mode::FileExecutable, id(9)));
    assert_eq!(state.entry_index(b"b", Stage::Merged), Some(3));
    assert_eq!(state.entry(b"b", Stage::Ours), None);
    assert_eq!(state.entry(b"nope", Stage::Merged), None);
    let reread = State::from_bytes(&state.to_bytes(Options::default())?)?;
    assert_eq!(
        reread.entries(),
        state.entries(),
        "the result is a valid index"
    );
    Ok(())
}

#[test]
fn insert_refuses_invalid_paths() {
    let mut state = State::default();
    for bad in [
        &b""[..],
        b"/a",
        b"a/",
        b"a//b",
        b"./a",
        b"a/../b",
        b".git/hooks/x",
        b".GIT/x",
    ] {
        assert!(
            matches!(
                state.insert(Entry::new(bad.to_vec(), Mode::File, id(1))),
                Err(Error::InvalidPath { .. })
            ),
            "{:?} is refused",
            String::from_utf8_lossy(bad)
        );
    }
    assert!(state.is_empty());
}

#[test]
fn directory_file_conflicts() -> Result {
    let mut state = state_with(&[b"a", b"dir/x", b"dir/y/z", b"dir-z"])?;
    let err = state
        .insert(Entry::new(b"a/b".to_vec(), Mode::File, id(7)))
        .expect_err("a is a file");
    assert_eq!(
        err,
        Error::DirectoryFileConflict {
            path: "a/b".into(),
            existing: "a".into()
        }
    );
    assert!(err.to_string().contains("insert with replacement"));
    assert!(matches!(
        state.insert(Entry::new(b"dir".to_vec(), Mode::File, id(7))),
        Err(Error::DirectoryFileConflict { .. })
    ));

    state.insert_replacing(Entry::new(b"dir".to_vec(), Mode::File, id(7)))?;
    assert_eq!(
        paths(&state),
        [
            (b"a".to_vec(), 0),
            (b"dir".to_vec(), 0),
            (b"dir-z".to_vec(), 0)
        ],
        "the file replaces everything inside the directory, and only that"
    );
    state.insert_replacing(Entry::new(b"a/b/c".to_vec(), Mode::File, id(8)))?;
    assert_eq!(
        paths(&state),
        [
            (b"a/b/c".to_vec(), 0),
            (b"dir".to_vec(), 0),
            (b"dir-z".to_vec(), 0)
        ]
    );

    // Different stages may disagree, as a directory/file merge conflict leaves them.
    state.add_conflict(b"dir/in-theirs", None, None, Some(side(3)))?;
    assert!(state.entry(b"dir/in-theirs", Stage::Theirs).is_some());
    Ok(())
}

#[test]
fn lookups_by_path_and_directory() -> Result {
    let mut state = state_with(&[
        b"src/a.rs",
        b"src/b/c.rs",
        b"src.rs",
        b"src-x",
        b"srcs/d",
        b"top",
    ])?;
    state.add_conflict(b"src/m.rs", Some(side(1)), Some(side(2)), Some(side(3)))?;
    let selected = |dir: &[u8]| {
        state
            .directory_entries(dir)
            .iter()
            .map(|entry| String::from_utf8_lossy(&entry.path).into_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        selected(b"src"),
        ["src/a.rs", "src/b/c.rs", "src/m.rs", "src/m.rs", "src/m.rs"]
    );
    assert_eq!(
        selected(b"src/"),
        selected(b"src"),
        "a trailing slash is optional"
    );
    assert_eq!(selected(b"src/b"), ["src/b/c.rs"]);
    assert_eq!(selected(b"nope"), Vec::<String>::new());
    assert_eq!(selected(b"").len(), state.len());
    assert_eq!(state.path_entries(b"src/m.rs").len(), 3);
    assert_eq!(state.path_entries(b"src").len(), 0);
    assert_eq!(state.path_entries(b"top").len(), 1);
    assert_eq!((&state).into_iter().count(), state.len());
    Ok(())
}

#[test]
fn conflicts_replace_and_are_replaced_by_merged_entries() -> Result {
    let mut state = state_with(&[b"a", b"b", b"c"])?;
    state.add_conflict(b"b", Some(side(1)), None, Some(side(3)))?;
    assert_eq!(
        paths(&state),
        [
            (b"a".to_vec(), 0),
            (b"b".to_vec(), 1),
            (b"b".to_vec(), 3),
            (b"c".to_vec(), 0)
        ],
        "the conflict replaces the merged entry"
    );
    assert!(state.has_conflicts());
    let conflicts: Vec<_> = state.conflicts().collect();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0].path, b"b");
    assert_eq!(conflicts[0].base.map(|entry| entry.object_id), Some(id(1)));
    assert_eq!(conflicts[0].ours, None);
    assert_eq!(
        conflicts[0].theirs.map(|entry| entry.object_id),
        Some(id(3))
    );
    assert!(
        conflicts[0]
            .base
            .is_some_and(|entry| entry.stat == StatData::default()),
        "conflict stages have zeroed stat data"
    );
    assert_eq!(
        state.add_conflict(b"x", None, None, None),
        Err(Error::EmptyConflict { path: "x".into() })
    );
    assert!(
        state.resolve_undo().is_none(),
        "adding a conflict records nothing"
    );

    // A conflict stage for a merged path replaces the merged entry.
    state.insert(Entry {
        stage: Stage::Ours,
        ..Entry::new(b"c".to_vec(), Mode::File, id(5))
    })?;
    assert_eq!(state.path_entries(b"c").len(), 1);
    assert!(state.entry(b"c", Stage::Merged).is_none());

    // A merged entry replaces conflict stages and records them.
    state.insert(Entry::new(b"c".to_vec(), Mode::File, id(6)))?;
    assert_eq!(state.path_entries(b"c").len(), 1);
    let record = state
        .resolve_undo()
        .and_then(|resolve_undo| resolve_undo.get(b"c"))
        .ok_or("resolve-undo record")?;
    assert_eq!(record.stages, [None, Some(side(5)), None]);

    let reread = State::from_bytes(&state.to_bytes(Options::default())?)?;
    assert_eq!(reread.entries(), state.entries());
    assert_eq!(reread.resolve_undo(), state.resolve_undo());
    Ok(())
}

#[test]
fn remove_all_stages_and_directories() -> Result {
    let mut state = state_with(&[b"a", b"d/x", b"d/y", b"d-z"])?;
    state.add_conflict(b"m", Some(side(1)), Some(side(2)), None)?;
    assert_eq!(state.remove(b"m"), 2, "both stages go");
    assert_eq!(
        state
            .resolve_undo()
            .and_then(|resolve_undo| resolve_undo.get(b"m"))
            .map(|record| record.stages),
        Some([Some(side(1)), Some(side(2)), None]),
        "removed stages are recorded, as git rm does"
    );
    assert_eq!(state.remove(b"m"), 0);
    assert_eq!(state.remove_directory(b"d"), 2);
    assert_eq!(paths(&state), [(b"a".to_vec(), 0), (b"d-z".to_vec(), 0)]);
    state.clear_resolve_undo();
    assert!(state.resolve_undo().is_none());
    Ok(())
}

#[test]
fn resolve_matches_git_add() -> Result {
    let repo = conflicted_repo()?;
    let mut state = repo.state()?;
    repo.write_file(b"both.txt", b"resolved\n")?;
    repo.git(&["add", "both.txt"])?;
    let mut git_state = repo.state()?;
    let resolved = git_state
        .entry(b"both.txt", Stage::Merged)
        .ok_or("git staged the resolution")?
        .clone();

    assert_eq!(
        state.resolve(
            b"clean.txt",
            Entry::new(b"clean.txt".to_vec(), Mode::File, id(1))
        ),
        Err(Error::NotConflicted {
            path: "clean.txt".into()
        })
    );
    assert_eq!(
        state.resolve(
            b"both.txt",
            Entry::new(b"other".to_vec(), Mode::File, id(1))
        ),
        Err(Error::ResolutionMismatch {
            path: "both.txt".into()
        })
    );
    state.resolve(b"both.txt", resolved)?;
    assert_eq!(our_stage_lines(&state), our_stage_lines(&git_state));
    assert_eq!(state.entries(), git_state.entries());
    assert_eq!(
        state.resolve_undo(),
        git_state.resolve_undo(),
        "the resolve-undo record is git's"
    );
    // Git keeps an invalidated cache tree where we drop it; the rest is byte for byte the same.
    assert!(git_state
        .cache_tree()
        .is_some_and(|tree| tree.root().valid().is_none()));
    git_state.set_cache_tree(None);
    assert_eq!(
        state.to_bytes(Options::default())?,
        git_state.to_bytes(Options::default())?
    );
    Ok(())
}

#[test]
fn add_conflict_matches_a_merge() -> Result {
    let repo = conflicted_repo()?;
    let git_state = repo.state()?;
    let mut state = git_state.clone();
    for conflict in git_state.conflicts() {
        state.remove(conflict.path);
        state.clear_resolve_undo();
        let side = |entry: Option<&Entry>| entry.map(Entry::side);
        state.add_conflict(
            conflict.path,
            side(conflict.base),
            side(conflict.ours),
            side(conflict.theirs),
        )?;
    }
    assert_eq!(
        state.entries(),
        git_state.entries(),
        "the stages git's merge left"
    );
    Ok(())
}

#[test]
fn stat_and_flag_updates() -> Result {
    let mut state = state_with(&[b"a", b"b"])?;
    let outcome = tabgit_index::write_tree(&state, &mut tabgit_index::write_tree::DryRun)?;
    state.set_cache_tree(Some(outcome.cache_tree));
    let stat = StatData {
        size: 42,
        ..StatData::default()
    };
    state.set_stat(1, stat)?;
    assert_eq!(state.entries()[1].stat, stat);
    assert!(
        state.cache_tree().is_some(),
        "stat data is not part of trees"
    );
    state.set_flags(
        0,
        Flags {
            skip_worktree: true,
            ..Flags::default()
        },
    )?;
    assert!(
        state.cache_tree().is_some(),
        "skip-worktree is not part of trees"
    );
    state.set_flags(
        0,
        Flags {
            intent_to_add: true,
            ..Flags::default()
        },
    )?;
    assert!(state.cache_tree().is_none(), "intent-to-add is");
    assert_eq!(
        state.set_stat(2, stat),
        Err(Error::NoSuchEntry {
            entry_idx: 2,
            n_entries: 2
        })
    );
    assert_eq!(
        state.to_bytes(Options::default())?[..8],
        *b"DIRC\0\0\0\x03",
        "extended flags are written as version 3"
    );
    Ok(())
}
