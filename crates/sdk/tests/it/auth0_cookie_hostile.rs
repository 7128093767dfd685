//! Tampered, truncated, oversized, garbage, incomplete, wrong-secret and rotated cookies
//! (SECURITY-CASES item 30): never a panic, never a session unless the cookie is intact.

use portcullis_sdk::auth0_cookie::{ReaderConfig, read_session};

use crate::{cookie_header, generated_at, secret, vector};

fn config() -> ReaderConfig {
    ReaderConfig::from_secrets(&[secret()]).unwrap()
}

/// One cookie of each format, with its name and clock.
fn samples() -> Vec<(&'static str, String, i64)> {
    [
        ("__session", "v4_stateless_small_longlived"),
        ("__session", "v4_stateful_cookie"),
        ("appSession", "v3_stateless_longlived"),
        ("appSession", "eoc_cookie_store_longlived"),
    ]
    .into_iter()
    .map(|(name, id)| {
        let v = vector(id);
        (
            name,
            v["jwe_joined"].as_str().map_or_else(
                || v["cookies"][0]["value"].as_str().unwrap().to_owned(),
                str::to_owned,
            ),
            generated_at(v),
        )
    })
    .collect()
}

#[test]
fn samples_are_valid() {
    for (name, jwe, now) in samples() {
        assert!(
            read_session(&format!("{name}={jwe}"), &config(), now).is_some(),
            "{name}"
        );
    }
}

#[test]
fn one_flipped_byte_in_any_of_the_five_parts_is_no_session() {
    let config = config();
    for (name, jwe, now) in samples() {
        let parts: Vec<&str> = jwe.split('.').collect();
        assert_eq!(parts.len(), 5);
        for part in 0..5 {
            let mut tampered: Vec<String> = parts.iter().map(|p| (*p).to_owned()).collect();
            if tampered[part].is_empty() {
                // The encrypted key is empty with alg dir: any byte there is tampering.
                tampered[part] = "A".to_owned();
            } else {
                // First, middle and last character of the part.
                for position in [0, tampered[part].len() / 2, tampered[part].len() - 1] {
                    let mut bytes = parts[part].as_bytes().to_vec();
                    bytes[position] = if bytes[position] == b'A' { b'Q' } else { b'A' };
                    tampered[part] = String::from_utf8(bytes).unwrap();
                    let cookie = format!("{name}={}", tampered.join("."));
                    assert!(
                        read_session(&cookie, &config, now).is_none(),
                        "{name} part {part} at {position}"
                    );
                }
                continue;
            }
            let cookie = format!("{name}={}", tampered.join("."));
            assert!(
                read_session(&cookie, &config, now).is_none(),
                "{name} part {part}"
            );
        }
    }
}

#[test]
fn truncated_cookies_are_no_session() {
    let config = config();
    for (name, jwe, now) in samples() {
        for len in [0, 1, jwe.len() / 2, jwe.len() - 23, jwe.len() - 1] {
            let cookie = format!("{name}={}", &jwe[..len]);
            assert!(
                read_session(&cookie, &config, now).is_none(),
                "{name} cut at {len}"
            );
        }
        // Whole parts missing.
        let parts: Vec<&str> = jwe.split('.').collect();
        for keep in 1..5 {
            let cookie = format!("{name}={}", parts[..keep].join("."));
            assert!(
                read_session(&cookie, &config, now).is_none(),
                "{name} {keep} parts"
            );
        }
        // Extra bytes.
        let cookie = format!("{name}={jwe}A");
        assert!(read_session(&cookie, &config, now).is_none());
        let cookie = format!("{name}={jwe}.");
        assert!(read_session(&cookie, &config, now).is_none());
    }
}

