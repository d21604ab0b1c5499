use tabgit_diff::lines::Change;

use crate::blob::{
    is_binary, lines, ConflictStyle, Favor, Hunk, Labels, Level, Markers, Options, Outcome,
};

/// Merge `ours` and `theirs`, two versions of `base`, as git's `ll_merge` does with the built-in
/// text driver.
///
/// ### Algorithm
///
/// A port of `xdl_merge` (`xdiff/xmerge.c`):
///
/// 1. Diff `base` against `ours` and against `theirs` (histogram by default, no indent
///    heuristic, as git's merge code runs xdiff). If one side did not change, the result is the
///    other side.
/// 2. Walk both change lists together. A change that does not touch the other side's changes is
///    taken from its side; touching changes become one region, a conflict unless both sides made
///    the same change (or always, at [`Level::Minimal`]). Regions that touch are joined.
/// 3. At [`Level::Zealous`] and above, each conflict is narrowed: our and their lines are diffed
///    against each other and only the differing runs stay conflicts; conflicts separated by at
///    most three lines are then joined. The diff3 styles keep [`Level::Eager`] because the base's
///    lines would not match a narrowed conflict; zdiff3 only moves lines common to both sides at
///    the start and end of a conflict out of it.
/// 4. The result is written with markers sized [`Options::marker_size`] and ending in CRLF when
///    the surrounding lines do.
///
/// Binary content (see [`super::is_binary`]) is not merged: the result is our side and a
/// conflict, or with [`Options::virtual_ancestor`] the base and no conflict.
///
/// ### Relation to git
///
/// The bytes equal `git merge-file` (with `-L` labels and git's merge level) and what `git merge`
/// writes for a content conflict, given the same options. `.gitattributes` merge drivers and
/// `conflict-marker-size` are the caller's business.
pub fn merge(
    base: &[u8],
    ours: &[u8],
    theirs: &[u8],
    labels: &Labels<'_>,
    options: &Options,
) -> Outcome {
    let markers = Markers {
        style: options.style,
        size: if options.marker_size == 0 {
            super::DEFAULT_MARKER_SIZE
        } else {
            options.marker_size
        },
        ancestor: labels.ancestor.map(<[u8]>::to_vec),
        ours: labels.ours.map(<[u8]>::to_vec),
        theirs: labels.theirs.map(<[u8]>::to_vec),
    };
    if is_binary(base) || is_binary(ours) || is_binary(theirs) {
        let (result, n_conflicts) = if options.virtual_ancestor {
            (base.to_vec(), 0)
        } else {
            match options.favor {
                Some(Favor::Ours) => (ours.to_vec(), 0),
                Some(Favor::Theirs) => (theirs.to_vec(), 0),
                _ => (ours.to_vec(), 1),
            }
        };
        return Outcome {
            result,
            hunks: None,
            n_conflicts,
            markers,
        };
    }

    let base_lines = lines::split(base);
    let our_lines = lines::split(ours);
    let their_lines = lines::split(theirs);
    let ours_changes = lines::diff(&base_lines, &our_lines, options.algorithm);
    let theirs_changes = lines::diff(&base_lines, &their_lines, options.algorithm);
    if ours_changes.is_empty() || theirs_changes.is_empty() {
        let result = if ours_changes.is_empty() {
            theirs
        } else {
            ours
        };
        let hunks = if result.is_empty() {
            Vec::new()
        } else {
            vec![Hunk::Clean(result.to_vec())]
        };
        return Outcome {
            result: result.to_vec(),
            hunks: Some(hunks),
            n_conflicts: 0,
            markers,
        };
    }

    let sides = Sides {
        base: &base_lines,
        ours: &our_lines,
        theirs: &their_lines,
    };
    let mut level = options.level;
    if options.style != ConflictStyle::Merge && level > Level::Eager {
        level = Level::Eager;
    }
    let mut regions = combine(&sides, &ours_changes, &theirs_changes, level);
    if options.style == ConflictStyle::ZealousDiff3 {
        refine_zdiff3(&sides, &mut regions);
    } else if level >= Level::Zealous {
        regions = refine(&sides, regions, options);
        simplify_non_conflicts(&sides, &mut regions, level > Level::Zealous);
    }
    let hunks = fill(&sides, &regions, options.favor);
    let n_conflicts = hunks
        .iter()
        .filter(|hunk| matches!(hunk, Hunk::Conflict(_)))
        .count();
    let mut outcome = Outcome {
        result: Vec::new(),
        hunks: Some(hunks),
        n_conflicts,
        markers,
    };
    let unresolved = vec![super::Choice::Unresolved; n_conflicts];
    outcome.result = outcome
        .resolve(&unresolved)
        .expect("one choice per conflict, and the content is text");
    outcome
}

