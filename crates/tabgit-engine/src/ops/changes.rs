//! Status, diffs for display, branches and ahead/behind: the reads behind the changes view.

use tabgit_hash::ObjectId;
use tabgit_index::Stage;
use tabgit_refs::Target;
use tabgit_repo::status;
use tabgit_store::refs::Head;
use tabgit_store::worktree::Worktree as _;

use tabgit_attributes::Pathspec;
use tabgit_repo::stage::{add, hunks, restore};

use crate::display::{file_diff, summary_of};
use crate::ops::repo::{edit, OpenRepo};
use crate::ops::signature;
use crate::protocol::{BranchInfo, EngineError, Identity, Reply};

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

impl OpenRepo {
    /// `git status` with untracked files listed one by one, writing back refreshed stat data
    /// (as `git status` does) so the next status reads fewer files.
    pub async fn status(&mut self) -> Result<status::Outcome, EngineError> {
        let options = status::Options {
            untracked: status::Untracked::All,
            ..status::Options::default()
        };
        let outcome = self
            .run(|open| status::status(&open.repo, &options))
            .await?
            .map_err(|e| EngineError::new("Cannot compute the status", &e))?;
        if let Some(index) = &outcome.refreshed_index {
            // Best effort, as in git: a status that cannot save its refresh is still right.
            if self.repo.write_index(index).is_ok() {
                let _ = self.persist().await;
            }
        }
        Ok(outcome)
    }

    /// Whether a merge, revert or cherry-pick waits to be continued or aborted.
    pub fn merging(&self) -> bool {
        matches!(tabgit_repo::merge::in_progress(&self.repo), Ok(Some(_)))
    }
}

/// `Op::Status`.
pub async fn status(name: &str) -> Result<Reply, EngineError> {
    crate::ops::with_lock(name, async {
        let mut open = OpenRepo::open(name).await?;
        let outcome = open.status().await?;
        Ok(Reply::Status(summary_of(&outcome, open.merging())))
    })
    .await
}

/// `Op::SyncState`: commits ahead of and behind the upstream.
pub async fn sync_state(name: &str) -> Result<Reply, EngineError> {
    let mut open = OpenRepo::open(name).await?;
    let counts = open
        .run(|open| -> Result<Option<(usize, usize)>, SyncError> {
            let Head::Branch {
                name,
                id: Some(local),
            } = open.repo.head()?
            else {
                return Ok(None);
            };
            let Ok(upstream) = open.repo.upstream_of(Some(&name)) else {
                return Ok(None);
            };
            let Some(remote) = open.repo.refs().resolve(&upstream)?.1 else {
                return Ok(None);
            };
            let mut graph = open.repo.graph()?;
            let ahead =
                tabgit_revision::walk::Walk::new(&mut graph, &[local], &[remote], false)?.count();
            let mut graph = open.repo.graph()?;
            let behind =
                tabgit_revision::walk::Walk::new(&mut graph, &[remote], &[local], false)?.count();
            Ok(Some((ahead, behind)))
        })
        .await?
        .map_err(|e| EngineError::new("Cannot compare with the upstream", &e))?;
    Ok(match counts {
        Some((ahead, behind)) => Reply::Sync {
            ahead,
            behind,
            has_upstream: true,
        },
        None => Reply::Sync {
            ahead: 0,
            behind: 0,
            has_upstream: false,
        },
    })
}

