//! `warta-eval`: precision, recall and F1 of entity extraction per entity type.
//!
//! ```text
//! warta-eval gold tests/gold/sample_entities.json sample_corpus
//! warta-eval conll ../shared/corpora/conll2003/documents.jsonl.gz [--split testb]
//! warta-eval nergrit ../shared/corpora/indonlu-ner/sentences.jsonl.gz
//! warta-eval reuters ../shared/corpora/reuters21578/articles.jsonl.gz
//! warta-eval stemmers ../shared/corpora/clickid/articles.jsonl.gz --limit 5000
//! warta-eval train ../shared/corpora --out data/ner-model.bin.gz
//! ```

use std::path::PathBuf;

use anyhow::Result;
use clap::{Parser, Subcommand};

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
        #[arg(long, default_value_t = 20)]
        bits: u32,
        /// Without word-cluster features
        #[arg(long)]
        no_clusters: bool,
    },
    /// The entity tagger alone, by exact spans, on CoNLL-2003 testa/testb and NERGrit
    /// valid/test (the model named by $WARTA_NER_MODEL, else the shipped one)
    Tagger { corpora: PathBuf },
}

/// Scores the tagger alone on the evaluation splits.
fn score_tagger(corpora: &std::path::Path) -> Result<()> {
    let model = warta::extract::tagger::Model::get().ok_or_else(|| anyhow::anyhow!("no tagger model"))?;
    let conll = corpora.join("conll2003/original");
    let nergrit = corpora.join("indonlu-ner/sentences.jsonl.gz");
    let sets = [
        ("CoNLL train", warta::train::read_conll(&conll.join("eng.train.gz"))?),
        ("CoNLL testa", warta::train::read_conll(&conll.join("eng.testa.gz"))?),
        ("CoNLL testb", warta::train::read_conll(&conll.join("eng.testb.gz"))?),
        ("NERGrit valid", warta::train::read_nergrit(&nergrit, "valid")?),
        ("NERGrit test", warta::train::read_nergrit(&nergrit, "test")?),
    ];
    println!(
        "{:<14} {:<8} {:>9} {:>9} {:>9}",
        "set", "type", "precision", "recall", "F1"
    );
    for (name, texts) in &sets {
        for (kind, c) in warta::train::score_tagger(model, texts) {
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
fn train(corpora: &std::path::Path, out: &std::path::Path, epochs: usize, bits: u32, clusters: bool) -> Result<()> {
    let started = std::time::Instant::now();
    let mut texts = warta::train::read_conll(&corpora.join("conll2003/original/eng.train.gz"))?;
    let conll = texts.len();
    texts.extend(warta::train::read_nergrit(
        &corpora.join("indonlu-ner/sentences.jsonl.gz"),
        "train",
    )?);
    eprintln!(
        "read {conll} CoNLL-2003 train documents and {} NERGrit train sentences",
        texts.len() - conll
    );
    let opts = warta::extract::tagger::TrainOptions {
        bits,
        epochs,
        ..Default::default()
    };
    let trained = warta::train::train(&texts, clusters, &opts, |epoch, acc| {
        eprintln!("epoch {epoch}: {:.4} of candidate tokens right", acc);
    });
    let (missed, all) = trained.unreachable;
    eprintln!("{missed} of {all} gold name tokens are never tagged (lower case or numbers)");
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
    } = &cli.set
    {
        return train(corpora, out, *epochs, *bits, !no_clusters);
    }
    if let Set::Tagger { corpora } = &cli.set {
        return score_tagger(corpora);
    }
    if let Set::Stemmers { path } = &cli.set {
        let rows = warta::eval::eval_stemmers(path, cli.limit.min(20_000))?;
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
        Set::Gold { gold, corpus } => warta::eval::eval_gold(gold, corpus)?,
        Set::Conll { path, split } => warta::eval::eval_conll(path, split.as_deref(), cli.limit)?,
        Set::Nergrit { path, split } => warta::eval::eval_nergrit(path, split.as_deref(), cli.limit)?,
        Set::Reuters { path } => warta::eval::eval_reuters(path, cli.limit)?,
        Set::Stemmers { .. } | Set::Train { .. } | Set::Tagger { .. } => unreachable!("handled above"),
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
