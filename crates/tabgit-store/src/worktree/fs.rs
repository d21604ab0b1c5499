use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

use tabgit_index::stat::{FileType, Metadata, StatData, Time};

use crate::worktree::{check_path, EntryKind, Error, FileKind, Worktree};

/// A working tree in a directory on disk.
#[derive(Clone, Debug)]
pub struct FsWorktree {
    root: PathBuf,
}

impl FsWorktree {
    /// The working tree rooted at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        FsWorktree { root: root.into() }
    }

    /// The directory on disk.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn full(&self, path: &[u8]) -> Result<PathBuf, Error> {
        use std::os::unix::ffi::OsStrExt as _;
        check_path(path)?;
        Ok(self.root.join(std::ffi::OsStr::from_bytes(path)))
    }
}

fn io<'a>(action: &'static str, path: &'a [u8]) -> impl FnOnce(std::io::Error) -> Error + 'a {
    move |source| {
        let path = String::from_utf8_lossy(path).into_owned();
        if source.kind() == std::io::ErrorKind::StorageFull {
            Error::Full { path }
        } else {
            Error::Io {
                action,
                path,
                source,
            }
        }
    }
}

fn to_metadata(meta: &std::fs::Metadata) -> Metadata {
    let file_type = if meta.file_type().is_symlink() {
        FileType::Symlink
    } else if meta.is_dir() {
        FileType::Directory
    } else if meta.is_file() {
        FileType::File {
            executable: meta.mode() & 0o100 != 0,
        }
    } else {
        FileType::Other
    };
    Metadata {
        stat: StatData {
            ctime: Time {
                secs: meta.ctime() as u32,
                nsecs: meta.ctime_nsec() as u32,
            },
            mtime: Time {
                secs: meta.mtime() as u32,
                nsecs: meta.mtime_nsec() as u32,
            },
            dev: meta.dev() as u32,
            ino: meta.ino() as u32,
            uid: meta.uid(),
            gid: meta.gid(),
            size: meta.size() as u32,
        },
        file_type,
    }
}

fn not_found(err: &std::io::Error) -> bool {
    matches!(
        err.kind(),
        std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
    )
}

impl Worktree for FsWorktree {
    fn read(&self, path: &[u8]) -> Result<Option<(FileKind, Vec<u8>)>, Error> {
        use std::os::unix::ffi::OsStrExt as _;
        let full = self.full(path)?;
        let meta = match std::fs::symlink_metadata(&full) {
            Ok(meta) => meta,
            Err(err) if not_found(&err) => return Ok(None),
            Err(err) => return Err(io("read", path)(err)),
        };
        if meta.file_type().is_symlink() {
            let target = std::fs::read_link(&full).map_err(io("read link", path))?;
            return Ok(Some((
                FileKind::Symlink,
                target.as_os_str().as_bytes().to_vec(),
            )));
        }
        if !meta.is_file() {
            return Ok(None);
        }
        let data = std::fs::read(&full).map_err(io("read", path))?;
        let kind = if meta.mode() & 0o100 != 0 {
            FileKind::Executable
        } else {
            FileKind::File
        };
        Ok(Some((kind, data)))
    }

    fn metadata(&self, path: &[u8]) -> Result<Option<Metadata>, Error> {
        match std::fs::symlink_metadata(self.full(path)?) {
            Ok(meta) => Ok(Some(to_metadata(&meta))),
            Err(err) if not_found(&err) => Ok(None),
            Err(err) => Err(io("stat", path)(err)),
        }
    }

