//! `/api/v2/tenants/settings`: the tenant's settings, with Auth0's names where Auth0 has
//! the setting (`friendly_name`, `picture_url`, `session_lifetime` and
//! `idle_session_lifetime` in hours) and Portcullis's own otherwise (`id_token_lifetime`,
//! `default_roles`, `refresh_token_reuse_window`, `refresh_token_lifetime`,
//! `refresh_token_idle_lifetime`, `signup_requires_verification`; see
//! [`TenantSettings`]). Scopes: `read:tenant_settings`, `update:tenant_settings`.
//!
//! `PATCH` changes the fields it names and answers 200 with every setting. It is
//! all or nothing: any refused field (unknown, out of range, a default role the tenant
//! does not have) is a 400 and nothing changes. The settings Auth0 has and Portcullis
//! does not (`flags`, `universal_login`, `support_email`...) are refused like any
//! unknown field.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use portcullis_core::{RoleId, StoreError, TenantSettings};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::auth;
use super::error::ApiError;
use super::input;
use crate::state::AppState;
use portcullis_core::limits::{
    MAX_FRIENDLY_NAME, MAX_ID_TOKEN_LIFETIME, MAX_PICTURE_URL, MAX_REFRESH_LIFETIME,
    MAX_REUSE_WINDOW, MAX_SESSION_HOURS,
};

pub fn routes() -> Router<AppState> {
    Router::new().route("/tenants/settings", get(read).patch(update))
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::bad_request(message, Some("invalid_body"))
}

/// The settings as the API shows them: unset optional fields left out, as Auth0 does.
fn settings_json(settings: &TenantSettings) -> Result<Value, ApiError> {
    let mut value = serde_json::to_value(settings)
        .map_err(|e| ApiError::internal("encoding the tenant settings", &e))?;
    if let Value::Object(o) = &mut value {
        o.retain(|_, v| !v.is_null());
    }
    Ok(value)
}

async fn current(state: &AppState) -> Result<TenantSettings, ApiError> {
    let tenant = state.store.tenant(&state.tenant).await?.ok_or_else(|| {
        ApiError::internal(
            "reading the tenant settings",
            &format!("tenant {} does not exist", state.tenant),
        )
    })?;
    Ok(tenant.settings)
}

/// `GET /tenants/settings`.
async fn read(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    auth::require(&state, &headers, &["read:tenant_settings"])?;
    let settings = current(&state).await?;
    Ok(Json(settings_json(&settings)?).into_response())
}

/// `Some(None)` for an explicit `null`, `Some(Some(v))` for a value; a missing field is
/// `None` through `#[serde(default)]`.
fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// What PATCH may change; a field left out stays as it is.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PatchSettings {
    #[serde(default)]
    friendly_name: Option<String>,
    /// `null` removes the picture.
    #[serde(default, deserialize_with = "nullable")]
    picture_url: Option<Option<String>>,
    #[serde(default)]
    session_lifetime: Option<u32>,
    #[serde(default)]
    idle_session_lifetime: Option<u32>,
    #[serde(default)]
    id_token_lifetime: Option<u32>,
    #[serde(default)]
    default_roles: Option<Vec<String>>,
    #[serde(default)]
    refresh_token_reuse_window: Option<u32>,
    #[serde(default)]
    refresh_token_lifetime: Option<u32>,
    #[serde(default)]
    refresh_token_idle_lifetime: Option<u32>,
    #[serde(default)]
    signup_requires_verification: Option<bool>,
}

/// `settings` with `patch` applied, checked as a whole.
fn patched(mut s: TenantSettings, patch: PatchSettings) -> Result<TenantSettings, ApiError> {
    if let Some(name) = patch.friendly_name {
        let name = name.trim().to_owned();
        if name.is_empty()
            || name.chars().count() > MAX_FRIENDLY_NAME
            || name.chars().any(char::is_control)
        {
            return Err(invalid(format!(
                "friendly_name must be 1 to {MAX_FRIENDLY_NAME} characters, without control \
                 characters."
            )));
        }
        s.friendly_name = name;
    }
    if let Some(picture) = patch.picture_url {
        if let Some(url) = &picture {
            check_picture_url(url)?;
        }
        s.picture_url = picture;
    }
    set(&mut s.session_lifetime, patch.session_lifetime);
    set(&mut s.idle_session_lifetime, patch.idle_session_lifetime);
    set(&mut s.id_token_lifetime, patch.id_token_lifetime);
    set(
        &mut s.refresh_token_reuse_window,
        patch.refresh_token_reuse_window,
    );
    set(&mut s.refresh_token_lifetime, patch.refresh_token_lifetime);
    set(
        &mut s.refresh_token_idle_lifetime,
        patch.refresh_token_idle_lifetime,
    );
    set(
        &mut s.signup_requires_verification,
        patch.signup_requires_verification,
    );
    if let Some(roles) = patch.default_roles {
        let mut out: Vec<String> = Vec::with_capacity(roles.len());
        for r in roles {
            if !out.contains(&r) {
                out.push(r);
            }
        }
        s.default_roles = out;
    }
    in_range("session_lifetime", s.session_lifetime, 1, MAX_SESSION_HOURS)?;
    in_range(
        "idle_session_lifetime",
        s.idle_session_lifetime,
        1,
        s.session_lifetime,
    )?;
    in_range(
        "id_token_lifetime",
        s.id_token_lifetime,
        1,
        MAX_ID_TOKEN_LIFETIME,
    )?;
    in_range(
        "refresh_token_lifetime",
        s.refresh_token_lifetime,
        1,
        MAX_REFRESH_LIFETIME,
    )?;
    in_range(
        "refresh_token_idle_lifetime",
        s.refresh_token_idle_lifetime,
        1,
        s.refresh_token_lifetime,
    )?;
    in_range(
        "refresh_token_reuse_window",
        s.refresh_token_reuse_window,
        0,
        MAX_REUSE_WINDOW,
    )?;
    Ok(s)
}

