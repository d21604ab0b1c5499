//! The home page: the repositories stored in this browser, storage used, and the clone dialog.

use leptos::prelude::*;
use tabgit_engine::protocol::{Op, Reply};

use crate::browser;
use crate::components::clone_dialog::CloneDialog;
use crate::components::progress_view::ProgressView;
use crate::session::{ConfirmCtx, ErrorCtx, RepoMetasCtx};
use crate::state::clone::ProgressLog;
use crate::state::repos::{self as repo_records, rows, storage_text, RepoMetas, RepoRow};
use crate::state::route::{RepoView, Route};
use crate::state::sync::{ahead_behind, fetch_lines};
use crate::tasks::{unexpected, use_tasks};

/// The repository list, with the clone dialog open when `clone` is set.
#[component]
pub fn ReposPage(
    /// Whether the clone dialog is open, and the URL to fill in.
    clone: Option<Option<String>>,
) -> impl IntoView {
    // -- signals --
    let tasks = use_tasks();
    let error = expect_context::<ErrorCtx>();
    let metas = expect_context::<RepoMetasCtx>();
    let version = RwSignal::new(0u32);
    let repos = LocalResource::new(move || {
        version.track();
        async move {
            match tasks.call(Op::ListRepos).await {
                Ok(Reply::Repos(list)) => Ok(list),
                Ok(other) => Err(unexpected(&other)),
                Err(err) => Err(err.context("Cannot list the repositories")),
            }
        }
    });
    let storage = LocalResource::new(move || {
        version.track();
        async move {
            match tasks.call(Op::StorageEstimate).await {
                Ok(Reply::Storage { usage, quota }) => storage_text(usage, quota),
                _ => String::new(),
            }
        }
    });
    // Asked once per page: whether the browser keeps this site's data under storage pressure.
    let persistence = LocalResource::new(|| async {
        match browser::request_persistence().await {
            Some(true) => "The browser keeps this site's data until you delete it.",
            Some(false) => "The browser may clear this site's data when it runs short of space: it is not a backup, push your work.",
            None => "",
        }
    });
    // Remembered but gone: read the records afresh, since another tab may have deleted some.
    let missing = Signal::derive(move || {
        repos
            .get()
            .and_then(Result::ok)
            .map(|list| {
                let stored = browser::local_get(repo_records::STORAGE_KEY);
                repo_records::missing(&list, &RepoMetas::from_json(stored.as_deref()))
            })
            .unwrap_or_default()
    });
    let forget_missing = move |_| {
        let gone = missing.get_untracked();
        metas.update(|m| {
            for name in &gone {
                m.remove(name);
            }
        });
        version.update(|v| *v += 1);
    };
    let names = Signal::derive(move || {
        repos
            .get()
            .and_then(Result::ok)
            .map(|list| list.into_iter().map(|r| r.name).collect())
            .unwrap_or_default()
    });
    let list = move || {
        repos.get().map(|result| match result {
            Err(err) => {
                error.show(err);
                Vec::new()
            }
            Ok(list) => rows(&list, &metas.0.get(), browser::now_ms()),
        })
    };
    view! {
        <div class="page-head">
            <h2 class="page-title">"Repositories"</h2>
            <a class="button" href=Route::Clone { url: None }.path() data-testid="clone-open">"Clone a repository"</a>
        </div>
        <p class="hint" data-testid="storage-usage">{move || storage.get()}</p>
        <p class="hint" data-testid="storage-persistence">{move || persistence.get()}</p>
        {move || {
            let gone = missing.get();
            (!gone.is_empty()).then(|| view! {
                <div class="notice" data-testid="repos-missing" role="status">
                    <p>{format!("No longer in this browser's storage: {}.", gone.join(", "))}</p>
                    <p class="hint">"The browser cleared this site's data (to free space, or someone cleared it). What was not pushed is lost; what was pushed is safe on its remote: clone it again to go on."</p>
                    <button class="button-secondary" data-testid="repos-missing-forget" on:click=forget_missing>"Forget them"</button>
                </div>
            })
        }}
        {move || match list() {
            None => view! { <p class="empty">"Loading…"</p> }.into_any(),
            Some(rows) if rows.is_empty() => view! {
                <div class="empty-state" data-testid="repo-list-empty">
                    <p>"No repositories yet."</p>
                    <p class="hint">"Clone one over HTTPS to browse, edit, commit and push it from this tab."</p>
                </div>
            }.into_any(),
            Some(rows) => view! {
                <ul class="repo-list" data-testid="repo-list">
                    {rows.into_iter().map(|row| view! {
                        <RepoEntry row=row on_changed=Callback::new(move |()| version.update(|v| *v += 1))/>
                    }).collect_view()}
                </ul>
            }.into_any(),
        }}
        {clone.map(|url| view! {
            <CloneDialog
                initial_url=url
                existing=names
                on_cloned=Callback::new(move |()| version.update(|v| *v += 1))
            />
        })}
    }
}

