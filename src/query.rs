//! Turning what the user typed into a tantivy query and a highlight plan.
//!
//! Syntax is tantivy's: words, "phrases", `+required`, `-excluded`,
//! `AND`/`OR`/`NOT`, parentheses, `field:` prefixes (`title:`, `text:`,
//! `tags:`), `word*` prefixes and `^boost`. Words are ORed and ranked by
//! BM25; a `tags:` clause beside them filters instead (see
//! [`crate::tags`]).
//!
//! Raw input never fails for its syntax alone. A query that does not parse
//! (an unbalanced quote, a stray colon) is parsed leniently, and a
//! `name:value` whose name is not a field (a URL, a time, a ratio) is
//! searched as text; both add a warning saying what was run instead.
//! Only a query with nothing to search for is an error.

use tantivy::Score;
use tantivy::query::{Query, QueryParser};
use tantivy::query_grammar::{
    self, Delimiter, Occur, UserInputAst, UserInputLeaf, UserInputLiteral,
};
use tantivy::tokenizer::TextAnalyzer;
use thiserror::Error;

use crate::analysis;
use crate::highlight::{HighlightPlan, Matcher};
use crate::schema::names;

/// Field names accepted in queries, and what they mean.
const FIELD_ALIASES: &[(&str, &str)] = &[
    (names::TEXT, names::TEXT),
    ("body", names::TEXT),
    (names::TITLE, names::TITLE),
    (names::TAGS, names::TAGS),
    ("tag", names::TAGS),
];

/// Default boost of headline matches over passage text matches.
pub const DEFAULT_TITLE_BOOST: Score = 2.0;

/// Why a query cannot be run.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum QueryError {
    #[error("the query is empty")]
    Empty,
    #[error("the query has no words to search for: {0}")]
    NothingToSearch(String),
    #[error("invalid query: {0}")]
    Invalid(String),
}

/// A query ready to run.
pub struct ParsedQuery {
    /// What tantivy executes.
    pub query: Box<dyn Query>,
    /// What to mark in passage text.
    pub highlight: HighlightPlan,
    /// What to mark in the headline: words on the default fields or
    /// `title:` (`passim show --highlight` marks titles too).
    pub title_highlight: HighlightPlan,
    /// One-word prefixes the query looks for (not those it excludes):
    /// [`crate::Searcher`] ranks their matches by the words they expand to.
    pub prefixes: Vec<PrefixTerm>,
    /// Things the user should know about how the query was read.
    pub warnings: Vec<String>,
}

/// A one-word prefix of a query (`assass*`), in analysed form, with the
/// field it is looked for in and that field's weight.
#[derive(Debug, Clone, PartialEq)]
pub struct PrefixTerm {
    pub field: &'static str,
    pub prefix: String,
    pub boost: Score,
}

/// The parser [`parse`] expects: words search the passage text and the
/// headline (weighted by [`DEFAULT_TITLE_BOOST`]); regexes are allowed
/// because a one-word prefix runs as one.
pub fn parser(index: &tantivy::Index, fields: &crate::schema::Fields) -> QueryParser {
    let mut parser = QueryParser::for_index(index, vec![fields.text, fields.title]);
    parser.set_field_boost(fields.title, DEFAULT_TITLE_BOOST);
    parser.allow_regexes();
    parser
}

/// Parses `text` for the given parser (whose default fields are the
/// passage text and the title).
pub fn parse(parser: &QueryParser, text: &str) -> Result<ParsedQuery, QueryError> {
    if text.trim().is_empty() {
        return Err(QueryError::Empty);
    }
    let mut warnings = Vec::new();
    let text = &word_apostrophes(text);
    let mut ast = match query_grammar::parse_query(text) {
        Ok(ast) => ast,
        Err(_) => {
            let (ast, errors) = query_grammar::parse_query_lenient(text);
            let what: Vec<String> = errors
                .iter()
                .map(|e| format!("{} at character {}", e.message, e.pos + 1))
                .collect();
            let what = if what.is_empty() {
                String::new()
            } else {
                format!(" ({})", what.join("; "))
            };
            warnings.push(format!(
                "query syntax error{what}; searched leniently as: {}",
                describe(&ast)
            ));
            ast
        }
    };
    fix_fields(&mut ast, &mut warnings);
    trailing_stars(&mut ast);
    tags_as_filters(&mut ast);
    let mut analyzer = analysis::analyzer();
    let mut highlight = HighlightPlan::default();
    collect_highlights(&ast, &mut analyzer, &mut highlight, names::TEXT);
    let mut title_highlight = HighlightPlan::default();
    collect_highlights(&ast, &mut analyzer, &mut title_highlight, names::TITLE);
    if !has_positive(&ast) {
        return Err(QueryError::NothingToSearch(
            "a query that only excludes words matches nothing; add a word to look for".into(),
        ));
    }
    let mut prefixes = Vec::new();
    single_word_prefixes(&mut ast, &mut analyzer, false, &mut prefixes);
    let query = match parser.build_query_from_user_input_ast(ast.clone()) {
        Ok(q) => q,
        Err(_) => {
            let (q, errors) = parser.build_query_from_user_input_ast_lenient(ast);
            for e in errors {
                warnings.push(format!("part of the query was ignored: {e}"));
            }
            q
        }
    };
    Ok(ParsedQuery {
        query,
        highlight,
        title_highlight,
        prefixes,
        warnings,
    })
}

