//! Article tags end to end: read from Markdown front matter (YAML and
//! TOML), JSON Lines (`tags`, or a field mapped with `--field tags=...`)
//! and HTML (`article:tag`, else `keywords`); returned as `article.tags`
//! in JSON and in the text header; searched with `tags:NAME`, which
//! restricts the other words of a query to articles with that tag; and
//! re-indexed when only a file's tags change. Every fixture is written by
//! the test itself.

mod common;

use std::collections::BTreeSet;
use std::process::Output;

use common::{Scratch, stderr, stdout};
use serde_json::{Value, json};

impl Scratch {
    /// `passim --index idx ARGS...`
    fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    /// Indexes `in/` with `extra` options and asserts success.
    fn index(&self, extra: &[&str]) -> Output {
        let input = self.input();
        let mut args = vec!["index"];
        args.extend_from_slice(extra);
        args.push(input.to_str().unwrap());
        let out = self.run(&args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        out
    }

    /// `search --json -n 100 ARGS...`: the exit code and the hits.
    fn search(&self, args: &[&str]) -> (i32, Vec<Value>) {
        let mut all = vec!["search", "--json", "-n", "100"];
        all.extend_from_slice(args);
        let out = self.run(&all);
        let hits = String::from_utf8(out.stdout.clone())
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        (out.status.code().unwrap(), hits)
    }

    /// The ids of the articles a query finds (asserting it finds some).
    fn ids(&self, query: &str) -> BTreeSet<String> {
        let (code, hits) = self.search(&["--", query]);
        assert_eq!(code, 0, "nothing found for {query}");
        hits.iter()
            .map(|h| h["article"]["id"].as_str().unwrap().to_string())
            .collect()
    }

    fn none(&self, query: &str) {
        let (code, hits) = self.search(&["--", query]);
        assert_eq!(code, 1, "{query} found {hits:?}");
    }

    /// `article.tags` of the hits for `query`, by article id.
    fn tags(&self, query: &str) -> Vec<(String, Value)> {
        let (code, hits) = self.search(&["--", query]);
        assert_eq!(code, 0, "nothing found for {query}");
        hits.iter()
            .map(|h| {
                (
                    h["article"]["id"].as_str().unwrap().to_string(),
                    h["article"]["tags"].clone(),
                )
            })
            .collect()
    }
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

/// The summary line's "N added, U updated, D removed, C unchanged".
fn changes(out: &Output) -> String {
    let text = stdout(out);
    let line = text.lines().find(|l| l.starts_with("indexed ")).unwrap();
    let (_, tail) = line.split_once(" MB/s); ").unwrap();
    tail.split(';').next().unwrap().to_string()
}

/// Four Markdown articles: two tagged economy (one about oil, one not),
/// one about oil that says "economy" in its text but is tagged
/// environment, one about oil without tags.
fn markdown_news() -> Scratch {
    let s = Scratch::new();
    s.write(
        "prices.md",
        "---\ntitle: Oil prices climb\ntags: [Economy, World News]\n---\n\n\
         Oil prices rose sharply on Monday as traders worried about supply.\n",
    );
    s.write(
        "spill.md",
        "+++\ntitle = \"Oil spill on the coast\"\ntags = [\"environment\"]\n+++\n\n\
         An oil spill fouled beaches on Tuesday. The economy minister said nothing.\n",
    );
    s.write(
        "rates.md",
        "---\ntitle: Bank raises rates\ntags: economy\n---\n\nThe central bank raised rates again.\n",
    );
    s.write(
        "untagged.md",
        "# Oil tanker delayed\n\nA tanker full of oil waited outside the port.\n",
    );
    s.index(&[]);
    s
}

#[test]
fn markdown_front_matter_tags_are_returned_in_json() {
    let s = markdown_news();
    let mut tags = s.tags("oil");
    tags.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        tags,
        [
            ("prices.md".to_string(), json!(["Economy", "World News"])),
            ("spill.md".to_string(), json!(["environment"])),
            ("untagged.md".to_string(), json!([])),
        ]
    );
    // A comma-separated YAML string is a list too.
    assert_eq!(s.tags("bank")[0].1, json!(["economy"]));
}

#[test]
fn a_tag_restricts_the_words_it_is_written_with() {
    let s = markdown_news();
    // spill.md has both words in its text, but not the tag.
    assert_eq!(s.ids("tags:economy oil"), set(&["prices.md"]));
    // Plain words search the text, never the tags (rates.md is tagged
    // economy but does not say it).
    assert_eq!(
        s.ids("economy oil"),
        set(&["prices.md", "spill.md", "untagged.md"])
    );
    // The tag filters and scores nothing: the hit scores as for "oil"
    // alone, and only the word is highlighted.
    let (_, with_tag) = s.search(&["tags:economy oil"]);
    let (_, oil) = s.search(&["oil"]);
    let prices = oil
        .iter()
        .find(|h| h["article"]["id"] == "prices.md")
        .unwrap();
    assert_eq!(with_tag[0]["score"], prices["score"]);
    assert_eq!(with_tag[0]["highlights"], json!([[0, 3]]));

    // Alone, a tag finds every article that has it, whatever the case.
    assert_eq!(s.ids("tags:economy"), set(&["prices.md", "rates.md"]));
    assert_eq!(s.ids("tag:ECONOMY"), set(&["prices.md", "rates.md"]));
    // Tags are whole keywords: a multi-word tag is found quoted, not by a word.
    assert_eq!(s.ids("tags:\"world news\""), set(&["prices.md"]));
    assert_eq!(s.ids("tags:\"World   News\" oil"), set(&["prices.md"]));
    s.none("tags:world");
    s.none("tags:econom");
    // Not the text: "economy" in spill.md's body is no tag.
    s.none("tags:economy spill");
    // Excluded, either of two, joined by OR, and two tags at once.
    assert_eq!(
        s.ids("-tags:economy oil"),
        set(&["spill.md", "untagged.md"])
    );
    assert_eq!(
        s.ids("(tags:economy OR tags:environment) oil"),
        set(&["prices.md", "spill.md"])
    );
    assert_eq!(
        s.ids("tags:economy OR tanker"),
        set(&["prices.md", "rates.md", "untagged.md"])
    );
    assert_eq!(s.ids("tags:economy AND oil"), set(&["prices.md"]));
    assert_eq!(s.ids("tags:economy +bank"), set(&["rates.md"]));
    s.none("tags:economy tags:environment oil");
    s.none("tags:sport oil");
}

#[test]
fn article_search_and_text_output_know_tags() {
    let s = markdown_news();
    let (code, hits) = s.search(&["--by", "article", "tags:economy oil"]);
    assert_eq!(code, 0);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0]["article"]["id"], "prices.md");
    assert_eq!(hits[0]["article"]["tags"], json!(["Economy", "World News"]));
    // TREC lines rank articles the same way, tags or not.
    let trec = s.run(&["search", "--format", "trec", "tags:economy oil"]);
    let trec = stdout(&trec);
    assert_eq!(trec.lines().count(), 1, "{trec}");
    assert!(trec.starts_with("1 Q0 prices.md 1 "), "{trec}");

    let text = s.run(&["search", "--color", "never", "tags:economy oil"]);
    assert_eq!(text.status.code(), Some(0));
    assert!(
        stdout(&text).contains(" · tags: Economy, World News\n"),
        "{}",
        stdout(&text)
    );
    let untagged = s.run(&["search", "--color", "never", "tanker"]);
    assert!(
        !stdout(&untagged).contains("tags:"),
        "{}",
        stdout(&untagged)
    );
}

