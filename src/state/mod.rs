//! View-models: plain structs with the UI logic, tested natively without a DOM.

pub mod blame;
pub mod branches;
pub mod changes;
pub mod clone;
pub mod conflict;
pub mod connections;
pub mod diff;
pub mod editor;
pub mod error;
pub mod files;
pub mod history;
pub mod repos;
pub mod route;
pub mod secrets;
pub mod settings;
pub mod sync;
pub mod url;
pub mod zip;
