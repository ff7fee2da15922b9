//! Training the entity tagger ([`warta::extract::tagger`]) on annotated news.
//!
//! Reads CoNLL-2003 English (`eng.train`, IOB1 tags, documents split at `-DOCSTART-`) and the
//! IndoNLU NERGrit Indonesian sentences (BIO tags) as warta would read an article: the
//! tokens are joined into text (a document's first sentence as its headline), warta's rules
//! run over that text, and each of warta's own tokens takes the gold label of the name whose
//! characters it lies in. The tagger thus learns from exactly what it sees when it tags.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use anyhow::{Context, Result};
use serde_json::Value;

use crate::eval::Scores;
use warta::extract::entities::tagger_view;
use warta::extract::tagger::{self, EntityType, Model, TrainOptions, TrainingSet};

/// A text with its gold names as byte ranges.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Annotated {
    pub text: String,
    pub names: Vec<(usize, usize, EntityType)>,
}

/// Builds a text from tokens (joined by spaces, sentences by line breaks, a blank line after
/// the first sentence when it is a headline) with the byte range of each tagged name.
#[derive(Default)]
struct TextBuilder {
    out: Annotated,
    /// The open name: its start and type.
    open: Option<(usize, EntityType)>,
}

impl TextBuilder {
    /// Appends a token with its tag's type (`None` outside names); `begins` marks a tag that
    /// opens a new name even right after one of the same type.
    fn token(&mut self, tok: &str, kind: Option<EntityType>, begins: bool) {
        if !self.out.text.is_empty() && !self.out.text.ends_with('\n') {
            self.out.text.push(' ');
        }
        let continues = matches!((self.open, kind), (Some((_, k)), Some(t)) if k == t && !begins);
        if !continues {
            self.close();
            if let Some(k) = kind {
                self.open = Some((self.out.text.len(), k));
            }
        }
        self.out.text.push_str(tok);
    }

    fn close(&mut self) {
        if let Some((start, k)) = self.open.take() {
            let end = self.out.text.trim_end().len();
            self.out.names.push((start, end, k));
        }
    }

    fn end_sentence(&mut self, blank: bool) {
        self.close();
        if !self.out.text.is_empty() {
            self.out.text.push_str(if blank { "\n\n" } else { "\n" });
        }
    }

    fn finish(mut self) -> Annotated {
        self.close();
        self.out
    }
}

fn entity_type(tag: &str) -> Option<EntityType> {
    match tag {
        "PER" | "PERSON" => Some(EntityType::Person),
        "ORG" | "ORGANISATION" => Some(EntityType::Org),
        "LOC" | "PLACE" => Some(EntityType::Place),
        "MISC" => Some(EntityType::Misc),
        // NERP's person, place, organisation/industry, event, food and drink.
        "PPL" => Some(EntityType::Person),
        "PLC" => Some(EntityType::Place),
        "IND" => Some(EntityType::Org),
        "EVT" | "FNB" => Some(EntityType::Misc),
        _ => None,
    }
}

/// Splits a tag into its prefix and type: `B-PER` → (`B`, PER).
fn split_tag(tag: &str) -> (&str, Option<EntityType>) {
    match tag.split_once('-') {
        Some((p, t)) => (p, entity_type(t)),
        None => ("", None),
    }
}

/// CoNLL-2003 documents (the original four-column files, IOB1), gzipped or not.
pub fn read_conll(path: &Path) -> Result<Vec<Annotated>> {
    let lines = open_lines(path)?;
    let mut docs = Vec::new();
    let mut doc = TextBuilder::default();
    let mut sentences = 0;
    let mut in_sentence = false;
    for line in lines {
        let line = line.with_context(|| format!("cannot read {}", path.display()))?;
        if line.starts_with("-DOCSTART-") {
            let done = std::mem::take(&mut doc).finish();
            if !done.text.is_empty() {
                docs.push(done);
            }
            sentences = 0;
            in_sentence = false;
            continue;
        }
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols.is_empty() {
            if in_sentence {
                sentences += 1;
                doc.end_sentence(sentences == 1);
                in_sentence = false;
            }
            continue;
        }
        let (prefix, kind) = split_tag(cols.last().copied().unwrap_or("O"));
        doc.token(cols[0], kind, prefix == "B");
        in_sentence = true;
    }
    let done = doc.finish();
    if !done.text.is_empty() {
        docs.push(done);
    }
    Ok(docs)
}

/// IndoNLU NERGrit sentences of one split (`train`, `valid`, `test`) from the shared
/// `sentences.jsonl.gz`.
pub fn read_nergrit(path: &Path, split: &str) -> Result<Vec<Annotated>> {
    read_indonlu(path, "nergrit", split, |tok, _| tok.to_string())
}

/// IndoNLU NERP sentences of one split, lower-cased in the corpus, written again in the case
/// `truecaser` gives each word.
pub fn read_nerp(path: &Path, split: &str, truecaser: &Truecaser) -> Result<Vec<Annotated>> {
    read_indonlu(path, "nerp", split, |tok, sentence_start| {
        truecaser.recase(tok, sentence_start)
    })
}

