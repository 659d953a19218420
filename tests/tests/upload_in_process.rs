//! The upload queue driven in-process, as the desktop app drives it: events for every change and
//! for progress, a cancel that drops the transfer at once (the remote never gets the file), and
//! watched folders added while it runs, or taken away from under it.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;
use trove_core::cache::{Account, Credential, NewAccount};
use trove_core::library::Library;
use trove_core::model::{TroveEvent, UploadState};
use trove_core::upload::UploadQueue;
use trove_tests::fault_proxy::{Fault, FaultProxy};
use trove_tests::media::wav;
use trove_tests::server::ServerProcess;

type Events = Arc<Mutex<Vec<TroveEvent>>>;

/// A library in a fresh data directory with a `team` account at `base_url` (its key in the
/// environment variable `key_var`), its queue, and the events it emits.
fn queue_on(
    base_url: &str,
    key_var: &str,
    key: &str,
) -> (tempfile::TempDir, Arc<UploadQueue>, Account, Events) {
    std::env::set_var(key_var, key);
    let data = tempfile::tempdir().unwrap();
    let events: Events = Arc::default();
    let sink = events.clone();
    let library =
        Library::open(data.path(), Arc::new(move |e| sink.lock().unwrap().push(e))).unwrap();
    let account = library
        .add_account(NewAccount {
            name: "team".into(),
            provider: "local".into(),
            base_url: base_url.to_owned(),
            credential: Credential::Env(key_var.into()),
        })
        .unwrap();
    (
        data,
        UploadQueue::new(Arc::new(library), 3),
        account,
        events,
    )
}

async fn wait_for(queue: &UploadQueue, id: i64, state: UploadState) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let item = queue.items(&[id]).unwrap().remove(0);
        if item.state == state {
            return;
        }
        assert!(Instant::now() < deadline, "upload #{id} stuck in {item:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn progress_is_announced_and_cancel_stops_the_transfer() {
    let server_dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(server_dir.path());
    let proxy = FaultProxy::start(&server.base_url).await;
    let (_data, queue, account, events) =
        queue_on(&proxy.base_url, "UPLOAD_CANCEL_KEY", &server.api_key);
    let stop = CancellationToken::new();
    let worker = {
        let (queue, stop) = (queue.clone(), stop.clone());
        tokio::spawn(async move { queue.run(stop).await })
    };
    let media = tempfile::tempdir().unwrap();

    // A file sent to the end: its progress reaches its size, and it is cached at once.
    let first = wav(media.path(), "first.wav", 3.0);
    let size = std::fs::metadata(&first).unwrap().len();
    let id = queue.enqueue(&[first], &account, &[], "drop").unwrap()[0].id;
    wait_for(&queue, id, UploadState::Done).await;
    let seen = events.lock().unwrap().clone();
    assert!(seen.iter().any(|e| matches!(e,
        TroveEvent::UploadProgress { id: i, bytes_sent, total } if *i == id && *bytes_sent == size && *total == size)));
    assert!(seen.iter().any(|e| matches!(e, TroveEvent::LibraryChanged)));
    let states: Vec<UploadState> = seen
        .iter()
        .filter_map(|e| match e {
            TroveEvent::UploadChanged { upload } if upload.id == id => Some(upload.state),
            _ => None,
        })
        .collect();
    assert_eq!(
        states.first().copied(),
        Some(UploadState::Probing),
        "{states:?}"
    );
    assert_eq!(
        states.last().copied(),
        Some(UploadState::Done),
        "{states:?}"
    );

    // A file whose request is held on its way: cancelled while uploading, the connection drops
    // and the remote never receives it.
    proxy.inject("POST /assets", Fault::Delay(Duration::from_secs(2)));
    let second = wav(media.path(), "second.wav", 1.0);
    let id = queue.enqueue(&[second], &account, &[], "dialog").unwrap()[0].id;
    wait_for(&queue, id, UploadState::Uploading).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(queue.cancel(id).unwrap());
    wait_for(&queue, id, UploadState::Cancelled).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        server.list().await["pagination"]["total"],
        1,
        "the cancelled file never reached the server"
    );
    assert_eq!(queue.items(&[id]).unwrap()[0].state, UploadState::Cancelled);

    // Tried again, it goes through.
    assert!(queue.retry(id).unwrap());
    wait_for(&queue, id, UploadState::Done).await;
    assert_eq!(server.list().await["pagination"]["total"], 2);
    stop.cancel();
    worker.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn folders_watched_while_running_and_folders_that_vanish() {
    let server_dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(server_dir.path());
    let (_data, queue, account, events) =
        queue_on(&server.base_url, "UPLOAD_WATCH_KEY", &server.api_key);
    let stop = CancellationToken::new();
    let (worker, watcher) = {
        let (q1, q2, s1, s2) = (queue.clone(), queue.clone(), stop.clone(), stop.clone());
        (
            tokio::spawn(async move { q1.run(s1).await }),
            tokio::spawn(async move { q2.watch(trove_core::upload::DEFAULT_SETTLE, s2).await }),
        )
    };
    tokio::time::sleep(Duration::from_millis(200)).await;

    // Watched after the watch started: picked up without a restart.
    let inbox = tempfile::tempdir().unwrap();
    let folder = inbox.path().join("Inbox");
    std::fs::create_dir(&folder).unwrap();
    queue
        .watch_folder(&folder, &account, &["inbox".to_owned()])
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let media = tempfile::tempdir().unwrap();
    let take = wav(media.path(), "take.wav", 1.0);
    std::fs::copy(&take, folder.join("take.wav")).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.list().await["pagination"]["total"] != 1 {
        assert!(
            Instant::now() < deadline,
            "the new folder's file was not uploaded"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // The folder goes away: reported, and the queue carries on.
    std::fs::remove_dir_all(&folder).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let gone = events.lock().unwrap().iter().any(
            |e| matches!(e, TroveEvent::WatchedFolderGone { path } if path.ends_with("Inbox")),
        );
        if gone {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the vanished folder was not reported"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(!worker.is_finished() && !watcher.is_finished());
    stop.cancel();
    worker.await.unwrap().unwrap();
    watcher.await.unwrap().unwrap();
}
