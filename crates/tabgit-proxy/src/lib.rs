//! tabgit's CORS proxy: lets the browser reach git hosts that send no CORS headers.
//!
//! It forwards git smart HTTP only (`gitprotocol-http`): `GET <repo>/info/refs?service=…`,
//! `POST <repo>/git-upload-pack` and `POST <repo>/git-receive-pack`, to hosts on an explicit
//! allowlist. Everything else is refused with `403` and an `X-Proxy-Error` reason. URLs look like
//! `<proxy>/<host>[:port]/<repo path>/info/refs?service=git-upload-pack`, the convention of
//! isomorphic-git's cors-proxy.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod route;
pub mod server;
