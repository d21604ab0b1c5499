//! Patches: compared with `git diff-tree -p` textually, and applied with `git apply`.
use std::path::Path;
use std::process::Stdio;

use tabgit_diff::blob::Attribute;
use tabgit_diff::lines::Algorithm;
use tabgit_diff::{blob, patch, rename, Change};
use tabgit_testtools::{fixture, git_command, Result};

use crate::{
    first_parent_pairs, git_diff_tree, our_changes, random_history, scenario_repo, text, tree_id,
    HistoryOptions, Repo,
};

/// Our patch between two revisions.
fn our_patch(
    dir: &Path,
    odb: &dyn tabgit_object::Find,
    old: Option<&str>,
    new: &str,
    renames: Option<&rename::Options>,
    options: &patch::Options<'_>,
) -> Result<Vec<u8>> {
    let old_tree = old.map(|rev| tree_id(dir, rev)).transpose()?;
    let new_tree = tree_id(dir, new)?;
    let changes = our_changes(odb, old_tree.as_ref(), Some(&new_tree), renames)?;
    let mut out = Vec::new();
    patch::write_changes(&mut out, odb, &changes, options)?;
    Ok(out)
}

fn full_index(algorithm: Algorithm) -> patch::Options<'static> {
    let mut options = patch::Options {
        abbrev: None,
        ..patch::Options::default()
    };
    options.blob.algorithm = algorithm;
    options
}

fn algorithm_arg(algorithm: Algorithm) -> &'static str {
    match algorithm {
        Algorithm::Myers => "--diff-algorithm=myers",
        Algorithm::MyersMinimal => "--diff-algorithm=minimal",
        Algorithm::Histogram => "--diff-algorithm=histogram",
    }
}

/// Run git with `GIT_INDEX_FILE` set and `input` on stdin; returns (success, stdout, stderr).
fn git_in_index(dir: &Path, index: &Path, args: &[&str], input: &[u8]) -> Result<(bool, String)> {
    use std::io::Write as _;
    let mut child = git_command(dir)
        .env("GIT_INDEX_FILE", index)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut stdin = child.stdin.take().ok_or("stdin was piped")?;
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output()?;
    writer.join().map_err(|_| "stdin writer panicked")??;
    Ok((
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    ))
}

/// Apply `patch` to `old`'s tree in a scratch index with `git apply --cached` and check that the
/// result is `new`'s tree.
fn assert_applies(dir: &Path, old: &str, new: &str, patch: &[u8]) -> Result {
    if patch.is_empty() {
        assert_eq!(
            tree_id(dir, old)?,
            tree_id(dir, new)?,
            "an empty patch means no change"
        );
        return Ok(());
    }
    let scratch = tabgit_testtools::tempdir()?;
    let index = scratch.path().join("index");
    let (ok, out) = git_in_index(dir, &index, &["read-tree", old], b"")?;
    assert!(ok, "read-tree: {out}");
    let (ok, out) = git_in_index(dir, &index, &["apply", "--cached", "--check", "-"], patch)?;
    assert!(
        ok,
        "git apply --check rejects our patch {old}..{new}: {out}\n{}",
        text(patch)
    );
    let (ok, out) = git_in_index(dir, &index, &["apply", "--cached", "-"], patch)?;
    assert!(ok, "git apply failed {old}..{new}: {out}");
    let (ok, tree) = git_in_index(dir, &index, &["write-tree"], b"")?;
    assert!(ok, "write-tree: {tree}");
    assert_eq!(
        tree.trim(),
        tree_id(dir, new)?.to_hex(),
        "applying our patch reproduces the new tree exactly ({old}..{new})\n{}",
        text(patch)
    );
    Ok(())
}

#[test]
fn scenario_patches_equal_git_s() -> Result {
    let (repo, _) = scenario_repo()?;
    let odb = repo.odb()?;
    for (parent, commit) in first_parent_pairs(&repo.dir, "HEAD")? {
        for algorithm in [Algorithm::Myers, Algorithm::Histogram] {
            for (renames, args) in [
                (None, &[][..]),
                (Some(rename::Options::default()), &["-M"][..]),
                (
                    Some(rename::Options {
                        copies: true,
                        ..rename::Options::default()
                    }),
                    &["-C"][..],
                ),
            ] {
                let mut all = vec!["-p", "--full-index", algorithm_arg(algorithm)];
                all.extend_from_slice(args);
                let expected = git_diff_tree(&repo.dir, parent.as_deref(), &commit, &all)?;
                let actual = our_patch(
                    &repo.dir,
                    &odb,
                    parent.as_deref(),
                    &commit,
                    renames.as_ref(),
                    &full_index(algorithm),
                )?;
                assert_eq!(
                    text(&actual),
                    text(&expected),
                    "git diff-tree {all:?} {parent:?} {commit}"
                );
            }
        }
    }
    Ok(())
}

