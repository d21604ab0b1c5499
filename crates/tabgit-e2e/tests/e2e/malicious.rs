//! The malicious-repository corpus (`tests/fixtures/make-malicious.sh`, SECURITY.md) cloned by
//! the app in headless Chromium through the proxy: every hostile repository is refused with
//! words in the error banner, the engine worker survives (no panic, no restart), nothing is
//! kept (the repository list and IndexedDB's databases are as before), and server text is shown
//! without control or bidi characters. The native CLI runs the same corpus with the exact
//! words of each refusal (`crates/tabgit-fuzz/tests/malicious.rs`); the browser runs the same
//! core, so this test checks what only the browser adds: the worker, IndexedDB and the page.

use std::process::{Command, Stdio};

use tabgit_e2e::{Result, World, WorldOptions};
use tabgit_testtools::workspace_root;

/// The cases a clone must accept: hostile text to be masked, not an error.
const CLONE_SUCCEEDS: &[&str] = &["server-progress-bidi"];

/// Whether `c` is a control character or a bidi override/isolate (RELIABILITY.md row 34).
fn unsafe_char(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
}

/// The corpus (generated once per machine: the script keeps a stamp and takes a lock), its
/// case names, and a world whose git server serves the corpus beside `demo`.
async fn corpus_world() -> Result<(World, Vec<String>)> {
    let corpus = workspace_root().join("target").join("malicious");
    let script = workspace_root().join("tests/fixtures/make-malicious.sh");
    let made = Command::new("bash")
        .arg(&script)
        .arg(&corpus)
        .stdin(Stdio::null())
        .output()?;
    if !made.status.success() {
        return Err(format!(
            "{} failed: {}",
            script.display(),
            String::from_utf8_lossy(&made.stderr)
        )
        .into());
    }
    let cases: Vec<String> = std::fs::read_to_string(corpus.join("CASES"))?
        .lines()
        .filter_map(|l| l.split('\t').next())
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect();
    assert!(cases.len() >= 40, "the corpus lists its cases: {cases:?}");

    let world = World::start(WorldOptions {
        repos: vec!["demo"],
    })
    .await?;
    for entry in std::fs::read_dir(&corpus)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "git") {
            let copied = Command::new("cp")
                .arg("-a")
                .arg(&path)
                .arg(world.root.path())
                .status()?;
            assert!(copied.success(), "copy {}", path.display());
        }
    }
    Ok((world, cases))
}

