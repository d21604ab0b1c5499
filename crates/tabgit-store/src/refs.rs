//! The ref store: loose refs, `packed-refs`, symbolic refs and reflogs in a git directory
//! (`Documentation/gitrepository-layout`, git's `refs/files-backend.c`).
//!
//! Updates go through [`RefStore::commit`]: every expected old value is checked first, then all
//! loose refs, reflogs and a rewritten `packed-refs` are written in one [`Transaction`], which
//! is atomic on transactional backends (memory, IndexedDB) and uses git's lock files on disk.

use tabgit_hash::ObjectId;
use tabgit_object::Signature;
use tabgit_refs::packed::{PackedRefs, Peeled};
use tabgit_refs::reflog::Line;
use tabgit_refs::{loose, name, Target};

use crate::files::{self, GitFiles, Transaction};

/// The reasons a ref operation failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The storage failed.
    #[error(transparent)]
    Files(#[from] files::Error),
    /// A ref name is invalid.
    #[error("invalid ref name {name:?}")]
    InvalidName {
        /// The name, lossily decoded.
        name: String,
        /// Why.
        #[source]
        source: name::Error,
    },
    /// A loose ref file does not parse.
    #[error("ref {name} is corrupt")]
    CorruptLoose {
        /// The ref.
        name: String,
        /// Why.
        #[source]
        source: loose::Error,
    },
    /// `packed-refs` does not parse.
    #[error("packed-refs is corrupt")]
    CorruptPacked(#[source] tabgit_refs::packed::Error),
    /// A reflog entry could not be written.
    #[error("cannot write the reflog of {name}")]
    Reflog {
        /// The ref.
        name: String,
        /// Why.
        #[source]
        source: tabgit_refs::reflog::Error,
    },
    /// Symbolic refs point at each other in a loop, or too deep.
    #[error("symbolic ref {name} does not resolve (loop or too deep)")]
    SymrefLoop {
        /// The ref.
        name: String,
    },
    /// A ref's current value is not what the update expected.
    #[error("cannot update {name}: expected {expected}, but it is {actual}")]
    Changed {
        /// The ref.
        name: String,
        /// What the update expected.
        expected: String,
        /// What it is.
        actual: String,
    },
    /// A ref would be both a file and a directory (`refs/heads/a` and `refs/heads/a/b`).
    #[error("cannot create {name}: {existing} exists")]
    DirectoryConflict {
        /// The ref being created.
        name: String,
        /// The ref in the way.
        existing: String,
    },
}

/// A ref and what it points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefEntry {
    /// The full name (`refs/heads/main`).
    pub name: Vec<u8>,
    /// Its target.
    pub target: Target,
    /// What an annotated tag peels to, when `packed-refs` records it.
    pub peeled: Option<ObjectId>,
}

/// Where HEAD points.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Head {
    /// On a branch, which may not exist yet (an unborn branch in a new repository).
    Branch {
        /// The branch's full name.
        name: Vec<u8>,
        /// Its commit, if it exists.
        id: Option<ObjectId>,
    },
    /// A detached HEAD.
    Detached(ObjectId),
}

impl Head {
    /// The commit HEAD names, if any.
    pub fn id(&self) -> Option<ObjectId> {
        match self {
            Head::Branch { id, .. } => *id,
            Head::Detached(id) => Some(*id),
        }
    }
}

/// What an update expects the ref to be before it changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expected {
    /// Anything (a forced update).
    Any,
    /// The ref must not exist.
    Absent,
    /// The ref must point at this object.
    Value(ObjectId),
    /// The ref must be absent or point at this object.
    AbsentOrValue(ObjectId),
}

/// A change to one ref.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// Point the ref at a target.
    Set(Target),
    /// Delete the ref (and its reflog).
    Delete,
}

/// A reflog entry to record with an update.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogEntry {
    /// Who made the change, and when.
    pub committer: Signature,
    /// Why (`commit: message`, `checkout: moving from a to b`, …).
    pub message: Vec<u8>,
}

/// One edit in a ref transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefEdit {
    /// The full ref name (or `HEAD`).
    pub name: Vec<u8>,
    /// What to do.
    pub change: Change,
    /// The precondition.
    pub expected: Expected,
    /// A reflog entry to append, if the ref is logged.
    pub log: Option<LogEntry>,
}

const MAX_SYMREF_DEPTH: usize = 5;

/// The refs of one repository.
#[derive(Clone)]
pub struct RefStore<F> {
    files: F,
}

fn lossy(name: &[u8]) -> String {
    String::from_utf8_lossy(name).into_owned()
}

/// A ref name as a file path, for names that are valid and UTF-8.
fn path_of(name: &[u8]) -> Result<&str, Error> {
    if name != b"HEAD" && !is_pseudo_ref(name) {
        name::check(name, name::Options::default()).map_err(|source| Error::InvalidName {
            name: lossy(name),
            source,
        })?;
    }
    std::str::from_utf8(name).map_err(|_| Error::InvalidName {
        name: lossy(name),
        source: name::Error::Empty,
    })
}

