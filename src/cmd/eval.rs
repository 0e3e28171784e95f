//! `passim eval`: ranking quality against relevance judgments.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, anyhow};
use serde::Serialize;

use super::EXIT_OK;
use crate::cli::{EvalArgs, RankArgs, RankMethod};
use crate::eval::{self, Measures, Qrels, RUN_DEPTH};
use crate::index::Index;
use crate::rank::{self, RankParams};

/// Ranking parameters for a method, with any knobs the user set.
pub fn params(method: RankMethod, knobs: &RankArgs) -> RankParams {
    let mut p = RankParams::default();
    match method {
        RankMethod::Combined => {}
        RankMethod::Article => p.passage_weight = 0.0,
        RankMethod::Passage => p.article_weight = 0.0,
    }
    if let Some(v) = knobs.k1 {
        p.k1 = v;
    }
    if let Some(v) = knobs.b {
        p.b = v;
    }
    if let Some(v) = knobs.title_boost {
        p.title_boost = v;
    }
    if let Some(v) = knobs.passage_weight {
        p.passage_weight = v;
    }
    if let Some(v) = knobs.passage_top {
        p.passage_top = v.max(1);
    }
    if let Some(v) = knobs.stop_words {
        p.stop_words = v;
    }
    if let Some(v) = knobs.proximity {
        p.proximity = v;
    }
    if let Some(v) = knobs.proximity_slop {
        p.proximity_slop = v;
    }
    p
}

#[derive(Serialize)]
struct JsonReport<'a> {
    queries: usize,
    #[serde(flatten)]
    mean: Measures,
    params: RankParams,
    passage_words: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    per_query: Option<Vec<PerQuery<'a>>>,
}

#[derive(Serialize)]
struct PerQuery<'a> {
    qid: &'a str,
    #[serde(flatten)]
    measures: Measures,
}

pub fn run(index_dir: &Path, args: &EvalArgs) -> Result<i32> {
    let read = |p: &Path| {
        std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))
    };
    let queries = eval::parse_queries(&read(&args.queries)?)
        .map_err(|e| anyhow!("{}: {e}", args.queries.display()))?;
    let qrels =
        Qrels::parse(&read(&args.qrels)?).map_err(|e| anyhow!("{}: {e}", args.qrels.display()))?;
    let index = Index::open(index_dir)?;
    let params = params(args.method, &args.rank);
    let runs = run_queries(&index, &queries, &params)?;
    let report = eval::evaluate(&runs, &qrels);

    let mut out = std::io::stdout().lock();
    if args.json {
        let json = JsonReport {
            queries: report.queries,
            mean: report.mean,
            params,
            passage_words: index.meta().passage.target_words,
            per_query: args.per_query.then(|| {
                report
                    .per_query
                    .iter()
                    .map(|(q, m)| PerQuery {
                        qid: q,
                        measures: *m,
                    })
                    .collect()
            }),
        };
        serde_json::to_writer_pretty(&mut out, &json)?;
        writeln!(out)?;
    } else {
        if args.per_query {
            writeln!(
                out,
                "{:<10} {:>8} {:>8} {:>10} {:>6}",
                "qid", "nDCG@10", "MAP", "Recall@100", "P@10"
            )?;
            for (q, m) in &report.per_query {
                writeln!(
                    out,
                    "{:<10} {:>8.4} {:>8.4} {:>10.4} {:>6.4}",
                    q, m.ndcg10, m.ap, m.recall100, m.p10
                )?;
            }
            writeln!(out)?;
        }
        let m = report.mean;
        writeln!(out, "queries     {}", report.queries)?;
        writeln!(out, "nDCG@10     {:.4}", m.ndcg10)?;
        writeln!(out, "MAP         {:.4}", m.ap)?;
        writeln!(out, "Recall@100  {:.4}", m.recall100)?;
        writeln!(out, "P@10        {:.4}", m.p10)?;
    }
    Ok(EXIT_OK)
}

/// Runs every query as natural language with article ranking, to depth 1000.
pub fn run_queries(
    index: &Index,
    queries: &[(String, String)],
    params: &RankParams,
) -> Result<HashMap<String, Vec<(String, f64)>>> {
    let reader = index.tantivy().reader()?;
    let searcher = reader.searcher();
    let mut runs = HashMap::new();
    for (qid, text) in queries {
        let terms = rank::bag_of_words(text, params);
        let ranked =
            rank::rank_articles(&searcher, index.fields(), &terms, None, params, RUN_DEPTH)?;
        runs.insert(
            qid.clone(),
            ranked
                .into_iter()
                .map(|a| (a.article_id, a.score as f64))
                .collect(),
        );
    }
    Ok(runs)
}
