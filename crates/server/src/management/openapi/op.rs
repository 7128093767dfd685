//! One operation of the document, built from what its handler does: scopes, query
//! parameters, body, success answer and errors. [`Op::into_value`] writes the OpenAPI
//! operation object, adding the answers every guarded operation shares (401, 403) and
//! every operation with a body (415).

use serde_json::{Value, json};

use super::SCHEME;
use super::schemas::schema_ref;

pub(super) struct Op {
    pub method: &'static str,
    pub path: &'static str,
    id: &'static str,
    tag: &'static str,
    summary: &'static str,
    description: Option<String>,
    /// Alternatives, each a set of scopes the token must all have; none: public.
    security: Vec<Vec<&'static str>>,
    path_param: &'static str,
    params: Vec<Value>,
    body: Option<&'static str>,
    success: (u16, &'static str, Option<Value>),
    errors: Vec<u16>,
}

/// `method path`, answering 200 with no body until [`Op::ok`] says otherwise.
pub(super) fn op(
    method: &'static str,
    path: &'static str,
    id: &'static str,
    tag: &'static str,
    summary: &'static str,
) -> Op {
    Op {
        method,
        path,
        id,
        tag,
        summary,
        description: None,
        security: Vec::new(),
        path_param: "",
        params: Vec::new(),
        body: None,
        success: (200, "Done.", None),
        errors: Vec::new(),
    }
}

/// A `$ref` to a shared parameter (`page`, `per_page`, `include_totals`, `fields`,
/// `include_fields`).
pub(super) fn shared(name: &str) -> Value {
    json!({ "$ref": format!("#/components/parameters/{name}") })
}

/// `page`, `per_page`, `include_totals`.
pub(super) fn paging() -> Vec<Value> {
    vec![shared("page"), shared("per_page"), shared("include_totals")]
}

/// A query parameter of type string.
pub(super) fn query(name: &str, description: &str) -> Value {
    json!({ "name": name, "in": "query", "description": description, "schema": { "type": "string" } })
}

/// A query parameter with its schema.
pub(super) fn query_typed(name: &str, description: &str, schema: Value) -> Value {
    json!({ "name": name, "in": "query", "description": description, "schema": schema })
}

/// `param`, required.
pub(super) fn required(mut param: Value) -> Value {
    param["required"] = true.into();
    param
}

/// The bare array of `item`, or with `include_totals` the page `page`.
pub(super) fn listing(item: &str, page: &str) -> Value {
    json!({ "oneOf": [
        { "type": "array", "items": schema_ref(item) },
        schema_ref(page),
    ]})
}

impl Op {
    /// Any one of `scopes` suffices.
    pub fn any_of(mut self, scopes: &[&'static str]) -> Op {
        self.security = scopes.iter().map(|s| vec![*s]).collect();
        self
    }

    /// Alternatives, each a set of scopes needed together.
    pub fn alternatives(mut self, sets: &[&[&'static str]]) -> Op {
        self.security = sets.iter().map(|s| s.to_vec()).collect();
        self
    }

    pub fn describe(mut self, text: &'static str) -> Op {
        self.description = Some(text.to_owned());
        self
    }

    /// The operation hands out permissions: those of the Management API only when the
    /// caller holds them itself (`Caller::may_grant`).
    pub fn grants_permissions(mut self) -> Op {
        let note = "Management API permissions the caller does not hold itself cannot be \
                    handed out: 403 `insufficient_scope`.";
        self.description = Some(match self.description.take() {
            Some(d) => format!("{d} {note}"),
            None => note.to_owned(),
        });
        self
    }

    /// What the path's `{...}` parameter is.
    pub fn path_param(mut self, description: &'static str) -> Op {
        self.path_param = description;
        self
    }

    pub fn params(mut self, params: Vec<Value>) -> Op {
        self.params.extend(params);
        self
    }

    /// A JSON body of the schema `name`.
    pub fn body(mut self, name: &'static str) -> Op {
        self.body = Some(name);
        self
    }

    /// The success answer; `schema` is its JSON body, none for an empty body.
    pub fn ok(mut self, status: u16, description: &'static str, schema: Option<Value>) -> Op {
        self.success = (status, description, schema);
        self
    }

    /// The errors besides 401, 403 and 415: among 400, 404 and 409.
    pub fn errors(mut self, statuses: &[u16]) -> Op {
        self.errors = statuses.to_vec();
        self
    }

    pub fn into_value(self) -> Value {
        let mut o = json!({
            "operationId": self.id,
            "tags": [self.tag],
            "summary": self.summary,
        });
        if let Some(d) = self.description {
            o["description"] = d.into();
        }
        let security: Vec<Value> = self
            .security
            .iter()
            .map(|set| json!({ SCHEME: set }))
            .collect();
        let guarded = !security.is_empty();
        o["security"] = Value::Array(security);
        let mut params: Vec<Value> = path_params(self.path)
            .into_iter()
            .map(|name| {
                json!({
                    "name": name,
                    "in": "path",
                    "required": true,
                    "description": self.path_param,
                    "schema": { "type": "string" },
                })
            })
            .collect();
        params.extend(self.params);
        if !params.is_empty() {
            o["parameters"] = Value::Array(params);
        }
        if let Some(name) = self.body {
            o["requestBody"] = json!({
                "required": true,
                "content": { "application/json": { "schema": schema_ref(name) } },
            });
        }
        let (status, description, schema) = self.success;
        let mut success = json!({ "description": description });
        if let Some(s) = schema {
            success["content"] = json!({ "application/json": { "schema": s } });
        }
        let mut responses = serde_json::Map::new();
        responses.insert(status.to_string(), success);
        let mut errors = self.errors;
        if guarded {
            errors.extend([401, 403]);
        }
        if self.body.is_some() {
            errors.push(415);
        }
        for e in errors {
            let name = match e {
                400 => "BadRequest",
                401 => "Unauthorized",
                403 => "Forbidden",
                404 => "NotFound",
                409 => "Conflict",
                _ => "UnsupportedMediaType",
            };
            responses.insert(
                e.to_string(),
                json!({ "$ref": format!("#/components/responses/{name}") }),
            );
        }
        o["responses"] = Value::Object(responses);
        o
    }
}

/// The names of the `{...}` segments of `path`.
fn path_params(path: &str) -> Vec<&str> {
    path.split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guarded_operations_answer_401_and_403_and_bodies_415() {
        let v = op("post", "/roles/{id}/users", "x", "roles", "X")
            .any_of(&["update:roles", "create:role_members"])
            .body("UsersRequest")
            .errors(&[404])
            .into_value();
        let mut statuses: Vec<&String> = v["responses"]
            .as_object()
            .map(|m| m.keys().collect())
            .unwrap_or_default();
        statuses.sort();
        assert_eq!(statuses, ["200", "401", "403", "404", "415"]);
        assert_eq!(
            v["security"],
            json!([{ "oauth2": ["update:roles"] }, { "oauth2": ["create:role_members"] }])
        );
        assert_eq!(v["parameters"][0]["name"], "id");
        let public = op("get", "/openapi.json", "y", "meta", "Y").into_value();
        assert_eq!(public["security"], json!([]));
        assert!(public["responses"].get("401").is_none());
    }
}
