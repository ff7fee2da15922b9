//! `warta-eval`: precision, recall and F1 of entity extraction per entity type.
//!
//! ```text
//! warta-eval gold tests/gold/sample_entities.json sample_corpus
//! warta-eval conll ../shared/corpora/conll2003/documents.jsonl.gz [--split testb]
//! warta-eval nergrit ../shared/corpora/indonlu-ner/sentences.jsonl.gz
//! warta-eval reuters ../shared/corpora/reuters21578/articles.jsonl.gz
//! warta-eval known-item INDEX ../shared/corpora/clickid/articles.jsonl.gz ../shared/corpora/indosum/articles.jsonl.gz
//! warta-eval stemmers ../shared/corpora/clickid/articles.jsonl.gz --limit 5000
//! warta-eval train ../shared/corpora --out data/ner-model.bin.gz
//! warta-eval clusters ../shared/corpora --out data/word-clusters.bin
//! warta-eval story-candidates ../shared/corpora/clickid ../shared/corpora/indosum --show
//! warta-eval stories tests/gold/story_pairs.tsv ../shared/corpora/clickid ../shared/corpora/indosum
//! ```

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use warta::extract::clusters::{learn, ClusterOptions};

#[derive(Parser)]
#[command(name = "warta-eval", about = "Entity extraction quality per entity type")]
struct Cli {
    #[command(subcommand)]
    set: Set,
    /// Print JSON
    #[arg(long, global = true)]
    json: bool,
    /// At most this many documents
    #[arg(long, global = true, default_value_t = usize::MAX)]
    limit: usize,
    /// Also print the N most frequent missed and spurious names per type
    #[arg(long, global = true, value_name = "N")]
    errors: Option<usize>,
}

