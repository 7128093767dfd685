use std::sync::Arc;

use portcullis_core::{ManualClock, UnixTime};

use super::*;

const T0: i64 = 1_700_000_000;

fn throttle() -> (Arc<ManualClock>, Throttle) {
    let clock = Arc::new(ManualClock::new(UnixTime(T0)));
    let throttle = Throttle::new(clock.clone(), Limits::default());
    (clock, throttle)
}

fn ip(s: &str) -> ClientIp {
    ClientIp(s.parse().unwrap())
}

fn refused(reason: Reason, retry_after: u64) -> Refused {
    Refused {
        reason,
        retry_after,
    }
}

#[test]
fn token_failures_are_throttled_per_address_and_recover_with_time() {
    let (clock, t) = throttle();
    let a = ip("192.0.2.1");
    for _ in 0..30 {
        assert_eq!(t.check_token(a), Ok(()));
        t.token_failed(a);
    }
    assert_eq!(t.check_token(a), Err(refused(Reason::Token, 2)));
    // Another address is not affected.
    assert_eq!(t.check_token(ip("192.0.2.2")), Ok(()));
    clock.advance(1);
    assert_eq!(t.check_token(a), Err(refused(Reason::Token, 1)));
    clock.advance(1);
    assert_eq!(t.check_token(a), Ok(()));
    t.token_failed(a);
    assert_eq!(t.check_token(a), Err(refused(Reason::Token, 2)));
    // A minute of quiet pays the whole budget back, and the entry goes.
    clock.advance(60);
    assert_eq!(t.check_token(a), Ok(()));
    assert_eq!(t.entries(), 0);
}

#[test]
fn ten_thousand_failures_in_a_minute_get_thirty_through_plus_the_refill() {
    let (clock, t) = throttle();
    let a = ip("203.0.113.9");
    let mut evaluated = 0;
    for i in 0..10_000 {
        if i % 167 == 0 && i > 0 {
            clock.advance(1);
        }
        if t.check_token(a).is_ok() {
            evaluated += 1;
            t.token_failed(a);
        }
    }
    // 59 seconds: the burst of 30, then one every 2 s.
    assert_eq!(clock.now().0 - T0, 59);
    assert_eq!(evaluated, 30 + 29);
}

#[test]
fn checking_a_clean_address_stores_nothing() {
    let (_, t) = throttle();
    for i in 0..1000u32 {
        let addr = std::net::Ipv4Addr::from(i);
        assert_eq!(t.check_token(ClientIp(addr.into())), Ok(()));
    }
    assert_eq!(t.entries(), 0);
}

#[test]
fn ten_consecutive_wrong_passwords_block_that_account_from_that_address() {
    let (clock, t) = throttle();
    let a = ip("192.0.2.1");
    for _ in 0..10 {
        drop(t.begin_password(a, "ada@example.com").unwrap());
    }
    let blocked = refused(Reason::Account, 900);
    assert_eq!(t.begin_password(a, "ada@example.com").err(), Some(blocked));
    // The same account however it is written.
    assert_eq!(
        t.begin_password(a, "  ADA@Example.com ").err(),
        Some(blocked)
    );
    // The real user elsewhere, and another account here, are not blocked.
    assert!(
        t.begin_password(ip("198.51.100.1"), "ada@example.com")
            .is_ok()
    );
    assert!(t.begin_password(a, "bob@example.com").is_ok());
    clock.advance(899);
    assert_eq!(
        t.begin_password(a, "ada@example.com").err(),
        Some(refused(Reason::Account, 1))
    );
    clock.advance(1);
    // Over: a new streak of ten.
    for _ in 0..10 {
        drop(t.begin_password(a, "ada@example.com").unwrap());
    }
    assert_eq!(
        t.begin_password(a, "ada@example.com").err(),
        Some(refused(Reason::Account, 900))
    );
}

