//! `show`, `tag`, `rename` and `rm`: edits land in the cache and the outbox at once, then are sent
//! if the account answers; if it does not, they wait for the next `trove sync`.

use std::process::ExitCode;

use clap::Args;
use trove_core::cache::{Account, Edit};
use trove_core::library::Library;
use trove_core::model::Asset;

use crate::commands::serve_if_local;

#[derive(Args)]
pub struct Target {
    /// The asset's id.
    pub id: String,
    /// The account, when the same id exists in several.
    #[arg(long)]
    pub account: Option<String>,
}

fn resolve(library: &Library, target: &Target) -> anyhow::Result<(Account, Asset)> {
    let account = target
        .account
        .as_deref()
        .map(|a| library.account(a))
        .transpose()?;
    let asset = library.find_asset(&target.id, account.as_ref())?;
    let account = match account {
        Some(account) => account,
        None => library.account(&asset.account_id)?,
    };
    Ok((account, asset))
}

/// Sends the account's pending edits, saying so when they must wait.
async fn send_now(library: &Library, account: &Account) -> anyhow::Result<()> {
    let server = serve_if_local(library, account).await?;
    match library.push(account).await {
        Ok(report) if report.rejected > 0 => {
            eprintln!(
                "{}: {} edit(s) refused by the remote; see `trove status`",
                account.name, report.rejected
            );
        }
        Ok(_) => {}
        Err(error) => eprintln!(
            "saved here; it reaches {} on the next `trove sync` ({error})",
            account.name
        ),
    }
    if let Some(server) = server {
        server.shutdown().await;
    }
    Ok(())
}

pub async fn show(library: &Library, target: &Target, json: bool) -> anyhow::Result<ExitCode> {
    let (account, cached) = resolve(library, target)?;
    // Usage counts are fetched when an asset is looked at; the cached ones stand in when offline.
    let server = serve_if_local(library, &account).await?;
    let asset = match library.refresh(&account, &cached.id).await {
        Ok(fresh) => fresh,
        Err(error) => {
            eprintln!("(usage counts not refreshed: {error})");
            cached
        }
    };
    if let Some(server) = server {
        server.shutdown().await;
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&asset)?);
        return Ok(ExitCode::SUCCESS);
    }
    let or_dash = |v: Option<String>| v.unwrap_or_else(|| "-".to_owned());
    println!(
        "{}\n  id        {}\n  account   {}",
        asset.name, asset.id, account.name
    );
    println!(
        "  kind      {} ({})",
        asset.kind.as_str(),
        or_dash(asset.content_type.clone())
    );
    println!(
        "  size      {} bytes",
        or_dash(asset.size.map(|s| s.to_string()))
    );
    if let (Some(w), Some(h)) = (asset.width, asset.height) {
        println!("  pixels    {w}×{h}");
    }
    if let Some(seconds) = asset.duration_s {
        println!("  duration  {seconds:.2} s");
    }
    println!("  tags      {}", asset.tags.join(", "));
    println!(
        "  used in   {} videos, {} templates (last used {}; counted {})",
        or_dash(asset.used_in_videos.map(|n| n.to_string())),
        or_dash(asset.used_in_templates.map(|n| n.to_string())),
        or_dash(asset.last_used.clone()),
        or_dash(asset.usage_fetched_at.clone())
    );
    println!("  url       {}", or_dash(asset.url.clone()));
    if asset.pending {
        println!("  (local edits waiting to sync)");
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn tag(
    library: &Library,
    target: &Target,
    add: &[String],
    remove: &[String],
) -> anyhow::Result<ExitCode> {
    if add.is_empty() && remove.is_empty() {
        anyhow::bail!("say what to change: --add TAG and/or --remove TAG");
    }
    let (account, asset) = resolve(library, target)?;
    let mut shown = asset;
    for tag in add {
        shown = library.edit(&account, &shown.id, &Edit::AddTag(tag.clone()))?;
    }
    for tag in remove {
        shown = library.edit(&account, &shown.id, &Edit::RemoveTag(tag.clone()))?;
    }
    println!("{}: {}", shown.id, shown.tags.join(", "));
    send_now(library, &account).await?;
    Ok(ExitCode::SUCCESS)
}

pub async fn rename(library: &Library, target: &Target, name: &str) -> anyhow::Result<ExitCode> {
    let (account, asset) = resolve(library, target)?;
    let renamed = library.edit(&account, &asset.id, &Edit::Rename(name.to_owned()))?;
    println!("{}: {}", renamed.id, renamed.name);
    send_now(library, &account).await?;
    Ok(ExitCode::SUCCESS)
}

pub async fn remove(library: &Library, target: &Target, force: bool) -> anyhow::Result<ExitCode> {
    let (account, asset) = resolve(library, target)?;
    let server = serve_if_local(library, &account).await?;
    let deleted = library.delete(&account, &asset.id, force).await;
    if let Some(server) = server {
        server.shutdown().await;
    }
    deleted?;
    println!("deleted {} ({})", asset.name, asset.id);
    send_now(library, &account).await?;
    Ok(ExitCode::SUCCESS)
}
