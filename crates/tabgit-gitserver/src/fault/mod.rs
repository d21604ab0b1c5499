//! Fault knobs: the misbehaviours the server can be told to show, and their text syntax.
//!
//! A [`Faults`] value is a set of knobs.
//! The server holds one set for every request (from [`Config::faults`](crate::Config::faults),
//! or the binary's flags) and reads another from a `/_fault/<knobs>/` path prefix per request.
//! The text form, parsed by [`Faults::from_str`](std::str::FromStr) and written by
//! [`Display`](std::fmt::Display), is the one documented at the crate root:
//!
//! ```text
//! knobs = knob *( "," knob )
//! knob  = name [ "=" value ]        ; value is percent-decoded
//! ```

pub(crate) mod decode;
pub(crate) mod response;

use std::{fmt, time::Duration};

use crate::route::{RequestKind, Service};

/// The path segment that introduces a knob list: `/_fault/<knobs>/<repository path>`.
pub const PATH_PREFIX: &str = "/_fault/";

/// The text `body=err` sends after `ERR ` in its pkt-line.
pub const ERR_MESSAGE: &str = "simulated server error";

/// The text `body=sideband3` sends on side-band channel 3.
pub const SIDEBAND3_MESSAGE: &str = "error: simulated server failure";

/// A set of fault knobs; the empty set (`Faults::default()`) means a well-behaved server.
///
/// Fields are public so tests can build a set directly; [`Faults::set_knob`] and
/// [`str::parse`] validate the same values from text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults {
    /// `delay=<ms>`: wait this long before answering.
    pub delay: Option<Duration>,
    /// `cut=<bytes>`: send this many bytes of the response body, then drop the connection.
    pub cut: Option<u64>,
    /// `stall=<bytes>`: send this many bytes of the response body, then send nothing more and
    /// keep the connection open (a server that hangs mid-pack: fault N9 without a cut).
    pub stall: Option<u64>,
    /// `status=<code>`: answer with this status (200 to 599) and a short text body.
    pub status: Option<u16>,
    /// `retry-after=<secs>`: add a `Retry-After` header with this many seconds.
    pub retry_after: Option<u64>,
    /// `auth=<user>:<token>`: require these credentials (HTTP Basic, or Bearer with the token).
    pub auth: Option<Credentials>,
    /// `redirect…=<target>`: answer with a redirect to `target`.
    pub redirect: Option<Redirect>,
    /// `v0`: do not pass the client's `Git-Protocol` header on, so git answers in protocol v0.
    pub v0: bool,
    /// `body=<kind>`: replace the response body with a synthetic one.
    pub body: Option<BodyFault>,
    /// `ctype=<mime>`: override the response `Content-Type`.
    pub content_type: Option<String>,
    /// `on=<scope>`: apply the response knobs (`delay`, `cut`, `stall`, `status`, `retry-after`, `body`,
    /// `ctype`) only to requests of this kind; `auth`, `redirect…` and `v0` always apply.
    pub on: Option<Scope>,
}

/// The credentials the `auth` knob requires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The user name; it never contains `:`.
    pub user: String,
    /// The token (password); it may contain `:`.
    pub token: String,
}

/// Where and how the `redirect…` knobs redirect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    /// A path on this server (`/…`) or an absolute URL (`http://…`, `https://…`); the request's
    /// path after the fault prefix, and its query, are appended to it.
    pub target: String,
    /// `true` for `302 Found`, `false` for `301 Moved Permanently`.
    pub found: bool,
    /// `true` to redirect only ref discovery (`GET …/info/refs`), as `redirect-initial` does.
    pub initial_only: bool,
}

/// The synthetic bodies of the `body` knob.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyFault {
    /// `body=html`: `200 text/html` with an HTML login page, as a captive portal sends.
    Html,
    /// `body=err`: a protocol-correct response whose payload is an `ERR` pkt-line.
    Err,
    /// `body=sideband3`: for `git-upload-pack` POSTs, the real response up to the start of the
    /// pack, then a side-band channel 3 fatal message; other requests are served normally.
    Sideband3,
    /// `body=badpkt`: a body with invalid pkt-line framing (`zzzz`).
    BadPkt,
}

