//! Tags (`git tag`): lightweight (a ref to an object) and annotated (a tag object with a tagger
//! and message, passed in), listing and deleting. Tag refs keep no reflog, as in git.

use tabgit_hash::ObjectId;
use tabgit_object::{Kind, Signature, Tag};
use tabgit_refs::{name, Target};
use tabgit_store::files::GitFiles;
use tabgit_store::refs::{Change, Expected, RefEdit};

use crate::Repository;

/// The reasons a tag operation failed; nothing changed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The name is not a valid tag name.
    #[error("'{}' is not a valid tag name", String::from_utf8_lossy(.name))]
    InvalidName {
        /// The name.
        name: Vec<u8>,
    },
    /// The tag exists.
    #[error("tag '{}' already exists", String::from_utf8_lossy(.name))]
    Exists {
        /// The short name.
        name: Vec<u8>,
    },
    /// The tag does not exist.
    #[error("tag '{}' not found", String::from_utf8_lossy(.name))]
    NotFound {
        /// The short name.
        name: Vec<u8>,
    },
    /// The repository could not be read.
    #[error(transparent)]
    Repository(#[from] crate::Error),
    /// The refs could not be read or updated.
    #[error(transparent)]
    Refs(#[from] tabgit_store::refs::Error),
    /// The object database failed.
    #[error(transparent)]
    Odb(#[from] tabgit_store::odb::Error),
}

/// What an annotated tag says.
#[derive(Clone, Debug)]
pub struct Annotation {
    /// Who tagged, and when.
    pub tagger: Signature,
    /// The message, used as given (`git tag -m` adds a final newline).
    pub message: Vec<u8>,
}

/// How to create a tag.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Replace an existing tag (`-f`).
    pub force: bool,
    /// Make an annotated tag (`-a`/`-m`).
    pub annotation: Option<Annotation>,
}

fn full(short: &[u8]) -> Vec<u8> {
    let mut out = name::TAG_PREFIX.to_vec();
    out.extend_from_slice(short);
    out
}

/// Create tag `short_name` for `target`; returns what the ref points at (the tag object for an
/// annotated tag).
pub fn create<F: GitFiles + Clone>(
    repo: &Repository<F>,
    short_name: &[u8],
    target: ObjectId,
    options: &Options,
) -> Result<ObjectId, Error> {
    let full_name = full(short_name);
    if !name::is_valid(&full_name, name::Options::default()) || short_name.first() == Some(&b'-') {
        return Err(Error::InvalidName {
            name: short_name.to_vec(),
        });
    }
    let existing = repo.refs().read(&full_name)?.and_then(|t| t.object_id());
    if existing.is_some() && !options.force {
        return Err(Error::Exists {
            name: short_name.to_vec(),
        });
    }
    let (target_kind, _) = repo.object(&target)?;
    let ref_target = match &options.annotation {
        Some(annotation) => {
            let tag = Tag {
                target,
                target_kind,
                name: short_name.to_vec(),
                tagger: Some(annotation.tagger.clone()),
                extra_headers: Vec::new(),
                message: annotation.message.clone(),
            };
            repo.odb().write_loose(Kind::Tag, &tag.to_bytes())?
        }
        None => target,
    };
    repo.refs().commit(&[RefEdit {
        name: full_name,
        change: Change::Set(Target::Object(ref_target)),
        expected: existing.map_or(Expected::Absent, Expected::Value),
        log: None,
    }])?;
    Ok(ref_target)
}

/// Delete tag `short_name`; returns what it pointed at.
pub fn delete<F: GitFiles + Clone>(
    repo: &Repository<F>,
    short_name: &[u8],
) -> Result<ObjectId, Error> {
    let full_name = full(short_name);
    let Some(id) = repo.refs().read(&full_name)?.and_then(|t| t.object_id()) else {
        return Err(Error::NotFound {
            name: short_name.to_vec(),
        });
    };
    repo.refs().commit(&[RefEdit {
        name: full_name,
        change: Change::Delete,
        expected: Expected::Value(id),
        log: None,
    }])?;
    Ok(id)
}

/// Every tag's short name and what its ref points at, sorted by name.
pub fn list<F: GitFiles + Clone>(repo: &Repository<F>) -> Result<Vec<(Vec<u8>, ObjectId)>, Error> {
    Ok(repo
        .refs()
        .list(name::TAG_PREFIX)?
        .into_iter()
        .filter_map(|r| {
            let id = r.target.object_id()?;
            Some((r.name[name::TAG_PREFIX.len()..].to_vec(), id))
        })
        .collect())
}
