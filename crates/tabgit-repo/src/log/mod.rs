//! History for a history view and `git log`: a walk that yields commits one at a time (so a
//! 20,000-commit history is paged without walking all of it), with git's path limiting and
//! history simplification, `--first-parent`, `--author`/`--grep` filters, file history that
//! follows renames (`--follow`), and graph lanes per row ([`graph`]).

use std::collections::{BinaryHeap, HashMap, HashSet};
use std::ops::ControlFlow;

use tabgit_diff::path::Prefixes;
use tabgit_diff::{rename, tree, Change};
use tabgit_hash::ObjectId;
use tabgit_object::{CommitRef, Find, Signature};
use tabgit_revision::Graph;
use tabgit_store::files::GitFiles;

use crate::Repository;

pub mod graph;
pub mod pattern;

pub use pattern::Pattern;

/// The order commits come out in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Order {
    /// Newest committer date first, one commit at a time (git's default).
    #[default]
    Date,
    /// Children before parents, branches kept together (`--topo-order`); needs the whole walk
    /// before the first commit.
    Topo,
}

/// What to show.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Start from these commits.
    pub include: Vec<ObjectId>,
    /// Leave out commits reachable from these (`^commit`, `A..B`).
    pub exclude: Vec<ObjectId>,
    /// Follow only first parents (`--first-parent`).
    pub first_parent: bool,
    /// Only commits that change these paths (`-- <path>…`; a directory covers what is inside),
    /// with git's default history simplification.
    pub paths: Vec<Vec<u8>>,
    /// Follow the one path in [`Options::paths`] across renames (`--follow`).
    pub follow: bool,
    /// Only commits whose author (`Name <email>`) matches one of these (`--author`).
    pub authors: Vec<Pattern>,
    /// Only commits whose message matches one of these (`--grep`), or all of them with
    /// [`Options::all_match`].
    pub greps: Vec<Pattern>,
    /// `--all-match`.
    pub all_match: bool,
    /// The order.
    pub order: Order,
}

/// The reasons a walk failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The repository could not be read.
    #[error(transparent)]
    Repository(#[from] crate::Error),
    /// The history could not be read.
    #[error(transparent)]
    Graph(#[from] tabgit_revision::graph::Error),
    /// A tree could not be compared.
    #[error(transparent)]
    Tree(#[from] tree::Error),
    /// Renames could not be detected.
    #[error(transparent)]
    Rename(#[from] rename::Error),
    /// A commit does not parse.
    #[error("commit {commit_id} is malformed")]
    Malformed {
        /// The commit.
        commit_id: ObjectId,
    },
    /// `--follow` needs exactly one path.
    #[error("--follow requires exactly one pathspec")]
    FollowNeedsOnePath,
}

/// A commit as a history view lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// The commit.
    pub commit_id: ObjectId,
    /// Its parents.
    pub parents: Vec<ObjectId>,
    /// Its author, with the time of authoring.
    pub author: Signature,
    /// Its committer, with the time of committing.
    pub committer: Signature,
    /// The first line of its message.
    pub subject: Vec<u8>,
}

#[derive(PartialEq, Eq)]
struct Queued {
    date: i64,
    seq: u64,
    commit_id: ObjectId,
}

impl Ord for Queued {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.date
            .cmp(&other.date)
            .then_with(|| other.seq.cmp(&self.seq))
    }
}

impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// A history walk in progress. Each [`Log::next_commit`] does only the work for the next
/// commit shown, so a view can ask for one page at a time.
pub struct Log<'r> {
    find: &'r dyn Find,
    graph: Graph<'r>,
    queue: BinaryHeap<Queued>,
    seen: HashSet<ObjectId>,
    hidden: HashSet<ObjectId>,
    seq: u64,
    options: Options,
    prefixes: Prefixes,
    /// For `--follow`: the path followed now (it changes at each rename).
    followed: Option<Vec<u8>>,
    /// For [`Order::Topo`]: the sorted commits, shown from the front.
    sorted: Option<std::vec::IntoIter<(ObjectId, Vec<ObjectId>)>>,
    /// The parents the walk used for each commit shown (simplified for path-limited logs).
    walked_parents: HashMap<ObjectId, Vec<ObjectId>>,
    buf: Vec<u8>,
}

