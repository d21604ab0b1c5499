//! Storage faults natively (RELIABILITY.md S1, S2, S4): a store that fills up after N
//! transactions, under clone and fetch.
//!
//! Whatever N is, the operation fails with the store's error in words ("storage is full"), no
//! ref points at an object that is not stored, and a fetch into an existing repository leaves
//! its refs as they were. This is the "failing store wrapper" of RELIABILITY.md S1; the
//! browser's own quota errors are the lead's wasm tests. S14 too: a clone larger than the
//! storage left stops before it stores anything.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tabgit_hash::ObjectId;
use tabgit_object::{Signature, Time};
use tabgit_pack::bundle::PackData;
use tabgit_repo::remote::{clone, fetch, Session};
use tabgit_repo::Repository;
use tabgit_store::files::{Error, GitFiles, MemoryFiles, Transaction};
use tabgit_store::odb::Odb;
use tabgit_testtools::{workspace_root, Result};
use tabgit_transport::native::NativeClient;
use tabgit_transport::Url;

/// A [`MemoryFiles`] that refuses every transaction after the first `budget` that write
/// something, as a browser store does once its quota is used up.
#[derive(Clone)]
struct FillsUp {
    inner: MemoryFiles,
    budget: Arc<AtomicUsize>,
}

impl FillsUp {
    fn new(inner: MemoryFiles, budget: usize) -> Self {
        FillsUp {
            inner,
            budget: Arc::new(AtomicUsize::new(budget)),
        }
    }
}

impl GitFiles for FillsUp {
    fn read(&self, path: &str) -> std::result::Result<Option<Vec<u8>>, Error> {
        self.inner.read(path)
    }

    fn list(&self, dir: &str) -> std::result::Result<Vec<String>, Error> {
        self.inner.list(dir)
    }

    fn exists(&self, path: &str) -> std::result::Result<bool, Error> {
        self.inner.exists(path)
    }

    fn commit(&self, transaction: Transaction) -> std::result::Result<(), Error> {
        if transaction.changes.is_empty() {
            return self.inner.commit(transaction);
        }
        let spent = self
            .budget
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
                left.checked_sub(1)
            });
        if spent.is_err() {
            return Err(Error::Full {
                path: transaction.changes[0].0.clone(),
            });
        }
        self.inner.commit(transaction)
    }

    fn pack_data(&self, path: &str) -> std::result::Result<Option<Box<dyn PackData>>, Error> {
        self.inner.pack_data(path)
    }
}

fn me() -> Signature {
    Signature {
        name: b"T Ester".to_vec(),
        email: b"tester@example.com".to_vec(),
        time: Time::new(1_700_000_000, 0),
    }
}

/// The malicious corpus's good repositories (`base.git`, and `ahead.git` one commit further),
/// served locally.
fn serve() -> Result<tabgit_gitserver::Running> {
    let corpus = workspace_root().join("target").join("malicious");
    let script = workspace_root().join("tests/fixtures/make-malicious.sh");
    let out = std::process::Command::new("bash")
        .arg(&script)
        .arg(&corpus)
        .output()?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned().into());
    }
    let mut config = tabgit_gitserver::Config::new(&corpus);
    config.log = false;
    Ok(tabgit_gitserver::start(config)?)
}

fn session<'a>(client: &'a NativeClient, url: &str) -> Result<Session<'a, NativeClient>> {
    Ok(Session {
        client,
        url: Url::parse(url)?,
        credentials: None,
        proxy: None,
        cancelled: &|| false,
        limits: Default::default(),
    })
}

/// Every ref (loose, packed, and HEAD when it is direct) and the object it names.
fn refs(files: &MemoryFiles) -> Result<BTreeMap<String, ObjectId>> {
    let mut refs = BTreeMap::new();
    for (path, data) in files.snapshot() {
        if path == "HEAD" || path.starts_with("refs/") {
            if let tabgit_refs::Target::Object(id) = tabgit_refs::loose::decode(&data)? {
                refs.insert(path, id);
            }
        } else if path == "packed-refs" {
            for record in &tabgit_refs::PackedRefs::from_bytes(&data)? {
                refs.insert(
                    String::from_utf8_lossy(&record.name).into_owned(),
                    record.target,
                );
            }
        }
    }
    Ok(refs)
}

/// RELIABILITY.md goal 6: no ref points at an object that is not stored.
fn no_dangling_ref(files: &MemoryFiles, label: &str) -> Result {
    let odb = Odb::open(files.clone())?;
    for (name, id) in refs(files)? {
        assert!(
            odb.has(&id)?,
            "{label}: ref {name} points at {id}, which is not stored"
        );
    }
    Ok(())
}

