//! `passim man`: the manual page (roff) on stdout, subcommands included.

use std::io::Write;

use anyhow::Result;
use clap::CommandFactory;

use super::EXIT_OK;
use crate::cli::Cli;

/// Writes the roff manual page to stdout.
pub fn run() -> Result<i32> {
    let cmd = Cli::command();
    let mut out = std::io::stdout().lock();
    clap_mangen::Man::new(cmd.clone()).render(&mut out)?;
    // One page: each subcommand's section follows the main one.
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("passim-{}", sub.get_name());
        let sub = sub.clone().name(name);
        clap_mangen::Man::new(sub).render(&mut out)?;
    }
    out.flush()?;
    Ok(EXIT_OK)
}
