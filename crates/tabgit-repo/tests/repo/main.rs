//! The porcelain on real repositories, checked with native git.
mod checkout;
mod rev_parse;
