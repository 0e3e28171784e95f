//! `passim serve` started on a free loopback port and queried over real
//! HTTP: the same JSON as the CLI, JSON errors for bad queries, bounds on
//! request size, a concurrent load, new commits seen without a restart, and
//! a clean stop on SIGTERM.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Indexed, passim};
use serde_json::Value;

/// A running `passim serve` on port 0 (the OS picks a free port).
struct Server {
    child: Child,
    base: String,
    agent: ureq::Agent,
}

impl Server {
    fn start(idx: &Indexed) -> Server {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("passim"))
            .env_remove("PASSIM_INDEX")
            .arg("--index")
            .arg(idx.index())
            .args(["serve", "--addr", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let addr = first
            .trim()
            .strip_prefix("passim: listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .to_string();
        Server {
            child,
            base: format!("http://{addr}"),
            agent: agent(),
        }
    }

    fn addr(&self) -> &str {
        self.base.trim_start_matches("http://")
    }

    /// GET `path` with `query` parameters; returns the status and the JSON body.
    fn get(&self, path: &str, query: &[(&str, &str)]) -> (u16, Value) {
        get(&self.agent, &format!("{}{path}", self.base), query)
    }

    /// Sends SIGTERM and waits; returns the exit code and stderr.
    fn stop(mut self) -> (Option<i32>, String) {
        let pid = self.child.id().to_string();
        let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(killed.success());
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                let mut err = String::new();
                self.child
                    .stderr
                    .take()
                    .unwrap()
                    .read_to_string(&mut err)
                    .unwrap();
                return (status.code(), err);
            }
            assert!(
                Instant::now() < deadline,
                "the server did not stop on SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // A test that failed before stop(): do not leave the server running.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

fn get(agent: &ureq::Agent, url: &str, query: &[(&str, &str)]) -> (u16, Value) {
    let mut req = agent.get(url);
    for (k, v) in query {
        req = req.query(*k, *v);
    }
    let mut resp = req.call().unwrap();
    let status = resp.status().as_u16();
    let text = resp.body_mut().read_to_string().unwrap();
    let body = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text:?}"));
    (status, body)
}

/// Sends raw bytes and returns the status line of the answer ("" if the
/// server closed the connection first).
fn raw(addr: &str, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    // The server may answer and close before reading everything.
    let _ = stream.write_all(request);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer)
        .lines()
        .next()
        .unwrap_or("")
        .to_string()
}

fn error_code(body: &Value) -> &str {
    assert_eq!(body["schema_version"], 1, "{body}");
    body["error"]["code"].as_str().unwrap()
}

#[test]
fn answers_with_the_cli_json_and_json_errors() {
    let idx = Indexed::samples();
    let server = Server::start(&idx);

    let (status, body) = server.get("/search", &[("q", "crime gangs"), ("limit", "5")]);
    assert_eq!(status, 200);
    assert_eq!(body["schema_version"], 1);
    assert_eq!(body["query"], "crime gangs");
    assert_eq!(body["by"], "passage");
    let cli = idx.search_json(&["-n", "5", "crime gangs"], 0);
    assert_eq!(body["hits"].as_array().unwrap(), &cli);

    let (status, body) = server.get(
        "/search",
        &[
            ("q", "QUDS force"),
            ("by", "article"),
            ("limit", "2"),
            ("offset", "0"),
            ("per_article", "2"),
            ("snippet_chars", "60"),
            ("pre", "<b>"),
            ("post", "</b>"),
            ("fields", "rank,article.id,passages.formatted"),
        ],
    );
    assert_eq!(status, 200);
    let cli = idx.search_json(
        &[
            "--by",
            "article",
            "-n",
            "2",
            "--per-article",
            "2",
            "--snippet-chars",
            "60",
            "--pre",
            "<b>",
            "--post",
            "</b>",
            "--fields",
            "rank,article.id,passages.formatted",
            "QUDS force",
        ],
        0,
    );
    assert_eq!(body["hits"].as_array().unwrap(), &cli);
    assert!(
        cli[0]["passages"][0]["formatted"]
            .as_str()
            .unwrap()
            .contains("<b>QUDS</b>")
    );

    // A lenient parse still answers, with the warning.
    let (status, body) = server.get("/search", &[("q", "\"QUDS force")]);
    assert_eq!(status, 200);
    assert!(
        body["warnings"][0]
            .as_str()
            .unwrap()
            .contains("syntax error")
    );

    for (query, code) in [
        (vec![("q", "")], "bad_query"),
        (vec![], "bad_query"),
        (vec![("q", "-Albania")], "bad_query"),
        (vec![("q", "iran"), ("limit", "5000")], "out_of_range"),
        (vec![("q", "iran"), ("offset", "1000000")], "out_of_range"),
        (vec![("q", "iran"), ("limit", "ten")], "bad_request"),
        (vec![("q", "iran"), ("limt", "3")], "bad_request"),
        (vec![("q", "iran"), ("by", "sentence")], "bad_request"),
        (vec![("q", "iran"), ("fields", "rnak")], "bad_fields"),
        (vec![("q", "iran"), ("snippet_chars", "0")], "out_of_range"),
        (vec![("q", "iran"), ("per_article", "0")], "out_of_range"),
    ] {
        let (status, body) = server.get("/search", &query);
        assert_eq!(status, 400, "{query:?}: {body}");
        assert_eq!(error_code(&body), code, "{query:?}: {body}");
        assert!(!body["error"]["message"].as_str().unwrap().is_empty());
    }
    let (_, body) = server.get("/search", &[("q", "-Albania")]);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("only excludes")
    );
    let long = "iran ".repeat(300);
    let (status, body) = server.get("/search", &[("q", &long)]);
    assert_eq!((status, error_code(&body)), (400, "query_too_long"));

    let (status, body) = server.get("/nowhere", &[]);
    assert_eq!((status, error_code(&body)), (404, "not_found"));
    let resp = server
        .agent
        .post(format!("{}/search", server.base))
        .send("q=iran")
        .unwrap();
    assert_eq!(resp.status().as_u16(), 405);
}

#[test]
fn serves_articles_stats_and_health() {
    let idx = Indexed::samples();
    let server = Server::start(&idx);
    let (status, body) = server.get("/health", &[]);
    assert_eq!((status, body["status"].as_str()), (200, Some("ok")));

    let (status, article) = server.get("/articles/004_d5dc64d26e229a99.txt", &[]);
    assert_eq!(status, 200);
    assert_eq!(article["schema_version"], 1);
    assert_eq!(
        article["article"]["title"],
        "The Iranian Operations Against MEK"
    );
    let passages = article["passages"].as_array().unwrap();
    assert!(passages.len() > 10);
    for (i, p) in passages.iter().enumerate() {
        assert_eq!(p["ordinal"], i);
        let len = p["end"].as_u64().unwrap() - p["start"].as_u64().unwrap();
        assert_eq!(len as usize, p["text"].as_str().unwrap().len());
    }
    // Passages follow each other through the body without overlap.
    for w in passages.windows(2) {
        assert!(w[0]["end"].as_u64() <= w[1]["start"].as_u64());
    }
    let (status, body) = server.get("/articles/no-such-article", &[]);
    assert_eq!((status, error_code(&body)), (404, "not_found"));

    let (status, stats) = server.get("/stats", &[]);
    assert_eq!(status, 200);
    assert_eq!(stats["schema_version"], 1);
    assert_eq!(stats["articles"], 2);
    let (_, other) = server.get("/articles/000_2e89293e2f7208e5.txt", &[]);
    let total = passages.len() + other["passages"].as_array().unwrap().len();
    assert_eq!(stats["passages"], total);
    assert_eq!(
        stats["meta"]["format_version"],
        passim::index::FORMAT_VERSION
    );
    assert!(stats["bytes"].as_u64().unwrap() > 0);
    // The keys of `passim stats --json`, with the same values.
    assert_eq!(stats["size_bytes"], stats["bytes"]);
    assert_eq!(stats["format_version"], stats["meta"]["format_version"]);
    assert_eq!(stats["passage"], stats["meta"]["passage"]);
    assert_eq!(stats["created"], stats["meta"]["created"]);
    assert_eq!(stats["last_update"], stats["meta"]["updated"]);
    let out = passim()
        .arg("--index")
        .arg(idx.index())
        .args(["stats", "--json"])
        .output()
        .unwrap();
    let cli: Value = serde_json::from_slice(&out.stdout).unwrap();
    for (key, value) in cli.as_object().unwrap() {
        assert_eq!(&stats[key], value, "{key}");
    }
}

#[test]
fn tags_come_back_as_the_cli_prints_them() {
    let input = tempfile::tempdir().unwrap();
    let dump = input.path().join("wire.jsonl");
    std::fs::write(
        &dump,
        concat!(
            r#"{"id":"w/1","title":"Oil prices climb","body":"Oil rose on Monday.","tags":["economy","world news"]}"#,
            "\n",
            r#"{"id":"w/2","title":"Oil spill","body":"Oil fouled the economy of the coast."}"#,
            "\n"
        ),
    )
    .unwrap();
    let idx = Indexed::of(&[dump]);
    let server = Server::start(&idx);
    for by in ["passage", "article"] {
        let (status, body) = server.get("/search", &[("q", "tags:economy oil"), ("by", by)]);
        assert_eq!(status, 200, "{body}");
        let hits = body["hits"].as_array().unwrap();
        let cli = idx.search_json(&["--by", by, "tags:economy oil"], 0);
        assert_eq!(hits, &cli);
        assert_eq!(hits.len(), 1, "{body}");
        assert_eq!(
            hits[0]["article"]["tags"],
            serde_json::json!(["economy", "world news"])
        );
    }
    let (_, body) = server.get(
        "/search",
        &[("q", "oil"), ("fields", "article.id,article.tags")],
    );
    let mut tags: Vec<String> = body["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["article"].to_string())
        .collect();
    tags.sort();
    assert_eq!(
        tags,
        [
            r#"{"id":"w/1","tags":["economy","world news"]}"#,
            r#"{"id":"w/2","tags":[]}"#
        ]
    );
    let (status, article) = server.get("/articles/w/1", &[]);
    assert_eq!(status, 200);
    assert_eq!(
        article["article"]["tags"],
        serde_json::json!(["economy", "world news"])
    );
}

#[test]
fn oversized_requests_are_refused_and_the_server_stays_up() {
    let idx = Indexed::samples();
    let server = Server::start(&idx);
    // A request target over the limit.
    let huge = "x".repeat(passim::serve::MAX_URI_BYTES + 10);
    let (status, body) = server.get("/search", &[("q", &huge)]);
    assert_eq!((status, error_code(&body)), (414, "uri_too_long"));
    // A declared body over the limit.
    let status = raw(
        server.addr(),
        b"GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\nConnection: close\r\n\r\n",
    );
    assert!(status.starts_with("HTTP/1.1 413"), "{status:?}");
    // Headers far over any sane size: refused by the HTTP stack.
    let mut bomb = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ".to_vec();
    bomb.extend(std::iter::repeat_n(b'a', 2_000_000));
    bomb.extend_from_slice(b"\r\n\r\n");
    let status = raw(server.addr(), &bomb);
    assert!(
        status.is_empty() || status.starts_with("HTTP/1.1 431"),
        "{status:?}"
    );
    assert_eq!(server.get("/health", &[]).0, 200);
}

#[test]
fn two_thousand_requests_over_sixteen_connections_all_succeed() {
    let idx = Indexed::samples();
    let server = Server::start(&idx);
    let words = [
        "Iran",
        "gangs",
        "\"QUDS force\"",
        "Alinejad",
        "MEK",
        "crime",
        "Tehran",
        "assassin*",
        "title:MEK",
        "police",
        "Albania",
        "regime",
    ];
    let (_, expected) = server.get("/search", &[("q", "Iran"), ("limit", "3")]);
    let started = Instant::now();
    let results: Vec<(usize, usize)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..16)
            .map(|t| {
                let base = server.base.clone();
                let expected = &expected;
                s.spawn(move || {
                    let agent = agent();
                    let (mut ok, mut checked) = (0, 0);
                    for i in 0..125 {
                        let q = words[(t + i) % words.len()];
                        let by = if i % 3 == 0 { "article" } else { "passage" };
                        let (status, body) = get(
                            &agent,
                            &format!("{base}/search"),
                            &[("q", q), ("limit", "3"), ("by", by)],
                        );
                        assert_eq!(status, 200, "{q}: {body}");
                        assert!(!body["hits"].as_array().unwrap().is_empty(), "{q}");
                        if q == "Iran" && by == "passage" {
                            assert_eq!(&body, expected);
                            checked += 1;
                        }
                        ok += 1;
                    }
                    (ok, checked)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let ok: usize = results.iter().map(|r| r.0).sum();
    let checked: usize = results.iter().map(|r| r.1).sum();
    assert_eq!(ok, 2000);
    assert!(checked > 50);
    eprintln!("2000 requests in {:.2?}", started.elapsed());
}

#[test]
fn sees_new_commits_and_stops_cleanly_on_sigterm() {
    let idx = Indexed::samples();
    let server = Server::start(&idx);
    let (_, before) = server.get("/search", &[("q", "okapi")]);
    assert!(before["hits"].as_array().unwrap().is_empty());

    let new = idx.dir.path().join("new");
    std::fs::create_dir(&new).unwrap();
    std::fs::write(
        new.join("okapi.txt"),
        "Okapi sighted in Ituri\n\nRangers in the Ituri forest filmed an okapi at dawn.\n",
    )
    .unwrap();
    idx.cmd().arg("index").arg(&new).assert().success();

    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, body) = server.get("/search", &[("q", "okapi")]);
        assert_eq!(status, 200);
        if let Some(hit) = body["hits"].as_array().unwrap().first() {
            assert_eq!(hit["article"]["id"], "okapi.txt");
            break;
        }
        assert!(Instant::now() < deadline, "the new commit was never seen");
        std::thread::sleep(Duration::from_millis(100));
    }
    let (_, stats) = server.get("/stats", &[]);
    assert_eq!(stats["articles"], 3);

    let (code, err) = server.stop();
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("shut down"), "{err}");
}

#[test]
fn refuses_a_missing_index_and_a_taken_port() {
    let dir = tempfile::tempdir().unwrap();
    passim()
        .arg("--index")
        .arg(dir.path().join("none"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no passim index at"));
    let idx = Indexed::samples();
    let server = Server::start(&idx);
    idx.cmd()
        .args(["serve", "--addr", server.addr()])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(format!(
            "cannot listen on {}",
            server.addr()
        )));
}
