//! HTML pages: metadata from `<meta>` tags and JSON-LD, body from the article's main text.
//!
//! Text inside `<script>`, `<style>`, `<nav>`, `<header>`, `<footer>`, `<aside>`, `<form>` and
//! similar page furniture is never taken.
//!
//! The parser's cost grows with the nesting depth of the markup times the number of elements
//! (each new element looks through the open ones), so a page nested deeper than
//! [`MAX_DEPTH`] is flattened first ([`flatten_deep_markup`]): its text is kept, the tags
//! beyond that depth are dropped, with a warning. The text is then taken from the tree
//! without recursion, however deep it is.

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

/// Markup nested deeper than this is flattened before parsing. Real pages nest a few dozen
/// levels deep.
pub const MAX_DEPTH: usize = 512;

/// Parses a page into an article.
pub fn parse_html(text: &str, warnings: &mut Vec<String>) -> Article {
    let flat = flatten_deep_markup(text, MAX_DEPTH);
    if let Some((_, dropped)) = &flat {
        warnings.push(format!(
            "markup nested deeper than {MAX_DEPTH} levels: {dropped} tags beyond that depth ignored (their text is kept)"
        ));
    }
    let doc = Html::parse_document(flat.as_ref().map_or(text, |(flat, _)| flat.as_str()));
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
    walk(root, &mut out);
    let paragraphs: Vec<String> = out.split('\n').map(collapse).filter(|p| !p.is_empty()).collect();
    paragraphs.join("\n\n")
}

fn visible_len(e: ElementRef<'_>) -> usize {
    let mut s = String::new();
    walk(e, &mut s);
    s.split_whitespace().map(str::len).sum()
}

/// Appends the text under `e` to `out`, one line per block element, leaving out page
/// furniture. Iterative: a stack of the open elements' remaining children, so no depth of
/// markup loses text or overflows the thread's stack.
fn walk(e: ElementRef<'_>, out: &mut String) {
    // Each open element's remaining children, and whether it is a block (closed by a break).
    let mut open = vec![(e.children(), false)];
    while let Some((children, block)) = open.last_mut() {
        let Some(child) = children.next() else {
            if *block {
                out.push('\n');
            }
            open.pop();
            continue;
        };
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
                open.push((child.children(), block));
            }
            _ => {}
        }
    }
}

/// Elements that never hold others (void), or that the parser closes by the next of their
/// kind instead of nesting them: neither deepens the markup.
const FLAT_ELEMENTS: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr", "p",
    "li", "dt", "dd", "option", "tr", "td", "th",
];
/// Elements whose content is raw text, not markup.
const RAW_TEXT: &[&str] = &["script", "style", "textarea", "title", "xmp", "noscript"];

/// `html` with the tags nested deeper than `max_depth` removed, and how many were, or `None`
/// when it is not that deep. The depth is estimated by a scan of the tags (comments and raw
/// text such as scripts skipped), counting start tags of elements that nest and their end
/// tags: a linear pass that bounds the parser's work.
pub fn flatten_deep_markup(html: &str, max_depth: usize) -> Option<(String, usize)> {
    let mut deepest = 0;
    scan_tags(html, |depth, _| deepest = deepest.max(depth));
    if deepest <= max_depth {
        return None;
    }
    let mut out = String::with_capacity(html.len());
    let mut dropped = 0;
    let mut copied = 0;
    scan_tags(html, |depth, tag| {
        if depth > max_depth {
            out.push_str(&html[copied..tag.start]);
            out.push(' ');
            copied = tag.end;
            dropped += 1;
        }
    });
    out.push_str(&html[copied..]);
    Some((out, dropped))
}

