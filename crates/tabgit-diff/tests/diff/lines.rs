//! Line diffs and hunks: git's hunk format, and behaviour on large and pathological inputs.
use std::time::{Duration, Instant};

use tabgit_diff::blob::{self, Content, Limits};
use tabgit_diff::lines::{function_name, Algorithm, Diff, HunkOptions, LineKind};
use tabgit_testtools::Result;

use crate::{text, Rng};

fn unified(old: &[u8], new: &[u8], options: &HunkOptions) -> String {
    let diff = Diff::compute(old, new, Algorithm::Myers);
    let mut out = Vec::new();
    diff.write_hunks(&mut out, options);
    text(&out)
}

fn numbered(range: std::ops::Range<usize>) -> Vec<u8> {
    range
        .map(|i| format!("line {i}\n"))
        .collect::<String>()
        .into_bytes()
}

#[test]
fn hunks_have_git_s_headers_and_context() {
    let old = numbered(0..20);
    let mut new = numbered(0..20);
    // Change line 2 and line 15: far enough apart for two hunks.
    new = text(&new)
        .replace("line 2\n", "line two\n")
        .replace("line 15\n", "")
        .into_bytes();
    assert_eq!(
        unified(&old, &new, &HunkOptions::default()),
        "@@ -1,6 +1,6 @@\n line 0\n line 1\n-line 2\n+line two\n line 3\n line 4\n line 5\n\
         @@ -13,7 +13,6 @@ line 11\n line 12\n line 13\n line 14\n-line 15\n line 16\n line 17\n line 18\n",
        "the first hunk has no line above it to name"
    );
    // With more context the two changes share one hunk.
    let merged = unified(
        &old,
        &new,
        &HunkOptions {
            context_lines: 6,
            ..HunkOptions::default()
        },
    );
    assert!(merged.starts_with("@@ -1,20 +1,19 @@\n"), "{merged}");
    // Inter-hunk context merges them too.
    let merged = unified(
        &old,
        &new,
        &HunkOptions {
            inter_hunk_context: 6,
            ..HunkOptions::default()
        },
    );
    assert_eq!(merged.matches("@@ -").count(), 1, "{merged}");
}

#[test]
fn empty_sides_and_single_lines_use_git_s_counts() {
    assert_eq!(
        unified(b"", b"a\nb\n", &HunkOptions::default()),
        "@@ -0,0 +1,2 @@\n+a\n+b\n"
    );
    assert_eq!(
        unified(b"a\n", b"", &HunkOptions::default()),
        "@@ -1 +0,0 @@\n-a\n"
    );
    assert_eq!(
        unified(b"a\n", b"b\n", &HunkOptions::default()),
        "@@ -1 +1 @@\n-a\n+b\n"
    );
    assert_eq!(unified(b"same\n", b"same\n", &HunkOptions::default()), "");
}

#[test]
fn missing_final_newlines_are_marked() {
    assert_eq!(
        unified(b"a\nb", b"a\nb\n", &HunkOptions::default()),
        "@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n"
    );
    assert_eq!(
        unified(b"a\n", b"a\nb", &HunkOptions::default()),
        "@@ -1 +1,2 @@\n a\n+b\n\\ No newline at end of file\n"
    );
    // CR is part of the line.
    assert_eq!(
        unified(b"a\r\nb\r\n", b"a\nb\r\n", &HunkOptions::default()),
        "@@ -1,2 +1,2 @@\n-a\r\n+a\n b\r\n"
    );
}

