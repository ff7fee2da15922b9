//! Snowball's English stemmer (the `frostem` crate), through the stem caches.

use std::cell::RefCell;
use std::sync::LazyLock;

use super::cache::{SharedStems, StemCache};

thread_local! {
    static EN: frostem::Stemmer = frostem::Stemmer::new(frostem::Algorithm::English);
    static EN_CACHE: RefCell<StemCache> = RefCell::new(StemCache::default());
}
static EN_SHARED: LazyLock<SharedStems> = LazyLock::new(SharedStems::default);

/// Stems one lower-cased English word in place.
#[inline]
pub fn stem_english_in_place(word: &mut String) {
    EN_CACHE.with_borrow_mut(|c| c.stem(word, &EN_SHARED, stem_english))
}

/// Writes the stem of `word` to `out` and returns true when it differs from the word (else
/// `out` holds nothing useful).
#[inline]
pub fn stem_english_into(word: &str, out: &mut String) -> bool {
    EN_CACHE.with_borrow_mut(|c| c.stem_into(word, out, &EN_SHARED, stem_english))
}

/// Snowball's English stem of `word`, in place (no cache).
fn stem_english(word: &mut String) {
    let stem = EN.with(|s| match s.stem(word) {
        std::borrow::Cow::Borrowed(b) if b.len() == word.len() => None,
        other => Some(other.into_owned()),
    });
    if let Some(stem) = stem {
        *word = stem;
    }
}
