//! The page's side of the engine: a client that sends requests to the worker and resolves each
//! with the worker's final reply.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use futures::channel::oneshot;
use gloo_worker::Spawnable;
use leptos::prelude::*;
use tabgit_engine::protocol::{EngineError, Event, EventKind, Op, Reply, Request};
use tabgit_engine::worker::Engine;

/// Where trunk puts the engine worker's loader.
const WORKER_URL: &str = "./tabgit-worker.js";

type Pending = Rc<RefCell<HashMap<u64, oneshot::Sender<Result<Reply, EngineError>>>>>;

/// A connection to the engine worker.
pub struct EngineClient {
    bridge: gloo_worker::WorkerBridge<Engine>,
    pending: Pending,
    next_id: Cell<u64>,
}

impl EngineClient {
    /// Start the worker.
    pub fn spawn() -> Self {
        let pending: Pending = Rc::default();
        let on_event = {
            let pending = Rc::clone(&pending);
            move |event: Event| match event.kind {
                EventKind::Done(reply) => {
                    if let Some(sender) = pending.borrow_mut().remove(&event.id) {
                        let _ = sender.send(reply);
                    }
                }
            }
        };
        let bridge = Engine::spawner().callback(on_event).spawn(WORKER_URL);
        EngineClient {
            bridge,
            pending,
            next_id: Cell::new(1),
        }
    }

    /// Send `op` and wait for its reply.
    pub async fn call(&self, op: Op) -> Result<Reply, EngineError> {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        let (sender, receiver) = oneshot::channel();
        self.pending.borrow_mut().insert(id, sender);
        self.bridge.send(Request { id, op });
        receiver.await.unwrap_or_else(|_| {
            Err(EngineError {
                title: "The engine stopped before answering".into(),
                detail: "the worker was restarted or closed".into(),
            })
        })
    }
}

/// The engine, shared through Leptos context.
#[derive(Clone, Copy)]
pub struct EngineCtx(StoredValue<Rc<EngineClient>, LocalStorage>);

impl EngineCtx {
    /// Start the worker and wrap it for context.
    pub fn spawn() -> Self {
        EngineCtx(StoredValue::new_local(Rc::new(EngineClient::spawn())))
    }

    /// The client.
    pub fn client(&self) -> Rc<EngineClient> {
        self.0.get_value()
    }
}

/// The engine from context.
pub fn use_engine() -> EngineCtx {
    expect_context::<EngineCtx>()
}
