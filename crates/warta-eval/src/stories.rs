//! Near-duplicate detection measured on labelled pairs of articles: each pair's similarity as
//! warta's signatures estimate it (and the exact Jaccard similarity of the shingle sets),
//! precision and recall of "copies" at a threshold, and the candidate pairs a labelled sample
//! is drawn from.
//!
//! The labels file is tab-separated: `id_a  id_b  label  split`, `label` `copy` or `distinct`,
//! `split` `tune` or `test`; lines starting with `#` are comments. Ids are the corpora's own
//! (`clickid-...`, `indosum-...`): the file holds no text.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Serialize;
use warta::index::signature::{self, band_terms, Signature};

/// An article as the measurement needs it.
pub struct Article {
    pub id: String,
    pub title: String,
    pub source: String,
    pub date: String,
    pub body: String,
}

/// The articles of the corpora (JSON Lines files or directories holding one), by id.
pub fn read_articles(corpora: &[PathBuf]) -> Result<Vec<Article>> {
    let mut out = Vec::new();
    for path in corpora {
        for v in crate::eval::jsonl(path)? {
            let text = |k: &str| v[k].as_str().unwrap_or_default().to_string();
            out.push(Article {
                id: text("id"),
                title: text("title"),
                source: text("source"),
                date: text("date"),
                body: text("body"),
            });
        }
    }
    Ok(out)
}

/// A labelled pair.
#[derive(Debug, Clone, Serialize)]
pub struct Pair {
    pub a: String,
    pub b: String,
    pub copy: bool,
    pub split: String,
}

/// The labelled pairs of a labels file.
pub fn read_labels(path: &Path) -> Result<Vec<Pair>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let [a, b, label, split] = cols[..] else {
            anyhow::bail!("{}:{}: expected 4 tab-separated columns", path.display(), n + 1);
        };
        let copy = match label {
            "copy" => true,
            "distinct" => false,
            other => anyhow::bail!(
                "{}:{}: label {other:?} is neither copy nor distinct",
                path.display(),
                n + 1
            ),
        };
        out.push(Pair {
            a: a.to_string(),
            b: b.to_string(),
            copy,
            split: split.to_string(),
        });
    }
    Ok(out)
}

/// Similarities of two texts: as the signatures estimate it (none when a text is too short to
/// be signed) and exactly, over the shingle sets.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Similarity {
    pub estimated: Option<f64>,
    pub exact: f64,
}

pub fn similarity(a: &str, b: &str) -> Similarity {
    let estimated = signature::signature(a)
        .zip(signature::signature(b))
        .map(|(x, y)| signature::similarity(&x, &y));
    let (sa, sb): (HashSet<u64>, HashSet<u64>) = (
        signature::shingles(a).into_iter().collect(),
        signature::shingles(b).into_iter().collect(),
    );
    let union = sa.union(&sb).count();
    let exact = if union == 0 {
        0.0
    } else {
        sa.intersection(&sb).count() as f64 / union as f64
    };
    Similarity { estimated, exact }
}

/// Precision and recall of "copies" at one threshold.
#[derive(Debug, Clone, Serialize)]
pub struct Score {
    pub threshold: f64,
    pub pairs: usize,
    pub copies: usize,
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
    pub precision: f64,
    pub recall: f64,
}

