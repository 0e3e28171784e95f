//! The passim benchmark suite: passim beside SQLite FTS5 and ripgrep, on
//! the same corpus and the same queries, in one run on one machine.
//!
//! Run it with `bash benches/run.sh` (which installs ripgrep when missing),
//! or `cargo bench --bench suite -- [--quick]`. It writes its corpus,
//! indexes and report under `target/bench-data/` and prints the report, a
//! markdown table per corpus size with ratios, on stdout.
//!
//! The same binary also serves as the FTS5 child processes
//! (`fts5-index`, `fts5-query`), so FTS5 is timed as a separate process
//! just like the passim CLI.

mod corpus;
mod engines;
mod measure;
mod queries;
mod report;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context as _, Result};
use clap::{Parser, Subcommand};

use corpus::{Dataset, Scale};
use engines::{Built, Fts5, Passim, Ripgrep};
use queries::QuerySet;
use report::{ScaleResult, SetResult};

/// passim beside SQLite FTS5 and ripgrep on news-all (Reuters-21578, 20
/// Newsgroups, BBC News) at 25%, 50%, 100% and 400%.
#[derive(Debug, Parser)]
#[command(name = "suite")]
struct Args {
    /// Only the 25% scale, fewer one-shot queries: a quick try
    #[arg(long)]
    quick: bool,

    /// Corpus sizes to measure, in percent of news-all (any of 25, 50, 100, 400)
    #[arg(long, value_delimiter = ',', value_name = "PERCENT")]
    scales: Option<Vec<u32>>,

    /// One-shot (fresh process) queries per query set for passim and FTS5
    #[arg(long, value_name = "N")]
    one_shot: Option<usize>,

    /// One-shot queries per query set for ripgrep, which reads every file each time
    #[arg(long, value_name = "N")]
    rg_queries: Option<usize>,

    /// Index builds per engine and scale (interleaved; the median is reported)
    /// [default: 3, 1 with --quick]
    #[arg(long, value_name = "N")]
    index_runs: Option<usize>,

    /// Leave SQLite FTS5 out
    #[arg(long)]
    no_fts5: bool,

    /// Leave ripgrep out
    #[arg(long)]
    no_rg: bool,

    /// Where the corpora are [default: ../shared/corpora beside the project]
    #[arg(long, env = "PASSIM_CORPORA", value_name = "DIR")]
    corpora: Option<PathBuf>,

    /// Scratch folder for corpus files, indexes and the report
    /// [default: target/bench-data]
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,

    /// Passed by `cargo bench`; ignored
    #[arg(long, hide = true)]
    bench: bool,

    #[command(subcommand)]
    child: Option<Child>,
}

/// FTS5 work run as a child process of the suite.
#[derive(Debug, Subcommand)]
enum Child {
    /// Build an FTS5 database from a JSON Lines file
    #[command(hide = true)]
    Fts5Index { db: PathBuf, jsonl: PathBuf },
    /// Run one FTS5 query and print the top 10 with snippets
    #[command(hide = true)]
    Fts5Query { db: PathBuf, query: String },
    /// Run a command and write its wall time and peak RSS to REPORT
    #[command(hide = true)]
    Measure {
        report: PathBuf,
        #[arg(last = true, required = true)]
        command: Vec<std::ffi::OsString>,
    },
}

fn main() {
    let args = Args::parse();
    let code = match run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("bench: error: {e:#}");
            2
        }
    };
    std::process::exit(code);
}

