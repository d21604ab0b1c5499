//! A benchmark, not a test of behaviour (ignored by default): open and scroll the history of
//! the generated 20,000-commit repository (`large`, from tests/fixtures/make-repos.sh) and
//! record the main thread's long tasks with a `PerformanceObserver` (`longtask`: tasks over
//! 50 ms). Run it with
//!
//! ```text
//! tests/fixtures/make-repos.sh target/fixtures large
//! trunk build --release
//! cargo test -p tabgit-e2e --test e2e history_benchmark -- --ignored --nocapture
//! ```
//!
//! It prints the time to the first rows, the number of long tasks and the longest, while
//! opening the history, while scrolling to its end (pages arriving from the engine) and while
//! scrolling back to the top (drawing only). It checks only that every commit was listed.

use std::time::{Duration, Instant};

use tabgit_e2e::{Browser, Result, World, WorldOptions};
use tabgit_testtools::git_text;

/// Start recording long tasks (replacing any earlier record).
async fn observe(b: &Browser) -> Result {
    b.driver
        .execute(
            "window.__tabgitLongTasks = [];
             if (window.__tabgitObserver) window.__tabgitObserver.disconnect();
             window.__tabgitObserver = new PerformanceObserver((list) => {
               const count = document.querySelector('[data-testid=\"history-count\"]');
               for (const e of list.getEntries()) {
                 window.__tabgitLongTasks.push([e.duration, e.startTime, count ? count.textContent : '']);
               }
             });
             window.__tabgitObserver.observe({ type: 'longtask' });",
            vec![],
        )
        .await?;
    Ok(())
}

/// The long tasks recorded so far: how many, and the longest in milliseconds; each is printed
/// with when it started and what the history's count said then.
async fn long_tasks(b: &Browser) -> Result<(usize, f64)> {
    // Give the observer's callback a moment to run for the last tasks.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let value = b
        .driver
        .execute(
            "const t = window.__tabgitLongTasks || [];
             return [t.length, t.length ? Math.max(...t.map((e) => e[0])) : 0, t];",
            vec![],
        )
        .await?
        .json()
        .clone();
    let n = value
        .get(0)
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(0);
    let longest = value
        .get(1)
        .and_then(serde_json::Value::as_f64)
        .unwrap_or(0.0);
    for task in value
        .get(2)
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
    {
        eprintln!("  long task [duration ms, start ms, history count then]: {task}");
    }
    Ok((usize::try_from(n)?, longest))
}

#[tokio::test]
#[ignore = "a benchmark: needs the large fixture (20,000 commits) and takes minutes"]
async fn history_benchmark_longest_main_thread_task() -> Result {
    let world = World::start(WorldOptions {
        repos: vec!["large"],
    })
    .await?;
    let b = &world.browser;
    let total: usize = git_text(&world.served("large"), &["rev-list", "--count", "HEAD"])?
        .trim()
        .parse()?;
    world.configure().await?;
    let started = Instant::now();
    world.clone_repo(&world.repo_url("large")).await?;
    eprintln!("clone of large: {:.1} s", started.elapsed().as_secs_f64());

    // Open the history.
    observe(b).await?;
    let started = Instant::now();
    b.click("nav-history").await?;
    b.by_test_id("commit-row").await?;
    let first_rows = started.elapsed();
    let (n_open, longest_open) = long_tasks(b).await?;

    // Scroll to the end, a screenful at a time, until every commit is listed.
    observe(b).await?;
    let started = Instant::now();
    let mut steps = 0;
    loop {
        // One script per step (scroll a screenful, read the count), so the driver adds little.
        let count = b
            .driver
            .execute(
                "const l = document.querySelector('[data-testid=\"history-list\"]');
                 l.scrollTop = l.scrollTop + l.clientHeight;
                 return document.querySelector('[data-testid=\"history-count\"]').textContent;",
                vec![],
            )
            .await?
            .json()
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if count == format!("{total} commits") {
            break;
        }
        assert!(
            steps < 100_000,
            "the history never reached {total} commits: {count}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
        steps += 1;
    }
    let scrolled = started.elapsed();
    let (n_scroll, longest_scroll) = long_tasks(b).await?;

    // Scroll back to the top through rows already loaded: drawing alone, no engine replies.
    observe(b).await?;
    let mut back_steps = 0;
    loop {
        let top = b
            .driver
            .execute(
                "const l = document.querySelector('[data-testid=\"history-list\"]');
                 l.scrollTop = Math.max(0, l.scrollTop - l.clientHeight);
                 return l.scrollTop;",
                vec![],
            )
            .await?
            .json()
            .as_f64()
            .unwrap_or(0.0);
        if top <= 0.0 {
            break;
        }
        assert!(
            back_steps < 100_000,
            "the list never scrolled back to the top"
        );
        tokio::time::sleep(Duration::from_millis(16)).await;
        back_steps += 1;
    }
    let (n_back, longest_back) = long_tasks(b).await?;
    eprintln!(
        "history of {total} commits: first rows after {} ms; opening: {n_open} long tasks, \
         longest {longest_open:.0} ms; scrolling to the end ({steps} screens, {:.1} s): \
         {n_scroll} long tasks, longest {longest_scroll:.0} ms; back to the top through loaded \
         rows ({back_steps} screens): {n_back} long tasks, longest {longest_back:.0} ms",
        first_rows.as_millis(),
        scrolled.as_secs_f64()
    );
    world.quit().await
}
