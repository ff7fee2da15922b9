//! `warta-eval`: precision, recall and F1 of entity extraction per entity type.
//!
//! ```text
//! warta-eval gold tests/gold/sample_entities.json sample_corpus
//! warta-eval conll ../shared/corpora/conll2003/documents.jsonl.gz [--split testb]
//! warta-eval nergrit ../shared/corpora/indonlu-ner/sentences.jsonl.gz
//! warta-eval reuters ../shared/corpora/reuters21578/articles.jsonl.gz
//! warta-eval stemmers ../shared/corpora/clickid/articles.jsonl.gz --limit 5000
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
}

fn main() -> Result<()> {
    let cli = Cli::parse();
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
        Set::Stemmers { .. } => unreachable!("handled above"),
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
