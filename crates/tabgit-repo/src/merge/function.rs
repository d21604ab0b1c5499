use tabgit_hash::ObjectId;
use tabgit_index::State;
use tabgit_merge::blob::ConflictStyle;
use tabgit_merge::commit::{Context as MergeContext, Labels};
use tabgit_revision::merge_base;
use tabgit_store::files::GitFiles;
use tabgit_store::refs::Head;

use crate::merge::apply::{self, OdbWriter};
use crate::merge::{Context, Error, FastForward, InProgress, Operation, Options, Outcome};
use crate::update::Update;
use crate::Repository;

/// The files a stopped merge, cherry-pick or revert leaves, which `--abort`/`--continue` and a
/// commit remove.
pub(crate) const STATE_FILES: [&str; 6] = [
    "MERGE_HEAD",
    "MERGE_MSG",
    "MERGE_MODE",
    "AUTO_MERGE",
    "CHERRY_PICK_HEAD",
    "REVERT_HEAD",
];

/// Merge the commit `name` names (a branch, tag, remote-tracking branch or commit id) into
/// `HEAD`, as `git merge <name>` does.
///
/// ### Algorithm
///
/// 1. Refuse when a merge, cherry-pick or revert is in progress, or the index has unmerged
///    paths.
/// 2. Record `ORIG_HEAD` (as git does, before anything else). If `HEAD` contains the commit:
///    [`Outcome::UpToDate`]; if the histories are unrelated, refuse unless
///    [`Options::allow_unrelated_histories`]. If the commit contains `HEAD`
///    (or the branch is unborn) and [`Options::fast_forward`] allows: move the index, working
///    tree and branch there ([`Outcome::FastForward`]), refusing if that would overwrite local
///    changes. With [`FastForward::Only`], refuse anything else.
/// 3. Otherwise the index must equal `HEAD`'s tree. Merge with `merge-ort`'s algorithm
///    ([`tabgit_merge::commit::merge`]: merge bases, virtual bases for criss-cross histories,
///    renames), labelling the sides `HEAD` and `name`.
/// 4. Move the working tree and index to the result (conflicted files with markers, their index
///    stages 1 to 3), refusing if a file the merge changes has local changes or an untracked
///    file is in the way. Write `AUTO_MERGE`.
/// 5. A clean merge is committed with two parents (unless [`Options::commit`] is off); a
///    conflicted one writes `MERGE_HEAD`, `MERGE_MSG` (with git's `# Conflicts:` list) and
///    `MERGE_MODE` and returns [`Outcome::Conflicted`].
///
/// ### Relation to git
///
/// Index, working tree, refs, reflog messages (`merge <name>: Fast-forward`,
/// `merge <name>: Merge made by the 'ort' strategy.`), commit ids (for the same identities and
/// times) and state files equal git's. Not supported: octopus merges, strategies other than
/// `ort`, `-X` options other than a conflict style, `.gitignore` (an ignored file in the way is
/// refused like an untracked one), signed-tag messages, autostash and hooks.
pub fn merge<F: GitFiles + Clone>(
    repo: &Repository<F>,
    name: &[u8],
    context: &Context,
    options: &Options,
) -> Result<Outcome, Error> {
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
    let their_id = their_commit(repo, name)?;
    let head = repo.head()?;
    let head_id = head.id();
    if let Some(head_id) = head_id {
        // git records ORIG_HEAD before deciding anything, even for a merge it then refuses.
        repo.files()
            .write("ORIG_HEAD", format!("{head_id}\n").as_bytes())?;
    }
    let mut graph = repo.graph()?;
    if let Some(head_id) = head_id {
        if merge_base::is_ancestor(&mut graph, their_id, head_id)? {
            return Ok(Outcome::UpToDate);
        }
        if !options.allow_unrelated_histories
            && merge_base::merge_bases(&mut graph, head_id, their_id)?.is_empty()
        {
            return Err(Error::UnrelatedHistories);
        }
    }
    let fast_forward = match head_id {
        None => true,
        Some(head_id) => merge_base::is_ancestor(&mut graph, head_id, their_id)?,
    };
    drop(graph);
    let reflog_name = String::from_utf8_lossy(name).into_owned();
    if fast_forward && options.fast_forward != FastForward::Never {
        let their = apply::read_commit(repo, &their_id)?;
        let head_tree = match head_id {
            Some(head_id) => Some(apply::read_commit(repo, &head_id)?.tree),
            None => None,
        };
        let head_files = apply::tree_files(repo, head_tree)?;
        let target_files = apply::tree_files(repo, Some(their.tree))?;
        let target_index = repo.index_from_tree(their.tree)?;
        let plan = apply::plan(repo, &head_files, &target_files, target_index, &index)?;
        let mut update = Update::new(repo);
        let res = (|| -> Result<(), Error> {
            apply::apply(&mut update, plan)?;
            apply::move_head(
                &update,
                &head,
                head_id,
                their_id,
                &context.committer,
                format!("merge {reflog_name}: Fast-forward").into_bytes(),
            )
        })();
        match res {
            Ok(()) => update.commit()?,
            Err(err) => return Err(abort_update(update, err)),
        }
        return Ok(Outcome::FastForward {
            from: head_id,
            to: their_id,
        });
    }
    if options.fast_forward == FastForward::Only {
        return Err(Error::NotPossibleToFastForward);
    }
    let head_id = head_id.expect("an unborn branch always fast-forwards");

    // The index must match HEAD for a real merge (`unclean()` in merge-ort-wrappers.c).
    let head_commit = apply::read_commit(repo, &head_id)?;
    let head_files = apply::tree_files(repo, Some(head_commit.tree))?;
    let staged = apply::index_changes(&index, &head_files);
    if !staged.is_empty() {
        return Err(Error::LocalChanges { paths: staged });
    }

    let tree_options = tree_options(repo, options.conflict_style);
    let abbreviate = |id: &ObjectId| apply::abbreviate(repo, id);
    let mut writer = OdbWriter(repo.odb());
    let outcome = tabgit_merge::commit::merge(
        MergeContext {
            find: repo.odb(),
            write: &mut writer,
            shallow: repo.shallow()?,
            abbreviate: &abbreviate,
        },
        &head_id,
        &their_id,
        &Labels {
            ours: b"HEAD",
            theirs: name,
        },
        &tree_options,
    )?;
    let merge = outcome.tree;
    let target_index = merge.index(repo.odb())?;
    let target_files = apply::tree_files(repo, Some(merge.tree_id))?;
    let plan = apply::plan(repo, &head_files, &target_files, target_index, &index)?;
    let conflicted_index = plan.index.clone();

    let mut message = match &options.message {
        Some(message) => {
            let mut message = message.clone();
            if message.last() != Some(&b'\n') {
                message.push(b'\n');
            }
            message
        }
        None => default_message(repo, name, &head)?,
    };
    let mut update = Update::new(repo);
    let res = (|| -> Result<Outcome, Error> {
        apply::apply(&mut update, plan)?;
        if merge.is_clean() && options.commit {
            let commit_id = apply::write_commit(
                repo,
                merge.tree_id,
                vec![head_id, their_id],
                &context.author,
                &context.committer,
                message.clone(),
            )?;
            apply::move_head(
                &update,
                &head,
                Some(head_id),
                commit_id,
                &context.committer,
                format!("merge {reflog_name}: Merge made by the 'ort' strategy.").into_bytes(),
            )?;
            return Ok(Outcome::Committed {
                commit_id,
                merge: merge.clone(),
            });
        }
        apply::set_pseudo_ref(&update, "AUTO_MERGE", merge.tree_id)?;
        apply::set_pseudo_ref(&update, "MERGE_HEAD", their_id)?;
        let mode: &[u8] = if options.fast_forward == FastForward::Never {
            b"no-ff"
        } else {
            b""
        };
        update.write("MERGE_MODE", mode.to_vec())?;
        if !merge.is_clean() {
            message.extend_from_slice(&apply::conflicts_hint(&conflicted_index));
        }
        update.write("MERGE_MSG", message.clone())?;
        Ok(if merge.is_clean() {
            Outcome::Stopped {
                merge: merge.clone(),
            }
        } else {
            Outcome::Conflicted {
                merge: merge.clone(),
            }
        })
    })();
    match res {
        Ok(outcome) => {
            update.commit()?;
            Ok(outcome)
        }
        Err(err) => Err(abort_update(update, err)),
    }
}

