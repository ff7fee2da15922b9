//! Word clusters learned from unlabelled news text, for the entity tagger's features.
//!
//! Brown clustering (Brown et al. 1992, in the windowed form of Liang 2005): the most frequent
//! words are added one at a time, most frequent first, to a window of `clusters` active
//! clusters; after each addition the two clusters whose merge loses the least average mutual
//! information of adjacent words are merged. When every word is in, the remaining clusters are
//! merged down to one, and that tree gives each cluster its bit path (0 = first child, 1 =
//! second). Words of one cluster share its path; prefixes of a path are coarser clusters.
//!
//! The map warta ships ([`cluster_path`]) keys each word by the xxh3 hash of its folded form:
//! the licences of the corpora it was learned from forbid shipping their words.

use std::io::{Read, Write};
use std::sync::OnceLock;

use rustc_hash::FxHashMap;
use xxhash_rust::xxh3::xxh3_64;

use crate::text::tokens::tokenize;

/// How [`learn`] clusters.
#[derive(Debug, Clone)]
pub struct ClusterOptions {
    /// Clusters kept active while words are added (Brown's C): the leaves of the tree. At
    /// most 4,096 (its memory grows with the square).
    pub clusters: usize,
    /// Words seen fewer times are not clustered.
    pub min_count: u64,
    /// At most this many words are clustered, the most frequent.
    pub max_words: usize,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        ClusterOptions {
            clusters: 256,
            min_count: 5,
            max_words: 100_000,
        }
    }
}

/// Longest bit path kept: paths are packed in a `u32`. Deeper leaves keep their first 32 bits.
pub const MAX_PATH_BITS: u8 = 32;

/// What [`learn`] read and built, for its report.
#[derive(Debug, Clone, Default)]
pub struct LearnStats {
    /// Texts read.
    pub texts: u64,
    /// Tokens read.
    pub tokens: u64,
    /// Distinct words seen.
    pub distinct_words: u64,
    /// Adjacent pairs of clustered words within a sentence: the data of the clustering.
    pub bigrams: u64,
    /// Depth of the deepest leaf, before paths are cut to [`MAX_PATH_BITS`].
    pub deepest: usize,
    /// Leaves deeper than [`MAX_PATH_BITS`].
    pub cut_paths: usize,
}

/// Words and their clusters, as [`learn`] found them.
#[derive(Debug, Clone)]
pub struct Clusters {
    /// Clustered words, most frequent first.
    words: Vec<String>,
    counts: Vec<u64>,
    /// Per word, its leaf: an index into `paths`.
    leaf: Vec<u16>,
    /// Per leaf, its bit path: (bits, length), most significant first.
    paths: Vec<(u32, u8)>,
    /// What the learning read and built.
    pub stats: LearnStats,
}

impl Clusters {
    /// How many words are clustered.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether no word is clustered.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// How many leaf clusters there are.
    pub fn leaves(&self) -> usize {
        self.paths.len()
    }

    fn position(&self, norm: &str) -> Option<usize> {
        self.words.iter().position(|w| w == norm)
    }

    /// The bit path of a folded word, as [`cluster_path`] gives it for the shipped map.
    pub fn path(&self, norm: &str) -> Option<(u32, u8)> {
        self.position(norm).map(|i| self.paths[usize::from(self.leaf[i])])
    }

    /// The words of a word's leaf cluster with their counts, most frequent first.
    pub fn members(&self, norm: &str) -> Option<Vec<(&str, u64)>> {
        let leaf = self.leaf[self.position(norm)?];
        Some(
            (0..self.words.len())
                .filter(|&i| self.leaf[i] == leaf)
                .map(|i| (self.words[i].as_str(), self.counts[i]))
                .collect(),
        )
    }

    /// Words by hash, as the map file keeps them: sorted, one per hash (the more frequent
    /// word keeps a hash two words share), and how many words lost their hash so.
    fn hashed(&self) -> (Vec<(u64, u16)>, usize) {
        let mut entries: Vec<(u64, usize)> = self
            .words
            .iter()
            .enumerate()
            .map(|(i, w)| (xxh3_64(w.as_bytes()), i))
            .collect();
        entries.sort_unstable();
        let before = entries.len();
        entries.dedup_by_key(|e| e.0);
        let collisions = before - entries.len();
        (
            entries.into_iter().map(|(h, i)| (h, self.leaf[i])).collect(),
            collisions,
        )
    }

    /// Words whose hash another, more frequent word has: they are left out of the map file.
    pub fn hash_collisions(&self) -> usize {
        self.hashed().1
    }

