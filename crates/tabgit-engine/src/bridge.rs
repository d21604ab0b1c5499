//! The page's side of the engine: spawn the worker, send requests, route events back, and
//! restart the worker if it crashes (`RELIABILITY.md` S12).

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use futures_channel::oneshot;
use js_sys::Uint8Array;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{ErrorEvent, MessageEvent, Worker, WorkerOptions, WorkerType};

use crate::protocol::{
    decode, encode, EngineError, Event, EventKind, Op, Progress, Reply, Request,
};

type ProgressFn = Box<dyn Fn(Progress)>;
type BusyFn = Box<dyn Fn(&str, bool)>;

/// More crashes than this within [`CRASH_WINDOW_MS`] and the worker is not restarted.
pub const MAX_CRASHES: usize = 3;
/// The window, in milliseconds, over which crashes are counted.
pub const CRASH_WINDOW_MS: f64 = 30_000.0;
type Handler = Closure<dyn FnMut(JsValue)>;

struct Pending {
    done: oneshot::Sender<Result<Reply, EngineError>>,
    progress: Option<ProgressFn>,
}

struct Inner {
    url: String,
    worker: RefCell<Option<Worker>>,
    pending: RefCell<HashMap<u64, Pending>>,
    next_id: Cell<u64>,
    handlers: RefCell<Vec<Handler>>,
    restarts: Cell<u32>,
    /// Told when an operation waits for a repository another tab is using, and when it stops.
    busy_listeners: RefCell<Vec<BusyFn>>,
    /// When the worker crashed lately (`Date.now()`), to stop restarting one that cannot start.
    crashes: RefCell<Vec<f64>>,
    /// Why the engine was given up after crashing again and again; every request fails with it.
    given_up: RefCell<Option<String>>,
    /// Requests waiting for the worker's `Ready` (messages sent before a worker finished
    /// loading can be lost).
    queue: RefCell<Option<Vec<Vec<u8>>>>,
}

/// A connection to the engine worker.
#[derive(Clone)]
pub struct EngineClient {
    inner: Rc<Inner>,
}

impl EngineClient {
    /// Start the worker from `url` (trunk's module loader, `./tabgit-worker_loader.js`).
    pub fn spawn(url: &str) -> Result<EngineClient, JsValue> {
        let inner = Rc::new(Inner {
            url: url.to_owned(),
            worker: RefCell::new(None),
            pending: RefCell::default(),
            next_id: Cell::new(1),
            handlers: RefCell::default(),
            restarts: Cell::new(0),
            crashes: RefCell::default(),
            busy_listeners: RefCell::default(),
            given_up: RefCell::default(),
            queue: RefCell::new(Some(Vec::new())),
        });
        let client = EngineClient { inner };
        client.start()?;
        Ok(client)
    }

