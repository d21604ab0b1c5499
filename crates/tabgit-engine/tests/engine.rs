//! The engine's operations in a dedicated worker with real IndexedDB and real `fetch`, against
//! the local git server reached through tabgit's CORS proxy on its own origin (both started by
//! scripts/test): clone, reopen, read, edit, history, delete; bad remotes give words.
#![cfg(target_arch = "wasm32")]
use tabgit_engine::ops;
use tabgit_engine::protocol::{Identity, Progress, Remote, Reply};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_dedicated_worker);

mod common;

fn setting(value: Option<&'static str>, name: &str) -> &'static str {
    match value {
        Some(v) => v,
        None => panic!("{name} is not set: run the browser tests through scripts/test"),
    }
}

fn remote(repo: &str) -> Remote {
    let server = common::git_server();
    let proxy = setting(option_env!("TABGIT_TEST_PROXY"), "TABGIT_TEST_PROXY");
    Remote {
        url: format!("{server}/{repo}"),
        proxy: Some(proxy.to_owned()),
        secret: None,
    }
}

fn me() -> Identity {
    Identity {
        name: "Browser Tester".into(),
        email: "browser@example.com".into(),
        time: 1_700_000_000,
        offset_minutes: 60,
    }
}

fn cancel() -> ops::Cancel {
    ops::Cancel {
        flag: std::rc::Rc::default(),
        abort: web_sys::AbortController::new().expect("abort controller"),
    }
}

/// Clone `repo` from the local git server as `name`, deleting any earlier copy first.
async fn fresh_clone(name: &str, repo: &str) {
    let _ = ops::delete(name).await;
    ops::clone(
        name,
        &remote(repo),
        &ops::CloneShape::default(),
        &me(),
        cancel(),
        &mut |_| {},
    )
    .await
    .expect("clone succeeds");
}

#[wasm_bindgen_test]
async fn clone_through_the_proxy_into_indexeddb_then_reopen() {
    let name = "engine-clone";
    let _ = ops::delete(name).await;
    let mut phases = Vec::new();
    let reply = ops::clone(
        name,
        &remote("demo.git"),
        &ops::CloneShape::default(),
        &me(),
        cancel(),
        &mut |p| {
            if let Progress::Phase { name, .. } = p {
                if phases.last() != Some(&name) {
                    phases.push(name);
                }
            }
        },
    )
    .await
    .expect("clone succeeds");
    let Reply::Repo(summary) = reply else {
        panic!("clone replies with the repository")
    };
    assert_eq!(summary.branch.as_deref(), Some("main"));
    let expected_head = setting(
        option_env!("TABGIT_TEST_DEMO_HEAD"),
        "TABGIT_TEST_DEMO_HEAD",
    );
    assert_eq!(
        summary.head.as_deref(),
        Some(expected_head),
        "HEAD is the server's"
    );
    assert!(
        phases.iter().any(|p| p == "Receiving objects"),
        "progress was reported: {phases:?}"
    );
    assert!(
        phases.iter().any(|p| p == "Checking out files"),
        "progress was reported: {phases:?}"
    );

    // A fresh open reads everything back from IndexedDB.
    let Reply::Commits(commits) = ops::log(name, None, 0, 100).await.expect("log") else {
        panic!("commits")
    };
    let expected: usize = setting(
        option_env!("TABGIT_TEST_DEMO_COMMITS"),
        "TABGIT_TEST_DEMO_COMMITS",
    )
    .parse()
    .expect("number");
    assert_eq!(commits.len(), expected, "the whole history of main");
    assert_eq!(commits[0].id, expected_head);
    let Reply::Files(files) = ops::list_files(name).await.expect("files") else {
        panic!("files")
    };
    assert!(files.iter().any(|f| f.path == b"README.md"));
    let Reply::File(readme) = ops::read_file(name, b"README.md").await.expect("read") else {
        panic!("file")
    };
    assert!(!readme.is_empty());

    // Exact bytes survive an edit.
    let odd = b"line one\r\n\xef\xbb\xbfno final newline \xff".to_vec();
    ops::write_file(name, b"docs/odd.txt", &odd, false)
        .await
        .expect("write");
    let Reply::File(back) = ops::read_file(name, b"docs/odd.txt").await.expect("read") else {
        panic!("file")
    };
    assert_eq!(
        back, odd,
        "CRLF, BOM, invalid UTF-8 and no final newline survive"
    );
    ops::remove_file(name, b"docs/odd.txt")
        .await
        .expect("remove");
    assert!(ops::read_file(name, b"docs/odd.txt").await.is_err());

    let Reply::Repos(list) = ops::list().await.expect("list") else {
        panic!("repos")
    };
    assert!(list.iter().any(|r| r.name == name));
    ops::delete(name).await.expect("delete");
    let Reply::Repos(list) = ops::list().await.expect("list") else {
        panic!("repos")
    };
    assert!(!list.iter().any(|r| r.name == name), "deleted");
}

#[wasm_bindgen_test]
async fn a_failed_clone_leaves_no_repository() {
    let name = "engine-failed";
    let _ = ops::delete(name).await;
    let err = ops::clone(
        name,
        &remote("missing.git"),
        &ops::CloneShape::default(),
        &me(),
        cancel(),
        &mut |_| {},
    )
    .await
    .expect_err("a missing repository fails");
    assert!(err.title.to_lowercase().contains("not found"), "{err:?}");
    let Reply::Repos(list) = ops::list().await.expect("list") else {
        panic!("repos")
    };
    assert!(
        !list.iter().any(|r| r.name == name),
        "nothing half-cloned is listed"
    );

    let mut html = remote("demo.git");
    html.url = format!("{}/_fault/body=html/demo.git", common::git_server());
    let err = ops::clone(
        name,
        &html,
        &ops::CloneShape::default(),
        &me(),
        cancel(),
        &mut |_| {},
    )
    .await
    .expect_err("html");
    assert!(
        err.title.contains("did not answer as a git server"),
        "the proxy's refusal is in words: {err:?}"
    );

    let mut ssh = remote("demo.git");
    ssh.url = "git@github.com:owner/repo.git".into();
    let err = ops::clone(
        name,
        &ssh,
        &ops::CloneShape::default(),
        &me(),
        cancel(),
        &mut |_| {},
    )
    .await
    .expect_err("ssh");
    assert!(err.detail.contains("HTTPS"), "{err:?}");
}

#[wasm_bindgen_test]
async fn shallow_clone_in_the_browser() {
    let name = "engine-shallow";
    let _ = ops::delete(name).await;
    let shape = ops::CloneShape {
        depth: Some(1),
        ..ops::CloneShape::default()
    };
    ops::clone(
        name,
        &remote("demo.git"),
        &shape,
        &me(),
        cancel(),
        &mut |_| {},
    )
    .await
    .expect("clone");
    let Reply::Commits(commits) = ops::log(name, None, 0, 100).await.expect("log") else {
        panic!("commits")
    };
    assert_eq!(commits.len(), 1, "depth 1");
    ops::delete(name).await.expect("delete");
}

#[wasm_bindgen_test]
async fn status_diff_branches_and_remote_check() {
    use tabgit_engine::protocol::ChangeKind;
    let name = "engine-status";
    let _ = ops::delete(name).await;

    let Reply::RemoteOk { refs, head } = ops::test_remote(&remote("demo.git"), cancel())
        .await
        .expect("the remote answers")
    else {
        panic!("remote check")
    };
    assert!(refs >= 1, "the demo repository has branches");
    assert_eq!(head.as_deref(), Some("main"));

    ops::clone(
        name,
        &remote("demo.git"),
        &ops::CloneShape::default(),
        &me(),
        cancel(),
        &mut |_| {},
    )
    .await
    .expect("clone succeeds");
    let Reply::Status(clean) = ops::status(name).await.expect("status") else {
        panic!("status")
    };
    assert_eq!(clean.branch.as_deref(), Some("main"));
    assert!(clean.files.is_empty(), "a fresh clone is clean: {clean:?}");

    let Reply::File(readme) = ops::read_file(name, b"README.md").await.expect("read") else {
        panic!("file")
    };
    let mut edited = readme.clone();
    edited.extend_from_slice(b"a line from the browser\n");
    ops::write_file(name, b"README.md", &edited, false)
        .await
        .expect("edit");
    ops::write_file(name, b"notes/new.txt", b"new\n", false)
        .await
        .expect("new file");
    let Reply::Status(changed) = ops::status(name).await.expect("status") else {
        panic!("status")
    };
    let kinds: Vec<(&[u8], Option<ChangeKind>, Option<ChangeKind>)> = changed
        .files
        .iter()
        .map(|f| (f.path.as_slice(), f.staged, f.unstaged))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (b"README.md".as_slice(), None, Some(ChangeKind::Modified)),
            (
                b"notes/new.txt".as_slice(),
                None,
                Some(ChangeKind::Untracked)
            ),
        ]
    );

    let Reply::Diff(diff) = ops::diff_file(name, b"README.md", false)
        .await
        .expect("diff")
    else {
        panic!("diff")
    };
    let added: Vec<&str> = diff
        .hunks
        .iter()
        .flat_map(|h| &h.lines)
        .filter(|l| l.kind == '+')
        .map(|l| l.text.as_str())
        .collect();
    assert_eq!(added, vec!["a line from the browser"]);
    let Reply::Diff(staged) = ops::diff_file(name, b"README.md", true)
        .await
        .expect("staged diff")
    else {
        panic!("diff")
    };
    assert!(staged.hunks.is_empty(), "nothing is staged yet");

    let Reply::Branches { local, remote, .. } = ops::branches(name).await.expect("branches") else {
        panic!("branches")
    };
    let main = local.iter().find(|b| b.name == "main").expect("main");
    assert!(main.current);
    assert_eq!(main.upstream.as_deref(), Some("origin/main"));
    assert!(remote.iter().any(|b| b.name == "origin/main"));
    let Reply::Sync {
        ahead,
        behind,
        has_upstream,
    } = ops::sync_state(name).await.expect("sync")
    else {
        panic!("sync")
    };
    assert!(has_upstream);
    assert_eq!((ahead, behind), (0, 0));
    ops::delete(name).await.expect("delete");
}

