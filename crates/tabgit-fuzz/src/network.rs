//! Targets for what a server or the network sends: pkt-lines, side-band, advertisements, fetch
//! and push responses, remote URLs, and the proxy's view of a request.

use tabgit_protocol::{
    discovery, fetch,
    packetline::{self, decode::Stream, Decoder, Packet},
    push, sideband, v0, v2, Limits, Ref, AGENT,
};

use crate::{chunks, selector};

/// Small limits, so that a parser that ignores them shows up as an allocation over the fuzzer's
/// cap rather than passing because inputs are short.
const LIMITS: Limits = Limits {
    max_refs: 1000,
    max_bytes: 256 * 1024,
};

/// pkt-line framing, side-band demultiplexing and sanitizing.
///
/// The first byte picks chunk sizes. Checks: the streaming function and the chunked
/// [`Decoder`] see the same packets and agree on whether the input is malformed; a decoded
/// packet encodes back to its bytes; sanitized text holds no control or bidirectional
/// character.
pub fn pktline(data: &[u8]) {
    let (sizes, data) = selector(data);
    let whole = packets_streaming(data);
    let chunked = packets_decoder(data, &chunk_sizes(sizes));
    assert_eq!(
        whole, chunked,
        "decoding in chunks must give the packets of decoding at once"
    );
    let mut progress = sideband::ProgressLines::default();
    for packet in &whole.0 {
        let Packet::Data(payload) = packet else {
            continue;
        };
        check_sanitized(&sideband::sanitize(payload));
        if let Some(error) = packet.as_ref().as_error() {
            check_sanitized(&packetline::RemoteError::from_err_packet(error).message);
        }
        match sideband::decode(payload) {
            Ok(sideband::Band::Progress(text)) => {
                for line in progress.push(text) {
                    check_sanitized(&line.text);
                    assert!(
                        !line.text.contains(['\n', '\r']),
                        "a progress line holds no line end"
                    );
                }
            }
            Ok(sideband::Band::Error(text)) => {
                check_sanitized(&packetline::RemoteError::from_side_band(text).message);
            }
            Ok(sideband::Band::Data(_)) | Err(_) => {}
        }
    }
    if let Some(line) = progress.finish() {
        check_sanitized(&line.text);
    }
}

/// The packets at the start of `data` and whether decoding stopped at an error.
type Decoded = (Vec<Packet>, bool);

fn packets_streaming(data: &[u8]) -> Decoded {
    let mut packets = Vec::new();
    let mut rest = data;
    loop {
        match packetline::decode::streaming(rest) {
            Ok(Stream::Complete { packet, consumed }) => {
                assert!(
                    consumed >= 4 && consumed <= rest.len(),
                    "a packet uses its 4-byte prefix and no more than the input"
                );
                let mut encoded = Vec::new();
                if packet.write_to(&mut encoded).is_ok() {
                    let (prefix, payload) = rest[..consumed].split_at(4);
                    assert!(
                        encoded[..4].eq_ignore_ascii_case(prefix) && encoded[4..] == *payload,
                        "a decoded packet encodes back to its bytes"
                    );
                }
                packets.push(packet.to_owned());
                rest = &rest[consumed..];
            }
            Ok(Stream::Incomplete { bytes_needed }) => {
                assert!(bytes_needed > 0, "an incomplete packet needs more bytes");
                return (packets, false);
            }
            Err(_) => return (packets, true),
        }
    }
}

fn packets_decoder(data: &[u8], sizes: &[u8]) -> Decoded {
    let mut decoder = Decoder::new();
    let mut packets = Vec::new();
    for chunk in chunks(data, sizes) {
        decoder.feed(chunk);
        loop {
            match decoder.next_packet() {
                Ok(Some(packet)) => packets.push(packet.to_owned()),
                Ok(None) => break,
                Err(_) => return (packets, true),
            }
        }
    }
    (packets, false)
}

/// Chunk sizes from one selector byte: 0 means the whole input at once.
fn chunk_sizes(selector: u8) -> Vec<u8> {
    match selector {
        0 => Vec::new(),
        n => vec![n % 7 + 1, n / 7 + 1, n % 3 + 2],
    }
}

/// Assert that `text` (the output of [`sideband::sanitize`]) holds no character a terminal or
/// a page would interpret: C0 controls other than LF, CR and TAB, DEL, C1 controls, and the
/// bidirectional controls (RELIABILITY.md row 32).
pub(crate) fn check_sanitized(text: &str) {
    let bad = text.chars().find(|&c| {
        matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
            || matches!(
                c,
                '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
            )
    });
    assert_eq!(bad, None, "sanitized server text must not hold {bad:?}");
}

