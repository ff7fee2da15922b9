//! Near-duplicate signatures: a MinHash of the shingles of an article's text, so that copies
//! of one story (a wire story republished with a new headline, an updated version, a repost)
//! can be found and grouped (see [`super::stories`]).
//!
//! What is signed is the body without the title (publishers rewrite headlines), as the folded
//! words of [`crate::text::tokens`] (lower case, accents folded, punctuation gone), in
//! shingles of [`SHINGLE_WORDS`] consecutive words. A text of fewer than [`MIN_SHINGLES`]
//! shingles gets no signature: two short items sharing a couple of sentences are not copies.
//!
//! The signature is a one-permutation MinHash: each shingle's hash falls in one of [`SLOTS`]
//! slots, which keeps the smallest; a slot no shingle fell in borrows its nearest filled
//! neighbour's value, changed by the distance ("rotation" densification), so that every
//! slot of two texts agrees with a probability equal to their Jaccard similarity. Each slot is
//! kept as one byte ("b-bit MinHash"): the share of equal bytes estimates the similarity
//! ([`similarity`]). One hash per shingle instead of one per slot: computing a hash per slot
//! and shingle made signing cost as much as entity extraction. Its first [`BANDS`] x [`ROWS`]
//! bytes cut into [`BANDS`] bands of [`ROWS`] give the values an article is looked up by
//! ([`band_value`], in the band tables of `index::bands`): two articles are compared only
//! when they share a band. Two texts of similarity J share a band with probability
//! 1 - (1 - J^4)^16: 0.988 at [`THRESHOLD`], 0.9997 at 0.8. A fresh build and an
//! incremental update apply the same rule, so they group alike.

use crate::text::tokens;

/// Words in a shingle.
pub const SHINGLE_WORDS: usize = 4;
/// Fewest shingles a text needs to be signed.
pub const MIN_SHINGLES: usize = 40;
/// Slots of the signature, one byte each.
pub const SLOTS: usize = 128;
/// Bands of the signature: two articles are compared when one of their bands is equal.
pub const BANDS: usize = 16;
/// Bytes of the signature in each band (the bands cover its first `BANDS * ROWS` bytes).
pub const ROWS: usize = 4;
/// Estimated Jaccard similarity at and above which two articles are copies of one story:
/// the highest recall without a false copy on the tune half of the labelled pairs
/// (`tests/gold/story_pairs.tsv`; README, Near-duplicate stories).
pub const THRESHOLD: f64 = 0.70;

/// An article's signature: one byte per hash function.
pub type Signature = [u8; SLOTS];

/// The signature of an article's body, or `None` when it has fewer than [`MIN_SHINGLES`]
/// shingles.
pub fn signature(body: &str) -> Option<Signature> {
    let shingles = shingles(body);
    if shingles.len() < MIN_SHINGLES {
        return None;
    }
    Some(min_hash(&shingles))
}

/// The hashes of the text's shingles, in order (repeats included).
pub fn shingles(text: &str) -> Vec<u64> {
    word_hashes(text).windows(SHINGLE_WORDS).map(shingle_hash).collect()
}

/// The one-permutation MinHash of the shingles: the top bits of a shingle's hash choose its
/// slot, the low 32 bits are its value there; empty slots are filled from the next filled
/// one to the right (wrapping), offset by the distance; each slot is kept as one byte of a
/// hash of its value.
fn min_hash(shingles: &[u64]) -> Signature {
    let mut mins = [u32::MAX; SLOTS];
    let mut filled = 0u128;
    for &h in shingles {
        let slot = (h >> (64 - SLOTS.trailing_zeros())) as usize;
        mins[slot] = mins[slot].min(h as u32);
        filled |= 1 << slot;
    }
    std::array::from_fn(|slot| {
        let distance = (filled.rotate_right(slot as u32)).trailing_zeros() as u64;
        let value = u64::from(mins[(slot + distance as usize) % SLOTS]);
        (mix(value | (distance << 32)) >> 56) as u8
    })
}

/// A 64-bit finaliser (MurmurHash3's): every input bit moves every output bit.
fn mix(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    h ^= h >> 33;
    h = h.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
    h ^ (h >> 33)
}

/// The xxh3 hash of each folded word of the text, in order.
fn word_hashes(text: &str) -> Vec<u64> {
    let mut buf = String::new();
    tokens::tokenize(text, &mut buf)
        .iter()
        .map(|t| xxhash_rust::xxh3::xxh3_64(t.norm.as_bytes()))
        .collect()
}

