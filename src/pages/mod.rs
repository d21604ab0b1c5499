//! Routed pages, one per file.

pub mod blame;
pub mod branches;
pub mod changes;
pub mod commit;
pub mod file_at;
pub mod files;
pub mod history;
pub mod merge;
pub mod repo;
pub mod repos;
pub mod settings;