/// The request kinds `on=` can restrict the response knobs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// `on=info-refs`: ref discovery, `GET …/info/refs`.
    InfoRefs,
    /// `on=upload-pack`: `POST …/git-upload-pack` (ls-refs and fetch).
    UploadPack,
    /// `on=receive-pack`: `POST …/git-receive-pack` (push).
    ReceivePack,
    /// `on=post`: both POSTs.
    Post,
}

/// The error returned when knob text is not valid.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    /// The knob list, or one item of it, is empty.
    #[error("empty knob in knob list {list:?}")]
    EmptyKnob {
        /// The whole knob list as given.
        list: String,
    },
    /// The knob name is not one of the documented knobs.
    #[error("unknown knob {name:?} (known: delay, cut, stall, status, retry-after, auth, redirect, redirect302, redirect-initial, redirect-initial302, v0, body, ctype, on)")]
    UnknownKnob {
        /// The unknown name.
        name: String,
    },
    /// The knob needs a value (`name=value`) and has none.
    #[error("knob {name:?} needs a value")]
    MissingValue {
        /// The knob name.
        name: String,
    },
    /// The knob takes no value and was given one.
    #[error("knob {name:?} takes no value")]
    UnexpectedValue {
        /// The knob name.
        name: String,
    },
    /// The knob appears twice, or two knobs set the same thing (two redirects).
    #[error("knob {name:?} is given twice or conflicts with an earlier knob")]
    Duplicate {
        /// The knob name.
        name: String,
    },
    /// The value is not percent-decodable into UTF-8.
    #[error("knob {name:?} has a badly percent-encoded value {value:?}")]
    BadEncoding {
        /// The knob name.
        name: String,
        /// The raw value.
        value: String,
    },
    /// The value is not valid for the knob.
    #[error("knob {name:?} has invalid value {value:?}: expected {expected}")]
    InvalidValue {
        /// The knob name.
        name: String,
        /// The decoded value.
        value: String,
        /// What the knob accepts.
        expected: &'static str,
    },
}

/// Access
impl Faults {
    /// Return `true` if no knob is set.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Mutation
impl Faults {
    /// Set one knob from its name and decoded value, validating it as the text syntax does.
    ///
    /// * `value` is `None` for a knob written without `=`, such as `v0`.
    ///
    /// Setting a knob that is already set is an [`Error::Duplicate`].
    pub fn set_knob(&mut self, name: &str, value: Option<&str>) -> Result<(), Error> {
        decode::set_knob(self, name, value)
    }

    /// Set every knob of a comma-separated knob list, as [`str::parse`] reads it.
    ///
    /// Knobs already set here count as duplicates, so flags and a list can be combined safely.
    pub fn set_knobs(&mut self, list: &str) -> Result<(), Error> {
        decode::knob_list(self, list)
    }
}

/// Conversion
impl Faults {
    /// Return the knobs that apply to a request of `kind`: the server-wide set with the request's
    /// path set on top, each first restricted by its own `on`.
    pub(crate) fn for_request(server: &Faults, path: Option<&Faults>, kind: RequestKind) -> Faults {
        let server = server.scoped_to(kind);
        match path {
            Some(path) => server.merged_with(&path.scoped_to(kind)),
            None => server,
        }
    }

    /// Return these knobs with `overrides` applied on top: every knob set in `overrides` replaces
    /// the one here, and `v0` is set if either sets it.
    ///
    /// Both sets must already be scoped (see [`Faults::scoped_to`]); the result has no `on`.
    fn merged_with(&self, overrides: &Faults) -> Faults {
        Faults {
            delay: overrides.delay.or(self.delay),
            cut: overrides.cut.or(self.cut),
            stall: overrides.stall.or(self.stall),
            status: overrides.status.or(self.status),
            retry_after: overrides.retry_after.or(self.retry_after),
            auth: overrides.auth.clone().or_else(|| self.auth.clone()),
            redirect: overrides.redirect.clone().or_else(|| self.redirect.clone()),
            v0: overrides.v0 || self.v0,
            body: overrides.body.or(self.body),
            content_type: overrides
                .content_type
                .clone()
                .or_else(|| self.content_type.clone()),
            on: None,
        }
    }

