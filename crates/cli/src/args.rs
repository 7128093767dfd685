//! The command line.

use std::path::PathBuf;

use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};
use portcullis_server::Flags;

/// Portcullis: a self-hosted identity platform, compatible with Auth0.
///
/// Start with `portcullis serve`: an OpenID provider on http://127.0.0.1:4000/ with its
/// data in ./portcullis-data (SQLite). Settings come from flags, then PORTCULLIS_*
/// environment variables, then portcullis.toml, then defaults.
#[derive(Debug, Parser)]
#[command(
    name = "portcullis",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Configuration file [env: PORTCULLIS_CONFIG] [default: ./portcullis.toml if present]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Directory of the SQLite database and generated secrets [env: PORTCULLIS_DATA_DIR]
    /// [default: ./portcullis-data]
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Use this database instead of the embedded SQLite, e.g. postgres://host/db
    /// [env: PORTCULLIS_DATABASE_URL]
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// Log format: pretty or json [env: PORTCULLIS_LOG_FORMAT] [default: pretty]
    #[arg(long, global = true, value_name = "FORMAT")]
    pub log_format: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the server (creates the default tenant on first start)
    Serve(ServeArgs),
    /// Create or update the database schema, then exit
    Migrate,
    /// Validate the configuration without starting
    CheckConfig(ServeArgs),
    /// Signing keys: list, rotate, revoke
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Administration
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Read or write Auth0 SDK session cookies (nextjs-auth0, express-openid-connect)
    #[command(subcommand)]
    Cookie(CookieCommand),
    /// Look inside a JWT, or check it as an API would
    #[command(subcommand)]
    Token(TokenCommand),
    /// A backend-for-frontend: logs users in, serves a browser app, and forwards its
    /// /api calls with the session's access token
    ///
    /// The login settings come from the Auth0 variables (AUTH0_DOMAIN or
    /// ISSUER_BASE_URL, AUTH0_CLIENT_ID, AUTH0_CLIENT_SECRET, AUTH0_SECRET, APP_BASE_URL,
    /// AUTH0_AUDIENCE, AUTH0_SCOPE). Example:
    /// `portcullis proxy --route /api/orders=http://127.0.0.1:3001/ --static ./dist`
    Proxy(ProxyArgs),
}

#[derive(Debug, clap::Args)]
pub struct ProxyArgs {
    /// Address to listen on [default: the port of APP_BASE_URL on 127.0.0.1]
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<std::net::SocketAddr>,
    /// Forward PREFIX/... to URL/... with the user's access token (repeatable)
    #[arg(long = "route", value_name = "PREFIX=URL")]
    pub routes: Vec<String>,
    /// Like --route, but calls without a session pass too (without a token)
    #[arg(long = "anonymous-route", value_name = "PREFIX=URL")]
    pub anonymous_routes: Vec<String>,
    /// Serve the browser app's files from this directory (index.html at /)
    #[arg(long = "static", value_name = "DIR")]
    pub static_dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Print a JWT's header and claims, and when it expires; checks nothing
    ///
    /// Example: `portcullis token decode eyJhbGciOi...` (or the token on standard input)
    Decode {
        /// The token; read from standard input when left out
        token: Option<String>,
    },
    /// Check a JWT as an API would: signature against the issuer's JWKS (from its
    /// discovery document), issuer, audience, expiry; prints the verdict and why.
    /// Exits 0 when valid, 1 when not
    Verify {
        /// The token; read from standard input when left out
        token: Option<String>,
        /// The issuer the token must come from, e.g. https://tenant.example.com/
        #[arg(long, value_name = "URL")]
        issuer: String,
        /// An accepted audience (repeat for several); without it the audience is not
        /// checked
        #[arg(long, value_name = "AUDIENCE")]
        audience: Vec<String>,
        /// Also require `typ: at+jwt` (RFC 9068)
        #[arg(long)]
        strict: bool,
        /// Also trust this CA certificate (PEM), e.g. <data-dir>/tls/ca.pem
        #[arg(long, value_name = "FILE")]
        ca_cert: Option<PathBuf>,
        /// Allow plain http to an issuer that is not on this machine
        #[arg(long)]
        allow_http: bool,
    },
}

