//! Saved web pages: the article's headline, metadata and body text, without
//! the page around it.
//!
//! The page is parsed with a real HTML parser (html5ever, through
//! `scraper`), so entities are decoded and broken markup is repaired the
//! way browsers do it. Metadata comes from what publishers put in the
//! `<head>` for link previews (`og:title`, `article:published_time`,
//! `<link rel="canonical">`), falling back to `<title>`, `<h1>` and
//! `<time datetime>`. The body is the text of the `<article>` (or
//! `itemprop="articleBody"`, `<main>`, `<body>`), with scripts, styles,
//! navigation, headers, footers, asides, forms and comment/share/related
//! blocks left out, one paragraph per block element, paragraphs separated
//! by blank lines so that passage cutting sees them.

use std::sync::LazyLock;

use ego_tree::NodeRef;
use ego_tree::iter::Edge;
use scraper::{ElementRef, Html, Node, Selector};

use super::text::is_furniture;
use crate::Article;

struct Selectors {
    og_title: Selector,
    twitter_title: Selector,
    title: Selector,
    h1: Selector,
    site_name: Selector,
    published: Vec<Selector>,
    time: Selector,
    canonical: Selector,
    og_url: Selector,
    article_body: Selector,
    article: Selector,
    main: Selector,
    body: Selector,
    paragraph: Selector,
    article_tag: Selector,
    keywords: Selector,
}

fn sel(css: &str) -> Selector {
    Selector::parse(css).expect("static selector parses")
}

