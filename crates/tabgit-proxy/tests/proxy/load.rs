//! The load test, on loopback only and bounded: clones of a generated repository through the
//! proxy binary, `concurrency` at a time, against the same clones made directly; then one clone
//! of a large incompressible repository each way.
//!
//! It asserts zero failed clones and a flat proxy peak memory (`VmHWM` of the proxy process):
//! flat with respect to the number of requests (the peak after a first round of `concurrency`
//! clones does not grow over all the others) and to the response size (a clone of a pack of
//! `big_mib` MiB does not raise it by more than a few MiB). It prints throughput and added
//! latency as ratios against going direct.
//!
//! The default run is short (64 clones of `demo`). The large run of the benchmarks is opt-in:
//!
//! ```text
//! TABGIT_PROXY_LOAD_CLONES=1000 TABGIT_PROXY_LOAD_FIXTURE=medium TABGIT_PROXY_LOAD_DIRECT_CLONES=100 \
//!   cargo test --release -p tabgit-proxy --test proxy -- load --nocapture
//! ```
//!
//! | variable | default | meaning |
//! | --- | --- | --- |
//! | `TABGIT_PROXY_LOAD_CLONES` | 64 | clones through the proxy |
//! | `TABGIT_PROXY_LOAD_CONCURRENCY` | 32 | clones at a time |
//! | `TABGIT_PROXY_LOAD_FIXTURE` | `demo` | the generated repository cloned (`tests/fixtures/make-repos.sh`) |
//! | `TABGIT_PROXY_LOAD_DIRECT_CLONES` | as many as through the proxy | clones made directly, for the throughput ratio |
//! | `TABGIT_PROXY_LOAD_BIG_MIB` | 32 | size of the incompressible file in the large-response clone |
//! | `TABGIT_PROXY_LOAD_REPORT` | unset | also write the report (markdown) to this file |

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    process::Stdio,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex, PoisonError,
    },
    time::{Duration, Instant},
};

use crate::{
    cli::{binary, spawn},
    support::{get, git, gitserver, FakeUpstream, Repos},
    Result,
};

struct Settings {
    clones: usize,
    concurrency: usize,
    fixture: String,
    direct_clones: usize,
    big_mib: usize,
    report: Option<PathBuf>,
}

fn env_number(name: &str, default: usize) -> Result<usize> {
    match std::env::var(name) {
        Ok(value) => Ok(value
            .parse()
            .map_err(|err| format!("{name}={value}: {err}"))?),
        Err(_) => Ok(default),
    }
}

impl Settings {
    fn from_env() -> Result<Settings> {
        let clones = env_number("TABGIT_PROXY_LOAD_CLONES", 64)?;
        Ok(Settings {
            clones,
            concurrency: env_number("TABGIT_PROXY_LOAD_CONCURRENCY", 32)?.max(1),
            fixture: std::env::var("TABGIT_PROXY_LOAD_FIXTURE").unwrap_or_else(|_| "demo".into()),
            direct_clones: env_number("TABGIT_PROXY_LOAD_DIRECT_CLONES", clones)?,
            big_mib: env_number("TABGIT_PROXY_LOAD_BIG_MIB", 32)?,
            report: std::env::var_os("TABGIT_PROXY_LOAD_REPORT").map(PathBuf::from),
        })
    }
}

/// What a round of clones did.
struct Round {
    elapsed: Duration,
    failures: Vec<String>,
    durations: Vec<Duration>,
}

