//! `passim search` on the shipped sample articles: ranking, highlights,
//! JSON fields, exit codes and error text.

mod common;

use common::{Indexed, highlighted, passim};
use predicates::prelude::*;
use serde_json::Value;

const IRAN_GANGS: &str = "000_2e89293e2f7208e5.txt";
const MEK: &str = "004_d5dc64d26e229a99.txt";

fn article_id(hit: &Value) -> &str {
    hit["article"]["id"].as_str().unwrap()
}

#[test]
fn alinejad_ranks_the_gangs_article_first_with_an_exact_highlight() {
    let idx = Indexed::samples();
    let hits = idx.search_json(&["Alinejad"], 0);
    assert!(!hits.is_empty());
    assert_eq!(article_id(&hits[0]), IRAN_GANGS);
    let words = highlighted(&hits[0]);
    assert!(!words.is_empty());
    assert!(words.iter().all(|w| w == "Alinejad"), "{words:?}");
}

#[test]
fn phrase_query_highlights_only_the_adjacent_pair() {
    let idx = Indexed::samples();
    let hits = idx.search_json(&["\"QUDS force\""], 0);
    assert!(!hits.is_empty());
    for hit in &hits {
        assert_eq!(article_id(hit), MEK);
        let text = hit["passage"]["text"].as_str().unwrap();
        let words = highlighted(hit);
        // Marks come in QUDS/force pairs, each pair adjacent in the text.
        assert_eq!(words.len() % 2, 0, "{words:?}");
        let ranges = hit["highlights"].as_array().unwrap();
        for pair in ranges.chunks(2) {
            let (a, b) = (&pair[0], &pair[1]);
            assert_eq!(
                text[a[0].as_u64().unwrap() as usize..a[1].as_u64().unwrap() as usize]
                    .to_lowercase(),
                "quds"
            );
            assert_eq!(
                &text[a[1].as_u64().unwrap() as usize..b[0].as_u64().unwrap() as usize],
                " "
            );
            assert_eq!(
                text[b[0].as_u64().unwrap() as usize..b[1].as_u64().unwrap() as usize]
                    .to_lowercase(),
                "force"
            );
        }
    }
    // A passage that mentions QUDS without "force" right after it is not a hit.
    let lone = idx.search_json(&["QUDS"], 0);
    assert!(lone.len() > hits.len());
}

#[test]
fn plural_query_finds_and_highlights_the_singular() {
    let idx = Indexed::samples();
    let hits = idx.search_json(&["-n", "50", "gangs"], 0);
    let all: Vec<String> = hits.iter().flat_map(highlighted).collect();
    assert!(all.iter().any(|w| w == "gang"), "{all:?}");
    assert!(all.iter().any(|w| w == "gangs"), "{all:?}");
    let member = hits.iter().find(|h| {
        h["passage"]["text"]
            .as_str()
            .unwrap()
            .contains("a member of the gang")
    });
    let _ = member;
    assert!(hits.iter().any(|h| {
        let t = h["passage"]["text"].as_str().unwrap();
        t.contains("member of the gang") && highlighted(h).contains(&"gang".to_string())
    }));
}

#[test]
fn title_field_query_returns_only_that_article() {
    let idx = Indexed::samples();
    let hits = idx.search_json(&["-n", "100", "title:MEK"], 0);
    assert!(hits.len() > 5);
    assert!(hits.iter().all(|h| article_id(h) == MEK));
}

#[test]
fn excluded_word_never_appears_in_results() {
    let idx = Indexed::samples();
    let hits = idx.search_json(&["-n", "100", "Iran -Albania"], 0);
    assert!(!hits.is_empty());
    for h in &hits {
        let text = h["passage"]["text"].as_str().unwrap();
        assert!(!text.contains("Albania"), "{text}");
        assert!(
            highlighted(h)
                .iter()
                .all(|w| w.to_lowercase().starts_with("iran"))
        );
    }
}

