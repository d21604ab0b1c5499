use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use tabgit_object::{compute_id, Find, Kind, ObjectId};

use crate::rename::similarity::Signature;
use crate::rename::{Error, Options, Outcome};
use crate::{blob, Change, Side, Similarity};

/// Find renames (and with [`Options::copies`], copies) among `changes`, as `git diff -M` (`-C`)
/// does after a tree diff.
///
/// * `find`: where the candidates' blobs are read. For worktree content, hash the files and
///   answer for those ids too.
/// * `changes`: a diff's changes in git's order (as [`tree::diff`](crate::tree::diff) returns
///   them). Renames and copies already present are kept as they are.
///
/// ### Algorithm
///
/// As git's `diffcore_rename_extended` (without break detection or directory-rename hints):
///
/// 1. Destinations are the additions; sources are the deletions (with `copies`, also the
///    modified files, which can only be copied). Empty files take part only with
///    [`Options::rename_empty`].
/// 2. Exact renames: each destination takes the first source with the same object id (and the
///    same mode unless both are regular files), preferring unused sources with the same
///    basename.
/// 3. Without `copies`, basename matches: a source and a destination whose basename is unique
///    among the remaining sources and destinations are paired if their similarity is at least
///    halfway from the threshold to 100%.
/// 4. The remaining destinations are scored against the remaining sources (regular files only,
///    skipping pairs whose sizes differ too much); each keeps its four best candidates, all
///    candidates are sorted by score (then same basename first), and pairs are taken in that
///    order while both sides are free (with `copies`, a second pass allows used sources).
///    This round is skipped when sources × destinations exceed [`Options::limit`]².
/// 5. The output keeps git's order: a rename or copy takes its destination's place, deletions
///    whose file was renamed disappear, and when one source feeds several destinations, all but
///    the last are copies.
///
/// ### Relation to git
///
/// Scores and pairings match git's for the same inputs, including ties. Binary-ness for the
/// estimate is decided from content; `.gitattributes` is not consulted.
pub fn detect(find: &dyn Find, changes: Vec<Change>, options: &Options) -> Result<Outcome, Error> {
    let mut state = State::new(find, &changes, options);
    let needed_limit = state.run()?;
    let State {
        sources,
        destinations,
        ..
    } = state;
    Ok(Outcome {
        changes: assemble(changes, &sources, &destinations),
        needed_limit,
    })
}

/// A rename or copy source.
struct Source {
    /// Index into the changes.
    change_idx: usize,
    /// How many destinations use it; a modified file (copy source) starts at 1 because it stays.
    rename_used: u32,
    /// Whether the source was a deletion.
    is_deletion: bool,
}

/// A rename or copy destination: an addition.
struct Destination {
    change_idx: usize,
    /// The source index and score, once paired.
    pair: Option<(usize, Similarity)>,
}

/// A candidate pairing in the similarity matrix (`struct diff_score`).
#[derive(Clone, Copy)]
struct Candidate {
    /// `None` marks an unused slot.
    dst: Option<usize>,
    src: usize,
    score: Similarity,
    name_score: bool,
}

/// git keeps this many candidates per destination (`NUM_CANDIDATE_PER_DST`).
const CANDIDATES_PER_DESTINATION: usize = 4;

/// Most alternatives an exact match considers before settling (the `i = 100` in
/// `find_identical_files`).
const MAX_IDENTICAL_ALTERNATIVES: usize = 100;

struct State<'a> {
    find: &'a dyn Find,
    changes: &'a [Change],
    options: &'a Options,
    sources: Vec<Source>,
    destinations: Vec<Destination>,
    signatures: HashMap<ObjectId, Signature>,
}

impl<'a> State<'a> {
    fn new(find: &'a dyn Find, changes: &'a [Change], options: &'a Options) -> Self {
        let empty_blob_id = compute_id(Kind::Blob, b"");
        let mut sources = Vec::new();
        let mut destinations = Vec::new();
        for (change_idx, change) in changes.iter().enumerate() {
            match change {
                Change::Addition { new, .. } => {
                    if options.rename_empty || new.object_id != empty_blob_id {
                        destinations.push(Destination {
                            change_idx,
                            pair: None,
                        });
                    }
                }
                Change::Deletion { old, .. } => {
                    if options.rename_empty || old.object_id != empty_blob_id {
                        sources.push(Source {
                            change_idx,
                            rename_used: 0,
                            is_deletion: true,
                        });
                    }
                }
                Change::Modification { old, .. } => {
                    if options.copies && (options.rename_empty || old.object_id != empty_blob_id) {
                        sources.push(Source {
                            change_idx,
                            rename_used: 1,
                            is_deletion: false,
                        });
                    }
                }
                Change::Rename { .. } | Change::Copy { .. } => {}
            }
        }
        State {
            find,
            changes,
            options,
            sources,
            destinations,
            signatures: HashMap::new(),
        }
    }

    fn source(&self, src: usize) -> (&'a [u8], Side) {
        self.changes[self.sources[src].change_idx]
            .before()
            .expect("sources are deletions or modifications")
    }

