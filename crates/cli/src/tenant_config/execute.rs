//! Carrying out a [`Plan`], change by change, in its order.

use std::collections::BTreeMap;

use portcullis_core::app_registration::NewApplication;
use portcullis_core::config_admin::{ManagedClient, SecretUpdate};
use portcullis_core::rbac_admin::{PermissionRef, RoleUpdate};
use portcullis_core::resource_server::NewApi;
use portcullis_core::tenant_config::{
    ApiDoc, AppDoc, Change, CurrentState, GrantDoc, PermissionDoc, Plan, RoleDoc,
};
use portcullis_core::{
    Application, ClientGrant, ClientId, Clock, ResourceServer, ResourceServerScope, Role, RoleId,
    Store, SystemClock, SystemRng, TenantId,
};

use crate::Failure;

/// The ids of objects named in the document: the tenant's, then those made on the way.
struct Ids {
    apps: BTreeMap<String, ClientId>,
    roles: BTreeMap<String, RoleId>,
}

/// Makes each change of `plan`, printing the client secret of each new confidential
/// application. A failure names the change and how many were made before it.
pub async fn run(
    store: &dyn Store,
    tenant: &TenantId,
    current: &CurrentState,
    plan: &Plan,
) -> Result<(), Failure> {
    let mut names: BTreeMap<&str, usize> = BTreeMap::new();
    for c in &current.applications {
        *names.entry(c.application.name.as_str()).or_default() += 1;
    }
    let mut ids = Ids {
        apps: current
            .applications
            .iter()
            .filter(|c| names.get(c.application.name.as_str()) == Some(&1))
            .map(|c| (c.application.name.clone(), c.application.client_id.clone()))
            .collect(),
        roles: current
            .roles
            .iter()
            .map(|r| (r.role.name.clone(), r.role.id.clone()))
            .collect(),
    };
    let exec = Exec {
        store,
        tenant,
        rng: SystemRng::new(),
    };
    for (done, change) in plan.changes.iter().enumerate() {
        exec.change(change, &mut ids)
            .await
            .map_err(|message| Failure {
                code: 1,
                message: format!(
                    "{}: {message} ({done} of {} changes were made before this one)",
                    change.headline(),
                    plan.changes.len()
                ),
            })?;
    }
    Ok(())
}

struct Exec<'a> {
    store: &'a dyn Store,
    tenant: &'a TenantId,
    rng: SystemRng,
}

fn gone(what: &str) -> String {
    format!("the {what} no longer exists (changed by someone else meanwhile?)")
}

