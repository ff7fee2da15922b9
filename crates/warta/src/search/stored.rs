//! Hits and article views read from stored documents.

use jiff::Timestamp;
use tantivy::schema::{Field, Value};
use tantivy::TantivyDocument;

use crate::extract::gazetteer;
use crate::index::stems::StemTable;
use crate::index::Fields;

use super::snippet;
use super::snippet::HighlightTerms;
use super::{ArticleView, CountryRef, Hit};

pub(crate) fn text(doc: &TantivyDocument, field: Field) -> Option<String> {
    doc.get_first(field).and_then(|v| v.as_str()).map(str::to_string)
}

pub(crate) fn date_of(doc: &TantivyDocument, field: Field) -> Option<String> {
    doc.get_first(field)
        .and_then(|v| v.as_datetime())
        .and_then(|d| Timestamp::from_second(d.into_timestamp_secs()).ok())
        .map(|t| t.to_string())
}

pub(crate) fn texts(doc: &TantivyDocument, field: Field) -> Vec<String> {
    doc.get_all(field)
        .filter_map(|v| v.as_str())
        .map(str::to_string)
        .collect()
}

pub(crate) fn countries_of(doc: &TantivyDocument, field: Field) -> Vec<CountryRef> {
    texts(doc, field)
        .into_iter()
        .map(|code| {
            let name = gazetteer::country_name(&code).map_or_else(|| code.clone(), str::to_string);
            CountryRef { code, name }
        })
        .collect()
}

pub(crate) fn hit_from_doc(
    f: &Fields,
    doc: &TantivyDocument,
    score: Option<f32>,
    highlight: &HighlightTerms,
    stems: &StemTable,
) -> Hit {
    let lang = text(doc, f.lang).unwrap_or_default();
    let body = f.body_of(doc).unwrap_or_default();
    let parts = snippet::make(&body, &lang, highlight, stems);
    Hit {
        id: text(doc, f.id).unwrap_or_default(),
        score,
        title: f.title_of(doc).unwrap_or_default(),
        date: date_of(doc, f.date),
        source: text(doc, f.source),
        url: text(doc, f.url),
        path: text(doc, f.file).unwrap_or_default(),
        lang,
        snippet: parts.marked("**", "**"),
        snippet_parts: parts,
        persons: texts(doc, f.person),
        countries: countries_of(doc, f.country),
        orgs: texts(doc, f.org),
        places: texts(doc, f.place),
    }
}

/// A stored document as a whole article.
pub(crate) fn article_view(f: &Fields, doc: &TantivyDocument) -> ArticleView {
    ArticleView {
        id: text(doc, f.id).unwrap_or_default(),
        title: f.title_of(doc).unwrap_or_default(),
        date: date_of(doc, f.date),
        source: text(doc, f.source),
        url: text(doc, f.url),
        author: text(doc, f.author),
        lang: text(doc, f.lang).unwrap_or_default(),
        path: text(doc, f.file).unwrap_or_default(),
        persons: texts(doc, f.person),
        countries: countries_of(doc, f.country),
        orgs: texts(doc, f.org),
        places: texts(doc, f.place),
        body: f.body_of(doc).unwrap_or_default(),
    }
}
