//! `portcullis cookie decrypt | encrypt`: read the session cookie an Auth0 SDK app
//! (nextjs-auth0 v3 or v4, express-openid-connect) or a Portcullis app wrote, or write a
//! nextjs-auth0 v4 session cookie, given the app's secret. For debugging, tests and
//! migrations.

use std::io::Read;
use std::time::Duration;

use portcullis_jose::{CookieKeyRing, SystemIvSource};
use portcullis_sdk::auth0_cookie::{
    Auth0Session, ReaderConfig, RequestCookies, SessionFormat, read_session_from,
};
use portcullis_sdk::session_cookie::{CookieOptions, Lifetime, SessionCookies};
use serde_json::{Value, json};

use crate::Failure;
use crate::args::CookieCommand;

pub fn run(cmd: CookieCommand) -> Result<(), Failure> {
    let input = stdin()?;
    let now = now();
    match cmd {
        CookieCommand::Decrypt { secrets, at } => {
            let config =
                ReaderConfig::from_secrets(&secrets.secrets).map_err(|e| usage(e.to_string()))?;
            let header = cookie_header(&input);
            let cookies = RequestCookies::parse(&header);
            let session =
                read_session_from(&cookies, &config, at.unwrap_or(now)).ok_or_else(|| Failure {
                    code: 1,
                    message: "no session could be read: no __session or appSession cookie, \
                              or it is expired, tampered or made with another secret"
                        .to_owned(),
                })?;
            let out = match &session {
                Auth0Session::Stateless(data) => json!({
                    "format": format_name(data.format()),
                    "header": data.header(),
                    "payload": data.payload(),
                }),
                Auth0Session::Stateful(_) => json!({
                    "format": "nextjs-auth0 v4 stateful (the session is in the app's store)",
                }),
            };
            println!("{}", pretty(&out)?);
            Ok(())
        }
        CookieCommand::Encrypt {
            secrets,
            name,
            absolute,
            inactivity,
        } => {
            let session: Value = serde_json::from_str(&input)
                .map_err(|e| usage(format!("standard input is not JSON: {e}")))?;
            let keys =
                CookieKeyRing::from_secrets(&secrets.secrets).map_err(|e| usage(e.to_string()))?;
            let options = CookieOptions {
                name: portcullis_sdk::auth0_cookie::CookieName::parse(&name)
                    .map_err(|e| usage(e.to_string()))?,
                ..CookieOptions::default()
            };
            let lifetime = Lifetime {
                rolling: true,
                absolute: duration("--absolute", &absolute)?,
                inactivity: duration("--inactivity", &inactivity)?,
            };
            let writer =
                SessionCookies::new(keys, options, lifetime).map_err(|e| usage(e.to_string()))?;
            let set = writer
                .write(
                    &session,
                    &RequestCookies::default(),
                    now,
                    &SystemIvSource::new(),
                )
                .map_err(|e| usage(e.to_string()))?;
            for line in set {
                println!("Set-Cookie: {line}");
            }
            Ok(())
        }
    }
}

fn format_name(format: SessionFormat) -> &'static str {
    match format {
        SessionFormat::NextjsV4 => "nextjs-auth0 v4",
        SessionFormat::NextjsV3 => "nextjs-auth0 v3",
        SessionFormat::ExpressOpenidConnect => "express-openid-connect",
    }
}

/// The cookies in `input`: a `Cookie` header (with or without its name), or `Set-Cookie`
/// lines (a browser's view: only the name=value of each, deletions dropped).
fn cookie_header(input: &str) -> String {
    let mut pairs: Vec<&str> = Vec::new();
    for line in input.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (set_cookie, rest) = match line.split_once(':') {
            Some((name, rest)) if name.eq_ignore_ascii_case("set-cookie") => (true, rest.trim()),
            Some((name, rest)) if name.eq_ignore_ascii_case("cookie") => (false, rest.trim()),
            _ => (looks_like_set_cookie(line), line),
        };
        if set_cookie {
            let deleted = rest
                .split(';')
                .any(|a| a.trim().eq_ignore_ascii_case("max-age=0"));
            if let Some(pair) = rest.split(';').next().filter(|_| !deleted) {
                pairs.push(pair.trim());
            }
        } else {
            pairs.extend(rest.split(';').map(str::trim));
        }
    }
    pairs.join("; ")
}

fn looks_like_set_cookie(line: &str) -> bool {
    line.split(';').skip(1).any(|a| {
        let name = a
            .trim()
            .split('=')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        matches!(
            name.as_str(),
            "path" | "domain" | "expires" | "max-age" | "httponly" | "secure" | "samesite"
        )
    })
}

fn stdin() -> Result<String, Failure> {
    let mut input = String::new();
    std::io::stdin()
        .take(1024 * 1024)
        .read_to_string(&mut input)
        .map_err(|e| Failure {
            code: 1,
            message: format!("reading standard input: {e}"),
        })?;
    Ok(input)
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn duration(flag: &str, value: &str) -> Result<Duration, Failure> {
    let secs =
        crate::keys::parse_duration(value).map_err(|f| usage(format!("{flag}: {}", f.message)))?;
    Ok(Duration::from_secs(u64::try_from(secs).unwrap_or(0)))
}

fn pretty(v: &Value) -> Result<String, Failure> {
    serde_json::to_string_pretty(v).map_err(|e| Failure {
        code: 1,
        message: format!("encoding the session: {e}"),
    })
}

fn usage(message: String) -> Failure {
    Failure { code: 2, message }
}

#[cfg(test)]
mod tests {
    use super::cookie_header;

    #[test]
    fn cookie_headers_and_set_cookie_lines() {
        assert_eq!(cookie_header("a=1; b=2\n"), "a=1; b=2");
        assert_eq!(cookie_header("Cookie: a=1; b=2"), "a=1; b=2");
        assert_eq!(
            cookie_header(
                "Set-Cookie: __session__0=abc; Path=/; HttpOnly\n\
                 __session__1=def; Path=/; Max-Age=100\n\
                 set-cookie: __session=; Path=/; Max-Age=0\n"
            ),
            "__session__0=abc; __session__1=def"
        );
    }
}
