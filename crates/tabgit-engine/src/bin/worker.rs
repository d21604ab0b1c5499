//! The engine worker's entry point; trunk builds it as a module worker (`worker.js`).
use gloo_worker::Registrable;

fn main() {
    console_error_panic_hook::set_once();
    tabgit_engine::worker::Engine::registrar().register();
}