    /// Return these knobs as they apply to a request of `kind`: if `on` names another kind, the
    /// response knobs are cleared.
    fn scoped_to(&self, kind: RequestKind) -> Faults {
        let applies = match self.on {
            None => true,
            Some(Scope::InfoRefs) => matches!(kind, RequestKind::InfoRefs { .. }),
            Some(Scope::UploadPack) => kind == RequestKind::Rpc(Service::UploadPack),
            Some(Scope::ReceivePack) => kind == RequestKind::Rpc(Service::ReceivePack),
            Some(Scope::Post) => matches!(kind, RequestKind::Rpc(_)),
        };
        if applies {
            return Faults {
                on: None,
                ..self.clone()
            };
        }
        Faults {
            auth: self.auth.clone(),
            redirect: self.redirect.clone(),
            v0: self.v0,
            ..Faults::default()
        }
    }
}

impl std::str::FromStr for Faults {
    type Err = Error;

    /// Parse a knob list such as `on=upload-pack,cut=2000`; values are percent-decoded.
    fn from_str(list: &str) -> Result<Self, Self::Err> {
        let mut faults = Faults::default();
        decode::knob_list(&mut faults, list)?;
        Ok(faults)
    }
}

impl fmt::Display for Faults {
    /// Write the knob list in the text syntax, percent-encoding values so the result is one
    /// URL path segment that parses back to the same knobs.
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut knobs: Vec<String> = Vec::new();
        if let Some(delay) = self.delay {
            knobs.push(format!("delay={}", delay.as_millis()));
        }
        if let Some(cut) = self.cut {
            knobs.push(format!("cut={cut}"));
        }
        if let Some(stall) = self.stall {
            knobs.push(format!("stall={stall}"));
        }
        if let Some(status) = self.status {
            knobs.push(format!("status={status}"));
        }
        if let Some(retry_after) = self.retry_after {
            knobs.push(format!("retry-after={retry_after}"));
        }
        if let Some(auth) = &self.auth {
            knobs.push(format!(
                "auth={}:{}",
                decode::percent_encode(&auth.user),
                decode::percent_encode(&auth.token)
            ));
        }
        if let Some(redirect) = &self.redirect {
            knobs.push(format!(
                "{}={}",
                redirect.knob_name(),
                decode::percent_encode(&redirect.target)
            ));
        }
        if self.v0 {
            knobs.push("v0".to_owned());
        }
        if let Some(body) = self.body {
            knobs.push(format!("body={}", body.as_str()));
        }
        if let Some(content_type) = &self.content_type {
            knobs.push(format!("ctype={}", decode::percent_encode(content_type)));
        }
        if let Some(on) = self.on {
            knobs.push(format!("on={}", on.as_str()));
        }
        out.write_str(&knobs.join(","))
    }
}

/// Access
impl Redirect {
    /// The knob name that produces this redirect: `redirect`, `redirect302`, `redirect-initial`
    /// or `redirect-initial302`.
    pub fn knob_name(&self) -> &'static str {
        match (self.initial_only, self.found) {
            (false, false) => "redirect",
            (false, true) => "redirect302",
            (true, false) => "redirect-initial",
            (true, true) => "redirect-initial302",
        }
    }
}

/// Conversion
impl BodyFault {
    /// The knob value naming this body: `html`, `err`, `sideband3` or `badpkt`.
    pub fn as_str(self) -> &'static str {
        match self {
            BodyFault::Html => "html",
            BodyFault::Err => "err",
            BodyFault::Sideband3 => "sideband3",
            BodyFault::BadPkt => "badpkt",
        }
    }
}

/// Conversion
impl Scope {
    /// The knob value naming this scope: `info-refs`, `upload-pack`, `receive-pack` or `post`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::InfoRefs => "info-refs",
            Scope::UploadPack => "upload-pack",
            Scope::ReceivePack => "receive-pack",
            Scope::Post => "post",
        }
    }
}