#[wasm_bindgen_test]
async fn concurrent_edits_of_one_repository_are_not_lost() {
    let name = "engine-concurrent";
    fresh_clone(name, "tiny.git").await;
    // Twenty writers at once, as twenty tabs would: each opens the repository, writes its own
    // file and persists. A persist writes only the records it changed, so no writer's stale
    // copy of the working tree may drop another's file.
    let mut done = Vec::new();
    for i in 0..20 {
        let (tx, rx) = futures_channel::oneshot::channel();
        wasm_bindgen_futures::spawn_local(async move {
            let path = format!("concurrent/{i}.txt");
            let result =
                ops::write_file(name, path.as_bytes(), format!("{i}\n").as_bytes(), false).await;
            let _ = tx.send(result.is_ok());
        });
        done.push(rx);
    }
    for rx in done {
        assert!(rx.await.expect("writer finished"), "every write succeeds");
    }
    let Reply::Files(files) = ops::list_files(name).await.expect("files") else {
        panic!("files")
    };
    let written = files
        .iter()
        .filter(|f| f.path.starts_with(b"concurrent/") && f.kind == "file")
        .count();
    assert_eq!(written, 20, "no write was lost");
    ops::delete(name).await.expect("delete");
}

fn status_of(reply: Reply) -> tabgit_engine::protocol::StatusSummary {
    match reply {
        Reply::Status(s) => s,
        other => panic!("status expected, got {other:?}"),
    }
}

