//! JSON (`.json`: one article object or an array of them) and JSON Lines (`.jsonl`, `.ndjson`).
//!
//! An article object is parsed straight into the fields warta reads ([`field_for_key`]): the
//! values of other fields are skipped by the parser, never built. A news export carries a
//! dozen fields besides title and text (ids, tags, splits, summaries), and building them all
//! as `serde_json::Value`s only to drop them cost about a tenth of reading a JSON Lines corpus.

use std::borrow::Cow;
use std::fmt;
use std::io::BufRead;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::fields::{apply_object, field_for_key};
use super::{Article, Record};

/// A parsed JSON value, as far as reading articles needs it: an object's known fields, the
/// items of a top-level array, or the kind of anything else.
enum Parsed {
    /// An object, with only the fields [`field_for_key`] knows (the last of a repeated key wins,
    /// as in `serde_json::Value`).
    Object(Map<String, Value>),
    /// A top-level array (a `.json` file of articles).
    Array(Vec<Parsed>),
    /// Anything else, named for messages ("a number", "an array", ...).
    Other(&'static str),
}

/// Parses one JSON value; arrays are kept only at the top level (`items`).
struct ParsedSeed {
    items: bool,
}

impl<'de> DeserializeSeed<'de> for ParsedSeed {
    type Value = Parsed;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Parsed, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ParsedSeed {
    type Value = Parsed;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Parsed, E> {
        Ok(Parsed::Other("a boolean"))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Parsed, E> {
        Ok(Parsed::Other("a number"))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Parsed, E> {
        Ok(Parsed::Other("a number"))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Parsed, E> {
        Ok(Parsed::Other("a number"))
    }
    fn visit_str<E>(self, _: &str) -> Result<Parsed, E> {
        Ok(Parsed::Other("a string"))
    }
    fn visit_unit<E>(self) -> Result<Parsed, E> {
        Ok(Parsed::Other("null"))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Parsed, A::Error> {
        if !self.items {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(Parsed::Other("an array"));
        }
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(ParsedSeed { items: false })? {
            items.push(item);
        }
        Ok(Parsed::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Parsed, A::Error> {
        let mut known = Map::new();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            if field_for_key(&key).is_some() {
                known.insert(key.into_owned(), map.next_value::<Value>()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(Parsed::Object(known))
    }
}

/// An object key, borrowed from the input unless it has escapes.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Cow<'de, str>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(s))
    }
    fn visit_str<E>(self, s: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(s.to_string()))
    }
}

/// Parses `text` as one JSON value (arrays of articles only when `items`).
fn parse(text: &str, items: bool) -> Result<Parsed, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = ParsedSeed { items }.deserialize(&mut de)?;
    de.end()?;
    Ok(parsed)
}

/// One article from a parsed value, or why the value is not one.
fn article_from(parsed: Parsed, warnings: &mut Vec<String>) -> Result<Article, String> {
    match parsed {
        Parsed::Object(map) => {
            let mut article = Article::default();
            apply_object(map, &mut article, warnings);
            Ok(article)
        }
        Parsed::Array(_) => Err("expected an article object, found an array".to_string()),
        Parsed::Other(kind) => Err(format!("expected an article object, found {kind}")),
    }
}

/// A `.json` file: one object (a single article) or an array (article `#1`, `#2`, ...).
pub fn parse_json(text: &str) -> Result<Vec<Record>, String> {
    match parse(text, true).map_err(|e| format!("malformed JSON: {e}"))? {
        Parsed::Array(items) => Ok(items
            .into_iter()
            .enumerate()
            .map(|(i, item)| record(i + 1, true, format!("item {}", i + 1), item))
            .collect()),
        object @ Parsed::Object(_) => Ok(vec![record(1, false, String::new(), object)]),
        Parsed::Other(kind) => Err(format!("expected an article object or an array, found {kind}")),
    }
}

fn record(n: usize, multi: bool, place: String, parsed: Parsed) -> Record {
    let mut warnings = Vec::new();
    let result = article_from(parsed, &mut warnings);
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
        let mut rec = match parse(trimmed, false) {
            Ok(parsed) => record(n, true, place, parsed),
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
pub(super) fn read_line_bounded<R: BufRead>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<(usize, bool)> {
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
        let (chunk, done) = match memchr::memchr(b'\n', available) {
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

    /// The article of a JSON object that must parse without warnings.
    fn article(json: &str) -> Article {
        let mut w = vec![];
        let a = article_from(parse(json, false).unwrap(), &mut w).unwrap();
        assert!(w.is_empty(), "{w:?}");
        a
    }

    #[test]
    fn aliases_and_types() {
        let a = article(
            r#"{"headline":"H","content":["p1","p2"],"publishedAt":"2023-09-14T10:00:00+07:00",
                "publisher":{"@type":"Organization","name":"Kompas"},"link":"http://k","authors":["A","B"],"language":"id-ID"}"#,
        );
        assert_eq!(a.title.as_deref(), Some("H"));
        assert_eq!(a.body.as_deref(), Some("p1\n\np2"));
        assert_eq!(a.source.as_deref(), Some("Kompas"));
        assert_eq!(a.url.as_deref(), Some("http://k"));
        assert_eq!(a.author.as_deref(), Some("A, B"));
        assert_eq!(a.lang.as_deref(), Some("id"));
        assert_eq!(a.date.unwrap().to_string(), "2023-09-14T10:00:00+07:00");
    }

    #[test]
    fn wrong_types_warn() {
        let mut w = vec![];
        let a = article_from(
            parse(r#"{"title": 42, "body": {"x": 1}, "date": [1]}"#, false).unwrap(),
            &mut w,
        )
        .unwrap();
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

/// Parsing only the known fields gives the article that building the whole object as a
/// `serde_json::Value` gave, whatever else the object holds.
#[cfg(test)]
mod oracle {
    use super::*;
    use proptest::prelude::*;

    /// The article and warnings of the whole object as a `Value` (how warta read JSON before).
    fn through_value(json: &str) -> Result<(Article, Vec<String>), String> {
        let value: Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
        let Value::Object(map) = value else {
            return Err("not an object".into());
        };
        let mut warnings = Vec::new();
        let mut article = Article::default();
        apply_object(map, &mut article, &mut warnings);
        Ok((article, warnings))
    }

    fn key() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("title".to_string()),
            Just("Title".to_string()),
            Just("headline".to_string()),
            Just("body".to_string()),
            Just("text".to_string()),
            Just("article-body".to_string()),
            Just("date".to_string()),
            Just("published_at".to_string()),
            Just("source".to_string()),
            Just("publisher".to_string()),
            Just("url".to_string()),
            Just("authors".to_string()),
            Just("lang".to_string()),
            Just("ti\\u0074le".to_string()),
            Just("id".to_string()),
            Just("summary".to_string()),
            Just("tags".to_string()),
            "[a-z_ -]{0,12}",
        ]
    }

    fn value() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            Just("null".to_string()),
            Just("true".to_string()),
            Just("42".to_string()),
            Just("1694660400".to_string()),
            Just("-1.5e3".to_string()),
            Just("\"2023-09-14T10:00:00+07:00\"".to_string()),
            Just("\"  padded text \\n\"".to_string()),
            Just("\"Korea Utara \\u00e9 \\\"quoted\\\"\"".to_string()),
            Just("\"\"".to_string()),
            "[a-zA-Z ]{0,20}".prop_map(|s| format!("\"{s}\"")),
        ];
        leaf.prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(","))),
                prop::collection::vec((key(), inner), 0..4).prop_map(|kv| {
                    let fields: Vec<String> = kv.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
                    format!("{{{}}}", fields.join(","))
                }),
            ]
        })
    }

    proptest! {
        #[test]
        fn known_fields_give_the_article_of_the_whole_value(
            fields in prop::collection::vec((key(), value()), 0..10)
        ) {
            let body: Vec<String> = fields.iter().map(|(k, v)| format!("\"{k}\": {v}")).collect();
            let json = format!("{{{}}}", body.join(", "));
            let (want, want_warnings) = through_value(&json).unwrap();
            let mut warnings = Vec::new();
            let got = article_from(parse(&json, false).unwrap(), &mut warnings).unwrap();
            prop_assert_eq!(got, want, "{}", json);
            prop_assert_eq!(warnings, want_warnings);
        }
    }

    #[test]
    fn not_objects_and_bad_json_are_named() {
        for (json, kind) in [
            ("[1, 2]", "an array"),
            ("3", "a number"),
            ("\"x\"", "a string"),
            ("null", "null"),
        ] {
            let err = article_from(parse(json, false).unwrap(), &mut Vec::new()).unwrap_err();
            assert_eq!(err, format!("expected an article object, found {kind}"));
        }
        assert!(parse("{\"title\": \"a\"} x", false).is_err());
        assert!(parse("{\"title\": \"a\"", false).is_err());
        let records = parse_json(r#"[{"title": "a", "extra": {"deep": [1, {"x": null}]}}, 7, [1]]"#).unwrap();
        assert_eq!(records.len(), 3);
        assert_eq!(records[0].result.as_ref().unwrap().title.as_deref(), Some("a"));
        assert_eq!(
            records[1].result.as_ref().unwrap_err(),
            "expected an article object, found a number"
        );
        assert_eq!(
            records[2].result.as_ref().unwrap_err(),
            "expected an article object, found an array"
        );
        assert_eq!(
            parse_json("true").unwrap_err(),
            "expected an article object or an array, found a boolean"
        );
    }
}
