//! The branches view: a switcher with search and recent branches, create (from any commit),
//! rename, delete (unmerged branches only after a second question), switch (explaining which
//! files block it, with "stash and switch"), publish with an upstream, delete a remote branch,
//! merge into the current branch, tags (create, delete, push), stashes (save, apply, pop,
//! drop) and "undo" of the last reset from the reflog.

use leptos::prelude::*;
use tabgit_engine::protocol::{
    BranchInfo, MergeResult, Op, PushSpec, ReflogEntry, Reply, ResetMode, StashEntry,
};

use crate::pages::repo::RepoCtx;
use crate::session::{go, ConfirmCtx, ErrorCtx};
use crate::state::branches::{
    blocking_files, check_ref_name, is_blocked_switch, is_unmerged_refusal, merge_words, recent,
    search, undo_target, SwitchCandidate,
};
use crate::state::error::UiError;
use crate::state::history::short_id;
use crate::state::route::{RepoView, Route};
use crate::state::sync::push_lines;
use crate::tasks::{unexpected, use_tasks, Tasks};

/// Everything the page lists, loaded together.
#[derive(Clone, Debug, Default)]
struct Lists {
    local: Vec<BranchInfo>,
    remote: Vec<BranchInfo>,
    tags: Vec<BranchInfo>,
    stashes: Vec<StashEntry>,
    reflog: Vec<ReflogEntry>,
}

/// What the user asked for.
#[derive(Clone, Debug)]
enum BranchAction {
    Switch(String),
    StashAndSwitch(String),
    Create {
        name: String,
        start: Option<String>,
        switch: bool,
    },
    Rename {
        from: String,
        to: String,
    },
    Delete {
        name: String,
        force: bool,
    },
    Publish(String),
    DeleteRemote(String),
    Merge(String),
    CreateTag {
        name: String,
        target: Option<String>,
        message: Option<String>,
    },
    DeleteTag(String),
    PushTag(String),
    StashSave(Option<String>),
    StashApply {
        index: usize,
        pop: bool,
    },
    StashDrop(usize),
    Undo(String),
}

