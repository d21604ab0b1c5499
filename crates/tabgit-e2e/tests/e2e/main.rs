//! End-to-end: the trunk-built app in headless Chromium, served with its Content-Security-Policy,
//! against the real local git server through the real CORS proxy.
//!
//! Every test gets its own server, proxy, copies of the fixture repositories and browser
//! profile, so tests can run in parallel. Waits have timeouts; nothing asserts on time.

mod api;
mod bench;
mod editor;
mod errors;
mod flow;
mod malicious;
mod merge;

use tabgit_e2e::{dist_dir, serve_static, Browser, Result};

#[tokio::test]
async fn page_loads_and_the_engine_worker_answers() -> Result {
    let addr = serve_static(dist_dir()?).await?;
    let browser = Browser::start().await?;
    let started = std::time::Instant::now();
    browser.driver.goto(format!("http://{addr}/")).await?;
    browser.by_test_id("repo-list-empty").await?;
    let interactive = started.elapsed();
    let status = browser.engine_ready().await?;
    // A measurement for README's numbers, not an assertion: from navigation to the repository
    // list rendered from the engine's answer (the app and the worker both loaded).
    eprintln!("time to interactive: {} ms", interactive.as_millis());
    assert!(
        status.contains("engine ready"),
        "the worker answered the ping: {status}"
    );
    browser.by_test_id("nav-repos").await?;
    browser.by_test_id("nav-settings").await?;
    browser.by_test_id("repo-list-empty").await?;
    let console = browser.console().await?;
    assert!(
        !console
            .iter()
            .any(|m| m.contains("Content Security Policy")),
        "the app starts under its CSP without violations: {console:?}"
    );
    browser.quit().await
}
