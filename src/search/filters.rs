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
        let values = index_values(searcher, field.field());
        let hits: Vec<String> = values
            .iter()
            .filter(|v| {
                let words: Vec<String> = normalize_phrase(v).split(' ').map(str::to_string).collect();
                typed.iter().all(|t| words.contains(t))
            })
            .cloned()
            .collect();
        if !hits.is_empty() || field == EntityField::Person {
            return Ok(hits);
        }
    }
    Err(UnknownName {
        noun: field.noun(),
        name: name.to_string(),
        suggestions: suggestions(searcher, field, name),
    })
}

/// Every distinct value of a string fast field in the index.
pub fn index_values(searcher: &Searcher, field: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut buf = String::new();
    for seg in searcher.segment_readers() {
        let Ok(Some(col)) = seg.fast_fields().str(field) else {
            continue;
        };
        for ord in 0..col.num_terms() as u64 {
            buf.clear();
            if col.ord_to_str(ord, &mut buf).unwrap_or(false) {
                out.insert(buf.clone());
            }
        }
    }
    out
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
    for v in index_values(searcher, field.field()) {
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
