//! `passim search --batch`: a thousand queries written from the sample
//! articles' own words, answered in one process, line for line the same as
//! the library's answers and as single `passim search` runs; TREC output
//! read back; bad lines reported while the batch goes on.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{Indexed, data_dir, passim};
use passim::output::json::{article_value, hit_value};
use passim::output::{QueryTag, RenderOptions};
use passim::{Index, SearchOptions, Searcher};
use predicates::prelude::*;
use serde_json::Value;

/// A small deterministic generator (xorshift), so the queries are the same
/// on every run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// Words of the sample articles, in text order (with repeats, so adjacent
/// pairs are real phrases).
fn corpus_words() -> Vec<String> {
    let mut files: Vec<_> = std::fs::read_dir(data_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    let mut words = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(f).unwrap();
        words.extend(
            text.split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.chars().count() >= 3)
                .map(str::to_string),
        );
    }
    words
}

/// `(qid, query)` pairs of many shapes; even lines carry a qid column.
fn queries(n: usize, seed: u64) -> Vec<(Option<String>, String)> {
    let words = corpus_words();
    let mut rng = Rng(seed);
    (0..n)
        .map(|i| {
            let k = rng.below(words.len() - 1);
            let (a, b) = (&words[k], &words[k + 1]);
            let other = &words[rng.below(words.len())];
            let query = match i % 7 {
                0 => a.clone(),
                1 => format!("{a} {other}"),
                2 => format!("\"{a} {b}\""),
                3 => format!("+{a} {other}"),
                4 => format!("{}*", a.chars().take(4).collect::<String>()),
                5 => format!("title:{a} OR {other}"),
                // Words that are not in the corpus: no results.
                _ => format!("{a}qqxz"),
            };
            let qid = (i % 2 == 0).then(|| format!("Q{i}"));
            (qid, query)
        })
        .collect()
}

fn batch_file(dir: &Path, queries: &[(Option<String>, String)]) -> std::path::PathBuf {
    let mut text = String::new();
    for (qid, q) in queries {
        match qid {
            Some(id) => text.push_str(&format!("{id}\t{q}\n")),
            None => text.push_str(&format!("{q}\n")),
        }
    }
    let path = dir.join("queries.tsv");
    std::fs::write(&path, text).unwrap();
    path
}

/// The qid the batch assigns: the qid column, else the 1-based line number.
fn qid_of(i: usize, qid: &Option<String>) -> String {
    qid.clone().unwrap_or_else(|| (i + 1).to_string())
}

/// Output lines grouped by qid, in order.
fn by_qid(stdout: &[u8]) -> BTreeMap<String, Vec<Value>> {
    let mut out: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for line in std::str::from_utf8(stdout).unwrap().lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        out.entry(v["qid"].as_str().unwrap().to_string())
            .or_default()
            .push(v);
    }
    out
}

