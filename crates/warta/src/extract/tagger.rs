//! A learned named-entity tagger: which runs of words are persons, organizations, places.
//!
//! An averaged perceptron (Collins 2002) labels tokens left to right with BIO tags, greedily,
//! each decision seeing the two before it (Ratinov and Roth 2009 found greedy decoding as
//! good as Viterbi for this task). Its features are hashed into a fixed table of weights, so
//! the model file holds numbers only: no word of the text it was trained on.
//!
//! The features are those of a word and its neighbours (form, prefixes and suffixes, shape,
//! capitalisation, the punctuation between them, word clusters learned from unlabelled news)
//! and what warta's rules already know of it: whether the gazetteer names it (and as what),
//! whether a rule made it part of a person, organization or place, whether a title or a
//! reporting verb stands next to it, whether it is a known given or family name or an
//! ordinary Indonesian word. The rules are the tagger's evidence, not its only way in.
//!
//! Only tokens that can be part of a name are tagged: capitalised words, and short lower-case
//! words between two of them ("Bank of America", "Abu Bakar bin Ahmad"). Every other token is
//! outside any name, which keeps tagging cheap on long texts.

use std::io::{Read, Write};
use std::sync::OnceLock;

use xxhash_rust::xxh3::xxh3_64;

use super::tokens::{gap, Case, Gap, Tok};

/// The tags, in the order of the model's weights: outside, then begin and inside for each
/// entity type.
pub const LABELS: [&str; 9] = [
    "O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC",
];
const NL: usize = LABELS.len();
const O: u8 = 0;

/// The entity types the tagger knows. MISC (events, nationalities, works) is learned so that
/// it is not confused with the others, and dropped by warta.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntityType {
    Person,
    Org,
    Place,
    Misc,
}

impl EntityType {
    /// The type of a tag's label index (0 is outside).
    fn of_label(l: u8) -> Option<EntityType> {
        match l {
            1 | 2 => Some(EntityType::Person),
            3 | 4 => Some(EntityType::Org),
            5 | 6 => Some(EntityType::Place),
            7 | 8 => Some(EntityType::Misc),
            _ => None,
        }
    }

    /// The label that begins a name of this type.
    pub fn begin_label(self) -> u8 {
        match self {
            EntityType::Person => 1,
            EntityType::Org => 3,
            EntityType::Place => 5,
            EntityType::Misc => 7,
        }
    }
}

fn is_inside(l: u8) -> bool {
    l != O && l.is_multiple_of(2)
}

/// What the rules know of a token before the tagger sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Hint {
    #[default]
    None,
    KnownCountry,
    KnownPlace,
    KnownOrg,
    KnownPerson,
    RuleOrg,
    RulePlace,
    RulePerson,
    Title,
    Verb,
}

/// Word-level facts from the gazetteer's word lists, computed by the caller.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WordFacts {
    pub given: bool,
    pub family: bool,
    pub common_name: bool,
    /// An ordinary (dictionary or function) word.
    pub ordinary: bool,
    pub org_head: bool,
    pub place_head: bool,
    /// The word occurs in lower case elsewhere in the same text.
    pub seen_lower: bool,
}

/// One text as the tagger sees it: its tokens with the rules' hints and word facts.
pub struct View<'t, 'a> {
    pub text: &'t str,
    pub toks: &'t [Tok<'a>],
    pub hints: &'t [Hint],
    pub facts: &'t [WordFacts],
    /// Tokens of a headline written in capitals.
    pub caps_line: &'t [bool],
}

/// A name the tagger found: tokens `start..end`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TaggedSpan {
    pub start: usize,
    pub end: usize,
    pub kind: EntityType,
    /// The margin of the first token's decision over the best other label, squashed to 0..1.
    pub confidence: f32,
}

/// Whether token `i` can be part of a name and is tagged.
fn is_candidate(v: &View, i: usize) -> bool {
    let t = &v.toks[i];
    let capital = |j: usize| matches!(v.toks[j].case, Case::Title | Case::Upper);
    match t.case {
        // An ordinary word capitalised only because it begins a sentence, with no capitalised
        // word next to it ("Dia", "The", "Namun"), is not tagged: nearly always no name, and
        // one in six of all capitalised words.
        Case::Title if t.sentence_start && v.facts[i].ordinary => {
            (i > 0 && capital(i - 1)) || (i + 1 < v.toks.len() && capital(i + 1))
        }
        Case::Title | Case::Upper => true,
        Case::Lower => {
            // A short connector between two capitalised words on one line.
            t.norm.len() <= 4
                && i > 0
                && i + 1 < v.toks.len()
                && capital(i - 1)
                && capital(i + 1)
                && gap(v.text, v.toks, i - 1) == Gap::Space
                && gap(v.text, v.toks, i) == Gap::Space
        }
        Case::Other => false,
    }
}