#[derive(Subcommand)]
enum Set {
    /// Hand annotations of articles (ids relative to CORPUS)
    Gold { gold: PathBuf, corpus: PathBuf },
    /// CoNLL-2003 documents (gold_entities_unique)
    Conll {
        path: PathBuf,
        /// train, testa or testb
        #[arg(long)]
        split: Option<String>,
    },
    /// IndoNLU NERGrit sentences
    Nergrit {
        path: PathBuf,
        /// train, valid or test
        #[arg(long)]
        split: Option<String>,
    },
    /// Reuters-21578 index terms
    Reuters { path: PathBuf },
    /// Known-item search: short queries drawn from articles' titles (as written, a word in
    /// another form, a word the article lacks), each run against INDEX as built from CORPORA
    /// with the default request; success@10 and MRR@10 per style (`--errors N`: N misses)
    KnownItem {
        /// Index built from exactly these corpora (`warta index --index INDEX CORPORA...`)
        index: PathBuf,
        /// The JSON Lines corpora the index was built from
        #[arg(required = true)]
        corpora: Vec<PathBuf>,
        /// Queries to draw
        #[arg(long, default_value_t = 300)]
        queries: usize,
        /// Seed of the draw: tune with one, report another
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Indonesian stemmers compared by known-item search (title as query) on a JSONL corpus
    Stemmers { path: PathBuf },
    /// Train the entity tagger on CoNLL-2003 train and NERGrit train (from the shared corpora
    /// directory) and write its model
    Train {
        corpora: PathBuf,
        #[arg(long, default_value = "data/ner-model.bin.gz")]
        out: PathBuf,
        #[arg(long, default_value_t = 8)]
        epochs: usize,
        /// log2 of the number of weight rows
        #[arg(long, default_value_t = 16)]
        bits: u32,
        /// Without word-cluster features
        #[arg(long)]
        no_clusters: bool,
        /// Also train on IndoNLU NERP (lower-cased in the corpus: written again in the case
        /// the CLICK-ID and IndoSum articles give each word)
        #[arg(long)]
        nerp: bool,
    },
    /// The entity tagger alone, by exact spans, on CoNLL-2003 testa/testb and NERGrit
    /// valid/test (the model named by $WARTA_NER_MODEL, else the shipped one)
    Tagger { corpora: PathBuf },
    /// Near-duplicate detection on labelled pairs: precision and recall of "copies" on the
    /// tune and test splits, at warta's threshold or another
    Stories {
        /// The labels: id_a, id_b, copy|distinct, tune|test (tab-separated)
        labels: PathBuf,
        /// The corpora the ids come from (JSON Lines files, or directories holding one)
        corpora: Vec<PathBuf>,
        /// Call pairs at or above this estimated similarity copies
        #[arg(long, default_value_t = warta::index::signature::THRESHOLD)]
        threshold: f64,
        /// Also score the tune split at thresholds from 0.5 to 0.95
        #[arg(long)]
        sweep: bool,
    },
    /// Candidate pairs to label: pairs sharing a signature band, drawn from bins of estimated
    /// similarity, and same-day pairs of different sources (tab-separated, with a split)
    StoryCandidates {
        corpora: Vec<PathBuf>,
        /// Pairs drawn from each bin
        #[arg(long, default_value_t = 12)]
        per_bin: usize,
        /// Print each pair's titles, sources, dates and the start and end of both texts
        #[arg(long)]
        show: bool,
    },
    /// Learn word clusters (Brown) from the unlabelled article corpora and write their map
    Clusters {
        /// Directory of the corpora: reuters21578/, bbc/, clickid/ and indosum/, each with articles.jsonl.gz
        dir: PathBuf,
        /// Where to write the map (hashes of the words, no words)
        #[arg(long)]
        out: PathBuf,
        /// Leaf clusters (Brown's C)
        #[arg(long, default_value_t = ClusterOptions::default().clusters)]
        clusters: usize,
        /// Words seen fewer times are not clustered
        #[arg(long, default_value_t = ClusterOptions::default().min_count)]
        min_count: u64,
        /// At most this many words are clustered, the most frequent
        #[arg(long, default_value_t = ClusterOptions::default().max_words)]
        max_words: usize,
        /// Also print the cluster of each of these words (comma-separated)
        #[arg(long, value_delimiter = ',')]
        show: Vec<String>,
    },
}

/// `warta-eval stories`: precision and recall of copies on the labelled pairs.
fn run_stories(labels: &Path, corpora: &[PathBuf], threshold: f64, sweep: bool, json: bool) -> Result<()> {
    use warta_eval::stories;
    let labelled = stories::read_labels(labels)?;
    let articles = stories::read_articles(corpora)?;
    let measured = stories::measure(&labelled, &articles)?;
    let mut scores = vec![
        ("tune", stories::score(&measured, Some("tune"), threshold)),
        ("test", stories::score(&measured, Some("test"), threshold)),
        ("all", stories::score(&measured, None, threshold)),
    ];
    if sweep {
        for t in (10..=19).map(|i| f64::from(i) * 0.05) {
            scores.push(("tune sweep", stories::score(&measured, Some("tune"), t)));
        }
    }
    if json {
        let rows: Vec<_> = scores
            .iter()
            .map(|(s, sc)| serde_json::json!({"split": s, "score": sc}))
            .collect();
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(());
    }
    println!(
        "{:<11} {:>9} {:>6} {:>7} {:>4} {:>4} {:>4} {:>9} {:>7}",
        "split", "threshold", "pairs", "copies", "tp", "fp", "fn", "precision", "recall"
    );
    for (split, s) in &scores {
        println!(
            "{split:<11} {:>9.2} {:>6} {:>7} {:>4} {:>4} {:>4} {:>9.3} {:>7.3}",
            s.threshold,
            s.pairs,
            s.copies,
            s.true_positives,
            s.false_positives,
            s.false_negatives,
            s.precision,
            s.recall
        );
    }
    let misses: Vec<_> = measured
        .iter()
        .filter(|(p, s)| p.copy != s.estimated.is_some_and(|e| e >= threshold))
        .collect();
    for (p, s) in misses {
        let est = s.estimated.map_or("unsigned".to_string(), |e| format!("{e:.3}"));
        let label = if p.copy { "copy" } else { "distinct" };
        println!(
            "wrong at {threshold:.2}: {} {} ({label}, {}) estimated {est}, exact {:.3}",
            p.a, p.b, p.split, s.exact
        );
    }
    Ok(())
}

/// `warta-eval story-candidates`: pairs to label, one a line, optionally with their texts.
fn run_story_candidates(corpora: &[PathBuf], per_bin: usize, show: bool) -> Result<()> {
    use warta_eval::stories;
    let articles = stories::read_articles(corpora)?;
    let cut = |s: &str, from_end: bool, n: usize| -> String {
        let chars: Vec<char> = s.chars().collect();
        let part: String = if from_end {
            chars[chars.len().saturating_sub(n)..].iter().collect()
        } else {
            chars[..n.min(chars.len())].iter().collect()
        };
        part.replace('\n', " ")
    };
    for (k, (a, b, sim)) in stories::candidates(&articles, per_bin).into_iter().enumerate() {
        let (a, b) = (&articles[a], &articles[b]);
        let split = if k % 2 == 0 { "tune" } else { "test" };
        println!("{}\t{}\t{sim:.3}\t{split}", a.id, b.id);
        if show {
            let exact = stories::similarity(&a.body, &b.body).exact;
            println!("  exact Jaccard {exact:.3}");
            for x in [a, b] {
                println!("  [{} | {} | {}] {}", x.source, x.date, x.id, x.title);
                println!("    START {}", cut(&x.body, false, 260));
                println!("    END   {}", cut(&x.body, true, 160));
            }
        }
    }
    Ok(())
}

/// Scores the tagger alone on the evaluation splits.
fn score_tagger(corpora: &std::path::Path) -> Result<()> {
    let model = warta::extract::tagger::Model::get().ok_or_else(|| anyhow::anyhow!("no tagger model"))?;
    let conll = corpora.join("conll2003/original");
    let nergrit = corpora.join("indonlu-ner/sentences.jsonl.gz");
    let sets = [
        (
            "CoNLL train",
            warta_eval::train::read_conll(&conll.join("eng.train.gz"))?,
        ),
        (
            "CoNLL testa",
            warta_eval::train::read_conll(&conll.join("eng.testa.gz"))?,
        ),
        (
            "CoNLL testb",
            warta_eval::train::read_conll(&conll.join("eng.testb.gz"))?,
        ),
        ("NERGrit valid", warta_eval::train::read_nergrit(&nergrit, "valid")?),
        ("NERGrit test", warta_eval::train::read_nergrit(&nergrit, "test")?),
    ];
    println!(
        "{:<14} {:<8} {:>9} {:>9} {:>9}",
        "set", "type", "precision", "recall", "F1"
    );
    for (name, texts) in &sets {
        for (kind, c) in warta_eval::train::score_tagger(model, texts) {
            let kind = format!("{kind:?}");
            println!(
                "{name:<14} {kind:<8} {:>9.3} {:>9.3} {:>9.3}",
                c.precision(),
                c.recall(),
                c.f1()
            );
        }
    }
    Ok(())
}

/// Trains the tagger and writes its model.
fn train(
    corpora: &std::path::Path,
    out: &std::path::Path,
    epochs: usize,
    bits: u32,
    clusters: bool,
    nerp: bool,
) -> Result<()> {
    let started = std::time::Instant::now();
    let mut texts = warta_eval::train::read_conll(&corpora.join("conll2003/original/eng.train.gz"))?;
    let conll = texts.len();
    texts.extend(warta_eval::train::read_nergrit(
        &corpora.join("indonlu-ner/sentences.jsonl.gz"),
        "train",
    )?);
    let nergrit = texts.len() - conll;
    if nerp {
        let mut articles = Vec::new();
        for corpus in ["clickid", "indosum"] {
            let path = corpora.join(corpus).join("articles.jsonl.gz");
            warta::ingest::read_file(&path, warta::ingest::Format::JsonLines, true, |rec| {
                if let Ok(a) = rec.result {
                    articles.push(a.body.unwrap_or_default());
                }
            })
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        }
        let truecaser = warta_eval::train::Truecaser::learn(articles.iter().map(String::as_str));
        texts.extend(warta_eval::train::read_nerp(
            &corpora.join("indonlu-ner/sentences.jsonl.gz"),
            "train",
            &truecaser,
        )?);
    }
    eprintln!(
        "read {conll} CoNLL-2003 train documents, {nergrit} NERGrit and {} NERP train sentences",
        texts.len() - conll - nergrit
    );
    let opts = warta::extract::tagger::TrainOptions {
        bits,
        epochs,
        ..Default::default()
    };
    let trained = warta_eval::train::train(&texts, clusters, &opts, |epoch, acc| {
        eprintln!("epoch {epoch}: {:.4} of candidate tokens right", acc);
    });
    let (missed, all) = trained.unreachable;
    eprintln!("{missed} of {all} gold name tokens are never tagged (lower case or numbers)");
    eprintln!("weights stored at {} units per trained unit", trained.model.scale());
    let file = std::fs::File::create(out)?;
    trained.model.write(std::io::BufWriter::new(file))?;
    eprintln!(
        "wrote {} ({} bytes) in {:.1} s",
        out.display(),
        std::fs::metadata(out)?.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    if let Set::Train {
        corpora,
        out,
        epochs,
        bits,
        no_clusters,
        nerp,
    } = &cli.set
    {
        return train(corpora, out, *epochs, *bits, !no_clusters, *nerp);
    }
    if let Set::Tagger { corpora } = &cli.set {
        return score_tagger(corpora);
    }
    if let Set::Clusters {
        dir,
        out,
        clusters,
        min_count,
        max_words,
        show,
    } = &cli.set
    {
        let opts = ClusterOptions {
            clusters: *clusters,
            min_count: *min_count,
            max_words: *max_words,
        };
        return learn_clusters(dir, out, &opts, cli.limit, show);
    }
    if let Set::KnownItem {
        index,
        corpora,
        queries,
        seed,
    } = &cli.set
    {
        return print_known_item(index, corpora, *queries, *seed, cli.json, cli.errors);
    }
    if let Set::Stories {
        labels,
        corpora,
        threshold,
        sweep,
    } = &cli.set
    {
        return run_stories(labels, corpora, *threshold, *sweep, cli.json);
    }
    if let Set::StoryCandidates { corpora, per_bin, show } = &cli.set {
        return run_story_candidates(corpora, *per_bin, *show);
    }
    if let Set::Stemmers { path } = &cli.set {
        let rows = warta_eval::eval::eval_stemmers(path, cli.limit.min(20_000))?;
        if cli.json {
            println!("{}", serde_json::to_string_pretty(&rows)?);
        } else {
            println!(
                "{:<28} {:>8} {:>8} {:>8} {:>10}",
                "analyzer", "MRR@10", "first", "top 10", "index s"
            );
            for r in rows {
                println!(
                    "{:<28} {:>8.3} {:>8.3} {:>8.3} {:>10.2}",
                    r.analyzer, r.mrr_at_10, r.found_first, r.found_top10, r.index_secs
                );
            }
        }
        return Ok(());
    }
    let report = match &cli.set {
        Set::Gold { gold, corpus } => warta_eval::eval::eval_gold(gold, corpus)?,
        Set::Conll { path, split } => warta_eval::eval::eval_conll(path, split.as_deref(), cli.limit)?,
        Set::Nergrit { path, split } => warta_eval::eval::eval_nergrit(path, split.as_deref(), cli.limit)?,
        Set::Reuters { path } => warta_eval::eval::eval_reuters(path, cli.limit)?,
        Set::Stemmers { .. }
        | Set::KnownItem { .. }
        | Set::Train { .. }
        | Set::Tagger { .. }
        | Set::Clusters { .. }
        | Set::Stories { .. }
        | Set::StoryCandidates { .. } => {
            unreachable!("handled above")
        }
    };
    if report.documents == 0 {
        anyhow::bail!("no documents to evaluate (check the path and --split)");
    }
    if cli.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.table());
    }
    if let Some(n) = cli.errors {
        print!("{}", report.errors(n));
    }
    Ok(())
}

