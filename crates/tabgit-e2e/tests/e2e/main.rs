//! End-to-end: the trunk-built app in headless Chromium.
use tabgit_e2e::{dist_dir, serve_static, Browser, Result};

#[tokio::test]
async fn page_loads_and_the_engine_worker_answers() -> Result {
    let addr = serve_static(dist_dir()?).await?;
    let browser = Browser::start().await?;
    browser.driver.goto(format!("http://{addr}/")).await?;
    let title = browser.by_test_id("engine-status").await?;
    let _ = title;
    let status = browser
        .wait_text("engine-status", |t| t.starts_with("engine ready"))
        .await?;
    assert!(
        status.contains("engine ready"),
        "the worker answered the ping: {status}"
    );

    // A round trip through the git core in the worker: hash text as a blob.
    let input = browser.by_test_id("hash-input").await?;
    input.clear().await?;
    input.send_keys("hello\n").await?;
    browser.by_test_id("hash-submit").await?.click().await?;
    let id = browser.wait_text("hash-result", |t| t.len() == 40).await?;
    assert_eq!(
        id, "ce013625030ba8dba906f756967f9e9ca394464a",
        "the worker hashes like `git hash-object`"
    );
    browser.screenshot("home").await?;
    browser.quit().await
}
