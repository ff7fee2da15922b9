//! What a search asks for: [`SearchRequest`] (query, filters, order, page), its limits, and
//! the checks made before any index is read.

use jiff::civil::Date;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::cancel::Cancel;
use super::SearchError;
use crate::extract::gazetteer::Kind;
use crate::ingest::date::Zone;

/// The deepest result a search may reach, `offset + limit`: ranking keeps that many candidates,
/// so paging deeper would cost memory without bound (Elasticsearch's `max_result_window`).
pub const MAX_RESULT_WINDOW: usize = 10_000;
/// The longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 1000;
/// The most indexed words the prefixes (`word*`) of one query may stand for, counted in the
/// field and segment where each stands for most: every one is searched.
pub const MAX_PREFIX_TERMS: usize = 10_000;

/// Result order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// Best BM25 match first (newest first when there is no query).
    #[default]
    Relevance,
    /// Latest publication date first.
    Newest,
    /// Earliest publication date first.
    Oldest,
}

impl Sort {
    /// Every order.
    pub const ALL: [Sort; 3] = [Sort::Relevance, Sort::Newest, Sort::Oldest];

    /// The order's name in requests.
    pub fn name(self) -> &'static str {
        match self {
            Sort::Relevance => "relevance",
            Sort::Newest => "newest",
            Sort::Oldest => "oldest",
        }
    }
}

/// What counts count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum CountBy {
    /// Every matching article.
    #[default]
    Articles,
    /// Each story once, however many of its copies match.
    Stories,
}

impl CountBy {
    /// Every choice.
    pub const ALL: [CountBy; 2] = [CountBy::Articles, CountBy::Stories];

    /// The choice's name in requests.
    pub fn name(self) -> &'static str {
        match self {
            CountBy::Articles => "articles",
            CountBy::Stories => "stories",
        }
    }
}

/// A search: query text, filters, order and page. In JSON every field is optional, a list
/// takes one value or several, and each field also answers to the web API's query-parameter
/// name (`q`, `person`, `country`, `org`, `place`, `source`): one vocabulary for every client.
/// Unknown fields are errors, so a misspelt filter never silently widens a search.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SearchRequest {
    /// Query text in the query syntax; empty lists every article that passes the filters.
    #[serde(alias = "q")]
    pub query: String,
    /// Inclusive lower date bound: `YYYY`, `YYYY-MM`, `YYYY-MM-DD` or RFC 3339.
    pub from: Option<String>,
    /// Inclusive upper date bound, same forms; a day, month or year includes all of it.
    pub to: Option<String>,
    /// The time zone days are counted in (by `from`/`to` given as days, months or years, and
    /// by timelines) and dates are shown in, for every article: `UTC`, an offset (`+07:00`),
    /// `WIB`, `WITA`, `WIT` or an IANA name (`Asia/Jakarta`). Without it each article's own
    /// calendar day counts and its date is shown as published.
    pub tz: Option<String>,
    /// Any of these sources (case-insensitive).
    #[serde(alias = "source", deserialize_with = "one_or_many")]
    pub sources: Vec<String>,
    /// Only articles in this language (ISO 639-1 code, or a language name as metadata gives it).
    pub lang: Option<String>,
    /// All of these persons (any alias or partial name).
    #[serde(alias = "person", deserialize_with = "one_or_many")]
    pub persons: Vec<String>,
    /// All of these countries (ISO code or any name in any supported language).
    #[serde(alias = "country", deserialize_with = "one_or_many")]
    pub countries: Vec<String>,
    /// Canonical names of the organizations mentioned.
    #[serde(alias = "org", deserialize_with = "one_or_many")]
    pub orgs: Vec<String>,
    /// Canonical names of the places mentioned.
    #[serde(alias = "place", deserialize_with = "one_or_many")]
    pub places: Vec<String>,
    /// Result order.
    pub sort: Sort,
    /// Hits per page.
    pub limit: usize,
    /// Hits to skip.
    pub offset: usize,
    /// Count facet values over all matches.
    pub facets: bool,
    /// Only articles with every term: never relax the query (see [`super::Relaxed`]).
    pub strict: bool,
    /// Show each story once, as its best-ranked article naming its other copies (the
    /// default); `false` shows every copy.
    pub collapse: bool,
    /// What facets and timelines count: articles (the default) or stories (copies of one
    /// text once).
    pub count: CountBy,
    /// Set by the caller to call the search off (never part of the JSON request).
    #[serde(skip)]
    pub cancel: Cancel,
}

