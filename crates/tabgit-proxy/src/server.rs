//! The HTTP server: CORS, the allowlist, and streaming forwarding.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{combinators::BoxBody, BodyExt, Empty, Full};
use hyper::body::Incoming;
use hyper::header::{HeaderName, HeaderValue};
use hyper::{Request, Response, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};

use crate::route::{classify, Refusal};

/// The proxy's settings.
#[derive(Clone, Debug)]
pub struct Config {
    /// Targets (`host:port`) the proxy may forward to over plain HTTP. Nothing else is reachable.
    pub allowed_hosts: Vec<String>,
    /// Origins allowed to read responses (`Access-Control-Allow-Origin`); `*` allows any.
    pub allowed_origins: Vec<String>,
}

type Body = BoxBody<Bytes, hyper::Error>;

fn full(data: impl Into<Bytes>) -> Body {
    Full::new(data.into())
        .map_err(|never| match never {})
        .boxed()
}

/// Request headers forwarded upstream; everything else (cookies, origin, referer, …) is dropped.
const FORWARD_REQUEST: &[&str] = &[
    "authorization",
    "content-type",
    "git-protocol",
    "accept",
    "accept-encoding",
    "content-encoding",
    "content-length",
];
/// Response headers passed back to the browser.
const FORWARD_RESPONSE: &[&str] = &[
    "content-type",
    "content-length",
    "content-encoding",
    "cache-control",
    "retry-after",
    "location",
];

fn cors(config: &Config, origin: Option<&HeaderValue>, response: &mut Response<Body>) {
    let headers = response.headers_mut();
    if let Some(origin) = origin {
        let allowed = config
            .allowed_origins
            .iter()
            .any(|o| o == "*" || o.as_bytes() == origin.as_bytes());
        if allowed {
            headers.insert("access-control-allow-origin", origin.clone());
            headers.insert("vary", HeaderValue::from_static("origin"));
        }
    }
    headers.insert(
        "access-control-allow-methods",
        HeaderValue::from_static("GET, POST, OPTIONS"),
    );
    headers.insert(
        "access-control-allow-headers",
        HeaderValue::from_static("authorization, content-type, git-protocol, accept"),
    );
    headers.insert(
        "access-control-expose-headers",
        HeaderValue::from_static("content-type, retry-after, x-proxy-error, x-www-authenticate"),
    );
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        "content-security-policy",
        HeaderValue::from_static("sandbox; default-src 'none'"),
    );
}

fn refuse(refusal: Refusal) -> Response<Body> {
    let mut response = Response::new(full(format!("refused by tabgit-proxy: {refusal}\n")));
    *response.status_mut() = StatusCode::FORBIDDEN;
    response
        .headers_mut()
        .insert("x-proxy-error", HeaderValue::from_static(refusal.code()));
    response
}

async fn handle(
    config: Arc<Config>,
    client: Client<hyper_util::client::legacy::connect::HttpConnector, Incoming>,
    request: Request<Incoming>,
) -> Result<Response<Body>, Infallible> {
    let origin = request.headers().get("origin").cloned();
    let started = std::time::Instant::now();
    let method = request.method().as_str().to_owned();
    let path = request.uri().path().to_owned();
    let content_type = request
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut response = if path == "/healthz" {
        Response::new(full("ok\n"))
    } else {
        match classify(
            &method,
            &path,
            request.uri().query(),
            content_type.as_deref(),
        ) {
            Err(refusal) => refuse(refusal),
            Ok(target) if !config.allowed_hosts.contains(&target.authority) => {
                let _ = target;
                refuse(Refusal::HostNotAllowed)
            }
            Ok(_) if method == "OPTIONS" => {
                let mut response =
                    Response::new(Empty::new().map_err(|never| match never {}).boxed());
                *response.status_mut() = StatusCode::NO_CONTENT;
                response
            }
            Ok(target) => forward(&client, target, request).await,
        }
    };
    cors(&config, origin.as_ref(), &mut response);
    eprintln!(
        "{method} {path} {} {}ms",
        response.status().as_u16(),
        started.elapsed().as_millis()
    );
    Ok(response)
}

async fn forward(
    client: &Client<hyper_util::client::legacy::connect::HttpConnector, Incoming>,
    target: crate::route::Target,
    request: Request<Incoming>,
) -> Response<Body> {
    let uri = match &target.query {
        Some(q) => format!("http://{}{}?{q}", target.authority, target.path),
        None => format!("http://{}{}", target.authority, target.path),
    };
    let (parts, body) = request.into_parts();
    let mut upstream = Request::builder().method(parts.method).uri(uri);
    for name in FORWARD_REQUEST {
        if let Some(value) = parts.headers.get(*name) {
            upstream = upstream.header(*name, value);
        }
    }
    upstream = upstream.header("user-agent", "git/2.47.3 (tabgit-proxy)");
    let Ok(upstream) = upstream.body(body) else {
        return refuse(Refusal::NotGitPath);
    };
    match client.request(upstream).await {
        Ok(answer) => {
            let (parts, body) = answer.into_parts();
            let mut response = Response::new(body.boxed());
            *response.status_mut() = parts.status;
            for name in FORWARD_RESPONSE {
                if let Some(value) = parts.headers.get(*name) {
                    response
                        .headers_mut()
                        .insert(HeaderName::from_static(name), value.clone());
                }
            }
            // The app asks for credentials itself; the browser must not pop its own dialog.
            if let Some(value) = parts.headers.get("www-authenticate") {
                response
                    .headers_mut()
                    .insert("x-www-authenticate", value.clone());
            }
            response
        }
        Err(err) => {
            let mut response = Response::new(full(format!(
                "tabgit-proxy could not reach the host: {err}\n"
            )));
            *response.status_mut() = StatusCode::BAD_GATEWAY;
            response.headers_mut().insert(
                "x-proxy-error",
                HeaderValue::from_static("upstream-unreachable"),
            );
            response
        }
    }
}

/// Serve on `addr` until the process is stopped; `on_ready` gets the bound address.
pub async fn serve(
    addr: SocketAddr,
    config: Config,
    on_ready: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    on_ready(listener.local_addr()?);
    let config = Arc::new(config);
    let client = Client::builder(TokioExecutor::new()).build_http();
    loop {
        let (stream, _) = listener.accept().await?;
        let config = Arc::clone(&config);
        let client = client.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                handle(Arc::clone(&config), client.clone(), req)
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
