//! Entity filters: the names users type (any alias, any language, any case, old or new
//! Indonesian spelling) resolved to the canonical values the index holds.
//!
//! A name is looked up, in order: among the known aliases of its kind ([`NameTable`]); among
//! the words of the names and forms the index holds ([`super::names`]), every typed word in
//! one entity's names; and, when that finds nothing, with each typed word of five letters or
//! more allowed one edit (see [`super::spelling`]), which the answer reports ([`Resolved::approximate`]).
//!
//! Languages and sources are checked against the few values the index holds. Whatever the
//! filter, a name that stands for nothing is an [`UnknownName`] with suggestions, never an
//! empty answer.

use std::collections::BTreeSet;
use std::ops::Bound;

use tantivy::query::BooleanQuery;
use tantivy::query::Occur;
use tantivy::query::Query;
use tantivy::query::RangeQuery;
use tantivy::query::TermQuery;
use tantivy::schema::Field;
use tantivy::schema::IndexRecordOption;
use tantivy::DateTime;
use tantivy::Searcher;
use tantivy::Term;

use crate::extract::gazetteer::Kind;
use crate::index::document::source_key;
use crate::index::Fields;

use crate::ingest::fields::normalize_lang;

use super::names::{self, NameTable, KEY_SEPARATOR};
use super::spelling::Near;
use super::stats::str_values;
use super::{date_bound, ApproximateName, DateBound, SearchError, SearchRequest};

/// The word used in messages for an entity of `kind`.
fn noun(kind: Kind) -> &'static str {
    match kind {
        Kind::Person => "person",
        Kind::Country => "country",
        Kind::Org => "organization",
        Kind::Place => "place",
    }
}

/// A filter's name that matches no known entity, language or source, with the closest known
/// names.
#[derive(Debug, Clone, thiserror::Error)]
#[error("unknown {noun} {name:?}{}", suggest(.suggestions))]
pub struct UnknownName {
    /// What kind of name: `person`, `country`, `organization`, `place`, `language` or `source`.
    pub noun: &'static str,
    /// The name as given.
    pub name: String,
    /// Known names close to it.
    pub suggestions: Vec<String>,
}

fn suggest(s: &[String]) -> String {
    if s.is_empty() {
        String::new()
    } else {
        format!("; did you mean: {}?", s.join(", "))
    }
}

/// The canonical values a typed name stands for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolved {
    /// The canonical values, in the order the index holds them.
    pub values: Vec<String>,
    /// No name matched as typed: these are the names within one edit of its words.
    pub approximate: bool,
}

/// The canonical values a typed name stands for (see the module's documentation). A name
/// nothing matches, not even within one edit, is an error with the closest known names, so a
/// typo is never taken for "no articles".
pub fn resolve(searcher: &Searcher, f: &Fields, kind: Kind, name: &str) -> Result<Resolved, UnknownName> {
    let known: Vec<String> = NameTable::get(kind)
        .lookup(name)
        .into_iter()
        .map(|e| e.value.clone())
        .collect();
    if !known.is_empty() {
        return Ok(Resolved {
            values: known,
            approximate: false,
        });
    }
    let typed = names::name_words(name);
    if let (Some(names_field), false) = (f.entity_names(kind), typed.is_empty()) {
        let exact = names_with_words(searcher, names_field, &typed, false);
        if !exact.is_empty() {
            return Ok(Resolved {
                values: exact.into_iter().collect(),
                approximate: false,
            });
        }
        let near = names_with_words(searcher, names_field, &typed, true);
        if !near.is_empty() {
            return Ok(Resolved {
                values: near.into_iter().collect(),
                approximate: true,
            });
        }
    }
    Err(UnknownName {
        noun: noun(kind),
        name: name.to_string(),
        suggestions: suggestions(searcher, f, kind, name),
    })
}

