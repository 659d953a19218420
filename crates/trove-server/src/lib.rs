//! Trove's asset server: the seed 000 Assets API on real storage (SQLite metadata, content-addressed
//! files). It runs in-process as the app's Local library, and on its own (`trove-server`) for a team.

mod edit;
mod error;
mod routes;
pub mod store;
mod upload;

use std::net::SocketAddr;
use std::path::PathBuf;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use axum::Router;

pub use error::ApiError;
use store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("the API key is empty; set a key of at least 16 characters")]
    WeakKey,
}

#[derive(Clone)]
pub struct AppState {
    store: Store,
    api_key: String,
    /// Used for `url` when a request carries no usable Host header.
    base_url: String,
}

/// Checks `Authorization: Bearer KEY` (or `x-api-key: KEY`) in time independent of where the keys differ.
async fn require_key(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let bearer = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let header_key = headers.get("x-api-key").and_then(|v| v.to_str().ok());
    match bearer.or(header_key) {
        Some(key) if constant_time_eq(key.as_bytes(), state.api_key.as_bytes()) => {
            next.run(request).await
        }
        Some(_) => ApiError::new(
            axum::http::StatusCode::UNAUTHORIZED,
            "unauthorized",
            "the API key is not valid",
        )
        .into_response(),
        None => ApiError::new(
            axum::http::StatusCode::UNAUTHORIZED,
            "unauthorized",
            "an API key is required: send Authorization: Bearer KEY or x-api-key: KEY",
        )
        .into_response(),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The whole API.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/assets", get(routes::list).post(upload::create))
        .route(
            "/assets/{id}",
            get(routes::get)
                .patch(edit::update)
                .put(edit::update)
                .delete(edit::delete),
        )
        .route(
            "/assets/{id}/uses",
            post(edit::add_use).delete(edit::release_use),
        )
        // The upload handler enforces per-type limits itself while streaming.
        .layer(DefaultBodyLimit::disable())
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            require_key,
        ));
    Router::new()
        .merge(api)
        .route("/files/{id}", get(routes::file))
        .fallback(|| async {
            ApiError::new(
                axum::http::StatusCode::NOT_FOUND,
                "not_found",
                "no such route",
            )
        })
        .with_state(state)
}

/// What a running server needs.
pub struct ServerConfig {
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
    pub api_key: String,
}

/// A server running on the current tokio runtime; dropping it (or calling `shutdown`) stops it.
pub struct RunningServer {
    pub base_url: String,
    pub addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl RunningServer {
    /// Stops accepting requests and waits for the ones in flight.
    pub async fn shutdown(mut self) {
        if let Some(sender) = self.shutdown.take() {
            let _ = sender.send(());
        }
        let _ = (&mut self.task).await;
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Some(sender) = self.shutdown.take() {
            let _ = sender.send(());
        }
    }
}

/// Opens the store and starts serving; returns once the socket is bound.
pub async fn spawn(config: ServerConfig) -> Result<RunningServer, ServerError> {
    if config.api_key.trim().is_empty() {
        return Err(ServerError::WeakKey);
    }
    let store = Store::open(&config.data_dir)?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| ServerError::Bind {
            addr: config.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| ServerError::Bind {
        addr: config.listen,
        source,
    })?;
    let base_url = format!("http://{addr}");
    let state = AppState {
        store,
        api_key: config.api_key,
        base_url: base_url.clone(),
    };
    let (sender, receiver) = tokio::sync::oneshot::channel::<()>();
    let app = router(state);
    // Answers go out at once: with Nagle's algorithm a response written in two parts waits for
    // the client's delayed ACK (40 ms on Linux) before its body leaves.
    let listener = listener.tap_io(|stream| {
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "TCP_NODELAY not set on a connection");
        }
    });
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = receiver.await;
            })
            .await;
        if let Err(error) = served {
            tracing::error!(%error, "asset server stopped");
        }
    });
    tracing::info!(%base_url, "asset server listening");
    Ok(RunningServer {
        base_url,
        addr,
        shutdown: Some(sender),
        task,
    })
}

/// A fresh random API key for an in-process server.
pub fn random_api_key() -> String {
    use rand::Rng;
    let bytes: [u8; 24] = rand::thread_rng().gen();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Debug, thiserror::Error)]
pub enum LocalLibraryError {
    #[error(transparent)]
    Server(#[from] ServerError),
    #[error(transparent)]
    Library(#[from] trove_core::library::LibraryError),
}

/// Starts the Local library's server in this process, on a free loopback port with a fresh key, and
/// points the library's default account at it. The app and the CLI both start it this way.
pub async fn start_local_library(
    library: &trove_core::library::Library,
) -> Result<RunningServer, LocalLibraryError> {
    let api_key = random_api_key();
    let server = spawn(ServerConfig {
        data_dir: library.local_library_dir(),
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        api_key: api_key.clone(),
    })
    .await?;
    library.attach_local(trove_core::library::LocalEndpoint {
        base_url: server.base_url.clone(),
        api_key,
    })?;
    Ok(server)
}
