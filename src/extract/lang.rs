//! Language identification with lingua, restricted to the languages warta supports.
//!
//! Detection runs on a prefix of the text: a few hundred characters decide the language as
//! well as the whole article does, at a fraction of the cost.

use std::sync::OnceLock;

use lingua::{Language, LanguageDetector, LanguageDetectorBuilder};

/// Characters of title and body looked at.
const PREFIX_CHARS: usize = 600;

/// Code used when the language cannot be told (too little text, or none of the languages).
pub const UNDETERMINED: &str = "und";

fn detector() -> &'static LanguageDetector {
    static DETECTOR: OnceLock<LanguageDetector> = OnceLock::new();
    DETECTOR.get_or_init(|| {
        LanguageDetectorBuilder::from_languages(&[
            Language::Indonesian,
            Language::English,
            Language::Malay,
            Language::French,
            Language::German,
            Language::Spanish,
            Language::Portuguese,
            Language::Dutch,
            Language::Italian,
            Language::Tagalog,
        ])
        .build()
    })
}

/// ISO 639-1 code of the language of an article (`id`, `en`, ...), or [`UNDETERMINED`].
pub fn detect_language(title: &str, body: &str) -> String {
    let mut sample = String::with_capacity(PREFIX_CHARS + 8);
    sample.push_str(title);
    sample.push_str(". ");
    let mut taken = 0;
    for (i, _) in body.char_indices() {
        if taken >= PREFIX_CHARS {
            sample.push_str(&body[..i]);
            break;
        }
        taken += 1;
    }
    if taken < PREFIX_CHARS {
        sample.push_str(body);
    }
    if sample.chars().filter(|c| c.is_alphabetic()).count() < 3 {
        return UNDETERMINED.to_string();
    }
    match detector().detect_language_of(sample) {
        Some(lang) => lang.iso_code_639_1().to_string().to_lowercase(),
        None => UNDETERMINED.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_indonesian_from_english() {
        assert_eq!(
            detect_language(
                "Presiden bertemu pemimpin Korea Utara",
                "Kementerian Luar Negeri menyatakan keprihatinan pada Kamis."
            ),
            "id"
        );
        assert_eq!(
            detect_language(
                "President meets North Korean leader",
                "The foreign ministry expressed deep concern on Thursday."
            ),
            "en"
        );
        assert_eq!(detect_language("", ""), UNDETERMINED);
    }
}
