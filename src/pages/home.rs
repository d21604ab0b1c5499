//! The home page.

use leptos::prelude::*;
use tabgit_engine::protocol::Op;

use crate::components::engine_status::EngineStatus;
use crate::engine::use_engine;
use crate::state::hash_tool::HashOutcome;

/// The home page: engine status and a tool that hashes text as a git blob in the worker.
#[component]
pub fn HomePage() -> impl IntoView {
    // -- signals --
    let engine = use_engine();
    let (text, set_text) = signal(String::from("hello\n"));
    // -- actions --
    let hash = Action::new_local(move |input: &String| {
        let client = engine.client();
        let data = input.clone().into_bytes();
        async move {
            HashOutcome::from_reply(
                client
                    .call(Op::HashObject {
                        kind: "blob".into(),
                        data,
                    })
                    .await,
            )
        }
    });
    let result = move || hash.value().get().unwrap_or(HashOutcome::Idle).text();
    view! {
        <section class="panel">
            <h2>"Engine"</h2>
            <EngineStatus/>
        </section>
        <section class="panel">
            <h2>"Hash a blob"</h2>
            <p class="hint">"The text is hashed by the git core in the engine worker, as "<code>"git hash-object"</code>" would."</p>
            <textarea
                class="hash-input"
                data-testid="hash-input"
                aria-label="Text to hash"
                prop:value=text
                on:input=move |ev| set_text.set(event_target_value(&ev))
            ></textarea>
            <button data-testid="hash-submit" on:click=move |_| { hash.dispatch(text.get_untracked()); }>
                "Hash"
            </button>
            <output class="hash-result" data-testid="hash-result">{result}</output>
        </section>
    }
}