/// Give up an update that failed part-way: undo its working-tree changes and report `err`
/// (or, if the undo failed too, that).
pub(crate) fn abort_update<F: GitFiles + Clone>(update: Update<'_, F>, err: Error) -> Error {
    match err {
        Error::Update(cause) => Error::Update(update.abort(cause)),
        other => {
            let marker = crate::update::Error::Repository(crate::Error::Unsupported {
                reason: other.to_string(),
            });
            match update.abort(marker) {
                undo @ crate::update::Error::UndoFailed { .. } => Error::Update(undo),
                _ => other,
            }
        }
    }
}

/// The merge options the repository's config asks for, with `style` overriding
/// `merge.conflictStyle`, and `diff.algorithm`.
pub(crate) fn tree_options<F: GitFiles + Clone>(
    repo: &Repository<F>,
    style: Option<ConflictStyle>,
) -> tabgit_merge::tree::Options {
    let mut options = tabgit_merge::tree::Options::default();
    let config = repo.config();
    options.blob.style =
        style.unwrap_or_else(|| match config.get("merge", None, "conflictstyle") {
            Some(b"diff3") => ConflictStyle::Diff3,
            Some(b"zdiff3") => ConflictStyle::ZealousDiff3,
            _ => ConflictStyle::Merge,
        });
    if let Some(algorithm) = config.get("diff", None, "algorithm") {
        options.blob.algorithm = match algorithm {
            b"myers" | b"default" => tabgit_diff::lines::Algorithm::Myers,
            b"minimal" => tabgit_diff::lines::Algorithm::MyersMinimal,
            _ => tabgit_diff::lines::Algorithm::Histogram,
        };
    }
    let renames_off = config
        .get_bool("merge", None, "renames")
        .ok()
        .flatten()
        .or_else(|| config.get_bool("diff", None, "renames").ok().flatten())
        == Some(false);
    if renames_off {
        options.renames = None;
    }
    let limit = config
        .get_int("merge", None, "renamelimit")
        .ok()
        .flatten()
        .or_else(|| config.get_int("diff", None, "renamelimit").ok().flatten());
    if let (Some(limit), Some(renames)) = (limit, options.renames.as_mut()) {
        if limit > 0 {
            renames.limit = limit as usize;
        }
    }
    options
}

