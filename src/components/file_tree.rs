//! The working tree as an indented, foldable list with change markers.

use std::collections::BTreeSet;

use leptos::prelude::*;

use crate::state::files::{status_letter, TreeRow};
use crate::state::route::{RepoView, Route};

/// The file tree.
#[component]
pub fn FileTree(
    /// The repository's local name.
    #[prop(into)]
    repo: Signal<String>,
    /// The rows to show.
    #[prop(into)]
    rows: Signal<Vec<TreeRow>>,
    /// The open file.
    #[prop(into)]
    selected: Signal<Option<Vec<u8>>>,
    /// Folders the user unfolded.
    open: RwSignal<BTreeSet<Vec<u8>>>,
    /// Delete a folder and everything in it.
    on_delete_folder: Callback<Vec<u8>>,
) -> impl IntoView {
    view! {
        <ul class="file-tree" role="tree" aria-label="Files" data-testid="file-tree">
            <For each=move || rows.get() key=|row| (row.path.clone(), row.open, row.status) let:row>
                {
                    let path = row.path.clone();
                    let display_path = String::from_utf8_lossy(&row.path).into_owned();
                    let indent = format!("depth-{}", row.depth.min(12));
                    let letter = status_letter(row.status);
                    if row.is_dir {
                        let toggle_path = path.clone();
                        let label = format!("{} {}", if row.open { "▾" } else { "▸" }, row.label);
                        let delete_label = format!("Delete the folder {display_path}");
                        view! {
                            <li role="treeitem" aria-expanded=row.open.to_string() class=format!("tree-row tree-dir {indent}")
                                data-testid="file-entry" data-path=display_path.clone() data-status=row.status data-kind="directory">
                                <button class="tree-toggle" on:click=move |_| {
                                    let p = toggle_path.clone();
                                    open.update(|set| if !set.remove(&p) { set.insert(p); });
                                }>{label}</button>
                                <span class=format!("marker marker-{}", row.status)>{letter}</span>
                                <button class="button-icon" aria-label=delete_label title="Delete folder"
                                    on:click=move |_| on_delete_folder.run(path.clone())>"🗑"</button>
                            </li>
                        }.into_any()
                    } else {
                        let href = Route::Repo {
                            name: repo.get_untracked(),
                            view: RepoView::Files { path: Some(path.clone()) },
                        }.path();
                        let is_selected = move || selected.with(|s| s.as_deref() == Some(&path[..]));
                        let deleted = row.status == "deleted";
                        view! {
                            <li role="treeitem" class=format!("tree-row tree-file {indent}")
                                data-testid="file-entry" data-path=display_path data-status=row.status data-kind="file">
                                {if deleted {
                                    view! { <span class="tree-link deleted">{row.label.clone()}</span> }.into_any()
                                } else {
                                    view! {
                                        <a class="tree-link" href=href aria-current=move || is_selected().then_some("page")>{row.label.clone()}</a>
                                    }.into_any()
                                }}
                                <span class=format!("marker marker-{}", row.status) title=row.status>{letter}</span>
                            </li>
                        }.into_any()
                    }
                }
            </For>
        </ul>
    }
}
