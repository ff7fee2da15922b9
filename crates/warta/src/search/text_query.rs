//! The parsed query ([`super::query`]) as a tantivy query: each word over the title and the
//! body of every language field, stemmed and exact, phrases, prefixes and scopes.

use tantivy::query::{AllQuery, BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, RegexQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;

use crate::index::stems::StemTable;
use crate::index::Fields;
use crate::text::analysis::{self, EXACT};

use super::query::{Clause, Item, ParsedQuery, Scope};
use super::snippet::HighlightTerms;
use super::SearchError;

/// Weight of a title match relative to a body match.
pub(crate) const TITLE_BOOST: f32 = 2.0;
/// Weight of an unstemmed (as typed) match relative to a stemmed one.
pub(crate) const EXACT_BOOST: f32 = 1.5;
/// The BM25 query for the parsed text requiring `required` of its groups (all of them unless
/// relaxed), and the terms its snippets mark.
pub(crate) fn build_text_query(
    f: &Fields,
    stems: &StemTable,
    parsed: &ParsedQuery,
    required: usize,
) -> Result<(Box<dyn Query>, HighlightTerms), SearchError> {
    let mut highlight = HighlightTerms::default();
    if parsed.groups.is_empty() {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, Box::new(AllQuery))];
        for c in &parsed.excluded {
            clauses.push((
                Occur::MustNot,
                clause_query(f, stems, c, &mut HighlightTerms::default())?,
            ));
        }
        return Ok((Box::new(BooleanQuery::new(clauses)), highlight));
    }
    let occur = if required < parsed.groups.len() {
        Occur::Should
    } else {
        Occur::Must
    };
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for group in &parsed.groups {
        let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for c in group {
            alternatives.push((Occur::Should, clause_query(f, stems, c, &mut highlight)?));
        }
        let q: Box<dyn Query> = if alternatives.len() == 1 {
            alternatives.pop().expect("one").1
        } else {
            Box::new(BooleanQuery::new(alternatives))
        };
        clauses.push((occur, q));
    }
    for c in &parsed.excluded {
        clauses.push((
            Occur::MustNot,
            clause_query(f, stems, c, &mut HighlightTerms::default())?,
        ));
    }
    let query = if occur == Occur::Should {
        BooleanQuery::with_minimum_required_clauses(clauses, required)
    } else {
        BooleanQuery::new(clauses)
    };
    Ok((Box::new(query), highlight))
}

/// One clause searched in every text field it may match, title and body, each weighted. A
/// word matches as written (folded; weighted [`EXACT_BOOST`]) and, in the fields of stemmed
/// languages, by its stem: the stem written as such ("temu") and every indexed word the
/// stem table gives for it ("bertemu", "pertemuan"). Phrases and prefixes match words as
/// written. A clause whose words analyze to nothing matches nothing.
pub(crate) fn clause_query(
    f: &Fields,
    stems: &StemTable,
    c: &Clause,
    highlight: &mut HighlightTerms,
) -> Result<Box<dyn Query>, SearchError> {
    let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let text = match &c.item {
        Item::Prefix(p) => p,
        Item::Word(t) | Item::Phrase(t) => t,
    };
    let words = analysis::tokens(&mut analysis::analyzer(EXACT), text);
    let Some(last) = words.last() else {
        return Ok(Box::new(BooleanQuery::new(should)));
    };
    let prefix_pattern = format!("{}.*", regex_escape(&last.text));
    match &c.item {
        Item::Prefix(_) => highlight.prefixes.push(last.text.clone()),
        _ => highlight
            .terms
            .entry(EXACT)
            .or_default()
            .extend(words.iter().map(|t| t.text.clone())),
    }
    for (title, body, stem_lang) in f.text_fields() {
        let fields: Vec<(Field, f32)> = match c.scope {
            Scope::All => vec![(title, TITLE_BOOST), (body, 1.0)],
            Scope::Title => vec![(title, TITLE_BOOST)],
            Scope::Body => vec![(body, 1.0)],
        };
        // The other words of a single word's stem in this language, and the stem itself.
        let variants: Vec<String> = match (&c.item, stem_lang, words.as_slice()) {
            (Item::Word(_), Some(lang), [word]) => {
                let mut stem = word.text.clone();
                stems.stem(lang, &mut stem);
                highlight
                    .terms
                    .entry(lang.analyzer_name())
                    .or_default()
                    .insert(stem.clone());
                let mut v = stems.variants(lang, &stem);
                v.push(stem);
                v.retain(|t| *t != word.text);
                v
            }
            _ => Vec::new(),
        };
        for (field, w) in &fields {
            let exact: Box<dyn Query> = match &c.item {
                Item::Prefix(_) => Box::new(RegexQuery::from_pattern(&prefix_pattern, *field)?),
                _ if words.len() == 1 => Box::new(TermQuery::new(
                    Term::from_field_text(*field, &words[0].text),
                    IndexRecordOption::WithFreqs,
                )),
                _ => Box::new(PhraseQuery::new_with_offset(
                    words
                        .iter()
                        .map(|t| (t.position, Term::from_field_text(*field, &t.text)))
                        .collect(),
                )),
            };
            should.push((Occur::Should, Box::new(BoostQuery::new(exact, w * EXACT_BOOST))));
            for variant in &variants {
                let q = TermQuery::new(Term::from_field_text(*field, variant), IndexRecordOption::WithFreqs);
                should.push((Occur::Should, Box::new(BoostQuery::new(Box::new(q), *w))));
            }
        }
    }
    Ok(Box::new(BooleanQuery::new(should)))
}

pub(crate) fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if !c.is_alphanumeric() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
