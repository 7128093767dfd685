//! `GET /api/v2/logs`, `/logs/{id}` and `/users/{id}/logs`: the audit log, as Auth0's
//! log events. Newest first by default (`sort=date:1` for oldest first); `q` filters with
//! `type:`, `user_id:` and `client_id:` terms joined by `AND`; `from` + `take` page from
//! a checkpoint, as Auth0's log streaming clients do.

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use portcullis_core::user::rfc3339;
use portcullis_core::{EventType, LogEvent, LogQuery};
use serde_json::{Value, json};

use super::auth;
use super::error::ApiError;
use super::input::Query;
use super::paging::{MAX_PER_PAGE, Paging};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/logs", get(list))
        .route("/logs/{id}", get(one))
        .route("/users/{id}/logs", get(of_user))
}

async fn list(
    State(s): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, ApiError> {
    auth::require(&s, &headers, &["read:logs"])?;
    let mut q = Query::parse(uri.query());
    let from = q.take("from")?;
    let take = q.take_u32("take")?;
    if from.is_some() || take.is_some() {
        q.finish()?;
        let take = take.unwrap_or(DEFAULT_TAKE).clamp(1, MAX_PER_PAGE);
        let events = s
            .store
            .log_events_after(&s.tenant, from.as_deref(), take)
            .await?;
        return Ok(Json(events.iter().map(log_json).collect::<Vec<_>>()).into_response());
    }
    let paging = Paging::take(&mut q)?;
    let mut query = match q.take("q")? {
        Some(text) => parse_q(&text)?,
        None => LogQuery::default(),
    };
    query.oldest_first = oldest_first(q.take("sort")?.as_deref())?;
    q.finish()?;
    let page = s
        .store
        .log_events(&s.tenant, &query, paging.request)
        .await?;
    Ok(paging.respond("logs", page.map(|e| log_json(&e))))
}

async fn one(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    auth::require(&s, &headers, &["read:logs"])?;
    match s.store.log_event(&s.tenant, &id).await? {
        Some(e) => Ok(Json(log_json(&e)).into_response()),
        None => Err(ApiError::not_found("log not found", "inexistent_log")),
    }
}

async fn of_user(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    uri: Uri,
) -> Result<Response, ApiError> {
    let caller = auth::require(&s, &headers, &["read:logs"])?;
    if !caller.has("read:logs_users") {
        return Err(ApiError::insufficient_scope(&["read:logs_users"]));
    }
    let mut q = Query::parse(uri.query());
    let paging = Paging::take(&mut q)?;
    let query = LogQuery {
        user_id: Some(id),
        oldest_first: oldest_first(q.take("sort")?.as_deref())?,
        ..LogQuery::default()
    };
    q.finish()?;
    let page = s
        .store
        .log_events(&s.tenant, &query, paging.request)
        .await?;
    Ok(paging.respond("logs", page.map(|e| log_json(&e))))
}

/// Events per checkpoint page when `take` is not given.
const DEFAULT_TAKE: u32 = 50;

fn oldest_first(sort: Option<&str>) -> Result<bool, ApiError> {
    match sort {
        None | Some("date:-1") => Ok(false),
        Some("date:1") => Ok(true),
        Some(other) => Err(ApiError::invalid_query(format!(
            "sort must be date:1 or date:-1, not {other}"
        ))),
    }
}

/// `type:"s" AND user_id:"auth0|1"`: the terms Portcullis filters on.
fn parse_q(text: &str) -> Result<LogQuery, ApiError> {
    let mut query = LogQuery::default();
    for term in text.split(" AND ") {
        let (field, value) = term
            .trim()
            .split_once(':')
            .ok_or_else(|| unsupported(term))?;
        let value = value.trim().trim_matches('"').to_owned();
        if value.is_empty() {
            return Err(unsupported(term));
        }
        match field {
            "type" => {
                query.event_type = Some(EventType::parse(&value).ok_or_else(|| {
                    ApiError::invalid_query(format!("unknown log event type {value}"))
                })?);
            }
            "user_id" => query.user_id = Some(value),
            "client_id" => query.client_id = Some(value),
            _ => return Err(unsupported(term)),
        }
    }
    Ok(query)
}

fn unsupported(term: &str) -> ApiError {
    ApiError::invalid_query(format!(
        "unsupported search term {term:?}: use type:, user_id: or client_id: terms joined by AND"
    ))
}

/// An event as Auth0 shows it.
pub fn log_json(e: &LogEvent) -> Value {
    let mut v = json!({
        "_id": e.log_id,
        "log_id": e.log_id,
        "date": rfc3339(e.date.0),
        "type": e.event_type.code(),
        "description": e.description,
        "details": e.details,
    });
    for (key, value) in [
        ("client_id", &e.client_id),
        ("ip", &e.ip),
        ("user_agent", &e.user_agent),
        ("user_id", &e.user_id),
        ("user_name", &e.user_name),
    ] {
        if let Some(value) = value {
            v[key] = value.clone().into();
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_terms() {
        let q = parse_q(r#"type:"f" AND user_id:"auth0|abc""#).ok();
        assert_eq!(
            q,
            Some(LogQuery {
                event_type: Some(EventType::FailedLogin),
                user_id: Some("auth0|abc".into()),
                ..LogQuery::default()
            })
        );
        assert!(parse_q("type:nope").is_err());
        assert!(parse_q("description:x").is_err());
        assert!(parse_q("free text").is_err());
        assert_eq!(oldest_first(Some("date:1")).ok(), Some(true));
        assert!(oldest_first(Some("type:1")).is_err());
    }
}
