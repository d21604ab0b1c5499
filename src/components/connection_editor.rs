//! The form that creates or edits a connection, and stores its secret the way the user chose.

use leptos::prelude::*;
use tabgit_engine::protocol::Secret;

use crate::browser;
use crate::session::{ConnectionsCtx, VaultCtx};
use crate::state::connections::{AuthKind, Connection, ConnectionForm, ProxyChoice, SecretKeeping};
use crate::state::secrets::{self, LOCKED_KEY, REMEMBERED_KEY};

/// Store (or forget) `secret` for `connection` where its keeping says; `None` forgets it.
pub async fn keep_secret(
    vault: VaultCtx,
    connection: &Connection,
    secret: Option<Secret>,
    passphrase: &str,
) -> Result<(), String> {
    let id = connection.id.as_str();
    let mut remembered =
        secrets::remembered_from_json(browser::local_get(REMEMBERED_KEY).as_deref());
    let mut locked = secrets::locked_from_json(browser::local_get(LOCKED_KEY).as_deref());
    let had_remembered = remembered.remove(id).is_some();
    let had_locked = locked.remove(id).is_some();
    match &secret {
        None => vault.0.update(|v| v.forget(id)),
        Some(secret) => {
            vault.0.update(|v| v.put(id, secret.clone()));
            match connection.keeping {
                SecretKeeping::Tab => {}
                SecretKeeping::Remembered => {
                    remembered.insert(id.to_owned(), secret.clone());
                }
                SecretKeeping::Passphrase => {
                    let record =
                        browser::lock(passphrase, &secrets::secret_to_bytes(secret)).await?;
                    locked.insert(id.to_owned(), record);
                }
            }
        }
    }
    if had_remembered || remembered.contains_key(id) {
        browser::local_set(REMEMBERED_KEY, &secrets::map_to_json(&remembered))?;
    }
    if had_locked || locked.contains_key(id) {
        browser::local_set(LOCKED_KEY, &secrets::map_to_json(&locked))?;
    }
    Ok(())
}

/// Whether a locked secret is stored for connection `id`.
pub fn has_locked(id: &str) -> bool {
    secrets::locked_from_json(browser::local_get(LOCKED_KEY).as_deref()).contains_key(id)
}

