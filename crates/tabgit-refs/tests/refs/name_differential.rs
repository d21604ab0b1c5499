//! Differential test: thousands of generated names, each checked by `git check-ref-format` in every
//! mode and by [`tabgit_refs::name`]; the answers must agree.
//!
//! `git check-ref-format` takes one name per process and has no `--stdin`, so the names are spread
//! over a few threads, each running one git process per name and mode.
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt as _;
use std::path::Path;
use std::process::Stdio;

use tabgit_refs::name;
use tabgit_testtools::{git_command, tempdir, Result};

/// The modes compared: the arguments given to git, and our check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Default,
    AllowOnelevel,
    RefspecPattern,
    Branch,
}

impl Mode {
    const ALL: [Mode; 4] = [
        Mode::Default,
        Mode::AllowOnelevel,
        Mode::RefspecPattern,
        Mode::Branch,
    ];

    fn args(self) -> &'static [&'static str] {
        match self {
            Mode::Default => &[],
            Mode::AllowOnelevel => &["--allow-onelevel"],
            Mode::RefspecPattern => &["--refspec-pattern"],
            Mode::Branch => &["--branch"],
        }
    }

    fn ours(self, candidate: &[u8]) -> bool {
        let options = |allow_onelevel, refspec_pattern| name::Options {
            allow_onelevel,
            refspec_pattern,
        };
        match self {
            Mode::Default => name::is_valid(candidate, options(false, false)),
            Mode::AllowOnelevel => name::is_valid(candidate, options(true, false)),
            Mode::RefspecPattern => name::is_valid(candidate, options(false, true)),
            Mode::Branch => name::is_valid_branch_name(candidate),
        }
    }

    /// Whether git can be asked at all: names are argv strings (no NUL), and outside `--branch`
    /// git reads a leading `-` as an option and prints its usage.
    fn comparable(self, candidate: &[u8]) -> bool {
        !candidate.contains(&0) && (self == Mode::Branch || candidate.first() != Some(&b'-'))
    }
}

/// Ask native git; `dir` is outside any repository so `--branch` does not expand `@{-1}`.
fn git_accepts(dir: &Path, mode: Mode, candidate: &[u8]) -> Result<bool> {
    let status = git_command(dir)
        .env("GIT_CEILING_DIRECTORIES", dir.parent().unwrap_or(dir))
        .arg("check-ref-format")
        .args(mode.args())
        .arg(OsStr::from_bytes(candidate))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()?;
    match status.code() {
        Some(0) => Ok(true),
        Some(1 | 128) => Ok(false),
        other => Err(format!(
            "git check-ref-format {mode:?} {:?} exited with {other:?}",
            String::from_utf8_lossy(candidate)
        )
        .into()),
    }
}

/// splitmix64: a tiny seeded generator, so the names are the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Hand-picked edge cases of every rule of `git-check-ref-format.adoc`.
fn edge_cases() -> Vec<Vec<u8>> {
    let fixed: &[&[u8]] = &[
        b"",
        b"@",
        b"@@",
        b"HEAD",
        b"main",
        b"refs/heads/main",
        b"refs/heads/@",
        b"refs/heads/@{",
        b"refs/heads/a@{b",
        b"refs/heads/a@b{",
        b"refs/heads/@}",
        b"refs/heads/{@",
        b"/refs/heads/main",
        b"refs/heads/main/",
        b"refs//heads",
        b"refs/heads/.hidden",
        b"refs/heads/a.",
        b"refs/heads/a..b",
        b"refs/heads/a.b",
        b"refs/heads/.",
        b"refs/heads/..",
        b"refs/heads/x.lock",
        b"refs/heads/x.lock/y",
        b"refs/heads/.lock",
        b"refs/heads/lock",
        b"refs/heads/x.lockx",
        b"refs/heads/x.LOCK",
        b"refs/heads/x.lock.lock",
        b"refs/heads/*",
        b"refs/*/main",
        b"refs/heads/a*b",
        b"refs/heads/**",
        b"refs/*/*",
        b"*",
        b"*/*",
        b"a/*",
        b"refs/heads/a b",
        b"refs/heads/a\tb",
        b"refs/heads/a~1",
        b"refs/heads/a^",
        b"refs/heads/a:b",
        b"refs/heads/a?",
        b"refs/heads/a[b",
        b"refs/heads/a]b",
        b"refs/heads/a\\b",
        b"refs/heads/a\x7fb",
        b"refs/heads/a\x01b",
        b"refs/heads/-dash",
        b"-dash",
        b"-",
        b"--allow-onelevel",
        b"refs/heads/\xc3\xa9t\xc3\xa9",
        b"refs/heads/\xff\xfe",
        b"refs/heads/\xe2\x80\x8b",
        b".",
        b"..",
        b"/",
        b"//",
        b"a/",
        b"a/.",
        b"a/b.",
        b"a./b",
        b"a/.b",
        b"a/b/.lock/c",
        b"foo.lock",
        b"refs/tags/v1.0",
        b"refs/remotes/origin/HEAD",
        b"@/x",
        b"x/@",
        b"x@{y}/z",
        b"refs/heads/x@",
        b"{/}",
        b"refs/heads/a/b/c/d/e/f/g",
        b"HEAD@{1}",
        b"main@{upstream}",
        b"refs/heads/HEAD",
    ];
    let mut names: Vec<Vec<u8>> = fixed.iter().map(|name| name.to_vec()).collect();
    // Every byte value in the middle, at the start and at the end of a component.
    for byte in 1..=255u8 {
        if byte == b'/' {
            continue;
        }
        names.push([&b"refs/heads/a"[..], &[byte], b"b"].concat());
        names.push([&[byte][..], b"x/y"].concat());
        names.push([&b"x/y"[..], &[byte]].concat());
    }
    names
}