#[test]
fn a_thousand_queries_match_the_library_and_single_runs() {
    let idx = Indexed::samples();
    let qs = queries(1000, 0x5eed_1234_abcd);
    let file = batch_file(idx.dir.path(), &qs);
    let out = idx
        .cmd()
        .args(["search", "-n", "5", "--batch"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got = by_qid(&out.stdout);

    let index = Index::open(idx.index()).unwrap();
    let searcher = Searcher::new(&index).unwrap();
    let opts = SearchOptions {
        limit: 5,
        ..Default::default()
    };
    let (mut answered, mut empty) = (0, 0);
    for (i, (qid, query)) in qs.iter().enumerate() {
        let tag = QueryTag {
            qid: qid_of(i, qid),
            query: query.clone(),
        };
        let want: Vec<Value> = searcher
            .search(query, &opts)
            .unwrap()
            .hits
            .iter()
            .map(|h| hit_value(h, Some(&tag), &RenderOptions::default()))
            .collect();
        let lines = got.get(&tag.qid).cloned().unwrap_or_default();
        assert_eq!(lines, want, "line {} ({query})", i + 1);
        if want.is_empty() {
            empty += 1;
        } else {
            answered += 1;
        }
    }
    // The generator makes both kinds; the comparison is not vacuous.
    assert!(
        answered > 700 && empty > 100,
        "{answered} answered, {empty} empty"
    );
    let total: usize = got.values().map(Vec::len).sum();
    assert!(total > 2000, "{total} lines");

    // Thirty single-query runs print the same lines, minus the batch tags.
    for (i, (qid, query)) in qs.iter().enumerate().step_by(33) {
        let single = idx.search_json(
            &["-n", "5", "--", query],
            if got.contains_key(&qid_of(i, qid)) {
                0
            } else {
                1
            },
        );
        let mut lines = got.get(&qid_of(i, qid)).cloned().unwrap_or_default();
        for l in &mut lines {
            let map = l.as_object_mut().unwrap();
            assert!(map.shift_remove("qid").is_some());
            assert_eq!(map.shift_remove("query").unwrap(), query.as_str());
        }
        assert_eq!(single, lines, "{query}");
    }
}

#[test]
fn trec_output_reads_back_as_the_article_ranking() {
    let idx = Indexed::samples();
    let qs = queries(60, 42);
    let file = batch_file(idx.dir.path(), &qs);
    let out = idx
        .cmd()
        .args(["search", "--format", "trec", "-n", "10", "--batch"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();

    // Parse the run as trec_eval would: qid Q0 docno rank score tag.
    let mut run: BTreeMap<String, Vec<(String, usize, f32)>> = BTreeMap::new();
    for line in text.lines() {
        let cols: Vec<&str> = line.split(' ').collect();
        assert_eq!(cols.len(), 6, "{line:?}");
        assert_eq!(cols[1], "Q0");
        assert_eq!(cols[5], "passim");
        run.entry(cols[0].to_string()).or_default().push((
            cols[2].to_string(),
            cols[3].parse().unwrap(),
            cols[4].parse().unwrap(),
        ));
    }
    assert!(!run.is_empty());

    let index = Index::open(idx.index()).unwrap();
    let searcher = Searcher::new(&index).unwrap();
    let opts = SearchOptions {
        limit: 10,
        ..Default::default()
    };
    for (i, (qid, query)) in qs.iter().enumerate() {
        let want = searcher.search_articles(query, &opts).unwrap().hits;
        let got = run.remove(&qid_of(i, qid)).unwrap_or_default();
        assert_eq!(got.len(), want.len(), "{query}");
        for (rank, ((id, r, score), hit)) in got.iter().zip(&want).enumerate() {
            assert_eq!(*r, rank + 1);
            assert_eq!(id, &hit.article.id);
            assert_eq!(*score, hit.score, "the score reads back exactly");
        }
        // One line per article, best first.
        assert!(got.windows(2).all(|w| w[0].2 >= w[1].2 && w[0].0 != w[1].0));
    }
    assert!(run.is_empty(), "unexpected qids: {:?}", run.keys());

    // Same order as --by article JSON.
    let json = idx
        .cmd()
        .args(["search", "--by", "article", "-n", "10", "--batch"])
        .arg(&file)
        .output()
        .unwrap();
    let got = by_qid(&json.stdout);
    let (qid, query) = &qs[0];
    let tag = QueryTag {
        qid: qid_of(0, qid),
        query: query.clone(),
    };
    let want: Vec<Value> = searcher
        .search_articles(query, &opts)
        .unwrap()
        .hits
        .iter()
        .map(|h| article_value(h, Some(&tag), &RenderOptions::default()))
        .collect();
    assert_eq!(got[&tag.qid], want);
    assert!(text.starts_with(&format!(
        "{} Q0 {} 1 ",
        tag.qid,
        want[0]["article"]["id"].as_str().unwrap()
    )));
}

#[test]
fn bad_lines_are_reported_by_number_and_the_batch_goes_on() {
    let idx = Indexed::samples();
    let file = idx.dir.path().join("mixed.txt");
    let mut bytes = b"A1\tAlinejad\nA2\t\n-Albania\n\n".to_vec();
    bytes.extend_from_slice(b"caf\xe9 latin-1\n");
    bytes.extend_from_slice(b"\"QUDS force\r\nA7\tzzyzx\n");
    std::fs::write(&file, bytes).unwrap();
    let out = idx
        .cmd()
        .args(["search", "-n", "2", "--batch"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    let name = file.display().to_string();
    assert!(
        err.contains(&format!("{name}:2: the query is empty")),
        "{err}"
    );
    assert!(
        err.contains(&format!("{name}:3: the query has no words")),
        "{err}"
    );
    assert!(
        err.contains(&format!("{name}:5: the line is not UTF-8")),
        "{err}"
    );
    // The unbalanced quote runs leniently, with a warning naming its line.
    assert!(
        err.contains(&format!("warning: {name}:6: query syntax error")),
        "{err}"
    );
    assert!(err.contains("3 of 7 lines"), "{err}");
    let got = by_qid(&out.stdout);
    assert_eq!(got.keys().collect::<Vec<_>>(), ["6", "A1"]);
    assert_eq!(got["A1"].len(), 2);
    assert_eq!(got["6"][0]["query"], "\"QUDS force");
}

#[test]
fn exit_status_is_1_when_no_query_finds_anything() {
    let idx = Indexed::samples();
    idx.cmd()
        .args(["search", "--batch", "-"])
        .write_stdin("zzyzx\nq2\tqqxzqqxz\n")
        .assert()
        .code(1)
        .stdout(predicate::str::is_empty());
    idx.cmd()
        .args(["search", "--batch", "-"])
        .write_stdin("zzyzx\nAlinejad\n")
        .assert()
        .code(0);
}

#[test]
fn a_missing_batch_file_is_named() {
    let idx = Indexed::samples();
    idx.cmd()
        .args(["search", "--batch", "no-such-queries.txt"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot read the batch file no-such-queries.txt",
        ));
    passim()
        .args(["search", "--batch", "x.txt", "iran"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot be used with"));
}

#[test]
fn text_batches_head_each_query() {
    let idx = Indexed::samples();
    let out = idx
        .cmd()
        .args(["search", "--format", "text", "-n", "1", "--batch", "-"])
        .write_stdin("q1\tAlinejad\nMEK\n")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("# q1\tAlinejad\n 1. Iran hires crime gangs"),
        "{text}"
    );
    assert!(
        text.contains("\n# 2\tMEK\n 1. The Iranian Operations Against MEK"),
        "{text}"
    );
}
