//! The tantivy schema: every field warta stores or searches, in one place.

use tantivy::schema::{
    BytesOptions, DateOptions, DateTimePrecision, Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing,
    TextOptions, FAST, STORED, STRING,
};

use crate::extract::gazetteer::Kind;
use crate::text::analysis::{StemLang, EXACT};

/// Handles to every field of the schema.
#[derive(Debug, Clone)]
pub struct Fields {
    /// Stable article id: path relative to the indexed root, plus `#N` in multi-article files.
    pub id: Field,
    /// Absolute path of the file the article came from: the key of incremental bookkeeping.
    pub file: Field,
    /// The file's size: a file of another size changed.
    pub file_size: Field,
    /// The file's modification time, in nanoseconds.
    pub file_mtime: Field,
    /// The xxh3 hash of the file's bytes: what decides whether a touched file changed.
    pub file_hash: Field,
    /// 1 on the last article of a file, 0 on the others: a file is completely in the index
    /// only when its last article is, so a run killed between commits is finished next time.
    pub file_last: Field,
    /// Title and text, one pair of fields per language warta stems and one for all other
    /// languages; an article fills the pair of its language, once. The pair stores the
    /// original (for display and snippets: the document carries its text once) and indexes
    /// its words as written (folded); a stemmed pair's words are matched by stem through the
    /// index's stem table of that language (see [`super::stems`]).
    pub title_other: Field,
    /// See `title_other`.
    pub body_other: Field,
    /// See `title_other`: English.
    pub title_en: Field,
    /// See `title_other`: English.
    pub body_en: Field,
    /// See `title_other`: Indonesian.
    pub title_id: Field,
    /// See `title_other`: Indonesian.
    pub body_id: Field,
    /// Publication date, UTC, to the second: stored and a fast field, not indexed. Range
    /// filters by instant (and by day in a zone asked for), date sorting and timelines in a
    /// zone read the fast field (tantivy's `RangeQuery` uses it whenever a field is fast); the 35,000 distinct dates of the shared corpora as
    /// terms cost indexing some 0.3 G instructions and were never read.
    pub date: Field,
    /// The offset from UTC, in seconds, the article's date was written with; absent when the
    /// source gave none. Stored (to show the date as published) and fast.
    pub date_offset: Field,
    /// The calendar day of publication where the article was published, in days since
    /// 1970-01-01 (the UTC day when the date has no offset): day filters and timelines count
    /// by it unless a time zone is asked for. Fast only.
    pub local_day: Field,
    /// Source as written (for display and counts) and lower-cased (for filtering).
    pub source: Field,
    /// See `source`.
    pub source_key: Field,
    /// The article's URL, stored.
    pub url: Field,
    /// The byline, stored.
    pub author: Field,
    /// ISO 639-1 language code: filters and counts.
    pub lang: Field,
    /// Canonical entities, one value per entity (multi-valued, for filters and counts).
    pub person: Field,
    /// See `person`: ISO codes.
    pub country: Field,
    /// See `person`.
    pub org: Field,
    /// See `person`.
    pub place: Field,
    /// The words of each person's, organization's and place's canonical name and of every
    /// form the article wrote it in, in one spelling, each joined to the canonical name (see
    /// [`crate::search::names`]): filters find the names a typed word belongs to in these
    /// fields' term dictionaries. Indexed only.
    pub person_names: Field,
    /// See `person_names`.
    pub org_names: Field,
    /// See `person_names`.
    pub place_names: Field,
    /// The article's near-duplicate signature (see [`super::signature`]), a fast field: what
    /// tells copies of one story from articles that only share a band (the bands are looked
    /// up in the band tables beside the index, see `index::bands`). Absent on short texts.
    pub story_sig: Field,
}

fn text(tokenizer: &str) -> TextOptions {
    TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored()
}

