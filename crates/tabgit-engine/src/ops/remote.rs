//! Clone, fetch and push over `fetch` (through the CORS proxy when one is given).

use tabgit_repo::remote::{self, clone as clone_op, fetch as fetch_op, push as push_op, Session};
use tabgit_store::idb::Database;
use tabgit_transport::fetch::FetchClient;
use tabgit_transport::{Auth, Credentials, Url};

use crate::ops::{locks, repo::OpenRepo, signature, storage_error, Cancel, ProgressSink};
use crate::protocol::{
    EngineError, Identity, MergeResult, Progress, PushSpec, RefOutcome, Remote, Reply, Secret,
};

fn progress_of(p: remote::Progress) -> Progress {
    let phase = |name: &str, done: u64, total: u64, bytes: u64| Progress::Phase {
        name: name.into(),
        done,
        total,
        bytes,
    };
    match p {
        remote::Progress::Discovering => phase("Connecting", 0, 0, 0),
        remote::Progress::Negotiating => phase("Counting objects", 0, 0, 0),
        remote::Progress::Receiving {
            bytes,
            objects,
            total_objects,
        } => phase(
            "Receiving objects",
            objects as u64,
            u64::from(total_objects),
            bytes,
        ),
        remote::Progress::Resolving { done, total } => {
            phase("Resolving deltas", done as u64, total as u64, 0)
        }
        remote::Progress::Checking => phase("Checking objects", 0, 0, 0),
        remote::Progress::CheckingOut { done, total } => {
            phase("Checking out files", done as u64, total as u64, 0)
        }
        remote::Progress::Sending { bytes, objects } => {
            phase("Writing objects", objects as u64, objects as u64, bytes)
        }
        remote::Progress::Remote(text) => Progress::Message(text),
    }
}

fn remote_error(err: &remote::Error) -> EngineError {
    let title = match err {
        remote::Error::Http(tabgit_transport::Error::Unreachable { .. }) => {
            "Could not reach the proxy or the host (offline, or the proxy refused this site)"
                .to_owned()
        }
        other => {
            let text = other.to_string();
            let mut chars = text.chars();
            chars.next().map_or(text.clone(), |c| {
                c.to_uppercase().collect::<String>() + chars.as_str()
            })
        }
    };
    EngineError::new(title, err)
}

/// What a session with a remote owns while an operation runs: the `fetch` client (aborted by
/// the operation's cancel), the cancel flag, and the remote's URL, proxy and credentials.
struct Connection {
    client: FetchClient,
    cancelled: Box<dyn Fn() -> bool>,
    url: Url,
    proxy: Option<Url>,
    credentials: Option<Credentials>,
}

impl Connection {
    /// The connection to `remote` for one operation, cancelled by `cancel`.
    fn new(remote: &Remote, cancel: Cancel) -> Result<Connection, EngineError> {
        let Cancel { flag, abort } = cancel;
        let (url, proxy, credentials) = parts(remote)?;
        Ok(Connection {
            client: FetchClient::with_abort(abort),
            cancelled: Box::new(move || flag.get()),
            url,
            proxy,
            credentials,
        })
    }

    /// A session over this connection, with the default limits.
    fn session(&self) -> Session<'_, FetchClient> {
        Session {
            client: &self.client,
            url: self.url.clone(),
            credentials: self.credentials.clone(),
            proxy: self.proxy.clone(),
            cancelled: &*self.cancelled,
            limits: Default::default(),
        }
    }
}

/// The remote's URL, proxy and credentials (bound to the URL's origin), checked.
fn parts(remote: &Remote) -> Result<(Url, Option<Url>, Option<Credentials>), EngineError> {
    let url =
        Url::parse(&remote.url).map_err(|e| EngineError::new("This URL cannot be used", &e))?;
    let proxy = match &remote.proxy {
        Some(p) if !p.is_empty() => {
            Some(Url::parse(p).map_err(|e| EngineError::new("The proxy URL cannot be used", &e))?)
        }
        _ => None,
    };
    let credentials = remote.secret.as_ref().map(|secret| Credentials {
        origin: url.origin(),
        auth: match secret {
            Secret::Basic { username, secret } => Auth::Basic {
                username: username.clone(),
                secret: secret.clone(),
            },
            Secret::Bearer { token } => Auth::Bearer {
                token: token.clone(),
            },
        },
    });
    Ok((url, proxy, credentials))
}

