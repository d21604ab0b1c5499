//! The app's few direct uses of browser APIs: `localStorage`, the clock, the location
//! fragment, `blob:` URLs and downloads, reading picked files, and WebCrypto for secrets
//! locked under a passphrase.
//!
//! Everything here is a thin call into the browser; the decisions are in [`crate::state`].
//! It compiles natively (web-sys and js-sys build everywhere) but only runs in a browser.

use js_sys::{Array, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::state::secrets::{LockedSecret, PBKDF2_ITERATIONS};

fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

fn storage() -> Option<web_sys::Storage> {
    window()?.local_storage().ok().flatten()
}

/// A `localStorage` value.
pub fn local_get(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

/// Store a `localStorage` value, or say why it could not be stored.
pub fn local_set(key: &str, value: &str) -> Result<(), String> {
    storage()
        .ok_or_else(|| {
            "Browser storage is unavailable (private mode or disabled storage?)".to_owned()
        })?
        .set_item(key, value)
        .map_err(|_| "Browser storage is full or unavailable; the change was not saved".to_owned())
}

/// Ask the browser to keep this site's storage under pressure (`navigator.storage.persist()`):
/// `Some(true)` when it will, `Some(false)` when it may still clear it, `None` where the browser
/// cannot say.
pub async fn request_persistence() -> Option<bool> {
    let storage = window()?.navigator().storage();
    let promise = storage.persist().ok()?;
    JsFuture::from(promise).await.ok()?.as_bool()
}

/// The wall clock, milliseconds since the epoch.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// The local time zone, in minutes east of UTC.
pub fn offset_minutes() -> i32 {
    -(js_sys::Date::new_0().get_timezone_offset() as i32)
}

/// The location's fragment (`#/settings`).
pub fn location_hash() -> String {
    window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// Go to a fragment (adds a history entry).
pub fn set_location_hash(hash: &str) {
    if let Some(w) = window() {
        let _ = w.location().set_hash(hash);
    }
}

/// Set `data-theme` on `<html>` (empty: follow the system).
pub fn set_theme(attribute: &str) {
    let Some(root) = window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    else {
        return;
    };
    if attribute.is_empty() {
        let _ = root.remove_attribute("data-theme");
    } else {
        let _ = root.set_attribute("data-theme", attribute);
    }
}

fn blob(bytes: &[u8], mime: &str) -> Option<web_sys::Blob> {
    let parts = Array::of1(&Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).ok()
}

/// A `blob:` URL for `bytes` (revoke it with [`revoke_blob_url`]).
pub fn blob_url(bytes: &[u8], mime: &str) -> Option<String> {
    web_sys::Url::create_object_url_with_blob(&blob(bytes, mime)?).ok()
}

/// Release a `blob:` URL.
pub fn revoke_blob_url(url: &str) {
    let _ = web_sys::Url::revoke_object_url(url);
}

/// Offer `bytes` as a download named `file_name`.
pub fn download(bytes: &[u8], file_name: &str, mime: &str) -> Result<(), String> {
    let url = blob_url(bytes, mime).ok_or("The browser could not prepare the download")?;
    let anchor = window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("a").ok())
        .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok())
        .ok_or("The browser could not prepare the download")?;
    anchor.set_href(&url);
    anchor.set_download(file_name);
    anchor.click();
    revoke_blob_url(&url);
    Ok(())
}

/// The bytes of a file the user picked or dropped.
pub async fn read_file(file: &web_sys::File) -> Result<Vec<u8>, String> {
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|_| format!("Could not read {}", file.name()))?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// The files of a `FileList` (file picker or drop).
pub fn files_of(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    let Some(list) = list else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

fn subtle() -> Result<web_sys::SubtleCrypto, String> {
    Ok(window()
        .ok_or("No window")?
        .crypto()
        .map_err(|_| {
            "WebCrypto is unavailable (the page must be served over HTTPS or from localhost)"
        })?
        .subtle())
}

fn random_bytes(n: usize) -> Result<Vec<u8>, String> {
    let mut bytes = vec![0u8; n];
    window()
        .ok_or("No window")?
        .crypto()
        .map_err(|_| "WebCrypto is unavailable")?
        .get_random_values_with_u8_array(&mut bytes)
        .map_err(|_| "No random numbers available")?;
    Ok(bytes)
}

async fn await_promise(promise: Result<js_sys::Promise, JsValue>) -> Result<JsValue, String> {
    let promise = promise.map_err(|_| "WebCrypto refused the request".to_owned())?;
    JsFuture::from(promise)
        .await
        .map_err(|_| "WebCrypto could not complete the request".to_owned())
}

/// Derive the AES-GCM key for `passphrase` and `salt` (PBKDF2-SHA-256, non-extractable).
async fn derive_key(
    passphrase: &str,
    salt: &[u8],
    iterations: u32,
) -> Result<web_sys::CryptoKey, String> {
    let subtle = subtle()?;
    let usages = Array::of1(&"deriveKey".into());
    let material = await_promise(subtle.import_key_with_str(
        "raw",
        &Uint8Array::from(passphrase.as_bytes()),
        "PBKDF2",
        false,
        &usages,
    ))
    .await?;
    let params = web_sys::Pbkdf2Params::new(
        "PBKDF2",
        &"SHA-256".into(),
        iterations,
        &Uint8Array::from(salt),
    );
    let aes = js_sys::Object::new();
    js_sys::Reflect::set(&aes, &"name".into(), &"AES-GCM".into())
        .map_err(|_| "WebCrypto setup failed")?;
    js_sys::Reflect::set(&aes, &"length".into(), &256.into())
        .map_err(|_| "WebCrypto setup failed")?;
    let usages = Array::of2(&"encrypt".into(), &"decrypt".into());
    let key = await_promise(subtle.derive_key_with_object_and_object(
        &params,
        material.unchecked_ref(),
        &aes,
        false,
        &usages,
    ))
    .await?;
    Ok(key.unchecked_into())
}

/// Encrypt `plaintext` under `passphrase` (fresh salt and nonce).
pub async fn lock(passphrase: &str, plaintext: &[u8]) -> Result<LockedSecret, String> {
    let salt = random_bytes(16)?;
    let iv = random_bytes(12)?;
    let key = derive_key(passphrase, &salt, PBKDF2_ITERATIONS).await?;
    let params = web_sys::AesGcmParams::new("AES-GCM", &Uint8Array::from(&iv[..]));
    let sealed =
        await_promise(subtle()?.encrypt_with_object_and_u8_array(&params, &key, plaintext)).await?;
    Ok(LockedSecret::new(
        &salt,
        &iv,
        &Uint8Array::new(&sealed).to_vec(),
        PBKDF2_ITERATIONS,
    ))
}

/// Decrypt a locked secret; a wrong passphrase fails the AES-GCM tag check.
pub async fn unlock(passphrase: &str, locked: &LockedSecret) -> Result<Vec<u8>, String> {
    let (salt, iv, ciphertext) = locked.parts().ok_or("The stored secret is damaged")?;
    let key = derive_key(passphrase, &salt, locked.iterations).await?;
    let params = web_sys::AesGcmParams::new("AES-GCM", &Uint8Array::from(&iv[..]));
    let opened =
        await_promise(subtle()?.decrypt_with_object_and_u8_array(&params, &key, &ciphertext))
            .await
            .map_err(|_| "Wrong passphrase".to_owned())?;
    Ok(Uint8Array::new(&opened).to_vec())
}
