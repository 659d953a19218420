//! The upload rows' state machine, as the queue drives it and as a crash leaves it.

use super::*;
use crate::model::{AssetKind, UploadState};

fn open_with_account() -> (tempfile::TempDir, Cache, Account) {
    let (dir, mut cache) = super::tests::open_temp();
    let account = super::tests::account(&mut cache);
    (dir, cache, account)
}

fn new_upload(account: &Account, path: &str) -> NewUpload {
    NewUpload {
        account_id: account.id.clone(),
        path: path.into(),
        name: "clip".into(),
        tags: vec!["brand".into()],
        origin: "cli".into(),
    }
}

fn probed(hash: &str) -> ProbedFile {
    ProbedFile {
        size: 1000,
        mtime_ns: 7,
        hash: hash.into(),
        kind: AssetKind::Video,
        content_type: "video/mp4".into(),
        width: Some(320),
        height: Some(240),
        duration_s: Some(2.0),
    }
}

fn state(cache: &Cache, id: i64) -> UploadState {
    cache.upload_row(id).unwrap().unwrap().item.state
}

#[test]
fn an_upload_goes_from_probing_to_done_with_its_asset_cached() {
    let (_dir, mut cache, account) = open_with_account();
    let ids = cache
        .enqueue_uploads(&[new_upload(&account, "/in/clip.mp4")])
        .unwrap();
    let row = cache.next_to_probe().unwrap().unwrap();
    assert_eq!(
        (row.item.id, row.item.state),
        (ids[0], UploadState::Probing)
    );
    cache
        .record_probe(ids[0], Some(&probed("h1")), &ProbeOutcome::Queued)
        .unwrap();
    assert!(cache.next_to_probe().unwrap().is_none());
    let claimed = cache.claim_uploads(&crate::now_rfc3339(), 3).unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].item.attempts, 1);
    assert_eq!(claimed[0].probed, Some(probed("h1")));
    let asset = super::tests::asset(
        &account.id,
        "asset_1",
        "clip",
        AssetKind::Video,
        "2026-01-01T00:00:00Z",
    );
    cache.finish_upload(ids[0], &asset).unwrap();
    let item = cache.upload_row(ids[0]).unwrap().unwrap().item;
    assert_eq!(item.state, UploadState::Done);
    assert_eq!(item.asset_id.as_deref(), Some("asset_1"));
    assert_eq!(item.bytes_sent, 1000);
    assert_eq!(cache.find_asset("asset_1").unwrap().len(), 1);
    // Its hash is known now: the same bytes again are a duplicate of that asset.
    assert_eq!(
        cache.known_content(&account.id, "h1", 999).unwrap(),
        Some(KnownContent::Asset("asset_1".into()))
    );
}

#[test]
fn a_transient_failure_waits_for_its_time_then_is_claimed_again() {
    let (_dir, mut cache, account) = open_with_account();
    let id = cache
        .enqueue_uploads(&[new_upload(&account, "/in/a.mp4")])
        .unwrap()[0];
    cache
        .record_probe(id, Some(&probed("h")), &ProbeOutcome::Queued)
        .unwrap();
    cache.claim_uploads("2026-01-01T00:00:00.000Z", 3).unwrap();
    cache
        .fail_upload(id, "HTTP 500", Some("2026-01-01T00:00:05.000Z"))
        .unwrap();
    assert_eq!(
        cache.next_retry_at().unwrap().as_deref(),
        Some("2026-01-01T00:00:05.000Z")
    );
    assert!(cache
        .claim_uploads("2026-01-01T00:00:04.000Z", 3)
        .unwrap()
        .is_empty());
    let again = cache.claim_uploads("2026-01-01T00:00:06.000Z", 3).unwrap();
    assert_eq!(again[0].item.attempts, 2);
    assert_eq!(again[0].item.retry_at, None);
}