/// What to clone: a branch, a depth, a filter.
#[derive(Clone, Debug, Default)]
pub struct CloneShape {
    /// Check out this branch instead of the remote's HEAD.
    pub branch: Option<String>,
    /// History depth.
    pub depth: Option<u32>,
    /// Partial clone filter.
    pub filter: Option<String>,
}

/// `Op::Clone`: into a new database; on any failure the database is deleted, so no half-cloned
/// repository appears in the list.
pub async fn clone(
    name: &str,
    remote: &Remote,
    shape: &CloneShape,
    identity: &Identity,
    cancel: Cancel,
    progress: ProgressSink<'_>,
) -> Result<Reply, EngineError> {
    if Database::list()
        .await
        .map_err(|e| storage_error(&e))?
        .iter()
        .any(|n| n == name)
    {
        return Err(EngineError {
            title: format!("A repository named '{name}' already exists"),
            detail: String::new(),
        });
    }
    let connection = Connection::new(remote, cancel)?;
    let free = super::repo::estimate()
        .await
        .map(|(usage, quota)| quota.saturating_sub(usage))
        .ok();
    let result = locks::with_lock(name, async {
        let db = Database::open(name).await.map_err(|e| storage_error(&e))?;
        let files = db.load().await.map_err(|e| storage_error(&e))?;
        let worktree = db.load_worktree().await.map_err(|e| storage_error(&e))?;
        let mut session = connection.session();
        let mut options = clone_op::Options::new(signature(identity));
        options.branch.clone_from(&shape.branch);
        options.depth = shape.depth;
        options.filter.clone_from(&shape.filter);
        options.server_progress = true;
        // Stop before the pack outgrows the storage left (keep a margin for the checkout).
        options.max_pack_bytes = free.map(|f| f.saturating_sub(f / 10));
        let cloned = clone_op::clone(
            files.clone(),
            Some(Box::new(worktree.clone())),
            &mut session,
            &options,
            &mut |p| progress(progress_of(p)),
        )
        .await;
        cloned.map_err(|e| remote_error(&e))?;
        db.persist(&files, Some(&worktree))
            .await
            .map_err(|e| storage_error(&e))?;
        Ok::<_, EngineError>(())
    })
    .await;
    if let Err(err) = result {
        let _ = Database::delete(name).await;
        return Err(err);
    }
    locks::announce_change(name);
    super::repo::info(name).await
}

/// Fetch from `origin` into an open repository (chunks loaded): the updated refs, in words.
async fn fetch_into(
    open: &OpenRepo,
    remote: &Remote,
    identity: &Identity,
    cancel: Cancel,
    progress: ProgressSink<'_>,
) -> Result<Vec<String>, EngineError> {
    let connection = Connection::new(remote, cancel)?;
    let mut session = connection.session();
    let options = fetch_op::Options {
        refspecs: vec![fetch_op::default_refspec("origin")],
        tags: fetch_op::Tags::Follow,
        prune: false,
        depth: None,
        deepen_since: None,
        deepen_not: Vec::new(),
        filter: None,
        max_pack_bytes: None,
        committer: signature(identity),
        remote_name: "origin".into(),
        server_progress: true,
    };
    let outcome = fetch_op::fetch(&open.repo, &mut session, &options, &mut |p| {
        progress(progress_of(p));
    })
    .await
    .map_err(|e| remote_error(&e))?;
    Ok(outcome
        .updates
        .iter()
        .map(|u| {
            let short =
                String::from_utf8_lossy(tabgit_refs::name::short_name(&u.local)).into_owned();
            match (u.old, u.new) {
                (None, Some(_)) => format!("{short}: new"),
                (Some(_), Some(_)) if u.forced => format!("{short}: forced update"),
                (Some(_), Some(_)) => format!("{short}: updated"),
                (_, None) => format!("{short}: deleted"),
            }
        })
        .collect())
}

