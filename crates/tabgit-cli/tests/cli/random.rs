//! Random sequences of everyday commands, applied with native git and with tabgit from the same
//! seed and compared after every step.
//!
//! Every step is compared with the cheaper check (status, index, history, working tree); every
//! fourth sequence ends with the full one (reflogs, refs, stashes, `git fsck --strict`).
//!
//! `TABGIT_RANDOM_SEQUENCES=<n>` runs more sequences (the default, 200, is split over four
//! tests that run in parallel); `TABGIT_RANDOM_SEED=<seed>` replays one sequence.
use std::path::{Path, PathBuf};

use tabgit_testtools::{git, tempdir, Result, TempDir};

use crate::pair::Pair;

/// xorshift64*: small, deterministic, good enough to pick commands.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03 | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            None
        } else {
            Some(&items[self.below(items.len())])
        }
    }
}

/// The repository every sequence starts from: a few files in nested directories, an ignore
/// file, and a second branch that changes some of them.
fn source() -> Result<(TempDir, PathBuf)> {
    let tmp = tempdir()?;
    let work = tmp.path().join("work");
    std::fs::create_dir_all(&work)?;
    git(&work, &["init", "-q", "-b", "main"])?;
    let write = |path: &str, lines: usize, salt: &str| -> Result {
        let full = work.join(path);
        std::fs::create_dir_all(full.parent().ok_or("parent")?)?;
        let text: String = (0..lines)
            .map(|i| format!("{path} line {i} {salt}\n"))
            .collect();
        std::fs::write(full, text)?;
        Ok(())
    };
    for (path, lines) in [
        ("a.txt", 5),
        ("b.txt", 8),
        ("dir/c.txt", 6),
        ("dir/sub/d.txt", 4),
        ("other/e.txt", 7),
    ] {
        write(path, lines, "base")?;
    }
    std::fs::write(work.join(".gitignore"), "*.tmp\nignored/\n")?;
    git(&work, &["add", "-A"])?;
    git(&work, &["commit", "-qm", "base"])?;
    git(&work, &["switch", "-q", "-c", "other"])?;
    write("b.txt", 8, "other")?;
    write("dir/new-on-other.txt", 3, "other")?;
    git(&work, &["add", "-A"])?;
    git(&work, &["commit", "-qm", "other branch"])?;
    git(&work, &["switch", "-q", "main"])?;
    write("a.txt", 5, "main")?;
    git(&work, &["commit", "-qam", "main moves"])?;
    git(tmp.path(), &["clone", "-q", "--bare", "work", "source.git"])?;
    let path = tmp.path().join("source.git");
    Ok((tmp, path))
}

/// The files of a working tree (outside `.git`), sorted, as `/`-separated paths.
fn files(root: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            if entry.file_name() == ".git" {
                continue;
            }
            let path = entry.path();
            if entry.file_type()?.is_dir() {
                stack.push(path);
            } else {
                out.push(path.strip_prefix(root)?.to_string_lossy().into_owned());
            }
        }
    }
    out.sort();
    Ok(out)
}

fn branches(dir: &Path) -> Result<Vec<String>> {
    Ok(String::from_utf8(git(
        dir,
        &["for-each-ref", "--format=%(refname:short)", "refs/heads/"],
    )?)?
    .lines()
    .map(str::to_owned)
    .collect())
}

const DIRS: &[&str] = &["", "dir/", "dir/sub/", "other/", "fresh/", "ignored/"];
const NAMES: &[&str] = &["a.txt", "b.txt", "n1.txt", "n2.txt", "x.tmp", "c.txt"];

