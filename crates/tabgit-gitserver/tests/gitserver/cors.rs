//! CORS: preflights and the headers on ordinary answers.

use crate::{fixture, http, Result};

const DISCOVERY: &str = "/demo.git/info/refs?service=git-upload-pack";
const APP_ORIGIN: &str = "http://127.0.0.1:8080";

#[test]
fn preflight_is_204_with_the_cors_headers() -> Result {
    let fixture = fixture::demo()?;
    let server = fixture::serve(&fixture, |config| config.cors = true)?;
    let response = http::request(
        server.addr(),
        "OPTIONS",
        "/_fault/auth=alice:s3cret/demo.git/git-upload-pack",
        &[
            ("Origin", APP_ORIGIN),
            ("Access-Control-Request-Method", "POST"),
            (
                "Access-Control-Request-Headers",
                "authorization, content-type, git-protocol",
            ),
        ],
        &[],
    )?;
    assert_eq!(response.status, 204, "preflights are answered before auth");
    assert_eq!(
        response.header("access-control-allow-origin"),
        Some(APP_ORIGIN),
        "the origin is echoed"
    );
    assert_eq!(response.header("vary"), Some("Origin"));
    assert_eq!(
        response.header("access-control-allow-methods"),
        Some("GET, POST, OPTIONS")
    );
    assert_eq!(
        response.header("access-control-allow-headers"),
        Some("Authorization, Content-Type, Git-Protocol, Accept")
    );
    assert_eq!(
        response.header("access-control-expose-headers"),
        Some("Content-Type, Retry-After, WWW-Authenticate, Location")
    );
    assert_eq!(response.header("access-control-max-age"), Some("600"));

    let bad_knob = http::request(
        server.addr(),
        "OPTIONS",
        "/_fault/explode/demo.git/info/refs",
        &[("Origin", APP_ORIGIN)],
        &[],
    )?;
    assert_eq!(
        bad_knob.status, 204,
        "a preflight passes even for a bad knob, so the browser can read the 400"
    );
    Ok(())
}

#[test]
fn answers_carry_cors_headers_with_or_without_origin() -> Result {
    let fixture = fixture::demo()?;
    let server = fixture::serve(&fixture, |config| config.cors = true)?;
    let with_origin = http::get(server.addr(), DISCOVERY, &[("Origin", APP_ORIGIN)])?;
    assert_eq!(with_origin.status, 200);
    assert_eq!(
        with_origin.header("access-control-allow-origin"),
        Some(APP_ORIGIN)
    );
    let without_origin = http::get(server.addr(), DISCOVERY, &[])?;
    assert_eq!(
        without_origin.header("access-control-allow-origin"),
        Some("*")
    );
    let unauthorized = http::get(
        server.addr(),
        &format!("/_fault/auth=a:b{DISCOVERY}"),
        &[("Origin", APP_ORIGIN)],
    )?;
    assert_eq!(unauthorized.status, 401);
    assert_eq!(
        unauthorized.header("access-control-allow-origin"),
        Some(APP_ORIGIN),
        "a browser can read fault answers too"
    );
    Ok(())
}

#[test]
fn without_cors_there_are_no_cors_headers_and_options_is_405() -> Result {
    let fixture = fixture::demo()?;
    let server = fixture::serve(&fixture, |_| {})?;
    let response = http::get(server.addr(), DISCOVERY, &[("Origin", APP_ORIGIN)])?;
    assert_eq!(response.header("access-control-allow-origin"), None);
    let preflight = http::request(server.addr(), "OPTIONS", DISCOVERY, &[], &[])?;
    assert_eq!(preflight.status, 405);
    Ok(())
}
