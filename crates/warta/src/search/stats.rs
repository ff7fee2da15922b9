//! What the index holds: counts per language and source, the roots it was built from.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Searcher, Term};

use crate::index::{Fields, RunSummary, WartaIndex};

use super::relative_path;

/// Which values of a string column some live document holds, by ordinal; `None` when the
/// segment has no deleted documents, so every value is live.
pub(crate) fn live_ords(seg: &tantivy::SegmentReader, col: &tantivy::columnar::StrColumn) -> Option<Vec<bool>> {
    let alive = seg.alive_bitset()?;
    let mut live = vec![false; col.num_terms()];
    for doc in alive.iter_alive() {
        for ord in col.term_ords(doc) {
            live[ord as usize] = true;
        }
    }
    Some(live)
}

/// The directories the index's articles were indexed from, as the server's absolute paths
/// (each file's path without its [`relative_path`]). The files' sorted dictionary is streamed;
/// an id is read only for a file under no root found so far.
pub fn indexed_roots(wi: &WartaIndex) -> tantivy::Result<Vec<String>> {
    let searcher = wi.searcher()?;
    let mut roots: Vec<String> = Vec::new();
    for seg in searcher.segment_readers() {
        let (Some(files), Some(ids)) = (seg.fast_fields().str(Fields::FILE)?, seg.fast_fields().str(Fields::ID)?)
        else {
            continue;
        };
        let postings = seg.inverted_index(wi.fields.file)?;
        let mut stream = files.dictionary().stream()?;
        while stream.advance() {
            let Ok(file) = std::str::from_utf8(stream.key()) else {
                continue;
            };
            if roots.iter().any(|r| file.starts_with(r.as_str())) {
                continue;
            }
            let term = Term::from_field_text(wi.fields.file, file);
            let Some(mut docs) = postings.read_postings(&term, IndexRecordOption::Basic)? else {
                continue;
            };
            let doc = tantivy::DocSet::doc(&docs);
            let _ = tantivy::DocSet::advance(&mut docs);
            let mut id = String::new();
            if let Some(ord) = ids.term_ords(doc).next() {
                ids.ord_to_str(ord, &mut id)?;
            }
            let rel = relative_path(file, &id);
            if let Some(root) = file.strip_suffix(rel.as_str()) {
                if !root.is_empty() {
                    roots.push(root.to_string());
                }
            }
        }
    }
    Ok(roots)
}

/// What `warta stats` reports.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Stats {
    /// Articles in the index.
    pub articles: u64,
    /// Articles per language.
    pub languages: BTreeMap<String, u64>,
    /// Articles per source.
    pub sources: BTreeMap<String, u64>,
    /// Articles without a date.
    pub undated: u64,
    /// The earliest publication date.
    pub first_date: Option<String>,
    /// The latest publication date.
    pub last_date: Option<String>,
    /// The index directory's size on disk.
    pub index_bytes: u64,
    /// The index directory.
    pub index_path: String,
    /// What the last indexing run did and skipped.
    pub last_run: Option<RunSummary>,
    /// The paths the index was built from, which `warta index` without paths re-syncs.
    #[serde(default)]
    pub roots: Vec<String>,
    /// Stories of two articles or more (copies of one text, see [`crate::index::stories`]).
    #[serde(default)]
    pub stories_with_copies: u64,
    /// Articles that are copies: in each story, every article after its earliest.
    #[serde(default)]
    pub copies: u64,
    /// What is wrong with the story table, when it is damaged (the next indexing run
    /// rebuilds it; until then searches show every copy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stories_damaged: Option<String>,
}

/// Counts over the whole index.
pub fn stats(wi: &WartaIndex) -> tantivy::Result<Stats> {
    let searcher = wi.searcher()?;
    let mut languages = BTreeMap::new();
    let mut sources = BTreeMap::new();
    for_each_str(&searcher, Fields::LANG, |v| {
        *languages.entry(v.to_string()).or_insert(0) += 1
    })?;
    for_each_str(&searcher, Fields::SOURCE, |v| {
        *sources.entry(v.to_string()).or_insert(0) += 1
    })?;
    let (mut min, mut max, mut undated) = (i64::MAX, i64::MIN, 0u64);
    for seg in searcher.segment_readers() {
        let dates = seg.fast_fields().date(Fields::DATE)?;
        for doc in seg.doc_ids_alive() {
            match dates.first(doc) {
                Some(d) => {
                    let s = d.into_timestamp_secs();
                    min = min.min(s);
                    max = max.max(s);
                }
                None => undated += 1,
            }
        }
    }
    let fmt = |s: i64| Timestamp::from_second(s).ok().map(|t| t.to_string());
    let stories = wi.stories();
    Ok(Stats {
        stories_with_copies: stories.len() as u64,
        copies: stories.copies(),
        stories_damaged: stories.damage().map(str::to_string),
        articles: searcher.num_docs(),
        languages,
        sources,
        undated,
        first_date: if min <= max { fmt(min) } else { None },
        last_date: if min <= max { fmt(max) } else { None },
        index_bytes: wi.size_on_disk(),
        index_path: wi.dir.display().to_string(),
        last_run: wi.last_run(),
        roots: wi
            .roots()
            .map_err(|e| tantivy::TantivyError::SystemError(e.to_string()))?
            .iter()
            .map(|r| r.display().to_string())
            .collect(),
    })
}

/// The live documents whose fast string field `field` holds `value`. For the id, which is a
/// fast field only: as a term it cost indexing a term dictionary entry and a postings list per
/// article (format 7), and `warta show`, its only reader, looks up one id at a time.
pub(crate) fn docs_with_str(searcher: &Searcher, field: &str, value: &str) -> tantivy::Result<Vec<DocAddress>> {
    let mut out = Vec::new();
    for (ord, seg) in searcher.segment_readers().iter().enumerate() {
        let Some(col) = seg.fast_fields().str(field)? else {
            continue;
        };
        let Some(term) = col.dictionary().term_ord(value.as_bytes())? else {
            continue;
        };
        for doc in seg.doc_ids_alive() {
            if col.term_ords(doc).any(|t| t == term) {
                out.push(DocAddress::new(ord as u32, doc));
            }
        }
    }
    Ok(out)
}

/// The distinct values of a string fast field, read from each segment's dictionary rather
/// than document by document: for fields with few values, such as languages and sources. A
/// value only deleted documents hold is listed until its segment is merged.
pub(crate) fn str_values(searcher: &Searcher, field: &str) -> tantivy::Result<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    for seg in searcher.segment_readers() {
        let Some(col) = seg.fast_fields().str(field)? else {
            continue;
        };
        let mut values = col.dictionary().stream()?;
        while values.advance() {
            if let Ok(v) = std::str::from_utf8(values.key()) {
                out.insert(v.to_string());
            }
        }
    }
    Ok(out)
}

/// Calls `f` with the value of a single-valued string fast field of every live document.
pub(crate) fn for_each_str(searcher: &Searcher, field: &str, mut f: impl FnMut(&str)) -> tantivy::Result<()> {
    let mut buf = String::new();
    for seg in searcher.segment_readers() {
        let Some(col) = seg.fast_fields().str(field)? else {
            continue;
        };
        for doc in seg.doc_ids_alive() {
            for ord in col.term_ords(doc) {
                buf.clear();
                col.ord_to_str(ord, &mut buf)?;
                f(&buf);
            }
        }
    }
    Ok(())
}