async fn read_text(name: &str, path: &[u8]) -> String {
    match ops::read_file(name, path).await.expect("read") {
        Reply::File(data) => String::from_utf8(data).expect("text"),
        other => panic!("file expected, got {other:?}"),
    }
}

async fn history_top(name: &str) -> tabgit_engine::protocol::HistoryEntry {
    match ops::history(name, None, false, &ops::HistoryFilter::default(), 0, 1)
        .await
        .expect("history")
    {
        Reply::History(mut page) => page.remove(0),
        other => panic!("history expected, got {other:?}"),
    }
}

#[wasm_bindgen_test]
async fn edit_stage_commit_push_then_pull_in_another_clone() {
    use tabgit_engine::protocol::{ChangeKind, MergeResult};
    let (one, two) = ("engine-loop-1", "engine-loop-2");
    for name in [one, two] {
        let _ = ops::delete(name).await;
        ops::clone(
            name,
            &remote("engine-push.git"),
            &ops::CloneShape::default(),
            &me(),
            cancel(),
            &mut |_| {},
        )
        .await
        .expect("clone succeeds");
    }

    // Edit, stage, commit in the first clone.
    let readme = read_text(one, b"README.md").await;
    let edited = format!("{readme}Edited in a browser tab.\n");
    ops::write_file(one, b"README.md", edited.as_bytes(), false)
        .await
        .expect("edit");
    ops::stage(one, &[b"README.md".to_vec()])
        .await
        .expect("stage");
    let staged = status_of(ops::status(one).await.expect("status"));
    assert_eq!(staged.files.len(), 1);
    assert_eq!(staged.files[0].staged, Some(ChangeKind::Modified));
    assert_eq!(staged.files[0].unstaged, None);
    let Reply::Committed { id } = ops::commit(
        one,
        "Edit the README\n\nFrom the engine test.",
        false,
        &me(),
    )
    .await
    .expect("commit") else {
        panic!("committed")
    };
    assert!(status_of(ops::status(one).await.expect("status"))
        .files
        .is_empty());
    let top = history_top(one).await;
    assert_eq!(top.commit.id, id);
    assert_eq!(top.commit.summary, "Edit the README");
    assert_eq!(top.commit.author, "Browser Tester");
    assert!(
        top.refs.iter().any(|r| r == "main"),
        "decorated: {:?}",
        top.refs
    );
    let Reply::Sync { ahead, behind, .. } = ops::sync_state(one).await.expect("sync") else {
        panic!("sync")
    };
    assert_eq!((ahead, behind), (1, 0));

    // Push; the server has it.
    let Reply::Pushed { refs } = ops::push(
        one,
        &remote("engine-push.git"),
        false,
        &me(),
        cancel(),
        &mut |_| {},
    )
    .await
    .expect("push") else {
        panic!("pushed")
    };
    assert!(refs.iter().all(|r| r.ok), "{refs:?}");
    let Reply::Sync { ahead, .. } = ops::sync_state(one).await.expect("sync") else {
        panic!("sync")
    };
    assert_eq!(ahead, 0, "pushed commits are no longer ahead");

    // The second clone pulls it as a fast-forward.
    let Reply::Pulled { result, updates } = ops::pull(
        two,
        &remote("engine-push.git"),
        &me(),
        cancel(),
        &mut |_| {},
    )
    .await
    .expect("pull") else {
        panic!("pulled")
    };
    assert_eq!(
        result,
        MergeResult::FastForward { to: id.clone() },
        "{updates:?}"
    );
    assert_eq!(read_text(two, b"README.md").await, edited);
    assert!(status_of(ops::status(two).await.expect("status"))
        .files
        .is_empty());

    // Show the commit and its diff.
    let Reply::Commit(detail) = ops::show_commit(two, &id).await.expect("show") else {
        panic!("commit")
    };
    assert_eq!(detail.message, "Edit the README\n\nFrom the engine test.\n");
    assert_eq!(detail.files.len(), 1);
    assert_eq!(detail.files[0].path, b"README.md");
    assert_eq!(
        (detail.files[0].additions, detail.files[0].deletions),
        (Some(1), Some(0))
    );
    let Reply::Diff(diff) = ops::commit_file_diff(two, &id, b"README.md")
        .await
        .expect("diff")
    else {
        panic!("diff")
    };
    assert!(diff
        .hunks
        .iter()
        .flat_map(|h| &h.lines)
        .any(|l| l.kind == '+' && l.text == "Edited in a browser tab."));
    for name in [one, two] {
        ops::delete(name).await.expect("delete");
    }
}

