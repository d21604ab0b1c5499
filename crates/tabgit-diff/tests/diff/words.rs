//! Word-level changes for the side-by-side view.
use tabgit_diff::words::{self, Change};

fn changes(old: &str, new: &str) -> Vec<(String, String)> {
    words::diff(old.as_bytes(), new.as_bytes())
        .into_iter()
        .map(|Change { old: o, new: n }| (old[o].to_owned(), new[n].to_owned()))
        .collect()
}

#[test]
fn words_are_runs_of_non_whitespace() {
    assert_eq!(words::split(b"  let x = 1;\n"), [2..5, 6..7, 8..9, 10..12]);
    assert_eq!(words::split(b""), Vec::<std::ops::Range<usize>>::new());
    assert_eq!(words::split(b"one"), vec![0..3]);
    // Vertical tab and form feed are not whitespace to git.
    assert_eq!(words::split(b"a\x0bb c"), [0..3, 4..5]);
}

#[test]
fn changed_words_are_found() {
    assert_eq!(
        changes("let x = 1;", "let y = 1;"),
        [("x".to_owned(), "y".to_owned())]
    );
    assert_eq!(
        changes("fn main() { run(a, b); }", "fn main() { run(a, c, d); }"),
        [("b);".to_owned(), "c, d);".to_owned())]
    );
    assert!(
        changes("a  b\tc", "a b c").is_empty(),
        "whitespace between words is not a change"
    );
}

#[test]
fn insertions_and_deletions_mark_their_place() {
    let inserted = words::diff(b"a c", b"a b c");
    assert_eq!(
        inserted,
        [Change {
            old: 2..2,
            new: 2..3
        }],
        "an insertion is an empty range at the next word"
    );
    let removed_at_end = words::diff(b"a b", b"a");
    assert_eq!(
        removed_at_end,
        [Change {
            old: 2..3,
            new: 1..1
        }],
        "a removal at the end is an empty range after the last word"
    );
    assert_eq!(
        words::diff(b"", b"new words"),
        [Change {
            old: 0..0,
            new: 0..9
        }]
    );
}

/// git's `--word-diff=porcelain` for two one-line texts, as (removed, added) pairs.
fn git_word_changes(old: &str, new: &str) -> tabgit_testtools::Result<Vec<(String, String)>> {
    let dir = tabgit_testtools::tempdir()?;
    std::fs::write(dir.path().join("old"), format!("{old}\n"))?;
    std::fs::write(dir.path().join("new"), format!("{new}\n"))?;
    let out = tabgit_testtools::git_command(dir.path())
        .args(["diff", "--no-index", "--word-diff=porcelain", "old", "new"])
        .output()?;
    let text = String::from_utf8(out.stdout)?;
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut last_was_removal = false;
    for line in text.lines().skip_while(|l| !l.starts_with("@@")).skip(1) {
        if let Some(removed) = line.strip_prefix('-') {
            pairs.push((removed.to_owned(), String::new()));
            last_was_removal = true;
        } else if let Some(added) = line.strip_prefix('+') {
            match pairs.last_mut() {
                Some(pair) if last_was_removal => added.clone_into(&mut pair.1),
                _ => pairs.push((String::new(), added.to_owned())),
            }
            last_was_removal = false;
        } else {
            last_was_removal = false;
        }
    }
    Ok(pairs)
}

#[test]
fn random_word_changes_equal_git_s() -> tabgit_testtools::Result {
    let vocabulary = ["a", "b", "c", "foo", "bar()", "{", "}", "x=1;", "0"];
    let mut rng = crate::Rng::new(5);
    let line = |rng: &mut crate::Rng| -> String {
        let n = rng.below(9);
        let mut out = String::new();
        for idx in 0..n {
            if idx > 0 {
                let separator: &&str = rng.pick(&[" ", "  ", "\t"]);
                out.push_str(separator);
            }
            let word: &&str = rng.pick(&vocabulary);
            out.push_str(word);
        }
        out
    };
    for _ in 0..60 {
        let old = line(&mut rng);
        let new = line(&mut rng);
        if old == new {
            continue;
        }
        let expected = git_word_changes(&old, &new)?;
        assert_eq!(changes(&old, &new), expected, "{old:?} -> {new:?}");
    }
    Ok(())
}
