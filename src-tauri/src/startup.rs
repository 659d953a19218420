//! What happens when the window opens: open the library (or remember why it could not be opened,
//! for the UI to show), start the Local library server in-process, then work the upload queue and
//! the watched folders, and keep every account in sync (edits sent as they are made), in the
//! background. The grid reads the cache from the first frame and never waits on the network.

use std::path::PathBuf;
use std::sync::Arc;

use tauri::{AppHandle, Emitter, Manager};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use trove_core::autosync::Timing;
use trove_core::library::{self, Library};
use trove_core::model::TroveEvent;
use trove_core::thumb_store::ThumbStore;
use trove_core::upload::{UploadQueue, DEFAULT_CONCURRENCY, DEFAULT_SETTLE};
use trove_server::RunningServer;

/// The one channel of events to the UI; its payload is always a [`TroveEvent`].
pub const EVENT_CHANNEL: &str = "trove://event";

/// Managed by Tauri and handed to every command.
pub struct TroveState {
    pub data_dir: PathBuf,
    /// The library, or the message that explains why it could not be opened.
    pub library: Result<Arc<Library>, String>,
    /// Kept alive for as long as the app runs; dropping it stops the server.
    pub local_server: tokio::sync::Mutex<Option<RunningServer>>,
    /// The upload queue, worked in the background (absent when the library could not open).
    pub uploads: Option<Arc<UploadQueue>>,
    /// Thumbnails for the grid, served through the `thumb:` scheme.
    pub thumbnails: Option<Arc<ThumbStore>>,
    /// The background sync's rhythm; the settings send a new interval through it.
    pub sync_timing: watch::Sender<Timing>,
}

fn data_dir(app: &AppHandle) -> PathBuf {
    library::default_data_dir()
        .or_else(|| app.path().app_data_dir().ok())
        .unwrap_or_else(|| PathBuf::from(library::APP_IDENTIFIER))
}

/// The background sync's rhythm: the interval chosen in the settings, unless
/// `TROVE_SYNC_INTERVAL_S` overrides it (for tests and demos).
fn sync_timing(app: &AppHandle) -> Timing {
    let minutes = crate::settings::saved_sync_minutes(app);
    let mut timing = Timing {
        interval: std::time::Duration::from_secs(u64::from(minutes) * 60),
        ..Timing::default()
    };
    if let Some(seconds) = std::env::var("TROVE_SYNC_INTERVAL_S")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .filter(|s| *s > 0)
    {
        timing.interval = std::time::Duration::from_secs(seconds);
    }
    timing
}

pub fn start(app: &AppHandle) {
    let data_dir = data_dir(app);
    let emitter = app.clone();
    let events = Arc::new(move |event: TroveEvent| {
        if let Err(error) = emitter.emit(EVENT_CHANNEL, &event) {
            tracing::warn!(%error, "event not delivered to the UI");
        }
    });
    let library = Library::open(&data_dir, events)
        .and_then(|library| library.local_account().map(|_| library))
        .map(Arc::new)
        .map_err(|error| error.to_string());
    if let Err(message) = &library {
        tracing::error!(%message, data_dir = %data_dir.display(), "library could not be opened");
    }
    let uploads = library
        .as_ref()
        .ok()
        .map(|library| UploadQueue::new(Arc::clone(library), DEFAULT_CONCURRENCY));
    let thumbnails = library.as_ref().ok().map(|library| {
        ThumbStore::new(
            Arc::clone(library),
            trove_core::thumb_store::DEFAULT_CAP_BYTES,
        )
    });
    let (sync_timing, timing) = watch::channel(sync_timing(app));
    app.manage(TroveState {
        data_dir,
        library: library.clone(),
        local_server: tokio::sync::Mutex::new(None),
        uploads: uploads.clone(),
        thumbnails,
        sync_timing,
    });
    let (Ok(library), Some(uploads)) = (library, uploads) else {
        return;
    };
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        match trove_server::start_local_library(&library).await {
            Ok(server) => {
                *app.state::<TroveState>().local_server.lock().await = Some(server);
            }
            Err(error) => {
                // The grid still shows the cache; the status bar shows why the library is offline.
                tracing::error!(%error, "Local library server did not start");
                if let Ok(account) = library.local_account() {
                    library.record_failure(&account, &error.to_string());
                }
            }
        }
        // Uploads wait for the server (the Local library is the default target); they and the
        // watched folders run for as long as the app does.
        let stop = CancellationToken::new();
        let (queue, watch) = (uploads.clone(), uploads.clone());
        let (queue_stop, watch_stop) = (stop.clone(), stop);
        tauri::async_runtime::spawn(async move {
            if let Err(error) = queue.run(queue_stop).await {
                tracing::error!(%error, "the upload queue stopped");
            }
        });
        tauri::async_runtime::spawn(async move {
            if let Err(error) = watch.watch(DEFAULT_SETTLE, watch_stop).await {
                tracing::error!(%error, "watched folders are not watched");
            }
        });
        // Every account synced now and on an interval; edits sent as they are made.
        trove_core::autosync::run(library, timing, CancellationToken::new()).await;
    });
}
