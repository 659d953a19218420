//! `trove probe` on real files: one JSON object per file with the fields scripts rely on, stable
//! problem codes, each provider's rules, and an exit status that says whether all would be taken.

use serde_json::Value;
use trove_tests::cli::Cli;
use trove_tests::media::{mp4, png};

fn lines(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

fn codes(report: &Value) -> Vec<&str> {
    report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect()
}

#[test]
fn every_file_gets_its_facts_and_its_problems() {
    let dir = tempfile::tempdir().unwrap();
    let at = dir.path();
    let card = png(at, "card.png", 64, 48);
    let misnamed = at.join("really-a-png.jpg");
    std::fs::copy(&card, &misnamed).unwrap();
    let clip = mp4(at, "clip.mp4", 2.0);
    let bytes = std::fs::read(&clip).unwrap();
    let cut = at.join("cut.mp4");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let notes = at.join("notes.mp4");
    std::fs::write(&notes, "meeting notes, not a video").unwrap();
    let empty = at.join("empty.mov");
    std::fs::write(&empty, b"").unwrap();

    let cli = Cli::new("unused");
    let paths: Vec<&str> = [&card, &misnamed, &clip, &cut, &notes, &empty]
        .iter()
        .map(|p| p.to_str().unwrap())
        .collect();
    let output = cli.run(&[&["probe", "--json"][..], &paths].concat());
    assert!(!output.status.success(), "some files would be refused");
    let reports = lines(&output.stdout);
    assert_eq!(reports.len(), 6);

    let card = &reports[0];
    for field in [
        "path",
        "kind",
        "format",
        "size",
        "width",
        "height",
        "stored_width",
        "stored_height",
        "rotation",
        "duration_s",
        "valid",
        "problems",
    ] {
        assert!(card.get(field).is_some(), "no {field} in {card}");
    }
    assert_eq!(
        (&card["format"], &card["width"], &card["valid"]),
        (&Value::from("png"), &Value::from(64), &Value::from(true))
    );
    assert_eq!(reports[1]["format"], "png");
    assert_eq!(codes(&reports[1]), ["format_extension_mismatch"]);
    assert_eq!(reports[2]["video_codec"], "mpeg4");
    assert!((reports[2]["duration_s"].as_f64().unwrap() - 2.0).abs() < 0.05);
    assert_eq!(codes(&reports[3]), ["video_file_broken"]);
    assert_eq!(codes(&reports[4]), ["format_unrecognized"]);
    assert_eq!(codes(&reports[5]), ["file_empty"]);
    assert!(reports[5]["problems"][0]["message"]
        .as_str()
        .unwrap()
        .contains("empty.mov"));

    // In words: one line per file, its problems indented under it.
    let text = cli.run(&["probe", paths[0], paths[3]]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("card.png: image png, 64×48"), "{text}");
    assert!(text.contains("\n  video_file_broken: "), "{text}");
}

#[test]
fn each_provider_applies_its_own_rules() {
    let dir = tempfile::tempdir().unwrap();
    let clip = mp4(dir.path(), "short.mp4", 2.0);
    let clip = clip.to_str().unwrap();
    let cli = Cli::new("unused");
    assert!(
        cli.run(&["probe", clip]).status.success(),
        "the Local library takes it"
    );

    let output = cli.run(&["probe", "--json", "--provider", "twelvelabs", clip]);
    assert!(!output.status.success());
    let report = &lines(&output.stdout)[0];
    assert_eq!(
        codes(report),
        ["video_resolution_too_low", "video_duration_too_short"]
    );

    let output = cli.run(&["probe", "--json", "--provider", "assets-v1", clip]);
    assert_eq!(codes(&lines(&output.stdout)[0]), ["uploads_unsupported"]);

    let output = cli.run(&["probe", "--provider", "nowhere", clip]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("nowhere") && stderr.contains("twelvelabs"),
        "{stderr}"
    );
}
