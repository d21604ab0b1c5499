//! A port of git's `xdiff` (`xprepare.c`, `xdiffi.c`, `xhistogram.c`): the discarding of lines
//! that cannot match, the divide-and-conquer O(ND) Myers search with git's cost heuristics, the
//! histogram diff with its fallback to Myers, and `xdl_change_compact` with the indent
//! heuristic.
//!
//! Lines are given as class numbers (equal lines, equal classes). The output marks, for each
//! side, which lines are changed. The recursions of `xdl_recs_cmp` and `histogram_diff` run on
//! explicit stacks.

/// `XDL_MAX_COST_MIN`: the least edit cost before the search gives up on a minimal split.
const MAX_COST_MIN: i64 = 256;
/// `XDL_HEUR_MIN_COST`: the edit cost above which "interesting" snakes are taken early.
const HEUR_MIN_COST: i64 = 256;
/// `XDL_SNAKE_CNT`: how long a snake must be to count as good.
const SNAKE_CNT: i64 = 20;
/// `XDL_K_HEUR`.
const K_HEUR: i64 = 4;
/// `XDL_KPDIS_RUN`.
const KPDIS_RUN: i64 = 4;
/// `XDL_MAX_EQLIMIT`: lines occurring more often than this are "maybe" discardable.
const MAX_EQLIMIT: i64 = 1024;
/// `XDL_SIMSCAN_WINDOW`.
const SIMSCAN_WINDOW: i64 = 100;
/// `XDL_LINE_MAX`.
const LINE_MAX: i64 = i64::MAX;

/// A line of one side has no match on the other side.
const NO: u8 = 0;
/// A line has a match.
const YES: u8 = 1;
/// A line has so many matches that it may be discarded.
const MAYBE: u8 = 2;

/// `xdl_bogosqrt`: a power of two near the square root of `n`.
fn bogosqrt(mut n: i64) -> i64 {
    let mut root = 1;
    while n > 0 {
        root <<= 1;
        n >>= 2;
    }
    root
}

/// Mark the changed lines of `old` and `new` with git's Myers algorithm (`xdl_do_diff`).
///
/// * `n_classes`: one more than the largest class number.
/// * `minimal`: `--minimal` (`XDF_NEED_MINIMAL`): no discarding of frequent lines and no cost
///   heuristics.
pub(crate) fn myers(
    old: &[u32],
    new: &[u32],
    n_classes: usize,
    minimal: bool,
) -> (Vec<bool>, Vec<bool>) {
    let mut changed1 = vec![false; old.len()];
    let mut changed2 = vec![false; new.len()];

    // `xdl_trim_ends`: the common head and tail take no part.
    let common = old.len().min(new.len());
    let head = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let tail = old[head..]
        .iter()
        .rev()
        .zip(new[head..].iter().rev())
        .take(common - head)
        .take_while(|(a, b)| a == b)
        .count();
    let range1 = head..old.len() - tail;
    let range2 = head..new.len() - tail;

    // `xdl_cleanup_records`: classify each line by its number of matches on the other side.
    let mut count1 = vec![0i64; n_classes];
    for &class in old {
        count1[class as usize] += 1;
    }
    let mut count2 = vec![0i64; n_classes];
    for &class in new {
        count2[class as usize] += 1;
    }
    let classify = |lines: &[u32], range: &std::ops::Range<usize>, other_count: &[i64]| {
        let limit = bogosqrt(lines.len() as i64).min(MAX_EQLIMIT);
        let mut dis = vec![NO; lines.len()];
        for idx in range.clone() {
            let matches = other_count[lines[idx] as usize];
            dis[idx] = if matches == 0 {
                NO
            } else if matches >= limit && !minimal {
                MAYBE
            } else {
                YES
            };
        }
        dis
    };
    let dis1 = classify(old, &range1, &count2);
    let dis2 = classify(new, &range2, &count1);
    let keep = |dis: &[u8], range: &std::ops::Range<usize>, changed: &mut [bool]| {
        let mut rindex = Vec::new();
        if range.is_empty() {
            return rindex;
        }
        let (start, end) = (range.start as i64, range.end as i64 - 1);
        for idx in range.clone() {
            if dis[idx] == YES || (dis[idx] == MAYBE && !clean_mmatch(dis, idx as i64, start, end))
            {
                rindex.push(idx);
            } else {
                changed[idx] = true;
            }
        }
        rindex
    };
    let rindex1 = keep(&dis1, &range1, &mut changed1);
    let rindex2 = keep(&dis2, &range2, &mut changed2);
    let hash1: Vec<u32> = rindex1.iter().map(|&idx| old[idx]).collect();
    let hash2: Vec<u32> = rindex2.iter().map(|&idx| new[idx]).collect();

    let mut search = Search::new(&hash1, &hash2);
    // `xdl_recs_cmp`, with an explicit stack instead of recursion.
    let mut boxes = vec![(0i64, hash1.len() as i64, 0i64, hash2.len() as i64, minimal)];
    while let Some((mut off1, mut lim1, mut off2, mut lim2, need_min)) = boxes.pop() {
        while off1 < lim1 && off2 < lim2 && hash1[off1 as usize] == hash2[off2 as usize] {
            off1 += 1;
            off2 += 1;
        }
        while off1 < lim1 && off2 < lim2 && hash1[lim1 as usize - 1] == hash2[lim2 as usize - 1] {
            lim1 -= 1;
            lim2 -= 1;
        }
        if off1 == lim1 {
            for idx in off2..lim2 {
                changed2[rindex2[idx as usize]] = true;
            }
        } else if off2 == lim2 {
            for idx in off1..lim1 {
                changed1[rindex1[idx as usize]] = true;
            }
        } else {
            let split = search.split(off1, lim1, off2, lim2, need_min);
            boxes.push((split.i1, lim1, split.i2, lim2, split.min_hi));
            boxes.push((off1, split.i1, off2, split.i2, split.min_lo));
        }
    }
    (changed1, changed2)
}

