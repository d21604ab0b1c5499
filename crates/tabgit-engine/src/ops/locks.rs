//! A per-repository Web Lock around every mutation, so two tabs never interleave writes
//! (`RELIABILITY.md` S9), and a `BroadcastChannel` message after every change.

use std::cell::RefCell;
use std::future::Future;

use futures_channel::oneshot;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

fn navigator_locks() -> Option<JsValue> {
    let global = js_sys::global();
    let navigator = js_sys::Reflect::get(&global, &JsValue::from_str("navigator")).ok()?;
    let locks = js_sys::Reflect::get(&navigator, &JsValue::from_str("locks")).ok()?;
    (!locks.is_undefined()).then_some(locks)
}

/// Told when an operation starts waiting for a repository's lock (`true`) and when it gets it
/// after waiting (`false`).
type BusyHook = Box<dyn Fn(&str, bool)>;

thread_local! {
    static BUSY_HOOK: RefCell<Option<BusyHook>> = const { RefCell::new(None) };
}

/// Set what is told when an operation has to wait for a repository's lock (the worker posts
/// it to the page, which says that another tab is using the repository).
pub fn set_busy_hook(hook: impl Fn(&str, bool) + 'static) {
    BUSY_HOOK.with(|h| *h.borrow_mut() = Some(Box::new(hook)));
}

fn tell_busy(repo: &str, waiting: bool) {
    BUSY_HOOK.with(|h| {
        if let Some(hook) = h.borrow().as_ref() {
            hook(repo, waiting);
        }
    });
}

/// Run `body` while holding the exclusive Web Lock `tabgit:<repo>`, waiting for it as long as
/// another tab holds it (and telling the busy hook so); never stealing it. Where the browser
/// has no Web Locks, `body` runs unlocked.
pub async fn with_lock<T>(repo: &str, body: impl Future<Output = T>) -> T {
    let Some(locks) = navigator_locks() else {
        return body.await;
    };
    let name = format!("tabgit:{repo}");
    // Ask without waiting first: the usual case takes one request and tells nobody anything.
    let held = match acquire(&locks, &name, true).await {
        Acquired::Held(held) => held,
        Acquired::Unsupported => return body.await,
        Acquired::Busy => {
            tell_busy(repo, true);
            let acquired = acquire(&locks, &name, false).await;
            tell_busy(repo, false);
            match acquired {
                Acquired::Held(held) => held,
                Acquired::Busy | Acquired::Unsupported => return body.await,
            }
        }
    };
    let result = body.await;
    held.release();
    result
}

/// What asking for a Web Lock gave.
enum Acquired {
    /// The lock is ours until [`Held::release`].
    Held(Held),
    /// Asked with `ifAvailable`, and someone else holds it or is waiting for it.
    Busy,
    /// The browser's Web Locks could not be used.
    Unsupported,
}

/// A Web Lock we hold: the lock manager keeps it until the promise our callback returned
/// settles.
struct Held {
    resolve: Option<js_sys::Function>,
    _callback: Closure<dyn FnMut(JsValue) -> JsValue>,
}

impl Held {
    fn release(self) {
        if let Some(resolve) = &self.resolve {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    }
}

/// `navigator.locks.request(name, { ifAvailable }, callback)`, waiting until the callback runs.
async fn acquire(locks: &JsValue, name: &str, if_available: bool) -> Acquired {
    let Some(request) = js_sys::Reflect::get(locks, &JsValue::from_str("request"))
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    else {
        return Acquired::Unsupported;
    };
    let (granted_tx, granted_rx) = oneshot::channel::<bool>();
    let mut resolve: Option<js_sys::Function> = None;
    let release = js_sys::Promise::new(&mut |r, _reject| resolve = Some(r));
    let granted_tx = RefCell::new(Some(granted_tx));
    // The callback gets `null` when `ifAvailable` could not have the lock.
    let callback = Closure::<dyn FnMut(JsValue) -> JsValue>::new(move |lock: JsValue| {
        let held = !lock.is_null();
        if let Some(tx) = granted_tx.borrow_mut().take() {
            let _ = tx.send(held);
        }
        if held {
            JsValue::from(release.clone())
        } else {
            JsValue::UNDEFINED
        }
    });
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(
        &options,
        &JsValue::from_str("ifAvailable"),
        &JsValue::from_bool(if_available),
    );
    if request
        .call3(locks, &JsValue::from_str(name), &options, callback.as_ref())
        .is_err()
    {
        return Acquired::Unsupported;
    }
    match granted_rx.await {
        Ok(true) => Acquired::Held(Held {
            resolve,
            _callback: callback,
        }),
        Ok(false) => Acquired::Busy,
        Err(_) => Acquired::Unsupported,
    }
}

/// Whether any tab holds or waits for `repo`'s lock (an operation in progress); `true` where
/// the browser cannot say, so callers stay on the safe side.
pub async fn is_busy(repo: &str) -> bool {
    let Some(locks) = navigator_locks() else {
        return true;
    };
    let query = js_sys::Reflect::get(&locks, &JsValue::from_str("query"))
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    let Some(promise) = query
        .and_then(|f| f.call0(&locks).ok())
        .and_then(|p| p.dyn_into::<js_sys::Promise>().ok())
    else {
        return true;
    };
    let Ok(snapshot) = wasm_bindgen_futures::JsFuture::from(promise).await else {
        return true;
    };
    let name = format!("tabgit:{repo}");
    ["held", "pending"].iter().any(|list| {
        js_sys::Reflect::get(&snapshot, &JsValue::from_str(list))
            .ok()
            .map(|v| js_sys::Array::from(&v))
            .is_some_and(|entries| {
                entries.iter().any(|entry| {
                    js_sys::Reflect::get(&entry, &JsValue::from_str("name"))
                        .ok()
                        .and_then(|n| n.as_string())
                        .is_some_and(|n| n == name)
                })
            })
    })
}

/// Tell other tabs that `repo` changed.
pub fn announce_change(repo: &str) {
    if let Ok(channel) = web_sys::BroadcastChannel::new("tabgit") {
        let _ = channel.post_message(&JsValue::from_str(&format!("changed:{repo}")));
        channel.close();
    }
}
