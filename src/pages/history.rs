//! The history view: commits from HEAD, newest first, a page at a time.

use leptos::prelude::*;
use tabgit_engine::protocol::{CommitSummary, Op, Reply};

use crate::browser;
use crate::pages::repo::RepoCtx;
use crate::state::repos::ago;
use crate::tasks::{unexpected, use_tasks};

/// Commits per page.
const PAGE: usize = 50;

/// The history view.
#[component]
pub fn HistoryPage() -> impl IntoView {
    let repo = expect_context::<RepoCtx>();
    let tasks = use_tasks();
    let pages = RwSignal::new(1usize);
    let commits = LocalResource::new(move || {
        repo.version.track();
        let (name, count) = (repo.name.get(), pages.get() * PAGE);
        async move {
            match tasks
                .call(Op::Log {
                    repo: name,
                    start: None,
                    skip: 0,
                    count,
                })
                .await
            {
                Ok(Reply::Commits(list)) => Ok(list),
                Ok(other) => Err(unexpected(&other)),
                Err(err) => Err(err.context("Cannot read the history")),
            }
        }
    });
    let row = |c: CommitSummary| {
        let when = ago(browser::now_ms() - c.time as f64 * 1000.0);
        view! {
            <li class="commit-row" data-testid="commit-row" data-id=c.id.clone()>
                <span class="commit-summary">{c.summary}</span>
                <span class="muted">{format!("{} · {when}", c.author)}</span>
                <code class="commit-id" title=c.id.clone()>{c.id.get(..10).unwrap_or(&c.id).to_owned()}</code>
            </li>
        }
    };
    view! {
        {move || commits.get().map(|result| match result {
            Err(err) => view! { <p class="status problem">{err.title}</p> }.into_any(),
            Ok(list) if list.is_empty() => view! { <p class="empty">"No commits yet."</p> }.into_any(),
            Ok(list) => {
                let more = list.len() >= pages.get_untracked() * PAGE;
                view! {
                    <ul class="commit-list" data-testid="history">{list.into_iter().map(row).collect_view()}</ul>
                    <Show when=move || more>
                        <button class="button-secondary" on:click=move |_| pages.update(|p| *p += 1)>"Show more"</button>
                    </Show>
                }.into_any()
            }
        })}
    }
}