/// The branches view.
#[component]
pub fn BranchesPage() -> impl IntoView {
    // -- signals --
    let repo = expect_context::<RepoCtx>();
    let tasks = use_tasks();
    let error = expect_context::<ErrorCtx>();
    let confirm = expect_context::<ConfirmCtx>();
    let query = RwSignal::new(String::new());
    let new_name = RwSignal::new(String::new());
    let new_start = RwSignal::new(String::new());
    let switch_to_new = RwSignal::new(true);
    let renaming = RwSignal::new(None::<String>);
    let rename_to = RwSignal::new(String::new());
    let merge_open = RwSignal::new(false);
    let merge_source = RwSignal::new(String::new());
    let tag_name = RwSignal::new(String::new());
    let tag_target = RwSignal::new(String::new());
    let tag_message = RwSignal::new(String::new());
    let stash_message = RwSignal::new(String::new());
    let result = RwSignal::new(Vec::<(bool, String)>::new());
    let blocked = RwSignal::new(None::<(String, Vec<String>)>);
    let lists = LocalResource::new(move || {
        repo.version.track();
        let name = repo.name.get();
        async move { load(tasks, name).await }
    });
    let current = Memo::new(move |_| {
        lists
            .get()
            .and_then(Result::ok)
            .and_then(|l| l.local.iter().find(|b| b.current).map(|b| b.name.clone()))
    });
    // -- actions --
    let act = Action::new_local(move |action: &BranchAction| {
        let (action, name) = (action.clone(), repo.name.get_untracked());
        result.set(Vec::new());
        async move {
            let outcome = run(tasks, &name, action.clone()).await;
            match outcome {
                Ok(lines) => {
                    blocked.set(None);
                    if let BranchAction::Merge(_) = action {
                        if lines.iter().any(|(ok, _)| !ok) {
                            repo.changed();
                            return go(&Route::Repo {
                                name,
                                view: RepoView::Merge,
                            });
                        }
                        merge_open.set(false);
                    }
                    result.set(lines);
                }
                Err(err) => match &action {
                    BranchAction::Switch(target)
                        if is_blocked_switch(&err.title) || is_blocked_switch(&err.detail) =>
                    {
                        let files = switch_blockers(tasks, &name, target).await;
                        blocked.set(Some((target.clone(), files)));
                    }
                    BranchAction::Delete {
                        name: branch,
                        force: false,
                    } if is_unmerged_refusal(&err.title) || is_unmerged_refusal(&err.detail) => {
                        let (branch, repo_name) = (branch.clone(), name.clone());
                        confirm.ask(
                            format!(
                                "{branch} has commits that are on no other branch. Deleting it \
                                 loses them (the reflog keeps them for a while). Delete anyway?"
                            ),
                            "Delete anyway",
                            move |()| {
                                let (branch, repo_name) = (branch.clone(), repo_name.clone());
                                leptos::task::spawn_local(async move {
                                    let force = BranchAction::Delete {
                                        name: branch,
                                        force: true,
                                    };
                                    match run(tasks, &repo_name, force).await {
                                        Ok(lines) => result.set(lines),
                                        Err(err) => error.show(err),
                                    }
                                    repo.changed();
                                });
                            },
                        );
                    }
                    _ => error.show(err),
                },
            }
            repo.changed();
        }
    });
    // A second dispatch from inside a confirmation (the action is `Copy`).
    let act_again = move |action: BranchAction| {
        act.dispatch(action);
    };
    let busy = act.pending();
    // -- view --
    let entry = move |b: BranchInfo, is_remote: bool| {
        let name = b.name.clone();
        let (n1, n2, n3, n4, n5, n6) = (
            name.clone(),
            name.clone(),
            name.clone(),
            name.clone(),
            name.clone(),
            name.clone(),
        );
        let is_renaming = move || renaming.get().as_deref() == Some(n6.as_str());
        view! {
            <li class="branch-row" data-testid="branch-entry" data-name=name.clone() data-current=b.current.to_string()>
                <span class="branch-name">{b.name.clone()}</span>
                {b.current.then(|| view! { <span class="badge">"current"</span> })}
                {b.upstream.clone().map(|u| view! { <span class="muted">{format!("tracks {u}")}</span> })}
                <code class="commit-id">{short_id(&b.id).to_owned()}</code>
                <span class="branch-actions">
                    {(!b.current).then(|| view! {
                        <button class="button-secondary" data-testid="branch-switch" disabled=move || busy.get()
                            on:click=move |_| { act.dispatch(BranchAction::Switch(n1.clone())); }>"Switch"</button>
                    })}
                    {(!is_remote).then(|| view! {
                        <button class="button-quiet" data-testid="branch-rename"
                            on:click=move |_| { rename_to.set(n2.clone()); renaming.set(Some(n2.clone())); }>"Rename"</button>
                        {b.upstream.is_none().then(|| view! {
                            <button class="button-secondary" data-testid="branch-push" disabled=move || busy.get()
                                title="Push this branch to origin and track it"
                                on:click=move |_| { act.dispatch(BranchAction::Publish(n3.clone())); }>"Publish"</button>
                        })}
                    })}
                    {(!b.current && !is_remote).then(|| view! {
                        <button class="button-danger" data-testid="branch-delete" disabled=move || busy.get()
                            on:click=move |_| { act.dispatch(BranchAction::Delete { name: n4.clone(), force: false }); }>"Delete"</button>
                    })}
                    {is_remote.then(|| view! {
                        <button class="button-danger" data-testid="branch-delete-remote" disabled=move || busy.get()
                            on:click=move |_| {
                                let target = n5.clone();
                                confirm.ask(format!("Delete the branch {target} on the remote, for everyone?"), "Delete on remote", move |()| {
                                    act_again(BranchAction::DeleteRemote(target.clone()));
                                });
                            }>"Delete on remote"</button>
                    })}
                </span>
                <Show when=is_renaming>
                    <form class="inline-form" on:submit=move |ev| {
                        ev.prevent_default();
                        let from = renaming.get_untracked().unwrap_or_default();
                        renaming.set(None);
                        act.dispatch(BranchAction::Rename { from, to: rename_to.get_untracked() });
                    }>
                        <input data-testid="branch-rename-to" aria-label="New name" prop:value=move || rename_to.get()
                            on:input=move |ev| rename_to.set(event_target_value(&ev))/>
                        <button type="submit" data-testid="branch-rename-save">"Rename"</button>
                        <button type="button" class="button-quiet" on:click=move |_| renaming.set(None)>"Cancel"</button>
                    </form>
                </Show>
            </li>
        }
    };
    let switcher = move || {
        lists.get().map(|res| match res {
            Err(err) => view! { <p class="status problem">{err.title}</p> }.into_any(),
            Ok(l) => {
                let q = query.get();
                let found: Vec<(BranchInfo, bool)> = search(&l.local, &l.remote, &q)
                    .into_iter()
                    .map(|b| (b.clone(), b.full_name.starts_with("refs/remotes/")))
                    .collect();
                let recent_names = recent(&l.reflog, current.get().as_deref(), 5);
                let undo = undo_target(&l.reflog);
                view! {
                    {(!recent_names.is_empty()).then(|| view! {
                        <p class="recent muted">"Recent: "
                            {recent_names.into_iter().map(|n| { let m = n.clone(); view! {
                                <button class="button-quiet" data-testid="branch-recent" on:click=move |_| { act.dispatch(BranchAction::Switch(m.clone())); }>{n}</button>
                            }}).collect_view()}
                        </p>
                    })}
                    {undo.map(|before| { let b = before.clone(); view! {
                        <p class="hint">{format!("The last change to HEAD was a reset (from {}). ", short_id(&before))}
                            <button class="button-secondary" data-testid="reset-undo" on:click=move |_| { act.dispatch(BranchAction::Undo(b.clone())); }>"Undo the reset"</button>
                        </p>
                    }})}
                    {if found.is_empty() {
                        view! { <p class="empty">"No branch matches."</p> }.into_any()
                    } else {
                        view! { <ul class="branch-list">{found.into_iter().map(|(b, r)| entry(b, r)).collect_view()}</ul> }.into_any()
                    }}
                }
                .into_any()
            }
        })
    };
    let tags = move || {
        lists.get().and_then(Result::ok).map(|l| {
            if l.tags.is_empty() {
                return view! { <p class="empty">"No tags."</p> }.into_any();
            }
            view! {
                <ul class="branch-list">
                    {l.tags.into_iter().map(|t| { let (a, b) = (t.name.clone(), t.name.clone()); view! {
                        <li class="branch-row" data-testid="tag-entry" data-name=t.name.clone()>
                            <span class="branch-name">{t.name.clone()}</span>
                            <code class="commit-id">{short_id(&t.id).to_owned()}</code>
                            <button class="button-secondary" data-testid="tag-push" on:click=move |_| { act.dispatch(BranchAction::PushTag(a.clone())); }>"Push"</button>
                            <button class="button-danger" data-testid="tag-delete" on:click=move |_| { act.dispatch(BranchAction::DeleteTag(b.clone())); }>"Delete"</button>
                        </li>
                    }}).collect_view()}
                </ul>
            }
            .into_any()
        })
    };
    let stashes = move || {
        lists.get().and_then(Result::ok).map(|l| {
            if l.stashes.is_empty() {
                return view! { <p class="empty" data-testid="stash-empty">"No stashes."</p> }.into_any();
            }
            view! {
                <ul class="branch-list">
                    {l.stashes.into_iter().map(|s| { let index = s.index; view! {
                        <li class="branch-row" data-testid="stash-entry" data-index=index.to_string()>
                            <span class="branch-name">{s.message}</span>
                            <code class="commit-id">{format!("stash@{{{index}}}")}</code>
                            <button class="button-secondary" data-testid="stash-apply" on:click=move |_| { act.dispatch(BranchAction::StashApply { index, pop: false }); }>"Apply"</button>
                            <button class="button-secondary" data-testid="stash-pop" on:click=move |_| { act.dispatch(BranchAction::StashApply { index, pop: true }); }>"Pop"</button>
                            <button class="button-danger" data-testid="stash-drop" on:click=move |_| {
                                confirm.ask(format!("Drop stash@{{{index}}}? Its changes are lost."), "Drop", move |()| { act_again(BranchAction::StashDrop(index)); });
                            }>"Drop"</button>
                        </li>
                    }}).collect_view()}
                </ul>
            }
            .into_any()
        })
    };
    let text_input = move |test_id: &'static str, label: &'static str, signal: RwSignal<String>| {
        view! {
            <label>{label}
                <input data-testid=test_id prop:value=move || signal.get() on:input=move |ev| signal.set(event_target_value(&ev))/>
            </label>
        }
    };
    let all_names = move || {
        lists.get().and_then(Result::ok).map(|l| {
            l.local
                .iter()
                .chain(&l.remote)
                .chain(&l.tags)
                .map(|b| view! { <option value=b.name.clone()></option> })
                .collect_view()
        })
    };
    view! {
        <section data-testid="branches" class="branches">
            <div class="panel" data-testid="branch-switcher">
                <div class="section-head">
                    <h3>"Branches"</h3>
                    <div class="toolbar">
                        <button class="button-secondary" data-testid="merge-open" on:click=move |_| merge_open.update(|o| *o = !*o)>"Merge into current…"</button>
                    </div>
                </div>
                <Show when=move || merge_open.get()>
                    <form class="inline-form merge-form" on:submit=move |ev| {
                        ev.prevent_default();
                        let source = merge_source.get_untracked().trim().to_owned();
                        if source.is_empty() {
                            return error.show(UiError::new("Choose a branch or commit to merge"));
                        }
                        act.dispatch(BranchAction::Merge(source));
                    }>
                        <label>{move || format!("Merge into {}", current.get().unwrap_or_else(|| "HEAD".into()))}
                            <input data-testid="merge-source" list="branch-names" placeholder="branch, tag or commit"
                                prop:value=move || merge_source.get() on:input=move |ev| merge_source.set(event_target_value(&ev))/>
                        </label>
                        <button type="submit" data-testid="merge-submit" disabled=move || busy.get()>"Merge"</button>
                    </form>
                </Show>
                <datalist id="branch-names">{all_names}</datalist>
                <input type="search" class="branch-search" data-testid="branch-search" placeholder="Find a branch"
                    aria-label="Find a branch" prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev))/>
                {switcher}
                {move || blocked.get().map(|(target, files)| { let t = target.clone(); view! {
                    <div class="panel warn" data-testid="switch-blocked">
                        <p>{format!("Switching to {target} would overwrite your uncommitted changes to:")}</p>
                        <ul>{files.into_iter().map(|f| view! { <li><code>{f}</code></li> }).collect_view()}</ul>
                        <p>"Commit them, or stash them and switch (the stash keeps them for later)."</p>
                        <button data-testid="stash-and-switch" on:click=move |_| { act.dispatch(BranchAction::StashAndSwitch(t.clone())); }>"Stash and switch"</button>
                    </div>
                }})}
                <form class="form-row create-branch" on:submit=move |ev| {
                    ev.prevent_default();
                    let start = new_start.get_untracked().trim().to_owned();
                    act.dispatch(BranchAction::Create {
                        name: new_name.get_untracked(),
                        start: (!start.is_empty()).then_some(start),
                        switch: switch_to_new.get_untracked(),
                    });
                    new_name.set(String::new());
                }>
                    {text_input("branch-create-name", "New branch", new_name)}
                    <label>"Starting at (branch, tag or commit; empty: HEAD)"
                        <input data-testid="branch-create-start" list="branch-names" prop:value=move || new_start.get()
                            on:input=move |ev| new_start.set(event_target_value(&ev))/>
                    </label>
                    <label class="checkbox"><input type="checkbox" data-testid="branch-create-switch" prop:checked=move || switch_to_new.get()
                        on:change=move |ev| switch_to_new.set(event_target_checked(&ev))/>"Switch to it"</label>
                    <div class="form-actions"><button type="submit" data-testid="branch-create" disabled=move || busy.get()>"Create branch"</button></div>
                </form>
            </div>
            <ul class="sync-result" data-testid="branch-result" aria-live="polite">
                {move || result.get().into_iter().map(|(ok, text)| view! {
                    <li class=if ok { "ok" } else { "failed" }>{text}</li>
                }).collect_view()}
            </ul>
            <div class="panel">
                <h3>"Tags"</h3>
                {tags}
                <form class="form-row" on:submit=move |ev| {
                    ev.prevent_default();
                    let (target, message) = (tag_target.get_untracked().trim().to_owned(), tag_message.get_untracked().trim().to_owned());
                    act.dispatch(BranchAction::CreateTag {
                        name: tag_name.get_untracked(),
                        target: (!target.is_empty()).then_some(target),
                        message: (!message.is_empty()).then_some(message),
                    });
                    tag_name.set(String::new());
                }>
                    {text_input("tag-name", "New tag", tag_name)}
                    {text_input("tag-target", "At (empty: HEAD)", tag_target)}
                    {text_input("tag-message", "Message (makes an annotated tag)", tag_message)}
                    <div class="form-actions"><button type="submit" data-testid="tag-create">"Create tag"</button></div>
                </form>
            </div>
            <div class="panel" data-testid="stash-list">
                <h3>"Stashes"</h3>
                {stashes}
                <form class="inline-form" on:submit=move |ev| {
                    ev.prevent_default();
                    let message = stash_message.get_untracked().trim().to_owned();
                    act.dispatch(BranchAction::StashSave((!message.is_empty()).then_some(message)));
                    stash_message.set(String::new());
                }>
                    <input data-testid="stash-message" placeholder="message (optional)" aria-label="Stash message"
                        prop:value=move || stash_message.get() on:input=move |ev| stash_message.set(event_target_value(&ev))/>
                    <button type="submit" data-testid="stash-save" disabled=move || busy.get()>"Stash changes"</button>
                </form>
            </div>
        </section>
    }
}

