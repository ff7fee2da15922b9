//! Counting over all matching articles: facet values (persons, countries, orgs, places,
//! sources, languages) and articles per day, week, month or year.
//!
//! Both are tantivy collectors over fast fields, so counts cover every match, not only the
//! page of hits shown.

use std::collections::HashMap;

use jiff::civil::Date;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use tantivy::collector::Count;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::query::Query;
use tantivy::Searcher;
use tantivy::{DateTime, DocId, Score, SegmentOrdinal, SegmentReader};

use crate::extract::gazetteer;
use crate::index::{Fields, WartaIndex};
use crate::ingest::date::Zone;

use super::collapse::count_matches;
use super::{request_query, unless_cancelled, ApproximateName, CountBy, Relaxed, SearchError, SearchRequest};
use crate::index::stories::Stories;

/// Fields that can be counted.
pub const FACET_FIELDS: [&str; 6] = [
    Fields::PERSON,
    Fields::COUNTRY,
    Fields::ORG,
    Fields::PLACE,
    Fields::SOURCE,
    Fields::LANG,
];

/// One counted value.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FacetCount {
    /// The value as indexed (a canonical name, an ISO code, a source, a language code).
    pub value: String,
    /// Display name (countries: the English name of the ISO code).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Matching articles with this value.
    pub count: u64,
}

/// Counts the values of string fast fields over the matching documents and keeps the `top`
/// most frequent of each field, exactly.
///
/// Segments count term ordinals in an array (no strings while collecting). Merging walks the
/// segments' sorted term dictionaries side by side, so equal values meet without a hash map
/// and only values that enter the top list are copied; a single segment needs no dictionary
/// walk at all, only `top` lookups.
pub struct FacetCollector {
    /// The facet fields to count.
    pub fields: Vec<String>,
    /// Values kept per field.
    pub top: usize,
}

/// A [`FacetCollector`]'s counts in one segment.
pub struct FacetSegment {
    columns: Vec<Option<StrColumn>>,
    counts: Vec<Vec<u32>>,
    /// Whether a column gave an ordinal beyond its dictionary (a damaged fast field file).
    damaged: bool,
}

/// One segment's counts of one field: its column (for the dictionary) and counts by ordinal.
pub struct SegmentCounts {
    column: Option<StrColumn>,
    counts: Vec<u32>,
    damaged: bool,
}

impl Collector for FacetCollector {
    /// Per field, the top values with their counts, most frequent first (ties by value).
    type Fruit = Vec<Vec<(String, u64)>>;
    type Child = FacetSegment;

