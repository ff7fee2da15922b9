//! Entity extraction quality: precision, recall and F1 per entity type against gold
//! annotations (the team's annotated sample corpus, CoNLL-2003, IndoNLU NERGrit, Reuters-21578
//! index terms). Used by the `warta-eval` command and by the quality floors in the tests.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::BufRead;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use warta::extract::gazetteer::{Gazetteer, Kind};
use warta::extract::{entities, Entities};
use warta::ingest::{self, WalkEvent};
use warta::text::tokens::normalize_phrase;

/// Counts for one entity type.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq)]
pub struct Scores {
    /// Predicted entities that are right.
    pub correct: u64,
    pub predicted: u64,
    /// Gold entities that were found.
    pub found: u64,
    pub gold: u64,
}

impl Scores {
    pub fn precision(&self) -> f64 {
        ratio(self.correct, self.predicted)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.found, self.gold)
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

/// Scores per entity type, and how many documents were evaluated.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Report {
    pub name: String,
    pub documents: u64,
    pub types: BTreeMap<String, Scores>,
    /// Per type, gold names not found (false negatives) with counts; for error analysis.
    #[serde(skip)]
    pub missed: BTreeMap<String, HashMap<String, u64>>,
    /// Per type, predicted names not in the gold set (false positives) with counts.
    #[serde(skip)]
    pub spurious: BTreeMap<String, HashMap<String, u64>>,
}

impl Report {
    fn add(&mut self, ty: &str, predicted: &[HashSet<String>], gold: &HashSet<String>, ignore: &HashSet<String>) {
        let s = self.types.entry(ty.to_string()).or_default();
        for forms in predicted {
            if forms.iter().any(|f| gold.contains(f)) {
                s.correct += 1;
                s.predicted += 1;
            } else if !forms.iter().any(|f| ignore.contains(f)) {
                s.predicted += 1;
                let mut sorted: Vec<&String> = forms.iter().collect();
                sorted.sort();
                let name = sorted.iter().map(|f| f.as_str()).collect::<Vec<_>>().join(" | ");
                *self
                    .spurious
                    .entry(ty.to_string())
                    .or_default()
                    .entry(name)
                    .or_default() += 1;
            }
        }
        s.gold += gold.len() as u64;
        for g in gold {
            if predicted.iter().any(|forms| forms.contains(g)) {
                s.found += 1;
            } else {
                *self
                    .missed
                    .entry(ty.to_string())
                    .or_default()
                    .entry(g.clone())
                    .or_default() += 1;
            }
        }
    }

    /// The `n` most frequent misses and spurious predictions per type, for error analysis.
    pub fn errors(&self, n: usize) -> String {
        let mut out = String::new();
        for (label, map) in [("missed", &self.missed), ("spurious", &self.spurious)] {
            for (ty, names) in map {
                let mut v: Vec<(&String, &u64)> = names.iter().collect();
                v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
                out.push_str(&format!("{label} {ty}:"));
                for (name, c) in v.into_iter().take(n) {
                    out.push_str(&format!(" {name}×{c};"));
                }
                out.push('\n');
            }
        }
        out
    }

    /// A table for people.
    pub fn table(&self) -> String {
        let mut out = format!("{} ({} documents)\n", self.name, self.documents);
        out.push_str(&format!(
            "  {:<10} {:>9} {:>9} {:>9} {:>9} {:>9}\n",
            "type", "precision", "recall", "F1", "predicted", "gold"
        ));
        for (ty, s) in &self.types {
            out.push_str(&format!(
                "  {:<10} {:>9.3} {:>9.3} {:>9.3} {:>9} {:>9}\n",
                ty,
                s.precision(),
                s.recall(),
                s.f1(),
                s.predicted,
                s.gold
            ));
        }
        out
    }
}

/// Canonical key of an entity name of a kind: the gazetteer's value for a known alias, else
/// the folded name.
fn key(kind: Kind, name: &str) -> String {
    let g = Gazetteer::get();
    match g.lookup(name, kind).first() {
        Some(e) => normalize_phrase(&e.value),
        None => normalize_phrase(name),
    }
}

/// One annotated article of the sample corpus.
#[derive(Debug, Clone, Deserialize)]
pub struct GoldArticle {
    pub id: String,
    #[serde(default)]
    pub persons: Vec<String>,
    #[serde(default)]
    pub countries: Vec<String>,
    #[serde(default)]
    pub orgs: Vec<String>,
    #[serde(default)]
    pub places: Vec<String>,
}