/// `Op::Fetch` from `origin`.
pub async fn fetch(
    name: &str,
    remote: &Remote,
    identity: &Identity,
    cancel: Cancel,
    progress: ProgressSink<'_>,
) -> Result<Reply, EngineError> {
    locks::with_lock(name, async {
        let open = OpenRepo::open(name).await?;
        open.load_all_chunks().await?;
        let updates = fetch_into(&open, remote, identity, cancel, progress).await?;
        open.persist().await?;
        Ok(Reply::Fetched { updates })
    })
    .await
}

/// `Op::Pull`: fetch, then merge the current branch's upstream (fast-forward when possible).
/// The fetch is persisted even when the merge is refused (local changes in the way), as git
/// keeps what `git pull` fetched.
pub async fn pull(
    name: &str,
    remote: &Remote,
    identity: &Identity,
    cancel: Cancel,
    progress: ProgressSink<'_>,
) -> Result<Reply, EngineError> {
    locks::with_lock(name, async {
        let mut open = OpenRepo::open(name).await?;
        open.load_all_chunks().await?;
        let updates = fetch_into(&open, remote, identity, cancel, progress).await?;
        open.persist().await?;
        let upstream = match open.repo.head() {
            Ok(tabgit_store::refs::Head::Branch { name: branch, .. }) => open
                .repo
                .upstream_of(Some(&branch))
                .map_err(|e| super::repo::operation_error("Cannot pull", &e))?,
            _ => {
                return Err(EngineError {
                    title: "Cannot pull: you are not on a branch".into(),
                    detail: String::new(),
                })
            }
        };
        if open
            .repo
            .refs()
            .resolve(&upstream)
            .ok()
            .and_then(|r| r.1)
            .is_none()
        {
            return Ok(Reply::Pulled {
                updates,
                result: MergeResult::UpToDate,
            });
        }
        let result = open
            .run(|open| super::branching::merge_into(open, &upstream, identity))
            .await?
            .map_err(|e| super::repo::operation_error("Fetched, but cannot merge", &e))?;
        open.persist().await?;
        Ok(Reply::Pulled { updates, result })
    })
    .await
}

/// Push `specs` to `origin` from an open repository (chunks loaded): the outcome per ref.
async fn push_into(
    open: &OpenRepo,
    remote: &Remote,
    specs: Vec<push_op::RefSpec>,
    identity: &Identity,
    cancel: Cancel,
    progress: ProgressSink<'_>,
) -> Result<Vec<RefOutcome>, EngineError> {
    let connection = Connection::new(remote, cancel)?;
    let mut session = connection.session();
    let options = push_op::Options {
        specs,
        atomic: false,
        push_options: Vec::new(),
        remote_name: "origin".into(),
        committer: signature(identity),
    };
    let outcome = push_op::push(&open.repo, &mut session, &options, &mut |p| {
        progress(progress_of(p));
    })
    .await
    .map_err(|e| remote_error(&e))?;
    Ok(outcome
        .refs
        .iter()
        .map(|r| RefOutcome {
            name: String::from_utf8_lossy(&r.name).into_owned(),
            ok: matches!(
                r.status,
                push_op::Status::Ok
                    | push_op::Status::UpToDate
                    | push_op::Status::Unknown { applied: true }
            ),
            message: r.describe(),
        })
        .collect())
}

