//! Known-item search: does a short query about one article find it in the first ten hits?
//!
//! Queries are drawn from the articles themselves, the way a reader remembers a story: the
//! title's rarest word (usually a name) and two more of its words, in three styles
//! ([`Style`]): as written, with one word in another form than the article uses
//! ("optimistic" where it says "optimism"), and with one word the article lacks but articles
//! about the same name use (a misremembered detail). The draw is seeded, so a seed picks a
//! fixed query set: tune with one seed, report another.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Serialize;
use warta::{search, SearchRequest, WartaIndex};

/// How a query departs from the article's own words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Style {
    /// Three of the title's words as written.
    AsWritten,
    /// One word in a form the article does not use (same beginning, another ending).
    OtherForm,
    /// One word the article lacks, frequent in other articles with the title's rarest word.
    Misremembered,
}

const STYLES: [Style; 3] = [Style::AsWritten, Style::OtherForm, Style::Misremembered];

/// One query and where its article came.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// The article's id as warta gives it.
    pub id: String,
    /// The article's title.
    pub title: String,
    /// The query.
    pub query: String,
    /// How the query was made.
    pub style: Style,
    /// 1-based rank of the article in the first ten hits.
    pub rank: Option<usize>,
    /// Articles the query matched.
    pub total: usize,
    /// Whether warta relaxed the query (too few articles had every word).
    pub relaxed: bool,
    /// Articles with every word of the query (listed first).
    pub strict_total: usize,
}

impl Outcome {
    /// Whether the article would be on the page if a query some article fully matches were
    /// never relaxed: among the full matches, or relaxed because there were none.
    fn found_unfilled(&self) -> bool {
        self.rank
            .is_some_and(|r| self.strict_total == 0 || r <= self.strict_total)
    }
}

/// Success and reciprocal rank per style and overall.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// `(style, queries, success@10, MRR@10, success@10 without filling a short page)`;
    /// style `None` = all.
    pub rows: Vec<(Option<Style>, usize, f64, f64, f64)>,
    /// Articles passed over for want of three distinct title words.
    pub passed_over: usize,
}

/// One article of a corpus: where warta finds it, its title, its words.
struct Doc {
    id: String,
    title: String,
    /// Distinct lower-case words of title and body, as vocabulary ids, sorted.
    words: Vec<u32>,
    /// Distinct lower-case title words in title order.
    title_words: Vec<u32>,
}

/// Every corpus's articles with a shared vocabulary and document frequencies.
struct Corpus {
    docs: Vec<Doc>,
    vocab: Vec<String>,
    df: Vec<u32>,
}

impl Corpus {
    fn read(paths: &[PathBuf]) -> Result<Corpus> {
        let mut ids: HashMap<String, u32> = HashMap::new();
        let mut vocab = Vec::new();
        let mut df: Vec<u32> = Vec::new();
        let mut docs = Vec::new();
        for path in paths {
            let file = crate::eval::jsonl_file(path)?;
            let shown = file.canonicalize()?.display().to_string();
            for (line, v) in crate::eval::jsonl_records(&file)? {
                let title = v["title"].as_str().unwrap_or("").to_string();
                let body = v["body"].as_str().unwrap_or("");
                let mut intern = |w: String| -> u32 {
                    *ids.entry(w).or_insert_with_key(|w| {
                        vocab.push(w.clone());
                        df.push(0);
                        (vocab.len() - 1) as u32
                    })
                };
                let mut title_words = Vec::new();
                for w in words_of(&title) {
                    let id = intern(w);
                    if !title_words.contains(&id) {
                        title_words.push(id);
                    }
                }
                let mut words: Vec<u32> = words_of(body).map(&mut intern).collect();
                words.extend(&title_words);
                words.sort_unstable();
                words.dedup();
                for &w in &words {
                    df[w as usize] += 1;
                }
                docs.push(Doc {
                    id: format!("{shown}#{line}"),
                    title,
                    words,
                    title_words,
                });
            }
        }
        Ok(Corpus { docs, vocab, df })
    }

    /// A word rare enough to say something about an article: at most one article in 20.
    fn telling(&self, w: u32) -> bool {
        let word = &self.vocab[w as usize];
        word.chars().count() >= 3
            && word.chars().all(char::is_alphabetic)
            && u64::from(self.df[w as usize]) * 20 <= self.docs.len() as u64
    }

