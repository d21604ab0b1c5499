//! Shows whether the engine worker answers.

use leptos::prelude::*;
use tabgit_engine::protocol::{Op, Reply};

use crate::engine::use_engine;

/// A badge that pings the engine once and shows the answer.
#[component]
pub fn EngineStatus() -> impl IntoView {
    let engine = use_engine();
    let status = LocalResource::new(move || {
        let client = engine.client();
        async move {
            match client.call(Op::Ping).await {
                Ok(Reply::Pong { version }) => format!("engine ready (v{version})"),
                Ok(other) => format!("engine answered oddly: {other:?}"),
                Err(err) => format!("engine error: {}", err.title),
            }
        }
    });
    view! {
        <span class="engine-status" data-testid="engine-status">
            {move || status.get().unwrap_or_else(|| "starting engine…".into())}
        </span>
    }
}
