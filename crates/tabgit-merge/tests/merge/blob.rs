//! Blob merges against `git merge-file`.

use std::path::Path;

use tabgit_diff::lines::Algorithm;
use tabgit_merge::blob::{self, Choice, ConflictStyle, Labels, Level, Options};
use tabgit_testtools::{git_command, tempdir, Result};

use crate::{random_edit, random_text, Rng};

/// `git merge-file -p` with labels; returns its output and exit code.
fn merge_file(
    dir: &Path,
    base: &[u8],
    ours: &[u8],
    theirs: &[u8],
    extra: &[&str],
) -> Result<(Vec<u8>, i32)> {
    std::fs::write(dir.join("base"), base)?;
    std::fs::write(dir.join("ours"), ours)?;
    std::fs::write(dir.join("theirs"), theirs)?;
    let out = git_command(dir)
        .args([
            "merge-file",
            "-p",
            "-L",
            "ours",
            "-L",
            "base",
            "-L",
            "theirs",
        ])
        .args(extra)
        .args(["ours", "base", "theirs"])
        .output()?;
    Ok((out.stdout, out.status.code().unwrap_or(-1)))
}

fn labels() -> Labels<'static> {
    Labels {
        ancestor: Some(b"base"),
        ours: Some(b"ours"),
        theirs: Some(b"theirs"),
    }
}

#[test]
fn simple_conflict_has_git_markers() -> Result {
    let outcome = blob::merge(
        b"a\nb\nc\n",
        b"a\nB\nc\n",
        b"a\nbb\nc\n",
        &labels(),
        &Options::default(),
    );
    assert_eq!(
        outcome.result,
        b"a\n<<<<<<< ours\nB\n=======\nbb\n>>>>>>> theirs\nc\n".to_vec()
    );
    assert_eq!(outcome.resolve(&[Choice::Ours])?, b"a\nB\nc\n");
    assert_eq!(
        outcome.resolve(&[Choice::OursThenTheirs])?,
        b"a\nB\nbb\nc\n"
    );
    assert_eq!(
        outcome.resolve(&[Choice::Edited(b"merged\n".to_vec())])?,
        b"a\nmerged\nc\n"
    );
    assert!(outcome.resolve(&[]).is_err(), "one choice per conflict");
    Ok(())
}

#[test]
fn binary_keeps_ours_and_conflicts() -> Result {
    let outcome = blob::merge(b"\0a", b"\0b", b"\0c", &labels(), &Options::default());
    assert!(outcome.is_binary());
    assert_eq!(outcome.n_conflicts, 1);
    assert_eq!(outcome.result, b"\0b");
    let virtual_base = blob::merge(
        b"\0a",
        b"\0b",
        b"\0c",
        &labels(),
        &Options {
            virtual_ancestor: true,
            ..Options::default()
        },
    );
    assert!(virtual_base.is_clean(), "a virtual ancestor takes the base");
    assert_eq!(virtual_base.result, b"\0a");
    Ok(())
}

#[test]
fn crlf_markers_follow_the_file() -> Result {
    let dir = tempdir()?;
    let (base, ours, theirs) = (
        &b"a\r\nb\r\nc\r\n"[..],
        &b"a\r\nB\r\nc\r\n"[..],
        &b"a\r\nX\r\nc\r\n"[..],
    );
    let (expected, _) = merge_file(
        dir.path(),
        base,
        ours,
        theirs,
        &["--diff-algorithm=histogram"],
    )?;
    let options = Options {
        level: Level::ZealousAlnum,
        ..Options::default()
    };
    let outcome = blob::merge(base, ours, theirs, &labels(), &options);
    assert_eq!(
        String::from_utf8_lossy(&outcome.result),
        String::from_utf8_lossy(&expected),
        "CRLF markers as git writes them"
    );
    Ok(())
}

/// Random three-way merges in every style, with both algorithms, byte for byte against
/// `git merge-file` (which uses the `ZealousAlnum` level).
#[test]
fn random_merges_equal_git_merge_file() -> Result {
    let dir = tempdir()?;
    let styles = [
        (ConflictStyle::Merge, None),
        (ConflictStyle::Diff3, Some("--diff3")),
        (ConflictStyle::ZealousDiff3, Some("--zdiff3")),
    ];
    let mut n_conflicted = 0;
    for seed in 0..300u64 {
        let mut rng = Rng::new(seed);
        let n_lines = 1 + rng.below(40);
        let base = random_text(&mut rng, n_lines);
        let mut ours = random_edit(&mut rng, &base);
        let mut theirs = random_edit(&mut rng, &base);
        if seed % 7 == 0 {
            // A last line without a newline.
            ours.pop();
        }
        if seed % 11 == 0 {
            theirs.pop();
        }
        let (style, flag) = styles[(seed % 3) as usize];
        let (algorithm, algorithm_flag) = if seed % 2 == 0 {
            (Algorithm::Histogram, "--diff-algorithm=histogram")
        } else {
            (Algorithm::Myers, "--diff-algorithm=myers")
        };
        let mut extra = vec![algorithm_flag];
        extra.extend(flag);
        let (expected, code) = merge_file(dir.path(), &base, &ours, &theirs, &extra)?;
        let options = Options {
            style,
            level: Level::ZealousAlnum,
            algorithm,
            ..Options::default()
        };
        let outcome = blob::merge(&base, &ours, &theirs, &labels(), &options);
        assert_eq!(
            String::from_utf8_lossy(&outcome.result),
            String::from_utf8_lossy(&expected),
            "seed {seed}: merge of\n--base\n{}--ours\n{}--theirs\n{}",
            String::from_utf8_lossy(&base),
            String::from_utf8_lossy(&ours),
            String::from_utf8_lossy(&theirs)
        );
        assert_eq!(
            outcome.n_conflicts.min(127) as i32,
            code,
            "seed {seed}: git's exit code is the number of conflicts"
        );
        if !outcome.is_clean() {
            n_conflicted += 1;
            let unresolved = vec![Choice::Unresolved; outcome.n_conflicts];
            assert_eq!(outcome.resolve(&unresolved)?, outcome.result, "seed {seed}");
        }
    }
    assert!(
        n_conflicted > 30,
        "the generator makes conflicts ({n_conflicted})"
    );
    Ok(())
}
