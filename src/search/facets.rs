//! Counting over all matching articles: facet values (persons, countries, orgs, places,
//! sources, languages) and articles per day, week, month or year.
//!
//! Both are tantivy collectors over fast fields, so counts cover every match, not only the
//! page of hits shown.

use std::collections::HashMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DateTime, DocId, Score, SegmentOrdinal, SegmentReader};

/// Fields that can be counted.
pub const FACET_FIELDS: [&str; 6] = ["person", "country", "org", "place", "source", "lang"];

/// One counted value.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FacetCount {
    pub value: String,
    /// Display name (countries: the English name of the ISO code).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub count: u64,
}

/// Counts the values of string fast fields over the matching documents.
pub struct FacetCollector {
    pub fields: Vec<String>,
}

pub struct FacetSegment {
    columns: Vec<Option<StrColumn>>,
    counts: Vec<Vec<u32>>,
}

impl Collector for FacetCollector {
    type Fruit = Vec<HashMap<String, u64>>;
    type Child = FacetSegment;

    fn for_segment(&self, _: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<FacetSegment> {
        let mut columns = Vec::new();
        let mut counts = Vec::new();
        for f in &self.fields {
            let col = reader.fast_fields().str(f)?;
            counts.push(vec![0u32; col.as_ref().map_or(0, |c| c.num_terms())]);
            columns.push(col);
        }
        Ok(FacetSegment { columns, counts })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<HashMap<String, u64>>>) -> tantivy::Result<Self::Fruit> {
        let mut merged = vec![HashMap::new(); self.fields.len()];
        for fruit in fruits {
            for (i, map) in fruit.into_iter().enumerate() {
                for (k, v) in map {
                    *merged[i].entry(k).or_insert(0) += v;
                }
            }
        }
        Ok(merged)
    }
}

impl SegmentCollector for FacetSegment {
    type Fruit = Vec<HashMap<String, u64>>;

    fn collect(&mut self, doc: DocId, _: Score) {
        for (col, counts) in self.columns.iter().zip(self.counts.iter_mut()) {
            if let Some(col) = col {
                for ord in col.term_ords(doc) {
                    counts[ord as usize] += 1;
                }
            }
        }
    }

    fn harvest(self) -> Self::Fruit {
        let mut out = Vec::with_capacity(self.columns.len());
        let mut buf = String::new();
        for (col, counts) in self.columns.iter().zip(&self.counts) {
            let mut map = HashMap::new();
            if let Some(col) = col {
                for (ord, &n) in counts.iter().enumerate() {
                    if n > 0 {
                        buf.clear();
                        if col.ord_to_str(ord as u64, &mut buf).unwrap_or(false) {
                            map.insert(buf.clone(), n as u64);
                        }
                    }
                }
            }
            out.push(map);
        }
        out
    }
}

/// The top `n` values of a count map, most frequent first (ties by value).
pub fn top(map: HashMap<String, u64>, n: usize) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = map.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v.truncate(n);
    v
}

/// Timeline bucket sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum, Default)]
#[serde(rename_all = "lowercase")]
pub enum Interval {
    Day,
    Week,
    #[default]
    Month,
    Year,
}

/// Articles in one interval.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Bucket {
    /// `2023-09-14`, `2023-W37`, `2023-09` or `2023`.
    pub key: String,
    /// First day of the interval.
    pub start: String,
    pub count: u64,
}

/// A timeline: counts per interval from the first to the last matching date (empty intervals
/// included), plus the matches without a date.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Timeline {
    pub interval: Interval,
    pub total: u64,
    pub undated: u64,
    pub buckets: Vec<Bucket>,
}

/// Counts matching documents per UTC day.
pub struct DayCollector;

pub struct DaySegment {
    dates: Column<DateTime>,
    days: HashMap<i64, u64>,
    undated: u64,
}

impl Collector for DayCollector {
    type Fruit = (HashMap<i64, u64>, u64);
    type Child = DaySegment;

    fn for_segment(&self, _: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<DaySegment> {
        Ok(DaySegment {
            dates: reader.fast_fields().date("date")?,
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
        match self.dates.first(doc) {
            Some(d) => *self.days.entry(d.into_timestamp_secs().div_euclid(86_400)).or_insert(0) += 1,
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
pub fn timeline(days: HashMap<i64, u64>, undated: u64, interval: Interval) -> Timeline {
    let mut counts: HashMap<Date, u64> = HashMap::new();
    for (day, n) in &days {
        *counts.entry(interval_start(date_of_day(*day), interval)).or_insert(0) += n;
    }
    let mut starts: Vec<Date> = counts.keys().copied().collect();
    starts.sort();
    let mut buckets = Vec::new();
    if let (Some(&first), Some(&last)) = (starts.first(), starts.last()) {
        let mut d = first;
        while d <= last && buckets.len() < MAX_BUCKETS {
            buckets.push(Bucket {
                key: key(d, interval),
                start: d.to_string(),
                count: counts.get(&d).copied().unwrap_or(0),
            });
            match next_start(d, interval) {
                Some(n) => d = n,
                None => break,
            }
        }
        if buckets.len() >= MAX_BUCKETS {
            buckets = starts
                .iter()
                .map(|d| Bucket {
                    key: key(*d, interval),
                    start: d.to_string(),
                    count: counts[d],
                })
                .collect();
        }
    }
    let total = days.values().sum::<u64>() + undated;
    Timeline {
        interval,
        total,
        undated,
        buckets,
    }
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
        let t = timeline(days.clone(), 3, Interval::Month);
        assert_eq!(t.total, 7);
        let keys: Vec<(&str, u64)> = t.buckets.iter().map(|b| (b.key.as_str(), b.count)).collect();
        assert_eq!(keys, [("2023-09", 3), ("2023-10", 0), ("2023-11", 1)]);
        let w = timeline(days.clone(), 0, Interval::Week);
        assert_eq!(w.buckets[0].key, "2023-W37");
        assert_eq!(w.buckets[0].start, "2023-09-11");
        assert_eq!(w.buckets[0].count, 3);
        let y = timeline(days, 0, Interval::Year);
        assert_eq!(y.buckets.len(), 1);
        assert_eq!(y.buckets[0].key, "2023");
    }
}
