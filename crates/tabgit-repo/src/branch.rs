//! Branches (`git branch`): list, create, delete (refusing unmerged ones unless forced), rename
//! (with the reflog and the `branch.<name>` config section), and upstream tracking
//! (`branch.<name>.remote` / `.merge`).
//!
//! Branch names are short (`topic`); refs and config change in one update (see
//! [`crate::update`]).

use tabgit_hash::ObjectId;
use tabgit_object::Signature;
use tabgit_refs::{name, RefSpec, Target};
use tabgit_store::files::GitFiles;
use tabgit_store::refs::{Change, Expected, Head, LogEntry, RefEdit};

use crate::update::Update;
use crate::Repository;

/// A local branch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Branch {
    /// The full name (`refs/heads/topic`).
    pub name: Vec<u8>,
    /// Its commit.
    pub commit_id: ObjectId,
    /// Whether `HEAD` is on it.
    pub is_head: bool,
    /// The full name of its upstream, if configured.
    pub upstream: Option<Vec<u8>>,
}

/// The reasons a branch operation failed; nothing changed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The name is not a valid branch name.
    #[error("'{}' is not a valid branch name", String::from_utf8_lossy(.name))]
    InvalidName {
        /// The name.
        name: Vec<u8>,
        /// Why.
        #[source]
        source: name::Error,
    },
    /// The branch exists already.
    #[error("a branch named '{}' already exists", String::from_utf8_lossy(.name))]
    Exists {
        /// The short name.
        name: Vec<u8>,
    },
    /// The branch does not exist.
    #[error("branch '{}' not found", String::from_utf8_lossy(.name))]
    NotFound {
        /// The short name.
        name: Vec<u8>,
    },
    /// The branch is checked out.
    #[error("cannot delete or force-update branch '{}' checked out", String::from_utf8_lossy(.name))]
    CheckedOut {
        /// The short name.
        name: Vec<u8>,
    },
    /// The branch has commits its upstream (or `HEAD`) lacks.
    #[error("the branch '{}' is not fully merged", String::from_utf8_lossy(.name))]
    NotFullyMerged {
        /// The short name.
        name: Vec<u8>,
    },
    /// The upstream ref does not exist or maps to no remote.
    #[error("the requested upstream branch '{}' does not exist", String::from_utf8_lossy(.name))]
    NoSuchUpstream {
        /// The name given.
        name: Vec<u8>,
    },
    /// `HEAD` is detached, and no branch was named.
    #[error("HEAD is not on a branch")]
    Detached,
    /// The repository could not be read.
    #[error(transparent)]
    Repository(#[from] crate::Error),
    /// The refs could not be read or updated.
    #[error(transparent)]
    Refs(#[from] tabgit_store::refs::Error),
    /// The update failed.
    #[error(transparent)]
    Update(#[from] crate::update::Error),
    /// The config could not be changed.
    #[error(transparent)]
    Config(#[from] tabgit_config::file::Error),
    /// The commit graph could not be read.
    #[error(transparent)]
    Graph(#[from] tabgit_revision::graph::Error),
}

/// How to create a branch.
#[derive(Clone, Debug, Default)]
pub struct CreateOptions {
    /// Move an existing branch (`-f`).
    pub force: bool,
    /// Track this upstream (full ref name: `refs/remotes/origin/main` or `refs/heads/main`).
    pub track: Option<Vec<u8>>,
}

fn full(short: &[u8]) -> Vec<u8> {
    let mut out = name::LOCAL_BRANCH_PREFIX.to_vec();
    out.extend_from_slice(short);
    out
}

fn check_name(short: &[u8]) -> Result<(), Error> {
    name::check_branch_name(short).map_err(|source| Error::InvalidName {
        name: short.to_vec(),
        source,
    })
}

/// The branch `HEAD` is on, if any.
fn current<F: GitFiles + Clone>(repo: &Repository<F>) -> Result<Option<Vec<u8>>, Error> {
    Ok(match repo.head()? {
        Head::Branch { name, .. } => Some(name),
        Head::Detached(_) => None,
    })
}

/// Every local branch, sorted by name.
pub fn list<F: GitFiles + Clone>(repo: &Repository<F>) -> Result<Vec<Branch>, Error> {
    let head = current(repo)?;
    let mut out = Vec::new();
    for entry in repo.refs().list(name::LOCAL_BRANCH_PREFIX)? {
        let Some(commit_id) = entry.target.object_id() else {
            continue;
        };
        let upstream = repo.upstream_of(Some(&entry.name)).ok();
        out.push(Branch {
            is_head: head.as_deref() == Some(entry.name.as_slice()),
            name: entry.name,
            commit_id,
            upstream,
        });
    }
    Ok(out)
}

/// Create branch `short_name` at `start` (`git branch <name> <start>`); `start_name` is the
/// revision as the user wrote it, for the reflog (`branch: Created from <start_name>`).
pub fn create<F: GitFiles + Clone>(
    repo: &mut Repository<F>,
    short_name: &[u8],
    start: ObjectId,
    start_name: &[u8],
    options: &CreateOptions,
    committer: &Signature,
) -> Result<(), Error> {
    check_name(short_name)?;
    let full_name = full(short_name);
    let existing = repo.refs().resolve(&full_name)?.1;
    if existing.is_some() && !options.force {
        return Err(Error::Exists {
            name: short_name.to_vec(),
        });
    }
    if existing.is_some() && current(repo)?.as_deref() == Some(full_name.as_slice()) {
        return Err(Error::CheckedOut {
            name: short_name.to_vec(),
        });
    }
    let mut message = if existing.is_some() {
        b"branch: Reset to ".to_vec()
    } else {
        b"branch: Created from ".to_vec()
    };
    message.extend_from_slice(start_name);
    let config = match &options.track {
        Some(upstream) => Some(tracking_config(repo, short_name, upstream)?),
        None => None,
    };
    {
        let update = Update::new(repo);
        update.refs().commit(&[RefEdit {
            name: full_name,
            change: Change::Set(Target::Object(start)),
            expected: existing.map_or(Expected::Absent, Expected::Value),
            log: Some(LogEntry {
                committer: committer.clone(),
                message,
            }),
        }])?;
        if let Some(config) = &config {
            update.write("config", config.to_bytes())?;
        }
        update.commit()?;
    }
    if let Some(config) = config {
        repo.config = config;
    }
    Ok(())
}

/// Check that branch `short_name` may be created (`force`: or reset, unless checked out).
pub(crate) fn check_new<F: GitFiles + Clone>(
    repo: &Repository<F>,
    short_name: &[u8],
    force: bool,
) -> Result<(), Error> {
    check_name(short_name)?;
    let full_name = full(short_name);
    let existing = repo.refs().resolve(&full_name)?.1;
    if existing.is_some() && !force {
        return Err(Error::Exists {
            name: short_name.to_vec(),
        });
    }
    if existing.is_some() && current(repo)?.as_deref() == Some(full_name.as_slice()) {
        return Err(Error::CheckedOut {
            name: short_name.to_vec(),
        });
    }
    Ok(())
}

/// The config with `branch.<short_name>` tracking `upstream` (a full ref name).
pub(crate) fn tracking_config<F: GitFiles + Clone>(
    repo: &Repository<F>,
    short_name: &[u8],
    upstream: &[u8],
) -> Result<tabgit_config::File, Error> {
    if repo.refs().resolve(upstream)?.1.is_none() {
        return Err(Error::NoSuchUpstream {
            name: upstream.to_vec(),
        });
    }
    let (remote, merge) = if upstream.starts_with(name::LOCAL_BRANCH_PREFIX) {
        (b".".to_vec(), upstream.to_vec())
    } else {
        remote_for(repo, upstream).ok_or_else(|| Error::NoSuchUpstream {
            name: upstream.to_vec(),
        })?
    };
    let mut config = repo.config().clone();
    config.set("branch", Some(short_name), "remote", &remote)?;
    config.set("branch", Some(short_name), "merge", &merge)?;
    Ok(config)
}

/// The remote and its branch that a remote-tracking ref mirrors, by the remotes' fetch
/// refspecs.
fn remote_for<F: GitFiles + Clone>(
    repo: &Repository<F>,
    tracking: &[u8],
) -> Option<(Vec<u8>, Vec<u8>)> {
    let config = repo.config();
    for remote in config.subsections("remote") {
        for fetch in config.get_all("remote", Some(remote), "fetch") {
            let Ok(spec) = RefSpec::parse(fetch, tabgit_refs::refspec::Operation::Fetch) else {
                continue;
            };
            if let Some(source) = spec.map_destination(tracking) {
                return Some((remote.to_vec(), source));
            }
        }
    }
    None
}

/// Make branch `short_name` track `upstream` (`git branch --set-upstream-to`).
pub fn set_upstream<F: GitFiles + Clone>(
    repo: &mut Repository<F>,
    short_name: &[u8],
    upstream: &[u8],
) -> Result<(), Error> {
    if repo.refs().resolve(&full(short_name))?.1.is_none() {
        return Err(Error::NotFound {
            name: short_name.to_vec(),
        });
    }
    let config = tracking_config(repo, short_name, upstream)?;
    repo.edit_config(|c| {
        *c = config;
        Ok(())
    })?;
    Ok(())
}

/// Stop tracking (`git branch --unset-upstream`).
pub fn unset_upstream<F: GitFiles + Clone>(
    repo: &mut Repository<F>,
    short_name: &[u8],
) -> Result<(), Error> {
    repo.edit_config(|c| {
        c.unset("branch", Some(short_name), "remote")?;
        c.unset("branch", Some(short_name), "merge")?;
        Ok(())
    })?;
    Ok(())
}

/// Delete branch `short_name` (`git branch -d`, or `-D` with `force`); returns the commit it
/// pointed at.
///
/// ### Relation to git
///
/// Without `force` the branch must be merged into its upstream if it has one (that exists),
/// else into `HEAD` (`branch_merged` in git's `builtin/branch.c`).
pub fn delete<F: GitFiles + Clone>(
    repo: &mut Repository<F>,
    short_name: &[u8],
    force: bool,
) -> Result<ObjectId, Error> {
    let full_name = full(short_name);
    let Some(commit_id) = repo.refs().resolve(&full_name)?.1 else {
        return Err(Error::NotFound {
            name: short_name.to_vec(),
        });
    };
    if current(repo)?.as_deref() == Some(full_name.as_slice()) {
        return Err(Error::CheckedOut {
            name: short_name.to_vec(),
        });
    }
    if !force {
        let upstream = repo
            .upstream_of(Some(&full_name))
            .ok()
            .and_then(|u| repo.refs().resolve(&u).ok().and_then(|(_, id)| id));
        let reference = match upstream {
            Some(id) => Some(id),
            None => repo.head()?.id(),
        };
        let merged = match reference {
            Some(reference) => {
                let mut graph = repo.graph()?;
                tabgit_revision::merge_base::is_ancestor(&mut graph, commit_id, reference)?
            }
            None => false,
        };
        if !merged {
            return Err(Error::NotFullyMerged {
                name: short_name.to_vec(),
            });
        }
    }
    let mut config = repo.config().clone();
    let removed = config.remove_section("branch", Some(short_name))? > 0;
    {
        let update = Update::new(repo);
        update.refs().commit(&[RefEdit {
            name: full_name,
            change: Change::Delete,
            expected: Expected::Value(commit_id),
            log: None,
        }])?;
        if removed {
            update.write("config", config.to_bytes())?;
        }
        update.commit()?;
    }
    if removed {
        repo.config = config;
    }
    Ok(commit_id)
}

/// Rename branch `old` to `new` (`git branch -m`, `-M` with `force`), keeping its reflog (with
/// a `Branch: renamed …` entry) and its config section; `HEAD` follows if it was on it.
pub fn rename<F: GitFiles + Clone>(
    repo: &mut Repository<F>,
    old: &[u8],
    new: &[u8],
    force: bool,
    committer: &Signature,
) -> Result<(), Error> {
    check_name(new)?;
    let (old_full, new_full) = (full(old), full(new));
    let Some(commit_id) = repo.refs().resolve(&old_full)?.1 else {
        return Err(Error::NotFound { name: old.to_vec() });
    };
    let existing_new = repo.refs().resolve(&new_full)?.1;
    if old_full == new_full {
        return Ok(());
    }
    if existing_new.is_some() && !force {
        return Err(Error::Exists { name: new.to_vec() });
    }
    let on_old = current(repo)?.as_deref() == Some(old_full.as_slice());
    let mut config = repo.config().clone();
    let renamed = config.rename_section("branch", Some(old), "branch", Some(new))? > 0;
    let old_log_path = format!("logs/{}", String::from_utf8_lossy(&old_full));
    let new_log_path = format!("logs/{}", String::from_utf8_lossy(&new_full));
    let mut message = b"Branch: renamed ".to_vec();
    message.extend_from_slice(&old_full);
    message.extend_from_slice(b" to ");
    message.extend_from_slice(&new_full);
    let message_for_head = message.clone();
    {
        let update = Update::new(repo);
        let old_log = repo
            .files()
            .read(&old_log_path)
            .map_err(crate::Error::from)?;
        let refs = update.refs();
        let mut edits = vec![RefEdit {
            name: old_full.clone(),
            change: Change::Delete,
            expected: Expected::Value(commit_id),
            log: None,
        }];
        if existing_new.is_some() {
            edits.push(RefEdit {
                name: new_full.clone(),
                change: Change::Delete,
                expected: Expected::Any,
                log: None,
            });
        }
        refs.commit(&edits)?;
        if let Some(log) = old_log {
            update.write(&new_log_path, log)?;
        }
        let mut edits = vec![RefEdit {
            name: new_full.clone(),
            change: Change::Set(Target::Object(commit_id)),
            expected: Expected::Absent,
            log: Some(LogEntry {
                committer: committer.clone(),
                message,
            }),
        }];
        if on_old {
            edits.push(RefEdit {
                name: b"HEAD".to_vec(),
                change: Change::Set(Target::Symbolic(new_full.clone())),
                expected: Expected::Any,
                log: None,
            });
        }
        refs.commit(&edits)?;
        if on_old {
            crate::reset::append_reflog(
                &update,
                "logs/HEAD",
                Some(commit_id),
                commit_id,
                committer,
                message_for_head,
            )?;
        }
        if renamed {
            update.write("config", config.to_bytes())?;
        }
        update.commit()?;
    }
    if renamed {
        repo.config = config;
    }
    Ok(())
}
