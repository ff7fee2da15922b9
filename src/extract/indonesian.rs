//! Indonesian words: Sastrawi's dictionary of root words and its stemmer.
//!
//! The stemmer serves the index's Indonesian analyzer; the dictionary tells entity
//! recognition that a capitalised word such as "Keuangan" or "Luar" (in "Menteri Keuangan
//! Sri Mulyani", "Menteri Luar Negeri") is an ordinary word, not part of a name.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::OnceLock;

fn dictionary() -> &'static sastrawi::Dictionary {
    static DICTIONARY: OnceLock<sastrawi::Dictionary> = OnceLock::new();
    DICTIONARY.get_or_init(sastrawi::Dictionary::new)
}

/// Stems one lower-cased Indonesian word with Sastrawi, through a per-thread cache (news text
/// repeats its words, and the dictionary stemmer is far slower than a cache hit).
pub fn stem_indonesian(word: &str) -> String {
    thread_local! {
        static CACHE: RefCell<HashMap<String, String>> = RefCell::new(HashMap::new());
        static STEMMER: sastrawi::Stemmer<'static> = sastrawi::Stemmer::new(dictionary());
    }
    if word.len() < 4 || !word.bytes().all(|b| b.is_ascii_lowercase() || b == b'-') {
        return word.to_string();
    }
    if let Some(hit) = CACHE.with(|c| c.borrow().get(word).cloned()) {
        return hit;
    }
    let mut stem = word.to_string();
    STEMMER.with(|s| s.stem_word(&mut stem));
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() > 200_000 {
            c.clear();
        }
        c.insert(word.to_string(), stem.clone());
    });
    stem
}

/// Whether a lower-cased word is an Indonesian dictionary word, or an affixed form of one
/// ("keuangan" → "uang").
pub fn is_word(word: &str) -> bool {
    let w = word.to_string();
    if dictionary().find(&w) {
        return true;
    }
    let stem = stem_indonesian(word);
    stem != word && stem.len() >= 3 && dictionary().find(&stem)
}

#[cfg(test)]
mod tests {
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
