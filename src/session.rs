//! The app-wide state shared through context, each in its own newtype (STYLE.md 6.4): the
//! route, settings, connections, secrets, repository records, the error banner, the confirm
//! dialog and what must not be lost when the tab closes.
//!
//! Persistent parts are loaded from `localStorage` once in [`Session::provide`] and written
//! back by their `save` methods; nothing here talks to the engine.

use leptos::prelude::*;

use crate::browser;
use crate::state::connections::{self, Connections};
use crate::state::error::UiError;
use crate::state::repos::{self, RepoMetas};
use crate::state::route::Route;
use crate::state::secrets::{self, Vault};
use crate::state::settings::{self, Settings};

/// The current route (from the location fragment).
#[derive(Clone, Copy)]
pub struct RouteCtx(pub RwSignal<Route>);

/// The settings.
#[derive(Clone, Copy)]
pub struct SettingsCtx(pub RwSignal<Settings>);

/// The connections (no secrets).
#[derive(Clone, Copy)]
pub struct ConnectionsCtx(pub RwSignal<Connections>);

/// The secrets held in this visit.
#[derive(Clone, Copy)]
pub struct VaultCtx(pub RwSignal<Vault>);

/// What the app remembers per repository.
#[derive(Clone, Copy)]
pub struct RepoMetasCtx(pub RwSignal<RepoMetas>);

/// The error the banner shows.
#[derive(Clone, Copy)]
pub struct ErrorCtx(pub RwSignal<Option<UiError>>);

/// A question the confirm dialog asks.
#[derive(Clone)]
pub struct ConfirmRequest {
    /// The question.
    pub message: String,
    /// The label of the button that goes ahead ("Delete").
    pub confirm_label: String,
    /// What to do when confirmed.
    pub on_confirm: Callback<()>,
}

/// The confirm dialog's question, if one is open.
#[derive(Clone, Copy)]
pub struct ConfirmCtx(pub RwSignal<Option<ConfirmRequest>>);

/// What would be lost by closing the tab: an editor with unsaved text, unpushed commits.
#[derive(Clone, Copy)]
pub struct UnsavedCtx {
    /// The editor holds text that is not saved.
    pub editor_dirty: RwSignal<bool>,
    /// Commits of the open repository not pushed.
    pub unpushed: RwSignal<usize>,
}

/// Every context, for providing them together.
pub struct Session;

impl Session {
    /// Load the persisted state and provide every context.
    pub fn provide() {
        let settings = Settings::from_json(browser::local_get(settings::STORAGE_KEY).as_deref());
        browser::set_theme(settings.theme.attribute());
        let mut vault = Vault::default();
        for (id, secret) in
            secrets::remembered_from_json(browser::local_get(secrets::REMEMBERED_KEY).as_deref())
        {
            vault.put(&id, secret);
        }
        provide_context(RouteCtx(RwSignal::new(Route::parse(
            &browser::location_hash(),
        ))));
        provide_context(SettingsCtx(RwSignal::new(settings)));
        provide_context(ConnectionsCtx(RwSignal::new(Connections::from_json(
            browser::local_get(connections::STORAGE_KEY).as_deref(),
        ))));
        provide_context(VaultCtx(RwSignal::new(vault)));
        provide_context(RepoMetasCtx(RwSignal::new(RepoMetas::from_json(
            browser::local_get(repos::STORAGE_KEY).as_deref(),
        ))));
        provide_context(ErrorCtx(RwSignal::new(None)));
        provide_context(ConfirmCtx(RwSignal::new(None)));
        provide_context(UnsavedCtx {
            editor_dirty: RwSignal::new(false),
            unpushed: RwSignal::new(0),
        });
    }
}

/// Persistence
impl SettingsCtx {
    /// Replace and store the settings.
    pub fn save(self, settings: Settings) -> Result<(), String> {
        browser::set_theme(settings.theme.attribute());
        browser::local_set(settings::STORAGE_KEY, &settings.to_json())?;
        self.0.set(settings);
        Ok(())
    }
}

/// Persistence
impl ConnectionsCtx {
    /// Change the list and store it.
    pub fn update(self, change: impl FnOnce(&mut Connections)) -> Result<(), String> {
        let mut list = self.0.get_untracked();
        change(&mut list);
        browser::local_set(connections::STORAGE_KEY, &list.to_json())?;
        self.0.set(list);
        Ok(())
    }
}

/// Persistence
impl RepoMetasCtx {
    /// Change the records and store them.
    pub fn update(self, change: impl FnOnce(&mut RepoMetas)) {
        let mut metas = self.0.get_untracked();
        change(&mut metas);
        // Losing a "last opened" time is harmless; nothing else is kept here.
        let _ = browser::local_set(repos::STORAGE_KEY, &metas.to_json());
        self.0.set(metas);
    }
}

/// Mutation
impl ErrorCtx {
    /// Show `error` in the banner.
    pub fn show(self, error: UiError) {
        self.0.set(Some(error));
    }

    /// Hide the banner.
    pub fn clear(self) {
        self.0.set(None);
    }
}

/// Mutation
impl ConfirmCtx {
    /// Ask `message`; run `on_confirm` if the user agrees.
    pub fn ask(
        self,
        message: impl Into<String>,
        confirm_label: &str,
        on_confirm: impl Fn(()) + Send + Sync + 'static,
    ) {
        self.0.set(Some(ConfirmRequest {
            message: message.into(),
            confirm_label: confirm_label.to_owned(),
            on_confirm: Callback::new(on_confirm),
        }));
    }
}

/// Navigate to `route`.
pub fn go(route: &Route) {
    browser::set_location_hash(&route.path());
}
