//! The stem table: for each stemmed language, the indexed words that share a stem.
//!
//! The index holds words only (folded, unstemmed). A query word matches by its stem through
//! this table: "bangun" is expanded to "membangun", "pembangunan", "dibangun"... as found in
//! the index. Indexing stem terms beside every word instead cost about a quarter of indexing
//! CPU, while the expansion costs searches about 0.01 ms (README, Performance).
//!
//! `stems.fst` in the index directory is an FST set of keys `L 0x00 stem 0x00 word`, one for
//! every indexed word whose stem differs from it, `L` the language's byte (`e` English, `i`
//! Indonesian). `stems.words` lists every word already stemmed, sorted, each with its stem
//! when that differs (`Lword`, or `Lword<TAB>stem`): updates stem only new words, and a
//! search stems the words it meets through it (see [`StemTable::stem`]).
//!
//! Both files carry an xxh3 checksum of their content, checked whenever they are read: a
//! damaged FST made tantivy-fst panic on every text query. A damaged table fails searches with
//! an error (their matches would be wrong) and is rebuilt by the next indexing run; a damaged
//! words file is ignored (searches stem with the stemmer) and rewritten by the next run.
//!
//! After each commit of an indexing run, [`update_if_stale`] adds the words of the segments
//! the table does not cover yet. Words of deleted articles stay: expanding to a word the
//! index lacks matches nothing. A run killed before an update is made good by the next run,
//! which reads every segment the table does not cover; a table that is missing, damaged or
//! without a checksum (from an older warta) is rebuilt from every segment.

use rustc_hash::FxHashSet as HashSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use std::io::{Seek, Write};

use tantivy::schema::Field;
use tantivy::Searcher;
use tantivy_fst::{IntoStreamer, Map, MapBuilder, Streamer};
use xxhash_rust::xxh3::{xxh3_64, Xxh3};

use super::Fields;
use crate::text::analysis::StemLang;

/// The table's file in the index directory: [`TABLE_MAGIC`], the xxh3 checksum of the FST
/// (8 bytes, little-endian), then the FST.
pub const STEMS_FILE: &str = "stems.fst";
/// The first bytes of a table with a checksum (a table without them is from an older warta).
const TABLE_MAGIC: &[u8; 8] = b"wartaST1";
/// The words already stemmed, one a line, with their stems: [`WORDS_HEADER`], then `Lword`
/// (its own stem) or `Lword<TAB>stem`, sorted by `Lword`.
const WORDS_FILE: &str = "stems.words";
/// The first line of a words file that records stems starts with this, followed by a space and
/// the xxh3 checksum of the rest of the file (16 hex digits). An older file (without stems or
/// checksum) is not trusted: the next update stems every word again.
const WORDS_HEADER: &str = "#warta stems.words 3";
/// A line of the words file: the key (the language's byte and the word) and the stem when it
/// differs from the word.
type Entry = (String, Option<String>);
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
    /// Whether the table's checksum was checked (false for a table from an older warta).
    checked: bool,
    /// What is wrong with the table's file, when it is damaged or unreadable.
    damage: Option<String>,
    /// The index directory, whose words file is read the first time a search needs a stem.
    dir: Option<PathBuf>,
    words: OnceLock<Option<KnownStems>>,
}