    fn list(&self, dir: &[u8]) -> Result<Vec<(Vec<u8>, EntryKind)>, Error> {
        use std::os::unix::ffi::OsStrExt as _;
        let full = if dir.is_empty() {
            self.root.clone()
        } else {
            self.full(dir)?
        };
        let entries = match std::fs::read_dir(&full) {
            Ok(entries) => entries,
            Err(err) if not_found(&err) => return Ok(Vec::new()),
            Err(err) => return Err(io("list", dir)(err)),
        };
        let mut out = Vec::new();
        for entry in entries {
            let entry = entry.map_err(io("list", dir))?;
            let name = entry.file_name().as_bytes().to_vec();
            if name == b".git" {
                continue;
            }
            let file_type = entry.file_type().map_err(io("list", dir))?;
            let kind = if file_type.is_symlink() {
                EntryKind::File(FileKind::Symlink)
            } else if file_type.is_dir() {
                EntryKind::Directory
            } else {
                let mode = entry.metadata().map_err(io("stat", dir))?.mode();
                EntryKind::File(if mode & 0o100 != 0 {
                    FileKind::Executable
                } else {
                    FileKind::File
                })
            };
            out.push((name, kind));
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }

    fn write(&self, path: &[u8], kind: FileKind, data: &[u8]) -> Result<Metadata, Error> {
        use std::os::unix::ffi::OsStrExt as _;
        let full = self.full(path)?;
        // Create parents, replacing anything that is not a real directory (never follow a
        // symlink into somewhere else: git's `has_symlink_leading_path`).
        let mut current = self.root.clone();
        let components: Vec<&[u8]> = path.split(|&b| b == b'/').collect();
        for component in &components[..components.len() - 1] {
            current.push(std::ffi::OsStr::from_bytes(component));
            match std::fs::symlink_metadata(&current) {
                Ok(meta) if meta.is_dir() && !meta.file_type().is_symlink() => {}
                Ok(_) => {
                    std::fs::remove_file(&current).map_err(io("replace", path))?;
                    std::fs::create_dir(&current).map_err(io("create directory for", path))?;
                }
                Err(err) if not_found(&err) => {
                    std::fs::create_dir(&current).map_err(io("create directory for", path))?;
                }
                Err(err) => return Err(io("create directory for", path)(err)),
            }
        }
        match std::fs::symlink_metadata(&full) {
            Ok(meta) if meta.is_dir() && !meta.file_type().is_symlink() => {
                std::fs::remove_dir_all(&full).map_err(io("replace directory", path))?;
            }
            Ok(_) => std::fs::remove_file(&full).map_err(io("replace", path))?,
            Err(_) => {}
        }
        match kind {
            FileKind::Symlink => {
                std::os::unix::fs::symlink(std::ffi::OsStr::from_bytes(data), &full)
                    .map_err(io("create link", path))?;
            }
            FileKind::File | FileKind::Executable => {
                std::fs::write(&full, data).map_err(io("write", path))?;
                let mode = if kind == FileKind::Executable {
                    0o755
                } else {
                    0o644
                };
                std::fs::set_permissions(&full, std::fs::Permissions::from_mode(mode))
                    .map_err(io("set mode of", path))?;
            }
        }
        let meta = std::fs::symlink_metadata(&full).map_err(io("stat", path))?;
        Ok(to_metadata(&meta))
    }

    fn create_dir(&self, path: &[u8]) -> Result<(), Error> {
        let full = self.full(path)?;
        match std::fs::symlink_metadata(&full) {
            Ok(meta) if meta.is_dir() && !meta.file_type().is_symlink() => return Ok(()),
            Ok(_) => std::fs::remove_file(&full).map_err(io("replace", path))?,
            Err(_) => {}
        }
        std::fs::create_dir_all(&full).map_err(io("create directory", path))
    }

    fn remove(&self, path: &[u8]) -> Result<(), Error> {
        let full = self.full(path)?;
        match std::fs::remove_file(&full) {
            Ok(()) => {}
            Err(err) if not_found(&err) => return Ok(()),
            Err(err) => return Err(io("remove", path)(err)),
        }
        // Remove parents left empty, up to the root.
        let mut dir = full.parent().map(Path::to_path_buf);
        while let Some(d) = dir {
            if d == self.root || std::fs::remove_dir(&d).is_err() {
                break;
            }
            dir = d.parent().map(Path::to_path_buf);
        }
        Ok(())
    }
}
