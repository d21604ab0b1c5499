//! A merge (or revert, or pull) stopped with conflicts: the conflicted files, each with its
//! three versions hunk by hunk, ours or theirs per hunk or per file, an editor for the result,
//! "mark resolved", and at the end "conclude" (the merge commit) or "abort" (everything back as
//! it was before the merge).

use leptos::prelude::*;
use tabgit_engine::protocol::{ConflictHunk, Op, Reply, Resolution};

use crate::pages::repo::RepoCtx;
use crate::session::{go, ConfirmCtx, ErrorCtx};
use crate::state::conflict::{conflicted_paths, markers_left, Pick, Resolver};
use crate::state::route::{RepoView, Route};
use crate::tasks::{unexpected, use_tasks};

/// The merge page.
#[component]
pub fn MergePage() -> impl IntoView {
    // -- signals --
    let repo = expect_context::<RepoCtx>();
    let tasks = use_tasks();
    let error = expect_context::<ErrorCtx>();
    let confirm = expect_context::<ConfirmCtx>();
    let selected = RwSignal::new(None::<Vec<u8>>);
    let resolver = RwSignal::new(None::<Resolver>);
    let text = RwSignal::new(String::new());
    let resolved = RwSignal::new(Vec::<String>::new());
    let state = Memo::new(move |_| {
        repo.status
            .get()
            .and_then(Result::ok)
            .map(|s| (s.merging, conflicted_paths(&s)))
    });
    // Select the first conflicted file when nothing (or a resolved file) is selected.
    Effect::new(move |_| {
        let Some((_, paths)) = state.get() else {
            return;
        };
        let sel = selected.get_untracked();
        if sel.as_ref().is_none_or(|s| !paths.contains(s)) {
            selected.set(paths.first().cloned());
        }
    });
    let conflict = LocalResource::new(move || {
        let (name, path) = (repo.name.get(), selected.get());
        async move {
            let path = path?;
            Some(match tasks.call(Op::Conflict { repo: name, path }).await {
                Ok(Reply::Conflict(info)) => Ok(info),
                Ok(other) => Err(unexpected(&other)),
                Err(err) => Err(err.context("Cannot read the conflict")),
            })
        }
    });
    Effect::new(move |_| match conflict.get().flatten() {
        Some(Ok(info)) => {
            let r = Resolver::new(info);
            text.set(r.initial_text());
            resolver.set(Some(r));
        }
        Some(Err(err)) => {
            resolver.set(None);
            error.show(err);
        }
        None => resolver.set(None),
    });
    // -- actions --
    let resolve = Action::new_local(move |(path, how): &(Vec<u8>, Resolution)| {
        let (name, path, how) = (repo.name.get_untracked(), path.clone(), how.clone());
        async move {
            match tasks
                .call(Op::Resolve {
                    repo: name,
                    path: path.clone(),
                    resolution: how,
                })
                .await
            {
                Ok(_) => {
                    resolved.update(|r| r.push(String::from_utf8_lossy(&path).into_owned()));
                    selected.set(None);
                    repo.changed();
                }
                Err(err) => error.show(err.context("Cannot resolve the file")),
            }
        }
    });
    let conclude = Action::new_local(move |(): &()| {
        let name = repo.name.get_untracked();
        async move {
            let identity = match tasks.commit_identity() {
                Ok(identity) => identity,
                Err(err) => return error.show(err),
            };
            match tasks
                .call(Op::ContinueMerge {
                    repo: name.clone(),
                    identity,
                })
                .await
            {
                Ok(reply) => {
                    repo.changed();
                    let id = match reply {
                        Reply::Committed { id } => Some(id),
                        Reply::Merged(tabgit_engine::protocol::MergeResult::Committed { id }) => {
                            Some(id)
                        }
                        _ => None,
                    };
                    go(&Route::Repo {
                        name,
                        view: id.map_or(RepoView::History { path: None }, |id| RepoView::Commit {
                            id,
                        }),
                    });
                }
                Err(err) => error.show(err.context("Cannot conclude the merge")),
            }
        }
    });
    let abort = Action::new_local(move |(): &()| {
        let name = repo.name.get_untracked();
        async move {
            match tasks
                .call(Op::AbortMerge {
                    repo: name.clone(),
                    identity: tasks.reflog_identity(),
                })
                .await
            {
                Ok(_) => {
                    repo.changed();
                    go(&Route::Repo {
                        name,
                        view: RepoView::Branches,
                    });
                }
                Err(err) => error.show(err.context("Cannot abort the merge")),
            }
        }
    });
    let mark_resolved = move |_| {
        let Some(path) = selected.get_untracked() else {
            return;
        };
        let content = text.get_untracked();
        let left = markers_left(&content);
        if left > 0 {
            confirm.ask(
                format!(
                    "The result still has {left} conflict {} (<<<<<<< … >>>>>>>). Mark it resolved anyway?",
                    if left == 1 { "marker" } else { "markers" }
                ),
                "Mark resolved",
                move |()| {
                    resolve.dispatch((path.clone(), Resolution::Content(content.clone().into_bytes())));
                },
            );
        } else {
            resolve.dispatch((path, Resolution::Content(content.into_bytes())));
        }
    };
    let take = move |how: Resolution| {
        move |_| {
            if let Some(path) = selected.get_untracked() {
                resolve.dispatch((path, how.clone()));
            }
        }
    };
    // -- view --
    let list = move || {
        state.get().map(|(merging, paths)| {
            if !merging && paths.is_empty() {
                return view! {
                    <p class="empty-state" data-testid="merge-none">"No merge in progress. Merge a branch from the Branches view."</p>
                }
                .into_any();
            }
            view! {
                <p data-testid="merge-state">{if paths.is_empty() {
                    "Every conflict is resolved: conclude the merge to commit it.".to_owned()
                } else {
                    format!("{} {} still in conflict.", paths.len(), if paths.len() == 1 { "file is" } else { "files are" })
                }}</p>
                <ul class="change-list" data-testid="conflict-list">
                    {paths.into_iter().map(|p| {
                        let label = String::from_utf8_lossy(&p).into_owned();
                        let (p1, p2, shown) = (p.clone(), p.clone(), label.clone());
                        view! {
                            <li class="change-entry" data-testid="conflict-entry" data-path=label.clone()
                                aria-current=move || (selected.get().as_ref() == Some(&p1)).then_some("true")>
                                <span class="marker marker-conflicted">"C"</span>
                                <button class="change-name" on:click=move |_| selected.set(Some(p2.clone()))>{shown}</button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                {move || {
                    let done = resolved.get();
                    (!done.is_empty()).then(|| view! {
                        <p class="muted" data-testid="conflict-resolved">{format!("Resolved: {}", done.join(", "))}</p>
                    })
                }}
                <div class="form-actions merge-actions">
                    <button class="button-danger" data-testid="merge-abort" on:click=move |_| {
                        confirm.ask("Abort the merge? Every file goes back to how it was before the merge started; your resolutions are lost.", "Abort merge", move |()| { abort.dispatch(()); });
                    }>"Abort merge"</button>
                    <button data-testid="merge-conclude" disabled=move || conclude.pending().get() || state.get().is_some_and(|(_, p)| !p.is_empty())
                        on:click=move |_| { conclude.dispatch(()); }>"Conclude merge"</button>
                </div>
            }
            .into_any()
        })
    };
    let hunk_view = move |index: usize,
                          hunk: ConflictHunk,
                          ours_label: String,
                          theirs_label: String| {
        match hunk {
            ConflictHunk::Clean(_) => ().into_any(),
            ConflictHunk::Conflict { base, ours, theirs } => {
                let pick = move |p: Pick| {
                    move |_| {
                        let mut r = resolver.get_untracked();
                        if let Some(r) = r.as_mut() {
                            text.set(r.pick(index, p));
                        }
                        resolver.set(r);
                    }
                };
                let picked =
                    move || resolver.with(|r| r.as_ref().and_then(|r| r.picks.get(index).copied()));
                view! {
                    <div class="conflict-hunk" data-testid="conflict-hunk">
                        <div class="three-way">
                            <div><h5>{format!("Ours ({ours_label})")}</h5><pre class="line-del">{ours}</pre></div>
                            <div><h5>"Base"</h5><pre>{base}</pre></div>
                            <div><h5>{format!("Theirs ({theirs_label})")}</h5><pre class="line-add">{theirs}</pre></div>
                        </div>
                        <div class="toolbar">
                            <button class="button-secondary" data-testid="conflict-hunk-ours" aria-pressed=move || (picked() == Some(Pick::Ours)).to_string() on:click=pick(Pick::Ours)>"Take ours"</button>
                            <button class="button-secondary" data-testid="conflict-hunk-theirs" aria-pressed=move || (picked() == Some(Pick::Theirs)).to_string() on:click=pick(Pick::Theirs)>"Take theirs"</button>
                            <button class="button-secondary" data-testid="conflict-hunk-both" aria-pressed=move || (picked() == Some(Pick::Both)).to_string() on:click=pick(Pick::Both)>"Both"</button>
                            <button class="button-quiet" data-testid="conflict-hunk-base" on:click=pick(Pick::Base)>"Base"</button>
                        </div>
                    </div>
                }
                .into_any()
            }
        }
    };
    let file = move || {
        resolver.get().map(|r| {
            let info = r.info.clone();
            let path = String::from_utf8_lossy(&info.path).into_owned();
            let (ours_label, theirs_label) = (info.ours_label.clone(), info.theirs_label.clone());
            let shown = path.clone();
            view! {
                <div class="conflict-file" data-testid="conflict-file" data-path=path.clone()>
                    <div class="file-head">
                        <h3 class="file-path">{shown}</h3>
                        <div class="toolbar">
                            <button class="button-secondary" data-testid="conflict-take-ours" on:click=take(Resolution::Ours)>{format!("Take ours ({ours_label})")}</button>
                            <button class="button-secondary" data-testid="conflict-take-theirs" on:click=take(Resolution::Theirs)>{format!("Take theirs ({theirs_label})")}</button>
                            {r.deletion().is_some().then(|| view! {
                                <button class="button-danger" data-testid="conflict-delete" on:click=take(Resolution::Delete)>"Delete the file"</button>
                            })}
                        </div>
                    </div>
                    {r.deletion().map(|words| view! { <p class="hint" data-testid="conflict-deletion">{words}</p> })}
                    {info.binary.then(|| view! { <p class="hint">"A binary file: take one side."</p> })}
                    {r.textual().then(|| view! {
                        <p class="hint">{format!("{} conflicting {}: pick a side for each, or edit the result below.", r.conflicts(), if r.conflicts() == 1 { "part" } else { "parts" })}</p>
                        {info.hunks.iter().cloned().enumerate().map(|(i, h)| hunk_view(i, h, ours_label.clone(), theirs_label.clone())).collect_view()}
                    })}
                    {(!info.binary).then(|| view! {
                        <label>"Result"
                            <textarea class="conflict-editor" data-testid="conflict-editor" spellcheck="false"
                                prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                        </label>
                        <p class="hint" data-testid="conflict-markers">{move || match markers_left(&text.get()) {
                            0 => "No conflict markers left.".to_owned(),
                            n => format!("{n} conflict {} left.", if n == 1 { "marker" } else { "markers" }),
                        }}</p>
                        <div class="form-actions">
                            <button data-testid="conflict-mark-resolved" disabled=move || resolve.pending().get() on:click=mark_resolved>"Mark resolved"</button>
                        </div>
                    })}
                </div>
            }
        })
    };
    view! {
        <section class="merge-page" data-testid="merge-page">
            <div class="changes-layout">
                <div class="changes-side">{list}</div>
                <div class="changes-main">{file}</div>
            </div>
            <p class="hint">{move || state.get().filter(|(m, _)| *m).map(|_| format!("Merging into {}.", repo.status.get().and_then(Result::ok).and_then(|s| s.branch).unwrap_or_else(|| "HEAD".to_owned())))}</p>
        </section>
    }
}
