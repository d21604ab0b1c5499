//! Statistics against `git diff-tree --numstat`, `--stat` and `--shortstat`.
use std::path::Path;

use tabgit_diff::lines::Algorithm;
use tabgit_diff::{rename, stat};
use tabgit_testtools::{fixture, Result};

use crate::{
    first_parent_pairs, git_diff_tree, our_changes, random_history, scenario_repo, text, tree_id,
    HistoryOptions,
};

/// Compare numstat, stat (at two widths) and shortstat with git's for every commit of `rev`.
fn compare_history(dir: &Path, rev: &str, step: usize, algorithm: Algorithm) -> Result<usize> {
    let git_dir = if dir.join(".git").is_dir() {
        dir.join(".git")
    } else {
        dir.to_path_buf()
    };
    let odb = tabgit_store::odb::Odb::open(tabgit_store::files::FsFiles::new(git_dir))?;
    let algorithm_arg = match algorithm {
        Algorithm::Histogram => "--diff-algorithm=histogram",
        _ => "--diff-algorithm=myers",
    };
    let mut options = stat::Options::default();
    options.blob.algorithm = algorithm;
    let mut compared = 0;
    for (parent, commit) in first_parent_pairs(dir, rev)?.into_iter().step_by(step) {
        for renames in [None, Some(rename::Options::default())] {
            let old_tree = parent.as_deref().map(|p| tree_id(dir, p)).transpose()?;
            let new_tree = tree_id(dir, &commit)?;
            let changes = our_changes(&odb, old_tree.as_ref(), Some(&new_tree), renames.as_ref())?;
            let stat = stat::compute(&odb, &changes, &options)?;
            let rename_args: &[&str] = if renames.is_some() { &["-M"] } else { &[] };
            let mut cases: Vec<(Vec<&str>, Vec<u8>)> = Vec::new();
            let mut numstat = Vec::new();
            stat.write_numstat(&mut numstat);
            cases.push((vec!["--numstat"], numstat));
            let mut shortstat = Vec::new();
            stat.write_shortstat(&mut shortstat);
            cases.push((vec!["--shortstat"], shortstat));
            for width in [80, 50] {
                let mut table = Vec::new();
                stat.write_stat(&mut table, width);
                cases.push((
                    vec![if width == 80 {
                        "--stat=80"
                    } else {
                        "--stat=50"
                    }],
                    table,
                ));
            }
            for (args, actual) in cases {
                let mut all = args.clone();
                all.push(algorithm_arg);
                all.extend_from_slice(rename_args);
                let expected = git_diff_tree(dir, parent.as_deref(), &commit, &all)?;
                assert_eq!(
                    text(&actual),
                    text(&expected),
                    "git diff-tree {all:?} {parent:?} {commit} in {}",
                    dir.display()
                );
            }
        }
        compared += 1;
    }
    Ok(compared)
}

#[test]
fn scenario_statistics_equal_git_s() -> Result {
    let (repo, _) = scenario_repo()?;
    compare_history(&repo.dir, "HEAD", 1, Algorithm::Myers)?;
    Ok(())
}

#[test]
fn random_statistics_equal_git_s() -> Result {
    for seed in 200..206 {
        let (repo, _) = random_history(seed, 20, HistoryOptions::default())?;
        let algorithm = if seed % 2 == 0 {
            Algorithm::Myers
        } else {
            Algorithm::Histogram
        };
        compare_history(&repo.dir, "HEAD", 1, algorithm)?;
    }
    Ok(())
}

#[test]
fn fixture_statistics_equal_git_s() -> Result {
    compare_history(&fixture("demo")?, "main", 1, Algorithm::Myers)?;
    let compared = compare_history(&fixture("medium")?, "HEAD", 97, Algorithm::Myers)?;
    assert!(compared > 10, "a sample of medium's history was compared");
    Ok(())
}

#[test]
fn totals_and_rename_names() -> Result {
    use tabgit_diff::{Change, Side, Similarity};
    let side = Side {
        mode: tabgit_object::EntryMode::BLOB,
        object_id: tabgit_object::compute_id(tabgit_object::Kind::Blob, b""),
    };
    let rename = |old: &str, new: &str| Change::Rename {
        old_path: old.as_bytes().to_vec(),
        old: side,
        new_path: new.as_bytes().to_vec(),
        new: side,
        similarity: Similarity::MAX,
    };
    let cases = [
        (
            "src/util.rs",
            "src/helpers.rs",
            "src/{util.rs => helpers.rs}",
        ),
        ("a/b/c.txt", "a/x/c.txt", "a/{b => x}/c.txt"),
        ("a/c.txt", "b/c.txt", "{a => b}/c.txt"),
        ("old", "new", "old => new"),
        ("dir/file", "file", "dir/file => file"),
        ("file", "dir/file", "file => dir/file"),
        ("a/b/file", "a/file", "a/{b => }/file"),
        ("x.c", "x.cc", "x.c => x.cc"),
        ("caf\u{e9}", "cafe", "\"caf\\303\\251\" => cafe"),
    ];
    for (old, new, expected) in cases {
        assert_eq!(
            text(&stat::display_name(&rename(old, new))),
            expected,
            "pprint_rename({old}, {new})"
        );
    }

    let totals = stat::Totals {
        files: 1,
        insertions: 1,
        deletions: 0,
    };
    let mut out = Vec::new();
    totals.write(&mut out);
    assert_eq!(text(&out), " 1 file changed, 1 insertion(+)\n");
    let mut out = Vec::new();
    stat::Totals {
        files: 3,
        insertions: 0,
        deletions: 0,
    }
    .write(&mut out);
    assert_eq!(
        text(&out),
        " 3 files changed, 0 insertions(+), 0 deletions(-)\n"
    );
    Ok(())
}
