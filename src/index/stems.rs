//! The stem table: for each stemmed language, the indexed words that share a stem.
//!
//! The index holds words only (folded, unstemmed). A query word matches by its stem through
//! this table: "bangun" is expanded to "membangun", "pembangunan", "dibangun"... as found in
//! the index. Indexing stem terms beside every word instead cost about a quarter of indexing
//! CPU, while the expansion costs searches about 0.01 ms (README, Performance).
//!
//! `stems.fst` in the index directory is an FST set of keys `L 0x00 stem 0x00 word`, one for
//! every indexed word whose stem differs from it, `L` the language's byte (`e` English, `i`
//! Indonesian). `stems.words` lists every word already stemmed, so that updates stem only
//! new words.
//!
//! After each commit of an indexing run, [`update_if_stale`] adds the words of the segments
//! the table does not cover yet. Words of deleted articles stay: expanding to a word the
//! index lacks matches nothing. A run killed before an update is made good by the next run,
//! which reads every segment the table does not cover; a table that is missing or unreadable
//! is rebuilt from every segment.

use rustc_hash::FxHashSet as HashSet;
use std::path::Path;

use tantivy::Searcher;
use tantivy_fst::{IntoStreamer, Map, MapBuilder, Streamer};

use super::analysis::StemLang;
use super::Fields;

/// The table's file in the index directory.
pub const STEMS_FILE: &str = "stems.fst";
/// The words already stemmed, one a line (for updates; searches do not read it).
const WORDS_FILE: &str = "stems.words";
/// The segments whose words the table holds (JSON list of segment ids), written after it.
const COVERED_FILE: &str = "stems.segments.json";

fn lang_byte(lang: StemLang) -> u8 {
    match lang {
        StemLang::English => b'e',
        StemLang::Indonesian => b'i',
    }
}

fn pair_key(lang: StemLang, stem: &str, word: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(stem.len() + word.len() + 3);
    k.push(lang_byte(lang));
    k.push(0);
    k.extend_from_slice(stem.as_bytes());
    k.push(0);
    k.extend_from_slice(word.as_bytes());
    k
}

/// The stem table of an index, as read by searches.
#[derive(Default)]
pub struct StemTable {
    map: Option<Map<Vec<u8>>>,
}

impl StemTable {
    /// The table in `dir`; empty when there is none (nothing indexed yet) or it is
    /// unreadable (queries then match stems only as written).
    pub fn load(dir: &Path) -> StemTable {
        let map = std::fs::read(dir.join(STEMS_FILE))
            .ok()
            .and_then(|bytes| Map::from_bytes(bytes).ok());
        StemTable { map }
    }

    /// The indexed words of `lang` whose stem is `stem`, other than `stem` itself.
    pub fn variants(&self, lang: StemLang, stem: &str) -> Vec<String> {
        let Some(map) = &self.map else { return Vec::new() };
        let from = pair_key(lang, stem, "");
        let mut to = from.clone();
        *to.last_mut().expect("non-empty") = 1;
        let mut out = Vec::new();
        let mut stream = map.range().ge(&from).lt(&to).into_stream();
        while let Some((key, _)) = stream.next() {
            out.push(String::from_utf8_lossy(&key[from.len()..]).into_owned());
        }
        out
    }
}

/// Brings the table up to date with `searcher`'s segments, unless it already covers exactly
/// those segments (a rerun that changed nothing reads no term).
pub fn update_if_stale(dir: &Path, searcher: &Searcher, fields: &Fields, threads: usize) -> std::io::Result<()> {
    let mut segments: Vec<String> = searcher
        .segment_readers()
        .iter()
        .map(|s| s.segment_id().uuid_string())
        .collect();
    segments.sort();
    let covered: Option<Vec<String>> = std::fs::read(dir.join(COVERED_FILE))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    // A table that does not load is rebuilt, whatever the other files say.
    let old = StemTable::load(dir);
    if covered.as_ref() == Some(&segments) && old.map.is_some() {
        return Ok(());
    }
    // Segments the table already covers hold no new word (deletions keep a segment's id);
    // `update` ignores them when the table does not load.
    let skip: Vec<String> = covered.unwrap_or_default();
    update(dir, old, searcher, fields, &skip, threads)?;
    std::fs::write(
        dir.join(COVERED_FILE),
        serde_json::to_vec(&segments).expect("ids serialize"),
    )
}

