//! tabgit's path rules against git's: wildmatch cases from git's test suite, and ignore,
//! attribute and pathspec decisions compared with `git check-ignore`, `git check-attr` and
//! `git ls-files` on the same files.
#![cfg(not(target_arch = "wasm32"))]
mod attr;
mod ignore;
mod pathspec;
mod wildmatch;
