//! `trove probe`: what each file really is and whether a provider would take it, without sending
//! anything or opening the library.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use trove_core::rules::{self, bytes_in_words, FileReport};

#[derive(Args)]
pub struct ProbeArgs {
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// One JSON object per line and file.
    #[arg(long)]
    json: bool,
    /// Check against this provider's rules: local, sixtyseconds, syncso, videojungle, assets-v1
    /// or twelvelabs.
    #[arg(long, default_value = "local")]
    provider: String,
}

/// Exit status 0 when every file would be accepted, 1 when any would not, 2 for an unknown provider.
pub fn run(args: &ProbeArgs) -> ExitCode {
    let Some(rules) = rules::for_provider(&args.provider) else {
        let known: Vec<&str> = rules::provider_keys().collect();
        eprintln!(
            "trove: unknown provider {:?} (known: {})",
            args.provider,
            known.join(", ")
        );
        return ExitCode::from(2);
    };
    let mut all_valid = true;
    let mut out = std::io::stdout().lock();
    for path in &args.files {
        let report = FileReport::of(path, rules);
        all_valid &= report.valid;
        let written = if args.json {
            serde_json::to_string(&report)
                .map_err(std::io::Error::other)
                .and_then(|line| writeln!(out, "{line}"))
        } else {
            writeln!(out, "{}", in_words(&report))
        };
        if written.is_err() {
            return ExitCode::FAILURE; // stdout closed (a pipe whose reader left)
        }
    }
    if all_valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// `clip.mp4: video mp4 (h264, aac), 1080×1920 (stored 1920×1080, turned 90°), 30.50 s, 4.2 MiB
/// (4,404,019 bytes): ok`, then one indented line per problem.
fn in_words(report: &FileReport) -> String {
    let mut facts = Vec::new();
    if let (Some(kind), Some(format)) = (report.kind, report.format) {
        let codecs: Vec<&str> = [&report.video_codec, &report.audio_codec]
            .into_iter()
            .filter_map(|c| c.as_deref())
            .collect();
        facts.push(if codecs.is_empty() {
            format!("{kind} {format}")
        } else {
            format!("{kind} {format} ({})", codecs.join(", "))
        });
    }
    if let (Some(w), Some(h)) = (report.width, report.height) {
        let turned = report.rotation.unwrap_or(0);
        facts.push(match (report.stored_width, report.stored_height) {
            (Some(sw), Some(sh)) if turned != 0 => {
                format!("{w}×{h} (stored {sw}×{sh}, turned {turned}°)")
            }
            _ => format!("{w}×{h}"),
        });
    }
    if let Some(seconds) = report.duration_s {
        facts.push(format!("{seconds:.2} s"));
    }
    if let Some(size) = report.size {
        facts.push(bytes_in_words(size));
    }
    let verdict = if report.valid { "ok" } else { "refused" };
    let mut text = format!("{}: {}: {verdict}", report.path, facts.join(", "));
    for problem in &report.problems {
        text.push_str(&format!(
            "\n  {}: {}",
            problem.code.as_str(),
            problem.message
        ));
    }
    text
}
