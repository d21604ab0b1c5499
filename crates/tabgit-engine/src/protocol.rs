//! The messages between the page and the engine worker, encoded with `bincode`.
//!
//! Every request carries an id chosen by the page; every event names the request it belongs to,
//! so several operations can be in flight and progress reaches the right place.

use serde::{Deserialize, Serialize};

/// A request from the page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    /// Chosen by the page, echoed in every [`Event`] for this request.
    pub id: u64,
    /// What to do.
    pub op: Op,
}

/// Who makes commits and moves refs, and when (the page reads the clock, not the core).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// The name.
    pub name: String,
    /// The email.
    pub email: String,
    /// Seconds since the epoch.
    pub time: i64,
    /// The time zone, in minutes east of UTC.
    pub offset_minutes: i32,
}

/// Credentials for one request, bound by the engine to the URL's own origin.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Secret {
    /// HTTP Basic.
    Basic {
        /// User name.
        username: String,
        /// Token or password.
        secret: String,
    },
    /// `Authorization: Bearer`.
    Bearer {
        /// The token.
        token: String,
    },
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Secret::Basic { username, .. } => write!(f, "Basic({username}, <redacted>)"),
            Secret::Bearer { .. } => f.write_str("Bearer(<redacted>)"),
        }
    }
}

/// How to reach a remote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remote {
    /// The repository URL (`https://host/owner/repo.git`).
    pub url: String,
    /// The CORS proxy to go through (`https://proxy.example`), if any.
    pub proxy: Option<String>,
    /// Credentials for the URL's origin.
    pub secret: Option<Secret>,
}

/// An operation the engine performs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    /// Check that the engine is alive.
    Ping,
    /// Compute the id of an object (`git hash-object -t <kind>`).
    HashObject {
        /// `blob`, `tree`, `commit` or `tag`.
        kind: String,
        /// The content.
        data: Vec<u8>,
    },
    /// List the repositories stored in this browser.
    ListRepos,
    /// How much storage is used and available.
    StorageEstimate,
    /// Clone a repository into a new local repository `name`.
    Clone {
        /// The local name.
        name: String,
        /// Where from.
        remote: Remote,
        /// Check out this branch (default: the remote's HEAD).
        branch: Option<String>,
        /// History depth.
        depth: Option<u32>,
        /// A partial clone filter (`blob:none`).
        filter: Option<String>,
        /// Who clones.
        identity: Identity,
    },
    /// Delete a local repository and everything in it.
    DeleteRepo {
        /// The local name.
        name: String,
    },
    /// Summary of one repository.
    Info {
        /// The local name.
        repo: String,
    },
    /// The files of the working tree.
    ListFiles {
        /// The local name.
        repo: String,
    },
    /// A file's exact bytes.
    ReadFile {
        /// The local name.
        repo: String,
        /// The repository path.
        path: Vec<u8>,
    },
    /// Write a file's exact bytes.
    WriteFile {
        /// The local name.
        repo: String,
        /// The repository path.
        path: Vec<u8>,
        /// The bytes.
        data: Vec<u8>,
        /// Whether it is executable.
        executable: bool,
    },
    /// Delete a file.
    DeleteFile {
        /// The local name.
        repo: String,
        /// The repository path.
        path: Vec<u8>,
    },
    /// Commits from a revision, newest first, a page at a time.
    Log {
        /// The local name.
        repo: String,
        /// Where to start (`HEAD` if `None`).
        start: Option<String>,
        /// How many commits to skip.
        skip: usize,
        /// How many to return.
        count: usize,
    },
    /// Fetch from `origin`.
    Fetch {
        /// The local name.
        repo: String,
        /// How to reach the remote (its URL may be taken from the repository's config).
        remote: Remote,
        /// Who fetches.
        identity: Identity,
    },
    /// Push the current branch to `origin`.
    Push {
        /// The local name.
        repo: String,
        /// How to reach the remote.
        remote: Remote,
        /// Force.
        force: bool,
        /// Who pushes.
        identity: Identity,
    },
    /// Cancel a running request.
    Cancel {
        /// The request to cancel.
        request: u64,
    },
}

