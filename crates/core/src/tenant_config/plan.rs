//! The changes that make a tenant match a checked document, in an order that can be
//! carried out one by one: every change finds what it needs already there.
//!
//! 1. client grants deleted (before the applications and APIs they name);
//! 2. APIs created and updated (before the permissions and grants on their scopes);
//! 3. applications created and updated (before their grants);
//! 4. roles created and updated, with their permissions;
//! 5. client grants created and updated;
//! 6. settings (after new default roles exist, before old ones are deleted);
//! 7. roles, applications, then APIs deleted.
//!
//! Deletions come only with `prune`, and only in sections the document has. Within a
//! step, changes are sorted by key.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;

use crate::config_admin::ManagedClient;
use crate::ids::{ClientId, GrantId, ResourceServerId, RoleId};
use crate::resource_server::ResourceServer;

use super::document::{ApiDoc, AppDoc, GrantDoc, PermissionDoc, RoleDoc, SettingsDoc};
use super::validate::Checked;
use super::{CurrentState, api_doc, app_doc, client_name, role_doc, settings_doc};

/// One change to the tenant. Updates carry the names of the fields that change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    DeleteGrant {
        id: GrantId,
        client: String,
        audience: String,
    },
    CreateApi(ApiDoc),
    UpdateApi {
        current: ResourceServer,
        desired: ApiDoc,
        fields: Vec<String>,
    },
    CreateApp(AppDoc),
    UpdateApp {
        current: ManagedClient,
        desired: AppDoc,
        fields: Vec<String>,
    },
    CreateRole(RoleDoc),
    /// `description` is `Some` when it changes.
    UpdateRole {
        id: RoleId,
        name: String,
        description: Option<String>,
        add: Vec<PermissionDoc>,
        remove: Vec<PermissionDoc>,
    },
    CreateGrant(GrantDoc),
    UpdateGrant {
        id: GrantId,
        grant: GrantDoc,
    },
    UpdateSettings {
        desired: SettingsDoc,
        fields: Vec<String>,
    },
    DeleteRole {
        id: RoleId,
        name: String,
    },
    DeleteApp {
        client_id: ClientId,
        name: String,
    },
    DeleteApi {
        id: ResourceServerId,
        identifier: String,
    },
}

/// What kind of change, for the plan's summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Create,
    Update,
    Delete,
}

impl Change {
    pub fn kind(&self) -> Kind {
        match self {
            Change::CreateApi(_)
            | Change::CreateApp(_)
            | Change::CreateRole(_)
            | Change::CreateGrant(_) => Kind::Create,
            Change::UpdateApi { .. }
            | Change::UpdateApp { .. }
            | Change::UpdateRole { .. }
            | Change::UpdateGrant { .. }
            | Change::UpdateSettings { .. } => Kind::Update,
            Change::DeleteGrant { .. }
            | Change::DeleteRole { .. }
            | Change::DeleteApp { .. }
            | Change::DeleteApi { .. } => Kind::Delete,
        }
    }

    /// The change's first line: `+ create api https://...`, `~ update application
    /// "Web" (callbacks)`, `- delete role "old"`.
    pub fn headline(&self) -> String {
        match self {
            Change::DeleteGrant {
                client, audience, ..
            } => format!("- delete client grant {client:?} -> {audience}"),
            Change::CreateApi(api) => format!("+ create api {}", api.identifier),
            Change::UpdateApi {
                desired, fields, ..
            } => format!(
                "~ update api {} ({})",
                desired.identifier,
                fields.join(", ")
            ),
            Change::CreateApp(app) => {
                format!(
                    "+ create application {:?} ({})",
                    app.name,
                    app.app_type.as_str()
                )
            }
            Change::UpdateApp {
                desired, fields, ..
            } => format!(
                "~ update application {:?} ({})",
                desired.name,
                fields.join(", ")
            ),
            Change::CreateRole(role) => format!(
                "+ create role {:?} ({} permission{})",
                role.name,
                role.permissions.len(),
                if role.permissions.len() == 1 { "" } else { "s" }
            ),
            Change::UpdateRole {
                name,
                description,
                add,
                remove,
                ..
            } => {
                let mut fields = Vec::new();
                if description.is_some() {
                    fields.push("description");
                }
                if !add.is_empty() || !remove.is_empty() {
                    fields.push("permissions");
                }
                format!("~ update role {name:?} ({})", fields.join(", "))
            }
            Change::CreateGrant(g) => format!(
                "+ create client grant {:?} -> {} (scope: {})",
                g.client,
                g.audience,
                scope_text(&g.scope)
            ),
            Change::UpdateGrant { grant: g, .. } => format!(
                "~ update client grant {:?} -> {} (scope: {})",
                g.client,
                g.audience,
                scope_text(&g.scope)
            ),
            Change::UpdateSettings { fields, .. } => {
                format!("~ update settings ({})", fields.join(", "))
            }
            Change::DeleteRole { name, .. } => format!("- delete role {name:?}"),
            Change::DeleteApp { name, .. } => format!("- delete application {name:?}"),
            Change::DeleteApi { identifier, .. } => format!("- delete api {identifier}"),
        }
    }