    fn destination(&self, dst: usize) -> (&'a [u8], Side) {
        self.changes[self.destinations[dst].change_idx]
            .after()
            .expect("destinations are additions")
    }

    fn record(&mut self, dst: usize, src: usize, score: Similarity) {
        self.sources[src].rename_used += 1;
        self.destinations[dst].pair = Some((src, score));
    }

    /// Run the rounds; returns the needed limit if the limit stopped inexact detection.
    fn run(&mut self) -> Result<Option<usize>, Error> {
        if self.destinations.is_empty() || self.sources.is_empty() {
            return Ok(None);
        }
        self.find_exact_renames();
        if self.options.threshold >= Similarity::MAX {
            return Ok(None);
        }

        // Sources still in play, in order.
        let mut remaining: Vec<usize> = (0..self.sources.len())
            .filter(|&src| self.options.copies || self.sources[src].rename_used == 0)
            .collect();
        if !self.options.copies {
            let min_basename_score = Similarity::from_score(
                self.options.threshold.score()
                    + (Similarity::MAX.score() - self.options.threshold.score()) / 2,
            );
            self.find_basename_matches(&remaining, min_basename_score)?;
            remaining.retain(|&src| self.sources[src].rename_used == 0);
        }

        let open: Vec<usize> = (0..self.destinations.len())
            .filter(|&dst| self.destinations[dst].pair.is_none())
            .collect();
        if open.is_empty() || remaining.is_empty() {
            return Ok(None);
        }
        let limit = self.options.limit as u128;
        if limit > 0 && (open.len() as u128) * (remaining.len() as u128) > limit * limit {
            return Ok(Some(remaining.len().max(open.len())));
        }

        let mut matrix = Vec::with_capacity(open.len() * CANDIDATES_PER_DESTINATION);
        for &dst in &open {
            let mut best = [Candidate {
                dst: None,
                src: 0,
                score: Similarity::from_score(0),
                name_score: false,
            }; CANDIDATES_PER_DESTINATION];
            for &src in &remaining {
                let candidate = Candidate {
                    dst: Some(dst),
                    src,
                    score: self.estimate(src, dst, self.options.threshold)?,
                    name_score: basename_same(self.source(src).0, self.destination(dst).0),
                };
                record_if_better(&mut best, candidate);
            }
            matrix.extend_from_slice(&best);
        }
        // A stable sort, as git's `STABLE_QSORT`.
        matrix.sort_by(score_compare);
        self.find_renames(&matrix, false);
        if self.options.copies {
            self.find_renames(&matrix, true);
        }
        Ok(None)
    }

    /// `find_exact_renames`: pair destinations with sources of the same id.
    fn find_exact_renames(&mut self) {
        let mut by_id: HashMap<ObjectId, Vec<usize>> = HashMap::new();
        for src in 0..self.sources.len() {
            by_id
                .entry(self.source(src).1.object_id)
                .or_default()
                .push(src);
        }
        for dst in 0..self.destinations.len() {
            let (dst_path, target) = self.destination(dst);
            let Some(candidates) = by_id.get(&target.object_id) else {
                continue;
            };
            let mut best: Option<(usize, u32)> = None;
            let mut alternatives_left = MAX_IDENTICAL_ALTERNATIVES;
            for &src in candidates {
                let (src_path, source) = self.source(src);
                if (!source.is_regular_file() || !target.is_regular_file())
                    && source.mode != target.mode
                {
                    continue;
                }
                let used = self.sources[src].rename_used > 0;
                if used && !self.options.copies {
                    continue;
                }
                let score = u32::from(!used) + u32::from(basename_same(src_path, dst_path));
                if best.is_none_or(|(_, best_score)| score > best_score) {
                    best = Some((src, score));
                    if score == 2 {
                        break;
                    }
                }
                alternatives_left -= 1;
                if alternatives_left == 0 {
                    break;
                }
            }
            if let Some((src, _)) = best {
                self.record(dst, src, Similarity::MAX);
            }
        }
    }

    /// `find_basename_matches`: pair files whose basename is unique among the remaining
    /// sources and among the remaining destinations.
    fn find_basename_matches(
        &mut self,
        remaining: &[usize],
        min_score: Similarity,
    ) -> Result<(), Error> {
        let mut sources: HashMap<&[u8], Option<usize>> = HashMap::new();
        for &src in remaining {
            let base = basename(self.source(src).0);
            sources
                .entry(base)
                .and_modify(|unique| *unique = None)
                .or_insert(Some(src));
        }
        let mut destinations: HashMap<&[u8], Option<usize>> = HashMap::new();
        for dst in 0..self.destinations.len() {
            if self.destinations[dst].pair.is_some() {
                continue;
            }
            let base = basename(self.destination(dst).0);
            destinations
                .entry(base)
                .and_modify(|unique| *unique = None)
                .or_insert(Some(dst));
        }
        for &src in remaining {
            let base = basename(self.source(src).0);
            let (Some(Some(_)), Some(&Some(dst))) = (sources.get(base), destinations.get(base))
            else {
                continue;
            };
            if self.destinations[dst].pair.is_some() {
                continue;
            }
            let score = self.estimate(src, dst, min_score)?;
            if score < min_score {
                continue;
            }
            self.record(dst, src, score);
        }
        Ok(())
    }

