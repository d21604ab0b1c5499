//! Shows whether the engine worker answers.

use leptos::prelude::*;
use tabgit_engine::protocol::{Op, Reply};

use crate::engine::use_engine;

/// A badge that pings the engine once and shows the answer, and a notice while an operation
/// waits for a repository that another tab is using (`RELIABILITY.md` S10: the wait goes on
/// until that tab lets go; nothing is taken from it).
#[component]
pub fn EngineStatus() -> impl IntoView {
    let engine = use_engine();
    let waiting = RwSignal::new(Vec::<String>::new());
    engine.client().on_busy(move |repo, started| {
        waiting.update(|names| {
            if started {
                names.push(repo.to_owned());
            } else if let Some(at) = names.iter().position(|n| n == repo) {
                names.remove(at);
            }
        });
    });
    let notice = move || {
        // Several operations may wait for one repository: name each repository once.
        let mut names = waiting.get();
        names.sort();
        names.dedup();
        (!names.is_empty()).then(|| {
            view! {
                <span class="busy-notice" data-testid="busy-notice" role="status">
                    {format!(
                        "Waiting for {}: another tab is using it. Finish or close that tab to go on.",
                        names.join(", ")
                    )}
                </span>
            }
        })
    };
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
        {notice}
        <span class="engine-status" data-testid="engine-status">
            {move || status.get().unwrap_or_else(|| "starting engine…".into())}
        </span>
    }
}
