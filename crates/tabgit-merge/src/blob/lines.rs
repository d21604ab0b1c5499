//! Lines as xdiff records them, and the line diff xdiff's merge runs on them.

use std::collections::HashMap;

use tabgit_diff::lines::{Algorithm, Change, Diff};

/// Split `data` into lines as xdiff records them: each line ends after its `\n`, and a last line
/// without one is a line too.
pub(crate) fn split(data: &[u8]) -> Vec<&[u8]> {
    let mut lines = Vec::new();
    let mut start = 0;
    for (idx, &byte) in data.iter().enumerate() {
        if byte == b'\n' {
            lines.push(&data[start..=idx]);
            start = idx + 1;
        }
    }
    if start < data.len() {
        lines.push(&data[start..]);
    }
    lines
}

/// The line diff of `old` and `new` as `xdl_do_diff` followed by `xdl_change_compact` computes
/// it *without* the indent heuristic, which is how git's merge code calls xdiff
/// (`merge-ort.c` sets only the algorithm in `xdl_opts`).
///
/// ### Algorithm
///
/// [`tabgit_diff::lines::Diff::compute`] always applies the indent heuristic. The heuristic only
/// decides where a change that can slide ends up, by scoring each position from the
/// indentation and blankness of the lines around it, and prefers the last position on ties. So
/// each distinct line is replaced by a token of the same class (`x<number>\n`): every token has
/// indentation 0 and none is blank, every position inside the file scores the same, and the
/// heuristic picks the last one — exactly where git's compaction leaves a change without the
/// heuristic. Positions touching the start of the file score worse and the end of the file
/// better, which again agrees with "the last position". The diff algorithms themselves only
/// compare line classes, so their result is unchanged.
pub(crate) fn diff(old: &[&[u8]], new: &[&[u8]], algorithm: Algorithm) -> Vec<Change> {
    if old.is_empty() && new.is_empty() {
        return Vec::new();
    }
    let mut classes: HashMap<&[u8], u32> = HashMap::new();
    let old_tokens = encode(&mut classes, old);
    let new_tokens = encode(&mut classes, new);
    Diff::compute(&old_tokens, &new_tokens, algorithm)
        .changes()
        .to_vec()
}

/// Replace each line by a token naming its class (`x<class>\n`).
fn encode<'a>(classes: &mut HashMap<&'a [u8], u32>, lines: &[&'a [u8]]) -> Vec<u8> {
    let mut out = Vec::with_capacity(lines.len() * 8);
    for line in lines {
        let next = classes.len() as u32;
        let class = *classes.entry(line).or_insert(next);
        out.push(b'x');
        out.extend_from_slice(class.to_string().as_bytes());
        out.push(b'\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_keeps_newlines_and_a_last_partial_line() {
        assert_eq!(split(b"a\nb\nc"), vec![&b"a\n"[..], b"b\n", b"c"]);
        assert_eq!(split(b""), Vec::<&[u8]>::new());
        assert_eq!(split(b"\n"), vec![&b"\n"[..]]);
    }

    #[test]
    fn inserted_block_slides_to_the_last_position() {
        // Without the indent heuristic git slides an ambiguous insertion as far down as it goes.
        let old = split(b"a\n}\n\nb\n");
        let new = split(b"a\n}\n\nx\n}\n\nb\n");
        let changes = diff(&old, &new, Algorithm::Histogram);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].new, 3..6, "the insertion ends right before `b`");
    }
}
