//! A file's diff: unified or side by side, changed words marked, long unchanged runs folded
//! (click to unfold), the lines between hunks counted, a guard that keeps a huge diff from being
//! drawn until asked, and optionally a button per hunk to stage or unstage it. Lines are text
//! nodes only, never HTML.

use std::collections::BTreeSet;

use leptos::prelude::*;
use tabgit_engine::protocol::FileDiff;

use crate::state::diff::{
    group_hunks, line_count, side_by_side, unified, FoldId, HunkGroup, Layout, Line, Row, SideRow,
    LARGE_DIFF_LINES,
};

/// The layout chosen for every diff on the page, shared through context when provided.
#[derive(Clone, Copy)]
pub struct LayoutCtx(pub RwSignal<Layout>);

/// Unified or side by side, for the diffs below it.
#[component]
pub fn LayoutToggle() -> impl IntoView {
    let layout = use_context::<LayoutCtx>()
        .unwrap_or_else(|| LayoutCtx(RwSignal::new(Layout::Unified)))
        .0;
    view! {
        <div class="layout-toggle" role="group" aria-label="Diff layout">
            <button
                class="button-secondary"
                data-testid="diff-unified"
                aria-pressed=move || (layout.get() == Layout::Unified).to_string()
                on:click=move |_| layout.set(Layout::Unified)
            >"Unified"</button>
            <button
                class="button-secondary"
                data-testid="diff-side-by-side"
                aria-pressed=move || (layout.get() == Layout::SideBySide).to_string()
                on:click=move |_| layout.set(Layout::SideBySide)
            >"Side by side"</button>
        </div>
    }
}

/// The diff of one file.
#[component]
pub fn DiffView(
    /// The diff.
    diff: FileDiff,
    /// Whether this is the staged diff (its hunks unstage).
    #[prop(optional)]
    staged: bool,
    /// Stage (or unstage) hunk `index`; no hunk buttons when `None`.
    #[prop(optional)]
    on_hunk: Option<Callback<usize>>,
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
    let layout = use_context::<LayoutCtx>()
        .unwrap_or_else(|| LayoutCtx(RwSignal::new(Layout::Unified)))
        .0;
    let unfolded = RwSignal::new(BTreeSet::<FoldId>::new());
    let n_lines = line_count(&diff);
    let show_large = RwSignal::new(n_lines <= LARGE_DIFF_LINES);
    let diff = StoredValue::new(diff);
    let action = if staged { "Unstage hunk" } else { "Stage hunk" };
    let fold_button = move |id: FoldId, lines: usize| {
        view! {
            <button class="diff-fold button-quiet" data-testid="diff-fold"
                on:click=move |_| unfolded.update(|u| { u.insert(id); })>
                {format!("⋯ {lines} unchanged lines (show)")}
            </button>
        }
    };
    let hunk_head = move |header: String, index: usize| {
        view! {
            <div class="hunk-head">
                <code>{header}</code>
                {on_hunk.map(|cb| view! {
                    <button class="button-secondary" data-testid="hunk-toggle" on:click=move |_| cb.run(index)>{action}</button>
                })}
            </div>
        }
    };
    let body = move || {
        if !show_large.get() {
            return view! {
                <p class="hint" data-testid="diff-large">
                    {format!("This diff has {n_lines} lines. ")}
                    <button class="button-secondary" data-testid="diff-show-large" on:click=move |_| show_large.set(true)>"Show it"</button>
                </p>
            }
            .into_any();
        }
        let unfolded = unfolded.get();
        match layout.get() {
            Layout::Unified => hunks(
                group_hunks(diff.with_value(|d| unified(d, &unfolded))),
                "diff-lines",
                hunk_head,
                |row| match row {
                    Row::Line(line) => unified_line(line).into_any(),
                    Row::Fold { id, lines } => view! {
                        <tr class="line-fold"><td colspan="4">{fold_button(id, lines)}</td></tr>
                    }
                    .into_any(),
                    Row::Gap(_) | Row::Hunk(_) => ().into_any(),
                },
            ),
            Layout::SideBySide => hunks(
                group_hunks(diff.with_value(|d| side_by_side(d, &unfolded))),
                "diff-lines side-by-side",
                hunk_head,
                |row| match row {
                    SideRow::Pair(old, new) => view! {
                        <tr>
                            {half(old, true)}
                            {half(new, false)}
                        </tr>
                    }
                    .into_any(),
                    SideRow::Fold { id, lines } => view! {
                        <tr class="line-fold"><td colspan="4">{fold_button(id, lines)}</td></tr>
                    }
                    .into_any(),
                    SideRow::Gap(_) | SideRow::Hunk(_) => ().into_any(),
                },
            ),
        }
    };
    view! { <div class="diff" data-testid="diff">{body}</div> }.into_any()
}

/// The class of a line by its kind.
/// The hunks of one layout: each with the unchanged lines before it, its head (with the
/// stage/unstage button) and its rows in a table of `table_class`.
fn hunks<R, H: IntoView>(
    groups: Vec<HunkGroup<R>>,
    table_class: &'static str,
    head: impl Fn(String, usize) -> H,
    row: impl Fn(R) -> AnyView,
) -> AnyView {
    groups
        .into_iter()
        .enumerate()
        .map(|(index, group)| {
            view! {
                {group.gap.map(|n| view! { <p class="diff-gap">{format!("{n} unchanged lines")}</p> })}
                <div class="hunk" data-testid="diff-hunk">
                    {head(group.header, index)}
                    <table class=table_class><tbody>
                        {group.rows.into_iter().map(&row).collect_view()}
                    </tbody></table>
                </div>
            }
        })
        .collect_view()
        .into_any()
}

fn line_class(kind: char) -> &'static str {
    match kind {
        '+' => "line-add",
        '-' => "line-del",
        _ => "line-ctx",
    }
}

/// A line's text with its changed words marked.
fn code(line: Line) -> impl IntoView {
    view! {
        <pre>{line.pieces.into_iter().map(|piece| if piece.mark {
            view! { <mark class="word">{piece.text}</mark> }.into_any()
        } else {
            piece.text.into_any()
        }).collect_view()}</pre>
    }
}

/// One row of the unified layout.
fn unified_line(line: Line) -> impl IntoView {
    let class = line_class(line.kind);
    view! {
        <tr class=class>
            <td class="ln">{line.old.map(|n| n.to_string())}</td>
            <td class="ln">{line.new.map(|n| n.to_string())}</td>
            <td class="sign">{line.kind.to_string()}</td>
            <td class="code">{code(line)}</td>
        </tr>
    }
}

/// One side of a side-by-side row (`old`: the left side).
fn half(line: Option<Line>, old: bool) -> impl IntoView {
    match line {
        Some(line) => {
            let class = line_class(line.kind);
            let number = if old { line.old } else { line.new };
            view! {
                <td class=format!("ln {class}")>{number.map(|n| n.to_string())}</td>
                <td class=format!("code half {class}")>{code(line)}</td>
            }
            .into_any()
        }
        None => {
            view! { <td class="ln line-none"></td><td class="code half line-none"></td> }.into_any()
        }
    }
}
