//! Walking history as `git rev-list` does (`revision.c`).
//!
//! ### Algorithm
//!
//! Date order (git's default): a queue ordered by committer date, newest first, ties in insertion
//! order; each popped commit adds its unseen parents. Commits reachable from a hidden tip
//! (`^tip`, `A..B`) are excluded, and the walk never enters them.
//!
//! Topological order (`--topo-order`): git's `sort_in_topological_order` — count each commit's
//! children among the walked commits, then emit commits whose children are all emitted, taking
//! the most recently freed first, so lines of history are not intermixed.

use std::collections::{BinaryHeap, HashMap, HashSet};

use tabgit_hash::ObjectId;

use crate::graph::{Error, Graph};

/// The order commits come out in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Order {
    /// Newest committer date first (git's default).
    #[default]
    Date,
    /// Children before parents, lines of history kept together (`--topo-order`).
    Topo,
}

/// How to walk.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// The output order.
    pub order: Order,
    /// Follow only first parents (`--first-parent`).
    pub first_parent: bool,
    /// Stop after this many commits (`-n`).
    pub limit: Option<usize>,
}

#[derive(PartialEq, Eq)]
struct Queued {
    date: i64,
    seq: u64,
    id: ObjectId,
}

impl Ord for Queued {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        // Max-heap: newest date first, then the earliest inserted.
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

/// An incremental walk in date order: commits come out one at a time, so a history view can
/// page through a long history without walking all of it.
pub struct Walk<'g, 'f> {
    graph: &'g mut Graph<'f>,
    queue: BinaryHeap<Queued>,
    seen: HashSet<ObjectId>,
    hidden: HashSet<ObjectId>,
    seq: u64,
    first_parent: bool,
}

impl<'g, 'f> Walk<'g, 'f> {
    /// Start walking from `tips`, excluding everything reachable from `hidden`.
    pub fn new(
        graph: &'g mut Graph<'f>,
        tips: &[ObjectId],
        hidden: &[ObjectId],
        first_parent: bool,
    ) -> Result<Self, Error> {
        let hidden = reachable(graph, hidden)?;
        let mut walk = Walk {
            graph,
            queue: BinaryHeap::new(),
            seen: HashSet::new(),
            hidden,
            seq: 0,
            first_parent,
        };
        for tip in tips {
            walk.push(*tip)?;
        }
        Ok(walk)
    }

    fn push(&mut self, id: ObjectId) -> Result<(), Error> {
        if self.hidden.contains(&id) || !self.seen.insert(id) {
            return Ok(());
        }
        let date = self.graph.commit(&id)?.date;
        self.queue.push(Queued {
            date,
            seq: self.seq,
            id,
        });
        self.seq += 1;
        Ok(())
    }

    /// The next commit, or `None` when the walk is done.
    pub fn next_commit(&mut self) -> Result<Option<ObjectId>, Error> {
        let Some(Queued { id, .. }) = self.queue.pop() else {
            return Ok(None);
        };
        let parents = self.graph.commit(&id)?.parents.clone();
        let take = if self.first_parent { 1 } else { parents.len() };
        for parent in parents.into_iter().take(take) {
            self.push(parent)?;
        }
        Ok(Some(id))
    }
}

impl Iterator for Walk<'_, '_> {
    type Item = Result<ObjectId, Error>;
    fn next(&mut self) -> Option<Self::Item> {
        self.next_commit().transpose()
    }
}

/// Every commit reachable from `tips` (tips included).
pub fn reachable(graph: &mut Graph<'_>, tips: &[ObjectId]) -> Result<HashSet<ObjectId>, Error> {
    let mut seen = HashSet::new();
    let mut stack: Vec<ObjectId> = tips.to_vec();
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        stack.extend(
            graph
                .commit(&id)?
                .parents
                .iter()
                .copied()
                .filter(|p| !seen.contains(p)),
        );
    }
    Ok(seen)
}

/// Walk from `tips`, excluding commits reachable from `hidden`, as `git rev-list` does.
pub fn rev_list(
    graph: &mut Graph<'_>,
    tips: &[ObjectId],
    hidden: &[ObjectId],
    options: &Options,
) -> Result<Vec<ObjectId>, Error> {
    let limit = options.limit.unwrap_or(usize::MAX);
    let mut walk = Walk::new(graph, tips, hidden, options.first_parent)?;
    let mut out = Vec::new();
    match options.order {
        Order::Date => {
            while out.len() < limit {
                match walk.next_commit()? {
                    Some(id) => out.push(id),
                    None => break,
                }
            }
        }
        Order::Topo => {
            while let Some(id) = walk.next_commit()? {
                out.push(id);
            }
            out = topo_sort(walk.graph, &out, options.first_parent)?;
            out.truncate(limit);
        }
    }
    Ok(out)
}

/// Sort `commits` (in walk order) so that no parent comes before any of its children, as
/// git's `sort_in_topological_order` with `REV_SORT_IN_GRAPH_ORDER` does.
pub fn topo_sort(
    graph: &mut Graph<'_>,
    commits: &[ObjectId],
    first_parent: bool,
) -> Result<Vec<ObjectId>, Error> {
    // git starts every in-degree at 1; a commit with in-degree 1 has no children in the set.
    let mut indegree: HashMap<ObjectId, usize> = commits.iter().map(|id| (*id, 1)).collect();
    for id in commits {
        let parents = graph.commit(id)?.parents.clone();
        let take = if first_parent { 1 } else { parents.len() };
        for parent in parents.iter().take(take) {
            if let Some(n) = indegree.get_mut(parent) {
                *n += 1;
            }
        }
    }
    // The tips, in walk order; used as a stack, so reverse to pop the first tip first.
    let mut stack: Vec<ObjectId> = commits
        .iter()
        .copied()
        .filter(|id| indegree[id] == 1)
        .collect();
    stack.reverse();
    let mut out = Vec::with_capacity(commits.len());
    while let Some(id) = stack.pop() {
        let parents = graph.commit(&id)?.parents.clone();
        let take = if first_parent { 1 } else { parents.len() };
        for parent in parents.iter().take(take) {
            let Some(n) = indegree.get_mut(parent) else {
                continue;
            };
            if *n == 0 {
                continue;
            }
            *n -= 1;
            if *n == 1 {
                stack.push(*parent);
            }
        }
        if let Some(n) = indegree.get_mut(&id) {
            *n = 0;
        }
        out.push(id);
    }
    Ok(out)
}
