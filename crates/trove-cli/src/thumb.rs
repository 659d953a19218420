//! `trove thumb`: the thumbnails the grid would show, written next to each other for a look (or a
//! script), without opening the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use trove_core::thumbs::{self, Limits};

#[derive(Args)]
pub struct ThumbArgs {
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// The longer side, in pixels.
    #[arg(long, default_value_t = thumbs::GRID_SIDE)]
    size: u32,
    /// Where to write `<file name>.thumb.jpg` (or `.png`); default: the current folder.
    #[arg(long, default_value = ".")]
    out: PathBuf,
}

/// Exit status 1 when any file got no thumbnail (each is named with the reason).
pub fn run(args: &ThumbArgs) -> ExitCode {
    let limits = Limits::default();
    let mut failed = false;
    for file in &args.files {
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "thumbnail".to_owned());
        match thumbs::render(file, args.size, &limits) {
            Ok(thumb) => {
                let extension = if thumb.mime == "image/png" {
                    "png"
                } else {
                    "jpg"
                };
                let target = args.out.join(format!("{name}.thumb.{extension}"));
                match std::fs::write(&target, &thumb.bytes) {
                    Ok(()) => println!(
                        "{}: {}×{} {} → {}",
                        file.display(),
                        thumb.width,
                        thumb.height,
                        thumb.mime,
                        target.display()
                    ),
                    Err(error) => {
                        failed = true;
                        eprintln!("cannot write {}: {error}", target.display());
                    }
                }
            }
            Err(error) => {
                failed = true;
                eprintln!("{error}");
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
