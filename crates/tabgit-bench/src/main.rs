//! `tabgit-bench`: measure tabgit against native git on the same inputs, in one run, and
//! report ratios (the machine is shared and noisy; ratios of paired runs are what is stable).
//!
//! Build with `cargo build --release -p tabgit-bench -p tabgit-cli`, then run, for example,
//! `target/release/tabgit-bench index-pack target/fixtures/large.git`. `scripts/bench` runs
//! the whole set and prints the tables for BENCHMARKS.md.
#![forbid(unsafe_code)]
// Reports print sizes and rates as floating point; the precision lost is far below noise.
#![allow(clippy::cast_precision_loss)]

mod history;
mod measure;

use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "tabgit-bench", about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// SHA-1 of every object of a repository: `sha1_smol` against collision-detecting `sha1-checked`.
    Sha1 {
        /// A git directory.
        git_dir: PathBuf,
        /// Rounds over all objects.
        #[arg(long, default_value_t = 3)]
        rounds: usize,
    },
    /// `tabgit index-pack` against `git index-pack --threads=1` and with all threads.
    IndexPack {
        /// A git directory with one pack.
        git_dir: PathBuf,
        /// Pairs of runs.
        #[arg(long, default_value_t = 3)]
        pairs: usize,
    },
    /// `tabgit clone` against `git clone` from the local git server (full and `--depth 1`).
    Clone {
        /// A bare repository to serve.
        git_dir: PathBuf,
        /// Pairs of runs.
        #[arg(long, default_value_t = 3)]
        pairs: usize,
    },
    /// `tabgit status` against `git status` in a checkout of the repository: unchanged, and
    /// with 100 modified files.
    Status {
        /// A bare repository to check out.
        git_dir: PathBuf,
        /// Pairs of runs.
        #[arg(long, default_value_t = 5)]
        pairs: usize,
    },
    /// Opening a repository and resolving HEAD: `tabgit rev-parse HEAD` against git's.
    Open {
        /// A git directory.
        git_dir: PathBuf,
        /// Pairs of runs.
        #[arg(long, default_value_t = 5)]
        pairs: usize,
    },
    /// `tabgit log -n <count>` against `git log` (the history view's walk).
    Log {
        /// A git directory.
        git_dir: PathBuf,
        /// Commits to list.
        #[arg(long, default_value_t = 10_000)]
        count: usize,
        /// Pairs of runs.
        #[arg(long, default_value_t = 5)]
        pairs: usize,
    },
    /// `tabgit diff` between two distant commits against `git diff` (patch and `--stat`).
    Diff {
        /// A git directory.
        git_dir: PathBuf,
        /// How many first-parent commits apart the two commits are.
        #[arg(long, default_value_t = 2_000)]
        distance: usize,
        /// Pairs of runs.
        #[arg(long, default_value_t = 5)]
        pairs: usize,
    },
    /// `tabgit blame --porcelain` of a long, often-changed file against `git blame`.
    Blame {
        /// A git directory.
        git_dir: PathBuf,
        /// The file; by default the largest text file that five or more commits changed.
        #[arg(long)]
        path: Option<String>,
        /// Pairs of runs.
        #[arg(long, default_value_t = 3)]
        pairs: usize,
    },
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Sha1 { git_dir, rounds } => sha1(&git_dir, rounds),
        Command::IndexPack { git_dir, pairs } => index_pack(&git_dir, pairs),
        Command::Open { git_dir, pairs } => open(&git_dir, pairs),
        Command::Clone { git_dir, pairs } => clone(&git_dir, pairs),
        Command::Status { git_dir, pairs } => status(&git_dir, pairs),
        Command::Log {
            git_dir,
            count,
            pairs,
        } => history::log(&git_dir, count, pairs),
        Command::Diff {
            git_dir,
            distance,
            pairs,
        } => history::diff(&git_dir, distance, pairs),
        Command::Blame {
            git_dir,
            path,
            pairs,
        } => history::blame(&git_dir, path.as_deref(), pairs),
    }
}

