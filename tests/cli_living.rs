//! A living index: interrupted runs, concurrent writers, searches during
//! indexing, and readers that follow new commits.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Indexed, changes, data_dir, passim};

/// `n` generated JSON Lines articles; article `i` has the id `big-{i}` and
/// contains the word `marker{i}`.
fn big_lines(n: usize) -> Vec<String> {
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
    (0..n)
        .map(|i| {
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
            serde_json::json!({"id": format!("big-{i}"), "title": format!("Story {i}"), "body": body})
                .to_string()
        })
        .collect()
}

/// Writes lines as a file `big.jsonl` in `dir`.
fn write_lines(dir: &Path, lines: &[String]) -> PathBuf {
    let path = dir.join("big.jsonl");
    fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

/// Writes a JSON Lines file of `n` generated articles (see [`big_lines`]).
fn big_input(dir: &Path, n: usize) -> PathBuf {
    write_lines(dir, &big_lines(n))
}

/// Starts `passim index` on `input` and kills it (SIGKILL) after
/// `delay_ms`, whether or not it had finished.
fn kill_after(index: &Path, input: &Path, delay_ms: u64) {
    let mut child = spawn_index(index, input);
    std::thread::sleep(Duration::from_millis(delay_ms));
    child.kill().unwrap();
    child.wait().unwrap();
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
        kill_after(&idx.index(), &big, delay_ms);
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
    // A full run now completes and every article is there. A run commits
    // everything or nothing: either no killed run got to its commit, and
    // every article is added now, or one did, and they are all unchanged.
    let out = idx.cmd().arg("index").arg(&big).output().unwrap();
    assert!(out.status.success());
    let counts = changes(&out);
    assert!(
        counts == (30_000, 0, 0, 0) || counts == (0, 0, 0, 30_000),
        "{counts:?}"
    );
    let out = idx.cmd().arg("index").arg(&big).output().unwrap();
    assert_eq!(changes(&out), (0, 0, 0, 30_000));
    assert_eq!(search_code(&idx.index(), "marker29999"), 0);
    assert_eq!(search_code(&idx.index(), "marker0"), 0);
    assert_eq!(search_code(&idx.index(), "Alinejad"), 0);
    let one = idx.search_json(&["marker12345"], 0);
    assert_eq!(one.len(), 1, "each article indexed once");
}

#[test]
fn sigkill_during_an_update_keeps_the_old_version_and_the_next_run_counts_right() {
    let idx = Indexed::samples();
    let v1 = big_lines(30_000);
    let big = write_lines(idx.dir.path(), &v1);
    let out = idx.cmd().arg("index").arg(&big).output().unwrap();
    assert_eq!(changes(&out), (30_000, 0, 0, 0));

    // Version 2: articles 0..100 changed, 100..150 gone, 50 new ones.
    let mut v2: Vec<String> = v1
        .iter()
        .enumerate()
        .filter(|(i, _)| !(100..150).contains(i))
        .map(|(i, line)| {
            if i < 100 {
                line.replace(&format!("marker{i} "), &format!("changed{i} "))
            } else {
                line.clone()
            }
        })
        .collect();
    v2.extend(big_lines(30_050).into_iter().skip(30_000));
    write_lines(idx.dir.path(), &v2);

    // The update run takes about half a second in a debug build. After
    // each kill the index holds version 1 or version 2, whole: never some
    // articles of one and some of the other.
    let mut committed = false;
    for delay_ms in [30u64, 120, 250, 400] {
        kill_after(&idx.index(), &big, delay_ms);
        let v2_state = [
            search_code(&idx.index(), "changed5") == 0,
            search_code(&idx.index(), "marker5") == 1,
            search_code(&idx.index(), "marker120") == 1,
            search_code(&idx.index(), "marker30010") == 0,
        ];
        assert!(
            v2_state.iter().all(|&b| b == v2_state[0]),
            "kill at {delay_ms} ms left {v2_state:?}"
        );
        committed |= v2_state[0];
    }
    let out = idx.cmd().arg("index").arg(&big).output().unwrap();
    assert!(out.status.success());
    let expected = if committed {
        (0, 0, 0, 30_000)
    } else {
        (50, 100, 50, 29_850)
    };
    assert_eq!(changes(&out), expected);
    assert_eq!(search_code(&idx.index(), "marker5"), 1);
    assert_eq!(idx.search_json(&["changed5"], 0).len(), 1);
    assert_eq!(search_code(&idx.index(), "marker120"), 1);
    assert_eq!(idx.search_json(&["marker30010"], 0).len(), 1);
    assert_eq!(idx.search_json(&["marker29999"], 0).len(), 1);
    assert_eq!(search_code(&idx.index(), "Alinejad"), 0);
}

/// True when process `pid` holds tantivy's writer lock on `index` (an
/// `flock` listed in /proc/locks on the lock file's inode).
fn holds_writer_lock(index: &Path, pid: u32) -> bool {
    use std::os::unix::fs::MetadataExt;
    let Ok(meta) = fs::metadata(index.join(".tantivy-writer.lock")) else {
        return false;
    };
    let locks = fs::read_to_string("/proc/locks").unwrap_or_default();
    locks.lines().any(|line| {
        let f: Vec<&str> = line.split_whitespace().collect();
        // "1: FLOCK  ADVISORY  WRITE 1234 fd:01:5678 0 EOF"
        f.len() > 5
            && f[1] == "FLOCK"
            && f[4] == pid.to_string()
            && f[5].rsplit(':').next() == Some(&meta.ino().to_string())
    })
}

#[test]
fn a_second_writer_fails_at_once_naming_the_lock() {
    let idx = Indexed::samples();
    let big = big_input(idx.dir.path(), 30_000);
    let mut first = spawn_index(&idx.index(), &big);
    // Try a second run only once the first holds the writer lock: a second
    // run started earlier could take the lock first and refuse the first.
    let mut refused = false;
    while first.try_wait().unwrap().is_none() && !refused {
        if !holds_writer_lock(&idx.index(), first.id()) {
            std::thread::sleep(Duration::from_millis(5));
            continue;
        }
        let t = Instant::now();
        let out = idx.cmd().arg("index").arg(data_dir()).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        if first.try_wait().unwrap().is_some() && out.status.code() == Some(0) {
            break; // the first run ended meanwhile
        }
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains("another passim process is writing"), "{err}");
        assert!(err.contains(".tantivy-writer.lock"), "{err}");
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "the second writer must not wait"
        );
        // Searches keep working during the run, on the last commit.
        assert_eq!(search_code(&idx.index(), "Alinejad"), 0);
        refused = true;
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
