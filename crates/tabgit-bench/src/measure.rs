//! Running commands under `/usr/bin/time` and reporting paired ratios.
#![allow(clippy::cast_precision_loss)] // Reports only.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context as _};

/// Wall time and peak resident memory of one run.
#[derive(Clone, Copy, Debug)]
pub struct Run {
    /// Seconds.
    pub wall: f64,
    /// Peak RSS in KiB.
    pub max_rss_kib: u64,
}

/// The median of a list.
pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len() / 2).copied().unwrap_or(f64::NAN)
}

/// The release `tabgit` next to this binary.
pub fn tabgit_binary() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let path = exe.with_file_name("tabgit");
    if !path.exists() {
        bail!(
            "{} is missing: cargo build --release -p tabgit-cli",
            path.display()
        );
    }
    Ok(path)
}

/// Run `argv` once under `/usr/bin/time`, in `dir`, discarding its output.
pub fn run(argv: &[&str], dir: &Path) -> anyhow::Result<Run> {
    let started = std::time::Instant::now();
    let out = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("TABGIT_BENCH %e %M")
        .args(argv)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .context("cannot run /usr/bin/time (apt-get install time)")?;
    if !out.status.success() {
        bail!(
            "{} failed: {}",
            argv.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = stderr
        .lines()
        .find(|l| l.starts_with("TABGIT_BENCH "))
        .context("no timing line")?;
    let wall = started.elapsed().as_secs_f64();
    let mut parts = line.split_whitespace().skip(2);
    let max_rss_kib: u64 = parts.next().context("rss")?.parse()?;
    Ok(Run { wall, max_rss_kib })
}

/// Run every command `pairs` times, interleaved, so each round compares runs taken at the
/// same moment. Returns the runs per command.
pub fn paired(commands: &[&[&str]], pairs: usize, dir: &Path) -> anyhow::Result<Vec<Vec<Run>>> {
    let mut runs = vec![Vec::new(); commands.len()];
    for _ in 0..pairs {
        for (idx, argv) in commands.iter().enumerate() {
            runs[idx].push(run(argv, dir)?);
        }
    }
    Ok(runs)
}

/// Print a Markdown table: median wall time, median ratio to the last command per round, and
/// peak RSS, for each command.
pub fn print_table(names: &[&str], runs: &[Vec<Run>]) {
    let reference = &runs[1.min(runs.len() - 1)];
    println!(
        "| what | median wall | ratio to {} (median of pairs) | peak RSS |",
        names[1.min(names.len() - 1)]
    );
    println!("|---|---|---|---|");
    for (name, list) in names.iter().zip(runs) {
        let walls: Vec<f64> = list.iter().map(|r| r.wall).collect();
        let ratios: Vec<f64> = list
            .iter()
            .zip(reference)
            .map(|(a, b)| a.wall / b.wall.max(0.001))
            .collect();
        let rss = list.iter().map(|r| r.max_rss_kib).max().unwrap_or(0);
        println!(
            "| {name} | {:.2} s | {:.2}× | {:.1} MiB |",
            median(&walls),
            median(&ratios),
            rss as f64 / 1024.0
        );
    }
    println!("({} pairs)", runs.first().map_or(0, Vec::len));
}
