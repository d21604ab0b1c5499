//! The page's side of the engine, shared through Leptos context.

use leptos::prelude::*;
use tabgit_engine::bridge::EngineClient;

/// Where trunk puts the engine worker's module loader.
const WORKER_URL: &str = "./tabgit-worker_loader.js";

/// The engine, shared through Leptos context.
#[derive(Clone, Copy)]
pub struct EngineCtx(StoredValue<EngineClient, LocalStorage>);

impl EngineCtx {
    /// Start the worker and wrap it for context.
    ///
    /// # Panics
    ///
    /// If the browser cannot start a module worker at all, the app cannot work; the message
    /// says so.
    pub fn spawn() -> Self {
        let client =
            EngineClient::spawn(WORKER_URL).expect("this browser can start module workers");
        EngineCtx(StoredValue::new_local(client))
    }

    /// The client.
    pub fn client(&self) -> EngineClient {
        self.0.get_value()
    }
}

/// The engine from context.
pub fn use_engine() -> EngineCtx {
    expect_context::<EngineCtx>()
}
