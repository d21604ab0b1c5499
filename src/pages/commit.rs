//! One commit: its full message, author and committer, parents, and the diff of every file it
//! changed (images before and after); revert it, reset the branch to it (with the warning in
//! plain words and an undo), start a branch or a tag at it.

use leptos::prelude::*;
use tabgit_engine::protocol::{
    ChangeKind, ChangedFile, CommitDetail, MergeResult, Op, Reply, ResetMode,
};

use crate::components::diff_view::{DiffView, LayoutCtx, LayoutToggle};
use crate::components::file_view::ImagePreview;
use crate::pages::repo::RepoCtx;
use crate::session::{go, ConfirmCtx, ErrorCtx};
use crate::state::branches::{check_ref_name, merge_words, reset_warning};
use crate::state::diff::{file_counts, file_label, kind_word, Layout};
use crate::state::editor::image_mime;
use crate::state::error::UiError;
use crate::state::history::{format_time, short_id};
use crate::state::route::{RepoView, Route};
use crate::tasks::{unexpected, use_tasks, Tasks};

/// Files whose diffs load at once; the rest load when opened.
const EAGER_DIFFS: usize = 25;

/// The commit page.
#[component]
pub fn CommitPage(
    /// The commit.
    #[prop(into)]
    id: Signal<String>,
) -> impl IntoView {
    // -- signals --
    let repo = expect_context::<RepoCtx>();
    let tasks = use_tasks();
    let error = expect_context::<ErrorCtx>();
    let confirm = expect_context::<ConfirmCtx>();
    provide_context(LayoutCtx(RwSignal::new(Layout::Unified)));
    let result = RwSignal::new(None::<String>);
    let undo = RwSignal::new(None::<(String, ResetMode)>);
    let new_branch = RwSignal::new(String::new());
    let new_tag = RwSignal::new(String::new());
    let reset_mode = RwSignal::new(ResetMode::Mixed);
    let detail = LocalResource::new(move || {
        let (name, id) = (repo.name.get(), id.get());
        async move {
            match tasks.call(Op::ShowCommit { repo: name, id }).await {
                Ok(Reply::Commit(detail)) => Ok(detail),
                Ok(other) => Err(unexpected(&other)),
                Err(err) => Err(err.context("Cannot show the commit")),
            }
        }
    });
    // -- actions --
    let revert = Action::new_local(move |(): &()| {
        let (name, id) = (repo.name.get_untracked(), id.get_untracked());
        async move {
            let identity = match tasks.commit_identity() {
                Ok(identity) => identity,
                Err(err) => return error.show(err),
            };
            match tasks
                .call(Op::Revert {
                    repo: name.clone(),
                    id: id.clone(),
                    identity,
                })
                .await
            {
                Ok(Reply::Merged(MergeResult::Conflicted { .. })) => {
                    repo.changed();
                    go(&Route::Repo {
                        name,
                        view: RepoView::Merge,
                    });
                }
                Ok(Reply::Merged(outcome)) => {
                    result.set(Some(match outcome {
                        MergeResult::Committed { id: new_id } => {
                            format!("Reverted {} as {}", short_id(&id), short_id(&new_id))
                        }
                        other => merge_words(&other, short_id(&id)),
                    }));
                    repo.changed();
                }
                Ok(Reply::Committed { id: new_id }) => {
                    result.set(Some(format!(
                        "Reverted {} as {}",
                        short_id(&id),
                        short_id(&new_id)
                    )));
                    repo.changed();
                }
                Ok(other) => error.show(unexpected(&other)),
                Err(err) => error.show(err.context("Cannot revert the commit")),
            }
        }
    });
    let reset = Action::new_local(move |(rev, mode): &(String, ResetMode)| {
        let (name, rev, mode) = (repo.name.get_untracked(), rev.clone(), *mode);
        async move {
            let before = head_id(tasks, &name).await;
            match tasks
                .call(Op::Reset {
                    repo: name,
                    rev: rev.clone(),
                    mode,
                    identity: tasks.reflog_identity(),
                })
                .await
            {
                Ok(_) => {
                    result.set(Some(format!("The branch now points at {}", short_id(&rev))));
                    undo.set(before.map(|b| (b, mode)));
                    repo.changed();
                }
                Err(err) => error.show(err.context("Cannot reset")),
            }
        }
    });
    let create = Action::new_local(move |tag: &bool| {
        let (name, id, tag) = (repo.name.get_untracked(), id.get_untracked(), *tag);
        let wanted = if tag {
            new_tag.get_untracked()
        } else {
            new_branch.get_untracked()
        };
        async move {
            let new_name = match check_ref_name(&wanted) {
                Ok(n) => n,
                Err(problem) => return error.show(UiError::new(problem)),
            };
            let op = if tag {
                Op::CreateTag {
                    repo: name,
                    name: new_name.clone(),
                    target: Some(id),
                    message: None,
                    identity: tasks.reflog_identity(),
                }
            } else {
                Op::CreateBranch {
                    repo: name,
                    name: new_name.clone(),
                    start: Some(id),
                    switch: true,
                    identity: tasks.reflog_identity(),
                }
            };
            match tasks.call(op).await {
                Ok(_) => {
                    result.set(Some(if tag {
                        format!("Tagged this commit {new_name}")
                    } else {
                        format!("Created {new_name} here and switched to it")
                    }));
                    new_branch.set(String::new());
                    new_tag.set(String::new());
                    repo.changed();
                }
                Err(err) => error.show(err.context(if tag {
                    "Cannot create the tag"
                } else {
                    "Cannot create the branch"
                })),
            }
        }
    });
    // -- view --
    let link = move |view: RepoView| {
        Route::Repo {
            name: repo.name.get_untracked(),
            view,
        }
        .path()
    };
    let ask_reset = move |_| {
        let (rev, mode) = (id.get_untracked(), reset_mode.get_untracked());
        let branch = repo
            .status
            .get_untracked()
            .and_then(Result::ok)
            .and_then(|s| s.branch)
            .unwrap_or_else(|| "HEAD".into());
        confirm.ask(
            reset_warning(mode, &branch, short_id(&rev)),
            "Reset",
            move |()| {
                reset.dispatch((rev.clone(), mode));
            },
        );
    };
    let head = move |d: &CommitDetail| {
        let c = &d.commit;
        view! {
            <header class="commit-head">
                <h3 class="commit-title" data-testid="commit-summary">{c.summary.clone()}</h3>
                <pre class="commit-message" data-testid="commit-message">{d.message.clone()}</pre>
                <dl class="commit-facts">
                    <dt>"Commit"</dt><dd><code data-testid="commit-id">{c.id.clone()}</code></dd>
                    <dt>"Author"</dt><dd>{format!("{} <{}>, {}", c.author, c.email, format_time(c.time))}</dd>
                    {d.committer.clone().map(|who| view! {
                        <dt>"Committer"</dt><dd>{format!("{who}, {}", format_time(d.commit_time))}</dd>
                    })}
                    <dt>{if c.parents.len() > 1 { "Parents" } else { "Parent" }}</dt>
                    <dd data-testid="commit-parents">
                        {if c.parents.is_empty() { Some("none (the first commit)") } else { None }}
                        {c.parents.iter().map(|p| view! {
                            <a class="commit-id" href=link(RepoView::Commit { id: p.clone() }) data-testid="commit-parent">{short_id(p).to_owned()}</a>" "
                        }).collect_view()}
                    </dd>
                </dl>
            </header>
        }
    };
    let actions = move || {
        view! {
            <div class="commit-actions toolbar">
                <button class="button-secondary" data-testid="revert-commit"
                    disabled=move || revert.pending().get()
                    title="Make a new commit that undoes this one"
                    on:click=move |_| { revert.dispatch(()); }>"Revert"</button>
                <label class="inline">"Reset"
                    <select data-testid="reset-mode" on:change=move |ev| reset_mode.set(match event_target_value(&ev).as_str() {
                        "soft" => ResetMode::Soft,
                        "hard" => ResetMode::Hard,
                        _ => ResetMode::Mixed,
                    })>
                        <option value="soft">"soft: keep changes staged"</option>
                        <option value="mixed" selected>"mixed: keep changes in files"</option>
                        <option value="hard">"hard: discard everything after"</option>
                    </select>
                </label>
                <button class="button-danger" data-testid="reset-here" on:click=ask_reset>"Reset branch here…"</button>
                <form class="inline-form" on:submit=move |ev| { ev.prevent_default(); create.dispatch(false); }>
                    <input data-testid="commit-branch-name" placeholder="new branch" aria-label="New branch name"
                        prop:value=move || new_branch.get() on:input=move |ev| new_branch.set(event_target_value(&ev))/>
                    <button class="button-secondary" data-testid="commit-branch-create" type="submit">"Branch here"</button>
                </form>
                <form class="inline-form" on:submit=move |ev| { ev.prevent_default(); create.dispatch(true); }>
                    <input data-testid="commit-tag-name" placeholder="tag" aria-label="New tag name"
                        prop:value=move || new_tag.get() on:input=move |ev| new_tag.set(event_target_value(&ev))/>
                    <button class="button-secondary" data-testid="commit-tag-create" type="submit">"Tag"</button>
                </form>
            </div>
            <p class="status" data-testid="commit-result" aria-live="polite">
                {move || result.get()}
                {move || undo.get().map(|(before, mode)| view! {
                    " "
                    <button class="button-secondary" data-testid="reset-undo" on:click=move |_| {
                        undo.set(None);
                        reset.dispatch((before.clone(), mode));
                    }>"Undo"</button>
                })}
            </p>
        }
    };
    view! {
        <section class="commit-page" data-testid="commit-page">
            <p><a href=move || link(RepoView::History { path: None })>"← History"</a></p>
            {move || detail.get().map(|res| match res {
                Err(err) => view! { <p class="status problem">{err.title}</p> }.into_any(),
                Ok(d) => {
                    let merge = d.commit.parents.len() > 1;
                    let commit_id = d.commit.id.clone();
                    let parent = d.commit.parents.first().cloned();
                    let files = d.files.clone();
                    view! {
                        {head(&d)}
                        {actions()}
                        <div class="section-head">
                            <h3>{format!("{} changed {}", files.len(), if files.len() == 1 { "file" } else { "files" })}</h3>
                            <LayoutToggle/>
                        </div>
                        <div class="commit-diff" data-testid="commit-diff">
                            {merge.then(|| view! { <p class="hint">"A merge: its changes are those of the branches it joins (see its parents)."</p> })}
                            {files.into_iter().enumerate().map(|(n, file)| view! {
                                <FileChange file=file commit=commit_id.clone() parent=parent.clone() eager=n < EAGER_DIFFS/>
                            }).collect_view()}
                        </div>
                    }.into_any()
                }
            })}
        </section>
    }
}

