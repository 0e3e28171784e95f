//! `passim completions SHELL`: a completion script on stdout.

use std::io::Write;

use anyhow::Result;
use clap::CommandFactory;

use super::EXIT_OK;
use crate::cli::{Cli, CompletionsArgs};

/// Writes the completion script for `args.shell` to stdout.
pub fn run(args: &CompletionsArgs) -> Result<i32> {
    let mut cmd = Cli::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(args.shell, &mut cmd, "passim", &mut out);
    out.flush()?;
    Ok(EXIT_OK)
}