/// Mark the changed lines of `old` and `new` with git's histogram algorithm
/// (`xdl_do_histogram_diff`).
///
/// ### Relation to git
///
/// git gives up with an error when 64 distinct lines fall into one bucket of its hash table;
/// this port has no buckets and never fails.
pub(crate) fn histogram(old: &[u32], new: &[u32], n_classes: usize) -> (Vec<bool>, Vec<bool>) {
    let mut changed1 = vec![false; old.len()];
    let mut changed2 = vec![false; new.len()];
    let mut index = HistogramIndex {
        records: vec![Record::default(); n_classes],
        next_ptrs: Vec::new(),
        generation: 0,
        count: 0,
        has_common: false,
    };
    // Regions as git numbers them: 1-based first line and line count.
    let mut regions = vec![(1usize, old.len(), 1usize, new.len())];
    while let Some((mut line1, mut count1, mut line2, mut count2)) = regions.pop() {
        loop {
            if count1 == 0 {
                changed2[line2 - 1..line2 - 1 + count2].fill(true);
                break;
            }
            if count2 == 0 {
                changed1[line1 - 1..line1 - 1 + count1].fill(true);
                break;
            }
            let region = Span {
                line1,
                count1,
                line2,
                count2,
            };
            let (lcs, fall_back) = index.find_lcs(old, new, &region);
            if fall_back {
                let range1 = line1 - 1..line1 - 1 + count1;
                let range2 = line2 - 1..line2 - 1 + count2;
                let (sub1, sub2) =
                    myers(&old[range1.clone()], &new[range2.clone()], n_classes, false);
                changed1[range1].copy_from_slice(&sub1);
                changed2[range2].copy_from_slice(&sub2);
                break;
            }
            if lcs.begin1 == 0 && lcs.begin2 == 0 {
                changed1[line1 - 1..line1 - 1 + count1].fill(true);
                changed2[line2 - 1..line2 - 1 + count2].fill(true);
                break;
            }
            regions.push((line1, lcs.begin1 - line1, line2, lcs.begin2 - line2));
            let end1 = line1 + count1 - 1;
            let end2 = line2 + count2 - 1;
            count1 = end1 - lcs.end1;
            line1 = lcs.end1 + 1;
            count2 = end2 - lcs.end2;
            line2 = lcs.end2 + 1;
        }
    }
    (changed1, changed2)
}

/// `histindex`'s record of one distinct line of the old region: its first occurrence and how
/// often it occurs. Records from earlier regions are recognized by their generation.
#[derive(Clone, Copy, Default)]
struct Record {
    ptr: usize,
    count: u32,
    generation: u32,
}

