//! The markdown report: one table per corpus size (passim beside its
//! peers, with ratios), a scaling table and the targets.

use std::fmt::Write;
use std::time::Duration;

use crate::engines::{Built, OneShot, Warm};

/// Measures of one query set at one scale.
pub struct SetResult {
    pub name: &'static str,
    pub queries: usize,
    pub passim_warm: Warm,
    pub fts5_warm: Option<Warm>,
    /// Fresh-process runs: how many queries, and their latency.
    pub one_shot_queries: usize,
    pub passim_one_shot: OneShot,
    pub fts5_one_shot: Option<OneShot>,
    pub rg_queries: usize,
    pub rg_one_shot: Option<OneShot>,
}

/// Everything measured at one scale.
pub struct ScaleResult {
    pub name: String,
    pub percent: u32,
    pub articles: u64,
    pub text_bytes: u64,
    pub passim: Built,
    pub fts5: Option<Built>,
    pub sets: Vec<SetResult>,
    /// 1-minute load average before and after this scale's measures.
    pub load: (String, String),
}

/// What the run was, for the report's head.
pub struct Context {
    pub command: String,
    pub index_runs: usize,
    pub cpu: String,
    pub cores: usize,
    pub commit: String,
    pub sqlite: String,
    pub ripgrep: Option<String>,
    pub total: Duration,
    /// Median wall and CPU time of a process that only starts and exits
    /// (`passim --version`): the floor under every one-shot figure.
    pub process_floor: OneShot,
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms < 1.0 {
        format!("{ms:.3} ms")
    } else if ms < 10.0 {
        format!("{ms:.2} ms")
    } else if ms < 1000.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{:.2} s", ms / 1e3)
    }
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// How passim compares: "2.5× faster", "1.3× larger", ...
fn ratio(passim: f64, peer: f64, lower_is_better: bool, better: &str, worse: &str) -> String {
    if passim <= 0.0 || peer <= 0.0 {
        return "—".into();
    }
    let r = if lower_is_better {
        peer / passim
    } else {
        passim / peer
    };
    if r >= 1.0 {
        format!("{r:.1}× {better}")
    } else {
        format!("{:.1}× {worse}", 1.0 / r)
    }
}

fn opt<T>(v: Option<T>, f: impl Fn(T) -> String) -> String {
    v.map(f).unwrap_or_else(|| "—".into())
}

struct Row {
    what: String,
    passim: String,
    fts5: String,
    rg: String,
    vs_fts5: String,
    vs_rg: String,
}

fn time_row(what: String, p: Duration, f: Option<Duration>, r: Option<Duration>) -> Row {
    let secs = Duration::as_secs_f64;
    Row {
        what,
        passim: ms(p),
        fts5: opt(f, ms),
        rg: opt(r, ms),
        vs_fts5: opt(f, |f| ratio(secs(&p), secs(&f), true, "faster", "slower")),
        vs_rg: opt(r, |r| ratio(secs(&p), secs(&r), true, "faster", "slower")),
    }
}

fn rate_row(what: &str, p: f64, f: Option<f64>, unit: &str) -> Row {
    let fmt = |v: f64| {
        if v >= 100.0 {
            format!("{v:.0}{unit}")
        } else {
            format!("{v:.1}{unit}")
        }
    };
    Row {
        what: what.into(),
        passim: fmt(p),
        fts5: opt(f, fmt),
        rg: "—".into(),
        vs_fts5: opt(f, |f| ratio(p, f, false, "faster", "slower")),
        vs_rg: "—".into(),
    }
}

