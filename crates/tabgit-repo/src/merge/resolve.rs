//! Looking at one conflicted file and resolving it, for a conflict view: the three versions,
//! their merge by hunks, and a resolution written to the working tree and staged.

use tabgit_hash::ObjectId;
use tabgit_index::{Entry, Mode, Stage};
use tabgit_merge::blob;
use tabgit_store::files::GitFiles;

use crate::merge::apply::{self, file_kind};
use crate::merge::{Error, FileMerge, Operation};
use crate::update::{Previous, Update, WorktreeOp};
use crate::Repository;

/// One side of a conflict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    /// Its mode.
    pub mode: Mode,
    /// Its blob.
    pub object_id: ObjectId,
    /// Its content (empty for a gitlink).
    pub data: Vec<u8>,
}

/// A conflicted path as a conflict view shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConflictView {
    /// The path.
    pub path: Vec<u8>,
    /// Stage 1: the merge base's version.
    pub base: Option<Version>,
    /// Stage 2: ours.
    pub ours: Option<Version>,
    /// Stage 3: theirs.
    pub theirs: Option<Version>,
    /// When ours and theirs are both regular files: their three-way merge, by hunks, with git's
    /// labels; [`FileMerge::resolve`] renders a choice per conflict hunk for [`resolve()`].
    pub merge: Option<FileMerge>,
    /// What the working tree holds now (with markers, unless already edited).
    pub worktree: Option<Vec<u8>>,
}

/// How to resolve a conflicted path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// Take our version (content and mode).
    Ours,
    /// Take their version.
    Theirs,
    /// Take this content, with our version's mode (or theirs, if ours is absent).
    Content(Vec<u8>),
    /// Take the file as it is in the working tree (`git add <path>`).
    Worktree,
    /// Delete the path (`git rm <path>`).
    Delete,
}

/// The conflict at `path`, or `None` if the path is not conflicted.
pub fn conflict<F: GitFiles + Clone>(
    repo: &Repository<F>,
    path: &[u8],
) -> Result<Option<ConflictView>, Error> {
    let index = repo.index()?;
    let entries = index.path_entries(path);
    if entries.iter().all(|e| e.stage == Stage::Merged) {
        return Ok(None);
    }
    let version = |stage: Stage| -> Result<Option<Version>, Error> {
        let Some(entry) = entries.iter().find(|e| e.stage == stage) else {
            return Ok(None);
        };
        let data = if entry.mode == Mode::Gitlink {
            Vec::new()
        } else {
            repo.object(&entry.object_id)?.1
        };
        Ok(Some(Version {
            mode: entry.mode,
            object_id: entry.object_id,
            data,
        }))
    };
    let (base, ours, theirs) = (
        version(Stage::Base)?,
        version(Stage::Ours)?,
        version(Stage::Theirs)?,
    );
    let regular = |v: &Option<Version>| {
        v.as_ref()
            .is_some_and(|v| matches!(v.mode, Mode::File | Mode::FileExecutable))
    };
    let merge = if regular(&ours) && regular(&theirs) {
        let (theirs_label, base_label) = labels(repo)?;
        let options = crate::merge::function::tree_options(repo, None).blob;
        let empty = Vec::new();
        let base_data = base
            .as_ref()
            .filter(|_| regular(&base))
            .map_or(&empty, |v| &v.data);
        Some(blob::merge(
            base_data,
            &ours.as_ref().map_or(&empty, |v| &v.data)[..],
            &theirs.as_ref().map_or(&empty, |v| &v.data)[..],
            &blob::Labels {
                ancestor: Some(&base_label),
                ours: Some(b"HEAD"),
                theirs: Some(&theirs_label),
            },
            &options,
        ))
    } else {
        None
    };
    let worktree = match repo.worktree() {
        Some(worktree) => worktree.read(path)?.map(|(_, data)| data),
        None => None,
    };
    Ok(Some(ConflictView {
        path: path.to_vec(),
        base,
        ours,
        theirs,
        merge,
        worktree,
    }))
}

