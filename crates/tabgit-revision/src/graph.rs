//! A cache of the commit graph: each commit's parents and committer date, parsed once.

use std::collections::{HashMap, HashSet};

use tabgit_hash::ObjectId;
use tabgit_object::{find, CommitRef, Find, Kind};

/// The reasons the commit graph could not be read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A commit is not in the object database.
    #[error("commit {id} is missing from the repository")]
    Missing {
        /// The missing commit.
        id: ObjectId,
    },
    /// An object that should be a commit is something else.
    #[error("object {id} is a {kind}, not a commit")]
    NotACommit {
        /// The object.
        id: ObjectId,
        /// What it is.
        kind: Kind,
    },
    /// A commit does not parse.
    #[error("commit {id} is malformed")]
    Malformed {
        /// The commit.
        id: ObjectId,
        /// What is wrong.
        #[source]
        source: tabgit_object::commit::Error,
    },
    /// The object database failed.
    #[error("could not read commit {id}")]
    Find {
        /// The commit.
        id: ObjectId,
        /// The store's error.
        #[source]
        source: find::Error,
    },
}

/// What the walks need to know about a commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitInfo {
    /// Parents, first parent first (empty for roots and for shallow boundaries).
    pub parents: Vec<ObjectId>,
    /// Committer time in seconds since the epoch (git's `commit->date`).
    pub date: i64,
}

/// Parsed commits of one object database.
pub struct Graph<'f> {
    find: &'f dyn Find,
    commits: HashMap<ObjectId, CommitInfo>,
    shallow: HashSet<ObjectId>,
    buf: Vec<u8>,
}

impl<'f> Graph<'f> {
    /// A graph over `find`. Commits listed in `shallow` (the `shallow` file of a shallow clone)
    /// are treated as having no parents, as git does.
    pub fn new(find: &'f dyn Find, shallow: HashSet<ObjectId>) -> Self {
        Graph {
            find,
            commits: HashMap::new(),
            shallow,
            buf: Vec::new(),
        }
    }

    /// The object database.
    pub fn find(&self) -> &'f dyn Find {
        self.find
    }

    /// Parents and date of `id`.
    pub fn commit(&mut self, id: &ObjectId) -> Result<&CommitInfo, Error> {
        if !self.commits.contains_key(id) {
            let info = self.load(id)?;
            self.commits.insert(*id, info);
        }
        Ok(&self.commits[id])
    }

    fn load(&mut self, id: &ObjectId) -> Result<CommitInfo, Error> {
        let data = self
            .find
            .try_find(id, &mut self.buf)
            .map_err(|source| Error::Find { id: *id, source })?
            .ok_or(Error::Missing { id: *id })?;
        if data.kind != Kind::Commit {
            return Err(Error::NotACommit {
                id: *id,
                kind: data.kind,
            });
        }
        let commit = CommitRef::from_bytes(data.data)
            .map_err(|source| Error::Malformed { id: *id, source })?;
        // git's `parse_commit_date`: an unparseable date counts as 0.
        let date = commit.committer.time().map_or(0, |t| t.seconds);
        let parents = if self.shallow.contains(id) {
            Vec::new()
        } else {
            commit.parents
        };
        Ok(CommitInfo { parents, date })
    }

    /// Peel `id` to a commit: follow tags until a commit is reached.
    pub fn peel_to_commit(&mut self, id: &ObjectId) -> Result<ObjectId, Error> {
        let mut current = *id;
        for _ in 0..64 {
            let data = self
                .find
                .try_find(&current, &mut self.buf)
                .map_err(|source| Error::Find {
                    id: current,
                    source,
                })?
                .ok_or(Error::Missing { id: current })?;
            match data.kind {
                Kind::Commit => return Ok(current),
                Kind::Tag => {
                    let tag = tabgit_object::TagRef::from_bytes(data.data).map_err(|_| {
                        Error::NotACommit {
                            id: current,
                            kind: Kind::Tag,
                        }
                    })?;
                    current = tag.target;
                }
                kind => return Err(Error::NotACommit { id: current, kind }),
            }
        }
        Err(Error::NotACommit {
            id: *id,
            kind: Kind::Tag,
        })
    }
}
