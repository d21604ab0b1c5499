//! Rename and copy detection against `git diff-tree -M`/`-C --name-status`.
use tabgit_diff::{raw, rename, Change, Similarity};
use tabgit_testtools::{fixture, Result};

use crate::{git_diff_tree, our_changes, text, tree_id, Repo};

/// Our `--name-status` lines between two revisions.
fn our_name_status(
    repo_dir: &std::path::Path,
    odb: &dyn tabgit_object::Find,
    old: &str,
    new: &str,
    options: &rename::Options,
) -> Result<String> {
    let old_tree = tree_id(repo_dir, old)?;
    let new_tree = tree_id(repo_dir, new)?;
    let changes = our_changes(odb, Some(&old_tree), Some(&new_tree), Some(options))?;
    let mut out = Vec::new();
    for change in &changes {
        raw::write_name_status(&mut out, change);
    }
    Ok(text(&out))
}

fn git_name_status(dir: &std::path::Path, old: &str, new: &str, args: &[&str]) -> Result<String> {
    let mut all = vec!["--name-status"];
    all.extend_from_slice(args);
    Ok(text(&git_diff_tree(dir, Some(old), new, &all)?))
}

#[test]
fn demo_fixture_has_git_s_r085_rename() -> Result {
    let dir = fixture("demo")?;
    let odb = tabgit_store::odb::Odb::open(tabgit_store::files::FsFiles::new(&dir))?;
    let commit = tabgit_testtools::git_text(
        &dir,
        &[
            "log",
            "--format=%H",
            "--grep=Rename util to helpers",
            "main",
        ],
    )?;
    let parent = format!("{commit}^");
    let ours = our_name_status(&dir, &odb, &parent, &commit, &rename::Options::default())?;
    assert_eq!(ours, git_name_status(&dir, &parent, &commit, &["-M"])?);
    assert!(
        ours.contains("R085\tsrc/util.rs\tsrc/helpers.rs\n"),
        "the fixture's documented R085: {ours}"
    );
    Ok(())
}

/// A repository with one commit of `before` files and one of `after` files.
fn two_commits(
    before: &[(&str, &[u8])],
    after: &[(&str, &[u8])],
) -> Result<(Repo, String, String)> {
    let repo = Repo::init()?;
    for (path, content) in before {
        repo.write(path.as_bytes(), content)?;
    }
    let old = repo.commit("before")?;
    for (path, _) in before {
        repo.remove(path.as_bytes())?;
    }
    for (path, content) in after {
        repo.write(path.as_bytes(), content)?;
    }
    let new = repo.commit("after")?;
    Ok((repo, old, new))
}

fn numbered(n: usize, tag: &str) -> Vec<u8> {
    (0..n)
        .map(|i| format!("{tag} {i} some shared text\n"))
        .collect::<String>()
        .into_bytes()
}

/// Compare with git for each set of arguments.
fn check(repo: &Repo, old: &str, new: &str, cases: &[(&[&str], rename::Options)]) -> Result {
    let odb = repo.odb()?;
    for (args, options) in cases {
        let expected = git_name_status(&repo.dir, old, new, args)?;
        let actual = our_name_status(&repo.dir, &odb, old, new, options)?;
        assert_eq!(actual, expected, "git diff-tree {args:?}");
    }
    Ok(())
}

fn with_threshold(percent: u32) -> rename::Options {
    rename::Options {
        threshold: Similarity::from_percent(percent),
        ..rename::Options::default()
    }
}

#[test]
fn thresholds_match_git() -> Result {
    let base = numbered(40, "line");
    let mut edited = base.clone();
    edited.extend_from_slice(&numbered(15, "extra"));
    let mut heavy = numbered(20, "line");
    heavy.extend_from_slice(&numbered(25, "other"));
    let (repo, old, new) = two_commits(
        &[("a/one.txt", &base), ("b/two.txt", &base)],
        &[("c/one-moved.txt", &edited), ("c/two-moved.txt", &heavy)],
    )?;
    check(
        &repo,
        &old,
        &new,
        &[
            (&["-M"], rename::Options::default()),
            (&["-M90%"], with_threshold(90)),
            (&["-M30%"], with_threshold(30)),
            (&["-M10%"], with_threshold(10)),
            (&["-M100%"], with_threshold(100)),
            (
                &["-M5"],
                rename::Options {
                    threshold: Similarity::parse(b"5").0,
                    ..rename::Options::default()
                },
            ),
        ],
    )
}

