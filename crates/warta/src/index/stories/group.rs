//! Grouping: after each indexing run, the articles it touched, and the copies found through
//! their bands, are grouped into stories again (see the parent module for the rules), or
//! every article when the table must be rebuilt.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use tantivy::columnar::{BytesColumn, Column, StrColumn};
use tantivy::schema::IndexRecordOption;
use tantivy::{DateTime, DocAddress, Searcher, Term};

use super::{save, saved_opstamp, Member, Saved, Stories};
use crate::index::bands::{self, BandTables};
use crate::index::signature::{self, Signature};
use crate::index::Fields;

/// Brings the table up to date with `searcher` (the run's last commit, `opstamp`), the run
/// having started from commit `started_from` and touched the articles of the files `touched`
/// (added, changed or deleted). Recomputes only the stories those articles were or are in,
/// unless the table does not describe `started_from`: then rebuilds it. A run that touched
/// nothing and committed nothing leaves a sound table as it is.
pub(crate) fn update(
    dir: &Path,
    searcher: &Searcher,
    touched: &HashSet<String>,
    started_from: u64,
    opstamp: u64,
) -> tantivy::Result<()> {
    bands::sync(dir, searcher)?;
    if touched.is_empty() && opstamp == started_from && saved_opstamp(dir) == Some(started_from) {
        return Ok(());
    }
    let old = Stories::load(dir);
    let stories = if old.present && old.opstamp == started_from {
        let bands = BandTables::open(dir, searcher)?;
        regroup(&Articles::open(searcher)?, &bands, old.owned(), touched)?
    } else {
        group_all(&Articles::open(searcher)?)?
    };
    save(dir, &Saved { opstamp, stories }).map_err(Into::into)
}

/// Every story of the index, from every signature: articles sharing a band are compared,
/// and copies joined.
fn group_all(articles: &Articles) -> tantivy::Result<Vec<Vec<Member>>> {
    let mut nodes: Vec<(DocAddress, Signature)> = Vec::new();
    for (ord, seg) in articles.segments.iter().enumerate() {
        for doc in seg.alive_docs() {
            if let Some(sig) = seg.signature(doc) {
                nodes.push((DocAddress::new(ord as u32, doc), sig));
            }
        }
    }
    // One band at a time: the articles sorted by that band's value, so that memory holds one
    // value per article, not one per article and band.
    let mut joined = UnionFind::new(nodes.len());
    let mut band: Vec<(u32, u32)> = Vec::with_capacity(nodes.len());
    for b in 0..signature::BANDS {
        band.clear();
        band.extend(
            nodes
                .iter()
                .enumerate()
                .map(|(i, (_, sig))| (signature::band_value(sig, b), i as u32)),
        );
        band.sort_unstable();
        for bucket in band.chunk_by(|x, y| x.0 == y.0).filter(|bucket| bucket.len() > 1) {
            for (x, &(_, i)) in bucket.iter().enumerate() {
                for &(_, j) in &bucket[x + 1..] {
                    let (i, j) = (i as usize, j as usize);
                    if joined.find(i) != joined.find(j) && signature::copies(&nodes[i].1, &nodes[j].1) {
                        joined.union(i, j);
                    }
                }
            }
        }
    }
    let addrs: Vec<DocAddress> = nodes.into_iter().map(|(addr, _)| addr).collect();
    stories_of(articles, &addrs, &mut joined)
}

/// The stories after a run that touched the articles of the files `touched`: `old` with the
/// stories those articles were or are now in recomputed. Starting from the articles of those
/// files and every member of their old stories, copies are followed through bands; the
/// stories reached replace the old ones they overlap, the others stay as they were (no
/// article in them changed, nor did any copy of one).
fn regroup(
    articles: &Articles,
    bands: &BandTables,
    old: Vec<Vec<Member>>,
    touched: &HashSet<String>,
) -> tantivy::Result<Vec<Vec<Member>>> {
    let (affected, kept): (Vec<_>, Vec<_>) = old
        .into_iter()
        .partition(|story| story.iter().any(|m| touched.contains(&m.file)));
    let mut seeds = Vec::new();
    for file in touched {
        seeds.extend(articles.of_file(file, None)?);
    }
    for m in affected.iter().flatten().filter(|m| !touched.contains(&m.file)) {
        seeds.extend(articles.of_file(&m.file, Some(&m.id))?);
    }
    let (addrs, mut joined) = follow_copies(articles, bands, seeds);
    let reached: HashSet<(String, String)> = articles.members(&addrs)?.into_iter().map(|m| (m.file, m.id)).collect();
    let mut stories: Vec<Vec<Member>> = kept
        .into_iter()
        .filter(|story| !story.iter().any(|m| reached.contains(&(m.file.clone(), m.id.clone()))))
        .collect();
    stories.extend(stories_of(articles, &addrs, &mut joined)?);
    stories.sort_by(|a, b| a[0].order_key().cmp(&b[0].order_key()));
    Ok(stories)
}

