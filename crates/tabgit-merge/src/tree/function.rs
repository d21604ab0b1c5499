use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use tabgit_diff::{rename, Change, Side, Similarity};
use tabgit_object::tree::{Entry, TreeRefIter};
use tabgit_object::{Data, EntryMode, Find, Kind, ObjectId, Tree, Write};

use crate::blob;
use crate::tree::{
    Conflict, Error, Labels, Message, MessageKind, Options, Outcome, RenameOptions, MAX_DEPTH,
};

/// Merge the trees `ours_tree_id` and `theirs_tree_id`, two descendants of `base_tree_id`, as
/// `git merge-ort` does, storing merged blobs and trees through `write`.
///
/// * `base_tree_id`: `None` for the empty tree (histories without a common ancestor).
/// * `labels`: the names of the base and the sides, for markers, `path~<branch>` names and
///   messages.
///
/// ### Algorithm
///
/// As `merge_ort_nonrecursive_internal` (`merge-ort.c`):
///
/// 1. **Collect**: walk the three trees together (an explicit stack, no recursion). Paths the
///    same on all three sides, and files where only one side changed or both made the same
///    change, are resolved at once; a directory identical on all three sides is not entered.
///    Every other path is recorded with its three versions, and each side's file deletions and
///    additions are kept for rename detection.
/// 2. **Renames**: for each side, deletions and additions are paired by git's rename detection
///    (exact renames first, then inexact ones among the deleted files whose content matters: the
///    other side changed or deleted them). Renames are then applied: the renamed file gets the
///    base's and the other side's versions from its old path, so that the next step merges
///    them. A file renamed differently on each side (rename/rename), renamed onto a path the
///    other side also added (rename/add), or renamed on one side and deleted on the other
///    (rename/delete) is a conflict.
/// 3. **Process**: paths are visited children first, so that a directory's tree is written
///    before its parent's and before a file at the same path decides where it goes (a file in
///    the way of a directory moves to `path~<branch>`). Each path is resolved by its versions:
///    one side changed it, both changed it (content merge), modify/delete, added on one side,
///    added on both (add/add), or different types (one side moves to `path~<branch>`).
///
/// ### Relation to git
///
/// Trees, conflicted paths, index stages and files with markers equal `git merge`'s (merge-ort,
/// git 2.47) for the same inputs. Not implemented: directory rename detection
/// (`merge.directoryRenames`; a file added to a directory the other side renamed stays where it
/// was added), `.gitattributes` merge drivers and renormalization, and submodule merges (a
/// gitlink changed differently on both sides is a conflict, as when the submodule is not
/// checked out).
pub fn merge(
    find: &dyn Find,
    write: &mut dyn Write,
    base_tree_id: Option<&ObjectId>,
    ours_tree_id: &ObjectId,
    theirs_tree_id: &ObjectId,
    labels: &Labels<'_>,
    options: &Options,
) -> Result<Outcome, Error> {
    let objects = Objects::new(find, write);
    merge_trees(
        &objects,
        base_tree_id,
        ours_tree_id,
        theirs_tree_id,
        labels,
        options,
    )
}

/// The object database seen by a merge: the caller's, plus every object the merge wrote or
/// made up (a recursive merge's virtual commits), so that inner merges can read them back.
pub(crate) struct Objects<'a> {
    find: &'a dyn Find,
    write: RefCell<&'a mut dyn Write>,
    extra: RefCell<HashMap<ObjectId, (Kind, Vec<u8>)>>,
}

impl<'a> Objects<'a> {
    pub(crate) fn new(find: &'a dyn Find, write: &'a mut dyn Write) -> Self {
        Objects {
            find,
            write: RefCell::new(write),
            extra: RefCell::new(HashMap::new()),
        }
    }

    /// Store an object through the caller's writer and remember it.
    pub(crate) fn write(&self, kind: Kind, data: &[u8]) -> Result<ObjectId, Error> {
        let object_id = self
            .write
            .borrow_mut()
            .write(kind, data)
            .map_err(|source| Error::Write { kind, source })?;
        self.extra
            .borrow_mut()
            .entry(object_id)
            .or_insert_with(|| (kind, data.to_vec()));
        Ok(object_id)
    }

    /// Remember an object without storing it (a virtual commit).
    pub(crate) fn insert_virtual(&self, kind: Kind, data: Vec<u8>) -> ObjectId {
        let object_id = tabgit_object::compute_id(kind, &data);
        self.extra.borrow_mut().insert(object_id, (kind, data));
        object_id
    }

    /// Read an object of `kind`.
    pub(crate) fn read(&self, object_id: &ObjectId, kind: Kind) -> Result<Vec<u8>, Error> {
        let mut buf = Vec::new();
        let data = self
            .try_find(object_id, &mut buf)
            .map_err(|source| Error::Find {
                object_id: *object_id,
                source,
            })?
            .ok_or(Error::NotFound {
                object_id: *object_id,
            })?;
        if data.kind != kind {
            return Err(Error::WrongKind {
                object_id: *object_id,
                expected: kind,
                actual: data.kind,
            });
        }
        Ok(data.data.to_vec())
    }
}

impl Find for Objects<'_> {
    fn try_find<'b>(
        &self,
        id: &ObjectId,
        buf: &'b mut Vec<u8>,
    ) -> Result<Option<Data<'b>>, tabgit_object::find::Error> {
        if let Some((kind, data)) = self.extra.borrow().get(id) {
            buf.clear();
            buf.extend_from_slice(data);
            return Ok(Some(Data {
                kind: *kind,
                data: buf.as_slice(),
            }));
        }
        self.find.try_find(id, buf)
    }
}

// File-type bits of a mode (`S_IFMT` and friends).
const S_IFMT: u32 = 0o170000;
const S_IFREG: u32 = 0o100000;
const S_IFLNK: u32 = 0o120000;
const S_IFGITLINK: u32 = 0o160000;
const S_IFDIR: u32 = 0o040000;

/// One version of a path (`struct version_info`); mode 0 means "not there".
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Version {
    mode: u32,
    oid: ObjectId,
}

