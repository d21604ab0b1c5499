//! History: pages of the log with graph lanes, one commit's changes, blame, a file at a commit.

use std::collections::HashMap;

use tabgit_hash::ObjectId;
use tabgit_repo::log::{self, graph::Layout, Log};
use tabgit_repo::{blame, diff, show};

use crate::display::{change_kind, commit_summary, file_diff, graph_row};
use crate::ops::repo::{read, OpenRepo};
use crate::protocol::{BlameRun, ChangedFile, CommitDetail, EngineError, HistoryEntry, Reply};

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Why a history request failed.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// The revision does not name a commit.
    #[error("'{0}' is not a branch, tag or commit here")]
    UnknownRevision(String),
    /// The repository.
    #[error(transparent)]
    Repo(#[from] tabgit_repo::Error),
    /// The walk.
    #[error(transparent)]
    Log(#[from] log::Error),
    /// A ref.
    #[error(transparent)]
    Refs(#[from] tabgit_store::refs::Error),
    /// A commit's changes.
    #[error(transparent)]
    Show(#[from] show::Error),
    /// A diff.
    #[error(transparent)]
    Diff(#[from] diff::Error),
    /// Blame.
    #[error(transparent)]
    Blame(#[from] blame::Error),
    /// The path is not in that commit.
    #[error("{} is not in commit {}", String::from_utf8_lossy(.path), .commit.to_hex_short(7))]
    NoSuchPath {
        /// The path.
        path: Vec<u8>,
        /// The commit.
        commit: ObjectId,
    },
}

/// The commit `rev` names.
pub fn commit_of(open: &OpenRepo, rev: &str) -> Result<ObjectId, HistoryError> {
    let mut spec = rev.as_bytes().to_vec();
    spec.extend_from_slice(b"^{commit}");
    open.repo
        .rev_parse(&spec)
        .map_err(|_| HistoryError::UnknownRevision(rev.to_owned()))
}

/// Short names of the branches and tags pointing at each commit.
fn decorations(open: &OpenRepo) -> Result<HashMap<ObjectId, Vec<String>>, HistoryError> {
    let mut out: HashMap<ObjectId, Vec<String>> = HashMap::new();
    for (prefix, strip) in [
        (b"refs/heads/".as_slice(), b"refs/heads/".as_slice()),
        (b"refs/remotes/", b"refs/remotes/"),
        (b"refs/tags/", b"refs/"),
    ] {
        for entry in open.repo.refs().list(prefix)? {
            let Some(id) = entry.target.object_id() else {
                continue;
            };
            let id = super::changes::peeled(open, &entry.name, entry.peeled, id);
            if entry.name.ends_with(b"/HEAD") {
                continue;
            }
            let name = entry.name.strip_prefix(strip).unwrap_or(&entry.name);
            out.entry(id).or_default().push(lossy(name));
        }
    }
    Ok(out)
}

/// Which commits a history page shows.
#[derive(Clone, Debug, Default)]
pub struct HistoryFilter {
    /// Only commits touching this path, following renames.
    pub path: Option<Vec<u8>>,
    /// Only commits whose author contains this text.
    pub author: Option<String>,
    /// Only commits whose message contains this text.
    pub text: Option<String>,
}

/// `Op::History`: commits `skip..skip + count` with their graph rows. The walk restarts from
/// the tips for each page (the engine keeps no state between requests) and lays out the rows
/// before the page too, so lanes continue across pages.
pub async fn history(
    name: &str,
    start: Option<&str>,
    all: bool,
    filter: &HistoryFilter,
    skip: usize,
    count: usize,
) -> Result<Reply, EngineError> {
    let path = filter.path.as_deref();
    // Plain text, any case: escape what git's basic regular expressions treat specially.
    let pattern = |text: &str| {
        let mut escaped = Vec::new();
        for b in text.bytes() {
            if matches!(b, b'.' | b'[' | b']' | b'*' | b'^' | b'$' | b'\\') {
                escaped.push(b'\\');
            }
            escaped.push(b);
        }
        log::Pattern::new(&escaped, true)
    };
    let authors: Vec<log::Pattern> = filter.author.iter().map(|a| pattern(a)).collect();
    let greps: Vec<log::Pattern> = filter.text.iter().map(|t| pattern(t)).collect();
    let page = read(name, "Cannot read the history", |open| {
        let tips = if all {
            let mut tips = Vec::new();
            for prefix in [b"refs/heads/".as_slice(), b"refs/remotes/", b"refs/tags/"] {
                for entry in open.repo.refs().list(prefix)? {
                    if let Some(id) = entry.peeled.or(entry.target.object_id()) {
                        if matches!(open.repo.object(&id), Ok((tabgit_object::Kind::Commit, _))) {
                            tips.push(id);
                        }
                    }
                }
            }
            if let Some(head) = open.repo.head()?.id() {
                tips.push(head);
            }
            tips
        } else {
            match open.repo.head()?.id() {
                _ if start.is_some() => vec![commit_of(open, start.unwrap_or("HEAD"))?],
                Some(head) => vec![head],
                None => Vec::new(),
            }
        };
        if tips.is_empty() {
            return Ok(Vec::new());
        }
        let options = log::Options {
            include: tips,
            paths: path.map(|p| vec![p.to_vec()]).unwrap_or_default(),
            follow: path.is_some(),
            authors: authors.clone(),
            greps: greps.clone(),
            ..log::Options::default()
        };
        let refs = decorations(open)?;
        let mut walk = Log::new(&open.repo, options)?;
        let mut layout = Layout::default();
        let mut out = Vec::new();
        let mut seen = 0;
        while seen < skip + count {
            let Some(id) = walk.next_commit()? else {
                break;
            };
            let parents = walk.parents_of(&id).map(<[ObjectId]>::to_vec);
            let summary = log::summary(&open.repo, &id)?;
            let parents = parents.unwrap_or_else(|| summary.parents.clone());
            let row = layout.next_row(id, &parents);
            if seen >= skip {
                let mut commit = commit_summary(&summary);
                commit.parents = parents.iter().map(ObjectId::to_hex).collect();
                out.push(HistoryEntry {
                    commit,
                    graph: graph_row(&row),
                    refs: refs.get(&id).cloned().unwrap_or_default(),
                });
            }
            seen += 1;
        }
        Ok::<_, HistoryError>(out)
    })
    .await?;
    Ok(Reply::History(page))
}

/// `Op::ShowCommit`.
pub async fn show_commit(name: &str, id: &str) -> Result<Reply, EngineError> {
    let detail = read(name, "Cannot show the commit", |open| {
        let commit_id = commit_of(open, id)?;
        let shown = show::show(&open.repo, &commit_id, &diff::Options::default())?;
        let mut files = Vec::new();
        if let Some(changes) = &shown.diff {
            let stat = changes.stat(&open.repo)?;
            for file in &stat.files {
                let change = &file.change;
                let (additions, deletions) = match file.lines {
                    tabgit_diff::stat::Lines::Text {
                        insertions,
                        deletions,
                    } => (
                        Some(u32::try_from(insertions).unwrap_or(u32::MAX)),
                        Some(u32::try_from(deletions).unwrap_or(u32::MAX)),
                    ),
                    _ => (None, None),
                };
                files.push(ChangedFile {
                    path: change.new_path().to_vec(),
                    old_path: matches!(
                        change,
                        tabgit_diff::Change::Rename { .. } | tabgit_diff::Change::Copy { .. }
                    )
                    .then(|| change.old_path().to_vec()),
                    kind: change_kind(change),
                    additions,
                    deletions,
                });
            }
        }
        let summary = &shown.summary;
        let committer = (summary.committer.name != summary.author.name
            || summary.committer.email != summary.author.email)
            .then(|| {
                format!(
                    "{} <{}>",
                    lossy(&summary.committer.name),
                    lossy(&summary.committer.email)
                )
            });
        Ok::<_, HistoryError>(CommitDetail {
            commit: commit_summary(summary),
            committer,
            commit_time: summary.committer.time.seconds,
            message: lossy(&shown.message),
            files,
        })
    })
    .await?;
    Ok(Reply::Commit(detail))
}

/// `Op::CommitFileDiff`: one file of a commit against the commit's first parent.
pub async fn commit_file_diff(name: &str, id: &str, path: &[u8]) -> Result<Reply, EngineError> {
    let diff = read(name, "Cannot show the change", |open| {
        let commit_id = commit_of(open, id)?;
        let changes = diff::commit(&open.repo, &commit_id, &diff::Options::default())?;
        let Some(idx) = changes
            .changes
            .iter()
            .position(|c| c.new_path() == path || c.old_path() == path)
        else {
            return Err(HistoryError::NoSuchPath {
                path: path.to_vec(),
                commit: commit_id,
            });
        };
        let change = &changes.changes[idx];
        let load = |side: Option<(&[u8], tabgit_diff::Side)>| -> Result<_, HistoryError> {
            Ok(match side {
                Some((_, side)) if side.is_regular_file() => {
                    (Some(side.object_id), open.repo.object(&side.object_id)?.1)
                }
                Some((_, side)) => (
                    Some(side.object_id),
                    tabgit_diff::blob::gitlink_text(&side.object_id),
                ),
                None => (None, Vec::new()),
            })
        };
        let old = load(change.before())?;
        let new = load(change.after())?;
        Ok(file_diff(path, (old.0, &old.1), (new.0, &new.1)))
    })
    .await?;
    Ok(Reply::Diff(diff))
}

/// `Op::Blame`.
pub async fn blame(name: &str, path: &[u8], rev: Option<&str>) -> Result<Reply, EngineError> {
    let (runs, lines) = read(name, "Cannot blame the file", |open| {
        let commit_id = commit_of(open, rev.unwrap_or("HEAD"))?;
        let outcome = blame::blame(&open.repo, commit_id, path, &blame::Options::default())?;
        let runs = outcome
            .entries
            .iter()
            .map(|entry| {
                let info = outcome.commits.get(&entry.commit_id);
                BlameRun {
                    commit: entry.commit_id.to_hex(),
                    author: info.map(|i| lossy(&i.author.name)).unwrap_or_default(),
                    time: info.map_or(0, |i| i.author.time.seconds),
                    summary: info.map(|i| lossy(&i.summary)).unwrap_or_default(),
                    // Already 1-based (`tabgit_repo::blame::Entry::final_line`).
                    start: entry.final_line,
                    lines: entry.n_lines,
                    path: entry.path.clone(),
                }
            })
            .collect::<Vec<_>>();
        let lines = outcome
            .lines()
            .iter()
            .map(|l| {
                let l = l.strip_suffix(b"\n").unwrap_or(l);
                lossy(l.strip_suffix(b"\r").unwrap_or(l))
            })
            .collect::<Vec<_>>();
        Ok::<_, HistoryError>((runs, lines))
    })
    .await?;
    Ok(Reply::Blame { runs, lines })
}

/// `Op::FileAt`: the bytes of `path` in commit `rev`.
pub async fn file_at(name: &str, rev: &str, path: &[u8]) -> Result<Reply, EngineError> {
    let data = read(name, "Cannot read the file", |open| {
        let commit_id = commit_of(open, rev)?;
        let tree = open.repo.commit_tree(commit_id)?;
        let id = open
            .repo
            .tree_entry(tree, path)
            .map_err(|_| HistoryError::NoSuchPath {
                path: path.to_vec(),
                commit: commit_id,
            })?;
        let (kind, data) = open.repo.object(&id)?;
        if kind != tabgit_object::Kind::Blob {
            return Err(HistoryError::NoSuchPath {
                path: path.to_vec(),
                commit: commit_id,
            });
        }
        Ok(data)
    })
    .await?;
    Ok(Reply::File(data))
}
