//! Error paths: a wrong token, URLs a browser cannot use, a proxy refusal, a missing
//! repository. Each shows words in the one error place, and keeps what was typed.

use tabgit_e2e::{Result, World, WorldOptions};

#[tokio::test]
async fn a_wrong_token_says_authentication_failed_and_is_never_shown() -> Result {
    let world = World::start(WorldOptions {
        repos: vec!["demo"],
    })
    .await?;
    let b = &world.browser;
    world.configure().await?;
    let host = format!("127.0.0.1:{}", world.gitserver.port());
    // The server requires alice's token on this path (the git server's `auth` knob).
    let url = format!("http://{host}/_fault/auth=alice:right-token/demo.git");
    let wrong = "wrong-token-5f1d2c";

    b.click("connection-new").await?;
    b.fill("connection-name", "Locked server").await?;
    b.fill("connection-url", &url).await?;
    let auth = b.by_test_id("connection-auth").await?;
    thirtyfour::components::SelectElement::new(&auth)
        .await?
        .select_by_value("basic")
        .await?;
    b.fill("connection-username", "alice").await?;
    b.fill("connection-token", wrong).await?;
    b.click("connection-save").await?;
    let status = b
        .wait_text("connection-status", |t| {
            t.starts_with("available") || t.starts_with("failed")
        })
        .await?;
    assert!(
        status.to_lowercase().contains("authentication failed for") && status.contains(&host),
        "the check says the token was refused: {status}"
    );

    world.open(&format!("#/clone?url={url}")).await?;
    b.click("clone-submit").await?;
    let banner = b.wait_text("error-banner", |t| !t.is_empty()).await?;
    assert!(
        banner.to_lowercase().contains("authentication failed for") && banner.contains(&host),
        "the banner says so in words: {banner}"
    );
    let typed = b.by_test_id("clone-url").await?.prop("value").await?;
    assert_eq!(
        typed.as_deref(),
        Some(url.as_str()),
        "nothing typed is lost on an error"
    );

    // The token is in no page text, URL, console line or proxy log line.
    let source = b.driver.source().await?;
    assert!(!source.contains(wrong), "the token is not in the page");
    let location = b.driver.current_url().await?.to_string();
    assert!(
        !location.contains(wrong),
        "the token is not in the URL: {location}"
    );
    let console = b.console().await?;
    assert!(
        console.iter().all(|m| !m.contains(wrong)),
        "the token is not in the console: {console:?}"
    );
    let log = world.proxy_log.lines();
    assert!(!log.is_empty(), "the proxy logged the requests");
    assert!(
        log.iter().all(|l| !l.contains(wrong)),
        "the token is not in the proxy log: {log:?}"
    );
    b.screenshot("error-auth").await?;

    // The right token works (edit the connection; the old token is never shown again).
    world.open("#/settings").await?;
    b.click("connection-edit").await?;
    let token = b.by_test_id("connection-token").await?;
    assert_eq!(
        token.prop("value").await?.as_deref(),
        Some(""),
        "a saved token is never shown"
    );
    b.fill("connection-token", "right-token").await?;
    b.click("connection-save").await?;
    b.wait_text("connection-status", |t| t.starts_with("available"))
        .await?;
    world.clone_repo(&url).await?;
    world.assert_no_csp_violation().await?;
    world.quit().await
}

#[tokio::test]
async fn bad_urls_and_proxy_refusals_are_errors_in_words() -> Result {
    let world = World::start(WorldOptions {
        repos: vec!["demo"],
    })
    .await?;
    let b = &world.browser;
    world.configure().await?;

    // An SSH URL: a browser can only use HTTPS.
    world.open("#/clone").await?;
    b.fill("clone-url", "git@github.com:owner/repo.git").await?;
    b.wait_text("clone-connection", |t| t.contains("HTTPS"))
        .await?;
    b.click("clone-submit").await?;
    b.wait_text("clone-status", |t| {
        t.contains("A browser can only use HTTPS")
    })
    .await?;

    // A repository the server does not have.
    b.fill("clone-url", &world.repo_url("missing")).await?;
    b.click("clone-submit").await?;
    let banner = b.wait_text("error-banner", |t| !t.is_empty()).await?;
    assert!(
        banner.to_lowercase().contains("not found"),
        "a missing repository says so: {banner}"
    );
    b.click("error-dismiss").await?;

    // A host the proxy may not reach: the proxy's reason is shown.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")?;
    let elsewhere = format!("http://127.0.0.1:{}/demo.git", closed.local_addr()?.port());
    b.fill("clone-url", &elsewhere).await?;
    b.click("clone-submit").await?;
    let banner = b.wait_text("error-banner", |t| !t.is_empty()).await?;
    assert!(
        banner.to_lowercase().contains("proxy refused"),
        "the proxy's refusal is said: {banner}"
    );
    b.screenshot("error-proxy").await?;
    b.wait_gone("[data-testid=\"clone-progress\"]").await?;
    world.open("#/").await?;
    b.by_test_id("repo-list-empty").await?;
    world.assert_no_csp_violation().await?;
    world.quit().await
}