/// The connection form.
#[component]
pub fn ConnectionEditor(
    /// The fields to start with.
    initial: ConnectionForm,
    /// Called with the saved connection's id.
    on_saved: Callback<String>,
    /// Called when the user cancels.
    on_cancel: Callback<()>,
) -> impl IntoView {
    // -- signals --
    let connections = expect_context::<ConnectionsCtx>();
    let vault = expect_context::<VaultCtx>();
    let editing = initial.id.is_some();
    let form = RwSignal::new(initial);
    let problem = RwSignal::new(String::new());
    // -- actions --
    let save = Action::new_local(move |(): &()| {
        let form_now = form.get_untracked();
        async move {
            let new_id = format!("c{}", browser::now_ms() as u64);
            let held = form_now
                .id
                .as_deref()
                .and_then(|id| vault.0.get_untracked().get(id).cloned());
            let (connection, typed) = match form_now.build(&new_id, held.is_some()) {
                Ok(built) => built,
                Err(message) => return problem.set(message),
            };
            let secret = if connection.needs_secret() {
                typed.or(held)
            } else {
                None
            };
            if connection.keeping == SecretKeeping::Passphrase
                && secret.is_some()
                && form_now.passphrase.chars().count() < 8
            {
                return problem.set("Enter the passphrase to lock the token under".into());
            }
            if let Err(message) =
                keep_secret(vault, &connection, secret, &form_now.passphrase).await
            {
                return problem.set(message);
            }
            let id = connection.id.clone();
            if let Err(message) = connections.update(|list| list.upsert(connection)) {
                return problem.set(message);
            }
            problem.set(String::new());
            on_saved.run(id);
        }
    });
    let auth = move || form.with(|f| f.auth);
    let text_input = move |label: &'static str,
                           test_id: &'static str,
                           kind: &'static str,
                           get: fn(&ConnectionForm) -> String,
                           set: fn(&mut ConnectionForm, String)| {
        view! {
            <label>
                {label}
                <input
                    type=kind
                    data-testid=test_id
                    autocomplete="off"
                    prop:value=move || form.with(get)
                    on:input=move |ev| form.update(|f| set(f, event_target_value(&ev)))
                />
            </label>
        }
    };
    view! {
        <form novalidate
            class="panel connection-editor"
            aria-label="Connection"
            data-testid="connection-editor"
            on:submit=move |ev| {
                ev.prevent_default();
                save.dispatch(());
            }
        >
            <h3>{if editing { "Edit connection" } else { "New connection" }}</h3>
            {text_input("Name", "connection-name", "text", |f| f.name.clone(), |f, v| f.name = v)}
            {text_input("Base URL (scheme, host, port, optional path)", "connection-url", "url", |f| f.base_url.clone(), |f, v| f.base_url = v)}
            <label>
                "Authentication"
                <select
                    data-testid="connection-auth"
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        form.update(|f| {
                            f.auth = match value.as_str() {
                                "basic" => AuthKind::Basic,
                                "bearer" => AuthKind::Bearer,
                                _ => AuthKind::None,
                            };
                        });
                    }
                >
                    <option value="none" selected=move || auth() == AuthKind::None>"None (public)"</option>
                    <option value="basic" selected=move || auth() == AuthKind::Basic>"User name and token"</option>
                    <option value="bearer" selected=move || auth() == AuthKind::Bearer>"Bearer token"</option>
                </select>
            </label>
            <Show when=move || auth() == AuthKind::Basic>
                {text_input("User name", "connection-username", "text", |f| f.username.clone(), |f, v| f.username = v)}
            </Show>
            <Show when=move || auth() != AuthKind::None>
                <label>
                    {if editing { "Token (leave empty to keep the current one)" } else { "Token" }}
                    <input
                        type="password"
                        data-testid="connection-token"
                        autocomplete="off"
                        prop:value=move || form.with(|f| f.token.clone())
                        on:input=move |ev| form.update(|f| f.token = event_target_value(&ev))
                    />
                </label>
                <fieldset class="keeping">
                    <legend>"Keep the token"</legend>
                    {[
                        (SecretKeeping::Tab, "tab", "For this tab only (forgotten on reload)"),
                        (SecretKeeping::Remembered, "remembered", "Remembered in this browser (readable by anything running on this site)"),
                        (SecretKeeping::Passphrase, "passphrase", "Remembered, locked with a passphrase (asked once per visit)"),
                    ]
                        .into_iter()
                        .map(|(keeping, value, label)| view! {
                            <label class="checkbox">
                                <input
                                    type="radio"
                                    name="keeping"
                                    value=value
                                    data-testid=format!("connection-keep-{value}")
                                    prop:checked=move || form.with(|f| f.keeping == keeping)
                                    on:change=move |_| form.update(|f| f.keeping = keeping)
                                />
                                {label}
                            </label>
                        })
                        .collect_view()}
                </fieldset>
                <Show when=move || form.with(|f| f.keeping == SecretKeeping::Passphrase)>
                    {text_input("Passphrase (at least 8 characters)", "connection-passphrase", "password", |f| f.passphrase.clone(), |f, v| f.passphrase = v)}
                </Show>
            </Show>
            <label>
                "Proxy"
                <select
                    data-testid="connection-proxy"
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        form.update(|f| {
                            f.proxy = match value.as_str() {
                                "direct" => ProxyChoice::Direct,
                                "custom" => ProxyChoice::Custom(String::new()),
                                _ => ProxyChoice::Default,
                            };
                        });
                    }
                >
                    <option value="default" selected=move || form.with(|f| f.proxy == ProxyChoice::Default)>"The proxy from Settings"</option>
                    <option value="direct" selected=move || form.with(|f| f.proxy == ProxyChoice::Direct)>"None (the host allows this site itself)"</option>
                    <option value="custom" selected=move || form.with(|f| matches!(f.proxy, ProxyChoice::Custom(_)))>"Another proxy"</option>
                </select>
            </label>
            <Show when=move || form.with(|f| matches!(f.proxy, ProxyChoice::Custom(_)))>
                <label>
                    "Proxy URL"
                    <input
                        type="url"
                        data-testid="connection-proxy-url"
                        prop:value=move || form.with(|f| match &f.proxy {
                            ProxyChoice::Custom(url) => url.clone(),
                            _ => String::new(),
                        })
                        on:input=move |ev| form.update(|f| f.proxy = ProxyChoice::Custom(event_target_value(&ev)))
                    />
                </label>
            </Show>
            <p class="status problem" role="status" data-testid="connection-problem">{move || problem.get()}</p>
            <div class="form-actions">
                <button type="button" class="button-secondary" on:click=move |_| on_cancel.run(())>"Cancel"</button>
                <button type="submit" data-testid="connection-save" disabled=move || save.pending().get()>"Save and check"</button>
            </div>
        </form>
    }
}
