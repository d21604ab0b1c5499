//! The settings page: the CORS proxy, the default identity, the theme, and connections.

use leptos::prelude::*;
use tabgit_engine::protocol::{Op, Reply};

use crate::components::connection_editor::{has_locked, keep_secret, ConnectionEditor};
use crate::session::{ConfirmCtx, ConnectionsCtx, RepoMetasCtx, SettingsCtx, VaultCtx};
use crate::state::connections::{Connection, ConnectionForm, ConnectionStatus, SecretKeeping};
use crate::state::settings::Theme;
use crate::state::url::RemoteUrl;
use crate::tasks::use_tasks;

/// The settings page.
#[component]
pub fn SettingsPage(
    /// A repository URL to start a new connection for.
    connect: Option<String>,
) -> impl IntoView {
    view! {
        <h2 class="page-title">"Settings"</h2>
        <GeneralSettings/>
        <ConnectionsSection connect=connect/>
    }
}

/// Proxy, identity and theme.
#[component]
fn GeneralSettings() -> impl IntoView {
    let settings = expect_context::<SettingsCtx>();
    let draft = RwSignal::new(settings.0.get_untracked());
    let status = RwSignal::new(String::new());
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let value = draft.get_untracked();
        let problems = value.problems();
        if !problems.is_empty() {
            return status.set(problems.join(". "));
        }
        status.set(match settings.save(value) {
            Ok(()) => "Saved".into(),
            Err(message) => message,
        });
    };
    view! {
        <form novalidate class="panel settings" aria-label="General settings" on:submit=save>
            <h3>"General"</h3>
            <label>
                "CORS proxy URL"
                <input
                    type="url"
                    data-testid="settings-proxy-url"
                    placeholder="https://proxy.example.org"
                    prop:value=move || draft.with(|s| s.proxy_url.clone())
                    on:input=move |ev| draft.update(|s| s.proxy_url = event_target_value(&ev))
                />
            </label>
            <p class="hint">"Git hosts rarely allow web pages to talk to them; a proxy forwards git's requests (and nothing else). Connections can override it."</p>
            <div class="form-row">
                <label>
                    "Your name (for commits)"
                    <input
                        data-testid="settings-name"
                        autocomplete="name"
                        prop:value=move || draft.with(|s| s.name.clone())
                        on:input=move |ev| draft.update(|s| s.name = event_target_value(&ev))
                    />
                </label>
                <label>
                    "Your email (for commits)"
                    <input
                        type="email"
                        data-testid="settings-email"
                        autocomplete="email"
                        prop:value=move || draft.with(|s| s.email.clone())
                        on:input=move |ev| draft.update(|s| s.email = event_target_value(&ev))
                    />
                </label>
                <label>
                    "Theme"
                    <select
                        data-testid="settings-theme"
                        on:change=move |ev| draft.update(|s| s.theme = Theme::from_attribute(&event_target_value(&ev)))
                    >
                        <option value="" selected=move || draft.with(|s| s.theme == Theme::System)>"Follow the system"</option>
                        <option value="light" selected=move || draft.with(|s| s.theme == Theme::Light)>"Light"</option>
                        <option value="dark" selected=move || draft.with(|s| s.theme == Theme::Dark)>"Dark"</option>
                    </select>
                </label>
            </div>
            <div class="form-actions">
                <span class="status" role="status" data-testid="settings-status">{move || status.get()}</span>
                <button type="submit" data-testid="settings-save">"Save settings"</button>
            </div>
        </form>
    }
}

/// The connection list, its editor and the checks.
#[component]
fn ConnectionsSection(connect: Option<String>) -> impl IntoView {
    // -- signals --
    let connections = expect_context::<ConnectionsCtx>();
    let metas = expect_context::<RepoMetasCtx>();
    let vault = expect_context::<VaultCtx>();
    let confirm = expect_context::<ConfirmCtx>();
    let tasks = use_tasks();
    let initial = connect
        .as_deref()
        .and_then(|url| RemoteUrl::parse(url).ok())
        .map(|url| ConnectionForm::for_url(&url));
    let editor = RwSignal::new(initial);
    // -- actions --
    let check = Action::new_local(move |id: &String| {
        let id = id.clone();
        async move {
            let Some(connection) = connections.0.get_untracked().get(&id).cloned() else {
                return;
            };
            let status = match check_connection(tasks, &connection).await {
                Ok(refs) => ConnectionStatus::Available { refs },
                Err(reason) => ConnectionStatus::Failed { reason },
            };
            let _ = connections.update(|list| list.set_status(&id, status));
        }
    });
    let remove = move |connection: Connection| {
        let users = metas.0.get_untracked().users_of(&connection.id);
        let message = if users.is_empty() {
            format!("Delete the connection '{}' and its token?", connection.name)
        } else {
            format!(
                "Delete the connection '{}' and its token? It is used by {}; they will use public access until you connect them again.",
                connection.name,
                users.join(", ")
            )
        };
        confirm.ask(message, "Delete connection", move |()| {
            let connection = connection.clone();
            leptos::task::spawn_local(async move {
                let _ = keep_secret(vault, &connection, None, "").await;
                let _ = connections.update(|list| list.remove(&connection.id));
                metas.update(|m| {
                    for name in m.users_of(&connection.id) {
                        m.set_connection(&name, None);
                    }
                });
            });
        });
    };
    view! {
        <section class="panel" aria-labelledby="connections-title">
            <div class="section-head">
                <h3 id="connections-title">"Connections"</h3>
                <button
                    data-testid="connection-new"
                    on:click=move |_| editor.set(Some(ConnectionForm::default()))
                >
                    "New connection"
                </button>
            </div>
            <p class="hint">"A connection links to a git host with its credentials, so no repository stores a secret. A token is only ever sent to its connection's own scheme, host and port."</p>
            {move || editor.get().map(|form| view! {
                <ConnectionEditor
                    initial=form
                    on_saved=Callback::new(move |id: String| {
                        editor.set(None);
                        check.dispatch(id);
                    })
                    on_cancel=Callback::new(move |()| editor.set(None))
                />
            })}
            <ul class="connection-list" data-testid="connection-list">
                <For
                    each=move || connections.0.get().0
                    key=|c| (c.id.clone(), c.status.clone(), c.name.clone(), c.base_url.clone(), c.keeping)
                    let:connection
                >
                    <ConnectionRow
                        connection=connection.clone()
                        on_check=Callback::new(move |id: String| { check.dispatch(id); })
                        on_edit=Callback::new(move |c: Connection| editor.set(Some(ConnectionForm::edit(&c))))
                        on_remove=Callback::new(remove)
                        checking=check.pending()
                    />
                </For>
            </ul>
            <Show when=move || connections.0.with(|c| c.0.is_empty())>
                <p class="empty">"No connections yet: public repositories need none."</p>
            </Show>
        </section>
    }
}