/// The sentences of one IndoNLU dataset (ids beginning with `dataset`) and split, each token
/// written as `write` gives it from the token and whether it begins a sentence.
fn read_indonlu(
    path: &Path,
    dataset: &str,
    split: &str,
    write: impl Fn(&str, bool) -> String,
) -> Result<Vec<Annotated>> {
    let mut out = Vec::new();
    for line in open_lines(path)? {
        let line = line.with_context(|| format!("cannot read {}", path.display()))?;
        let v: Value = serde_json::from_str(&line).with_context(|| format!("bad JSON in {}", path.display()))?;
        if !v["id"].as_str().unwrap_or("").starts_with(dataset) || v["split"].as_str() != Some(split) {
            continue;
        }
        let (Some(tokens), Some(tags)) = (v["tokens"].as_array(), v["tags"].as_array()) else {
            continue;
        };
        let mut b = TextBuilder::default();
        let mut sentence_start = true;
        for (tok, tag) in tokens.iter().zip(tags) {
            let tok = tok.as_str().unwrap_or("");
            let (prefix, kind) = split_tag(tag.as_str().unwrap_or("O"));
            b.token(&write(tok, sentence_start), kind, prefix == "B");
            sentence_start = matches!(tok, "." | "!" | "?");
        }
        out.push(b.finish());
    }
    Ok(out)
}

/// How news writes words, learned from unlabelled articles: which folded words are usually
/// capitalised or written in capitals away from the start of a sentence.
#[derive(Default)]
pub struct Truecaser {
    /// Per folded word: (lower-case, capitalised, all-capitals) occurrences.
    counts: std::collections::HashMap<String, (u32, u32, u32)>,
}

impl Truecaser {
    /// Counts the case of every word of `texts` not at the start of a sentence.
    pub fn learn<'a>(texts: impl IntoIterator<Item = &'a str>) -> Truecaser {
        let mut tc = Truecaser::default();
        let mut buf = String::new();
        for text in texts {
            for t in warta::text::tokens::tokenize(text, &mut buf) {
                if t.sentence_start {
                    continue;
                }
                let c = tc.counts.entry(t.norm.to_string()).or_default();
                match t.case {
                    warta::text::tokens::Case::Lower => c.0 += 1,
                    warta::text::tokens::Case::Title => c.1 += 1,
                    warta::text::tokens::Case::Upper => c.2 += 1,
                    warta::text::tokens::Case::Other => {}
                }
            }
        }
        tc
    }

    /// A lower-cased word as news would write it: as it is written most often; a word news
    /// never wrote that is no Indonesian word, capitalised (most such words are names); the
    /// first word of a sentence, capitalised.
    fn recase(&self, word: &str, sentence_start: bool) -> String {
        let title = |w: &str| {
            let mut c = w.chars();
            c.next()
                .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
        };
        let letters = word.chars().all(char::is_alphabetic);
        match self.counts.get(word) {
            _ if !letters => word.to_string(),
            Some(&(lower, cap, upper)) if upper > lower && upper > cap => word.to_uppercase(),
            Some(&(lower, cap, _)) if cap > lower => title(word),
            None if word.len() >= 3 && !warta::text::stem::indonesian::is_word(word) => title(word),
            _ if sentence_start => title(word),
            _ => word.to_string(),
        }
    }
}

fn open_lines(path: &Path) -> Result<std::io::Lines<Box<dyn BufRead>>> {
    let file = std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let read: Box<dyn Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    };
    Ok((Box::new(BufReader::new(read)) as Box<dyn BufRead>).lines())
}

/// Adds annotated texts to a training set, as the tagger will see them.
pub fn add_texts(set: &mut TrainingSet, texts: &[Annotated]) {
    for a in texts {
        tagger_view(&a.text, &mut |view| {
            let gold = tagger::labels_from_ranges(view.toks, &a.names);
            set.add(view, &gold);
        });
    }
}

/// What a training run read and learned.
pub struct Trained {
    pub model: Model,
    pub texts: usize,
    /// Gold name tokens the tagger never tags, and all gold name tokens.
    pub unreachable: (usize, usize),
}

/// Trains the tagger on annotated texts.
pub fn train(texts: &[Annotated], clusters: bool, opts: &TrainOptions, progress: impl FnMut(usize, f64)) -> Trained {
    let mut set = TrainingSet::new(clusters);
    add_texts(&mut set, texts);
    let unreachable = set.unreachable();
    let model = tagger::train(&set, opts, progress);
    Trained {
        model,
        texts: set.len(),
        unreachable,
    }
}