fn sha1(git_dir: &std::path::Path, rounds: usize) -> anyhow::Result<()> {
    use sha1_checked::Digest as _;
    let odb = tabgit_store::odb::Odb::open(tabgit_store::files::FsFiles::new(git_dir))?;
    let mut objects = Vec::new();
    let mut ids = odb.all_ids()?;
    ids.sort();
    ids.dedup();
    let mut buf = Vec::new();
    for id in ids {
        if let Some(kind) = odb.find(&id, &mut buf)? {
            let mut raw = tabgit_object::loose::encode_header(kind, buf.len() as u64);
            raw.extend_from_slice(&buf);
            objects.push(raw);
        }
    }
    let total: usize = objects.iter().map(Vec::len).sum();
    println!(
        "objects: {}, bytes hashed per round: {:.1} MiB",
        objects.len(),
        total as f64 / f64::from(1u32 << 20)
    );
    let mut smol = Vec::new();
    let mut checked = Vec::new();
    for _ in 0..rounds {
        let start = std::time::Instant::now();
        let mut acc = 0u8;
        for raw in &objects {
            acc ^= sha1_smol::Sha1::from(raw).digest().bytes()[0];
        }
        smol.push(start.elapsed().as_secs_f64());
        let start = std::time::Instant::now();
        for raw in &objects {
            acc ^= sha1_checked::Sha1::digest(raw)[0];
        }
        checked.push(start.elapsed().as_secs_f64());
        std::hint::black_box(acc);
    }
    let mib = total as f64 / f64::from(1u32 << 20);
    let (s, c) = (measure::median(&smol), measure::median(&checked));
    println!("| sha1_smol | {:.3} s | {:.0} MiB/s |", s, mib / s);
    println!(
        "| sha1-checked (collision detection) | {:.3} s | {:.0} MiB/s |",
        c,
        mib / c
    );
    println!("sha1-checked / sha1_smol time ratio: {:.2}", c / s);
    Ok(())
}

fn the_pack(git_dir: &std::path::Path) -> anyhow::Result<PathBuf> {
    let dir = git_dir.join("objects/pack");
    std::fs::read_dir(&dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "pack"))
        .context("no pack")
}

fn index_pack(git_dir: &std::path::Path, pairs: usize) -> anyhow::Result<()> {
    let pack = the_pack(git_dir)?;
    let tmp = tabgit_testtools::tempdir().map_err(|e| anyhow::anyhow!("{e}"))?;
    let copy = tmp.path().join("bench.pack");
    std::fs::copy(&pack, &copy)?;
    let size = std::fs::metadata(&copy)?.len();
    println!(
        "pack: {} ({:.1} MiB)",
        pack.display(),
        size as f64 / f64::from(1u32 << 20)
    );
    let tabgit = measure::tabgit_binary()?;
    let copy_str = copy.to_str().context("utf-8 path")?;
    let ours = [
        tabgit.to_str().context("utf-8")?,
        "index-pack",
        "-o",
        "ours.idx",
        copy_str,
    ];
    let git_one = [
        "git",
        "index-pack",
        "--threads=1",
        "-o",
        "git1.idx",
        copy_str,
    ];
    let git_all = ["git", "index-pack", "-o", "gitall.idx", copy_str];
    let report = measure::paired(&[&ours, &git_one, &git_all], pairs, tmp.path())?;
    let same =
        std::fs::read(tmp.path().join("ours.idx"))? == std::fs::read(tmp.path().join("git1.idx"))?;
    println!("our .idx equals git's: {same}");
    measure::print_table(
        &[
            "tabgit index-pack",
            "git index-pack --threads=1",
            "git index-pack (all threads)",
        ],
        &report,
    );
    Ok(())
}

fn open(git_dir: &std::path::Path, pairs: usize) -> anyhow::Result<()> {
    let tabgit = measure::tabgit_binary()?;
    let git_dir = &std::fs::canonicalize(git_dir)?;
    let dir = git_dir.to_str().context("utf-8")?;
    let ours = [
        tabgit.to_str().context("utf-8")?,
        "-C",
        dir,
        "log",
        "-n",
        "1",
        "--format=%H %s",
    ];
    let git = ["git", "-C", dir, "log", "-n", "1", "--format=%H %s"];
    let report = measure::paired(&[&ours, &git], pairs, git_dir)?;
    measure::print_table(&["tabgit: open + log -1", "git: open + log -1"], &report);
    Ok(())
}

