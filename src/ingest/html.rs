//! HTML pages: metadata from `<meta>` tags and JSON-LD, body from the article's main text.
//!
//! Text inside `<script>`, `<style>`, `<nav>`, `<header>`, `<footer>`, `<aside>`, `<form>` and
//! similar page furniture is never taken.

use scraper::{ElementRef, Html, Node, Selector};
use serde_json::Value;

use super::fields::{apply_object, normalize_lang, set_date};
use super::Article;

const SKIPPED: &[&str] = &[
    "script", "style", "nav", "header", "footer", "aside", "form", "noscript", "template", "svg", "button", "iframe",
    "select", "figure", "menu", "dialog", "object", "canvas",
];
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "blockquote",
    "pre",
    "table",
    "tr",
    "br",
    "hr",
    "dd",
    "dt",
    "figcaption",
];

fn sel(s: &str) -> Selector {
    Selector::parse(s).expect("static selector")
}

/// Parses a page into an article.
pub fn parse_html(text: &str, warnings: &mut Vec<String>) -> Article {
    let doc = Html::parse_document(text);
    let mut article = Article::default();

    let meta = |attr: &str, names: &[&str]| -> Option<String> {
        names.iter().find_map(|name| {
            let s = sel(&format!("meta[{attr}=\"{name}\"]"));
            doc.select(&s)
                .filter_map(|m| m.value().attr("content"))
                .map(str::trim)
                .find(|c| !c.is_empty())
                .map(str::to_string)
        })
    };

    // JSON-LD first: it is the most explicit; meta tags fill what it lacks.
    if let Some(obj) = json_ld_article(&doc) {
        apply_object(obj, &mut article, warnings);
        // JSON-LD's own body text would bypass the noise rules; the page body is used instead.
        article.body = None;
    }
    if let Some(t) = meta("property", &["og:title"]).or_else(|| meta("name", &["twitter:title"])) {
        article.title = Some(t);
    }
    if article.title.is_none() {
        article.title = first_text(&doc, "h1").or_else(|| first_text(&doc, "title"));
    }
    if article.date.is_none() {
        let date = meta("property", &["article:published_time", "og:published_time"])
            .or_else(|| {
                meta(
                    "name",
                    &[
                        "date",
                        "pubdate",
                        "publishdate",
                        "publish-date",
                        "article:published_time",
                        "dc.date",
                        "DC.date",
                        "DC.date.issued",
                        "dcterms.created",
                    ],
                )
            })
            .or_else(|| meta("itemprop", &["datePublished"]))
            .or_else(|| {
                doc.select(&sel("time[datetime]"))
                    .filter_map(|t| t.value().attr("datetime"))
                    .map(str::to_string)
                    .next()
            });
        if let Some(d) = date {
            set_date(&mut article, &d, warnings);
        }
    }
    if article.source.is_none() {
        article.source =
            meta("property", &["og:site_name"]).or_else(|| meta("name", &["application-name", "publisher"]));
    }
    if article.url.is_none() {
        article.url = meta("property", &["og:url"]).or_else(|| {
            doc.select(&sel("link[rel=\"canonical\"]"))
                .filter_map(|l| l.value().attr("href"))
                .map(str::to_string)
                .next()
        });
    }
    if article.author.is_none() {
        article.author = meta("name", &["author", "byl"]).or_else(|| meta("property", &["article:author"]));
    }
    if article.lang.is_none() {
        article.lang = doc
            .select(&sel("html"))
            .filter_map(|h| h.value().attr("lang"))
            .find_map(normalize_lang);
    }

    let body = main_text(&doc);
    // The headline is usually repeated at the top of the article: keep it once, as the title.
    let body = match &article.title {
        Some(t) if body.starts_with(t.as_str()) => body[t.len()..].trim_start().to_string(),
        _ => body,
    };
    if !body.is_empty() {
        article.body = Some(body);
    }
    article
}

fn first_text(doc: &Html, selector: &str) -> Option<String> {
    doc.select(&sel(selector))
        .map(|e| collapse(&e.text().collect::<String>()))
        .find(|t| !t.is_empty())
}

