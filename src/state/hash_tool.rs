//! The "hash an object" tool on the home page.

/// What the tool shows after a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HashOutcome {
    /// Nothing asked yet.
    Idle,
    /// The object id the engine computed.
    Id(String),
    /// The engine's error, in words.
    Error(String),
}

impl HashOutcome {
    /// The text to show.
    pub fn text(&self) -> String {
        match self {
            HashOutcome::Idle => "Type something and press Hash.".into(),
            HashOutcome::Id(id) => id.clone(),
            HashOutcome::Error(message) => format!("Error: {message}"),
        }
    }

    /// Turn an engine reply into what the tool shows.
    pub fn from_reply(
        reply: Result<tabgit_engine::protocol::Reply, tabgit_engine::protocol::EngineError>,
    ) -> Self {
        match reply {
            Ok(tabgit_engine::protocol::Reply::Hashed { id }) => HashOutcome::Id(id),
            Ok(other) => HashOutcome::Error(format!("unexpected reply {other:?}")),
            Err(err) => HashOutcome::Error(format!("{}: {}", err.title, err.detail)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::HashOutcome;
    use tabgit_engine::protocol::{EngineError, Reply};

    #[test]
    fn replies_become_text() {
        let ok = HashOutcome::from_reply(Ok(Reply::Hashed { id: "abc".into() }));
        assert_eq!(ok.text(), "abc");
        let err = HashOutcome::from_reply(Err(EngineError {
            title: "Bad".into(),
            detail: "why".into(),
        }));
        assert_eq!(err.text(), "Error: Bad: why");
        assert_eq!(HashOutcome::Idle.text(), "Type something and press Hash.");
    }
}