/// A list given as one string or as several.
fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    })
}

impl Default for SearchRequest {
    fn default() -> Self {
        SearchRequest {
            query: String::new(),
            from: None,
            to: None,
            tz: None,
            sources: vec![],
            lang: None,
            persons: vec![],
            countries: vec![],
            orgs: vec![],
            places: vec![],
            sort: Sort::Relevance,
            limit: 10,
            offset: 0,
            facets: false,
            strict: false,
            collapse: true,
            count: CountBy::Articles,
            cancel: Cancel::default(),
        }
    }
}

impl SearchRequest {
    /// The entity filters, in the order persons, countries, orgs, places: each kind with a
    /// name as given.
    pub fn entity_filters(&self) -> Vec<(Kind, &str)> {
        let kinds = [
            (Kind::Person, &self.persons),
            (Kind::Country, &self.countries),
            (Kind::Org, &self.orgs),
            (Kind::Place, &self.places),
        ];
        kinds
            .into_iter()
            .flat_map(|(kind, names)| names.iter().map(move |n| (kind, n.as_str())))
            .collect()
    }

    /// This request with one entity filter in place of all of them (query, dates, sources and
    /// language kept).
    pub fn with_only_entity(&self, kind: Kind, name: &str) -> SearchRequest {
        let mut one = SearchRequest {
            persons: vec![],
            countries: vec![],
            orgs: vec![],
            places: vec![],
            ..self.clone()
        };
        let names = match kind {
            Kind::Person => &mut one.persons,
            Kind::Country => &mut one.countries,
            Kind::Org => &mut one.orgs,
            Kind::Place => &mut one.places,
        };
        names.push(name.to_string());
        one
    }

    /// The time zone asked for, if any; a name that names no zone is an error.
    pub fn zone(&self) -> Result<Option<Zone>, SearchError> {
        Ok(self.tz.as_deref().map(Zone::parse).transpose()?)
    }
}

/// The bounds every request must respect: a query of at most [`MAX_QUERY_CHARS`], and
/// `offset + limit` within [`MAX_RESULT_WINDOW`] so the ranking's candidates stay bounded;
/// and a time zone that names one.
pub fn check_request(req: &SearchRequest) -> Result<(), SearchError> {
    if req.query.chars().count() > MAX_QUERY_CHARS {
        return Err(SearchError::QueryTooLong);
    }
    req.zone()?;
    match req.offset.checked_add(req.limit) {
        Some(end) if end <= MAX_RESULT_WINDOW => Ok(()),
        _ => Err(SearchError::Window {
            offset: req.offset,
            limit: req.limit,
        }),
    }
}

/// One end of a date range: a calendar day (of a day, month or year given), or an instant
/// (of an RFC 3339 time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateBound {
    /// Days since 1970-01-01, counted in whichever calendar the search counts days in.
    Day(i64),
    /// Unix seconds.
    Instant(i64),
}

impl DateBound {
    /// The bound in Unix seconds, a day taken at its UTC midnight.
    pub fn utc_second(self) -> i64 {
        match self {
            DateBound::Day(day) => day * 86_400,
            DateBound::Instant(second) => second,
        }
    }
}

