//! `trove-server`: Trove's asset server on its own, for a team sharing one library.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

/// Serve a Trove library (the seed 000 Assets API) over HTTP.
#[derive(Parser)]
#[command(name = "trove-server", version)]
struct Args {
    /// Directory holding the library's database and files (created when missing).
    #[arg(long)]
    data: PathBuf,
    /// Address to listen on; port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:8750")]
    listen: SocketAddr,
    /// Name of the environment variable holding the API key clients must send.
    #[arg(long, default_value = "TROVE_API_KEY")]
    api_key_env: String,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let Ok(api_key) = std::env::var(&args.api_key_env) else {
        eprintln!(
            "trove-server: the environment variable {} (the API key) is not set",
            args.api_key_env
        );
        return std::process::ExitCode::from(2);
    };
    let config = trove_server::ServerConfig {
        data_dir: args.data,
        listen: args.listen,
        api_key,
    };
    let server = match trove_server::spawn(config).await {
        Ok(server) => server,
        Err(error) => {
            eprintln!("trove-server: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    // Scripts and tests wait for this line.
    println!("listening on {}", server.base_url);
    let _ = tokio::signal::ctrl_c().await;
    server.shutdown().await;
    std::process::ExitCode::SUCCESS
}
