//! `portcullis proxy`: the SDK's login routes and BFF forwarding, with the browser app's
//! files, as one process configured by the Auth0 variables and flags.

use std::net::SocketAddr;

use axum::Router;
use portcullis_sdk::bff::{ProxyRoute, proxy_router};
use portcullis_sdk::web::{Auth0Client, Auth0Config};
use tower_http::services::ServeDir;

use portcullis_server::config::LogFormat;

use crate::Failure;
use crate::args::{GlobalArgs, ProxyArgs};

pub async fn run(global: &GlobalArgs, args: ProxyArgs) -> Result<(), Failure> {
    let format = match global.log_format.as_deref() {
        Some("json") => LogFormat::Json,
        None | Some("pretty") => LogFormat::Pretty,
        Some(other) => {
            return Err(usage(format!(
                "--log-format {other:?}: expected pretty or json"
            )));
        }
    };
    crate::logging::init(format, "info");
    let mut routes = Vec::new();
    for (raw, anonymous) in args
        .routes
        .iter()
        .map(|r| (r, false))
        .chain(args.anonymous_routes.iter().map(|r| (r, true)))
    {
        routes.push(parse_route(raw, anonymous)?);
    }
    if routes.is_empty() && args.static_dir.is_none() {
        return Err(usage(
            "nothing to serve: give --route PREFIX=URL (repeatable) and/or --static DIR".into(),
        ));
    }
    if let Some(dir) = &args.static_dir
        && !dir.is_dir()
    {
        return Err(usage(format!(
            "--static {}: not a directory",
            dir.display()
        )));
    }
    let config = Auth0Config::from_env().map_err(|e| usage(format!("login settings: {e}")))?;
    let listen = match args.listen {
        Some(listen) => listen,
        None => {
            let port = config
                .app_base_url()
                .port_or_known_default()
                .unwrap_or(3000);
            SocketAddr::from(([127, 0, 0, 1], port))
        }
    };
    let auth = Auth0Client::new(config).await.map_err(|e| Failure {
        code: 1,
        message: format!("cannot reach the identity provider: {e}"),
    })?;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(std::time::Duration::from_secs(5))
        .build()
        .map_err(|e| Failure {
            code: 1,
            message: format!("cannot set up the HTTP client: {}", crate::one_line(&e)),
        })?;
    let mut app: Router = Router::new()
        // No /auth/access-token: a BFF keeps tokens away from the browser.
        .merge(auth.login_router())
        .merge(proxy_router(&routes, http));
    if let Some(dir) = &args.static_dir {
        app = app.fallback_service(ServeDir::new(dir));
    }
    let app = app.layer(auth.layer());
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| Failure {
            code: 1,
            message: format!("cannot listen on {listen}: {e}"),
        })?;
    let address = listener.local_addr().map_err(|e| Failure {
        code: 1,
        message: format!("cannot listen on {listen}: {e}"),
    })?;
    for route in &routes {
        tracing::info!(prefix = route.prefix, upstream = %route.upstream, anonymous = route.anonymous, "forwarding");
    }
    tracing::info!(%address, "proxy listening");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| Failure {
            code: 1,
            message: format!("serving: {e}"),
        })
}

/// `PREFIX=URL`: a path prefix starting with `/`, an http(s) URL.
fn parse_route(raw: &str, anonymous: bool) -> Result<ProxyRoute, Failure> {
    let Some((prefix, url)) = raw.split_once('=') else {
        return Err(usage(format!(
            "--route {raw:?}: expected PREFIX=URL, e.g. /api/orders=http://127.0.0.1:3001/"
        )));
    };
    let prefix = prefix.trim_end_matches('/');
    if !prefix.starts_with('/') || prefix.len() < 2 || prefix.contains(['{', '}', '*']) {
        return Err(usage(format!(
            "--route {raw:?}: the prefix must be a path like /api/orders"
        )));
    }
    let upstream = url::Url::parse(url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
        .ok_or_else(|| usage(format!("--route {raw:?}: {url:?} is not an http(s) URL")))?;
    Ok(ProxyRoute {
        anonymous,
        ..ProxyRoute::new(prefix, upstream)
    })
}

fn usage(message: String) -> Failure {
    Failure { code: 2, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_are_checked() {
        let r = parse_route("/api/orders/=http://127.0.0.1:3001/v1/", false).unwrap();
        assert_eq!(r.prefix, "/api/orders");
        assert_eq!(r.upstream.as_str(), "http://127.0.0.1:3001/v1/");
        for bad in [
            "/api/orders",
            "api=http://x/",
            "/=http://x/",
            "/a/{x}=http://x/",
            "/a=ftp://x/",
            "/a=nope",
        ] {
            assert!(parse_route(bad, false).is_err(), "{bad}");
        }
    }
}
