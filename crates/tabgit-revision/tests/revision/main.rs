//! History walks, merge bases and revision syntax, checked against native git.
#![cfg(not(target_arch = "wasm32"))]
mod merge_base;
mod spec;
mod walk;

use std::path::Path;

use tabgit_hash::ObjectId;
use tabgit_testtools::{git_text, Result};

/// `git rev-parse` of each name.
pub fn ids(git_dir: &Path, names: &[&str]) -> Result<Vec<ObjectId>> {
    names
        .iter()
        .map(|n| Ok(git_text(git_dir, &["rev-parse", &format!("{n}^{{commit}}")])?.parse()?))
        .collect()
}

/// Lines of git's output as ids.
pub fn lines_to_ids(text: &str) -> Result<Vec<ObjectId>> {
    text.lines()
        .filter(|l| !l.is_empty())
        .map(|l| Ok(l.parse()?))
        .collect()
}
