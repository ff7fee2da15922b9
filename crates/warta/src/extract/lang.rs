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
    if let Some(lang) = by_function_words(title, body) {
        return lang.to_string();
    }
    detect_with_lingua(title, body)
}

/// Very frequent English function words.
const ENGLISH_WORDS: &[&str] = &[
    "the", "of", "and", "to", "in", "a", "is", "that", "for", "on", "with", "was", "as", "by", "at", "from", "it",
    "he", "said", "his", "be", "are", "has", "have", "an", "will", "were", "which", "this", "but", "not", "its",
    "they", "had", "been", "their", "who", "after", "would", "also", "she", "her", "than", "or", "about",
];
/// Very frequent function words of Indonesian and Malay (mostly shared by both).
const MALAY_FAMILY_WORDS: &[&str] = &[
    "yang", "dan", "di", "dengan", "untuk", "ini", "itu", "dari", "dalam", "tidak", "akan", "pada", "juga", "ke",
    "oleh", "ada", "bahwa", "telah", "sudah", "atau", "lebih", "bagi", "karena", "kerana", "masih", "namun",
    "tersebut", "mereka", "kami", "kita", "hanya", "serta", "bisa", "boleh", "sebagai", "adalah", "ialah", "antara",
    "secara", "hingga", "para", "setelah", "selepas", "sejak", "menjadi", "kata", "saat", "dia",
];
/// Words of Malay (Malaysia, Brunei) that Indonesian writes otherwise: a text holding any
/// is left to the full detector, which tells the two apart.
const MALAY_MARKERS: &[&str] = &[
    "kerana", "ialah", "selepas", "sahaja", "peratus", "syarikat", "wang", "polis", "manakala", "kerajaan", "bahawa",
    "iaitu", "sebarang",
];

/// Words of the text looked at by [`by_function_words`].
const FUNCTION_WORD_SAMPLE: usize = 150;

/// The language of text that is plainly English or plainly Indonesian, from the share of
/// their function words in its first words: a tenth or more of them, and eight times as many
/// as the other language's (text in other languages shares only a few). Anything less plain
/// (short text, mixed text, Malay words, another language) is `None`, for lingua to decide;
/// lingua costs ~0.6 ms an article.
pub fn by_function_words(title: &str, body: &str) -> Option<&'static str> {
    let (mut words, mut english, mut malay) = (0usize, 0usize, 0usize);
    let mut lower = String::new();
    let text = title.split_whitespace().chain(body.split_whitespace());
    for raw in text.take(FUNCTION_WORD_SAMPLE) {
        let word = raw.trim_matches(|c: char| !c.is_alphanumeric());
        if word.is_empty() {
            continue;
        }
        words += 1;
        lower.clear();
        lower.push_str(word);
        lower.make_ascii_lowercase();
        if ENGLISH_WORDS.contains(&lower.as_str()) {
            english += 1;
        } else if MALAY_FAMILY_WORDS.contains(&lower.as_str()) {
            if MALAY_MARKERS.contains(&lower.as_str()) {
                return None;
            }
            malay += 1;
        } else if MALAY_MARKERS.contains(&lower.as_str()) {
            return None;
        }
    }
    if words < 20 {
        return None;
    }
    // At least a tenth of the words, and eight times the other language's count (so eight
    // or more). Dutch, Tagalog or Italian text shares a few such words ("in", "is", "was";
    // "di", "para"), never that many.
    let plain = |hits: usize, other: usize| hits * 10 >= words && hits >= 8 * other.max(1);
    if plain(english, malay) {
        Some("en")
    } else if plain(malay, english) {
        Some("id")
    } else {
        None
    }
}