/// Adds to `old`, the table in `dir`, the words of `searcher`'s stemmed text fields it lacks,
/// stemming each once; segments whose ids are in `skip` are not read. Returns how many words
/// were new; the files are rewritten only then, each atomically, the table first (a crash in
/// between leaves words that are stemmed again next time, never a word marked as done whose
/// stem is missing).
fn update(
    dir: &Path,
    old: StemTable,
    searcher: &Searcher,
    fields: &Fields,
    skip: &[String],
    threads: usize,
) -> std::io::Result<u64> {
    // Without a readable table, what the word list and the covered segments claim is lost:
    // start over from every segment.
    let (mut known, skip) = if old.map.is_some() {
        (load_words(dir), skip)
    } else {
        (HashSet::default(), &[][..])
    };
    let mut new_words: Vec<(StemLang, String)> = Vec::new();
    let mut key = String::new();
    for (title, body, lang) in fields.text_fields() {
        let Some(lang) = lang else { continue };
        for field in [title, body] {
            for segment in searcher.segment_readers() {
                if skip.contains(&segment.segment_id().uuid_string()) {
                    continue;
                }
                let inverted = segment.inverted_index(field).map_err(std::io::Error::other)?;
                let mut terms = inverted.terms().stream()?;
                while terms.advance() {
                    let Ok(word) = std::str::from_utf8(terms.key()) else {
                        continue;
                    };
                    if !lang.may_change(word) {
                        continue;
                    }
                    key.clear();
                    key.push(char::from(lang_byte(lang)));
                    key.push_str(word);
                    if known.contains(key.as_str()) {
                        continue;
                    }
                    known.insert(key.clone());
                    new_words.push((lang, word.to_string()));
                }
            }
        }
    }
    if new_words.is_empty() {
        return Ok(0);
    }
    let added = new_words.len() as u64;
    let mut pairs = stem_pairs(&new_words, threads);
    pairs.sort_unstable();
    pairs.dedup();
    write_table(dir, &old, pairs)?;
    write_words(dir, &known)?;
    Ok(added)
}

