//! The CLI's commands, each a thin call into the core.

use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::Args;
use trove_core::accounts::AccountForm;
use trove_core::cache::{Account, Credential, NewAccount};
use trove_core::library::{self, Library};
use trove_core::model::{AssetKind, AssetQuery, SortKey};
use trove_core::provider::KNOWN_PROVIDERS;
use trove_core::push::Urgency;
use trove_server::RunningServer;

use crate::{AccountCommand, Cli, Command};

#[derive(Args)]
pub struct LsArgs {
    #[arg(long)]
    json: bool,
    /// Only this kind: image, video, audio or other.
    #[arg(long = "type")]
    kind: Option<String>,
    /// Only assets with this tag (repeat for all-of).
    #[arg(long)]
    tag: Vec<String>,
    /// Only assets whose name or tags contain this text.
    #[arg(long)]
    search: Option<String>,
    /// newest, oldest, name, size or duration.
    #[arg(long, default_value = "newest")]
    sort: String,
    #[arg(long)]
    account: Option<String>,
    #[arg(long, default_value_t = 1000)]
    limit: u32,
}

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let data_dir = cli
        .data_dir
        .or_else(library::default_data_dir)
        .context("no data directory: pass --data-dir or set TROVE_DATA_DIR")?;
    let library = std::sync::Arc::new(Library::open_quiet(&data_dir)?);
    library.local_account()?;
    match cli.command {
        Command::Account(command) => return account(&library, command).await,
        Command::Sync { account } => return sync(&library, account.as_deref()).await,
        Command::Ls(args) => ls(&library, args)?,
        Command::Upload(args) => return crate::uploads::upload(library, args).await,
        Command::Queue { json, resume } => {
            return crate::uploads::list(library, json, resume).await
        }
        Command::Watch(command) => return crate::uploads::watch(library, command).await,
        // Handled before the library is opened; kept here so every command has one place.
        Command::Probe(args) => return Ok(crate::probe::run(&args)),
        Command::Thumb(args) => return Ok(crate::thumb::run(&args)),
        Command::Show { target, json } => return crate::edits::show(&library, &target, json).await,
        Command::Tag {
            target,
            add,
            remove,
        } => return crate::edits::tag(&library, &target, &add, &remove).await,
        Command::Rename { target, name } => {
            return crate::edits::rename(&library, &target, &name).await
        }
        Command::Rm { target, force } => {
            return crate::edits::remove(&library, &target, force).await
        }
        Command::Status { json } => {
            let statuses = library.statuses()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&statuses)?);
            } else {
                for s in statuses {
                    let last = s.last_sync_at.as_deref().unwrap_or("never");
                    let error = s.last_error.map(|e| format!("\t{e}")).unwrap_or_default();
                    let progress = match (s.sync_listed, s.sync_total) {
                        (Some(listed), Some(total)) => format!(" {listed} of {total}"),
                        (Some(listed), None) => format!(" {listed} listed"),
                        _ => String::new(),
                    };
                    println!(
                        "{}\t{:?}{progress}\t{} assets\t{} edits pending\t{} refused\tlast sync {last}{error}",
                        s.name, s.connectivity, s.asset_count, s.pending_edits, s.rejected_edits
                    );
                }
                for account in library.accounts()? {
                    for (asset, edit, why) in library.rejected_edits(&account)? {
                        println!("{}\trefused: {edit:?} of {asset}: {why}", account.name);
                    }
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Starts the Local library's server when `account` is the in-process one.
pub async fn serve_if_local(
    library: &Library,
    account: &Account,
) -> anyhow::Result<Option<RunningServer>> {
    if account.credential != Credential::InProcess {
        return Ok(None);
    }
    Ok(Some(trove_server::start_local_library(library).await?))
}

async fn sync(library: &Library, only: Option<&str>) -> anyhow::Result<ExitCode> {
    let accounts = match only {
        Some(name) => vec![library.account(name)?],
        None => library.accounts()?,
    };
    let mut failed = false;
    for account in accounts {
        let server = serve_if_local(library, &account).await?;
        match library.sync(&account, Urgency::Now).await {
            Ok(report) => println!(
                "{}: {} edits sent, {} refused, {} listed, {} new, {} updated, {} removed{}",
                account.name,
                report.pushed,
                report.rejected,
                report.listed,
                report.inserted,
                report.updated,
                report.removed,
                if report.complete {
                    ""
                } else {
                    " (listing incomplete: nothing removed)"
                }
            ),
            Err(error) => {
                failed = true;
                eprintln!("{}: sync failed: {error}", account.name);
            }
        }
        if let Some(server) = server {
            server.shutdown().await;
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn ls(library: &Library, args: LsArgs) -> anyhow::Result<()> {
    let kind = match args.kind.as_deref() {
        None => None,
        Some(text @ ("image" | "video" | "audio" | "other")) => {
            Some(AssetKind::parse_lenient(text))
        }
        Some(other) => bail!("--type must be image, video, audio or other, got {other:?}"),
    };
    let sort = match args.sort.as_str() {
        "newest" => SortKey::Newest,
        "oldest" => SortKey::Oldest,
        "name" => SortKey::Name,
        "size" => SortKey::Size,
        "duration" => SortKey::Duration,
        other => bail!("--sort must be newest, oldest, name, size or duration, got {other:?}"),
    };
    let account_id = args
        .account
        .as_deref()
        .map(|a| library.account(a))
        .transpose()?
        .map(|a| a.id);
    let page = library.query(&AssetQuery {
        account_id,
        kind,
        tags: args.tag,
        text: args.search,
        sort,
        offset: 0,
        limit: args.limit,
    })?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&page.items)?);
        return Ok(());
    }
    for asset in &page.items {
        let size = asset
            .size
            .map(|s| s.to_string())
            .unwrap_or_else(|| "-".into());
        println!(
            "{}\t{}\t{}\t{}\t{}",
            asset.id,
            asset.kind.as_str(),
            size,
            asset.name,
            asset.tags.join(",")
        );
    }
    if page.total as usize > page.items.len() {
        eprintln!(
            "({} of {} shown; use --limit)",
            page.items.len(),
            page.total
        );
    }
    Ok(())
}

async fn account(library: &Library, command: AccountCommand) -> anyhow::Result<ExitCode> {
    match command {
        AccountCommand::Add {
            name,
            provider,
            base_url,
            api_key_env: Some(var),
            ..
        } => {
            if !KNOWN_PROVIDERS.contains(&provider.as_str()) {
                bail!(
                    "unknown provider {provider:?} (known: {})",
                    KNOWN_PROVIDERS.join(", ")
                );
            }
            if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
                bail!("--base-url must start with http:// or https://, got {base_url:?}");
            }
            let account = library.add_account(NewAccount {
                name,
                provider,
                base_url,
                credential: Credential::Env(var),
            })?;
            println!("added account {} ({})", account.name, account.id);
        }
        AccountCommand::Add {
            name,
            provider,
            base_url,
            api_key_env: None,
            ..
        } => {
            let mut api_key = String::new();
            std::io::stdin()
                .read_line(&mut api_key)
                .context("reading the API key from standard input")?;
            let form = AccountForm {
                name,
                provider,
                base_url,
                api_key: api_key.trim().to_owned(),
            };
            let account = library.create_account(&form)?;
            println!(
                "added account {} ({}), its key in the OS keychain",
                account.name, account.id
            );
        }
        AccountCommand::Ls => {
            for account in library.accounts()? {
                println!(
                    "{}\t{}\t{}\t{}",
                    account.id, account.name, account.provider, account.base_url
                );
            }
        }
        AccountCommand::Test { account } => {
            let account = library.account(&account)?;
            let form = AccountForm {
                name: account.name.clone(),
                provider: account.provider.clone(),
                base_url: account.base_url.clone(),
                api_key: String::new(),
            };
            let report = library.test_connection(&form, Some(&account.id)).await?;
            match report.total {
                Some(total) => println!("{}: connected, {total} assets", account.name),
                None => println!(
                    "{}: connected, {} assets on the first page",
                    account.name, report.first_page
                ),
            }
        }
        AccountCommand::Rm { account, force } => {
            let account = library.account(&account)?;
            library.remove_account(&account.id, force)?;
            println!("removed account {}", account.name);
        }
    }
    Ok(ExitCode::SUCCESS)
}
