//! Incremental indexing: files added, changed, deleted and renamed between
//! runs; unchanged re-runs that write nothing; `passim delete`; segment
//! merging; indexes that are missing, foreign, old or damaged; full disks
//! and read-only folders.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::SystemTime;

use common::{Scratch, changes, data_dir, passim, problems, stderr, stdout};
use serde_json::Value;

impl Scratch {
    /// `passim index in/ ARGS...`, which must succeed.
    fn index(&self, args: &[&str]) -> Output {
        let out = self
            .cmd()
            .arg("index")
            .arg(self.input())
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        out
    }

    /// Hits of `search --json QUERY` (none when it exits 1).
    fn search(&self, query: &str) -> Vec<Value> {
        let out = self
            .cmd()
            .args(["search", "--json", "-n", "100", query])
            .output()
            .unwrap();
        let code = out.status.code().unwrap();
        assert!(code == 0 || code == 1, "{}", stderr(&out));
        stdout(&out)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// Ids of the articles found for `query`.
    fn ids(&self, query: &str) -> Vec<String> {
        let mut ids: Vec<String> = self
            .search(query)
            .iter()
            .map(|h| h["article"]["id"].as_str().unwrap().to_string())
            .collect();
        ids.dedup();
        ids
    }
}

fn story(title: &str, body: &str) -> String {
    format!("{title}\n\n{body}\n")
}

/// Every file in the index folder with its size, time and content.
fn snapshot(dir: &Path) -> BTreeMap<String, (u64, SystemTime, Vec<u8>)> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let meta = e.metadata().unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                (
                    meta.len(),
                    meta.modified().unwrap(),
                    fs::read(e.path()).unwrap(),
                ),
            )
        })
        .collect()
}

fn segments(index: &Path) -> usize {
    let meta: Value = serde_json::from_slice(&fs::read(index.join("meta.json")).unwrap()).unwrap();
    meta["segments"].as_array().unwrap().len()
}

#[test]
fn added_changed_deleted_and_renamed_files_are_counted_and_searchable() {
    let s = Scratch::new();
    s.write(
        "a.txt",
        story("Seabirds", "An albatross circled the harbour."),
    );
    s.write(
        "b.txt",
        story("Pink birds", "A pelican stood in the lagoon."),
    );
    s.write(
        "sub/c.md",
        "# Herons\n\nA grey heron waited by the river.\n",
    );
    let out = s.index(&[]);
    assert_eq!(changes(&out), (3, 0, 0, 0));
    assert!(
        stdout(&out).starts_with("indexed 3 articles"),
        "{}",
        stdout(&out)
    );

    s.write("d.txt", story("Walruses", "A walrus slept on the ice."));
    s.write(
        "b.txt",
        story("Pink birds", "A flamingo stood in the lagoon."),
    );
    s.remove("sub/c.md");
    fs::rename(s.input().join("a.txt"), s.input().join("e.txt")).unwrap();
    let out = s.index(&[]);
    // d and e are new, b changed, c and a are gone.
    assert_eq!(changes(&out), (2, 1, 2, 0), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("removed 1 article of the deleted file "),
        "{text}"
    );
    for gone in ["a.txt", "c.md"] {
        assert!(
            text.lines()
                .any(|l| l.starts_with("removed 1 article of the deleted file")
                    && l.contains(gone)),
            "{text}"
        );
    }
    assert_eq!(s.ids("walrus"), ["d.txt"]);
    assert_eq!(s.ids("flamingo"), ["b.txt"]);
    assert!(s.ids("pelican").is_empty());
    assert!(s.ids("heron").is_empty());
    assert_eq!(s.ids("albatross"), ["e.txt"]);

    // Nothing changed: nothing written, everything counted unchanged.
    let out = s.index(&[]);
    assert_eq!(changes(&out), (0, 0, 0, 3));
    assert!(
        stdout(&out).starts_with("indexed 0 articles (0 passages) from 3 files, 0.0 MB"),
        "{}",
        stdout(&out)
    );

    // --rebuild starts from scratch.
    let out = s.index(&["--rebuild"]);
    assert_eq!(changes(&out), (3, 0, 0, 0));
    assert_eq!(s.ids("albatross"), ["e.txt"]);
}

