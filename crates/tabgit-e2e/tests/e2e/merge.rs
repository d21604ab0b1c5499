//! Branches, a merge with conflicts resolved in the browser, revert and restore: the demo
//! repository's `conflict-a` and `conflict-b` conflict in README.md and src/lib.rs. Native git
//! on the server checks every push. Screenshots of the conflict view, the history graph, a
//! commit's diff and blame go to target/screenshots (copied to docs/ by scripts/screenshots).

use tabgit_e2e::{Browser, Result, World, WorldOptions};
use tabgit_testtools::{git, git_text};
use thirtyfour::prelude::*;

/// The CSS selector of a branch's entry in the switcher.
fn entry(name: &str) -> String {
    format!("[data-testid=\"branch-entry\"][data-name=\"{name}\"]")
}

/// Switch to `name` from the branches view.
async fn switch(b: &Browser, name: &str, shown_as: &str) -> Result {
    b.click("nav-branches").await?;
    b.fill("branch-search", name).await?;
    b.click_css(&format!(
        "{} [data-testid=\"branch-switch\"]",
        entry(shown_as)
    ))
    .await?;
    b.wait_text("repo-branch", |t| t == name).await?;
    Ok(())
}

/// Stage everything and commit with `summary`.
async fn commit_all(b: &Browser, summary: &str) -> Result {
    b.click("nav-changes").await?;
    b.click("stage-all").await?;
    b.fill("commit-summary", summary).await?;
    b.click("commit-submit").await?;
    b.wait_text("commit-result", |t| t.starts_with("Committed"))
        .await?;
    Ok(())
}

/// Push the current branch and return what the sync bar says.
async fn push(b: &Browser, branch: &str) -> Result<String> {
    b.click("push").await?;
    let refname = format!("refs/heads/{branch}");
    let pushed = b.wait_text("sync-result", |t| t.contains(&refname)).await?;
    assert!(
        !pushed.contains("rejected"),
        "the push went through: {pushed}"
    );
    Ok(pushed)
}

/// The text of a file at a revision of the served repository.
fn show(served: &std::path::Path, rev_path: &str) -> Result<String> {
    Ok(String::from_utf8(git(served, &["show", rev_path])?)?)
}