fn is_pseudo_ref(name: &[u8]) -> bool {
    matches!(
        name,
        b"FETCH_HEAD" | b"ORIG_HEAD" | b"MERGE_HEAD" | b"CHERRY_PICK_HEAD" | b"REVERT_HEAD"
    )
}

/// Lifecycle
impl<F: GitFiles> RefStore<F> {
    /// The refs stored in `files`.
    pub fn new(files: F) -> Self {
        RefStore { files }
    }
}

/// Access
impl<F: GitFiles> RefStore<F> {
    /// The parsed `packed-refs` file (empty if absent).
    pub fn packed(&self) -> Result<PackedRefs, Error> {
        match self.files.read("packed-refs")? {
            Some(data) => PackedRefs::from_bytes(&data).map_err(Error::CorruptPacked),
            None => Ok(PackedRefs::default()),
        }
    }

    /// The ref's own target (not following symbolic refs): loose first, then packed.
    pub fn read(&self, name: &[u8]) -> Result<Option<Target>, Error> {
        let path = path_of(name)?;
        if let Some(data) = self.files.read(path)? {
            return loose::decode(&data)
                .map(Some)
                .map_err(|source| Error::CorruptLoose {
                    name: lossy(name),
                    source,
                });
        }
        Ok(self
            .packed()?
            .find(name)
            .map(|record| Target::Object(record.target)))
    }

    /// Follow symbolic refs from `name` to an object: the final ref name and its id, or the
    /// final name and `None` if that ref does not exist (an unborn branch).
    pub fn resolve(&self, name: &[u8]) -> Result<(Vec<u8>, Option<ObjectId>), Error> {
        let mut current = name.to_vec();
        for _ in 0..MAX_SYMREF_DEPTH {
            match self.read(&current)? {
                None => return Ok((current, None)),
                Some(Target::Object(id)) => return Ok((current, Some(id))),
                Some(Target::Symbolic(next)) => current = next,
            }
        }
        Err(Error::SymrefLoop { name: lossy(name) })
    }

    /// Where HEAD points.
    pub fn head(&self) -> Result<Head, Error> {
        match self.read(b"HEAD")? {
            Some(Target::Object(id)) => Ok(Head::Detached(id)),
            Some(Target::Symbolic(_)) => {
                let (name, id) = self.resolve(b"HEAD")?;
                Ok(Head::Branch { name, id })
            }
            None => Ok(Head::Branch {
                name: b"refs/heads/main".to_vec(),
                id: None,
            }),
        }
    }

    /// Every ref whose name starts with `prefix` (e.g. `refs/heads/`), sorted by name, loose
    /// refs shadowing packed ones.
    pub fn list(&self, prefix: &[u8]) -> Result<Vec<RefEntry>, Error> {
        let mut out: Vec<RefEntry> = Vec::new();
        let packed = self.packed()?;
        for record in packed.iter().filter(|r| r.name.starts_with(prefix)) {
            let peeled = match record.peeled {
                Peeled::To(id) => Some(id),
                Peeled::NotATag | Peeled::Unknown => None,
            };
            out.push(RefEntry {
                name: record.name.clone(),
                target: Target::Object(record.target),
                peeled,
            });
        }
        let mut loose = Vec::new();
        self.collect_loose("refs", &mut loose)?;
        for (name, target) in loose.into_iter().filter(|(n, _)| n.starts_with(prefix)) {
            match out.binary_search_by(|e| e.name.as_slice().cmp(&name)) {
                Ok(idx) => {
                    out[idx] = RefEntry {
                        name,
                        target,
                        peeled: None,
                    }
                }
                Err(idx) => out.insert(
                    idx,
                    RefEntry {
                        name,
                        target,
                        peeled: None,
                    },
                ),
            }
        }
        Ok(out)
    }

    fn collect_loose(&self, dir: &str, out: &mut Vec<(Vec<u8>, Target)>) -> Result<(), Error> {
        let mut stack = vec![dir.to_owned()];
        while let Some(dir) = stack.pop() {
            for child in self.files.list(&dir)? {
                let path = format!("{dir}/{child}");
                match self.files.read(&path)? {
                    Some(data) => {
                        if name::check(path.as_bytes(), name::Options::default()).is_err() {
                            continue; // Not a ref (git ignores such files too).
                        }
                        let target =
                            loose::decode(&data).map_err(|source| Error::CorruptLoose {
                                name: path.clone(),
                                source,
                            })?;
                        out.push((path.into_bytes(), target));
                    }
                    None => stack.push(path),
                }
            }
        }
        Ok(())
    }

