//! `portcullis keys list | rotate | revoke`, on the configured database.

use portcullis_core::keys::{KeyManager, key_states, tenant_retention_secs};
use portcullis_core::{Clock, CoreError, Store, SystemClock, SystemRng, TenantId, UnixTime};
use portcullis_jose::{Algorithm, MasterKey};
use serde_json::json;

use crate::Failure;
use crate::args::{GlobalArgs, KeysCommand, ServeArgs};
use crate::serve::load_config;

pub async fn run(global: &GlobalArgs, cmd: KeysCommand) -> Result<(), Failure> {
    let config = load_config(global, &ServeArgs::default())?;
    let store = crate::admin::open_database(&config).await?;
    let tenant = TenantId::default_tenant();
    let clock = SystemClock;
    let retention = tenant_retention_secs(store.as_ref(), &tenant).await?;
    let (alg, activate_in, now) = match cmd {
        KeysCommand::List { json } => {
            return list(store.as_ref(), &tenant, &clock, retention, json).await;
        }
        KeysCommand::Rotate {
            alg,
            activate_in,
            now,
        } => (alg, activate_in, now),
        KeysCommand::Revoke { kid } => {
            let master = portcullis_server::master_key::resolve(&config.master_key)?;
            let rng = SystemRng::new();
            let manager = manager(store.as_ref(), &clock, &rng, &master);
            return revoke(&manager, &tenant, &kid, retention).await;
        }
    };
    let alg = match alg {
        None => config.keys.algorithm,
        Some(a) => Algorithm::parse(&a).ok_or_else(|| Failure {
            code: 2,
            message: format!("invalid --alg `{a}`: expected RS256, ES256 or EdDSA"),
        })?,
    };
    let delay = if now {
        0
    } else {
        parse_duration(&activate_in)?
    };
    let master = portcullis_server::master_key::resolve(&config.master_key)?;
    let rng = SystemRng::new();
    let key = manager(store.as_ref(), &clock, &rng, &master)
        .rotate(&tenant, alg, delay)
        .await?;
    let when = if delay == 0 {
        "now".to_owned()
    } else {
        format!("in {activate_in}")
    };
    println!(
        "published {} key {}; it signs from {} ({when}). Running servers pick it up within keys.refresh_interval.",
        key.alg,
        key.kid,
        rfc3339(key.activates_at),
    );
    Ok(())
}

fn manager<'a>(
    store: &'a dyn Store,
    clock: &'a dyn Clock,
    rng: &'a SystemRng,
    master: &'a MasterKey,
) -> KeyManager<'a> {
    KeyManager {
        store,
        clock,
        rng,
        master,
    }
}

async fn revoke(
    manager: &KeyManager<'_>,
    tenant: &TenantId,
    kid: &str,
    retention: i64,
) -> Result<(), Failure> {
    match manager.revoke(tenant, kid, retention).await {
        Ok(None) => println!("revoked {kid}; it is no longer published"),
        Ok(Some(new)) => println!(
            "revoked {kid}, which was signing; {} key {} signs from now on",
            new.alg, new.kid
        ),
        Err(CoreError::NoSuchKey(k)) => {
            return Err(Failure {
                code: 2,
                message: format!(
                    "no unrevoked signing key with kid `{k}` (see `portcullis keys list`)"
                ),
            });
        }
        Err(e) => return Err(e.into()),
    }
    Ok(())
}

async fn list(
    store: &dyn Store,
    tenant: &TenantId,
    clock: &dyn Clock,
    retention: i64,
    as_json: bool,
) -> Result<(), Failure> {
    let keys = store.signing_keys(tenant).await?;
    let states = key_states(&keys, clock.now(), retention);
    if as_json {
        let rows: Vec<_> = keys
            .iter()
            .zip(&states)
            .map(|(k, s)| {
                json!({
                    "kid": k.kid,
                    "alg": k.alg.as_str(),
                    "state": s.as_str(),
                    "published": s.is_published(),
                    "created_at": rfc3339(k.created_at),
                    "activates_at": rfc3339(k.activates_at),
                    "revoked_at": k.revoked_at.map(rfc3339),
                })
            })
            .collect();
        println!("{}", serde_json::Value::Array(rows));
        return Ok(());
    }
    println!(
        "{:<24} {:<6} {:<9} {:<21} {:<21}",
        "KID", "ALG", "STATE", "CREATED", "SIGNS FROM"
    );
    for (k, s) in keys.iter().zip(&states) {
        println!(
            "{:<24} {:<6} {:<9} {:<21} {:<21}",
            k.kid,
            k.alg.as_str(),
            s.as_str(),
            rfc3339(k.created_at),
            rfc3339(k.activates_at)
        );
    }
    Ok(())
}

fn rfc3339(t: UnixTime) -> String {
    time::OffsetDateTime::from_unix_timestamp(t.0)
        .ok()
        .and_then(|d| {
            d.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| t.0.to_string())
}

/// `90s`, `15m`, `1h`, `2d`, or plain seconds.
pub(crate) fn parse_duration(text: &str) -> Result<i64, Failure> {
    let bad = || Failure {
        code: 2,
        message: format!("invalid duration `{text}`: expected e.g. 90s, 15m, 1h or 2d"),
    };
    let t = text.trim();
    let (digits, unit) = match t.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => t.split_at(i),
        None => (t, "s"),
    };
    let n: i64 = digits.parse().map_err(|_| bad())?;
    let mult = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(bad()),
    };
    n.checked_mul(mult).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s").unwrap(), 90);
        assert_eq!(parse_duration("15m").unwrap(), 900);
        assert_eq!(parse_duration("1h").unwrap(), 3600);
        assert_eq!(parse_duration("2d").unwrap(), 172_800);
        assert_eq!(parse_duration("45").unwrap(), 45);
        assert_eq!(parse_duration("0").unwrap(), 0);
        for bad in ["", "m", "1w", "-5s", "1.5h", "99999999999999999999"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rfc3339_formats_utc() {
        assert_eq!(rfc3339(UnixTime(0)), "1970-01-01T00:00:00Z");
    }
}
