//! The tantivy document of an article: built by indexing runs ([`to_document`]), read back by
//! searches ([`StoredArticle`]).

use jiff::tz::Offset;
use jiff::Timestamp;
use tantivy::schema::{Field, Value};
use tantivy::{DateTime, TantivyDocument};

use super::Fields;
use crate::extract::Enriched;
use crate::ingest::date::PubDate;

/// What every document of a file records about it.
pub struct FileMeta {
    /// The file's path, as the index keys it.
    pub path: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its modification time, nanoseconds since the Unix epoch.
    pub mtime_ns: i64,
}

/// The bytes of the buffer [`to_document`] makes for an article: its values, and a little
/// for each entity and the numbers. A named entity's name keys (a few words, each joined to
/// the name) are counted as four times its name and its forms once.
pub(crate) fn document_bytes(id: &str, file: &FileMeta, e: &Enriched) -> usize {
    let a = &e.article;
    let ents = &e.entities;
    let keyed = |name: &str, forms: &[String]| name.len() * 5 + forms.iter().map(String::len).sum::<usize>();
    let entity_bytes: usize = (ents.persons.iter().map(|p| keyed(&p.name, &p.forms)))
        .chain(ents.orgs.iter().map(|o| keyed(&o.name, &o.forms)))
        .chain(ents.places.iter().map(|p| keyed(&p.name, &p.forms)))
        .chain(ents.countries.iter().map(|c| c.code.len()))
        .map(|len| len + 16)
        .sum();
    let text_bytes: usize = [&a.title, &a.body, &a.url, &a.author, &a.source, &a.source]
        .into_iter()
        .flatten()
        .map(String::len)
        .sum();
    let signature_bytes = super::signature::SLOTS;
    id.len() + file.path.len() + text_bytes + entity_bytes + signature_bytes + 256
}

/// The tantivy document of an enriched article.
pub fn to_document(f: &Fields, id: &str, file: &FileMeta, hash: u64, last: bool, e: &Enriched) -> TantivyDocument {
    build_document(f, id, file, hash, last, e, document_bytes(id, file, e))
}

/// [`to_document`] with its buffer's size ([`document_bytes`]) already known.
pub(crate) fn build_document(
    f: &Fields,
    id: &str,
    file: &FileMeta,
    hash: u64,
    last: bool,
    e: &Enriched,
    bytes: usize,
) -> TantivyDocument {
    let a = &e.article;
    // The document's buffer holds every value: sized up front, the text is copied into it
    // once instead of again at each doubling (most bodies are longer than the default 1 KiB).
    let mut doc = TantivyDocument::with_capacity(bytes);
    doc.add_text(f.id, id);
    doc.add_text(f.file, &file.path);
    doc.add_u64(f.file_size, file.size);
    doc.add_i64(f.file_mtime, file.mtime_ns);
    doc.add_u64(f.file_hash, hash);
    doc.add_u64(f.file_last, last as u64);
    let title = a.title.as_deref().unwrap_or("");
    let body = a.body.as_deref().unwrap_or("");
    let (title_text, body_text) = f.text_pair(&e.lang);
    doc.add_text(title_text, title);
    doc.add_text(body_text, body);
    if let Some(date) = a.date {
        doc.add_date(f.date, DateTime::from_timestamp_secs(date.at.as_second()));
        if let Some(offset) = date.offset {
            doc.add_i64(f.date_offset, i64::from(offset.seconds()));
        }
        doc.add_i64(f.local_day, date.local_day());
    }
    if let Some(s) = &a.source {
        doc.add_text(f.source, s);
        doc.add_text(f.source_key, source_key(s));
    }
    if let Some(u) = &a.url {
        doc.add_text(f.url, u);
    }
    if let Some(au) = &a.author {
        doc.add_text(f.author, au);
    }
    doc.add_text(f.lang, &e.lang);
    for p in &e.entities.persons {
        doc.add_text(f.person, &p.name);
        add_name_keys(&mut doc, f.person_names, &p.name, &p.forms);
    }
    for c in &e.entities.countries {
        doc.add_text(f.country, &c.code);
    }
    for o in &e.entities.orgs {
        doc.add_text(f.org, &o.name);
        add_name_keys(&mut doc, f.org_names, &o.name, &o.forms);
    }
    for p in &e.entities.places {
        doc.add_text(f.place, &p.name);
        add_name_keys(&mut doc, f.place_names, &p.name, &p.forms);
    }
    if let Some(sig) = super::signature::signature(body) {
        doc.add_bytes(f.story_sig, &sig[..]);
    }
    doc
}

/// The words of an entity's name and forms, joined to its name, in `field` (see
/// [`crate::search::names`]).
fn add_name_keys(doc: &mut TantivyDocument, field: tantivy::schema::Field, name: &str, forms: &[String]) {
    for term in crate::search::names::entity_key_terms(name, forms) {
        doc.add_text(field, term);
    }
}

