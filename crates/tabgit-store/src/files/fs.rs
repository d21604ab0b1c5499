//! A real git directory on disk, laid out exactly as git lays it out.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::files::{check_path, Change, Error, GitFiles, Transaction};

/// A git directory on the local filesystem.
///
/// Each file is replaced atomically with git's lock-file protocol: write `<file>.lock`, then
/// rename it over the file (objects and packs, named by their content, are written under a
/// temporary name of their own instead). A transaction takes every lock first, so it fails before changing
/// anything if another git process holds one; the renames that follow are not atomic as a group
/// (git's own ref transactions share that limit).
#[derive(Clone, Debug)]
pub struct FsFiles {
    root: PathBuf,
}

impl FsFiles {
    /// Use the git directory at `root` (a `.git` directory or a bare repository).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        FsFiles { root: root.into() }
    }

    /// The directory on disk.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path(&self, path: &str) -> Result<PathBuf, Error> {
        check_path(path)?;
        Ok(self.root.join(path))
    }
}

fn io<'a>(action: &'static str, path: &'a str) -> impl FnOnce(std::io::Error) -> Error + 'a {
    move |source| {
        if source.kind() == std::io::ErrorKind::StorageFull {
            Error::Full {
                path: path.to_owned(),
            }
        } else {
            Error::Io {
                action,
                path: path.to_owned(),
                source,
            }
        }
    }
}

/// The file a change is written to before it is renamed over `target`: git's `<file>.lock`,
/// except for objects and pack files. Those are named by their content, so two writers write
/// the same bytes and need no lock; each gets a name of its own (`<file>.<pid>-<n>.tmp`), as git
/// writes packs under `tmp_pack_*`, so a writer killed midway leaves a file that blocks no later
/// fetch (a `.lock` left there stopped every fetch of the same pack until removed by hand).
fn lock_path(target: &Path, path: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    if is_named_by_content(path) {
        PathBuf::from(format!(
            "{}.{}-{}.tmp",
            target.display(),
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ))
    } else {
        PathBuf::from(format!("{}.lock", target.display()))
    }
}

/// A loose object (`objects/xx/<38 hex>`) or a pack's file (`objects/pack/pack-<hex>.<ext>`).
fn is_named_by_content(path: &str) -> bool {
    let is_hex = |text: &str| !text.is_empty() && text.bytes().all(|b| b.is_ascii_hexdigit());
    let Some(rest) = path.strip_prefix("objects/") else {
        return false;
    };
    if let Some(name) = rest.strip_prefix("pack/pack-") {
        return name
            .split_once('.')
            .is_some_and(|(hash, ext)| is_hex(hash) && !ext.is_empty() && !ext.contains('.'));
    }
    rest.split_once('/').is_some_and(|(dir, name)| {
        dir.len() == 2 && is_hex(dir) && name.len() >= 38 && is_hex(name)
    })
}

/// A pack file read with positioned reads, never loaded whole.
struct FilePack {
    file: std::fs::File,
    len: u64,
}

impl tabgit_pack::bundle::PackData for FilePack {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_at(
        &self,
        offset: u64,
        len: usize,
    ) -> Result<std::borrow::Cow<'_, [u8]>, tabgit_pack::bundle::ReadError> {
        use std::os::unix::fs::FileExt as _;
        let len = len.min(usize::try_from(self.len.saturating_sub(offset)).unwrap_or(usize::MAX));
        let mut buf = vec![0u8; len];
        self.file
            .read_exact_at(&mut buf, offset)
            .map_err(|err| tabgit_pack::bundle::ReadError::Storage(err.to_string()))?;
        Ok(std::borrow::Cow::Owned(buf))
    }
}

impl GitFiles for FsFiles {
    fn pack_data(
        &self,
        path: &str,
    ) -> Result<Option<Box<dyn tabgit_pack::bundle::PackData>>, Error> {
        let file = match std::fs::File::open(self.path(path)?) {
            Ok(file) => file,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(io("open", path)(err)),
        };
        let len = file.metadata().map_err(io("stat", path))?.len();
        Ok(Some(Box::new(FilePack { file, len })))
    }

