//! `portcullis admin export` and `portcullis admin apply`: the tenant's configuration
//! as a JSON file, and making a tenant match one (configuration as code). The document,
//! its checks and the plan live in [`portcullis_core::tenant_config`]; here they meet
//! the Management API, on the local database or, with `--url`, on a running server.

mod execute;
mod state;

use std::io::Read;
use std::path::{Path, PathBuf};

use clap::Args;
use portcullis_core::SystemRng;
use portcullis_core::tenant_config::{Plan, TenantConfig, check, export as document};

use crate::Failure;
use crate::args::{GlobalArgs, RemoteArgs};
use crate::mgmt_client::Client;
use crate::roles::usage;

const EXPORT_HELP: &str = "\
The document has five sections: settings, apis, applications, roles and client_grants.
Objects are named by keys that are the same in every tenant: APIs by identifier,
applications and roles by name, client grants by application name and audience, default
roles by role name. Client ids, role ids and secrets are never written, so the file can
be kept in version control and applied to another tenant. The system Management API is
left out (Portcullis manages it). Two exports of an unchanged tenant are identical.

Example workflow:
  portcullis admin export > tenant.json
  $EDITOR tenant.json                            # add an API, a role, an application...
  portcullis admin apply tenant.json --dry-run   # show the plan; change nothing
  portcullis admin apply tenant.json             # make the tenant match the file";

const APPLY_HELP: &str = "\
Reads the file, checks all of it against the tenant, prints the plan (`+ create`,
`~ update` with the fields that change, `- delete`), then makes the changes in an order
that works (APIs and applications before the grants and permissions on them, deletions
last). Applying the same file again prints `no changes`.

- A section left out of the file is not managed: it is neither read nor changed, even
  with --prune. Without --prune nothing is ever deleted.
- A field left out of an object takes its default: what a new object of that kind gets
  (an application's grant types and token endpoint auth method: its type's defaults).
- A new confidential application (regular_web, non_interactive) prints its client secret
  once; only its hash is stored.
- Any problem in the file (an unknown field, a name used twice, a grant or permission
  naming an application, API or scope that will not exist, a value out of range) is
  reported, with every other problem found, and nothing is changed: exit code 2.

Example workflow:
  portcullis admin export > tenant.json
  $EDITOR tenant.json                            # add an API, a role, an application...
  portcullis admin apply tenant.json --dry-run   # show the plan; change nothing
  portcullis admin apply tenant.json             # make the tenant match the file
  portcullis admin apply tenant.json --prune     # ...and delete what the file leaves out";

/// Arguments of `admin export`.
#[derive(Debug, Args)]
#[command(after_long_help = EXPORT_HELP)]
pub struct ExportArgs {
    #[command(flatten)]
    pub remote: RemoteArgs,
}

/// Arguments of `admin apply`.
#[derive(Debug, Args)]
#[command(after_long_help = APPLY_HELP)]
pub struct ApplyArgs {
    /// The tenant configuration, as `admin export` writes it; `-` reads standard input
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Also delete the APIs, applications, roles and client grants that the file's
    /// sections leave out
    #[arg(long)]
    pub prune: bool,
    /// Print the plan and change nothing
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub remote: RemoteArgs,
}

/// `admin export`: the document on standard output.
pub async fn export(global: &GlobalArgs, args: ExportArgs) -> Result<(), Failure> {
    let client = Client::connect(global, &args.remote).await?;
    let current = state::read(&client).await?;
    let doc = document(&current).map_err(|e| usage(e.to_string()))?;
    print!("{}", to_json(&doc)?);
    Ok(())
}

/// `admin apply FILE [--prune] [--dry-run]`.
pub async fn apply(global: &GlobalArgs, args: ApplyArgs) -> Result<(), Failure> {
    let shown = args.file.display().to_string();
    let text = read_file(&args.file).map_err(|e| usage(format!("cannot read {shown}: {e}")))?;
    let doc = TenantConfig::from_json(&text).map_err(|e| usage(format!("{shown}: {e}")))?;
    let client = Client::connect(global, &args.remote).await?;
    let current = state::read(&client).await?;
    let checked = check(doc, &current, &SystemRng::new())
        .map_err(|problems| usage(format!("{shown}: {problems}; nothing was changed")))?;
    let plan = Plan::compute(&checked, &current, args.prune);
    print!("{plan}");
    if plan.is_empty() {
        return Ok(());
    }
    if args.dry_run {
        println!("dry run: nothing was changed");
        return Ok(());
    }
    execute::run(&client, &current, &plan).await?;
    let (c, u, d) = plan.counts();
    println!("applied: {c} created, {u} updated, {d} deleted");
    Ok(())
}

fn read_file(path: &Path) -> std::io::Result<String> {
    if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        Ok(text)
    } else {
        std::fs::read_to_string(path)
    }
}

fn to_json(doc: &TenantConfig) -> Result<String, Failure> {
    doc.to_json().map_err(|e| Failure {
        code: 1,
        message: format!("encoding the configuration: {e}"),
    })
}