/// A discovery response (v0/v1 ref advertisement or v2 capability advertisement) for either
/// service, or a v2 `ls-refs` response; then the requests a client builds from what it parsed.
///
/// The first byte picks the parser (bits 0–1) and chunk sizes (the rest). Checks: parsing in
/// chunks gives what parsing at once gives; refs are within the limit and their names are
/// wire-valid; building `ls-refs` and `fetch` requests for any advertised capabilities works.
pub fn advertisement(data: &[u8]) {
    let (selector, data) = selector(data);
    let sizes = chunk_sizes(selector >> 2);
    match selector & 3 {
        0 | 1 => {
            let service = if selector & 1 == 0 {
                discovery::Service::UploadPack
            } else {
                discovery::Service::ReceivePack
            };
            let whole = discover(service, data, &[]);
            let chunked = discover(service, data, &sizes);
            assert_eq!(
                whole.as_ref().ok(),
                chunked.as_ref().ok(),
                "discovery in chunks must parse like discovery at once"
            );
            assert_eq!(whole.is_ok(), chunked.is_ok());
            match whole {
                Ok(discovery::Advertisement::Refs(refs)) => {
                    check_refs(&refs.refs);
                    if let Some(agent) = refs.capabilities.agent() {
                        check_sanitized(&agent);
                    }
                    let mut arguments = fetch::Arguments::default();
                    arguments
                        .wants
                        .extend(refs.refs.iter().filter_map(|r| r.object_id));
                    arguments.done = true;
                    // Building a request for any server is fine; refusing one is an `Err`.
                    let _ = v0::request(&refs.capabilities, &arguments, AGENT);
                }
                Ok(discovery::Advertisement::V2(capabilities)) => build_v2_requests(&capabilities),
                Err(_) => {}
            }
        }
        _ => {
            let whole = ls_refs(data, &[]);
            let chunked = ls_refs(data, &sizes);
            assert_eq!(
                whole.as_ref().ok(),
                chunked.as_ref().ok(),
                "ls-refs in chunks must parse like ls-refs at once"
            );
            assert_eq!(whole.is_ok(), chunked.is_ok());
            if let Ok(refs) = whole {
                check_refs(&refs);
            }
        }
    }
}

fn discover(
    service: discovery::Service,
    data: &[u8],
    sizes: &[u8],
) -> Result<discovery::Advertisement, discovery::Error> {
    let mut parser =
        discovery::Parser::new(service, Some(service.advertisement_content_type()), LIMITS)?;
    for chunk in chunks(data, sizes) {
        parser.feed(chunk)?;
    }
    parser.finish()
}

fn ls_refs(data: &[u8], sizes: &[u8]) -> Result<Vec<Ref>, v2::ls_refs::Error> {
    let mut parser = v2::ls_refs::ResponseParser::new(LIMITS);
    for chunk in chunks(data, sizes) {
        parser.feed(chunk)?;
    }
    parser.finish()
}

fn build_v2_requests(capabilities: &v2::Capabilities) {
    if let Some(agent) = &capabilities.agent {
        check_sanitized(agent);
    }
    let context = v2::Context::new(capabilities, AGENT);
    let _ = v2::ls_refs::request(&context, &v2::ls_refs::Options::for_clone(capabilities));
    let mut arguments = fetch::Arguments::default();
    arguments
        .wants
        .push(tabgit_hash::ObjectId::from_slice(&[1; 20]).expect("20 bytes"));
    arguments.done = true;
    let _ = v2::fetch::request(&context, &arguments);
}

fn check_refs(refs: &[Ref]) {
    assert!(refs.len() <= LIMITS.max_refs, "at most max_refs refs");
    for r in refs {
        assert!(is_wire_name(&r.name), "ref names are wire-valid");
        if let Some(target) = &r.symref_target {
            assert!(is_wire_name(target), "symref targets are wire-valid");
        }
        assert!(
            r.object_id.is_some() || r.symref_target.is_some(),
            "only an unborn symref has no object id"
        );
    }
}

fn is_wire_name(name: &[u8]) -> bool {
    !name.is_empty() && name.iter().all(|&byte| byte > b' ' && byte != 0x7f)
}

