//! The knob text syntax through the public API: parsing, writing, and the errors.

use std::time::Duration;

use tabgit_gitserver::{
    fault::{BodyFault, Credentials, Error, Redirect, Scope},
    Faults,
};

use crate::{fixture, Result};

#[test]
fn every_knob_round_trips_through_its_text_form() -> Result {
    let faults = Faults {
        delay: Some(Duration::from_millis(1500)),
        cut: Some(2000),
        stall: Some(3000),
        status: Some(429),
        retry_after: Some(5),
        auth: Some(Credentials {
            user: "alice".to_owned(),
            token: "to,k/en%".to_owned(),
        }),
        redirect: Some(Redirect {
            target: "http://127.0.0.1:4000/_fault/v0".to_owned(),
            found: true,
            initial_only: true,
        }),
        v0: true,
        body: Some(BodyFault::Sideband3),
        content_type: Some("text/html; charset=utf-8".to_owned()),
        on: Some(Scope::UploadPack),
    };
    let text = faults.to_string();
    assert!(
        !text.contains('/'),
        "the text form is a single path segment: {text}"
    );
    let parsed: Faults = text.parse()?;
    assert_eq!(parsed, faults, "{text} parses back to the same knobs");
    Ok(())
}

#[test]
fn invalid_knob_text_is_a_matchable_error() {
    let cases = [
        ("", "empty list"),
        ("cut=1,", "trailing comma"),
        ("nope", "unknown knob"),
        ("v0,v0", "duplicate"),
        ("redirect=%2Fa,redirect302=%2Fb", "two redirects"),
        ("cut", "missing value"),
        ("v0=yes", "unexpected value"),
        ("cut=-1", "bad number"),
        ("status=99", "status out of range"),
        ("auth=:token", "empty user"),
        ("redirect=ftp%3A%2F%2Fx", "bad target"),
        ("body=json", "bad body"),
        ("on=everything", "bad scope"),
        ("ctype=%zz", "bad escape"),
    ];
    for (text, why) in cases {
        let parsed = text.parse::<Faults>();
        let expected_variant = match why {
            "empty list" | "trailing comma" => matches!(parsed, Err(Error::EmptyKnob { .. })),
            "unknown knob" => matches!(parsed, Err(Error::UnknownKnob { .. })),
            "duplicate" | "two redirects" => matches!(parsed, Err(Error::Duplicate { .. })),
            "missing value" => matches!(parsed, Err(Error::MissingValue { .. })),
            "unexpected value" => matches!(parsed, Err(Error::UnexpectedValue { .. })),
            "bad escape" => matches!(parsed, Err(Error::BadEncoding { .. })),
            _ => matches!(parsed, Err(Error::InvalidValue { .. })),
        };
        assert!(expected_variant, "{text:?} ({why}) gave {parsed:?}");
    }
}

#[test]
fn set_knob_and_set_knobs_share_duplicate_detection() -> Result {
    let mut faults = Faults::default();
    faults.set_knob("cut", Some("10"))?;
    assert_eq!(
        faults.set_knobs("delay=5,cut=20"),
        Err(Error::Duplicate {
            name: "cut".to_owned()
        }),
        "a flag and a list cannot both set cut"
    );
    Ok(())
}

#[test]
fn fault_url_is_the_base_url_with_the_prefix() -> Result {
    let fixture = fixture::demo()?;
    let server = fixture::serve(&fixture, |config| config.log = false)?;
    let url = server.url();
    assert_eq!(url, format!("http://127.0.0.1:{}", server.port()));
    assert_eq!(
        server.fault_url(&Faults::default()),
        url,
        "no knobs, no prefix"
    );
    let faults: Faults = "status=503".parse()?;
    assert_eq!(
        server.fault_url(&faults),
        format!("{url}/_fault/status=503")
    );
    server.shutdown()?;
    Ok(())
}
