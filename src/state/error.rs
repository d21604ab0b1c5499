//! The one error type the UI shows (STYLE.md 6.3 item 7): a title in words and an expandable
//! detail, with every known secret scrubbed out.

use tabgit_engine::protocol::{EngineError, Secret};

use crate::state::secrets::redact;

/// An error as the banner shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UiError {
    /// One sentence: what went wrong.
    pub title: String,
    /// The cause, for the curious (may be empty).
    pub detail: String,
}

/// Lifecycle
impl UiError {
    /// An error with no detail.
    pub fn new(title: impl Into<String>) -> UiError {
        UiError {
            title: title.into(),
            detail: String::new(),
        }
    }

    /// An engine error, with `secrets` scrubbed from both parts.
    pub fn from_engine(err: &EngineError, secrets: &[&Secret]) -> UiError {
        UiError {
            title: redact(&err.title, secrets.iter().copied()),
            detail: redact(&err.detail, secrets.iter().copied()),
        }
    }

    /// Put `context` ("Push failed") before the title.
    #[must_use]
    pub fn context(mut self, context: &str) -> UiError {
        self.title = format!("{context}: {}", self.title);
        self
    }
}

impl From<String> for UiError {
    fn from(title: String) -> UiError {
        UiError::new(title)
    }
}

#[cfg(test)]
mod tests {
    use tabgit_engine::protocol::{EngineError, Secret};

    use super::UiError;

    #[test]
    fn engine_errors_are_scrubbed() {
        let token = Secret::Bearer {
            token: "tok-123".into(),
        };
        let err = EngineError {
            title: "Authentication failed for host".into(),
            detail: "sent tok-123".into(),
        };
        let ui = UiError::from_engine(&err, &[&token]).context("Clone failed");
        assert_eq!(ui.title, "Clone failed: Authentication failed for host");
        assert_eq!(ui.detail, "sent <redacted>");
        assert_eq!(UiError::from("x".to_owned()).detail, "");
    }
}
