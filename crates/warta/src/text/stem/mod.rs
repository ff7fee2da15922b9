//! Stemmers for words already folded to lower case: Snowball's English stemmer and the
//! dictionary-based Sastrawi stemmer for Indonesian (reimplemented without regexes in
//! `sastrawi_fast`), each behind a per-thread and a shared cache of stems (`cache`).

pub mod cache;
pub mod english;
pub mod indonesian;
pub mod sastrawi_fast;