/// Feature templates: each feature's hash starts from its template number.
#[repr(u8)]
#[derive(Clone, Copy)]
enum T {
    Bias,
    Word,
    Form,
    Prefix2,
    Prefix3,
    Suffix2,
    Suffix3,
    Suffix4,
    Shape,
    Case,
    Prev1Word,
    Next1Word,
    Prev2Word,
    Next2Word,
    Prev1Shape,
    Next1Shape,
    GapBefore,
    GapAfter,
    Hint,
    HintPrev,
    HintNext,
    Facts,
    FactsPrev,
    FactsNext,
    Label1,
    Label2,
    Label1Word,
    Label1Shape,
    Label1Hint,
    PrevWordWord,
    WordNextWord,
    Cluster,
    ClusterPrev,
    ClusterNext,
    Length,
    CapsLine,
    Run,
    History,
}

/// A running hash of one feature (FxHash's multiply-rotate over 8-byte chunks).
#[derive(Clone, Copy)]
struct H(u64);

impl H {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    fn new(t: T) -> H {
        H((t as u64 + 1).wrapping_mul(Self::K))
    }
    fn u(self, x: u64) -> H {
        H((self.0.rotate_left(5) ^ x).wrapping_mul(Self::K))
    }
    fn s(mut self, s: &str) -> H {
        let b = s.as_bytes();
        let mut chunks = b.chunks_exact(8);
        for c in &mut chunks {
            self = self.u(u64::from_le_bytes(c.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        let mut last = [0u8; 8];
        last[..rest.len()].copy_from_slice(rest);
        self.u(u64::from_le_bytes(last) ^ ((b.len() as u64) << 56))
    }
    /// The weight row of this feature in a table of `1 << bits` rows.
    fn row(self, bits: u32) -> u32 {
        let h = self.0 ^ (self.0 >> 29);
        (h.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - bits)) as u32
    }
}

/// A word's shape: X for upper-case letters, x for lower-case, d for digits, other characters
/// as they are, runs of one class shortened to two ("Xxx", "XX", "dd-dd").
fn shape(word: &str, out: &mut String) {
    out.clear();
    let mut last = '\0';
    let mut run = 0;
    for c in word.chars() {
        let k = if c.is_uppercase() {
            'X'
        } else if c.is_lowercase() {
            'x'
        } else if c.is_numeric() {
            'd'
        } else {
            c
        };
        if k == last {
            run += 1;
        } else {
            run = 1;
            last = k;
        }
        if run <= 2 {
            out.push(k);
        }
        if out.len() >= 12 {
            break;
        }
    }
}

/// The gap after token `i`: its kind and its first non-space character.
fn gap_code(v: &View, i: usize) -> u64 {
    if i + 1 >= v.toks.len() {
        return 0xff;
    }
    let between = &v.text[v.toks[i].end..v.toks[i + 1].start];
    let c = between.trim_start_matches(' ').bytes().next().unwrap_or(b' ');
    let kind = match gap(v.text, v.toks, i) {
        Gap::Space => 1,
        Gap::Join => 2,
        Gap::Break => 3,
    };
    (kind << 8) | c as u64
}

fn facts_code(f: WordFacts) -> u64 {
    f.given as u64
        | (f.family as u64) << 1
        | (f.common_name as u64) << 2
        | (f.ordinary as u64) << 3
        | (f.org_head as u64) << 4
        | (f.place_head as u64) << 5
        | (f.seen_lower as u64) << 6
}

/// The word hash features use for a position before the first or after the last token.
const BOUNDARY: u64 = 0x3c73_3e00_0000_0001;

/// What the features of a token and of its neighbours read of one token, computed once per
/// text rather than once per feature that reads it.
#[derive(Clone, Copy, Default)]
struct TokenInfo {
    /// The hash of the folded word: its identity in features, and its key in the word-cluster
    /// map.
    word: u64,
    /// The hash of the word's shape.
    shape: u64,
    /// The word's cluster path.
    cluster: Option<(u32, u8)>,
    /// [`gap_code`] of the gap after the token.
    gap_after: u64,
    /// Capitalised words before and after it in its run (words joined by spaces only).
    run_before: u8,
    run_after: u8,
}

/// The tokens a text's tagging reads: every token's run, the word hash of the tokens two
/// around a candidate, and the shape, cluster and gap of the candidates and their
/// neighbours. Returns the candidates.
fn token_infos(v: &View, clusters: bool, buf: &mut String, infos: &mut Vec<TokenInfo>) -> Vec<u32> {
    let n = v.toks.len();
    let candidates: Vec<u32> = (0..n).filter(|&i| is_candidate(v, i)).map(|i| i as u32).collect();
    infos.clear();
    infos.resize(n, TokenInfo::default());
    let capital = |j: usize| matches!(v.toks[j].case, Case::Title | Case::Upper);
    for i in 1..n {
        if capital(i - 1) && gap(v.text, v.toks, i - 1) == Gap::Space {
            infos[i].run_before = infos[i - 1].run_before.saturating_add(1);
        }
    }
    for i in (0..n.saturating_sub(1)).rev() {
        if capital(i + 1) && gap(v.text, v.toks, i) == Gap::Space {
            infos[i].run_after = infos[i + 1].run_after.saturating_add(1);
        }
    }
    // Words are read two tokens around a candidate, shapes, clusters and gaps one token.
    let (mut hashed, mut described) = (0, 0);
    for &c in &candidates {
        let c = c as usize;
        let (from, to) = (c.saturating_sub(2).max(hashed), (c + 3).min(n));
        for (info, t) in infos[from..to.max(from)].iter_mut().zip(&v.toks[from..]) {
            info.word = xxh3_64(t.norm.as_bytes());
        }
        hashed = hashed.max(to);
        let (from, to) = (c.saturating_sub(1).max(described), (c + 2).min(n));
        for (j, info) in infos.iter_mut().enumerate().take(to).skip(from) {
            let t = &v.toks[j];
            shape(&v.text[t.start..t.end], buf);
            let gap_after = gap_code(v, j);
            info.shape = xxh3_64(buf.as_bytes());
            info.gap_after = gap_after;
            if clusters {
                info.cluster = super::clusters::cluster_path_of_hash(info.word);
            }
        }
        described = described.max(to);
    }
    candidates
}

/// The features of a text's candidate tokens that do not depend on earlier decisions, as
/// hashes, one range of `hashes` per candidate.
#[derive(Default)]
struct Statics {
    hashes: Vec<H>,
    items: Vec<Item>,
}

/// One candidate token's static features.
#[derive(Clone, Copy)]
struct Item {
    /// The token.
    tok: u32,
    /// Its features: `hashes[from..to]`, of which `hashes[from..context]` are its word
    /// features (empty when the tagger has their scores already).
    from: u32,
    context: u32,
    to: u32,
    /// The hash of the token as written: its word features are a function of it.
    form: u64,
    /// Hashes the label features combine with: word, shape, hint.
    word: H,
    shape: H,
    hint: u64,
}

impl Statics {
    fn of(&self, item: &Item) -> &[H] {
        &self.hashes[item.from as usize..item.to as usize]
    }

    fn word_part(&self, item: &Item) -> &[H] {
        &self.hashes[item.from as usize..item.context as usize]
    }

    fn context_part(&self, item: &Item) -> &[H] {
        &self.hashes[item.context as usize..item.to as usize]
    }
}

/// The static features of every candidate token of a text; the word features of a token
/// only when `want_word_features` says so of the hash of its form.
fn static_features(
    v: &View,
    clusters: bool,
    scratch: &mut Scratch,
    out: &mut Statics,
    want_word_features: impl Fn(u64) -> bool,
) {
    let candidates = token_infos(v, clusters, &mut scratch.buf, &mut scratch.infos);
    out.hashes.clear();
    out.items.clear();
    for i in candidates {
        let i = i as usize;
        let t = &v.toks[i];
        let infos = &scratch.infos;
        let form = xxh3_64(&v.text.as_bytes()[t.start..t.end]);
        let from = out.hashes.len() as u32;
        if want_word_features(form) {
            push_word_features(v, infos, i, clusters, &mut out.hashes);
        }
        let context = out.hashes.len() as u32;
        push_context_features(v, infos, i, clusters, &mut out.hashes);
        out.items.push(Item {
            tok: i as u32,
            from,
            context,
            to: out.hashes.len() as u32,
            form,
            word: H::new(T::Word).u(infos[i].word),
            shape: H::new(T::Shape).u(infos[i].shape),
            hint: v.hints[i] as u64,
        });
    }
}

/// Buffers reused from text to text.
#[derive(Default)]
struct Scratch {
    buf: String,
    infos: Vec<TokenInfo>,
}

/// Appends the features of token `i` that depend on how it is written and on nothing else.
fn push_word_features(v: &View, infos: &[TokenInfo], i: usize, clusters: bool, f: &mut Vec<H>) {
    let t = &v.toks[i];
    let me = &infos[i];
    let form = &v.text[t.start..t.end];
    let w = t.norm;
    f.push(H::new(T::Bias));
    f.push(H::new(T::Word).u(me.word));
    f.push(H::new(T::Form).s(form));
    let pre = |k: usize| w.get(..k).unwrap_or(w);
    let suf = |k: usize| w.get(w.len().saturating_sub(k)..).unwrap_or(w);
    f.push(H::new(T::Prefix2).s(pre(2)));
    f.push(H::new(T::Prefix3).s(pre(3)));
    f.push(H::new(T::Suffix2).s(suf(2)));
    f.push(H::new(T::Suffix3).s(suf(3)));
    f.push(H::new(T::Suffix4).s(suf(4)));
    f.push(H::new(T::Shape).u(me.shape));
    f.push(H::new(T::Length).u(w.len().min(12) as u64));
    if clusters {
        push_cluster_features(T::Cluster, me.cluster, f);
    }
}

/// Appends the features of token `i` in its place: its case at this place, its neighbours,
/// the gaps between them, and what the rules and word lists say of all three.
fn push_context_features(v: &View, infos: &[TokenInfo], i: usize, clusters: bool, f: &mut Vec<H>) {
    let t = &v.toks[i];
    let n = v.toks.len();
    let me = &infos[i];
    f.push(H::new(T::Case).u(t.case as u64).u(t.sentence_start as u64));
    f.push(H::new(T::CapsLine).u(v.caps_line.get(i).copied().unwrap_or(false) as u64));
    f.push(
        H::new(T::Run)
            .u(me.run_before.min(3) as u64)
            .u(me.run_after.min(3) as u64),
    );
    let prev1 = i.checked_sub(1);
    let next1 = (i + 1 < n).then_some(i + 1);
    let word_at = |j: Option<usize>| j.filter(|&j| j < n).map_or(BOUNDARY, |j| infos[j].word);
    f.push(H::new(T::Prev1Word).u(word_at(prev1)));
    f.push(H::new(T::Next1Word).u(word_at(next1)));
    f.push(H::new(T::Prev2Word).u(word_at(i.checked_sub(2))));
    f.push(H::new(T::Next2Word).u(word_at(Some(i + 2))));
    f.push(H::new(T::PrevWordWord).u(word_at(prev1)).u(me.word));
    f.push(H::new(T::WordNextWord).u(me.word).u(word_at(next1)));
    if let Some(p) = prev1 {
        f.push(H::new(T::Prev1Shape).u(infos[p].shape));
        f.push(H::new(T::GapBefore).u(infos[p].gap_after));
    }
    if let Some(x) = next1 {
        f.push(H::new(T::Next1Shape).u(infos[x].shape));
    }
    f.push(H::new(T::GapAfter).u(me.gap_after));
    let hint = v.hints[i] as u64;
    f.push(H::new(T::Hint).u(hint));
    f.push(H::new(T::HintPrev).u(prev1.map_or(99, |p| v.hints[p] as u64)));
    f.push(H::new(T::HintNext).u(next1.map_or(99, |x| v.hints[x] as u64)));
    f.push(H::new(T::Facts).u(facts_code(v.facts[i])));
    f.push(H::new(T::FactsPrev).u(prev1.map_or(999, |p| facts_code(v.facts[p]))));
    f.push(H::new(T::FactsNext).u(next1.map_or(999, |x| facts_code(v.facts[x]))));
    if clusters {
        push_cluster_features(T::ClusterPrev, prev1.and_then(|p| infos[p].cluster), f);
        push_cluster_features(T::ClusterNext, next1.and_then(|x| infos[x].cluster), f);
    }
}

/// Prefixes of a word's cluster path (coarser clusters), or the absence of one.
fn push_cluster_features(t: T, path: Option<(u32, u8)>, f: &mut Vec<H>) {
    let Some((bits, len)) = path else {
        f.push(H::new(t).u(0xffff));
        return;
    };
    for k in [4u8, 6, 10, 20] {
        let k = k.min(len);
        f.push(H::new(t).u(k as u64).u((bits >> (len - k)) as u64));
        if k == len {
            break;
        }
    }
}

/// The entity type (as its begin label, or 0) the text's earlier decisions gave a word, by the
/// hash of its form: a name tagged once is likely the same name later in the article.
#[derive(Default)]
struct History(rustc_hash::FxHashMap<u64, u8>);

impl History {
    fn get(&self, s: &Item) -> u8 {
        self.0.get(&s.word.0).copied().unwrap_or(0)
    }
    fn note(&mut self, s: &Item, label: u8) {
        if label != O {
            let begin = if is_inside(label) { label - 1 } else { label };
            self.0.insert(s.word.0, begin);
        }
    }
}

/// Appends the features that depend on earlier decisions: the labels of the two tokens
/// before, and the type this word was given earlier in the text.
fn push_label_features(s: &Item, l1: u8, l2: u8, history: u8, out: &mut Vec<H>) {
    out.push(H::new(T::History).u(history as u64));
    out.push(H::new(T::Label1).u(l1 as u64));
    out.push(H::new(T::Label2).u(l1 as u64).u(l2 as u64));
    out.push(H::new(T::Label1Word).u(l1 as u64).u(s.word.0));
    out.push(H::new(T::Label1Shape).u(l1 as u64).u(s.shape.0));
    out.push(H::new(T::Label1Hint).u(l1 as u64).u(s.hint));
}

/// Whether label `l` may follow `prev`: an inside tag only continues a name of its type.
fn allowed(prev: u8, l: u8) -> bool {
    !is_inside(l) || prev == l - 1 || prev == l
}

/// The weights of one feature, one per label, padded to 16 lanes: a row is summed in a few
/// vector instructions and never straddles two cache lines.
#[derive(Clone, Copy, Default)]
#[repr(align(32))]
struct Row([i16; LANES]);
const LANES: usize = 16;

/// A trained model: one row of weights per hashed feature.
pub struct Model {
    /// Unique in the process (cached word scores belong to one model).
    id: u64,
    bits: u32,
    /// `1 << bits` rows.
    weights: Vec<Row>,
    /// Whether the model was trained with word-cluster features.
    clusters: bool,
    /// Stored weight units per trained weight unit (the 16-bit quantisation's scale), so that
    /// margins, and the confidences made from them, mean the same for every model.
    scale: f32,
}

const MAGIC: &[u8; 8] = b"WARTANE1";

fn next_model_id() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// What can go wrong reading a model file.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("not a warta tagger model (bad header)")]
    Header,
    #[error("the tagger model is truncated or damaged")]
    Damaged,
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
static SHIPPED: &[u8] = include_bytes!("../../../../data/ner-model.bin.gz");

/// The best label allowed after `prev`, and its margin over the runner-up.
fn best_allowed<W: Copy + PartialOrd + Into<f64>>(s: &[W], prev: u8) -> (u8, f32) {
    let mut best = O;
    let mut second: Option<W> = None;
    for l in 1..NL as u8 {
        if !allowed(prev, l) {
            continue;
        }
        if s[l as usize] > s[best as usize] {
            second = Some(s[best as usize]);
            best = l;
        } else if second.is_none_or(|x| s[l as usize] > x) {
            second = Some(s[l as usize]);
        }
    }
    let margin = second.map_or(0.0, |x| s[best as usize].into() - x.into());
    (best, margin as f32)
}

/// The margin (in trained weight units) whose confidence is 1 - 1/e; the confidence
/// thresholds of `entities` were chosen with it.
const MARGIN_UNIT: f32 = 135.0;

/// Names from labels: a B tag opens one, I tags of its type continue it.
fn spans_of(labels: &[(u8, f32)]) -> Vec<TaggedSpan> {
    let mut out: Vec<TaggedSpan> = Vec::new();
    let mut open: Option<TaggedSpan> = None;
    for (i, &(l, margin)) in labels.iter().enumerate() {
        let kind = EntityType::of_label(l);
        match (kind, &mut open) {
            (Some(k), Some(span)) if is_inside(l) && span.kind == k && span.end == i => span.end = i + 1,
            (Some(k), _) => {
                out.extend(open.take());
                open = Some(TaggedSpan {
                    start: i,
                    end: i + 1,
                    kind: k,
                    confidence: 1.0 - (-margin / MARGIN_UNIT).exp(),
                });
            }
            (None, _) => out.extend(open.take()),
        }
    }
    out.extend(open);
    out
}

/// The names of gold labels (as [`labels_from_ranges`] gives them).
pub fn spans_of_labels(labels: &[u8]) -> Vec<TaggedSpan> {
    let with_margin: Vec<(u8, f32)> = labels.iter().map(|&l| (l, 0.0)).collect();
    spans_of(&with_margin)
}

/// Training texts as the trainer needs them: the static features of every candidate token
/// (computed once, when a text is added) and the gold label of every token.
pub struct TrainingSet {
    statics: Vec<Statics>,
    gold: Vec<Vec<u8>>,
    clusters: bool,
    scratch: Scratch,
}

impl TrainingSet {
    /// An empty set; `clusters` says whether word-cluster features are used.
    pub fn new(clusters: bool) -> TrainingSet {
        TrainingSet {
            statics: Vec::new(),
            gold: Vec::new(),
            clusters,
            scratch: Scratch::default(),
        }
    }

    /// Adds a text and the gold label of each of its tokens.
    pub fn add(&mut self, view: &View, gold: &[u8]) {
        assert_eq!(view.toks.len(), gold.len(), "one gold label per token");
        let mut statics = Statics::default();
        static_features(view, self.clusters, &mut self.scratch, &mut statics, |_| true);
        statics.hashes.shrink_to_fit();
        statics.items.shrink_to_fit();
        self.statics.push(statics);
        self.gold.push(gold.to_vec());
    }

    /// The number of texts.
    pub fn len(&self) -> usize {
        self.gold.len()
    }

    pub fn is_empty(&self) -> bool {
        self.gold.is_empty()
    }

    /// Gold names on tokens the tagger never tags (lower-case words, numbers), which it cannot
    /// learn: (such tokens, all gold name tokens).
    pub fn unreachable(&self) -> (usize, usize) {
        let mut missed = 0;
        let mut all = 0;
        for (s, g) in self.statics.iter().zip(&self.gold) {
            let names = g.iter().filter(|&&l| l != O).count();
            let tagged = s.items.iter().filter(|item| g[item.tok as usize] != O).count();
            all += names;
            missed += names - tagged;
        }
        (missed, all)
    }
}

/// How a model is trained.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    /// log2 of the number of weight rows.
    pub bits: u32,
    pub epochs: usize,
    pub seed: u64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            bits: 16,
            epochs: 8,
            seed: 20_091_201,
        }
    }
}