/// An apostrophe inside a word ("don't", "O'Brien") is not a quote: turn it
/// into U+2019, which the analyzer treats the same, so the grammar sees a word.
fn word_apostrophes(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let inside = i > 0
                && chars[i - 1].is_alphanumeric()
                && chars.get(i + 1).is_some_and(|n| n.is_alphanumeric());
            if c == '\'' && inside { '’' } else { c }
        })
        .collect()
}

/// A compact rendering of the parsed query for warnings.
fn describe(ast: &UserInputAst) -> String {
    format!("{ast:?}")
}

/// Resolves field aliases; `name:value` with an unknown name becomes the
/// literal text `name:value` in the default fields.
fn fix_fields(ast: &mut UserInputAst, warnings: &mut Vec<String>) {
    match ast {
        UserInputAst::Clause(clauses) => {
            for (_, sub) in clauses {
                fix_fields(sub, warnings);
            }
        }
        UserInputAst::Boost(sub, _) => fix_fields(sub, warnings),
        UserInputAst::Leaf(leaf) => {
            if let UserInputLeaf::Literal(lit) = leaf.as_mut() {
                let Some(name) = lit.field_name.clone() else {
                    return;
                };
                if let Some((_, field)) = FIELD_ALIASES
                    .iter()
                    .find(|(alias, _)| alias.eq_ignore_ascii_case(&name))
                {
                    lit.field_name = Some(field.to_string());
                    if *field == names::TAGS {
                        lit.phrase = crate::tags::normalize(&lit.phrase);
                    }
                } else {
                    let as_text = format!("{name}:{}", lit.phrase);
                    warnings.push(format!(
                        "{name:?} is not a field (fields: title, text, tags); searched {as_text:?} as text"
                    ));
                    lit.field_name = None;
                    lit.phrase = as_text;
                }
            }
        }
    }
}

/// The grammar reads `word*` as a word with a star in it; mark it as the
/// prefix it is, the way it marks `"two words"*`.
fn trailing_stars(ast: &mut UserInputAst) {
    match ast {
        UserInputAst::Clause(clauses) => {
            for (_, sub) in clauses {
                trailing_stars(sub);
            }
        }
        UserInputAst::Boost(sub, _) => trailing_stars(sub),
        UserInputAst::Leaf(leaf) => {
            if let UserInputLeaf::Literal(lit) = leaf.as_mut() {
                if lit.delimiter != Delimiter::None || lit.prefix {
                    return;
                }
                if let Some(stem) = lit.phrase.strip_suffix('*')
                    && !stem.is_empty()
                    && !stem.contains('*')
                {
                    lit.phrase = stem.to_string();
                    lit.prefix = true;
                }
            }
        }
    }
}