/// The canonical names in `names_field` that hold every one of the typed words; with `near`,
/// a word of five letters or more that no name holds may be matched by a word within one edit.
fn names_with_words(searcher: &Searcher, names_field: Field, typed: &[String], near: bool) -> BTreeSet<String> {
    let mut all: Option<BTreeSet<String>> = None;
    for word in typed {
        let mut found = names_with_word(searcher, names_field, word);
        if found.is_empty() && near && word.chars().count() >= 5 {
            found = names_near_word(searcher, names_field, word, 1, false);
        }
        let kept: BTreeSet<String> = match all {
            None => found,
            Some(so_far) => so_far.intersection(&found).cloned().collect(),
        };
        if kept.is_empty() {
            return kept;
        }
        all = Some(kept);
    }
    all.unwrap_or_default()
}

/// The canonical names holding `word`: one range of each segment's term dictionary.
fn names_with_word(searcher: &Searcher, names_field: Field, word: &str) -> BTreeSet<String> {
    let from = format!("{word}{KEY_SEPARATOR}");
    let to = format!("{word}{}", char::from_u32(KEY_SEPARATOR as u32 + 1).expect("a char"));
    let mut out = BTreeSet::new();
    for seg in searcher.segment_readers() {
        let Ok(index) = seg.inverted_index(names_field) else {
            continue;
        };
        let Ok(mut terms) = index.terms().range().ge(&from).lt(&to).into_stream() else {
            continue;
        };
        while terms.advance() {
            out.extend(names::values_of_terms(std::str::from_utf8(terms.key()).ok()));
        }
    }
    out
}

/// The canonical names holding a word within `edits` (letters changed, added or dropped, or
/// two swapped) of `word`, found by an automaton walking each segment's term dictionary;
/// with `same_first_letter`, only the part of it whose words start as `word` does (as most
/// misspellings do: a two-edit automaton walking the whole dictionary took milliseconds).
fn names_near_word(
    searcher: &Searcher,
    names_field: Field,
    word: &str,
    edits: u8,
    same_first_letter: bool,
) -> BTreeSet<String> {
    let automaton = Near::before(word, edits, KEY_SEPARATOR);
    let first = word.chars().next().filter(|_| same_first_letter);
    let from = first.map(String::from);
    let to = first.and_then(|c| char::from_u32(u32::from(c) + 1)).map(String::from);
    let mut out = BTreeSet::new();
    for seg in searcher.segment_readers() {
        let Ok(index) = seg.inverted_index(names_field) else {
            continue;
        };
        let mut range = index.terms().search(&automaton);
        if let Some(from) = &from {
            range = range.ge(from);
        }
        if let Some(to) = &to {
            range = range.lt(to);
        }
        let Ok(mut terms) = range.into_stream() else {
            continue;
        };
        while terms.advance() {
            out.extend(names::values_of_terms(std::str::from_utf8(terms.key()).ok()));
        }
    }
    out
}

/// The most edits between a typed word and a word of a name suggested for it.
const SUGGESTION_EDITS: u8 = 2;