/// An averaged perceptron being trained: current weights, their running sums and the step of
/// each weight's last change (for lazy averaging).
struct Learner {
    w: Vec<f32>,
    total: Vec<f64>,
    stamp: Vec<u32>,
    step: u32,
    bits: u32,
}

impl Learner {
    fn new(bits: u32) -> Learner {
        let len = (1usize << bits) * NL;
        Learner {
            w: vec![0.0; len],
            total: vec![0.0; len],
            stamp: vec![0; len],
            step: 1,
            bits,
        }
    }

    fn scores(&self, feats: &[H]) -> [f32; NL] {
        let mut s = [0f32; NL];
        for h in feats {
            let row = h.row(self.bits) as usize * NL;
            for (a, b) in s.iter_mut().zip(&self.w[row..row + NL]) {
                *a += *b;
            }
        }
        s
    }

    fn update(&mut self, feats: &[H], label: u8, delta: f32) {
        for h in feats {
            let k = h.row(self.bits) as usize * NL + label as usize;
            self.total[k] += (self.step - self.stamp[k]) as f64 * self.w[k] as f64;
            self.stamp[k] = self.step;
            self.w[k] += delta;
        }
    }

    /// The averaged weights, quantised to 16 bits.
    fn finish(self, clusters: bool) -> Model {
        let step = self.step as f64;
        let avg: Vec<f64> = (0..self.w.len())
            .map(|k| (self.total[k] + (self.step - self.stamp[k]) as f64 * self.w[k] as f64) / step)
            .collect();
        // The largest weights are those of the most frequent features (the bias, common
        // shapes): clamping them would change the order of labels, so the scale fits the
        // largest.
        let top = avg.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        let scale = 32_767.0 / top.max(1e-9);
        let weights = avg
            .chunks_exact(NL)
            .map(|row| {
                let mut r = Row::default();
                for (w, x) in r.0.iter_mut().zip(row) {
                    *w = (x * scale).round().clamp(-32_767.0, 32_767.0) as i16;
                }
                r
            })
            .collect();
        Model {
            id: next_model_id(),
            bits: self.bits,
            weights,
            clusters,
            scale: scale as f32,
        }
    }
}

