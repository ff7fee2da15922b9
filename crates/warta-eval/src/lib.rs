//! warta-eval: extraction quality against annotated corpora, and training of the entity
//! tagger. The `warta-eval` binary is its command line.

pub mod eval;
pub mod known_item;
pub mod stories;
pub mod train;
