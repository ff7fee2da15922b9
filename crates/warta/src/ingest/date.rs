//! Publication dates as news sites print them, in English and Indonesian: the instant, and
//! the offset from UTC the source wrote it in ([`PubDate`]); and the time zones a user may
//! ask dates to be shown and counted in ([`Zone`]).
//!
//! Accepted: RFC 3339 / ISO 8601 (`2023-09-14`, `2023-09-14T10:15:00+07:00`, `...Z`, a date-time
//! without zone is read as UTC), `2023/09/14`, RFC 2822, and day-month-year or month-day-year with
//! month names in English or Indonesian (`14 September 2023`, `September 14, 2023`,
//! `Kamis, 14 September 2023 10:15 WIB`, `5 Agu 2024`), with an optional time and zone
//! (WIB = UTC+7, WITA = UTC+8, WIT = UTC+9, numeric offsets, a few common abbreviations).
//! Numeric dates such as `04/03/2024` are accepted only when day and month cannot be confused:
//! a date is never guessed. `Z`, `-00:00`, a date alone and a time without zone give no
//! offset (RFC 9557: the local time is unknown).

use std::fmt;

use jiff::civil::{Date, DateTime, Time};
use jiff::fmt::temporal::{Pieces, PiecesOffset};
use jiff::tz::{Offset, TimeZone};
use jiff::Timestamp;

/// A publication date: the instant, and the offset from UTC its source gave, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PubDate {
    /// The instant.
    pub at: Timestamp,
    /// The source's offset from UTC; none when it gave none (the date is then shown in UTC).
    pub offset: Option<Offset>,
}

impl PubDate {
    /// A date whose source gave no offset.
    pub fn utc(at: Timestamp) -> PubDate {
        PubDate { at, offset: None }
    }

    /// The calendar day of publication where it was published, in days since 1970-01-01:
    /// the day in the source's offset, or in UTC when it gave none.
    pub fn local_day(&self) -> i64 {
        day_at(self.at.as_second(), self.offset.map_or(0, Offset::seconds))
    }

    /// The same instant as a clock in `zone` shows it.
    pub fn in_zone(&self, zone: &Zone) -> PubDate {
        PubDate {
            at: self.at,
            offset: Some(zone.offset_at(self.at)),
        }
    }
}

/// RFC 3339 in the source's offset (`2021-01-15T03:10:00+08:00`), or in UTC (`...Z`) when it
/// gave none.
impl fmt::Display for PubDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.offset {
            Some(offset) => write!(f, "{}", self.at.display_with_offset(offset)),
            None => write!(f, "{}", self.at),
        }
    }
}

/// The calendar day, in days since 1970-01-01, of Unix second `second` on a clock
/// `offset_seconds` east of UTC.
pub fn day_at(second: i64, offset_seconds: i32) -> i64 {
    (second + i64::from(offset_seconds)).div_euclid(86_400)
}

/// A time zone a user asks dates to be shown and days to be counted in: `UTC`, an offset
/// (`+07:00`, `-0330`, `UTC+7`), an abbreviation dates are written with (`WIB`, `WITA`,
/// `WIT`...) or an IANA name (`Asia/Jakarta`, from the system's time zone database, else
/// the copy built into warta).
#[derive(Debug, Clone)]
pub struct Zone(TimeZone);

/// A time zone name that names no zone, with the IANA names closest to it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown time zone {name:?}: use UTC, an offset such as +07:00, WIB, WITA, WIT or a name such as Asia/Jakarta{}",
    if suggestions.is_empty() { String::new() } else { format!("; did you mean: {}?", suggestions.join(", ")) }
)]
pub struct ZoneError {
    /// The zone as given.
    pub name: String,
    /// Known zone names close to it.
    pub suggestions: Vec<String>,
}