/// One hash of a shingle's word hashes, order-sensitive.
fn shingle_hash(words: &[u64]) -> u64 {
    let mut h: u64 = 0;
    for w in words {
        h = (h.rotate_left(23) ^ w).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    mix(h)
}

/// The estimated Jaccard similarity of the shingle sets two signatures were made from: the
/// share of equal bytes, less the share two different minima have by chance (1 in 256).
pub fn similarity(a: &Signature, b: &Signature) -> f64 {
    let equal = a.iter().zip(b.iter()).filter(|(x, y)| x == y).count();
    let chance = 1.0 / 256.0;
    ((equal as f64 / SLOTS as f64 - chance) / (1.0 - chance)).max(0.0)
}

/// Whether two signatures are of copies of one story.
pub fn copies(a: &Signature, b: &Signature) -> bool {
    similarity(a, b) >= THRESHOLD
}

/// The value of a signature's `band`: its bytes as one number.
pub fn band_value(sig: &Signature, band: usize) -> u32 {
    let bytes: [u8; ROWS] = sig[band * ROWS..(band + 1) * ROWS].try_into().expect("a band");
    u32::from_le_bytes(bytes)
}

/// The band terms of a signature, one number per band, distinct across bands: the band's
/// number in the high 32 bits, its value in the low ones.
pub fn band_terms(sig: &Signature) -> [u64; BANDS] {
    std::array::from_fn(|band| ((band as u64) << 32) | u64::from(band_value(sig, band)))
}

/// A signature read back from its stored bytes (`None` when they are not one).
pub fn from_bytes(bytes: &[u8]) -> Option<Signature> {
    bytes.try_into().ok()
}

/// The signature of document `doc` in a segment's signature column, when it has one.
pub(crate) fn from_column(column: &tantivy::columnar::BytesColumn, doc: tantivy::DocId) -> Option<Signature> {
    let ord = column.term_ords(doc).next()?;
    let mut bytes = Vec::with_capacity(SLOTS);
    column.ord_to_bytes(ord, &mut bytes).ok()?;
    from_bytes(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A news-like text of `n` distinct sentences, sentence `i` naming `i`.
    fn text(n: usize, from: usize) -> String {
        (from..from + n)
            .map(|i| format!("Pejabat ke-{i} mengatakan rapat anggaran nomor {i} berlangsung di gedung {i}."))
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn short_texts_are_not_signed() {
        assert!(signature("Presiden bertemu menteri di Jakarta.").is_none());
        assert!(signature(&text(3, 0)).is_none());
        assert!(signature(&text(10, 0)).is_some());
    }

    /// The same words, whatever their case or punctuation, sign alike; a copy with its last
    /// tenth trimmed is one, a text sharing a fifth is not.
    #[test]
    fn copies_are_told_from_different_texts() {
        let full = text(50, 0);
        let sig = signature(&full).unwrap();
        let shouted = signature(&full.to_uppercase().replace('.', " !")).unwrap();
        assert_eq!(similarity(&sig, &shouted), 1.0);
        let trimmed = signature(&text(45, 0)).unwrap();
        assert!(copies(&sig, &trimmed), "{}", similarity(&sig, &trimmed));
        let other = signature(&format!("{} {}", text(10, 0), text(40, 1000))).unwrap();
        assert!(!copies(&sig, &other), "{}", similarity(&sig, &other));
        assert!(similarity(&sig, &signature(&text(50, 5000)).unwrap()) < 0.1);
    }

    /// Signatures that differ in fewer bytes than there are bands always share a band,
    /// however their differences are spread.
    #[test]
    fn close_copies_always_share_a_band() {
        let a = [7u8; SLOTS];
        let mut b = a;
        // One byte fewer than bands differ, spread one per band.
        for i in 0..BANDS - 1 {
            b[i * ROWS + i % ROWS] = 9;
        }
        assert!(similarity(&a, &b) >= 0.85, "{}", similarity(&a, &b));
        assert!(copies(&a, &b));
        let (ta, tb) = (band_terms(&a), band_terms(&b));
        assert!(ta.iter().zip(tb.iter()).any(|(x, y)| x == y));
        assert_eq!(ta[3] >> 32, 3);
    }
}
