//! `trove upload`, `trove queue` and `trove watch`: the upload queue from the command line. The
//! queue is the same the desktop app drives, in the same data directory.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Subcommand};
use tokio_util::sync::CancellationToken;
use trove_core::library::Library;
use trove_core::model::{UploadItem, UploadState};
use trove_core::upload::{UploadQueue, DEFAULT_CONCURRENCY, DEFAULT_SETTLE};

use crate::commands::serve_if_local;

#[derive(Args)]
pub struct UploadArgs {
    /// Files, and folders (every file below them, hidden ones skipped).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Target account (default: the Local library).
    #[arg(long)]
    account: Option<String>,
    /// Comma-separated tags for every file.
    #[arg(long, value_delimiter = ',')]
    pub(crate) tags: Vec<String>,
    /// One JSON object per line and file, as `trove queue --json` prints them.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
pub enum WatchCommand {
    /// Upload what arrives in a folder (and what is in it now) to an account.
    Add {
        folder: PathBuf,
        #[arg(long)]
        account: Option<String>,
        #[arg(long, value_delimiter = ',')]
        tags: Vec<String>,
    },
    /// List watched folders.
    Ls,
    /// Stop watching a folder.
    Rm { folder: PathBuf },
    /// Watch every watched folder and upload, in the foreground, until interrupted.
    Run,
}

/// Queues the files, works until each has ended, and prints each outcome. Exit status 1 when any
/// file was rejected or failed.
pub async fn upload(library: Arc<Library>, args: UploadArgs) -> anyhow::Result<ExitCode> {
    let account = match &args.account {
        Some(name) => library.account(name)?,
        None => library.local_account()?,
    };
    let server = serve_if_local(&library, &account).await?;
    let queue = UploadQueue::new(library, DEFAULT_CONCURRENCY);
    let queued = queue.enqueue(&args.files, &account, &args.tags, "cli")?;
    let ids: Vec<i64> = queued.iter().map(|item| item.id).collect();
    let worked = queue.run_until_finished(&ids).await;
    if let Some(server) = server {
        server.shutdown().await;
    }
    worked?;
    let mut failures = 0;
    for item in queue.items(&ids)? {
        if matches!(item.state, UploadState::Rejected | UploadState::Failed) {
            failures += 1;
        }
        if args.json {
            println!("{}", serde_json::to_string(&item)?);
        } else if matches!(item.state, UploadState::Done | UploadState::Duplicate) {
            println!("{}", outcome(&item));
        } else {
            eprintln!("{}", outcome(&item));
        }
    }
    Ok(if failures > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// One line per upload: what happened to the file, and why when it was not sent.
fn outcome(item: &UploadItem) -> String {
    let path = &item.path;
    let asset = item.asset_id.as_deref().unwrap_or("?");
    match item.state {
        UploadState::Done => format!(
            "uploaded {path} as {asset} ({})",
            item.kind.map_or("?", |k| k.as_str())
        ),
        UploadState::Duplicate => match (&item.asset_id, &item.error) {
            (Some(asset), _) => format!("skipped {path}: the same bytes are already {asset}"),
            (None, Some(note)) => format!("skipped {path}: {note}"),
            (None, None) => format!("skipped {path}: the same bytes are already queued"),
        },
        UploadState::Rejected => {
            let problems: Vec<String> = item.problems.iter().map(|p| p.to_string()).collect();
            format!("rejected {path}: {}", problems.join("; "))
        }
        UploadState::Failed => format!(
            "failed {path}: {}",
            item.error.as_deref().unwrap_or("unknown error")
        ),
        state => format!("{} {path}", state.as_str()),
    }
}

/// `trove queue`: the newest uploads and where each is; with `resume`, first works every upload
/// that has not ended (after a crash, say) until it has.
pub async fn list(library: Arc<Library>, json: bool, resume: bool) -> anyhow::Result<ExitCode> {
    let queue = UploadQueue::new(Arc::clone(&library), DEFAULT_CONCURRENCY);
    if resume {
        let unfinished = queue.unfinished()?;
        let mut accounts: Vec<&str> = unfinished.iter().map(|i| i.account_id.as_str()).collect();
        accounts.sort_unstable();
        accounts.dedup();
        let mut servers = Vec::new();
        for account in accounts {
            servers.extend(serve_if_local(&library, &library.account(account)?).await?);
        }
        let ids: Vec<i64> = unfinished.iter().map(|item| item.id).collect();
        let worked = queue.run_until_finished(&ids).await;
        for server in servers {
            server.shutdown().await;
        }
        worked?;
    }
    for item in queue.list(500)? {
        if json {
            println!("{}", serde_json::to_string(&item)?);
        } else {
            let progress = match (item.state, item.size) {
                (UploadState::Uploading, Some(size)) => {
                    format!(" {} of {size} bytes", item.bytes_sent)
                }
                _ => String::new(),
            };
            println!(
                "#{}\t{}{progress}\t{}",
                item.id,
                item.state.as_str(),
                outcome(&item)
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn watch(library: Arc<Library>, command: WatchCommand) -> anyhow::Result<ExitCode> {
    let queue = UploadQueue::new(Arc::clone(&library), DEFAULT_CONCURRENCY);
    match command {
        WatchCommand::Add {
            folder,
            account,
            tags,
        } => {
            let account = match account {
                Some(name) => library.account(&name)?,
                None => library.local_account()?,
            };
            let watched = queue.watch_folder(&folder, &account, &tags)?;
            println!("watching {} for {}", watched.path, account.name);
        }
        WatchCommand::Ls => {
            for folder in queue.watched_folders()? {
                let account = library.account(&folder.account_id)?;
                println!(
                    "{}\t{}\t{}",
                    folder.path,
                    account.name,
                    folder.tags.join(",")
                );
            }
        }
        WatchCommand::Rm { folder } => {
            if !queue.unwatch_folder(&folder)? {
                anyhow::bail!("{} is not a watched folder", folder.display());
            }
        }
        WatchCommand::Run => return run_watch(library, queue).await,
    }
    Ok(ExitCode::SUCCESS)
}

/// Watches and uploads until SIGINT or SIGTERM; the queue then stops its transfers (they resume
/// at the next run).
async fn run_watch(library: Arc<Library>, queue: Arc<UploadQueue>) -> anyhow::Result<ExitCode> {
    let mut servers = Vec::new();
    let mut accounts: Vec<String> = queue
        .watched_folders()?
        .into_iter()
        .map(|f| f.account_id)
        .collect();
    accounts.sort_unstable();
    accounts.dedup();
    for account in accounts {
        servers.extend(serve_if_local(&library, &library.account(&account)?).await?);
    }
    let stop = CancellationToken::new();
    let signal = {
        let stop = stop.clone();
        tokio::spawn(async move {
            let mut term =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            stop.cancel();
            Ok::<_, std::io::Error>(())
        })
    };
    let (worked, watched) = tokio::join!(
        queue.run(stop.clone()),
        queue.watch(DEFAULT_SETTLE, stop.clone())
    );
    signal.abort();
    for server in servers {
        server.shutdown().await;
    }
    worked?;
    watched?;
    Ok(ExitCode::SUCCESS)
}
