//! The repository list: what the engine reports per repository plus what the app remembers
//! about each (its connection and when it was last opened), and storage usage in words.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use tabgit_engine::protocol::RepoSummary;

/// What the app remembers about one repository (no secrets: a connection id).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RepoMeta {
    /// The connection it was cloned with.
    pub connection: Option<String>,
    /// When it was last opened, milliseconds since the epoch.
    pub last_opened_ms: Option<f64>,
}

/// The `localStorage` key of [`RepoMetas`].
pub const STORAGE_KEY: &str = "tabgit.repos";

/// Per-repository records by local name.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RepoMetas(pub HashMap<String, RepoMeta>);

/// Conversion
impl RepoMetas {
    /// From stored JSON (empty when unreadable).
    pub fn from_json(text: Option<&str>) -> RepoMetas {
        text.and_then(|t| serde_json::from_str(t).ok())
            .unwrap_or_default()
    }

    /// The JSON to store.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("repository records are plain data")
    }
}

/// Access
impl RepoMetas {
    /// The record of `name`.
    pub fn get(&self, name: &str) -> RepoMeta {
        self.0.get(name).cloned().unwrap_or_default()
    }

    /// The repositories that use connection `id`, sorted.
    pub fn users_of(&self, id: &str) -> Vec<String> {
        let mut names: Vec<String> = self
            .0
            .iter()
            .filter(|(_, m)| m.connection.as_deref() == Some(id))
            .map(|(n, _)| n.clone())
            .collect();
        names.sort();
        names
    }
}

/// Mutation
impl RepoMetas {
    /// Remember that `name` uses `connection`.
    pub fn set_connection(&mut self, name: &str, connection: Option<String>) {
        self.0.entry(name.to_owned()).or_default().connection = connection;
    }

    /// Remember that `name` was opened at `now_ms`.
    pub fn opened(&mut self, name: &str, now_ms: f64) {
        self.0.entry(name.to_owned()).or_default().last_opened_ms = Some(now_ms);
    }

    /// Forget `name`.
    pub fn remove(&mut self, name: &str) {
        self.0.remove(name);
    }
}

/// Repositories the app remembers (it cloned them in this browser and never deleted them) that
/// the engine no longer has: the browser cleared the site's storage under pressure, or a person
/// did (`RELIABILITY.md` S13). Sorted.
pub fn missing(repos: &[RepoSummary], metas: &RepoMetas) -> Vec<String> {
    let mut gone: Vec<String> = metas
        .0
        .keys()
        .filter(|name| !repos.iter().any(|r| &r.name == *name))
        .cloned()
        .collect();
    gone.sort();
    gone
}

/// A row of the repository list.
#[derive(Clone, Debug, PartialEq)]
pub struct RepoRow {
    /// The local name.
    pub name: String,
    /// The remote URL.
    pub url: String,
    /// The branch, or "detached".
    pub branch: String,
    /// The size in words.
    pub size: String,
    /// "opened 3 days ago" or "never opened".
    pub last_opened: String,
}

/// The list's rows, most recently opened first, then by name.
pub fn rows(repos: &[RepoSummary], metas: &RepoMetas, now_ms: f64) -> Vec<RepoRow> {
    let mut sorted: Vec<&RepoSummary> = repos.iter().collect();
    sorted.sort_by(|a, b| {
        let when = |r: &RepoSummary| metas.get(&r.name).last_opened_ms.unwrap_or(0.0);
        when(b)
            .total_cmp(&when(a))
            .then_with(|| a.name.cmp(&b.name))
    });
    sorted
        .into_iter()
        .map(|r| RepoRow {
            name: r.name.clone(),
            url: r.url.clone().unwrap_or_default(),
            branch: r.branch.clone().unwrap_or_else(|| "detached".into()),
            size: format_bytes(r.size),
            last_opened: metas.get(&r.name).last_opened_ms.map_or_else(
                || "never opened".into(),
                |t| format!("opened {}", ago(now_ms - t)),
            ),
        })
        .collect()
}

