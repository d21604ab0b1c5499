//! The porcelain on real repositories, checked with native git.
#![cfg(not(target_arch = "wasm32"))]
mod checkout;
mod faults;
mod remote;
mod rev_parse;