/// Builds the schema and its field handles.
pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let fast_u64 = NumericOptions::default().set_fast();
    let fast_i64 = NumericOptions::default().set_fast();
    let fields = Fields {
        id: b.add_text_field(Fields::ID, STORED | FAST),
        file: b.add_text_field(Fields::FILE, STRING | STORED | FAST),
        file_size: b.add_u64_field(Fields::FILE_SIZE, fast_u64.clone()),
        file_mtime: b.add_i64_field(Fields::FILE_MTIME, fast_u64.clone()),
        file_hash: b.add_u64_field(Fields::FILE_HASH, fast_u64.clone()),
        file_last: b.add_u64_field(Fields::FILE_LAST, fast_u64),
        title_other: b.add_text_field("title_other", text(EXACT)),
        body_other: b.add_text_field("body_other", text(EXACT)),
        title_en: b.add_text_field("title_en", text(EXACT)),
        body_en: b.add_text_field("body_en", text(EXACT)),
        title_id: b.add_text_field("title_id", text(EXACT)),
        body_id: b.add_text_field("body_id", text(EXACT)),
        date: b.add_date_field(
            Fields::DATE,
            DateOptions::from(STORED | FAST).set_precision(DateTimePrecision::Seconds),
        ),
        date_offset: b.add_i64_field(Fields::DATE_OFFSET, fast_i64.clone().set_stored()),
        local_day: b.add_i64_field(Fields::LOCAL_DAY, fast_i64),
        source: b.add_text_field(Fields::SOURCE, STRING | STORED | FAST),
        source_key: b.add_text_field("source_key", STRING),
        url: b.add_text_field("url", STORED),
        author: b.add_text_field("author", STORED),
        lang: b.add_text_field(Fields::LANG, STRING | STORED | FAST),
        person: b.add_text_field(Fields::PERSON, STRING | STORED | FAST),
        country: b.add_text_field(Fields::COUNTRY, STRING | STORED | FAST),
        org: b.add_text_field(Fields::ORG, STRING | STORED | FAST),
        place: b.add_text_field(Fields::PLACE, STRING | STORED | FAST),
        person_names: b.add_text_field("person_names", STRING),
        org_names: b.add_text_field("org_names", STRING),
        place_names: b.add_text_field("place_names", STRING),
        story_sig: b.add_bytes_field(Fields::STORY_SIG, BytesOptions::default().set_fast()),
    };
    (b.build(), fields)
}

/// The names of the fast fields, which tantivy's columns are opened by (`fast_fields().str(..)`):
/// declared here once, with the fields.
impl Fields {
    /// Fast-field name of [`Fields::id`].
    pub const ID: &'static str = "id";
    /// Fast-field name of [`Fields::file`].
    pub const FILE: &'static str = "file";
    /// Fast-field name of [`Fields::file_size`].
    pub const FILE_SIZE: &'static str = "file_size";
    /// Fast-field name of [`Fields::file_mtime`].
    pub const FILE_MTIME: &'static str = "file_mtime";
    /// Fast-field name of [`Fields::file_hash`].
    pub const FILE_HASH: &'static str = "file_hash";
    /// Fast-field name of [`Fields::file_last`].
    pub const FILE_LAST: &'static str = "file_last";
    /// Fast-field name of [`Fields::date`].
    pub const DATE: &'static str = "date";
    /// Fast-field name of [`Fields::date_offset`].
    pub const DATE_OFFSET: &'static str = "date_offset";
    /// Fast-field name of [`Fields::local_day`].
    pub const LOCAL_DAY: &'static str = "local_day";
    /// Fast-field name of [`Fields::source`].
    pub const SOURCE: &'static str = "source";
    /// Fast-field name of [`Fields::lang`].
    pub const LANG: &'static str = "lang";
    /// Fast-field name of [`Fields::person`].
    pub const PERSON: &'static str = "person";
    /// Fast-field name of [`Fields::country`].
    pub const COUNTRY: &'static str = "country";
    /// Fast-field name of [`Fields::org`].
    pub const ORG: &'static str = "org";
    /// Fast-field name of [`Fields::place`].
    pub const PLACE: &'static str = "place";
    /// Fast-field name of [`Fields::story_sig`].
    pub const STORY_SIG: &'static str = "story_sig";
}