fn scale_table(out: &mut String, s: &ScaleResult, rg: bool) {
    let _ = writeln!(
        out,
        "\n### {}: {} articles, {} of text\n",
        s.name,
        s.articles,
        mb(s.text_bytes)
    );
    let text_mb = s.text_bytes as f64 / 1e6;
    let secs = |b: &Built| b.run.wall.as_secs_f64();
    let mut rows = vec![
        time_row(
            "index: wall time".into(),
            s.passim.run.wall,
            s.fts5.map(|f| f.run.wall),
            None,
        ),
        time_row(
            "index: CPU time (user + system)".into(),
            s.passim.run.cpu,
            s.fts5.map(|f| f.run.cpu),
            None,
        ),
        rate_row(
            "index: text throughput",
            text_mb / secs(&s.passim),
            s.fts5.map(|f| text_mb / secs(&f)),
            " MB/s",
        ),
        rate_row(
            "index: articles per second",
            s.articles as f64 / secs(&s.passim),
            s.fts5.map(|f| s.articles as f64 / secs(&f)),
            "",
        ),
        Row {
            what: "index: peak RSS".into(),
            passim: mb(s.passim.run.max_rss),
            fts5: opt(s.fts5, |f| mb(f.run.max_rss)),
            rg: "—".into(),
            vs_fts5: opt(s.fts5, |f| {
                ratio(
                    s.passim.run.max_rss as f64,
                    f.run.max_rss as f64,
                    true,
                    "smaller",
                    "larger",
                )
            }),
            vs_rg: "—".into(),
        },
        Row {
            what: "index size ÷ text size".into(),
            passim: format!("{:.2}", s.passim.size as f64 / s.text_bytes as f64),
            fts5: opt(s.fts5, |f| {
                format!("{:.2}", f.size as f64 / s.text_bytes as f64)
            }),
            rg: "1.00 (the files)".into(),
            vs_fts5: opt(s.fts5, |f| {
                ratio(
                    s.passim.size as f64,
                    f.size as f64,
                    true,
                    "smaller",
                    "larger",
                )
            }),
            vs_rg: "—".into(),
        },
    ];
    for set in &s.sets {
        let w = &set.passim_warm.latency;
        let fw = set.fts5_warm.map(|f| f.latency);
        let label = |what: &str| {
            format!(
                "warm top-10 + snippets, {} ({}): {what}",
                set.name, set.queries
            )
        };
        rows.push(time_row(
            label("median"),
            w.median,
            fw.map(|f| f.median),
            None,
        ));
        rows.push(time_row(label("p95"), w.p95, fw.map(|f| f.p95), None));
        let mut qps = rate_row("", w.per_second, fw.map(|f| f.per_second), "");
        qps.what = label("queries/s");
        rows.push(qps);
        let one_shot = |what: &str| {
            format!(
                "one-shot process, {} ({}; ripgrep {}): {what}",
                set.name, set.one_shot_queries, set.rg_queries
            )
        };
        rows.push(time_row(
            one_shot("median"),
            set.passim_one_shot.latency.median,
            set.fts5_one_shot.map(|o| o.latency.median),
            set.rg_one_shot.map(|o| o.latency.median),
        ));
        rows.push(time_row(
            one_shot("median CPU time"),
            set.passim_one_shot.cpu,
            set.fts5_one_shot.map(|o| o.cpu),
            set.rg_one_shot.map(|o| o.cpu),
        ));
    }
    let _ = writeln!(
        out,
        "| measure | passim | SQLite FTS5 | ripgrep | passim vs FTS5 | passim vs ripgrep |"
    );
    let _ = writeln!(out, "| --- | ---: | ---: | ---: | --- | --- |");
    for r in rows {
        let (rg_cell, vs_rg) = if rg {
            (r.rg, r.vs_rg)
        } else {
            ("—".into(), "—".into())
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            r.what, r.passim, r.fts5, rg_cell, r.vs_fts5, vs_rg
        );
    }
    let answered: Vec<String> = s
        .sets
        .iter()
        .map(|set| {
            format!(
                "{}: passim {}/{} ({} words marked), FTS5 {}",
                set.name,
                set.passim_warm.answered,
                set.queries,
                set.passim_warm.marks,
                opt(set.fts5_warm, |f| format!(
                    "{}/{} ({} words marked)",
                    f.answered, set.queries, f.marks
                )),
            )
        })
        .collect();
    let _ = writeln!(
        out,
        "\nQueries with results: {}. Load average (1 min) {} before, {} after.",
        answered.join("; "),
        s.load.0,
        s.load.1
    );
}

fn scaling_table(out: &mut String, scales: &[ScaleResult]) {
    let base = scales.iter().find(|s| s.percent == 100);
    let _ = writeln!(out, "\n### Scaling\n");
    let _ = writeln!(
        out,
        "| corpus | text | passim index | × news-all time | × news-all CPU time | peak RSS | warm median, titles | warm median, short | one-shot median, short | FTS5 index | FTS5 warm median, titles |"
    );
    let _ = writeln!(
        out,
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    );
    for s in scales {
        let set = |name: &str| s.sets.iter().find(|x| x.name == name);
        let times = base.map_or("—".into(), |b| {
            format!(
                "{:.2}×",
                s.passim.run.wall.as_secs_f64() / b.passim.run.wall.as_secs_f64()
            )
        });
        let cpu_times = base.map_or("—".into(), |b| {
            format!(
                "{:.2}×",
                s.passim.run.cpu.as_secs_f64() / b.passim.run.cpu.as_secs_f64()
            )
        });
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            s.name,
            mb(s.text_bytes),
            ms(s.passim.run.wall),
            times,
            cpu_times,
            mb(s.passim.run.max_rss),
            opt(set("titles"), |x| ms(x.passim_warm.latency.median)),
            opt(set("short"), |x| ms(x.passim_warm.latency.median)),
            opt(set("short"), |x| ms(x.passim_one_shot.latency.median)),
            opt(s.fts5, |f| ms(f.run.wall)),
            opt(set("titles").and_then(|x| x.fts5_warm), |f| ms(f
                .latency
                .median)),
        );
    }
}