/// The lines being diffed as git's `histogram_diff` passes them: 1-based first lines and
/// counts.
struct Span {
    line1: usize,
    count1: usize,
    line2: usize,
    count2: usize,
}

/// `struct region`: 1-based, inclusive ends; all zero when nothing was found.
#[derive(Clone, Copy, Default)]
struct Region {
    begin1: usize,
    end1: usize,
    begin2: usize,
    end2: usize,
}

/// `struct histindex`.
struct HistogramIndex {
    records: Vec<Record>,
    /// For each line of the old region, the next line with the same content (0: none).
    next_ptrs: Vec<usize>,
    generation: u32,
    /// The lowest occurrence count of the best common region so far (`index->cnt`).
    count: u32,
    has_common: bool,
}

/// `max_chain_length`: lines occurring more often than this are not used as anchors.
const MAX_CHAIN_LENGTH: u32 = 64;

impl HistogramIndex {
    fn record(&self, class: u32) -> Option<Record> {
        let record = self.records[class as usize];
        (record.generation == self.generation).then_some(record)
    }

    fn count_of(&self, class: u32) -> u32 {
        self.record(class).map_or(0, |record| record.count)
    }

    /// `find_lcs`: the longest common region built around the rarest lines, and whether to fall
    /// back to Myers because every common line is too frequent.
    fn find_lcs(&mut self, old: &[u32], new: &[u32], span: &Span) -> (Region, bool) {
        let Span {
            line1,
            count1,
            line2,
            count2,
        } = *span;
        self.generation += 1;
        self.next_ptrs.clear();
        self.next_ptrs.resize(count1, 0);
        // `scanA`: from the last line up, so each record ends at its first occurrence.
        for ptr in (line1..line1 + count1).rev() {
            let class = old[ptr - 1];
            match self.record(class) {
                Some(record) => {
                    self.next_ptrs[ptr - line1] = record.ptr;
                    self.records[class as usize] = Record {
                        ptr,
                        count: record.count.saturating_add(1),
                        generation: self.generation,
                    };
                }
                None => {
                    self.records[class as usize] = Record {
                        ptr,
                        count: 1,
                        generation: self.generation,
                    };
                }
            }
        }
        self.count = MAX_CHAIN_LENGTH + 1;
        self.has_common = false;
        let mut lcs = Region::default();
        let mut b_ptr = line2;
        while b_ptr < line2 + count2 {
            b_ptr = self.try_lcs(old, new, &mut lcs, b_ptr, span);
        }
        let fall_back = self.has_common && MAX_CHAIN_LENGTH < self.count;
        (lcs, fall_back)
    }

    /// `try_lcs`: extend every occurrence of new line `b_ptr` in the old region to a common
    /// region; returns the next new line to try.
    fn try_lcs(
        &mut self,
        old: &[u32],
        new: &[u32],
        lcs: &mut Region,
        b_ptr: usize,
        span: &Span,
    ) -> usize {
        let Span {
            line1,
            count1,
            line2,
            count2,
        } = *span;
        let mut b_next = b_ptr + 1;
        let end1 = line1 + count1 - 1;
        let end2 = line2 + count2 - 1;
        let Some(record) = self.record(new[b_ptr - 1]) else {
            return b_next;
        };
        self.has_common = true;
        if record.count > self.count {
            return b_next;
        }
        let mut a_start = record.ptr;
        loop {
            let next = self.next_ptrs[a_start - line1];
            let mut b_start = b_ptr;
            let mut a_end = a_start;
            let mut b_end = b_start;
            let mut rc = record.count;
            while line1 < a_start && line2 < b_start && old[a_start - 2] == new[b_start - 2] {
                a_start -= 1;
                b_start -= 1;
                if 1 < rc {
                    rc = rc.min(self.count_of(old[a_start - 1]));
                }
            }
            while a_end < end1 && b_end < end2 && old[a_end] == new[b_end] {
                a_end += 1;
                b_end += 1;
                if 1 < rc {
                    rc = rc.min(self.count_of(old[a_end - 1]));
                }
            }
            if b_next <= b_end {
                b_next = b_end + 1;
            }
            if lcs.end1 - lcs.begin1 < a_end - a_start || rc < self.count {
                *lcs = Region {
                    begin1: a_start,
                    end1: a_end,
                    begin2: b_start,
                    end2: b_end,
                };
                self.count = rc;
            }
            let mut next = next;
            if next == 0 {
                break;
            }
            while next <= a_end {
                next = self.next_ptrs[next - line1];
                if next == 0 {
                    return b_next;
                }
            }
            a_start = next;
        }
        b_next
    }
}