impl Fields {
    /// The field of the canonical values of entities of `kind` (a fast field, named
    /// [`Fields::entity_field_name`]).
    pub fn entity(&self, kind: Kind) -> Field {
        match kind {
            Kind::Person => self.person,
            Kind::Country => self.country,
            Kind::Org => self.org,
            Kind::Place => self.place,
        }
    }

    /// The name of the field of the canonical values of entities of `kind`.
    pub fn entity_field_name(kind: Kind) -> &'static str {
        match kind {
            Kind::Person => Fields::PERSON,
            Kind::Country => Fields::COUNTRY,
            Kind::Org => Fields::ORG,
            Kind::Place => Fields::PLACE,
        }
    }

    /// The field of the words of the names of entities of `kind` (see
    /// [`crate::search::names`]); countries have none.
    pub fn entity_names(&self, kind: Kind) -> Option<Field> {
        match kind {
            Kind::Person => Some(self.person_names),
            Kind::Org => Some(self.org_names),
            Kind::Place => Some(self.place_names),
            Kind::Country => None,
        }
    }

    /// The (title, body) fields an article in `lang` is indexed in.
    pub fn text_pair(&self, lang: &str) -> (Field, Field) {
        match crate::text::analysis::stem_lang(lang) {
            Some(StemLang::English) => (self.title_en, self.body_en),
            Some(StemLang::Indonesian) => (self.title_id, self.body_id),
            None => (self.title_other, self.body_other),
        }
    }

    /// All searchable text fields: (title, body, the stemmer their words are matched with).
    pub fn text_fields(&self) -> [(Field, Field, Option<StemLang>); 3] {
        [
            (self.title_other, self.body_other, None),
            (self.title_en, self.body_en, Some(StemLang::English)),
            (self.title_id, self.body_id, Some(StemLang::Indonesian)),
        ]
    }
}

#[cfg(test)]
mod tests {
    /// Dates are filtered, sorted and counted through the fast field only; indexing them as
    /// terms too cost indexing time for nothing (format 6). The range filters' behaviour is
    /// checked end to end in `tests/search.rs`.
    #[test]
    fn date_is_a_stored_fast_field_without_terms() {
        let (schema, f) = super::build();
        let entry = schema.get_field_entry(f.date);
        assert!(entry.is_fast() && entry.is_stored());
        assert!(!entry.is_indexed());
    }

    /// Every declared fast-field name names a fast field of the schema.
    #[test]
    fn fast_field_names_name_fast_fields() {
        use super::Fields;
        let (schema, _) = super::build();
        let names = [
            Fields::ID,
            Fields::FILE,
            Fields::FILE_SIZE,
            Fields::FILE_MTIME,
            Fields::FILE_HASH,
            Fields::FILE_LAST,
            Fields::DATE,
            Fields::DATE_OFFSET,
            Fields::LOCAL_DAY,
            Fields::SOURCE,
            Fields::LANG,
            Fields::PERSON,
            Fields::COUNTRY,
            Fields::ORG,
            Fields::PLACE,
            Fields::STORY_SIG,
        ];
        for name in names {
            let field = schema.get_field(name).unwrap();
            assert!(schema.get_field_entry(field).is_fast(), "{name}");
        }
    }

    /// Each entity kind has its field of canonical values, under its declared name, and its
    /// field of name words (countries have none).
    #[test]
    fn entity_kinds_have_their_fields() {
        use super::{Fields, Kind};
        let (schema, f) = super::build();
        for kind in [Kind::Person, Kind::Country, Kind::Org, Kind::Place] {
            let name = Fields::entity_field_name(kind);
            assert_eq!(schema.get_field_name(f.entity(kind)), name);
            match f.entity_names(kind) {
                Some(words) => assert_eq!(schema.get_field_name(words), format!("{name}_names")),
                None => assert_eq!(kind, Kind::Country),
            }
        }
    }
}