    /// The map file: gzip of the magic, the leaves' paths, and the words' hashes (sorted) with
    /// their leaves. Holds no word. The same clusters always give the same bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let (entries, _) = self.hashed();
        let mut raw = Vec::with_capacity(16 + self.paths.len() * 5 + entries.len() * 10);
        raw.extend_from_slice(MAGIC);
        raw.extend_from_slice(&(self.paths.len() as u32).to_le_bytes());
        for &(bits, len) in &self.paths {
            raw.extend_from_slice(&bits.to_le_bytes());
            raw.push(len);
        }
        raw.extend_from_slice(&(entries.len() as u32).to_le_bytes());
        for &(h, _) in &entries {
            raw.extend_from_slice(&h.to_le_bytes());
        }
        for &(_, leaf) in &entries {
            raw.extend_from_slice(&leaf.to_le_bytes());
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&raw).expect("writing to memory");
        gz.finish().expect("writing to memory")
    }
}

/// First bytes of a word-cluster map, before gzip.
const MAGIC: &[u8; 8] = b"WARTAWC1";

/// Why a word-cluster map could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ClusterFileError {
    /// The file is not gzip, or reading it failed.
    #[error("not a gzip stream: {0}")]
    Gzip(#[from] std::io::Error),
    /// The file is not a word-cluster map.
    #[error("not a warta word-cluster map (wrong magic bytes)")]
    Magic,
    /// The map ends early.
    #[error("word-cluster map truncated")]
    Truncated,
    /// Bytes follow the map's end.
    #[error("word-cluster map has {0} bytes after its end")]
    Trailing(usize),
    /// A count or path in the map cannot be right.
    #[error("corrupt word-cluster map: {0}")]
    Corrupt(&'static str),
}

/// A word-cluster map as shipped: hashes of folded words to their leaves' bit paths.
#[derive(Debug, Clone, Default)]
pub struct ClusterMap {
    paths: Vec<(u32, u8)>,
    /// Sorted, distinct.
    hashes: Vec<u64>,
    /// Hash to leaf, for lookups in constant time (the tagger asks for three words of every
    /// capitalised word it tags; a binary search over the sorted hashes cost more than the
    /// tagging itself).
    by_hash: rustc_hash::FxHashMap<u64, u16>,
}

/// Reads little-endian fields off the front of a byte slice.
struct Fields<'a>(&'a [u8]);

impl Fields<'_> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], ClusterFileError> {
        let (head, rest) = self.0.split_first_chunk::<N>().ok_or(ClusterFileError::Truncated)?;
        self.0 = rest;
        Ok(*head)
    }
    fn u32(&mut self) -> Result<u32, ClusterFileError> {
        self.take().map(u32::from_le_bytes)
    }
}

impl ClusterMap {
    /// Reads a map written by [`Clusters::to_bytes`], checking its structure.
    pub fn from_bytes(gz: &[u8]) -> Result<ClusterMap, ClusterFileError> {
        let mut raw = Vec::new();
        flate2::read::GzDecoder::new(gz).read_to_end(&mut raw)?;
        let mut f = Fields(&raw);
        if &f.take::<8>()? != MAGIC {
            return Err(ClusterFileError::Magic);
        }
        let leaves = f.u32()? as usize;
        if leaves > 1 << 16 {
            return Err(ClusterFileError::Corrupt("more than 65,536 leaves"));
        }
        let mut paths = Vec::with_capacity(leaves);
        for _ in 0..leaves {
            let bits = f.u32()?;
            let [len] = f.take::<1>()?;
            if len > MAX_PATH_BITS || (len < 32 && bits >> len != 0) {
                return Err(ClusterFileError::Corrupt("a path longer than its length"));
            }
            paths.push((bits, len));
        }
        let words = f.u32()? as usize;
        if f.0.len() < words.saturating_mul(10) {
            return Err(ClusterFileError::Truncated);
        }
        let hashes: Vec<u64> = (0..words)
            .map(|_| f.take().map(u64::from_le_bytes))
            .collect::<Result<_, _>>()?;
        let leaf: Vec<u16> = (0..words)
            .map(|_| f.take().map(u16::from_le_bytes))
            .collect::<Result<_, _>>()?;
        if !f.0.is_empty() {
            return Err(ClusterFileError::Trailing(f.0.len()));
        }
        if hashes.windows(2).any(|w| w[0] >= w[1]) {
            return Err(ClusterFileError::Corrupt("hashes not sorted"));
        }
        if leaf.iter().any(|&l| usize::from(l) >= leaves) {
            return Err(ClusterFileError::Corrupt("a word in a leaf that does not exist"));
        }
        let by_hash = hashes.iter().copied().zip(leaf.iter().copied()).collect();
        Ok(ClusterMap { paths, hashes, by_hash })
    }