/// The apps' cookie secret, shared by `cookie decrypt` and `cookie encrypt`.
#[derive(Debug, clap::Args)]
pub struct CookieSecrets {
    /// The app's cookie secret (AUTH0_SECRET / SECRET); repeat for older secrets (the
    /// first one encrypts)
    #[arg(
        long = "secret",
        env = "AUTH0_SECRET",
        hide_env_values = true,
        value_name = "SECRET",
        required = true,
        num_args = 1
    )]
    pub secrets: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum CookieCommand {
    /// Print the session in a cookie: reads a Cookie header, or Set-Cookie lines, from
    /// standard input (nextjs-auth0 v4 `__session`, v3 and express-openid-connect
    /// `appSession`, chunked or not)
    ///
    /// Example: `pbpaste | portcullis cookie decrypt` with AUTH0_SECRET set.
    Decrypt {
        #[command(flatten)]
        secrets: CookieSecrets,
        /// Check expiry at this time (seconds since the epoch) instead of now
        #[arg(long, value_name = "EPOCH_SECONDS")]
        at: Option<i64>,
    },
    /// Write a nextjs-auth0 v4 session cookie for the session JSON on standard input
    /// (`user`, `tokenSet`, `internal`); prints Set-Cookie lines
    Encrypt {
        #[command(flatten)]
        secrets: CookieSecrets,
        /// Cookie name
        #[arg(long, default_value = "__session")]
        name: String,
        /// Absolute session lifetime from internal.createdAt: 90s, 15m, 1h, 3d
        #[arg(long, default_value = "3d", value_name = "DURATION")]
        absolute: String,
        /// Inactivity lifetime: the session ends this long after it is written
        #[arg(long, default_value = "1d", value_name = "DURATION")]
        inactivity: String,
    },
}

#[derive(Debug, Args, Default)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port [env: PORTCULLIS_LISTEN]
    /// [default: 127.0.0.1:4000]
    #[arg(long, value_name = "HOST:PORT")]
    pub listen: Option<String>,
    /// Public base URL, the issuer (e.g. https://id.example.com/) [env:
    /// PORTCULLIS_PUBLIC_URL] [default: derived from the listen address]
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
    /// TLS certificate chain, PEM [env: PORTCULLIS_TLS_CERT]
    #[arg(long, value_name = "FILE")]
    pub tls_cert: Option<PathBuf>,
    /// TLS private key, PEM [env: PORTCULLIS_TLS_KEY]
    #[arg(long, value_name = "FILE")]
    pub tls_key: Option<PathBuf>,
    /// Serve https with a local CA and a certificate for localhost, made under the data
    /// dir; trust it with NODE_EXTRA_CA_CERTS=<data-dir>/tls/ca.pem
    /// [env: PORTCULLIS_TLS_SELF_SIGNED]
    #[arg(long)]
    pub tls_self_signed: bool,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// List the tenant's signing keys and their states
    List {
        /// Print JSON instead of a table
        #[arg(long)]
        json: bool,
    },
    /// Publish a new signing key now; it starts signing after --activate-in
    Rotate {
        /// Algorithm of the new key: RS256, ES256 or EdDSA [default: keys.algorithm]
        #[arg(long, value_name = "ALG")]
        alg: Option<String>,
        /// Delay before the new key signs, so verifiers can fetch it first: 90s, 15m, 1h
        #[arg(
            long,
            value_name = "DURATION",
            default_value = "15m",
            conflicts_with = "now"
        )]
        activate_in: String,
        /// Sign with the new key at once (after a compromise)
        #[arg(long)]
        now: bool,
    },
    /// Withdraw a key from the key set at once (replacing it if it was signing)
    Revoke {
        /// The key's kid
        kid: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create the default tenant, its first key and applications, if not there yet
    Bootstrap(ServeArgs),
    /// Users of the Username-Password-Authentication connection
    #[command(subcommand)]
    Users(UsersCommand),
    /// APIs (resource servers): the audiences access tokens are issued for
    #[command(subcommand)]
    Apis(ApisCommand),
    /// Roles: named sets of API permissions, assigned to users
    #[command(subcommand)]
    Roles(RolesCli),
    /// Applications (OAuth clients): web apps, SPAs, native and machine-to-machine apps
    #[command(subcommand)]
    Apps(AppsCommand),
    /// Client grants: which machine-to-machine applications may get tokens for which APIs
    #[command(subcommand)]
    Grants(GrantsCommand),
    /// Tenant settings
    #[command(subcommand)]
    Tenant(TenantCli),
    /// The audit log (logins, signups, Management API writes...), newest first
    Logs(LogsArgs),
    /// Call any Management API route and print its JSON answer: for the changes the
    /// named commands do not make (updates, deletions, metadata...)
    ///
    /// PATH is relative to /api/v2 (a leading /api/v2 is accepted too), query included,
    /// e.g. `admin api GET '/users?q=email:"ada@example.com"'` or
    /// `admin api POST /roles --data '{"name":"Reader"}'`. Works on the local database,
    /// or on a running server with --url.
    Api(ApiArgs),
    /// Bring data in from Auth0
    #[command(subcommand)]
    Import(ImportCommand),
    /// Print the tenant's configuration (applications, APIs, roles, grants, settings)
    /// as JSON, for `admin apply`
    Export(crate::tenant_config::ExportArgs),
    /// Make the tenant match a configuration file: shows the plan, then applies it
    Apply(crate::tenant_config::ApplyArgs),
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import users from Auth0's bulk user import JSON (bcrypt and Argon2 password
    /// hashes are kept, so users keep their passwords); bad rows are reported, not fatal
    Users(crate::import::ImportUsersArgs),
}

