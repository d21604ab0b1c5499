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