/// A date bound. Lower bounds are the start of the period given; upper bounds the start of
/// the next period (exclusive), so `--to 2023-09` includes all of September. The period after
/// the last one a date can name (9999-12-31) starts past every date.
pub fn date_bound(value: &str, upper: bool) -> Option<DateBound> {
    let v = value.trim();
    if let Ok(ts) = v.parse::<Timestamp>() {
        return Some(DateBound::Instant(ts.as_second() + i64::from(upper)));
    }
    let parts: Vec<&str> = v.split('-').collect();
    let nums: Option<Vec<i64>> = parts.iter().map(|p| p.parse::<i64>().ok()).collect();
    let nums = nums?;
    let (start, period) = match (nums.as_slice(), parts[0].len()) {
        ([y], 4) => (Date::new(*y as i16, 1, 1).ok()?, jiff::Span::new().years(1)),
        ([y, m], 4) => (
            Date::new(*y as i16, i8::try_from(*m).ok()?, 1).ok()?,
            jiff::Span::new().months(1),
        ),
        ([y, m, d], 4) => (
            Date::new(*y as i16, i8::try_from(*m).ok()?, i8::try_from(*d).ok()?).ok()?,
            jiff::Span::new().days(1),
        ),
        _ => return None,
    };
    // Counted in days: a timestamp cannot hold the last days a date can name.
    let days = |date: Date| -> Option<i64> { Some(i64::from(Date::constant(1970, 1, 1).until(date).ok()?.get_days())) };
    let day = match (upper, start.checked_add(period)) {
        (false, _) => days(start)?,
        (true, Ok(next)) => days(next)?,
        (true, Err(_)) => days(Date::MAX)? + 1,
    };
    Some(DateBound::Day(day))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::Timestamp;

    #[test]
    fn date_bounds_cover_whole_periods() {
        let ts = |s: &str| s.parse::<Timestamp>().unwrap().as_second();
        let date_bound = |v: &str, upper: bool| date_bound(v, upper).map(DateBound::utc_second);
        assert_eq!(date_bound("2023", false), Some(ts("2023-01-01T00:00:00Z")));
        assert_eq!(date_bound("2023", true), Some(ts("2024-01-01T00:00:00Z")));
        assert_eq!(date_bound("2023-09", true), Some(ts("2023-10-01T00:00:00Z")));
        assert_eq!(date_bound("2023-12", true), Some(ts("2024-01-01T00:00:00Z")));
        assert_eq!(date_bound("2023-09-14", false), Some(ts("2023-09-14T00:00:00Z")));
        assert_eq!(date_bound("2023-09-14", true), Some(ts("2023-09-15T00:00:00Z")));
        assert_eq!(
            date_bound("2023-09-14T10:00:00+07:00", false),
            Some(ts("2023-09-14T03:00:00Z"))
        );
        assert_eq!(date_bound("2023-13", false), None);
        assert_eq!(date_bound("2023-265", false), None, "no month wraps around");
        // The last day a date can name is a date like any other.
        assert_eq!(date_bound("9999-12-31", false), Some(253_402_214_400));
        assert_eq!(date_bound("9999-12-31", true), Some(253_402_214_400 + 86_400));
        assert!(date_bound("9999-12-31", true) > date_bound("9999-12-31", false));
        assert!(date_bound("9999", true) > date_bound("9999-12-31", false));
        assert_eq!(date_bound("soon", false), None);
    }

    /// Days, months and years are calendar days (counted where each article was published,
    /// or in the zone asked for); RFC 3339 times are instants.
    #[test]
    fn periods_are_days_and_times_instants() {
        assert_eq!(date_bound("2021-01-15", false), Some(DateBound::Day(18_642)));
        assert_eq!(date_bound("2021-01-15", true), Some(DateBound::Day(18_643)));
        assert_eq!(date_bound("2021-01", true), Some(DateBound::Day(18_659)));
        assert_eq!(
            date_bound("2021-01-15T03:10:00+08:00", false),
            Some(DateBound::Instant(1_610_651_400))
        );
    }
}
