//! Futures over IndexedDB requests and transactions (IndexedDB reports through events).

use futures_channel::oneshot;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{IdbDatabase, IdbOpenDbRequest, IdbRequest, IdbTransaction};

use crate::idb::{classify, Error};

/// Wait for a request's result.
pub async fn wait(request: &IdbRequest) -> Result<JsValue, Error> {
    let (sender, receiver) = oneshot::channel::<Result<JsValue, Error>>();
    let sender = std::rc::Rc::new(std::cell::RefCell::new(Some(sender)));
    let on_success = {
        let sender = sender.clone();
        let request = request.clone();
        Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            if let Some(sender) = sender.borrow_mut().take() {
                let _ = sender.send(request.result().map_err(|e| classify(&e)));
            }
        })
    };
    let on_error = {
        let sender = sender.clone();
        let request = request.clone();
        Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            event.prevent_default();
            if let Some(sender) = sender.borrow_mut().take() {
                let error = request
                    .error()
                    .ok()
                    .flatten()
                    .map_or_else(|| JsValue::from_str("request failed"), JsValue::from);
                let _ = sender.send(Err(classify(&error)));
            }
        })
    };
    request.set_onsuccess(Some(on_success.as_ref().unchecked_ref()));
    request.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    let result = receiver.await.unwrap_or_else(|_| {
        Err(Error::Failed {
            reason: "request was dropped".into(),
        })
    });
    request.set_onsuccess(None);
    request.set_onerror(None);
    result
}

/// Wait for a transaction to commit.
pub async fn complete(tx: &IdbTransaction) -> Result<(), Error> {
    let (sender, receiver) = oneshot::channel::<Result<(), Error>>();
    let sender = std::rc::Rc::new(std::cell::RefCell::new(Some(sender)));
    let on_complete = {
        let sender = sender.clone();
        Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            if let Some(sender) = sender.borrow_mut().take() {
                let _ = sender.send(Ok(()));
            }
        })
    };
    let on_fail = {
        let sender = sender.clone();
        let tx = tx.clone();
        Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            if let Some(sender) = sender.borrow_mut().take() {
                let error = tx
                    .error()
                    .map_or_else(|| JsValue::from_str("transaction aborted"), JsValue::from);
                let _ = sender.send(Err(classify(&error)));
            }
        })
    };
    tx.set_oncomplete(Some(on_complete.as_ref().unchecked_ref()));
    tx.set_onerror(Some(on_fail.as_ref().unchecked_ref()));
    tx.set_onabort(Some(on_fail.as_ref().unchecked_ref()));
    let result = receiver.await.unwrap_or_else(|_| {
        Err(Error::Failed {
            reason: "transaction was dropped".into(),
        })
    });
    tx.set_oncomplete(None);
    tx.set_onerror(None);
    tx.set_onabort(None);
    result
}

/// Open a database, running `upgrade` when it is created or its version rises.
pub async fn open(
    request: &IdbOpenDbRequest,
    upgrade: impl Fn(&IdbDatabase) -> Result<(), JsValue> + 'static,
) -> Result<IdbDatabase, Error> {
    let on_upgrade = {
        let request = request.clone();
        Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            if let Ok(result) = request.result() {
                let _ = upgrade(result.unchecked_ref::<IdbDatabase>());
            }
        })
    };
    request.set_onupgradeneeded(Some(on_upgrade.as_ref().unchecked_ref()));
    let (blocked_sender, mut blocked_receiver) = oneshot::channel::<()>();
    let blocked_sender = std::rc::Rc::new(std::cell::RefCell::new(Some(blocked_sender)));
    let on_blocked = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
        if let Some(sender) = blocked_sender.borrow_mut().take() {
            let _ = sender.send(());
        }
    });
    request.set_onblocked(Some(on_blocked.as_ref().unchecked_ref()));
    let result = wait(request).await;
    request.set_onupgradeneeded(None);
    request.set_onblocked(None);
    if matches!(blocked_receiver.try_recv(), Ok(Some(()))) && result.is_err() {
        return Err(Error::Blocked);
    }
    let db: IdbDatabase = result?.unchecked_into();
    // Another tab upgrading the schema: close so it can proceed (`RELIABILITY.md` S11).
    let on_version_change = {
        let db = db.clone();
        Closure::<dyn FnMut(web_sys::Event)>::new(move |_| db.close())
    };
    db.set_onversionchange(Some(on_version_change.as_ref().unchecked_ref()));
    on_version_change.forget();
    Ok(db)
}
