//! The `portcullis admin` commands that read the tenant through the Management API
//! (`users list | show`, `roles list | permissions`, `apis list`, `apps list`, `grants
//! list`, `tenant show`, `logs`) and `admin api`, the raw call; all work on the local
//! database or, with `--url`, on a running server. Tables by default, the API's JSON
//! with `--json`.

use std::io::Read;

use axum::http::Method;
use serde_json::Value;

use crate::Failure;
use crate::args::{ApiArgs, GlobalArgs, ListArgs, LogsArgs};
use crate::mgmt_client::{Client, encode};

/// `admin users list`: one page, oldest first.
pub async fn users_list(
    global: &GlobalArgs,
    email: Option<String>,
    page: u32,
    per_page: u32,
    list: ListArgs,
) -> Result<(), Failure> {
    let client = Client::connect(global, &list.remote).await?;
    let mut path = format!("/users?page={page}&per_page={per_page}");
    if let Some(email) = email {
        path.push_str(&format!("&q={}", encode(&format!("email:\"{email}\""))));
    }
    let users = client.call(Method::GET, &path, None).await?;
    print_list(
        &users,
        list.json,
        "no users",
        &Table::new(&[
            ("USER_ID", "user_id"),
            ("EMAIL", "email"),
            ("NAME", "name"),
            ("LOGINS", "logins_count"),
            ("BLOCKED", "blocked"),
        ]),
    )
}

/// `admin users show`: every field of one user.
pub async fn users_show(global: &GlobalArgs, id: &str, list: ListArgs) -> Result<(), Failure> {
    let client = Client::connect(global, &list.remote).await?;
    let user = client
        .call(Method::GET, &format!("/users/{}", encode(id)), None)
        .await?;
    print_object(&user, list.json, "FIELD")
}

pub async fn roles_list(global: &GlobalArgs, list: ListArgs) -> Result<(), Failure> {
    let client = Client::connect(global, &list.remote).await?;
    let roles = Value::Array(client.list_all("/roles", "").await?);
    print_list(
        &roles,
        list.json,
        "no roles",
        &Table::new(&[
            ("ID", "id"),
            ("NAME", "name"),
            ("DESCRIPTION", "description"),
        ]),
    )
}

pub async fn role_permissions(
    global: &GlobalArgs,
    role_id: &str,
    list: ListArgs,
) -> Result<(), Failure> {
    let client = Client::connect(global, &list.remote).await?;
    let path = format!("/roles/{}/permissions", encode(role_id));
    let permissions = Value::Array(client.list_all(&path, "").await?);
    print_list(
        &permissions,
        list.json,
        "no permissions",
        &Table::new(&[
            ("API", "resource_server_identifier"),
            ("PERMISSION", "permission_name"),
        ]),
    )
}

pub async fn apis_list(global: &GlobalArgs, list: ListArgs) -> Result<(), Failure> {
    let client = Client::connect(global, &list.remote).await?;
    let mut apis = client.list_all("/resource-servers", "").await?;
    // The table shows how many scopes; the JSON keeps them.
    if !list.json {
        for api in &mut apis {
            let count = api["scopes"].as_array().map_or(0, Vec::len);
            api["scopes"] = count.into();
        }
    }
    print_list(
        &Value::Array(apis),
        list.json,
        "no APIs",
        &Table::new(&[
            ("ID", "id"),
            ("IDENTIFIER", "identifier"),
            ("NAME", "name"),
            ("SCOPES", "scopes"),
            ("DIALECT", "token_dialect"),
        ]),
    )
}

/// The fields `admin apps list --json` has always shown (never a secret).
const APP_FIELDS: &str = "client_id,name,app_type,token_endpoint_auth_method,callbacks,allowed_logout_urls,web_origins,grant_types";

/// `admin apps list`: the columns and JSON fields it had when it read the store.
pub async fn apps_list(global: &GlobalArgs, list: ListArgs) -> Result<(), Failure> {
    let client = Client::connect(global, &list.remote).await?;
    let query = format!("fields={}&include_fields=true", encode(APP_FIELDS));
    let apps = Value::Array(client.list_all("/clients", &query).await?);
    let mut table = Table::new(&[
        ("CLIENT_ID", "client_id"),
        ("TYPE", "app_type"),
        ("AUTH METHOD", "token_endpoint_auth_method"),
        ("NAME", "name"),
    ]);
    table.min_widths = vec![32, 15, 19, 0];
    table.gap = " ";
    print_list(&apps, list.json, "no applications", &table)
}