impl Zone {
    /// Reads a zone as a user writes it (see [`Zone`]); abbreviations and offsets are read as
    /// in publication dates.
    pub fn parse(name: &str) -> Result<Zone, ZoneError> {
        let s = name.trim();
        let toks = tokenize(s);
        if let Ok((Some(seconds), used)) = zone_part(&toks, 0) {
            if used == toks.len() {
                if let Ok(offset) = Offset::from_seconds(seconds) {
                    return Ok(Zone(TimeZone::fixed(offset)));
                }
            }
        }
        if !s.is_empty() {
            if let Ok(tz) = TimeZone::get(s) {
                return Ok(Zone(tz));
            }
        }
        Err(ZoneError {
            name: name.to_string(),
            suggestions: zone_suggestions(s),
        })
    }

    /// The zone's offset from UTC at `at`.
    pub fn offset_at(&self, at: Timestamp) -> Offset {
        self.0.to_offset(at)
    }

    /// The calendar day of Unix second `second` in this zone, in days since 1970-01-01.
    pub fn day_of(&self, second: i64) -> i64 {
        let offset = Timestamp::from_second(second).map_or(0, |at| self.offset_at(at).seconds());
        day_at(second, offset)
    }

    /// The first instant of `day` (days since 1970-01-01) in this zone, in Unix seconds; days
    /// beyond the calendar's range start at their UTC midnight.
    pub fn start_of_day(&self, day: i64) -> i64 {
        let utc_midnight = day * 86_400;
        let start = Date::constant(1970, 1, 1)
            .checked_add(jiff::Span::new().days(day))
            .and_then(|date| {
                self.0
                    .to_ambiguous_timestamp(date.to_datetime(Time::midnight()))
                    .compatible()
            });
        start.map_or(utc_midnight, |at| at.as_second())
    }
}

/// Up to five IANA zone names most like `typed` (case aside), as a whole or by their city:
/// `Jakarta` suggests `Asia/Jakarta`.
fn zone_suggestions(typed: &str) -> Vec<String> {
    let typed = typed.to_lowercase();
    let likeness = |name: &str| {
        let name = name.to_lowercase();
        let city = name.rsplit('/').next().unwrap_or(&name);
        strsim::jaro_winkler(&typed, &name).max(strsim::jaro_winkler(&typed, city))
    };
    let mut scored: Vec<(f64, String)> = jiff::tz::db()
        .available()
        .map(|name| {
            let name = name.as_str().to_string();
            (likeness(&name), name)
        })
        .filter(|(score, _)| *score >= 0.8)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    scored.into_iter().take(5).map(|(_, name)| name).collect()
}

/// Why a date string could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// No known date format.
    #[error("unrecognised date {0:?}")]
    Unrecognised(String),
    /// A numeric date whose day and month could be swapped.
    #[error("ambiguous date {0:?}: day and month order cannot be told apart")]
    Ambiguous(String),
    /// A date in a known format that names no real instant (the string, and why).
    #[error("invalid date {0:?}: {1}")]
    Invalid(String, String),
}

/// The earliest and latest instants the index can store (tantivy keeps dates as nanoseconds
/// in an i64: 1677-09-21 to 2262-04-11), as Unix seconds; a date outside is reported.
pub const MIN_SECONDS: i64 = i64::MIN / 1_000_000_000 + 1;
/// See [`MIN_SECONDS`].
pub const MAX_SECONDS: i64 = i64::MAX / 1_000_000_000 - 1;

/// Parses a publication date, keeping the offset it was written in.
pub fn parse_date(input: &str) -> Result<PubDate, DateError> {
    let date = parse_any(input)?;
    if !(MIN_SECONDS..=MAX_SECONDS).contains(&date.at.as_second()) {
        return Err(DateError::Invalid(
            input.to_string(),
            "outside the years 1678 to 2261".to_string(),
        ));
    }
    Ok(date)
}

