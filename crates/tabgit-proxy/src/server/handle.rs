//! Answering one request: origin, rate limit, route, target policy, then forwarding and
//! checking the host's answer.

use std::{convert::Infallible, net::SocketAddr, sync::Arc, time::Duration};

use bytes::{Bytes, BytesMut};
use http_body_util::{BodyExt, Empty};
use hyper::{
    body::Incoming,
    header::{self, HeaderValue},
    http::request::Parts,
    HeaderMap, Method, Request, Response, StatusCode,
};
use tokio::time::Instant;

use crate::{
    body::{self, Ending, Limited, Outcome, ResponseBody},
    connection::Slot,
    log::RequestLog,
    policy::{Destination, Scheme, HTTPS_PORT, HTTP_PORT},
    route::{classify, Endpoint, Route},
    server::{headers, Shared},
    target, Refusal,
};

/// The answer before the log line and the headers every response carries are added.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: AnswerBody,
}

enum AnswerBody {
    Text(Bytes),
    Streamed {
        head: Bytes,
        rest: Limited<Incoming>,
        slot: Option<Slot>,
    },
}

/// A refusal and, for rate limits, when to retry.
struct Refused {
    refusal: Refusal,
    retry_after: Option<Duration>,
}

impl From<Refusal> for Refused {
    fn from(refusal: Refusal) -> Self {
        Refused {
            refusal,
            retry_after: None,
        }
    }
}

/// Answer `request`, which arrived from `peer`.
pub(crate) async fn handle(
    shared: Arc<Shared>,
    peer: SocketAddr,
    request: Request<Incoming>,
) -> Result<Response<ResponseBody>, Infallible> {
    let started = std::time::Instant::now();
    let (parts, body) = request.into_parts();
    let mut log = RequestLog::new(
        shared.logging.clone(),
        parts.method.as_str(),
        parts.uri.path(),
        started,
    );
    let answer = answer(&shared, peer, &parts, body, &mut log).await;
    Ok(respond(&shared, &parts, answer, log))
}

/// Answer every request on a connection that is over a connection cap with `refusal`.
pub(crate) fn refuse_connection(
    shared: &Shared,
    refusal: Refusal,
    request: Request<Incoming>,
) -> std::future::Ready<Result<Response<ResponseBody>, Infallible>> {
    let (parts, _body) = request.into_parts();
    let log = RequestLog::new(
        shared.logging.clone(),
        parts.method.as_str(),
        parts.uri.path(),
        std::time::Instant::now(),
    );
    let refused = Refused {
        refusal,
        retry_after: Some(Duration::from_secs(1)),
    };
    let mut response = respond(shared, &parts, Err(refused), log);
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    std::future::ready(Ok(response))
}

/// Turn an answer or a refusal into the response, with the log line, the security headers and
/// (for an allowed origin) the CORS headers.
fn respond(
    shared: &Shared,
    parts: &Parts,
    answer: Result<Answer, Refused>,
    log: RequestLog,
) -> Response<ResponseBody> {
    let mut response = match answer {
        Ok(Answer {
            status,
            headers,
            body,
        }) => {
            let body = match body {
                AnswerBody::Text(text) => ResponseBody::text(text, log),
                AnswerBody::Streamed { head, rest, slot } => {
                    ResponseBody::streamed(head, rest, log, slot)
                }
            };
            let mut response = Response::new(body);
            *response.status_mut() = status;
            *response.headers_mut() = headers;
            response
        }
        Err(Refused {
            refusal,
            retry_after,
        }) => {
            let mut response = Response::new(ResponseBody::text(
                format!("tabgit-proxy: {refusal}\n"),
                log,
            ));
            *response.status_mut() = refusal.status();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            );
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            headers.insert("x-proxy-error", HeaderValue::from_static(refusal.code()));
            if let Some(retry_after) = retry_after {
                let seconds = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
                headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
            }
            response.body_mut().log_mut().set_refusal(refusal.code());
            response
        }
    };
    let status = response.status();
    response.body_mut().log_mut().set_status(status);
    let allowed_origin = parts
        .headers
        .get(header::ORIGIN)
        .filter(|origin| shared.origin_allowed(origin));
    headers::add_response_headers(response.headers_mut(), allowed_origin);
    response
}

