//! The engine worker's entry point; trunk builds it as a module worker with a loader shim
//! (`tabgit-worker_loader.js`).

fn main() {
    #[cfg(target_arch = "wasm32")]
    tabgit_engine::worker::run();
}
