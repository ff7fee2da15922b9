//! Plain text (`.txt`) and Markdown (`.md`) articles.

use serde_json::Value;

use super::fields::{apply_object, field_for_key, normalize_lang, set_date, Field};
use super::Article;

/// Longest first line still taken as a title.
const MAX_TITLE_LINE: usize = 200;

/// A plain-text article: an optional `Key: value` header block ending at the first blank line,
/// then the body.
pub fn parse_txt(text: &str, warnings: &mut Vec<String>) -> Article {
    let mut article = Article::default();
    let body = match split_header(text) {
        Some((header, body)) => {
            for (key, value) in header {
                apply_header_line(&mut article, &key, &value, warnings);
            }
            body
        }
        None => text,
    };
    finish_title_and_body(&mut article, body);
    article
}

/// Returns the header lines and the rest when the text opens with a header block: every line
/// up to the first blank one is `Key: value` with a key warta knows.
fn split_header(text: &str) -> Option<(Vec<(String, String)>, &str)> {
    let mut fields = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        offset += line.len();
        if trimmed.is_empty() {
            if fields.is_empty() {
                return None;
            }
            return Some((fields, &text[offset..]));
        }
        let (key, value) = trimmed.split_once(':')?;
        if key.len() > 30 || field_for_key(key).is_none() {
            return None;
        }
        fields.push((key.trim().to_string(), value.trim().to_string()));
    }
    // A file that is only a header has no body.
    (!fields.is_empty()).then_some((fields, ""))
}

fn apply_header_line(article: &mut Article, key: &str, value: &str, warnings: &mut Vec<String>) {
    if value.is_empty() {
        return;
    }
    match field_for_key(key) {
        Some(Field::Date) => set_date(article, value, warnings),
        Some(Field::Lang) => article.lang = normalize_lang(value),
        Some(field) => {
            let slot = match field {
                Field::Title => &mut article.title,
                Field::Body => &mut article.body,
                Field::Source => &mut article.source,
                Field::Url => &mut article.url,
                Field::Author => &mut article.author,
                Field::Date | Field::Lang => unreachable!(),
            };
            *slot = Some(value.to_string());
        }
        None => {}
    }
}

/// Fills title and body from `text` when the metadata gave no title: the first line when it is
/// short, else the opening words of the first sentence (and the whole text stays the body).
pub(super) fn finish_title_and_body(article: &mut Article, text: &str) {
    let text = text.trim();
    if article.title.is_some() {
        if article.body.is_none() && !text.is_empty() {
            article.body = Some(text.to_string());
        }
        return;
    }
    let first_line = text.lines().next().unwrap_or("").trim();
    if !first_line.is_empty() && first_line.chars().count() <= MAX_TITLE_LINE {
        article.title = Some(first_line.trim_start_matches('#').trim().to_string());
        let rest = text[text.find('\n').map_or(text.len(), |i| i + 1)..].trim();
        if article.body.is_none() && !rest.is_empty() {
            article.body = Some(rest.to_string());
        }
    } else {
        if !text.is_empty() {
            article.title = Some(opening_words(text));
        }
        if article.body.is_none() && !text.is_empty() {
            article.body = Some(text.to_string());
        }
    }
}

/// The first sentence, cut to at most 20 words.
fn opening_words(text: &str) -> String {
    let sentence_end = text
        .char_indices()
        .find(|&(i, c)| matches!(c, '.' | '!' | '?') && text[i + c.len_utf8()..].starts_with(char::is_whitespace))
        .map_or(text.len(), |(i, _)| i);
    let sentence = &text[..sentence_end];
    let words: Vec<&str> = sentence.split_whitespace().collect();
    if words.len() > 20 {
        format!("{}…", words[..20].join(" "))
    } else {
        words.join(" ")
    }
}

/// A Markdown article with optional YAML (`---`) or TOML (`+++`) front matter. The body is the
/// text of the Markdown, without markup; the first heading is the title when the front matter
/// has none.
pub fn parse_markdown(text: &str, warnings: &mut Vec<String>) -> Result<Article, String> {
    let mut article = Article::default();
    let trimmed = text.trim_start_matches('\u{feff}');
    let content = if trimmed.starts_with("---") {
        let matter = gray_matter::Matter::<gray_matter::engine::YAML>::new();
        let parsed = matter
            .parse::<Value>(trimmed)
            .map_err(|e| format!("malformed YAML front matter: {e}"))?;
        apply_front_matter(parsed.data, &mut article, warnings)?;
        parsed.content
    } else if trimmed.starts_with("+++") {
        let mut matter = gray_matter::Matter::<gray_matter::engine::TOML>::new();
        matter.delimiter = "+++".to_string();
        let parsed = matter
            .parse::<Value>(trimmed)
            .map_err(|e| format!("malformed TOML front matter: {e}"))?;
        apply_front_matter(parsed.data, &mut article, warnings)?;
        parsed.content
    } else {
        trimmed.to_string()
    };
    let (heading, plain) = markdown_to_text(&content);
    if article.title.is_none() {
        article.title = heading;
    }
    finish_title_and_body(&mut article, &plain);
    Ok(article)
}

