//! Graph lanes for a history view, computed row by row as commits come in (so a page of
//! history needs only its own commits), like the lines `git log --graph` draws.
//!
//! Each column ("lane") waits for one commit: the next commit expected on that line of history.
//! A commit takes the lane that waits for it (the leftmost, if several do: the others join it
//! there), or the first free lane. Its first parent continues in its lane; further parents get a
//! lane of their own, unless a lane already waits for them. Lanes are reused once free and never
//! shift, so a line that passes a row stays in its column.

use tabgit_hash::ObjectId;

/// How one row of the graph is drawn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The column of the commit's dot.
    pub lane: usize,
    /// Lanes with a line coming from the row above into this commit (the commit's children),
    /// the commit's own lane included when it was expected there.
    pub incoming: Vec<usize>,
    /// Lanes whose lines pass this row without touching the commit (vertical lines).
    pub passing: Vec<usize>,
    /// Lines from the commit to its parents, in parent order: `(lane below, parent)`.
    pub parents: Vec<(usize, ObjectId)>,
    /// How many columns the row spans (for layout).
    pub width: usize,
}

/// The lane state between rows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Layout {
    lanes: Vec<Option<ObjectId>>,
}

impl Layout {
    /// Lay out the next row: `commit_id` with `parents` (as the walk will show them).
    pub fn next_row(&mut self, commit_id: ObjectId, parents: &[ObjectId]) -> Row {
        let incoming: Vec<usize> = self
            .lanes
            .iter()
            .enumerate()
            .filter(|(_, expected)| **expected == Some(commit_id))
            .map(|(lane, _)| lane)
            .collect();
        let lane = match incoming.first() {
            Some(&lane) => lane,
            None => self.free_lane(),
        };
        for &joined in &incoming {
            self.lanes[joined] = None;
        }
        let passing: Vec<usize> = self
            .lanes
            .iter()
            .enumerate()
            .filter(|(idx, expected)| expected.is_some() && *idx != lane)
            .map(|(idx, _)| idx)
            .collect();
        let mut parent_lanes = Vec::with_capacity(parents.len());
        for (nth, parent) in parents.iter().enumerate() {
            let waiting = self
                .lanes
                .iter()
                .position(|expected| *expected == Some(*parent));
            let target = match waiting {
                Some(existing) => existing,
                None if nth == 0 && self.lanes[lane].is_none() => {
                    self.lanes[lane] = Some(*parent);
                    lane
                }
                None => {
                    let free = self.free_lane();
                    self.lanes[free] = Some(*parent);
                    free
                }
            };
            parent_lanes.push((target, *parent));
        }
        while self.lanes.last() == Some(&None) {
            self.lanes.pop();
        }
        let width = self
            .lanes
            .len()
            .max(lane + 1)
            .max(incoming.iter().max().map_or(0, |m| m + 1))
            .max(passing.iter().max().map_or(0, |m| m + 1));
        Row {
            lane,
            incoming,
            passing,
            parents: parent_lanes,
            width,
        }
    }

    /// The lanes as they stand after the last row: which commit each waits for.
    pub fn lanes(&self) -> &[Option<ObjectId>] {
        &self.lanes
    }

    fn free_lane(&mut self) -> usize {
        if let Some(free) = self.lanes.iter().position(Option::is_none) {
            free
        } else {
            self.lanes.push(None);
            self.lanes.len() - 1
        }
    }
}
