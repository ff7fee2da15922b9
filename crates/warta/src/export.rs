//! Export: every article matching a search, streamed out of the index in index order, as
//! JSON Lines or CSV (for pandas, jq and spreadsheets), or as files a search cluster loads
//! ([`cluster`]).
//!
//! Rows are written as the index hands the matches over ([`search::for_each_match`]): one
//! article is held at a time, whatever the number of matches.

pub mod cluster;

use std::io::Write;

use serde::{Deserialize, Serialize};

use crate::index::WartaIndex;
use crate::search::{self, ArticleView, SearchError, SearchRequest};

/// Output formats of `warta export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// One JSON object per line
    Jsonl,
    /// RFC 4180 CSV, UTF-8, with a header; several values in a cell joined with "; "
    Csv,
    /// An OpenSearch/Elasticsearch index template and bulk NDJSON files (into --out DIR)
    Opensearch,
    /// A Quickwit index config and NDJSON files (into --out DIR)
    Quickwit,
}

impl ExportFormat {
    /// Every format, in the order a command line lists them.
    pub const ALL: [ExportFormat; 4] = [
        ExportFormat::Jsonl,
        ExportFormat::Csv,
        ExportFormat::Opensearch,
        ExportFormat::Quickwit,
    ];

    /// The format's name on a command line.
    pub fn name(self) -> &'static str {
        match self {
            ExportFormat::Jsonl => "jsonl",
            ExportFormat::Csv => "csv",
            ExportFormat::Opensearch => "opensearch",
            ExportFormat::Quickwit => "quickwit",
        }
    }

    /// The format named by an API parameter.
    pub fn from_name(name: &str) -> Option<ExportFormat> {
        match name {
            "jsonl" | "ndjson" => Some(ExportFormat::Jsonl),
            "csv" => Some(ExportFormat::Csv),
            _ => None,
        }
    }

    /// The media type of an answer in this format.
    pub fn media_type(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv; charset=utf-8",
            _ => "application/x-ndjson",
        }
    }

    /// The file extension of this format's files.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            _ => "jsonl",
        }
    }

    /// The search engine a format is for, when it is one.
    pub fn engine(self) -> Option<cluster::Engine> {
        match self {
            ExportFormat::Opensearch => Some(cluster::Engine::OpenSearch),
            ExportFormat::Quickwit => Some(cluster::Engine::Quickwit),
            _ => None,
        }
    }
}

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The request was refused or the search failed.
    #[error(transparent)]
    Search(#[from] SearchError),
    /// Writing failed.
    #[error("cannot write the export: {0}")]
    Io(#[from] std::io::Error),
    /// Writing a CSV row failed.
    #[error("cannot write the export: {0}")]
    Csv(#[from] csv::Error),
    /// Writing a JSON line failed.
    #[error("cannot write the export: {0}")]
    Json(#[from] serde_json::Error),
    /// A cluster index name OpenSearch or Quickwit would refuse.
    #[error("bad index name {0:?}: use 3 to 200 lower-case letters, digits, '-' and '_', starting with a letter")]
    IndexName(String),
}

/// One exported article. The field names are those of every export format (and of the
/// documents handed to a search cluster).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportRow {
    /// The article's stable id: its path under the indexed root, `#N` for the N-th article of a file.
    pub id: String,
    /// RFC 3339, in the offset it was published with (UTC when the source gave none) or in
    /// the zone asked for.
    pub date: Option<String>,
    /// The publisher, when known.
    pub source: Option<String>,
    /// The article's URL, when known.
    pub url: Option<String>,
    /// ISO 639-1 language code.
    pub lang: String,
    /// The title.
    pub title: String,
    /// Canonical names of the persons mentioned.
    pub persons: Vec<String>,
    /// ISO 3166-1 alpha-2 codes.
    pub countries: Vec<String>,
    /// The countries' English names, in the order of their codes.
    pub country_names: Vec<String>,
    /// Canonical names of the organizations mentioned.
    pub orgs: Vec<String>,
    /// Canonical names of the places mentioned.
    pub places: Vec<String>,
    /// The article's text (only when asked for).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

/// The CSV columns, in order (`body` last, only with the text).
pub const CSV_COLUMNS: [&str; 11] = [
    "id",
    "date",
    "source",
    "url",
    "lang",
    "title",
    "persons",
    "countries",
    "country_names",
    "orgs",
    "places",
];

/// How several values share a CSV cell.
pub const CSV_JOIN: &str = "; ";

impl ExportRow {
    /// The row of an article, with its text when `with_text`.
    pub fn new(a: ArticleView, with_text: bool) -> ExportRow {
        let (countries, country_names) = a.countries.into_iter().map(|c| (c.code, c.name)).unzip();
        ExportRow {
            id: a.id,
            date: a.date,
            source: a.source,
            url: a.url,
            lang: a.lang,
            title: a.title,
            persons: a.persons,
            countries,
            country_names,
            orgs: a.orgs,
            places: a.places,
            body: with_text.then_some(a.body),
        }
    }

    /// The row's CSV cells, in the order of [`CSV_COLUMNS`] (and the text).
    fn csv_cells(&self) -> Vec<String> {
        let one = |v: &Option<String>| v.clone().unwrap_or_default();
        let many = |v: &[String]| v.join(CSV_JOIN);
        let mut cells = vec![
            self.id.clone(),
            one(&self.date),
            one(&self.source),
            one(&self.url),
            self.lang.clone(),
            self.title.clone(),
            many(&self.persons),
            many(&self.countries),
            many(&self.country_names),
            many(&self.orgs),
            many(&self.places),
        ];
        cells.extend(self.body.clone());
        cells
    }
}

/// Writes rows in one format to a byte stream.
pub struct RowWriter<W: Write> {
    format: ExportFormat,
    with_text: bool,
    jsonl: Option<W>,
    csv: Option<csv::Writer<W>>,
    header_written: bool,
}

impl<W: Write> RowWriter<W> {
    /// A writer of `format` rows into `out`; `with_text` adds the article's text.
    pub fn new(out: W, format: ExportFormat, with_text: bool) -> RowWriter<W> {
        let (jsonl, csv) = match format {
            ExportFormat::Csv => (
                None,
                Some(
                    csv::WriterBuilder::new()
                        .terminator(csv::Terminator::CRLF)
                        .from_writer(out),
                ),
            ),
            _ => (Some(out), None),
        };
        RowWriter {
            format,
            with_text,
            jsonl,
            csv,
            header_written: false,
        }
    }

    /// The CSV header, written before the first row (or alone, for an export of nothing).
    fn header(&mut self) -> Result<(), ExportError> {
        if let (false, Some(csv)) = (self.header_written, self.csv.as_mut()) {
            let body = self.with_text.then_some("body");
            csv.write_record(CSV_COLUMNS.iter().copied().chain(body))?;
        }
        self.header_written = true;
        Ok(())
    }

    /// Writes one article (after the CSV header, the first time).
    pub fn write(&mut self, row: &ExportRow) -> Result<(), ExportError> {
        self.header()?;
        match self.format {
            ExportFormat::Csv => {
                self.csv.as_mut().expect("a CSV writer").write_record(row.csv_cells())?;
            }
            _ => {
                let out = self.jsonl.as_mut().expect("a JSON Lines writer");
                serde_json::to_writer(&mut *out, row)?;
                out.write_all(b"\n")?;
            }
        }
        Ok(())
    }

    /// Writes what is buffered and hands the stream back.
    pub fn finish(mut self) -> Result<W, ExportError> {
        self.header()?;
        if let Some(mut out) = self.jsonl.take() {
            out.flush()?;
            return Ok(out);
        }
        let csv = self.csv.take().expect("a CSV writer");
        csv.into_inner().map_err(|e| ExportError::Io(e.into_error()))
    }
}

/// Writes every article matching `req` (its page and order are ignored) to `out`, in index
/// order, up to `max` articles when given. Returns the number written.
pub fn export<W: Write>(
    wi: &WartaIndex,
    req: &SearchRequest,
    format: ExportFormat,
    with_text: bool,
    max: Option<u64>,
    out: W,
) -> Result<(u64, W), ExportError> {
    let mut rows = RowWriter::new(out, format, with_text);
    let mut written = 0u64;
    search::for_each_match(wi, req, |article| -> Result<bool, ExportError> {
        rows.write(&ExportRow::new(article, with_text))?;
        written += 1;
        Ok(max.is_none_or(|m| written < m))
    })?;
    Ok((written, rows.finish()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(with_text: bool) -> ExportRow {
        ExportRow {
            id: "a/b.jsonl#3".into(),
            date: Some("2024-01-02T03:04:05Z".into()),
            source: Some("Kabar, \"Pagi\"".into()),
            url: None,
            lang: "id".into(),
            title: "Banjir\nrob".into(),
            persons: vec!["Joko Widodo".into(), "Kim Jong Un".into()],
            countries: vec!["ID".into(), "KP".into()],
            country_names: vec!["Indonesia".into(), "North Korea".into()],
            orgs: vec![],
            places: vec!["Jakarta".into()],
            body: with_text.then(|| "Isi; dengan koma, dan \"kutip\".".into()),
        }
    }

    /// CSV by RFC 4180: CRLF rows, quoted cells where needed, entities joined with "; ",
    /// read back by a CSV reader to the same cells.
    #[test]
    fn csv_rows_round_trip() {
        let mut w = RowWriter::new(Vec::new(), ExportFormat::Csv, true);
        w.write(&row(true)).unwrap();
        let bytes = w.finish().unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(
            text.starts_with("id,date,source,url,lang,title,persons,countries,country_names,orgs,places,body\r\n"),
            "{text}"
        );
        assert!(text.contains(",\"Kabar, \"\"Pagi\"\"\","), "{text}");
        let mut reader = csv::Reader::from_reader(&bytes[..]);
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(records.len(), 1);
        assert_eq!(&records[0][5], "Banjir\nrob");
        assert_eq!(&records[0][6], "Joko Widodo; Kim Jong Un");
        assert_eq!(&records[0][7], "ID; KP");
        assert_eq!(&records[0][9], "");
        assert_eq!(&records[0][11], "Isi; dengan koma, dan \"kutip\".");
    }

    #[test]
    fn jsonl_rows_round_trip_and_leave_out_the_text_unless_asked() {
        let mut w = RowWriter::new(Vec::new(), ExportFormat::Jsonl, false);
        w.write(&row(false)).unwrap();
        w.write(&row(false)).unwrap();
        let text = String::from_utf8(w.finish().unwrap()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(!lines[0].contains("\"body\""));
        let back: ExportRow = serde_json::from_str(lines[1]).unwrap();
        assert_eq!(back, row(false));
    }

    /// An export of nothing is a CSV header alone, and empty JSON Lines.
    #[test]
    fn nothing_to_export() {
        let csv = RowWriter::new(Vec::new(), ExportFormat::Csv, false).finish().unwrap();
        assert_eq!(
            String::from_utf8(csv).unwrap(),
            format!("{}\r\n", CSV_COLUMNS.join(","))
        );
        assert!(RowWriter::new(Vec::new(), ExportFormat::Jsonl, false)
            .finish()
            .unwrap()
            .is_empty());
    }
}
