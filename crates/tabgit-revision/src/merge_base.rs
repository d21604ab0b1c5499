//! Merge bases: the best common ancestors of commits (`commit-reach.c`
//! `paint_down_to_common` and `remove_redundant`).
//!
//! ### Algorithm
//!
//! Walk down from both sides in date order, painting each commit with the sides that reach it.
//! A commit painted by both sides is a common ancestor; its ancestors are marked stale so they
//! are not reported. The walk stops when only stale commits remain queued. Candidates that are
//! ancestors of other candidates are then removed, leaving the merge bases — several of them
//! for a criss-cross merge.

use std::collections::{BinaryHeap, HashMap};

use tabgit_hash::ObjectId;

use crate::graph::{Error, Graph};

const ONE: u8 = 1;
const TWO: u8 = 2;
const STALE: u8 = 4;
const RESULT: u8 = 8;

#[derive(PartialEq, Eq)]
struct Queued {
    date: i64,
    seq: u64,
    id: ObjectId,
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

/// Common ancestors of `one` and any of `others` that are candidates for merge bases (before
/// removing redundant ones), in date order.
fn paint_down_to_common(
    graph: &mut Graph<'_>,
    one: ObjectId,
    others: &[ObjectId],
) -> Result<Vec<ObjectId>, Error> {
    let mut flags: HashMap<ObjectId, u8> = HashMap::new();
    let mut queue = BinaryHeap::new();
    let mut seq = 0u64;
    let mut push = |graph: &mut Graph<'_>,
                    queue: &mut BinaryHeap<Queued>,
                    id: ObjectId|
     -> Result<(), Error> {
        let date = graph.commit(&id)?.date;
        queue.push(Queued { date, seq, id });
        seq += 1;
        Ok(())
    };
    *flags.entry(one).or_default() |= ONE;
    push(graph, &mut queue, one)?;
    for other in others {
        *flags.entry(*other).or_default() |= TWO;
        push(graph, &mut queue, *other)?;
    }
    let mut result = Vec::new();
    while queue
        .iter()
        .any(|q| flags.get(&q.id).copied().unwrap_or(0) & STALE == 0)
    {
        let Some(Queued { id, .. }) = queue.pop() else {
            break;
        };
        let mut own = flags.get(&id).copied().unwrap_or(0);
        let sides = own & (ONE | TWO | STALE);
        // A commit both sides reach is a candidate; its ancestors are painted stale below.
        if sides == (ONE | TWO) && own & RESULT == 0 {
            own |= RESULT;
            flags.insert(id, own);
            result.push(id);
        }
        let paint = if sides == (ONE | TWO) {
            sides | STALE
        } else {
            sides
        };
        let parents = graph.commit(&id)?.parents.clone();
        for parent in parents {
            let entry = flags.entry(parent).or_default();
            if *entry & paint == paint {
                continue;
            }
            *entry |= paint;
            push(graph, &mut queue, parent)?;
        }
    }
    Ok(result
        .into_iter()
        .filter(|id| flags.get(id).copied().unwrap_or(0) & STALE == 0)
        .collect())
}

/// All merge bases of `one` and `two` (`git merge-base --all`), newest first.
pub fn merge_bases(
    graph: &mut Graph<'_>,
    one: ObjectId,
    two: ObjectId,
) -> Result<Vec<ObjectId>, Error> {
    if one == two {
        return Ok(vec![one]);
    }
    let candidates = paint_down_to_common(graph, one, &[two])?;
    remove_redundant(graph, candidates)
}

/// Drop candidates that are ancestors of other candidates.
fn remove_redundant(
    graph: &mut Graph<'_>,
    candidates: Vec<ObjectId>,
) -> Result<Vec<ObjectId>, Error> {
    if candidates.len() < 2 {
        return Ok(candidates);
    }
    let mut keep = Vec::new();
    for (idx, candidate) in candidates.iter().enumerate() {
        let others: Vec<ObjectId> = candidates
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != idx)
            .map(|(_, id)| *id)
            .collect();
        if !is_ancestor_of_any(graph, *candidate, &others)? {
            keep.push(*candidate);
        }
    }
    Ok(keep)
}

/// Whether `ancestor` is reachable from any of `descendants`.
pub fn is_ancestor_of_any(
    graph: &mut Graph<'_>,
    ancestor: ObjectId,
    descendants: &[ObjectId],
) -> Result<bool, Error> {
    let floor = graph.commit(&ancestor)?.date;
    let mut seen = std::collections::HashSet::new();
    let mut stack: Vec<ObjectId> = descendants.to_vec();
    while let Some(id) = stack.pop() {
        if id == ancestor {
            return Ok(true);
        }
        if !seen.insert(id) {
            continue;
        }
        let info = graph.commit(&id)?;
        // Commits older than the ancestor cannot lead to it unless dates are skewed; git uses the
        // same cut-off (with generation numbers where available). Allow a day of skew.
        if info.date + 86_400 < floor {
            continue;
        }
        stack.extend(info.parents.iter().copied());
    }
    Ok(false)
}

/// Whether `ancestor` is an ancestor of (or equal to) `descendant` (`git merge-base --is-ancestor`).
pub fn is_ancestor(
    graph: &mut Graph<'_>,
    ancestor: ObjectId,
    descendant: ObjectId,
) -> Result<bool, Error> {
    if ancestor == descendant {
        return Ok(true);
    }
    let reach = crate::walk::reachable(graph, &[descendant])?;
    Ok(reach.contains(&ancestor))
}
