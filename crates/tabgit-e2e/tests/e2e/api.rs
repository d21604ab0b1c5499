//! The engine's JavaScript API (`TabgitEngine`, for other web apps), driven from a script on the
//! app's page the way an embedding app would: clone through the proxy, read, write, stage,
//! commit, log, push; errors are `TabgitError`s in words; native git checks the server.

use tabgit_e2e::{dist_dir, Result, World, WorldOptions};
use tabgit_testtools::{git, git_text};

const SCRIPT: &str = r"
const [repoUrl, proxy, done] = arguments;
(async () => {
  const engine = new window.tabgit.TabgitEngine('./tabgit-worker_loader.js');
  const out = {};
  out.version = await engine.ping();
  const progress = [];
  out.repo = await engine.clone('api-demo', repoUrl, { proxy, onProgress: (p) => progress.push(p) });
  out.phases = [...new Set(progress.filter((p) => p.phase).map((p) => p.phase))];
  const readme = new TextDecoder().decode(await engine.readFile('api-demo', 'README.md'));
  out.readmeLength = readme.length;
  await engine.writeFile('api-demo', 'api/hello.txt', new TextEncoder().encode('from the JavaScript API\n'));
  out.status = await engine.status('api-demo');
  await engine.stage('api-demo', ['api/hello.txt']);
  const author = { name: 'Grace Hopper', email: 'grace@example.org', time: 1700000000, offsetMinutes: 60 };
  out.commit = await engine.commit('api-demo', 'Add a file through the JavaScript API', author);
  out.log = await engine.log('api-demo', 2);
  out.pushed = await engine.push('api-demo', { url: repoUrl, proxy, author });
  try { await engine.readFile('api-demo', 'no/such/file'); out.missing = 'no error'; }
  catch (err) { out.missing = `${err.name}: ${err.message}`; }
  try { await engine.clone('api-demo', repoUrl, { proxy }); out.again = 'no error'; }
  catch (err) { out.again = `${err.name}: ${err.message}`; }
  try { await engine.commit('api-demo', 'no author', {}); out.noAuthor = 'no error'; }
  catch (err) { out.noAuthor = `${err.name}: ${err.message}`; }
  out.repos = (await engine.listRepos()).map((r) => r.name);
  out.restarts = engine.restarts();
  done(out);
})().catch((err) => done({ error: String((err && err.stack) || err) }));
";

