//! Copies of one story collapsed in the ranking: each story (see [`crate::index::stories`])
//! shows once, as its best-ranked matching article, which names the story's other copies.
//!
//! A page is taken from the ranking walked from its top, keeping the first article of each
//! story: page two then starts after the last story of page one and never repeats one. Only
//! the articles ranked down to the page's last story (and a look-ahead) are looked up in the
//! story table; the ranking is widened when copies hide too many of them.
//!
//! Facets and timelines can count stories instead of articles ([`count_matches`]): each
//! story then counts once, as its earliest matching copy.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::Query;
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentOrdinal, SegmentReader};

use super::{top_docs, CountBy, Hit, Ranked, SearchError, SearchRequest, Sort, MAX_RESULT_WINDOW};
use crate::index::stories::{first_str, MemberLookups, Stories};
use crate::index::Fields;

/// The deepest a collapsed ranking is walked: past it, a page holds the stories found so far.
const MAX_COLLAPSE_WINDOW: usize = 4 * MAX_RESULT_WINDOW;

/// The request's page of hits for `query` in `sort` order and the total of matching articles,
/// copies of one story collapsed to the first unless the request asks for every copy; the
/// stories `shown` (above this ranking, on a filled page) are left out.
pub(super) fn top_stories(
    searcher: &Searcher,
    query: &dyn Query,
    req: &SearchRequest,
    sort: Sort,
    stories: &Stories,
    shown: &HashSet<usize>,
) -> Result<(usize, Ranked), SearchError> {
    if !req.collapse || req.limit == 0 || stories.is_empty() {
        return top_docs(searcher, query, req, sort);
    }
    let wanted = req.offset + req.limit;
    let mut window = (wanted * 2 + 16).min(MAX_COLLAPSE_WINDOW);
    loop {
        let wide = SearchRequest {
            offset: 0,
            limit: window,
            ..req.clone()
        };
        let (total, ranked) = top_docs(searcher, query, &wide, sort)?;
        let firsts = first_of_each_story(searcher, stories, ranked, shown)?;
        if firsts.len() >= wanted || window >= total || window >= MAX_COLLAPSE_WINDOW {
            let page = firsts.into_iter().skip(req.offset).take(req.limit).collect();
            return Ok((total, page));
        }
        window = (window * 4).min(MAX_COLLAPSE_WINDOW);
    }
}

/// The ranked articles without those whose story an article ranked above them, or one of
/// the stories `shown` already, stands for.
fn first_of_each_story(
    searcher: &Searcher,
    stories: &Stories,
    ranked: Ranked,
    shown: &HashSet<usize>,
) -> tantivy::Result<Ranked> {
    let story_of = story_lookup(searcher, stories, ranked.len())?;
    let mut seen = shown.clone();
    let mut out = Vec::with_capacity(ranked.len());
    for (score, addr) in ranked {
        let story = story_of(addr)?;
        if story.is_none_or(|s| seen.insert(s)) {
            out.push((score, addr));
        }
    }
    Ok(out)
}

/// The stories the `ranked` articles are copies in.
pub(super) fn stories_among(
    searcher: &Searcher,
    stories: &Stories,
    ranked: &Ranked,
) -> tantivy::Result<HashSet<usize>> {
    if stories.is_empty() {
        return Ok(HashSet::new());
    }
    let story_of = story_lookup(searcher, stories, ranked.len())?;
    let mut out = HashSet::new();
    for &(_, addr) in ranked {
        out.extend(story_of(addr)?);
    }
    Ok(out)
}

/// A document's story: its place among the table's stories, when it has copies.
type StoryOf<'a> = Box<dyn Fn(DocAddress) -> tantivy::Result<Option<usize>> + 'a>;

/// [`StoryOf`] for `n` ranked articles about to be looked up: from every member's document
/// when worth it (see [`member_docs_when_worth_it`]), else by the article's file and id.
fn story_lookup<'a>(searcher: &'a Searcher, stories: &'a Stories, n: usize) -> tantivy::Result<StoryOf<'a>> {
    if let Some(members) = member_docs_when_worth_it(searcher, stories, n)? {
        return Ok(Box::new(move |addr| Ok(members.get(&addr).map(|&(story, _)| story))));
    }
    let columns = searcher
        .segment_readers()
        .iter()
        .map(|seg| Ok((seg.fast_fields().str(Fields::FILE)?, seg.fast_fields().str(Fields::ID)?)))
        .collect::<tantivy::Result<Vec<_>>>()?;
    Ok(Box::new(move |addr| {
        let (Some(files), Some(ids)) = &columns[addr.segment_ord as usize] else {
            return Ok(None);
        };
        let (Some(file), Some(id)) = (first_str(Some(files), addr.doc_id)?, first_str(Some(ids), addr.doc_id)?) else {
            return Ok(None);
        };
        Ok(stories.story_index(&file, &id))
    }))
}