/// Scores the pairs of `split` (all with `None`) at `threshold`: a pair is called a copy
/// when both are signed and their estimated similarity reaches it.
pub fn score(pairs: &[(Pair, Similarity)], split: Option<&str>, threshold: f64) -> Score {
    let (mut tp, mut fp, mut fn_, mut n, mut copies) = (0, 0, 0, 0, 0);
    for (p, s) in pairs.iter().filter(|(p, _)| split.is_none_or(|sp| p.split == sp)) {
        n += 1;
        copies += usize::from(p.copy);
        let called = s.estimated.is_some_and(|e| e >= threshold);
        match (called, p.copy) {
            (true, true) => tp += 1,
            (true, false) => fp += 1,
            (false, true) => fn_ += 1,
            (false, false) => {}
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 1.0 } else { a as f64 / b as f64 };
    Score {
        threshold,
        pairs: n,
        copies,
        true_positives: tp,
        false_positives: fp,
        false_negatives: fn_,
        precision: ratio(tp, tp + fp),
        recall: ratio(tp, tp + fn_),
    }
}

/// The labelled pairs with their similarities; an error names a pair's id the corpora lack.
pub fn measure(labels: &[Pair], articles: &[Article]) -> Result<Vec<(Pair, Similarity)>> {
    let by_id: HashMap<&str, &Article> = articles.iter().map(|a| (a.id.as_str(), a)).collect();
    labels
        .iter()
        .map(|p| {
            let get = |id: &str| {
                by_id
                    .get(id)
                    .copied()
                    .with_context(|| format!("no article {id} in the corpora"))
            };
            let (a, b) = (get(&p.a)?, get(&p.b)?);
            Ok((p.clone(), similarity(&a.body, &b.body)))
        })
        .collect()
}

/// Candidate pairs for labelling: pairs of signed articles sharing a band, drawn evenly from
/// bins of estimated similarity (`per_bin` each, the same every run), and `per_bin` pairs of
/// articles published the same day by different sources, drawn the same way. Each with its
/// estimated similarity.
pub fn candidates(articles: &[Article], per_bin: usize) -> Vec<(usize, usize, f64)> {
    let signed: Vec<(usize, Signature)> = articles
        .iter()
        .enumerate()
        .filter_map(|(i, a)| Some((i, signature::signature(&a.body)?)))
        .collect();
    let mut bands: Vec<(u64, usize)> = signed
        .iter()
        .enumerate()
        .flat_map(|(k, (_, sig))| band_terms(sig).into_iter().map(move |t| (t, k)))
        .collect();
    bands.sort_unstable();
    let mut pairs: HashSet<(usize, usize)> = HashSet::new();
    for bucket in bands
        .chunk_by(|a, b| a.0 == b.0)
        .filter(|b| b.len() > 1 && b.len() < 50)
    {
        for (x, &(_, i)) in bucket.iter().enumerate() {
            for &(_, j) in &bucket[x + 1..] {
                pairs.insert((i.min(j), i.max(j)));
            }
        }
    }
    const BINS: [(f64, f64); 6] = [
        (0.95, 1.01),
        (0.85, 0.95),
        (0.75, 0.85),
        (0.6, 0.75),
        (0.4, 0.6),
        (0.2, 0.4),
    ];
    let mut binned: Vec<Vec<(u64, usize, usize, f64)>> = vec![Vec::new(); BINS.len()];
    for (i, j) in pairs {
        let sim = signature::similarity(&signed[i].1, &signed[j].1);
        if let Some(bin) = BINS.iter().position(|(lo, hi)| sim >= *lo && sim < *hi) {
            let (a, b) = (signed[i].0, signed[j].0);
            binned[bin].push((draw_key(&articles[a].id, &articles[b].id), a, b, sim));
        }
    }
    let mut out = Vec::new();
    for mut bin in binned {
        bin.sort_by_key(|p| p.0);
        out.extend(bin.into_iter().take(per_bin).map(|(_, a, b, s)| (a, b, s)));
    }
    out.extend(same_day_pairs(articles, &signed, per_bin));
    out
}

/// Pairs of signed articles of the same day from different sources, drawn by [`draw_key`].
fn same_day_pairs(articles: &[Article], signed: &[(usize, Signature)], n: usize) -> Vec<(usize, usize, f64)> {
    let mut by_day: HashMap<&str, Vec<usize>> = HashMap::new();
    for (k, (i, _)) in signed.iter().enumerate() {
        let day = articles[*i].date.get(..10).unwrap_or_default();
        if !day.is_empty() {
            by_day.entry(day).or_default().push(k);
        }
    }
    let mut drawn: Vec<(u64, usize, usize)> = Vec::new();
    for ks in by_day.values() {
        for (x, &k) in ks.iter().enumerate().step_by(7) {
            if let Some(&l) = ks.get(x + 3) {
                let (a, b) = (signed[k].0, signed[l].0);
                if articles[a].source != articles[b].source {
                    drawn.push((draw_key(&articles[a].id, &articles[b].id), k, l));
                }
            }
        }
    }
    drawn.sort_unstable();
    drawn
        .into_iter()
        .take(n)
        .map(|(_, k, l)| {
            (
                signed[k].0,
                signed[l].0,
                signature::similarity(&signed[k].1, &signed[l].1),
            )
        })
        .collect()
}

/// A pair's place in the draw: a hash of its ids, so the same pairs are drawn every run.
fn draw_key(a: &str, b: &str) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    std::hash::Hash::hash(&(a, b), &mut h);
    std::hash::Hasher::finish(&h)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Comments and blank lines are skipped; a label other than copy or distinct, or a line
    /// without four columns, is an error naming the line.
    #[test]
    fn labels_are_read_and_bad_lines_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pairs.tsv");
        std::fs::write(&path, "# a comment\n\na\tb\tcopy\ttune\nc\td\tdistinct\ttest\n").unwrap();
        let pairs = read_labels(&path).unwrap();
        assert_eq!(pairs.len(), 2);
        assert!(pairs[0].copy && !pairs[1].copy);
        assert_eq!((pairs[1].a.as_str(), pairs[1].split.as_str()), ("c", "test"));
        std::fs::write(&path, "a\tb\tsame\ttune\n").unwrap();
        assert!(read_labels(&path)
            .unwrap_err()
            .to_string()
            .contains(":1: label \"same\""));
        std::fs::write(&path, "a\tb\tcopy\n").unwrap();
        assert!(read_labels(&path).unwrap_err().to_string().contains("4 tab-separated"));
    }

    /// A pair is called a copy when both texts are signed and estimated at the threshold or
    /// more; precision and recall count the calls of one split.
    #[test]
    fn scores_count_the_calls_of_a_split() {
        let pair = |copy, split: &str, estimated| {
            let p = Pair {
                a: "a".into(),
                b: "b".into(),
                copy,
                split: split.into(),
            };
            (p, Similarity { estimated, exact: 0.0 })
        };
        let pairs = [
            pair(true, "test", Some(0.9)),
            pair(true, "test", Some(0.5)),
            pair(true, "test", None),
            pair(false, "test", Some(0.7)),
            pair(false, "tune", Some(0.9)),
        ];
        let s = score(&pairs, Some("test"), 0.65);
        assert_eq!((s.true_positives, s.false_positives, s.false_negatives), (1, 1, 2));
        assert_eq!((s.precision, s.recall), (0.5, 1.0 / 3.0));
        assert_eq!(score(&pairs, None, 0.95).precision, 1.0, "no call: nothing wrong");
    }
}
