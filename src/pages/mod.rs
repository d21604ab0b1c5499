//! Routed pages, one per file.

pub mod branches;
pub mod changes;
pub mod files;
pub mod history;
pub mod repo;
pub mod repos;
pub mod settings;