/// Each hit with its story's id and its other copies, when it has some.
pub(super) fn name_copies(hits: &mut [Hit], stories: &Stories) {
    for hit in hits {
        let Some(story) = stories.story_of(&hit.path, &hit.id) else {
            continue;
        };
        hit.story = Some(story.first().id.to_string());
        hit.other_copies = story
            .members()
            .filter(|m| !(m.file == hit.path && m.id == hit.id))
            .map(|m| super::CopyRef {
                id: m.id.to_string(),
                source: m.source.map(str::to_string),
            })
            .collect();
        hit.copies = hit.other_copies.len();
    }
}

/// Runs `collector` over the matches of `query`; when the request counts stories, over one
/// article per story: of the copies that match, the earliest (a story's first appearance),
/// so that facets and timelines count each story once.
pub(crate) fn count_matches<C: Collector>(
    searcher: &Searcher,
    query: &dyn Query,
    req: &SearchRequest,
    stories: &Stories,
    collector: C,
) -> tantivy::Result<C::Fruit> {
    if req.count == CountBy::Articles || stories.is_empty() {
        return searcher.search(query, &collector);
    }
    let skip = later_copies(searcher, query, stories)?;
    searcher.search(query, &SkipDocs { inner: collector, skip })
}

/// The articles matching `query` whose story has an earlier matching copy (by the story's
/// order): found from the stories' members, looked up by file, not from every match.
fn later_copies(searcher: &Searcher, query: &dyn Query, stories: &Stories) -> tantivy::Result<HashSet<DocAddress>> {
    let members = member_docs(searcher, stories)?;
    let matching = searcher.search(query, &Members(&members))?;
    let mut first: HashMap<usize, (usize, DocAddress)> = HashMap::new();
    let mut later = HashSet::new();
    for addr in matching {
        let (story, rank) = members[&addr];
        match first.get(&story) {
            Some(&(r, _)) if r < rank => {
                later.insert(addr);
            }
            Some(&(_, a)) => {
                later.insert(a);
                first.insert(story, (rank, addr));
            }
            None => {
                first.insert(story, (rank, addr));
            }
        }
    }
    Ok(later)
}

/// The live documents of every story's members, each with its story and its place in it.
pub(super) type MemberDocs = rustc_hash::FxHashMap<DocAddress, (usize, usize)>;

/// [`MemberDocs`] of `searcher`'s segments, worked out once per searcher generation and
/// story table (see [`Stories::members_cache`]).
fn member_docs(searcher: &Searcher, stories: &Stories) -> tantivy::Result<Arc<MemberDocs>> {
    let generation = searcher.generation().generation_id();
    let mut cache = stories.members_cache().lock().unwrap_or_else(|e| e.into_inner());
    if let Some((g, MemberLookups::All(docs))) = &*cache {
        if *g == generation {
            return Ok(docs.clone());
        }
    }
    let docs = Arc::new(find_member_docs(searcher, stories)?);
    *cache = Some((generation, MemberLookups::All(docs.clone())));
    Ok(docs)
}

/// Looking up one ranked article's file and id costs about as much as finding this many
/// members' documents in [`find_member_docs`].
const MEMBERS_PER_LOOKUP: usize = 8;

/// [`member_docs`] once this searcher generation has looked up as many ranked articles one
/// by one as finding every member's document would have cost (so a process never pays more
/// than twice the cheaper way: a cold `warta search` looks up a few dozen articles, a server
/// soon finds every member once); `None` before, counting the `ranked` articles about to be
/// looked up.
fn member_docs_when_worth_it(
    searcher: &Searcher,
    stories: &Stories,
    ranked: usize,
) -> tantivy::Result<Option<Arc<MemberDocs>>> {
    let generation = searcher.generation().generation_id();
    {
        let mut cache = stories.members_cache().lock().unwrap_or_else(|e| e.into_inner());
        let looked_up = match &*cache {
            Some((g, MemberLookups::All(docs))) if *g == generation => return Ok(Some(docs.clone())),
            Some((g, MemberLookups::OneByOne(n))) if *g == generation => *n,
            _ => 0,
        };
        if looked_up * MEMBERS_PER_LOOKUP < stories.members() {
            *cache = Some((generation, MemberLookups::OneByOne(looked_up + ranked)));
            return Ok(None);
        }
    }
    member_docs(searcher, stories).map(Some)
}

