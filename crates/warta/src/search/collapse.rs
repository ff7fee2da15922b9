//! Copies of one story collapsed in the ranking: each story (see [`crate::index::stories`])
//! shows once, as its best-ranked matching article, which names the story's other copies.
//!
//! A page is taken from the ranking walked from its top, keeping the first article of each
//! story: page two then starts after the last story of page one and never repeats one. Only
//! the articles ranked down to the page's last story (and a look-ahead) are looked up in the
//! story table; the ranking is widened when copies hide too many of them.

use std::collections::HashSet;

use tantivy::columnar::StrColumn;
use tantivy::query::Query;
use tantivy::{DocAddress, Searcher};

use super::{top_docs, Hit, Ranked, SearchError, SearchRequest, Sort, MAX_RESULT_WINDOW};
use crate::index::stories::Stories;
use crate::index::Fields;

/// The deepest a collapsed ranking is walked: past it, a page holds the stories found so far.
const MAX_COLLAPSE_WINDOW: usize = 4 * MAX_RESULT_WINDOW;

/// The request's page of hits for `query` in `sort` order and the total of matching articles,
/// copies of one story collapsed to the first unless the request asks for every copy.
pub(super) fn top_stories(
    searcher: &Searcher,
    query: &dyn Query,
    req: &SearchRequest,
    sort: Sort,
    stories: &Stories,
) -> Result<(usize, Ranked), SearchError> {
    if !req.collapse || req.limit == 0 || stories.stories().is_empty() {
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
        let firsts = first_of_each_story(searcher, stories, ranked)?;
        if firsts.len() >= wanted || window >= total || window >= MAX_COLLAPSE_WINDOW {
            let page = firsts.into_iter().skip(req.offset).take(req.limit).collect();
            return Ok((total, page));
        }
        window = (window * 4).min(MAX_COLLAPSE_WINDOW);
    }
}

/// The ranked articles without those whose story an article ranked above them stands for.
fn first_of_each_story(searcher: &Searcher, stories: &Stories, ranked: Ranked) -> tantivy::Result<Ranked> {
    let mut keys = Keys::new(searcher);
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(ranked.len());
    for (score, addr) in ranked {
        let story = keys.key(addr)?.and_then(|(file, id)| stories.story_index(&file, &id));
        if story.is_none_or(|s| seen.insert(s)) {
            out.push((score, addr));
        }
    }
    Ok(out)
}

/// Each hit with its story's id and its other copies, when it has some.
pub(super) fn name_copies(hits: &mut [Hit], stories: &Stories) {
    for hit in hits {
        let Some(story) = stories.story_of(&hit.path, &hit.id) else {
            continue;
        };
        hit.story = Some(story[0].id.clone());
        hit.other_copies = story
            .iter()
            .filter(|m| !(m.file == hit.path && m.id == hit.id))
            .map(|m| super::CopyRef {
                id: m.id.clone(),
                source: m.source.clone(),
            })
            .collect();
        hit.copies = hit.other_copies.len();
    }
}

/// The (file, id) of ranked articles, from each segment's columns, opened once.
struct Keys<'a> {
    searcher: &'a Searcher,
    columns: Vec<Option<Option<(StrColumn, StrColumn)>>>,
}

impl<'a> Keys<'a> {
    fn new(searcher: &'a Searcher) -> Self {
        Keys {
            searcher,
            columns: vec![None; searcher.segment_readers().len()],
        }
    }

    fn key(&mut self, addr: DocAddress) -> tantivy::Result<Option<(String, String)>> {
        let slot = &mut self.columns[addr.segment_ord as usize];
        if slot.is_none() {
            let ff = self.searcher.segment_reader(addr.segment_ord).fast_fields();
            *slot = Some(ff.str(Fields::FILE)?.zip(ff.str(Fields::ID)?));
        }
        let Some(Some((files, ids))) = slot else {
            return Ok(None);
        };
        let read = |col: &StrColumn| -> tantivy::Result<Option<String>> {
            let Some(ord) = col.term_ords(addr.doc_id).next() else {
                return Ok(None);
            };
            let mut s = String::new();
            col.ord_to_str(ord, &mut s)?;
            Ok(Some(s))
        };
        Ok(read(files)?.zip(read(ids)?))
    }
}