#[tokio::test]
async fn hostile_repositories_are_refused_in_the_browser_and_nothing_is_kept() -> Result {
    let (world, cases) = corpus_world().await?;
    let b = &world.browser;
    world.configure().await?;
    world.clone_repo(&world.repo_url("demo")).await?;

    // The banner's whole text, its folded details included.
    let banner_text = || async {
        let value = b
            .driver
            .execute(
                "const e = document.querySelector('[data-testid=\"error-banner\"]');
                 return e ? e.textContent : '';",
                Vec::new(),
            )
            .await?
            .json()
            .as_str()
            .unwrap_or_default()
            .to_owned();
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>(value)
    };
    let before = b.databases().await?;

    let mut wrong = Vec::new();
    for case in &cases {
        let case = case.as_str();
        if CLONE_SUCCEEDS.contains(&case) {
            continue;
        }
        world
            .open(&format!("#/clone?url={}", world.repo_url(case)))
            .await?;
        // A fresh page, so the banner read below is this case's.
        b.driver.refresh().await?;
        b.wait_text("clone-storage", |t| t.contains("used")).await?;
        b.click("clone-submit").await?;
        b.wait_text("error-banner", |t| !t.is_empty()).await?;
        let text = banner_text().await?;
        eprintln!("{case}: {}", text.escape_debug());
        if text.contains("engine crashed") || text.contains("engine stopped") {
            wrong.push(format!("{case}: the engine died: {text:?}"));
        }
        if !text.contains("Clone failed") {
            wrong.push(format!("{case}: no clone failure in words: {text:?}"));
        }
        if text.chars().any(unsafe_char) {
            wrong.push(format!(
                "{case}: a control or bidi character reached the page: {text:?}"
            ));
        }
        let now = b.databases().await?;
        if now != before {
            wrong.push(format!("{case}: databases changed: {before} -> {now}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} cases went wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );

    // The engine still answers and the repository that was there still reads.
    world.open("#/repo/demo/files").await?;
    b.wait_for("[data-testid=\"file-tree\"] [data-testid=\"file-entry\"]")
        .await?;

    // Hostile progress text is masked, and the clone goes through.
    for case in CLONE_SUCCEEDS {
        world.clone_repo(&world.repo_url(case)).await?;
        let text = b.driver.source().await?;
        assert!(
            !text
                .chars()
                .any(|c| matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')),
            "{case}: no bidi control in the page"
        );
    }
    world.quit().await
}

/// The cases a fetch must accept, as git does: hostile progress text (masked), and a tree
/// too deep to check out, which a fetch only stores (the checkout refuses it, as the clone test
/// shows).
const FETCH_SUCCEEDS: &[&str] = &["server-progress-bidi", "tree-deep"];

/// One fetch through the engine's JavaScript API (`window.__tabgitEngine`, made by the first
/// call): `"ok"` or the error's words.
const FETCH_CASE: &str = r"
const [url, proxy, done] = arguments;
const engine = (window.__tabgitEngine ||= new window.tabgit.TabgitEngine('./tabgit-worker_loader.js'));
const author = { name: 'Ada Lovelace', email: 'ada@example.org' };
engine.fetch('base', { url, proxy, author })
  .then(() => done({ outcome: 'ok', restarts: engine.restarts() }))
  .catch((err) => done({ outcome: `${err.name}: ${err.message}`, restarts: engine.restarts() }));
";

/// The repository's state as the engine reports it: its log, branch, changes and stored size.
const STATE: &str = r"
const [done] = arguments;
const engine = window.__tabgitEngine;
Promise.all([engine.log('base', 10), engine.status('base'), engine.listRepos()])
  .then(([log, status, repos]) => done({
    log: log.map((c) => c.id),
    branch: status.branch,
    changes: status.files.length,
    size: repos.find((r) => r.name === 'base').size,
  }))
  .catch((err) => done({ error: String(err) }));
";

/// The corpus fetched into a good clone (`base`, whose history every case extends) in
/// headless Chromium: every hostile fetch is refused with words, the worker survives, no
/// control or bidi character reaches the page, and the repository is as it was, with nothing
/// of the refused packs kept. The native CLI checks the exact words of each refusal
/// (`crates/tabgit-fuzz/tests/malicious.rs`, `malicious_repositories_are_refused_on_fetch…`).
#[tokio::test]
async fn hostile_repositories_are_refused_on_fetch_in_the_browser() -> Result {
    let (world, cases) = corpus_world().await?;
    let b = &world.browser;
    world.configure().await?;
    world.clone_repo(&world.repo_url("base")).await?;
    let proxy = world.proxy.url();
    // A first fetch from base itself makes the engine and changes nothing.
    let first = b
        .script(
            FETCH_CASE,
            vec![world.repo_url("base").into(), proxy.clone().into()],
        )
        .await?;
    assert_eq!(first["outcome"], "ok", "{first}");
    let before = b.script(STATE, Vec::new()).await?;
    assert!(before.get("error").is_none(), "{before}");
    let databases = b.databases().await?;

    let mut wrong = Vec::new();
    for case in cases
        .iter()
        .filter(|c| !FETCH_SUCCEEDS.contains(&c.as_str()))
    {
        let out = b
            .script(
                FETCH_CASE,
                vec![world.repo_url(case).into(), proxy.clone().into()],
            )
            .await?;
        let outcome = out["outcome"].as_str().unwrap_or_default().to_owned();
        eprintln!("fetch {case}: {}", outcome.escape_debug());
        if !outcome.starts_with("TabgitError: ") {
            wrong.push(format!("{case}: not refused in words: {out}"));
        }
        if out["restarts"] != 0 {
            wrong.push(format!("{case}: the engine died: {out}"));
        }
        if outcome.chars().any(unsafe_char) {
            wrong.push(format!("{case}: a control or bidi character: {outcome:?}"));
        }
        let now = b.script(STATE, Vec::new()).await?;
        if now != before {
            wrong.push(format!("{case}: the repository changed: {before} -> {now}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} cases went wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert_eq!(b.databases().await?, databases, "no database came or went");
    for case in FETCH_SUCCEEDS {
        let out = b
            .script(
                FETCH_CASE,
                vec![world.repo_url(case).into(), proxy.clone().into()],
            )
            .await?;
        assert_eq!(out["outcome"], "ok", "{case}: {out}");
    }
    // The app still opens the repository and reads it.
    world.open("#/repo/base/files").await?;
    b.wait_for("[data-testid=\"file-tree\"] [data-testid=\"file-entry\"]")
        .await?;
    world.quit().await
}