/// S1 and S2 for clone: fill the store after every possible number of transactions.
#[test]
fn clone_into_a_store_that_fills_up_fails_in_words_and_leaves_no_dangling_ref() -> Result {
    let server = serve()?;
    let url = format!("{}/ahead.git", server.url());
    let client = NativeClient::default();
    let mut failures = 0;
    for budget in 0..64 {
        let files = MemoryFiles::default();
        let worktree = tabgit_store::worktree::MemoryWorktree::default();
        let mut session = session(&client, &url)?;
        let res = futures_executor::block_on(clone::clone(
            FillsUp::new(files.clone(), budget),
            Some(Box::new(worktree)),
            &mut session,
            &clone::Options::new(me()),
            &mut |_| {},
        ));
        no_dangling_ref(&files, &format!("clone with {budget} writes"))?;
        match res {
            Ok(_) => {
                assert!(failures > 0, "a store with no room fails the clone");
                return Ok(());
            }
            Err(err) => {
                failures += 1;
                let message = format!("{err}");
                assert!(
                    message.contains("storage is full"),
                    "clone with {budget} writes fails in the store's words: {message:?}"
                );
            }
        }
    }
    Err("a clone needs fewer than 64 transactions".into())
}

/// S1 for fetch: the existing repository keeps its refs whatever transaction fails.
#[test]
fn fetch_into_a_store_that_fills_up_keeps_the_refs() -> Result {
    let server = serve()?;
    let client = NativeClient::default();
    let base = format!("{}/base.git", server.url());
    let ahead = format!("{}/ahead.git", server.url());
    for budget in 0..64 {
        let files = MemoryFiles::default();
        let mut clone_session = session(&client, &base)?;
        let mut options = clone::Options::new(me());
        options.no_checkout = true;
        futures_executor::block_on(clone::clone(
            files.clone(),
            None,
            &mut clone_session,
            &options,
            &mut |_| {},
        ))?;
        let before = refs(&files)?;
        let repo = Repository::open(FillsUp::new(files.clone(), budget), None)?;
        let mut fetch_session = session(&client, &ahead)?;
        let fetch_options = fetch::Options {
            refspecs: vec![tabgit_refs::RefSpec::parse(
                b"+refs/heads/*:refs/remotes/origin/*",
                tabgit_refs::refspec::Operation::Fetch,
            )?],
            tags: fetch::Tags::default(),
            prune: false,
            depth: None,
            deepen_since: None,
            deepen_not: Vec::new(),
            filter: None,
            max_pack_bytes: None,
            committer: me(),
            remote_name: "origin".into(),
            server_progress: false,
        };
        let res = futures_executor::block_on(fetch::fetch(
            &repo,
            &mut fetch_session,
            &fetch_options,
            &mut |_| {},
        ));
        no_dangling_ref(&files, &format!("fetch with {budget} writes"))?;
        match res {
            Ok(_) => {
                assert!(budget > 0, "a store with no room fails the fetch");
                return Ok(());
            }
            Err(err) => {
                let message = err.to_string();
                assert!(
                    message.contains("storage is full"),
                    "fetch with {budget} writes fails in the store's words: {message:?}"
                );
                assert_eq!(refs(&files)?, before, "a failed fetch moves no ref");
            }
        }
    }
    Err("a fetch needs fewer than 64 transactions".into())
}

/// S14: a clone larger than the storage left (the engine sets `max_pack_bytes` from the
/// browser's storage estimate) stops with an explanation while the pack arrives, and stores no
/// pack and no ref.
#[test]
fn a_clone_larger_than_the_storage_left_stops_in_words_and_stores_nothing() -> Result {
    let server = serve()?;
    let url = format!("{}/ahead.git", server.url());
    let client = NativeClient::default();
    let files = MemoryFiles::default();
    let worktree = tabgit_store::worktree::MemoryWorktree::default();
    let mut session = session(&client, &url)?;
    let mut options = clone::Options::new(me());
    options.max_pack_bytes = Some(64);
    let res = futures_executor::block_on(clone::clone(
        files.clone(),
        Some(Box::new(worktree)),
        &mut session,
        &options,
        &mut |_| {},
    ));
    let Err(err) = res else {
        return Err("a pack larger than 64 bytes is refused".into());
    };
    let message = err.to_string();
    assert!(
        message.contains("larger than the") && message.contains("nothing was stored"),
        "the clone says why it stopped: {message:?}"
    );
    assert_eq!(refs(&files)?, BTreeMap::new(), "no ref is written");
    let stored: Vec<String> = files
        .snapshot()
        .into_keys()
        .filter(|path| path.starts_with("objects/"))
        .collect();
    assert!(stored.is_empty(), "no object or pack is stored: {stored:?}");
    Ok(())
}
