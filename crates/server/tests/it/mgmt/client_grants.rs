//! `/api/v2/client-grants`.

use axum::http::Method;
use serde_json::{Value, json};

use super::Mgmt;
use super::clients::{client_credentials, new_m2m};

const ORDERS: &str = "https://orders.example/";

/// An API with three scopes.
async fn orders_api(m: &Mgmt) {
    let a = m
        .post(
            "/api/v2/resource-servers",
            json!({
                "name": "Orders",
                "identifier": ORDERS,
                "scopes": [{"value": "read:orders"}, {"value": "write:orders"}, {"value": "admin:orders"}]
            }),
        )
        .await;
    assert_eq!(a.status, 201, "{:?}", a.body);
}

async fn grants(m: &Mgmt, query: &str) -> Value {
    let a = m.get(&format!("/api/v2/client-grants{query}")).await;
    assert_eq!(a.status, 200, "{:?}", a.body);
    a.body
}

crate::cases! {
    async fn a_grant_lets_the_client_get_tokens_until_deleted(m: &Mgmt) {
        orders_api(m).await;
        let (id, secret) = new_m2m(m, "Order sync").await;
        let denied = client_credentials(m, &id, &secret, ORDERS).await;
        assert_eq!((denied.status, denied.body["error"].as_str()), (403, Some("access_denied")));

        let a = m
            .post(
                "/api/v2/client-grants",
                json!({"client_id": id, "audience": ORDERS, "scope": ["read:orders", "write:orders", "read:orders"]}),
            )
            .await;
        assert_eq!(a.status, 201, "{:?}", a.body);
        let gid = a.body["id"].as_str().unwrap().to_owned();
        assert!(gid.starts_with("cgr_"));
        let expected = json!({"id": gid, "client_id": id, "audience": ORDERS, "scope": ["read:orders", "write:orders"]});
        assert_eq!(a.body, expected);
        assert_eq!(m.get(&format!("/api/v2/client-grants/{gid}")).await.body, expected);

        let t = client_credentials(m, &id, &secret, ORDERS).await;
        assert_eq!(t.status, 200, "{:?}", t.body);
        assert_eq!(t.body["scope"], "read:orders write:orders");

        // PATCH replaces the scopes; the next token carries the new ones.
        let a = m
            .patch(&format!("/api/v2/client-grants/{gid}"), json!({"scope": ["admin:orders"]}))
            .await;
        assert_eq!(a.status, 200, "{:?}", a.body);
        assert_eq!(a.body["scope"], json!(["admin:orders"]));
        let t = client_credentials(m, &id, &secret, ORDERS).await;
        assert_eq!(t.body["scope"], "admin:orders");

        let a = m.delete(&format!("/api/v2/client-grants/{gid}")).await;
        assert_eq!((a.status, &a.body), (204, &Value::Null));
        let denied = client_credentials(m, &id, &secret, ORDERS).await;
        assert_eq!((denied.status, denied.body["error"].as_str()), (403, Some("access_denied")));
        assert_eq!(m.delete(&format!("/api/v2/client-grants/{gid}")).await.status, 404);
    }

    async fn refused_grants_change_nothing(m: &Mgmt) {
        orders_api(m).await;
        let (id, _) = new_m2m(m, "Refused").await;
        let spa = m
            .post("/api/v2/clients", json!({"name": "Browser", "app_type": "spa"}))
            .await
            .body["client_id"]
            .as_str()
            .unwrap()
            .to_owned();
        let before = grants(m, "?include_totals=true").await["total"].clone();

        let a = m
            .post("/api/v2/client-grants", json!({"client_id": "nope", "audience": ORDERS, "scope": []}))
            .await;
        assert_eq!(
            (a.status, &a.body),
            (404, &json!({"statusCode": 404, "error": "Not Found", "message": "The client does not exist", "errorCode": "inexistent_client"}))
        );
        let a = m
            .post("/api/v2/client-grants", json!({"client_id": id, "audience": "https://nowhere.example/", "scope": []}))
            .await;
        assert_eq!(
            (a.status, a.body["message"].as_str()),
            (404, Some("No resource with identifier https://nowhere.example/"))
        );
        let a = m
            .post("/api/v2/client-grants", json!({"client_id": id, "audience": ORDERS, "scope": ["read:orders", "delete:orders"]}))
            .await;
        assert_eq!(
            (a.status, a.body["message"].as_str()),
            (400, Some("https://orders.example/ has no scope named delete:orders (its scopes: read:orders, write:orders, admin:orders)"))
        );
        let a = m
            .post("/api/v2/client-grants", json!({"client_id": spa, "audience": ORDERS, "scope": []}))
            .await;
        assert_eq!((a.status, a.body["errorCode"].as_str()), (400, Some("invalid_body")));
        let a = m
            .post("/api/v2/client-grants", json!({"client_id": id, "audience": ORDERS, "scope": [], "allow_any_organization": true}))
            .await;
        assert_eq!(a.status, 400);
        assert_eq!(grants(m, "?include_totals=true").await["total"], before);

        // A second grant for the same client and API is a 409, and the first is intact.
        let first = m
            .post("/api/v2/client-grants", json!({"client_id": id, "audience": ORDERS, "scope": ["read:orders"]}))
            .await;
        assert_eq!(first.status, 201);
        let a = m
            .post("/api/v2/client-grants", json!({"client_id": id, "audience": ORDERS, "scope": ["admin:orders"]}))
            .await;
        assert_eq!(
            (a.status, &a.body),
            (409, &json!({
                "statusCode": 409,
                "error": "Conflict",
                "message": "A resource server grant already exists for that client.",
                "errorCode": "conflict"
            }))
        );
        assert_eq!(grants(m, &format!("?client_id={id}")).await, json!([first.body]));

        // PATCH with an undefined scope or an unknown field: 400, unchanged.
        let gid = first.body["id"].as_str().unwrap();
        let path = format!("/api/v2/client-grants/{gid}");
        for body in [json!({"scope": ["nope"]}), json!({"scope": [], "audience": ORDERS})] {
            let a = m.patch(&path, body.clone()).await;
            assert_eq!(a.status, 400, "{body}: {:?}", a.body);
        }
        assert_eq!(m.get(&path).await.body, first.body);
        let missing = json!({
            "statusCode": 404,
            "error": "Not Found",
            "message": "The client grant does not exist.",
            "errorCode": "inexistent_client_grant"
        });
        let a = m.patch("/api/v2/client-grants/cgr_nope", json!({"scope": []})).await;
        assert_eq!((a.status, &a.body), (404, &missing));
        let a = m.get("/api/v2/client-grants/cgr_nope").await;
        assert_eq!((a.status, &a.body), (404, &missing));
    }

    async fn listing_pages_and_filters(m: &Mgmt) {
        orders_api(m).await;
        let (a_id, _) = new_m2m(m, "A").await;
        let (b_id, _) = new_m2m(m, "B").await;
        for (id, aud) in [(&a_id, ORDERS), (&b_id, ORDERS), (&a_id, m.audience.as_str())] {
            let r = m
                .post("/api/v2/client-grants", json!({"client_id": id, "audience": aud, "scope": []}))
                .await;
            assert_eq!(r.status, 201, "{:?}", r.body);
        }
        // The bootstrap's grant (admin application, Management API) comes first.
        let all = grants(m, "").await;
        assert_eq!(all.as_array().unwrap().len(), 4);
        let page = grants(m, "?page=1&per_page=3&include_totals=true").await;
        let mut keys: Vec<&String> = page.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(keys, ["client_grants", "length", "limit", "start", "total"]);
        assert_eq!(
            (&page["start"], &page["limit"], &page["length"], &page["total"]),
            (&json!(3), &json!(3), &json!(1), &json!(4))
        );
        assert_eq!(page["client_grants"], json!([all[3]]));

        let by_audience = grants(m, &format!("?audience={}", urlencode(ORDERS))).await;
        let clients: Vec<&str> = by_audience.as_array().unwrap().iter().map(|g| g["client_id"].as_str().unwrap()).collect();
        assert_eq!(clients, [a_id.as_str(), b_id.as_str()]);
        let both = grants(m, &format!("?audience={}&client_id={b_id}", urlencode(ORDERS))).await;
        assert_eq!(both.as_array().unwrap().len(), 1);
        assert_eq!(both[0]["client_id"], b_id.as_str());
        assert_eq!(grants(m, "?client_id=nobody").await, json!([]));
        let a = m.get("/api/v2/client-grants?subject_type=client").await;
        assert_eq!((a.status, a.body["errorCode"].as_str()), (400, Some("invalid_query_string")));
    }

    async fn routes_are_guarded(m: &Mgmt) {
        orders_api(m).await;
        let (id, _) = new_m2m(m, "Guarded").await;
        let body = json!({"client_id": id, "audience": ORDERS, "scope": ["read:orders"]});
        m.assert_guarded(Method::POST, "/api/v2/client-grants", Some(body.clone()), "create:client_grants").await;
        assert_eq!(grants(m, &format!("?client_id={id}")).await, json!([]));
        let gid = m.post("/api/v2/client-grants", body).await.body["id"].as_str().unwrap().to_owned();
        let one = format!("/api/v2/client-grants/{gid}");
        m.assert_guarded(Method::GET, "/api/v2/client-grants", None, "read:client_grants").await;
        m.assert_guarded(Method::GET, &one, None, "read:client_grants").await;
        m.assert_guarded(Method::PATCH, &one, Some(json!({"scope": []})), "update:client_grants").await;
        m.assert_guarded(Method::DELETE, &one, None, "delete:client_grants").await;
        assert_eq!(m.get(&one).await.body["scope"], json!(["read:orders"]));
    }
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