#[tokio::test]
async fn branch_merge_resolve_conclude_push_then_revert_and_restore() -> Result {
    let world = World::start(WorldOptions {
        repos: vec!["demo"],
    })
    .await?;
    let b = &world.browser;
    let served = world.served("demo");
    let theirs_readme = show(&served, "conflict-b:README.md")?;
    let conflict_a_before = git_text(&served, &["rev-parse", "conflict-a"])?;
    world.configure().await?;
    world.clone_repo(&world.repo_url("demo")).await?;

    // Switch to conflict-a: the remote-tracking branch makes a local one.
    switch(b, "conflict-a", "origin/conflict-a").await?;

    // A new branch from origin/conflict-b, switched to, with a commit, published with upstream.
    b.click("nav-branches").await?;
    b.fill("branch-create-name", "resolve-here").await?;
    b.fill("branch-create-start", "origin/conflict-b").await?;
    b.click("branch-create").await?;
    b.wait_text("repo-branch", |t| t == "resolve-here").await?;
    b.click("nav-files").await?;
    b.click("file-new").await?;
    b.fill("file-new-path", "docs/notes.md").await?;
    b.click("file-new-create").await?;
    let editor = b.by_test_id("editor").await?;
    editor.send_keys("Notes from the branch.\n").await?;
    editor.send_keys(Key::Control + "s").await?;
    b.wait_text("editor-status", |t| t == "Saved").await?;
    commit_all(b, "Add notes on the branch").await?;
    b.click("nav-branches").await?;
    b.fill("branch-search", "resolve").await?;
    b.click_css(&format!(
        "{} [data-testid=\"branch-push\"]",
        entry("resolve-here")
    ))
    .await?;
    b.wait_text("branch-result", |t| t.contains("resolve-here"))
        .await?;
    b.wait_css_text(&entry("resolve-here"), |t| {
        t.contains("tracks origin/resolve-here")
    })
    .await?;
    let branch_tip = git_text(&served, &["rev-parse", "refs/heads/resolve-here"])?;

    // Back to conflict-a and merge: two files conflict.
    switch(b, "conflict-a", "conflict-a").await?;
    b.click("merge-open").await?;
    b.fill("merge-source", "resolve-here").await?;
    b.click("merge-submit").await?;
    let readme = "[data-testid=\"conflict-entry\"][data-path=\"README.md\"]";
    let lib = "[data-testid=\"conflict-entry\"][data-path=\"src/lib.rs\"]";
    b.wait_for(readme).await?;
    b.wait_for(lib).await?;
    b.click_css(&format!("{readme} .change-name")).await?;
    b.wait_for("[data-testid=\"conflict-file\"][data-path=\"README.md\"]")
        .await?;
    b.by_test_id("conflict-hunk").await?;
    for theme in ["light", "dark"] {
        b.color_scheme(theme).await?;
        b.screenshot(&format!("conflict-{theme}")).await?;
    }
    b.color_scheme("light").await?;

    // README.md: take theirs, the whole file.
    b.click("conflict-take-theirs").await?;
    b.wait_gone(readme).await?;

    // src/lib.rs: edit the result by hand.
    b.click_css(&format!("{lib} .change-name")).await?;
    b.wait_for("[data-testid=\"conflict-file\"][data-path=\"src/lib.rs\"]")
        .await?;
    let markers = b.wait_text("conflict-markers", |t| !t.is_empty()).await?;
    assert!(
        markers.contains("left") && !markers.starts_with("No"),
        "the editor starts with the conflict markers: {markers}"
    );
    let resolved_lib = "// Resolved in a browser tab.\npub fn answer() -> u32 {\n    42\n}\n";
    b.fill("conflict-editor", resolved_lib).await?;
    b.wait_text("conflict-markers", |t| t.starts_with("No conflict markers"))
        .await?;
    b.click("conflict-mark-resolved").await?;
    b.wait_text("merge-state", |t| {
        t.starts_with("Every conflict is resolved")
    })
    .await?;
    b.click("merge-conclude").await?;
    let parents = b.wait_text("commit-parents", |t| !t.is_empty()).await?;
    assert_eq!(
        parents.split_whitespace().count(),
        2,
        "the merge commit has two parents: {parents}"
    );
    push(b, "conflict-a").await?;

    // Native git: a two-parent merge of the old conflict-a and the branch, resolved content.
    let merge_parents = git_text(&served, &["log", "-1", "--format=%P", "conflict-a"])?;
    let merge_parents: Vec<&str> = merge_parents.split_whitespace().collect();
    assert_eq!(
        merge_parents,
        [conflict_a_before.trim(), branch_tip.trim()],
        "the merge joins conflict-a and the branch, in that order"
    );
    assert_eq!(show(&served, "conflict-a:README.md")?, theirs_readme);
    assert_eq!(show(&served, "conflict-a:src/lib.rs")?, resolved_lib);
    assert_eq!(
        show(&served, "conflict-a:docs/notes.md")?,
        "Notes from the branch.\n"
    );
    git_text(&served, &["fsck", "--strict", "--no-dangling"])?;

    // Revert the branch's commit from its page, reached from the history list.
    b.click("nav-history").await?;
    b.click_css(&format!(
        "[data-testid=\"commit-row\"][data-commit=\"{}\"] a",
        branch_tip.trim()
    ))
    .await?;
    b.wait_for("[data-testid=\"diff-file\"][data-path=\"docs/notes.md\"]")
        .await?;
    b.click("revert-commit").await?;
    b.wait_text("commit-result", |t| t.starts_with("Reverted"))
        .await?;

    // Restore README.md as it was three commits back (HEAD~3: the revert, the merge, then the
    // first parents), then commit and push.
    let three_back = git_text(&served, &["rev-parse", "conflict-a~2"])?;
    let three_back = three_back.trim();
    let old_readme = show(&served, &format!("{three_back}:README.md"))?;
    assert_ne!(old_readme, theirs_readme, "the restore changes something");
    world
        .open(&format!("#/repo/demo/at/{three_back}/README.md"))
        .await?;
    b.wait_text("file-at-text", |t| !t.is_empty()).await?;
    b.click("restore-file").await?;
    b.click("confirm-ok").await?;
    b.wait_text("restore-result", |t| t.starts_with("Restored"))
        .await?;
    b.click("nav-changes").await?;
    b.wait_for("[data-testid=\"change-entry\"][data-path=\"README.md\"][data-side=\"staged\"]")
        .await?;
    b.fill(
        "commit-summary",
        "Restore the README from three commits back",
    )
    .await?;
    b.click("commit-submit").await?;
    b.wait_text("commit-result", |t| t.starts_with("Committed"))
        .await?;
    push(b, "conflict-a").await?;
    let subjects = git_text(&served, &["log", "-3", "--format=%s", "conflict-a"])?;
    let subjects: Vec<&str> = subjects.lines().collect();
    assert_eq!(subjects[0], "Restore the README from three commits back");
    assert_eq!(subjects[1], "Revert \"Add notes on the branch\"");
    assert!(subjects[2].starts_with("Merge"), "{subjects:?}");
    assert_eq!(show(&served, "conflict-a:README.md")?, old_readme);
    assert_eq!(show(&served, "conflict-a:src/lib.rs")?, resolved_lib);
    let files = git_text(&served, &["ls-tree", "-r", "--name-only", "conflict-a"])?;
    assert!(
        !files.lines().any(|f| f == "docs/notes.md"),
        "the revert removed the notes: {files}"
    );
    git_text(&served, &["fsck", "--strict", "--no-dangling"])?;

    // Reset the branch one commit back (mixed), then undo it from the reflog.
    let head = git_text(&served, &["rev-parse", "conflict-a"])?;
    let parent = git_text(&served, &["rev-parse", "conflict-a~1"])?;
    world
        .open(&format!("#/repo/demo/commit/{}", parent.trim()))
        .await?;
    b.by_test_id("commit-message").await?;
    b.click("reset-here").await?;
    let warning = b.wait_text("confirm-dialog", |t| !t.is_empty()).await?;
    assert!(
        warning.contains("stay in your files"),
        "a mixed reset says what happens to the changes: {warning}"
    );
    b.click("confirm-ok").await?;
    b.wait_text("commit-result", |t| {
        t.starts_with("The branch now points at")
    })
    .await?;
    b.wait_text("sync-counts", |t| t.contains("to pull"))
        .await?;
    b.click("reset-undo").await?;
    b.wait_text("sync-counts", |t| t == "up to date").await?;
    b.click("nav-history").await?;
    let top = b.by_test_id("commit-row").await?;
    assert_eq!(
        top.attr("data-commit").await?.as_deref(),
        Some(head.trim()),
        "undo put the branch back"
    );

    // History filters: by author, and one file's history.
    b.fill("history-author", "Carol").await?;
    b.by_test_id("history-author")
        .await?
        .send_keys(Key::Enter)
        .await?;
    let carol = git_text(
        &served,
        &["log", "--author=Carol", "--format=%H", "conflict-a"],
    )?;
    let carol: Vec<&str> = carol.lines().collect();
    assert!(!carol.is_empty());
    b.wait_text("history-count", |t| t == format!("{} commits", carol.len()))
        .await?;
    let mut shown = Vec::new();
    for row in b
        .driver
        .find_all(By::Css("[data-testid=\"commit-row\"]"))
        .await?
    {
        shown.push(row.attr("data-commit").await?.unwrap_or_default());
    }
    assert_eq!(shown, carol, "only Carol's commits, newest first");
    b.fill("history-author", "").await?;
    b.by_test_id("history-author")
        .await?
        .send_keys(Key::Enter)
        .await?;
    world.open("#/repo/demo/history/src/helpers.rs").await?;
    b.by_test_id("history-path").await?;
    let follow = git_text(
        &served,
        &[
            "log",
            "--follow",
            "--format=%H",
            "conflict-a",
            "--",
            "src/helpers.rs",
        ],
    )?;
    b.wait_text("history-count", |t| {
        t == format!("{} commits", follow.lines().count())
    })
    .await?;

    // Branches: delete the merged branch here and on the remote; a tag, pushed.
    b.click("nav-branches").await?;
    b.fill("branch-search", "resolve").await?;
    b.click_css(&format!(
        "{} [data-testid=\"branch-delete\"]",
        entry("resolve-here")
    ))
    .await?;
    b.wait_gone(&entry("resolve-here")).await?;
    b.click_css(&format!(
        "{} [data-testid=\"branch-delete-remote\"]",
        entry("origin/resolve-here")
    ))
    .await?;
    b.click("confirm-ok").await?;
    b.wait_gone(&entry("origin/resolve-here")).await?;
    let remote_branches = git_text(&served, &["branch", "--list"])?;
    assert!(
        !remote_branches.contains("resolve-here"),
        "the remote branch is gone: {remote_branches}"
    );
    b.fill("tag-name", "resolved-in-browser").await?;
    b.fill("tag-message", "Conflicts resolved in a browser tab")
        .await?;
    b.click("tag-create").await?;
    b.click_css(
        "[data-testid=\"tag-entry\"][data-name=\"resolved-in-browser\"] [data-testid=\"tag-push\"]",
    )
    .await?;
    b.wait_text("branch-result", |t| {
        t.contains("refs/tags/resolved-in-browser")
    })
    .await?;
    assert_eq!(
        git_text(&served, &["cat-file", "-t", "resolved-in-browser"])?.trim(),
        "tag"
    );
    assert_eq!(
        git_text(&served, &["rev-parse", "resolved-in-browser^{commit}"])?,
        head
    );
    git_text(&served, &["fsck", "--strict", "--no-dangling"])?;

    // Stash: save a change away, see it listed, pop it back.
    world.open("#/repo/demo/files/docs/guide.md").await?;
    let editor = b.by_test_id("editor").await?;
    editor.send_keys(Key::Control + Key::End).await?;
    editor.send_keys("Stashed line.\n").await?;
    editor.send_keys(Key::Control + "s").await?;
    b.wait_text("editor-status", |t| t == "Saved").await?;
    b.click("nav-branches").await?;
    b.click("stash-save").await?;
    b.wait_css_text(
        "[data-testid=\"stash-list\"] [data-testid=\"stash-entry\"]",
        |t| t.contains("conflict-a"),
    )
    .await?;
    b.click("nav-changes").await?;
    b.by_test_id("changes-empty").await?;
    b.click("nav-branches").await?;
    b.click("stash-pop").await?;
    b.by_test_id("stash-empty").await?;
    b.click("nav-changes").await?;
    b.wait_for("[data-testid=\"change-entry\"][data-path=\"docs/guide.md\"]")
        .await?;

    // Screenshots: the history graph, a commit's diff, blame.
    let conflict_b = git_text(&served, &["rev-parse", "conflict-b"])?;
    for theme in ["light", "dark"] {
        b.color_scheme(theme).await?;
        world.open("#/repo/demo/history").await?;
        b.by_test_id("commit-row").await?;
        b.screenshot(&format!("history-{theme}")).await?;
        world
            .open(&format!("#/repo/demo/commit/{}", conflict_b.trim()))
            .await?;
        b.by_test_id("diff-hunk").await?;
        b.screenshot(&format!("commit-{theme}")).await?;
        b.click("diff-side-by-side").await?;
        b.wait_for(
            ".side-by-side [data-testid=\"diff-hunk\"], [data-testid=\"diff-hunk\"] .side-by-side",
        )
        .await?;
        world.open("#/repo/demo/blame/src/lib.rs").await?;
        let first = b
            .wait_css_text("[data-testid=\"blame-view\"] tr .ln", |t| !t.is_empty())
            .await?;
        assert_eq!(first, "1", "blame starts at the first line");
        let blamed = b.by_test_id("blame-view").await?.text().await?;
        assert!(
            blamed.contains("Resolved in a browser tab."),
            "every line is shown: {blamed}"
        );
        world.open("#/repo/demo/blame/docs/guide.md").await?;
        b.wait_css_text("[data-testid=\"blame-view\"]", |t| t.contains("Suggest"))
            .await?;
        b.screenshot(&format!("blame-{theme}")).await?;
    }

    world.assert_no_csp_violation().await?;
    world.quit().await
}

