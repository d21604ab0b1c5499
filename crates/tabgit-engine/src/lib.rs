//! The browser engine: the git core running in a dedicated Web Worker, and the typed messages
//! the web app exchanges with it.
#![deny(missing_docs)]
#![forbid(unsafe_code)]