pub async fn grants_list(
    global: &GlobalArgs,
    app: Option<String>,
    audience: Option<String>,
    list: ListArgs,
) -> Result<(), Failure> {
    let client = Client::connect(global, &list.remote).await?;
    let mut filters = Vec::new();
    if let Some(app) = app {
        filters.push(format!("client_id={}", encode(&app)));
    }
    if let Some(audience) = audience {
        filters.push(format!("audience={}", encode(&audience)));
    }
    let grants = Value::Array(
        client
            .list_all("/client-grants", &filters.join("&"))
            .await?,
    );
    print_list(
        &grants,
        list.json,
        "no client grants",
        &Table::new(&[
            ("ID", "id"),
            ("CLIENT_ID", "client_id"),
            ("AUDIENCE", "audience"),
            ("SCOPE", "scope"),
        ]),
    )
}

pub async fn tenant_show(global: &GlobalArgs, list: ListArgs) -> Result<(), Failure> {
    let client = Client::connect(global, &list.remote).await?;
    let settings = client.call(Method::GET, "/tenants/settings", None).await?;
    print_object(&settings, list.json, "SETTING")
}

/// `admin logs`: the newest events first.
pub async fn logs(global: &GlobalArgs, args: LogsArgs) -> Result<(), Failure> {
    let client = Client::connect(global, &args.list.remote).await?;
    let mut terms = Vec::new();
    if let Some(t) = &args.event_type {
        terms.push(format!("type:\"{t}\""));
    }
    if let Some(u) = &args.user_id {
        terms.push(format!("user_id:\"{u}\""));
    }
    let mut path = format!("/logs?per_page={}", args.take);
    if !terms.is_empty() {
        path.push_str(&format!("&q={}", encode(&terms.join(" AND "))));
    }
    let mut events = client.call(Method::GET, &path, None).await?;
    if !args.list.json
        && let Value::Array(events) = &mut events
    {
        for e in events {
            if e["user_name"].is_null() {
                e["user_name"] = e["user_id"].clone();
            }
        }
    }
    print_list(
        &events,
        args.list.json,
        "no log events",
        &Table::new(&[
            ("DATE", "date"),
            ("TYPE", "type"),
            ("DESCRIPTION", "description"),
            ("USER", "user_name"),
            ("CLIENT_ID", "client_id"),
            ("IP", "ip"),
        ]),
    )
}

/// `admin api METHOD PATH [--data ...]`: prints the answer as pretty JSON (nothing for
/// an empty answer).
pub async fn api(global: &GlobalArgs, args: ApiArgs) -> Result<(), Failure> {
    let method = match args.method.to_ascii_uppercase().as_str() {
        "GET" => Method::GET,
        "POST" => Method::POST,
        "PATCH" => Method::PATCH,
        "PUT" => Method::PUT,
        "DELETE" => Method::DELETE,
        other => {
            return Err(usage(format!(
                "{other} is not a Management API method: use GET, POST, PATCH, PUT or DELETE"
            )));
        }
    };
    let path = args.path.strip_prefix("/api/v2").unwrap_or(&args.path);
    if !path.starts_with('/') {
        return Err(usage(format!(
            "the path must start with /, e.g. /users (got {})",
            args.path
        )));
    }
    let body = match &args.data {
        None => None,
        Some(data) => Some(read_data(data)?),
    };
    let client = Client::connect(global, &args.remote).await?;
    let answer = client.call(method, path, body).await?;
    if !answer.is_null() {
        println!("{}", pretty(&answer)?);
    }
    Ok(())
}

/// `--data`: JSON, `@FILE` or `@-` (standard input).
fn read_data(data: &str) -> Result<Value, Failure> {
    let (text, from) = match data.strip_prefix('@') {
        Some("-") => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| usage(format!("--data @-: cannot read standard input: {e}")))?;
            (text, "standard input".to_owned())
        }
        Some(file) => (
            std::fs::read_to_string(file)
                .map_err(|e| usage(format!("--data @{file}: cannot read it: {e}")))?,
            file.to_owned(),
        ),
        None => (data.to_owned(), "--data".to_owned()),
    };
    serde_json::from_str(&text).map_err(|e| usage(format!("{from} is not JSON: {e}")))
}

fn usage(message: String) -> Failure {
    Failure { code: 2, message }
}