/// `Op::Push` of the current branch to the same name on `origin`.
pub async fn push(
    name: &str,
    remote: &Remote,
    force: bool,
    identity: &Identity,
    cancel: Cancel,
    progress: ProgressSink<'_>,
) -> Result<Reply, EngineError> {
    locks::with_lock(name, async {
        let open = OpenRepo::open(name).await?;
        open.load_all_chunks().await?;
        let head = open
            .repo
            .head()
            .map_err(|e| EngineError::new("Cannot read HEAD", &e))?;
        let tabgit_store::refs::Head::Branch {
            name: branch,
            id: Some(id),
        } = head
        else {
            return Err(EngineError {
                title: "Not on a branch with commits: nothing to push".into(),
                detail: String::new(),
            });
        };
        let specs = vec![push_op::RefSpec {
            source: Some(id),
            destination: branch,
            force,
        }];
        let refs = push_into(&open, remote, specs, identity, cancel, progress).await?;
        open.persist().await?;
        Ok(Reply::Pushed { refs })
    })
    .await
}

/// `Op::PushRefs`: chosen refs; with `set_upstream`, each local branch pushed to a branch
/// of `origin` then tracks it (`git push -u`).
pub async fn push_refs(
    name: &str,
    remote: &Remote,
    refs: &[PushSpec],
    set_upstream: bool,
    identity: &Identity,
    cancel: Cancel,
    progress: ProgressSink<'_>,
) -> Result<Reply, EngineError> {
    locks::with_lock(name, async {
        let mut open = OpenRepo::open(name).await?;
        open.load_all_chunks().await?;
        let mut specs = Vec::new();
        let mut tracking = Vec::new();
        for spec in refs {
            let destination = if spec.destination.starts_with("refs/") {
                spec.destination.clone()
            } else {
                format!("refs/heads/{}", spec.destination)
            };
            let source = match &spec.source {
                None => None,
                Some(rev) => Some(open.repo.rev_parse(rev.as_bytes()).map_err(|e| {
                    super::repo::operation_error(&format!("Cannot push '{rev}'"), &e)
                })?),
            };
            if let (Some(rev), Some(branch)) =
                (&spec.source, destination.strip_prefix("refs/heads/"))
            {
                let local = rev.strip_prefix("refs/heads/").unwrap_or(rev);
                if open
                    .repo
                    .refs()
                    .resolve(format!("refs/heads/{local}").as_bytes())
                    .ok()
                    .and_then(|r| r.1)
                    .is_some()
                {
                    tracking.push((local.to_owned(), format!("refs/remotes/origin/{branch}")));
                }
            }
            specs.push(push_op::RefSpec {
                source,
                destination: destination.into_bytes(),
                force: spec.force,
            });
        }
        let outcome = push_into(&open, remote, specs, identity, cancel, progress).await?;
        if set_upstream && outcome.iter().all(|r| r.ok) {
            for (local, upstream) in &tracking {
                tabgit_repo::branch::set_upstream(
                    &mut open.repo,
                    local.as_bytes(),
                    upstream.as_bytes(),
                )
                .map_err(|e| {
                    super::repo::operation_error("Pushed, but cannot set the upstream", &e)
                })?;
            }
        }
        open.persist().await?;
        Ok(Reply::Pushed { refs: outcome })
    })
    .await
}

/// `Op::TestRemote`: list the remote's refs, to show a connection works (and with which
/// default branch) before anything is cloned.
pub async fn test_remote(remote: &Remote, cancel: Cancel) -> Result<Reply, EngineError> {
    let connection = Connection::new(remote, cancel)?;
    let mut session = connection.session();
    let (_, refs) = remote::list_refs(&mut session, Vec::new())
        .await
        .map_err(|e| remote_error(&e))?;
    let head = refs
        .iter()
        .find(|r| r.name == b"HEAD")
        .and_then(|r| r.symref_target.as_deref())
        .map(|t| String::from_utf8_lossy(tabgit_refs::name::short_name(t)).into_owned());
    Ok(Reply::RemoteOk {
        refs: refs.iter().filter(|r| r.name != b"HEAD").count(),
        head,
    })
}
