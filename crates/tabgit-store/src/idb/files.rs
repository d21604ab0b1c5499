//! The in-memory mirror of a repository stored in IndexedDB, implementing [`GitFiles`].

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use tabgit_pack::bundle::{PackData, ReadError};
use tabgit_pack::PackBytes;

use crate::files::{check_path, Change, Error, GitFiles, MemoryFiles, Transaction};

/// Pack files are stored in chunks of this size: the size the indexer receives them in, so a
/// received pack is stored without being copied whole.
pub const CHUNK_SIZE: usize = tabgit_pack::pack_bytes::CHUNK_SIZE;

/// The key of one chunk of a pack.
pub fn chunk_key(path: &str, index: u64) -> String {
    format!("{path}#{index:08}")
}

fn is_pack(path: &str) -> bool {
    path.strip_prefix("objects/pack/")
        .and_then(|name| name.rsplit_once('.'))
        .is_some_and(|(_, ext)| ext == "pack")
}

#[derive(Default)]
struct PackEntry {
    len: u64,
    chunks: HashMap<u64, Arc<[u8]>>,
}

/// One change to write to IndexedDB.
pub enum Persist {
    /// Put a file.
    Write(String, Arc<[u8]>),
    /// Delete a file.
    Remove(String),
    /// Put a whole pack.
    Pack {
        /// Its path.
        path: String,
        /// Its length.
        len: u64,
        /// Its chunks.
        chunks: Vec<(u64, Arc<[u8]>)>,
    },
    /// Delete a pack.
    RemovePack {
        /// Its path.
        path: String,
        /// How many chunks it had.
        chunks: u64,
    },
}

#[derive(Default)]
struct Shared {
    packs: BTreeMap<String, Arc<Mutex<PackEntry>>>,
    journal: BTreeMap<String, Option<()>>,
}

/// A repository's git directory mirrored in memory, with a journal of what to persist.
#[derive(Clone, Default)]
pub struct IdbFiles {
    mirror: MemoryFiles,
    shared: Arc<Mutex<Shared>>,
}

impl IdbFiles {
    pub(crate) fn from_loaded(files: Vec<(String, Vec<u8>)>, packs: Vec<(String, u64)>) -> Self {
        let mirror = MemoryFiles::default();
        let mut tx = Transaction::default();
        for (path, data) in files {
            tx.write(path, data);
        }
        // Loaded data is already valid paths; a bad key would only come from tampering.
        let _ = mirror.commit(tx);
        let mut shared = Shared::default();
        for (path, len) in packs {
            shared.packs.insert(
                path,
                Arc::new(Mutex::new(PackEntry {
                    len,
                    chunks: HashMap::new(),
                })),
            );
        }
        IdbFiles {
            mirror,
            shared: Arc::new(Mutex::new(shared)),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn insert_chunk(&self, path: &str, index: u64, data: Arc<[u8]>) {
        if let Some(entry) = self.lock().packs.get(path) {
            entry
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .chunks
                .insert(index, data);
        }
    }

    /// Drop loaded pack chunks to free memory (they are loaded again when needed).
    pub fn evict_chunks(&self) {
        for entry in self.lock().packs.values() {
            entry
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .chunks
                .clear();
        }
    }

    /// Bytes stored: files plus packs.
    pub fn size(&self) -> u64 {
        let files: u64 = self
            .mirror
            .snapshot()
            .values()
            .map(|d| <[u8]>::len(d) as u64)
            .sum();
        let packs: u64 = self
            .lock()
            .packs
            .values()
            .map(|p| {
                p.lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .len
            })
            .sum();
        files + packs
    }

    /// Whether there are changes not yet persisted.
    pub fn is_dirty(&self) -> bool {
        !self.lock().journal.is_empty()
    }

    pub(crate) fn take_journal(&self) -> Vec<Persist> {
        let mut shared = self.lock();
        let journal = std::mem::take(&mut shared.journal);
        let mut out = Vec::new();
        for path in journal.keys() {
            if is_pack(path) {
                match shared.packs.get(path) {
                    Some(entry) => {
                        let entry = entry
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner);
                        let chunks = entry
                            .chunks
                            .iter()
                            .map(|(i, c)| (*i, Arc::clone(c)))
                            .collect();
                        out.push(Persist::Pack {
                            path: path.clone(),
                            len: entry.len,
                            chunks,
                        });
                    }
                    None => out.push(Persist::RemovePack {
                        path: path.clone(),
                        chunks: 1 << 16,
                    }),
                }
            } else {
                match self.mirror.read_shared(path) {
                    Some(data) => out.push(Persist::Write(path.clone(), data)),
                    None => out.push(Persist::Remove(path.clone())),
                }
            }
        }
        out
    }
}

/// A pack read from the chunks loaded so far.
struct ChunkedPack {
    path: String,
    entry: Arc<Mutex<PackEntry>>,
}

impl PackData for ChunkedPack {
    fn len(&self) -> u64 {
        self.entry
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .len
    }

