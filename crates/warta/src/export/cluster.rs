//! Handing the enriched articles to a search cluster, for archives that outgrow one machine:
//! OpenSearch or Elasticsearch (an index template and `_bulk` NDJSON files) and Quickwit (an
//! index config and NDJSON for `quickwit index ingest`).
//!
//! Both describe the same documents ([`FIELDS`]): the export's rows with their text, fields
//! without a value left out. Documents are written in files of at most `chunk_bytes` each (a
//! document larger than that gets a file of its own), so that each file can be posted whole.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

use super::{ExportError, ExportRow};
use crate::index::WartaIndex;
use crate::search::{self, SearchRequest};

/// The search engines warta can hand its articles to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// OpenSearch or Elasticsearch: an index template and `_bulk` files.
    OpenSearch,
    /// Quickwit: an index config and NDJSON files.
    Quickwit,
}

/// How a document field is indexed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One exact value (filters, aggregations).
    Keyword,
    /// Several exact values (entities).
    Keywords,
    /// Full text, analysed per language.
    Text,
    /// A point in time, RFC 3339.
    Date,
}

/// Every field of a cluster document, as [`ExportRow`] names it.
pub const FIELDS: [(&str, Kind); 12] = [
    ("id", Kind::Keyword),
    ("date", Kind::Date),
    ("source", Kind::Keyword),
    ("url", Kind::Keyword),
    ("lang", Kind::Keyword),
    ("title", Kind::Text),
    ("persons", Kind::Keywords),
    ("countries", Kind::Keywords),
    ("country_names", Kind::Keywords),
    ("orgs", Kind::Keywords),
    ("places", Kind::Keywords),
    ("body", Kind::Text),
];

/// The language sub-fields of text fields in OpenSearch, with their built-in analyzers:
/// `title.id` is the title analysed as Indonesian, `title.en` as English.
pub const LANGUAGE_SUBFIELDS: [(&str, &str); 2] = [("id", "indonesian"), ("en", "english")];

/// The name of the OpenSearch template file and of the Quickwit config file.
pub const OPENSEARCH_TEMPLATE: &str = "index-template.json";
/// The name of the Quickwit index config file.
pub const QUICKWIT_CONFIG: &str = "index-config.yaml";

/// The OpenSearch (and Elasticsearch) index template for indexes named `index*`.
pub fn opensearch_template(index: &str) -> Value {
    let mut properties = Map::new();
    for (name, kind) in FIELDS {
        let mapping = match kind {
            Kind::Keyword | Kind::Keywords => json!({ "type": "keyword" }),
            Kind::Date => json!({ "type": "date", "format": "strict_date_optional_time" }),
            Kind::Text => {
                let sub: Map<String, Value> = LANGUAGE_SUBFIELDS
                    .iter()
                    .map(|(lang, analyzer)| (lang.to_string(), json!({ "type": "text", "analyzer": analyzer })))
                    .collect();
                json!({ "type": "text", "analyzer": "standard", "fields": sub })
            }
        };
        properties.insert(name.to_string(), mapping);
    }
    json!({
        "index_patterns": [format!("{index}*")],
        "template": {
            "mappings": {
                "dynamic": "strict",
                "properties": properties,
            }
        }
    })
}

/// The Quickwit index config (YAML). Quickwit has no Indonesian stemmer: text fields use its
/// `default` tokenizer (words, lower-cased), exact fields `raw`.
pub fn quickwit_config(index: &str) -> String {
    let mut yaml = format!(
        "# Quickwit index config written by warta export.\nversion: 0.8\nindex_id: {index}\ndoc_mapping:\n  mode: strict\n  field_mappings:\n"
    );
    for (name, kind) in FIELDS {
        let lines: &[&str] = match kind {
            Kind::Keyword => &["type: text", "tokenizer: raw", "fast: true"],
            Kind::Keywords => &["type: array<text>", "tokenizer: raw", "fast: true"],
            Kind::Text => &[
                "type: text",
                "tokenizer: default",
                "record: position",
                "fieldnorms: true",
            ],
            Kind::Date => &[
                "type: datetime",
                "input_formats: [rfc3339]",
                "output_format: rfc3339",
                "fast: true",
                "fast_precision: seconds",
            ],
        };
        yaml.push_str(&format!("    - name: {name}\n"));
        for line in lines {
            yaml.push_str(&format!("      {line}\n"));
        }
    }
    yaml.push_str("  timestamp_field: date\nsearch_settings:\n  default_search_fields: [title, body]\n");
    yaml
}

/// A row as a cluster document: its fields without the empty ones.
pub fn document(row: &ExportRow) -> Value {
    let mut doc = serde_json::to_value(row).expect("a row serializes");
    if let Value::Object(map) = &mut doc {
        map.retain(|_, v| !v.is_null());
    }
    doc
}

/// What an export to a cluster wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// How many articles were written.
    pub articles: u64,
    /// The template or config, then the NDJSON files in order.
    pub files: Vec<PathBuf>,
}

