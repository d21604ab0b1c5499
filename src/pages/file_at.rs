//! A file as it was at a commit, read-only, with "restore this version" into the working tree
//! and the index (`git restore --source=<commit> --staged --worktree`).

use leptos::prelude::*;
use tabgit_engine::protocol::{Op, Reply};

use crate::components::file_view::ImagePreview;
use crate::pages::repo::RepoCtx;
use crate::session::{ConfirmCtx, ErrorCtx};
use crate::state::editor::{image_mime, Document};
use crate::state::history::short_id;
use crate::state::repos::format_bytes;
use crate::state::route::{RepoView, Route};
use crate::tasks::{unexpected, use_tasks};

/// The file-at-a-commit page.
#[component]
pub fn FileAtPage(
    /// The commit.
    #[prop(into)]
    rev: Signal<String>,
    /// The file.
    #[prop(into)]
    path: Signal<Vec<u8>>,
) -> impl IntoView {
    let repo = expect_context::<RepoCtx>();
    let tasks = use_tasks();
    let error = expect_context::<ErrorCtx>();
    let confirm = expect_context::<ConfirmCtx>();
    let restored = RwSignal::new(None::<String>);
    let content = LocalResource::new(move || {
        let (name, rev, path) = (repo.name.get(), rev.get(), path.get());
        async move {
            match tasks
                .call(Op::FileAt {
                    repo: name,
                    rev,
                    path,
                })
                .await
            {
                Ok(Reply::File(bytes)) => Ok(bytes),
                Ok(other) => Err(unexpected(&other)),
                Err(err) => Err(err.context("Cannot read the file at this commit")),
            }
        }
    });
    let restore = Action::new_local(move |(): &()| {
        let (name, rev, path) = (
            repo.name.get_untracked(),
            rev.get_untracked(),
            path.get_untracked(),
        );
        async move {
            match tasks
                .call(Op::RestoreFiles {
                    repo: name,
                    rev: rev.clone(),
                    paths: vec![path.clone()],
                })
                .await
            {
                Ok(_) => {
                    restored.set(Some(format!(
                        "Restored {} as it was at {}: the change is staged, ready to commit",
                        String::from_utf8_lossy(&path),
                        short_id(&rev)
                    )));
                    repo.changed();
                }
                Err(err) => error.show(err.context("Cannot restore the file")),
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
    let ask = move |_| {
        let text = format!(
            "Replace {} in your working tree with its version at {}? Unsaved or uncommitted \
             changes to this file are lost.",
            String::from_utf8_lossy(&path.get_untracked()),
            short_id(&rev.get_untracked())
        );
        confirm.ask(text, "Restore", move |()| {
            restore.dispatch(());
        });
    };
    view! {
        <section class="file-at">
            <div class="file-head">
                <h3 class="file-path">
                    {move || String::from_utf8_lossy(&path.get()).into_owned()}
                    " at "
                    <a class="commit-id" href=move || link(RepoView::Commit { id: rev.get() })>{move || short_id(&rev.get()).to_owned()}</a>
                </h3>
                <span class="file-links">
                    <a href=move || link(RepoView::Blame { path: path.get(), rev: Some(rev.get()) })>"Blame"</a>
                    <a href=move || link(RepoView::History { path: Some(path.get()) })>"History"</a>
                    <button class="button-secondary" data-testid="restore-file" disabled=move || restore.pending().get() on:click=ask>"Restore this version"</button>
                </span>
            </div>
            <p class="status" data-testid="restore-result" aria-live="polite">{move || restored.get()}</p>
            {move || content.get().map(|res| match res {
                Err(err) => view! { <p class="status problem">{err.title}</p> }.into_any(),
                Ok(bytes) => {
                    let path = path.get_untracked();
                    let size = bytes.len();
                    if let Some(mime) = image_mime(&path) {
                        return view! { <ImagePreview bytes=bytes mime=mime size=size/> }.into_any();
                    }
                    match Document::from_bytes(&path, bytes) {
                        Document::Text(doc) => view! { <pre class="readonly" data-testid="file-at-text">{doc.text}</pre> }.into_any(),
                        Document::NotUtf8 { preview } => view! { <pre class="readonly" data-testid="file-at-text">{preview}</pre> }.into_any(),
                        _ => view! { <p class="hint">{format!("Binary file, {}.", format_bytes(size as u64))}</p> }.into_any(),
                    }
                }
            })}
        </section>
    }
}