impl Version {
    const NULL: Version = Version {
        mode: 0,
        oid: ObjectId::NULL,
    };

    fn is_regular(self) -> bool {
        self.mode & S_IFMT == S_IFREG
    }

    fn side(self) -> Side {
        Side {
            mode: EntryMode::canonical(self.mode),
            object_id: self.oid,
        }
    }
}

/// Everything known about one path (`struct merged_info` and `struct conflict_info`).
#[derive(Clone, Debug)]
struct Info {
    /// Resolved; only `result`/`is_null` matter any more.
    clean: bool,
    /// The path has no entry in the result.
    is_null: bool,
    /// The resolution (for a directory: its merged tree, once written).
    result: Version,
    /// The base's, our and their versions (files or directories).
    stages: [Version; 3],
    /// Where each version came from (differs from the path after renames).
    pathnames: [Vec<u8>; 3],
    df_conflict: bool,
    path_conflict: bool,
    /// Which stages are files, and which directories.
    filemask: u8,
    dirmask: u8,
    /// Which stages are equal (0, or at least two bits).
    match_mask: u8,
    /// The content merge, when it left conflicts.
    content: Option<blob::Outcome>,
}

impl Info {
    fn resolved(result: Option<Version>) -> Self {
        Info {
            clean: true,
            is_null: result.is_none(),
            result: result.unwrap_or(Version::NULL),
            stages: [Version::NULL; 3],
            pathnames: Default::default(),
            df_conflict: false,
            path_conflict: false,
            filemask: 0,
            dirmask: 0,
            match_mask: 0,
            content: None,
        }
    }
}

/// All paths of a merge, in an arena so that several can be changed together.
#[derive(Default)]
struct Paths {
    infos: Vec<Info>,
    index: HashMap<Vec<u8>, usize>,
}

impl Paths {
    fn get(&self, path: &[u8]) -> Option<usize> {
        self.index.get(path).copied()
    }

    fn insert(&mut self, path: Vec<u8>, info: Info) -> usize {
        let idx = self.infos.len();
        self.infos.push(info);
        self.index.insert(path, idx);
        idx
    }

    /// `unique_path`: `path~<branch>` (slashes in the branch become underscores), with `_0`,
    /// `_1`, … appended until no path of the merge has the name.
    fn unique_path(&self, path: &[u8], branch: &[u8]) -> Vec<u8> {
        let mut candidate = path.to_vec();
        candidate.push(b'~');
        candidate.extend(branch.iter().map(|&b| if b == b'/' { b'_' } else { b }));
        let base_len = candidate.len();
        let mut suffix = 0;
        while self.index.contains_key(&candidate) {
            candidate.truncate(base_len);
            candidate.extend_from_slice(format!("_{suffix}").as_bytes());
            suffix += 1;
        }
        candidate
    }
}

/// A tree entry with its canonical mode.
#[derive(Clone, Debug)]
struct TreeItem {
    name: Vec<u8>,
    mode: u32,
    oid: ObjectId,
}

impl TreeItem {
    fn is_dir(&self) -> bool {
        self.mode & S_IFMT == S_IFDIR
    }
}

/// A rename: `(source, destination)`.
type RenamePair = (Vec<u8>, Vec<u8>);

/// A tree's file as `(path, mode, id)`.
type FileEntry = (Vec<u8>, EntryMode, ObjectId);

/// A tree's files.
type Files = Vec<FileEntry>;

/// One directory level of the three-way walk.
struct Frame {
    dir: Vec<u8>,
    entries: [Vec<TreeItem>; 3],
    cursors: [usize; 3],
}

/// The state of one merge (`struct merge_options_internal`).
struct Merger<'o, 'a, 'l> {
    objects: &'o Objects<'a>,
    labels: Labels<'l>,
    options: Options,
    paths: Paths,
    /// Per side (index 1 and 2): deletions and additions for rename detection, in walk order.
    pairs: [Vec<Change>; 3],
    /// Per side: deleted paths whose renames matter.
    relevant_sources: [HashSet<Vec<u8>>; 3],
    conflicted: Vec<(Vec<u8>, usize)>,
    messages: Vec<Message>,
    needed_rename_limit: Option<usize>,
}

pub(crate) fn merge_trees(
    objects: &Objects<'_>,
    base_tree_id: Option<&ObjectId>,
    ours_tree_id: &ObjectId,
    theirs_tree_id: &ObjectId,
    labels: &Labels<'_>,
    options: &Options,
) -> Result<Outcome, Error> {
    let mut merger = Merger {
        objects,
        labels: *labels,
        options: *options,
        paths: Paths::default(),
        pairs: Default::default(),
        relevant_sources: Default::default(),
        conflicted: Vec::new(),
        messages: Vec::new(),
        needed_rename_limit: None,
    };
    merger.collect(base_tree_id, ours_tree_id, theirs_tree_id)?;
    if let Some(rename_options) = options.renames {
        merger.detect_and_process_renames(&rename_options)?;
    }
    let tree_id = merger.process_entries()?;
    Ok(merger.into_outcome(tree_id))
}

/// git's `check_entry_match`: 0 if `name` is `first`, 1 if `first` may still come after `name`
/// in the same tree, -1 if it cannot.
fn check_entry_match(first: &[u8], name: &[u8]) -> i8 {
    match first.cmp(name) {
        Ordering::Equal => 0,
        Ordering::Greater => 1,
        Ordering::Less => {
            if first.len() < name.len() && name.starts_with(first) && name[first.len()] < b'/' {
                1
            } else {
                -1
            }
        }
    }
}