    fn start(&self) -> Result<(), JsValue> {
        let options = WorkerOptions::new();
        options.set_type(WorkerType::Module);
        let worker = Worker::new_with_options(&self.inner.url, &options)?;
        let weak = Rc::downgrade(&self.inner);
        let on_message = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            let Some(inner) = weak.upgrade() else { return };
            let Ok(event) = event.dyn_into::<MessageEvent>() else {
                return;
            };
            let bytes = Uint8Array::new(&event.data()).to_vec();
            match decode::<Event>(&bytes) {
                Ok(event) => EngineClient { inner }.deliver(event),
                Err(err) => web_sys::console::error_1(
                    &format!("tabgit: undecodable engine event: {err}").into(),
                ),
            }
        });
        let weak = Rc::downgrade(&self.inner);
        let on_error = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            let Some(inner) = weak.upgrade() else { return };
            let message = event.dyn_ref::<ErrorEvent>().map_or_else(
                || "the engine worker failed".to_owned(),
                ErrorEvent::message,
            );
            EngineClient { inner }.crashed(&message);
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        self.inner
            .handlers
            .borrow_mut()
            .extend([on_message, on_error]);
        *self.inner.worker.borrow_mut() = Some(worker);
        Ok(())
    }

    fn deliver(&self, event: Event) {
        match event.kind {
            EventKind::Progress(progress) => {
                if let Some(Pending {
                    progress: Some(f), ..
                }) = self.inner.pending.borrow().get(&event.id)
                {
                    f(progress);
                }
            }
            EventKind::Done(reply) => {
                if let Some(pending) = self.inner.pending.borrow_mut().remove(&event.id) {
                    let _ = pending.done.send(reply);
                }
            }
            EventKind::Crashed(message) => self.crashed(&message),
            EventKind::Busy { repo, waiting } => {
                for listener in self.inner.busy_listeners.borrow().iter() {
                    listener(&repo, waiting);
                }
            }
            EventKind::Ready => {
                let queued = self.inner.queue.borrow_mut().take().unwrap_or_default();
                if let Some(worker) = self.inner.worker.borrow().as_ref() {
                    for bytes in queued {
                        let _ = worker.post_message(&Uint8Array::from(&bytes[..]));
                    }
                }
            }
        }
    }

    /// The worker died: fail what was pending, and start a new worker (storage is consistent:
    /// every change is persisted in one transaction or not at all). A worker that dies more
    /// than [`MAX_CRASHES`] times within [`CRASH_WINDOW_MS`] (one that cannot load, say) is not
    /// started again: requests then fail at once with words that say to reload the page.
    fn crashed(&self, message: &str) {
        let pending: Vec<Pending> = self
            .inner
            .pending
            .borrow_mut()
            .drain()
            .map(|(_, p)| p)
            .collect();
        for p in pending {
            let _ = p.done.send(Err(EngineError {
                title: "The engine crashed and was restarted; nothing was half-written".into(),
                detail: message.to_owned(),
            }));
        }
        if let Some(worker) = self.inner.worker.borrow_mut().take() {
            worker.terminate();
        }
        let now = js_sys::Date::now();
        let recent = {
            let mut crashes = self.inner.crashes.borrow_mut();
            crashes.retain(|t| now - t < CRASH_WINDOW_MS);
            crashes.push(now);
            crashes.len()
        };
        if recent > MAX_CRASHES {
            *self.inner.queue.borrow_mut() = None;
            *self.inner.given_up.borrow_mut() = Some(message.to_owned());
            web_sys::console::error_1(
                &format!("tabgit: the engine crashed {recent} times in a row; not restarting it: {message}").into(),
            );
            return;
        }
        *self.inner.queue.borrow_mut() = Some(Vec::new());
        self.inner.restarts.set(self.inner.restarts.get() + 1);
        if let Err(err) = self.start() {
            web_sys::console::error_2(&"tabgit: cannot restart the engine".into(), &err);
        }
    }

    /// Call `listener` with a repository's name and `true` when an operation starts waiting for
    /// it because another tab (or another operation) holds its lock, and `false` when the wait
    /// ends (`RELIABILITY.md` S10).
    pub fn on_busy(&self, listener: impl Fn(&str, bool) + 'static) {
        self.inner
            .busy_listeners
            .borrow_mut()
            .push(Box::new(listener));
    }

    /// How many times the worker was restarted after a crash.
    pub fn restarts(&self) -> u32 {
        self.inner.restarts.get()
    }

    /// Send `op`; the returned id can cancel it.
    pub fn send(
        &self,
        op: Op,
        progress: Option<ProgressFn>,
    ) -> (u64, oneshot::Receiver<Result<Reply, EngineError>>) {
        let id = self.inner.next_id.get();
        self.inner.next_id.set(id + 1);
        let (done, receiver) = oneshot::channel();
        if let Some(message) = self.inner.given_up.borrow().as_ref() {
            let _ = done.send(Err(EngineError {
                title: "The engine keeps crashing and was stopped; reload the page".into(),
                detail: message.clone(),
            }));
            return (id, receiver);
        }
        self.inner
            .pending
            .borrow_mut()
            .insert(id, Pending { done, progress });
        let bytes = encode(&Request { id, op });
        if let Some(queue) = self.inner.queue.borrow_mut().as_mut() {
            queue.push(bytes);
        } else if let Some(worker) = self.inner.worker.borrow().as_ref() {
            let _ = worker.post_message(&Uint8Array::from(&bytes[..]));
        }
        (id, receiver)
    }

    /// Send `op` and wait for its reply.
    pub async fn call(&self, op: Op) -> Result<Reply, EngineError> {
        let (_, receiver) = self.send(op, None);
        receiver.await.unwrap_or_else(|_| {
            Err(EngineError {
                title: "The engine stopped before answering".into(),
                detail: String::new(),
            })
        })
    }

    /// Send `op`, reporting its progress to `progress`, and wait for its reply.
    pub async fn call_with_progress(
        &self,
        op: Op,
        progress: impl Fn(Progress) + 'static,
    ) -> Result<Reply, EngineError> {
        let (_, receiver) = self.send(op, Some(Box::new(progress)));
        receiver.await.unwrap_or_else(|_| {
            Err(EngineError {
                title: "The engine stopped before answering".into(),
                detail: String::new(),
            })
        })
    }

    /// Ask the engine to cancel request `id`.
    pub fn cancel(&self, id: u64) {
        let _ = self.send(Op::Cancel { request: id }, None);
    }
}
