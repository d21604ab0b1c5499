//! Reusable components, one per file.

pub mod clone_dialog;
pub mod commit_graph;
pub mod confirm_dialog;
pub mod connection_editor;
pub mod diff_view;
pub mod engine_status;
pub mod error_banner;
pub mod file_tree;
pub mod file_view;
pub mod progress_view;
pub mod sync_bar;