/// Load the branches, tags, stashes and HEAD's reflog.
async fn load(tasks: Tasks, name: String) -> Result<Lists, UiError> {
    let mut lists = Lists::default();
    match tasks.call(Op::Branches { repo: name.clone() }).await {
        Ok(Reply::Branches {
            local,
            remote,
            tags,
        }) => {
            lists.local = local;
            lists.remote = remote;
            lists.tags = tags;
        }
        Ok(other) => return Err(unexpected(&other)),
        Err(err) => return Err(err.context("Cannot list the branches")),
    }
    if let Ok(Reply::Stashes(stashes)) = tasks.call(Op::StashList { repo: name.clone() }).await {
        lists.stashes = stashes;
    }
    if let Ok(Reply::Reflog(reflog)) = tasks
        .call(Op::Reflog {
            repo: name,
            name: "HEAD".into(),
            count: 50,
        })
        .await
    {
        lists.reflog = reflog;
    }
    Ok(lists)
}

/// The files with local changes whose content differs between HEAD and `target`.
async fn switch_blockers(tasks: Tasks, name: &str, target: &str) -> Vec<String> {
    let Ok(Reply::Status(status)) = tasks
        .call(Op::Status {
            repo: name.to_owned(),
        })
        .await
    else {
        return Vec::new();
    };
    let mut candidates: Vec<SwitchCandidate> = Vec::new();
    for file in status.files.iter().take(200) {
        let at = |rev: &str| Op::FileAt {
            repo: name.to_owned(),
            rev: rev.to_owned(),
            path: file.path.clone(),
        };
        let here = match tasks.call(at("HEAD")).await {
            Ok(Reply::File(bytes)) => Some(bytes),
            _ => None,
        };
        let there = match tasks.call(at(target)).await {
            Ok(Reply::File(bytes)) => Some(bytes),
            _ => None,
        };
        candidates.push((file.path.clone(), here, there));
    }
    blocking_files(&candidates)
}

