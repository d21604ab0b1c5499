//! The changes view: staged, unstaged and untracked files, the selected file's diff, staging
//! by file and by hunk, discarding, and the commit form.

use leptos::prelude::*;
use tabgit_engine::protocol::{Op, Reply};

use crate::components::diff_view::{DiffView, LayoutCtx, LayoutToggle};
use crate::pages::repo::RepoCtx;
use crate::session::{ConfirmCtx, ErrorCtx};
use crate::state::changes::{ChangeGroups, ChangeRow, CommitForm, Side};
use crate::state::diff::Layout;
use crate::tasks::{unexpected, use_tasks};

/// What to do to a file.
#[derive(Clone, Debug)]
enum FileAction {
    Stage(Vec<Vec<u8>>),
    Unstage(Vec<Vec<u8>>),
    Hunk {
        path: Vec<u8>,
        hunk: usize,
        unstage: bool,
        /// The ids of the diff shown, so the engine refuses if the file changed since.
        old_id: Option<String>,
        new_id: Option<String>,
    },
    Discard(Vec<Vec<u8>>),
}

/// The changes view.
#[component]
pub fn ChangesPage() -> impl IntoView {
    // -- signals --
    let repo = expect_context::<RepoCtx>();
    let tasks = use_tasks();
    let error = expect_context::<ErrorCtx>();
    let confirm = expect_context::<ConfirmCtx>();
    let selected = RwSignal::new(None::<(Vec<u8>, Side)>);
    let form = RwSignal::new(CommitForm::default());
    let committed = RwSignal::new(String::new());
    provide_context(LayoutCtx(RwSignal::new(Layout::Unified)));
    let groups = Memo::new(move |_| {
        repo.status
            .get()
            .map(|r| r.map(|status| ChangeGroups::from_status(&status)))
    });
    let diff = LocalResource::new(move || {
        repo.version.track();
        let (name, sel) = (repo.name.get(), selected.get());
        async move {
            let (path, side) = sel?;
            Some(
                match tasks
                    .call(Op::DiffFile {
                        repo: name,
                        path,
                        staged: side == Side::Staged,
                    })
                    .await
                {
                    Ok(Reply::Diff(diff)) => Ok((diff, side == Side::Staged)),
                    Ok(other) => Err(unexpected(&other)),
                    Err(err) => Err(err.context("Cannot show the diff")),
                },
            )
        }
    });
    // -- actions --
    let act = Action::new_local(move |action: &FileAction| {
        let (action, name) = (action.clone(), repo.name.get_untracked());
        async move {
            let (op, what) = match action {
                FileAction::Stage(paths) => (Op::Stage { repo: name, paths }, "Cannot stage"),
                FileAction::Unstage(paths) => (Op::Unstage { repo: name, paths }, "Cannot unstage"),
                FileAction::Hunk {
                    path,
                    hunk,
                    unstage,
                    old_id,
                    new_id,
                } => (
                    Op::StageHunk {
                        repo: name,
                        path,
                        hunk,
                        unstage,
                        old_id,
                        new_id,
                    },
                    "Cannot stage the hunk",
                ),
                FileAction::Discard(paths) => (Op::Discard { repo: name, paths }, "Cannot discard"),
            };
            if let Err(err) = tasks.call(op).await {
                error.show(err.context(what));
            }
            repo.changed();
        }
    });
    let commit = Action::new_local(move |(): &()| {
        let (fields, name) = (form.get_untracked(), repo.name.get_untracked());
        let n_staged = groups
            .get_untracked()
            .and_then(Result::ok)
            .map_or(0, |g| g.staged.len());
        async move {
            let message = match fields.message(n_staged) {
                Ok(message) => message,
                Err(problem) => return error.show(problem.into()),
            };
            let identity = match tasks.commit_identity() {
                Ok(identity) => identity,
                Err(err) => return error.show(err),
            };
            match tasks
                .call(Op::Commit {
                    repo: name,
                    message,
                    amend: fields.amend,
                    identity,
                })
                .await
            {
                Ok(Reply::Committed { id }) => {
                    form.set(CommitForm::default());
                    committed.set(format!("Committed {}", id.get(..10).unwrap_or(&id)));
                    selected.set(None);
                    error.clear();
                }
                Ok(other) => error.show(unexpected(&other)),
                // The form keeps what was typed.
                Err(err) => error.show(err.context("Commit failed")),
            }
            repo.changed();
        }
    });
    let discard = move |paths: Vec<Vec<u8>>| {
        let label = if paths.len() == 1 {
            String::from_utf8_lossy(&paths[0]).into_owned()
        } else {
            format!("{} files", paths.len())
        };
        confirm.ask(
            format!("Discard the unstaged changes to {label}? This cannot be undone."),
            "Discard changes",
            move |()| {
                act.dispatch(FileAction::Discard(paths.clone()));
            },
        );
    };
    let list = move |title: &'static str, rows: Vec<ChangeRow>, side: Side| {
        (!rows.is_empty()).then(|| view! {
            <h3 class="change-group">{format!("{title} ({})", rows.len())}</h3>
            <ul class="change-list">
                {rows.into_iter().map(|row| {
                    let display = String::from_utf8_lossy(&row.path).into_owned();
                    let (p1, p2, p3) = (row.path.clone(), row.path.clone(), row.path.clone());
                    let is_selected = move || selected.with(|s| s.as_ref().is_some_and(|(p, s)| *p == p1 && *s == side));
                    view! {
                        <li class="change-entry" data-testid="change-entry" data-path=display data-side=format!("{side:?}").to_lowercase()
                            aria-current=move || is_selected().then_some("true")>
                            <button class="change-name" on:click=move |_| selected.set(Some((p2.clone(), side)))>
                                <span class=format!("marker marker-{}", row.kind.replace(' ', "-"))>{row.kind}</span>
                                {row.label}
                            </button>
                            {match side {
                                Side::Staged => view! {
                                    <button class="button-secondary" data-testid="unstage" on:click=move |_| { act.dispatch(FileAction::Unstage(vec![p3.clone()])); }>"Unstage"</button>
                                }.into_any(),
                                Side::Unstaged => {
                                    let p4 = p3.clone();
                                    view! {
                                        <button class="button-secondary" data-testid="stage" on:click=move |_| { act.dispatch(FileAction::Stage(vec![p3.clone()])); }>"Stage"</button>
                                        <button class="button-danger" data-testid="discard" on:click=move |_| discard(vec![p4.clone()])>"Discard"</button>
                                    }.into_any()
                                }
                                Side::Untracked => view! {
                                    <button class="button-secondary" data-testid="stage" on:click=move |_| { act.dispatch(FileAction::Stage(vec![p3.clone()])); }>"Stage"</button>
                                }.into_any(),
                            }}
                        </li>
                    }
                }).collect_view()}
            </ul>
        })
    };
    view! {
        <div class="changes-layout">
            <section class="changes-side" aria-label="Changed files" data-testid="changes-list">
                {move || match groups.get() {
                    None => view! { <p class="empty">"Loading…"</p> }.into_any(),
                    Some(Err(err)) => view! { <p class="status problem">{err.title}</p> }.into_any(),
                    Some(Ok(g)) if g.is_empty() => view! {
                        <div class="empty-state" data-testid="changes-empty">
                            <p>"No changes."</p>
                            <p class="hint">"Edit files in the Files view; they show up here to stage and commit."</p>
                        </div>
                    }.into_any(),
                    Some(Ok(g)) => {
                        let stageable = g.stageable();
                        view! {
                            <div class="toolbar">
                                <button data-testid="stage-all" disabled=stageable.is_empty()
                                    on:click=move |_| { act.dispatch(FileAction::Stage(stageable.clone())); }>"Stage all"</button>
                            </div>
                            {list("Staged", g.staged, Side::Staged)}
                            {list("Changed", g.unstaged, Side::Unstaged)}
                            {list("Untracked", g.untracked, Side::Untracked)}
                        }.into_any()
                    }
                }}
                <CommitFormView form=form on_commit=Callback::new(move |()| { commit.dispatch(()); }) busy=commit.pending()/>
                <p class="status" role="status" data-testid="commit-result">{move || committed.get()}</p>
            </section>
            <section class="changes-main" aria-label="Diff">
                {move || match diff.get().flatten() {
                    None => view! { <p class="empty">"Select a file to see its diff."</p> }.into_any(),
                    Some(Err(err)) => view! { <p class="status problem">{err.title}</p> }.into_any(),
                    Some(Ok((d, staged))) => {
                        let (path, old_id, new_id) = (d.path.clone(), d.old_id.clone(), d.new_id.clone());
                        view! {
                            <div class="file-head">
                                <h3 class="file-path">{String::from_utf8_lossy(&d.path).into_owned()}{if staged { " (staged)" } else { "" }}</h3>
                                <LayoutToggle/>
                            </div>
                            <DiffView diff=d staged=staged on_hunk=Callback::new(move |hunk| {
                                act.dispatch(FileAction::Hunk {
                                    path: path.clone(),
                                    hunk,
                                    unstage: staged,
                                    old_id: old_id.clone(),
                                    new_id: new_id.clone(),
                                });
                            })/>
                        }.into_any()
                    }
                }}
            </section>
        </div>
    }
}

