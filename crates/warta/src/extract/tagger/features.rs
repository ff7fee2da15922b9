//! The tagger's features: each a hash of its template and what it reads of a token and its
//! neighbours. Those that do not depend on earlier decisions ([`Statics`]) are computed once
//! per text; the label features are added at each decision.

use xxhash_rust::xxh3::xxh3_64;

use super::{gap, is_candidate, is_inside, Case, Gap, View, WordFacts, O};

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
pub(super) struct H(pub(super) u64);

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
    pub(super) fn row(self, bits: u32) -> u32 {
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
                info.cluster = crate::extract::clusters::cluster_path_of_hash(info.word);
            }
        }
        described = described.max(to);
    }
    candidates
}

/// The features of a text's candidate tokens that do not depend on earlier decisions, as
/// hashes, one range of `hashes` per candidate.
#[derive(Default)]
pub(super) struct Statics {
    pub(super) hashes: Vec<H>,
    pub(super) items: Vec<Item>,
}

/// One candidate token's static features.
#[derive(Clone, Copy)]
pub(super) struct Item {
    /// The token.
    pub(super) tok: u32,
    /// Its features: `hashes[from..to]`, of which `hashes[from..context]` are its word
    /// features (empty when the tagger has their scores already).
    from: u32,
    context: u32,
    to: u32,
    /// The hash of the token as written: its word features are a function of it.
    pub(super) form: u64,
    /// Hashes the label features combine with: word, shape, hint.
    word: H,
    shape: H,
    hint: u64,
}

impl Statics {
    pub(super) fn of(&self, item: &Item) -> &[H] {
        &self.hashes[item.from as usize..item.to as usize]
    }

    pub(super) fn word_part(&self, item: &Item) -> &[H] {
        &self.hashes[item.from as usize..item.context as usize]
    }

    pub(super) fn context_part(&self, item: &Item) -> &[H] {
        &self.hashes[item.context as usize..item.to as usize]
    }
}

/// The static features of every candidate token of a text; the word features of a token
/// only when `want_word_features` says so of the hash of its form.
pub(super) fn static_features(
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
pub(super) struct Scratch {
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
pub(super) struct History(rustc_hash::FxHashMap<u64, u8>);

impl History {
    pub(super) fn get(&self, s: &Item) -> u8 {
        self.0.get(&s.word.0).copied().unwrap_or(0)
    }
    pub(super) fn note(&mut self, s: &Item, label: u8) {
        if label != O {
            let begin = if is_inside(label) { label - 1 } else { label };
            self.0.insert(s.word.0, begin);
        }
    }
}

/// Appends the features that depend on earlier decisions: the labels of the two tokens
/// before, and the type this word was given earlier in the text.
pub(super) fn push_label_features(s: &Item, l1: u8, l2: u8, history: u8, out: &mut Vec<H>) {
    out.push(H::new(T::History).u(history as u64));
    out.push(H::new(T::Label1).u(l1 as u64));
    out.push(H::new(T::Label2).u(l1 as u64).u(l2 as u64));
    out.push(H::new(T::Label1Word).u(l1 as u64).u(s.word.0));
    out.push(H::new(T::Label1Shape).u(l1 as u64).u(s.shape.0));
    out.push(H::new(T::Label1Hint).u(l1 as u64).u(s.hint));
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