#[wasm_bindgen_test]
async fn merge_with_conflicts_resolved_in_the_browser() {
    use tabgit_engine::protocol::{ChangeKind, ConflictHunk, MergeResult, Resolution};
    let name = "engine-merge";
    fresh_clone(name, "demo.git").await;
    ops::switch_branch(name, "origin/conflict-a", &me())
        .await
        .expect("switch creates the tracking branch");
    let Reply::Branches { local, .. } = ops::branches(name).await.expect("branches") else {
        panic!("branches")
    };
    let current = local.iter().find(|b| b.current).expect("a current branch");
    assert_eq!(current.name, "conflict-a");
    assert_eq!(current.upstream.as_deref(), Some("origin/conflict-a"));

    let Reply::Merged(MergeResult::Conflicted { paths }) =
        ops::merge(name, "origin/conflict-b", &me())
            .await
            .expect("merge runs")
    else {
        panic!("the demo branches conflict")
    };
    assert_eq!(paths, vec![b"README.md".to_vec(), b"src/lib.rs".to_vec()]);
    let status = status_of(ops::status(name).await.expect("status"));
    assert!(status.merging);
    assert!(
        status
            .files
            .iter()
            .filter(|f| f.unstaged == Some(ChangeKind::Conflicted))
            .count()
            == 2
    );
    let Reply::Conflict(info) = ops::conflict(name, b"README.md").await.expect("conflict") else {
        panic!("conflict")
    };
    assert_eq!(info.ours_label, "conflict-a");
    assert!(info
        .hunks
        .iter()
        .any(|h| matches!(h, ConflictHunk::Conflict { .. })));
    // A merge cannot be committed while conflicts remain.
    assert!(ops::continue_merge(name, &me()).await.is_err());

    ops::resolve(name, b"README.md", &Resolution::Ours)
        .await
        .expect("resolve ours");
    let Reply::Conflict(lib) = ops::conflict(name, b"src/lib.rs").await.expect("conflict") else {
        panic!("conflict")
    };
    // Take theirs hunk by hunk, as the resolution view does.
    let text: String = lib
        .hunks
        .iter()
        .map(|h| match h {
            ConflictHunk::Clean(t) => t.clone(),
            ConflictHunk::Conflict { theirs, .. } => theirs.clone(),
        })
        .collect();
    ops::resolve(
        name,
        b"src/lib.rs",
        &Resolution::Content(text.clone().into_bytes()),
    )
    .await
    .expect("resolve with content");
    assert_eq!(read_text(name, b"src/lib.rs").await, text);
    let Reply::Committed { id } = ops::continue_merge(name, &me()).await.expect("continue") else {
        panic!("committed")
    };
    let top = history_top(name).await;
    assert_eq!(top.commit.id, id);
    assert_eq!(top.commit.parents.len(), 2, "a merge commit");
    assert!(top.graph.parents.len() == 2);
    let status = status_of(ops::status(name).await.expect("status"));
    assert!(!status.merging);
    assert!(status.files.is_empty(), "{status:?}");

    // Revert the merge: the branch's files are as before it.
    let before = read_text(name, b"src/lib.rs").await;
    let Reply::Merged(MergeResult::Committed { .. }) =
        ops::revert(name, &id, &me()).await.expect("revert")
    else {
        panic!("a clean revert")
    };
    assert_ne!(read_text(name, b"src/lib.rs").await, before);
    let Reply::File(at_parent) = ops::file_at(name, &format!("{id}^1"), b"src/lib.rs")
        .await
        .expect("file at")
    else {
        panic!("file")
    };
    assert_eq!(read_text(name, b"src/lib.rs").await.into_bytes(), at_parent);
    ops::delete(name).await.expect("delete");
}