/// Up to five known names closest to `name`: among the aliases of its kind's list, and among
/// the names in the index with a word a few edits from a typed word ([`likeness`]).
fn suggestions(searcher: &Searcher, f: &Fields, kind: Kind, name: &str) -> Vec<String> {
    let typed = names::name_key(name);
    let mut scored: Vec<(f64, String)> = Vec::new();
    for (alias, entry) in NameTable::get(kind).aliases() {
        let score = strsim::jaro_winkler(&typed, alias);
        let shown = if kind == Kind::Country {
            format!("{} ({})", entry.display, entry.value)
        } else {
            entry.display.clone()
        };
        scored.push((score, shown));
    }
    let mut values = BTreeSet::new();
    if let Some(names_field) = f.entity_names(kind) {
        for word in names::name_words(name).iter().filter(|w| w.chars().count() >= 3) {
            values.extend(names_near_word(searcher, names_field, word, SUGGESTION_EDITS, true));
        }
    }
    for v in values {
        scored.push((likeness(&typed, &v), v));
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut out: Vec<String> = Vec::new();
    for (score, s) in scored {
        if score < 0.7 || out.len() >= 5 {
            break;
        }
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// How like a typed name (spelling-folded) an indexed name is: as a whole, or by its word
/// most like it, since a surname alone is a usual way to name a person.
fn likeness(typed: &str, value: &str) -> f64 {
    let key = names::name_key(value);
    let whole = strsim::jaro_winkler(typed, &key);
    key.split(' ')
        .map(|w| strsim::jaro_winkler(typed, w))
        .fold(whole, f64::max)
}

/// The request's filters, each a query every match must match; the entity names matched
/// only within one edit are added to `approximate`.
pub(crate) fn request_filters(
    f: &Fields,
    searcher: &Searcher,
    req: &SearchRequest,
    approximate: &mut Vec<ApproximateName>,
) -> Result<Vec<Box<dyn Query>>, SearchError> {
    let mut filters: Vec<Box<dyn Query>> = Vec::new();
    filters.extend(date_filters(f, req)?);
    if !req.sources.is_empty() {
        filters.push(source_filter(f, searcher, &req.sources)?);
    }
    if let Some(lang) = &req.lang {
        let code = resolve_lang(searcher, lang)?;
        filters.push(term_query(f.lang, &code));
    }
    let entity_filters = [
        (Kind::Person, &req.persons),
        (Kind::Country, &req.countries),
        (Kind::Org, &req.orgs),
        (Kind::Place, &req.places),
    ];
    for (kind, names) in entity_filters {
        // Each name must match (AND); a name matches any of the values it resolves to.
        for name in names {
            if req.cancel.is_cancelled() {
                return Err(SearchError::Cancelled);
            }
            let resolved = resolve(searcher, f, kind, name)?;
            if resolved.approximate {
                approximate.push(ApproximateName {
                    filter: Fields::entity_field_name(kind).to_string(),
                    name: name.clone(),
                    matched: resolved.values.clone(),
                });
            }
            filters.push(any_term(f.entity(kind), &resolved.values));
        }
    }
    Ok(filters)
}

/// The request's date range as filters (none without one). Days, months and years are
/// counted in each article's own calendar day ([`Fields::local_day`]), or, with a time zone,
/// are the instants from their first moment in it; RFC 3339 times are instants.
fn date_filters(f: &Fields, req: &SearchRequest) -> Result<Vec<Box<dyn Query>>, SearchError> {
    let lower = req
        .from
        .as_deref()
        .map(|v| {
            date_bound(v, false).ok_or(SearchError::Date {
                bound: "from",
                value: v.to_string(),
            })
        })
        .transpose()?;
    let upper = req
        .to
        .as_deref()
        .map(|v| {
            date_bound(v, true).ok_or(SearchError::Date {
                bound: "to",
                value: v.to_string(),
            })
        })
        .transpose()?;
    if let (Some(lo), Some(hi)) = (lower, upper) {
        if lo.utc_second() >= hi.utc_second() {
            return Err(SearchError::EmptyRange {
                from: req.from.clone().unwrap_or_default(),
                to: req.to.clone().unwrap_or_default(),
            });
        }
    }
    let zone = req.zone()?;
    // Each bound limits the local day or the instant: (lower, upper) of each.
    let mut days = (None, None);
    let mut seconds = (None, None);
    for (bound, upper) in [(lower, false), (upper, true)] {
        let (day_end, second_end) = match upper {
            false => (&mut days.0, &mut seconds.0),
            true => (&mut days.1, &mut seconds.1),
        };
        match (bound, &zone) {
            (None, _) => {}
            (Some(DateBound::Day(day)), None) => *day_end = Some(day),
            (Some(DateBound::Day(day)), Some(zone)) => *second_end = Some(zone.start_of_day(day)),
            (Some(DateBound::Instant(second)), _) => *second_end = Some(second),
        }
    }
    let mut filters = Vec::new();
    if days != (None, None) {
        filters.push(day_range(f, days.0, days.1));
    }
    if seconds != (None, None) {
        filters.push(instant_range(f, seconds.0, seconds.1));
    }
    Ok(filters)
}

/// Articles whose local day is from `lower` (inclusive) to `upper` (exclusive).
fn day_range(f: &Fields, lower: Option<i64>, upper: Option<i64>) -> Box<dyn Query> {
    let term = |day: i64| Term::from_field_i64(f.local_day, day);
    // An unbounded side still needs the field: use the extreme days.
    let lo = Bound::Included(term(lower.unwrap_or(i64::MIN)));
    let hi = upper.map_or(Bound::Included(term(i64::MAX)), |d| Bound::Excluded(term(d)));
    Box::new(RangeQuery::new(lo, hi))
}

/// Articles published from Unix second `lower` (inclusive) to `upper` (exclusive).
fn instant_range(f: &Fields, lower: Option<i64>, upper: Option<i64>) -> Box<dyn Query> {
    let term = |secs: i64| {
        let secs = secs.clamp(crate::ingest::date::MIN_SECONDS, crate::ingest::date::MAX_SECONDS);
        Term::from_field_date(f.date, DateTime::from_timestamp_secs(secs))
    };
    // An unbounded side still needs the field: use the extreme dates.
    let lo = Bound::Included(term(lower.unwrap_or(i64::MIN / 1_000_000_000)));
    let hi = upper.map_or(Bound::Included(term(i64::MAX / 1_000_000_000)), |s| {
        Bound::Excluded(term(s))
    });
    Box::new(RangeQuery::new(lo, hi))
}

/// Any of the typed sources, each of which some indexed source must match case-insensitively
/// (else [`UnknownName`] with the nearest indexed sources).
fn source_filter(f: &Fields, searcher: &Searcher, typed: &[String]) -> Result<Box<dyn Query>, SearchError> {
    let indexed = str_values(searcher, Fields::SOURCE)?;
    let keys: BTreeSet<String> = indexed.iter().map(|s| source_key(s)).collect();
    let mut wanted = Vec::new();
    for name in typed {
        let key = source_key(name);
        if !keys.contains(&key) {
            return Err(UnknownName {
                noun: "source",
                name: name.clone(),
                suggestions: nearest_sources(&key, &indexed),
            }
            .into());
        }
        wanted.push(key);
    }
    Ok(any_term(f.source_key, &wanted))
}

/// Up to five indexed sources nearest a typed source's key: those sharing a word with it
/// first, then by similarity of the whole name.
fn nearest_sources(key: &str, indexed: &BTreeSet<String>) -> Vec<String> {
    let words = |s: &str| -> BTreeSet<String> {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    };
    let typed = words(key);
    let mut scored: Vec<(bool, f64, String, &String)> = indexed
        .iter()
        .map(|s| {
            let k = source_key(s);
            let shared = !typed.is_disjoint(&words(&k));
            (shared, strsim::jaro_winkler(key, &k), k, s)
        })
        .filter(|(shared, score, _, _)| *shared || *score >= 0.7)
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.total_cmp(&a.1)));
    // One spelling of each source: `Reuters` and `reuters` are one filter.
    let mut keys: Vec<String> = Vec::new();
    let mut out: Vec<String> = Vec::new();
    for (_, _, k, s) in scored {
        if out.len() == 5 {
            break;
        }
        if !keys.contains(&k) {
            keys.push(k);
            out.push(s.clone());
        }
    }
    out
}

/// The language code a typed language stands for: a code the index holds, as typed in any
/// case, or as ingest maps a language named in metadata (`indonesian`, `Bahasa Indonesia`,
/// `en-GB`). Anything else is [`UnknownName`], suggesting the codes the index holds.
pub fn resolve_lang(searcher: &Searcher, typed: &str) -> Result<String, SearchError> {
    let held = str_values(searcher, Fields::LANG)?;
    let as_typed = typed.trim().to_lowercase();
    for code in [Some(as_typed), normalize_lang(typed)].into_iter().flatten() {
        if held.contains(&code) {
            return Ok(code);
        }
    }
    Err(UnknownName {
        noun: "language",
        name: typed.to_string(),
        suggestions: held.into_iter().collect(),
    }
    .into())
}

/// A query for `field` holding `value`.
fn term_query(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

/// A query for `field` holding any of `values`.
fn any_term(field: Field, values: &[String]) -> Box<dyn Query> {
    let any: Vec<(Occur, Box<dyn Query>)> = values.iter().map(|v| (Occur::Should, term_query(field, v))).collect();
    Box::new(BooleanQuery::new(any))
}