/// One repository: open, fetch, delete.
#[component]
fn RepoEntry(
    /// The row.
    row: RepoRow,
    /// Called after a fetch or delete.
    on_changed: Callback<()>,
) -> impl IntoView {
    let tasks = use_tasks();
    let error = expect_context::<ErrorCtx>();
    let confirm = expect_context::<ConfirmCtx>();
    let metas = expect_context::<RepoMetasCtx>();
    let name = row.name.clone();
    let progress = RwSignal::new(ProgressLog::default());
    let result = RwSignal::new(String::new());
    let sync = LocalResource::new({
        let name = name.clone();
        move || {
            let name = name.clone();
            async move {
                match tasks.call(Op::SyncState { repo: name }).await {
                    Ok(Reply::Sync {
                        ahead,
                        behind,
                        has_upstream,
                    }) => ahead_behind(ahead, behind, has_upstream),
                    _ => String::new(),
                }
            }
        }
    });
    let fetch = Action::new_local({
        let name = name.clone();
        move |(): &()| {
            let name = name.clone();
            progress.set(ProgressLog::default());
            async move {
                let remote = match tasks.repo_remote(&name).await {
                    Ok(remote) => remote,
                    Err(err) => return error.show(err.context("Cannot fetch")),
                };
                let op = Op::Fetch {
                    repo: name,
                    remote,
                    identity: tasks.reflog_identity(),
                };
                match tasks
                    .call_with_progress(
                        op,
                        |_| {},
                        move |p| progress.update(|l| l.update(p, browser::now_ms())),
                    )
                    .await
                {
                    Ok(Reply::Fetched { updates }) => {
                        result.set(
                            fetch_lines(&updates)
                                .into_iter()
                                .map(|l| l.text)
                                .collect::<Vec<_>>()
                                .join("; "),
                        );
                        sync.refetch();
                    }
                    Ok(other) => error.show(unexpected(&other)),
                    Err(err) => error.show(err.context("Fetch failed")),
                }
            }
        }
    });
    let delete = {
        let name = name.clone();
        move |_| {
            let name = name.clone();
            confirm.ask(
                format!("Delete the repository '{name}' from this browser? Commits that were not pushed are lost."),
                "Delete repository",
                move |()| {
                    let name = name.clone();
                    leptos::task::spawn_local(async move {
                        match tasks.call(Op::DeleteRepo { name: name.clone() }).await {
                            Ok(_) => {
                                metas.update(|m| m.remove(&name));
                                on_changed.run(());
                            }
                            Err(err) => error.show(err.context("Cannot delete the repository")),
                        }
                    });
                },
            );
        }
    };
    let open_href = Route::Repo {
        name: name.clone(),
        view: RepoView::Files { path: None },
    }
    .path();
    view! {
        <li class="repo-entry" data-testid="repo-entry" data-name=name.clone()>
            <div class="repo-main">
                <a class="repo-name" href=open_href data-testid="repo-open">{name.clone()}</a>
                <span class="muted repo-url">{row.url}</span>
            </div>
            <div class="repo-facts">
                <span class="badge">{row.branch}</span>
                <span class="badge" data-testid="repo-sync">{move || sync.get()}</span>
                <span class="muted" data-testid="repo-size">{row.size}</span>
                <span class="muted">{row.last_opened}</span>
            </div>
            <div class="repo-actions">
                <button class="button-secondary" data-testid="repo-fetch" disabled=move || fetch.pending().get() on:click=move |_| { fetch.dispatch(()); }>"Fetch"</button>
                <button class="button-danger" data-testid="repo-delete" on:click=delete>"Delete"</button>
            </div>
            <Show when=move || fetch.pending().get()>
                <ProgressView log=progress/>
            </Show>
            <p class="status" role="status">{move || result.get()}</p>
        </li>
    }
}