/// The commit `name` resolves to.
fn their_commit<F: GitFiles + Clone>(repo: &Repository<F>, name: &[u8]) -> Result<ObjectId, Error> {
    let mut spec = name.to_vec();
    spec.extend_from_slice(b"^{commit}");
    repo.rev_parse(&spec).map_err(|_| Error::NotACommit {
        name: String::from_utf8_lossy(name).into_owned(),
    })
}

/// Refuse when a merge, cherry-pick or revert waits to be concluded.
pub(crate) fn refuse_in_progress<F: GitFiles + Clone>(repo: &Repository<F>) -> Result<(), Error> {
    for (file, operation) in [
        ("MERGE_HEAD", Operation::Merge),
        ("CHERRY_PICK_HEAD", Operation::CherryPick),
        ("REVERT_HEAD", Operation::Revert),
    ] {
        if repo.files().exists(file)? {
            return Err(Error::InProgress { operation, file });
        }
    }
    Ok(())
}

/// git's default merge message: `Merge branch 'topic'`, `Merge tag 'v1'`,
/// `Merge remote-tracking branch 'origin/main'` or `Merge commit '<name>'`, followed by
/// ` into <branch>` unless the current branch is `main` or `master` (`merge.suppressDest`).
fn default_message<F: GitFiles + Clone>(
    repo: &Repository<F>,
    name: &[u8],
    head: &Head,
) -> Result<Vec<u8>, Error> {
    let shown = String::from_utf8_lossy(name);
    let full = repo.dwim_ref(name)?;
    let kind = match full.as_deref() {
        Some(full) if full.starts_with(b"refs/heads/") => "branch",
        Some(full) if full.starts_with(b"refs/tags/") => "tag",
        Some(full) if full.starts_with(b"refs/remotes/") => "remote-tracking branch",
        _ => "commit",
    };
    let mut message = format!("Merge {kind} '{shown}'");
    let current = match head {
        Head::Branch { name, .. } => name.strip_prefix(b"refs/heads/").unwrap_or(name).to_vec(),
        Head::Detached(_) => b"HEAD".to_vec(),
    };
    let configured = repo.config().get_all("merge", None, "suppressdest");
    let suppressed = if configured.is_empty() {
        current == b"main" || current == b"master"
    } else {
        configured.iter().any(|pattern| {
            *pattern == current.as_slice()
                || pattern
                    .strip_suffix(b"*")
                    .is_some_and(|prefix| current.starts_with(prefix))
        })
    };
    if !suppressed {
        message.push_str(" into ");
        message.push_str(&String::from_utf8_lossy(&current));
    }
    message.push('\n');
    Ok(message.into_bytes())
}

