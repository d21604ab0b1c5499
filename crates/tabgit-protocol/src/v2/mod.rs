//! Protocol v2: the capability advertisement and the command request framing shared by
//! [`ls_refs`] and [`fetch`].
//!
//! From `gitprotocol-v2` ("Capability Advertisement", "Command Request"):
//!
//! ```text
//! capability-advertisement = protocol-version
//!                            capability-list
//!                            flush-pkt
//! protocol-version = PKT-LINE("version 2" LF)
//! capability-list  = *capability
//! capability       = PKT-LINE(key[=value] LF)
//! key              = 1*(ALPHA | DIGIT | "-_")
//! value            = 1*(ALPHA | DIGIT | " -_.,?\/{}[]()<>!@#$%^&*+=:;")
//!
//! request          = empty-request | command-request
//! empty-request    = flush-pkt
//! command-request  = command
//!                    capability-list
//!                    delim-pkt
//!                    command-args
//!                    flush-pkt
//! command          = PKT-LINE("command=" key LF)
//! command-args     = *command-specific-arg
//! ```
//!
//! "Clients must ignore all unknown keys"; known keys are parsed into [`Capabilities`]'s
//! fields and the rest are kept in [`Capabilities::other`].
//! A client may send `agent=` only if the server advertised `agent`, `server-option=` only if
//! it advertised `server-option`; [`Context::new`] follows these rules.

pub mod fetch;
pub mod ls_refs;

use crate::packetline::encode;

/// The reason a capability advertisement or a command request's capability list is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// An advertised capability line is not `key[=value]`.
    #[error("invalid protocol v2 capability line \"{line}\"")]
    InvalidCapability {
        /// The line, escaped.
        line: String,
    },
    /// A value to send has characters the protocol does not allow there.
    #[error("invalid {what} \"{value}\" for a protocol v2 request")]
    InvalidValue {
        /// Which value (`agent`, `object-format`, `server-option`).
        what: &'static str,
        /// The value, escaped.
        value: String,
    },
    /// A value does not fit in one pkt-line.
    #[error(transparent)]
    Encode(#[from] encode::Error),
}

/// A server's protocol v2 capabilities.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Capabilities {
    /// `agent=<agent>`: the server's software, for display only (sanitized).
    pub agent: Option<String>,
    /// `ls-refs[=<features>]`: the command's features (such as `unborn`), if advertised.
    pub ls_refs: Option<Vec<String>>,
    /// `fetch[=<features>]`: the command's features (`shallow`, `filter`, `ref-in-want`,
    /// `sideband-all`, `packfile-uris`, `wait-for-done`), if advertised.
    pub fetch: Option<Vec<String>>,
    /// `server-option`: requests may carry `server-option=<option>` lines.
    pub server_option: bool,
    /// `object-format=<format>`; `None` means SHA-1.
    pub object_format: Option<String>,
    /// `session-id=<id>`.
    pub session_id: Option<String>,
    /// `object-info`: the command is available.
    pub object_info: bool,
    /// Every other capability (`bundle-uri`, future keys), as key and optional value.
    pub other: Vec<(String, Option<String>)>,
}

/// What a client puts in a command request's capability list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    /// `agent=<agent>`; printable ASCII without spaces.
    pub agent: Option<String>,
    /// `object-format=<format>`.
    pub object_format: Option<String>,
    /// `server-option=<option>` lines; no NUL or LF.
    pub server_options: Vec<String>,
}