#[tokio::test]
async fn a_token_locked_under_a_passphrase_is_stored_encrypted_and_unlocked_once() -> Result {
    let world = World::start(WorldOptions {
        repos: vec!["demo"],
    })
    .await?;
    let b = &world.browser;
    world.configure().await?;
    let host = format!("127.0.0.1:{}", world.gitserver.port());
    let url = format!("http://{host}/_fault/auth=alice:locked-token-77/demo.git");

    b.click("connection-new").await?;
    b.fill("connection-url", &url).await?;
    let auth = b.by_test_id("connection-auth").await?;
    thirtyfour::components::SelectElement::new(&auth)
        .await?
        .select_by_value("basic")
        .await?;
    b.fill("connection-username", "alice").await?;
    b.fill("connection-token", "locked-token-77").await?;
    b.click("connection-keep-passphrase").await?;
    b.fill("connection-passphrase", "correct horse battery")
        .await?;
    b.click("connection-save").await?;
    b.wait_text("connection-status", |t| t.starts_with("available"))
        .await?;

    // Stored: only ciphertext, never the token. (The connection's URL holds the server's
    // expected credentials, a test knob, so look at the secret stores themselves.)
    let stored = |key: &'static str| async move {
        let value = b
            .driver
            .execute(format!("return localStorage.getItem('{key}');"), Vec::new())
            .await?
            .json()
            .clone();
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>(value)
    };
    let locked = stored("tabgit.secrets.locked").await?.to_string();
    assert!(
        locked.contains("ciphertext"),
        "a locked record is stored: {locked}"
    );
    assert!(
        !locked.contains("locked-token-77"),
        "the token is not stored in the clear"
    );
    assert!(
        stored("tabgit.secrets.remembered").await?.is_null(),
        "nothing is remembered in the clear"
    );
    let connections = stored("tabgit.connections").await?.to_string();
    assert!(
        !connections.contains("\"secret\""),
        "connections hold no secret: {connections}"
    );

    // A new visit: the connection is locked until the passphrase is given.
    b.driver.refresh().await?;
    world.open(&format!("#/clone?url={url}")).await?;
    b.click("clone-submit").await?;
    let banner = b.wait_text("error-banner", |t| !t.is_empty()).await?;
    assert!(
        banner.contains("locked"),
        "the clone says the connection is locked: {banner}"
    );
    world.open("#/settings").await?;
    b.fill("connection-unlock-passphrase", "wrong passphrase")
        .await?;
    b.click("connection-unlock").await?;
    b.wait_css_text(".unlock .status", |t| t.contains("Wrong passphrase"))
        .await?;
    b.fill("connection-unlock-passphrase", "correct horse battery")
        .await?;
    b.click("connection-unlock").await?;
    b.wait_gone("[data-testid=\"connection-unlock\"]").await?;
    world.clone_repo(&url).await?;
    world.assert_no_csp_violation().await?;
    world.quit().await
}

/// RELIABILITY.md S1 in the browser: with the origin's quota forced small (Chromium's
/// `Storage.overrideQuotaForOrigin`, set before the origin stores anything, as Chromium only
/// applies it then), a clone that outgrows it fails on IndexedDB's real `QuotaExceededError`,
/// says so in words, and leaves the repository list and the databases exactly as they were.
#[tokio::test]
async fn a_clone_that_fills_the_storage_says_so_and_keeps_the_list() -> Result {
    let world = World::start(WorldOptions {
        repos: vec!["demo", "medium"],
    })
    .await?;
    let b = &world.browser;
    world.open("#/settings").await?;
    // 4 MB: the demo repository fits, the medium one (a 20 MB pack) does not.
    b.driver
        .cdp()
        .send_raw(
            "Storage.overrideQuotaForOrigin",
            serde_json::json!({ "origin": world.app, "quotaSize": 4_000_000u64 }),
        )
        .await?;
    world.configure().await?;
    world.clone_repo(&world.repo_url("demo")).await?;
    b.click("nav-repos").await?;
    b.wait_for("[data-testid=\"repo-entry\"][data-name=\"demo\"]")
        .await?;
    let list = || async {
        let mut names = Vec::new();
        for entry in b
            .driver
            .find_all(thirtyfour::By::Css("[data-testid=\"repo-entry\"]"))
            .await?
        {
            names.push(entry.attr("data-name").await?.unwrap_or_default());
        }
        names.sort();
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>(names)
    };
    let before = list().await?;
    assert_eq!(before, ["demo"], "one repository before");
    let databases_before = b.databases().await?;

    world
        .open(&format!("#/clone?url={}", world.repo_url("medium")))
        .await?;
    b.wait_text("clone-storage", |t| t.contains("used")).await?;
    b.click("clone-submit").await?;
    let banner = b.wait_text("error-banner", |t| !t.is_empty()).await?;
    assert!(
        banner.contains("storage is full") && banner.contains("nothing was changed"),
        "the banner says the storage is full, in words: {banner}"
    );
    b.screenshot("error-storage-full").await?;

    world.open("#/").await?;
    b.wait_for("[data-testid=\"repo-entry\"][data-name=\"demo\"]")
        .await?;
    assert_eq!(list().await?, before, "the repository list is as it was");
    assert_eq!(
        b.databases().await?,
        databases_before,
        "no database is left behind"
    );
    // The repository that was there still opens and reads.
    world.open("#/repo/demo/files").await?;
    b.wait_for("[data-testid=\"file-tree\"] [data-testid=\"file-entry\"]")
        .await?;
    world.quit().await
}

