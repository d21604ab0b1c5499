//! What cherry-pick and revert share (git's `sequencer.c` `do_pick_commit` for one commit): a
//! three-way merge of `HEAD` with a commit's changes (or their reverse), then a commit or a
//! stop on conflicts.

use tabgit_hash::ObjectId;
use tabgit_merge::tree::Labels;
use tabgit_store::files::GitFiles;

use crate::cherry_pick::Outcome as Picked;
use crate::merge::apply::{self, OdbWriter};
use crate::merge::function::{abort_update, refuse_in_progress, tree_options};
use crate::merge::{ConflictStyle, Context, Error};
use crate::update::Update;
use crate::Repository;

/// Which operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Action {
    CherryPick,
    Revert,
}

/// How to pick.
#[derive(Clone, Debug, Default)]
pub(crate) struct PickOptions {
    pub(crate) mainline: Option<usize>,
    pub(crate) commit: bool,
    pub(crate) record_origin: bool,
    pub(crate) conflict_style: Option<ConflictStyle>,
}

pub(crate) fn pick<F: GitFiles + Clone>(
    repo: &Repository<F>,
    commit_id: ObjectId,
    action: Action,
    context: &Context,
    options: &PickOptions,
) -> Result<Picked, Error> {
    if repo.worktree().is_none() {
        return Err(Error::Bare);
    }
    refuse_in_progress(repo)?;
    let index = repo.index()?;
    if index.has_conflicts() {
        return Err(Error::Unmerged {
            paths: apply::unmerged_paths(&index),
        });
    }
    let action_name = match action {
        Action::CherryPick => "cherry-pick",
        Action::Revert => "revert",
    };
    let head = repo.head()?;
    let Some(head_id) = head.id() else {
        return Err(Error::UnbornHead {
            action: action_name,
        });
    };
    let picked = apply::read_commit(repo, &commit_id)?;
    let parent = match (picked.parents.len(), options.mainline) {
        (0 | 1, Some(_)) => return Err(Error::NotAMerge { commit_id }),
        (0, None) => None,
        (1, None) => Some(picked.parents[0]),
        (_, None) => return Err(Error::MainlineMissing { commit_id }),
        (_, Some(mainline)) => match mainline.checked_sub(1).and_then(|i| picked.parents.get(i)) {
            Some(parent) => Some(*parent),
            None => {
                return Err(Error::NoSuchParent {
                    commit_id,
                    mainline,
                })
            }
        },
    };
    let parent_tree = match parent {
        Some(parent) => Some(apply::read_commit(repo, &parent)?.tree),
        None => None,
    };
    let head_commit = apply::read_commit(repo, &head_id)?;
    let head_files = apply::tree_files(repo, Some(head_commit.tree))?;
    let staged = apply::index_changes(&index, &head_files);
    if !staged.is_empty() {
        return Err(Error::LocalChanges { paths: staged });
    }

    let subject = apply::subject(&picked.commit.message).to_vec();
    let mut label = apply::abbreviate(repo, &commit_id);
    label.extend_from_slice(b" (");
    label.extend_from_slice(&subject);
    label.push(b')');
    let mut parent_label = b"parent of ".to_vec();
    parent_label.extend_from_slice(&label);

    let (base_tree, base_label, next_tree, next_label) = match action {
        Action::CherryPick => (parent_tree, &parent_label, Some(picked.tree), &label),
        Action::Revert => (Some(picked.tree), &label, parent_tree, &parent_label),
    };
    let empty_tree = repo.odb().write_loose(tabgit_object::Kind::Tree, b"")?;
    let next_tree = next_tree.unwrap_or(empty_tree);
    let mut writer = OdbWriter(repo.odb());
    let merge = tabgit_merge::tree::merge(
        repo.odb(),
        &mut writer,
        base_tree.as_ref(),
        &head_commit.tree,
        &next_tree,
        &Labels {
            ancestor: base_label,
            ours: b"HEAD",
            theirs: next_label,
        },
        &tree_options(repo, options.conflict_style),
    )?;
    let target_index = merge.index(repo.odb())?;
    let target_files = apply::tree_files(repo, Some(merge.tree_id))?;
    let plan = apply::plan(repo, &head_files, &target_files, target_index, &index)?;
    let conflicted_index = plan.index.clone();

    let mut message = match action {
        Action::CherryPick => {
            let mut message = picked.commit.message.clone();
            if options.record_origin {
                if message.last() != Some(&b'\n') {
                    message.push(b'\n');
                }
                message.extend_from_slice(
                    format!("\n(cherry picked from commit {commit_id})\n").as_bytes(),
                );
            }
            message
        }
        Action::Revert => {
            let mut message = match subject.strip_prefix(b"Revert \"") {
                Some(original) if !original.starts_with(b"Revert \"") => {
                    let mut message = b"Reapply \"".to_vec();
                    message.extend_from_slice(original);
                    message
                }
                _ => {
                    let mut message = b"Revert \"".to_vec();
                    message.extend_from_slice(&subject);
                    message.push(b'"');
                    message
                }
            };
            message.extend_from_slice(format!("\n\nThis reverts commit {commit_id}").as_bytes());
            if let (true, Some(parent)) = (picked.parents.len() > 1, parent) {
                message
                    .extend_from_slice(format!(", reversing\nchanges made to {parent}").as_bytes());
            }
            message.extend_from_slice(b".\n");
            message
        }
    };

    let mut update = Update::new(repo);
    let res = (|| -> Result<Picked, Error> {
        apply::apply(&mut update, plan)?;
        if merge.is_clean() && options.commit {
            let author = match action {
                Action::CherryPick => picked.commit.author.clone(),
                Action::Revert => context.author.clone(),
            };
            let commit_id = apply::write_commit(
                repo,
                merge.tree_id,
                vec![head_id],
                &author,
                &context.committer,
                message.clone(),
            )?;
            let mut reflog = format!("{action_name}: ").into_bytes();
            reflog.extend_from_slice(apply::subject(&message));
            apply::move_head(
                &update,
                &head,
                Some(head_id),
                commit_id,
                &context.committer,
                reflog,
            )?;
            return Ok(Picked::Committed {
                commit_id,
                merge: merge.clone(),
            });
        }
        apply::set_pseudo_ref(&update, "AUTO_MERGE", merge.tree_id)?;
        if !merge.is_clean() {
            message.extend_from_slice(&apply::conflicts_hint(&conflicted_index));
        }
        update.write("MERGE_MSG", message.clone())?;
        if !merge.is_clean() || options.commit {
            let file = match action {
                Action::CherryPick => "CHERRY_PICK_HEAD",
                Action::Revert => "REVERT_HEAD",
            };
            apply::set_pseudo_ref(&update, file, commit_id)?;
        }
        Ok(if merge.is_clean() {
            Picked::Stopped {
                merge: merge.clone(),
            }
        } else {
            Picked::Conflicted {
                merge: merge.clone(),
            }
        })
    })();
    match res {
        Ok(picked) => {
            update.commit()?;
            Ok(picked)
        }
        Err(err) => Err(abort_update(update, err)),
    }
}