/// Run one action; `Ok` lines say what happened (a `false` line after a merge means conflicts).
async fn run(
    tasks: Tasks,
    name: &str,
    action: BranchAction,
) -> Result<Vec<(bool, String)>, UiError> {
    let repo = name.to_owned();
    let done = |text: String| Ok(vec![(true, text)]);
    match action {
        BranchAction::Switch(branch) => {
            tasks
                .call(Op::Switch {
                    repo,
                    branch: branch.clone(),
                    identity: tasks.reflog_identity(),
                })
                .await
                .map_err(|e| e.context(&format!("Cannot switch to {branch}")))?;
            done(format!("Switched to {branch}"))
        }
        BranchAction::StashAndSwitch(branch) => {
            let identity = tasks.commit_identity()?;
            tasks
                .call(Op::StashSave {
                    repo: repo.clone(),
                    message: None,
                    identity,
                })
                .await
                .map_err(|e| e.context("Cannot stash the changes"))?;
            tasks
                .call(Op::Switch {
                    repo,
                    branch: branch.clone(),
                    identity: tasks.reflog_identity(),
                })
                .await
                .map_err(|e| e.context(&format!("Cannot switch to {branch}")))?;
            done(format!(
                "Stashed your changes and switched to {branch}; apply the stash to get them back"
            ))
        }
        BranchAction::Create {
            name: new_name,
            start,
            switch,
        } => {
            let new_name = check_ref_name(&new_name).map_err(UiError::new)?;
            tasks
                .call(Op::CreateBranch {
                    repo,
                    name: new_name.clone(),
                    start: start.clone(),
                    switch,
                    identity: tasks.reflog_identity(),
                })
                .await
                .map_err(|e| e.context("Cannot create the branch"))?;
            done(format!(
                "Created {new_name} at {}{}",
                start.as_deref().unwrap_or("HEAD"),
                if switch { " and switched to it" } else { "" }
            ))
        }
        BranchAction::Rename { from, to } => {
            let to = check_ref_name(&to).map_err(UiError::new)?;
            tasks
                .call(Op::RenameBranch {
                    repo,
                    from: from.clone(),
                    to: to.clone(),
                    identity: tasks.reflog_identity(),
                })
                .await
                .map_err(|e| e.context("Cannot rename the branch"))?;
            done(format!("Renamed {from} to {to}"))
        }
        BranchAction::Delete {
            name: branch,
            force,
        } => {
            tasks
                .call(Op::DeleteBranch {
                    repo,
                    name: branch.clone(),
                    force,
                })
                .await
                .map_err(|e| e.context(&format!("Cannot delete {branch}")))?;
            done(format!("Deleted {branch}"))
        }
        BranchAction::Publish(branch) => {
            push(
                tasks,
                name,
                vec![PushSpec {
                    source: Some(branch.clone()),
                    destination: branch,
                    force: false,
                }],
                true,
            )
            .await
        }
        BranchAction::DeleteRemote(remote_branch) => {
            let short = remote_branch
                .split_once('/')
                .map_or(remote_branch.as_str(), |(_, b)| b)
                .to_owned();
            push(
                tasks,
                name,
                vec![PushSpec {
                    source: None,
                    destination: format!("refs/heads/{short}"),
                    force: false,
                }],
                false,
            )
            .await
        }
        BranchAction::Merge(source) => {
            let identity = tasks.commit_identity()?;
            match tasks
                .call(Op::Merge {
                    repo,
                    rev: source.clone(),
                    identity,
                })
                .await
                .map_err(|e| e.context(&format!("Cannot merge {source}")))?
            {
                Reply::Merged(outcome) => Ok(vec![(
                    !matches!(outcome, MergeResult::Conflicted { .. }),
                    merge_words(&outcome, &source),
                )]),
                other => Err(unexpected(&other)),
            }
        }
        BranchAction::CreateTag {
            name: tag,
            target,
            message,
        } => {
            let tag = check_ref_name(&tag).map_err(UiError::new)?;
            tasks
                .call(Op::CreateTag {
                    repo,
                    name: tag.clone(),
                    target,
                    message,
                    identity: tasks.commit_identity()?,
                })
                .await
                .map_err(|e| e.context("Cannot create the tag"))?;
            done(format!("Created the tag {tag}"))
        }
        BranchAction::DeleteTag(tag) => {
            tasks
                .call(Op::DeleteTag {
                    repo,
                    name: tag.clone(),
                })
                .await
                .map_err(|e| e.context("Cannot delete the tag"))?;
            done(format!(
                "Deleted the tag {tag} here (push does not delete it on the remote)"
            ))
        }
        BranchAction::PushTag(tag) => {
            push(
                tasks,
                name,
                vec![PushSpec {
                    source: Some(format!("refs/tags/{tag}")),
                    destination: format!("refs/tags/{tag}"),
                    force: false,
                }],
                false,
            )
            .await
        }
        BranchAction::StashSave(message) => {
            tasks
                .call(Op::StashSave {
                    repo,
                    message,
                    identity: tasks.commit_identity()?,
                })
                .await
                .map_err(|e| e.context("Cannot stash the changes"))?;
            done("Stashed your changes; the working tree is clean".into())
        }
        BranchAction::StashApply { index, pop } => {
            tasks
                .call(Op::StashApply { repo, index, pop })
                .await
                .map_err(|e| e.context("Cannot apply the stash"))?;
            done(if pop {
                format!("Applied and dropped stash@{{{index}}}")
            } else {
                format!("Applied stash@{{{index}}} (kept)")
            })
        }
        BranchAction::StashDrop(index) => {
            tasks
                .call(Op::StashDrop { repo, index })
                .await
                .map_err(|e| e.context("Cannot drop the stash"))?;
            done(format!("Dropped stash@{{{index}}}"))
        }
        BranchAction::Undo(before) => {
            tasks
                .call(Op::Reset {
                    repo,
                    rev: before.clone(),
                    mode: ResetMode::Mixed,
                    identity: tasks.reflog_identity(),
                })
                .await
                .map_err(|e| e.context("Cannot undo the reset"))?;
            done(format!("The branch is back at {}", short_id(&before)))
        }
    }
}

/// Push `refs` to origin; the outcome per ref in words.
async fn push(
    tasks: Tasks,
    name: &str,
    refs: Vec<PushSpec>,
    set_upstream: bool,
) -> Result<Vec<(bool, String)>, UiError> {
    let remote = tasks
        .repo_remote(name)
        .await
        .map_err(|e| e.context("Cannot reach the remote"))?;
    match tasks
        .call(Op::PushRefs {
            repo: name.to_owned(),
            remote,
            refs,
            set_upstream,
            identity: tasks.reflog_identity(),
        })
        .await
        .map_err(|e| e.context("Push failed"))?
    {
        Reply::Pushed { refs } => Ok(push_lines(&refs)
            .into_iter()
            .map(|l| (l.ok, l.text))
            .collect()),
        other => Err(unexpected(&other)),
    }
}