/// Random names over a hostile alphabet.
fn random_names(rng: &mut Rng, n_names: usize) -> Vec<Vec<u8>> {
    let alphabet: &[&[u8]] = &[
        b".",
        b".",
        b"/",
        b"/",
        b"@",
        b"{",
        b"}",
        b"~",
        b"^",
        b":",
        b"?",
        b"*",
        b"[",
        b"\\",
        b" ",
        b"\t",
        b"\x01",
        b"\x1f",
        b"\x7f",
        b"lock",
        b".lock",
        b"a",
        b"b",
        b"refs",
        b"heads",
        b"-",
        b"\xc3\xa9",
        b"\xff",
        b"HEAD",
        b"x",
        b"0",
    ];
    (0..n_names)
        .map(|_| {
            let n_tokens = 1 + rng.below(7);
            let mut candidate = Vec::new();
            if rng.below(3) == 0 {
                candidate.extend_from_slice(b"refs/heads/");
            }
            for _ in 0..n_tokens {
                candidate.extend_from_slice(alphabet[rng.below(alphabet.len())]);
            }
            candidate
        })
        .collect()
}

#[test]
fn check_ref_format_agrees_with_git() -> Result {
    let mut rng = Rng(0x007a_b617);
    let mut names = edge_cases();
    names.extend(random_names(&mut rng, 1500));
    names.sort();
    names.dedup();

    let tmp = tempdir()?;
    let dir = tmp.path().join("not-a-repository");
    std::fs::create_dir(&dir)?;

    let n_threads = 3;
    let chunk_len = names.len().div_ceil(n_threads);
    let results: Vec<Result<(usize, usize, Vec<String>)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = names
            .chunks(chunk_len)
            .map(|chunk| {
                let dir = &dir;
                scope.spawn(move || -> Result<(usize, usize, Vec<String>)> {
                    let (mut n_compared, mut n_skipped, mut disagreements) = (0, 0, Vec::new());
                    for candidate in chunk {
                        for mode in Mode::ALL {
                            if !mode.comparable(candidate) {
                                n_skipped += 1;
                                continue;
                            }
                            let theirs = git_accepts(dir, mode, candidate)?;
                            let ours = mode.ours(candidate);
                            n_compared += 1;
                            if theirs != ours {
                                disagreements.push(format!(
                                    "{mode:?} {:?}: git {theirs}, ours {ours}",
                                    String::from_utf8_lossy(candidate)
                                ));
                            }
                        }
                    }
                    Ok((n_compared, n_skipped, disagreements))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|_| Err("thread panicked".into()))
            })
            .collect()
    });
    let (mut n_compared, mut n_skipped, mut disagreements) = (0, 0, Vec::new());
    for res in results {
        let (compared, skipped, mut found) = res?;
        n_compared += compared;
        n_skipped += skipped;
        disagreements.append(&mut found);
    }
    eprintln!(
        "check-ref-format: {} names, {n_compared} comparisons with git, {} agreements, {n_skipped} skipped (NUL or leading '-')",
        names.len(),
        n_compared - disagreements.len()
    );
    assert!(
        disagreements.is_empty(),
        "our ref name rules agree with git check-ref-format:\n{}",
        disagreements.join("\n")
    );
    assert!(names.len() > 2000, "a few thousand names are compared");
    Ok(())
}

#[test]
fn nul_is_refused_everywhere() {
    for candidate in [&b"refs/heads/a\0b"[..], b"\0", b"a\0"] {
        for mode in Mode::ALL {
            assert!(
                !mode.ours(candidate),
                "{mode:?} refuses NUL in {candidate:?}"
            );
        }
    }
}