fn pretty(v: &Value) -> Result<String, Failure> {
    serde_json::to_string_pretty(v).map_err(|e| Failure {
        code: 1,
        message: format!("cannot print the answer as JSON: {e}"),
    })
}

/// Prints a list: pretty JSON, or the table (`empty` when there is nothing).
fn print_list(items: &Value, json: bool, empty: &str, table: &Table) -> Result<(), Failure> {
    if json {
        println!("{}", pretty(items)?);
        return Ok(());
    }
    let Value::Array(items) = items else {
        return Err(Failure {
            code: 1,
            message: format!(
                "expected a list from the Management API, got {}",
                cell(items)
            ),
        });
    };
    if items.is_empty() {
        println!("{empty}");
    } else {
        print!("{}", table.render(items));
    }
    Ok(())
}

/// Prints an object: pretty JSON, or a row per field (`header`, VALUE), in the order
/// the API gives them.
fn print_object(object: &Value, json: bool, header: &'static str) -> Result<(), Failure> {
    if json {
        println!("{}", pretty(object)?);
        return Ok(());
    }
    let Value::Object(fields) = object else {
        return Err(Failure {
            code: 1,
            message: format!(
                "expected an object from the Management API, got {}",
                cell(object)
            ),
        });
    };
    let rows: Vec<Vec<String>> = fields
        .iter()
        .map(|(k, v)| vec![clean(k), cell(v)])
        .collect();
    print!("{}", render(&[header, "VALUE"], &[0, 0], "  ", &rows));
    Ok(())
}

/// Columns of a table: a header and the JSON field each shows.
struct Table {
    columns: Vec<(&'static str, &'static str)>,
    /// Each column at least this wide (empty: as wide as needed).
    min_widths: Vec<usize>,
    gap: &'static str,
}

impl Table {
    fn new(columns: &[(&'static str, &'static str)]) -> Table {
        Table {
            columns: columns.to_vec(),
            min_widths: Vec::new(),
            gap: "  ",
        }
    }

    fn render(&self, items: &[Value]) -> String {
        let headers: Vec<&str> = self.columns.iter().map(|(h, _)| *h).collect();
        let rows: Vec<Vec<String>> = items
            .iter()
            .map(|item| {
                self.columns
                    .iter()
                    .map(|(_, field)| cell(&item[*field]))
                    .collect()
            })
            .collect();
        render(&headers, &self.min_widths, self.gap, &rows)
    }
}

/// Aligned columns, a header row first; the last column is not padded.
fn render(headers: &[&str], min_widths: &[usize], gap: &str, rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            h.chars()
                .count()
                .max(min_widths.get(i).copied().unwrap_or(0))
        })
        .collect();
    for row in rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut text = String::new();
        for (i, c) in cells.enumerate() {
            if i > 0 {
                text.push_str(gap);
            }
            let pad = widths
                .get(i)
                .copied()
                .unwrap_or(0)
                .saturating_sub(c.chars().count());
            text.push_str(c);
            if i + 1 < headers.len() {
                text.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(&mut headers.iter().copied());
    for row in rows {
        line(&mut row.iter().map(String::as_str));
    }
    out
}

/// A JSON value as a table cell: strings as they are, lists of strings joined by
/// spaces, nothing for null, compact JSON for the rest; never a control character.
fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => clean(s),
        Value::Array(items) if items.iter().all(Value::is_string) => clean(
            &items
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" "),
        ),
        other => clean(&other.to_string()),
    }
}

/// `s` with control characters escaped, so a name cannot move the cursor or recolour
/// the terminal.
fn clean(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        return s.to_owned();
    }
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tables_align_and_do_not_pad_the_last_column() {
        let t = Table::new(&[("ID", "id"), ("NAME", "name"), ("N", "n")]);
        let items = [
            json!({"id": "rol_1", "name": "Reader", "n": 3}),
            json!({"id": "r", "name": "Long name here", "n": null}),
        ];
        assert_eq!(
            t.render(&items),
            "ID     NAME            N\n\
             rol_1  Reader          3\n\
             r      Long name here\n"
        );
    }

    #[test]
    fn cells() {
        assert_eq!(cell(&json!(["a", "b"])), "a b");
        assert_eq!(cell(&json!(true)), "true");
        assert_eq!(cell(&json!({"a": 1})), r#"{"a":1}"#);
        assert_eq!(cell(&json!("evil\u{1b}[31mred\n")), "evil\\u{1b}[31mred\\n");
    }
}
