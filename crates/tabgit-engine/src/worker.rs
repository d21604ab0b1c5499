//! The worker side: a `gloo-worker` worker that runs requests and answers with events.

use gloo_worker::{HandlerId, Worker, WorkerScope};

use crate::protocol::{Event, EventKind, Request};

/// The engine, living in a dedicated Web Worker.
pub struct Engine;

impl Worker for Engine {
    type Message = ();
    type Input = Request;
    type Output = Event;

    fn create(_scope: &WorkerScope<Self>) -> Self {
        Engine
    }

    fn update(&mut self, _scope: &WorkerScope<Self>, _msg: Self::Message) {}

    fn received(&mut self, scope: &WorkerScope<Self>, request: Self::Input, handler: HandlerId) {
        let reply = crate::handle_sync(&request.op);
        scope.respond(
            handler,
            Event {
                id: request.id,
                kind: EventKind::Done(reply),
            },
        );
    }
}
