//! The working tree in IndexedDB: one record per file in the `worktree` store, mirrored in
//! memory. A file written by a checkout is recorded as just its blob id ("unchanged since
//! checkout"), so checking out and computing the status of a big tree stay cheap; a file the
//! user edits is recorded with its bytes.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use tabgit_hash::ObjectId;
use tabgit_index::stat::{FileType, Metadata, StatData, Time};

use crate::worktree::{check_path, file_type, EntryKind, Error, FileKind, Worktree};

/// Why a blob could not be read for the working tree.
#[derive(Debug, Clone)]
pub enum BlobError {
    /// It is in pack data not loaded yet.
    NotLoaded(crate::NotLoaded),
    /// Anything else, in words.
    Other(String),
}

/// Reads a blob's content from the object database (for files recorded by blob id).
pub type BlobSource = Arc<dyn Fn(&ObjectId) -> Result<Option<Vec<u8>>, BlobError> + Send + Sync>;

/// A file's content: the blob it was checked out from, or bytes written since.
#[derive(Clone)]
pub enum Content {
    /// Unchanged since it was written from this blob.
    Blob(ObjectId, u32),
    /// These bytes.
    Data(Arc<[u8]>),
}

/// One file.
#[derive(Clone)]
pub struct Record {
    /// What kind of file.
    pub kind: FileKind,
    /// Its content.
    pub content: Content,
    /// A change counter standing in for mtime.
    pub generation: u32,
}

#[derive(Default)]
struct State {
    files: BTreeMap<Vec<u8>, Record>,
    dirs: BTreeSet<Vec<u8>>,
    generation: u32,
    journal: BTreeSet<Vec<u8>>,
}

/// The working tree of a repository stored in IndexedDB, mirrored in memory.
#[derive(Clone, Default)]
pub struct IdbWorktree {
    state: Arc<Mutex<State>>,
    blobs: Arc<Mutex<Option<BlobSource>>>,
}

impl IdbWorktree {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Where files recorded by blob id are read from.
    pub fn set_blob_source(&self, source: BlobSource) {
        *self
            .blobs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(source);
    }

    pub(crate) fn from_records(records: Vec<(Vec<u8>, Record)>, dirs: Vec<Vec<u8>>) -> Self {
        let mut state = State::default();
        for (path, record) in records {
            state.generation = state.generation.max(record.generation);
            state.files.insert(path, record);
        }
        state.dirs = dirs.into_iter().collect();
        IdbWorktree {
            state: Arc::new(Mutex::new(state)),
            blobs: Arc::default(),
        }
    }

    /// Every changed path since the last call, with its record (`None`: removed); directories
    /// are reported with a `Dir` marker.
    pub(crate) fn take_journal(&self) -> Vec<(Vec<u8>, Option<Record>, bool)> {
        let mut state = self.lock();
        let journal = std::mem::take(&mut state.journal);
        journal
            .into_iter()
            .map(|path| {
                let record = state.files.get(&path).cloned();
                let is_dir = state.dirs.contains(&path);
                (path, record, is_dir)
            })
            .collect()
    }

    /// Whether there are changes not yet persisted.
    pub fn is_dirty(&self) -> bool {
        !self.lock().journal.is_empty()
    }

    /// Bytes of edited files held (files recorded by blob id cost nothing extra).
    pub fn size(&self) -> u64 {
        self.lock()
            .files
            .values()
            .map(|r| match &r.content {
                Content::Data(d) => d.len() as u64,
                Content::Blob(..) => 20,
            })
            .sum()
    }
}

fn metadata_of(record: &Record) -> Metadata {
    let time = Time {
        secs: record.generation,
        nsecs: 0,
    };
    let size = match &record.content {
        Content::Blob(_, size) => *size,
        Content::Data(d) => d.len() as u32,
    };
    Metadata {
        stat: StatData {
            ctime: time,
            mtime: time,
            size,
            ..StatData::default()
        },
        file_type: file_type(record.kind),
    }
}