/// The tagger alone, scored on annotated texts by exact spans (of warta's tokens), per type:
/// persons, organizations, places.
pub fn score_tagger(model: &Model, texts: &[Annotated]) -> [(EntityType, Scores); 3] {
    let kinds = [EntityType::Person, EntityType::Org, EntityType::Place];
    let mut counts = [Scores::default(); 3];
    for a in texts {
        tagger_view(&a.text, &mut |view| {
            let gold_labels = tagger::labels_from_ranges(view.toks, &a.names);
            let gold = tagger::spans_of_labels(&gold_labels);
            let found = model.tag(view);
            for (k, kind) in kinds.iter().enumerate() {
                let g: Vec<(usize, usize)> = gold
                    .iter()
                    .filter(|s| s.kind == *kind)
                    .map(|s| (s.start, s.end))
                    .collect();
                let f: Vec<(usize, usize)> = found
                    .iter()
                    .filter(|s| s.kind == *kind)
                    .map(|s| (s.start, s.end))
                    .collect();
                let right = f.iter().filter(|x| g.contains(x)).count() as u64;
                counts[k].correct += right;
                counts[k].found += right;
                counts[k].predicted += f.len() as u64;
                counts[k].gold += g.len() as u64;
            }
        });
    }
    [(kinds[0], counts[0]), (kinds[1], counts[1]), (kinds[2], counts[2])]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conll_documents_become_text_with_name_ranges() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("eng.train");
        std::fs::write(
            &path,
            "-DOCSTART- -X- O O\n\nEU NNP I-NP I-ORG\nrejects VBZ I-VP O\n\nPeter NNP I-NP I-PER\nBlackburn NNP I-NP I-PER\nand CC O O\nJohn NNP I-NP I-PER\nsaid VBD O O\n. . O O\n\n-DOCSTART- -X- O O\n\nParis NNP I-NP I-LOC\nA NNP I-NP I-PER\nB NNP I-NP B-PER\n",
        )
        .unwrap();
        let docs = read_conll(&path).unwrap();
        assert_eq!(docs.len(), 2);
        let d = &docs[0];
        assert_eq!(d.text, "EU rejects\n\nPeter Blackburn and John said .\n");
        let names: Vec<(&str, EntityType)> = d.names.iter().map(|&(a, b, k)| (&d.text[a..b], k)).collect();
        assert_eq!(
            names,
            vec![
                ("EU", EntityType::Org),
                ("Peter Blackburn", EntityType::Person),
                ("John", EntityType::Person)
            ]
        );
        let d = &docs[1];
        let names: Vec<&str> = d.names.iter().map(|&(a, b, _)| &d.text[a..b]).collect();
        assert_eq!(names, vec!["Paris", "A", "B"]);
    }

    #[test]
    fn nerp_sentences_are_written_in_the_case_news_uses() {
        let news = [
            "Wali kota Manado mengatakan KPK memeriksa pejabat dinas itu.",
            "Menurut dia, KPK dan polisi di Manado bekerja sama.",
        ];
        let truecaser = Truecaser::learn(news);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sentences.jsonl");
        let line = serde_json::json!({
            "id": "nerp-train-00000",
            "split": "train",
            "tokens": ["pejabat", "kpk", "di", "manado", "amos", "kenda", "hadir", ".", "dia", "pulang"],
            "tags": ["O", "B-IND", "O", "B-PLC", "B-PPL", "I-PPL", "O", "O", "O", "O"],
        });
        std::fs::write(&path, format!("{line}\n")).unwrap();
        let texts = read_nerp(&path, "train", &truecaser).unwrap();
        assert_eq!(texts.len(), 1);
        let t = &texts[0];
        // Written as news writes them; the unknown names capitalised; sentence starts too.
        assert_eq!(t.text, "Pejabat KPK di Manado Amos Kenda hadir . Dia pulang");
        let names: Vec<(&str, EntityType)> = t.names.iter().map(|&(a, b, k)| (&t.text[a..b], k)).collect();
        assert_eq!(
            names,
            vec![
                ("KPK", EntityType::Org),
                ("Manado", EntityType::Place),
                ("Amos Kenda", EntityType::Person)
            ]
        );
        assert!(read_nerp(&path, "test", &truecaser).unwrap().is_empty());
    }

    #[test]
    fn a_tiny_corpus_trains_a_working_model() {
        let texts: Vec<Annotated> = [
            "Budi Santoso",
            "Siti Aminah",
            "Joko Susilo",
            "Ani Lestari",
            "Rudi Hartono",
            "Dewi Sartika",
        ]
        .iter()
        .map(|name| {
            let text = format!("Kemarin {name} menonton pertandingan itu bersama teman.");
            Annotated {
                names: vec![(8, 8 + name.len(), EntityType::Person)],
                text,
            }
        })
        .collect();
        let opts = TrainOptions {
            bits: 14,
            epochs: 10,
            ..TrainOptions::default()
        };
        let trained = train(&texts, false, &opts, |_, _| {});
        assert_eq!(trained.texts, 6);
        let text = "Kemarin Agus Salim menonton pertandingan itu bersama teman.";
        let mut found = Vec::new();
        tagger_view(text, &mut |view| {
            found = trained
                .model
                .tag(view)
                .iter()
                .map(|s| (&text[view.toks[s.start].start..view.toks[s.end - 1].end], s.kind))
                .map(|(t, k)| (t.to_string(), k))
                .collect();
        });
        assert_eq!(found, vec![("Agus Salim".to_string(), EntityType::Person)]);
    }
}