    /// The bit path of a folded word: a hash and a binary search, no allocation.
    pub fn path(&self, norm: &str) -> Option<(u32, u8)> {
        self.path_of_hash(xxh3_64(norm.as_bytes()))
    }

    /// [`ClusterMap::path`] of a word's xxh3 hash.
    pub fn path_of_hash(&self, hash: u64) -> Option<(u32, u8)> {
        let leaf = *self.by_hash.get(&hash)?;
        Some(self.paths[usize::from(leaf)])
    }

    /// How many words the map holds.
    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    /// Whether the map holds no word.
    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }
}

/// Learns Brown clusters of the words of `texts` (each tokenized and folded as
/// [`tokenize`] does; adjacent words within a sentence are the data). Deterministic: the
/// same texts in the same order give the same clusters.
pub fn learn(texts: impl Iterator<Item = String>, opts: &ClusterOptions) -> Clusters {
    let tokens = read_tokens(texts);
    let vocab = vocabulary(&tokens, opts);
    let bigrams = Bigrams::count(&tokens.stream, &vocab);
    let tree = brown(&bigrams, opts.clusters);
    let (paths, deepest, cut_paths) = bit_paths(tree.leaves, &tree.children);
    let leaf = tree.leaf_of_word.iter().map(|&l| l as u16).collect();
    Clusters {
        words: vocab
            .words
            .iter()
            .map(|&id| tokens.words[id as usize].clone())
            .collect(),
        counts: vocab.words.iter().map(|&id| tokens.counts[id as usize]).collect(),
        leaf,
        paths,
        stats: LearnStats {
            texts: tokens.texts,
            tokens: tokens.counts.iter().sum(),
            distinct_words: tokens.words.len() as u64,
            bigrams: bigrams.total as u64,
            deepest,
            cut_paths,
        },
    }
}

/// In a token stream: the end of a sentence (no pair of words spans it).
const BREAK: u32 = u32::MAX;

/// The texts as a stream of word ids, with the words and their counts.
struct Tokens {
    words: Vec<String>,
    counts: Vec<u64>,
    stream: Vec<u32>,
    texts: u64,
}

/// Tokenizes the texts into one stream of word ids, a [`BREAK`] at every sentence start.
fn read_tokens(texts: impl Iterator<Item = String>) -> Tokens {
    let mut ids: FxHashMap<String, u32> = FxHashMap::default();
    let mut t = Tokens {
        words: Vec::new(),
        counts: Vec::new(),
        stream: Vec::new(),
        texts: 0,
    };
    let mut buf = String::new();
    for text in texts {
        t.texts += 1;
        for tok in tokenize(&text, &mut buf) {
            if tok.sentence_start || tok.norm.is_empty() {
                t.stream.push(BREAK);
            }
            if tok.norm.is_empty() {
                continue;
            }
            let id = match ids.get(tok.norm) {
                Some(&id) => id,
                None => {
                    let id = t.words.len() as u32;
                    ids.insert(tok.norm.to_string(), id);
                    t.words.push(tok.norm.to_string());
                    t.counts.push(0);
                    id
                }
            };
            t.counts[id as usize] += 1;
            t.stream.push(id);
        }
    }
    t
}

/// The words to cluster: seen at least `min_count` times, at most `max_words` of them, most
/// frequent first (ties in alphabetical order).
struct Vocabulary {
    /// Per vocabulary id, its id in [`Tokens`].
    words: Vec<u32>,
    /// Per id in [`Tokens`], its vocabulary id or [`BREAK`] when not clustered.
    of: Vec<u32>,
}

fn vocabulary(t: &Tokens, opts: &ClusterOptions) -> Vocabulary {
    let mut words: Vec<u32> = (0..t.words.len() as u32)
        .filter(|&i| t.counts[i as usize] >= opts.min_count.max(1))
        .collect();
    words.sort_by(|&a, &b| {
        let (a, b) = (a as usize, b as usize);
        t.counts[b].cmp(&t.counts[a]).then_with(|| t.words[a].cmp(&t.words[b]))
    });
    words.truncate(opts.max_words);
    let mut of = vec![BREAK; t.words.len()];
    for (v, &id) in words.iter().enumerate() {
        of[id as usize] = v as u32;
    }
    Vocabulary { words, of }
}

/// Counts of adjacent pairs of clustered words, by word: each word's right and left
/// neighbours (compressed rows, neighbours ascending) and its totals on either side.
struct Bigrams {
    right_start: Vec<usize>,
    right: Vec<(u32, f64)>,
    left_start: Vec<usize>,
    left: Vec<(u32, f64)>,
    /// Per word, how often it is the left (first) word of a pair.
    as_left: Vec<f64>,
    /// Per word, how often it is the right (second) word of a pair.
    as_right: Vec<f64>,
    total: f64,
}