impl StemTable {
    /// The table in `dir`; empty when there is none (nothing indexed yet), and empty with
    /// [`damage`](StemTable::damage) set when it is damaged or unreadable.
    pub fn load(dir: &Path) -> StemTable {
        let read = match std::fs::read(dir.join(STEMS_FILE)) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("{STEMS_FILE} cannot be read: {e}")),
            Ok(bytes) => open_table(bytes).map(Some).map_err(|why| format!("{STEMS_FILE} {why}")),
        };
        let (map, checked, damage) = match read {
            Ok(Some((map, checked))) => (Some(map), checked, None),
            Ok(None) => (None, false, None),
            Err(damage) => (None, false, Some(damage)),
        };
        StemTable {
            map,
            checked,
            damage,
            dir: Some(dir.to_path_buf()),
            words: OnceLock::new(),
        }
    }

    /// What is wrong with the table's file, when it is damaged or unreadable (searches then
    /// cannot expand stems, and the next indexing run rebuilds it).
    pub fn damage(&self) -> Option<&str> {
        self.damage.as_deref()
    }

    /// Stems `word` (folded, as indexed) in place, for a search: the query's words and the
    /// words of the hits' snippets. The stem is the stemmer's in every case, but an Indonesian
    /// word the stem caches lack is looked up in the words file, which holds every indexed
    /// word's stem, before Sastrawi's stemmer, whose dictionary took 7 ms to build: more than
    /// half of a whole `warta search` process. A word the file lacks (not indexed, or an older
    /// file) goes to the stemmer.
    pub fn stem(&self, lang: StemLang, word: &mut String) {
        match lang {
            StemLang::Indonesian => crate::text::stem::indonesian::stem_indonesian_known(word, |w| {
                self.known_stem(lang, w).map(|stem| stem.map(str::to_string))
            }),
            StemLang::English => lang.stem(word),
        }
    }

    /// The stem recorded for `word`: `Some(None)` when it is its own stem, `None` when the
    /// words file does not have it.
    fn known_stem(&self, lang: StemLang, word: &str) -> Option<Option<&str>> {
        let known = self.words.get_or_init(|| read_known(self.dir.as_ref()?)).as_ref()?;
        known.get(lang_byte(lang), word)
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

/// The FST of a table file's bytes, and whether its checksum was checked; an error saying what
/// is wrong with the file otherwise. A file without [`TABLE_MAGIC`] is from an older warta,
/// and opened unchecked.
fn open_table(mut bytes: Vec<u8>) -> Result<(Map<Vec<u8>>, bool), String> {
    let checked = bytes.starts_with(TABLE_MAGIC);
    if checked {
        let header = TABLE_MAGIC.len() + 8;
        let sum = bytes
            .get(TABLE_MAGIC.len()..header)
            .ok_or("is cut short")?
            .try_into()
            .map(u64::from_le_bytes)
            .expect("8 bytes");
        if xxh3_64(&bytes[header..]) != sum {
            return Err("fails its checksum".to_string());
        }
        bytes.drain(..header);
    }
    let map = Map::from_bytes(bytes).map_err(|e| format!("is not a stem table: {e}"))?;
    Ok((map, checked))
}

/// A words file as read by searches: its bytes after the header, lines sorted by key.
struct KnownStems {
    bytes: Vec<u8>,
}

impl KnownStems {
    /// The file's lines after its header; `None` for a file without the header (an older
    /// index: its lines hold no stems, or no checksum) or whose checksum fails.
    fn parse(mut bytes: Vec<u8>) -> Option<KnownStems> {
        let prefix = WORDS_HEADER.len() + 1;
        let header = prefix + 17;
        if bytes.get(..prefix)? != format!("{WORDS_HEADER} ").as_bytes() || bytes.get(header - 1)? != &b'\n' {
            return None;
        }
        let sum = u64::from_str_radix(std::str::from_utf8(&bytes[prefix..header - 1]).ok()?, 16).ok()?;
        if xxh3_64(&bytes[header..]) != sum {
            return None;
        }
        bytes.drain(..header);
        Some(KnownStems { bytes })
    }

    /// The recorded stem of `word` in language `lang`. The lines are sorted by their key (the
    /// language's byte followed by the word): a binary search over the bytes, each probe
    /// reading the line around its middle, so nothing is parsed or indexed beforehand (that
    /// cost 7.6 M instructions, a third of a cold search).
    fn get(&self, lang: u8, word: &str) -> Option<Option<&str>> {
        let b = &self.bytes;
        // `lo` and `hi` are line starts (`hi` may be the end).
        let (mut lo, mut hi) = (0, b.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let start = memchr::memrchr(b'\n', &b[lo..mid]).map_or(lo, |p| lo + p + 1);
            let end = memchr::memchr(b'\n', &b[start..]).map_or(b.len(), |p| start + p);
            let (key, stem) = split_line(&b[start..end]);
            let order = key
                .first()
                .cmp(&Some(&lang))
                .then_with(|| key.get(1..).unwrap_or_default().cmp(word.as_bytes()));
            match order {
                std::cmp::Ordering::Less => lo = (end + 1).min(b.len()),
                std::cmp::Ordering::Greater => hi = start,
                std::cmp::Ordering::Equal => {
                    return match stem {
                        Some(stem) => std::str::from_utf8(stem).ok().map(Some),
                        None => Some(None),
                    };
                }
            }
        }
        None
    }
}

/// The words file of the index in `dir`, when it is there, sound and recent.
fn read_known(dir: &Path) -> Option<KnownStems> {
    KnownStems::parse(std::fs::read(dir.join(WORDS_FILE)).ok()?)
}

/// A line of the words file (without its newline) as its key and, when the word is not its own
/// stem, the stem.
fn split_line(line: &[u8]) -> (&[u8], Option<&[u8]>) {
    match memchr::memchr(b'\t', line) {
        Some(t) => (&line[..t], Some(&line[t + 1..])),
        None => (line, None),
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
    // A table that does not load, or has no checksum, is rebuilt, whatever the other files
    // say; so is one whose words file is damaged.
    let mut old = StemTable::load(dir);
    if !old.checked {
        old.map = None;
    }
    let words_sound = || read_known(dir).is_some();
    if covered.as_ref() == Some(&segments) && old.map.is_some() && words_sound() {
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
    // Without a readable table, what the word list and the covered segments claim is lost,
    // and a word list without stems (an older index) cannot serve searches: start over from
    // every segment.
    let (old_words, skip) = match old.map.as_ref().and_then(|_| load_words(dir)) {
        Some(words) => (words, skip),
        None => (Vec::new(), &[][..]),
    };
    let seen: HashSet<&str> = old_words.iter().map(|(key, _)| key.as_str()).collect();
    let langs: Vec<(StemLang, [Field; 2])> = fields
        .text_fields()
        .into_iter()
        .filter_map(|(title, body, lang)| lang.map(|lang| (lang, [title, body])))
        .collect();
    // Each language's words are read and stemmed apart, on a thread of its own when the run
    // has two or more: after the commit this update is the run's last work, and it took a
    // core for 0.25 s at the end of a 3.7 s build of the shared corpora, the other idle.
    let per_lang = |(lang, fields): &(StemLang, [Field; 2]), threads: usize| {
        new_words(*lang, fields, searcher, skip, &seen, threads)
    };
    let found: Vec<std::io::Result<Vec<Entry>>> = if threads >= 2 && langs.len() > 1 {
        let share = (threads / langs.len()).max(1);
        std::thread::scope(|s| {
            let handles: Vec<_> = langs
                .iter()
                .map(|l| super::spawn_named(s, "warta-stems", move || per_lang(l, share)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
                .collect()
        })
    } else {
        langs.iter().map(|l| per_lang(l, threads)).collect()
    };
    let mut fresh: Vec<Entry> = Vec::new();
    for found in found {
        fresh.extend(found?);
    }
    if fresh.is_empty() {
        return Ok(0);
    }
    let added = fresh.len() as u64;
    let mut pairs: Vec<Vec<u8>> = fresh
        .iter()
        .filter_map(|(key, stem)| {
            let (lang, word) = split_key(key);
            stem.as_ref().map(|stem| pair_key(lang, stem, word))
        })
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    write_table(dir, &old, pairs)?;
    let mut words = old_words;
    words.extend(fresh);
    write_words(dir, words)?;
    Ok(added)
}

/// Reads the words of `lang` in `fields` of the segments not in `skip`, keeps those the
/// stemmer may change and `seen` lacks (each once), and stems them on up to `threads`
/// threads: (key, stem when it differs), the key being the language's byte and the word, in
/// the order the term dictionaries give them (sorted runs, one per field and segment).
fn new_words(
    lang: StemLang,
    fields: &[Field; 2],
    searcher: &Searcher,
    skip: &[String],
    seen: &HashSet<&str>,
    threads: usize,
) -> std::io::Result<Vec<Entry>> {
    let mut local: HashSet<String> = HashSet::default();
    let mut keys = Vec::new();
    let mut key = String::new();
    for &field in fields {
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
                if seen.contains(key.as_str()) || local.contains(key.as_str()) {
                    continue;
                }
                local.insert(key.clone());
                keys.push(key.clone());
            }
        }
    }
    let mut stem_of: Vec<Option<String>> = vec![None; keys.len()];
    for (i, stem) in stem_pairs(&keys, threads) {
        stem_of[i] = Some(stem);
    }
    Ok(keys.into_iter().zip(stem_of).collect())
}

/// The language and the word of a key of the words file.
fn split_key(key: &str) -> (StemLang, &str) {
    let lang = if key.starts_with('e') {
        StemLang::English
    } else {
        StemLang::Indonesian
    };
    (lang, &key[1..])
}

/// The stems of the words of `keys` (see [`split_key`]) that differ from the word, as (index
/// in `keys`, stem). Stemming is most of an update's work (Sastrawi costs some 5,000
/// instructions a new word), so a long list is shared among up to `threads` threads (the
/// run's `--threads`); the first build of a large archive brings hundreds of thousands.
fn stem_pairs(keys: &[String], threads: usize) -> Vec<(usize, String)> {
    const PER_THREAD: usize = 5_000;
    let threads = threads.max(1).min(keys.len().div_ceil(PER_THREAD));
    if threads <= 1 {
        return stem_all(keys, 0);
    }
    // The last part is stemmed on this thread, whose stemmer and cache may be warm already.
    let size = keys.len().div_ceil(threads);
    let mut parts = keys.chunks(size).enumerate();
    let (last_i, last) = parts.next_back().unwrap_or_default();
    std::thread::scope(|s| {
        let others: Vec<_> = parts
            .map(|(i, part)| super::spawn_named(s, "warta-stems", move || stem_all(part, i * size)))
            .collect();
        let mut stems = stem_all(last, last_i * size);
        for other in others {
            stems.extend(other.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
        }
        stems
    })
}

/// [`stem_pairs`] on the calling thread, for `keys` starting at index `first`.
fn stem_all(keys: &[String], first: usize) -> Vec<(usize, String)> {
    let mut stem = String::new();
    let mut stems = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        let (lang, word) = split_key(key);
        if lang.stem_into(word, &mut stem) {
            stems.push((first + i, stem.clone()));
        }
    }
    stems
}

/// A writer that hashes what it writes.
struct Hashing<W> {
    inner: W,
    hasher: Xxh3,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Writes the table: `old`'s keys and `new` (sorted) merged, after a header whose checksum is
/// filled in once the FST is written.
fn write_table(dir: &Path, old: &StemTable, new: Vec<Vec<u8>>) -> std::io::Result<()> {
    let tmp = dir.join(format!("{STEMS_FILE}.tmp"));
    let mut file = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
    file.write_all(TABLE_MAGIC)?;
    file.write_all(&[0; 8])?;
    let file = Hashing {
        inner: file,
        hasher: Xxh3::new(),
    };
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
    let hashing = builder.into_inner().map_err(std::io::Error::other)?;
    let sum = hashing.hasher.digest();
    let mut file = hashing.inner.into_inner().map_err(|e| e.into_error())?;
    file.seek(std::io::SeekFrom::Start(TABLE_MAGIC.len() as u64))?;
    file.write_all(&sum.to_le_bytes())?;
    file.sync_all()?;
    std::fs::rename(&tmp, dir.join(STEMS_FILE))
}

/// Every word already stemmed (its language's byte followed by the word) and its stem when
/// that differs, in the file's order (sorted); `None` when the file is missing, damaged or
/// from before stems were recorded.
fn load_words(dir: &Path) -> Option<Vec<Entry>> {
    let known = read_known(dir)?;
    let text = |b: &[u8]| std::str::from_utf8(b).ok().map(str::to_string);
    known
        .bytes
        .split(|&b| b == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| {
            let (key, stem) = split_line(line);
            let stem = match stem {
                Some(stem) => Some(text(stem)?),
                None => None,
            };
            Some((text(key)?, stem))
        })
        .collect()
}

/// Writes the words file: the header with the checksum, then the words sorted, each with its
/// stem when that differs. `words` is the old file's list (sorted) followed by the new words in a few sorted
/// runs: a stable sort merges the runs instead of sorting from scratch.
fn write_words(dir: &Path, mut words: Vec<Entry>) -> std::io::Result<()> {
    words.sort_by(|a, b| a.0.cmp(&b.0));
    let size = words
        .iter()
        .map(|(w, s)| w.len() + s.as_ref().map_or(0, |s| s.len() + 1) + 1)
        .sum::<usize>();
    let mut text = String::with_capacity(size);
    for (word, stem) in &words {
        text.push_str(word);
        if let Some(stem) = stem {
            text.push('\t');
            text.push_str(stem);
        }
        text.push('\n');
    }
    let tmp = dir.join(format!("{WORDS_FILE}.tmp"));
    let mut file = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
    writeln!(file, "{WORDS_HEADER} {:016x}", xxh3_64(text.as_bytes()))?;
    file.write_all(text.as_bytes())?;
    file.into_inner().map_err(|e| e.into_error())?;
    std::fs::rename(&tmp, dir.join(WORDS_FILE))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(keys: &[Vec<u8>]) -> StemTable {
        let mut keys = keys.to_vec();
        keys.sort();
        let map = Map::from_iter(keys.iter().map(|k| (k, 0u64))).unwrap();
        StemTable {
            map: Some(map),
            ..StemTable::default()
        }
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
            self.run_with(crate::index::IndexOptions::default());
        }

        fn run_with(&self, opts: crate::index::IndexOptions) {
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

    /// A table lost or damaged (garbage, cut short, a byte flipped: its checksum fails) is
    /// rebuilt from every segment, whatever the word list says; until then, searches are told
    /// of the damage. A table without a checksum (an older warta's) is read, and rewritten.
    #[test]
    fn a_damaged_or_missing_table_is_rebuilt_from_every_segment() {
        let fx = Corpus::new();
        let id = StemLang::Indonesian;
        fx.add("a.txt", "Presiden bertemu menteri.");
        let table = fx.index.join(STEMS_FILE);
        for damage in ["garbage", "delete", "cut", "flip", "no checksum"] {
            let bytes = std::fs::read(&table).unwrap();
            assert!(bytes.starts_with(TABLE_MAGIC), "{damage}");
            match damage {
                "delete" => std::fs::remove_file(&table).unwrap(),
                "garbage" => std::fs::write(&table, "not an fst").unwrap(),
                "cut" => std::fs::write(&table, &bytes[..bytes.len() - 3]).unwrap(),
                "flip" => {
                    let mut b = bytes.clone();
                    *b.last_mut().unwrap() ^= 0x10;
                    std::fs::write(&table, b).unwrap();
                }
                _ => std::fs::write(&table, &bytes[TABLE_MAGIC.len() + 8..]).unwrap(),
            }
            let loaded = StemTable::load(&fx.index);
            match damage {
                "no checksum" => {
                    assert_eq!(loaded.variants(id, "temu"), ["bertemu"]);
                    assert!(loaded.damage().is_none());
                }
                "delete" => assert!(loaded.damage().is_none() && loaded.variants(id, "temu").is_empty()),
                _ => {
                    assert!(loaded.variants(id, "temu").is_empty(), "{damage}");
                    assert!(loaded.damage().is_some_and(|d| d.contains(STEMS_FILE)), "{damage}");
                }
            }
            fx.run();
            let rebuilt = StemTable::load(&fx.index);
            assert_eq!(rebuilt.variants(id, "temu"), ["bertemu"], "{damage}");
            assert!(rebuilt.checked && rebuilt.damage().is_none(), "{damage}");
        }
    }

    /// A words file whose checksum fails is not used by searches (they stem with the stemmer)
    /// and is written again by the next run.
    #[test]
    fn a_damaged_words_file_is_ignored_and_rewritten() {
        let fx = Corpus::new();
        let id = StemLang::Indonesian;
        fx.add("a.txt", "Presiden bertemu menteri.");
        let words = fx.index.join(WORDS_FILE);
        let sound = std::fs::read(&words).unwrap();
        assert_eq!(StemTable::load(&fx.index).known_stem(id, "bertemu"), Some(Some("temu")));
        let damaged = String::from_utf8(sound.clone()).unwrap().replace("\ttemu", "\ttema");
        assert_ne!(damaged.as_bytes(), sound);
        std::fs::write(&words, damaged).unwrap();
        assert_eq!(StemTable::load(&fx.index).known_stem(id, "bertemu"), None);
        fx.run();
        assert_eq!(std::fs::read(&words).unwrap(), sound);
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
                let lang = if r.len() % 2 == 0 { 'i' } else { 'e' };
                let root = format!("{r}{}", ["", "a", "u", "an"][i % 4]);
                words.push(format!("{lang}{}", f.replace("{}", &root)));
            }
        }
        assert!(words.len() > 10_000);
        let mut parallel = stem_pairs(&words, 3);
        let mut serial = stem_all(&words, 0);
        assert!(!serial.is_empty());
        parallel.sort();
        serial.sort();
        assert_eq!(parallel, serial);
        // Each stem is that of the word at its index.
        for (i, stem) in serial.iter().take(200) {
            let (lang, word) = split_key(&words[*i]);
            let mut expected = word.to_string();
            lang.stem(&mut expected);
            assert_eq!(*stem, expected);
        }
    }

    #[test]
    fn the_word_list_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        assert!(load_words(dir.path()).is_none());
        let words: Vec<(String, Option<String>)> =
            [("ibertemu", Some("temu")), ("erunning", Some("run")), ("ikata", None)]
                .iter()
                .map(|(w, s)| (w.to_string(), s.map(str::to_string)))
                .collect();
        write_words(dir.path(), words.clone()).unwrap();
        let mut sorted = words;
        sorted.sort();
        assert_eq!(load_words(dir.path()), Some(sorted));
        // A list from before stems were recorded is not trusted.
        std::fs::write(dir.path().join(WORDS_FILE), "ibertemu\nerunning\n").unwrap();
        assert!(load_words(dir.path()).is_none());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

        /// The binary search over the words file's bytes finds every word written, with its
        /// stem, and no other word.
        #[test]
        fn known_stems_finds_exactly_the_words_written(
            words in proptest::collection::hash_map("[ei][a-c]{0,4}", proptest::option::of("[a-c]{1,3}"), 0..60),
            probes in proptest::collection::vec(("[eix]", "[a-c]{0,5}"), 0..40),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let map: std::collections::HashMap<String, Option<String>> = words;
            write_words(dir.path(), map.clone().into_iter().collect()).unwrap();
            let known = KnownStems::parse(std::fs::read(dir.path().join(WORDS_FILE)).unwrap()).unwrap();
            for (key, stem) in &map {
                let (lang, word) = key.split_at(1);
                proptest::prop_assert_eq!(known.get(lang.as_bytes()[0], word), Some(stem.as_deref()), "{}", key);
            }
            for (lang, word) in probes {
                let expected = map.get(&format!("{lang}{word}")).map(|s| s.as_deref());
                proptest::prop_assert_eq!(known.get(lang.as_bytes()[0], &word), expected);
            }
        }
    }

    /// One thread, or a thread per language: the same table and words file.
    #[test]
    fn the_table_is_the_same_whatever_the_threads() {
        let files = |threads: usize| {
            let fx = Corpus::new();
            std::fs::write(
                fx.corpus.join("id.txt"),
                "Title: Pertemuan\nLanguage: id\n\nPresiden bertemu menteri; pembangunan dibahas bersama.\n",
            )
            .unwrap();
            std::fs::write(
                fx.corpus.join("en.txt"),
                "Title: Meetings\nLanguage: en\n\nThe leaders were meeting and building bridges.\n",
            )
            .unwrap();
            fx.run_with(crate::index::IndexOptions {
                threads,
                ..crate::index::IndexOptions::default()
            });
            let read = |f: &str| std::fs::read(fx.index.join(f)).unwrap();
            (read(STEMS_FILE), read(WORDS_FILE))
        };
        let (fst, words) = files(1);
        let text = String::from_utf8(words.clone()).unwrap();
        assert!(
            text.contains("\nibertemu\ttemu\n") && text.contains("\nemeeting\tmeet\n"),
            "{text}"
        );
        for threads in [2, 3] {
            assert_eq!(files(threads), (fst.clone(), words.clone()), "{threads} threads");
        }
    }

    /// The words file gives every indexed word the stemmer's stem (`Some(None)`: its own),
    /// and nothing for a word the index lacks or one no stemmer changes.
    #[test]
    fn the_words_file_holds_each_indexed_words_stem() {
        let fx = Corpus::new();
        let text = "Presiden bertemu menteri. Pertemuan membangun kerja sama; pembangunan dibahas \
                    bersama para pekerja dan ketua partai.";
        fx.add("a.txt", text);
        let table = StemTable::load(&fx.index);
        let id = StemLang::Indonesian;
        let mut checked = 0;
        for t in crate::text::analysis::tokens(&mut crate::text::analysis::analyzer(crate::text::analysis::EXACT), text)
        {
            let word = t.text;
            if !id.may_change(&word) {
                assert_eq!(table.known_stem(id, &word), None, "{word}");
                continue;
            }
            let mut stem = word.clone();
            id.stem(&mut stem);
            let expected = (stem != word).then_some(stem.as_str());
            assert_eq!(table.known_stem(id, &word), Some(expected), "{word}");
            checked += 1;
        }
        assert!(checked >= 8, "{checked}");
        assert_eq!(table.known_stem(id, "menemukannya"), None);
        assert_eq!(table.known_stem(StemLang::English, "bertemu"), None);
        assert_eq!(StemTable::default().known_stem(id, "bertemu"), None);
    }
}
