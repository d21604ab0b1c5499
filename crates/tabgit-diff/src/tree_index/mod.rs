//! The changes between a tree and the index: what `git diff --cached` (`git diff-index --cached
//! -r <tree>`) shows, and what `git status` calls "changes to be committed".
//!
//! The worktree side (`git diff`, index ↔ worktree) needs file contents and stat data, so it is
//! the porcelain's job; it builds [`Change`]s itself and reuses rename detection,
//! patches and statistics from this crate.

use std::ops::ControlFlow;

use tabgit_index::{Stage, State};
use tabgit_object::{Find, ObjectId};

use crate::{tree, Change, Side};

/// The reasons a tree and the index could not be compared: the tree could not be read.
pub type Error = tree::Error;

/// How to compare a tree with the index.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Options {
    /// Only compare paths matching these prefixes.
    pub paths: crate::path::Prefixes,
    /// Report intent-to-add entries (`git add -N`) as additions of the empty blob, as the
    /// plumbing `git diff-index --cached` does. Off by default: porcelain `git diff --cached`
    /// and `git status` leave them out of staged changes.
    pub intent_to_add: bool,
}

/// The result of [`diff()`].
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Outcome {
    /// Paths staged differently from the tree, in index order.
    pub changes: Vec<Change>,
    /// Paths with conflict stages (1–3) in the index; they have no staged content to compare
    /// and appear only here (git prints them as `U`).
    pub unmerged: Vec<Vec<u8>>,
}

/// Compare the tree `tree_id` (`None`: the empty tree, as in a repository without commits) with
/// the merged entries of `index`.
///
/// ### Algorithm
///
/// The tree is flattened into its files (a [`tree::visit`] against the empty tree) and merged
/// with the index entries by path; both are in bytewise path order.
///
/// ### Relation to git
///
/// Like `git diff --cached` (`git diff-index --cached -r <tree>` with
/// [`Options::intent_to_add`]). Skip-worktree entries are compared normally.
pub fn diff(
    find: &dyn Find,
    tree_id: Option<&ObjectId>,
    index: &State,
    options: &Options,
) -> Result<Outcome, Error> {
    let mut tree_files: Vec<(Vec<u8>, Side)> = Vec::new();
    let tree_options = tree::Options {
        paths: options.paths.clone(),
    };
    // The delegate never stops the walk.
    let _flow = tree::visit(find, tree_id, None, &tree_options, &mut |change| {
        if let Change::Deletion { path, old } = change {
            tree_files.push((path, old));
        }
        ControlFlow::Continue(())
    })?;

    let mut outcome = Outcome::default();
    let mut tree_files = tree_files.into_iter().peekable();
    let mut entries = index.entries().iter().peekable();
    loop {
        // Skip index entries the diff does not cover.
        while let Some(entry) = entries.peek() {
            if (entry.flags.intent_to_add && !options.intent_to_add)
                || !options.paths.matches(&entry.path)
            {
                entries.next();
            } else {
                break;
            }
        }
        let ordering = match (tree_files.peek(), entries.peek()) {
            (None, None) => break,
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (Some((path, _)), Some(entry)) => path.as_slice().cmp(entry.path.as_slice()),
        };
        match ordering {
            std::cmp::Ordering::Less => {
                if let Some((path, old)) = tree_files.next() {
                    outcome.changes.push(Change::Deletion { path, old });
                }
            }
            std::cmp::Ordering::Greater | std::cmp::Ordering::Equal => {
                let Some(entry) = entries.next() else {
                    break;
                };
                let tree_file = if ordering == std::cmp::Ordering::Equal {
                    tree_files.next()
                } else {
                    None
                };
                if entry.stage != Stage::Merged {
                    if outcome.unmerged.last() != Some(&entry.path) {
                        outcome.unmerged.push(entry.path.clone());
                    }
                    // Further stages of the same path are unmerged too.
                    while entries.peek().is_some_and(|next| next.path == entry.path) {
                        entries.next();
                    }
                    continue;
                }
                let new = Side {
                    mode: entry.mode.to_tree_mode(),
                    object_id: entry.object_id,
                };
                match tree_file {
                    Some((path, old)) => {
                        if old != new {
                            outcome
                                .changes
                                .push(Change::Modification { path, old, new });
                        }
                    }
                    None => outcome.changes.push(Change::Addition {
                        path: entry.path.clone(),
                        new,
                    }),
                }
            }
        }
    }
    Ok(outcome)
}
