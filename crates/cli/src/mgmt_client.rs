//! A small Management API client for `portcullis admin`, with two transports: the
//! Management API router driven in-process over the local database (no token, no
//! socket), or a running server reached over HTTP with a client_credentials token.
//! Either way the same routes answer, with the same checks, bodies and audit log.

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use reqwest::Url;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::Failure;
use crate::args::{GlobalArgs, RemoteArgs, ServeArgs};
use crate::serve::{issuer_of, load_config};

/// The largest answer read, in bytes (a page of 100 users is far below it).
const MAX_BODY: usize = 16 * 1024 * 1024;

/// How requests reach the Management API.
pub enum Transport {
    /// The routes over the configured database, authorised as the local operator.
    Local(Router),
    /// A running server: `base` is `{url}api/v2`, `token` a Management API access token.
    Remote {
        http: reqwest::Client,
        base: String,
        token: String,
    },
}

/// A Management API client; paths are relative to `/api/v2`.
pub struct Client {
    transport: Transport,
}

impl Client {
    /// The running server of `--url` when given, else the local database.
    pub async fn connect(global: &GlobalArgs, remote: &RemoteArgs) -> Result<Client, Failure> {
        let transport = match &remote.url {
            Some(url) => connect_remote(url, remote).await?,
            None => {
                let config = load_config(global, &ServeArgs::default())?;
                let issuer = issuer_of(&config);
                Transport::Local(portcullis_server::run::management_app(&config, issuer).await?)
            }
        };
        Ok(Client { transport })
    }

    /// One call: the JSON answer (`null` for an empty one, e.g. 204), or the API's error
    /// as one line (exit code 1).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, Failure> {
        Ok(self.send(method, path, body).await??)
    }

    /// One call, telling the API's refusal (a 4xx or 5xx answer) from a failure to ask
    /// (transport, unreadable answer), so a command can explain the refusals it expects.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Result<Value, Refusal>, Failure> {
        let path = &escape_path(path);
        let (status, bytes) = match &self.transport {
            Transport::Local(router) => local(router, method, path, body).await?,
            Transport::Remote { http, base, token } => {
                let url = format!("{base}{path}");
                let mut req = http.request(method, &url).bearer_auth(token);
                if let Some(body) = body {
                    req = req.json(&body);
                }
                let res = req.send().await.map_err(|e| unreachable(&url, &e))?;
                let status = res.status();
                let bytes = res.bytes().await.map_err(|e| unreachable(&url, &e))?;
                (status, bytes.to_vec())
            }
        };
        answer(status, &bytes)
    }

    /// Every item of a paged listing (`path` without paging parameters; `query` its other
    /// parameters, already encoded, or empty), reading 100 at a time.
    pub async fn list_all(&self, path: &str, query: &str) -> Result<Vec<Value>, Failure> {
        const PER_PAGE: usize = 100;
        let mut all = Vec::new();
        for page in 0u32.. {
            let sep = if query.is_empty() { "" } else { "&" };
            let url = format!("{path}?{query}{sep}page={page}&per_page={PER_PAGE}");
            let items = match self.call(Method::GET, &url, None).await? {
                Value::Array(items) => items,
                other => return Err(unexpected(&url, &other)),
            };
            let last = items.len() < PER_PAGE;
            all.extend(items);
            if last {
                break;
            }
        }
        Ok(all)
    }
}

/// Sends one request through the router.
async fn local(
    router: &Router,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Result<(StatusCode, Vec<u8>), Failure> {
    let mut req = Request::builder().method(method).uri(path);
    let body = match body {
        Some(v) => {
            req = req.header(header::CONTENT_TYPE, "application/json");
            Body::from(v.to_string())
        }
        None => Body::empty(),
    };
    let req = req.body(body).map_err(|e| Failure {
        code: 2,
        message: format!("{path} is not a valid request path: {e}"),
    })?;
    let res = match router.clone().oneshot(req).await {
        Ok(res) => res,
        Err(never) => match never {},
    };
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), MAX_BODY)
        .await
        .map_err(|e| Failure {
            code: 1,
            message: format!("reading the answer to {path}: {e}"),
        })?;
    Ok((status, bytes.to_vec()))
}

/// The API's refusal of a request: its status, Auth0 `errorCode` and message.
#[derive(Debug)]
pub struct Refusal {
    pub status: StatusCode,
    pub error_code: Option<String>,
    pub message: String,
}

impl Refusal {
    /// Whether the request named something that does not exist (a 404).
    pub fn not_found(&self) -> bool {
        self.status == StatusCode::NOT_FOUND
    }

    /// Whether it conflicts with what exists (a 409).
    pub fn conflict(&self) -> bool {
        self.status == StatusCode::CONFLICT
    }

    /// The refusal of what a named command asked: the API's message alone, exit code 2
    /// when the command line was at fault (400, 404, 409), else as `admin api` shows it.
    pub fn of_command(self) -> Failure {
        if matches!(self.status.as_u16(), 400 | 404 | 409) {
            Failure {
                code: 2,
                message: self.message,
            }
        } else {
            self.into()
        }
    }
}

