use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use tabgit_index::stat::{Metadata, StatData, Time};

use crate::worktree::{check_path, file_type, EntryKind, Error, FileKind, Worktree};

#[derive(Clone)]
struct File {
    kind: FileKind,
    data: Arc<[u8]>,
    /// A change counter standing in for mtime, so stat-based change detection works.
    generation: u32,
}

#[derive(Default)]
struct State {
    files: BTreeMap<Vec<u8>, File>,
    /// Empty directories (submodule placeholders); files below one make it non-empty.
    dirs: std::collections::BTreeSet<Vec<u8>>,
    generation: u32,
}

/// A working tree held in memory. Cloning shares the same files.
#[derive(Clone, Default)]
pub struct MemoryWorktree {
    state: Arc<Mutex<State>>,
}

impl MemoryWorktree {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn metadata_of(file: &File) -> Metadata {
    let time = Time {
        secs: file.generation,
        nsecs: 0,
    };
    Metadata {
        stat: StatData {
            ctime: time,
            mtime: time,
            size: file.data.len() as u32,
            ..StatData::default()
        },
        file_type: file_type(file.kind),
    }
}

impl Worktree for MemoryWorktree {
    fn read(&self, path: &[u8]) -> Result<Option<(FileKind, Vec<u8>)>, Error> {
        check_path(path)?;
        Ok(self
            .lock()
            .files
            .get(path)
            .map(|f| (f.kind, f.data.to_vec())))
    }

    fn metadata(&self, path: &[u8]) -> Result<Option<Metadata>, Error> {
        check_path(path)?;
        let state = self.lock();
        if state.dirs.contains(path) {
            return Ok(Some(Metadata {
                stat: StatData::default(),
                file_type: tabgit_index::stat::FileType::Directory,
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
        for dir in state
            .dirs
            .range(prefix.clone()..)
            .take_while(|p| p.starts_with(&prefix))
        {
            let rest = &dir[prefix.len()..];
            let name = rest
                .split(|&b| b == b'/')
                .next()
                .unwrap_or_default()
                .to_vec();
            out.push((name, EntryKind::Directory));
        }
        for (path, file) in state
            .files
            .range(prefix.clone()..)
            .take_while(|(p, _)| p.starts_with(&prefix))
        {
            let rest = &path[prefix.len()..];
            let entry = match rest.iter().position(|&b| b == b'/') {
                Some(slash) => (rest[..slash].to_vec(), EntryKind::Directory),
                None => (rest.to_vec(), EntryKind::File(file.kind)),
            };
            if out.last() != Some(&entry) {
                out.push(entry);
            }
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out.dedup();
        Ok(out)
    }

    fn write(&self, path: &[u8], kind: FileKind, data: &[u8]) -> Result<Metadata, Error> {
        check_path(path)?;
        let mut state = self.lock();
        // Replace what is in the way: a file where a parent directory must go, a directory here.
        for (idx, &b) in path.iter().enumerate() {
            if b == b'/' {
                state.files.remove(&path[..idx]);
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
        }
        state.generation += 1;
        let file = File {
            kind,
            data: data.into(),
            generation: state.generation,
        };
        let meta = metadata_of(&file);
        state.files.insert(path.to_vec(), file);
        Ok(meta)
    }

    fn remove(&self, path: &[u8]) -> Result<(), Error> {
        check_path(path)?;
        let mut state = self.lock();
        state.files.remove(path);
        state.dirs.remove(path);
        Ok(())
    }

    fn create_dir(&self, path: &[u8]) -> Result<(), Error> {
        check_path(path)?;
        let mut state = self.lock();
        state.files.remove(path);
        state.dirs.insert(path.to_vec());
        Ok(())
    }
}