#[test]
fn a_changed_dump_updates_adds_and_removes_its_records() {
    let s = Scratch::new();
    let record = |id: &str, body: &str| {
        serde_json::json!({"id": id, "title": format!("Story {id}"), "body": body}).to_string()
    };
    let v1 = [
        record("j1", "The mayor opened the bridge."),
        record("j2", "Farmers sold turnips at the market."),
        record("j3", "A comet passed close to the earth."),
        record("j4", "The library extended its opening hours."),
    ];
    s.write("dump.jsonl", &(v1.join("\n") + "\n"));
    assert_eq!(changes(&s.index(&[])), (4, 0, 0, 0));

    // j2 changed, j3 gone, j5 new, j1 and j4 as they were (j4 moved up).
    let v2 = [
        record("j4", "The library extended its opening hours."),
        record("j1", "The mayor opened the bridge."),
        record("j2", "Farmers sold parsnips at the market."),
        record("j5", "A glacier retreated up the valley."),
    ];
    s.write("dump.jsonl", &(v2.join("\n") + "\n"));
    let out = s.index(&[]);
    assert_eq!(changes(&out), (1, 1, 1, 2), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("removed 1 article no longer in ")
            && stdout(&out).contains("dump.jsonl (j3)"),
        "{}",
        stdout(&out)
    );
    assert!(s.ids("turnips").is_empty());
    assert_eq!(s.ids("parsnips"), ["j2"]);
    assert!(s.ids("comet").is_empty());
    assert_eq!(s.ids("glacier"), ["j5"]);
    assert_eq!(s.ids("library"), ["j4"]);

    // Renamed, the dump keeps its ids: its records are rewritten with their
    // new path, and nothing is removed.
    fs::rename(s.input().join("dump.jsonl"), s.input().join("news.jsonl")).unwrap();
    let out = s.index(&[]);
    assert_eq!(changes(&out), (0, 4, 0, 0), "{}", stdout(&out));
    let hit = &s.search("glacier")[0];
    assert!(
        hit["article"]["path"]
            .as_str()
            .unwrap()
            .ends_with("news.jsonl"),
        "{hit}"
    );
    assert_eq!(s.ids("mayor"), ["j1"]);
}

#[test]
fn an_unchanged_rerun_writes_nothing_even_when_files_are_touched() {
    let s = Scratch::new();
    for i in 0..40 {
        s.write(
            &format!("day{i:02}/report.txt"),
            story(
                &format!("Report {i}"),
                &format!("Weather report number w{i}x."),
            ),
        );
    }
    s.write(
        "wire.jsonl",
        "{\"id\":\"w1\",\"title\":\"Wire\",\"body\":\"A wire story.\"}\n{broken\n",
    );
    let first = s.index(&[]);
    assert_eq!(changes(&first), (41, 0, 0, 0));
    let before = snapshot(&s.index_dir());
    let meta_before = fs::read(s.index_dir().join("meta.json")).unwrap();

    let out = s.index(&[]);
    assert_eq!(changes(&out), (0, 0, 0, 41));
    // The malformed line is reported again, although the file was not read.
    assert_eq!(problems(&out), (0, 1, 0));
    assert!(stderr(&out).contains("wire.jsonl:2: malformed JSON"));
    assert_eq!(
        fs::read(s.index_dir().join("meta.json")).unwrap(),
        meta_before
    );
    assert!(
        snapshot(&s.index_dir()) == before,
        "the index folder changed"
    );

    // Files rewritten with the same bytes (a new time) are hashed, found
    // unchanged, and still nothing is written.
    for i in 0..40 {
        s.write(
            &format!("day{i:02}/report.txt"),
            story(
                &format!("Report {i}"),
                &format!("Weather report number w{i}x."),
            ),
        );
    }
    let out = s.index(&[]);
    assert_eq!(changes(&out), (0, 0, 0, 41));
    assert!(
        snapshot(&s.index_dir()) == before,
        "the index folder changed"
    );

    // One real change among them is found.
    s.write("day07/report.txt", story("Report 7", "Storm warning w7x."));
    let out = s.index(&[]);
    assert_eq!(changes(&out), (0, 1, 0, 40));
    assert_eq!(s.ids("storm"), ["day07/report.txt"]);
    assert_eq!(s.ids("w8x"), ["day08/report.txt"]);
}