/// A v2 `fetch` response or a v0 upload-pack response (every combination of side-band,
/// shallow and done), streamed in chunks.
///
/// The first byte picks the parser and its options (bits 0–3) and chunk sizes (the rest).
/// Checks: chunked and whole parsing give the same events, pack bytes and end.
pub fn fetch_response(data: &[u8]) {
    let (selector, data) = selector(data);
    let sizes = chunk_sizes(selector >> 4);
    let whole = fetch_events(selector, data, &[]);
    let chunked = fetch_events(selector, data, &sizes);
    assert_eq!(
        whole.as_ref().ok(),
        chunked.as_ref().ok(),
        "a fetch response in chunks must parse like the whole response: {:?} / {:?}",
        whole.as_ref().err(),
        chunked.as_ref().err(),
    );
    assert_eq!(whole.is_ok(), chunked.is_ok());
    if let Ok(collected) = whole {
        for text in &collected.progress {
            check_sanitized(text);
        }
    }
}

/// What a fetch response parser produced.
#[derive(Debug, PartialEq, Eq)]
struct Collected {
    /// Every event but pack data and progress, as text.
    events: Vec<String>,
    progress: Vec<String>,
    pack: Vec<u8>,
    end: fetch::End,
}

fn fetch_events(selector: u8, data: &[u8], sizes: &[u8]) -> Result<Collected, String> {
    let mut collected = Collected {
        events: Vec::new(),
        progress: Vec::new(),
        pack: Vec::new(),
        end: fetch::End::NegotiationContinues,
    };
    let mut record = |event: fetch::Event<'_>| match event {
        fetch::Event::PackData(bytes) => collected.pack.extend_from_slice(bytes),
        fetch::Event::Progress(text) => collected.progress.push(text),
        other => collected.events.push(format!("{other:?}")),
    };
    if selector & 1 == 0 {
        let mut parser = v2::fetch::ResponseParser::new(LIMITS);
        for chunk in chunks(data, sizes) {
            parser.feed(chunk);
            while let Some(event) = parser.next_event().map_err(|e| e.to_string())? {
                record(event);
            }
        }
        collected.end = parser.finish().map_err(|e| e.to_string())?;
    } else {
        let options = v0::ResponseOptions {
            side_band: match (selector >> 1) & 3 {
                0 => None,
                1 => Some(sideband::Mode::SideBand),
                _ => Some(sideband::Mode::SideBand64k),
            },
            shallow_update: selector & 8 != 0,
            done: selector & 16 != 0,
        };
        let mut parser = v0::ResponseParser::new(options, LIMITS);
        for chunk in chunks(data, sizes) {
            parser.feed(chunk);
            while let Some(event) = parser.next_event().map_err(|e| e.to_string())? {
                record(event);
            }
        }
        collected.end = parser.finish().map_err(|e| e.to_string())?;
    }
    Ok(collected)
}

/// A receive-pack response: `report-status` or `report-status-v2`, with or without side-band.
///
/// The first byte picks side-band (bit 0) and chunk sizes (the rest). Checks: chunked and whole
/// parsing agree; messages are sanitized; every rejection has a message.
pub fn report_status(data: &[u8]) {
    let (selector, data) = selector(data);
    let options = push::ResponseOptions {
        side_band: selector & 1 != 0,
    };
    let sizes = chunk_sizes(selector >> 1);
    let whole = report(options, data, &[]);
    let chunked = report(options, data, &sizes);
    assert_eq!(
        whole.as_ref().ok(),
        chunked.as_ref().ok(),
        "a push report in chunks must parse like the whole report"
    );
    assert_eq!(whole.is_ok(), chunked.is_ok());
    if let Ok((report, messages)) = whole {
        assert!(
            report.refs.len() <= LIMITS.max_refs,
            "at most max_refs ref reports"
        );
        for message in &messages {
            check_sanitized(message);
        }
        for status in &report.refs {
            assert!(
                is_wire_name(&status.name),
                "reported ref names are wire-valid"
            );
            if let push::RefOutcome::Rejected { reason } = &status.outcome {
                check_sanitized(reason);
            }
            if let Some(rejection) = status.outcome.rejection() {
                assert!(!rejection.message().is_empty(), "a rejection has a message");
            }
        }
        let _ = report.is_success();
    }
}

fn report(
    options: push::ResponseOptions,
    data: &[u8],
    sizes: &[u8],
) -> Result<(push::Report, Vec<String>), push::Error> {
    let mut parser = push::ResponseParser::new(options, LIMITS);
    let mut messages = Vec::new();
    for chunk in chunks(data, sizes) {
        parser.feed(chunk)?;
        while let Some(message) = parser.next_message() {
            messages.push(message);
        }
    }
    Ok((parser.finish()?, messages))
}