#[test]
fn function_lines_follow_git_s_default_rule() {
    assert_eq!(function_name(b"fn main() {\n"), Some(&b"fn main() {"[..]));
    assert_eq!(function_name(b"_private:\r\n"), Some(&b"_private:"[..]));
    assert_eq!(function_name(b"$var \t\n"), Some(&b"$var"[..]));
    assert_eq!(function_name(b"    indented\n"), None);
    assert_eq!(function_name(b"{\n"), None);
    assert_eq!(function_name(b""), None);
    let long = [b'x'; 100];
    assert_eq!(
        function_name(&long).map(<[u8]>::len),
        Some(80),
        "cut to 80 bytes"
    );

    let body = |range: std::ops::Range<usize>| -> Vec<u8> {
        range
            .map(|i| format!("    line {i}\n"))
            .collect::<String>()
            .into_bytes()
    };
    let mut old = b"fn first() {\n".to_vec();
    old.extend(body(0..10));
    old.extend_from_slice(b"fn second() {\n");
    old.extend(body(10..20));
    let new = text(&old)
        .replace("line 8\n", "eight\n")
        .replace("line 18\n", "eighteen\n")
        .into_bytes();
    let out = unified(&old, &new, &HunkOptions::default());
    let headers: Vec<&str> = out.lines().filter(|l| l.starts_with("@@")).collect();
    assert_eq!(
        headers,
        [
            "@@ -7,7 +7,7 @@ fn first() {",
            "@@ -18,5 +18,5 @@ fn second() {"
        ]
    );
    let plain = unified(
        &old,
        &new,
        &HunkOptions {
            function_names: false,
            ..HunkOptions::default()
        },
    );
    assert!(plain.contains("@@ -7,7 +7,7 @@\n"), "{plain}");
}

#[test]
fn hunk_lines_carry_indices_for_a_side_by_side_view() {
    let diff = Diff::compute(b"a\nb\nc\n", b"a\nB\nc\nd\n", Algorithm::Histogram);
    let hunks = diff.hunks(&HunkOptions::default());
    assert_eq!(hunks.len(), 1);
    let lines: Vec<(LineKind, Option<u32>, Option<u32>)> = diff
        .hunk_lines(&hunks[0])
        .iter()
        .map(|line| (line.kind, line.old_index, line.new_index))
        .collect();
    assert_eq!(
        lines,
        [
            (LineKind::Context, Some(0), Some(0)),
            (LineKind::Removed, Some(1), None),
            (LineKind::Added, None, Some(1)),
            (LineKind::Context, Some(2), Some(2)),
            (LineKind::Added, None, Some(3)),
        ]
    );
    assert_eq!((diff.insertions(), diff.deletions()), (2, 1));
}

#[test]
fn binary_detection_follows_git() {
    assert!(!blob::is_binary(b""));
    assert!(!blob::is_binary(b"text\r\n\x7f\xff"));
    assert!(blob::is_binary(b"a\0b"));
    let mut late_nul = vec![b'a'; blob::FIRST_FEW_BYTES];
    late_nul.push(0);
    assert!(
        !blob::is_binary(&late_nul),
        "only the first 8000 bytes are inspected"
    );
    late_nul[blob::FIRST_FEW_BYTES - 1] = 0;
    assert!(blob::is_binary(&late_nul));

    let options = blob::Options::default();
    assert!(matches!(
        blob::diff(Content::new(b"a\0"), Content::new(b"b"), &options),
        blob::Outcome::Binary {
            old_size: 2,
            new_size: 1
        }
    ));
    let text_attribute = Content {
        data: b"a\0",
        attribute: blob::Attribute::Text,
    };
    assert!(matches!(
        blob::diff(text_attribute, Content::new(b"b"), &options),
        blob::Outcome::Text(_)
    ));
    let binary_attribute = Content {
        data: b"plain",
        attribute: blob::Attribute::Binary,
    };
    assert!(matches!(
        blob::diff(Content::new(b""), binary_attribute, &options),
        blob::Outcome::Binary { .. }
    ));
}

#[test]
fn limits_report_too_large_as_data() {
    let big = numbered(0..100);
    let options = blob::Options {
        limits: Limits {
            max_bytes: u64::MAX,
            max_lines: 50,
        },
        ..blob::Options::default()
    };
    assert!(matches!(
        blob::diff(Content::new(&big), Content::new(b"x\n"), &options),
        blob::Outcome::TooLarge { new_size: 2, .. }
    ));
    let options = blob::Options {
        limits: Limits {
            max_bytes: 10,
            max_lines: u64::MAX,
        },
        ..blob::Options::default()
    };
    assert!(matches!(
        blob::diff(Content::new(b"x\n"), Content::new(&big), &options),
        blob::Outcome::TooLarge { .. }
    ));
    assert!(matches!(
        blob::diff(Content::new(b"x\n"), Content::new(b"y\n"), &options),
        blob::Outcome::Text(_)
    ));
}

