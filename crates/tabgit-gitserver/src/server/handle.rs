//! Answering one request: CORS preflight, then the knobs in their documented order, then
//! `git http-backend`.

use std::{convert::Infallible, net::SocketAddr, sync::Arc};

use http_body_util::BodyExt;
use hyper::{
    body::{Bytes, Incoming},
    header::{self, HeaderValue},
    http::request::Parts,
    HeaderMap, Method, Request, Response, StatusCode,
};
use tokio::{io::AsyncWriteExt, process::ChildStdin, sync::oneshot};

use crate::{
    cgi,
    fault::{
        response::{self, Sideband3},
        BodyFault, Faults, Redirect,
    },
    hostile,
    route::{self, RequestKind, Route, Service},
    server::{
        auth,
        body::{Cut, CutSwitch, RequestLog, ResponseBody, Source},
        cors, log, State,
    },
};

/// A response before the knobs that apply to every response (`ctype`, `retry-after`, `cut`)
/// and the CORS headers are added.
struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    source: Source,
    /// For `git http-backend` responses: completes once the request body reached git.
    request_done: Option<oneshot::Receiver<()>>,
}

/// Answer `request`, which arrived from `peer` on a connection whose cut switch is `switch`.
pub(crate) async fn handle(
    state: Arc<State>,
    peer: SocketAddr,
    switch: CutSwitch,
    request: Request<Incoming>,
) -> Result<Response<ResponseBody>, Infallible> {
    let (parts, body) = request.into_parts();
    let log = RequestLog::new(state.log, parts.method.as_str(), parts.uri.path());
    // Preflights come first, so that a browser always gets to see the real answer, even a
    // 400 for a mistyped knob.
    if parts.method == Method::OPTIONS {
        let reply = preflight_reply(&state, &parts);
        return Ok(finish(
            &state,
            &parts,
            reply,
            &Faults::default(),
            switch,
            log,
        ));
    }
    let route = match route::route(&parts.method, parts.uri.path(), parts.uri.query()) {
        Ok(route) => route,
        Err(err) => {
            let reply = Reply::text(StatusCode::BAD_REQUEST, format!("{}\n", error_chain(&err)));
            return Ok(finish(
                &state,
                &parts,
                reply,
                &Faults::default(),
                switch,
                log,
            ));
        }
    };
    let faults = Faults::for_request(&state.faults, route.faults.as_ref(), route.kind);
    let reply = reply(&state, &parts, body, &route, &faults, peer).await;
    Ok(finish(&state, &parts, reply, &faults, switch, log))
}

/// Produce the reply, applying the knobs in this order: `delay`, `auth`, `redirect…`,
/// `status`/`body`, then `git http-backend` (with `v0` and `body=sideband3`).
async fn reply(
    state: &State,
    parts: &Parts,
    body: Incoming,
    route: &Route,
    faults: &Faults,
    peer: SocketAddr,
) -> Reply {
    if let Some(delay) = faults.delay {
        tokio::time::sleep(delay).await;
    }
    let mut remote_user = None;
    if let Some(credentials) = &faults.auth {
        if !auth::is_authorized(&parts.headers, credentials) {
            let mut reply = Reply::text(
                StatusCode::UNAUTHORIZED,
                "authentication required\n".to_owned(),
            );
            reply.headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(auth::CHALLENGE),
            );
            return reply;
        }
        remote_user = Some(credentials.user.as_str());
    }
    if let Some(redirect) = &faults.redirect {
        if !redirect.initial_only || matches!(route.kind, RequestKind::InfoRefs { .. }) {
            return redirect_reply(redirect, route, parts.uri.query());
        }
    }
    if let Some(reply) = synthetic_reply(faults, route.kind) {
        return reply;
    }
    if route.kind
        == (RequestKind::InfoRefs {
            service: Some(Service::UploadPack),
        })
    {
        if let Some(advertisement) = hostile::info_refs(&state.root, &route.path_info) {
            let mut reply = Reply::full(StatusCode::OK, Bytes::from(advertisement));
            reply.headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/x-git-upload-pack-advertisement"),
            );
            return reply;
        }
    }
    let request = cgi::Request {
        git: &state.git,
        project_root: &state.root,
        method: parts.method.as_str(),
        path_info: &route.path_info,
        query: parts.uri.query().unwrap_or_default(),
        headers: &parts.headers,
        pass_git_protocol: !faults.v0,
        remote_addr: peer.ip(),
        remote_user,
    };
    let upload_pack = route.kind == RequestKind::Rpc(Service::UploadPack);
    let protocol_v2 = request.pass_git_protocol
        && parts
            .headers
            .get("git-protocol")
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.split(':').any(|item| item == "version=2"));
    let rewriter = if !upload_pack {
        None
    } else if faults.body == Some(BodyFault::Sideband3) {
        Some(Sideband3::new(protocol_v2))
    } else {
        hostile::upload_pack_tail(&state.root, &route.path_info)
            .map(|tail| Sideband3::replacing_tail(protocol_v2, tail))
    };
    cgi_reply(state, &request, body, rewriter).await
}

