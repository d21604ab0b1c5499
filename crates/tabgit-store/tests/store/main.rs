//! The object database over memory and over a real `.git` directory, checked with native git.
#![cfg(not(target_arch = "wasm32"))]
mod files;
mod odb;