/// Trains a model, deterministically (the order of texts in each epoch comes from
/// `opts.seed`). `progress` hears each epoch's accuracy on candidate tokens.
pub fn train(set: &TrainingSet, opts: &TrainOptions, mut progress: impl FnMut(usize, f64)) -> Model {
    let mut learner = Learner::new(opts.bits);
    let mut order: Vec<usize> = (0..set.len()).collect();
    let mut rng = opts.seed | 1;
    let mut feats = Vec::with_capacity(48);
    for epoch in 0..opts.epochs {
        shuffle(&mut order, &mut rng);
        let (mut right, mut seen) = (0usize, 0usize);
        for &x in &order {
            let gold = &set.gold[x];
            let mut labels = vec![O; gold.len()];
            let mut history = History::default();
            let statics = &set.statics[x];
            for s in &statics.items {
                let i = s.tok as usize;
                let l1 = if i > 0 { labels[i - 1] } else { O };
                let l2 = if i > 1 { labels[i - 2] } else { O };
                feats.clear();
                feats.extend_from_slice(statics.of(s));
                push_label_features(s, l1, l2, history.get(s), &mut feats);
                let (guess, _) = best_allowed(&learner.scores(&feats), l1);
                seen += 1;
                if guess == gold[i] {
                    right += 1;
                } else {
                    learner.update(&feats, gold[i], 1.0);
                    learner.update(&feats, guess, -1.0);
                }
                learner.step += 1;
                // The next decisions see what was guessed, as they will when tagging.
                labels[i] = guess;
                history.note(s, guess);
            }
        }
        progress(epoch + 1, right as f64 / seen.max(1) as f64);
    }
    learner.finish(set.clusters)
}

