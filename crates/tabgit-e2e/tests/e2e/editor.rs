//! The editor never changes a file it did not edit: CRLF, a byte-order mark, invalid UTF-8 and
//! a missing final newline survive opening and saving (each checked with the changes view and
//! with native git after a push).

use std::path::Path;

use tabgit_e2e::{Result, World, WorldOptions};
use tabgit_testtools::{git, git_text};
use thirtyfour::prelude::*;

/// A bare repository `special.git` under `root` whose files have the conventions to keep.
fn make_special(root: &Path) -> Result {
    let work = tabgit_testtools::tempdir()?;
    let dir = work.path();
    git(dir, &["init", "-q", "-b", "main"])?;
    std::fs::write(dir.join("crlf.txt"), b"one\r\ntwo\r\n")?;
    std::fs::write(dir.join("bom.txt"), b"\xEF\xBB\xBFwith a byte-order mark\n")?;
    std::fs::write(dir.join("latin1.txt"), b"caf\xe9 au lait\n")?;
    std::fs::write(dir.join("no-newline.txt"), b"no final newline")?;
    std::fs::write(dir.join("binary.bin"), b"\x00\x01\x02binary")?;
    git(dir, &["add", "."])?;
    git(
        dir,
        &[
            "-c",
            "user.name=T",
            "-c",
            "user.email=t@example.org",
            "commit",
            "-q",
            "-m",
            "special files",
        ],
    )?;
    git(
        dir,
        &[
            "clone",
            "-q",
            "--bare",
            ".",
            &root.join("special.git").to_string_lossy(),
        ],
    )?;
    Ok(())
}

#[tokio::test]
async fn opening_and_saving_unedited_files_never_changes_them() -> Result {
    let world = World::start(WorldOptions::default()).await?;
    make_special(world.root.path())?;
    let b = &world.browser;
    world.configure().await?;
    world.clone_repo(&world.repo_url("special")).await?;

    for (path, info) in [
        ("crlf.txt", "CRLF"),
        ("bom.txt", "with BOM"),
        ("no-newline.txt", "no final newline"),
    ] {
        world.open(&format!("#/repo/special/files/{path}")).await?;
        let editor = b.by_test_id("editor").await?;
        b.wait_text("editor-info", |t| t.contains(info)).await?;
        // Type and take it back, then save with the keyboard: the bytes must not change.
        editor.send_keys("x").await?;
        editor.send_keys(Key::Backspace).await?;
        editor.send_keys(Key::Control + "s").await?;
        b.wait_text("editor-status", |t| t == "Saved").await?;
    }
    world.open("#/repo/special/files/latin1.txt").await?;
    b.wait_text("file-note", |t| t.contains("not valid UTF-8"))
        .await?;
    world.open("#/repo/special/files/binary.bin").await?;
    b.wait_text("file-note", |t| t.contains("Binary file"))
        .await?;

    world.open("#/repo/special/changes").await?;
    b.by_test_id("changes-empty").await?;

    // An edit to the CRLF file keeps CRLF and the rest of the file.
    world.open("#/repo/special/files/crlf.txt").await?;
    let editor = b.by_test_id("editor").await?;
    editor.send_keys(Key::Control + Key::End).await?;
    editor.send_keys("three\n").await?;
    editor.send_keys(Key::Control + "s").await?;
    b.wait_text("editor-status", |t| t == "Saved").await?;
    b.click("nav-changes").await?;
    b.click("stage-all").await?;
    b.fill("commit-summary", "Add a line to a CRLF file")
        .await?;
    b.by_test_id("commit-summary")
        .await?
        .send_keys(Key::Control + Key::Enter)
        .await?;
    b.wait_text("commit-result", |t| t.starts_with("Committed"))
        .await?;
    b.click("push").await?;
    b.wait_text("sync-result", |t| t.contains("refs/heads/main"))
        .await?;
    let served = world.served("special");
    let crlf = tabgit_testtools::git(&served, &["show", "HEAD:crlf.txt"])?;
    assert_eq!(
        crlf, b"one\r\ntwo\r\nthree\r\n",
        "the edit kept CRLF line endings"
    );
    let changed = git_text(&served, &["diff", "--name-only", "HEAD~1", "HEAD"])?;
    assert_eq!(changed.trim(), "crlf.txt", "no other file changed");
    world.assert_no_csp_violation().await?;
    world.quit().await
}

