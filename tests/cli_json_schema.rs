//! The JSON contract: a snapshot of `passim search` output on `data/` pins
//! every key, its type and its place, and the README documents each field.
//! Scores are rounded (BM25 floats are not what the schema is about) and
//! `article.path` is replaced (it depends on how the index was built).

mod common;

use std::path::Path;

use common::passim;
use insta::{assert_json_snapshot, rounded_redaction};
use passim::output::fields::HitKind;
use serde_json::Value;

/// An index of `data/` built from the repository root, so ids are the
/// file names.
fn sample_index() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    passim()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("--index")
        .arg(dir.path().join("index"))
        .args(["index", "data"])
        .assert()
        .success();
    dir
}

fn lines(dir: &Path, args: &[&str], stdin: Option<&str>) -> Vec<Value> {
    let mut cmd = passim();
    cmd.arg("--index")
        .arg(dir.join("index"))
        .arg("search")
        .args(args);
    if let Some(input) = stdin {
        cmd.write_stdin(input);
    }
    let out = cmd.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn passage_hits_keep_their_schema() {
    let dir = sample_index();
    let hits = lines(
        dir.path(),
        &[
            "--json",
            "-n",
            "2",
            "--snippet-chars",
            "90",
            "--pre",
            "<em>",
            "--post",
            "</em>",
            "\"crime gangs\" OR Alinejad",
        ],
        None,
    );
    assert_json_snapshot!("passage_hits", hits, {
        "[].score" => rounded_redaction(3),
        "[].article.path" => "[path]",
    });
}

#[test]
fn article_hits_keep_their_schema() {
    let dir = sample_index();
    let hits = lines(
        dir.path(),
        &[
            "--json",
            "--by",
            "article",
            "-n",
            "1",
            "--per-article",
            "2",
            "--snippet-chars",
            "70",
            "QUDS force",
        ],
        None,
    );
    assert_json_snapshot!("article_hits", hits, {
        "[].score" => rounded_redaction(3),
        "[].passages[].score" => rounded_redaction(3),
        "[].article.path" => "[path]",
    });
}

#[test]
fn batch_hits_carry_qid_and_query() {
    let dir = sample_index();
    let hits = lines(
        dir.path(),
        &["--batch", "-", "-n", "1", "--fields", "rank,article.id"],
        Some("q7\tAlinejad\nMEK\n"),
    );
    assert_json_snapshot!("batch_hits", hits);
}

#[test]
fn full_passages_have_highlights_in_bytes_and_chars() {
    let dir = sample_index();
    // Curly quotes and dashes make byte and char offsets differ.
    for hit in lines(dir.path(), &["--json", "-n", "20", "Tehran"], None) {
        assert_eq!(hit["schema_version"], 1);
        assert!(hit["passage"]["crop"].is_null());
        assert!(hit["passage"]["formatted"].is_null());
        let text = hit["passage"]["text"].as_str().unwrap();
        let chars: Vec<char> = text.chars().collect();
        let bytes = hit["highlights"].as_array().unwrap();
        let in_chars = hit["highlights_chars"].as_array().unwrap();
        assert_eq!(bytes.len(), in_chars.len());
        assert!(!bytes.is_empty());
        for (b, c) in bytes.iter().zip(in_chars) {
            let (bs, be) = (
                b[0].as_u64().unwrap() as usize,
                b[1].as_u64().unwrap() as usize,
            );
            let (cs, ce) = (
                c[0].as_u64().unwrap() as usize,
                c[1].as_u64().unwrap() as usize,
            );
            let by_chars: String = chars[cs..ce].iter().collect();
            assert_eq!(&text[bs..be], by_chars);
            assert!(by_chars.to_lowercase().starts_with("tehran"), "{by_chars}");
        }
    }
}

#[test]
fn the_readme_documents_every_field() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    for kind in [HitKind::Passage, HitKind::Article] {
        for field in kind.fields() {
            assert!(
                readme.contains(&format!("`{field}`")),
                "README.md does not document `{field}`"
            );
        }
    }
}