/// Decide what to answer: the checks in order, then forwarding.
async fn answer(
    shared: &Shared,
    peer: SocketAddr,
    parts: &Parts,
    body: Incoming,
    log: &mut RequestLog,
) -> Result<Answer, Refused> {
    if parts.uri.path() == "/healthz" {
        if parts.method != Method::GET {
            return Err(Refusal::Method.into());
        }
        return Ok(Answer::text(StatusCode::OK, "ok\n"));
    }
    let client_ip = shared.client_ip(peer, &parts.headers);
    let origin = parts.headers.get(header::ORIGIN);
    match origin {
        Some(origin) if !shared.origin_allowed(origin) => {
            return Err(Refusal::OriginNotAllowed.into())
        }
        None if !shared.allow_no_origin => return Err(Refusal::OriginRequired.into()),
        _ => {}
    }
    let now = Instant::now();
    let rate_limited = |retry_after| Refused {
        refusal: Refusal::RateLimited,
        retry_after: Some(retry_after),
    };
    shared.ip_rate.take(&client_ip, now).map_err(rate_limited)?;
    if let Some(origin) = origin {
        let origin = String::from_utf8_lossy(origin.as_bytes()).into_owned();
        shared
            .origin_rate
            .take(&origin, now)
            .map_err(rate_limited)?;
    }

    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok());
    let route = classify(
        parts.method.as_str(),
        parts.uri.path(),
        parts.uri.query(),
        content_type,
    )?;
    log.set_target(route.authority.to_string(), &route.upstream_path());
    let destination = shared.policy.destination(&route.authority)?;
    if route.preflight {
        return preflight(parts, &route);
    }
    let declared_length = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared_length.is_some_and(|length| length > shared.limits.max_request_body) {
        return Err(Refusal::RequestTooLarge.into());
    }
    let slot = if shared.trusted_proxies.contains(&peer.ip()) {
        Some(shared.forwarded_clients.acquire(Some(client_ip), false)?)
    } else {
        None
    };
    let deadline = Instant::now() + shared.limits.total_timeout;
    forward(shared, parts, body, &route, &destination, deadline, slot).await
}

/// Answer a CORS preflight for `route`: allowed if it announces the endpoint's method.
fn preflight(parts: &Parts, route: &Route) -> Result<Answer, Refused> {
    let announced = parts
        .headers
        .get(header::ACCESS_CONTROL_REQUEST_METHOD)
        .and_then(|value| value.to_str().ok());
    if announced != Some(route.endpoint.method()) {
        return Err(Refusal::Method.into());
    }
    let mut answer = Answer::text(StatusCode::NO_CONTENT, "");
    headers::add_preflight_headers(&mut answer.headers, route.endpoint);
    answer.headers.remove(header::CONTENT_TYPE);
    Ok(answer)
}