/// Auth0's application types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum AppTypeArg {
    /// Regular Web Application: server-side, confidential (has a secret)
    RegularWeb,
    /// Single Page Application: runs in the browser, public (no secret, PKCE)
    Spa,
    /// Native or mobile app: public (no secret, PKCE)
    Native,
    /// Machine to Machine: client_credentials only, confidential
    NonInteractive,
}

/// How an application authenticates at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum AuthMethodArg {
    /// The secret in an HTTP Basic Authorization header
    ClientSecretBasic,
    /// The secret in the form body
    ClientSecretPost,
    /// No secret: a public client (SPA, native)
    None,
}

#[derive(Debug, Subcommand)]
pub enum AppsCommand {
    /// Register an application; prints its client id and, for confidential types, its
    /// secret, shown this once
    ///
    /// Defaults follow Auth0: spa and native are public (no secret, PKCE required, auth
    /// method none); regular_web and non_interactive get a secret sent with
    /// client_secret_post. Interactive types may use authorization_code, refresh_token
    /// and implicit (ID tokens with form_post only: express-openid-connect's default; never
    /// an access token in the browser); non_interactive only client_credentials. URLs are
    /// matched exactly: no wildcards, fragments, javascript: or data: URLs.
    Create {
        /// Display name
        #[arg(long)]
        name: String,
        /// Application type
        #[arg(long = "type", value_name = "TYPE")]
        app_type: AppTypeArg,
        /// Allowed callback URL (redirect_uri), e.g. https://app.example.com/callback;
        /// repeat for more
        #[arg(long = "callback", value_name = "URL")]
        callbacks: Vec<String>,
        /// Allowed logout URL (returnTo after logout); repeat for more
        #[arg(long = "logout-url", value_name = "URL")]
        logout_urls: Vec<String>,
        /// Allowed web origin for CORS, written as browsers send it:
        /// https://app.example.com (no path); repeat for more
        #[arg(long = "web-origin", value_name = "ORIGIN")]
        web_origins: Vec<String>,
        /// Token endpoint authentication [default: none for spa and native,
        /// client_secret_post otherwise]
        #[arg(long, value_name = "METHOD")]
        auth_method: Option<AuthMethodArg>,
        #[command(flatten)]
        remote: RemoteArgs,
    },
    /// List the tenant's applications (never their secrets)
    List(ListArgs),
    /// Let a machine-to-machine application get tokens for an API (a client grant)
    Grant {
        /// The application's client id (--client-id names the credentials of --url)
        #[arg(long = "app", value_name = "CLIENT_ID")]
        app: String,
        /// The API's identifier (its audience), e.g. https://api.example.com/
        #[arg(long, value_name = "IDENTIFIER")]
        audience: String,
        /// A scope of the API the application may ask for; repeat for more
        #[arg(long = "scope", value_name = "SCOPE")]
        scopes: Vec<String>,
        #[command(flatten)]
        remote: RemoteArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Show or replace the roles every new user gets (at signup and `admin users create`)
    #[command(group(ArgGroup::new("change").args(["roles", "clear"])))]
    DefaultRoles {
        /// A role's id (rol_...); repeat for more. Replaces the whole list
        #[arg(long = "role", value_name = "ROLE_ID")]
        roles: Vec<String>,
        /// Remove every default role
        #[arg(long)]
        clear: bool,
        #[command(flatten)]
        remote: RemoteArgs,
    },
    /// Show or set whether a signup must verify its address before it is logged in.
    /// When on, signup answers the same for new and taken addresses (no account
    /// enumeration); off (default) logs a new user in at once, as Auth0 does
    SignupVerification {
        /// `on` or `off`; without it, show the setting
        #[arg(value_enum)]
        state: Option<OnOff>,
        #[command(flatten)]
        remote: RemoteArgs,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnOff {
    On,
    Off,
}

#[derive(Debug, Subcommand)]
pub enum RolesCommand {
    /// Create a role; prints its id
    Create {
        /// Name (unique within the tenant; compared exactly)
        #[arg(long)]
        name: String,
        /// What the role is for [default: empty]
        #[arg(long, value_name = "TEXT", default_value = "")]
        description: String,
        #[command(flatten)]
        remote: RemoteArgs,
    },
    /// Give a role permissions on an API; permissions it has already are kept
    AddPermission {
        /// The role's id (rol_...)
        role_id: String,
        /// The API's identifier (its audience), e.g. https://api.example.com/
        #[arg(long = "api", value_name = "IDENTIFIER")]
        api: String,
        /// A scope of the API, e.g. read:orders; repeat for more
        #[arg(long = "permission", value_name = "NAME", required = true)]
        permissions: Vec<String>,
        #[command(flatten)]
        remote: RemoteArgs,
    },
    /// Give a role to a user; a role the user has already is kept
    Assign {
        /// The role's id (rol_...)
        role_id: String,
        /// The user's email address (compared case-insensitively)
        #[arg(long, value_name = "EMAIL")]
        user: String,
        #[command(flatten)]
        remote: RemoteArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum ApisCommand {
    /// List the tenant's APIs, the Management API included
    List(ListArgs),
    /// Create an API; prints its id
    Create(CreateApiArgs),
}

/// `admin apis create`.
#[derive(Debug, Args)]
pub struct CreateApiArgs {
    /// The audience of its access tokens, e.g. https://api.example.com/ (unique;
    /// compared exactly)
    #[arg(long, value_name = "URI")]
    pub identifier: String,
    /// Display name
    #[arg(long)]
    pub name: String,
    /// Let applications get refresh tokens for it (the offline_access scope)
    #[arg(long)]
    pub allow_offline_access: bool,
    /// A scope (permission) the API defines, e.g. read:orders; repeat for more
    #[arg(long = "scope", value_name = "SCOPE")]
    pub scopes: Vec<String>,
    /// Enable RBAC: users get only the scopes their roles give
    #[arg(long)]
    pub rbac: bool,
    /// Add the user's permissions to access tokens (the permissions claim); needs
    /// --rbac
    #[arg(long, requires = "rbac")]
    pub add_permissions_in_token: bool,
    #[command(flatten)]
    pub remote: RemoteArgs,
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// List users, oldest first, a page at a time
    List {
        /// Only the user with this email address (compared case-insensitively)
        #[arg(long, value_name = "EMAIL")]
        email: Option<String>,
        /// Page to show, from 0
        #[arg(long, value_name = "N", default_value_t = 0)]
        page: u32,
        /// Users per page, at most 100
        #[arg(long, value_name = "N", default_value_t = 50,
              value_parser = clap::value_parser!(u32).range(1..=100))]
        per_page: u32,
        #[command(flatten)]
        list: ListArgs,
    },
    /// Show one user
    Show {
        /// The user's id, e.g. auth0|...
        user_id: String,
        #[command(flatten)]
        list: ListArgs,
    },
    /// Create a user; the password is read from the first line of standard input
    Create {
        /// Email address (unique, compared case-insensitively)
        #[arg(long)]
        email: String,
        /// Display name [default: the email]
        #[arg(long)]
        name: Option<String>,
        /// Mark the email as verified
        #[arg(long)]
        email_verified: bool,
        #[command(flatten)]
        remote: RemoteArgs,
    },
}

/// `admin roles`: the listings, then the changes.
#[derive(Debug, Subcommand)]
pub enum RolesCli {
    /// List the tenant's roles
    List(ListArgs),
    /// List a role's permissions, by API
    Permissions {
        /// The role's id (rol_...)
        role_id: String,
        #[command(flatten)]
        list: ListArgs,
    },
    #[command(flatten)]
    Change(RolesCommand),
}

/// `admin tenant`: the settings, then the changes.
#[derive(Debug, Subcommand)]
pub enum TenantCli {
    /// Show every tenant setting
    Show(ListArgs),
    #[command(flatten)]
    Change(TenantCommand),
}

#[derive(Debug, Subcommand)]
pub enum GrantsCommand {
    /// List client grants
    List {
        /// Only the grants of this application (its client id; --client-id names the
        /// credentials of --url)
        #[arg(long = "app", value_name = "CLIENT_ID")]
        app: Option<String>,
        /// Only the grants for this API identifier
        #[arg(long, value_name = "IDENTIFIER")]
        audience: Option<String>,
        #[command(flatten)]
        list: ListArgs,
    },
}

#[derive(Debug, Args)]
pub struct LogsArgs {
    /// Only events of this type: an Auth0 code such as s (login), f (failed login), ss
    /// (signup), sapi (Management API write)
    #[arg(long = "type", value_name = "TYPE")]
    pub event_type: Option<String>,
    /// Only events of this user (user id)
    #[arg(long = "user", value_name = "USER_ID")]
    pub user_id: Option<String>,
    /// How many of the newest events to show, at most 100
    #[arg(long, value_name = "N", default_value_t = 50,
          value_parser = clap::value_parser!(u32).range(1..=100))]
    pub take: u32,
    #[command(flatten)]
    pub list: ListArgs,
}

#[derive(Debug, Args)]
pub struct ApiArgs {
    /// HTTP method: GET, POST, PATCH, PUT or DELETE
    pub method: String,
    /// The route under /api/v2, e.g. /roles or /users/auth0|abc
    pub path: String,
    /// JSON body: the JSON itself, @FILE to read it from a file, or @- for standard input
    #[arg(long, value_name = "JSON")]
    pub data: Option<String>,
    #[command(flatten)]
    pub remote: RemoteArgs,
}

/// `--json` and where to read from: what every listing command takes.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print the Management API's JSON instead of a table
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub remote: RemoteArgs,
}