/// The lines of the three versions.
struct Sides<'a> {
    base: &'a [&'a [u8]],
    ours: &'a [&'a [u8]],
    theirs: &'a [&'a [u8]],
}

/// What a region of the merge takes (`xdmerge_t.mode`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    /// A conflict (0).
    Conflict,
    /// Our change (1).
    Ours,
    /// Their change (2).
    Theirs,
    /// Both sides made the same change; found when narrowing (4).
    Identical,
}

/// One region of the merge (`xdmerge_t`): where it is in the base (`i0`, `chg0`), in ours (`i1`,
/// `chg1`) and in theirs (`i2`, `chg2`), as line indices and counts.
#[derive(Clone, Copy, Debug)]
struct Region {
    mode: Mode,
    i0: i64,
    chg0: i64,
    i1: i64,
    chg1: i64,
    i2: i64,
    chg2: i64,
}

/// `xdl_append_merge`: add a region, or extend the last one if they touch (turning it into a
/// conflict if their modes differ).
fn append(regions: &mut Vec<Region>, region: Region) {
    if let Some(last) = regions.last_mut() {
        if region.i1 <= last.i1 + last.chg1 || region.i2 <= last.i2 + last.chg2 {
            if region.mode != last.mode {
                last.mode = Mode::Conflict;
            }
            last.chg0 = region.i0 + region.chg0 - last.i0;
            last.chg1 = region.i1 + region.chg1 - last.i1;
            last.chg2 = region.i2 + region.chg2 - last.i2;
            return;
        }
    }
    regions.push(region);
}

/// A change as xdiff's script has it: `(i1, chg1, i2, chg2)`.
fn script(change: &Change) -> (i64, i64, i64, i64) {
    (
        i64::from(change.old.start),
        i64::from(change.old.end - change.old.start),
        i64::from(change.new.start),
        i64::from(change.new.end - change.new.start),
    )
}

/// The main loop of `xdl_do_merge`: walk both change lists and build the regions.
fn combine(sides: &Sides<'_>, ours: &[Change], theirs: &[Change], level: Level) -> Vec<Region> {
    let mut regions = Vec::new();
    let (mut idx1, mut idx2) = (0, 0);
    while idx1 < ours.len() && idx2 < theirs.len() {
        let (x1_i1, x1_chg1, x1_i2, x1_chg2) = script(&ours[idx1]);
        let (x2_i1, x2_chg1, x2_i2, x2_chg2) = script(&theirs[idx2]);
        if x1_i1 + x1_chg1 < x2_i1 {
            append(
                &mut regions,
                Region {
                    mode: Mode::Ours,
                    i0: x1_i1,
                    chg0: x1_chg1,
                    i1: x1_i2,
                    chg1: x1_chg2,
                    i2: x2_i2 - x2_i1 + x1_i1,
                    chg2: x1_chg1,
                },
            );
            idx1 += 1;
            continue;
        }
        if x2_i1 + x2_chg1 < x1_i1 {
            append(
                &mut regions,
                Region {
                    mode: Mode::Theirs,
                    i0: x2_i1,
                    chg0: x2_chg1,
                    i1: x1_i2 - x1_i1 + x2_i1,
                    chg1: x2_chg1,
                    i2: x2_i2,
                    chg2: x2_chg2,
                },
            );
            idx2 += 1;
            continue;
        }
        let identical = level != Level::Minimal
            && x1_i1 == x2_i1
            && x1_chg1 == x2_chg1
            && x1_chg2 == x2_chg2
            && (0..x1_chg2)
                .all(|n| sides.ours[(x1_i2 + n) as usize] == sides.theirs[(x2_i2 + n) as usize]);
        if !identical {
            let off = x1_i1 - x2_i1;
            let ffo = off + x1_chg1 - x2_chg1;
            let (mut i0, mut i1, mut i2) = (x1_i1, x1_i2, x2_i2);
            if off > 0 {
                i0 -= off;
                i1 -= off;
            } else {
                i2 += off;
            }
            let mut chg0 = x1_i1 + x1_chg1 - i0;
            let mut chg1 = x1_i2 + x1_chg2 - i1;
            let mut chg2 = x2_i2 + x2_chg2 - i2;
            if ffo < 0 {
                chg0 -= ffo;
                chg1 -= ffo;
            } else {
                chg2 += ffo;
            }
            append(
                &mut regions,
                Region {
                    mode: Mode::Conflict,
                    i0,
                    chg0,
                    i1,
                    chg1,
                    i2,
                    chg2,
                },
            );
        }
        let end1 = x1_i1 + x1_chg1;
        let end2 = x2_i1 + x2_chg1;
        if end1 >= end2 {
            idx2 += 1;
        }
        if end2 >= end1 {
            idx1 += 1;
        }
    }
    let n_base = sides.base.len() as i64;
    for change in &ours[idx1..] {
        let (i1, chg1, i2, chg2) = script(change);
        append(
            &mut regions,
            Region {
                mode: Mode::Ours,
                i0: i1,
                chg0: chg1,
                i1: i2,
                chg1: chg2,
                i2: i1 + sides.theirs.len() as i64 - n_base,
                chg2: chg1,
            },
        );
    }
    for change in &theirs[idx2..] {
        let (i1, chg1, i2, chg2) = script(change);
        append(
            &mut regions,
            Region {
                mode: Mode::Theirs,
                i0: i1,
                chg0: chg1,
                i1: i1 + sides.ours.len() as i64 - n_base,
                chg1,
                i2,
                chg2,
            },
        );
    }
    regions
}

