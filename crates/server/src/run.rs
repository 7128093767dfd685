//! Starting the server: bind, open the database, bootstrap on first start, load keys,
//! then serve until told to stop.

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use portcullis_core::bootstrap::{BootstrapReport, MANAGEMENT_SCOPES, bootstrap};
use portcullis_core::token::{AccessTokenSpec, Audience, Issuance};
use portcullis_core::{Clock, CoreError, SystemClock, SystemRng, TenantId};
use portcullis_store::OpenOptions;
use tokio::task::JoinHandle;

use crate::config::{Config, HttpConfig, MasterKeySource, TlsMode};
use crate::error::ServerError;
use crate::issuer::Issuer;
use crate::keyring::{self, KeyRingHandle};
use crate::serve::{Listener, serve};
use crate::state::{AppState, Secrets, Services};
use crate::tls::{self, SelfSigned};
use crate::{master_key, routes};
use portcullis_core::password::{HashParams, PasswordHasher};

/// How long applications, APIs, client grants and tenant settings read from the store are
/// trusted. Changes made by another instance or by the CLI reach this one within it.
pub const CATALOG_TTL_SECS: u32 = 5;

/// A server that is bound and ready to serve.
pub struct Prepared {
    listener: Listener,
    router: Router,
    state: AppState,
    http: HttpConfig,
    refresh: JoinHandle<()>,
    sweeper: JoinHandle<()>,
    /// Set when this start created the tenant: the one time its secrets are shown.
    pub bootstrap: Option<BootstrapReport>,
    /// Set with `--tls-self-signed`.
    pub self_signed: Option<SelfSigned>,
}

impl Prepared {
    pub fn issuer(&self) -> &Issuer {
        &self.state.issuer
    }

    pub fn local_addr(&self) -> std::net::SocketAddr {
        self.listener.local_addr()
    }

    /// The router, for tests that drive it without a socket.
    pub fn router(&self) -> Router {
        self.router.clone()
    }

    /// Serves until `shutdown` completes; then `/readyz` fails at once and in-flight
    /// requests get `http.shutdown_timeout` to finish.
    pub async fn serve(self, shutdown: impl Future<Output = ()>) {
        let state = self.state.clone();
        serve(self.listener, self.router, &self.http, async move {
            shutdown.await;
            state.begin_shutdown();
        })
        .await;
        self.refresh.abort();
        self.sweeper.abort();
    }
}

/// What tests (or an embedding program) inject in place of the defaults.
#[derive(Default)]
pub struct Injected {
    /// Instead of the wall clock.
    pub clock: Option<Arc<dyn Clock>>,
    /// Instead of the mailer `config.email` asks for.
    pub mailer: Option<Arc<dyn crate::mail::Mailer>>,
}

/// Everything up to serving. Binds first, so a port in use fails before anything is
/// written.
pub async fn prepare(config: Config) -> Result<Prepared, ServerError> {
    prepare_with(config, Injected::default()).await
}

/// [`prepare`], with a clock or a mailer of the caller's.
pub async fn prepare_with(config: Config, injected: Injected) -> Result<Prepared, ServerError> {
    create_data_dir(&config.data_dir)?;
    let (tls_config, self_signed) = match &config.tls {
        TlsMode::Off => (None, None),
        TlsMode::Files { cert, key } => (Some(tls::server_config(cert, key)?), None),
        TlsMode::SelfSigned => {
            let files = tls::ensure_self_signed(&config.data_dir)?;
            (
                Some(tls::server_config(&files.cert, &files.key)?),
                Some(files),
            )
        }
    };
    let listener = Listener::bind(config.listen, tls_config).await?;
    let issuer = config
        .public_url
        .clone()
        .unwrap_or_else(|| Issuer::from_listen(listener.local_addr(), listener.is_tls()));

    if injected.mailer.is_none() {
        crate::mail::announce(&config.email, &config.data_dir);
    }
    // For instances; `portcullis admin` on the same database needs no reminder.
    if config.database.is_postgres()
        && matches!(
            config.master_key,
            MasterKeySource::File { generate: true, .. }
        )
    {
        tracing::warn!(
            "PostgreSQL with the master key of the data dir: every instance on this \
             database needs the same key (set PORTCULLIS_MASTER_KEY on each)"
        );
    }
    let Built {
        state,
        report,
        keys,
        master,
    } = build(&config, issuer, injected, true).await?;
    let refresh = keyring::spawn_refresh(
        keys,
        state.store.clone(),
        state.tenant.clone(),
        master,
        state.clock.clone(),
        config.keys.refresh_interval,
    );
    let sweeper = crate::sweeper::spawn(
        state.store.clone(),
        state.clock.clone(),
        config.log_retention_days,
    );
    let router = routes::router(state.clone(), &config.http);
    Ok(Prepared {
        listener,
        router,
        state,
        http: config.http,
        refresh,
        sweeper,
        bootstrap: report,
        self_signed,
    })
}