/// `xdl_clean_mmatch`: whether the frequent line `i` sits in a run of unmatched lines and
/// should be discarded too.
fn clean_mmatch(dis: &[u8], i: i64, start: i64, end: i64) -> bool {
    let start = if i - start > SIMSCAN_WINDOW {
        i - SIMSCAN_WINDOW
    } else {
        start
    };
    let end = if end - i > SIMSCAN_WINDOW {
        i + SIMSCAN_WINDOW
    } else {
        end
    };
    let (mut rdis0, mut rpdis0) = (0i64, 1i64);
    let mut r = 1;
    while i - r >= start {
        match dis[(i - r) as usize] {
            NO => rdis0 += 1,
            MAYBE => rpdis0 += 1,
            _ => break,
        }
        r += 1;
    }
    if rdis0 == 0 {
        return false;
    }
    let (mut rdis1, mut rpdis1) = (0i64, 1i64);
    let mut r = 1;
    while i + r <= end {
        match dis[(i + r) as usize] {
            NO => rdis1 += 1,
            MAYBE => rpdis1 += 1,
            _ => break,
        }
        r += 1;
    }
    if rdis1 == 0 {
        return false;
    }
    rdis1 += rdis0;
    rpdis1 += rpdis0;
    rpdis1 * KPDIS_RUN < rpdis1 + rdis1
}

/// Where a box is split, and whether each half still needs a minimal diff (`xdpsplit_t`).
struct Split {
    i1: i64,
    i2: i64,
    min_lo: bool,
    min_hi: bool,
}

/// The state of `xdl_split`: the two sequences and the forward and backward K vectors.
struct Search<'a> {
    hash1: &'a [u32],
    hash2: &'a [u32],
    /// Both K vectors; `kvdf[d]` is `kv[forward + d]`, `kvdb[d]` is `kv[backward + d]`.
    kv: Vec<i64>,
    forward: i64,
    backward: i64,
    max_cost: i64,
}

impl<'a> Search<'a> {
    fn new(hash1: &'a [u32], hash2: &'a [u32]) -> Self {
        let n_diagonals = hash1.len() as i64 + hash2.len() as i64 + 3;
        Search {
            hash1,
            hash2,
            kv: vec![0; 2 * n_diagonals as usize + 2],
            forward: hash2.len() as i64 + 1,
            backward: n_diagonals + hash2.len() as i64 + 1,
            max_cost: bogosqrt(n_diagonals).max(MAX_COST_MIN),
        }
    }

    fn f(&self, d: i64) -> i64 {
        self.kv[(self.forward + d) as usize]
    }

    fn set_f(&mut self, d: i64, value: i64) {
        self.kv[(self.forward + d) as usize] = value;
    }

    fn b(&self, d: i64) -> i64 {
        self.kv[(self.backward + d) as usize]
    }

    fn set_b(&mut self, d: i64, value: i64) {
        self.kv[(self.backward + d) as usize] = value;
    }

    fn same(&self, i1: i64, i2: i64) -> bool {
        self.hash1[i1 as usize] == self.hash2[i2 as usize]
    }

