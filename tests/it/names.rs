//! Entity filters find names in any spelling: the forms articles wrote, any word of a name,
//! old and new Indonesian spelling, and (reported, never silently) one letter off.

use crate::common::Fixture;

fn corpus() -> Fixture {
    let fx = Fixture::new();
    fx.write(
        "id/soebroto.txt",
        "Title: Menteri Soebroto meresmikan kilang minyak\nDate: 1985-03-02\nSource: Kompas\n\nMenteri Pertambangan dan Energi Soebroto meresmikan kilang minyak di Cilacap. Menurut Soebroto, produksi akan naik tahun depan. Presiden Soeharto hadir di Djakarta.\n",
    );
    fx.write(
        "en/zelensky.txt",
        "Title: Zelensky asks for air defence\nDate: 2023-05-02\nSource: Reuters\n\nUkrainian President Volodymyr Zelensky asked allies for more air defence systems on Tuesday. Zelensky spoke in Kyiv.\n",
    );
    fx.write(
        "en/other.txt",
        "Title: Markets calm\nDate: 2023-05-03\nSource: Reuters\n\nStocks were little changed in New York on Wednesday.\n",
    );
    fx.index();
    fx
}

/// The ids a search finds, its exit code and its stderr.
fn found(fx: &Fixture, args: &[&str]) -> (Vec<String>, i32, String) {
    let out = fx.warta(&["search", "--json"]).args(args).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    let ids = v["hits"]
        .as_array()
        .map(|hits| hits.iter().map(|h| h["id"].as_str().unwrap().to_string()).collect())
        .unwrap_or_default();
    (
        ids,
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn old_and_new_spellings_find_the_same_articles() {
    let fx = corpus();
    for (filter, spellings) in [
        ("--person", &["Soebroto", "subroto", "SUBROTO"][..]),
        ("--person", &["Soeharto", "suharto"][..]),
        ("--place", &["Jakarta", "Djakarta", "djakarta"][..]),
    ] {
        for name in spellings {
            let (ids, code, stderr) = found(&fx, &[filter, name]);
            assert_eq!((ids, code), (vec!["id/soebroto.txt".to_string()], 0), "{filter} {name}");
            assert!(stderr.is_empty(), "an exact spelling rule is no guess: {stderr}");
        }
    }
}

#[test]
fn a_name_matches_by_its_forms_and_any_word() {
    let fx = corpus();
    // The article wrote "Volodymyr Zelensky", tagged as Volodymyr Zelenskyy.
    for name in ["zelensky", "Zelenskyy", "Volodymyr", "volodymyr zelensky"] {
        let (ids, code, stderr) = found(&fx, &["--person", name]);
        assert_eq!((ids, code), (vec!["en/zelensky.txt".to_string()], 0), "{name}");
        assert!(stderr.is_empty(), "{name}: {stderr}");
    }
}

#[test]
fn one_letter_off_is_matched_and_reported() {
    let fx = corpus();
    let out = fx
        .warta(&["search", "--json", "--person", "Zelenskiy"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["hits"][0]["id"], "en/zelensky.txt");
    assert_eq!(v["approximate_names"][0]["filter"], "person");
    assert_eq!(v["approximate_names"][0]["name"], "Zelenskiy");
    let matched = v["approximate_names"][0]["matched"].as_array().unwrap();
    assert!(matched.iter().any(|m| m == "Volodymyr Zelenskyy"), "{v}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no person is named \"Zelenskiy\"; showing the names one letter away: "),
        "{stderr}"
    );
    // Words of four letters or fewer are never guessed: "Kyix" is not Kyiv.
    let (ids, code, _) = found(&fx, &["--place", "Kyiv"]);
    assert_eq!((ids.len(), code), (1, 0));
    let out = fx.warta(&["search", "--place", "Kyix"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "an unknown place is an error");
    // Two letters off is too far: no guess, an unknown person, with the names near it.
    let out = fx.warta(&["search", "--person", "Zelenskiyi"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("unknown person \"Zelenskiyi\"; did you mean: ") && stderr.contains("Zelenskyy"),
        "{stderr}"
    );
}