    /// `find_renames`: take the sorted candidates while they reach the threshold.
    fn find_renames(&mut self, matrix: &[Candidate], copies: bool) {
        for candidate in matrix {
            let Some(dst) = candidate.dst else {
                break;
            };
            if candidate.score < self.options.threshold {
                break;
            }
            if self.destinations[dst].pair.is_some() {
                continue;
            }
            if !copies && self.sources[candidate.src].rename_used > 0 {
                continue;
            }
            self.record(dst, candidate.src, candidate.score);
        }
    }

    /// `estimate_similarity`: 0 unless both are regular files.
    fn estimate(
        &mut self,
        src: usize,
        dst: usize,
        threshold: Similarity,
    ) -> Result<Similarity, Error> {
        let (src_path, source) = self.source(src);
        let (dst_path, target) = self.destination(dst);
        if !source.is_regular_file() || !target.is_regular_file() {
            return Ok(Similarity::from_score(0));
        }
        self.load_signature(src_path, &source)?;
        self.load_signature(dst_path, &target)?;
        let (Some(src_signature), Some(dst_signature)) = (
            self.signatures.get(&source.object_id),
            self.signatures.get(&target.object_id),
        ) else {
            return Ok(Similarity::from_score(0));
        };
        Ok(src_signature.estimate(dst_signature, threshold))
    }

    fn load_signature(&mut self, path: &[u8], side: &Side) -> Result<(), Error> {
        if !self.signatures.contains_key(&side.object_id) {
            let data = blob::load(self.find, side).map_err(|source| Error::Load {
                path: path.to_vec(),
                source,
            })?;
            self.signatures
                .insert(side.object_id, Signature::new(&data));
        }
        Ok(())
    }
}

/// git's `score_compare`: unused slots last, then higher scores, then same basename first.
fn score_compare(a: &Candidate, b: &Candidate) -> Ordering {
    match (a.dst, b.dst) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(_), Some(_)) => {
            if a.score == b.score {
                b.name_score.cmp(&a.name_score)
            } else {
                b.score.cmp(&a.score)
            }
        }
    }
}

/// git's `record_if_better`: replace the worst of the kept candidates if `candidate` sorts
/// before it.
fn record_if_better(best: &mut [Candidate; CANDIDATES_PER_DESTINATION], candidate: Candidate) {
    let mut worst = 0;
    for idx in 1..CANDIDATES_PER_DESTINATION {
        if score_compare(&best[idx], &best[worst]) == Ordering::Greater {
            worst = idx;
        }
    }
    if score_compare(&best[worst], &candidate) == Ordering::Greater {
        best[worst] = candidate;
    }
}

/// The part of `path` after its last `/`.
fn basename(path: &[u8]) -> &[u8] {
    path.iter()
        .rposition(|&b| b == b'/')
        .map_or(path, |slash| &path[slash + 1..])
}

/// Whether two paths have the same basename (git's `basename_same`).
fn basename_same(src: &[u8], dst: &[u8]) -> bool {
    basename(src) == basename(dst)
}

/// Build the output list in git's order (the write-back loop of `diffcore_rename_extended` and
/// `diff_resolve_rename_copy`).
fn assemble(changes: Vec<Change>, sources: &[Source], destinations: &[Destination]) -> Vec<Change> {
    // Which source each paired destination (by change index) uses.
    let mut pair_of: HashMap<usize, (usize, Similarity)> = HashMap::new();
    for destination in destinations {
        if let Some(pair) = destination.pair {
            pair_of.insert(destination.change_idx, pair);
        }
    }
    let used_deletion: HashSet<usize> = sources
        .iter()
        .filter(|source| source.is_deletion && source.rename_used > 0)
        .map(|source| source.change_idx)
        .collect();
    let source_sides: Vec<(Vec<u8>, Side)> = sources
        .iter()
        .map(|source| {
            let (path, side) = changes[source.change_idx]
                .before()
                .expect("sources are deletions or modifications");
            (path.to_vec(), side)
        })
        .collect();
    let mut uses_left: Vec<u32> = sources.iter().map(|source| source.rename_used).collect();

    let mut out = Vec::with_capacity(changes.len());
    for (change_idx, change) in changes.into_iter().enumerate() {
        if used_deletion.contains(&change_idx) {
            continue;
        }
        let Some(&(src, similarity)) = pair_of.get(&change_idx) else {
            out.push(change);
            continue;
        };
        let Change::Addition { path, new } = change else {
            out.push(change);
            continue;
        };
        let (old_path, old) = source_sides[src].clone();
        uses_left[src] -= 1;
        out.push(if uses_left[src] > 0 {
            Change::Copy {
                old_path,
                old,
                new_path: path,
                new,
                similarity,
            }
        } else {
            Change::Rename {
                old_path,
                old,
                new_path: path,
                new,
                similarity,
            }
        });
    }
    out
}
