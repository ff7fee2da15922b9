//! Calling off a search whose answer is no longer wanted (its client went away, its time ran
//! out): the flag is checked between the stages of a search and while its documents are
//! collected, so abandoned work stops instead of holding a core.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TantivyError, Term};

/// A flag shared by a search and whoever may call it off. The default is never set.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// Calls off every search holding this flag (or a clone of it).
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether the search was called off.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    fn check(&self) -> tantivy::Result<()> {
        if self.is_cancelled() {
            return Err(TantivyError::InternalError("the search was called off".to_string()));
        }
        Ok(())
    }
}

/// A query that stops producing documents once its search is called off.
#[derive(Debug)]
pub struct CancellableQuery {
    inner: Box<dyn Query>,
    cancel: Cancel,
}

impl Clone for CancellableQuery {
    fn clone(&self) -> Self {
        CancellableQuery {
            inner: self.inner.box_clone(),
            cancel: self.cancel.clone(),
        }
    }
}

impl CancellableQuery {
    /// `inner`, stopping when `cancel` is set.
    pub fn new(inner: Box<dyn Query>, cancel: Cancel) -> CancellableQuery {
        CancellableQuery { inner, cancel }
    }
}

impl Query for CancellableQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        self.cancel.check()?;
        Ok(Box::new(CancellableWeight {
            inner: self.inner.weight(scoring)?,
            cancel: self.cancel.clone(),
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.inner.query_terms(visitor);
    }
}

/// Checks the flag before each segment and at each document, keeping the inner weight's own
/// ways of iterating (block-max pruning among them): a called-off search skips the rest of
/// its documents, and a pruning one raises its threshold past any score.
struct CancellableWeight {
    inner: Box<dyn Weight>,
    cancel: Cancel,
}

impl Weight for CancellableWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        self.cancel.check()?;
        Ok(Box::new(CancellableScorer {
            inner: self.inner.scorer(reader, boost)?,
            cancel: self.cancel.clone(),
            ended: false,
        }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.inner.explain(reader, doc)
    }

    fn count(&self, reader: &SegmentReader) -> tantivy::Result<u32> {
        self.cancel.check()?;
        let n = self.inner.count(reader)?;
        self.cancel.check()?;
        Ok(n)
    }

    fn for_each(&self, reader: &SegmentReader, callback: &mut dyn FnMut(DocId, Score)) -> tantivy::Result<()> {
        self.cancel.check()?;
        self.inner.for_each(reader, &mut |doc, score| {
            if !self.cancel.is_cancelled() {
                callback(doc, score);
            }
        })?;
        self.cancel.check()
    }

    fn for_each_no_score(&self, reader: &SegmentReader, callback: &mut dyn FnMut(&[DocId])) -> tantivy::Result<()> {
        self.cancel.check()?;
        self.inner.for_each_no_score(reader, &mut |docs| {
            if !self.cancel.is_cancelled() {
                callback(docs);
            }
        })?;
        self.cancel.check()
    }

    fn for_each_pruning(
        &self,
        threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        self.cancel.check()?;
        self.inner.for_each_pruning(threshold, reader, &mut |doc, score| {
            if self.cancel.is_cancelled() {
                Score::MAX
            } else {
                callback(doc, score)
            }
        })?;
        self.cancel.check()
    }
}

/// A scorer that ends early once its search is called off.
struct CancellableScorer {
    inner: Box<dyn Scorer>,
    cancel: Cancel,
    /// Called off: the scorer stays at its end.
    ended: bool,
}

impl CancellableScorer {
    fn called_off(&mut self) -> bool {
        self.ended = self.ended || self.cancel.is_cancelled();
        self.ended
    }
}

impl DocSet for CancellableScorer {
    fn advance(&mut self) -> DocId {
        if self.called_off() {
            return tantivy::TERMINATED;
        }
        self.inner.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.called_off() {
            return tantivy::TERMINATED;
        }
        self.inner.seek(target)
    }

    fn doc(&self) -> DocId {
        if self.ended {
            return tantivy::TERMINATED;
        }
        self.inner.doc()
    }

    fn size_hint(&self) -> u32 {
        self.inner.size_hint()
    }
}

impl Scorer for CancellableScorer {
    fn score(&mut self) -> Score {
        self.inner.score()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    use tantivy::collector::{Collector, SegmentCollector};
    use tantivy::query::TermQuery;
    use tantivy::schema::{IndexRecordOption, Schema, STRING};
    use tantivy::{doc, Index, SegmentOrdinal};

    use super::*;

    /// Counts the documents it is given, and calls the search off at the first.
    struct CallOffAtFirst {
        seen: Arc<AtomicUsize>,
        cancel: Cancel,
        scoring: bool,
    }

    impl Collector for CallOffAtFirst {
        type Fruit = ();
        type Child = CallOffAtFirstSegment;

        fn for_segment(&self, _: SegmentOrdinal, _: &SegmentReader) -> tantivy::Result<Self::Child> {
            Ok(CallOffAtFirstSegment {
                seen: self.seen.clone(),
                cancel: self.cancel.clone(),
            })
        }

        fn requires_scoring(&self) -> bool {
            self.scoring
        }

        fn merge_fruits(&self, _: Vec<()>) -> tantivy::Result<()> {
            Ok(())
        }
    }

    struct CallOffAtFirstSegment {
        seen: Arc<AtomicUsize>,
        cancel: Cancel,
    }

    impl SegmentCollector for CallOffAtFirstSegment {
        type Fruit = ();

        fn collect(&mut self, _: DocId, _: Score) {
            self.seen.fetch_add(1, Ordering::Relaxed);
            self.cancel.cancel();
        }

        fn harvest(self) {}
    }

    #[test]
    fn a_called_off_search_stops_collecting_and_fails() {
        let mut schema = Schema::builder();
        let word = schema.add_text_field("word", STRING);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for _ in 0..5000 {
            writer.add_document(doc!(word => "a")).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        for scoring in [true, false] {
            let cancel = Cancel::default();
            let inner = TermQuery::new(Term::from_field_text(word, "a"), IndexRecordOption::WithFreqs);
            let query = CancellableQuery::new(Box::new(inner), cancel.clone());
            let seen = Arc::new(AtomicUsize::new(0));
            let collector = CallOffAtFirst {
                seen: seen.clone(),
                cancel,
                scoring,
            };
            assert!(searcher.search(&query, &collector).is_err(), "scoring {scoring}");
            // Documents come one by one when scored, in blocks of 64 when not.
            let seen = seen.load(Ordering::Relaxed);
            assert!((1..=64).contains(&seen), "scoring {scoring}: {seen} of 5000 collected");
        }
    }
}