#[test]
fn a_dump_damaged_midway_keeps_the_articles_it_did_not_get_to() {
    use flate2::{Compression, write::GzEncoder};
    use std::io::Write;
    let s = Scratch::new();
    let gz = |text: &[u8]| {
        let mut enc = GzEncoder::new(Vec::new(), Compression::default());
        enc.write_all(text).unwrap();
        enc.finish().unwrap()
    };
    let records = "{\"id\":\"g0\",\"title\":\"Zero\",\"body\":\"Llamas grazed.\"}\n\
                   {\"id\":\"g1\",\"title\":\"One\",\"body\":\"Alpacas grazed.\"}\n\
                   {\"id\":\"g2\",\"title\":\"Two\",\"body\":\"Vicunas grazed.\"}\n";
    fs::write(s.input().join("dump.jsonl.gz"), gz(records.as_bytes())).unwrap();
    assert_eq!(changes(&s.index(&[])), (3, 0, 0, 0));

    // A changed first record, then a stream cut off in the middle.
    let mut text = b"{\"id\":\"g0\",\"title\":\"Zero\",\"body\":\"Llamas slept.\"}\n".to_vec();
    let mut seed = 7u64;
    for _ in 0..20_000 {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
        text.push(b'a' + (seed >> 59) as u8);
    }
    let whole = gz(&text);
    fs::write(
        s.input().join("dump.jsonl.gz"),
        &whole[..whole.len() * 6 / 10],
    )
    .unwrap();
    let out = s.index(&[]);
    assert_eq!(changes(&out), (0, 1, 0, 0), "{}", stdout(&out));
    assert_eq!(problems(&out), (0, 1, 0));
    assert!(
        stderr(&out).contains("dump.jsonl.gz:2: read error"),
        "{}",
        stderr(&out)
    );
    assert_eq!(s.ids("slept"), ["g0"]);
    assert_eq!(s.ids("alpacas"), ["g1"]);
    assert_eq!(s.ids("vicunas"), ["g2"]);

    // Mended, the dump is read whole again, and what it lacks is removed.
    fs::write(
        s.input().join("dump.jsonl.gz"),
        gz(b"{\"id\":\"g0\",\"title\":\"Zero\",\"body\":\"Llamas slept.\"}\n"),
    )
    .unwrap();
    let out = s.index(&[]);
    assert_eq!(changes(&out), (0, 0, 2, 1), "{}", stdout(&out));
    assert!(s.ids("alpacas").is_empty());
}

#[test]
fn standard_input_read_again_writes_only_what_changed() {
    let s = Scratch::new();
    let run = |input: &str| {
        let out = s
            .cmd()
            .args(["index", "-"])
            .write_stdin(input.to_string())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        out
    };
    let a = "{\"id\":\"s1\",\"title\":\"Kiwis\",\"body\":\"Kiwis foraged at dusk.\"}\n";
    let b = "{\"id\":\"s2\",\"title\":\"Wekas\",\"body\":\"Wekas stole a sandwich.\"}\n";
    assert_eq!(changes(&run(a)), (1, 0, 0, 0));
    let before = snapshot(&s.index_dir());
    assert_eq!(changes(&run(a)), (0, 0, 0, 1));
    assert!(
        snapshot(&s.index_dir()) == before,
        "the index folder changed"
    );
    // Standard input never removes: s1 stays although it is not given.
    assert_eq!(changes(&run(b)), (1, 0, 0, 0));
    assert_eq!(s.ids("kiwis"), ["s1"]);
    assert_eq!(s.ids("wekas"), ["s2"]);
}

#[test]
fn files_excluded_but_still_present_keep_their_articles() {
    let s = Scratch::new();
    s.write("keep.txt", story("Kept", "An otter swam upstream."));
    s.write("page.md", "# Page\n\nA badger dug a sett.\n");
    assert_eq!(changes(&s.index(&[])), (2, 0, 0, 0));
    // Narrowed with --glob, the Markdown file is not read, but it is not
    // gone either: its article stays.
    let out = s.index(&["--glob", "*.txt"]);
    assert_eq!(changes(&out), (0, 0, 0, 1));
    assert_eq!(s.ids("badger"), ["page.md"]);
}