/// Evaluates against hand annotations (`tests/gold/sample_entities.json`) of the articles
/// under `corpus` (ids relative to it). Gold countries are completed with the countries of
/// gold places, as extraction counts a place's country.
pub fn eval_gold(gold_path: &Path, corpus: &Path) -> Result<Report> {
    let gold: Vec<GoldArticle> = serde_json::from_slice(
        &std::fs::read(gold_path).with_context(|| format!("cannot read {}", gold_path.display()))?,
    )
    .with_context(|| format!("{} is not a list of annotated articles", gold_path.display()))?;
    let articles = read_corpus(corpus)?;
    let g = Gazetteer::get();
    let mut report = Report {
        name: format!("annotated articles ({})", gold_path.display()),
        ..Report::default()
    };
    for a in &gold {
        let Some(ents) = articles.get(&a.id) else {
            anyhow::bail!("gold article {} is not in {}", a.id, corpus.display());
        };
        report.documents += 1;
        let none = HashSet::new();
        let gold_persons: HashSet<String> = a.persons.iter().map(|p| key(Kind::Person, p)).collect();
        let pred: Vec<HashSet<String>> = ents
            .persons
            .iter()
            .map(|p| HashSet::from([key(Kind::Person, &p.name)]))
            .collect();
        report.add("persons", &pred, &gold_persons, &none);

        let mut gold_countries: HashSet<String> = a.countries.iter().map(|c| c.to_uppercase()).collect();
        for p in &a.places {
            if let Some(c) = g.lookup(p, Kind::Place).first().and_then(|e| e.country.clone()) {
                gold_countries.insert(c);
            }
        }
        let pred: Vec<HashSet<String>> = ents.countries.iter().map(|c| HashSet::from([c.code.clone()])).collect();
        report.add("countries", &pred, &gold_countries, &none);

        let gold_orgs: HashSet<String> = a.orgs.iter().map(|o| key(Kind::Org, o)).collect();
        let pred: Vec<HashSet<String>> = ents
            .orgs
            .iter()
            .map(|o| HashSet::from([key(Kind::Org, &o.name)]))
            .collect();
        report.add("orgs", &pred, &gold_orgs, &none);

        let gold_places: HashSet<String> = a.places.iter().map(|p| key(Kind::Place, p)).collect();
        let pred: Vec<HashSet<String>> = ents
            .places
            .iter()
            .map(|p| HashSet::from([key(Kind::Place, &p.name)]))
            .collect();
        report.add("places", &pred, &gold_places, &none);
    }
    Ok(report)
}

/// Entities of every article under a directory, by article id.
fn read_corpus(corpus: &Path) -> Result<HashMap<String, Entities>> {
    let root = corpus
        .canonicalize()
        .with_context(|| format!("cannot open {}", corpus.display()))?;
    let mut out = HashMap::new();
    let mut files = Vec::new();
    ingest::walk(&root, &ingest::WalkOptions::default(), |e| {
        if let WalkEvent::File(f) = e {
            files.push(f);
        }
    });
    for f in files {
        let mut records = Vec::new();
        if ingest::read_file(&f.path, f.format, f.gz, |r| records.push(r)).is_err() {
            continue;
        }
        for r in records {
            if let Ok(a) = r.result {
                let id = if r.multi {
                    format!("{}#{}", f.id_base, r.n)
                } else {
                    f.id_base.clone()
                };
                out.insert(
                    id,
                    entities::extract(a.title.as_deref().unwrap_or(""), a.body.as_deref().unwrap_or("")),
                );
            }
        }
    }
    Ok(out)
}

/// Documents of a shared corpus: `path` is its JSON Lines file (optionally gzipped) or the
/// corpus directory holding exactly one such file.
pub(crate) fn jsonl(path: &Path) -> Result<Box<dyn Iterator<Item = Value>>> {
    Ok(Box::new(jsonl_records(&jsonl_file(path)?)?.map(|(_, v)| v)))
}