#[test]
fn fields_selects_article_tags() {
    let s = markdown_news();
    let (code, hits) = s.search(&["--fields", "article.tags", "tags:economy oil"]);
    assert_eq!(code, 0);
    assert_eq!(
        hits,
        [json!({"schema_version": 1, "article": {"tags": ["Economy", "World News"]}})]
    );
    let bad = s.run(&["search", "--json", "--fields", "tags", "oil"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains(r#"unknown field "tags" in --fields; did you mean "article.tags"?"#),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn json_lines_tags_and_a_mapped_tags_field() {
    let s = Scratch::new();
    s.write(
        "wire.jsonl",
        concat!(
            r#"{"id":"w1","title":"Copper climbs","body":"Copper rose on supply worries.","tags":["metals","Markets"]}"#,
            "\n",
            r#"{"id":"w2","title":"Copper mine shut","body":"A copper mine closed after a flood.","tags":"mining, accidents"}"#,
            "\n",
            r#"{"id":"w3","title":"Copper wire thefts","body":"Thieves took copper wire from the railway."}"#,
            "\n"
        ),
    );
    s.index(&[]);
    let mut tags = s.tags("copper");
    tags.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        tags,
        [
            ("w1".to_string(), json!(["metals", "Markets"])),
            ("w2".to_string(), json!(["mining", "accidents"])),
            ("w3".to_string(), json!([])),
        ]
    );
    assert_eq!(s.ids("tags:markets copper"), set(&["w1"]));
    assert_eq!(s.ids("tags:accidents copper"), set(&["w2"]));

    let m = Scratch::new();
    m.write(
        "dump.jsonl",
        concat!(
            r#"{"id":"k1","title":"Grain exports fall","body":"Grain exports fell in May.","keywords":["trade","farming"],"tags":["ignored"]}"#,
            "\n",
            r#"{"id":"k2","title":"Grain silo fire","body":"A grain silo burned overnight.","keywords":"fire"}"#,
            "\n"
        ),
    );
    m.index(&["--field", "tags=keywords"]);
    assert_eq!(
        m.tags("tags:trade grain"),
        [("k1".to_string(), json!(["trade", "farming"]))]
    );
    assert_eq!(m.ids("tags:fire grain"), set(&["k2"]));
    m.none("tags:ignored");
}

#[test]
fn html_article_tags_and_keywords() {
    let s = Scratch::new();
    s.write(
        "tagged.html",
        r#"<!DOCTYPE html><html><head><title>Storm closes port | Coast News</title>
<meta property="article:tag" content="Weather">
<meta property="article:tag" content="shipping">
<meta name="keywords" content="not, these"></head>
<body><article><h1>Storm closes port</h1><p>The storm closed the port for two days.</p></article></body></html>"#,
    );
    s.write(
        "keywords.html",
        r#"<!DOCTYPE html><html><head><title>Storm damages pier</title>
<meta name="keywords" content="weather, local news"></head>
<body><article><h1>Storm damages pier</h1><p>The storm broke the old pier in half.</p></article></body></html>"#,
    );
    s.write(
        "plain.html",
        r#"<!DOCTYPE html><html><head><title>Storm passes</title></head>
<body><article><h1>Storm passes</h1><p>The storm passed without harm.</p></article></body></html>"#,
    );
    s.index(&[]);
    let mut tags = s.tags("storm");
    tags.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        tags,
        [
            (
                "keywords.html".to_string(),
                json!(["weather", "local news"])
            ),
            ("plain.html".to_string(), json!([])),
            ("tagged.html".to_string(), json!(["Weather", "shipping"])),
        ]
    );
    assert_eq!(
        s.ids("tags:weather storm"),
        set(&["keywords.html", "tagged.html"])
    );
    assert_eq!(s.ids("tags:\"local news\" storm"), set(&["keywords.html"]));
    s.none("tags:these");
}

#[test]
fn changing_only_the_tags_re_indexes_the_article() {
    let s = Scratch::new();
    let page = |tags: &str| {
        format!(
            "---\ntitle: Harbour reopens\ntags: [{tags}]\n---\n\nThe old harbour reopened after repairs.\n"
        )
    };
    s.write("harbour.md", page("local"));
    s.write("other.md", "# Quay\n\nThe quay stays shut.\n");
    s.write(
        "dump.jsonl",
        concat!(
            r#"{"id":"j1","title":"Ferry","body":"The harbour ferry runs again.","tags":["transport"]}"#,
            "\n",
            r#"{"id":"j2","title":"Pier","body":"The harbour pier is safe.","tags":["safety"]}"#,
            "\n"
        ),
    );
    let first = s.index(&[]);
    assert_eq!(
        changes(&first),
        "4 added, 0 updated, 0 removed, 0 unchanged"
    );
    assert_eq!(s.ids("tags:local harbour"), set(&["harbour.md"]));

    s.write("harbour.md", page("local, maritime"));
    s.write(
        "dump.jsonl",
        concat!(
            r#"{"id":"j1","title":"Ferry","body":"The harbour ferry runs again.","tags":["ferries"]}"#,
            "\n",
            r#"{"id":"j2","title":"Pier","body":"The harbour pier is safe.","tags":["safety"]}"#,
            "\n"
        ),
    );
    let second = s.index(&[]);
    // Both changed files are read; of their three articles, the two whose
    // tags changed are written again.
    assert_eq!(
        changes(&second),
        "0 added, 2 updated, 0 removed, 2 unchanged"
    );
    assert_eq!(s.ids("tags:maritime harbour"), set(&["harbour.md"]));
    assert_eq!(s.ids("tags:ferries harbour"), set(&["j1"]));
    s.none("tags:transport");
    assert_eq!(s.ids("tags:safety"), set(&["j2"]));
    assert_eq!(s.tags("tags:local")[0].1, json!(["local", "maritime"]));
}