/// RELIABILITY.md rows 8 and 9 on export: a `.zip` download of a tree holding a Windows device
/// name and two paths that differ only in case names them and asks first; cancelling writes
/// nothing, confirming downloads without an error.
#[tokio::test]
async fn a_download_names_paths_that_cannot_be_extracted_everywhere() -> Result {
    let world = World::start(WorldOptions {
        repos: vec!["demo"],
    })
    .await?;
    let b = &world.browser;
    world.configure().await?;
    world.clone_repo(&world.repo_url("demo")).await?;
    for path in ["readme.md", "docs/aux.txt"] {
        b.click("file-new").await?;
        b.fill("file-new-path", path).await?;
        b.click("file-new-create").await?;
        // The new file's editor, not the one it replaces.
        b.wait_text("file-path", |t| t.contains(path)).await?;
        let editor = b.by_test_id("editor").await?;
        editor.send_keys("x\n").await?;
        editor.send_keys(Key::Control + "s").await?;
        b.wait_text("editor-status", |t| t == "Saved").await?;
    }
    b.click("download-zip").await?;
    let question = b.wait_text("confirm-dialog", |t| !t.is_empty()).await?;
    assert!(
        question.contains("README.md and readme.md differ only in case")
            && question.contains("docs/aux.txt: aux.txt is a device name on Windows"),
        "the dialog names both paths and why: {question}"
    );
    b.click("confirm-cancel").await?;
    b.wait_gone("[data-testid=\"confirm-dialog\"]").await?;
    b.click("download-zip").await?;
    b.click("confirm-ok").await?;
    b.wait_gone("[data-testid=\"confirm-dialog\"]").await?;
    assert_eq!(b.banner().await.unwrap_or_default(), "", "no error");
    world.quit().await
}

/// Repository content that is HTML (a script, an image with an inline handler) is shown as
/// text in the editor and in the diff, never parsed: no such element appears in the page, no
/// script runs, and the strict Content-Security-Policy reports nothing it had to block
/// (`RELIABILITY.md` row 35).
#[tokio::test]
async fn html_in_a_repository_is_shown_as_text() -> Result {
    let world = World::with_clone("demo").await?;
    let b = &world.browser;
    let hostile = "<img id=\"tabgit-hostile\" src=\"x\" onerror=\"window.__tabgitPwned = 1\">\n<script>window.__tabgitPwned = 2</script>\n<svg onload=\"window.__tabgitPwned = 3\"></svg>\n";
    b.click("file-new").await?;
    b.fill("file-new-path", "evil.html").await?;
    b.click("file-new-create").await?;
    let editor = b.by_test_id("editor").await?;
    editor.send_keys(hostile).await?;
    editor.send_keys(thirtyfour::Key::Control + "s").await?;
    b.wait_text("editor-status", |t| t == "Saved").await?;
    // Open it again from the tree, then see its diff.
    world.open("#/repo/demo/files/evil.html").await?;
    let shown = b.by_test_id("editor").await?.prop("value").await?;
    assert_eq!(
        shown.as_deref(),
        Some(hostile),
        "the editor shows the bytes"
    );
    b.click("nav-changes").await?;
    b.click_css("[data-testid=\"change-entry\"][data-path=\"evil.html\"] .change-name")
        .await?;
    let diff = b
        .wait_text("diff", |t| {
            t.contains("<script>window.__tabgitPwned = 2</script>")
        })
        .await?;
    assert!(
        diff.contains("onerror="),
        "the diff shows the markup as text"
    );
    let (element, pwned) = (
        b.driver
            .find_all(thirtyfour::By::Css("#tabgit-hostile, svg[onload]"))
            .await?
            .len(),
        b.driver
            .execute("return window.__tabgitPwned === undefined;", Vec::new())
            .await?
            .json()
            .clone(),
    );
    assert_eq!(element, 0, "no element was made from the file");
    assert_eq!(pwned, serde_json::json!(true), "no script ran");
    world.assert_no_csp_violation().await?;
    world.quit().await
}
