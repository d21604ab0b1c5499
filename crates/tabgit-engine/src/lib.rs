//! The browser engine: the git core running in a dedicated Web Worker over IndexedDB and
//! `fetch`, and the typed messages the web app exchanges with it.
//!
//! The page never does git work: it sends a [`protocol::Request`] through [`bridge`] and
//! receives [`protocol::Event`]s (progress, then one final reply). The worker side
//! ([`worker`]) runs each request with [`ops`], which open the repository from IndexedDB, run
//! the synchronous core (loading pack chunks it asks for), and persist every change in one
//! transaction, under a per-repository Web Lock.
//!
//! ## Examples
//!
//! ```
//! use tabgit_engine::protocol::{Op, Reply};
//! let reply = tabgit_engine::handle_sync(&Op::HashObject { kind: "blob".into(), data: b"hello\n".to_vec() });
//! assert_eq!(reply, Some(Ok(Reply::Hashed { id: "ce013625030ba8dba906f756967f9e9ca394464a".into() })));
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod protocol;

pub mod bridge;
pub mod display;
#[cfg(all(target_arch = "wasm32", feature = "js-api"))]
pub mod js_api;
#[cfg(target_arch = "wasm32")]
pub mod ops;
#[cfg(target_arch = "wasm32")]
pub mod worker;

use protocol::{EngineError, Op, Reply};

/// Handle the operations that need no storage or network, synchronously; `None` for others.
pub fn handle_sync(op: &Op) -> Option<Result<Reply, EngineError>> {
    Some(match op {
        Op::Ping => Ok(Reply::Pong {
            version: env!("CARGO_PKG_VERSION").to_owned(),
        }),
        Op::HashObject { kind, data } => match tabgit_object::Kind::from_bytes(kind.as_bytes()) {
            Ok(kind) => Ok(Reply::Hashed {
                id: tabgit_object::compute_id(kind, data).to_hex(),
            }),
            Err(err) => Err(EngineError::new("Unknown object type", &err)),
        },
        _ => return None,
    })
}