/// Send the request to the host and check its answer.
async fn forward(
    shared: &Shared,
    parts: &Parts,
    body: Incoming,
    route: &Route,
    destination: &Destination,
    deadline: Instant,
    slot: Option<Slot>,
) -> Result<Answer, Refused> {
    let limits = &shared.limits;
    let open = shared.connector.open(&shared.policy, destination);
    let mut sender = tokio::time::timeout_at(deadline, open)
        .await
        .map_err(|_| Refusal::UpstreamTimeout)??;

    let request_outcome = Outcome::default();
    let upstream_body = match route.endpoint {
        Endpoint::InfoRefs(_) => Empty::new().map_err(|never| match never {}).boxed(),
        Endpoint::Rpc(_) => Limited::new(
            body,
            limits.max_request_body,
            limits.idle_timeout,
            deadline,
            request_outcome.clone(),
        )
        .boxed(),
    };
    let mut request = Request::builder()
        .method(parts.method.clone())
        .uri(route.upstream_path_and_query())
        .body(upstream_body)
        .map_err(|_| Refusal::BadTarget)?;
    *request.headers_mut() = headers::forwarded_request_headers(parts, route.endpoint);
    let host =
        HeaderValue::try_from(route.authority.to_string()).map_err(|_| Refusal::BadTarget)?;
    request.headers_mut().insert(header::HOST, host);

    let response = {
        let send = sender.send_request(request);
        tokio::pin!(send);
        let mut last_progress = request_outcome.bytes();
        loop {
            tokio::select! {
                result = &mut send => break result,
                () = tokio::time::sleep_until(deadline) => return Err(Refusal::UpstreamTimeout.into()),
                () = tokio::time::sleep(limits.idle_timeout) => {
                    // Still uploading (a push) is progress; silence on both sides is not.
                    let progress = request_outcome.bytes();
                    if progress == last_progress {
                        return Err(Refusal::UpstreamTimeout.into());
                    }
                    last_progress = progress;
                }
            }
        }
    };
    let response = response.map_err(|_| match request_outcome.get() {
        Ending::TooLarge => Refusal::RequestTooLarge,
        Ending::TimedOut => Refusal::UpstreamTimeout,
        Ending::Open | Ending::Broken => Refusal::UpstreamUnreachable,
    })?;
    let (head, incoming) = response.into_parts();
    match head.status.as_u16() {
        200 => {}
        301 | 302 | 303 | 307 | 308 => {
            return redirect(parts, route, destination, head.status, &head.headers)
        }
        400..=599 => {
            let text = format!("tabgit-proxy: the host answered {}\n", head.status);
            let mut answer = Answer::text_owned(head.status, Bytes::from(text));
            let passed =
                headers::passed_response_headers(&head.headers, headers::PASSED_ERROR_HEADERS);
            answer.headers.extend(passed);
            return Ok(answer);
        }
        _ => return Err(Refusal::UpstreamNotGit.into()),
    }

    let service = route.endpoint.service();
    let expected_type = match route.endpoint {
        Endpoint::InfoRefs(_) => service.advertisement_content_type(),
        Endpoint::Rpc(_) => service.result_content_type(),
    };
    let content_type_ok = head
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.eq_ignore_ascii_case(expected_type));
    if !content_type_ok {
        return Err(Refusal::UpstreamNotGit.into());
    }
    let declared_length = head
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared_length.is_some_and(|length| length > limits.max_response_body) {
        return Err(Refusal::ResponseTooLarge.into());
    }
    let mut rest = Limited::new(
        incoming,
        limits.max_response_body,
        limits.idle_timeout,
        deadline,
        Outcome::default(),
    );
    let mut first_bytes = BytesMut::new();
    if let Endpoint::InfoRefs(_) = route.endpoint {
        let encoded = head
            .headers
            .get(header::CONTENT_ENCODING)
            .is_some_and(|value| value.as_bytes() != b"identity");
        if encoded {
            return Err(Refusal::UpstreamNotGit.into());
        }
        while first_bytes.len() < ADVERTISEMENT_PREFIX_LEN {
            match rest.frame().await {
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        first_bytes.extend_from_slice(&data);
                    }
                }
                Some(Err(err)) => return Err(body_refusal(&err).into()),
                None => break,
            }
        }
        if !is_advertisement_start(&first_bytes) {
            return Err(Refusal::UpstreamNotGit.into());
        }
    }
    let headers = headers::passed_response_headers(&head.headers, headers::PASSED_RESPONSE_HEADERS);
    Ok(Answer {
        status: StatusCode::OK,
        headers,
        body: AnswerBody::Streamed {
            head: first_bytes.freeze(),
            rest,
            slot,
        },
    })
}

/// How many bytes of an advertisement are read before passing it on: enough for
/// `000eversion 2\n`.
const ADVERTISEMENT_PREFIX_LEN: usize = 14;

/// Whether an advertisement starts as git smart HTTP says: `^[0-9a-f]{4}#`
/// (`gitprotocol-http.adoc`: "Clients MUST validate the first five bytes of the response
/// entity matches the regex `^[0-9a-f]{4}#`"), or with the protocol v2 capability
/// advertisement's first pkt-line, `version 2`, which `git http-backend` sends without the
/// `# service=` header (`http-backend.c`, `get_info_refs`).
fn is_advertisement_start(bytes: &[u8]) -> bool {
    let Some(length) = bytes.get(..4) else {
        return false;
    };
    if !length
        .iter()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
    {
        return false;
    }
    bytes.get(4) == Some(&b'#') || bytes.starts_with(b"000eversion 2\n")
}

/// The refusal for a host's body that failed while the proxy read it.
fn body_refusal(err: &body::Error) -> Refusal {
    match err {
        body::Error::TooLarge { .. } => Refusal::ResponseTooLarge,
        body::Error::Idle { .. } | body::Error::Deadline => Refusal::UpstreamTimeout,
        body::Error::Broken(_) => Refusal::UpstreamUnreachable,
    }
}

