//! Shared helpers for the CLI tests: run the real `passim` binary on real
//! files in a temporary folder.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

/// The shipped sample articles.
pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
}

/// `../shared/corpora/NAME/FILE` if present (CI has it; a bare clone may not).
pub fn shared_corpus(name: &str, file: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpora")
        .join(name)
        .join(file);
    if p.is_file() {
        Some(p)
    } else {
        eprintln!("skipped: {} is absent", p.display());
        None
    }
}

/// A `passim` command with colour and the environment's index unset.
pub fn passim() -> Command {
    let mut cmd = Command::cargo_bin("passim").expect("binary builds");
    cmd.env_remove("PASSIM_INDEX").env_remove("NO_COLOR");
    cmd
}

/// A temporary folder with an index built from `data/` at `<tmp>/index`.
pub struct Indexed {
    pub dir: TempDir,
}

impl Indexed {
    /// Indexes the sample articles.
    pub fn samples() -> Indexed {
        Indexed::of(&[data_dir()])
    }

    /// Indexes the given paths.
    pub fn of(paths: &[PathBuf]) -> Indexed {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = passim()
            .arg("--index")
            .arg(dir.path().join("index"))
            .arg("index")
            .args(paths)
            .output()
            .expect("runs");
        assert!(
            out.status.success(),
            "indexing failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Indexed { dir }
    }

    pub fn index(&self) -> PathBuf {
        self.dir.path().join("index")
    }

    /// `passim --index <index> ARGS...`
    pub fn cmd(&self) -> Command {
        let mut cmd = passim();
        cmd.arg("--index").arg(self.index());
        cmd
    }

    /// Runs `search --json ARGS...`, asserting exit status `code`, and parses the lines.
    pub fn search_json(&self, args: &[&str], code: i32) -> Vec<Value> {
        let out = self
            .cmd()
            .arg("search")
            .arg("--json")
            .args(args)
            .output()
            .expect("runs");
        assert_eq!(
            out.status.code(),
            Some(code),
            "stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .expect("utf-8")
            .lines()
            .map(|l| serde_json::from_str(l).expect("each line is JSON"))
            .collect()
    }
}

/// The highlighted substrings of a JSON hit.
pub fn highlighted(hit: &Value) -> Vec<String> {
    let text = hit["passage"]["text"].as_str().expect("text");
    hit["highlights"]
        .as_array()
        .expect("highlights")
        .iter()
        .map(|r| {
            let (s, e) = (
                r[0].as_u64().unwrap() as usize,
                r[1].as_u64().unwrap() as usize,
            );
            assert!(
                text.is_char_boundary(s) && text.is_char_boundary(e),
                "range {s}..{e} not on char boundary"
            );
            text[s..e].to_string()
        })
        .collect()
}
