//! `/auth/logout` at a provider without RP-initiated logout (the one at Portcullis is in
//! `flow.rs`).

use std::sync::Arc;

use portcullis_sdk::ManualClock;

use super::Browser;
use super::fake_provider::{FakeProvider, app_on, fake_config, login};

const NOW: i64 = 1_900_000_000;

#[tokio::test]
async fn logout_without_an_end_session_endpoint_uses_auth0_v2_logout() {
    let fake = FakeProvider::start().await;
    fake.answers.lock().unwrap().hide_end_session = true;
    let app = app_on(fake_config(&fake), Arc::new(ManualClock::new(NOW)), None).await;
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
