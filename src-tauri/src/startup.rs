//! What happens when the window opens: open the library (or remember why it could not be opened,
//! for the UI to show), start the Local library server in-process, then sync every account in the
//! background. The grid reads the cache from the first frame and never waits on the network.

use std::path::PathBuf;
use std::sync::Arc;

use tauri::{AppHandle, Emitter, Manager};
use trove_core::library::{self, Library};
use trove_core::model::TroveEvent;
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
}

fn data_dir(app: &AppHandle) -> PathBuf {
    library::default_data_dir()
        .or_else(|| app.path().app_data_dir().ok())
        .unwrap_or_else(|| PathBuf::from(library::APP_IDENTIFIER))
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
    app.manage(TroveState {
        data_dir,
        library: library.clone(),
        local_server: tokio::sync::Mutex::new(None),
    });
    let Ok(library) = library else { return };
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
        library
            .sync_all(trove_core::push::Urgency::Background)
            .await;
    });
}
