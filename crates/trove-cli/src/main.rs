//! `trove`: the command line over Trove's core, for scripting and tests. It reads and writes the same
//! data directory as the desktop app; commands that need the Local library start its server in-process.

mod commands;
mod edits;
mod probe;
mod thumb;
mod uploads;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "trove",
    version,
    about = "Trove: your team's asset library, from the command line"
)]
struct Cli {
    /// Trove's data directory (default: the desktop app's).
    #[arg(long, global = true, env = "TROVE_DATA_DIR")]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Manage accounts.
    #[command(subcommand)]
    Account(AccountCommand),
    /// Pull remote listings into the cache (one account, or all).
    Sync { account: Option<String> },
    /// List cached assets (works offline).
    Ls(commands::LsArgs),
    /// Probe, check and upload files and folders; waits until each has ended.
    Upload(uploads::UploadArgs),
    /// Show the upload queue.
    Queue {
        #[arg(long)]
        json: bool,
        /// First work every upload that has not ended (after a crash) until it has.
        #[arg(long)]
        resume: bool,
    },
    /// Manage and run watched folders.
    #[command(subcommand)]
    Watch(uploads::WatchCommand),
    /// Tell what files really are (from their bytes) and whether a provider would take them.
    Probe(probe::ProbeArgs),
    /// Make the thumbnails the grid would show for files.
    Thumb(thumb::ThumbArgs),
    /// Show one asset, with its usage counts fetched fresh when the account answers.
    Show {
        #[command(flatten)]
        target: edits::Target,
        #[arg(long)]
        json: bool,
    },
    /// Add or remove tags (applied at once; sent when the account answers).
    Tag {
        #[command(flatten)]
        target: edits::Target,
        #[arg(long)]
        add: Vec<String>,
        #[arg(long)]
        remove: Vec<String>,
    },
    /// Rename an asset.
    Rename {
        #[command(flatten)]
        target: edits::Target,
        name: String,
    },
    /// Delete an asset; one in use (usage fetched fresh) needs --force.
    Rm {
        #[command(flatten)]
        target: edits::Target,
        /// Delete even when the asset is in use, or when its usage cannot be checked.
        #[arg(long, visible_alias = "yes")]
        force: bool,
    },
    /// Show each account's sync status.
    Status {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum AccountCommand {
    /// Add an account of a remote Assets API.
    Add {
        name: String,
        /// Which API: local (a Trove asset server) or sixtyseconds.
        #[arg(long)]
        provider: String,
        #[arg(long)]
        base_url: String,
        /// The environment variable that holds the API key (the key itself is never stored).
        #[arg(
            long,
            required_unless_present = "api_key_stdin",
            conflicts_with = "api_key_stdin"
        )]
        api_key_env: Option<String>,
        /// Read the API key from standard input and keep it in the OS keychain, as the app does.
        #[arg(long)]
        api_key_stdin: bool,
    },
    /// List accounts.
    Ls,
    /// Read the first page of an account, to check its address and key.
    Test { account: String },
    /// Remove an account, its cached assets and its key. Refused while edits or uploads wait
    /// to be sent, unless --force.
    Rm {
        account: String,
        #[arg(long)]
        force: bool,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TROVE_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match &cli.command {
        Command::Probe(args) => return probe::run(args),
        Command::Thumb(args) => return thumb::run(args),
        _ => {}
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("trove: cannot start: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("trove: {error:#}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn tags_split_on_commas() {
        let cli =
            Cli::try_parse_from(["trove", "upload", "a.png", "--tags", "brand,2025"]).unwrap();
        let Command::Upload(args) = cli.command else {
            panic!("not an upload")
        };
        assert_eq!(args.tags, ["brand", "2025"]);
    }
}
