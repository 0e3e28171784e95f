//! Output controls of `passim search`: --fields, --snippet-chars,
//! --pre/--post, --per-article, --by article, --format; and the shell
//! integration commands (completions, man page).

mod common;

use std::collections::HashMap;

use common::{Indexed, highlighted, passim};
use predicates::prelude::*;
use serde_json::Value;

fn text_of(hit: &Value) -> &str {
    hit["passage"]["text"].as_str().unwrap()
}

#[test]
fn fields_keep_only_what_was_asked() {
    let idx = Indexed::samples();
    let hits = idx.search_json(&["-n", "3", "--fields", "score, article.title", "Iran"], 0);
    assert_eq!(hits.len(), 3);
    for h in &hits {
        let keys: Vec<&String> = h.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["schema_version", "score", "article"]);
        let article: Vec<&String> = h["article"].as_object().unwrap().keys().collect();
        assert_eq!(article, ["title"]);
    }
    for (args, message) in [
        (
            vec!["--json", "--fields", "rnak", "Iran"],
            "unknown field \"rnak\"",
        ),
        (
            vec!["--json", "--fields", "passages", "Iran"],
            "unknown field \"passages\"",
        ),
        (vec!["--json", "--fields", ",", "Iran"], "--fields is empty"),
        (vec!["--fields", "rank", "Iran"], "use it with --json"),
        (
            vec!["--json", "--format", "trec", "Iran"],
            "cannot be used with",
        ),
    ] {
        idx.cmd()
            .arg("search")
            .args(&args)
            .assert()
            .code(2)
            .stdout(predicate::str::is_empty())
            .stderr(predicate::str::contains(message));
    }
}

#[test]
fn snippets_are_cropped_around_the_match_with_offsets_that_follow() {
    let idx = Indexed::samples();
    let full = idx.search_json(&["-n", "10", "Alinejad"], 0);
    let cropped = idx.search_json(&["-n", "10", "--snippet-chars", "50", "Alinejad"], 0);
    assert_eq!(full.len(), cropped.len());
    for (f, c) in full.iter().zip(&cropped) {
        assert_eq!(f["passage"]["ordinal"], c["passage"]["ordinal"]);
        let text = text_of(c);
        let [start, end] = [0, 1].map(|i| c["passage"]["crop"][i].as_u64().unwrap() as usize);
        // The kept window is a slice of the passage, within the budget.
        assert_eq!(text.trim_matches('…'), &text_of(f)[start..end]);
        assert!(text.trim_matches('…').chars().count() <= 50, "{text}");
        assert_eq!(text.starts_with('…'), start > 0);
        assert_eq!(text.ends_with('…'), end < text_of(f).len());
        let words = highlighted(c);
        assert!(!words.is_empty(), "{text}");
        assert!(words.iter().all(|w| w == "Alinejad"), "{words:?}");
    }
}

