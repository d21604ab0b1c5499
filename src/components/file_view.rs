//! One file of the working tree: a text editor with line numbers (text only, never HTML), an
//! image from a `blob:` URL, or a note for binary, non-UTF-8 and very large files; rename,
//! delete and download.

use leptos::prelude::*;
use tabgit_engine::protocol::{Op, Reply};

use crate::browser;
use crate::pages::repo::RepoCtx;
use crate::session::{go, ConfirmCtx, ErrorCtx, UnsavedCtx};
use crate::state::editor::{describe, Document, TextDoc};
use crate::state::files::check_new_path;
use crate::state::repos::format_bytes;
use crate::state::route::{RepoView, Route};
use crate::tasks::{unexpected, use_tasks};

/// The file view.
#[component]
pub fn FileView(
    /// The repository path of the file.
    path: Vec<u8>,
    /// Whether it is executable (kept when saving).
    executable: bool,
) -> impl IntoView {
    // -- signals --
    let repo = expect_context::<RepoCtx>();
    let tasks = use_tasks();
    let error = expect_context::<ErrorCtx>();
    let confirm = expect_context::<ConfirmCtx>();
    let unsaved = expect_context::<UnsavedCtx>();
    let display = String::from_utf8_lossy(&path).into_owned();
    let file_name = display.rsplit('/').next().unwrap_or(&display).to_owned();
    let draft = RwSignal::new(None::<String>);
    let saved_note = RwSignal::new(String::new());
    let renaming = RwSignal::new(None::<String>);
    let file = LocalResource::new({
        let path = path.clone();
        move || {
            repo.version.track();
            let (name, path) = (repo.name.get(), path.clone());
            async move {
                match tasks
                    .call(Op::ReadFile {
                        repo: name,
                        path: path.clone(),
                    })
                    .await
                {
                    Ok(Reply::File(bytes)) => {
                        Ok((Document::from_bytes(&path, bytes.clone()), bytes))
                    }
                    Ok(other) => Err(unexpected(&other)),
                    Err(err) => Err(err.context("Cannot open the file")),
                }
            }
        }
    });
    let text_doc = move || {
        file.get()
            .and_then(Result::ok)
            .and_then(|(doc, _)| match doc {
                Document::Text(t) => Some(t),
                _ => None,
            })
    };
    let dirty = Memo::new(move |_| match (draft.get(), text_doc()) {
        (Some(d), Some(doc)) => doc.encode(&d) != doc.encode(&doc.text),
        _ => false,
    });
    Effect::new(move |_| unsaved.editor_dirty.set(dirty.get()));
    on_cleanup(move || unsaved.editor_dirty.set(false));
    // -- actions --
    let save = Action::new_local({
        let path = path.clone();
        move |(): &()| {
            let (path, name) = (path.clone(), repo.name.get_untracked());
            // Saving an unedited file writes its original bytes back (a no-op by design).
            let bytes = text_doc()
                .map(|doc| doc.encode(&draft.get_untracked().unwrap_or_else(|| doc.text.clone())));
            async move {
                let Some(data) = bytes else { return };
                match tasks
                    .call(Op::WriteFile {
                        repo: name,
                        path,
                        data,
                        executable,
                    })
                    .await
                {
                    Ok(_) => {
                        draft.set(None);
                        saved_note.set("Saved".into());
                        repo.changed();
                    }
                    Err(err) => {
                        error.show(err.context("Cannot save the file (your text is still here)"));
                    }
                }
            }
        }
    });
    let rename = Action::new_local({
        let path = path.clone();
        move |new_path: &String| {
            let (old, name, new_path) = (path.clone(), repo.name.get_untracked(), new_path.clone());
            let bytes = file.get_untracked().and_then(Result::ok).map(|(_, b)| b);
            async move {
                let new = match check_new_path(&new_path) {
                    Ok(p) => p,
                    Err(message) => return error.show(message.into()),
                };
                let Some(data) = bytes else { return };
                let written = tasks
                    .call(Op::WriteFile {
                        repo: name.clone(),
                        path: new.clone(),
                        data,
                        executable,
                    })
                    .await;
                let removed = match written {
                    Ok(_) => {
                        tasks
                            .call(Op::DeleteFile {
                                repo: name.clone(),
                                path: old,
                            })
                            .await
                    }
                    Err(err) => Err(err),
                };
                match removed {
                    Ok(_) => {
                        renaming.set(None);
                        repo.changed();
                        go(&Route::Repo {
                            name,
                            view: RepoView::Files { path: Some(new) },
                        });
                    }
                    Err(err) => error.show(err.context("Cannot rename the file")),
                }
            }
        }
    });
    let delete = {
        let display = display.clone();
        move |_| {
            let path = path.clone();
            confirm.ask(format!("Delete {display}?"), "Delete file", move |()| {
                let (path, name) = (path.clone(), repo.name.get_untracked());
                leptos::task::spawn_local(async move {
                    match tasks
                        .call(Op::DeleteFile {
                            repo: name.clone(),
                            path,
                        })
                        .await
                    {
                        Ok(_) => {
                            repo.changed();
                            go(&Route::Repo {
                                name,
                                view: RepoView::Files { path: None },
                            });
                        }
                        Err(err) => error.show(err.context("Cannot delete the file")),
                    }
                });
            });
        }
    };
    let download = {
        let file_name = file_name.clone();
        move |_| {
            if let Some(Ok((_, bytes))) = file.get_untracked() {
                if let Err(message) =
                    browser::download(&bytes, &file_name, "application/octet-stream")
                {
                    error.show(message.into());
                }
            }
        }
    };
    let body = move || {
        file.get().map(|result| match result {
            Err(err) => view! { <p class="status problem">{err.title}</p> }.into_any(),
            Ok((Document::Text(doc), _)) => view! {
                <TextEditor doc=doc draft=draft on_save=Callback::new(move |()| { save.dispatch(()); })/>
            }.into_any(),
            Ok((Document::Image { mime, size }, bytes)) => view! { <ImagePreview bytes=bytes mime=mime size=size/> }.into_any(),
            Ok((Document::NotUtf8 { preview }, _)) => view! {
                <p class="hint" data-testid="file-note">"This file is not valid UTF-8: shown read-only so it cannot be damaged."</p>
                <pre class="readonly" data-testid="file-readonly">{preview}</pre>
            }.into_any(),
            Ok((Document::Binary { size }, _)) => view! {
                <p class="hint" data-testid="file-note">{format!("Binary file, {}: download it to open it.", format_bytes(size as u64))}</p>
            }.into_any(),
            Ok((Document::TooLarge { size }, _)) => view! {
                <p class="hint" data-testid="file-note">{format!("This file is {}: too large to edit here; download it instead.", format_bytes(size as u64))}</p>
            }.into_any(),
        })
    };
    view! {
        <section class="file-view" aria-label=display.clone()>
            <div class="file-head">
                {let heading = display.clone(); move || match renaming.get() {
                    None => view! { <h3 class="file-path" data-testid="file-path">{heading.clone()}</h3> }.into_any(),
                    Some(new) => view! {
                        <form novalidate class="rename" on:submit=move |ev| { ev.prevent_default(); rename.dispatch(renaming.get_untracked().unwrap_or_default()); }>
                            <input aria-label="New path" data-testid="rename-input" autofocus prop:value=new
                                on:input=move |ev| renaming.set(Some(event_target_value(&ev)))/>
                            <button type="submit">"Rename"</button>
                            <button type="button" class="button-secondary" on:click=move |_| renaming.set(None)>"Cancel"</button>
                        </form>
                    }.into_any(),
                }}
                <div class="file-actions">
                    <span class="status" role="status" data-testid="editor-status">
                        {move || if dirty.get() { "Unsaved changes".to_owned() } else { saved_note.get() }}
                    </span>
                    <Show when=move || text_doc().is_some()>
                        <button data-testid="editor-save" disabled=move || !dirty.get() || save.pending().get()
                            aria-keyshortcuts="Control+S" title="Save (Ctrl+S)" on:click=move |_| { save.dispatch(()); }>"Save"</button>
                    </Show>
                    <button class="button-secondary" data-testid="file-rename" on:click={
                        let display = display.clone();
                        move |_| renaming.set(Some(display.clone()))
                    }>"Rename"</button>
                    <button class="button-secondary" data-testid="file-download" on:click=download>"Download"</button>
                    <button class="button-danger" data-testid="file-delete" on:click=delete>"Delete"</button>
                </div>
            </div>
            {body}
        </section>
    }
}

