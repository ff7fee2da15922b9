//! Metadata fields and their many names: one table shared by JSON, front matter and text headers.

use serde_json::Value;

use super::date::{parse_date, parse_epoch};
use super::Article;

/// The metadata fields warta understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The headline.
    Title,
    /// The article's text.
    Body,
    /// The publication date.
    Date,
    /// The publisher.
    Source,
    /// The article's URL.
    Url,
    /// The byline.
    Author,
    /// The language.
    Lang,
}

/// Maps a field name as publishers spell it (any case, `-` or ` ` for `_`) to a [`Field`].
/// Called for every key of every JSON article, so it folds the name on the stack.
pub fn field_for_key(key: &str) -> Option<Field> {
    const LONGEST: usize = 24;
    let key = key.trim().as_bytes();
    if key.len() > LONGEST {
        return None;
    }
    let mut buf = [0u8; LONGEST];
    for (b, &k) in buf.iter_mut().zip(key) {
        *b = match k {
            b'-' | b' ' => b'_',
            _ => k.to_ascii_lowercase(),
        };
    }
    // Only ASCII bytes were changed, so the folded name is still UTF-8; a key no alias matches
    // (any key with other bytes) gives `None` below.
    let k = std::str::from_utf8(&buf[..key.len()]).unwrap_or("");
    Some(match k {
        "title" | "headline" => Field::Title,
        "body" | "text" | "content" | "article" | "articlebody" | "article_body" => Field::Body,
        "date" | "published" | "published_at" | "publishedat" | "datepublished" | "date_published" | "pubdate"
        | "pub_date" | "publication_date" => Field::Date,
        "source" | "publisher" | "site_name" | "sitename" | "site" => Field::Source,
        "url" | "link" => Field::Url,
        "author" | "authors" | "byline" => Field::Author,
        "lang" | "language" => Field::Lang,
        _ => return None,
    })
}

/// Normalises a language given in metadata (`id-ID`, `Indonesian`, `bahasa indonesia`, `EN`)
/// to an ISO 639-1 code. Unknown names are kept lower-cased.
pub fn normalize_lang(raw: &str) -> Option<String> {
    let l = raw.trim().to_lowercase();
    if l.is_empty() {
        return None;
    }
    let base = l.split(['-', '_']).next().unwrap_or(&l).trim();
    let code = match base {
        "english" | "inggris" | "eng" => "en",
        "indonesian" | "indonesia" | "bahasa indonesia" | "bahasa" | "ind" => "id",
        "malay" | "melayu" | "bahasa melayu" | "msa" | "may" => "ms",
        "french" | "français" | "francais" | "fra" | "fre" => "fr",
        "german" | "deutsch" | "deu" | "ger" => "de",
        "spanish" | "español" | "espanol" | "spa" => "es",
        "portuguese" | "português" | "por" => "pt",
        "dutch" | "nederlands" | "nld" | "dut" => "nl",
        "italian" | "italiano" | "ita" => "it",
        "in" => "id", // the old ISO code for Indonesian
        other => other,
    };
    Some(code.to_string())
}

/// Collects metadata from a JSON object (a JSON article, or parsed front matter) into `article`.
/// Problems (a date that cannot be read, a field of the wrong type) are pushed to `warnings`.
pub fn apply_object(obj: serde_json::Map<String, Value>, article: &mut Article, warnings: &mut Vec<String>) {
    for (key, value) in obj {
        let Some(field) = field_for_key(&key) else { continue };
        match field {
            Field::Date => {
                if article.date.is_some() {
                    continue;
                }
                match value {
                    Value::Null => {}
                    Value::Number(n) => match n.as_f64().and_then(parse_epoch) {
                        Some(ts) => article.date = Some(ts),
                        None => warnings.push(format!("field {key:?}: number {n} is not a date")),
                    },
                    Value::String(s) if s.trim().is_empty() => {}
                    Value::String(s) => set_date(article, &s, warnings),
                    other => warnings.push(format!("field {key:?}: expected a date, found {}", kind(&other))),
                }
            }
            Field::Title | Field::Source | Field::Url | Field::Lang | Field::Body | Field::Author => {
                let text = match value_text(value, field) {
                    Ok(Some(t)) => t,
                    Ok(None) => continue,
                    Err(found) => {
                        warnings.push(format!("field {key:?}: expected text, found {found}; ignored"));
                        continue;
                    }
                };
                let slot = match field {
                    Field::Title => &mut article.title,
                    Field::Body => &mut article.body,
                    Field::Source => &mut article.source,
                    Field::Url => &mut article.url,
                    Field::Author => &mut article.author,
                    Field::Lang => {
                        if article.lang.is_none() {
                            article.lang = normalize_lang(&text);
                        }
                        continue;
                    }
                    Field::Date => unreachable!(),
                };
                if slot.is_none() {
                    *slot = Some(text);
                }
            }
        }
    }
}

/// Parses `raw` as the article's date; a failure is reported, never guessed.
pub fn set_date(article: &mut Article, raw: &str, warnings: &mut Vec<String>) {
    match parse_date(raw) {
        Ok(ts) => article.date = Some(ts),
        Err(e) => warnings.push(format!("{e}; article indexed without a date")),
    }
}

/// Text of a metadata value. Strings as they are; numbers and booleans as text; arrays of
/// strings joined (authors with ", ", body paragraphs with blank lines); objects through their
/// `name` (publisher objects) or `text`. `Err` names the JSON type when no text can be had.
/// A string is moved, not copied, when it needs no trimming (an article's whole text).
fn value_text(value: Value, field: Field) -> Result<Option<String>, &'static str> {
    Ok(match value {
        Value::Null => None,
        Value::String(s) => {
            let t = s.trim();
            if t.is_empty() {
                None
            } else if t.len() == s.len() {
                Some(s)
            } else {
                Some(t.to_string())
            }
        }
        Value::Number(n) if field != Field::Body => Some(n.to_string()),
        Value::Bool(b) if field == Field::Title => Some(b.to_string()),
        Value::Array(items) => {
            let had_items = !items.is_empty();
            let parts: Vec<String> = items
                .into_iter()
                .filter_map(|v| value_text(v, field).ok().flatten())
                .collect();
            if parts.is_empty() && had_items {
                return Err("an array without text");
            }
            let sep = if field == Field::Body { "\n\n" } else { ", " };
            (!parts.is_empty()).then(|| parts.join(sep))
        }
        Value::Object(mut map) => {
            let inner = ["name", "text", "value", "@value"]
                .iter()
                .find_map(|k| map.remove(*k))
                .ok_or("an object")?;
            return value_text(inner, field);
        }
        other => return Err(kind(&other)),
    })
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