#[test]
fn cancelled_and_crashed_uploads() {
    let (_dir, mut cache, account) = open_with_account();
    let ids = cache
        .enqueue_uploads(&[
            new_upload(&account, "/in/a.mp4"),
            new_upload(&account, "/in/b.mp4"),
        ])
        .unwrap();
    for (id, hash) in ids.iter().zip(["ha", "hb"]) {
        cache
            .record_probe(*id, Some(&probed(hash)), &ProbeOutcome::Queued)
            .unwrap();
    }
    cache.claim_uploads(&crate::now_rfc3339(), 3).unwrap();
    assert!(cache.cancel_upload(ids[0]).unwrap());
    assert!(!cache.cancel_upload(ids[0]).unwrap(), "once is enough");
    // An asset acknowledged after the cancel is cached, but the row stays cancelled.
    let asset = super::tests::asset(
        &account.id,
        "asset_a",
        "a",
        AssetKind::Video,
        "2026-01-01T00:00:00Z",
    );
    cache.finish_upload(ids[0], &asset).unwrap();
    assert_eq!(state(&cache, ids[0]), UploadState::Cancelled);
    // The process dies with b uploading: it goes back to the queue, its attempt counted.
    let interrupted = cache.uploads_in_state(UploadState::Uploading).unwrap();
    assert_eq!(interrupted.len(), 1);
    cache.requeue_upload(ids[1]).unwrap();
    assert_eq!(state(&cache, ids[1]), UploadState::Queued);
    let resumed = cache.claim_uploads(&crate::now_rfc3339(), 3).unwrap();
    assert_eq!(
        resumed[0].item.attempts, 2,
        "a resumed upload checks the remote first"
    );
    // A cancelled one can be tried again from the start.
    assert!(cache.retry_upload(ids[0]).unwrap());
    assert_eq!(state(&cache, ids[0]), UploadState::Probing);
}

#[test]
fn handled_files_and_queued_duplicates() {
    let (_dir, mut cache, account) = open_with_account();
    let ids = cache
        .enqueue_uploads(&[
            new_upload(&account, "/in/a.mp4"),
            new_upload(&account, "/in/copy.mp4"),
        ])
        .unwrap();
    assert!(
        cache.file_handled(&account.id, "/in/a.mp4", 1, 1).unwrap(),
        "a file being probed is handled whatever its size"
    );
    cache
        .record_probe(ids[0], Some(&probed("same")), &ProbeOutcome::Queued)
        .unwrap();
    assert!(cache
        .file_handled(&account.id, "/in/a.mp4", 1000, 7)
        .unwrap());
    assert!(
        !cache
            .file_handled(&account.id, "/in/a.mp4", 1001, 8)
            .unwrap(),
        "a changed file is new"
    );
    assert_eq!(
        cache.known_content(&account.id, "same", ids[1]).unwrap(),
        Some(KnownContent::Queued(ids[0]))
    );
    cache
        .record_probe(
            ids[1],
            Some(&probed("same")),
            &ProbeOutcome::DuplicateOfUpload(ids[0]),
        )
        .unwrap();
    let copy = cache.upload_row(ids[1]).unwrap().unwrap().item;
    assert_eq!(copy.state, UploadState::Duplicate);
    assert!(copy.error.unwrap().contains(&format!("#{}", ids[0])));
}

#[test]
fn watched_folders_and_remembered_hashes() {
    let (_dir, cache, account) = open_with_account();
    let folder = WatchedFolder {
        path: "/home/me/Inbox".into(),
        account_id: account.id.clone(),
        tags: vec!["inbox".into()],
    };
    cache.add_watched_folder(&folder).unwrap();
    assert_eq!(cache.watched_folders().unwrap(), [folder]);
    assert!(cache.remove_watched_folder("/home/me/Inbox").unwrap());
    assert!(cache.watched_folders().unwrap().is_empty());

    cache.remember_file_hash("/in/a.mp4", 10, 5, "abc").unwrap();
    assert_eq!(
        cache.file_hash("/in/a.mp4", 10, 5).unwrap().as_deref(),
        Some("abc")
    );
    assert_eq!(
        cache.file_hash("/in/a.mp4", 10, 6).unwrap(),
        None,
        "touched since"
    );
}
