//! The whole loop: settings, a connection, clone, edit, diff, stage, commit, push; native git
//! checks the server's repository; a reload keeps everything. Screenshots of each page in the
//! light and dark themes go to target/screenshots (copied to docs/ for the README).

use tabgit_e2e::{Result, World, WorldOptions};
use tabgit_testtools::{git, git_text};
use thirtyfour::prelude::*;

/// Take a screenshot of each page in `theme` (the clone of `demo` is open).
async fn screenshots(world: &World, theme: &str) -> Result {
    let b = &world.browser;
    b.color_scheme(theme).await?;
    world.open("#/").await?;
    b.by_test_id("repo-entry").await?;
    b.wait_text("storage-usage", |t| t.contains("used")).await?;
    b.screenshot(&format!("repos-{theme}")).await?;
    world.open("#/clone").await?;
    b.by_test_id("clone-url").await?;
    b.screenshot(&format!("clone-{theme}")).await?;
    world.open("#/settings").await?;
    b.by_test_id("connection-status").await?;
    b.screenshot(&format!("settings-{theme}")).await?;
    world.open("#/repo/demo/files/src/lib.rs").await?;
    b.by_test_id("editor").await?;
    b.screenshot(&format!("files-{theme}")).await?;
    // The history is photographed by merge.rs, after a merge gives its graph lanes.
    world.open("#/repo/demo/changes").await?;
    b.click_css("[data-testid=\"change-entry\"] .change-name")
        .await?;
    b.by_test_id("diff-hunk").await?;
    b.screenshot(&format!("changes-{theme}")).await?;
    Ok(())
}

