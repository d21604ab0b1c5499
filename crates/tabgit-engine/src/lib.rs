//! The browser engine: the git core running in a dedicated Web Worker, and the typed messages
//! the web app exchanges with it.
//!
//! The page never does git work: it sends a [`protocol::Request`] and receives
//! [`protocol::Event`]s (progress, then one final reply) for it. The worker side is
//! [`worker::Engine`], registered by the `tabgit-worker` binary that trunk builds as a module
//! worker.
//!
//! ## Examples
//!
//! ```
//! use tabgit_engine::protocol::{Op, Reply};
//! let reply = tabgit_engine::handle_sync(&Op::HashObject { kind: "blob".into(), data: b"hello\n".to_vec() });
//! assert_eq!(reply, Ok(Reply::Hashed { id: "ce013625030ba8dba906f756967f9e9ca394464a".into() }));
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod protocol;
pub mod worker;

use protocol::{EngineError, Op, Reply};

/// Handle the operations that need no storage or network, synchronously.
pub fn handle_sync(op: &Op) -> Result<Reply, EngineError> {
    match op {
        Op::Ping => Ok(Reply::Pong {
            version: env!("CARGO_PKG_VERSION").to_owned(),
        }),
        Op::HashObject { kind, data } => {
            let kind =
                tabgit_object::Kind::from_bytes(kind.as_bytes()).map_err(|err| EngineError {
                    title: "Unknown object type".into(),
                    detail: err.to_string(),
                })?;
            Ok(Reply::Hashed {
                id: tabgit_object::compute_id(kind, data).to_hex(),
            })
        }
    }
}