/// The answer to `OPTIONS`: a CORS preflight answer, or 405 without CORS.
fn preflight_reply(state: &State, parts: &Parts) -> Reply {
    if state.cors {
        let mut reply = Reply::empty(StatusCode::NO_CONTENT);
        cors::add_preflight_headers(&mut reply.headers, &parts.headers);
        return reply;
    }
    let mut reply = Reply::text(
        StatusCode::METHOD_NOT_ALLOWED,
        "OPTIONS is answered only when CORS is enabled (--cors)\n".to_owned(),
    );
    reply
        .headers
        .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD, POST"));
    reply
}

/// Run `git http-backend` and stream its answer, through `rewriter` if the response is to be
/// rewritten where the pack starts (`body=sideband3`, or a hostile repository's pack tail).
async fn cgi_reply(
    state: &State,
    request: &cgi::Request<'_>,
    body: Incoming,
    rewriter: Option<Sideband3>,
) -> Reply {
    let cgi::Spawned {
        stdin,
        stderr,
        mut output,
        abort,
    } = match cgi::spawn(request) {
        Ok(spawned) => spawned,
        Err(err) => {
            let message = error_chain(&err);
            log(&message);
            return Reply::text(StatusCode::INTERNAL_SERVER_ERROR, format!("{message}\n"));
        }
    };
    let log_enabled = state.log;
    tokio::spawn(cgi::drain_stderr(stderr, move |line| {
        if log_enabled {
            log(&format!("  git http-backend: {line}"));
        }
    }));
    let (done_sender, request_done) = oneshot::channel();
    tokio::spawn(forward_request_body(body, stdin, abort, done_sender));

    let head = match output.read_head().await {
        Ok(head) => head,
        Err(err) => {
            let message = error_chain(&err);
            log(&message);
            return Reply::text(StatusCode::BAD_GATEWAY, format!("{message}\n"));
        }
    };
    let mut headers = HeaderMap::new();
    for (name, value) in head.headers {
        headers.append(name, value);
    }
    let source = match rewriter {
        Some(rewriter) if head.status == StatusCode::OK => {
            // The rewritten body has another length.
            headers.remove(header::CONTENT_LENGTH);
            Source::Sideband3 { output, rewriter }
        }
        _ => Source::Cgi(output),
    };
    Reply {
        status: head.status,
        headers,
        source,
        request_done: Some(request_done),
    }
}

/// Copy the request body into git's stdin, then close it; signal `done` either way.
///
/// If the body cannot be read to its end (the client went away, or sent less than its
/// `Content-Length`), git is killed through `abort` rather than given a short body.
async fn forward_request_body(
    mut body: Incoming,
    mut stdin: ChildStdin,
    abort: cgi::Abort,
    done: oneshot::Sender<()>,
) {
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            abort.kill();
            break;
        };
        if let Ok(data) = frame.into_data() {
            // A write error means git stopped reading (say, a missing repository): it has
            // answered already and needs no more input.
            if stdin.write_all(&data).await.is_err() {
                break;
            }
        }
    }
    drop(stdin);
    // The receiver is gone when the response was already dropped: nothing to tell.
    let _ = done.send(());
}

