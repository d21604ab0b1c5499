//! The in-memory index: entries sorted by path and stage, the extensions that come with them, and
//! the operations the porcelain stages changes with.
//!
//! ### Invariants
//!
//! * Entries are sorted by path (bytewise, `memcmp` order) and then by stage, and each
//!   `(path, stage)` pair appears once (`gitformat-index`, "Index entry").
//! * A path has either a merged entry (stage 0) or conflict stages (1–3), never both
//!   (git's `check_ce_order`).
//! * Entries added through [`State::insert`] and friends have paths that pass
//!   [`tabgit_object::tree::check::path`] (git's `verify_path` in `add_index_entry`), and at each
//!   stage no path is both a file and a directory (`check_file_directory_conflict`).
//!
//! ### Relation to git
//!
//! Removing a conflict stage, whether by [`State::insert`] of a merged entry, [`State::resolve`],
//! [`State::remove`] or [`State::remove_directory`], records it in the resolve-undo extension,
//! as git's `remove_index_entry_at` does. Any change to which entries exist or what they stage
//! drops the cache tree (git invalidates it path by path; [`crate::write_tree()`] rebuilds it), and
//! any change at all drops the raw optional extensions (see [`crate::extension`]).

use std::cmp::Ordering;

use tabgit_hash::ObjectId;
use tabgit_object::tree::check;

use crate::entry::{ConflictSide, Entry, Flags, Stage};
use crate::extension::{self, CacheTree, ResolveUndo};
use crate::stat::StatData;
use crate::Version;

/// The reasons a change to the index was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
pub enum Error {
    /// The path is not one git would add to an index (empty component, `.`, `..`, `.git`, ...).
    #[error("refusing to stage invalid path {path:?}")]
    InvalidPath {
        /// The path, lossily decoded.
        path: String,
        /// Why the path is invalid.
        #[source]
        source: check::Error,
    },
    /// The path is a file where an existing entry needs a directory, or the other way round.
    #[error("{path:?} cannot be staged because {existing:?} is staged at the same stage; a path cannot be both a file and a directory (remove one first, or insert with replacement)")]
    DirectoryFileConflict {
        /// The path being added, lossily decoded.
        path: String,
        /// The existing entry's path, lossily decoded.
        existing: String,
    },
    /// [`State::add_conflict`] was given no side at all.
    #[error("a conflict for {path:?} needs at least one of base, ours or theirs")]
    EmptyConflict {
        /// The path, lossily decoded.
        path: String,
    },
    /// [`State::resolve`] was called for a path without conflict stages.
    #[error("{path:?} has no conflict to resolve; stage it with insert instead")]
    NotConflicted {
        /// The path, lossily decoded.
        path: String,
    },
    /// [`State::resolve`] was given an entry for another path or at a conflict stage.
    #[error("resolving {path:?} needs a merged (stage 0) entry for the same path")]
    ResolutionMismatch {
        /// The path being resolved, lossily decoded.
        path: String,
    },
    /// An entry index is out of range.
    #[error("no entry at index {entry_idx}: the index has {n_entries} entries")]
    NoSuchEntry {
        /// The index that was given.
        entry_idx: usize,
        /// The number of entries.
        n_entries: usize,
    },
}

/// The index: sorted entries plus extensions.
///
/// Decode one with [`State::from_bytes`], build one with [`crate::read_tree()`] or
/// [`State::default`], and encode it with [`State::write_to`].
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct State {
    pub(crate) version: Version,
    pub(crate) entries: Vec<Entry>,
    pub(crate) cache_tree: Option<CacheTree>,
    pub(crate) resolve_undo: Option<ResolveUndo>,
    pub(crate) raw_extensions: Vec<extension::Raw>,
    pub(crate) checksum: Option<ObjectId>,
    pub(crate) modified: bool,
}

/// Access
impl State {
    /// The version the index was read with ([`Version::V2`] for a new one).
    pub fn version(&self) -> Version {
        self.version
    }