    /// The query for `doc` in `style`, or `None` when the article offers no such query.
    fn query(&self, doc: &Doc, style: Style, rng: &mut Rng) -> Option<String> {
        let mut telling: Vec<u32> = doc.title_words.iter().copied().filter(|&w| self.telling(w)).collect();
        if telling.len() < 3 {
            return None;
        }
        telling.sort_by_key(|&w| (self.df[w as usize], w));
        let anchor = telling[0];
        let rest = &telling[1..];
        let first = rest[rng.below(rest.len())];
        let others: Vec<u32> = rest.iter().copied().filter(|&w| w != first).collect();
        let second = others[rng.below(others.len())];
        let words = match style {
            Style::AsWritten => vec![anchor, first, second],
            Style::OtherForm => {
                let (kept, changed) = [(first, second), (second, first), (first, anchor)]
                    .into_iter()
                    .find(|&(_, w)| self.other_form(doc, w).is_some())?;
                let other = self.other_form(doc, changed)?;
                let mut q = vec![anchor, kept, other];
                q.dedup();
                q
            }
            Style::Misremembered => vec![anchor, first, self.lacking(doc, anchor)?],
        };
        Some(
            words
                .iter()
                .map(|&w| self.vocab[w as usize].as_str())
                .collect::<Vec<_>>()
                .join(" "),
        )
    }

    /// The most frequent word the article does not use that begins as `w` does and ends
    /// otherwise: `w` without at most its last three letters (at least five kept), then at
    /// most three letters more or less than `w`.
    fn other_form(&self, doc: &Doc, w: u32) -> Option<u32> {
        let word: Vec<char> = self.vocab[w as usize].chars().collect();
        if word.len() < 5 {
            return None;
        }
        let shared = word.len().saturating_sub(3).max(5);
        let prefix: String = word[..shared].iter().collect();
        (0..self.vocab.len() as u32)
            .filter(|&v| v != w && doc.words.binary_search(&v).is_err())
            .filter(|&v| {
                let form = &self.vocab[v as usize];
                form.starts_with(&prefix)
                    && form.chars().count().abs_diff(word.len()) <= 3
                    && form.chars().all(char::is_alphabetic)
                    && self.df[v as usize] >= 2
            })
            .max_by_key(|&v| (self.df[v as usize], std::cmp::Reverse(v)))
    }

    /// The telling word most frequent among the other articles holding `anchor` that `doc`
    /// lacks; `None` when no other article holds `anchor`.
    fn lacking(&self, doc: &Doc, anchor: u32) -> Option<u32> {
        let mut counts: HashMap<u32, u32> = HashMap::new();
        for other in &self.docs {
            if std::ptr::eq(other, doc) || other.words.binary_search(&anchor).is_err() {
                continue;
            }
            for &w in &other.words {
                if doc.words.binary_search(&w).is_err() && self.telling(w) {
                    *counts.entry(w).or_default() += 1;
                }
            }
        }
        counts
            .into_iter()
            .max_by_key(|&(w, n)| (n, std::cmp::Reverse(w)))
            .map(|(w, _)| w)
    }
}

/// Lower-case words of letters, digits and apostrophes.
fn words_of(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .map(|w| w.trim_matches('\'').to_lowercase())
        .filter(|w| !w.is_empty())
}

/// A small deterministic generator (xorshift64*), so a seed names a query set.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n
    }
}

/// Draws `queries` queries (styles in turn) from the articles of `corpora`, runs each
/// against the index at `index` with warta's default request, and reports where the article
/// came.
pub fn known_item(index: &Path, corpora: &[PathBuf], queries: usize, seed: u64) -> Result<(Summary, Vec<Outcome>)> {
    let corpus = Corpus::read(corpora)?;
    let wi = WartaIndex::open(index)?;
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut outcomes = Vec::new();
    let mut tried = HashSet::new();
    let mut passed_over = 0;
    while outcomes.len() < queries && tried.len() < corpus.docs.len() {
        let n = rng.below(corpus.docs.len());
        if !tried.insert(n) {
            continue;
        }
        let doc = &corpus.docs[n];
        let style = STYLES[outcomes.len() % STYLES.len()];
        let Some(query) = corpus.query(doc, style, &mut rng) else {
            passed_over += 1;
            continue;
        };
        let request = SearchRequest {
            query: query.clone(),
            limit: 10,
            ..Default::default()
        };
        let response = search(&wi, &request).with_context(|| format!("query {query:?}"))?;
        outcomes.push(Outcome {
            id: doc.id.clone(),
            title: doc.title.clone(),
            rank: response
                .hits
                .iter()
                .position(|h| format!("{}#{}", h.path, h.id.rsplit('#').next().unwrap_or("")) == doc.id)
                .map(|r| r + 1),
            query,
            style,
            total: response.total,
            relaxed: response.relaxed.is_some(),
            strict_total: response.relaxed.map_or(response.total, |r| r.strict_total),
        });
    }
    Ok((summarize(&outcomes, passed_over), outcomes))
}

