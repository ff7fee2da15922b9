//! A trained model: its weights, its file format, and tagging a text with it (greedy
//! decoding over the features of `features`).

use std::io::{Read, Write};
use std::sync::OnceLock;

use super::features::{push_label_features, static_features, History, Scratch, Statics, H};
use super::{best_allowed, spans_of, TaggedSpan, View, NL, O};

/// The weights of one feature, one per label, padded to 16 lanes: a row is summed in a few
/// vector instructions and never straddles two cache lines.
#[derive(Clone, Copy, Default)]
#[repr(align(32))]
pub(super) struct Row(pub(super) [i16; LANES]);
pub(super) const LANES: usize = 16;

/// A trained model: one row of weights per hashed feature.
pub struct Model {
    /// Unique in the process (cached word scores belong to one model).
    pub(super) id: u64,
    pub(super) bits: u32,
    /// `1 << bits` rows.
    pub(super) weights: Vec<Row>,
    /// Whether the model was trained with word-cluster features.
    pub(super) clusters: bool,
    /// Stored weight units per trained weight unit (the 16-bit quantisation's scale), so that
    /// margins, and the confidences made from them, mean the same for every model.
    pub(super) scale: f32,
}

const MAGIC: &[u8; 8] = b"WARTANE1";

pub(super) fn next_model_id() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// What can go wrong reading a model file.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The file does not start as a model does.
    #[error("not a warta tagger model (bad header)")]
    Header,
    /// The file ends early or its sizes disagree.
    #[error("the tagger model is truncated or damaged")]
    Damaged,
    /// Reading the file failed.
    #[error("cannot read the tagger model: {0}")]
    Io(#[from] std::io::Error),
}

impl Model {
    /// Reads a model from its file's bytes (gzip-compressed).
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, ModelError> {
        let mut raw = Vec::new();
        flate2::read::GzDecoder::new(bytes).read_to_end(&mut raw)?;
        if raw.len() < 16 || &raw[..8] != MAGIC {
            return Err(ModelError::Header);
        }
        let bits = raw[8] as u32;
        let nl = raw[9] as usize;
        let clusters = raw[10] != 0;
        if !(10..=24).contains(&bits) || nl != NL {
            return Err(ModelError::Header);
        }
        let len = (1usize << bits) * NL;
        let body = &raw[16..];
        if body.len() != len * 2 {
            return Err(ModelError::Damaged);
        }
        let scale = f32::from_le_bytes([raw[12], raw[13], raw[14], raw[15]]);
        if !(scale.is_finite() && scale > 0.0) {
            return Err(ModelError::Header);
        }
        let weights = body
            .chunks_exact(2 * NL)
            .map(|row| {
                let mut r = Row::default();
                for (w, c) in r.0.iter_mut().zip(row.chunks_exact(2)) {
                    *w = i16::from_le_bytes([c[0], c[1]]);
                }
                r
            })
            .collect();
        Ok(Model {
            id: next_model_id(),
            bits,
            weights,
            clusters,
            scale,
        })
    }

    /// Writes the model, gzip-compressed.
    pub fn write(&self, out: impl Write) -> std::io::Result<()> {
        let mut z = flate2::write::GzEncoder::new(out, flate2::Compression::best());
        let mut head = [0u8; 16];
        head[..8].copy_from_slice(MAGIC);
        head[8] = self.bits as u8;
        head[9] = NL as u8;
        head[10] = self.clusters as u8;
        head[12..16].copy_from_slice(&self.scale.to_le_bytes());
        z.write_all(&head)?;
        let mut body = Vec::with_capacity(self.weights.len() * NL * 2);
        for row in &self.weights {
            for w in &row.0[..NL] {
                body.extend_from_slice(&w.to_le_bytes());
            }
        }
        z.write_all(&body)?;
        z.finish()?;
        Ok(())
    }