fn run(args: Args) -> Result<i32> {
    match &args.child {
        Some(Child::Fts5Index { db, jsonl }) => {
            engines::fts5_index_main(db, jsonl)?;
            return Ok(0);
        }
        Some(Child::Fts5Query { db, query }) => return engines::fts5_query_main(db, query),
        Some(Child::Measure { report, command }) => return measure::measure_main(report, command),
        None => {}
    }
    let started = Instant::now();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpora = args
        .corpora
        .clone()
        .unwrap_or_else(|| root.join("../shared/corpora"));
    let sources = match corpus::find_sources(&corpora) {
        Ok(s) => s,
        Err(why) => {
            eprintln!("bench: skipped: {why}; the suite needs the shared corpora");
            return Ok(0);
        }
    };
    let data = args
        .data
        .clone()
        .unwrap_or_else(|| root.join("target/bench-data"));
    let percents = match (&args.scales, args.quick) {
        (Some(s), _) => s.clone(),
        (None, true) => vec![25],
        (None, false) => vec![25, 50, 100, 400],
    };
    for p in &percents {
        anyhow::ensure!(
            [25, 50, 100, 400].contains(p),
            "--scales takes 25, 50, 100 or 400, not {p}"
        );
    }
    let scales: Vec<Scale> = percents.iter().map(|&percent| Scale { percent }).collect();
    let one_shot_n = args.one_shot.unwrap_or(if args.quick { 40 } else { 100 });
    let rg_n = args.rg_queries.unwrap_or(if args.quick { 10 } else { 20 });
    let index_runs = args
        .index_runs
        .unwrap_or(if args.quick { 1 } else { 3 })
        .max(1);

    let bench_bin = std::env::current_exe()?;
    let passim = Passim {
        bin: PathBuf::from(env!("CARGO_BIN_EXE_passim")),
        bench_bin: bench_bin.clone(),
    };
    let fts5 = (!args.no_fts5).then_some(Fts5 { bench_bin });
    let rg = if args.no_rg {
        None
    } else {
        let found = Ripgrep::find();
        if found.is_none() {
            eprintln!(
                "bench: ripgrep (rg) not found; its column is left out. Install it with \
                 `apt-get install -y ripgrep` or `cargo install ripgrep` (bash benches/run.sh does)"
            );
        }
        found
    };

    eprintln!("bench: reading {}", corpora.display());
    let all = corpus::load_news_all(&sources)?;
    let sets = vec![
        QuerySet {
            name: "titles",
            queries: queries::title_queries(&all),
        },
        QuerySet {
            name: "short",
            queries: queries::short_queries(&all),
        },
    ];
    std::fs::create_dir_all(&data)?;
    queries::write(&sets, &data)?;
    eprintln!(
        "bench: news-all has {} articles; writing the corpus at {:?}% to {}",
        all.len(),
        percents,
        data.display()
    );
    let datasets = corpus::write_datasets(&all, &scales, &data, rg.is_some())?;
    drop(all);

    let mut results = Vec::new();
    for ds in &datasets {
        results.push(measure_scale(
            ds,
            &sets,
            &data,
            &passim,
            fts5.as_ref(),
            rg.as_ref(),
            index_runs,
            one_shot_n,
            rg_n,
        )?);
    }

    let ctx = report::Context {
        command: command_line(),
        index_runs,
        cpu: cpu_model(),
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        commit: git_commit(root),
        sqlite: rusqlite::version().to_string(),
        ripgrep: rg.as_ref().map(Ripgrep::version),
        total: started.elapsed(),
        process_floor: passim.process_floor(one_shot_n, &data.join("child.stderr"))?,
    };
    let text = report::render(&ctx, &results);
    let report_path = data.join("report.md");
    std::fs::write(&report_path, &text)?;
    println!("{text}");
    eprintln!("bench: report written to {}", report_path.display());
    Ok(0)
}

#[allow(clippy::too_many_arguments)]
fn measure_scale(
    ds: &Dataset,
    sets: &[QuerySet],
    data: &Path,
    passim: &Passim,
    fts5: Option<&Fts5>,
    rg: Option<&Ripgrep>,
    index_runs: usize,
    one_shot_n: usize,
    rg_n: usize,
) -> Result<ScaleResult> {
    let name = ds.scale.name();
    let load_before = measure::load_average();
    let log = data.join("child.stderr");
    let index_dir = data.join(format!("passim-{}", ds.scale.percent));
    let db = data.join(format!("fts5-{}.db", ds.scale.percent));

    // Builds alternate between the engines, so a burst of other work on the
    // machine does not fall on one engine only.
    let (mut passim_runs, mut fts5_runs) = (Vec::new(), Vec::new());
    for run in 1..=index_runs {
        eprintln!("bench: {name}: passim index ({run}/{index_runs}) ...");
        passim_runs.push(
            passim
                .index(&ds.jsonl, &index_dir, &log)
                .context("passim index")?,
        );
        if let Some(f) = fts5 {
            eprintln!("bench: {name}: FTS5 index ({run}/{index_runs}) ...");
            fts5_runs.push(f.index(&ds.jsonl, &db, &log).context("FTS5 index")?);
        }
    }
    let passim_built = Built::median(passim_runs);
    let fts5_built = (!fts5_runs.is_empty()).then(|| Built::median(fts5_runs));

    let mut set_results = Vec::new();
    for set in sets {
        eprintln!("bench: {name}: {} queries, warm ...", set.name);
        let passim_warm = passim.warm(&index_dir, &set.queries)?;
        let fts5_warm = fts5.map(|f| f.warm(&db, &set.queries)).transpose()?;
        eprintln!("bench: {name}: {} queries, one-shot ...", set.name);
        let sample = measure::sample(&set.queries, one_shot_n);
        let passim_one_shot = passim.one_shot(&index_dir, &sample, &log)?;
        let fts5_one_shot = fts5.map(|f| f.one_shot(&db, &sample, &log)).transpose()?;
        let rg_sample = measure::sample(&set.queries, rg_n);
        let rg_one_shot = rg
            .map(|r| r.one_shot(&ds.text_dirs, &rg_sample, &log))
            .transpose()?;
        set_results.push(SetResult {
            name: set.name,
            queries: set.queries.len(),
            passim_warm,
            fts5_warm,
            one_shot_queries: sample.len(),
            passim_one_shot,
            fts5_one_shot,
            rg_queries: if rg.is_some() { rg_sample.len() } else { 0 },
            rg_one_shot,
        });
    }
    Ok(ScaleResult {
        name,
        percent: ds.scale.percent,
        articles: ds.articles,
        text_bytes: ds.text_bytes,
        passim: passim_built,
        fts5: fts5_built,
        sets: set_results,
        load: (load_before, measure::load_average()),
    })
}

fn command_line() -> String {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if args.is_empty() {
        "bash benches/run.sh".into()
    } else {
        format!("bash benches/run.sh {}", args.join(" "))
    }
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, m)| m.trim().to_string())
        })
        .unwrap_or_else(|| "an unknown CPU".into())
}

fn git_commit(root: &Path) -> String {
    std::process::Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "(unknown commit)".into())
}