#[test]
fn json_lines_have_every_documented_field() {
    let idx = Indexed::samples();
    let hits = idx.search_json(&["-n", "5", "crime gangs"], 0);
    assert_eq!(hits.len(), 5);
    for (i, h) in hits.iter().enumerate() {
        assert_eq!(h["rank"].as_u64(), Some(i as u64 + 1));
        assert!(h["score"].as_f64().unwrap() > 0.0);
        for key in ["id", "title", "url", "path", "date"] {
            assert!(h["article"].get(key).is_some(), "article.{key} missing");
        }
        for key in ["ordinal", "start", "end", "text"] {
            assert!(h["passage"].get(key).is_some(), "passage.{key} missing");
        }
        let (start, end) = (
            h["passage"]["start"].as_u64().unwrap(),
            h["passage"]["end"].as_u64().unwrap(),
        );
        assert_eq!(
            (end - start) as usize,
            h["passage"]["text"].as_str().unwrap().len()
        );
        for w in highlighted(h) {
            let w = w.to_lowercase();
            assert!(w.starts_with("crime") || w.starts_with("gang"), "{w}");
        }
    }
    let scores: Vec<f64> = hits.iter().map(|h| h["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    assert_eq!(
        hits[0]["article"]["title"],
        "Iran hires crime gangs to murder dissidents in West"
    );
}

#[test]
fn highlights_fall_on_char_boundaries_for_every_query_word() {
    let idx = Indexed::samples();
    for q in [
        "Tehran’s spies",
        "Erdogan",
        "assassinate",
        "US1000",
        "war machine",
        "hasn't",
    ] {
        let hits = idx.search_json(&["-n", "20", q], 0);
        assert!(!hits.is_empty(), "{q}");
        for h in &hits {
            highlighted(h); // asserts char boundaries
        }
    }
}

#[test]
fn exit_codes_follow_grep() {
    let idx = Indexed::samples();
    idx.cmd().args(["search", "Alinejad"]).assert().code(0);
    idx.cmd()
        .args(["search", "zzyzx"])
        .assert()
        .code(1)
        .stdout(predicate::str::is_empty());
    idx.cmd()
        .args(["search", ""])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("the query is empty"));
}

