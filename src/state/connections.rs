//! Connections: named, reusable links to a git host, so no repository carries a secret.
//!
//! A connection holds a base URL (scheme, host, port, optional path prefix), how to
//! authenticate, which proxy to use, how its secret is kept and the result of its last check.
//! The connection list is stored without secrets; a secret is attached to a request only when
//! the request's URL has the connection's own scheme, host and port (RELIABILITY.md section 6).

use serde::{Deserialize, Serialize};
use tabgit_engine::protocol::{Remote, Secret};

use crate::state::settings::Settings;
use crate::state::url::RemoteUrl;

/// How a connection authenticates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuthKind {
    /// No credentials (public repositories).
    #[default]
    None,
    /// A user name and a token (HTTP Basic).
    Basic,
    /// A bearer token.
    Bearer,
}

/// Which proxy a connection goes through.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProxyChoice {
    /// The proxy from Settings.
    #[default]
    Default,
    /// None: the host sends CORS headers itself.
    Direct,
    /// This proxy.
    Custom(String),
}

/// Where a connection's secret is kept.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SecretKeeping {
    /// In memory for this tab only; gone on reload.
    #[default]
    Tab,
    /// Remembered in this browser as it is.
    Remembered,
    /// Remembered, encrypted under a passphrase asked once per visit.
    Passphrase,
}

/// The result of the last check of a connection.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ConnectionStatus {
    /// Never checked.
    #[default]
    Untested,
    /// The remote answered.
    Available {
        /// How many refs it listed.
        refs: usize,
    },
    /// The check failed.
    Failed {
        /// Why, in words.
        reason: String,
    },
}

/// Conversion
impl ConnectionStatus {
    /// The status in words.
    pub fn text(&self) -> String {
        match self {
            ConnectionStatus::Untested => "untested".into(),
            ConnectionStatus::Available { refs: 1 } => "available (1 ref)".into(),
            ConnectionStatus::Available { refs } => format!("available ({refs} refs)"),
            ConnectionStatus::Failed { reason } => format!("failed: {reason}"),
        }
    }

    /// A short machine-readable word for `data-status`.
    pub fn word(&self) -> &'static str {
        match self {
            ConnectionStatus::Untested => "untested",
            ConnectionStatus::Available { .. } => "available",
            ConnectionStatus::Failed { .. } => "failed",
        }
    }
}

/// A connection as stored (never with its secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    /// Stable id; repositories refer to it.
    pub id: String,
    /// A name for people.
    pub name: String,
    /// The base URL: repositories under it use this connection.
    pub base_url: String,
    /// How it authenticates.
    pub auth: AuthKind,
    /// The user name for [`AuthKind::Basic`].
    pub username: String,
    /// Which proxy.
    pub proxy: ProxyChoice,
    /// Where the secret is kept.
    pub keeping: SecretKeeping,
    /// The last check's result.
    pub status: ConnectionStatus,
}

/// Access
impl Connection {
    /// The parsed base URL.
    pub fn base(&self) -> Option<RemoteUrl> {
        RemoteUrl::parse(&self.base_url).ok()
    }

    /// The proxy requests go through.
    pub fn proxy_url(&self, settings: &Settings) -> Option<String> {
        match &self.proxy {
            ProxyChoice::Default => settings.proxy(),
            ProxyChoice::Direct => None,
            ProxyChoice::Custom(url) => {
                Some(url.trim().trim_end_matches('/').to_owned()).filter(|u| !u.is_empty())
            }
        }
    }

    /// Whether requests need a secret.
    pub fn needs_secret(&self) -> bool {
        self.auth != AuthKind::None
    }

    /// How to reach `url` with this connection. The secret is attached only when `url` has the
    /// connection's own scheme, host and port; otherwise this is an error, never a leak.
    pub fn remote(
        &self,
        url: &RemoteUrl,
        secret: Option<Secret>,
        settings: &Settings,
    ) -> Result<Remote, String> {
        let Some(base) = self.base() else {
            return Err(format!(
                "The connection '{}' has an unusable URL",
                self.name
            ));
        };
        if !url.same_origin(&base) {
            return Err(format!(
                "{} is not on {}, the host of the connection '{}'; its credentials are not sent there",
                url.authority(),
                base.authority(),
                self.name
            ));
        }
        if self.needs_secret() && secret.is_none() {
            return Err(format!(
                "The connection '{}' needs its token: enter it (or unlock it) in Settings",
                self.name
            ));
        }
        Ok(Remote {
            url: url.to_string(),
            proxy: self.proxy_url(settings),
            secret: if self.needs_secret() { secret } else { None },
        })
    }
}

/// All connections, as stored in `localStorage`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connections(pub Vec<Connection>);