/// The Management API (`/users`, `/roles`, ... without the `/api/v2` prefix) over the
/// configured database, for `portcullis admin` to drive in-process: every request is
/// made as the local operator, with a token holding every Management API scope minted
/// here (`sub` `portcullis-cli@clients`, one hour), so the routes, their checks and the
/// audit log are exactly those of a server. The tenant must exist already.
pub async fn management_app(config: &Config, issuer: Issuer) -> Result<Router, ServerError> {
    let Built { state, .. } = build(config, issuer, Injected::default(), false).await?;
    let token = local_operator_token(&state)?;
    let bearer = axum::http::HeaderValue::try_from(format!("Bearer {token}")).map_err(|e| {
        ServerError::Internal(format!("the operator token is no header value: {e}"))
    })?;
    Ok(crate::management::routes(&state)
        .with_state(state)
        .layer(axum::middleware::from_fn(
            move |mut req: axum::extract::Request, next: axum::middleware::Next| {
                req.headers_mut()
                    .insert(axum::http::header::AUTHORIZATION, bearer.clone());
                next.run(req)
            },
        )))
}

/// The client id the local operator's token names (`azp`), as the audit log shows it.
pub const LOCAL_OPERATOR: &str = "portcullis-cli";

fn local_operator_token(state: &AppState) -> Result<String, ServerError> {
    let ring = state.keys.current();
    let now = state.clock.now();
    let signer = ring
        .ring
        .signing_key(now)
        .ok_or(ServerError::Core(CoreError::NoSigningKey))?;
    let issuance = Issuance {
        issuer: state.issuer.as_str(),
        now,
        rng: state.rng.as_ref(),
        signer,
    };
    let token = issuance.access_token(AccessTokenSpec {
        sub: format!("{LOCAL_OPERATOR}@clients"),
        azp: LOCAL_OPERATOR.to_owned(),
        aud: Audience::One(state.issuer.join(crate::management::auth::AUDIENCE_PATH)),
        scope: Some(MANAGEMENT_SCOPES.join(" ")),
        gty: Some("client-credentials"),
        permissions: None,
        lifetime: 3600,
        grant: None,
    })?;
    Ok(token.jwt)
}

/// What request handlers need, and what the background jobs are started with.
struct Built {
    state: AppState,
    report: Option<BootstrapReport>,
    keys: Arc<KeyRingHandle>,
    master: Arc<portcullis_jose::MasterKey>,
}

/// Everything a request handler needs, from the configuration. With `bootstrap` a
/// missing tenant is created (a serving instance); without, it must exist.
async fn build(
    config: &Config,
    issuer: Issuer,
    injected: Injected,
    bootstrap_missing: bool,
) -> Result<Built, ServerError> {
    let store = portcullis_store::open(&config.database, &OpenOptions::default()).await?;
    let master = Arc::new(master_key::resolve(&config.master_key)?);
    let clock: Arc<dyn Clock> = injected.clock.unwrap_or_else(|| Arc::new(SystemClock));
    let rng = SystemRng::new();
    let tenant = TenantId::default_tenant();
    let report = if bootstrap_missing {
        bootstrap(
            store.as_ref(),
            clock.as_ref(),
            &rng,
            &master,
            &tenant,
            issuer.as_str(),
        )
        .await?
    } else if store.tenant(&tenant).await?.is_none() {
        return Err(ServerError::Core(CoreError::NoTenant(tenant.to_string())));
    } else {
        None
    };
    let ring = keyring::load(store.as_ref(), &tenant, &master, clock.as_ref()).await?;
    let keys = Arc::new(KeyRingHandle::new(ring));
    let rng: Arc<dyn portcullis_core::Rng> = Arc::new(rng);
    let mailer = match injected.mailer {
        Some(m) => m,
        None => {
            crate::mail::from_config(&config.email, &config.data_dir, clock.clone(), rng.clone())?
        }
    };
    let secrets = Secrets {
        login_key: master
            .derive(b"portcullis/login-transactions")
            .map_err(|e| ServerError::Core(CoreError::Jose(e)))?,
        master: master.clone(),
        hasher: PasswordHasher::new(
            HashParams::OWASP,
            PasswordHasher::default_concurrency(),
            rng.clone(),
        ),
    };
    let state = AppState::new(
        Services {
            store,
            clock,
            rng,
            catalog_ttl: CATALOG_TTL_SECS,
            mailer,
        },
        tenant,
        issuer,
        keys.clone(),
        config.keys.jwks_max_age,
        secrets,
    );
    Ok(Built {
        state,
        report,
        keys,
        master,
    })
}

/// The data dir holds the database and secrets: private to the user (0700 on Unix).
pub fn create_data_dir(path: &std::path::Path) -> Result<(), ServerError> {
    let err = |e: std::io::Error| ServerError::DataDir {
        path: path.to_owned(),
        detail: e.to_string(),
    };
    if path.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(path).map_err(err)
}
