//! Looking inside an index: `passim stats` and `passim show`, checked
//! against what `search --json` and the files on disk say; and reading an
//! index from a folder the user may not write to.

mod common;

use std::fs;
use std::path::Path;
use std::process::Output;

use common::{Indexed, data_dir, passim, sliced, stderr, stdout};
use serde_json::Value;

const GANGS: &str = "000_2e89293e2f7208e5.txt";
const MEK: &str = "004_d5dc64d26e229a99.txt";

/// Runs `passim --index INDEX ARGS...`, asserting exit status `code`.
fn run(index: &Path, args: &[&str], code: i32) -> Output {
    let out = passim()
        .arg("--index")
        .arg(index)
        .env("COLUMNS", "80")
        .args(args)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(code), "{args:?}: {}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    out
}

fn stats_json(index: &Path) -> Value {
    let out = run(index, &["stats", "--json"], 0);
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1, "{text}");
    serde_json::from_str(&text).expect("JSON")
}

/// `show --json ARGS...`: one object per line.
fn show_json(index: &Path, args: &[&str], code: i32) -> Vec<Value> {
    let out = run(index, &[&["show", "--json"], args].concat(), code);
    stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect()
}

fn passages(article: &Value) -> &Vec<Value> {
    article["passages"].as_array().expect("passages")
}

