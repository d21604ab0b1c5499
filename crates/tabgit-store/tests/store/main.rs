//! The object database over memory and over a real `.git` directory, checked with native git.
mod files;
mod odb;