/// The `localStorage` key of the connection list.
pub const STORAGE_KEY: &str = "tabgit.connections";

/// Conversion
impl Connections {
    /// The list from its stored JSON (empty when unreadable).
    pub fn from_json(text: Option<&str>) -> Connections {
        text.and_then(|t| serde_json::from_str(t).ok())
            .unwrap_or_default()
    }

    /// The JSON to store.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("connections are plain data")
    }
}

/// Access
impl Connections {
    /// The connection with `id`.
    pub fn get(&self, id: &str) -> Option<&Connection> {
        self.0.iter().find(|c| c.id == id)
    }

    /// The connection `url` belongs to: the one whose base URL is the longest prefix of it on
    /// the same scheme, host and port.
    pub fn for_url(&self, url: &RemoteUrl) -> Option<&Connection> {
        self.0
            .iter()
            .filter_map(|c| c.base().map(|base| (c, base)))
            .filter(|(_, base)| url.is_under(base))
            .max_by_key(|(_, base)| base.path.len())
            .map(|(c, _)| c)
    }
}

/// Mutation
impl Connections {
    /// Add `connection`, or replace the one with its id.
    pub fn upsert(&mut self, connection: Connection) {
        match self.0.iter_mut().find(|c| c.id == connection.id) {
            Some(existing) => *existing = connection,
            None => self.0.push(connection),
        }
    }

    /// Remove the connection with `id`.
    pub fn remove(&mut self, id: &str) {
        self.0.retain(|c| c.id != id);
    }

    /// Record a check's result.
    pub fn set_status(&mut self, id: &str, status: ConnectionStatus) {
        if let Some(c) = self.0.iter_mut().find(|c| c.id == id) {
            c.status = status;
        }
    }
}

/// The connection form's fields, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConnectionForm {
    /// The connection being edited, or `None` for a new one.
    pub id: Option<String>,
    /// Name.
    pub name: String,
    /// Base URL.
    pub base_url: String,
    /// Authentication kind.
    pub auth: AuthKind,
    /// User name (Basic).
    pub username: String,
    /// Token (empty keeps the one already held when editing).
    pub token: String,
    /// Proxy: `default`, `direct` or `custom`.
    pub proxy: ProxyChoice,
    /// Secret keeping.
    pub keeping: SecretKeeping,
    /// The passphrase for [`SecretKeeping::Passphrase`].
    pub passphrase: String,
}

/// Lifecycle
impl ConnectionForm {
    /// A form for a new connection to `url`'s host (offered by the clone dialog).
    pub fn for_url(url: &RemoteUrl) -> ConnectionForm {
        ConnectionForm {
            name: url.authority(),
            base_url: url.origin(),
            ..ConnectionForm::default()
        }
    }

    /// A form to edit `connection` (the token stays empty: secrets are never shown again).
    pub fn edit(connection: &Connection) -> ConnectionForm {
        ConnectionForm {
            id: Some(connection.id.clone()),
            name: connection.name.clone(),
            base_url: connection.base_url.clone(),
            auth: connection.auth,
            username: connection.username.clone(),
            token: String::new(),
            proxy: connection.proxy.clone(),
            keeping: connection.keeping,
            passphrase: String::new(),
        }
    }
}

/// Conversion
impl ConnectionForm {
    /// The connection and (when a token was typed) its secret, or what is wrong.
    ///
    /// * `new_id` — the id for a new connection.
    /// * `has_secret` — whether a secret is already held for the edited connection.
    pub fn build(
        &self,
        new_id: &str,
        has_secret: bool,
    ) -> Result<(Connection, Option<Secret>), String> {
        let base = RemoteUrl::parse(&self.base_url).map_err(|e| format!("URL: {e}"))?;
        let name = if self.name.trim().is_empty() {
            base.authority()
        } else {
            self.name.trim().to_owned()
        };
        if let ProxyChoice::Custom(proxy) = &self.proxy {
            RemoteUrl::parse(proxy).map_err(|e| format!("Proxy URL: {e}"))?;
        }
        let token = self.token.trim();
        let secret = match self.auth {
            AuthKind::None => None,
            AuthKind::Basic if self.username.trim().is_empty() => {
                return Err("Enter the user name that goes with the token".into())
            }
            _ if token.is_empty() && has_secret => None,
            _ if token.is_empty() => return Err("Enter the token".into()),
            AuthKind::Basic => Some(Secret::Basic {
                username: self.username.trim().to_owned(),
                secret: token.to_owned(),
            }),
            AuthKind::Bearer => Some(Secret::Bearer {
                token: token.to_owned(),
            }),
        };
        if self.keeping == SecretKeeping::Passphrase
            && secret.is_some()
            && self.passphrase.chars().count() < 8
        {
            return Err("Choose a passphrase of at least 8 characters".into());
        }
        let connection = Connection {
            id: self.id.clone().unwrap_or_else(|| new_id.to_owned()),
            name,
            base_url: base.to_string(),
            auth: self.auth,
            username: if self.auth == AuthKind::Basic {
                self.username.trim().to_owned()
            } else {
                String::new()
            },
            proxy: self.proxy.clone(),
            keeping: self.keeping,
            status: ConnectionStatus::Untested,
        };
        Ok((connection, secret))
    }
}

