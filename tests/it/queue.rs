//! The bound on documents waiting in tantivy's queue (`IndexOptions::queue_bytes`): however
//! tight, a run indexes every article, without waiting for ever.

use crate::common::NoWarnings;
use warta::index::{index_paths, IndexOptions, WartaIndex};

#[test]
fn a_one_byte_queue_still_indexes_everything() {
    const N: usize = 400;
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    let lines: Vec<String> = (0..N)
        .map(|i| {
            serde_json::json!({
                "id": format!("a{i}"),
                "title": format!("Berita nomor {i}"),
                "body": format!("Presiden Joko Widodo bertemu warga di Jakarta untuk kali ke-{i}. {}", "Harga beras naik. ".repeat(i % 7)),
                "lang": "id",
            })
            .to_string()
        })
        .collect();
    std::fs::write(corpus.join("berita.jsonl"), lines.join("\n")).unwrap();
    for threads in [1, 2] {
        let index = dir.path().join(format!("index-{threads}"));
        // Every batch waits until tantivy has taken up all the documents before it.
        let opts = IndexOptions {
            threads,
            memory_mb: 64,
            queue_bytes: 1,
            ..IndexOptions::default()
        };
        let summary = index_paths(&index, std::slice::from_ref(&corpus), &opts, &NoWarnings).unwrap();
        assert_eq!(summary.articles_added, N as u64, "{threads} thread(s)");
        let wi = WartaIndex::open(&index).unwrap();
        assert_eq!(wi.searcher().unwrap().num_docs(), N as u64, "{threads} thread(s)");
        let shown = warta::search::show(&wi, "berita.jsonl#400").unwrap();
        assert_eq!(shown.len(), 1);
        assert_eq!(shown[0].title, "Berita nomor 399");
        assert_eq!(shown[0].persons, ["Joko Widodo"]);
    }
}