/// Pass a redirect back if it stays on the same scheme, host and port and leads to a git
/// endpoint, with its `Location` rewritten to a proxy path; refuse it otherwise.
fn redirect(
    parts: &Parts,
    route: &Route,
    destination: &Destination,
    status: StatusCode,
    upstream_headers: &HeaderMap,
) -> Result<Answer, Refused> {
    let location = upstream_headers
        .get(header::LOCATION)
        .and_then(|value| value.to_str().ok())
        .ok_or(Refusal::UpstreamNotGit)?;
    let location = location.split('#').next().unwrap_or_default();
    let path_and_query = same_authority_path(location, route, destination)?;
    let (path, query) = match path_and_query.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (path_and_query.as_str(), None),
    };
    let proxy_path = format!("/{}{path}", route.authority);
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok());
    classify(parts.method.as_str(), &proxy_path, query, content_type)
        .map_err(|_| Refusal::RedirectNotGit)?;
    let proxy_location = match query {
        Some(query) => format!("{proxy_path}?{query}"),
        None => proxy_path,
    };
    let mut answer = Answer::text(status, "tabgit-proxy: redirect\n");
    let location = HeaderValue::try_from(proxy_location).map_err(|_| Refusal::RedirectNotGit)?;
    answer.headers.insert(header::LOCATION, location);
    Ok(answer)
}

/// The path and query a `Location` leads to, if it stays on `destination`'s scheme, host and
/// port.
fn same_authority_path(
    location: &str,
    route: &Route,
    destination: &Destination,
) -> Result<String, Refusal> {
    let lowercase = location.get(..8).unwrap_or(location).to_ascii_lowercase();
    let (scheme, rest) = if lowercase.starts_with("https://") {
        (Some(Scheme::Https), &location[8..])
    } else if lowercase.starts_with("http://") {
        (Some(Scheme::Http), &location[7..])
    } else if let Some(rest) = location.strip_prefix("//") {
        (Some(destination.scheme), rest)
    } else if location.contains("://") || location.starts_with('\\') {
        return Err(Refusal::CrossAuthorityRedirect);
    } else {
        (None, location)
    };
    let Some(scheme) = scheme else {
        if location.starts_with('/') {
            return Ok(location.to_owned());
        }
        // A relative reference: resolved against the directory of the request path.
        let upstream_path = route.upstream_path();
        let directory = upstream_path
            .rsplit_once('/')
            .map_or("", |(directory, _)| directory);
        return Ok(format!("{directory}/{location}"));
    };
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = target::parse(&rest[..end]).map_err(|_| Refusal::CrossAuthorityRedirect)?;
    let default_port = match scheme {
        Scheme::Https => HTTPS_PORT,
        Scheme::Http => HTTP_PORT,
    };
    let same = scheme == destination.scheme
        && authority.host == destination.authority.host
        && authority.port.unwrap_or(default_port) == destination.port;
    if !same {
        return Err(Refusal::CrossAuthorityRedirect);
    }
    let path = &rest[end..];
    Ok(if path.starts_with('/') {
        path.to_owned()
    } else {
        format!("/{path}")
    })
}

/// Lifecycle
impl Answer {
    fn text(status: StatusCode, text: &'static str) -> Self {
        Self::text_owned(status, Bytes::from_static(text.as_bytes()))
    }

    fn text_owned(status: StatusCode, text: Bytes) -> Self {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        Answer {
            status,
            headers,
            body: AnswerBody::Text(text),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::server::handle::is_advertisement_start;

    #[test]
    fn advertisement_starts() {
        assert!(is_advertisement_start(b"001e# service=git-upload-pack\n"));
        assert!(is_advertisement_start(b"000eversion 2\n0015agent=git/2.47"));
        assert!(!is_advertisement_start(b"<!DOCTYPE html>"));
        assert!(
            !is_advertisement_start(b"001E# service"),
            "hex is lowercase"
        );
        assert!(!is_advertisement_start(b"0011ERR no repo"));
        assert!(!is_advertisement_start(b"000e"));
        assert!(!is_advertisement_start(b""));
    }
}