    /// `xdl_split`: find where the box `off1..lim1` × `off2..lim2` is best split.
    fn split(&mut self, off1: i64, lim1: i64, off2: i64, lim2: i64, need_min: bool) -> Split {
        let (dmin, dmax) = (off1 - lim2, lim1 - off2);
        let (fmid, bmid) = (off1 - off2, lim1 - lim2);
        let odd = (fmid - bmid) & 1 != 0;
        let (mut fmin, mut fmax) = (fmid, fmid);
        let (mut bmin, mut bmax) = (bmid, bmid);
        self.set_f(fmid, off1);
        self.set_b(bmid, lim1);

        let mut ec = 1;
        loop {
            let mut got_snake = false;

            if fmin > dmin {
                fmin -= 1;
                self.set_f(fmin - 1, -1);
            } else {
                fmin += 1;
            }
            if fmax < dmax {
                fmax += 1;
                self.set_f(fmax + 1, -1);
            } else {
                fmax -= 1;
            }
            let mut d = fmax;
            while d >= fmin {
                let mut i1 = if self.f(d - 1) >= self.f(d + 1) {
                    self.f(d - 1) + 1
                } else {
                    self.f(d + 1)
                };
                let prev1 = i1;
                let mut i2 = i1 - d;
                while i1 < lim1 && i2 < lim2 && self.same(i1, i2) {
                    i1 += 1;
                    i2 += 1;
                }
                if i1 - prev1 > SNAKE_CNT {
                    got_snake = true;
                }
                self.set_f(d, i1);
                if odd && bmin <= d && d <= bmax && self.b(d) <= i1 {
                    return Split {
                        i1,
                        i2,
                        min_lo: true,
                        min_hi: true,
                    };
                }
                d -= 2;
            }

            if bmin > dmin {
                bmin -= 1;
                self.set_b(bmin - 1, LINE_MAX);
            } else {
                bmin += 1;
            }
            if bmax < dmax {
                bmax += 1;
                self.set_b(bmax + 1, LINE_MAX);
            } else {
                bmax -= 1;
            }
            let mut d = bmax;
            while d >= bmin {
                let mut i1 = if self.b(d - 1) < self.b(d + 1) {
                    self.b(d - 1)
                } else {
                    self.b(d + 1) - 1
                };
                let prev1 = i1;
                let mut i2 = i1 - d;
                while i1 > off1 && i2 > off2 && self.same(i1 - 1, i2 - 1) {
                    i1 -= 1;
                    i2 -= 1;
                }
                if prev1 - i1 > SNAKE_CNT {
                    got_snake = true;
                }
                self.set_b(d, i1);
                if !odd && fmin <= d && d <= fmax && i1 <= self.f(d) {
                    return Split {
                        i1,
                        i2,
                        min_lo: true,
                        min_hi: true,
                    };
                }
                d -= 2;
            }

            if need_min {
                ec += 1;
                continue;
            }

            // Take a long enough snake far along a diagonal near the middle.
            if got_snake && ec > HEUR_MIN_COST {
                let mut best = 0;
                let mut found = None;
                let mut d = fmax;
                while d >= fmin {
                    let dd = if d > fmid { d - fmid } else { fmid - d };
                    let i1 = self.f(d);
                    let i2 = i1 - d;
                    let v = (i1 - off1) + (i2 - off2) - dd;
                    if v > K_HEUR * ec
                        && v > best
                        && off1 + SNAKE_CNT <= i1
                        && i1 < lim1
                        && off2 + SNAKE_CNT <= i2
                        && i2 < lim2
                    {
                        let mut k = 1;
                        while self.same(i1 - k, i2 - k) {
                            if k == SNAKE_CNT {
                                best = v;
                                found = Some((i1, i2));
                                break;
                            }
                            k += 1;
                        }
                    }
                    d -= 2;
                }
                if let (true, Some((i1, i2))) = (best > 0, found) {
                    return Split {
                        i1,
                        i2,
                        min_lo: true,
                        min_hi: false,
                    };
                }

                let mut best = 0;
                let mut found = None;
                let mut d = bmax;
                while d >= bmin {
                    let dd = if d > bmid { d - bmid } else { bmid - d };
                    let i1 = self.b(d);
                    let i2 = i1 - d;
                    let v = (lim1 - i1) + (lim2 - i2) - dd;
                    if v > K_HEUR * ec
                        && v > best
                        && off1 < i1
                        && i1 <= lim1 - SNAKE_CNT
                        && off2 < i2
                        && i2 <= lim2 - SNAKE_CNT
                    {
                        let mut k = 0;
                        while self.same(i1 + k, i2 + k) {
                            if k == SNAKE_CNT - 1 {
                                best = v;
                                found = Some((i1, i2));
                                break;
                            }
                            k += 1;
                        }
                    }
                    d -= 2;
                }
                if let (true, Some((i1, i2))) = (best > 0, found) {
                    return Split {
                        i1,
                        i2,
                        min_lo: false,
                        min_hi: true,
                    };
                }
            }

            // Enough is enough: take the furthest reaching path.
            if ec >= self.max_cost {
                let (mut fbest, mut fbest1) = (-1, -1);
                let mut d = fmax;
                while d >= fmin {
                    let mut i1 = self.f(d).min(lim1);
                    let mut i2 = i1 - d;
                    if lim2 < i2 {
                        i1 = lim2 + d;
                        i2 = lim2;
                    }
                    if fbest < i1 + i2 {
                        fbest = i1 + i2;
                        fbest1 = i1;
                    }
                    d -= 2;
                }
                let (mut bbest, mut bbest1) = (LINE_MAX, LINE_MAX);
                let mut d = bmax;
                while d >= bmin {
                    let mut i1 = off1.max(self.b(d));
                    let mut i2 = i1 - d;
                    if i2 < off2 {
                        i1 = off2 + d;
                        i2 = off2;
                    }
                    if i1 + i2 < bbest {
                        bbest = i1 + i2;
                        bbest1 = i1;
                    }
                    d -= 2;
                }
                return if (lim1 + lim2) - bbest < fbest - (off1 + off2) {
                    Split {
                        i1: fbest1,
                        i2: fbest - fbest1,
                        min_lo: true,
                        min_hi: false,
                    }
                } else {
                    Split {
                        i1: bbest1,
                        i2: bbest - bbest1,
                        min_lo: false,
                        min_hi: true,
                    }
                };
            }
            ec += 1;
        }
    }
}