#[test]
fn duplicate_ids_across_files_keep_the_first_in_input_order_across_runs() {
    let s = Scratch::new();
    s.write(
        "a.jsonl",
        "{\"id\":\"x\",\"title\":\"First\",\"body\":\"The first version mentions a kestrel.\"}\n",
    );
    s.write(
        "b.jsonl",
        "{\"id\":\"x\",\"title\":\"Second\",\"body\":\"The second version mentions a buzzard.\"}\n{\"id\":\"y\",\"title\":\"Other\",\"body\":\"A robin.\"}\n",
    );
    let out = s.index(&[]);
    assert_eq!(changes(&out), (2, 0, 0, 0));
    assert_eq!(problems(&out).0, 1);
    assert_eq!(s.ids("kestrel"), ["x"]);
    assert!(s.ids("buzzard").is_empty());

    // Unchanged: the same article wins, the same duplicate is reported.
    let out = s.index(&[]);
    assert_eq!(changes(&out), (0, 0, 0, 2));
    assert_eq!(problems(&out).0, 1);
    assert!(stderr(&out).contains("duplicate article id \"x\""));
    assert_eq!(s.ids("kestrel"), ["x"]);

    // The winner's file is gone: the other file's article takes its place
    // instead of the id disappearing.
    s.remove("a.jsonl");
    let out = s.index(&[]);
    assert_eq!(changes(&out), (0, 1, 0, 1), "{}", stdout(&out));
    assert_eq!(problems(&out).0, 0);
    assert_eq!(s.ids("buzzard"), ["x"]);
    assert!(s.ids("kestrel").is_empty());
}