#[tokio::test]
async fn the_javascript_api_clones_commits_and_pushes() -> Result {
    let world = World::start(WorldOptions {
        repos: vec!["demo"],
    })
    .await?;
    let b = &world.browser;
    world.open("#/").await?;
    b.engine_ready().await?;
    let out = b
        .script(
            SCRIPT,
            vec![
                serde_json::json!(world.repo_url("demo")),
                serde_json::json!(world.proxy.url()),
            ],
        )
        .await?;
    assert!(out.get("error").is_none(), "the script ran: {out}");
    assert!(out["version"].as_str().is_some_and(|v| !v.is_empty()));
    assert_eq!(out["repo"]["name"], "api-demo", "{out}");
    assert_eq!(out["repo"]["branch"], "main", "{out}");
    assert!(
        out["phases"]
            .as_array()
            .is_some_and(|p| p.iter().any(|p| p == "Receiving objects")),
        "progress reached the callback: {}",
        out["phases"]
    );
    assert!(out["readmeLength"].as_u64().is_some_and(|n| n > 0));
    let files = out["status"]["files"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        files
            .iter()
            .any(|f| f["path"] == "api/hello.txt" && f["unstaged"] == "untracked"),
        "status shows the new file: {files:?}"
    );
    let commit = out["commit"].as_str().unwrap_or_default().to_owned();
    assert_eq!(commit.len(), 40, "a commit id: {out}");
    let log = out["log"].as_array().cloned().unwrap_or_default();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0]["id"], commit.as_str());
    assert_eq!(log[0]["summary"], "Add a file through the JavaScript API");
    assert_eq!(log[0]["author"], "Grace Hopper");
    assert_eq!(log[0]["time"], 1_700_000_000);
    assert_eq!(log[0]["parents"][0], log[1]["id"]);
    let pushed = out["pushed"].as_array().cloned().unwrap_or_default();
    assert!(
        !pushed.is_empty() && pushed.iter().all(|r| r["ok"] == true),
        "the push was accepted: {pushed:?}"
    );
    let missing = out["missing"].as_str().unwrap_or_default();
    assert!(
        missing.starts_with("TabgitError: "),
        "a missing file is a TabgitError: {missing}"
    );
    let again = out["again"].as_str().unwrap_or_default();
    assert!(again.contains("already exists"), "{again}");
    let no_author = out["noAuthor"].as_str().unwrap_or_default();
    assert!(
        no_author.starts_with("TabgitError: ") && no_author.contains("name"),
        "a commit without an author is refused in words: {no_author}"
    );
    assert!(out["repos"]
        .as_array()
        .is_some_and(|r| r.iter().any(|n| n == "api-demo")));
    assert_eq!(out["restarts"], 0);

    // The server has the commit, by its author, with the file; git's checks pass.
    let served = world.served("demo");
    assert_eq!(git_text(&served, &["rev-parse", "main"])?.trim(), commit);
    assert_eq!(
        git_text(
            &served,
            &[
                "log",
                "-1",
                "--format=%s%n%an <%ae> %at %ad",
                "--date=format:%z",
                "main"
            ]
        )?
        .trim(),
        "Add a file through the JavaScript API\nGrace Hopper <grace@example.org> 1700000000 +0100"
    );
    assert_eq!(
        git(&served, &["show", "main:api/hello.txt"])?,
        b"from the JavaScript API\n",
        "the file has exactly the bytes written"
    );
    git_text(&served, &["fsck", "--strict", "--no-dangling"])?;

    // trunk wrote the module's TypeScript definitions, with the API's types.
    let mut typed = false;
    for entry in std::fs::read_dir(dist_dir()?)? {
        let path = entry?.path();
        if path.to_string_lossy().ends_with(".d.ts") {
            let text = std::fs::read_to_string(&path)?;
            typed |= text.contains("class TabgitEngine")
                && text.contains("interface Status")
                && text.contains(
                    "clone(name: string, url: string, options: CloneOptions): Promise<RepoSummary>",
                );
        }
    }
    assert!(typed, "dist has the TypeScript definitions of TabgitEngine");
    world.assert_no_csp_violation().await?;
    world.quit().await
}

const CRASHING: &str = r"
const [done] = arguments;
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
(async () => {
  const engine = new window.tabgit.TabgitEngine('./no-such-worker.js');
  const out = {};
  try { await engine.ping(); out.first = 'no error'; }
  catch (err) { out.first = `${err.name}: ${err.message}`; }
  await pause(2000);
  out.restarts = engine.restarts();
  try { await engine.ping(); out.later = 'no error'; }
  catch (err) { out.later = `${err.name}: ${err.message}`; }
  await pause(1000);
  out.restartsLater = engine.restarts();
  done(out);
})().catch((err) => done({ error: String((err && err.stack) || err) }));
";

/// A worker that dies as it starts (here: its script is missing) fails the pending request in
/// words, is restarted a few times, and is then given up instead of being restarted for ever;
/// later requests fail at once and say to reload (`RELIABILITY.md` S12, the page's side).
#[tokio::test]
async fn an_engine_that_keeps_crashing_is_given_up_in_words() -> Result {
    let world = World::start(WorldOptions { repos: vec![] }).await?;
    let b = &world.browser;
    world.open("#/").await?;
    b.engine_ready().await?;
    let out = b.script(CRASHING, Vec::new()).await?;
    assert!(out.get("error").is_none(), "the script ran: {out}");
    let first = out["first"].as_str().unwrap_or_default();
    assert!(
        first.starts_with("TabgitError: The engine crashed and was restarted"),
        "the pending request fails in words: {first}"
    );
    assert_eq!(
        out["restarts"],
        3, // tabgit_engine::bridge::MAX_CRASHES
        "restarted a few times, then given up: {out}"
    );
    let later = out["later"].as_str().unwrap_or_default();
    assert!(
        later.contains("keeps crashing") && later.contains("reload the page"),
        "later requests fail at once, in words: {later}"
    );
    assert_eq!(out["restartsLater"], out["restarts"], "no restart loop");
    // The app's own engine is untouched.
    b.engine_ready().await?;
    world.quit().await
}