#[tokio::test]
async fn a_pull_that_conflicts_is_resolved_hunk_by_hunk_in_the_merge_view() -> Result {
    let world = World::start(WorldOptions {
        repos: vec!["demo"],
    })
    .await?;
    let b = &world.browser;
    let served = world.served("demo");
    world.configure().await?;
    world.clone_repo(&world.repo_url("demo")).await?;

    // Someone else rewrites README.md's first line and pushes.
    let readme = String::from_utf8(git(&served, &["show", "main:README.md"])?)?;
    let (first, rest) = readme.split_once('\n').ok_or("README.md has lines")?;
    let theirs = format!("# Changed elsewhere\n{rest}");
    world.push_elsewhere("demo", &[("README.md", &theirs)], "Retitle the README")?;
    let their_head = git_text(&served, &["rev-parse", "main"])?;

    // Here, the same line changes too, and is committed.
    world.open("#/repo/demo/files/README.md").await?;
    let editor = b.by_test_id("editor").await?;
    editor.send_keys(Key::Control + Key::Home).await?;
    editor.send_keys("Local: ").await?;
    editor.send_keys(Key::Control + "s").await?;
    b.wait_text("editor-status", |t| t == "Saved").await?;
    commit_all(b, "Retitle the README here").await?;

    // The pull stops with the conflict and opens the merge view.
    b.click("pull").await?;
    b.wait_for("[data-testid=\"conflict-entry\"][data-path=\"README.md\"]")
        .await?;
    b.wait_for("[data-testid=\"conflict-file\"][data-path=\"README.md\"]")
        .await?;
    let hunk = b.by_test_id("conflict-hunk").await?.text().await?;
    assert!(
        hunk.contains(&format!("Local: {first}")) && hunk.contains("# Changed elsewhere"),
        "the hunk shows both sides: {hunk}"
    );
    b.click("conflict-hunk-theirs").await?;
    b.wait_text("conflict-markers", |t| t.starts_with("No conflict markers"))
        .await?;
    let result = b.by_test_id("conflict-editor").await?.prop("value").await?;
    assert_eq!(
        result.as_deref(),
        Some(theirs.as_str()),
        "their side, picked per hunk"
    );
    b.click("conflict-mark-resolved").await?;
    b.wait_text("merge-state", |t| {
        t.starts_with("Every conflict is resolved")
    })
    .await?;
    b.click("merge-conclude").await?;
    b.wait_text("commit-parents", |t| t.split_whitespace().count() == 2)
        .await?;
    push(b, "main").await?;

    let parents = git_text(&served, &["log", "-1", "--format=%P", "main"])?;
    assert_eq!(parents.split_whitespace().nth(1), Some(their_head.trim()));
    assert_eq!(show(&served, "main:README.md")?, theirs);
    git_text(&served, &["fsck", "--strict", "--no-dangling"])?;

    // A binary image's change shows the picture before and after.
    let logo = git_text(
        &served,
        &[
            "log",
            "-1",
            "--format=%H",
            "--grep=Update the logo colours",
            "main",
        ],
    )?;
    world
        .open(&format!("#/repo/demo/commit/{}", logo.trim()))
        .await?;
    b.wait_for("[data-testid=\"image-diff\"] img").await?;
    let images = b
        .driver
        .find_all(By::Css("[data-testid=\"image-diff\"] img"))
        .await?;
    assert_eq!(images.len(), 2, "before and after");

    // An unmerged branch is not deleted without a second question.
    b.click("nav-branches").await?;
    b.fill("branch-create-name", "scratch").await?;
    b.click("branch-create").await?;
    b.wait_text("repo-branch", |t| t == "scratch").await?;
    world.open("#/repo/demo/files/docs/guide.md").await?;
    let editor = b.by_test_id("editor").await?;
    editor.send_keys(Key::Control + Key::End).await?;
    editor.send_keys("Only on scratch.\n").await?;
    editor.send_keys(Key::Control + "s").await?;
    b.wait_text("editor-status", |t| t == "Saved").await?;
    commit_all(b, "Work only on scratch").await?;
    switch(b, "main", "main").await?;
    b.fill("branch-search", "scratch").await?;
    b.click_css(&format!(
        "{} [data-testid=\"branch-delete\"]",
        entry("scratch")
    ))
    .await?;
    let question = b.wait_text("confirm-dialog", |t| !t.is_empty()).await?;
    assert!(
        question.contains("on no other branch"),
        "an unmerged branch asks again: {question}"
    );
    b.click("confirm-cancel").await?;
    b.wait_for(&entry("scratch")).await?;

    // A switch that would overwrite a local change names the file and offers to stash.
    world.open("#/repo/demo/files/docs/guide.md").await?;
    let editor = b.by_test_id("editor").await?;
    editor.send_keys(Key::Control + Key::End).await?;
    editor.send_keys("Uncommitted on main.\n").await?;
    editor.send_keys(Key::Control + "s").await?;
    b.wait_text("editor-status", |t| t == "Saved").await?;
    b.click("nav-branches").await?;
    b.fill("branch-search", "scratch").await?;
    b.click_css(&format!(
        "{} [data-testid=\"branch-switch\"]",
        entry("scratch")
    ))
    .await?;
    let blocked = b.wait_text("switch-blocked", |t| !t.is_empty()).await?;
    assert!(
        blocked.contains("docs/guide.md"),
        "the blocking file is named: {blocked}"
    );
    b.click("stash-and-switch").await?;
    b.wait_text("repo-branch", |t| t == "scratch").await?;
    b.wait_for("[data-testid=\"stash-entry\"]").await?;
    world.assert_no_csp_violation().await?;
    world.quit().await
}