impl<'r> Log<'r> {
    /// Start a walk of `repo`'s history.
    pub fn new<F: GitFiles + Clone>(
        repo: &'r Repository<F>,
        options: Options,
    ) -> Result<Self, Error> {
        let find: &'r dyn Find = repo.odb();
        let mut graph = Graph::new(find, repo.shallow()?);
        if options.follow && options.paths.len() != 1 {
            return Err(Error::FollowNeedsOnePath);
        }
        let hidden = tabgit_revision::walk::reachable(&mut graph, &options.exclude)?;
        let prefixes = Prefixes::new(options.paths.iter().cloned());
        let followed = options.follow.then(|| options.paths[0].clone());
        let mut log = Log {
            find,
            graph,
            queue: BinaryHeap::new(),
            seen: HashSet::new(),
            hidden,
            seq: 0,
            prefixes,
            followed,
            sorted: None,
            walked_parents: HashMap::new(),
            buf: Vec::new(),
            options,
        };
        for tip in log.options.include.clone() {
            log.push(tip)?;
        }
        if log.options.order == Order::Topo {
            let mut shown = Vec::new();
            while let Some((commit_id, parents)) = log.next_in_date_order()? {
                shown.push((commit_id, parents));
            }
            let ids: Vec<ObjectId> = shown.iter().map(|(id, _)| *id).collect();
            let order =
                tabgit_revision::walk::topo_sort(&mut log.graph, &ids, log.options.first_parent)?;
            let mut by_id: HashMap<ObjectId, Vec<ObjectId>> = shown.into_iter().collect();
            let sorted: Vec<(ObjectId, Vec<ObjectId>)> = order
                .into_iter()
                .filter_map(|id| by_id.remove(&id).map(|parents| (id, parents)))
                .collect();
            log.sorted = Some(sorted.into_iter());
        }
        Ok(log)
    }

    fn push(&mut self, commit_id: ObjectId) -> Result<(), Error> {
        if self.hidden.contains(&commit_id) || !self.seen.insert(commit_id) {
            return Ok(());
        }
        let date = self.graph.commit(&commit_id)?.date;
        self.queue.push(Queued {
            date,
            seq: self.seq,
            commit_id,
        });
        self.seq += 1;
        Ok(())
    }

    /// The next commit to show, or `None` at the end.
    pub fn next_commit(&mut self) -> Result<Option<ObjectId>, Error> {
        let next = match &mut self.sorted {
            Some(sorted) => sorted.next(),
            None => self.next_in_date_order()?,
        };
        Ok(next.map(|(commit_id, parents)| {
            self.walked_parents.insert(commit_id, parents);
            commit_id
        }))
    }

    /// Up to `count` more commits.
    pub fn page(&mut self, count: usize) -> Result<Vec<ObjectId>, Error> {
        let mut out = Vec::with_capacity(count.min(1024));
        while out.len() < count {
            match self.next_commit()? {
                Some(commit_id) => out.push(commit_id),
                None => break,
            }
        }
        Ok(out)
    }

    /// The parents the walk went on to from `commit_id` (after history simplification: a merge
    /// whose change to the paths came entirely from one parent has only that one), for drawing
    /// [`graph`] lanes. Known for commits already returned.
    pub fn parents_of(&self, commit_id: &ObjectId) -> Option<&[ObjectId]> {
        self.walked_parents.get(commit_id).map(Vec::as_slice)
    }

    /// The path `--follow` follows at this point of the walk.
    pub fn followed_path(&self) -> Option<&[u8]> {
        self.followed.as_deref()
    }