#[test]
fn identical_sources_are_chosen_as_git_chooses() -> Result {
    // Several deleted files with the same content; the destinations must pick the same sources
    // as git (unused first, same basename preferred), and reuse makes copies only with -C.
    let content = b"the same content\n";
    let (repo, old, new) = two_commits(
        &[
            ("x/one.txt", content),
            ("y/two.txt", content),
            ("z/three.txt", content),
        ],
        &[
            ("p/two.txt", content),
            ("q/other.txt", content),
            ("r/three.txt", content),
            ("s/fourth.txt", content),
        ],
    )?;
    let copies = rename::Options {
        copies: true,
        ..rename::Options::default()
    };
    check(
        &repo,
        &old,
        &new,
        &[(&["-M"], rename::Options::default()), (&["-C"], copies)],
    )
}

#[test]
fn one_source_feeding_several_destinations_is_copies_then_a_rename() -> Result {
    let base = numbered(30, "shared");
    let mut first = base.clone();
    first.extend_from_slice(b"first\n");
    let mut second = base.clone();
    second.extend_from_slice(b"second\n");
    let (repo, old, new) = two_commits(
        &[("keep.txt", b"unchanged\n"), ("src.txt", &base)],
        &[
            ("keep.txt", b"unchanged\n"),
            ("dst1.txt", &first),
            ("dst2.txt", &second),
        ],
    )?;
    let copies = rename::Options {
        copies: true,
        ..rename::Options::default()
    };
    check(
        &repo,
        &old,
        &new,
        &[(&["-M"], rename::Options::default()), (&["-C"], copies)],
    )?;
    let odb = repo.odb()?;
    let changes = our_changes(
        &odb,
        Some(&tree_id(&repo.dir, &old)?),
        Some(&tree_id(&repo.dir, &new)?),
        Some(&copies),
    )?;
    assert!(
        matches!(&changes[..], [Change::Copy { .. }, Change::Rename { .. }]),
        "all but the last use of a deleted source are copies: {changes:?}"
    );
    Ok(())
}

#[test]
fn copies_of_modified_files_match_git() -> Result {
    let base = numbered(30, "orig");
    let mut modified = base.clone();
    modified.extend_from_slice(b"appended\n");
    let mut copy = base.clone();
    copy.extend_from_slice(b"copy tail\n");
    let repo = Repo::init()?;
    repo.write(b"lib/orig.rs", &base)?;
    repo.write(b"other.txt", b"other\n")?;
    let old = repo.commit("before")?;
    repo.write(b"lib/orig.rs", &modified)?;
    repo.write(b"lib/copy.rs", &copy)?;
    repo.write(b"exact-copy.rs", &base)?;
    let new = repo.commit("after")?;
    let copies = rename::Options {
        copies: true,
        ..rename::Options::default()
    };
    check(
        &repo,
        &old,
        &new,
        &[(&["-M"], rename::Options::default()), (&["-C"], copies)],
    )
}

#[test]
fn basename_matches_are_preferred_as_in_git() -> Result {
    // `dst/better.c` is more similar to `src/file.c` than `dst/file.c` is, but git pairs unique
    // basenames first when they are similar enough (here about 80%, above the 75% needed).
    let base = numbered(40, "common");
    let mut same_name = base.clone();
    same_name.extend_from_slice(&numbered(8, "changed"));
    let mut better = base.clone();
    better.extend_from_slice(b"one more line\n");
    let (repo, old, new) = two_commits(
        &[("src/file.c", &base)],
        &[("dst/file.c", &same_name), ("dst/better.c", &better)],
    )?;
    check(&repo, &old, &new, &[(&["-M"], rename::Options::default())])?;
    let odb = repo.odb()?;
    let ours = our_name_status(&repo.dir, &odb, &old, &new, &rename::Options::default())?;
    assert!(
        ours.contains("\tsrc/file.c\tdst/file.c\n") && ours.contains("A\tdst/better.c\n"),
        "the basename match wins: {ours}"
    );
    Ok(())
}