    fn read_at(&self, offset: u64, len: usize) -> Result<std::borrow::Cow<'_, [u8]>, ReadError> {
        let entry = self
            .entry
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let end = offset.saturating_add(len as u64).min(entry.len);
        if offset >= end {
            return Ok(std::borrow::Cow::Owned(Vec::new()));
        }
        let chunk = CHUNK_SIZE as u64;
        let (first, last) = (offset / chunk, (end - 1) / chunk);
        if let Some(missing) = (first..=last).find(|i| !entry.chunks.contains_key(i)) {
            let last_missing = (missing..=last)
                .take_while(|i| !entry.chunks.contains_key(i))
                .last()
                .unwrap_or(missing);
            super::record_missing(crate::NotLoaded {
                pack: self.path.clone(),
                first: missing,
                last: last_missing,
            });
            return Err(ReadError::NotLoaded {
                pack: self.path.clone(),
                first: missing,
                last: last_missing,
            });
        }
        let mut out = Vec::with_capacity((end - offset) as usize);
        for index in first..=last {
            let data = &entry.chunks[&index];
            let start = if index == first {
                (offset % chunk) as usize
            } else {
                0
            };
            let size = <[u8]>::len(data);
            let stop = if index == last {
                ((end - 1) % chunk) as usize + 1
            } else {
                size
            };
            out.extend_from_slice(&data[start.min(size)..stop.min(size)]);
        }
        Ok(std::borrow::Cow::Owned(out))
    }
}

impl GitFiles for IdbFiles {
    fn read(&self, path: &str) -> Result<Option<Vec<u8>>, Error> {
        check_path(path)?;
        if is_pack(path) {
            let Some(pack) = self.pack_data(path)? else {
                return Ok(None);
            };
            return pack
                .read_at(0, usize::try_from(pack.len()).unwrap_or(usize::MAX))
                .map(|d| Some(d.into_owned()))
                .map_err(|e| Error::NotLoaded {
                    path: path.to_owned(),
                    reason: e.to_string(),
                });
        }
        self.mirror.read(path)
    }

    fn exists(&self, path: &str) -> Result<bool, Error> {
        check_path(path)?;
        Ok(self.lock().packs.contains_key(path) || self.mirror.exists(path)?)
    }

    fn list(&self, dir: &str) -> Result<Vec<String>, Error> {
        let mut names = self.mirror.list(dir)?;
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        for path in self.lock().packs.keys() {
            if let Some(rest) = path.strip_prefix(&prefix) {
                names.push(rest.split('/').next().unwrap_or_default().to_owned());
            }
        }
        names.sort();
        names.dedup();
        Ok(names)
    }

    fn commit(&self, transaction: Transaction) -> Result<(), Error> {
        for (path, _) in &transaction.changes {
            check_path(path)?;
        }
        let mut plain = Transaction::default();
        let mut shared = self.lock();
        for (path, change) in transaction.changes {
            shared.journal.insert(path.clone(), Some(()));
            if is_pack(&path) {
                match change {
                    Change::Write(data) => {
                        let mut entry = PackEntry {
                            len: data.len() as u64,
                            chunks: HashMap::new(),
                        };
                        for (index, chunk) in data.chunks(CHUNK_SIZE).enumerate() {
                            entry.chunks.insert(index as u64, chunk.into());
                        }
                        shared.packs.insert(path, Arc::new(Mutex::new(entry)));
                    }
                    Change::Remove => {
                        shared.packs.remove(&path);
                    }
                }
            } else {
                plain.changes.push((path, change));
            }
        }
        drop(shared);
        self.mirror.commit(plain)
    }

    fn write_pack(&self, path: &str, pack: PackBytes) -> Result<(), Error> {
        check_path(path)?;
        if !is_pack(path) {
            let mut tx = Transaction::default();
            tx.write(path, pack.to_vec());
            return self.commit(tx);
        }
        let mut entry = PackEntry {
            len: pack.len(),
            chunks: HashMap::new(),
        };
        // One chunk at a time: each is moved behind an `Arc` and its buffer freed before the
        // next, so storing costs one chunk more than the pack, not a second pack.
        for (index, chunk) in pack.into_chunks().into_iter().enumerate() {
            entry.chunks.insert(index as u64, Arc::from(chunk));
        }
        let mut shared = self.lock();
        shared.journal.insert(path.to_owned(), Some(()));
        shared
            .packs
            .insert(path.to_owned(), Arc::new(Mutex::new(entry)));
        Ok(())
    }

    fn pack_data(&self, path: &str) -> Result<Option<Box<dyn PackData>>, Error> {
        check_path(path)?;
        Ok(self.lock().packs.get(path).map(|entry| {
            Box::new(ChunkedPack {
                path: path.to_owned(),
                entry: Arc::clone(entry),
            }) as Box<dyn PackData>
        }))
    }
}