#[test]
fn delete_removes_articles_and_reports_missing_ids() {
    let s = Scratch::new();
    s.write("owl.txt", story("Owls", "A tawny owl hooted at night."));
    s.write("fox.txt", story("Foxes", "A red fox crossed the lane."));
    s.write("elk.txt", story("Elks", "An elk waded into the lake."));
    s.index(&[]);

    let out = s.cmd().args(["delete", "owl.txt"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "deleted 1 article: owl.txt\n");
    assert!(s.ids("owl").is_empty());
    assert!(s.ids("hooted").is_empty());

    // None found: exit 1, each missing id named.
    let out = s
        .cmd()
        .args(["delete", "owl.txt", "nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "");
    assert!(stderr(&out).contains("no article with id \"owl.txt\""));
    assert!(stderr(&out).contains("no article with id \"nope\""));

    // Some found: exit 0; JSON names both lists.
    let out = s
        .cmd()
        .args(["delete", "--json", "fox.txt", "nope", "fox.txt"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report,
        serde_json::json!({"deleted": ["fox.txt"], "missing": ["nope"]})
    );
    assert!(s.ids("fox").is_empty());
    assert_eq!(s.ids("elk"), ["elk.txt"]);

    let out = s.cmd().args(["delete", "--json", "nope"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report,
        serde_json::json!({"deleted": [], "missing": ["nope"]})
    );

    // Unchanged files do not bring deleted articles back ...
    let out = s.index(&[]);
    assert_eq!(changes(&out), (0, 0, 0, 1));
    assert!(s.ids("owl").is_empty());
    // ... a changed one does.
    s.write("owl.txt", story("Owls", "A barn owl hooted at night."));
    let out = s.index(&[]);
    assert_eq!(changes(&out), (1, 0, 0, 1));
    assert_eq!(s.ids("barn"), ["owl.txt"]);

    // No index: an error.
    let out = passim()
        .arg("--index")
        .arg(s.dir.path().join("none"))
        .args(["delete", "owl.txt"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no passim index at"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn many_small_runs_do_not_leave_many_small_segments() {
    let s = Scratch::new();
    for i in 0..30 {
        s.write(
            &format!("n{i:02}.txt"),
            story(&format!("Note {i}"), &format!("Short note q{i}z.")),
        );
        let out = s.index(&[]);
        assert_eq!(changes(&out), (1, 0, 0, i), "run {i}");
    }
    // Each run commits one small segment; tantivy's log merge policy merges
    // them eight at a time, and each run waits for its merges.
    let n = segments(&s.index_dir());
    assert!(n <= 8, "{n} segments after 30 runs");
    for i in [0, 13, 29] {
        assert_eq!(s.ids(&format!("q{i}z")), [format!("n{i:02}.txt")]);
    }
    // No file of an old segment is left behind.
    let files = fs::read_dir(s.index_dir()).unwrap().count();
    assert!(files <= 8 * 7 + 8, "{files} files in the index folder");
}

/// Runs `passim --index INDEX ARGS...` and returns (exit code, stderr).
fn run_on(index: &Path, args: &[&str]) -> (i32, String) {
    let out = passim()
        .arg("--index")
        .arg(index)
        .args(args)
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{err}");
    (out.status.code().unwrap(), err)
}

#[test]
fn folders_that_are_not_usable_indexes_get_clear_errors_from_every_command() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let queries = t.join("q.tsv");
    fs::write(&queries, "1\tgangs\n").unwrap();
    let qrels = t.join("qrels.txt");
    fs::write(&qrels, "1 0 000_2e89293e2f7208e5.txt 1\n").unwrap();
    let data = data_dir();
    let data = data.to_str().unwrap();
    let (q, r) = (queries.to_str().unwrap(), qrels.to_str().unwrap());
    let reading: [&[&str]; 6] = [
        &["search", "gangs"],
        &["eval", "--queries", q, "--qrels", r],
        &["delete", "000_2e89293e2f7208e5.txt"],
        &["stats"],
        &["stats", "--json"],
        &["show", "000_2e89293e2f7208e5.txt"],
    ];

    // A file.
    let file = t.join("file");
    fs::write(&file, "not an index").unwrap();
    for args in reading.iter().copied().chain([&["index", data][..]]) {
        let (code, err) = run_on(&file, args);
        assert_eq!(code, 2, "{args:?}");
        assert!(
            err.contains("is not a passim index (it is a file)"),
            "{args:?}: {err}"
        );
    }

    // An empty folder: nothing to read, but an index can be built there.
    let empty = t.join("empty");
    fs::create_dir(&empty).unwrap();
    for args in reading {
        let (code, err) = run_on(&empty, args);
        assert_eq!(code, 2, "{args:?}");
        assert!(err.contains("no passim index at"), "{args:?}: {err}");
        assert!(err.contains("passim index --index"), "{args:?}: {err}");
    }
    assert_eq!(run_on(&empty, &["index", data]).0, 0);

    // A folder of other things: refused, and left alone.
    let other = t.join("other");
    fs::create_dir(&other).unwrap();
    fs::write(other.join("notes.txt"), "mine").unwrap();
    for args in reading
        .iter()
        .copied()
        .chain([&["index", data][..], &["index", "--rebuild", data][..]])
    {
        let (code, err) = run_on(&other, args);
        assert_eq!(code, 2, "{args:?}");
        assert!(
            err.contains(
                "is not a passim index (the folder holds other files, such as \"notes.txt\")"
            ),
            "{args:?}: {err}"
        );
    }
    assert_eq!(fs::read_dir(&other).unwrap().count(), 1);

    // An older format: every command says how to rebuild; --rebuild does.
    let old = t.join("old");
    assert_eq!(run_on(&old, &["index", data]).0, 0);
    let meta = old.join("passim.json");
    let mut m: Value = serde_json::from_slice(&fs::read(&meta).unwrap()).unwrap();
    m["format_version"] = Value::from(1);
    fs::write(&meta, m.to_string()).unwrap();
    for args in reading.iter().copied().chain([&["index", data][..]]) {
        let (code, err) = run_on(&old, args);
        assert_eq!(code, 2, "{args:?}");
        assert!(err.contains("has format version 1"), "{args:?}: {err}");
        assert!(
            err.contains("passim index --rebuild --index"),
            "{args:?}: {err}"
        );
    }
    assert_eq!(run_on(&old, &["index", "--rebuild", data]).0, 0);
    assert_eq!(run_on(&old, &["search", "gangs"]).0, 0);

    // Damaged: a segment file or tantivy's meta.json lost.
    for lose in ["store", "meta.json"] {
        let damaged = t.join(format!("damaged-{lose}"));
        assert_eq!(run_on(&damaged, &["index", data]).0, 0);
        for e in fs::read_dir(&damaged).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == lose) || p.ends_with(lose) {
                fs::remove_file(p).unwrap();
            }
        }
        for args in reading.iter().copied().chain([&["index", data][..]]) {
            let (code, err) = run_on(&damaged, args);
            assert_eq!(code, 2, "{args:?}");
            assert!(err.contains("is damaged"), "{args:?}: {err}");
            assert!(
                err.contains("passim index --rebuild --index"),
                "{args:?}: {err}"
            );
        }
        assert_eq!(run_on(&damaged, &["index", "--rebuild", data]).0, 0);
        assert_eq!(run_on(&damaged, &["search", "gangs"]).0, 0);
    }

    // passim.json that is not passim's.
    let garbage = t.join("garbage");
    fs::create_dir(&garbage).unwrap();
    fs::write(garbage.join("passim.json"), "{oops").unwrap();
    for args in reading.iter().copied().chain([&["index", data][..]]) {
        let (code, err) = run_on(&garbage, args);
        assert_eq!(code, 2, "{args:?}");
        assert!(err.contains("passim.json is unreadable"), "{args:?}: {err}");
    }
}

/// A tmpfs or bind mount, unmounted when dropped.
struct Mount(PathBuf);

impl Mount {
    /// `mount ARGS... DIR`, or None (with a message) where this
    /// environment does not allow it (not root, no mount privilege).
    fn new(args: &[&str], dir: &Path) -> Option<Mount> {
        let ok = std::process::Command::new("mount")
            .args(args)
            .arg(dir)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            Some(Mount(dir.to_path_buf()))
        } else {
            eprintln!("skipped: cannot mount {args:?} here");
            None
        }
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

/// A JSON Lines file of `n` generated articles, each with a unique word.
fn generated_dump(path: &Path, n: usize) {
    let mut out = String::new();
    for i in 0..n {
        let body = format!(
            "Article u{i}v reports on river levels, road works and the council budget. {}",
            "The committee met again and discussed the same items at length. ".repeat(8)
        );
        out.push_str(
            &serde_json::json!({"id": format!("g{i}"), "title": format!("Item {i}"), "body": body})
                .to_string(),
        );
        out.push('\n');
    }
    fs::write(path, out).unwrap();
}

#[test]
fn a_full_disk_fails_the_run_and_keeps_the_last_commit() {
    let tmp = tempfile::tempdir().unwrap();
    let disk = tmp.path().join("disk");
    fs::create_dir(&disk).unwrap();
    let Some(_mount) = Mount::new(&["-t", "tmpfs", "-o", "size=1m", "tmpfs"], &disk) else {
        return;
    };
    let index = disk.join("idx");
    let data = data_dir();
    assert_eq!(run_on(&index, &["index", data.to_str().unwrap()]).0, 0);
    let big = tmp.path().join("big.jsonl");
    generated_dump(&big, 12_000);
    let (code, err) = run_on(&index, &["index", big.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("No space left on device"), "{err}");
    // The last commit answers, without any of the new articles.
    assert_eq!(run_on(&index, &["search", "Alinejad"]).0, 0);
    assert_eq!(run_on(&index, &["search", "u17v"]).0, 1);
    // The space the failed run took is given back, and later runs work.
    let out = passim()
        .arg("--index")
        .arg(&index)
        .arg("index")
        .arg(&data)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(changes(&out), (0, 0, 0, 2));
    let small = tmp.path().join("small.jsonl");
    generated_dump(&small, 20);
    assert_eq!(run_on(&index, &["index", small.to_str().unwrap()]).0, 0);
    assert_eq!(run_on(&index, &["search", "u17v"]).0, 0);
}

#[test]
fn a_read_only_index_folder_fails_the_run_with_a_message() {
    let tmp = tempfile::tempdir().unwrap();
    let rw = tmp.path().join("rw");
    let ro = tmp.path().join("ro");
    fs::create_dir_all(&rw).unwrap();
    fs::create_dir_all(&ro).unwrap();
    let data = data_dir();
    assert_eq!(
        run_on(&rw.join("idx"), &["index", data.to_str().unwrap()]).0,
        0
    );
    let Some(_bind) = Mount::new(&["--bind", rw.to_str().unwrap()], &ro) else {
        return;
    };
    let Some(_remount) = Mount::new(&["-o", "remount,ro,bind"], &ro) else {
        return;
    };
    let extra = tmp.path().join("extra.txt");
    fs::write(&extra, story("Moles", "A mole surfaced in the lawn.")).unwrap();
    for args in [
        &["index", extra.to_str().unwrap()][..],
        &["delete", "000_2e89293e2f7208e5.txt"][..],
    ] {
        let (code, err) = run_on(&ro.join("idx"), args);
        assert_eq!(code, 2, "{args:?}");
        assert!(err.contains("cannot write to"), "{args:?}: {err}");
        assert!(err.contains("Read-only file system"), "{args:?}: {err}");
    }
    // Reading through the read-only mount works.
    for args in [
        &["search", "Alinejad"][..],
        &["stats"][..],
        &["show", "000_2e89293e2f7208e5.txt"][..],
    ] {
        let (code, err) = run_on(&ro.join("idx"), args);
        assert_eq!(code, 0, "{args:?}: {err}");
    }
    // The index is as it was (read through the writable path).
    assert_eq!(run_on(&rw.join("idx"), &["search", "Alinejad"]).0, 0);
    assert_eq!(run_on(&rw.join("idx"), &["search", "mole"]).0, 1);
}
