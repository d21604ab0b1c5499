//! History benchmarks: `log` of many commits, `diff` between distant commits, `blame` of a long
//! file — `tabgit` against native git on the same repository, paired runs.

use std::path::Path;
use std::process::Command;

use anyhow::Context as _;

use crate::measure;

fn git_text(git_dir: &Path, args: &[&str]) -> anyhow::Result<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(git_dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()?;
    anyhow::ensure!(out.status.success(), "git {} failed", args.join(" "));
    Ok(String::from_utf8(out.stdout)?.trim_end().to_owned())
}

/// Check that both produce the same output, then time them.
fn compare(git_dir: &Path, names: [&str; 2], args: &[&str], pairs: usize) -> anyhow::Result<()> {
    let tabgit = measure::tabgit_binary()?;
    let dir = git_dir.to_str().context("utf-8")?;
    let mut ours = vec![tabgit.to_str().context("utf-8")?, "-C", dir];
    ours.extend_from_slice(args);
    let mut git = vec!["git", "-C", dir];
    git.extend_from_slice(args);
    let output = |argv: &[&str]| -> anyhow::Result<Vec<u8>> {
        Ok(Command::new(argv[0])
            .args(&argv[1..])
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()?
            .stdout)
    };
    let (a, b) = (output(&ours)?, output(&git)?);
    println!("output equal: {} ({} bytes)", a == b, b.len());
    let report = measure::paired(&[&ours, &git], pairs, git_dir)?;
    measure::print_table(&names, &report);
    Ok(())
}

/// `log -n <count> --format=%H`.
pub fn log(git_dir: &Path, count: usize, pairs: usize) -> anyhow::Result<()> {
    let git_dir = std::fs::canonicalize(git_dir)?;
    let count = count.to_string();
    println!("\nlog of {count} commits:");
    compare(
        &git_dir,
        ["tabgit log -n N --format=%H", "git log -n N --format=%H"],
        &["log", "-n", &count, "--format=%H"],
        pairs,
    )?;
    println!("\nlog of {count} commits, default format:");
    compare(
        &git_dir,
        ["tabgit log -n N", "git log -n N"],
        &["log", "-n", &count],
        pairs,
    )
}

/// `diff HEAD~<distance> HEAD`, as a patch and as `--stat`.
pub fn diff(git_dir: &Path, distance: usize, pairs: usize) -> anyhow::Result<()> {
    let git_dir = std::fs::canonicalize(git_dir)?;
    let old = git_text(&git_dir, &["rev-parse", &format!("HEAD~{distance}")])?;
    let new = git_text(&git_dir, &["rev-parse", "HEAD"])?;
    println!("\ndiff HEAD~{distance} HEAD (patch):");
    compare(
        &git_dir,
        ["tabgit diff A B", "git diff A B"],
        &["diff", &old, &new],
        pairs,
    )?;
    println!("\ndiff --stat HEAD~{distance} HEAD:");
    compare(
        &git_dir,
        ["tabgit diff --stat A B", "git diff --stat A B"],
        &["diff", "--stat", &old, &new],
        pairs,
    )
}

/// `blame --porcelain <path>`.
pub fn blame(git_dir: &Path, path: Option<&str>, pairs: usize) -> anyhow::Result<()> {
    let git_dir = std::fs::canonicalize(git_dir)?;
    let path = match path {
        Some(path) => path.to_owned(),
        None => busiest_text_file(&git_dir)?,
    };
    let lines = git_text(&git_dir, &["show", &format!("HEAD:{path}")])?
        .lines()
        .count();
    let commits = git_text(&git_dir, &["log", "--format=%H", "--", &path])?
        .lines()
        .count();
    println!("\nblame --porcelain {path} ({lines} lines, changed by {commits} commits):");
    compare(
        &git_dir,
        ["tabgit blame --porcelain", "git blame --porcelain"],
        &["blame", "--porcelain", &path],
        pairs,
    )
}

/// The longest text file (by size) that at least five commits changed: a long file with history.
fn busiest_text_file(git_dir: &Path) -> anyhow::Result<String> {
    let listing = git_text(git_dir, &["ls-tree", "-r", "-l", "HEAD"])?;
    let mut blobs: Vec<(u64, &str)> = listing
        .lines()
        .filter_map(|line| {
            let (meta, path) = line.split_once('\t')?;
            let size = meta.split_whitespace().nth(3)?.parse().ok()?;
            Some((size, path))
        })
        .collect();
    blobs.sort_by_key(|(size, path)| (std::cmp::Reverse(*size), *path));
    for (_, path) in blobs.into_iter().take(60) {
        let head = Command::new("git")
            .arg("-C")
            .arg(git_dir)
            .args(["cat-file", "-p", &format!("HEAD:{path}")])
            .output()?
            .stdout;
        if head[..head.len().min(8000)].contains(&0) {
            continue;
        }
        let commits = git_text(git_dir, &["log", "--format=%H", "--", path])?
            .lines()
            .count();
        if commits >= 5 {
            return Ok(path.to_owned());
        }
    }
    anyhow::bail!("no text file to blame")
}