/// The `redirect…` answer: the target with the path after the fault prefix and the query
/// appended.
fn redirect_reply(redirect: &Redirect, route: &Route, query: Option<&str>) -> Reply {
    let mut location = format!("{}{}", redirect.target.trim_end_matches('/'), route.rest);
    if let Some(query) = query {
        location.push('?');
        location.push_str(query);
    }
    let status = if redirect.found {
        StatusCode::FOUND
    } else {
        StatusCode::MOVED_PERMANENTLY
    };
    let Ok(location_value) = HeaderValue::from_str(&location) else {
        return Reply::text(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("redirect location {location:?} is not a valid header value\n"),
        );
    };
    let mut reply = Reply::text(status, format!("redirecting to {location}\n"));
    reply.headers.insert(header::LOCATION, location_value);
    reply
}

/// The `status` and `body` answers, or `None` if the request goes to git.
fn synthetic_reply(faults: &Faults, kind: RequestKind) -> Option<Reply> {
    let status = match faults.status.map(StatusCode::from_u16) {
        None => None,
        Some(Ok(status)) => Some(status),
        Some(Err(_)) => {
            return Some(Reply::text(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the status knob holds an invalid status code\n".to_owned(),
            ))
        }
    };
    if let Some(synthetic) = faults.body.and_then(|body| response::synthetic(body, kind)) {
        let mut reply = Reply::full(status.unwrap_or(StatusCode::OK), synthetic.body);
        if let Ok(content_type) = HeaderValue::from_str(&synthetic.content_type) {
            reply.headers.insert(header::CONTENT_TYPE, content_type);
        }
        return Some(reply);
    }
    let status = status?;
    Some(Reply::text(
        status,
        format!(
            "simulated {} {}\n",
            status.as_u16(),
            status.canonical_reason().unwrap_or("status")
        ),
    ))
}

/// Apply the knobs every response gets, add CORS headers, and wrap the body.
fn finish(
    state: &State,
    request: &Parts,
    mut reply: Reply,
    faults: &Faults,
    switch: CutSwitch,
    mut log: RequestLog,
) -> Response<ResponseBody> {
    if let Some(content_type) = &faults.content_type {
        if let Ok(content_type) = HeaderValue::from_str(content_type) {
            reply.headers.insert(header::CONTENT_TYPE, content_type);
        }
    }
    if let Some(seconds) = faults.retry_after {
        reply
            .headers
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    if state.cors {
        cors::add_headers(&mut reply.headers, request.headers.get(header::ORIGIN));
    }
    log.set_status(reply.status);
    let cut = match (faults.cut, faults.stall) {
        (Some(after_bytes), _) => Some(Cut::new(after_bytes, reply.request_done, switch)),
        (None, Some(after_bytes)) => Some(Cut::stall(after_bytes)),
        (None, None) => None,
    };
    let mut response = Response::new(ResponseBody::new(reply.source, cut, log));
    *response.status_mut() = reply.status;
    *response.headers_mut() = reply.headers;
    response
}

/// Format `err` and its sources as `outer: inner: innermost`.
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut message = err.to_string();
    let mut source = err.source();
    while let Some(inner) = source {
        message.push_str(": ");
        message.push_str(&inner.to_string());
        source = inner.source();
    }
    message
}

/// Lifecycle
impl Reply {
    fn full(status: StatusCode, body: Bytes) -> Reply {
        // These statuses never carry a body (RFC 9110 sections 15.3.5 and 15.4.5).
        let source = if status == StatusCode::NO_CONTENT || status == StatusCode::NOT_MODIFIED {
            Source::Full(None)
        } else {
            Source::Full(Some(body))
        };
        Reply {
            status,
            headers: HeaderMap::new(),
            source,
            request_done: None,
        }
    }

    fn empty(status: StatusCode) -> Reply {
        Reply {
            status,
            headers: HeaderMap::new(),
            source: Source::Full(None),
            request_done: None,
        }
    }

    fn text(status: StatusCode, text: String) -> Reply {
        let mut reply = Reply::full(status, Bytes::from(text));
        reply.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        reply
    }
}