/// The articles reachable from `seeds` through copies (looked up by band), and which of
/// them are joined: the components of the copy relation that hold a seed.
fn follow_copies(articles: &Articles, bands: &BandTables, seeds: Vec<DocAddress>) -> (Vec<DocAddress>, UnionFind) {
    let mut nodes: Vec<(DocAddress, Signature)> = Vec::new();
    let mut place: HashMap<DocAddress, usize> = HashMap::new();
    let mut edges = Vec::new();
    for addr in seeds {
        if place.contains_key(&addr) {
            continue;
        }
        if let Some(sig) = articles.signature(addr) {
            place.insert(addr, nodes.len());
            nodes.push((addr, sig));
        }
    }
    let mut next = 0;
    while next < nodes.len() {
        let (addr, sig) = nodes[next];
        for other in articles.sharing_a_band(bands, &sig) {
            if other == addr {
                continue;
            }
            // An article reached before keeps its signature: each is read from its column once.
            let known = place.get(&other).map(|&j| nodes[j].1);
            let Some(other_sig) = known.or_else(|| articles.signature(other)) else {
                continue;
            };
            if !signature::copies(&sig, &other_sig) {
                continue;
            }
            let j = *place.entry(other).or_insert_with(|| {
                nodes.push((other, other_sig));
                nodes.len() - 1
            });
            edges.push((next, j));
        }
        next += 1;
    }
    let mut joined = UnionFind::new(nodes.len());
    for (i, j) in edges {
        joined.union(i, j);
    }
    (nodes.into_iter().map(|(addr, _)| addr).collect(), joined)
}

/// The stories of two articles or more among `addrs`, grouped by `joined`, each earliest
/// first, ordered by their first member.
fn stories_of(articles: &Articles, addrs: &[DocAddress], joined: &mut UnionFind) -> tantivy::Result<Vec<Vec<Member>>> {
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for i in 0..addrs.len() {
        groups.entry(joined.find(i)).or_default().push(i);
    }
    let groups: Vec<Vec<usize>> = groups.into_values().filter(|g| g.len() > 1).collect();
    let grouped: Vec<DocAddress> = groups.iter().flatten().map(|&i| addrs[i]).collect();
    let mut members = articles.members(&grouped)?.into_iter();
    let mut stories = Vec::with_capacity(groups.len());
    for group in &groups {
        let mut story: Vec<Member> = members.by_ref().take(group.len()).collect();
        story.sort_by(|a, b| a.order_key().cmp(&b.order_key()));
        stories.push(story);
    }
    stories.sort_by(|a, b| a[0].order_key().cmp(&b[0].order_key()));
    Ok(stories)
}

/// Union-find over `0..n`, with path halving.
struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n).collect(),
        }
    }

    fn find(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }

    fn union(&mut self, i: usize, j: usize) {
        let (a, b) = (self.find(i), self.find(j));
        if a != b {
            self.parent[a.max(b)] = a.min(b);
        }
    }
}

/// The index's articles as grouping reads them: each segment's columns.
struct Articles<'a> {
    searcher: &'a Searcher,
    segments: Vec<SegmentArticles>,
}

/// One segment's columns of what a story records of an article.
struct SegmentArticles {
    reader: tantivy::SegmentReader,
    signature: Option<BytesColumn>,
    file: Option<StrColumn>,
    id: Option<StrColumn>,
    source: Option<StrColumn>,
    date: Column<DateTime>,
}

impl SegmentArticles {
    fn alive_docs(&self) -> impl Iterator<Item = tantivy::DocId> + '_ {
        self.reader.doc_ids_alive()
    }

    fn is_alive(&self, doc: tantivy::DocId) -> bool {
        self.reader.alive_bitset().is_none_or(|a| a.is_alive(doc))
    }

    fn signature(&self, doc: tantivy::DocId) -> Option<Signature> {
        signature::from_column(self.signature.as_ref()?, doc)
    }
}

/// The first string of a string column for a document.
pub(crate) fn first_str(col: Option<&StrColumn>, doc: tantivy::DocId) -> tantivy::Result<Option<String>> {
    let Some(col) = col else { return Ok(None) };
    let Some(ord) = col.term_ords(doc).next() else {
        return Ok(None);
    };
    let mut s = String::new();
    col.ord_to_str(ord, &mut s)?;
    Ok(Some(s))
}