#[wasm_bindgen_test]
async fn hunks_branches_blame_restore_and_reset() {
    use tabgit_engine::protocol::{ChangeKind, ResetMode};
    let name = "engine-hunks";
    fresh_clone(name, "demo.git").await;

    // Two changes far apart make two hunks; stage only the first.
    let original = read_text(name, b"docs/guide.md").await;
    let mut lines: Vec<String> = original.lines().map(str::to_owned).collect();
    assert!(lines.len() > 10, "the guide is long enough for two hunks");
    let last = lines.len() - 1;
    lines[0] = "FIRST LINE CHANGED".into();
    lines[last] = "LAST LINE CHANGED".into();
    let edited = lines.join("\n") + "\n";
    ops::write_file(name, b"docs/guide.md", edited.as_bytes(), false)
        .await
        .expect("edit");
    let Reply::Diff(diff) = ops::diff_file(name, b"docs/guide.md", false)
        .await
        .expect("diff")
    else {
        panic!("diff")
    };
    assert_eq!(diff.hunks.len(), 2);
    // Ids of another content are refused: the page must not stage what it did not show.
    assert!(ops::stage_hunk(
        name,
        b"docs/guide.md",
        0,
        false,
        (diff.old_id.clone(), Some("0".repeat(40)))
    )
    .await
    .is_err());
    ops::stage_hunk(
        name,
        b"docs/guide.md",
        0,
        false,
        (diff.old_id.clone(), diff.new_id.clone()),
    )
    .await
    .expect("stage one hunk");
    let status = status_of(ops::status(name).await.expect("status"));
    assert_eq!(status.files[0].staged, Some(ChangeKind::Modified));
    assert_eq!(status.files[0].unstaged, Some(ChangeKind::Modified));
    let Reply::Diff(staged) = ops::diff_file(name, b"docs/guide.md", true)
        .await
        .expect("diff")
    else {
        panic!("diff")
    };
    assert_eq!(staged.hunks.len(), 1);
    assert!(staged.hunks[0]
        .lines
        .iter()
        .any(|l| l.text == "FIRST LINE CHANGED"));
    ops::unstage(name, &[b"docs/guide.md".to_vec()])
        .await
        .expect("unstage");
    ops::discard(name, &[b"docs/guide.md".to_vec()])
        .await
        .expect("discard");
    assert_eq!(read_text(name, b"docs/guide.md").await, original);
    ops::write_file(name, b"scratch.txt", b"scratch\n", false)
        .await
        .expect("new file");
    ops::discard(name, &[b"scratch.txt".to_vec()])
        .await
        .expect("discard untracked");
    assert!(status_of(ops::status(name).await.expect("status"))
        .files
        .is_empty());

    // Branches.
    ops::create_branch(name, "topic-2", None, true, &me())
        .await
        .expect("create and switch");
    assert!(ops::create_branch(name, "bad..name", None, false, &me())
        .await
        .is_err());
    let Reply::Branches { local, .. } = ops::branches(name).await.expect("branches") else {
        panic!("branches")
    };
    assert!(local.iter().any(|b| b.name == "topic-2" && b.current));
    ops::switch_branch(name, "main", &me())
        .await
        .expect("switch back");
    ops::delete_branch(name, "topic-2", false)
        .await
        .expect("delete");

    // Blame: every line is covered once.
    let Reply::Blame { runs, lines } = ops::blame(name, b"README.md", None).await.expect("blame")
    else {
        panic!("blame")
    };
    let covered: u32 = runs.iter().map(|r| r.lines).sum();
    assert_eq!(covered as usize, lines.len());
    // The runs are in file order, 1-based, one after another.
    let mut next_line = 1;
    for run in &runs {
        assert_eq!(
            run.start, next_line,
            "runs follow each other from line 1: {runs:?}"
        );
        next_line += run.lines;
    }
    assert!(runs
        .iter()
        .all(|r| r.commit.len() == 40 && !r.author.is_empty()));

    // An author filter lists every commit of that author (the demo has four by Carol, two of
    // them on the merged feature branch), not only the first.
    let Reply::History(carol) = ops::history(
        name,
        None,
        false,
        &ops::HistoryFilter {
            author: Some("carol".into()),
            ..ops::HistoryFilter::default()
        },
        0,
        50,
    )
    .await
    .expect("history by author") else {
        panic!("history")
    };
    let summaries: Vec<&str> = carol.iter().map(|e| e.commit.summary.as_str()).collect();
    assert_eq!(
        summaries,
        [
            "Expand the guide",
            "Parse key=value lines",
            "Add a parser skeleton",
            "Add util helpers"
        ]
    );

    // Restore a file from an older commit, then reset it all away.
    let Reply::History(page) = ops::history(
        name,
        None,
        false,
        &ops::HistoryFilter {
            path: Some(b"README.md".to_vec()),
            ..ops::HistoryFilter::default()
        },
        0,
        50,
    )
    .await
    .expect("history of a file") else {
        panic!("history")
    };
    assert!(page.len() >= 2, "README.md changed more than once");
    let older = &page[1].commit.id;
    let Reply::File(old_readme) = ops::file_at(name, older, b"README.md")
        .await
        .expect("file at")
    else {
        panic!("file")
    };
    ops::restore_files(name, older, &[b"README.md".to_vec()])
        .await
        .expect("restore");
    assert_eq!(read_text(name, b"README.md").await.into_bytes(), old_readme);
    let status = status_of(ops::status(name).await.expect("status"));
    assert_eq!(status.files[0].staged, Some(ChangeKind::Modified));
    ops::reset(name, "HEAD", ResetMode::Hard, &me())
        .await
        .expect("reset");
    assert!(status_of(ops::status(name).await.expect("status"))
        .files
        .is_empty());
    ops::delete(name).await.expect("delete");
}

