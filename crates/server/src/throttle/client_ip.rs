//! The address a request came from, as the throttle counts it.

use std::convert::Infallible;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

/// The peer address of the connection (`ConnectInfo`, set by [`crate::serve`]).
///
/// `X-Forwarded-For` is not read: behind a reverse proxy every request counts against
/// the proxy's address. A request without `ConnectInfo` (a router driven in-process)
/// counts as the unspecified address `::`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientIp(pub IpAddr);

impl ClientIp {
    /// The key the throttle counts under: an IPv4 address (also when IPv4-mapped), or
    /// the /64 network of an IPv6 address, since one host usually holds a whole /64.
    pub fn key(self) -> u128 {
        match self.0 {
            IpAddr::V4(v4) => u128::from(v4.to_ipv6_mapped()),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => u128::from(v4.to_ipv6_mapped()),
                None => u128::from(v6) & !u128::from(u64::MAX),
            },
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(ClientIp(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map_or(IpAddr::V6(Ipv6Addr::UNSPECIFIED), |c| c.0.ip()),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn ip(s: &str) -> ClientIp {
        ClientIp(s.parse().unwrap())
    }

    #[test]
    fn ipv6_counts_per_64_and_mapped_ipv4_as_ipv4() {
        assert_eq!(
            ip("2001:db8:1:2::1").key(),
            ip("2001:db8:1:2:ffff::9").key()
        );
        assert_ne!(ip("2001:db8:1:2::1").key(), ip("2001:db8:1:3::1").key());
        assert_eq!(ip("::ffff:192.0.2.1").key(), ip("192.0.2.1").key());
        assert_ne!(ip("192.0.2.1").key(), ip("192.0.2.2").key());
        assert_ne!(ip("::").key(), ip("0.0.0.0").key());
    }

    #[tokio::test]
    async fn the_peer_address_or_unspecified() {
        let (mut parts, ()) = Request::new(()).into_parts();
        let got = ClientIp::from_request_parts(&mut parts, &()).await;
        assert_eq!(got, Ok(ip("::")));
        let peer: SocketAddr = "198.51.100.7:4242".parse().unwrap();
        parts.extensions.insert(ConnectInfo(peer));
        let got = ClientIp::from_request_parts(&mut parts, &()).await;
        assert_eq!(got, Ok(ip("198.51.100.7")));
    }
}
