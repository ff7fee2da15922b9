//! Caches of stems. News text repeats its words, and a dictionary or Snowball stemmer costs
//! far more than a lookup: the index's token filters stem every word of every article.
//!
//! Each thread has its own [`StemCache`] (no locking on the hot path); a word it misses is
//! looked up in a process-wide [`SharedStems`] before it is stemmed, so the indexing and
//! extraction threads do not each run the stemmer on the same new word.

use std::hash::{BuildHasher, Hash};
use std::sync::Mutex;

use rustc_hash::{FxBuildHasher, FxHashMap as HashMap};

/// Words a per-thread cache holds (about 48 bytes each) before it starts over.
const CACHE_ENTRIES: usize = 200_000;
/// Shards of a shared cache (fewer threads wait on one lock).
const SHARDS: usize = 16;
/// Words one shard holds before it starts over.
const SHARD_ENTRIES: usize = 50_000;

/// Stems of ASCII words up to 23 bytes long (longer words are stemmed every time).
#[derive(Default)]
pub struct StemCache {
    map: HashMap<Short, Short>,
}

impl StemCache {
    /// Replaces `word` with its stem by `stem`, from this cache or `shared` when one holds
    /// the word.
    pub fn stem(&mut self, word: &mut String, shared: &SharedStems, stem: impl FnOnce(&mut String)) {
        let Some(key) = Short::new(word) else {
            stem(word);
            return;
        };
        // On a miss, `word` is stemmed in place and already holds its stem.
        if let Some(value) = self.cached(key, || shared.get_or_stem(key, word, stem)) {
            if value != key {
                word.clear();
                word.push_str(value.as_str());
            }
        }
    }

    /// Writes the stem of `word` to `out` and returns true when it differs from the word;
    /// else returns false and `out` holds nothing useful. Unlike [`StemCache::stem`], a word
    /// whose stem is itself (most words) is never copied: the index's token filter calls this
    /// for every word.
    pub fn stem_into(
        &mut self,
        word: &str,
        out: &mut String,
        shared: &SharedStems,
        stem: impl FnOnce(&mut String),
    ) -> bool {
        let Some(key) = Short::new(word) else {
            out.clear();
            out.push_str(word);
            stem(out);
            return out != word;
        };
        let value = self.cached(key, || {
            out.clear();
            out.push_str(word);
            shared.get_or_stem(key, out, stem)
        });
        match value {
            Some(v) if v == key => false,
            Some(v) => {
                out.clear();
                out.push_str(v.as_str());
                true
            }
            // A stem too long to cache: `out` holds it.
            None => out != word,
        }
    }

    /// The cached stem of `key`, else the one `miss` finds (None: too long to cache).
    fn cached(&mut self, key: Short, miss: impl FnOnce() -> Option<Short>) -> Option<Short> {
        if let Some(cached) = self.map.get(&key) {
            return Some(*cached);
        }
        let value = miss()?;
        if self.map.len() >= CACHE_ENTRIES {
            self.map.clear();
        }
        self.map.insert(key, value);
        Some(value)
    }
}

/// The stems every thread has computed, for one stemmer.
pub struct SharedStems {
    shards: [Mutex<HashMap<Short, Short>>; SHARDS],
}

impl Default for SharedStems {
    fn default() -> Self {
        SharedStems {
            shards: std::array::from_fn(|_| Mutex::new(HashMap::default())),
        }
    }
}

impl SharedStems {
    /// The stem of `word` (whose inline form is `key`): cached, or computed by `stem`. None
    /// when the stem is too long to cache: `word` then holds it.
    fn get_or_stem(&self, key: Short, word: &mut String, stem: impl FnOnce(&mut String)) -> Option<Short> {
        let mut hasher = FxBuildHasher.build_hasher();
        key.hash(&mut hasher);
        let shard = &self.shards[(std::hash::Hasher::finish(&hasher) >> 59) as usize % SHARDS];
        if let Some(v) = shard.lock().expect("stem cache lock").get(&key) {
            return Some(*v);
        }
        stem(word);
        let value = Short::new(word)?;
        let mut map = shard.lock().expect("stem cache lock");
        if map.len() >= SHARD_ENTRIES {
            map.clear();
        }
        map.insert(key, value);
        Some(value)
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
    fn stem_into_writes_only_differing_stems() {
        let shared = SharedStems::default();
        let mut cache = StemCache::default();
        let mut out = String::from("junk");
        let truncate = |w: &mut String| w.truncate(3);
        for _ in 0..2 {
            assert!(cache.stem_into("running", &mut out, &shared, truncate));
            assert_eq!(out, "run");
            assert!(!cache.stem_into("run", &mut out, &shared, truncate));
        }
        // Not cacheable (not ASCII, or a stem too long): stemmed directly, same answer.
        assert!(cache.stem_into("cafés", &mut out, &shared, truncate));
        assert_eq!(out, "caf");
        assert!(!cache.stem_into("abc", &mut out, &shared, |w| *w = "abc".to_string()));
        assert!(cache.stem_into("grow", &mut out, &shared, |w| *w = "g".repeat(30)));
        assert_eq!(out, "g".repeat(30));
        // The in-place API agrees.
        let mut w = "running".to_string();
        cache.stem(&mut w, &shared, |_| panic!("cached"));
        assert_eq!(w, "run");
    }

    #[test]
    fn caches_stems_and_stems_long_words_directly() {
        let shared = SharedStems::default();
        let mut cache = StemCache::default();
        let mut calls = 0;
        for _ in 0..3 {
            let mut w = "running".to_string();
            cache.stem(&mut w, &shared, |w| {
                calls += 1;
                w.truncate(3)
            });
            assert_eq!(w, "run");
        }
        assert_eq!(calls, 1);
        // Another thread's cache finds the word in the shared one.
        let mut other = StemCache::default();
        let mut w = "running".to_string();
        other.stem(&mut w, &shared, |_| panic!("stemmed twice"));
        assert_eq!(w, "run");
        let long = "x".repeat(30);
        let mut w = long.clone();
        cache.stem(&mut w, &shared, |w| w.truncate(2));
        assert_eq!(w, "xx");
        let mut w = "café".to_string();
        cache.stem(&mut w, &shared, |w| w.truncate(3));
        assert_eq!(w, "caf");
        // A stem too long to cache is returned, and computed again next time.
        let mut calls = 0;
        for _ in 0..2 {
            let mut w = "grow".to_string();
            cache.stem(&mut w, &shared, |w| {
                calls += 1;
                *w = "g".repeat(30)
            });
            assert_eq!(w, "g".repeat(30));
        }
        assert_eq!(calls, 2);
    }
}