impl Merger<'_, '_, '_> {
    fn load_tree(&self, tree_id: Option<ObjectId>) -> Result<Vec<TreeItem>, Error> {
        let Some(tree_id) = tree_id else {
            return Ok(Vec::new());
        };
        let data = self.objects.read(&tree_id, Kind::Tree)?;
        let mut items = Vec::new();
        for entry in TreeRefIter::from_bytes(&data) {
            let entry = entry.map_err(|source| Error::Decode { tree_id, source })?;
            items.push(TreeItem {
                name: entry.filename.to_vec(),
                mode: tabgit_diff::tree::canonical_mode(entry.mode).value(),
                oid: entry.oid,
            });
        }
        Ok(items)
    }

    /// `collect_merge_info`: walk the three trees (`traverse_trees` with
    /// `collect_merge_info_callback`).
    fn collect(
        &mut self,
        base: Option<&ObjectId>,
        ours: &ObjectId,
        theirs: &ObjectId,
    ) -> Result<(), Error> {
        let mut stack = vec![Frame {
            dir: Vec::new(),
            entries: [
                self.load_tree(base.copied())?,
                self.load_tree(Some(*ours))?,
                self.load_tree(Some(*theirs))?,
            ],
            cursors: [0; 3],
        }];
        while let Some(frame) = stack.last_mut() {
            // The smallest name among the trees' current entries.
            let first = (0..3)
                .filter_map(|side| frame.entries[side].get(frame.cursors[side]))
                .map(|item| item.name.as_slice())
                .min()
                .map(<[u8]>::to_vec);
            let Some(first) = first else {
                stack.pop();
                continue;
            };
            let mut names: [Option<TreeItem>; 3] = [None, None, None];
            for (side, name) in names.iter_mut().enumerate() {
                let entries = &mut frame.entries[side];
                let cursor = frame.cursors[side];
                let Some(current) = entries.get(cursor) else {
                    continue;
                };
                match check_entry_match(&first, &current.name) {
                    0 => {
                        *name = Some(current.clone());
                        frame.cursors[side] += 1;
                    }
                    -1 => {}
                    _ => {
                        // A subtree named `first` may hide behind `first-2` and the like.
                        for probe in cursor + 1..entries.len() {
                            match check_entry_match(&first, &entries[probe].name) {
                                0 => {
                                    *name = Some(entries.remove(probe));
                                    break;
                                }
                                -1 => break,
                                _ => {}
                            }
                        }
                    }
                }
            }
            let mut path = frame.dir.clone();
            if !path.is_empty() {
                path.push(b'/');
            }
            path.extend_from_slice(&first);
            let dir = frame.dir.clone();
            if let Some(subtrees) = self.collect_entry(&dir, path.clone(), &names) {
                if stack.len() >= MAX_DEPTH {
                    return Err(Error::TooDeep);
                }
                stack.push(Frame {
                    dir: path,
                    entries: [
                        self.load_tree(subtrees[0])?,
                        self.load_tree(subtrees[1])?,
                        self.load_tree(subtrees[2])?,
                    ],
                    cursors: [0; 3],
                });
            }
        }
        Ok(())
    }

    /// `collect_merge_info_callback` for one path; returns the subtrees to walk, if any.
    fn collect_entry(
        &mut self,
        _dir: &[u8],
        path: Vec<u8>,
        names: &[Option<TreeItem>; 3],
    ) -> Option<[Option<ObjectId>; 3]> {
        let version = |side: usize| {
            names[side].as_ref().map_or(Version::NULL, |item| Version {
                mode: item.mode,
                oid: item.oid,
            })
        };
        let stages = [version(0), version(1), version(2)];
        let mut dirmask = 0u8;
        let mut mask = 0u8;
        for (side, name) in names.iter().enumerate() {
            if let Some(item) = name {
                mask |= 1 << side;
                if item.is_dir() {
                    dirmask |= 1 << side;
                }
            }
        }
        let filemask = mask & !dirmask;
        let present = |side: usize| mask & (1 << side) != 0;
        let same = |a: usize, b: usize| present(a) && present(b) && stages[a] == stages[b];
        let side1_matches_base = same(0, 1);
        let side2_matches_base = same(0, 2);
        let sides_match = same(1, 2);
        let df_conflict = filemask != 0 && dirmask != 0;
        let match_mask = if side1_matches_base {
            if side2_matches_base {
                7
            } else {
                3
            }
        } else if side2_matches_base {
            5
        } else if sides_match {
            6
        } else {
            0
        };

        if side1_matches_base && side2_matches_base {
            self.paths.insert(path, Info::resolved(Some(stages[0])));
            return None;
        }
        if filemask == 7 {
            let resolution = if sides_match || side2_matches_base {
                Some(stages[1])
            } else if side1_matches_base {
                Some(stages[2])
            } else {
                None
            };
            if let Some(result) = resolution {
                self.paths.insert(path, Info::resolved(Some(result)));
                return None;
            }
        }

        self.collect_rename_info(&path, &stages, filemask, match_mask);

        let info = Info {
            clean: false,
            // A directory merges to nothing until its tree is written.
            is_null: dirmask != 0,
            result: Version::NULL,
            stages,
            pathnames: [path.clone(), path.clone(), path.clone()],
            df_conflict,
            path_conflict: false,
            filemask,
            dirmask,
            match_mask: if dirmask != 0 {
                match_mask & filemask
            } else {
                match_mask
            },
            content: None,
        };
        self.paths.insert(path, info);
        if dirmask == 0 {
            return None;
        }
        let subtree = |side: usize| (dirmask & (1 << side) != 0).then_some(stages[side].oid);
        Some([subtree(0), subtree(1), subtree(2)])
    }

    /// `collect_rename_info` without directory rename detection: record each side's file
    /// deletions and additions, and which deletions matter for content merges.
    fn collect_rename_info(
        &mut self,
        path: &[u8],
        stages: &[Version; 3],
        filemask: u8,
        match_mask: u8,
    ) {
        if filemask == 0 || filemask == 7 {
            return;
        }
        for side in 1..=2 {
            let side_mask = 1 << side;
            if filemask & 1 != 0 && filemask & side_mask == 0 {
                if match_mask & filemask == 0 {
                    self.relevant_sources[side].insert(path.to_vec());
                }
                self.pairs[side].push(Change::Deletion {
                    path: path.to_vec(),
                    old: stages[0].side(),
                });
            }
            if filemask & 1 == 0 && filemask & side_mask != 0 {
                self.pairs[side].push(Change::Addition {
                    path: path.to_vec(),
                    new: stages[side].side(),
                });
            }
        }
    }

    /// `detect_regular_renames` for one side: `(source, destination)` pairs.
    fn detect_renames(
        &mut self,
        side: usize,
        options: &RenameOptions,
    ) -> Result<Vec<RenamePair>, Error> {
        let pairs = std::mem::take(&mut self.pairs[side]);
        if pairs.is_empty() || self.relevant_sources[side].is_empty() {
            return Ok(Vec::new());
        }
        let find: &dyn Find = self.objects;
        let detect = |changes: Vec<Change>, threshold: Similarity| {
            rename::detect(
                find,
                changes,
                &rename::Options {
                    threshold,
                    copies: false,
                    limit: options.limit,
                    rename_empty: false,
                },
            )
        };
        let renames_of = |changes: &[Change]| -> Vec<RenamePair> {
            changes
                .iter()
                .filter_map(|change| match change {
                    Change::Rename {
                        old_path, new_path, ..
                    } => Some((old_path.clone(), new_path.clone())),
                    _ => None,
                })
                .collect()
        };
        // Exact renames among all sources, as git finds them before culling.
        let exact = detect(pairs.clone(), Similarity::MAX)?;
        let mut renames = renames_of(&exact.changes);
        let used_sources: HashSet<&[u8]> = renames.iter().map(|(s, _)| s.as_slice()).collect();
        let used_destinations: HashSet<&[u8]> = renames.iter().map(|(_, d)| d.as_slice()).collect();
        // Then inexact ones among the sources whose content matters.
        let remaining: Vec<Change> = pairs
            .into_iter()
            .filter(|change| match change {
                Change::Deletion { path, .. } => {
                    !used_sources.contains(path.as_slice())
                        && self.relevant_sources[side].contains(path)
                }
                Change::Addition { path, .. } => !used_destinations.contains(path.as_slice()),
                _ => false,
            })
            .collect();
        let has = |deletion: bool| {
            remaining
                .iter()
                .any(|c| matches!(c, Change::Deletion { .. }) == deletion)
        };
        if options.threshold < Similarity::MAX && has(true) && has(false) {
            let inexact = detect(remaining, options.threshold)?;
            if let Some(limit) = inexact.needed_limit {
                self.needed_rename_limit = Some(self.needed_rename_limit.unwrap_or(0).max(limit));
            }
            renames.extend(renames_of(&inexact.changes));
        }
        Ok(renames)
    }

    /// `detect_and_process_renames` without directory renames.
    fn detect_and_process_renames(&mut self, options: &RenameOptions) -> Result<(), Error> {
        let mut combined: Vec<(usize, Vec<u8>, Vec<u8>)> = Vec::new();
        for side in 1..=2 {
            for (source, destination) in self.detect_renames(side, options)? {
                combined.push((side, source, destination));
            }
        }
        combined.sort_by(|a, b| a.1.cmp(&b.1));
        self.process_renames(&combined)
    }

    fn branch(&self, side: usize) -> &[u8] {
        if side == 1 {
            self.labels.ours
        } else {
            self.labels.theirs
        }
    }

    fn message(&mut self, path: &[u8], kind: MessageKind, text: String) {
        if self.options.call_depth > 0 {
            return;
        }
        self.messages.push(Message {
            path: path.to_vec(),
            kind,
            text,
        });
    }

    /// `process_renames`.
    fn process_renames(&mut self, renames: &[(usize, Vec<u8>, Vec<u8>)]) -> Result<(), Error> {
        let extra_marker_size = 1 + 2 * self.options.call_depth;
        let mut idx = 0;
        while idx < renames.len() {
            let (side, old_path, new_path) = &renames[idx];
            idx += 1;
            if old_path == new_path {
                continue;
            }
            let Some(old_idx) = self.paths.get(old_path) else {
                continue;
            };
            if self.paths.infos[old_idx].clean {
                continue;
            }
            let Some(new_idx) = self.paths.get(new_path) else {
                continue;
            };

            if let Some((_, next_old, next_new)) = renames.get(idx) {
                if next_old == old_path {
                    // rename/rename(1to2) or rename/rename(1to1).
                    idx += 1;
                    let side2_idx = self.paths.get(next_new).unwrap_or(new_idx);
                    if new_path == next_new {
                        let base_stage = self.paths.infos[old_idx].stages[0];
                        let target = &mut self.paths.infos[new_idx];
                        target.stages[0] = base_stage;
                        target.filemask |= 1;
                        let base = &mut self.paths.infos[old_idx];
                        base.is_null = true;
                        base.clean = true;
                        continue;
                    }
                    let pathnames = [old_path.clone(), new_path.clone(), next_new.clone()];
                    let o = self.paths.infos[old_idx].stages[0];
                    let a = self.paths.infos[new_idx].stages[1];
                    let b = self.paths.infos[side2_idx].stages[2];
                    let (clean, mut merged, content) = self.handle_content_merge(
                        old_path,
                        o,
                        a,
                        b,
                        &pathnames,
                        extra_marker_size,
                    )?;
                    let was_binary_blob = !clean && merged == a;
                    self.paths.infos[new_idx].stages[1] = merged;
                    if was_binary_blob {
                        merged = b;
                    }
                    self.paths.infos[side2_idx].stages[2] = merged;
                    for info_idx in [new_idx, side2_idx, old_idx] {
                        self.paths.infos[info_idx].path_conflict = true;
                    }
                    if content.is_some() {
                        self.paths.infos[new_idx].content.clone_from(&content);
                        self.paths.infos[side2_idx].content = content;
                    }
                    let text = format!(
                        "CONFLICT (rename/rename): {} renamed to {} in {} and to {} in {}.",
                        lossy(old_path),
                        lossy(new_path),
                        lossy(self.labels.ours),
                        lossy(next_new),
                        lossy(self.labels.theirs)
                    );
                    self.message(old_path, MessageKind::RenameRename, text);
                    continue;
                }
            }

            let target = *side;
            let other = 3 - target;
            let old_sidemask = 1u8 << other;
            let (old_info, new_info) = (&self.paths.infos[old_idx], &self.paths.infos[new_idx]);
            let source_deleted = old_info.filemask == 1;
            let mut collision = new_info.filemask & old_sidemask != 0;
            let type_changed = !source_deleted
                && old_info.stages[other].is_regular() != new_info.stages[target].is_regular();
            if type_changed && collision {
                collision = false;
            }
            let (rename_branch, delete_branch) = (
                lossy(self.branch(target)).into_owned(),
                lossy(self.branch(other)).into_owned(),
            );

            if collision && !source_deleted {
                // rename/add or rename/rename(2to1).
                let mut pathnames = [old_path.clone(), old_path.clone(), old_path.clone()];
                pathnames[target].clone_from(new_path);
                let side_info = |side: usize| if side == target { new_idx } else { old_idx };
                let o = self.paths.infos[old_idx].stages[0];
                let a = self.paths.infos[side_info(1)].stages[1];
                let b = self.paths.infos[side_info(2)].stages[2];
                let (clean, merged, _content) =
                    self.handle_content_merge(old_path, o, a, b, &pathnames, extra_marker_size)?;
                self.paths.infos[new_idx].stages[target] = merged;
                if !clean {
                    let text = format!(
                        "CONFLICT (rename involved in collision): rename of {} -> {} has content \
                         conflicts AND collides with another path; this may result in nested \
                         conflict markers.",
                        lossy(old_path),
                        lossy(new_path)
                    );
                    self.message(new_path, MessageKind::RenameCollides, text);
                }
            } else if collision && source_deleted {
                self.paths.infos[new_idx].path_conflict = true;
                let text = format!(
                    "CONFLICT (rename/delete): {} renamed to {} in {rename_branch}, but deleted \
                     in {delete_branch}.",
                    lossy(old_path),
                    lossy(new_path)
                );
                self.message(new_path, MessageKind::RenameDelete, text);
            } else {
                let old_stages = self.paths.infos[old_idx].stages;
                {
                    let new_info = &mut self.paths.infos[new_idx];
                    new_info.stages[0] = old_stages[0];
                    new_info.filemask |= 1;
                    new_info.pathnames[0].clone_from(old_path);
                }
                if type_changed {
                    let old_info = &mut self.paths.infos[old_idx];
                    old_info.stages[0] = Version::NULL;
                    old_info.filemask &= 0x06;
                } else if source_deleted {
                    self.paths.infos[new_idx].path_conflict = true;
                    let text = format!(
                        "CONFLICT (rename/delete): {} renamed to {} in {rename_branch}, but \
                         deleted in {delete_branch}.",
                        lossy(old_path),
                        lossy(new_path)
                    );
                    self.message(new_path, MessageKind::RenameDelete, text);
                } else {
                    let new_info = &mut self.paths.infos[new_idx];
                    new_info.stages[other] = old_stages[other];
                    new_info.filemask |= 1 << other;
                    new_info.pathnames[other].clone_from(old_path);
                }
            }
            if !type_changed {
                let old_info = &mut self.paths.infos[old_idx];
                old_info.is_null = true;
                old_info.clean = true;
            }
        }
        Ok(())
    }

    /// `handle_content_merge`: merge the modes and contents of `a` (ours) and `b` (theirs), two
    /// versions of `o`, all of the same type. Returns whether it merged cleanly, the result, and
    /// the content merge if one ran.
    fn handle_content_merge(
        &mut self,
        path: &[u8],
        o: Version,
        a: Version,
        b: Version,
        pathnames: &[Vec<u8>; 3],
        extra_marker_size: usize,
    ) -> Result<(bool, Version, Option<blob::Outcome>), Error> {
        let mut clean = true;
        let mut result = Version::NULL;
        let mut content = None;
        if a.mode == b.mode || a.mode == o.mode {
            result.mode = b.mode;
        } else {
            result.mode = a.mode;
            clean = b.mode == o.mode;
        }
        let depth = self.options.call_depth;
        if a.oid == b.oid || a.oid == o.oid {
            result.oid = b.oid;
        } else if b.oid == o.oid {
            result.oid = a.oid;
        } else if a.mode & S_IFMT == S_IFREG {
            let two_way = o.mode & S_IFMT != a.mode & S_IFMT;
            let outcome = self.merge_3way(
                path,
                if two_way { None } else { Some(o.oid) },
                a.oid,
                b.oid,
                pathnames,
                extra_marker_size,
            )?;
            result.oid = self.objects.write(Kind::Blob, &outcome.result)?;
            if !outcome.is_clean() {
                clean = false;
                content = Some(outcome);
            }
            self.message(
                path,
                MessageKind::AutoMerging,
                format!("Auto-merging {}", lossy(path)),
            );
        } else if a.mode & S_IFMT == S_IFGITLINK {
            // Submodule histories are not available: git's "not checked out" case.
            let two_way = o.mode & S_IFMT != a.mode & S_IFMT;
            clean = false;
            result.oid = if depth > 0 { o.oid } else { a.oid };
            self.message(
                &pathnames[0],
                MessageKind::Submodule,
                format!(
                    "Failed to merge submodule {} (not checked out)",
                    lossy(&pathnames[0])
                ),
            );
            if depth > 0 && two_way {
                result = o;
            }
        } else if a.mode & S_IFMT == S_IFLNK {
            if depth > 0 {
                clean = false;
                result = o;
            } else {
                match self.options.blob.favor {
                    Some(blob::Favor::Ours) => result.oid = a.oid,
                    Some(blob::Favor::Theirs) => result.oid = b.oid,
                    _ => {
                        clean = false;
                        result.oid = a.oid;
                    }
                }
            }
        }
        Ok((clean, result, content))
    }

    /// `merge_3way`: the content merge of one path with git's labels.
    fn merge_3way(
        &mut self,
        path: &[u8],
        o: Option<ObjectId>,
        a: ObjectId,
        b: ObjectId,
        pathnames: &[Vec<u8>; 3],
        extra_marker_size: usize,
    ) -> Result<blob::Outcome, Error> {
        let label = |name: &[u8], path: &[u8], renamed: bool| {
            let mut label = name.to_vec();
            if renamed {
                label.push(b':');
                label.extend_from_slice(path);
            }
            label
        };
        let renamed = !(pathnames[0] == pathnames[1] && pathnames[1] == pathnames[2]);
        let ancestor = label(self.labels.ancestor, &pathnames[0], renamed);
        let ours = label(self.labels.ours, &pathnames[1], renamed);
        let theirs = label(self.labels.theirs, &pathnames[2], renamed);
        let base = match o {
            Some(oid) => self.objects.read(&oid, Kind::Blob)?,
            None => Vec::new(),
        };
        let ours_data = self.objects.read(&a, Kind::Blob)?;
        let theirs_data = self.objects.read(&b, Kind::Blob)?;
        let depth = self.options.call_depth;
        let mut options = self.options.blob;
        options.marker_size = options.marker_size.max(1) + extra_marker_size;
        options.virtual_ancestor = depth > 0;
        if depth > 0 {
            options.favor = None;
        }
        let outcome = blob::merge(
            &base,
            &ours_data,
            &theirs_data,
            &blob::Labels {
                ancestor: Some(&ancestor),
                ours: Some(&ours),
                theirs: Some(&theirs),
            },
            &options,
        );
        if outcome.is_binary() && !outcome.is_clean() {
            let text = format!(
                "warning: Cannot merge binary files: {} ({} vs. {})",
                lossy(path),
                lossy(&ours),
                lossy(&theirs)
            );
            self.message(path, MessageKind::Binary, text);
        }
        Ok(outcome)
    }

    /// `process_entries`: resolve every path, children before parents, writing trees as
    /// directories complete. Returns the root tree.
    fn process_entries(&mut self) -> Result<ObjectId, Error> {
        if self.paths.infos.is_empty() {
            return self.objects.write(Kind::Tree, b"");
        }
        let mut order: Vec<(Vec<u8>, usize)> = self
            .paths
            .index
            .iter()
            .map(|(path, idx)| (path.clone(), *idx))
            .collect();
        order.sort_by(|a, b| sort_dirs_next_to_their_children(&a.0, &b.0));
        let mut dirs = DirectoryVersions::default();
        for (path, idx) in order.iter().rev() {
            self.write_completed_directory(parent_of(path), &mut dirs)?;
            if self.paths.infos[*idx].clean {
                dirs.record(path, &self.paths.infos[*idx]);
            } else {
                self.process_entry(path.clone(), *idx, &mut dirs)?;
            }
        }
        // Only the top directory is left.
        let offset = dirs.offsets.first().map_or(0, |(_, offset)| *offset);
        self.write_tree(&dirs.versions[offset..])
    }

    /// `write_tree`: store one directory's entries.
    fn write_tree(&self, versions: &[(Vec<u8>, Version)]) -> Result<ObjectId, Error> {
        let mut tree = Tree {
            entries: versions
                .iter()
                .map(|(name, version)| Entry {
                    mode: EntryMode::canonical(version.mode),
                    filename: name.clone(),
                    oid: version.oid,
                })
                .collect(),
        };
        tree.sort();
        self.objects.write(Kind::Tree, &tree.to_bytes())
    }

    /// `write_completed_directory`: when the walk leaves a directory, write its tree.
    fn write_completed_directory(
        &mut self,
        new_dir: &[u8],
        dirs: &mut DirectoryVersions,
    ) -> Result<(), Error> {
        if dirs.last_directory.as_deref() == Some(new_dir) {
            return Ok(());
        }
        let going_deeper = dirs
            .last_directory
            .as_ref()
            .is_none_or(|last| new_dir.starts_with(last));
        if going_deeper {
            dirs.last_directory = Some(new_dir.to_vec());
            dirs.offsets.push((new_dir.to_vec(), dirs.versions.len()));
            return Ok(());
        }
        let last = dirs.last_directory.clone().unwrap_or_default();
        let offset = dirs.offsets.last().map_or(0, |(_, offset)| *offset);
        let dir_idx = self.paths.get(&last);
        if offset == dirs.versions.len() {
            if let Some(dir_idx) = dir_idx {
                self.paths.infos[dir_idx].is_null = true;
            }
        } else {
            let tree_id = self.write_tree(&dirs.versions[offset..])?;
            if let Some(dir_idx) = dir_idx {
                let info = &mut self.paths.infos[dir_idx];
                info.is_null = false;
                info.result = Version {
                    mode: S_IFDIR,
                    oid: tree_id,
                };
            }
        }
        dirs.offsets.pop();
        dirs.versions.truncate(offset);
        let previous = dirs.offsets.last().map(|(dir, _)| dir.as_slice());
        if previous != Some(new_dir) {
            dirs.offsets.push((new_dir.to_vec(), dirs.versions.len()));
        }
        dirs.last_directory = Some(new_dir.to_vec());
        Ok(())
    }

    /// `process_entry`: resolve one unresolved path.
    fn process_entry(
        &mut self,
        mut path: Vec<u8>,
        idx: usize,
        dirs: &mut DirectoryVersions,
    ) -> Result<(), Error> {
        let depth = self.options.call_depth;
        let mut ci_idx = idx;
        let mut df_file_index = 0usize;
        {
            let ci = &self.paths.infos[ci_idx];
            if ci.dirmask != 0 {
                dirs.record(&path, ci);
                if ci.filemask == 0 {
                    return Ok(());
                }
            }
        }
        let (df_conflict, result_mode) = {
            let ci = &self.paths.infos[ci_idx];
            (ci.df_conflict, ci.result.mode)
        };
        if df_conflict && result_mode == 0 {
            // The directory merged away; the file can stay here.
            let ci = &mut self.paths.infos[ci_idx];
            ci.df_conflict = false;
            ci.clean = false;
            ci.is_null = false;
            ci.match_mask &= !ci.dirmask;
            ci.dirmask = 0;
            for stage in 0..3 {
                if ci.filemask & (1 << stage) == 0 {
                    ci.stages[stage] = Version::NULL;
                }
            }
        } else if df_conflict {
            // The directory stays; the file moves out of its way.
            if self.paths.infos[ci_idx].filemask == 1 {
                self.paths.infos[ci_idx].filemask = 0;
                return Ok(());
            }
            let mut new_ci = self.paths.infos[ci_idx].clone();
            new_ci.match_mask &= !new_ci.dirmask;
            new_ci.dirmask = 0;
            for stage in 0..3 {
                if new_ci.filemask & (1 << stage) == 0 {
                    new_ci.stages[stage] = Version::NULL;
                }
            }
            df_file_index = if self.paths.infos[ci_idx].dirmask & (1 << 1) != 0 {
                2
            } else {
                1
            };
            let branch = self.branch(df_file_index).to_vec();
            let old_path = path.clone();
            path = self.paths.unique_path(&path, &branch);
            self.paths.infos[ci_idx].filemask = 0;
            ci_idx = self.paths.insert(path.clone(), new_ci);
            let text = format!(
                "CONFLICT (file/directory): directory in the way of {} from {}; moving it to {} \
                 instead.",
                lossy(&old_path),
                lossy(&branch),
                lossy(&path)
            );
            self.message(&path, MessageKind::FileDirectory, text);
        }

        let ci = self.paths.infos[ci_idx].clone();
        let mut ci = ci;
        if ci.match_mask != 0 {
            ci.clean = !ci.df_conflict && !ci.path_conflict;
            if ci.match_mask == 6 {
                ci.result = ci.stages[1];
            } else {
                let othermask = 7 & !ci.match_mask;
                let side = if othermask == 4 { 2 } else { 1 };
                ci.result = ci.stages[side];
                ci.is_null = ci.result.mode == 0;
                if ci.is_null {
                    ci.clean = true;
                }
            }
        } else if ci.filemask >= 6 && ci.stages[1].mode & S_IFMT != ci.stages[2].mode & S_IFMT {
            // Different types (file, symlink, gitlink).
            if depth > 0 {
                ci.clean = false;
                ci.result = ci.stages[0];
                ci.is_null = ci.result.mode == 0;
            } else {
                let (o_mode, a_mode, b_mode) =
                    (ci.stages[0].mode, ci.stages[1].mode, ci.stages[2].mode);
                let (rename_a, rename_b) = if a_mode & S_IFMT == S_IFREG {
                    (true, false)
                } else if b_mode & S_IFMT == S_IFREG {
                    (false, true)
                } else {
                    (true, true)
                };
                let a_path = rename_a.then(|| self.paths.unique_path(&path, self.labels.ours));
                let b_path = rename_b.then(|| self.paths.unique_path(&path, self.labels.theirs));
                let text = if rename_a && rename_b {
                    format!(
                        "CONFLICT (distinct types): {} had different types on each side; renamed \
                         both of them so each can be recorded somewhere.",
                        lossy(&path)
                    )
                } else {
                    format!(
                        "CONFLICT (distinct types): {} had different types on each side; renamed \
                         one of them so each can be recorded somewhere.",
                        lossy(&path)
                    )
                };
                self.message(&path, MessageKind::DistinctTypes, text);
                ci.clean = false;
                let mut new_ci = ci.clone();
                new_ci.result = ci.stages[2];
                new_ci.stages[1] = Version::NULL;
                new_ci.filemask = 5;
                if b_mode & S_IFMT != o_mode & S_IFMT {
                    new_ci.stages[0] = Version::NULL;
                    new_ci.filemask = 4;
                }
                ci.result = ci.stages[1];
                ci.stages[2] = Version::NULL;
                ci.filemask = 3;
                if a_mode & S_IFMT != o_mode & S_IFMT {
                    ci.stages[0] = Version::NULL;
                    ci.filemask = 2;
                }
                let b_path = b_path.unwrap_or_else(|| path.clone());
                if let Some(a_path) = &a_path {
                    self.paths.infos[ci_idx] = ci.clone();
                    self.paths.index.remove(&path);
                    self.paths.index.insert(a_path.clone(), ci_idx);
                }
                // With only a renamed, `b_path` is `path` itself, which now names b's entry.
                let new_idx = self.paths.insert(b_path.clone(), new_ci);
                self.conflicted.push((b_path.clone(), new_idx));
                dirs.record(&b_path, &self.paths.infos[new_idx]);
                if let Some(a_path) = a_path {
                    path = a_path;
                }
            }
        } else if ci.filemask >= 6 {
            // A two-way or three-way content merge.
            let pathnames = ci.pathnames.clone();
            let (clean, merged, content) = self.handle_content_merge(
                &path,
                ci.stages[0],
                ci.stages[1],
                ci.stages[2],
                &pathnames,
                depth * 2,
            )?;
            ci.clean = clean && !ci.df_conflict && !ci.path_conflict;
            ci.result = merged;
            ci.is_null = merged.mode == 0;
            ci.content = content;
            if clean && ci.df_conflict {
                ci.filemask = 1 << df_file_index;
                ci.stages[df_file_index] = merged;
            }
            if !clean {
                let reason = if merged.mode & S_IFMT == S_IFGITLINK {
                    "submodule"
                } else if ci.filemask == 6 {
                    "add/add"
                } else {
                    "content"
                };
                let text = format!("CONFLICT ({reason}): Merge conflict in {}", lossy(&path));
                let kind = if merged.mode & S_IFMT == S_IFGITLINK {
                    MessageKind::Submodule
                } else {
                    MessageKind::Contents
                };
                self.message(&path, kind, text);
            }
        } else if ci.filemask == 3 || ci.filemask == 5 {
            // Modify/delete.
            let side = if ci.filemask == 5 { 2 } else { 1 };
            let index = if depth > 0 { 0 } else { side };
            ci.result = ci.stages[index];
            ci.clean = false;
            let modify_branch = lossy(self.branch(side));
            let delete_branch = lossy(self.branch(3 - side));
            if ci.path_conflict && ci.stages[0].oid == ci.stages[side].oid {
                // A rename/delete, already reported.
            } else {
                let text = format!(
                    "CONFLICT (modify/delete): {} deleted in {delete_branch} and modified in \
                     {modify_branch}.  Version {modify_branch} of {} left in tree.",
                    lossy(&path),
                    lossy(&path)
                );
                self.message(&path, MessageKind::ModifyDelete, text);
            }
        } else if ci.filemask == 2 || ci.filemask == 4 {
            // Added on one side.
            let side = if ci.filemask == 4 { 2 } else { 1 };
            ci.result = ci.stages[side];
            ci.clean = !ci.df_conflict && !ci.path_conflict;
        } else if ci.filemask == 1 {
            // Deleted on both sides.
            ci.is_null = true;
            ci.result = Version::NULL;
            ci.clean = !ci.path_conflict;
        }
        self.paths.infos[ci_idx] = ci;
        if !self.paths.infos[ci_idx].clean {
            self.conflicted.push((path.clone(), ci_idx));
        }
        dirs.record(&path, &self.paths.infos[ci_idx]);
        Ok(())
    }

    fn into_outcome(self, tree_id: ObjectId) -> Outcome {
        let mut messages = self.messages;
        messages.sort_by(|a, b| a.path.cmp(&b.path));
        let mut conflicts: Vec<Conflict> = self
            .conflicted
            .into_iter()
            .map(|(path, idx)| {
                let info = &self.paths.infos[idx];
                let stage = |n: usize| {
                    (info.filemask & (1 << n) != 0 && info.stages[n].mode != 0)
                        .then(|| info.stages[n].side())
                };
                let kinds = messages
                    .iter()
                    .filter(|m| m.path == path && m.kind.is_conflict())
                    .map(|m| m.kind)
                    .collect();
                Conflict {
                    base: stage(0),
                    ours: stage(1),
                    theirs: stage(2),
                    kinds,
                    content: info.content.clone(),
                    path,
                }
            })
            .collect();
        conflicts.sort_by(|a, b| a.path.cmp(&b.path));
        conflicts.dedup_by(|a, b| a.path == b.path);
        Outcome {
            tree_id,
            conflicts,
            messages,
            needed_rename_limit: self.needed_rename_limit,
        }
    }
}

