//! The branches view: local branches (the current one marked), remote-tracking branches, tags.

use leptos::prelude::*;
use tabgit_engine::protocol::{BranchInfo, Op, Reply};

use crate::pages::repo::RepoCtx;
use crate::tasks::{unexpected, use_tasks};

/// The branches view.
#[component]
pub fn BranchesPage() -> impl IntoView {
    let repo = expect_context::<RepoCtx>();
    let tasks = use_tasks();
    let branches = LocalResource::new(move || {
        repo.version.track();
        let name = repo.name.get();
        async move {
            match tasks.call(Op::Branches { repo: name }).await {
                Ok(Reply::Branches {
                    local,
                    remote,
                    tags,
                }) => Ok((local, remote, tags)),
                Ok(other) => Err(unexpected(&other)),
                Err(err) => Err(err.context("Cannot list the branches")),
            }
        }
    });
    let group = |title: &'static str, list: Vec<BranchInfo>| {
        view! {
            <h3>{title}</h3>
            {if list.is_empty() {
                view! { <p class="empty">"None"</p> }.into_any()
            } else {
                view! {
                    <ul class="branch-list">
                        {list.into_iter().map(|b| { let name = b.name.clone(); view! {
                            <li class="branch-row" data-testid="branch-row" data-name=name>
                                <span class="branch-name">{b.name}</span>
                                {b.current.then(|| view! { <span class="badge">"current"</span> })}
                                {b.upstream.map(|u| view! { <span class="muted">{format!("tracks {u}")}</span> })}
                                <code class="commit-id">{b.id.get(..10).unwrap_or(&b.id).to_owned()}</code>
                            </li>
                        }}).collect_view()}
                    </ul>
                }.into_any()
            }}
        }
    };
    view! {
        <section data-testid="branches">
            {move || branches.get().map(|result| match result {
                Err(err) => view! { <p class="status problem">{err.title}</p> }.into_any(),
                Ok((local, remote, tags)) => view! {
                    {group("Branches", local)}
                    {group("Remote branches", remote)}
                    {group("Tags", tags)}
                }.into_any(),
            })}
        </section>
    }
}