/// Why ahead/behind failed.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The repository.
    #[error(transparent)]
    Repo(#[from] tabgit_repo::Error),
    /// A ref.
    #[error(transparent)]
    Refs(#[from] tabgit_store::refs::Error),
    /// The commit graph.
    #[error(transparent)]
    Graph(#[from] tabgit_revision::graph::Error),
}

/// `Op::Branches`: local and remote-tracking branches and tags, sorted by name.
pub async fn branches(name: &str) -> Result<Reply, EngineError> {
    let open = OpenRepo::open(name).await?;
    let refs = open.repo.refs();
    let head = open
        .repo
        .head()
        .map_err(|e| EngineError::new("Cannot read HEAD", &e))?;
    let current = match &head {
        Head::Branch { name, .. } => Some(name.clone()),
        Head::Detached(_) => None,
    };
    let list = |prefix: &[u8]| -> Result<Vec<BranchInfo>, EngineError> {
        let entries = refs
            .list(prefix)
            .map_err(|e| EngineError::new("Cannot list branches", &e))?;
        let mut out = Vec::new();
        for entry in entries {
            let id = match &entry.target {
                Target::Object(id) => *id,
                Target::Symbolic(_) => continue,
            };
            let short = entry.name.strip_prefix(prefix).unwrap_or(&entry.name);
            let upstream = if prefix == b"refs/heads/" {
                open.repo
                    .upstream_of(Some(&entry.name))
                    .ok()
                    .map(|u| lossy(u.strip_prefix(b"refs/remotes/".as_slice()).unwrap_or(&u)))
            } else {
                None
            };
            out.push(BranchInfo {
                name: lossy(short),
                full_name: lossy(&entry.name),
                id: peeled(&open, &entry.name, entry.peeled, id).to_hex(),
                current: current.as_deref() == Some(entry.name.as_slice()),
                upstream,
            });
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    };
    Ok(Reply::Branches {
        local: list(b"refs/heads/")?,
        remote: list(b"refs/remotes/")?,
        tags: list(b"refs/tags/")?,
    })
}

/// The commit (or other non-tag object) a ref finally points at: the `packed-refs` peel when
/// there is one, otherwise an annotated tag is peeled through the object store.
pub(crate) fn peeled(
    open: &OpenRepo,
    full_name: &[u8],
    packed_peel: Option<ObjectId>,
    id: ObjectId,
) -> ObjectId {
    if let Some(peel) = packed_peel {
        return peel;
    }
    if !full_name.starts_with(b"refs/tags/") {
        return id;
    }
    open.repo
        .rev_parse(format!("{}^{{}}", id.to_hex()).as_bytes())
        .unwrap_or(id)
}

/// One side of a diff: the blob (or content) id and the bytes, both empty when absent.
type DiffSide = (Option<ObjectId>, Vec<u8>);

/// The two sides of a file's diff: `staged` compares `HEAD` with the index, otherwise the index
/// (or our side for a conflicted file) with the working tree.
fn sides(open: &OpenRepo, path: &[u8], staged: bool) -> Result<(DiffSide, DiffSide), DiffError> {
    let index = open.repo.index()?;
    let blob = |id: Option<ObjectId>| -> Result<DiffSide, DiffError> {
        match id {
            Some(id) => Ok((Some(id), open.repo.object(&id)?.1)),
            None => Ok((None, Vec::new())),
        }
    };
    let stage0 = index.entry(path, Stage::Merged).map(|e| e.object_id);
    if staged {
        let in_head = match open.repo.head()?.id() {
            Some(commit) => {
                let tree = open.repo.commit_tree(commit)?;
                open.repo.tree_entry(tree, path).ok()
            }
            None => None,
        };
        return Ok((blob(in_head)?, blob(stage0)?));
    }
    let old = blob(stage0.or_else(|| index.entry(path, Stage::Ours).map(|e| e.object_id)))?;
    let new = match open.worktree.read(path)? {
        Some((_, data)) => (
            Some(tabgit_object::compute_id(tabgit_object::Kind::Blob, &data)),
            data,
        ),
        None => (None, Vec::new()),
    };
    Ok((old, new))
}

/// Why a diff could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    /// The repository.
    #[error(transparent)]
    Repo(#[from] tabgit_repo::Error),
    /// The working tree.
    #[error(transparent)]
    Worktree(#[from] tabgit_store::worktree::Error),
}

/// `Op::DiffFile`.
pub async fn diff_file(name: &str, path: &[u8], staged: bool) -> Result<Reply, EngineError> {
    let mut open = OpenRepo::open(name).await?;
    let (old, new) = open
        .run(|open| sides(open, path, staged))
        .await?
        .map_err(|e| EngineError::new("Cannot compute the diff", &e))?;
    Ok(Reply::Diff(file_diff(
        path,
        (old.0, &old.1),
        (new.0, &new.1),
    )))
}

/// An exact path as a pathspec (no wildcards, from the top).
fn literal(paths: &[Vec<u8>]) -> Result<Pathspec, EngineError> {
    let items: Vec<Vec<u8>> = paths
        .iter()
        .map(|p| {
            let mut item = b":(top,literal)".to_vec();
            item.extend_from_slice(p);
            item
        })
        .collect();
    Pathspec::parse(&items, b"").map_err(|e| EngineError::new("Bad path", &e))
}

/// The commit context of an identity (author and committer alike).
pub fn commit_context(identity: &Identity) -> tabgit_repo::commit::Context {
    tabgit_repo::commit::Context {
        author: signature(identity),
        committer: signature(identity),
    }
}

/// `Op::Stage`: `git add` of exact paths (a deleted file is staged as deleted).
pub async fn stage(name: &str, paths: &[Vec<u8>]) -> Result<Reply, EngineError> {
    let pathspec = literal(paths)?;
    edit(name, "Cannot stage", |open| {
        add::add(
            &open.repo,
            &add::Options {
                pathspec: pathspec.clone(),
                force: true,
                ..add::Options::default()
            },
        )
    })
    .await?;
    Ok(Reply::Done)
}

/// `Op::Unstage`: `git restore --staged`.
pub async fn unstage(name: &str, paths: &[Vec<u8>]) -> Result<Reply, EngineError> {
    let pathspec = literal(paths)?;
    edit(name, "Cannot unstage", |open| {
        restore::restore(
            &open.repo,
            &restore::Options {
                pathspec: pathspec.clone(),
                staged: true,
                ..restore::Options::default()
            },
        )
    })
    .await?;
    Ok(Reply::Done)
}

/// `Op::Discard`: tracked files go back to their staged content (`git restore`); untracked
/// files are deleted, as "discard changes" does in desktop clients.
pub async fn discard(name: &str, paths: &[Vec<u8>]) -> Result<Reply, EngineError> {
    edit(name, "Cannot discard the changes", |open| {
        let index = open.repo.index()?;
        let (tracked, untracked): (Vec<Vec<u8>>, Vec<Vec<u8>>) = paths
            .iter()
            .cloned()
            .partition(|p| index.entry(p, Stage::Merged).is_some());
        if !tracked.is_empty() {
            let pathspec = literal(&tracked).map_err(|e| DiscardError::Path(e.title))?;
            restore::restore(
                &open.repo,
                &restore::Options {
                    pathspec,
                    worktree: true,
                    ..restore::Options::default()
                },
            )?;
        }
        for path in &untracked {
            open.worktree.remove(path)?;
        }
        Ok::<_, DiscardError>(())
    })
    .await?;
    Ok(Reply::Done)
}

/// Why discarding failed.
#[derive(Debug, thiserror::Error)]
pub enum DiscardError {
    /// A path is not usable.
    #[error("{0}")]
    Path(String),
    /// The repository.
    #[error(transparent)]
    Repo(#[from] tabgit_repo::Error),
    /// Restoring.
    #[error(transparent)]
    Stage(#[from] tabgit_repo::stage::Error),
    /// Deleting an untracked file.
    #[error(transparent)]
    Worktree(#[from] tabgit_store::worktree::Error),
}

/// `Op::StageHunk`: stage (or unstage) one hunk of the diff the page showed; refused if the
/// file or the index changed since (`old_id`/`new_id` differ).
pub async fn stage_hunk(
    name: &str,
    path: &[u8],
    hunk: usize,
    unstage: bool,
    ids: (Option<String>, Option<String>),
) -> Result<Reply, EngineError> {
    edit(name, "Cannot stage the hunk", |open| {
        let current = if unstage {
            hunks::staged(&open.repo, path)?
        } else {
            hunks::unstaged(&open.repo, path)?
        };
        let hex = |id: Option<ObjectId>| id.map(|i| i.to_hex());
        if hex(current.old_id) != ids.0 || hex(current.new_id) != ids.1 {
            return Err(tabgit_repo::stage::Error::StaleHunks {
                path: path.to_vec(),
            });
        }
        if unstage {
            hunks::unstage(&open.repo, &current, &[hunk], None)
        } else {
            hunks::stage(&open.repo, &current, &[hunk], None)
        }
    })
    .await?;
    Ok(Reply::Done)
}

/// `Op::Commit`: commit the index (`git commit`, `--amend`).
pub async fn commit(
    name: &str,
    message: &str,
    amend: bool,
    identity: &Identity,
) -> Result<Reply, EngineError> {
    let context = commit_context(identity);
    let message = tabgit_repo::commit::cleanup_message(message.as_bytes(), None);
    let outcome = edit(name, "Cannot commit", |open| {
        tabgit_repo::commit::commit(
            &open.repo,
            &context,
            &tabgit_repo::commit::Options {
                message: Some(message.clone()),
                amend,
                ..tabgit_repo::commit::Options::default()
            },
        )
    })
    .await?;
    Ok(Reply::Committed {
        id: outcome.commit_id.to_hex(),
    })
}