/// The commit form: summary, description, amend; Ctrl/Cmd+Enter commits.
#[component]
fn CommitFormView(
    /// The fields.
    form: RwSignal<CommitForm>,
    /// Commit.
    on_commit: Callback<()>,
    /// Whether a commit is running.
    busy: Memo<bool>,
) -> impl IntoView {
    let shortcut = move |ev: leptos::ev::KeyboardEvent| {
        if (ev.ctrl_key() || ev.meta_key()) && ev.key() == "Enter" {
            ev.prevent_default();
            on_commit.run(());
        }
    };
    view! {
        <form novalidate class="commit-form" aria-label="Commit" on:submit=move |ev| { ev.prevent_default(); on_commit.run(()); }>
            <input
                data-testid="commit-summary"
                aria-label="Commit summary"
                placeholder="Summary (required)"
                prop:value=move || form.with(|f| f.summary.clone())
                on:input=move |ev| form.update(|f| f.summary = event_target_value(&ev))
                on:keydown=shortcut
            />
            <textarea
                data-testid="commit-description"
                aria-label="Commit description"
                placeholder="Description"
                prop:value=move || form.with(|f| f.description.clone())
                on:input=move |ev| form.update(|f| f.description = event_target_value(&ev))
                on:keydown=shortcut
            ></textarea>
            <label class="checkbox">
                <input type="checkbox" data-testid="commit-amend"
                    prop:checked=move || form.with(|f| f.amend)
                    on:change=move |ev| form.update(|f| f.amend = event_target_checked(&ev))/>
                "Amend the last commit"
            </label>
            <button type="submit" data-testid="commit-submit" disabled=move || busy.get()
                aria-keyshortcuts="Control+Enter" title="Commit (Ctrl+Enter)">"Commit"</button>
        </form>
    }
}