/// A running server to work on through its Management API, instead of the local database.
#[derive(Debug, Args, Default)]
#[command(next_help_heading = "Remote server (instead of the local database)")]
pub struct RemoteArgs {
    /// The server's public URL, e.g. https://id.example.com/; plain http only to
    /// localhost [env: PORTCULLIS_ADMIN_URL]
    #[arg(
        long,
        env = "PORTCULLIS_ADMIN_URL",
        hide_env = true,
        value_name = "URL"
    )]
    pub url: Option<String>,
    /// Client id of a machine-to-machine application granted the Management API (the
    /// one `serve` created at first start, PORTCULLIS_M2M_CLIENT_ID) [env:
    /// PORTCULLIS_ADMIN_CLIENT_ID]
    #[arg(
        long,
        env = "PORTCULLIS_ADMIN_CLIENT_ID",
        hide_env = true,
        value_name = "ID"
    )]
    pub client_id: Option<String>,
    /// Its client secret; better through the environment than on the command line,
    /// where other local users can see it [env: PORTCULLIS_ADMIN_CLIENT_SECRET]
    #[arg(
        long,
        env = "PORTCULLIS_ADMIN_CLIENT_SECRET",
        hide_env = true,
        value_name = "SECRET"
    )]
    pub client_secret: Option<String>,
    /// Also trust this CA certificate (PEM), e.g. <data-dir>/tls/ca.pem of a server
    /// started with --tls-self-signed
    #[arg(long, value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,
}

impl GlobalArgs {
    pub fn flags(&self, serve: &ServeArgs) -> Flags {
        Flags {
            config: self.config.clone(),
            listen: serve.listen.clone(),
            public_url: serve.public_url.clone(),
            data_dir: self.data_dir.clone(),
            database_url: self.database_url.clone(),
            tls_cert: serve.tls_cert.clone(),
            tls_key: serve.tls_key.clone(),
            tls_self_signed: serve.tls_self_signed,
            log_format: self.log_format.clone(),
        }
    }
}
