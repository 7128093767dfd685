//! `GET /api/v2/openapi.json`: the served document is the committed
//! `docs/management-api.openapi.json`, is well formed, and matches the router both ways:
//! every documented operation is routed and guarded by the documented scopes, and every
//! `.route(...)` of `src/management/` is documented.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use axum::http::Method;
use portcullis_core::bootstrap::MANAGEMENT_SCOPES;
use serde_json::Value;

use super::Mgmt;
use crate::{get, header, server};

const COMMITTED: &str = "../../docs/management-api.openapi.json";
const REGENERATE: &str =
    "UPDATE_OPENAPI=1 cargo nextest run -p portcullis-server openapi::served_document_is_committed";

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The document as served, and its bytes.
async fn served() -> (Value, Vec<u8>) {
    let (srv, _dir) = server(&[]).await;
    let (res, bytes) = get(&srv.router(), "/api/v2/openapi.json").await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "content-type"), "application/json");
    assert_eq!(header(&res, "cache-control"), "public, max-age=3600");
    (serde_json::from_slice(&bytes).unwrap(), bytes)
}

/// `(METHOD, path)` of every operation of the document.
fn operations(doc: &Value) -> BTreeMap<(String, String), Value> {
    let mut out = BTreeMap::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            out.insert((method.to_uppercase(), path.clone()), op.clone());
        }
    }
    out
}

#[tokio::test]
async fn served_document_is_committed() {
    let (_, bytes) = served().await;
    assert_eq!(bytes.last(), Some(&b'\n'), "one trailing newline");
    assert_ne!(bytes.get(bytes.len() - 2), Some(&b'\n'));
    let path = manifest_dir().join(COMMITTED);
    if std::env::var("UPDATE_OPENAPI").as_deref() == Ok("1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &bytes).unwrap();
        return;
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == bytes,
        "{} differs from GET /api/v2/openapi.json ({} bytes committed, {} served). \
         Regenerate it with:\n    {REGENERATE}\nand commit the change.",
        path.display(),
        committed.len(),
        bytes.len(),
    );
}

