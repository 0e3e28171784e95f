//! A living index: interrupted runs, concurrent writers, searches during
//! indexing, and readers that follow new commits.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Indexed, data_dir, passim};

/// Writes a JSON Lines file of `n` generated articles; article `i` contains
/// the word `marker{i}`.
fn big_input(dir: &Path, n: usize) -> PathBuf {
    const WORDS: &[&str] = &[
        "market",
        "minister",
        "police",
        "election",
        "shares",
        "profit",
        "court",
        "report",
        "government",
        "said",
        "on",
        "the",
        "of",
        "a",
        "rose",
        "fell",
        "city",
        "talks",
        "deal",
        "officials",
        "week",
        "year",
        "company",
        "bank",
        "trade",
        "security",
        "attack",
        "vote",
    ];
    let mut seed: u64 = 42;
    let mut next = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize
    };
    let path = dir.join("big.jsonl");
    let mut out = String::with_capacity(n * 700);
    for i in 0..n {
        let mut body = String::new();
        for s in 0..8 {
            for _ in 0..12 {
                body.push_str(WORDS[next() % WORDS.len()]);
                body.push(' ');
            }
            if s == 3 {
                body.push_str(&format!("marker{i} "));
            }
            body.push_str("end. ");
        }
        out.push_str(&serde_json::json!({"id": format!("big-{i}"), "title": format!("Story {i}"), "body": body}).to_string());
        out.push('\n');
    }
    fs::write(&path, out).unwrap();
    path
}

fn spawn_index(index: &Path, input: &Path) -> Child {
    Command::new(assert_cmd::cargo::cargo_bin("passim"))
        .arg("--index")
        .arg(index)
        .args(["index", "--quiet"])
        .arg(input)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn search_code(index: &Path, query: &str) -> i32 {
    passim()
        .arg("--index")
        .arg(index)
        .args(["search", "--json", query])
        .output()
        .unwrap()
        .status
        .code()
        .unwrap()
}

#[test]
fn sigkill_mid_run_leaves_the_last_commit_and_the_next_run_completes() {
    let idx = Indexed::samples();
    let big = big_input(idx.dir.path(), 30_000);
    for delay_ms in [50u64, 300, 900] {
        let mut child = spawn_index(&idx.index(), &big);
        std::thread::sleep(Duration::from_millis(delay_ms));
        child.kill().unwrap(); // SIGKILL, whether or not it had finished
        child.wait().unwrap();
        // The index opens, searches and answers from its last commit: no
        // article is half there or doubled.
        assert_eq!(
            search_code(&idx.index(), "Alinejad"),
            0,
            "after kill at {delay_ms} ms"
        );
        let code = search_code(&idx.index(), "marker123");
        assert!(
            code == 0 || code == 1,
            "after kill at {delay_ms} ms: exit {code}"
        );
        if code == 0 {
            assert_eq!(idx.search_json(&["marker123"], 0).len(), 1);
        }
    }
    // A full run now completes and every article is there.
    idx.cmd().arg("index").arg(&big).assert().code(0);
    assert_eq!(search_code(&idx.index(), "marker29999"), 0);
    assert_eq!(search_code(&idx.index(), "marker0"), 0);
    assert_eq!(search_code(&idx.index(), "Alinejad"), 0);
    let one = idx.search_json(&["marker12345"], 0);
    assert_eq!(one.len(), 1, "each article indexed once");
}

#[test]
fn a_second_writer_fails_at_once_naming_the_lock() {
    let idx = Indexed::samples();
    let big = big_input(idx.dir.path(), 30_000);
    let mut first = spawn_index(&idx.index(), &big);
    // Until the first run has taken the writer lock a second run may still
    // get it; keep trying while the first runs, and check the refusal.
    let mut refused = false;
    while first.try_wait().unwrap().is_none() && !refused {
        let t = Instant::now();
        let out = idx.cmd().arg("index").arg(data_dir()).output().unwrap();
        if out.status.code() == Some(2) {
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains("another passim process is writing"), "{err}");
            assert!(err.contains(".tantivy-writer.lock"), "{err}");
            assert!(
                t.elapsed() < Duration::from_secs(10),
                "the second writer must not wait"
            );
            // Searches keep working during the run, on the last commit.
            assert_eq!(search_code(&idx.index(), "Alinejad"), 0);
            refused = true;
        } else {
            assert!(out.status.success());
        }
    }
    assert!(
        refused,
        "the first run ended before a second writer could be tried"
    );
    let out = first.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(search_code(&idx.index(), "marker777"), 0);
}

#[test]
fn a_long_running_searcher_sees_new_commits() {
    let idx = Indexed::samples();
    let index = passim::Index::open(idx.index()).unwrap();
    let searcher = passim::Searcher::new(&index).unwrap();
    let opts = passim::SearchOptions::default();
    assert!(searcher.search("zeppelin", &opts).unwrap().hits.is_empty());
    let extra = idx.dir.path().join("extra.txt");
    fs::write(
        &extra,
        "Zeppelin news\n\nA zeppelin landed in the park today.\n",
    )
    .unwrap();
    idx.cmd().arg("index").arg(&extra).assert().code(0);
    let started = Instant::now();
    loop {
        if !searcher.search("zeppelin", &opts).unwrap().hits.is_empty() {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "new commit never seen"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
