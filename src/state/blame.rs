//! The blame view: one row per line, the commit that last changed it named on the first line of
//! each run, and alternate bands so runs stand apart.

use tabgit_engine::protocol::BlameRun;

use crate::state::history::{short_id, when};

/// Lines drawn before "show all" (a blame of a huge file stays responsive).
pub const BLAME_LINES_SHOWN: usize = 5000;

/// The commit of a run, shown on its first line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunHead {
    /// The commit id.
    pub commit: String,
    /// Its short id.
    pub short: String,
    /// The author.
    pub author: String,
    /// When, in words.
    pub when: String,
    /// The commit's summary.
    pub summary: String,
    /// The file's path in that commit, when it was elsewhere then (a rename).
    pub old_path: Option<String>,
}

/// One line of the blame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlameLine {
    /// The line number (1-based).
    pub number: u32,
    /// The text.
    pub text: String,
    /// The run's commit, on the run's first line only.
    pub head: Option<RunHead>,
    /// The run's commit (every line).
    pub commit: String,
    /// Alternates from run to run.
    pub odd: bool,
}

/// The rows of a blame of `path`.
pub fn blame_lines(
    path: &[u8],
    runs: &[BlameRun],
    lines: &[String],
    now_seconds: i64,
) -> Vec<BlameLine> {
    let mut out = Vec::with_capacity(lines.len());
    for (nth, run) in runs.iter().enumerate() {
        for offset in 0..run.lines {
            let number = run.start + offset;
            let Some(text) = (number as usize).checked_sub(1).and_then(|i| lines.get(i)) else {
                continue;
            };
            out.push(BlameLine {
                number,
                text: text.clone(),
                head: (offset == 0).then(|| RunHead {
                    commit: run.commit.clone(),
                    short: short_id(&run.commit)
                        .get(..8)
                        .unwrap_or_default()
                        .to_owned(),
                    author: run.author.clone(),
                    when: when(run.time, now_seconds),
                    summary: run.summary.clone(),
                    old_path: (run.path != path)
                        .then(|| String::from_utf8_lossy(&run.path).into_owned()),
                }),
                commit: run.commit.clone(),
                odd: nth % 2 == 1,
            });
        }
    }
    out.sort_by_key(|l| l.number);
    out
}

#[cfg(test)]
mod tests {
    use tabgit_engine::protocol::BlameRun;

    use super::blame_lines;

    fn run(commit: &str, start: u32, lines: u32, path: &[u8]) -> BlameRun {
        BlameRun {
            commit: commit.into(),
            author: "Ada".into(),
            time: 1_600_000_000,
            summary: "Change".into(),
            start,
            lines,
            path: path.to_vec(),
        }
    }

    #[test]
    fn runs_become_lines() {
        let lines: Vec<String> = ["a", "b", "c"].iter().map(|s| (*s).to_owned()).collect();
        let rows = blame_lines(
            b"new.rs",
            &[
                run("1111111111aaaa", 1, 2, b"new.rs"),
                run("2222222222bbbb", 3, 1, b"old.rs"),
            ],
            &lines,
            1_600_000_060,
        );
        assert_eq!(rows.len(), 3);
        let head = rows[0]
            .head
            .as_ref()
            .expect("the run's first line names it");
        assert_eq!(head.short, "11111111");
        assert_eq!(head.when, "1 minute ago");
        assert!(rows[1].head.is_none());
        assert_eq!(rows[1].commit, "1111111111aaaa");
        assert!(!rows[1].odd && rows[2].odd);
        assert_eq!(
            rows[2]
                .head
                .as_ref()
                .and_then(|h| h.old_path.clone())
                .as_deref(),
            Some("old.rs"),
            "a line from before a rename says where it was"
        );
        assert_eq!(rows[2].text, "c");
        assert!(
            blame_lines(b"x", &[run("c", 9, 1, b"x")], &lines, 0).is_empty(),
            "a run past the end is skipped"
        );
    }
}
