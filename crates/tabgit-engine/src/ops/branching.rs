//! Branches, merges with conflicts, revert, restore and reset.

use tabgit_hash::ObjectId;
use tabgit_repo::merge::{self, Resolution as CoreResolution};
use tabgit_repo::{branch, reset as reset_op, revert as revert_op, stage, stash, switch, tag};
use tabgit_store::refs::Head;

use crate::display::conflict_hunks;
use crate::ops::history::{commit_of, HistoryError};
use crate::ops::repo::{edit, read, OpenRepo};
use crate::ops::signature;
use crate::protocol::{
    ConflictInfo, EngineError, Identity, MergeResult, ReflogEntry, Reply, ResetMode, Resolution,
    StashEntry,
};

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Why a branch operation failed.
#[derive(Debug, thiserror::Error)]
pub enum BranchError {
    /// Resolving a revision.
    #[error(transparent)]
    Revision(#[from] HistoryError),
    /// The repository.
    #[error(transparent)]
    Repo(#[from] tabgit_repo::Error),
    /// A ref.
    #[error(transparent)]
    Refs(#[from] tabgit_store::refs::Error),
    /// Creating or deleting.
    #[error(transparent)]
    Branch(#[from] branch::Error),
    /// Switching.
    #[error(transparent)]
    Switch(#[from] switch::Error),
    /// Merging.
    #[error(transparent)]
    Merge(#[from] merge::Error),
    /// Restoring.
    #[error(transparent)]
    Stage(#[from] stage::Error),
    /// Resetting.
    #[error(transparent)]
    Reset(#[from] reset_op::Error),
    /// Tags.
    #[error(transparent)]
    Tag(#[from] tag::Error),
    /// No such branch.
    #[error("there is no branch '{0}'")]
    NoSuchBranch(String),
}

fn merge_context(identity: &Identity) -> merge::Context {
    merge::Context {
        author: signature(identity),
        committer: signature(identity),
    }
}

/// `Op::CreateBranch`.
pub async fn create_branch(
    name: &str,
    branch_name: &str,
    start: Option<&str>,
    switch_to: bool,
    identity: &Identity,
) -> Result<Reply, EngineError> {
    let committer = signature(identity);
    edit(
        name,
        &format!("Cannot create branch '{branch_name}'"),
        |open| {
            let start_name = start.unwrap_or("HEAD");
            let start_id = commit_of(open, start_name)?;
            if switch_to {
                switch::switch(
                    &mut open.repo,
                    &switch::Target::Branch(branch_name.as_bytes().to_vec()),
                    &switch::Context {
                        committer: committer.clone(),
                        target_name: branch_name.as_bytes().to_vec(),
                    },
                    &switch::Options {
                        create: Some(switch::NewBranch {
                            name: branch_name.as_bytes().to_vec(),
                            start: start_id,
                            start_name: start_name.as_bytes().to_vec(),
                            force: false,
                            track: None,
                        }),
                        ..switch::Options::default()
                    },
                )?;
            } else {
                branch::create(
                    &mut open.repo,
                    branch_name.as_bytes(),
                    start_id,
                    start_name.as_bytes(),
                    &branch::CreateOptions::default(),
                    &committer,
                )?;
            }
            Ok::<_, BranchError>(())
        },
    )
    .await?;
    Ok(Reply::Done)
}

/// `Op::Switch`: to a local branch, or from a remote-tracking name (`origin/topic`) to a new
/// local branch `topic` tracking it, as `git switch topic` does.
pub async fn switch_branch(
    name: &str,
    target: &str,
    identity: &Identity,
) -> Result<Reply, EngineError> {
    let committer = signature(identity);
    edit(name, &format!("Cannot switch to '{target}'"), |open| {
        let local = format!("refs/heads/{target}");
        let context = switch::Context {
            committer: committer.clone(),
            target_name: target.as_bytes().to_vec(),
        };
        if open.repo.refs().resolve(local.as_bytes())?.1.is_some() {
            switch::switch(
                &mut open.repo,
                &switch::Target::Branch(target.as_bytes().to_vec()),
                &context,
                &switch::Options::default(),
            )?;
            return Ok(());
        }
        let remote = format!("refs/remotes/{target}");
        let Some(start) = open.repo.refs().resolve(remote.as_bytes())?.1 else {
            return Err(BranchError::NoSuchBranch(target.to_owned()));
        };
        let short = target.split_once('/').map_or(target, |(_, rest)| rest);
        if open
            .repo
            .refs()
            .resolve(format!("refs/heads/{short}").as_bytes())?
            .1
            .is_some()
        {
            switch::switch(
                &mut open.repo,
                &switch::Target::Branch(short.as_bytes().to_vec()),
                &context,
                &switch::Options::default(),
            )?;
            return Ok(());
        }
        switch::switch(
            &mut open.repo,
            &switch::Target::Branch(short.as_bytes().to_vec()),
            &switch::Context {
                committer: committer.clone(),
                target_name: short.as_bytes().to_vec(),
            },
            &switch::Options {
                create: Some(switch::NewBranch {
                    name: short.as_bytes().to_vec(),
                    start,
                    start_name: target.as_bytes().to_vec(),
                    force: false,
                    track: Some(remote.into_bytes()),
                }),
                ..switch::Options::default()
            },
        )?;
        Ok::<_, BranchError>(())
    })
    .await?;
    Ok(Reply::Done)
}

/// `Op::DeleteBranch`.
pub async fn delete_branch(
    name: &str,
    branch_name: &str,
    force: bool,
) -> Result<Reply, EngineError> {
    edit(
        name,
        &format!("Cannot delete branch '{branch_name}'"),
        |open| branch::delete(&mut open.repo, branch_name.as_bytes(), force),
    )
    .await?;
    Ok(Reply::Done)
}

/// The engine's form of a merge outcome.
pub fn merge_result(outcome: &merge::Outcome) -> MergeResult {
    match outcome {
        merge::Outcome::UpToDate => MergeResult::UpToDate,
        merge::Outcome::FastForward { to, .. } => MergeResult::FastForward { to: to.to_hex() },
        merge::Outcome::Committed { commit_id, .. } => MergeResult::Committed {
            id: commit_id.to_hex(),
        },
        merge::Outcome::Stopped { merge } | merge::Outcome::Conflicted { merge } => {
            MergeResult::Conflicted {
                paths: merge.conflicts.iter().map(|c| c.path.clone()).collect(),
            }
        }
    }
}

/// Merge `rev` into the current branch of an open repository.
pub fn merge_into(
    open: &OpenRepo,
    rev: &[u8],
    identity: &Identity,
) -> Result<MergeResult, merge::Error> {
    let outcome = merge::merge(
        &open.repo,
        rev,
        &merge_context(identity),
        &merge::Options::default(),
    )?;
    Ok(merge_result(&outcome))
}

/// `Op::Merge`.
pub async fn merge(name: &str, rev: &str, identity: &Identity) -> Result<Reply, EngineError> {
    let result = edit(name, &format!("Cannot merge '{rev}'"), |open| {
        merge_into(open, rev.as_bytes(), identity)
    })
    .await?;
    Ok(Reply::Merged(result))
}

/// `Op::AbortMerge`.
pub async fn abort_merge(name: &str, identity: &Identity) -> Result<Reply, EngineError> {
    let committer = signature(identity);
    edit(name, "Cannot abort", |open| {
        merge::abort(&open.repo, &committer)
    })
    .await?;
    Ok(Reply::Done)
}

/// `Op::ContinueMerge`.
pub async fn continue_merge(name: &str, identity: &Identity) -> Result<Reply, EngineError> {
    let id = edit(name, "Cannot finish the merge", |open| {
        merge::continue_merge(&open.repo, &merge_context(identity))
    })
    .await?;
    Ok(Reply::Committed { id: id.to_hex() })
}

/// `Op::Conflict`.
pub async fn conflict(name: &str, path: &[u8]) -> Result<Reply, EngineError> {
    let info = read(name, "Cannot show the conflict", |open| {
        let Some(view) = merge::conflict(&open.repo, path)? else {
            return Err(merge::Error::NothingInProgress {
                action: "show a conflict of",
            });
        };
        let (ours_label, theirs_label) = labels(open);
        Ok(ConflictInfo {
            path: view.path.clone(),
            ours_label,
            theirs_label,
            present: [
                view.base.is_some(),
                view.ours.is_some(),
                view.theirs.is_some(),
            ],
            binary: view.merge.as_ref().is_some_and(|m| m.hunks.is_none()),
            hunks: view.merge.as_ref().map(conflict_hunks).unwrap_or_default(),
            worktree: view.worktree,
        })
    })
    .await?;
    Ok(Reply::Conflict(info))
}

/// The sides' names as git's markers show them: the current branch, and what is merged.
fn labels(open: &OpenRepo) -> (String, String) {
    let ours = match open.repo.head() {
        Ok(Head::Branch { name, .. }) => lossy(
            name.strip_prefix(b"refs/heads/".as_slice())
                .unwrap_or(&name),
        ),
        _ => "HEAD".to_owned(),
    };
    let theirs = match merge::in_progress(&open.repo) {
        Ok(Some(state)) => state
            .heads
            .first()
            .map(|id| name_of(open, *id))
            .unwrap_or_default(),
        _ => String::new(),
    };
    (ours, theirs)
}

/// A branch pointing at `id`, or its short id.
fn name_of(open: &OpenRepo, id: ObjectId) -> String {
    for prefix in [b"refs/heads/".as_slice(), b"refs/remotes/"] {
        if let Ok(entries) = open.repo.refs().list(prefix) {
            if let Some(entry) = entries.iter().find(|e| e.target.object_id() == Some(id)) {
                return lossy(entry.name.strip_prefix(prefix).unwrap_or(&entry.name));
            }
        }
    }
    id.to_hex_short(7)
}

/// `Op::Resolve`.
pub async fn resolve(
    name: &str,
    path: &[u8],
    resolution: &Resolution,
) -> Result<Reply, EngineError> {
    let resolution = match resolution {
        Resolution::Ours => CoreResolution::Ours,
        Resolution::Theirs => CoreResolution::Theirs,
        Resolution::Content(data) => CoreResolution::Content(data.clone()),
        Resolution::Worktree => CoreResolution::Worktree,
        Resolution::Delete => CoreResolution::Delete,
    };
    edit(name, "Cannot resolve the conflict", |open| {
        merge::resolve(&open.repo, path, resolution.clone())
    })
    .await?;
    Ok(Reply::Done)
}

/// `Op::Revert`.
pub async fn revert(name: &str, id: &str, identity: &Identity) -> Result<Reply, EngineError> {
    let result = edit(name, "Cannot revert the commit", |open| {
        let commit_id = commit_of(open, id)?;
        let (_, data) = open.repo.object(&commit_id)?;
        let is_merge =
            tabgit_object::CommitRef::from_bytes(&data).is_ok_and(|c| c.parents.len() > 1);
        let outcome = revert_op::revert(
            &open.repo,
            commit_id,
            &merge_context(identity),
            &revert_op::Options {
                // Reverting a merge undoes what the merged branch brought in.
                mainline: is_merge.then_some(1),
                ..revert_op::Options::default()
            },
        )?;
        Ok::<_, BranchError>(match outcome {
            revert_op::Outcome::Committed { commit_id, .. } => MergeResult::Committed {
                id: commit_id.to_hex(),
            },
            revert_op::Outcome::Stopped { merge } | revert_op::Outcome::Conflicted { merge } => {
                MergeResult::Conflicted {
                    paths: merge.conflicts.iter().map(|c| c.path.clone()).collect(),
                }
            }
        })
    })
    .await?;
    Ok(Reply::Merged(result))
}

/// `Op::RestoreFiles`: files back as they were at `rev`, staged.
pub async fn restore_files(name: &str, rev: &str, paths: &[Vec<u8>]) -> Result<Reply, EngineError> {
    let items: Vec<Vec<u8>> = paths
        .iter()
        .map(|p| {
            let mut item = b":(top,literal)".to_vec();
            item.extend_from_slice(p);
            item
        })
        .collect();
    let pathspec = tabgit_attributes::Pathspec::parse(&items, b"")
        .map_err(|e| EngineError::new("Bad path", &e))?;
    edit(name, "Cannot restore the files", |open| {
        let source = commit_of(open, rev)?;
        stage::restore::restore(
            &open.repo,
            &stage::restore::Options {
                pathspec: pathspec.clone(),
                source: Some(source),
                staged: true,
                worktree: true,
                ..stage::restore::Options::default()
            },
        )?;
        Ok::<_, BranchError>(())
    })
    .await?;
    Ok(Reply::Done)
}

/// `Op::Reset`.
pub async fn reset(
    name: &str,
    rev: &str,
    mode: ResetMode,
    identity: &Identity,
) -> Result<Reply, EngineError> {
    let committer = signature(identity);
    edit(name, &format!("Cannot reset to '{rev}'"), |open| {
        let target = commit_of(open, rev)?;
        reset_op::reset(
            &open.repo,
            target,
            &reset_op::Context {
                committer: committer.clone(),
                target_name: rev.as_bytes().to_vec(),
            },
            &reset_op::Options {
                kind: match mode {
                    ResetMode::Soft => reset_op::Kind::Soft,
                    ResetMode::Mixed => reset_op::Kind::Mixed,
                    ResetMode::Hard => reset_op::Kind::Hard,
                },
                index_mtime: None,
            },
        )?;
        Ok::<_, BranchError>(())
    })
    .await?;
    Ok(Reply::Done)
}

/// `Op::RenameBranch`.
pub async fn rename_branch(
    name: &str,
    from: &str,
    to: &str,
    identity: &Identity,
) -> Result<Reply, EngineError> {
    let committer = signature(identity);
    edit(name, &format!("Cannot rename branch '{from}'"), |open| {
        branch::rename(
            &mut open.repo,
            from.as_bytes(),
            to.as_bytes(),
            false,
            &committer,
        )
    })
    .await?;
    Ok(Reply::Done)
}

/// `Op::CreateTag`.
pub async fn create_tag(
    name: &str,
    tag_name: &str,
    target: Option<&str>,
    message: Option<&str>,
    identity: &Identity,
) -> Result<Reply, EngineError> {
    let annotation = message.map(|m| tag::Annotation {
        tagger: signature(identity),
        message: tabgit_repo::commit::cleanup_message(m.as_bytes(), None),
    });
    edit(name, &format!("Cannot create tag '{tag_name}'"), |open| {
        let target = commit_of(open, target.unwrap_or("HEAD"))?;
        tag::create(
            &open.repo,
            tag_name.as_bytes(),
            target,
            &tag::Options {
                force: false,
                annotation: annotation.clone(),
            },
        )?;
        Ok::<_, BranchError>(())
    })
    .await?;
    Ok(Reply::Done)
}

/// `Op::DeleteTag`.
pub async fn delete_tag(name: &str, tag_name: &str) -> Result<Reply, EngineError> {
    edit(name, &format!("Cannot delete tag '{tag_name}'"), |open| {
        tag::delete(&open.repo, tag_name.as_bytes())
    })
    .await?;
    Ok(Reply::Done)
}

/// `Op::StashSave`.
pub async fn stash_save(
    name: &str,
    message: Option<&str>,
    identity: &Identity,
) -> Result<Reply, EngineError> {
    let context = stash::Context {
        author: signature(identity),
        committer: signature(identity),
    };
    let saved = edit(name, "Cannot stash the changes", |open| {
        stash::push(
            &open.repo,
            &context,
            &stash::PushOptions {
                message: message.map(|m| m.as_bytes().to_vec()),
                ..stash::PushOptions::default()
            },
        )
    })
    .await?;
    match saved {
        Some(_) => Ok(Reply::Done),
        None => Err(EngineError {
            title: "No local changes to stash".into(),
            detail: String::new(),
        }),
    }
}

/// `Op::StashList`.
pub async fn stash_list(name: &str) -> Result<Reply, EngineError> {
    let list = read(name, "Cannot list the stashes", |open| {
        stash::list(&open.repo)
    })
    .await?;
    Ok(Reply::Stashes(
        list.into_iter()
            .map(|s| StashEntry {
                index: s.index,
                id: s.commit_id.to_hex(),
                message: lossy(&s.message),
            })
            .collect(),
    ))
}

/// `Op::StashApply`.
pub async fn stash_apply(name: &str, index: usize, pop: bool) -> Result<Reply, EngineError> {
    edit(name, "Cannot apply the stash", |open| {
        if pop {
            stash::pop(&open.repo, index, None)
        } else {
            stash::apply(&open.repo, index, None)
        }
    })
    .await?;
    Ok(Reply::Done)
}

/// `Op::StashDrop`.
pub async fn stash_drop(name: &str, index: usize) -> Result<Reply, EngineError> {
    edit(name, "Cannot drop the stash", |open| {
        stash::drop(&open.repo, index)
    })
    .await?;
    Ok(Reply::Done)
}

/// `Op::Reflog`: newest first.
pub async fn reflog(name: &str, ref_name: &str, count: usize) -> Result<Reply, EngineError> {
    let full = if ref_name == "HEAD" || ref_name.starts_with("refs/") {
        ref_name.to_owned()
    } else {
        format!("refs/heads/{ref_name}")
    };
    let lines = read(name, "Cannot read the reflog", |open| {
        open.repo.refs().reflog(full.as_bytes())
    })
    .await?;
    Ok(Reply::Reflog(
        lines
            .iter()
            .rev()
            .take(count)
            .map(|line| ReflogEntry {
                old: line.previous_id.to_hex(),
                new: line.new_id.to_hex(),
                who: lossy(&line.signature.name),
                time: line.signature.time.seconds,
                message: lossy(&line.message),
            })
            .collect(),
    ))
}