fn parse_any(input: &str) -> Result<PubDate, DateError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(DateError::Unrecognised(input.to_string()));
    }
    if let Ok(at) = s.parse::<Timestamp>() {
        return Ok(PubDate {
            at,
            offset: rfc3339_offset(s),
        });
    }
    if let Some(at) = iso_local(s) {
        return Ok(PubDate::utc(at));
    }
    if let Ok(zoned) = jiff::fmt::rfc2822::parse(s) {
        return Ok(PubDate {
            at: zoned.timestamp(),
            offset: Some(zoned.offset()),
        });
    }
    parse_tokens(s).map_err(|e| match e {
        TokenError::NoMatch => DateError::Unrecognised(input.to_string()),
        TokenError::Ambiguous => DateError::Ambiguous(input.to_string()),
        TokenError::Invalid(why) => DateError::Invalid(input.to_string(), why),
    })
}

/// The offset an RFC 3339 time was written with; none for `Z` and `-00:00`, which say the
/// local time is unknown.
fn rfc3339_offset(s: &str) -> Option<Offset> {
    match Pieces::parse(s).ok()?.offset()? {
        PiecesOffset::Numeric(n) if !n.is_negative() || n.offset() != Offset::UTC => Some(n.offset()),
        _ => None,
    }
}

/// `YYYY-MM-DDTHH:MM:SS` without an offset, read as UTC as [`parse_tokens`] reads it, but
/// without its token strings and the RFC 2822 parser's error (the Reuters corpus dates all
/// its 21,000 articles so: 3,400 instructions a date before, about 100 now). None for any
/// other shape or an impossible date, which the general path then reads or reports.
fn iso_local(s: &str) -> Option<Timestamp> {
    let b = s.as_bytes();
    if b.len() != 19 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<i64> {
        b[from..to]
            .iter()
            .try_fold(0i64, |n, &d| d.is_ascii_digit().then(|| n * 10 + i64::from(d - b'0')))
    };
    let dt = DateTime::new(
        i16::try_from(num(0, 4)?).ok()?,
        i8::try_from(num(5, 7)?).ok()?,
        i8::try_from(num(8, 10)?).ok()?,
        i8::try_from(num(11, 13)?).ok()?,
        i8::try_from(num(14, 16)?).ok()?,
        i8::try_from(num(17, 19)?).ok()?,
        0,
    )
    .ok()?;
    TimeZone::UTC.to_timestamp(dt).ok()
}

/// Reads a number as a Unix time: seconds, or milliseconds when it is too large for seconds.
pub fn parse_epoch(n: f64) -> Option<PubDate> {
    if !n.is_finite() {
        return None;
    }
    let secs = if n.abs() >= 1e11 { n / 1000.0 } else { n };
    let secs = secs as i64;
    if !(MIN_SECONDS..=MAX_SECONDS).contains(&secs) {
        return None;
    }
    Timestamp::from_second(secs).ok().map(PubDate::utc)
}

enum TokenError {
    NoMatch,
    Ambiguous,
    Invalid(String),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(String),
    Word(String),
    Sep(char),
}

fn tokenize(s: &str) -> Vec<Tok> {
    let mut toks = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_ascii_digit() {
            let mut n = String::new();
            while let Some(&d) = chars.peek() {
                if d.is_ascii_digit() {
                    n.push(d);
                    chars.next();
                } else {
                    break;
                }
            }
            toks.push(Tok::Num(n));
        } else if c.is_alphabetic() {
            let mut w = String::new();
            while let Some(&d) = chars.peek() {
                if d.is_alphabetic() || d == '\'' {
                    w.extend(d.to_lowercase());
                    chars.next();
                } else {
                    break;
                }
            }
            toks.push(Tok::Word(w));
        } else if c.is_whitespace() || c == ',' || c == '|' {
            chars.next();
        } else {
            toks.push(Tok::Sep(c));
            chars.next();
        }
    }
    toks
}

fn month_number(word: &str) -> Option<i8> {
    let w = word.trim_end_matches('.');
    Some(match w {
        "january" | "januari" | "jan" => 1,
        "february" | "februari" | "pebruari" | "feb" | "peb" => 2,
        "march" | "maret" | "mar" | "mrt" => 3,
        "april" | "apr" => 4,
        "may" | "mei" => 5,
        "june" | "juni" | "jun" => 6,
        "july" | "juli" | "jul" => 7,
        "august" | "agustus" | "aug" | "agu" | "agt" | "ags" | "agst" => 8,
        "september" | "sep" | "sept" => 9,
        "october" | "oktober" | "oct" | "okt" => 10,
        "november" | "nopember" | "nov" | "nop" => 11,
        "december" | "desember" | "dec" | "des" => 12,
        _ => return None,
    })
}

