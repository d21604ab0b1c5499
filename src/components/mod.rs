//! Reusable components, one per file.

pub mod engine_status;