/// Every `"$ref"` of `v`, with where it is.
fn refs<'a>(v: &'a Value, at: String, out: &mut Vec<(String, &'a str)>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                if k == "$ref" {
                    out.push((at.clone(), v.as_str().unwrap()));
                } else {
                    refs(v, format!("{at}/{k}"), out);
                }
            }
        }
        Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                refs(v, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[tokio::test]
async fn document_is_well_formed() {
    let (doc, _) = served().await;
    assert_eq!(doc["openapi"], "3.0.3");
    assert_eq!(doc["info"]["title"], "Portcullis Management API v2");
    assert_eq!(doc["servers"], serde_json::json!([{ "url": "/api/v2" }]));

    // Every reference resolves, and the named components are there.
    let mut found = Vec::new();
    refs(&doc, String::new(), &mut found);
    assert!(found.len() > 100, "{} refs", found.len());
    for (at, r) in &found {
        let pointer = r.strip_prefix('#').unwrap_or_else(|| panic!("{at}: {r}"));
        assert!(doc.pointer(pointer).is_some(), "{at}: {r} does not resolve");
    }
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for name in [
        "User",
        "Role",
        "ResourceServer",
        "Client",
        "ClientGrant",
        "TenantSettings",
        "Permission",
        "LogEvent",
        "SigningKey",
        "Error",
        "UsersPage",
        "RolesPage",
        "ClientsPage",
        "LogEventsPage",
    ] {
        assert!(schemas.contains_key(name), "no schema {name}");
    }
    assert_eq!(
        schemas["Error"]["required"],
        serde_json::json!(["statusCode", "error", "message"])
    );

    // The one security scheme declares exactly the Management API's scopes.
    let scheme = &doc["components"]["securitySchemes"]["oauth2"];
    assert_eq!(scheme["type"], "oauth2");
    let flow = &scheme["flows"]["clientCredentials"];
    assert_eq!(flow["tokenUrl"], "/oauth/token");
    let declared: BTreeSet<&str> = flow["scopes"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        declared,
        MANAGEMENT_SCOPES.iter().copied().collect::<BTreeSet<_>>()
    );

    let ops = operations(&doc);
    assert!(ops.len() >= 40, "{} operations", ops.len());
    let mut ids = BTreeSet::new();
    for ((method, path), op) in &ops {
        let here = format!("{method} {path}");
        assert!(
            matches!(method.as_str(), "GET" | "POST" | "PUT" | "PATCH" | "DELETE"),
            "{here}"
        );
        let id = op["operationId"]
            .as_str()
            .unwrap_or_else(|| panic!("{here}"));
        assert!(
            ids.insert(id.to_owned()),
            "{here}: operationId {id} repeated"
        );
        let responses = op["responses"].as_object().unwrap();
        assert!(
            responses.keys().any(|s| s.starts_with('2')),
            "{here}: no success answer"
        );
        // Path parameters are declared, and only those the path has.
        let in_path: BTreeSet<&str> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .collect();
        let declared: BTreeSet<&str> = op["parameters"]
            .as_array()
            .map(|ps| {
                ps.iter()
                    .filter(|p| p["in"] == "path")
                    .map(|p| p["name"].as_str().unwrap())
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(in_path, declared, "{here}");
        // Guarded operations name declared scopes and answer 401 and 403.
        let security = op["security"].as_array().unwrap();
        if path == "/openapi.json" {
            assert!(security.is_empty());
            continue;
        }
        assert!(!security.is_empty(), "{here}: no security");
        for requirement in security {
            for scope in requirement["oauth2"].as_array().unwrap() {
                assert!(
                    declared_scope(&doc, scope.as_str().unwrap()),
                    "{here}: {scope}"
                );
            }
        }
        for status in ["401", "403"] {
            assert!(responses.contains_key(status), "{here}: no {status}");
        }
        if op.get("requestBody").is_some() {
            assert!(responses.contains_key("415"), "{here}: no 415");
        }
    }
}

fn declared_scope(doc: &Value, scope: &str) -> bool {
    doc["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"]["scopes"]
        .get(scope)
        .is_some()
}

/// `path` with its `{...}` parameters filled with a value that needs URL-encoding.
fn filled(path: &str) -> String {
    let dummy: String = "auth0|dummy id"
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let segments: Vec<String> = path
        .split('/')
        .map(|s| {
            if s.starts_with('{') && s.ends_with('}') {
                dummy.clone()
            } else {
                s.to_owned()
            }
        })
        .collect();
    format!("/api/v2{}", segments.join("/"))
}

/// The scopes of each alternative of the operation's `security`.
fn alternatives(op: &Value) -> Vec<Vec<String>> {
    op["security"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["oauth2"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().to_owned())
                .collect()
        })
        .collect()
}

/// Management API tokens by their scopes, each asked for once.
#[derive(Default)]
struct Tokens(BTreeMap<Vec<String>, String>);

impl Tokens {
    async fn get(&mut self, m: &Mgmt, scopes: &[String]) -> String {
        let mut key = scopes.to_vec();
        key.sort();
        if let Some(t) = self.0.get(&key) {
            return t.clone();
        }
        let t = m.token_with(Some(&key.join(" "))).await;
        self.0.insert(key, t.clone());
        t
    }
}

crate::cases! {
    // Documented -> routed: every operation exists (401 without a token, where an
    // unknown path is 404 and an unrouted method 405), each documented alternative of
    // scopes suffices, a part of one does not, and no undocumented scope does.
    async fn every_documented_operation_is_routed_with_its_scopes(m: &Mgmt) {
        let (doc, _) = served().await;
        let mut tokens = Tokens::default();
        for ((method, path), op) in operations(&doc) {
            let method = Method::from_bytes(method.as_bytes()).unwrap();
            let uri = filled(&path);
            let here = format!("{method} {uri}");
            let anonymous = m.call_as(None, method.clone(), &uri, None).await;
            if path == "/openapi.json" {
                assert_eq!(anonymous.status, 200, "{here}");
                continue;
            }
            assert_eq!(anonymous.status, 401, "{here}: {:?}", anonymous.body);
            let alternatives = alternatives(&op);
            for needed in &alternatives {
                let t = tokens.get(m, needed).await;
                let with = m.call_as(Some(&t), method.clone(), &uri, None).await;
                assert!(
                    with.status != 401 && with.status != 403,
                    "{here} with {needed:?}: {} {:?}",
                    with.status,
                    with.body
                );
                if needed.len() > 1 {
                    for i in 0..needed.len() {
                        let mut part = needed.clone();
                        part.remove(i);
                        let t = tokens.get(m, &part).await;
                        let with = m.call_as(Some(&t), method.clone(), &uri, None).await;
                        assert_eq!(with.status, 403, "{here} with only {part:?}");
                    }
                }
            }
            let documented: BTreeSet<&String> = alternatives.iter().flatten().collect();
            let others: Vec<String> = MANAGEMENT_SCOPES
                .iter()
                .map(|s| (*s).to_owned())
                .filter(|s| !documented.contains(s))
                .collect();
            let t = tokens.get(m, &others).await;
            let without = m.call_as(Some(&t), method.clone(), &uri, None).await;
            assert_eq!(
                without.status, 403,
                "{here} with every scope but {documented:?}: {:?}",
                without.body
            );
        }
    }
}

/// `(METHOD, path)` of each `.route("path", get(..).post(..))` in `source`.
fn routes_in(source: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut rest = source;
    while let Some(at) = rest.find(".route(") {
        let call = &rest[at + ".route(".len()..];
        // The call's arguments, to its closing parenthesis.
        let mut depth = 1;
        let mut in_string = false;
        let mut end = None;
        for (i, c) in call.char_indices() {
            match c {
                '"' => in_string = !in_string,
                '(' if !in_string => depth += 1,
                ')' if !in_string => {
                    depth -= 1;
                    if depth == 0 {
                        end = Some(i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let args = &call[..end.ok_or("unclosed .route(")?];
        let path = args
            .trim_start()
            .strip_prefix('"')
            .and_then(|s| s.split_once('"'))
            .map(|(p, _)| p)
            .ok_or_else(|| format!("a .route( whose path is not a literal: {args}"))?;
        let methods: Vec<&str> = ["get", "post", "put", "patch", "delete", "head", "options"]
            .into_iter()
            .filter(|m| {
                args.match_indices(&format!("{m}(")).any(|(i, _)| {
                    i == 0
                        || !args[..i]
                            .chars()
                            .next_back()
                            .is_some_and(|c| c.is_alphanumeric() || c == '_')
                })
            })
            .collect();
        if methods.is_empty() {
            return Err(format!("no method router found in .route({args})"));
        }
        out.extend(methods.iter().map(|m| (m.to_uppercase(), path.to_owned())));
        rest = &call[end.unwrap_or(0)..];
    }
    Ok(out)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn the_route_scanner_reads_method_routers() {
    let src = r#"
        Router::new()
            .route("/a", get(list).post(create))
            .route(
                "/a/{id}",
                get(get_one).patch(update).delete(delete),
            )
            .route("/b/{kid}/revoke", axum::routing::put(revoke))
    "#;
    let got = routes_in(src).unwrap();
    let want: Vec<(String, String)> = [
        ("GET", "/a"),
        ("POST", "/a"),
        ("GET", "/a/{id}"),
        ("PATCH", "/a/{id}"),
        ("DELETE", "/a/{id}"),
        ("PUT", "/b/{kid}/revoke"),
    ]
    .iter()
    .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
    .collect();
    assert_eq!(got, want);
    assert!(routes_in(r#".route(PATH, get(x))"#).is_err());
    assert!(routes_in(r#".route("/x", on(MethodFilter::GET, x))"#).is_err());
}

// Routed -> documented: every route the source of `src/management/` declares is in the
// document, and the document has no other.
#[tokio::test]
async fn every_route_is_documented() {
    let mut files = Vec::new();
    rust_files(&manifest_dir().join("src/management"), &mut files);
    let mut routed = BTreeSet::new();
    for file in &files {
        let source = std::fs::read_to_string(file).unwrap();
        let found = routes_in(&source).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        routed.extend(found);
    }
    assert!(
        routed.contains(&("GET".to_owned(), "/openapi.json".to_owned())),
        "the scan missed this module's own route"
    );
    let (doc, _) = served().await;
    let documented: BTreeSet<(String, String)> = operations(&doc).into_keys().collect();
    let undocumented: Vec<_> = routed.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "routes missing from the OpenAPI document (crates/server/src/management/openapi/): \
         {undocumented:?}"
    );
    let unrouted: Vec<_> = documented.difference(&routed).collect();
    assert!(
        unrouted.is_empty(),
        "documented but not routed: {unrouted:?}"
    );
}

/// Where `value` departs from `schema` (with `$ref`s resolved in `doc`): wrong types,
/// missing required members, members the schema does not list; nothing when it fits.
fn misfits(doc: &Value, schema: &Value, value: &Value, at: &str) -> Vec<String> {
    if let Some(r) = schema["$ref"].as_str() {
        let target = doc.pointer(r.trim_start_matches('#')).unwrap();
        return misfits(doc, target, value, at);
    }
    if let Some(options) = schema["oneOf"].as_array() {
        let fits = options
            .iter()
            .filter(|o| misfits(doc, o, value, at).is_empty())
            .count();
        return if fits == 1 {
            Vec::new()
        } else {
            vec![format!("{at}: fits {fits} of the oneOf options")]
        };
    }
    let mut out = Vec::new();
    let fits_type = match schema["type"].as_str() {
        None => true,
        Some("object") => value.is_object(),
        Some("array") => value.is_array(),
        Some("string") => value.is_string(),
        Some("integer") => value.is_i64() || value.is_u64(),
        Some("boolean") => value.is_boolean(),
        Some(other) => panic!("{at}: type {other}"),
    };
    if !fits_type {
        return vec![format!("{at}: {value} is not of type {}", schema["type"])];
    }
    if let Some(allowed) = schema["enum"].as_array()
        && !allowed.contains(value)
    {
        out.push(format!("{at}: {value} is not one of {allowed:?}"));
    }
    if let (Some(items), Some(values)) = (schema.get("items"), value.as_array()) {
        for (i, v) in values.iter().enumerate() {
            out.extend(misfits(doc, items, v, &format!("{at}/{i}")));
        }
    }
    if let (Some(props), Some(members)) = (schema["properties"].as_object(), value.as_object()) {
        for name in schema["required"].as_array().into_iter().flatten() {
            if !members.contains_key(name.as_str().unwrap()) {
                out.push(format!("{at}: required member {name} missing"));
            }
        }
        for (k, v) in members {
            match props.get(k) {
                Some(s) => out.extend(misfits(doc, s, v, &format!("{at}/{k}"))),
                None if schema["additionalProperties"] == true => {}
                None => out.push(format!("{at}: member {k} is not documented")),
            }
        }
    }
    out
}

/// The schema of the success answer of `method path` in the document.
fn answer_schema<'a>(doc: &'a Value, method: &str, path: &str, status: u16) -> &'a Value {
    &doc["paths"][path][method]["responses"][status.to_string()]["content"]["application/json"]["schema"]
}

crate::cases! {
    // What the routes answer fits the documented shapes, member by member.
    async fn answers_fit_the_documented_schemas(m: &Mgmt) {
        let (doc, _) = served().await;
        let check = |method: &str, path: &str, status: u16, answer: &crate::mgmt::Answer| {
            assert_eq!(answer.status, status, "{method} {path}: {:?}", answer.body);
            let schema = answer_schema(&doc, method, path, status);
            assert!(!schema.is_null(), "{method} {path}: no {status} schema");
            let found = misfits(&doc, schema, &answer.body, "");
            assert!(found.is_empty(), "{method} {path}: {found:?}\n{:#}", answer.body);
        };
        let user = m
            .post("/api/v2/users", serde_json::json!({
                "connection": "Username-Password-Authentication",
                "email": "ada@example.com", "password": "correct horse battery",
                "picture": "https://example.com/ada.png", "blocked": true,
                "user_metadata": {"theme": "dark"},
            }))
            .await;
        check("post", "/users", 201, &user);
        let id = user.body["user_id"].as_str().unwrap().replace('|', "%7C");
        check("get", "/users/{id}", 200, &m.get(&format!("/api/v2/users/{id}")).await);
        check("get", "/users", 200, &m.get("/api/v2/users").await);
        check("get", "/users", 200, &m.get("/api/v2/users?include_totals=true").await);
        check("get", "/users-by-email", 200, &m.get("/api/v2/users-by-email?email=ada@example.com").await);
        let api = m
            .post("/api/v2/resource-servers", serde_json::json!({
                "identifier": "https://api.example.com/",
                "scopes": [{"value": "read:things", "description": "Read things"}, {"value": "write:things"}],
                "enforce_policies": true, "token_dialect": "access_token_authz",
            }))
            .await;
        check("post", "/resource-servers", 201, &api);
        check("get", "/resource-servers", 200, &m.get("/api/v2/resource-servers?include_totals=true").await);
        let role = m.post("/api/v2/roles", serde_json::json!({"name": "reader", "description": "Reads"})).await;
        check("post", "/roles", 200, &role);
        let role_id = role.body["id"].as_str().unwrap();
        let perms = serde_json::json!({"permissions": [
            {"resource_server_identifier": "https://api.example.com/", "permission_name": "read:things"}
        ]});
        assert_eq!(m.post(&format!("/api/v2/roles/{role_id}/permissions"), perms.clone()).await.status, 201);
        assert_eq!(m.post(&format!("/api/v2/users/{id}/permissions"), perms).await.status, 201);
        assert_eq!(m.post(&format!("/api/v2/users/{id}/roles"), serde_json::json!({"roles": [role_id]})).await.status, 204);
        check("get", "/roles", 200, &m.get("/api/v2/roles?include_totals=true").await);
        check("get", "/roles/{id}/permissions", 200, &m.get(&format!("/api/v2/roles/{role_id}/permissions")).await);
        check("get", "/roles/{id}/users", 200, &m.get(&format!("/api/v2/roles/{role_id}/users?include_totals=true")).await);
        check("get", "/users/{id}/roles", 200, &m.get(&format!("/api/v2/users/{id}/roles")).await);
        let held = m.get(&format!("/api/v2/users/{id}/permissions")).await;
        assert_eq!(held.body[0]["sources"].as_array().map(Vec::len), Some(2));
        check("get", "/users/{id}/permissions", 200, &held);
        let client = m
            .post("/api/v2/clients", serde_json::json!({
                "name": "Worker", "app_type": "non_interactive", "description": "Batch jobs",
            }))
            .await;
        check("post", "/clients", 201, &client);
        assert!(client.body["client_secret"].is_string());
        let client_id = client.body["client_id"].as_str().unwrap();
        check("get", "/clients", 200, &m.get("/api/v2/clients?include_totals=true").await);
        check("post", "/clients/{id}/rotate-secret", 200,
            &m.call(Method::POST, &format!("/api/v2/clients/{client_id}/rotate-secret"), None).await);
        let grant = m
            .post("/api/v2/client-grants", serde_json::json!({
                "client_id": client_id, "audience": "https://api.example.com/", "scope": ["read:things"],
            }))
            .await;
        check("post", "/client-grants", 201, &grant);
        check("get", "/client-grants", 200, &m.get("/api/v2/client-grants").await);
        check("get", "/tenants/settings", 200, &m.get("/api/v2/tenants/settings").await);
        check("patch", "/tenants/settings", 200,
            &m.patch("/api/v2/tenants/settings", serde_json::json!({"picture_url": "https://example.com/logo.png"})).await);
        check("post", "/keys/signing/rotate", 201, &m.call(Method::POST, "/api/v2/keys/signing/rotate", None).await);
        let keys = m.get("/api/v2/keys/signing").await;
        assert_eq!(keys.body.as_array().map(Vec::len), Some(2));
        check("get", "/keys/signing", 200, &keys);
        let logs = m.get("/api/v2/logs?include_totals=true").await;
        assert!(logs.body["total"].as_u64().unwrap() > 5);
        check("get", "/logs", 200, &logs);
        check("get", "/logs", 200, &m.get("/api/v2/logs?take=3").await);
    }
}