/// One side of the diff during compaction: which lines are changed (with an unchanged sentinel
/// before the first and after the last line), their classes and their text.
struct File<'a> {
    changed: Vec<bool>,
    classes: &'a [u32],
    lines: &'a [&'a [u8]],
}

impl File<'_> {
    fn n(&self) -> i64 {
        self.classes.len() as i64
    }

    /// `rchg[idx]` for `idx` in `-1..=n`.
    fn is_changed(&self, idx: i64) -> bool {
        self.changed[(idx + 1) as usize]
    }

    fn set_changed(&mut self, idx: i64, value: bool) {
        self.changed[(idx + 1) as usize] = value;
    }

    fn same(&self, a: i64, b: i64) -> bool {
        self.classes[a as usize] == self.classes[b as usize]
    }
}

/// A group of changed lines, possibly empty (`struct xdlgroup`).
#[derive(Clone, Copy)]
struct Group {
    start: i64,
    end: i64,
}

impl Group {
    /// `group_init`.
    fn first(file: &File<'_>) -> Group {
        let mut end = 0;
        while file.is_changed(end) {
            end += 1;
        }
        Group { start: 0, end }
    }

    /// `group_next`: false at the end of the file.
    fn next(&mut self, file: &File<'_>) -> bool {
        if self.end == file.n() {
            return false;
        }
        self.start = self.end + 1;
        self.end = self.start;
        while file.is_changed(self.end) {
            self.end += 1;
        }
        true
    }

    /// `group_previous`: false at the start of the file.
    fn previous(&mut self, file: &File<'_>) -> bool {
        if self.start == 0 {
            return false;
        }
        self.end = self.start - 1;
        self.start = self.end;
        while file.is_changed(self.start - 1) {
            self.start -= 1;
        }
        true
    }

    /// `group_slide_down`.
    fn slide_down(&mut self, file: &mut File<'_>) -> bool {
        if self.end < file.n() && file.same(self.start, self.end) {
            file.set_changed(self.start, false);
            self.start += 1;
            file.set_changed(self.end, true);
            self.end += 1;
            while file.is_changed(self.end) {
                self.end += 1;
            }
            true
        } else {
            false
        }
    }

    /// `group_slide_up`.
    fn slide_up(&mut self, file: &mut File<'_>) -> bool {
        if self.start > 0 && file.same(self.start - 1, self.end - 1) {
            self.start -= 1;
            file.set_changed(self.start, true);
            self.end -= 1;
            file.set_changed(self.end, false);
            while file.is_changed(self.start - 1) {
                self.start -= 1;
            }
            true
        } else {
            false
        }
    }
}