/// Clone `url` `count` times, `concurrency` at a time, each into a fresh directory that is
/// removed afterwards.
fn clone_round(url: &str, count: usize, concurrency: usize, scratch: &Path) -> Round {
    let next = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(Mutex::new(Vec::new()));
    let durations = Arc::new(Mutex::new(Vec::new()));
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency.min(count))
        .map(|_| {
            let (next, failures, durations) = (
                Arc::clone(&next),
                Arc::clone(&failures),
                Arc::clone(&durations),
            );
            let (url, scratch) = (url.to_owned(), scratch.to_owned());
            std::thread::spawn(move || loop {
                let index = next.fetch_add(1, Ordering::AcqRel);
                if index >= count {
                    return;
                }
                let dir = scratch.join(format!("clone-{index}"));
                let clone_started = Instant::now();
                let output = git(&scratch, None)
                    .args(["clone", "-q", "--bare", &url])
                    .arg(&dir)
                    .stdin(Stdio::null())
                    .output();
                let elapsed = clone_started.elapsed();
                let _ = std::fs::remove_dir_all(&dir);
                match output {
                    Ok(output) if output.status.success() => {
                        durations
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .push(elapsed);
                    }
                    Ok(output) => failures
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(String::from_utf8_lossy(&output.stderr).into_owned()),
                    Err(err) => failures
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(err.to_string()),
                }
            })
        })
        .collect();
    for worker in workers {
        let _ = worker.join();
    }
    Round {
        elapsed: started.elapsed(),
        failures: take(&failures),
        durations: take(&durations),
    }
}

impl Round {
    /// This round followed by `next`.
    fn then(mut self, next: Round) -> Round {
        self.elapsed += next.elapsed;
        self.failures.extend(next.failures);
        self.durations.extend(next.durations);
        self
    }
}

fn take<T>(values: &Mutex<Vec<T>>) -> Vec<T> {
    std::mem::take(&mut *values.lock().unwrap_or_else(PoisonError::into_inner))
}

/// A field of `/proc/<pid>/status`, in KiB.
fn proc_status_kib(pid: u32, field: &str) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|line| line.starts_with(field))
        .ok_or_else(|| format!("{field} in /proc/{pid}/status"))?;
    Ok(line
        .trim_start_matches(field)
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()?)
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort_unstable();
    values.get(values.len() / 2).copied().unwrap_or_default()
}

/// The median time of `count` sequential discovery requests to `addr` for `target`.
fn discovery_latency(addr: SocketAddr, target: &str, count: usize) -> Result<Duration> {
    let mut times = Vec::with_capacity(count);
    for _ in 0..count {
        let started = Instant::now();
        let response = get(addr, target, &[])?;
        times.push(started.elapsed());
        if response.status != 200 {
            return Err(format!("discovery {target} answered {}", response.status).into());
        }
    }
    Ok(median(times))
}

/// Make `root/big.git`: one commit with `mib` MiB of incompressible bytes.
fn make_big_repository(root: &Path, scratch: &Path, mib: usize) -> Result {
    let work = scratch.join("big-work");
    std::fs::create_dir_all(&work)?;
    tabgit_testtools::git(&work, &["init", "-q", "-b", "main"])?;
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let bytes: Vec<u8> = (0..mib * 1024 * 1024)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect();
    std::fs::write(work.join("big.bin"), bytes)?;
    tabgit_testtools::git(&work, &["add", "big.bin"])?;
    tabgit_testtools::git(&work, &["commit", "-q", "-m", "big"])?;
    let work = work.to_str().ok_or("UTF-8 path")?;
    tabgit_testtools::git(root, &["clone", "-q", "--bare", work, "big.git"])?;
    Ok(())
}

fn per_second(count: usize, elapsed: Duration) -> f64 {
    f64::from(u32::try_from(count).unwrap_or(u32::MAX)) / elapsed.as_secs_f64().max(1e-9)
}

