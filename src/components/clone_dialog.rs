//! The clone dialog: URL (matched to its connection), local name, branch, depth and partial
//! clone, the storage left, progress per phase, and Cancel.

use leptos::prelude::*;
use tabgit_engine::protocol::{Op, Reply};

use crate::browser;
use crate::components::progress_view::ProgressView;
use crate::session::{go, ErrorCtx, RepoMetasCtx};
use crate::state::clone::{CloneForm, ProgressLog};
use crate::state::repos::storage_text;
use crate::state::route::{RepoView, Route};
use crate::state::url::RemoteUrl;
use crate::tasks::{unexpected, use_tasks};

/// The clone dialog.
#[component]
pub fn CloneDialog(
    /// The URL to fill in (from a deep link).
    initial_url: Option<String>,
    /// Local names already taken.
    #[prop(into)]
    existing: Signal<Vec<String>>,
    /// Called after a successful clone.
    on_cloned: Callback<()>,
) -> impl IntoView {
    // -- signals --
    let tasks = use_tasks();
    let error = expect_context::<ErrorCtx>();
    let metas = expect_context::<RepoMetasCtx>();
    let form = RwSignal::new(CloneForm {
        url: initial_url.unwrap_or_default(),
        ..CloneForm::default()
    });
    let progress = RwSignal::new(ProgressLog::default());
    let request_id = RwSignal::new(None::<u64>);
    let cancelled = RwSignal::new(false);
    let status = RwSignal::new(String::new());
    let storage = LocalResource::new(move || async move {
        match tasks.call(Op::StorageEstimate).await {
            Ok(Reply::Storage { usage, quota }) => storage_text(usage, quota),
            _ => "Storage use is unknown in this browser".into(),
        }
    });
    let url_check = move || {
        let url = form.with(|f| f.url.clone());
        if url.trim().is_empty() {
            return String::new();
        }
        match RemoteUrl::parse(&url) {
            Err(err) => err.to_string(),
            Ok(parsed) => match tasks.connection_for(None, &parsed) {
                Some(c) => format!("Uses the connection '{}' ({})", c.name, c.status.text()),
                None => format!("No connection for {}: public access", parsed.authority()),
            },
        }
    };
    let offer_connection = move || {
        let url = form.with(|f| f.url.clone());
        RemoteUrl::parse(&url)
            .ok()
            .filter(|parsed| tasks.connection_for(None, parsed).is_none())
            .map(|_| url)
    };
    // -- actions --
    let clone = Action::new_local(move |(): &()| {
        let plan = form.with_untracked(|f| f.plan(&existing.get_untracked()));
        progress.set(ProgressLog::default());
        cancelled.set(false);
        status.set(String::new());
        async move {
            let plan = match plan {
                Ok(plan) => plan,
                Err(message) => {
                    status.set(message);
                    return;
                }
            };
            let remote = match tasks.remote_for(None, &plan.url.to_string()) {
                Ok(remote) => remote,
                Err(err) => return error.show(err.context("Cannot clone")),
            };
            let connection = tasks.connection_for(None, &plan.url).map(|c| c.id);
            let name = plan.name.clone();
            let op = Op::Clone {
                name: plan.name,
                remote,
                branch: plan.branch,
                depth: plan.depth,
                filter: plan.filter,
                identity: tasks.reflog_identity(),
            };
            let reply = tasks
                .call_with_progress(
                    op,
                    move |id| request_id.set(Some(id)),
                    move |p| progress.update(|log| log.update(p, browser::now_ms())),
                )
                .await;
            request_id.set(None);
            if reply.is_err() {
                // The banner or the status says what happened; no bar keeps spinning.
                progress.set(ProgressLog::default());
            }
            match reply {
                Ok(Reply::Repo(_)) => {
                    metas.update(|m| {
                        m.set_connection(&name, connection);
                        m.opened(&name, browser::now_ms());
                    });
                    error.clear();
                    on_cloned.run(());
                    go(&Route::Repo {
                        name,
                        view: RepoView::Files { path: None },
                    });
                }
                Ok(other) => error.show(unexpected(&other)),
                Err(_) if cancelled.get_untracked() => {
                    status.set("Clone cancelled; nothing was kept".into());
                }
                Err(err) => error.show(err.context("Clone failed")),
            }
        }
    });
    let running = clone.pending();
    let cancel = move |_| {
        if let Some(id) = request_id.get_untracked() {
            cancelled.set(true);
            tasks.cancel(id);
            status.set("Cancelling…".into());
        }
    };
    let close = move |_| {
        if !running.get_untracked() {
            go(&Route::Repos);
        }
    };
    view! {
        <div class="modal-backdrop">
            <form novalidate
                class="modal clone-dialog"
                role="dialog"
                aria-modal="true"
                aria-labelledby="clone-title"
                data-testid="clone-dialog"
                on:submit=move |ev| {
                    ev.prevent_default();
                    if !running.get_untracked() {
                        clone.dispatch(());
                    }
                }
                on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                    if ev.key() == "Escape" && !running.get_untracked() {
                        go(&Route::Repos);
                    }
                }
            >
                <h2 id="clone-title">"Clone a repository"</h2>
                <label>
                    "Repository URL"
                    <input
                        type="url"
                        data-testid="clone-url"
                        placeholder="https://host/owner/repo.git"
                        autofocus
                        prop:value=move || form.with(|f| f.url.clone())
                        on:input=move |ev| form.update(|f| f.url = event_target_value(&ev))
                    />
                </label>
                <p class="hint" data-testid="clone-connection">{url_check}</p>
                {move || offer_connection().map(|url| view! {
                    <a class="link" data-testid="clone-new-connection" href=Route::Settings { connect: Some(url) }.path()>
                        "Set up a connection with credentials for this host"
                    </a>
                })}
                <div class="form-row">
                    <label>
                        "Local name"
                        <input
                            data-testid="clone-name"
                            prop:placeholder=move || form.with(CloneForm::effective_name)
                            prop:value=move || form.with(|f| f.name.clone())
                            on:input=move |ev| form.update(|f| f.name = event_target_value(&ev))
                        />
                    </label>
                    <label>
                        "Branch"
                        <input
                            data-testid="clone-branch"
                            placeholder="default branch"
                            prop:value=move || form.with(|f| f.branch.clone())
                            on:input=move |ev| form.update(|f| f.branch = event_target_value(&ev))
                        />
                    </label>
                    <label>
                        "Depth"
                        <input
                            data-testid="clone-depth"
                            inputmode="numeric"
                            placeholder="all history"
                            prop:value=move || form.with(|f| f.depth.clone())
                            on:input=move |ev| form.update(|f| f.depth = event_target_value(&ev))
                        />
                    </label>
                </div>
                <label class="checkbox">
                    <input
                        type="checkbox"
                        data-testid="clone-partial"
                        prop:checked=move || form.with(|f| f.partial)
                        on:change=move |ev| form.update(|f| f.partial = event_target_checked(&ev))
                    />
                    "Download file contents only when opened (partial clone)"
                </label>
                <p class="hint" data-testid="clone-storage">
                    {move || storage.get().unwrap_or_else(|| "Checking storage…".into())}
                </p>
                <Show when=move || running.get() || !progress.with(|p| p.phases.is_empty())>
                    <ProgressView log=progress test_id="clone-progress"/>
                </Show>
                <p class="status" role="status" data-testid="clone-status">{move || status.get()}</p>
                <div class="modal-actions">
                    <Show
                        when=move || running.get()
                        fallback=move || view! {
                            <button type="button" class="button-secondary" on:click=close>"Close"</button>
                            <button type="submit" data-testid="clone-submit">"Clone"</button>
                        }
                    >
                        <button type="button" class="button-danger" data-testid="clone-cancel" on:click=cancel>
                            "Cancel"
                        </button>
                    </Show>
                </div>
            </form>
        </div>
    }
}