    fn for_segment(&self, _: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<FacetSegment> {
        let mut columns = Vec::new();
        let mut counts = Vec::new();
        for f in &self.fields {
            let col = reader.fast_fields().str(f)?;
            if let Some(col) = &col {
                crate::index::damage::check_dictionary(col, f)?;
            }
            counts.push(vec![0u32; col.as_ref().map_or(0, |c| c.num_terms())]);
            columns.push(col);
        }
        Ok(FacetSegment {
            columns,
            counts,
            damaged: false,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<SegmentCounts>>) -> tantivy::Result<Self::Fruit> {
        self.per_field(fruits)?
            .into_iter()
            .map(|segs| top_values(segs, self.top).map_err(tantivy::TantivyError::from))
            .collect()
    }
}

impl FacetCollector {
    /// The segments' counts regrouped by field, leaving out the segments that counted nothing;
    /// an error when a segment's column was damaged.
    fn per_field(&self, fruits: Vec<Vec<SegmentCounts>>) -> tantivy::Result<Vec<Vec<SegmentCounts>>> {
        let mut per_field: Vec<Vec<SegmentCounts>> = (0..self.fields.len()).map(|_| Vec::new()).collect();
        for fruit in fruits {
            if fruit.iter().any(|seg| seg.damaged) {
                let damage = "a fast field file holds values its dictionary lacks";
                return Err(crate::index::Damaged(damage.to_string()).into());
            }
            for (i, seg) in fruit.into_iter().enumerate() {
                if seg.column.is_some() && seg.counts.iter().any(|&n| n > 0) {
                    per_field[i].push(seg);
                }
            }
        }
        Ok(per_field)
    }

    /// Every counted value of each field with its count, instead of the top ones: what
    /// [`AllValues`] merges its segments' counts into.
    fn all_values(&self, fruits: Vec<Vec<SegmentCounts>>) -> tantivy::Result<Vec<FxHashMap<String, u64>>> {
        let mut out = Vec::with_capacity(self.fields.len());
        for segs in self.per_field(fruits)? {
            let mut values: FxHashMap<String, u64> = FxHashMap::default();
            for seg in segs {
                let col = seg.column.as_ref().expect("kept segments have a column");
                // Sorted ordinals are read in one pass over the dictionary's blocks, not one
                // lookup each.
                let ords: Vec<u64> = (0..seg.counts.len() as u64)
                    .filter(|&o| seg.counts[o as usize] > 0)
                    .collect();
                let mut counts = ords.iter().map(|&o| u64::from(seg.counts[o as usize]));
                col.dictionary().sorted_ords_to_term_cb(&ords, |term| {
                    let n = counts.next().unwrap_or(0);
                    *values.entry(String::from_utf8_lossy(term).into_owned()).or_insert(0) += n;
                })?;
            }
            out.push(values);
        }
        Ok(out)
    }
}

/// Counts every value of string fast fields over the matching documents, as
/// [`FacetCollector`] does, and keeps them all: per field, each value with its count.
pub struct AllValues(pub FacetCollector);

impl Collector for AllValues {
    type Fruit = Vec<FxHashMap<String, u64>>;
    type Child = FacetSegment;

    fn for_segment(&self, ord: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<FacetSegment> {
        self.0.for_segment(ord, reader)
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<SegmentCounts>>) -> tantivy::Result<Self::Fruit> {
        self.0.all_values(fruits)
    }
}

impl SegmentCollector for FacetSegment {
    type Fruit = Vec<SegmentCounts>;

    fn collect(&mut self, doc: DocId, _: Score) {
        for (col, counts) in self.columns.iter().zip(self.counts.iter_mut()) {
            if let Some(col) = col {
                for ord in col.term_ords(doc) {
                    match counts.get_mut(ord as usize) {
                        Some(n) => *n += 1,
                        None => self.damaged = true,
                    }
                }
            }
        }
    }

    fn harvest(self) -> Self::Fruit {
        let damaged = self.damaged;
        self.columns
            .into_iter()
            .zip(self.counts)
            .map(|(column, counts)| SegmentCounts {
                column,
                counts,
                damaged,
            })
            .collect()
    }
}

/// The `n` most frequent values over the segments' counts of one field.
fn top_values(segs: Vec<SegmentCounts>, n: usize) -> std::io::Result<Vec<(String, u64)>> {
    if n == 0 || segs.is_empty() {
        return Ok(Vec::new());
    }
    if let [seg] = segs.as_slice() {
        let col = seg.column.as_ref().expect("kept segments have a column");
        // Ordinals follow the values' sorted order, so (count desc, ordinal asc) is
        // (count desc, value asc).
        let mut ords: Vec<u32> = (0..seg.counts.len() as u32)
            .filter(|&o| seg.counts[o as usize] > 0)
            .collect();
        let key = |o: &u32| (std::cmp::Reverse(seg.counts[*o as usize]), *o);
        if ords.len() > n {
            ords.select_nth_unstable_by_key(n - 1, key);
            ords.truncate(n);
        }
        ords.sort_unstable_by_key(key);
        let mut out = Vec::with_capacity(ords.len());
        for o in ords {
            let mut value = String::new();
            col.ord_to_str(o as u64, &mut value)?;
            out.push((value, seg.counts[o as usize] as u64));
        }
        return Ok(out);
    }
    // Several segments: walk their sorted dictionaries together.
    let mut streams = Vec::with_capacity(segs.len());
    for seg in &segs {
        let col = seg.column.as_ref().expect("kept segments have a column");
        let mut st = col.dictionary().stream()?;
        let live = st.advance();
        streams.push((st, live, &seg.counts));
    }
    // Min-heap on (count, reversed value) holding the best `n` so far.
    let mut best: std::collections::BinaryHeap<std::cmp::Reverse<(u64, std::cmp::Reverse<Vec<u8>>)>> =
        std::collections::BinaryHeap::with_capacity(n + 1);
    while let Some(min) = streams
        .iter()
        .filter(|(_, live, _)| *live)
        .map(|(st, _, _)| st.key())
        .min()
        .map(<[u8]>::to_vec)
    {
        let mut count = 0u64;
        for (st, live, counts) in streams.iter_mut() {
            if *live && st.key() == min.as_slice() {
                count += counts[st.term_ord() as usize] as u64;
                *live = st.advance();
            }
        }
        if count == 0 {
            continue;
        }
        let entry = std::cmp::Reverse((count, std::cmp::Reverse(min)));
        if best.len() < n {
            best.push(entry);
        } else if best.peek().is_some_and(|worst| entry < *worst) {
            best.pop();
            best.push(entry);
        }
    }
    let mut out: Vec<(String, u64)> = best
        .into_iter()
        .map(|std::cmp::Reverse((count, std::cmp::Reverse(key)))| (String::from_utf8_lossy(&key).into_owned(), count))
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(out)
}

/// Timeline bucket sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Interval {
    /// Calendar days.
    Day,
    /// ISO weeks, from Monday.
    Week,
    /// Calendar months.
    #[default]
    Month,
    /// Calendar years.
    Year,
}

impl Interval {
    /// Every interval, smallest first.
    pub const ALL: [Interval; 4] = [Interval::Day, Interval::Week, Interval::Month, Interval::Year];

    /// The interval's name in requests.
    pub fn name(self) -> &'static str {
        match self {
            Interval::Day => "day",
            Interval::Week => "week",
            Interval::Month => "month",
            Interval::Year => "year",
        }
    }
}

/// Articles in one interval.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Bucket {
    /// `2023-09-14`, `2023-W37`, `2023-09` or `2023`.
    pub key: String,
    /// First day of the interval.
    pub start: String,
    /// Matching articles dated in it.
    pub count: u64,
}

/// A timeline: counts per interval from the first to the last matching date (empty intervals
/// included), plus the matches without a date.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Timeline {
    /// The interval size.
    pub interval: Interval,
    /// What the counts count: articles, or stories (each once, at its earliest matching copy).
    #[serde(default)]
    pub counted: CountBy,
    /// All matching articles, dated or not.
    pub total: u64,
    /// Matching articles without a date.
    pub undated: u64,
    /// Every interval from the first match to the last, empty ones included.
    pub buckets: Vec<Bucket>,
    /// As in [`super::SearchResponse`]: the counts are over a relaxed query.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relaxed: Option<super::Relaxed>,
    /// As in [`super::SearchResponse`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approximate_names: Vec<super::ApproximateName>,
}

