//! Ranking quality: trec_eval's measures over a run and relevance judgments.
//!
//! Definitions follow trec_eval:
//! - a document is relevant when its grade is >= 1;
//! - the run is ordered by score (descending), ties by document id
//!   (descending), whatever ranks it states, and cut at 1000;
//! - nDCG@10 uses the grades as gains and log2(rank + 1) discounts; the ideal
//!   ordering sorts all judged grades;
//! - MAP is the mean of average precision (over the cut-at-1000 run);
//! - P@10 divides by 10 even when fewer documents were returned;
//! - every query with at least one relevant judgment counts, and one the run
//!   did not answer scores 0.
//!
//! ```
//! use passim::eval::{Qrels, evaluate_query};
//! let qrels = Qrels::parse("1 0 d1 2\n1 0 d2 1\n").unwrap();
//! let run = vec![("d2".to_string(), 2.0), ("d9".to_string(), 1.0), ("d1".to_string(), 0.5)];
//! let m = evaluate_query(&run, qrels.judgments("1").unwrap());
//! assert!((m.p10 - 0.2).abs() < 1e-9);
//! assert!((m.ap - (1.0 + 2.0 / 3.0) / 2.0).abs() < 1e-9);
//! ```

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

/// Run depth measured, as trec_eval's default.
pub const RUN_DEPTH: usize = 1000;

/// Relevance judgments: query id → document id → grade.
#[derive(Debug, Clone, Default)]
pub struct Qrels {
    by_query: BTreeMap<String, HashMap<String, i32>>,
}

impl Qrels {
    /// Parses TREC qrels lines: `qid iteration docid grade`.
    pub fn parse(text: &str) -> Result<Qrels, String> {
        let mut by_query: BTreeMap<String, HashMap<String, i32>> = BTreeMap::new();
        for (i, line) in text.lines().enumerate() {
            let fields: Vec<&str> = line.split_whitespace().collect();
            if fields.is_empty() {
                continue;
            }
            let [qid, _, doc, grade] = fields[..] else {
                return Err(format!(
                    "line {}: expected 4 fields `qid 0 docid grade`, found {}",
                    i + 1,
                    fields.len()
                ));
            };
            let grade: i32 = grade
                .parse()
                .map_err(|_| format!("line {}: grade {grade:?} is not an integer", i + 1))?;
            by_query
                .entry(qid.to_string())
                .or_default()
                .insert(doc.to_string(), grade);
        }
        Ok(Qrels { by_query })
    }

    /// The judgments of one query.
    pub fn judgments(&self, qid: &str) -> Option<&HashMap<String, i32>> {
        self.by_query.get(qid)
    }

    /// Query ids with at least one relevant (grade >= 1) document, sorted.
    pub fn judged_queries(&self) -> Vec<&str> {
        self.by_query
            .iter()
            .filter(|(_, j)| j.values().any(|&g| g >= 1))
            .map(|(q, _)| q.as_str())
            .collect()
    }
}

/// Parses a queries TSV: `qid<TAB>text` per line.
pub fn parse_queries(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let Some((qid, query)) = line.split_once('\t') else {
            return Err(format!("line {}: expected `qid<TAB>query`", i + 1));
        };
        out.push((qid.trim().to_string(), query.trim().to_string()));
    }
    Ok(out)
}

/// The measures of one query.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Measures {
    #[serde(rename = "ndcg@10")]
    pub ndcg10: f64,
    #[serde(rename = "map")]
    pub ap: f64,
    #[serde(rename = "recall@100")]
    pub recall100: f64,
    #[serde(rename = "p@10")]
    pub p10: f64,
}

impl Measures {
    /// The mean of each measure.
    pub fn mean(all: &[Measures]) -> Measures {
        let n = all.len().max(1) as f64;
        let sum = |f: fn(&Measures) -> f64| all.iter().map(f).sum::<f64>() / n;
        Measures {
            ndcg10: sum(|m| m.ndcg10),
            ap: sum(|m| m.ap),
            recall100: sum(|m| m.recall100),
            p10: sum(|m| m.p10),
        }
    }
}

