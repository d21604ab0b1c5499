//! Object parsing and serialization, checked against objects native git wrote.
mod interop;
mod loose;
mod malformed;
mod tree_check;
mod zlib;