#[test]
fn a_success_resets_the_streak() {
    let (_, t) = throttle();
    let a = ip("192.0.2.1");
    for _ in 0..9 {
        drop(t.begin_password(a, "ada@example.com").unwrap());
    }
    t.begin_password(a, "ada@example.com").unwrap().succeeded();
    for _ in 0..9 {
        drop(t.begin_password(a, "ada@example.com").unwrap());
    }
    assert!(t.begin_password(a, "ada@example.com").is_ok());
    assert!(t.begin_password(a, "ada@example.com").is_err());
}

#[test]
fn the_tenth_attempt_is_evaluated_and_a_match_lifts_the_block() {
    let (_, t) = throttle();
    let a = ip("192.0.2.1");
    for _ in 0..9 {
        drop(t.begin_password(a, "ada@example.com").unwrap());
    }
    let tenth = t.begin_password(a, "ada@example.com").unwrap();
    // While it is being verified, the pair is blocked.
    assert!(t.begin_password(a, "ada@example.com").is_err());
    tenth.succeeded();
    assert!(t.begin_password(a, "ada@example.com").is_ok());
}

#[test]
fn an_address_trying_many_accounts_is_throttled_overall() {
    let (clock, t) = throttle();
    let a = ip("192.0.2.1");
    for i in 0..100 {
        drop(
            t.begin_password(a, &format!("user{i}@example.com"))
                .unwrap(),
        );
    }
    assert_eq!(
        t.begin_password(a, "someone@example.com").err(),
        Some(refused(Reason::Address, 36))
    );
    // Also for an account it never tried, and before the account check.
    assert_eq!(
        t.begin_password(a, "user0@example.com").err(),
        Some(refused(Reason::Address, 36))
    );
    assert!(
        t.begin_password(ip("192.0.2.2"), "someone@example.com")
            .is_ok()
    );
    clock.advance(36);
    drop(t.begin_password(a, "someone@example.com").unwrap());
    assert!(t.begin_password(a, "someone@example.com").is_err());
}

#[test]
fn successes_and_refusals_do_not_spend_the_address_budget() {
    let (_, t) = throttle();
    let a = ip("192.0.2.1");
    // 500 good logins from one office NAT.
    for i in 0..500 {
        t.begin_password(a, &format!("user{i}@example.com"))
            .unwrap()
            .succeeded();
    }
    // A blocked pair hammered 500 times more.
    for _ in 0..10 {
        drop(t.begin_password(a, "ada@example.com").unwrap());
    }
    for _ in 0..500 {
        assert_eq!(
            t.begin_password(a, "ada@example.com")
                .err()
                .map(|r| r.reason),
            Some(Reason::Account)
        );
    }
    // 10 failures spent of 100: 90 accounts more may be tried.
    for i in 0..90 {
        drop(
            t.begin_password(a, &format!("other{i}@example.com"))
                .unwrap(),
        );
    }
    assert_eq!(
        t.begin_password(a, "last@example.com")
            .err()
            .map(|r| r.reason),
        Some(Reason::Address)
    );
}

#[test]
fn the_password_and_token_limits_are_separate() {
    let (_, t) = throttle();
    let a = ip("192.0.2.1");
    for _ in 0..30 {
        t.token_failed(a);
    }
    assert!(t.check_token(a).is_err());
    assert!(t.begin_password(a, "ada@example.com").is_ok());
}

#[test]
fn a_million_addresses_do_not_grow_memory_without_bound() {
    let (clock, t) = throttle();
    for i in 0..1_000_000u32 {
        if i % 100_000 == 0 {
            clock.advance(1);
        }
        t.token_failed(ClientIp(
            std::net::Ipv4Addr::from(i.wrapping_mul(2_654_435_761)).into(),
        ));
    }
    let cap = Limits::default().max_entries;
    assert!(t.entries() <= cap + 32, "{}", t.entries());
}

#[test]
fn the_429_has_auth0_shape_and_headers() {
    let r = too_many_requests(&refused(Reason::Token, 7));
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.headers()[header::RETRY_AFTER], "7");
    assert_eq!(r.headers()[header::CACHE_CONTROL], "no-store");
}