/// Slide changes to git's preferred positions (`xdl_change_compact` on both sides): merge
/// groups that can be joined, align with changes on the other side, and otherwise, with
/// `indent_heuristic`, pick the position whose boundaries look best by indentation (git's
/// default), or leave them as far down as they go.
pub(crate) fn compact(
    changed1: &mut Vec<bool>,
    changed2: &mut Vec<bool>,
    classes1: &[u32],
    classes2: &[u32],
    lines1: &[&[u8]],
    lines2: &[&[u8]],
    indent_heuristic: bool,
) {
    let with_sentinels = |changed: &[bool]| {
        let mut out = Vec::with_capacity(changed.len() + 2);
        out.push(false);
        out.extend_from_slice(changed);
        out.push(false);
        out
    };
    let mut file1 = File {
        changed: with_sentinels(changed1),
        classes: classes1,
        lines: lines1,
    };
    let mut file2 = File {
        changed: with_sentinels(changed2),
        classes: classes2,
        lines: lines2,
    };
    compact_file(&mut file1, &file2, indent_heuristic);
    compact_file(&mut file2, &file1, indent_heuristic);
    let strip = |file: File<'_>| {
        let mut changed = file.changed;
        changed.pop();
        changed.remove(0);
        changed
    };
    *changed1 = strip(file1);
    *changed2 = strip(file2);
}

/// `xdl_change_compact(xdf, xdfo, flags)`.
fn compact_file(file: &mut File<'_>, other: &File<'_>, indent_heuristic: bool) {
    let mut g = Group::first(file);
    let mut go = Group::first(other);
    loop {
        if g.end != g.start {
            let mut earliest_end;
            let mut end_matching_other;
            let mut group_size;
            loop {
                group_size = g.end - g.start;
                end_matching_other = -1;
                while g.slide_up(file) {
                    if !go.previous(other) {
                        return; // Out of sync: cannot happen.
                    }
                }
                earliest_end = g.end;
                if go.end > go.start {
                    end_matching_other = g.end;
                }
                while g.slide_down(file) {
                    if !go.next(other) {
                        return;
                    }
                    if go.end > go.start {
                        end_matching_other = g.end;
                    }
                }
                if group_size == g.end - g.start {
                    break;
                }
            }

            if g.end == earliest_end {
                // No shifting was possible.
            } else if end_matching_other != -1 {
                // Line up with the last group of changes on the other side it can align with.
                while go.end == go.start {
                    if !g.slide_up(file) || !go.previous(other) {
                        return;
                    }
                }
            } else if indent_heuristic {
                // The indent heuristic: pick the shift with the best-looking boundaries.
                let mut shift = earliest_end;
                if g.end - group_size - 1 > shift {
                    shift = g.end - group_size - 1;
                }
                if g.end - INDENT_HEURISTIC_MAX_SLIDING > shift {
                    shift = g.end - INDENT_HEURISTIC_MAX_SLIDING;
                }
                let mut best: Option<(i64, Score)> = None;
                while shift <= g.end {
                    let mut score = Score::default();
                    score.add(&measure_split(file, shift));
                    score.add(&measure_split(file, shift - group_size));
                    if best
                        .as_ref()
                        .is_none_or(|(_, best_score)| score.cmp(best_score) <= 0)
                    {
                        best = Some((shift, score));
                    }
                    shift += 1;
                }
                if let Some((best_shift, _)) = best {
                    while g.end > best_shift {
                        if !g.slide_up(file) || !go.previous(other) {
                            return;
                        }
                    }
                }
            }
        }
        if !g.next(file) {
            break;
        }
        if !go.next(other) {
            return;
        }
    }
}

/// `INDENT_HEURISTIC_MAX_SLIDING`.
const INDENT_HEURISTIC_MAX_SLIDING: i64 = 100;
/// `MAX_INDENT`.
const MAX_INDENT: i64 = 200;
/// `MAX_BLANKS`.
const MAX_BLANKS: i64 = 20;
const START_OF_FILE_PENALTY: i64 = 1;
const END_OF_FILE_PENALTY: i64 = 21;
const TOTAL_BLANK_WEIGHT: i64 = -30;
const POST_BLANK_WEIGHT: i64 = 6;
const RELATIVE_INDENT_PENALTY: i64 = -4;
const RELATIVE_INDENT_WITH_BLANK_PENALTY: i64 = 10;
const RELATIVE_OUTDENT_PENALTY: i64 = 24;
const RELATIVE_OUTDENT_WITH_BLANK_PENALTY: i64 = 17;
const RELATIVE_DEDENT_PENALTY: i64 = 23;
const RELATIVE_DEDENT_WITH_BLANK_PENALTY: i64 = 17;
const INDENT_WEIGHT: i64 = 60;