impl Exec<'_> {
    async fn change(&self, change: &Change, ids: &mut Ids) -> Result<(), String> {
        let s = self.store;
        let t = self.tenant;
        match change {
            Change::DeleteGrant { id, .. } => {
                // Already gone is as good as deleted.
                s.delete_client_grant(t, id).await.map_err(text)?;
            }
            Change::CreateApi(doc) => self.create_api(doc).await?,
            Change::UpdateApi {
                current, desired, ..
            } => {
                let api = ResourceServer {
                    name: desired.name.clone(),
                    scopes: scopes(desired),
                    signing_alg: desired.signing_alg.clone(),
                    token_lifetime: desired.token_lifetime,
                    allow_offline_access: desired.allow_offline_access,
                    enforce_policies: desired.enforce_policies,
                    token_dialect: desired.token_dialect.clone(),
                    ..current.clone()
                };
                if !s.update_resource_server(&api).await.map_err(text)? {
                    return Err(gone("API"));
                }
            }
            Change::CreateApp(doc) => {
                let client_id = self.create_app(doc).await?;
                ids.apps.insert(doc.name.clone(), client_id);
            }
            Change::UpdateApp {
                current, desired, ..
            } => self.update_app(current, desired).await?,
            Change::CreateRole(doc) => {
                let id = self.create_role(doc).await?;
                ids.roles.insert(doc.name.clone(), id);
            }
            Change::UpdateRole {
                id,
                description,
                add,
                remove,
                ..
            } => {
                if let Some(description) = description {
                    let update = RoleUpdate {
                        name: None,
                        description: Some(description.clone()),
                    };
                    if s.update_role(t, id, &update).await.map_err(text)?.is_none() {
                        return Err(gone("role"));
                    }
                }
                if !add.is_empty() {
                    s.add_role_permissions(t, id, &pairs(add))
                        .await
                        .map_err(text)?;
                }
                if !remove.is_empty() {
                    let refs: Vec<PermissionRef> = remove
                        .iter()
                        .map(|p| PermissionRef {
                            resource_server_identifier: p.resource_server_identifier.clone(),
                            permission_name: p.permission_name.clone(),
                        })
                        .collect();
                    s.remove_role_permissions(t, id, &refs)
                        .await
                        .map_err(text)?;
                }
            }
            Change::CreateGrant(doc) => self.create_grant(doc, ids).await?,
            Change::UpdateGrant { id, grant } => {
                if s.update_client_grant_scope(t, id, &grant.scope)
                    .await
                    .map_err(text)?
                    .is_none()
                {
                    return Err(gone("client grant"));
                }
            }
            Change::UpdateSettings { desired, .. } => {
                let mut role_ids = Vec::with_capacity(desired.default_roles.len());
                for name in &desired.default_roles {
                    let id = ids
                        .roles
                        .get(name)
                        .ok_or_else(|| format!("there is no role named {name:?}"))?;
                    role_ids.push(id.to_string());
                }
                let settings = desired.to_settings(role_ids);
                if !s
                    .replace_tenant_settings(t, &settings)
                    .await
                    .map_err(text)?
                {
                    return Err(gone("tenant"));
                }
            }
            Change::DeleteRole { id, .. } => {
                s.delete_role(t, id).await.map_err(text)?;
            }
            Change::DeleteApp { client_id, .. } => {
                s.delete_client(t, client_id).await.map_err(text)?;
            }
            Change::DeleteApi { id, .. } => {
                s.delete_resource_server(t, id).await.map_err(text)?;
            }
        }
        Ok(())
    }

    async fn create_api(&self, doc: &ApiDoc) -> Result<(), String> {
        let new = NewApi {
            name: doc.name.clone(),
            identifier: doc.identifier.clone(),
            scopes: doc.scopes.iter().map(|s| s.value.clone()).collect(),
            allow_offline_access: doc.allow_offline_access,
            rbac: doc.enforce_policies,
            permissions_in_token: doc.token_dialect == "access_token_authz",
        };
        let mut api = ResourceServer::create(self.tenant, new, &self.rng, SystemClock.now())
            .map_err(|e| e.to_string())?;
        api.scopes = scopes(doc);
        api.signing_alg = doc.signing_alg.clone();
        api.token_lifetime = doc.token_lifetime;
        api.token_dialect = doc.token_dialect.clone();
        self.store.insert_resource_server(&api).await.map_err(text)
    }

    fn register(
        &self,
        doc: &AppDoc,
    ) -> Result<(Application, Option<portcullis_core::ClientSecret>), String> {
        let new = NewApplication {
            name: doc.name.clone(),
            app_type: doc.app_type,
            callbacks: doc.callbacks.clone(),
            allowed_logout_urls: doc.allowed_logout_urls.clone(),
            web_origins: doc.web_origins.clone(),
            token_endpoint_auth_method: doc.token_endpoint_auth_method,
        };
        let (mut app, secret) =
            Application::register(self.tenant, new, &self.rng, SystemClock.now())
                .map_err(|e| e.to_string())?;
        if let Some(list) = &doc.grant_types {
            app.grant_types = list.clone();
        }
        Ok((app, secret))
    }

    async fn create_app(&self, doc: &AppDoc) -> Result<ClientId, String> {
        let (app, secret) = self.register(doc)?;
        let client_id = app.client_id.clone();
        let client = ManagedClient {
            application: app,
            description: doc.description.clone(),
        };
        self.store.insert_client(&client).await.map_err(text)?;
        println!("created application {:?}: client id {client_id}", doc.name);
        if let Some(secret) = secret {
            println!(
                "client secret of {:?} (shown once; only its hash is stored): {}",
                doc.name,
                secret.expose()
            );
        }
        Ok(client_id)
    }

    /// As `PATCH /api/v2/clients/{id}`: the secret stays, goes (now public) or is made
    /// (now confidential; printed once).
    async fn update_app(&self, current: &ManagedClient, doc: &AppDoc) -> Result<(), String> {
        let old = &current.application;
        let (checked, fresh) = self.register(doc)?;
        let (update, shown) = match (&old.client_secret_hash, fresh) {
            (Some(_), Some(_)) | (None, None) => (SecretUpdate::Keep, None),
            (Some(_), None) => (SecretUpdate::Remove, None),
            (None, Some(s)) => (SecretUpdate::Set(s.hash()), Some(s)),
        };
        let app = Application {
            tenant_id: old.tenant_id.clone(),
            client_id: old.client_id.clone(),
            created_at: old.created_at,
            client_secret_hash: match &update {
                SecretUpdate::Keep => old.client_secret_hash.clone(),
                SecretUpdate::Set(h) => Some(h.clone()),
                SecretUpdate::Remove => None,
            },
            ..checked
        };
        let client = ManagedClient {
            application: app,
            description: doc.description.clone(),
        };
        if !self
            .store
            .update_client(&client, &update)
            .await
            .map_err(text)?
        {
            return Err(gone("application"));
        }
        if let Some(secret) = shown {
            println!(
                "client secret of {:?} (shown once; only its hash is stored): {}",
                doc.name,
                secret.expose()
            );
        }
        Ok(())
    }

    async fn create_role(&self, doc: &RoleDoc) -> Result<RoleId, String> {
        let role = Role {
            tenant_id: self.tenant.clone(),
            id: RoleId::generate(&self.rng),
            name: doc.name.clone(),
            description: doc.description.clone(),
            created_at: SystemClock.now(),
        };
        self.store.insert_role(&role).await.map_err(text)?;
        if !doc.permissions.is_empty() {
            self.store
                .add_role_permissions(self.tenant, &role.id, &pairs(&doc.permissions))
                .await
                .map_err(text)?;
        }
        Ok(role.id)
    }

    async fn create_grant(&self, doc: &GrantDoc, ids: &Ids) -> Result<(), String> {
        let s = self.store;
        let client_id = ids
            .apps
            .get(&doc.client)
            .ok_or_else(|| format!("there is no application named {:?}", doc.client))?;
        let app = s
            .application(self.tenant, client_id)
            .await
            .map_err(text)?
            .ok_or_else(|| gone("application"))?;
        let api = s
            .resource_server_by_identifier(self.tenant, &doc.audience)
            .await
            .map_err(text)?
            .ok_or_else(|| gone("API"))?;
        let grant =
            ClientGrant::create(&app, &api, doc.scope.clone(), &self.rng, SystemClock.now())
                .map_err(|e| e.to_string())?;
        s.insert_client_grant(&grant).await.map_err(text)
    }
}

fn scopes(doc: &ApiDoc) -> Vec<ResourceServerScope> {
    doc.scopes
        .iter()
        .map(|s| ResourceServerScope {
            value: s.value.clone(),
            description: s.description.clone(),
        })
        .collect()
}

fn pairs(list: &[PermissionDoc]) -> Vec<(String, String)> {
    list.iter()
        .map(|p| {
            (
                p.resource_server_identifier.clone(),
                p.permission_name.clone(),
            )
        })
        .collect()
}

fn text(e: portcullis_core::StoreError) -> String {
    e.to_string()
}