static SEL: LazyLock<Selectors> = LazyLock::new(|| Selectors {
    og_title: sel(r#"meta[property="og:title"]"#),
    twitter_title: sel(r#"meta[name="twitter:title"]"#),
    title: sel("title"),
    h1: sel("h1"),
    site_name: sel(r#"meta[property="og:site_name"]"#),
    published: [
        r#"meta[property="article:published_time"]"#,
        r#"meta[name="article:published_time"]"#,
        r#"meta[itemprop="datePublished"]"#,
        r#"meta[name="date"]"#,
        r#"meta[name="pubdate"]"#,
        r#"meta[name="DC.date"]"#,
        r#"meta[name="dc.date"]"#,
    ]
    .into_iter()
    .map(sel)
    .collect(),
    time: sel("time[datetime]"),
    canonical: sel(r#"link[rel="canonical"]"#),
    og_url: sel(r#"meta[property="og:url"]"#),
    article_body: sel(r#"[itemprop="articleBody"]"#),
    article: sel("article"),
    main: sel(r#"main, [role="main"]"#),
    body: sel("body"),
    paragraph: sel("p"),
    article_tag: sel(r#"meta[property="article:tag"]"#),
    keywords: sel(r#"meta[name="keywords"]"#),
});

/// Separators between a headline and the site name in `<title>`.
const TITLE_SEPARATORS: &[&str] = &[" | ", " - ", " – ", " — ", " :: ", " · ", " » "];

/// Parses a saved web page. `id` and `path` are set by the caller.
///
/// ```
/// let page = r#"<html><head><title>Rates rise | Daily Planet</title></head>
///   <body><nav>Home | World</nav><article><h1>Rates rise</h1>
///   <p>The bank raised rates.</p><p>Markets fell &amp; recovered.</p></article>
///   <footer>© Daily Planet</footer></body></html>"#;
/// let a = passim::read::html::parse(page);
/// assert_eq!(a.title, "Rates rise");
/// assert_eq!(a.source.as_deref(), Some("Daily Planet"));
/// assert_eq!(a.body, "The bank raised rates.\n\nMarkets fell & recovered.");
/// ```
pub fn parse(raw: &str) -> Article {
    let doc = Html::parse_document(raw);
    let root = content_root(&doc);

    let site = meta_content(&doc, &SEL.site_name);
    let title_tag = doc
        .select(&SEL.title)
        .next()
        .map(|t| collapse(&t.text().collect::<String>()))
        .filter(|t| !t.is_empty());
    let (title_tag, title_suffix) = match &title_tag {
        Some(t) => {
            let (head, site) = split_site(t, site.as_deref());
            (Some(head), site)
        }
        None => (None, None),
    };
    let og_title = meta_content(&doc, &SEL.og_title)
        .or_else(|| meta_content(&doc, &SEL.twitter_title))
        .map(|t| split_site(&t, site.as_deref()).0);
    let h1_in_root = root.select(&SEL.h1).next().map(element_text);
    let h1_anywhere = doc.select(&SEL.h1).next().map(element_text);
    // Publishers write og:title for link previews, so it is the cleanest;
    // the article's own <h1> is next; <title> carries site furniture.
    let title = [og_title, h1_in_root, title_tag, h1_anywhere]
        .into_iter()
        .flatten()
        .find(|t| !t.is_empty())
        .unwrap_or_default();

    let date = SEL
        .published
        .iter()
        .find_map(|s| meta_content(&doc, s))
        .or_else(|| first_attr(root.select(&SEL.time), "datetime"))
        .or_else(|| first_attr(doc.select(&SEL.time), "datetime"));
    let url =
        first_attr(doc.select(&SEL.canonical), "href").or_else(|| meta_content(&doc, &SEL.og_url));

    let mut tags: Vec<String> = doc
        .select(&SEL.article_tag)
        .filter_map(|e| e.attr("content"))
        .map(collapse)
        .filter(|t| !t.is_empty())
        .collect();
    if tags.is_empty()
        && let Some(k) = meta_content(&doc, &SEL.keywords)
    {
        tags = k
            .split(',')
            .map(collapse)
            .filter(|t| !t.is_empty())
            .collect();
    }

    let mut paragraphs = body_paragraphs(root);
    paragraphs.retain(|p| !is_furniture(p));
    // The headline is the title, not a passage.
    if let Some(i) = paragraphs.iter().position(|p| *p == title) {
        paragraphs.remove(i);
    }

    Article {
        title,
        body: paragraphs.join("\n\n"),
        url,
        date,
        source: site.or(title_suffix),
        tags,
        ..Article::default()
    }
}

/// The text paragraphs of an HTML fragment (an HTML block in Markdown).
pub(crate) fn fragment_paragraphs(html: &str) -> Vec<String> {
    let doc = Html::parse_fragment(html);
    body_paragraphs(doc.root_element())
}

/// The element holding the article: the `articleBody`, else the `<article>`
/// with the most paragraph text, else `<main>`, else `<body>`.
fn content_root(doc: &Html) -> ElementRef<'_> {
    if let Some(e) = doc.select(&SEL.article_body).find(|e| text_len(**e) > 0) {
        return e;
    }
    if let Some(e) = doc.select(&SEL.article).max_by_key(|a| {
        a.select(&SEL.paragraph)
            .map(|p| text_len(*p))
            .sum::<usize>()
    }) {
        return e;
    }
    doc.select(&SEL.main)
        .next()
        .or_else(|| doc.select(&SEL.body).next())
        .unwrap_or_else(|| doc.root_element())
}

/// The text of the paragraphs under `root`, whitespace collapsed, noise left out.
fn body_paragraphs(root: ElementRef<'_>) -> Vec<String> {
    let root_len = text_len(*root);
    let mut out = Paragraphs::default();
    // The node whose subtree is being left out, if any.
    let mut skipping = None;
    let mut pre_depth = 0usize;
    for edge in root.traverse() {
        match edge {
            Edge::Open(node) => {
                if skipping.is_some() {
                    continue;
                }
                match node.value() {
                    Node::Text(t) => out.text(t, pre_depth > 0),
                    Node::Element(el) => {
                        if node.id() != root.id() && is_noise(node, el, root_len) {
                            skipping = Some(node.id());
                            continue;
                        }
                        match el.name() {
                            "br" => out.line_break(),
                            "td" | "th" => out.space(),
                            "pre" => {
                                out.end_paragraph();
                                pre_depth += 1;
                            }
                            name if is_block(name) => out.end_paragraph(),
                            _ => {}
                        }
                    }
                    _ => {}
                }
            }
            Edge::Close(node) => {
                if let Some(id) = skipping {
                    if id == node.id() {
                        skipping = None;
                    }
                    continue;
                }
                if let Node::Element(el) = node.value() {
                    if el.name() == "pre" {
                        pre_depth = pre_depth.saturating_sub(1);
                        out.end_paragraph();
                    } else if is_block(el.name()) {
                        out.end_paragraph();
                    }
                }
            }
        }
    }
    out.end_paragraph();
    out.done
}

/// Builds paragraphs from text nodes, collapsing white space as a browser would.
#[derive(Default)]
struct Paragraphs {
    done: Vec<String>,
    current: String,
    pending_space: bool,
}

impl Paragraphs {
    fn text(&mut self, text: &str, preformatted: bool) {
        if preformatted {
            self.current.push_str(&text.replace('\r', ""));
            self.pending_space = false;
            return;
        }
        for c in text.chars() {
            if c.is_whitespace() {
                self.pending_space = true;
            } else {
                if self.pending_space && !self.current.is_empty() && !self.current.ends_with('\n') {
                    self.current.push(' ');
                }
                self.pending_space = false;
                self.current.push(c);
            }
        }
    }

    fn space(&mut self) {
        self.pending_space = true;
    }

    fn line_break(&mut self) {
        let trimmed = self.current.trim_end().len();
        self.current.truncate(trimmed);
        if !self.current.is_empty() {
            self.current.push('\n');
        }
        self.pending_space = false;
    }

    fn end_paragraph(&mut self) {
        let p = self.current.trim();
        if !p.is_empty() {
            // Blank lines inside <pre> would otherwise end up inside one
            // "paragraph"; keep them as the paragraph breaks they are.
            for part in p.split("\n\n").map(str::trim).filter(|s| !s.is_empty()) {
                self.done.push(part.to_string());
            }
        }
        self.current.clear();
        self.pending_space = false;
    }
}

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "blockquote"
            | "caption"
            | "dd"
            | "details"
            | "div"
            | "dl"
            | "dt"
            | "figcaption"
            | "figure"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "hgroup"
            | "hr"
            | "li"
            | "main"
            | "ol"
            | "p"
            | "section"
            | "summary"
            | "table"
            | "tbody"
            | "tfoot"
            | "thead"
            | "tr"
            | "ul"
    )
}

/// Elements that never hold article text.
fn is_noise_tag(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "head"
            | "nav"
            | "header"
            | "footer"
            | "aside"
            | "form"
            | "button"
            | "select"
            | "textarea"
            | "iframe"
            | "object"
            | "embed"
            | "svg"
            | "canvas"
            | "audio"
            | "video"
            | "menu"
            | "dialog"
    )
}

/// Words in `class`/`id` values that mark comment sections and page
/// furniture ("comments", "disqus_thread", "share-bar", "related-links").
const NOISE_WORDS: &[&str] = &[
    "comment",
    "comments",
    "disqus",
    "respond",
    "share",
    "sharing",
    "social",
    "related",
    "newsletter",
    "subscribe",
    "advert",
    "advertisement",
    "ad",
    "ads",
    "sponsored",
    "promo",
    "cookie",
    "cookies",
    "breadcrumb",
    "breadcrumbs",
    "sidebar",
    "navbar",
    "popup",
    "modal",
];

fn is_noise(node: NodeRef<'_, Node>, el: &scraper::node::Element, root_len: usize) -> bool {
    if is_noise_tag(el.name()) || el.attr("hidden").is_some() {
        return true;
    }
    if el.attr("aria-hidden") == Some("true") {
        return true;
    }
    if let Some(role) = el.attr("role")
        && matches!(
            role,
            "navigation" | "banner" | "contentinfo" | "complementary" | "search" | "dialog"
        )
    {
        return true;
    }
    let marked = el
        .attr("class")
        .into_iter()
        .chain(el.id())
        .flat_map(|v| v.split(|c: char| c.is_whitespace() || c == '-' || c == '_'))
        .any(|word| NOISE_WORDS.contains(&word.to_ascii_lowercase().as_str()));
    // Class names are only a hint: a block holding most of the text is the
    // article, whatever it is called ("post has-comments").
    marked && text_len(node) * 2 < root_len
}

/// Bytes of text under a node, scripts and styles included (a cheap measure).
fn text_len(node: NodeRef<'_, Node>) -> usize {
    node.descendants()
        .filter_map(|n| match n.value() {
            Node::Text(t) => Some(t.trim().len()),
            _ => None,
        })
        .sum()
}

/// An element's text with white space collapsed.
fn element_text(e: ElementRef<'_>) -> String {
    collapse(&e.text().collect::<String>())
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn meta_content(doc: &Html, selector: &Selector) -> Option<String> {
    first_attr(doc.select(selector), "content")
}

fn first_attr<'a>(
    mut elements: impl Iterator<Item = ElementRef<'a>>,
    attr: &str,
) -> Option<String> {
    elements.find_map(|e| {
        let v = collapse(e.attr(attr)?);
        (!v.is_empty()).then_some(v)
    })
}

/// Splits "Headline | Site Name" into the headline and the site name.
fn split_site(title: &str, site: Option<&str>) -> (String, Option<String>) {
    if let Some(site) = site.filter(|s| !s.is_empty() && *s != title) {
        for sep in TITLE_SEPARATORS {
            if let Some(head) = title.strip_suffix(site).and_then(|t| t.strip_suffix(sep)) {
                return (head.trim().to_string(), Some(site.to_string()));
            }
            if let Some(rest) = title.strip_prefix(site).and_then(|t| t.strip_prefix(sep)) {
                return (rest.trim().to_string(), Some(site.to_string()));
            }
        }
    }
    // "Headline | Section | Site": the bar always separates furniture.
    if let Some((head, tail)) = title.split_once(" | ")
        && !head.trim().is_empty()
    {
        let site = tail.rsplit(" | ").next().unwrap_or(tail).trim();
        return (head.trim().to_string(), Some(site.to_string()));
    }
    // Dashes also occur inside headlines: only a short, capitalised last
    // part after a longer headline is taken for a site name
    // ("... profit - BBC News", not "Man bites dog - again").
    for sep in &TITLE_SEPARATORS[1..] {
        if let Some((head, tail)) = title.rsplit_once(sep) {
            let (head, tail) = (head.trim(), tail.trim());
            let name_like = tail
                .split_whitespace()
                .all(|w| w.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit()));
            if name_like
                && tail.split_whitespace().count() <= 4
                && head.split_whitespace().count() >= 3
            {
                return (head.to_string(), Some(tail.to_string()));
            }
        }
    }
    (title.to_string(), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_suffixes_are_split_off() {
        assert_eq!(
            split_site("Ad sales boost Time Warner profit - BBC News", None),
            (
                "Ad sales boost Time Warner profit".to_string(),
                Some("BBC News".to_string())
            )
        );
        assert_eq!(
            split_site("Budget vote | Politics | The Herald", None),
            ("Budget vote".to_string(), Some("The Herald".to_string()))
        );
        assert_eq!(
            split_site("The Herald: Budget vote", Some("The Herald")).0,
            "The Herald: Budget vote"
        );
        assert_eq!(
            split_site("The Herald — Budget vote", Some("The Herald")).0,
            "Budget vote"
        );
        // A dash inside a headline stays.
        assert_eq!(
            split_site("Man bites dog - again", None).0,
            "Man bites dog - again"
        );
    }

    #[test]
    fn og_title_wins_and_dates_and_urls_are_found() {
        let a = parse(
            r#"<html><head><title>Wrong | Site</title>
            <meta property="og:title" content="Right headline">
            <meta property="article:published_time" content="2024-03-01T10:00:00Z">
            <meta property="og:url" content="https://example.com/og">
            <link rel="canonical" href="https://example.com/canonical">
            </head><body><article><p>Text.</p></article></body></html>"#,
        );
        assert_eq!(a.title, "Right headline");
        assert_eq!(a.date.as_deref(), Some("2024-03-01T10:00:00Z"));
        assert_eq!(a.url.as_deref(), Some("https://example.com/canonical"));
        assert_eq!(a.source.as_deref(), Some("Site"));
    }

    #[test]
    fn time_element_gives_the_date_and_h1_the_title() {
        let a = parse(
            r#"<body><h1 class="logo">Daily Planet</h1><article><h1>Real headline</h1>
            <time datetime="2023-05-06">6 May</time><p>One.</p></article></body>"#,
        );
        assert_eq!(a.title, "Real headline");
        assert_eq!(a.date.as_deref(), Some("2023-05-06"));
        assert_eq!(a.body, "6 May\n\nOne.");
    }

    #[test]
    fn noise_is_dropped_and_breaks_kept() {
        let a = parse(
            r#"<body><article>
              <p>First <b>bold</b> words,<br>second line.</p>
              <script>var x = "no";</script><style>p{}</style>
              <div class="share-bar">Share on Facebook</div>
              <section id="comments"><p>Great article!</p></section>
              <aside>Related: other story</aside>
              <ul><li>Point one</li><li>Point two</li></ul>
              <pre>code  line
  indented</pre>
              <p>Tom &amp; Jerry &eacute;t&eacute; &#8220;quoted&#8221;</p>
            </article></body>"#,
        );
        assert_eq!(
            a.body,
            "First bold words,\nsecond line.\n\nPoint one\n\nPoint two\n\ncode  line\n  indented\n\nTom & Jerry été “quoted”"
        );
    }

    #[test]
    fn a_noisy_class_on_the_main_text_does_not_hide_it() {
        let a = parse(
            r#"<body><div class="post has-comments"><p>The whole story is here and it is long enough.</p></div>
            <div class="comments"><p>Me too</p></div></body>"#,
        );
        assert_eq!(a.body, "The whole story is here and it is long enough.");
    }

    #[test]
    fn without_article_the_body_minus_furniture_is_used() {
        let a = parse(
            "<html><body><header>Masthead</header><nav><a href=/>Home</a></nav>\
             <main><p>Story text.</p></main><footer>Contact us</footer></body></html>",
        );
        assert_eq!(a.body, "Story text.");
        assert_eq!(a.title, "");
    }
}