/// A remote URL as a user types it or a server redirects to it.
///
/// Checks: a parsed URL prints as a URL that parses to the same value; joining and proxying
/// keep the origin; [`tabgit_transport::redact`] leaves no user information and no query.
pub fn url(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let redacted = tabgit_transport::redact(&text);
    if let Some((_, rest)) = redacted.split_once("://") {
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        assert!(
            !rest[..authority_end].contains('@'),
            "a redacted URL holds no user information: {redacted:?}"
        );
    }
    assert!(
        !redacted.contains('?'),
        "a redacted URL holds no query: {redacted:?}"
    );
    let Ok(url) = tabgit_transport::Url::parse(&text) else {
        return;
    };
    let printed = url.to_string();
    let reparsed = tabgit_transport::Url::parse(&printed);
    assert_eq!(
        reparsed.as_ref().ok(),
        Some(&url),
        "a parsed URL prints as a URL that parses to itself ({printed:?})"
    );
    let joined = url.join("info/refs?service=git-upload-pack");
    assert_eq!(joined.origin(), url.origin(), "joining keeps the origin");
    let proxy = tabgit_transport::Url::parse("https://proxy.example/").expect("a valid URL");
    let proxied = url.via_proxy(&proxy);
    assert_eq!(
        proxied.origin(),
        proxy.origin(),
        "a proxied URL goes to the proxy"
    );
}

/// A request as the CORS proxy sees it: method, path, query and content type, one per line.
///
/// Checks (RELIABILITY.md section 5 rows 2, 4 and 6): whatever is forwarded is one of the three
/// smart-HTTP requests with the method, query and content type that request needs, its
/// repository path has no dot or empty segment and no percent-encoded dot, backslash or NUL,
/// and the default policy never lets it reach a private address or a port other than 443.
pub fn proxy_route(data: &[u8]) {
    use tabgit_proxy::{
        policy::{is_refused_address, Policy},
        route::{classify, Endpoint, Service},
    };
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n');
    let method = lines.next().unwrap_or_default();
    let path = lines.next().unwrap_or_default();
    let query = lines.next().filter(|query| !query.is_empty());
    let content_type = lines.next().filter(|content_type| !content_type.is_empty());
    if let Some(first_segment) = path.strip_prefix('/').and_then(|p| p.split('/').next()) {
        let _ = tabgit_proxy::target::parse(first_segment);
    }
    let Ok(route) = classify(method, path, query, content_type) else {
        return;
    };
    let upstream = route.upstream_path_and_query();
    let (upstream_path, upstream_query) = match upstream.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (upstream.as_str(), None),
    };
    assert!(
        upstream_path.starts_with('/'),
        "upstream paths are absolute"
    );
    for segment in upstream_path[1..].split('/') {
        let lower = segment.to_ascii_lowercase();
        assert!(
            !segment.is_empty()
                && segment != "."
                && segment != ".."
                && !lower.contains("%2e")
                && !lower.contains("%5c")
                && !lower.contains("%00"),
            "a forwarded path has no dot or empty segment, no encoded dot, backslash or NUL: \
             {upstream_path:?}"
        );
        assert!(
            segment
                .bytes()
                .all(|b| b.is_ascii_graphic() && b != b'\\' && b != b'?' && b != b'#'),
            "a forwarded path holds only URI path characters: {upstream_path:?}"
        );
    }
    match route.endpoint {
        Endpoint::InfoRefs(service) => {
            assert!(route.preflight || method == "GET", "discovery is a GET");
            let expected = match service {
                Service::UploadPack => "service=git-upload-pack",
                Service::ReceivePack => "service=git-receive-pack",
            };
            assert_eq!(
                upstream_query,
                Some(expected),
                "discovery has exactly its query"
            );
        }
        Endpoint::Rpc(service) => {
            assert!(route.preflight || method == "POST", "an RPC is a POST");
            assert_eq!(upstream_query, None, "an RPC has no query");
            if !route.preflight {
                assert!(
                    content_type
                        .is_some_and(|ct| ct.eq_ignore_ascii_case(service.request_content_type())),
                    "an RPC carries its request content type"
                );
            }
        }
    }
    let policy = Policy::new(&[], &[], &[], &[]).expect("the default policy is valid");
    if let Ok(destination) = policy.destination(&route.authority) {
        assert_eq!(destination.port, 443, "by default only port 443 is reached");
        if let Some(address) = route.authority.host.ip() {
            assert!(
                !is_refused_address(address),
                "by default no private address is reached: {address}"
            );
        }
    }
}