#[test]
fn load_clones_through_the_proxy() -> Result {
    let settings = Settings::from_env()?;
    let fixture = tabgit_testtools::fixture(&settings.fixture)?;
    let repos = Repos {
        dir: tabgit_testtools::tempdir()?,
    };
    let scratch = tabgit_testtools::tempdir()?;
    let fixture = fixture.to_str().ok_or("UTF-8 path")?;
    tabgit_testtools::git(
        repos.root(),
        &["clone", "-q", "--bare", fixture, "repo.git"],
    )?;
    make_big_repository(repos.root(), scratch.path(), settings.big_mib)?;
    let server = gitserver(&repos, |_| {})?;
    let local = server.addr().to_string();
    // An upstream that answers at once, to measure the proxy's own overhead.
    let instant = FakeUpstream::advertisement("")?;
    let targets = format!("{local},{}", instant.addr());
    let process = spawn(binary().args([
        "--port",
        "0",
        "--allow-http",
        &targets,
        "--allow-private",
        &targets,
        "--allow-no-origin",
        "--max-connections-per-ip",
        "0",
        "--max-connections",
        "0",
        "--rate-per-ip",
        "0",
        "--rate-per-origin",
        "0",
        "--workers",
        "2",
        "--quiet",
    ]))?;
    let pid = process.pid();
    let proxy_url = format!("http://{}/{local}", process.addr);
    let direct_url = server.url();
    let rss_start = proc_status_kib(pid, "VmRSS:")?;

    // A first round at full concurrency sets the peak a steady load needs.
    let warm = clone_round(
        &format!("{proxy_url}/repo.git"),
        settings.concurrency,
        settings.concurrency,
        scratch.path(),
    );
    assert!(
        warm.failures.is_empty(),
        "warm-up failures: {:#?}",
        warm.failures
    );
    let peak_warm = proc_status_kib(pid, "VmHWM:")?;

    // Direct and proxied rounds alternate in halves, so that neither gets the warmer machine.
    let direct_repo = format!("{direct_url}/repo.git");
    let proxied_repo = format!("{proxy_url}/repo.git");
    let (direct_first, proxied_first) = (settings.direct_clones / 2, settings.clones / 2);
    let mut direct = clone_round(
        &direct_repo,
        direct_first,
        settings.concurrency,
        scratch.path(),
    );
    let mut proxied = clone_round(
        &proxied_repo,
        proxied_first,
        settings.concurrency,
        scratch.path(),
    );
    direct = direct.then(clone_round(
        &direct_repo,
        settings.direct_clones - direct_first,
        settings.concurrency,
        scratch.path(),
    ));
    proxied = proxied.then(clone_round(
        &proxied_repo,
        settings.clones - proxied_first,
        settings.concurrency,
        scratch.path(),
    ));
    assert!(
        direct.failures.is_empty(),
        "direct clone failures: {:#?}",
        direct.failures
    );
    assert!(
        proxied.failures.is_empty(),
        "{} of {} clones through the proxy failed: {:#?}",
        proxied.failures.len(),
        settings.clones,
        proxied.failures.first()
    );
    let peak_after = proc_status_kib(pid, "VmHWM:")?;

    let discovery = "/repo.git/info/refs?service=git-upload-pack";
    let direct_latency = discovery_latency(server.addr(), discovery, 50)?;
    let proxied_latency = discovery_latency(process.addr, &format!("/{local}{discovery}"), 50)?;

    // The proxy's own overhead, without git's process start-up in the way.
    let instant_direct = discovery_latency(
        instant.addr(),
        "/r.git/info/refs?service=git-upload-pack",
        200,
    )?;
    let instant_proxied = discovery_latency(
        process.addr,
        &format!(
            "/{}/r.git/info/refs?service=git-upload-pack",
            instant.addr()
        ),
        200,
    )?;

    let big_direct = clone_round(&format!("{direct_url}/big.git"), 1, 1, scratch.path());
    let big_proxied = clone_round(&format!("{proxy_url}/big.git"), 1, 1, scratch.path());
    assert!(
        big_direct.failures.is_empty() && big_proxied.failures.is_empty(),
        "{:?}",
        big_proxied.failures
    );
    let peak_big = proc_status_kib(pid, "VmHWM:")?;
    let (exit, _stderr) = process.stop("TERM")?;
    assert!(exit.success());

    let direct_rate = per_second(settings.direct_clones, direct.elapsed);
    let proxied_rate = per_second(settings.clones, proxied.elapsed);
    let big_mb = f64::from(u32::try_from(settings.big_mib)?) * 1.048_576;
    let report = format!(
        "| measure | direct | through the proxy | ratio (proxy / direct) |\n\
         | --- | --- | --- | --- |\n\
         | {fixture_name} clones, {c} at a time | {dn} in {dt:.1} s = {dr:.1}/s | {pn} in {pt:.1} s = {pr:.1}/s, 0 failed | throughput {tr:.2} |\n\
         | median clone time | {dm:.0} ms | {pm:.0} ms | {mr:.2} |\n\
         | ref discovery latency (median of 50, new connection each) | {dl:.2} ms | {pl:.2} ms | {lr:.2} ({added:+.2} ms) |\n\
         | the same against an instant hand-written upstream | {il:.3} ms | {ipl:.3} ms | {ir:.2} ({iadded:+.3} ms) |\n\
         | one clone of a {big} MiB incompressible pack | {bd:.2} s = {bdr:.0} MB/s | {bp:.2} s = {bpr:.0} MB/s | throughput {br:.2} |\n\
         | proxy memory (VmHWM) | | start {rs} MiB (RSS); after {c} clones {pw} MiB; after {total} clones {pa} MiB; after the {big} MiB clone {pb} MiB | growth {grow_req:+} MiB over requests, {grow_big:+} MiB over response size |\n",
        fixture_name = settings.fixture,
        c = settings.concurrency,
        dn = settings.direct_clones,
        dt = direct.elapsed.as_secs_f64(),
        dr = direct_rate,
        pn = settings.clones,
        pt = proxied.elapsed.as_secs_f64(),
        pr = proxied_rate,
        tr = proxied_rate / direct_rate,
        dm = median(direct.durations.clone()).as_secs_f64() * 1000.0,
        pm = median(proxied.durations.clone()).as_secs_f64() * 1000.0,
        mr = median(proxied.durations).as_secs_f64() / median(direct.durations).as_secs_f64().max(1e-9),
        dl = direct_latency.as_secs_f64() * 1000.0,
        pl = proxied_latency.as_secs_f64() * 1000.0,
        lr = proxied_latency.as_secs_f64() / direct_latency.as_secs_f64().max(1e-9),
        added = (proxied_latency.as_secs_f64() - direct_latency.as_secs_f64()) * 1000.0,
        il = instant_direct.as_secs_f64() * 1000.0,
        ipl = instant_proxied.as_secs_f64() * 1000.0,
        ir = instant_proxied.as_secs_f64() / instant_direct.as_secs_f64().max(1e-9),
        iadded = (instant_proxied.as_secs_f64() - instant_direct.as_secs_f64()) * 1000.0,
        big = settings.big_mib,
        bd = big_direct.elapsed.as_secs_f64(),
        bdr = big_mb / big_direct.elapsed.as_secs_f64(),
        bp = big_proxied.elapsed.as_secs_f64(),
        bpr = big_mb / big_proxied.elapsed.as_secs_f64(),
        br = big_direct.elapsed.as_secs_f64() / big_proxied.elapsed.as_secs_f64(),
        rs = rss_start / 1024,
        pw = peak_warm / 1024,
        total = settings.concurrency + settings.clones,
        pa = peak_after / 1024,
        pb = peak_big / 1024,
        grow_req = (peak_after as i64 - peak_warm as i64) / 1024,
        grow_big = (peak_big as i64 - peak_after as i64) / 1024,
    );
    eprintln!("\n{report}");
    if let Some(path) = &settings.report {
        std::fs::write(path, &report)?;
    }
    assert!(
        peak_after <= peak_warm + 8 * 1024,
        "peak memory grew with the number of requests: {peak_warm} KiB -> {peak_after} KiB"
    );
    assert!(
        peak_big <= peak_after + 8 * 1024,
        "peak memory grew with the response size: {peak_after} KiB -> {peak_big} KiB for a {} MiB pack",
        settings.big_mib
    );
    Ok(())
}