/// The JSON Lines file of a corpus: `path` itself, or the one `.jsonl` or `.jsonl.gz` file in
/// the directory `path`.
pub(crate) fn jsonl_file(path: &Path) -> Result<PathBuf> {
    if !path.is_dir() {
        return Ok(path.to_path_buf());
    }
    let files: Vec<_> = std::fs::read_dir(path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let n = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            n.ends_with(".jsonl") || n.ends_with(".jsonl.gz")
        })
        .collect();
    match <[PathBuf; 1]>::try_from(files) {
        Ok([one]) => Ok(one),
        Err(files) if files.is_empty() => anyhow::bail!("{} holds no .jsonl or .jsonl.gz file", path.display()),
        Err(_) => anyhow::bail!("{} holds several .jsonl files; name one", path.display()),
    }
}

/// The records of a JSON Lines file (gzipped when its name ends in `.gz`), each with its line
/// number from 1 (the number warta's ids of its articles carry); lines that are not JSON are
/// skipped.
pub(crate) fn jsonl_records(file: &Path) -> Result<impl Iterator<Item = (usize, Value)>> {
    let opened = std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
    let reader: Box<dyn BufRead> = if file.extension().is_some_and(|e| e == "gz") {
        Box::new(std::io::BufReader::new(flate2::read::MultiGzDecoder::new(opened)))
    } else {
        Box::new(std::io::BufReader::new(opened))
    };
    Ok(reader
        .lines()
        .map_while(Result::ok)
        .enumerate()
        .filter_map(|(n, l)| serde_json::from_str(&l).ok().map(|v| (n + 1, v))))
}

fn forms_person(e: &Entities) -> Vec<HashSet<String>> {
    e.persons
        .iter()
        .map(|p| {
            p.forms
                .iter()
                .chain([&p.name])
                .map(|f| normalize_phrase(&strip_honorific(f)))
                .collect()
        })
        .collect()
}

fn strip_honorific(f: &str) -> String {
    let words: Vec<&str> = f.split_whitespace().collect();
    match words.first() {
        Some(w)
            if matches!(
                w.trim_end_matches('.').to_lowercase().as_str(),
                "mr" | "mrs" | "ms" | "tn" | "ny" | "dr" | "pak" | "bu"
            ) && words.len() > 1 =>
        {
            words[1..].join(" ")
        }
        _ => f.to_string(),
    }
}

fn forms_locations(e: &Entities) -> Vec<HashSet<String>> {
    let countries = e
        .countries
        .iter()
        .filter(|c| !c.forms.is_empty())
        .map(|c| c.forms.iter().map(|f| normalize_phrase(f)).collect());
    let places = e
        .places
        .iter()
        .map(|p| p.forms.iter().chain([&p.name]).map(|f| normalize_phrase(f)).collect());
    countries.chain(places).collect()
}

fn forms_orgs(e: &Entities) -> Vec<HashSet<String>> {
    e.orgs
        .iter()
        .map(|o| o.forms.iter().chain([&o.name]).map(|f| normalize_phrase(f)).collect())
        .collect()
}

fn gold_set(v: &Value, ty: &str) -> HashSet<String> {
    v.get(ty)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(|s| normalize_phrase(&s.replace(" '", "'")))
                .collect()
        })
        .unwrap_or_default()
}

/// CoNLL-2003 English documents (`gold_entities_unique`): PER against persons, LOC against
/// countries and places, ORG against organizations, by the surface forms found. Predicted
/// countries whose forms CoNLL tags MISC (nationality adjectives: "German") are not counted
/// against precision.
pub fn eval_conll(path: &Path, split: Option<&str>, limit: usize) -> Result<Report> {
    let mut report = Report {
        name: format!("CoNLL-2003 ({})", split.unwrap_or("all splits")),
        ..Report::default()
    };
    for doc in jsonl(path)? {
        if split.is_some_and(|s| doc["split"].as_str() != Some(s)) {
            continue;
        }
        if report.documents as usize >= limit {
            break;
        }
        report.documents += 1;
        let e = entities::extract(doc["title"].as_str().unwrap_or(""), doc["body"].as_str().unwrap_or(""));
        let gold = &doc["gold_entities_unique"];
        let misc = gold_set(gold, "MISC");
        report.add("persons", &forms_person(&e), &gold_set(gold, "PER"), &HashSet::new());
        report.add("locations", &forms_locations(&e), &gold_set(gold, "LOC"), &misc);
        report.add("orgs", &forms_orgs(&e), &gold_set(gold, "ORG"), &misc);
    }
    Ok(report)
}

