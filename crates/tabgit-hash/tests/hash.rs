//! Object ids and hashing checked against ids native git computed.
use tabgit_hash::{hash_object, ObjectId, Prefix};

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

#[test]
fn ids_match_git_hash_object() -> Result {
    // `printf 'hello\n' | git hash-object --stdin`
    assert_eq!(
        hash_object(b"blob", b"hello\n").to_hex(),
        "ce013625030ba8dba906f756967f9e9ca394464a"
    );
    // `git mktree </dev/null`: the empty tree.
    assert_eq!(
        hash_object(b"tree", b"").to_hex(),
        "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
    );
    Ok(())
}

#[test]
fn hex_round_trip_and_case() -> Result {
    let id: ObjectId = "CE013625030BA8DBA906F756967F9E9CA394464A".parse()?;
    assert_eq!(
        id.to_string(),
        "ce013625030ba8dba906f756967f9e9ca394464a",
        "git prints lower case"
    );
    assert_eq!(
        format!("{id:?}"),
        "ObjectId(ce013625030ba8dba906f756967f9e9ca394464a)"
    );
    assert_eq!(id.to_hex_short(7), "ce01362");
    assert!(ObjectId::NULL.is_null() && !id.is_null());
    Ok(())
}

#[test]
fn malformed_hex_is_an_error_not_a_panic() {
    use tabgit_hash::decode::Error;
    assert_eq!(
        ObjectId::from_hex(b"abc"),
        Err(Error::InvalidLength { len: 3 })
    );
    assert_eq!(
        ObjectId::from_hex(&[b'g'; 40]),
        Err(Error::InvalidCharacter { position: 0 })
    );
    let mut almost = *b"ce013625030ba8dba906f756967f9e9ca394464a";
    almost[39] = b'\xff';
    assert_eq!(
        ObjectId::from_hex(&almost),
        Err(Error::InvalidCharacter { position: 39 })
    );
    assert!(
        ObjectId::from_slice(&[0u8; 19]).is_none(),
        "19 bytes are not an id"
    );
}

#[test]
fn prefixes_match_only_their_ids() -> Result {
    let id: ObjectId = "ce013625030ba8dba906f756967f9e9ca394464a".parse()?;
    for len in 4..=40 {
        let prefix = Prefix::from_hex(&id.to_hex().as_bytes()[..len])?;
        assert!(
            prefix.matches(&id),
            "a {len}-digit prefix of an id matches it"
        );
    }
    assert!(
        !Prefix::from_hex(b"ce012")?.matches(&id),
        "odd-length prefixes compare the half byte"
    );
    assert!(!Prefix::from_hex(b"ce02")?.matches(&id));
    assert!(
        Prefix::from_hex(b"ce0").is_err(),
        "git requires at least 4 digits"
    );
    assert!(Prefix::from_hex(b"ce0x").is_err());
    Ok(())
}

/// RELIABILITY.md row 27: data carrying a chosen-prefix collision (SHA-mbles, Leurent and
/// Peyrin 2020; the 640-byte test vector `sha1-checked` ships, under MIT/Apache-2.0) is
/// detected, while its id is still the plain SHA-1.
#[test]
fn collision_attacks_are_detected() -> Result {
    let attack = include_bytes!("data/sha-mbles-1.bin");
    let mut hasher = tabgit_hash::Hasher::default();
    hasher.update(attack);
    let detected = hasher.try_finalize().expect_err("SHA-mbles is detected");
    assert_eq!(
        detected.id,
        hasher.finalize(),
        "the reported id is the plain SHA-1"
    );
    let mut checksum = tabgit_hash::Hasher::checksum();
    checksum.update(attack);
    assert_eq!(checksum.finalize(), detected.id, "checksums skip detection");
    let mut clean = tabgit_hash::Hasher::default();
    clean.update(b"hello\n");
    assert!(clean.try_finalize().is_ok(), "ordinary data is not flagged");
    Ok(())
}
