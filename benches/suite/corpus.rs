//! The benchmark corpus: `news-all` (Reuters-21578, 20 Newsgroups and BBC
//! News together), its 25% and 50% prefixes and a 4x replica, written as
//! JSON Lines for passim and FTS5 and as one text file per article for
//! ripgrep.

use std::fs::{self, File};
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

/// The corpora that make up news-all, as folders of `../shared/corpora`.
pub const SOURCES: &[&str] = &["reuters21578", "20newsgroups", "bbc-news"];

/// Seed of the shuffle that interleaves the three corpora, so that every
/// prefix (the 25% and 50% scales) holds all three in proportion.
const SHUFFLE_SEED: u64 = 21578;

/// One article as the bench writes it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Article {
    pub id: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub body: String,
}

impl Article {
    /// Bytes of article text: title plus body, as the corpora READMEs count it.
    pub fn text_bytes(&self) -> u64 {
        (self.title.len() + self.body.len()) as u64
    }
}

/// A size of the corpus to measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scale {
    /// Percent of news-all: 25, 50, 100 or 400.
    pub percent: u32,
}

impl Scale {
    pub fn name(&self) -> String {
        match self.percent {
            100 => "news-all".into(),
            400 => "news-all x4".into(),
            p => format!("news-all {p}%"),
        }
    }

    fn file_stem(&self) -> String {
        format!("news-{}", self.percent)
    }
}

/// One scale of the corpus, written to disk.
#[derive(Debug, Clone)]
pub struct Dataset {
    pub scale: Scale,
    /// The JSON Lines file passim and FTS5 index.
    pub jsonl: PathBuf,
    /// Folders of one text file per article, for ripgrep.
    pub text_dirs: Vec<PathBuf>,
    pub articles: u64,
    /// Title + body bytes.
    pub text_bytes: u64,
}

/// Finds `corpus.jsonl.gz` (or `corpus.jsonl`) of each source, or says
/// which one is missing.
pub fn find_sources(corpora: &Path) -> Result<Vec<(String, PathBuf)>, String> {
    let mut out = Vec::new();
    for name in SOURCES {
        let dir = corpora.join(name);
        let found = ["corpus.jsonl.gz", "corpus.jsonl"]
            .iter()
            .map(|f| dir.join(f))
            .find(|p| p.is_file());
        match found {
            Some(p) => out.push((name.to_string(), p)),
            None => return Err(format!("{}/corpus.jsonl(.gz) is absent", dir.display())),
        }
    }
    Ok(out)
}

/// Reads the three corpora into one list, ids prefixed with the corpus
/// name (`reuters21578/1`), shuffled with a fixed seed.
pub fn load_news_all(sources: &[(String, PathBuf)]) -> Result<Vec<Article>> {
    let mut all = Vec::new();
    for (name, path) in sources {
        let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        let reader: Box<dyn Read> = if path.extension().is_some_and(|e| e == "gz") {
            Box::new(flate2::read::MultiGzDecoder::new(file))
        } else {
            Box::new(file)
        };
        for (i, line) in BufReader::new(reader).lines().enumerate() {
            let line = line.with_context(|| format!("{}: line {}", path.display(), i + 1))?;
            if line.trim().is_empty() {
                continue;
            }
            let mut a: Article = serde_json::from_str(&line)
                .with_context(|| format!("{}: line {}", path.display(), i + 1))?;
            if a.title.trim().is_empty() && a.body.trim().is_empty() {
                continue;
            }
            a.id = format!("{name}/{}", a.id);
            all.push(a);
        }
    }
    if all.is_empty() {
        bail!("the corpora hold no articles");
    }
    fastrand::Rng::with_seed(SHUFFLE_SEED).shuffle(&mut all);
    Ok(all)
}

/// The articles of `scale`: a prefix of news-all, or copies of it whose ids
/// carry a `~2`, `~3`, ... suffix.
pub fn articles_at(all: &[Article], scale: Scale) -> impl Iterator<Item = Article> + '_ {
    let copies = (scale.percent / 100).max(1) as usize;
    let take = if scale.percent >= 100 {
        all.len()
    } else {
        all.len() * scale.percent as usize / 100
    };
    (0..copies).flat_map(move |copy| {
        all[..take].iter().map(move |a| {
            let mut a = a.clone();
            if copy > 0 {
                a.id = format!("{}~{}", a.id, copy + 1);
            }
            a
        })
    })
}