/// The entries of directories not yet written (`struct directory_versions`).
#[derive(Default)]
struct DirectoryVersions {
    /// `(basename, version)` of recorded entries; each directory's entries follow its offset.
    versions: Vec<(Vec<u8>, Version)>,
    /// Directories being filled and where their entries start in `versions`.
    offsets: Vec<(Vec<u8>, usize)>,
    last_directory: Option<Vec<u8>>,
}

impl DirectoryVersions {
    /// `record_entry_for_tree`.
    fn record(&mut self, path: &[u8], info: &Info) {
        if info.is_null {
            return;
        }
        let basename = path
            .iter()
            .rposition(|&b| b == b'/')
            .map_or(path, |slash| &path[slash + 1..]);
        self.versions.push((basename.to_vec(), info.result));
    }
}

/// The directory a path is in (`""` at the top).
fn parent_of(path: &[u8]) -> &[u8] {
    path.iter()
        .rposition(|&b| b == b'/')
        .map_or(&b""[..], |slash| &path[..slash])
}

/// `sort_dirs_next_to_their_children`: byte order, with the end of a name sorting as `/`, so a
/// directory comes right before its entries.
fn sort_dirs_next_to_their_children(one: &[u8], two: &[u8]) -> Ordering {
    let common = one.iter().zip(two).take_while(|(a, b)| a == b).count();
    let c1 = one.get(common).copied().unwrap_or(b'/');
    let c2 = two.get(common).copied().unwrap_or(b'/');
    if c1 == c2 {
        if common < one.len() {
            Ordering::Greater
        } else {
            Ordering::Less
        }
    } else {
        c1.cmp(&c2)
    }
}