/// `warta-eval known-item`: the summary table (or JSON of every query), then up to `misses`
/// queries whose article was not in the first ten.
fn print_known_item(
    index: &Path,
    corpora: &[PathBuf],
    queries: usize,
    seed: u64,
    json: bool,
    misses: Option<usize>,
) -> Result<()> {
    let (summary, outcomes) = warta_eval::known_item::known_item(index, corpora, queries, seed)?;
    if json {
        let all = serde_json::json!({"summary": summary, "queries": outcomes});
        println!("{}", serde_json::to_string_pretty(&all)?);
        return Ok(());
    }
    println!(
        "{:<14} {:>8} {:>11} {:>8} {:>10}",
        "style", "queries", "success@10", "MRR@10", "unfilled"
    );
    for (style, n, success, mrr, unfilled) in &summary.rows {
        let style = style.map_or("all".to_string(), |s| format!("{s:?}"));
        println!("{style:<14} {n:>8} {success:>11.3} {mrr:>8.3} {unfilled:>10.3}");
    }
    println!("(unfilled: success@10 had a page with some full matches not been filled with relaxed ones)");
    println!(
        "articles passed over (fewer than three telling title words): {}",
        summary.passed_over
    );
    for o in outcomes.iter().filter(|o| o.rank.is_none()).take(misses.unwrap_or(0)) {
        let how = if o.relaxed { "relaxed" } else { "strict" };
        println!(
            "missed {:?} [{:?}] {} matches ({how}): {} | {}",
            o.query, o.style, o.total, o.id, o.title
        );
    }
    Ok(())
}