#[test]
fn markers_wrap_matches_in_text_and_json() {
    let idx = Indexed::samples();
    let out = idx
        .cmd()
        .args([
            "search", "-n", "1", "--pre", "[[", "--post", "]]", "--color", "always", "Alinejad",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("[[Alinejad]]"), "{text}");
    // Markers replace the colour of matches (titles keep theirs).
    assert!(!text.contains("\u{1b}[1m\u{1b}[31m"), "{text:?}");

    let hits = idx.search_json(&["-n", "3", "--pre", "<em>", "--post", "</em>", "gangs"], 0);
    for h in &hits {
        let formatted = h["passage"]["formatted"].as_str().unwrap();
        let marked = formatted.matches("<em>").count();
        assert_eq!(marked, h["highlights"].as_array().unwrap().len());
        assert_eq!(
            formatted.replace("<em>", "").replace("</em>", ""),
            text_of(h)
        );
    }
    let only_pre = idx.search_json(&["-n", "1", "--pre", "*", "Alinejad"], 0);
    assert!(
        only_pre[0]["passage"]["formatted"]
            .as_str()
            .unwrap()
            .contains("*Alinejad ")
    );
}

#[test]
fn per_article_caps_passages_from_one_article() {
    let idx = Indexed::samples();
    let all = idx.search_json(&["-n", "30", "Iran"], 0);
    let mut per: HashMap<String, usize> = HashMap::new();
    for h in &all {
        *per.entry(h["article"]["id"].as_str().unwrap().into())
            .or_default() += 1;
    }
    assert!(per.values().any(|&n| n > 2), "{per:?}");
    let capped = idx.search_json(&["-n", "30", "--per-article", "2", "Iran"], 0);
    assert_eq!(capped.len(), 4, "two articles, two passages each");
    let mut ranks = Vec::new();
    for h in &capped {
        ranks.push(h["rank"].as_u64().unwrap());
        // Each kept passage is among its article's best in the full list.
        let id = &h["article"]["id"];
        let best: Vec<&Value> = all
            .iter()
            .filter(|a| &a["article"]["id"] == id)
            .take(2)
            .map(|a| &a["passage"])
            .collect();
        assert!(best.contains(&&h["passage"]), "{id}");
    }
    assert_eq!(ranks, [1, 2, 3, 4]);
    let page = idx.search_json(
        &["-n", "2", "--offset", "2", "--per-article", "2", "Iran"],
        0,
    );
    assert_eq!(page[0]["passage"], capped[2]["passage"]);
    assert_eq!(page[0]["rank"], 3);
}

#[test]
fn by_article_gives_one_hit_per_article_with_its_best_passages() {
    let idx = Indexed::samples();
    let passages = idx.search_json(&["-n", "50", "Iran"], 0);
    let articles = idx.search_json(&["--by", "article", "Iran"], 0);
    assert_eq!(articles.len(), 2);
    // Articles rank by whole-article plus passage evidence, best first.
    assert!(articles[0]["score"].as_f64() >= articles[1]["score"].as_f64());
    for a in &articles {
        let shown = a["passages"].as_array().unwrap();
        assert_eq!(shown.len(), 3, "three passages by default");
        let own: Vec<&Value> = passages
            .iter()
            .filter(|p| p["article"]["id"] == a["article"]["id"])
            .take(3)
            .collect();
        for (s, p) in shown.iter().zip(own) {
            assert_eq!(s["ordinal"], p["passage"]["ordinal"]);
            assert_eq!(s["score"], p["score"]);
            assert_eq!(s["highlights"], p["highlights"]);
        }
    }
    let one = idx.search_json(
        &[
            "--by",
            "article",
            "-n",
            "1",
            "--offset",
            "1",
            "--per-article",
            "1",
            "Iran",
        ],
        0,
    );
    assert_eq!(one.len(), 1);
    assert_eq!(one[0]["rank"], 2);
    assert_eq!(one[0]["article"], articles[1]["article"]);
    assert_eq!(one[0]["passages"].as_array().unwrap().len(), 1);

    let out = idx
        .cmd()
        .args([
            "search",
            "--by",
            "article",
            "-n",
            "1",
            "--per-article",
            "2",
            "MEK",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with(" 1. The Iranian Operations Against MEK\n"),
        "{text}"
    );
    assert_eq!(text.matches("    passage ").count(), 2, "{text}");
}

#[test]
fn single_trec_query_uses_qid_1() {
    let idx = Indexed::samples();
    let out = idx
        .cmd()
        .args(["search", "--format", "trec", "Iran"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].starts_with("1 Q0 ") && lines[0].ends_with(" passim"));
    assert!(lines[1].contains(" 2 "));
}

#[test]
fn completions_and_man_page_cover_every_subcommand() {
    let out = passim().args(["completions", "bash"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let script = String::from_utf8(out.stdout).unwrap();
    for word in [
        "serve",
        "completions",
        "--batch",
        "--snippet-chars",
        "--per-article",
    ] {
        assert!(script.contains(word), "bash completion lacks {word}");
    }
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        passim()
            .args(["completions", shell])
            .assert()
            .success()
            .stdout(predicate::str::contains("passim"));
    }
    passim()
        .args(["completions", "tcsh"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid value"));

    let out = passim().arg("man").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.starts_with(".ie"), "{}", &page[..40]);
    assert!(page.contains(".TH passim 1"));
    for sub in ["passim\\-search", "passim\\-serve", "passim\\-index"] {
        assert!(page.contains(sub), "man page lacks {sub}");
    }
    assert!(page.contains("snippet\\-chars"));
}