#[cfg(test)]
mod tests {
    use tabgit_engine::protocol::Secret;

    use super::{
        AuthKind, Connection, ConnectionForm, ConnectionStatus, Connections, ProxyChoice,
        SecretKeeping,
    };
    use crate::state::settings::Settings;
    use crate::state::url::RemoteUrl;

    fn connection(id: &str, base: &str) -> Connection {
        Connection {
            id: id.into(),
            name: id.into(),
            base_url: base.into(),
            auth: AuthKind::Bearer,
            username: String::new(),
            proxy: ProxyChoice::Default,
            keeping: SecretKeeping::Tab,
            status: ConnectionStatus::Untested,
        }
    }

    #[test]
    fn a_url_picks_the_longest_matching_connection() {
        let list = Connections(vec![
            connection("host", "https://git.example.org"),
            connection("team", "https://git.example.org/team"),
            connection("other", "https://other.example.org/team"),
        ]);
        let url = |u: &str| RemoteUrl::parse(u).expect("valid");
        assert_eq!(
            list.for_url(&url("https://git.example.org/team/repo.git"))
                .map(|c| c.id.as_str()),
            Some("team")
        );
        assert_eq!(
            list.for_url(&url("https://git.example.org/teamwork/repo.git"))
                .map(|c| c.id.as_str()),
            Some("host")
        );
        assert!(list
            .for_url(&url("https://git.example.org:8443/team/x"))
            .is_none());
        assert_eq!(Connections::from_json(Some(&list.to_json())), list);
    }

    #[test]
    fn a_secret_only_goes_to_its_own_origin() {
        let settings = Settings {
            proxy_url: "https://proxy.example/".into(),
            ..Settings::default()
        };
        let c = connection("team", "https://git.example.org/team");
        let token = Secret::Bearer {
            token: "s3cret".into(),
        };
        let here = RemoteUrl::parse("https://git.example.org/other/repo.git").expect("valid");
        let remote = c
            .remote(&here, Some(token.clone()), &settings)
            .expect("same origin");
        assert_eq!(remote.proxy.as_deref(), Some("https://proxy.example"));
        assert_eq!(remote.secret, Some(token.clone()));
        let elsewhere = RemoteUrl::parse("https://evil.example/team/repo.git").expect("valid");
        let err = c
            .remote(&elsewhere, Some(token.clone()), &settings)
            .expect_err("other host");
        assert!(
            !err.contains("s3cret"),
            "the refusal does not show the token: {err}"
        );
        assert!(
            c.remote(&here, None, &settings).is_err(),
            "a missing token is said"
        );
        let stored = Connections(vec![c]).to_json();
        assert!(
            !stored.contains("s3cret"),
            "the stored list holds no secret"
        );
    }

    #[test]
    fn the_form_checks_what_it_needs() {
        let mut form = ConnectionForm::for_url(
            &RemoteUrl::parse("http://127.0.0.1:8781/demo.git").expect("valid"),
        );
        assert_eq!(form.base_url, "http://127.0.0.1:8781");
        let (c, secret) = form.build("c1", false).expect("no auth needs nothing");
        assert_eq!(
            (c.id.as_str(), c.name.as_str(), secret),
            ("c1", "127.0.0.1:8781", None)
        );
        form.auth = AuthKind::Basic;
        assert!(form.build("c1", false).is_err(), "user name needed");
        form.username = "alice".into();
        assert!(form.build("c1", false).is_err(), "token needed");
        assert!(form.build("c1", true).is_ok(), "an existing token is kept");
        form.token = "tok".into();
        form.keeping = SecretKeeping::Passphrase;
        assert!(form.build("c1", false).is_err(), "passphrase needed");
        form.passphrase = "correct horse".into();
        let (c, secret) = form.build("c1", false).expect("complete");
        assert_eq!(c.username, "alice");
        assert!(matches!(secret, Some(Secret::Basic { .. })));
        form.base_url = "git@host:x.git".into();
        assert!(form.build("c1", false).expect_err("ssh").contains("HTTPS"));
        assert_eq!(
            ConnectionStatus::Available { refs: 3 }.text(),
            "available (3 refs)"
        );
        assert_eq!(
            ConnectionForm::edit(&c).token,
            "",
            "secrets are never shown again"
        );
    }
}