/// Inputs that make naive diff algorithms quadratic, and whether histogram (which is quadratic
/// in git too when short unique common runs alternate with changes) is expected to be fast.
fn pathological_inputs() -> Vec<(&'static str, Vec<u8>, Vec<u8>, bool)> {
    let n = 50_000;
    let mut rng = Rng::new(7);
    let lines = |range: std::ops::Range<usize>, tag: &str| -> Vec<u8> {
        range
            .map(|i| format!("{tag} {i}\n"))
            .collect::<String>()
            .into_bytes()
    };
    let few_distinct = |rng: &mut Rng| -> Vec<u8> {
        (0..n)
            .map(|_| *rng.pick(&["a\n", "b\n", "c\n", "}\n"]))
            .collect::<String>()
            .into_bytes()
    };
    let mut shuffled_lines: Vec<usize> = (0..n).collect();
    for idx in (1..n).rev() {
        shuffled_lines.swap(idx, rng.below(idx + 1));
    }
    let interleaved = |n: usize| -> Vec<u8> {
        (0..n)
            .map(|i| {
                if i % 2 == 0 {
                    format!("line {i}\n")
                } else {
                    format!("other {i}\n")
                }
            })
            .collect::<String>()
            .into_bytes()
    };
    vec![
        (
            "every line changed",
            lines(0..n, "line"),
            lines(0..n, "changed"),
            true,
        ),
        (
            "few distinct lines",
            few_distinct(&mut rng),
            few_distinct(&mut rng),
            true,
        ),
        (
            "reversed",
            lines(0..n, "line"),
            (0..n)
                .rev()
                .map(|i| format!("line {i}\n"))
                .collect::<String>()
                .into_bytes(),
            true,
        ),
        (
            "shuffled",
            lines(0..n, "line"),
            shuffled_lines
                .iter()
                .map(|i| format!("line {i}\n"))
                .collect::<String>()
                .into_bytes(),
            true,
        ),
        (
            "every other line changed",
            lines(0..n, "line"),
            interleaved(n),
            false,
        ),
        (
            "every other line changed, 5k",
            lines(0..5000, "line"),
            interleaved(5000),
            true,
        ),
    ]
}

#[test]
fn fifty_thousand_changed_lines_diff_quickly() -> Result {
    for (name, old, new, histogram_is_fast) in pathological_inputs() {
        for algorithm in [Algorithm::Myers, Algorithm::Histogram] {
            if algorithm == Algorithm::Histogram && !histogram_is_fast {
                continue;
            }
            let start = Instant::now();
            let diff = Diff::compute(&old, &new, algorithm);
            let hunks = diff.hunks(&HunkOptions::default());
            let mut out = Vec::new();
            for hunk in &hunks {
                diff.write_hunk(&mut out, hunk);
            }
            let elapsed = start.elapsed();
            assert!(
                elapsed < Duration::from_secs(20),
                "{name} with {algorithm:?} took {elapsed:?} (debug build)"
            );
            assert!(!out.is_empty(), "{name}: something changed");
        }
    }
    Ok(())
}

#[test]
fn pathological_diffs_fit_a_one_mebibyte_stack() -> Result {
    // The browser gives wasm 1 MiB of stack; run the diffs on a thread with no more than that.
    let handle = std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(|| {
            let mut total = 0;
            for (_, old, new, histogram_is_fast) in pathological_inputs() {
                let old = &old[..old.len().min(400_000)];
                let new = &new[..new.len().min(400_000)];
                total += Diff::compute(old, new, Algorithm::Myers).insertions();
                if histogram_is_fast {
                    total += Diff::compute(old, new, Algorithm::Histogram).insertions();
                }
            }
            total
        })?;
    let total = handle
        .join()
        .map_err(|_| "the diff thread overflowed its stack")?;
    assert!(total > 0);
    Ok(())
}