impl Bigrams {
    /// Counts the pairs of the stream whose words are both clustered.
    fn count(stream: &[u32], vocab: &Vocabulary) -> Bigrams {
        let mut pairs: FxHashMap<(u32, u32), u32> = FxHashMap::default();
        let of = |id: u32| if id == BREAK { BREAK } else { vocab.of[id as usize] };
        for w in stream.windows(2) {
            let (a, b) = (of(w[0]), of(w[1]));
            if a != BREAK && b != BREAK {
                *pairs.entry((a, b)).or_default() += 1;
            }
        }
        let n = vocab.words.len();
        let mut list: Vec<(u32, u32, f64)> = pairs.into_iter().map(|((a, b), c)| (a, b, f64::from(c))).collect();
        let (mut as_left, mut as_right) = (vec![0.0; n], vec![0.0; n]);
        for &(a, b, c) in &list {
            as_left[a as usize] += c;
            as_right[b as usize] += c;
        }
        list.sort_unstable_by_key(|&(a, b, _)| (a, b));
        let (right_start, right) = compress(n, list.iter().copied());
        list.sort_unstable_by_key(|&(a, b, _)| (b, a));
        let (left_start, left) = compress(n, list.iter().map(|&(a, b, c)| (b, a, c)));
        let total = as_left.iter().sum();
        Bigrams {
            right_start,
            right,
            left_start,
            left,
            as_left,
            as_right,
            total,
        }
    }

    fn words(&self) -> usize {
        self.as_left.len()
    }

    /// Words that follow `w`, with counts.
    fn right(&self, w: usize) -> &[(u32, f64)] {
        &self.right[self.right_start[w]..self.right_start[w + 1]]
    }

    /// Words that precede `w`, with counts.
    fn left(&self, w: usize) -> &[(u32, f64)] {
        &self.left[self.left_start[w]..self.left_start[w + 1]]
    }
}

/// Compressed rows of (row, column, count) triples sorted by row: row starts and entries.
fn compress(rows: usize, sorted: impl Iterator<Item = (u32, u32, f64)>) -> (Vec<usize>, Vec<(u32, f64)>) {
    let mut start = vec![0; rows + 1];
    let mut entries = Vec::new();
    for (row, col, c) in sorted {
        start[row as usize + 1] += 1;
        entries.push((col, c));
    }
    for i in 0..rows {
        start[i + 1] += start[i];
    }
    (start, entries)
}

/// The result of [`brown`]: each word's leaf, and the merges of the leaves into one tree.
struct Tree {
    leaves: usize,
    leaf_of_word: Vec<u32>,
    /// Internal node `leaves + i` has children `children[i]`; the last node is the root.
    children: Vec<(u32, u32)>,
}

/// Brown clustering of the bigram graph with a window of `clusters` active clusters.
fn brown(g: &Bigrams, clusters: usize) -> Tree {
    let c = clusters.clamp(1, MAX_CLUSTERS);
    let mut b = Brown::new(g, c + 1);
    for w in 0..g.words() {
        b.add(w);
        if b.active.len() > c {
            let (s, t) = b.best_pair();
            b.merge(s, t);
        }
    }
    let leaf_slots = b.active.clone();
    let mut node_of_slot = vec![u32::MAX; b.k];
    for (leaf, &slot) in leaf_slots.iter().enumerate() {
        node_of_slot[slot] = leaf as u32;
    }
    let leaf_of_word = (0..g.words()).map(|w| node_of_slot[b.slot_of[w] as usize]).collect();
    let mut children = Vec::with_capacity(leaf_slots.len().saturating_sub(1));
    while b.active.len() > 1 {
        let (s, t) = b.best_pair();
        b.merge(s, t);
        children.push((node_of_slot[s], node_of_slot[t]));
        node_of_slot[s] = (leaf_slots.len() + children.len() - 1) as u32;
    }
    Tree {
        leaves: leaf_slots.len(),
        leaf_of_word,
        children,
    }
}

/// Bit paths of the leaves of a merge tree (first child 0, second 1), cut to
/// [`MAX_PATH_BITS`]; with the depth of the deepest leaf and how many leaves were cut.
fn bit_paths(leaves: usize, children: &[(u32, u32)]) -> (Vec<(u32, u8)>, usize, usize) {
    let nodes = leaves + children.len();
    let mut path = vec![(0u32, 0u8); nodes];
    let mut depth = vec![0usize; nodes];
    // A parent is made after its children: from the root down, parents come first.
    for node in (leaves..nodes).rev() {
        let (bits, len) = path[node];
        let (first, second) = children[node - leaves];
        for (child, bit) in [(first, 0), (second, 1)] {
            let child = child as usize;
            depth[child] = depth[node] + 1;
            path[child] = if len < MAX_PATH_BITS {
                (bits << 1 | bit, len + 1)
            } else {
                (bits, len)
            };
        }
    }
    let deepest = depth[..leaves].iter().copied().max().unwrap_or(0);
    let cut = depth[..leaves]
        .iter()
        .filter(|&&d| d > usize::from(MAX_PATH_BITS))
        .count();
    path.truncate(leaves);
    (path, deepest, cut)
}

