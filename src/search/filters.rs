//! Entity filters: the names users type (any alias, any language, any case) resolved to the
//! canonical values the index holds, through the same gazetteers extraction uses.

use std::collections::BTreeSet;

use tantivy::Searcher;

use crate::extract::gazetteer::{Gazetteer, Kind};
use crate::extract::tokens::normalize_phrase;

/// The entity fields that can be filtered on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntityField {
    Person,
    Country,
    Org,
    Place,
}

impl EntityField {
    /// The index field's name.
    pub fn field(self) -> &'static str {
        match self {
            EntityField::Person => "person",
            EntityField::Country => "country",
            EntityField::Org => "org",
            EntityField::Place => "place",
        }
    }

    fn kind(self) -> Kind {
        match self {
            EntityField::Person => Kind::Person,
            EntityField::Country => Kind::Country,
            EntityField::Org => Kind::Org,
            EntityField::Place => Kind::Place,
        }
    }

    /// The word used in messages.
    pub fn noun(self) -> &'static str {
        match self {
            EntityField::Person => "person",
            EntityField::Country => "country",
            EntityField::Org => "organization",
            EntityField::Place => "place",
        }
    }
}

/// A name that matches no known entity, with the closest known names.
#[derive(Debug, Clone, thiserror::Error)]
#[error("unknown {noun} {name:?}{}", suggest(.suggestions))]
pub struct UnknownName {
    pub noun: &'static str,
    pub name: String,
    pub suggestions: Vec<String>,
}

fn suggest(s: &[String]) -> String {
    if s.is_empty() {
        String::new()
    } else {
        format!("; did you mean: {}?", s.join(", "))
    }
}

/// The canonical values a typed name stands for. Known aliases resolve through the
/// gazetteer; otherwise (persons, organizations and places found by rules) the values in the
/// index whose words include all the typed words ("Putin" → "Vladimir Putin"). Countries
/// must be known; an unknown organization or place is an error too, persons may simply not
/// be in the index (no values).
pub fn resolve(searcher: &Searcher, field: EntityField, name: &str) -> Result<Vec<String>, UnknownName> {
    let g = Gazetteer::get();
    let known: Vec<String> = g
        .lookup(name, field.kind())
        .into_iter()
        .map(|e| e.value.clone())
        .collect();
    if !known.is_empty() {
        return Ok(known);
    }
    let typed: Vec<String> = normalize_phrase(name)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    if field != EntityField::Country && !typed.is_empty() {
        let mut hits = BTreeSet::new();
        for_each_value(searcher, field.field(), |v| {
            if has_all_words(v, &typed) {
                hits.insert(v.to_string());
            }
        });
        if !hits.is_empty() || field == EntityField::Person {
            return Ok(hits.into_iter().collect());
        }
    }
    Err(UnknownName {
        noun: field.noun(),
        name: name.to_string(),
        suggestions: suggestions(searcher, field, name),
    })
}

/// Whether the words of `value`, normalized as [`normalize_phrase`] does, include every one of
/// `typed` (themselves normalized). ASCII values, nearly all, are compared in place, without
/// building their normalized form.
fn has_all_words(value: &str, typed: &[String]) -> bool {
    if typed.is_empty() {
        return true;
    }
    if !value.is_ascii() || typed.len() > 64 {
        let words: Vec<String> = normalize_phrase(value).split(' ').map(str::to_string).collect();
        return typed.iter().all(|t| words.contains(t));
    }
    let all = if typed.len() == 64 {
        u64::MAX
    } else {
        (1u64 << typed.len()) - 1
    };
    let mut found = 0u64;
    for word in value
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        for (i, t) in typed.iter().enumerate() {
            if word.eq_ignore_ascii_case(t) {
                found |= 1 << i;
            }
        }
        if found == all {
            return true;
        }
    }
    false
}

/// Calls `f` with each value of a string fast field, once per segment that holds it: the
/// segments' sorted dictionaries are streamed, not looked up one value at a time.
fn for_each_value(searcher: &Searcher, field: &str, mut f: impl FnMut(&str)) {
    for seg in searcher.segment_readers() {
        let Ok(Some(col)) = seg.fast_fields().str(field) else {
            continue;
        };
        let Ok(mut terms) = col.dictionary().stream() else {
            continue;
        };
        while terms.advance() {
            if let Ok(v) = std::str::from_utf8(terms.key()) {
                f(v);
            }
        }
    }
}

/// Up to five known names closest to `name`.
fn suggestions(searcher: &Searcher, field: EntityField, name: &str) -> Vec<String> {
    let g = Gazetteer::get();
    let typed = normalize_phrase(name);
    let mut scored: Vec<(f64, String)> = Vec::new();
    for (alias, entry) in g.aliases_of(field.kind()) {
        let score = strsim::jaro_winkler(&typed, alias);
        let shown = if field == EntityField::Country {
            format!("{} ({})", entry.display, entry.value)
        } else {
            entry.display.clone()
        };
        scored.push((score, shown));
    }
    let mut values = BTreeSet::new();
    for_each_value(searcher, field.field(), |v| {
        if !values.contains(v) {
            values.insert(v.to_string());
        }
    });
    for v in values {
        scored.push((strsim::jaro_winkler(&typed, &normalize_phrase(&v)), v));
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The words of `value` as `normalize_phrase` gives them include every typed word.
    fn has_all_words_reference(value: &str, typed: &[String]) -> bool {
        let words: Vec<String> = normalize_phrase(value).split(' ').map(str::to_string).collect();
        typed.iter().all(|t| words.contains(t))
    }

    fn typed(name: &str) -> Vec<String> {
        normalize_phrase(name)
            .split(' ')
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn names_match_by_whole_words_in_any_case() {
        assert!(has_all_words("Vladimir Putin", &typed("putin")));
        assert!(has_all_words("Vladimir Putin", &typed("PUTIN vladimir")));
        assert!(!has_all_words("Vladimir Putin", &typed("put")));
        assert!(has_all_words("Kim Jong-un", &typed("jong")));
        assert!(has_all_words("Pútin, Vladímir", &typed("putin")));
        assert!(!has_all_words("Putin", &typed("putin kim")));
    }

    proptest::proptest! {
        #[test]
        fn whole_word_match_is_the_normalized_one(
            value in "[A-Za-z0-9 .,'é-]{0,24}",
            name in "[A-Za-z0-9 é-]{0,12}",
        ) {
            let t = typed(&name);
            proptest::prop_assert_eq!(has_all_words(&value, &t), has_all_words_reference(&value, &t));
        }
    }
}