/// Writes the JSON Lines file of every scale and the ripgrep text folders.
///
/// Text files are laid out so scales share them: `text/q1`..`text/q4` hold
/// the four quarters of news-all, `text/copy2`..`text/copy4` the replicas;
/// a scale searches the folders it covers. They are rewritten only when the
/// corpus changes (a stamp file records what was written).
pub fn write_datasets(
    all: &[Article],
    scales: &[Scale],
    data: &Path,
    with_text: bool,
) -> Result<Vec<Dataset>> {
    fs::create_dir_all(data)?;
    let mut out = Vec::new();
    for &scale in scales {
        let jsonl = data.join(format!("{}.jsonl", scale.file_stem()));
        let mut w = BufWriter::new(File::create(&jsonl)?);
        let (mut articles, mut text_bytes) = (0u64, 0u64);
        for a in articles_at(all, scale) {
            serde_json::to_writer(&mut w, &a)?;
            w.write_all(b"\n")?;
            articles += 1;
            text_bytes += a.text_bytes();
        }
        w.flush()?;
        out.push(Dataset {
            scale,
            jsonl,
            text_dirs: text_dirs_for(data, scale),
            articles,
            text_bytes,
        });
    }
    if with_text {
        write_text_files(all, scales, data)?;
    }
    Ok(out)
}

fn text_dirs_for(data: &Path, scale: Scale) -> Vec<PathBuf> {
    let text = data.join("text");
    let quarters = if scale.percent >= 100 {
        4
    } else {
        (scale.percent / 25).max(1)
    };
    let mut dirs: Vec<PathBuf> = (1..=quarters).map(|q| text.join(format!("q{q}"))).collect();
    for copy in 2..=(scale.percent / 100) {
        dirs.push(text.join(format!("copy{copy}")));
    }
    dirs
}

fn write_text_files(all: &[Article], scales: &[Scale], data: &Path) -> Result<()> {
    let text = data.join("text");
    let copies = scales
        .iter()
        .map(|s| (s.percent / 100).max(1))
        .max()
        .unwrap_or(1);
    let stamp_path = text.join("stamp");
    let total: u64 = all.iter().map(Article::text_bytes).sum();
    let corpus_line = format!("corpus: {} articles, {} bytes", all.len(), total);
    let old = fs::read_to_string(&stamp_path).unwrap_or_default();
    let mut old_lines = old.lines();
    let old_copies = old_lines
        .nth(1)
        .and_then(|l| l.strip_prefix("copies: "))
        .and_then(|c| c.parse::<u32>().ok());
    // The same corpus with at least as many replicas is already on disk.
    if old.lines().next() == Some(corpus_line.as_str()) && old_copies.is_some_and(|c| c >= copies) {
        return Ok(());
    }
    eprintln!("bench: writing one text file per article for ripgrep ...");
    if text.exists() {
        fs::remove_dir_all(&text)?;
    }
    let n = all.len();
    for (i, a) in all.iter().enumerate() {
        // Quarter q ends where the (25 * q)% prefix of `articles_at` ends.
        let q = (1..=4).find(|q| i < n * 25 * q / 100).unwrap_or(4);
        write_text(&text.join(format!("q{q}")), &a.id, a)?;
        for copy in 2..=copies {
            write_text(
                &text.join(format!("copy{copy}")),
                &format!("{}~{copy}", a.id),
                a,
            )?;
        }
    }
    fs::write(&stamp_path, format!("{corpus_line}\ncopies: {copies}\n"))?;
    Ok(())
}

fn write_text(dir: &Path, id: &str, a: &Article) -> Result<()> {
    let safe: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-/~".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let safe = safe.replace("..", "__");
    let path = dir.join(format!("{safe}.txt"));
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    let mut f = BufWriter::new(File::create(&path)?);
    f.write_all(a.title.as_bytes())?;
    f.write_all(b"\n\n")?;
    f.write_all(a.body.as_bytes())?;
    f.flush()?;
    Ok(())
}