/// IndoNLU NERGrit Indonesian sentences: PERSON, PLACE (countries and places), ORGANISATION.
pub fn eval_nergrit(path: &Path, split: Option<&str>, limit: usize) -> Result<Report> {
    let mut report = Report {
        name: format!("IndoNLU NERGrit ({})", split.unwrap_or("all splits")),
        ..Report::default()
    };
    for doc in jsonl(path)? {
        if !doc["id"].as_str().unwrap_or("").starts_with("nergrit")
            || split.is_some_and(|s| doc["split"].as_str() != Some(s))
        {
            continue;
        }
        if report.documents as usize >= limit {
            break;
        }
        report.documents += 1;
        let e = entities::extract_text(doc["text"].as_str().unwrap_or(""));
        let mut by_type: HashMap<&str, HashSet<String>> = HashMap::new();
        for ent in doc["entities"].as_array().into_iter().flatten() {
            let ty = ent["type"].as_str().unwrap_or("");
            by_type
                .entry(ty)
                .or_default()
                .insert(normalize_phrase(ent["text"].as_str().unwrap_or("")));
        }
        let none = HashSet::new();
        report.add(
            "persons",
            &forms_person(&e),
            by_type.get("PERSON").unwrap_or(&none),
            &none,
        );
        report.add(
            "locations",
            &forms_locations(&e),
            by_type.get("PLACE").unwrap_or(&none),
            &none,
        );
        report.add(
            "orgs",
            &forms_orgs(&e),
            by_type.get("ORGANISATION").unwrap_or(&none),
            &none,
        );
    }
    Ok(report)
}

/// Reuters-21578 index terms: `places` (countries, mapped to ISO codes by name), `people`
/// (matched by surname) and `orgs` (matched by name or acronym). The tags say what a story is
/// about, not everything it mentions, so precision here is a lower bound.
pub fn eval_reuters(path: &Path, limit: usize) -> Result<Report> {
    let g = Gazetteer::get();
    let mut report = Report {
        name: "Reuters-21578 index terms".to_string(),
        ..Report::default()
    };
    let mut unmapped: HashSet<String> = HashSet::new();
    for doc in jsonl(path)? {
        if report.documents as usize >= limit {
            break;
        }
        let body = doc["body"].as_str().unwrap_or("");
        if body.is_empty() {
            continue;
        }
        report.documents += 1;
        let e = entities::extract(doc["title"].as_str().unwrap_or(""), body);
        let tags = |k: &str| -> Vec<String> {
            doc[k]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        };
        let mut gold_c = HashSet::new();
        for t in tags("places") {
            let name = t.replace('-', " ");
            let code = g
                .lookup(&name, Kind::Country)
                .first()
                .map(|c| c.value.clone())
                .or_else(|| {
                    g.lookup(&reuters_place(&t), Kind::Country)
                        .first()
                        .map(|c| c.value.clone())
                });
            match code {
                Some(c) => {
                    gold_c.insert(c);
                }
                None => {
                    unmapped.insert(t);
                }
            }
        }
        let pred_c: Vec<HashSet<String>> = e.countries.iter().map(|c| HashSet::from([c.code.clone()])).collect();
        report.add("countries", &pred_c, &gold_c, &HashSet::new());
        let gold_p: HashSet<String> = tags("people")
            .iter()
            .map(|p| p.rsplit('-').next().unwrap_or(p).to_string())
            .collect();
        let pred_p: Vec<HashSet<String>> = e
            .persons
            .iter()
            .map(|p| HashSet::from([normalize_phrase(&p.name).rsplit(' ').next().unwrap_or("").to_string()]))
            .collect();
        report.add("persons", &pred_p, &gold_p, &HashSet::new());
        let gold_o: HashSet<String> = tags("orgs").iter().map(|o| key(Kind::Org, &o.to_uppercase())).collect();
        let pred_o: Vec<HashSet<String>> = e
            .orgs
            .iter()
            .map(|o| {
                o.forms
                    .iter()
                    .map(|f| key(Kind::Org, f))
                    .chain([key(Kind::Org, &o.name)])
                    .collect()
            })
            .collect();
        report.add("orgs", &pred_o, &gold_o, &HashSet::new());
    }
    if !unmapped.is_empty() {
        let mut u: Vec<_> = unmapped.into_iter().collect();
        u.sort();
        report.name = format!("{} (place tags without a country: {})", report.name, u.join(", "));
    }
    Ok(report)
}