/// `404 Not Found: The user does not exist.`, exit code 1.
impl From<Refusal> for Failure {
    fn from(r: Refusal) -> Failure {
        Failure {
            code: 1,
            message: format!("{}: {}", r.status, r.message),
        }
    }
}

/// A success's JSON, or the refusal in the error body.
fn answer(status: StatusCode, bytes: &[u8]) -> Result<Result<Value, Refusal>, Failure> {
    let parsed: Option<Value> = if bytes.is_empty() {
        Some(Value::Null)
    } else {
        serde_json::from_slice(bytes).ok()
    };
    if status.is_success() {
        return parsed.map(Ok).ok_or_else(|| Failure {
            code: 1,
            message: format!(
                "the server answered {status} with something that is not JSON: {}",
                snippet(bytes)
            ),
        });
    }
    let field = |name: &str| {
        parsed
            .as_ref()
            .and_then(|v| v[name].as_str())
            .map(str::to_owned)
    };
    let message = field("message")
        .or_else(|| field("error_description"))
        .or_else(|| field("error"))
        .unwrap_or_else(|| snippet(bytes));
    Ok(Err(Refusal {
        status,
        error_code: field("errorCode"),
        message: message.replace('\n', " "),
    }))
}

/// The start of a body, on one line, for an error message.
fn snippet(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match one_line.char_indices().nth(200) {
        Some((i, _)) => format!("{}...", &one_line[..i]),
        None if one_line.is_empty() => "(empty body)".to_owned(),
        None => one_line,
    }
}

fn unexpected(path: &str, got: &Value) -> Failure {
    Failure {
        code: 1,
        message: format!(
            "GET {path} answered {} where a list was expected",
            snippet(got.to_string().as_bytes())
        ),
    }
}

fn unreachable(url: &str, e: &reqwest::Error) -> Failure {
    Failure {
        code: 1,
        message: format!("cannot reach {url}: {}", crate::one_line(e)),
    }
}

fn usage(message: String) -> Failure {
    Failure { code: 2, message }
}

/// `--url`, checked: https, or http to this machine only (a token and a client secret
/// must not cross a network in clear). Always ends with `/`.
pub fn server_url(raw: &str) -> Result<Url, Failure> {
    let mut url =
        Url::parse(raw.trim()).map_err(|e| usage(format!("--url {raw} is not a URL: {e}")))?;
    match url.scheme() {
        "https" => {}
        "http" => {
            let loopback = url.host_str().is_some_and(|host| {
                host.eq_ignore_ascii_case("localhost")
                    || host
                        .trim_start_matches('[')
                        .trim_end_matches(']')
                        .parse::<std::net::IpAddr>()
                        .is_ok_and(|ip| ip.is_loopback())
            });
            if !loopback {
                return Err(usage(format!(
                    "--url {raw}: refusing to send credentials over plain http to another \
                     machine; use https (http is allowed for localhost, 127.0.0.1 and ::1 only)"
                )));
            }
        }
        other => {
            return Err(usage(format!(
                "--url {raw}: the scheme must be https (or http for localhost), not {other}"
            )));
        }
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(usage(format!(
            "--url {raw}: give the server's base URL, without a query or fragment"
        )));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// Checks the flags, builds the HTTP client and gets a token for the Management API.
/// `builder` also trusting the CA certificates in the PEM file at `path` (`--ca-cert`).
pub(crate) fn trust_ca(
    builder: reqwest::ClientBuilder,
    path: &std::path::Path,
) -> Result<reqwest::ClientBuilder, Failure> {
    let pem = std::fs::read(path)
        .map_err(|e| usage(format!("--ca-cert {}: cannot read it: {e}", path.display())))?;
    let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
        usage(format!(
            "--ca-cert {}: not a PEM certificate: {}",
            path.display(),
            crate::one_line(&e)
        ))
    })?;
    if certs.is_empty() {
        return Err(usage(format!(
            "--ca-cert {}: no certificate in the file",
            path.display()
        )));
    }
    Ok(builder.tls_certs_merge(certs))
}