#[wasm_bindgen_test]
async fn an_interrupted_clone_is_swept_from_the_list() {
    use tabgit_store::idb::Database;
    let name = "engine-half-cloned";
    // What a tab closed in the middle of a clone leaves: the database, without the final
    // transaction that writes HEAD, refs and objects.
    drop(Database::open(name).await.expect("create the database"));
    assert!(Database::list()
        .await
        .expect("list")
        .iter()
        .any(|n| n == name));
    let Reply::Repos(list) = ops::list().await.expect("list") else {
        panic!("repos")
    };
    assert!(!list.iter().any(|r| r.name == name), "not shown");
    assert!(
        !Database::list()
            .await
            .expect("list")
            .iter()
            .any(|n| n == name),
        "and deleted"
    );
}

#[wasm_bindgen_test]
async fn folders_tags_stashes_upstreams_and_undo() {
    use tabgit_engine::protocol::{ChangeKind, PushSpec, ResetMode};
    let name = "engine-more";
    fresh_clone(name, "engine-push.git").await;

    // A folder renamed and deleted in one go each.
    ops::rename_path(name, b"src", b"source")
        .await
        .expect("rename a folder");
    let Reply::Files(files) = ops::list_files(name).await.expect("files") else {
        panic!("files")
    };
    assert!(files.iter().any(|f| f.path == b"source/lib.rs"));
    assert!(!files.iter().any(|f| f.path.starts_with(b"src/")));
    assert!(
        ops::rename_path(name, b"README.md", b"docs").await.is_err(),
        "no overwriting"
    );
    ops::delete_path(name, b"source")
        .await
        .expect("delete a folder");
    let status = status_of(ops::status(name).await.expect("status"));
    assert!(status
        .files
        .iter()
        .filter(|f| f.path.starts_with(b"src/"))
        .all(|f| f.unstaged == Some(ChangeKind::Deleted)));

    // Stash it all away, and back.
    ops::stash_save(name, Some("folder experiments"), &me())
        .await
        .expect("stash");
    assert!(status_of(ops::status(name).await.expect("status"))
        .files
        .is_empty());
    let Reply::Stashes(stashes) = ops::stash_list(name).await.expect("list") else {
        panic!("stashes")
    };
    assert_eq!(stashes.len(), 1);
    assert!(
        stashes[0].message.contains("folder experiments"),
        "{:?}",
        stashes[0]
    );
    ops::stash_apply(name, 0, true).await.expect("pop");
    assert!(!status_of(ops::status(name).await.expect("status"))
        .files
        .is_empty());
    let Reply::Stashes(stashes) = ops::stash_list(name).await.expect("list") else {
        panic!("stashes")
    };
    assert!(stashes.is_empty(), "popped");
    ops::reset(name, "HEAD", ResetMode::Hard, &me())
        .await
        .expect("reset");
    assert!(
        ops::stash_save(name, None, &me()).await.is_err(),
        "nothing to stash"
    );

    // A new branch pushed with its upstream, a tag, then both deleted on the server.
    ops::create_branch(name, "engine-topic", None, true, &me())
        .await
        .expect("branch");
    ops::write_file(name, b"topic.txt", b"topic\n", false)
        .await
        .expect("write");
    ops::stage(name, &[b"topic.txt".to_vec()])
        .await
        .expect("stage");
    let Reply::Committed { id } = ops::commit(name, "Topic work", false, &me())
        .await
        .expect("commit")
    else {
        panic!("commit")
    };
    ops::create_tag(name, "engine-v1", None, Some("First engine release"), &me())
        .await
        .expect("tag");
    let push = |refs: Vec<PushSpec>, set_upstream: bool| async move {
        match ops::push_refs(
            name,
            &remote("engine-push.git"),
            &refs,
            set_upstream,
            &me(),
            cancel(),
            &mut |_| {},
        )
        .await
        .expect("push")
        {
            Reply::Pushed { refs } => refs,
            other => panic!("pushed expected, got {other:?}"),
        }
    };
    let pushed = push(
        vec![
            PushSpec {
                source: Some("engine-topic".into()),
                destination: "engine-topic".into(),
                force: false,
            },
            PushSpec {
                source: Some("refs/tags/engine-v1".into()),
                destination: "refs/tags/engine-v1".into(),
                force: false,
            },
        ],
        true,
    )
    .await;
    assert!(pushed.iter().all(|r| r.ok), "{pushed:?}");
    let Reply::Branches {
        local,
        remote: remotes,
        tags,
    } = ops::branches(name).await.expect("branches")
    else {
        panic!("branches")
    };
    let topic = local
        .iter()
        .find(|b| b.name == "engine-topic")
        .expect("topic");
    assert_eq!(topic.upstream.as_deref(), Some("origin/engine-topic"));
    assert!(remotes
        .iter()
        .any(|b| b.name == "origin/engine-topic" && b.id == id));
    assert!(
        tags.iter().any(|t| t.name == "engine-v1" && t.id == id),
        "peeled to the commit"
    );
    let deleted = push(
        vec![
            PushSpec {
                source: None,
                destination: "engine-topic".into(),
                force: false,
            },
            PushSpec {
                source: None,
                destination: "refs/tags/engine-v1".into(),
                force: false,
            },
        ],
        false,
    )
    .await;
    assert!(deleted.iter().all(|r| r.ok), "{deleted:?}");
    let Reply::RemoteOk { .. } = ops::test_remote(&remote("engine-push.git"), cancel())
        .await
        .expect("remote")
    else {
        panic!("remote")
    };
    ops::rename_branch(name, "engine-topic", "engine-renamed", &me())
        .await
        .expect("rename");
    ops::delete_tag(name, "engine-v1")
        .await
        .expect("delete tag");

    // Undo a hard reset from the reflog.
    ops::reset(name, "HEAD~1", ResetMode::Hard, &me())
        .await
        .expect("reset");
    let Reply::Reflog(entries) = ops::reflog(name, "HEAD", 10).await.expect("reflog") else {
        panic!("reflog")
    };
    assert!(
        entries[0].message.starts_with("reset: moving to"),
        "{:?}",
        entries[0]
    );
    assert_eq!(entries[0].old, id);
    ops::reset(name, &entries[0].old, ResetMode::Hard, &me())
        .await
        .expect("undo");
    assert_eq!(history_top(name).await.commit.id, id);
    assert_eq!(read_text(name, b"topic.txt").await, "topic\n");

    // History filters: by author and by message text, any case.
    let page = |author: Option<&str>, text: Option<&str>| {
        let filter = ops::HistoryFilter {
            author: author.map(str::to_owned),
            text: text.map(str::to_owned),
            ..ops::HistoryFilter::default()
        };
        async move {
            match ops::history(name, None, false, &filter, 0, 100)
                .await
                .expect("history")
            {
                Reply::History(page) => page,
                other => panic!("history expected, got {other:?}"),
            }
        }
    };
    let mine = page(Some("browser tester"), None).await;
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].commit.id, id);
    assert_eq!(page(None, Some("TOPIC WORK")).await.len(), 1);
    assert!(page(Some("nobody at all"), None).await.is_empty());
    ops::delete(name).await.expect("delete");
}

