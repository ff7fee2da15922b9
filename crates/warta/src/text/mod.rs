//! Text: how article text becomes words, shared by extraction and indexing.
//!
//! - `tokens`: the words entity recognition reads, with their byte spans, folded forms,
//!   capitalisation and sentence starts.
//! - `analysis`: the tantivy analyzers that make index and query terms (folded words, and
//!   stems for English and Indonesian).
//! - `stem`: the stemmers themselves and their caches.
//!
//! Both tokenizers fold the same way (lower case, accents and other scripts to ASCII), each
//! as its client needs: `tokens` keeps spans and case for names, `analysis` gives tantivy's
//! tokens and positions.

pub mod analysis;
pub mod stem;
pub mod tokens;
