// Starts the app without an inline script, so the Content-Security-Policy can say
// `script-src 'self'`: trunk writes the hashed names of the app's JS and wasm into this
// script tag's data attributes (Trunk.toml, pattern_script), and this module loads them.
const tag = document.querySelector("script[data-app-js]");
const app = await import(tag.dataset.appJs);
await app.default({ module_or_path: tag.dataset.appWasm });
// The engine's JavaScript API (crates/tabgit-engine/src/js_api.rs; types in the module's .d.ts),
// for other scripts on this page and the console: `new tabgit.TabgitEngine(workerUrl)`.
window.tabgit = Object.freeze({ TabgitEngine: app.TabgitEngine });
