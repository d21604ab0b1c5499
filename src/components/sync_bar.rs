//! Fetch, pull and push for the open repository, with the ahead/behind counts, progress and
//! the result of the last one in words.

use leptos::prelude::*;
use tabgit_engine::protocol::{MergeResult, Op, Reply};

use crate::browser;
use crate::components::progress_view::ProgressView;
use crate::pages::repo::RepoCtx;
use crate::session::{go, ErrorCtx, UnsavedCtx};
use crate::state::clone::ProgressLog;
use crate::state::route::{RepoView, Route};
use crate::state::sync::{ahead_behind, fetch_lines, pull_lines, push_lines, ResultLine};
use crate::tasks::{unexpected, use_tasks};

/// Which sync operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SyncOp {
    Fetch,
    Pull,
    Push,
}

/// The sync buttons of a repository page.
#[component]
pub fn SyncBar() -> impl IntoView {
    // -- signals --
    let repo = expect_context::<RepoCtx>();
    let tasks = use_tasks();
    let error = expect_context::<ErrorCtx>();
    let unsaved = expect_context::<UnsavedCtx>();
    let progress = RwSignal::new(ProgressLog::default());
    let lines = RwSignal::new(Vec::<ResultLine>::new());
    let counts = LocalResource::new(move || {
        repo.version.track();
        let name = repo.name.get();
        async move {
            match tasks.call(Op::SyncState { repo: name }).await {
                Ok(Reply::Sync {
                    ahead,
                    behind,
                    has_upstream,
                }) => {
                    unsaved.unpushed.set(ahead);
                    Some(ahead_behind(ahead, behind, has_upstream))
                }
                _ => None,
            }
        }
    });
    // -- actions --
    let run = Action::new_local(move |op: &SyncOp| {
        let op = *op;
        let name = repo.name.get_untracked();
        progress.set(ProgressLog::default());
        lines.set(Vec::new());
        async move {
            let remote = match tasks.repo_remote(&name).await {
                Ok(remote) => remote,
                Err(err) => return error.show(err.context("Cannot reach the remote")),
            };
            let request = match op {
                SyncOp::Fetch => Op::Fetch {
                    repo: name,
                    remote,
                    identity: tasks.reflog_identity(),
                },
                SyncOp::Pull => Op::Pull {
                    repo: name,
                    remote,
                    identity: match tasks.commit_identity() {
                        Ok(identity) => identity,
                        Err(_) => tasks.reflog_identity(),
                    },
                },
                SyncOp::Push => Op::Push {
                    repo: name,
                    remote,
                    force: false,
                    identity: tasks.reflog_identity(),
                },
            };
            let reply = tasks
                .call_with_progress(
                    request,
                    |_| {},
                    move |p| progress.update(|l| l.update(p, browser::now_ms())),
                )
                .await;
            let what = match op {
                SyncOp::Fetch => "Fetch failed",
                SyncOp::Pull => "Pull failed",
                SyncOp::Push => "Push failed",
            };
            match reply {
                Ok(Reply::Fetched { updates }) => lines.set(fetch_lines(&updates)),
                Ok(Reply::Pushed { refs }) => lines.set(push_lines(&refs)),
                Ok(Reply::Pulled { updates, result }) => {
                    lines.set(pull_lines(&updates, &result));
                    if matches!(result, MergeResult::Conflicted { .. }) {
                        repo.changed();
                        return go(&Route::Repo {
                            name: repo.name.get_untracked(),
                            view: RepoView::Merge,
                        });
                    }
                }
                Ok(other) => error.show(unexpected(&other)),
                Err(err) => {
                    lines.set(vec![ResultLine {
                        ok: false,
                        text: err.title.clone(),
                    }]);
                    error.show(err.context(what));
                }
            }
            repo.changed();
        }
    });
    let busy = run.pending();
    let button = move |op: SyncOp, label: &'static str, test_id: &'static str| {
        view! {
            <button class="button-secondary" data-testid=test_id disabled=move || busy.get() on:click=move |_| { run.dispatch(op); }>
                {label}
            </button>
        }
    };
    view! {
        <div class="sync">
        <div class="sync-bar">
            <span class="badge" data-testid="sync-counts">{move || counts.get().flatten()}</span>
            {button(SyncOp::Fetch, "Fetch", "fetch")}
            {button(SyncOp::Pull, "Pull", "pull")}
            {button(SyncOp::Push, "Push", "push")}
        </div>
        <Show when=move || busy.get()>
            <ProgressView log=progress test_id="sync-progress"/>
        </Show>
        <ul class="sync-result" data-testid="sync-result" aria-live="polite">
            {move || lines.get().into_iter().map(|line| view! {
                <li class=if line.ok { "ok" } else { "failed" }>{line.text}</li>
            }).collect_view()}
        </ul>
        </div>
    }
}