/// The corpora clusters are learned from: unlabelled articles, never the entity evaluation sets.
const CLUSTER_CORPORA: [&str; 4] = ["reuters21578", "bbc", "clickid", "indosum"];

/// `warta-eval clusters`: learns word clusters from the title and body of the articles of
/// [`CLUSTER_CORPORA`] (at most `limit` of each), writes their map to `out`, and prints what
/// was read, skipped and learned, and how long it took.
fn learn_clusters(dir: &Path, out: &Path, opts: &ClusterOptions, limit: usize, show: &[String]) -> Result<()> {
    let started = Instant::now();
    let mut texts = Vec::new();
    let mut skipped_corpora = Vec::new();
    let mut skipped_records = 0;
    for name in CLUSTER_CORPORA {
        let path = dir.join(name).join("articles.jsonl.gz");
        let (mut read, mut bad) = (0, 0);
        let result = warta::ingest::read_file(&path, warta::ingest::Format::JsonLines, true, |r| match r.result {
            Ok(a) if read < limit => {
                texts.push(format!(
                    "{}\n\n{}",
                    a.title.unwrap_or_default(),
                    a.body.unwrap_or_default()
                ));
                read += 1;
            }
            Ok(_) => {}
            Err(e) => {
                eprintln!("{}: {}: skipped: {e}", path.display(), r.place);
                bad += 1;
            }
        });
        match result {
            Ok(()) => println!("{name}: {read} articles, {bad} unreadable records skipped"),
            Err(e) => {
                eprintln!("{}: skipped: {e}", path.display());
                skipped_corpora.push(name);
            }
        }
        skipped_records += bad;
    }
    if texts.is_empty() {
        anyhow::bail!("no articles read under {}", dir.display());
    }
    let read_secs = started.elapsed().as_secs_f64();
    let learning = Instant::now();
    let clusters = learn(texts.into_iter(), opts);
    let learn_secs = learning.elapsed().as_secs_f64();
    let bytes = clusters.to_bytes();
    std::fs::write(out, &bytes).with_context(|| format!("cannot write {}", out.display()))?;
    let s = &clusters.stats;
    println!(
        "{} texts, {} tokens, {} distinct words; clustered {} words (seen {}+ times) from {} word pairs into {} \
         leaves, deepest leaf {} bits ({} cut to 32); {} hash collisions",
        s.texts,
        s.tokens,
        s.distinct_words,
        clusters.len(),
        opts.min_count,
        s.bigrams,
        clusters.leaves(),
        s.deepest,
        s.cut_paths,
        clusters.hash_collisions()
    );
    println!(
        "wrote {} ({} bytes); reading {read_secs:.1} s, learning {learn_secs:.1} s",
        out.display(),
        bytes.len()
    );
    if !skipped_corpora.is_empty() || skipped_records > 0 {
        println!(
            "skipped: {} corpora ({}), {skipped_records} unreadable records",
            skipped_corpora.len(),
            skipped_corpora.join(", ")
        );
    }
    for word in show {
        let norm = warta::text::tokens::normalize_phrase(word);
        match (clusters.path(&norm), clusters.members(&norm)) {
            (Some((bits, len)), Some(members)) => {
                let words: Vec<&str> = members.iter().take(40).map(|m| m.0).collect();
                println!(
                    "{word} [{bits:0len$b}] {} words: {}",
                    members.len(),
                    words.join(" "),
                    len = usize::from(len)
                );
            }
            _ => println!("{word}: not clustered"),
        }
    }
    Ok(())
}
