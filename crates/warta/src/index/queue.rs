//! A bound on the documents waiting in tantivy's queue.
//!
//! tantivy's writer queues operations in a channel of 10,000 messages, and warta sends its
//! documents in batches of up to 16: up to 160,000 documents could wait there whenever
//! tantivy indexes more slowly than warta reads and extracts (one indexing thread, or entity
//! extraction switched off). 194,508 articles of JSON Lines at `--threads 1` without entities
//! peaked at 489 MiB, over the budget + 150 MB the issue allows. Each document now carries
//! its share of a byte count, released when tantivy's indexing thread takes it up; senders
//! wait while the count is over the limit.

use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use tantivy::schema::document::Document;
use tantivy::TantivyDocument;

/// Bytes of documents handed to tantivy and not yet taken up by its indexing threads.
#[derive(Debug)]
pub struct InFlight {
    limit: usize,
    stall: Duration,
    state: Mutex<State>,
    released: Condvar,
}

#[derive(Debug, Default)]
struct State {
    bytes: usize,
    /// Counts releases, so that a waiter can tell whether anything moved while it waited.
    releases: u64,
    /// Senders waiting for room.
    waiting: usize,
}

/// How long a sender waits without any document being taken up before it sends anyway: a
/// tantivy writer that stopped (its error then comes back from the send) must not leave the
/// run waiting forever, and a slow one gains one batch a second at most.
const STALL: Duration = Duration::from_secs(1);

impl InFlight {
    /// A bound of `limit` bytes.
    pub fn new(limit: usize) -> Arc<InFlight> {
        Self::with_stall(limit, STALL)
    }

    fn with_stall(limit: usize, stall: Duration) -> Arc<InFlight> {
        Arc::new(InFlight {
            limit,
            stall,
            state: Mutex::new(State::default()),
            released: Condvar::new(),
        })
    }

    /// Counts `bytes` more in flight, first waiting while the count is over the limit. A
    /// batch bigger than the limit goes when nothing else is in flight; it also goes when
    /// nothing was taken up for a while (see [`STALL`]). True when a wait ran out rather than
    /// being woken by a document taken up.
    pub fn acquire(&self, bytes: usize) -> bool {
        let mut timed_out = false;
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        while s.bytes > 0 && s.bytes + bytes > self.limit {
            let seen = s.releases;
            s.waiting += 1;
            let (next, timeout) = self
                .released
                .wait_timeout(s, self.stall)
                .unwrap_or_else(|e| e.into_inner());
            s = next;
            s.waiting -= 1;
            timed_out |= timeout.timed_out();
            if timeout.timed_out() && s.releases == seen {
                break;
            }
        }
        s.bytes += bytes;
        timed_out
    }

    /// Called by tantivy's indexing thread for every document: waiters are woken only once
    /// the count is down to half the limit, so that they send a good part of a queue at once
    /// instead of being woken (a system call on tantivy's thread, a context switch) for every
    /// document taken up, which cost more CPU than the queue saved.
    fn release(&self, bytes: usize) {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        s.bytes = s.bytes.saturating_sub(bytes);
        s.releases += 1;
        if s.waiting > 0 && s.bytes <= self.limit / 2 {
            self.released.notify_all();
        }
    }

    /// Bytes counted now.
    #[cfg(test)]
    fn bytes(&self) -> usize {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).bytes
    }
}

/// A document on its way to tantivy, holding `bytes` of an [`InFlight`] count until tantivy's
/// indexing thread takes it up (or it is dropped unindexed).
pub struct QueuedDoc {
    doc: TantivyDocument,
    bytes: usize,
    in_flight: Arc<InFlight>,
}

impl QueuedDoc {
    /// Wraps `doc`, whose share of the count is `bytes` (already acquired by the sender).
    pub fn new(doc: TantivyDocument, bytes: usize, in_flight: &Arc<InFlight>) -> QueuedDoc {
        QueuedDoc {
            doc,
            bytes,
            in_flight: in_flight.clone(),
        }
    }
}

impl Drop for QueuedDoc {
    fn drop(&mut self) {
        self.in_flight.release(self.bytes);
    }
}

impl Document for QueuedDoc {
    type Value<'a> = <TantivyDocument as Document>::Value<'a>;
    type FieldsValuesIter<'a> = <TantivyDocument as Document>::FieldsValuesIter<'a>;

    fn iter_fields_and_values(&self) -> Self::FieldsValuesIter<'_> {
        self.doc.iter_fields_and_values()
    }

    /// tantivy's indexing thread calls this once, as it starts on the document: the bytes
    /// are released here, and the document itself handed over without a copy.
    fn into_tantivy_document(mut self) -> TantivyDocument {
        std::mem::take(&mut self.doc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sender waits while the count is over the limit and goes on when a document is taken
    /// up; one bigger than the limit goes alone.
    #[test]
    fn senders_wait_for_room() {
        // A stall far longer than the test takes: the waiter must be woken by the release.
        let q = InFlight::with_stall(100, Duration::from_secs(10));
        assert!(!q.acquire(60));
        let first = QueuedDoc::new(TantivyDocument::default(), 60, &q);
        let waiter = {
            let q = q.clone();
            std::thread::spawn(move || {
                let timed_out = q.acquire(60);
                (timed_out, q.bytes())
            })
        };
        std::thread::sleep(Duration::from_millis(50));
        assert!(!waiter.is_finished(), "a sender went past a full count");
        // tantivy takes the first document up.
        let doc = first.into_tantivy_document();
        assert_eq!(waiter.join().unwrap(), (false, 60));
        drop(doc);
        // Bigger than the limit, with nothing else in flight: it goes.
        let q = InFlight::new(10);
        q.acquire(500);
        assert_eq!(q.bytes(), 500);
    }

    /// A writer that takes nothing up does not keep a sender waiting for ever.
    #[test]
    fn a_stalled_queue_lets_a_sender_go_on() {
        let q = InFlight::with_stall(100, Duration::from_millis(20));
        q.acquire(90);
        assert!(q.acquire(90));
        assert_eq!(q.bytes(), 180);
    }

    /// A document dropped unindexed (a failed send) gives its bytes back too.
    #[test]
    fn a_dropped_document_releases_its_bytes() {
        let q = InFlight::new(100);
        q.acquire(40);
        drop(QueuedDoc::new(TantivyDocument::default(), 40, &q));
        assert_eq!(q.bytes(), 0);
    }
}
