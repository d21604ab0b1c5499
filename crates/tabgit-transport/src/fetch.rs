//! The browser's HTTP client: `fetch` from a page or a worker, response bodies streamed from
//! their `ReadableStream`, cancellable with an `AbortController`.
//!
//! Requests never send cookies (`credentials: "omit"`) and are never cached; a `TypeError`
//! from `fetch` (offline, DNS, CORS refusal) becomes [`Error::Unreachable`] with the words a
//! user needs (`RELIABILITY.md` N16): the browser gives no status in that case.
//!
//! A response body that sends nothing for the idle timeout ([`DEFAULT_IDLE_TIMEOUT`]) is
//! cancelled and fails with [`Error::TimedOut`] (`RELIABILITY.md` N9): `fetch` itself waits for
//! ever on a server that stops mid-pack with the connection open.

use std::time::Duration;

use js_sys::{Function, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortController, ReadableStreamDefaultReader, RequestCredentials, RequestInit, RequestRedirect,
};

use crate::{Body, Error, HttpClient, Method, Request, Response};

/// How long a response body may send nothing before the transfer is given up.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// `fetch`, in a page or a worker.
pub struct FetchClient {
    abort: Option<AbortController>,
    idle_timeout: Duration,
}

impl Default for FetchClient {
    fn default() -> Self {
        FetchClient {
            abort: None,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
        }
    }
}

impl FetchClient {
    /// A client whose requests `controller.abort()` cancels.
    pub fn with_abort(controller: AbortController) -> Self {
        FetchClient {
            abort: Some(controller),
            ..FetchClient::default()
        }
    }

    /// Give up a response body that sends nothing for `idle` instead of
    /// [`DEFAULT_IDLE_TIMEOUT`].
    #[must_use]
    pub fn idle_timeout(mut self, idle: Duration) -> Self {
        self.idle_timeout = idle;
        self
    }
}

/// A response body read from its stream.
pub struct FetchBody {
    reader: Option<ReadableStreamDefaultReader>,
    host: String,
    idle_timeout: Duration,
}

/// Wait for `promise` for at most `timeout`: `Ok(None)` when the time ran out first.
async fn within(promise: Promise, timeout: Duration) -> Result<Option<JsValue>, JsValue> {
    let global = js_sys::global();
    let function = |name: &str| -> Result<Function, JsValue> {
        Reflect::get(&global, &JsValue::from_str(name))?.dyn_into::<Function>()
    };
    let (set_timeout, clear_timeout) = (function("setTimeout")?, function("clearTimeout")?);
    // The timer resolves with an object of its own, which nothing else can produce.
    let marker = JsValue::from(js_sys::Object::new());
    let mut timer = Ok(JsValue::UNDEFINED);
    let expired = Promise::new(&mut |resolve, _reject| {
        timer = set_timeout.call3(
            &global,
            &resolve,
            &JsValue::from_f64(timeout.as_millis() as f64),
            &marker,
        );
    });
    let timer = timer?;
    let raced = JsFuture::from(Promise::race(&js_sys::Array::of2(&promise, &expired))).await;
    let _ = clear_timeout.call1(&global, &timer);
    let value = raced?;
    Ok((!js_sys::Object::is(&value, &marker)).then_some(value))
}

fn describe(value: &JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| "unknown error".into())
}

fn is_abort(value: &JsValue) -> bool {
    value
        .dyn_ref::<js_sys::Error>()
        .is_some_and(|e| e.name() == "AbortError")
}

impl Body for FetchBody {
    async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, Error> {
        let Some(reader) = &self.reader else {
            return Ok(None);
        };
        let read = within(reader.read(), self.idle_timeout)
            .await
            .map_err(|err| {
                if is_abort(&err) {
                    Error::Cancelled
                } else {
                    Error::Interrupted {
                        host: self.host.clone(),
                        reason: describe(&err),
                    }
                }
            })?;
        let Some(result) = read else {
            // Cancelling the stream closes the connection; its outcome no longer matters.
            let _ = reader.cancel();
            self.reader = None;
            return Err(Error::TimedOut {
                host: self.host.clone(),
            });
        };
        let done =
            Reflect::get(&result, &JsValue::from_str("done")).map_or(true, |v| v.is_truthy());
        if done {
            self.reader = None;
            return Ok(None);
        }
        let value = Reflect::get(&result, &JsValue::from_str("value")).map_err(|err| {
            Error::Interrupted {
                host: self.host.clone(),
                reason: describe(&err),
            }
        })?;
        Ok(Some(Uint8Array::new(&value).to_vec()))
    }
}

async fn fetch(request: &web_sys::Request) -> Result<web_sys::Response, JsValue> {
    let global = js_sys::global();
    let promise = if let Some(worker) = global.dyn_ref::<web_sys::WorkerGlobalScope>() {
        worker.fetch_with_request(request)
    } else if let Some(window) = global.dyn_ref::<web_sys::Window>() {
        window.fetch_with_request(request)
    } else {
        return Err(JsValue::from_str("fetch is not available here"));
    };
    JsFuture::from(promise)
        .await?
        .dyn_into::<web_sys::Response>()
}

impl HttpClient for FetchClient {
    type Body = FetchBody;

    async fn send(&self, request: Request) -> Result<Response<FetchBody>, Error> {
        let host = request.url.origin().to_string();
        let unreachable = |reason: String| Error::Unreachable {
            host: host.clone(),
            reason,
        };
        let init = RequestInit::new();
        init.set_method(match request.method {
            Method::Get => "GET",
            Method::Post => "POST",
        });
        init.set_credentials(RequestCredentials::Omit);
        init.set_redirect(RequestRedirect::Follow);
        init.set_cache(web_sys::RequestCache::NoStore);
        if let Some(controller) = &self.abort {
            init.set_signal(Some(&controller.signal()));
        }
        let headers = web_sys::Headers::new().map_err(|e| unreachable(describe(&e)))?;
        for (name, value) in &request.headers {
            headers
                .append(name, value)
                .map_err(|e| unreachable(describe(&e)))?;
        }
        init.set_headers(&headers);
        if let Some(body) = &request.body {
            init.set_body(&Uint8Array::from(body.as_slice()));
        }
        let js_request = web_sys::Request::new_with_str_and_init(&request.url.to_string(), &init)
            .map_err(|e| unreachable(describe(&e)))?;
        let response = match fetch(&js_request).await {
            Ok(response) => response,
            Err(err) if is_abort(&err) => return Err(Error::Cancelled),
            Err(err) => {
                return Err(unreachable(format!(
                    "{} (the browser gives no detail: the host or proxy may be offline, or it refused this origin)",
                    describe(&err)
                )))
            }
        };
        let mut out_headers = Vec::new();
        if let Ok(Some(iter)) = js_sys::try_iter(&response.headers()) {
            for pair in iter.flatten() {
                let pair = js_sys::Array::from(&pair);
                if let (Some(name), Some(value)) =
                    (pair.get(0).as_string(), pair.get(1).as_string())
                {
                    out_headers.push((name.to_ascii_lowercase(), value));
                }
            }
        }
        let reader = response.body().map(|stream| {
            stream
                .get_reader()
                .unchecked_into::<ReadableStreamDefaultReader>()
        });
        Ok(Response {
            status: response.status(),
            headers: out_headers,
            body: FetchBody {
                reader,
                host,
                idle_timeout: self.idle_timeout,
            },
        })
    }
}
