//! `/auth/logout` at a provider without RP-initiated logout (the one at Portcullis is in
//! `flow.rs`).

use std::sync::Arc;

use portcullis_sdk::ManualClock;

use super::fake_provider::{FakeProvider, fake_config, login};
use super::{Browser, app, client};

const NOW: i64 = 1_900_000_000;

#[tokio::test]
async fn logout_without_an_end_session_endpoint_uses_auth0_v2_logout() {
    let fake = FakeProvider::start().await;
    fake.answers.lock().unwrap().hide_end_session = true;
    let auth = client(fake_config(&fake), Arc::new(ManualClock::new(NOW))).await;
    let app = app(&auth);
    let mut browser = Browser::default();
    login(&app, &mut browser, &fake, NOW, |_| {}).await;
    let out = browser.get(&app, "/auth/logout?returnTo=/bye").await;
    assert_eq!(
        out.location(),
        format!(
            "{}/v2/logout?returnTo=http%3A%2F%2Flocalhost%3A3000%2Fbye&client_id=fake-client",
            fake.issuer
        )
    );
    assert!(!browser.cookies.contains_key("__session"));
}