    fn read(&self, path: &str) -> Result<Option<Vec<u8>>, Error> {
        match std::fs::read(self.path(path)?) {
            Ok(data) => Ok(Some(data)),
            Err(err)
                if matches!(
                    err.kind(),
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
                ) =>
            {
                Ok(None)
            }
            Err(err) if err.kind() == std::io::ErrorKind::IsADirectory => Ok(None),
            Err(err) => Err(io("read", path)(err)),
        }
    }

    fn exists(&self, path: &str) -> Result<bool, Error> {
        Ok(self.path(path)?.is_file())
    }

    fn list(&self, dir: &str) -> Result<Vec<String>, Error> {
        let full = if dir.is_empty() {
            self.root.clone()
        } else {
            self.path(dir)?
        };
        let entries = match std::fs::read_dir(&full) {
            Ok(entries) => entries,
            Err(err)
                if matches!(
                    err.kind(),
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
                ) =>
            {
                return Ok(Vec::new())
            }
            Err(err) => return Err(io("list", dir)(err)),
        };
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(io("list", dir))?;
            if let Ok(name) = entry.file_name().into_string() {
                if std::path::Path::new(&name)
                    .extension()
                    .is_none_or(|ext| ext != "lock" && ext != "tmp")
                {
                    names.push(name);
                }
            }
        }
        names.sort();
        Ok(names)
    }

    fn commit(&self, transaction: Transaction) -> Result<(), Error> {
        // Take every lock first.
        let mut locked: Vec<(PathBuf, PathBuf, &str, &Change)> = Vec::new();
        let release = |locked: &[(PathBuf, PathBuf, &str, &Change)]| {
            for (_, lock, _, _) in locked {
                let _ = std::fs::remove_file(lock);
            }
        };
        for (path, change) in &transaction.changes {
            let target = self.path(path)?;
            let lock = lock_path(&target, path);
            if let Some(parent) = target.parent() {
                if let Err(err) = std::fs::create_dir_all(parent) {
                    release(&locked);
                    return Err(io("create directory for", path)(err));
                }
            }
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&lock)
            {
                Ok(mut file) => {
                    locked.push((target, lock.clone(), path, change));
                    if let Change::Write(data) = change {
                        if let Err(err) = file.write_all(data).and_then(|()| file.sync_data()) {
                            release(&locked);
                            return Err(io("write", path)(err));
                        }
                    }
                }
                Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
                    release(&locked);
                    // Name every other held lock this change needs (a killed update leaves a
                    // ref's lock and its reflog's), so they are cleared in one go.
                    let also = transaction
                        .changes
                        .iter()
                        .skip_while(|(other, _)| other != path)
                        .skip(1)
                        .filter(|(other, _)| {
                            self.path(other).is_ok_and(|target| {
                                let lock = lock_path(&target, other);
                                lock.extension().is_some_and(|e| e == "lock") && lock.exists()
                            })
                        })
                        .map(|(other, _)| other.clone())
                        .collect();
                    return Err(Error::Locked {
                        path: path.clone(),
                        also,
                    });
                }
                Err(err) => {
                    release(&locked);
                    return Err(io("lock", path)(err));
                }
            }
        }
        for (idx, (target, lock, path, change)) in locked.iter().enumerate() {
            let res = match change {
                Change::Write(_) => std::fs::rename(lock, target),
                Change::Remove => {
                    let removed = match std::fs::remove_file(target) {
                        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
                        other => other,
                    };
                    let _ = std::fs::remove_file(lock);
                    removed
                }
            };
            if let Err(err) = res {
                release(&locked[idx..]);
                return Err(io("replace", path)(err));
            }
        }
        Ok(())
    }
}