fn apply_front_matter(data: Option<Value>, article: &mut Article, warnings: &mut Vec<String>) -> Result<(), String> {
    match data {
        None | Some(Value::Null) => Ok(()),
        Some(Value::Object(map)) => {
            apply_object(map, article, warnings);
            Ok(())
        }
        Some(_) => Err("front matter is not a table of fields".to_string()),
    }
}

/// Plain text of a Markdown document, and its first level-1 heading (left out of the text).
pub fn markdown_to_text(md: &str) -> (Option<String>, String) {
    use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};
    let mut out = String::with_capacity(md.len());
    let mut title: Option<String> = None;
    let mut in_first_h1 = false;
    let mut h1 = String::new();
    for event in Parser::new(md) {
        match event {
            Event::Start(Tag::Heading {
                level: HeadingLevel::H1,
                ..
            }) if title.is_none() => {
                in_first_h1 = true;
            }
            Event::End(TagEnd::Heading(HeadingLevel::H1)) if in_first_h1 => {
                in_first_h1 = false;
                title = Some(h1.trim().to_string());
            }
            Event::Text(t) | Event::Code(t) => {
                if in_first_h1 {
                    h1.push_str(&t);
                } else {
                    out.push_str(&t);
                }
            }
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push('\n'),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::CodeBlock
                | TagEnd::BlockQuote(_)
                | TagEnd::TableRow,
            ) if !out.ends_with("\n\n") => {
                out.push_str(if out.ends_with('\n') { "\n" } else { "\n\n" });
            }
            Event::End(TagEnd::TableCell) => out.push(' '),
            _ => {}
        }
    }
    (title.filter(|t| !t.is_empty()), out.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn txt_with_header() {
        let mut w = vec![];
        let a = parse_txt(
            "title: Hello\nDATE: 2023-09-14\nSource: Antara\nLanguage: Indonesian\n\nBody here.\nMore.",
            &mut w,
        );
        assert_eq!(a.title.as_deref(), Some("Hello"));
        assert_eq!(a.source.as_deref(), Some("Antara"));
        assert_eq!(a.lang.as_deref(), Some("id"));
        assert_eq!(a.body.as_deref(), Some("Body here.\nMore."));
        assert_eq!(a.date.unwrap().to_string(), "2023-09-14T00:00:00Z");
        assert!(w.is_empty());
    }

    #[test]
    fn txt_without_header_uses_first_line() {
        let mut w = vec![];
        let a = parse_txt("Breaking: the title\n\nThe body.", &mut w);
        assert_eq!(a.title.as_deref(), Some("Breaking: the title"));
        assert_eq!(a.body.as_deref(), Some("The body."));
    }

    #[test]
    fn long_first_line_gives_first_sentence() {
        let long = format!("Putin met Kim in Vladivostok. {}", "word ".repeat(60));
        let mut w = vec![];
        let a = parse_txt(&long, &mut w);
        assert_eq!(a.title.as_deref(), Some("Putin met Kim in Vladivostok"));
        assert!(a.body.unwrap().starts_with("Putin met Kim"));
    }

    #[test]
    fn bad_header_date_is_reported() {
        let mut w = vec![];
        let a = parse_txt("Title: T\nDate: sometime soon\n\nBody", &mut w);
        assert!(a.date.is_none());
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("sometime soon"));
    }

    #[test]
    fn markdown_yaml_and_toml() {
        let mut w = vec![];
        let a = parse_markdown("---\ntitle: \"Judul\"\ndate: 2024-03-14\npublisher: Tempo\n---\n# Heading\n\nSome **bold** [link](http://x) text.\n\n- item one\n- item two\n", &mut w).unwrap();
        assert_eq!(a.title.as_deref(), Some("Judul"));
        assert_eq!(a.source.as_deref(), Some("Tempo"));
        assert_eq!(a.date.unwrap().to_string(), "2024-03-14T00:00:00Z");
        let body = a.body.unwrap();
        assert!(body.contains("Some bold link text."), "{body}");
        assert!(!body.contains("**") && !body.contains("http://x"));
        let t = parse_markdown("+++\ntitle = \"T\"\ndate = 2023-09-14\n+++\nBody text\n", &mut w).unwrap();
        assert_eq!(t.title.as_deref(), Some("T"));
        assert_eq!(t.date.unwrap().to_string(), "2023-09-14T00:00:00Z");
        assert_eq!(t.body.as_deref(), Some("Body text"));
    }

    #[test]
    fn markdown_heading_is_title_without_front_matter() {
        let mut w = vec![];
        let a = parse_markdown("# The Title\n\nParagraph one.\n", &mut w).unwrap();
        assert_eq!(a.title.as_deref(), Some("The Title"));
        assert_eq!(a.body.as_deref(), Some("Paragraph one."));
    }
}
