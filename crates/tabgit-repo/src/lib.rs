//! The porcelain: a [`Repository`] — objects, refs, config, the index and a working tree — and
//! the operations people run on it.
//!
//! Storage comes in through `tabgit-store`'s [`GitFiles`] and [`Worktree`] traits, so the same
//! code serves a real `.git` directory (the native CLI), memory (tests) and IndexedDB (the
//! browser). Nothing here reads a clock: identities and times are passed in.
//!
//! ## Examples
//!
//! ```
//! use tabgit_repo::{init, Repository};
//! use tabgit_store::files::MemoryFiles;
//! let repo = init::init(MemoryFiles::default(), None, &init::Options::default()).unwrap();
//! assert!(repo.head().unwrap().id().is_none(), "a new repository has an unborn branch");
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod blame;
pub mod branch;
pub mod checkout;
pub mod cherry_pick;
pub mod clean;
pub mod commit;
pub mod diff;
pub mod init;
pub mod log;
pub mod merge;
pub mod remote;
pub mod reset;
pub mod rev_parse;
pub mod revert;
pub mod show;
pub mod stage;
pub mod stash;
pub mod status;
pub mod switch;
pub mod tag;
pub mod update;

use tabgit_hash::ObjectId;
use tabgit_object::{Find, Kind};
use tabgit_store::files::GitFiles;
use tabgit_store::odb::Odb;
use tabgit_store::refs::{Head, RefStore};
use tabgit_store::worktree::Worktree;

pub use tabgit_store::files::MemoryFiles;
pub use tabgit_store::worktree::MemoryWorktree;
#[cfg(not(target_arch = "wasm32"))]
pub use tabgit_store::{files::FsFiles, worktree::FsWorktree};

/// The reasons a repository could not be opened or read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The directory is not a git repository.
    #[error("not a git repository (no HEAD)")]
    NotARepository,
    /// Storage failed.
    #[error(transparent)]
    Files(#[from] tabgit_store::files::Error),
    /// The object database failed.
    #[error(transparent)]
    Odb(#[from] tabgit_store::odb::Error),
    /// The refs are damaged.
    #[error(transparent)]
    Refs(#[from] tabgit_store::refs::Error),
    /// The config file does not parse.
    #[error("the repository's config file is invalid")]
    Config(#[from] tabgit_config::parse::Error),
    /// The config could not be changed.
    #[error("cannot change the config")]
    ConfigEdit(#[from] tabgit_config::file::Error),
    /// The index file does not parse.
    #[error("the index file is damaged")]
    Index(#[from] tabgit_index::decode::Error),
    /// The index could not be written.
    #[error("cannot write the index")]
    IndexWrite(#[from] tabgit_index::write::Error),
    /// The repository uses something tabgit cannot handle.
    #[error("unsupported repository: {reason}")]
    Unsupported {
        /// What.
        reason: String,
    },
    /// An object is missing.
    #[error("object {id} is missing")]
    MissingObject {
        /// The object.
        id: ObjectId,
    },
}

/// One repository: its git directory's files, and optionally a working tree.
pub struct Repository<F: GitFiles + Clone> {
    files: F,
    odb: Odb<F>,
    refs: RefStore<F>,
    config: tabgit_config::File,
    worktree: Option<Box<dyn Worktree>>,
}

/// Lifecycle
impl<F: GitFiles + Clone> Repository<F> {
    /// Open the repository stored in `files`, with `worktree` unless it is bare.
    pub fn open(files: F, worktree: Option<Box<dyn Worktree>>) -> Result<Self, Error> {
        if !files.exists("HEAD")? {
            return Err(Error::NotARepository);
        }
        let config = match files.read("config")? {
            Some(data) => tabgit_config::File::from_bytes(&data)?,
            None => tabgit_config::File::default(),
        };
        if let Ok(Some(version)) = config.get_int("core", None, "repositoryformatversion") {
            if version > 1 {
                return Err(Error::Unsupported {
                    reason: format!("core.repositoryformatversion = {version}"),
                });
            }
        }
        if let Some(format) = config.get("extensions", None, "objectformat") {
            if !format.eq_ignore_ascii_case(b"sha1") {
                return Err(Error::Unsupported {
                    reason: format!("object format {}", String::from_utf8_lossy(format)),
                });
            }
        }
        let odb = Odb::open(files.clone())?;
        let refs = RefStore::new(files.clone());
        Ok(Repository {
            files,
            odb,
            refs,
            config,
            worktree,
        })
    }
}

/// Access
impl<F: GitFiles + Clone> Repository<F> {
    /// The git directory's files.
    pub fn files(&self) -> &F {
        &self.files
    }

    /// The object database.
    pub fn odb(&self) -> &Odb<F> {
        &self.odb
    }

    /// The refs.
    pub fn refs(&self) -> &RefStore<F> {
        &self.refs
    }

    /// The configuration (`config` in the git directory).
    pub fn config(&self) -> &tabgit_config::File {
        &self.config
    }

    /// The working tree, unless the repository is bare.
    pub fn worktree(&self) -> Option<&dyn Worktree> {
        self.worktree.as_deref()
    }

    /// Where HEAD points.
    pub fn head(&self) -> Result<Head, Error> {
        Ok(self.refs.head()?)
    }

    /// Whether the repository has no working tree.
    pub fn is_bare(&self) -> bool {
        self.worktree.is_none()
    }

    /// Read an object; `MissingObject` if absent.
    pub fn object(&self, id: &ObjectId) -> Result<(Kind, Vec<u8>), Error> {
        let mut buf = Vec::new();
        match self.odb.find(id, &mut buf)? {
            Some(kind) => Ok((kind, buf)),
            None => Err(Error::MissingObject { id: *id }),
        }
    }

    /// The staging area (an empty index if there is no index file).
    pub fn index(&self) -> Result<tabgit_index::State, Error> {
        match self.files.read("index")? {
            Some(data) => Ok(tabgit_index::State::from_bytes(&data)?),
            None => Ok(tabgit_index::State::default()),
        }
    }

    /// The commits treated as parentless because the repository is shallow.
    pub fn shallow(&self) -> Result<std::collections::HashSet<ObjectId>, Error> {
        let Some(data) = self.files.read("shallow")? else {
            return Ok(std::collections::HashSet::new());
        };
        Ok(data
            .split(|&b| b == b'\n')
            .filter_map(|line| ObjectId::from_hex(line).ok())
            .collect())
    }

    /// A commit graph over this repository's objects, for walks.
    pub fn graph(&self) -> Result<tabgit_revision::Graph<'_>, Error> {
        Ok(tabgit_revision::Graph::new(
            &self.odb as &dyn Find,
            self.shallow()?,
        ))
    }
}

/// Mutation
impl<F: GitFiles + Clone> Repository<F> {
    /// Write the staging area.
    pub fn write_index(&self, state: &tabgit_index::State) -> Result<(), Error> {
        let bytes = state.to_bytes(tabgit_index::write::Options::default())?;
        self.files.write("index", &bytes)?;
        Ok(())
    }

    /// Change the configuration with `edit` and store it.
    pub fn edit_config(
        &mut self,
        edit: impl FnOnce(&mut tabgit_config::File) -> Result<(), tabgit_config::file::Error>,
    ) -> Result<(), Error> {
        let mut config = self.config.clone();
        edit(&mut config)?;
        self.files.write("config", &config.to_bytes())?;
        self.config = config;
        Ok(())
    }
}