impl Worktree for IdbWorktree {
    fn read(&self, path: &[u8]) -> Result<Option<(FileKind, Vec<u8>)>, Error> {
        check_path(path)?;
        let Some(record) = self.lock().files.get(path).cloned() else {
            return Ok(None);
        };
        match record.content {
            Content::Data(data) => Ok(Some((record.kind, data.to_vec()))),
            Content::Blob(id, _) => {
                let source = self
                    .blobs
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .clone();
                let io = |reason: String| Error::Io {
                    action: "read",
                    path: String::from_utf8_lossy(path).into_owned(),
                    source: std::io::Error::other(reason),
                };
                let source = source
                    .ok_or_else(|| io("no object database to read the file's blob from".into()))?;
                match source(&id) {
                    Ok(Some(data)) => Ok(Some((record.kind, data))),
                    Ok(None) => Err(io(format!("blob {id} is missing"))),
                    Err(BlobError::NotLoaded(need)) => Err(Error::NotLoaded(need)),
                    Err(BlobError::Other(reason)) => Err(io(reason)),
                }
            }
        }
    }

    fn metadata(&self, path: &[u8]) -> Result<Option<Metadata>, Error> {
        check_path(path)?;
        let state = self.lock();
        if state.dirs.contains(path) {
            return Ok(Some(Metadata {
                stat: StatData::default(),
                file_type: FileType::Directory,
            }));
        }
        Ok(state.files.get(path).map(metadata_of))
    }

    fn list(&self, dir: &[u8]) -> Result<Vec<(Vec<u8>, EntryKind)>, Error> {
        let mut prefix = dir.to_vec();
        if !prefix.is_empty() {
            check_path(dir)?;
            prefix.push(b'/');
        }
        let state = self.lock();
        let mut out: Vec<(Vec<u8>, EntryKind)> = Vec::new();
        for (path, record) in state
            .files
            .range(prefix.clone()..)
            .take_while(|(p, _)| p.starts_with(&prefix))
        {
            let rest = &path[prefix.len()..];
            out.push(match rest.iter().position(|&b| b == b'/') {
                Some(slash) => (rest[..slash].to_vec(), EntryKind::Directory),
                None => (rest.to_vec(), EntryKind::File(record.kind)),
            });
        }
        for dir in state
            .dirs
            .range(prefix.clone()..)
            .take_while(|p| p.starts_with(&prefix))
        {
            let rest = &dir[prefix.len()..];
            out.push((
                rest.split(|&b| b == b'/')
                    .next()
                    .unwrap_or_default()
                    .to_vec(),
                EntryKind::Directory,
            ));
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out.dedup_by(|a, b| a.0 == b.0);
        Ok(out)
    }

    fn write(&self, path: &[u8], kind: FileKind, data: &[u8]) -> Result<Metadata, Error> {
        check_path(path)?;
        self.put(path, kind, Content::Data(data.into()))
    }

    fn write_blob(
        &self,
        path: &[u8],
        kind: FileKind,
        blob_id: ObjectId,
        data: &[u8],
    ) -> Result<Metadata, Error> {
        check_path(path)?;
        self.put(path, kind, Content::Blob(blob_id, data.len() as u32))
    }

    fn known_blob(&self, path: &[u8]) -> Option<ObjectId> {
        match self.lock().files.get(path).map(|r| &r.content) {
            Some(Content::Blob(id, _)) => Some(*id),
            _ => None,
        }
    }

    fn remove(&self, path: &[u8]) -> Result<(), Error> {
        check_path(path)?;
        let mut state = self.lock();
        state.files.remove(path);
        state.dirs.remove(path);
        state.journal.insert(path.to_vec());
        Ok(())
    }

    fn create_dir(&self, path: &[u8]) -> Result<(), Error> {
        check_path(path)?;
        let mut state = self.lock();
        state.files.remove(path);
        state.dirs.insert(path.to_vec());
        state.journal.insert(path.to_vec());
        Ok(())
    }
}

impl IdbWorktree {
    fn put(&self, path: &[u8], kind: FileKind, content: Content) -> Result<Metadata, Error> {
        let mut state = self.lock();
        // Replace what is in the way: a file where a parent directory must go, files below.
        for (idx, &b) in path.iter().enumerate() {
            if b == b'/' && state.files.remove(&path[..idx]).is_some() {
                state.journal.insert(path[..idx].to_vec());
            }
        }
        let mut below = path.to_vec();
        below.push(b'/');
        let doomed: Vec<Vec<u8>> = state
            .files
            .range(below.clone()..)
            .take_while(|(p, _)| p.starts_with(&below))
            .map(|(p, _)| p.clone())
            .collect();
        for p in doomed {
            state.files.remove(&p);
            state.journal.insert(p);
        }
        state.dirs.remove(path);
        state.generation += 1;
        let record = Record {
            kind,
            content,
            generation: state.generation,
        };
        let meta = metadata_of(&record);
        state.files.insert(path.to_vec(), record);
        state.journal.insert(path.to_vec());
        Ok(meta)
    }
}