/// Reuters place tags that are not a country's name.
fn reuters_place(tag: &str) -> String {
    match tag {
        "usa" => "US",
        "uk" => "UK",
        "ussr" => "Russia",
        "west-germany" | "east-germany" => "Germany",
        "uae" => "UAE",
        "south-korea" => "South Korea",
        "north-korea" => "North Korea",
        "hong-kong" => "Hong Kong",
        "taiwan" => "Taiwan",
        "ivory-coast" => "Côte d'Ivoire",
        "zaire" => "Congo - Kinshasa",
        "burma" => "Myanmar",
        other => other,
    }
    .to_string()
}

/// Known-item search with each Indonesian analyzer: every article's title is the query, its
/// own article the one right answer. Reports MRR@10 and the share found first and in the top
/// 10, plus the time to index the bodies.
#[derive(Debug, Clone, Serialize)]
pub struct StemmerRow {
    pub analyzer: String,
    pub mrr_at_10: f64,
    pub found_first: f64,
    pub found_top10: f64,
    pub index_secs: f64,
}

/// Runs the known-item comparison on up to `limit` Indonesian articles of a JSONL corpus.
pub fn eval_stemmers(path: &Path, limit: usize) -> Result<Vec<StemmerRow>> {
    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
    use tantivy::schema::{IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value as _, FAST, STORED};
    use tantivy::{doc, Index, TantivyDocument, Term};
    use warta::text::analysis::{self, EXACT, INDONESIAN, INDONESIAN_TALA};

    let docs: Vec<(String, String)> = jsonl(path)?
        .filter(|d| d["lang"].as_str().unwrap_or("id") == "id")
        .filter_map(|d| Some((d["title"].as_str()?.to_string(), d["body"].as_str()?.to_string())))
        .filter(|(t, b)| t.split_whitespace().count() >= 3 && !b.is_empty())
        .take(limit)
        .collect();
    let mut rows = Vec::new();
    for name in [EXACT, INDONESIAN_TALA, INDONESIAN] {
        let mut sb = Schema::builder();
        let opts = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(name)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        let body = sb.add_text_field("body", opts);
        let n = sb.add_u64_field("n", FAST | STORED);
        let index = Index::create_in_ram(sb.build());
        analysis::register(index.tokenizers());
        let started = std::time::Instant::now();
        let mut writer: tantivy::IndexWriter<TantivyDocument> = index.writer(200_000_000)?;
        for (i, (_, b)) in docs.iter().enumerate() {
            writer.add_document(doc!(body => b.as_str(), n => i as u64))?;
        }
        writer.commit()?;
        let index_secs = started.elapsed().as_secs_f64();
        let searcher = index.reader()?.searcher();
        let mut analyzer = analysis::analyzer(name);
        let (mut rr, mut first, mut top10) = (0.0, 0u64, 0u64);
        for (i, (title, _)) in docs.iter().enumerate() {
            let terms: Vec<(Occur, Box<dyn Query>)> = analysis::tokens(&mut analyzer, title)
                .into_iter()
                .map(|t| -> (Occur, Box<dyn Query>) {
                    (
                        Occur::Should,
                        Box::new(TermQuery::new(
                            Term::from_field_text(body, &t.text),
                            IndexRecordOption::WithFreqs,
                        )),
                    )
                })
                .collect();
            let hits = searcher.search(&BooleanQuery::new(terms), &TopDocs::with_limit(10).order_by_score())?;
            for (rank, (_, addr)) in hits.iter().enumerate() {
                let d: TantivyDocument = searcher.doc(*addr)?;
                if d.get_first(n).and_then(|v| v.as_u64()) == Some(i as u64) {
                    rr += 1.0 / (rank + 1) as f64;
                    top10 += 1;
                    if rank == 0 {
                        first += 1;
                    }
                    break;
                }
            }
        }
        let total = docs.len().max(1) as f64;
        let label = match name {
            EXACT => "no stemming (folding only)",
            INDONESIAN_TALA => "Snowball Tala (frostem)",
            _ => "Sastrawi (dictionary)",
        };
        rows.push(StemmerRow {
            analyzer: label.to_string(),
            mrr_at_10: rr / total,
            found_first: first as f64 / total,
            found_top10: top10 as f64 / total,
            index_secs,
        });
    }
    Ok(rows)
}