/// Storage the browser will not give (here: a profile that blocks all site data, as a user or
/// an administrator can set): the app says so in words instead of failing in odd ways, and the
/// engine still answers (`RELIABILITY.md` S3).
#[tokio::test]
async fn blocked_storage_is_said_in_words() -> Result {
    let addr = tabgit_e2e::serve_static(tabgit_e2e::dist_dir()?).await?;
    let b = tabgit_e2e::Browser::start_without_storage().await?;
    b.driver.goto(format!("http://{addr}/")).await?;
    let banner = b
        .wait_text("error-banner", |t| !t.trim().is_empty())
        .await?;
    eprintln!("banner: {banner}");
    assert!(
        banner.contains("Browser storage is unavailable"),
        "the banner says storage is unavailable: {banner}"
    );
    b.engine_ready().await?;
    b.screenshot("error-storage-unavailable").await?;
    b.quit().await
}

/// The browser clears the site's storage behind the app's back (eviction under storage
/// pressure, or a person clearing site data): the next start says which repositories are gone
/// and what that means, the storage line says whether the browser promised to keep the data,
/// and "Forget them" clears the notice for good (`RELIABILITY.md` S13).
#[tokio::test]
async fn an_evicted_repository_is_said_missing_and_can_be_forgotten() -> Result {
    let world = World::with_clone("demo").await?;
    let b = &world.browser;
    let deleted = b
        .script(
            "const done = arguments[arguments.length - 1];
             const request = indexedDB.deleteDatabase('tabgit-repo-demo');
             request.onsuccess = () => done('deleted');
             request.onerror = () => done('error');
             request.onblocked = () => done('blocked');",
            Vec::new(),
        )
        .await?;
    assert_eq!(
        deleted, "deleted",
        "the app's open connection stepped aside"
    );

    b.driver.refresh().await?;
    world.open("#/").await?;
    let notice = b.wait_text("repos-missing", |t| t.contains("demo")).await?;
    assert!(
        notice.contains("No longer in this browser's storage: demo."),
        "{notice}"
    );
    b.by_test_id("repo-list-empty").await?;
    let persistence = b
        .wait_text("storage-persistence", |t| !t.is_empty())
        .await?;
    assert!(persistence.contains("this site's data"), "{persistence}");
    b.screenshot("repos-missing").await?;

    b.click("repos-missing-forget").await?;
    b.wait_gone("[data-testid=\"repos-missing\"]").await?;
    b.driver.refresh().await?;
    b.by_test_id("repo-list-empty").await?;
    assert!(
        b.driver
            .find(thirtyfour::By::Css("[data-testid=\"repos-missing\"]"))
            .await
            .is_err(),
        "forgotten for good"
    );
    world.quit().await
}

/// A proxy that is not there (its port closed): `fetch` fails with a bare `TypeError` and no
/// status, and the clone says in words what to check; nothing is kept (`RELIABILITY.md` N16).
#[tokio::test]
async fn an_unreachable_proxy_is_an_error_in_words() -> Result {
    let world = World::start(WorldOptions {
        repos: vec!["demo"],
    })
    .await?;
    let b = &world.browser;
    let closed = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0")?;
        probe.local_addr()?.port()
    };
    world.open("#/settings").await?;
    b.fill("settings-proxy-url", &format!("http://127.0.0.1:{closed}"))
        .await?;
    b.fill("settings-name", "Ada Lovelace").await?;
    b.fill("settings-email", "ada@example.org").await?;
    b.click("settings-save").await?;
    b.wait_text("settings-status", |t| t == "Saved").await?;
    world.open("#/").await?;
    b.click("clone-open").await?;
    b.fill("clone-url", &world.repo_url("demo")).await?;
    b.click("clone-submit").await?;
    let banner = b
        .wait_text("error-banner", |t| !t.trim().is_empty())
        .await?;
    assert!(
        banner.contains("Could not reach the proxy or the host"),
        "the banner says what failed: {banner}"
    );
    world.open("#/").await?;
    b.by_test_id("repo-list-empty").await?;
    assert_eq!(
        b.databases().await?,
        serde_json::json!([]),
        "no database is left behind"
    );
    world.quit().await
}