    /// Pop commits until one is shown; returns it with the parents the walk continued to.
    fn next_in_date_order(&mut self) -> Result<Option<(ObjectId, Vec<ObjectId>)>, Error> {
        while let Some(Queued { commit_id, .. }) = self.queue.pop() {
            let info = self.graph.commit(&commit_id)?.clone();
            let mut parents = info.parents.clone();
            if self.options.first_parent {
                parents.truncate(1);
            }
            let mut shown = true;
            if self.followed.is_some() {
                shown = self.follow_step(&commit_id, &parents)?;
            } else if !self.prefixes.is_empty() {
                let (treesame, simplified) = self.simplify(&commit_id, &parents)?;
                shown = !treesame;
                parents = simplified;
            }
            for parent in &parents {
                self.push(*parent)?;
            }
            if shown && self.matches_filters(&commit_id)? {
                return Ok(Some((commit_id, parents)));
            }
        }
        Ok(None)
    }

    fn tree_of(&mut self, commit_id: &ObjectId) -> Result<ObjectId, Error> {
        let data = self
            .find
            .try_find(commit_id, &mut self.buf)
            .map_err(|_| Error::Malformed {
                commit_id: *commit_id,
            })?
            .ok_or(Error::Malformed {
                commit_id: *commit_id,
            })?;
        Ok(CommitRef::from_bytes(data.data)
            .map_err(|_| Error::Malformed {
                commit_id: *commit_id,
            })?
            .tree)
    }

    /// Whether the trees differ within `prefixes`.
    fn differs(
        &self,
        old: Option<&ObjectId>,
        new: Option<&ObjectId>,
        prefixes: &Prefixes,
    ) -> Result<bool, Error> {
        let options = tree::Options {
            paths: prefixes.clone(),
        };
        let flow = tree::visit(self.find, old, new, &options, &mut |_| {
            ControlFlow::Break(())
        })?;
        Ok(flow.is_break())
    }

    /// `try_to_simplify_commit`: whether the commit is TREESAME (not shown) and the parents to
    /// walk on to (only the first TREESAME parent of a merge).
    fn simplify(
        &mut self,
        commit_id: &ObjectId,
        parents: &[ObjectId],
    ) -> Result<(bool, Vec<ObjectId>), Error> {
        let tree = self.tree_of(commit_id)?;
        let prefixes = self.prefixes.clone();
        if parents.is_empty() {
            return Ok((!self.differs(None, Some(&tree), &prefixes)?, Vec::new()));
        }
        let mut relevant_parents = 0;
        let mut relevant_change = false;
        let mut irrelevant_change = false;
        for parent in parents {
            let relevant = !self.hidden.contains(parent);
            if relevant {
                relevant_parents += 1;
            }
            let parent_tree = self.tree_of(parent)?;
            if self.differs(Some(&parent_tree), Some(&tree), &prefixes)? {
                if relevant {
                    relevant_change = true;
                } else {
                    irrelevant_change = true;
                }
            } else if relevant {
                return Ok((true, vec![*parent]));
            }
        }
        let treesame = if relevant_parents > 0 {
            !relevant_change
        } else {
            !irrelevant_change
        };
        Ok((treesame, parents.to_vec()))
    }

