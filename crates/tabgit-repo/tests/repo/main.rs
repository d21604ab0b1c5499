//! The porcelain on real repositories, checked with native git.
#![cfg(not(target_arch = "wasm32"))]
mod checkout;
mod everyday;
mod faults;
mod history;
mod hunks;
mod merging;
mod remote;
mod rev_parse;