#[test]
fn stats_count_what_show_and_the_folder_hold() {
    let idx = Indexed::samples();
    let stats = stats_json(&idx.index());
    assert_eq!(stats["articles"], 2);
    let shown = show_json(&idx.index(), &[GANGS, MEK], 0);
    assert_eq!(shown.len(), 2);
    let total: usize = shown.iter().map(|a| passages(a).len()).sum();
    assert!(total > 20, "{total}");
    assert_eq!(stats["passages"], total);
    assert!(stats["segments"].as_u64().unwrap() >= 1);
    let on_disk: u64 = fs::read_dir(idx.index())
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum();
    assert_eq!(stats["size_bytes"], on_disk);
    assert_eq!(stats["format_version"], passim::index::FORMAT_VERSION);
    assert_eq!(
        stats["passage"]["target_words"],
        passim::passage::DEFAULT_PASSAGE_WORDS
    );
    // Times as passim.json stores them.
    let meta: Value =
        serde_json::from_slice(&fs::read(idx.index().join("passim.json")).unwrap()).unwrap();
    assert_eq!(stats["created"], meta["created"]);
    assert_eq!(stats["last_update"], meta["updated"]);
    assert_eq!(stats["passim_version"], meta["passim_version"]);
    assert!(stats["distinct_terms"].as_u64().unwrap() > 500);

    // The text output: the same names and values, one line each.
    let out = run(&idx.index(), &["stats"], 0);
    let text = stdout(&out);
    let mut names = Vec::new();
    for line in text.lines() {
        let (name, value) = line.split_once(": ").expect("name: value");
        names.push(name.to_string());
        let json = match name.split_once('.') {
            Some((outer, inner)) => &stats[outer][inner],
            None => &stats[name],
        };
        let expected = match json {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if name == "created" || name == "last_update" {
            let (secs, readable) = value.split_once(' ').expect("seconds and a time");
            assert_eq!(secs, expected);
            assert!(
                readable.starts_with("(20") && readable.ends_with("Z)"),
                "{readable}"
            );
        } else {
            assert_eq!(value, expected, "{name}");
        }
    }
    assert_eq!(
        names,
        [
            "articles",
            "passages",
            "distinct_terms",
            "segments",
            "size_bytes",
            "format_version",
            "passim_version",
            "passage.target_words",
            "created",
            "last_update"
        ]
    );
}

#[test]
fn stats_follow_passage_settings_and_deletions() {
    let tmp = tempfile::tempdir().unwrap();
    let index = tmp.path().join("idx");
    let data = data_dir();
    let data = data.to_str().unwrap();
    run(&index, &["index", "--passage-words", "30", data], 0);
    let before = stats_json(&index);
    assert_eq!(before["passage"]["target_words"], 30);
    assert_eq!(before["articles"], 2);

    let kept = show_json(&index, &[MEK], 0);
    run(&index, &["delete", GANGS], 0);
    let after = stats_json(&index);
    assert_eq!(after["articles"], 1);
    assert_eq!(after["passages"], passages(&kept[0]).len());
    assert!(after["passages"].as_u64() < before["passages"].as_u64());
    // Words only the deleted article had no longer count.
    assert!(after["distinct_terms"].as_u64() < before["distinct_terms"].as_u64());
    assert!(after["last_update"].as_u64() >= before["last_update"].as_u64());
    assert_eq!(after["created"], before["created"]);
}

#[test]
fn distinct_terms_are_exact_across_segments_and_deletions() {
    let tmp = tempfile::tempdir().unwrap();
    let index = tmp.path().join("idx");
    let first = tmp.path().join("first.jsonl");
    fs::write(
        &first,
        concat!(
            r#"{"id":"a","title":"Zebra","body":"Quarry gravel marble."}"#,
            "\n",
            r#"{"id":"b","title":"Yak","body":"Gravel basalt."}"#,
            "\n"
        ),
    )
    .unwrap();
    run(&index, &["index", first.to_str().unwrap()], 0);
    // quarry, gravel, marble, basalt: titles are not article text.
    assert_eq!(stats_json(&index)["distinct_terms"], 4);

    // A second run adds a segment that shares "basalt" and adds "granite".
    let second = tmp.path().join("second.jsonl");
    fs::write(
        &second,
        concat!(r#"{"id":"c","title":"","body":"Basalt granite."}"#, "\n"),
    )
    .unwrap();
    run(&index, &["index", second.to_str().unwrap()], 0);
    let stats = stats_json(&index);
    assert_eq!(
        (&stats["articles"], &stats["distinct_terms"]),
        (&3.into(), &5.into())
    );

    // Article "a" alone held quarry and marble.
    run(&index, &["delete", "a"], 0);
    let stats = stats_json(&index);
    assert_eq!(
        (&stats["articles"], &stats["distinct_terms"]),
        (&2.into(), &3.into())
    );
}

#[test]
fn show_prints_every_stored_passage_as_search_finds_it() {
    let idx = Indexed::samples();
    let shown = show_json(&idx.index(), &[GANGS], 0);
    assert_eq!(shown.len(), 1);
    let article = &shown[0];
    assert_eq!(article["schema_version"], 1);
    let source = fs::read_to_string(data_dir().join(GANGS)).unwrap();
    for (i, p) in passages(article).iter().enumerate() {
        assert_eq!(p["number"], i + 1);
        let text = p["text"].as_str().unwrap();
        assert!(source.contains(text), "passage {i} is not in the file");
        assert!(p.get("highlights").is_none());
    }

    // Every passage search finds is the one show numbers the same way,
    // and the article object is search's own.
    let hits = idx.search_json(&["gangs", "-n", "100"], 0);
    let ours: Vec<&Value> = hits
        .iter()
        .filter(|h| h["article"]["id"] == GANGS)
        .collect();
    assert!(ours.len() >= 3, "{}", ours.len());
    for hit in ours {
        assert_eq!(hit["article"], article["article"]);
        let number = hit["passage"]["ordinal"].as_u64().unwrap() as usize + 1;
        assert_eq!(
            passages(article)[number - 1]["text"],
            hit["passage"]["text"]
        );
    }

    // The text output numbers the same passages, after a header.
    let out = run(&idx.index(), &["show", GANGS], 0);
    let text = stdout(&out);
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("Iran hires crime gangs to murder dissidents in West")
    );
    assert_eq!(lines.next(), Some(format!("    id: {GANGS}").as_str()));
    let path = lines.next().unwrap();
    assert!(
        path.starts_with("    path: ") && path.ends_with(&format!("data/{GANGS}")),
        "{path}"
    );
    let labels: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with('['))
        .map(|l| l.split_once(' ').unwrap().0)
        .collect();
    let expected: Vec<String> = (1..=passages(article).len())
        .map(|n| format!("[{n}]"))
        .collect();
    assert_eq!(labels, expected);
    assert!(!text.contains('\x1b'), "no colour off a terminal");
}

#[test]
fn show_prints_the_fields_an_article_has() {
    let tmp = tempfile::tempdir().unwrap();
    let dump = tmp.path().join("wire.jsonl");
    fs::write(
        &dump,
        concat!(
            r#"{"id":"w/1","title":"Oil prices climb","body":"Oil rose on Monday. Traders cheered.","url":"https://example.com/oil","date":"2024-03-04","source":"Wire","tags":["economy","world news"]}"#,
            "\n",
            r#"{"id":"w/2","title":"","body":"Nothing but a body."}"#,
            "\n"
        ),
    )
    .unwrap();
    let index = tmp.path().join("idx");
    run(&index, &["index", dump.to_str().unwrap()], 0);
    let out = run(&index, &["show", "w/1", "w/2"], 0);
    let path = dump.display();
    assert_eq!(
        stdout(&out),
        format!(
            concat!(
                "Oil prices climb\n",
                "    id: w/1\n",
                "    path: {path}\n",
                "    date: 2024-03-04\n",
                "    url: https://example.com/oil\n",
                "    source: Wire\n",
                "    tags: economy, world news\n",
                "\n",
                "[1] Oil rose on Monday. Traders cheered.\n",
                "\n",
                "w/2\n",
                "    id: w/2\n",
                "    path: {path}\n",
                "\n",
                "[1] Nothing but a body.\n",
                "\n",
            ),
            path = path
        )
    );
    let shown = show_json(&index, &["w/1"], 0);
    let hits = passim()
        .arg("--index")
        .arg(&index)
        .args(["search", "--json", "oil"])
        .output()
        .unwrap();
    let hit: Value = serde_json::from_str(stdout(&hits).lines().next().unwrap()).unwrap();
    assert_eq!(shown[0]["article"], hit["article"]);
    assert_eq!(shown[0]["article"]["tags"][1], "world news");
}