    /// The model shipped with warta (`data/ner-model.bin.gz`), or the file named by
    /// `$WARTA_NER_MODEL`; `None` when `$WARTA_NER_MODEL` is `off` or no model can be read.
    /// Loaded once per process, on first use.
    pub fn get() -> Option<&'static Model> {
        static MODEL: OnceLock<Option<Model>> = OnceLock::new();
        MODEL
            .get_or_init(|| {
                let loaded = match std::env::var_os("WARTA_NER_MODEL") {
                    Some(p) if p == "off" => return None,
                    Some(p) => std::fs::read(&p)
                        .map_err(ModelError::from)
                        .and_then(|b| Model::from_bytes(&b)),
                    None if SHIPPED.is_empty() => return None,
                    None => Model::from_bytes(SHIPPED),
                };
                match loaded {
                    Ok(m) => Some(m),
                    Err(e) => {
                        eprintln!("warning: entity tagger disabled: {e}");
                        None
                    }
                }
            })
            .as_ref()
    }

    /// Adds the weights of these features to `s`. The rows are read in batches, each
    /// prefetched before any is summed: a text's rows are scattered over a table larger than
    /// the caches, and waiting for each in turn was most of the tagger's time.
    fn add_scores(&self, feats: &[H], s: &mut [i32; LANES]) {
        const BATCH: usize = 16;
        let mut rows: [&Row; BATCH] = [&self.weights[0]; BATCH];
        let mut acc = *s;
        for chunk in feats.chunks(BATCH) {
            for (r, h) in rows.iter_mut().zip(chunk) {
                *r = &self.weights[h.row(self.bits) as usize];
                prefetch(*r);
            }
            for r in &rows[..chunk.len()] {
                for (a, w) in acc.iter_mut().zip(r.0) {
                    *a += i32::from(w);
                }
            }
        }
        *s = acc;
    }

    /// Tags a text: the names found, in order.
    pub fn tag(&self, v: &View) -> Vec<TaggedSpan> {
        thread_local! {
            static SCRATCH: std::cell::RefCell<(Scratch, Statics, WordScores)> = Default::default();
        }
        SCRATCH.with_borrow_mut(|(scratch, statics, known)| {
            known.serve(self.id);
            static_features(v, self.clusters, scratch, statics, |form| !known.0.contains_key(&form));
            spans_of(&self.decode(v.toks.len(), statics, known))
        })
    }

    /// Greedy left-to-right decoding: each candidate's label from its static scores, which do
    /// not depend on decisions and are summed first (the word part from `known` when a token
    /// written the same way was scored before), and the features of the decisions before it.
    /// Returns each token's label and confidence margin.
    fn decode(&self, n: usize, statics: &Statics, known: &mut WordScores) -> Vec<(u8, f32)> {
        let partial: Vec<[i32; LANES]> = statics
            .items
            .iter()
            .map(|item| {
                let mut s = match known.0.get(&item.form) {
                    Some(&s) => s,
                    None => {
                        let mut s = [0i32; LANES];
                        self.add_scores(statics.word_part(item), &mut s);
                        known.insert(item.form, s);
                        s
                    }
                };
                self.add_scores(statics.context_part(item), &mut s);
                s
            })
            .collect();
        let mut labels = vec![(O, 0.0f32); n];
        let mut feats = Vec::with_capacity(8);
        let mut history = History::default();
        for (item, mut scores) in statics.items.iter().zip(partial) {
            let i = item.tok as usize;
            let l1 = if i > 0 { labels[i - 1].0 } else { O };
            let l2 = if i > 1 { labels[i - 2].0 } else { O };
            feats.clear();
            push_label_features(item, l1, l2, history.get(item), &mut feats);
            self.add_scores(&feats, &mut scores);
            let (label, margin) = best_allowed(&scores[..NL], l1);
            labels[i] = (label, margin / self.scale);
            history.note(item, label);
        }
        labels
    }

    /// The scale of the 16-bit weights (stored units per trained unit).
    pub fn scale(&self) -> f32 {
        self.scale
    }
}

/// The scores of the word features of tokens by the hash of their form, for one model: a
/// text's names and capitalised words recur in it and across texts, and their word features
/// are then summed once.
#[derive(Default)]
struct WordScores(rustc_hash::FxHashMap<u64, [i32; LANES]>, u64);

impl WordScores {
    /// Bounds the memory the scores take (some 2 MB a thread).
    const MAX: usize = 16_384;

    /// Forgets the scores of another model.
    fn serve(&mut self, model: u64) {
        if self.1 != model {
            self.0.clear();
            self.1 = model;
        }
    }

    fn insert(&mut self, form: u64, scores: [i32; LANES]) {
        if self.0.len() >= Self::MAX {
            self.0.clear();
        }
        self.0.insert(form, scores);
    }
}

/// Asks the processor to start loading the cache line of `x`.
#[inline(always)]
fn prefetch<X>(x: &X) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint with no effect on memory; the pointer comes from a reference.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>((x as *const X).cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = x;
}

/// The model compiled into warta (empty when none was trained).
static SHIPPED: &[u8] = include_bytes!("../../../../../data/ner-model.bin.gz");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn damaged_model_files_are_errors() {
        assert!(matches!(Model::from_bytes(b"not gzip"), Err(ModelError::Io(_))));
        let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        z.write_all(b"WARTANE1\x0e\x09\0\0\0\0\0\0\0\0short").unwrap();
        let bytes = z.finish().unwrap();
        assert!(matches!(Model::from_bytes(&bytes), Err(ModelError::Damaged)));
    }
}
