//! A per-thread cache of stems. News text repeats its words, and a dictionary or Snowball
//! stemmer costs far more than a lookup: the index's token filters stem every word of every
//! article through one of these.

use rustc_hash::FxHashMap as HashMap;

/// Words a cache holds (about 48 bytes each) before it starts over.
const CACHE_ENTRIES: usize = 200_000;

/// Stems of ASCII words up to 23 bytes long (longer words are stemmed every time).
#[derive(Default)]
pub struct StemCache {
    map: HashMap<Short, Short>,
}

impl StemCache {
    /// Replaces `word` with its stem by `stem`, from the cache when it holds the word.
    pub fn stem(&mut self, word: &mut String, stem: impl FnOnce(&mut String)) {
        let Some(key) = Short::new(word) else {
            stem(word);
            return;
        };
        if let Some(cached) = self.map.get(&key) {
            if *cached != key {
                word.clear();
                word.push_str(cached.as_str());
            }
            return;
        }
        stem(word);
        if let Some(value) = Short::new(word) {
            if self.map.len() >= CACHE_ENTRIES {
                self.map.clear();
            }
            self.map.insert(key, value);
        }
    }
}

/// An ASCII word of up to 23 bytes stored inline, so a lookup reads one table slot instead
/// of following a pointer to a heap string (a cache miss per word otherwise).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Short {
    len: u8,
    bytes: [u8; 23],
}

impl Short {
    /// `s` inline, if it is ASCII and short enough.
    pub(crate) fn new(s: &str) -> Option<Short> {
        if !s.is_ascii() {
            return None;
        }
        let mut bytes = [0u8; 23];
        bytes.get_mut(..s.len())?.copy_from_slice(s.as_bytes());
        Some(Short {
            len: s.len() as u8,
            bytes,
        })
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).expect("ASCII")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caches_stems_and_stems_long_words_directly() {
        let mut cache = StemCache::default();
        let mut calls = 0;
        for _ in 0..3 {
            let mut w = "running".to_string();
            cache.stem(&mut w, |w| {
                calls += 1;
                w.truncate(3)
            });
            assert_eq!(w, "run");
        }
        assert_eq!(calls, 1);
        let long = "x".repeat(30);
        let mut w = long.clone();
        cache.stem(&mut w, |w| w.truncate(2));
        assert_eq!(w, "xx");
        let mut w = "café".to_string();
        cache.stem(&mut w, |w| w.truncate(3));
        assert_eq!(w, "caf");
    }
}
