//! Tree diffs against `git diff-tree -r --raw`.
use std::ops::ControlFlow;
use std::path::Path;

use tabgit_diff::path::Prefixes;
use tabgit_diff::{raw, rename, tree, Change, Status};
use tabgit_testtools::{fixture, Result};

use crate::{
    first_parent_pairs, git_diff_tree, our_changes, random_history, scenario_repo, text, tree_id,
    HistoryOptions,
};

/// Our `--raw` output for `old`..`new` in the repository at `dir`.
fn our_raw(
    dir: &Path,
    odb: &dyn tabgit_object::Find,
    old: Option<&str>,
    new: &str,
    renames: Option<&rename::Options>,
) -> Result<Vec<u8>> {
    let old_tree = old.map(|rev| tree_id(dir, rev)).transpose()?;
    let new_tree = tree_id(dir, new)?;
    let changes = our_changes(odb, old_tree.as_ref(), Some(&new_tree), renames)?;
    let mut out = Vec::new();
    for change in &changes {
        raw::write(&mut out, change, None);
    }
    Ok(out)
}

/// Compare our raw output with git's for every first-parent pair of `rev`'s history, with no
/// rename detection, `-M` and `-C`.
fn compare_history(dir: &Path, rev: &str, step: usize) -> Result<usize> {
    let odb = tabgit_store::odb::Odb::open(tabgit_store::files::FsFiles::new(
        if dir.join(".git").is_dir() {
            dir.join(".git")
        } else {
            dir.to_path_buf()
        },
    ))?;
    let copies = rename::Options {
        copies: true,
        ..rename::Options::default()
    };
    let mut compared = 0;
    for (parent, commit) in first_parent_pairs(dir, rev)?.into_iter().step_by(step) {
        let parent = parent.as_deref();
        for (args, renames) in [
            (&[][..], None),
            (&["-M"][..], Some(rename::Options::default())),
            (&["-C"][..], Some(copies)),
        ] {
            let expected = git_diff_tree(dir, parent, &commit, args)?;
            let actual = our_raw(dir, &odb, parent, &commit, renames.as_ref())?;
            assert_eq!(
                text(&actual),
                text(&expected),
                "diff-tree -r {args:?} {parent:?} {commit} in {}",
                dir.display()
            );
        }
        compared += 1;
    }
    Ok(compared)
}

#[test]
fn every_kind_of_change_matches_git_diff_tree() -> Result {
    let (repo, _) = scenario_repo()?;
    let compared = compare_history(&repo.dir, "HEAD", 1)?;
    assert_eq!(compared, 6, "all scenario commits were compared");
    Ok(())
}

#[test]
fn random_histories_match_git_diff_tree() -> Result {
    for seed in 1..=6 {
        let (repo, _) = random_history(seed, 25, HistoryOptions::default())?;
        compare_history(&repo.dir, "HEAD", 1)?;
    }
    Ok(())
}

#[test]
fn demo_fixture_matches_git_diff_tree() -> Result {
    let dir = fixture("demo")?;
    for rev in ["main", "topic", "conflict-a", "conflict-b"] {
        compare_history(&dir, rev, 1)?;
    }
    Ok(())
}

#[test]
fn odd_fixture_matches_git_diff_tree() -> Result {
    let dir = fixture("odd")?;
    let branches =
        tabgit_testtools::git_text(&dir, &["for-each-ref", "--format=%(refname)", "refs/heads"])?;
    for branch in branches.lines() {
        compare_history(&dir, branch, 1)?;
    }
    Ok(())
}

#[test]
fn medium_fixture_matches_git_diff_tree() -> Result {
    let dir = fixture("medium")?;
    let compared = compare_history(&dir, "HEAD", 61)?;
    assert!(compared > 20, "a sample of medium's history was compared");
    Ok(())
}

