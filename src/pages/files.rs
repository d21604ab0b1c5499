//! The files view: the tree, the open file, and creating, uploading and downloading files.

use std::collections::BTreeSet;

use leptos::prelude::*;
use tabgit_engine::protocol::{FileEntry, Op, Reply};

use crate::browser;
use crate::components::file_tree::FileTree;
use crate::components::file_view::FileView;
use crate::pages::repo::RepoCtx;
use crate::session::{go, ConfirmCtx, ErrorCtx};
use crate::state::files::{ancestors, check_new_path, rows};
use crate::state::route::{RepoView, Route};
use crate::state::zip;
use crate::tasks::{unexpected, use_tasks, Tasks};

/// The files view.
#[component]
pub fn FilesPage(
    /// The open file.
    #[prop(into)]
    path: Signal<Option<Vec<u8>>>,
) -> impl IntoView {
    // -- signals --
    let repo = expect_context::<RepoCtx>();
    let tasks = use_tasks();
    let error = expect_context::<ErrorCtx>();
    let confirm = expect_context::<ConfirmCtx>();
    let open = RwSignal::new(BTreeSet::<Vec<u8>>::new());
    let new_file = RwSignal::new(None::<String>);
    let dragging = RwSignal::new(false);
    let files = LocalResource::new(move || {
        repo.version.track();
        let name = repo.name.get();
        async move {
            match tasks.call(Op::ListFiles { repo: name }).await {
                Ok(Reply::Files(files)) => Ok(files),
                Ok(other) => Err(unexpected(&other)),
                Err(err) => Err(err.context("Cannot list the files")),
            }
        }
    });
    let listed = move || files.get().and_then(Result::ok).unwrap_or_default();
    let tree_rows = Signal::derive(move || {
        let statuses = repo
            .status
            .get()
            .and_then(Result::ok)
            .map(|s| s.files)
            .unwrap_or_default();
        let mut unfolded = open.get();
        if let Some(p) = path.get() {
            unfolded.extend(ancestors(&p));
        }
        rows(&listed(), &statuses, &unfolded)
    });
    // The folder uploads and new files go to: the open file's folder.
    let folder = move || {
        path.get_untracked()
            .and_then(|p| p.iter().rposition(|b| *b == b'/').map(|i| p[..i].to_vec()))
    };
    // -- actions --
    let create = Action::new_local(move |typed: &String| {
        let (typed, name) = (typed.clone(), repo.name.get_untracked());
        async move {
            let path = match check_new_path(&typed) {
                Ok(path) => path,
                Err(message) => return error.show(message.into()),
            };
            match tasks
                .call(Op::WriteFile {
                    repo: name.clone(),
                    path: path.clone(),
                    data: Vec::new(),
                    executable: false,
                })
                .await
            {
                Ok(_) => {
                    new_file.set(None);
                    repo.changed();
                    go(&Route::Repo {
                        name,
                        view: RepoView::Files { path: Some(path) },
                    });
                }
                Err(err) => error.show(err.context("Cannot create the file")),
            }
        }
    });
    let upload = Action::new_local(move |picked: &SendFiles| {
        let picked = picked.0.clone();
        let (name, folder) = (repo.name.get_untracked(), folder());
        async move {
            for file in picked {
                let mut path = folder
                    .clone()
                    .map(|mut f| {
                        f.push(b'/');
                        f
                    })
                    .unwrap_or_default();
                path.extend_from_slice(file.name().as_bytes());
                let result = match browser::read_file(&file).await {
                    Ok(data) => tasks
                        .call(Op::WriteFile {
                            repo: name.clone(),
                            path,
                            data,
                            executable: false,
                        })
                        .await
                        .map(|_| ()),
                    Err(message) => Err(message.into()),
                };
                if let Err(err) = result {
                    error.show(err.context(&format!("Cannot upload {}", file.name())));
                    break;
                }
            }
            repo.changed();
        }
    });
    let download_all = Action::new_local(move |(): &()| {
        let name = repo.name.get_untracked();
        let entries = listed();
        async move {
            if let Err(err) = download_zip(tasks, &name, &entries).await {
                error.show(err);
            }
        }
    });
    // Paths that cannot be extracted everywhere are named first, and the user decides.
    let download = move || {
        let entries = listed();
        let problems = zip::portability_problems(
            entries
                .iter()
                .filter(|e| e.kind != "directory")
                .map(|e| e.path.as_slice()),
        );
        if problems.is_empty() {
            download_all.dispatch(());
            return;
        }
        let shown = problems.len().min(10);
        let mut message = format!(
            "{} path(s) in this archive cannot be extracted on every system:\n{}",
            problems.len(),
            problems[..shown].join("\n")
        );
        if problems.len() > shown {
            message.push_str(&format!("\n… and {} more", problems.len() - shown));
        }
        message.push_str("\nDownload anyway? The files are written as they are in the repository.");
        confirm.ask(message, "Download anyway", move |()| {
            download_all.dispatch(());
        });
    };
    let delete_folder = Callback::new(move |folder: Vec<u8>| {
        let mut prefix = folder.clone();
        prefix.push(b'/');
        let inside: Vec<Vec<u8>> = listed()
            .into_iter()
            .map(|f| f.path)
            .filter(|p| p.starts_with(&prefix))
            .collect();
        let label = String::from_utf8_lossy(&folder).into_owned();
        confirm.ask(
            format!("Delete the folder {label} and its {} files?", inside.len()),
            "Delete folder",
            move |()| {
                let (inside, name) = (inside.clone(), repo.name.get_untracked());
                leptos::task::spawn_local(async move {
                    for path in inside {
                        if let Err(err) = tasks
                            .call(Op::DeleteFile {
                                repo: name.clone(),
                                path,
                            })
                            .await
                        {
                            error.show(err.context("Cannot delete the folder"));
                            break;
                        }
                    }
                    repo.changed();
                });
            },
        );
    });
    let executable = move |p: &[u8]| {
        listed()
            .iter()
            .any(|f| f.path == p && f.kind == "executable")
    };
    view! {
        <div class="files-layout">
            <aside
                class=move || if dragging.get() { "files-side dropping" } else { "files-side" }
                on:dragover=move |ev: leptos::ev::DragEvent| { ev.prevent_default(); dragging.set(true); }
                on:dragleave=move |_| dragging.set(false)
                on:drop=move |ev: leptos::ev::DragEvent| {
                    ev.prevent_default();
                    dragging.set(false);
                    let files = browser::files_of(ev.data_transfer().and_then(|d| d.files()));
                    if !files.is_empty() { upload.dispatch_local(SendFiles(files)); }
                }
            >
                <div class="toolbar">
                    <button class="button-secondary" data-testid="file-new" on:click=move |_| new_file.set(Some(String::new()))>"New file"</button>
                    <label class="button button-secondary" data-testid="file-upload-label">
                        "Upload"
                        <input type="file" multiple class="visually-hidden" data-testid="file-upload"
                            on:change=move |ev| {
                                let input = event_target::<web_sys::HtmlInputElement>(&ev);
                                let files = browser::files_of(input.files());
                                input.set_value("");
                                if !files.is_empty() { upload.dispatch_local(SendFiles(files)); }
                            }/>
                    </label>
                    <button class="button-secondary" data-testid="download-zip" disabled=move || download_all.pending().get()
                        on:click=move |_| download()>"Download .zip"</button>
                </div>
                {move || new_file.get().map(|value| view! {
                    <form novalidate class="new-file" on:submit=move |ev| { ev.prevent_default(); create.dispatch(new_file.get_untracked().unwrap_or_default()); }>
                        <input aria-label="New file path (folders are created as needed)" placeholder="folder/name.txt"
                            data-testid="file-new-path" autofocus prop:value=value
                            on:input=move |ev| new_file.set(Some(event_target_value(&ev)))/>
                        <button type="submit" data-testid="file-new-create">"Create"</button>
                        <button type="button" class="button-secondary" on:click=move |_| new_file.set(None)>"Cancel"</button>
                    </form>
                })}
                <FileTree repo=repo.name rows=tree_rows selected=path open=open on_delete_folder=delete_folder/>
                <p class="hint">"Drop files here to upload them."</p>
            </aside>
            <div class="files-main">
                {move || match path.get() {
                    Some(p) => {
                        // Untracked: a reload of the file list must not recreate the editor
                        // (and lose what is typed in it).
                        let exec = untrack(|| executable(&p));
                        view! { <FileView path=p executable=exec/> }.into_any()
                    }
                    None => view! { <p class="empty">"Choose a file to view or edit it."</p> }.into_any(),
                }}
            </div>
        </div>
    }
}

/// Picked files, for an action (browser objects stay on this thread).
#[derive(Clone)]
struct SendFiles(Vec<web_sys::File>);

/// Read every file and offer them as `<repo>.zip`.
async fn download_zip(
    tasks: Tasks,
    name: &str,
    entries: &[FileEntry],
) -> Result<(), crate::state::error::UiError> {
    let mut files = Vec::new();
    for entry in entries.iter().filter(|e| e.kind != "directory") {
        match tasks
            .call(Op::ReadFile {
                repo: name.to_owned(),
                path: entry.path.clone(),
            })
            .await?
        {
            Reply::File(bytes) => files.push((entry.path.clone(), bytes)),
            other => return Err(unexpected(&other)),
        }
    }
    let archive = zip::write(&files)?;
    browser::download(&archive, &format!("{name}.zip"), "application/zip")?;
    Ok(())
}