fn set<T>(field: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *field = v;
    }
}

/// 400 unless `min <= value <= max`. An upper bound that is another setting (an idle
/// lifetime is at most the absolute one) is named by the message's numbers.
fn in_range(name: &str, value: u32, min: u32, max: u32) -> Result<(), ApiError> {
    if (min..=max).contains(&value) {
        return Ok(());
    }
    let why = match name {
        "idle_session_lifetime" => " (at most session_lifetime)",
        "refresh_token_idle_lifetime" => " (at most refresh_token_lifetime)",
        _ => "",
    };
    Err(invalid(format!(
        "{name} must be between {min} and {max}{why}; it would be {value}."
    )))
}

fn check_picture_url(value: &str) -> Result<(), ApiError> {
    let ok = value.len() <= MAX_PICTURE_URL
        && url::Url::parse(value).is_ok_and(|u| {
            matches!(u.scheme(), "https" | "http") && u.host().is_some() && u.password().is_none()
        });
    if ok {
        Ok(())
    } else {
        Err(invalid(
            "picture_url must be an absolute http or https URL of at most 2048 bytes.",
        ))
    }
}

/// `PATCH /tenants/settings`: 200 with every setting.
async fn update(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    auth::require(&state, &headers, &["update:tenant_settings"])?;
    let patch: PatchSettings = input::json_body(&headers, &body)?;
    let roles_changed = patch.default_roles.is_some();
    let settings = patched(current(&state).await?, patch)?;
    if roles_changed {
        let ids: Vec<RoleId> = settings.default_roles.iter().map(RoleId::new).collect();
        let missing = state.store.missing_roles(&state.tenant, &ids).await?;
        if !missing.is_empty() {
            let names: Vec<&str> = missing.iter().map(RoleId::as_str).collect();
            return Err(invalid(format!(
                "default_roles: no role with id {}.",
                names.join(", ")
            )));
        }
    }
    match state
        .store
        .replace_tenant_settings(&state.tenant, &settings)
        .await
    {
        Ok(true) => {}
        Ok(false) => {
            return Err(ApiError::internal(
                "updating the tenant settings",
                &format!("tenant {} does not exist", state.tenant),
            ));
        }
        // A default role deleted since the check above.
        Err(StoreError::Conflict(_)) => {
            return Err(invalid("default_roles: a role does not exist."));
        }
        Err(e) => return Err(e.into()),
    }
    state.catalog.invalidate();
    Ok(Json(settings_json(&settings)?).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patch(json: &str) -> PatchSettings {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn idle_lifetimes_are_bounded_by_absolute_ones() {
        let d = TenantSettings::default();
        assert!(patched(d.clone(), patch(r#"{"idle_session_lifetime":168}"#)).is_ok());
        let err = patched(d.clone(), patch(r#"{"idle_session_lifetime":169}"#)).unwrap_err();
        assert_eq!(
            err.message,
            "idle_session_lifetime must be between 1 and 168 (at most session_lifetime); it would be 169."
        );
        // Lowering the absolute lifetime below the current idle one is refused too.
        assert!(patched(d.clone(), patch(r#"{"refresh_token_lifetime":60}"#)).is_err());
        let ok = patched(
            d,
            patch(r#"{"refresh_token_lifetime":60,"refresh_token_idle_lifetime":60}"#),
        )
        .unwrap();
        assert_eq!(
            (ok.refresh_token_lifetime, ok.refresh_token_idle_lifetime),
            (60, 60)
        );
    }

    #[test]
    fn picture_url_null_clears_and_bad_urls_are_refused() {
        let d = TenantSettings {
            picture_url: Some("https://cdn.example/logo.png".into()),
            ..TenantSettings::default()
        };
        assert_eq!(
            patched(d.clone(), patch(r#"{"picture_url":null}"#))
                .unwrap()
                .picture_url,
            None
        );
        assert_eq!(
            patched(d.clone(), patch("{}")).unwrap().picture_url,
            d.picture_url
        );
        for bad in ["javascript:alert(1)", "/logo.png", "ftp://x/y"] {
            let body = serde_json::json!({ "picture_url": bad }).to_string();
            assert!(patched(d.clone(), patch(&body)).is_err(), "{bad}");
        }
    }
}