/// The operation waiting to be continued or aborted, if any (`MERGE_HEAD`, `CHERRY_PICK_HEAD` or
/// `REVERT_HEAD` in the git directory).
pub fn in_progress<F: GitFiles + Clone>(repo: &Repository<F>) -> Result<Option<InProgress>, Error> {
    let files = repo.files();
    let (operation, file) = if files.exists("MERGE_HEAD")? {
        (Operation::Merge, "MERGE_HEAD")
    } else if files.exists("CHERRY_PICK_HEAD")? {
        (Operation::CherryPick, "CHERRY_PICK_HEAD")
    } else if files.exists("REVERT_HEAD")? {
        (Operation::Revert, "REVERT_HEAD")
    } else {
        return Ok(None);
    };
    let heads = files
        .read(file)?
        .unwrap_or_default()
        .split(|&b| b == b'\n')
        .filter_map(|line| ObjectId::from_hex(line).ok())
        .collect();
    let message = files.read("MERGE_MSG")?.unwrap_or_default();
    let unmerged = apply::unmerged_paths(&repo.index()?);
    Ok(Some(InProgress {
        operation,
        heads,
        message,
        unmerged,
    }))
}

/// Abort a stopped merge, cherry-pick or revert: put the index and every file the operation
/// changed back as they were in `HEAD`, and remove its state files (`git merge --abort`, which
/// runs `git reset --merge`).
///
/// Files with changes that were not part of the operation (local edits a merge left alone)
/// stay as they are; a file the operation merged cleanly that was edited afterwards is refused,
/// as git refuses it.
pub fn abort<F: GitFiles + Clone>(
    repo: &Repository<F>,
    committer: &tabgit_object::Signature,
) -> Result<(), Error> {
    let worktree = repo.worktree().ok_or(Error::Bare)?;
    if in_progress(repo)?.is_none() {
        return Err(Error::NothingInProgress { action: "abort" });
    }
    let head = repo.head()?;
    let head_id = head.id();
    let head_tree = match head_id {
        Some(id) => Some(apply::read_commit(repo, &id)?.tree),
        None => None,
    };
    let head_files = apply::tree_files(repo, head_tree)?;
    let index = repo.index()?;
    let changed = apply::index_changes(&index, &head_files);
    let mut ops = Vec::new();
    let mut refused = Vec::new();
    for path in &changed {
        let entries = index.path_entries(path);
        let merged = entries
            .iter()
            .find(|e| e.stage == tabgit_index::Stage::Merged);
        if let Some(entry) = merged {
            if entries.len() == 1 && !apply::is_clean(worktree, entry)? {
                refused.push(path.clone());
                continue;
            }
        }
        match head_files.get(path) {
            Some(&(tabgit_index::Mode::Gitlink, _)) => {
                ops.push(crate::update::WorktreeOp::CreateDir { path: path.clone() });
            }
            Some(&(mode, blob_id)) => ops.push(crate::update::WorktreeOp::Write {
                path: path.clone(),
                kind: apply::file_kind(mode),
                blob_id,
                previous: crate::update::Previous::Unknown,
            }),
            None => {
                if worktree.metadata(path)?.is_some() {
                    ops.push(crate::update::WorktreeOp::Remove {
                        path: path.clone(),
                        previous: crate::update::Previous::Unknown,
                    });
                }
            }
        }
    }
    if !refused.is_empty() {
        return Err(Error::LocalChanges { paths: refused });
    }
    // Removals first, so a file can replace a directory.
    ops.sort_by_key(|op| !matches!(op, crate::update::WorktreeOp::Remove { .. }));
    let mut new_index = match head_tree {
        Some(tree) => repo.index_from_tree(tree)?,
        None => State::default(),
    };
    let mut keep = Vec::new();
    for (idx, entry) in new_index.entries().iter().enumerate() {
        if let Some(current) = index.entry(&entry.path, tabgit_index::Stage::Merged) {
            if current.object_id == entry.object_id && current.mode == entry.mode {
                keep.push((idx, current.stat, current.flags));
            }
        }
    }
    for (idx, stat, flags) in keep {
        new_index.set_stat(idx, stat)?;
        new_index.set_flags(idx, flags)?;
    }
    let plan = apply::Plan {
        ops,
        index: new_index,
    };
    let mut update = Update::new(repo);
    let res = (|| -> Result<(), Error> {
        apply::apply(&mut update, plan)?;
        for file in STATE_FILES {
            update.remove(file)?;
        }
        if let Some(head_id) = head_id {
            apply::set_pseudo_ref(&update, "ORIG_HEAD", head_id)?;
            apply::move_head(
                &update,
                &head,
                Some(head_id),
                head_id,
                committer,
                b"reset: moving to HEAD".to_vec(),
            )?;
        }
        Ok(())
    })();
    match res {
        Ok(()) => Ok(update.commit()?),
        Err(err) => Err(abort_update(update, err)),
    }
}