/// Counts matching documents per calendar day: each article's own ([`Fields::local_day`]),
/// or the day in the zone given.
#[derive(Clone)]
pub struct DayCollector {
    /// The zone days are counted in, if not each article's own.
    pub zone: Option<Zone>,
}

/// Where a segment's days come from.
enum SegmentDays {
    /// The articles' local days.
    Local(Column<i64>),
    /// The articles' dates, counted by their day in the zone.
    InZone(Column<DateTime>, Zone),
}

impl SegmentDays {
    /// The day of `doc`, none when it has no date.
    fn day(&self, doc: DocId) -> Option<i64> {
        match self {
            SegmentDays::Local(days) => days.first(doc),
            SegmentDays::InZone(dates, zone) => dates.first(doc).map(|d| zone.day_of(d.into_timestamp_secs())),
        }
    }
}

/// A [`DayCollector`]'s counts in one segment.
pub struct DaySegment {
    days_of: SegmentDays,
    days: HashMap<i64, u64>,
    undated: u64,
}

impl Collector for DayCollector {
    type Fruit = (HashMap<i64, u64>, u64);
    type Child = DaySegment;

    fn for_segment(&self, _: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<DaySegment> {
        let days_of = match &self.zone {
            None => SegmentDays::Local(reader.fast_fields().i64(Fields::LOCAL_DAY)?),
            Some(zone) => SegmentDays::InZone(reader.fast_fields().date(Fields::DATE)?, zone.clone()),
        };
        Ok(DaySegment {
            days_of,
            days: HashMap::new(),
            undated: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<(HashMap<i64, u64>, u64)>) -> tantivy::Result<Self::Fruit> {
        let mut days = HashMap::new();
        let mut undated = 0;
        for (d, u) in fruits {
            undated += u;
            for (k, v) in d {
                *days.entry(k).or_insert(0) += v;
            }
        }
        Ok((days, undated))
    }
}

impl SegmentCollector for DaySegment {
    type Fruit = (HashMap<i64, u64>, u64);

    fn collect(&mut self, doc: DocId, _: Score) {
        match self.days_of.day(doc) {
            Some(day) => *self.days.entry(day).or_insert(0) += 1,
            None => self.undated += 1,
        }
    }

    fn harvest(self) -> Self::Fruit {
        (self.days, self.undated)
    }
}

fn date_of_day(day: i64) -> Date {
    Date::constant(1970, 1, 1)
        .checked_add(jiff::Span::new().days(day))
        .unwrap_or(Date::constant(1970, 1, 1))
}

/// The first day of the interval holding `d`.
fn interval_start(d: Date, interval: Interval) -> Date {
    match interval {
        Interval::Day => d,
        Interval::Week => {
            let back = d.weekday().to_monday_zero_offset() as i64;
            d.checked_sub(jiff::Span::new().days(back)).unwrap_or(d)
        }
        Interval::Month => d.first_of_month(),
        Interval::Year => d.first_of_year(),
    }
}

fn next_start(d: Date, interval: Interval) -> Option<Date> {
    let span = match interval {
        Interval::Day => jiff::Span::new().days(1),
        Interval::Week => jiff::Span::new().weeks(1),
        Interval::Month => jiff::Span::new().months(1),
        Interval::Year => jiff::Span::new().years(1),
    };
    d.checked_add(span).ok()
}

fn key(d: Date, interval: Interval) -> String {
    match interval {
        Interval::Day => d.to_string(),
        Interval::Week => {
            let iso = d.iso_week_date();
            format!("{}-W{:02}", iso.year(), iso.week())
        }
        Interval::Month => format!("{:04}-{:02}", d.year(), d.month()),
        Interval::Year => format!("{:04}", d.year()),
    }
}

/// Longest timeline built (beyond it, empty intervals are no longer filled in).
const MAX_BUCKETS: usize = 50_000;

/// Turns day counts into a timeline.
pub fn timeline_from_days(days: HashMap<i64, u64>, undated: u64, interval: Interval) -> Timeline {
    let counts = interval_counts(&days, interval);
    let mut starts: Vec<Date> = counts.keys().copied().collect();
    starts.sort();
    let buckets = buckets(&counts, &shown_starts(&starts, interval), interval);
    let total = days.values().sum::<u64>() + undated;
    Timeline {
        interval,
        total,
        undated,
        buckets,
        counted: CountBy::Articles,
        relaxed: None,
        approximate_names: Vec::new(),
    }
}

/// Day counts summed per interval, by the interval's first day.
fn interval_counts(days: &HashMap<i64, u64>, interval: Interval) -> HashMap<Date, u64> {
    let mut counts: HashMap<Date, u64> = HashMap::new();
    for (day, n) in days {
        *counts.entry(interval_start(date_of_day(*day), interval)).or_insert(0) += n;
    }
    counts
}

/// The intervals a timeline shows, given the sorted first days of those holding articles:
/// every interval from the first to the last, or only those when that would be more than
/// [`MAX_BUCKETS`].
fn shown_starts(starts: &[Date], interval: Interval) -> Vec<Date> {
    let (Some(&first), Some(&last)) = (starts.first(), starts.last()) else {
        return Vec::new();
    };
    let mut shown = Vec::new();
    let mut d = first;
    while d <= last && shown.len() < MAX_BUCKETS {
        shown.push(d);
        match next_start(d, interval) {
            Some(n) => d = n,
            None => break,
        }
    }
    if shown.len() >= MAX_BUCKETS {
        return starts.to_vec();
    }
    shown
}

/// One bucket per shown interval, with its count (0 when it holds no article).
fn buckets(counts: &HashMap<Date, u64>, shown: &[Date], interval: Interval) -> Vec<Bucket> {
    shown
        .iter()
        .map(|d| Bucket {
            key: key(*d, interval),
            start: d.to_string(),
            count: counts.get(d).copied().unwrap_or(0),
        })
        .collect()
}

pub(crate) fn facet_counts(field: &str, values: Vec<(String, u64)>) -> Vec<FacetCount> {
    let countries = field == Fields::COUNTRY;
    values
        .into_iter()
        .map(|(value, count)| {
            let name = countries
                .then(|| gazetteer::country_name(&value).map(str::to_string))
                .flatten();
            FacetCount { value, name, count }
        })
        .collect()
}

/// One facet's top values for a request: what `warta facets --json` prints and
/// `GET /api/facets/{field}` returns.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FacetsResponse {
    /// The facet field counted.
    pub field: String,
    /// The query as given.
    pub query: String,
    /// What `total` and the counts count: articles, or stories (copies of one text once).
    #[serde(default)]
    pub counted: CountBy,
    /// Articles (or stories) matching the request.
    pub total: usize,
    /// The top values, most frequent first.
    pub values: Vec<FacetCount>,
    /// Set when no article matched every term and the counts are over articles matching fewer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relaxed: Option<Relaxed>,
    /// As in [`super::SearchResponse`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approximate_names: Vec<ApproximateName>,
}

/// [`facet`] as a [`FacetsResponse`].
pub fn facets_response(
    wi: &WartaIndex,
    field: &str,
    req: &SearchRequest,
    top: usize,
) -> Result<FacetsResponse, SearchError> {
    let field = facet_field(field)?;
    let searcher = wi.searcher()?;
    let (query, relaxed, approximate_names) = request_query(wi, &searcher, req)?;
    let (total, values) = facet_on(&searcher, &*query, &field, req, top, &wi.stories())?;
    Ok(FacetsResponse {
        field,
        query: req.query.clone(),
        counted: req.count,
        total,
        values,
        relaxed,
        approximate_names,
    })
}

/// The facet field a user means ("countries", "language" ...), or an error naming the valid ones.
pub fn facet_field(field: &str) -> Result<String, SearchError> {
    let field = match field.trim().to_lowercase().as_str() {
        "persons" => "person".to_string(),
        "countries" => "country".to_string(),
        "orgs" | "organization" | "organizations" => "org".to_string(),
        "places" => "place".to_string(),
        "sources" => "source".to_string(),
        "language" | "languages" => "lang".to_string(),
        other => other.to_string(),
    };
    if !FACET_FIELDS.contains(&field.as_str()) {
        return Err(SearchError::FacetField(field));
    }
    Ok(field)
}

/// The top `top` values of one facet field over all articles matching the request, and the
/// number of matches.
pub fn facet(
    wi: &WartaIndex,
    field: &str,
    req: &SearchRequest,
    top: usize,
) -> Result<(usize, Vec<FacetCount>), SearchError> {
    let field = facet_field(field)?;
    let searcher = wi.searcher()?;
    let (query, ..) = request_query(wi, &searcher, req)?;
    facet_on(&searcher, &*query, &field, req, top, &wi.stories())
}

/// The top `top` values of `field` over the articles matching `query`, and their number.
pub(crate) fn facet_on(
    searcher: &Searcher,
    query: &dyn Query,
    field: &str,
    req: &SearchRequest,
    top: usize,
    stories: &Stories,
) -> Result<(usize, Vec<FacetCount>), SearchError> {
    let field = field.to_string();
    let collector = FacetCollector {
        fields: vec![field.clone()],
        top,
    };
    let counting = count_matches(searcher, query, req, stories, (Count, collector));
    let (total, mut counts) = unless_cancelled(&req.cancel, counting)?;
    Ok((total, facet_counts(&field, counts.pop().unwrap_or_default())))
}

/// Matching articles counted per interval.
pub fn timeline(wi: &WartaIndex, req: &SearchRequest, interval: Interval) -> Result<Timeline, SearchError> {
    let searcher = wi.searcher()?;
    let (query, relaxed, approximate_names) = request_query(wi, &searcher, req)?;
    let by_day = DayCollector { zone: req.zone()? };
    let counting = count_matches(&searcher, &query, req, &wi.stories(), by_day);
    let (days, undated) = unless_cancelled(&req.cancel, counting)?;
    Ok(Timeline {
        counted: req.count,
        relaxed,
        approximate_names,
        ..timeline_from_days(days, undated, interval)
    })
}

/// One entity's articles per interval, in a [`TimelineSeries`].
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Series {
    /// The entity's name as given.
    pub entity: String,
    /// `person`, `country`, `org` or `place`.
    pub kind: String,
    /// The entity's matching articles, dated or not.
    pub total: u64,
    /// Those without a date.
    pub undated: u64,
    /// The same intervals in every series of a [`TimelineSeries`].
    pub buckets: Vec<Bucket>,
    /// As in [`super::SearchResponse`]: the counts are over a relaxed query.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relaxed: Option<super::Relaxed>,
    /// As in [`super::SearchResponse`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approximate_names: Vec<super::ApproximateName>,
}

/// Timelines of several entities side by side: one series per entity filter, over the
/// same intervals.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TimelineSeries {
    /// The interval size.
    pub interval: Interval,
    /// One per entity filter: persons, then countries, orgs and places, each in the order given.
    pub series: Vec<Series>,
}

/// One series per entity filter of the request instead of their intersection: each entity's
/// own articles per interval, with the query, dates, sources and language applied. Every
/// series has the same buckets, from the first interval any series has an article in to the
/// last.
pub fn timeline_series(
    wi: &WartaIndex,
    req: &SearchRequest,
    interval: Interval,
) -> Result<TimelineSeries, SearchError> {
    let entities = req.entity_filters();
    if entities.is_empty() {
        return Err(SearchError::NoEntity("a timeline with series"));
    }
    let searcher = wi.searcher()?;
    let by_day = DayCollector { zone: req.zone()? };
    let mut counted = Vec::with_capacity(entities.len());
    for (kind, name) in entities {
        let one = req.with_only_entity(kind, name);
        let (query, relaxed, approximate_names) = request_query(wi, &searcher, &one)?;
        let counting = count_matches(&searcher, &query, req, &wi.stories(), by_day.clone());
        let (days, undated) = unless_cancelled(&req.cancel, counting)?;
        let series = Series {
            entity: name.to_string(),
            kind: Fields::entity_field_name(kind).to_string(),
            total: days.values().sum::<u64>() + undated,
            undated,
            buckets: Vec::new(),
            relaxed,
            approximate_names,
        };
        counted.push((series, interval_counts(&days, interval)));
    }
    let mut starts: Vec<Date> = counted.iter().flat_map(|(_, counts)| counts.keys().copied()).collect();
    starts.sort();
    starts.dedup();
    let shown = shown_starts(&starts, interval);
    let series = counted
        .into_iter()
        .map(|(series, counts)| Series {
            buckets: buckets(&counts, &shown, interval),
            ..series
        })
        .collect();
    Ok(TimelineSeries { interval, series })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> i64 {
        let d: Date = s.parse().unwrap();
        (d - Date::constant(1970, 1, 1)).get_days() as i64
    }

    #[test]
    fn buckets_fill_gaps_and_label_intervals() {
        let days = HashMap::from([(day("2023-09-14"), 2), (day("2023-09-13"), 1), (day("2023-11-02"), 1)]);
        let t = timeline_from_days(days.clone(), 3, Interval::Month);
        assert_eq!(t.total, 7);
        let keys: Vec<(&str, u64)> = t.buckets.iter().map(|b| (b.key.as_str(), b.count)).collect();
        assert_eq!(keys, [("2023-09", 3), ("2023-10", 0), ("2023-11", 1)]);
        let w = timeline_from_days(days.clone(), 0, Interval::Week);
        assert_eq!(w.buckets[0].key, "2023-W37");
        assert_eq!(w.buckets[0].start, "2023-09-11");
        assert_eq!(w.buckets[0].count, 3);
        let y = timeline_from_days(days, 0, Interval::Year);
        assert_eq!(y.buckets.len(), 1);
        assert_eq!(y.buckets[0].key, "2023");
    }

    /// Series share their intervals: each is filled over the union of all of them.
    #[test]
    fn shown_intervals_cover_every_series() {
        let a = interval_counts(&HashMap::from([(day("2023-09-14"), 2)]), Interval::Month);
        let b = interval_counts(&HashMap::from([(day("2023-11-02"), 1)]), Interval::Month);
        let mut starts: Vec<Date> = a.keys().chain(b.keys()).copied().collect();
        starts.sort();
        let shown = shown_starts(&starts, Interval::Month);
        let keys = |counts| -> Vec<(String, u64)> {
            buckets(counts, &shown, Interval::Month)
                .into_iter()
                .map(|b| (b.key, b.count))
                .collect()
        };
        let month = |k: &str, n| (k.to_string(), n);
        assert_eq!(
            keys(&a),
            [month("2023-09", 2), month("2023-10", 0), month("2023-11", 0)]
        );
        assert_eq!(
            keys(&b),
            [month("2023-09", 0), month("2023-10", 0), month("2023-11", 1)]
        );
        assert!(shown_starts(&[], Interval::Month).is_empty());
    }
}
