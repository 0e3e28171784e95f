//! Plain-text articles: find the headline, metadata and body the way a
//! reader would.
//!
//! Saved news pages arrive as text with a masthead, the headline, a
//! standfirst, photo captions (often twice), the story, then site furniture
//! (comment prompts, "Read related topics") and an `Original URL:` line.
//! The headline becomes the title, the URL line becomes the url, repeated
//! lines and furniture are dropped, and the rest is the body.

use std::collections::HashSet;

use crate::Article;

/// Parses a plain-text article. `id` and `path` are set by the caller.
pub fn parse(raw: &str) -> Article {
    let mut url = None;
    let mut date = None;
    // A set, not a list: a long file has millions of lines.
    let mut seen: HashSet<&str> = HashSet::new();
    // Paragraphs of kept lines; a blank line ends a paragraph.
    let mut paragraphs: Vec<Vec<&str>> = vec![Vec::new()];
    for line in raw.lines() {
        let line = line.trim_end();
        let trimmed = line.trim();
        if trimmed.is_empty() {
            if !paragraphs.last().expect("non-empty").is_empty() {
                paragraphs.push(Vec::new());
            }
            continue;
        }
        if let Some(u) = metadata_value(trimmed, &["original url", "url", "source url", "link"])
            && url.is_none()
            && u.starts_with("http")
        {
            url = Some(u.to_string());
            continue;
        }
        if let Some(d) = metadata_value(trimmed, &["date", "published", "publication date"])
            && date.is_none()
            && d.len() < 40
        {
            date = Some(d.to_string());
            continue;
        }
        if is_furniture(trimmed) {
            continue;
        }
        // Captions and pull quotes are printed twice; index them once.
        if trimmed.chars().count() >= 20 && seen.contains(trimmed) {
            continue;
        }
        seen.insert(trimmed);
        paragraphs.last_mut().expect("non-empty").push(line);
    }
    paragraphs.retain(|p| !p.is_empty());

    // A trailing all-capitals credit line ("THE SUNDAY TIMES") is a byline.
    if paragraphs
        .last()
        .is_some_and(|p| p.len() == 1 && is_credit_line(p[0]) && paragraphs.len() > 1)
    {
        paragraphs.pop();
    }

    let mut source = None;
    let mut title = String::new();
    if let Some(first) = paragraphs.first() {
        let second_is_headline = paragraphs
            .get(1)
            .is_some_and(|p| p.len() == 1 && is_headline(p[0]) && !ends_sentence(p[0]));
        if first.len() == 1 && is_masthead(first[0]) && second_is_headline {
            source = Some(first[0].trim().to_string());
            title = paragraphs[1][0].trim().to_string();
            paragraphs.drain(..2);
        } else if first.len() == 1 && paragraphs.len() > 1 && is_headline(first[0]) {
            title = first[0].trim().to_string();
            paragraphs.remove(0);
        } else if first.len() > 1 && is_headline(first[0]) && !ends_sentence(first[0]) {
            title = first[0].trim().to_string();
            paragraphs[0].remove(0);
        }
    }

    let body = paragraphs
        .iter()
        .map(|p| p.join("\n"))
        .collect::<Vec<_>>()
        .join("\n\n");
    Article {
        title,
        body,
        url,
        date,
        source,
        ..Article::default()
    }
}

/// `Label: value` lines, label matched case-insensitively.
fn metadata_value<'a>(line: &'a str, labels: &[&str]) -> Option<&'a str> {
    let (label, value) = line.split_once(':')?;
    let label = label.trim().to_lowercase();
    labels
        .contains(&label.as_str())
        .then(|| value.trim())
        .filter(|v| !v.is_empty())
}

/// Comment prompts, share buttons and similar lines printed around articles.
pub(crate) fn is_furniture(line: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "read related topics",
        "related topics:",
        "add your comment",
        "to join the conversation",
        "join the conversation",
        "share this article",
        "share on facebook",
        "share on twitter",
        "sign up to",
        "sign up for",
        "subscribe to",
        "click here to",
        "follow us on",
        "advertisement",
        "continue reading",
        "read more:",
        "comments are closed",
        "view comments",
    ];
    let lower = line.to_lowercase();
    let lower = lower.trim();
    lower.chars().count() < 120 && PREFIXES.iter().any(|p| lower.starts_with(p))
}

fn word_count(line: &str) -> usize {
    line.split_whitespace().count()
}

fn ends_sentence(line: &str) -> bool {
    line.trim_end()
        .ends_with(['.', '!', '?', ':', ';', ',', '”', '"'])
}

/// A short brand line above the headline ("NewsBite").
fn is_masthead(line: &str) -> bool {
    word_count(line) <= 3 && !ends_sentence(line)
}

/// A line that reads as a headline: short, not a sentence fragment.
fn is_headline(line: &str) -> bool {
    let words = word_count(line);
    (1..=25).contains(&words) && !line.trim_end().ends_with([',', ';', ':'])
}

/// "THE SUNDAY TIMES", "REUTERS": capitals only, a few words.
fn is_credit_line(line: &str) -> bool {
    let letters: Vec<char> = line.chars().filter(|c| c.is_alphabetic()).collect();
    !letters.is_empty()
        && letters.iter().all(|c| c.is_uppercase())
        && word_count(line) <= 5
        && !ends_sentence(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masthead_then_headline() {
        let a = parse("NewsBite\n\nBig headline here\n\nFirst sentence. Second one.\n");
        assert_eq!(a.title, "Big headline here");
        assert_eq!(a.source.as_deref(), Some("NewsBite"));
        assert_eq!(a.body, "First sentence. Second one.");
    }

    #[test]
    fn first_line_headline() {
        let a = parse("The Headline\n\nBody paragraph one.\n\nBody two.");
        assert_eq!(a.title, "The Headline");
        assert_eq!(a.body, "Body paragraph one.\n\nBody two.");
    }

    #[test]
    fn url_line_and_furniture_are_not_body() {
        let a = parse(
            "Title\n\nText.\n\nRead related topics:Iran\n\nAdd your comment to this story\n\nOriginal URL: https://example.com/a\n",
        );
        assert_eq!(a.url.as_deref(), Some("https://example.com/a"));
        assert_eq!(a.body, "Text.");
    }

    #[test]
    fn repeated_caption_kept_once() {
        let cap = "A caption that is printed twice on the page";
        let a = parse(&format!(
            "The Headline Of It\n\nStandfirst.\n\n{cap}\n{cap}\n\nBody text."
        ));
        assert_eq!(a.body.matches(cap).count(), 1);
    }

    #[test]
    fn no_headline_in_a_single_paragraph() {
        let a = parse("Just one paragraph of text that runs on. And on.");
        assert_eq!(a.title, "");
        assert_eq!(a.body, "Just one paragraph of text that runs on. And on.");
    }
}