/// Resolve after `ms` milliseconds (the worker's `setTimeout`).
async fn pause(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let global = js_sys::global().unchecked_into::<web_sys::WorkerGlobalScope>();
        let _ = global.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

use wasm_bindgen::JsCast as _;

/// A tab that holds a repository's lock and never lets go (a frozen or suspended tab): a writer
/// in another context waits for it, never writes around it and never steals it, and goes on
/// once the holder lets go, with nothing lost (`RELIABILITY.md` S10).
#[wasm_bindgen_test]
async fn a_writer_waits_for_a_frozen_lock_holder_and_never_steals_the_lock() {
    let name = "engine-frozen";
    fresh_clone(name, "tiny.git").await;
    // The frozen tab: it takes the lock and holds it until `release` is called.
    let hold = js_sys::Function::new_with_args(
        "name",
        "let release; \
         const held = new Promise((granted) => navigator.locks.request(name, () => \
           new Promise((done) => { release = done; granted(); }))); \
         return held.then(() => release);",
    );
    let release = wasm_bindgen_futures::JsFuture::from(
        hold.call1(
            &wasm_bindgen::JsValue::NULL,
            &format!("tabgit:{name}").into(),
        )
        .expect("lock requested")
        .unchecked_into::<js_sys::Promise>(),
    )
    .await
    .expect("lock held")
    .unchecked_into::<js_sys::Function>();

    let told = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    {
        let told = told.clone();
        ops::set_busy_hook(move |repo, waiting| told.borrow_mut().push((repo.to_owned(), waiting)));
    }
    let (tx, mut rx) = futures_channel::oneshot::channel();
    wasm_bindgen_futures::spawn_local(async move {
        let result = ops::write_file(
            name,
            b"frozen/after.txt",
            b"written after the wait\n",
            false,
        )
        .await;
        let _ = tx.send(result.is_ok());
    });
    pause(1500).await;
    assert!(
        matches!(rx.try_recv(), Ok(None)),
        "the writer is still waiting for the lock"
    );
    let Reply::Files(files) = ops::list_files(name).await.expect("files") else {
        panic!("files")
    };
    assert!(
        !files.iter().any(|f| f.path.starts_with(b"frozen/")),
        "nothing was written around the lock"
    );

    release
        .call0(&wasm_bindgen::JsValue::NULL)
        .expect("the frozen tab lets go");
    assert!(rx.await.expect("writer finished"), "the write succeeds");
    assert_eq!(
        read_text(name, b"frozen/after.txt").await,
        "written after the wait\n"
    );
    assert_eq!(
        *told.borrow(),
        [(name.to_owned(), true), (name.to_owned(), false)],
        "the wait was told when it began and when it ended"
    );
    ops::set_busy_hook(|_, _| {});
    ops::delete(name).await.expect("delete");
}