#[test]
fn default_abbreviation_matches_git_in_a_small_repository() -> Result {
    let (repo, commits) = scenario_repo()?;
    let odb = repo.odb()?;
    let expected = git_diff_tree(&repo.dir, Some(&commits[1]), &commits[2], &["-p"])?;
    let actual = our_patch(
        &repo.dir,
        &odb,
        Some(&commits[1]),
        &commits[2],
        None,
        &patch::Options::default(),
    )?;
    assert_eq!(text(&actual), text(&expected));
    Ok(())
}

/// Compare our patches with git's for every commit of a random history; returns the number of
/// file patches compared and those that differed (they must still apply).
fn compare_random(seed: u64, algorithm: Algorithm, renames: bool) -> Result<(usize, Vec<String>)> {
    let (repo, commits) = random_history(seed, 20, HistoryOptions::default())?;
    let odb = repo.odb()?;
    let mut compared = 0;
    let mut differing = Vec::new();
    let rename_options = renames.then(rename::Options::default);
    for window in commits.windows(2) {
        let mut args = vec!["-p", "--full-index", algorithm_arg(algorithm)];
        if renames {
            args.push("-M");
        }
        let expected = git_diff_tree(&repo.dir, Some(&window[0]), &window[1], &args)?;
        let actual = our_patch(
            &repo.dir,
            &odb,
            Some(&window[0]),
            &window[1],
            rename_options.as_ref(),
            &full_index(algorithm),
        )?;
        let expected_files = split_files(&expected);
        let actual_files = split_files(&actual);
        assert_eq!(
            actual_files.len(),
            expected_files.len(),
            "same number of file patches {}..{}\nours:\n{}\ngit's:\n{}",
            window[0],
            window[1],
            text(&actual),
            text(&expected)
        );
        for (ours, theirs) in actual_files.iter().zip(&expected_files) {
            compared += 1;
            if ours != theirs {
                // Headers must be identical; only the hunks may be placed differently.
                let header = |patch: &[u8]| {
                    let text = text(patch);
                    text.split("\n@@").next().unwrap_or_default().to_owned()
                };
                assert_eq!(header(ours), header(theirs), "file headers agree");
                assert_applies(&repo.dir, &window[0], &window[1], &actual)?;
                differing.push(format!("ours:\n{}\ngit's:\n{}", text(ours), text(theirs)));
            }
        }
    }
    Ok((compared, differing))
}

/// Split a patch into its per-file parts.
fn split_files(patch: &[u8]) -> Vec<Vec<u8>> {
    let mut files: Vec<Vec<u8>> = Vec::new();
    for line in patch.split_inclusive(|&b| b == b'\n') {
        if line.starts_with(b"diff --git ") || files.is_empty() {
            files.push(Vec::new());
        }
        if let Some(last) = files.last_mut() {
            last.extend_from_slice(line);
        }
    }
    files
}

#[test]
fn random_patches_equal_git_s_textually() -> Result {
    // Both algorithms are ports of git's xdiff: the output is identical. (imara-diff's own
    // implementations differed in about one file patch in a thousand here.)
    for (algorithm, allowed_percent) in [(Algorithm::Myers, 0), (Algorithm::Histogram, 0)] {
        let mut total = 0;
        let mut all_differing = Vec::new();
        for seed in 100..110 {
            let (compared, differing) = compare_random(seed, algorithm, seed % 2 == 0)?;
            total += compared;
            all_differing.extend(differing);
        }
        assert!(total > 300, "enough file patches were compared: {total}");
        assert!(
            all_differing.len() * 100 <= total * allowed_percent,
            "{algorithm:?}: {} of {total} file patches differ from git's:\n{}",
            all_differing.len(),
            all_differing.join("\n")
        );
    }
    Ok(())
}

