//! Resolving revisions users type (`git rev-parse`), following `Documentation/gitrevisions`.

use tabgit_hash::{ObjectId, Prefix};
use tabgit_object::{CommitRef, Kind, TagRef, TreeRef};
use tabgit_pack::index::PrefixLookup;
use tabgit_refs::Target;
use tabgit_revision::spec::{self, Base, Nav, PeelTo, Rev, Spec};
use tabgit_store::files::GitFiles;

use crate::Repository;

/// The reasons a revision could not be resolved.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The text does not parse.
    #[error(transparent)]
    Syntax(#[from] spec::Error),
    /// No ref or object has this name.
    #[error("unknown revision or path not in the working tree: {name}")]
    Unknown {
        /// The name.
        name: String,
    },
    /// An abbreviated id matches several objects.
    #[error("short object ID {name} is ambiguous")]
    Ambiguous {
        /// The abbreviation.
        name: String,
    },
    /// Navigation failed (no such parent, wrong object type, missing path…).
    #[error("{what}")]
    Invalid {
        /// What went wrong, in git's words.
        what: String,
    },
    /// The repository could not be read.
    #[error(transparent)]
    Repository(#[from] crate::Error),
    /// The commit graph could not be read.
    #[error(transparent)]
    Graph(#[from] tabgit_revision::graph::Error),
}

fn invalid(what: impl Into<String>) -> Error {
    Error::Invalid { what: what.into() }
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// What a revision range asks for: commits reachable from `include` but not from `exclude`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Range {
    /// Tips to walk from.
    pub include: Vec<ObjectId>,
    /// Tips whose history is excluded.
    pub exclude: Vec<ObjectId>,
}

impl<F: GitFiles + Clone> Repository<F> {
    /// Resolve a single revision (`HEAD~2`, `main^{tree}`, `v1.0:README.md`, `1a2b3c`).
    pub fn rev_parse(&self, text: &[u8]) -> Result<ObjectId, Error> {
        match spec::parse(text)? {
            Spec::Single(rev) => self.resolve_rev(&rev),
            _ => Err(invalid(format!(
                "{} is a range, not a single revision",
                lossy(text)
            ))),
        }
    }

    /// Resolve a list of revision arguments as `git rev-list`/`git log` take them.
    pub fn rev_parse_range(&self, args: &[&[u8]]) -> Result<Range, Error> {
        let mut range = Range::default();
        for arg in args {
            match spec::parse(arg)? {
                Spec::Single(rev) => range.include.push(self.commit_of(&rev)?),
                Spec::Exclude(rev) => range.exclude.push(self.commit_of(&rev)?),
                Spec::Range { from, to } => {
                    range.exclude.push(self.commit_of(&from)?);
                    range.include.push(self.commit_of(&to)?);
                }
                Spec::SymmetricDifference { a, b } => {
                    let (a, b) = (self.commit_of(&a)?, self.commit_of(&b)?);
                    let mut graph = self.graph()?;
                    range
                        .exclude
                        .extend(tabgit_revision::merge_base::merge_bases(&mut graph, a, b)?);
                    range.include.extend([a, b]);
                }
                Spec::Parents(rev) => {
                    let id = self.commit_of(&rev)?;
                    let mut graph = self.graph()?;
                    range.include.extend(graph.commit(&id)?.parents.clone());
                }
                Spec::CommitOnly(rev) => {
                    let id = self.commit_of(&rev)?;
                    let mut graph = self.graph()?;
                    range.include.push(id);
                    range.exclude.extend(graph.commit(&id)?.parents.clone());
                }
            }
        }
        Ok(range)
    }

    fn commit_of(&self, rev: &Rev) -> Result<ObjectId, Error> {
        let id = self.resolve_rev(rev)?;
        self.peel(id, PeelTo::Commit)
    }

    /// Resolve one parsed revision.
    pub fn resolve_rev(&self, rev: &Rev) -> Result<ObjectId, Error> {
        let mut id = self.resolve_base(&rev.base)?;
        for step in &rev.nav {
            id = match step {
                Nav::Parent(0) => self.peel(id, PeelTo::Commit)?,
                Nav::Parent(n) => {
                    let commit = self.peel(id, PeelTo::Commit)?;
                    let parents = self.graph()?.commit(&commit)?.parents.clone();
                    *parents
                        .get(n - 1)
                        .ok_or_else(|| invalid(format!("commit {commit} has no parent {n}")))?
                }
                Nav::Ancestor(n) => {
                    let mut commit = self.peel(id, PeelTo::Commit)?;
                    let mut graph = self.graph()?;
                    for _ in 0..*n {
                        commit = *graph
                            .commit(&commit)?
                            .parents
                            .first()
                            .ok_or_else(|| invalid(format!("commit {commit} has no parent")))?;
                    }
                    commit
                }
                Nav::Peel(to) => self.peel(id, *to)?,
                Nav::Search(text) => {
                    let commit = self.peel(id, PeelTo::Commit)?;
                    self.search_message(&[commit], text)?
                }
            };
        }
        if let Some(path) = &rev.path {
            let tree = self.peel(id, PeelTo::Tree)?;
            id = self.tree_entry(tree, path)?;
        }
        Ok(id)
    }

    fn resolve_base(&self, base: &Base) -> Result<ObjectId, Error> {
        match base {
            Base::Head => self
                .resolve_ref(b"HEAD")?
                .ok_or_else(|| invalid("HEAD does not point at a commit yet")),
            Base::Name(name) => self.resolve_name(name),
            Base::Reflog { name, entry } => {
                let full = match name {
                    Some(name) => self
                        .dwim_ref(name)?
                        .ok_or_else(|| Error::Unknown { name: lossy(name) })?,
                    None => self.refs.resolve(b"HEAD").map_err(crate::Error::from)?.0,
                };
                let log = self.refs.reflog(&full).map_err(crate::Error::from)?;
                let idx = log.len().checked_sub(entry + 1).ok_or_else(|| {
                    invalid(format!(
                        "log for '{}' only has {} entries",
                        lossy(&full),
                        log.len()
                    ))
                })?;
                Ok(log[idx].new_id)
            }
            Base::PreviousBranch(n) => {
                let log = self.refs.reflog(b"HEAD").map_err(crate::Error::from)?;
                let from = log
                    .iter()
                    .rev()
                    .filter_map(|line| line.message.strip_prefix(b"checkout: moving from "))
                    .filter_map(|rest| {
                        rest.windows(4)
                            .position(|w| w == b" to ")
                            .map(|at| rest[..at].to_vec())
                    })
                    .nth(n - 1)
                    .ok_or_else(|| invalid(format!("HEAD reflog has no {n}th previous branch")))?;
                self.resolve_name(&from)
            }
            Base::Upstream(branch) | Base::Push(branch) => {
                let upstream = self.upstream_of(branch.as_deref())?;
                self.resolve_ref(&upstream)?.ok_or_else(|| Error::Unknown {
                    name: lossy(&upstream),
                })
            }
            Base::MessageSearch(text) => {
                let tips: Vec<ObjectId> = self
                    .refs
                    .list(b"refs/")
                    .map_err(crate::Error::from)?
                    .into_iter()
                    .filter_map(|r| r.target.object_id())
                    .collect();
                let mut graph = self.graph()?;
                let commits: Vec<ObjectId> = tips
                    .iter()
                    .filter_map(|t| graph.peel_to_commit(t).ok())
                    .collect();
                self.search_message(&commits, text)
            }
            Base::Index { stage, path } => {
                let index = self.index()?;
                let entry_stage = tabgit_index::Stage::from_number(*stage)
                    .ok_or_else(|| invalid("stage must be 0 to 3"))?;
                index
                    .entry(path, entry_stage)
                    .map(|e| e.object_id)
                    .ok_or_else(|| invalid(format!("path '{}' is not in the index", lossy(path))))
            }
        }
    }

    /// The full name of the upstream of `branch` (or of the current branch).
    pub fn upstream_of(&self, branch: Option<&[u8]>) -> Result<Vec<u8>, Error> {
        let short = match branch {
            Some(name) => name.strip_prefix(b"refs/heads/").unwrap_or(name).to_vec(),
            None => match self.head()? {
                tabgit_store::refs::Head::Branch { name, .. } => {
                    name.strip_prefix(b"refs/heads/").unwrap_or(&name).to_vec()
                }
                tabgit_store::refs::Head::Detached(_) => {
                    return Err(invalid("HEAD does not point to a branch"))
                }
            },
        };
        let remote = self.config.get("branch", Some(&short), "remote");
        let merge = self.config.get("branch", Some(&short), "merge");
        let (Some(remote), Some(merge)) = (remote, merge) else {
            return Err(invalid(format!(
                "no upstream configured for branch '{}'",
                lossy(&short)
            )));
        };
        if remote == b"." {
            return Ok(merge.to_vec());
        }
        for fetch in self.config.get_all("remote", Some(remote), "fetch") {
            if let Ok(spec) =
                tabgit_refs::RefSpec::parse(fetch, tabgit_refs::refspec::Operation::Fetch)
            {
                if let Some(dest) = spec.map_source(merge) {
                    return Ok(dest);
                }
            }
        }
        Err(invalid(format!(
            "upstream branch '{}' is not stored as a remote-tracking branch",
            lossy(merge)
        )))
    }

    /// The full ref name a short name means, as git's `dwim_ref` decides.
    pub fn dwim_ref(&self, name: &[u8]) -> Result<Option<Vec<u8>>, Error> {
        if name == b"HEAD" || name == b"@" {
            return Ok(Some(b"HEAD".to_vec()));
        }
        let mut failure = None;
        let resolved =
            tabgit_refs::name::resolve_short_name(name, |full| match self.refs.read(full) {
                Ok(found) => found.is_some(),
                Err(err) => {
                    failure.get_or_insert(err);
                    false
                }
            });
        Ok(resolved.map(|r| r.full_name))
    }

    fn resolve_ref(&self, full: &[u8]) -> Result<Option<ObjectId>, Error> {
        Ok(self.refs.resolve(full).map_err(crate::Error::from)?.1)
    }

    fn resolve_name(&self, name: &[u8]) -> Result<ObjectId, Error> {
        if let Ok(id) = ObjectId::from_hex(name) {
            return Ok(id);
        }
        if let Some(full) = self.dwim_ref(name)? {
            if let Some(id) = self.resolve_ref(&full)? {
                return Ok(id);
            }
        }
        if let Ok(prefix) = Prefix::from_hex(name) {
            match self
                .odb
                .lookup_prefix(&prefix)
                .map_err(crate::Error::from)?
            {
                PrefixLookup::Unique(id) => return Ok(id),
                PrefixLookup::Ambiguous => return Err(Error::Ambiguous { name: lossy(name) }),
                PrefixLookup::None => {}
            }
        }
        Err(Error::Unknown { name: lossy(name) })
    }

    /// Peel `id` to `to`, following tags and commit → tree.
    fn peel(&self, mut id: ObjectId, to: PeelTo) -> Result<ObjectId, Error> {
        for _ in 0..64 {
            let (kind, data) = self.object(&id)?;
            let done = match (to, kind) {
                (PeelTo::Object, _)
                | (PeelTo::Tag, Kind::Tag)
                | (PeelTo::Blob, Kind::Blob)
                | (PeelTo::Commit, Kind::Commit)
                | (PeelTo::Tree, Kind::Tree) => true,
                (PeelTo::AnyNonTag, k) => k != Kind::Tag,
                _ => false,
            };
            if done {
                return Ok(id);
            }
            id = match kind {
                Kind::Tag => {
                    TagRef::from_bytes(&data)
                        .map_err(|e| invalid(format!("tag {id} is malformed: {e}")))?
                        .target
                }
                Kind::Commit if to == PeelTo::Tree => {
                    CommitRef::from_bytes(&data)
                        .map_err(|e| invalid(format!("commit {id} is malformed: {e}")))?
                        .tree
                }
                _ => {
                    let wanted = match to {
                        PeelTo::Commit => "commit",
                        PeelTo::Tree => "tree",
                        PeelTo::Blob => "blob",
                        PeelTo::Tag => "tag",
                        PeelTo::Object | PeelTo::AnyNonTag => "object",
                    };
                    return Err(invalid(format!("object {id} is a {kind}, not a {wanted}")));
                }
            };
        }
        Err(invalid(format!("too many levels of tags at {id}")))
    }

    /// The id at `path` inside `tree`.
    pub fn tree_entry(&self, tree: ObjectId, path: &[u8]) -> Result<ObjectId, Error> {
        let mut current = tree;
        if path.is_empty() {
            return Ok(tree);
        }
        for component in path.split(|&b| b == b'/').filter(|c| !c.is_empty()) {
            let (kind, data) = self.object(&current)?;
            if kind != Kind::Tree {
                return Err(invalid(format!("path '{}' does not exist", lossy(path))));
            }
            let parsed = TreeRef::from_bytes(&data)
                .map_err(|e| invalid(format!("tree {current} is malformed: {e}")))?;
            current = parsed
                .entries
                .iter()
                .find(|e| e.filename == component)
                .map(|e| e.oid)
                .ok_or_else(|| invalid(format!("path '{}' does not exist", lossy(path))))?;
        }
        Ok(current)
    }

    /// The youngest commit reachable from `tips` whose message contains `text`.
    fn search_message(&self, tips: &[ObjectId], text: &[u8]) -> Result<ObjectId, Error> {
        let mut graph = self.graph()?;
        let walk = tabgit_revision::walk::Walk::new(&mut graph, tips, &[], false)?;
        for id in walk {
            let id = id?;
            let (_, data) = self.object(&id)?;
            let commit = CommitRef::from_bytes(&data)
                .map_err(|e| invalid(format!("commit {id} is malformed: {e}")))?;
            if text.is_empty() || commit.message.windows(text.len()).any(|w| w == text) {
                return Ok(id);
            }
        }
        Err(invalid(format!(
            "no commit message matches '{}'",
            lossy(text)
        )))
    }

    /// The target of a ref without following symbolic refs.
    pub fn read_ref(&self, full: &[u8]) -> Result<Option<Target>, Error> {
        Ok(self.refs.read(full).map_err(crate::Error::from)?)
    }
}