fn targets_table(out: &mut String, scales: &[ScaleResult]) {
    let Some(all) = scales.iter().find(|s| s.percent == 100) else {
        let _ = writeln!(
            out,
            "\nThe targets are judged on news-all (100%), which this run did not measure."
        );
        return;
    };
    let x4 = scales.iter().find(|s| s.percent == 400);
    let mut rows: Vec<(String, String, String, bool)> = Vec::new();
    let secs = all.passim.run.wall.as_secs_f64();
    let rate = all.text_bytes as f64 / 1e6 / secs;
    rows.push((
        "indexing news-all".into(),
        "≥ 18 MB/s".into(),
        format!("{rate:.1} MB/s (CPU time {})", ms(all.passim.run.cpu)),
        rate >= 18.0,
    ));
    if let Some(f) = all.fts5 {
        let fs = f.run.wall.as_secs_f64();
        rows.push((
            "indexing news-all beside FTS5".into(),
            "at least as fast".into(),
            format!(
                "{secs:.2} s vs {fs:.2} s (CPU time {} vs {})",
                ms(all.passim.run.cpu),
                ms(f.run.cpu)
            ),
            secs <= fs,
        ));
    }
    let rss = all.passim.run.max_rss;
    rows.push((
        "indexing news-all, peak RSS".into(),
        "< 500 MB".into(),
        mb(rss),
        rss < 500_000_000,
    ));
    for set in &all.sets {
        let m = set.passim_warm.latency.median;
        rows.push((
            format!("warm top-10 with snippets, {} queries, median", set.name),
            "< 1 ms".into(),
            ms(m),
            m < Duration::from_millis(1),
        ));
    }
    for set in &all.sets {
        let m = set.passim_one_shot.latency.median;
        rows.push((
            format!("one-shot `passim search`, {} queries, median", set.name),
            "< 5 ms".into(),
            format!("{} (CPU time {})", ms(m), ms(set.passim_one_shot.cpu)),
            m < Duration::from_millis(5),
        ));
    }
    if let Some(x4) = x4 {
        let r = x4.passim.run.wall.as_secs_f64() / secs;
        let cpu = x4.passim.run.cpu.as_secs_f64() / all.passim.run.cpu.as_secs_f64();
        rows.push((
            "4x replica index time".into(),
            "< 4.5× news-all".into(),
            format!("{r:.2}× (CPU time {cpu:.2}×)"),
            r < 4.5,
        ));
        rows.push((
            "4x replica peak RSS".into(),
            "< 500 MB".into(),
            mb(x4.passim.run.max_rss),
            x4.passim.run.max_rss < 500_000_000,
        ));
    }
    let _ = writeln!(out, "\n### Targets\n");
    let _ = writeln!(out, "| target | goal | measured | met |");
    let _ = writeln!(out, "| --- | --- | ---: | --- |");
    for (what, goal, got, met) in rows {
        let _ = writeln!(
            out,
            "| {what} | {goal} | {got} | {} |",
            if met { "yes" } else { "**no**" }
        );
    }
}

/// Renders the whole report.
pub fn render(ctx: &Context, scales: &[ScaleResult]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## Benchmark: passim beside SQLite FTS5 and ripgrep\n");
    let _ = writeln!(
        out,
        "`{}` on {} ({} cores), passim {}, SQLite {} (FTS5, porter), {}; {:.0} s in all.",
        ctx.command,
        ctx.cpu,
        ctx.cores,
        ctx.commit,
        ctx.sqlite,
        ctx.ripgrep.as_deref().unwrap_or("ripgrep not installed"),
        ctx.total.as_secs_f64()
    );
    let _ = writeln!(
        out,
        "\nIndex builds are fresh processes (`passim index`; an FTS5 loader inserting every \
         article in one transaction), the median of {} interleaved builds; peak RSS is the \
         process's own. Warm: one process, top 10 with highlighted snippets (passim's \
         `Searcher`; FTS5's `snippet()` ordered by `bm25()`), after a warm-up. One-shot: a \
         fresh process per query (`passim search -n 10`), page cache warm. ripgrep: \
         `rg -i -w -F -l` over one text file per article. CPU time is user + system time of \
         the process: less disturbed than wall time by other work on the machine, whose \
         load average each table gives. A process that only starts and exits \
         (`passim --version`) took {} (CPU time {}) here: the floor under every one-shot \
         figure, whatever the engine.",
        ctx.index_runs,
        ms(ctx.process_floor.latency.median),
        ms(ctx.process_floor.cpu)
    );
    for s in scales {
        scale_table(&mut out, s, ctx.ripgrep.is_some());
    }
    if scales.len() > 1 {
        scaling_table(&mut out, scales);
    }
    targets_table(&mut out, scales);
    out
}