/// Writes the template or config and the NDJSON files of every article matching `req` into
/// `dir` (created when missing), for the index `index`, in files of at most `chunk_bytes`.
pub fn export_to_cluster(
    wi: &WartaIndex,
    req: &SearchRequest,
    engine: Engine,
    index: &str,
    chunk_bytes: u64,
    dir: &Path,
) -> Result<Written, ExportError> {
    if !valid_index_name(index) {
        return Err(ExportError::IndexName(index.to_string()));
    }
    std::fs::create_dir_all(dir)?;
    let config = match engine {
        Engine::OpenSearch => {
            let path = dir.join(OPENSEARCH_TEMPLATE);
            std::fs::write(&path, serde_json::to_vec_pretty(&opensearch_template(index))?)?;
            path
        }
        Engine::Quickwit => {
            let path = dir.join(QUICKWIT_CONFIG);
            std::fs::write(&path, quickwit_config(index))?;
            path
        }
    };
    let mut parts = Parts::new(dir, chunk_bytes);
    let mut line = Vec::new();
    let articles = search::for_each_match(wi, req, |article| -> Result<bool, ExportError> {
        let row = ExportRow::new(article, true);
        line.clear();
        if engine == Engine::OpenSearch {
            serde_json::to_writer(&mut line, &json!({ "index": { "_index": index, "_id": row.id } }))?;
            line.push(b'\n');
        }
        serde_json::to_writer(&mut line, &document(&row))?;
        line.push(b'\n');
        parts.write(&line)?;
        Ok(true)
    })?;
    let mut files = vec![config];
    files.extend(parts.finish()?);
    Ok(Written { articles, files })
}

/// Whether both engines accept `name` as an index name (OpenSearch wants lower case,
/// Quickwit a letter first and at least three characters).
fn valid_index_name(name: &str) -> bool {
    (3..=200).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// NDJSON files `part-0001.ndjson`, `part-0002.ndjson`, ... of at most `limit` bytes each.
struct Parts<'a> {
    dir: &'a Path,
    limit: u64,
    current: Option<(BufWriter<File>, u64)>,
    written: Vec<PathBuf>,
}

impl<'a> Parts<'a> {
    fn new(dir: &'a Path, limit: u64) -> Parts<'a> {
        Parts {
            dir,
            limit,
            current: None,
            written: Vec::new(),
        }
    }

    /// Writes one document (with its action line), in a new file when it would take the
    /// current one past the limit.
    fn write(&mut self, lines: &[u8]) -> std::io::Result<()> {
        let len = lines.len() as u64;
        if self.current.as_ref().is_some_and(|(_, size)| size + len > self.limit) {
            self.close()?;
        }
        if self.current.is_none() {
            let path = self.dir.join(format!("part-{:04}.ndjson", self.written.len() + 1));
            self.current = Some((BufWriter::new(File::create(&path)?), 0));
            self.written.push(path);
        }
        let (file, size) = self.current.as_mut().expect("an open part");
        file.write_all(lines)?;
        *size += len;
        Ok(())
    }

    fn close(&mut self) -> std::io::Result<()> {
        if let Some((file, _)) = self.current.take() {
            file.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        }
        Ok(())
    }

    fn finish(mut self) -> std::io::Result<Vec<PathBuf>> {
        self.close()?;
        Ok(self.written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fields are the export's: a row with every field set serializes to exactly them.
    #[test]
    fn the_fields_are_the_rows() {
        let row = ExportRow {
            id: "a".into(),
            date: Some("2024-01-01T00:00:00Z".into()),
            source: Some("s".into()),
            url: Some("u".into()),
            lang: "en".into(),
            title: "t".into(),
            persons: vec!["p".into()],
            countries: vec!["KP".into()],
            country_names: vec!["North Korea".into()],
            orgs: vec!["o".into()],
            places: vec!["x".into()],
            body: Some("b".into()),
        };
        let doc = document(&row);
        let keys: Vec<&str> = doc.as_object().unwrap().keys().map(String::as_str).collect();
        let mut fields: Vec<&str> = FIELDS.iter().map(|(n, _)| *n).collect();
        let mut keys_sorted = keys.clone();
        keys_sorted.sort();
        fields.sort();
        assert_eq!(keys_sorted, fields);
        let undated = document(&ExportRow {
            date: None,
            url: None,
            ..row
        });
        assert!(undated.get("date").is_none() && undated.get("url").is_none());
    }

    #[test]
    fn parts_split_between_documents() {
        let dir = tempfile::tempdir().unwrap();
        let mut parts = Parts::new(dir.path(), 10);
        for doc in [
            &b"aaaa\n"[..],
            b"bbbb\n",
            b"cccc\n",
            b"a document longer than ten\n",
            b"d\n",
        ] {
            parts.write(doc).unwrap();
        }
        let files = parts.finish().unwrap();
        let contents: Vec<String> = files.iter().map(|f| std::fs::read_to_string(f).unwrap()).collect();
        assert_eq!(
            contents,
            ["aaaa\nbbbb\n", "cccc\n", "a document longer than ten\n", "d\n"]
        );
        assert!(files[0].ends_with("part-0001.ndjson") && files[3].ends_with("part-0004.ndjson"));
    }
}