/// The text editor: line numbers beside a plain textarea, Ctrl/Cmd+S saves.
#[component]
fn TextEditor(
    /// The file as loaded.
    doc: TextDoc,
    /// The edited text (`None` while unedited).
    draft: RwSignal<Option<String>>,
    /// Save.
    on_save: Callback<()>,
) -> impl IntoView {
    let gutter = NodeRef::<leptos::html::Pre>::new();
    let info = describe(&doc);
    let original = doc.text.clone();
    let text = move || draft.get().unwrap_or_else(|| original.clone());
    let lines = {
        let text = text.clone();
        move || TextDoc::gutter(&text())
    };
    view! {
        <div class="editor">
            <pre class="gutter" aria-hidden="true" node_ref=gutter>{lines}</pre>
            <textarea
                data-testid="editor"
                aria-label="File contents"
                spellcheck="false"
                autocomplete="off"
                wrap="off"
                prop:value=text
                on:input=move |ev| draft.set(Some(event_target_value(&ev)))
                on:scroll=move |ev| {
                    if let Some(pre) = gutter.get() {
                        pre.set_scroll_top(event_target::<web_sys::HtmlTextAreaElement>(&ev).scroll_top());
                    }
                }
                on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                    if (ev.ctrl_key() || ev.meta_key()) && ev.key().eq_ignore_ascii_case("s") {
                        ev.prevent_default();
                        on_save.run(());
                    }
                }
            ></textarea>
        </div>
        <p class="hint editor-info" data-testid="editor-info">{info}</p>
    }
}

/// An image from a `blob:` URL (released when the view goes away).
// Leptos components take their props by value.
#[allow(clippy::needless_pass_by_value)]
#[component]
pub fn ImagePreview(
    /// The image bytes.
    bytes: Vec<u8>,
    /// Its MIME type.
    mime: &'static str,
    /// Its size.
    size: usize,
) -> impl IntoView {
    let url = browser::blob_url(&bytes, mime);
    let release = url.clone();
    on_cleanup(move || {
        if let Some(url) = &release {
            browser::revoke_blob_url(url);
        }
    });
    view! {
        <figure class="image-preview">
            {url.map(|src| view! { <img src=src alt="Image preview" data-testid="image-preview"/> })}
            <figcaption class="hint">{format!("{mime}, {}", format_bytes(size as u64))}</figcaption>
        </figure>
    }
}