#[test]
fn empty_files_and_symlinks_rename_only_exactly() -> Result {
    let repo = Repo::init()?;
    repo.write(b"empty-a", b"")?;
    repo.symlink(b"link-a", b"target")?;
    repo.symlink(b"link-b", b"target-b")?;
    repo.write(b"text", b"content\n")?;
    let old = repo.commit("before")?;
    repo.remove(b"empty-a")?;
    repo.write(b"dir/empty-b", b"")?;
    repo.remove(b"link-a")?;
    repo.symlink(b"moved-link", b"target")?;
    repo.remove(b"link-b")?;
    repo.symlink(b"moved-link-b", b"target-b2")?;
    repo.remove(b"text")?;
    repo.symlink(b"text-link", b"content\n")?;
    let new = repo.commit("after")?;
    check(&repo, &old, &new, &[(&["-M"], rename::Options::default())])?;

    let odb = repo.odb()?;
    let no_empty = rename::Options {
        rename_empty: false,
        ..rename::Options::default()
    };
    let changes = our_changes(
        &odb,
        Some(&tree_id(&repo.dir, &old)?),
        Some(&tree_id(&repo.dir, &new)?),
        Some(&no_empty),
    )?;
    assert!(
        changes
            .iter()
            .all(|c| !(matches!(c, Change::Rename { .. }) && c.new_path() == b"dir/empty-b")),
        "without rename_empty an empty file is not a rename"
    );
    Ok(())
}

#[test]
fn crlf_and_lf_versions_are_identical_to_the_estimate() -> Result {
    let lf = numbered(30, "line");
    let crlf: Vec<u8> = text(&lf).replace('\n', "\r\n").into_bytes();
    let (repo, old, new) = two_commits(&[("lf.txt", &lf)], &[("crlf.txt", &crlf)])?;
    check(&repo, &old, &new, &[(&["-M"], rename::Options::default())])?;
    let similarity = rename::similarity(&lf, &crlf);
    assert!(
        similarity.percent() >= 95,
        "CR before LF is ignored in text, only the size differs: {similarity:?}"
    );
    Ok(())
}

#[test]
fn the_rename_limit_stops_inexact_detection() -> Result {
    let mut before = Vec::new();
    let mut after = Vec::new();
    for i in 0..5 {
        let mut content = numbered(20, &format!("file{i}"));
        before.push((format!("old{i}.txt"), content.clone()));
        content.extend_from_slice(b"edited\n");
        after.push((format!("new{i}.txt"), content));
    }
    // One exact rename too: found whatever the limit.
    before.push(("exact.txt".to_owned(), b"exact\n".to_vec()));
    after.push(("exact-moved.txt".to_owned(), b"exact\n".to_vec()));
    let as_refs = |files: &[(String, Vec<u8>)]| -> Vec<(String, Vec<u8>)> { files.to_vec() };
    let before = as_refs(&before);
    let after = as_refs(&after);
    let before_refs: Vec<(&str, &[u8])> = before
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_slice()))
        .collect();
    let after_refs: Vec<(&str, &[u8])> = after
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_slice()))
        .collect();
    let (repo, old, new) = two_commits(&before_refs, &after_refs)?;
    let limited = rename::Options {
        limit: 4,
        ..rename::Options::default()
    };
    check(
        &repo,
        &old,
        &new,
        &[
            (&["-M", "-l4"], limited),
            (
                &["-M", "-l5"],
                rename::Options {
                    limit: 5,
                    ..limited
                },
            ),
        ],
    )?;
    let odb = repo.odb()?;
    let changes = tabgit_diff::tree::diff(
        &odb,
        Some(&tree_id(&repo.dir, &old)?),
        Some(&tree_id(&repo.dir, &new)?),
        &tabgit_diff::tree::Options::default(),
    )?;
    let outcome = rename::detect(&odb, changes, &limited)?;
    assert_eq!(
        outcome.needed_limit,
        Some(5),
        "5 sources × 5 destinations need a limit of 5"
    );
    Ok(())
}

#[test]
fn similarity_parses_like_git() {
    let cases: &[(&[u8], u32, &[u8])] = &[
        (b"50%", 30000, b""),
        (b"5", 30000, b""),
        (b"05", 3000, b""),
        (b".5", 30000, b""),
        (b"100%", 60000, b""),
        (b"90%,rest", 54000, b",rest"),
        (b"", 0, b""),
        (b"1.5%", 900, b""),
    ];
    for &(input, score, rest) in cases {
        let (similarity, remaining) = Similarity::parse(input);
        assert_eq!(
            (similarity.score(), remaining),
            (score, rest),
            "parse {:?}",
            text(input)
        );
    }
    assert_eq!(Similarity::from_score(51000).percent(), 85);
    assert_eq!(Similarity::MAX.percent(), 100);
}
