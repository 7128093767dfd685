//! The same on PostgreSQL: two instances on one database serve one key set.

use crate::{Running, data_dir, kids, run};

const MASTER: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

#[tokio::test]
async fn two_instances_on_one_database_serve_the_same_jwks() {
    let Some(db) = portcullis_store::testing::fresh_postgres().await else {
        return;
    };
    let url = db.url.clone();
    let (tmp_a, data_a) = data_dir();
    let (_tmp_b, data_b) = data_dir();
    let env = [
        ("PORTCULLIS_MASTER_KEY", MASTER),
        ("PORTCULLIS_KEYS_REFRESH_INTERVAL", "1"),
    ];
    let args = ["--database-url", url.as_str()];
    let a = Running::start(&data_a, &args, &env);
    let b = Running::start(&data_b, &args, &env);
    let ja = a.get("/.well-known/jwks.json");
    let jb = b.get("/.well-known/jwks.json");
    assert_eq!(ja.status, 200);
    assert_eq!(kids(&ja).len(), 1);
    assert_eq!(ja.body, jb.body);
    assert_eq!(a.get("/readyz").status, 200);

    // Rotation through the database reaches both.
    let out = run(
        tmp_a.path(),
        &["keys", "rotate", "--database-url", &url],
        &env,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while (kids(&a.get("/.well-known/jwks.json")).len() < 2
        || kids(&b.get("/.well-known/jwks.json")).len() < 2)
        && std::time::Instant::now() < deadline
    {
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let ja = a.get("/.well-known/jwks.json");
    assert_eq!(kids(&ja).len(), 2);
    assert_eq!(ja.body, b.get("/.well-known/jwks.json").body);

    // Restart keeps the keys.
    let before = kids(&ja);
    let (status, stdout_a) = a.stop();
    assert!(status.success());
    let (_, stdout_b) = b.stop();
    // Exactly one of the two created the tenant and printed its secrets.
    let printed = [&stdout_a, &stdout_b]
        .iter()
        .filter(|s| s.contains("CLIENT_SECRET="))
        .count();
    assert_eq!(printed, 1);
    let again = Running::start(&data_a, &args, &env);
    assert_eq!(kids(&again.get("/.well-known/jwks.json")), before);
    again.stop();
    db.drop_database().await.unwrap();
}