    /// The change's lines: its headline, then (role updates) each permission added or
    /// removed, indented.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = vec![self.headline()];
        if let Change::UpdateRole { add, remove, .. } = self {
            for (sign, list) in [("+", add), ("-", remove)] {
                for perm in list {
                    lines.push(format!(
                        "    {sign} permission {} on {}",
                        perm.permission_name, perm.resource_server_identifier
                    ));
                }
            }
        }
        lines
    }
}

fn scope_text(scope: &[String]) -> String {
    if scope.is_empty() {
        "none".to_owned()
    } else {
        scope.join(" ")
    }
}

/// The changes, in the order they are to be made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub changes: Vec<Change>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// How many changes create, update and delete.
    pub fn counts(&self) -> (usize, usize, usize) {
        let count = |k| self.changes.iter().filter(|c| c.kind() == k).count();
        (
            count(Kind::Create),
            count(Kind::Update),
            count(Kind::Delete),
        )
    }

    /// The changes that make `current` match `desired`; with `prune`, deletions of what
    /// a section of the document leaves out.
    pub fn compute(desired: &Checked, current: &CurrentState, prune: bool) -> Plan {
        let doc = desired.config();
        let mut changes = Vec::new();
        // Current grants by (application name, audience). Grants of applications that
        // share their name with another match nothing, so they can only be pruned.
        let mut app_names: BTreeMap<&str, usize> = BTreeMap::new();
        for c in &current.applications {
            *app_names.entry(c.application.name.as_str()).or_default() += 1;
        }
        let mut grants_by_key = BTreeMap::new();
        let mut unmatched_grants = Vec::new();
        for g in &current.grants {
            let name = client_name(current, g);
            if app_names.get(name.as_str()) == Some(&1) {
                grants_by_key.insert((name, g.audience.clone()), g);
            } else {
                unmatched_grants.push((name, g));
            }
        }

        // 1. Grants deleted.
        if let (Some(wanted), true) = (&doc.client_grants, prune) {
            let keep: BTreeSet<(&str, &str)> = wanted
                .iter()
                .map(|g| (g.client.as_str(), g.audience.as_str()))
                .collect();
            let mut gone: Vec<(&str, &crate::grant::ClientGrant)> = grants_by_key
                .iter()
                .filter(|((c, a), _)| !keep.contains(&(c.as_str(), a.as_str())))
                .map(|((c, _), g)| (c.as_str(), *g))
                .collect();
            gone.extend(unmatched_grants.iter().map(|(n, g)| (n.as_str(), *g)));
            gone.sort_by(|a, b| (a.0, &a.1.audience).cmp(&(b.0, &b.1.audience)));
            changes.extend(gone.into_iter().map(|(client, g)| Change::DeleteGrant {
                id: g.id.clone(),
                client: client.to_owned(),
                audience: g.audience.clone(),
            }));
        }

        // 2. APIs created and updated.
        let apis: BTreeMap<&str, &ResourceServer> = current
            .apis
            .iter()
            .filter(|a| !a.is_system)
            .map(|a| (a.identifier.as_str(), a))
            .collect();
        if let Some(wanted) = &doc.apis {
            for api in sorted(wanted, |a| &a.identifier) {
                match apis.get(api.identifier.as_str()) {
                    None => changes.push(Change::CreateApi(api.clone())),
                    Some(cur) => {
                        let fields = changed_fields(&api_doc(cur), api);
                        if !fields.is_empty() {
                            changes.push(Change::UpdateApi {
                                current: (*cur).clone(),
                                desired: api.clone(),
                                fields,
                            });
                        }
                    }
                }
            }
        }

        // 3. Applications created and updated.
        if let Some(wanted) = &doc.applications {
            for app in sorted(wanted, |a| &a.name) {
                let cur = current
                    .applications
                    .iter()
                    .find(|c| c.application.name == app.name);
                match cur {
                    None => changes.push(Change::CreateApp(app.clone())),
                    Some(cur) => {
                        let fields = changed_fields(&app_doc(cur), app);
                        if !fields.is_empty() {
                            changes.push(Change::UpdateApp {
                                current: cur.clone(),
                                desired: app.clone(),
                                fields,
                            });
                        }
                    }
                }
            }
        }

        // 4. Roles created and updated.
        if let Some(wanted) = &doc.roles {
            for role in sorted(wanted, |r| &r.name) {
                let cur = current.roles.iter().find(|r| r.role.name == role.name);
                match cur {
                    None => changes.push(Change::CreateRole(role.clone())),
                    Some(cur) => {
                        let now = role_doc(cur);
                        let add: Vec<PermissionDoc> = role
                            .permissions
                            .iter()
                            .filter(|p| !now.permissions.contains(p))
                            .cloned()
                            .collect();
                        let remove: Vec<PermissionDoc> = now
                            .permissions
                            .iter()
                            .filter(|p| !role.permissions.contains(p))
                            .cloned()
                            .collect();
                        let description =
                            (now.description != role.description).then(|| role.description.clone());
                        if description.is_some() || !add.is_empty() || !remove.is_empty() {
                            changes.push(Change::UpdateRole {
                                id: cur.role.id.clone(),
                                name: role.name.clone(),
                                description,
                                add,
                                remove,
                            });
                        }
                    }
                }
            }
        }

        // 5. Grants created and updated.
        if let Some(wanted) = &doc.client_grants {
            for g in sorted(wanted, |g| (&g.client, &g.audience)) {
                match grants_by_key.get(&(g.client.clone(), g.audience.clone())) {
                    None => changes.push(Change::CreateGrant(g.clone())),
                    Some(cur) if cur.scope != g.scope => changes.push(Change::UpdateGrant {
                        id: cur.id.clone(),
                        grant: g.clone(),
                    }),
                    Some(_) => {}
                }
            }
        }

        // 6. Settings.
        if let Some(wanted) = &doc.settings {
            let fields = changed_fields(&settings_doc(current), wanted);
            if !fields.is_empty() {
                changes.push(Change::UpdateSettings {
                    desired: wanted.clone(),
                    fields,
                });
            }
        }

        // 7. Roles, applications and APIs deleted.
        if prune {
            if let Some(wanted) = &doc.roles {
                let keep: BTreeSet<&str> = wanted.iter().map(|r| r.name.as_str()).collect();
                let mut gone: Vec<_> = current
                    .roles
                    .iter()
                    .filter(|r| !keep.contains(r.role.name.as_str()))
                    .collect();
                gone.sort_by(|a, b| (&a.role.name, &a.role.id).cmp(&(&b.role.name, &b.role.id)));
                changes.extend(gone.into_iter().map(|r| Change::DeleteRole {
                    id: r.role.id.clone(),
                    name: r.role.name.clone(),
                }));
            }
            if let Some(wanted) = &doc.applications {
                let keep: BTreeSet<&str> = wanted.iter().map(|a| a.name.as_str()).collect();
                let mut gone: Vec<_> = current
                    .applications
                    .iter()
                    .map(|c| &c.application)
                    .filter(|a| !keep.contains(a.name.as_str()))
                    .collect();
                gone.sort_by(|a, b| (&a.name, &a.client_id).cmp(&(&b.name, &b.client_id)));
                changes.extend(gone.into_iter().map(|a| Change::DeleteApp {
                    client_id: a.client_id.clone(),
                    name: a.name.clone(),
                }));
            }
            if let Some(wanted) = &doc.apis {
                let keep: BTreeSet<&str> = wanted.iter().map(|a| a.identifier.as_str()).collect();
                changes.extend(
                    apis.values()
                        .filter(|a| !keep.contains(a.identifier.as_str()))
                        .map(|a| Change::DeleteApi {
                            id: a.id.clone(),
                            identifier: a.identifier.clone(),
                        }),
                );
            }
        }
        Plan { changes }
    }
}

