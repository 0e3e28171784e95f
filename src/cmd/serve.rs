//! `passim serve`: the HTTP API (see [`crate::serve`]) on a tokio runtime.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};

use super::{EXIT_OK, warn};
use crate::cli::ServeArgs;
use crate::search::Searcher;

/// Runs `passim serve` until SIGINT or SIGTERM; returns the exit status.
pub fn run(index_dir: &Path, explicit_index: bool, args: &ServeArgs) -> Result<i32> {
    let index = super::search::open_or_build(index_dir, explicit_index)?;
    let searcher = Arc::new(Searcher::new(&index)?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .with_context(|| format!("cannot listen on {}", args.addr))?;
        let addr = listener.local_addr()?;
        if !addr.ip().is_loopback() {
            warn(format_args!(
                "listening on {addr}, which other machines can reach; passim has no authentication"
            ));
        }
        // Scripts and tests read the bound address (port 0 picks one) from here.
        let mut out = std::io::stdout().lock();
        writeln!(out, "passim: listening on http://{addr}")?;
        out.flush()?;
        drop(out);
        axum::serve(listener, crate::serve::router(searcher))
            .with_graceful_shutdown(shutdown_signal())
            .await
            .context("the server failed")?;
        eprintln!("passim: shut down");
        Ok(EXIT_OK)
    })
}

/// Resolves on Ctrl-C (SIGINT) or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {},
        _ = terminate => {},
    }
}