fn clone(git_dir: &std::path::Path, pairs: usize) -> anyhow::Result<()> {
    let git_dir = std::fs::canonicalize(git_dir)?;
    let root = git_dir
        .parent()
        .context("repository has a parent directory")?;
    let name = git_dir
        .file_name()
        .and_then(|n| n.to_str())
        .context("utf-8 name")?;
    let server = tabgit_gitserver::start(tabgit_gitserver::Config {
        log: false,
        ..tabgit_gitserver::Config::new(root)
    })?;
    let url = format!("{}/{name}", server.url());
    let tabgit = measure::tabgit_binary()?;
    let tabgit = tabgit.to_str().context("utf-8")?;
    let tmp = tabgit_testtools::tempdir().map_err(|e| anyhow::anyhow!("{e}"))?;
    for (label, extra) in [("full clone", None), ("--depth 1", Some("--depth=1"))] {
        let mut runs = vec![Vec::new(), Vec::new()];
        for round in 0..pairs {
            for (idx, program) in [tabgit, "git"].into_iter().enumerate() {
                let dest = tmp.path().join(format!("c{round}-{idx}"));
                let dest = dest.to_str().context("utf-8")?.to_owned();
                let mut argv = vec![program, "clone", "-q"];
                if let Some(extra) = extra {
                    argv.push(extra);
                }
                argv.push(&url);
                argv.push(&dest);
                runs[idx].push(measure::run(&argv, tmp.path())?);
                std::fs::remove_dir_all(&dest)?;
            }
        }
        println!("\n{name}, {label}:");
        measure::print_table(
            &[
                &format!("tabgit clone {}", extra.unwrap_or("")),
                &format!("git clone {}", extra.unwrap_or("")),
            ],
            &runs,
        );
    }
    Ok(())
}

fn status(git_dir: &std::path::Path, pairs: usize) -> anyhow::Result<()> {
    use std::os::unix::ffi::OsStrExt as _;
    let git_dir = std::fs::canonicalize(git_dir)?;
    let tmp = tabgit_testtools::tempdir().map_err(|e| anyhow::anyhow!("{e}"))?;
    let work = tmp.path().join("work");
    let clone = std::process::Command::new("git")
        .args(["clone", "-q"])
        .arg(&git_dir)
        .arg(&work)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .status()?;
    anyhow::ensure!(clone.success(), "git clone failed");
    let tabgit = measure::tabgit_binary()?;
    let tabgit = tabgit.to_str().context("utf-8")?;
    // Settle the index: no entry racily clean, stat data fresh for both tools.
    for _ in 0..2 {
        std::thread::sleep(std::time::Duration::from_millis(1100));
        measure::run(&["git", "status", "--porcelain=v2"], &work)?;
    }
    let listing = std::process::Command::new("git")
        .args(["ls-files", "-z"])
        .current_dir(&work)
        .output()?
        .stdout;
    let files: Vec<&[u8]> = listing
        .split(|&b| b == 0)
        .filter(|p| !p.is_empty())
        .collect();
    println!("checkout of {}: {} files", git_dir.display(), files.len());
    let ours = [tabgit, "status", "--porcelain=v2"];
    let git = ["git", "status", "--porcelain=v2"];
    println!("\nunchanged tree:");
    let report = measure::paired(&[&ours, &git], pairs, &work)?;
    measure::print_table(&["tabgit status", "git status"], &report);

    let step = (files.len() / 100).max(1);
    let mut changed = 0;
    for path in files.iter().step_by(step).take(100) {
        let full = work.join(std::ffi::OsStr::from_bytes(path));
        let mut data = std::fs::read(&full)?;
        data.extend_from_slice(b"changed for the benchmark\n");
        std::fs::write(&full, data)?;
        changed += 1;
    }
    std::thread::sleep(std::time::Duration::from_millis(1100));
    println!("\n{changed} files changed:");
    let report = measure::paired(&[&ours, &git], pairs, &work)?;
    measure::print_table(&["tabgit status", "git status"], &report);
    Ok(())
}