/// Most clusters [`learn`] keeps active: three tables of their squares are held.
const MAX_CLUSTERS: usize = 4096;

/// A word not yet added to any cluster.
const UNSEEN: u32 = u32::MAX;

/// The state of Brown clustering: `k` slots for clusters, of which those in `active` are in
/// use. For clusters s and t (slots), `count[s][t]` is how often a word of s precedes a word of
/// t, `q[s][t]` that pair's term of the mutual information, and `loss[s][t]` (s < t) how much
/// mutual information merging s and t would lose, kept up to date as clusters are added and
/// merged.
struct Brown<'g> {
    g: &'g Bigrams,
    k: usize,
    /// Slots in use, ascending.
    active: Vec<usize>,
    count: Vec<f64>,
    q: Vec<f64>,
    loss: Vec<f64>,
    /// Per slot, how often its words are the left and the right word of a pair.
    as_left: Vec<f64>,
    as_right: Vec<f64>,
    /// Per word, its slot, or [`UNSEEN`].
    slot_of: Vec<u32>,
    members: Vec<Vec<u32>>,
}

impl<'g> Brown<'g> {
    fn new(g: &'g Bigrams, k: usize) -> Brown<'g> {
        Brown {
            g,
            k,
            active: Vec::with_capacity(k),
            count: vec![0.0; k * k],
            q: vec![0.0; k * k],
            loss: vec![0.0; k * k],
            as_left: vec![0.0; k],
            as_right: vec![0.0; k],
            slot_of: vec![UNSEEN; g.words()],
            members: vec![Vec::new(); k],
        }
    }

    /// The term of the mutual information of a pair of clusters seen together `n` times, the
    /// first seen `left` times as left word, the second `right` times as right word.
    #[inline(always)]
    fn term(&self, n: f64, left: f64, right: f64) -> f64 {
        if n == 0.0 {
            0.0
        } else {
            n / self.g.total * (n * self.g.total / (left * right)).ln()
        }
    }

    #[inline(always)]
    fn at(&self, s: usize, t: usize) -> usize {
        s * self.k + t
    }

    /// The terms of the loss of merging s and t that involve a third cluster x: what x's
    /// pairs with s and t give now, less what they would give with s and t merged.
    #[inline(always)]
    fn terms_with(&self, s: usize, t: usize, x: usize) -> f64 {
        let (sx, xs, tx, xt) = (
            self.count[self.at(s, x)],
            self.count[self.at(x, s)],
            self.count[self.at(t, x)],
            self.count[self.at(x, t)],
        );
        if sx == 0.0 && xs == 0.0 && tx == 0.0 && xt == 0.0 {
            return 0.0;
        }
        let now = self.q[self.at(s, x)] + self.q[self.at(x, s)] + self.q[self.at(t, x)] + self.q[self.at(x, t)];
        let merged = self.term(sx + tx, self.as_left[s] + self.as_left[t], self.as_right[x])
            + self.term(xs + xt, self.as_left[x], self.as_right[s] + self.as_right[t]);
        now - merged
    }

    /// The loss of merging s and t, computed from the counts.
    fn pair_loss(&self, s: usize, t: usize) -> f64 {
        let mut loss = 0.0;
        for &x in &self.active {
            if x != s && x != t {
                loss += self.terms_with(s, t, x);
            }
        }
        let (ss, st, ts, tt) = (
            self.count[self.at(s, s)],
            self.count[self.at(s, t)],
            self.count[self.at(t, s)],
            self.count[self.at(t, t)],
        );
        let now = self.q[self.at(s, s)] + self.q[self.at(s, t)] + self.q[self.at(t, s)] + self.q[self.at(t, t)];
        let merged = self.term(
            ss + st + ts + tt,
            self.as_left[s] + self.as_left[t],
            self.as_right[s] + self.as_right[t],
        );
        loss + now - merged
    }

    /// Adds word `w` as a cluster of its own, in the first free slot.
    fn add(&mut self, w: usize) {
        // The first slot not in use (`active` is sorted).
        let f = self
            .active
            .iter()
            .enumerate()
            .find(|&(i, &s)| i != s)
            .map_or(self.active.len(), |(i, _)| i);
        self.slot_of[w] = f as u32;
        self.members[f].push(w as u32);
        let pos = self.active.partition_point(|&s| s < f);
        self.active.insert(pos, f);
        for &(v, n) in self.g.right(w) {
            let s = self.slot_of[v as usize];
            if s != UNSEEN {
                let i = self.at(f, s as usize);
                self.count[i] += n;
            }
        }
        for &(u, n) in self.g.left(w) {
            let s = self.slot_of[u as usize];
            // The pair of w with itself was counted among its right neighbours.
            if s != UNSEEN && u as usize != w {
                let i = self.at(s as usize, f);
                self.count[i] += n;
            }
        }
        self.as_left[f] = self.g.as_left[w];
        self.as_right[f] = self.g.as_right[w];
        for i in 0..self.active.len() {
            let x = self.active[i];
            let (fx, xf) = (self.at(f, x), self.at(x, f));
            self.q[fx] = self.term(self.count[fx], self.as_left[f], self.as_right[x]);
            self.q[xf] = self.term(self.count[xf], self.as_left[x], self.as_right[f]);
        }
        // The pairs of older clusters gain the terms of their pairs with the new one.
        for i in 0..self.active.len() {
            let s = self.active[i];
            for j in i + 1..self.active.len() {
                let t = self.active[j];
                if s != f && t != f {
                    let st = self.at(s, t);
                    self.loss[st] += self.terms_with(s, t, f);
                }
            }
        }
        self.update_losses_of(f);
    }

    /// Recomputes the losses of merging slot `m` with each other active cluster.
    fn update_losses_of(&mut self, m: usize) {
        for i in 0..self.active.len() {
            let x = self.active[i];
            if x != m {
                let (s, t) = (x.min(m), x.max(m));
                let st = self.at(s, t);
                self.loss[st] = self.pair_loss(s, t);
            }
        }
    }

    /// The pair of active clusters whose merge loses least (the first such pair in slot order).
    fn best_pair(&self) -> (usize, usize) {
        let mut best = (f64::INFINITY, (self.active[0], self.active[1]));
        for (i, &s) in self.active.iter().enumerate() {
            for &t in &self.active[i + 1..] {
                let l = self.loss[self.at(s, t)];
                if l < best.0 {
                    best = (l, (s, t));
                }
            }
        }
        best.1
    }

    /// Merges cluster `b` into cluster `a` (a < b); slot `b` becomes free.
    fn merge(&mut self, a: usize, b: usize) {
        let others: Vec<usize> = self.active.iter().copied().filter(|&x| x != a && x != b).collect();
        let (left_m, right_m) = (self.as_left[a] + self.as_left[b], self.as_right[a] + self.as_right[b]);
        let k = self.k;
        // The merged cluster's counts and terms with every other cluster.
        let (mut out, mut inn, mut q_out, mut q_in) = (vec![0.0; k], vec![0.0; k], vec![0.0; k], vec![0.0; k]);
        for &x in &others {
            out[x] = self.count[self.at(a, x)] + self.count[self.at(b, x)];
            inn[x] = self.count[self.at(x, a)] + self.count[self.at(x, b)];
            q_out[x] = self.term(out[x], left_m, self.as_right[x]);
            q_in[x] = self.term(inn[x], self.as_left[x], right_m);
        }
        let own = self.count[self.at(a, a)]
            + self.count[self.at(a, b)]
            + self.count[self.at(b, a)]
            + self.count[self.at(b, b)];
        // The other pairs' losses: the terms with a and b give way to those with the merge.
        for (i, &s) in others.iter().enumerate() {
            for &t in &others[i + 1..] {
                let (left_st, right_st) = (self.as_left[s] + self.as_left[t], self.as_right[s] + self.as_right[t]);
                let with_m = q_out[s] + q_in[s] + q_out[t] + q_in[t]
                    - self.term(inn[s] + inn[t], left_st, right_m)
                    - self.term(out[s] + out[t], left_m, right_st);
                let st = self.at(s, t);
                self.loss[st] += with_m - self.terms_with(s, t, a) - self.terms_with(s, t, b);
            }
        }
        for x in 0..k {
            let (bx, xb) = (self.at(b, x), self.at(x, b));
            self.count[bx] = 0.0;
            self.count[xb] = 0.0;
            self.q[bx] = 0.0;
            self.q[xb] = 0.0;
        }
        for &x in &others {
            let (ax, xa) = (self.at(a, x), self.at(x, a));
            self.count[ax] = out[x];
            self.count[xa] = inn[x];
            self.q[ax] = q_out[x];
            self.q[xa] = q_in[x];
        }
        let aa = self.at(a, a);
        self.count[aa] = own;
        self.as_left[a] = left_m;
        self.as_right[a] = right_m;
        self.q[aa] = self.term(own, left_m, right_m);
        self.as_left[b] = 0.0;
        self.as_right[b] = 0.0;
        self.active.retain(|&x| x != b);
        let moved = std::mem::take(&mut self.members[b]);
        for &w in &moved {
            self.slot_of[w as usize] = a as u32;
        }
        self.members[a].extend(moved);
        self.update_losses_of(a);
    }
}

/// The word-cluster map shipped with warta: learned by `warta-eval clusters` from the
/// unlabelled news corpora (README, "Data sources and licences").
static SHIPPED: &[u8] = include_bytes!("../../../../data/word-clusters.bin");

/// Brown-cluster bit path of a folded word: (bits, length), bits in the low `length` bits, most significant first.
///
/// `norm` is a word as [`tokenize`] folds it (lower case, ASCII). Looks the word's hash up in
/// the shipped map, read once per process on first use; `None` for words it does not hold.
/// Prefixes of a path (its first 4, 6, 10 ... bits) are coarser clusters.
pub fn cluster_path(norm: &str) -> Option<(u32, u8)> {
    cluster_path_of_hash(xxh3_64(norm.as_bytes()))
}

/// [`cluster_path`] of a word given by its xxh3 hash, for callers that hash the word anyway.
pub fn cluster_path_of_hash(hash: u64) -> Option<(u32, u8)> {
    static MAP: OnceLock<ClusterMap> = OnceLock::new();
    MAP.get_or_init(|| ClusterMap::from_bytes(SHIPPED).expect("the shipped word-cluster map is valid"))
        .path_of_hash(hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sentences in which the days of the week share their contexts, and so do some
    /// companies, while function words and verbs keep theirs.
    fn fixture() -> Vec<String> {
        let days = ["monday", "tuesday", "wednesday", "thursday", "friday"];
        let firms = ["Chrysler", "Boeing", "Exxon", "Texaco"];
        let verbs = ["said", "reported", "announced"];
        let mut texts = Vec::new();
        for (i, day) in days.iter().enumerate() {
            for (j, firm) in firms.iter().enumerate() {
                let verb = verbs[(i + j) % verbs.len()];
                texts.push(format!(
                    "{firm} {verb} on {day} that profits rose. On {day} {firm} shares fell in New York."
                ));
            }
        }
        texts
    }

    fn small(clusters: usize) -> ClusterOptions {
        ClusterOptions {
            clusters,
            min_count: 1,
            max_words: 1000,
        }
    }

    fn common_prefix(a: (u32, u8), b: (u32, u8)) -> u8 {
        let mut n = 0;
        while n < a.1.min(b.1) && (a.0 >> (a.1 - n - 1)) & 1 == (b.0 >> (b.1 - n - 1)) & 1 {
            n += 1;
        }
        n
    }

    #[test]
    fn words_of_the_same_contexts_share_a_cluster() {
        let c = learn(fixture().into_iter(), &small(6));
        assert_eq!(c.leaves(), 6);
        let day = c.path("monday").unwrap();
        for w in ["tuesday", "wednesday", "thursday", "friday"] {
            assert_eq!(c.path(w), Some(day), "{w}");
        }
        let firm = c.path("chrysler").unwrap();
        for w in ["boeing", "exxon", "texaco"] {
            assert_eq!(c.path(w), Some(firm), "{w}");
        }
        assert_ne!(day, firm);
        assert_ne!(c.path("on"), Some(day));
        assert_eq!(c.path("nowhere"), None);
        let members: Vec<&str> = c.members("friday").unwrap().iter().map(|m| m.0).collect();
        assert!(members.contains(&"monday") && !members.contains(&"on"), "{members:?}");
    }

    #[test]
    fn leaf_paths_are_distinct_and_none_is_a_prefix_of_another() {
        let c = learn(fixture().into_iter(), &small(8));
        for (i, &a) in c.paths.iter().enumerate() {
            for &b in &c.paths[i + 1..] {
                assert!(common_prefix(a, b) < a.1.min(b.1), "{a:?} {b:?}");
            }
        }
        assert!(c.stats.deepest >= 3 && c.stats.cut_paths == 0);
    }

    #[test]
    fn vocabulary_keeps_frequent_words_most_frequent_first() {
        let opts = ClusterOptions {
            clusters: 4,
            min_count: 20,
            max_words: 3,
        };
        let c = learn(fixture().into_iter(), &opts);
        // "on" 40 times, then "profits", "rose", "shares", "fell", "in", "new", "york", "that" 20 times each.
        assert_eq!(c.words, ["on", "fell", "in"]);
        assert_eq!(c.counts, [40, 20, 20]);
    }

    /// The losses kept up to date through additions and merges equal losses computed afresh.
    #[test]
    fn incremental_losses_match_recomputed_ones() {
        let t = read_tokens(fixture().into_iter());
        let vocab = vocabulary(&t, &small(5));
        let g = Bigrams::count(&t.stream, &vocab);
        let mut b = Brown::new(&g, 6);
        for w in 0..g.words() {
            b.add(w);
            if b.active.len() > 5 {
                let (s, t) = b.best_pair();
                b.merge(s, t);
            }
            for (i, &s) in b.active.iter().enumerate() {
                for &t in &b.active[i + 1..] {
                    let (kept, fresh) = (b.loss[b.at(s, t)], b.pair_loss(s, t));
                    assert!((kept - fresh).abs() < 1e-9, "word {w}, pair {s} {t}: {kept} != {fresh}");
                }
            }
        }
    }

    #[test]
    fn the_map_file_gives_the_learned_paths_and_is_deterministic() {
        let c = learn(fixture().into_iter(), &small(6));
        let bytes = c.to_bytes();
        assert_eq!(bytes, learn(fixture().into_iter(), &small(6)).to_bytes());
        let map = ClusterMap::from_bytes(&bytes).unwrap();
        assert_eq!(map.len(), c.len());
        assert_eq!(c.hash_collisions(), 0);
        for w in &c.words {
            assert_eq!(map.path(w), c.path(w), "{w}");
        }
        assert_eq!(map.path("nowhere"), None);
    }

    #[test]
    fn a_damaged_map_file_is_an_error_not_a_panic() {
        let c = learn(fixture().into_iter(), &small(6));
        let mut raw = Vec::new();
        flate2::read::GzDecoder::new(&c.to_bytes()[..])
            .read_to_end(&mut raw)
            .unwrap();
        let gz = |raw: &[u8]| {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(raw).unwrap();
            e.finish().unwrap()
        };
        assert!(matches!(
            ClusterMap::from_bytes(b"plain bytes"),
            Err(ClusterFileError::Gzip(_))
        ));
        let mut wrong = raw.clone();
        wrong[0] = b'X';
        assert!(matches!(
            ClusterMap::from_bytes(&gz(&wrong)),
            Err(ClusterFileError::Magic)
        ));
        for cut in [4, 12, 20, raw.len() - 1] {
            assert!(
                matches!(
                    ClusterMap::from_bytes(&gz(&raw[..cut])),
                    Err(ClusterFileError::Truncated)
                ),
                "cut at {cut}"
            );
        }
        let mut longer = raw.clone();
        longer.push(0);
        assert!(matches!(
            ClusterMap::from_bytes(&gz(&longer)),
            Err(ClusterFileError::Trailing(1))
        ));
        // The first hash swapped with the second: no longer sorted.
        let first = 8 + 4 + c.leaves() * 5 + 4;
        let mut unsorted = raw.clone();
        unsorted[first..first + 16].rotate_left(8);
        assert!(matches!(
            ClusterMap::from_bytes(&gz(&unsorted)),
            Err(ClusterFileError::Corrupt(_))
        ));
        // The last word's leaf out of range.
        let mut leafless = raw;
        let n = leafless.len();
        leafless[n - 2..].copy_from_slice(&u16::MAX.to_le_bytes());
        assert!(matches!(
            ClusterMap::from_bytes(&gz(&leafless)),
            Err(ClusterFileError::Corrupt(_))
        ));
    }

    /// The shipped map loads; cities share a leaf with cities of their language, days with
    /// days, and they share less of their path with function words.
    #[test]
    fn the_shipped_map_keeps_cities_and_days_together() {
        assert!(ClusterMap::from_bytes(SHIPPED).unwrap().len() > 50_000);
        let path = |w: &str| cluster_path(w).unwrap_or_else(|| panic!("{w} not in the map"));
        assert_eq!(path("jakarta"), path("bandung"));
        assert_eq!(path("london"), path("paris"));
        assert!(common_prefix(path("jakarta"), path("bandung")) > common_prefix(path("jakarta"), path("yang")));
        assert!(common_prefix(path("london"), path("paris")) > common_prefix(path("london"), path("the")));
        for day in ["selasa", "rabu", "kamis", "jumat", "sabtu"] {
            assert_eq!(path(day), path("senin"), "{day}");
        }
    }

    #[test]
    fn no_text_gives_no_clusters() {
        let c = learn(std::iter::empty(), &ClusterOptions::default());
        assert!(c.is_empty() && c.leaves() == 0);
        let map = ClusterMap::from_bytes(&c.to_bytes()).unwrap();
        assert!(map.is_empty() && map.path("the").is_none());
        let one = learn(["Jakarta".to_string()].into_iter(), &small(4));
        assert_eq!(one.path("jakarta"), Some((0, 0)));
    }
}
