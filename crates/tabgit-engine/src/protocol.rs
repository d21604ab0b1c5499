//! The messages between the page and the engine worker.
//!
//! Every request carries an id chosen by the page; every event names the request it belongs to,
//! so several operations can be in flight and progress reaches the right place.

use serde::{Deserialize, Serialize};

/// A request from the page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    /// Chosen by the page, echoed in every [`Event`] for this request.
    pub id: u64,
    /// What to do.
    pub op: Op,
}

/// An operation the engine performs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    /// Check that the engine is alive.
    Ping,
    /// Compute the id of an object (`git hash-object -t <kind>`).
    HashObject {
        /// `blob`, `tree`, `commit` or `tag`.
        kind: String,
        /// The content.
        data: Vec<u8>,
    },
}

/// The final answer to a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reply {
    /// The engine is alive.
    Pong {
        /// The engine's version.
        version: String,
    },
    /// The id of the hashed object.
    Hashed {
        /// Hexadecimal object id.
        id: String,
    },
}

/// An error in words for the user, with detail for the curious.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngineError {
    /// One sentence saying what went wrong.
    pub title: String,
    /// The underlying cause.
    pub detail: String,
}

/// Something the engine tells the page about a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// The request this belongs to.
    pub id: u64,
    /// What happened.
    pub kind: EventKind,
}

/// What happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventKind {
    /// The request finished.
    Done(Result<Reply, EngineError>),
}