    /// All entries, sorted by path and stage.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Iterate over all entries, sorted by path and stage.
    pub fn iter(&self) -> std::slice::Iter<'_, Entry> {
        self.entries.iter()
    }

    /// The number of entries (counting each stage of a conflicted path).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry for `path` at `stage`.
    pub fn entry(&self, path: &[u8], stage: Stage) -> Option<&Entry> {
        self.entry_index(path, stage).map(|idx| &self.entries[idx])
    }

    /// The position of the entry for `path` at `stage` in [`State::entries`].
    pub fn entry_index(&self, path: &[u8], stage: Stage) -> Option<usize> {
        self.search(path, stage).ok()
    }

    /// All entries for `path`: one merged entry, the conflict stages, or none.
    pub fn path_entries(&self, path: &[u8]) -> &[Entry] {
        let range = self.path_range(path);
        &self.entries[range]
    }

    /// All entries inside directory `dir` (with or without a trailing `/`; `b""` for all entries),
    /// sorted. `b"src"` matches `src/main.rs` but neither `src` nor `src.rs`.
    pub fn directory_entries(&self, dir: &[u8]) -> &[Entry] {
        let range = self.directory_range(dir);
        &self.entries[range]
    }

    /// The conflicted paths with their stages 1–3, in path order.
    pub fn conflicts(&self) -> Conflicts<'_> {
        Conflicts {
            entries: &self.entries,
        }
    }

    /// Whether any path has conflict stages.
    pub fn has_conflicts(&self) -> bool {
        self.entries
            .iter()
            .any(|entry| entry.stage != Stage::Merged)
    }

    /// The cache tree (`TREE`), if the index has one that is still current.
    pub fn cache_tree(&self) -> Option<&CacheTree> {
        self.cache_tree.as_ref()
    }

    /// The resolve-undo records (`REUC`), if the index has the extension.
    pub fn resolve_undo(&self) -> Option<&ResolveUndo> {
        self.resolve_undo.as_ref()
    }

    /// The optional extensions kept as bytes, in the order they were read; empty once the state
    /// was modified.
    pub fn raw_extensions(&self) -> &[extension::Raw] {
        &self.raw_extensions
    }

    /// The trailing checksum of the file the index was decoded from; `None` for a new index or
    /// one written with `index.skipHash` (an all-zero checksum).
    pub fn checksum(&self) -> Option<ObjectId> {
        self.checksum
    }

    /// Whether the state changed since it was decoded or created.
    pub fn is_modified(&self) -> bool {
        self.modified
    }

    fn search(&self, path: &[u8], stage: Stage) -> Result<usize, usize> {
        self.entries
            .binary_search_by(|entry| compare(entry, path, stage))
    }

    fn path_range(&self, path: &[u8]) -> std::ops::Range<usize> {
        let start = self
            .entries
            .partition_point(|entry| entry.path.as_slice() < path);
        let len = self.entries[start..].partition_point(|entry| entry.path == path);
        start..start + len
    }

    fn directory_range(&self, dir: &[u8]) -> std::ops::Range<usize> {
        let dir = dir.strip_suffix(b"/").unwrap_or(dir);
        if dir.is_empty() {
            return 0..self.entries.len();
        }
        let mut prefix = dir.to_vec();
        prefix.push(b'/');
        let start = self
            .entries
            .partition_point(|entry| entry.path.as_slice() < prefix.as_slice());
        let len = self.entries[start..].partition_point(|entry| entry.path.starts_with(&prefix));
        start..start + len
    }
}

/// Mutation
impl State {
    /// Add `entry`, replacing an entry with the same path and stage.
    ///
    /// Each insertion shifts the entries after it; to build a large index at once, use
    /// [`crate::read_tree()`], which sorts once.
    ///
    /// A merged entry replaces the path's conflict stages (recording them for resolve-undo, as
    /// `git add` does); a conflict stage replaces the path's merged entry. Fails if the path is
    /// invalid or is a file where another entry at the same stage needs a directory, or the other
    /// way round (use [`State::insert_replacing`] to remove those).
    pub fn insert(&mut self, entry: Entry) -> Result<(), Error> {
        self.insert_with(entry, false)
    }

    /// Like [`State::insert`], but remove entries at the same stage that need the path to be a
    /// directory, or one of its parent directories to be a file (git's `ADD_CACHE_OK_TO_REPLACE`,
    /// what `git add` uses after a file replaced a directory).
    pub fn insert_replacing(&mut self, entry: Entry) -> Result<(), Error> {
        self.insert_with(entry, true)
    }

    /// Remove every entry for `path` (all stages) and return how many there were. Removed
    /// conflict stages are recorded for resolve-undo (`remove_file_from_index`).
    pub fn remove(&mut self, path: &[u8]) -> usize {
        let range = self.path_range(path);
        self.remove_range(range)
    }