/// Orders a run as trec_eval does: score descending, then document id
/// descending; duplicates after the first are dropped; cut at [`RUN_DEPTH`].
pub fn trec_order(run: &[(String, f64)]) -> Vec<&str> {
    let mut sorted: Vec<&(String, f64)> = run.iter().collect();
    sorted.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| b.0.cmp(&a.0)));
    let mut seen = std::collections::HashSet::new();
    sorted
        .into_iter()
        .filter(|(d, _)| seen.insert(d.as_str()))
        .map(|(d, _)| d.as_str())
        .take(RUN_DEPTH)
        .collect()
}

/// Computes the measures of one query's run (document id, score) against
/// its judgments.
pub fn evaluate_query(run: &[(String, f64)], judgments: &HashMap<String, i32>) -> Measures {
    let ranked = trec_order(run);
    let grade = |d: &str| judgments.get(d).copied().unwrap_or(0);
    let relevant_total = judgments.values().filter(|&&g| g >= 1).count();
    if relevant_total == 0 {
        return Measures::default();
    }

    let mut dcg = 0.0;
    for (i, d) in ranked.iter().take(10).enumerate() {
        let g = grade(d);
        if g > 0 {
            dcg += g as f64 / (i as f64 + 2.0).log2();
        }
    }
    let mut ideal: Vec<i32> = judgments.values().copied().filter(|&g| g > 0).collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg: f64 = ideal
        .iter()
        .take(10)
        .enumerate()
        .map(|(i, &g)| g as f64 / (i as f64 + 2.0).log2())
        .sum();

    let mut hits = 0usize;
    let mut precision_sum = 0.0;
    let mut hits_at_10 = 0usize;
    let mut hits_at_100 = 0usize;
    for (i, d) in ranked.iter().enumerate() {
        if grade(d) >= 1 {
            hits += 1;
            precision_sum += hits as f64 / (i + 1) as f64;
            if i < 10 {
                hits_at_10 += 1;
            }
            if i < 100 {
                hits_at_100 += 1;
            }
        }
    }
    Measures {
        ndcg10: if idcg > 0.0 { dcg / idcg } else { 0.0 },
        ap: precision_sum / relevant_total as f64,
        recall100: hits_at_100 as f64 / relevant_total as f64,
        p10: hits_at_10 as f64 / 10.0,
    }
}

/// Per-query and mean measures of a whole run.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Number of judged queries averaged over.
    pub queries: usize,
    /// Mean of each measure over the judged queries.
    pub mean: Measures,
    /// Each judged query's measures, in qrels order.
    pub per_query: Vec<(String, Measures)>,
}