/// Check a connection with a real `ls-refs`: the number of refs, or why it failed.
async fn check_connection(
    tasks: crate::tasks::Tasks,
    connection: &Connection,
) -> Result<usize, String> {
    let remote = tasks
        .remote_for(None, &connection.base_url)
        .map_err(|e| e.title)?;
    match tasks.call(Op::TestRemote { remote }).await {
        Ok(Reply::RemoteOk { refs, .. }) => Ok(refs),
        Ok(other) => Err(crate::tasks::unexpected(&other).title),
        Err(err) => Err(err.title),
    }
}

/// One connection in the list.
#[component]
fn ConnectionRow(
    /// The connection.
    connection: Connection,
    /// Check it.
    on_check: Callback<String>,
    /// Edit it.
    on_edit: Callback<Connection>,
    /// Delete it.
    on_remove: Callback<Connection>,
    /// Whether a check is running.
    checking: Memo<bool>,
) -> impl IntoView {
    let vault = expect_context::<VaultCtx>();
    let tasks = use_tasks();
    let id = connection.id.clone();
    let keeping = connection.keeping;
    let locked = {
        let id = id.clone();
        move || connection_needs_unlock(&id, vault, keeping)
    };
    let passphrase = RwSignal::new(String::new());
    let unlock_problem = RwSignal::new(String::new());
    let unlock = Action::new_local({
        let id = id.clone();
        move |(): &()| {
            let id = id.clone();
            async move {
                match tasks.unlock(&id, &passphrase.get_untracked()).await {
                    Ok(()) => {
                        passphrase.set(String::new());
                        unlock_problem.set(String::new());
                    }
                    Err(err) => unlock_problem.set(err.title),
                }
            }
        }
    });
    let status_text = connection.status.text();
    let status_word = connection.status.word();
    let (c_check, c_edit, c_remove) = (connection.clone(), connection.clone(), connection.clone());
    view! {
        <li class="connection" data-testid="connection-entry" data-name=connection.name.clone()>
            <div class="connection-main">
                <strong>{connection.name.clone()}</strong>
                <span class="muted">{connection.base_url.clone()}</span>
                <span class=format!("badge badge-{status_word}") data-testid="connection-status" data-status=status_word>
                    {status_text}
                </span>
            </div>
            <div class="connection-actions">
                <button class="button-secondary" data-testid="connection-check" disabled=move || checking.get() on:click=move |_| on_check.run(c_check.id.clone())>"Check"</button>
                <button class="button-secondary" data-testid="connection-edit" on:click=move |_| on_edit.run(c_edit.clone())>"Edit"</button>
                <button class="button-danger" data-testid="connection-delete" on:click=move |_| on_remove.run(c_remove.clone())>"Delete"</button>
            </div>
            <Show when=locked.clone()>
                <form novalidate class="unlock" on:submit=move |ev| { ev.prevent_default(); unlock.dispatch(()); }>
                    <label>
                        "Passphrase to unlock the token for this visit"
                        <input
                            type="password"
                            data-testid="connection-unlock-passphrase"
                            prop:value=move || passphrase.get()
                            on:input=move |ev| passphrase.set(event_target_value(&ev))
                        />
                    </label>
                    <button type="submit" data-testid="connection-unlock">"Unlock"</button>
                    <span class="status problem" role="status">{move || unlock_problem.get()}</span>
                </form>
            </Show>
        </li>
    }
}

fn connection_needs_unlock(id: &str, vault: VaultCtx, keeping: SecretKeeping) -> bool {
    keeping == SecretKeeping::Passphrase && vault.0.with(|v| v.get(id).is_none()) && has_locked(id)
}
