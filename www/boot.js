// Starts the app without an inline script, so the Content-Security-Policy can say
// `script-src 'self'`: trunk writes the hashed names of the app's JS and wasm into this
// script tag's data attributes (Trunk.toml, pattern_script), and this module loads them.
const tag = document.querySelector("script[data-app-js]");
const { default: init } = await import(tag.dataset.appJs);
await init({ module_or_path: tag.dataset.appWasm });
