//! One module per subcommand. Each returns the process exit status:
//! 0 with results, 1 with none, 2 on error (grep's convention).

pub mod completions;
pub mod delete;
pub mod eval;
pub mod index;
pub mod man;
pub mod search;
pub mod serve;
pub mod show;
pub mod stats;

use std::io;
use std::path::PathBuf;

use crate::cli::{Cli, Command, DEFAULT_INDEX_DIR};

/// Exit status for success with results.
pub const EXIT_OK: i32 = 0;
/// Exit status when nothing matched.
pub const EXIT_NO_RESULTS: i32 = 1;
/// Exit status on error.
pub const EXIT_ERROR: i32 = 2;

/// Runs a parsed command line and returns the exit status. Errors are
/// printed to stderr here; a closed stdout (`passim search x | head -1`)
/// ends the run quietly.
pub fn run(cli: Cli) -> i32 {
    let explicit_index = cli.index.is_some();
    let index_dir = cli
        .index
        .unwrap_or_else(|| PathBuf::from(DEFAULT_INDEX_DIR));
    let result = match &cli.command {
        Command::Index(args) => index::run(&index_dir, args),
        Command::Search(args) => search::run(&index_dir, explicit_index, args),
        Command::Eval(args) => eval::run(&index_dir, args),
        Command::Serve(args) => serve::run(&index_dir, explicit_index, args),
        Command::Completions(args) => completions::run(args),
        Command::Man => man::run(),
        Command::Delete(args) => delete::run(&index_dir, args),
        Command::Stats(args) => stats::run(&index_dir, args),
        Command::Show(args) => show::run(&index_dir, args),
    };
    match result {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => EXIT_OK,
        Err(e) => {
            eprintln!("passim: error: {e:#}");
            EXIT_ERROR
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// Prints a warning to stderr.
pub(crate) fn warn(message: impl std::fmt::Display) {
    eprintln!("passim: warning: {message}");
}