/// Finds every member's document: one pass over each segment's id and file dictionaries (in
/// order, so each compressed block is read once) gives the members' id and file ordinals, and
/// one pass over the segment's id column finds the documents with those ordinals, whose file
/// is checked. Looking each member up in the dictionaries, or reading the ranked documents'
/// ids as strings, cost more than the rest of a search.
fn find_member_docs(searcher: &Searcher, stories: &Stories) -> tantivy::Result<MemberDocs> {
    let mut by_id: rustc_hash::FxHashMap<&[u8], Vec<(&str, usize, usize)>> = Default::default();
    for (story, members) in stories.stories().enumerate() {
        for (rank, m) in members.members().enumerate() {
            by_id.entry(m.id.as_bytes()).or_default().push((m.file, story, rank));
        }
    }
    let mut out = MemberDocs::default();
    for (ord, seg) in searcher.segment_readers().iter().enumerate() {
        let ff = seg.fast_fields();
        let (Some(files), Some(ids)) = (ff.str(Fields::FILE)?, ff.str(Fields::ID)?) else {
            continue;
        };
        // id ordinal → the members with that id.
        let mut wanted: rustc_hash::FxHashMap<u64, &Vec<(&str, usize, usize)>> = Default::default();
        let mut terms = ids.dictionary().stream()?;
        while terms.advance() {
            if let Some(members) = by_id.get(terms.key()) {
                wanted.insert(terms.term_ord(), members);
            }
        }
        if wanted.is_empty() {
            continue;
        }
        // The members' files as ordinals, from one pass over the file dictionary too (as many
        // files as members when each article is a file of its own).
        let member_files: rustc_hash::FxHashSet<&[u8]> = wanted
            .values()
            .flat_map(|m| m.iter())
            .map(|(f, _, _)| f.as_bytes())
            .collect();
        let mut file_ords: rustc_hash::FxHashMap<&str, Option<u64>> = Default::default();
        let mut terms = files.dictionary().stream()?;
        while terms.advance() {
            if let Some(&file) = member_files.get(terms.key()) {
                file_ords.insert(
                    std::str::from_utf8(file).expect("a member's file is a str"),
                    Some(terms.term_ord()),
                );
            }
        }
        for doc in seg.doc_ids_alive() {
            let Some(candidates) = ids.term_ords(doc).next().and_then(|id| wanted.get(&id)) else {
                continue;
            };
            let file = files.term_ords(doc).next();
            if let Some(&(_, story, rank)) = candidates
                .iter()
                .find(|(f, _, _)| file.is_some() && file_ords.get(f).copied().flatten() == file)
            {
                out.insert(DocAddress::new(ord as u32, doc), (story, rank));
            }
        }
    }
    Ok(out)
}

/// Collects the matching documents among a set.
struct Members<'a>(&'a MemberDocs);

/// [`Members`] in one segment: the set's documents there.
struct MembersSegment {
    members: HashSet<DocId>,
    segment: SegmentOrdinal,
    found: Vec<DocAddress>,
}

impl Collector for Members<'_> {
    type Fruit = Vec<DocAddress>;
    type Child = MembersSegment;

    fn for_segment(&self, segment: SegmentOrdinal, _: &SegmentReader) -> tantivy::Result<Self::Child> {
        Ok(MembersSegment {
            members: docs_of_segment(self.0.keys(), segment),
            segment,
            found: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<DocAddress>>) -> tantivy::Result<Vec<DocAddress>> {
        let mut all: Vec<DocAddress> = fruits.into_iter().flatten().collect();
        all.sort();
        Ok(all)
    }
}

impl SegmentCollector for MembersSegment {
    type Fruit = Vec<DocAddress>;

    fn collect(&mut self, doc: DocId, _: Score) {
        if self.members.contains(&doc) {
            self.found.push(DocAddress::new(self.segment, doc));
        }
    }

    fn harvest(self) -> Vec<DocAddress> {
        self.found
    }
}

/// The documents of `segment` among `addrs`.
fn docs_of_segment<'a>(addrs: impl Iterator<Item = &'a DocAddress>, segment: SegmentOrdinal) -> HashSet<DocId> {
    addrs.filter(|a| a.segment_ord == segment).map(|a| a.doc_id).collect()
}

/// A collector that passes over a set of documents.
struct SkipDocs<C> {
    inner: C,
    skip: HashSet<DocAddress>,
}

/// [`SkipDocs`] in one segment.
struct SkipSegment<S> {
    inner: S,
    skip: HashSet<DocId>,
}

impl<C: Collector> Collector for SkipDocs<C> {
    type Fruit = C::Fruit;
    type Child = SkipSegment<C::Child>;

    fn for_segment(&self, segment: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<Self::Child> {
        let skip = docs_of_segment(self.skip.iter(), segment);
        Ok(SkipSegment {
            inner: self.inner.for_segment(segment, reader)?,
            skip,
        })
    }

    fn requires_scoring(&self) -> bool {
        self.inner.requires_scoring()
    }

    fn merge_fruits(&self, fruits: Vec<<Self::Child as SegmentCollector>::Fruit>) -> tantivy::Result<Self::Fruit> {
        self.inner.merge_fruits(fruits)
    }
}

impl<S: SegmentCollector> SegmentCollector for SkipSegment<S> {
    type Fruit = S::Fruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        if !self.skip.contains(&doc) {
            self.inner.collect(doc, score);
        }
    }

    fn harvest(self) -> Self::Fruit {
        self.inner.harvest()
    }
}
