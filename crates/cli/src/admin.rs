//! `portcullis admin`, and the one-time printing of a new tenant's credentials.

use portcullis_core::bootstrap::{BootstrapReport, bootstrap};
use std::sync::Arc;

use portcullis_core::{CoreError, Rng, Store, SystemClock, SystemRng, TenantId};
use portcullis_server::{Config, Issuer};
use portcullis_store::OpenOptions;

use crate::Failure;
use crate::args::{
    AdminCommand, ApisCommand, AppsCommand, GlobalArgs, GrantsCommand, ImportCommand, RolesCli,
    ServeArgs, TenantCli, UsersCommand,
};
use crate::listing;
use crate::serve::{issuer_of, load_config};

pub async fn run(global: &GlobalArgs, cmd: AdminCommand) -> Result<(), Failure> {
    match cmd {
        AdminCommand::Bootstrap(args) => {
            let config = load_config(global, &args)?;
            let issuer = issuer_of(&config);
            portcullis_server::run::create_data_dir(&config.data_dir)?;
            let store = portcullis_store::open(&config.database, &OpenOptions::default()).await?;
            let master = portcullis_server::master_key::resolve(&config.master_key)?;
            let report = bootstrap(
                store.as_ref(),
                &SystemClock,
                &SystemRng::new(),
                &master,
                &TenantId::default_tenant(),
                issuer.as_str(),
            )
            .await?;
            match report {
                Some(report) => print_bootstrap(&report, &issuer),
                None => println!(
                    "tenant {} exists already; nothing to do (its secrets were shown when it was created)",
                    TenantId::default_tenant()
                ),
            }
            Ok(())
        }
        AdminCommand::Users(UsersCommand::Create {
            email,
            name,
            email_verified,
            remote,
        }) => crate::users::create(global, &remote, &email, name, email_verified).await,
        AdminCommand::Users(UsersCommand::List {
            email,
            page,
            per_page,
            list,
        }) => listing::users_list(global, email, page, per_page, list).await,
        AdminCommand::Users(UsersCommand::Show { user_id, list }) => {
            listing::users_show(global, &user_id, list).await
        }
        AdminCommand::Roles(RolesCli::List(list)) => listing::roles_list(global, list).await,
        AdminCommand::Roles(RolesCli::Permissions { role_id, list }) => {
            listing::role_permissions(global, &role_id, list).await
        }
        AdminCommand::Roles(RolesCli::Change(cmd)) => crate::roles::run(global, cmd).await,
        AdminCommand::Apis(ApisCommand::List(list)) => listing::apis_list(global, list).await,
        AdminCommand::Apps(AppsCommand::List(list)) => listing::apps_list(global, list).await,
        AdminCommand::Apps(cmd) => crate::apps::run(global, cmd).await,
        AdminCommand::Grants(GrantsCommand::List {
            app,
            audience,
            list,
        }) => listing::grants_list(global, app, audience, list).await,
        AdminCommand::Tenant(TenantCli::Show(list)) => listing::tenant_show(global, list).await,
        AdminCommand::Tenant(TenantCli::Change(cmd)) => crate::tenant::run(global, cmd).await,
        AdminCommand::Logs(args) => listing::logs(global, args).await,
        AdminCommand::Api(args) => listing::api(global, args).await,
        AdminCommand::Import(ImportCommand::Users(args)) => {
            crate::import::users(global, args).await
        }
        AdminCommand::Export(args) => crate::tenant_config::export(global, args).await,
        AdminCommand::Apply(args) => crate::tenant_config::apply(global, args).await,
        AdminCommand::Apis(ApisCommand::Create(args)) => crate::apis::create(global, args).await,
    }
}

/// The store of the configured database, which must be migrated and bootstrapped: for
/// the commands that work on the database directly (`import users`).
pub(crate) async fn open_store(
    global: &GlobalArgs,
    tenant: &TenantId,
) -> Result<Arc<dyn Store>, Failure> {
    let config = load_config(global, &ServeArgs::default())?;
    let store = open_database(&config).await?;
    if store.tenant(tenant).await?.is_none() {
        return Err(CoreError::NoTenant(tenant.to_string()).into());
    }
    Ok(store)
}

/// The configured database, as it is: migrating is for `serve` and `migrate`.
pub(crate) async fn open_database(config: &Config) -> Result<Arc<dyn Store>, Failure> {
    let options = OpenOptions {
        migrate: false,
        ..OpenOptions::default()
    };
    Ok(portcullis_store::open(&config.database, &options).await?)
}

/// Prints, once, what an app needs to log in through the new tenant, as a `.env` block
/// for express-openid-connect and nextjs-auth0, and the management credentials.
pub fn print_bootstrap(report: &BootstrapReport, issuer: &Issuer) {
    print!("{}", bootstrap_env(report, issuer, &SystemRng::new()));
}

fn bootstrap_env(report: &BootstrapReport, issuer: &Issuer, rng: &dyn Rng) -> String {
    let session_secret = hex_secret(rng);
    // nextjs-auth0 takes a bare domain for https and a full URL otherwise.
    let domain = match issuer.as_str().strip_prefix("https://") {
        Some(rest) => rest.trim_end_matches('/').to_owned(),
        None => issuer.as_str().trim_end_matches('/').to_owned(),
    };
    format!(
        "\
# Portcullis created tenant \"default\". The secrets below are shown ONCE and stored
# only as hashes: copy them now.

# The sample web app (callbacks http://localhost:3000/callback and /auth/callback), as
# a .env file for express-openid-connect (first block) or nextjs-auth0 and the Rust SDK
# (second block).
ISSUER_BASE_URL={issuer}
BASE_URL=http://localhost:3000
CLIENT_ID={web_id}
CLIENT_SECRET={web_secret}
SECRET={session_secret}

AUTH0_DOMAIN={domain}
AUTH0_CLIENT_ID={web_id}
AUTH0_CLIENT_SECRET={web_secret}
AUTH0_SECRET={session_secret}
APP_BASE_URL=http://localhost:3000

# Management API (client_credentials, audience {audience})
PORTCULLIS_M2M_CLIENT_ID={m2m_id}
PORTCULLIS_M2M_CLIENT_SECRET={m2m_secret}
PORTCULLIS_M2M_AUDIENCE={audience}
",
        web_id = report.web_client_id,
        web_secret = report.web_client_secret.expose(),
        m2m_id = report.m2m_client_id,
        m2m_secret = report.m2m_client_secret.expose(),
        audience = report.management_audience,
    )
}

/// 32 random bytes as 64 hex characters (`openssl rand -hex 32`, as the Auth0 SDKs
/// suggest for their cookie secret).
fn hex_secret(rng: &dyn Rng) -> String {
    let mut buf = [0u8; 32];
    rng.fill(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}