fn summarize(outcomes: &[Outcome], passed_over: usize) -> Summary {
    let row = |style: Option<Style>| {
        let of: Vec<&Outcome> = outcomes.iter().filter(|o| style.is_none_or(|s| o.style == s)).collect();
        let n = of.len().max(1) as f64;
        let found = of.iter().filter(|o| o.rank.is_some()).count() as f64;
        let rr: f64 = of.iter().filter_map(|o| o.rank).map(|r| 1.0 / r as f64).sum();
        let unfilled = of.iter().filter(|o| o.found_unfilled()).count() as f64;
        (style, of.len(), found / n, rr / n, unfilled / n)
    };
    let mut rows: Vec<_> = STYLES.iter().map(|&s| row(Some(s))).collect();
    rows.push(row(None));
    Summary { rows, passed_over }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus(texts: &[(&str, &str)]) -> Corpus {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.jsonl.gz");
        let mut gz = flate2::write::GzEncoder::new(std::fs::File::create(&path).unwrap(), Default::default());
        for (title, body) in texts {
            let line = serde_json::json!({"title": title, "body": body}).to_string();
            std::io::Write::write_all(&mut gz, format!("{line}\n").as_bytes()).unwrap();
        }
        gz.finish().unwrap();
        Corpus::read(&[path]).unwrap()
    }

    /// Articles are named as warta names a JSON Lines file's records, by line number (a line
    /// that is not JSON still counts), whether the corpus is given as its file or its directory.
    #[test]
    fn ids_are_the_file_and_line_numbers_warta_gives() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.jsonl");
        let line = |t: &str| serde_json::json!({"title": t, "body": "Some words here."}).to_string();
        std::fs::write(&path, format!("{}\nnot json\n{}\n", line("One"), line("Two"))).unwrap();
        let shown = path.canonicalize().unwrap().display().to_string();
        for given in [path.clone(), dir.path().to_path_buf()] {
            let c = Corpus::read(&[given]).unwrap();
            let ids: Vec<&str> = c.docs.iter().map(|d| d.id.as_str()).collect();
            assert_eq!(ids, [format!("{shown}#1"), format!("{shown}#3")]);
        }
    }

    #[test]
    fn other_form_shares_the_beginning_and_is_absent_from_the_article() {
        let mut texts = vec![("Papandreou optimism", "Greek optimism grows.")];
        texts.extend(std::iter::repeat_n(
            ("Markets", "Traders were optimistic, optimistic."),
            3,
        ));
        texts.extend(std::iter::repeat_n(("Other", "The opera opened."), 30));
        let c = corpus(&texts);
        let optimism = c.vocab.iter().position(|w| w == "optimism").unwrap() as u32;
        let found = c.other_form(&c.docs[0], optimism).map(|v| c.vocab[v as usize].as_str());
        assert_eq!(found, Some("optimistic"));
    }

    #[test]
    fn a_lacking_word_comes_from_other_articles_with_the_anchor() {
        let mut texts = vec![("Papandreou crisis talks", "Papandreou spoke.")];
        texts.extend(std::iter::repeat_n(("Papandreou again", "Papandreou met bankers."), 2));
        texts.extend(std::iter::repeat_n(("Other", "Nothing of note."), 40));
        let c = corpus(&texts);
        let anchor = c.vocab.iter().position(|w| w == "papandreou").unwrap() as u32;
        let word = c.lacking(&c.docs[0], anchor).map(|v| c.vocab[v as usize].as_str());
        assert_eq!(word, Some("again"));
    }

    #[test]
    fn queries_are_three_telling_words_led_by_the_rarest() {
        let mut texts = vec![("Sania Mirza wins historic final", "Sania Mirza won.")];
        texts.extend(std::iter::repeat_n(("Final", "A final was held; wins and losses."), 3));
        texts.extend(std::iter::repeat_n(("Other", "Nothing of note."), 80));
        let c = corpus(&texts);
        let q = c.query(&c.docs[0], Style::AsWritten, &mut Rng(7)).unwrap();
        let words: Vec<&str> = q.split(' ').collect();
        assert_eq!(words.len(), 3);
        assert!(["sania", "mirza", "historic"].contains(&words[0]), "{q}");
    }
}