#[test]
fn root_commit_lists_every_file_as_added() -> Result {
    let (repo, commits) = scenario_repo()?;
    let odb = repo.odb()?;
    let expected = git_diff_tree(&repo.dir, None, &commits[0], &[])?;
    let actual = our_raw(&repo.dir, &odb, None, &commits[0], None)?;
    assert_eq!(
        text(&actual),
        text(&expected),
        "root commit against the empty tree"
    );
    let new_tree = tree_id(&repo.dir, &commits[0])?;
    let deleted = tree::diff(&odb, Some(&new_tree), None, &tree::Options::default())?;
    assert!(
        deleted.iter().all(|c| c.status() == Status::Deleted),
        "a tree against nothing is all deletions"
    );
    assert!(
        tree::diff(
            &odb,
            Some(&new_tree),
            Some(&new_tree),
            &tree::Options::default()
        )?
        .is_empty(),
        "a tree against itself has no changes"
    );
    Ok(())
}

#[test]
fn path_prefixes_limit_like_a_pathspec() -> Result {
    let (repo, commits) = scenario_repo()?;
    let odb = repo.odb()?;
    let specs: &[&[&str]] = &[
        &["src"],
        &["src/"],
        &["file-then-dir"],
        &["a/b/c"],
        &["foo", "exec.sh"],
        &["fo"],
        &["nothing/here"],
    ];
    for window in commits.windows(2) {
        let old_tree = tree_id(&repo.dir, &window[0])?;
        let new_tree = tree_id(&repo.dir, &window[1])?;
        for spec in specs {
            let mut args = vec!["--"];
            args.extend_from_slice(spec);
            let expected = git_diff_tree(&repo.dir, Some(&window[0]), &window[1], &args)?;
            let options = tree::Options {
                paths: Prefixes::new(spec.iter().map(|s| s.as_bytes())),
            };
            let changes = tree::diff(&odb, Some(&old_tree), Some(&new_tree), &options)?;
            let mut actual = Vec::new();
            for change in &changes {
                raw::write(&mut actual, change, None);
            }
            assert_eq!(text(&actual), text(&expected), "pathspec {spec:?}");
        }
    }
    Ok(())
}

#[test]
fn visit_can_stop_at_the_first_change() -> Result {
    let (repo, commits) = scenario_repo()?;
    let odb = repo.odb()?;
    let old_tree = tree_id(&repo.dir, &commits[1])?;
    let new_tree = tree_id(&repo.dir, &commits[2])?;
    let mut seen = Vec::new();
    let flow = tree::visit(
        &odb,
        Some(&old_tree),
        Some(&new_tree),
        &tree::Options::default(),
        &mut |change: Change| {
            seen.push(change);
            ControlFlow::Break(())
        },
    )?;
    assert!(flow.is_break(), "the delegate stopped the walk");
    assert_eq!(seen.len(), 1, "no change after the delegate stopped");
    Ok(())
}

#[test]
fn type_changes_and_file_directory_swaps_are_reported_as_git_does() -> Result {
    let (repo, commits) = scenario_repo()?;
    let odb = repo.odb()?;
    let old_tree = tree_id(&repo.dir, &commits[1])?;
    let new_tree = tree_id(&repo.dir, &commits[2])?;
    let changes = tree::diff(
        &odb,
        Some(&old_tree),
        Some(&new_tree),
        &tree::Options::default(),
    )?;
    let status_of = |path: &[u8]| {
        changes
            .iter()
            .filter(|c| c.new_path() == path)
            .map(Change::status)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        status_of(b"crlf.txt"),
        [Status::TypeChanged],
        "file -> symlink"
    );
    assert_eq!(status_of(b"link"), [Status::TypeChanged], "symlink -> file");
    assert_eq!(status_of(b"exec.sh"), [Status::Modified], "mode change");
    assert_eq!(
        status_of(b"file-then-dir"),
        [Status::Deleted],
        "file -> dir"
    );
    assert_eq!(
        status_of(b"file-then-dir/inside.txt"),
        [Status::Added],
        "file -> dir"
    );
    assert_eq!(status_of(b"dir-then-file"), [Status::Added], "dir -> file");
    assert_eq!(
        status_of(b"dir-then-file/x"),
        [Status::Deleted],
        "dir -> file"
    );
    Ok(())
}
