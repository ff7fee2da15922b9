//! Hits and article views read from stored documents.

use tantivy::TantivyDocument;

use crate::extract::gazetteer;
use crate::index::document::StoredArticle;
use crate::index::stems::StemTable;
use crate::index::Fields;
use crate::ingest::date::{PubDate, Zone};

use super::snippet;
use super::snippet::HighlightTerms;
use super::{ArticleView, CountryRef, Hit};

/// The stored countries' codes with their names.
fn countries_named(codes: Vec<String>) -> Vec<CountryRef> {
    codes
        .into_iter()
        .map(|code| {
            let name = gazetteer::country_name(&code).map_or_else(|| code.clone(), str::to_string);
            CountryRef { code, name }
        })
        .collect()
}

/// A date as shown: in the zone asked for, else as published.
fn shown_date(date: PubDate, zone: Option<&Zone>) -> String {
    zone.map_or(date, |z| date.in_zone(z)).to_string()
}

/// A stored document as a search hit, its date shown in `zone` when one is asked for.
pub(crate) fn hit_from_doc(
    f: &Fields,
    doc: &TantivyDocument,
    score: Option<f32>,
    highlight: &HighlightTerms,
    stems: &StemTable,
    zone: Option<&Zone>,
) -> Hit {
    let a = StoredArticle::read(f, doc);
    let parts = snippet::make(&a.body, &a.lang, highlight, stems);
    Hit {
        id: a.id,
        score,
        title: a.title,
        date: a.date.map(|d| shown_date(d, zone)),
        source: a.source,
        url: a.url,
        path: a.file,
        lang: a.lang,
        snippet: parts.marked("**", "**"),
        snippet_parts: parts,
        persons: a.persons,
        countries: countries_named(a.countries),
        orgs: a.orgs,
        places: a.places,
        story: None,
        copies: 0,
        other_copies: Vec::new(),
    }
}

/// A stored document as a whole article, its date shown in `zone` when one is asked for.
pub(crate) fn article_view(f: &Fields, doc: &TantivyDocument, zone: Option<&Zone>) -> ArticleView {
    let a = StoredArticle::read(f, doc);
    ArticleView {
        id: a.id,
        title: a.title,
        date: a.date.map(|d| shown_date(d, zone)),
        source: a.source,
        url: a.url,
        author: a.author,
        lang: a.lang,
        path: a.file,
        persons: a.persons,
        countries: countries_named(a.countries),
        orgs: a.orgs,
        places: a.places,
        body: a.body,
    }
}
