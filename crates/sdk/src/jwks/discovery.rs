//! Reading a provider's discovery document, for the web SDK and the API validator
//! alike: it must name the configured issuer (security case 5: off by a slash is
//! another issuer), and its endpoints must be https unless on loopback.

use serde::de::DeserializeOwned;
use url::Url;

use super::{FetchError, get_json};

/// A discovery document: its `issuer`, and the endpoints the SDK will call.
pub(crate) trait Discovered: DeserializeOwned {
    fn issuer(&self) -> &str;
    /// `(name, URL)` of each endpoint to check.
    fn endpoints(&self) -> Vec<(&'static str, &str)>;
}

/// https, or http to this machine (`localhost`, `127.0.0.0/8`, `::1`).
pub(crate) fn is_secure_or_loopback(url: &Url) -> bool {
    match url.host() {
        _ if url.scheme() == "https" => true,
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// GETs `{issuer}/.well-known/openid-configuration` and checks it: the document names
/// `issuer` or one of `also_accepted`, and every endpoint is a URL, https unless on
/// loopback or `allow_http`.
pub(crate) async fn discover<M: Discovered>(
    http: &reqwest::Client,
    issuer: &str,
    also_accepted: &[&str],
    allow_http: bool,
) -> Result<M, FetchError> {
    let url = format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    );
    let fail = |why: String| FetchError {
        url: url.clone(),
        why,
    };
    let allowed = |u: &Url| allow_http || is_secure_or_loopback(u);
    if !Url::parse(issuer).is_ok_and(|u| allowed(&u)) {
        return Err(fail(
            "plain http is only allowed to a provider on loopback".to_owned(),
        ));
    }
    let metadata: M = get_json(http, &url).await?.value;
    let named = metadata.issuer();
    if named != issuer && !also_accepted.contains(&named) {
        return Err(fail(format!(
            "it names issuer {named:?}, not the configured {issuer:?}"
        )));
    }
    for (name, endpoint) in metadata.endpoints() {
        let parsed = Url::parse(endpoint)
            .map_err(|e| fail(format!("{name} {endpoint:?} is not a URL: {e}")))?;
        if !allowed(&parsed) {
            return Err(fail(format!(
                "{name} {endpoint:?} is plain http to another machine"
            )));
        }
    }
    Ok(metadata)
}
