//! A file's diff, hunk by hunk, with a button per hunk to stage or unstage it. Lines are text
//! nodes only.

use leptos::prelude::*;
use tabgit_engine::protocol::FileDiff;

/// The diff of one file.
#[component]
pub fn DiffView(
    /// The diff.
    diff: FileDiff,
    /// Whether this is the staged diff (its hunks unstage).
    staged: bool,
    /// Stage (or unstage) hunk `index`.
    on_hunk: Callback<usize>,
) -> impl IntoView {
    if diff.binary {
        return view! { <p class="hint" data-testid="diff-note">"Binary file: no line diff."</p> }
            .into_any();
    }
    if diff.too_large {
        return view! { <p class="hint" data-testid="diff-note">"This diff is too large to show."</p> }.into_any();
    }
    if diff.hunks.is_empty() {
        return view! { <p class="hint" data-testid="diff-note">"No line changes (mode or whitespace only)."</p> }.into_any();
    }
    let action = if staged { "Unstage hunk" } else { "Stage hunk" };
    view! {
        <div class="diff" data-testid="diff">
            {diff.hunks.into_iter().enumerate().map(|(index, hunk)| view! {
                <div class="hunk" data-testid="diff-hunk">
                    <div class="hunk-head">
                        <code>{hunk.header}</code>
                        <button class="button-secondary" data-testid="hunk-toggle" on:click=move |_| on_hunk.run(index)>{action}</button>
                    </div>
                    <table class="diff-lines">
                        <tbody>
                            {hunk.lines.into_iter().map(|line| {
                                let class = match line.kind {
                                    '+' => "line-add",
                                    '-' => "line-del",
                                    _ => "line-ctx",
                                };
                                view! {
                                    <tr class=class>
                                        <td class="ln">{line.old.map(|n| n.to_string())}</td>
                                        <td class="ln">{line.new.map(|n| n.to_string())}</td>
                                        <td class="sign">{line.kind.to_string()}</td>
                                        <td class="code"><pre>{line.text}</pre></td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }).collect_view()}
        </div>
    }.into_any()
}