/// Detects the language with lingua, on a prefix of the text.
fn detect_with_lingua(title: &str, body: &str) -> String {
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

    const EN: &str = "The president said on Thursday that the government would not raise fuel prices this year, \
        despite pressure from the central bank and the finance ministry. He told reporters at the palace that \
        the decision was taken after a meeting with the cabinet, and that subsidies for the poor would be \
        kept in place until the end of the year. Analysts said the move was expected by the markets.";
    const ID: &str = "Presiden mengatakan pada Kamis bahwa pemerintah tidak akan menaikkan harga bahan bakar tahun \
        ini, meskipun ada tekanan dari bank sentral dan kementerian keuangan. Ia mengatakan kepada wartawan di \
        istana bahwa keputusan itu diambil setelah rapat dengan kabinet, dan subsidi untuk warga miskin akan \
        tetap diberikan hingga akhir tahun. Para analis menyebut langkah itu sudah diperkirakan oleh pasar.";

    /// The function-word shortcut decides plain English and Indonesian, and leaves every other
    /// language, Malay included, to lingua.
    #[test]
    fn function_words_decide_only_plain_english_and_indonesian() {
        assert_eq!(by_function_words("Fuel prices", EN), Some("en"));
        assert_eq!(by_function_words("Harga BBM", ID), Some("id"));
        let others = [
            (
                "ms",
                "Perdana Menteri berkata pada hari Khamis bahawa kerajaan tidak akan menaikkan harga minyak \
                tahun ini, walaupun terdapat tekanan daripada bank pusat. Beliau memberitahu pemberita selepas \
                mesyuarat kabinet bahawa subsidi untuk golongan miskin akan dikekalkan sehingga akhir tahun kerana \
                kos sara hidup masih tinggi. Penganalisis berkata langkah itu telah dijangka oleh pasaran.",
            ),
            (
                "nl",
                "De president zei donderdag dat de regering dit jaar de brandstofprijzen niet zal verhogen, \
                ondanks druk van de centrale bank. Hij vertelde verslaggevers in het paleis dat het besluit was \
                genomen na een vergadering met het kabinet, en dat de subsidies voor de armen tot het einde van het \
                jaar in stand blijven. Analisten zeiden dat de stap door de markten was verwacht.",
            ),
            (
                "de",
                "Der Präsident sagte am Donnerstag, dass die Regierung die Kraftstoffpreise in diesem Jahr nicht \
                erhöhen werde, trotz des Drucks der Zentralbank. Er sagte den Reportern im Palast, die Entscheidung \
                sei nach einer Sitzung mit dem Kabinett gefallen, und die Subventionen für die Armen blieben bis zum \
                Ende des Jahres bestehen. Analysten sagten, der Schritt sei von den Märkten erwartet worden.",
            ),
            (
                "fr",
                "Le président a déclaré jeudi que le gouvernement n'augmenterait pas les prix du carburant cette \
                année, malgré la pression de la banque centrale. Il a dit aux journalistes au palais que la décision \
                a été prise après une réunion avec le cabinet, et que les subventions pour les pauvres seraient \
                maintenues jusqu'à la fin de l'année. Les analystes ont dit que la mesure était attendue.",
            ),
            (
                "it",
                "Il presidente ha detto giovedì che il governo non aumenterà i prezzi del carburante quest'anno, \
                nonostante la pressione della banca centrale. Ha detto ai giornalisti a palazzo che la decisione è \
                stata presa dopo una riunione di governo, e che i sussidi per i poveri resteranno in vigore fino \
                alla fine dell'anno. Gli analisti hanno detto che la mossa era attesa dai mercati di tutta Europa.",
            ),
            (
                "tl",
                "Sinabi ng pangulo noong Huwebes na hindi itataas ng gobyerno ang presyo ng gasolina ngayong taon, \
                sa kabila ng presyon mula sa bangko sentral. Sinabi niya sa mga mamamahayag sa palasyo na ang \
                desisyon ay ginawa matapos ang pulong ng gabinete, at ang mga subsidiya para sa mahihirap ay \
                mananatili hanggang sa katapusan ng taon. Sinabi ng mga analyst na inaasahan ito ng merkado.",
            ),
            (
                "es",
                "El presidente dijo el jueves que el gobierno no subirá los precios del combustible este año, a \
                pesar de la presión del banco central. Dijo a los periodistas en el palacio que la decisión se tomó \
                después de una reunión con el gabinete, y que los subsidios para los pobres se mantendrán hasta el \
                final del año. Los analistas dijeron que la medida era esperada por los mercados.",
            ),
        ];
        for (lang, text) in others {
            assert_eq!(by_function_words("", text), None, "{lang}");
            assert_eq!(detect_language("", text), lang);
        }
        // Too short to be plain, or mixed.
        assert_eq!(by_function_words("", "The president said on Thursday."), None);
        let mixed = format!("{} {}", &EN[..200], &ID[..200]);
        assert_eq!(by_function_words("", &mixed), None);
    }
}