/// Calls `on_tag` with the depth of each start or end tag of a nesting element (the depth
/// inside a start tag, the depth before an end tag) and its byte range.
fn scan_tags(html: &str, mut on_tag: impl FnMut(usize, std::ops::Range<usize>)) {
    let bytes = html.as_bytes();
    let mut depth = 0usize;
    let mut at = 0;
    while let Some(lt) = memchr::memchr(b'<', &bytes[at..]).map(|i| at + i) {
        let rest = &html[lt..];
        if rest.starts_with("<!--") {
            at = rest.find("-->").map_or(bytes.len(), |i| lt + i + 3);
            continue;
        }
        let closing = rest.as_bytes().get(1) == Some(&b'/');
        let name_start = lt + 1 + closing as usize;
        let name_len = bytes[name_start..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-')
            .count();
        if name_len == 0 || !bytes[name_start].is_ascii_alphabetic() {
            at = lt + 1;
            continue;
        }
        let Some(end) = memchr::memchr(b'>', &bytes[name_start..]).map(|i| name_start + i + 1) else {
            return;
        };
        let name = html[name_start..name_start + name_len].to_ascii_lowercase();
        at = end;
        if closing {
            if !FLAT_ELEMENTS.contains(&name.as_str()) && depth > 0 {
                let level = depth;
                depth -= 1;
                on_tag(level, lt..end);
            }
            continue;
        }
        if RAW_TEXT.contains(&name.as_str()) {
            at = find_end_tag(bytes, end, &name);
            continue;
        }
        let self_closing = bytes[end - 2] == b'/';
        if !FLAT_ELEMENTS.contains(&name.as_str()) && !self_closing {
            depth += 1;
            on_tag(depth, lt..end);
        }
    }
}

/// Where the end tag of the raw-text element `name` starts, from `from` on (the end of the
/// text when it has none).
fn find_end_tag(bytes: &[u8], from: usize, name: &str) -> usize {
    let mut at = from;
    while let Some(i) = memchr::memmem::find(&bytes[at..], b"</") {
        let after = at + i + 2;
        if bytes
            .get(after..after + name.len())
            .is_some_and(|n| n.eq_ignore_ascii_case(name.as_bytes()))
        {
            return at + i;
        }
        at = after;
    }
    bytes.len()
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
        assert_eq!(a.date.unwrap().to_string(), "2023-09-14T10:15:00+07:00");
        assert_eq!(a.body.as_deref(), Some("Putin bertemu Kim.\n\nParagraf dua."));
    }

    /// Unclosed formatting tags nest every paragraph one level deeper: none is lost.
    #[test]
    fn text_under_hundreds_of_unclosed_tags_is_kept() {
        let page: String = (0..300).map(|i| format!("<font><p>para{i}</p>")).collect();
        let mut w = vec![];
        let a = parse_html(&format!("<html><body>{page}</body></html>"), &mut w);
        let body = a.body.unwrap();
        for i in [0, 255, 256, 299] {
            assert!(body.contains(&format!("para{i}")), "para{i} lost");
        }
        assert!(w.is_empty(), "{w:?}");
    }

    /// Markup deeper than the limit is flattened, with a warning; its text stays.
    #[test]
    fn very_deep_markup_is_flattened_with_a_warning() {
        let depth = 2 * MAX_DEPTH;
        let page = format!(
            "<html><body>{}<p>deep text</p>{}<p>after</p></body></html>",
            "<div>".repeat(depth),
            "</div>".repeat(depth)
        );
        let (flat, dropped) = flatten_deep_markup(&page, MAX_DEPTH).unwrap();
        // <html> and <body> are two levels too.
        assert_eq!(dropped, 2 * (depth + 2 - MAX_DEPTH));
        assert!(flat.contains("deep text"));
        let mut w = vec![];
        let a = parse_html(&page, &mut w);
        assert_eq!(a.body.as_deref(), Some("deep text\n\nafter"));
        assert!(w[0].contains("nested deeper"), "{w:?}");
        // Comments, scripts and void elements do not count; shallow pages are left alone.
        let page = format!(
            "<script>{}</script><!--{}-->{}",
            "<div>".repeat(depth),
            "<b>".repeat(depth),
            "<br>".repeat(depth)
        );
        assert_eq!(flatten_deep_markup(&page, MAX_DEPTH), None);
        assert_eq!(flatten_deep_markup(PAGE, MAX_DEPTH), None);
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