fn is_weekday(word: &str) -> bool {
    matches!(
        word,
        "monday"
            | "tuesday"
            | "wednesday"
            | "thursday"
            | "friday"
            | "saturday"
            | "sunday"
            | "mon"
            | "tue"
            | "tues"
            | "wed"
            | "thu"
            | "thur"
            | "thurs"
            | "fri"
            | "sat"
            | "sun"
            | "senin"
            | "selasa"
            | "rabu"
            | "kamis"
            | "jumat"
            | "jum'at"
            | "sabtu"
            | "minggu"
            | "ahad"
    )
}

/// Offset in seconds east of UTC for a zone abbreviation.
fn zone_offset(word: &str) -> Option<i32> {
    let hours = match word {
        "wib" => 7,
        "wita" => 8,
        "wit" => 9,
        "utc" | "gmt" | "z" | "ut" => 0,
        "jst" | "kst" => 9,
        "est" => -5,
        "edt" => -4,
        "cst" => -6,
        "cdt" => -5,
        "mst" => -7,
        "mdt" => -6,
        "pst" => -8,
        "pdt" => -7,
        "cet" => 1,
        "cest" => 2,
        "msk" => 3,
        "ict" => 7,
        "sgt" | "myt" | "hkt" | "awst" => 8,
        _ => return None,
    };
    Some(hours * 3600)
}

/// Token-based parser for the many human formats: a date, then optionally a time and a
/// zone, and nothing else.
fn parse_tokens(s: &str) -> Result<PubDate, TokenError> {
    let mut toks = tokenize(s);
    // Drop weekday names and filler words wherever they stand.
    toks.retain(|t| !matches!(t, Tok::Word(w) if is_weekday(w) || w == "pukul" || w == "at" || w == "jam"));
    let ((year, month, day), i) = date_part(&toks)?;
    let ((hour, minute, second), i) = time_part(&toks, i)?;
    let (offset_secs, i) = zone_part(&toks, i)?;
    if i != toks.len() {
        return Err(TokenError::NoMatch);
    }
    let dt = DateTime::new(
        year as i16,
        month as i8,
        day as i8,
        hour as i8,
        minute as i8,
        second as i8,
        0,
    )
    .map_err(|e| TokenError::Invalid(e.to_string()))?;
    let offset = offset_secs
        .map(Offset::from_seconds)
        .transpose()
        .map_err(|e| TokenError::Invalid(e.to_string()))?;
    let at = TimeZone::fixed(offset.unwrap_or(Offset::UTC))
        .to_timestamp(dt)
        .map_err(|e| TokenError::Invalid(e.to_string()))?;
    Ok(PubDate { at, offset })
}