/// Fisher-Yates with a xorshift generator: the same order for the same seed everywhere.
fn shuffle(v: &mut [usize], state: &mut u64) {
    for i in (1..v.len()).rev() {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        let j = (*state % (i as u64 + 1)) as usize;
        v.swap(i, j);
    }
}

/// Gold BIO labels of tokens from names given as byte ranges of the text: a token inside a
/// range is part of that name (its first token begins it).
pub fn labels_from_ranges(toks: &[Tok], names: &[(usize, usize, EntityType)]) -> Vec<u8> {
    let mut labels = vec![O; toks.len()];
    for &(start, end, kind) in names {
        let mut first = true;
        for (i, t) in toks.iter().enumerate() {
            if t.start >= start && t.end <= end {
                labels[i] = if first {
                    kind.begin_label()
                } else {
                    kind.begin_label() + 1
                };
                first = false;
            }
        }
    }
    labels
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::tokens::tokenize;

    #[test]
    fn shapes_shorten_runs() {
        let mut s = String::new();
        shape("Putin", &mut s);
        assert_eq!(s, "Xxx");
        shape("KCNA", &mut s);
        assert_eq!(s, "XX");
        shape("U-23", &mut s);
        assert_eq!(s, "X-dd");
    }

    #[test]
    fn spans_follow_bio_labels() {
        let labels = [(0, 0.0), (1, 5.0), (2, 0.0), (3, 1.0), (5, 1.0), (6, 0.0), (2, 0.0)];
        let spans = spans_of(&labels);
        let got: Vec<_> = spans.iter().map(|s| (s.start, s.end, s.kind)).collect();
        assert_eq!(
            got,
            vec![
                (1, 3, EntityType::Person),
                (3, 4, EntityType::Org),
                (4, 6, EntityType::Place),
                (6, 7, EntityType::Person)
            ]
        );
    }

    /// A model trained on four sentences: persons after "kata", places after "di" (or the
    /// other way round with `swapped`).
    fn tiny_model(swapped: bool) -> Model {
        let (person, place) = if swapped {
            (EntityType::Place, EntityType::Person)
        } else {
            (EntityType::Person, EntityType::Place)
        };
        let texts = [
            ("kata Budi Santoso di Bandung .", vec![(5, 18, person), (22, 29, place)]),
            ("kata Siti Aminah di Surabaya .", vec![(5, 16, person), (20, 28, place)]),
            ("kata Joko Susilo di Medan .", vec![(5, 16, person), (20, 25, place)]),
            ("kata Ani Yudhoyono di Bogor .", vec![(5, 18, person), (22, 27, place)]),
        ];
        let mut set = TrainingSet::new(false);
        for (text, names) in &texts {
            with_bare_view(text, |view| set.add(view, &labels_from_ranges(view.toks, names)));
        }
        let opts = TrainOptions {
            bits: 14,
            epochs: 10,
            ..TrainOptions::default()
        };
        train(&set, &opts, |_, _| {})
    }

    /// The names `model` finds in a sentence it was not trained on.
    fn tag_fixture(model: &Model) -> Vec<TaggedSpan> {
        with_bare_view("kata Rudi Hartono di Malang .", |view| model.tag(view))
    }

    /// `f` of a text's view with no hints, no word facts and no capitalised headline.
    fn with_bare_view<R>(text: &str, f: impl FnOnce(&View) -> R) -> R {
        let mut buf = String::new();
        let toks = tokenize(text, &mut buf);
        let n = toks.len();
        let (hints, facts, caps) = (vec![Hint::None; n], vec![WordFacts::default(); n], vec![false; n]);
        f(&View {
            text,
            toks: &toks,
            hints: &hints,
            facts: &facts,
            caps_line: &caps,
        })
    }

    /// A capitalised ordinary word is tagged unless it only begins a sentence, alone.
    #[test]
    fn a_lone_ordinary_word_beginning_a_sentence_is_no_candidate() {
        let text = "Dia datang. Dia Bank itu. Lalu Dia pergi.";
        let mut buf = String::new();
        let toks = tokenize(text, &mut buf);
        let n = toks.len();
        let facts: Vec<WordFacts> = toks
            .iter()
            .map(|t| WordFacts {
                ordinary: t.norm == "dia",
                ..WordFacts::default()
            })
            .collect();
        let (hints, caps) = (vec![Hint::None; n], vec![false; n]);
        let view = View {
            text,
            toks: &toks,
            hints: &hints,
            facts: &facts,
            caps_line: &caps,
        };
        let dias: Vec<bool> = (0..n)
            .filter(|&i| toks[i].norm == "dia")
            .map(|i| is_candidate(&view, i))
            .collect();
        // Alone at a sentence start; before a capitalised word; inside a sentence.
        assert_eq!(dias, vec![false, true, true]);
    }

    fn kinds(spans: Vec<TaggedSpan>) -> Vec<(usize, usize, EntityType)> {
        spans.iter().map(|s| (s.start, s.end, s.kind)).collect()
    }

    #[test]
    fn a_tiny_training_set_is_learned() {
        let model = tiny_model(false);
        // The model survives its file format.
        let mut file = Vec::new();
        model.write(&mut file).unwrap();
        let model = Model::from_bytes(&file).unwrap();
        let expected = vec![(1, 3, EntityType::Person), (4, 5, EntityType::Place)];
        assert_eq!(kinds(tag_fixture(&model)), expected);
        // Tagged again, with the word scores of the first time.
        assert_eq!(kinds(tag_fixture(&model)), expected);
    }

    /// The word scores kept from one model's tagging are not used by another: a model tags
    /// the same after another did as in a thread of its own.
    #[test]
    fn models_do_not_share_word_scores() {
        let (model, swapped) = (tiny_model(false), tiny_model(true));
        let alone = std::thread::scope(|s| s.spawn(|| tag_fixture(&swapped)).join().unwrap());
        tag_fixture(&model);
        assert_eq!(tag_fixture(&swapped), alone);
    }

    #[test]
    fn damaged_model_files_are_errors() {
        assert!(matches!(Model::from_bytes(b"not gzip"), Err(ModelError::Io(_))));
        let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        z.write_all(b"WARTANE1\x0e\x09\0\0\0\0\0\0\0\0short").unwrap();
        let bytes = z.finish().unwrap();
        assert!(matches!(Model::from_bytes(&bytes), Err(ModelError::Damaged)));
    }
}
