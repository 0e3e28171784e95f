//! `passim eval`: trec_eval measures end to end, on a tiny collection the
//! test writes, and a regression guard on Cranfield when it is present.

mod common;

use std::fs;

use common::{Indexed, passim, shared_corpus};
use predicates::prelude::*;
use serde_json::Value;

/// Three articles, two queries with known best answers.
fn tiny() -> (tempfile::TempDir, Indexed) {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus.jsonl");
    fs::write(
        &corpus,
        [
            r#"{"id":"d1","title":"Supersonic wing flutter","body":"Flutter of thin wings at supersonic speed was measured in the tunnel."}"#,
            r#"{"id":"d2","title":"Boundary layers","body":"Heat transfer in laminar boundary layers on flat plates."}"#,
            r#"{"id":"d3","title":"Wing loads","body":"Loads on a wing in subsonic flow, and a note on flutter."}"#,
        ]
        .join("\n"),
    )
    .unwrap();
    fs::write(dir.path().join("queries.tsv"), "1\twhat is known about wing flutter at supersonic speeds ?\n2\theat transfer in boundary layers\n3\tan unjudged query\n").unwrap();
    // Query 1: d1 best (grade 2), d3 relevant (1). Query 2: d2 (1). Query 9: judged, never asked.
    fs::write(
        dir.path().join("qrels.txt"),
        "1 0 d1 2\n1 0 d3 1\n2 0 d2 1\n9 0 d2 1\n",
    )
    .unwrap();
    let idx = Indexed::of(&[corpus]);
    (dir, idx)
}

fn eval_json(idx: &Indexed, dir: &std::path::Path, extra: &[&str]) -> Value {
    let out = idx
        .cmd()
        .arg("eval")
        .arg("--queries")
        .arg(dir.join("queries.tsv"))
        .arg("--qrels")
        .arg(dir.join("qrels.txt"))
        .arg("--json")
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn tiny_collection_scores_as_computed_by_hand() {
    let (dir, idx) = tiny();
    let r = eval_json(&idx, dir.path(), &["--per-query"]);
    // Judged queries: 1, 2 and 9 (9 has no run: it scores 0).
    assert_eq!(r["queries"], 3);
    let per: Vec<&Value> = r["per_query"].as_array().unwrap().iter().collect();
    let q = |id: &str| per.iter().find(|p| p["qid"] == id).copied().unwrap();
    // Query 1 ranks d1 then d3: a perfect ranking.
    assert_eq!(q("1")["ndcg@10"], 1.0);
    assert_eq!(q("1")["map"], 1.0);
    assert_eq!(q("1")["p@10"], 0.2);
    assert_eq!(q("2")["map"], 1.0);
    assert_eq!(q("9")["ndcg@10"], 0.0);
    let mean_map = r["map"].as_f64().unwrap();
    assert!((mean_map - 2.0 / 3.0).abs() < 1e-9, "{mean_map}");
    assert!((r["recall@100"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-9);
}

#[test]
fn text_report_and_errors() {
    let (dir, idx) = tiny();
    idx.cmd()
        .arg("eval")
        .arg("--queries")
        .arg(dir.path().join("queries.tsv"))
        .arg("--qrels")
        .arg(dir.path().join("qrels.txt"))
        .assert()
        .code(0)
        .stdout(predicate::str::contains("queries     3"))
        .stdout(predicate::str::contains("nDCG@10     "))
        .stdout(predicate::str::contains("MAP         0.6667"));
    fs::write(dir.path().join("bad.txt"), "1 0 d1\n").unwrap();
    idx.cmd()
        .arg("eval")
        .arg("--queries")
        .arg(dir.path().join("queries.tsv"))
        .arg("--qrels")
        .arg(dir.path().join("bad.txt"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "bad.txt: line 1: expected 4 fields",
        ));
}

#[test]
fn cranfield_does_not_regress() {
    let (Some(corpus), Some(queries), Some(qrels)) = (
        shared_corpus("cranfield", "corpus.jsonl"),
        shared_corpus("cranfield", "queries.tsv"),
        shared_corpus("cranfield", "qrels.txt"),
    ) else {
        return;
    };
    let idx = Indexed::of(&[corpus]);
    let out = idx
        .cmd()
        .arg("eval")
        .arg("--queries")
        .arg(&queries)
        .arg("--qrels")
        .arg(&qrels)
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["queries"], 225);
    let ndcg = r["ndcg@10"].as_f64().unwrap();
    let map = r["map"].as_f64().unwrap();
    eprintln!("cranfield: nDCG@10 {ndcg:.4} MAP {map:.4}");
    assert!(ndcg >= 0.36, "nDCG@10 {ndcg} fell below 0.36");
    assert!(map >= 0.29, "MAP {map} fell below 0.29");
}

#[test]
fn eval_needs_an_index() {
    let dir = tempfile::tempdir().unwrap();
    passim()
        .arg("--index")
        .arg(dir.path().join("none"))
        .args(["eval", "--queries", "q", "--qrels", "r"])
        .assert()
        .code(2);
}
