//! JSON (`.json`: one article object or an array of them) and JSON Lines (`.jsonl`, `.ndjson`).

use std::io::BufRead;

use serde_json::Value;

use super::fields::apply_object;
use super::{Article, Record};

/// One article from a JSON value, or why the value is not one.
pub fn article_from_value(value: &Value, warnings: &mut Vec<String>) -> Result<Article, String> {
    let Value::Object(map) = value else {
        return Err(format!("expected an article object, found {}", type_name(value)));
    };
    let mut article = Article::default();
    apply_object(map, &mut article, warnings);
    Ok(article)
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A `.json` file: one object (a single article) or an array (article `#1`, `#2`, ...).
pub fn parse_json(text: &str) -> Result<Vec<Record>, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("malformed JSON: {e}"))?;
    match value {
        Value::Array(items) => Ok(items
            .iter()
            .enumerate()
            .map(|(i, item)| record(i + 1, true, format!("item {}", i + 1), item))
            .collect()),
        Value::Object(_) => Ok(vec![record(1, false, String::new(), &value)]),
        other => Err(format!(
            "expected an article object or an array, found {}",
            type_name(&other)
        )),
    }
}

fn record(n: usize, multi: bool, place: String, value: &Value) -> Record {
    let mut warnings = Vec::new();
    let result = article_from_value(value, &mut warnings);
    Record {
        n,
        multi,
        place,
        result,
        warnings,
    }
}

/// Streams a JSON Lines file: one record per non-blank line, numbered from 1 in file order
/// (a malformed line keeps its number, so fixing it never renumbers the others).
pub fn for_each_jsonl<R: BufRead>(reader: R, mut f: impl FnMut(Record)) -> std::io::Result<()> {
    let mut n = 0;
    for (lineno, line) in reader.lines().enumerate() {
        let line = match line {
            Ok(l) => l,
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                n += 1;
                f(Record {
                    n,
                    multi: true,
                    place: format!("line {}", lineno + 1),
                    result: Err("invalid UTF-8".to_string()),
                    warnings: vec![],
                });
                continue;
            }
            Err(e) => return Err(e),
        };
        let trimmed = line.trim().trim_start_matches('\u{feff}');
        if trimmed.is_empty() {
            continue;
        }
        n += 1;
        let place = format!("line {}", lineno + 1);
        let rec = match serde_json::from_str::<Value>(trimmed) {
            Ok(v) => record(n, true, place, &v),
            Err(e) => Record {
                n,
                multi: true,
                place,
                result: Err(format!("malformed JSON: {e}")),
                warnings: vec![],
            },
        };
        f(rec);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_and_types() {
        let v: Value = serde_json::from_str(
            r#"{"headline":"H","content":["p1","p2"],"publishedAt":"2023-09-14T10:00:00+07:00",
                "publisher":{"@type":"Organization","name":"Kompas"},"link":"http://k","authors":["A","B"],"language":"id-ID"}"#,
        )
        .unwrap();
        let mut w = vec![];
        let a = article_from_value(&v, &mut w).unwrap();
        assert_eq!(a.title.as_deref(), Some("H"));
        assert_eq!(a.body.as_deref(), Some("p1\n\np2"));
        assert_eq!(a.source.as_deref(), Some("Kompas"));
        assert_eq!(a.url.as_deref(), Some("http://k"));
        assert_eq!(a.author.as_deref(), Some("A, B"));
        assert_eq!(a.lang.as_deref(), Some("id"));
        assert_eq!(a.date.unwrap().to_string(), "2023-09-14T03:00:00Z");
        assert!(w.is_empty());
    }

    #[test]
    fn wrong_types_warn() {
        let v: Value = serde_json::from_str(r#"{"title": 42, "body": {"x": 1}, "date": [1]}"#).unwrap();
        let mut w = vec![];
        let a = article_from_value(&v, &mut w).unwrap();
        assert_eq!(a.title.as_deref(), Some("42"));
        assert!(a.body.is_none());
        assert_eq!(w.len(), 2, "{w:?}");
    }

    #[test]
    fn jsonl_numbers_records_and_survives_bad_lines() {
        let data = "{\"title\":\"a\"}\n\nnot json\n{\"title\":\"c\"}\n";
        let mut recs = vec![];
        for_each_jsonl(data.as_bytes(), |r| recs.push(r)).unwrap();
        assert_eq!(recs.len(), 3);
        assert_eq!(recs[2].n, 3);
        assert!(recs[1].result.is_err());
        assert_eq!(recs[1].place, "line 3");
    }
}
