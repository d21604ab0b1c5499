//! The app's settings: the CORS proxy, the default identity and the theme, kept in
//! `localStorage` (no secrets here; those live in [`crate::state::secrets`]).

use serde::{Deserialize, Serialize};
use tabgit_engine::protocol::Identity;

use crate::state::url::RemoteUrl;

/// The colour theme.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Theme {
    /// Follow the system (`prefers-color-scheme`).
    #[default]
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

/// Conversion
impl Theme {
    /// The value of `data-theme` on `<html>` (empty for the system's).
    pub fn attribute(self) -> &'static str {
        match self {
            Theme::System => "",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    /// The theme named by a `<select>` value.
    pub fn from_attribute(value: &str) -> Theme {
        match value {
            "light" => Theme::Light,
            "dark" => Theme::Dark,
            _ => Theme::System,
        }
    }
}

/// The settings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// The CORS proxy's base URL (`https://proxy.example`); empty for none.
    pub proxy_url: String,
    /// Author name for commits.
    pub name: String,
    /// Author email for commits.
    pub email: String,
    /// The colour theme.
    pub theme: Theme,
}

/// The `localStorage` key the settings are kept under.
pub const STORAGE_KEY: &str = "tabgit.settings";

/// Conversion
impl Settings {
    /// Settings from their stored JSON; anything unreadable gives the defaults.
    pub fn from_json(text: Option<&str>) -> Settings {
        text.and_then(|t| serde_json::from_str(t).ok())
            .unwrap_or_default()
    }

    /// The JSON to store.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("settings are plain strings")
    }
}

/// Access
impl Settings {
    /// What is wrong with these settings, one sentence per problem.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if !self.proxy_url.trim().is_empty() {
            if let Err(err) = RemoteUrl::parse(&self.proxy_url) {
                problems.push(format!("Proxy URL: {err}"));
            }
        }
        if !self.email.trim().is_empty() && !self.email.contains('@') {
            problems.push("Email: this does not look like an email address".into());
        }
        if self.name.contains(['<', '>', '\n']) || self.email.contains(['<', '>', '\n']) {
            problems.push("Name and email must not contain <, > or line breaks".into());
        }
        problems
    }

    /// The proxy to use by default, if one is set.
    pub fn proxy(&self) -> Option<String> {
        let proxy = self.proxy_url.trim().trim_end_matches('/');
        (!proxy.is_empty()).then(|| proxy.to_owned())
    }

    /// The identity for commits at `time` (seconds) in a zone `offset_minutes` east of UTC, or
    /// why there is none.
    pub fn commit_identity(&self, time: i64, offset_minutes: i32) -> Result<Identity, String> {
        if self.name.trim().is_empty() || self.email.trim().is_empty() {
            return Err("Set your name and email in Settings before committing".into());
        }
        Ok(Identity {
            name: self.name.trim().to_owned(),
            email: self.email.trim().to_owned(),
            time,
            offset_minutes,
        })
    }

    /// The identity for reflog entries of clones, fetches and pushes (a placeholder when none
    /// is set: these record no authorship).
    pub fn reflog_identity(&self, time: i64, offset_minutes: i32) -> Identity {
        self.commit_identity(time, offset_minutes)
            .unwrap_or_else(|_| Identity {
                name: "tabgit".into(),
                email: "tabgit@localhost".into(),
                time,
                offset_minutes,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::{Settings, Theme};

    #[test]
    fn round_trips_and_tolerates_bad_storage() {
        let settings = Settings {
            proxy_url: "https://proxy.example/".into(),
            name: "Ada".into(),
            email: "ada@example.org".into(),
            theme: Theme::Dark,
        };
        assert_eq!(Settings::from_json(Some(&settings.to_json())), settings);
        assert_eq!(Settings::from_json(Some("{not json")), Settings::default());
        assert_eq!(Settings::from_json(None), Settings::default());
        assert_eq!(
            Settings::from_json(Some(r#"{"name":"Bo"}"#)).name,
            "Bo",
            "missing fields take defaults"
        );
        assert_eq!(settings.proxy().as_deref(), Some("https://proxy.example"));
        assert!(settings.problems().is_empty());
    }

    #[test]
    fn identities() {
        let mut settings = Settings::default();
        assert!(settings.commit_identity(1, 0).is_err(), "no identity yet");
        assert_eq!(settings.reflog_identity(1, 60).name, "tabgit");
        settings.name = " Ada ".into();
        settings.email = "ada@example.org".into();
        let identity = settings.commit_identity(1_700_000_000, -300).expect("set");
        assert_eq!(identity.name, "Ada");
        assert_eq!(identity.offset_minutes, -300);
        settings.email = "nope".into();
        settings.proxy_url = "git://x".into();
        assert_eq!(settings.problems().len(), 2, "{:?}", settings.problems());
        assert_eq!(Theme::from_attribute("dark"), Theme::Dark);
        assert_eq!(Theme::Light.attribute(), "light");
    }
}