/// The normalised form of a source name used for filtering: trimmed, lower-cased.
pub fn source_key(source: &str) -> String {
    source.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// An article as its stored document holds it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoredArticle {
    /// The article's stable id.
    pub id: String,
    /// The file's path (the key of incremental bookkeeping).
    pub file: String,
    /// The title.
    pub title: String,
    /// The text.
    pub body: String,
    /// Publication date, with the offset the source gave.
    pub date: Option<PubDate>,
    /// The publisher as written.
    pub source: Option<String>,
    /// The article's URL.
    pub url: Option<String>,
    /// The byline.
    pub author: Option<String>,
    /// ISO 639-1 language code.
    pub lang: String,
    /// Canonical person names.
    pub persons: Vec<String>,
    /// ISO codes.
    pub countries: Vec<String>,
    /// Canonical organization names.
    pub orgs: Vec<String>,
    /// Canonical place names.
    pub places: Vec<String>,
}

impl StoredArticle {
    /// Reads the article back from its stored document (title and text from whichever
    /// language's pair holds them).
    pub fn read(f: &Fields, doc: &TantivyDocument) -> StoredArticle {
        StoredArticle {
            id: text(doc, f.id).unwrap_or_default(),
            file: text(doc, f.file).unwrap_or_default(),
            title: first_text(doc, [f.title_other, f.title_en, f.title_id]).unwrap_or_default(),
            body: first_text(doc, [f.body_other, f.body_en, f.body_id]).unwrap_or_default(),
            date: stored_date(f, doc),
            source: text(doc, f.source),
            url: text(doc, f.url),
            author: text(doc, f.author),
            lang: text(doc, f.lang).unwrap_or_default(),
            persons: texts(doc, f.person),
            countries: texts(doc, f.country),
            orgs: texts(doc, f.org),
            places: texts(doc, f.place),
        }
    }
}

/// The stored publication date, with its offset when it has one.
fn stored_date(f: &Fields, doc: &TantivyDocument) -> Option<PubDate> {
    let at = doc
        .get_first(f.date)
        .and_then(|v| v.as_datetime())
        .and_then(|d| Timestamp::from_second(d.into_timestamp_secs()).ok())?;
    let offset = doc
        .get_first(f.date_offset)
        .and_then(|v| v.as_i64())
        .and_then(|s| i32::try_from(s).ok())
        .and_then(|s| Offset::from_seconds(s).ok());
    Some(PubDate { at, offset })
}

/// The first string of `field` in the document.
fn text(doc: &TantivyDocument, field: Field) -> Option<String> {
    doc.get_first(field).and_then(|v| v.as_str()).map(str::to_string)
}

/// Every string of `field` in the document.
fn texts(doc: &TantivyDocument, field: Field) -> Vec<String> {
    doc.get_all(field)
        .filter_map(|v| v.as_str())
        .map(str::to_string)
        .collect()
}

/// The first of `fields` the document holds a string in.
fn first_text(doc: &TantivyDocument, fields: [Field; 3]) -> Option<String> {
    fields.into_iter().find_map(|f| text(doc, f))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::entities::{CountryMention, PlaceMention};
    use crate::extract::{Enriched, Entities, Mention};
    use crate::ingest::Article;

    /// What a document is built from is what is read back from it, in whichever language's
    /// fields the text went.
    #[test]
    fn an_article_reads_back_as_it_was_built() {
        let (_, f) = crate::index::schema::build();
        let mention = |name: &str| Mention {
            name: name.to_string(),
            mentions: 1,
            forms: vec![name.to_string()],
        };
        let mut entities = Entities::default();
        entities.persons.push(mention("Joko Widodo"));
        entities.orgs.push(mention("Bank Indonesia"));
        entities.places.push(PlaceMention {
            name: "Jakarta".to_string(),
            country: Some("ID".to_string()),
            mentions: 1,
            forms: vec!["Jakarta".to_string()],
        });
        entities.countries.push(CountryMention {
            code: "ID".to_string(),
            name: "Indonesia".to_string(),
            mentions: 1,
            forms: vec!["Indonesia".to_string()],
        });
        let at = Timestamp::from_second(1_700_000_000).unwrap();
        let dates = [
            PubDate {
                at,
                offset: Some(jiff::tz::offset(8)),
            },
            PubDate::utc(at),
            PubDate {
                at,
                offset: Some(jiff::tz::offset(-5)),
            },
        ];
        for (lang, date) in ["id", "en", "fr"].into_iter().zip(dates) {
            let enriched = Enriched {
                article: Article {
                    title: Some("Judul".to_string()),
                    body: Some("Isi berita.".to_string()),
                    date: Some(date),
                    source: Some("Kompas".to_string()),
                    url: Some("https://example.com/a".to_string()),
                    author: None,
                    lang: None,
                },
                lang: lang.to_string(),
                entities: entities.clone(),
            };
            let file = FileMeta {
                path: "/news/a.jsonl".to_string(),
                size: 1,
                mtime_ns: 2,
            };
            let doc = to_document(&f, "a.jsonl#3", &file, 9, true, &enriched);
            let expected = StoredArticle {
                id: "a.jsonl#3".to_string(),
                file: "/news/a.jsonl".to_string(),
                title: "Judul".to_string(),
                body: "Isi berita.".to_string(),
                date: Some(date),
                source: Some("Kompas".to_string()),
                url: Some("https://example.com/a".to_string()),
                author: None,
                lang: lang.to_string(),
                persons: vec!["Joko Widodo".to_string()],
                countries: vec!["ID".to_string()],
                orgs: vec!["Bank Indonesia".to_string()],
                places: vec!["Jakarta".to_string()],
            };
            assert_eq!(StoredArticle::read(&f, &doc), expected, "{lang}");
        }
    }
}
