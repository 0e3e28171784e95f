//! `passim index`: the sample articles' headlines and urls, the summary,
//! bad files, the metadata file and the fresh-clone default.

mod common;

use std::fs;

use common::{Indexed, data_dir, passim};
use predicates::prelude::*;

#[test]
fn sample_headlines_and_urls_are_found_like_a_reader_would() {
    let idx = Indexed::samples();
    let hits = idx.search_json(&["-n", "100", "Iran"], 0);
    let gangs = hits
        .iter()
        .find(|h| h["article"]["id"] == "000_2e89293e2f7208e5.txt")
        .unwrap();
    assert_eq!(
        gangs["article"]["title"],
        "Iran hires crime gangs to murder dissidents in West"
    );
    assert_eq!(
        gangs["article"]["url"],
        "https://www.theaustralian.com.au/world/the-times/iran-hires-crime-gangs-to-murder-dissidents-in-west/news-story/d9ffa1ec84320bacb2c17a9c2207d1ae"
    );
    let mek = hits
        .iter()
        .find(|h| h["article"]["id"] == "004_d5dc64d26e229a99.txt")
        .unwrap();
    assert_eq!(
        mek["article"]["title"],
        "The Iranian Operations Against MEK"
    );
    assert!(mek["article"]["url"].is_null());
}

#[test]
fn masthead_url_line_caption_repeat_and_furniture_are_not_passages() {
    let idx = Indexed::samples();
    for q in [
        "NewsBite",
        "\"Original URL\"",
        "\"Read related topics\"",
        "\"join the conversation\"",
        "\"Add your comment\"",
    ] {
        idx.cmd().args(["search", q]).assert().code(1);
    }
    let caption = "\"Khalid Mehdiyev, an Azerbaijani, told Polad Omarov\"";
    let hits = idx.search_json(&[caption], 0);
    assert_eq!(hits.len(), 1);
    let text = hits[0]["passage"]["text"].as_str().unwrap();
    assert_eq!(
        text.matches("Khalid Mehdiyev, an Azerbaijani, told")
            .count(),
        1
    );
}

#[test]
fn summary_counts_articles_passages_skipped_errors_and_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    fs::create_dir(&docs).unwrap();
    for f in fs::read_dir(data_dir()).unwrap() {
        let f = f.unwrap().path();
        fs::copy(&f, docs.join(f.file_name().unwrap())).unwrap();
    }
    fs::write(docs.join("latin1.txt"), b"Caf\xe9 society\n\nA story.\n").unwrap();
    fs::write(
        docs.join("dump.jsonl"),
        "{\"id\":\"j1\",\"title\":\"Gang news\",\"body\":\"A gang was seen.\"}\n{broken\n",
    )
    .unwrap();
    let index = dir.path().join("idx");
    passim()
        .arg("--index")
        .arg(&index)
        .arg("index")
        .arg(&docs)
        .assert()
        .code(0)
        .stdout(
            predicate::str::is_match(
                r"^indexed 4 articles \(\d+ passages\) from 4 files, .*; 4 added, 0 updated, 0 removed, 0 unchanged; 0 skipped, 1 error, 1 warning\n$",
            )
            .unwrap(),
        )
        // Not UTF-8: decoded as Windows-1252 and indexed, with a warning.
        .stderr(predicate::str::contains(
            "latin1.txt: not valid UTF-8 (at byte 3); decoded as Windows-1252",
        ))
        .stderr(predicate::str::contains("dump.jsonl:2: malformed JSON"));
    // The good articles in the same run are searchable.
    passim()
        .arg("--index")
        .arg(&index)
        .args(["search", "Alinejad"])
        .assert()
        .code(0);
    passim()
        .arg("--index")
        .arg(&index)
        .args(["search", "title:gang"])
        .assert()
        .code(0);
    passim()
        .arg("--index")
        .arg(&index)
        .args(["search", "title:café"])
        .assert()
        .code(0);
}

#[test]
fn reindexing_replaces_instead_of_duplicating() {
    let idx = Indexed::samples();
    let before = idx.search_json(&["-n", "1000", "the"], 0).len();
    idx.cmd().arg("index").arg(data_dir()).assert().code(0);
    let after = idx.search_json(&["-n", "1000", "the"], 0).len();
    assert_eq!(before, after);
}

#[test]
fn metadata_records_format_and_passage_settings() {
    let idx = Indexed::samples();
    let meta: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(idx.index().join("passim.json")).unwrap())
            .unwrap();
    assert_eq!(meta["format_version"], passim::index::FORMAT_VERSION);
    assert_eq!(meta["passage"]["target_words"], 60);
}

#[test]
fn other_format_version_says_how_to_rebuild() {
    let idx = Indexed::samples();
    let path = idx.index().join("passim.json");
    let raw = fs::read_to_string(&path).unwrap();
    let old = raw.replace(
        &format!("\"format_version\": {}", passim::index::FORMAT_VERSION),
        "\"format_version\": 0",
    );
    assert_ne!(raw, old);
    fs::write(&path, old).unwrap();
    idx.cmd()
        .args(["search", "Iran"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("format version 0"))
        .stderr(predicate::str::contains("passim index --rebuild"));
    idx.cmd()
        .args(["index", "--rebuild"])
        .arg(data_dir())
        .assert()
        .code(0);
    idx.cmd().args(["search", "Iran"]).assert().code(0);
}

#[test]
fn passage_size_is_configurable_and_changing_it_needs_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("idx");
    let count = |words: &str| {
        passim()
            .arg("--index")
            .arg(&index)
            .args(["index", "--rebuild", "--passage-words", words])
            .arg(data_dir())
            .assert()
            .code(0);
        let out = passim()
            .arg("--index")
            .arg(&index)
            .args(["search", "--json", "-n", "1000", "the"])
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap().lines().count()
    };
    let small = count("20");
    let large = count("150");
    assert!(small > 2 * large, "{small} vs {large}");
    passim()
        .arg("--index")
        .arg(&index)
        .args(["index", "--passage-words", "60"])
        .arg(data_dir())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--rebuild"));
}

#[test]
fn fresh_clone_search_builds_the_default_index_from_data() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("data")).unwrap();
    fs::create_dir(dir.path().join("index")).unwrap();
    fs::write(dir.path().join("index/.gitignore"), "*\n").unwrap();
    for f in fs::read_dir(data_dir()).unwrap() {
        let f = f.unwrap().path();
        fs::copy(&f, dir.path().join("data").join(f.file_name().unwrap())).unwrap();
    }
    passim()
        .current_dir(dir.path())
        .args(["search", "crime gangs"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("building it from data/"))
        .stdout(predicate::str::contains("Iran hires crime gangs"));
    assert!(dir.path().join("index/passim.json").is_file());
    // Second run: no rebuild message.
    passim()
        .current_dir(dir.path())
        .args(["search", "crime gangs"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("building").not());
}

#[test]
fn a_folder_that_is_not_an_index_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    passim()
        .arg("--index")
        .arg(dir.path())
        .arg("index")
        .arg(data_dir())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a passim index"));
    assert_eq!(
        fs::read_to_string(dir.path().join("notes.txt")).unwrap(),
        "mine"
    );
    let file = dir.path().join("notes.txt");
    passim()
        .arg("--index")
        .arg(&file)
        .args(["search", "x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("it is a file"));
}

#[test]
fn missing_input_path_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    passim()
        .arg("--index")
        .arg(dir.path().join("idx"))
        .args(["index", "no/such/folder"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no/such/folder: no such file or folder",
        ));
}