#[test]
fn pathological_patches_equal_git_s() -> Result {
    // Inputs where git's heuristics (discarding unmatched and frequent lines, giving up on a
    // minimal split when it gets expensive) decide the result.
    let mut rng = crate::Rng::new(99);
    let mut few_distinct = |n: usize| -> Vec<u8> {
        (0..n)
            .map(|_| *rng.pick(&["a\n", "b\n", "c\n", "}\n", "\n"]))
            .collect::<String>()
            .into_bytes()
    };
    let numbered = |range: std::ops::Range<usize>, tag: &str| -> Vec<u8> {
        range
            .map(|i| format!("{tag} {i}\n"))
            .collect::<String>()
            .into_bytes()
    };
    let reversed: Vec<u8> = (0..3000)
        .rev()
        .map(|i| format!("line {i}\n"))
        .collect::<String>()
        .into_bytes();
    let interleaved: Vec<u8> = (0..4000)
        .map(|i| {
            if i % 3 == 0 {
                format!("line {i}\n")
            } else {
                format!("{}\n", i % 7)
            }
        })
        .collect::<String>()
        .into_bytes();
    let pairs = [
        (few_distinct(6000), few_distinct(6000)),
        (numbered(0..3000, "line"), reversed),
        (numbered(0..4000, "line"), interleaved),
        (numbered(0..3000, "old"), numbered(0..3000, "new")),
    ];
    let repo = Repo::init()?;
    let mut commits = Vec::new();
    for (idx, (old, new)) in pairs.iter().enumerate() {
        let path = format!("case{idx}.txt");
        repo.write(path.as_bytes(), old)?;
        commits.push(repo.commit("old")?);
        repo.write(path.as_bytes(), new)?;
        commits.push(repo.commit("new")?);
    }
    let odb = repo.odb()?;
    for pair in commits.chunks(2) {
        let (old, new) = (&pair[0], &pair[1]);
        for algorithm in [
            Algorithm::Myers,
            Algorithm::MyersMinimal,
            Algorithm::Histogram,
        ] {
            let args = ["-p", "--full-index", algorithm_arg(algorithm)];
            let expected = git_diff_tree(&repo.dir, Some(old), new, &args)?;
            let actual = our_patch(
                &repo.dir,
                &odb,
                Some(old),
                new,
                None,
                &full_index(algorithm),
            )?;
            assert!(
                actual == expected,
                "{algorithm:?} differs from git on {old}..{new}"
            );
        }
        let patch = our_patch(
            &repo.dir,
            &odb,
            Some(old),
            new,
            None,
            &full_index(Algorithm::Histogram),
        )?;
        assert_applies(&repo.dir, old, new, &patch)?;
    }
    Ok(())
}

#[test]
fn git_apply_accepts_and_reproduces_random_edits() -> Result {
    // A few hundred randomized cases: each commit of each history is one patch to apply.
    let options = HistoryOptions {
        binary: false,
        ..HistoryOptions::default()
    };
    let mut applied = 0;
    for seed in 1..=12 {
        let (repo, commits) = random_history(seed * 7919, 25, options)?;
        let odb = repo.odb()?;
        for (idx, window) in commits.windows(2).enumerate() {
            let algorithm = if idx % 2 == 0 {
                Algorithm::Myers
            } else {
                Algorithm::Histogram
            };
            let renames = (idx % 3 == 0).then(rename::Options::default);
            let patch = our_patch(
                &repo.dir,
                &odb,
                Some(&window[0]),
                &window[1],
                renames.as_ref(),
                &full_index(algorithm),
            )?;
            assert_applies(&repo.dir, &window[0], &window[1], &patch)?;
            applied += 1;
        }
    }
    assert!(applied >= 300, "{applied} patches applied");
    Ok(())
}

#[test]
fn scenario_patches_apply_except_binary_ones() -> Result {
    // The "modes and type changes" commit changes a binary file, which `git apply` cannot take
    // without `--binary`; every other commit applies.
    let (repo, commits) = scenario_repo()?;
    let odb = repo.odb()?;
    for (idx, window) in commits.windows(2).enumerate() {
        let patch = our_patch(
            &repo.dir,
            &odb,
            Some(&window[0]),
            &window[1],
            Some(&rename::Options::default()),
            &patch::Options::default(),
        )?;
        if idx == 1 {
            assert!(
                text(&patch).contains("Binary files a/image.bin and b/image.bin differ\n"),
                "binary change is announced"
            );
            continue;
        }
        assert_applies(&repo.dir, &window[0], &window[1], &patch)?;
    }
    Ok(())
}

