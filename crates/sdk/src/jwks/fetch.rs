//! GETs of provider documents (discovery, JWKS) with bounded size and time, and the
//! HTTP client the SDK uses for them.

use std::time::Duration;

/// The largest discovery or JWKS document read.
pub const MAX_DOCUMENT: usize = 512 * 1024;

/// A document could not be read: the URL and why, for the log and the setup error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{url}: {why}")]
pub struct FetchError {
    pub url: String,
    pub why: String,
}

/// A JSON document and how long it may be cached (`Cache-Control: max-age`), if said.
pub(crate) struct Fetched<T> {
    pub value: T,
    pub max_age: Option<Duration>,
}

/// GETs a JSON document, refusing error statuses, redirects (the client follows none)
/// and documents over [`MAX_DOCUMENT`].
pub(crate) async fn get_json<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    url: &str,
) -> Result<Fetched<T>, FetchError> {
    let fail = |why: String| FetchError {
        url: url.to_owned(),
        why,
    };
    let response = http
        .get(url)
        .header("accept", "application/json")
        .send()
        .await
        .map_err(|e| fail(format!("the request failed: {e}")))?;
    if !response.status().is_success() {
        return Err(fail(format!("it answered {}", response.status())));
    }
    let max_age = response
        .headers()
        .get(reqwest::header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .and_then(max_age);
    let body = read_limited(response, MAX_DOCUMENT).await.map_err(fail)?;
    let value = serde_json::from_slice(&body)
        .map_err(|e| fail(format!("it is not the expected JSON: {e}")))?;
    Ok(Fetched { value, max_age })
}

/// `max-age` of a `Cache-Control` value (`no-store` and `no-cache` mean 0).
fn max_age(cache_control: &str) -> Option<Duration> {
    let mut age = None;
    for directive in cache_control.split(',').map(str::trim) {
        let lower = directive.to_ascii_lowercase();
        if lower == "no-store" || lower == "no-cache" {
            return Some(Duration::ZERO);
        }
        if let Some(secs) = lower.strip_prefix("max-age=") {
            age = secs.trim_matches('"').parse().ok().map(Duration::from_secs);
        }
    }
    age
}

/// The body, or why not (longer than `limit`, or the connection failed).
pub(crate) async fn read_limited(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| format!("reading the response failed: {e}"))?
    {
        if body.len() + chunk.len() > limit {
            return Err(format!("the response is larger than {limit} bytes"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The HTTP client for calls to the provider: bounded in time, no redirects.
pub(crate) fn http_client(timeout: Duration) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("portcullis-sdk/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("could not build the HTTP client: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_control_max_age() {
        assert_eq!(
            max_age("public, max-age=300"),
            Some(Duration::from_secs(300))
        );
        assert_eq!(max_age("max-age=\"60\""), Some(Duration::from_secs(60)));
        assert_eq!(max_age("no-store"), Some(Duration::ZERO));
        assert_eq!(max_age("public"), None);
        assert_eq!(max_age("max-age=x"), None);
    }
}
