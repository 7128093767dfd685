//! The accept loop: plain TCP or rustls, HTTP/1.1 by hyper with a header read timeout
//! and header limits, and graceful shutdown (stop accepting, let in-flight requests
//! finish, give up at a deadline).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use crate::config::HttpConfig;
use crate::error::ServerError;

/// hyper's read buffer bound: a rough cap on memory per connection. The exact 32 KiB
/// limit on request heads is `middleware::header_limit`.
const MAX_READ_BUFFER: usize = 64 * 1024;
const MAX_HEADERS: usize = 100;

/// A bound listening socket, with TLS when configured.
pub struct Listener {
    tcp: TcpListener,
    tls: Option<TlsAcceptor>,
    addr: SocketAddr,
}

impl Listener {
    /// Binds `addr`. An address in use is its own error, so the operator is told plainly.
    pub async fn bind(
        addr: SocketAddr,
        tls: Option<Arc<rustls::ServerConfig>>,
    ) -> Result<Self, ServerError> {
        let tcp = TcpListener::bind(addr).await.map_err(|source| {
            if source.kind() == std::io::ErrorKind::AddrInUse {
                ServerError::AddrInUse { addr }
            } else {
                ServerError::Bind { addr, source }
            }
        })?;
        let addr = tcp
            .local_addr()
            .map_err(|source| ServerError::Bind { addr, source })?;
        Ok(Listener {
            tcp,
            tls: tls.map(TlsAcceptor::from),
            addr,
        })
    }

    /// The bound address (with the real port when port 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn is_tls(&self) -> bool {
        self.tls.is_some()
    }
}

/// Serves `app` until `shutdown` completes, then drains connections for at most
/// `http.shutdown_timeout`.
pub async fn serve(
    listener: Listener,
    app: Router,
    http: &HttpConfig,
    shutdown: impl Future<Output = ()>,
) {
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(http.header_read_timeout)
        .max_buf_size(MAX_READ_BUFFER)
        .max_headers(MAX_HEADERS);
    let graceful = GracefulShutdown::new();
    let handshake_timeout = http.header_read_timeout;
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.tcp.accept() => match accepted {
                Ok(conn) => conn,
                Err(e) => {
                    // Out of file descriptors and the like: back off, keep serving.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(app.clone().map_request(
            move |mut req: hyper::Request<Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                req
            },
        ));
        let builder = builder.clone();
        let watcher = graceful.watcher();
        match listener.tls.clone() {
            None => {
                let conn = builder.serve_connection(TokioIo::new(stream), service);
                tokio::spawn(async move {
                    if let Err(e) = watcher.watch(conn).await {
                        tracing::debug!(%peer, error = %e, "connection ended with an error");
                    }
                });
            }
            Some(acceptor) => {
                tokio::spawn(async move {
                    let tls = match tokio::time::timeout(handshake_timeout, acceptor.accept(stream))
                        .await
                    {
                        Ok(Ok(tls)) => tls,
                        Ok(Err(e)) => {
                            tracing::debug!(%peer, error = %e, "TLS handshake failed");
                            return;
                        }
                        Err(_) => {
                            tracing::debug!(%peer, "TLS handshake timed out");
                            return;
                        }
                    };
                    let conn = builder.serve_connection(TokioIo::new(tls), service);
                    if let Err(e) = watcher.watch(conn).await {
                        tracing::debug!(%peer, error = %e, "connection ended with an error");
                    }
                });
            }
        }
    }
    drop(listener);
    tracing::info!("shutting down: no longer accepting connections, finishing requests in flight");
    tokio::select! {
        () = graceful.shutdown() => tracing::info!("all connections closed"),
        () = tokio::time::sleep(http.shutdown_timeout) => {
            tracing::warn!(deadline = ?http.shutdown_timeout, "shutdown deadline reached with connections still open; closing them");
        }
    }
}