/// The date a timestamp starts with, as (year, month, day), and the index of the token after
/// it: numeric (year first, or day and month when they cannot be confused) or with a month
/// name in English or Indonesian.
fn date_part(toks: &[Tok]) -> Result<((i64, i64, i64), usize), TokenError> {
    let i;
    let (year, month, day);
    match (toks.first(), toks.get(1), toks.get(2), toks.get(3), toks.get(4)) {
        // 2023-09-14, 2023/09/14, 2023.09.14
        (Some(Tok::Num(y)), Some(Tok::Sep(a)), Some(Tok::Num(m)), Some(Tok::Sep(b)), Some(Tok::Num(d)))
            if y.len() == 4 && a == b && matches!(a, '-' | '/' | '.') =>
        {
            year = num(y)?;
            month = num(m)?;
            day = num(d)?;
            i = 5;
        }
        // 14/09/2023, 14-09-2023, 14.09.2023 (only when unambiguous)
        (Some(Tok::Num(a)), Some(Tok::Sep(s1)), Some(Tok::Num(b)), Some(Tok::Sep(s2)), Some(Tok::Num(y)))
            if y.len() == 4 && s1 == s2 && matches!(s1, '-' | '/' | '.') =>
        {
            let (a, b) = (num(a)?, num(b)?);
            year = num(y)?;
            if a == b || (a > 12 && b <= 12) {
                (day, month) = (a, b);
            } else if b > 12 && a <= 12 {
                (day, month) = (b, a);
            } else if a > 12 && b > 12 {
                return Err(TokenError::Invalid("no month in 1..12".into()));
            } else {
                return Err(TokenError::Ambiguous);
            }
            i = 5;
        }
        // 14 September 2023, 14-Sep-2023
        (Some(Tok::Num(d)), Some(Tok::Word(m)), Some(Tok::Num(y)), _, _) if y.len() == 4 => {
            day = num(d)?;
            month = month_number(m).ok_or(TokenError::NoMatch)? as i64;
            year = num(y)?;
            i = 3;
        }
        (
            Some(Tok::Num(d)),
            Some(Tok::Sep('-' | '/' | '.')),
            Some(Tok::Word(m)),
            Some(Tok::Sep('-' | '/' | '.')),
            Some(Tok::Num(y)),
        ) if y.len() == 4 => {
            day = num(d)?;
            month = month_number(m).ok_or(TokenError::NoMatch)? as i64;
            year = num(y)?;
            i = 5;
        }
        // September 14, 2023 / Sept. 14 2023
        (Some(Tok::Word(m)), Some(Tok::Num(d)), Some(Tok::Num(y)), _, _) if y.len() == 4 => {
            month = month_number(m).ok_or(TokenError::NoMatch)? as i64;
            day = num(d)?;
            year = num(y)?;
            i = 3;
        }
        (Some(Tok::Word(m)), Some(Tok::Sep('.')), Some(Tok::Num(d)), Some(Tok::Num(y)), _) if y.len() == 4 => {
            month = month_number(m).ok_or(TokenError::NoMatch)? as i64;
            day = num(d)?;
            year = num(y)?;
            i = 4;
        }
        _ => return Err(TokenError::NoMatch),
    }
    Ok(((year, month, day), i))
}

/// An optional time of day from token `i` on: `10:15`, `10:15:30`, `10.15` (Indonesian
/// style), fractional seconds, am/pm; (hour, minute, second) and the index after it.
fn time_part(toks: &[Tok], mut i: usize) -> Result<((i64, i64, i64), usize), TokenError> {
    let (mut hour, mut minute, mut second) = (0i64, 0i64, 0i64);
    if let Some(Tok::Sep('T')) = toks.get(i) {
        i += 1;
    }
    if let (Some(Tok::Word(t)), Some(Tok::Num(_))) = (toks.get(i), toks.get(i + 1)) {
        if t == "t" {
            i += 1;
        }
    }
    if let (Some(Tok::Num(h)), Some(Tok::Sep(':' | '.')), Some(Tok::Num(m))) =
        (toks.get(i), toks.get(i + 1), toks.get(i + 2))
    {
        hour = num(h)?;
        minute = num(m)?;
        i += 3;
        if let (Some(Tok::Sep(':' | '.')), Some(Tok::Num(sec))) = (toks.get(i), toks.get(i + 1)) {
            second = num(sec)?;
            i += 2;
            // fractional seconds
            if let (Some(Tok::Sep('.' | ',')), Some(Tok::Num(_))) = (toks.get(i), toks.get(i + 1)) {
                i += 2;
            }
        }
        match toks.get(i) {
            Some(Tok::Word(w)) if w == "am" || w == "a.m" => {
                if hour == 12 {
                    hour = 0;
                }
                i += 1;
            }
            Some(Tok::Word(w)) if w == "pm" || w == "p.m" => {
                if hour < 12 {
                    hour += 12;
                }
                i += 1;
            }
            _ => {}
        }
    }
    Ok(((hour, minute, second), i))
}

