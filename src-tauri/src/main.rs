//! Trove's desktop shell: starts the core (the cache and the in-process Local library), exposes it
//! to the web UI through thin commands, and forwards the core's events. No business logic here.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod rendering;
mod settings;
mod startup;
mod thumbnails;
mod uploads;

use tauri::Manager;

fn main() {
    // Before anything else: it sets the environment the web view's processes inherit.
    let painting = rendering::choose_for_this_machine();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TROVE_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    tracing::info!(?painting, "web view painting");
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_store::Builder::default().build())
        .register_asynchronous_uri_scheme_protocol("thumb", |context, request, responder| {
            let app = context.app_handle().clone();
            tauri::async_runtime::spawn(async move {
                responder.respond(thumbnails::serve(&app, &request).await);
            });
        })
        .setup(|app| {
            startup::start(app.handle());
            Ok(())
        })
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::DragDrop(tauri::DragDropEvent::Drop { paths, .. }) = event {
                uploads::on_drop(window.app_handle(), paths);
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::library_status,
            commands::list_assets,
            commands::tag_facets,
            commands::asset_details,
            commands::delete_asset,
            commands::edit_assets,
            commands::check_delete,
            commands::delete_assets,
            commands::sync_now,
            uploads::enqueue_uploads,
            uploads::upload_file_bytes,
            uploads::choose_files_to_upload,
            uploads::list_uploads,
            uploads::cancel_upload,
            uploads::retry_upload,
            thumbnails::thumbnails_unwanted,
            thumbnails::pause_thumbnails,
            thumbnails::thumbnails_retry,
            settings::account_settings,
            settings::providers,
            settings::add_account,
            settings::change_account,
            settings::remove_account,
            settings::test_connection,
            settings::watched_folders,
            settings::watch_folder,
            settings::unwatch_folder,
            settings::choose_folder,
            settings::sync_interval,
            settings::set_sync_interval,
            settings::view_mode,
            settings::set_view_mode,
            settings::open_in_browser,
        ])
        .run(tauri::generate_context!("../tauri.conf.json"));
    if let Err(error) = result {
        tracing::error!(%error, "Trove could not start its window");
        eprintln!("Trove could not start its window: {error}");
        std::process::exit(1);
    }
}
