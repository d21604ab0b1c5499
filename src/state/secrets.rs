//! Where connection secrets are kept, per the user's choice (RELIABILITY.md section 6): in this
//! tab's memory only, remembered in the browser, or remembered encrypted under a passphrase
//! (PBKDF2-SHA-256 → AES-GCM-256 via WebCrypto, unlocked once per visit).
//!
//! This module is the bookkeeping and the stored formats; the WebCrypto calls are in
//! `crate::browser::crypto`. Secrets never appear in a repository record, a log or an error:
//! [`redact`] scrubs any text shown to the user.

use std::collections::HashMap;

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use tabgit_engine::protocol::Secret;

/// The `localStorage` key of secrets remembered as they are.
pub const REMEMBERED_KEY: &str = "tabgit.secrets.remembered";
/// The `localStorage` key of secrets locked under a passphrase.
pub const LOCKED_KEY: &str = "tabgit.secrets.locked";
/// PBKDF2 iterations for new locked secrets (OWASP's 2023 figure for PBKDF2-HMAC-SHA256).
pub const PBKDF2_ITERATIONS: u32 = 600_000;

/// A secret encrypted under a passphrase, as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockedSecret {
    /// PBKDF2 salt (16 random bytes), base64.
    pub salt: String,
    /// AES-GCM nonce (12 random bytes), base64.
    pub iv: String,
    /// Ciphertext with its tag, base64.
    pub ciphertext: String,
    /// PBKDF2 iterations.
    pub iterations: u32,
}

/// Conversion
impl LockedSecret {
    /// Assemble from raw parts.
    pub fn new(salt: &[u8], iv: &[u8], ciphertext: &[u8], iterations: u32) -> LockedSecret {
        let b64 = base64::engine::general_purpose::STANDARD;
        LockedSecret {
            salt: b64.encode(salt),
            iv: b64.encode(iv),
            ciphertext: b64.encode(ciphertext),
            iterations,
        }
    }

    /// The raw `(salt, iv, ciphertext)`, or `None` if the record is damaged.
    pub fn parts(&self) -> Option<(Vec<u8>, Vec<u8>, Vec<u8>)> {
        let b64 = base64::engine::general_purpose::STANDARD;
        Some((
            b64.decode(&self.salt).ok()?,
            b64.decode(&self.iv).ok()?,
            b64.decode(&self.ciphertext).ok()?,
        ))
    }
}

/// The plaintext that gets encrypted.
pub fn secret_to_bytes(secret: &Secret) -> Vec<u8> {
    serde_json::to_vec(secret).expect("a secret is plain strings")
}

/// The secret a decrypted plaintext holds.
pub fn secret_from_bytes(bytes: &[u8]) -> Option<Secret> {
    serde_json::from_slice(bytes).ok()
}

/// The secrets of this visit: the ones typed for this tab, the remembered ones and the
/// unlocked ones, by connection id.
#[derive(Clone, Default)]
pub struct Vault {
    held: HashMap<String, Secret>,
}

/// Access
impl Vault {
    /// The secret held for a connection.
    pub fn get(&self, connection_id: &str) -> Option<&Secret> {
        self.held.get(connection_id)
    }

    /// Every secret held (for [`redact`]).
    pub fn all(&self) -> Vec<&Secret> {
        self.held.values().collect()
    }
}

/// Mutation
impl Vault {
    /// Hold `secret` for a connection.
    pub fn put(&mut self, connection_id: &str, secret: Secret) {
        self.held.insert(connection_id.to_owned(), secret);
    }

    /// Forget a connection's secret.
    pub fn forget(&mut self, connection_id: &str) {
        self.held.remove(connection_id);
    }
}

/// Secrets remembered in the browser as they are, by connection id (stored JSON).
pub fn remembered_from_json(text: Option<&str>) -> HashMap<String, Secret> {
    text.and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or_default()
}

/// Locked secrets by connection id (stored JSON).
pub fn locked_from_json(text: Option<&str>) -> HashMap<String, LockedSecret> {
    text.and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or_default()
}

/// JSON of a map of stored secrets.
pub fn map_to_json<T: Serialize, S: std::hash::BuildHasher>(map: &HashMap<String, T, S>) -> String {
    serde_json::to_string(map).expect("stored secrets are plain strings")
}

/// `text` with every secret in `secrets` (and its `user:token` and base64 forms) replaced by
/// `<redacted>`.
pub fn redact<'a>(text: &str, secrets: impl IntoIterator<Item = &'a Secret>) -> String {
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut out = text.to_owned();
    for secret in secrets {
        let mut needles = Vec::new();
        match secret {
            Secret::Basic { username, secret } => {
                needles.push(b64.encode(format!("{username}:{secret}")));
                needles.push(secret.clone());
            }
            Secret::Bearer { token } => needles.push(token.clone()),
        }
        for needle in needles.iter().filter(|n| n.len() >= 3) {
            out = out.replace(needle.as_str(), "<redacted>");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use tabgit_engine::protocol::Secret;

    use super::{
        locked_from_json, map_to_json, redact, remembered_from_json, secret_from_bytes,
        secret_to_bytes, LockedSecret, Vault,
    };

    #[test]
    fn stored_formats_round_trip() {
        let secret = Secret::Basic {
            username: "alice".into(),
            secret: "tok".into(),
        };
        assert_eq!(
            secret_from_bytes(&secret_to_bytes(&secret)),
            Some(secret.clone())
        );
        assert_eq!(secret_from_bytes(b"garbage"), None);
        let locked = LockedSecret::new(&[1; 16], &[2; 12], b"ciphertext", 7);
        assert_eq!(
            locked.parts(),
            Some((vec![1; 16], vec![2; 12], b"ciphertext".to_vec()))
        );
        let map = std::iter::once(("c1".to_owned(), locked)).collect();
        assert_eq!(locked_from_json(Some(&map_to_json(&map))), map);
        let remembered = std::iter::once(("c1".to_owned(), secret)).collect();
        assert_eq!(
            remembered_from_json(Some(&map_to_json(&remembered))),
            remembered
        );
        assert!(remembered_from_json(Some("[")).is_empty());
    }

    #[test]
    fn redaction_covers_every_form_of_a_secret() {
        let mut vault = Vault::default();
        vault.put(
            "c1",
            Secret::Basic {
                username: "alice".into(),
                secret: "hunter22".into(),
            },
        );
        vault.put(
            "c2",
            Secret::Bearer {
                token: "ghp_abc".into(),
            },
        );
        let text = "Authorization: Basic YWxpY2U6aHVudGVyMjI= hunter22 ghp_abc";
        let clean = redact(text, vault.all());
        assert!(
            !clean.contains("hunter22") && !clean.contains("ghp_abc"),
            "{clean}"
        );
        assert!(!clean.contains("YWxpY2U6aHVudGVyMjI="), "{clean}");
        vault.forget("c1");
        assert!(vault.get("c1").is_none());
    }
}
