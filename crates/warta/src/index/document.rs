//! The tantivy document of an article: what an indexing run writes for each article.

use tantivy::{DateTime, TantivyDocument};

use super::Fields;
use crate::extract::Enriched;

/// What every document of a file records about it.
pub struct FileMeta {
    pub path: String,
    pub size: u64,
    pub mtime_ns: i64,
}

/// The bytes of the buffer [`to_document`] makes for an article: its values, and a little
/// for each entity and the numbers. A named entity's name keys (a few words, each joined to
/// the name) are counted as four times its name and its forms once.
pub fn document_bytes(id: &str, file: &FileMeta, e: &Enriched) -> usize {
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
    id.len() + file.path.len() + text_bytes + entity_bytes + 256
}

/// The tantivy document of an enriched article.
pub fn to_document(f: &Fields, id: &str, file: &FileMeta, hash: u64, last: bool, e: &Enriched) -> TantivyDocument {
    build_document(f, id, file, hash, last, e, document_bytes(id, file, e))
}

/// [`to_document`] with its buffer's size ([`document_bytes`]) already known.
pub fn build_document(
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
    if let Some(ts) = a.date {
        doc.add_date(f.date, DateTime::from_timestamp_secs(ts.as_second()));
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
