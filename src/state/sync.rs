//! Fetch, pull and push results and the ahead/behind counts, in words.

use tabgit_engine::protocol::{MergeResult, RefOutcome};

/// One line of a sync result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResultLine {
    /// Whether it went well.
    pub ok: bool,
    /// The sentence.
    pub text: String,
}

/// A push's per-ref outcomes in words; a rejection says what to do next.
pub fn push_lines(refs: &[RefOutcome]) -> Vec<ResultLine> {
    if refs.is_empty() {
        return vec![ResultLine {
            ok: true,
            text: "Nothing to push".into(),
        }];
    }
    refs.iter()
        .map(|r| {
            let mut text = r.message.clone();
            if !text.contains(&r.name) {
                text = format!("{}: {text}", r.name);
            }
            let lower = text.to_ascii_lowercase();
            if !r.ok
                && (lower.contains("non-fast-forward") || lower.contains("fetch first"))
                && !lower.contains("pull")
            {
                text.push_str(" — the remote has commits you don't have: pull first");
            }
            ResultLine { ok: r.ok, text }
        })
        .collect()
}

/// A fetch's ref updates in words.
pub fn fetch_lines(updates: &[String]) -> Vec<ResultLine> {
    if updates.is_empty() {
        return vec![ResultLine {
            ok: true,
            text: "Fetched: already up to date".into(),
        }];
    }
    updates
        .iter()
        .map(|u| ResultLine {
            ok: true,
            text: format!("Fetched {u}"),
        })
        .collect()
}

/// A pull's fetched refs and what the merge did, in words.
pub fn pull_lines(updates: &[String], result: &MergeResult) -> Vec<ResultLine> {
    let mut lines: Vec<ResultLine> = updates
        .iter()
        .map(|u| ResultLine {
            ok: true,
            text: format!("Fetched {u}"),
        })
        .collect();
    let short = |id: &str| id.get(..10).unwrap_or(id).to_owned();
    lines.push(match result {
        MergeResult::UpToDate => ResultLine {
            ok: true,
            text: "Pulled: already up to date".into(),
        },
        MergeResult::FastForward { to } => ResultLine {
            ok: true,
            text: format!("Pulled: fast-forwarded to {}", short(to)),
        },
        MergeResult::Committed { id } => ResultLine {
            ok: true,
            text: format!("Pulled: merged as {}", short(id)),
        },
        MergeResult::Conflicted { paths } => ResultLine {
            ok: false,
            text: format!(
                "Pulled with conflicts in {}: resolve them, then commit",
                paths
                    .iter()
                    .map(|p| String::from_utf8_lossy(p).into_owned())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        },
    });
    lines
}

/// The ahead/behind badge.
pub fn ahead_behind(ahead: usize, behind: usize, has_upstream: bool) -> String {
    if !has_upstream {
        return "no upstream".into();
    }
    match (ahead, behind) {
        (0, 0) => "up to date".into(),
        (a, 0) => format!("{a} to push"),
        (0, b) => format!("{b} to pull"),
        (a, b) => format!("{a} to push, {b} to pull"),
    }
}

#[cfg(test)]
mod tests {
    use tabgit_engine::protocol::RefOutcome;

    use tabgit_engine::protocol::MergeResult;

    use super::{ahead_behind, fetch_lines, pull_lines, push_lines};

    #[test]
    fn push_results_in_words() {
        let lines = push_lines(&[
            RefOutcome {
                name: "refs/heads/main".into(),
                ok: false,
                message: "refs/heads/main: rejected by the remote (non-fast-forward)".into(),
            },
            RefOutcome {
                name: "refs/heads/x".into(),
                ok: true,
                message: "updated".into(),
            },
        ]);
        assert!(lines[0].text.ends_with("pull first"), "{}", lines[0].text);
        assert!(!lines[0].ok);
        assert_eq!(lines[1].text, "refs/heads/x: updated");
        assert_eq!(push_lines(&[])[0].text, "Nothing to push");
    }

    #[test]
    fn counts_and_fetches() {
        assert_eq!(ahead_behind(0, 0, true), "up to date");
        assert_eq!(ahead_behind(2, 1, true), "2 to push, 1 to pull");
        assert_eq!(ahead_behind(2, 0, false), "no upstream");
        assert_eq!(fetch_lines(&[])[0].text, "Fetched: already up to date");
        assert_eq!(
            fetch_lines(&["origin/main: updated".into()])[0].text,
            "Fetched origin/main: updated"
        );
        let pulled = pull_lines(
            &["origin/main: updated".into()],
            &MergeResult::FastForward {
                to: "0123456789abcdef".into(),
            },
        );
        assert_eq!(pulled[1].text, "Pulled: fast-forwarded to 0123456789");
        let conflicted = pull_lines(
            &[],
            &MergeResult::Conflicted {
                paths: vec![b"a.txt".to_vec()],
            },
        );
        assert!(!conflicted[0].ok && conflicted[0].text.contains("a.txt"));
    }
}