/// An optional zone from token `i` on: an abbreviation (WIB, GMT), an offset (`+07:00`,
/// `+0700`) or both (`GMT+7`); seconds east of UTC (none when there is no zone) and the
/// index after it.
fn zone_part(toks: &[Tok], mut i: usize) -> Result<(Option<i32>, usize), TokenError> {
    let mut offset_secs: Option<i32> = None;
    if let Some(Tok::Word(w)) = toks.get(i) {
        offset_secs = Some(zone_offset(w).ok_or(TokenError::NoMatch)?);
        i += 1;
    }
    if let (Some(Tok::Sep(sign @ ('+' | '-'))), Some(Tok::Num(n))) = (toks.get(i), toks.get(i + 1)) {
        let sign = if *sign == '-' { -1 } else { 1 };
        let (h, m, used) = match (n.len(), toks.get(i + 2), toks.get(i + 3)) {
            (1 | 2, Some(Tok::Sep(':')), Some(Tok::Num(m))) => (num(n)?, num(m)?, 4),
            (1 | 2, _, _) => (num(n)?, 0, 2),
            (4, _, _) => (num(&n[..2])?, num(&n[2..])?, 2),
            _ => return Err(TokenError::NoMatch),
        };
        if h > 14 || m > 59 {
            return Err(TokenError::Invalid("offset out of range".into()));
        }
        offset_secs = Some(offset_secs.unwrap_or(0) + sign * (h as i32 * 3600 + m as i32 * 60));
        i += used;
    }
    Ok((offset_secs, i))
}

