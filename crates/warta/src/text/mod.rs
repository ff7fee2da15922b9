//! Text: how article text becomes words, shared by extraction and indexing.
//!
//! - `tokens`: the words entity recognition reads, with their byte spans, folded forms,
//!   capitalisation and sentence starts.
//! - `analysis`: the tantivy analyzers that make index and query terms (folded words, and
//!   stems for English and Indonesian).
//! - `stem`: the stemmers themselves and their caches.
//!
//! The two tokenizers fold differently, and each stays as it is: `tokens` transliterates any
//! script to ASCII (deunicode: Cyrillic, Hangul and Chinese too), as the gazetteer's aliases
//! are folded; `analysis` folds as tantivy's `AsciiFoldingFilter` does (accents and
//! ligatures; other scripts stay as written), as every index holds its terms. Changing
//! either would change entities or index terms.

pub mod analysis;
pub mod stem;
pub mod tokens;