async fn connect_remote(raw: &str, remote: &RemoteArgs) -> Result<Transport, Failure> {
    let url = server_url(raw)?;
    let (Some(client_id), Some(secret)) = (&remote.client_id, &remote.client_secret) else {
        return Err(usage(
            "--url needs --client-id and --client-secret (or PORTCULLIS_ADMIN_CLIENT_ID and \
             PORTCULLIS_ADMIN_CLIENT_SECRET): a machine-to-machine application granted the \
             Management API"
                .to_owned(),
        ));
    };
    let mut builder = reqwest::Client::builder()
        .user_agent(concat!("portcullis-admin/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(60))
        // A redirect would be a misconfiguration; never follow one with credentials.
        .redirect(reqwest::redirect::Policy::none());
    if let Some(path) = &remote.ca_cert {
        builder = trust_ca(builder, path)?;
    }
    let http = builder.build().map_err(|e| Failure {
        code: 1,
        message: format!("cannot set up the HTTP client: {}", crate::one_line(&e)),
    })?;
    let token_url = format!("{url}oauth/token");
    let audience = format!("{url}api/v2/");
    let res = http
        .post(&token_url)
        .json(&json!({
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": secret,
            "audience": audience,
        }))
        .send()
        .await
        .map_err(|e| unreachable(&token_url, &e))?;
    let status = res.status();
    let bytes = res.bytes().await.map_err(|e| unreachable(&token_url, &e))?;
    let token = answer(status, &bytes)?
        .map_err(|r| Failure {
            code: 1,
            message: format!(
                "cannot get a Management API token from {token_url}: {}",
                Failure::from(r).message
            ),
        })?
        .get("access_token")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| Failure {
            code: 1,
            message: format!("{token_url} answered without an access_token"),
        })?;
    let base = format!("{url}api/v2");
    Ok(Transport::Remote { http, base, token })
}

/// `path` (and its query) with the characters a URI may not hold as they are (space,
/// `"`, `|`, non-ASCII...) percent-encoded, as a browser would, so `admin api` takes
/// `/users?q=email:"a@b.co"` as typed; `%` is kept, for paths encoded already.
fn escape_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if c.is_ascii_graphic()
            && !matches!(c, '"' | '<' | '>' | '\\' | '^' | '`' | '{' | '|' | '}')
        {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

/// Percent-encodes `s` for a path segment or a query value: everything but RFC 3986's
/// unreserved characters.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_http() {
        let ok = |raw: &str| server_url(raw).map(|u| u.to_string()).map_err(|f| f.code);
        assert_eq!(
            ok("https://id.example.com"),
            Ok("https://id.example.com/".into())
        );
        assert_eq!(
            ok("https://id.example.com/auth"),
            Ok("https://id.example.com/auth/".into())
        );
        assert_eq!(
            ok("http://127.0.0.1:4000/"),
            Ok("http://127.0.0.1:4000/".into())
        );
        assert_eq!(
            ok("http://localhost:4000"),
            Ok("http://localhost:4000/".into())
        );
        assert_eq!(ok("http://[::1]:4000/"), Ok("http://[::1]:4000/".into()));
        assert_eq!(ok("http://id.example.com/"), Err(2));
        assert_eq!(ok("http://10.0.0.1/"), Err(2));
        assert_eq!(ok("http://localhost.example.com/"), Err(2));
        assert_eq!(ok("ftp://localhost/"), Err(2));
        assert_eq!(ok("https://id.example.com/?x=1"), Err(2));
        assert_eq!(ok("id.example.com"), Err(2));
    }

    #[test]
    fn api_errors_become_one_line() {
        let body = br#"{"statusCode":404,"error":"Not Found","message":"The user does not exist.","errorCode":"inexistent_user"}"#;
        let f = answer(StatusCode::NOT_FOUND, body)
            .unwrap()
            .err()
            .map(Failure::from)
            .map(|f| (f.code, f.message));
        assert_eq!(
            f,
            Some((1, "404 Not Found: The user does not exist.".to_owned()))
        );
        let f = answer(StatusCode::BAD_GATEWAY, b"<html>\n bad\n</html>")
            .unwrap()
            .err()
            .map(|f| Failure::from(f).message);
        assert_eq!(f, Some("502 Bad Gateway: <html> bad </html>".to_owned()));
        assert_eq!(
            answer(StatusCode::NO_CONTENT, b"").unwrap().ok(),
            Some(Value::Null)
        );
        let r = answer(
            StatusCode::CONFLICT,
            br#"{"message":"The role already exists.","errorCode":"conflict"}"#,
        )
        .unwrap()
        .unwrap_err();
        assert!(r.conflict() && !r.not_found());
        assert_eq!(r.error_code.as_deref(), Some("conflict"));
        let f = r.of_command();
        assert_eq!(
            (f.code, f.message.as_str()),
            (2, "The role already exists.")
        );
        let f = answer(
            StatusCode::FORBIDDEN,
            br#"{"message":"Insufficient scope"}"#,
        )
        .unwrap()
        .unwrap_err()
        .of_command();
        assert_eq!(
            (f.code, f.message.as_str()),
            (1, "403 Forbidden: Insufficient scope")
        );
    }

    #[test]
    fn encoding() {
        assert_eq!(
            escape_path("/users?q=email:\"a b@é.co\"&x=%7C|"),
            "/users?q=email:%22a%20b@%C3%A9.co%22&x=%7C%7C"
        );
        assert_eq!(encode("auth0|a b"), "auth0%7Ca%20b");
        assert_eq!(encode("type:\"s\""), "type%3A%22s%22");
        assert_eq!(encode("rol_AZ09-._~"), "rol_AZ09-._~");
    }
}
