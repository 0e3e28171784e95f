//! Shared helpers for the CLI tests: run the real `passim` binary on real
//! files in a temporary folder.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

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
        Indexed::of_with(paths, &[])
    }

    /// Indexes the given paths with more `passim index` options.
    pub fn of_with(paths: &[PathBuf], options: &[&str]) -> Indexed {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = passim()
            .arg("--index")
            .arg(dir.path().join("index"))
            .arg("index")
            .args(options)
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
    sliced(
        hit["passage"]["text"].as_str().expect("text"),
        &hit["highlights"],
    )
}

/// The substrings of `text` that `ranges` (`[[start, end], ...]`, byte
/// offsets on character boundaries) slice.
pub fn sliced(text: &str, ranges: &Value) -> Vec<String> {
    ranges
        .as_array()
        .expect("ranges")
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

/// Standard output of a finished command, as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Standard error of a finished command, as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The `passim index` summary line in `out`'s standard output.
fn summary(out: &Output) -> String {
    let text = stdout(out);
    text.lines()
        .find(|l| l.starts_with("indexed "))
        .unwrap_or_else(|| panic!("no summary in {text:?}"))
        .to_string()
}

/// The leading numbers of the comma-separated parts of `part`.
fn counts(part: &str) -> Vec<u64> {
    part.split(", ")
        .map(|p| p.split(' ').next().unwrap().parse().unwrap())
        .collect()
}

/// The summary line's (added, updated, removed, unchanged).
pub fn changes(out: &Output) -> (u64, u64, u64, u64) {
    let line = summary(out);
    let (_, tail) = line.split_once(" MB/s); ").unwrap();
    let n = counts(tail.split(';').next().unwrap());
    (n[0], n[1], n[2], n[3])
}

/// The summary line's (skipped, errors, warnings).
pub fn problems(out: &Output) -> (u64, u64, u64) {
    let n = counts(summary(out).rsplit("; ").next().unwrap());
    (n[0], n[1], n[2])
}

/// A temporary folder with input files under `in/` and an index at `idx/`.
/// Test files add the helpers they need in their own `impl Scratch`.
pub struct Scratch {
    pub dir: TempDir,
}

impl Scratch {
    pub fn new() -> Scratch {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("in")).unwrap();
        Scratch { dir }
    }

    pub fn input(&self) -> PathBuf {
        self.dir.path().join("in")
    }

    pub fn index_dir(&self) -> PathBuf {
        self.dir.path().join("idx")
    }

    /// Writes `in/NAME`, creating folders.
    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.input().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        path
    }

    pub fn remove(&self, name: &str) {
        std::fs::remove_file(self.input().join(name)).unwrap();
    }

    /// `passim --index idx`
    pub fn cmd(&self) -> Command {
        let mut cmd = passim();
        cmd.arg("--index").arg(self.index_dir());
        cmd
    }
}
