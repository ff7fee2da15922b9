//! Output: results for people (aligned text, highlights on a terminal) and for programs (JSON).
//!
//! Every function writes to a `Write` and returns its I/O error, so a closed pipe
//! (`warta search ... | head`) ends the program quietly instead of panicking.

use std::io::{self, Write};

use serde::Serialize;

use crate::extract::ExtractedArticle;
use crate::index::RunSummary;
use crate::search::facets::{FacetCount, Timeline};
use crate::search::{ArticleView, SearchResponse, Stats};

/// How human output is decorated.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// ANSI colours and bold (a terminal that wants them); else plain text with `**marks**`.
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
            ("**", "**")
        }
    }
}

/// Prints any serde value as pretty JSON, followed by a newline.
pub fn json<T: Serialize>(out: &mut impl Write, value: &T) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value).map_err(io::Error::from)?;
    writeln!(out)
}

/// The date part of an RFC 3339 string, or a dash.
fn day(date: &Option<String>) -> String {
    date.as_deref()
        .map_or_else(|| "----------".to_string(), |d| d.chars().take(10).collect())
}

/// Search results, one block per hit, then the count.
pub fn search_results(out: &mut impl Write, resp: &SearchResponse, offset: usize, style: Style) -> io::Result<()> {
    let (open, close) = style.highlight();
    for (i, hit) in resp.hits.iter().enumerate() {
        let source = hit.source.as_deref().unwrap_or("(no source)");
        writeln!(
            out,
            "{:>3}. {}  {}  [{}]",
            offset + i + 1,
            day(&hit.date),
            source,
            hit.lang
        )?;
        writeln!(
            out,
            "     {}",
            style.bold(if hit.title.is_empty() { "(untitled)" } else { &hit.title })
        )?;
        writeln!(out, "     {}", style.dim(&hit.id))?;
        if !hit.snippet_parts.text.is_empty() {
            writeln!(out, "     {}", hit.snippet_parts.marked(open, close))?;
        }
        writeln!(out)?;
    }
    let shown = if resp.hits.is_empty() {
        String::new()
    } else {
        format!(", showing {}-{}", offset + 1, offset + resp.hits.len())
    };
    let noun = if resp.total == 1 { "match" } else { "matches" };
    writeln!(out, "{} {noun}{shown} ({:.1} ms)", resp.total, resp.took_ms)?;
    if let Some(facets) = &resp.facets {
        for field in crate::search::facets::FACET_FIELDS {
            if let Some(counts) = facets.get(field) {
                writeln!(out)?;
                facet_table(out, field, counts, resp.total)?;
            }
        }
    }
    Ok(())
}

/// One whole article.
pub fn article(out: &mut impl Write, a: &ArticleView, style: Style) -> io::Result<()> {
    writeln!(out, "{}", style.bold(&a.title))?;
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
            writeln!(out, "{} {}", style.dim(&format!("{:<10}", format!("{k}:"))), v)?;
        }
    }
    writeln!(out)?;
    writeln!(out, "{}", a.body)
}

/// The index's statistics.
pub fn stats(out: &mut impl Write, s: &Stats) -> io::Result<()> {
    writeln!(out, "index:      {} ({})", s.index_path, human_bytes(s.index_bytes))?;
    writeln!(out, "articles:   {}", s.articles)?;
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
        writeln!(out, "  {n:>8}  {l}")?;
    }
    writeln!(out, "sources:")?;
    let mut sources: Vec<_> = s.sources.iter().collect();
    sources.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (src, n) in sources {
        writeln!(out, "  {n:>8}  {src}")?;
    }
    if let Some(run) = &s.last_run {
        writeln!(
            out,
            "last run:   {} files skipped, {} records skipped",
            run.files_skipped, run.articles_skipped
        )?;
        for sk in &run.skipped {
            writeln!(out, "  {}: {}", sk.path, sk.reason)?;
        }
        if run.warnings > 0 {
            writeln!(
                out,
                "            {} warnings (articles indexed in a degraded form)",
                run.warnings
            )?;
            for w in &run.degraded {
                writeln!(out, "  {w}")?;
            }
            if run.warnings as usize > run.degraded.len() {
                writeln!(out, "  ... and {} more", run.warnings as usize - run.degraded.len())?;
            }
        }
    }
    Ok(())
}

/// The summary printed at the end of `warta index`.
pub fn run_summary(out: &mut impl Write, s: &RunSummary) -> io::Result<()> {
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
        let reasons: Vec<String> = s.skipped_by_reason.iter().map(|(k, v)| format!("{v} {k}")).collect();
        writeln!(out, "skipped: {}", reasons.join(", "))?;
    }
    if s.warnings > 0 {
        writeln!(out, "warnings: {} (see above)", s.warnings)?;
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
pub fn facet_table(out: &mut impl Write, field: &str, counts: &[FacetCount], total: usize) -> io::Result<()> {
    writeln!(out, "{field} ({total} matching articles)")?;
    if counts.is_empty() {
        writeln!(out, "  (none)")?;
    }
    for c in counts {
        match &c.name {
            Some(name) => writeln!(out, "  {:>7}  {}  {}", c.count, c.value, name)?,
            None => writeln!(out, "  {:>7}  {}", c.count, c.value)?,
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
    writeln!(out, "{} articles", t.total)
}

/// One article's extraction, for people.
pub fn extracted(out: &mut impl Write, a: &ExtractedArticle) -> io::Result<()> {
    writeln!(out, "{}  [{}]  {}", a.id, a.lang, a.title)?;
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
                items.join("; ")
            }
        )?;
    }
    writeln!(out)
}

fn join(items: &[String]) -> Option<String> {
    (!items.is_empty()).then(|| items.join(", "))
}
