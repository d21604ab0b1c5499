//! View-models: plain structs with the UI logic, tested natively without a DOM.

pub mod hash_tool;