#[test]
fn missing_index_names_the_command_that_builds_it() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nothing-here");
    passim()
        .arg("--index")
        .arg(&missing)
        .args(["search", "iran"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no passim index at"))
        .stderr(predicate::str::contains("passim index --index"));
}

#[test]
fn syntax_errors_run_leniently_with_a_warning() {
    let idx = Indexed::samples();
    for q in [
        "\"QUDS force",
        "https://example.com/iran",
        ":Alinejad",
        "(crime gangs",
        "Iran AND",
    ] {
        let out = idx.cmd().args(["search", "--json", q]).output().unwrap();
        // Runs (found or not), never an error.
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{q}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("passim: warning:"), "{q}: no warning");
    }
    idx.cmd()
        .args(["search", "--", "-Albania"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("only excludes"));
}

#[test]
fn text_output_shows_rank_title_source_and_passage_without_colour_in_a_pipe() {
    let idx = Indexed::samples();
    let out = idx
        .cmd()
        .args(["search", "-n", "1", "Alinejad"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with(" 1. Iran hires crime gangs to murder dissidents in West\n"),
        "{text}"
    );
    assert!(text.contains("https://www.theaustralian.com.au/"));
    assert!(text.contains("passage "));
    assert!(text.contains("score "));
    assert!(!text.contains('\u{1b}'), "no colour when piped");
}

#[test]
fn colour_is_forced_by_always_and_matches_are_marked() {
    let idx = Indexed::samples();
    let out = idx
        .cmd()
        .args(["search", "--color", "always", "-n", "1", "Alinejad"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("\u{1b}[1m\u{1b}[31mAlinejad") || text.contains("Alinejad\u{1b}[0m"),
        "{text:?}"
    );
    let never = idx
        .cmd()
        .args(["search", "--color", "never", "-n", "1", "Alinejad"])
        .output()
        .unwrap();
    assert!(!String::from_utf8(never.stdout).unwrap().contains('\u{1b}'));
}

#[test]
fn text_is_wrapped_to_columns() {
    let idx = Indexed::samples();
    let out = idx
        .cmd()
        .env("COLUMNS", "50")
        .args(["search", "-n", "3", "Iran"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for line in text.lines().filter(|l| !l.contains("score")) {
        assert!(line.chars().count() <= 50, "{line:?}");
    }
}

#[test]
fn limit_and_offset_page_through_results() {
    let idx = Indexed::samples();
    let all = idx.search_json(&["-n", "6", "Iran"], 0);
    let page2 = idx.search_json(&["-n", "3", "--offset", "3", "Iran"], 0);
    assert_eq!(page2.len(), 3);
    assert_eq!(page2[0]["rank"], 4);
    assert_eq!(page2[0]["passage"], all[3]["passage"]);
}

#[test]
fn closed_pipe_exits_quietly() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let idx = Indexed::samples();
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("passim"))
        .arg("--index")
        .arg(idx.index())
        .args(["search", "-n", "1000", "the"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 1];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked") && !err.contains("error"), "{err}");
}

#[test]
fn stop_words_beside_other_words_neither_match_nor_highlight() {
    let idx = Indexed::samples();
    // "the" is in every sample passage; beside a word found nowhere, it
    // does not make a hit on its own.
    idx.cmd().args(["search", "the xqzvwy"]).assert().code(1);
    let hits = idx.search_json(&["-n", "50", "the Alinejad"], 0);
    assert!(!hits.is_empty());
    for hit in &hits {
        let words = highlighted(hit);
        assert!(words.iter().all(|w| w == "Alinejad"), "{words:?}");
    }
    // A query of stop words alone still searches them, and a quoted phrase
    // keeps its stop words.
    let alone = idx.search_json(&["the"], 0);
    assert!(
        highlighted(&alone[0])
            .iter()
            .any(|w| w.eq_ignore_ascii_case("the"))
    );
    let phrase = idx.search_json(&["\"member of the gang\""], 0);
    let words = highlighted(&phrase[0]);
    assert_eq!(words, ["member", "of", "the", "gang"], "{words:?}");
}

#[test]
fn a_one_word_prefix_finds_and_highlights_every_word_starting_with_it() {
    let idx = Indexed::samples();
    let hits = idx.search_json(&["assass*"], 0);
    let words: Vec<String> = hits.iter().flat_map(highlighted).collect();
    assert!(
        words.iter().all(|w| w.to_lowercase().starts_with("assass")),
        "{words:?}"
    );
    // Both articles say it, in different forms.
    for form in ["assassinate", "assassinations"] {
        assert!(words.iter().any(|w| w == form), "{form} in {words:?}");
    }
    for id in [IRAN_GANGS, MEK] {
        assert!(hits.iter().any(|h| article_id(h) == id), "{id}");
    }
    // The prefix is analysed like a word: `gangs*` is `gang*`.
    let words: Vec<String> = idx
        .search_json(&["gangs*"], 0)
        .iter()
        .flat_map(highlighted)
        .collect();
    assert!(words.iter().any(|w| w == "gangsters"), "{words:?}");
    assert!(
        words.iter().all(|w| w.to_lowercase().starts_with("gang")),
        "{words:?}"
    );
    // Matches rank by the words the prefix stands for, not all alike.
    let scores: Vec<f64> = hits.iter().map(|h| h["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    assert!(scores.first() > scores.last(), "{scores:?}");
    // A prefix nothing starts with finds nothing.
    idx.search_json(&["zqxj*"], 1);
}

#[test]
fn a_prefix_beside_words_and_in_a_field_keeps_their_meaning() {
    let idx = Indexed::samples();
    // In the headline only: both hits' headlines have a word starting with "gang".
    let hits = idx.search_json(&["title:gang*"], 0);
    for hit in &hits {
        assert_eq!(article_id(hit), IRAN_GANGS);
    }
    // Beside a word: passages with both outrank passages with the prefix only.
    let hits = idx.search_json(&["Alinejad assass*"], 0);
    let first = highlighted(&hits[0]);
    assert!(first.iter().any(|w| w == "Alinejad"), "{first:?}");
    assert!(first.iter().any(|w| w.starts_with("assass")), "{first:?}");
    let score = |h: &Value| h["score"].as_f64().unwrap();
    let prefix_only = hits
        .iter()
        .find(|h| !highlighted(h).iter().any(|w| w == "Alinejad"))
        .expect("a passage with the prefix only");
    assert!(score(&hits[0]) > score(prefix_only));
    // An excluded prefix excludes, and adds nothing to the score.
    for hit in idx.search_json(&["--", "Iran -assass*"], 0) {
        assert!(
            !highlighted(&hit).iter().any(|w| w.starts_with("assass")),
            "{hit}"
        );
        assert!(
            !hit["passage"]["text"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .contains("assass")
        );
    }
    // Required prefix: every hit has it.
    for hit in idx.search_json(&["Iran", "+assass*"], 0) {
        assert!(
            highlighted(&hit).iter().any(|w| w.starts_with("assass")),
            "{hit}"
        );
    }
}

#[test]
fn a_phrase_prefix_highlights_the_phrase_with_its_last_word_completed() {
    let idx = Indexed::samples();
    // "organised crime groups", "crime gangs": only the phrase whose second word starts with "gr".
    let hits = idx.search_json(&["\"crime gr\"*"], 0);
    let words: Vec<String> = hits.iter().flat_map(highlighted).collect();
    assert!(!words.is_empty());
    for pair in words.chunks(2) {
        assert_eq!(pair[0].to_lowercase(), "crime", "{words:?}");
        assert!(pair[1].starts_with("gr"), "{words:?}");
    }
}

#[test]
fn by_article_a_prefix_ranks_articles_by_the_words_it_stands_for() {
    let idx = Indexed::samples();
    let articles = idx.search_json(&["--by", "article", "assass*"], 0);
    assert_eq!(articles.len(), 2);
    // The gangs article says it in four passages, the MEK article in one.
    assert_eq!(article_id(&articles[0]), IRAN_GANGS);
    assert_eq!(article_id(&articles[1]), MEK);
    let score = |h: &Value| h["score"].as_f64().unwrap();
    assert!(score(&articles[0]) > score(&articles[1]));
}

/// Indexes five articles whose passages all score the same (two each),
/// written to the same file in the given order of ids.
fn tied_articles(dir: &std::path::Path, ids: &[&str]) -> Indexed {
    let body = "The river gang met at dawn. The river gang met at dawn.";
    let lines: Vec<String> = ids
        .iter()
        .map(|id| serde_json::json!({"id": id, "title": "", "body": body}).to_string())
        .collect();
    let file = dir.join("tied.jsonl");
    std::fs::write(&file, lines.join("\n")).unwrap();
    Indexed::of_with(&[file], &["--passage-words", "5"])
}

/// `(article id, passage ordinal)` of each hit.
fn places(hits: &[Value]) -> Vec<(String, u64)> {
    hits.iter()
        .map(|h| {
            let ordinal = h["passage"]["ordinal"].as_u64().unwrap();
            (article_id(h).to_string(), ordinal)
        })
        .collect()
}

#[test]
fn tied_passages_come_in_the_same_order_whatever_order_they_were_indexed_in() {
    let dir = tempfile::tempdir().unwrap();
    let down = tied_articles(dir.path(), &["e5", "d4", "c3", "b2", "a1"]);
    let up = tied_articles(dir.path(), &["a1", "b2", "c3", "d4", "e5"]);
    let all = down.search_json(&["gang"], 0);
    let scores: Vec<f64> = all.iter().map(|h| h["score"].as_f64().unwrap()).collect();
    assert_eq!(scores.len(), 10);
    assert!(scores.iter().all(|s| *s == scores[0]), "{scores:?}");
    let order = places(&all);
    assert_eq!(places(&up.search_json(&["gang"], 0)), order);
    // An article's passages stay together, in their order.
    for pair in order.chunks(2) {
        assert_eq!(
            (pair[0].0.as_str(), pair[0].1, pair[1].1),
            (pair[1].0.as_str(), 0, 1)
        );
    }
    for idx in [&down, &up] {
        // The tie runs past the cut: the same ones make it.
        assert_eq!(
            places(&idx.search_json(&["gang", "-n", "3"], 0)),
            order[..3]
        );
        // Paging walks the same order.
        assert_eq!(
            places(&idx.search_json(&["gang", "-n", "3", "--offset", "3"], 0)),
            order[3..6]
        );
        // One passage per article: each article's first, articles in the same order.
        let firsts: Vec<(String, u64)> = order.iter().step_by(2).take(3).cloned().collect();
        assert_eq!(
            places(&idx.search_json(&["gang", "--per-article", "1", "-n", "3"], 0)),
            firsts
        );
    }
}