#[test]
fn highlight_marks_what_search_marks() {
    let idx = Indexed::samples();
    // "the" is a stop word beside other words: search leaves it unmarked.
    let query = "the gangs dissidents";
    let shown = show_json(&idx.index(), &["--highlight", query, GANGS], 0);
    let article = &shown[0];
    let title = article["article"]["title"].as_str().unwrap();
    assert_eq!(
        sliced(title, &article["title_highlights"]),
        ["gangs", "dissidents"]
    );
    let mut marked = 0;
    for p in passages(article) {
        let text = p["text"].as_str().unwrap();
        for word in sliced(text, &p["highlights"]) {
            let word = word.to_lowercase();
            assert!(
                word.starts_with("gang") || word.starts_with("dissident"),
                "{word}"
            );
            marked += 1;
        }
        assert_eq!(
            p["highlights"].as_array().unwrap().len(),
            p["highlights_chars"].as_array().unwrap().len()
        );
    }
    assert!(marked >= 5, "{marked}");

    // The same ranges as search's hits on the same passages.
    let hits = idx.search_json(&[query, "-n", "100"], 0);
    let mut compared = 0;
    for hit in hits.iter().filter(|h| h["article"]["id"] == GANGS) {
        let i = hit["passage"]["ordinal"].as_u64().unwrap() as usize;
        assert_eq!(passages(article)[i]["highlights"], hit["highlights"]);
        assert_eq!(
            passages(article)[i]["highlights_chars"],
            hit["highlights_chars"]
        );
        compared += 1;
    }
    assert!(compared >= 3);

    // In text, with markers and with colour, a passage reads exactly as
    // search prints it: the same marks, the same wrapping.
    let hit = hits
        .iter()
        .find(|h| h["article"]["id"] == GANGS && h["passage"]["ordinal"].as_u64() < Some(9))
        .expect("an early passage matches");
    let number = hit["passage"]["ordinal"].as_u64().unwrap() + 1;
    for style in [
        &["--pre", "<<", "--post", ">>"][..],
        &["--color", "always"][..],
    ] {
        let search = stdout(&run(
            &idx.index(),
            &[
                &["search", query, "-n", "1", "--offset"],
                &[&(hit["rank"].as_u64().unwrap() - 1).to_string()[..]][..],
                style,
            ]
            .concat(),
            0,
        ));
        // Heading and meta lines, then the passage.
        let search_body: Vec<&str> = search
            .lines()
            .skip_while(|l| !l.contains("passage "))
            .skip(1)
            .take_while(|l| !l.is_empty())
            .map(|l| l.strip_prefix("    ").expect("indented"))
            .collect();
        let show = stdout(&run(
            &idx.index(),
            &[&["show", GANGS, "--highlight", query], style].concat(),
            0,
        ));
        let label = format!("[{number}] ");
        let show_body: Vec<&str> = show
            .lines()
            .skip_while(|l| !l.replace("\x1b[1m", "").starts_with(&label))
            .take_while(|l| !l.is_empty())
            .enumerate()
            .map(|(i, l)| {
                if i == 0 {
                    let plain = l.find(&label).unwrap() + label.len();
                    l[plain..].trim_start_matches("\x1b[0m")
                } else {
                    l.strip_prefix("    ").expect("indented")
                }
            })
            .collect();
        assert!(!search_body.is_empty());
        assert_eq!(show_body, search_body, "{style:?}");
        let marks = if style[0] == "--pre" { "<<" } else { "\x1b[" };
        assert!(show_body.join(" ").contains(marks));
        // The title is marked too.
        let first = show.lines().next().unwrap();
        if style[0] == "--pre" {
            assert_eq!(
                first,
                "Iran hires crime <<gangs>> to murder <<dissidents>> in West"
            );
        } else {
            assert!(first.contains("gangs\x1b[0m"), "{first:?}");
        }
    }

    // Off a terminal, without markers, nothing is marked (as in search).
    let plain = stdout(&run(
        &idx.index(),
        &["show", GANGS, "--highlight", query],
        0,
    ));
    assert_eq!(plain, stdout(&run(&idx.index(), &["show", GANGS], 0)));
}

