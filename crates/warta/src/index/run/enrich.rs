//! The enrichers: each article's language and entities, its tantivy document, and the
//! documents handed to tantivy's writer in batches.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};

use tantivy::indexer::UserOperation;
use tantivy::TantivyDocument;

use super::pipeline::{yield_to_indexing, SharedWriter};
use super::read::Job;
use super::summary::Outcome;
use crate::extract::Enriched;
use crate::index::document::{build_document, document_bytes};
use crate::index::queue::{InFlight, QueuedDoc};
use crate::index::Fields;
use crate::ingest::Article;

/// The stage that turns an article into an enriched one: its language and its entities.
///
/// Indexing runs use warta's extractor ([`crate::extract::enrich`]); another enricher is a
/// measuring hook (see [`super::index_paths_with`]): one that only detects the language
/// ([`crate::extract::enrich_language_only`]) shows what the pipeline costs without
/// extraction, one that looks up entities found beforehand what it would cost with an
/// extractor that were free. Later runs do not change the entities of files they do not read
/// again, so an index built with another enricher is for measuring and throwaway use.
pub trait Enricher: Sync {
    /// The article with its language and entities.
    fn enrich(&self, article: Article) -> Enriched;
}

impl<F: Fn(Article) -> Enriched + Sync> Enricher for F {
    fn enrich(&self, article: Article) -> Enriched {
        self(article)
    }
}

/// An enricher thread: enriches each batch of articles the readers send and adds their
/// documents to the index, counting them in `added_total`.
pub(super) fn enrich_jobs(
    jobs: crossbeam_channel::Receiver<Vec<Job>>,
    outcomes: mpsc::Sender<Vec<Outcome>>,
    enricher: &dyn Enricher,
    writer: &SharedWriter,
    added_total: &AtomicU64,
    in_flight: &Arc<InFlight>,
) {
    yield_to_indexing();
    for batch in jobs {
        writer.touch(batch.iter().map(|job| job.file.path.as_str()));
        let (ids, docs) = documents(batch, enricher, writer.fields);
        match add_documents(docs, writer, in_flight) {
            Ok(_) => {
                added_total.fetch_add(ids.len() as u64, Ordering::Relaxed);
            }
            Err(e) => {
                let warnings = ids
                    .iter()
                    .map(|id| Outcome::Warning(format!("{id}: cannot index: {e}")));
                let _ = outcomes.send(warnings.collect());
            }
        }
    }
}

/// The ids and documents of a batch of articles, each document with the bytes it holds.
fn documents(
    batch: Vec<Job>,
    enricher: &dyn Enricher,
    fields: &Fields,
) -> (Vec<String>, Vec<(TantivyDocument, usize)>) {
    let mut ids = Vec::with_capacity(batch.len());
    let mut docs = Vec::with_capacity(batch.len());
    for job in batch {
        let enriched = enricher.enrich(job.article);
        let bytes = document_bytes(&job.id, &job.file, &enriched);
        let doc = build_document(fields, &job.id, &job.file, job.hash, job.last, &enriched, bytes);
        docs.push((doc, bytes));
        ids.push(job.id);
    }
    (ids, docs)
}

/// Hands a batch of documents to tantivy as one operation: one message on its channel, and
/// at most one wake-up of an indexing thread, instead of one a document. Waits first while
/// tantivy's queue holds too much (before taking the writer's lock, which a commit needs).
fn add_documents(
    docs: Vec<(TantivyDocument, usize)>,
    writer: &SharedWriter,
    in_flight: &Arc<InFlight>,
) -> tantivy::Result<u64> {
    in_flight.acquire(docs.iter().map(|(_, b)| b).sum());
    let adds: Vec<_> = docs
        .into_iter()
        .map(|(doc, bytes)| UserOperation::Add(QueuedDoc::new(doc, bytes, in_flight)))
        .collect();
    writer.run(adds)
}