/// A byte count for people: `512 B`, `1.5 KB`, `12.3 MB`, `1.02 GB` (powers of 1000, as
/// browsers' storage pages show them).
pub fn format_bytes(bytes: u64) -> String {
    let b = bytes as f64;
    if bytes < 1000 {
        format!("{bytes} B")
    } else if b < 1e6 {
        format!("{:.1} KB", b / 1e3)
    } else if b < 1e9 {
        format!("{:.1} MB", b / 1e6)
    } else {
        format!("{:.2} GB", b / 1e9)
    }
}

/// Storage usage in words, with a warning when little is left.
pub fn storage_text(usage: u64, quota: u64) -> String {
    let free = quota.saturating_sub(usage);
    let mut text = format!(
        "{} used of {} available to this site ({} free)",
        format_bytes(usage),
        format_bytes(quota),
        format_bytes(free)
    );
    if quota > 0 && free < quota / 10 {
        text.push_str(": storage is nearly full");
    }
    text
}

/// A duration in the past, roughly.
pub fn ago(ms: f64) -> String {
    let seconds = (ms / 1000.0).max(0.0) as u64;
    match seconds {
        0..=59 => "just now".into(),
        60..=3599 => plural(seconds / 60, "minute"),
        3600..=86_399 => plural(seconds / 3600, "hour"),
        _ => plural(seconds / 86_400, "day"),
    }
}

fn plural(n: u64, unit: &str) -> String {
    if n == 1 {
        format!("1 {unit} ago")
    } else {
        format!("{n} {unit}s ago")
    }
}

#[cfg(test)]
mod tests {
    use tabgit_engine::protocol::RepoSummary;

    use super::{ago, format_bytes, missing, rows, storage_text, RepoMetas};

    fn summary(name: &str) -> RepoSummary {
        RepoSummary {
            name: name.into(),
            url: Some(format!("https://h/{name}.git")),
            branch: Some("main".into()),
            head: None,
            size: 2_500_000,
        }
    }

    #[test]
    fn remembered_repositories_the_engine_lacks_are_missing() {
        let mut metas = RepoMetas::default();
        metas.opened("kept", 1.0);
        metas.opened("zeta", 1.0);
        metas.set_connection("evicted", None);
        assert_eq!(
            missing(&[summary("kept"), summary("new")], &metas),
            ["evicted", "zeta"]
        );
        assert!(missing(&[summary("kept")], &RepoMetas::default()).is_empty());
    }

    #[test]
    fn rows_are_sorted_by_last_opened() {
        let mut metas = RepoMetas::default();
        metas.opened("b", 1_000.0);
        metas.set_connection("a", Some("c1".into()));
        metas.set_connection("b", Some("c1".into()));
        let list = rows(
            &[summary("a"), summary("b"), summary("c")],
            &metas,
            61_000.0,
        );
        let names: Vec<&str> = list.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["b", "a", "c"]);
        assert_eq!(list[0].last_opened, "opened 1 minute ago");
        assert_eq!(list[1].last_opened, "never opened");
        assert_eq!(list[0].size, "2.5 MB");
        assert_eq!(metas.users_of("c1"), ["a", "b"]);
        assert_eq!(RepoMetas::from_json(Some(&metas.to_json())), metas);
    }

    #[test]
    fn numbers_in_words() {
        assert_eq!(format_bytes(999), "999 B");
        assert_eq!(format_bytes(1_500), "1.5 KB");
        assert_eq!(format_bytes(3_210_000_000), "3.21 GB");
        assert_eq!(ago(5_000.0), "just now");
        assert_eq!(ago(7_200_000.0), "2 hours ago");
        assert!(storage_text(95, 100).ends_with("nearly full"));
        assert!(!storage_text(5, 100).contains("nearly"));
    }
}