/// The current HEAD commit.
async fn head_id(tasks: Tasks, name: &str) -> Option<String> {
    match tasks
        .call(Op::Info {
            repo: name.to_owned(),
        })
        .await
    {
        Ok(Reply::Repo(summary)) => summary.head,
        _ => None,
    }
}

/// A file's bytes at a commit, if it is there.
async fn file_at(tasks: Tasks, name: String, rev: String, path: Vec<u8>) -> Option<Vec<u8>> {
    match tasks
        .call(Op::FileAt {
            repo: name,
            rev,
            path,
        })
        .await
    {
        Ok(Reply::File(bytes)) => Some(bytes),
        _ => None,
    }
}

/// One changed file of a commit, with its diff.
#[component]
fn FileChange(
    /// The file.
    file: ChangedFile,
    /// The commit.
    commit: String,
    /// Its first parent.
    parent: Option<String>,
    /// Load the diff at once.
    eager: bool,
) -> impl IntoView {
    let repo = expect_context::<RepoCtx>();
    let tasks = use_tasks();
    let open = RwSignal::new(eager);
    let path_text = String::from_utf8_lossy(&file.path).into_owned();
    let image = image_mime(&file.path);
    let (path, old_path) = (file.path.clone(), file.old_path.clone());
    let diff = {
        let (commit, path) = (commit.clone(), path.clone());
        LocalResource::new(move || {
            let (name, commit, path, wanted) =
                (repo.name.get(), commit.clone(), path.clone(), open.get());
            async move {
                if !wanted {
                    return None;
                }
                Some(
                    match tasks
                        .call(Op::CommitFileDiff {
                            repo: name,
                            id: commit,
                            path,
                        })
                        .await
                    {
                        Ok(Reply::Diff(diff)) => Ok(diff),
                        Ok(other) => Err(unexpected(&other)),
                        Err(err) => Err(err.context("Cannot show the diff")),
                    },
                )
            }
        })
    };
    let images = {
        let (commit, path, kind) = (commit.clone(), path.clone(), file.kind);
        LocalResource::new(move || {
            let name = repo.name.get();
            let (commit, parent, path) = (commit.clone(), parent.clone(), path.clone());
            let old = old_path.clone().unwrap_or_else(|| path.clone());
            async move {
                if image.is_none() || !open.get_untracked() {
                    return None;
                }
                let before = match (parent, kind) {
                    (Some(parent), k) if k != ChangeKind::Added => {
                        file_at(tasks, name.clone(), parent, old).await
                    }
                    _ => None,
                };
                let after = if kind == ChangeKind::Deleted {
                    None
                } else {
                    file_at(tasks, name, commit, path).await
                };
                Some((before, after))
            }
        })
    };
    let link = move |view: RepoView| {
        Route::Repo {
            name: repo.name.get_untracked(),
            view,
        }
        .path()
    };
    let deleted = file.kind == ChangeKind::Deleted;
    view! {
        <article class="diff-file" data-testid="diff-file" data-path=path_text.clone()>
            <header class="diff-file-head">
                <span class=format!("marker marker-{}", kind_word(file.kind).replace(' ', "-"))>{kind_word(file.kind)}</span>
                <h4 class="file-path">{file_label(&file)}</h4>
                <span class="muted">{file_counts(&file)}</span>
                <span class="file-links">
                    {(!deleted).then(|| view! {
                        <a href=link(RepoView::FileAt { rev: commit.clone(), path: path.clone() }) data-testid="file-at-link">"View file"</a>
                        <a href=link(RepoView::Blame { path: path.clone(), rev: Some(commit.clone()) })>"Blame"</a>
                    })}
                    <a href=link(RepoView::History { path: Some(path.clone()) })>"History"</a>
                </span>
            </header>
            {move || if open.get() { None } else { Some(view! {
                <button class="button-secondary" data-testid="diff-file-open" on:click=move |_| open.set(true)>"Show diff"</button>
            }) }}
            {move || images.get().flatten().map(|(before, after)| {
                let mime = image.unwrap_or("image/png");
                view! {
                    <div class="image-diff" data-testid="image-diff">
                        <div><p class="hint">"Before"</p>{before.map(|b| { let size = b.len(); view! { <ImagePreview bytes=b mime=mime size=size/> } })}</div>
                        <div><p class="hint">"After"</p>{after.map(|b| { let size = b.len(); view! { <ImagePreview bytes=b mime=mime size=size/> } })}</div>
                    </div>
                }
            })}
            {move || diff.get().flatten().map(|res| match res {
                Err(err) => view! { <p class="status problem">{err.title}</p> }.into_any(),
                Ok(d) if d.binary && image.is_some() => ().into_any(),
                Ok(d) => view! { <DiffView diff=d/> }.into_any(),
            })}
        </article>
    }
}