    /// `--follow`: whether the commit changes the followed path (compared with its first parent;
    /// merges are not shown), switching to the old name when the commit renamed it.
    fn follow_step(&mut self, commit_id: &ObjectId, parents: &[ObjectId]) -> Result<bool, Error> {
        if parents.len() > 1 {
            return Ok(false);
        }
        let path = self.followed.clone().unwrap_or_default();
        let tree = self.tree_of(commit_id)?;
        let parent_tree = match parents.first() {
            Some(parent) => Some(self.tree_of(parent)?),
            None => None,
        };
        let prefixes = Prefixes::new([path.clone()]);
        let changes = tree::diff(
            self.find,
            parent_tree.as_ref(),
            Some(&tree),
            &tree::Options {
                paths: prefixes.clone(),
            },
        )?;
        if changes.is_empty() {
            return Ok(false);
        }
        let added = changes
            .iter()
            .any(|change| matches!(change, Change::Addition { path: p, .. } if *p == path));
        if added {
            if let Some(parent_tree) = parent_tree {
                // Was it renamed from a file this commit deleted? (`try_to_follow_renames`)
                let all = tree::diff(
                    self.find,
                    Some(&parent_tree),
                    Some(&tree),
                    &tree::Options::default(),
                )?;
                let candidates: Vec<Change> = all
                    .into_iter()
                    .filter(|change| match change {
                        Change::Deletion { .. } => true,
                        Change::Addition { path: p, .. } => *p == path,
                        _ => false,
                    })
                    .collect();
                let outcome = rename::detect(self.find, candidates, &rename::Options::default())?;
                for change in outcome.changes {
                    if let Change::Rename {
                        old_path, new_path, ..
                    } = change
                    {
                        if new_path == path {
                            self.followed = Some(old_path);
                            break;
                        }
                    }
                }
            }
        }
        Ok(true)
    }

    fn matches_filters(&mut self, commit_id: &ObjectId) -> Result<bool, Error> {
        if self.options.authors.is_empty() && self.options.greps.is_empty() {
            return Ok(true);
        }
        let data = self
            .find
            .try_find(commit_id, &mut self.buf)
            .map_err(|_| Error::Malformed {
                commit_id: *commit_id,
            })?
            .ok_or(Error::Malformed {
                commit_id: *commit_id,
            })?;
        let commit = CommitRef::from_bytes(data.data).map_err(|_| Error::Malformed {
            commit_id: *commit_id,
        })?;
        if !self.options.authors.is_empty() {
            let mut ident = commit.author.name.to_vec();
            ident.extend_from_slice(b" <");
            ident.extend_from_slice(commit.author.email);
            ident.push(b'>');
            if !self.options.authors.iter().any(|p| p.matches(&ident)) {
                return Ok(false);
            }
        }
        if !self.options.greps.is_empty() {
            let matched = if self.options.all_match {
                self.options.greps.iter().all(|p| p.matches(commit.message))
            } else {
                self.options.greps.iter().any(|p| p.matches(commit.message))
            };
            if !matched {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

impl Iterator for Log<'_> {
    type Item = Result<ObjectId, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_commit().transpose()
    }
}

/// Every commit `options` selects, in order (the whole walk; prefer [`Log`] for views).
pub fn log<F: GitFiles + Clone>(
    repo: &Repository<F>,
    options: Options,
) -> Result<Vec<ObjectId>, Error> {
    Log::new(repo, options)?.collect()
}

/// Commits `skip..skip + count` of the walk `options` selects: a page for views that cannot keep
/// a [`Log`] between requests (it walks from the start each time).
pub fn page<F: GitFiles + Clone>(
    repo: &Repository<F>,
    options: Options,
    skip: usize,
    count: usize,
) -> Result<Vec<ObjectId>, Error> {
    let mut walk = Log::new(repo, options)?;
    for _ in 0..skip {
        if walk.next_commit()?.is_none() {
            return Ok(Vec::new());
        }
    }
    walk.page(count)
}

/// What a history view shows of `commit_id`.
pub fn summary<F: GitFiles + Clone>(
    repo: &Repository<F>,
    commit_id: &ObjectId,
) -> Result<Summary, Error> {
    let (_, data) = repo.object(commit_id)?;
    let malformed = || Error::Malformed {
        commit_id: *commit_id,
    };
    let commit = CommitRef::from_bytes(&data).map_err(|_| malformed())?;
    let owned = commit.to_owned().map_err(|_| malformed())?;
    Ok(Summary {
        commit_id: *commit_id,
        parents: owned.parents,
        author: owned.author,
        committer: owned.committer,
        subject: commit.summary().to_vec(),
    })
}