/// The table's keys for `words`: those whose stem differs from the word. Stemming is most of
/// an update's work (Sastrawi costs some 5,000 instructions a new word), so a long list is
/// shared among up to `threads` threads (the run's `--threads`); the first build of a large
/// archive brings hundreds of thousands.
fn stem_pairs(words: &[(StemLang, String)], threads: usize) -> Vec<Vec<u8>> {
    const PER_THREAD: usize = 5_000;
    let threads = threads.max(1).min(words.len().div_ceil(PER_THREAD));
    if threads <= 1 {
        return stem_all(words);
    }
    // The last part is stemmed on this thread, whose stemmer and cache may be warm already.
    let mut parts = words.chunks(words.len().div_ceil(threads));
    let last = parts.next_back().unwrap_or_default();
    std::thread::scope(|s| {
        let others: Vec<_> = parts.map(|part| s.spawn(move || stem_all(part))).collect();
        let mut pairs = stem_all(last);
        for other in others {
            pairs.extend(other.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
        }
        pairs
    })
}

/// [`stem_pairs`] on the calling thread.
fn stem_all(words: &[(StemLang, String)]) -> Vec<Vec<u8>> {
    let mut stem = String::new();
    let mut pairs = Vec::new();
    for (lang, word) in words {
        if lang.stem_into(word, &mut stem) {
            pairs.push(pair_key(*lang, &stem, word));
        }
    }
    pairs
}

/// Writes the table: `old`'s keys and `new` (sorted) merged.
fn write_table(dir: &Path, old: &StemTable, new: Vec<Vec<u8>>) -> std::io::Result<()> {
    let tmp = dir.join(format!("{STEMS_FILE}.tmp"));
    let file = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
    let mut builder = MapBuilder::new(file).map_err(std::io::Error::other)?;
    let mut new = new.into_iter().peekable();
    let mut insert = |key: &[u8]| builder.insert(key, 0).map_err(std::io::Error::other);
    if let Some(map) = &old.map {
        let mut stream = map.stream();
        while let Some((key, _)) = stream.next() {
            while let Some(n) = new.next_if(|n| n.as_slice() < key) {
                insert(&n)?;
            }
            new.next_if(|n| n.as_slice() == key);
            insert(key)?;
        }
    }
    for n in new {
        insert(&n)?;
    }
    builder
        .into_inner()
        .map_err(std::io::Error::other)?
        .into_inner()
        .map_err(|e| e.into_error())?
        .sync_all()?;
    std::fs::rename(&tmp, dir.join(STEMS_FILE))
}

/// Every word already stemmed, as its language's byte followed by the word.
fn load_words(dir: &Path) -> HashSet<String> {
    std::fs::read_to_string(dir.join(WORDS_FILE))
        .map(|text| text.lines().map(str::to_string).collect())
        .unwrap_or_default()
}

fn write_words(dir: &Path, words: &HashSet<String>) -> std::io::Result<()> {
    let mut text = String::with_capacity(words.iter().map(|w| w.len() + 1).sum());
    for w in words {
        text.push_str(w);
        text.push('\n');
    }
    let tmp = dir.join(format!("{WORDS_FILE}.tmp"));
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, dir.join(WORDS_FILE))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(keys: &[Vec<u8>]) -> StemTable {
        let mut keys = keys.to_vec();
        keys.sort();
        let map = Map::from_iter(keys.iter().map(|k| (k, 0u64))).unwrap();
        StemTable { map: Some(map) }
    }

    #[test]
    fn variants_are_exactly_the_words_of_one_stem_and_language() {
        let id = StemLang::Indonesian;
        let t = table(&[
            pair_key(id, "temu", "bertemu"),
            pair_key(id, "temu", "pertemuan"),
            pair_key(id, "temuan", "penemuan"),
            pair_key(StemLang::English, "temu", "temus"),
        ]);
        assert_eq!(t.variants(id, "temu"), ["bertemu", "pertemuan"]);
        assert_eq!(t.variants(id, "temuan"), ["penemuan"]);
        assert!(t.variants(id, "tem").is_empty());
        assert_eq!(t.variants(StemLang::English, "temu"), ["temus"]);
        assert!(StemTable::default().variants(id, "temu").is_empty());
    }

    struct Quiet;
    impl crate::index::Progress for Quiet {
        fn start(&self, _: u64) {}
        fn advance(&self) {}
        fn warn(&self, message: &str) {
            panic!("unexpected warning: {message}");
        }
    }

    /// A temporary corpus of Indonesian articles and its index.
    struct Corpus {
        _dir: tempfile::TempDir,
        corpus: std::path::PathBuf,
        index: std::path::PathBuf,
    }

    impl Corpus {
        fn new() -> Corpus {
            let dir = tempfile::tempdir().unwrap();
            let corpus = dir.path().join("corpus");
            std::fs::create_dir_all(&corpus).unwrap();
            let index = dir.path().join("index");
            Corpus {
                _dir: dir,
                corpus,
                index,
            }
        }

        /// Writes an article and indexes the corpus.
        fn add(&self, name: &str, body: &str) {
            std::fs::write(
                self.corpus.join(name),
                format!("Title: {name}\nLanguage: id\n\n{body}\n"),
            )
            .unwrap();
            self.run();
        }

        fn run(&self) {
            let opts = crate::index::IndexOptions::default();
            crate::index::index_paths(&self.index, std::slice::from_ref(&self.corpus), &opts, &Quiet).unwrap();
        }
    }

    /// A handle kept open (as `warta serve` keeps one) sees the table a later run rewrote,
    /// and a run that changed nothing does not rewrite it.
    #[test]
    fn an_open_index_follows_the_table_of_later_runs() {
        let fx = Corpus::new();
        let id = StemLang::Indonesian;
        fx.add("a.txt", "Presiden bertemu menteri.");
        let wi = crate::index::WartaIndex::open(&fx.index).unwrap();
        assert_eq!(wi.stem_table().variants(id, "temu"), ["bertemu"]);
        let table = fx.index.join(STEMS_FILE);
        let written = std::fs::metadata(&table).unwrap().modified().unwrap();
        fx.run();
        assert_eq!(std::fs::metadata(&table).unwrap().modified().unwrap(), written);
        fx.add("b.txt", "Pertemuan ditunda.");
        assert_eq!(wi.stem_table().variants(id, "temu"), ["bertemu", "pertemuan"]);
    }

    /// A table lost or damaged is rebuilt from every segment, whatever the word list says.
    #[test]
    fn a_damaged_or_missing_table_is_rebuilt_from_every_segment() {
        let fx = Corpus::new();
        let id = StemLang::Indonesian;
        fx.add("a.txt", "Presiden bertemu menteri.");
        for damage in ["garbage", "delete"] {
            if damage == "delete" {
                std::fs::remove_file(fx.index.join(STEMS_FILE)).unwrap();
            } else {
                std::fs::write(fx.index.join(STEMS_FILE), "not an fst").unwrap();
            }
            assert!(StemTable::load(&fx.index).variants(id, "temu").is_empty());
            fx.run();
            assert_eq!(StemTable::load(&fx.index).variants(id, "temu"), ["bertemu"], "{damage}");
        }
    }

    /// Shared among three threads or stemmed on one, a long list of new words gives the same
    /// keys.
    #[test]
    fn stemming_on_several_threads_gives_the_keys_of_one() {
        let roots = ["temu", "bangun", "kerja", "jalan", "main", "run", "build", "walk"];
        let forms = ["ber{}", "pe{}an", "di{}kan", "{}nya", "me{}i", "{}ing", "{}er", "{}s"];
        let mut words = Vec::new();
        for i in 0..2_000 {
            for (r, f) in roots.iter().zip(forms.iter().cycle().skip(i % forms.len())) {
                let lang = if r.len() % 2 == 0 {
                    StemLang::Indonesian
                } else {
                    StemLang::English
                };
                let root = format!("{r}{}", ["", "a", "u", "an"][i % 4]);
                words.push((lang, f.replace("{}", &root)));
            }
        }
        assert!(words.len() > 10_000);
        let mut parallel = stem_pairs(&words, 3);
        let mut serial = stem_all(&words);
        assert!(!serial.is_empty());
        parallel.sort();
        serial.sort();
        assert_eq!(parallel, serial);
    }

    #[test]
    fn the_word_list_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        assert!(load_words(dir.path()).is_empty());
        let words: HashSet<String> = ["ibertemu", "erunning"].iter().map(|s| s.to_string()).collect();
        write_words(dir.path(), &words).unwrap();
        assert_eq!(load_words(dir.path()), words);
    }
}