impl<'a> Articles<'a> {
    fn open(searcher: &'a Searcher) -> tantivy::Result<Self> {
        let segments = searcher
            .segment_readers()
            .iter()
            .map(|seg| {
                let ff = seg.fast_fields();
                Ok(SegmentArticles {
                    reader: seg.clone(),
                    signature: ff.bytes(Fields::STORY_SIG)?,
                    file: ff.str(Fields::FILE)?,
                    id: ff.str(Fields::ID)?,
                    source: ff.str(Fields::SOURCE)?,
                    date: ff.date(Fields::DATE)?,
                })
            })
            .collect::<tantivy::Result<_>>()?;
        Ok(Articles { searcher, segments })
    }

    fn signature(&self, addr: DocAddress) -> Option<Signature> {
        self.segments[addr.segment_ord as usize].signature(addr.doc_id)
    }

    /// What a story records of each article of `addrs`, in order.
    fn members(&self, addrs: &[DocAddress]) -> tantivy::Result<Vec<Member>> {
        let files = self.strs(addrs, |seg| seg.file.as_ref())?;
        let ids = self.strs(addrs, |seg| seg.id.as_ref())?;
        let sources = self.strs(addrs, |seg| seg.source.as_ref())?;
        Ok(addrs
            .iter()
            .zip(files.into_iter().zip(ids).zip(sources))
            .map(|(addr, ((file, id), source))| Member {
                file: file.unwrap_or_default(),
                id: id.unwrap_or_default(),
                source,
                date: self.segments[addr.segment_ord as usize]
                    .date
                    .first(addr.doc_id)
                    .map(|d| d.into_timestamp_secs()),
            })
            .collect())
    }

    /// The first string of a string column for each article of `addrs`, in order: one
    /// ordered pass over each segment's dictionary for all of them (reading each article's
    /// string on its own decompressed a dictionary block each time, most of a fresh grouping's
    /// time when many articles are copies).
    fn strs(
        &self,
        addrs: &[DocAddress],
        column: impl Fn(&SegmentArticles) -> Option<&StrColumn>,
    ) -> tantivy::Result<Vec<Option<String>>> {
        let mut out = vec![None; addrs.len()];
        for (ord, seg) in self.segments.iter().enumerate() {
            let Some(col) = column(seg) else { continue };
            // (term ordinal, place in `addrs`) of this segment's articles, by ordinal.
            let mut wanted: Vec<(u64, usize)> = addrs
                .iter()
                .enumerate()
                .filter(|(_, addr)| addr.segment_ord as usize == ord)
                .filter_map(|(i, addr)| col.term_ords(addr.doc_id).next().map(|term| (term, i)))
                .collect();
            wanted.sort_unstable();
            let mut ords: Vec<u64> = wanted.iter().map(|&(term, _)| term).collect();
            ords.dedup();
            let mut terms = Vec::with_capacity(ords.len());
            col.dictionary()
                .sorted_ords_to_term_cb(&ords, |bytes| terms.push(String::from_utf8_lossy(bytes).into_owned()))?;
            let mut at = 0;
            for (term, i) in wanted {
                while ords[at] != term {
                    at += 1;
                }
                out[i] = terms.get(at).cloned();
            }
        }
        Ok(out)
    }

    /// The live articles holding `term` in `field`.
    fn with_term(&self, term: &Term) -> tantivy::Result<Vec<DocAddress>> {
        let mut out = Vec::new();
        for (ord, seg) in self.segments.iter().enumerate() {
            let index = seg.reader.inverted_index(term.field())?;
            let Some(mut postings) = index.read_postings(term, IndexRecordOption::Basic)? else {
                continue;
            };
            let mut doc = tantivy::DocSet::doc(&postings);
            while doc != tantivy::TERMINATED {
                if seg.is_alive(doc) {
                    out.push(DocAddress::new(ord as u32, doc));
                }
                doc = tantivy::DocSet::advance(&mut postings);
            }
        }
        Ok(out)
    }

    /// The live articles of `file` (only the one with id `id`, when given).
    fn of_file(&self, file: &str, id: Option<&str>) -> tantivy::Result<Vec<DocAddress>> {
        let field = self.searcher.schema().get_field(Fields::FILE)?;
        let docs = self.with_term(&Term::from_field_text(field, file))?;
        let Some(id) = id else { return Ok(docs) };
        let mut out = Vec::new();
        for addr in docs {
            let seg = &self.segments[addr.segment_ord as usize];
            if first_str(seg.id.as_ref(), addr.doc_id)?.as_deref() == Some(id) {
                out.push(addr);
            }
        }
        Ok(out)
    }

    /// The live articles sharing a band with `sig` in `bands`, in order.
    fn sharing_a_band(&self, bands: &BandTables, sig: &Signature) -> Vec<DocAddress> {
        let mut out = Vec::new();
        for (ord, seg) in self.segments.iter().enumerate() {
            let docs = bands.sharing_a_band(ord, sig).into_iter();
            out.extend(
                docs.filter(|&doc| seg.is_alive(doc))
                    .map(|doc| DocAddress::new(ord as u32, doc)),
            );
        }
        out
    }
}