/// The labels of their side and of the base, as the stopped operation used them.
fn labels<F: GitFiles + Clone>(repo: &Repository<F>) -> Result<(Vec<u8>, Vec<u8>), Error> {
    let Some(state) = crate::merge::in_progress(repo)? else {
        return Ok((b"theirs".to_vec(), b"base".to_vec()));
    };
    let Some(head) = state.heads.first() else {
        return Ok((b"theirs".to_vec(), b"base".to_vec()));
    };
    match state.operation {
        Operation::Merge => {
            // `Merge branch 'topic'` names what the user merged.
            let first = apply::subject(&state.message);
            let named = first.iter().position(|&b| b == b'\'').and_then(|start| {
                let rest = &first[start + 1..];
                rest.iter()
                    .position(|&b| b == b'\'')
                    .map(|end| rest[..end].to_vec())
            });
            Ok((
                named.unwrap_or_else(|| apply::abbreviate(repo, head)),
                b"merged common ancestors".to_vec(),
            ))
        }
        Operation::CherryPick | Operation::Revert => {
            let info = apply::read_commit(repo, head)?;
            let mut label = apply::abbreviate(repo, head);
            label.extend_from_slice(b" (");
            label.extend_from_slice(apply::subject(&info.commit.message));
            label.push(b')');
            let mut parent_label = b"parent of ".to_vec();
            parent_label.extend_from_slice(&label);
            Ok(if state.operation == Operation::CherryPick {
                (label, parent_label)
            } else {
                (parent_label, label)
            })
        }
    }
}

/// Resolve the conflict at `path`: write the resolution to the working tree and stage it,
/// replacing the conflict stages (which are kept for `git checkout -m`-style undo, as `git add`
/// keeps them in the resolve-undo extension).
pub fn resolve<F: GitFiles + Clone>(
    repo: &Repository<F>,
    path: &[u8],
    resolution: Resolution,
) -> Result<(), Error> {
    let worktree = repo.worktree().ok_or(Error::Bare)?;
    let mut index = repo.index()?;
    let entries = index.path_entries(path).to_vec();
    if entries.iter().all(|e| e.stage == Stage::Merged) {
        return Err(Error::NotConflicted {
            path: String::from_utf8_lossy(path).into_owned(),
        });
    }
    let side = |stage: Stage, name: &'static str| {
        entries
            .iter()
            .find(|e| e.stage == stage)
            .map(|e| (e.mode, e.object_id))
            .ok_or_else(|| Error::MissingSide {
                path: String::from_utf8_lossy(path).into_owned(),
                side: name,
            })
    };
    let default_mode = entries
        .iter()
        .find(|e| e.stage == Stage::Ours)
        .or_else(|| entries.iter().find(|e| e.stage == Stage::Theirs))
        .map_or(Mode::File, |e| e.mode);
    let (op, entry) = match resolution {
        Resolution::Ours | Resolution::Theirs => {
            let (mode, blob_id) = if resolution == Resolution::Ours {
                side(Stage::Ours, "ours")?
            } else {
                side(Stage::Theirs, "theirs")?
            };
            let op = if mode == Mode::Gitlink {
                WorktreeOp::CreateDir {
                    path: path.to_vec(),
                }
            } else {
                WorktreeOp::Write {
                    path: path.to_vec(),
                    kind: file_kind(mode),
                    blob_id,
                    previous: Previous::Unknown,
                }
            };
            (Some(op), Some(Entry::new(path.to_vec(), mode, blob_id)))
        }
        Resolution::Content(data) => {
            let blob_id = repo.odb().write_loose(tabgit_object::Kind::Blob, &data)?;
            let op = WorktreeOp::WriteData {
                path: path.to_vec(),
                kind: file_kind(default_mode),
                data,
                previous: Previous::Unknown,
            };
            (
                Some(op),
                Some(Entry::new(path.to_vec(), default_mode, blob_id)),
            )
        }
        Resolution::Worktree => {
            let (kind, data) = worktree.read(path)?.ok_or_else(|| Error::MissingSide {
                path: String::from_utf8_lossy(path).into_owned(),
                side: "working tree",
            })?;
            let blob_id = repo.odb().write_loose(tabgit_object::Kind::Blob, &data)?;
            let mode = match kind {
                tabgit_store::worktree::FileKind::Executable => Mode::FileExecutable,
                tabgit_store::worktree::FileKind::Symlink => Mode::Symlink,
                tabgit_store::worktree::FileKind::File => Mode::File,
            };
            let meta = worktree.metadata(path)?;
            let mut entry = Entry::new(path.to_vec(), mode, blob_id);
            if let Some(meta) = meta {
                entry.stat = meta.stat;
            }
            (None, Some(entry))
        }
        Resolution::Delete => {
            let op = worktree.metadata(path)?.map(|_| WorktreeOp::Remove {
                path: path.to_vec(),
                previous: Previous::Unknown,
            });
            (op, None)
        }
    };
    let mut update = Update::new(repo);
    let res = (|| -> Result<(), Error> {
        let written = update.apply_worktree(op.into_iter().collect())?;
        match entry {
            Some(mut entry) => {
                if let Some(meta) = written.get(path) {
                    entry.stat = meta.stat;
                }
                index.resolve(path, entry)?;
            }
            None => {
                index.remove(path);
            }
        }
        update.write_index(&mut index, None)?;
        Ok(())
    })();
    match res {
        Ok(()) => Ok(update.commit()?),
        Err(err) => Err(crate::merge::function::abort_update(update, err)),
    }
}
