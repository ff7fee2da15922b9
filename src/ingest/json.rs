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
pub fn for_each_jsonl<R: BufRead>(mut reader: R, mut f: impl FnMut(Record)) -> std::io::Result<()> {
    let mut n = 0;
    let mut lineno = 0;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        lineno += 1;
        let (read, complete) = read_line_bounded(&mut reader, &mut buf, MAX_LINE_BYTES)?;
        if read == 0 {
            break;
        }
        let place = format!("line {lineno}");
        if !complete {
            n += 1;
            f(Record {
                n,
                multi: true,
                place,
                result: Err(format!("line longer than {} MiB", MAX_LINE_BYTES >> 20)),
                warnings: vec![],
            });
            continue;
        }
        let mut warnings = Vec::new();
        let decoded;
        let line = match std::str::from_utf8(&buf) {
            Ok(l) => l,
            Err(_) => {
                decoded = super::decode::decode_line(&buf);
                warnings.push(format!("not UTF-8, decoded as {}", decoded.encoding.unwrap_or("UTF-8")));
                warnings.extend(decoded.warning());
                decoded.text.as_str()
            }
        };
        let trimmed = line.trim().trim_start_matches('\u{feff}');
        if trimmed.is_empty() {
            continue;
        }
        n += 1;
        let mut rec = match serde_json::from_str::<Value>(trimmed) {
            Ok(v) => record(n, true, place, &v),
            Err(e) => Record {
                n,
                multi: true,
                place,
                result: Err(format!("malformed JSON: {e}")),
                warnings: vec![],
            },
        };
        rec.warnings.extend(warnings);
        f(rec);
    }
    Ok(())
}

/// The longest JSON Lines line read; a longer one is skipped (without holding it in memory).
pub const MAX_LINE_BYTES: usize = 64 << 20;

/// Reads one line (without its newline) into `buf`, keeping at most `max` bytes: returns the
/// bytes consumed and whether the whole line fit.
fn read_line_bounded<R: BufRead>(reader: &mut R, buf: &mut Vec<u8>, max: usize) -> std::io::Result<(usize, bool)> {
    let mut consumed = 0;
    let mut fits = true;
    loop {
        let available = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok((consumed, fits));
        }
        let (chunk, done) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (&available[..i], Some(i + 1)),
            None => (available, None),
        };
        if fits && buf.len() + chunk.len() <= max {
            buf.extend_from_slice(chunk);
        } else {
            fits = false;
            buf.clear();
        }
        let used = done.unwrap_or(available.len());
        reader.consume(used);
        consumed += used;
        if done.is_some() {
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
            return Ok((consumed, fits));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_skipped_without_being_kept() {
        let text = b"short\r\nthis line is far too long\nok\nlast-without-newline".to_vec();
        let mut r = std::io::BufReader::with_capacity(4, std::io::Cursor::new(text));
        let mut buf = Vec::new();
        let mut lines = Vec::new();
        loop {
            buf.clear();
            let (n, fits) = read_line_bounded(&mut r, &mut buf, 10).unwrap();
            if n == 0 {
                break;
            }
            lines.push((String::from_utf8(buf.clone()).unwrap(), fits));
        }
        assert_eq!(
            lines,
            [
                ("short".to_string(), true),
                (String::new(), false),
                ("ok".to_string(), true),
                (String::new(), false)
            ]
        );
    }

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