/// The first JSON-LD object describing an article (`NewsArticle`, `Article`, ...).
fn json_ld_article(doc: &Html) -> Option<serde_json::Map<String, Value>> {
    let mut candidates = Vec::new();
    for script in doc.select(&sel("script[type=\"application/ld+json\"]")) {
        let raw: String = script.text().collect();
        let Ok(value) = serde_json::from_str::<Value>(raw.trim()) else {
            continue;
        };
        collect_objects(value, &mut candidates, 0);
    }
    candidates.into_iter().find(|obj| {
        let types: Vec<&str> = match obj.get("@type") {
            Some(Value::String(s)) => vec![s.as_str()],
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        types
            .iter()
            .any(|t| t.ends_with("Article") || *t == "BlogPosting" || *t == "Report")
    })
}

fn collect_objects(value: Value, out: &mut Vec<serde_json::Map<String, Value>>, depth: usize) {
    if depth > 4 {
        return;
    }
    match value {
        Value::Array(items) => items.into_iter().for_each(|v| collect_objects(v, out, depth + 1)),
        Value::Object(mut map) => {
            if let Some(graph) = map.remove("@graph") {
                collect_objects(graph, out, depth + 1);
            }
            out.push(map);
        }
        _ => {}
    }
}

/// The page's main text: the largest `<article>`, else `<main>`, else `<body>`, without the
/// page furniture, one paragraph per block element.
fn main_text(doc: &Html) -> String {
    let pick =
        |selector: &str| -> Option<ElementRef<'_>> { doc.select(&sel(selector)).max_by_key(|e| visible_len(*e)) };
    let root = pick("article")
        .filter(|e| visible_len(*e) > 0)
        .or_else(|| pick("main, [role=\"main\"]"))
        .or_else(|| pick("body"))
        .unwrap_or_else(|| doc.root_element());
    let mut out = String::new();
    walk(root, &mut out, 0);
    let paragraphs: Vec<String> = out.split('\n').map(collapse).filter(|p| !p.is_empty()).collect();
    paragraphs.join("\n\n")
}

fn visible_len(e: ElementRef<'_>) -> usize {
    let mut s = String::new();
    walk(e, &mut s, 0);
    s.split_whitespace().map(str::len).sum()
}

fn walk(e: ElementRef<'_>, out: &mut String, depth: usize) {
    if depth > 256 {
        return; // absurdly deep markup: what lies below is not article text
    }
    for child in e.children() {
        match child.value() {
            Node::Text(t) => out.push_str(t),
            Node::Element(el) => {
                let name = el.name();
                if SKIPPED.contains(&name) {
                    continue;
                }
                let block = BLOCKS.contains(&name);
                if block {
                    out.push('\n');
                }
                if let Some(child_el) = ElementRef::wrap(child) {
                    walk(child_el, out, depth + 1);
                }
                if block {
                    out.push('\n');
                }
            }
            _ => {}
        }
    }
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<!doctype html><html lang="id-ID"><head>
<title>Judul - Situs</title>
<meta property="og:title" content="Judul Berita">
<meta property="article:published_time" content="2023-09-14T10:15:00+07:00">
<meta property="og:site_name" content="Kompas">
<style>.zzstylenoise { color: red }</style>
<script>var trackingPutin = "zzscriptnoise";</script>
</head><body>
<header>zzheadernoise</header><nav><a href="/">zznavnoise</a></nav>
<article><h1>Judul Berita</h1><p>Putin bertemu Kim.</p><aside>Baca juga zzasidenoise</aside><p>Paragraf <b>dua</b>.</p></article>
<footer>zzfooternoise</footer></body></html>"#;

    #[test]
    fn meta_and_main_text() {
        let mut w = vec![];
        let a = parse_html(PAGE, &mut w);
        assert_eq!(a.title.as_deref(), Some("Judul Berita"));
        assert_eq!(a.source.as_deref(), Some("Kompas"));
        assert_eq!(a.lang.as_deref(), Some("id"));
        assert_eq!(a.date.unwrap().to_string(), "2023-09-14T03:15:00Z");
        assert_eq!(a.body.as_deref(), Some("Putin bertemu Kim.\n\nParagraf dua."));
    }

    #[test]
    fn json_ld_and_time_element() {
        let page = r#"<html><head><script type="application/ld+json">
{"@context":"https://schema.org","@graph":[{"@type":"WebSite","name":"x"},
{"@type":"NewsArticle","headline":"LD headline","datePublished":"2024-10-20","publisher":{"@type":"Organization","name":"Antara"}}]}
</script></head><body><main><p>Text <time datetime="2020-01-01">then</time>.</p></main></body></html>"#;
        let mut w = vec![];
        let a = parse_html(page, &mut w);
        assert_eq!(a.title.as_deref(), Some("LD headline"));
        assert_eq!(a.source.as_deref(), Some("Antara"));
        assert_eq!(a.date.unwrap().to_string(), "2024-10-20T00:00:00Z");
        assert_eq!(a.body.as_deref(), Some("Text then."));
    }
}
