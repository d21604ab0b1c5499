//! One row of the history graph as SVG: lanes passing by, lines into the commit from the row
//! above, lines out to its parents' lanes, and the commit's dot (a ring for a merge).

use leptos::prelude::*;
use tabgit_engine::protocol::GraphRow;

use crate::state::history::{graph_shape, ROW_HEIGHT};

/// The graph cell of a history row.
// Leptos components take their props by value.
#[allow(clippy::needless_pass_by_value)]
#[component]
pub fn CommitGraph(
    /// The row's lanes, from the engine.
    row: GraphRow,
) -> impl IntoView {
    let shape = graph_shape(&row);
    let (x, y) = shape.dot;
    view! {
        <svg class="graph" width=shape.width.to_string() height=ROW_HEIGHT.to_string()
            viewBox=format!("0 0 {} {ROW_HEIGHT}", shape.width) aria-hidden="true">
            {shape.lines.into_iter().map(|s| view! {
                <line x1=s.x1.to_string() y1=s.y1.to_string() x2=s.x2.to_string() y2=s.y2.to_string()
                    class=format!("lane lane-{}", s.color)/>
            }).collect_view()}
            <circle cx=x.to_string() cy=y.to_string() r="4"
                class=format!("dot lane-{}{}", shape.color, if shape.merge { " merge" } else { "" })/>
        </svg>
    }
}