    /// Remove every entry inside directory `dir` (as [`State::directory_entries`] selects them)
    /// and return how many there were (`git rm -r --cached <dir>`).
    pub fn remove_directory(&mut self, dir: &[u8]) -> usize {
        let range = self.directory_range(dir);
        self.remove_range(range)
    }

    /// Record a conflict for `path`: replace its entries with stages 1 (`base`), 2 (`ours`) and
    /// 3 (`theirs`), each with zeroed stat data, as a merge leaves them.
    ///
    /// Entries the conflict replaces are not recorded for resolve-undo, and no directory/file
    /// check is made: the sides of a merge may disagree about whether a path is a directory.
    pub fn add_conflict(
        &mut self,
        path: &[u8],
        base: Option<ConflictSide>,
        ours: Option<ConflictSide>,
        theirs: Option<ConflictSide>,
    ) -> Result<(), Error> {
        validate_path(path)?;
        if base.is_none() && ours.is_none() && theirs.is_none() {
            return Err(Error::EmptyConflict { path: lossy(path) });
        }
        let range = self.path_range(path);
        let sides = Stage::CONFLICT_STAGES
            .into_iter()
            .zip([base, ours, theirs])
            .filter_map(|(stage, side)| {
                side.map(|side| Entry {
                    stage,
                    ..Entry::new(path.to_vec(), side.mode, side.object_id)
                })
            });
        self.entries.splice(range, sides);
        self.content_changed();
        Ok(())
    }

    /// Resolve the conflict at `path` with the merged `entry`: remove stages 1–3, recording them
    /// for resolve-undo, and add `entry` (what `git add <path>` does for a conflicted path).
    pub fn resolve(&mut self, path: &[u8], entry: Entry) -> Result<(), Error> {
        if entry.path != path || entry.stage != Stage::Merged {
            return Err(Error::ResolutionMismatch { path: lossy(path) });
        }
        if !self
            .path_entries(path)
            .iter()
            .any(|existing| existing.stage != Stage::Merged)
        {
            return Err(Error::NotConflicted { path: lossy(path) });
        }
        self.insert(entry)
    }

    /// Replace the stat data of the entry at `entry_idx` (after `lstat(2)` found the file unchanged,
    /// as `git update-index --refresh` does). The cache tree stays valid.
    pub fn set_stat(&mut self, entry_idx: usize, stat: StatData) -> Result<(), Error> {
        let n_entries = self.entries.len();
        let entry = self.entries.get_mut(entry_idx).ok_or(Error::NoSuchEntry {
            entry_idx,
            n_entries,
        })?;
        entry.stat = stat;
        self.changed();
        Ok(())
    }

    /// Replace the flags of the entry at `entry_idx`. Changing intent-to-add drops the cache tree,
    /// as such entries are left out of trees.
    pub fn set_flags(&mut self, entry_idx: usize, flags: Flags) -> Result<(), Error> {
        let n_entries = self.entries.len();
        let entry = self.entries.get_mut(entry_idx).ok_or(Error::NoSuchEntry {
            entry_idx,
            n_entries,
        })?;
        let ita_changed = entry.flags.intent_to_add != flags.intent_to_add;
        entry.flags = flags;
        if ita_changed {
            self.content_changed();
        } else {
            self.changed();
        }
        Ok(())
    }

    /// Replace the cache tree, typically with the one [`crate::write_tree()`] computed for the
    /// current entries. The caller vouches that it matches the entries.
    pub fn set_cache_tree(&mut self, cache_tree: Option<CacheTree>) {
        self.cache_tree = cache_tree;
        self.changed();
    }

    /// Forget all resolve-undo records.
    pub fn clear_resolve_undo(&mut self) {
        self.resolve_undo = None;
        self.changed();
    }

    fn insert_with(&mut self, entry: Entry, replace: bool) -> Result<(), Error> {
        validate_path(&entry.path)?;
        self.resolve_directory_file_conflicts(&entry.path, entry.stage, replace)?;
        let range = self.path_range(&entry.path);
        if entry.stage == Stage::Merged {
            let conflict_stages = range
                .clone()
                .filter(|&idx| self.entries[idx].stage != Stage::Merged);
            let recorded: Vec<_> = conflict_stages
                .map(|idx| (self.entries[idx].stage, self.entries[idx].side()))
                .collect();
            for (stage, side) in recorded {
                self.resolve_undo
                    .get_or_insert_with(ResolveUndo::default)
                    .record(&entry.path, stage, side);
            }
            self.entries.drain(range);
        } else if let Some(merged) = range
            .clone()
            .find(|&idx| self.entries[idx].stage == Stage::Merged)
        {
            self.entries.remove(merged);
        }
        match self.search(&entry.path, entry.stage) {
            Ok(idx) => self.entries[idx] = entry,
            Err(idx) => self.entries.insert(idx, entry),
        }
        self.content_changed();
        Ok(())
    }

