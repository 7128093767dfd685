//! `portcullis admin import users FILE`: TODO(helper).

use clap::Args;

use crate::Failure;
use crate::args::GlobalArgs;

/// Arguments of `admin import users`.
#[derive(Debug, Args)]
pub struct ImportUsersArgs {
    /// A JSON file in Auth0's bulk user import format
    #[arg(value_name = "FILE")]
    pub file: std::path::PathBuf,
}

pub async fn users(_global: &GlobalArgs, _args: ImportUsersArgs) -> Result<(), Failure> {
    Err(Failure {
        code: 1,
        message: "admin import users is not implemented yet".to_owned(),
    })
}