/// `xdl_refine_conflicts`: narrow each conflict to the runs where our and their lines differ.
fn refine(sides: &Sides<'_>, regions: Vec<Region>, options: &Options) -> Vec<Region> {
    let mut out = Vec::with_capacity(regions.len());
    for mut region in regions {
        if region.mode != Mode::Conflict || region.chg1 == 0 || region.chg2 == 0 {
            out.push(region);
            continue;
        }
        let ours = &sides.ours[region.i1 as usize..(region.i1 + region.chg1) as usize];
        let theirs = &sides.theirs[region.i2 as usize..(region.i2 + region.chg2) as usize];
        let changes = lines::diff(ours, theirs, options.algorithm);
        if changes.is_empty() {
            region.mode = Mode::Identical;
            out.push(region);
            continue;
        }
        for change in &changes {
            let (c_i1, c_chg1, c_i2, c_chg2) = script(change);
            out.push(Region {
                mode: Mode::Conflict,
                i1: region.i1 + c_i1,
                chg1: c_chg1,
                i2: region.i2 + c_i2,
                chg2: c_chg2,
                ..region
            });
        }
    }
    out
}

/// `xdl_refine_zdiff3_conflicts`: move lines common to both sides at the start and end of each
/// conflict out of it.
fn refine_zdiff3(sides: &Sides<'_>, regions: &mut [Region]) {
    for region in regions.iter_mut().filter(|r| r.mode == Mode::Conflict) {
        while region.chg1 > 0
            && region.chg2 > 0
            && sides.ours[region.i1 as usize] == sides.theirs[region.i2 as usize]
        {
            region.chg1 -= 1;
            region.chg2 -= 1;
            region.i1 += 1;
            region.i2 += 1;
        }
        while region.chg1 > 0
            && region.chg2 > 0
            && sides.ours[(region.i1 + region.chg1 - 1) as usize]
                == sides.theirs[(region.i2 + region.chg2 - 1) as usize]
        {
            region.chg1 -= 1;
            region.chg2 -= 1;
        }
    }
}

/// `xdl_simplify_non_conflicts`: join conflicts separated by at most three lines of ours (or,
/// with `simplify_if_no_alnum`, by any number of lines without letters or digits).
fn simplify_non_conflicts(
    sides: &Sides<'_>,
    regions: &mut Vec<Region>,
    simplify_if_no_alnum: bool,
) {
    let mut idx = 0;
    while idx + 1 < regions.len() {
        let (current, next) = (regions[idx], regions[idx + 1]);
        let begin = current.i1 + current.chg1;
        let end = next.i1;
        let keep_apart = current.mode != Mode::Conflict
            || next.mode != Mode::Conflict
            || (end - begin > 3
                && (!simplify_if_no_alnum
                    || sides.ours[begin as usize..end as usize]
                        .iter()
                        .any(|line| line.iter().any(u8::is_ascii_alphanumeric))));
        if keep_apart {
            idx += 1;
        } else {
            // `xdl_merge_two_conflicts`: the lines between become part of the conflict.
            let merged = &mut regions[idx];
            merged.chg1 = next.i1 + next.chg1 - merged.i1;
            merged.chg2 = next.i2 + next.chg2 - merged.i2;
            regions.remove(idx + 1);
        }
    }
}

