//! Indonesian words: Sastrawi's dictionary of root words and its stemmer.
//!
//! The stemmer serves the index's Indonesian analyzer; the dictionary tells entity
//! recognition that a capitalised word such as "Keuangan" or "Luar" (in "Menteri Keuangan
//! Sri Mulyani", "Menteri Luar Negeri") is an ordinary word, not part of a name.

use super::cache::{SharedStems, StemCache};
use rustc_hash::FxHashMap as HashMap;
use std::cell::RefCell;
use std::sync::{LazyLock, OnceLock};

fn dictionary() -> &'static sastrawi::Dictionary {
    static DICTIONARY: OnceLock<sastrawi::Dictionary> = OnceLock::new();
    DICTIONARY.get_or_init(sastrawi::Dictionary::new)
}

/// Stems one lower-cased Indonesian word with Sastrawi, through a per-thread cache (news text
/// repeats its words, and the dictionary stemmer is far slower than a cache hit).
pub fn stem_indonesian(word: &str) -> String {
    let mut w = word.to_string();
    stem_indonesian_in_place(&mut w);
    w
}

thread_local! {
    static CACHE: RefCell<StemCache> = RefCell::new(StemCache::default());
    static STEMMER: super::sastrawi_fast::Stemmer = super::sastrawi_fast::Stemmer::new(dictionary());
}
static SHARED: LazyLock<SharedStems> = LazyLock::new(SharedStems::default);

/// Whether Sastrawi may change `word`: lower-case ASCII letters (and hyphens), four or more,
/// with something that looks like an affix. Other words skip the cache (and the stem
/// table: they are their own stem).
pub fn stemmable(word: &str) -> bool {
    word.len() >= 4 && may_have_affix(word) && word.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
}

/// [`stem_indonesian`] on a buffer, without allocating when the word is cached.
pub fn stem_indonesian_in_place(word: &mut String) {
    if stemmable(word) {
        CACHE.with_borrow_mut(|c| c.stem(word, &SHARED, |w| STEMMER.with(|s| s.stem_word(w))));
    }
}

/// [`stem_indonesian_in_place`] for a search: a stem the caches lack is taken from `known`
/// (the index's record of its words' stems: `Some(None)` for a word that is its own stem)
/// before the stemmer. Building the stemmer's dictionary (30,000 root words into a hash map)
/// takes some 28 M instructions, 7 ms: more than the rest of a `warta search` process.
pub fn stem_indonesian_known(word: &mut String, known: impl FnOnce(&str) -> Option<Option<String>>) {
    if stemmable(word) {
        CACHE.with_borrow_mut(|c| {
            c.stem(word, &SHARED, |w| match known(w) {
                Some(Some(stem)) => *w = stem,
                Some(None) => {}
                None => STEMMER.with(|s| s.stem_word(w)),
            })
        });
    }
}

/// The stem of `word` written to `out` when it differs from the word (then true); the
/// index's token filter calls this for every word of every Indonesian article.
pub fn stem_indonesian_into(word: &str, out: &mut String) -> bool {
    stemmable(word) && CACHE.with_borrow_mut(|c| c.stem_into(word, out, &SHARED, |w| STEMMER.with(|s| s.stem_word(w))))
}

/// Whether Sastrawi could change the word: it removes only the prefixes me-, di-, ber-, ter-,
/// pe-, ke-, se-, ku-, kau- (and their variants), the infixes -el-, -er-, -em-, -in-, and the
/// suffixes -kan, -an, -i, -nya, -lah, -kah, -tah, -pun, -ku, -mu, -is, -isme. Many words of a
/// text have none of these, and skip the stemmer's cache.
fn may_have_affix(word: &str) -> bool {
    const PREFIXES: [&str; 9] = ["me", "di", "be", "te", "pe", "ke", "se", "ku", "ka"];
    // Infixes -el-, -er-, -em-, -in- after the first letter ("kinerja" → "kerja").
    const INFIXES: [&str; 4] = ["el", "er", "em", "in"];
    const SUFFIXES: [&str; 11] = ["kan", "an", "i", "nya", "lah", "kah", "tah", "pun", "ku", "is", "isme"];
    PREFIXES.iter().any(|p| word.starts_with(p))
        || SUFFIXES.iter().any(|s| word.ends_with(s))
        || word.ends_with("mu")
        || word.get(1..3).is_some_and(|i| INFIXES.contains(&i))
}

/// Whether a lower-cased word is an Indonesian dictionary word, or an affixed form of one
/// ("keuangan" → "uang").
pub fn is_word(word: &str) -> bool {
    thread_local! {
        // Keyed by the word's 64-bit hash: a lookup compares no strings and follows no
        // pointer (two words of one process sharing a hash are vanishingly unlikely).
        static CACHE: RefCell<HashMap<u64, bool>> = RefCell::new(HashMap::default());
    }
    let key = xxhash_rust::xxh3::xxh3_64(word.as_bytes());
    CACHE.with_borrow_mut(|c| {
        if let Some(&known) = c.get(&key) {
            return known;
        }
        let answer = is_word_uncached(word);
        // Bounded: some 4 MB at most.
        if c.len() >= 200_000 {
            c.clear();
        }
        c.insert(key, answer);
        answer
    })
}

fn is_word_uncached(word: &str) -> bool {
    let w = word.to_string();
    if dictionary().find(&w) {
        return true;
    }
    let stem = stem_indonesian(word);
    stem != word && stem.len() >= 3 && dictionary().find(&stem)
}

#[cfg(test)]
mod tests {
    /// The quick affix test never skips a word Sastrawi would change: checked on every word
    /// of the sample corpus (on the 33,000 distinct words of 3,000 CLICK-ID articles too, when
    /// it was written).
    #[test]
    fn affix_precheck_never_skips_a_word_the_stemmer_changes() {
        let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("sample_corpus");
        let mut words = std::collections::BTreeSet::new();
        for e in walkdir::WalkDir::new(root).into_iter().flatten() {
            if let Ok(text) = std::fs::read_to_string(e.path()) {
                for w in text.split(|c: char| !c.is_ascii_alphabetic()) {
                    words.insert(w.to_ascii_lowercase());
                }
            }
        }
        assert!(words.len() > 2000, "{}", words.len());
        let stemmer = sastrawi::Stemmer::new(super::dictionary());
        let missed: Vec<String> = words
            .iter()
            .filter(|w| !super::may_have_affix(w))
            .filter_map(|w| {
                let mut s = w.clone();
                stemmer.stem_word(&mut s);
                (s != *w).then(|| format!("{w}->{s}"))
            })
            .collect();
        assert!(missed.is_empty(), "{missed:?}");
        for (w, stem) in [
            ("kinerja", "kerja"),
            ("kuambil", "ambil"),
            ("mengatakan", "kata"),
            ("bertemu", "temu"),
        ] {
            assert_eq!(super::stem_indonesian(w), stem);
        }
    }

    use super::*;

    #[test]
    fn dictionary_words() {
        for w in ["keuangan", "luar", "negeri", "pekerjaan", "umum", "wakil", "ketua"] {
            assert!(is_word(w), "{w}");
        }
        for w in ["putin", "kirby", "widodo", "mulyani"] {
            assert!(!is_word(w), "{w}");
        }
    }
}