#[test]
fn garbage_bad_base64_and_huge_cookies_are_no_session() {
    let config = config();
    let now = 1_795_336_298;
    let huge = "A".repeat(100 * 1024);
    let huge_jwe = format!(
        "eyJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiZGlyIn0..AAECAwQFBgcICQoL.{huge}.AAAAAAAAAAAAAAAAAAAAAA"
    );
    let dots = ".".repeat(100_000);
    for value in [
        "",
        "garbage",
        "null",
        "{}",
        "%",
        "%%%%",
        "%00%00",
        "\"\"",
        "....",
        "a.b.c.d.e",
        "eyJhbGciOiJub25lIn0.e30.",
        "eyJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiZGlyIn0..AAECAwQFBgcICQoL.!!!!.AAAAAAAAAAAAAAAAAAAAAA",
        "eyJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiZGlyIn0=..AAECAwQFBgcICQoL.AAAA.AAAAAAAAAAAAAAAAAAAAAA",
        "eyJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiZGlyIn0..AAECAwQFBgcICQoL.AAAA.AAAAAAAAAAAAAAAAAAAAAA",
        "e30..AAECAwQFBgcICQoL.AAAA.AAAAAAAAAAAAAAAAAAAAAA",
        "é.é.é.é.é",
        &huge,
        &huge_jwe,
        &dots,
    ] {
        for name in ["__session", "appSession", "__session__0", "appSession.0"] {
            let cookie = format!("{name}={value}");
            assert!(
                read_session(&cookie, &config, now).is_none(),
                "{name}={value:.60}"
            );
        }
    }
    // Odd headers as a whole.
    for header in [
        "",
        ";",
        "=",
        "__session",
        "__session=;appSession=",
        "\u{0}=\u{0}",
        &"; ".repeat(50_000),
    ] {
        assert!(read_session(header, &config, now).is_none(), "{header:.60}");
    }
}

#[test]
fn wrong_secret_and_removed_secret_are_no_session() {
    let v = vector("v4_stateless_small_longlived");
    let header = cookie_header(v);
    let now = generated_at(v);
    // Same length, one character different; and the hex-decoded form (the SDKs do not decode).
    let mut other = secret().to_owned();
    other.replace_range(0..1, "b");
    for wrong in [other.as_str(), "a-different-secret"] {
        let config = ReaderConfig::from_secrets(&[wrong]).unwrap();
        assert!(read_session(&header, &config, now).is_none(), "{wrong}");
    }
}

#[test]
fn rotation_old_secret_second_in_the_ring_still_reads() {
    let config = ReaderConfig::from_secrets(&["the-new-secret-after-rotation", secret()]).unwrap();
    for (name, jwe, now) in samples() {
        let session = read_session(&format!("{name}={jwe}"), &config, now).unwrap();
        assert!(session.read_with_previous_secret(), "{name}");
    }
    // The other way round: current first, nothing to re-issue.
    let config = ReaderConfig::from_secrets(&[secret(), "an-older-secret"]).unwrap();
    let (name, jwe, now) = &samples()[0];
    let session = read_session(&format!("{name}={jwe}"), &config, *now).unwrap();
    assert!(!session.read_with_previous_secret());
}

#[test]
fn a_missing_chunk_is_no_session() {
    let config = config();
    for id in [
        "v4_stateless_chunked_longlived",
        "v3_stateless_chunked_longlived",
        "eoc_cookie_store_chunked_longlived",
    ] {
        let v = vector(id);
        let now = generated_at(v);
        let chunks: Vec<String> = v["cookies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                format!(
                    "{}={}",
                    c["name"].as_str().unwrap(),
                    c["value"].as_str().unwrap()
                )
            })
            .collect();
        for missing in 0..chunks.len() {
            let mut rest = chunks.clone();
            rest.remove(missing);
            assert!(
                read_session(&rest.join("; "), &config, now).is_none(),
                "{id} without chunk {missing}"
            );
        }
        // A chunk swapped for another's value.
        let mut swapped = chunks.clone();
        let first_value = chunks[0].split_once('=').unwrap().1;
        let (name1, _) = chunks[1].split_once('=').unwrap();
        swapped[1] = format!("{name1}={first_value}");
        assert!(
            read_session(&swapped.join("; "), &config, now).is_none(),
            "{id} swapped"
        );
    }
}

#[test]
fn duplicate_names_take_the_first_and_many_cookies_are_bounded() {
    let config = config();
    let (name, jwe, now) = &samples()[0];
    let good_first = format!("{name}={jwe}; {name}=garbage");
    assert!(read_session(&good_first, &config, *now).is_some());
    let garbage_first = format!("{name}=garbage; {name}={jwe}");
    assert!(read_session(&garbage_first, &config, *now).is_none());

    // 200 other cookies before the session: past the 180 a browser would send, not read.
    let noise: Vec<String> = (0..200).map(|i| format!("c{i}=v{i}")).collect();
    let late = format!("{}; {name}={jwe}", noise.join("; "));
    assert!(read_session(&late, &config, *now).is_none());
    // The same session first, with the noise after it, reads.
    let early = format!("{name}={jwe}; {}", noise.join("; "));
    assert!(read_session(&early, &config, *now).is_some());
}

#[test]
fn expired_cookies_are_no_session() {
    let config = config();
    for (name, jwe, _) in samples() {
        // Every sample expires by 2107 at the latest.
        assert!(
            read_session(&format!("{name}={jwe}"), &config, 4_400_000_000).is_none(),
            "{name}"
        );
    }
}
