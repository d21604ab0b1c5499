//! The history view: commits with their graph lanes and refs, newest first, filtered by branch,
//! path (following renames), author and message text. The engine walks a page at a time; only
//! the rows in view are drawn, so a long history scrolls without long tasks.

use leptos::prelude::*;
use tabgit_engine::protocol::{HistoryEntry, Reply};

use crate::browser;
use crate::components::commit_graph::CommitGraph;
use crate::pages::repo::RepoCtx;
use crate::session::ErrorCtx;
use crate::state::history::{
    near_end, ref_class, short_id, when, window, Filters, Pages, PAGE, ROW_HEIGHT,
};
use crate::state::route::{RepoView, Route};
use crate::tasks::{unexpected, use_tasks};

/// The history view.
#[component]
pub fn HistoryPage(
    /// Only the commits touching this path, when set.
    #[prop(into)]
    path: Signal<Option<Vec<u8>>>,
) -> impl IntoView {
    // -- signals --
    let repo = expect_context::<RepoCtx>();
    let tasks = use_tasks();
    let error = expect_context::<ErrorCtx>();
    let filters = RwSignal::new(Filters::default());
    let pages = RwSignal::new(Pages::default());
    let generation = RwSignal::new(0u64);
    let scroll_top = RwSignal::new(0.0f64);
    let viewport = RwSignal::new(640.0f64);
    let scroller = NodeRef::<leptos::html::Div>::new();
    let current_branch = Memo::new(move |_| {
        repo.status
            .get()
            .and_then(Result::ok)
            .and_then(|status| status.branch)
    });
    // -- effects --
    // A new path, filter or repository state starts the list again.
    Effect::new(move |_| {
        let path = path.get();
        filters.update(|f| f.path = path);
    });
    Effect::new(move |_| {
        filters.track();
        repo.version.track();
        generation.update(|g| *g += 1);
        pages.set(Pages::default());
        scroll_top.set(0.0);
        if let Some(el) = scroller.get_untracked() {
            el.set_scroll_top(0);
        }
    });
    // Fetch the next page when the rows in view come near the end of what is loaded.
    Effect::new(move |_| {
        let (len, next) = pages.with(|p| (p.entries.len(), p.next_skip()));
        let (_, end) = window(scroll_top.get(), viewport.get(), len);
        let Some(skip) = next else { return };
        if len > 0 && !near_end(end, len) {
            return;
        }
        let (gen, op) = (
            generation.get_untracked(),
            filters.with_untracked(|f| f.op(&repo.name.get_untracked(), skip, PAGE)),
        );
        pages.update(|p| p.loading = true);
        leptos::task::spawn_local(async move {
            let reply = tasks.call(op).await;
            if generation.get_untracked() != gen {
                return;
            }
            match reply {
                Ok(Reply::History(page)) => pages.update(|p| p.add(skip, page)),
                Ok(other) => {
                    pages.update(|p| p.done = true);
                    error.show(unexpected(&other));
                }
                Err(err) => {
                    pages.update(|p| {
                        p.loading = false;
                        p.done = true;
                    });
                    error.show(err.context("Cannot read the history"));
                }
            }
        });
    });
    let on_scroll = move |_| {
        if let Some(el) = scroller.get_untracked() {
            scroll_top.set(f64::from(el.scroll_top()));
            viewport.set(f64::from(el.client_height()));
        }
    };
    // -- view --
    let now = (browser::now_ms() / 1000.0) as i64;
    let row = move |index: usize, entry: HistoryEntry| {
        let HistoryEntry {
            commit,
            graph,
            refs,
        } = entry;
        let href = Route::Repo {
            name: repo.name.get_untracked(),
            view: RepoView::Commit {
                id: commit.id.clone(),
            },
        }
        .path();
        let current = current_branch.get_untracked();
        view! {
            <li class="history-row" data-testid="commit-row" data-commit=commit.id.clone() data-index=index.to_string()>
                <CommitGraph row=graph/>
                <a class="commit-summary" href=href>{commit.summary}</a>
                {refs.into_iter().map(|r| {
                    let class = ref_class(&r, current.as_deref());
                    view! { <span class=class data-testid="ref-label">{r}</span> }
                }).collect_view()}
                <span class="commit-author muted" title=commit.email>{commit.author}</span>
                <span class="commit-when muted">{when(commit.time, now)}</span>
                <code class="commit-id">{short_id(&commit.id).to_owned()}</code>
            </li>
        }
    };
    // The rows to draw, recomputed only when the window moves or pages arrive.
    let shown = Memo::new(move |_| {
        pages.with(|p| window(scroll_top.get(), viewport.get(), p.entries.len()))
    });
    let visible = move || {
        let (start, end) = shown.get();
        pages.with(|p| {
            p.entries
                .get(start..end)
                .unwrap_or_default()
                .iter()
                .cloned()
                .enumerate()
                .map(|(i, e)| (start + i, e))
                .collect::<Vec<_>>()
        })
    };
    let offset = move || format!("translateY({}px)", shown.get().0 as f64 * ROW_HEIGHT);
    let total_height = move || format!("{}px", pages.with(|p| p.entries.len()) as f64 * ROW_HEIGHT);
    let summary = move || {
        pages.with(|p| {
            let n = p.entries.len();
            match (n, p.done, p.loading) {
                (0, true, _) if filters.with(Filters::narrowed) => "No commits match.".to_owned(),
                (0, true, _) => "No commits yet.".to_owned(),
                (_, true, _) => format!("{n} commits"),
                (_, _, true) => format!("{n} commits, loading more…"),
                _ => format!("{n} commits so far"),
            }
        })
    };
    let field = move |label: &'static str,
                      test_id: &'static str,
                      get: fn(&Filters) -> String,
                      set: fn(&mut Filters, String)| {
        view! {
            <label>
                {label}
                <input type="search" data-testid=test_id
                    prop:value=move || filters.with(get)
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        filters.update(|f| set(f, value));
                    }/>
            </label>
        }
    };
    let path_label = move || {
        path.get().map(|p| {
            let clear = Route::Repo {
                name: repo.name.get(),
                view: RepoView::History { path: None },
            }
            .path();
            view! {
                <p class="history-path" data-testid="history-path">
                    "History of " <code>{String::from_utf8_lossy(&p).into_owned()}</code>
                    " (following renames) " <a href=clear>"Show all"</a>
                </p>
            }
        })
    };
    view! {
        <section class="history">
            {path_label}
            <form class="history-filters form-row" on:submit=|ev| ev.prevent_default()>
                {field("Branch, tag or commit", "history-branch", |f| f.branch.clone(), |f, v| f.branch = v)}
                {field("Author", "history-author", |f| f.author.clone(), |f, v| f.author = v)}
                {field("Message", "history-text", |f| f.text.clone(), |f, v| f.text = v)}
                <label class="checkbox">
                    <input type="checkbox" data-testid="history-all"
                        prop:checked=move || filters.with(|f| f.all)
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            filters.update(|f| f.all = on);
                        }/>
                    "All branches"
                </label>
            </form>
            <p class="muted" data-testid="history-count" aria-live="polite">{summary}</p>
            <div class="history-scroll" data-testid="history-list" node_ref=scroller on:scroll=on_scroll tabindex="0">
                <div class="history-spacer" style:height=total_height>
                    <ol class="history-rows" style:transform=offset>
                        <For each=visible key=|(i, e)| (*i, e.commit.id.clone()) children=move |(i, e)| row(i, e)/>
                    </ol>
                </div>
            </div>
        </section>
    }
}