fn num(s: &str) -> Result<i64, TokenError> {
    if s.len() > 4 {
        return Err(TokenError::Invalid(format!("number {s} too long")));
    }
    s.parse::<i64>().map_err(|_| TokenError::NoMatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_the_index_cannot_hold_are_reported() {
        // Found by the mutation test: year 9999 overflowed tantivy's nanosecond dates.
        assert!(matches!(parse_date("9999-01-01"), Err(DateError::Invalid(..))));
        assert!(matches!(parse_date("1200-05-01"), Err(DateError::Invalid(..))));
        assert!(parse_date("2261-12-31").is_ok());
        assert!(parse_epoch(1e17).is_none());
    }

    fn utc(s: &str) -> String {
        parse_date(s).unwrap().at.to_string()
    }

    proptest::proptest! {
        /// The shortcut for offset-less ISO dates gives what the general path gives, and
        /// leaves to it every string it cannot read (impossible dates included).
        #[test]
        fn iso_local_agrees_with_the_token_parser(
            y in 1600u32..2300, mo in 0u32..14, d in 0u32..33, h in 0u32..26, mi in 0u32..62, sec in 0u32..62,
        ) {
            let s = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{sec:02}");
            let slow = parse_tokens(&s).ok().map(|d| d.at);
            proptest::prop_assert_eq!(iso_local(&s), slow, "{}", s);
        }
    }

    /// Days since 1970-01-01 of a calendar date.
    fn day(s: &str) -> i64 {
        let d: Date = s.parse().unwrap();
        i64::from((d - Date::constant(1970, 1, 1)).get_days())
    }

    #[test]
    fn offsets_are_kept_as_written() {
        let shown = |s: &str| parse_date(s).unwrap().to_string();
        assert_eq!(shown("2021-01-15T03:10:00+08:00"), "2021-01-15T03:10:00+08:00");
        assert_eq!(shown("Jumat, 15 Januari 2021 03:10 WITA"), "2021-01-15T03:10:00+08:00");
        assert_eq!(shown("Wed, 13 Sep 2023 08:15:00 +0700"), "2023-09-13T08:15:00+07:00");
        assert_eq!(shown("2023-09-14T10:15:00-04:00"), "2023-09-14T10:15:00-04:00");
        assert_eq!(shown("2023-09-14T10:15:00+00:00"), "2023-09-14T10:15:00+00:00");
        // No offset: a date alone, a time without zone, `Z` and `-00:00` (local time unknown).
        for none in [
            "2023-09-14",
            "14 September 2023",
            "2023-09-14T10:15:00",
            "2023-09-14T10:15:00Z",
        ] {
            assert_eq!(parse_date(none).unwrap().offset, None, "{none}");
        }
        assert_eq!(parse_date("2023-09-14T10:15:00-00:00").unwrap().offset, None);
        assert_eq!(shown("2023-09-14T10:15:00Z"), "2023-09-14T10:15:00Z");
        assert_eq!(parse_epoch(1_694_650_500.0).unwrap().offset, None);
    }

    #[test]
    fn the_local_day_is_the_day_where_it_was_published() {
        // 03:10 WITA on 15 January is 19:10 UTC on the 14th.
        let wita = parse_date("2021-01-15T03:10:00+08:00").unwrap();
        assert_eq!(wita.local_day(), day("2021-01-15"));
        assert_eq!(day_at(wita.at.as_second(), 0), day("2021-01-14"));
        // West of UTC the local day can be the one before UTC's.
        let new_york = parse_date("2021-01-14T20:00:00-05:00").unwrap();
        assert_eq!(new_york.local_day(), day("2021-01-14"));
        assert_eq!(day_at(new_york.at.as_second(), 0), day("2021-01-15"));
        // Without an offset the day is UTC's.
        assert_eq!(
            parse_date("2021-01-15T03:10:00").unwrap().local_day(),
            day("2021-01-15")
        );
        assert_eq!(parse_date("1969-12-31T23:00:00Z").unwrap().local_day(), -1);
    }

    #[test]
    fn zones_by_offset_abbreviation_or_name() {
        let at = parse_date("2021-01-14T19:10:00Z").unwrap();
        let shown = |zone: &str| at.in_zone(&Zone::parse(zone).unwrap()).to_string();
        assert_eq!(shown("UTC"), "2021-01-14T19:10:00+00:00");
        assert_eq!(shown("+08:00"), "2021-01-15T03:10:00+08:00");
        assert_eq!(shown("WITA"), "2021-01-15T03:10:00+08:00");
        assert_eq!(shown("wib"), "2021-01-15T02:10:00+07:00");
        assert_eq!(shown("UTC+7"), "2021-01-15T02:10:00+07:00");
        assert_eq!(shown("-0330"), "2021-01-14T15:40:00-03:30");
        assert_eq!(shown("Asia/Jakarta"), "2021-01-15T02:10:00+07:00");
        assert_eq!(
            Zone::parse("+08:00").unwrap().day_of(at.at.as_second()),
            day("2021-01-15")
        );
        assert_eq!(Zone::parse("UTC").unwrap().day_of(at.at.as_second()), day("2021-01-14"));
    }

    #[test]
    fn days_start_at_their_first_instant_in_the_zone() {
        let second = |s: &str| s.parse::<Timestamp>().unwrap().as_second();
        let wita = Zone::parse("WITA").unwrap();
        assert_eq!(wita.start_of_day(day("2021-01-15")), second("2021-01-14T16:00:00Z"));
        // Summer time began at midnight in Sao Paulo on 4 November 2018: the day began at 01:00.
        let sao_paulo = Zone::parse("America/Sao_Paulo").unwrap();
        assert_eq!(
            sao_paulo.start_of_day(day("2018-11-04")),
            second("2018-11-04T03:00:00Z")
        );
    }

    /// Zone names resolve on machines without a system time zone database (containers, CI
    /// images): jiff then reads the copy built into warta.
    #[test]
    fn zone_names_are_built_in() {
        let built_in = jiff::tz::TimeZoneDatabase::bundled();
        assert!(built_in.get("Asia/Jakarta").is_ok());
        assert!(built_in.get("Asia/Makassar").is_ok());
    }

    #[test]
    fn unknown_zones_are_refused_with_the_names_near_them() {
        let e = Zone::parse("Asia/Jakata").unwrap_err();
        assert_eq!(e.name, "Asia/Jakata");
        assert_eq!(e.suggestions.first().map(String::as_str), Some("Asia/Jakarta"));
        let city = Zone::parse("makassar").unwrap_err();
        assert_eq!(city.suggestions.first().map(String::as_str), Some("Asia/Makassar"));
        for bad in ["", "Mars/Olympus", "+25:00", "WIB WIB", "2021"] {
            assert!(Zone::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn iso_and_rfc() {
        assert_eq!(utc("2023-09-14"), "2023-09-14T00:00:00Z");
        assert_eq!(utc("2023/09/14"), "2023-09-14T00:00:00Z");
        assert_eq!(utc("2023-09-13T10:15:00+09:00"), "2023-09-13T01:15:00Z");
        assert_eq!(utc("2023-09-13T10:15:00Z"), "2023-09-13T10:15:00Z");
        assert_eq!(utc("1987-02-26T15:01:01"), "1987-02-26T15:01:01Z");
        assert_eq!(utc("2023-09-14 10:15"), "2023-09-14T10:15:00Z");
        assert_eq!(utc("Wed, 13 Sep 2023 01:15:00 +0000"), "2023-09-13T01:15:00Z");
        assert_eq!(utc("Wed, 13 Sep 2023 08:15:00 +0700"), "2023-09-13T01:15:00Z");
        assert_eq!(utc("2017-03-28T04:15:36.123Z"), "2017-03-28T04:15:36.123Z");
    }

    #[test]
    fn english_and_indonesian_names() {
        assert_eq!(utc("14 September 2023"), "2023-09-14T00:00:00Z");
        assert_eq!(utc("September 14, 2023"), "2023-09-14T00:00:00Z");
        assert_eq!(utc("Sept. 14, 2023"), "2023-09-14T00:00:00Z");
        assert_eq!(utc("Kamis, 14 September 2023 10:15 WIB"), "2023-09-14T03:15:00Z");
        assert_eq!(utc("Senin, 2 Oktober 2023 08:00 WITA"), "2023-10-02T00:00:00Z");
        assert_eq!(utc("Senin, 2 Oktober 2023 | 08.00 WIT"), "2023-10-01T23:00:00Z");
        assert_eq!(utc("5 Agu 2024"), "2024-08-05T00:00:00Z");
        assert_eq!(utc("12 Des 2022"), "2022-12-12T00:00:00Z");
        assert_eq!(utc("3 Okt 2024"), "2024-10-03T00:00:00Z");
        assert_eq!(utc("14 Maret 2024"), "2024-03-14T00:00:00Z");
        assert_eq!(utc("1 Mei 2022"), "2022-05-01T00:00:00Z");
        assert_eq!(utc("31 Juli 2019"), "2019-07-31T00:00:00Z");
        assert_eq!(utc("Oktober 19, 2019"), "2019-10-19T00:00:00Z");
        assert_eq!(utc("Jumat, 20 Des 2024 pukul 19.30 WIB"), "2024-12-20T12:30:00Z");
        assert_eq!(utc("10-Sep-2019"), "2019-09-10T00:00:00Z");
        assert_eq!(utc("September 14, 2023 3:05 pm EDT"), "2023-09-14T19:05:00Z");
        assert_eq!(utc("14 September 2023 10:15 GMT+7"), "2023-09-14T03:15:00Z");
    }

    #[test]
    fn numeric_day_month_only_when_unambiguous() {
        assert_eq!(utc("16/09/2019"), "2019-09-16T00:00:00Z");
        assert_eq!(utc("09/16/2019"), "2019-09-16T00:00:00Z");
        assert!(matches!(parse_date("04/03/2024"), Err(DateError::Ambiguous(_))));
    }

    #[test]
    fn rejects_garbage_and_impossible_dates() {
        for bad in [
            "",
            "yesterday",
            "kemarin sore",
            "2023-13-40",
            "31 Februari 2023",
            "14 Foo 2023",
            "12345",
        ] {
            assert!(parse_date(bad).is_err(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn epoch_numbers() {
        assert_eq!(
            parse_epoch(1_694_650_500.0).unwrap().at.to_string(),
            "2023-09-14T00:15:00Z"
        );
        assert_eq!(
            parse_epoch(1_694_650_500_000.0).unwrap().at.to_string(),
            "2023-09-14T00:15:00Z"
        );
    }
}