/// A repository in the list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepoSummary {
    /// The local name.
    pub name: String,
    /// The `origin` URL.
    pub url: Option<String>,
    /// The current branch (short name), or `None` when detached.
    pub branch: Option<String>,
    /// The HEAD commit.
    pub head: Option<String>,
    /// Bytes stored.
    pub size: u64,
}

/// One file of the working tree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// The repository path.
    pub path: Vec<u8>,
    /// `file`, `executable`, `symlink` or `directory`.
    pub kind: String,
}

/// One commit of a log page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitSummary {
    /// The commit id.
    pub id: String,
    /// Parent ids.
    pub parents: Vec<String>,
    /// Author name.
    pub author: String,
    /// Author email.
    pub email: String,
    /// Author time, seconds since the epoch.
    pub time: i64,
    /// The first line of the message.
    pub summary: String,
}

/// What a push did to one ref, in words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefOutcome {
    /// The remote ref.
    pub name: String,
    /// Whether it was updated (or already up to date).
    pub ok: bool,
    /// A sentence for the user.
    pub message: String,
}

/// The final answer to a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reply {
    /// The engine is alive.
    Pong {
        /// The engine's version.
        version: String,
    },
    /// The id of the hashed object.
    Hashed {
        /// Hexadecimal object id.
        id: String,
    },
    /// The repositories.
    Repos(Vec<RepoSummary>),
    /// Storage used and quota, in bytes.
    Storage {
        /// Used.
        usage: u64,
        /// Quota.
        quota: u64,
    },
    /// A repository's summary.
    Repo(RepoSummary),
    /// The working tree's files.
    Files(Vec<FileEntry>),
    /// A file's bytes.
    File(Vec<u8>),
    /// A page of history.
    Commits(Vec<CommitSummary>),
    /// What a fetch changed, in words.
    Fetched {
        /// One line per ref changed.
        updates: Vec<String>,
    },
    /// What a push did.
    Pushed {
        /// Per ref.
        refs: Vec<RefOutcome>,
    },
    /// Done, nothing to return.
    Done,
}

/// An error in words for the user, with detail for the curious.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngineError {
    /// One sentence saying what went wrong.
    pub title: String,
    /// The underlying cause.
    pub detail: String,
}

impl EngineError {
    /// An error with a title and the `Display` chain of `err` as detail.
    pub fn new(title: impl Into<String>, err: &dyn std::error::Error) -> Self {
        let mut detail = err.to_string();
        let mut source = err.source();
        while let Some(inner) = source {
            detail.push_str(": ");
            detail.push_str(&inner.to_string());
            source = inner.source();
        }
        EngineError {
            title: title.into(),
            detail,
        }
    }
}

/// Progress of a long request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Progress {
    /// A phase with a count (`Receiving objects`, 512, 2048) and bytes when known.
    Phase {
        /// The phase's name.
        name: String,
        /// Done so far.
        done: u64,
        /// In total (0 when unknown).
        total: u64,
        /// Bytes so far (0 when not meaningful).
        bytes: u64,
    },
    /// A message from the server, sanitized.
    Message(String),
}

/// Something the engine tells the page about a request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// The request this belongs to (0 for engine-wide events).
    pub id: u64,
    /// What happened.
    pub kind: EventKind,
}

/// What happened.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum EventKind {
    /// Progress of the request.
    Progress(Progress),
    /// The request finished.
    Done(Result<Reply, EngineError>),
    /// The engine crashed (a panic); it is being restarted.
    Crashed(String),
    /// The worker is ready for requests (sent once after it starts).
    Ready,
}

/// Encode a message for `postMessage`.
pub fn encode<T: Serialize>(message: &T) -> Vec<u8> {
    bincode::serialize(message).expect("engine messages always serialize")
}

/// Decode a message from `postMessage`.
pub fn decode<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, String> {
    bincode::deserialize(bytes).map_err(|e| e.to_string())
}
