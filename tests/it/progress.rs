//! The walk streams into the readers: more files than its queue holds are all read, unchanged
//! ones are not, vanished ones are removed once the walk is over, and the progress receiver
//! is told a total that grows as files are found and is never behind the files advanced.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use warta::index::{index_paths, IndexOptions, Progress, RunSummary};

/// Records every call, and whether a file was ever advanced before it was announced.
#[derive(Default)]
struct Recorder {
    starts: AtomicU64,
    announced: AtomicU64,
    walked_calls: AtomicU64,
    walked_total: AtomicU64,
    advanced: AtomicU64,
    found_after_walked: AtomicBool,
    advanced_too_far: AtomicBool,
}

impl Progress for Recorder {
    fn start(&self, files_to_read: u64) {
        self.starts.fetch_add(1, Ordering::SeqCst);
        self.announced.fetch_add(files_to_read, Ordering::SeqCst);
    }
    fn found(&self, files: u64) {
        if self.walked_calls.load(Ordering::SeqCst) > 0 {
            self.found_after_walked.store(true, Ordering::SeqCst);
        }
        self.announced.fetch_add(files, Ordering::SeqCst);
    }
    fn walked(&self, files_to_read: u64) {
        self.walked_calls.fetch_add(1, Ordering::SeqCst);
        self.walked_total.store(files_to_read, Ordering::SeqCst);
    }
    fn advance(&self) {
        let n = self.advanced.fetch_add(1, Ordering::SeqCst) + 1;
        if n > self.announced.load(Ordering::SeqCst) {
            self.advanced_too_far.store(true, Ordering::SeqCst);
        }
    }
    fn warn(&self, _: &str) {}
}

impl Recorder {
    /// Checks the calls of one run that had `to_read` files to read.
    fn check(&self, to_read: u64) {
        assert_eq!(self.starts.load(Ordering::SeqCst), 1, "start is called once");
        assert_eq!(self.walked_calls.load(Ordering::SeqCst), 1, "walked is called once");
        assert_eq!(self.walked_total.load(Ordering::SeqCst), to_read);
        assert_eq!(self.announced.load(Ordering::SeqCst), to_read);
        assert_eq!(self.advanced.load(Ordering::SeqCst), to_read);
        assert!(!self.found_after_walked.load(Ordering::SeqCst));
        assert!(!self.advanced_too_far.load(Ordering::SeqCst));
    }
}

fn run(index: &Path, corpus: &Path, to_read: u64) -> RunSummary {
    let opts = IndexOptions {
        threads: 2,
        memory_mb: 64,
        ..IndexOptions::default()
    };
    let progress = Recorder::default();
    let summary = index_paths(index, &[corpus.to_path_buf()], &opts, &progress).unwrap();
    progress.check(to_read);
    summary
}

fn article(corpus: &Path, n: usize, text: &str) -> std::path::PathBuf {
    let path = corpus.join(format!("d{}/a{n:04}.txt", n % 7));
    std::fs::write(&path, format!("Title: Article {n}\n\n{text} number {n}.\n")).unwrap();
    path
}

#[test]
fn more_files_than_the_queue_holds_stream_through_and_reruns_read_only_what_changed() {
    const FILES: usize = 1200; // several times the walk's queue
    let dir = tempfile::tempdir().unwrap();
    let (corpus, index) = (dir.path().join("corpus"), dir.path().join("index"));
    for d in 0..7 {
        std::fs::create_dir_all(corpus.join(format!("d{d}"))).unwrap();
    }
    let paths: Vec<_> = (0..FILES)
        .map(|n| article(&corpus, n, "A short article about Jakarta"))
        .collect();
    std::fs::write(corpus.join("empty.txt"), "").unwrap();
    std::fs::write(corpus.join("notes.csv"), "not,an,article\n").unwrap();

    let s = run(&index, &corpus, FILES as u64 + 1);
    assert_eq!(s.files_added, FILES as u64);
    assert_eq!((s.files_skipped, s.not_articles, s.files_unchanged), (1, 1, 0));
    assert_eq!(s.total_articles, FILES as u64);

    // Nothing changed: only the empty file (which holds no article) is read again.
    let s = run(&index, &corpus, 1);
    assert_eq!((s.files_added, s.files_updated, s.files_removed), (0, 0, 0));
    assert_eq!(s.files_unchanged, FILES as u64);
    assert_eq!(s.bytes_read, 0);

    // Remove 300 files and change 5: the removals are made after the walk, before the commit.
    for p in &paths[..300] {
        std::fs::remove_file(p).unwrap();
    }
    for n in 600..605 {
        let p = article(&corpus, n, "Rewritten, now about Surabaya instead");
        let f = std::fs::File::options().write(true).open(&p).unwrap();
        f.set_modified(SystemTime::now() + Duration::from_secs(5)).unwrap();
    }
    let s = run(&index, &corpus, 6);
    assert_eq!((s.files_added, s.files_updated, s.files_removed), (0, 5, 300));
    assert_eq!(s.files_unchanged, FILES as u64 - 305);
    assert_eq!((s.articles_added, s.articles_removed), (5, 305));
    assert_eq!(s.total_articles, FILES as u64 - 300);
}