/// One step: mutate both copies the same way, or run one command in both.
fn step(pair: &Pair, rng: &mut Rng, log: &mut Vec<String>) -> Result {
    let existing = files(&pair.theirs)?;
    let choice = rng.below(20);
    let name = |rng: &mut Rng| -> String {
        format!(
            "{}{}",
            rng.pick(DIRS).copied().unwrap_or(""),
            rng.pick(NAMES).copied().unwrap_or("n.txt")
        )
    };
    match choice {
        0..=3 => {
            // Edit a file: change one line, append one, or truncate.
            let Some(path) = rng.pick(&existing).cloned() else {
                return Ok(());
            };
            let kind = rng.below(3);
            let salt = rng.next() % 1000;
            log.push(format!("edit {path} ({kind})"));
            pair.both(|dir| {
                let full = dir.join(&path);
                let mut text = std::fs::read_to_string(&full).unwrap_or_default();
                match kind {
                    0 => text = text.replacen("line", &format!("LINE{salt}"), 1),
                    1 => text.push_str(&format!("appended {salt}\n")),
                    _ => text = format!("rewritten {salt}\n"),
                }
                std::fs::write(&full, text)?;
                Ok(())
            })?;
        }
        4 | 5 => {
            let path = name(rng);
            let salt = rng.next() % 1000;
            log.push(format!("create {path}"));
            pair.both(|dir| {
                let full = dir.join(&path);
                std::fs::create_dir_all(full.parent().ok_or("parent")?)?;
                std::fs::write(full, format!("created {salt}\n"))?;
                Ok(())
            })?;
        }
        6 => {
            let Some(path) = rng.pick(&existing).cloned() else {
                return Ok(());
            };
            log.push(format!("delete {path}"));
            pair.both(|dir| Ok(std::fs::remove_file(dir.join(&path))?))?;
        }
        7 | 8 => {
            let args: Vec<String> = match rng.below(4) {
                0 => vec!["add".into(), "-A".into()],
                1 => vec!["add".into(), "-u".into()],
                2 => vec!["add".into(), ".".into()],
                _ => match rng.pick(&existing) {
                    Some(path) => vec!["add".into(), path.clone()],
                    None => return Ok(()),
                },
            };
            run(pair, &args, log)?;
        }
        9 | 10 => {
            let message = format!("commit {}", rng.next() % 1000);
            let all = rng.below(2) == 0;
            let mut args = vec!["commit".to_owned(), "-m".to_owned(), message];
            if all {
                args.push("-a".into());
            }
            run(pair, &args, log)?;
        }
        11 => {
            let Some(path) = rng.pick(&existing).cloned() else {
                return Ok(());
            };
            let cached = rng.below(2) == 0;
            let mut args = vec!["rm".to_owned(), "-q".to_owned()];
            if cached {
                args.push("--cached".into());
            }
            args.push(path);
            run(pair, &args, log)?;
        }
        12 => {
            let Some(path) = rng.pick(&existing).cloned() else {
                return Ok(());
            };
            // Into a directory that has files: `git mv` leaves emptied directories behind
            // (tabgit's stores do not keep empty directories), so only those are certain to
            // exist on both sides.
            let target = name(rng);
            let parent_has_files = match target.rfind('/') {
                Some(slash) => existing.iter().any(|f| f.starts_with(&target[..=slash])),
                None => true,
            };
            if !parent_has_files {
                return Ok(());
            }
            run(pair, &["mv".into(), path, target], log)?;
        }
        13 => {
            let name = format!("b{}", rng.below(4));
            run(pair, &["branch".into(), name], log)?;
        }
        14 | 15 => {
            let mut targets = branches(&pair.theirs)?;
            targets.push("other".into());
            let Some(target) = rng.pick(&targets).cloned() else {
                return Ok(());
            };
            if rng.below(4) == 0 {
                run(
                    pair,
                    &["switch".into(), "-c".into(), format!("c{}", rng.below(4))],
                    log,
                )?;
            } else {
                run(pair, &["switch".into(), target], log)?;
            }
        }
        16 => {
            let args: Vec<String> = match rng.below(3) {
                0 => vec!["reset".into(), "--hard".into()],
                1 => vec!["reset".into(), "HEAD~1".into()],
                _ => vec!["reset".into(), "--soft".into(), "HEAD~1".into()],
            };
            run(pair, &args, log)?;
        }
        17 => {
            let Some(path) = rng.pick(&existing).cloned() else {
                return Ok(());
            };
            let staged = rng.below(2) == 0;
            let mut args = vec!["restore".to_owned()];
            if staged {
                args.push("--staged".into());
            }
            args.push(path);
            run(pair, &args, log)?;
        }
        _ => {
            let args: Vec<String> = if rng.below(2) == 0 {
                vec!["stash".into()]
            } else {
                vec!["stash".into(), "pop".into()]
            };
            run(pair, &args, log)?;
        }
    }
    Ok(())
}

fn run(pair: &Pair, args: &[String], log: &mut Vec<String>) -> Result {
    log.push(args.join(" "));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    pair.run(&args).map(drop)
}

fn sequence(source: &Path, seed: u64) -> Result {
    let pair = Pair::clone_of(source)?;
    let mut rng = Rng::new(seed);
    let mut log = Vec::new();
    let steps = 3 + rng.below(3);
    for idx in 0..steps {
        let res =
            step(&pair, &mut rng, &mut log).and_then(|()| pair.check_quick(&format!("step {idx}")));
        if let Err(err) = res {
            return Err(format!("seed {seed}, after {log:?}: {err}").into());
        }
    }
    // The full comparison (reflogs, refs, stashes, `git fsck --strict`) for every fourth
    // sequence keeps the default run short.
    if !seed.is_multiple_of(4) {
        return Ok(());
    }
    pair.check(&format!("seed {seed} end"))
        .map_err(|e| format!("seed {seed}, after {log:?}: {e}").into())
}

fn sequences(part: u64, parts: u64) -> Result {
    if let Some(seed) = std::env::var("TABGIT_RANDOM_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        if part == 0 {
            let (_tmp, source) = source()?;
            sequence(&source, seed)?;
        }
        return Ok(());
    }
    let total: u64 = std::env::var("TABGIT_RANDOM_SEQUENCES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let (_tmp, source) = source()?;
    for seed in (part..total).step_by(parts as usize) {
        sequence(&source, seed)?;
    }
    Ok(())
}

#[test]
fn random_sequences_part_0() -> Result {
    sequences(0, 4)
}

#[test]
fn random_sequences_part_1() -> Result {
    sequences(1, 4)
}

#[test]
fn random_sequences_part_2() -> Result {
    sequences(2, 4)
}

#[test]
fn random_sequences_part_3() -> Result {
    sequences(3, 4)
}