/// `get_indent`: the indentation of a line (a tab advances to the next multiple of 8), or -1 if
/// it is blank.
fn indent(line: &[u8]) -> i64 {
    let mut width = 0;
    for &byte in line {
        if !super::is_git_space(byte) {
            return width;
        } else if byte == b' ' {
            width += 1;
        } else if byte == b'\t' {
            width += 8 - width % 8;
        }
        if width >= MAX_INDENT {
            return MAX_INDENT;
        }
    }
    -1
}

/// `struct split_measurement`.
struct Measurement {
    end_of_file: bool,
    indent: i64,
    pre_blank: i64,
    pre_indent: i64,
    post_blank: i64,
    post_indent: i64,
}

/// `measure_split`: what surrounds a split above line `split`.
fn measure_split(file: &File<'_>, split: i64) -> Measurement {
    let n = file.n();
    let (end_of_file, split_indent) = if split >= n {
        (true, -1)
    } else {
        (false, indent(file.lines[split as usize]))
    };
    let mut pre_blank = 0;
    let mut pre_indent = -1;
    let mut idx = split - 1;
    while idx >= 0 {
        pre_indent = indent(file.lines[idx as usize]);
        if pre_indent != -1 {
            break;
        }
        pre_blank += 1;
        if pre_blank == MAX_BLANKS {
            pre_indent = 0;
            break;
        }
        idx -= 1;
    }
    let mut post_blank = 0;
    let mut post_indent = -1;
    let mut idx = split + 1;
    while idx < n {
        post_indent = indent(file.lines[idx as usize]);
        if post_indent != -1 {
            break;
        }
        post_blank += 1;
        if post_blank == MAX_BLANKS {
            post_indent = 0;
            break;
        }
        idx += 1;
    }
    Measurement {
        end_of_file,
        indent: split_indent,
        pre_blank,
        pre_indent,
        post_blank,
        post_indent,
    }
}

/// `struct split_score`.
#[derive(Default)]
struct Score {
    effective_indent: i64,
    penalty: i64,
}

impl Score {
    /// `score_add_split`.
    fn add(&mut self, m: &Measurement) {
        if m.pre_indent == -1 && m.pre_blank == 0 {
            self.penalty += START_OF_FILE_PENALTY;
        }
        if m.end_of_file {
            self.penalty += END_OF_FILE_PENALTY;
        }
        let post_blank = if m.indent == -1 { 1 + m.post_blank } else { 0 };
        let total_blank = m.pre_blank + post_blank;
        self.penalty += TOTAL_BLANK_WEIGHT * total_blank;
        self.penalty += POST_BLANK_WEIGHT * post_blank;
        let indent = if m.indent == -1 {
            m.post_indent
        } else {
            m.indent
        };
        let any_blanks = total_blank != 0;
        self.effective_indent += indent;
        if indent == -1 || m.pre_indent == -1 {
            // No adjustment.
        } else if indent > m.pre_indent {
            self.penalty += if any_blanks {
                RELATIVE_INDENT_WITH_BLANK_PENALTY
            } else {
                RELATIVE_INDENT_PENALTY
            };
        } else if indent == m.pre_indent {
            // No adjustment.
        } else if m.post_indent != -1 && m.post_indent > indent {
            self.penalty += if any_blanks {
                RELATIVE_OUTDENT_WITH_BLANK_PENALTY
            } else {
                RELATIVE_OUTDENT_PENALTY
            };
        } else {
            self.penalty += if any_blanks {
                RELATIVE_DEDENT_WITH_BLANK_PENALTY
            } else {
                RELATIVE_DEDENT_PENALTY
            };
        }
    }

    /// `score_cmp`: negative if `self` is better.
    fn cmp(&self, other: &Score) -> i64 {
        let cmp_indents = match self.effective_indent.cmp(&other.effective_indent) {
            std::cmp::Ordering::Less => -1,
            std::cmp::Ordering::Equal => 0,
            std::cmp::Ordering::Greater => 1,
        };
        INDENT_WEIGHT * cmp_indents + (self.penalty - other.penalty)
    }
}