#[test]
fn unknown_ids_are_reported_and_set_the_exit_status() {
    let idx = Indexed::samples();
    let out = run(&idx.index(), &["show", "nope"], 1);
    assert!(stdout(&out).is_empty());
    assert!(
        stderr(&out).contains("no article with id \"nope\""),
        "{}",
        stderr(&out)
    );

    let out = run(&idx.index(), &["show", MEK, "nope", MEK], 0);
    assert!(stderr(&out).contains("no article with id \"nope\""));
    let text = stdout(&out);
    assert_eq!(
        text.matches("The Iranian Operations Against MEK").count(),
        1
    );

    let shown = show_json(&idx.index(), &["nope", GANGS, "other"], 0);
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0]["article"]["id"], GANGS);
    assert!(show_json(&idx.index(), &["nope"], 1).is_empty());

    // A query that has nothing to search for is an error.
    let out = run(&idx.index(), &["show", GANGS, "--highlight=-gangs"], 2);
    assert!(stderr(&out).contains("passim: error:"), "{}", stderr(&out));
}

/// Runs `passim --index INDEX ARGS...` as the unprivileged user `nobody`.
fn run_as_nobody(index: &Path, args: &[&str]) -> Output {
    use std::os::unix::process::CommandExt;
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("passim"));
    cmd.arg("--index")
        .arg(index)
        .args(args)
        .env_remove("PASSIM_INDEX")
        .uid(65534)
        .gid(65534);
    cmd.output().expect("runs")
}

#[test]
fn an_index_the_user_cannot_write_can_be_read() {
    use std::os::unix::fs::PermissionsExt;
    let idx = Indexed::samples();
    let index = idx.index();
    // Others may enter and read, not write (tempdirs are private).
    fs::set_permissions(idx.dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    for entry in fs::read_dir(&index).unwrap() {
        let path = entry.unwrap().path();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    }
    fs::set_permissions(&index, fs::Permissions::from_mode(0o755)).unwrap();
    let queries = idx.dir.path().join("q.tsv");
    fs::write(&queries, "1\tgangs\n").unwrap();
    let qrels = idx.dir.path().join("qrels.txt");
    fs::write(&qrels, format!("1 0 {GANGS} 1\n")).unwrap();
    let eval = [
        "eval",
        "--queries",
        queries.to_str().unwrap(),
        "--qrels",
        qrels.to_str().unwrap(),
    ];
    let as_root = unsafe { libc::geteuid() } == 0;
    if !as_root {
        // Without root, take write access away from ourselves instead.
        fs::set_permissions(&index, fs::Permissions::from_mode(0o555)).unwrap();
    }
    let reader = |args: &[&str]| {
        if as_root {
            run_as_nobody(&index, args)
        } else {
            passim()
                .arg("--index")
                .arg(&index)
                .args(args)
                .output()
                .unwrap()
        }
    };
    let lock = index.join(".tantivy-meta.lock");
    // With the lock file the writer left, and without one.
    for with_lock in [true, false] {
        if !with_lock && lock.exists() {
            if !as_root {
                fs::set_permissions(&index, fs::Permissions::from_mode(0o755)).unwrap();
            }
            fs::remove_file(&lock).unwrap();
            if !as_root {
                fs::set_permissions(&index, fs::Permissions::from_mode(0o555)).unwrap();
            }
        }
        let files_before: Vec<_> = fs::read_dir(&index)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        let out = reader(&["search", "--json", "gangs"]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "lock {with_lock}: {}",
            stderr(&out)
        );
        assert!(stdout(&out).contains(GANGS));
        let out = reader(&["stats", "--json"]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "lock {with_lock}: {}",
            stderr(&out)
        );
        let stats: Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(stats["articles"], 2);
        let out = reader(&["show", MEK]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "lock {with_lock}: {}",
            stderr(&out)
        );
        assert!(stdout(&out).starts_with("The Iranian Operations Against MEK\n"));
        let out = reader(&eval);
        assert_eq!(
            out.status.code(),
            Some(0),
            "lock {with_lock}: {}",
            stderr(&out)
        );
        // Writing is still refused, with a message.
        let out = reader(&["delete", MEK]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains("passim: error:"), "{}", stderr(&out));
        let files_after: Vec<_> = fs::read_dir(&index)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(files_before, files_after);
    }
    if !as_root {
        fs::set_permissions(&index, fs::Permissions::from_mode(0o755)).unwrap();
    }
    // Nothing was lost: the owner still sees both articles.
    assert_eq!(stats_json(&index)["articles"], 2);
}