fn lossy(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

/// Every non-directory entry of a tree as `(path, mode, id)`, walked with an explicit stack.
pub(crate) fn flatten(find: &dyn Find, tree_id: &ObjectId) -> Result<Files, Error> {
    let read = |tree_id: &ObjectId| -> Result<Files, Error> {
        let mut buf = Vec::new();
        let data = find
            .try_find(tree_id, &mut buf)
            .map_err(|source| Error::Find {
                object_id: *tree_id,
                source,
            })?
            .ok_or(Error::NotFound {
                object_id: *tree_id,
            })?;
        if data.kind != Kind::Tree {
            return Err(Error::WrongKind {
                object_id: *tree_id,
                expected: Kind::Tree,
                actual: data.kind,
            });
        }
        let mut entries = Vec::new();
        for entry in TreeRefIter::from_bytes(data.data) {
            let entry = entry.map_err(|source| Error::Decode {
                tree_id: *tree_id,
                source,
            })?;
            entries.push((entry.filename.to_vec(), entry.mode, entry.oid));
        }
        Ok(entries)
    };
    let mut out = Vec::new();
    let mut stack: Vec<(std::vec::IntoIter<FileEntry>, Vec<u8>)> = Vec::new();
    stack.push((read(tree_id)?.into_iter(), Vec::new()));
    while let Some((entries, prefix)) = stack.last_mut() {
        let Some((name, mode, oid)) = entries.next() else {
            stack.pop();
            continue;
        };
        let mut path = prefix.clone();
        path.extend_from_slice(&name);
        if mode.is_tree() {
            if stack.len() >= MAX_DEPTH {
                return Err(Error::TooDeep);
            }
            path.push(b'/');
            let children = read(&oid)?;
            stack.push((children.into_iter(), path));
        } else {
            out.push((path, mode, oid));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_sort_right_before_their_entries() {
        let mut paths: Vec<&[u8]> = vec![b"foo/bar", b"foo.txt", b"foo", b"fooa"];
        paths.sort_by(|a, b| sort_dirs_next_to_their_children(a, b));
        assert_eq!(paths, vec![&b"foo.txt"[..], b"foo", b"foo/bar", b"fooa"]);
    }

    #[test]
    fn entry_match_looks_behind_dashed_names() {
        assert_eq!(check_entry_match(b"t", b"t"), 0);
        assert_eq!(check_entry_match(b"t", b"t-2"), 1);
        assert_eq!(check_entry_match(b"t", b"u"), -1);
    }
}