/// Lifecycle
impl Capabilities {
    /// Parse one capability line (without its LF) and add it.
    pub fn push_line(&mut self, line: &[u8]) -> Result<(), Error> {
        let invalid = || Error::InvalidCapability {
            line: crate::escape(line),
        };
        let (key, value) = match line.iter().position(|&byte| byte == b'=') {
            Some(eq) => (&line[..eq], Some(&line[eq + 1..])),
            None => (line, None),
        };
        let key_ok = !key.is_empty()
            && key
                .iter()
                .all(|&byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_');
        let value_ok = value.is_none_or(|value| {
            !value.is_empty() && value.iter().all(|&byte| (b' '..=b'~').contains(&byte))
        });
        if !key_ok || !value_ok {
            return Err(invalid());
        }
        let key = String::from_utf8_lossy(key).into_owned();
        let value = value.map(|value| String::from_utf8_lossy(value).into_owned());
        let features = |value: &Option<String>| {
            value
                .as_deref()
                .unwrap_or_default()
                .split(' ')
                .filter(|feature| !feature.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        };
        match key.as_str() {
            "agent" => self.agent = value,
            "ls-refs" => self.ls_refs = Some(features(&value)),
            "fetch" => self.fetch = Some(features(&value)),
            "server-option" => self.server_option = true,
            "object-format" => self.object_format = value,
            "session-id" => self.session_id = value,
            "object-info" => self.object_info = true,
            _ => self.other.push((key, value)),
        }
        Ok(())
    }
}

/// Access
impl Capabilities {
    /// Whether the server offers the command `name` (`ls-refs`, `fetch`, `object-info`, or an
    /// unknown command listed in [`Capabilities::other`]).
    pub fn supports_command(&self, name: &str) -> bool {
        match name {
            "ls-refs" => self.ls_refs.is_some(),
            "fetch" => self.fetch.is_some(),
            "object-info" => self.object_info,
            _ => self.other.iter().any(|(key, _)| key == name),
        }
    }

    /// Whether `fetch` is offered with the feature `name` (such as `shallow` or `filter`).
    pub fn supports_fetch_feature(&self, name: &str) -> bool {
        self.fetch
            .as_ref()
            .is_some_and(|features| features.iter().any(|feature| feature == name))
    }

    /// Whether `ls-refs` is offered with the feature `name` (such as `unborn`).
    pub fn supports_ls_refs_feature(&self, name: &str) -> bool {
        self.ls_refs
            .as_ref()
            .is_some_and(|features| features.iter().any(|feature| feature == name))
    }
}

/// Lifecycle
impl Context {
    /// What git sends to `server`: `agent=<agent>` if the server advertised `agent`, and the
    /// server's `object-format` if it advertised one; no server options.
    pub fn new(server: &Capabilities, agent: &str) -> Self {
        Context {
            agent: server.agent.as_ref().map(|_| agent.to_owned()),
            object_format: server.object_format.clone(),
            server_options: Vec::new(),
        }
    }
}

/// Access
impl Context {
    /// Write `command=<command>`, the capability list and the delimiter.
    pub(crate) fn write_command(&self, command: &str, out: &mut Vec<u8>) -> Result<(), Error> {
        encode::text(format!("command={command}").as_bytes(), out)?;
        if let Some(agent) = &self.agent {
            check_token("agent", agent)?;
            encode::text(format!("agent={agent}").as_bytes(), out)?;
        }
        if let Some(format) = &self.object_format {
            check_token("object-format", format)?;
            encode::text(format!("object-format={format}").as_bytes(), out)?;
        }
        for option in &self.server_options {
            if option.bytes().any(|byte| byte == 0 || byte == b'\n') {
                return Err(Error::InvalidValue {
                    what: "server-option",
                    value: crate::escape(option.as_bytes()),
                });
            }
            encode::text(format!("server-option={option}").as_bytes(), out)?;
        }
        encode::delimiter(out);
        Ok(())
    }
}

/// `agent` and `object-format` values: printable ASCII without spaces (`gitprotocol-v2`,
/// "agent": "the byte range 32 < x < 127").
fn check_token(what: &'static str, value: &str) -> Result<(), Error> {
    if value.is_empty() || !value.bytes().all(|byte| byte > b' ' && byte < 0x7f) {
        return Err(Error::InvalidValue {
            what,
            value: crate::escape(value.as_bytes()),
        });
    }
    Ok(())
}
