//! One article by id (`warta show`), and ids like it when there is none.

use serde::{Deserialize, Serialize};
use tantivy::TantivyDocument;

use crate::index::{Fields, WartaIndex};

use super::stats::docs_with_str;
use super::stats::live_ords;
use super::stored::article_view;
use super::{CountryRef, SearchError};

/// One whole article, as `warta show` prints it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ArticleView {
    /// The article's stable id: its path under the indexed root, `#N` for the N-th article of a file.
    pub id: String,
    /// The title.
    pub title: String,
    /// Publication date, RFC 3339 in the offset it was published with (UTC when the source
    /// gave none) or in the zone asked for.
    pub date: Option<String>,
    /// The publisher, when known.
    pub source: Option<String>,
    /// The article's URL, when known.
    pub url: Option<String>,
    /// The byline, when given.
    pub author: Option<String>,
    /// ISO 639-1 language code.
    pub lang: String,
    /// The file the article came from.
    pub path: String,
    /// Canonical names of the persons mentioned.
    pub persons: Vec<String>,
    /// The countries mentioned, by ISO code and English name.
    pub countries: Vec<CountryRef>,
    /// Canonical names of the organizations mentioned.
    pub orgs: Vec<String>,
    /// Canonical names of the places mentioned.
    pub places: Vec<String>,
    /// The whole text.
    pub body: String,
}

/// The articles with this id (one, unless two roots produced the same relative path).
pub fn show(wi: &WartaIndex, id: &str) -> tantivy::Result<Vec<ArticleView>> {
    let f = &wi.fields;
    let searcher = wi.searcher()?;
    let mut out = Vec::new();
    for addr in docs_with_str(&searcher, Fields::ID, id)? {
        let doc: TantivyDocument = searcher.doc(addr)?;
        out.push(article_view(f, &doc, None));
    }
    Ok(out)
}

/// The articles with this id, or [`SearchError::NoArticle`] with up to five similar ids.
pub fn articles(wi: &WartaIndex, id: &str) -> Result<Vec<ArticleView>, SearchError> {
    let found = show(wi, id)?;
    if found.is_empty() {
        return Err(SearchError::NoArticle {
            id: id.to_string(),
            similar: similar_ids(wi, id, 5)?,
        });
    }
    Ok(found)
}

/// Up to `max` ids of live articles like `id` (for "did you mean"): first those containing
/// its file name (without `#N`), then those whose file name is a few letters from it
/// ([`id_likeness`]); by likeness, then in sorted order. The segments' sorted id dictionaries
/// are streamed, not read id by id.
pub fn similar_ids(wi: &WartaIndex, id: &str, max: usize) -> tantivy::Result<Vec<String>> {
    let searcher = wi.searcher()?;
    let needle = file_name(id).to_lowercase();
    // (unlikeness, id): the first `max` are the answer.
    let mut found = std::collections::BTreeSet::new();
    if needle.is_empty() || max == 0 {
        return Ok(Vec::new());
    }
    for seg in searcher.segment_readers() {
        let Some(col) = seg.fast_fields().str(Fields::ID)? else {
            continue;
        };
        let live = live_ords(seg, &col);
        let mut ids = col.dictionary().stream()?;
        while ids.advance() {
            if live.as_ref().is_some_and(|l| !l[ids.term_ord() as usize]) {
                continue;
            }
            let Ok(i) = std::str::from_utf8(ids.key()) else {
                continue;
            };
            if let Some(likeness) = id_likeness(&needle, i) {
                found.insert((u16::MAX - likeness, i.to_string()));
                if found.len() > max {
                    found.pop_last();
                }
            }
        }
    }
    Ok(found.into_iter().map(|(_, i)| i).collect())
}

/// An id's file name: after its last `/`, without the `#N` of a multi-article file.
fn file_name(id: &str) -> &str {
    let name = id.rsplit('/').next().unwrap_or(id);
    name.split('#').next().unwrap_or(name)
}

/// The least likeness, in thousandths, of a file name suggested for another.
const MIN_LIKENESS: u16 = 700;

/// How like an indexed id is to a typed file name (lower-cased), in thousandths: above
/// anything else when the id contains it; else the edit-distance similarity of the two file
/// names, or of their stems when the extension differs, when at least [`MIN_LIKENESS`].
fn id_likeness(needle: &str, id: &str) -> Option<u16> {
    let lower = id.to_lowercase();
    if lower.contains(needle) {
        return Some(1001);
    }
    let name = file_name(&lower);
    let stem = |s: &'_ str| -> String { s.split('.').next().unwrap_or(s).to_string() };
    let best = [(needle.to_string(), name.to_string()), (stem(needle), stem(name))]
        .iter()
        .filter(|(a, b)| !a.is_empty() && !b.is_empty())
        .filter(|(a, b)| {
            // Names whose lengths alone put them too far apart are not compared.
            let (la, lb) = (a.chars().count(), b.chars().count());
            la.abs_diff(lb) * 1000 <= la.max(lb) * usize::from(1000 - MIN_LIKENESS)
        })
        .map(|(a, b)| (strsim::normalized_levenshtein(a, b) * 1000.0) as u16)
        .max()?;
    (best >= MIN_LIKENESS).then_some(best)
}

/// An article's file as a path relative to the root it was indexed from: its id (without the
/// `#N` of an article of a multi-article file) when the file's path ends with it, else the
/// file's name. For answers that must not show the server's directories.
pub fn relative_path(file: &str, id: &str) -> String {
    let base = id
        .rsplit_once('#')
        .filter(|(_, n)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        .map_or(id, |(base, _)| base);
    for rel in [id, base] {
        if !rel.is_empty()
            && file
                .strip_suffix(rel)
                .is_some_and(|dir| dir.is_empty() || dir.ends_with('/'))
        {
            return rel.to_string();
        }
    }
    file.rsplit('/').next().unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_like_a_typed_name_that_they_contain_or_are_a_few_letters_from() {
        assert_eq!(id_likeness("kirby.txt", "en/kirby.txt"), Some(1001));
        assert_eq!(id_likeness("kirby", "en/Kirby.txt"), Some(1001));
        // One letter off, in the name or in the year.
        assert!(id_likeness("kirbi.txt", "en/kirby.txt").is_some_and(|l| l > 850));
        assert!(id_likeness("wire-2042.jsonl", "jsonl/wire-2024.jsonl#3").is_some_and(|l| l > 800));
        // The same name with another extension.
        assert_eq!(id_likeness("kirby.md", "en/kirby.txt"), Some(1000));
        // Nothing alike.
        assert_eq!(id_likeness("unknown", "en/kirby.txt"), None);
        assert_eq!(id_likeness("a.txt", "seed/korea-russia-summit.id.txt"), None);
    }

    #[test]
    fn relative_paths_are_the_ids_paths() {
        assert_eq!(relative_path("/srv/news/en/a.txt", "en/a.txt"), "en/a.txt");
        assert_eq!(relative_path("/srv/news/feed.jsonl", "feed.jsonl#12"), "feed.jsonl");
        assert_eq!(relative_path("/srv/news/x#1.txt", "x#1.txt"), "x#1.txt");
        // An id that is not the end of the path shows the file's name only, never the path.
        assert_eq!(relative_path("/srv/news/x\u{fffd}.txt", "x%FF.txt"), "x\u{fffd}.txt");
        assert_eq!(relative_path("/srv/news/a.txt", "news/b.txt"), "a.txt");
        assert_eq!(relative_path("/srv/a.txt", "srv/a.txt"), "srv/a.txt");
        assert_eq!(relative_path("/srv/xa.txt", "a.txt"), "xa.txt");
    }
}