#[tokio::test]
async fn the_whole_loop_clone_edit_stage_commit_push_and_reload() -> Result {
    let world = World::start(WorldOptions {
        repos: vec!["demo"],
    })
    .await?;
    let b = &world.browser;
    let served = world.served("demo");
    let head_before = git_text(&served, &["rev-parse", "HEAD"])?;

    // Settings: the proxy and who commits.
    world.configure().await?;

    // A connection to the git server, checked with a real ls-refs.
    b.click("connection-new").await?;
    b.fill("connection-url", &world.repo_url("demo")).await?;
    b.click("connection-save").await?;
    let status = b
        .wait_text("connection-status", |t| {
            t.starts_with("available") || t.starts_with("failed")
        })
        .await?;
    assert!(
        status.starts_with("available"),
        "the connection checks out: {status}"
    );

    // Clone through the dialog.
    world.clone_repo(&world.repo_url("demo")).await?;
    let readme = b
        .wait_for("[data-testid=\"file-entry\"][data-path=\"README.md\"]")
        .await?;
    assert_eq!(readme.attr("data-status").await?.as_deref(), Some("clean"));

    // Edit README.md and save.
    b.click_css("[data-testid=\"file-entry\"][data-path=\"README.md\"] a")
        .await?;
    let editor = b.by_test_id("editor").await?;
    let original = editor.prop("value").await?.unwrap_or_default();
    assert!(!original.is_empty(), "the editor shows the file");
    editor.send_keys(Key::Control + Key::End).await?;
    editor.send_keys("Edited in tabgit\n").await?;
    b.wait_text("editor-status", |t| t == "Unsaved changes")
        .await?;
    b.click("editor-save").await?;
    b.wait_text("editor-status", |t| t == "Saved").await?;
    b.wait_for("[data-testid=\"file-entry\"][data-path=\"README.md\"][data-status=\"modified\"]")
        .await?;

    // The change, with its diff.
    b.click("nav-changes").await?;
    b.click_css("[data-testid=\"change-entry\"][data-path=\"README.md\"] .change-name")
        .await?;
    b.wait_text("diff", |t| t.contains("Edited in tabgit"))
        .await?;

    // Stage, commit, push.
    b.click("stage-all").await?;
    b.wait_for("[data-testid=\"change-entry\"][data-path=\"README.md\"][data-side=\"staged\"]")
        .await?;
    b.fill("commit-summary", "Edit the README in a browser tab")
        .await?;
    b.fill("commit-description", "Made with tabgit's editor.")
        .await?;
    b.click("commit-submit").await?;
    b.wait_text("commit-result", |t| t.starts_with("Committed"))
        .await?;
    b.by_test_id("changes-empty").await?;
    b.click("push").await?;
    let pushed = b.wait_text("sync-result", |t| !t.trim().is_empty()).await?;
    assert!(
        pushed.contains("refs/heads/main"),
        "the push names the branch: {pushed}"
    );
    assert!(
        !pushed.contains("rejected"),
        "the push went through: {pushed}"
    );
    b.wait_text("sync-counts", |t| t == "up to date").await?;

    // Native git on the server's repository sees the commit, and fsck is clean.
    let subject = git_text(&served, &["log", "-1", "--format=%s%n%an <%ae>"])?;
    assert_eq!(
        subject.trim(),
        "Edit the README in a browser tab\nAda Lovelace <ada@example.org>",
        "the pushed commit is on the server"
    );
    let parent = git_text(&served, &["rev-parse", "HEAD~1"])?;
    assert_eq!(
        parent.trim(),
        head_before.trim(),
        "the commit sits on the old head"
    );
    let readme_now = String::from_utf8(git(&served, &["show", "HEAD:README.md"])?)?;
    assert_eq!(
        readme_now,
        format!("{original}Edited in tabgit\n"),
        "the edit arrived, and nothing else changed"
    );
    git_text(&served, &["fsck", "--strict", "--no-dangling"])?;

    // Reload: the repository, its (clean) changes and its history are still there.
    b.driver.refresh().await?;
    b.by_test_id("repo-title").await?;
    b.click("nav-history").await?;
    let top = b.wait_text("history-list", |t| !t.is_empty()).await?;
    assert!(
        top.starts_with("Edit the README in a browser tab"),
        "the new commit is first in the history: {top}"
    );
    b.click("nav-changes").await?;
    b.by_test_id("changes-empty").await?;
    b.click("nav-repos").await?;
    b.wait_for("[data-testid=\"repo-entry\"][data-name=\"demo\"]")
        .await?;

    // An uncommitted edit, so the changes screenshots show a diff.
    world.open("#/repo/demo/files/src/lib.rs").await?;
    let editor = b.by_test_id("editor").await?;
    editor.send_keys(Key::Control + Key::Home).await?;
    editor.send_keys("// Edited in a browser tab.\n").await?;
    editor.send_keys(Key::Control + "s").await?;
    b.wait_text("editor-status", |t| t == "Saved").await?;

    screenshots(&world, "light").await?;
    screenshots(&world, "dark").await?;

    // Hunk staging, unstaging and discarding (after a confirmation).
    world.open("#/repo/demo/changes").await?;
    let lib = "[data-testid=\"change-entry\"][data-path=\"src/lib.rs\"]";
    b.click_css(&format!("{lib} .change-name")).await?;
    b.click("hunk-toggle").await?;
    b.wait_for(&format!("{lib}[data-side=\"staged\"]")).await?;
    b.wait_gone(&format!("{lib}[data-side=\"unstaged\"]"))
        .await?;
    b.click_css(&format!(
        "{lib}[data-side=\"staged\"] [data-testid=\"unstage\"]"
    ))
    .await?;
    b.click_css(&format!(
        "{lib}[data-side=\"unstaged\"] [data-testid=\"discard\"]"
    ))
    .await?;
    b.click("confirm-ok").await?;
    b.by_test_id("changes-empty").await?;

    // Someone else pushes first: our push is rejected in words, a pull merges, a push goes
    // through; the server's history has the merge and fsck stays clean.
    world.push_elsewhere(
        "demo",
        &[("docs/other.md", "Pushed by someone else.\n")],
        "Someone else's change",
    )?;
    b.click("nav-files").await?;
    b.click("file-new").await?;
    b.fill("file-new-path", "notes/today.md").await?;
    b.click("file-new-create").await?;
    let editor = b.by_test_id("editor").await?;
    editor.send_keys("Written in the browser.\n").await?;
    editor.send_keys(Key::Control + "s").await?;
    b.wait_text("editor-status", |t| t == "Saved").await?;
    b.click("nav-changes").await?;
    b.click("stage-all").await?;
    b.fill("commit-summary", "Add notes").await?;
    b.click("commit-submit").await?;
    b.wait_text("commit-result", |t| t.starts_with("Committed"))
        .await?;
    b.click("push").await?;
    let rejected = b.wait_text("sync-result", |t| !t.trim().is_empty()).await?;
    assert!(
        rejected.contains("rejected"),
        "the push is rejected in words: {rejected}"
    );
    b.click("pull").await?;
    let pulled = b.wait_text("sync-result", |t| t.contains("Pulled")).await?;
    assert!(pulled.contains("merged"), "the pull merged: {pulled}");
    b.click("push").await?;
    let pushed = b
        .wait_text("sync-result", |t| t.contains("refs/heads/main"))
        .await?;
    assert!(
        !pushed.contains("rejected"),
        "the second push went through: {pushed}"
    );
    let parents = git_text(&served, &["log", "-1", "--format=%p"])?;
    assert_eq!(
        parents.split(' ').count(),
        2,
        "the server's head is the merge"
    );
    let files = git_text(&served, &["ls-tree", "-r", "--name-only", "HEAD"])?;
    assert!(
        files.contains("docs/other.md") && files.contains("notes/today.md"),
        "{files}"
    );
    git_text(&served, &["fsck", "--strict", "--no-dangling"])?;

    world.assert_no_csp_violation().await?;
    world.quit().await
}

