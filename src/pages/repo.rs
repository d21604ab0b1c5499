//! An open repository: its name and branch, the view switcher, sync, and the chosen view.

use leptos::prelude::*;
use tabgit_engine::protocol::{Op, Reply, StatusSummary};

use crate::browser;
use crate::components::sync_bar::SyncBar;
use crate::pages::blame::BlamePage;
use crate::pages::branches::BranchesPage;
use crate::pages::changes::ChangesPage;
use crate::pages::commit::CommitPage;
use crate::pages::file_at::FileAtPage;
use crate::pages::files::FilesPage;
use crate::pages::history::HistoryPage;
use crate::pages::merge::MergePage;
use crate::session::{RepoMetasCtx, RouteCtx};
use crate::state::error::UiError;
use crate::state::route::{RepoView, Route};
use crate::tasks::{unexpected, use_tasks};

/// The open repository, shared by its views.
#[derive(Clone, Copy)]
pub struct RepoCtx {
    /// The local name.
    pub name: Signal<String>,
    /// Bumped after every change, so views reload what they show.
    pub version: RwSignal<u64>,
    /// The working tree's status (reloaded with `version`).
    pub status: LocalResource<Result<StatusSummary, UiError>>,
}

/// Mutation
impl RepoCtx {
    /// Tell every view the repository changed.
    pub fn changed(self) {
        self.version.update(|v| *v += 1);
    }
}

/// The repository page.
#[component]
pub fn RepoPage() -> impl IntoView {
    let route = expect_context::<RouteCtx>();
    let metas = expect_context::<RepoMetasCtx>();
    let tasks = use_tasks();
    let name = Memo::new(move |_| route.0.with(|r| r.repo().unwrap_or_default().to_owned()));
    let view_of = Memo::new(move |_| match route.0.get() {
        Route::Repo { view, .. } => view,
        _ => RepoView::Files { path: None },
    });
    // The view's kind alone, so moving between files keeps the files view (and its tree), and
    // moving between commits keeps the commit page.
    let kind = Memo::new(move |_| match view_of.get() {
        RepoView::Files { .. } => 0u8,
        RepoView::Changes => 1,
        RepoView::History { .. } => 2,
        RepoView::Branches => 3,
        RepoView::Commit { .. } => 4,
        RepoView::Blame { .. } => 5,
        RepoView::FileAt { .. } => 6,
        RepoView::Merge => 7,
    });
    let history_path = Signal::derive(move || match view_of.get() {
        RepoView::History { path } => path,
        _ => None,
    });
    let commit_id = Signal::derive(move || match view_of.get() {
        RepoView::Commit { id } => id,
        _ => String::new(),
    });
    let blame_path = Signal::derive(move || match view_of.get() {
        RepoView::Blame { path, .. } | RepoView::FileAt { path, .. } => path,
        _ => Vec::new(),
    });
    let blame_rev = Signal::derive(move || match view_of.get() {
        RepoView::Blame { rev, .. } => rev,
        _ => None,
    });
    let at_rev = Signal::derive(move || match view_of.get() {
        RepoView::FileAt { rev, .. } => rev,
        _ => String::new(),
    });
    let file_path = Signal::derive(move || match view_of.get() {
        RepoView::Files { path } => path,
        _ => None,
    });
    let version = RwSignal::new(0u64);
    let status = LocalResource::new(move || {
        version.track();
        let repo = name.get();
        async move {
            match tasks.call(Op::Status { repo }).await {
                Ok(Reply::Status(status)) => Ok(status),
                Ok(other) => Err(unexpected(&other)),
                Err(err) => Err(err),
            }
        }
    });
    let repo = RepoCtx {
        name: name.into(),
        version,
        status,
    };
    provide_context(repo);
    let merging = Memo::new(move |_| {
        status
            .get()
            .and_then(Result::ok)
            .is_some_and(|s| s.merging || !crate::state::conflict::conflicted_paths(&s).is_empty())
    });
    Effect::new(move |_| {
        let name = name.get();
        metas.update(|m| m.opened(&name, browser::now_ms()));
    });
    let branch = LocalResource::new(move || {
        version.track();
        let repo = name.get();
        async move {
            match tasks.call(Op::Info { repo }).await {
                Ok(Reply::Repo(summary)) => {
                    Some(summary.branch.unwrap_or_else(|| "detached HEAD".into()))
                }
                _ => None,
            }
        }
    });
    let tab =
        move |target: RepoView, label: &'static str, key: &'static str, test_id: &'static str| {
            let href = {
                let target = target.clone();
                move || {
                    Route::Repo {
                        name: name.get(),
                        view: target.clone(),
                    }
                    .path()
                }
            };
            let current = {
                let target = target.clone();
                move || view_of.get().tab() == target.tab()
            };
            view! {
                <a
                    class="tab"
                    href=href
                    data-testid=test_id
                    aria-current=move || current().then_some("page")
                    aria-keyshortcuts=format!("Alt+{key}")
                    title=format!("{label} (Alt+{key})")
                >
                    {label}
                </a>
            }
        };
    view! {
        <div class="repo-head">
            <h2 class="page-title">
                <span data-testid="repo-title">{move || name.get()}</span>
                <span class="badge" data-testid="repo-branch">{move || branch.get().flatten()}</span>
            </h2>
            <SyncBar/>
        </div>
        <nav class="tabs" aria-label="Repository views">
            {tab(RepoView::Files { path: None }, "Files", "1", "nav-files")}
            {tab(RepoView::Changes, "Changes", "2", "nav-changes")}
            {tab(RepoView::History { path: None }, "History", "3", "nav-history")}
            {tab(RepoView::Branches, "Branches", "4", "nav-branches")}
            {move || merging.get().then(|| tab(RepoView::Merge, "Merge", "5", "nav-merge"))}
        </nav>
        {move || (merging.get() && view_of.get() != RepoView::Merge).then(|| view! {
            <p class="panel warn" data-testid="merge-banner">
                "A merge is in progress. "
                <a href=move || Route::Repo { name: name.get(), view: RepoView::Merge }.path()>"Resolve the conflicts and conclude it"</a>
                ", or abort it."
            </p>
        })}
        {move || match kind.get() {
            0 => view! { <FilesPage path=file_path/> }.into_any(),
            1 => view! { <ChangesPage/> }.into_any(),
            2 => view! { <HistoryPage path=history_path/> }.into_any(),
            4 => view! { <CommitPage id=commit_id/> }.into_any(),
            5 => view! { <BlamePage path=blame_path rev=blame_rev/> }.into_any(),
            6 => view! { <FileAtPage rev=at_rev path=blame_path/> }.into_any(),
            7 => view! { <MergePage/> }.into_any(),
            _ => view! { <BranchesPage/> }.into_any(),
        }}
    }
}