    /// Find (and with `replace`, remove) entries at `stage` that make `path` both a file and a
    /// directory: a parent directory of `path` staged as a file, or entries inside `path/`.
    fn resolve_directory_file_conflicts(
        &mut self,
        path: &[u8],
        stage: Stage,
        replace: bool,
    ) -> Result<(), Error> {
        let mut conflicting = Vec::new();
        for (slash, _) in path.iter().enumerate().filter(|(_, &b)| b == b'/') {
            if let Some(idx) = self.entry_index(&path[..slash], stage) {
                conflicting.push(idx);
            }
        }
        let inside = self.directory_range(path);
        conflicting.extend(inside.filter(|&idx| self.entries[idx].stage == stage));
        let Some(&first) = conflicting.first() else {
            return Ok(());
        };
        if !replace {
            return Err(Error::DirectoryFileConflict {
                path: lossy(path),
                existing: lossy(&self.entries[first].path),
            });
        }
        conflicting.sort_unstable();
        for idx in conflicting.into_iter().rev() {
            let removed = self.entries.remove(idx);
            self.record_resolve_undo(&removed);
        }
        Ok(())
    }

    fn remove_range(&mut self, range: std::ops::Range<usize>) -> usize {
        let n_removed = range.len();
        if n_removed == 0 {
            return 0;
        }
        let removed: Vec<Entry> = self.entries.drain(range).collect();
        for entry in &removed {
            self.record_resolve_undo(entry);
        }
        self.content_changed();
        n_removed
    }

    fn record_resolve_undo(&mut self, removed: &Entry) {
        if removed.stage != Stage::Merged {
            self.resolve_undo
                .get_or_insert_with(ResolveUndo::default)
                .record(&removed.path, removed.stage, removed.side());
        }
    }

    /// Entries were added, removed or now stage something else.
    fn content_changed(&mut self) {
        self.cache_tree = None;
        self.changed();
    }

    fn changed(&mut self) {
        self.raw_extensions.clear();
        self.modified = true;
    }
}

impl<'a> IntoIterator for &'a State {
    type Item = &'a Entry;
    type IntoIter = std::slice::Iter<'a, Entry>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter()
    }
}

/// A conflicted path and its stages, as [`State::conflicts`] yields them.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Conflict<'a> {
    /// The conflicted path.
    pub path: &'a [u8],
    /// Stage 1, the merge base's version, if it had the path.
    pub base: Option<&'a Entry>,
    /// Stage 2, our version, if we have the path.
    pub ours: Option<&'a Entry>,
    /// Stage 3, their version, if they have the path.
    pub theirs: Option<&'a Entry>,
}

/// An iterator over the conflicted paths of a [`State`], in path order.
#[derive(Clone)]
pub struct Conflicts<'a> {
    entries: &'a [Entry],
}

impl<'a> Iterator for Conflicts<'a> {
    type Item = Conflict<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        let start = self
            .entries
            .iter()
            .position(|entry| entry.stage != Stage::Merged)?;
        let path = self.entries[start].path.as_slice();
        let len = self.entries[start..]
            .iter()
            .take_while(|entry| entry.path == path)
            .count();
        let group = &self.entries[start..start + len];
        self.entries = &self.entries[start + len..];
        let at = |stage| group.iter().find(|entry| entry.stage == stage);
        Some(Conflict {
            path,
            base: at(Stage::Base),
            ours: at(Stage::Ours),
            theirs: at(Stage::Theirs),
        })
    }
}

/// Order an entry against a `(path, stage)` key, as entries are sorted.
pub(crate) fn compare(entry: &Entry, path: &[u8], stage: Stage) -> Ordering {
    entry
        .path
        .as_slice()
        .cmp(path)
        .then_with(|| entry.stage.cmp(&stage))
}

fn validate_path(path: &[u8]) -> Result<(), Error> {
    check::path(path).map_err(|source| Error::InvalidPath {
        path: lossy(path),
        source,
    })
}

pub(crate) fn lossy(path: &[u8]) -> String {
    String::from_utf8_lossy(path).into_owned()
}