    /// The reflog of `name`, oldest entry first.
    pub fn reflog(&self, name: &[u8]) -> Result<Vec<Line>, Error> {
        let path = format!("logs/{}", path_of(name)?);
        let Some(data) = self.files.read(&path)? else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for line in tabgit_refs::reflog::iter(&data) {
            let line = line.map_err(|source| Error::Reflog {
                name: lossy(name),
                source,
            })?;
            out.push(line.to_owned().map_err(|source| Error::Reflog {
                name: lossy(name),
                source,
            })?);
        }
        Ok(out)
    }
}

/// Mutation
impl<F: GitFiles> RefStore<F> {
    /// Apply `edits` all together, after checking every precondition.
    pub fn commit(&self, edits: &[RefEdit]) -> Result<(), Error> {
        let mut tx = Transaction::default();
        let mut packed = self.packed()?;
        let mut packed_changed = false;
        let head_branch = match self.read(b"HEAD")? {
            Some(Target::Symbolic(branch)) => Some(branch),
            _ => None,
        };
        let mut logs: Vec<(String, Vec<u8>)> = Vec::new();
        for edit in edits {
            let path = path_of(&edit.name)?.to_owned();
            let current = self.read(&edit.name)?;
            let current_id = current.as_ref().and_then(Target::object_id);
            check_expected(&edit.name, edit.expected, current.as_ref())?;
            match &edit.change {
                Change::Set(target) => {
                    if edit.name.starts_with(b"refs/") {
                        self.check_directory_conflict(&edit.name)?;
                    }
                    let content = loose::encode(target).map_err(|source| Error::CorruptLoose {
                        name: lossy(&edit.name),
                        source,
                    })?;
                    tx.write(path.clone(), content);
                    if let (Some(log), Target::Object(new_id)) = (&edit.log, target) {
                        let line = Line {
                            previous_id: current_id.unwrap_or(ObjectId::NULL),
                            new_id: *new_id,
                            signature: log.committer.clone(),
                            message: log.message.clone(),
                        };
                        let bytes = line.to_bytes().map_err(|source| Error::Reflog {
                            name: lossy(&edit.name),
                            source,
                        })?;
                        logs.push((format!("logs/{path}"), bytes.clone()));
                        if head_branch.as_deref() == Some(edit.name.as_slice()) {
                            logs.push(("logs/HEAD".to_owned(), bytes));
                        }
                    }
                }
                Change::Delete => {
                    tx.remove(path.clone());
                    tx.remove(format!("logs/{path}"));
                    if packed.remove(&edit.name).is_some() {
                        packed_changed = true;
                    }
                }
            }
        }
        for (path, line) in logs {
            let mut existing = self.files.read(&path)?.unwrap_or_default();
            // Earlier edits in this transaction may already have appended to the same log.
            if let Some(pos) = tx.changes.iter().position(|(p, _)| *p == path) {
                if let files::Change::Write(data) = &tx.changes[pos].1 {
                    existing.clone_from(data);
                }
                tx.changes.remove(pos);
            }
            existing.extend_from_slice(&line);
            tx.write(path, existing);
        }
        if packed_changed {
            let bytes = packed.to_bytes().map_err(Error::CorruptPacked)?;
            tx.write("packed-refs", bytes);
        }
        self.files.commit(tx)?;
        Ok(())
    }

    fn check_directory_conflict(&self, name: &[u8]) -> Result<(), Error> {
        // A prefix of the new name must not be a ref …
        for (idx, &b) in name.iter().enumerate() {
            if b == b'/' && idx > 5 {
                let prefix = &name[..idx];
                if self.read(prefix)?.is_some() {
                    return Err(Error::DirectoryConflict {
                        name: lossy(name),
                        existing: lossy(prefix),
                    });
                }
            }
        }
        // … and no ref may live below it.
        let mut below = name.to_vec();
        below.push(b'/');
        if let Some(existing) = self.list(&below)?.first() {
            return Err(Error::DirectoryConflict {
                name: lossy(name),
                existing: lossy(&existing.name),
            });
        }
        Ok(())
    }
}

fn describe(target: Option<&Target>) -> String {
    match target {
        None => "absent".into(),
        Some(Target::Object(id)) => id.to_hex(),
        Some(Target::Symbolic(name)) => format!("ref: {}", lossy(name)),
    }
}

fn check_expected(name: &[u8], expected: Expected, current: Option<&Target>) -> Result<(), Error> {
    let current_id = current.and_then(Target::object_id);
    let ok = match expected {
        Expected::Any => true,
        Expected::Absent => current.is_none(),
        Expected::Value(id) => current_id == Some(id),
        Expected::AbsentOrValue(id) => current.is_none() || current_id == Some(id),
    };
    if ok {
        return Ok(());
    }
    let expected = match expected {
        Expected::Any => "anything".into(),
        Expected::Absent => "absent".into(),
        Expected::Value(id) => id.to_hex(),
        Expected::AbsentOrValue(id) => format!("absent or {id}"),
    };
    Err(Error::Changed {
        name: lossy(name),
        expected,
        actual: describe(current),
    })
}