#[tokio::test]
async fn clone_progress_moves_and_cancel_keeps_nothing() -> Result {
    let world = World::start(WorldOptions {
        repos: vec!["medium", "demo"],
    })
    .await?;
    let b = &world.browser;
    world.configure().await?;

    // A deep link opens the dialog filled in.
    world
        .open(&format!("#/clone?url={}", world.repo_url("medium")))
        .await?;
    let url = b.by_test_id("clone-url").await?;
    assert_eq!(
        url.prop("value").await?.as_deref(),
        Some(world.repo_url("medium").as_str())
    );
    b.wait_text("clone-storage", |t| t.contains("used")).await?;
    b.click("clone-submit").await?;

    // Watch the receiving phase move: at least two different counts before it ends.
    let mut seen = std::collections::BTreeSet::new();
    let deadline = tokio::time::Instant::now() + tabgit_e2e::WAIT;
    while tokio::time::Instant::now() < deadline {
        let Ok(progress) = b
            .driver
            .find(By::Css("[data-testid=\"clone-progress\"]"))
            .await
        else {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            continue;
        };
        let text = progress.text().await.unwrap_or_default();
        if let Some(line) = text.lines().find(|l| l.starts_with("Receiving objects")) {
            seen.insert(line.to_owned());
        }
        if seen.len() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(seen.len() >= 2, "the receiving phase moved: {seen:?}");
    b.screenshot("clone-progress").await?;

    // Cancel: the dialog says so and no repository is kept.
    b.click("clone-cancel").await?;
    b.wait_text("clone-status", |t| t.contains("cancelled"))
        .await?;
    world.open("#/").await?;
    b.by_test_id("repo-list-empty").await?;
    assert!(b.banner().await.is_none(), "a cancel is not an error");

    // The same dialog then clones another repository normally.
    world.clone_repo(&world.repo_url("demo")).await?;
    world.assert_no_csp_violation().await?;
    world.quit().await
}

/// A page reloaded in the middle of a clone (the server stalls mid-pack, as a slow one would):
/// the worker dies with the clone, nothing of it was ever committed to storage, and the next
/// start sweeps its empty database, so no half repository appears and the name is free again
/// (`RELIABILITY.md` S5).
#[tokio::test]
async fn a_page_reloaded_mid_clone_leaves_no_repository_behind() -> Result {
    let world = World::start(WorldOptions {
        repos: vec!["demo"],
    })
    .await?;
    let b = &world.browser;
    world.configure().await?;
    let stalled = world
        .repo_url("demo")
        .replace("/demo.git", "/_fault/on=upload-pack,stall=2000/demo.git");
    world.open("#/").await?;
    b.click("clone-open").await?;
    b.fill("clone-url", &stalled).await?;
    b.click("clone-submit").await?;
    b.by_test_id("clone-progress").await?;
    let database = serde_json::json!("tabgit-repo-demo");
    let has_database = |names: &serde_json::Value| {
        names
            .as_array()
            .is_some_and(|names| names.contains(&database))
    };
    let deadline = tokio::time::Instant::now() + tabgit_e2e::WAIT;
    while !has_database(&b.databases().await?) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the clone never created its database"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    // Reload while the clone waits for the rest of the pack.
    b.driver.refresh().await?;
    world.open("#/").await?;
    b.by_test_id("repo-list-empty").await?;
    // The sweep runs when the list is shown; the dead worker's lock may outlive it briefly.
    let deadline = tokio::time::Instant::now() + tabgit_e2e::WAIT;
    loop {
        let names = b.databases().await?;
        if !has_database(&names) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the interrupted clone's database was never swept: {names}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        b.driver.refresh().await?;
        b.by_test_id("repo-list-empty").await?;
    }
    assert!(b.banner().await.is_none(), "a swept clone is not an error");

    // The name is free: the same repository clones normally.
    world.clone_repo(&world.repo_url("demo")).await?;
    world.assert_no_csp_violation().await?;
    world.quit().await
}

/// Whether leaving the page now would ask first: the app's `beforeunload` listener cancels the
/// event (the browser then shows its "Leave site?" prompt).
async fn leaving_asks(world: &World) -> Result<bool> {
    let value = world
        .browser
        .driver
        .execute(
            "const event = new Event('beforeunload', { cancelable: true });
             window.dispatchEvent(event);
             return event.defaultPrevented;",
            Vec::new(),
        )
        .await?
        .json()
        .clone();
    Ok(value == serde_json::json!(true))
}

/// The browser's copy is not a backup: leaving the page with an unsaved edit or with commits
/// not pushed asks first; once pushed it does not (`RELIABILITY.md` S13).
#[tokio::test]
async fn leaving_with_unpushed_commits_asks_first() -> Result {
    let world = World::with_clone("demo").await?;
    let b = &world.browser;
    assert!(!leaving_asks(&world).await?, "nothing to lose yet");

    world.open("#/repo/demo/files/README.md").await?;
    let editor = b.by_test_id("editor").await?;
    editor.send_keys(Key::Control + Key::End).await?;
    editor.send_keys("One more line\n").await?;
    b.wait_text("editor-status", |t| t == "Unsaved changes")
        .await?;
    assert!(leaving_asks(&world).await?, "an unsaved edit asks");
    b.click("editor-save").await?;
    b.wait_text("editor-status", |t| t == "Saved").await?;

    b.click("nav-changes").await?;
    b.click("stage-all").await?;
    b.fill("commit-summary", "Not pushed yet").await?;
    b.click("commit-submit").await?;
    b.wait_text("commit-result", |t| t.starts_with("Committed"))
        .await?;
    b.wait_text("sync-counts", |t| t == "1 to push").await?;
    assert!(leaving_asks(&world).await?, "a commit not pushed asks");

    b.click("push").await?;
    b.wait_text("sync-result", |t| !t.trim().is_empty()).await?;
    let deadline = tokio::time::Instant::now() + tabgit_e2e::WAIT;
    while leaving_asks(&world).await? {
        assert!(
            tokio::time::Instant::now() < deadline,
            "after the push, leaving still asks"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    world.quit().await
}

/// Another tab holds the repository's lock and does not let go (frozen, or busy for long): a
/// save in this tab waits, says which repository it waits for and why, takes nothing from the
/// other tab, and lands when that tab closes (`RELIABILITY.md` S10).
#[tokio::test]
async fn a_save_waits_for_another_tab_and_says_so() -> Result {
    let world = World::with_clone("demo").await?;
    let b = &world.browser;
    let this_tab = b.driver.window().await?;

    // The other tab takes the lock and keeps it.
    let other_tab = b.driver.new_tab().await?;
    b.driver.switch_to_window(other_tab.clone()).await?;
    world.open("#/").await?;
    b.by_test_id("repo-entry").await?;
    let held = b.script(
            "const done = arguments[arguments.length - 1];
             navigator.locks.request('tabgit:demo', () => { done(true); return new Promise(() => {}); });",
            Vec::new(),
        ).await?;
    assert_eq!(
        held,
        serde_json::json!(true),
        "the other tab holds the lock"
    );

    b.driver.switch_to_window(this_tab.clone()).await?;
    world.open("#/repo/demo/files/README.md").await?;
    let editor = b.by_test_id("editor").await?;
    editor.send_keys(Key::Control + Key::End).await?;
    editor
        .send_keys("Saved after the other tab let go\n")
        .await?;
    editor.send_keys(Key::Control + "s").await?;
    let notice = b.wait_text("busy-notice", |t| t.contains("demo")).await?;
    assert!(
        notice.contains("another tab is using it"),
        "the wait is explained: {notice}"
    );
    let status = b.by_test_id("editor-status").await?.text().await?;
    assert_ne!(
        status, "Saved",
        "nothing is written while the other tab holds the lock"
    );
    b.screenshot("busy-another-tab").await?;

    // The other tab closes: its lock goes with it, and the save lands.
    b.driver.switch_to_window(other_tab).await?;
    b.driver.close_window().await?;
    b.driver.switch_to_window(this_tab).await?;
    b.wait_text("editor-status", |t| t == "Saved").await?;
    b.wait_gone("[data-testid=\"busy-notice\"]").await?;
    world.open("#/repo/demo/changes").await?;
    b.wait_for("[data-testid=\"change-entry\"][data-path=\"README.md\"]")
        .await?;
    world.quit().await
}

/// The demo repository's log, status and stored size, through the JavaScript API.
const DEMO_STATE: &str = "const done = arguments[arguments.length - 1];
        const engine = (window.__tabgitEngine ||= new window.tabgit.TabgitEngine('./tabgit-worker_loader.js'));
        Promise.all([engine.log('demo', 50), engine.status('demo'), engine.listRepos()])
          .then(([log, status, repos]) => done({ log: log.map((c) => c.id), status,
            size: repos.find((r) => r.name === 'demo').size }))
          .catch((err) => done({ error: String(err) }));";

/// A page reloaded in the middle of a fetch (the server stalls mid-pack): nothing of the
/// fetch was committed to storage, so after the reload the repository is exactly as before and
/// a fetch from a good server then works (`RELIABILITY.md` S5).
#[tokio::test]
async fn a_page_reloaded_mid_fetch_leaves_the_repository_as_it_was() -> Result {
    let world = World::with_clone("demo").await?;
    let b = &world.browser;
    let proxy = world.proxy.url();
    // Someone pushes, so the fetch has something to bring.
    world.push_elsewhere(
        "demo",
        &[("fetched.txt", "new on the server\n")],
        "New on the server",
    )?;

    let before = b.script(DEMO_STATE, Vec::new()).await?;
    assert!(before.get("error").is_none(), "{before}");

    // Start a fetch from a server that stalls mid-pack, and reload while it waits.
    let stalled = world
        .repo_url("demo")
        .replace("/demo.git", "/_fault/on=upload-pack,stall=300/demo.git");
    b.driver
        .execute(
            "const [url, proxy] = arguments;
             window.__tabgitEngine.fetch('demo', { url, proxy, author: { name: 'A', email: 'a@example.org' } });",
            vec![stalled.into(), proxy.clone().into()],
        )
        .await?;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    b.driver.refresh().await?;
    b.engine_ready().await?;
    let after = b.script(DEMO_STATE, Vec::new()).await?;
    assert_eq!(after, before, "the repository is as it was");

    // A fetch from the good server brings the new commit.
    let fetched = b.script(
            "const [url, proxy, done] = arguments;
             window.__tabgitEngine.fetch('demo', { url, proxy, author: { name: 'A', email: 'a@example.org' } })
               .then((updates) => done(updates)).catch((err) => done(String(err)));",
            vec![world.repo_url("demo").into(), proxy.into()],
        ).await?;
    assert!(
        fetched.as_array().is_some_and(|u| !u.is_empty()),
        "the fetch updated origin/main: {fetched}"
    );
    world.quit().await
}