/// Evaluates runs (query id → scored documents) over every judged query;
/// a judged query missing from `runs` scores 0.
pub fn evaluate(runs: &HashMap<String, Vec<(String, f64)>>, qrels: &Qrels) -> Report {
    let empty = Vec::new();
    let per_query: Vec<(String, Measures)> = qrels
        .judged_queries()
        .into_iter()
        .map(|q| {
            let run = runs.get(q).unwrap_or(&empty);
            let judgments = qrels.judgments(q).expect("judged query");
            (q.to_string(), evaluate_query(run, judgments))
        })
        .collect();
    let all: Vec<Measures> = per_query.iter().map(|(_, m)| *m).collect();
    Report {
        queries: per_query.len(),
        mean: Measures::mean(&all),
        per_query,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(docs: &[(&str, f64)]) -> Vec<(String, f64)> {
        docs.iter().map(|(d, s)| (d.to_string(), *s)).collect()
    }

    fn judg(pairs: &[(&str, i32)]) -> HashMap<String, i32> {
        pairs.iter().map(|(d, g)| (d.to_string(), *g)).collect()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn perfect_run_scores_one() {
        let j = judg(&[("a", 3), ("b", 1)]);
        let m = evaluate_query(&run(&[("a", 2.0), ("b", 1.0)]), &j);
        assert!(close(m.ndcg10, 1.0) && close(m.ap, 1.0) && close(m.recall100, 1.0));
        assert!(close(m.p10, 0.2));
    }

    #[test]
    fn ndcg_by_hand() {
        // Ranked: b(1), x(0), a(3). DCG = 1/log2(2) + 3/log2(4) = 1 + 1.5 = 2.5
        // Ideal: a(3), b(1): 3/1 + 1/log2(3) = 3.6309297535714578
        let j = judg(&[("a", 3), ("b", 1), ("n", 0)]);
        let m = evaluate_query(&run(&[("b", 3.0), ("x", 2.0), ("a", 1.0)]), &j);
        assert!(
            close(m.ndcg10, 2.5 / (3.0 + 1.0 / 3f64.log2())),
            "{}",
            m.ndcg10
        );
    }

    #[test]
    fn average_precision_by_hand() {
        // Relevant: a, b, c (c never retrieved). Ranked: a, x, b.
        // AP = (1/1 + 2/3) / 3
        let j = judg(&[("a", 1), ("b", 2), ("c", 1)]);
        let m = evaluate_query(&run(&[("a", 3.0), ("x", 2.0), ("b", 1.0)]), &j);
        assert!(close(m.ap, (1.0 + 2.0 / 3.0) / 3.0));
        assert!(close(m.recall100, 2.0 / 3.0));
    }

    #[test]
    fn ties_break_by_document_id_descending() {
        let j = judg(&[("a", 1)]);
        // Equal scores: "b" sorts before "a", so a is at rank 2.
        let m = evaluate_query(&run(&[("a", 1.0), ("b", 1.0)]), &j);
        assert!(close(m.ap, 0.5));
        assert_eq!(
            trec_order(&run(&[("a", 1.0), ("c", 1.0), ("b", 2.0)])),
            ["b", "c", "a"]
        );
    }

    #[test]
    fn recall_and_precision_use_their_cutoffs() {
        let mut docs: Vec<(String, f64)> = (0..150)
            .map(|i| (format!("x{i:03}"), 1000.0 - i as f64))
            .collect();
        docs.push(("rel".into(), 0.5)); // rank 151
        let j = judg(&[("rel", 1), ("x005", 1)]);
        let m = evaluate_query(&docs, &j);
        assert!(close(m.recall100, 0.5));
        assert!(close(m.p10, 0.1));
        assert!(close(m.ap, (1.0 / 6.0 + 2.0 / 151.0) / 2.0));
    }

    #[test]
    fn unanswered_and_unjudged_queries() {
        let qrels = Qrels::parse("1 0 a 1\n2 0 b 0\n3 0 c 2\n").unwrap();
        assert_eq!(qrels.judged_queries(), ["1", "3"]);
        let mut runs = HashMap::new();
        runs.insert("1".to_string(), run(&[("a", 1.0)]));
        let report = evaluate(&runs, &qrels);
        assert_eq!(report.queries, 2);
        assert!(close(report.mean.ap, 0.5));
        assert!(close(report.per_query[1].1.ndcg10, 0.0));
    }

    #[test]
    fn parse_errors_name_the_line() {
        assert!(Qrels::parse("1 0 a\n").unwrap_err().contains("line 1"));
        assert!(
            Qrels::parse("1 0 a x\n")
                .unwrap_err()
                .contains("not an integer")
        );
        assert!(parse_queries("1 no tab\n").unwrap_err().contains("line 1"));
        assert_eq!(
            parse_queries("7\twhat is lift ?\n").unwrap(),
            [("7".into(), "what is lift ?".into())]
        );
    }
}
