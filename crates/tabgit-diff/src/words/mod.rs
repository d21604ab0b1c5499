//! Word-level changes within a changed line (or block of lines), for highlighting in a
//! side-by-side view.
//!
//! Words are maximal runs of non-whitespace, as with `git diff --word-diff` and no
//! `--word-diff-regex`; whitespace separates words and is never itself a change.

use std::ops::Range;

use imara_diff::InternedInput;

use crate::lines::{self, is_git_space};

/// One change between two texts' words, as byte ranges into each text.
///
/// A range is empty when words were only added or only removed; it then marks where: the start
/// of the next word on that side, or the end of the last word.
#[derive(Clone, PartialEq, Eq, Debug, Hash)]
pub struct Change {
    /// The removed words' bytes in the old text (from the first removed word's start to the last
    /// one's end).
    pub old: Range<usize>,
    /// The added words' bytes in the new text.
    pub new: Range<usize>,
}

/// The byte ranges of the words of `text`.
pub fn split(text: &[u8]) -> Vec<Range<usize>> {
    let mut words = Vec::new();
    let mut start = None;
    for (idx, &byte) in text.iter().enumerate() {
        match (start, is_git_space(byte)) {
            (None, false) => start = Some(idx),
            (Some(word_start), true) => {
                words.push(word_start..idx);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(word_start) = start {
        words.push(word_start..text.len());
    }
    words
}

/// The word changes that turn `old` into `new` (typically a removed line and the added line that
/// replaced it, or the removed and added lines of one change).
///
/// ### Algorithm
///
/// Both texts are split into words ([`split`]), the word sequences are diffed with Myers'
/// algorithm, and each change is mapped back to byte ranges.
///
/// ### Relation to git
///
/// `git diff --word-diff` diffs the same word sequences with the same Myers algorithm and no
/// indent heuristic, so the changed words are the ones git marks.
pub fn diff(old: &[u8], new: &[u8]) -> Vec<Change> {
    let old_words = split(old);
    let new_words = split(new);
    let mut input: InternedInput<&[u8]> = InternedInput::default();
    input.update_before(old_words.iter().map(|range| &old[range.clone()]));
    input.update_after(new_words.iter().map(|range| &new[range.clone()]));
    // git diffs words with plain Myers (`xpp.flags = 0` in `diff_words_show`).
    lines::diff_tokens(&input, &[], &[], lines::Algorithm::Myers, false)
        .into_iter()
        .map(|change| Change {
            old: byte_range(&old_words, &change.old),
            new: byte_range(&new_words, &change.new),
        })
        .collect()
}

/// The bytes the words `word_range` of a text span, or an empty range where they would be.
fn byte_range(words: &[Range<usize>], word_range: &Range<u32>) -> Range<usize> {
    let (start, end) = (word_range.start as usize, word_range.end as usize);
    if start < end {
        return words[start].start..words[end - 1].end;
    }
    let at = match (
        words.get(start),
        start.checked_sub(1).and_then(|idx| words.get(idx)),
    ) {
        (Some(next), _) => next.start,
        (None, Some(previous)) => previous.end,
        (None, None) => 0,
    };
    at..at
}
