use portcullis_jose::CookieKeyRing;
use serde_json::{Value, json};

use super::*;

const SECRET: &str = "a3f1c2d4e5b60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";
const T0: i64 = 1_800_000_000;
const DAY: i64 = 86_400;

fn fixed_iv(iv: &mut [u8; 12]) {
    *iv = [7; 12];
}

fn cookies(secrets: &[&str], options: CookieOptions) -> SessionCookies {
    let keys = CookieKeyRing::from_secrets(secrets).unwrap();
    SessionCookies::new(keys, options, Lifetime::default()).unwrap()
}

fn session(created_at: i64, big: usize) -> Value {
    json!({
        "user": {"sub": "auth0|abc", "name": "Ada", "big": "x".repeat(big)},
        "tokenSet": {"accessToken": "at", "expiresAt": created_at + 3600},
        "internal": {"sid": "sid-1", "createdAt": created_at},
        "cart": [1, 2],
    })
}

/// The `Cookie` header a browser sends after `set_cookies` (deletions drop cookies).
fn browser(before: &str, set_cookies: &[String]) -> String {
    let mut jar: Vec<(String, String)> = before
        .split("; ")
        .filter(|c| !c.is_empty())
        .map(|c| {
            let (n, v) = c.split_once('=').unwrap();
            (n.to_owned(), v.to_owned())
        })
        .collect();
    for sc in set_cookies {
        let pair = sc.split("; ").next().unwrap();
        let (name, value) = pair.split_once('=').unwrap();
        jar.retain(|(n, _)| n != name);
        if !sc.contains("Max-Age=0") {
            jar.push((name.to_owned(), value.to_owned()));
        }
    }
    jar.iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

fn names(set_cookies: &[String]) -> Vec<String> {
    set_cookies
        .iter()
        .map(|s| {
            let name = s.split('=').next().unwrap();
            if s.contains("Max-Age=0") {
                format!("-{name}")
            } else {
                format!("+{name}")
            }
        })
        .collect()
}

fn with_exp(mut v: Value, exp: i64) -> Value {
    v["exp"] = exp.into();
    v
}

#[test]
fn a_written_session_reads_back_with_its_exp() {
    let sc = cookies(&[SECRET], CookieOptions::default());
    let s = session(T0, 0);
    let set = sc
        .write(&s, &RequestCookies::parse(""), T0, &fixed_iv)
        .unwrap();
    assert_eq!(names(&set), ["+__session"]);
    assert!(
        set[0].ends_with(&format!("; Max-Age={DAY}; HttpOnly; SameSite=Lax")),
        "{}",
        set[0]
    );
    let header = browser("theme=dark", &set);
    let read = sc.read(&RequestCookies::parse(&header), T0 + 10);
    assert_eq!(read, Some(with_exp(s, T0 + DAY)));
}

#[test]
fn big_sessions_are_chunked_and_stale_cookies_deleted() {
    let sc = cookies(&[SECRET], CookieOptions::default());
    let small = session(T0, 0);
    let big = session(T0, 9_000);
    // Small first, then big: chunks, and the single cookie goes.
    let first = sc
        .write(&small, &RequestCookies::parse(""), T0, &fixed_iv)
        .unwrap();
    let jar = browser("", &first);
    let set = sc
        .write(&big, &RequestCookies::parse(&jar), T0, &fixed_iv)
        .unwrap();
    assert_eq!(
        names(&set),
        [
            "+__session__0",
            "+__session__1",
            "+__session__2",
            "+__session__3",
            "-__session"
        ]
    );
    for sc in &set[..3] {
        let value = sc.split("; ").next().unwrap().split_once('=').unwrap().1;
        assert_eq!(value.len(), MAX_CHUNK);
    }
    let jar = browser(&jar, &set);
    assert_eq!(
        sc.read(&RequestCookies::parse(&jar), T0),
        Some(with_exp(big.clone(), T0 + DAY))
    );
    // Shrinks: the single cookie again, every chunk deleted.
    let set = sc
        .write(&small, &RequestCookies::parse(&jar), T0, &fixed_iv)
        .unwrap();
    assert_eq!(
        names(&set),
        [
            "+__session",
            "-__session__0",
            "-__session__1",
            "-__session__2",
            "-__session__3"
        ]
    );
    let jar = browser(&jar, &set);
    assert!(!jar.contains("__session__"), "{jar}");
    assert_eq!(
        sc.read(&RequestCookies::parse(&jar), T0),
        Some(with_exp(small, T0 + DAY))
    );
    // Fewer chunks: only the extra ones go (`04` is chunk 4 to nextjs-auth0 too).
    let jar5 = format!("{jar}; __session__4=x; __session__04=y; __session__x=z");
    let set = sc
        .write(&big, &RequestCookies::parse(&jar5), T0, &fixed_iv)
        .unwrap();
    assert_eq!(
        names(&set)[4..],
        ["-__session", "-__session__04", "-__session__4"]
    );
}

#[test]
fn lifetimes_roll_and_end() {
    let sc = cookies(&[SECRET], CookieOptions::default());
    let s = session(T0, 0);
    let at = |now: i64, jar: &str| {
        sc.write(&s, &RequestCookies::parse(jar), now, &fixed_iv)
            .unwrap()
    };
    let jar = browser("", &at(T0, ""));
    let read = |jar: &str, now| sc.read(&RequestCookies::parse(jar), now);
    // Inactivity: a day after the last write, (15 s tolerance) gone.
    assert!(read(&jar, T0 + DAY).is_some());
    assert!(read(&jar, T0 + DAY + 16).is_none());
    // Rolling: written again at +20 h, it lasts to +44 h.
    let jar = browser(&jar, &at(T0 + 20 * 3600, &jar));
    assert_eq!(read(&jar, T0 + 43 * 3600).unwrap()["exp"], T0 + 44 * 3600);
    // ...but never past the absolute end, 3 days after createdAt.
    let late = at(T0 + 2 * DAY + 12 * 3600, &jar);
    let jar = browser(&jar, &late);
    assert_eq!(read(&jar, T0).unwrap()["exp"], T0 + 3 * DAY);
    assert!(
        late[0].contains(&format!("Max-Age={}", DAY / 2)),
        "{}",
        late[0]
    );
    // At the end: the write deletes the session.
    let end = at(T0 + 3 * DAY, &jar);
    assert_eq!(names(&end), ["-__session"]);
}

#[test]
fn transient_secure_and_rotation() {
    let options = CookieOptions {
        transient: true,
        secure: true,
        domain: Some("example.com".to_owned()),
        ..CookieOptions::default()
    };
    let old = cookies(&["the old secret"], options.clone());
    let s = session(T0, 0);
    let set = old
        .write(&s, &RequestCookies::parse(""), T0, &fixed_iv)
        .unwrap();
    assert!(!set[0].contains("Max-Age"), "{}", set[0]);
    assert!(set[0].ends_with("; Path=/; Domain=example.com; Secure; HttpOnly; SameSite=Lax"));
    let jar = browser("", &set);
    // The new secret first, the old one still read.
    let rotated = cookies(&[SECRET, "the old secret"], options);
    assert!(rotated.read(&RequestCookies::parse(&jar), T0).is_some());
    let other = cookies(&[SECRET], CookieOptions::default());
    assert!(other.read(&RequestCookies::parse(&jar), T0).is_none());
}

#[test]
fn only_objects_are_sessions() {
    let sc = cookies(&[SECRET], CookieOptions::default());
    let err = sc.write(&json!([1]), &RequestCookies::parse(""), T0, &fixed_iv);
    assert!(matches!(err, Err(SdkError::InvalidSession(_))));
    let bad = SessionCookies::new(
        CookieKeyRing::from_secrets(&[SECRET]).unwrap(),
        CookieOptions {
            same_site: SameSite::None,
            ..CookieOptions::default()
        },
        Lifetime::default(),
    );
    assert!(matches!(
        bad,
        Err(SdkError::InvalidSetting {
            name: "same_site",
            ..
        })
    ));
}
