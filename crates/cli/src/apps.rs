//! `portcullis admin apps` (register applications, grant machine-to-machine
//! applications access to APIs; `list` is in `listing`) and `portcullis admin tenant default-roles |
//! signup-verification`.

use portcullis_core::app_registration::NewApplication;
use portcullis_core::{
    AppType, Application, ClientGrant, ClientId, Clock, CoreError, RoleId, Store, StoreError,
    SystemClock, SystemRng, TenantId, TokenEndpointAuthMethod,
};

use crate::Failure;
use crate::args::{AppTypeArg, AppsCommand, AuthMethodArg, GlobalArgs, OnOff, TenantCommand};
use crate::roles::{open, usage};

pub async fn run(global: &GlobalArgs, cmd: AppsCommand) -> Result<(), Failure> {
    let tenant = TenantId::default_tenant();
    match cmd {
        AppsCommand::Create {
            name,
            app_type,
            callbacks,
            logout_urls,
            web_origins,
            auth_method,
        } => {
            let new = NewApplication {
                name,
                app_type: app_type_of(app_type),
                callbacks,
                allowed_logout_urls: logout_urls,
                web_origins,
                token_endpoint_auth_method: auth_method.map(auth_method_of),
            };
            let (app, secret) =
                Application::register(&tenant, new, &SystemRng::new(), SystemClock.now())
                    .map_err(|e| usage(e.to_string()))?;
            let store = open(global, &tenant).await?;
            store.insert_application(&app).await?;
            println!(
                "created {} ({}, {})",
                app.client_id,
                app.name,
                app.app_type.as_str()
            );
            if let Some(secret) = secret {
                println!(
                    "client secret (shown once; only its hash is stored): {}",
                    secret.expose()
                );
            }
            Ok(())
        }
        // Read through the Management API, so it works with --url too.
        AppsCommand::List(list) => crate::listing::apps_list(global, list).await,
        AppsCommand::Grant {
            client_id,
            audience,
            scopes,
        } => grant(global, &tenant, ClientId::new(client_id), &audience, scopes).await,
    }
}

async fn grant(
    global: &GlobalArgs,
    tenant: &TenantId,
    client_id: ClientId,
    audience: &str,
    scopes: Vec<String>,
) -> Result<(), Failure> {
    let store = open(global, tenant).await?;
    let app = store
        .application(tenant, &client_id)
        .await?
        .ok_or_else(|| usage(format!("no application with client id {client_id}")))?;
    let api = store
        .resource_server_by_identifier(tenant, audience)
        .await?
        .ok_or_else(|| usage(format!("no API with identifier {audience}")))?;
    if let Some(existing) = store.client_grant(tenant, &client_id, audience).await? {
        return Err(usage(format!(
            "{client_id} has a grant for {audience} already ({})",
            existing.id
        )));
    }
    let grant = ClientGrant::create(&app, &api, scopes, &SystemRng::new(), SystemClock.now())
        .map_err(|e| usage(e.to_string()))?;
    match store.insert_client_grant(&grant).await {
        Ok(()) => {}
        // Granted, or the application or API deleted, by someone else since the checks.
        Err(StoreError::Conflict(_)) => {
            return Err(usage(format!(
                "{client_id} has a grant for {audience} already, or one of them no longer exists"
            )));
        }
        Err(e) => return Err(e.into()),
    }
    println!(
        "created {} ({client_id} may get tokens for {audience} with scope: {})",
        grant.id,
        if grant.scope.is_empty() {
            "none".to_owned()
        } else {
            grant.scope.join(" ")
        }
    );
    Ok(())
}

pub async fn tenant(global: &GlobalArgs, cmd: TenantCommand) -> Result<(), Failure> {
    match cmd {
        TenantCommand::DefaultRoles { roles, clear } => default_roles(global, roles, clear).await,
        TenantCommand::SignupVerification { state } => signup_verification(global, state).await,
    }
}

/// `admin tenant signup-verification [on|off]`: prints the setting, after changing it.
async fn signup_verification(global: &GlobalArgs, state: Option<OnOff>) -> Result<(), Failure> {
    let tenant = TenantId::default_tenant();
    let store = open(global, &tenant).await?;
    let on = match state {
        Some(state) => {
            let on = state == OnOff::On;
            if !store.set_signup_requires_verification(&tenant, on).await? {
                return Err(CoreError::NoTenant(tenant.to_string()).into());
            }
            on
        }
        None => {
            store
                .tenant(&tenant)
                .await?
                .ok_or_else(|| CoreError::NoTenant(tenant.to_string()))?
                .settings
                .signup_requires_verification
        }
    };
    println!("signup verification: {}", if on { "on" } else { "off" });
    Ok(())
}

async fn default_roles(
    global: &GlobalArgs,
    roles: Vec<String>,
    clear: bool,
) -> Result<(), Failure> {
    let tenant = TenantId::default_tenant();
    let store = open(global, &tenant).await?;
    let roles: Vec<RoleId> = if clear {
        Vec::new()
    } else if roles.is_empty() {
        // Neither --role nor --clear: show the list.
        let current = store
            .tenant(&tenant)
            .await?
            .ok_or_else(|| CoreError::NoTenant(tenant.to_string()))?
            .settings
            .default_roles;
        let current: Vec<RoleId> = current.into_iter().map(RoleId::new).collect();
        println!(
            "default roles: {}",
            describe(store.as_ref(), &tenant, &current).await?
        );
        return Ok(());
    } else {
        let mut ids: Vec<RoleId> = Vec::with_capacity(roles.len());
        for r in roles {
            let id = RoleId::new(r);
            if store.role(&tenant, &id).await?.is_none() {
                return Err(usage(format!("no role with id {id}")));
            }
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        ids
    };
    match store.set_default_roles(&tenant, &roles).await {
        Ok(true) => {}
        Ok(false) => return Err(CoreError::NoTenant(tenant.to_string()).into()),
        // Deleted by someone else since the check.
        Err(StoreError::Conflict(_)) => {
            return Err(usage("a role no longer exists; nothing changed".to_owned()));
        }
        Err(e) => return Err(e.into()),
    }
    println!(
        "default roles: {}",
        describe(store.as_ref(), &tenant, &roles).await?
    );
    Ok(())
}

/// `rol_1 (Reader), rol_2 (Writer)`, or `none`.
async fn describe(
    store: &dyn Store,
    tenant: &TenantId,
    roles: &[RoleId],
) -> Result<String, Failure> {
    if roles.is_empty() {
        return Ok("none".to_owned());
    }
    let mut parts = Vec::with_capacity(roles.len());
    for id in roles {
        let name = match store.role(tenant, id).await? {
            Some(role) => role.name,
            None => "no longer exists".to_owned(),
        };
        parts.push(format!("{id} ({name})"));
    }
    Ok(parts.join(", "))
}

fn app_type_of(arg: AppTypeArg) -> AppType {
    match arg {
        AppTypeArg::RegularWeb => AppType::RegularWeb,
        AppTypeArg::Spa => AppType::Spa,
        AppTypeArg::Native => AppType::Native,
        AppTypeArg::NonInteractive => AppType::NonInteractive,
    }
}

fn auth_method_of(arg: AuthMethodArg) -> TokenEndpointAuthMethod {
    match arg {
        AuthMethodArg::ClientSecretBasic => TokenEndpointAuthMethod::ClientSecretBasic,
        AuthMethodArg::ClientSecretPost => TokenEndpointAuthMethod::ClientSecretPost,
        AuthMethodArg::None => TokenEndpointAuthMethod::None,
    }
}
