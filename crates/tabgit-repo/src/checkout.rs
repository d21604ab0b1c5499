//! Writing a tree into the working tree and building the matching index (what `git read-tree
//! -u --reset` followed by a fresh checkout does).
//!
//! Every tree is checked with git's fsck rules before any of its entries is written
//! (`tabgit_object::tree::check::tree`: no `..`, no `.git` in any spelling, sorted, no
//! duplicates), and trees are walked with an explicit stack bounded by git's
//! `core.maxTreeDepth` default (2048).

use tabgit_hash::ObjectId;
use tabgit_index::{Mode, State};
use tabgit_object::{tree::check, EntryMode, Kind, TreeRef};
use tabgit_store::files::GitFiles;
use tabgit_store::worktree::FileKind;

use crate::Repository;

/// The deepest tree git checks out by default (`core.maxTreeDepth`).
pub const MAX_TREE_DEPTH: usize = 2048;

/// The reasons a checkout failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The repository could not be read.
    #[error(transparent)]
    Repository(#[from] crate::Error),
    /// A tree is unsafe or malformed; nothing from it was written.
    #[error("refusing to check out tree {tree}")]
    UnsafeTree {
        /// The tree.
        tree: ObjectId,
        /// Why.
        #[source]
        source: check::Error,
    },
    /// An object has the wrong type.
    #[error("{id} should be a {expected} but is a {actual}")]
    WrongKind {
        /// The object.
        id: ObjectId,
        /// What the tree entry says.
        expected: Kind,
        /// What it is.
        actual: Kind,
    },
    /// Trees nest deeper than allowed.
    #[error("tree is nested deeper than {MAX_TREE_DEPTH} levels")]
    TooDeep,
    /// The repository is bare.
    #[error("this operation needs a working tree")]
    Bare,
    /// Writing to the working tree failed.
    #[error(transparent)]
    Worktree(#[from] tabgit_store::worktree::Error),
    /// The index could not be built.
    #[error(transparent)]
    Index(#[from] tabgit_index::read_tree::Error),
    /// The index could not be updated.
    #[error(transparent)]
    IndexState(#[from] tabgit_index::state::Error),
}

impl<F: GitFiles + Clone> Repository<F> {
    /// Every blob, symlink and gitlink of `tree` as `(path, mode, id)`, in git's order, after
    /// checking every tree on the way.
    pub fn flatten_tree(
        &self,
        tree: ObjectId,
    ) -> Result<Vec<(Vec<u8>, EntryMode, ObjectId)>, Error> {
        let mut out = Vec::new();
        // Each frame: the parsed entries of one tree (owned), the next entry, the path prefix.
        let mut stack: Vec<(std::vec::IntoIter<tabgit_object::tree::Entry>, Vec<u8>)> = Vec::new();
        stack.push((self.checked_tree(tree)?.into_iter(), Vec::new()));
        while let Some((entries, prefix)) = stack.last_mut() {
            let Some(entry) = entries.next() else {
                stack.pop();
                continue;
            };
            let mut path = prefix.clone();
            path.extend_from_slice(&entry.filename);
            if entry.mode.is_tree() {
                if stack.len() >= MAX_TREE_DEPTH {
                    return Err(Error::TooDeep);
                }
                path.push(b'/');
                let children = self.checked_tree(entry.oid)?;
                stack.push((children.into_iter(), path));
            } else {
                out.push((path, entry.mode, entry.oid));
            }
        }
        Ok(out)
    }

    fn checked_tree(&self, id: ObjectId) -> Result<Vec<tabgit_object::tree::Entry>, Error> {
        let (kind, data) = self.object(&id)?;
        if kind != Kind::Tree {
            return Err(Error::WrongKind {
                id,
                expected: Kind::Tree,
                actual: kind,
            });
        }
        check::tree(&data).map_err(|source| Error::UnsafeTree { tree: id, source })?;
        let parsed = TreeRef::from_bytes(&data).map_err(|e| Error::UnsafeTree {
            tree: id,
            source: e.into(),
        })?;
        Ok(parsed.to_owned().entries)
    }

    /// The index `git read-tree <tree>` makes: the tree's entries with no stat data.
    pub fn index_from_tree(&self, tree: ObjectId) -> Result<State, Error> {
        Ok(tabgit_index::read_tree(self.flatten_tree(tree)?)?)
    }

    /// Write every file of `tree` into the working tree and return the matching index with the
    /// written files' stat data, so that status sees them as unchanged. Files not in the tree
    /// are left alone; the caller decides what else to remove.
    pub fn checkout_tree(
        &self,
        tree: ObjectId,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<State, Error> {
        let worktree = self.worktree().ok_or(Error::Bare)?;
        let entries = self.flatten_tree(tree)?;
        let mut state =
            tabgit_index::read_tree(entries.iter().map(|(p, m, i)| (p.clone(), *m, *i)))?;
        let total = entries.len();
        for (done, (path, mode, id)) in entries.iter().enumerate() {
            let Some(index_mode) = Mode::from_tree_mode(*mode) else {
                continue;
            };
            let kind = match index_mode {
                Mode::Gitlink => {
                    // A submodule's directory, empty as git leaves it when it does not clone it.
                    worktree.create_dir(path)?;
                    continue;
                }
                Mode::Symlink => FileKind::Symlink,
                Mode::FileExecutable => FileKind::Executable,
                Mode::File => FileKind::File,
            };
            let (object_kind, data) = self.object(id)?;
            if object_kind != Kind::Blob {
                return Err(Error::WrongKind {
                    id: *id,
                    expected: Kind::Blob,
                    actual: object_kind,
                });
            }
            let meta = worktree.write_blob(path, kind, *id, &data)?;
            if let Some(idx) = state.entry_index(path, tabgit_index::Stage::Merged) {
                state.set_stat(idx, meta.stat)?;
            }
            progress(done + 1, total);
        }
        Ok(state)
    }
}
