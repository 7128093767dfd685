//! Transport limits on a real socket: header size, slow clients, graceful shutdown.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::{Running, data_dir};

fn read_all(s: &mut TcpStream) -> String {
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    String::from_utf8_lossy(&buf).into_owned()
}

#[test]
fn oversized_request_head_is_431() {
    let (_tmp, data) = data_dir();
    let srv = Running::start(&data, &[], &[]);
    let mut s = TcpStream::connect(srv.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let big = "a".repeat(40 * 1024);
    write!(
        s,
        "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: {big}\r\n\r\n"
    )
    .unwrap();
    let answer = read_all(&mut s);
    assert!(answer.starts_with("HTTP/1.1 431 "), "{answer}");
    // The server is still fine.
    assert_eq!(srv.get("/healthz").status, 200);
}

#[test]
fn slow_request_head_is_cut_off_while_others_are_served() {
    let (_tmp, data) = data_dir();
    let srv = Running::start(&data, &[], &[("PORTCULLIS_HTTP_HEADER_READ_TIMEOUT", "1")]);
    let mut slow = TcpStream::connect(srv.addr).unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    let started = Instant::now();
    assert_eq!(srv.get("/healthz").status, 200);
    let answer = read_all(&mut slow);
    let waited = started.elapsed();
    assert!(
        waited < Duration::from_secs(5),
        "slow client held for {waited:?}"
    );
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408 "),
        "unexpected answer: {answer}"
    );
}

#[test]
fn sigterm_with_an_idle_keep_alive_connection_exits_promptly() {
    let (_tmp, data) = data_dir();
    let srv = Running::start(&data, &[], &[]);
    let mut conn = TcpStream::connect(srv.addr).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    conn.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut buf = [0u8; 512];
    let n = conn.read(&mut buf).unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 200 "));
    let started = Instant::now();
    let (status, _) = srv.stop();
    assert!(status.success(), "{status:?}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    // The idle connection was closed by the server.
    assert_eq!(read_all(&mut conn), "");
}
