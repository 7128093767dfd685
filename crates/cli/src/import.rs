//! `portcullis admin import users FILE`: users from Auth0's bulk user import JSON into
//! the default tenant's database connection, with their bcrypt or Argon2 password
//! hashes, in batches of [`BATCH`] per transaction. Bad rows are reported, not fatal.

mod auth0;
mod progress;

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;
use portcullis_core::user::DATABASE_CONNECTION;
use portcullis_core::user_directory::ImportOutcome;
use portcullis_core::{Clock, Store, SystemClock, SystemRng, TenantId, User, normalize_email};
use serde_json::Value;

use crate::Failure;
use crate::args::GlobalArgs;
use auth0::{Reject, Row};
use progress::Progress;

/// Users stored per transaction.
const BATCH: usize = 500;

const AFTER_HELP: &str = "\
The file is Auth0's bulk user import format: a JSON array of user objects. It is read \
whole into memory, so split files larger than a few hundred MB.

Fields:
  email (required), email_verified, name, nickname, picture, blocked,
  user_metadata and app_metadata (JSON objects),
  user_id: stored as auth0|<user_id>; an id that starts with auth0| already (as in
    Auth0's user export) is kept as is, so tokens keep the same sub,
  password_hash: bcrypt ($2a$, $2b$ or $2y$),
  custom_password_hash: {\"algorithm\": \"bcrypt\" or \"argon2\",
    \"hash\": {\"value\": \"...\"}}, argon2 as a PHC string ($argon2id$v=19$m=..., or
    $argon2i$, $argon2d$).
  username, given_name, family_name, phone_number, phone_verified and mfa_factors
  are accepted but not stored (the summary counts them). Any other field rejects
  the row, as Auth0 does.

Users keep their passwords: the imported hash is checked at login, and replaced by
an Argon2id hash with the server's settings on the first successful login. Other
algorithms (md5, sha1, sha256, sha512, pbkdf2, scrypt, hmac, ldap) are rejected:
import those users without a hash and let them reset their password. No roles are
given, as in Auth0.

A row that fails a check, or whose email or user_id is taken (in the tenant or by
an earlier row of the file), is rejected; the other rows are imported, 500 per
transaction. Standard output gets \"imported N, rejected M\", then each rejected row
(numbered from 1 in file order) with the reason, or --report writes them as JSON
lines. Exit status: 0 when the file was read, even with rejected rows; 1 when it
cannot be read or is not a JSON array, or the database fails (batches already
stored stay); 2 for a bad option.

Example file:
  [{\"email\": \"ada@example.com\", \"email_verified\": true, \"name\": \"Ada\",
    \"password_hash\": \"$2b$10$...\"}]";

/// Arguments of `admin import users`.
#[derive(Debug, Args)]
#[command(after_long_help = AFTER_HELP)]
pub struct ImportUsersArgs {
    /// Auth0's bulk user import file: a JSON array of users
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The database connection to import into (Username-Password-Authentication is the
    /// only one)
    #[arg(long, value_name = "NAME", default_value = DATABASE_CONNECTION)]
    pub connection: String,
    /// Write the rejected rows to FILE as JSON lines ({"row", "email", "reason"})
    /// instead of printing them
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
}

/// A row that was not imported.
#[derive(Debug)]
struct Rejected {
    /// Position in the file's array, from 1.
    row: usize,
    email: Option<String>,
    reason: String,
}

/// What the import did so far.
#[derive(Debug, Default)]
struct Tally {
    imported: usize,
    rejected: Vec<Rejected>,
    /// How many imported rows had each ignored field.
    ignored: BTreeMap<&'static str, usize>,
}

/// Rows checked and waiting for the next transaction.
#[derive(Debug, Default)]
struct Batch {
    users: Vec<User>,
    /// Row number and ignored fields of each user.
    rows: Vec<(usize, Vec<&'static str>)>,
}

pub async fn users(global: &GlobalArgs, args: ImportUsersArgs) -> Result<(), Failure> {
    if args.connection != DATABASE_CONNECTION {
        return Err(Failure {
            code: 2,
            message: format!(
                "no connection named {}: users can only be imported into {DATABASE_CONNECTION}",
                args.connection
            ),
        });
    }
    let rows = read_rows(&args.file).await?;
    // Before anything is stored, so a bad path costs nothing.
    let mut report = match &args.report {
        Some(path) => Some((
            path,
            std::io::BufWriter::new(
                std::fs::File::create(path).map_err(|e| io_failure(path, "create", &e))?,
            ),
        )),
        None => None,
    };
    let tenant = TenantId::default_tenant();
    let store = crate::admin::open_store(global, &tenant).await?;
    let rng = SystemRng::new();
    let now = SystemClock.now();

    let mut tally = Tally::default();
    let mut batch = Batch::default();
    // Normalised email and user id -> the row that has it, for duplicates in the file.
    let mut emails: HashMap<String, usize> = HashMap::with_capacity(rows.len());
    let mut ids: HashMap<String, usize> = HashMap::with_capacity(rows.len());
    let mut progress = Progress::new(u64::try_from(rows.len()).unwrap_or(u64::MAX));
    for (i, value) in rows.iter().enumerate() {
        let row = i + 1;
        let reject = |reason: String| Rejected {
            row,
            email: auth0::email_of(value).map(str::to_owned),
            reason,
        };
        match auth0::parse_row(value, &tenant, now, &rng) {
            Err(Reject(reason)) => tally.rejected.push(reject(reason)),
            Ok(Row { user, ignored }) => {
                let email = normalize_email(&user.email);
                if let Some(first) = emails.get(&email) {
                    tally.rejected.push(reject(format!(
                        "already exists: the email is used by row {first} of this file"
                    )));
                } else if let Some(first) = ids.get(user.user_id.as_str()) {
                    tally.rejected.push(reject(format!(
                        "already exists: user_id {} is used by row {first} of this file",
                        user.user_id
                    )));
                } else {
                    emails.insert(email, row);
                    ids.insert(user.user_id.as_str().to_owned(), row);
                    batch.users.push(user);
                    batch.rows.push((row, ignored));
                }
            }
        }
        if batch.users.len() >= BATCH {
            store_batch(store.as_ref(), &mut batch, &mut tally).await?;
            progress.set(u64::try_from(row).unwrap_or(u64::MAX));
        }
    }
    store_batch(store.as_ref(), &mut batch, &mut tally).await?;
    progress.finish(u64::try_from(rows.len()).unwrap_or(u64::MAX));
    tally.rejected.sort_by_key(|r| r.row);

    if let Some((path, file)) = &mut report {
        for r in &tally.rejected {
            let line = serde_json::json!({"row": r.row, "email": r.email, "reason": r.reason});
            writeln!(file, "{line}").map_err(|e| io_failure(path, "write", &e))?;
        }
        file.flush().map_err(|e| io_failure(path, "write", &e))?;
    }
    print_summary(&tally, args.report.as_deref());
    Ok(())
}

/// Stores the batch in one transaction and empties it.
async fn store_batch(
    store: &dyn Store,
    batch: &mut Batch,
    tally: &mut Tally,
) -> Result<(), Failure> {
    if batch.users.is_empty() {
        return Ok(());
    }
    let outcomes = store.import_users(&batch.users).await.map_err(|e| {
        let mut failure = Failure::from(e);
        let first = batch.rows.first().map_or(0, |(row, _)| *row);
        failure.message = format!(
            "{} (stopped at row {first}; {} users imported before it stay)",
            failure.message, tally.imported
        );
        failure
    })?;
    for ((user, (row, ignored)), outcome) in batch.users.iter().zip(&batch.rows).zip(outcomes) {
        let reason = match outcome {
            ImportOutcome::Imported => {
                tally.imported += 1;
                for field in ignored {
                    *tally.ignored.entry(field).or_default() += 1;
                }
                continue;
            }
            ImportOutcome::EmailExists => "already exists: a user has this email".to_owned(),
            ImportOutcome::IdExists => {
                format!("already exists: a user has the id {}", user.user_id)
            }
        };
        tally.rejected.push(Rejected {
            row: *row,
            email: Some(user.email.clone()),
            reason,
        });
    }
    batch.users.clear();
    batch.rows.clear();
    Ok(())
}

/// The file's array, or a one-line error naming the file (and where the JSON breaks).
async fn read_rows(path: &Path) -> Result<Vec<Value>, Failure> {
    let bytes = tokio::fs::read(path)
        .await
        .map_err(|e| io_failure(path, "read", &e))?;
    let failure = |message: String| Failure {
        code: 1,
        message: format!("{}: {message}", path.display()),
    };
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Array(rows)) => Ok(rows),
        Ok(other) => Err(failure(format!(
            "expected a JSON array of users (Auth0's bulk import format), found {}",
            match other {
                Value::Object(_) => "an object",
                Value::String(_) => "a string",
                Value::Number(_) => "a number",
                Value::Bool(_) => "a boolean",
                _ => "null",
            }
        ))),
        Err(e) => {
            // serde_json's message ends with " at line L column C": said once, first.
            let full = e.to_string();
            let suffix = format!(" at line {} column {}", e.line(), e.column());
            let what = full.strip_suffix(&suffix).unwrap_or(&full);
            Err(failure(format!(
                "not valid JSON at line {}, column {}: {what}",
                e.line(),
                e.column()
            )))
        }
    }
}

fn io_failure(path: &Path, verb: &str, e: &std::io::Error) -> Failure {
    Failure {
        code: 1,
        message: format!("cannot {verb} {}: {e}", path.display()),
    }
}

fn print_summary(tally: &Tally, report: Option<&Path>) {
    let mut out = String::new();
    out.push_str(&format!(
        "imported {}, rejected {}\n",
        tally.imported,
        tally.rejected.len()
    ));
    if !tally.ignored.is_empty() {
        let fields: Vec<String> = tally
            .ignored
            .iter()
            .map(|(field, n)| format!("{field} in {n} {}", plural(*n, "row", "rows")))
            .collect();
        out.push_str(&format!(
            "ignored fields (accepted, not stored): {}\n",
            fields.join(", ")
        ));
    }
    match report {
        Some(path) if !tally.rejected.is_empty() => {
            out.push_str(&format!("rejected rows written to {}\n", path.display()));
        }
        _ => {
            for r in &tally.rejected {
                match &r.email {
                    Some(email) => {
                        out.push_str(&format!("row {} ({email}): {}\n", r.row, r.reason))
                    }
                    None => out.push_str(&format!("row {}: {}\n", r.row, r.reason)),
                }
            }
        }
    }
    print!("{out}");
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}