/// Conclude a stopped merge, cherry-pick or revert once every conflict is resolved: commit the
/// index with `MERGE_MSG` (comments removed) and remove the state files, as `git commit` (or
/// `git merge --continue`) does. A merge commit's parents are `HEAD` and `MERGE_HEAD`; a picked
/// commit keeps its author.
pub fn continue_merge<F: GitFiles + Clone>(
    repo: &Repository<F>,
    context: &Context,
) -> Result<ObjectId, Error> {
    let Some(state) = in_progress(repo)? else {
        return Err(Error::NothingInProgress { action: "continue" });
    };
    let index = repo.index()?;
    if index.has_conflicts() {
        return Err(Error::UnresolvedConflicts {
            paths: apply::unmerged_paths(&index),
        });
    }
    let head = repo.head()?;
    let head_id = head.id();
    let mut writer = OdbWriter(repo.odb());
    let tree = tabgit_index::write_tree(&index, &mut writer)?.tree_id;
    let message = apply::cleanup_message(&state.message, true);
    let mut parents: Vec<ObjectId> = head_id.into_iter().collect();
    let mut author = context.author.clone();
    let reflog = match state.operation {
        Operation::Merge => {
            parents.extend(state.heads.iter().copied());
            "commit (merge)"
        }
        Operation::CherryPick => {
            if let Some(picked) = state.heads.first() {
                author = apply::read_commit(repo, picked)?.commit.author;
            }
            "commit"
        }
        Operation::Revert => "commit",
    };
    let commit_id = apply::write_commit(
        repo,
        tree,
        parents,
        &author,
        &context.committer,
        message.clone(),
    )?;
    let mut reflog_message = format!("{reflog}: ").into_bytes();
    reflog_message.extend_from_slice(apply::subject(&message));
    let update = Update::new(repo);
    apply::move_head(
        &update,
        &head,
        head_id,
        commit_id,
        &context.committer,
        reflog_message,
    )?;
    for file in STATE_FILES {
        update.remove(file)?;
    }
    update.commit()?;
    Ok(commit_id)
}
