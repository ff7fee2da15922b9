//! Output: results for people (aligned text, highlights on a terminal) and for programs (JSON).
//!
//! Every function writes to a `Write` and returns its I/O error, so a closed pipe
//! (`warta search ... | head`) ends the program quietly instead of panicking.
//!
//! Text from the archive (titles, bodies, ids, file names, sources, entity names, reasons
//! naming files) goes through [`visible`] or [`visible_text`] before it reaches a terminal:
//! a control character or a bidirectional override in an article could otherwise clear the
//! screen, retitle the window or hide text. They are printed as escapes (`\x1b`, `\u{202e}`).

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, Write};

use serde::Serialize;

use warta::extract::ExtractedArticle;
use warta::index::RunSummary;
use warta::search::facets::{FacetCount, Timeline, TimelineSeries};
use warta::search::snippet::Snippet;
use warta::search::{
    ApproximateName, ArticleView, CountBy, RelatedResponse, Relaxed, SearchRequest, SearchResponse, Stats, Suggestion,
};

/// How human output is decorated.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// ANSI colours and bold (a terminal that wants them, or `--color always`); else plain
    /// text, matched words unmarked, so piped output greps like the article.
    pub color: bool,
}

impl Style {
    fn bold(&self, s: &str) -> String {
        if self.color {
            format!("\x1b[1m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn dim(&self, s: &str) -> String {
        if self.color {
            format!("\x1b[2m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn highlight(&self) -> (&'static str, &'static str) {
        if self.color {
            ("\x1b[1;33m", "\x1b[0m")
        } else {
            ("", "")
        }
    }
}

/// Whether `c` must not reach a terminal as it is: C0 controls, DEL, C1 controls, and the
/// bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), which
/// reorder the text shown around them.
fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `s` with every character a terminal would act on replaced by a visible escape: `\x1b` for
/// C0 controls and DEL, `\u{85}` for the others. Newlines and tabs are escaped too, for values
/// printed on one line (titles, ids, file names).
pub fn visible(s: &str) -> Cow<'_, str> {
    escape(s, false)
}

/// [`visible`] for running text, which keeps its newlines and tabs (an article's body).
pub fn visible_text(s: &str) -> Cow<'_, str> {
    escape(s, true)
}

fn escape(s: &str, keep_lines: bool) -> Cow<'_, str> {
    let kept = |c: char| keep_lines && (c == '\n' || c == '\t');
    if !s.chars().any(|c| is_unsafe(c) && !kept(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if !is_unsafe(c) || kept(c) {
            out.push(c);
        } else if (c as u32) < 0x80 {
            let _ = write!(out, "\\x{:02x}", c as u32);
        } else {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
    Cow::Owned(out)
}

/// Prints any serde value as pretty JSON, followed by a newline.
/// serde_json escapes the C0 controls in strings; DEL, the C1 controls and the bidirectional
/// controls are escaped here too (`\u202e`), so JSON shown on a terminal is as safe as text.
pub fn json<T: Serialize>(out: &mut impl Write, value: &T) -> io::Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(io::Error::from)?;
    out.write_all(json_escapes(&text).as_bytes())?;
    writeln!(out)
}

/// The JSON error object every client of warta answers with (the HTTP API, the CLI under
/// `--json`): `{"error": {"code", "message", "suggestions"?}}`, on one line.
pub fn error_object(code: &str, message: &str, suggestions: &[String]) -> String {
    #[derive(Serialize)]
    struct Body<'a> {
        error: Detail<'a>,
    }
    #[derive(Serialize)]
    struct Detail<'a> {
        code: &'a str,
        message: &'a str,
        #[serde(skip_serializing_if = "<[String]>::is_empty")]
        suggestions: &'a [String],
    }
    let body = Body {
        error: Detail {
            code,
            message,
            suggestions,
        },
    };
    json_escapes(&serde_json::to_string(&body).expect("an error object serializes")).into_owned()
}

/// Serialized JSON with the characters [`is_unsafe`] finds written as `\uXXXX` escapes: they
/// only occur inside strings, where the escape means the same character.
fn json_escapes(json: &str) -> Cow<'_, str> {
    // Pretty JSON's own newlines stay.
    let unsafe_in_string = |c: char| c != '\n' && is_unsafe(c);
    if !json.chars().any(unsafe_in_string) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if unsafe_in_string(c) {
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The date part of an RFC 3339 string, or a dash.
fn day(date: &Option<String>) -> String {
    date.as_deref()
        .map_or_else(|| "----------".to_string(), |d| d.chars().take(10).collect())
}

/// Search results for `req`, one block per hit, then the count.
pub fn search_results(
    out: &mut impl Write,
    resp: &SearchResponse,
    req: &SearchRequest,
    style: Style,
) -> io::Result<()> {
    let offset = req.offset;
    let (open, close) = style.highlight();
    let first_relaxed = resp.relaxed.filter(|r| r.strict_total > 0);
    for (i, hit) in resp.hits.iter().enumerate() {
        if let Some(r) = first_relaxed.filter(|r| offset + i == r.strict_total) {
            let noun = if resp.query.contains(['"', ':']) {
                "terms"
            } else {
                "words"
            };
            let line = format!("-- then articles with {} of {} {noun} --", r.matched_clauses, r.of);
            writeln!(out, "     {}\n", style.dim(&line))?;
        }
        let source = hit.source.as_deref().unwrap_or("(no source)");
        writeln!(
            out,
            "{:>3}. {}  {}  [{}]{}",
            offset + i + 1,
            visible(&day(&hit.date)),
            visible(source),
            visible(&hit.lang),
            copies_note(hit)
        )?;
        writeln!(
            out,
            "     {}",
            style.bold(&visible(if hit.title.is_empty() { "(untitled)" } else { &hit.title }))
        )?;
        writeln!(out, "     {}", style.dim(&visible(&hit.id)))?;
        if !hit.snippet_parts.text.is_empty() {
            writeln!(out, "     {}", marked_snippet(&hit.snippet_parts, open, close))?;
        }
        writeln!(out)?;
    }
    // A page of collapsed copies shows stories, while the total counts articles.
    let grouped = req.collapse && resp.hits.iter().any(|h| h.copies > 0);
    let shown = match (resp.hits.is_empty(), grouped) {
        (true, _) => String::new(),
        (false, false) => format!(", showing {}-{}", offset + 1, offset + resp.hits.len()),
        (false, true) => format!(", showing stories {}-{}", offset + 1, offset + resp.hits.len()),
    };
    let note = if grouped {
        "; copies grouped, --expand lists each"
    } else {
        ""
    };
    let noun = if resp.total == 1 { "match" } else { "matches" };
    writeln!(out, "{} {noun}{shown} ({:.1} ms){note}", resp.total, resp.took_ms)?;
    if let Some(facets) = &resp.facets {
        for field in warta::search::facets::FACET_FIELDS {
            if let Some(counts) = facets.get(field) {
                writeln!(out)?;
                facet_table(out, field, counts, resp.total, "articles")?;
            }
        }
    }
    Ok(())
}

/// `  (+3 copies: Antara, Kompas, Tempo)` for a hit whose story has copies: their sources,
/// each once (their ids when they have none); nothing otherwise.
fn copies_note(hit: &warta::search::Hit) -> String {
    if hit.copies == 0 {
        return String::new();
    }
    let mut names: Vec<String> = Vec::new();
    for copy in &hit.other_copies {
        let name = visible(copy.source.as_deref().unwrap_or(&copy.id)).into_owned();
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let noun = if hit.copies == 1 { "copy" } else { "copies" };
    format!("  (+{} {noun}: {})", hit.copies, names.join(", "))
}

/// What the user should know about how the results were found (on stderr, so that
/// `--json` output stays one JSON value): a filter's name matched to names one edit away,
/// words no article has with words they may have meant, a query relaxed to fewer terms.
pub fn search_notices(
    out: &mut impl Write,
    query: &str,
    relaxed: Option<&Relaxed>,
    approximate: &[ApproximateName],
    suggestions: &[Suggestion],
) -> io::Result<()> {
    for a in approximate {
        let noun = if a.filter == "org" { "organization" } else { &a.filter };
        let names: Vec<Cow<'_, str>> = a.matched.iter().map(|m| visible(m)).collect();
        writeln!(
            out,
            "warta: no {noun} is named {:?}; showing the names one letter away: {}",
            visible(&a.name),
            names.join(", ")
        )?;
    }
    for s in suggestions {
        writeln!(
            out,
            "warta: no article has {:?}; did you mean: {}?",
            visible(&s.word),
            visible(&s.did_you_mean.join(", "))
        )?;
    }
    if let Some(r) = relaxed {
        let noun = if query.contains(['"', ':']) { "terms" } else { "words" };
        let (query, m, of) = (visible(query.trim()), r.matched_clauses, r.of);
        match r.strict_total {
            0 => writeln!(
                out,
                "warta: no article has all of: {query}; showing articles with {m} of {of} {noun}"
            )?,
            n => {
                let has = if n == 1 { "article has" } else { "articles have" };
                writeln!(
                    out,
                    "warta: only {n} {has} all of: {query}; then articles with {m} of {of} {noun}"
                )?
            }
        }
    }
    Ok(())
}

/// A snippet with its highlights between `open` and `close` (which may be terminal escapes:
/// the snippet's text is made [`visible`] piece by piece, the marks are not).
fn marked_snippet(snippet: &Snippet, open: &str, close: &str) -> String {
    let text = &snippet.text;
    let mut out = String::with_capacity(text.len() + snippet.highlights.len() * (open.len() + close.len()));
    let mut at = 0;
    for &(s, e) in &snippet.highlights {
        out.push_str(&visible(&text[at..s]));
        out.push_str(open);
        out.push_str(&visible(&text[s..e]));
        out.push_str(close);
        at = e;
    }
    out.push_str(&visible(&text[at..]));
    out
}

/// One whole article.
pub fn article(out: &mut impl Write, a: &ArticleView, style: Style) -> io::Result<()> {
    writeln!(out, "{}", style.bold(&visible(&a.title)))?;
    let rows = [
        ("id", Some(a.id.clone())),
        ("date", a.date.clone()),
        ("source", a.source.clone()),
        ("author", a.author.clone()),
        ("url", a.url.clone()),
        ("language", Some(a.lang.clone())),
        ("file", Some(a.path.clone())),
        ("persons", join(&a.persons)),
        (
            "countries",
            join(
                &a.countries
                    .iter()
                    .map(|c| format!("{} {}", c.code, c.name))
                    .collect::<Vec<_>>(),
            ),
        ),
        ("orgs", join(&a.orgs)),
        ("places", join(&a.places)),
    ];
    for (k, v) in rows {
        if let Some(v) = v {
            writeln!(
                out,
                "{} {}",
                style.dim(&format!("{:<10}", format!("{k}:"))),
                visible(&v)
            )?;
        }
    }
    writeln!(out)?;
    writeln!(out, "{}", visible_text(&a.body))
}

/// The index's statistics.
pub fn stats(out: &mut impl Write, s: &Stats) -> io::Result<()> {
    writeln!(
        out,
        "index:      {} ({})",
        visible(&s.index_path),
        human_bytes(s.index_bytes)
    )?;
    writeln!(out, "articles:   {}", s.articles)?;
    match &s.stories_damaged {
        None => writeln!(
            out,
            "copies:     {} articles are copies of another ({} stories with copies)",
            s.copies, s.stories_with_copies
        )?,
        Some(damage) => writeln!(
            out,
            "copies:     unknown: {} (the next `warta index` rebuilds it)",
            visible(damage)
        )?,
    }
    writeln!(out, "roots:")?;
    for root in &s.roots {
        writeln!(out, "  {}", visible(root))?;
    }
    if s.roots.is_empty() {
        writeln!(out, "  none recorded (`warta index PATH...` records them)")?;
    }
    match (&s.first_date, &s.last_date) {
        (Some(a), Some(b)) => writeln!(
            out,
            "dates:      {} .. {} ({} undated)",
            day(&Some(a.clone())),
            day(&Some(b.clone())),
            s.undated
        )?,
        _ => writeln!(out, "dates:      none")?,
    }
    writeln!(out, "languages:")?;
    let mut langs: Vec<_> = s.languages.iter().collect();
    langs.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (l, n) in langs {
        writeln!(out, "  {n:>8}  {}", visible(l))?;
    }
    writeln!(out, "sources:")?;
    let mut sources: Vec<_> = s.sources.iter().collect();
    sources.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (src, n) in sources {
        writeln!(out, "  {n:>8}  {}", visible(src))?;
    }
    if let Some(run) = &s.last_run {
        writeln!(
            out,
            "last run:   {} files skipped, {} records skipped",
            run.files_skipped, run.articles_skipped
        )?;
        for sk in &run.skipped {
            writeln!(out, "  {}: {}", visible(&sk.path), visible(&sk.reason))?;
        }
        if run.warnings > 0 {
            writeln!(
                out,
                "            {} warnings (articles indexed in a degraded form)",
                run.warnings
            )?;
            for w in &run.degraded {
                writeln!(out, "  {}", visible(w))?;
            }
            if run.warnings as usize > run.degraded.len() {
                writeln!(out, "  ... and {} more", run.warnings as usize - run.degraded.len())?;
            }
        }
    }
    Ok(())
}

/// The summary printed at the end of `warta index`; `quiet` when the warnings were not printed.
pub fn run_summary(out: &mut impl Write, s: &RunSummary, quiet: bool) -> io::Result<()> {
    writeln!(
        out,
        "files: {} added, {} updated, {} removed, {} unchanged, {} skipped, {} not articles",
        s.files_added, s.files_updated, s.files_removed, s.files_unchanged, s.files_skipped, s.not_articles
    )?;
    writeln!(
        out,
        "articles: {} indexed, {} removed, {} skipped; {} in the index",
        s.articles_added, s.articles_removed, s.articles_skipped, s.total_articles
    )?;
    if !s.skipped_by_reason.is_empty() {
        let reasons: Vec<String> = s
            .skipped_by_reason
            .iter()
            .map(|(k, v)| format!("{v} {}", visible(k)))
            .collect();
        writeln!(out, "skipped: {}", reasons.join(", "))?;
    }
    if !s.passed_over.is_empty() {
        let kinds: Vec<String> = s.passed_over.iter().map(|(k, v)| format!("{v} {k}")).collect();
        writeln!(out, "records not articles (passed over): {}", kinds.join(", "))?;
    }
    if s.warnings > 0 {
        let see = if quiet {
            "run without -q to see them, or warta stats"
        } else {
            "see above"
        };
        writeln!(out, "warnings: {} ({see})", s.warnings)?;
    }
    writeln!(
        out,
        "took {:.2} s, {:.0} articles/s, {} read, {} commit{}",
        s.elapsed_secs,
        s.articles_per_sec(),
        human_bytes(s.bytes_read),
        s.commits,
        if s.commits == 1 { "" } else { "s" }
    )
}

fn human_bytes(n: u64) -> String {
    let n = n as f64;
    if n >= 1024.0 * 1024.0 * 1024.0 {
        format!("{:.1} GiB", n / (1024.0 * 1024.0 * 1024.0))
    } else if n >= 1024.0 * 1024.0 {
        format!("{:.1} MiB", n / (1024.0 * 1024.0))
    } else if n >= 1024.0 {
        format!("{:.1} KiB", n / 1024.0)
    } else {
        format!("{n} B")
    }
}

/// The facet block of search results, or `warta facets` output.
/// `total` counts `counted` (articles or stories).
pub fn facet_table(
    out: &mut impl Write,
    field: &str,
    counts: &[FacetCount],
    total: usize,
    counted: &str,
) -> io::Result<()> {
    writeln!(out, "{} ({total} matching {counted})", visible(field))?;
    if counts.is_empty() {
        writeln!(out, "  (none)")?;
    }
    for c in counts {
        match &c.name {
            Some(name) => writeln!(out, "  {:>7}  {}  {}", c.count, visible(&c.value), visible(name))?,
            None => writeln!(out, "  {:>7}  {}", c.count, visible(&c.value))?,
        }
    }
    Ok(())
}

/// A timeline as a bar chart.
pub fn timeline(out: &mut impl Write, t: &Timeline) -> io::Result<()> {
    let max = t.buckets.iter().map(|b| b.count).max().unwrap_or(0).max(1);
    let width = t.buckets.iter().map(|b| b.key.len()).max().unwrap_or(4);
    for b in &t.buckets {
        let bar = "█".repeat(((b.count * 50).div_ceil(max)) as usize);
        writeln!(out, "{:<width$}  {:>7}  {}", b.key, b.count, bar)?;
    }
    if t.undated > 0 {
        writeln!(out, "{:<width$}  {:>7}", "undated", t.undated)?;
    }
    let noun = match (t.counted, t.total) {
        (CountBy::Articles, 1) => "article",
        (CountBy::Stories, 1) => "story",
        (counted, _) => counted.name(),
    };
    writeln!(out, "{} {noun}", t.total)
}

/// Several timelines side by side: one column per series, a row per interval.
pub fn timeline_series(out: &mut impl Write, t: &TimelineSeries) -> io::Result<()> {
    let names: Vec<String> = t.series.iter().map(|s| visible(&s.entity).into_owned()).collect();
    let widths: Vec<usize> = names.iter().map(|n| n.chars().count().max(7)).collect();
    let first = t.series.first().map_or(&[][..], |s| &s.buckets[..]);
    let key_width = first
        .iter()
        .map(|b| b.key.len())
        .max()
        .unwrap_or(0)
        .max("undated".len());
    let row = |out: &mut dyn Write, key: &str, counts: &mut dyn Iterator<Item = String>| -> io::Result<()> {
        write!(out, "{key:<key_width$}")?;
        for (count, width) in counts.zip(&widths) {
            write!(out, "  {count:>width$}")?;
        }
        writeln!(out)
    };
    row(out, t.interval.name(), &mut names.iter().cloned())?;
    for (i, b) in first.iter().enumerate() {
        row(
            out,
            &b.key,
            &mut t.series.iter().map(|s| s.buckets[i].count.to_string()),
        )?;
    }
    if t.series.iter().any(|s| s.undated > 0) {
        row(out, "undated", &mut t.series.iter().map(|s| s.undated.to_string()))?;
    }
    row(out, "total", &mut t.series.iter().map(|s| s.total.to_string()))
}

/// Related entities as a table: score, articles together, articles in the index, kind, name.
pub fn related(out: &mut impl Write, r: &RelatedResponse) -> io::Result<()> {
    let anchors: Vec<String> = r
        .anchors
        .iter()
        .map(|a| format!("{} {}", a.kind, visible(&a.values.join(" | "))))
        .collect();
    writeln!(
        out,
        "related to {}: {} of {} articles",
        anchors.join(" and "),
        r.articles,
        r.index_articles
    )?;
    if r.related.is_empty() {
        return writeln!(out, "  (none)");
    }
    writeln!(
        out,
        "  {:>8}  {:>6}  {:>6}  {:<7}  entity",
        "score", "with", "index", "kind"
    )?;
    for e in &r.related {
        let entity = match &e.name {
            Some(name) => format!("{} ({})", visible(name), visible(&e.value)),
            None => visible(&e.value).into_owned(),
        };
        writeln!(
            out,
            "  {:>8.1}  {:>6}  {:>6}  {:<7}  {entity}",
            e.score, e.count, e.total, e.kind
        )?;
    }
    Ok(())
}

/// One article's extraction, for people.
pub fn extracted(out: &mut impl Write, a: &ExtractedArticle) -> io::Result<()> {
    writeln!(out, "{}  [{}]  {}", visible(&a.id), visible(&a.lang), visible(&a.title))?;
    writeln!(
        out,
        "  {:<10} {}",
        "date",
        a.date.as_deref().unwrap_or("- (none found)")
    )?;
    let fmt = |name: &str, n: u32, forms: &[String]| {
        let others: Vec<&String> = forms.iter().filter(|f| f.as_str() != name).collect();
        if others.is_empty() {
            format!("{name} ×{n}")
        } else {
            format!(
                "{name} ×{n} ({})",
                others.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
            )
        }
    };
    let persons: Vec<String> = a.persons.iter().map(|p| fmt(&p.name, p.mentions, &p.forms)).collect();
    let countries: Vec<String> = a
        .countries
        .iter()
        .map(|c| fmt(&format!("{} {}", c.code, c.name), c.mentions, &c.forms))
        .collect();
    let orgs: Vec<String> = a.orgs.iter().map(|o| fmt(&o.name, o.mentions, &o.forms)).collect();
    let places: Vec<String> = a.places.iter().map(|p| fmt(&p.name, p.mentions, &p.forms)).collect();
    for (label, items) in [
        ("persons", persons),
        ("countries", countries),
        ("orgs", orgs),
        ("places", places),
    ] {
        writeln!(
            out,
            "  {label:<10} {}",
            if items.is_empty() {
                "-".to_string()
            } else {
                visible(&items.join("; ")).into_owned()
            }
        )?;
    }
    writeln!(out)
}

fn join(items: &[String]) -> Option<String> {
    (!items.is_empty()).then(|| items.join(", "))
}
