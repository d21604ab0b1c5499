//! The tabgit web app: a Leptos (client-side rendered) UI over the engine worker.
//!
//! Components render and dispatch; git work happens in the engine worker
//! ([`tabgit_engine`]), reached through [`engine::EngineClient`].
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod components;
pub mod engine;
pub mod pages;
pub mod state;

use leptos::prelude::*;

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    let engine = engine::EngineCtx::spawn();
    provide_context(engine);
    view! {
        <header class="app-header">
            <h1 class="app-title">"tabgit"</h1>
            <span class="app-tagline">"git in a browser tab"</span>
        </header>
        <main class="app-main">
            <pages::home::HomePage/>
        </main>
    }
}