#[test]
fn fixture_patches_equal_git_s() -> Result {
    for (name, revs) in [
        ("demo", &["main", "topic", "conflict-a", "conflict-b"][..]),
        ("odd", &["--branches"][..]),
    ] {
        let dir = fixture(name)?;
        let odb = tabgit_store::odb::Odb::open(tabgit_store::files::FsFiles::new(&dir))?;
        for rev in revs {
            let revs = if *rev == "--branches" {
                tabgit_testtools::git_text(
                    &dir,
                    &["for-each-ref", "--format=%(refname)", "refs/heads"],
                )?
                .lines()
                .map(str::to_owned)
                .collect()
            } else {
                vec![(*rev).to_owned()]
            };
            for rev in revs {
                for (parent, commit) in first_parent_pairs(&dir, &rev)? {
                    let expected = git_diff_tree(
                        &dir,
                        parent.as_deref(),
                        &commit,
                        &["-p", "--full-index", "-M"],
                    )?;
                    let actual = our_patch(
                        &dir,
                        &odb,
                        parent.as_deref(),
                        &commit,
                        Some(&rename::Options::default()),
                        &full_index(Algorithm::Myers),
                    )?;
                    assert_eq!(
                        text(&actual),
                        text(&expected),
                        "{name} {parent:?}..{commit}"
                    );
                }
            }
        }
    }
    Ok(())
}

#[test]
fn attributes_decide_binary_or_text() -> Result {
    let repo = Repo::init()?;
    repo.write(b"data.txt", b"text\n")?;
    repo.write(b"nul.dat", b"a\0b\n")?;
    let old = repo.commit("before")?;
    repo.write(b"data.txt", b"changed text\n")?;
    repo.write(b"nul.dat", b"a\0c\n")?;
    let new = repo.commit("after")?;
    repo.write(b".gitattributes", b"*.txt -diff\n*.dat diff\n")?;
    let odb = repo.odb()?;
    let expected = git_diff_tree(&repo.dir, Some(&old), &new, &["-p", "--full-index"])?;
    let attributes = |path: &[u8]| {
        if path.ends_with(b".txt") {
            Attribute::Binary
        } else {
            Attribute::Text
        }
    };
    let options = patch::Options {
        attributes: Some(&attributes),
        ..full_index(Algorithm::Myers)
    };
    let actual = our_patch(&repo.dir, &odb, Some(&old), &new, None, &options)?;
    assert_eq!(
        text(&actual),
        text(&expected),
        "with .gitattributes in the worktree"
    );
    assert!(text(&actual).contains("Binary files a/data.txt and b/data.txt differ"));
    Ok(())
}

#[test]
fn content_beyond_the_limits_gets_only_a_header() -> Result {
    let old = b"one\ntwo\nthree\n";
    let new = b"one\n2\nthree\n";
    let change = Change::Modification {
        path: b"file".to_vec(),
        old: tabgit_diff::Side {
            mode: tabgit_object::EntryMode::BLOB,
            object_id: tabgit_object::compute_id(tabgit_object::Kind::Blob, old),
        },
        new: tabgit_diff::Side {
            mode: tabgit_object::EntryMode::BLOB,
            object_id: tabgit_object::compute_id(tabgit_object::Kind::Blob, new),
        },
    };
    let mut options = patch::Options::default();
    options.blob.limits = blob::Limits {
        max_bytes: 1000,
        max_lines: 2,
    };
    let mut out = Vec::new();
    patch::write_change(
        &mut out,
        &change,
        blob::Content::new(old),
        blob::Content::new(new),
        &options,
    );
    assert_eq!(
        text(&out),
        format!(
            "diff --git a/file b/file\nindex {}..{} 100644\n",
            &change.before().ok_or("old")?.1.object_id.to_hex()[..7],
            &change.after().ok_or("new")?.1.object_id.to_hex()[..7],
        ),
        "too many lines: no hunks"
    );
    Ok(())
}