impl fmt::Display for Plan {
    /// Each change's lines, then a summary line; `no changes` when there are none.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return writeln!(f, "no changes");
        }
        for change in &self.changes {
            for line in change.lines() {
                writeln!(f, "{line}")?;
            }
        }
        let (c, u, d) = self.counts();
        writeln!(f, "plan: {c} to create, {u} to update, {d} to delete")
    }
}

/// `list` sorted by `key`.
fn sorted<'a, T, K: Ord>(list: &'a [T], key: impl Fn(&'a T) -> K) -> Vec<&'a T> {
    let mut out: Vec<&'a T> = list.iter().collect();
    out.sort_by_key(|a| key(a));
    out
}

/// The names of the fields (serialised keys) whose values differ between `now` and
/// `wanted`, in alphabetical order.
fn changed_fields<T: Serialize + PartialEq>(now: &T, wanted: &T) -> Vec<String> {
    if now == wanted {
        return Vec::new();
    }
    match (serde_json::to_value(now), serde_json::to_value(wanted)) {
        (Ok(serde_json::Value::Object(a)), Ok(serde_json::Value::Object(b))) => b
            .iter()
            .filter(|(k, v)| a.get(*k) != Some(*v))
            .map(|(k, _)| k.clone())
            .collect(),
        // Not reached for the document's types (structs of strings, numbers, lists).
        _ => vec!["everything".to_owned()],
    }
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
