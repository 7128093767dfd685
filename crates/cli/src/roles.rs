//! `portcullis admin roles`: create roles, give them permissions on APIs, assign them
//! to users.

use std::sync::Arc;

use portcullis_core::{
    Clock, CoreError, Role, RoleId, Store, StoreError, SystemClock, SystemRng, TenantId,
};
use portcullis_store::OpenOptions;

use crate::Failure;
use crate::args::{GlobalArgs, RolesCommand, ServeArgs};
use crate::serve::load_config;

pub async fn run(global: &GlobalArgs, cmd: RolesCommand) -> Result<(), Failure> {
    let tenant = TenantId::default_tenant();
    let store = open(global, &tenant).await?;
    match cmd {
        RolesCommand::Create { name, description } => {
            if name.trim().is_empty() {
                return Err(usage("a role needs a name (--name)".to_owned()));
            }
            let role = Role {
                tenant_id: tenant,
                id: RoleId::generate(&SystemRng::new()),
                name,
                description,
                created_at: SystemClock.now(),
            };
            match store.insert_role(&role).await {
                Ok(()) => {}
                // The id is new and random, so the name is taken.
                Err(StoreError::Conflict(_)) => {
                    return Err(usage(format!("a role named {} exists already", role.name)));
                }
                Err(e) => return Err(e.into()),
            }
            println!("created {} ({})", role.id, role.name);
            Ok(())
        }
        RolesCommand::AddPermission {
            role_id,
            api,
            permissions,
        } => {
            let role_id = RoleId::new(role_id);
            require_role(store.as_ref(), &tenant, &role_id).await?;
            let server = store
                .resource_server_by_identifier(&tenant, &api)
                .await?
                .ok_or_else(|| usage(format!("no API with identifier {api}")))?;
            let mut wanted: Vec<String> = Vec::new();
            for p in permissions {
                if !wanted.contains(&p) {
                    wanted.push(p);
                }
            }
            let unknown: Vec<&str> = wanted
                .iter()
                .filter(|p| !server.scopes.iter().any(|s| &s.value == *p))
                .map(String::as_str)
                .collect();
            if !unknown.is_empty() {
                return Err(usage(format!(
                    "{api} has no permission named {} (its permissions: {})",
                    unknown.join(", "),
                    if server.scopes.is_empty() {
                        "none".to_owned()
                    } else {
                        server
                            .scopes
                            .iter()
                            .map(|s| s.value.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                )));
            }
            let pairs: Vec<(String, String)> = wanted
                .iter()
                .map(|p| (server.identifier.clone(), p.clone()))
                .collect();
            match store.add_role_permissions(&tenant, &role_id, &pairs).await {
                Ok(()) => {}
                // The role or the API was deleted since the checks.
                Err(StoreError::Conflict(_)) => {
                    return Err(usage(format!(
                        "role {role_id} or API {api} no longer exists"
                    )));
                }
                Err(e) => return Err(e.into()),
            }
            println!(
                "role {role_id}: added {} permission(s) on {}",
                pairs.len(),
                server.identifier
            );
            Ok(())
        }
        RolesCommand::Assign { role_id, user } => {
            let role_id = RoleId::new(role_id);
            require_role(store.as_ref(), &tenant, &role_id).await?;
            let found = store
                .user_by_email(&tenant, &user)
                .await?
                .ok_or_else(|| usage(format!("no user with email {user}")))?;
            match store
                .assign_user_roles(&tenant, &found.user_id, std::slice::from_ref(&role_id))
                .await
            {
                Ok(()) => {}
                // The role or the user was deleted since the checks.
                Err(StoreError::Conflict(_)) => {
                    return Err(usage(format!(
                        "role {role_id} or user {user} no longer exists"
                    )));
                }
                Err(e) => return Err(e.into()),
            }
            println!("assigned {role_id} to {}", found.user_id);
            Ok(())
        }
    }
}

/// The store of the configured database, which must be migrated and bootstrapped.
pub(crate) async fn open(
    global: &GlobalArgs,
    tenant: &TenantId,
) -> Result<Arc<dyn Store>, Failure> {
    let config = load_config(global, &ServeArgs::default())?;
    let store = portcullis_store::open(
        &config.database,
        &OpenOptions {
            migrate: false,
            ..OpenOptions::default()
        },
    )
    .await?;
    if store.tenant(tenant).await?.is_none() {
        return Err(CoreError::NoTenant(tenant.to_string()).into());
    }
    Ok(store)
}

async fn require_role(store: &dyn Store, tenant: &TenantId, id: &RoleId) -> Result<(), Failure> {
    match store.role(tenant, id).await? {
        Some(_) => Ok(()),
        None => Err(usage(format!("no role with id {id}"))),
    }
}

/// A mistake on the command line: exit code 2.
pub(crate) fn usage(message: String) -> Failure {
    Failure { code: 2, message }
}
