//! `portcullis admin export` and `portcullis admin apply`: TODO(helper).

use clap::Args;

use crate::Failure;
use crate::args::GlobalArgs;

/// Arguments of `admin export`.
#[derive(Debug, Args)]
pub struct ExportArgs {}

/// Arguments of `admin apply`.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The tenant configuration, as `admin export` writes it
    #[arg(value_name = "FILE")]
    pub file: std::path::PathBuf,
}

pub async fn export(_global: &GlobalArgs, _args: ExportArgs) -> Result<(), Failure> {
    Err(Failure {
        code: 1,
        message: "admin export is not implemented yet".to_owned(),
    })
}

pub async fn apply(_global: &GlobalArgs, _args: ApplyArgs) -> Result<(), Failure> {
    Err(Failure {
        code: 1,
        message: "admin apply is not implemented yet".to_owned(),
    })
}
