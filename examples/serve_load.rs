//! A load generator for `passim serve`: N threads, each with its own
//! keep-alive connection, send `GET /search` requests for queries read from
//! a file (one per line, or `QID<TAB>QUERY`), and report requests per
//! second and latency percentiles.
//!
//! ```sh
//! passim serve --addr 127.0.0.1:7700 &
//! cargo run --release --example serve_load -- http://127.0.0.1:7700 queries.txt 16 4000
//! ```

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [base, file, threads, total] = args.as_slice() else {
        bail!("usage: serve_load BASE_URL QUERIES_FILE THREADS REQUESTS");
    };
    let threads: usize = threads.parse().context("THREADS")?;
    let total: usize = total.parse().context("REQUESTS")?;
    let queries: Vec<String> = std::fs::read_to_string(file)
        .with_context(|| format!("cannot read {file}"))?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split_once('\t').map_or(l, |(_, q)| q).to_string())
        .collect();
    if queries.is_empty() {
        bail!("{file} holds no queries");
    }
    let url = format!("{}/search", base.trim_end_matches('/'));
    let started = Instant::now();
    let per_thread: Vec<(Vec<Duration>, usize)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (url, queries) = (&url, &queries);
                s.spawn(move || {
                    let agent: ureq::Agent = ureq::Agent::config_builder()
                        .http_status_as_error(false)
                        .build()
                        .into();
                    let mut latencies = Vec::new();
                    let mut errors = 0;
                    for i in (t..total).step_by(threads) {
                        let q = &queries[i % queries.len()];
                        let sent = Instant::now();
                        let ok = agent
                            .get(url)
                            .query("q", q)
                            .query("limit", "10")
                            .call()
                            .ok()
                            .and_then(|mut r| {
                                let status = r.status().as_u16();
                                r.body_mut().read_to_string().ok().map(|_| status)
                            });
                        latencies.push(sent.elapsed());
                        if ok != Some(200) {
                            errors += 1;
                        }
                    }
                    (latencies, errors)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let elapsed = started.elapsed().as_secs_f64();
    let errors: usize = per_thread.iter().map(|p| p.1).sum();
    let mut all: Vec<Duration> = per_thread.into_iter().flat_map(|p| p.0).collect();
    all.sort();
    let pct = |p: f64| all[((all.len() as f64 * p).ceil() as usize).saturating_sub(1)];
    println!(
        "{} requests over {threads} connections in {elapsed:.2} s: {:.0} requests/s, {errors} errors; latency p50 {:.2?}, p99 {:.2?}, max {:.2?}",
        all.len(),
        all.len() as f64 / elapsed,
        pct(0.50),
        pct(0.99),
        all[all.len() - 1]
    );
    Ok(())
}