/// Turns `word*` (and `"word"*`) into a query for the indexed terms that
/// start with the analysed word, in each field the literal targets.
///
/// tantivy only runs prefixes at the end of a phrase of two or more words;
/// a lone `assass*` would otherwise be dropped. Terms are stems, so the
/// prefix is stemmed too (`gangs*` looks for terms starting with `gang`),
/// the same rule the highlighter uses. The regex decides what matches and
/// scores each match as one word (times the field's boost); the prefixes
/// not under an exclusion are collected in `found`, so that the searcher
/// can add the BM25 of the words they stand for.
fn single_word_prefixes(
    ast: &mut UserInputAst,
    analyzer: &mut TextAnalyzer,
    excluded: bool,
    found: &mut Vec<PrefixTerm>,
) {
    match ast {
        UserInputAst::Clause(clauses) => {
            for (occur, sub) in clauses {
                let excluded = excluded || *occur == Some(Occur::MustNot);
                single_word_prefixes(sub, analyzer, excluded, found);
            }
        }
        UserInputAst::Boost(sub, _) => single_word_prefixes(sub, analyzer, excluded, found),
        UserInputAst::Leaf(leaf) => {
            let UserInputLeaf::Literal(lit) = leaf.as_ref() else {
                return;
            };
            if !lit.prefix || lit.field_name.as_deref() == Some(names::TAGS) {
                return;
            }
            let tokens = analysis::tokens_with(analyzer, &lit.phrase);
            let [token] = tokens.as_slice() else {
                return;
            };
            let fields: &[(&'static str, Score)] = match lit.field_name.as_deref() {
                Some(names::TITLE) => &[(names::TITLE, 1.0)],
                Some(_) => &[(names::TEXT, 1.0)],
                None => &[(names::TEXT, 1.0), (names::TITLE, DEFAULT_TITLE_BOOST)],
            };
            if !excluded {
                found.extend(fields.iter().map(|&(field, boost)| PrefixTerm {
                    field,
                    prefix: token.term.clone(),
                    boost,
                }));
            }
            let pattern = format!("{}.*", regex_syntax::escape(&token.term));
            let regex = |field: &str| {
                UserInputAst::Leaf(Box::new(UserInputLeaf::Regex {
                    field: Some(field.to_string()),
                    pattern: pattern.clone(),
                }))
            };
            *ast = match lit.field_name.as_deref() {
                Some(field) => regex(field),
                None => UserInputAst::Clause(vec![
                    (Some(Occur::Should), regex(names::TEXT)),
                    (
                        Some(Occur::Should),
                        UserInputAst::Boost(
                            Box::new(regex(names::TITLE)),
                            f64::from(DEFAULT_TITLE_BOOST).into(),
                        ),
                    ),
                ]),
            };
        }
    }
}

/// Makes tag clauses filters: `tags:economy oil` finds the passages about
/// oil of articles tagged "economy", ranked by oil alone.
///
/// In every group, the clauses that only name tags (`tags:x`, or a group
/// of them such as `(tags:x OR tags:y)`) and are written side by side with
/// words or joined by `AND` become required and score nothing, and the
/// group's other clauses keep their meaning among themselves (so at least
/// one of the words must still match). Without that, the parser's OR would
/// return every article with the tag or the word. Tags joined by `OR`
/// (`tags:x OR oil`), excluded (`-tags:x`) or on their own (`tags:x`)
/// are left as written; alone, they rank by their BM25.
fn tags_as_filters(ast: &mut UserInputAst) {
    match ast {
        UserInputAst::Boost(sub, _) => tags_as_filters(sub),
        UserInputAst::Leaf(_) => {}
        UserInputAst::Clause(clauses) => {
            for (_, sub) in clauses.iter_mut() {
                tags_as_filters(sub);
            }
            let is_filter = |(occur, sub): &(Option<Occur>, UserInputAst)| {
                matches!(occur, None | Some(Occur::Must)) && only_tags(sub)
            };
            let filters = clauses.iter().filter(|c| is_filter(c)).count();
            let scoring = clauses
                .iter()
                .filter(|c| !is_filter(c) && !is_excluded(&c.0))
                .count();
            if filters == 0 || scoring == 0 {
                return;
            }
            let (filters, rest): (Vec<_>, Vec<_>) = std::mem::take(clauses)
                .into_iter()
                .partition(|c| is_filter(c));
            let (excluded, words): (Vec<_>, Vec<_>) =
                rest.into_iter().partition(|(occur, _)| is_excluded(occur));
            let words = match <[_; 1]>::try_from(words) {
                Ok([(_, only)]) => only,
                Err(words) => UserInputAst::Clause(words),
            };
            *clauses = filters
                .into_iter()
                .map(|(_, f)| {
                    (
                        Some(Occur::Must),
                        UserInputAst::Boost(Box::new(f), 0.0.into()),
                    )
                })
                .chain(std::iter::once((Some(Occur::Must), words)))
                .chain(excluded)
                .collect();
        }
    }
}

/// True if every leaf of `ast` searches the tags field.
fn only_tags(ast: &UserInputAst) -> bool {
    match ast {
        UserInputAst::Clause(clauses) => {
            !clauses.is_empty() && clauses.iter().all(|(_, sub)| only_tags(sub))
        }
        UserInputAst::Boost(sub, _) => only_tags(sub),
        UserInputAst::Leaf(leaf) => match leaf.as_ref() {
            UserInputLeaf::Literal(lit) => lit.field_name.as_deref() == Some(names::TAGS),
            UserInputLeaf::Set { field, .. } | UserInputLeaf::Range { field, .. } => {
                field.as_deref() == Some(names::TAGS)
            }
            _ => false,
        },
    }
}

fn is_excluded(occur: &Option<Occur>) -> bool {
    matches!(occur, Some(Occur::MustNot))
}

/// True if some leaf is not under an exclusion.
fn has_positive(ast: &UserInputAst) -> bool {
    match ast {
        UserInputAst::Clause(clauses) => clauses
            .iter()
            .any(|(occur, sub)| !is_excluded(occur) && has_positive(sub)),
        UserInputAst::Boost(sub, _) => has_positive(sub),
        UserInputAst::Leaf(_) => true,
    }
}

/// Gathers what to highlight in the text of field `target` (`text` for
/// passages, `title` for headlines): leaves on the default fields or
/// `target:`, never under an exclusion.
fn collect_highlights(
    ast: &UserInputAst,
    analyzer: &mut TextAnalyzer,
    plan: &mut HighlightPlan,
    target: &str,
) {
    match ast {
        UserInputAst::Clause(clauses) => {
            for (occur, sub) in clauses {
                if !is_excluded(occur) {
                    collect_highlights(sub, analyzer, plan, target);
                }
            }
        }
        UserInputAst::Boost(sub, _) => collect_highlights(sub, analyzer, plan, target),
        UserInputAst::Leaf(leaf) => match leaf.as_ref() {
            UserInputLeaf::Literal(lit) if targets(&lit.field_name, target) => {
                add_literal(lit, analyzer, plan)
            }
            UserInputLeaf::Set { field, elements } if targets(field, target) => {
                for e in elements {
                    for t in analysis::tokens_with(analyzer, e) {
                        plan.matchers.push(Matcher::Term(t.term));
                    }
                }
            }
            _ => {}
        },
    }
}

fn targets(field: &Option<String>, target: &str) -> bool {
    field.as_deref().is_none_or(|f| f == target)
}

fn add_literal(lit: &UserInputLiteral, analyzer: &mut TextAnalyzer, plan: &mut HighlightPlan) {
    let terms: Vec<String> = analysis::tokens_with(analyzer, &lit.phrase)
        .into_iter()
        .map(|t| t.term)
        .collect();
    match terms.len() {
        0 => {}
        1 if lit.prefix => plan.matchers.push(Matcher::Prefix(terms[0].clone())),
        1 => plan.matchers.push(Matcher::Term(terms[0].clone())),
        _ => {
            // Several tokens from one literal are a phrase for tantivy too,
            // quoted or not ("AK47" is "ak 47").
            let slop = if lit.delimiter == Delimiter::None {
                0
            } else {
                lit.slop
            };
            plan.matchers.push(Matcher::Phrase {
                terms,
                slop,
                prefix: lit.prefix,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema;

    fn parser() -> QueryParser {
        let (schema, fields) = schema::build();
        let index = tantivy::Index::create_in_ram(schema);
        crate::index::register_analyzers(&index);
        super::parser(&index, &fields)
    }

    fn plan(q: &str) -> Vec<Matcher> {
        parse(&parser(), q).unwrap().highlight.matchers
    }

    #[test]
    fn a_word_with_a_trailing_star_is_a_prefix() {
        assert_eq!(plan("gangs*"), [Matcher::Prefix("gang".into())]);
        assert_eq!(plan("\"gangs\"*"), [Matcher::Prefix("gang".into())]);
        // A star inside a word is not a prefix.
        assert!(
            !plan("ga*ngs")
                .iter()
                .any(|m| matches!(m, Matcher::Prefix(_)))
        );
        let parsed = parse(&parser(), "assass*").unwrap();
        assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    }

    #[test]
    fn prefixes_looked_for_are_collected_for_ranking() {
        let fields = |q: &str| -> Vec<(&str, String)> {
            parse(&parser(), q)
                .unwrap()
                .prefixes
                .into_iter()
                .map(|p| (p.field, p.prefix))
                .collect()
        };
        assert_eq!(
            fields("gangs*"),
            [(names::TEXT, "gang".into()), (names::TITLE, "gang".into())]
        );
        assert_eq!(fields("title:gang*"), [(names::TITLE, "gang".into())]);
        assert_eq!(fields("body:gang*"), [(names::TEXT, "gang".into())]);
        // Excluded prefixes add nothing to the score.
        assert!(fields("Iran -gang*").is_empty());
        assert!(fields("Iran AND NOT (gang* OR crime)").is_empty());
    }

    #[test]
    fn excluded_words_are_not_highlighted() {
        assert_eq!(plan("Iran -Albania"), [Matcher::Term("iran".into())]);
        assert_eq!(plan("Iran AND NOT Albania"), [Matcher::Term("iran".into())]);
    }

    #[test]
    fn phrases_stay_phrases() {
        assert_eq!(
            plan("\"QUDS force\""),
            [Matcher::Phrase {
                terms: crate::analysis::terms("QUDS force"),
                slop: 0,
                prefix: false,
            }]
        );
        assert_eq!(
            plan("\"crime gangs\"*"),
            [Matcher::Phrase {
                terms: crate::analysis::terms("crime gangs"),
                slop: 0,
                prefix: true,
            }]
        );
    }

    #[test]
    fn title_only_queries_do_not_mark_text() {
        assert!(plan("title:MEK").is_empty());
    }

    #[test]
    fn syntax_errors_run_leniently_with_a_warning() {
        for q in ["\"QUDS force", "Iran AND", ":foo", "(crime gangs", "title:"] {
            let parsed = parse(&parser(), q);
            match parsed {
                Ok(p) => assert!(!p.warnings.is_empty(), "{q} should warn"),
                Err(e) => assert!(matches!(e, QueryError::NothingToSearch(_)), "{q}: {e}"),
            }
        }
    }

    #[test]
    fn apostrophes_in_words_are_not_quotes() {
        let p = parse(&parser(), "don't O'Brien").unwrap();
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert_eq!(p.highlight.matchers.len(), 2);
    }

    #[test]
    fn urls_are_searched_as_text() {
        let p = parse(&parser(), "https://example.com/iran").unwrap();
        assert!(p.warnings[0].contains("not a field"), "{:?}", p.warnings);
        assert!(
            matches!(&p.highlight.matchers[0], Matcher::Phrase { terms, .. } if terms[0] == "https")
        );
    }

    #[test]
    fn tags_are_a_field_that_filters_and_is_not_highlighted() {
        for q in [
            "tags:economy oil",
            "tag:Economy oil",
            "tags:\"world  news\" oil",
        ] {
            let p = parse(&parser(), q).unwrap();
            assert!(p.warnings.is_empty(), "{q}: {:?}", p.warnings);
            assert_eq!(p.highlight.matchers, [Matcher::Term("oil".into())], "{q}");
        }
        let mut ast = query_grammar::parse_query("tags:economy oil gas -tags:opinion").unwrap();
        fix_fields(&mut ast, &mut Vec::new());
        tags_as_filters(&mut ast);
        let UserInputAst::Clause(clauses) = &ast else {
            panic!("{ast:?}")
        };
        // The tag is required and scores nothing; the words are required
        // together (at least one of them); the exclusion stays.
        assert!(matches!(&clauses[0], (Some(Occur::Must), UserInputAst::Boost(_, b)) if *b == 0.0));
        assert!(
            matches!(&clauses[1], (Some(Occur::Must), UserInputAst::Clause(words)) if words.len() == 2)
        );
        assert!(matches!(&clauses[2], (Some(Occur::MustNot), _)));
        // A tag ORed with a word is left a union.
        let mut ast = query_grammar::parse_query("tags:economy OR oil").unwrap();
        fix_fields(&mut ast, &mut Vec::new());
        let before = ast.clone();
        tags_as_filters(&mut ast);
        assert_eq!(ast, before);
    }

    #[test]
    fn empty_and_negative_only_queries_are_errors() {
        assert_eq!(parse(&parser(), "  ").err(), Some(QueryError::Empty));
        assert!(matches!(
            parse(&parser(), "-iran").err(),
            Some(QueryError::NothingToSearch(_))
        ));
    }
}
