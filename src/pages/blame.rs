//! The blame view: each line of a file with the commit that last changed it (who, when, and
//! the commit's summary on the first line of each run), linked to the commit page.

use leptos::prelude::*;
use tabgit_engine::protocol::{Op, Reply};

use crate::browser;
use crate::pages::repo::RepoCtx;
use crate::state::blame::{blame_lines, BLAME_LINES_SHOWN};
use crate::state::route::{RepoView, Route};
use crate::tasks::{unexpected, use_tasks};

/// The blame page.
#[component]
pub fn BlamePage(
    /// The file.
    #[prop(into)]
    path: Signal<Vec<u8>>,
    /// The commit to blame at (`HEAD` when `None`).
    #[prop(into)]
    rev: Signal<Option<String>>,
) -> impl IntoView {
    let repo = expect_context::<RepoCtx>();
    let tasks = use_tasks();
    let blame = LocalResource::new(move || {
        repo.version.track();
        let (name, path, rev) = (repo.name.get(), path.get(), rev.get());
        async move {
            match tasks
                .call(Op::Blame {
                    repo: name,
                    path: path.clone(),
                    rev,
                })
                .await
            {
                Ok(Reply::Blame { runs, lines }) => Ok(blame_lines(
                    &path,
                    &runs,
                    &lines,
                    (browser::now_ms() / 1000.0) as i64,
                )),
                Ok(other) => Err(unexpected(&other)),
                Err(err) => Err(err.context("Cannot blame the file")),
            }
        }
    });
    let link = move |view: RepoView| {
        Route::Repo {
            name: repo.name.get_untracked(),
            view,
        }
        .path()
    };
    view! {
        <section class="blame-page">
            <div class="file-head">
                <h3 class="file-path">
                    {move || String::from_utf8_lossy(&path.get()).into_owned()}
                    {move || rev.get().map(|r| format!(" at {}", r.get(..10).unwrap_or(&r)))}
                </h3>
                <span class="file-links">
                    <a href=move || link(RepoView::History { path: Some(path.get()) })>"History of this file"</a>
                </span>
            </div>
            {move || blame.get().map(|res| match res {
                Err(err) => view! { <p class="status problem">{err.title}</p> }.into_any(),
                Ok(lines) => {
                    let total = lines.len();
                    view! {
                        {(total > BLAME_LINES_SHOWN).then(|| view! {
                            <p class="hint">{format!("Showing the first {BLAME_LINES_SHOWN} of {total} lines.")}</p>
                        })}
                        <table class="blame" data-testid="blame-view"><tbody>
                            {lines.into_iter().take(BLAME_LINES_SHOWN).map(|line| view! {
                                <tr class=if line.odd { "blame-line odd" } else { "blame-line" } data-commit=line.commit.clone()>
                                    <td class="blame-commit">
                                        {line.head.map(|h| { let title = h.summary.clone(); view! {
                                            <a href=link(RepoView::Commit { id: h.commit.clone() }) class="commit-id" data-testid="blame-commit">{h.short}</a>
                                            " " <span class="blame-author">{h.author}</span>
                                            " " <span class="muted">{h.when}</span>
                                            <span class="blame-summary muted" title=title>{h.summary}</span>
                                            {h.old_path.map(|p| view! { <span class="muted">{format!("(as {p})")}</span> })}
                                        }})}
                                    </td>
                                    <td class="ln">{line.number.to_string()}</td>
                                    <td class="code"><pre>{line.text}</pre></td>
                                </tr>
                            }).collect_view()}
                        </tbody></table>
                    }.into_any()
                }
            })}
        </section>
    }
}