/// `is_eol_crlf`: 1 if line `idx` ends in CRLF (for a last line without one, the line before
/// it), 0 if in LF, -1 if it cannot be told.
fn is_eol_crlf(lines: &[&[u8]], idx: i64) -> i8 {
    let n = lines.len() as i64;
    let ends_crlf = |line: &[u8]| i8::from(line.len() > 1 && line[line.len() - 2] == b'\r');
    if idx < n - 1 {
        return ends_crlf(lines[idx as usize]);
    }
    if n == 0 {
        return -1;
    }
    let line = lines[idx as usize];
    if line.last() == Some(&b'\n') {
        return ends_crlf(line);
    }
    if idx == 0 {
        return -1;
    }
    ends_crlf(lines[idx as usize - 1])
}

/// `is_cr_needed`: whether the markers of `region` end in CRLF.
fn is_cr_needed(sides: &Sides<'_>, region: &Region) -> bool {
    let mut needs_cr = is_eol_crlf(sides.ours, (region.i1 - 1).max(0));
    if needs_cr != 0 {
        needs_cr = is_eol_crlf(sides.theirs, (region.i2 - 1).max(0));
    }
    if needs_cr != 0 {
        needs_cr = is_eol_crlf(sides.base, 0);
    }
    needs_cr > 0
}

/// `xdl_fill_merge_buffer`, building hunks instead of bytes.
fn fill(sides: &Sides<'_>, regions: &[Region], favor: Option<Favor>) -> Vec<Hunk> {
    let mut hunks: Vec<Hunk> = Vec::new();
    let clean = |hunks: &mut Vec<Hunk>, text: Vec<u8>| {
        if text.is_empty() {
            return;
        }
        if let Some(Hunk::Clean(last)) = hunks.last_mut() {
            last.extend_from_slice(&text);
        } else {
            hunks.push(Hunk::Clean(text));
        }
    };
    let copy = |lines: &[&[u8]], start: i64, count: i64| -> Vec<u8> {
        if count < 1 {
            return Vec::new();
        }
        lines[start as usize..(start + count) as usize].concat()
    };
    let mut idx = 0i64;
    for region in regions {
        // The mode with `favor` applied: 1 ours, 2 theirs, 3 both, 0 conflict, 4 identical.
        let mode: u8 = match (region.mode, favor) {
            (Mode::Conflict, None) => 0,
            (Mode::Conflict, Some(Favor::Ours)) | (Mode::Ours, _) => 1,
            (Mode::Conflict, Some(Favor::Theirs)) | (Mode::Theirs, _) => 2,
            (Mode::Conflict, Some(Favor::Union)) => 3,
            (Mode::Identical, _) => 4,
        };
        match mode {
            0 => {
                clean(&mut hunks, copy(sides.ours, idx, region.i1 - idx));
                hunks.push(Hunk::Conflict(super::Conflict {
                    base: copy(sides.base, region.i0, region.chg0),
                    ours: copy(sides.ours, region.i1, region.chg1),
                    theirs: copy(sides.theirs, region.i2, region.chg2),
                    crlf: is_cr_needed(sides, region),
                }));
            }
            1..=3 => {
                clean(&mut hunks, copy(sides.ours, idx, region.i1 - idx));
                if mode & 1 != 0 {
                    let mut text = copy(sides.ours, region.i1, region.chg1);
                    if mode & 2 != 0 && !text.is_empty() && text.last() != Some(&b'\n') {
                        if is_cr_needed(sides, region) {
                            text.push(b'\r');
                        }
                        text.push(b'\n');
                    }
                    clean(&mut hunks, text);
                }
                if mode & 2 != 0 {
                    clean(&mut hunks, copy(sides.theirs, region.i2, region.chg2));
                }
            }
            _ => continue,
        }
        idx = region.i1 + region.chg1;
    }
    clean(
        &mut hunks,
        copy(sides.ours, idx, sides.ours.len() as i64 - idx),
    );
    hunks
}
