//! Calls into the engine as the pages make them: the remote a repository is reached through
//! (its connection, proxy and secret), identities from settings and the clock, and every
//! engine error turned into a [`UiError`] with secrets scrubbed (STYLE.md 6.3 item 7).

use leptos::prelude::*;
use tabgit_engine::protocol::{Identity, Op, Progress, Remote, Reply};

use crate::browser;
use crate::engine::{use_engine, EngineCtx};
use crate::session::{ConnectionsCtx, RepoMetasCtx, SettingsCtx, VaultCtx};
use crate::state::connections::{Connection, SecretKeeping};
use crate::state::error::UiError;
use crate::state::secrets;
use crate::state::url::RemoteUrl;

/// What engine calls need, captured from context so it can move into async blocks.
#[derive(Clone, Copy)]
pub struct Tasks {
    engine: EngineCtx,
    vault: VaultCtx,
    settings: SettingsCtx,
    connections: ConnectionsCtx,
    metas: RepoMetasCtx,
}

/// The tasks for the current component.
pub fn use_tasks() -> Tasks {
    Tasks {
        engine: use_engine(),
        vault: expect_context(),
        settings: expect_context(),
        connections: expect_context(),
        metas: expect_context(),
    }
}

impl Tasks {
    fn error(&self, err: &tabgit_engine::protocol::EngineError) -> UiError {
        let vault = self.vault.0.get_untracked();
        UiError::from_engine(err, &vault.all())
    }

    /// Run `op` and wait for its reply.
    pub async fn call(self, op: Op) -> Result<Reply, UiError> {
        let client = self.engine.client();
        client.call(op).await.map_err(|e| self.error(&e))
    }

    /// Run `op`, reporting progress; `started` receives the request id (to cancel it).
    pub async fn call_with_progress(
        self,
        op: Op,
        started: impl FnOnce(u64),
        progress: impl Fn(Progress) + 'static,
    ) -> Result<Reply, UiError> {
        let client = self.engine.client();
        let (id, receiver) = client.send(op, Some(Box::new(progress)));
        started(id);
        match receiver.await {
            Ok(reply) => reply.map_err(|e| self.error(&e)),
            Err(_) => Err(UiError::new("The engine stopped before answering")),
        }
    }

    /// Ask the engine to cancel request `id`.
    pub fn cancel(self, id: u64) {
        self.engine.client().cancel(id);
    }

    /// The identity for commits, or why there is none.
    pub fn commit_identity(self) -> Result<Identity, UiError> {
        self.settings
            .0
            .get_untracked()
            .commit_identity(
                (browser::now_ms() / 1000.0) as i64,
                browser::offset_minutes(),
            )
            .map_err(UiError::new)
    }

    /// The identity for reflogs of clones, fetches and pushes.
    pub fn reflog_identity(self) -> Identity {
        self.settings.0.get_untracked().reflog_identity(
            (browser::now_ms() / 1000.0) as i64,
            browser::offset_minutes(),
        )
    }

    /// The connection for `url`: the one recorded for `repo` if any, else the best match.
    pub fn connection_for(self, repo: Option<&str>, url: &RemoteUrl) -> Option<Connection> {
        let list = self.connections.0.get_untracked();
        repo.and_then(|name| self.metas.0.get_untracked().get(name).connection)
            .and_then(|id| list.get(&id).cloned())
            .or_else(|| list.for_url(url).cloned())
    }

    /// How to reach `url` (for repository `repo`, if it exists yet).
    pub fn remote_for(self, repo: Option<&str>, url: &str) -> Result<Remote, UiError> {
        let parsed = RemoteUrl::parse(url).map_err(|e| UiError::new(e.to_string()))?;
        let settings = self.settings.0.get_untracked();
        match self.connection_for(repo, &parsed) {
            Some(connection) => {
                let secret = self.vault.0.get_untracked().get(&connection.id).cloned();
                if secret.is_none() && connection.needs_secret() {
                    return Err(UiError::new(match connection.keeping {
                        SecretKeeping::Passphrase => format!(
                            "The connection '{}' is locked: unlock it in Settings with its passphrase",
                            connection.name
                        ),
                        _ => format!(
                            "The connection '{}' needs its token: enter it in Settings",
                            connection.name
                        ),
                    }));
                }
                connection
                    .remote(&parsed, secret, &settings)
                    .map_err(UiError::new)
            }
            None => Ok(Remote {
                url: parsed.to_string(),
                proxy: settings.proxy(),
                secret: None,
            }),
        }
    }

    /// The `origin` URL of a local repository.
    pub async fn origin_url(self, repo: &str) -> Result<String, UiError> {
        match self
            .call(Op::Info {
                repo: repo.to_owned(),
            })
            .await?
        {
            Reply::Repo(summary) => summary
                .url
                .ok_or_else(|| UiError::new("This repository has no remote named origin")),
            other => Err(unexpected(&other)),
        }
    }

    /// How to reach a local repository's `origin`.
    pub async fn repo_remote(self, repo: &str) -> Result<Remote, UiError> {
        let url = self.origin_url(repo).await?;
        self.remote_for(Some(repo), &url)
    }

    /// Unlock the locked secret of connection `id` with `passphrase` and hold it for this visit.
    pub async fn unlock(self, id: &str, passphrase: &str) -> Result<(), UiError> {
        let locked = secrets::locked_from_json(browser::local_get(secrets::LOCKED_KEY).as_deref());
        let record = locked
            .get(id)
            .ok_or_else(|| UiError::new("No locked token is stored for this connection"))?;
        let plain = browser::unlock(passphrase, record)
            .await
            .map_err(UiError::new)?;
        let secret = secrets::secret_from_bytes(&plain)
            .ok_or_else(|| UiError::new("The stored secret is damaged"))?;
        self.vault.0.update(|v| v.put(id, secret));
        Ok(())
    }
}

/// An error for a reply of the wrong kind (an engine and app of different versions).
pub fn unexpected(reply: &Reply) -> UiError {
    UiError {
        title: "The engine answered with something unexpected (reload the page)".into(),
        detail: format!("{reply:?}").chars().take(200).collect(),
    }
}
